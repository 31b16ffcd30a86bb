"""The SWPC client against a real HTTP server on 127.0.0.1 that also misbehaves."""

from __future__ import annotations

import json
import socket

import numpy as np
import platformdirs
import pytest

from ground.spaceweather.client import SWPCClient, default_cache_dir
from ground.spaceweather.products import PRODUCTS

KP = PRODUCTS["kp"].path


class Clock:
    """A settable wall clock for ages (the client reads time through ``clock``)."""

    def __init__(self, t: float = 1_786_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def make_client(server, cache, **kw):
    opts = dict(timeout=0.3, retries=1, backoff=0.01, seed=1)
    opts.update(kw)
    return SWPCClient(server.base_url, cache, **opts)


def test_fresh_fetch_parses_and_caches(swpc_server, tmp_path):
    with make_client(swpc_server, tmp_path) as client:
        results = client.fetch_all()
    assert set(results) == set(PRODUCTS)
    for name, r in results.items():
        assert r.status == "fresh" and not r.stale and r.age_s == 0.0, (name, r)
        assert r.dataset is not None and r.dataset.sizes["time"] > 0
        assert (tmp_path / f"{name}.json").is_file()
        meta = json.loads((tmp_path / f"{name}.meta.json").read_text())
        assert meta["etag"].startswith('"') and meta["last_modified"].endswith("GMT")
    assert results["kp"].dataset["kp"].values[-1] == 6.33
    assert "fresh" in repr(results["kp"])


def test_conditional_request_gets_304_and_keeps_data(swpc_server, tmp_path):
    clock = Clock()
    with make_client(swpc_server, tmp_path, clock=clock) as client:
        first = client.fetch("kp")
        clock.t += 120
        second = client.fetch("kp")
    assert first.status == "fresh"
    assert second.status == "not-modified" and not second.stale
    assert swpc_server.not_modified[KP] == 1
    sent = swpc_server.last_headers[KP]
    assert sent["If-None-Match"] == json.loads((tmp_path / "kp.meta.json").read_text())["etag"]
    assert sent["If-Modified-Since"] == "Fri, 07 Aug 2026 01:26:00 GMT"
    assert second.dataset.identical(first.dataset)
    # 304 confirms the copy is current: its age restarts
    assert json.loads((tmp_path / "kp.meta.json").read_text())["fetched_at"] == clock.t


def test_changed_body_replaces_etag(swpc_server, tmp_path, recorded):
    with make_client(swpc_server, tmp_path) as client:
        client.fetch("kp")
        rows = recorded(KP)
        rows.append(
            {"time_tag": "2026-08-07T03:00:00", "Kp": 5.0, "a_running": 48, "station_count": 8}
        )
        swpc_server.overrides[KP] = json.dumps(rows).encode()
        r = client.fetch("kp")
    assert r.status == "fresh" and r.dataset.sizes["time"] == 58
    assert swpc_server.not_modified[KP] == 0


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("500", "HTTP 500"),
        ("slow", "timeout after 0.3 s"),
        ("malformed", "malformed JSON"),
        ("truncated-json", "truncated JSON"),
        ("truncated", "truncated body"),
        ("changed", "unexpected layout"),
        ("404", "HTTP 404"),
    ],
)
def test_failures_fall_back_to_stale_cache(swpc_server, tmp_path, mode, reason):
    swpc_server.slow_s = 0.8
    clock = Clock()
    with make_client(swpc_server, tmp_path, clock=clock) as client:
        good = client.fetch("kp")
        swpc_server.behaviour[KP] = mode
        (tmp_path / "kp.meta.json").write_text(
            json.dumps({**json.loads((tmp_path / "kp.meta.json").read_text()), "etag": None})
        )  # force a full response, so the bad body is actually sent
        clock.t += 3600
        stale = client.fetch("kp")
    assert stale.stale and stale.status == "stale"
    assert reason in stale.reason
    assert stale.age_s == pytest.approx(3600.0)
    assert stale.dataset.identical(good.dataset)  # the bad response did not replace the cache
    assert "6.33" not in stale.reason


