"""Station contact windows: when a spacecraft is above a station's elevation mask.

A contact (pass) starts at AOS, when the spacecraft's topocentric geometric
elevation rises through the station's mask, peaks at TCA (culmination), and ends
at LOS. For each one this module reports the times, the peak elevation, and the
range and one-way light time at AOS, TCA and LOS.

The spacecraft is given either as

* an **SPK file** (``.bsp``, furnished through :func:`orbits.spice.furnish`) and
  its NAIF id (found automatically when the file holds one object), or
* an **xarray trajectory** ``Dataset`` (or a ``.nc``/``.zarr`` path to one) with a
  ``time`` coordinate (``datetime64`` read as UTC, or floats read as ET = TDB
  seconds past J2000; a float ``et`` variable along ``time`` wins when present,
  as in ``orbits`` trajectories) and positions in km, either one variable
  ``position`` (or ``r``) with a length-3 second dimension or three variables
  ``x``, ``y``, ``z``. Velocities (``velocity``/``v`` or ``vx, vy, vz`` in km/s)
  are optional and make the interpolant a cubic Hermite spline (otherwise a
  cubic spline). The Dataset attributes ``frame`` (``"ECLIPJ2000"`` default, or
  ``"J2000"``/``"ICRF"``) and ``center`` (``"sun"`` default, ``"earth"``,
  ``"ssb"``, or any DE421 body by name or NAIF id) say what the vectors are.
  This reads ``orbits.nbody`` propagations and ``orbits.ephemeris`` datasets as they are.

Geometry: everything is put into Solar-System-barycentric ICRF km using DE421
(the kernel kamo loads by default) for the Sun and Earth, so heliocentric
spacecraft at 1 AU work exactly as well as near-Earth ones. By default the
spacecraft is seen where it was when the signal now arriving left it (downlink
light-time, iterated); ``light_time="uplink"`` aims where it will be when a
signal sent now arrives, and ``light_time=False`` uses the instantaneous position.
Elevation comes from skyfield (``build_position(...).altaz()`` with the station
as centre, WGS-84), and AOS/LOS/TCA from skyfield's vectorised searches
(``find_discrete``, ``find_maxima``), the machinery behind ``find_events``.

>>> from ground.contacts import contacts
>>> table = contacts("tw2.bsp", "2026-01-01", "2026-01-03", stations="kashi,neuquen")  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ground.stations import GroundStation, get_stations

#: Speed of light in vacuum, km/s (exact, SI definition of the metre).
C_KM_S = 299_792.458
#: IAU astronomical unit in km (IAU 2012 Resolution B2), skyfield's unit for vectors.
AU_KM = 149_597_870.700
#: Obliquity of the ecliptic at J2000 used by SPICE's ECLIPJ2000 frame (IAU 1976), rad.
OBLIQUITY_J2000_RAD = math.radians(84381.448 / 3600.0)
_J2000_JD = 2451545.0
_DAY_S = 86400.0
_GM_EARTH = 398600.435436  # km^3/s^2, DE421 value, only for choosing a search step

_FRAMES_ECLIPTIC = {"eclipj2000", "ecliptic", "eclip"}
_FRAMES_EQUATORIAL = {"j2000", "icrf", "icrs", "gcrs", "eme2000"}
_CENTERS = {"sun": "sun", "10": "sun", "earth": "earth", "399": "earth", "ssb": "ssb", "0": "ssb"}
_CENTERS.update({"solar system barycenter": "ssb", "solar_system_barycenter": "ssb"})


@lru_cache(maxsize=1)
def _skyfield() -> tuple[Any, Any]:
    """skyfield timescale (built-in tables, no download) and the DE421 ephemeris."""
    from skyfield.api import load, load_file

    from orbits.spice import default_planetary_kernel

    return load.timescale(builtin=True), load_file(str(default_planetary_kernel()))


def _sf_time(et: np.ndarray):
    ts, _ = _skyfield()
    et = np.asarray(et, dtype=float)
    return ts.tdb_jd(_J2000_JD + np.floor(et / _DAY_S), (et % _DAY_S) / _DAY_S)


def _et(t) -> np.ndarray:
    return (np.asarray(t.whole) - _J2000_JD) * _DAY_S + np.asarray(t.tdb_fraction) * _DAY_S


def _body_bary_km(name: str | int, et: np.ndarray) -> np.ndarray:
    """Barycentric ICRF position (n, 3) km of a DE421 body (name or NAIF id); zeros for ``ssb``."""
    et = np.atleast_1d(np.asarray(et, dtype=float))
    if name == "ssb":
        return np.zeros((et.size, 3))
    _, eph = _skyfield()
    return np.asarray(eph[name].at(_sf_time(et)).position.km).reshape(3, -1).T


def ecliptic_to_icrf(vec: np.ndarray) -> np.ndarray:
    """Rotate (..., 3) vectors from ECLIPJ2000 to J2000/ICRF axes (about x by the J2000 obliquity)."""
    vec = np.asarray(vec, dtype=float)
    c, s = math.cos(OBLIQUITY_J2000_RAD), math.sin(OBLIQUITY_J2000_RAD)
    out = np.empty_like(vec)
    out[..., 0] = vec[..., 0]
    out[..., 1] = c * vec[..., 1] - s * vec[..., 2]
    out[..., 2] = s * vec[..., 1] + c * vec[..., 2]
    return out


@dataclass
class Trajectory:
    """A spacecraft path as a function of ET giving Solar-System-barycentric ICRF km."""

    label: str
    et_start: float
    et_end: float
    bary_km: Callable[[np.ndarray], np.ndarray]

    def geocentric_km(self, et: np.ndarray) -> np.ndarray:
        et = np.atleast_1d(np.asarray(et, dtype=float))
        return self.bary_km(et) - _body_bary_km("earth", et)

    def clip(self, et: np.ndarray) -> np.ndarray:
        return np.clip(et, self.et_start, self.et_end)


def trajectory_from_dataset(ds: xr.Dataset, label: str = "dataset") -> Trajectory:
    """Interpolate a trajectory Dataset (see the module docstring for its layout)."""
    from scipy.interpolate import CubicHermiteSpline, CubicSpline

    if "time" not in ds.coords and "time" not in ds:
        raise ValueError(
            f"trajectory {label}: needs a 'time' coordinate (datetime64 UTC or ET seconds); "
            f"found {sorted(map(str, ds.coords))}"
        )
    et_var = ds.get("et")
    if et_var is not None and et_var.dims == ("time",) and et_var.dtype.kind == "f":
        et = np.asarray(et_var.values, dtype=float)  # orbits' trajectories carry ET exactly
    else:
        et = _dataset_et(ds["time"].values, label)
    et = np.atleast_1d(et)
    pos = _vectors(ds, ("position", "r"), ("x", "y", "z"), label, required=True)
    vel = _vectors(ds, ("velocity", "v"), ("vx", "vy", "vz"), label, required=False)
    if et.size < 4:
        raise ValueError(f"trajectory {label}: needs at least 4 samples, got {et.size}")
    if np.any(np.diff(et) <= 0):
        raise ValueError(f"trajectory {label}: 'time' must be strictly increasing")
    if not np.all(np.isfinite(pos)):
        raise ValueError(f"trajectory {label}: positions contain NaN or inf")

    frame = str(ds.attrs.get("frame", "ECLIPJ2000"))
    center = str(ds.attrs.get("center", "sun"))
    if frame.lower() in _FRAMES_ECLIPTIC:
        pos = ecliptic_to_icrf(pos)
        vel = None if vel is None else ecliptic_to_icrf(vel)
    elif frame.lower() not in _FRAMES_EQUATORIAL:
        raise ValueError(
            f"trajectory {label}: frame {frame!r} not supported; use 'ECLIPJ2000' or 'J2000'/'ICRF'"
        )
    center_name = _center_key(center, label)
    if vel is not None:
        spline = CubicHermiteSpline(et, pos, vel, axis=0)
    else:
        spline = CubicSpline(et, pos, axis=0)

    def bary_km(e: np.ndarray) -> np.ndarray:
        e = np.atleast_1d(np.asarray(e, dtype=float))
        return spline(e) + _body_bary_km(center_name, e)

    return Trajectory(label, float(et[0]), float(et[-1]), bary_km)


def _dataset_et(time: np.ndarray, label: str) -> np.ndarray:
    if time.dtype.kind == "M":
        from orbits.time import to_et

        return np.asarray(to_et(time.astype("datetime64[ns]")), dtype=float)
    if time.dtype.kind in "iuf":
        return time.astype(float)
    raise ValueError(
        f"trajectory {label}: 'time' must be datetime64 (UTC) or ET seconds, got {time.dtype}"
    )


def _center_key(center: str, label: str) -> str | int:
    """The DE421 body a trajectory is relative to ('ssb', a name or a NAIF id skyfield knows)."""
    key = center.strip().lower()
    key = _CENTERS.get(key, key)
    if key == "ssb":
        return key
    _, eph = _skyfield()
    try:
        key = int(key)
    except ValueError:
        pass
    try:
        eph[key]
    except (KeyError, ValueError):
        raise ValueError(
            f"trajectory {label}: center {center!r} is not in DE421; use 'sun', 'earth', 'moon', "
            "'ssb', a planet barycenter name or a NAIF id"
        ) from None
    return key


def _vectors(ds, names, parts, label, required) -> np.ndarray | None:
    name = next((n for n in names if n in ds and ds[n].ndim == 2), names[0])
    if name in ds:
        arr = np.asarray(ds[name].transpose("time", ...).values, dtype=float)
        if arr.ndim != 2 or arr.shape[1] != 3:
            raise ValueError(
                f"trajectory {label}: {name!r} must have dims (time, 3), got shape {arr.shape}"
            )
        return _to_km(arr, ds[name].attrs.get("units", ""), name, label)
    if all(p in ds for p in parts):
        arr = np.stack([np.asarray(ds[p].values, dtype=float) for p in parts], axis=-1)
        return _to_km(arr, ds[parts[0]].attrs.get("units", ""), name, label)
    if required:
        raise ValueError(
            f"trajectory {label}: needs a {names[0]!r} variable (time, 3) or variables {', '.join(parts)}"
        )
    return None


def _to_km(arr: np.ndarray, units: str, name: str, label: str) -> np.ndarray:
    units = units.strip().lower().replace(" ", "")
    scale = {
        "": 1.0,
        "km": 1.0,
        "km/s": 1.0,
        "m": 1e-3,
        "m/s": 1e-3,
        "au": AU_KM,
        "au/d": AU_KM / _DAY_S,
    }
    if units not in scale:
        raise ValueError(
            f"trajectory {label}: {name} units {units!r} not understood; use km (km/s), m (m/s) or AU (AU/d)"
        )
    return arr * scale[units]


def trajectory_from_spk(path: str | Path, spk_id: int | None = None) -> Trajectory:
    """A trajectory read through SPICE from an SPK file (furnished via :func:`orbits.spice.furnish`)."""
    import spiceypy

    from orbits.spice import SPICE_LOCK, furnish

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"SPK file not found: {path}")
    furnish(path)
    with SPICE_LOCK:
        ids = sorted(int(i) for i in spiceypy.spkobj(str(path)))
    if spk_id is None:
        if len(ids) != 1:
            raise ValueError(f"{path.name} holds objects {ids}: choose one with --spk-id / spk_id=")
        spk_id = ids[0]
    if int(spk_id) not in ids:
        raise ValueError(f"{path.name} has no object {spk_id}; it holds {ids}")
    with SPICE_LOCK:
        cover = spiceypy.spkcov(str(path), int(spk_id))
        intervals = [spiceypy.wnfetd(cover, i) for i in range(spiceypy.wncard(cover))]
    start, end = intervals[0][0], intervals[-1][1]
    target = str(int(spk_id))

    def bary_km(e: np.ndarray) -> np.ndarray:
        e = np.atleast_1d(np.asarray(e, dtype=float))
        try:
            with SPICE_LOCK:
                pos, _ = spiceypy.spkpos(target, e, "J2000", "NONE", "SSB")
        except spiceypy.utils.exceptions.SpiceyError as exc:
            raise ValueError(
                f"SPICE cannot place {path.name} object {target} at every requested time "
                f"(a gap in its coverage?): {exc.short or exc}"
            ) from None
        return np.asarray(pos, dtype=float).reshape(-1, 3)

    return Trajectory(f"{path.name}:{spk_id}", float(start), float(end), bary_km)


def load_trajectory(trajectory: Any, spk_id: int | None = None) -> Trajectory:
    """Accept a :class:`Trajectory`, an ``xarray.Dataset`` or a ``.bsp``/``.nc``/``.zarr`` path."""
    if isinstance(trajectory, Trajectory):
        return trajectory
    if isinstance(trajectory, xr.Dataset):
        return trajectory_from_dataset(trajectory)
    if isinstance(trajectory, str | Path):
        path = Path(trajectory)
        suffix = path.suffix.lower()
        if suffix in (".bsp", ".spk"):
            return trajectory_from_spk(path, spk_id)
        if not path.exists():
            raise FileNotFoundError(f"trajectory file not found: {path}")
        if suffix in (".nc", ".nc4", ".netcdf"):
            with xr.open_dataset(path) as ds:
                return trajectory_from_dataset(ds.load(), path.name)
        if suffix == ".zarr":
            with xr.open_zarr(path) as ds:
                return trajectory_from_dataset(ds.load(), path.name)
        raise ValueError(f"trajectory {path.name}: unknown file type; use .bsp, .nc or .zarr")
    raise TypeError(
        f"trajectory must be an xarray Dataset or a .bsp/.nc/.zarr path, got {type(trajectory).__name__}"
    )


def _fast_nutation(t) -> None:
    """Use IAU 2000B nutation (1 mas, skyfield's documented speed-up) instead of the full 2000A series.

    The 2000A series dominates the cost of every Earth-rotation matrix; 1 mas is
    far below anything a contact time can resolve.
    """
    from skyfield.nutationlib import iau2000b_radians

    if "_nutation_angles_radians" not in t.__dict__:
        t._nutation_angles_radians = iau2000b_radians(t)


def _light_time_sign(light_time: bool | str) -> int:
    """-1: downlink (where it was when the signal left), +1: uplink (where it will be), 0: none."""
    if light_time is True or light_time == "downlink":
        return -1
    if light_time == "uplink":
        return 1
    if light_time is False or light_time == "none":
        return 0
    raise ValueError(
        f"light_time must be True/'downlink', 'uplink' or False/'none', got {light_time!r}"
    )


def _geometry(traj: Trajectory, station: GroundStation, t, light_time: bool | str):
    """Elevation (deg), azimuth (deg) and range (km) of the spacecraft from the station at skyfield times ``t``."""
    from skyfield.positionlib import build_position

    _, eph = _skyfield()
    _fast_nutation(t)
    topos = station.topos()
    et = np.atleast_1d(_et(t))
    obs = np.asarray(eph["earth"].at(t).position.km) + np.asarray(topos.at(t).position.km)
    obs = obs.reshape(3, -1).T
    sc = traj.bary_km(traj.clip(et))
    sign = _light_time_sign(light_time)
    if sign:
        for _ in range(2):  # each pass gains a factor v/c ~ 1e-4: well below 1 m after two
            lt = np.linalg.norm(sc - obs, axis=1) / C_KM_S
            sc = traj.bary_km(traj.clip(et + sign * lt))
    rel = sc - obs
    shape = np.shape(t.tt)
    pos = build_position((rel.T / AU_KM).reshape((3, *shape)), t=t, center=topos)
    alt, az, dist = pos.altaz()
    return alt.degrees, az.degrees, dist.km


def _parse_time(value: Any, name: str) -> float:
    from orbits.time import to_et

    try:
        et = to_et(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name}: {exc}") from None
    if np.ndim(et) != 0:
        raise ValueError(f"{name} must be one epoch, got {value!r}")
    return float(et)


def look_angles(
    trajectory: Any,
    station: str | GroundStation,
    times: Any,
    *,
    spk_id: int | None = None,
    light_time: bool | str = True,
) -> xr.Dataset:
    """Elevation, azimuth, range and one-way light time from one station at given epochs.

    ``times`` is anything :func:`orbits.time.to_et` reads (ISO strings, datetime64, ET floats).
    """
    from orbits.time import et_to_datetime64, to_et

    traj = load_trajectory(trajectory, spk_id)
    st = get_stations([station])[0]
    et = np.atleast_1d(np.asarray(to_et(times), dtype=float))
    alt, az, rng = _geometry(traj, st, _sf_time(et), light_time)
    return xr.Dataset(
        {
            "elevation": (
                "time",
                alt,
                {"units": "deg", "long_name": "topocentric geometric elevation"},
            ),
            "azimuth": (
                "time",
                az,
                {"units": "deg", "long_name": "azimuth from north through east"},
            ),
            "range": ("time", rng, {"units": "km", "long_name": "station-spacecraft range"}),
            "light_time": ("time", rng / C_KM_S, {"units": "s", "long_name": "one-way light time"}),
            "et": (
                "time",
                et,
                {"units": "s", "long_name": "ephemeris time (TDB seconds past J2000)"},
            ),
        },
        coords={"time": ("time", np.atleast_1d(et_to_datetime64(et)), {"long_name": "UTC"})},
        attrs={
            "station": st.key,
            "trajectory": traj.label,
            "light_time_correction": {-1: "downlink", 1: "uplink", 0: "none"}[
                _light_time_sign(light_time)
            ],
        },
    )


def _search_step_s(traj: Trajectory, et0: float, et1: float) -> float:
    """Grid step for the rise/set search: short enough not to miss a pass."""
    sample = np.linspace(et0, et1, 64)
    r_min = float(np.min(np.linalg.norm(traj.geocentric_km(sample), axis=1)))
    if r_min > 100_000.0:
        return 600.0  # beyond the Moon's distance the sky motion is Earth's rotation
    period = 2.0 * math.pi * math.sqrt(r_min**3 / _GM_EARTH)
    return float(np.clip(period / 60.0, 20.0, 600.0))


def contacts(
    trajectory: Any,
    start: Any = None,
    end: Any = None,
    stations: str | Iterable[str | GroundStation] = "kashi,jiamusi,neuquen",
    *,
    spk_id: int | None = None,
    elevation_mask_deg: float | None = None,
    step_s: float | None = None,
    light_time: bool | str = True,
) -> xr.Dataset:
    """Contact windows of a spacecraft over ground stations between ``start`` and ``end``.

    Returns a ``Dataset`` along ``contact`` (sorted by AOS) with ``station``, ``aos``,
    ``tca``, ``los`` (UTC ``datetime64``), ``duration`` (s), ``max_elevation`` (deg),
    ``range_{aos,tca,los}`` (km), ``light_time_{aos,tca,los}`` (s), the mask used and
    flags saying whether the window was cut by ``start``/``end``. ``start``/``end``
    default to the trajectory's coverage; ``elevation_mask_deg`` overrides each
    station's own mask; ``step_s`` overrides the search grid (600 s beyond 1e5 km);
    ``light_time`` is ``True``/``"downlink"`` (default), ``"uplink"`` or ``False``.
    """
    _light_time_sign(light_time)
    traj = load_trajectory(trajectory, spk_id)
    sts = get_stations(stations)
    et0 = traj.et_start if start is None else _parse_time(start, "start")
    et1 = traj.et_end if end is None else _parse_time(end, "end")
    if et1 <= et0:
        raise ValueError(f"end must be after start (got start ET {et0:.1f} s, end ET {et1:.1f} s)")
    slack = 1.0  # s: tolerance for ISO rounding at the edges of the coverage
    if et0 < traj.et_start - slack or et1 > traj.et_end + slack:
        from orbits.time import et_to_iso

        raise ValueError(
            f"requested span {et_to_iso(et0)} .. {et_to_iso(et1)} UTC is outside the trajectory "
            f"{traj.label} coverage {et_to_iso(traj.et_start)} .. {et_to_iso(traj.et_end)} UTC"
        )
    if elevation_mask_deg is not None and not -5.0 <= elevation_mask_deg < 90.0:
        raise ValueError(f"elevation_mask_deg must be in [-5, 90), got {elevation_mask_deg}")
    if step_s is None:
        step_s = _search_step_s(traj, et0, et1)
    elif step_s <= 0:
        raise ValueError(f"step_s must be positive, got {step_s}")
    rows: list[dict] = []
    for st in sts:
        mask = st.elevation_mask_deg if elevation_mask_deg is None else float(elevation_mask_deg)
        rows += _station_windows(traj, st, et0, et1, mask, step_s, light_time)
    return _table(rows, traj, sts, et0, et1, light_time)


def _station_windows(traj, st, et0, et1, mask, step_s, light_time) -> list[dict]:
    """AOS/LOS by skyfield's find_discrete, TCA by one find_maxima over the span."""
    from skyfield.searchlib import find_discrete, find_maxima

    def elevation(t):
        return _geometry(traj, st, t, light_time)[0]

    def above(t):
        return elevation(t) >= mask

    above.step_days = elevation.step_days = step_s / _DAY_S
    t0, t1 = _sf_time(et0), _sf_time(et1)
    times, values = find_discrete(t0, t1, above)
    state = bool(above(_sf_time(np.array([et0])))[0])
    edges = [et0] + [float(e) for e in np.atleast_1d(_et(times))] + [et1]
    flags = [state] + [bool(v) for v in np.atleast_1d(values)]
    spans = [
        (edges[i], edges[i + 1], i == 0, i + 1 == len(flags))
        for i, up in enumerate(flags)
        if up and edges[i + 1] > edges[i]
    ]
    if not spans:
        return []
    tmax, vmax = find_maxima(t0, t1, elevation)
    et_max = np.atleast_1d(_et(tmax)) if len(vmax) else np.zeros(0)
    el_max = np.atleast_1d(vmax) if len(vmax) else np.zeros(0)
    ends = np.array([[aos, los] for aos, los, _, _ in spans])
    ends_el = elevation(_sf_time(ends.ravel())).reshape(-1, 2)
    triples = []
    for (aos, los, _, _), end_el in zip(spans, ends_el, strict=True):
        inside = (et_max >= aos) & (et_max <= los)
        cand_et = np.concatenate([et_max[inside], [aos, los]])
        cand_el = np.concatenate([el_max[inside], end_el])
        triples.append([aos, float(cand_et[int(np.argmax(cand_el))]), los])
    ets = np.array(triples)
    alt, _, rng = _geometry(traj, st, _sf_time(ets.ravel()), light_time)
    alt, rng = alt.reshape(-1, 3), rng.reshape(-1, 3)
    return [
        {
            "station": st.key,
            "et": ets[k],
            "max_elevation": float(alt[k, 1]),
            "range": rng[k],
            "mask": mask,
            "aos_cut": spans[k][2],
            "los_cut": spans[k][3],
        }
        for k in range(len(spans))
    ]


def _table(rows, traj, sts, et0, et1, light_time) -> xr.Dataset:
    from orbits.time import et_to_datetime64, et_to_iso

    rows = sorted(rows, key=lambda r: (r["et"][0], r["station"]))
    n = len(rows)
    ets = np.array([r["et"] for r in rows]).reshape(n, 3)
    rng = np.array([r["range"] for r in rows], dtype=float).reshape(n, 3)
    utc = np.asarray(et_to_datetime64(ets.ravel()) if n else np.array([], "datetime64[ns]"))
    # round to the microsecond: the searches are good to ~1 ms, the ns digits are noise
    utc = utc.reshape(n, 3).astype("datetime64[ns]")
    utc = (utc.astype("int64") + 500) // 1000 * 1000
    utc = utc.astype("datetime64[ns]")
    data = {
        "station": (
            "contact",
            np.array([r["station"] for r in rows], dtype=object),
            {"long_name": "station key"},
        ),
        "aos": (
            "contact",
            utc[:, 0],
            {"long_name": "acquisition of signal (rise through mask), UTC"},
        ),
        "tca": ("contact", utc[:, 1], {"long_name": "culmination (highest elevation), UTC"}),
        "los": ("contact", utc[:, 2], {"long_name": "loss of signal (set through mask), UTC"}),
        "duration": (
            "contact",
            ets[:, 2] - ets[:, 0],
            {"units": "s", "long_name": "window length"},
        ),
        "max_elevation": (
            "contact",
            np.array([r["max_elevation"] for r in rows], dtype=float),
            {"units": "deg", "long_name": "elevation at culmination"},
        ),
        "elevation_mask": (
            "contact",
            np.array([r["mask"] for r in rows], dtype=float),
            {"units": "deg", "long_name": "elevation mask used"},
        ),
        "aos_cut": (
            "contact",
            np.array([r["aos_cut"] for r in rows], dtype=bool),
            {"long_name": "window already open at the start of the span"},
        ),
        "los_cut": (
            "contact",
            np.array([r["los_cut"] for r in rows], dtype=bool),
            {"long_name": "window still open at the end of the span"},
        ),
    }
    for j, tag in enumerate(("aos", "tca", "los")):
        data[f"range_{tag}"] = (
            "contact",
            rng[:, j],
            {"units": "km", "long_name": f"range at {tag.upper()}"},
        )
        data[f"light_time_{tag}"] = (
            "contact",
            rng[:, j] / C_KM_S,
            {"units": "s", "long_name": f"one-way light time at {tag.upper()}"},
        )
        data[f"et_{tag}"] = (
            "contact",
            ets[:, j],
            {"units": "s", "long_name": f"{tag.upper()} as ET (TDB s past J2000)"},
        )
    return xr.Dataset(
        data,
        attrs={
            "trajectory": traj.label,
            "stations": ",".join(s.key for s in sts),
            "start_utc": str(et_to_iso(et0)),
            "end_utc": str(et_to_iso(et1)),
            "light_time_correction": {-1: "downlink", 1: "uplink", 0: "none"}[
                _light_time_sign(light_time)
            ],
            "elevation": "geometric (no refraction), WGS-84 station, DE421 Earth",
        },
    )


def contacts_to_records(table: xr.Dataset) -> list[dict]:
    """Contacts as plain dicts (ISO UTC strings, floats), e.g. for JSON."""
    records = []
    for i in range(table.sizes["contact"]):
        row = table.isel(contact=i)
        rec = {"station": str(row["station"].values)}
        for tag in ("aos", "tca", "los"):
            rec[tag] = str(np.datetime_as_string(row[tag].values, unit="ms")) + "Z"
        for name in ("duration", "max_elevation", "elevation_mask"):
            rec[name] = float(row[name].values)
        for tag in ("aos", "tca", "los"):
            rec[f"range_km_{tag}"] = float(row[f"range_{tag}"].values)
            rec[f"light_time_s_{tag}"] = float(row[f"light_time_{tag}"].values)
        rec["aos_cut"] = bool(row["aos_cut"].values)
        rec["los_cut"] = bool(row["los_cut"].values)
        records.append(rec)
    return records
