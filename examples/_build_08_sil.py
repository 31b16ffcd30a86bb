"""Build ``examples/08_sil.ipynb`` from the cells below.

Run ``.venv/bin/python examples/_build_08_sil.py`` after editing; add ``--execute`` to
run it once (the notebook is stored unexecuted; the test run executes it with nbmake).
"""

from __future__ import annotations

import sys
from pathlib import Path

from _notebook import write_notebook

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "08_sil.ipynb"

CELLS = [
    (
        "md",
        """# Flight software in the loop (SIL): your code against the simulated spacecraft

In a SIL run the flight software runs **in its own process** and sees the
spacecraft only as packets on one TCP connection (loopback): CCSDS space packets
with PUS-C headers, CUC time and a CRC, the same kind a flight computer gets from
its bus. The other side of the socket is kamo's *plant*: the dynamics around the
small body, the sensors, the thrusters, the scenario's hardware faults, a ground
station that sends signed telecommands, and an archive of every packet.

Plant and flight software run in **lock step**. One cycle:

| | plant (harness process) | | flight software (its own process) |
|---|---|---|---|
| 1 | sensor packets for step *k* (nav, altimeter, IMU, power, ...), ground telecommands | -> | reads until `sim_step` |
| 2 | `sim_step(k, t, deadline_ms)` closes the batch | -> | computes step *k* at time *t* |
| 3 | | <- | actuator commands, its own telemetry (housekeeping, decision events), then `sim_step_done(k, t, mode, status)` |
| 4 | applies the commands, advances the world by the requested cadence (s), archives both directions | | |

Nothing reads the wall clock except the answer **deadline** (a late answer is
an *overrun*: the plant steps on with the previous commands) and the
**watchdog** (a process that dies or stops answering ends the run with
`FswCrashed` / `FswHung`). So equal seeds give byte-identical telemetry archives.

This notebook runs kamo's reference flight software (the autonomy executive)
through the nominal descent, reads what came down, flies a thruster failure,
a command-injection attack, then plugs in a flight software of our own and
shows the watchdog at work. The protocol reference is `docs/sil-protocol.md`.""",
    ),
    (
        "code",
        """import sys
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from missions.sil import FswCrashed, FswHung, run_sil
from missions.sil import protocol as P

work = Path(tempfile.mkdtemp(prefix="kamo-sil-nb-"))   # archives and FSW output land here
pd.set_option("display.max_colwidth", 70)""",
    ),
    (
        "md",
        """## The nominal descent, with the reference flight software in its own process

`run_sil` opens a server on a free port of 127.0.0.1, starts
`python -m missions.sil.fsw_reference` as a child process, flies the scenario
to its end and tears the process down (also on failure). With `workdir` the raw
archive and the flight software's stdout/stderr are kept.""",
    ),
    (
        "code",
        """sil = run_sil("nominal", seed=1, workdir=work / "nominal")
sil""",
    ),
    (
        "code",
        """touch = sil.touchdowns[0]
print(f"outcome            {sil.outcome} ({sil.reason}); run ended by: {sil.end_reason}")
print(f"lock-step cycles   {sil.steps}, overruns {sil.overruns}, flight-software pid {sil.fsw_pid} (exit code {sil.fsw_returncode})")
print(f"packets            {sil.packets_down} plant -> FSW, {sil.packets_up} FSW -> plant")
print(f"simulated          {sil.trajectory.time.values[-1]:.0f} s in {sil.loop_s:.2f} s of wall clock: "
      f"{sil.steps / sil.loop_s:.0f} cycles/s ({sil.wall_s:.1f} s with start-up and teardown)")
print(f"touchdown          t = {touch['t']:.0f} s, vertical {touch['vertical_speed_m_s']:.3f} m/s, "
      f"lateral {touch['lateral_speed_m_s']:.3f} m/s")
print(f"left               {sil.resources['propellant_kg']:.2f} kg propellant, battery {sil.resources['battery_soc']:.1%}")
print(f"archive            {sil.archive_path.name}, SHA-256 {sil.telemetry_sha256[:16]}...")""",
    ),
    (
        "md",
        """Cycles per second depend on the machine and its load (two processes hand over
at every cycle); the outcome, the log and the archive hash do not. Run it again
with the same seed and you get the same `telemetry_sha256`.

## What came down: telemetry and the decision log

The working directory holds the raw archive (`telemetry.kpa`, every packet both
ways as delivered), the scenario and key the flight software was given, and its
stdout/stderr:""",
    ),
    (
        "code",
        """{p.name: f"{p.stat().st_size / 1024:.1f} KiB" for p in sorted((work / "nominal").iterdir())}""",
    ),
    (
        "md",
        """`sil.telemetry` decodes the archive into one xarray Dataset per packet type,
time in simulation seconds, every variable with its units:""",
    ),
    (
        "code",
        """print(sorted(sil.telemetry))
sil.telemetry["nav"]""",
    ),
    (
        "md",
        """The executive's decision log came down as PUS ST[5,1] event packets; the
harness rebuilds it (`sil.log`, an `autonomy.log.EventLog`) and gives it as a
table, one column per number a decision was taken on (units in the column
names). Mode changes and the go/no-go gates:""",
    ),
    (
        "code",
        """df = sil.decisions
df[df.decision.isin(["MODE", "GO", "SAMPLE-OK"])][
    ["t", "mode", "decision", "reason", "altitude_m", "nav_sigma_m", "propellant_after_kg"]
].rename(columns={"t": "t_s"})""",
    ),
    (
        "md",
        """Altitude (truth and the altimeter's range as the flight software saw it),
the thrust it commanded (sum of the twelve duty cycles x 10 N per thruster),
and the executive's mode as reported in each `sim_step_done`. (The altimeter
measures slant range along the spacecraft's -z axis, out to 300 m, so it
parts from the altitude when the spacecraft does not point straight down.)""",
    ),
    (
        "code",
        """traj, tel = sil.trajectory, sil.telemetry
alt = tel["altimeter"]
cmd = tel["thruster_cmd"]
thrust_n = 10.0 * sum(cmd[f"duty_{i:02d}"] for i in range(12))
mode_code = np.array([P.MODE_CODES[m] for m in traj["mode"].values])
used = sorted(set(mode_code))

fig, ax = plt.subplots(3, 1, figsize=(9, 7), sharex=True, height_ratios=[2, 1, 1.3])
ax[0].plot(traj.time, traj.altitude, lw=1, label="altitude (truth)")
valid = alt.valid == 1
ax[0].plot(alt.time[valid], alt.range[valid], ".", ms=1.5, label="altimeter range (telemetry)")
ax[0].set_yscale("symlog", linthresh=1.0)
ax[0].set_ylabel("m")
ax[0].legend(fontsize=8)
ax[0].set_title(f"nominal, seed 1, through the SIL harness: {sil.outcome}")
ax[1].plot(cmd.time, thrust_n, lw=0.8, color="C3")
ax[1].set_ylabel("commanded\\nthrust (N)")
ax[2].step(traj.time, mode_code, where="post", color="C2")
ax[2].set_yticks(used, [P.MODES[c] for c in used], fontsize=8)
ax[2].set_xlabel("simulation time (s)")
fig.tight_layout()""",
    ),
    (
        "md",
        """The archive is ordinary ground-segment telemetry too: the link is described
as an XTCE dictionary (`missions/sil/sil_tm.xml`), so kamo's ground tools
decommutate it like any other pass. Time comes from the packets' CUC field,
here in UTC (the SIL epoch is 2026-07-01T00:00:00 TAI, 37 s later than UTC
midnight), and parameters are named `PACKET_FIELD`. The flight software's
housekeeping, every 400th packet:""",
    ),
    (
        "code",
        """from ground.archive import RawStore
from ground.bulk import decode_bytes
from ground.decom import decommutate
from missions.sil.dictionary import sil_dictionary

d = sil_dictionary()
ground = decommutate(decode_bytes(RawStore(sil.archive_path).packet_bytes(), d), d)
hk = ground["HK"].to_dataframe()[["HK_MODE", "HK_REPLANS", "HK_LOG_ENTRIES", "HK_TC_ACCEPTED", "HK_CRC_ERRORS"]]
hk.iloc[::400]""",
    ),
    (
        "md",
        """## A hardware fault: a thruster stuck off during the descent

The registered scenario `thruster-stuck-off` fails thruster 8 ("+z A") below
70 m. The flight software only sees it in telemetry: commanded on, but the
chamber-pressure flag (`thruster_tm.firing`, bit 8) stays off. Its fault
detection, isolation and recovery (FDIR) isolates the thruster, waves off and,
with half the upward authority left, does not try again. Until the isolation
the executive commands both branches of the +z pair alike; afterwards branch
B carries the braking alone.""",
    ),
    (
        "code",
        """bad = run_sil("thruster-stuck-off", seed=1)
print(bad, "\\n")
for e in bad.log:
    if e.decision in ("FAULT", "FDIR", "WAIVE-OFF", "ABORT") or (e.decision == "MODE" and e.t > 1000):
        print(str(e)[:170])""",
    ),
    (
        "code",
        """cmd, tm = bad.telemetry["thruster_cmd"], bad.telemetry["thruster_tm"]
iso = bad.telemetry["isolation_cmd"]
fdir_t = float(bad.decisions.query("decision == 'FDIR'").t.iloc[0])
traj = bad.trajectory
t_fail = float(traj.time[(traj.altitude < 70.0) & (traj.mode == "tag_descent")][0])   # s: below 70 m
win = slice(t_fail - 10.0, fdir_t + 25.0)

fig, ax = plt.subplots(2, 1, figsize=(9, 4.5), sharex=True)
for i, name, lw in ((8, "+z A (failed)", 3.0), (9, "+z B", 1.2)):
    ax[0].step(cmd.time.sel(time=win), cmd[f"duty_{i:02d}"].sel(time=win), where="post", lw=lw, label=f"thruster {i} {name}")
    firing = (tm.firing.sel(time=win) >> i) & 1
    ax[1].step(tm.time.sel(time=win), firing, where="post", lw=lw, label=f"thruster {i} {name}")
for a in ax:
    a.axvline(t_fail, color="C3", ls="--", lw=1)
    a.axvline(fdir_t, color="k", ls=":", lw=1)
ax[0].text(t_fail, 0.5, " fails (below 70 m)", color="C3", fontsize=8)
ax[0].text(fdir_t, 0.5, " FDIR ", color="k", fontsize=8, ha="right")
ax[0].set_ylabel("commanded duty (1)")
ax[1].set_ylabel("chamber pressure\\nflag (1)")
ax[1].set_xlabel("simulation time (s)")
ax[0].legend(fontsize=8)
ax[0].set_title(f"isolation command at t = {float(iso.time[0]):.0f} s: thruster {int(iso.thruster[0])}, "
                f"'{str(iso.reason.values[0])}...'", fontsize=9)
fig.tight_layout()""",
    ),
    (
        "md",
        """Besides the plant's hardware faults (`[[faults]]` in a scenario), the SIL
harness injects faults only a packet link can have, from the scenario's `[sil]`
table or the `faults=` argument: link faults (drop, delay, reorder, corrupt,
per packet type), sensor faults (bias, freeze, fail), actuator faults, signals
to the flight-software process (crash, hang, stall) and ground-side attacks.

## An attack on the uplink: rejected onboard

`replay-attack` is the nominal mission with an unauthenticated `abort` at 300 s
and a replay of the (genuinely signed) ground goal at 600 s. We only need the
first 130 cycles (5 s cadence) to see both rejected by the flight software's
telecommand verifier and reported down as PUS ST[1,2]; the run then stops on
`max_steps` (the outcome, `postponed`, only says the mission was not finished):""",
    ),
    (
        "code",
        """atk = run_sil("replay-attack", seed=1, max_steps=130)
print(atk, "->", atk.end_reason)
pd.DataFrame(atk.rejections)""",
    ),
    (
        "code",
        """v = atk.telemetry["verification"].to_dataframe()
v["report"] = v.subtype.map({1: "TM[1,1] accepted", 2: "TM[1,2] rejected"})
v""",
    ),
    (
        "md",
        """## Plugging in your own flight software

Any program that speaks the protocol can take the reference flight software's
place: give `run_sil` (or `kamo sil run --fsw`) its command line, with
`{host}`, `{port}`, `{key_file}` and `{spec}` filled in by the harness. The
packet layouts are tables in `docs/sil-protocol.md`; `examples/sil_client.c` is
a complete client in C.

Here is one in Python with nothing but `socket` and `struct`: it reads the
navigation solution, holds a 0.3 m/s descent along the body's z axis with two
thrusters (bang-bang), and answers each `sim_step` with a `thruster_cmd` and
`sim_step_done` in one send. It is not an executive, so it reports mode 0 and
status 0.""",
    ),
    (
        "code",
        """fsw_file = work / "my_fsw.py"
fsw_cmd = [sys.executable, str(fsw_file), "{host}", "{port}"]""",
    ),
    (
        "code",
        '''%%writefile {fsw_file}
"""A team's flight software: descend at 0.3 m/s on the navigation solution (Python, no kamo import)."""
import socket
import struct
import sys
from binascii import crc_hqx

TARGET_VZ = -0.3  # m/s: descend along the body's z axis (the start is over the pole)


def tm(apid, service, subtype, seq, cuc, payload):
    """One SIL packet: primary header, PUS-C TM header, the step's CUC time, payload, CRC-16."""
    body = bytes([0x20, service, subtype, 0, 0, 0, 0]) + cuc + payload
    raw = struct.pack(">HHH", 0x0800 | apid, 0xC000 | (seq & 0x3FFF), len(body) + 1) + body
    return raw + struct.pack(">H", crc_hqx(raw, 0xFFFF))


sock = socket.create_connection((sys.argv[1], int(sys.argv[2])))
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
buf, seq, vz = b"", 0, 0.0
while data := sock.recv(65536):
    buf += data
    while len(buf) >= 6 and len(buf) >= 7 + int.from_bytes(buf[4:6], "big"):
        n = 7 + int.from_bytes(buf[4:6], "big")
        pkt, buf = buf[:n], buf[n:]
        if crc_hqx(pkt, 0xFFFF):  # damaged on the link: drop it
            continue
        apid = int.from_bytes(pkt[:2], "big") & 0x7FF
        if apid == 0x020:  # nav: velocity z (body-fixed), m/s
            vz = struct.unpack_from(">d", pkt, 59)[0]
        elif apid == 0x011:  # sim_step: decide, answer with a command + sim_step_done
            step, t = struct.unpack_from(">Id", pkt, 19)
            duty = [0.0] * 12
            duty[8 if vz < TARGET_VZ else 10] = 1.0  # thruster 8 pushes +z (brake), 10 pushes -z
            cuc = pkt[13:19]  # the step's time field, copied
            out = tm(0x040, 131, 1, seq, cuc, struct.pack(">13d", *duty, 1.0))  # 12 duties, hold 1 s
            out += tm(0x012, 128, 3, seq, cuc, struct.pack(">IdHBB", step, t, 1, 0, 0))
            sock.sendall(out)  # one send per answer
            seq += 1
        elif apid == 0x013:  # sim_end
            print(f"fsw: end after {seq} steps, last v_z {vz:+.3f} m/s")
            sys.exit(0)''',
    ),
    (
        "code",
        """mine = run_sil("nominal", fsw=fsw_cmd, max_steps=90)
print(mine)
print(mine.fsw_stdout)

nav, truth = mine.telemetry["nav"], mine.trajectory
fig, ax = plt.subplots(figsize=(9, 3))
ax.plot(truth.time, truth.vz, label="v_z truth")
ax.plot(nav.time, nav.v_z, ".", ms=3, label="v_z navigation (what the FSW saw)")
ax.axhline(-0.3, color="k", ls=":", lw=1, label="target")
ax.set_xlabel("simulation time (s)")
ax.set_ylabel("m/s")
ax.legend(fontsize=8)
ax.set_title("our own flight software, 1 s cadence (no cadence packet sent)", fontsize=9);""",
    ),
    (
        "md",
        """## Deadlines, overruns and the watchdog

With `step_deadline_s` the plant waits only that long (wall clock) for each
answer. Here the flight-software process is stopped (SIGSTOP) for 0.5 s at
t = 20 s with a 0.1 s deadline: the cycles it misses are counted as overruns,
their late commands are dropped, and the run goes on. (The default deadline is
60 s, so that ordinary runs stay reproducible on a loaded machine; the exact
overrun count here depends on timing.)""",
    ),
    (
        "code",
        """late = run_sil("nominal", fsw=fsw_cmd, max_steps=60, step_deadline_s=0.1,
               faults={"fsw_faults": [{"kind": "stall", "at_s": 20.0, "duration_s": 0.5}]})
print(late)
print(f"overruns: {late.overruns} of {late.steps} cycles")""",
    ),
    (
        "md",
        """A crash (here a SIGSEGV sent at t = 10 s) or a hang (SIGSTOP, with a 1 s
watchdog) ends the run at once with an exception naming the step, the
simulation time and the tail of the flight software's stderr; the process
group is always killed, so nothing is left behind.""",
    ),
    (
        "code",
        """for fault, kwargs in (("crash", {}), ("hang", {"hang_timeout_s": 1.0})):
    try:
        run_sil("nominal", fsw=fsw_cmd, max_steps=60, **kwargs,
                faults={"fsw_faults": [{"kind": fault, "at_s": 10.0}]})
    except (FswCrashed, FswHung) as exc:
        print(f"{type(exc).__name__}: {exc}")""",
    ),
    (
        "md",
        """## In a test suite: the `run_sil` pytest fixture

`missions.sil.pytest_plugin` gives a `run_sil` fixture with the same arguments.
Each call gets its own directory under the test's `tmp_path` (archive, FSW
stdout/stderr stay there when a test fails) and a 60 s watchdog, so a hung
flight software fails the test instead of holding the run:

```python
# conftest.py
pytest_plugins = ["missions.sil.pytest_plugin"]
```

```python
# test_fsw_in_the_loop.py
FSW = ["./build/fsw", "{host}", "{port}", "--key", "{key_file}"]

def test_nominal_descent_samples(run_sil):
    sil = run_sil("nominal", fsw=FSW, seed=1)
    assert sil.outcome == "sampled"
    assert sil.overruns == 0 and sil.rejected_commands == 0
    assert sil.touchdowns[0]["vertical_speed_m_s"] < 0.3      # m/s

def test_stuck_thruster_is_isolated(run_sil):
    sil = run_sil("thruster-stuck-off", fsw=FSW, seed=1)
    assert sil.outcome == "aborted_safe"
    iso = sil.telemetry["isolation_cmd"]
    assert list(iso.thruster.values) == [8] and list(iso.enable.values) == [0]

def test_forged_commands_never_fly(run_sil):
    sil = run_sil("replay-attack", fsw=FSW, seed=1)
    assert [r["reason"] for r in sil.rejections] == ["NOT_AUTHENTICATED", "REPLAY"]
```

## From the shell

```
kamo sil run nominal --seed 1 --json                    # the reference flight software
cc -O2 -o sil_client examples/sil_client.c
kamo sil run nominal --fsw "./sil_client {host} {port}" --max-steps 20 --json
kamo sil run thruster-stuck-off --archive-dir run1/    # keep telemetry.kpa, fsw.stdout, fsw.stderr
```

A crash or hang exits with code 1 and outcome `fsw_crashed` / `fsw_hung`. To
debug your flight software by hand, run the plant alone
(`python -m missions.sil.plant --scenario nominal --seed 1 --port 5700`) and
start your program under a debugger against port 5700.""",
    ),
    (
        "code",
        """import shutil

shutil.rmtree(work)   # the archives and FSW output of this notebook""",
    ),
]


if __name__ == "__main__":
    write_notebook(CELLS, NOTEBOOK, sys.argv)
