"""What the executive is told: plain, frozen observation objects.

Everything the onboard executive learns arrives through :meth:`Executive.step` as
one of these dataclasses: sensor and subsystem readings from the spacecraft, and
goals, time-tagged commands and advisories from the ground. They hold only floats,
tuples and strings, so a harness can put them in packets and back unchanged.

Units are SI and onboard: metres, m/s, seconds of simulation time, kilograms.
Positions and velocities are in the small body's body-fixed frame
(:mod:`gnc.dynamics`); the spacecraft frame is the one the executive last
commanded with :class:`autonomy.commands.AttitudeCommand`.

The space-weather advisory is the flight side's own type: ``autonomy`` never
imports ``ground``; ``missions`` translates a ground advisory into
:class:`SpaceWeatherAdvisory` with its times converted to simulation seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

Vec3 = tuple[float, float, float]
_isfinite = math.isfinite


def _vec3(value, name: str) -> Vec3:
    # the every-cycle case (a SIL decoder, a plant): a tuple of three plain floats is kept as it is
    if type(value) is tuple and len(value) == 3:
        x, y, z = value
        if type(x) is float and type(y) is float and type(z) is float:
            if _isfinite(x) and _isfinite(y) and _isfinite(z):
                return value
            raise ValueError(f"{name} must be three finite numbers, got {value!r}")
    try:
        out = tuple(float(x) for x in value)
    except TypeError:
        raise ValueError(f"{name} must be three numbers, got {value!r}") from None
    if len(out) != 3 or not all(math.isfinite(x) for x in out):
        raise ValueError(f"{name} must be three finite numbers, got {value!r}")
    return out  # type: ignore[return-value]


@dataclass(frozen=True)
class NavSolution:
    """The navigation filter's estimate: body-fixed position (m), velocity (m/s) and 1-sigma per axis.

    ``sigma_r_m`` / ``sigma_v_m_s`` are in the same axes as ``r_m``. ``source`` says which
    sensors fed it: ``"altimeter+camera"``, ``"camera"`` or ``"propagated"``.
    """

    t: float
    r_m: Vec3
    v_m_s: Vec3
    sigma_r_m: Vec3
    sigma_v_m_s: Vec3
    source: str = "altimeter+camera"

    def __post_init__(self) -> None:
        for name in ("r_m", "v_m_s", "sigma_r_m", "sigma_v_m_s"):
            object.__setattr__(self, name, _vec3(getattr(self, name), name))


@dataclass(frozen=True)
class AltimeterReading:
    """Laser-altimeter slant range (m) along the spacecraft's -z axis, or ``None`` when it returned nothing."""

    t: float
    range_m: float | None


@dataclass(frozen=True)
class AttitudeStatus:
    """Attitude determination: star tracker valid, and the pointing error against the command (rad)."""

    t: float
    star_tracker_valid: bool
    pointing_error_rad: float = 0.0


@dataclass(frozen=True)
class ImuReading:
    """Accelerometer specific force in the spacecraft frame (m/s^2): thrust plus small disturbances."""

    t: float
    accel_sc_m_s2: Vec3

    def __post_init__(self) -> None:
        object.__setattr__(self, "accel_sc_m_s2", _vec3(self.accel_sc_m_s2, "accel_sc_m_s2"))


@dataclass(frozen=True)
class ThrusterTelemetry:
    """Chamber-pressure flags: ``firing[i]`` is True when thruster ``i`` produced thrust last cycle."""

    t: float
    firing: tuple[bool, ...]


@dataclass(frozen=True)
class PowerStatus:
    """Battery state of charge (0..1) and whether the solar arrays are lit."""

    t: float
    battery_soc: float
    sunlit: bool = True


@dataclass(frozen=True)
class PropellantStatus:
    """Propellant left in the tanks (kg), from the tank gauge."""

    t: float
    propellant_kg: float


@dataclass(frozen=True)
class DataStatus:
    """Onboard mass memory in use (Mbit) and its capacity (Mbit)."""

    t: float
    stored_mbit: float
    capacity_mbit: float


@dataclass(frozen=True)
class CommStatus:
    """Whether a ground link is up now (the ground can watch and intervene)."""

    t: float
    link_up: bool


@dataclass(frozen=True)
class ContactStatus:
    """Contact switch of the sampler horn: True while it touches the surface."""

    t: float
    in_contact: bool


