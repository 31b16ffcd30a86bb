"""Scenario adapters: how a campaign runs one scenario with one set of drawn inputs.

An adapter maps a scenario name to a function ``run(seed_sequence, inputs) -> dict``
plus a declaration of what it takes and gives: its inputs (name, unit, default),
its outputs (name, unit, meaning), the decision or guidance counters it reports,
and the outcome that counts as success. The declaration lets a campaign file be
checked before anything runs, and lets the Zarr store be laid out up front.

``run`` receives a :class:`numpy.random.SeedSequence` that belongs to this run
alone (the campaign's draws come from a sibling sequence) and a dict of inputs in
the adapter's units (plain floats, ints or strings). It returns a dict with
``outcome`` (str), the declared outputs (missing ones are stored as NaN) and,
optionally, ``counts`` (dict of int). An exception is recorded by the campaign,
with its traceback, and the campaign goes on.

Registered here: ``touch-and-go`` (the closed-loop descent of :mod:`gnc.simulation`)
and ``launch-injection`` (launch-vehicle injection dispersions propagated to the
first trajectory-correction manoeuvre). Add one with :func:`register_adapter`.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "InputSpec",
    "OutputSpec",
    "ScenarioAdapter",
    "adapter_names",
    "get_adapter",
    "register_adapter",
]


@dataclass(frozen=True)
class InputSpec:
    """One input a scenario accepts: its unit (astropy string, ``""`` for none) and default."""

    name: str
    unit: str
    long_name: str
    default: Any = None
    kind: str = "float"  # "float", "int" or "str"


@dataclass(frozen=True)
class OutputSpec:
    """One figure a scenario returns."""

    name: str
    unit: str
    long_name: str
    role: str = "output"  # "timing" for wall-clock figures (they differ between machines)


@dataclass(frozen=True)
class ScenarioAdapter:
    """A scenario as a campaign sees it (see the module docstring)."""

    name: str
    description: str
    run: Callable[[np.random.SeedSequence, dict[str, Any]], dict[str, Any]]
    inputs: dict[str, InputSpec]
    outputs: tuple[OutputSpec, ...]
    counts: tuple[str, ...] = ()
    success: tuple[str, ...] = ("success",)
    typical_run_s: float = 1.0
    site_outputs: tuple[str, str] | None = None  # (east, north) touchdown outputs, if any
    check_input: Callable[[str], None] | None = None  # raises ValueError for an unknown input
    extra: dict[str, Any] = field(default_factory=dict)


_ADAPTERS: dict[str, ScenarioAdapter] = {}


def register_adapter(adapter: ScenarioAdapter) -> ScenarioAdapter:
    """Make ``adapter`` available to campaign files under ``adapter.name``."""
    _ADAPTERS[adapter.name] = adapter
    return adapter


def _builtin() -> None:
    if "touch-and-go" not in _ADAPTERS:
        register_adapter(_touch_and_go_adapter())
        register_adapter(_injection_adapter())
        _autonomy_adapters()


def adapter_names() -> list[str]:
    """Names of the scenarios a campaign can run."""
    _builtin()
    return sorted(_ADAPTERS)


def get_adapter(name: str) -> ScenarioAdapter:
    """The adapter for scenario ``name``; an unknown name lists the valid ones."""
    _builtin()
    try:
        return _ADAPTERS[name]
    except KeyError:
        raise ValueError(
            f"unknown scenario {name!r}: valid scenarios are {', '.join(adapter_names())}"
        ) from None


def seed_from(ss: np.random.SeedSequence) -> int:
    """A 32-bit integer seed for scenario functions that take an ``int``."""
    return int(ss.generate_state(1, dtype=np.uint32)[0])


# -------------------------------------------------------------------------- units by name
_SUFFIX_UNITS = [
    ("_kg_m3", "kg / m3"),
    ("_m_s2", "m / s2"),
    ("_m_s", "m / s"),
    ("_km_s", "km / s"),
    ("_km2_s2", "km2 / s2"),
    ("_deg", "deg"),
    ("_arcsec", "arcsec"),
    ("_min", "min"),
    ("_days", "day"),
    ("_kg", "kg"),
    ("_km", "km"),
    ("_m", "m"),
    ("_s", "s"),
    ("_n", "N"),
]


def unit_from_name(name: str) -> str:
    """kamo's naming convention puts the unit in the name (``hover_altitude_m``): read it back."""
    for suffix, unit in _SUFFIX_UNITS:
        if name.endswith(suffix):
            return unit
    return ""


