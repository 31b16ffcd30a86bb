"""The telemetry archive: raw packets first, append-only and crash-safe; processed parameters in Zarr.

**Raw store** (:class:`RawStore`, a ``.kpa`` file). A file header
``KAMORAW1`` and then records, each

``"KREC" | kind u8 | reason u8 | 0 u16 | payload length u32 | t_min i64 | t_max i64 | CRC-32 u32 | payload``

(big-endian; times are UTC nanoseconds since 1970 of the packets inside, or -1;
the CRC-32 covers the header fields and the payload). A record of kind
``packets`` holds back-to-back space packets exactly as received; a
``quarantine`` record keeps bytes the decoder could not use, with its reason,
so nothing that came down is thrown away. Each append is one ``write`` followed
by ``fsync``. Opening a store runs a recovery scan: a torn *last* record (cut
short, or failing its CRC, as a crash mid-write leaves it) is cut off and
reported in :attr:`RawStore.recovery`; damage anywhere else raises
:class:`ArchiveError`, because silently dropping good data after it would be worse.

**Processed store** (a Zarr directory): one group per packet type, the
datasets of :mod:`ground.decom`, appended along ``time`` (header-level groups
along ``packet``). :meth:`Archive.reprocess` rebuilds them from the raw store,
:meth:`Archive.query` reads one parameter over a time range, and
:meth:`Archive.replay` gives back the raw packets of a time range as a stream.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from ground.bulk import REASON_CODE, REASONS, BulkResult, decode_bytes
from ground.decom import decommutate
from ground.dictionary import Dictionary

FILE_MAGIC = b"KAMORAW1"
RECORD_MAGIC = b"KREC"
_HEAD = struct.Struct(">4sBBHIqqI")
KIND_PACKETS, KIND_QUARANTINE = 0, 1


class ArchiveError(RuntimeError):
    """An archive that is damaged somewhere other than a torn last record."""


@dataclass(frozen=True)
class Record:
    """One raw-store record."""

    offset: int
    kind: int
    reason: str | None
    t_min_ns: int
    t_max_ns: int
    payload: bytes

    def __repr__(self) -> str:
        kind = "packets" if self.kind == KIND_PACKETS else f"quarantine:{self.reason}"
        return f"Record({kind}, {len(self.payload)} octets at {self.offset})"


@dataclass(frozen=True)
class RecoveryReport:
    """What the recovery scan found when the store was opened."""

    records: int
    good_bytes: int
    dropped_bytes: int
    message: str


def _crc(head_wo_crc: bytes, payload: bytes) -> int:
    return zlib.crc32(payload, zlib.crc32(head_wo_crc)) & 0xFFFFFFFF


class RawStore:
    """Append-only, crash-safe store of raw packets (see the module docstring for the format)."""

    def __init__(self, path: str | Path, *, fsync: bool = True):
        self.path = Path(path)
        self.fsync = fsync
        if not self.path.exists() or self.path.stat().st_size == 0:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "wb") as fh:
                fh.write(FILE_MAGIC)
                fh.flush()
                os.fsync(fh.fileno())
        self.recovery = self._recover()

    def _scan(self) -> tuple[list[tuple[int, int]], int, str]:
        """Good records as (offset, end) and the end of the last good one."""
        data = self.path.read_bytes()
        if data[: len(FILE_MAGIC)] != FILE_MAGIC:
            raise ArchiveError(f"{self.path} is not a kamo raw archive (no {FILE_MAGIC!r} header)")
        pos, spans = len(FILE_MAGIC), []
        while pos < len(data):
            problem = None
            if len(data) - pos < _HEAD.size:
                problem = f"a record header cut short ({len(data) - pos} of {_HEAD.size} octets)"
            else:
                magic, kind, reason, _, n, tmin, tmax, crc = _HEAD.unpack_from(data, pos)
                end = pos + _HEAD.size + n
                if magic != RECORD_MAGIC:
                    problem = "no record marker"
                elif end > len(data):
                    problem = (
                        f"a record cut short ({len(data) - pos - _HEAD.size} of {n} payload octets)"
                    )
                elif _crc(data[pos : pos + _HEAD.size - 4], data[pos + _HEAD.size : end]) != crc:
                    problem = "a record failing its CRC-32"
            if problem is None:
                spans.append((pos, end))
                pos = end
                continue
            is_last = (
                problem.startswith("a record header cut")
                or problem.startswith("a record cut")
                or (problem == "a record failing its CRC-32" and end == len(data))
            )
            if not is_last:
                raise ArchiveError(
                    f"{self.path}: {problem} at offset {pos}, followed by more data; "
                    "this is not a torn write, so the archive is left untouched for inspection"
                )
            return spans, pos, problem
        return spans, pos, ""

    def _recover(self) -> RecoveryReport:
        spans, good_end, problem = self._scan()
        size = self.path.stat().st_size
        dropped = size - good_end
        if dropped:
            with open(self.path, "r+b") as fh:
                fh.truncate(good_end)
                fh.flush()
                os.fsync(fh.fileno())
            message = (
                f"recovered {self.path.name}: dropped a torn last record ({problem}, "
                f"{dropped} octets at offset {good_end}); {len(spans)} records kept"
            )
        else:
            message = f"{self.path.name}: {len(spans)} records, clean"
        return RecoveryReport(len(spans), good_end, dropped, message)

    def append(
        self,
        payload: bytes,
        *,
        kind: int = KIND_PACKETS,
        reason: str | None = None,
        t_min_ns: int = -1,
        t_max_ns: int = -1,
    ) -> int:
        """Append one record; returns its offset. Durable (fsync) before returning."""
        code = 0 if reason is None else REASON_CODE[reason]
        head = _HEAD.pack(
            RECORD_MAGIC, kind, code, 0, len(payload), int(t_min_ns), int(t_max_ns), 0
        )
        crc = _crc(head[:-4], payload)
        head = head[:-4] + struct.pack(">I", crc)
        with open(self.path, "ab") as fh:
            offset = fh.tell()
            fh.write(head + bytes(payload))
            fh.flush()
            if self.fsync:
                os.fsync(fh.fileno())
        return offset

    def records(self) -> Iterator[Record]:
        data = self.path.read_bytes()
        pos = len(FILE_MAGIC)
        while pos + _HEAD.size <= len(data):
            magic, kind, reason, _, n, tmin, tmax, _crc32 = _HEAD.unpack_from(data, pos)
            start = pos + _HEAD.size
            yield Record(
                pos,
                kind,
                REASONS[reason - 2] if reason else None,
                tmin,
                tmax,
                data[start : start + n],
            )
            pos = start + n

    def packet_bytes(self) -> bytes:
        """All archived packets, back to back, in arrival order."""
        return b"".join(r.payload for r in self.records() if r.kind == KIND_PACKETS)


def _gather(buffer: np.ndarray, starts, lengths, select) -> bytes:
    """The selected segments of ``buffer``, back to back (vectorised)."""
    starts, lengths = starts[select], lengths[select]
    if starts.size == 0:
        return b""
    edges = np.zeros(buffer.size + 1, dtype=np.int32)
    np.add.at(edges, starts, 1)
    np.add.at(edges, starts + lengths, -1)
    return buffer[np.cumsum(edges[:-1]) > 0].tobytes()


def _time_ns(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if hasattr(value, "utc") and hasattr(value, "datetime64"):  # astropy Time
        return int(value.utc.datetime64.astype("datetime64[ns]").astype(np.int64))
    return int(np.datetime64(str(value).replace("Z", ""), "ns").astype(np.int64))


class Archive:
    """Raw store + Zarr processed store, with ingest, reprocess, query and replay.

    ``processed`` is the Zarr directory (``tm.zarr``); the raw store defaults to the
    same name with suffix ``.kpa`` (``tm.kpa``).
    """

    def __init__(
        self,
        processed: str | Path,
        dictionary: Dictionary | None = None,
        *,
        raw: str | Path | None = None,
        fsync: bool = True,
    ):
        self.processed = Path(processed)
        self.dictionary = dictionary
        self.raw = RawStore(
            raw if raw is not None else self.processed.with_suffix(".kpa"), fsync=fsync
        )

    def __repr__(self) -> str:
        return f"Archive(processed={self.processed}, raw={self.raw.path}, {self.raw.recovery.records} raw records)"

    # -- writing

    def ingest(
        self, result: BulkResult, datasets: dict[str, xr.Dataset] | None = None
    ) -> dict[str, xr.Dataset]:
        """Archive a decode: raw packets (and quarantined bytes) first, then processed parameters."""
        if datasets is None:
            datasets = decommutate(result, self.dictionary)
        times = [ds["time"].values for ds in datasets.values() if "time" in ds.coords]
        tmin, tmax = -1, -1
        if times:
            allt = np.concatenate(times).astype("datetime64[ns]")
            allt = allt[~np.isnat(allt)]
            if allt.size:
                tmin, tmax = int(allt.min().astype(np.int64)), int(allt.max().astype(np.int64))
        packets = _gather(result.buffer, result.starts, result.lengths, result.kinds == 0)
        if packets:
            self.raw.append(packets, kind=KIND_PACKETS, t_min_ns=tmin, t_max_ns=tmax)
        for code in np.unique(result.kinds[result.kinds >= 2]):
            blob = _gather(result.buffer, result.starts, result.lengths, result.kinds == code)
            self.raw.append(blob, kind=KIND_QUARANTINE, reason=REASONS[int(code) - 2])
        self.write_processed(datasets)
        return datasets

    def write_processed(
        self, datasets: dict[str, xr.Dataset], path: str | Path | None = None
    ) -> None:
        """Append datasets to the Zarr store, one group per packet type."""
        path = Path(path) if path is not None else self.processed
        existing = set(self.groups(path))
        for name, ds in datasets.items():
            dim = "time" if "time" in ds.dims else "packet"
            if name in existing:
                ds.to_zarr(path, group=name, append_dim=dim, consolidated=False)
            else:
                # Fix the time encoding at creation: xarray would otherwise pick units from
                # the first batch (whole seconds, say) and later sub-second times would be
                # stored in units the axis cannot hold.
                encoding = {
                    var: {"units": "nanoseconds since 1970-01-01T00:00:00", "dtype": "int64"}
                    for var in ds.variables
                    if np.issubdtype(ds[var].dtype, np.datetime64)
                }
                ds.to_zarr(path, group=name, mode="a", consolidated=False, encoding=encoding)

    # -- reading

    @staticmethod
    def groups(path: str | Path) -> list[str]:
        path = Path(path)
        if not path.exists():
            return []
        return sorted(p.name for p in path.iterdir() if p.is_dir() and (p / "zarr.json").exists())

    def open(self, group: str) -> xr.Dataset:
        """The processed dataset of one packet type."""
        if group not in self.groups(self.processed):
            raise KeyError(
                f"no packet type {group!r} in {self.processed}; it holds {self.groups(self.processed)}"
            )
        return xr.open_zarr(self.processed, group=group, consolidated=False)

    def query(self, parameter: str, start=None, end=None) -> xr.DataArray:
        """One parameter between ``start`` and ``end`` (ISO strings, datetime64 or astropy Time; inclusive)."""
        group = None
        if self.dictionary is not None:
            try:
                group = self.dictionary.find_parameter(parameter)[0].name
            except KeyError:
                group = None
        candidates = [group] if group else self.groups(self.processed)
        for g in candidates:
            if g not in self.groups(self.processed):
                continue
            ds = self.open(g)
            if parameter in ds.variables:
                da = ds[parameter]
                if "time" not in da.dims:
                    return da.load()
                t = ds["time"].values.astype("datetime64[ns]").astype(np.int64)
                mask = np.ones(t.shape, dtype=bool)
                if start is not None:
                    mask &= t >= _time_ns(start)
                if end is not None:
                    mask &= t <= _time_ns(end)
                return da.isel(time=np.flatnonzero(mask)).load()
        raise KeyError(f"parameter {parameter!r} is not in the archive {self.processed}")

    def reprocess(
        self, out: str | Path, dictionary: Dictionary | None = None
    ) -> dict[str, xr.Dataset]:
        """Decode the raw store again (with ``dictionary``, or the archive's) into a new Zarr store."""
        dictionary = dictionary if dictionary is not None else self.dictionary
        datasets: dict[str, list[xr.Dataset]] = {}
        for rec in self.raw.records():
            if rec.kind != KIND_PACKETS:
                continue
            for name, ds in decommutate(decode_bytes(rec.payload, dictionary), dictionary).items():
                datasets.setdefault(name, []).append(ds)
        merged = {}
        for name, parts in datasets.items():
            dim = "time" if "time" in parts[0].dims else "packet"
            merged[name] = xr.concat(parts, dim=dim) if len(parts) > 1 else parts[0]
        self.write_processed(merged, out)
        return merged

    def replay(self, start=None, end=None) -> Iterator[bytes]:
        """Raw packets whose time is within [start, end], in arrival order.

        Packets without a time (no dictionary, or not a PUS packet) are replayed
        only when no range is given.
        """
        t0, t1 = _time_ns(start), _time_ns(end)
        ranged = t0 is not None or t1 is not None
        for rec in self.raw.records():
            if rec.kind != KIND_PACKETS:
                continue
            if ranged and rec.t_min_ns >= 0:
                if (t1 is not None and rec.t_min_ns > t1) or (t0 is not None and rec.t_max_ns < t0):
                    continue
            result = decode_bytes(rec.payload, self.dictionary)
            if not ranged:
                yield from result.packet_bytes()
                continue
            n = result.headers["apid"].size
            keep = np.zeros(n, dtype=bool)
            if self.dictionary is not None:
                for pdef in self.dictionary.packets:
                    rows = result.type_index.get(pdef.name)
                    if rows is None or not rows.size or not pdef.time_coarse:
                        continue
                    f = result.by_type[pdef.name]
                    fine = (
                        f[pdef.time_fine] if pdef.time_fine else np.zeros(rows.size, dtype=np.int64)
                    )
                    t = pdef.cuc.to_utc64(f[pdef.time_coarse], fine).astype(np.int64)
                    ok = np.ones(rows.size, dtype=bool)
                    if t0 is not None:
                        ok &= t >= t0
                    if t1 is not None:
                        ok &= t <= t1
                    keep[rows[ok]] = True
            yield from result.packet_bytes(np.flatnonzero(keep))
