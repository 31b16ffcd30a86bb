"""atheris (libFuzzer) harness for the stream decoder; run by test_ground_stream.py.

Each input picks a mode from its first octet (packets with the dictionary, packets
without one, or transfer frames) and decodes the rest. The property checked is the
accounting: every octet is decoded, idle or quarantined, exactly once. Any exception
escaping the decoder is a crash that libFuzzer reports.
"""

from __future__ import annotations

import sys

import atheris

import ground.bulk  # noqa: F401  (numba kernels: imported before instrumentation, left alone)
import ground.crc  # noqa: F401
from ground.dictionary import load_dictionary

with atheris.instrument_imports():
    from ground.frames import FrameConfig
    from ground.stream import decode_stream_bytes

DICT = load_dictionary()
FRAMES = FrameConfig(length=64)


def one_input(data: bytes) -> None:
    if not data:
        return
    mode, body = data[0] % 3, data[1:]
    if mode == 0:
        _, summary = decode_stream_bytes(body, DICT)
    elif mode == 1:
        _, summary = decode_stream_bytes(body, None)
    else:
        _, summary = decode_stream_bytes(body, DICT, frames=FRAMES)
    b = summary["bytes"]
    if not b["total"] == len(body) == b["packets"] + b["idle"] + b["quarantined"]:
        raise AssertionError(f"accounting broken for {len(body)} octets: {b}")


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
