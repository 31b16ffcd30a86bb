"""The SIL wire protocol: CCSDS space packets over one TCP connection, in lock step.

Every packet on the link is a CCSDS space packet (133.0-B-2). Simulation,
sensor, actuator and flight-software telemetry packets share one layout, a
PUS-C telemetry packet with a CUC 4+2 time field (no P-field) and a CRC-16::

    primary header (6) | PUS-C TM header (7) | CUC coarse u32, fine u16 (6) | payload | CRC-16 (2)

Ground telecommands are authenticated PUS-C TCs (:func:`ground.auth.seal_tc`).
All numbers are big-endian; floats are IEEE-754 binary64, so values cross the
link bit for bit. ``docs/sil-protocol.md`` is the reference for other languages.

Lock step: the plant sends the step's packets followed by ``SIM_STEP``; the
flight software answers with its packets followed by ``SIM_STEP_DONE`` for the
same step. ``SIM_END`` closes the run.

The layouts are table-driven (:data:`PACKETS`): each :class:`PacketType` names its
APID, PUS service/subtype and its fixed payload fields with units, and the same
table builds encoders, decoders, the xarray datasets and the documentation.
"""

from __future__ import annotations

import struct
from binascii import crc_hqx
from dataclasses import dataclass, field

#: Protocol version carried in ``SIM_HELLO``.
PROTOCOL_VERSION = 1
#: Simulation time 0 is 2026-07-01T00:00:00 TAI: CUC coarse time = EPOCH_TAI58 + whole seconds.
EPOCH_TAI58 = 2_161_555_200
EPOCH_ISO_TAI = "2026-07-01T00:00:00"
#: The epoch as UTC nanoseconds since 1970 (TAI - UTC = 37 s in 2026), for archive record times.
EPOCH_UNIX_NS = (EPOCH_TAI58 - 378_691_200 - 37) * 1_000_000_000
#: The SIL development mission key (key id 1) used when no key file is given. Never fly it.
DEFAULT_KEY = bytes.fromhex("6b616d6f2053494c20646576656c6f706d656e74206b6579202d20746573742e")

PRIMARY = struct.Struct(">HHH")
#: PUS-C TM secondary header + CUC 4+2 time: version/time-ref, service, subtype, counter, destination, coarse, fine.
TM_SEC = struct.Struct(">BBBHHIH")
TM_PREFIX_LEN = PRIMARY.size + TM_SEC.size  # 19
CRC_LEN = 2
PUS_C = 0x20  # PUS version 2 in the high nibble, time reference status 0

_U16 = struct.Struct(">H")
_crc_bytes = _U16.pack  # a CRC value as its two big-endian octets

# APIDs -------------------------------------------------------------------------------
APID_SIM_HELLO = 0x010
APID_SIM_STEP = 0x011
APID_SIM_STEP_DONE = 0x012
APID_SIM_END = 0x013
SIM_APIDS = frozenset({APID_SIM_HELLO, APID_SIM_STEP, APID_SIM_STEP_DONE, APID_SIM_END})
#: The flight software's own telemetry (HK, events, status, PUS ST[01] verification).
APID_FSW_TM = 0x060
#: Ground telecommands addressed to the flight software.
APID_FSW_TC = 0x100

SERVICE_SIM = 128
SERVICE_SENSOR = 130
SERVICE_ACTUATOR = 131
SERVICE_FSW_STATUS = 140
TC_SERVICE_GROUND = 210
TC_GOAL, TC_ADVISORY, TC_TIME_TAGGED = 1, 2, 3

END_REASONS = ("duration", "fsw_done", "collision", "max_steps")
NAV_SOURCES = ("altimeter+camera", "camera", "propagated")
SAMPLER_ACTIONS = ("arm", "fire", "stow")
GROUND_ACTIONS = ("hold", "resume", "abort", "safe")
STATUS_CODES = {None: 0, "sampled": 1, "aborted": 2, "postponed": 3}
STATUS_NAMES = {v: k for k, v in STATUS_CODES.items()}
#: Executive modes in code order (``autonomy.modes.Mode`` values).
MODES = (
    "approach",
    "survey",
    "home",
    "site_selection",
    "rehearsal",
    "tag_descent",
    "contact",
    "back_away",
    "sample_verification",
    "departure",
    "safe",
    "done",
)
MODE_CODES = {m: i for i, m in enumerate(MODES)}


