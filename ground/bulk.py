"""Vectorised bulk decoding of space-packet streams: framing, resynchronisation and parameters.

One numba kernel walks a byte buffer packet by packet (variable-length
framing: each header's length field says where the next packet starts) and
cuts it into contiguous *segments*, each one of

- a packet (kind ``PACKET``), an idle packet (APID 0x7FF, kind ``IDLE``), or
- quarantined bytes with a reason: ``garbage`` (bytes that do not frame as
  packets, skipped while resynchronising), ``truncated`` (a packet cut off at
  the end of the data), ``bad_crc`` (a framed PUS packet whose Packet Error
  Control fails), ``length_mismatch`` (a framed packet whose length differs
  from its dictionary definition).

Segments tile the buffer, so every byte is accounted for. A packet is
accepted when its header is plausible (version 0, length within bounds, the
dictionary length for its APID) *and* the next packet's header is plausible
too (or, for PUS packets, its CRC is right). After garbage the kernel scans
forward one octet at a time for the first position that passes the stricter
test (CRC where the dictionary promises one, otherwise a chained plausible
header). The same kernel serves :class:`ground.stream.StreamDecoder`, which
feeds it chunk by chunk (``final=False`` leaves an incomplete tail for later).

Parameters are then extracted for all packets of a type at once by a second
kernel, compiled from the :class:`~ground.dictionary.PacketDef` bit offsets
(arbitrary bit positions and widths, two's-complement sign extension, IEEE
floats), and CRCs are verified in parallel.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numba
import numpy as np

from ground.crc import CRC16_TABLE
from ground.dictionary import Dictionary, PacketDef

PACKET, IDLE = 0, 1
REASONS = (
    "garbage",
    "truncated",
    "bad_crc",
    "length_mismatch",
    "bad_frame_crc",
    "frame_gap",
    "orphan_continuation",
    "no_sync",
)
REASON_CODE = {r: i + 2 for i, r in enumerate(REASONS)}
GARBAGE, TRUNCATED, BAD_CRC, LENGTH_MISMATCH = (REASON_CODE[r] for r in REASONS[:4])
MAX_PACKET_LEN = 65542

# evaluation results inside the kernel
_ACCEPT, _ACCEPT_CHECKED, _REJECT, _WAIT, _LENMIS = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class FramingTables:
    """Per-APID knowledge the framer uses: expected length (-1 any), whether a CRC ends it,
    whether the dictionary knows it; ``strict`` (with a dictionary) makes resynchronisation
    land only on known APIDs or idle packets."""

    expected_len: np.ndarray
    has_crc: np.ndarray
    known: np.ndarray
    strict: bool = False
    max_len: int = MAX_PACKET_LEN

    @classmethod
    def from_dictionary(
        cls, dictionary: Dictionary | None, max_len: int = MAX_PACKET_LEN
    ) -> FramingTables:
        expected = np.full(2048, -1, dtype=np.int32)
        crc = np.zeros(2048, dtype=np.uint8)
        known = np.zeros(2048, dtype=np.uint8)
        if dictionary is not None:
            by_apid: dict[int, list[PacketDef]] = {}
            for p in dictionary.packets:
                by_apid.setdefault(p.apid, []).append(p)
            for apid, defs in by_apid.items():
                lengths = {p.length for p in defs}
                expected[apid] = lengths.pop() if len(lengths) == 1 else -1
                crc[apid] = int(all(p.has_crc for p in defs))
                known[apid] = 1
        return cls(expected, crc, known, dictionary is not None, int(max_len))


@numba.njit(cache=True)
def _header_ok(buf, q, n, max_len, known, strict):
    """A plausible header at q: version 0, length <= max_len; idle packets carry no
    secondary header; with ``strict`` only dictionary APIDs and idle packets count."""
    if q + 6 > n:
        return False
    b0 = buf[q]
    if b0 >> 5 != 0:
        return False
    length = ((np.int64(buf[q + 4]) << 8) | buf[q + 5]) + 7
    if length > max_len:
        return False
    apid = ((np.int64(b0) & 0x7) << 8) | buf[q + 1]
    if apid == 0x7FF:
        return (b0 & 0x08) == 0
    if strict and known[apid] == 0:
        return False
    return True


@numba.njit(cache=True)
def _next_state(buf, nxt, n, final, depth, max_len, known, strict):
    """Do the ``depth`` headers after a packet look right? 1 yes, 0 no, 2 not enough data yet."""
    for _ in range(depth):
        if nxt + 6 > n:
            return 1 if final else 2
        if not _header_ok(buf, nxt, n, max_len, known, strict):
            return 0
        nxt += ((np.int64(buf[nxt + 4]) << 8) | buf[nxt + 5]) + 7
        if nxt > n:
            return 1 if final else 2
    return 1


@numba.njit(cache=True)
def _crc_span(buf, start, length, table):
    crc = 0xFFFF
    for i in range(start, start + length):
        crc = ((crc << 8) & 0xFFFF) ^ table[((crc >> 8) ^ buf[i]) & 0xFF]
    return crc


@numba.njit(cache=True)
def _evaluate(buf, q, n, final, scan, in_sync, exp_len, has_crc, known, strict, max_len, table):
    """Decide about a packet candidate at q; returns (verdict, length)."""
    if q + 6 > n:
        return (_WAIT if not final else _REJECT), 0
    if not _header_ok(buf, q, n, max_len, known, strict and scan):
        return _REJECT, 0
    apid = ((np.int64(buf[q]) & 0x7) << 8) | buf[q + 1]
    length = ((np.int64(buf[q + 4]) << 8) | buf[q + 5]) + 7
    if q + length > n:
        return (_WAIT if not final else _REJECT), length
    expected = exp_len[apid]
    len_ok = expected < 0 or expected == length
    crc_needed = has_crc[apid] == 1 and apid != 0x7FF
    if scan:
        if not len_ok:
            return _REJECT, length
        if crc_needed:
            if _crc_span(buf, q, length, table) == 0:
                return _ACCEPT_CHECKED, length
            return _REJECT, length
        ns = _next_state(buf, q + length, n, final, 2, max_len, known, strict)
        if ns == 2:
            return _WAIT, length
        return (_ACCEPT if ns == 1 else _REJECT), length
    trusted = apid == 0x7FF or (known[apid] == 1 and expected >= 0)
    if in_sync and trusted and len_ok:
        return _ACCEPT, length
    ns = _next_state(buf, q + length, n, final, 1, max_len, known, False)
    if len_ok and ns == 1:
        return _ACCEPT, length
    if len_ok and crc_needed:
        if _crc_span(buf, q, length, table) == 0:
            return _ACCEPT_CHECKED, length
        if ns == 2:
            return _WAIT, length
        return _REJECT, length
    if ns == 2:
        return _WAIT, length
    if not len_ok and ns == 1:
        return _LENMIS, length
    return _REJECT, length


@numba.njit(cache=True)
def _frame_kernel(
    buf,
    pos,
    final,
    in_sync,
    exp_len,
    has_crc,
    known,
    strict,
    max_len,
    table,
    out_start,
    out_len,
    out_kind,
):
    """Cut buf[pos:] into segments; returns (segments written, new position, in sync)."""
    n = buf.shape[0]
    cap = out_start.shape[0] - 2
    k = 0
    while pos < n and k < cap:
        if in_sync and pos + 6 <= n:
            # fast path: in sync, and the header is exactly what the dictionary expects
            b0 = buf[pos]
            if b0 >> 5 == 0:
                apid = ((np.int64(b0) & 0x7) << 8) | buf[pos + 1]
                length = ((np.int64(buf[pos + 4]) << 8) | buf[pos + 5]) + 7
                if pos + length <= n and length <= max_len:
                    if apid == 0x7FF and (b0 & 0x08) == 0:
                        out_start[k] = pos
                        out_len[k] = length
                        out_kind[k] = 1
                        k += 1
                        pos += length
                        continue
                    if known[apid] == 1 and exp_len[apid] == length:
                        out_start[k] = pos
                        out_len[k] = length
                        out_kind[k] = 0
                        k += 1
                        pos += length
                        continue
        verdict, length = _evaluate(
            buf, pos, n, final, False, in_sync, exp_len, has_crc, known, strict, max_len, table
        )
        if verdict == _WAIT:
            break
        if verdict == _ACCEPT or verdict == _ACCEPT_CHECKED:
            apid = ((np.int64(buf[pos]) & 0x7) << 8) | buf[pos + 1]
            out_start[k] = pos
            out_len[k] = length
            out_kind[k] = 1 if apid == 0x7FF else 0
            k += 1
            pos += length
            in_sync = True
            continue
        if verdict == _LENMIS:
            out_start[k] = pos
            out_len[k] = length
            out_kind[k] = 5
            k += 1
            pos += length
            in_sync = True
            continue
        # rejected: scan for the next confident packet start
        in_sync = False
        q = pos + 1
        waiting = False
        while q < n:
            v, _ = _evaluate(
                buf, q, n, final, True, False, exp_len, has_crc, known, strict, max_len, table
            )
            if v == _ACCEPT or v == _ACCEPT_CHECKED:
                break
            if v == _WAIT:
                waiting = True
                break
            q += 1
        if q >= n and final:
            # nothing frames after pos; a plausible header whose packet runs past the end is a
            # truncated packet, anything else is garbage
            out_kind[k] = 2
            if _header_ok(buf, pos, n, max_len, known, False):
                if pos + ((np.int64(buf[pos + 4]) << 8) | buf[pos + 5]) + 7 > n:
                    out_kind[k] = 3
            out_start[k] = pos
            out_len[k] = n - pos
            k += 1
            pos = n
            break
        out_start[k] = pos
        out_len[k] = q - pos
        out_kind[k] = 2
        k += 1
        pos = q
        if waiting:
            break
        # the scan vouched for q with a CRC or a chain of headers
        in_sync = True
    return k, pos, in_sync


def _slice_tables(table: np.ndarray, depth: int = 8) -> np.ndarray:
    """T[k][x]: CRC contribution of byte x followed by k zero bytes (slicing-by-N)."""
    out = np.zeros((depth, 256), dtype=np.int64)
    out[0] = table
    for k in range(1, depth):
        prev = out[k - 1]
        out[k] = ((prev & 0xFF) << 8) ^ table[prev >> 8]
    return out


SLICE8 = _slice_tables(CRC16_TABLE)


@numba.njit(cache=True)
def _crc_check_kernel(buf, starts, lengths, t8):
    out = np.empty(starts.shape[0], dtype=np.bool_)
    for i in range(starts.shape[0]):
        crc = np.int64(0xFFFF)
        j = starts[i]
        end = j + lengths[i]
        while j + 8 <= end:
            x0 = (crc >> 8) ^ np.int64(buf[j])
            x1 = (crc & 0xFF) ^ np.int64(buf[j + 1])
            crc = (
                t8[7, x0]
                ^ t8[6, x1]
                ^ t8[5, buf[j + 2]]
                ^ t8[4, buf[j + 3]]
                ^ t8[3, buf[j + 4]]
                ^ t8[2, buf[j + 5]]
                ^ t8[1, buf[j + 6]]
                ^ t8[0, buf[j + 7]]
            )
            j += 8
        while j < end:
            crc = ((crc << 8) & 0xFFFF) ^ t8[0, ((crc >> 8) ^ np.int64(buf[j])) & 0xFF]
            j += 1
        out[i] = crc == 0
    return out


@numba.njit(cache=True)
def _bits_at(buf, b, shift, w):
    nbytes = (shift + w + 7) >> 3
    acc = np.uint64(0)
    if nbytes <= 8:
        for t in range(nbytes):
            acc = (acc << np.uint64(8)) | np.uint64(buf[b + t])
        acc = acc >> np.uint64(nbytes * 8 - shift - w)
    else:  # a 57..64-bit field straddling 9 octets (so shift > 0)
        for t in range(8):
            acc = (acc << np.uint64(8)) | np.uint64(buf[b + t])
        acc = (acc << np.uint64(shift)) | (np.uint64(buf[b + 8]) >> np.uint64(8 - shift))
        acc = acc >> np.uint64(64 - w)
    if w < 64:
        acc = acc & ((np.uint64(1) << np.uint64(w)) - np.uint64(1))
    return acc


@numba.njit(cache=True, nogil=True)
def _extract_kernel(buf, starts, offsets, widths, signed, out, lo, hi):
    """out[j, i] = raw bits of field j of packet i, for i in [lo, hi) (sign-extended where signed).

    Packet-major, so each packet's octets are read from memory once; octet-aligned
    8/16/32/64-bit fields take straight-line loads, anything else a bit-level read.
    """
    nf = offsets.shape[0]
    mode = np.zeros(nf, dtype=np.int64)
    boff = offsets >> 3
    shift = offsets & 7
    half = np.zeros(nf, dtype=np.int64)
    full = np.zeros(nf, dtype=np.int64)
    for j in range(nf):
        if shift[j] == 0:
            w = widths[j]
            mode[j] = 1 if w == 8 else 2 if w == 16 else 3 if w == 32 else 4 if w == 64 else 0
        if signed[j] and widths[j] < 64:
            half[j] = np.int64(1) << (widths[j] - 1)
            full[j] = np.int64(1) << widths[j]
    for i in range(lo, hi):
        s = starts[i]
        for j in range(nf):
            b = s + boff[j]
            md = mode[j]
            if md == 2:
                v = (np.int64(buf[b]) << 8) | buf[b + 1]
            elif md == 3:
                v = (
                    (np.int64(buf[b]) << 24)
                    | (np.int64(buf[b + 1]) << 16)
                    | (np.int64(buf[b + 2]) << 8)
                    | buf[b + 3]
                )
            elif md == 1:
                v = np.int64(buf[b])
            elif md == 4:
                acc = np.uint64(0)
                for t in range(8):
                    acc = (acc << np.uint64(8)) | np.uint64(buf[b + t])
                v = np.int64(acc)
            else:
                v = np.int64(_bits_at(buf, b, shift[j], widths[j]))
            if full[j] != 0 and v >= half[j]:
                v -= full[j]
            out[j, i] = v


def frame_segments(
    buf,
    tables: FramingTables | None = None,
    *,
    final: bool = True,
    start: int = 0,
    in_sync: bool = False,
    chunk: int = 1 << 20,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, bool]:
    """Segment ``buf[start:]``; returns (starts, lengths, kinds, consumed position, in sync).

    With ``final=False`` an incomplete packet at the end is left unconsumed.
    ``in_sync`` says that ``start`` is known to be a packet boundary.
    """
    arr = np.frombuffer(buf, dtype=np.uint8) if not isinstance(buf, np.ndarray) else buf
    tables = tables or FramingTables.from_dictionary(None)
    starts_all, lens_all, kinds_all = [], [], []
    pos = int(start)
    n = arr.shape[0]
    while pos < n:
        cap = min(chunk, (n - pos) // 7 * 2 + 8)
        out_start = np.empty(cap, dtype=np.int64)
        out_len = np.empty(cap, dtype=np.int64)
        out_kind = np.empty(cap, dtype=np.uint8)
        k, new_pos, in_sync = _frame_kernel(
            arr,
            pos,
            final,
            in_sync,
            tables.expected_len,
            tables.has_crc,
            tables.known,
            tables.strict,
            tables.max_len,
            CRC16_TABLE,
            out_start,
            out_len,
            out_kind,
        )
        starts_all.append(out_start[:k])
        lens_all.append(out_len[:k])
        kinds_all.append(out_kind[:k])
        if new_pos == pos:
            break
        pos = new_pos
    if not starts_all:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty.copy(), np.empty(0, dtype=np.uint8), pos, in_sync
    return (
        np.concatenate(starts_all),
        np.concatenate(lens_all),
        np.concatenate(kinds_all),
        pos,
        in_sync,
    )


def verify_crcs(arr: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """True where the packet at ``starts[i]`` passes its CRC-16 (parallel over packets)."""
    return _crc_check_kernel(arr, starts, lengths, SLICE8)


def extract_fields(
    arr: np.ndarray, starts: np.ndarray, pdef: PacketDef, names=None
) -> dict[str, np.ndarray]:
    """Raw values of ``pdef``'s fields (all, or ``names``) for packets at ``starts``."""
    fields = [f for f in pdef.fields if names is None or f.name in names]
    offsets = np.array([f.bit_offset for f in fields], dtype=np.int64)
    widths = np.array([f.parameter.bits for f in fields], dtype=np.int64)
    signed = np.array([f.parameter.kind == "int" for f in fields], dtype=np.bool_)
    out = np.empty((len(fields), starts.shape[0]), dtype=np.int64)
    if starts.shape[0]:
        st = np.asarray(starts, dtype=np.int64)
        _run_chunked(_extract_kernel, st.shape[0], arr, st, offsets, widths, signed, out)
    result = {}
    for f, row in zip(fields, out, strict=True):
        p = f.parameter
        if p.kind == "float":
            result[f.name] = (
                row.astype(np.uint32).view(np.float32) if p.bits == 32 else row.view(np.float64)
            )
        elif p.kind == "bool":
            result[f.name] = row.astype(bool)
        elif p.bits == 64 and p.kind != "int":
            result[f.name] = row.view(np.uint64)
        else:
            # integers stay int64 here (cheap); decommutation narrows them to raw_dtype
            result[f.name] = row
    return result


