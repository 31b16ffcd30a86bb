"""CRC-16/CCITT-FALSE: check values from the CRC catalogue and the PUS/frame residue rule."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ground.crc import CHECK_VALUE, append_crc, crc16, crc16_batch, crc16_bitwise, crc_ok


def test_check_value_from_catalogue():
    # CRC catalogue (Greg Cook), CRC-16/IBM-3740 a.k.a. CCITT-FALSE: check = 0x29B1
    assert CHECK_VALUE == 0x29B1
    assert crc16(b"123456789") == 0x29B1
    assert crc16(np.frombuffer(b"123456789" * 20, np.uint8)) == crc16_bitwise(b"123456789" * 20)
    assert crc16_bitwise(b"123456789") == 0x29B1


def test_empty_is_initial_value():
    assert crc16(b"") == 0xFFFF


def test_pus_vectors_from_spacepackets():
    # ground-formats.md 5.3: TC[17,1] and TM[17,2] with their CRCs 0x161D and 0x86D7
    tc = bytes.fromhex("1801c00000062f11010000161d")
    tm = bytes.fromhex("0801c000000820110200000000" + "86d7")
    assert crc16(tc[:-2]) == 0x161D and crc_ok(tc)
    assert crc16(tm[:-2]) == 0x86D7 and crc_ok(tm)


def test_fastcrc_catalogue_agrees():
    # fastcrc (Rust crc crate, the CRC spacepackets uses) names this algorithm ibm_3740
    from fastcrc import crc16 as fast

    data = bytes(range(256)) * 3
    assert crc16(data) == fast.ibm_3740(data)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300), st.binary(max_size=300))
def test_table_matches_bitwise_and_chains(a, b):
    assert crc16(a) == crc16_bitwise(a)
    assert crc16(a + b) == crc16(b, crc16(a))
    assert crc_ok(append_crc(a))


def test_batch_matches_single():
    rng = np.random.default_rng(5)
    buf = rng.integers(0, 256, 5000, dtype=np.uint8)
    offsets = rng.integers(0, 4000, 50)
    lengths = rng.integers(0, 1000, 50)
    got = crc16_batch(buf, offsets, lengths)
    want = [crc16_bitwise(bytes(buf[o : o + n])) for o, n in zip(offsets, lengths, strict=True)]
    assert got.tolist() == want


def test_bad_inputs():
    with pytest.raises(ValueError, match="outside the buffer"):
        crc16_batch(b"abc", [0], [10])
    with pytest.raises(ValueError, match="16-bit"):
        crc16(b"a", crc=70000)
    with pytest.raises(TypeError, match="uint8"):
        crc16(np.zeros(3, dtype=np.int32))