# -------------------------------------------------------------------------- touch-and-go
_TAG_OUTPUTS = (
    OutputSpec("touchdown_error_m", "m", "horizontal distance of first contact from the target"),
    OutputSpec("touchdown_east_m", "m", "first contact east of the target"),
    OutputSpec("touchdown_north_m", "m", "first contact north of the target"),
    OutputSpec("touchdown_speed_vertical_m_s", "m/s", "vertical speed at first contact"),
    OutputSpec("touchdown_speed_lateral_m_s", "m/s", "lateral speed at first contact"),
    OutputSpec("contact_duration_s", "s", "time in contact with the surface"),
    OutputSpec("propellant_used_kg", "kg", "propellant used"),
    OutputSpec("safe_altitude_reached_m", "m", "highest altitude reached after back-away"),
    OutputSpec("max_plan_time_s", "s", "longest guidance re-plan (wall clock)", "timing"),
)
_TAG_COUNTS = ("mpc", "zem_zev", "terminal", "failed", "over_budget")


def _tag_inputs() -> dict[str, InputSpec]:
    from gnc.descent import ProximitySpacecraft
    from gnc.simulation import TouchAndGoScenario

    out = {}
    for f in dataclasses.fields(TouchAndGoScenario):
        if f.name == "craft":
            continue
        default = f.default
        kind = "str" if isinstance(default, str) else "float"
        if isinstance(default, int) and not isinstance(default, bool):
            kind = "int"
        out[f.name] = InputSpec(
            f.name, unit_from_name(f.name), f.name.replace("_", " "), default, kind
        )
    for f in dataclasses.fields(ProximitySpacecraft):
        kind = "int" if isinstance(f.default, int) and not isinstance(f.default, bool) else "float"
        name = "craft_" + f.name
        out[name] = InputSpec(
            name, unit_from_name(f.name), "spacecraft " + f.name.replace("_", " "), f.default, kind
        )
    return out


def _run_touch_and_go(ss: np.random.SeedSequence, inputs: dict[str, Any]) -> dict[str, Any]:
    from gnc.descent import ProximitySpacecraft
    from gnc.simulation import TouchAndGoScenario, simulate_touch_and_go

    craft = {k[6:]: v for k, v in inputs.items() if k.startswith("craft_")}
    rest = {k: v for k, v in inputs.items() if not k.startswith("craft_")}
    scenario = TouchAndGoScenario(craft=ProximitySpacecraft(**craft), **rest)
    res = simulate_touch_and_go(seed_from(ss), scenario)
    out = {o.name: getattr(res, o.name, math.nan) for o in _TAG_OUTPUTS}
    east, north = _contact_direction(res.trajectory)
    out["touchdown_east_m"] = res.touchdown_error_m * east
    out["touchdown_north_m"] = res.touchdown_error_m * north
    out["outcome"] = "success" if res.outcome == "success" else res.outcome
    out["counts"] = {k.replace("-", "_"): int(v) for k, v in res.guidance_counts.items()}
    return out


def _contact_direction(traj) -> tuple[float, float]:
    """Unit (east, north) of the first sample in contact: the miss's direction (its size is exact)."""
    phase = np.array([str(p) for p in np.asarray(traj["phase"].values).tolist()])
    idx = np.flatnonzero(phase == "contact")
    if idx.size == 0:
        return math.nan, math.nan
    r = np.asarray(traj["r_local"].values)[idx[0]]
    h = math.hypot(r[0], r[1])
    return (r[0] / h, r[1] / h) if h > 0 else (0.0, 0.0)


def _touch_and_go_adapter() -> ScenarioAdapter:
    return ScenarioAdapter(
        name="touch-and-go",
        description="closed-loop hover, descent, contact and back-away (gnc.simulation)",
        run=_run_touch_and_go,
        inputs=_LazyInputs(_tag_inputs),
        outputs=_TAG_OUTPUTS,
        counts=_TAG_COUNTS,
        typical_run_s=5.0,
        site_outputs=("touchdown_east_m", "touchdown_north_m"),
    )


