"""Streaming decoder: chunking does not matter, every byte is accounted for, gaps are counted."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ground.dictionary import load_dictionary
from ground.frames import FrameConfig, FrameWriter
from ground.packets import encode_packet, idle_packet
from ground.stream import StreamDecoder, decode_stream_bytes

DICT = load_dictionary()
HK, ATT = DICT.packet("HK"), DICT.packet("ATT")
T0 = 2.08e9


def _stream(n=60, skip=()):
    out = []
    for i in range(n):
        out.append(HK.encode({"BATT_V": 28000 + i}, seq_count=i, time_tai58=T0 + i))
        if i not in skip:
            out.append(ATT.encode({"RATE_X": 0.001}, seq_count=i, time_tai58=T0 + i))
        if i % 25 == 0:
            out.append(idle_packet(13))
    return out


def _check_accounting(summary, total):
    b = summary["bytes"]
    assert b["total"] == total
    assert b["packets"] + b["idle"] + b["quarantined"] == total
    assert sum(summary["quarantine"].values()) == b["quarantined"]


def test_clean_stream_any_chunking():
    raw = b"".join(_stream())
    whole, summary = decode_stream_bytes(raw, DICT)
    for size in (1, 7, 64, 1000):
        dec = StreamDecoder(DICT)
        segs = []
        for i in range(0, len(raw), size):
            segs += dec.feed(raw[i : i + size])
        segs += dec.close()
        assert b"".join(s.data for s in segs) == raw
        assert dec.summary() == summary
    assert summary["packets"] == 120 and summary["idle_packets"] == 3
    assert summary["quarantine"] == {}


def test_gaps_garbage_truncation_and_bad_crc():
    pk = _stream(skip=(10, 11, 12))
    bad = bytearray(pk[40])
    bad[25] ^= 0x40  # flips a parameter bit: the PUS CRC catches it
    pk[40] = bytes(bad)
    raw = b"\xde\xad\xbe\xef\x00" + b"".join(pk[:30]) + b"garbage!" + b"".join(pk[30:]) + pk[0][:20]
    result, summary = decode_stream_bytes(raw, DICT)
    _check_accounting(summary, len(raw))
    assert summary["quarantine"]["garbage"] == 5 + 8
    assert summary["quarantine"]["truncated"] == 20
    assert summary["quarantine"]["bad_crc"] == len(bad)
    assert summary["apids"]["101"]["missing"] == 3
    assert summary["apids"]["100"]["missing"] == 1  # the packet lost to its CRC
    assert summary["packets"] == len(pk) - 1 - 3  # minus the bad one and the idles
    # every segment is either decoded or quarantined, never both
    dec = StreamDecoder(DICT)
    segs = dec.feed(raw) + dec.close()
    assert sum(len(s.data) for s in segs) == len(raw)
    assert {s.reason for s in segs if s.kind == "quarantine"} == {"garbage", "truncated", "bad_crc"}


def test_header_level_without_dictionary():
    raw = b"".join(
        encode_packet(a, b"x" * 10, seq_count=s) for a, s in [(3, 0), (3, 1), (9, 5), (3, 4)]
    )
    _, summary = decode_stream_bytes(raw, None)
    assert summary["apids"] == {
        "3": {"packets": 3, "missing": 2},
        "9": {"packets": 1, "missing": 0},
    }


def test_frames_with_a_lost_frame():
    cfg = FrameConfig(length=150)
    w = FrameWriter(scid=0x2A5, config=cfg)
    pk = _stream()
    raw = w.write(pk, vcid=1) + w.flush(1)
    span = 4 + 150
    lost = raw[: span * 5] + raw[span * 6 :]  # frame 5 never arrived
    _, clean = decode_stream_bytes(raw, DICT, frames=cfg)
    _check_accounting(clean, len(raw))
    assert clean["packets"] == 120 and clean["quarantine"] == {}
    _, summary = decode_stream_bytes(lost, DICT, frames=cfg)
    _check_accounting(summary, len(lost))
    assert {"frame_gap", "orphan_continuation"} <= set(summary["quarantine"])
    lost_packets = 120 - summary["packets"]
    missing = sum(v["missing"] for v in summary["apids"].values())
    assert missing == lost_packets > 0
    # streaming in odd chunks gives the same answer
    dec = StreamDecoder(DICT, frames=cfg)
    for i in range(0, len(lost), 97):
        dec.feed(lost[i : i + 97])
    dec.close()
    assert {k: v for k, v in dec.summary().items() if k != "frames"} == {
        k: v for k, v in summary.items() if k != "frames"
    }


def test_closed_decoder_refuses_input():
    dec = StreamDecoder()
    dec.close()
    with pytest.raises(ValueError, match="closed"):
        dec.feed(b"x")


CLEAN = b"".join(_stream(30))


def _mutate(data: bytes, seed: int, n: int) -> bytes:
    rnd = random.Random(seed)
    b = bytearray(data)
    for _ in range(n):
        op = rnd.randrange(4)
        pos = rnd.randrange(len(b)) if b else 0
        if op == 0 and b:
            b[pos] ^= 1 << rnd.randrange(8)
        elif op == 1:
            b[pos:pos] = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 20)))
        elif op == 2 and b:
            del b[pos : pos + rnd.randrange(1, 30)]
        else:
            b = b[: max(0, len(b) - rnd.randrange(1, 50))]
    return bytes(b)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=600), use_dict=st.booleans())
def test_fuzz_random_bytes(data, use_dict):
    d = DICT if use_dict else None
    _, summary = decode_stream_bytes(data, d)
    _check_accounting(summary, len(data))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 8), chunk=st.integers(1, 500))
def test_fuzz_mutated_packet_streams(seed, n, chunk):
    data = _mutate(CLEAN, seed, n)
    _, summary = decode_stream_bytes(data, DICT)
    _check_accounting(summary, len(data))
    dec = StreamDecoder(DICT)
    segs = []
    for i in range(0, len(data), chunk):
        segs += dec.feed(data[i : i + chunk])
    segs += dec.close()
    assert b"".join(s.data for s in segs) == data


FRAME_CFG = FrameConfig(length=120)
_W = FrameWriter(scid=7, config=FRAME_CFG)
FRAMED = _W.write(_stream(30), vcid=0) + _W.idle_frame() + _W.flush(0)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 6), chunk=st.integers(1, 400))
def test_fuzz_mutated_frame_streams(seed, n, chunk):
    data = _mutate(FRAMED, seed, n)
    _, summary = decode_stream_bytes(data, DICT, frames=FRAME_CFG)
    _check_accounting(summary, len(data))
    dec = StreamDecoder(DICT, frames=FRAME_CFG)
    for i in range(0, len(data), chunk):
        dec.feed(data[i : i + chunk])
    dec.close()
    _check_accounting(dec.summary(), len(data))


@pytest.mark.slow
def test_atheris_fuzz_stream_decoder(tmp_path):
    """libFuzzer-driven mutation of valid packet and frame streams (atheris harness)."""
    pytest.importorskip("atheris")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "packets").write_bytes(b"\x00" + CLEAN[:2000])
    (corpus / "headers").write_bytes(b"\x01" + CLEAN[:2000])
    (corpus / "frames").write_bytes(b"\x02" + FRAMED[:1500])
    harness = Path(__file__).with_name("atheris_stream_harness.py")
    r = subprocess.run(
        [sys.executable, str(harness), "-runs=1000", "-max_len=2100", "-seed=11", str(corpus)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    assert "Done 1000 runs" in r.stderr
