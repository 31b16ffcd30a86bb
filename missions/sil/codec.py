"""Observations and commands of :mod:`autonomy` to and from SIL packets (see :mod:`missions.sil.protocol`).

Both ends use this module: the plant encodes observations and decodes
commands, the reference flight software does the reverse. Floats cross as
binary64, so a value arrives bit for bit; the observation's time is the step
time of the ``SIM_STEP`` packet that closes the batch.
"""

from __future__ import annotations

import struct
from binascii import crc_hqx

from autonomy.commands import (
    AttitudeCommand,
    ImagingCommand,
    NavModeCommand,
    SamplerCommand,
    StepCadence,
    ThrusterCommand,
    ThrusterIsolationCommand,
)
from autonomy.observations import (
    AltimeterReading,
    AttitudeStatus,
    CommStatus,
    ContactStatus,
    DataStatus,
    GroundGoal,
    HazardMapProduct,
    ImuReading,
    NavSolution,
    PowerStatus,
    PropellantStatus,
    SampleStatus,
    SiteHazard,
    SpaceWeatherAdvisory,
    ThrusterTelemetry,
    TimeTaggedCommand,
)
from missions.sil import protocol as P

B = P.BY_NAME
GROUND_TYPES = (GroundGoal, SpaceWeatherAdvisory, TimeTaggedCommand)


class Sequencer:
    """Per-APID 14-bit sequence counters."""

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}

    def __call__(self, apid: int) -> int:
        n = self.counts.get(apid, 0)
        self.counts[apid] = (n + 1) & 0x3FFF
        return n


def _enc(name: str, seq: Sequencer, ct: tuple[int, int], values) -> bytes:
    p = B[name]
    return P.encode(p, seq(p.apid), ct[0], ct[1], values)


def _packet_encoder(name: str, values_of):
    """``encoder(obs, seq, ct) -> bytes``: the one packet of type ``name`` for an observation.

    The octets of :func:`missions.sil.protocol.encode` with the header words
    precomputed: one ``struct`` call and one CRC per packet.
    """
    p = B[name]
    apid, pack = p.apid, p.packet.pack
    w0, length, service, sub = 0x0800 | apid, p.length - 7, p.service, p.subservice
    crc, crc_bytes = crc_hqx, P._crc_bytes

    def encoder(obs, seq: Sequencer, ct: tuple[int, int]) -> bytes:
        raw = pack(
            w0,
            0xC000 | (seq(apid) & 0x3FFF),
            length,
            P.PUS_C,
            service,
            sub,
            0,
            0,
            ct[0],
            ct[1],
            *values_of(obs),
        )
        return raw + crc_bytes(crc(raw, 0xFFFF))

    return encoder


_NAV_SOURCE_CODES = {s: i for i, s in enumerate(P.NAV_SOURCES)}
_MASKS: dict[tuple, int] = {}  # thruster firing flags -> telemetry mask (memo)


def _firing_mask(firing) -> int:
    mask = _MASKS.get(firing) if type(firing) is tuple else None
    if mask is None:
        mask = sum(1 << i for i, f in enumerate(firing) if f)
        if type(firing) is tuple and len(_MASKS) < 4096:
            _MASKS[firing] = mask
    return mask


