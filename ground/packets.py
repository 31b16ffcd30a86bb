"""CCSDS Space Packets (133.0-B-2) and the ECSS PUS-C secondary headers.

A space packet is a 6-octet primary header followed by a data field of 1 to
65 536 octets. The header says what the packet is (telemetry or telecommand,
APID), where it sits in its APID's sequence (flags and a 14-bit count) and how
long it is (``data_len`` = data-field octets minus one).

>>> raw = encode_packet(apid=11, data=b"hello")
>>> raw.hex(" ")
'00 0b c0 00 00 04 68 65 6c 6c 6f'
>>> decode_packet(raw).header.apid
11

PUS-C telemetry (:func:`encode_pus_tm` / :func:`decode_pus_tm`) puts a
7-octet header plus a time field (normally CUC, see :mod:`ground.cuc`) in front
of the source data and a CRC-16 Packet Error Control after it. PUS-C
telecommands (:func:`encode_pus_tc` / :func:`decode_pus_tc`) use a 5-octet
header. Everything here works on one packet at a time; :mod:`ground.bulk`
decodes millions of them at once.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum

from ground.crc import crc16

PRIMARY_HEADER_LEN = 6
IDLE_APID = 0x7FF
MAX_APID = 0x7FF
MAX_SEQ_COUNT = 0x3FFF
MAX_DATA_FIELD = 65536
PUS_VERSION_C = 2
PUS_TM_HEADER_LEN = 7  # without the time field
PUS_TC_HEADER_LEN = 5


class PacketType(IntEnum):
    """Packet type bit: 0 telemetry (report), 1 telecommand (request)."""

    TM = 0
    TC = 1


class SequenceFlags(IntEnum):
    """Where a packet sits in a segmented user data unit."""

    CONTINUATION = 0b00
    FIRST = 0b01
    LAST = 0b10
    UNSEGMENTED = 0b11


class PacketError(ValueError):
    """A buffer that is not a valid space packet (too short, inconsistent length, bad CRC)."""


def _check_range(name: str, value: int, low: int, high: int) -> int:
    value = int(value)
    if not low <= value <= high:
        raise ValueError(f"{name} must be in {low}..{high}, got {value}")
    return value


@dataclass(frozen=True)
class PrimaryHeader:
    """The six-octet CCSDS primary header; ``packet_len`` is the whole packet length."""

    apid: int
    packet_type: PacketType = PacketType.TM
    sec_header_flag: bool = False
    seq_flags: SequenceFlags = SequenceFlags.UNSEGMENTED
    seq_count: int = 0
    data_len: int = 0
    version: int = 0

    def __post_init__(self) -> None:
        _check_range("apid", self.apid, 0, MAX_APID)
        _check_range("seq_count", self.seq_count, 0, MAX_SEQ_COUNT)
        _check_range("data_len (data-field octets minus one)", self.data_len, 0, 0xFFFF)
        _check_range("packet version", self.version, 0, 7)
        object.__setattr__(self, "packet_type", PacketType(self.packet_type))
        object.__setattr__(self, "seq_flags", SequenceFlags(self.seq_flags))
        object.__setattr__(self, "sec_header_flag", bool(self.sec_header_flag))

    @property
    def packet_len(self) -> int:
        """Octets in the whole packet, header included: ``7 + data_len``."""
        return PRIMARY_HEADER_LEN + self.data_len + 1

    @property
    def is_idle(self) -> bool:
        return self.apid == IDLE_APID

    def pack(self) -> bytes:
        word0 = (
            (self.version << 13)
            | (int(self.packet_type) << 12)
            | (int(self.sec_header_flag) << 11)
            | self.apid
        )
        word1 = (int(self.seq_flags) << 14) | self.seq_count
        return struct.pack(">HHH", word0, word1, self.data_len)

    @classmethod
    def unpack(cls, buf: bytes) -> PrimaryHeader:
        if len(buf) < PRIMARY_HEADER_LEN:
            raise PacketError(
                f"a space packet header needs {PRIMARY_HEADER_LEN} octets, got {len(buf)}"
            )
        word0, word1, data_len = struct.unpack_from(">HHH", buf, 0)
        return cls(
            version=word0 >> 13,
            packet_type=PacketType((word0 >> 12) & 1),
            sec_header_flag=bool((word0 >> 11) & 1),
            apid=word0 & 0x7FF,
            seq_flags=SequenceFlags(word1 >> 14),
            seq_count=word1 & 0x3FFF,
            data_len=data_len,
        )


@dataclass(frozen=True)
class SpacePacket:
    """A decoded space packet: its header and the data field (secondary header + user data)."""

    header: PrimaryHeader
    data: bytes

    def pack(self) -> bytes:
        return self.header.pack() + self.data

    def __repr__(self) -> str:
        h = self.header
        kind = "idle" if h.is_idle else h.packet_type.name
        return (
            f"SpacePacket({kind}, apid={h.apid}, seq={h.seq_count}, "
            f"flags={h.seq_flags.name}, {len(self.data)} data octets)"
        )


def encode_packet(
    apid: int,
    data: bytes,
    *,
    packet_type: PacketType | int = PacketType.TM,
    seq_count: int = 0,
    seq_flags: SequenceFlags | int = SequenceFlags.UNSEGMENTED,
    sec_header_flag: bool = False,
) -> bytes:
    """Build one space packet around ``data`` (the whole data field, 1..65536 octets)."""
    data = bytes(data)
    if not 1 <= len(data) <= MAX_DATA_FIELD:
        raise ValueError(f"a packet data field holds 1..{MAX_DATA_FIELD} octets, got {len(data)}")
    header = PrimaryHeader(
        apid=apid,
        packet_type=packet_type,
        sec_header_flag=sec_header_flag,
        seq_flags=seq_flags,
        seq_count=seq_count,
        data_len=len(data) - 1,
    )
    return header.pack() + data


def decode_packet(buf: bytes, offset: int = 0) -> SpacePacket:
    """Decode the packet that starts at ``buf[offset]``; raises :class:`PacketError` if truncated.

    Octets after the packet are ignored (they belong to the next one).
    """
    header = PrimaryHeader.unpack(bytes(buf[offset : offset + PRIMARY_HEADER_LEN]))
    end = offset + header.packet_len
    if end > len(buf):
        raise PacketError(
            f"packet at offset {offset} declares {header.packet_len} octets, "
            f"only {len(buf) - offset} remain"
        )
    return SpacePacket(header, bytes(buf[offset + PRIMARY_HEADER_LEN : end]))


def idle_packet(length: int = 7, seq_count: int = 0, fill: int = 0x55) -> bytes:
    """An idle packet (APID 0x7FF, no secondary header) of ``length`` octets in total (>= 7)."""
    if length < 7:
        raise ValueError(f"an idle packet is at least 7 octets long, got {length}")
    return encode_packet(IDLE_APID, bytes([fill]) * (length - 6), seq_count=seq_count)


def split_packets(buf: bytes) -> list[SpacePacket]:
    """Split a buffer of back-to-back packets; raises :class:`PacketError` if the tail is torn.

    For streams with garbage or truncation use :class:`ground.stream.StreamDecoder`.
    """
    out, offset = [], 0
    while offset < len(buf):
        pkt = decode_packet(buf, offset)
        out.append(pkt)
        offset += pkt.header.packet_len
    return out


# --------------------------------------------------------------------------- PUS-C


@dataclass(frozen=True)
class PusTmHeader:
    """PUS-C telemetry secondary header (ECSS-E-ST-70-41C 7.4.3.2) with its raw time field."""

    service: int
    subservice: int
    message_counter: int = 0
    destination_id: int = 0
    time: bytes = b""
    time_ref_status: int = 0
    pus_version: int = PUS_VERSION_C

    def pack(self) -> bytes:
        _check_range("service", self.service, 0, 255)
        _check_range("subservice", self.subservice, 0, 255)
        _check_range("message_counter", self.message_counter, 0, 0xFFFF)
        _check_range("destination_id", self.destination_id, 0, 0xFFFF)
        _check_range("time_ref_status", self.time_ref_status, 0, 15)
        first = (self.pus_version << 4) | self.time_ref_status
        return struct.pack(
            ">BBBHH",
            first,
            self.service,
            self.subservice,
            self.message_counter,
            self.destination_id,
        ) + bytes(self.time)


@dataclass(frozen=True)
class PusTm:
    """A decoded PUS-C telemetry packet."""

    header: PrimaryHeader
    sec: PusTmHeader
    source_data: bytes
    crc: int | None

    @property
    def apid(self) -> int:
        return self.header.apid

    @property
    def service(self) -> int:
        return self.sec.service

    @property
    def subservice(self) -> int:
        return self.sec.subservice

    def __repr__(self) -> str:
        return (
            f"PusTm(TM[{self.sec.service},{self.sec.subservice}], apid={self.header.apid}, "
            f"seq={self.header.seq_count}, time={self.sec.time.hex()}, "
            f"{len(self.source_data)} source octets)"
        )


def encode_pus_tm(
    apid: int,
    service: int,
    subservice: int,
    source_data: bytes = b"",
    *,
    time: bytes = b"",
    seq_count: int = 0,
    message_counter: int = 0,
    destination_id: int = 0,
    time_ref_status: int = 0,
    with_crc: bool = True,
) -> bytes:
    """Build a PUS-C TM packet; ``time`` is the encoded time field (e.g. ``CucFormat().encode(t)``)."""
    sec = PusTmHeader(
        service=service,
        subservice=subservice,
        message_counter=message_counter,
        destination_id=destination_id,
        time=bytes(time),
        time_ref_status=time_ref_status,
    )
    body = sec.pack() + bytes(source_data)
    crc_len = 2 if with_crc else 0
    header = PrimaryHeader(
        apid=apid, sec_header_flag=True, seq_count=seq_count, data_len=len(body) + crc_len - 1
    )
    raw = header.pack() + body
    return raw + crc16(raw).to_bytes(2, "big") if with_crc else raw


def decode_pus_tm(buf: bytes, time_len: int = 7, *, with_crc: bool = True) -> PusTm:
    """Decode a PUS-C TM packet whose time field is ``time_len`` octets (7 = CUC 4+2 with P-field).

    Raises :class:`PacketError` when the packet is short, not telemetry, has no
    secondary header, or fails its CRC.
    """
    pkt = decode_packet(buf)
    h = pkt.header
    if h.packet_type != PacketType.TM or not h.sec_header_flag:
        raise PacketError(
            f"not a PUS TM packet (type={h.packet_type.name}, sec_header_flag={h.sec_header_flag})"
        )
    need = PUS_TM_HEADER_LEN + time_len + (2 if with_crc else 0)
    if len(pkt.data) < need:
        raise PacketError(
            f"PUS TM data field needs at least {need} octets with a {time_len}-octet time, "
            f"got {len(pkt.data)}"
        )
    crc = None
    if with_crc:
        raw = bytes(buf[: h.packet_len])
        if crc16(raw) != 0:
            raise PacketError(
                f"PUS TM packet APID {h.apid} seq {h.seq_count} fails its CRC "
                f"(carried 0x{int.from_bytes(raw[-2:], 'big'):04X}, computed 0x{crc16(raw[:-2]):04X})"
            )
        crc = int.from_bytes(raw[-2:], "big")
    d = pkt.data
    first, service, subservice, counter, dest = struct.unpack_from(">BBBHH", d, 0)
    sec = PusTmHeader(
        service=service,
        subservice=subservice,
        message_counter=counter,
        destination_id=dest,
        time=bytes(d[7 : 7 + time_len]),
        time_ref_status=first & 0xF,
        pus_version=first >> 4,
    )
    end = len(d) - (2 if with_crc else 0)
    return PusTm(h, sec, bytes(d[7 + time_len : end]), crc)


@dataclass(frozen=True)
class PusTc:
    """A decoded PUS-C telecommand packet."""

    header: PrimaryHeader
    service: int
    subservice: int
    source_id: int
    ack_flags: int
    app_data: bytes
    crc: int | None
    pus_version: int = PUS_VERSION_C

    @property
    def apid(self) -> int:
        return self.header.apid

    def __repr__(self) -> str:
        return (
            f"PusTc(TC[{self.service},{self.subservice}], apid={self.header.apid}, "
            f"seq={self.header.seq_count}, {len(self.app_data)} app-data octets)"
        )


def encode_pus_tc(
    apid: int,
    service: int,
    subservice: int,
    app_data: bytes = b"",
    *,
    seq_count: int = 0,
    source_id: int = 0,
    ack_flags: int = 0b1111,
    with_crc: bool = True,
) -> bytes:
    """Build a PUS-C TC packet (5-octet secondary header, application data, CRC)."""
    _check_range("service", service, 0, 255)
    _check_range("subservice", subservice, 0, 255)
    _check_range("source_id", source_id, 0, 0xFFFF)
    _check_range("ack_flags", ack_flags, 0, 15)
    body = struct.pack(">BBBH", (PUS_VERSION_C << 4) | ack_flags, service, subservice, source_id)
    body += bytes(app_data)
    crc_len = 2 if with_crc else 0
    header = PrimaryHeader(
        apid=apid,
        packet_type=PacketType.TC,
        sec_header_flag=True,
        seq_count=seq_count,
        data_len=len(body) + crc_len - 1,
    )
    raw = header.pack() + body
    return raw + crc16(raw).to_bytes(2, "big") if with_crc else raw


def decode_pus_tc(buf: bytes, *, with_crc: bool = True) -> PusTc:
    """Decode a PUS-C TC packet; raises :class:`PacketError` on a short packet or a bad CRC."""
    pkt = decode_packet(buf)
    h = pkt.header
    if h.packet_type != PacketType.TC or not h.sec_header_flag:
        raise PacketError(
            f"not a PUS TC packet (type={h.packet_type.name}, sec_header_flag={h.sec_header_flag})"
        )
    need = PUS_TC_HEADER_LEN + (2 if with_crc else 0)
    if len(pkt.data) < need:
        raise PacketError(f"PUS TC data field needs at least {need} octets, got {len(pkt.data)}")
    crc = None
    if with_crc:
        raw = bytes(buf[: h.packet_len])
        if crc16(raw) != 0:
            raise PacketError(f"PUS TC packet APID {h.apid} seq {h.seq_count} fails its CRC")
        crc = int.from_bytes(raw[-2:], "big")
    d = pkt.data
    first, service, subservice, source_id = struct.unpack_from(">BBBH", d, 0)
    end = len(d) - (2 if with_crc else 0)
    return PusTc(
        header=h,
        service=service,
        subservice=subservice,
        source_id=source_id,
        ack_flags=first & 0xF,
        app_data=bytes(d[5:end]),
        crc=crc,
        pus_version=first >> 4,
    )
