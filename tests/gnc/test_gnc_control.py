"""Thruster allocation, pulse modulation with minimum impulse bits, quaternion attitude feedback."""

from __future__ import annotations

import numpy as np
import pytest

from gnc.control import (
    PulseModulator,
    ThrusterLayout,
    default_layout,
    quaternion_error,
    quaternion_feedback_torque,
)


def test_allocation_makes_the_requested_wrench_with_nonnegative_forces():
    lay = default_layout(20.0)
    rng = np.random.default_rng(0)
    for _ in range(20):
        F = rng.uniform(-15, 15, 3)
        tau = rng.uniform(-3, 3, 3)
        f = lay.allocate(F, tau)
        assert f.min() >= 0 and f.max() <= 20.0 + 1e-9
        Fa, ta = lay.wrench(f)
        np.testing.assert_allclose(Fa, F, atol=0.01)
        np.testing.assert_allclose(ta, tau, atol=0.01)


def test_pure_force_uses_one_direction_only():
    # a force along +x must not fire the opposing -x thrusters (that wastes propellant)
    lay = default_layout(20.0)
    f = lay.allocate([10.0, 0.0, 0.0])
    minus_x = lay.directions[:, 0] < -0.5
    assert f[minus_x].max() < 1e-6
    assert f.sum() == pytest.approx(10.0, rel=1e-2)


def test_saturation_keeps_direction():
    lay = default_layout(20.0)
    f = lay.allocate([100.0, 50.0, 0.0])
    F, _ = lay.wrench(f)
    assert f.max() == pytest.approx(20.0)
    assert F[1] / F[0] == pytest.approx(0.5, rel=1e-2)


def test_pulse_modulator_delivers_small_forces_on_average():
    lay = default_layout(20.0, min_on_time_s=0.02)
    pwm = PulseModulator(lay, 1.0)
    want = np.zeros(lay.n_thrusters)
    want[0] = 0.1  # 0.1 N average: 5 ms per second, below the 20 ms minimum on-time
    total = 0.0
    for _ in range(400):
        on = pwm.on_times(want)
        assert np.all((on == 0) | (on >= lay.min_on_time_s - 1e-12))
        total += pwm.average_forces(on)[0]
    assert total / 400 == pytest.approx(0.1, rel=0.05)


def test_layout_rejects_a_rank_deficient_set():
    with pytest.raises(ValueError, match="rank"):
        ThrusterLayout(np.zeros((6, 3)), np.vstack([np.eye(3), -np.eye(3)]))


def test_quaternion_feedback_converges_and_picks_the_short_way():
    J = np.diag([900.0, 1000.0, 800.0])
    q_ref = np.array([1.0, 0.0, 0.0, 0.0])
    axis = np.array([1.0, 2.0, -1.0]) / np.sqrt(6)
    ang = np.radians(30)
    q = np.concatenate([[np.cos(ang / 2)], np.sin(ang / 2) * axis])
    w = np.zeros(3)
    dt = 0.1
    for _ in range(3000):
        tau = quaternion_feedback_torque(q, w, q_ref, inertia=J, kp=20.0, kd=300.0)
        w = w + dt * np.linalg.solve(J, tau - np.cross(w, J @ w))
        dq = np.concatenate([[1.0], 0.5 * dt * w])
        w1, x1, y1, z1 = q
        w2, x2, y2, z2 = dq
        q = np.array(
            [
                w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2,
                w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
                w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2,
                w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2,
            ]
        )
        q /= np.linalg.norm(q)
    err = quaternion_error(q, q_ref)
    assert 2 * np.arccos(min(1.0, abs(err[0]))) < np.radians(0.05)
    # -q is the same attitude: the law must give the same torque
    t1 = quaternion_feedback_torque(q, w, q_ref, inertia=J, kp=1.0, kd=0.0)
    t2 = quaternion_feedback_torque(-q, w, q_ref, inertia=J, kp=1.0, kd=0.0)
    np.testing.assert_allclose(t1, t2, atol=1e-12)