class ProtocolError(ValueError):
    """A packet that does not follow the SIL protocol (names the APID and the problem)."""


@dataclass(frozen=True)
class PacketType:
    """One fixed-layout packet type: APID, PUS service/subtype and payload fields.

    ``fields`` are ``(name, struct code, units, long name)``; codes are ``d``
    (float64), ``B``/``H``/``I`` (unsigned 8/16/32 bits) and ``Ns`` (N octets of
    NUL-padded UTF-8).
    """

    name: str
    apid: int
    service: int
    subservice: int
    direction: str  # "to_fsw", "from_fsw", "control"
    fields: tuple[tuple[str, str, str, str], ...]
    description: str = ""
    payload: struct.Struct = field(init=False, repr=False)
    #: Primary header, PUS-C TM header, CUC time and payload as one precompiled layout (no CRC).
    packet: struct.Struct = field(init=False, repr=False, compare=False)
    _length: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        codes = "".join(f[1] for f in self.fields)
        object.__setattr__(self, "payload", struct.Struct(">" + codes))
        object.__setattr__(self, "packet", struct.Struct(">HHHBBBHHIH" + codes))
        object.__setattr__(self, "_length", TM_PREFIX_LEN + self.payload.size + CRC_LEN)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f[0] for f in self.fields)

    @property
    def length(self) -> int:
        """Octets in the whole packet."""
        return self._length


def _vec(prefix: str, units: str, what: str, axes="xyz") -> list[tuple[str, str, str, str]]:
    return [(f"{prefix}_{a}", "d", units, f"{what}, {a}") for a in axes]


