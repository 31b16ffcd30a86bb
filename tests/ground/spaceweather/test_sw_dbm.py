"""Drag-based model: worked examples, an independent ODE integration, geometry, ensemble."""

from __future__ import annotations

import numpy as np
import pytest
from astropy import units as u
from astropy.time import Time
from scipy.integrate import solve_ivp

from ground.spaceweather.dbm import (
    AU_KM,
    R_SUN_KM,
    cme_arrival,
    cme_arrival_ensemble,
    dbm_distance,
    dbm_speed,
    dbm_transit_time,
    front_fraction,
)

R0 = 20 * R_SUN_KM

# Reference ground-formats.md §10.3 (Vršnak et al. 2013 DBM, analytic + RK2 checked).
WORKED = [
    (1000.0, 400.0, 0.2e-7, 52.9, 583.0),
    (1000.0, 400.0, 1.0e-7, 74.5, 435.0),
    (500.0, 400.0, 0.2e-7, 78.7, 464.0),
    (300.0, 450.0, 0.2e-7, 107.5, 381.0),
    (2000.0, 450.0, 0.1e-7, 27.0, 1068.0),
]


@pytest.mark.parametrize(("v0", "w", "gamma", "hours", "speed"), WORKED)
def test_worked_examples(v0, w, gamma, hours, speed):
    t = dbm_transit_time(AU_KM, R0, v0, w, gamma)
    assert t / 3600 == pytest.approx(hours, abs=0.06)
    assert dbm_speed(t, R0, v0, w, gamma) == pytest.approx(speed, abs=1.0)


def test_vectorised_kernel_matches_scalar():
    v0, w, g = (np.array(c) for c in zip(*[row[:3] for row in WORKED], strict=True))
    t = dbm_transit_time(AU_KM, R0, v0, w, g)
    for k in range(len(WORKED)):
        assert t[k] == pytest.approx(dbm_transit_time(AU_KM, R0, v0[k], w[k], g[k]), rel=1e-8)


@pytest.mark.parametrize(("v0", "w", "gamma"), [row[:3] for row in WORKED])
def test_analytic_solution_matches_ode_integration(v0, w, gamma):
    """Integrate dv/dt = -gamma (v - w)|v - w| with scipy: the closed form agrees."""

    def rhs(_t, y):
        return [y[1], -gamma * (y[1] - w) * abs(y[1] - w)]

    t_end = 150 * 3600.0
    sol = solve_ivp(rhs, (0, t_end), [R0, v0], rtol=1e-11, atol=[1.0, 1e-9], dense_output=True)
    ts = np.linspace(0, t_end, 40)
    r_num, v_num = sol.sol(ts)
    np.testing.assert_allclose(dbm_distance(ts, R0, v0, w, gamma), r_num, rtol=1e-8)
    np.testing.assert_allclose(dbm_speed(ts, R0, v0, w, gamma), v_num, rtol=1e-8)


def test_no_drag_is_constant_speed():
    t = dbm_transit_time(AU_KM, R0, 1000.0, 400.0, 0.0)
    assert t / 3600 == pytest.approx(37.7, abs=0.05)  # reference sanity check
    assert dbm_speed(t, R0, 1000.0, 400.0, 0.0) == 1000.0


def test_speed_tends_to_wind_and_distance_monotonic():
    ts = np.linspace(0, 30 * 86400, 200)
    for v0 in (300.0, 1500.0):
        r = dbm_distance(ts, R0, v0, 450.0, 1e-7)
        assert np.all(np.diff(r) > 0)
        assert dbm_speed(ts[-1], R0, v0, 450.0, 1e-7) == pytest.approx(450.0, abs=5.0)


def test_transit_invalid_inputs_are_nan():
    assert np.isnan(dbm_transit_time(R0 / 2, R0, 1000.0, 400.0, 1e-7))
    assert np.isnan(dbm_transit_time(AU_KM, R0, -5.0, 400.0, 1e-7))


