"""High-fidelity heliocentric propagation: Sun and planets, solar pressure, finite burns, events.

The equations of motion are written in the heliocentric ecliptic-J2000 frame
(a non-inertial frame, hence the *indirect* term)::

    r'' = -GM_sun r/|r|^3
          - sum_b GM_b [ (r - r_b)/|r - r_b|^3 + r_b/|r_b|^3 ]      (point-mass planets)
          + P0 Cr A/m (1 au/|r|)^2 r/|r|                            (cannonball SRP)
          + F u / m ,   m' = -F / (Isp g0)                          (finite burns)

with the planets' positions ``r_b`` from piecewise polynomial fits of DE421
(:mod:`orbits.planets_fit`), carried inside the integrator as polynomial-chain
state variables (see :func:`_build_system`). It is integrated by heyoka's Taylor
method: one compiled integrator per force model (segment data, SRP and thrust
are loaded at run time), stopping at every 16-day fit segment and at every burn
start and end to load the next values. Compiled integrators are cached in
memory and pickled into ``<cache>/heyoka/`` (unpickling takes milliseconds,
compiling seconds to tens of seconds). Internally the units are au and ``T = sqrt(au^3/GM_sun)``
(about 58.1 days) so that the tolerance means the same for every state
component; kernels and results are km, km/s, ET seconds.

Events: for a body named in ``events``, the closest approaches (minima of the
distance; the event function is ``(r - r_b).(v - v_b)``) and, for perturbing
bodies, crossings of the sphere of influence ``a_b (GM_b/GM_sun)^(2/5)``.

Kernel (plain floats): :func:`propagate_et`, :func:`propagate_batch_et`.
Face (Quantity/Time/ISO in, xarray out): :func:`propagate`.

>>> import numpy as np
>>> from orbits.nbody import propagate_et
>>> state0 = np.array([1.496e8, 0.0, 0.0, 0.0, 29.78, 0.0])
>>> result = propagate_et(state0, 8.0e8, [8.0e8 + 86400.0 * 30])
>>> result.state.shape
(1, 6)
"""

from __future__ import annotations

import copy
import functools
import hashlib
import inspect
import math
import os
import pickle
import platform
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from orbits.constants import AU_KM, GM_SUN
from orbits.planets_fit import (
    DEFAULT_BODIES,
    FIT_PROFILES,
    PlanetFit,
    check_bodies,
    fit_planets,
    gm_of,
)

__all__ = [
    "Correction",
    "correct_velocity_et",
    "SRP_PRESSURE_1AU",
    "Event",
    "FiniteBurn",
    "ForceModel",
    "NBodyResult",
    "Propagation",
    "Spacecraft",
    "propagate",
    "propagate_batch_et",
    "propagate_et",
    "soi_radius_km",
    "srp_acceleration",
]

#: Solar radiation pressure on a perfect absorber at 1 au, N/m^2 (1367 W/m^2 / c).
SRP_PRESSURE_1AU = 4.56e-6
#: Standard gravity for Isp, m/s^2.
G0 = 9.80665

_T = math.sqrt(AU_KM**3 / GM_SUN)  # time unit, s
_V = AU_KM / _T  # velocity unit, km/s
_A = AU_KM / _T**2  # acceleration unit, km/s^2

# Semi-major axes (au, J2000 mean elements, Standish) for spheres of influence.
_SEMI_MAJOR_AU = {
    "mercury": 0.38709927,
    "venus": 0.72333566,
    "earth": 1.00000261,
    "emb": 1.00000261,
    "mars": 1.52371034,
    "jupiter": 5.20288700,
    "saturn": 9.53667594,
    "uranus": 19.18916464,
    "neptune": 30.06992276,
}
_MOON_A_KM = 384_400.0


def soi_radius_km(body: str) -> float:
    """Laplace sphere-of-influence radius ``a (GM_b/GM_primary)^(2/5)`` in km.

    The Moon's is about the Earth (a = 384,400 km); the others about the Sun.
    """
    body = body.lower()
    if body == "moon":
        return _MOON_A_KM * (gm_of("moon") / gm_of("earth")) ** 0.4
    if body not in _SEMI_MAJOR_AU:
        raise ValueError(
            f"no sphere of influence for {body!r}: use one of {sorted(_SEMI_MAJOR_AU)}"
        )
    return _SEMI_MAJOR_AU[body] * AU_KM * (gm_of(body) / GM_SUN) ** 0.4


def srp_acceleration(r_km: Any, area_m2: float, mass_kg: float, cr: float = 1.0) -> np.ndarray:
    """Cannonball solar-pressure acceleration in km/s^2 at heliocentric positions ``r_km`` (..., 3).

    ``a = P0 Cr A/m (1 au/|r|)^2`` along the Sun-spacecraft line, P0 =
    :data:`SRP_PRESSURE_1AU`.
    """
    r = np.asarray(r_km, dtype=float)
    dist = np.linalg.norm(r, axis=-1, keepdims=True)
    k = SRP_PRESSURE_1AU * cr * area_m2 / mass_kg / 1000.0 * AU_KM**2  # km^3/s^2
    return k * r / dist**3


# --------------------------------------------------------------------------- inputs


def _plain(value: Any, unit: str, what: str) -> float:
    """A float in ``unit`` from a float or an astropy Quantity."""
    if hasattr(value, "unit") and hasattr(value, "to_value"):
        return float(value.to_value(unit))
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be a number in {unit} or a Quantity, got {value!r}") from None
    return out


@dataclass(frozen=True)
class ForceModel:
    """Which bodies perturb and how tightly to integrate.

    Parameters
    ----------
    bodies : tuple of str
        Perturbing point masses besides the Sun (names in
        :data:`orbits.planets_fit.PERTURBERS`); ``()`` gives the two-body problem.
    tol : float
        heyoka's Taylor tolerance (relative, in au and ``T`` units).
    fit : str
        Planet-fit profile (:data:`orbits.planets_fit.FIT_PROFILES`): ``"precise"``
        (16-day segments, metres from DE421) or ``"fast"`` (64-day segments, about 1 km
        for the inner planets, no Moon; about 1.7 times as fast in batch mode).
    """

    bodies: tuple[str, ...] = DEFAULT_BODIES
    tol: float = 1e-10
    fit: str = "precise"

    def __post_init__(self) -> None:
        object.__setattr__(self, "bodies", check_bodies(self.bodies))
        if self.fit not in FIT_PROFILES:
            raise ValueError(
                f"unknown planet-fit profile {self.fit!r}: use one of {', '.join(FIT_PROFILES)}"
            )
        if not (1e-18 < float(self.tol) < 1e-3):
            raise ValueError(f"tolerance must be in (1e-18, 1e-3), got {self.tol}")


