"""``kamo porkchop`` and ``kamo run`` as a user runs them: JSON alone on stdout, clean errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

MARS = ["earth", "mars", "--launch", "2020-06-01/2020-09-30", "--arrival", "2021-01-01/2021-06-30"]


def kamo(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "missions.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


def test_porkchop_json_netcdf_and_plot(tmp_path):
    import xarray as xr

    nc, png = tmp_path / "pc.nc", tmp_path / "pc.png"
    result = kamo(
        "porkchop",
        *MARS,
        "--grid",
        "60",
        "--out",
        str(nc),
        "--plot",
        str(png),
        "--mark",
        "2020-07-30T11:50",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)  # JSON alone on stdout
    assert set(data["min_c3"]) >= {"c3_km2_s2", "launch", "arrival", "tof_days"}
    assert set(data["min_dv"]) >= {"dv_km_s", "launch", "arrival", "tof_days"}
    assert 12.5 < data["min_c3"]["c3_km2_s2"] < 14.0
    assert data["min_c3"]["launch"].startswith("2020-07")
    assert data["launch_span"] == ["2020-06-01T00:00:00", "2020-09-30T00:00:00"]
    assert data["grid"] == [60, 60]
    assert xr.open_dataset(nc).c3_launch.attrs["units"] == "km2/s2"
    assert png.stat().st_size > 10_000


@pytest.mark.parametrize(
    "args, named",
    [
        (["earth", "vulcan", *MARS[2:]], "vulcan"),
        (["earth", "mars", "--launch", "2020-09-30/2020-06-01", *MARS[4:]], "reversed"),
        (["earth", "mars", "--launch", "2020-06-01/2020-09-31", *MARS[4:]], "2020-09-31"),
    ],
)
def test_bad_arguments_fail_cleanly(args, named):
    result = kamo("porkchop", *args)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert named in result.stderr
    assert result.stderr.strip().startswith("error:")
    assert result.stdout == ""


@pytest.mark.slow
def test_kamo_run_writes_plot_and_summary(tmp_path):
    result = kamo("run", "--fast", "--grid", "40", "--json", "--out-dir", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["arrival_body"] == "Kamoʻoalewa"
    assert data["min_dv"]["dv_km_s"] > 0
    # the grid's launch date nearest 2025-05-28 (40 points over 2025: 9-day spacing)
    assert data["best_ballistic_on_tianwen2_launch_day"]["launch"][:7] in ("2025-05", "2025-06")
    assert (tmp_path / "out" / "kamooalewa_porkchop_2025.png").stat().st_size > 10_000
