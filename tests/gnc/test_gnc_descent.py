"""Descent problems: the IPOPT optima satisfy their constraints, and re-integrating the controls lands."""

from __future__ import annotations

import numpy as np
import pytest

from gnc.bodies import kamooalewa
from gnc.convex import cone_faces
from gnc.descent import (
    ProximitySpacecraft,
    descent_problem,
    hover_transfer_problem,
    plan_attach,
    plan_touch_and_go,
    sampling_site,
)


@pytest.fixture(scope="module")
def setting():
    body = kamooalewa(41.0, 2700.0, 28.3)
    site = sampling_site(body, 30.0, 20.0)
    return body, site, body.point_mass_gravity(), ProximitySpacecraft()


@pytest.fixture(scope="module")
def descent(setting):
    body, site, grav, craft = setting
    prob = descent_problem(site, grav, craft, n_intervals=30, duration_s=300.0)
    r0 = np.array([0.0, 0.0, 40.0])
    vt = np.array([0.0, 0.0, -0.1])
    pars = {"r0": r0, "v0": np.zeros(3), "m0": craft.mass_kg, "v_target": vt}
    sol = prob.solve(pars, guess={"r": [r0, np.zeros(3)], "v": [np.zeros(3), vt]})
    return prob, sol, pars


def test_site_frame_is_orthonormal_and_up_is_outward(setting):
    body, site, _, _ = setting
    np.testing.assert_allclose(site.frame.T @ site.frame, np.eye(3), atol=1e-12)
    assert np.linalg.det(site.frame) == pytest.approx(1.0)
    assert site.frame[:, 2] @ site.position > 0
    # the site lies on the ellipsoid
    assert np.sum((site.position / np.array(body.semi_axes_m)) ** 2) == pytest.approx(1.0)


def test_descent_meets_its_constraints(descent, setting):
    _, _, _, craft = setting
    prob, sol, pars = descent
    assert sol.success
    r, v = sol.state("r"), sol.state("v")
    np.testing.assert_allclose(r[-1], 0.0, atol=1e-6)
    np.testing.assert_allclose(v[-1], pars["v_target"], atol=1e-7)
    # thrust bounds, approach cone, above the site's tangent plane
    for name in ("thrust_pos", "thrust_neg"):
        u = sol.control(name)
        assert u.min() >= -1e-8 and u.max() <= 1 + 1e-8
    assert (r @ cone_faces(45.0).T).max() <= 1e-6
    assert r[:, 2].min() >= -1e-6
    # propellant is consistent with the L1 thrust and Isp
    fuel = craft.mass_kg - sol.state("m")[-1]
    assert 0.05 < fuel < 2.0


def test_reintegrated_controls_reach_the_site(descent):
    prob, sol, pars = descent
    xs = prob.simulate(sol, pars, steps_per_interval=20)
    # states: r (3), v (3), m
    assert np.linalg.norm(xs[-1, :3]) < 1e-3  # within a millimetre
    assert np.abs(xs[-1, 3:6] - pars["v_target"]).max() < 1e-5


def test_hover_transfer_arrives_at_rest(setting):
    _, site, grav, craft = setting
    prob = hover_transfer_problem(site, grav, craft, n_intervals=25, duration_s=500.0)
    r0 = np.array([30.0, -20.0, 60.0])
    r_h = np.array([0.0, 0.0, 40.0])
    sol = prob.solve(
        {"r0": r0, "v0": np.zeros(3), "m0": craft.mass_kg, "r_hover": r_h}, guess={"r": [r0, r_h]}
    )
    assert sol.success
    xs = prob.simulate(sol)
    np.testing.assert_allclose(xs[-1, :3], r_h, atol=5e-3)
    np.testing.assert_allclose(xs[-1, 3:6], 0.0, atol=1e-4)


def test_attach_arrives_at_rest(setting):
    _, site, grav, craft = setting
    sol = plan_attach(site, grav, craft, hover_altitude_m=30.0, descent_s=300.0, n_intervals=25)
    assert sol.success
    np.testing.assert_allclose(sol.state("v")[-1], 0.0, atol=1e-7)


@pytest.mark.slow
def test_touch_and_go_plan_has_contact_and_safe_altitude(setting):
    _, site, grav, craft = setting
    ds = plan_touch_and_go(site, grav, craft, hover_altitude_m=30.0, n_intervals=25, contact_s=5.0)
    assert ds.attrs["descent_success"] and ds.attrs["backaway_success"]
    contact = ds.where(ds.phase == "contact", drop=True)
    assert float(contact.time[-1] - contact.time[0]) == pytest.approx(5.0)
    assert float(ds.altitude[-1]) == pytest.approx(30.0, abs=1e-6)
    assert ds["r_local"].attrs["units"] == "m"
    assert 0 < ds.attrs["propellant_used_kg"] < 3.0


def test_bad_inputs(setting):
    body, site, grav, craft = setting
    with pytest.raises(ValueError, match="latitude"):
        sampling_site(body, 95.0)
    with pytest.raises(ValueError, match="guidance_fraction"):
        ProximitySpacecraft(guidance_fraction=1.5)
    with pytest.raises(TypeError, match="casadi"):
        descent_problem(site, body.ellipsoid_gravity(), craft)