@dataclass(frozen=True)
class Spacecraft:
    """Mass and cannonball solar-pressure properties of a spacecraft.

    ``mass_kg`` is the mass at the start of the propagation; ``area_m2`` the
    sunlit cross-section; ``cr`` the reflectivity coefficient (1 absorbs, 2 mirrors).
    Quantities are accepted and converted.
    """

    mass_kg: float
    area_m2: float = 0.0
    cr: float = 1.3

    def __post_init__(self) -> None:
        object.__setattr__(self, "mass_kg", _plain(self.mass_kg, "kg", "mass_kg"))
        object.__setattr__(self, "area_m2", _plain(self.area_m2, "m2", "area_m2"))
        object.__setattr__(self, "cr", float(self.cr))
        if not self.mass_kg > 0.0:
            raise ValueError(f"spacecraft mass must be positive, got {self.mass_kg} kg")
        if self.area_m2 < 0.0:
            raise ValueError(f"SRP area must be zero or positive, got {self.area_m2} m^2")
        if not 0.0 <= self.cr <= 2.0:
            raise ValueError(f"reflectivity coefficient Cr must be in [0, 2], got {self.cr}")


@dataclass(frozen=True)
class FiniteBurn:
    """A constant-thrust arc: fixed inertial direction and thrust, mass flow from Isp.

    Parameters
    ----------
    start : float or str or Time
        Ignition epoch (ET seconds, ISO UTC string or astropy Time).
    duration_s : float or Quantity
        Burn length (> 0).
    thrust_n : float or Quantity
        Thrust in newtons (> 0).
    isp_s : float or Quantity
        Specific impulse in seconds (> 0).
    direction : (3,) array
        Thrust direction in the ecliptic-J2000 frame (normalised here).
    """

    start: Any
    duration_s: float
    thrust_n: float
    isp_s: float
    direction: Any = (1.0, 0.0, 0.0)

    def __post_init__(self) -> None:
        if not isinstance(self.start, (int, float, np.floating)):
            from orbits.time import to_et

            object.__setattr__(self, "start", float(to_et(self.start)))
        object.__setattr__(self, "start", float(self.start))
        object.__setattr__(self, "duration_s", _plain(self.duration_s, "s", "duration_s"))
        object.__setattr__(self, "thrust_n", _plain(self.thrust_n, "N", "thrust_n"))
        object.__setattr__(self, "isp_s", _plain(self.isp_s, "s", "isp_s"))
        u = np.asarray(self.direction, dtype=float).reshape(-1)
        norm = float(np.linalg.norm(u)) if u.size == 3 else 0.0
        if u.size != 3 or not norm > 0.0 or not np.isfinite(norm):
            raise ValueError(f"burn direction must be a non-zero 3-vector, got {self.direction!r}")
        object.__setattr__(self, "direction", tuple(u / norm))
        for name in ("duration_s", "thrust_n", "isp_s"):
            if not getattr(self, name) > 0.0:
                raise ValueError(f"burn {name} must be positive, got {getattr(self, name)}")

    @property
    def stop(self) -> float:
        """Cut-off epoch, ET seconds."""
        return self.start + self.duration_s

    @property
    def mass_flow_kg_s(self) -> float:
        """Propellant flow, kg/s."""
        return self.thrust_n / (self.isp_s * G0)


@dataclass(frozen=True)
class Event:
    """One detected event: a closest approach or a sphere-of-influence entry/exit."""

    kind: str  # "closest_approach", "soi_entry", "soi_exit"
    body: str
    et: float
    distance_km: float
    speed_km_s: float  # relative speed to the body

    @property
    def iso(self) -> str:
        from orbits.time import et_to_iso

        return str(et_to_iso(self.et))

    def __repr__(self) -> str:
        try:
            when = self.iso + " UTC"
        except Exception:  # noqa: BLE001  (repr must never fail)
            when = f"ET {self.et:.3f}"
        return (
            f"Event({self.kind} {self.body} at {when}: {self.distance_km:,.1f} km, "
            f"{self.speed_km_s:.4f} km/s)"
        )


@dataclass
class NBodyResult:
    """Kernel result of :func:`propagate_et` (km, km/s, kg, ET seconds)."""

    et: np.ndarray  # (m,)
    state: np.ndarray  # (m, 6)
    mass_kg: np.ndarray | None  # (m,) when a spacecraft was given
    events: tuple[Event, ...]
    nsteps: int
    step_et: np.ndarray  # ET of every Taylor step boundary (for SPK sampling)
    _pieces: list = field(default_factory=list, repr=False)
    _t_ref: float = 0.0
    et0: float = float("nan")  # epoch of the initial state

    def dense(self, et: Any) -> np.ndarray:
        """States (..., 6) at any ET inside the propagated span, from Taylor dense output.

        Needs ``propagate_et(..., dense=True)``.
        """
        if not self._pieces:
            raise ValueError("no dense output: call propagate_et(..., dense=True)")
        et = np.asarray(et, dtype=float)
        flat = et.ravel()
        out = np.full((flat.size, 7), np.nan)
        for a, b, c_out in self._pieces:
            mask = (flat >= min(a, b)) & (flat <= max(a, b))
            if mask.any():
                vals = np.asarray(c_out((flat[mask] - self._t_ref) / _T))[:, :7]
                out[mask, : vals.shape[-1]] = vals
        if np.isnan(out[:, :6]).any():
            raise ValueError("epochs outside the propagated span asked of the dense output")
        return _from_canonical(out[:, :6]).reshape(et.shape + (6,))


def _to_canonical(state: np.ndarray) -> np.ndarray:
    out = np.array(state, dtype=float, copy=True)
    out[..., :3] /= AU_KM
    out[..., 3:6] /= _V
    return out


def _from_canonical(state: np.ndarray) -> np.ndarray:
    out = np.array(state, dtype=float, copy=True)
    out[..., :3] *= AU_KM
    out[..., 3:6] *= _V
    return out


# --------------------------------------------------------------------------- the ODE


@dataclass(frozen=True)
class _Layout:
    """Where things are in heyoka's state and parameter vectors."""

    srp: int  # index of the SRP constant (or -1)
    thrust: int  # first of 3 thrust components, then mass flow (or -1)
    npars: int
    n_core: int  # 6, or 7 with the mass ratio
    n_poly: int  # polynomial-chain states after the core
    stepped: tuple[bool, ...] = ()  # per channel: chain seen by the step-size control


