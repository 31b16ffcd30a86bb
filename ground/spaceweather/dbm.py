"""CME arrival time and speed with the drag-based model (DBM; Vršnak et al. 2013).

Beyond ~20 solar radii a CME is taken to feel only "aerodynamic" drag against a solar
wind of constant speed ``w``: ``dv/dt = -gamma (v - w)|v - w|``. The analytic solution
(reference ``ground-formats.md`` section 10.1) gives the apex distance and speed at any
time; the transit time to a distance is found by bisection, since ``r(t)`` is monotonic.

Geometry (our choice, documented in ``docs/space-weather.md``): the CME is a cone of
half-width ``half_width`` about its axis, with an "ice-cream cone" front, a sphere tangent
to the cone's sides (Xie et al. 2004, JGR 109, A03109). The front expands
self-similarly, so along a direction at angle ``delta`` from the axis the front is at

    r(delta) = R_apex * (cos(delta) + sqrt(sin^2(lambda) - sin^2(delta))) / (1 + sin(lambda))

and moves at the same fraction of the apex speed. A target at ``delta > lambda`` is
missed. The DBM is applied to the apex; the flank therefore arrives later and slower,
as in the cone variants of the DBM (Žic et al. 2015, ApJS 218, 32), but without their
per-element drag. For a head-on target (``delta = 0``) the result is the plain DBM.

Kernels (plain floats/arrays, km, s, km/s, 1/km): :func:`dbm_distance`, :func:`dbm_speed`,
:func:`dbm_transit_time`, :func:`front_fraction`. Faces: :func:`cme_arrival`,
:func:`cme_arrival_ensemble` (astropy ``Time``/``Quantity`` or ISO strings and floats).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

__all__ = [
    "AU_KM",
    "CMEArrival",
    "CMEEnsemble",
    "R_SUN_KM",
    "cme_arrival",
    "cme_arrival_ensemble",
    "dbm_distance",
    "dbm_speed",
    "dbm_transit_time",
    "front_fraction",
]

R_SUN_KM = 695_700.0  # IAU 2015 nominal solar radius
AU_KM = 149_597_870.7  # IAU 2012
_DEFAULT_R0_KM = 20.0 * R_SUN_KM


# ---------------------------------------------------------------------------- kernels


def dbm_distance(t_s: Any, r0_km: Any, v0_km_s: Any, w_km_s: Any, gamma_per_km: Any) -> Any:
    """Apex distance from the Sun (km) ``t_s`` seconds after it was at ``r0_km`` with ``v0_km_s``."""
    t, r0, v0, w, g = np.broadcast_arrays(
        *map(np.asarray, (t_s, r0_km, v0_km_s, w_km_s, gamma_per_km))
    )
    dv = v0 - w
    x = g * np.abs(dv) * t  # s * gamma * (v0 - w) * t, always >= 0
    # ln(1 + x) / gamma has the limit |dv| t as gamma -> 0; log1p keeps it accurate.
    with np.errstate(divide="ignore", invalid="ignore"):
        drift = np.where(g > 0, np.sign(dv) * np.log1p(x) / np.where(g > 0, g, 1.0), dv * t)
    out = drift + w * t + r0
    return out[()] if out.ndim == 0 else out


def dbm_speed(t_s: Any, r0_km: Any, v0_km_s: Any, w_km_s: Any, gamma_per_km: Any) -> Any:
    """Apex speed (km/s) ``t_s`` seconds after leaving ``r0_km`` at ``v0_km_s``."""
    t, v0, w, g = np.broadcast_arrays(*map(np.asarray, (t_s, v0_km_s, w_km_s, gamma_per_km)))
    dv = v0 - w
    out = dv / (1.0 + g * np.abs(dv) * t) + w
    return out[()] if out.ndim == 0 else out


def dbm_transit_time(
    r_target_km: Any,
    r0_km: Any,
    v0_km_s: Any,
    w_km_s: Any,
    gamma_per_km: Any,
    iterations: int = 200,
) -> Any:
    """Seconds for the apex to go from ``r0_km`` to ``r_target_km`` (bisection, vectorised).

    The speed always lies between ``v0`` and ``w``, so ``t`` is bracketed by
    ``[0, (r_target - r0) / min(v0, w)]``. Targets inside ``r0`` give NaN.
    """
    rt, r0, v0, w, g = (
        np.asarray(a, dtype=float)
        for a in np.broadcast_arrays(r_target_km, r0_km, v0_km_s, w_km_s, gamma_per_km)
    )
    span = rt - r0
    lo = np.zeros_like(span)
    hi = np.where(span > 0, span / np.minimum(v0, w), 0.0)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        below = dbm_distance(mid, r0, v0, w, g) < rt
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
        if np.all(hi - lo <= 1e-10 * np.maximum(hi, 1.0)):
            break
    t = 0.5 * (lo + hi)
    bad = (span < 0) | (v0 <= 0) | (w <= 0) | (g < 0)
    t = np.where(bad, np.nan, t)
    return t[()] if t.ndim == 0 else t


def front_fraction(delta_rad: Any, half_width_rad: Any) -> Any:
    """Distance of the cone front along ``delta`` as a fraction of the apex distance.

    1 on the axis, ``cos(lambda) / (1 + sin(lambda))`` at the edge, NaN outside the cone.
    """
    d, lam = np.broadcast_arrays(
        np.abs(np.asarray(delta_rad, float)), np.asarray(half_width_rad, float)
    )
    inside = d <= lam
    with np.errstate(invalid="ignore"):
        root = np.sqrt(np.clip(np.sin(lam) ** 2 - np.sin(d) ** 2, 0.0, None))
        out = np.where(inside, (np.cos(d) + root) / (1.0 + np.sin(lam)), np.nan)
    return out[()] if out.ndim == 0 else out


# ---------------------------------------------------------------------------- faces


def _value(x: Any, unit: str, name: str) -> float:
    """A float in ``unit`` from a float or an astropy Quantity; the error names the bad value."""
    if hasattr(x, "to_value"):
        try:
            return float(x.to_value(unit))
        except Exception as exc:
            raise ValueError(f"{name} must be convertible to {unit}, got {x!r}") from exc
    try:
        return float(x)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number in {unit} or a Quantity, got {x!r}") from None


def _et(epoch: Any) -> float:
    from orbits.time import to_et

    return float(to_et(epoch))


def _time(et: float) -> Any:
    from orbits.time import et_to_time

    return et_to_time(et)


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / n


def _axis(longitude_deg: float, latitude_deg: float) -> np.ndarray:
    lon, lat = np.radians(longitude_deg), np.radians(latitude_deg)
    return np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def _target_position(target: Any, et: float) -> np.ndarray:
    """Heliocentric ECLIPJ2000 position (km) of a target (see :func:`cme_arrival`)."""
    if callable(target):
        return np.asarray(target(et), dtype=float)[:3]
    if not isinstance(target, str) and np.ndim(target) == 1:
        pos = np.asarray(target, dtype=float)
        if pos.shape != (3,) or not np.all(np.isfinite(pos)) or np.linalg.norm(pos) == 0:
            raise ValueError(
                f"target must be a body name, a callable et -> km, or a heliocentric position "
                f"(3 finite km, ECLIPJ2000), got {target!r}"
            )
        return pos
    # A name, NAIF id or orbits.SmallBody: kamo's ephemerides.
    from orbits.ephemeris import state_et

    return np.asarray(state_et(target, et, center="sun", frame="ECLIPJ2000"), float)[:3]


def _target_label(target: Any) -> str:
    if isinstance(target, str):
        return target
    name = getattr(target, "name", None)
    if isinstance(name, str):
        return name
    if isinstance(target, (int, np.integer)):
        return f"NAIF {int(target)}"
    return "target"


@dataclass(frozen=True)
class CMEArrival:
    """Predicted arrival of a CME front at a target.

    ``hit`` is False when the target lies outside the cone; times and speeds are then NaN.
    ``arrival`` is an astropy ``Time`` (UTC) or ``None`` for a miss.
    """

    target: str
    hit: bool
    arrival: Any
    transit_hours: float
    arrival_speed_km_s: float
    target_distance_au: float
    offset_deg: float
    launch: Any

    def __repr__(self) -> str:
        if not self.hit:
            return (
                f"<CMEArrival at {self.target}: miss (offset {self.offset_deg:.1f} deg from the "
                f"CME axis)>"
            )
        return (
            f"<CMEArrival at {self.target}: {self.arrival.utc.isot[:16]} UTC, transit "
            f"{self.transit_hours:.1f} h, {self.arrival_speed_km_s:.0f} km/s, "
            f"r={self.target_distance_au:.3f} AU, offset {self.offset_deg:.1f} deg>"
        )


def _arrival_kernel(
    r_target: np.ndarray,
    delta: np.ndarray,
    half_width: np.ndarray,
    r0: np.ndarray,
    v0: np.ndarray,
    w: np.ndarray,
    gamma: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Transit time (s from r0) and front speed at the target along ``delta`` (km/s)."""
    frac = front_fraction(delta, half_width)
    apex_distance = r_target / frac  # the apex is this far when the flank reaches the target
    t = dbm_transit_time(np.where(np.isnan(frac), r0, apex_distance), r0, v0, w, gamma)
    speed = frac * dbm_speed(t, r0, v0, w, gamma)
    return np.where(np.isnan(frac), np.nan, t), np.where(np.isnan(frac), np.nan, speed)


