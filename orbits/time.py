"""Time for kamo: one conversion from whatever a user holds to SPICE ephemeris time.

Kernels in kamo count time as SPICE ephemeris time (ET): TDB seconds past
J2000 (2000-01-01 12:00:00 TDB). Faces accept what a notebook user has at hand:
an astropy ``Time``, an ISO string, a ``datetime``, a ``numpy.datetime64``, a
list or array of any of these, or plain floats (taken as ET already). Strings,
datetimes and datetime64 values are read as UTC.

astropy is configured on import so that it never reaches the internet for IERS
tables: the bundled ``astropy-iers-data`` tables are used instead (UTC <-> TDB
needs only the leap-second table, which that package ships).

>>> from orbits.time import to_et, et_to_iso
>>> et = to_et("2025-05-28T17:31:00")
>>> et_to_iso(et)
'2025-05-28T17:31:00.000'
"""

from __future__ import annotations

import datetime as _dt
import warnings
from contextlib import contextmanager
from typing import Any

import erfa
import numpy as np
from astropy.time import Time
from astropy.utils import iers

iers.conf.auto_download = False
iers.conf.auto_max_age = None

#: Julian date of J2000 (TDB), the zero of ephemeris time.
J2000_JD = 2451545.0
_DAY_S = 86400.0

__all__ = ["J2000_JD", "to_et", "to_time", "et_to_time", "et_to_iso", "et_to_datetime64"]


@contextmanager
def _quiet_erfa():
    """Silence ERFA's "dubious year" warnings: dates past the leap-second table's expiry are
    expected (planning runs years ahead) and assume no new leap second."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", erfa.ErfaWarning)
        yield


def _is_float_like(value: Any) -> bool:
    arr = np.asarray(value)
    return arr.dtype.kind in "iuf"


def to_time(epochs: Any) -> Time:
    """Return ``epochs`` as an astropy ``Time`` (strings, datetimes and datetime64 read as UTC).

    Floats are read as ET (TDB seconds past J2000).
    """
    if isinstance(epochs, Time):
        return epochs
    if _is_float_like(epochs):
        return et_to_time(np.asarray(epochs, dtype=float))
    if isinstance(epochs, np.datetime64) or (
        isinstance(epochs, np.ndarray) and epochs.dtype.kind == "M"
    ):
        return Time(np.asarray(epochs, dtype="datetime64[ns]"), scale="utc")
    if isinstance(epochs, (list, tuple)) and epochs and isinstance(epochs[0], Time):
        return Time(list(epochs))
    if isinstance(epochs, (list, tuple)) and epochs and isinstance(epochs[0], np.datetime64):
        return Time(np.array(epochs, dtype="datetime64[ns]"), scale="utc")
    if isinstance(epochs, (str, _dt.datetime, _dt.date)) or isinstance(epochs, (list, tuple)):
        if isinstance(epochs, _dt.date) and not isinstance(epochs, _dt.datetime):
            epochs = _dt.datetime(epochs.year, epochs.month, epochs.day)
        try:
            with _quiet_erfa():
                return Time(epochs, scale="utc")
        except ValueError as exc:
            raise ValueError(
                f"cannot read {epochs!r} as a date: use ISO 8601 like '2025-05-28' or "
                f"'2025-05-28T17:31:00' (UTC), an astropy Time, or ET seconds as a float"
            ) from exc
    if isinstance(epochs, np.ndarray) and epochs.dtype.kind in "OUS":
        return to_time(epochs.tolist())
    raise TypeError(
        f"cannot read {type(epochs).__name__} {epochs!r} as an epoch: give an astropy Time, "
        "an ISO string, a datetime, a numpy datetime64, or ET seconds as a float"
    )


def to_et(epochs: Any) -> float | np.ndarray:
    """Return SPICE ephemeris time (TDB seconds past J2000) for ``epochs``.

    A single epoch gives a float, several give an ndarray of the input's shape.
    Floats pass through unchanged (they are already ET).
    """
    if _is_float_like(epochs) and not isinstance(epochs, Time):
        arr = np.asarray(epochs, dtype=float)
        return float(arr) if arr.ndim == 0 else arr
    with _quiet_erfa():
        t = to_time(epochs).tdb
    et = ((t.jd1 - J2000_JD) + t.jd2) * _DAY_S
    et = np.asarray(et, dtype=float)
    return float(et) if et.ndim == 0 else et


def et_to_time(et: float | np.ndarray) -> Time:
    """Return an astropy ``Time`` (TDB scale) for ephemeris time ``et`` in seconds."""
    et = np.asarray(et, dtype=float)
    days = np.floor(et / _DAY_S)
    return Time(J2000_JD + days, (et - days * _DAY_S) / _DAY_S, format="jd", scale="tdb")


def et_to_iso(et: float | np.ndarray, scale: str = "utc", precision: int = 3) -> str | np.ndarray:
    """Return ISO 8601 strings (``YYYY-MM-DDTHH:MM:SS.sss``) for ``et`` in the given time scale."""
    with _quiet_erfa():
        t = getattr(et_to_time(et), scale)
        t.precision = precision
        return t.isot


def et_to_datetime64(et: float | np.ndarray) -> np.datetime64 | np.ndarray:
    """Return UTC ``numpy.datetime64[ns]`` for ``et`` (for xarray coordinates and plots)."""
    with _quiet_erfa():
        ns = np.asarray(et_to_time(et).utc.datetime64, dtype="datetime64[ns]").astype(np.int64)
    # round to whole microseconds so that 17:31:00 does not print as 17:30:59.999999999
    us = (ns + 500) // 1000 * 1000
    out = us.astype("datetime64[ns]")
    return out[()] if out.ndim == 0 else out
