"""Mission files: a TOML description of a mission, validated into frozen pydantic models.

A mission file says what to fly (targets by reference to ``missions/data/targets``),
with what (spacecraft mass, chemical and solar-electric propulsion, the launch
vehicle's C3-versus-mass table) and under which constraints (launch period, stay
time, Earth return with an entry-speed limit, the gravity-assist sequence to the
comet, the objective). :func:`load_mission` reads and validates it; any problem is
one ``ValueError`` naming the file and the key::

    >>> from missions.mission import load_mission
    >>> m = load_mission("missions/tianwen2.toml")          # doctest: +SKIP
    >>> m.launch_vehicle.max_c3(m.spacecraft.wet_mass_kg)   # doctest: +SKIP
    6.0

The reference mission is ``missions/tianwen2.toml`` (:data:`REFERENCE_MISSION`).
"""

from __future__ import annotations

import datetime as _dt
import math
import tomllib
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

__all__ = [
    "REFERENCE_MISSION",
    "ChemicalPropulsion",
    "LaunchVehicle",
    "Mission",
    "SolarElectricPropulsion",
    "Spacecraft",
    "load_mission",
]

#: The reference mission file shipped with kamo.
REFERENCE_MISSION = Path(__file__).resolve().parent / "tianwen2.toml"
G0 = 9.80665  # m/s^2


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _date(value: Any) -> str:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if not isinstance(value, str):
        raise ValueError(f"must be an ISO date string like '2025-05-28', got {value!r}")
    try:
        np.datetime64(value)
    except ValueError:
        raise ValueError(f"must be an ISO date like '2025-05-28', got {value!r}") from None
    return value


class _Window(_Model):
    @model_validator(mode="after")
    def _ordered(self):
        for start, end in (
            ("window_start", "window_end"),
            ("arrival_window_start", "arrival_window_end"),
        ):
            a, b = getattr(self, start, None), getattr(self, end, None)
            if a is not None and b is not None and np.datetime64(a) >= np.datetime64(b):
                raise ValueError(f"{start} ({a}) must be before {end} ({b})")
        return self


class MissionInfo(_Model):
    name: str
    description: str = ""


class Targets(_Model):
    asteroid: str
    comet: str
    asteroid_file: str
    comet_file: str


class ChemicalPropulsion(_Model):
    """Chemical main engine: thrust (N) and specific impulse (s)."""

    thrust_n: float = Field(gt=0)
    isp_s: float = Field(gt=0, le=500)
    source: str = Field(min_length=1)

    @property
    def exhaust_speed_km_s(self) -> float:
        return self.isp_s * G0 / 1000.0


class SolarElectricPropulsion(_Model):
    """Solar-electric propulsion: power ``P(r) = min(P_1au / r_au^2, P_max)``, thrust ``2 eta P / (Isp g0)``."""

    power_1au_kw: float = Field(gt=0)
    max_power_kw: float = Field(gt=0)
    efficiency: float = Field(gt=0, le=1)
    isp_s: float = Field(gt=0)
    n_thrusters: int = Field(default=1, ge=1)
    source: str = Field(min_length=1)

    @property
    def exhaust_speed_km_s(self) -> float:
        return self.isp_s * G0 / 1000.0

    def power_kw(self, r_au: Any) -> Any:
        """Electric power at ``r_au`` from the Sun, kW."""
        r = np.asarray(r_au, dtype=float)
        return np.minimum(self.power_1au_kw / r**2, self.max_power_kw)

    def max_thrust_n(self, r_au: Any) -> Any:
        """Largest thrust available at ``r_au`` from the Sun, N."""
        return 2.0 * self.efficiency * self.power_kw(r_au) * 1000.0 / (self.isp_s * G0)


class Spacecraft(_Model):
    wet_mass_kg: float = Field(gt=0)
    dry_mass_kg: float = Field(gt=0)
    srp_area_m2: float = Field(default=0.0, ge=0)
    srp_cr: float = Field(default=1.3, ge=0, le=2)
    source: str = Field(min_length=1)
    chemical: ChemicalPropulsion
    sep: SolarElectricPropulsion

    @model_validator(mode="after")
    def _dry_below_wet(self):
        if self.dry_mass_kg >= self.wet_mass_kg:
            raise ValueError(
                f"dry_mass_kg ({self.dry_mass_kg}) must be below wet_mass_kg ({self.wet_mass_kg})"
            )
        return self


