"""Small bodies defined by osculating heliocentric elements, propagated as two-body orbits.

Asteroids and comets that are not in the loaded SPICE kernels (Kamoʻoalewa, 311P)
enter kamo as a :class:`SmallBody`: classical elements (a, e, i, Ω, ω, M) in the
heliocentric ecliptic J2000 frame at an epoch, propagated about the Sun with
Kepler's equation. :func:`register_small_body` makes one known to
:func:`orbits.state` by name.

This is a two-body model: no planetary perturbations, no Yarkovsky drift. It is
good for porkchops and first designs over a few years around the element epoch;
for precise work furnish an SPK of the body (``orbits.spice.furnish``).

>>> from orbits.smallbody import SmallBody
>>> body = SmallBody("demo", a_au=1.0, e=0.1, i_deg=5.0, raan_deg=60.0, argp_deg=300.0,
...                  M_deg=170.0, epoch=0.0)
>>> body.state_et(0.0).shape
(6,)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from orbits.constants import AU_KM, DAY_S, GM_SUN

__all__ = ["SmallBody", "register_small_body", "registered_small_bodies", "get_small_body"]


def _solve_kepler_elliptic(mean_anomaly: np.ndarray, e: float) -> np.ndarray:
    """Eccentric anomaly E from M = E - e sin E (Newton, vectorised; converges for e < 1)."""
    m = np.remainder(mean_anomaly + np.pi, 2.0 * np.pi) - np.pi
    ecc_anom = m + e * np.sin(m) if e < 0.8 else np.where(m >= 0.0, np.pi, -np.pi) * 1.0
    ecc_anom = np.asarray(ecc_anom, dtype=float)
    for _ in range(50):
        f = ecc_anom - e * np.sin(ecc_anom) - m
        step = f / (1.0 - e * np.cos(ecc_anom))
        ecc_anom = ecc_anom - step
        if np.all(np.abs(step) < 1e-15):
            break
    return ecc_anom


def mean_elements_to_state(
    mu: float,
    a: float,
    e: float,
    inc: float,
    raan: float,
    argp: float,
    mean_anomaly: np.ndarray,
) -> np.ndarray:
    """Cartesian states (..., 6) in km, km/s from elliptic elements (km, rad) and mean anomalies.

    Kernel: plain floats and arrays, no units.
    """
    mean_anomaly = np.asarray(mean_anomaly, dtype=float)
    ecc_anom = _solve_kepler_elliptic(mean_anomaly, e)
    cos_e, sin_e = np.cos(ecc_anom), np.sin(ecc_anom)
    root = math.sqrt(1.0 - e * e)
    r = a * (1.0 - e * cos_e)
    x = a * (cos_e - e)
    y = a * root * sin_e
    speed_scale = math.sqrt(mu * a) / r
    vx = -speed_scale * sin_e
    vy = speed_scale * root * cos_e
    co, so = math.cos(raan), math.sin(raan)
    cw, sw = math.cos(argp), math.sin(argp)
    ci, si = math.cos(inc), math.sin(inc)
    p_hat = np.array([co * cw - so * sw * ci, so * cw + co * sw * ci, sw * si])
    q_hat = np.array([-co * sw - so * cw * ci, -so * sw + co * cw * ci, cw * si])
    out = np.empty(mean_anomaly.shape + (6,))
    out[..., 0:3] = x[..., None] * p_hat + y[..., None] * q_hat
    out[..., 3:6] = vx[..., None] * p_hat + vy[..., None] * q_hat
    return out


@dataclass(frozen=True)
class SmallBody:
    """An asteroid or comet given by osculating heliocentric ecliptic-J2000 elements.

    Parameters
    ----------
    name : str
        What the body is called (used by :func:`orbits.state` once registered).
    a_au, e, i_deg, raan_deg, argp_deg, M_deg : float
        Semi-major axis (au), eccentricity (< 1), inclination, longitude of the
        ascending node, argument of perihelion and mean anomaly at ``epoch`` (deg).
    epoch : float or str or Time
        Epoch of the elements; stored as ET (TDB seconds past J2000).
    gm : float
        The body's own GM in km^3/s^2 (NaN when unknown).
    radius : float
        Mean radius in km (NaN when unknown).
    mu : float
        Central GM used for the propagation (the Sun's by default).
    aliases : tuple of str
        Other names the registry accepts (designations, numbers).
    source : str
        Where the elements come from.
    """

    name: str
    a_au: float
    e: float
    i_deg: float
    raan_deg: float
    argp_deg: float
    M_deg: float
    epoch: float
    gm: float = float("nan")
    radius: float = float("nan")
    mu: float = GM_SUN
    aliases: tuple[str, ...] = ()
    source: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.epoch, (int, float, np.floating)):
            from orbits.time import to_et

            object.__setattr__(self, "epoch", float(to_et(self.epoch)))
        object.__setattr__(self, "epoch", float(self.epoch))
        object.__setattr__(self, "aliases", tuple(self.aliases))
        if not (0.0 <= self.e < 1.0):
            raise ValueError(
                f"small body {self.name!r}: eccentricity must be in [0, 1) for an elliptic "
                f"orbit, got e={self.e}"
            )
        if not self.a_au > 0.0:
            raise ValueError(f"small body {self.name!r}: a must be positive, got {self.a_au} au")
        if not 0.0 <= self.i_deg <= 180.0:
            raise ValueError(
                f"small body {self.name!r}: inclination must be in [0, 180] deg, got {self.i_deg}"
            )

    @property
    def a_km(self) -> float:
        """Semi-major axis in km."""
        return self.a_au * AU_KM

    @property
    def period_days(self) -> float:
        """Orbital period in days."""
        return 2.0 * math.pi * math.sqrt(self.a_km**3 / self.mu) / DAY_S

    @property
    def mean_motion(self) -> float:
        """Mean motion in rad/s."""
        return math.sqrt(self.mu / self.a_km**3)

    def state_et(self, et: float | np.ndarray) -> np.ndarray:
        """Heliocentric ecliptic-J2000 state(s) (..., 6) in km, km/s at ephemeris time ``et`` (s)."""
        et = np.asarray(et, dtype=float)
        mean_anomaly = math.radians(self.M_deg) + self.mean_motion * (et - self.epoch)
        return mean_elements_to_state(
            self.mu,
            self.a_km,
            self.e,
            math.radians(self.i_deg),
            math.radians(self.raan_deg),
            math.radians(self.argp_deg),
            mean_anomaly,
        )

    def state(self, epochs: Any):
        """State vectors at ``epochs`` (Time, ISO strings, ...) as :class:`orbits.ephemeris.StateVectors`."""
        from orbits.ephemeris import state

        return state(self, epochs)

    def conics_elements(self) -> np.ndarray:
        """The 8 elements SPICE's ``conics`` takes: [rp, e, i, Ω, ω, M0, t0, mu] (km, rad, s)."""
        return np.array(
            [
                self.a_km * (1.0 - self.e),
                self.e,
                math.radians(self.i_deg),
                math.radians(self.raan_deg),
                math.radians(self.argp_deg),
                math.radians(self.M_deg),
                self.epoch,
                self.mu,
            ]
        )

    def __repr__(self) -> str:
        from orbits.time import et_to_iso

        return (
            f"SmallBody({self.name!r}: a={self.a_au:.6g} au, e={self.e:.5g}, i={self.i_deg:.5g}°, "
            f"Ω={self.raan_deg:.6g}°, ω={self.argp_deg:.6g}°, M={self.M_deg:.6g}° "
            f"at {et_to_iso(self.epoch, scale='tdb', precision=0)} TDB)"
        )


_REGISTRY: dict[str, SmallBody] = {}


def _key(name: str) -> str:
    return " ".join(str(name).strip().lower().replace("ʻ", "").replace("'", "").split())


def register_small_body(body: SmallBody) -> SmallBody:
    """Make ``body`` known to :func:`orbits.state` by its name and aliases (case-insensitive).

    Registering again under the same name replaces the earlier body.
    """
    if not isinstance(body, SmallBody):
        raise TypeError(f"register_small_body takes a SmallBody, got {type(body).__name__}")
    for name in (body.name, *body.aliases):
        _REGISTRY[_key(name)] = body
    return body


def get_small_body(name: str) -> SmallBody | None:
    """Return the registered small body called ``name`` (or one of its aliases), else None."""
    return _REGISTRY.get(_key(name))


def registered_small_bodies() -> dict[str, SmallBody]:
    """Return the registered small bodies by their primary name."""
    return {b.name: b for b in _REGISTRY.values()}