# The every-cycle sensor set, dispatched on the exact class (subclasses take the
# isinstance chain below); the values are those of the chain, field for field.
OBS_PACKET_ENCODERS = {
    NavSolution: _packet_encoder(
        "nav",
        lambda o: (
            *o.r_m,
            *o.v_m_s,
            *o.sigma_r_m,
            *o.sigma_v_m_s,
            _NAV_SOURCE_CODES.get(o.source, 2),
        ),
    ),
    AltimeterReading: _packet_encoder(
        "altimeter",
        lambda o: (1, o.range_m) if o.range_m is not None else (0, float("nan")),
    ),
    AttitudeStatus: _packet_encoder(
        "attitude", lambda o: (int(o.star_tracker_valid), o.pointing_error_rad)
    ),
    ImuReading: _packet_encoder("imu", lambda o: o.accel_sc_m_s2),
    ThrusterTelemetry: _packet_encoder("thruster_tm", lambda o: (_firing_mask(o.firing),)),
    PowerStatus: _packet_encoder("power", lambda o: (o.battery_soc, int(o.sunlit))),
    PropellantStatus: _packet_encoder("propellant", lambda o: (o.propellant_kg,)),
    DataStatus: _packet_encoder("data", lambda o: (o.stored_mbit, o.capacity_mbit)),
    CommStatus: _packet_encoder("comm", lambda o: (int(o.link_up),)),
    ContactStatus: _packet_encoder("contact", lambda o: (int(o.in_contact),)),
}


def _listed(encoder):
    return lambda obs, seq, ct: [encoder(obs, seq, ct)]


#: The same encoders returning a list of packets (as :func:`encode_observation` does).
_OBS_ENCODERS = {cls: _listed(enc) for cls, enc in OBS_PACKET_ENCODERS.items()}


# --------------------------------------------------------------------- observations
def encode_observation(obs, seq: Sequencer, ct: tuple[int, int]) -> list[bytes]:
    """Packets for one sensor/onboard observation (a hazard map gives one packet per site)."""
    fast = _OBS_ENCODERS.get(type(obs))
    if fast is not None:
        return fast(obs, seq, ct)
    if isinstance(obs, NavSolution):
        src = P.NAV_SOURCES.index(obs.source) if obs.source in P.NAV_SOURCES else 2
        return [_enc("nav", seq, ct, (*obs.r_m, *obs.v_m_s, *obs.sigma_r_m, *obs.sigma_v_m_s, src))]
    if isinstance(obs, AltimeterReading):
        ok = obs.range_m is not None
        return [_enc("altimeter", seq, ct, (int(ok), obs.range_m if ok else float("nan")))]
    if isinstance(obs, AttitudeStatus):
        return [_enc("attitude", seq, ct, (int(obs.star_tracker_valid), obs.pointing_error_rad))]
    if isinstance(obs, ImuReading):
        return [_enc("imu", seq, ct, obs.accel_sc_m_s2)]
    if isinstance(obs, ThrusterTelemetry):
        mask = sum(1 << i for i, f in enumerate(obs.firing) if f)
        return [_enc("thruster_tm", seq, ct, (mask,))]
    if isinstance(obs, PowerStatus):
        return [_enc("power", seq, ct, (obs.battery_soc, int(obs.sunlit)))]
    if isinstance(obs, PropellantStatus):
        return [_enc("propellant", seq, ct, (obs.propellant_kg,))]
    if isinstance(obs, DataStatus):
        return [_enc("data", seq, ct, (obs.stored_mbit, obs.capacity_mbit))]
    if isinstance(obs, CommStatus):
        return [_enc("comm", seq, ct, (int(obs.link_up),))]
    if isinstance(obs, ContactStatus):
        return [_enc("contact", seq, ct, (int(obs.in_contact),))]
    if isinstance(obs, SampleStatus):
        ok = obs.sample_mass_g is not None
        mass = obs.sample_mass_g if ok else float("nan")
        return [
            _enc("sample", seq, ct, (int(obs.mechanism_ok), int(ok), mass, P.text(obs.message, 48)))
        ]
    if isinstance(obs, HazardMapProduct):
        n = len(obs.sites)
        return [
            _enc(
                "hazard_site",
                seq,
                ct,
                (
                    obs.t,
                    i,
                    n,
                    P.text(s.name, 16),
                    *s.position_m,
                    *s.normal,
                    s.slope_deg,
                    s.roughness_m,
                    s.max_boulder_m,
                    s.safe_radius_m,
                ),
            )
            for i, s in enumerate(obs.sites)
        ]
    raise TypeError(f"no SIL packet for observation {type(obs).__name__}")


