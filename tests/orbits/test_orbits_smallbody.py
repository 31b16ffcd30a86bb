"""orbits.smallbody: element-defined bodies against SPICE conics, registry, errors."""

from __future__ import annotations

import numpy as np
import pytest
import spiceypy

from orbits.constants import AU_KM, DAY_S, GM_SUN
from orbits.ephemeris import state, state_et
from orbits.smallbody import SmallBody, get_small_body, register_small_body

# Kamoʻoalewa, JPL SBDB elements at 2024-Mar-31.0 TDB (shared/reference/mission-facts.md §2a)
KAMO = SmallBody(
    "test-kamo",
    a_au=1.00094,
    e=0.10269,
    i_deg=7.79605,
    raan_deg=65.7907,
    argp_deg=305.0478,
    M_deg=175.153,
    epoch=(2460400.5 - 2451545.0) * DAY_S,
)


@pytest.mark.parametrize("e", [0.0, 0.10269, 0.5, 0.9, 0.99])
def test_matches_spice_conics_over_many_epochs(e):
    """CSPICE's conics (an independent two-body propagator) as the oracle, 2,000 epochs."""
    body = SmallBody("b", 1.3, e, 12.0, 80.0, 200.0, 33.0, epoch=1.0e8)
    rng = np.random.default_rng(3)
    et = rng.uniform(-3e9, 3e9, 2000)
    ours = body.state_et(et)
    elts = body.conics_elements()
    ref = np.array([spiceypy.conics(elts, t) for t in et])
    scale_r = body.a_km * (1 + e)
    np.testing.assert_allclose(ours[:, :3], ref[:, :3], rtol=0, atol=1e-9 * scale_r)
    np.testing.assert_allclose(ours[:, 3:], ref[:, 3:], rtol=0, atol=1e-9 * 80.0)


def test_at_epoch_position_follows_elements():
    rv = KAMO.state_et(KAMO.epoch)
    r = np.linalg.norm(rv[:3])
    # vis-viva with a = 1.00094 au
    v2 = np.dot(rv[3:], rv[3:])
    assert v2 == pytest.approx(GM_SUN * (2 / r - 1 / (KAMO.a_au * AU_KM)), rel=1e-12)
    assert KAMO.period_days == pytest.approx(365.77, abs=0.05)  # SBDB period 365.77 d


def test_period_brings_body_back():
    et = KAMO.epoch + np.array([0.0, KAMO.period_days * DAY_S])
    rv = KAMO.state_et(et)
    np.testing.assert_allclose(rv[1], rv[0], rtol=0, atol=1e-3)


def test_registry_makes_body_known_to_state():
    register_small_body(
        SmallBody(
            "Test Kamoʻoalewa", **{k: getattr(KAMO, k) for k in _ELEMENTS}, aliases=("T-HO3",)
        )
    )
    assert get_small_body("test kamooalewa") is get_small_body("t-ho3")
    s = state("T-HO3", "2025-05-28", center="earth")
    assert s.body == "Test Kamoʻoalewa"
    # quasi-satellite: between 14 and 46 million km from Earth (mission-facts §2a)
    assert 1.4e7 < np.linalg.norm(s.rv[:3]) < 4.6e7
    # SmallBody instances work directly, and as a center
    np.testing.assert_allclose(
        state_et("earth", 8e8, center=KAMO), -state_et(KAMO, 8e8, center="earth"), atol=1e-6
    )


_ELEMENTS = ("a_au", "e", "i_deg", "raan_deg", "argp_deg", "M_deg", "epoch")


def test_epoch_may_be_iso_and_repr_reads():
    body = SmallBody(
        "x", 2.189, 0.11567, 4.966, 279.26, 143.99, 337.88, epoch="2017-04-29T00:00:00"
    )
    assert isinstance(body.epoch, float)
    assert "a=2.189 au" in repr(body)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"e": 1.2}, "eccentricity"),
        ({"a_au": -1.0}, "a must be positive"),
        ({"i_deg": 200.0}, "inclination"),
    ],
)
def test_bad_elements_are_named(kwargs, match):
    args = dict(a_au=1.0, e=0.1, i_deg=5.0, raan_deg=0.0, argp_deg=0.0, M_deg=0.0, epoch=0.0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        SmallBody("bad", **args)


def test_small_body_frames():
    eq = state_et(KAMO, 8e8, frame="J2000")
    ec = state_et(KAMO, 8e8)
    assert np.linalg.norm(eq[:3]) == pytest.approx(np.linalg.norm(ec[:3]), rel=1e-14)
    # the equatorial state of Earth minus Kamoʻoalewa equals the rotated ecliptic one
    np.testing.assert_allclose(
        state_et("earth", 8e8, center=KAMO, frame="J2000")[:3],
        state_et("earth", 8e8, frame="J2000")[:3] - eq[:3],
        atol=1e-6,
    )
    with pytest.raises(ValueError, match="not inertial"):
        state_et(KAMO, 8e8, frame="IAU_EARTH")
