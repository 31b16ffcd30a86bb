"""Closed-loop autonomy scenarios: a simulated spacecraft (the plant) flying kamo's onboard executive.

A scenario is a TOML file (``missions/scenarios/*.toml``) naming the body, the
spacecraft, the ground goal, the candidate sites, the navigation error model, the
faults to inject and the space-weather advisories to send. :func:`run_scenario`
builds the plant and an :class:`autonomy.executive.Executive`, and runs them in
lock step: each cycle the plant hands over plain observation objects, the
executive returns plain command objects, and the plant advances by the cadence
the executive asked for. Nothing else passes between them, so a harness can put
packets in between.

The plant uses ``gnc``: rotating-frame dynamics (numba RK4) with a mascon
model of a constant-density ellipsoid, the laser altimeter, star tracker and IMU
models, the body's shadow for the solar arrays. Navigation is modelled as the
output of an onboard filter: the truth plus a correlated (Gauss-Markov) error
whose size depends on altitude and on whether the altimeter is working.

Registered scenarios: ``nominal``, ``hazard-waiveoff``, ``thruster-stuck-off``,
``altimeter-dropout``, ``proton-event``.

Example
-------
>>> from missions.scenarios import run_scenario
>>> res = run_scenario("nominal", seed=1)     # doctest: +SKIP
>>> res.outcome
'sampled'
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from autonomy.commands import (
    N_THRUSTERS,
    THRUSTER_DIRECTIONS,
    AttitudeCommand,
    ImagingCommand,
    SamplerCommand,
    StepCadence,
    ThrusterCommand,
    ThrusterIsolationCommand,
)
from autonomy.executive import DescentProfile, Executive, ExecutiveConfig
from autonomy.hazards import SkyGeometry
from autonomy.observations import (
    AltimeterReading,
    AttitudeStatus,
    CommStatus,
    ContactStatus,
    DataStatus,
    GroundGoal,
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
from gnc.sensors import TruthState

__all__ = [
    "OUTCOMES",
    "advisory_from_ground",
    "Plant",
    "ScenarioResult",
    "load_scenario",
    "register_scenario",
    "run_scenario",
    "scenario_names",
]

OUTCOMES = ("sampled", "aborted_safe", "postponed", "lost")
SCENARIO_DIR = Path(__file__).parent / "scenarios"
_REGISTRY: dict[str, Path] = {}
G0 = 9.80665

FAULT_KINDS = (
    "thruster_stuck_off",
    "thruster_stuck_on",
    "altimeter_dropout",
    "star_tracker_loss",
    "sample_mechanism",
    "battery_drain",
    "hazard_update",
)


def register_scenario(name: str, path) -> None:
    """Register a scenario file under ``name`` (so campaigns and the SIL harness can run it by name)."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"scenario file {p} does not exist")
    _REGISTRY[name] = p


def _builtin() -> None:
    if not _REGISTRY:
        for p in sorted(SCENARIO_DIR.glob("*.toml")):
            _REGISTRY[p.stem] = p


def scenario_names() -> list[str]:
    """Names of the registered scenarios."""
    _builtin()
    return sorted(_REGISTRY)


def load_scenario(name_or_path, **overrides) -> dict[str, Any]:
    """The scenario as a validated dict; ``overrides`` use ``section__key`` (and ``list__index__key``) names."""
    _builtin()
    key = str(name_or_path)
    if key in _REGISTRY:
        path = _REGISTRY[key]
    else:
        path = Path(key)
        if not path.is_file():
            raise ValueError(
                f"unknown scenario {key!r}: give a file or one of {', '.join(scenario_names())}"
            )
    try:
        spec = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"scenario file {path}: {exc}") from None
    spec.setdefault("name", path.stem)
    if "extends" in spec:
        base = load_scenario(spec.pop("extends"))
        base.pop("expected_outcome", None)
        base.pop("description", None)
        spec = _merge(base, spec)
    for k, v in overrides.items():
        _set_path(spec, k.split("__"), v)
    _validate(spec, path)
    return spec


def _merge(base: dict, top: dict) -> dict:
    """``top`` over ``base``: tables merge key by key, everything else (lists too) replaces."""
    out = dict(base)
    for k, v in top.items():
        out[k] = _merge(base[k], v) if isinstance(v, dict) and isinstance(base.get(k), dict) else v
    return out