def test_front_fraction_geometry():
    lam = np.radians(30.0)
    assert front_fraction(0.0, lam) == 1.0
    edge = front_fraction(lam, lam)
    assert edge == pytest.approx(np.cos(lam) / (1 + np.sin(lam)))
    deltas = np.radians(np.linspace(0, 30, 31))
    assert np.all(np.diff(front_fraction(deltas, lam)) < 0)
    assert np.isnan(front_fraction(np.radians(31.0), lam))


def test_cme_arrival_head_on_fixed_target_is_the_plain_dbm():
    res = cme_arrival("2026-08-04T12:00:00", 1000.0, target=[AU_KM, 0.0, 0.0], offset=0.0)
    assert res.hit
    assert res.transit_hours == pytest.approx(52.9, abs=0.06)
    assert res.arrival_speed_km_s == pytest.approx(583.0, abs=1.0)
    expected = Time("2026-08-04T12:00:00", scale="utc") + res.transit_hours * u.h
    assert abs((res.arrival - expected).to_value(u.s)) < 1.0
    assert "583 km/s" in repr(res)


def test_cme_arrival_accepts_quantities():
    a = cme_arrival(
        Time("2026-08-04T12:00:00"),
        1000 * u.km / u.s,
        target=[AU_KM, 0, 0],
        gamma=0.2e-7 / u.km,
        wind_speed=400 * u.km / u.s,
        half_width=0.5 * u.rad,
    )
    assert a.transit_hours == pytest.approx(52.9, abs=0.06)


def test_flank_arrives_later_and_slower_and_misses_outside_cone():
    kw = dict(target=[AU_KM, 0, 0], half_width=40.0)
    axis = cme_arrival("2026-08-04T12:00", 1200.0, offset=0.0, **kw)
    flank = cme_arrival("2026-08-04T12:00", 1200.0, offset=30.0, **kw)
    miss = cme_arrival("2026-08-04T12:00", 1200.0, offset=45.0, **kw)
    assert flank.transit_hours > axis.transit_hours
    assert flank.arrival_speed_km_s < axis.arrival_speed_km_s
    assert not miss.hit and miss.arrival is None and "miss" in repr(miss)


def test_direction_given_as_ecliptic_longitude():
    """Axis at longitude 90 deg, target on +y at 1 AU: head-on; at +x: 90 deg off, a miss."""
    on = cme_arrival("2026-08-04T12:00", 1000.0, target=[0, AU_KM, 0], direction=(90.0, 0.0))
    off = cme_arrival("2026-08-04T12:00", 1000.0, target=[AU_KM, 0, 0], direction=(90.0, 0.0))
    assert on.offset_deg == pytest.approx(0.0, abs=1e-6)
    assert on.transit_hours == pytest.approx(52.9, abs=0.06)
    assert not off.hit and off.offset_deg == pytest.approx(90.0)


def test_arrival_at_earth_uses_the_ephemeris():
    from orbits.ephemeris import state_et
    from orbits.time import to_et

    res = cme_arrival("2026-08-04T12:00", 1000.0, target="earth", offset=0.0)
    r_at_arrival = np.linalg.norm(state_et("earth", to_et(res.arrival))[:3])
    assert res.target_distance_au == pytest.approx(r_at_arrival / AU_KM, rel=1e-6)
    assert 1.010 < res.target_distance_au < 1.017  # early August, near aphelion
    # farther than 1 AU -> a little later than the 1 AU worked example
    assert 52.9 < res.transit_hours < 54.5


def test_arrival_at_a_spacecraft_position_callable():
    """A spacecraft at 0.9 AU: the CME gets there sooner and faster than at 1 AU."""

    def spacecraft(et):
        return np.array([0.0, 0.9 * AU_KM, 0.0])

    sc = cme_arrival(
        "2026-08-04T12:00", 1000.0, target=spacecraft, direction=(90, 0), target_name="kamo-sc"
    )
    one_au = cme_arrival("2026-08-04T12:00", 1000.0, target=[0, AU_KM, 0], direction=(90, 0))
    assert sc.target == "kamo-sc"
    assert sc.transit_hours < one_au.transit_hours
    assert sc.arrival_speed_km_s > one_au.arrival_speed_km_s


