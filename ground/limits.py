"""Limit checking: engineering values against the dictionary's yellow and red limits.

A value below ``red_low`` or above ``red_high`` is ``red`` (critical); otherwise
below ``yellow_low`` or above ``yellow_high`` is ``yellow`` (warning). Limits
are inclusive bounds of the nominal range, as XTCE's alarm ranges are.

:func:`check_limits` returns an alarm table (a ``pandas.DataFrame``) with one
row per alarm: ``packet``, ``parameter``, ``time``, ``level``, ``value``,
``limit`` (the bound that was crossed) and ``side`` (``low``/``high``). By
default a row is written when a parameter *enters* a level (nominal -> yellow,
yellow -> red, red -> yellow); ``transitions_only=False`` lists every sample out
of limits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from ground.dictionary import Dictionary, Limits

LEVELS = ("nominal", "yellow", "red")
COLUMNS = ["packet", "parameter", "time", "level", "value", "limit", "side"]


def classify(values: np.ndarray, limits: Limits) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per sample: level code (0 nominal, 1 yellow, 2 red), the crossed limit, and the side (-1 low, +1 high).

    NaN values are nominal (they mean "no value", e.g. outside a calibration table).
    """
    v = np.asarray(values, dtype=np.float64)
    level = np.zeros(v.shape, dtype=np.int8)
    limit = np.full(v.shape, np.nan)
    side = np.zeros(v.shape, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        for code, lo, hi in (
            (1, limits.yellow_low, limits.yellow_high),
            (2, limits.red_low, limits.red_high),
        ):
            if lo is not None:
                m = v < lo
                level[m], limit[m], side[m] = code, lo, -1
            if hi is not None:
                m = v > hi
                level[m], limit[m], side[m] = code, hi, 1
    return level, limit, side


def check_limits(
    datasets: dict[str, xr.Dataset] | xr.Dataset,
    dictionary: Dictionary,
    *,
    transitions_only: bool = True,
) -> pd.DataFrame:
    """The alarm table for decommutated datasets (one packet type or a dict of them)."""
    if isinstance(datasets, xr.Dataset):
        datasets = {datasets.attrs.get("packet", "?"): datasets}
    frames = []
    for name, ds in datasets.items():
        try:
            pdef = dictionary.packet(name)
        except KeyError:
            continue  # header-level datasets have no limits
        for f in pdef.user_fields:
            lim = f.parameter.limits
            if lim is None or f.name not in ds:
                continue
            values = ds[f.name].values.astype(np.float64)
            level, limit, side = classify(values, lim)
            if transitions_only:
                prev = np.concatenate([[0], level[:-1]])
                rows = np.flatnonzero((level > 0) & (level != prev))
            else:
                rows = np.flatnonzero(level > 0)
            if rows.size == 0:
                continue
            frames.append(
                pd.DataFrame(
                    {
                        "packet": name,
                        "parameter": f.name,
                        "time": ds["time"].values[rows],
                        "level": np.array(LEVELS, dtype=object)[level[rows]],
                        "value": values[rows],
                        "limit": limit[rows],
                        "side": np.where(side[rows] < 0, "low", "high"),
                    }
                )
            )
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    table = pd.concat(frames, ignore_index=True)
    return table.sort_values(["time", "packet", "parameter"], kind="stable").reset_index(drop=True)


def alarms_to_records(table: pd.DataFrame, limit: int | None = 1000) -> list[dict]:
    """Alarm rows as JSON-ready dicts (ISO times), at most ``limit`` of them."""
    rows = table if limit is None else table.head(limit)
    out = []
    for r in rows.itertuples(index=False):
        out.append(
            {
                "packet": r.packet,
                "parameter": r.parameter,
                "time": None
                if pd.isna(r.time)
                else np.datetime_as_string(np.datetime64(r.time, "ns"), unit="ms"),
                "level": r.level,
                "value": float(r.value),
                "limit": float(r.limit),
                "side": r.side,
            }
        )
    return out
