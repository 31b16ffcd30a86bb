"""The status report (the CLI's JSON) built in-process, online and from the cache."""

from __future__ import annotations

import json

from ground.spaceweather.status import fetch_status

KEYS = {"kp", "protons", "xray", "solar_wind", "stale", "age_s", "advisories", "products"}


def test_fetch_status_online_then_offline(swpc_server, tmp_path):
    online = fetch_status(swpc_server.base_url, tmp_path, now="2026-08-07T01:30:00Z")
    assert KEYS <= set(online)
    assert online["stale"] is False
    assert isinstance(online["kp"]["g_scale"], int) and online["kp"]["peak_g_scale"] == 4
    assert online["protons"]["s_scale"] == 2 and online["xray"]["peak_flare_class"] == "M4.1"
    assert json.dumps(online)  # plain JSON types only
    requests = sum(swpc_server.requests.values())
    offline = fetch_status(cache_dir=tmp_path, offline=True, now="2026-08-07T01:30:00Z")
    assert sum(swpc_server.requests.values()) == requests
    assert {k: offline[k] for k in ("kp", "protons", "xray", "solar_wind")} == {
        k: online[k] for k in ("kp", "protons", "xray", "solar_wind")
    }
    assert offline["advisories"] == online["advisories"]


def test_status_without_any_data(tmp_path):
    report = fetch_status(cache_dir=tmp_path / "none", offline=True)
    assert report["stale"] is True and report["age_s"] is None
    assert report["kp"]["g_scale"] == 0 and report["kp"]["value"] is None
    assert report["xray"]["flare_class"] is None
    assert report["solar_wind"]["speed_km_s"] is None
    assert report["advisories"] == []
    assert all(p["status"] == "missing" for p in report["products"].values())