class LaunchVehicle(_Model):
    """Launch vehicle: mass it can send to each C3 (a table, interpolated linearly)."""

    name: str
    source: str = Field(min_length=1)
    c3_km2_s2: list[float] = Field(min_length=2)
    mass_kg: list[float] = Field(min_length=2)

    @model_validator(mode="after")
    def _table(self):
        c3, m = np.asarray(self.c3_km2_s2), np.asarray(self.mass_kg)
        if c3.size != m.size:
            raise ValueError(
                f"c3_km2_s2 and mass_kg must have the same length, got {c3.size} and {m.size}"
            )
        if np.any(np.diff(c3) <= 0):
            raise ValueError("c3_km2_s2 must be strictly increasing")
        if np.any(np.diff(m) >= 0) or np.any(m <= 0):
            raise ValueError("mass_kg must be positive and decrease as C3 grows")
        return self

    def mass_capability(self, c3: Any) -> Any:
        """Mass (kg) the vehicle sends to launch energy ``c3`` (km^2/s^2)."""
        return np.interp(c3, self.c3_km2_s2, self.mass_kg, right=-np.inf)

    def max_c3(self, mass_kg: float) -> float:
        """Largest C3 (km^2/s^2) for a spacecraft of ``mass_kg``; NaN if it is too heavy."""
        c3, m = np.asarray(self.c3_km2_s2), np.asarray(self.mass_kg)
        if mass_kg > m[0]:
            return math.nan
        if mass_kg < m[-1]:
            return float(c3[-1])
        return float(np.interp(mass_kg, m[::-1], c3[::-1]))


class LaunchPhase(_Window):
    window_start: str
    window_end: str
    _d = field_validator("window_start", "window_end", mode="before")(_date)


class OutboundPhase(_Window):
    arrival_window_start: str
    arrival_window_end: str
    # the impulsive design has exactly one DSM (the MGA-1DSM formulation); kept in the file so
    # that it says so
    deep_space_manoeuvres: int = Field(default=1, ge=1, le=1)
    design: Literal["low-thrust", "impulsive"] = "low-thrust"
    _d = field_validator("arrival_window_start", "arrival_window_end", mode="before")(_date)


class StayPhase(_Model):
    min_days: float = Field(gt=0)
    max_days: float = Field(gt=0)

    @model_validator(mode="after")
    def _order(self):
        if self.min_days > self.max_days:
            raise ValueError(f"min_days ({self.min_days}) exceeds max_days ({self.max_days})")
        return self


class ReturnPhase(_Window):
    arrival_window_start: str
    arrival_window_end: str
    entry_speed_max_km_s: float = Field(gt=0)
    entry_altitude_km: float = Field(gt=0)
    capsule_mass_kg: float = Field(gt=0)
    capsule_release_hours_before_entry: float = Field(gt=0)
    divert_dv_km_s: float = Field(default=0.0, ge=0)
    propulsion: Literal["sep", "chemical"] = "sep"
    _d = field_validator("arrival_window_start", "arrival_window_end", mode="before")(_date)


class ExtendedPhase(_Window):
    flybys: list[str] = Field(min_length=1)
    min_flyby_altitude_km: list[float]
    arrival_window_start: str
    arrival_window_end: str
    propulsion: Literal["sep", "chemical"] = "sep"
    _d = field_validator("arrival_window_start", "arrival_window_end", mode="before")(_date)

    @field_validator("flybys")
    @classmethod
    def _bodies(cls, value: list[str]) -> list[str]:
        allowed = ("venus", "earth", "mars")
        value = [v.lower() for v in value]
        bad = [v for v in value if v not in allowed]
        if bad:
            raise ValueError(f"flyby bodies must be among {allowed}, got {bad}")
        if value[0] != "earth":
            raise ValueError(
                f"the first flyby is the Earth return, so it must be 'earth', got {value[0]!r}"
            )
        return value

    @model_validator(mode="after")
    def _altitudes(self):
        if len(self.min_flyby_altitude_km) != len(self.flybys):
            raise ValueError(
                f"min_flyby_altitude_km needs one value per flyby ({len(self.flybys)}), "
                f"got {len(self.min_flyby_altitude_km)}"
            )
        if any(h <= 0 for h in self.min_flyby_altitude_km):
            raise ValueError("min_flyby_altitude_km values must be positive")
        return self


class Phases(_Model):
    launch: LaunchPhase
    outbound: OutboundPhase
    stay: StayPhase
    return_: ReturnPhase = Field(alias="return")
    extended: ExtendedPhase


class Objective(_Model):
    minimize: Literal["propellant", "delta_v"] = "propellant"


class PlannerSettings(_Model):
    porkchop_grid: int = Field(default=60, ge=10, le=1000)
    de_seed: int = 2025
    de_maxiter: int = Field(default=60, ge=1)
    de_popsize: int = Field(default=20, ge=4)
    low_thrust_intervals: int = Field(default=40, ge=8, le=400)
    fidelity_tolerance: float = Field(default=1e-10, gt=1e-16, lt=1e-3)


