"""`kamo ground command | verify | contacts` end to end, through the real CLI process."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr
from spacepackets.ecss import PusTc

KEY_HEX = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"


def kamo(*args, check=True):
    proc = subprocess.run(
        [sys.executable, "-m", "missions.cli", *map(str, args)], capture_output=True, text=True
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"kamo {args} failed ({proc.returncode}): {proc.stderr}")
    return proc


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / "mission.key"
    path.write_text(KEY_HEX + "\n")
    return path


def test_command_builds_signs_and_verifies(tmp_path, key_file):
    out = tmp_path / "tc.bin"
    proc = kamo(
        "ground",
        "command",
        "HEATER_SET",
        "HEATER_ID=2",
        "STATE=ON",
        "--key-file",
        key_file,
        "--seq",
        41,
        "--out",
        out,
        "--json",
    )
    info = json.loads(proc.stdout)
    raw = out.read_bytes()
    assert info["hex"] == raw.hex() and info["length"] == len(raw)
    assert info["args"] == {"HEATER_ID": 2, "STATE": "ON"} and info["auth_seq"] == 41
    assert KEY_HEX not in proc.stdout
    sp = PusTc.unpack(raw)
    assert (sp.apid, sp.service, sp.message_subtype) == (info["apid"], 8, 1)
    assert sp.app_data[:2] == bytes([2, 1])

    ok = json.loads(
        kamo("ground", "verify", out, "--key-file", key_file, "--last-seq", 40, "--json").stdout
    )
    assert ok["accepted"] and ok["report_hex"].startswith("08")  # a TM[1,1] went down
    replay = kamo(
        "ground", "verify", out, "--key-file", key_file, "--last-seq", 41, "--json", check=False
    )
    assert replay.returncode == 1
    assert json.loads(replay.stdout)["reason"] == "REPLAY"


def test_command_violating_the_dictionary_is_refused(tmp_path, key_file):
    proc = kamo(
        "ground",
        "command",
        "HK_INTERVAL",
        "STRUCTURE_ID=1",
        "INTERVAL=7200",
        "--key-file",
        key_file,
        "--seq",
        1,
        "--out",
        tmp_path / "x.bin",
        check=False,
    )
    assert proc.returncode == 2
    assert "INTERVAL" in proc.stderr and "1..3600" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "x.bin").exists()


def _trajectory(path):
    """A spacecraft 0.3 AU from Earth (heliocentric J2000 positions), 3 days hourly."""
    from ground.contacts import AU_KM, _sf_time, _skyfield
    from orbits.time import et_to_datetime64, to_et

    _, eph = _skyfield()
    et = np.arange(to_et("2026-01-01"), to_et("2026-01-04") + 1, 3600.0)
    t = _sf_time(et)
    earth = (eph["earth"].at(t).position.km - eph["sun"].at(t).position.km).T
    pos = earth + np.array([0.0, 0.3, 0.1]) * AU_KM
    xr.Dataset(
        {"position": (("time", "xyz"), pos, {"units": "km"})},
        coords={"time": et_to_datetime64(et)},
        attrs={"frame": "J2000", "center": "sun"},
    ).to_netcdf(path)


def test_contacts_json(tmp_path):
    traj = tmp_path / "sc.nc"
    _trajectory(traj)
    proc = kamo(
        "ground",
        "contacts",
        "--trajectory",
        traj,
        "--stations",
        "kashi,jiamusi,neuquen",
        "--start",
        "2026-01-01T06:00",
        "--end",
        "2026-01-03",
        "--json",
        "--out",
        tmp_path / "c.nc",
    )
    info = json.loads(proc.stdout)
    assert info["stations"] == ["kashi", "jiamusi", "neuquen"]
    assert info["count"] == len(info["contacts"]) >= 5
    for c in info["contacts"]:
        assert c["aos"] <= c["tca"] <= c["los"]
        assert c["max_elevation"] >= c["elevation_mask"]
        assert c["light_time_s_tca"] == pytest.approx(c["range_km_tca"] / 299792.458)
        assert 150 < c["light_time_s_tca"] < 165  # ~0.316 AU
        assert c["data_rate_bps_tca"] > 0
    table = xr.open_dataset(tmp_path / "c.nc")
    assert table.sizes["contact"] == info["count"]

    bad = kamo(
        "ground",
        "contacts",
        "--trajectory",
        traj,
        "--start",
        "2026-01-03",
        "--end",
        "2026-01-02",
        "--json",
        check=False,
    )
    assert bad.returncode == 2 and "end must be after start" in bad.stderr