@numba.njit(cache=True)
def _seq_gap_kernel(apids, seqs):
    count = np.zeros(2048, dtype=np.int64)
    missing = np.zeros(2048, dtype=np.int64)
    last = np.full(2048, -1, dtype=np.int64)
    for i in range(apids.shape[0]):
        a = apids[i]
        s = np.int64(seqs[i])
        if last[a] >= 0:
            gap = (s - last[a] - 1) % 16384
            # a jump backwards (more than half the counter range ahead) is a reset or a
            # reordering, not a loss
            if gap < 8192:
                missing[a] += gap
        last[a] = s
        count[a] += 1
    return count, missing


def seq_gaps(apids: np.ndarray, seqs: np.ndarray) -> dict[int, tuple[int, int]]:
    """Per APID: (packets, missing); missing counts packets lost to sequence-count gaps
    between consecutive packets of that APID in stream order."""
    if len(apids) == 0:
        return {}
    count, missing = _seq_gap_kernel(
        np.asarray(apids, dtype=np.int64), np.asarray(seqs, dtype=np.int64)
    )
    return {int(a): (int(count[a]), int(missing[a])) for a in np.flatnonzero(count)}


@numba.njit(cache=True, nogil=True)
def _header_kernel(
    buf, starts, lengths, d_apid, d_svc, d_sub, d_len, has_crc, check_crc, t8, out, lo, hi
):
    """Headers, packet type and (where the dictionary promises one) the CRC, in one pass,
    for packets [lo, hi); ``out`` = (apid, seq, flags, svc, sub, tid, crc_ok) arrays."""
    apid, seq, flags, svc, sub, tid, crc_ok = out
    nd = d_apid.shape[0]
    for i in range(lo, hi):
        s = starts[i]
        b0 = buf[s]
        a = ((np.int64(b0) & 7) << 8) | buf[s + 1]
        apid[i] = a
        seq[i] = ((np.int64(buf[s + 2]) & 0x3F) << 8) | buf[s + 3]
        # bit 4 type, bit 3 secondary header, bits 1-0 sequence flags
        flags[i] = (b0 & 0x18) | (buf[s + 2] >> 6)
        pus = (b0 & 0x08) != 0 and lengths[i] >= 15
        sv = np.int64(-1)
        sb = np.int64(-1)
        if pus:
            sv = buf[s + 7]
            sb = buf[s + 8]
            svc[i] = sv
            sub[i] = sb
        for d in range(nd):
            if d_apid[d] == a and d_len[d] == lengths[i]:
                if d_svc[d] < 0 or (d_svc[d] == sv and d_sub[d] == sb):
                    tid[i] = d
                    break
        if check_crc and has_crc[a] == 1:
            crc = np.int64(0xFFFF)
            j = s
            end = s + lengths[i]
            while j + 8 <= end:
                x0 = (crc >> 8) ^ np.int64(buf[j])
                x1 = (crc & 0xFF) ^ np.int64(buf[j + 1])
                crc = (
                    t8[7, x0]
                    ^ t8[6, x1]
                    ^ t8[5, buf[j + 2]]
                    ^ t8[4, buf[j + 3]]
                    ^ t8[3, buf[j + 4]]
                    ^ t8[2, buf[j + 5]]
                    ^ t8[1, buf[j + 6]]
                    ^ t8[0, buf[j + 7]]
                )
                j += 8
            while j < end:
                crc = ((crc << 8) & 0xFFFF) ^ t8[0, ((crc >> 8) ^ np.int64(buf[j])) & 0xFF]
                j += 1
            crc_ok[i] = crc == 0


