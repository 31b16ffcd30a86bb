"""The mission planner: from a mission file to a complete, checked trajectory plan.

Steps (each uses the layer below; see ``docs/mission-plan.md``):

1. launch porkchop Earth -> asteroid over the launch period (:func:`orbits.porkchop.porkchop`);
2. impulsive rendezvous with one deep-space manoeuvre, launch C3 bounded by the
   launch vehicle's capability for the spacecraft's wet mass (differential evolution);
3. low-thrust minimum-propellant transfer (:class:`gnc.transfer.LowThrustTransfer`,
   CasADi/IPOPT) warm-started from step 2, thrust bounded by the solar-electric
   power at the spacecraft's distance, with mass flow;
4. asteroid departure after the stay, Earth return with capsule release and
   entry-speed limit, gravity assists and the comet rendezvous, solved as one
   multi-leg problem: seeded differential evolution over the epochs, then CasADi
   refinement (:mod:`missions.plan.impulsive`);
5. the delta-v and propellant budget (rocket equation, manoeuvre by manoeuvre),
   the event timeline and the trajectory Dataset;
6. every leg checked in the high-fidelity model (:mod:`missions.plan.fidelity`).

``fast=True`` shrinks the grids, populations and collocation mesh (and loosens
the high-fidelity tolerance) for notebooks and tests.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from missions.mission import G0, Mission, load_mission
from orbits.constants import DAY_S, GM_SUN, radius

__all__ = ["Manoeuvre", "MissionPlan", "PlanSettings", "plan_mission"]

_LT_CACHE: dict[int, Any] = {}


@dataclass(frozen=True)
class PlanSettings:
    """Effort settings of one planning run (from the mission file's [planner], or fast)."""

    porkchop_grid: int
    de_seed: int
    de_maxiter: int
    de_popsize: int
    low_thrust_intervals: int
    fidelity_tolerance: float
    fidelity: bool = True
    refine_casadi: bool = True

    @classmethod
    def from_mission(
        cls, mission: Mission, fast: bool = False, fidelity: bool = True
    ) -> PlanSettings:
        p = mission.planner
        if fast:
            return cls(40, p.de_seed, 30, 12, 24, 1e-8, fidelity, True)
        return cls(
            p.porkchop_grid,
            p.de_seed,
            p.de_maxiter,
            p.de_popsize,
            p.low_thrust_intervals,
            p.fidelity_tolerance,
            fidelity,
            True,
        )


@dataclass(frozen=True)
class Manoeuvre:
    """One entry of the budget: a burn (or a low-thrust arc, or a mass drop)."""

    name: str
    et: float
    dv_km_s: float
    propulsion: str  # "chemical", "sep", "launch vehicle", "release"
    mass_before_kg: float
    mass_after_kg: float

    @property
    def propellant_kg(self) -> float:
        return 0.0 if self.propulsion == "release" else self.mass_before_kg - self.mass_after_kg

    def as_dict(self) -> dict[str, Any]:
        from orbits.time import et_to_iso

        return {
            "name": self.name,
            "utc": str(et_to_iso(self.et, precision=0)),
            "dv_km_s": self.dv_km_s,
            "propulsion": self.propulsion,
            "mass_before_kg": self.mass_before_kg,
            "mass_after_kg": self.mass_after_kg,
            "propellant_kg": self.propellant_kg,
        }


@dataclass
class MissionPlan:
    """A complete plan: events, legs, budget, trajectory, checks. Units: ET s, km, km/s, kg."""

    mission: Mission
    settings: PlanSettings
    porkchop: Any  # xarray Dataset
    outbound: Any  # OutboundImpulsive
    low_thrust: Any  # TransferSolution or None
    chain: Any  # ReturnChain
    events: dict[str, float]
    manoeuvres: list[Manoeuvre]
    legs: list[dict[str, Any]]  # name, et0, et1, state0, state1 (km, km/s)
    checks: list[Any] = field(default_factory=list)  # LegCheck
    timings_s: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    _trajectory: Any = field(default=None, repr=False)
    _chain_x: Any = field(default=None, repr=False)

    # ------------------------------------------------------------------ numbers
    @property
    def launch_c3(self) -> float:
        if self.low_thrust is not None and self.outbound_design == "low-thrust":
            return float(self.low_thrust.launch_vinf @ self.low_thrust.launch_vinf)
        return self.outbound.c3

    @property
    def outbound_design(self) -> str:
        lt = self.low_thrust
        want = self.mission.phases.outbound.design
        return (
            "low-thrust" if want == "low-thrust" and lt is not None and lt.success else "impulsive"
        )

    @property
    def total_dv_km_s(self) -> float:
        return float(sum(m.dv_km_s for m in self.manoeuvres if m.propulsion in ("chemical", "sep")))

    @property
    def propellant_kg(self) -> float:
        return float(sum(m.propellant_kg for m in self.manoeuvres))

    @property
    def final_mass_kg(self) -> float:
        return float(self.manoeuvres[-1].mass_after_kg)

    @property
    def launch_mass_capability_kg(self) -> float:
        return float(self.mission.launch_vehicle.mass_capability(self.launch_c3))

    @property
    def feasible(self) -> bool:
        m = self.mission
        dry_left = m.spacecraft.dry_mass_kg - m.phases.return_.capsule_mass_kg
        return bool(
            self.final_mass_kg >= dry_left - 1e-6
            and self.launch_mass_capability_kg >= m.spacecraft.wet_mass_kg - 1e-6
            and self.chain.entry_speed <= m.phases.return_.entry_speed_max_km_s + 1e-6
        )

    def mass_at(self, et: float) -> float:
        """Spacecraft mass (kg) at ``et`` from the budget (impulsive steps; the low-thrust arc at its start)."""
        m = self.mission.spacecraft.wet_mass_kg
        for x in self.manoeuvres:
            if x.et < et:
                m = x.mass_after_kg
        return m

    def event_iso(self) -> dict[str, str]:
        from orbits.time import et_to_iso

        return {k: str(et_to_iso(v, precision=0)) for k, v in self.events.items()}

    def summary(self) -> dict[str, Any]:
        """The JSON summary (what ``kamo mission plan --json`` prints)."""
        m = self.mission
        return {
            "mission": m.mission.name,
            "events": self.event_iso(),
            "launch_c3_km2_s2": self.launch_c3,
            "launch_vehicle_capability_kg": self.launch_mass_capability_kg,
            "wet_mass_kg": m.spacecraft.wet_mass_kg,
            "total_dv_km_s": self.total_dv_km_s,
            "propellant_kg": self.propellant_kg,
            "final_mass_kg": self.final_mass_kg,
            "feasible": self.feasible,
            "outbound_design": self.outbound_design,
            "entry_speed_km_s": self.chain.entry_speed,
            "entry_speed_limit_km_s": m.phases.return_.entry_speed_max_km_s,
            "flybys": [
                {
                    "body": b,
                    "utc": self.event_iso()[f"{b}_flyby_{i + 1}"],
                    "vinf_in_km_s": float(np.linalg.norm(self.chain.flyby_vinf_in[i])),
                    "vinf_out_km_s": float(np.linalg.norm(self.chain.flyby_vinf_out[i])),
                    "periapsis_altitude_km": self.flyby_altitudes_km[i],
                    "powered_dv_km_s": self.chain.flyby_dv[i],
                }
                for i, b in enumerate(m.phases.extended.flybys)
            ],
            "budget": [x.as_dict() for x in self.manoeuvres],
            "fidelity_checks": [c.as_dict() for c in self.checks],
            "low_thrust": None
            if self.low_thrust is None
            else {
                "success": self.low_thrust.success,
                "status": self.low_thrust.status,
                "propellant_kg": self.low_thrust.propellant_kg,
                "delta_v_km_s": self.low_thrust.delta_v_km_s,
                "iterations": self.low_thrust.iterations,
            },
            "chain_refined_by": self.chain.refined_by,
            "timings_s": self.timings_s,
            "notes": self.notes,
        }

    @property
    def flyby_altitudes_km(self) -> list[float]:
        """Periapsis altitude flown at each flyby (never below the minimum: extra turn is an impulse)."""
        ext = self.mission.phases.extended
        out = []
        for i, b in enumerate(ext.flybys):
            rp = max(float(self.chain.flyby_rp[i]), radius(b) + ext.min_flyby_altitude_km[i])
            out.append(min(rp, 1e9) - radius(b))
        return out

    # ----------------------------------------------------------------- outputs
    @property
    def trajectory(self):
        """The whole plan as an xarray Dataset on ``time`` (position, velocity, mass, thrust)."""
        if self._trajectory is None:
            from missions.plan.output import trajectory_dataset

            self._trajectory = trajectory_dataset(self)
        return self._trajectory

    def plot_trajectory(self, ax=None):
        from missions.plan.output import plot_trajectory

        return plot_trajectory(self, ax)

    def plot_distances(self, ax=None):
        from missions.plan.output import plot_distances

        return plot_distances(self, ax)

    def plot_thrust(self, ax=None):
        from missions.plan.output import plot_thrust

        return plot_thrust(self, ax)

    def plot_porkchop(self, ax=None):
        from missions.plan.output import plot_launch_porkchop

        return plot_launch_porkchop(self, ax)

    def write(self, out_dir: str | Path) -> dict[str, str]:
        """Write the trajectory (NetCDF), spacecraft SPK, timeline, budget, summary and plots."""
        from missions.plan.output import write_plan

        return write_plan(self, Path(out_dir))

    def __repr__(self) -> str:
        lines = [
            f"MissionPlan({self.mission.mission.name}: {'feasible' if self.feasible else 'NOT feasible'}, "
            f"outbound {self.outbound_design})",
        ]
        for k, v in self.event_iso().items():
            lines.append(f"  {k:<22} {v} UTC")
        lines.append(
            f"  launch C3 {self.launch_c3:.2f} km²/s² (LV capability {self.launch_mass_capability_kg:.0f} kg "
            f"for {self.mission.spacecraft.wet_mass_kg:.0f} kg), total dv {self.total_dv_km_s:.3f} km/s, "
            f"propellant {self.propellant_kg:.1f} kg, final mass {self.final_mass_kg:.1f} kg"
        )
        lines.append(
            f"  entry speed {self.chain.entry_speed:.3f} km/s "
            f"(limit {self.mission.phases.return_.entry_speed_max_km_s} km/s)"
        )
        return "\n".join(lines)


# --------------------------------------------------------------------------- planning


def _span(a: str, b: str) -> tuple[float, float]:
    from orbits.time import to_et

    return float(to_et(a)), float(to_et(b))


def _coast_nodes(ob, et: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Impulsive design's states at epochs (its warm start for the low-thrust problem)."""
    from orbits._kepler import kepler_batch

    before = et <= ob.et_dsm
    base = np.where(before[:, None], ob.state_launch[None], ob.state_dsm_after[None])
    dt = np.where(before, et - ob.et_launch, et - ob.et_dsm)
    r, v = kepler_batch(GM_SUN, base[:, :3].copy(), base[:, 3:].copy(), dt)
    return r, v


def _low_thrust(mission: Mission, ob, n: int, warm: Any, et_launch: float | None = None):
    from gnc.transfer import LowThrustTransfer
    from orbits.ephemeris import state_et

    sep = mission.spacecraft.sep
    if n not in _LT_CACHE:
        _LT_CACHE[n] = LowThrustTransfer(n)
    tr = _LT_CACHE[n]
    et_launch = ob.et_launch if et_launch is None else float(et_launch)
    earth = state_et("earth", et_launch)
    tof = ob.et_arrival - et_launch
    kwargs = dict(
        et0=et_launch,
        mass_kg=mission.spacecraft.wet_mass_kg,
        isp_s=sep.isp_s,
        thrust_1au_n=2 * sep.efficiency * sep.power_1au_kw * 1e3 / (sep.isp_s * G0),
        max_thrust_n=2 * sep.efficiency * sep.max_power_kw * 1e3 / (sep.isp_s * G0),
        vinf_max_km_s=math.sqrt(mission.launch_vehicle.max_c3(mission.spacecraft.wet_mass_kg)),
    )
    if warm is not None and getattr(warm, "success", False) and len(warm.et) == n + 1:
        sol = tr.solve(
            earth[:3],
            earth[3:],
            ob.target_arrival[:3],
            ob.target_arrival[3:],
            tof,
            warm=warm,
            **kwargs,
        )
        if sol.success:
            return sol
    et = et_launch + np.linspace(0.0, tof, n + 1)
    gr, gv = _coast_nodes(ob, np.clip(et, ob.et_launch, None))
    return tr.solve(
        earth[:3],
        earth[3:],
        ob.target_arrival[:3],
        ob.target_arrival[3:],
        tof,
        guess_r=gr,
        guess_v=gv,
        **kwargs,
    )


def _register_mission_targets(mission: Mission) -> None:
    """Register the element files the mission names, and check the names refer to them."""
    from missions.mission import target_file
    from missions.targets import load_target
    from orbits.smallbody import get_small_body, register_small_body

    for which in ("asteroid", "comet"):
        path = target_file(mission, which)
        body = register_small_body(load_target(path))
        name = getattr(mission.targets, which)
        if get_small_body(name) != body:
            raise ValueError(
                f"targets.{which} {name!r} is not the name or an alias of the body in "
                f"targets.{which}_file ({path.name}: {body.name}, aliases {', '.join(body.aliases)})"
            )


def _best_launch(mission: Mission, ob, lt, n: int, launch_span: tuple[float, float]):
    """Move the launch date (arrival fixed) to the low-thrust propellant optimum near the impulsive one.

    The impulsive search picks the launch for chemical delta-v; the SEP optimum can
    sit a few days away. A bounded 1-D search (each solve warm-started from the
    best so far) within +-20 days and the launch period.
    """
    from scipy.optimize import minimize_scalar

    best = {"sol": lt}
    lo = max(launch_span[0], ob.et_launch - 20 * DAY_S)
    hi = min(launch_span[1], ob.et_launch + 20 * DAY_S)
    if hi - lo < DAY_S:
        return lt

    def propellant(t0: float) -> float:
        sol = _low_thrust(mission, ob, n, best["sol"], et_launch=t0)
        if not sol.success:
            return best["sol"].propellant_kg + 1e3
        if sol.propellant_kg < best["sol"].propellant_kg:
            best["sol"] = sol
        return sol.propellant_kg

    minimize_scalar(
        propellant, bounds=(lo, hi), method="bounded", options={"xatol": 0.5 * DAY_S, "maxiter": 8}
    )
    return best["sol"]


def plan_mission(
    mission: Mission | str | Path | None = None,
    *,
    fast: bool = False,
    launch_date: Any = None,
    fidelity: bool = True,
    warm: MissionPlan | None = None,
    progress: Callable[[str], None] | None = None,
) -> MissionPlan:
    """Plan a mission end to end (see the module docstring for the steps).

    Parameters
    ----------
    mission : Mission, path or None
        A loaded mission, a mission file, or None for the reference mission.
    fast : bool
        Reduced effort (coarser grids, smaller populations, fewer collocation
        intervals, looser high-fidelity tolerance) for notebooks and tests.
    launch_date : ISO string, Time or ET, optional
        Fix the launch date (within an hour) instead of searching the launch period.
    fidelity : bool
        Run the high-fidelity check of every leg.
    warm : MissionPlan, optional
        A previous plan of the same mission: its low-thrust solution warm-starts
        the new one and its epochs seed the global search (fast re-planning).
    progress : callable, optional
        Called with a short message at each step.
    """
    from missions.plan import impulsive as imp
    from missions.targets import register_targets
    from orbits.porkchop import porkchop
    from orbits.time import to_et

    if mission is None or isinstance(mission, (str, Path)):
        mission = load_mission(mission)
    say = progress or (lambda _msg: None)
    settings = PlanSettings.from_mission(mission, fast=fast, fidelity=fidelity)
    register_targets()
    _register_mission_targets(mission)
    ph, sc = mission.phases, mission.spacecraft
    asteroid, comet = mission.targets.asteroid, mission.targets.comet
    timings: dict[str, float] = {}
    notes: list[str] = []

    launch_span = _span(ph.launch.window_start, ph.launch.window_end)
    if launch_date is not None:
        t = float(to_et(launch_date))
        launch_span = (t - 1800.0, t + 1800.0)
    arrival_span = _span(ph.outbound.arrival_window_start, ph.outbound.arrival_window_end)
    c3_max = mission.launch_vehicle.max_c3(sc.wet_mass_kg)
    # a warm re-plan seeds both global searches with the previous solution and runs them shorter
    de_iter = settings.de_maxiter if warm is None else max(10, settings.de_maxiter // 3)

    # 1. porkchop of the launch period
    tic = time.perf_counter()
    say("launch porkchop")
    g = settings.porkchop_grid
    pc_launch = _span(ph.launch.window_start, ph.launch.window_end)
    pc = porkchop(
        "earth",
        asteroid,
        (pc_launch[0], pc_launch[1])
        if launch_date is None
        else (launch_span[0] - 30 * DAY_S, launch_span[1] + 30 * DAY_S),
        arrival_span,
        grid=g,
        revolutions=(0, 1),
    )
    timings["porkchop"] = time.perf_counter() - tic

    # 2. impulsive rendezvous with a DSM
    tic = time.perf_counter()
    say("impulsive rendezvous (DSM) search")
    ob = imp.optimise_outbound(
        asteroid,
        launch_span,
        arrival_span,
        math.sqrt(c3_max),
        seed=settings.de_seed,
        maxiter=de_iter,
        popsize=settings.de_popsize,
        x0=None if warm is None else warm.outbound.x,
    )
    timings["outbound_impulsive"] = time.perf_counter() - tic

    # 3. low-thrust transfer warm-started from the impulsive one
    lt = None
    if ph.outbound.design == "low-thrust":
        tic = time.perf_counter()
        say("low-thrust transfer (CasADi/IPOPT)")
        lt = _low_thrust(
            mission, ob, settings.low_thrust_intervals, warm.low_thrust if warm else None
        )
        if lt.success and launch_date is None:
            say("low-thrust launch date (1-D search, warm-started solves)")
            lt = _best_launch(mission, ob, lt, settings.low_thrust_intervals, launch_span)
        timings["low_thrust"] = time.perf_counter() - tic
        if not lt.success:
            notes.append(
                f"low-thrust transfer did not converge ({lt.status}); flying the impulsive design"
            )
    use_lt = lt is not None and lt.success
    et_arrival = ob.et_arrival

    # 4. return + gravity assists + comet
    tic = time.perf_counter()
    say("return and gravity-assist chain (differential evolution + CasADi)")
    ret, ext = ph.return_, ph.extended
    rp_min = [radius(b) + h for b, h in zip(ext.flybys, ext.min_flyby_altitude_km, strict=True)]
    problem = imp.ChainProblem(
        asteroid,
        comet,
        list(ext.flybys),
        rp_min,
        ret.entry_speed_max_km_s,
        radius("earth") + ret.entry_altitude_km,
    )
    c_chem = sc.chemical.exhaust_speed_km_s
    c_sep = sc.sep.exhaust_speed_km_s
    w_ret = 1.0 if ret.propulsion == "sep" else c_sep / c_chem
    w_ext = 1.0 if ext.propulsion == "sep" else c_sep / c_chem
    if mission.objective.minimize == "delta_v":
        w_ret = w_ext = 1.0
    weights = (w_ret, w_ext)
    ret_span = _span(ret.arrival_window_start, ret.arrival_window_end)
    com_span = _span(ext.arrival_window_start, ext.arrival_window_end)
    bounds = [
        (et_arrival + ph.stay.min_days * DAY_S, et_arrival + ph.stay.max_days * DAY_S),
        ret_span,
    ]
    n_mid = len(ext.flybys) - 1
    if n_mid:
        mids = np.linspace(ret_span[1], com_span[0], n_mid + 2)[1:-1]
        bounds += [(ret_span[0] + 60 * DAY_S, com_span[0] - 60 * DAY_S) for _ in mids]
    bounds.append(com_span)
    x = imp.search_chain(
        problem,
        bounds,
        seed=settings.de_seed,
        maxiter=de_iter,
        popsize=settings.de_popsize,
        weights=weights,
        x0=None if warm is None or len(warm._chain_x) != len(bounds) else warm._chain_x,
    )
    refined_by = "differential evolution"
    if settings.refine_casadi:
        x2, ok = imp.refine_chain_casadi(problem, x, bounds, weights)
        if not np.array_equal(x2, x):
            refined_by = "differential evolution + CasADi/IPOPT" + (
                "" if ok else " (stopped early)"
            )
            x = x2
    chain = imp.build_chain(problem, x, refined_by)
    timings["return_chain"] = time.perf_counter() - tic

    # 5. events, budget, legs
    events, manoeuvres, legs = _timeline(mission, ob, lt if use_lt else None, chain)
    plan = MissionPlan(
        mission=mission,
        settings=settings,
        porkchop=pc,
        outbound=ob,
        low_thrust=lt,
        chain=chain,
        events=events,
        manoeuvres=manoeuvres,
        legs=legs,
        timings_s=timings,
        notes=notes,
        _chain_x=x,
    )

    # 6. high-fidelity checks
    if settings.fidelity:
        tic = time.perf_counter()
        say("high-fidelity check of every leg (heyoka)")
        plan.checks = _check_legs(plan)
        timings["fidelity"] = time.perf_counter() - tic
    if not plan.feasible:
        notes.append(
            "the plan violates a constraint (mass, launch capability or entry speed): see the budget"
        )
    return plan


def _rocket(m0: float, dv: float, c: float) -> float:
    return m0 * math.exp(-dv / c)


def _timeline(mission: Mission, ob, lt, chain) -> tuple[dict, list, list]:
    ph, sc = mission.phases, mission.spacecraft
    c_chem, c_sep = sc.chemical.exhaust_speed_km_s, sc.sep.exhaust_speed_km_s
    c_of = {"chemical": c_chem, "sep": c_sep}
    ast, com = mission.targets.asteroid, mission.targets.comet
    events: dict[str, float] = {"launch": float(lt.et[0]) if lt is not None else ob.et_launch}
    man: list[Manoeuvre] = []
    m = sc.wet_mass_kg

    def burn(name: str, et: float, dv: float, prop: str) -> None:
        nonlocal m
        m1 = _rocket(m, dv, c_of[prop])
        man.append(Manoeuvre(name, et, float(dv), prop, m, m1))
        m = m1

    legs = []
    if lt is not None:
        man.append(
            Manoeuvre(
                "outbound low-thrust arc",
                float(lt.et[0]),
                lt.delta_v_km_s,
                "sep",
                m,
                float(lt.mass_kg[-1]),
            )
        )
        m = float(lt.mass_kg[-1])
        legs.append(
            {
                "name": "outbound",
                "et0": float(lt.et[0]),
                "et1": float(lt.et[-1]),
                "state0": np.concatenate([lt.r[0], lt.v[0]]),
                "state1": np.concatenate([lt.r[-1], lt.v[-1]]),
                "origin": "earth",
                "destination": ast,
            }
        )
    else:
        events["dsm_1"] = ob.et_dsm
        burn("deep-space manoeuvre 1", ob.et_dsm, ob.dv_dsm, "chemical")
        burn(f"{ast} rendezvous", ob.et_arrival, ob.dv_arrival, "chemical")
        legs.append(
            {
                "name": "outbound (to DSM)",
                "et0": ob.et_launch,
                "et1": ob.et_dsm,
                "state0": ob.state_launch,
                "state1": ob.state_dsm_before,
                "origin": "earth",
                "destination": None,
            }
        )
        legs.append(
            {
                "name": "outbound (after DSM)",
                "et0": ob.et_dsm,
                "et1": ob.et_arrival,
                "state0": ob.state_dsm_after,
                "state1": ob.state_arrival_before,
                "origin": None,
                "destination": ast,
            }
        )
    events[f"{_key(ast)}_arrival"] = ob.et_arrival
    et_dep = float(chain.epochs[0])
    events[f"{_key(ast)}_departure"] = et_dep
    burn(f"{ast} departure", et_dep, chain.dv_departure, ph.return_.propulsion)
    et_ret = float(chain.epochs[1])
    release = et_ret - ph.return_.capsule_release_hours_before_entry * 3600.0
    events["capsule_release"] = release
    man.append(
        Manoeuvre("capsule release", release, 0.0, "release", m, m - ph.return_.capsule_mass_kg)
    )
    m -= ph.return_.capsule_mass_kg
    if ph.return_.divert_dv_km_s > 0:
        burn("divert after release", release + 600.0, ph.return_.divert_dv_km_s, "chemical")
    events["earth_return"] = et_ret
    for i, body in enumerate(ph.extended.flybys):
        et_fb = float(chain.epochs[1 + i])
        events[f"{body}_flyby_{i + 1}"] = et_fb
        burn(
            f"{body} flyby {i + 1} (powered part)", et_fb, chain.flyby_dv[i], ph.extended.propulsion
        )
    events[f"{_key(com)}_arrival"] = float(chain.epochs[-1])
    burn(f"{com} rendezvous", float(chain.epochs[-1]), chain.dv_arrival, ph.extended.propulsion)
    for leg in chain.legs:
        legs.append(
            {
                "name": leg.name,
                "et0": leg.et0,
                "et1": leg.et1,
                "state0": leg.state0,
                "state1": leg.state1,
                "origin": leg.origin,
                "destination": leg.destination,
            }
        )
    events = dict(sorted(events.items(), key=lambda kv: kv[1]))
    return events, man, legs


def _key(name: str) -> str:
    return {"kamooalewa": "kamooalewa", "311p": "311p"}.get(
        str(name).lower(), str(name).lower().replace("/", "_")
    )


def _check_legs(plan: MissionPlan) -> list:
    from missions.plan.fidelity import check_leg, low_thrust_burns

    sc = plan.mission.spacecraft
    tol = plan.settings.fidelity_tolerance
    out = []
    for leg in plan.legs:
        burns: list = []
        mass = plan.mass_at(leg["et0"] + 1.0)
        if leg["name"] == "outbound" and plan.low_thrust is not None:
            burns = low_thrust_burns(
                plan.low_thrust.et, plan.low_thrust.thrust_n, plan.low_thrust.isp_s
            )
            mass = float(plan.low_thrust.mass_kg[0])
        out.append(
            check_leg(
                leg["name"],
                np.asarray(leg["state0"], dtype=float),
                leg["et0"],
                leg["et1"],
                leg["origin"],
                leg["destination"],
                tol=tol,
                mass_kg=mass,
                srp_area_m2=sc.srp_area_m2,
                srp_cr=sc.srp_cr,
                burns=burns,
                planned_end=np.asarray(leg["state1"], dtype=float),
            )
        )
    return out
