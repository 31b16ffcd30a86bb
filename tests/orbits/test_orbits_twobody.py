"""Two-body faces: units in and out, broadcasting, errors that name the value, boinor interop."""

from __future__ import annotations

import numpy as np
import pytest
from astropy import units as u
from astropy.time import Time

import orbits
from orbits.time import to_et
from orbits.twobody import (
    OrbitalElements,
    elements_to_state,
    from_orbit,
    lambert,
    lambert_min_tof,
    propagate_kepler,
    state_to_elements,
    to_orbit,
)

MU_EARTH = 398600.4418
MU_SUN = 1.32712440018e11
R1 = [5000.0, 10000.0, 2100.0]
R2 = [-14600.0, 2500.0, 7000.0]


def test_front_door_exports_the_faces():
    assert orbits.lambert is lambert
    assert orbits.propagate_kepler is propagate_kepler
    assert orbits.to_orbit is to_orbit and orbits.from_orbit is from_orbit


def test_lambert_curtis_with_floats_and_quantities():
    # Curtis, Example 5.2
    v1, v2 = lambert(398600.0, R1, R2, 3600.0)
    assert isinstance(v1, np.ndarray) and v1.shape == (3,)
    np.testing.assert_allclose(v1, [-5.9925, 1.9254, 3.2456], atol=1e-4)
    np.testing.assert_allclose(v2, [-3.3125, -4.1966, -0.38529], atol=1e-4)
    q1, q2 = lambert(398600.0 * u.km**3 / u.s**2, np.array(R1) * 1000 * u.m, R2 * u.km, 1 * u.hour)
    assert q1.unit == u.km / u.s
    np.testing.assert_allclose(q1.value, v1, rtol=1e-14)
    np.testing.assert_allclose(q2.to_value(u.m / u.s), v2 * 1000, rtol=1e-14)


def test_lambert_accepts_a_boinor_body_for_mu():
    from boinor.bodies import Earth

    v1, _ = lambert(Earth, R1, R2, 3600.0)  # the body's k carries units: quantities out
    np.testing.assert_allclose(v1.to_value(u.km / u.s), [-5.9925, 1.9254, 3.2456], atol=1e-3)


def test_lambert_broadcasts_one_departure_to_a_grid_of_arrivals():
    rng = np.random.default_rng(0)
    r2 = rng.normal(size=(4, 5, 3)) * 1.5e8
    tof = np.linspace(100, 400, 5) * 86400.0  # broadcasts along the last lead axis
    v1, v2 = lambert(MU_SUN, [1.5e8, 0.0, 0.0], r2, tof)
    assert v1.shape == v2.shape == (4, 5, 3)
    for i, j in [(0, 0), (3, 4), (2, 1)]:
        ref, _ = lambert(MU_SUN, [1.5e8, 0.0, 0.0], r2[i, j], tof[j])
        np.testing.assert_allclose(v1[i, j], ref, rtol=1e-14)


def test_lambert_errors_name_the_bad_value():
    with pytest.raises(ValueError, match=r"time of flight must be positive, got -3\.0 s"):
        lambert(398600.0, R1, R2, -3.0)
    with pytest.raises(
        ValueError, match=r"time of flight must be positive, got 0\.0 s at index \(1,\)"
    ):
        lambert(398600.0, R1, R2, [10.0, 0.0])
    with pytest.raises(
        ValueError, match=r"r1 must be a finite, non-zero position.*\[0\.0, 0\.0, 0\.0\]"
    ):
        lambert(398600.0, [0, 0, 0], R2, 3600.0)
    with pytest.raises(ValueError, match=r"r2 must be"):
        lambert(398600.0, R1, [0, 0, 0], 3600.0)
    with pytest.raises(ValueError, match=r"collinear \(transfer angle 180\.000000 deg\)"):
        lambert(398600.0, [7000, 0, 0], [-9000, 0, 0], 3600.0)
    with pytest.raises(ValueError, match=r"collinear \(transfer angle 0\.000000 deg\)"):
        lambert(398600.0, [7000, 0, 0], [9000, 0, 0], 3600.0)
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 3\)"):
        lambert(398600.0, [7000, 0], R2, 3600.0)
    with pytest.raises(ValueError, match=r"mu must be positive"):
        lambert(-1.0, R1, R2, 3600.0)
    with pytest.raises(ValueError, match=r"units of km"):
        lambert(398600.0, R1 * u.s, R2, 3600.0)
    with pytest.raises(ValueError, match=r"revolutions must be a whole number"):
        lambert(398600.0, R1, R2, 3600.0, revolutions=1.5)