# Large batches are split across threads (the kernels release the GIL); on a busy
# machine ``KAMO_BULK_THREADS=1`` keeps them on one.
PARALLEL_MIN_PACKETS = 200_000


def _run_chunked(kernel, n: int, *args) -> None:
    threads = int(os.environ.get("KAMO_BULK_THREADS", "0") or 0) or min(4, os.cpu_count() or 1)
    if n < PARALLEL_MIN_PACKETS or threads <= 1:
        kernel(*args, 0, n)
        return
    from concurrent.futures import ThreadPoolExecutor

    bounds = np.linspace(0, n, threads + 1).astype(np.int64)
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda k: kernel(*args, int(bounds[k]), int(bounds[k + 1])), range(threads)))


def header_fields(arr, starts, lengths, dictionary, tables, check_crc: bool):
    """(apid, seq, flags, service, subservice, type index, crc_ok) for packets at ``starts``."""
    m = starts.shape[0]
    out = (
        np.empty(m, dtype=np.uint16),
        np.empty(m, dtype=np.uint16),
        np.empty(m, dtype=np.uint8),
        np.zeros(m, dtype=np.uint8),
        np.zeros(m, dtype=np.uint8),
        np.full(m, -1, dtype=np.int16),
        np.ones(m, dtype=np.bool_),
    )
    d_apid, d_svc, d_sub, d_len = _def_arrays(dictionary)
    _run_chunked(
        _header_kernel,
        m,
        arr,
        starts,
        lengths,
        d_apid,
        d_svc,
        d_sub,
        d_len,
        tables.has_crc,
        check_crc,
        SLICE8,
        out,
    )
    return out


