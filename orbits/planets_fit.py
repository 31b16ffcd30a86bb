"""Planet positions made cheap: piecewise polynomial fits of the SPICE ephemeris (DE421).

The n-body propagator (:mod:`orbits.nbody`) needs the heliocentric positions of
the Sun's planets at every integration step. Asking SPICE inside the right-hand
side is slow and impossible inside heyoka's compiled Taylor integrator, so this
module fits each needed ephemeris *channel* with a polynomial of fixed degree on
a global grid of 16-day segments (segment ``k`` covers ET ``[k L, (k+1) L)``,
``L = 16 d``). Inside a segment a channel is ``p(x) = sum_j c_j x^j`` in the local
variable ``x = (et - mid_k) / (L/2)`` in ``[-1, 1]``; coefficients come from
Chebyshev interpolation at Chebyshev nodes and are converted to the monomial
basis; :mod:`orbits.nbody` loads them into heyoka as the initial values of
polynomial-chain state variables at each segment start, so one compiled
integrator serves every segment and every span.

Channels
--------
* ``mercury``, ``venus``, ``mars``, ``jupiter``, ``saturn``, ``uranus``,
  ``neptune``: heliocentric position of the planet (system barycentre).
* ``emb`` (Earth-Moon barycentre) and ``geomoon`` (geocentric Moon): the Earth
  and the Moon are linear combinations of these two, so the Moon's monthly
  wobble is fitted once instead of twice.
* ``indirect``: the indirect (frame) acceleration of a heliocentric frame,
  ``sum_b GM_b r_b / |r_b|^3`` over the perturbing bodies, which is a function of
  time only; fitting it saves one power per body per step.
* any other SPICE body (an asteroid SPK written by :mod:`orbits.targets_ephemeris`)
  can be *tracked* for events without perturbing.

Accuracy (measured against DE421 at points between the nodes, every segment;
see :meth:`PlanetFit.max_error_km` and ``docs/propagation.md``): under 1 m for
every body except at most a few metres for the Moon. The degrees were chosen by
increasing each until the fit met 0.1-1 m over 2025-2028.

heyoka's analytic theory VSOP2013 (``hy.model.vsop2013_cartesian_icrf``) was the
alternative: measured against DE421 over 2025-2035 it is off by 35 km (Earth-Moon
barycentre), 210 km (Jupiter) and 20 km (Mercury) even at truncation 1e-8, takes
seconds to compile per planet and has no Moon (see ``docs/propagation.md``).

>>> from orbits.planets_fit import fit_planets
>>> fit = fit_planets(("earth", "jupiter"), 8.0e8, 8.0e8 + 86400.0 * 30)
>>> fit.position("earth", 8.0e8 + 3600.0).shape
(3,)
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import spiceypy

from orbits.constants import gm
from orbits.spice import SPICE_LOCK, ensure_kernels

__all__ = [
    "DEFAULT_BODIES",
    "EARTH_MOON_BODIES",
    "PERTURBERS",
    "SEGMENT_DAYS",
    "FIT_PROFILES",
    "PlanetFit",
    "fit_planets",
    "gm_of",
]

#: Length of one fit segment in days (the grid is anchored at ET 0 = J2000 TDB).
SEGMENT_DAYS = 16.0
_SEG_S = SEGMENT_DAYS * 86400.0
_FRAME = "ECLIPJ2000"
_SUN = 10

# GM of each perturber: the planet-system barycentre where DE421 has no planet centre.
_GM_NAME = {
    "sun": "sun",
    "mercury": "mercury",
    "venus": "venus",
    "earth": "earth",
    "moon": "moon",
    "emb": "earth-moon barycenter",
    "mars": "mars barycenter",
    "jupiter": "jupiter barycenter",
    "saturn": "saturn barycenter",
    "uranus": "uranus barycenter",
    "neptune": "neptune barycenter",
}
_GM: dict[str, float] = {k: gm(v) for k, v in _GM_NAME.items()}

# Fitted channels: SPICE target, observer, polynomial degree on a 16-day segment.
_CHANNELS: dict[str, tuple[int, int, int]] = {
    "mercury": (1, _SUN, 13),
    "venus": (2, _SUN, 8),
    "emb": (3, _SUN, 8),
    "geomoon": (301, 399, 18),
    "mars": (4, _SUN, 7),
    "jupiter": (5, _SUN, 6),
    "saturn": (6, _SUN, 6),
    "uranus": (7, _SUN, 5),
    "neptune": (8, _SUN, 5),
}
_INDIRECT_DEGREE = 12
_TRACKED_DEGREE = 10

#: Fit profiles: segment length in days and the degree of each channel. ``"precise"``
#: (the default, 16-day segments) keeps every planet within metres of DE421. ``"fast"``
#: (64-day segments) is for batch work such as dispersion studies: four times fewer stops
#: of the integrator and shorter chains, with the Earth-Moon barycentre, Venus and Mars
#: within about 1 km of DE421, the outer planets within a few km, Mercury within tens of
#: thousands of km (its pull on a 1-au orbit is so small that this moves a spacecraft by
#: well under 1 km a year) and the indirect term within 6e-13 km/s^2 (docs/propagation.md).
FIT_PROFILES: dict[str, tuple[float, dict[str, int]]] = {
    "precise": (
        SEGMENT_DAYS,
        {**{k: v[2] for k, v in _CHANNELS.items()}, "indirect": _INDIRECT_DEGREE},
    ),
    "fast": (
        64.0,
        {
            "mercury": 12,
            "venus": 9,
            "emb": 8,
            "mars": 7,
            "jupiter": 4,
            "saturn": 3,
            "uranus": 3,
            "neptune": 3,
            "indirect": 9,
        },
    ),
}

_MOON_FRACTION = _GM["moon"] / (_GM["earth"] + _GM["moon"])

#: Bodies that can perturb, and how their heliocentric position is made from channels.
_PERTURBER_CHANNELS: dict[str, tuple[tuple[str, float], ...]] = {
    "mercury": (("mercury", 1.0),),
    "venus": (("venus", 1.0),),
    "earth": (("emb", 1.0), ("geomoon", -_MOON_FRACTION)),
    "moon": (("emb", 1.0), ("geomoon", 1.0 - _MOON_FRACTION)),
    "emb": (("emb", 1.0),),
    "mars": (("mars", 1.0),),
    "jupiter": (("jupiter", 1.0),),
    "saturn": (("saturn", 1.0),),
    "uranus": (("uranus", 1.0),),
    "neptune": (("neptune", 1.0),),
}
_NAIF_OF = {
    "mercury": 1,
    "venus": 2,
    "earth": 399,
    "moon": 301,
    "emb": 3,
    "mars": 4,
    "jupiter": 5,
    "saturn": 6,
    "uranus": 7,
    "neptune": 8,
}

#: Names accepted as perturbing bodies.
PERTURBERS: tuple[str, ...] = tuple(_PERTURBER_CHANNELS)
#: The eight planets, the Earth and Moon as one point at their barycentre (the default):
#: right for heliocentric cruise, where the Earth-Moon split changes the pull by
#: parts in 1e5 of the Earth's, and it keeps Taylor steps long.
DEFAULT_BODIES: tuple[str, ...] = (
    "mercury",
    "venus",
    "emb",
    "mars",
    "jupiter",
    "saturn",
    "uranus",
    "neptune",
)
#: The eight planets with the Earth and the Moon apart: for Earth flybys, returns and
#: departures (the Moon's month shortens the Taylor steps everywhere, so it costs more).
EARTH_MOON_BODIES: tuple[str, ...] = (
    "mercury",
    "venus",
    "earth",
    "moon",
    "mars",
    "jupiter",
    "saturn",
    "uranus",
    "neptune",
)

_LOCK = SPICE_LOCK
_SEGMENT_CACHE: dict[tuple, tuple[np.ndarray, float]] = {}
_FIT_CACHE: dict[tuple, Any] = {}


def gm_of(body: str) -> float:
    """GM of a perturbing body (or ``"sun"``) in km^3/s^2 (DE440 values, :mod:`orbits.constants`)."""
    try:
        return _GM[body]
    except KeyError:
        raise ValueError(
            f"unknown body {body!r} for the n-body force model: use one of {', '.join(_GM)}"
        ) from None


def _loaded_spk_files() -> tuple[int, str]:
    """A cheap fingerprint of the loaded SPK files: how many, and the last one loaded."""
    count = spiceypy.ktotal("SPK")
    return (count, spiceypy.kdata(count - 1, "SPK")[0] if count else "")


def _sample_position(target: int, observer: int, et: np.ndarray) -> np.ndarray:
    out = np.empty((et.size, 3))
    for i, t in enumerate(et):
        out[i] = spiceypy.spkgps(target, float(t), _FRAME, observer)[0]
    return out


def _indirect_samples(bodies: tuple[str, ...], et: np.ndarray) -> np.ndarray:
    acc = np.zeros((et.size, 3))
    for body in bodies:
        r = _sample_position(_NAIF_OF[body], _SUN, et)
        acc += _GM[body] * r / np.linalg.norm(r, axis=1)[:, None] ** 3
    return acc


def _cheb_nodes(degree: int) -> np.ndarray:
    k = np.arange(degree + 1)
    return np.cos(np.pi * (k + 0.5) / (degree + 1))


@functools.cache
def _fit_operators(degree: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nodes, the (degree+1, degree+1) map from node values to monomial coefficients of the
    Chebyshev interpolant, and the Vandermonde matrix of the check points."""
    nodes = _cheb_nodes(degree)
    cheb_vander = np.polynomial.chebyshev.chebvander(nodes, degree)  # values = V @ cheb
    to_cheb = np.linalg.inv(cheb_vander)
    cheb_to_mono = np.zeros((degree + 1, degree + 1))
    for j in range(degree + 1):
        unit = np.zeros(degree + 1)
        unit[j] = 1.0
        mono = np.polynomial.chebyshev.cheb2poly(unit)
        cheb_to_mono[: mono.size, j] = mono
    check = np.linspace(-1.0, 1.0, degree + 2)
    return nodes, cheb_to_mono @ to_cheb, np.polynomial.polynomial.polyvander(check, degree)


