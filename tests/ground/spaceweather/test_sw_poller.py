"""The poller: scheduled fetches into a Zarr archive, no duplicates across restarts."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from ground.spaceweather.client import SWPCClient
from ground.spaceweather.poller import append_to_archive, open_archive, watch
from ground.spaceweather.products import PRODUCTS, parse_alerts, parse_kp


def client_for(server, cache):
    return SWPCClient(server.base_url, cache, timeout=0.5, retries=0, seed=0)


def test_watch_archives_every_product_once_across_restarts(swpc_server, tmp_path):
    archive = tmp_path / "swpc.zarr"
    with client_for(swpc_server, tmp_path / "cache") as client:
        first = watch(client, archive, count=2, interval=0.0)
    assert first[0]["kp"] == 57 and first[0]["protons"] == 72 and first[0]["alerts"] == 5
    assert all(v == 0 for v in first[1].values())  # same data again (304s): nothing added
    # restart: a new process would build a new client; the archive alone prevents duplicates
    with client_for(swpc_server, tmp_path / "cache2") as client:
        again = watch(client, archive, count=1, interval=0.0)
    assert all(v == 0 for v in again[0].values())
    for name in PRODUCTS:
        ds = open_archive(archive, name).load()
        assert not ds.indexes["time"].has_duplicates or name == "alerts"
    kp = open_archive(archive, "kp").load()
    assert kp.sizes["time"] == 57 and kp["kp"].attrs["units"] == "1"
    xrays = open_archive(archive, "xrays").load()
    assert xrays.sizes == {"time": 360, "band": 2}


def test_new_rows_are_appended_in_order(swpc_server, tmp_path, recorded):
    archive = tmp_path / "a.zarr"
    path = PRODUCTS["kp"].path
    rows = recorded(path)
    swpc_server.overrides[path] = json.dumps(rows[:40]).encode()
    with client_for(swpc_server, tmp_path / "cache") as client:
        cycles = []

        def grow(cycle, results, added):
            cycles.append(added["kp"])
            swpc_server.overrides[path] = json.dumps(rows[: 40 + 10 * (cycle + 1)]).encode()

        watch(client, archive, count=3, interval=0.0, products=["kp"], on_cycle=grow)
    assert cycles == [40, 10, 7]
    kp = open_archive(archive, "kp").load()
    xr.testing.assert_equal(kp.drop_attrs(), parse_kp(rows).drop_attrs())


def test_revised_kp_overwrites_archived_value(tmp_path, recorded):
    archive = tmp_path / "a.zarr"
    ds = parse_kp(recorded("products/noaa-planetary-k-index.json"))
    append_to_archive(archive, "kp", ds)
    revised = ds.copy(deep=True)
    revised["kp"].values[-1] = 6.67
    assert append_to_archive(archive, "kp", revised) == 0
    assert open_archive(archive, "kp")["kp"].values[-1] == 6.67


def test_alerts_sharing_a_time_are_kept(tmp_path, recorded):
    raw = recorded("products/alerts.json")
    twin = dict(raw[0], product_id="PX3S")
    archive = tmp_path / "a.zarr"
    assert append_to_archive(archive, "alerts", parse_alerts(raw)) == 5
    assert append_to_archive(archive, "alerts", parse_alerts([twin, *raw])) == 1


def test_watch_survives_a_failing_source(swpc_server, tmp_path):
    archive = tmp_path / "a.zarr"
    for product in PRODUCTS.values():
        swpc_server.behaviour[product.path] = "500"
    stale = []
    with client_for(swpc_server, tmp_path / "cache") as client:
        added = watch(
            client,
            archive,
            count=2,
            interval=0.0,
            on_cycle=lambda c, results, rows: stale.append(all(r.stale for r in results.values())),
        )
    assert stale == [True, True]
    assert added == [dict.fromkeys(PRODUCTS, 0)] * 2
    with pytest.raises(FileNotFoundError, match="no archive for product 'kp'"):
        open_archive(archive, "kp")


def test_watch_sleeps_the_interval(swpc_server, tmp_path):
    waits = []
    with client_for(swpc_server, tmp_path / "cache") as client:
        watch(
            client, tmp_path / "a.zarr", count=3, interval=5.0, products=["kp"], sleep=waits.append
        )
    assert len(waits) == 2 and all(0 < w <= 5.0 for w in waits)
    with pytest.raises(ValueError, match="count must be >= 1"):
        watch(client, tmp_path / "a.zarr", count=0)


def test_archive_times_are_exact(tmp_path, recorded):
    """Millisecond alert times and minute data survive the Zarr time encoding."""
    ds = parse_alerts(recorded("products/alerts.json"))
    append_to_archive(tmp_path / "a.zarr", "alerts", ds)
    back = open_archive(tmp_path / "a.zarr", "alerts").load()
    np.testing.assert_array_equal(back["time"].values, ds["time"].values)
    assert list(back["message_code"].values) == list(ds["message_code"].values)
