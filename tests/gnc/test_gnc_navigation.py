"""Relative-navigation EKF: Jacobians, consistency (NEES/NIS over seeded Monte Carlo), phase and bias estimation."""

from __future__ import annotations

import numpy as np
import pytest

from gnc.bodies import kamooalewa
from gnc.navigation import RelativeNavigationEKF, hover_consistency_run, nees_bounds
from gnc.sensors import (
    BearingMeasurement,
    MarkerMeasurement,
    RangeMeasurement,
    nadir_attitude,
    quat_to_dcm,
)
from gnc.shape import synthetic_body


@pytest.fixture(scope="module")
def body():
    return kamooalewa(diameter_m=41.0)


@pytest.fixture(scope="module")
def mesh():
    return synthetic_body(41.0, seed=1, subdivisions=3)


def _ekf(body, surface, estimate_phase=False, landmarks=None):
    n = 10 if estimate_phase else 9
    x0 = np.zeros(n)
    x0[0:3] = [5.0, 30.0, 50.0]
    if estimate_phase:
        x0[9] = 0.01
    P0 = np.diag([0.04] * 3 + [1e-5] * 3 + [1e-10] * 3 + ([1e-4] if estimate_phase else []))
    return RelativeNavigationEKF(
        body.point_mass_gravity(),
        body.spin_rate,
        x0,
        P0,
        estimate_phase=estimate_phase,
        surface=surface,
        landmarks=landmarks,
        range_linearization="facet",
    )


def _numeric_h(f, x, idx, h=1e-6):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(len(x))[idx]]).T


@pytest.mark.parametrize("estimate_phase", [False, True])
def test_measurement_jacobians_match_finite_differences(body, estimate_phase):
    axes = body.semi_axes_m
    lms = np.array([[3.0, 2.0, 16.0], [-4.0, 5.0, 15.0], [2.0, 10.0, 13.0]])
    ekf = _ekf(body, axes, estimate_phase, lms)
    c = quat_to_dcm(nadir_attitude([4.0, 28.0, 52.0]))
    meas = RangeMeasurement(0.0, 50.0, np.array([0.0, 0.0, 1.0]), 0.05)
    idx = list(range(10)) if estimate_phase else list(range(9))
    x = ekf.x.copy()
    captured = {}

    def spy(kind, t, z, model, iterations=None):
        captured[kind] = model
        return None

    ekf._update = spy
    ekf.update_range(meas, c)
    ekf.update_bearings(BearingMeasurement(0.0, np.array([0, 1, 2]), np.zeros((3, 2)), 1e-3), c)
    for kind in ("range", "bearings"):
        model = captured[kind]
        _, H, _ = model(x)
        numeric = _numeric_h(lambda xx, m=model: m(xx)[0], x, idx)
        np.testing.assert_allclose(H, numeric, rtol=1e-5, atol=1e-9)


@pytest.mark.slow
def test_filter_is_consistent_over_seeded_monte_carlo(body, mesh):
    """Run-averaged NEES (9 states) and NIS inside their 95 % chi-square bands (Bar-Shalom 5.4)."""
    n_runs = 20
    runs = [
        hover_consistency_run(
            seed,
            body.point_mass_gravity(),
            body.spin_rate,
            mesh,
            duration_s=200.0,
            position_sigma_m=0.3,
            velocity_sigma_m_s=0.003,
        )
        for seed in range(n_runs)
    ]
    nees = np.mean([r["nees"] for r in runs], axis=0)
    lo, hi = nees_bounds(n_runs, 9)
    inside = np.mean((nees > lo) & (nees < hi))
    assert inside >= 0.85, f"average NEES inside [{lo:.2f}, {hi:.2f}] only {inside:.0%} of the time"
    assert 0.85 * 9 < nees.mean() < 1.15 * 9
    nis_range = np.array([r["nis_range"] for r in runs])  # (runs, updates), 1 dof each
    lo1, hi1 = nees_bounds(n_runs, 1)
    per_step = nis_range.mean(axis=0)
    assert np.mean((per_step > lo1) & (per_step < hi1)) >= 0.85
    assert 0.9 < nis_range.mean() < 1.1
    bearings = np.concatenate([r["nis_bearings"] for r in runs])
    dof = bearings[:, 1].sum()
    lo_b, hi_b = nees_bounds(1, int(dof))
    assert lo_b < bearings[:, 0].sum() < hi_b * 1.05