def cme_arrival(
    launch: Any,
    speed: Any,
    target: Any = "earth",
    *,
    direction: tuple[Any, Any] | None = None,
    offset: Any = None,
    half_width: Any = 30.0,
    gamma: Any = 0.2e-7,
    wind_speed: Any = 400.0,
    r0: Any = _DEFAULT_R0_KM,
    target_name: str | None = None,
    iterations: int = 4,
) -> CMEArrival:
    """Arrival time and speed of a CME at a target with the drag-based model.

    Parameters
    ----------
    launch:
        Time the CME front was at ``r0`` (astropy ``Time``, ISO string, datetime or ET).
    speed:
        Initial (radial, de-projected) apex speed at ``r0``: km/s or a Quantity.
    target:
        ``"earth"`` or any body/spacecraft ``orbits.ephemeris.state_et`` knows (a name, a
        NAIF id, an ``orbits.SmallBody``, a spacecraft with a furnished SPK), a callable
        ``et -> heliocentric position (km)``, or a fixed heliocentric position (3 km,
        ECLIPJ2000).
    direction:
        CME axis as (ecliptic longitude, latitude) in degrees (or Quantities), heliocentric
        ECLIPJ2000. The target moves during transit, so the offset is taken at arrival
        (fixed-point ``iterations``).
    offset:
        Alternatively the angle between the CME axis and the target (degrees). Give
        ``direction`` or ``offset``; with neither the CME is head-on.
    half_width:
        Cone half-width in degrees (default 30).
    gamma:
        Drag parameter in 1/km (typical 0.2-2e-7).
    wind_speed:
        Ambient solar-wind speed in km/s (typical 300-500).
    r0:
        Starting heliocentric distance of the apex in km (default 20 solar radii).

    Example
    -------
    >>> cme_arrival("2026-08-04T12:00", 1000.0, target=[149597870.7, 0, 0], offset=0.0)
    ... # doctest: +SKIP
    <CMEArrival at target: 2026-08-06T16:5x UTC, transit 52.9 h, 583 km/s, ...>
    """
    if direction is not None and offset is not None:
        raise ValueError("give either direction=(lon, lat) or offset=angle, not both")
    v0 = _value(speed, "km/s", "speed")
    w = _value(wind_speed, "km/s", "wind_speed")
    g = _value(gamma, "1/km", "gamma")
    r0_km = _value(r0, "km", "r0")
    lam = np.radians(_value(half_width, "deg", "half_width"))
    if not v0 > 0:
        raise ValueError(f"speed must be positive, got {v0} km/s")
    if not w > 0:
        raise ValueError(f"wind_speed must be positive, got {w} km/s")
    if not g >= 0:
        raise ValueError(f"gamma must be >= 0 (typical 0.2e-7 to 2e-7 1/km), got {g}")
    if not 0 < lam <= np.pi / 2:
        raise ValueError(f"half_width must be within (0, 90] deg, got {np.degrees(lam)}")
    et0 = _et(launch)
    name = target_name or _target_label(target)
    axis = None
    if direction is not None:
        lon, lat = direction
        axis = _axis(_value(lon, "deg", "direction[0]"), _value(lat, "deg", "direction[1]"))
    fixed_delta = np.radians(_value(offset, "deg", "offset")) if offset is not None else 0.0

    et_guess = et0
    t = speed_at = r_target = delta = np.nan
    for _ in range(max(1, iterations)):
        pos = _target_position(target, et_guess)
        r_target = float(np.linalg.norm(pos))
        delta = (
            float(np.arccos(np.clip(_unit(pos) @ axis, -1.0, 1.0)))
            if axis is not None
            else abs(fixed_delta)
        )
        t, speed_at = (
            float(x)
            for x in _arrival_kernel(
                np.array(r_target), np.array(delta), np.array(lam), r0_km, v0, w, g
            )
        )
        if not np.isfinite(t):
            break
        new_guess = et0 + t
        if abs(new_guess - et_guess) < 60.0:
            et_guess = new_guess
            break
        et_guess = new_guess
    hit = bool(np.isfinite(t))
    return CMEArrival(
        target=name,
        hit=hit,
        arrival=_time(et0 + t) if hit else None,
        transit_hours=t / 3600.0 if hit else float("nan"),
        arrival_speed_km_s=speed_at if hit else float("nan"),
        target_distance_au=r_target / AU_KM,
        offset_deg=float(np.degrees(delta)),
        launch=_time(et0),
    )


