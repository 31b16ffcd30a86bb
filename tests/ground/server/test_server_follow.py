"""``kamo ground follow``: a growing packet file tailed into an archive, byte for byte."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import xarray as xr

from ground.archive import Archive, RawStore
from ground.bulk import decode_bytes
from ground.decom import decommutate
from ground.dictionary import load_dictionary
from ground.server.follow import Follower

RECORDING = Path(__file__).parent / "data" / "pass.bin"


def test_follow_in_ragged_chunks_equals_decoding_the_whole_file(tmp_path):
    d = load_dictionary()
    data = RECORDING.read_bytes()
    src = tmp_path / "live.bin"
    src.write_bytes(b"")
    follower = Follower(src, Archive(tmp_path / "f.zarr", d, fsync=False), d)
    rng = np.random.default_rng(7)
    cuts = np.sort(rng.choice(np.arange(1, len(data)), size=6, replace=False))
    with open(src, "ab") as fh:
        for a, b in zip(np.r_[0, cuts], np.r_[cuts, len(data)], strict=True):
            fh.write(data[a:b])  # packets cut anywhere, as a writer flushes them
            fh.flush()
            follower.step()
    follower.close()
    assert follower.packets == 1800 and follower.quarantined == 0
    whole = decommutate(decode_bytes(data, d), d)
    followed = Archive(tmp_path / "f.zarr", d)
    for name, ds in whole.items():
        got = followed.open(name).load()
        np.testing.assert_array_equal(got["time"].values, ds["time"].values)
        for var in ds.data_vars:
            np.testing.assert_array_equal(got[var].values, ds[var].values, err_msg=var)
    assert b"".join(followed.replay()) == data


def test_sub_second_times_after_a_whole_second_first_batch(tmp_path):
    """The first batch is on whole seconds; later packets at .25 s must keep their times."""
    d = load_dictionary()
    hk = d.packet("HK")
    t0 = 2145916837.0
    src = tmp_path / "live.bin"
    src.write_bytes(hk.encode({"BATT_V": 28000}, time_tai58=t0))
    follower = Follower(src, Archive(tmp_path / "f.zarr", d, fsync=False), d)
    follower.step()
    with open(src, "ab") as fh:
        fh.write(hk.encode({"BATT_V": 28100}, seq_count=1, time_tai58=t0 + 1.25))
    follower.step()
    t = xr.open_zarr(tmp_path / "f.zarr", group="HK", consolidated=False)["time"].values
    assert list(t) == [
        np.datetime64("2026-01-01T00:00:00.000"),
        np.datetime64("2026-01-01T00:00:01.250"),
    ]


def test_follow_cli_until_idle_with_a_torn_last_packet(tmp_path):
    data = RECORDING.read_bytes()
    src = tmp_path / "live.bin"
    src.write_bytes(data[:20_000])

    def writer():
        time.sleep(1.0)
        with open(src, "ab") as fh:
            fh.write(data[20_000:-10])  # the last packet never completes

    thread = threading.Thread(target=writer)
    thread.start()
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "missions.cli",
            "ground",
            "follow",
            str(src),
            "--out",
            str(tmp_path / "tm.zarr"),
            "--interval",
            "0.1",
            "--idle-timeout",
            "3",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    thread.join()
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    last = load_dictionary().packet("PROP").length
    assert summary["packets"] == 1799
    assert summary["quarantined_bytes"] == last - 10  # the torn tail, kept in quarantine
    store = RawStore(tmp_path / "tm.kpa")
    assert store.recovery.dropped_bytes == 0
    assert (tmp_path / "tm.dict.xml").exists()
