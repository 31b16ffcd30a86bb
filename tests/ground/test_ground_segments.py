"""Reassembly of segmented space packets: spacepackets as the oracle, every failure kept, no byte lost."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacepackets.ccsds.spacepacket import PacketType as SpPacketType
from spacepackets.ccsds.spacepacket import SequenceFlags as SpSeqFlags
from spacepackets.ccsds.spacepacket import SpacePacket as SpSpacePacket
from spacepackets.ccsds.spacepacket import SpacePacketHeader

import ground
from ground.packets import PacketError, SequenceFlags, decode_packet, encode_packet, idle_packet
from ground.reassembly import DataUnit, IncompleteUnit, Reassembler
from ground.stream import StreamDecoder

F = SequenceFlags


def _flags(n: int) -> list[SequenceFlags]:
    """Sequence flags of a unit cut into ``n`` packets (133.0-B-2 4.1.3.4.2.2)."""
    if n == 1:
        return [F.UNSEGMENTED]
    return [F.FIRST] + [F.CONTINUATION] * (n - 2) + [F.LAST]


def _segment(apid, payload, sizes, seq0=0, prefix=b""):
    """Cut ``payload`` into pieces of ``sizes`` and encode them with kamo; ``prefix`` goes in
    front of every non-first piece (a repeated secondary header)."""
    pieces, pos = [], 0
    for n in sizes:
        pieces.append(payload[pos : pos + n])
        pos += n
    assert pos == len(payload)
    return [
        encode_packet(
            apid,
            (prefix if i else b"") + piece,
            seq_count=(seq0 + i) % 16384,
            seq_flags=flag,
        )
        for i, (piece, flag) in enumerate(zip(pieces, _flags(len(pieces)), strict=True))
    ]


def _sp_segment(apid, pieces, seq0=0):
    """The same with the spacepackets library, independently of kamo's encoder."""
    sp_flags = {
        F.FIRST: SpSeqFlags.FIRST_SEGMENT,
        F.CONTINUATION: SpSeqFlags.CONTINUATION_SEGMENT,
        F.LAST: SpSeqFlags.LAST_SEGMENT,
        F.UNSEGMENTED: SpSeqFlags.UNSEGMENTED,
    }
    out = []
    for i, (piece, flag) in enumerate(zip(pieces, _flags(len(pieces)), strict=True)):
        header = SpacePacketHeader(
            packet_type=SpPacketType.TM,
            apid=apid,
            seq_count=(seq0 + i) % 16384,
            data_len=len(piece) - 1,
            seq_flags=sp_flags[flag],
        )
        out.append(SpSpacePacket(header, sec_header=None, user_data=piece).pack())
    return out


def _check_no_byte_lost(r: Reassembler, results, fed: bytes | int) -> None:
    fed = fed if isinstance(fed, int) else len(fed)
    s = r.summary()
    b = s["bytes"]
    assert b["fed"] == fed
    assert b["units"] + b["kept_aside"] + b["open"] + b["idle"] == fed
    units = [x for x in results if x.complete]
    kept = [x for x in results if not x.complete]
    assert sum(u.packet_octets for u in units) == b["units"]
    assert sum(len(p) for k in kept for p in k.packets) == b["kept_aside"]
    for u in units:  # headers and stripped prefixes are the only octets not in the data
        assert u.packet_octets == len(u.data) + 6 * u.segments + r.strip_continuation * (
            u.segments - 1
        )
    assert s["units"] == len(units) and sum(s["incomplete"].values()) == len(kept)


def test_spacepackets_segments_reassemble():
    payload = bytes(range(256)) * 3
    pieces = [payload[:100], payload[100:101], payload[101:600], payload[600:]]
    raw = _sp_segment(42, pieces, seq0=9)
    # the oracle's flags are the ones kamo reads
    assert [decode_packet(p).header.seq_flags for p in raw] == _flags(4)
    r = Reassembler()
    out = r.feed(raw) + r.close()
    assert out == [DataUnit(42, 9, 12, payload, 4, sum(map(len, raw)))]
    _check_no_byte_lost(r, out, b"".join(raw))