def _set_path(spec: dict, parts: list[str], value) -> None:
    node: Any = spec
    for i, part in enumerate(parts[:-1]):
        if isinstance(node, list):
            node = node[int(part)]
        else:
            if part not in node:
                node[part] = [] if parts[i + 1].isdigit() else {}
            node = node[part]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


_SECTIONS = {
    "name",
    "description",
    "expected_outcome",
    "duration_s",
    "body",
    "spacecraft",
    "goal",
    "sites",
    "navigation",
    "profile",
    "faults",
    "advisories",
    "comm_outages",
    "ground_commands",
    "power",
    "survey_imaging_s",
    "sky",
    "extends",
    "sil",  # SIL harness: link, sensor, actuator and FSW faults, ground attacks (missions.sil)
    "executive",
}


def _validate(spec: dict, path: Path) -> None:
    unknown = set(spec) - _SECTIONS
    if unknown:
        raise ValueError(
            f"scenario {path.name}: unknown key(s) {', '.join(sorted(unknown))}; "
            f"allowed: {', '.join(sorted(_SECTIONS))}"
        )
    if "sites" not in spec or not spec["sites"]:
        raise ValueError(f"scenario {path.name}: needs at least one [[sites]] entry")
    for i, s in enumerate(spec["sites"]):
        for k in (
            "name",
            "lat_deg",
            "lon_deg",
            "slope_deg",
            "roughness_m",
            "max_boulder_m",
            "safe_radius_m",
        ):
            if k not in s:
                raise ValueError(f"scenario {path.name}: sites[{i}] lacks '{k}'")
    for i, f in enumerate(spec.get("faults", [])):
        if f.get("kind") not in FAULT_KINDS:
            raise ValueError(
                f"scenario {path.name}: faults[{i}].kind must be one of {', '.join(FAULT_KINDS)}, "
                f"got {f.get('kind')!r}"
            )
    exp = spec.get("expected_outcome")
    if exp is not None and exp not in OUTCOMES:
        raise ValueError(
            f"scenario {path.name}: expected_outcome must be one of {', '.join(OUTCOMES)}, got {exp!r}"
        )


def advisory_from_ground(advisory, epoch, received_s: float | None = None) -> SpaceWeatherAdvisory:
    """Translate a ``ground.spaceweather`` advisory into the executive's :class:`SpaceWeatherAdvisory`.

    ``epoch`` (timezone-aware UTC ``datetime``) is simulation time zero; the advisory's
    start and expected end become simulation seconds. ``received_s`` is when the
    spacecraft gets it (default: its start). Advisories without a NOAA scale (CME
    arrival, raw alerts) have no flight-side meaning yet and are refused.
    """
    if advisory.scale not in ("S", "G", "R"):
        raise ValueError(
            f"advisory {advisory.rule!r} has no NOAA scale (scale={advisory.scale!r}); "
            "only S, G or R advisories go to the spacecraft"
        )
    start = (advisory.start - epoch).total_seconds()
    end = (advisory.expected_end - epoch).total_seconds()
    t = start if received_s is None else float(received_s)
    return SpaceWeatherAdvisory(t, int(advisory.level), advisory.scale, start, end, advisory.reason)


# ------------------------------------------------------------------------------------- plant
def ellipsoid_mascons(axes, gm: float, n_per_axis: int = 7):
    """Equal point masses on a grid inside an ellipsoid: a constant-density body as mascons."""
    a = np.asarray(axes, float)
    g = (np.arange(n_per_axis) + 0.5) / n_per_axis * 2 - 1
    pts = np.stack(np.meshgrid(g, g, g, indexing="ij"), -1).reshape(-1, 3)
    pts = pts[np.sum(pts * pts, axis=1) <= 1.0] * a
    return np.ascontiguousarray(pts), np.full(len(pts), gm / len(pts))


def surface_point(axes, lat_deg: float, lon_deg: float):
    """Point on the ellipsoid along a planetocentric direction, and the outward normal there."""
    a = np.asarray(axes, float)
    la, lo = math.radians(lat_deg), math.radians(lon_deg)
    u = np.array([math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)])
    s = 1.0 / math.sqrt(float(np.sum((u / a) ** 2)))
    p = s * u
    n = p / a**2
    return p, n / np.linalg.norm(n)


def _radial_altitude(axes, r) -> float:
    x, y, z = float(r[0]), float(r[1]), float(r[2])
    rn = math.sqrt(x * x + y * y + z * z)
    a, b, c = float(axes[0]), float(axes[1]), float(axes[2])
    return rn - rn / math.sqrt((x / a) ** 2 + (y / b) ** 2 + (z / c) ** 2)