@dataclass
class BulkResult:
    """What :func:`decode_bytes` found: segments, packet headers, per-type raw fields, accounting.

    ``headers`` holds one entry per decoded packet (kind ``PACKET``, in stream
    order); ``type_index[name]`` are the rows of ``headers`` of that packet type
    and ``by_type[name]`` its raw field values (time and user parameters).
    """

    buffer: np.ndarray
    starts: np.ndarray
    lengths: np.ndarray
    kinds: np.ndarray
    dictionary: Dictionary | None
    headers: dict[str, np.ndarray] = field(default_factory=dict)
    by_type: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    type_index: dict[str, np.ndarray] = field(default_factory=dict)
    unknown_index: np.ndarray | None = None
    extra_quarantine: dict[str, int] = field(default_factory=dict)
    overhead_bytes: int = 0

    @property
    def packet_rows(self) -> np.ndarray:
        """Segment indices of the decoded packets."""
        return np.flatnonzero(self.kinds == PACKET)

    def packet_bytes(self, rows=None) -> list[bytes]:
        """The raw bytes of decoded packets (all, or the given ``headers`` rows)."""
        seg = self.packet_rows if rows is None else self.packet_rows[rows]
        return [
            self.buffer[self.starts[i] : self.starts[i] + self.lengths[i]].tobytes() for i in seg
        ]

    def summary(self) -> dict:
        """Counts for the CLI JSON: packets, idle_packets, bytes, quarantine, apids."""
        sizes = self.lengths
        quarantine: dict[str, int] = {}
        for code in np.unique(self.kinds[self.kinds >= 2]):
            quarantine[REASONS[int(code) - 2]] = int(sizes[self.kinds == code].sum())
        for reason, nbytes in self.extra_quarantine.items():
            if nbytes:
                quarantine[reason] = quarantine.get(reason, 0) + int(nbytes)
        packets = int(sizes[self.kinds == PACKET].sum())
        idle = int(sizes[self.kinds == IDLE].sum()) + int(self.overhead_bytes)
        q = int(sum(quarantine.values()))
        gaps = seq_gaps(
            self.headers.get("apid", np.empty(0)), self.headers.get("seq_count", np.empty(0))
        )
        return {
            "packets": int((self.kinds == PACKET).sum()),
            "idle_packets": int((self.kinds == IDLE).sum()),
            "bytes": {
                "total": packets + idle + q,
                "packets": packets,
                "idle": idle,
                "quarantined": q,
            },
            "quarantine": dict(sorted(quarantine.items())),
            "apids": {str(a): {"packets": p, "missing": m} for a, (p, m) in sorted(gaps.items())},
        }


