"""orbits.ephemeris: SPICE-loaded DE421 against skyfield, names, frames, shapes and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from astropy import units as u

from orbits.ephemeris import StateVectors, resolve_body, state, state_et
from orbits.spice import default_planetary_kernel
from orbits.time import to_et


@pytest.fixture(scope="module")
def skyfield_de421():
    from skyfield.api import load_file

    return load_file(str(default_planetary_kernel()))


@pytest.mark.parametrize("name", ["earth", "mars", "venus", "moon", "jupiter barycenter"])
def test_matches_skyfield_at_random_epochs(skyfield_de421, name):
    """skyfield reads the same DE421 file with its own Chebyshev code and time scales:
    barycentric ICRF positions must agree well below a km (and velocities to mm/s)."""
    from skyfield.api import load

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ts = load.timescale(builtin=True)
    rng = np.random.default_rng(42)
    et = rng.uniform(to_et("1950-01-01"), to_et("2050-01-01"), 25)
    t = ts.tdb_jd(2451545.0 + et / 86400.0)
    ref = skyfield_de421[name].at(t)
    ours = state_et(name, et, center="solar system barycenter", frame="J2000")
    np.testing.assert_allclose(ours[:, :3], ref.position.km.T, rtol=0, atol=0.5)
    np.testing.assert_allclose(ours[:, 3:], ref.velocity.km_per_s.T, rtol=0, atol=1e-6)


def test_vectorised_equals_scalar_and_keeps_shape():
    et = np.linspace(6e8, 7e8, 6).reshape(2, 3)
    many = state_et("earth", et)
    assert many.shape == (2, 3, 6)
    assert np.array_equal(many[1, 2], state_et("earth", float(et[1, 2])))
    assert state_et("earth", 6e8).shape == (6,)


def test_earth_heliocentric_distance_and_speed_are_sane():
    s = state("earth", ["2025-01-04", "2025-07-04"])
    dist = np.linalg.norm(s.r.to_value(u.au), axis=-1)
    # perihelion early January (~0.983 au), aphelion early July (~1.017 au)
    assert dist[0] == pytest.approx(0.9833, abs=2e-4)
    assert dist[1] == pytest.approx(1.0167, abs=2e-4)
    assert np.all(np.abs(np.linalg.norm(s.v.to_value(u.km / u.s), axis=-1) - 29.8) < 0.6)


def test_names_ids_and_barycentre_fallback():
    assert resolve_body("EARTH").naif_id == 399
    assert resolve_body(499).naif_id == 499
    assert resolve_body("399").naif_id == 399
    # DE421 has no Jupiter body (599): its system barycentre (5) stands in
    assert resolve_body("jupiter").naif_id == 5
    np.testing.assert_array_equal(state_et("jupiter", 6e8), state_et(5, 6e8))


def test_center_and_frame_are_consistent():
    et = 6.5e8
    earth = state_et("earth", et)
    mars = state_et("mars", et)
    np.testing.assert_allclose(state_et("mars", et, center="earth"), mars - earth, atol=1e-3)
    eq = state_et("earth", et, frame="J2000")
    assert np.linalg.norm(eq[:3]) == pytest.approx(np.linalg.norm(earth[:3]), rel=1e-12)
    assert abs(earth[2]) < 1e4 and abs(eq[2]) > 1e6  # ecliptic z small, equatorial not


def test_face_returns_state_vectors_with_units_and_dataset():
    s = state(399, "2025-05-28T17:31:00")
    assert isinstance(s, StateVectors)
    assert s.r.unit == u.km and s.v.unit == u.km / u.s
    assert "earth wrt sun" in repr(s) and "2025-05-28T17:31:00" in repr(s)
    ds = state("mars", ["2025-05-28", "2025-06-28"], center="earth").to_dataset()
    assert ds["r"].attrs["units"] == "km" and ds["v"].attrs["units"] == "km/s"
    assert str(ds["time"].values[0])[:10] == "2025-05-28"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"body": "vulcan"}, "unknown body 'vulcan'"),
        ({"body": 2000433}, "not in any loaded kernel"),
        ({"body": "earth", "epochs": "2070-01-01"}, "no ephemeris data"),
        ({"body": "earth", "frame": "NOPE"}, "frame 'NOPE'"),
        ({"body": "earth", "epochs": "2020-02-30"}, "cannot read"),
    ],
)
def test_bad_inputs_are_named(kwargs, match):
    args = {"epochs": "2020-01-01", **kwargs}
    with pytest.raises(ValueError, match=match):
        state(args.pop("body"), args.pop("epochs"), **args)


def test_threads_share_the_pool_safely():
    """Several threads asking at once get the same answers as one thread (SPICE_LOCK)."""
    from concurrent.futures import ThreadPoolExecutor

    ets = [np.linspace(6e8 + k * 1e6, 7e8, 200) for k in range(8)]
    serial = [state_et("mars", et, center="earth") for et in ets]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda et: state_et("mars", et, center="earth"), ets))
    for a, b in zip(serial, threaded, strict=True):
        np.testing.assert_array_equal(a, b)
