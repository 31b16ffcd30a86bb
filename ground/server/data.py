"""What the display server reads: the dictionary as JSON, pages of archived values, alarms,
and the packets that land in the raw store while it runs.

Nothing here writes to the archive. History comes from the Zarr processed store
(:class:`ArchiveReader`); the realtime feed comes from the append-only raw store
(:class:`RawTail`), whose records are complete and CRC-checked before they are
read, so a reader never sees half a packet.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import threading
import time as _time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ground.archive import _HEAD, FILE_MAGIC, KIND_PACKETS, RECORD_MAGIC, _crc
from ground.bulk import decode_bytes
from ground.decom import decommutate
from ground.dictionary import DerivedDef, Dictionary, ParameterDef
from ground.limits import LEVELS, check_limits, classify

#: Page size of history answers unless the client asks for another (and the most it may ask).
DEFAULT_PAGE = 5000
MAX_PAGE = 50_000
#: A group that fails to open this soon after a change is taken to be mid-append.
RETRY_S = 2.0
#: A min/max-decimated answer reads at most this many samples (wider spans are strided first).
MAX_MINMAX_READ = 5_000_000
#: A Zarr group whose time axis just changed is re-read only once its metadata has not
#: changed for this long, so that a read racing an append does not see rows whose chunks
#: are not written yet (until then the previous length is served).
SETTLE_S = 0.25


class RequestError(ValueError):
    """A bad query value; the server answers 400 with this message."""


class ArchiveReadError(RuntimeError):
    """A packet type's Zarr group that cannot be read; the server answers 500 with this message."""


# --------------------------------------------------------------------------- time


def parse_time_ms(value: str | None, name: str) -> int | None:
    """An ISO UTC time (``2026-01-01T00:00:00Z``) or epoch milliseconds, as epoch ms."""
    if value is None or value == "":
        return None
    text = value.strip()
    try:
        ms = float(text)
    except ValueError:
        pass
    else:
        if not math.isfinite(ms) or abs(ms) > 1e15:
            raise RequestError(f"{name}={value!r} is out of range; give an ISO UTC time")
        return int(ms)
    try:
        t = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RequestError(
            f"{name}={value!r} is not a time; give ISO UTC like 2026-01-01T00:00:00Z "
            "or epoch milliseconds"
        ) from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=_dt.UTC)
    return int(round(t.timestamp() * 1000))


def iso_ms(ms: int | float | None) -> str | None:
    if ms is None:
        return None
    t = _dt.datetime.fromtimestamp(ms / 1000.0, tz=_dt.UTC)
    return t.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _ns_to_ms(ns: np.ndarray) -> np.ndarray:
    return ns.astype("datetime64[ns]").astype(np.int64) // 1_000_000


def json_values(values: np.ndarray) -> list:
    """Numbers for JSON: floats with NaN as null, booleans and integers as ints."""
    v = np.asarray(values)
    if v.dtype.kind == "b":
        return v.astype(np.int8).tolist()
    if v.dtype.kind in "iu":
        return v.tolist()
    f = v.astype(np.float64)
    out = f.tolist()
    bad = ~np.isfinite(f)
    if bad.any():
        for i in np.flatnonzero(bad):
            out[i] = None
    return out


# --------------------------------------------------------------------------- dictionary


def _limits_json(p: ParameterDef) -> dict[str, float] | None:
    lim = p.limits
    if lim is None:
        return None
    return {
        k: v
        for k, v in (
            ("yellow_low", lim.yellow_low),
            ("yellow_high", lim.yellow_high),
            ("red_low", lim.red_low),
            ("red_high", lim.red_high),
        )
        if v is not None
    }


def _finite(x: float) -> float | int | None:
    if not math.isfinite(x):
        return None
    return int(x) if float(x).is_integer() else float(x)


