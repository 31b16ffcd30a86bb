"""Flight software in the loop: run a scenario with the flight software in its own process.

:func:`run_sil` starts the plant server (:mod:`missions.sil.plant`) on a free
port on 127.0.0.1, the flight software (kamo's reference executive, or any
program given as ``fsw``), and the ground archive; runs the scenario to its end
in lock step; tears everything down, also on failure; and returns a
:class:`SilResult` with the telemetry as xarray Datasets and the executive's
event log as it came down in telemetry.

>>> from missions.sil import run_sil
>>> sil = run_sil("nominal", seed=1)                          # doctest: +SKIP
>>> sil.outcome, sil.overruns, sil.rejected_commands
('sampled', 0, 0)
>>> sil.telemetry["altimeter"]["range"].plot()                # doctest: +SKIP

A flight-software crash or hang is caught by the plant's watchdog and raised
as :class:`FswCrashed` / :class:`FswHung` with the step, the simulation time and
the tail of the flight software's stderr.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from missions.sil import protocol as P
from missions.sil.plant import (
    DEFAULT_SPIN_S,
    FswCrashed,
    FswHung,
    FswStartError,
    PlantSession,
    SilError,
    check_spin,
    validate_sil,
)

__all__ = [
    "FswCrashed",
    "FswHung",
    "FswStartError",
    "SilError",
    "SilResult",
    "load_sil_spec",
    "run_sil",
]

REFERENCE_FSW = (
    sys.executable,
    "-m",
    "missions.sil.fsw_reference",
    "--host",
    "{host}",
    "--port",
    "{port}",
    "--spec",
    "{spec}",
    "--key-file",
    "{key_file}",
)


def load_sil_spec(name_or_path, **overrides) -> dict:
    """A scenario (registered name or file) with its ``[sil]`` table checked."""
    from missions import scenarios

    if "sil" not in scenarios._SECTIONS:  # older scenario loaders: accept the [sil] table
        scenarios._SECTIONS.add("sil")
    spec = scenarios.load_scenario(name_or_path, **overrides)
    spec["sil"] = validate_sil(spec.get("sil"))
    return spec


@dataclass
class SilResult:
    """A SIL run: outcome, lock-step and link figures, telemetry datasets and the event log."""

    scenario: str
    seed: int
    outcome: str
    reason: str
    steps: int
    overruns: int
    packets_up: int
    packets_down: int
    rejected_commands: int
    accepted_commands: int
    fsw_pid: int | None
    telemetry_sha256: str
    telemetry: dict[str, xr.Dataset] = field(repr=False)
    log: Any = field(repr=False)
    trajectory: xr.Dataset = field(repr=False)
    rejections: list[dict] = field(default_factory=list, repr=False)
    min_altitude_m: float = math.nan
    resources: dict[str, float] = field(default_factory=dict, repr=False)
    touchdowns: list[dict] = field(default_factory=list, repr=False)
    end_reason: str = ""
    link_faults: dict[str, int] = field(default_factory=dict, repr=False)
    fsw_returncode: int | None = None
    fsw_stdout: str = field(default="", repr=False)
    expected_outcome: str | None = None
    archive_path: Path | None = None
    wall_s: float = 0.0
    loop_s: float = 0.0
    #: CPU seconds the plant's process spent in the lock-step loop (the flight software's are its own).
    loop_cpu_s: float = 0.0

    @property
    def decisions(self):
        """The event log (from telemetry) as a pandas DataFrame."""
        return self.log.to_dataframe()

    def to_dict(self) -> dict[str, Any]:
        """The figures ``kamo sil run --json`` prints."""
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "outcome": self.outcome,
            "reason": self.reason,
            "expected_outcome": self.expected_outcome,
            "steps": self.steps,
            "overruns": self.overruns,
            "packets_up": self.packets_up,
            "packets_down": self.packets_down,
            "rejected_commands": self.rejected_commands,
            "accepted_commands": self.accepted_commands,
            "rejections": self.rejections,
            "fsw_pid": self.fsw_pid,
            "fsw_returncode": self.fsw_returncode,
            "telemetry_sha256": self.telemetry_sha256,
            "end_reason": self.end_reason,
            "link_faults": self.link_faults,
            "min_altitude_m": self.min_altitude_m,
            "decisions": len(self.log),
            "wall_s": self.wall_s,
            "cycles_per_s": self.steps / self.loop_s if self.loop_s > 0 else None,
        }

    def __repr__(self) -> str:
        return (
            f"SilResult({self.scenario!r}, seed={self.seed}, outcome={self.outcome!r}, {self.steps} steps, "
            f"{self.overruns} overruns, {self.packets_down} packets down / {self.packets_up} up, "
            f"{self.rejected_commands} commands rejected, telemetry {self.telemetry_sha256[:12]})"
        )


# ----------------------------------------------------------------------------- telemetry
def telemetry_datasets(raw: bytes) -> dict[str, xr.Dataset]:
    """One Dataset per SIL packet type found in an archive's packet stream (time = simulation s)."""
    rows: dict[str, list] = {}
    times: dict[str, list] = {}
    verif: list[tuple] = []
    packets, _ = P.split_stream(bytearray(raw))
    for pkt in packets:
        apid, service, sub, is_tc = P.packet_key(pkt)
        if is_tc or not P.crc_ok(pkt):
            continue
        ptype = P.BY_KEY.get((apid, service, sub))
        if ptype is not None and len(pkt) == ptype.length:
            rows.setdefault(ptype.name, []).append(P.decode(ptype, pkt))
            times.setdefault(ptype.name, []).append(P.packet_time(pkt))
        elif service == P.VERIFICATION_SERVICE:
            body = pkt[P.TM_PREFIX_LEN : -P.CRC_LEN]
            code = int.from_bytes(body[4:6], "big") if sub == 2 else 0
            req = int.from_bytes(body[0:2], "big") & 0x7FF
            verif.append(
                (P.packet_time(pkt), sub, req, int.from_bytes(body[2:4], "big") & 0x3FFF, code)
            )
    out = {}
    for name, vals in rows.items():
        ptype = P.BY_NAME[name]
        t = np.asarray(times[name], float)
        ds = xr.Dataset(
            coords={"time": ("time", t, {"units": "s", "long_name": "simulation time (CUC)"})}
        )
        for j, (fname, code, units, long) in enumerate(ptype.fields):
            col = [v[j] for v in vals]
            if code.endswith("s"):
                arr = np.array([P.untext(c) for c in col], dtype=str)
            elif code == "d":
                arr = np.asarray(col, float)
            else:
                arr = np.asarray(col, np.int64)
            attrs = {"long_name": long}
            if not code.endswith("s"):
                attrs["units"] = units
            ds[fname] = ("time", arr, attrs)
        ds.attrs.update(
            packet=name,
            apid=ptype.apid,
            service=ptype.service,
            subservice=ptype.subservice,
            description=ptype.description,
            epoch=f"{P.EPOCH_ISO_TAI} TAI",
        )
        out[name] = ds
    if verif:
        a = np.asarray(verif, float)
        ds = xr.Dataset(
            coords={"time": ("time", a[:, 0], {"units": "s", "long_name": "simulation time (CUC)"})}
        )
        ds["subtype"] = (
            "time",
            a[:, 1].astype(int),
            {"units": "1", "long_name": "1 accepted, 2 rejected"},
        )
        ds["request_apid"] = (
            "time",
            a[:, 2].astype(int),
            {"units": "1", "long_name": "APID of the telecommand"},
        )
        ds["request_seq"] = (
            "time",
            a[:, 3].astype(int),
            {"units": "1", "long_name": "sequence count of the telecommand"},
        )
        ds["failure_code"] = (
            "time",
            a[:, 4].astype(int),
            {"units": "1", "long_name": "ground.auth.FailureCode (0: accepted)"},
        )
        ds.attrs.update(
            packet="verification", service=1, description="PUS ST[01] acceptance reports"
        )
        out["verification"] = ds
    return out