def test_retries_with_backoff_then_give_up(swpc_server, tmp_path):
    waits = []
    swpc_server.behaviour[KP] = "500"
    with make_client(
        swpc_server, tmp_path, retries=3, backoff=0.5, jitter=0.5, sleep=waits.append
    ) as client:
        r = client.fetch("kp")
    assert swpc_server.requests[KP] == 4
    assert r.status == "missing" and r.dataset is None and r.stale
    assert "HTTP 500 (4 attempt(s))" in r.reason
    # exponential backoff with jitter: attempt k waits in [0.5 * base 2^k, base 2^k]
    assert len(waits) == 3
    for k, wait in enumerate(waits):
        full = 0.5 * 2**k
        assert 0.5 * full <= wait <= full
    assert len(set(waits)) == 3


def test_flaky_server_recovers_on_retry(swpc_server, tmp_path):
    swpc_server.behaviour[KP] = "flaky"
    with make_client(swpc_server, tmp_path) as client:
        r = client.fetch("kp")
    assert r.status == "fresh" and swpc_server.requests[KP] == 2


def test_no_server_at_all_never_raises(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once we leave: connection refused
    with SWPCClient(f"http://127.0.0.1:{port}/", tmp_path, timeout=0.3, retries=0) as client:
        results = client.fetch_all()
    assert all(r.status == "missing" and r.stale for r in results.values())
    assert all("connection failed" in r.reason for r in results.values())


def test_cached_only_and_max_age(swpc_server, tmp_path):
    clock = Clock()
    with make_client(swpc_server, tmp_path, clock=clock) as client:
        client.fetch("protons")
        clock.t += 60
        recent = client.cached("protons")
        clock.t += 7200
        old = client.cached("protons", max_age_s=900)
        nothing = client.cached("kp")
    assert swpc_server.requests[PRODUCTS["protons"].path] == 1
    assert recent.status == "cached" and not recent.stale and recent.age_s == 60
    assert old.stale and "7260 s old" in old.reason
    assert nothing.status == "missing" and nothing.dataset is None


def test_extra_products_and_legacy_layout_through_the_client(swpc_server, tmp_path):
    with make_client(swpc_server, tmp_path) as client:
        plasma = client.fetch("legacy_plasma")
    assert plasma.dataset.attrs["layout"] == "header-row"
    assert np.isnan(plasma.dataset["proton_speed"].values[5])


def test_cache_dir_resolution(tmp_path, monkeypatch):
    monkeypatch.delenv("KAMO_SWPC_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "kamo" / "swpc"
    assert str(default_cache_dir()).startswith(platformdirs.user_cache_dir())
    monkeypatch.setenv("KAMO_SWPC_CACHE", str(tmp_path / "env"))
    with SWPCClient(cache_dir=None) as client:
        assert client.cache_dir == tmp_path / "env"
    with SWPCClient(cache_dir=tmp_path / "arg") as client:
        assert client.cache_dir == tmp_path / "arg"


def test_bad_configuration_is_rejected_at_the_door(tmp_path):
    with pytest.raises(ValueError, match="base_url must start with http"):
        SWPCClient("ftp://example.org/", tmp_path)
    with pytest.raises(ValueError, match="timeout must be positive"):
        SWPCClient(cache_dir=tmp_path, timeout=0)
    with pytest.raises(ValueError, match="jitter must be within 0..1"):
        SWPCClient(cache_dir=tmp_path, jitter=2)
    with SWPCClient(cache_dir=tmp_path) as client, pytest.raises(ValueError, match="unknown SWPC"):
        client.fetch("sunspots")


def test_base_url_without_trailing_slash(swpc_server, tmp_path):
    with SWPCClient(swpc_server.base_url.rstrip("/"), tmp_path) as client:
        assert client.url("kp") == swpc_server.base_url + KP
        assert client.fetch("kp").status == "fresh"


def test_empty_data_product_keeps_the_cache_but_empty_alerts_are_normal(swpc_server, tmp_path):
    with make_client(swpc_server, tmp_path) as client:
        client.fetch_all(["kp", "alerts"])
        swpc_server.overrides[KP] = b"[]"
        swpc_server.overrides[PRODUCTS["alerts"].path] = b"[]"
        kp, alerts = client.fetch("kp"), client.fetch("alerts")
    assert kp.stale and "empty product" in kp.reason and kp.dataset.sizes["time"] == 57
    assert alerts.status == "fresh" and alerts.dataset.sizes["time"] == 0