def dictionary_json(d: Dictionary) -> dict[str, Any]:
    """Every telemetry parameter (packet, type, units, limits) and command, for the display."""
    packets = []
    for p in d.packets:
        params = []
        for f in p.user_fields:
            par = f.parameter
            params.append(
                {
                    "key": par.name,
                    "name": par.name,
                    "packet": p.name,
                    "type": par.kind,
                    "bits": par.bits,
                    "units": par.unit,
                    "description": par.description,
                    "calibrated": par.calibration is not None,
                    "limits": _limits_json(par),
                    "enumeration": [{"value": v, "string": s} for v, s in par.enumeration],
                    "derived": False,
                }
            )
        for der in p.derived:
            params.append(
                {
                    "key": der.name,
                    "name": der.name,
                    "packet": p.name,
                    "type": "float",
                    "bits": 64,
                    "units": der.unit,
                    "description": der.description or der.expression,
                    "calibrated": False,
                    "limits": None,
                    "enumeration": [],
                    "derived": True,
                    "expression": der.expression,
                }
            )
        packets.append(
            {
                "name": p.name,
                "apid": p.apid,
                "service": p.service,
                "subservice": p.subservice,
                "description": p.description,
                "parameters": params,
            }
        )
    commands = [
        {
            "name": c.name,
            "apid": c.apid,
            "service": c.service,
            "subservice": c.subservice,
            "description": getattr(c, "description", ""),
            "arguments": [
                {
                    "name": a.name,
                    "type": a.kind,
                    "bits": a.bits,
                    "units": a.unit,
                    "description": a.description,
                    "valid_min": a.valid_min,
                    "valid_max": a.valid_max,
                    # what build_command accepts: the dictionary's range within the encoding's
                    "min": _finite(a.bounds()[0]) if a.kind not in ("enum", "bool") else None,
                    "max": _finite(a.bounds()[1]) if a.kind not in ("enum", "bool") else None,
                    "range": a.range_text(),
                    "enumeration": [{"value": v, "string": s} for v, s in a.enumeration],
                }
                for a in c.arguments
            ],
        }
        for c in d.commands
    ]
    return {"name": d.name, "packets": packets, "commands": commands}


# --------------------------------------------------------------------------- history


@dataclass
class _GroupCache:
    shape: int  # length of the time axis read
    dataset: xr.Dataset | None
    time_ms: np.ndarray  # epoch ms, length == shape
    sorted: bool