def _trajectory(session: PlantSession, outcome: str) -> xr.Dataset:
    recs = session.records
    t = np.array([r.t for r in recs], float)
    x = np.array([r.x for r in recs], float).reshape(-1, 6)
    ds = xr.Dataset(coords={"time": ("time", t, {"units": "s", "long_name": "simulation time"})})
    for j, (name, long) in enumerate(
        [
            ("x", "position x"),
            ("y", "position y"),
            ("z", "position z"),
            ("vx", "velocity x"),
            ("vy", "velocity y"),
            ("vz", "velocity z"),
        ]
    ):
        ds[name] = (
            "time",
            x[:, j],
            {"units": "m" if j < 3 else "m/s", "long_name": f"{long}, body-fixed (truth)"},
        )
    ds["altitude"] = (
        "time",
        np.array([r.altitude for r in recs]),
        {"units": "m", "long_name": "height above the ellipsoid"},
    )
    ds["propellant"] = (
        "time",
        np.array([r.propellant for r in recs]),
        {"units": "kg", "long_name": "propellant left"},
    )
    ds["battery_soc"] = (
        "time",
        np.array([r.soc for r in recs]),
        {"units": "1", "long_name": "battery state of charge"},
    )
    ds["mode"] = (
        "time",
        np.array([r.mode for r in recs], dtype=str),
        {"long_name": "executive mode (from STEP_DONE)"},
    )
    ds["thruster_duty_sum"] = (
        "time",
        np.array([r.duty_sum for r in recs]),
        {"units": "1", "long_name": "sum of duty cycles"},
    )
    ds.attrs.update(scenario=str(session.spec.get("name")), seed=session.seed, outcome=outcome)
    return ds


