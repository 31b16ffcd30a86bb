"""``kamo descent simulate``: JSON keys, plots, bad options."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

KEYS = {
    "outcome",
    "touchdown_error_m",
    "touchdown_speed_vertical_m_s",
    "target_vertical_speed_m_s",
    "touchdown_speed_lateral_m_s",
    "contact_duration_s",
    "propellant_used_kg",
    "safe_altitude_reached_m",
}


def _kamo(*args):
    return subprocess.run(
        [sys.executable, "-m", "missions.cli", "descent", "simulate", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_json_output_has_every_figure_and_plots(tmp_path):
    out = _kamo("--seed", "3", "--json", "--plot", str(tmp_path), "--truth-gravity", "ellipsoid")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert KEYS <= set(data)
    assert data["outcome"] == "success"
    assert data["touchdown_error_m"] < 1.0
    assert (tmp_path / "descent_trajectory.png").stat().st_size > 1000
    assert (tmp_path / "descent_filter_errors.png").stat().st_size > 1000


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--diameter", "5"], "diameter"),
        (["--density", "9"], "density"),
        (["--seed", "-2"], "--seed"),
    ],
)
def test_bad_options_give_one_line_and_exit_2(args, needle):
    out = _kamo(*args, "--json")
    assert out.returncode == 2
    assert needle in out.stderr
    assert "Traceback" not in out.stderr
    assert out.stdout == ""