def test_lambert_too_many_revolutions_says_the_minimum_tof():
    tmin = lambert_min_tof(398600.0, R1, R2, 2)
    assert tmin > 2 * 3600  # two laps around a ~2 h orbit at least
    with pytest.raises(
        ValueError, match=r"no 2-revolution solution.*shortest time of flight"
    ) as err:
        lambert(398600.0, R1, R2, 3600.0, revolutions=2)
    assert f"{tmin:.6g} s" in str(err.value)
    v1, _ = lambert(398600.0, R1, R2, 1.01 * tmin, revolutions=2, low_path=False)
    assert np.isfinite(v1).all()
    # with on_failure="nan" a grid keeps going
    v1, _ = lambert(398600.0, R1, R2, [3600.0, 1.01 * tmin], revolutions=2, on_failure="nan")
    assert np.isnan(v1[0]).all() and np.isfinite(v1[1]).all()
    assert lambert_min_tof(398600.0 * u.km**3 / u.s**2, R1, R2, 2).unit == u.s


def test_propagate_vallado_and_broadcast_over_times():
    # Vallado, Example 2-4
    r, v = propagate_kepler(
        MU_EARTH, [1131.340, -2282.343, 6672.423], [-5.64305, 4.30333, 2.42879], 2400.0
    )
    np.testing.assert_allclose(r, [-4219.7527, 4363.0292, -3958.7666], atol=1e-3)
    np.testing.assert_allclose(v, [3.689866, -1.916735, -6.112511], atol=1e-6)
    times = np.array([0.0, 20.0, 40.0]) * u.min
    rq, vq = propagate_kepler(
        MU_EARTH * u.km**3 / u.s**2,
        [1131.340, -2282.343, 6672.423] * u.km,
        [-5.64305, 4.30333, 2.42879] * u.km / u.s,
        times,
    )
    assert rq.shape == (3, 3) and rq.unit == u.km and vq.unit == u.km / u.s
    np.testing.assert_allclose(rq[2].value, r, rtol=1e-13)
    np.testing.assert_allclose(rq[0].value, [1131.340, -2282.343, 6672.423])


def test_propagate_accepts_timedelta_and_rejects_bad_input():
    from astropy.time import TimeDelta

    r, _ = propagate_kepler(MU_EARTH, [7000.0, 0, 0], [0, 7.5, 0], TimeDelta(600.0, format="sec"))
    r_f, _ = propagate_kepler(MU_EARTH, [7000.0, 0, 0], [0, 7.5, 0], 600.0)
    np.testing.assert_allclose(r.value, r_f, rtol=1e-15)
    with pytest.raises(ValueError, match=r"r must be a finite, non-zero position"):
        propagate_kepler(MU_EARTH, [0.0, 0, 0], [0, 7.5, 0], 10.0)
    with pytest.raises(ValueError, match=r"dt must be finite"):
        propagate_kepler(MU_EARTH, [7000.0, 0, 0], [0, 7.5, 0], np.nan)
    r_list, _ = propagate_kepler(MU_EARTH, [7000 * u.km, 0 * u.km, 0 * u.m], [0, 7.5, 0], 600.0)
    np.testing.assert_allclose(r_list.to_value(u.km), r_f, rtol=1e-15)
    with pytest.raises(ValueError, match=r"r: cannot combine the units"):
        propagate_kepler(MU_EARTH, [7000 * u.km, 0 * u.s, 0 * u.m], [0, 7.5, 0], 600.0)
    with pytest.raises(ValueError, match=r"cannot broadcast"):
        propagate_kepler(MU_EARTH, np.ones((2, 3)) * 7000, np.ones((3, 3)), 1.0)


def test_elements_round_trip_with_units_and_hyperbola():
    r, v = elements_to_state(
        MU_EARTH * u.km**3 / u.s**2,
        8000 * u.km,
        0.1,
        30 * u.deg,
        40 * u.deg,
        50 * u.deg,
        60 * u.deg,
    )
    el = state_to_elements(MU_EARTH * u.km**3 / u.s**2, r, v)
    assert isinstance(el, OrbitalElements)
    assert el.a.to_value(u.km) == pytest.approx(8000.0)
    assert el.inc.to_value(u.deg) == pytest.approx(30.0)
    assert el.raan.to_value(u.deg) == pytest.approx(40.0)
    assert el.argp.to_value(u.deg) == pytest.approx(50.0)
    assert el.nu.to_value(u.deg) == pytest.approx(60.0)
    assert "a=8000" in repr(el) and "deg" in repr(el)
    # a hyperbola: a < 0
    r, v = elements_to_state(MU_EARTH, -20000.0, 1.5, 0.3, 0.2, 0.1, [-1.0, 0.0, 1.0])
    assert r.shape == (3, 3)
    el = state_to_elements(MU_EARTH, r, v)
    np.testing.assert_allclose(el.a, -20000.0, rtol=1e-12)
    np.testing.assert_allclose(el.nu, [-1.0, 0.0, 1.0], atol=1e-12)
    # a parabola through p
    r, v = elements_to_state(MU_EARTH, p=12000.0, ecc=1.0, nu=0.5)
    el = state_to_elements(MU_EARTH, r, v)
    assert el.ecc == pytest.approx(1.0, abs=1e-12)
    assert el.p == pytest.approx(12000.0)


