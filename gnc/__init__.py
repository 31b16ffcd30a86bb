"""Guidance, navigation and control near a small body: dynamics, gravity, sensors, filters, optimal control.

This module is the package's front door: every public name is listed in
``_EXPORTS`` (name -> module) and imported on first use, so that ``import gnc``
stays cheap and one part never pays for loading another.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    # GNC-PHYSICS: bodies, shapes, gravity, dynamics, environment, sensors, navigation
    "SmallBodyModel": "gnc.bodies",
    "kamooalewa": "gnc.bodies",
    "TriangleMesh": "gnc.shape",
    "load_obj": "gnc.shape",
    "save_obj": "gnc.shape",
    "load_icq": "gnc.shape",
    "save_icq": "gnc.shape",
    "synthetic_body": "gnc.shape",
    "ellipsoid_mesh": "gnc.shape",
    "icosphere": "gnc.shape",
    "PointMassGravity": "gnc.gravity",
    "EllipsoidGravity": "gnc.gravity",
    "MasconGravity": "gnc.gravity",
    "PolyhedronGravity": "gnc.gravity",
    "fit_mascons": "gnc.gravity",
    "compare_gravity": "gnc.gravity",
    "propagate": "gnc.dynamics",
    "jacobi_integral": "gnc.dynamics",
    "body_to_inertial": "gnc.dynamics",
    "inertial_to_body": "gnc.dynamics",
    "Trajectory": "gnc.dynamics",
    "TumblingSpin": "gnc.dynamics",
    "gravity_error_table": "gnc.gravity",
    "SolarEnvironment": "gnc.environment",
    "TruthState": "gnc.sensors",
    "LaserAltimeter": "gnc.sensors",
    "LaserRangeFinder": "gnc.sensors",
    "NavCamera": "gnc.sensors",
    "StarTracker": "gnc.sensors",
    "IMU": "gnc.sensors",
    "TargetMarker": "gnc.sensors",
    "RelativeNavigationEKF": "gnc.navigation",
    "RelativeNavigationUKF": "gnc.navigation",
    "consistency_campaign": "gnc.navigation",
    # GNC-CONTROL: optimal control, descent problems, re-planner, guidance, control, closed loop
    "OptimalControlProblem": "gnc.ocp",
    "OCPSolution": "gnc.ocp",
    "ProximitySpacecraft": "gnc.descent",
    "SamplingSite": "gnc.descent",
    "sampling_site": "gnc.descent",
    "hover_transfer_problem": "gnc.descent",
    "descent_problem": "gnc.descent",
    "backaway_problem": "gnc.descent",
    "plan_touch_and_go": "gnc.descent",
    "plan_attach": "gnc.descent",
    "ConvexDescentPlanner": "gnc.convex",
    "ConvexPlan": "gnc.convex",
    "DescentGuidance": "gnc.guidance",
    "zem_zev_acceleration": "gnc.guidance",
    "ThrusterLayout": "gnc.control",
    "PulseModulator": "gnc.control",
    "default_layout": "gnc.control",
    "quaternion_feedback_torque": "gnc.control",
    "TouchAndGoScenario": "gnc.simulation",
    "TouchAndGoResult": "gnc.simulation",
    "simulate_touch_and_go": "gnc.simulation",
    # MISSION-PLAN: heliocentric low-thrust transfer
    "LowThrustTransfer": "gnc.transfer",
    "TransferSolution": "gnc.transfer",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'gnc' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
