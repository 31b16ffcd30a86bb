"""Bulk decoder: cross-checked against space-packet-parser and spacepackets on the same bytes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import space_packet_parser as spp
from hypothesis import given, settings
from hypothesis import strategies as st
from spacepackets.ccsds.spacepacket import PacketType as SpPacketType
from spacepackets.ccsds.spacepacket import SpacePacketHeader

from ground.bulk import FramingTables, decode_bytes, extract_fields, frame_segments, seq_gaps
from ground.dictionary import (
    DEFAULT_DICTIONARY,
    FieldDef,
    PacketDef,
    ParameterDef,
    load_dictionary,
)

DICT = load_dictionary()


def _random_stream(n: int, seed: int = 0) -> tuple[bytes, list[dict]]:
    rng = np.random.default_rng(seed)
    packets, truth = [], []
    for i in range(n):
        pdef = DICT.packets[int(rng.integers(0, len(DICT.packets)))]
        values = {}
        for f in pdef.user_fields:
            p = f.parameter
            if p.kind == "float":
                values[f.name] = float(np.float32(rng.normal()))
            elif p.kind == "int":
                values[f.name] = int(rng.integers(-(2 ** (p.bits - 1)), 2 ** (p.bits - 1)))
            elif p.kind == "enum":
                values[f.name] = int(rng.choice([v for v, _ in p.enumeration]))
            else:
                values[f.name] = int(rng.integers(0, 2**p.bits))
        if pdef.name == "HK":
            values["OBC_TEMP"] = int(rng.integers(0, 4096))  # inside the calibration table
        packets.append(pdef.encode(values, seq_count=i % 16384, time_tai58=2.0e9 + i * 0.25))
        truth.append({"name": pdef.name, **values})
    return b"".join(packets), truth


def test_cross_check_with_space_packet_parser():
    raw, truth = _random_stream(300, seed=1)
    result = decode_bytes(raw, DICT)
    definition = spp.load_xtce(DEFAULT_DICTIONARY)
    counters = {name: 0 for name in result.type_index}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = [definition.parse_bytes(p) for p in spp.ccsds_generator(raw)]
    assert len(theirs) == len(truth) == result.headers["apid"].size
    for i, (pkt, want) in enumerate(zip(theirs, truth, strict=True)):
        name = want["name"]
        pdef = DICT.packet(name)
        row = counters[name]
        counters[name] += 1
        assert result.type_index[name][row] == i
        assert int(result.headers["apid"][i]) == pkt["PKT_APID"]
        assert int(result.headers["seq_count"][i]) == pkt["SRC_SEQ_CTR"]
        fields = result.by_type[name]
        assert int(fields["TIME_COARSE"][row]) == pkt["TIME_COARSE"]
        assert int(fields["TIME_FINE"][row]) == pkt["TIME_FINE"]
        for f in pdef.user_fields:
            p = f.parameter
            ours_raw = fields[f.name][row]
            theirs_raw = getattr(pkt[f.name], "raw_value", pkt[f.name])
            if p.kind == "float":
                assert np.float32(ours_raw) == np.float32(theirs_raw)
            else:
                assert int(ours_raw) == int(theirs_raw), f.name
            if p.calibration is not None:
                assert p.engineering(ours_raw) == pytest.approx(
                    float(pkt[f.name]), rel=1e-12, abs=1e-12
                )
            if p.kind == "enum":
                assert p.label(ours_raw) == pkt[f.name]


def test_spacepackets_built_packets_decode_identically():
    rng = np.random.default_rng(3)
    headers, raw = [], b""
    for _ in range(200):
        h = SpacePacketHeader(
            packet_type=SpPacketType(int(rng.integers(0, 2))),
            apid=int(rng.integers(0, 0x7FF)),
            seq_count=int(rng.integers(0, 0x4000)),
            data_len=int(rng.integers(0, 40)),
            sec_header_flag=bool(rng.integers(0, 2)),
        )
        headers.append(h)
        raw += h.pack() + bytes(h.data_len + 1)
    result = decode_bytes(raw, None)
    assert result.headers["apid"].size == 200
    for i, h in enumerate(headers):
        assert int(result.headers["apid"][i]) == h.apid
        assert int(result.headers["seq_count"][i]) == h.seq_count
        assert int(result.headers["length"][i]) == h.packet_len
        assert int(result.headers["packet_type"][i]) == int(h.packet_type)
        assert bool(result.headers["sec_header_flag"][i]) == h.sec_header_flag


@settings(max_examples=60, deadline=None)
@given(
    layout=st.lists(
        st.tuples(st.sampled_from(["uint", "int"]), st.integers(1, 64)), min_size=1, max_size=8
    ),
    seed=st.integers(0, 2**31),
)
def test_extraction_at_any_bit_position(layout, seed):
    rng = np.random.default_rng(seed)
    fields, offset = [], 48
    for j, (kind, bits) in enumerate(layout):
        fields.append(FieldDef(ParameterDef(f"P{j}", kind, bits), offset))
        offset += bits
    length = (offset + 7) // 8 + 1
    pdef = PacketDef("T", 1, None, None, tuple(fields), length)
    blobs, want = [], []
    for _ in range(5):
        acc, values = 0, []
        for f in fields:
            bits = f.parameter.bits
            word = (
                int(rng.integers(0, 2**bits, dtype=np.uint64))
                if bits < 64
                else int(rng.integers(0, 2**63)) * 2
            )
            acc = (acc << bits) | word
            if f.parameter.kind == "int" and word >> (bits - 1):
                word -= 1 << bits
            values.append(word)
        total = sum(f.parameter.bits for f in fields)
        body = (acc << (8 * (length - 6) - total)).to_bytes(length - 6, "big")
        blobs.append(bytes(6) + body)
        want.append(values)
    arr = np.frombuffer(b"".join(blobs), dtype=np.uint8)
    starts = np.arange(5, dtype=np.int64) * length
    got = extract_fields(arr, starts, pdef)
    for i in range(5):
        assert [int(got[f.name][i]) for f in fields] == want[i]


def test_bad_crc_length_mismatch_and_unknown_apid():
    hk = DICT.packet("HK")
    good = hk.encode({"BATT_V": 1}, seq_count=1)
    bad = bytearray(hk.encode({"BATT_V": 2}, seq_count=2))
    bad[20] ^= 0xFF
    stranger = bytes.fromhex("0065c003000a") + bytes(11)  # APID 101 but 17 octets, not ATT's 49
    unknown = bytes.fromhex("01f4c0000003") + b"abcd"  # APID 500, not in the dictionary
    raw = good + bytes(bad) + stranger + unknown + good
    result = decode_bytes(raw, DICT)
    s = result.summary()
    assert s["quarantine"] == {"bad_crc": len(bad), "length_mismatch": len(stranger)}
    assert s["packets"] == 3 and s["apids"]["500"] == {"packets": 1, "missing": 0}
    assert result.unknown_index.tolist() == [1]
    # without CRC checking the damaged packet is decoded
    assert decode_bytes(raw, DICT, verify_crc=False).summary()["packets"] == 4


def test_resync_lands_on_known_apids_only():
    hk = DICT.packet("HK")
    pk = [hk.encode({"BATT_V": i}, seq_count=i) for i in range(10)]
    # garbage that looks like a header of an unknown APID with a long length
    raw = b"".join(pk[:5]) + bytes.fromhex("000d5555") + b"".join(pk[5:])
    s = decode_bytes(raw, DICT).summary()
    assert s["packets"] == 10 and s["quarantine"] == {"garbage": 4}


def test_streaming_framer_waits_for_more_data():
    hk = DICT.packet("HK")
    raw = b"".join(hk.encode({}, seq_count=i) for i in range(3))
    arr = np.frombuffer(raw[:-5], dtype=np.uint8)
    starts, lengths, kinds, pos, _ = frame_segments(
        arr, FramingTables.from_dictionary(DICT), final=False
    )
    assert kinds.tolist() == [0, 0] and pos == 2 * hk.length


def test_seq_gaps_wrap_and_reset():
    apids = np.array([1, 1, 1, 1, 2, 2])
    seqs = np.array([16382, 16383, 1, 0, 5, 9])
    # 16383 -> 1 skips 0 (one missing); 1 -> 0 goes backwards (a reset, not 16383 losses)
    assert seq_gaps(apids, seqs) == {1: (4, 1), 2: (2, 3)}


def test_threaded_chunks_match_single_thread(monkeypatch):
    import ground.bulk as bulk

    raw, _ = _random_stream(500, seed=7)
    monkeypatch.setenv("KAMO_BULK_THREADS", "1")
    serial = decode_bytes(raw, DICT)
    monkeypatch.setenv("KAMO_BULK_THREADS", "3")
    monkeypatch.setattr(bulk, "PARALLEL_MIN_PACKETS", 10)
    threaded = decode_bytes(raw, DICT)
    for key, values in serial.headers.items():
        np.testing.assert_array_equal(threaded.headers[key], values)
    for name, fields in serial.by_type.items():
        for field_name, values in fields.items():
            np.testing.assert_array_equal(threaded.by_type[name][field_name], values)