_PT = PacketType
PACKETS: tuple[PacketType, ...] = (
    # simulation control (never faulted)
    _PT(
        "sim_hello",
        APID_SIM_HELLO,
        SERVICE_SIM,
        1,
        "control",
        (
            ("version", "H", "1", "protocol version"),
            ("n_thrusters", "H", "1", "thrusters"),
            ("epoch_tai58", "I", "s", "TAI seconds since 1958 at simulation time 0"),
            ("scenario", "32s", "", "scenario name"),
        ),
        "first packet after connect",
    ),
    _PT(
        "sim_step",
        APID_SIM_STEP,
        SERVICE_SIM,
        2,
        "control",
        (
            ("step", "I", "1", "step index"),
            ("t", "d", "s", "simulation time"),
            ("flags", "H", "1", "bit 0: first step"),
            ("n_packets", "H", "1", "data packets before this one"),
            ("deadline_ms", "I", "ms", "answer deadline (wall clock)"),
        ),
        "closes the plant's batch: compute step `step` at time `t`",
    ),
    _PT(
        "sim_step_done",
        APID_SIM_STEP_DONE,
        SERVICE_SIM,
        3,
        "control",
        (
            ("step", "I", "1", "step index answered"),
            ("t", "d", "s", "simulation time answered"),
            ("n_packets", "H", "1", "data packets before this one"),
            ("mode", "B", "1", "executive mode code"),
            ("status", "B", "1", "0 none, 1 sampled, 2 aborted, 3 postponed"),
        ),
        "closes the flight software's answer",
    ),
    _PT(
        "sim_end",
        APID_SIM_END,
        SERVICE_SIM,
        4,
        "control",
        (
            ("step", "I", "1", "last step"),
            ("t", "d", "s", "simulation time"),
            ("reason", "B", "1", "0 duration, 1 fsw_done, 2 collision, 3 max_steps"),
        ),
        "the run is over: close the connection",
    ),
    # sensors: plant -> flight software
    _PT(
        "nav",
        0x020,
        SERVICE_SENSOR,
        1,
        "to_fsw",
        tuple(
            _vec("r", "m", "position, body-fixed")
            + _vec("v", "m/s", "velocity, body-fixed")
            + _vec("sigma_r", "m", "position 1-sigma")
            + _vec("sigma_v", "m/s", "velocity 1-sigma")
        )
        + (("source", "B", "1", "0 altimeter+camera, 1 camera, 2 propagated"),),
        "navigation solution",
    ),
    _PT(
        "altimeter",
        0x021,
        SERVICE_SENSOR,
        2,
        "to_fsw",
        (
            ("valid", "B", "1", "1 if a return was received"),
            ("range", "d", "m", "slant range along -z"),
        ),
        "laser altimeter",
    ),
    _PT(
        "attitude",
        0x022,
        SERVICE_SENSOR,
        3,
        "to_fsw",
        (
            ("star_tracker_valid", "B", "1", "star tracker valid"),
            ("pointing_error", "d", "rad", "pointing error against the command"),
        ),
        "attitude determination",
    ),
    _PT(
        "imu",
        0x023,
        SERVICE_SENSOR,
        4,
        "to_fsw",
        tuple(_vec("accel", "m/s2", "specific force, spacecraft frame")),
        "accelerometer",
    ),
    _PT(
        "thruster_tm",
        0x024,
        SERVICE_SENSOR,
        5,
        "to_fsw",
        (("firing", "H", "1", "bit i: thruster i produced thrust last cycle"),),
        "chamber-pressure flags",
    ),
    _PT(
        "power",
        0x025,
        SERVICE_SENSOR,
        6,
        "to_fsw",
        (("battery_soc", "d", "1", "battery state of charge"), ("sunlit", "B", "1", "arrays lit")),
        "power",
    ),
    _PT(
        "propellant",
        0x026,
        SERVICE_SENSOR,
        7,
        "to_fsw",
        (("propellant", "d", "kg", "propellant left"),),
        "tank gauge",
    ),
    _PT(
        "data",
        0x027,
        SERVICE_SENSOR,
        8,
        "to_fsw",
        (
            ("stored", "d", "Mbit", "mass memory in use"),
            ("capacity", "d", "Mbit", "mass memory capacity"),
        ),
        "mass memory",
    ),
    _PT(
        "comm",
        0x028,
        SERVICE_SENSOR,
        9,
        "to_fsw",
        (("link_up", "B", "1", "ground link up"),),
        "comm status",
    ),
    _PT(
        "contact",
        0x029,
        SERVICE_SENSOR,
        10,
        "to_fsw",
        (("in_contact", "B", "1", "sampler horn touches the surface"),),
        "contact switch",
    ),
    _PT(
        "sample",
        0x02A,
        SERVICE_SENSOR,
        11,
        "to_fsw",
        (
            ("mechanism_ok", "B", "1", "mechanism healthy"),
            ("mass_valid", "B", "1", "sample mass measured"),
            ("sample_mass", "d", "g", "sample mass"),
            ("message", "48s", "", "mechanism message"),
        ),
        "sampling mechanism",
    ),
    _PT(
        "hazard_site",
        0x02B,
        SERVICE_SENSOR,
        12,
        "to_fsw",
        (
            ("product_t", "d", "s", "time of the hazard-map product"),
            ("index", "B", "1", "site index"),
            ("count", "B", "1", "sites in the product"),
            ("site", "16s", "", "site name"),
        )
        + tuple(
            _vec("position", "m", "site centre, body-fixed") + _vec("normal", "1", "surface normal")
        )
        + (
            ("slope", "d", "deg", "slope"),
            ("roughness", "d", "m", "roughness"),
            ("max_boulder", "d", "m", "largest boulder"),
            ("safe_radius", "d", "m", "hazard-free radius"),
        ),
        "one site of an onboard hazard-map product",
    ),
    # actuators: flight software -> plant
    _PT(
        "thruster_cmd",
        0x040,
        SERVICE_ACTUATOR,
        1,
        "from_fsw",
        tuple((f"duty_{i:02d}", "d", "1", f"duty cycle of thruster {i}") for i in range(12))
        + (("duration", "d", "s", "hold time"),),
        "thruster duty cycles",
    ),
    _PT(
        "attitude_cmd",
        0x041,
        SERVICE_ACTUATOR,
        2,
        "from_fsw",
        tuple(
            (f"q{i}", "d", "1", f"quaternion body-from-spacecraft, component {i} (scalar first)")
            for i in range(4)
        )
        + (("target", "16s", "", "pointing name"),),
        "attitude command",
    ),
    _PT(
        "sampler_cmd",
        0x042,
        SERVICE_ACTUATOR,
        3,
        "from_fsw",
        (("action", "B", "1", "0 arm, 1 fire, 2 stow"),),
        "sampling mechanism command",
    ),
    _PT(
        "isolation_cmd",
        0x043,
        SERVICE_ACTUATOR,
        4,
        "from_fsw",
        (
            ("thruster", "B", "1", "thruster index"),
            ("enable", "B", "1", "1 open, 0 close latch valve"),
            ("reason", "32s", "", "reason"),
        ),
        "thruster latch valve",
    ),
    _PT(
        "navmode_cmd",
        0x044,
        SERVICE_ACTUATOR,
        5,
        "from_fsw",
        (("mode", "B", "1", "0 altimeter+camera, 1 camera"),),
        "navigation sensor set",
    ),
    _PT(
        "imaging_cmd",
        0x045,
        SERVICE_ACTUATOR,
        6,
        "from_fsw",
        (("on", "B", "1", "imaging on"), ("rate", "d", "Mbit/s", "imaging data rate")),
        "imaging",
    ),
    _PT(
        "cadence",
        0x046,
        SERVICE_ACTUATOR,
        7,
        "from_fsw",
        (("period", "d", "s", "time to the next step"),),
        "step cadence requested by the executive",
    ),
    # flight-software housekeeping: flight software -> ground
    _PT(
        "hk",
        APID_FSW_TM,
        3,
        25,
        "from_fsw",
        (
            ("mode", "B", "1", "executive mode code"),
            ("status", "B", "1", "0 none, 1 sampled, 2 aborted, 3 postponed"),
            ("replans", "H", "1", "guidance re-plans"),
            ("replan_failures", "H", "1", "failed re-plans"),
            ("log_entries", "I", "1", "event-log entries"),
            ("tc_accepted", "H", "1", "telecommands accepted"),
            ("tc_rejected", "H", "1", "telecommands rejected"),
            ("crc_errors", "H", "1", "packets dropped on CRC"),
            ("packets_rx", "I", "1", "packets received"),
        ),
        "flight-software housekeeping, once per step",
    ),
)
BY_NAME: dict[str, PacketType] = {p.name: p for p in PACKETS}
BY_KEY: dict[tuple[int, int, int], PacketType] = {
    (p.apid, p.service, p.subservice): p for p in PACKETS
}
BY_APID: dict[int, PacketType] = {p.apid: p for p in PACKETS if p.apid != APID_FSW_TM}

