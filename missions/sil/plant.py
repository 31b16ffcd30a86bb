"""The SIL plant: the simulated world as a server that flight software connects to.

The physics is :class:`missions.scenarios.Plant` (dynamics, environment,
sensors and actuators from :mod:`gnc`), driven by a registered scenario. This
module puts it behind the SIL protocol: each step it turns the plant's
observations into sensor packets and the ground's goals, advisories and
commands into authenticated telecommands (:class:`GroundStation`), passes them
through the simulated link (:class:`Link`, where faults are injected), sends
them with ``SIM_STEP`` in one ``send``, and waits for ``SIM_STEP_DONE``. A
watchdog turns a dead or silent flight-software process into
:class:`FswCrashed` / :class:`FswHung`; a missed deadline is an overrun, and the
plant steps on with the last commands.

Everything that crosses the link is archived (:class:`ground.archive.RawStore`),
so the same seed gives a byte-identical archive.

Standalone (a flight-software team's plant)::

    python -m missions.sil.plant --scenario nominal --seed 1 --port 5700 --archive run.kpa
"""

from __future__ import annotations

import dataclasses
import math
import os
import select
import signal
import socket
import struct
import time
from binascii import crc_hqx
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from missions.sil import protocol as P

# ----------------------------------------------------------------------------- errors


class SilError(RuntimeError):
    """The SIL run could not complete."""


class FswStartError(SilError):
    """The flight software did not start or did not connect."""


class FswCrashed(SilError):
    """The watchdog saw the flight-software process die or drop the connection."""


class FswHung(SilError):
    """The watchdog saw no answer from the flight software within its hang timeout."""


# ----------------------------------------------------------------------------- faults
LINK_KINDS = ("drop", "delay", "reorder", "corrupt")
DIRECTIONS = ("to_fsw", "from_fsw", "both")
SENSOR_FIELDS = {
    "altimeter": ("AltimeterReading", "range_m"),
    "nav_position": ("NavSolution", "r_m"),
    "nav_velocity": ("NavSolution", "v_m_s"),
    "imu": ("ImuReading", "accel_sc_m_s2"),
    "propellant": ("PropellantStatus", "propellant_kg"),
    "battery": ("PowerStatus", "battery_soc"),
}
SENSOR_KINDS = ("bias", "freeze", "fail")
ACTUATORS = {
    "thrusters": "ThrusterCommand",
    "attitude": "AttitudeCommand",
    "sampler": "SamplerCommand",
    "imaging": "ImagingCommand",
    "isolation": "ThrusterIsolationCommand",
}
ACTUATOR_KINDS = ("scale", "ignore")
FSW_KINDS = ("crash", "hang", "stall")
ATTACK_KINDS = ("unauthenticated", "replay", "forged")
_SIL_KEYS = {
    "link_faults": (
        "kind",
        "direction",
        "probability",
        "start_s",
        "end_s",
        "steps",
        "packets",
        "bits",
    ),
    "sensor_faults": ("sensor", "kind", "value", "start_s", "end_s"),
    "actuator_faults": ("actuator", "kind", "factor", "start_s", "end_s"),
    "fsw_faults": ("kind", "at_s", "signal", "duration_s"),
    "attacks": ("kind", "at_s", "index", "action", "reason"),
}
_SIL_SCALARS = ("step_deadline_s", "hang_timeout_s")
#: Wall-clock answer deadline per step (an overrun past it) and the watchdog's hang timeout. Generous by
#: default: a first call that compiles numba kernels on a loaded machine must not count as an overrun,
#: or the run would stop being reproducible.
DEFAULT_STEP_DEADLINE_S = 60.0
DEFAULT_HANG_TIMEOUT_S = 120.0
#: How long each side polls its socket before it blocks (s). In lock step one side always
#: waits for the other, usually for well under a millisecond; a blocked process lets its
#: core idle, and waking it again (scheduler, idle state, on a VM the hypervisor) costs
#: more than the wait and leaves its caches cold. Polling for a short while keeps both
#: processes on their cores: the nominal descent runs ~1.3-1.6x as many cycles per second
#: on the 2-core development machine. Costs CPU while waiting; 0 blocks at once (a shared
#: machine, more SIL runs than cores).
DEFAULT_SPIN_S = 0.002


