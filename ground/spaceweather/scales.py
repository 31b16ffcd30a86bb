"""NOAA space-weather scales from the data: G (Kp), S (>=10 MeV protons), R (X-ray peak).

Kernels (:func:`g_scale`, :func:`s_scale`, :func:`r_scale`, :func:`flare_class`) work on a
float or an array. :func:`scale_status` turns a product's Dataset into the current level and
the peak over a window. Thresholds are from https://www.swpc.noaa.gov/noaa-scales-explanation
(reference ``ground-formats.md`` section 9).

Two traps are handled:

- Kp is in thirds; "Kp = N" covers N-, No, N+ except 9- (8.67), which is G4, not G5. The
  rule is ``thirds = round(3 kp)``, then G1..G5 at 14, 17, 20, 23, 27 thirds.
- GOES values are float32 widened to doubles, so ``float32(1e-5) < 1e-5``. Flux thresholds
  are compared at float32 precision, and the flare-class number is truncated to tenths
  with the same float32 comparison.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

__all__ = [
    "ScaleStatus",
    "flare_class",
    "g_scale",
    "kp_status",
    "proton_status",
    "r_scale",
    "s_scale",
    "scale_status",
    "xray_status",
]

_G_THIRDS = np.array([14, 17, 20, 23, 27])
_S_PFU = np.array([1e1, 1e2, 1e3, 1e4, 1e5], dtype=np.float32)
_R_WM2 = np.array([1e-5, 5e-5, 1e-4, 1e-3, 2e-3], dtype=np.float32)
_CLASS_BASE = (("X", 1e-4), ("M", 1e-5), ("C", 1e-6), ("B", 1e-7), ("A", 1e-8))


def _level(values: Any, thresholds: np.ndarray) -> Any:
    """Number of thresholds reached (0..5); NaN input gives -1 (no data)."""
    x = np.asarray(values, dtype=float)
    out = np.searchsorted(thresholds, x, side="right").astype(int)
    out = np.where(np.isnan(x), -1, out)
    return int(out) if out.ndim == 0 else out


def g_scale(kp: Any) -> Any:
    """G level (0-5) for decimal Kp; -1 where Kp is NaN. ``g_scale(8.67) == 4``, ``g_scale(9) == 5``."""
    kp = np.asarray(kp, dtype=float)
    thirds = np.round(kp * 3.0)
    return _level(np.where(np.isnan(kp), np.nan, thirds), _G_THIRDS - 0.5)


def s_scale(flux_pfu: Any) -> Any:
    """S level (0-5) for >=10 MeV integral proton flux in pfu (10, 100, ... 1e5), float32 compare."""
    x = np.asarray(flux_pfu, dtype=float)
    return _level(np.where(np.isnan(x), np.nan, x.astype(np.float32)), _S_PFU)


def r_scale(flux_w_m2: Any) -> Any:
    """R level (0-5) for GOES 0.1-0.8 nm flux in W m-2 (M1, M5, X1, X10, X20), float32 compare."""
    x = np.asarray(flux_w_m2, dtype=float)
    return _level(np.where(np.isnan(x), np.nan, x.astype(np.float32)), _R_WM2)


def flare_class(flux_w_m2: float) -> str | None:
    """Flare class for a long-band flux: ``4.19e-5`` -> ``"M4.1"``, ``2e-3`` -> ``"X20.0"``.

    The number is truncated (not rounded) to one decimal. Returns ``None`` for NaN.
    """
    flux = float(flux_w_m2)
    if not np.isfinite(flux):
        return None
    if flux < 0:
        raise ValueError(f"X-ray flux must be non-negative, got {flux} W m-2")
    f32 = np.float32(flux)
    for letter, base in _CLASS_BASE:
        if f32 >= np.float32(base) or letter == "A":
            # Truncate to tenths, comparing at float32 like the scales do, so that
            # float32(1e-5) reads M1.0 (not C9.9) and X20.0 coincides with R5.
            tenths = int(np.floor(flux / base * 10.0))
            while f32 >= np.float32((tenths + 1) * base / 10.0):
                tenths += 1
            while tenths > 0 and f32 < np.float32(tenths * base / 10.0):
                tenths -= 1
            return f"{letter}{tenths / 10:.1f}"
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class ScaleStatus:
    """Current value and level of one NOAA scale, and its peak over a window.

    ``level`` and ``peak_level`` are 0 (none) .. 5; ``None`` values mean no data.
    """

    scale: str
    value: float | None
    time: np.datetime64 | None
    level: int
    peak_value: float | None
    peak_time: np.datetime64 | None
    peak_level: int
    window_hours: float

    def __repr__(self) -> str:
        def fmt(v: float | None) -> str:
            return "no data" if v is None else f"{v:.3g}"

        def when(t: np.datetime64 | None) -> str:
            return "-" if t is None else f"{np.datetime_as_string(t, unit='m')}Z"

        return (
            f"<{self.scale}{self.level} now ({fmt(self.value)} at {when(self.time)}); "
            f"peak {self.scale}{self.peak_level} ({fmt(self.peak_value)} at "
            f"{when(self.peak_time)}) over {self.window_hours:g} h>"
        )


def scale_status(
    series: xr.DataArray,
    scale: str,
    window_hours: float = 24.0,
    end: Any = None,
) -> ScaleStatus:
    """Current level (latest finite sample) and peak over ``window_hours`` ending at ``end``.

    ``end`` defaults to the latest sample's time, so stale or recorded data still gives a
    peak over the 24 h it covers. Gaps are never read as quiet: with no finite sample the
    value is ``None`` and the level 0 while ``time`` stays ``None``.
    """
    if window_hours <= 0:
        raise ValueError(f"window_hours must be positive, got {window_hours}")
    func = {"G": g_scale, "S": s_scale, "R": r_scale}.get(scale)
    if func is None:
        raise ValueError(f"scale must be 'G', 'S' or 'R', got {scale!r}")
    s = series.dropna("time") if series.sizes.get("time", 0) else series
    if s.sizes.get("time", 0) == 0:
        return ScaleStatus(scale, None, None, 0, None, None, 0, float(window_hours))
    times = s["time"].values
    values = s.values.astype(float)
    latest = int(np.argmax(times))
    end64 = times[latest] if end is None else np.datetime64(_as_naive_utc(end), "ns")
    start64 = end64 - np.timedelta64(int(window_hours * 3600e9), "ns")
    in_window = (times > start64) & (times <= end64)
    value = float(values[latest])
    if in_window.any():
        idx = np.flatnonzero(in_window)
        k = idx[int(np.argmax(values[idx]))]
        peak, peak_time = float(values[k]), times[k]
    else:
        peak, peak_time = None, None
    return ScaleStatus(
        scale=scale,
        value=value,
        time=times[latest],
        level=max(int(func(value)), 0),
        peak_value=peak,
        peak_time=peak_time,
        peak_level=0 if peak is None else max(int(func(peak)), 0),
        window_hours=float(window_hours),
    )


def _as_naive_utc(t: Any) -> Any:
    if isinstance(t, str):
        return t.rstrip("Z")
    if hasattr(t, "utc") and hasattr(t, "isot"):  # astropy Time
        return t.utc.isot
    if hasattr(t, "tzinfo") and t.tzinfo is not None:
        return t.astimezone(datetime.UTC).replace(tzinfo=None)
    return t


def kp_status(kp: xr.Dataset, window_hours: float = 24.0, end: Any = None) -> ScaleStatus:
    """G scale from a parsed Kp Dataset (:func:`ground.spaceweather.products.parse_kp`)."""
    return scale_status(kp["kp"], "G", window_hours, end)


def proton_status(protons: xr.Dataset, window_hours: float = 24.0, end: Any = None) -> ScaleStatus:
    """S scale from the ``">=10 MeV"`` channel of a parsed integral-proton Dataset."""
    return scale_status(protons["flux"].sel(channel=">=10 MeV"), "S", window_hours, end)


def xray_status(xrays: xr.Dataset, window_hours: float = 24.0, end: Any = None) -> ScaleStatus:
    """R scale from the ``"0.1-0.8nm"`` band of a parsed GOES X-ray Dataset."""
    return scale_status(xrays["flux"].sel(band="0.1-0.8nm"), "R", window_hours, end)
