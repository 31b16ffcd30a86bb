"""CRC-16/CCITT-FALSE (CRC-16/IBM-3740), the checksum of CCSDS frames and ECSS PUS packets.

Polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR. The check
value over ASCII ``"123456789"`` is 0x29B1, and the CRC over data followed by its
own big-endian CRC is 0 (the receive check used throughout kamo).

Three forms of the same function:

- :func:`crc16` for one buffer (bytes-like or uint8 array): bytes go through
  :func:`binascii.crc_hqx` (C; it is this very CRC when seeded with 0xFFFF),
  arrays through a numba table loop;
- :func:`crc16_batch` for many slices of one large buffer at once (numba);
- :func:`crc16_bitwise`, the textbook bit-at-a-time loop, kept as a test oracle.

>>> hex(crc16(b"123456789"))
'0x29b1'
"""

from __future__ import annotations

from binascii import crc_hqx

import numba
import numpy as np

POLY = 0x1021
INIT = 0xFFFF
CHECK_VALUE = 0x29B1


def _make_table() -> np.ndarray:
    table = np.zeros(256, dtype=np.uint16)
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ POLY) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
        table[byte] = crc
    return table


#: The 256-entry lookup table of the MSB-first CRC-16 with polynomial 0x1021.
CRC16_TABLE: np.ndarray = _make_table()


def crc16_bitwise(data: bytes, crc: int = INIT) -> int:
    """The bit-at-a-time reference CRC (slow; for tests and documentation)."""
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ POLY) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


@numba.njit(cache=True, nogil=True)
def _crc16_kernel(buf: np.ndarray, start: int, stop: int, crc: int, table: np.ndarray) -> int:
    for i in range(start, stop):
        crc = ((crc << 8) & 0xFFFF) ^ table[((crc >> 8) ^ buf[i]) & 0xFF]
    return crc


@numba.njit(cache=True, nogil=True)
def _crc16_batch_kernel(
    buf: np.ndarray, offsets: np.ndarray, lengths: np.ndarray, init: int, table: np.ndarray
) -> np.ndarray:
    out = np.empty(offsets.shape[0], dtype=np.uint16)
    for k in range(offsets.shape[0]):
        crc = init
        start = offsets[k]
        for i in range(start, start + lengths[k]):
            crc = ((crc << 8) & 0xFFFF) ^ table[((crc >> 8) ^ buf[i]) & 0xFF]
        out[k] = crc
    return out


def _as_u8(data) -> np.ndarray:
    if isinstance(data, np.ndarray):
        if data.dtype != np.uint8:
            raise TypeError(f"CRC input array must be uint8, got {data.dtype}")
        return np.ascontiguousarray(data).ravel()
    return np.frombuffer(bytes(data), dtype=np.uint8)


# Below this length a uint8 array is cheaper through bytes and crc_hqx than a numba call.
_SMALL = 4096


def crc16(data, crc: int = INIT) -> int:
    """CRC-16/CCITT-FALSE of ``data`` (bytes, bytearray, memoryview or uint8 array).

    ``crc`` continues a running CRC, so ``crc16(b, crc16(a)) == crc16(a + b)``.
    """
    if not 0 <= int(crc) <= 0xFFFF:
        raise ValueError(f"running CRC must be a 16-bit value 0..0xFFFF, got {crc!r}")
    if isinstance(data, (bytes, bytearray)):
        # binascii.crc_hqx is CRC-16/CCITT (poly 0x1021, MSB first, no final XOR) in C:
        # with the running value as its seed it is exactly this function, ~40x cheaper
        # than a numba dispatch for one 50-octet packet
        return crc_hqx(data, int(crc))
    if isinstance(data, memoryview):
        if data.contiguous and data.itemsize == 1:
            return crc_hqx(data, int(crc))
        data = data.tobytes()
        return crc_hqx(data, int(crc))
    if (
        isinstance(data, np.ndarray)
        and data.dtype == np.uint8
        and data.size <= _SMALL
        and data.flags.c_contiguous
    ):
        return crc_hqx(data.tobytes(), int(crc))
    buf = _as_u8(data)
    return int(_crc16_kernel(buf, 0, buf.shape[0], int(crc), CRC16_TABLE))


def crc16_batch(buf, offsets, lengths, init: int = INIT) -> np.ndarray:
    """CRC of every slice ``buf[offsets[k] : offsets[k] + lengths[k]]``, as a uint16 array.

    The bulk decoder checks the PUS Packet Error Control of millions of packets
    with one call.
    """
    arr = _as_u8(buf)
    off = np.asarray(offsets, dtype=np.int64)
    ln = np.asarray(lengths, dtype=np.int64)
    if off.shape != ln.shape:
        raise ValueError(
            f"offsets and lengths must have the same shape, got {off.shape} and {ln.shape}"
        )
    if off.size and (off.min() < 0 or (off + ln).max() > arr.shape[0] or ln.min() < 0):
        raise ValueError("a CRC slice runs outside the buffer; check offsets and lengths")
    return _crc16_batch_kernel(arr, off, ln, int(init), CRC16_TABLE)


def append_crc(data: bytes) -> bytes:
    """``data`` followed by its big-endian CRC-16 (as PUS packets and TM frames carry it)."""
    return bytes(data) + crc16(data).to_bytes(2, "big")


def crc_ok(data_with_crc) -> bool:
    """True when the last two octets are the CRC of the rest (the residue is zero)."""
    return len(data_with_crc) >= 2 and crc16(data_with_crc) == 0