@dataclass(frozen=True)
class _EventSpec:
    kind: str  # "closest" or "soi"
    body: str
    index: int  # row in fit.tracked
    radius_can: float = 0.0


class _EventRecorder:
    """Non-terminal event callback: records time, direction and the dense state."""

    def __init__(self) -> None:
        self.log: list[tuple[float, int, np.ndarray]] = []

    def __call__(self, ta, time, d_sgn) -> None:
        ta.update_d_output(time)
        self.log.append((float(time), int(d_sgn), np.array(ta.d_output, copy=True)))


def _build_system(
    channel_degrees: tuple[int, ...],
    weights: np.ndarray,
    gms_can: np.ndarray,
    n_perturbers: int,
    has_indirect: bool,
    spacecraft: bool,
    events: tuple[_EventSpec, ...],
    segment_s: float,
    order: int,
):
    """heyoka ODE system, parameter layout and events for one force model.

    A fitted channel ``p(t)`` (a polynomial of degree ``d`` in time within a
    segment) enters as ``q_0`` where ``q_j = d^j p/dt^j`` (time in ``T`` units) are
    extra state variables obeying the bare
    chain ``q_j' = q_{j+1}``, ``q_d' = 0``. Their Taylor coefficients cost a copy
    each (a bare variable on the right-hand side needs no intermediate term, where
    ``c q_{j+1}`` did: 8% faster per step for the full model), where evaluating the
    polynomial inside the expression costs ``d`` series products per step (eight
    times slower). At each segment start the chain is reloaded with the next
    segment's derivatives (no runtime parameters: an offset parameter per channel
    and axis cost one more series sum per step).

    A channel of degree above the Taylor ``order`` (the geocentric Moon, or any at a
    loose tolerance) is not integrated exactly, so its chain must steer the step size:
    it keeps the normalised form ``q_j = p^(j)(x)/j!`` in the local time ``x``, with
    ``q_j' = (j+1) x' q_{j+1}``, scaled by :data:`_STEPPED_SCALE` only.
    """
    import heyoka as hy

    n_core = 7 if spacecraft else 6
    n_poly = sum(3 * (d + 1) for d in channel_degrees)
    names = ["x", "y", "z", "vx", "vy", "vz"] + (["m"] if spacecraft else [])
    names += [f"q{i}" for i in range(n_poly)]
    v = hy.make_vars(*names)
    x, y, z, vx, vy, vz = v[:6]
    q = v[n_core:]
    chain = []
    chan_pos, chan_vel = [], []
    iq = 0
    inv_h = 2.0 * _T / segment_s
    stepped = tuple(d > order for d in channel_degrees)
    for degree, seen in zip(channel_degrees, stepped, strict=True):
        comps, dcomps = [], []
        for _ in range(3):
            if seen:
                comps.append(q[iq] * (1.0 / _STEPPED_SCALE))
                dcomps.append((inv_h / _STEPPED_SCALE) * q[iq + 1])
                for j in range(degree + 1):
                    rhs = (inv_h * (j + 1)) * q[iq + j + 1] if j < degree else hy.expression(0.0)
                    chain.append((q[iq + j], rhs))
            else:
                comps.append(q[iq] * (1.0 / _CHAIN_SCALE))
                dcomps.append(
                    q[iq + 1] * (1.0 / _CHAIN_SCALE) if degree >= 1 else hy.expression(0.0)
                )
                for j in range(degree + 1):
                    chain.append((q[iq + j], q[iq + j + 1] if j < degree else hy.expression(0.0)))
            iq += degree + 1
        chan_pos.append(comps)
        chan_vel.append(dcomps)
    ip = 0

    def combo(row, table):
        out = [None, None, None]
        for c, w in enumerate(row):
            if w == 0.0:
                continue
            for i in range(3):
                term = table[c][i] if w == 1.0 else float(w) * table[c][i]
                out[i] = term if out[i] is None else out[i] + term
        return out

    body_pos = [combo(weights[b], chan_pos) for b in range(weights.shape[0])]
    r2 = x * x + y * y + z * z
    ir3 = r2**-1.5
    sun_k = hy.expression(1.0)
    srp = thrust = -1
    if spacecraft:
        mass = v[6]
        srp = ip
        sun_k = 1.0 - hy.par[srp] / mass
        thrust = ip + 1
        ip += 5
    # each term's factor (-GM/d^3) once, then one n-ary sum per axis: fewer series
    # operations per Taylor step than scaling every component and chaining binary sums
    k_sun = -sun_k * ir3 if spacecraft else -ir3
    terms = [[x * k_sun], [y * k_sun], [z * k_sun]]
    for b in range(n_perturbers):
        px, py, pz = body_pos[b]
        dx, dy, dz = x - px, y - py, z - pz
        k_b = -float(gms_can[b]) * (dx * dx + dy * dy + dz * dz) ** -1.5
        for i, d in enumerate((dx, dy, dz)):
            terms[i].append(d * k_b)
    if has_indirect:
        for i in range(3):
            terms[i].append(-chan_pos[-1][i])
    if spacecraft:
        for i in range(3):
            terms[i].append(hy.par[thrust + i] / mass)
    acc = [hy.sum(t) for t in terms]
    sys = [(x, vx), (y, vy), (z, vz), (vx, acc[0]), (vy, acc[1]), (vz, acc[2])]
    if spacecraft:
        sys.append((v[6], -hy.par[thrust + 3]))
    sys += chain

    nt_events = []
    for spec in events:
        bx, by, bz = body_pos[spec.index]
        dx, dy, dz = x - bx, y - by, z - bz
        if spec.kind == "closest":
            bvx, bvy, bvz = combo(weights[spec.index], chan_vel)
            expr = dx * (vx - bvx) + dy * (vy - bvy) + dz * (vz - bvz)
            direction = hy.event_direction.positive
        else:
            expr = dx * dx + dy * dy + dz * dz - spec.radius_can**2
            direction = hy.event_direction.any
        nt_events.append(hy.nt_event(expr, _EventRecorder(), direction=direction))
    layout = _Layout(srp, thrust, ip, n_core, n_poly, stepped)
    return sys, layout, nt_events


#: The chain states are stored multiplied by this, so that neither their values (the
#: 13th time derivative of Mercury's position reaches ~1e10 au/T^13) nor their Taylor
#: coefficients (exact: a polynomial is integrated exactly when its degree is at most
#: the Taylor order) steer heyoka's tolerance and step-size control, which must follow
#: the spacecraft.
_CHAIN_SCALE = 1e-30
#: Scale of a chain that must steer the step size (degree above the Taylor order).
_STEPPED_SCALE = 1e-8