def _event_log(events):
    from autonomy.log import EventLog

    log = EventLog()
    for t, mode, decision, reason, numbers in events:
        log.record(t, mode, decision, reason, **numbers)
    return log


def summarise_session(session: PlantSession, archive: Path) -> dict:
    """Outcome and counters of a finished session (what the standalone plant prints)."""
    from missions.scenarios import _classify

    outcome, reason = _classify(session.fsw_view(), session.plant)
    return {
        "scenario": session.spec.get("name"),
        "seed": session.seed,
        "outcome": outcome,
        "reason": reason,
        "steps": session.steps,
        "overruns": session.overruns,
        "packets_up": session.packets_up,
        "packets_down": session.packets_down,
        "rejected_commands": len(session.ground.rejections),
        "telemetry_sha256": hashlib.sha256(archive.read_bytes()).hexdigest(),
    }


# ----------------------------------------------------------------------------- process control
def _fsw_command(fsw, fields: dict[str, str]) -> list[str]:
    if fsw is None:
        cmd = list(REFERENCE_FSW)
    elif isinstance(fsw, str):
        cmd = shlex.split(fsw)
    else:
        cmd = [str(c) for c in fsw]
    if not cmd:
        raise ValueError(
            "fsw must be a command (a list of arguments or a string), got an empty one"
        )
    out = []
    for c in cmd:
        for k, v in fields.items():
            c = c.replace("{" + k + "}", v)
        out.append(c)
    return out


def _tail_reader(path: Path, lines: int = 12):
    def tail() -> str:
        try:
            text = path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.strip().splitlines()[-lines:])

    return tail


def _kill(proc: subprocess.Popen, grace_s: float) -> None:
    """End the flight-software process (and its process group); never leaves it behind."""
    if proc.poll() is None and grace_s > 0:
        try:
            proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            pass
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            proc.kill()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL cannot be ignored
        pass


def _accept(srv: socket.socket, proc: subprocess.Popen, timeout_s: float, tail) -> socket.socket:
    deadline = time.monotonic() + timeout_s
    srv.settimeout(0.2)
    while True:
        try:
            conn, _ = srv.accept()
            break
        except TimeoutError:
            if proc.poll() is not None:
                text = tail()
                raise FswStartError(
                    f"flight software (pid {proc.pid}) exited with code {proc.returncode} before connecting"
                    + (f"; its last stderr lines:\n{text}" if text else "")
                ) from None
            if time.monotonic() > deadline:
                raise FswStartError(
                    f"flight software (pid {proc.pid}) did not connect within {timeout_s:.0f} s"
                ) from None
    conn.settimeout(None)
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return conn


