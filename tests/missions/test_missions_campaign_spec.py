"""Campaign files and seeded draws: validation errors name the key, units convert, draws are per run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from missions.campaign.draw import draw_inputs, run_seed_sequence, scenario_seed_sequence
from missions.campaign.spec import load_campaign, parse_campaign

ROOT = Path(__file__).resolve().parents[2]

HEAD = """
[campaign]
name = "t"
scenario = "launch-injection"
runs = 4000
seed = 11
"""


def test_example_descent_campaign_loads():
    spec = load_campaign(ROOT / "examples" / "descent-campaign.toml")
    assert spec.scenario == "touch-and-go"
    assert spec.runs == 200
    # 5 min -> 300 s; g/cm3 -> kg/m3; cm -> m
    assert spec.constants["descent_s"] == pytest.approx(300.0)
    assert spec.dispersions["density_kg_m3"].median == pytest.approx(2700.0)
    assert spec.dispersions["initial_position_sigma_m"].low == pytest.approx(0.30)
    assert "touch-and-go" in repr(spec)


def test_units_convert_to_the_scenario_unit():
    spec = parse_campaign(
        HEAD
        + """
[inputs]
tof_days = { value = 3600, unit = "h" }
[inputs.launch_delay_s]
distribution = "normal"
mean = 1.0
std = 0.5
unit = "min"
[inputs.vinf_ra_error_deg]
distribution = "uniform"
low = -1.0
high = 1.0
unit = "arcmin"
"""
    )
    assert spec.constants["tof_days"] == pytest.approx(150.0)
    d = spec.dispersions["launch_delay_s"]
    assert (d.mean, d.std, d.unit) == (pytest.approx(60.0), pytest.approx(30.0), "s")
    assert spec.dispersions["vinf_ra_error_deg"].high == pytest.approx(1 / 60)


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (
            '[inputs.c3_error_km2_s2]\ndistribution = "gauss"\nmean = 0\nstd = 1\n',
            "normal, uniform, truncnormal, lognormal, choice",
        ),
        (
            '[inputs.c3_error_km2_s2]\ndistribution = "normal"\nmean = 0\nsigma = 1\n',
            "inputs.c3_error_km2_s2.sigma is not a key of a normal dispersion; valid: mean, std, unit",
        ),
        (
            '[inputs.c3_error_km2_s2]\ndistribution = "normal"\nmean = 0\n',
            "inputs.c3_error_km2_s2.std is missing",
        ),
        (
            '[inputs.c3_error_km2_s2]\ndistribution = "normal"\nmean = 0\nstd = -1\n',
            "inputs.c3_error_km2_s2.std",
        ),
        (
            '[inputs.c3_error_km2_s2]\ndistribution = "uniform"\nlow = 2\nhigh = 1\n',
            "high (1.0) must be greater than low (2.0)",
        ),
        (
            '[inputs.c3_error_km2_s2]\ndistribution = "normal"\nmean = 0\nstd = 1\nunit = "m"\n',
            "'m' cannot be converted to 'km2 / s2'",
        ),
        (
            '[inputs.c3_error_km2_s2]\ndistribution = "normal"\nmean = 0\nstd = 1\nunit = "furlongz"\n',
            "'furlongz' is not a unit",
        ),
        (
            '[inputs.spin_rate]\ndistribution = "normal"\nmean = 0\nstd = 1\n',
            "has no input 'spin_rate'; valid: c3_error_km2_s2, dv_budget_m_s",
        ),
        (
            '[inputs.target]\ndistribution = "normal"\nmean = 0\nstd = 1\n',
            "disperse it with distribution = 'choice'",
        ),
        (
            '[inputs.vinf_ra_error_deg]\ndistribution = "choice"\nvalues = [1, 2]\nweights = [1]\n',
            "weights has 1 entries but values has 2",
        ),
        (
            '[inputs.vinf_ra_error_deg]\ndistribution = "choice"\nvalues = [1, "a"]\n',
            "mix of text and numbers",
        ),
        ('[inputs]\ntof_days = "long"\n', "inputs.tof_days: expects a number"),
        ("[extras]\nx = 1\n", "unknown table 'extras'"),
    ],
)
def test_bad_campaign_files_name_the_key(body, needle):
    with pytest.raises(ValueError) as err:
        parse_campaign(HEAD + body)
    assert needle in str(err.value)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (
            '[campaign]\nscenario = "nope"\nruns = 1\nseed = 1\n',
            "campaign.scenario: unknown scenario 'nope': valid scenarios are",
        ),
        (
            '[campaign]\nscenario = "launch-injection"\nruns = 0\nseed = 1\n',
            "campaign.runs must be a positive integer, got 0",
        ),
        (
            '[campaign]\nscenario = "launch-injection"\nruns = 2\nseed = -1\n',
            "campaign.seed must be a non-negative integer",
        ),
        ('[campaign]\nscenario = "launch-injection"\nseed = 1\n', "campaign.runs is missing"),
        (
            '[campaign]\nscenario = "launch-injection"\nruns = 2\nseed = 1\nworkers = 3\n',
            "campaign.workers is not a campaign key",
        ),
        ("[campaign\n", "not valid TOML"),
    ],
)
def test_bad_campaign_table(text, needle):
    with pytest.raises(ValueError) as err:
        parse_campaign(text)
    assert needle in str(err.value)


def test_run_seed_sequence_is_the_spawned_child():
    kids = np.random.SeedSequence(11).spawn(5)
    for i, kid in enumerate(kids):
        mine = run_seed_sequence(11, i)
        assert np.array_equal(mine.generate_state(4), kid.generate_state(4))
    # the scenario's sequence is a child of run i's
    assert np.array_equal(
        scenario_seed_sequence(11, 3).generate_state(4), kids[3].spawn(2)[1].generate_state(4)
    )


DIST = (
    HEAD
    + """
