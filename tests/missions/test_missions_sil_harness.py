"""The SIL harness end to end: real processes, real sockets on 127.0.0.1, the `run_sil` fixture.

- a scenario through the harness flies exactly as in-process (same outcome, bit-identical truth);
- replay-attack: the unauthenticated and the replayed telecommand are rejected and the mission goes on;
- equal seeds give byte-identical raw archives;
- the watchdog reports a crash and a hang with a clear message, and no process is left behind;
- link, sensor and actuator faults from the scenario's [sil] table act where they should.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import sys

import numpy as np
import pytest

from missions.scenarios import run_scenario
from missions.sil import FswCrashed, FswHung, FswStartError


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.slow
def test_replay_attack_rejected_and_mission_flies_as_in_process(run_sil):
    # the in-process reference flies in a spawned worker meanwhile (lock step keeps one core idle)
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        job = pool.submit(run_scenario, "replay-attack", seed=1)
        sil = run_sil("replay-attack", seed=1)
        inproc = job.result(timeout=600)
    assert sil.outcome == inproc.outcome == "sampled"
    assert sil.steps == inproc.steps and sil.overruns == 0
    # the attacks changed nothing: the truth trajectory is bit-identical to the in-process run
    for var in ("x", "y", "z", "vx", "vy", "vz", "propellant"):
        np.testing.assert_array_equal(sil.trajectory[var].values, inproc.trajectory[var].values)
    assert [(e.t, e.decision, e.reason) for e in sil.log] == [
        (e.t, e.decision, e.reason) for e in inproc.log
    ]
    # both attacks were rejected onboard and reported in PUS ST[01]
    assert [r["reason"] for r in sil.rejections] == ["NOT_AUTHENTICATED", "REPLAY"]
    assert [r["t"] for r in sil.rejections] == [300.0, 600.0]
    ver = sil.telemetry["verification"]
    assert list(ver["failure_code"].values[ver["subtype"].values == 2]) == [3, 6]
    assert sil.rejected_commands == 2 and sil.accepted_commands == 1  # the goal
    hk = sil.telemetry["hk"]
    assert int(hk["tc_rejected"][-1]) == 2 and int(hk["crc_errors"].max()) == 0
    assert _gone(sil.fsw_pid) and sil.fsw_returncode == 0


@pytest.mark.slow
def test_faulted_scenario_same_outcome_as_in_process(run_sil):
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        job = pool.submit(run_scenario, "thruster-stuck-off", seed=2)
        sil = run_sil("thruster-stuck-off", seed=2)
        inproc = job.result(timeout=600)
    assert sil.outcome == inproc.outcome == inproc.expected_outcome
    assert sil.reason == inproc.reason
    np.testing.assert_array_equal(
        sil.trajectory["altitude"].values, inproc.trajectory["altitude"].values
    )


def test_equal_seeds_give_identical_archives(run_sil):
    a = run_sil("nominal", seed=4, max_steps=30)
    b = run_sil("nominal", seed=4, max_steps=30)
    assert a.telemetry_sha256 == b.telemetry_sha256
    assert a.archive_path.read_bytes() == b.archive_path.read_bytes()
    assert a.steps == 30 and a.end_reason == "max_steps"
    # lock step: one SIM_STEP down and one SIM_STEP_DONE up per cycle, datasets labelled
    assert a.telemetry["sim_step"].sizes["time"] == a.telemetry["sim_step_done"].sizes["time"] == 30
    assert a.telemetry["nav"]["r_x"].attrs["units"] == "m"
    np.testing.assert_array_equal(a.telemetry["sim_step"]["step"].values, np.arange(30))


def test_polling_or_blocking_sockets_give_the_same_run(run_sil):
    # polling the sockets before blocking is a speed setting only: the lock step, and so
    # the archive, are the same; the flight-software process is told through the env
    a = run_sil("nominal", seed=4, max_steps=30)  # default: poll up to 2 ms
    b = run_sil("nominal", seed=4, max_steps=30, spin_s=0.0)
    c = run_sil("nominal", seed=4, max_steps=30, spin_s=0.05)
    assert a.telemetry_sha256 == b.telemetry_sha256 == c.telemetry_sha256
    with pytest.raises(ValueError, match=r"spin_s must be 0\.\.1 s \(0: block at once\), got -1"):
        run_sil("nominal", seed=4, max_steps=3, spin_s=-1)


def test_fsw_crash_is_detected_with_a_clear_message(run_sil, tmp_path):
    scenario = tmp_path / "crash.toml"  # the fault comes from the scenario file
    scenario.write_text(
        'extends = "nominal"\nname = "fsw-crash"\n\n[[sil.fsw_faults]]\nkind = "crash"\nat_s = 5.0\n'
    )
    with pytest.raises(
        FswCrashed,
        match=r"flight software \(pid \d+\) at step \d+ \(t = 5.0 s, mode approach\): crashed, the process was killed by SIGSEGV",
    ) as err:
        run_sil(scenario, seed=1, max_steps=50)
    pid = int(str(err.value).split("pid ")[1].split(")")[0])
    assert _gone(pid)


def test_fsw_hang_is_detected_within_the_watchdog_timeout(run_sil):
    faults = {"fsw_faults": [{"kind": "hang", "at_s": 3.0}], "step_deadline_s": 0.5}
    with pytest.raises(
        FswHung,
        match=r"at step \d+ \(t = \d+.\d s, mode \w+\): hung, no answer for 2.0 s \(watchdog\)",
    ) as err:
        run_sil("nominal", seed=1, faults=faults, max_steps=50, hang_timeout_s=2.0)
    pid = int(str(err.value).split("pid ")[1].split(")")[0])
    assert _gone(pid)  # a stopped (SIGSTOP) process is killed, not left behind


def test_fsw_that_dies_before_connecting_or_mid_run(run_sil):
    with pytest.raises(
        FswStartError, match=r"(?s)exited with code 3 before connecting.*no plant for me"
    ):
        run_sil(
            "nominal",
            fsw=[
                sys.executable,
                "-c",
                "import sys; print('no plant for me', file=sys.stderr); sys.exit(3)",
            ],
        )
    script = (
        "import socket, sys; s = socket.create_connection(('{host}', {port})); s.recv(100); "
        "print('giving up', file=sys.stderr); sys.exit(7)"
    )
    with pytest.raises(
        FswCrashed,
        match=r"crashed, the process exited with code 7; its last stderr lines:\ngiving up",
    ):
        run_sil("nominal", fsw=[sys.executable, "-c", script], max_steps=5)
    with pytest.raises(FswStartError, match=r"cannot start flight software '/nonexistent/fsw'"):
        run_sil("nominal", fsw="/nonexistent/fsw {port}")


def test_link_sensor_and_actuator_faults(run_sil):
    faults = {
        "link_faults": [
            {
                "kind": "corrupt",
                "direction": "to_fsw",
                "packets": ["tc"],
            },  # the goal TC arrives damaged
            {"kind": "drop", "direction": "to_fsw", "packets": ["imu"], "probability": 0.5},
            {"kind": "corrupt", "direction": "to_fsw", "packets": ["power"], "start_s": 10.0},
            {
                "kind": "delay",
                "direction": "from_fsw",
                "packets": ["fsw_tm"],
                "steps": 2,
                "start_s": 20.0,
            },
            {"kind": "reorder", "direction": "to_fsw", "start_s": 5.0},
        ],
        "sensor_faults": [{"sensor": "propellant", "kind": "bias", "value": 5.0}],
        "actuator_faults": [
            {"actuator": "thrusters", "kind": "scale", "factor": 0.0, "start_s": 30.0}
        ],
    }
    sil = run_sil("nominal", seed=3, faults=faults, max_steps=40)
    assert sil.steps == 40 and sil.overruns == 0
    assert [r["reason"] for r in sil.rejections] == ["CRC_ERROR"]  # damaged TC: rejected, reported
    assert (
        sil.link_faults["drop"] > 5
        and sil.link_faults["corrupt"] >= 31
        and sil.link_faults["reorder"] > 0
    )
    assert sil.link_faults["delay"] > 0
    tm = sil.telemetry
    assert 5 < tm["imu"].sizes["time"] < 35  # about half of the IMU packets lost
    assert int(tm["hk"]["crc_errors"].max()) >= 29  # the FSW dropped the damaged power packets
    np.testing.assert_allclose(
        tm["propellant"]["propellant"].values, sil.trajectory["propellant"].values + 5.0
    )
    assert float(sil.trajectory["thruster_duty_sum"].sel(time=slice(30, None)).max()) == 0.0


def test_ground_segment_decodes_the_sil_archive(run_sil):
    """ground.bulk + ground.decom with the SIL XTCE dictionary give the same values as the harness."""
    from ground.archive import RawStore
    from ground.bulk import decode_bytes
    from ground.decom import decommutate
    from missions.sil.dictionary import sil_dictionary

    sil = run_sil("nominal", seed=6, max_steps=12)
    d = sil_dictionary()
    ds = decommutate(decode_bytes(RawStore(sil.archive_path).packet_bytes(), d), d)
    np.testing.assert_array_equal(ds["NAV"]["NAV_R_Z"].values, sil.telemetry["nav"]["r_z"].values)
    np.testing.assert_array_equal(ds["HK"]["HK_MODE"].values, sil.telemetry["hk"]["mode"].values)
    np.testing.assert_array_equal(
        ds["SIM_STEP"]["SIM_STEP_T"].values, sil.trajectory["time"].values
    )
    assert ds["SIM_STEP"]["time"].values[0] == np.datetime64(
        "2026-06-30T23:59:23"
    )  # t = 0 is 00:00:00 TAI


def test_a_stalled_fsw_overruns_and_the_plant_steps_on(run_sil):
    """Deadline passed: overrun recorded, the late answer is stale (its commands never fly), the run goes on."""
    faults = {
        "fsw_faults": [{"kind": "stall", "at_s": 10.0, "duration_s": 1.5}],
        "step_deadline_s": 1.0,
    }
    sil = run_sil("nominal", seed=1, faults=faults, max_steps=12, hang_timeout_s=30.0)
    assert sil.steps == 12 and sil.end_reason == "max_steps"
    assert sil.overruns >= 1 and sil.fsw_returncode == 0
    done = sil.telemetry["sim_step_done"]["step"].values
    assert len(done) == 12 and sorted(done) == list(
        range(12)
    )  # the late answer arrived, after its step
