"""``kamo spaceweather`` end to end: subprocess CLI against the loopback SWPC server."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ground.spaceweather.client import SWPCClient
from ground.spaceweather.products import PRODUCTS

NOW = "2026-08-07T01:30:00Z"


def kamo(*args: str, cache=None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "KAMO_SWPC_CACHE"}
    if cache is not None:
        env["XDG_CACHE_HOME"] = str(cache)  # never touch the real user cache
    return subprocess.run(
        [sys.executable, "-m", "missions.cli", "spaceweather", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_fetch_json_then_status_from_cache(swpc_server, tmp_path):
    cache = tmp_path / "cache"
    out = kamo(
        "fetch",
        "--base-url",
        swpc_server.base_url,
        "--cache-dir",
        str(cache),
        "--now",
        NOW,
        "--json",
        cache=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["kp"] == {
        "value": 6.33,
        "time": "2026-08-07T00:00:00Z",
        "g_scale": 2,
        "peak": 8.67,
        "peak_g_scale": 4,
    }
    assert report["protons"]["flux_pfu"] == 150.0
    assert (report["protons"]["s_scale"], report["protons"]["peak_s_scale"]) == (2, 2)
    x = report["xray"]
    assert (x["flare_class"], x["r_scale"], x["peak_flare_class"], x["peak_r_scale"]) == (
        "M1.0",
        1,
        "M4.1",
        1,
    )
    sw = report["solar_wind"]
    assert sw["source"] == "SOLAR1" and 550 < sw["speed_km_s"] < 700 and sw["bz_nT"] < 0
    assert report["stale"] is False and report["age_s"] is not None
    rules = {a["rule"] for a in report["advisories"]}
    assert {"sep-hold-proximity", "geomagnetic-storm-links"} <= rules
    hold = next(a for a in report["advisories"] if a["rule"] == "sep-hold-proximity")
    assert hold["start"].endswith("Z") and hold["expected_end"] == "2026-08-07T13:30:00Z"
    # the default products, and the Kp forecast that the default forecast rule reads
    assert sum(swpc_server.requests.values()) == len(PRODUCTS) + 1
    assert swpc_server.requests["products/noaa-planetary-k-index-forecast.json"] == 1
    assert report["products"]["kp_forecast"]["rows"] == 4

    status = kamo("status", "--cache-dir", str(cache), "--now", NOW, "--max-age", "1e9", "--json")
    assert status.returncode == 0, status.stderr
    cached = json.loads(status.stdout)
    assert cached["kp"] == report["kp"] and cached["xray"] == report["xray"]
    assert cached["stale"] is False
    assert sum(swpc_server.requests.values()) == len(PRODUCTS) + 1  # status never fetched


def test_fetch_falls_back_to_stale_cache_when_the_source_fails(swpc_server, tmp_path):
    cache = tmp_path / "cache"
    with SWPCClient(swpc_server.base_url, cache) as client:  # fill the cache in-process
        client.fetch_all()
    swpc_server.behaviour[PRODUCTS["protons"].path] = "500"
    swpc_server.behaviour[PRODUCTS["kp"].path] = "malformed"
    out = kamo(
        "fetch",
        "--base-url",
        swpc_server.base_url,
        "--cache-dir",
        str(cache),
        "--retries",
        "1",
        "--backoff",
        "0.01",
        "--now",
        NOW,
        "--json",
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["stale"] is True
    assert report["protons"]["flux_pfu"] == 150.0  # from the cache
    assert report["kp"]["peak_g_scale"] == 4  # from the cache
    assert "HTTP 500" in report["products"]["protons"]["reason"]
    assert "malformed JSON" in report["products"]["kp"]["reason"]
    assert report["products"]["xrays"]["stale"] is False


def test_watch_appends_to_zarr(swpc_server, tmp_path):
    archive = tmp_path / "sw.zarr"
    args = ["--base-url", swpc_server.base_url, "--cache-dir", str(tmp_path / "c"), "--json"]
    out = kamo("watch", "--archive", str(archive), "--count", "2", "--interval", "0", *args)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["cycles"] == 2
    assert result["rows_added"][0]["kp"] == 57 and result["rows_added"][1]["kp"] == 0
    assert "cycle 2" in out.stderr


# The cases below run the same CLI entry point in-process (no interpreter start-up).


def run_main(args, capsys):
    from missions.cli import main

    try:
        main(["spaceweather", *args])
        code = 0
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_empty_cache_status_is_stale_in_human_output(tmp_path, capsys):
    code, out, _ = run_main(["status", "--cache-dir", str(tmp_path / "empty")], capsys)
    assert code == 0
    assert "stale   True" in out and "advisories: none" in out
    assert "nothing cached yet" in out


def test_status_plot_from_cache(swpc_server, tmp_path, capsys):
    cache = tmp_path / "cache"
    with SWPCClient(swpc_server.base_url, cache) as client:
        client.fetch_all()
    plot = tmp_path / "sw.png"
    code, out, err = run_main(
        ["status", "--cache-dir", str(cache), "--plot", str(plot), "--days", "2"], capsys
    )
    assert code == 0 and "plot written" in err
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Kp      6.33 (G2)" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fetch", "--base-url", "localhost:9"], "base_url must start with http"),
        (["status", "--now", "yesterday"], "--now must be an ISO time"),
        (["cme", "--launch", "2026-08-04T12:00", "--speed", "-5"], "speed must be positive"),
    ],
)
def test_bad_input_exit_code_2(args, message, capsys):
    code, _, err = run_main(args, capsys)
    assert code == 2
    assert message in err


def test_cme_command_json(capsys):
    code, out, _ = run_main(
        ["cme", "--launch", "2026-08-04T12:00", "--speed", "1000", "--offset", "0", "--json"],
        capsys,
    )
    assert code == 0
    result = json.loads(out)
    assert result["hit"] is True and 52.9 < result["transit_hours"] < 54.5
    code, out, _ = run_main(
        ["cme", "--launch", "2026-08-04T12:00", "--speed", "1000", "--ensemble", "100", "--json"],
        capsys,
    )
    ens = json.loads(out)
    assert code == 0 and ens["members"] == 100 and 0 < ens["hit_probability"] <= 1
