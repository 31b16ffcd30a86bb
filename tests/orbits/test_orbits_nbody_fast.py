"""The fast planet-fit profile (64-day segments) for batch propagation: its trade against DE421."""

from __future__ import annotations

import numpy as np
import pytest
import spiceypy

from orbits.nbody import ForceModel, propagate_batch_et, propagate_et
from orbits.planets_fit import DEFAULT_BODIES, EARTH_MOON_BODIES, fit_planets
from orbits.smallbody import SmallBody
from orbits.spice import ensure_kernels

DAY = 86400.0
ET0 = 7.9e8  # 2025-01-14
SPAN = 2 * 365.25 * DAY


@pytest.fixture(scope="module")
def fast_fit():
    ensure_kernels()
    return fit_planets(DEFAULT_BODIES, ET0, ET0 + SPAN, profile="fast")


@pytest.mark.parametrize(
    ("body", "naif", "bound_km"),
    [("emb", 3, 1.0), ("venus", 2, 1.0), ("mars", 4, 1.0), ("jupiter", 5, 5.0),
     ("neptune", 8, 5.0), ("mercury", 1, 5e4)],
)  # fmt: skip
def test_fast_fit_against_de421(fast_fit, body, naif, bound_km):
    et = np.random.default_rng(5).uniform(ET0, ET0 + SPAN, 200)
    truth = np.array([spiceypy.spkgps(naif, t, "ECLIPJ2000", 10)[0] for t in et])
    err = np.linalg.norm(fast_fit.position(body, et) - truth, axis=1).max()
    assert err < bound_km
    assert fast_fit.segment_s == 64 * DAY


def test_fast_profile_refuses_the_moon_and_unknown_profiles():
    with pytest.raises(ValueError, match="'geomoon' channel"):
        fit_planets(EARTH_MOON_BODIES, ET0, ET0 + 30 * DAY, profile="fast")
    with pytest.raises(ValueError, match="unknown fit profile 'quick'"):
        fit_planets(DEFAULT_BODIES, ET0, ET0 + 30 * DAY, profile="quick")
    with pytest.raises(ValueError, match="unknown planet-fit profile 'quick'"):
        ForceModel(fit="quick")


@pytest.mark.slow  # compiles a small batch integrator on a cold cache
def test_fast_batch_stays_within_a_kilometre_of_the_precise_propagation():
    ensure_kernels()
    kamo = SmallBody("k", 1.00094, 0.10269, 7.79605, 65.7907, 305.0478, 175.153, epoch=ET0)
    s0 = kamo.state_et(ET0)
    states = s0 + np.random.default_rng(1).normal(size=(5, 6)) * [1e3, 1e3, 1e3, 1e-3, 1e-3, 1e-3]
    out = ET0 + np.array([100.0, 365.25]) * DAY
    bodies = ("emb", "jupiter")
    fast = propagate_batch_et(states, ET0, out, force=ForceModel(bodies, fit="fast"))
    for i in (0, 4):
        precise = propagate_et(states[i], ET0, out, force=ForceModel(bodies)).state
        assert np.linalg.norm(fast[i, :, :3] - precise[:, :3], axis=1).max() < 1.0  # km
        assert np.abs(fast[i, :, 3:] - precise[:, 3:]).max() < 1e-6  # km/s
