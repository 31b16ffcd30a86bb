"""Gravity-assist kernels: turn angle against a propagated hyperbola, periapsis round trip, powered flybys."""

from __future__ import annotations

import numpy as np
import pytest

from orbits._kepler import kepler_batch
from orbits.constants import gm, radius
from orbits.flyby import (
    entry_speed,
    flyby_outgoing,
    periapsis_radius,
    powered_flyby_dv,
    turn_angle,
    vinf_angle,
)

MU_E = gm("earth")
R_E = radius("earth")


@pytest.mark.parametrize("vinf, altitude", [(3.0, 300.0), (5.0, 1000.0), (9.0, 200.0)])
def test_turn_angle_matches_a_propagated_hyperbola(vinf, altitude):
    """Independent check: propagate the flyby hyperbola from periapsis both ways (universal-variable
    Kepler) far out and measure how much the velocity turned."""
    rp = R_E + altitude
    vp = np.sqrt(vinf**2 + 2 * MU_E / rp)
    r0 = np.array([[rp, 0.0, 0.0]])
    v0 = np.array([[0.0, vp, 0.0]])
    dt = 200 * 86400.0
    _, v_out = kepler_batch(MU_E, r0, v0, np.array([dt]))
    _, v_in = kepler_batch(MU_E, r0, v0, np.array([-dt]))
    measured = float(vinf_angle(v_in[0], v_out[0]))
    # at ~1e8 km the direction is within mu/(r vinf^2) of its asymptote
    assert measured == pytest.approx(float(turn_angle(vinf, MU_E, rp)), abs=2e-3)
    # and the speed far out is the excess speed
    assert np.linalg.norm(v_out[0]) == pytest.approx(vinf, rel=1e-3)


def test_turn_angle_limits():
    # e = 1 + rp v^2 / mu; delta = 2 asin(1/e): grazing slow flybys turn nearly 180 deg,
    # fast distant ones barely at all
    assert float(turn_angle(1e-3, MU_E, R_E)) == pytest.approx(np.pi, abs=1e-3)
    assert float(turn_angle(30.0, MU_E, 1e7)) < 1e-4
    e = 1 + (R_E + 500) * 4.0**2 / MU_E
    assert float(turn_angle(4.0, MU_E, R_E + 500)) == pytest.approx(2 * np.arcsin(1 / e))


@pytest.mark.parametrize("b_angle", [0.0, 1.0, 2.5, -2.0])
def test_outgoing_then_periapsis_round_trip(b_angle):
    vin = np.array([3.0, -2.0, 0.5])
    rp = R_E + 800.0
    vout = flyby_outgoing(vin, MU_E, rp, b_angle)
    assert np.linalg.norm(vout) == pytest.approx(np.linalg.norm(vin), rel=1e-12)
    assert float(periapsis_radius(vin, vout, MU_E)) == pytest.approx(rp, rel=1e-9)
    # an unpowered flyby at or above the minimum radius costs nothing
    assert float(powered_flyby_dv(vin, vout, MU_E, rp)) == pytest.approx(0.0, abs=1e-12)
    assert float(powered_flyby_dv(vin, vout, MU_E, rp - 500)) == pytest.approx(0.0, abs=1e-12)


def test_powered_flyby_dv_pays_for_magnitude_and_missing_turn():
    vin = np.array([4.0, 0.0, 0.0])
    # same direction, different magnitude: the difference
    assert float(powered_flyby_dv(vin, 1.2 * vin, MU_E, R_E + 300)) == pytest.approx(0.8)
    # a turn of 170 deg at 4 km/s is beyond Earth's (about 100 deg at 300 km): the rest is bought
    ang = np.radians(170)
    vout = 4.0 * np.array([np.cos(ang), np.sin(ang), 0.0])
    dv = float(powered_flyby_dv(vin, vout, MU_E, R_E + 300))
    excess = ang - float(turn_angle(4.0, MU_E, R_E + 300))
    assert dv == pytest.approx(2 * 4.0 * np.sin(excess / 2))
    assert float(periapsis_radius(vin, vout, MU_E)) < R_E + 300
    # a higher minimum altitude never makes it cheaper
    assert float(powered_flyby_dv(vin, vout, MU_E, R_E + 3000)) > dv


def test_entry_speed_energy():
    r = R_E + 125.0
    # zero excess speed: escape speed at the entry interface, 11.07 km/s
    assert float(entry_speed(0.0, MU_E, r)) == pytest.approx(np.sqrt(2 * MU_E / r))
    assert float(entry_speed(0.0, MU_E, r)) == pytest.approx(11.07, abs=0.01)
    # vis-viva: v^2 = vinf^2 + 2 mu / r
    assert float(entry_speed(4.6, MU_E, r)) ** 2 == pytest.approx(4.6**2 + 2 * MU_E / r)


def test_broadcasting():
    vin = np.random.default_rng(1).normal(size=(5, 3)) * 3
    vout = np.roll(vin, 1, axis=0)
    assert periapsis_radius(vin, vout, MU_E).shape == (5,)
    assert powered_flyby_dv(vin, vout, MU_E, R_E + 300).shape == (5,)
