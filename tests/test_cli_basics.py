"""The ``kamo`` front door: help lists commands, bad commands fail cleanly."""

from __future__ import annotations

import json
import subprocess
import sys


def run_kamo(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "missions.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_help_lists_commands():
    result = run_kamo("--help")
    assert result.returncode == 0
    assert "version" in result.stdout


def test_version_json_is_json_alone():
    result = run_kamo("version", "--json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["kamo"]


def test_unknown_command_fails_without_traceback():
    result = run_kamo("no-such-command")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
