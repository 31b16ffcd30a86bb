"""Streaming telemetry decoding that never loses count of a byte.

:class:`StreamDecoder` takes raw bytes in chunks of any size, either a plain
stream of concatenated space packets or (``frames=FrameConfig(...)``) a stream
of sync-marked TM transfer frames, and returns what it could decode so far:
packets, idle packets and quarantined bytes with a reason. It resynchronises
after garbage, truncated packets and frames, and bad CRCs (see
:mod:`ground.bulk` for the rules), and it reports sequence-count gaps per APID.

Every byte fed is accounted for exactly once, in one of three buckets:

- ``packets``: octets of decoded packets (headers included);
- ``idle``: idle packets (APID 0x7FF), Only-Idle-Data frames and, in frame
  mode, the link overhead of good frames (ASM, frame headers, OCF, FECF),
  which carries no user data but is not an error either;
- ``quarantined``: everything else, by reason: ``garbage``, ``truncated``,
  ``bad_crc``, ``length_mismatch``, and in frame mode ``no_sync`` (octets outside
  any frame), ``bad_frame_crc`` (whole frames that fail their FECF, ASM
  included), ``frame_gap`` (a packet cut by a lost frame) and
  ``orphan_continuation`` (the tail of a packet whose start was lost).

:func:`decode_stream_bytes` runs the same machinery over a whole buffer and
returns a :class:`ground.bulk.BulkResult` ready for decommutation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ground.bulk import (
    BAD_CRC,
    IDLE,
    PACKET,
    REASON_CODE,
    REASONS,
    TRUNCATED,
    BulkResult,
    FramingTables,
    decode_segments,
    frame_segments,
    verify_crcs,
)
from ground.dictionary import Dictionary
from ground.frames import FHP_IDLE_ONLY, FHP_NO_PACKET_START, Frame, FrameConfig, FrameSync

FRAME_GAP = REASON_CODE["frame_gap"]
ORPHAN = REASON_CODE["orphan_continuation"]
_RUN_CHUNK = 1 << 20


@dataclass(frozen=True)
class Segment:
    """A piece of the stream: ``kind`` is 'packet', 'idle' or 'quarantine' (with a reason)."""

    kind: str
    data: bytes
    reason: str | None = None

    def __repr__(self) -> str:
        extra = f", {self.reason}" if self.reason else ""
        return f"Segment({self.kind}, {len(self.data)} octets{extra})"


class _Batches:
    """Decoded pieces kept as one growing buffer plus segment arrays."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.starts: list[np.ndarray] = []
        self.lengths: list[np.ndarray] = []
        self.kinds: list[np.ndarray] = []
        self.size = 0

    def add(self, data: bytes, starts, lengths, kinds) -> None:
        if not len(data):
            return
        self.chunks.append(bytes(data))
        self.starts.append(np.asarray(starts, dtype=np.int64) + self.size)
        self.lengths.append(np.asarray(lengths, dtype=np.int64))
        self.kinds.append(np.asarray(kinds, dtype=np.uint8))
        self.size += len(data)

    def add_one(self, data: bytes, kind: int) -> None:
        self.add(data, [0], [len(data)], [kind])

    def arrays(self):
        if not self.chunks:
            e = np.empty(0, dtype=np.int64)
            return np.empty(0, dtype=np.uint8), e, e.copy(), np.empty(0, dtype=np.uint8)
        buf = np.frombuffer(b"".join(self.chunks), dtype=np.uint8)
        return (
            buf,
            np.concatenate(self.starts),
            np.concatenate(self.lengths),
            np.concatenate(self.kinds),
        )


class _Run:
    """Bytes of one virtual channel (or the plain packet stream) since the last discontinuity."""

    def __init__(self, tables: FramingTables, out: _Batches, new_segments: list):
        self.tables = tables
        self.out = out
        self.new = new_segments
        self.buf = bytearray()
        self.in_sync = True
        self.active = False

    def push(self, data: bytes, force: bool = False) -> None:
        self.buf += data
        if force or len(self.buf) >= _RUN_CHUNK:
            self._cut(final=False)

    def _cut(self, final: bool, gap: bool = False) -> None:
        if not self.buf:
            return
        arr = np.frombuffer(bytes(self.buf), dtype=np.uint8)
        starts, lengths, kinds, pos, self.in_sync = frame_segments(
            arr, self.tables, final=final, in_sync=self.in_sync
        )
        if final and gap and kinds.size and kinds[-1] == TRUNCATED:
            kinds = kinds.copy()
            kinds[-1] = FRAME_GAP
        self.out.add(arr[:pos].tobytes(), starts, lengths, kinds)
        self.new.append((arr[:pos].tobytes(), starts, lengths, kinds))
        del self.buf[:pos]

    def finish(self, gap: bool) -> None:
        self._cut(final=True, gap=gap)
        self.buf.clear()
        self.in_sync = True
        self.active = False


