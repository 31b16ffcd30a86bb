"""Rotating-frame dynamics: Jacobi integral, frame round trips, RK4 kernel vs DOP853, impacts."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest

from gnc.bodies import kamooalewa
from gnc.dynamics import (
    TumblingSpin,
    body_to_inertial,
    inertial_to_body,
    jacobi_integral,
    propagate,
    radial_altitude,
    rk4_propagate,
    rotating_frame_acceleration,
    rotation_z,
)
from gnc.gravity import EllipsoidGravity, MasconGravity, PointMassGravity, PolyhedronGravity
from gnc.shape import synthetic_body


@pytest.fixture(scope="module")
def body():
    return kamooalewa(diameter_m=41.0)


@pytest.mark.parametrize("model", ["point", "ellipsoid", "polyhedron"])
def test_jacobi_integral_conserved(body, model):
    if model == "point":
        g = body.point_mass_gravity()
    elif model == "ellipsoid":
        g = body.ellipsoid_gravity()
    else:
        g = PolyhedronGravity(synthetic_body(41.0, seed=1, subdivisions=2), body.density_kg_m3)
    r0 = np.array([45.0, 10.0, 12.0])
    v0 = np.array([0.01, -0.15, 0.02])
    duration = 600.0 if model == "polyhedron" else 3000.0
    tr = propagate(g, body.omega_vector, r0, v0, duration, rtol=1e-11, atol=1e-13)
    c = jacobi_integral(g, body.omega_vector, tr.r, tr.v)
    scale = np.abs(g.potential(r0))
    assert np.ptp(c) < 1e-8 * scale
    assert not tr.impact


def test_inertial_round_trip_and_inertial_energy(body):
    """A point mass in the inertial frame conserves two-body energy; the rotating frame must agree."""
    g = body.point_mass_gravity()
    r0 = np.array([80.0, 0.0, 20.0])
    # a circular inertial orbit expressed in the rotating frame
    vc = np.sqrt(g.gm / np.linalg.norm(r0))
    v_inertial0 = np.array([0.0, vc, 0.0])
    _, v0 = inertial_to_body(0.0, r0, v_inertial0, body.spin_rate)
    t = np.linspace(0, 2000.0, 21)
    tr = propagate(g, body.spin_rate, r0, v0, 2000.0, t_eval=t)
    ri, vi = body_to_inertial(tr.t, tr.r, tr.v, body.spin_rate)
    energy = 0.5 * np.sum(vi**2, axis=1) - g.gm / np.linalg.norm(ri, axis=1)
    np.testing.assert_allclose(energy, energy[0], rtol=1e-8)
    np.testing.assert_allclose(np.linalg.norm(ri, axis=1), np.linalg.norm(r0), rtol=1e-7)
    rb, vb = inertial_to_body(tr.t, ri, vi, body.spin_rate)
    np.testing.assert_allclose(rb, tr.r, atol=1e-10)
    np.testing.assert_allclose(vb, tr.v, atol=1e-12)


def test_surface_point_at_rest_feels_centrifugal_outwards(body):
    r = np.array([body.semi_axes_m[0], 0.0, 0.0])
    acc = rotating_frame_acceleration(
        r, np.zeros(3), body.ellipsoid_gravity().acceleration(r), body.omega_vector
    )
    # ω² r exceeds self-gravity ~18x on Kamoʻoalewa's equator (mission-facts 2a)
    assert acc[0] > 0
    hover = np.array([0.0, 0.0, 40.0])  # above the pole the spin adds nothing
    acc_pole = rotating_frame_acceleration(
        hover, np.zeros(3), body.point_mass_gravity().acceleration(hover), body.spin_rate
    )
    np.testing.assert_allclose(acc_pole, body.point_mass_gravity().acceleration(hover))


def test_rk4_kernel_matches_dop853(body):
    m = MasconGravity([[5.0, 0, 0], [-5.0, 0, 0]], [body.gm / 2, body.gm / 2])
    x0 = np.array([50.0, 5.0, 10.0, 0.0, -0.12, 0.01])
    a_ext = np.array([1e-6, -2e-6, 5e-7])
    states = rk4_propagate(m, body.omega_vector, x0, 0.5, 2000, a_ext)
    ref = propagate(
        m,
        body.omega_vector,
        x0[:3],
        x0[3:],
        1000.0,
        t_eval=[1000.0],
        perturbation=lambda t, r, v: a_ext,
    )
    np.testing.assert_allclose(states[-1, :3], ref.r[-1], atol=1e-6)
    np.testing.assert_allclose(states[-1, 3:], ref.v[-1], atol=1e-9)
    per_step = rk4_propagate(m, body.omega_vector, x0, 0.5, 2000, np.tile(a_ext, (2000, 1)))
    np.testing.assert_allclose(per_step, states, rtol=1e-13)


def test_free_fall_stops_at_the_surface(body):
    mesh = synthetic_body(41.0, seed=1, subdivisions=2)
    g = PointMassGravity(body.gm)
    tr = propagate(g, 0.0, [0.0, 0.0, 40.0], [0.0, 0.0, -0.05], 3600.0, surface=mesh)
    assert tr.impact
    assert abs(radial_altitude(mesh, tr.r[-1])) < 1e-6
    ell = propagate(g, 0.0, [0.0, 0.0, 40.0], [0.0, 0.0, -0.05], 3600.0, surface=body.semi_axes_m)
    assert ell.impact
    assert np.linalg.norm(ell.r[-1]) == pytest.approx(body.semi_axes_m[2], rel=1e-6)
    ds = tr.to_dataset()
    assert ds.position.attrs["units"] == "m" and ds.time.attrs["units"] == "s"


def test_quantities_and_bad_inputs(body):
    g = EllipsoidGravity(body.semi_axes_m, density_kg_m3=body.density_kg_m3)
    tr = propagate(g, body.omega_vector, [0.05, 0.0, 0.0] * u.km, [0, 0, 0] * u.cm / u.s, 1 * u.min)
    assert tr.t[-1] == pytest.approx(60.0)
    with pytest.raises(ValueError, match="duration must be positive"):
        propagate(g, body.omega_vector, [50.0, 0, 0], [0, 0, 0], -5.0)
    with pytest.raises(ValueError, match="3-vectors"):
        propagate(g, body.omega_vector, [50.0, 0], [0, 0, 0], 5.0)
    with pytest.raises(TypeError, match="mascon"):
        rk4_propagate(g, body.omega_vector, np.zeros(6), 1.0, 3)


def test_tumbling_spin_conserves_energy_and_momentum():
    spin = TumblingSpin((1.0, 1.6, 1.9), [1e-3, 2e-4, 3.5e-3], duration=20000.0)
    t = np.linspace(0, 20000.0, 9)
    energy = [spin.kinetic_energy(x) for x in t]
    h = np.array([spin.angular_momentum_inertial(x) for x in t])
    np.testing.assert_allclose(energy, energy[0], rtol=1e-9)
    np.testing.assert_allclose(h, np.tile(h[0], (len(t), 1)), atol=1e-9 * np.linalg.norm(h[0]))
    assert np.ptp([spin.omega(x)[0] for x in t]) > 1e-4  # it really wobbles
    with pytest.raises(ValueError, match="outside the integrated span"):
        spin.omega(30000.0)
    with pytest.raises(ValueError, match="principal moments"):
        TumblingSpin((1.0, -1.0, 2.0), [0, 0, 1e-3], 10.0)


def test_tumbling_frame_dynamics_match_inertial_two_body(body):
    """Propagate in a tumbling body frame; mapped to inertial space a point-mass orbit keeps its energy and h."""
    g = body.point_mass_gravity()
    spin = TumblingSpin((1.0, 1.5, 1.8), [1.5e-3, 0.0, 3.2e-3], duration=3000.0)
    r0, v0 = np.array([70.0, 10.0, 5.0]), np.array([0.0, -0.2, 0.05])
    t = np.linspace(0, 3000.0, 13)
    tr = propagate(g, spin, r0, v0, 3000.0, t_eval=t)
    ri = np.array([spin.rotation(x) @ r for x, r in zip(t, tr.r, strict=True)])
    vi = np.array(
        [
            spin.rotation(x) @ (v + np.cross(spin.omega(x), r))
            for x, r, v in zip(t, tr.r, tr.v, strict=True)
        ]
    )
    energy = 0.5 * np.sum(vi**2, axis=1) - g.gm / np.linalg.norm(ri, axis=1)
    np.testing.assert_allclose(energy, energy[0], rtol=1e-7)
    h = np.cross(ri, vi)
    np.testing.assert_allclose(h, np.tile(h[0], (len(t), 1)), atol=1e-7 * np.linalg.norm(h[0]))
    # principal-axis spin reduces to the uniform-spin case
    uniform = TumblingSpin((1.0, 1.5, 1.8), [0.0, 0.0, body.spin_rate], duration=1000.0)
    np.testing.assert_allclose(
        uniform.rotation(1000.0), rotation_z(body.spin_rate * 1000.0), atol=1e-9
    )


def test_generic_rk4_step_matches_the_numba_kernel(body):
    from gnc.dynamics import rk4_step, rk4_step_mascon

    m = MasconGravity([[4.0, 1.0, 0], [-4.0, 0, 1.0]], [body.gm / 3, 2 * body.gm / 3])
    x = np.array([40.0, -5.0, 12.0, 0.01, -0.05, 0.0])
    a_ext = np.array([2e-6, 0.0, -1e-6])
    np.testing.assert_allclose(
        rk4_step(m, body.omega_vector, x, 2.0, a_ext),
        rk4_step_mascon(x, 2.0, body.omega_vector, m.positions, m.gm_each, a_ext),
        rtol=1e-13,
    )
    poly = PolyhedronGravity(synthetic_body(41.0, seed=1, subdivisions=2), body.density_kg_m3)
    assert rk4_step(poly, body.spin_rate, x, 1.0).shape == (6,)
