"""orbits.constants: one table, consistent with the definitions it cites."""

from __future__ import annotations

import math

import pytest

from orbits.constants import AU_KM, BODY_CONSTANTS, DAY_S, GM_SUN, gm, radius


def test_sun_gm_matches_gaussian_constant():
    # Gaussian gravitational constant k = 0.01720209895 au^(3/2)/day (IAU 1976):
    # k^2 au^3/day^2 equals GM_sun to about 1e-8 relative with the IAU 2012 au.
    k = 0.01720209895
    assert GM_SUN == pytest.approx(k**2 * AU_KM**3 / DAY_S**2, rel=1e-7)


def test_earth_values_match_iers_conventions():
    # IERS Conventions 2010 Table 1.1: GM_earth 3.986004418e14 m^3/s^2 (TT-compatible),
    # equatorial radius 6378136.6 m. Ephemeris GMs are TDB-compatible: GM_TDB = GM_TT (1 - L_B),
    # L_B = 1.550519768e-8 (IAU 2006 B3).
    assert gm("earth") == pytest.approx(398600.4418 * (1 - 1.550519768e-8), rel=1e-9)
    assert radius("EARTH") == pytest.approx(6378.1366)


def test_names_ids_and_barycentres():
    assert gm(499) == gm("mars") == gm("Mars")
    # a system barycentre carries the satellites' mass too
    assert gm("jupiter barycenter") > gm("jupiter")
    assert gm(3) == pytest.approx(gm("earth") + gm("moon"), rel=1e-12)
    assert math.isnan(radius("mars barycenter"))
    assert all(b.source for b in BODY_CONSTANTS.values())


def test_unknown_body_is_named():
    with pytest.raises(ValueError, match="'vulcan'"):
        gm("vulcan")
