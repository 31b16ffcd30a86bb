"""The onboard executive: modes, checkpoints, waive-offs, re-planning, fault recovery, an event log.

This module is the package's front door: every public name is listed in
``_EXPORTS`` (name -> module) and imported on first use, so that ``import autonomy``
stays cheap and one part never pays for loading another.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    # AUTONOMY: the onboard executive and its parts
    "Executive": "autonomy.executive",
    "ExecutiveConfig": "autonomy.executive",
    "DescentProfile": "autonomy.executive",
    "Mode": "autonomy.modes",
    "ModeMachine": "autonomy.modes",
    "EventLog": "autonomy.log",
    "evaluate_checkpoint": "autonomy.checkpoints",
    "CheckpointInputs": "autonomy.checkpoints",
    "CheckpointLimits": "autonomy.checkpoints",
    "rank_sites": "autonomy.hazards",
    "HazardLimits": "autonomy.hazards",
    "SkyGeometry": "autonomy.hazards",
    "FaultMonitor": "autonomy.fdir",
    "decide_response": "autonomy.fdir",
    "ResourceBook": "autonomy.resources",
    "ResourceLimits": "autonomy.resources",
    "NavSolution": "autonomy.observations",
    "SiteHazard": "autonomy.observations",
    "SpaceWeatherAdvisory": "autonomy.observations",
    "GroundGoal": "autonomy.observations",
    "ThrusterCommand": "autonomy.commands",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'autonomy' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
