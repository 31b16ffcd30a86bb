"""kamo's reference flight software: the autonomy executive behind the SIL protocol.

Run it as its own process; it connects to a plant and flies until ``SIM_END``::

    python -m missions.sil.fsw_reference --host 127.0.0.1 --port 5700 \\
        --scenario nominal --key-file sil.key

Each step it decodes the plant's sensor packets into :mod:`autonomy.observations`,
checks every ground telecommand with :class:`ground.auth.OnboardVerifier`
(accepted ones become goals, advisories or time-tagged commands; every verdict
goes down as a PUS ST[01] report), calls :meth:`autonomy.executive.Executive.step`
and answers with actuator packets, new event-log entries (ST[5,1]), a status
packet when the status changes (ST[140,1]), housekeeping (ST[3,25]) and
``SIM_STEP_DONE``, all in one ``send``. It reads no clock: time is the step time.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import socket
import sys
import time
from binascii import crc_hqx
from pathlib import Path

from missions.sil import protocol as P


def spec_for(scenario: str | None, spec_file: str | None) -> dict:
    """A scenario's resolved specification (a spec JSON file wins over a name)."""
    from missions.scenarios import load_scenario

    if spec_file:
        return json.loads(Path(spec_file).read_text())
    return load_scenario(scenario or "nominal")


def executive_for(scenario: str | None, spec_file: str | None):
    """The executive loaded with a scenario's configuration (a spec JSON file wins over a name)."""
    from autonomy.executive import Executive
    from missions.scenarios import executive_config

    return Executive(executive_config(spec_for(scenario, spec_file)))


def warm_up(spec: dict, max_steps: int = 600, replans: int = 2) -> int:
    """Fly a throwaway executive against a throwaway plant until it has re-planned ``replans`` times.

    Loading the compiled kernels (the convex planner's, gravity's) from numba's
    cache costs about half a second at their first call; done here, before the
    process connects, that cost is start-up instead of lock-step time. The
    flying executive is a separate object, so its decisions do not change.
    Returns the steps flown.
    """
    from autonomy.executive import Executive
    from missions.scenarios import Plant, executive_config

    plant, ex = Plant(spec, 0), Executive(executive_config(spec))
    t, first = 0.0, True
    for k in range(max_steps):
        cmds = ex.step(t, plant.observe(t, first=first))
        first = False
        if ex.replans >= replans or plant.collision:
            return k + 1
        plant.advance(plant.apply(t, cmds))
        t = plant.t
    return max_steps


def connect(host: str, port: int, timeout_s: float = 10.0) -> socket.socket:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            sock = socket.create_connection((host, port), timeout=timeout_s)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    sock.settimeout(None)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _recv(sock: socket.socket, spin_s: float) -> bytes:
    """The next bytes from ``sock``: polled for up to ``spin_s`` seconds, then a blocking read."""
    if spin_s > 0:
        end = time.monotonic() + spin_s
        sock.setblocking(False)
        try:
            while True:
                try:
                    return sock.recv(1 << 16)
                except BlockingIOError:
                    if time.monotonic() >= end:
                        break
        finally:
            sock.setblocking(True)
    return sock.recv(1 << 16)