def check_spin(spin_s: float) -> float:
    """``spin_s`` as a float, or a ValueError naming the value and the range."""
    value = float(spin_s)
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise ValueError(f"spin_s must be 0..1 s (0: block at once), got {spin_s!r}")
    return value


def _check_choice(where: str, key: str, value, allowed) -> None:
    if value not in allowed:
        raise ValueError(
            f"scenario [sil] {where}: {key} must be one of {', '.join(map(str, allowed))}, got {value!r}"
        )


def validate_sil(sil: dict | None) -> dict:
    """Check a scenario's ``[sil]`` table (faults, attacks, timing); returns it with defaults filled in."""
    sil = dict(sil or {})
    unknown = set(sil) - set(_SIL_KEYS) - set(_SIL_SCALARS)
    if unknown:
        raise ValueError(
            f"scenario [sil]: unknown key(s) {', '.join(sorted(unknown))}; "
            f"allowed: {', '.join(sorted(set(_SIL_KEYS) | set(_SIL_SCALARS)))}"
        )
    for section, keys in _SIL_KEYS.items():
        items = [dict(x) for x in sil.get(section, [])]
        for i, item in enumerate(items):
            where = f"{section}[{i}]"
            bad = set(item) - set(keys) - {"start_s", "end_s"}
            if bad:
                raise ValueError(
                    f"scenario [sil] {where}: unknown key(s) {', '.join(sorted(bad))}; allowed: {', '.join(keys)}"
                )
            item.setdefault("start_s", 0.0)
            item.setdefault("end_s", math.inf)
            if section == "link_faults":
                _check_choice(where, "kind", item.get("kind"), LINK_KINDS)
                item.setdefault("direction", "both")
                _check_choice(where, "direction", item["direction"], DIRECTIONS)
                p = float(item.setdefault("probability", 1.0))
                if not 0.0 <= p <= 1.0:
                    raise ValueError(
                        f"scenario [sil] {where}: probability must be in [0, 1], got {p}"
                    )
                if int(item.setdefault("steps", 1)) < 1:
                    raise ValueError(
                        f"scenario [sil] {where}: steps must be >= 1, got {item['steps']}"
                    )
                item.setdefault("bits", 1)
                names = item.get("packets")
                if names is not None:
                    known = {p.name for p in P.PACKETS if p.direction != "control"} | {
                        "tc",
                        "fsw_tm",
                    }
                    for n in names:
                        _check_choice(where, "packets entry", n, sorted(known))
            elif section == "sensor_faults":
                _check_choice(where, "sensor", item.get("sensor"), sorted(SENSOR_FIELDS))
                _check_choice(where, "kind", item.get("kind"), SENSOR_KINDS)
                if item["kind"] == "bias" and "value" not in item:
                    raise ValueError(f"scenario [sil] {where}: a bias needs 'value'")
            elif section == "actuator_faults":
                _check_choice(where, "actuator", item.get("actuator"), sorted(ACTUATORS))
                _check_choice(where, "kind", item.get("kind"), ACTUATOR_KINDS)
                item.setdefault("factor", 0.0)
            elif section == "fsw_faults":
                _check_choice(where, "kind", item.get("kind"), FSW_KINDS)
                if "at_s" not in item:
                    raise ValueError(
                        f"scenario [sil] {where}: needs 'at_s' (simulation time of the fault)"
                    )
                sig = item.setdefault("signal", "SIGSEGV" if item["kind"] == "crash" else "SIGSTOP")
                if item["kind"] == "stall" and not float(item.get("duration_s", 0)) > 0:
                    raise ValueError(
                        f"scenario [sil] {where}: a stall needs 'duration_s' > 0 (wall-clock seconds)"
                    )
                if not hasattr(signal, str(sig)):
                    raise ValueError(f"scenario [sil] {where}: unknown signal {sig!r}")
            elif section == "attacks":
                _check_choice(where, "kind", item.get("kind"), ATTACK_KINDS)
                if "at_s" not in item:
                    raise ValueError(
                        f"scenario [sil] {where}: needs 'at_s' (when the ground sends it)"
                    )
                item.setdefault("index", 0)
                item.setdefault("action", "abort")
                _check_choice(where, "action", item["action"], P.GROUND_ACTIONS)
        sil[section] = items
    for key in _SIL_SCALARS:
        if key in sil and not float(sil[key]) > 0:
            raise ValueError(f"scenario [sil]: {key} must be positive, got {sil[key]!r}")
    return sil