#: Thrust direction of each thruster pair as arrays (built once, not per step).
_DIRECTION_ARRAYS = tuple(np.asarray(d) for d in THRUSTER_DIRECTIONS)


def _basis(up) -> np.ndarray:
    """East, north, up columns for a radial direction (a cheap :func:`autonomy.hazards.site_frame`)."""
    ux, uy, uz = (float(x) for x in up)
    h = math.hypot(ux, uy)
    if h < 1e-9:
        return np.eye(3)
    ex, ey = -uy / h, ux / h
    return np.array([[ex, -uz * ey, ux], [ey, uz * ex, uy], [0.0, ux * ey - uy * ex, uz]])


@dataclass(frozen=True)
class _PlantTruth(TruthState):
    """The plant's truth state: R(q_sc) computed once per attitude, not at each sensor's every read."""

    dcm: np.ndarray | None = None

    @property
    def dcm_sc(self) -> np.ndarray:
        return self.dcm.copy()


class Plant:
    """The simulated spacecraft and its world, driven only by commands, seen only through observations."""

    def __init__(self, spec: dict, seed: int) -> None:
        from gnc.bodies import kamooalewa
        from gnc.sensors import IMU, LaserAltimeter, StarTracker

        self.spec = spec
        self.rng = np.random.default_rng(np.random.SeedSequence(int(seed)))
        b = spec.get("body", {})
        self.body = kamooalewa(
            diameter_m=b.get("diameter_m", 41.0),
            density=b.get("density_kg_m3", 2700.0),
            period_min=b.get("period_min", 28.3),
        )
        self.axes = np.asarray(self.body.semi_axes_m, float)
        self.omega = np.array([0.0, 0.0, self.body.spin_rate])
        self.mascon_pos, self.mascon_gm = ellipsoid_mascons(self.axes, self.body.gm)
        sc = spec.get("spacecraft", {})
        self.dry_mass = float(sc.get("dry_mass_kg", 1100.0))
        self.propellant = float(sc.get("propellant_kg", 100.0))
        self.thrust_n = float(sc.get("thrust_per_thruster_n", 10.0))
        self.isp = float(sc.get("isp_s", 220.0))
        start_alt = float(sc.get("start_altitude_m", 600.0))
        r0 = np.array([2.0, -3.0, self.axes[2] + start_alt])
        self.x = np.concatenate([r0, -np.cross(self.omega, r0)])  # at rest in inertial space
        self.R_sc = np.eye(3)
        self._q_sc: tuple = (None, None, None)  # (R_sc it was computed from, its quaternion, R(q))
        self.duty = np.zeros(N_THRUSTERS)
        self.enabled = np.ones(N_THRUSTERS, bool)
        self.health = ["ok"] * N_THRUSTERS
        self._thrusters_nominal = True  # cleared by a thruster fault or isolation command
        self.armed = False
        self.fired = False
        self.sample_mass_g: float | None = None
        self.mechanism_ok = True
        self.mechanism_msg = ""
        self.in_contact = False
        self.touches: list[dict] = []
        self.collision: str | None = None
        self.imaging_rate = 0.0
        self.imaging_time = 0.0
        self.stored_mbit = 0.0
        pw = spec.get("power", {})
        self.capacity_mbit = float(pw.get("data_capacity_mbit", 8000.0))
        self.downlink_mbit_s = float(pw.get("downlink_mbit_s", 1.0))
        self.soc = float(pw.get("battery_soc", 0.9))
        self.battery_j = float(pw.get("battery_wh", 2000.0)) * 3600.0
        self.solar_w = float(pw.get("solar_w", 700.0))
        self.load_w = float(pw.get("load_w", 450.0))
        self.survey_imaging_s = float(spec.get("survey_imaging_s", 120.0))
        self.sites = self._sites()
        self.hazard_sent = False
        self.events: list = []
        self.faults = [dict(f, triggered=False) for f in spec.get("faults", [])]
        self.advisories = [dict(a, sent=False) for a in spec.get("advisories", [])]
        self.ground_commands = [dict(c, sent=False) for c in spec.get("ground_commands", [])]
        self.altimeter_failed = False
        self.star_tracker_lost_until = -math.inf
        nav = spec.get("navigation", {})
        self.nav_h0 = float(nav.get("horizontal_sigma_m", 0.03))
        self.nav_h_per_m = float(nav.get("horizontal_sigma_per_m", 0.004))
        self.nav_v0 = float(nav.get("vertical_sigma_m", 0.03))
        self.nav_v_per_m = float(nav.get("vertical_sigma_per_m", 0.001))
        self.nav_cam_per_m = float(nav.get("camera_vertical_sigma_per_m", 0.02))
        self.nav_vel0 = float(nav.get("velocity_sigma_m_s", 0.001))
        self.nav_vel_per_m = float(nav.get("velocity_sigma_per_m", 2e-5))
        self.nav_tau = float(nav.get("correlation_time_s", 30.0))
        self.z_r = self.rng.standard_normal(3)
        self.z_v = self.rng.standard_normal(3)
        self.altimeter = LaserAltimeter(
            surface=tuple(self.axes),
            sigma_m=0.05,
            max_range_m=300.0,
            min_range_m=0.05,
            direction_sc=(0.0, 0.0, -1.0),
        )
        self.star_tracker = StarTracker()
        self.imu = IMU.with_random_biases(self.rng, accel_bias_sigma=1e-6)
        self.last_accel_body = np.zeros(3)
        self.t = 0.0
        self.min_altitude = math.inf
        self.spec_sky = executive_config(spec).sky
        self.sunlit_now = self._sunlit(0.0)
        self._next_sun_check = 10.0

    def _sites(self) -> dict[str, SiteHazard]:
        out = {}
        for s in self.spec["sites"]:
            p, n = surface_point(self.axes, s["lat_deg"], s["lon_deg"])
            out[s["name"]] = SiteHazard(
                s["name"],
                tuple(p),
                tuple(n),
                s["slope_deg"],
                s["roughness_m"],
                s["max_boulder_m"],
                s["safe_radius_m"],
            )
        return out

    @property
    def altitude(self) -> float:
        return _radial_altitude(self.axes, self.x[:3])

    @property
    def mass(self) -> float:
        return self.dry_mass + self.propellant

    # --- observations ----------------------------------------------------------------------
    def observe(self, t: float, first: bool = False) -> list:
        from gnc.sensors import dcm_to_quat, quat_to_dcm

        obs: list = []
        if first:
            g = self.spec.get("goal", {})
            obs.append(
                GroundGoal(
                    t,
                    float(g.get("window_start_s", 0.0)),
                    float(g.get("window_end_s", 8000.0)),
                    float(g.get("min_propellant_kg", 20.0)),
                    int(g.get("max_attempts", 2)),
                    int(g.get("rehearsals", 1)),
                    float(g.get("min_sample_g", 1.0)),
                )
            )
        obs.extend(self.events)
        self.events = []
        for a in self.advisories:
            if not a["sent"] and t >= a.get("receive_s", a["start_s"]):
                a["sent"] = True
                obs.append(
                    SpaceWeatherAdvisory(
                        t,
                        int(a["level"]),
                        a.get("kind", "S"),
                        float(a["start_s"]),
                        float(a["end_s"]),
                        a.get("reason", ""),
                    )
                )
        for c in self.ground_commands:
            if not c["sent"] and t >= c.get("uplink_s", 0.0):
                c["sent"] = True
                obs.append(
                    TimeTaggedCommand(t, float(c["t_exec_s"]), c["action"], c.get("reason", ""))
                )
        r, v = self.x[:3], self.x[3:]
        alt = self.altitude
        obs.append(self._nav(t, r, v, alt))
        if self._q_sc[0] is not self.R_sc:  # the attitude changes only on a command
            q = dcm_to_quat(self.R_sc)
            self._q_sc = (self.R_sc, q, quat_to_dcm(q))
        truth = _PlantTruth(
            t,
            r,
            v,
            q_sc=self._q_sc[1].copy(),
            specific_force=self.last_accel_body,
            dcm=self._q_sc[2],
        )
        # beyond its maximum range the altimeter returns nothing (skip the ray cast)
        far = alt > self.altimeter.max_range_m + 10.0
        reading = (
            None if (self.altimeter_failed or far) else self.altimeter.measure(truth, self.rng)
        )
        obs.append(AltimeterReading(t, None if reading is None else float(reading.range_m)))
        # only the tracker's validity is observed: the same draws as its measure(), no quaternion arithmetic
        st_ok = t >= self.star_tracker_lost_until and self.star_tracker.available(self.rng)
        obs.append(AttitudeStatus(t, bool(st_ok), 0.0))
        imu = self.imu.measure(truth, self.rng)
        obs.append(ImuReading(t, tuple(imu.specific_force_sc.tolist())))
        obs.append(ThrusterTelemetry(t, tuple((self._effective_duty() > 0).tolist())))
        obs.append(PowerStatus(t, self.soc, self.sunlit_now))
        obs.append(PropellantStatus(t, self.propellant))
        obs.append(DataStatus(t, self.stored_mbit, self.capacity_mbit))
        obs.append(CommStatus(t, self._link_up(t)))
        obs.append(ContactStatus(t, self.in_contact))
        if self.fired or not self.mechanism_ok:
            obs.append(SampleStatus(t, self.mechanism_ok, self.sample_mass_g, self.mechanism_msg))
        return obs

    def _nav(self, t, r, v, alt) -> NavSolution:
        alt = max(alt, 0.0)
        sh = self.nav_h0 + self.nav_h_per_m * alt
        per_m = self.nav_cam_per_m if self.altimeter_failed else self.nav_v_per_m
        sv = self.nav_v0 + per_m * alt
        svel = self.nav_vel0 + self.nav_vel_per_m * alt
        B = _basis(r / np.linalg.norm(r))
        sig_local = np.array([sh, sh, sv])
        err_r = B @ (sig_local * self.z_r)
        err_v = B @ (svel * self.z_v)
        sig_body = np.sqrt((B**2) @ sig_local**2)
        source = "camera" if self.altimeter_failed else "altimeter+camera"
        return NavSolution(
            t,
            tuple((r + err_r).tolist()),
            tuple((v + err_v).tolist()),
            tuple(sig_body.tolist()),
            (svel,) * 3,
            source,
        )

    def _effective_duty(self) -> np.ndarray:
        d = self.duty.copy()
        if self._thrusters_nominal:  # no stuck or isolated thruster: the commanded duty flies
            return d
        for i, h in enumerate(self.health):
            if h == "stuck_off":
                d[i] = 0.0
            elif h == "stuck_on":
                d[i] = 1.0
        d[~self.enabled] = 0.0
        return d

    def _sunlit(self, t) -> bool:
        from gnc.environment import sunlit

        sky = self.spec_sky
        th = sky.spin_phase0_rad + sky.spin_rate_rad_s * t
        s = np.asarray(sky.sun_dir_inertial)
        c, sn = math.cos(-th), math.sin(-th)
        sb = np.array([c * s[0] - sn * s[1], sn * s[0] + c * s[1], s[2]])
        return bool(sunlit(self.x[:3], sb, tuple(self.axes)))

    def _link_up(self, t) -> bool:
        return not any(o["start_s"] <= t < o["end_s"] for o in self.spec.get("comm_outages", []))

    # --- commands --------------------------------------------------------------------------
    def apply(self, t: float, commands) -> float:
        """Take the executive's commands; returns the cadence it asked for (s)."""
        period = 1.0
        for c in commands:
            if isinstance(c, ThrusterCommand):
                self.duty = np.asarray(c.duty, float)
            elif isinstance(c, AttitudeCommand):
                from gnc.sensors import quat_to_dcm

                self.R_sc = quat_to_dcm(np.asarray(c.q_body_from_sc, float))
            elif isinstance(c, ThrusterIsolationCommand):
                self.enabled[c.thruster] = c.enable
                self._thrusters_nominal = False
            elif isinstance(c, SamplerCommand):
                self._sampler(t, c.action)
            elif isinstance(c, ImagingCommand):
                self.imaging_rate = c.rate_mbit_s if c.on else 0.0
            elif isinstance(c, StepCadence):
                period = float(c.period_s)
        return period

    def _sampler(self, t: float, action: str) -> None:
        if action == "arm":
            self.armed = True
        elif action == "stow":
            self.armed = False
        elif action == "fire" and not self.fired:
            self.fired = True
            mech = next(
                (f for f in self.faults if f["kind"] == "sample_mechanism" and self._due(f)), None
            )
            if mech is not None:
                mech["triggered"] = True
                self.mechanism_ok = False
                self.mechanism_msg = mech.get("message", "projectile did not fire")
                self.sample_mass_g = 0.0
            elif self.in_contact:
                self.sample_mass_g = float(np.clip(self.rng.normal(60.0, 20.0), 5.0, 150.0))
            else:
                self.sample_mass_g = 0.0

    # --- dynamics --------------------------------------------------------------------------
    def _due(self, f: dict) -> bool:
        if f["triggered"]:
            return False
        if self.t < f.get("after_time_s", 0.0) or self.t < f.get("at_time_s", 0.0):
            return False
        if "below_altitude_m" in f and self.altitude >= f["below_altitude_m"]:
            return False
        return True

    def _inject(self) -> None:
        for f in self.faults:
            if f["kind"] == "sample_mechanism" or not self._due(f):
                continue
            f["triggered"] = True
            k = f["kind"]
            if k in ("thruster_stuck_off", "thruster_stuck_on"):
                self._thrusters_nominal = False
            if k == "thruster_stuck_off":
                self.health[int(f["thruster"])] = "stuck_off"
            elif k == "thruster_stuck_on":
                self.health[int(f["thruster"])] = "stuck_on"
            elif k == "altimeter_dropout":
                self.altimeter_failed = True
            elif k == "star_tracker_loss":
                self.star_tracker_lost_until = self.t + float(f.get("duration_s", 1e9))
            elif k == "battery_drain":
                self.soc = float(f["soc"])
            elif k == "hazard_update":
                old = self.sites[f["site"]]
                new = SiteHazard(
                    old.name,
                    old.position_m,
                    old.normal,
                    float(f.get("slope_deg", old.slope_deg)),
                    float(f.get("roughness_m", old.roughness_m)),
                    float(f.get("max_boulder_m", old.max_boulder_m)),
                    float(f.get("safe_radius_m", old.safe_radius_m)),
                )
                self.sites[old.name] = new
                self.events.append(HazardMapProduct(self.t, (new,)))
            f["t_triggered"] = self.t

    def advance(self, dt: float) -> None:
        """Move the world on by ``dt`` seconds under the current commands."""
        from gnc.dynamics import rk4_step_mascon

        eff = self._effective_duty()
        force_sc = np.zeros(3)
        for i in range(N_THRUSTERS):
            if eff[i] > 0:
                force_sc += eff[i] * self.thrust_n * _DIRECTION_ARRAYS[i // 2]
        eff_sum = eff.sum()
        used = eff_sum * self.thrust_n * dt / (self.isp * G0)
        if used > self.propellant:
            force_sc *= self.propellant / used
            used = self.propellant
        accel = self.R_sc @ force_sc / self.mass
        self.last_accel_body = accel
        n_sub = max(1, int(math.ceil(dt / 0.5)))
        h = dt / n_sub
        for _ in range(n_sub):
            self.x = rk4_step_mascon(self.x, h, self.omega, self.mascon_pos, self.mascon_gm, accel)
            alt = self.altitude
            self.min_altitude = min(self.min_altitude, alt)
            if alt <= 0.0:
                self._touch(alt)
            elif self.in_contact and alt > 0.05:
                self.in_contact = False
        self.propellant -= used
        self.t += dt
        if self.t >= self._next_sun_check:  # the arrays' lighting changes slowly: every 10 s
            self.sunlit_now = self._sunlit(self.t)
            self._next_sun_check = self.t + 10.0
        sun = self.sunlit_now
        power = (
            (self.solar_w if sun else 0.0)
            - self.load_w
            - 20.0 * eff_sum
            - (50.0 if self.imaging_rate else 0.0)
        )
        soc = self.soc + power * dt / self.battery_j  # clipped to [0, 1] as np.clip would
        self.soc = float(0.0 if soc < 0.0 else (1.0 if soc > 1.0 else soc))
        self.stored_mbit += self.imaging_rate * dt
        if self.imaging_rate > 0:
            self.imaging_time += dt
        if self._link_up(self.t):
            self.stored_mbit = max(0.0, self.stored_mbit - self.downlink_mbit_s * dt)
        self.stored_mbit = min(self.stored_mbit, self.capacity_mbit)
        if not self.hazard_sent and self.imaging_time >= self.survey_imaging_s:
            self.hazard_sent = True
            self.events.append(HazardMapProduct(self.t, tuple(self.sites.values())))
        phi = math.exp(-dt / self.nav_tau)
        q = math.sqrt(1 - phi * phi)
        self.z_r = phi * self.z_r + q * self.rng.standard_normal(3)
        self.z_v = phi * self.z_v + q * self.rng.standard_normal(3)
        self._inject()

    def _touch(self, alt: float) -> None:
        r, v = self.x[:3], self.x[3:]
        n = r / self.axes**2
        n /= np.linalg.norm(n)
        vn = float(v @ n)
        if not self.in_contact:
            vert = -vn
            lat = float(np.linalg.norm(v - vn * n))
            self.touches.append(
                {
                    "t": self.t,
                    "vertical_speed_m_s": vert,
                    "lateral_speed_m_s": lat,
                    "armed": self.armed,
                    "r_m": r.copy(),
                }
            )
            limits = self.spec.get("spacecraft", {})
            if not self.armed:
                self.collision = f"unplanned contact at {vert:.2f} m/s with the sampler stowed"
            elif vert > limits.get("max_contact_speed_m_s", 0.3):
                self.collision = f"contact at {vert:.2f} m/s, faster than the sampler tolerates"
            elif lat > limits.get("max_lateral_speed_m_s", 0.1):
                self.collision = f"contact with {lat:.2f} m/s lateral speed: the spacecraft tips"
        self.in_contact = True
        rn = float(np.linalg.norm(r))
        u = r / rn
        rs = 1.0 / math.sqrt(float(np.sum((u / self.axes) ** 2)))
        self.x[:3] = u * rs
        # the sampler horn sticks: no sliding, no pushing into the surface
        self.x[3:] = max(vn, 0.0) * n


# ------------------------------------------------------------------------------------- runner
@dataclass
class ScenarioResult:
    """What a scenario run gives: the outcome, the decision log, the trajectory, resources left."""

    name: str
    seed: int
    outcome: str
    reason: str
    log: Any = field(repr=False)
    trajectory: Any = field(repr=False)
    min_altitude_m: float
    resources: dict[str, float]
    touchdowns: list[dict] = field(default_factory=list)
    steps: int = 0
    replans: int = 0
    replan_failures: int = 0
    expected_outcome: str | None = None

    @property
    def decisions(self):
        """The event log as a pandas DataFrame (t, mode, decision, reason, numbers...)."""
        return self.log.to_dataframe()

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.name,
            "seed": self.seed,
            "outcome": self.outcome,
            "reason": self.reason,
            "expected_outcome": self.expected_outcome,
            "decisions": [
                {"time": e.t, "mode": e.mode, "decision": e.decision, "reason": e.reason}
                for e in self.log
            ],
            "min_altitude_m": self.min_altitude_m,
            "resources": self.resources,
            "touchdowns": [
                {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in d.items()}
                for d in self.touchdowns
            ],
            "steps": self.steps,
            "replans": self.replans,
            "replan_failures": self.replan_failures,
        }

    def __repr__(self) -> str:
        return (
            f"ScenarioResult({self.name!r}, seed={self.seed}, outcome={self.outcome!r}, "
            f"min altitude {self.min_altitude_m:.2f} m, propellant left {self.resources['propellant_kg']:.2f} kg, "
            f"{len(self.log)} decisions, {self.steps} steps)"
        )


