"""Space packets and PUS-C headers, cross-checked both ways against the spacepackets library."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacepackets.ccsds.spacepacket import PacketType as SpPacketType
from spacepackets.ccsds.spacepacket import SequenceFlags as SpSeqFlags
from spacepackets.ccsds.spacepacket import SpacePacketHeader
from spacepackets.ecss.tc import PusTc as SpPusTc
from spacepackets.ecss.tm import PusTm as SpPusTm

from ground.packets import (
    PacketError,
    PacketType,
    PrimaryHeader,
    SequenceFlags,
    decode_packet,
    decode_pus_tc,
    decode_pus_tm,
    encode_packet,
    encode_pus_tc,
    encode_pus_tm,
    idle_packet,
    split_packets,
)


@pytest.mark.parametrize(
    "header, hexbytes",
    [
        # ground-formats.md 1.3, verified with spacepackets 0.32
        (PrimaryHeader(apid=1, packet_type=PacketType.TC, data_len=0), "1001c0000000"),
        (PrimaryHeader(apid=0x123, sec_header_flag=True, seq_count=42, data_len=9), "0923c02a0009"),
        (PrimaryHeader(apid=0x7FF, seq_count=0x3FFF, data_len=0), "07ffffff0000"),
    ],
)
def test_header_vectors(header, hexbytes):
    assert header.pack().hex() == hexbytes
    assert PrimaryHeader.unpack(bytes.fromhex(hexbytes)) == header


def test_minimal_packet_vector():
    raw = encode_packet(11, b"hello")
    assert raw.hex() == "000bc00000046865" + "6c6c6f"
    pkt = decode_packet(raw + b"trailing")
    assert pkt.data == b"hello" and pkt.header.packet_len == 11


def test_pus_vectors():
    # ground-formats.md 5.3
    assert encode_pus_tc(1, 17, 1).hex() == "1801c00000062f11010000161d"
    assert encode_pus_tm(1, 17, 2).hex() == "0801c000000820110200000000" + "86d7"


headers = st.builds(
    dict,
    apid=st.integers(0, 0x7FF),
    tc=st.booleans(),
    sec=st.booleans(),
    flags=st.sampled_from(list(SequenceFlags)),
    seq=st.integers(0, 0x3FFF),
    data=st.binary(min_size=1, max_size=80),
)


@settings(max_examples=80, deadline=None)
@given(headers)
def test_kamo_and_spacepackets_agree_both_ways(h):
    ours = encode_packet(
        h["apid"],
        h["data"],
        packet_type=PacketType.TC if h["tc"] else PacketType.TM,
        seq_count=h["seq"],
        seq_flags=h["flags"],
        sec_header_flag=h["sec"],
    )
    theirs_hdr = SpacePacketHeader(
        packet_type=SpPacketType.TC if h["tc"] else SpPacketType.TM,
        apid=h["apid"],
        seq_count=h["seq"],
        data_len=len(h["data"]) - 1,
        sec_header_flag=h["sec"],
        seq_flags=SpSeqFlags(int(h["flags"])),
    )
    assert ours == theirs_hdr.pack() + h["data"]
    back = SpacePacketHeader.unpack(ours)
    mine = decode_packet(theirs_hdr.pack() + h["data"]).header
    assert (back.apid, back.seq_count, back.data_len, back.packet_len) == (
        mine.apid,
        mine.seq_count,
        mine.data_len,
        mine.packet_len,
    )
    assert int(back.seq_flags) == int(mine.seq_flags)
    assert back.sec_header_flag == mine.sec_header_flag


@settings(max_examples=50, deadline=None)
@given(
    apid=st.integers(0, 0x7FE),
    service=st.integers(0, 255),
    sub=st.integers(0, 255),
    seq=st.integers(0, 0x3FFF),
    counter=st.integers(0, 0xFFFF),
    dest=st.integers(0, 0xFFFF),
    time=st.binary(min_size=7, max_size=7),
    src=st.binary(max_size=40),
)
def test_pus_tm_both_ways(apid, service, sub, seq, counter, dest, time, src):
    theirs = SpPusTm(
        service=service,
        message_subtype=sub,
        timestamp=time,
        source_data=src,
        apid=apid,
        seq_count=seq,
        message_counter=counter,
        destination_id=dest,
    ).pack()
    ours = encode_pus_tm(
        apid,
        service,
        sub,
        src,
        time=time,
        seq_count=seq,
        message_counter=counter,
        destination_id=dest,
    )
    assert ours == theirs
    tm = decode_pus_tm(theirs, time_len=7)
    back = SpPusTm.unpack(ours, timestamp_len=7)
    assert (tm.apid, tm.service, tm.subservice, tm.sec.time, tm.source_data) == (
        back.apid,
        back.service,
        back.message_subtype,
        bytes(back.timestamp),
        bytes(back.source_data),
    )
    assert tm.sec.message_counter == back.pus_tm_sec_header.message_counter == counter


@settings(max_examples=40, deadline=None)
@given(
    apid=st.integers(0, 0x7FE),
    service=st.integers(0, 255),
    sub=st.integers(0, 255),
    seq=st.integers(0, 0x3FFF),
    source=st.integers(0, 0xFFFF),
    data=st.binary(max_size=40),
)
def test_pus_tc_both_ways(apid, service, sub, seq, source, data):
    theirs = SpPusTc(
        service=service,
        message_subtype=sub,
        apid=apid,
        app_data=data,
        seq_count=seq,
        source_id=source,
    ).pack()
    assert encode_pus_tc(apid, service, sub, data, seq_count=seq, source_id=source) == theirs
    tc = decode_pus_tc(theirs)
    assert (tc.apid, tc.service, tc.subservice, tc.source_id, tc.app_data, tc.ack_flags) == (
        apid,
        service,
        sub,
        source,
        data,
        0b1111,
    )


def test_idle_and_split():
    stream = encode_packet(5, b"ab", seq_count=1) + idle_packet(12) + encode_packet(6, b"c")
    pkts = split_packets(stream)
    assert [p.header.apid for p in pkts] == [5, 0x7FF, 6]
    assert pkts[1].header.is_idle and pkts[1].header.packet_len == 12
    assert "idle" in repr(pkts[1])


def test_bad_inputs_name_the_value():
    with pytest.raises(ValueError, match="apid must be in 0..2047, got 4096"):
        encode_packet(4096, b"x")
    with pytest.raises(ValueError, match="1..65536 octets, got 0"):
        encode_packet(1, b"")
    with pytest.raises(PacketError, match="declares 11 octets, only 8 remain"):
        decode_packet(encode_packet(11, b"hello")[:8])
    with pytest.raises(PacketError, match="needs 6 octets"):
        decode_packet(b"\x00\x01")
    bad = bytearray(encode_pus_tm(3, 3, 25, b"xyz", time=bytes(7)))
    bad[-4] ^= 0x01
    with pytest.raises(PacketError, match="fails its CRC"):
        decode_pus_tm(bytes(bad))
    with pytest.raises(ValueError, match="at least 7 octets"):
        idle_packet(3)
