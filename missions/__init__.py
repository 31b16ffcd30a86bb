"""Missions and campaigns: the reference mission, the simulated spacecraft, Monte Carlo, SIL, the CLI.

This module is the package's front door: every public name is listed in
``_EXPORTS`` (name -> module) and imported on first use, so that ``import missions``
stays cheap and one part never pays for loading another.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    # flight software in the loop (SIL)
    "run_sil": "missions.sil.harness",
    "SilResult": "missions.sil.harness",
    "FswCrashed": "missions.sil.harness",
    "FswHung": "missions.sil.harness",
    # mission targets as data (ORBITS-EPH)
    "load_target": "missions.targets",
    "register_targets": "missions.targets",
    "target": "missions.targets",
    "target_names": "missions.targets",
    # closed-loop autonomy scenarios (AUTONOMY)
    "run_scenario": "missions.scenarios",
    "scenario_names": "missions.scenarios",
    "load_scenario": "missions.scenarios",
    "register_scenario": "missions.scenarios",
    "ScenarioResult": "missions.scenarios",
    # mission files and the planner (MISSION-PLAN)
    "Mission": "missions.mission",
    "load_mission": "missions.mission",
    "REFERENCE_MISSION": "missions.mission",
    "plan_mission": "missions.plan",
    "MissionPlan": "missions.plan",
    # Monte Carlo campaigns (CAMPAIGN)
    "open_campaign": "missions.campaign.summary",
    "run_campaign": "missions.campaign.runner",
    "load_campaign": "missions.campaign.spec",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'missions' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