def _active(f: dict, t: float) -> bool:
    return f["start_s"] <= t < f["end_s"]


def _packet_name(pkt: bytes) -> str:
    apid, _service, _sub, is_tc = P.packet_key(pkt)
    if is_tc:
        return "tc"
    if apid == P.APID_FSW_TM:
        return "fsw_tm"
    pt = P.BY_APID.get(apid)
    return pt.name if pt else f"apid_{apid}"


class Link:
    """The simulated link in both directions: drops, delays, reordering and bit errors.

    Faults act on data packets only; the ``SIM_*`` handshake is the simulation's
    clock, not part of the spacecraft link, and is never touched. Bit errors flip
    bits in the data field (after the primary header) so the stream stays framed,
    as a frame layer would guarantee; the receiver's CRC check catches them.
    """

    def __init__(self, faults: list[dict], rng: np.random.Generator) -> None:
        self.faults = faults
        self.rng = rng
        self.delayed: dict[str, list[tuple[int, bytes]]] = {"to_fsw": [], "from_fsw": []}
        self.counts = {k: 0 for k in LINK_KINDS}

    def carry(self, direction: str, step: int, t: float, packets: list[bytes]) -> list[bytes]:
        """The packets that arrive at the far end this step (delayed ones from earlier steps first)."""
        if not self.faults and not self.delayed[direction]:  # a clean link: nothing to do
            return packets
        due = [p for s, p in self.delayed[direction] if s <= step]
        self.delayed[direction] = [(s, p) for s, p in self.delayed[direction] if s > step]
        active = [f for f in self.faults if f["direction"] in (direction, "both") and _active(f, t)]
        if not active:
            return due + packets
        out = []
        for pkt in packets:
            name = _packet_name(pkt)
            keep = True
            for f in active:
                if f["kind"] == "reorder" or (f.get("packets") and name not in f["packets"]):
                    continue
                if self.rng.random() >= f["probability"]:
                    continue
                self.counts[f["kind"]] += 1
                if f["kind"] == "drop":
                    keep = False
                    break
                if f["kind"] == "delay":
                    self.delayed[direction].append((step + int(f["steps"]), pkt))
                    keep = False
                    break
                if f["kind"] == "corrupt":
                    pkt = self._flip(pkt, int(f["bits"]))
            if keep:
                out.append(pkt)
        out = due + out
        if (
            any(f["kind"] == "reorder" and self.rng.random() < f["probability"] for f in active)
            and len(out) > 1
        ):
            self.counts["reorder"] += 1
            out = [out[i] for i in self.rng.permutation(len(out))]
        return out

    def _flip(self, pkt: bytes, bits: int) -> bytes:
        b = bytearray(pkt)
        span = (len(b) - P.PRIMARY.size) * 8
        for pos in self.rng.integers(0, span, size=bits):
            byte, bit = divmod(int(pos), 8)
            b[P.PRIMARY.size + byte] ^= 1 << bit
        return bytes(b)


