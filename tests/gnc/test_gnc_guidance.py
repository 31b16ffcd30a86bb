"""Guidance: ZEM/ZEV reaches its target in closed form, and the MPC falls back when a solve fails."""

from __future__ import annotations

import numpy as np
import pytest

from gnc.bodies import kamooalewa
from gnc.convex import ConvexDescentPlanner
from gnc.descent import sampling_site
from gnc.guidance import DescentGuidance, zem_zev_acceleration


def test_zem_zev_is_exact_for_constant_acceleration():
    # double integrator with a constant known acceleration: following the ZEM/ZEV law
    # continuously reaches the target position and velocity exactly at t_go = 0
    a_app = np.array([1e-4, -2e-4, 3e-5])
    r, v = np.array([5.0, -3.0, 40.0]), np.array([0.01, 0.0, 0.0])
    rf, vf = np.zeros(3), np.array([0.0, 0.0, -0.1])
    T, n = 200.0, 20000
    dt = T / n
    for k in range(n):
        a = zem_zev_acceleration(r, v, rf, vf, T - k * dt, a_app)
        v = v + (a + a_app) * dt
        r = r + v * dt
    np.testing.assert_allclose(r, rf, atol=2e-2)
    np.testing.assert_allclose(v, vf, atol=1e-3)


def test_zem_zev_rejects_nonpositive_time_to_go():
    with pytest.raises(ValueError, match="t_go"):
        zem_zev_acceleration(np.zeros(3), np.zeros(3), np.zeros(3), np.zeros(3), 0.0, np.zeros(3))


def _guidance(accel_max: float, budget: int):
    body = kamooalewa()
    site = sampling_site(body)
    grav = body.point_mass_gravity()
    w = site.omega_local

    def g_local(r):
        return grav.acceleration(site.to_body(r)) @ site.frame

    def apparent(r, v):
        return g_local(r) - 2 * np.cross(w, v) - np.cross(w, np.cross(w, site.position_local + r))

    planner = ConvexDescentPlanner(
        w, site.position_local, g_local, accel_max=accel_max, mass_kg=1200.0
    )
    return DescentGuidance(planner, apparent, accel_limit=0.03, iteration_budget=budget), apparent


def _fly(guid, apparent, t_total=300.0, dt=1.0):
    r, v = np.array([0.0, 0.0, 40.0]), np.zeros(3)
    vt = np.array([0.0, 0.0, -0.1])
    t = 0.0
    while t < t_total - 1e-9:
        a = guid.command(r, v, np.zeros(3), vt, t_total - t).accel
        for _ in range(10):  # RK2 sub-steps of the true (same-model) dynamics
            h = dt / 10
            k1 = apparent(r, v) + a
            rm, vm = r + 0.5 * h * v, v + 0.5 * h * k1
            k2 = apparent(rm, vm) + a
            r, v = r + h * vm, v + h * k2
        t += dt
    return r, v


def test_mpc_lands_on_target():
    guid, apparent = _guidance(0.0167, 200)
    r, v = _fly(guid, apparent)
    assert guid.counts["mpc"] > 200 and guid.counts["failed"] == 0
    assert np.hypot(r[0], r[1]) < 0.1 and abs(r[2]) < 0.1
    assert abs(v[2] + 0.1) < 0.01 and np.hypot(v[0], v[1]) < 0.01


def test_fallback_on_forced_solver_failure_still_lands():
    # a planner with almost no thrust authority cannot solve the problem: every plan is infeasible
    guid, apparent = _guidance(1e-6, 200)
    r, v = _fly(guid, apparent)
    assert guid.counts["mpc"] == 0 and guid.counts["failed"] > 0
    assert guid.counts["zem-zev"] > 0
    assert np.hypot(r[0], r[1]) < 0.1 and abs(r[2]) < 0.1
    assert abs(v[2] + 0.1) < 0.01 and np.hypot(v[0], v[1]) < 0.01


def test_fallback_on_exhausted_compute_budget():
    guid, apparent = _guidance(0.0167, 0)
    cmd = guid.command([0.0, 0.0, 40.0], np.zeros(3), np.zeros(3), [0, 0, -0.1], 300.0)
    assert cmd.source == "zem-zev" and guid.counts["over_budget"] == 1