class _LazyInputs(dict):
    """Inputs read from a dataclass on first use (so importing adapters stays cheap)."""

    def __init__(self, factory):
        super().__init__()
        self._factory = factory
        self._ready = False

    def _load(self):
        if not self._ready:
            self.update(self._factory())
            self._ready = True

    def __getitem__(self, k):
        self._load()
        return super().__getitem__(k)

    def __contains__(self, k):
        self._load()
        return super().__contains__(k)

    def __iter__(self):
        self._load()
        return super().__iter__()

    def __len__(self):
        self._load()
        return super().__len__()

    def keys(self):
        self._load()
        return super().keys()

    def items(self):
        self._load()
        return super().items()

    def values(self):
        self._load()
        return super().values()

    def get(self, k, default=None):
        self._load()
        return super().get(k, default)

    def __reduce__(self):
        self._load()
        return (dict, (dict(self),))


# -------------------------------------------------------------------------- launch injection
_INJ_INPUTS = {
    s.name: s
    for s in (
        InputSpec("launch_date", "", "nominal launch (UTC, ISO)", "2025-05-29T01:31:00", "str"),
        InputSpec("tof_days", "day", "time of flight, launch to arrival (direct)", 150.0),
        InputSpec("tcm_days", "day", "first trajectory-correction manoeuvre after launch", 10.0),
        InputSpec("dv_budget_m_s", "m / s", "correction budget (success if within)", 50.0),
        InputSpec("c3_error_km2_s2", "km2 / s2", "injection C3 error", 0.0),
        InputSpec("vinf_ra_error_deg", "deg", "v-infinity right ascension error", 0.0),
        InputSpec("vinf_dec_error_deg", "deg", "v-infinity declination error", 0.0),
        InputSpec("launch_delay_s", "s", "injection time slip (same targets)", 0.0),
        InputSpec("target", "", "arrival body", "kamooalewa", "str"),
    )
}
_INJ_OUTPUTS = (
    OutputSpec("c3_km2_s2", "km2 / s2", "nominal launch C3"),
    OutputSpec("miss_km", "km", "miss distance at arrival without correction"),
    OutputSpec("tcm_dv_m_s", "m / s", "correction at the TCM to hit the nominal arrival point"),
)


@functools.lru_cache(maxsize=16)
def _nominal_injection(launch_date: str, tof_days: float, target: str):
    """Earth's state at launch, the arrival point, and the Lambert departure v-infinity."""
    from missions.targets import register_targets
    from orbits import GM_SUN, ensure_kernels, lambert, state_et, to_et

    ensure_kernels()
    register_targets()
    et0 = float(to_et(launch_date))
    goal = state_et(target, et0 + tof_days * 86400.0)[:3]
    earth = state_et("earth", et0)
    v1, _ = lambert(GM_SUN, earth[:3], goal, tof_days * 86400.0)
    return et0, goal, np.asarray(v1) - earth[3:]


def _run_injection(ss: np.random.SeedSequence, inputs: dict[str, Any]) -> dict[str, Any]:
    from orbits import GM_SUN, lambert, propagate_kepler, state_et

    inputs = {**{k: s.default for k, s in _INJ_INPUTS.items()}, **inputs}
    day = 86400.0
    tof = inputs["tof_days"] * day
    et0, goal, vinf = _nominal_injection(
        str(inputs["launch_date"]), float(inputs["tof_days"]), str(inputs["target"])
    )
    c3 = float(vinf @ vinf)
    # dispersed v-infinity: magnitude from C3, direction rotated in RA/Dec
    ra = math.atan2(vinf[1], vinf[0]) + math.radians(inputs["vinf_ra_error_deg"])
    dec = math.asin(vinf[2] / math.sqrt(c3)) + math.radians(inputs["vinf_dec_error_deg"])
    vmag = math.sqrt(max(c3 + inputs["c3_error_km2_s2"], 0.0))
    vinf_d = vmag * np.array(
        [math.cos(dec) * math.cos(ra), math.cos(dec) * math.sin(ra), math.sin(dec)]
    )
    slip = inputs["launch_delay_s"]
    earth_d = state_et("earth", et0 + slip)
    t_tcm = inputs["tcm_days"] * day
    # one call for both epochs: the correction point and the uncorrected arrival
    r, v = propagate_kepler(
        GM_SUN, earth_d[:3], earth_d[3:] + vinf_d, np.array([t_tcm - slip, tof - slip])
    )
    v_need, _ = lambert(GM_SUN, r[0], goal, tof - t_tcm)
    dv = 1e3 * float(np.linalg.norm(np.asarray(v_need) - v[0]))
    return {
        "c3_km2_s2": c3,
        "miss_km": float(np.linalg.norm(r[1] - goal)),
        "tcm_dv_m_s": dv,
        "outcome": "success" if dv <= inputs["dv_budget_m_s"] else "over budget",
    }