def _def_arrays(dictionary: Dictionary | None):
    defs = list(dictionary.packets) if dictionary is not None else []
    return (
        np.array([p.apid for p in defs], dtype=np.int64),
        np.array([-1 if p.service is None else p.service for p in defs], dtype=np.int64),
        np.array([-1 if p.subservice is None else p.subservice for p in defs], dtype=np.int64),
        np.array([p.length for p in defs], dtype=np.int64),
    )


def decode_bytes(
    data,
    dictionary: Dictionary | None = None,
    *,
    verify_crc: bool = True,
    tables: FramingTables | None = None,
) -> BulkResult:
    """Frame, check and extract every packet in ``data`` (bytes, memoryview or uint8 array)."""
    arr = data if isinstance(data, np.ndarray) else np.frombuffer(data, dtype=np.uint8)
    tables = tables or FramingTables.from_dictionary(dictionary)
    starts, lengths, kinds, _, _ = frame_segments(arr, tables, final=True, in_sync=True)
    return decode_segments(
        arr, starts, lengths, kinds, dictionary, verify_crc=verify_crc, tables=tables
    )


def decode_segments(
    arr, starts, lengths, kinds, dictionary, *, verify_crc=True, tables: FramingTables | None = None
) -> BulkResult:
    """Second half of :func:`decode_bytes`: CRCs, headers, dispatch by type, field extraction."""
    tables = tables or FramingTables.from_dictionary(dictionary)
    defs = list(dictionary.packets) if dictionary is not None else []
    pk = np.flatnonzero(kinds == PACKET)
    check = bool(verify_crc and dictionary is not None)
    apid, seq, flags, svc, sub, tid, ok = header_fields(
        arr, starts[pk], lengths[pk], dictionary, tables, check
    )
    if not ok.all():
        kinds = kinds.copy()
        kinds[pk[~ok]] = BAD_CRC
        pk, apid, seq, flags, svc, sub, tid = (x[ok] for x in (pk, apid, seq, flags, svc, sub, tid))
    result = BulkResult(arr, starts, lengths, kinds, dictionary)
    result.headers = {
        "apid": apid,
        "seq_count": seq,
        "packet_type": (flags >> 4) & 1,
        "sec_header_flag": ((flags >> 3) & 1).astype(bool),
        "seq_flags": flags & 3,
        "length": lengths[pk],
        "service": svc,
        "subservice": sub,
    }
    pstarts = starts[pk]
    if defs:
        order = np.argsort(tid, kind="stable")
        sorted_tid = tid[order]
        for d, pdef in enumerate(defs):
            lo, hi = np.searchsorted(sorted_tid, [d, d + 1])
            rows = order[lo:hi]
            result.type_index[pdef.name] = rows
            names = {f.name for f in pdef.user_fields} | {pdef.time_coarse, pdef.time_fine}
            result.by_type[pdef.name] = extract_fields(arr, pstarts[rows], pdef, names)
    result.unknown_index = np.flatnonzero(tid < 0)
    return result