def test_elements_errors():
    with pytest.raises(ValueError, match=r"a > 0 for ecc < 1"):
        elements_to_state(MU_EARTH, -7000.0, 0.1)
    with pytest.raises(ValueError, match=r"a < 0 for a hyperbola"):
        elements_to_state(MU_EARTH, 7000.0, 1.5)
    with pytest.raises(ValueError, match=r"parabola.*pass p= instead"):
        elements_to_state(MU_EARTH, 7000.0, 1.0)
    with pytest.raises(ValueError, match=r"exactly one of a"):
        elements_to_state(MU_EARTH, 7000.0, 0.1, p=7000.0)
    with pytest.raises(ValueError, match=r"beyond the asymptote"):
        elements_to_state(MU_EARTH, -7000.0, 2.0, nu=2.2)
    with pytest.raises(ValueError, match=r"eccentricity must be >= 0, got -0\.1"):
        elements_to_state(MU_EARTH, 7000.0, -0.1)


def test_boinor_orbit_round_trip_and_propagation_agree():
    from boinor.bodies import Earth, Sun
    from boinor.twobody import Orbit

    orb = to_orbit([1.2e8, 0.9e8, 1e6], [-18.0, 24.0, 0.5], "2025-05-29T00:00:00", "sun")
    assert isinstance(orb, Orbit) and orb.attractor is Sun
    assert orb.plane.name == "EARTH_ECLIPTIC"
    state = from_orbit(orb)
    np.testing.assert_allclose(state.r, [1.2e8, 0.9e8, 1e6])
    np.testing.assert_allclose(state.v, [-18.0, 24.0, 0.5])
    assert state.mu == pytest.approx(Sun.k.to_value(u.km**3 / u.s**2))
    assert state.et == pytest.approx(to_et("2025-05-29T00:00:00"), abs=1e-3)
    assert state.attractor == "Sun"
    # (boinor's own Orbit.propagate agrees with kamo's kernel to 1e-12, but its
    # numba code is compiled afresh in every process: that check lives in
    # benchmarks/bench_kepler.py, which compares with farnocchia on 2e4 states)
    # an Earth orbit from boinor's own constructor, equatorial frame by default
    leo = Orbit.circular(Earth, 500 * u.km, epoch=Time("2026-01-01", scale="tdb"))
    st = from_orbit(leo)
    assert st.attractor == "Earth" and np.linalg.norm(st.r) == pytest.approx(6878.1363, rel=1e-6)
    back = to_orbit(st.r * u.km, st.v * u.km / u.s, st.et, Earth)
    assert back.plane.name == "EARTH_EQUATOR"


def test_interop_errors():
    with pytest.raises(ValueError, match=r"unknown attractor 'vulcan'"):
        to_orbit([1e8, 0, 0], [0, 30, 0], "2025-01-01", "vulcan")
    with pytest.raises(ValueError, match=r"frame must be"):
        to_orbit([1e8, 0, 0], [0, 30, 0], "2025-01-01", "sun", frame="GALACTIC")
    with pytest.raises(ValueError, match=r"expected a boinor/poliastro/hapsira Orbit"):
        from_orbit(object())


def test_lambert_one_departure_to_many_arrivals_names_the_bad_row():
    r1 = np.array([1.0e8, 0.0, 0.0])
    r2 = np.array([[0.0, 1.2e8, 0.0], [0.0, 1.5e8, 1e7], [-2.0e8, 0.0, 0.0]])
    v1, v2 = orbits.lambert(1.32712440018e11, r1, r2[:2], [1e7, 2e7])
    assert v1.shape == v2.shape == (2, 3)
    for i in range(2):
        ref, _ = orbits.lambert(1.32712440018e11, r1, r2[i], [1e7, 2e7][i])
        np.testing.assert_array_equal(v1[i], ref)
    with pytest.raises(
        ValueError, match=r"collinear \(transfer angle 180\.000000 deg\) at index \(2,\)"
    ):
        orbits.lambert(1.32712440018e11, r1, r2, 1e7)