@dataclass(frozen=True)
class CMEEnsemble:
    """An ensemble of DBM runs: per-member results and their summary.

    ``members`` is an ``xarray.Dataset`` over ``member`` with the sampled inputs and
    ``transit_hours``, ``arrival_speed`` (NaN for members that miss). Percentiles are over
    the members that hit.
    """

    target: str
    members: xr.Dataset
    hit_probability: float
    arrival_median: Any
    arrival_p05: Any
    arrival_p95: Any
    transit_hours_median: float
    transit_hours_std: float
    speed_median_km_s: float
    speed_p05_km_s: float
    speed_p95_km_s: float

    def __repr__(self) -> str:
        if self.arrival_median is None:
            return f"<CMEEnsemble at {self.target}: no member hits ({self.members.sizes['member']} runs)>"
        return (
            f"<CMEEnsemble at {self.target}: P(hit)={self.hit_probability:.2f}, arrival "
            f"{self.arrival_median.utc.isot[:16]} UTC (5-95%: {self.arrival_p05.utc.isot[:16]} .. "
            f"{self.arrival_p95.utc.isot[:16]}), speed {self.speed_median_km_s:.0f} km/s "
            f"({self.speed_p05_km_s:.0f}-{self.speed_p95_km_s:.0f}), "
            f"{self.members.sizes['member']} runs>"
        )