class ArchiveReader:
    """Pages of one parameter's archived values, the latest values and the alarm table.

    Per packet type it keeps the time axis in memory (8 octets a sample) and
    re-reads it only when the Zarr store has grown, so that finding a page in
    10^6 samples is a binary search and reading it touches only its chunks.
    """

    def __init__(self, processed: str | Path, dictionary: Dictionary):
        self.processed = Path(processed)
        self.dictionary = dictionary
        self._cache: dict[str, _GroupCache] = {}
        self._lock = threading.Lock()

    # -- store layout

    def groups(self) -> list[str]:
        if not self.processed.is_dir():
            return []
        return sorted(
            p.name
            for p in self.processed.iterdir()
            if p.is_dir() and (p / "zarr.json").exists() and (p / "time" / "zarr.json").exists()
        )

    def _stored_length(self, group: str) -> tuple[int, float]:
        """Length of the group's time axis and when any of its arrays last changed (epoch s).

        xarray appends one variable after the other, so the group has settled only when
        none of its arrays' metadata has changed for a while.
        """
        root = self.processed / group
        try:
            meta = json.loads((root / "time" / "zarr.json").read_text())
            length = int(meta["shape"][0])
            changed = max(
                (Path(e.path) / "zarr.json").stat().st_mtime
                for e in os.scandir(root)
                if e.is_dir() and (Path(e.path) / "zarr.json").exists()
            )
            return length, changed
        except (OSError, ValueError, KeyError, IndexError):
            return 0, 0.0

    def group_of(self, parameter: str) -> tuple[str, ParameterDef | DerivedDef]:
        try:
            pdef, par = self.dictionary.find_parameter(parameter)
        except KeyError:
            raise KeyError(
                f"no parameter {parameter!r} in dictionary {self.dictionary.name}; "
                "GET /api/dictionary lists them"
            ) from None
        return pdef.name, par

    def _group(self, group: str) -> _GroupCache | None:
        """The cached time axis of ``group``, refreshed when the store has grown and settled."""
        stored, changed = self._stored_length(group)
        settled = _time.time() - changed >= SETTLE_S
        with self._lock:
            c = self._cache.get(group)
            if c is None and stored == 0:
                return None
            if c is None:
                c = self._cache[group] = _GroupCache(0, None, np.empty(0, np.int64), True)
            if stored != c.shape and settled:
                try:
                    with warnings.catch_warnings():  # an undecodable axis is raised below
                        warnings.simplefilter("ignore")
                        ds = xr.open_zarr(
                            self.processed, group=group, consolidated=False, chunks=None
                        )
                        tv = ds["time"].values
                    if tv.dtype.kind != "M":
                        raise ValueError(
                            f"its time axis decodes to {tv.dtype}, not datetime64 "
                            f"(units {ds['time'].encoding.get('units')!r}; times out of range)"
                        )
                    t = _ns_to_ms(tv)
                except (ValueError, OSError, KeyError, OverflowError) as exc:
                    if c.dataset is not None and _time.time() - changed < RETRY_S:
                        return c  # most likely an append still in progress: serve the last view
                    raise ArchiveReadError(
                        f"packet type {group} in {self.processed} cannot be read: {exc}"
                    ) from exc
                n = min(stored, t.size)
                c.dataset, c.time_ms, c.shape = ds, t[:n], n
                c.sorted = bool(np.all(np.diff(c.time_ms) >= 0)) if n > 1 else True
            return c if c.dataset is not None else None

    def _read(self, group: str, read, *args):
        """``read(*args)`` of a cached view, with a store changed under it reported as unreadable.

        A writer that replaces a group (not an append) changes the chunks under a view
        whose shape the cache still holds; reading it fails inside zarr or xarray. That is
        the request's 500 naming the packet type, never an exception out of the server.
        """
        try:
            return read(*args)
        except (ValueError, OSError, KeyError, IndexError) as exc:
            raise ArchiveReadError(
                f"packet type {group} in {self.processed} cannot be read: it changed while "
                f"being read ({exc}); try again"
            ) from exc

    def span(self) -> dict[str, Any]:
        """First and last archived time per packet type (epoch ms and ISO)."""
        out: dict[str, Any] = {}
        for g in self.groups():
            try:
                c = self._group(g)
            except ArchiveReadError as exc:
                out[g] = {"error": str(exc)}
                continue
            if c is None or c.shape == 0:
                continue
            t0, t1 = int(c.time_ms.min()), int(c.time_ms.max())
            out[g] = {
                "samples": c.shape,
                "start_ms": t0,
                "end_ms": t1,
                "start": iso_ms(t0),
                "end": iso_ms(t1),
            }
        return out

    def history(
        self,
        parameter: str,
        start_ms: int | None,
        end_ms: int | None,
        *,
        limit: int = DEFAULT_PAGE,
        offset: int = 0,
        latest: bool = False,
        minmax: int | None = None,
    ) -> dict[str, Any]:
        """One page of ``parameter`` in [start, end] (inclusive), oldest first.

        ``total`` counts the samples in the span, ``next_offset`` is the offset of
        the next page or None. ``latest=True`` gives the newest ``limit`` samples.
        ``minmax=N``: when the span holds more than N samples, answer instead with the
        minimum and the maximum of each of N/2 equal buckets (at most N samples, one
        answer), so that a plot of a long span keeps every excursion.
        """
        if minmax is not None and not 2 <= minmax <= MAX_PAGE:
            raise RequestError(f"size={minmax} is out of range; give 2..{MAX_PAGE}")
        if not 1 <= limit <= MAX_PAGE:
            raise RequestError(f"limit={limit} is out of range; give 1..{MAX_PAGE}")
        if offset < 0:
            raise RequestError(f"offset={offset} must be >= 0")
        if start_ms is not None and end_ms is not None and end_ms < start_ms:
            raise RequestError(
                f"end ({iso_ms(end_ms)}) is before start ({iso_ms(start_ms)}); swap them"
            )
        group, par = self.group_of(parameter)
        out: dict[str, Any] = {
            "parameter": parameter,
            "packet": group,
            "units": par.unit,
            "start": iso_ms(start_ms),
            "end": iso_ms(end_ms),
            "offset": offset,
            "limit": limit,
            "total": 0,
            "count": 0,
            "next_offset": None,
            "time_ms": [],
            "values": [],
        }
        c = self._group(group)
        if c is None or c.shape == 0 or parameter not in c.dataset.variables:
            return out
        t = c.time_ms
        if c.sorted:
            i0 = 0 if start_ms is None else int(np.searchsorted(t, start_ms, side="left"))
            i1 = c.shape if end_ms is None else int(np.searchsorted(t, end_ms, side="right"))
            total = max(0, i1 - i0)
            if minmax is not None and total > minmax and not latest:
                rows, picked = self._read(
                    group, lambda: _minmax_rows(c.dataset[parameter], i0, i1, minmax)
                )
                out.update(
                    total=int(total),
                    count=int(rows.size),
                    decimated="minmax",
                    time_ms=t[rows].tolist(),
                    values=json_values(picked),
                )
                return out
            if latest:
                a, b = max(i0, i1 - limit), i1
            else:
                a, b = i0 + offset, min(i1, i0 + offset + limit)
            if b > a:
                values = self._read(group, lambda: c.dataset[parameter][a:b].values)
                times = t[a:b]
            else:
                values, times = np.empty(0), np.empty(0, np.int64)
        else:  # an archive fed out of order: select, then order by time
            mask = np.ones(t.size, dtype=bool)
            if start_ms is not None:
                mask &= t >= start_ms
            if end_ms is not None:
                mask &= t <= end_ms
            idx = np.flatnonzero(mask)
            idx = idx[np.argsort(t[idx], kind="stable")]
            total = idx.size
            sel = idx[-limit:] if latest else idx[offset : offset + limit]
            allv = self._read(group, lambda: c.dataset[parameter].values[: c.shape])
            values, times = allv[sel], t[sel]
        out["total"] = int(total)
        out["count"] = int(times.size)
        if not latest and offset + times.size < total:
            out["next_offset"] = offset + int(times.size)
        out["time_ms"] = times.tolist()
        out["values"] = json_values(values)
        return out

    # -- alarms

    def alarms(
        self,
        start_ms: int | None = None,
        end_ms: int | None = None,
        *,
        window_samples: int = 20_000,
    ) -> dict[str, Any]:
        """Current limit state of every limited parameter and the recent alarm transitions.

        Without ``start``, each packet type's last ``window_samples`` samples are checked.
        """
        current, frames = [], []
        for pdef in self.dictionary.packets:
            limited = [f for f in pdef.user_fields if f.parameter.limits is not None]
            if not limited:
                continue
            c = self._group(pdef.name)
            if c is None or c.shape == 0:
                continue
            t = c.time_ms
            if start_ms is None and end_ms is None:
                a, b = max(0, c.shape - window_samples), c.shape
                rows = np.arange(a, b)
            else:
                mask = np.ones(t.size, dtype=bool)
                if start_ms is not None:
                    mask &= t >= start_ms
                if end_ms is not None:
                    mask &= t <= end_ms
                rows = np.flatnonzero(mask)
            if rows.size == 0:
                continue
            names = [f.name for f in limited if f.name in c.dataset.variables]
            sl = slice(int(rows[0]), int(rows[-1]) + 1)
            sub = self._read(
                pdef.name, lambda ds, n, sl: ds[n].isel(time=sl).load(), c.dataset, names, sl
            )
            sub = sub.isel(time=rows - rows[0])
            frames.append(check_limits({pdef.name: sub}, self.dictionary))
            last = int(np.argmax(t[rows]))
            for f in limited:
                if f.name not in sub:
                    continue
                value = float(sub[f.name].values[last])
                level, limit, side = classify(np.array([value]), f.parameter.limits)
                current.append(
                    {
                        "packet": pdef.name,
                        "parameter": f.name,
                        "units": f.parameter.unit,
                        "time": iso_ms(int(t[rows][last])),
                        "time_ms": int(t[rows][last]),
                        "value": value if math.isfinite(value) else None,
                        "level": LEVELS[int(level[0])],
                        "limit": None if np.isnan(limit[0]) else float(limit[0]),
                        "side": {-1: "low", 1: "high"}.get(int(side[0])),
                    }
                )
        rows_out = []
        for table in frames:
            for r in table.itertuples(index=False):
                ms = int(np.datetime64(r.time, "ns").astype(np.int64) // 1_000_000)
                rows_out.append(
                    {
                        "packet": r.packet,
                        "parameter": r.parameter,
                        "time": iso_ms(ms),
                        "time_ms": ms,
                        "level": r.level,
                        "value": float(r.value),
                        "limit": float(r.limit),
                        "side": r.side,
                    }
                )
        rows_out.sort(key=lambda r: r["time_ms"], reverse=True)
        active = [c for c in current if c["level"] != "nominal"]
        return {
            "active_count": len(active),
            "active": active,
            "current": current,
            "alarms": rows_out[:500],
            "alarm_count": len(rows_out),
        }


def _minmax_rows(da: xr.DataArray, i0: int, i1: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows (and their values) of the min and max of each of ``size // 2`` buckets of [i0, i1)."""
    stride = max(1, -(-(i1 - i0) // MAX_MINMAX_READ))
    raw = da[i0:i1:stride].values
    values = np.asarray(raw, dtype=np.float64)
    nb = max(1, size // 2)
    width = -(-values.size // nb)
    padded = np.full(nb * width, np.nan)
    padded[: values.size] = values
    grid = padded.reshape(nb, width)
    finite = np.isfinite(grid)
    lo = np.where(finite, grid, np.inf).argmin(axis=1)
    hi = np.where(finite, grid, -np.inf).argmax(axis=1)
    has = finite.any(axis=1)
    base = np.arange(nb) * width
    picked = np.concatenate([(base + lo)[has], (base + hi)[has]])
    picked = np.unique(picked[picked < values.size])
    return i0 + picked * stride, raw[picked]


# --------------------------------------------------------------------------- realtime


class RawTail:
    """New packets appended to a raw store (``.kpa``), decommutated into samples.

    Reads only complete records that pass their CRC-32, from where it left off;
    a record still being written is read on a later poll. The file is never
    modified here (recovery of a torn record is the writer's job).
    """

    def __init__(self, path: str | Path, dictionary: Dictionary, *, from_start: bool = False):
        self.path = Path(path)
        self.dictionary = dictionary
        self.offset = len(FILE_MAGIC)
        if not from_start and self.path.exists():
            self.offset = max(self.offset, self.path.stat().st_size)
        self.skipped = 0

    def poll(self) -> list[dict[str, Any]]:
        """Events for the records completed since the last poll (one per packet type and record)."""
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return []
        if size < self.offset:  # the writer cut off a torn record and goes on from there
            self.offset = max(len(FILE_MAGIC), size)
        if size - self.offset < _HEAD.size:
            return []
        with open(self.path, "rb") as fh:
            fh.seek(self.offset)
            data = fh.read(size - self.offset)
        events, pos = [], 0
        while len(data) - pos >= _HEAD.size:
            magic, kind, _reason, _, n, _tmin, _tmax, crc = _HEAD.unpack_from(data, pos)
            if magic != RECORD_MAGIC:
                nxt = data.find(RECORD_MAGIC, pos + 1)
                self.skipped += (len(data) if nxt < 0 else nxt) - pos
                if nxt < 0:
                    pos = len(data)
                    break
                pos = nxt
                continue
            end = pos + _HEAD.size + n
            if end > len(data):
                break  # still being written
            payload = data[pos + _HEAD.size : end]
            if _crc(data[pos : pos + _HEAD.size - 4], payload) != crc:
                if end == len(data):
                    break  # maybe torn and about to be cut: look again later
                self.skipped += end - pos
            elif kind == KIND_PACKETS:
                events.extend(self._events(payload))
            pos = end
        self.offset += pos
        return events

    def _events(self, payload: bytes) -> list[dict[str, Any]]:
        result = decode_bytes(payload, self.dictionary)
        out = []
        for name, ds in decommutate(result, self.dictionary).items():
            if "time" not in ds.dims or ds.sizes["time"] == 0:
                continue
            values = {
                v: json_values(ds[v].values)
                for v in ds.data_vars
                if not v.endswith("_raw") and ds[v].dims == ("time",)
            }
            out.append(
                {"packet": name, "time_ms": _ns_to_ms(ds["time"].values).tolist(), "values": values}
            )
        return out