def _injection_adapter() -> ScenarioAdapter:
    return ScenarioAdapter(
        name="launch-injection",
        description="launch injection dispersions propagated (two-body) to the first correction",
        run=_run_injection,
        inputs=_INJ_INPUTS,
        outputs=_INJ_OUTPUTS,
        typical_run_s=0.02,
    )


# -------------------------------------------------------------------------- autonomy scenarios
def _autonomy_adapters() -> None:
    """One adapter per scenario of :mod:`missions.scenarios`, when that module is present."""
    try:
        from missions import scenarios as sc_mod
    except ImportError:
        return
    if not hasattr(sc_mod, "run_scenario"):
        return
    for name in sc_mod.scenario_names():
        register_adapter(_autonomy_adapter(name))


_AUTONOMY_OUTPUTS = (
    OutputSpec("min_altitude_m", "m", "lowest altitude above the surface"),
    OutputSpec("propellant_left_kg", "kg", "propellant left at the end"),
    OutputSpec("battery_soc", "1", "battery state of charge at the end"),
    OutputSpec("touchdowns", "1", "number of surface contacts"),
    OutputSpec("replans", "1", "executive re-plans"),
    OutputSpec("replan_failures", "1", "executive re-plans that failed"),
    OutputSpec("decisions", "1", "entries in the executive's decision log"),
    OutputSpec("steps", "1", "executive cycles"),
)


def _autonomy_adapter(name: str) -> ScenarioAdapter:
    def run(ss: np.random.SeedSequence, inputs: dict[str, Any]) -> dict[str, Any]:
        from missions.scenarios import run_scenario

        res = run_scenario(name, seed_from(ss), **inputs)
        counts: dict[str, int] = {}
        for entry in res.log:
            key = str(entry.decision).split(":")[0].strip().replace(" ", "_").replace("-", "_")
            counts[key] = counts.get(key, 0) + 1
        return {
            "outcome": res.outcome,
            "min_altitude_m": res.min_altitude_m,
            "propellant_left_kg": res.resources.get("propellant_kg", math.nan),
            "battery_soc": res.resources.get("battery_soc", math.nan),
            "touchdowns": len(res.touchdowns),
            "replans": res.replans,
            "replan_failures": res.replan_failures,
            "decisions": len(res.log),
            "steps": res.steps,
            "counts": counts,
        }

    def check(key: str) -> None:
        from missions.scenarios import load_scenario

        node: Any = load_scenario(name)
        parts = key.split("__")
        for depth, part in enumerate(parts):
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                where = "__".join(parts[:depth]) or "the top level"
                valid = ", ".join(sorted(node)) if isinstance(node, dict) else f"0..{len(node) - 1}"
                raise ValueError(
                    f"scenario {name!r} has no {part!r} in {where}; valid: {valid} "
                    "(inputs name scenario keys as section__key)"
                )

    return ScenarioAdapter(
        name=name,
        description=f"autonomy scenario {name!r} flown by the onboard executive (missions.scenarios)",
        run=run,
        inputs=_OpenInputs(),
        outputs=_AUTONOMY_OUTPUTS,
        counts=(),
        success=("sampled",),
        typical_run_s=10.0,
        check_input=check,
    )


class _OpenInputs(dict):
    """Autonomy scenarios take any ``section__key`` override; the scenario file validates it."""

    def __contains__(self, k):
        return isinstance(k, str) and bool(k)

    def __getitem__(self, k):
        last = k.split("__")[-1]
        return InputSpec(k, unit_from_name(last), k.replace("__", " "), None, "any")

    def get(self, k, default=None):
        return self[k]