def executive_config(spec: dict) -> ExecutiveConfig:
    """The executive's configuration for a scenario (what flight software would be loaded with)."""
    from gnc.bodies import kamooalewa

    b = spec.get("body", {})
    body = kamooalewa(
        diameter_m=b.get("diameter_m", 41.0),
        density=b.get("density_kg_m3", 2700.0),
        period_min=b.get("period_min", 28.3),
    )
    sky = spec.get("sky", {})
    sun_dec, earth_dec = float(sky.get("sun_dec_deg", 35.0)), float(sky.get("earth_dec_deg", 20.0))
    earth_ra = float(sky.get("earth_ra_deg", 40.0))
    d2r = math.radians
    skyg = SkyGeometry(
        (math.cos(d2r(sun_dec)), 0.0, math.sin(d2r(sun_dec))),
        (
            math.cos(d2r(earth_dec)) * math.cos(d2r(earth_ra)),
            math.cos(d2r(earth_dec)) * math.sin(d2r(earth_ra)),
            math.sin(d2r(earth_dec)),
        ),
        body.spin_rate,
        body.spin_phase0_rad,
    )
    sc = spec.get("spacecraft", {})
    try:
        profile = DescentProfile(**spec.get("profile", {}))
    except TypeError as exc:
        raise ValueError(f"scenario {spec.get('name')!r}: bad [profile] key ({exc})") from None
    extra = dict(spec.get("executive", {}))
    allowed = {
        "n_intervals",
        "solver_iteration_budget",
        "solver_max_rounds",
        "accel_margin",
        "terminal_horizon_s",
        "max_waive_offs",
    }
    bad = set(extra) - allowed
    if bad:
        raise ValueError(
            f"scenario {spec.get('name')!r}: unknown [executive] key(s) {', '.join(sorted(bad))}; "
            f"allowed: {', '.join(sorted(allowed))}"
        )
    return ExecutiveConfig(
        **extra,
        body=body,
        sky=skyg,
        dry_mass_kg=float(sc.get("dry_mass_kg", 1100.0)),
        propellant_kg=float(sc.get("propellant_kg", 100.0)),
        thrust_per_thruster_n=float(sc.get("thrust_per_thruster_n", 10.0)),
        isp_s=float(sc.get("isp_s", 220.0)),
        profile=profile,
    )


