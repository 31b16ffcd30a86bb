"""ground.crc: the binascii fast path agrees with the bit-at-a-time CRC for every input form."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ground.crc import crc16, crc16_batch, crc16_bitwise, crc_ok


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.integers(0, 0xFFFF))
def test_every_input_form_gives_the_reference_crc(data, init):
    ref = crc16_bitwise(data, init)
    assert crc16(data, init) == ref
    assert crc16(bytearray(data), init) == ref
    assert crc16(memoryview(data), init) == ref
    assert crc16(np.frombuffer(data, dtype=np.uint8), init) == ref


def test_long_arrays_strided_views_and_continuation():
    rng = np.random.default_rng(5)
    big = rng.integers(0, 256, 10_000, dtype=np.uint8)  # above the array fast-path size: numba
    raw = big.tobytes()
    assert crc16(big) == crc16(raw) == crc16_bitwise(raw)
    strided = memoryview(raw)[::3]  # not contiguous: copied first
    assert crc16(strided) == crc16_bitwise(raw[::3])
    half = len(raw) // 2
    assert crc16(raw[half:], crc16(raw[:half])) == crc16(raw)
    assert crc16(memoryview(np.arange(4, dtype=np.uint16))) == crc16_bitwise(
        np.arange(4, dtype=np.uint16).tobytes()
    )
    sealed = raw[:50] + crc16(raw[:50]).to_bytes(2, "big")
    assert crc_ok(sealed) and crc16_batch(sealed, [0], [52])[0] == 0
