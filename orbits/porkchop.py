"""Porkchop plots: launch energy and arrival speed over a grid of launch and arrival dates.

:func:`porkchop` solves one Lambert problem (Izzo, :func:`orbits._lambert.lambert_one`)
for every pair of launch and arrival dates and returns an ``xarray.Dataset`` over
``(launch, arrival)``:

============== ========= ======================================================
variable       units     meaning
============== ========= ======================================================
c3_launch      km2/s2    departure C3 = |v_inf,launch|^2
vinf_launch    km/s      departure hyperbolic excess speed
dla            deg       declination of the departure v-infinity vector, EME2000
rla            deg       right ascension of the departure v-infinity, EME2000
vinf_arrival   km/s      arrival hyperbolic excess speed (relative to the target)
dv_total       km/s      vinf_launch + vinf_arrival (launch v-infinity included)
dv_rendezvous  km/s      vinf_arrival alone (launch v-infinity excluded: the
                         launcher pays it, the spacecraft pays the arrival)
tof            days      time of flight
============== ========= ======================================================

The v-infinity direction (DLA/RLA) is given in the Earth mean equator and equinox
of J2000 frame (EME2000, SPICE "J2000"), as launch-vehicle documents quote it.
Cells without a solution (time of flight <= 0 or shorter than ``min_tof_days``,
no Lambert solution) are NaN; the function never raises for them.

One numba-parallel kernel (:mod:`orbits._porkchop`) solves each cell with the Izzo
solver (:func:`orbits._lambert.lambert_one`) and reduces it to the variables above in
the same loop. Ephemerides are evaluated
only at the grid's unique launch and arrival epochs
(n + m calls, not n * m), so a 300 x 300 porkchop costs 600 ephemeris lookups and
90,000 Lambert solves.

>>> from orbits.porkchop import porkchop
>>> pc = porkchop("earth", "mars", ("2020-06-01", "2020-09-30"),
...               ("2021-01-01", "2021-06-30"), grid=50)
>>> pc.porkchop.summary()["min_c3"]["launch"][:7]
'2020-07'
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from orbits._porkchop import porkchop_grid
from orbits.constants import DAY_S, GM_SUN
from orbits.ephemeris import body_label, state_et
from orbits.spice import SPICE_LOCK, ensure_kernels
from orbits.time import _quiet_erfa, et_to_datetime64, et_to_iso, to_et, to_time

__all__ = ["porkchop", "porkchop_summary", "plot_porkchop", "parse_span", "PorkchopAccessor"]

_FRAME = "ECLIPJ2000"
#: The planes of :func:`orbits._porkchop.porkchop_grid`, in order.
_KERNEL_PLANES = (
    "c3_launch",
    "vinf_launch",
    "dla",
    "rla",
    "vinf_arrival",
    "dv_total",
    "dv_rendezvous",
    "tof",
)


def parse_span(span: Any, what: str = "span") -> tuple[Any, Any]:
    """Read a date span: ``"2020-06-01/2020-09-30"``, a ``(start, end)`` pair, or a Time of two.

    Returns ``(start, end)`` as astropy ``Time`` (UTC). Raises ``ValueError`` naming the
    span when it is malformed or reversed.
    """
    t0, t1, _, _ = _parse_span_et(span, what)
    return t0, t1


def _parse_span_et(span: Any, what: str) -> tuple[Any, Any, float, float]:
    """:func:`parse_span` plus the ET of both ends (each converted once)."""
    if isinstance(span, str):
        parts = span.split("/")
        if len(parts) != 2 or not all(p.strip() for p in parts):
            raise ValueError(
                f"{what} {span!r} is not a span: write START/END, e.g. 2020-06-01/2020-09-30"
            )
        span = (parts[0].strip(), parts[1].strip())
    try:
        start, end = span
    except (TypeError, ValueError):
        raise ValueError(
            f"{what} {span!r} is not a span: give (start, end) or 'START/END'"
        ) from None
    try:
        with _quiet_erfa():
            t0, t1 = to_time(start).utc, to_time(end).utc
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{what}: {exc}") from None
    e0, e1 = to_et(t0), to_et(t1)
    if not e1 > e0:
        raise ValueError(
            f"{what} {et_to_iso(e0)[:19]}/{et_to_iso(e1)[:19]} is reversed or "
            "empty: the start must come "
            "before the end"
        )
    return t0, t1, e0, e1


def _grid_sizes(grid: Any) -> tuple[int, int]:
    if isinstance(grid, (int, np.integer)):
        sizes = (int(grid), int(grid))
    else:
        try:
            sizes = tuple(int(g) for g in grid)
        except TypeError:
            raise ValueError(f"grid must be an int or a pair of ints, got {grid!r}") from None
        if len(sizes) != 2:
            raise ValueError(f"grid must be an int or a pair of ints, got {grid!r}")
    if min(sizes) < 2 or max(sizes) > 5000:
        raise ValueError(f"grid sizes must be between 2 and 5000 points per axis, got {grid!r}")
    return sizes


def _epoch_axis(span: Any, n: int, what: str) -> tuple[np.ndarray, np.ndarray]:
    """n epochs evenly spaced over the span: (datetime64 UTC, ET)."""
    _, _, e0, e1 = _parse_span_et(span, what)
    d0, d1 = et_to_datetime64(np.array([e0, e1]))
    span_ns = (d1 - d0).astype(np.int64)
    # whole seconds for readable coordinates; ET follows the same fraction of the span
    offsets = np.round(np.arange(n) * (span_ns / (n - 1)) / 1e9) * 1e9
    offsets[-1] = span_ns
    dates = d0 + offsets.astype(np.int64).astype("timedelta64[ns]")
    return dates, e0 + (offsets / span_ns) * (e1 - e0)


_J2000_FROM_ECLIP: np.ndarray | None = None


def _eclip_to_eme2000() -> np.ndarray:
    global _J2000_FROM_ECLIP
    if _J2000_FROM_ECLIP is None:
        import spiceypy

        ensure_kernels()
        with SPICE_LOCK:
            _J2000_FROM_ECLIP = np.asarray(spiceypy.pxform("ECLIPJ2000", "J2000", 0.0))
    return _J2000_FROM_ECLIP


def porkchop(
    departure: Any,
    arrival: Any,
    launch_span: Any,
    arrival_span: Any,
    grid: int | tuple[int, int] = 200,
    *,
    revolutions: int | tuple[int, ...] = 0,
    prograde: bool = True,
    low_path: bool = True,
    min_tof_days: float = 0.0,
    mu: float = GM_SUN,
    select: str = "dv_total",
) -> xr.Dataset:
    """Departure C3, arrival v-infinity and delta-v over a grid of launch and arrival dates.

    Parameters
    ----------
    departure, arrival : str, int or SmallBody
        Bodies by name or NAIF id ("earth", "mars", 399) or element-defined small bodies.
    launch_span, arrival_span : str or (start, end)
        Date spans, ``"2020-06-01/2020-09-30"`` or a pair of Time / ISO strings (UTC).
    grid : int or (int, int)
        Number of launch dates and arrival dates (both ends included).
    revolutions : int or sequence of int
        Full revolutions of the transfer (0 by default). A sequence, e.g. ``(0, 1)``,
        solves every listed count, both branches of each multi-revolution family, and
        keeps per cell the solution with the smallest ``select`` variable; the
        ``revs`` variable then says which count won. Useful for co-orbital targets
        such as Kamoʻoalewa, whose about-one-year transfers are one-revolution arcs.
    prograde, low_path : Lambert options (prograde; ``low_path`` picks the branch of a
        single multi-revolution family when ``revolutions`` is an int).
    min_tof_days : float
        Cells with a shorter time of flight are NaN.
    mu : float
        Central body GM in km^3/s^2 (the Sun's).
    select : str
        Variable minimised per cell when several families are solved ("dv_total",
        "c3_launch", "vinf_arrival").

    Returns
    -------
    xarray.Dataset
        Variables ``c3_launch``, ``vinf_launch``, ``dla``, ``rla``, ``vinf_arrival``,
        ``dv_total``, ``dv_rendezvous``, ``tof``, ``revs`` over ``(launch, arrival)`` (UTC
        datetime64 coordinates), each with ``units`` and ``long_name``. Use
        ``ds.porkchop.plot()`` and ``ds.porkchop.summary()``.
    """
    n_launch, n_arrival = _grid_sizes(grid)
    families = _families(revolutions, low_path)
    if select not in ("dv_total", "c3_launch", "vinf_arrival", "dv_rendezvous"):
        raise ValueError(
            f"select must be 'dv_total', 'c3_launch', 'vinf_arrival' or 'dv_rendezvous', "
            f"got {select!r}"
        )
    launch_dates, launch_et = _epoch_axis(launch_span, n_launch, "launch span")
    arrival_dates, arrival_et = _epoch_axis(arrival_span, n_arrival, "arrival span")

    dep = state_et(departure, launch_et, frame=_FRAME)
    arr = state_et(arrival, arrival_et, frame=_FRAME)
    variables = None
    for revs, path in families:
        found = porkchop_arrays(
            dep, arr, launch_et, arrival_et, mu, revs, prograde, path, min_tof_days
        )
        found["revs"] = np.where(np.isfinite(found["c3_launch"]), float(revs), np.nan)
        if variables is None:
            variables = found
            continue
        better = np.nan_to_num(found[select], nan=np.inf) < np.nan_to_num(
            variables[select], nan=np.inf
        )
        for name in variables:
            variables[name] = np.where(better, found[name], variables[name])

    dims = ("launch", "arrival")
    meta = {
        "c3_launch": ("km2/s2", "departure C3 (launch energy)"),
        "vinf_launch": ("km/s", "departure hyperbolic excess speed"),
        "dla": ("deg", "declination of departure v-infinity (EME2000)"),
        "rla": ("deg", "right ascension of departure v-infinity (EME2000)"),
        "vinf_arrival": ("km/s", "arrival hyperbolic excess speed"),
        "dv_total": ("km/s", "departure + arrival v-infinity (launch v-infinity included)"),
        "dv_rendezvous": ("km/s", "arrival v-infinity (launch v-infinity excluded)"),
        "tof": ("days", "time of flight"),
        "revs": ("1", "full revolutions of the transfer arc"),
    }
    data_vars = {
        name: (dims, variables[name], {"units": units, "long_name": long_name})
        for name, (units, long_name) in meta.items()
    }
    coords = {
        "launch": ("launch", launch_dates, {"long_name": "launch date (UTC)"}),
        "arrival": ("arrival", arrival_dates, {"long_name": "arrival date (UTC)"}),
        "launch_et": (
            "launch",
            launch_et,
            {"units": "s", "long_name": "launch epoch, TDB seconds past J2000"},
        ),
        "arrival_et": (
            "arrival",
            arrival_et,
            {"units": "s", "long_name": "arrival epoch, TDB seconds past J2000"},
        ),
    }
    attrs = {
        "title": f"porkchop {body_label(departure)} -> {body_label(arrival)}",
        "departure_body": body_label(departure),
        "arrival_body": body_label(arrival),
        "ephemeris_frame": _FRAME,
        "vinf_direction_frame": "EME2000 (SPICE J2000)",
        "mu_km3_s2": float(mu),
        "revolutions": ",".join(f"{r}{'' if r == 0 else ('L' if p else 'H')}" for r, p in families),
        "prograde": int(bool(prograde)),
        "selected_by": select if len(families) > 1 else "single family",
        "lambert_solver": "Izzo (2015), orbits._lambert.lambert_batch",
    }
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


def _families(revolutions: Any, low_path: bool) -> list[tuple[int, bool]]:
    """(revolutions, low_path) pairs to solve."""
    single = isinstance(revolutions, (int, np.integer))
    counts = [revolutions] if single else list(revolutions)
    if not counts or any(isinstance(r, bool) or int(r) != r or r < 0 or r > 20 for r in counts):
        raise ValueError(
            f"revolutions must be a whole number from 0 to 20 or a list of them, got {revolutions!r}"
        )
    if single:
        return [(int(revolutions), bool(low_path))]
    out: list[tuple[int, bool]] = []
    for r in sorted(set(int(r) for r in counts)):
        out.extend([(0, True)] if r == 0 else [(r, True), (r, False)])
    return out


def porkchop_arrays(
    dep: np.ndarray,
    arr: np.ndarray,
    launch_et: np.ndarray,
    arrival_et: np.ndarray,
    mu: float = GM_SUN,
    revolutions: int = 0,
    prograde: bool = True,
    low_path: bool = True,
    min_tof_days: float = 0.0,
) -> dict[str, np.ndarray]:
    """Kernel of :func:`porkchop`: departure states ``(n, 6)`` and arrival states ``(m, 6)``
    (heliocentric ecliptic J2000, km, km/s) at ET epochs -> dict of ``(n, m)`` arrays.
    """
    out = porkchop_grid(
        mu,
        dep,
        arr,
        launch_et,
        arrival_et,
        revs=int(revolutions),
        prograde=prograde,
        low_path=low_path,
        rot=_eclip_to_eme2000(),
        min_tof=float(min_tof_days) * DAY_S,
    )
    return dict(zip(_KERNEL_PLANES, out, strict=True))


def _iso_day(value: np.datetime64) -> str:
    """ISO text to the nearest second."""
    rounded = (np.datetime64(value, "ns") + np.timedelta64(500, "ms")).astype("datetime64[s]")
    return str(np.datetime_as_string(rounded, unit="s"))


def _cell(ds: xr.Dataset, variable: str) -> dict[str, Any] | None:
    values = ds[variable].values
    if not np.isfinite(values).any():
        return None
    i, j = np.unravel_index(np.nanargmin(values), values.shape)
    return {
        "value": float(values[i, j]),
        "launch": _iso_day(ds["launch"].values[i]),
        "arrival": _iso_day(ds["arrival"].values[j]),
        "tof_days": float(ds["tof"].values[i, j]),
        "c3_km2_s2": float(ds["c3_launch"].values[i, j]),
        "vinf_arrival_km_s": float(ds["vinf_arrival"].values[i, j]),
        "dla_deg": float(ds["dla"].values[i, j]),
        "rla_deg": float(ds["rla"].values[i, j]),
        "index": (int(i), int(j)),
    }


def porkchop_summary(ds: xr.Dataset, dv: str = "dv_total") -> dict[str, Any]:
    """Minimum-C3 and minimum-delta-v cells of a porkchop, with ISO dates (UTC).

    Returns ``{"min_c3": {c3_km2_s2, launch, arrival, tof_days, ...}, "min_dv": {dv_km_s,
    launch, arrival, tof_days, ...}, "launch_span", "arrival_span", "grid"}``; an entry is
    None when no cell is feasible. ``dv`` picks the delta-v variable (``dv_total`` or
    ``dv_rendezvous``).
    """
    min_c3 = _cell(ds, "c3_launch")
    min_dv = _cell(ds, dv)
    if min_c3 is not None:
        min_c3.pop("value")
    if min_dv is not None:
        min_dv = {"dv_km_s": min_dv.pop("value"), "dv_variable": dv, **min_dv}
    return {
        "departure": ds.attrs.get("departure_body"),
        "arrival_body": ds.attrs.get("arrival_body"),
        "min_c3": min_c3,
        "min_dv": min_dv,
        "launch_span": [_iso_day(ds["launch"].values[0]), _iso_day(ds["launch"].values[-1])],
        "arrival_span": [_iso_day(ds["arrival"].values[0]), _iso_day(ds["arrival"].values[-1])],
        "grid": [int(ds.sizes["launch"]), int(ds.sizes["arrival"])],
        "feasible_fraction": float(np.isfinite(ds["c3_launch"].values).mean()),
    }


def _nice_levels(lo: float, hi: float, count: int = 12) -> np.ndarray:
    """About ``count`` round contour levels from at or below ``lo`` up to ``hi``."""
    raw = (hi - lo) / count
    steps = np.array([1.0, 2.0, 2.5, 5.0, 10.0])
    scale = 10.0 ** np.floor(np.log10(raw))
    step = float(steps[np.searchsorted(steps * scale, raw)] * scale)
    start = np.floor(lo / step) * step
    return np.arange(start, hi + 0.5 * step, step)


def plot_porkchop(
    ds: xr.Dataset,
    ax: Any = None,
    *,
    c3_levels: Any = None,
    tof_levels: Any = None,
    c3_max: float | None = None,
    mark_launch: Any = None,
    title: str | None = None,
):
    """Draw a porkchop in the usual style: C3 contours, time-of-flight lines, optima marked.

    The minimum-C3 cell gets a star, the minimum ``dv_total`` cell a diamond.

    Parameters
    ----------
    ds : porkchop Dataset from :func:`porkchop`.
    ax : matplotlib Axes, optional (a new figure is made otherwise).
    c3_levels : C3 contour levels in km^2/s^2 (default: from the minimum upwards).
    tof_levels : time-of-flight lines in days (default: about eight round values).
    c3_max : hide C3 above this (default: minimum + 3 x the contour span).
    mark_launch : a date (or list) to draw as a vertical line, e.g. the real launch.
    Returns the Axes.
    """
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 6.5), layout="constrained")
    launch = ds["launch"].values
    arrival = ds["arrival"].values
    c3 = ds["c3_launch"].values.T
    tof = ds["tof"].values.T
    finite = np.isfinite(c3)
    if not finite.any():
        ax.text(0.5, 0.5, "no feasible transfer in this grid", transform=ax.transAxes, ha="center")
        return ax
    c3_min = float(np.nanmin(c3))
    if c3_levels is None:
        top = c3_max if c3_max is not None else max(c3_min * 3.0, c3_min + 30.0)
        c3_levels = _nice_levels(c3_min, top)
    c3_levels = np.asarray(c3_levels, dtype=float)
    filled = ax.contourf(
        launch,
        arrival,
        np.where(c3 <= c3_levels[-1], c3, np.nan),
        levels=c3_levels,
        cmap="viridis_r",
    )
    lines = ax.contour(launch, arrival, c3, levels=c3_levels, colors="k", linewidths=0.5)
    ax.clabel(lines, fmt="%.1f", fontsize=7)
    if tof_levels is None:
        lo, hi = np.nanmin(tof), np.nanmax(tof)
        step = max(10.0, float(np.round((hi - lo) / 8.0, -1)))
        tof_levels = np.arange(np.ceil(lo / step) * step, hi, step)
    if len(tof_levels):
        tof_lines = ax.contour(
            launch,
            arrival,
            tof,
            levels=tof_levels,
            colors="firebrick",
            linestyles="--",
            linewidths=0.8,
        )
        ax.clabel(tof_lines, fmt="%d d", fontsize=7)
    j, i = np.unravel_index(np.nanargmin(c3), c3.shape)
    ax.plot(
        launch[i],
        arrival[j],
        marker="*",
        color="gold",
        markeredgecolor="k",
        markersize=16,
        linestyle="none",
        label=f"min C3 {c3[j, i]:.2f} km²/s² ({str(launch[i])[:10]} → {str(arrival[j])[:10]})",
    )
    if "dv_total" in ds:
        dv = ds["dv_total"].values.T
        if np.isfinite(dv).any():
            j, i = np.unravel_index(np.nanargmin(dv), dv.shape)
            ax.plot(
                launch[i],
                arrival[j],
                marker="D",
                color="orange",
                markeredgecolor="k",
                markersize=9,
                linestyle="none",
                label=f"min Δv {dv[j, i]:.2f} km/s, launch + arrival v∞ "
                f"({str(launch[i])[:10]} → {str(arrival[j])[:10]})",
            )
    if mark_launch is not None:
        marks = mark_launch if isinstance(mark_launch, (list, tuple)) else [mark_launch]
        for mark in marks:
            when = et_to_datetime64(to_et(mark))
            ax.axvline(when, color="crimson", linewidth=1.2, label=f"launch {str(when)[:16]} UTC")
    plt.colorbar(filled, ax=ax, label="C3 at launch (km²/s²)")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    ax.yaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    ax.tick_params(axis="x", labelrotation=30)
    ax.set_xlabel("launch date (UTC)")
    ax.set_ylabel("arrival date (UTC)")
    dep, arr = ds.attrs.get("departure_body", "?"), ds.attrs.get("arrival_body", "?")
    ax.set_title(title or f"{dep} → {arr}: C3 (filled), time of flight (dashed, days)")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    return ax


@xr.register_dataset_accessor("porkchop")
class PorkchopAccessor:
    """``ds.porkchop.plot()`` and ``ds.porkchop.summary()`` on a porkchop Dataset."""

    def __init__(self, ds: xr.Dataset) -> None:
        self._ds = ds

    def plot(self, ax: Any = None, **kwargs: Any):
        """Draw the porkchop (see :func:`plot_porkchop`)."""
        return plot_porkchop(self._ds, ax=ax, **kwargs)

    def summary(self, dv: str = "dv_total") -> dict[str, Any]:
        """Minimum-C3 and minimum-delta-v cells (see :func:`porkchop_summary`)."""
        return porkchop_summary(self._ds, dv=dv)