@pytest.mark.slow
def test_spin_phase_and_bias_are_estimated(body, mesh):
    n_runs = 8
    runs = [
        hover_consistency_run(
            seed,
            body.point_mass_gravity(),
            body.spin_rate,
            mesh,
            duration_s=200.0,
            estimate_phase=True,
            position_sigma_m=0.3,
            velocity_sigma_m_s=0.003,
            phase_sigma_rad=0.02,
        )
        for seed in range(100, 100 + n_runs)
    ]
    final_sigma = np.array([r["final_sigma"] for r in runs])
    final_err = np.array([r["final_error"] for r in runs])
    assert np.all(final_sigma[:, 9] < 0.2 * 0.02)  # phase known 5x better than the prior
    assert np.all(np.abs(final_err / final_sigma) < 4.0)
    nees = np.mean([r["nees"] for r in runs], axis=0)
    lo, hi = nees_bounds(n_runs, 10)
    assert np.mean((nees > lo) & (nees < hi)) >= 0.8


def test_marker_update_pulls_position_towards_truth(body):
    ekf = _ekf(body, body.semi_axes_m)
    truth = np.array([5.5, 29.6, 50.2])
    c = quat_to_dcm(nadir_attitude(truth))
    marker = np.array([0.0, 12.0, 12.0])
    los = c.T @ (marker - truth)
    before = np.linalg.norm(ekf.position - truth)
    res = ekf.update_marker(
        MarkerMeasurement(0.0, los[:2] / los[2], 1e-4), c, marker, marker_sigma_m=0.01
    )
    assert res.accepted and res.dof == 2
    # a bearing fixes two directions across the line of sight
    u = (marker - truth) / np.linalg.norm(marker - truth)
    err = ekf.position - truth
    assert np.linalg.norm(err - (err @ u) * u) < 0.3 * before


def test_gate_rejects_outliers_and_predict_grows_covariance(body):
    ekf = _ekf(body, body.semi_axes_m)
    c = quat_to_dcm(nadir_attitude(ekf.position))
    p_before = ekf.P.copy()
    res = ekf.update_range(RangeMeasurement(0.0, 500.0, np.array([0.0, 0.0, 1.0]), 0.05), c)
    assert not res.accepted and res.nis > 100
    np.testing.assert_array_equal(ekf.P, p_before)
    ekf.predict(10.0)
    assert np.trace(ekf.P[0:3, 0:3]) > np.trace(p_before[0:3, 0:3])
    assert ekf.t == 10.0


def test_bad_inputs(body):
    g = body.point_mass_gravity()
    with pytest.raises(ValueError, match="9 elements"):
        RelativeNavigationEKF(g, body.spin_rate, np.zeros(6), np.eye(6))
    with pytest.raises(ValueError, match="positive definite"):
        RelativeNavigationEKF(g, body.spin_rate, np.ones(9), -np.eye(9))
    ekf = RelativeNavigationEKF(g, body.spin_rate, np.r_[0, 0, 50.0, np.zeros(6)], np.eye(9))
    with pytest.raises(ValueError, match="surface"):
        ekf.update_range(RangeMeasurement(0.0, 30.0, np.array([0, 0, 1.0]), 0.1), np.eye(3))
    with pytest.raises(ValueError, match="landmark catalogue"):
        ekf.update_bearings(
            BearingMeasurement(0.0, np.array([0]), np.zeros((1, 2)), 1e-3), np.eye(3)
        )
    with pytest.raises(ValueError, match="dt must be positive"):
        ekf.predict(0.0)


def test_unscented_variant_agrees_with_the_ekf(body, mesh):
    kw = dict(duration_s=120.0, position_sigma_m=0.3, velocity_sigma_m_s=0.003)
    g = body.point_mass_gravity()
    ekf = hover_consistency_run(3, g, body.spin_rate, mesh, **kw)
    ukf = hover_consistency_run(3, g, body.spin_rate, mesh, filter_kind="ukf", **kw)
    # same truth and measurements (same seed): the estimates agree to a fraction of sigma
    diff = (ekf["final_error"] - ukf["final_error"]) / ekf["final_sigma"]
    assert np.all(np.abs(diff) < 0.5)
    np.testing.assert_allclose(ukf["final_sigma"], ekf["final_sigma"], rtol=0.2)
    assert np.all(np.abs(ukf["final_error"] / ukf["final_sigma"]) < 4.0)


def test_consistency_campaign_dataset_is_seeded():
    from gnc.navigation import consistency_campaign

    a = consistency_campaign(n_runs=2, seed=5, duration_s=20.0)
    b = consistency_campaign(n_runs=2, seed=5, duration_s=20.0)
    np.testing.assert_array_equal(a.nees.values, b.nees.values)
    assert a.nees.dims == ("run", "time") and a.time.attrs["units"] == "s"
    assert a.attrs["nees_lo"] < a.attrs["n_states"] < a.attrs["nees_hi"]
    with pytest.raises(ValueError, match="n_runs"):
        consistency_campaign(n_runs=0)
