"""What the executive orders: plain, frozen command objects, and the thruster layout they refer to.

:meth:`Executive.step` returns a list of these. Like the observations they hold
only floats, tuples and strings so that a harness can carry them in packets.

Thruster layout (the executive's model of the hardware): twelve thrusters, two
redundant branches (A and B) of six, one per direction of the spacecraft axes.
Thruster ``i`` pushes along ``THRUSTER_DIRECTIONS[i // 2]`` and belongs to branch
``"AB"[i % 2]``; so ``0`` is +x A, ``1`` is +x B, ..., ``9`` is -z B.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Push directions in the spacecraft frame, in thruster-pair order.
THRUSTER_DIRECTIONS: tuple[tuple[float, float, float], ...] = (
    (1.0, 0.0, 0.0),
    (-1.0, 0.0, 0.0),
    (0.0, 1.0, 0.0),
    (0.0, -1.0, 0.0),
    (0.0, 0.0, 1.0),
    (0.0, 0.0, -1.0),
)
DIRECTION_NAMES = ("+x", "-x", "+y", "-y", "+z", "-z")
BRANCHES = ("A", "B")
N_THRUSTERS = 12


def thruster_name(index: int) -> str:
    """``"+z A"`` style name of thruster ``index`` (0..11)."""
    if not 0 <= index < N_THRUSTERS:
        raise ValueError(f"thruster index must be 0..{N_THRUSTERS - 1}, got {index}")
    return f"{DIRECTION_NAMES[index // 2]} {BRANCHES[index % 2]}"


@dataclass(frozen=True)
class ThrusterCommand:
    """Duty cycle (0..1) of each of the 12 thrusters, held for ``duration_s``."""

    t: float
    duty: tuple[float, ...]
    duration_s: float

    def __post_init__(self) -> None:
        duty = tuple(float(d) for d in self.duty)
        if len(duty) != N_THRUSTERS:
            raise ValueError(f"duty needs {N_THRUSTERS} values, got {len(duty)}")
        if not all(0.0 <= d <= 1.0 for d in duty):
            raise ValueError(f"duty cycles must be in [0, 1], got {duty}")
        object.__setattr__(self, "duty", duty)
        if not (math.isfinite(self.duration_s) and self.duration_s > 0):
            raise ValueError(f"duration_s must be positive, got {self.duration_s}")


@dataclass(frozen=True)
class AttitudeCommand:
    """Point the spacecraft: ``q_body_from_sc`` (scalar-first) turns spacecraft axes into body-fixed axes.

    ``target`` names the pointing (``"site-frame"``, ``"sun"``) for logs and telemetry.
    """

    t: float
    q_body_from_sc: tuple[float, float, float, float]
    target: str = "site-frame"


@dataclass(frozen=True)
class SamplerCommand:
    """Sampling mechanism: ``"arm"``, ``"fire"`` (projectile / gas) or ``"stow"``."""

    t: float
    action: str

    def __post_init__(self) -> None:
        if self.action not in ("arm", "fire", "stow"):
            raise ValueError(f"sampler action must be arm, fire or stow, got {self.action!r}")


@dataclass(frozen=True)
class ThrusterIsolationCommand:
    """Close (``enable=False``) or open the latch valve of one thruster."""

    t: float
    thruster: int
    enable: bool
    reason: str = ""


@dataclass(frozen=True)
class NavModeCommand:
    """Navigation sensor set: ``"altimeter+camera"`` or ``"camera"`` (camera only)."""

    t: float
    mode: str


@dataclass(frozen=True)
class ImagingCommand:
    """Science / navigation imaging on or off, at ``rate_mbit_s`` into mass memory."""

    t: float
    on: bool
    rate_mbit_s: float = 0.0


@dataclass(frozen=True)
class StepCadence:
    """When the executive wants to be called next: ``period_s`` after this step."""

    t: float
    period_s: float


Command = (
    ThrusterCommand
    | AttitudeCommand
    | SamplerCommand
    | ThrusterIsolationCommand
    | NavModeCommand
    | ImagingCommand
    | StepCadence
)