[inputs.c3_error_km2_s2]
distribution = "normal"
mean = 0.5
std = 0.2
[inputs.launch_delay_s]
distribution = "uniform"
low = -3.0
high = 5.0
[inputs.vinf_ra_error_deg]
distribution = "truncnormal"
mean = 0.0
std = 1.0
low = -0.5
high = 2.0
[inputs.tcm_days]
distribution = "lognormal"
median = 10.0
sigma = 0.3
[inputs.vinf_dec_error_deg]
distribution = "choice"
values = [-1.0, 0.0, 1.0]
weights = [1, 2, 1]
[inputs.target]
distribution = "choice"
values = ["kamooalewa", "earth"]
"""
)


@pytest.fixture(scope="module")
def drawn():
    spec = parse_campaign(DIST)
    rows = [draw_inputs(spec, i) for i in range(spec.runs)]
    return spec, {k: np.array([r[k] for r in rows]) for k in rows[0]}


def test_draws_follow_their_distributions(drawn):
    _, x = drawn
    # Kolmogorov-Smirnov against the scipy distributions (4000 draws; p > 1e-3 is a loose gate)
    assert stats.kstest(x["c3_error_km2_s2"], stats.norm(0.5, 0.2).cdf).pvalue > 1e-3
    assert stats.kstest(x["launch_delay_s"], stats.uniform(-3, 8).cdf).pvalue > 1e-3
    tn = stats.truncnorm(-0.5, 2.0, loc=0.0, scale=1.0)
    assert stats.kstest(x["vinf_ra_error_deg"], tn.cdf).pvalue > 1e-3
    assert x["vinf_ra_error_deg"].min() >= -0.5 and x["vinf_ra_error_deg"].max() <= 2.0
    assert stats.kstest(x["tcm_days"], stats.lognorm(0.3, scale=10.0).cdf).pvalue > 1e-3
    counts = np.array([(x["vinf_dec_error_deg"] == v).sum() for v in (-1.0, 0.0, 1.0)])
    assert stats.chisquare(counts, np.array([0.25, 0.5, 0.25]) * counts.sum()).pvalue > 1e-3
    assert set(x["target"]) == {"kamooalewa", "earth"}


def test_draws_depend_only_on_seed_and_index(drawn):
    spec, x = drawn
    # any order, any subset: the same numbers
    for i in (3999, 17, 0):
        assert draw_inputs(spec, i)["c3_error_km2_s2"] == x["c3_error_km2_s2"][i]
    # removing an input leaves the others' draws unchanged
    fewer = spec.model_copy(
        update={"dispersions": {k: v for k, v in spec.dispersions.items() if k != "tcm_days"}}
    )
    assert draw_inputs(fewer, 42)["launch_delay_s"] == x["launch_delay_s"][42]
    # another master seed: other numbers
    other = spec.model_copy(update={"seed": 12})
    assert draw_inputs(other, 42)["launch_delay_s"] != x["launch_delay_s"][42]
    with pytest.raises(ValueError, match="run index must be in 0..3999, got 4000"):
        draw_inputs(spec, 4000)


def test_autonomy_scenarios_take_section_key_overrides():
    pytest.importorskip("missions.scenarios")
    text = """
[campaign]
scenario = "hazard-waiveoff"
runs = 3
seed = 1
[inputs.navigation__horizontal_sigma_m]
distribution = "uniform"
low = 2
high = 5
unit = "cm"
"""
    spec = parse_campaign(text)
    assert spec.dispersions["navigation__horizontal_sigma_m"].high == pytest.approx(0.05)
    with pytest.raises(ValueError, match="has no 'horizontal_sigma' in navigation; valid: "):
        parse_campaign(text.replace("horizontal_sigma_m]", "horizontal_sigma]"))


def test_bad_campaign_file_on_the_command_line_is_one_line(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "bad.toml"
    bad.write_text(
        HEAD + '[inputs.c3_error_km2_s2]\ndistribution = "normal"\nmean = 0\nsigma = 1\n'
    )
    out = tmp_path / "never.zarr"
    res = subprocess.run(
        [sys.executable, "-m", "missions.cli", "campaign", "run", str(bad), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 2
    assert "inputs.c3_error_km2_s2.sigma is not a key of a normal dispersion" in res.stderr
    assert "Traceback" not in res.stderr and not out.exists()