#: Variable-length flight-software packets on APID_FSW_TM (not in :data:`PACKETS`).
EVENT_SERVICE, EVENT_SUBTYPE = 5, 1  # decision-log entry
STATUS_SUBTYPE = 1  # ST[140,1]: status + reason text
VERIFICATION_SERVICE = 1


# ------------------------------------------------------------------------- encode/decode
def cuc(t: float) -> tuple[int, int]:
    """CUC 4+2 (coarse, fine) of simulation time ``t`` (s) on the SIL epoch."""
    whole = int(t // 1.0)
    fine = int((t - whole) * 65536.0)
    return EPOCH_TAI58 + whole, min(fine, 0xFFFF)


def time_field(t: float) -> bytes:
    """The 6-octet CUC T-field of ``t`` (what ``OnboardVerifier.verify(time=...)`` wants)."""
    return struct.pack(">IH", *cuc(t))


def tm_packet(
    apid: int, service: int, subservice: int, seq: int, coarse: int, fine: int, payload: bytes
) -> bytes:
    """One SIL TM packet (header, PUS-C TM header, CUC time, ``payload``, CRC)."""
    body = TM_SEC.pack(PUS_C, service, subservice, 0, 0, coarse, fine) + payload
    raw = PRIMARY.pack(0x0800 | apid, 0xC000 | (seq & 0x3FFF), len(body) + 1) + body
    return raw + _crc_bytes(crc_hqx(raw, 0xFFFF))


def encode(ptype: PacketType, seq: int, coarse: int, fine: int, values) -> bytes:
    """A fixed-layout packet of ``ptype`` with field ``values`` in table order.

    The same octets as :func:`tm_packet` with the packed payload, built with one
    precompiled ``struct`` call (the hot path of every cycle).
    """
    raw = ptype.packet.pack(
        0x0800 | ptype.apid,
        0xC000 | (seq & 0x3FFF),
        ptype._length - 7,
        PUS_C,
        ptype.service,
        ptype.subservice,
        0,
        0,
        coarse,
        fine,
        *values,
    )
    return raw + _crc_bytes(crc_hqx(raw, 0xFFFF))


def crc_ok(pkt) -> bool:
    """True when the CRC-16 over the whole packet (CRC included) leaves residue zero."""
    return crc_hqx(pkt, 0xFFFF) == 0


def packet_key(pkt) -> tuple[int, int, int, bool]:
    """(APID, service, subtype, is_tc) of a packet with a PUS-C secondary header."""
    w0 = (pkt[0] << 8) | pkt[1]
    is_tc = bool(w0 & 0x1000)
    return w0 & 0x7FF, pkt[7], pkt[8], is_tc


def decode(ptype: PacketType, pkt) -> tuple:
    """Field values of a fixed-layout packet (CRC not checked here)."""
    if len(pkt) != ptype._length:
        raise ProtocolError(
            f"{ptype.name} packet (APID 0x{ptype.apid:03X}) must be {ptype.length} octets, got {len(pkt)}"
        )
    return ptype.payload.unpack_from(pkt, TM_PREFIX_LEN)


def packet_time(pkt) -> float:
    """Simulation time of a SIL TM packet from its CUC field (15 us resolution)."""
    coarse, fine = struct.unpack_from(">IH", pkt, 13)
    return (coarse - EPOCH_TAI58) + fine / 65536.0


def text(value: str, n: int) -> bytes:
    return value.encode("utf-8")[:n]


def untext(raw: bytes) -> str:
    return raw.rstrip(b"\0").decode("utf-8", "replace")


def _lp(value: str) -> bytes:
    b = value.encode("utf-8")[:0xFFFF]
    return struct.pack(">H", len(b)) + b


def _unlp(buf, pos: int) -> tuple[str, int]:
    (n,) = struct.unpack_from(">H", buf, pos)
    return bytes(buf[pos + 2 : pos + 2 + n]).decode("utf-8", "replace"), pos + 2 + n


def event_payload(t: float, mode: str, decision: str, reason: str, numbers: dict) -> bytes:
    """ST[5,1] payload: t f64, three length-prefixed strings, then ``n`` (name, kind, value) numbers."""
    out = [
        struct.pack(">d", t),
        _lp(mode),
        _lp(decision),
        _lp(reason),
        struct.pack(">B", min(len(numbers), 255)),
    ]
    for k, v in list(numbers.items())[:255]:
        name = k.encode("utf-8")[:255]
        out.append(
            struct.pack(">B", len(name))
            + name
            + struct.pack(">Bd", 1 if isinstance(v, bool) else 0, float(v))
        )
    return b"".join(out)


def parse_event(pkt) -> tuple[float, str, str, str, dict]:
    pos = TM_PREFIX_LEN
    (t,) = struct.unpack_from(">d", pkt, pos)
    mode, pos = _unlp(pkt, pos + 8)
    decision, pos = _unlp(pkt, pos)
    reason, pos = _unlp(pkt, pos)
    n = pkt[pos]
    pos += 1
    numbers: dict = {}
    for _ in range(n):
        ln = pkt[pos]
        name = bytes(pkt[pos + 1 : pos + 1 + ln]).decode("utf-8", "replace")
        kind, value = struct.unpack_from(">Bd", pkt, pos + 1 + ln)
        numbers[name] = bool(value) if kind == 1 else value
        pos += 1 + ln + 9
    return t, mode, decision, reason, numbers


def status_payload(status: str | None, reason: str) -> bytes:
    """ST[140,1] payload: status code u8 then the reason as a length-prefixed string."""
    return struct.pack(">B", STATUS_CODES.get(status, 255)) + _lp(reason)


def parse_status(pkt) -> tuple[str | None, str]:
    code = pkt[TM_PREFIX_LEN]
    reason, _ = _unlp(pkt, TM_PREFIX_LEN + 1)
    return STATUS_NAMES.get(code, "unknown"), reason


# ground telecommand arguments (application data before the security trailer)
GOAL_ARGS = struct.Struct(">dddBBd")
ADVISORY_ARGS = struct.Struct(">Bcdd")
TIME_TAGGED_ARGS = struct.Struct(">dB")


def split_stream(buf: bytearray) -> tuple[list[bytes], int]:
    """Complete packets at the front of ``buf`` and the number of octets they use."""
    out, pos, n = [], 0, len(buf)
    if n < 6:
        return out, 0
    data = bytes(buf)  # one copy; slices of it are the packets
    while n - pos >= 6:
        end = pos + 7 + ((data[pos + 4] << 8) | data[pos + 5])
        if end > n:
            break
        out.append(data[pos:end])
        pos = end
    return out, pos
