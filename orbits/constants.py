"""Physical constants and body constants (GM, radius) from one table with sources.

Units: km^3/s^2 for GM, km for radii, seconds for time.

Sources
-------
* GM: NAIF generic kernel ``gm_de440.tpc`` (values consistent with the DE440
  planetary ephemeris; Park et al. 2021, AJ 161, 105). Planet-system barycentre
  GMs (NAIF ids 1-9) include the satellites.
* Radii: mean or equatorial radii of the IAU WGCCRE report 2015 (Archinal et al.
  2018, Celest. Mech. Dyn. Astr. 130:22), as in NAIF ``pck00011.tpc``;
  Earth is the equatorial radius 6378.1366 km, the Sun the IAU 2015 B3 nominal
  solar radius 695,700 km.
* AU: IAU 2012 Resolution B2, exactly 149,597,870.700 km.

>>> from orbits.constants import gm, radius
>>> round(gm("earth"))
398600
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AU_KM", "DAY_S", "GM_SUN", "BODY_CONSTANTS", "BodyConstants", "gm", "radius"]

#: Astronomical unit in km (IAU 2012 B2, exact).
AU_KM = 149_597_870.7
#: One day in seconds.
DAY_S = 86_400.0
#: Julian year in seconds.
YEAR_S = 365.25 * DAY_S


@dataclass(frozen=True)
class BodyConstants:
    """GM and radius of one body, with the NAIF id and where the numbers come from."""

    name: str
    naif_id: int
    gm: float  # km^3/s^2
    radius: float  # km
    source: str


_GM_SRC = "gm_de440.tpc (DE440)"
_R_SRC = "IAU WGCCRE 2015 (pck00011.tpc)"

_TABLE = [
    BodyConstants("sun", 10, 1.3271244004127942e11, 695_700.0, f"{_GM_SRC}; IAU 2015 B3 radius"),
    BodyConstants("mercury", 199, 2.2031868551400003e04, 2440.53, f"{_GM_SRC}; {_R_SRC}"),
    BodyConstants("venus", 299, 3.2485859200000000e05, 6051.8, f"{_GM_SRC}; {_R_SRC}"),
    BodyConstants("earth", 399, 3.9860043550702266e05, 6378.1366, f"{_GM_SRC}; {_R_SRC}"),
    BodyConstants("moon", 301, 4.9028001184575496e03, 1737.4, f"{_GM_SRC}; {_R_SRC}"),
    BodyConstants("mars", 499, 4.282837362069909e04, 3396.19, f"{_GM_SRC}; {_R_SRC}"),
    BodyConstants("jupiter", 599, 1.266865319003704e08, 71_492.0, f"{_GM_SRC}; {_R_SRC}"),
    BodyConstants("saturn", 699, 3.793120615901047e07, 60_268.0, f"{_GM_SRC}; {_R_SRC}"),
    BodyConstants("uranus", 799, 5.793951256527211e06, 25_559.0, f"{_GM_SRC}; {_R_SRC}"),
    BodyConstants("neptune", 899, 6.835099968446816e06, 24_764.0, f"{_GM_SRC}; {_R_SRC}"),
    BodyConstants("pluto", 999, 8.699633756209835e02, 1188.3, f"{_GM_SRC}; {_R_SRC}"),
    BodyConstants("earth-moon barycenter", 3, 4.0350323562548019e05, float("nan"), _GM_SRC),
    BodyConstants("mars barycenter", 4, 4.2828375815756102e04, float("nan"), _GM_SRC),
    BodyConstants("jupiter barycenter", 5, 1.2671276409999998e08, float("nan"), _GM_SRC),
    BodyConstants("saturn barycenter", 6, 3.7940584841799997e07, float("nan"), _GM_SRC),
    BodyConstants("uranus barycenter", 7, 5.7945563999999985e06, float("nan"), _GM_SRC),
    BodyConstants("neptune barycenter", 8, 6.8365271005803989e06, float("nan"), _GM_SRC),
    BodyConstants("pluto barycenter", 9, 9.7550000000000000e02, float("nan"), _GM_SRC),
]

#: Body constants by lower-case name.
BODY_CONSTANTS: dict[str, BodyConstants] = {b.name: b for b in _TABLE}
_BY_ID: dict[int, BodyConstants] = {b.naif_id: b for b in _TABLE}
_ALIASES = {"emb": "earth-moon barycenter", "earth barycenter": "earth-moon barycenter"}

#: Heliocentric gravitational parameter, km^3/s^2 (DE440).
GM_SUN = BODY_CONSTANTS["sun"].gm


def _lookup(body: str | int) -> BodyConstants:
    if isinstance(body, (int,)) and not isinstance(body, bool):
        if body in _BY_ID:
            return _BY_ID[body]
    elif isinstance(body, str):
        key = " ".join(body.strip().lower().split())
        key = _ALIASES.get(key, key)
        if key in BODY_CONSTANTS:
            return BODY_CONSTANTS[key]
        if key.lstrip("-").isdigit() and int(key) in _BY_ID:
            return _BY_ID[int(key)]
    else:
        gm_value = getattr(body, "gm", None)
        r_value = getattr(body, "radius", None)
        if gm_value is not None:
            name = getattr(body, "name", "small body")
            return BodyConstants(name, 0, float(gm_value), float(r_value or "nan"), "SmallBody")
    known = ", ".join(sorted(BODY_CONSTANTS))
    raise ValueError(f"no constants for body {body!r}: known bodies are {known}")


def gm(body: str | int) -> float:
    """Return the gravitational parameter GM of ``body`` in km^3/s^2 (name or NAIF id)."""
    return _lookup(body).gm


def radius(body: str | int) -> float:
    """Return the reference radius of ``body`` in km (name or NAIF id; NaN for barycentres)."""
    return _lookup(body).radius
