"""Campaign summaries: Wilson interval by hand, percentiles, Spearman drivers, 3-sigma ellipse, CLI JSON."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from missions.campaign.adapters import get_adapter
from missions.campaign.spec import parse_campaign
from missions.campaign.store import StoreWriter, create_store
from missions.campaign.summary import open_campaign, wilson_interval

ROOT = Path(__file__).resolve().parents[2]


def test_wilson_interval_by_hand():
    # Newcombe (1998), Table I, example (i): 81 of 263 -> 0.2553 to 0.3662 (95 %)
    lo, hi = wilson_interval(81, 263)
    assert (round(lo, 4), round(hi, 4)) == (0.2553, 0.3662)
    # by hand, z = 1.959964: 9 of 10
    z, n, p = 1.959963984540054, 10, 0.9
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert wilson_interval(9, 10) == pytest.approx((centre - half, centre + half), rel=1e-12)
    # all successes: the upper bound is 1, the lower one n / (n + z^2)
    lo, hi = wilson_interval(20, 20)
    assert hi == 1.0 and lo == pytest.approx(20 / (20 + z * z), rel=1e-12)
    # statsmodels-free cross-check of the 99 % variant against the closed form
    z99 = stats.norm.ppf(0.995)
    lo99, hi99 = wilson_interval(0, 50, 0.99)
    assert lo99 == 0.0 and hi99 == pytest.approx(z99**2 / (50 + z99**2), rel=1e-12)
    with pytest.raises(ValueError, match="successes must be between 0 and n=5, got 6"):
        wilson_interval(6, 5)


SPEC = """
[campaign]
name = "summary-test"
scenario = "touch-and-go"
runs = 60
seed = 1

[inputs.diameter_m]
distribution = "uniform"
low = 36.0
high = 46.0

[inputs.latitude_deg]
distribution = "choice"
values = [20.0, 30.0]
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A store written by the campaign's own writer with known numbers (no scenario run)."""
    path = tmp_path_factory.mktemp("summary") / "s.zarr"
    spec = parse_campaign(SPEC)
    adapter = get_adapter("touch-and-go")
    create_store(path, spec, adapter, chunk=16)
    rng = np.random.default_rng(0)
    n = 50  # 10 runs stay not done and must not count
    diam = np.linspace(36, 46, n)
    east = rng.normal(0.1, 0.3, n)
    north = rng.normal(-0.2, 0.1, n) + 0.5 * east
    fail = diam > 43.0  # the larger bodies fail: diameter drives failure
    raised = np.zeros(n, bool)
    raised[[5, 6]] = True
    cols = {
        "input_diameter_m": diam,
        "input_latitude_deg": np.where(np.arange(n) % 2, 20.0, 30.0),
        "touchdown_error_m": np.hypot(east, north),
        "touchdown_east_m": east,
        "touchdown_north_m": north,
        "propellant_used_kg": np.linspace(1.0, 2.0, n),
        "outcome": np.where(raised, "error", np.where(fail, "too fast", "success")),
        "success": ~fail & ~raised,
        "error": np.where(raised, "ValueError: boom", ""),
        "traceback": np.where(raised, "Traceback ...", ""),
        "counts_json": np.where(raised, "", '{"mpc": 3, "zem_zev": 1}'),
    }
    w = StoreWriter(path)
    for a in range(0, n, 7):
        w.write_batch(a, min(a + 7, n), {k: v[a : a + 7] for k, v in cols.items()})
    return path, cols


def test_summary_numbers(store):
    path, cols = store
    c = open_campaign(path)
    s = c.summary()
    k = int(cols["success"].sum())
    assert s["runs"] == 50 and s["planned_runs"] == 60
    assert s["failed_runs"] == 50 - k
    assert s["error_runs"] == 2
    assert s["success_rate"] == pytest.approx(k / 50)
    assert s["success_ci"] == pytest.approx(list(wilson_interval(k, 50)))
    p = s["percentiles"]["propellant_used_kg"]
    assert p["p50"] == pytest.approx(np.percentile(cols["propellant_used_kg"], 50))
    assert p["p95"] == pytest.approx(np.percentile(cols["propellant_used_kg"], 95))
    assert p["count"] == 50 and p["units"] == "kg"
    assert s["outcomes"] == {
        "success": k,
        "too fast": int((cols["outcome"] == "too fast").sum()),
        "error": 2,
    }
    top = s["failure_drivers"][0]
    assert top["input"] == "diameter_m"
    rho = stats.spearmanr(cols["input_diameter_m"], ~cols["success"]).statistic
    assert top["spearman_rho"] == pytest.approx(rho)
    assert "Campaign(" in repr(c) and "50/60 runs" in repr(c)
    assert list(c.errors()["error"]) == ["ValueError: boom"] * 2
    assert s["mean_counts"] == {"mpc": 3.0, "zem_zev": 1.0}


def test_touchdown_ellipse_is_three_sigma_of_the_covariance(store):
    path, cols = store
    d = open_campaign(path).site_dispersion()
    cov = np.cov(cols["touchdown_east_m"], cols["touchdown_north_m"])
    np.testing.assert_allclose(d["covariance_m2"], cov, rtol=1e-12)
    w = np.linalg.eigvalsh(cov)
    el = d["ellipse_3sigma"]
    assert el["semi_major_m"] == pytest.approx(3 * math.sqrt(w[1]))
    assert el["semi_minor_m"] == pytest.approx(3 * math.sqrt(w[0]))
    # the major axis leans north-east (north grows with east)
    assert 0 < el["angle_deg"] % 180 < 90


def test_summary_cli_json_and_plots(store, tmp_path):
    path, cols = store
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "missions.cli",
            "campaign",
            "summary",
            str(path),
            "--json",
            "--plot",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    s = json.loads(res.stdout)
    for key in ("runs", "failed_runs", "success_rate", "success_ci", "percentiles"):
        assert key in s
    assert s["runs"] == 50
    assert {"touchdown_error_m", "propellant_used_kg"} <= set(s["percentiles"])
    names = {Path(p).name for p in s["plots"]}
    assert names == {"touchdown_dispersion.png", "histograms.png", "failure_drivers.png"}
    assert all((tmp_path / n).stat().st_size > 1000 for n in names)


def test_summary_of_a_missing_store_is_one_line(tmp_path):
    res = subprocess.run(
        [sys.executable, "-m", "missions.cli", "campaign", "summary", str(tmp_path / "nope.zarr")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 2
    assert "does not exist" in res.stderr and "Traceback" not in res.stderr