def run_sil(
    scenario,
    fsw=None,
    seed: int = 0,
    *,
    faults: dict | None = None,
    max_steps: int | None = None,
    step_deadline_s: float | None = None,
    hang_timeout_s: float | None = None,
    spin_s: float | None = None,
    startup_timeout_s: float = 60.0,
    workdir: str | Path | None = None,
    key: bytes | None = None,
    **overrides,
) -> SilResult:
    """Run ``scenario`` (registered name or file) with the flight software ``fsw`` in its own process.

    ``fsw`` is a command (list or string; ``{host}``, ``{port}``, ``{spec}``,
    ``{key_file}`` are filled in, and ``KAMO_SIL_HOST``/``KAMO_SIL_PORT``/
    ``KAMO_SIL_KEY_FILE`` are set), or None for kamo's reference flight software.
    ``faults`` is a ``[sil]`` table that replaces the scenario's (link, sensor,
    actuator and FSW faults, attacks); ``overrides`` change scenario keys as in
    :func:`missions.scenarios.load_scenario` (``duration_s=600``). The archive is
    kept in ``workdir`` when one is given. ``spin_s`` is how long each side polls its
    socket before blocking (default ``DEFAULT_SPIN_S``, 2 ms; 0 blocks at once); the
    flight-software process finds it in ``KAMO_SIL_SPIN_S``.
    """
    spin_s = check_spin(DEFAULT_SPIN_S if spin_s is None else spin_s)
    spec = load_sil_spec(scenario, **overrides)
    if faults is not None:
        spec["sil"] = validate_sil(faults)
    key = bytes(key) if key is not None else P.DEFAULT_KEY
    own_dir = workdir is None
    wd = Path(tempfile.mkdtemp(prefix="kamo-sil-")) if own_dir else Path(workdir)
    wd.mkdir(parents=True, exist_ok=True)
    archive = wd / "telemetry.kpa"
    archive.unlink(missing_ok=True)
    spec_file, key_file = wd / "scenario.json", wd / "mission.key"
    spec_file.write_text(json.dumps(spec, default=str))
    key_file.write_text(key.hex())
    stderr_path, stdout_path = wd / "fsw.stderr", wd / "fsw.stdout"
    srv = socket.create_server(("127.0.0.1", 0))
    port = srv.getsockname()[1]
    fields = {
        "host": "127.0.0.1",
        "port": str(port),
        "spec": str(spec_file),
        "key_file": str(key_file),
        "scenario": str(scenario),
    }
    cmd = _fsw_command(fsw, fields)
    env = dict(
        os.environ,
        KAMO_SIL_HOST="127.0.0.1",
        KAMO_SIL_PORT=str(port),
        KAMO_SIL_KEY_FILE=str(key_file),
        KAMO_SIL_SPIN_S=repr(spin_s),
    )
    tail = _tail_reader(stderr_path)
    t0 = time.perf_counter()
    proc = None
    conn = None
    ok = False
    try:
        with open(stderr_path, "wb") as err, open(stdout_path, "wb") as out:
            try:
                proc = subprocess.Popen(
                    cmd,
                    stdout=out,
                    stderr=err,
                    stdin=subprocess.DEVNULL,
                    env=env,
                    start_new_session=True,
                )
            except OSError as exc:
                raise FswStartError(f"cannot start flight software {cmd[0]!r}: {exc}") from None
        conn = _accept(srv, proc, startup_timeout_s, tail)
        session = PlantSession(
            spec,
            seed,
            conn,
            archive_path=archive,
            process=proc,
            max_steps=max_steps,
            step_deadline_s=step_deadline_s,
            hang_timeout_s=hang_timeout_s,
            key=key,
            stderr_tail=tail,
            spin_s=spin_s,
        )
        session.run()
        ok = True
    finally:
        if conn is not None:
            conn.close()
        srv.close()
        if proc is not None:
            _kill(proc, grace_s=10.0 if ok else 0.0)
        if not ok and own_dir:
            shutil.rmtree(wd, ignore_errors=True)
    result = _result(session, spec, archive, proc, stdout_path, time.perf_counter() - t0)
    if own_dir:
        shutil.rmtree(wd, ignore_errors=True)
    else:
        result.archive_path = archive
    return result


def _result(
    session: PlantSession, spec: dict, archive: Path, proc, stdout_path: Path, wall: float
) -> SilResult:
    from missions.scenarios import _classify

    raw_file = archive.read_bytes()
    outcome, reason = _classify(session.fsw_view(), session.plant)
    plant = session.plant
    return SilResult(
        scenario=str(spec.get("name")),
        seed=session.seed,
        outcome=outcome,
        reason=reason,
        steps=session.steps,
        overruns=session.overruns,
        packets_up=session.packets_up,
        packets_down=session.packets_down,
        rejected_commands=len(session.ground.rejections),
        accepted_commands=session.ground.accepted,
        fsw_pid=proc.pid if proc is not None else None,
        telemetry_sha256=hashlib.sha256(raw_file).hexdigest(),
        telemetry=telemetry_datasets(session.store.packet_bytes()),
        log=_event_log(session.ground.events),
        trajectory=_trajectory(session, outcome),
        rejections=session.ground.rejections,
        min_altitude_m=float(plant.min_altitude),
        resources={
            "propellant_kg": plant.propellant,
            "battery_soc": plant.soc,
            "data_stored_mbit": plant.stored_mbit,
        },
        touchdowns=plant.touches,
        end_reason=session.end_reason,
        link_faults=dict(session.link.counts),
        fsw_returncode=proc.returncode if proc is not None else None,
        fsw_stdout=stdout_path.read_text(errors="replace") if stdout_path.exists() else "",
        expected_outcome=spec.get("expected_outcome"),
        wall_s=wall,
        loop_s=session.loop_s,
        loop_cpu_s=session.loop_cpu_s,
    )