def apply_sensor_faults(faults: list[dict], obs: list, t: float, frozen: dict) -> list:
    """Observations after the active sensor faults (bias, freeze at the last good value, fail = removed)."""
    if not faults:
        return obs
    out = []
    for o in obs:
        cls = type(o).__name__
        for f in faults:
            cname, fname = SENSOR_FIELDS[f["sensor"]]
            if cname != cls:
                continue
            key = id(f)
            if not _active(f, t):
                frozen[key] = getattr(o, fname)
                continue
            value = getattr(o, fname)
            if f["kind"] == "fail":
                o = None
                break
            if f["kind"] == "freeze":
                value = frozen.get(key, value)
            elif value is not None:
                bias = f["value"]
                if isinstance(value, tuple):
                    b = tuple(bias) if isinstance(bias, (list, tuple)) else (bias,) * len(value)
                    value = tuple(v + d for v, d in zip(value, b, strict=True))
                else:
                    value = value + float(bias)
            o = dataclasses.replace(o, **{fname: value})
        if o is not None:
            out.append(o)
    return out


def apply_actuator_faults(faults: list[dict], cmds: list, t: float) -> list:
    """Commands after the active actuator faults (``scale`` thruster duty, ``ignore`` a command type)."""
    active = [f for f in faults if _active(f, t)]
    if not active:
        return cmds
    out = []
    for c in cmds:
        for f in active:
            if type(c).__name__ != ACTUATORS[f["actuator"]]:
                continue
            if f["kind"] == "ignore":
                c = None
                break
            if f["actuator"] == "thrusters":
                c = dataclasses.replace(
                    c, duty=tuple(min(1.0, d * float(f["factor"])) for d in c.duty)
                )
        if c is not None:
            out.append(c)
    return out


# ----------------------------------------------------------------------------- ground
@dataclass
class GroundStation:
    """The ground segment on the far side of the spacecraft's radio.

    It seals the scenario's goals, advisories and time-tagged commands as
    authenticated telecommands (:func:`ground.auth.seal_tc`), sends the
    scenario's attacks (an unauthenticated command, a replay of an earlier one,
    a forgery), and reads the flight software's telemetry: PUS ST[01]
    verification reports, ST[5,1] decision-log events, ST[140,1] status and
    ST[3,25] housekeeping.
    """

    key: bytes
    attacks: list[dict] = field(default_factory=list)
    auth_seq: int = 0
    sent: list[bytes] = field(default_factory=list)
    accepted: int = 0
    rejections: list[dict] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    status: tuple[str | None, str] = (None, "")
    hk: tuple | None = None

    def uplink(self, t: float, ground_obs: list) -> list[bytes]:
        if not ground_obs and all(a.get("done") or t < a["at_s"] for a in self.attacks):
            return []  # the usual step: nothing to send
        from ground.auth import MissionKey, seal_tc
        from ground.packets import encode_pus_tc
        from missions.sil.codec import ground_tc_args

        key = MissionKey(1, self.key)
        out = []
        for o in ground_obs:
            subtype, args = ground_tc_args(o)
            self.auth_seq += 1
            out.append(
                seal_tc(
                    P.APID_FSW_TC,
                    P.TC_SERVICE_GROUND,
                    subtype,
                    args,
                    key=key,
                    auth_seq=self.auth_seq,
                )
            )
        self.sent.extend(out)
        for a in self.attacks:
            if a.get("done") or t < a["at_s"]:
                continue
            a["done"] = True
            args = (
                P.TIME_TAGGED_ARGS.pack(t, P.GROUND_ACTIONS.index(a["action"]))
                + a.get("reason", "attack").encode()
            )
            if a["kind"] == "unauthenticated":
                out.append(
                    encode_pus_tc(
                        P.APID_FSW_TC, P.TC_SERVICE_GROUND, P.TC_TIME_TAGGED, args, seq_count=0x3FFF
                    )
                )
            elif a["kind"] == "forged":
                fake = MissionKey(1, bytes(32))
                out.append(
                    seal_tc(
                        P.APID_FSW_TC,
                        P.TC_SERVICE_GROUND,
                        P.TC_TIME_TAGGED,
                        args,
                        key=fake,
                        auth_seq=self.auth_seq + 1000,
                    )
                )
            elif self.sent:
                out.append(self.sent[min(int(a["index"]), len(self.sent) - 1)])
        return out

    def receive(self, pkt: bytes) -> None:
        if not P.crc_ok(pkt):
            return
        _apid, service, sub, _tc = P.packet_key(pkt)
        if service == P.VERIFICATION_SERVICE:
            if sub == 1:
                self.accepted += 1
            elif sub == 2:
                from ground.auth import FailureCode

                body = pkt[P.TM_PREFIX_LEN : -P.CRC_LEN]
                code = struct.unpack_from(">H", body, 4)[0]
                seq = struct.unpack_from(">I", body, 6)[0] if len(body) >= 10 else None
                self.rejections.append(
                    {
                        "t": P.packet_time(pkt),
                        "reason": FailureCode(code).name,
                        "code": code,
                        "auth_seq": seq,
                    }
                )
        elif service == P.EVENT_SERVICE and sub == P.EVENT_SUBTYPE:
            self.events.append(P.parse_event(pkt))
        elif service == P.SERVICE_FSW_STATUS:
            self.status = P.parse_status(pkt)
        elif service == 3 and sub == 25:
            self.hk = P.decode(P.BY_NAME["hk"], pkt)