def _taylor_order(tol: float) -> int:
    """heyoka's Taylor order for a tolerance: ceil(-ln(tol)/2 + 1) (13 at 1e-10)."""
    return int(math.ceil(-math.log(tol) / 2.0 + 1.0))


@functools.cache
def _binomials(degree: int) -> tuple[np.ndarray, np.ndarray]:
    m = np.arange(degree + 1)[:, None]
    j = np.arange(degree + 1)[None, :]
    binom = np.array(
        [
            [math.comb(mm, jj) if mm >= jj else 0 for jj in range(degree + 1)]
            for mm in range(degree + 1)
        ],
        dtype=float,
    )
    return binom, np.maximum(m - j, 0).astype(float)


def _shift_matrix(degree: int, x: float) -> np.ndarray:
    """S with ``b = a @ S``: Taylor coefficients at ``x`` of the polynomial with monomial coeffs a."""
    binom, expo = _binomials(degree)
    return binom * np.power(float(x), expo)


@functools.cache
def _chain_factors(degree: int, segment_s: float, stepped: tuple[bool, ...]) -> np.ndarray:
    """(nchan, 1, D+1) factors from Taylor coefficients in local time x to chain states.

    ``j! (dx/dt)^j`` (the j-th time derivative, T units) times :data:`_CHAIN_SCALE`, or
    :data:`_STEPPED_SCALE` alone for a stepped channel.
    """
    g = 2.0 * _T / segment_s
    exact = np.array([math.factorial(j) * g**j for j in range(degree + 1)]) * _CHAIN_SCALE
    rows = [np.full(degree + 1, _STEPPED_SCALE) if seen else exact for seen in stepped]
    return np.array(rows)[:, None, :]


def _chain_meta(fit: PlanetFit):
    """Padded coefficients, per-channel scale and the mask that picks chain entries (cached)."""
    hit = fit.cache.get("chain_meta")
    if hit is None:
        padded = fit.padded_coeffs()  # (nchan, nseg, 3, D+1)
        nchan = padded.shape[0]
        scale = np.full(nchan, 1.0 / AU_KM)
        if fit.has_indirect:
            scale[-1] = 1.0 / _A
        maxdeg = padded.shape[-1] - 1
        mask = np.zeros((nchan, 3, maxdeg + 1), dtype=bool)
        for c, d in enumerate(fit.degrees):
            mask[c, :, : d + 1] = True
        hit = (padded, scale, mask, maxdeg)
        fit.cache["chain_meta"] = hit
    return hit


def _chain_state(fit: PlanetFit, k: int, x: float, stepped: tuple[bool, ...]) -> np.ndarray:
    """Chain states (position and its time derivatives) for segment k at local time x."""
    if not fit.coeffs:
        return np.empty(0)
    padded, scale, mask, maxdeg = _chain_meta(fit)
    b = (padded[:, k] @ _shift_matrix(maxdeg, x)) * scale[:, None, None]  # (nchan, 3, D+1)
    return (b * _chain_factors(maxdeg, fit.segment_s, stepped))[mask]


def _chain_tables(fit: PlanetFit, side: float, stepped: tuple[bool, ...]) -> np.ndarray:
    """Chain states at every segment's start (side=-1) or end (side=+1), cached."""
    key = ("chain_states", side, stepped)
    hit = fit.cache.get(key)
    if hit is None:
        hit = np.array([_chain_state(fit, k, side, stepped) for k in range(fit.nseg)])
        fit.cache[key] = hit
    return hit