@dataclass(frozen=True)
class SampleStatus:
    """Sampling mechanism health, and the sample mass measured in the container (g), if measured."""

    t: float
    mechanism_ok: bool = True
    sample_mass_g: float | None = None
    message: str = ""


@dataclass(frozen=True)
class SiteHazard:
    """One candidate sampling site from the survey: where it is and what the terrain is like.

    ``position_m`` is the site centre on the surface (body-fixed), ``normal`` the local
    outward surface normal. ``slope_deg`` is the terrain tilt against gravity-plus-spin,
    ``roughness_m`` the RMS height variation over the sampler's footprint, ``max_boulder_m``
    the largest boulder within the site and ``safe_radius_m`` the radius of the circle
    around the centre that is free of hazards.
    """

    name: str
    position_m: Vec3
    normal: Vec3
    slope_deg: float
    roughness_m: float
    max_boulder_m: float
    safe_radius_m: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "position_m", _vec3(self.position_m, "position_m"))
        object.__setattr__(self, "normal", _vec3(self.normal, "normal"))
        for name in ("slope_deg", "roughness_m", "max_boulder_m", "safe_radius_m"):
            value = float(getattr(self, name))
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"site {self.name!r}: {name} must be >= 0, got {value!r}")


@dataclass(frozen=True)
class HazardMapProduct:
    """The onboard hazard map made from survey images: candidate sites and their terrain.

    A later product for a site (e.g. from low-altitude images during descent) replaces
    that site's entry.
    """

    t: float
    sites: tuple[SiteHazard, ...]


@dataclass(frozen=True)
class SpaceWeatherAdvisory:
    """A ground advisory as the flight side knows it: NOAA scale ``kind`` (``"S"``, ``"G"``, ``"R"``) and ``level``.

    ``start`` and ``end`` are simulation seconds (the expected end); ``end`` may be
    extended by a later advisory with the same ``kind``.
    """

    t: float
    level: int
    kind: str
    start: float
    end: float
    reason: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ("S", "G", "R"):
            raise ValueError(f"advisory kind must be 'S', 'G' or 'R', got {self.kind!r}")
        if not 0 <= int(self.level) <= 5:
            raise ValueError(f"advisory level must be 0..5, got {self.level!r}")
        if self.end < self.start:
            raise ValueError(f"advisory ends ({self.end}) before it starts ({self.start})")


@dataclass(frozen=True)
class GroundGoal:
    """A goal with limits from the ground: sample inside ``[window_start, window_end]`` (s).

    ``min_propellant_kg`` is the propellant that must remain after the attempt (return
    reserve); ``max_attempts`` bounds touch-and-go attempts and ``rehearsals`` sets the
    number of rehearsal descents before the first attempt. ``min_sample_g`` is the mass
    that counts as a collected sample.
    """

    t: float
    window_start: float
    window_end: float
    min_propellant_kg: float = 0.0
    max_attempts: int = 2
    rehearsals: int = 1
    min_sample_g: float = 1.0

    def __post_init__(self) -> None:
        if self.window_end <= self.window_start:
            raise ValueError(
                f"goal window must end after it starts, got {self.window_start} .. {self.window_end}"
            )
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {self.max_attempts}")


GROUND_ACTIONS = ("hold", "resume", "abort", "safe")


@dataclass(frozen=True)
class TimeTaggedCommand:
    """A ground command executed at ``t_exec`` (s): ``hold``, ``resume``, ``abort`` or ``safe``."""

    t: float
    t_exec: float
    action: str
    reason: str = ""

    def __post_init__(self) -> None:
        if self.action not in GROUND_ACTIONS:
            raise ValueError(
                f"ground action must be one of {', '.join(GROUND_ACTIONS)}, got {self.action!r}"
            )


@dataclass(frozen=True)
class GroundSequence:
    """A time-tagged sequence uplinked at once."""

    t: float
    commands: tuple[TimeTaggedCommand, ...] = field(default_factory=tuple)


Observation = (
    NavSolution
    | AltimeterReading
    | AttitudeStatus
    | ImuReading
    | ThrusterTelemetry
    | PowerStatus
    | PropellantStatus
    | DataStatus
    | CommStatus
    | ContactStatus
    | SampleStatus
    | HazardMapProduct
    | SpaceWeatherAdvisory
    | GroundGoal
    | TimeTaggedCommand
    | GroundSequence
)