_FIRING: dict[int, tuple[bool, ...]] = {}  # thruster-telemetry mask -> firing flags (memo)


def _firing(mask: int) -> tuple[bool, ...]:
    flags = _FIRING.get(mask)
    if flags is None:
        flags = _FIRING[mask] = tuple(bool(mask >> i & 1) for i in range(12))
    return flags


def _nav(v, t):
    src = P.NAV_SOURCES[v[12]] if v[12] < len(P.NAV_SOURCES) else "propagated"
    return NavSolution(t, v[0:3], v[3:6], v[6:9], v[9:12], src)


# field values -> observation, per sensor packet name (hazard sites are assembled by the decoder)
_OBS_DECODERS = {
    "nav": _nav,
    "altimeter": lambda v, t: AltimeterReading(t, v[1] if v[0] else None),
    "attitude": lambda v, t: AttitudeStatus(t, bool(v[0]), v[1]),
    "imu": lambda v, t: ImuReading(t, v),
    "thruster_tm": lambda v, t: ThrusterTelemetry(t, _firing(v[0])),
    "power": lambda v, t: PowerStatus(t, v[0], bool(v[1])),
    "propellant": lambda v, t: PropellantStatus(t, v[0]),
    "data": lambda v, t: DataStatus(t, v[0], v[1]),
    "comm": lambda v, t: CommStatus(t, bool(v[0])),
    "contact": lambda v, t: ContactStatus(t, bool(v[0])),
    "sample": lambda v, t: SampleStatus(t, bool(v[0]), v[2] if v[1] else None, P.untext(v[3])),
}


class ObservationDecoder:
    """Turns received sensor packets into observation objects (the flight side of the codec)."""

    def __init__(self) -> None:
        self._sites: list[SiteHazard] = []

    def decode(self, ptype: P.PacketType, pkt: bytes, t: float):
        """The observation in ``pkt`` at step time ``t``, or None (a hazard site before the last one)."""
        v = P.decode(ptype, pkt)
        fn = _OBS_DECODERS.get(ptype.name)
        if fn is not None:
            return fn(v, t)
        if ptype.name == "hazard_site":
            if v[1] == 0:
                self._sites = []
            self._sites.append(
                SiteHazard(P.untext(v[3]), v[4:7], v[7:10], v[10], v[11], v[12], v[13])
            )
            if v[1] + 1 == v[2] and len(self._sites) == v[2]:
                sites, self._sites = tuple(self._sites), []
                return HazardMapProduct(v[0], sites)
            return None
        raise P.ProtocolError(f"packet type {ptype.name} is not an observation")


# --------------------------------------------------------------------- ground telecommands
def ground_tc_args(obs) -> tuple[int, bytes]:
    """(PUS subtype of TC[210,x], application data) for a ground-origin observation."""
    if isinstance(obs, GroundGoal):
        return P.TC_GOAL, P.GOAL_ARGS.pack(
            obs.window_start,
            obs.window_end,
            obs.min_propellant_kg,
            obs.max_attempts,
            obs.rehearsals,
            obs.min_sample_g,
        )
    if isinstance(obs, SpaceWeatherAdvisory):
        head = P.ADVISORY_ARGS.pack(obs.level, obs.kind.encode("ascii"), obs.start, obs.end)
        return P.TC_ADVISORY, head + obs.reason.encode("utf-8")
    if isinstance(obs, TimeTaggedCommand):
        head = P.TIME_TAGGED_ARGS.pack(obs.t_exec, P.GROUND_ACTIONS.index(obs.action))
        return P.TC_TIME_TAGGED, head + obs.reason.encode("utf-8")
    raise TypeError(f"no ground telecommand for {type(obs).__name__}")


