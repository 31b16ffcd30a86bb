"""Other flight software on the SIL protocol: the C client in examples/, and `kamo sil run` from the shell."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
def test_c_client_reads_sensors_and_commands_a_thruster(run_sil, tmp_path):
    exe = tmp_path / "sil_client"
    subprocess.run(
        ["cc", "-O2", "-Wall", "-Werror", "-o", str(exe), str(ROOT / "examples" / "sil_client.c")],
        check=True,
        timeout=60,
    )
    sil = run_sil("nominal", fsw=[str(exe), "{host}", "{port}"], seed=2, max_steps=6)
    assert sil.fsw_returncode == 0 and sil.steps == 6 and sil.overruns == 0
    lines = sil.fsw_stdout.splitlines()
    # the C client printed what it read: the navigation solution, bit for bit as the plant sent it
    nav_c = np.array(
        [[float(v) for v in ln.split()[2:]] for ln in lines if ln.startswith("nav r_m")]
    )
    nav = sil.telemetry["nav"]
    np.testing.assert_array_equal(nav_c, np.stack([nav["r_x"], nav["r_y"], nav["r_z"]], axis=1))
    assert [ln for ln in lines if ln.startswith("step")][-1] == "step 5 t 5"
    assert lines[-1] == "end after step 6, 0 CRC errors"
    # its command flew: thruster 8 at 50 %, seen by the plant's chamber-pressure flags a step later
    assert (sil.telemetry["thruster_cmd"]["duty_08"].values == 0.5).all()
    assert list(sil.telemetry["thruster_tm"]["firing"].values) == [0] + [1 << 8] * 5


def test_kamo_sil_run_json_is_reproducible(run_sil):
    cmd = [
        sys.executable,
        "-m",
        "missions.cli",
        "sil",
        "run",
        "proton-event",
        "--seed",
        "3",
        "--max-steps",
        "30",
        "--json",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    for key in (
        "outcome",
        "steps",
        "overruns",
        "packets_up",
        "packets_down",
        "rejected_commands",
        "fsw_pid",
        "telemetry_sha256",
    ):
        assert key in doc
    assert doc["steps"] == 30 and doc["overruns"] == 0 and doc["rejected_commands"] == 0
    assert doc["packets_down"] > doc["packets_up"] > 2 * 30
    again = run_sil("proton-event", seed=3, max_steps=30)
    assert again.telemetry_sha256 == doc["telemetry_sha256"]
    other = run_sil("proton-event", seed=4, max_steps=30)  # another seed, other sensor noise
    assert other.telemetry_sha256 != doc["telemetry_sha256"]


def test_kamo_sil_run_bad_input_and_crash_exit_codes(tmp_path):
    bad = subprocess.run(
        [sys.executable, "-m", "missions.cli", "sil", "run", "no-such-scenario"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert bad.returncode == 2 and "unknown scenario 'no-such-scenario'" in bad.stderr
    crash = subprocess.run(
        [
            sys.executable,
            "-m",
            "missions.cli",
            "sil",
            "run",
            "nominal",
            "--json",
            "--fsw",
            f"{sys.executable} -c 'import sys; sys.exit(5)'",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert crash.returncode == 1
    assert json.loads(crash.stdout)["outcome"] == "fsw_failed"
    assert "exited with code 5 before connecting" in crash.stderr
