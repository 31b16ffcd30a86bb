"""Reassembly of segmented space packets into user data units (CCSDS 133.0-B-2 4.1.3.4.2).

A user data unit too long for one packet is sent as a group of packets of one
APID: a *first* segment (sequence flags ``01``), any number of *continuation*
segments (``00``) and a *last* segment (``10``), with consecutive sequence
counts (14 bits, modulo 16384). An *unsegmented* packet (``11``) is a unit by
itself. :class:`Reassembler` takes decoded packets in arrival order, possibly
interleaved across APIDs, and gives back, per APID, each unit whose segments all
arrived in order as a :class:`DataUnit`.

Nothing is dropped. A group that cannot be completed becomes an
:class:`IncompleteUnit` holding its packets exactly as received, with a reason:

- ``no_first``: continuation or last segments with no first segment before them
  (a run of them, up to the last segment, makes one record);
- ``sequence_gap``: the sequence count jumped inside a group (packets were lost);
- ``no_last``: a first segment or an unsegmented packet arrived, in sequence,
  before the group's last segment;
- ``open_at_close``: the group was still open when :meth:`Reassembler.close` was called;
- ``too_large``: the group's user data grew beyond ``max_unit_octets``; its packets
  are handed back each time the held octets pass the bound, until its last segment;
- ``short_segment``: a non-first segment shorter than ``strip_continuation``.

>>> from ground.packets import SequenceFlags as F, encode_packet
>>> r = Reassembler()
>>> r.feed([encode_packet(7, b"hel", seq_count=16383, seq_flags=F.FIRST),
...         encode_packet(7, b"lo", seq_count=0, seq_flags=F.LAST)])
[DataUnit(apid=7, seq 16383..0, 2 segments, 5 octets)]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ground.packets import (
    MAX_SEQ_COUNT,
    PRIMARY_HEADER_LEN,
    PacketError,
    SequenceFlags,
    SpacePacket,
    decode_packet,
)

REASONS = ("no_first", "sequence_gap", "no_last", "open_at_close", "too_large", "short_segment")
DEFAULT_MAX_UNIT_OCTETS = 1 << 24

_FIRST = SequenceFlags.FIRST
_LAST = SequenceFlags.LAST
_CONT = SequenceFlags.CONTINUATION
_UNSEG = SequenceFlags.UNSEGMENTED


def _seq_range(first: int, last: int) -> str:
    return f"seq {first}" if first == last else f"seq {first}..{last}"


@dataclass(frozen=True)
class DataUnit:
    """A complete user data unit: the user data of its segments, in order, joined.

    ``packet_octets`` is what its packets took on the link, primary headers included.
    """

    apid: int
    first_seq: int
    last_seq: int
    data: bytes
    segments: int
    packet_octets: int

    complete = True

    def __repr__(self) -> str:
        s = "segment" if self.segments == 1 else "segments"
        return (
            f"DataUnit(apid={self.apid}, {_seq_range(self.first_seq, self.last_seq)}, "
            f"{self.segments} {s}, {len(self.data)} octets)"
        )


@dataclass(frozen=True)
class IncompleteUnit:
    """Packets that could not be reassembled, kept whole, with the reason (see the module doc)."""

    apid: int
    first_seq: int
    last_seq: int
    reason: str
    packets: tuple[bytes, ...]
    detail: str = ""

    complete = False

    @property
    def segments(self) -> int:
        return len(self.packets)

    @property
    def packet_octets(self) -> int:
        return sum(len(p) for p in self.packets)

    def __repr__(self) -> str:
        s = "packet" if self.segments == 1 else "packets"
        detail = f": {self.detail}" if self.detail else ""
        return (
            f"IncompleteUnit(apid={self.apid}, {self.reason}, "
            f"{_seq_range(self.first_seq, self.last_seq)}, {self.segments} {s}, "
            f"{self.packet_octets} octets{detail})"
        )


@dataclass
class _Group:
    """The open group of one APID. ``reason`` is None for a group begun by a first segment."""

    first_seq: int
    next_seq: int
    reason: str | None
    packets: list[bytes] = field(default_factory=list)
    user_octets: int = 0
    held_octets: int = 0

    @property
    def last_seq(self) -> int:
        return (self.next_seq - 1) & MAX_SEQ_COUNT


def _as_packet(item: object) -> tuple[SpacePacket, bytes] | None:
    """The decoded packet and its raw octets, or None for a stream segment that is not a packet."""
    if isinstance(item, SpacePacket):
        return item, item.pack()
    kind = getattr(item, "kind", None)
    if kind is not None:  # a ground.stream.Segment
        if kind != "packet":
            return None
        item = item.data
    raw = bytes(item)
    pkt = decode_packet(raw)
    if pkt.header.packet_len != len(raw):
        raise PacketError(
            f"expected exactly one packet of {pkt.header.packet_len} octets, got {len(raw)} octets"
        )
    return pkt, raw


class Reassembler:
    """Rebuild segmented user data units from packets fed in arrival order.

    ``strip_continuation`` is the number of octets at the start of the data field
    of every *non-first* segment that are not user data. CCSDS leaves it to the
    mission: with the default 0 the whole data field of each segment is user data
    (a first segment's secondary header, if any, stays at the front of the unit);
    a mission that repeats a PUS header in every segment sets it to that header's
    length so the unit reads as one header followed by the joined source data.
    ``max_unit_octets`` bounds the user data held for one APID.

    Results come back from :meth:`feed` and :meth:`close` as a list, in the order
    they were completed: :class:`DataUnit` or :class:`IncompleteUnit` (tell them
    apart with ``.complete``). Idle packets (APID 0x7FF) and stream segments that
    are not packets are skipped; idle octets are counted in the summary.
    """

    def __init__(
        self, *, strip_continuation: int = 0, max_unit_octets: int = DEFAULT_MAX_UNIT_OCTETS
    ):
        if strip_continuation < 0:
            raise ValueError(f"strip_continuation must be >= 0 octets, got {strip_continuation}")
        if max_unit_octets < 1:
            raise ValueError(f"max_unit_octets must be >= 1, got {max_unit_octets}")
        self.strip_continuation = int(strip_continuation)
        self.max_unit_octets = int(max_unit_octets)
        self._open: dict[int, _Group] = {}
        self._out: list[DataUnit | IncompleteUnit] = []
        self.closed = False
        self.packets = 0
        self.units = 0
        self.segments = 0
        self.incomplete: dict[str, int] = {}
        self.octets = {"fed": 0, "units": 0, "user_data": 0, "kept_aside": 0, "idle": 0}
        self._per_apid: dict[int, dict] = {}

    # -- input

    def feed(self, items: Iterable) -> list[DataUnit | IncompleteUnit]:
        """Add packets (``SpacePacket``, raw packet bytes, or ``ground.stream`` segments)."""
        if self.closed:
            raise ValueError("this Reassembler is closed; create a new one")
        if isinstance(items, (bytes, bytearray, memoryview, SpacePacket)):
            items = [items]  # one packet
        for item in items:
            found = _as_packet(item)
            if found is not None:
                self._add(*found)
        return self._drain()

    def close(self) -> list[DataUnit | IncompleteUnit]:
        """End of input: every group still open is handed back as ``open_at_close``."""
        if not self.closed:
            for apid in sorted(self._open):
                g = self._open.pop(apid)
                self._incomplete(
                    apid, g, g.reason or "open_at_close", "no last segment before close"
                )
            self.closed = True
        return self._drain()

    def _drain(self) -> list[DataUnit | IncompleteUnit]:
        out, self._out = self._out, []
        return out

    def _add(self, pkt: SpacePacket, raw: bytes) -> None:
        h = pkt.header
        self.octets["fed"] += len(raw)
        if h.is_idle:
            self.octets["idle"] += len(raw)
            return
        self.packets += 1
        apid, seq, flags = h.apid, h.seq_count, h.seq_flags
        g = self._open.get(apid)
        if g is not None:
            if seq != g.next_seq:
                detail = f"expected seq {g.next_seq}, got {seq}"
                self._end(apid, g, g.reason or "sequence_gap", detail)
                g = None
            elif flags in (_FIRST, _UNSEG):
                detail = f"{flags.name.lower()} packet at seq {seq}"
                self._end(apid, g, g.reason or "no_last", detail)
                g = None
        if g is None:
            if flags == _UNSEG:
                self._unit(apid, seq, seq, pkt.data, 1, len(raw))
                return
            reason = None if flags == _FIRST else "no_first"
            g = self._open[apid] = _Group(first_seq=seq, next_seq=seq, reason=reason)
        self._append(apid, g, pkt, raw)

    def _append(self, apid: int, g: _Group, pkt: SpacePacket, raw: bytes) -> None:
        user = len(pkt.data)
        if pkt.header.seq_flags != _FIRST:  # a first segment always opens its group
            user -= self.strip_continuation
        g.packets.append(raw)
        g.held_octets += len(raw)
        g.next_seq = (pkt.header.seq_count + 1) & MAX_SEQ_COUNT
        if user < 0 and g.reason is None:
            detail = f"{len(pkt.data)} data octets, {self.strip_continuation} to strip"
            self._end(apid, g, "short_segment", detail)
            return
        g.user_octets += max(user, 0)
        last = pkt.header.seq_flags == _LAST
        if g.user_octets > self.max_unit_octets:
            reason = g.reason or "too_large"
            detail = f"more than {self.max_unit_octets} octets of user data"
            self._end(apid, g, reason, detail)
            if not last:  # follow the group so that its tail is not taken for a new one
                self._open[apid] = _Group(first_seq=g.next_seq, next_seq=g.next_seq, reason=reason)
        elif last:
            del self._open[apid]
            if g.reason is None:
                self._complete(apid, g)
            else:
                self._incomplete(apid, g, g.reason, "")

    # -- results

    def _end(self, apid: int, g: _Group, reason: str, detail: str) -> None:
        del self._open[apid]
        self._incomplete(apid, g, reason, detail)

    def _complete(self, apid: int, g: _Group) -> None:
        strip = PRIMARY_HEADER_LEN + self.strip_continuation
        first = g.packets[0][PRIMARY_HEADER_LEN:]
        data = b"".join([first, *(p[strip:] for p in g.packets[1:])])
        self._unit(apid, g.first_seq, g.last_seq, data, len(g.packets), g.held_octets)

    def _unit(self, apid: int, first: int, last: int, data: bytes, n: int, octets: int) -> None:
        self.units += 1
        self.segments += n
        self.octets["units"] += octets
        self.octets["user_data"] += len(data)
        self._apid(apid)["units"] += 1
        self._out.append(DataUnit(apid, first, last, bytes(data), n, octets))

    def _incomplete(self, apid: int, g: _Group, reason: str, detail: str) -> None:
        if not g.packets:
            return
        self.incomplete[reason] = self.incomplete.get(reason, 0) + 1
        per = self._apid(apid)["incomplete"]
        per[reason] = per.get(reason, 0) + 1
        self.octets["kept_aside"] += g.held_octets
        self._out.append(
            IncompleteUnit(apid, g.first_seq, g.last_seq, reason, tuple(g.packets), detail)
        )

    def _apid(self, apid: int) -> dict:
        per = self._per_apid.get(apid)
        if per is None:
            per = self._per_apid[apid] = {"units": 0, "incomplete": {}}
        return per

    def summary(self) -> dict:
        """Counts and octets: ``fed = units + kept_aside + open + idle`` always holds.

        ``incomplete`` counts records per reason (an oversized group gives one
        ``too_large`` record each time the held octets pass the bound).
        """
        open_octets = sum(g.held_octets for g in self._open.values())
        return {
            "packets": self.packets,
            "units": self.units,
            "segments": self.segments,
            "incomplete": dict(sorted(self.incomplete.items())),
            "bytes": {**self.octets, "open": open_octets},
            "open_groups": {str(a): len(g.packets) for a, g in sorted(self._open.items())},
            "apids": {
                str(a): {"units": v["units"], "incomplete": dict(sorted(v["incomplete"].items()))}
                for a, v in sorted(self._per_apid.items())
            },
        }

    def __repr__(self) -> str:
        units = "unit" if self.units == 1 else "units"
        packets = "packet" if self.segments == 1 else "packets"
        parts = [f"{self.units} {units} from {self.segments} {packets}"]
        if self.incomplete:
            kinds = ", ".join(f"{n} {r}" for r, n in sorted(self.incomplete.items()))
            parts.append(f"incomplete: {kinds}")
        if self._open:
            groups = ", ".join(
                f"APID {a} ({len(g.packets)} held)" for a, g in sorted(self._open.items())
            )
            parts.append(f"open: {groups}")
        if self.closed:
            parts.append("closed")
        return f"Reassembler({'; '.join(parts)})"