def decode_ground_tc(subtype: int, args: bytes, t: float):
    """The observation carried by an accepted TC[210,subtype]; ProtocolError when malformed."""
    try:
        if subtype == P.TC_GOAL:
            return GroundGoal(t, *P.GOAL_ARGS.unpack(args))
        if subtype == P.TC_ADVISORY:
            n = P.ADVISORY_ARGS.size
            level, kind, start, end = P.ADVISORY_ARGS.unpack_from(args, 0)
            return SpaceWeatherAdvisory(
                t, level, kind.decode("ascii"), start, end, args[n:].decode("utf-8")
            )
        if subtype == P.TC_TIME_TAGGED:
            n = P.TIME_TAGGED_ARGS.size
            t_exec, code = P.TIME_TAGGED_ARGS.unpack_from(args, 0)
            return TimeTaggedCommand(t, t_exec, P.GROUND_ACTIONS[code], args[n:].decode("utf-8"))
    except (struct.error, ValueError, IndexError, UnicodeDecodeError) as exc:
        raise P.ProtocolError(
            f"TC[{P.TC_SERVICE_GROUND},{subtype}]: bad arguments ({exc})"
        ) from None
    raise P.ProtocolError(f"unknown ground telecommand TC[{P.TC_SERVICE_GROUND},{subtype}]")


# --------------------------------------------------------------------- commands
_THRUSTER_CMD, _CADENCE = B["thruster_cmd"], B["cadence"]


def encode_command(cmd, seq: Sequencer, ct: tuple[int, int]) -> bytes:
    """The actuator packet for one executive command."""
    kind = type(cmd)
    if kind is ThrusterCommand:  # the two commands of every cycle first
        p = _THRUSTER_CMD
        return P.encode(p, seq(p.apid), ct[0], ct[1], (*cmd.duty, cmd.duration_s))
    if kind is StepCadence:
        p = _CADENCE
        return P.encode(p, seq(p.apid), ct[0], ct[1], (cmd.period_s,))
    if isinstance(cmd, ThrusterCommand):
        return _enc("thruster_cmd", seq, ct, (*cmd.duty, cmd.duration_s))
    if isinstance(cmd, AttitudeCommand):
        return _enc("attitude_cmd", seq, ct, (*cmd.q_body_from_sc, P.text(cmd.target, 16)))
    if isinstance(cmd, SamplerCommand):
        return _enc("sampler_cmd", seq, ct, (P.SAMPLER_ACTIONS.index(cmd.action),))
    if isinstance(cmd, ThrusterIsolationCommand):
        return _enc(
            "isolation_cmd", seq, ct, (cmd.thruster, int(cmd.enable), P.text(cmd.reason, 32))
        )
    if isinstance(cmd, NavModeCommand):
        return _enc("navmode_cmd", seq, ct, (0 if cmd.mode == "altimeter+camera" else 1,))
    if isinstance(cmd, ImagingCommand):
        return _enc("imaging_cmd", seq, ct, (int(cmd.on), cmd.rate_mbit_s))
    if isinstance(cmd, StepCadence):
        return _enc("cadence", seq, ct, (cmd.period_s,))
    raise TypeError(f"no SIL packet for command {type(cmd).__name__}")


def decode_command(ptype: P.PacketType, values: tuple, t: float):
    """The command object of an actuator packet's field values."""
    name, v = ptype.name, values
    if name == "thruster_cmd":
        return ThrusterCommand(t, v[:12], v[12])
    if name == "attitude_cmd":
        return AttitudeCommand(t, v[:4], P.untext(v[4]))
    if name == "sampler_cmd":
        return SamplerCommand(t, P.SAMPLER_ACTIONS[v[0]])
    if name == "isolation_cmd":
        return ThrusterIsolationCommand(t, v[0], bool(v[1]), P.untext(v[2]))
    if name == "navmode_cmd":
        return NavModeCommand(t, "altimeter+camera" if v[0] == 0 else "camera")
    if name == "imaging_cmd":
        return ImagingCommand(t, bool(v[0]), v[1])
    if name == "cadence":
        return StepCadence(t, v[0])
    raise P.ProtocolError(f"packet type {name} is not an actuator command")