def test_bad_inputs_name_the_value():
    with pytest.raises(ValueError, match="speed must be positive, got -3"):
        cme_arrival("2026-08-04T12:00", -3.0, target=[AU_KM, 0, 0])
    with pytest.raises(ValueError, match="gamma must be >= 0"):
        cme_arrival("2026-08-04T12:00", 900.0, target=[AU_KM, 0, 0], gamma=-1e-7)
    with pytest.raises(ValueError, match="half_width"):
        cme_arrival("2026-08-04T12:00", 900.0, target=[AU_KM, 0, 0], half_width=120)
    with pytest.raises(ValueError, match="either direction"):
        cme_arrival("2026-08-04T12:00", 900.0, target=[AU_KM, 0, 0], offset=0, direction=(0, 0))
    with pytest.raises(ValueError, match="heliocentric position"):
        cme_arrival("2026-08-04T12:00", 900.0, target=[1.0, 2.0])
    with pytest.raises(ValueError, match="convertible to km/s"):
        cme_arrival("2026-08-04T12:00", 900 * u.kg, target=[AU_KM, 0, 0])


def test_ensemble_reproducible_and_brackets_the_deterministic_run():
    kw = dict(target=[AU_KM, 0, 0], offset=0.0, members=400, seed=7)
    a = cme_arrival_ensemble("2026-08-04T12:00", 1000.0, **kw)
    b = cme_arrival_ensemble("2026-08-04T12:00", 1000.0, **kw)
    np.testing.assert_array_equal(a.members["transit_hours"], b.members["transit_hours"])
    assert a.members.sizes["member"] == 400
    assert a.members["transit_hours"].attrs["units"] == "h"
    assert 0.9 < a.hit_probability <= 1.0
    mid = cme_arrival(
        "2026-08-04T12:00", 1000.0, target=[AU_KM, 0, 0], gamma=1.1e-7, wind_speed=450.0
    )
    assert a.arrival_p05 < mid.arrival < a.arrival_p95
    assert a.transit_hours_std > 3.0  # real spread (errors of ~10 h are typical)
    hits = a.members["hit"].values
    assert np.isnan(a.members["transit_hours"].values[~hits]).all()
    assert "P(hit)" in repr(a)


def test_ensemble_far_off_axis_mostly_misses():
    ens = cme_arrival_ensemble(
        "2026-08-04T12:00", 1000.0, target=[AU_KM, 0, 0], offset=60.0, members=300, seed=1
    )
    assert ens.hit_probability < 0.1


def test_ensemble_bad_inputs():
    with pytest.raises(ValueError, match="members must be >= 1"):
        cme_arrival_ensemble("2026-08-04T12:00", 1000.0, target=[AU_KM, 0, 0], members=0)
    with pytest.raises(ValueError, match="gamma_range"):
        cme_arrival_ensemble(
            "2026-08-04T12:00", 1000.0, target=[AU_KM, 0, 0], gamma_range=(2e-7, 1e-7)
        )


def test_arrival_at_a_small_body_from_kamos_ephemerides():
    """A SmallBody target (here Kamo'oalewa-like elements) is positioned by orbits.ephemeris."""
    from orbits.ephemeris import state_et
    from orbits.smallbody import SmallBody
    from orbits.time import to_et

    body = SmallBody(
        name="test-ho3",
        a_au=1.001,
        e=0.103,
        i_deg=7.8,
        raan_deg=66.0,
        argp_deg=307.0,
        M_deg=100.0,
        epoch="2026-01-01T00:00:00",
    )
    res = cme_arrival("2026-08-04T12:00", 1200.0, target=body, offset=0.0)
    assert res.target == "test-ho3" and res.hit
    r = np.linalg.norm(state_et(body, to_et(res.arrival))[:3]) / AU_KM
    assert res.target_distance_au == pytest.approx(r, rel=1e-6)
    # transit is the plain DBM to that distance
    t = dbm_transit_time(r * AU_KM, R0, 1200.0, 400.0, 0.2e-7) / 3600
    assert res.transit_hours == pytest.approx(t, abs=0.01)