def _fit_segments(
    sampler, ks: list[int], degree: int, seg_s: float = _SEG_S
) -> list[tuple[np.ndarray, float]]:
    """Monomial coefficients (3, degree+1) of one channel on each segment k, and check errors."""
    nodes, to_mono, check_vander = _fit_operators(degree)
    check = check_vander[:, 1]
    mids = (np.asarray(ks, dtype=float) + 0.5) * seg_s
    et_nodes = (mids[:, None] + nodes[None, :] * 0.5 * seg_s).ravel()
    et_check = (mids[:, None] + check[None, :] * 0.5 * seg_s).ravel()
    values = sampler(np.concatenate([et_nodes, et_check]))
    n_nodes = et_nodes.size
    at_nodes = values[:n_nodes].reshape(len(ks), degree + 1, 3)
    truth = values[n_nodes:].reshape(len(ks), check.size, 3)
    mono = np.einsum("ij,sjc->sci", to_mono, at_nodes)  # (nseg, 3, degree+1)
    approx = np.einsum("pj,scj->spc", check_vander, mono)
    errors = np.abs(approx - truth).max(axis=(1, 2))
    return [(mono[i], float(errors[i])) for i in range(len(ks))]


@dataclass(frozen=True)
class PlanetFit:
    """Piecewise-polynomial ephemeris of the channels the force model needs, over whole segments.

    Attributes
    ----------
    bodies : tuple of str
        Perturbing bodies, in force-model order.
    tracked : tuple of str
        Every body whose position can be evaluated: the perturbers, then the
        extra (non-perturbing) bodies asked for, by NAIF id as a string.
    channels : tuple of str
        Fitted channel names; ``"indirect"`` (if present) is last.
    k0, nseg : int
        First segment index (ET ``k0 * L``) and the number of segments.
    degrees : tuple of int
        Polynomial degree of each channel.
    coeffs : tuple of ndarray
        Per channel, monomial coefficients ``(nseg, 3, degree+1)`` in km (or km/s^2
        for ``indirect``) of the local variable ``x`` in ``[-1, 1]``.
    weights : ndarray
        ``(len(tracked), len(channels))``: a tracked body's heliocentric position is
        ``sum_c weights[b, c] * channel_c``.
    gms : ndarray
        GM of each perturber in km^3/s^2.
    fit_error_km : dict
        Largest difference between fit and ephemeris at the check points, per
        channel (km; km/s^2 for ``indirect``).
    """

    bodies: tuple[str, ...]
    tracked: tuple[str, ...]
    channels: tuple[str, ...]
    k0: int
    nseg: int
    degrees: tuple[int, ...]
    coeffs: tuple[np.ndarray, ...]
    weights: np.ndarray
    gms: np.ndarray
    fit_error_km: dict[str, float] = field(default_factory=dict)

    segment_s: float = _SEG_S
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def et_start(self) -> float:
        """First ET covered by the fit (s past J2000 TDB)."""
        return self.k0 * self.segment_s

    @property
    def et_stop(self) -> float:
        """Last ET covered by the fit."""
        return (self.k0 + self.nseg) * self.segment_s

    @property
    def has_indirect(self) -> bool:
        return bool(self.channels) and self.channels[-1] == "indirect"

    def segment_edges(self) -> np.ndarray:
        """ET of the segment boundaries, ``(nseg + 1,)``."""
        return (self.k0 + np.arange(self.nseg + 1)) * self.segment_s

    def _locate(self, et: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if np.any(et < self.et_start) or np.any(et > self.et_stop):
            raise ValueError(
                f"epoch outside the planet fit [{self.et_start}, {self.et_stop}] ET: "
                "fit a wider span with fit_planets(...)"
            )
        k = np.clip(np.floor(et / self.segment_s).astype(int) - self.k0, 0, self.nseg - 1)
        x = (et - (self.k0 + k + 0.5) * self.segment_s) / (0.5 * self.segment_s)
        return k, x

    def channel(self, name: str, et: Any, derivative: bool = False) -> np.ndarray:
        """Evaluate one channel (or its time derivative, per second) at ``et``: ``(..., 3)``."""
        et = np.asarray(et, dtype=float)
        c = self.channels.index(name)
        k, x = self._locate(et.ravel())
        coef = self.coeffs[c][k]  # (n, 3, d+1)
        if derivative:
            powers = np.arange(coef.shape[-1])
            coef = (coef * powers)[..., 1:] / (0.5 * self.segment_s)
        out = np.zeros(coef.shape[:2])
        for j in range(coef.shape[-1] - 1, -1, -1):
            out = out * x[:, None] + coef[..., j]
        return out.reshape(et.shape + (3,))

    def _body_index(self, body: str | int) -> int:
        key = str(body).lower()
        if key not in self.tracked:
            raise ValueError(
                f"body {body!r} is not in this fit: it tracks {', '.join(self.tracked)}"
            )
        return self.tracked.index(key)

    def position(self, body: str | int, et: Any) -> np.ndarray:
        """Heliocentric ecliptic-J2000 position of a tracked body in km, ``(..., 3)``."""
        b = self._body_index(body)
        out = 0.0
        for c, w in enumerate(self.weights[b]):
            if w != 0.0:
                out = out + w * self.channel(self.channels[c], et)
        return np.asarray(out)

    def velocity(self, body: str | int, et: Any) -> np.ndarray:
        """Heliocentric velocity of a tracked body in km/s (derivative of the fit), ``(..., 3)``."""
        b = self._body_index(body)
        out = 0.0
        for c, w in enumerate(self.weights[b]):
            if w != 0.0:
                out = out + w * self.channel(self.channels[c], et, derivative=True)
        return np.asarray(out)

    def indirect_acceleration(self, et: Any) -> np.ndarray:
        """Fitted ``sum_b GM_b r_b / |r_b|^3`` in km/s^2, ``(..., 3)``."""
        return self.channel("indirect", et)

    def max_error_km(self) -> dict[str, float]:
        """Largest fit error per position channel in km at the check points."""
        return {k: v for k, v in self.fit_error_km.items() if k != "indirect"}

    def padded_coeffs(self) -> np.ndarray:
        """All channels as one zero-padded array ``(nchan, nseg, 3, maxdeg+1)`` (for numba)."""
        maxdeg = max(self.degrees, default=0)
        out = np.zeros((len(self.channels), self.nseg, 3, maxdeg + 1))
        for c, coef in enumerate(self.coeffs):
            out[c, :, :, : coef.shape[-1]] = coef
        return out

    def __repr__(self) -> str:
        from_days = self.et_start / 86400.0
        return (
            f"PlanetFit(bodies={list(self.bodies)}, tracked extra="
            f"{list(self.tracked[len(self.bodies) :])}, segments={self.nseg} x "
            f"{self.segment_s / 86400.0:g} d "
            f"from J2000{from_days:+.1f} d, max position error "
            f"{max(self.max_error_km().values(), default=0.0) * 1e3:.3g} m)"
        )


def _channel_plan(
    bodies: tuple[str, ...], extra_ids: tuple[int, ...]
) -> tuple[list[str], np.ndarray, list[str]]:
    channels: list[str] = []
    for body in bodies:
        for ch, _ in _PERTURBER_CHANNELS[body]:
            if ch not in channels:
                channels.append(ch)
    extra_names = [str(i) for i in extra_ids]
    channels += [f"naif:{i}" for i in extra_ids]
    if bodies:
        channels.append("indirect")
    tracked = list(bodies) + extra_names
    weights = np.zeros((len(tracked), len(channels)))
    for b, body in enumerate(bodies):
        for ch, w in _PERTURBER_CHANNELS[body]:
            weights[b, channels.index(ch)] = w
    for j, i in enumerate(extra_ids):
        weights[len(bodies) + j, channels.index(f"naif:{i}")] = 1.0
    return channels, weights, tracked


def _sampler_for(channel: str, bodies: tuple[str, ...], degrees: dict[str, int]):
    if channel == "indirect":
        return (lambda et: _indirect_samples(bodies, et)), degrees["indirect"]
    if channel.startswith("naif:"):
        naif = int(channel.split(":")[1])
        return (lambda et: _sample_position(naif, _SUN, et)), _TRACKED_DEGREE
    target, observer, _ = _CHANNELS[channel]
    if channel not in degrees:
        raise ValueError(
            f"this fit profile has no {channel!r} channel (the Moon needs short segments): "
            "use the 'emb' perturber or profile='precise'"
        )
    return (lambda et: _sample_position(target, observer, et)), degrees[channel]


def check_bodies(bodies: Sequence[str]) -> tuple[str, ...]:
    """Validate a perturber list: known names, no duplicates; returns lower-case names."""
    if isinstance(bodies, str):
        bodies = (bodies,)
    out = tuple(str(b).lower() for b in bodies)
    for b in out:
        if b not in _PERTURBER_CHANNELS:
            raise ValueError(
                f"unknown perturbing body {b!r}: use names from {', '.join(PERTURBERS)}"
            )
    if len(set(out)) != len(out):
        raise ValueError(f"perturbing bodies listed twice in {list(out)}")
    if "emb" in out and ("earth" in out or "moon" in out):
        raise ValueError("use either 'emb' or 'earth'/'moon' as perturbers, not both")
    return out


def fit_planets(
    bodies: Sequence[str],
    et_start: float,
    et_stop: float,
    extra_ids: Sequence[int] = (),
    profile: str = "precise",
) -> PlanetFit:
    """Fit the ephemeris channels needed for ``bodies`` over whole segments covering a span.

    Parameters
    ----------
    bodies : sequence of str
        Perturbing bodies (names in :data:`PERTURBERS`).
    et_start, et_stop : float
        Span to cover, ET seconds (either order).
    extra_ids : sequence of int
        NAIF ids of further bodies to track (for events) without perturbing; they
        must be covered by a loaded SPK.
    profile : str
        ``"precise"`` (16-day segments, metres) or ``"fast"`` (64-day segments, about
        1 km for the inner planets; for batch propagation), see :data:`FIT_PROFILES`.

    Segment fits are cached per process (by channel, segment and the loaded SPK
    files), so refitting an overlapping span is cheap.
    """
    bodies = check_bodies(bodies)
    if profile not in FIT_PROFILES:
        raise ValueError(f"unknown fit profile {profile!r}: use one of {', '.join(FIT_PROFILES)}")
    seg_s = FIT_PROFILES[profile][0] * 86400.0
    profile_degrees = FIT_PROFILES[profile][1]
    extra = tuple(int(i) for i in extra_ids)
    lo, hi = sorted((float(et_start), float(et_stop)))
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"span must be finite ET seconds, got {et_start!r} to {et_stop!r}")
    k0 = int(lo // seg_s)
    k1 = max(int(-(-hi // seg_s)), k0 + 1)
    ensure_kernels()
    with _LOCK:
        fit_key = (bodies, extra, k0, k1, profile, _loaded_spk_files())
        cached = _FIT_CACHE.get(fit_key)
    if cached is not None:
        return cached
    channels, weights, tracked = _channel_plan(bodies, extra)
    coeffs: list[np.ndarray] = []
    degrees: list[int] = []
    errors: dict[str, float] = {}
    with _LOCK:
        for ch in channels:
            sampler, degree = _sampler_for(ch, bodies, profile_degrees)
            key_ch = (ch, bodies if ch == "indirect" else (), seg_s, degree, fit_key[-1])
            missing = [k for k in range(k0, k1) if (key_ch, k) not in _SEGMENT_CACHE]
            if missing:
                try:
                    fitted = _fit_segments(sampler, missing, degree, seg_s)
                except spiceypy.utils.exceptions.SpiceyError as exc:
                    raise ValueError(
                        f"cannot fit channel {ch!r} on ET [{k0 * seg_s:.0f}, "
                        f"{k1 * seg_s:.0f}]: the loaded kernels do not cover it "
                        f"({exc.short})"
                    ) from None
                for k, hit in zip(missing, fitted, strict=True):
                    _SEGMENT_CACHE[(key_ch, k)] = hit
            rows = [_SEGMENT_CACHE[(key_ch, k)][0] for k in range(k0, k1)]
            worst = max(_SEGMENT_CACHE[(key_ch, k)][1] for k in range(k0, k1))
            coeffs.append(np.stack(rows))
            degrees.append(degree)
            errors[ch] = worst
    fit = PlanetFit(
        bodies=bodies,
        tracked=tuple(tracked),
        channels=tuple(channels),
        k0=k0,
        nseg=k1 - k0,
        degrees=tuple(degrees),
        coeffs=tuple(coeffs),
        weights=weights,
        gms=np.array([_GM[b] for b in bodies]),
        fit_error_km=errors,
        segment_s=seg_s,
    )
    with _LOCK:
        if len(_FIT_CACHE) > 64:
            _FIT_CACHE.clear()
        _FIT_CACHE[fit_key] = fit
    return fit