def cme_arrival_ensemble(
    launch: Any,
    speed: Any,
    target: Any = "earth",
    *,
    speed_sigma: Any = 100.0,
    direction: tuple[Any, Any] | None = None,
    offset: Any = None,
    direction_sigma: Any = 10.0,
    half_width: Any = 30.0,
    half_width_sigma: Any = 5.0,
    gamma_range: tuple[float, float] = (0.2e-7, 2.0e-7),
    wind_speed: Any = 450.0,
    wind_speed_sigma: Any = 100.0,
    r0: Any = _DEFAULT_R0_KM,
    members: int = 1000,
    seed: int | np.random.SeedSequence | None = 0,
    target_name: str | None = None,
) -> CMEEnsemble:
    """Ensemble DBM (after Čalogović et al. 2021): sample the uncertain inputs, run each member.

    Speed, wind speed and half-width are normal (``*_sigma``), clipped to physical values;
    ``gamma`` is uniform over ``gamma_range``; the CME axis is perturbed by an isotropic
    angular error of ``direction_sigma`` degrees (per axis). The target's position is taken at
    the deterministic run's arrival (its motion over the spread is ignored). Members are
    seeded from ``numpy.random.SeedSequence(seed)``, so results do not depend on the machine.
    """
    n = int(members)
    if n < 1:
        raise ValueError(f"members must be >= 1, got {members}")
    lo_g, hi_g = (float(x) for x in gamma_range)
    if not 0 <= lo_g <= hi_g:
        raise ValueError(f"gamma_range must be 0 <= low <= high (1/km), got {gamma_range}")
    central = cme_arrival(
        launch,
        speed,
        target,
        direction=direction,
        offset=offset,
        half_width=half_width,
        gamma=0.5 * (lo_g + hi_g),
        wind_speed=wind_speed,
        r0=r0,
        target_name=target_name,
    )
    et0 = _et(launch)
    et_ref = et0 + (central.transit_hours * 3600.0 if central.hit else 3 * 86400.0)
    pos = _target_position(target, et_ref)
    r_target = float(np.linalg.norm(pos))
    u_target = _unit(pos)

    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    rng = np.random.default_rng(ss)
    v0 = np.clip(
        rng.normal(_value(speed, "km/s", "speed"), _value(speed_sigma, "km/s", "speed_sigma"), n),
        50.0,
        None,
    )
    w = np.clip(
        rng.normal(
            _value(wind_speed, "km/s", "wind_speed"),
            _value(wind_speed_sigma, "km/s", "wind_speed_sigma"),
            n,
        ),
        200.0,
        None,
    )
    g = rng.uniform(lo_g, hi_g, n)
    lam = np.radians(
        np.clip(
            rng.normal(
                _value(half_width, "deg", "half_width"),
                _value(half_width_sigma, "deg", "half_width_sigma"),
                n,
            ),
            1.0,
            90.0,
        )
    )
    sigma = np.radians(_value(direction_sigma, "deg", "direction_sigma"))
    if direction is not None:
        axis0 = _axis(
            _value(direction[0], "deg", "direction[0]"), _value(direction[1], "deg", "direction[1]")
        )
    else:
        # Put the axis `offset` away from the target, in the ecliptic plane.
        d0 = np.radians(_value(offset, "deg", "offset")) if offset is not None else 0.0
        lon_t = np.arctan2(u_target[1], u_target[0])
        lat_t = np.arcsin(np.clip(u_target[2], -1, 1))
        axis0 = _axis(np.degrees(lon_t + d0), np.degrees(lat_t))
    axes = _perturb(axis0, sigma, rng, n)
    delta = np.arccos(np.clip(axes @ u_target, -1.0, 1.0))
    r0_km = _value(r0, "km", "r0")
    t, vs = _arrival_kernel(np.full(n, r_target), delta, lam, np.full(n, r0_km), v0, w, g)
    hits = np.isfinite(t)
    ds = xr.Dataset(
        {
            "speed0": ("member", v0, {"units": "km/s", "long_name": "initial CME speed at r0"}),
            "wind_speed": ("member", w, {"units": "km/s", "long_name": "ambient solar-wind speed"}),
            "gamma": ("member", g, {"units": "1/km", "long_name": "drag parameter"}),
            "half_width": (
                "member",
                np.degrees(lam),
                {"units": "deg", "long_name": "cone half-width"},
            ),
            "offset": (
                "member",
                np.degrees(delta),
                {"units": "deg", "long_name": "target angle from CME axis"},
            ),
            "transit_hours": (
                "member",
                t / 3600.0,
                {"units": "h", "long_name": "transit time from r0"},
            ),
            "arrival_speed": (
                "member",
                vs,
                {"units": "km/s", "long_name": "front speed at the target"},
            ),
            "hit": ("member", hits, {"units": "1", "long_name": "target inside the cone"}),
        },
        coords={"member": np.arange(n)},
        attrs={"target": central.target, "launch_utc": central.launch.utc.isot, "model": "DBM"},
    )
    name = central.target
    if not hits.any():
        nan = float("nan")
        return CMEEnsemble(name, ds, 0.0, None, None, None, nan, nan, nan, nan, nan)
    th = t[hits] / 3600.0
    sp = vs[hits]
    p05, p50, p95 = np.percentile(th, [5, 50, 95])
    return CMEEnsemble(
        target=name,
        members=ds,
        hit_probability=float(hits.mean()),
        arrival_median=_time(et0 + p50 * 3600.0),
        arrival_p05=_time(et0 + p05 * 3600.0),
        arrival_p95=_time(et0 + p95 * 3600.0),
        transit_hours_median=float(p50),
        transit_hours_std=float(np.std(th)),
        speed_median_km_s=float(np.median(sp)),
        speed_p05_km_s=float(np.percentile(sp, 5)),
        speed_p95_km_s=float(np.percentile(sp, 95)),
    )


def _perturb(axis: np.ndarray, sigma: float, rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` unit vectors scattered about ``axis`` by a Gaussian angle of ``sigma`` per axis."""
    helper = np.array([0.0, 0.0, 1.0]) if abs(axis[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
    e1 = _unit(np.cross(axis, helper))
    e2 = np.cross(axis, e1)
    a, b = rng.normal(0.0, sigma, (2, n))
    vec = axis[None, :] + np.tan(a)[:, None] * e1[None, :] + np.tan(b)[:, None] * e2[None, :]
    return _unit(vec)
