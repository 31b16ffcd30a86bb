"""The onboard executive: ``step(t, observations) -> commands``, deciding while flying.

The executive runs the mode machine (:mod:`autonomy.modes`), judges the descent
gates (:mod:`autonomy.checkpoints`), selects sites from the onboard hazard map
(:mod:`autonomy.hazards`), watches for faults (:mod:`autonomy.fdir`), keeps the
resource book (:mod:`autonomy.resources`) and writes every decision to its event
log (:mod:`autonomy.log`).

Guidance is model-predictive: every step it re-plans the current leg (a target
position and velocity in a site-fixed east-north-up frame and a deadline) with
``gnc``'s convex fuel-optimal re-planner on the shrinking horizon, and applies the
first interval. The compute budget is deterministic: a plan that needs more
interior-point iterations than ``solver_iteration_budget`` counts as late, exactly
like a failed solve, so runs are reproducible on any machine. The fallback is the
previous plan of the same leg (time-shifted) while it lasts, then ``gnc``'s
zero-effort-miss / zero-effort-velocity law (:func:`gnc.guidance.zem_zev_acceleration`),
which also flies transfers and climbs. (``gnc.guidance.DescentGuidance`` is not used
as is because its budget is wall-clock time.) Station keeping and holds use a
proportional-derivative law with the known gravity and frame accelerations fed
forward.

Nothing here reads the wall clock, opens a file or a socket, or draws a random
number: the same observations give the same commands.

Example
-------
>>> from autonomy.executive import Executive, ExecutiveConfig
>>> ex = Executive(ExecutiveConfig.default())
>>> ex.mode
<Mode.APPROACH: 'approach'>
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from autonomy import fdir
from autonomy.checkpoints import (
    GO,
    HOLD,
    WAIVE_OFF,
    CheckpointDecision,
    CheckpointInputs,
    CheckpointLimits,
    evaluate_checkpoint,
)
from autonomy.commands import (
    N_THRUSTERS,
    THRUSTER_DIRECTIONS,
    AttitudeCommand,
    ImagingCommand,
    NavModeCommand,
    SamplerCommand,
    StepCadence,
    ThrusterCommand,
    ThrusterIsolationCommand,
)
from autonomy.hazards import HazardLimits, SkyGeometry, rank_sites, site_frame
from autonomy.log import EventLog
from autonomy.modes import CRITICAL_MODES, Mode, ModeMachine
from autonomy.observations import (
    AltimeterReading,
    AttitudeStatus,
    CommStatus,
    ContactStatus,
    DataStatus,
    GroundGoal,
    GroundSequence,
    HazardMapProduct,
    ImuReading,
    NavSolution,
    PowerStatus,
    PropellantStatus,
    SampleStatus,
    SiteHazard,
    SpaceWeatherAdvisory,
    ThrusterTelemetry,
    TimeTaggedCommand,
)
from autonomy.resources import G0, ResourceBook, ResourceLimits
from gnc.bodies import SmallBodyModel, kamooalewa
from gnc.convex import ConvexDescentPlanner
from gnc.gravity import PointMassGravity
from gnc.guidance import zem_zev_acceleration
from gnc.sensors import dcm_to_quat

__all__ = ["DescentProfile", "Executive", "ExecutiveConfig", "Leg"]


@dataclass(frozen=True)
class DescentProfile:
    """Altitudes (m above the site), speeds (m/s) and durations (s) of the proximity phases.

    The gates scale OSIRIS-REx's Checkpoint (~125 m) and Matchpoint (~54 m) and
    Hayabusa2's gates to a ~40 m body: home and gate 1 at ``home_altitude_m``, the
    checkpoint at ``checkpoint_altitude_m`` (also the rehearsal's turn-around), the
    matchpoint at ``matchpoint_altitude_m``, contact at ``contact_speed_m_s``.
    """

    survey_altitude_m: float = 250.0
    home_altitude_m: float = 100.0
    checkpoint_altitude_m: float = 40.0
    matchpoint_altitude_m: float = 15.0
    departure_altitude_m: float = 300.0
    transfer_speed_m_s: float = 0.5
    descent_speed_m_s: float = 0.3
    checkpoint_speed_m_s: float = 0.05
    matchpoint_speed_m_s: float = 0.08
    contact_speed_m_s: float = 0.10
    back_away_speed_m_s: float = 0.4
    safe_drift_speed_m_s: float = 0.05
    contact_duration_s: float = 5.0
    fire_delay_s: float = 1.0
    verification_s: float = 30.0
    min_leg_s: float = 30.0
    attempt_delta_v_m_s: float = 3.0


@dataclass(frozen=True)
class ExecutiveConfig:
    """What the executive knows before flight: body, sky, spacecraft, profile, limits, compute budget."""

    body: SmallBodyModel
    sky: SkyGeometry
    dry_mass_kg: float = 1100.0
    propellant_kg: float = 100.0
    thrust_per_thruster_n: float = 10.0
    isp_s: float = 220.0
    profile: DescentProfile = field(default_factory=DescentProfile)
    hazard_limits: HazardLimits = field(default_factory=HazardLimits)
    gate1_limits: CheckpointLimits = field(
        default_factory=lambda: CheckpointLimits(
            max_nav_sigma_m=2.0, require_link=True, hold_max_s=1e9
        )
    )
    checkpoint_limits: CheckpointLimits = field(
        default_factory=lambda: CheckpointLimits(max_nav_sigma_m=1.0, hold_max_s=120.0)
    )
    matchpoint_limits: CheckpointLimits = field(
        default_factory=lambda: CheckpointLimits(max_nav_sigma_m=0.6, hold_max_s=60.0)
    )
    fdir_limits: fdir.FdirLimits = field(default_factory=fdir.FdirLimits)
    resource_limits: ResourceLimits = field(default_factory=ResourceLimits)
    n_intervals: int = 30
    solver_iteration_budget: int = 100
    solver_max_rounds: int = 2
    accel_margin: float = 0.8
    terminal_horizon_s: float = 15.0
    arrival_tolerance_m: float = 3.0
    arrival_grace_s: float = 300.0
    max_waive_offs: int = 3
    imaging_rate_mbit_s: float = 2.0
    data_capacity_mbit: float = 8000.0

    @classmethod
    def default(cls, **kw) -> ExecutiveConfig:
        """Kamoʻoalewa (41 m, 28.3 min) with the Sun 35 deg and Earth 20 deg above its equator."""
        body = kw.pop("body", None) or kamooalewa()
        sky = kw.pop("sky", None) or SkyGeometry(
            sun_dir_inertial=(math.cos(math.radians(35)), 0.0, math.sin(math.radians(35))),
            earth_dir_inertial=(
                math.cos(math.radians(20)) * math.cos(math.radians(40)),
                math.cos(math.radians(20)) * math.sin(math.radians(40)),
                math.sin(math.radians(20)),
            ),
            spin_rate_rad_s=body.spin_rate,
            spin_phase0_rad=body.spin_phase0_rad,
        )
        return cls(body=body, sky=sky, **kw)


@dataclass
class Leg:
    """A guidance leg: reach ``r_target``/``v_target`` (site frame ``frame``) by ``t_end``.

    ``kind`` is ``"plan"`` (descents: MPC with the convex re-planner), ``"zem"`` (transfers and
    climbs: zero-effort-miss/velocity feedback), ``"hold"`` (PD station keeping at
    ``r_target``), ``"sink"`` (hold a descent rate) or ``"coast"`` (thrusters off).
    """

    name: str
    frame: str
    r_target: np.ndarray
    v_target: np.ndarray
    t_end: float
    kind: str = "plan"
    cone: bool = False


def _cross3(a, b) -> np.ndarray:
    """``np.cross`` of two 3-vectors with the same float operations, without its per-call overhead."""
    a0, a1, a2 = float(a[0]), float(a[1]), float(a[2])
    b0, b1, b2 = float(b[0]), float(b[1]), float(b[2])
    return np.array((a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0))


def _quantize_horizon(T: float, ratio: float = 1.12) -> float:
    """Round a horizon onto a geometric grid, so the planner's discretisation cache is reused.

    A plan that ends up to 6 % early or late is harmless: the next step re-plans.
    """
    k = round(math.log(max(T, 1.0)) / math.log(ratio))
    return ratio**k


def _hold_key(reasons) -> str:
    """The hold reasons without their numbers: a new log entry only when the kind of hold changes."""
    return "|".join("".join(ch for ch in r if not (ch.isdigit() or ch == ".")) for r in reasons)


@dataclass
class _Frame:
    origin: np.ndarray
    R: np.ndarray  # body = origin + R @ local


class Executive:
    """The onboard executive. Call :meth:`step` once per control cycle with the observations of that cycle."""

    def __init__(self, config: ExecutiveConfig | None = None) -> None:
        self.cfg = config or ExecutiveConfig.default()
        cfg = self.cfg
        self.modes = ModeMachine(Mode.APPROACH, 0.0)
        self.log = EventLog()
        self.resources = ResourceBook(
            cfg.propellant_kg,
            cfg.isp_s,
            cfg.resource_limits,
            data_capacity_mbit=cfg.data_capacity_mbit,
        )
        self.faults = fdir.FaultMonitor(cfg.fdir_limits)
        self.omega = np.array([0.0, 0.0, cfg.body.spin_rate])
        self.gravity = PointMassGravity(cfg.body.gm)
        c = cfg.body.semi_axes_m[2]
        self._local_cache: dict[str, tuple] = {}
        self.frames: dict[str, _Frame] = {
            "pole": _Frame(np.array([0.0, 0.0, c]), site_frame((0.0, 0.0, 1.0)))
        }
        self._planners: dict[tuple, ConvexDescentPlanner] = {}
        self.nav: NavSolution | None = None
        self.goal: GroundGoal | None = None
        self.sites: dict[str, SiteHazard] = {}
        self.site: SiteHazard | None = None
        self.excluded: set[str] = set()
        self.leg: Leg | None = None
        self._plan = None
        self._plan_t0 = 0.0
        self._plan_leg: str | None = None
        self._fallback_active = False
        self._attitude_frame: tuple | str | None = None
        self._last_duty: tuple[float, ...] | None = None
        self._last_period = 1.0
        self.link_up = True
        self.star_tracker_valid = True
        self.pointing_error_rad = 0.0
        self.in_contact = False
        self.contact_t: float | None = None
        self.fired = False
        self.sample_mass_g: float | None = None
        self.sampled = False
        self.status: str | None = None
        self.status_reason = ""
        self.attempts = 0
        self.rehearsals_done = 0
        self.waive_offs = 0
        self.survey_started: float | None = None
        self.survey_done = False
        self.gate: str | None = None
        self.hold_since: float | None = None
        self._hold_reason = ""
        self._hold_logged_t = -math.inf
        self.after_back_away: str = "home"
        self.descent_allowed = True
        self.descent_block_reason = ""
        self.nav_mode = "altimeter+camera"
        self.ground_queue: list[TimeTaggedCommand] = []
        self.ground_hold = False
        self._advisory_logged: tuple | None = None
        self.pending: list = []
        self.step_count = 0
        self.replans = 0
        self.replan_failures = 0
        self.solver_iterations: list[int] = []

    # ------------------------------------------------------------------ public face
    @property
    def mode(self) -> Mode:
        return self.modes.mode

    @property
    def mass_kg(self) -> float:
        return self.cfg.dry_mass_kg + self.resources.propellant_kg

    def step(self, t: float, observations=()) -> list:
        """Take this cycle's observations at simulation time ``t`` (s) and return the commands."""
        t = float(t)
        self.step_count += 1
        self.pending = []
        self._ingest(t, observations)
        if self.mode != Mode.DONE:
            self._ground_commands(t)
            self._monitor(t)
            self._tick(t)
        accel = self._guide(t) if self.mode != Mode.DONE else np.zeros(3)
        cmds = list(self.pending)
        cmds.extend(self._actuate(t, accel))
        return cmds

    def __repr__(self) -> str:
        site = self.site.name if self.site else "none"
        return (
            f"Executive(mode={self.mode.value}, site={site}, attempts={self.attempts}, "
            f"waive-offs={self.waive_offs}, {self.resources!r}, log: {len(self.log)} entries)"
        )

    # ------------------------------------------------------------------ observations
    def _ingest(self, t: float, observations) -> None:
        for ob in observations:
            if isinstance(ob, NavSolution):
                self.nav = ob
            elif isinstance(ob, AltimeterReading):
                alt = self._altitude() if self.nav is not None else math.inf
                self._faults(t, self.faults.check_altimeter(ob, alt, self._altimeter_expected()))
            elif isinstance(ob, AttitudeStatus):
                self.star_tracker_valid = ob.star_tracker_valid
                self.pointing_error_rad = ob.pointing_error_rad
                self._faults(t, self.faults.check_star_tracker(ob))
            elif isinstance(ob, ThrusterTelemetry):
                self._faults(t, self.faults.check_thrusters(ob, self._last_duty))
            elif isinstance(ob, ImuReading):
                pass  # thrust checks use chamber pressure; the IMU feeds the plant-side filter
            elif isinstance(ob, PowerStatus):
                self.resources.power(ob.battery_soc)
                self._faults(t, self.faults.check_battery(ob))
            elif isinstance(ob, PropellantStatus):
                self.resources.gauge(ob.propellant_kg)
            elif isinstance(ob, DataStatus):
                msg = self.resources.data(ob.stored_mbit, ob.capacity_mbit)
                if msg:
                    self._record(t, "RESOURCE", msg, data_fraction=self.resources.data_fraction)
            elif isinstance(ob, CommStatus):
                self.link_up = ob.link_up
            elif isinstance(ob, ContactStatus):
                self._contact(t, ob.in_contact)
            elif isinstance(ob, SampleStatus):
                if ob.sample_mass_g is not None:
                    self.sample_mass_g = ob.sample_mass_g
                self._faults(t, self.faults.check_sampler(ob))
            elif isinstance(ob, HazardMapProduct):
                self._hazard_map(t, ob)
            elif isinstance(ob, SpaceWeatherAdvisory):
                self.faults.add_advisory(ob)
                self._record(
                    t,
                    "ADVISORY",
                    f"space-weather advisory {ob.kind}{ob.level} from t={ob.start:.0f} to ~{ob.end:.0f} s: {ob.reason}",
                    level=ob.level,
                    start_s=ob.start,
                    end_s=ob.end,
                )
            elif isinstance(ob, GroundGoal):
                self.goal = ob
                self._record(
                    t,
                    "GOAL",
                    f"ground goal: sample in [{ob.window_start:.0f}, {ob.window_end:.0f}] s, "
                    f"keep {ob.min_propellant_kg:.1f} kg, up to {ob.max_attempts} attempts, "
                    f"{ob.rehearsals} rehearsal(s)",
                    window_start_s=ob.window_start,
                    window_end_s=ob.window_end,
                    min_propellant_kg=ob.min_propellant_kg,
                )
            elif isinstance(ob, GroundSequence):
                self.ground_queue.extend(ob.commands)
                self.ground_queue.sort(key=lambda c: c.t_exec)
            elif isinstance(ob, TimeTaggedCommand):
                self.ground_queue.append(ob)
                self.ground_queue.sort(key=lambda c: c.t_exec)
            else:
                raise TypeError(
                    f"the executive does not know observations of type {type(ob).__name__}"
                )

    def _hazard_map(self, t: float, product: HazardMapProduct) -> None:
        for s in product.sites:
            old = self.sites.get(s.name)
            self.sites[s.name] = s
            if self.site is not None and s.name == self.site.name:
                self.site = s
            if old is not None and old != s:
                self._record(
                    t,
                    "HAZARD-MAP",
                    f"site {s.name} updated: hazard-free radius {old.safe_radius_m:.2f} -> "
                    f"{s.safe_radius_m:.2f} m, boulder {old.max_boulder_m:.2f} -> {s.max_boulder_m:.2f} m",
                    safe_radius_m=s.safe_radius_m,
                    max_boulder_m=s.max_boulder_m,
                )
        if not self.survey_done and product.sites:
            self.survey_done = True
            self._record(t, "HAZARD-MAP", f"survey hazard map with {len(product.sites)} sites")

    def _contact(self, t: float, in_contact: bool) -> None:
        if in_contact and not self.in_contact:
            self.contact_t = t
            if self.mode == Mode.TAG_DESCENT:
                self._go(t, Mode.CONTACT, "contact switch closed", altitude_m=self._altitude())
        self.in_contact = in_contact

    # ------------------------------------------------------------------ faults
    def _faults(self, t: float, faults) -> None:
        for f in faults:
            self._record(t, "FAULT", f.reason, **{k: v for k, v in f.numbers.items()})
            self._respond(t, f)

    def _respond(self, t: float, f: fdir.Fault) -> None:
        critical = self.mode in CRITICAL_MODES
        below_mp = self._below_matchpoint()
        alt = self._altitude() if self.nav is not None else math.inf
        resp = fdir.decide_response(
            f,
            critical=critical,
            altitude_m=alt,
            below_matchpoint=below_mp,
            authority=self.faults.authority_fraction(),
            limits=self.cfg.fdir_limits,
        )
        if f.kind in (fdir.THRUSTER_STUCK_OFF, fdir.THRUSTER_STUCK_ON):
            idx = int(f.numbers["thruster"])
            self.pending.append(ThrusterIsolationCommand(t, idx, False, f.reason))
            self._planners.clear()
        if f.kind == fdir.ALTIMETER_DROPOUT and resp.action == fdir.CAMERA_ONLY:
            self.nav_mode = "camera"
            self.pending.append(NavModeCommand(t, "camera"))
        if f.kind == fdir.SAMPLE_MECHANISM:
            self.pending.append(SamplerCommand(t, "stow"))
        if not resp.allow_new_descent and self.descent_allowed:
            self.descent_allowed = False
            self.descent_block_reason = resp.reason
        self._record(t, "FDIR", f"{resp.action}: {resp.reason}", altitude_m=alt)
        if resp.action == fdir.WAIVE_OFF and self.mode in (Mode.TAG_DESCENT, Mode.REHEARSAL):
            self._waive_off(t, resp.reason, site_hazardous=False)
        elif resp.action == fdir.SAFE:
            self._safe(t, resp.reason)

    def _monitor(self, t: float) -> None:
        """Checks that run every cycle: advisories, star tracker in a descent, the goal window."""
        adv = self.faults.advisory_hold(t)
        key = (adv.kind, adv.level, adv.start, adv.end) if adv else None
        if adv is not None and key != self._advisory_logged:
            self._advisory_logged = key
            f = fdir.Fault(
                fdir.SPACE_WEATHER,
                t,
                "ground advisory",
                f"{adv.kind}{adv.level} advisory active until ~{adv.end:.0f} s ({adv.reason})",
                {"level": adv.level, "end_s": adv.end},
            )
            self._faults(t, [f])
        elif adv is None and self._advisory_logged is not None:
            self._advisory_logged = None
            self._record(
                t, "ADVISORY", "space-weather advisory cleared: critical operations allowed"
            )
        lost = self.faults.star_tracker_lost_for(t)
        if (
            self.mode in (Mode.TAG_DESCENT, Mode.REHEARSAL)
            and not self._below_matchpoint()
            and lost >= self.cfg.fdir_limits.star_tracker_waive_off_s
        ):
            self._waive_off(t, f"star tracker lost for {lost:.0f} s in the descent", False)

    def _ground_commands(self, t: float) -> None:
        while self.ground_queue and self.ground_queue[0].t_exec <= t:
            c = self.ground_queue.pop(0)
            self._record(
                t, "GROUND", f"time-tagged '{c.action}' executed: {c.reason}", t_exec_s=c.t_exec
            )
            if c.action == "hold":
                self.ground_hold = True
            elif c.action == "resume":
                self.ground_hold = False
                if self.mode == Mode.SAFE:
                    self._go(t, Mode.HOME, "ground resume from SAFE")
                    self._set_home_leg(t)
            elif c.action == "abort":
                if self.mode in (Mode.TAG_DESCENT, Mode.REHEARSAL):
                    self._waive_off(t, f"ground abort: {c.reason}", False)
                self.descent_allowed = False
                self.descent_block_reason = f"ground abort: {c.reason}"
            elif c.action == "safe":
                self._safe(t, f"ground command: {c.reason}")

    # ------------------------------------------------------------------ mode logic
    def _tick(self, t: float) -> None:
        if self.nav is None:
            return
        mode = self.mode
        handler = getattr(self, f"_tick_{mode.value}")
        handler(t)

    def _tick_approach(self, t: float) -> None:
        p = self.cfg.profile
        if self.leg is None:
            target = np.array([0.0, 0.0, p.survey_altitude_m])
            dist = float(np.linalg.norm(self._local("pole")[0] - target))
            self._set_leg(
                t,
                "approach",
                "pole",
                target,
                np.zeros(3),
                self._leg_time(dist, p.transfer_speed_m_s),
                kind="zem",
            )
            self._record(
                t,
                "LEG",
                f"approach to the survey station {p.survey_altitude_m:.0f} m above the pole",
                distance_m=dist,
            )
        elif self._leg_done(t):
            self._go(t, Mode.SURVEY, "survey station reached", altitude_m=self._altitude())
            self._hold_leg(t, "survey-station", "pole", np.array([0.0, 0.0, p.survey_altitude_m]))
            self.survey_started = t
            self._imaging(t, True)

    def _tick_survey(self, t: float) -> None:
        # imaging follows the mass-memory limit (off at 90 %, back on at 75 %)
        self._imaging(t, self.resources.imaging_allowed)
        if self.survey_done:
            self._imaging(t, False)
            self._go(t, Mode.SITE_SELECTION, "hazard map received")
            self._select_site(t)

    def _tick_site_selection(self, t: float) -> None:
        self._select_site(t)

    def _select_site(self, t: float) -> None:
        p = self.cfg.profile
        t_contact = t + self._time_home_to_contact() + 300.0
        ranking = rank_sites(
            self.sites.values(), self.cfg.sky, t_contact, self.cfg.hazard_limits, self.excluded
        )
        for i, a in enumerate(ranking):
            self._record(
                t,
                "SITE-RANK",
                f"#{i + 1} {a.summary()}",
                rank=i + 1,
                score=a.score if a.feasible else -1.0,
                sun_elevation_deg=a.sun_elevation_deg,
                earth_elevation_deg=a.earth_elevation_deg,
                safe_radius_m=a.site.safe_radius_m,
                slope_deg=a.site.slope_deg,
            )
        best = ranking[0] if ranking and ranking[0].feasible else None
        if best is None:
            self.status, self.status_reason = "aborted", "no feasible site in the hazard map"
            self._record(t, "NO-SITE", self.status_reason)
            self._go(t, Mode.DEPARTURE, "no feasible site")
            self._departure_leg(t)
            return
        self.site = best.site
        self.frames["site"] = _Frame(np.asarray(best.site.position_m), site_frame(best.site.normal))
        self._planners = {k: v for k, v in self._planners.items() if k[0] != "site"}
        self._record(
            t, "SITE", f"selected {best.name}: {'; '.join(best.reasons)}", score=best.score
        )
        self._go(t, Mode.HOME, f"transfer to home {p.home_altitude_m:.0f} m above {best.name}")
        self._set_home_leg(t)

    def _set_home_leg(self, t: float) -> None:
        p = self.cfg.profile
        frame = "site" if "site" in self.frames else "pole"
        target = np.array([0.0, 0.0, p.home_altitude_m])
        dist = float(np.linalg.norm(self._local(frame)[0] - target))
        self._set_leg(
            t,
            "to-home",
            frame,
            target,
            np.zeros(3),
            self._leg_time(dist, p.transfer_speed_m_s),
            kind="zem",
        )

    def _tick_home(self, t: float) -> None:
        p = self.cfg.profile
        if self.leg is not None and self.leg.name == "to-home":
            if not self._leg_done(t):
                return
            self._hold_leg(t, "home", "site", np.array([0.0, 0.0, p.home_altitude_m]))
            self._record(t, "HOME", f"at home {self._altitude():.1f} m above {self.site.name}")
        if self.site is None or self.site.name in self.excluded:
            self._go(t, Mode.SITE_SELECTION, "site excluded: select again")
            self._select_site(t)
            return
        goal = self.goal
        if goal is None:
            self._hold(t, "gate 1", "waiting for a ground goal")
            return
        if t > goal.window_end - self._time_home_to_contact():
            self.status, self.status_reason = (
                "postponed",
                (
                    f"sampling window closes at {goal.window_end:.0f} s before an attempt could finish"
                ),
            )
            self._record(t, "POSTPONE", self.status_reason, window_end_s=goal.window_end)
            self._go(t, Mode.DEPARTURE, "window closed")
            self._departure_leg(t)
            return
        if not self.descent_allowed:
            self.status, self.status_reason = "aborted", self.descent_block_reason
            self._record(t, "ABORT", f"no further descent: {self.descent_block_reason}")
            self._go(t, Mode.DEPARTURE, "mission ends without a sample")
            self._departure_leg(t)
            return
        if self.attempts >= goal.max_attempts or self.waive_offs >= self.cfg.max_waive_offs:
            self.status, self.status_reason = (
                "aborted",
                (f"{self.attempts} attempts and {self.waive_offs} waive-offs used"),
            )
            self._record(t, "ABORT", self.status_reason)
            self._go(t, Mode.DEPARTURE, "attempts exhausted")
            self._departure_leg(t)
            return
        adv = self.faults.advisory_hold(t)
        if adv is not None:
            self._hold(
                t,
                "gate 1",
                f"{adv.kind}{adv.level} advisory holds critical operations until ~{adv.end:.0f} s",
            )
            return
        rehearsal = self.rehearsals_done < goal.rehearsals
        if not rehearsal and t < goal.window_start:
            self._hold(t, "gate 1", f"sampling window opens at {goal.window_start:.0f} s")
            return
        decision = self._gate(t, "gate 1", self.cfg.gate1_limits)
        if decision.decision != GO:
            return
        # illumination and Earth at the planned contact time
        t_contact = t + self._time_home_to_contact()
        a = rank_sites([self.site], self.cfg.sky, t_contact, self.cfg.hazard_limits)[0]
        if not a.feasible:
            self._record(t, "NO-SITE", f"{a.summary()}")
            self.excluded.add(self.site.name)
            return
        if a.wait_s > 0 and not rehearsal:
            self._hold(
                t,
                "gate 1",
                f"{self.site.name} not lit / Earth not in view at contact: wait {a.wait_s:.0f} s",
            )
            return
        self.hold_since = None
        if rehearsal:
            self._go(
                t, Mode.REHEARSAL, f"rehearsal descent {self.rehearsals_done + 1} to the checkpoint"
            )
            self._descent_leg(t, "rehearsal-down", p.checkpoint_altitude_m, 0.0)
        else:
            self.attempts += 1
            self._go(
                t,
                Mode.TAG_DESCENT,
                f"TAG attempt {self.attempts} at {self.site.name}: {decision.reason}",
                attempt=self.attempts,
            )
            self.fired = False
            self.pending.append(SamplerCommand(t, "arm"))
            self._descent_leg(t, "to-checkpoint", p.checkpoint_altitude_m, -p.checkpoint_speed_m_s)

    def _tick_rehearsal(self, t: float) -> None:
        p = self.cfg.profile
        if self.leg.name == "rehearsal-down" and self._leg_done(t):
            d = self._gate(t, "rehearsal checkpoint", self.cfg.checkpoint_limits, log_only=True)
            self._record(
                t,
                "REHEARSAL",
                f"rehearsal checkpoint would be {d.decision}; climb back",
                **d.numbers,
            )
            self._descent_leg(
                t, "rehearsal-up", p.home_altitude_m, 0.0, speed=p.back_away_speed_m_s
            )
        elif self.leg.name == "rehearsal-up" and self._leg_done(t):
            self.rehearsals_done += 1
            self._go(t, Mode.HOME, f"rehearsal {self.rehearsals_done} complete")
            self._hold_leg(t, "home", "site", np.array([0.0, 0.0, p.home_altitude_m]))

    def _tick_tag_descent(self, t: float) -> None:
        p = self.cfg.profile
        name = self.leg.name
        if self.gate == "checkpoint" or (name == "to-checkpoint" and self._leg_done(t)):
            d = self._gate(t, "checkpoint", self.cfg.checkpoint_limits)
            if d.decision == GO:
                self._descent_leg(
                    t, "to-matchpoint", p.matchpoint_altitude_m, -p.matchpoint_speed_m_s
                )
        elif self.gate == "matchpoint" or (name == "to-matchpoint" and self._leg_done(t)):
            d = self._gate(t, "matchpoint", self.cfg.matchpoint_limits)
            if d.decision == GO:
                self._descent_leg(t, "final", 0.0, -p.contact_speed_m_s, speed=p.contact_speed_m_s)
        elif name == "final" and self._leg_done(t):
            # no contact yet: keep sinking at the contact speed
            r, _ = self._local("site")
            self.leg = Leg(
                "final-sink",
                "site",
                np.array([r[0] * 0, 0.0, -1.0]),
                np.array([0.0, 0.0, -p.contact_speed_m_s]),
                t + 60.0,
                kind="sink",
            )
        elif name == "final-sink" and (self._leg_done(t) or self._altitude() < -1.0):
            self._waive_off(
                t, f"no contact {self._altitude():.2f} m below the expected surface", False
            )

    def _tick_contact(self, t: float) -> None:
        p = self.cfg.profile
        dt = t - (self.contact_t or t)
        if self.leg is None or self.leg.kind != "coast":
            self.leg = Leg(
                "contact", "site", np.zeros(3), np.zeros(3), t + p.contact_duration_s, kind="coast"
            )
        if not self.fired and dt >= p.fire_delay_s and not self.faults.mechanism_failed:
            self.fired = True
            self.pending.append(SamplerCommand(t, "fire"))
            self._record(t, "SAMPLE", f"sampler fired {dt:.1f} s after contact")
        if dt >= p.contact_duration_s or self.faults.mechanism_failed:
            self.pending.append(SamplerCommand(t, "stow"))
            self.after_back_away = "verify"
            self._go(t, Mode.BACK_AWAY, f"back-away burn after {dt:.1f} s of contact")
            self._descent_leg(t, "back-away", p.home_altitude_m, 0.0, speed=p.back_away_speed_m_s)
            self._kick = t

    def _tick_back_away(self, t: float) -> None:
        p = self.cfg.profile
        if not self._leg_done(t):
            return
        if self.after_back_away == "verify":
            self._go(t, Mode.SAMPLE_VERIFICATION, "at safe altitude: measure the sample")
            self._hold_leg(t, "verify", "site", np.array([0.0, 0.0, p.home_altitude_m]))
        else:
            self._go(t, Mode.HOME, "back at home after the waive-off")
            self._hold_leg(t, "home", "site", np.array([0.0, 0.0, p.home_altitude_m]))

    def _tick_sample_verification(self, t: float) -> None:
        p = self.cfg.profile
        if self.modes.time_in_mode(t) < p.verification_s:
            return
        need = self.goal.min_sample_g if self.goal else 1.0
        mass = self.sample_mass_g or 0.0
        if mass >= need:
            self.sampled = True
            self.status, self.status_reason = "sampled", f"sample of {mass:.1f} g verified"
            self._record(t, "SAMPLE-OK", self.status_reason, sample_mass_g=mass, min_sample_g=need)
            self._go(t, Mode.DEPARTURE, "sample verified")
            self._departure_leg(t)
        else:
            self._record(
                t,
                "SAMPLE-NONE",
                f"measured {mass:.1f} g < {need:.1f} g: no sample",
                sample_mass_g=mass,
            )
            self._go(t, Mode.HOME, "retry if the rules allow")
            self._hold_leg(t, "home", "site", np.array([0.0, 0.0, p.home_altitude_m]))

    def _tick_departure(self, t: float) -> None:
        if self._leg_done(t):
            if self.status is None:
                self.status, self.status_reason = "aborted", "departed without a sample"
            self._go(t, Mode.DONE, f"departure complete ({self.status}: {self.status_reason})")

    def _tick_safe(self, t: float) -> None:
        if self.leg is not None and self.leg.kind in ("plan", "zem") and self._leg_done(t):
            self.leg = Leg(
                "safe-drift", self.leg.frame, np.zeros(3), np.zeros(3), math.inf, kind="coast"
            )
            self._record(
                t,
                "SAFE",
                f"safe altitude {self._altitude():.1f} m reached, drifting away at "
                f"{self.cfg.profile.safe_drift_speed_m_s * 100:.0f} cm/s: thrusters off, Sun-pointing",
            )
            self._attitude_sun(t)

    # ------------------------------------------------------------------ decisions
    def _gate(
        self, t: float, name: str, limits: CheckpointLimits, log_only: bool = False
    ) -> CheckpointDecision:
        assert self.site is not None and self.nav is not None
        p = self.cfg.profile
        r, v = self._local("site")
        R = self.frames["site"].R
        sig_r = np.sqrt((R.T**2) @ np.square(self.nav.sigma_r_m))
        sig_v = np.sqrt((R.T**2) @ np.square(self.nav.sigma_v_m_s))
        offset, feasible = self._predicted_touchdown_offset(t, r, v)
        need = self.mass_kg * p.attempt_delta_v_m_s / (self.cfg.isp_s * G0)
        adv = self.faults.advisory_hold(t)
        battery_note = None
        if not self.resources.battery_ok_for_critical():
            battery_note = f"battery {self.resources.battery_soc * 100:.0f} %"
        held = 0.0 if self.hold_since is None or self.gate != name else t - self.hold_since
        inp = CheckpointInputs(
            name=name,
            t=t,
            altitude_m=float(r[2]),
            site=self.site,
            predicted_offset_m=offset,
            sigma_r_m=tuple(sig_r),
            sigma_v_m_s=tuple(sig_v),
            propellant_kg=self.resources.propellant_kg,
            propellant_needed_kg=need,
            min_propellant_kg=max(self.goal.min_propellant_kg if self.goal else 0.0, 0.0),
            star_tracker_valid=self.star_tracker_valid,
            pointing_error_rad=self.pointing_error_rad,
            link_up=self.link_up,
            advisory=(f"{adv.kind}{adv.level} until ~{adv.end:.0f} s" if adv else None)
            or battery_note
            or ("ground hold" if self.ground_hold else None),
            held_for_s=held,
            plan_feasible=feasible,
        )
        d = evaluate_checkpoint(inp, limits)
        if log_only:
            return d
        if d.decision == HOLD:
            if self.gate != name or self.hold_since is None:
                self.gate, self.hold_since = name, t
                self._hold_here(t)
            key = _hold_key(d.reasons[1:])
            if key != self._hold_reason or t - self._hold_logged_t >= 300.0:
                self._hold_reason, self._hold_logged_t = key, t
                self._record(t, HOLD, d.reason, **d.numbers)
        elif d.decision == WAIVE_OFF:
            self._record(t, WAIVE_OFF, d.reason, **d.numbers)
            self.gate, self.hold_since = None, None
            if self.mode == Mode.HOME:
                self.descent_allowed = False
                self.descent_block_reason = d.reason
            else:
                self._waive_off(t, d.reason, d.site_hazardous, logged=True)
        else:
            self._record(t, GO, d.reason, **d.numbers)
            self.gate, self.hold_since, self._hold_reason = None, None, ""
        return d

    def _hold(self, t: float, gate: str, reason: str) -> None:
        if self.gate != gate or self.hold_since is None:
            self.gate, self.hold_since = gate, t
        key = _hold_key([reason])
        if key != self._hold_reason or t - self._hold_logged_t >= 300.0:
            self._hold_reason, self._hold_logged_t = key, t
            self._record(t, HOLD, f"{gate}: {reason}")

    def _predicted_touchdown_offset(self, t: float, r, v) -> tuple[float, bool]:
        """Horizontal miss of the touchdown point predicted by a plan to contact from the current estimate (m)."""
        p = self.cfg.profile
        T = self._time_to_contact(float(r[2]))
        planner = self._planner("site", cone=True)
        plan = planner.plan(
            r,
            v,
            np.zeros(3),
            np.array([0.0, 0.0, -p.contact_speed_m_s]),
            _quantize_horizon(T),
            mass_kg=self.mass_kg,
            max_rounds=self.cfg.solver_max_rounds,
        )
        self.solver_iterations.append(plan.iterations)
        # a gate is judged once, not every cycle: a converged plan counts even past the budget
        if plan.success:
            return float(np.linalg.norm(plan.r[-1][:2])), True
        return float(np.linalg.norm(r[:2] + v[:2] * T)), False

    def _waive_off(self, t: float, reason: str, site_hazardous: bool, logged: bool = False) -> None:
        p = self.cfg.profile
        if self.mode not in (Mode.TAG_DESCENT, Mode.REHEARSAL):
            return
        if not logged:
            self._record(t, WAIVE_OFF, reason, altitude_m=self._altitude())
        self.waive_offs += 1
        if site_hazardous and self.site is not None:
            self.excluded.add(self.site.name)
        if self.mode == Mode.REHEARSAL:
            self.rehearsals_done += 1
        self.after_back_away = "home"
        self.gate, self.hold_since = None, None
        self.pending.append(SamplerCommand(t, "stow"))
        self._go(t, Mode.BACK_AWAY, f"waive-off: {reason}")
        self._descent_leg(t, "back-away", p.home_altitude_m, 0.0, speed=p.back_away_speed_m_s)

    def _safe(self, t: float, reason: str) -> None:
        if self.mode in (Mode.SAFE, Mode.DONE):
            return
        p = self.cfg.profile
        self.pending.append(SamplerCommand(t, "stow"))
        self._imaging(t, False)
        self._go(t, Mode.SAFE, reason)
        frame = "site" if "site" in self.frames else "pole"
        r, _ = self._local(frame)
        # climb to (at least) home altitude and leave on an escaping drift: passively safe
        target = np.array([r[0], r[1], max(r[2], p.home_altitude_m) + 20.0])
        dist = float(np.linalg.norm(target - r))
        self._set_leg(
            t,
            "safe-climb",
            frame,
            target,
            np.array([0.0, 0.0, p.safe_drift_speed_m_s]),
            self._leg_time(dist, p.back_away_speed_m_s),
            kind="zem",
        )
        if self.status is None:
            self.status, self.status_reason = "aborted", reason

    # ------------------------------------------------------------------ legs
    def _set_leg(
        self, t, name, frame, r_target, v_target, duration, kind="plan", cone=False
    ) -> None:
        duration = max(float(duration), self.cfg.profile.min_leg_s)
        self.leg = Leg(
            name,
            frame,
            np.asarray(r_target, float),
            np.asarray(v_target, float),
            t + duration,
            kind,
            cone,
        )

    def _hold_leg(self, t, name, frame, r_target) -> None:
        self.leg = Leg(name, frame, np.asarray(r_target, float), np.zeros(3), math.inf, kind="hold")

    def _hold_here(self, t: float) -> None:
        frame = self.leg.frame if self.leg else "site"
        r, _ = self._local(frame)
        self.leg = Leg(f"hold-{self.gate}", frame, r.copy(), np.zeros(3), math.inf, kind="hold")

    def _descent_leg(self, t, name, altitude, v_down, speed=None, frame="site") -> None:
        p = self.cfg.profile
        r, _ = self._local(frame)
        target = np.array([0.0, 0.0, altitude])
        dist = float(np.linalg.norm(r - target))
        speed = speed or p.descent_speed_m_s
        down = altitude < r[2]
        self._set_leg(
            t,
            name,
            frame,
            target,
            np.array([0.0, 0.0, v_down]),
            self._leg_time(dist, speed),
            kind="plan" if down else "zem",
            cone=down,
        )

    def _departure_leg(self, t: float) -> None:
        p = self.cfg.profile
        frame = "site" if "site" in self.frames else "pole"
        self._descent_leg(
            t, "departure", p.departure_altitude_m, 0.0, speed=p.transfer_speed_m_s, frame=frame
        )

    def _leg_time(self, dist: float, speed: float) -> float:
        """Leg duration (s): at ``speed``, but never faster than the thrusters allow rest to rest (with margin)."""
        a = max(self._authority(), 1e-6)
        return max(dist / speed, 3.5 * math.sqrt(dist / a), self.cfg.profile.min_leg_s)

    def _leg_done(self, t: float) -> bool:
        """Deadline reached and, for legs that end at rest, within ``arrival_tolerance_m`` of the target."""
        leg = self.leg
        if leg is None or t < leg.t_end - 0.5 * self._last_period:
            return False
        if (
            leg.kind not in ("plan", "zem")
            or np.any(leg.v_target != 0.0)
            or not math.isfinite(leg.t_end)
        ):
            return True
        r, _ = self._local(leg.frame)
        miss = float(np.linalg.norm(r - leg.r_target))
        if miss <= self.cfg.arrival_tolerance_m or t > leg.t_end + self.cfg.arrival_grace_s:
            return True
        return False

    def _time_home_to_contact(self) -> float:
        p = self.cfg.profile
        return (
            (p.home_altitude_m - p.checkpoint_altitude_m) / p.descent_speed_m_s
            + (p.checkpoint_altitude_m - p.matchpoint_altitude_m) / p.descent_speed_m_s
            + p.matchpoint_altitude_m / p.contact_speed_m_s
        )

    def _time_to_contact(self, altitude: float) -> float:
        p = self.cfg.profile
        upper = max(0.0, altitude - p.matchpoint_altitude_m) / p.descent_speed_m_s
        lower = min(altitude, p.matchpoint_altitude_m) / p.contact_speed_m_s
        return max(upper + lower, p.min_leg_s)

    # ------------------------------------------------------------------ guidance
    def _local(self, frame: str) -> tuple[np.ndarray, np.ndarray]:
        # a step asks for the same frame several times: the product is cached per
        # (frame object, nav object) and copies handed out (same values, fewer matmuls)
        f, nav = self.frames[frame], self.nav
        hit = self._local_cache.get(frame)
        if hit is None or hit[0] is not f or hit[1] is not nav:
            r = np.asarray(nav.r_m) - f.origin
            hit = (f, nav, f.R.T @ r, f.R.T @ np.asarray(nav.v_m_s))
            self._local_cache[frame] = hit
        return hit[2].copy(), hit[3].copy()

    def _altitude(self) -> float:
        frame = "site" if "site" in self.frames else "pole"
        return float(self._local(frame)[0][2])

    def _altimeter_expected(self) -> bool:
        """The altimeter should see the site: over it (within 20 % of the altitude) in a descent or at home."""
        if self.nav is None or "site" not in self.frames or self.leg is None:
            return False
        if self.mode not in CRITICAL_MODES and self.leg.name not in ("home", "hold-gate 1"):
            return False
        r, _ = self._local("site")
        return bool(r[2] > 2.0 and np.hypot(r[0], r[1]) < 0.2 * max(r[2], 1.0) + 1.0)

    def _below_matchpoint(self) -> bool:
        return (
            self.mode in (Mode.TAG_DESCENT, Mode.CONTACT)
            and self.leg is not None
            and self.leg.name in ("final", "final-sink", "contact")
        )

    def _authority(self) -> float:
        """Per-axis acceleration the planner may use (m/s^2): weakest direction, with a margin."""
        frac = min(self.faults.authority_fraction().values())
        return self.cfg.accel_margin * frac * 2.0 * self.cfg.thrust_per_thruster_n / self.mass_kg

    def _planner(self, frame: str, cone: bool) -> ConvexDescentPlanner:
        key = (frame, cone)
        if key not in self._planners:
            f = self.frames[frame]
            R, o = f.R, f.origin
            grav = self.gravity

            def g_local(r_local, R=R, o=o):
                pts = o[None, :] + np.atleast_2d(r_local) @ R.T
                return np.atleast_2d(grav.acceleration(pts)) @ R

            self._planners[key] = ConvexDescentPlanner(
                R.T @ self.omega,
                R.T @ o,
                g_local,
                accel_max=max(self._authority(), 1e-6),
                mass_kg=self.mass_kg,
                isp_s=self.cfg.isp_s,
                glide_slope_deg=30.0 if cone else None,
                n_intervals=self.cfg.n_intervals,
            )
        return self._planners[key]

    def _known_accel(self, frame: str, r_loc, v_loc) -> np.ndarray:
        """Gravity plus Coriolis and centrifugal terms in the site frame (m/s^2)."""
        f = self.frames[frame]
        rb = f.origin + f.R @ r_loc
        vb = f.R @ v_loc
        w = self.omega
        a = (
            np.asarray(self.gravity.acceleration(rb)).reshape(3)
            - 2 * _cross3(w, vb)
            - _cross3(w, _cross3(w, rb))
        )
        return f.R.T @ a

    def _guide(self, t: float) -> np.ndarray:
        leg = self.leg
        if leg is None or self.nav is None or leg.kind == "coast":
            return np.zeros(3)
        r, v = self._local(leg.frame)
        if leg.kind in ("hold", "sink"):
            return self._pd(leg, r, v)
        T = leg.t_end - t
        if T < max(3.0 * self._last_period, 2.0):
            return self._pd(leg, r, v)
        if T < self.cfg.terminal_horizon_s or leg.kind == "zem":
            return self._zem_zev(leg, r, v, T)
        planner = self._planner(leg.frame, leg.cone)
        warm = self._plan if (self._plan_leg == leg.name and self._plan is not None) else None
        if warm is not None and len(warm.gravity) != planner.n_intervals:
            warm = None
        # each solve stops at the budget; the plan must also fit it over all cone rounds
        cap = max(1, min(60, self.cfg.solver_iteration_budget))
        plan = planner.plan(
            r,
            v,
            leg.r_target,
            leg.v_target,
            _quantize_horizon(T),
            warm=warm,
            mass_kg=self.mass_kg,
            max_rounds=self.cfg.solver_max_rounds,
            max_iterations=cap,
        )
        self.replans += 1
        self.solver_iterations.append(plan.iterations)
        late = plan.iterations > self.cfg.solver_iteration_budget
        if plan.success and not late:
            if self._fallback_active:
                self._fallback_active = False
                self._record(
                    t, "REPLAN-OK", f"re-planner back on leg {leg.name}", iterations=plan.iterations
                )
            self._plan, self._plan_t0, self._plan_leg = plan, t, leg.name
            return plan.accel[0]
        self.replan_failures += 1
        # (the solver reports its last iteration index: cap - 1 when it stopped at the cap)
        out_of_budget = late or (not plan.success and plan.iterations >= cap - 1)
        why = "ran out of its iteration budget" if out_of_budget else "found no feasible plan"
        prev = self._plan if self._plan_leg == leg.name else None
        if prev is not None and t - self._plan_t0 < prev.t[-1]:
            k = min(int((t - self._plan_t0) / (prev.t[1] - prev.t[0])), len(prev.accel) - 1)
            a, source = prev.accel[k], "previous plan"
        else:
            a, source = self._zem_zev(leg, r, v, T), "ZEM/ZEV"
        if not self._fallback_active:
            self._fallback_active = True
            self._record(
                t,
                "REPLAN-FALLBACK",
                f"re-planner {why} on leg {leg.name}: flying the {source}",
                iterations=plan.iterations,
                budget=self.cfg.solver_iteration_budget,
                horizon_s=T,
            )
        return a

    def _zem_zev(self, leg: Leg, r, v, T) -> np.ndarray:
        """gnc's zero-effort-miss / zero-effort-velocity law with the known accelerations, clipped to authority."""
        a = zem_zev_acceleration(
            r, v, leg.r_target, leg.v_target, T, self._known_accel(leg.frame, r, v)
        )
        lim = self._authority()
        return np.clip(a, -lim, lim)

    def _pd(self, leg: Leg, r, v) -> np.ndarray:
        wn, zeta = 0.05, 0.9
        a = wn * wn * (leg.r_target - r) + 2 * zeta * wn * (leg.v_target - v)
        if leg.kind == "sink":
            a = 2 * zeta * wn * (leg.v_target - v)
        a = a - self._known_accel(leg.frame, r, v)
        lim = self._authority()
        return np.clip(a, -lim, lim)

    # ------------------------------------------------------------------ actuation
    def _actuate(self, t: float, accel_local) -> list:
        cmds = []
        frame = self.leg.frame if self.leg is not None else "pole"
        key = (frame, id(self.frames[frame]))
        if self._attitude_frame != key and self._attitude_frame != "sun":
            self._attitude_frame = key
            q = dcm_to_quat(self.frames[frame].R)
            cmds.append(AttitudeCommand(t, tuple(float(x) for x in q), f"{frame}-frame"))
        period = self._cadence()
        duty = self._allocate(np.asarray(accel_local, float))
        total = sum(duty) * self.cfg.thrust_per_thruster_n
        self.resources.burn(total, period)
        self._last_duty = duty
        self._last_period = period
        cmds.append(ThrusterCommand(t, duty, period))
        cmds.append(StepCadence(t, period))
        return cmds

    def _allocate(self, a_sc: np.ndarray) -> tuple[float, ...]:
        """Per-axis split onto the healthy thrusters of the pushing direction (spacecraft = guidance frame)."""
        duty = [0.0] * N_THRUSTERS
        force = a_sc * self.mass_kg
        for axis in range(3):
            f = float(force[axis])
            if abs(f) < 1e-9:
                continue
            d = 2 * axis + (0 if f > 0 else 1)
            assert THRUSTER_DIRECTIONS[d][axis] == (1.0 if f > 0 else -1.0)
            healthy = [2 * d + b for b in (0, 1) if (2 * d + b) not in self.faults.failed_thrusters]
            if not healthy:
                continue
            each = min(1.0, abs(f) / (len(healthy) * self.cfg.thrust_per_thruster_n))
            for i in healthy:
                duty[i] = each
        return tuple(duty)

    def _cadence(self) -> float:
        if self.mode in (Mode.CONTACT,) or self._below_matchpoint():
            return 0.2
        if self.mode == Mode.DONE:
            return 10.0
        if self.nav is None:
            return 1.0
        alt = self._altitude() if "site" in self.frames else float(self._local("pole")[0][2])
        if alt > 150.0 or (
            alt > 50.0 and self.leg is not None and self.leg.kind in ("hold", "coast")
        ):
            return 5.0
        if alt > 50.0:
            return 2.0
        return 1.0

    def _attitude_sun(self, t: float) -> None:
        sun = np.asarray(self.cfg.sky.sun_dir_inertial, float)
        th = self.cfg.sky.spin_phase0_rad + self.cfg.sky.spin_rate_rad_s * t
        c, s = math.cos(-th), math.sin(-th)
        sb = np.array([c * sun[0] - s * sun[1], s * sun[0] + c * sun[1], sun[2]])
        self._attitude_frame = "sun"
        q = dcm_to_quat(site_frame(sb))
        self.pending.append(AttitudeCommand(t, tuple(float(x) for x in q), "sun"))

    def _imaging(self, t: float, on: bool) -> None:
        on = on and self.resources.imaging_allowed
        if getattr(self, "_imaging_on", False) != on:
            self._imaging_on = on
            self.pending.append(ImagingCommand(t, on, self.cfg.imaging_rate_mbit_s if on else 0.0))
            self._record(
                t,
                "IMAGING",
                f"imaging {'on' if on else 'off'}",
                data_fraction=self.resources.data_fraction,
            )

    # ------------------------------------------------------------------ bookkeeping
    def _go(self, t: float, to: Mode, reason: str, **numbers) -> None:
        old = self.mode
        self.modes.go(to, t)
        self._plan, self._plan_leg = None, None
        self.log.record(t, to.value, "MODE", f"{old.value} -> {to.value}: {reason}", **numbers)

    def _record(self, t: float, decision: str, reason: str, **numbers) -> None:
        self.log.record(t, self.mode.value, decision, reason, **numbers)
