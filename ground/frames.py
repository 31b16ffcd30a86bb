"""TM Transfer Frames (CCSDS 132.0-B-3) with the attached sync marker (131.0-B).

On the downlink, packets travel inside fixed-length transfer frames, each
preceded by the 32-bit attached sync marker ``1ACFFC1D``. A frame carries a
6-octet primary header (spacecraft ID, virtual channel, frame counters, the
First Header Pointer), an optional secondary header, the data field (packets
that may straddle frames), an optional 4-octet OCF and an optional 2-octet
Frame Error Control Field (the CRC-16 of :mod:`ground.crc`).

- :class:`FrameHeader` packs and unpacks the primary header;
- :class:`FrameWriter` cuts packet streams into frames (FHP, counters, idle fill, FECF),
  for simulators and tests;
- :class:`FrameSync` finds frames in a raw byte stream (fed in chunks): it searches
  the ASM, locks when a frame checks, flies the wheel over a damaged ASM when the
  frame's FECF still checks, and accounts for every octet it does not pass on
  (``no_sync`` bytes outside any frame, ``bad_frame_crc`` frames).

Packet extraction across frames (first header pointer, VC continuity) is in
:mod:`ground.stream`.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from ground.crc import crc16
from ground.packets import IDLE_APID, encode_packet

ASM = bytes.fromhex("1ACFFC1D")
FHP_NO_PACKET_START = 0x7FF
FHP_IDLE_ONLY = 0x7FE
MAX_FRAME_LEN = 2048


class FrameError(ValueError):
    """A frame or frame configuration that cannot be used."""


@dataclass(frozen=True)
class FrameHeader:
    """The TM transfer frame primary header (6 octets)."""

    scid: int
    vcid: int
    mc_count: int = 0
    vc_count: int = 0
    fhp: int = 0
    ocf_flag: bool = False
    sec_header_flag: bool = False
    sync_flag: bool = False
    packet_order_flag: bool = False
    segment_len_id: int = 0b11
    version: int = 0

    def __post_init__(self) -> None:
        for name, value, high in (
            ("scid", self.scid, 0x3FF),
            ("vcid", self.vcid, 7),
            ("mc_count", self.mc_count, 255),
            ("vc_count", self.vc_count, 255),
            ("fhp", self.fhp, 0x7FF),
        ):
            if not 0 <= int(value) <= high:
                raise FrameError(f"frame {name} must be in 0..{high}, got {value}")

    def pack(self) -> bytes:
        w0 = (self.version << 14) | (self.scid << 4) | (self.vcid << 1) | int(self.ocf_flag)
        status = (
            (int(self.sec_header_flag) << 15)
            | (int(self.sync_flag) << 14)
            | (int(self.packet_order_flag) << 13)
            | (self.segment_len_id << 11)
            | self.fhp
        )
        return bytes([w0 >> 8, w0 & 0xFF, self.mc_count, self.vc_count, status >> 8, status & 0xFF])

    @classmethod
    def unpack(cls, buf: bytes) -> FrameHeader:
        if len(buf) < 6:
            raise FrameError(f"a frame header needs 6 octets, got {len(buf)}")
        w0 = (buf[0] << 8) | buf[1]
        status = (buf[4] << 8) | buf[5]
        return cls(
            version=w0 >> 14,
            scid=(w0 >> 4) & 0x3FF,
            vcid=(w0 >> 1) & 7,
            ocf_flag=bool(w0 & 1),
            mc_count=buf[2],
            vc_count=buf[3],
            sec_header_flag=bool(status >> 15),
            sync_flag=bool((status >> 14) & 1),
            packet_order_flag=bool((status >> 13) & 1),
            segment_len_id=(status >> 11) & 3,
            fhp=status & 0x7FF,
        )


@dataclass(frozen=True)
class Frame:
    """A frame found by :class:`FrameSync`: header, data field, and where it sat in the stream."""

    header: FrameHeader
    data: bytes
    offset: int  # stream offset of the ASM
    length: int  # frame length (without the ASM)

    @property
    def overhead(self) -> int:
        """Octets of this frame (ASM included) that are not data field."""
        return len(ASM) + self.length - len(self.data)


@dataclass
class FrameConfig:
    """What every frame on this physical channel looks like."""

    length: int
    fecf: bool = True
    ocf: bool = False
    sec_header_len: int = 0  # total secondary header octets, 0 = none

    def __post_init__(self) -> None:
        if not 7 + self.overhead_inside <= self.length <= MAX_FRAME_LEN:
            raise FrameError(
                f"frame length must be {7 + self.overhead_inside}..{MAX_FRAME_LEN} octets, got {self.length}"
            )

    @property
    def overhead_inside(self) -> int:
        return 6 + self.sec_header_len + 4 * self.ocf + 2 * self.fecf

    @property
    def data_len(self) -> int:
        return self.length - self.overhead_inside


class FrameWriter:
    """Cut packets into sync-marked TM frames for one spacecraft (simulators, tests, benchmarks).

    >>> w = FrameWriter(scid=0x2A5, config=FrameConfig(length=64))
    >>> raw = w.write([encode_packet(5, b"x" * 30)] * 3, vcid=1) + w.flush(vcid=1)
    """

    def __init__(self, scid: int, config: FrameConfig):
        self.scid = scid
        self.config = config
        self.mc_count = 0
        self.vc_count: dict[int, int] = {}
        self._queue: dict[int, bytearray] = {}
        self._starts: dict[int, deque[int]] = {}
        self._base: dict[int, int] = {}

    def write(self, packets, vcid: int = 0) -> bytes:
        """Queue packets on a VC; return the full frames that are ready (ASM included)."""
        q = self._queue.setdefault(vcid, bytearray())
        starts = self._starts.setdefault(vcid, deque())
        base = self._base.setdefault(vcid, 0)
        for p in packets:
            starts.append(base + len(q))
            q.extend(p)
        out = bytearray()
        while len(q) >= self.config.data_len:
            out += self._emit(vcid)
        return bytes(out)

    def flush(self, vcid: int = 0) -> bytes:
        """Fill the last partial frame of a VC with an idle packet and emit it."""
        q = self._queue.get(vcid)
        if not q:
            return b""
        room = self.config.data_len - len(q)
        if room >= 7:
            idle = encode_packet(IDLE_APID, b"\x55" * (room - 6))
        else:  # too small for an idle packet: let one spill into the next frame
            idle = encode_packet(IDLE_APID, b"\x55" * (room + self.config.data_len - 6))
        out = self.write([idle], vcid)
        return out + (self._emit(vcid) if self._queue[vcid] else b"")

    def idle_frame(self, vcid: int = 7) -> bytes:
        """An Only-Idle-Data frame (FHP 0x7FE)."""
        return self._frame(vcid, FHP_IDLE_ONLY, b"\x55" * self.config.data_len)

    def _emit(self, vcid: int) -> bytes:
        q, starts = self._queue[vcid], self._starts[vcid]
        base = self._base[vcid]
        n = self.config.data_len
        chunk = bytes(q[:n])
        del q[:n]
        while starts and starts[0] < base:
            starts.popleft()
        fhp = starts[0] - base if starts and starts[0] < base + n else FHP_NO_PACKET_START
        self._base[vcid] = base + n
        if len(chunk) < n:
            raise FrameError("internal: partial frame emitted")
        return self._frame(vcid, fhp, chunk)

    def _frame(self, vcid: int, fhp: int, data: bytes) -> bytes:
        cfg = self.config
        vc = self.vc_count.get(vcid, 0)
        header = FrameHeader(
            scid=self.scid,
            vcid=vcid,
            mc_count=self.mc_count,
            vc_count=vc,
            fhp=fhp,
            ocf_flag=cfg.ocf,
            sec_header_flag=cfg.sec_header_len > 0,
        ).pack()
        self.mc_count = (self.mc_count + 1) % 256
        self.vc_count[vcid] = (vc + 1) % 256
        sec = b""
        if cfg.sec_header_len:
            sec = bytes([cfg.sec_header_len - 1]) + bytes(cfg.sec_header_len - 1)
        body = header + sec + data + (bytes(4) if cfg.ocf else b"")
        if cfg.fecf:
            body += crc16(body).to_bytes(2, "big")
        return ASM + body


def find_asm(buf: np.ndarray, start: int = 0) -> np.ndarray:
    """Offsets of every ``1ACFFC1D`` in ``buf[start:]`` (vectorised)."""
    a = buf[start:]
    if a.size < 4:
        return np.empty(0, dtype=np.int64)
    hits = (a[:-3] == 0x1A) & (a[1:-2] == 0xCF) & (a[2:-1] == 0xFC) & (a[3:] == 0x1D)
    return np.flatnonzero(hits) + start


def _next_asm(buf: bytearray, start: int) -> int:
    """Offset of the first sync marker at or after ``start``, or -1; searches growing windows
    so that losing lock costs time in proportion to the bytes skipped, not the buffer size."""
    n, lo, width = len(buf), start, 1 << 14
    while lo <= n - 4:
        hi = min(n, lo + width + 3)
        hits = find_asm(np.frombuffer(buf, dtype=np.uint8, count=hi - lo, offset=lo))
        if hits.size:
            return lo + int(hits[0])
        lo = hi - 3
        width *= 2
    return -1


def detect_frame_length(data: bytes, fecf: bool = True) -> int:
    """Guess the frame length from the spacing of sync markers (checked by the FECF if present)."""
    arr = np.frombuffer(data, dtype=np.uint8)
    hits = find_asm(arr)
    for i, a in enumerate(hits[:50]):
        for b in hits[i + 1 : i + 40]:
            length = int(b - a - 4)
            if length < 8 or length > MAX_FRAME_LEN:
                continue
            frame = data[a + 4 : a + 4 + length]
            if not fecf or crc16(frame) == 0:
                # confirm with the following marker when there is one
                nxt = b + 4 + length
                if nxt + 4 > len(data) or data[nxt : nxt + 4] == ASM or not fecf:
                    return length
    raise FrameError(
        "could not find two sync markers a frame apart; give the frame length explicitly"
    )


@dataclass
class SyncStats:
    """Octets the synchroniser did not pass on as frame data."""

    frames: int = 0
    overhead: int = 0  # ASM, headers, OCF, FECF of good frames
    no_sync: int = 0
    bad_frame_crc: int = 0
    bad_frames: int = 0
    flywheel: int = 0
    vc_frames: dict[int, int] = field(default_factory=dict)


class FrameSync:
    """Find frames in a byte stream fed in chunks.

    Call :meth:`feed` with each chunk and :meth:`close` at the end; both return
    the good frames found so far. Every octet fed ends up in a good frame, in
    ``stats.no_sync`` or in ``stats.bad_frame_crc``.
    """

    def __init__(self, config: FrameConfig):
        self.config = config
        self.stats = SyncStats()
        self._buf = bytearray()
        self._offset = 0  # stream offset of _buf[0]
        self._locked = False

    def feed(self, chunk: bytes) -> list[Frame]:
        self._buf += chunk
        return self._run(final=False)

    def close(self) -> list[Frame]:
        frames = self._run(final=True)
        self.stats.no_sync += len(self._buf)
        self._offset += len(self._buf)
        self._buf.clear()
        return frames

    def _frame_ok(self, pos: int) -> bool:
        body = self._buf[pos + 4 : pos + 4 + self.config.length]
        if self.config.fecf:
            return crc16(bytes(body)) == 0
        return True

    def _run(self, final: bool) -> list[Frame]:
        cfg = self.config
        span = 4 + cfg.length
        out: list[Frame] = []
        pos = 0
        buf = self._buf
        while True:
            if len(buf) - pos < span:
                break
            asm_ok = buf[pos : pos + 4] == ASM
            if asm_ok or (self._locked and cfg.fecf):
                if self._frame_ok(pos):
                    if not asm_ok:
                        self.stats.flywheel += 1
                    out.append(self._make_frame(pos))
                    self._locked = True
                    pos += span
                    continue
                nxt = pos + span
                if not final and len(buf) < nxt + 4:
                    break  # decide when the next marker's place has arrived
                next_asm = len(buf) >= nxt + 4 and buf[nxt : nxt + 4] == ASM
                if asm_ok and (self._locked or next_asm):
                    # a frame where one should be, damaged in transit
                    self.stats.bad_frame_crc += span
                    self.stats.bad_frames += 1
                    self._locked = next_asm
                    pos += span
                    continue
            # lost: skip to the next sync marker candidate
            self._locked = False
            hit = _next_asm(buf, pos + 1)
            nxt = hit if hit >= 0 else max(pos, len(buf) - 3)
            self.stats.no_sync += nxt - pos
            pos = nxt
            if hit < 0:
                break
        del buf[:pos]
        self._offset += pos
        return out

    def _make_frame(self, pos: int) -> Frame:
        cfg = self.config
        body = bytes(self._buf[pos + 4 : pos + 4 + cfg.length])
        header = FrameHeader.unpack(body[:6])
        start = 6
        if header.sec_header_flag:
            start += (body[6] & 0x3F) + 1
        end = cfg.length - 2 * cfg.fecf - 4 * header.ocf_flag
        frame = Frame(header, body[start:end], self._offset + pos, cfg.length)
        self.stats.frames += 1
        self.stats.overhead += frame.overhead
        vc = header.vcid
        self.stats.vc_frames[vc] = self.stats.vc_frames.get(vc, 0) + 1
        return frame