def _segment_plan(fit: PlanetFit, layout: _Layout, et0: float, bps: np.ndarray, sign: float):
    """For each piece ending at ``bps[i]``: the chain states to load first, or None."""
    loads = []
    a, current_k = et0, None
    for b in bps:
        load = None
        if layout.n_poly:
            k = min(int((0.5 * (a + b)) // fit.segment_s) - fit.k0, fit.nseg - 1)
            if k != current_k:
                if current_k is None:
                    x = (a - (fit.k0 + k + 0.5) * fit.segment_s) / (0.5 * fit.segment_s)
                    load = _chain_state(fit, k, x, layout.stepped)
                else:
                    tables = _chain_tables(fit, -1.0 if sign > 0 else 1.0, layout.stepped)
                    load = tables[k]
                current_k = k
        loads.append(load)
        a = b
    return loads


_CACHE: dict[tuple, tuple[Any, _Layout, threading.Lock]] = {}
#: Changes whenever the code that builds the ODE changes, so stale pickles are never loaded.
_BUILD_FINGERPRINT = hashlib.sha256(
    (
        inspect.getsource(_build_system)
        + inspect.getsource(_taylor_order)
        + repr((_CHAIN_SCALE, _STEPPED_SCALE, _T))
    ).encode()
).hexdigest()[:16]
_CACHE_LOCK = threading.Lock()
#: Extra copies of a batch integrator for propagate_batch_et(workers > 1), by id of the
#: cached original (used under its lock).
_WORKER_COPIES: dict[int, list] = {}


def _cache_dir() -> Path:
    from orbits.spice import cache_dir

    path = cache_dir() / "heyoka"
    path.mkdir(parents=True, exist_ok=True)
    return path


_MAX_PICKLES = 40


def _prune_cache(directory: Path) -> None:
    """Keep the newest pickled integrators only (old code versions leave stale ones)."""
    files = sorted(directory.glob("ta_*.pkl"), key=lambda f: f.stat().st_mtime, reverse=True)
    for stale in files[_MAX_PICKLES:]:
        stale.unlink(missing_ok=True)


def _integrator(
    fit: PlanetFit,
    spacecraft: bool,
    events: tuple[_EventSpec, ...],
    tol: float,
    batch: int = 0,
    compact: bool = False,
):
    """A compiled heyoka integrator for this force model (memory, then disk cache, then build)."""
    import heyoka as hy

    gms_can = fit.gms / GM_SUN
    mem_key = (
        fit.bodies,
        len(fit.tracked),
        fit.degrees,
        fit.segment_s,
        spacecraft,
        events,
        tol,
        batch,
        compact,
    )
    hit = _CACHE.get(mem_key)
    if hit is not None:
        return hit
    key_src = repr(
        (
            "kamo-nbody-v2",
            _BUILD_FINGERPRINT,
            hy.__version__,
            platform.machine(),
            hy.recommended_simd_size(),
            fit.degrees,
            fit.segment_s,
            fit.weights.round(15).tolist(),
            gms_can.tolist(),
            len(fit.bodies),
            fit.has_indirect,
            spacecraft,
            events,
            tol,
            batch,
            compact,
        )
    )
    key = hashlib.sha256(key_src.encode()).hexdigest()[:24]
    with _CACHE_LOCK:
        hit = _CACHE.get(mem_key)
        if hit is not None:
            return hit
        path = _cache_dir() / f"ta_{key}.pkl"
        ta = layout = None
        if path.is_file():
            try:
                with path.open("rb") as fh:
                    ta, layout = pickle.load(fh)
                os.utime(path)  # recently used: pruning keeps it
            except Exception:  # noqa: BLE001  (a stale or partial cache file: rebuild)
                ta = None
        if ta is None:
            sys, layout, nt_events = _build_system(
                fit.degrees,
                fit.weights,
                gms_can,
                len(fit.bodies),
                fit.has_indirect,
                spacecraft,
                events,
                fit.segment_s,
                _taylor_order(tol),
            )
            n = len(sys)
            if batch:
                pars = {"pars": np.zeros((layout.npars, batch))} if layout.npars else {}
                ta = hy.taylor_adaptive_batch(
                    sys, np.zeros((n, batch)), tol=tol, compact_mode=compact, **pars
                )
            else:
                pars = {"pars": np.zeros(layout.npars)} if layout.npars else {}
                ta = hy.taylor_adaptive(
                    sys, np.zeros(n), tol=tol, compact_mode=compact, nt_events=nt_events, **pars
                )
            tmp = path.with_suffix(f".tmp{os.getpid()}")
            try:
                with tmp.open("wb") as fh:
                    pickle.dump((ta, layout), fh)
                os.replace(tmp, path)
                _prune_cache(path.parent)
            except OSError:
                pass
        entry = (ta, layout, threading.Lock())
        _CACHE[mem_key] = entry
        return entry


def _breakpoints(fit: PlanetFit, et0: float, et1: float, burns: Sequence[FiniteBurn]) -> np.ndarray:
    edges = list(fit.segment_edges()) if fit.channels else []
    for burn in burns:
        edges += [burn.start, burn.stop]
    lo, hi = min(et0, et1), max(et0, et1)
    inner = sorted({e for e in edges if lo < e < hi})
    pts = np.array(inner + [hi]) if et1 >= et0 else np.array(inner[::-1] + [lo])
    return pts


def _check_burns(burns: Sequence[FiniteBurn]) -> tuple[FiniteBurn, ...]:
    burns = tuple(sorted(burns, key=lambda b: b.start))
    for b in burns:
        if not isinstance(b, FiniteBurn):
            raise TypeError(f"burns must be FiniteBurn objects, got {type(b).__name__}")
    for a, b in zip(burns, burns[1:], strict=False):
        if b.start < a.stop:
            raise ValueError(
                f"burns overlap: one starts at ET {b.start:.1f} before the previous ends at "
                f"ET {a.stop:.1f}; merge them or shift one"
            )
    return burns


def _event_specs(fit: PlanetFit, bodies: Sequence[str], tracked_names: Sequence[str]):
    specs = []
    for name, tracked in zip(bodies, tracked_names, strict=True):
        idx = fit.tracked.index(tracked)
        specs.append(_EventSpec("closest", name, idx))
        if name in fit.bodies:
            specs.append(_EventSpec("soi", name, idx, soi_radius_km(name) / AU_KM))
    return tuple(specs)


def _resolve_event_bodies(events: Sequence[Any], perturbers: tuple[str, ...]):
    """Split event bodies into perturbers (by name) and extra NAIF ids to track."""
    import spiceypy

    names, tracked, extra = [], [], []
    for body in events:
        key = str(body).strip().lower()
        if key in perturbers:
            names.append(key)
            tracked.append(key)
            continue
        if isinstance(body, (int, np.integer)) or key.lstrip("-").isdigit():
            naif = int(key)
        else:
            try:
                code = spiceypy.bods2c(key.upper())
            except spiceypy.utils.exceptions.SpiceyError:
                raise ValueError(
                    f"event body {body!r} is neither a perturber ({', '.join(perturbers)}) nor "
                    "a body SPICE knows: give its NAIF id or furnish its SPK first"
                ) from None
            naif = int(code)
        names.append(key)
        tracked.append(str(naif))
        extra.append(naif)
    return names, tracked, extra


def propagate_et(
    state0: Any,
    et0: float,
    et_out: Any,
    *,
    force: ForceModel | None = None,
    spacecraft: Spacecraft | None = None,
    burns: Sequence[FiniteBurn] = (),
    events: Sequence[Any] = (),
    dense: bool = False,
    compact: bool = False,
) -> NBodyResult:
    """Propagate one heliocentric state with heyoka through the Sun-and-planets force model.

    Parameters
    ----------
    state0 : (6,) array
        Heliocentric ecliptic-J2000 position (km) and velocity (km/s) at ``et0``.
    et0 : float
        Epoch of ``state0``, ET seconds.
    et_out : float or (m,) array
        Output epochs, all on one side of ``et0`` (backward propagation is fine).
        The integration runs to the farthest one.
    force : ForceModel
        Perturbers and tolerance (default: Sun + eight planets with the Moon, 1e-10).
    spacecraft : Spacecraft, optional
        Adds mass as a state, SRP (when ``area_m2 > 0``) and the ``burns``.
    events : sequence of str or int
        Bodies whose closest approaches (and sphere-of-influence crossings, for
        perturbers) are detected: perturber names or any SPICE body (name or NAIF id).
    dense : bool
        Keep Taylor dense output for :meth:`NBodyResult.dense`.
    """
    force = force or ForceModel()
    state0 = np.asarray(state0, dtype=float).reshape(-1)
    if state0.shape != (6,) or not np.all(np.isfinite(state0)):
        raise ValueError(f"state0 must be 6 finite numbers (km, km/s), got {state0!r}")
    et0 = float(et0)
    et_out = np.atleast_1d(np.asarray(et_out, dtype=float))
    if et_out.size == 0 or not np.all(np.isfinite(et_out)):
        raise ValueError("et_out must hold at least one finite ET epoch")
    if np.any(et_out > et0) and np.any(et_out < et0):
        raise ValueError("output epochs must all lie on one side of et0; propagate twice instead")
    et1 = float(et_out[np.argmax(np.abs(et_out - et0))])
    burns = _check_burns(burns)
    if burns and spacecraft is None:
        raise ValueError("finite burns need a Spacecraft (its mass) to act on")
    if burns:
        propellant = sum(b.mass_flow_kg_s * b.duration_s for b in burns)
        if propellant >= spacecraft.mass_kg:
            raise ValueError(
                f"the burns use {propellant:.1f} kg of propellant, more than the spacecraft's "
                f"{spacecraft.mass_kg:.1f} kg: shorten them or lower the thrust"
            )
    names, tracked, extra = _resolve_event_bodies(events, force.bodies)
    fit = fit_planets(
        force.bodies, min(et0, et1), max(et0, et1), extra_ids=extra, profile=force.fit
    )
    specs = _event_specs(fit, names, tracked)
    ta, layout, lock = _integrator(fit, spacecraft is not None, specs, force.tol, compact=compact)
    anchor = fit.et_start  # integrator time is (et - anchor) / T

    y0 = _to_canonical(state0)
    if spacecraft is not None:
        y0 = np.append(y0, 1.0)
    pieces: list = []
    step_t: list[np.ndarray] = [np.array([(et0 - anchor) / _T])]
    results = np.full((et_out.size, len(y0)), np.nan)
    at_start = et_out == et0
    results[at_start] = y0
    t_out = (et_out - anchor) / _T
    bps = _breakpoints(fit, et0, et1, burns)
    sign = 1.0 if et1 >= et0 else -1.0
    loads = _segment_plan(fit, layout, et0, bps, sign)
    piece_of = np.searchsorted(sign * bps, sign * et_out, side="left")
    piece_of[at_start] = -1
    groups: dict[int, np.ndarray] = {}
    for idx in np.argsort(piece_of, kind="stable"):
        if piece_of[idx] >= 0:
            groups.setdefault(int(piece_of[idx]), []).append(int(idx))
    t_bps = (bps - anchor) / _T
    n_core = layout.n_core
    nsteps = 0
    time_limit = None
    with lock:
        nt_events = ta.nt_events if specs else []
        for ev in nt_events:
            ev.callback.log.clear()
        ta.time = (et0 - anchor) / _T
        state = ta.state
        state[:n_core] = y0
        pars = ta.pars
        pars[:] = 0.0
        if spacecraft is not None and spacecraft.area_m2 > 0.0:
            k_srp = SRP_PRESSURE_1AU * spacecraft.cr * spacecraft.area_m2 / spacecraft.mass_kg
            pars[layout.srp] = k_srp / 1000.0 * AU_KM**2 / GM_SUN
        a = et0
        for i, b in enumerate(bps):
            load = loads[i]
            if load is not None:
                state[n_core:] = load
            if spacecraft is not None:
                _set_thrust(pars, layout, burns, 0.5 * (a + b), spacecraft.mass_kg)
            here = groups.get(i)
            interior = [j for j in here if et_out[j] != b] if here else []
            want_c = dense or bool(interior)
            res = ta.propagate_until(t_bps[i], c_output=want_c)
            outcome = res[0]
            if time_limit is None:
                time_limit = type(outcome).time_limit
            if outcome != time_limit:
                raise RuntimeError(
                    f"heyoka stopped with {outcome} at ET {anchor + ta.time * _T:.1f} "
                    "(non-finite state? a collision with the Sun or a planet?)"
                )
            nsteps += int(res[3])
            if want_c:
                c_out = res[4]
                if dense:
                    pieces.append((a, b, c_out))
                    step_t.append(np.asarray(c_out.times[1:]))
                if interior:
                    results[interior] = np.asarray(c_out(t_out[interior]))[:, :n_core]
            if here and len(here) > len(interior):
                results[[j for j in here if et_out[j] == b]] = state[:n_core]
            a = b
        t_end = ta.time
        logs = [list(ev.callback.log) for ev in nt_events]
    events_out = _collect_events(fit, specs, logs, anchor, et0)
    states = _from_canonical(results)
    mass = states[:, 6] * spacecraft.mass_kg if spacecraft is not None else None
    return NBodyResult(
        et=et_out,
        state=states[:, :6],
        mass_kg=mass,
        events=events_out,
        nsteps=nsteps,
        step_et=anchor + np.concatenate(step_t + [[t_end]]) * _T,
        _pieces=pieces,
        _t_ref=anchor,
        et0=et0,
    )


def _set_thrust(pars, layout: _Layout, burns, mid: float, mass0_kg: float) -> None:
    pars[layout.thrust : layout.thrust + 4] = 0.0
    for burn in burns:
        if burn.start <= mid <= burn.stop:
            acc = burn.thrust_n / 1000.0 / mass0_kg / _A
            pars[layout.thrust : layout.thrust + 3] = acc * np.asarray(burn.direction)
            pars[layout.thrust + 3] = burn.mass_flow_kg_s / mass0_kg * _T


def _collect_events(fit: PlanetFit, specs, logs, anchor: float, et0: float) -> tuple[Event, ...]:
    out = []
    for spec, log in zip(specs, logs, strict=True):
        for t, d_sgn, y in log:
            et = anchor + t * _T
            if et == et0:
                continue
            s = _from_canonical(np.asarray(y)[:6])
            rel_r = s[:3] - fit.position(fit.tracked[spec.index], et)
            rel_v = s[3:6] - fit.velocity(fit.tracked[spec.index], et)
            if spec.kind == "closest":
                kind = "closest_approach"
            else:
                kind = "soi_entry" if d_sgn < 0 else "soi_exit"
            out.append(
                Event(
                    kind, spec.body, et, float(np.linalg.norm(rel_r)), float(np.linalg.norm(rel_v))
                )
            )
    out.sort(key=lambda e: e.et)
    return tuple(out)


def propagate_batch_et(
    states0: Any,
    et0: float,
    et_out: Any,
    *,
    force: ForceModel | None = None,
    workers: int = 1,
    compact: bool = False,
) -> np.ndarray:
    """Propagate many heliocentric states from one epoch with heyoka's SIMD batch mode.

    ``states0`` is ``(n, 6)`` (km, km/s) at ``et0``; returns ``(n, m, 6)`` at the
    ``m`` epochs ``et_out`` (all on one side of ``et0``). Gravity only (no SRP or
    burns); for dispersions, target clouds and Monte Carlo seeds. With
    ``workers > 1`` that many threads take groups of lanes in turn, each with its own
    copy of the integrator (heyoka releases the GIL): 1000 states over a year in ~30 ms
    wall on two free cores instead of ~50 ms; keep 1 inside Dask workers, which already
    fill the cores.
    """
    import heyoka as hy

    force = force or ForceModel()
    states0 = np.asarray(states0, dtype=float)
    if states0.ndim != 2 or states0.shape[1] != 6 or not np.all(np.isfinite(states0)):
        raise ValueError(f"states0 must be an (n, 6) array of finite km, km/s, got {states0.shape}")
    et0 = float(et0)
    et_out = np.atleast_1d(np.asarray(et_out, dtype=float))
    if np.any(et_out > et0) and np.any(et_out < et0):
        raise ValueError("output epochs must all lie on one side of et0")
    et1 = float(et_out[np.argmax(np.abs(et_out - et0))])
    fit = fit_planets(force.bodies, min(et0, et1), max(et0, et1), profile=force.fit)
    # Four lanes, not the 8 AVX-512 would allow: eight measured the same CPU time per state
    # (48.7 against 48.4 ms for 1000 states, a year, precise fits), and 16 or 32 slower.
    batch = min(hy.recommended_simd_size(), 4)
    ta, layout, lock = _integrator(fit, False, (), force.tol, batch=batch, compact=compact)
    anchor = fit.et_start
    n = states0.shape[0]
    npad = -(-n // batch) * batch
    y0 = _to_canonical(np.concatenate([states0, np.repeat(states0[-1:], npad - n, axis=0)]))
    out = np.empty((npad, et_out.size, 6))
    bps = _breakpoints(fit, et0, et1, ())
    sign = 1.0 if et1 >= et0 else -1.0
    # the plan is the same for every group of lanes: work it out once, with the segment
    # loads already at full batch width (plain copies in the loop, no broadcasting)
    plan = []
    a = et0
    for b, load in zip(bps, _segment_plan(fit, layout, et0, bps, sign), strict=True):
        if load is not None:
            load = np.ascontiguousarray(np.repeat(load[:, None], batch, axis=1))
        inside = np.flatnonzero((min(a, b) < et_out) & (et_out < max(a, b)))
        exact = np.flatnonzero(et_out == b)
        plan.append(((b - anchor) / _T, load, inside if inside.size else None, exact))
        a = b
    # the common case: no output inside a piece, one output at its end
    fast_plan = [(t_b, load) for t_b, load, _, _ in plan]
    simple = all(p[2] is None for p in plan) and all(p[3].size == 0 for p in plan[:-1])
    last_exact = plan[-1][3]
    t_start = (et0 - anchor) / _T
    at_start = np.flatnonzero(et_out == et0)
    y0_lanes = np.ascontiguousarray(y0.reshape(-1, batch, 6).transpose(0, 2, 1))  # (groups, 6, B)

    def run(integrator, groups) -> None:
        state = integrator.state
        core, chain = state[:6], state[layout.n_core :]
        set_time, propagate_until = integrator.set_time, integrator.propagate_until
        for g in groups:
            lanes = slice(g * batch, (g + 1) * batch)
            set_time(t_start)
            core[:] = y0_lanes[g]
            if at_start.size:
                out[lanes, at_start] = y0[lanes, None, :]
            if simple:
                for t_b, load in fast_plan:
                    if load is not None:
                        chain[:] = load
                    propagate_until(t_b)
                if last_exact.size:
                    out[lanes, last_exact] = core.T[:, None, :]
                continue
            for t_b, load, inside, exact in plan:
                if load is not None:
                    chain[:] = load
                if inside is not None:
                    c_out = propagate_until(t_b, c_output=True)[0]
                    tt = np.repeat(((et_out[inside] - anchor) / _T)[:, None], batch, axis=1)
                    vals = np.asarray(c_out(tt))[:, :6, :]  # (k, 6, batch)
                    out[lanes, inside] = np.transpose(vals, (2, 0, 1))
                else:
                    propagate_until(t_b)
                if exact.size:
                    out[lanes, exact] = core.T[:, None, :]

    ngroups = npad // batch
    workers = max(1, min(int(workers), ngroups))
    if workers == 1:
        with lock:
            run(ta, range(ngroups))
    else:
        # heyoka releases the GIL while it integrates: one integrator copy per thread (kept
        # for the next call); the threads draw groups of lanes from one shared iterator
        # (atomic under the GIL), so a thread slowed by other work on its core takes fewer
        from concurrent.futures import ThreadPoolExecutor

        with lock, ThreadPoolExecutor(workers) as pool:
            copies = _WORKER_COPIES.setdefault(id(ta), [])
            while len(copies) < workers - 1:
                copies.append(copy.deepcopy(ta))
            shared = iter(range(ngroups))
            jobs = [pool.submit(run, integ, shared) for integ in [ta, *copies[: workers - 1]]]
            for job in jobs:
                job.result()
    if not np.all(np.isfinite(out[:n])):
        bad = int(np.flatnonzero(~np.isfinite(out[:n]).all(axis=(1, 2)))[0])
        raise RuntimeError(
            f"heyoka batch propagation of state {bad} became non-finite (a collision with the "
            "Sun or a planet?)"
        )
    return _from_canonical(out[:n])


@dataclass(frozen=True)
class Correction:
    """Result of :func:`correct_velocity_et`: the velocity change that hits a target point."""

    dv: np.ndarray  # (3,) km/s, to add to the initial velocity
    state0: np.ndarray  # corrected initial state (km, km/s)
    miss_km: float  # remaining miss distance at the target epoch
    initial_miss_km: float
    iterations: int

    @property
    def dv_km_s(self) -> float:
        """Magnitude of the correction, km/s."""
        return float(np.linalg.norm(self.dv))

    def __repr__(self) -> str:
        return (
            f"Correction(|dv| = {self.dv_km_s * 1e3:.3f} m/s, miss {self.initial_miss_km:,.1f} km "
            f"-> {self.miss_km * 1e3:.3g} m in {self.iterations} iterations)"
        )


def correct_velocity_et(
    state0: Any,
    et0: float,
    r_target: Any,
    et_target: float,
    *,
    force: ForceModel | None = None,
    spacecraft: Spacecraft | None = None,
    burns: Sequence[FiniteBurn] = (),
    tol_km: float = 1e-3,
    max_iter: int = 10,
    dv_step_km_s: float = 1e-6,
) -> Correction:
    """Velocity change at ``et0`` that brings the n-body trajectory to ``r_target`` at ``et_target``.

    Newton's method on the initial velocity with the 3x3 sensitivity
    ``d r(et_target) / d v(et0)`` from central differences (six extra
    propagations per iteration). Starting from a two-body design (a Lambert
    arc), this is the correction delta-v the planets (and SRP, burns) call for.
    Raises ``RuntimeError`` when it does not converge to ``tol_km``.
    """
    s0 = np.asarray(state0, dtype=float).reshape(6).copy()
    target = np.asarray(r_target, dtype=float).reshape(3)
    kwargs = {"force": force, "spacecraft": spacecraft, "burns": burns}

    def arrive(state: np.ndarray) -> np.ndarray:
        return propagate_et(state, et0, [et_target], **kwargs).state[0, :3]

    s = s0.copy()
    miss_vec = target - arrive(s)
    first = float(np.linalg.norm(miss_vec))
    for it in range(1, max_iter + 1):
        jac = np.empty((3, 3))
        for j in range(3):
            plus, minus = s.copy(), s.copy()
            plus[3 + j] += dv_step_km_s
            minus[3 + j] -= dv_step_km_s
            jac[:, j] = (arrive(plus) - arrive(minus)) / (2.0 * dv_step_km_s)
        s[3:] += np.linalg.solve(jac, miss_vec)
        miss_vec = target - arrive(s)
        miss = float(np.linalg.norm(miss_vec))
        if miss < tol_km:
            return Correction(s[3:] - s0[3:], s, miss, first, it)
    raise RuntimeError(
        f"velocity correction did not converge: miss {miss:.3g} km after {max_iter} iterations "
        f"(started at {first:.3g} km); is the target reachable in this time of flight?"
    )


# --------------------------------------------------------------------------- the face


@dataclass
class Propagation:
    """A propagated trajectory with its events, as a notebook user sees it.

    ``trajectory`` is an xarray Dataset on ``time``; ``events`` the detected
    closest approaches and sphere-of-influence crossings; ``result`` the kernel
    result (ET seconds, km) for further work (SPK writing, dense output).
    """

    trajectory: Any
    events: tuple[Event, ...]
    result: NBodyResult

    def __repr__(self) -> str:
        from orbits.time import et_to_iso

        et = self.result.et
        far = float(et[np.argmax(np.abs(et - self.result.et0))])
        lines = [
            f"Propagation from {et_to_iso(self.result.et0, precision=0)} to "
            f"{et_to_iso(far, precision=0)} UTC ({abs(far - self.result.et0) / 86400.0:.2f} days): "
            f"{et.size} output epochs, {self.result.nsteps} Taylor steps, {len(self.events)} events"
        ]
        lines += [f"  {e!r}" for e in self.events[:12]]
        if len(self.events) > 12:
            lines.append(f"  ... {len(self.events) - 12} more")
        return "\n".join(lines)


def _state_from_face(state: Any, velocity: Any) -> np.ndarray:
    if velocity is not None:
        r = np.asarray(
            state.to_value("km") if hasattr(state, "to_value") else state, dtype=float
        ).reshape(-1)
        v = np.asarray(
            velocity.to_value("km/s") if hasattr(velocity, "to_value") else velocity, dtype=float
        ).reshape(-1)
        if r.shape != (3,) or v.shape != (3,):
            raise ValueError(
                f"position and velocity must be 3-vectors, got {r.shape} and {v.shape}"
            )
        return np.concatenate([r, v])
    s = np.asarray(state, dtype=float).reshape(-1)
    if s.shape != (6,):
        raise ValueError(
            f"state must be 6 numbers (km, km/s) or give velocity=, got shape {s.shape}"
        )
    return s


def propagate(
    state: Any,
    epoch: Any,
    epochs: Any,
    *,
    velocity: Any = None,
    bodies: Sequence[str] = DEFAULT_BODIES,
    tol: float = 1e-10,
    spacecraft: Spacecraft | None = None,
    burns: Sequence[FiniteBurn] = (),
    events: Sequence[Any] = (),
) -> Propagation:
    """Propagate a heliocentric state through the Sun and planets; results as an xarray Dataset.

    Parameters
    ----------
    state : (6,) array in km, km/s, or a position Quantity with ``velocity=``
        Heliocentric ecliptic-J2000 state at ``epoch``.
    epoch : Time, ISO string (UTC) or float ET
        Epoch of ``state``.
    epochs : array of Time/ISO/ET
        Output epochs (all after, or all before, ``epoch``).
    bodies, tol : perturbers and tolerance (see :class:`ForceModel`).
    spacecraft, burns : optional mass, SRP and finite burns.
    events : bodies to watch for closest approach / sphere-of-influence crossings.

    >>> import astropy.units as u
    >>> p = propagate([1.496e8, 0, 0] * u.km, "2026-01-01", ["2026-02-01", "2026-03-01"],
    ...               velocity=[0, 29.78, 0] * u.km / u.s)                  # doctest: +SKIP
    >>> p.trajectory["position"].sel(axis="x")                              # doctest: +SKIP
    """
    import xarray as xr

    from orbits.time import et_to_datetime64, to_et

    s0 = _state_from_face(state, velocity)
    et0 = float(to_et(epoch))
    et_out = np.atleast_1d(np.asarray(to_et(epochs), dtype=float))
    result = propagate_et(
        s0,
        et0,
        et_out,
        force=ForceModel(tuple(bodies), tol),
        spacecraft=spacecraft,
        burns=burns,
        events=events,
    )
    ds = xr.Dataset(
        {
            "position": (
                ("time", "axis"),
                result.state[:, :3],
                {"units": "km", "long_name": "heliocentric position (ecliptic J2000)"},
            ),
            "velocity": (
                ("time", "axis"),
                result.state[:, 3:],
                {"units": "km/s", "long_name": "heliocentric velocity (ecliptic J2000)"},
            ),
            "distance_sun": (
                "time",
                np.linalg.norm(result.state[:, :3], axis=1) / AU_KM,
                {"units": "au", "long_name": "distance from the Sun"},
            ),
        },
        coords={
            "time": (
                "time",
                np.atleast_1d(et_to_datetime64(result.et)),
                {"long_name": "epoch (UTC)"},
            ),
            "et": (
                "time",
                result.et,
                {"units": "s", "long_name": "ephemeris time (TDB s past J2000)"},
            ),
            "axis": ["x", "y", "z"],
        },
        attrs={
            "frame": "ECLIPJ2000",
            "center": "Sun",
            "perturbers": ", ".join(ForceModel(tuple(bodies), tol).bodies) or "none",
            "tolerance": tol,
            "integrator": "heyoka Taylor (orbits.nbody)",
        },
    )
    if result.mass_kg is not None:
        ds["mass"] = ("time", result.mass_kg, {"units": "kg", "long_name": "spacecraft mass"})
    return Propagation(trajectory=ds, events=result.events, result=result)