class StreamDecoder:
    """Decode a telemetry byte stream fed in chunks, accounting for every byte.

    >>> dec = StreamDecoder(load_dictionary())            # doctest: +SKIP
    >>> for chunk in socket_chunks: segments = dec.feed(chunk)
    >>> dec.close(); dec.summary()["bytes"]

    ``frames`` switches to transfer-frame input. ``verify_crc`` checks the PUS
    Packet Error Control of packets whose dictionary definition has one.
    """

    def __init__(
        self,
        dictionary: Dictionary | None = None,
        *,
        frames: FrameConfig | None = None,
        verify_crc: bool = True,
    ):
        self.dictionary = dictionary
        self.tables = FramingTables.from_dictionary(dictionary)
        self.verify_crc = verify_crc
        self.frames = frames
        self._out = _Batches()
        self._new: list = []
        self._sync = FrameSync(frames) if frames is not None else None
        self._plain = _Run(self.tables, self._out, self._new) if frames is None else None
        if self._plain is not None:
            self._plain.in_sync = True
        self._vcs: dict[int, _Run] = {}
        self._vc_count: dict[int, int] = {}
        self.idle_frame_bytes = 0
        self.closed = False
        self.fed = 0

    # -- input

    def feed(self, chunk: bytes) -> list[Segment]:
        """Add bytes; returns the segments completed by them."""
        if self.closed:
            raise ValueError("this StreamDecoder is closed; create a new one")
        self.fed += len(chunk)
        if self._plain is not None:
            self._plain.push(chunk, force=True)
        else:
            for frame in self._sync.feed(chunk):
                self._on_frame(frame)
            for run in self._vcs.values():
                if run.active:
                    run._cut(final=False)
        return self._drain()

    def close(self) -> list[Segment]:
        """End of stream: whatever is incomplete is quarantined as truncated."""
        if not self.closed:
            if self._plain is not None:
                self._plain.finish(gap=False)
            else:
                for frame in self._sync.close():
                    self._on_frame(frame)
                for run in self._vcs.values():
                    run.finish(gap=False)
            self.closed = True
        return self._drain()

    def _on_frame(self, frame: Frame) -> None:
        h = frame.header
        run = self._vcs.get(h.vcid)
        if run is None:
            run = self._vcs[h.vcid] = _Run(self.tables, self._out, self._new)
        last = self._vc_count.get(h.vcid)
        self._vc_count[h.vcid] = h.vc_count
        if last is not None and (h.vc_count - last) % 256 != 1 and run.active:
            run.finish(gap=True)  # a frame of this VC was lost
        if h.fhp == FHP_IDLE_ONLY:
            self.idle_frame_bytes += len(frame.data)
            return
        data = frame.data
        if not run.active:
            if h.fhp == FHP_NO_PACKET_START or h.fhp >= len(data):
                self._out.add_one(data, ORPHAN)
                self._new.append((data, [0], [len(data)], [ORPHAN]))
                return
            if h.fhp:
                self._out.add_one(data[: h.fhp], ORPHAN)
                self._new.append((data[: h.fhp], [0], [h.fhp], [ORPHAN]))
            data = data[h.fhp :]
            run.active = True
            run.in_sync = True
        run.push(data)

    def _drain(self) -> list[Segment]:
        out = []
        for data, starts, lengths, kinds in self._new:
            for s, n, k in zip(starts, lengths, kinds, strict=True):
                piece = bytes(data[s : s + n])
                k = int(k)
                if k == PACKET and self.verify_crc and self.dictionary is not None:
                    if self.tables.has_crc[((piece[0] & 7) << 8) | piece[1]] and not _crc_ok(piece):
                        k = BAD_CRC
                if k == PACKET:
                    out.append(Segment("packet", piece))
                elif k == IDLE:
                    out.append(Segment("idle", piece))
                else:
                    out.append(Segment("quarantine", piece, REASONS[k - 2]))
        self._new.clear()
        return out

    # -- results

    def result(self) -> BulkResult:
        """Everything decoded so far as a :class:`~ground.bulk.BulkResult` (call after :meth:`close`)."""
        buf, starts, lengths, kinds = self._out.arrays()
        result = decode_segments(
            buf,
            starts,
            lengths,
            kinds,
            self.dictionary,
            verify_crc=self.verify_crc,
            tables=self.tables,
        )
        if self._sync is not None:
            st = self._sync.stats
            result.overhead_bytes = st.overhead + self.idle_frame_bytes
            result.extra_quarantine = {"no_sync": st.no_sync, "bad_frame_crc": st.bad_frame_crc}
        return result

    def summary(self, result: BulkResult | None = None) -> dict:
        """The accounting (same keys as ``kamo ground decode --json``); bytes still buffered
        (before :meth:`close`) are reported as ``pending``."""
        out = (result or self.result()).summary()
        pending = self.fed - out["bytes"]["total"]
        if pending:
            out["pending_bytes"] = pending
        if self._sync is not None:
            st = self._sync.stats
            out["frames"] = {
                "good": st.frames,
                "bad_crc": st.bad_frames,
                "flywheel": st.flywheel,
                "overhead_bytes": st.overhead,
                "idle_frame_bytes": self.idle_frame_bytes,
                "per_vc": {str(k): v for k, v in sorted(st.vc_frames.items())},
            }
        return out


def _crc_ok(piece: bytes) -> bool:
    arr = np.frombuffer(piece, dtype=np.uint8)
    return bool(
        verify_crcs(arr, np.zeros(1, dtype=np.int64), np.array([len(piece)], dtype=np.int64))[0]
    )


def decode_stream_bytes(
    data: bytes,
    dictionary: Dictionary | None = None,
    *,
    frames: FrameConfig | None = None,
    verify_crc: bool = True,
) -> tuple[BulkResult, dict]:
    """Decode a whole buffer (packets or frames); returns the result and its summary."""
    if frames is None:
        from ground.bulk import decode_bytes

        result = decode_bytes(data, dictionary, verify_crc=verify_crc)
        return result, result.summary()
    dec = StreamDecoder(dictionary, frames=frames, verify_crc=verify_crc)
    found = dec._sync.feed(data) + dec._sync.close()  # frame sync in one pass
    for frame in found:
        dec._on_frame(frame)
        dec._new.clear()
    for run in dec._vcs.values():
        run.finish(gap=False)
    dec._new.clear()
    dec.closed = True
    dec.fed = len(data)
    result = dec.result()
    return result, dec.summary(result)