def test_kamo_segments_read_by_spacepackets():
    raw = _segment(5, b"abcdefghij", [3, 3, 4], seq0=100)
    sp_flags = [SpacePacketHeader.unpack(p).seq_flags for p in raw]
    assert sp_flags == [
        SpSeqFlags.FIRST_SEGMENT,
        SpSeqFlags.CONTINUATION_SEGMENT,
        SpSeqFlags.LAST_SEGMENT,
    ]
    assert [SpacePacketHeader.unpack(p).seq_count for p in raw] == [100, 101, 102]


def test_interleaved_apids_and_unsegmented_pass_through():
    a = _segment(10, b"A" * 50, [20, 20, 10])
    b = _segment(11, b"B" * 30, [10, 10, 10], seq0=500)
    c = _segment(12, b"C" * 7, [7], seq0=3)  # unsegmented
    stream = [a[0], b[0], c[0], b[1], a[1], idle_packet(13), b[2], a[2]]
    r = Reassembler()
    out = r.feed(stream)
    assert [(u.apid, u.data, u.segments, u.first_seq, u.last_seq) for u in out] == [
        (12, b"C" * 7, 1, 3, 3),
        (11, b"B" * 30, 3, 500, 502),
        (10, b"A" * 50, 3, 0, 2),
    ]
    assert r.close() == []
    _check_no_byte_lost(r, out, b"".join(stream))
    s = r.summary()
    assert s["packets"] == 7 and s["segments"] == 7 and s["bytes"]["idle"] == 13
    assert s["apids"] == {str(k): {"units": 1, "incomplete": {}} for k in (10, 11, 12)}


def test_sequence_count_wraps_inside_a_unit():
    payload = bytes(range(40))
    raw = _segment(3, payload, [10, 10, 10, 10], seq0=16382)
    assert [decode_packet(p).header.seq_count for p in raw] == [16382, 16383, 0, 1]
    r = Reassembler()
    (unit,) = r.feed(raw)
    assert (unit.first_seq, unit.last_seq, unit.data) == (16382, 1, payload)
    assert repr(unit) == "DataUnit(apid=3, seq 16382..1, 4 segments, 40 octets)"


def test_feeding_one_packet_at_a_time_matches_feeding_all():
    raw = _segment(3, b"xyz" * 20, [25, 25, 10]) + _segment(3, b"q", [1], seq0=3)
    r1, r2 = Reassembler(), Reassembler()
    one_by_one = [x for p in raw for x in r1.feed(p)] + r1.close()
    assert one_by_one == r2.feed(raw) + r2.close()
    assert r1.summary() == r2.summary()


def test_no_first():
    raw = _segment(7, b"0123456789", [4, 3, 3], seq0=20)
    r = Reassembler()
    out = r.feed(raw[1:]) + r.close()  # the first segment was lost
    assert len(out) == 1
    rec = out[0]
    assert isinstance(rec, IncompleteUnit) and rec.reason == "no_first"
    assert rec.packets == tuple(raw[1:]) and (rec.first_seq, rec.last_seq) == (21, 22)
    _check_no_byte_lost(r, out, b"".join(raw[1:]))
    assert r.summary()["apids"]["7"]["incomplete"] == {"no_first": 1}


def test_sequence_gap_inside_a_group_then_its_tail_has_no_first():
    raw = _segment(7, bytes(50), [10] * 5, seq0=16383)
    fed = raw[:2] + raw[3:]  # seq 1 lost (after the wrap)
    r = Reassembler()
    out = r.feed(fed) + r.close()
    assert [(x.reason, x.segments, x.first_seq, x.last_seq) for x in out] == [
        ("sequence_gap", 2, 16383, 0),
        ("no_first", 2, 2, 3),
    ]
    assert out[0].detail == "expected seq 1, got 2"
    _check_no_byte_lost(r, out, b"".join(fed))
    assert r.summary()["incomplete"] == {"no_first": 1, "sequence_gap": 1}


