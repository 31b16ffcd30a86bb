"""The convex re-planner agrees with IPOPT on the same descent, and honours its constraints."""

from __future__ import annotations

import numpy as np
import pytest

from gnc.bodies import kamooalewa
from gnc.convex import ConvexDescentPlanner, _expm, _qp_ipm, cone_faces, discretize
from gnc.descent import ProximitySpacecraft, descent_problem, sampling_site


@pytest.fixture(scope="module")
def setting():
    body = kamooalewa(41.0, 2700.0, 28.3)
    site = sampling_site(body, 30.0, 20.0)
    grav = body.point_mass_gravity()
    craft = ProximitySpacecraft()

    def g_local(r):
        return grav.acceleration(site.to_body(r)) @ site.frame

    planner = ConvexDescentPlanner(
        site.omega_local,
        site.position_local,
        g_local,
        accel_max=craft.guidance_thrust_n / craft.mass_kg,
        mass_kg=craft.mass_kg,
        isp_s=craft.isp_s,
    )
    return body, site, grav, craft, planner


def test_expm_matches_scipy():
    from scipy.linalg import expm

    rng = np.random.default_rng(1)
    A = rng.normal(size=(9, 9)) * 0.3
    np.testing.assert_allclose(_expm(A), expm(A), rtol=1e-12, atol=1e-13)


def test_discretisation_matches_rk4_of_rotating_frame():
    w = np.array([0.0, 1.8e-3, 3.2e-3])
    Phi, Gam = discretize(w, 10.0)
    x0 = np.array([1.0, -2.0, 30.0, 0.01, 0.02, -0.1])
    a = np.array([1e-3, -2e-3, 5e-4])

    def f(x):
        r, v = x[:3], x[3:]
        return np.concatenate([v, -2 * np.cross(w, v) - np.cross(w, np.cross(w, r)) + a])

    x = x0.copy()
    for _ in range(100):
        k1 = f(x)
        k2 = f(x + 0.05 * k1)
        k3 = f(x + 0.05 * k2)
        k4 = f(x + 0.1 * k3)
        x = x + 0.1 / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    np.testing.assert_allclose(Phi @ x0 + Gam @ a, x, atol=1e-10)


def test_ipm_solves_a_small_qp_like_scipy():
    # min c'u + eps/2 |u|^2, E u = e, G u <= b, 0 <= u <= 1 -- compared with scipy's SLSQP
    from scipy.optimize import minimize

    rng = np.random.default_rng(3)
    n = 12
    q = rng.uniform(0.1, 1.0, n)
    E = rng.normal(size=(2, n))
    e = E @ rng.uniform(0.2, 0.8, n)
    G = rng.normal(size=(3, n))
    b = G @ rng.uniform(0.2, 0.8, n) + 0.1
    u, *_rest, ok = _qp_ipm(q, 0.1, E, e, G, b, 1e-8, 80)
    assert ok
    ref = minimize(
        lambda x: q @ x + 0.05 * x @ x,
        np.full(n, 0.5),
        jac=lambda x: q + 0.1 * x,
        bounds=[(0, 1)] * n,
        constraints=[
            {"type": "eq", "fun": lambda x: E @ x - e},
            {"type": "ineq", "fun": lambda x: b - G @ x},
        ],
        method="SLSQP",
        options={"ftol": 1e-14, "maxiter": 500},
    )
    assert q @ u + 0.05 * u @ u == pytest.approx(ref.fun, rel=1e-6)


def test_convex_plan_agrees_with_ipopt(setting):
    body, site, grav, craft, planner = setting
    r0 = np.array([0.0, 0.0, 50.0])
    vt = np.array([0.0, 0.0, -0.1])
    first = planner.plan(r0, np.zeros(3), np.zeros(3), vt, 400.0)
    plan = planner.plan(r0, np.zeros(3), np.zeros(3), vt, 400.0, warm=first)
    prob = descent_problem(site, grav, craft, n_intervals=50, duration_s=400.0)
    pars = {"r0": r0, "v0": np.zeros(3), "m0": craft.mass_kg, "v_target": vt}
    sol = prob.solve(pars, guess={"r": [r0, np.zeros(3)], "v": [np.zeros(3), vt]})
    assert plan.success and sol.success
    assert plan.objective == pytest.approx(sol.objective, rel=2e-3)
    assert plan.propellant_kg == pytest.approx(craft.mass_kg - sol.state("m")[-1], rel=5e-3)


def test_plan_hits_target_and_stays_in_cone(setting):
    *_, planner = setting
    vt = np.array([0.0, 0.0, -0.1])
    plan = planner.plan([12.0, -5.0, 40.0], [0.01, 0.0, 0.0], np.zeros(3), vt, 300.0)
    assert plan.success
    np.testing.assert_allclose(plan.r[-1], 0.0, atol=1e-6)
    np.testing.assert_allclose(plan.v[-1], vt, atol=1e-8)
    assert (plan.r @ cone_faces(45.0).T).max() <= 1e-5
    assert np.abs(plan.accel).max() <= planner.accel_max * (1 + 1e-9)


def test_infeasible_when_time_is_too_short(setting):
    *_, planner = setting
    plan = planner.plan([0.0, 0.0, 50.0], [0.0, 0.0, 0.0], np.zeros(3), [0, 0, -0.1], 10.0)
    assert not plan.success


def test_iteration_budget_is_honoured(setting):
    *_, planner = setting
    plan = planner.plan(
        [3.0, 0.0, 40.0], np.zeros(3), np.zeros(3), [0, 0, -0.1], 300.0, max_iterations=2
    )
    assert not plan.success and plan.iterations <= 2 * 6


def test_bad_inputs(setting):
    *_, planner = setting
    with pytest.raises(ValueError, match="duration_s"):
        planner.plan([0, 0, 10.0], [0, 0, 0], [0, 0, 0], [0, 0, 0], -5.0)
    with pytest.raises(ValueError, match="glide slope"):
        cone_faces(90.0)
    with pytest.raises(ValueError, match="accel_max"):
        ConvexDescentPlanner([0, 0, 1e-3], [0, 0, 20.0], accel_max=0.0, mass_kg=1000.0)