class ReferenceFsw:
    """The executive, the telecommand verifier and the packet plumbing of one flight-software process."""

    def __init__(self, executive, key: bytes) -> None:
        from ground.auth import OnboardVerifier
        from missions.sil.codec import (
            ObservationDecoder,
            Sequencer,
            decode_ground_tc,
            encode_command,
        )

        self.ex = executive
        self.verifier = OnboardVerifier({1: key}, apids={P.APID_FSW_TC}, report_apid=P.APID_FSW_TM)
        self.obs_decoder = ObservationDecoder()
        self.seq = Sequencer()
        self.n_logged = 0
        self.status = (None, "")
        self.tc_accepted = self.tc_rejected = self.crc_errors = self.packets_rx = 0
        self.pending: list[bytes] = []
        self._decode_ground_tc, self._encode_command = decode_ground_tc, encode_command
        self._done, self._hk = P.BY_NAME["sim_step_done"], P.BY_NAME["hk"]

    def answer(self, step: int, t: float) -> bytes:
        """Process the buffered batch for step ``step`` at ``t``; the answer, ready to send."""
        decode_ground_tc, encode_command = self._decode_ground_tc, self._encode_command
        ct = P.cuc(t)
        out: list[bytes] = []
        obs = []
        by_apid, decode = P.BY_APID, self.obs_decoder.decode
        for pkt in self.pending:
            if pkt[0] & 0x10:  # packet type bit: a telecommand
                verdict = self.verifier.verify(pkt, time=P.time_field(t))
                if verdict.report is not None:
                    out.append(verdict.report)
                if not verdict.accepted:
                    self.tc_rejected += 1
                    continue
                self.tc_accepted += 1
                try:
                    obs.append(decode_ground_tc(verdict.subservice, verdict.args, t))
                except P.ProtocolError as exc:
                    print(f"fsw: accepted TC not understood: {exc}", file=sys.stderr)
                continue
            if crc_hqx(pkt, 0xFFFF):  # CRC residue not zero
                self.crc_errors += 1
                continue
            ptype = by_apid.get(((pkt[0] & 0x7) << 8) | pkt[1])
            if ptype is None or ptype.direction != "to_fsw":
                continue
            o = decode(ptype, pkt, t)
            if o is not None:
                obs.append(o)
        self.pending = []
        cmds = self.ex.step(t, obs)
        for c in cmds:
            out.append(encode_command(c, self.seq, ct))
        out.extend(self._telemetry(t, ct))
        mode = P.MODE_CODES.get(self.ex.mode.value, 255)
        status = P.STATUS_CODES.get(self.ex.status, 255)
        done = P.encode(
            self._done,
            self.seq(P.APID_SIM_STEP_DONE),
            *ct,
            (step, t, len(out), mode, status),
        )
        out.append(done)
        return b"".join(out)

    def _telemetry(self, t: float, ct) -> list[bytes]:
        out = []
        entries = self.ex.log.entries
        for e in entries[self.n_logged :]:
            payload = P.event_payload(e.t, e.mode, e.decision, e.reason, e.numbers)
            out.append(
                P.tm_packet(
                    P.APID_FSW_TM,
                    P.EVENT_SERVICE,
                    P.EVENT_SUBTYPE,
                    self.seq(P.APID_FSW_TM),
                    *ct,
                    payload,
                )
            )
        self.n_logged = len(entries)
        status = (self.ex.status, self.ex.status_reason)
        if status != self.status:
            self.status = status
            payload = P.status_payload(*status)
            out.append(
                P.tm_packet(
                    P.APID_FSW_TM,
                    P.SERVICE_FSW_STATUS,
                    P.STATUS_SUBTYPE,
                    self.seq(P.APID_FSW_TM),
                    *ct,
                    payload,
                )
            )
        hk = (
            P.MODE_CODES.get(self.ex.mode.value, 255),
            P.STATUS_CODES.get(self.ex.status, 255),
            min(self.ex.replans, 0xFFFF),
            min(self.ex.replan_failures, 0xFFFF),
            len(entries),
            min(self.tc_accepted, 0xFFFF),
            min(self.tc_rejected, 0xFFFF),
            min(self.crc_errors, 0xFFFF),
            self.packets_rx & 0xFFFFFFFF,
        )
        out.append(P.encode(self._hk, self.seq(P.APID_FSW_TM), *ct, hk))
        return out

    def run(self, sock: socket.socket, spin_s: float = 0.0) -> int:
        """Serve the plant until ``SIM_END`` (0) or the connection closes (0); 2 on a protocol mismatch.

        ``spin_s``: poll the socket this long before blocking in ``recv`` (see
        ``missions.sil.plant.DEFAULT_SPIN_S``).
        """
        buf = bytearray()
        step_type = P.BY_NAME["sim_step"]
        cpu_start = time.process_time()
        try:
            return self._serve(sock, buf, step_type, spin_s)
        finally:
            # one stdout line for benchmarks: this process's CPU time in the lock-step loop
            print(f"fsw loop_cpu_s {time.process_time() - cpu_start:.6f}", flush=True)

    def _serve(self, sock: socket.socket, buf: bytearray, step_type, spin_s: float) -> int:
        while True:
            data = _recv(sock, spin_s)
            if not data:
                return 0
            buf += data
            packets, used = P.split_stream(buf)
            del buf[:used]
            for pkt in packets:
                self.packets_rx += 1
                apid = ((pkt[0] & 0x7) << 8) | pkt[1]
                if apid == P.APID_SIM_STEP:
                    step, t, _flags, _n, _deadline = P.decode(step_type, pkt)
                    sock.sendall(self.answer(step, t))
                elif apid == P.APID_SIM_END:
                    return 0
                elif apid == P.APID_SIM_HELLO:
                    version = P.decode(P.BY_NAME["sim_hello"], pkt)[0]
                    if version != P.PROTOCOL_VERSION:
                        print(
                            f"fsw: plant speaks SIL protocol {version}, this is {P.PROTOCOL_VERSION}",
                            file=sys.stderr,
                        )
                        return 2
                else:
                    self.pending.append(pkt)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m missions.sil.fsw_reference", description=__doc__.splitlines()[0]
    )
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument(
        "--scenario",
        default="nominal",
        help="registered scenario name or file (executive configuration)",
    )
    ap.add_argument(
        "--spec", default=None, help="resolved scenario as JSON (written by the harness)"
    )
    ap.add_argument(
        "--key-file", default=None, help="mission key for telecommand authentication (hex)"
    )
    ap.add_argument(
        "--warm-up-steps",
        type=int,
        default=600,
        help="steps of a throwaway run before connecting, to load compiled kernels (0: none)",
    )
    ap.add_argument(
        "--spin-s",
        type=float,
        default=float(os.environ.get("KAMO_SIL_SPIN_S") or 0.0),
        help="poll the socket this long before blocking (s; default $KAMO_SIL_SPIN_S or 0)",
    )
    args = ap.parse_args(argv)
    from missions.sil.plant import check_spin

    try:
        check_spin(args.spin_s)
    except ValueError as exc:
        ap.error(f"--spin-s: {exc}")
    from autonomy.executive import Executive
    from ground.auth import load_key
    from missions.scenarios import executive_config

    key = load_key(args.key_file).secret if args.key_file else P.DEFAULT_KEY
    spec = spec_for(args.scenario, args.spec)
    fsw = ReferenceFsw(Executive(executive_config(spec)), key)
    if args.warm_up_steps > 0:
        # best effort: without it the run is the same, only its first re-plans are slower
        try:
            warm_up(spec, args.warm_up_steps)
        except Exception as exc:
            print(f"fsw: warm-up skipped ({type(exc).__name__}: {exc})", file=sys.stderr)
    # everything built so far (modules, kernels, the executive) lives for the whole run:
    # keep it out of the cyclic collector's scans of the oldest generation
    gc.collect()
    gc.freeze()
    sock = connect(args.host, args.port)
    try:
        return fsw.run(sock, args.spin_s)
    finally:
        sock.close()


if __name__ == "__main__":
    sys.exit(main())