def test_new_first_or_unsegmented_before_the_last():
    first_group = _segment(8, bytes(30), [10, 10, 10])
    second = _segment(8, b"second", [3, 3], seq0=2)  # starts where first_group's last was due
    single = encode_packet(8, b"solo", seq_count=4)
    fed = first_group[:2] + second + _segment(8, b"abcd", [2, 2], seq0=5)[:1] + [single]
    # a first at seq 5, then the single packet at seq 4: a gap inside that group, not no_last
    r = Reassembler()
    out = r.feed(fed) + r.close()
    assert [(x.complete, getattr(x, "reason", None)) for x in out] == [
        (False, "no_last"),
        (True, None),
        (False, "sequence_gap"),
        (True, None),
    ]
    assert out[0].detail == "first packet at seq 2"
    assert out[1].data == b"second" and out[3].data == b"solo"
    _check_no_byte_lost(r, out, b"".join(fed))

    r = Reassembler()
    fed = first_group[:2] + [encode_packet(8, b"solo", seq_count=2)]
    out = r.feed(fed)
    assert [(x.complete, getattr(x, "reason", None)) for x in out] == [
        (False, "no_last"),
        (True, None),
    ]
    assert out[0].detail == "unsegmented packet at seq 2"


def test_open_at_close_and_repr():
    a = _segment(100, bytes(30), [10, 10, 10])
    b = _segment(101, bytes(20), [10, 10])
    r = Reassembler()
    assert repr(r) == "Reassembler(0 units from 0 packets)"
    assert r.feed([a[0], b[0], a[1], b[1]]) == [DataUnit(101, 0, 1, bytes(20), 2, 32)]
    assert r.summary()["open_groups"] == {"100": 2}
    assert repr(r) == "Reassembler(1 unit from 2 packets; open: APID 100 (2 held))"
    out = r.close()
    assert [x.reason for x in out] == ["open_at_close"]
    assert repr(out[0]) == (
        "IncompleteUnit(apid=100, open_at_close, seq 0..1, 2 packets, 32 octets: "
        "no last segment before close)"
    )
    assert repr(r) == "Reassembler(1 unit from 2 packets; incomplete: 1 open_at_close; closed)"
    _check_no_byte_lost(r, [DataUnit(101, 0, 1, bytes(20), 2, 32)] + out, 64)
    with pytest.raises(ValueError, match="closed"):
        r.feed(a[2:])


def test_too_large_keeps_following_the_group_and_bounds_memory():
    big = _segment(9, bytes(100), [10] * 10)  # 100 octets of user data
    ok = _segment(9, b"fits", [2, 2], seq0=10)
    r = Reassembler(max_unit_octets=25)
    out = []
    for p in big + ok:
        out += r.feed(p)
        held = sum(r.summary()["open_groups"].values())
        assert held <= 3  # never more than max_unit_octets worth of 10-octet segments
    out += r.close()
    reasons = [getattr(x, "reason", None) for x in out]
    # 3 packets (30 > 25 octets) at a time, then the last one; the next unit is unharmed
    assert reasons == ["too_large"] * 4 + [None]
    assert [x.segments for x in out] == [3, 3, 3, 1, 2]
    assert out[0].detail == "more than 25 octets of user data"
    assert out[-1].data == b"fits"
    _check_no_byte_lost(r, out, b"".join(big + ok))


def test_short_continuation_segment_with_stripping():
    hdr = b"\x20\x03\x19\x00\x00\x00\x00"  # a 7-octet PUS TM header repeated in each segment
    r = Reassembler(strip_continuation=len(hdr))
    raw = [
        encode_packet(4, hdr + b"abc", seq_flags=F.FIRST),
        encode_packet(4, b"xy", seq_count=1, seq_flags=F.CONTINUATION),
    ]
    out = r.feed(raw) + r.close()
    assert [(x.reason, x.segments) for x in out] == [("short_segment", 2)]
    assert out[0].detail == "2 data octets, 7 to strip"
    _check_no_byte_lost(r, out, b"".join(raw))


def test_strip_continuation_removes_repeated_secondary_headers():
    hdr = b"\x20\x03\x19\x00\x00\x00\x00"
    source = bytes(range(200))
    raw = _segment(4, hdr + source, [57, 50, 50, 50], prefix=hdr)
    (kept,) = Reassembler().feed(raw)  # default: every octet of every data field is user data
    assert (
        kept.data
        == hdr + source[:50] + hdr + source[50:100] + hdr + source[100:150] + hdr + (source[150:])
    )
    r = Reassembler(strip_continuation=len(hdr))
    out = r.feed(raw)
    assert [u.data for u in out] == [hdr + source]
    _check_no_byte_lost(r, out, b"".join(raw))


