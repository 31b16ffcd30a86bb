"""Planet fits (orbits.planets_fit) against the DE421 kernel they are fitted to."""

from __future__ import annotations

import numpy as np
import pytest
import spiceypy

from orbits.planets_fit import (
    DEFAULT_BODIES,
    EARTH_MOON_BODIES,
    fit_planets,
    gm_of,
)
from orbits.spice import ensure_kernels

ET0 = 7.9e8  # 2025-01-14
SPAN = 2 * 365.25 * 86400.0


@pytest.fixture(scope="module")
def fit():
    ensure_kernels()
    return fit_planets(EARTH_MOON_BODIES, ET0, ET0 + SPAN)


@pytest.fixture(scope="module")
def epochs():
    return np.random.default_rng(3).uniform(ET0, ET0 + SPAN, 400)


def _spice(target: int, et: np.ndarray, observer: int = 10) -> np.ndarray:
    return np.array(
        [spiceypy.spkezr(str(target), t, "ECLIPJ2000", "NONE", str(observer))[0] for t in et]
    )


@pytest.mark.parametrize(
    ("body", "naif", "bound_m"),
    [
        ("earth", 399, 1.0),
        ("moon", 301, 5.0),
        ("mercury", 1, 10.0),
        ("venus", 2, 1.0),
        ("mars", 4, 1.0),
        ("jupiter", 5, 1.0),
        ("neptune", 8, 5.0),
    ],
)
def test_fit_positions_and_velocities_match_de421(fit, epochs, body, naif, bound_m):
    truth = _spice(naif, epochs)
    pos_err = np.linalg.norm(fit.position(body, epochs) - truth[:, :3], axis=1).max()
    vel_err = np.linalg.norm(fit.velocity(body, epochs) - truth[:, 3:], axis=1).max()
    assert pos_err < bound_m * 1e-3
    assert vel_err < 1e-5
    # the recorded fit error (at check points) is an honest bound of the same size
    assert max(fit.max_error_km().values()) < 10e-3


def test_indirect_acceleration_is_the_sum_over_perturbers(fit, epochs):
    et = epochs[:50]
    expected = np.zeros((et.size, 3))
    for body, naif in zip(EARTH_MOON_BODIES, (1, 2, 399, 301, 4, 5, 6, 7, 8), strict=True):
        r = _spice(naif, et)[:, :3]
        expected += gm_of(body) * r / np.linalg.norm(r, axis=1, keepdims=True) ** 3
    got = fit.indirect_acceleration(et)
    assert np.abs(got - expected).max() < 1e-8 * np.abs(expected).max()


def test_earth_and_moon_are_consistent_with_the_barycentre(fit, epochs):
    # GM-weighted mean of Earth and Moon is the EMB (DE421 defines it so)
    emb = _spice(3, epochs)[:, :3]
    mix = gm_of("earth") * fit.position("earth", epochs) + gm_of("moon") * fit.position(
        "moon", epochs
    )
    mix /= gm_of("earth") + gm_of("moon")
    assert np.abs(mix - emb).max() < 1e-3


def test_fits_are_cached_per_span():
    a = fit_planets(DEFAULT_BODIES, ET0, ET0 + 86400.0 * 40)
    b = fit_planets(DEFAULT_BODIES, ET0 + 10.0, ET0 + 86400.0 * 40 - 10.0)
    assert a is b
    assert a.et_start <= ET0 and a.et_stop >= ET0 + 86400.0 * 40


@pytest.mark.parametrize(
    ("bodies", "match"),
    [
        (("earth", "pluto"), "unknown perturbing body 'pluto'"),
        (("earth", "earth"), "listed twice"),
        (("emb", "moon"), "either 'emb'"),
    ],
)
def test_bad_body_lists_are_rejected(bodies, match):
    with pytest.raises(ValueError, match=match):
        fit_planets(bodies, ET0, ET0 + 86400.0)


def test_span_outside_the_kernel_names_the_fix():
    with pytest.raises(ValueError, match="do not cover"):
        fit_planets(("jupiter",), 3.0e9, 3.0e9 + 86400.0)  # 2095: beyond DE421


def test_evaluation_outside_the_fit_is_an_error(fit):
    with pytest.raises(ValueError, match="outside the planet fit"):
        fit.position("earth", ET0 + 10 * SPAN)