def _classify(ex: Executive, plant: Plant) -> tuple[str, str]:
    if plant.collision:
        return "lost", plant.collision
    if plant.altitude < 10.0:
        return "lost", f"run ended {plant.altitude:.1f} m above the surface, not at a safe altitude"
    if ex.status == "sampled" and (plant.sample_mass_g or 0.0) > 0:
        return "sampled", ex.status_reason
    if ex.status == "postponed":
        return "postponed", ex.status_reason
    if ex.status is None:
        return "postponed", f"no sample by the end of the run (mode {ex.mode.value})"
    return "aborted_safe", ex.status_reason


def run_scenario(
    name_or_path, seed: int = 0, *, record_every: int = 1, **overrides
) -> ScenarioResult:
    """Run a registered scenario (or a scenario file) with ``seed``; ``overrides`` as in :func:`load_scenario`."""
    import xarray as xr

    if int(record_every) != record_every or record_every < 1:
        raise ValueError(f"record_every must be a whole number >= 1, got {record_every!r}")
    spec = load_scenario(name_or_path, **overrides)
    plant = Plant(spec, seed)
    cfg = executive_config(spec)
    ex = Executive(cfg)
    t_end = float(spec.get("duration_s", 9000.0))
    t = 0.0
    rows = []
    steps = 0
    first = True
    while t < t_end:
        obs = plant.observe(t, first=first)
        first = False
        cmds = ex.step(t, obs)
        period = plant.apply(t, cmds)
        steps += 1
        if (steps - 1) % record_every == 0:  # the first step always, then every k-th
            rows.append(
                (
                    t,
                    *plant.x,
                    plant.altitude,
                    plant.propellant,
                    plant.soc,
                    ex.mode.value,
                    float(np.sum(plant._effective_duty())),
                )
            )
        if ex.mode.value == "done" or plant.collision:
            break
        plant.advance(period)
        t = plant.t
    outcome, reason = _classify(ex, plant)
    arr = np.array([r[:10] for r in rows], float)
    traj = xr.Dataset(
        coords={"time": ("time", arr[:, 0], {"units": "s", "long_name": "simulation time"})}
    )
    for j, (name, unit, long) in enumerate(
        [
            ("x", "m", "position x, body-fixed"),
            ("y", "m", "position y, body-fixed"),
            ("z", "m", "position z, body-fixed"),
            ("vx", "m/s", "velocity x, body-fixed"),
            ("vy", "m/s", "velocity y, body-fixed"),
            ("vz", "m/s", "velocity z, body-fixed"),
            ("altitude", "m", "height above the ellipsoid along the radius"),
            ("propellant", "kg", "propellant left"),
            ("battery_soc", "1", "battery state of charge"),
        ],
        start=1,
    ):
        traj[name] = ("time", arr[:, j], {"units": unit, "long_name": long})
    traj["mode"] = (
        "time",
        np.array([r[10] for r in rows], dtype=str),
        {"long_name": "executive mode"},
    )
    traj["thruster_duty_sum"] = (
        "time",
        np.array([r[11] for r in rows]),
        {"units": "1", "long_name": "sum of thruster duty cycles"},
    )
    traj.attrs.update(scenario=spec["name"], seed=int(seed), outcome=outcome)
    res = dict(ex.resources.snapshot())
    res.update(
        propellant_kg=plant.propellant, battery_soc=plant.soc, data_stored_mbit=plant.stored_mbit
    )
    return ScenarioResult(
        name=spec["name"],
        seed=int(seed),
        outcome=outcome,
        reason=reason,
        log=ex.log,
        trajectory=traj,
        min_altitude_m=float(plant.min_altitude),
        resources=res,
        touchdowns=plant.touches,
        steps=steps,
        replans=ex.replans,
        replan_failures=ex.replan_failures,
        expected_outcome=spec.get("expected_outcome"),
    )