def test_from_the_stream_decoder():
    units = [bytes([i]) * (40 + 13 * i) for i in range(6)]
    packets = []
    for i, u in enumerate(units):
        packets += _segment(200 + i % 2, u, [len(u) // 2, len(u) - len(u) // 2], seq0=2 * (i // 2))
    raw = b"".join(packets[:5]) + b"\xff\xfe junk" + b"".join(packets[5:])
    dec, r = StreamDecoder(), Reassembler()
    out = []
    for i in range(0, len(raw), 17):
        out += r.feed(dec.feed(raw[i : i + 17]))
    out += r.feed(dec.close()) + r.close()
    # without a dictionary the decoder cannot tell the packet before the junk from junk
    # (ground-telemetry.md, resynchronisation): unit 2 loses its first segment
    d = dec.summary()
    assert d["quarantine"] == {"garbage": len(packets[4]) + 7}
    assert [u.data for u in out if u.complete] == units[:2] + units[3:]
    (orphan,) = [x for x in out if not x.complete]
    assert (orphan.reason, orphan.packets) == ("no_first", (packets[5],))
    _check_no_byte_lost(r, out, d["bytes"]["packets"] + d["bytes"]["idle"])


def test_bad_input():
    with pytest.raises(ValueError, match="strip_continuation"):
        Reassembler(strip_continuation=-1)
    with pytest.raises(ValueError, match="max_unit_octets"):
        Reassembler(max_unit_octets=0)
    with pytest.raises(PacketError, match="exactly one packet"):
        Reassembler().feed(encode_packet(1, b"ab") + b"\x00")
    assert ground.Reassembler is Reassembler


@st.composite
def _units(draw):
    """Random payloads per APID, each cut into random segment sizes."""
    apids = draw(st.lists(st.integers(0, 0x7FE), min_size=1, max_size=4, unique=True))
    out = {}
    for apid in apids:
        seq = draw(st.integers(0, 16383))
        units = []
        for _ in range(draw(st.integers(1, 4))):
            payload = draw(st.binary(min_size=1, max_size=300))
            cuts = []
            if len(payload) > 1:
                cuts = sorted(draw(st.sets(st.integers(1, len(payload) - 1), max_size=6)))
            sizes = [b - a for a, b in zip([0, *cuts], [*cuts, len(payload)], strict=True)]
            units.append((payload, _segment(apid, payload, sizes, seq0=seq)))
            seq = (seq + len(sizes)) % 16384
        out[apid] = units
    return out, draw(st.randoms(use_true_random=False))


@settings(max_examples=60, deadline=None)
@given(_units())
def test_property_random_segmentation_interleaved(case):
    per_apid, rnd = case
    queues = {a: [p for _, pk in units for p in pk] for a, units in per_apid.items()}
    stream = []
    while queues:  # a random interleaving that keeps each APID's own order
        a = rnd.choice(sorted(queues))
        stream.append(queues[a].pop(0))
        if not queues[a]:
            del queues[a]
    r = Reassembler()
    out = r.feed(stream) + r.close()
    assert all(x.complete for x in out)
    for apid, units in per_apid.items():
        assert [u.data for u in out if u.apid == apid] == [p for p, _ in units]
    _check_no_byte_lost(r, out, b"".join(stream))


def test_random_losses_never_lose_a_byte():
    rnd = random.Random(7)
    stream = []
    for apid in (1, 2, 3):
        payload = bytes(rnd.randrange(256) for _ in range(400))
        stream += _segment(apid, payload, [40] * 10, seq0=16380)
    rnd.shuffle(stream)  # out of order: gaps, missing firsts and lasts everywhere
    kept = [p for p in stream if rnd.random() > 0.2]
    r = Reassembler(max_unit_octets=150)
    out = r.feed(kept) + r.close()
    _check_no_byte_lost(r, out, b"".join(kept))
    assert sum(x.segments for x in out) == len(kept)
    aside = Counter(p for x in out if not x.complete for p in x.packets)
    assert not aside - Counter(kept)  # kept aside exactly as received
    assert set(r.summary()["incomplete"]) <= {"no_first", "sequence_gap", "no_last", "too_large"}
