"""Shared test setup: nothing reaches the internet and plots never open windows."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")

# the SIL harness's `run_sil` fixture (missions.sil.pytest_plugin)
pytest_plugins = ["missions.sil.pytest_plugin"]