# ----------------------------------------------------------------------------- session
@dataclass
class StepRecord:
    t: float
    x: np.ndarray
    altitude: float
    propellant: float
    soc: float
    mode: str
    duty_sum: float


class PlantSession:
    """One lock-step run of a scenario against flight software on a connected socket.

    ``process`` (a :class:`subprocess.Popen`, optional) lets the watchdog tell a
    crash from a hang and lets FSW faults signal the process.
    """

    def __init__(
        self,
        spec: dict,
        seed: int,
        sock: socket.socket,
        *,
        archive_path: str | Path,
        process=None,
        max_steps: int | None = None,
        step_deadline_s: float | None = None,
        hang_timeout_s: float | None = None,
        key: bytes = P.DEFAULT_KEY,
        stderr_tail=None,
        spin_s: float | None = None,
    ) -> None:
        from ground.archive import RawStore
        from missions.scenarios import Plant
        from missions.sil.codec import Sequencer

        self.spec = spec
        self.sil = validate_sil(spec.get("sil"))
        self.seed = int(seed)
        self.plant = Plant(spec, seed)
        self.sock = sock
        self.process = process
        self.max_steps = max_steps
        self.step_deadline_s = float(
            step_deadline_s or self.sil.get("step_deadline_s", DEFAULT_STEP_DEADLINE_S)
        )
        self.hang_timeout_s = float(
            hang_timeout_s or self.sil.get("hang_timeout_s", DEFAULT_HANG_TIMEOUT_S)
        )
        self.spin_s = check_spin(DEFAULT_SPIN_S if spin_s is None else spin_s)
        sock.settimeout(self.hang_timeout_s)  # bounds sendall; reads wait in select()
        self.link = Link(
            self.sil["link_faults"],
            np.random.default_rng(np.random.SeedSequence([self.seed, 0x5117])),
        )
        self.ground = GroundStation(key, attacks=[dict(a) for a in self.sil["attacks"]])
        self.store = RawStore(archive_path, fsync=False)
        self.seq = Sequencer()
        self.pending_archive = bytearray()
        self.records: list[StepRecord] = []
        self.steps = self.overruns = self.packets_down = self.packets_up = 0
        self.stale_commands = self.crc_errors = 0
        self.fsw_mode = "approach"
        self.fsw_status: str | None = None
        self.end_reason = "duration"
        self._frozen: dict = {}
        self._buf = bytearray()
        self._last_answer = time.monotonic()
        self._stderr_tail = stderr_tail
        self.fsw_faults = [dict(f) for f in self.sil["fsw_faults"]]
        self.t = 0.0
        self.step = 0
        self.loop_s = 0.0
        self.loop_cpu_s = 0.0  # CPU time of this (plant) process in the lock-step loop
        self._resume_at: float | None = None

    # ---- watchdog helpers
    def _describe_exit(self) -> str:
        code = None
        if self.process is not None:
            try:
                code = self.process.wait(timeout=2.0)
            except Exception:
                code = self.process.poll()
        if code is None:
            return "closed the connection"
        if code < 0:
            try:
                return f"was killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"was killed by signal {-code}"
        return f"exited with code {code}"

    def _where(self) -> str:
        pid = f"pid {self.process.pid}" if self.process is not None else "remote"
        return f"flight software ({pid}) at step {self.step} (t = {self.t:.1f} s, mode {self.fsw_mode})"

    def _tail(self) -> str:
        text = self._stderr_tail() if self._stderr_tail else ""
        return f"; its last stderr lines:\n{text}" if text else ""

    def _crashed(self) -> FswCrashed:
        how = self._describe_exit()
        return FswCrashed(f"{self._where()}: crashed, the process {how}{self._tail()}")

    # ---- the run
    def hello(self) -> None:
        name = str(self.spec.get("name", "?"))
        pkt = P.encode(
            P.BY_NAME["sim_hello"],
            self.seq(P.APID_SIM_HELLO),
            P.EPOCH_TAI58,
            0,
            (P.PROTOCOL_VERSION, 12, P.EPOCH_TAI58, P.text(name, 32)),
        )
        self._send([pkt])

    def _send(self, packets: list[bytes]) -> None:
        data = b"".join(packets)
        self.pending_archive += data
        self.packets_down += len(packets)
        try:
            self.sock.sendall(data)
        except TimeoutError:  # the flight software stopped reading: its socket buffer is full
            raise FswHung(
                f"{self._where()}: hung, not reading for {self.hang_timeout_s:.1f} s (watchdog){self._tail()}"
            ) from None
        except OSError:
            raise self._crashed() from None

    def _flush_archive(self, t_lo: float, t_hi: float) -> None:
        if self.pending_archive:
            ns = P.EPOCH_UNIX_NS
            self.store.append(
                bytes(self.pending_archive),
                t_min_ns=ns + int(t_lo * 1e9),
                t_max_ns=ns + int(t_hi * 1e9),
            )
            self.pending_archive.clear()

    def _fsw_faults(self, t: float) -> None:
        for f in self.fsw_faults:
            if not f.get("done") and t >= f["at_s"] and self.process is not None:
                f["done"] = True
                os.kill(self.process.pid, getattr(signal, f["signal"]))
                if f["kind"] == "stall":  # stopped now, continued by _await after duration_s
                    self._resume_at = time.monotonic() + float(f["duration_s"])

    def _resume(self) -> None:
        if self._resume_at is not None and time.monotonic() >= self._resume_at:
            self._resume_at = None
            os.kill(self.process.pid, signal.SIGCONT)

    def _poll(self, until: float) -> list:
        """Poll the socket until ``until`` (monotonic s); ``[sock]`` as soon as it is readable."""
        while True:
            ready, _, _ = select.select([self.sock], [], [], 0)
            if ready or time.monotonic() >= until:
                return ready

    def _await(self, step: int) -> list[bytes] | None:
        """Packets of the answer to ``step``, or None on an overrun; raises on crash or hang."""
        now = time.monotonic()
        deadline = now + self.step_deadline_s
        batch: list[bytes] = []
        spin = self.spin_s > 0
        while True:
            now = time.monotonic()
            hang_at = self._last_answer + self.hang_timeout_s
            if now >= hang_at:
                raise FswHung(
                    f"{self._where()}: hung, no answer for {self.hang_timeout_s:.1f} s "
                    f"(watchdog){self._tail()}"
                )
            if now >= deadline:
                self.overruns += 1
                return None
            wait = min(deadline, hang_at) - now
            ready = self._poll(now + min(wait, self.spin_s)) if spin else []
            spin = False  # poll once per answer; after that, wait in select()
            if not ready:
                ready, _, _ = select.select([self.sock], [], [], min(wait, 0.05))
            self._resume()
            if not ready:
                if self.process is not None and self.process.poll() is not None:
                    raise self._crashed()
                continue
            try:
                data = self.sock.recv(1 << 16)
            except OSError:
                data = b""
            if not data:
                raise self._crashed()
            self._buf += data
            packets, used = P.split_stream(self._buf)
            del self._buf[:used]
            for pkt in packets:
                self.packets_up += 1
                apid = ((pkt[0] & 0x7) << 8) | pkt[1]
                if apid == P.APID_SIM_STEP_DONE:
                    self.pending_archive += pkt
                    done_step, _t, _n, mode, status = P.decode(P.BY_NAME["sim_step_done"], pkt)
                    self._last_answer = time.monotonic()
                    if done_step == step:
                        self.fsw_mode = P.MODES[mode] if mode < len(P.MODES) else "unknown"
                        self.fsw_status = P.STATUS_NAMES.get(status, "unknown")
                        return batch
                    self._stale(batch)
                    batch = []
                else:
                    batch.append(pkt)

    def _stale(self, batch: list[bytes]) -> None:
        """A late answer to an earlier step: its telemetry still goes to the ground, its commands do not fly."""
        for pkt in self.link.carry("from_fsw", self.step, self.t, batch):
            self.pending_archive += pkt
            if ((pkt[0] & 0x7) << 8 | pkt[1]) == P.APID_FSW_TM:
                self.ground.receive(pkt)
            else:
                self.stale_commands += 1

    def run(self) -> None:
        from autonomy.observations import GroundSequence
        from missions.sil.codec import GROUND_TYPES, decode_command, encode_observation

        plant = self.plant
        t_end = float(self.spec.get("duration_s", 9000.0))
        step_type = P.BY_NAME["sim_step"]
        from missions.sil.codec import OBS_PACKET_ENCODERS as packet_encoders

        seq, by_apid = self.seq, P.BY_APID

        ground_or_sequence = GROUND_TYPES + (GroundSequence,)
        sensor_faults = self.sil["sensor_faults"]
        actuator_faults = self.sil["actuator_faults"]
        self.hello()
        loop_start, cpu_start = time.perf_counter(), time.process_time()
        t, first, period, t_flushed = 0.0, True, 1.0, 0.0
        while t < t_end:
            self.t, self.step = t, self.steps
            if self.max_steps is not None and self.steps >= self.max_steps:
                self.end_reason = "max_steps"
                break
            obs = plant.observe(t, first=first)
            obs = apply_sensor_faults(sensor_faults, obs, t, self._frozen)
            ct = P.cuc(t)
            encoders = [packet_encoders.get(type(o)) for o in obs]
            if None not in encoders:  # the usual step: the every-cycle sensor set only
                down = [enc(o, seq, ct) for enc, o in zip(encoders, obs, strict=True)]
                down.extend(self.ground.uplink(t, []))  # attacks
            else:
                ground_obs = [o for o in obs if isinstance(o, ground_or_sequence)]
                tcs = iter(
                    self.ground.uplink(
                        t, [o for o in ground_obs if not isinstance(o, GroundSequence)]
                    )
                )
                down = []
                for o, enc in zip(obs, encoders, strict=True):
                    if enc is not None:  # the every-cycle sensor set
                        down.append(enc(o, seq, ct))
                    elif isinstance(o, GROUND_TYPES):
                        down.append(next(tcs))
                    elif not isinstance(o, GroundSequence):
                        down.extend(encode_observation(o, seq, ct))
                down.extend(tcs)  # attacks
            down = self.link.carry("to_fsw", self.steps, t, down)
            step_pkt = P.encode(
                step_type,
                self.seq(P.APID_SIM_STEP),
                *ct,
                (self.steps, t, int(first), len(down), int(self.step_deadline_s * 1000)),
            )
            first = False
            self._fsw_faults(t)
            self._send(down + [step_pkt])
            answer = self._await(self.steps)
            cmds = []
            if answer is not None:
                for pkt in self.link.carry("from_fsw", self.steps, t, answer):
                    self.pending_archive += pkt
                    apid = ((pkt[0] & 0x7) << 8) | pkt[1]
                    if apid == P.APID_FSW_TM:
                        self.ground.receive(pkt)
                        continue
                    if crc_hqx(pkt, 0xFFFF):  # CRC residue not zero
                        self.crc_errors += 1
                        continue
                    ptype = by_apid.get(apid)
                    if ptype is not None and ptype.direction == "from_fsw":
                        cmds.append(decode_command(ptype, P.decode(ptype, pkt), t))
            cmds = apply_actuator_faults(actuator_faults, cmds, t)
            if answer is not None:
                period = plant.apply(t, cmds)
            self.steps += 1
            self.records.append(
                StepRecord(
                    t,
                    plant.x.copy(),
                    plant.altitude,
                    plant.propellant,
                    plant.soc,
                    self.fsw_mode,
                    float(plant._effective_duty().sum()),
                )
            )
            if self.fsw_mode == "done":
                self.end_reason = "fsw_done"
                break
            if plant.collision:
                self.end_reason = "collision"
                break
            if self.steps % 256 == 0:
                self._flush_archive(t_flushed, t)
                t_flushed = t
            plant.advance(period)
            t = plant.t
        self.t = t
        self.loop_s = time.perf_counter() - loop_start
        self.loop_cpu_s = time.process_time() - cpu_start
        end = P.encode(
            P.BY_NAME["sim_end"],
            self.seq(P.APID_SIM_END),
            *P.cuc(t),
            (self.steps, t, P.END_REASONS.index(self.end_reason)),
        )
        try:
            self._send([end])
        except SilError:
            pass
        self._flush_archive(t_flushed, t)

    def fsw_view(self) -> Any:
        """What the outcome classifier needs to know of the executive, from its telemetry."""
        from types import SimpleNamespace

        from autonomy.modes import Mode

        status = self.fsw_status if self.fsw_status != "unknown" else self.ground.status[0]
        mode = Mode(self.fsw_mode) if self.fsw_mode in P.MODES else Mode.SAFE
        return SimpleNamespace(status=status, status_reason=self.ground.status[1], mode=mode)


def main(argv: list[str] | None = None) -> int:
    """Serve one scenario run to the first flight software that connects."""
    import argparse
    import json

    from missions.sil.harness import load_sil_spec, summarise_session

    ap = argparse.ArgumentParser(
        prog="python -m missions.sil.plant", description="SIL plant server"
    )
    ap.add_argument("--scenario", default="nominal")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--archive", default="sil-telemetry.kpa")
    ap.add_argument("--max-steps", type=int, default=None)
    args = ap.parse_args(argv)
    spec = load_sil_spec(args.scenario)
    srv = socket.create_server((args.host, args.port))
    print(f"plant listening on {args.host}:{srv.getsockname()[1]}", flush=True)
    conn, _ = srv.accept()
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    Path(args.archive).unlink(missing_ok=True)
    session = PlantSession(
        spec, args.seed, conn, archive_path=args.archive, max_steps=args.max_steps
    )
    try:
        session.run()
    finally:
        conn.close()
        srv.close()
    print(json.dumps(summarise_session(session, Path(args.archive))), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
