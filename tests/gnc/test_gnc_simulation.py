"""Closed-loop touch-and-go: the touchdown goals hold for several seeds and across the body range."""

from __future__ import annotations

import numpy as np
import pytest

from gnc.simulation import TouchAndGoScenario, simulate_touch_and_go

GOALS = dict(miss_m=1.0, dv_vertical=0.1, lateral=0.02)


def _assert_goals(res):
    assert res.outcome == "success", res.outcome
    assert res.touchdown_error_m < GOALS["miss_m"]
    assert (
        abs(res.touchdown_speed_vertical_m_s - res.target_vertical_speed_m_s) < GOALS["dv_vertical"]
    )
    assert res.touchdown_speed_lateral_m_s < GOALS["lateral"]
    assert 2.0 < res.contact_duration_s < 10.0
    assert res.safe_altitude_reached_m >= 0.95 * 30.0
    assert 0.0 < res.propellant_used_kg < 5.0


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_touchdown_goals_over_seeds(seed):
    res = simulate_touch_and_go(seed)
    _assert_goals(res)
    assert res.guidance_counts["mpc"] > 50  # the MPC, not the fallback, flew the descent


@pytest.mark.slow
@pytest.mark.parametrize(
    "diameter, density, period",
    [(36.0, 1000.0, 30.1), (100.0, 4000.0, 27.0)],
)
def test_touchdown_goals_across_body_range(diameter, density, period):
    sc = TouchAndGoScenario(
        diameter_m=diameter, density_kg_m3=density, period_min=period, truth_gravity="ellipsoid"
    )
    _assert_goals(simulate_touch_and_go(5, sc))


@pytest.mark.slow
def test_zem_zev_fallback_alone_still_lands():
    # a zero compute budget rejects every MPC solve: the analytic fallback flies the whole descent
    res = simulate_touch_and_go(
        4, TouchAndGoScenario(truth_gravity="ellipsoid"), guidance_iteration_budget=0
    )
    assert res.guidance_counts["mpc"] == 0 and res.guidance_counts["over_budget"] > 50
    _assert_goals(res)


def test_runs_are_reproducible_and_the_dataset_explains_itself():
    sc = TouchAndGoScenario(
        truth_gravity="ellipsoid",
        hover_s=5.0,
        descent_s=120.0,
        hover_altitude_m=12.0,
        safe_altitude_m=10.0,
        backaway_s=80.0,
    )
    a = simulate_touch_and_go(11, sc)
    b = simulate_touch_and_go(11, sc)
    assert a.touchdown_error_m == b.touchdown_error_m
    ds = a.trajectory
    for name in ("r_local", "v_local", "position_error", "thrust_local", "mass"):
        assert "units" in ds[name].attrs and "long_name" in ds[name].attrs
    assert set(np.unique(ds.phase.values)) >= {"hover", "descent", "contact", "backaway"}
    # mass only decreases; the filter error stays inside a few sigma at the end
    assert np.all(np.diff(ds.mass.values) <= 1e-12)
    err = np.linalg.norm(ds.position_error.values[-1])
    assert err < 5 * float(ds.position_sigma.values[-1]) + 0.05


def test_bad_scenarios_name_the_value():
    with pytest.raises(ValueError, match="diameter"):
        TouchAndGoScenario(diameter_m=500.0)
    with pytest.raises(ValueError, match="truth_gravity"):
        TouchAndGoScenario(truth_gravity="spherical harmonics")
    with pytest.raises(ValueError, match="touchdown_speed"):
        TouchAndGoScenario(touchdown_speed_m_s=2.0)
    with pytest.raises(ValueError, match="seed"):
        simulate_touch_and_go(-1)


def test_onboard_attitude_comes_from_the_star_tracker():
    # the filter and the thruster allocation work with the star tracker's attitude, not the
    # truth: its noise shows as attitude knowledge error, and a poor tracker costs accuracy
    default = simulate_touch_and_go(1)
    knowledge = default.trajectory.attrs["attitude_knowledge_error_max_arcsec"]
    assert 20.0 < knowledge < 400.0  # 10" cross-boresight, 60" roll, max over the run
    perfect = simulate_touch_and_go(
        1, TouchAndGoScenario(star_tracker_cross_sigma_arcsec=0, star_tracker_roll_sigma_arcsec=0)
    )
    assert perfect.trajectory.attrs["attitude_knowledge_error_max_arcsec"] < 1.0
    poor = simulate_touch_and_go(
        1,
        TouchAndGoScenario(star_tracker_cross_sigma_arcsec=600, star_tracker_roll_sigma_arcsec=600),
    )
    assert poor.trajectory.attrs["attitude_knowledge_error_max_arcsec"] > 1000.0
    assert poor.touchdown_error_m > 5 * default.touchdown_error_m
    with pytest.raises(ValueError, match="star_tracker_roll_sigma_arcsec must be a finite angle"):
        TouchAndGoScenario(star_tracker_roll_sigma_arcsec=-1.0)