class Mission(_Model):
    """A validated mission file (frozen). ``path`` is where it was read from."""

    mission: MissionInfo
    targets: Targets
    spacecraft: Spacecraft
    launch_vehicle: LaunchVehicle
    phases: Phases
    objective: Objective = Objective()
    planner: PlannerSettings = PlannerSettings()
    path: str = ""

    @model_validator(mode="after")
    def _launchable(self):
        if math.isnan(self.launch_vehicle.max_c3(self.spacecraft.wet_mass_kg)):
            raise ValueError(
                f"spacecraft.wet_mass_kg ({self.spacecraft.wet_mass_kg} kg) exceeds the launch "
                f"vehicle's largest mass ({self.launch_vehicle.mass_kg[0]} kg at C3 "
                f"{self.launch_vehicle.c3_km2_s2[0]})"
            )
        return self

    @property
    def name(self) -> str:
        return self.mission.name

    def replace(self, **changes: Any) -> Mission:
        """A copy with dotted keys changed: ``m.replace(**{"phases.launch.window_start": "2025-06-01"})``.

        The copy is validated like a file.
        """
        data = self.model_dump(by_alias=True)
        for dotted, value in changes.items():
            node = data
            *parents, last = dotted.split(".")
            for key in parents:
                if key not in node or not isinstance(node[key], dict):
                    raise ValueError(f"unknown mission key {dotted!r}")
                node = node[key]
            if last not in node:
                raise ValueError(f"unknown mission key {dotted!r}")
            node[last] = value
        return _validate(data, self.path or "<mission>")

    def __repr__(self) -> str:
        sc, ph = self.spacecraft, self.phases
        return (
            f"Mission({self.mission.name!r}: {sc.wet_mass_kg:.0f} kg on {self.launch_vehicle.name}, "
            f"launch {ph.launch.window_start}..{ph.launch.window_end}, "
            f"{self.targets.asteroid} -> Earth -> {' -> '.join(ph.extended.flybys[1:] + [self.targets.comet])})"
        )

    __str__ = __repr__


def _key_of(loc: tuple) -> str:
    parts = [str(p) for p in loc if not isinstance(p, int)]
    idx = [p for p in loc if isinstance(p, int)]
    key = ".".join(parts) or "<top level>"
    if idx:
        key += "[" + "][".join(str(i) for i in idx) + "]"
    return key


def _validate(data: dict[str, Any], where: str) -> Mission:
    try:
        return Mission.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        # a misspelt key also shows up as a missing one: name the misspelling first
        err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        key = _key_of(err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            raise ValueError(f"{where}: missing key {key!r}") from None
        if err["type"] == "extra_forbidden":
            raise ValueError(f"{where}: unknown key {key!r} (check its spelling)") from None
        got = f" (got {err['input']!r})" if not isinstance(err.get("input"), dict) else ""
        raise ValueError(f"{where}: key {key!r}: {msg}{got}") from None


def load_mission(path: str | Path | None = None) -> Mission:
    """Read and validate a mission TOML file (default: the reference mission).

    Target files named in ``[targets]`` are resolved relative to the mission file's
    folder (then the ``missions`` package) and must exist. Errors are one
    ``ValueError`` naming the file and the key.
    """
    path = Path(path) if path is not None else REFERENCE_MISSION
    if not path.is_file():
        raise ValueError(f"mission file {str(path)!r} does not exist")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path.name}: not valid TOML ({exc})") from None
    data["path"] = str(path)
    mission = _validate(data, path.name)
    for which in ("asteroid", "comet"):
        rel = getattr(mission.targets, f"{which}_file")
        file = _resolve_target_file(path, rel)
        if not file.is_file():
            raise ValueError(f"{path.name}: key 'targets.{which}_file': file {rel!r} not found")
        _check_target_name(path.name, which, getattr(mission.targets, which), file)
    return mission


def _norm(name: str) -> str:
    return " ".join(str(name).strip().lower().replace("ʻ", "").replace("'", "").split())


def _check_target_name(where: str, which: str, name: str, file: Path) -> None:
    from missions.targets import load_target

    try:
        body = load_target(file)
    except ValueError as exc:
        raise ValueError(f"{where}: key 'targets.{which}_file': {exc}") from None
    known = [body.name, *body.aliases]
    if _norm(name) not in {_norm(n) for n in known}:
        raise ValueError(
            f"{where}: key 'targets.{which}': {name!r} is not a name of the body in {file.name} "
            f"(use one of {', '.join(known)})"
        )


def _resolve_target_file(mission_path: Path, rel: str) -> Path:
    for base in (mission_path.resolve().parent, REFERENCE_MISSION.parent):
        candidate = base / rel
        if candidate.is_file():
            return candidate
    return mission_path.resolve().parent / rel


def target_file(mission: Mission, which: Literal["asteroid", "comet"]) -> Path:
    """Path of the asteroid's or comet's element file."""
    return _resolve_target_file(
        Path(mission.path or REFERENCE_MISSION), getattr(mission.targets, f"{which}_file")
    )
