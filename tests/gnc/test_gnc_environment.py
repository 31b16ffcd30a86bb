"""Solar radiation pressure, shadow and solar tide near a small body."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import trapezoid

from gnc.bodies import kamooalewa
from gnc.dynamics import jacobi_integral, propagate
from gnc.environment import (
    AU_M,
    GM_SUN_M3_S2,
    SolarEnvironment,
    solar_pressure,
    solar_tidal_acceleration,
    srp_cannonball,
    srp_flat_plate,
    sun_direction_body,
    sunlit,
)
from gnc.shape import icosphere


def test_solar_pressure_at_one_au_and_inverse_square():
    # 1361 W/m^2 / c = 4.54e-6 N/m^2 (the usual 4.56e-6 uses 1367 W/m^2)
    assert solar_pressure(AU_M) == pytest.approx(4.54e-6, rel=1e-3)
    assert solar_pressure(2 * AU_M) == pytest.approx(solar_pressure(AU_M) / 4)


def test_cannonball_points_away_from_sun():
    a = srp_cannonball([0.0, 1.0, 0.0], AU_M, area_m2=10.0, mass_kg=1000.0, cr=1.3)
    np.testing.assert_allclose(a, [0.0, -1.3 * solar_pressure(AU_M) * 0.01, 0.0])


def test_flat_plate_limits():
    p = solar_pressure(AU_M) * 10.0 / 1000.0
    s = np.array([1.0, 0.0, 0.0])
    # black plate facing the Sun = cannonball with Cr = 1
    np.testing.assert_allclose(srp_flat_plate(s, s, AU_M, 10.0, 1000.0, 0.0, 0.0), -p * s)
    # perfect mirror at 60 deg: force along -n, 2 P A cos^2
    n = np.array([0.5, np.sqrt(3) / 2, 0.0])
    np.testing.assert_allclose(
        srp_flat_plate(s, n, AU_M, 10.0, 1000.0, 1.0, 0.0), -2 * p * 0.25 * n, atol=1e-20
    )
    # edge-on and lit from behind: nothing, unless two-sided
    np.testing.assert_allclose(srp_flat_plate(s, [0, 1.0, 0], AU_M, 10.0, 1000.0), 0.0)
    np.testing.assert_allclose(srp_flat_plate(s, -s, AU_M, 10.0, 1000.0), 0.0)
    two = srp_flat_plate(s, -s, AU_M, 10.0, 1000.0, 0.0, 0.0, two_sided=True)
    np.testing.assert_allclose(two, -p * s)
    with pytest.raises(ValueError, match="reflectivities"):
        srp_flat_plate(s, s, AU_M, 1.0, 1.0, 0.8, 0.5)


def test_solar_tide_hill_matches_exact_difference():
    s = np.array([0.6, 0.8, 0.0])
    d = 0.98 * AU_M
    r = np.array([[80.0, -30.0, 20.0], [0.0, 0.0, 50.0]])
    sun = d * s
    exact = GM_SUN_M3_S2 * ((sun - r) / np.linalg.norm(sun - r, axis=1)[:, None] ** 3 - sun / d**3)
    hill = solar_tidal_acceleration(r, s, d)
    np.testing.assert_allclose(hill, exact, rtol=1e-5)
    # about 1e-12 m/s^2 at 100 m: tiny next to ~1e-6 m/s^2 gravity, kept for completeness
    assert np.linalg.norm(hill[0]) < 1e-11


def test_shadow_by_mesh_and_ellipsoid_agree_for_a_sphere():
    sphere = icosphere(4, radius=20.0)
    s = [1.0, 0.0, 0.0]
    pts = np.array(
        [[-50.0, 0, 0], [50.0, 0, 0], [-50.0, 25.0, 0], [-50.0, 0, 19.0], [-30.0, 0.0, 21.0]]
    )
    expected = [False, True, True, False, True]
    np.testing.assert_array_equal(sunlit(pts, s, sphere), expected)
    np.testing.assert_array_equal(sunlit(pts, s, (20.0, 20.0, 20.0)), expected)
    assert sunlit(np.array([-50.0, 0, 0]), s, (20.0, 20.0, 20.0)) == np.False_


def test_sun_direction_turns_backwards_with_spin():
    body = kamooalewa()
    quarter = body.period_s / 4
    np.testing.assert_allclose(
        sun_direction_body(quarter, [1, 0, 0], body.spin_rate), [0, -1, 0], atol=1e-12
    )
    many = sun_direction_body(np.array([0.0, quarter]), [1, 0, 0], body.spin_rate)
    assert many.shape == (2, 3)


def test_jacobi_integral_changes_by_the_work_of_srp():
    """dC/dt = a_ext . v in the rotating frame: integrate and compare."""
    body = kamooalewa()
    g = body.point_mass_gravity()
    env = SolarEnvironment(
        spin_rate=body.spin_rate, area_m2=20.0, mass_kg=500.0, surface=body.semi_axes_m
    )
    t = np.linspace(0, 1500.0, 3001)
    tr = propagate(
        g,
        body.omega_vector,
        [0, 60.0, 5.0],
        [0.05, 0, 0],
        1500.0,
        t_eval=t,
        perturbation=env.acceleration,
    )
    c = jacobi_integral(g, body.omega_vector, tr.r, tr.v)
    power = np.array(
        [env.acceleration(ti, ri) @ vi for ti, ri, vi in zip(tr.t, tr.r, tr.v, strict=True)]
    )
    work = trapezoid(power, tr.t)
    assert abs(c[-1] - c[0]) > 1e-9  # SRP does measurable work
    assert c[-1] - c[0] == pytest.approx(work, rel=1e-3)
    assert env.acceleration(0.0, np.zeros((4, 3)) + [-60.0, 0, 0]).shape == (4, 3)


def test_environment_bad_inputs():
    with pytest.raises(ValueError, match="sun_distance_au"):
        SolarEnvironment(sun_distance_au=0.0)
    with pytest.raises(ValueError, match="mass_kg"):
        SolarEnvironment(mass_kg=-1.0)
    with pytest.raises(ValueError, match="non-zero"):
        srp_cannonball([0, 0, 0], AU_M, 1.0, 1.0)
