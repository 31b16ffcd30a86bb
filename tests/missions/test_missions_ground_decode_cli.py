"""`kamo ground decode` and `kamo ground replay` run as a user would run them."""

from __future__ import annotations

import json
import subprocess
import sys

from ground.dictionary import load_dictionary
from ground.frames import FrameConfig, FrameWriter

DICT = load_dictionary()


def _kamo(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "missions.cli", "ground", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def _packets():
    hk, att = DICT.packet("HK"), DICT.packet("ATT")
    out = []
    for i in range(50):
        out.append(
            hk.encode(
                {"BATT_V": 28000 + 200 * i, "OBC_TEMP": 2000}, seq_count=i, time_tai58=2.0e9 + i
            )
        )
        if i != 7:
            out.append(att.encode({"RATE_X": 0.0}, seq_count=i, time_tai58=2.0e9 + i))
    return out


def test_decode_archive_and_replay(tmp_path):
    pk = _packets()
    raw = b"".join(pk[:10]) + b"\x99" * 9 + b"".join(pk[10:])
    (tmp_path / "tm.bin").write_bytes(raw)
    r = _kamo("decode", "tm.bin", "--dict", "kamo", "--out", "tm.zarr", "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    b = out["bytes"]
    assert b["total"] == len(raw) == b["packets"] + b["idle"] + b["quarantined"]
    assert out["quarantine"] == {"garbage": 9}
    assert out["packets"] == 99 and out["idle_packets"] == 0
    assert out["apids"] == {
        "100": {"packets": 50, "missing": 0},
        "101": {"packets": 49, "missing": 1},
    }
    levels = [(a["parameter"], a["level"]) for a in out["alarms"]]
    assert levels == [("BATT_V", "yellow"), ("BATT_V", "red")]
    assert (tmp_path / "tm.kpa").exists() and (tmp_path / "tm.zarr" / "HK").is_dir()

    hk_times = [a["time"] for a in out["alarms"]]
    r = _kamo(
        "replay",
        "tm.zarr",
        "--start",
        hk_times[0],
        "--end",
        hk_times[1],
        "--out",
        "r.bin",
        "--json",
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["packets"] > 0 and (tmp_path / "r.bin").stat().st_size == rep["bytes"]


def test_header_level_and_frames(tmp_path):
    pk = _packets()
    w = FrameWriter(scid=0x2A5, config=FrameConfig(length=200))
    framed = b"\x00" * 5 + w.write(pk, vcid=1) + w.flush(1)
    (tmp_path / "f.bin").write_bytes(framed)
    r = _kamo("decode", "f.bin", "--frames", "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    b = out["bytes"]
    assert b["total"] == len(framed) == b["packets"] + b["idle"] + b["quarantined"]
    assert out["packets"] == 99 and out["quarantine"] == {"no_sync": 5}
    assert out["frames"]["length"] == 200 and out["alarms"] == []
    assert set(out["types"]) == {"APID_100", "APID_101"}


def test_bad_inputs_exit_2(tmp_path):
    r = _kamo("decode", "missing.bin", cwd=tmp_path)
    assert r.returncode == 2 and "does not exist" in r.stderr and "Traceback" not in r.stderr
    (tmp_path / "x.bin").write_bytes(b"abc")
    r = _kamo("decode", "x.bin", "--frames", cwd=tmp_path)
    assert r.returncode == 2 and "frame length" in r.stderr
    r = _kamo("replay", "none.zarr", "--out", "o.bin", cwd=tmp_path)
    assert r.returncode == 2 and "no raw store" in r.stderr
