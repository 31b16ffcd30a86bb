"""Closed-loop touch-and-go at a small, fast-spinning body: hover, descent, contact, back-away.

:func:`simulate_touch_and_go` flies one seeded run with every part in the loop:

* **truth**: rotating-frame dynamics (truth gravity: the constant-density
  polyhedron of a seeded synthetic shape by default, or its ellipsoid), solar
  radiation pressure, the spacecraft's mass depletion, a spring-damper contact
  of the sampler with the surface, and rigid-body attitude dynamics;
* **sensors** (:mod:`gnc.sensors`): laser altimeter, navigation camera
  bearings to catalogued landmarks, the target marker, an accelerometer with
  bias and noise;
* **navigation**: the extended Kalman filter of :mod:`gnc.navigation`
  (position, velocity, accelerometer bias; point-mass gravity model);
* **guidance** (:mod:`gnc.guidance`): station keeping in hover, shrinking-
  horizon MPC on the convex re-planner during descent and back-away, with the
  ZEM/ZEV fallback and a terminal velocity hold;
* **control** (:mod:`gnc.control`): quaternion attitude feedback, allocation
  of force and torque to twelve thrusters, pulse modulation with a minimum
  impulse bit.

Contact is with the local tangent plane of the site (the site is on a facet of
the shape, so within a metre of it the plane *is* the surface). Touchdown
figures are the truth at first contact: horizontal miss distance, vertical and
lateral speed relative to the rotating surface.

Units: metres, seconds, kilograms, newtons, radians. Vectors marked ``local``
are in the site's east-north-up frame, fixed to the body.
"""

from __future__ import annotations

import time as _time
from dataclasses import asdict, dataclass, field

import numpy as np
import xarray as xr

from gnc.control import PulseModulator, default_layout, quaternion_feedback_torque
from gnc.convex import ConvexDescentPlanner
from gnc.descent import ProximitySpacecraft, SamplingSite, sampling_site
from gnc.guidance import DescentGuidance

__all__ = ["TouchAndGoResult", "TouchAndGoScenario", "simulate_touch_and_go"]

# spacecraft frame in the local frame: +z (camera, altimeter, sampler) points down
_C_REF = np.diag([1.0, -1.0, -1.0])
_Q_REF = np.array([0.0, 1.0, 0.0, 0.0])  # 180 deg about x: maps sc to local as _C_REF


@dataclass(frozen=True)
class TouchAndGoScenario:
    """Everything that sets up one run (defaults: the reference Kamoʻoalewa touch-and-go)."""

    diameter_m: float = 41.0
    density_kg_m3: float = 2700.0
    period_min: float = 28.3
    latitude_deg: float = 30.0
    longitude_deg: float = 20.0
    hover_altitude_m: float = 40.0
    hover_s: float = 30.0
    descent_s: float = 300.0
    touchdown_speed_m_s: float = 0.1
    safe_altitude_m: float = 30.0
    backaway_s: float = 150.0
    max_contact_s: float = 8.0
    glide_slope_deg: float = 45.0
    dt_s: float = 1.0
    truth_gravity: str = "polyhedron"
    initial_position_sigma_m: float = 0.5
    initial_velocity_sigma_m_s: float = 0.005
    accel_bias_sigma_m_s2: float = 3e-5
    mpc_iteration_budget: int = 200
    star_tracker_cross_sigma_arcsec: float = 10.0
    star_tracker_roll_sigma_arcsec: float = 60.0
    craft: ProximitySpacecraft = field(default_factory=ProximitySpacecraft)

    @property
    def star_tracker(self):
        """The star tracker that gives the onboard attitude (:class:`gnc.sensors.StarTracker`)."""
        from gnc.sensors import StarTracker

        arcsec = np.pi / (180.0 * 3600.0)
        return StarTracker(
            sigma_cross_rad=self.star_tracker_cross_sigma_arcsec * arcsec,
            sigma_roll_rad=self.star_tracker_roll_sigma_arcsec * arcsec,
        )

    def __post_init__(self) -> None:
        from gnc.bodies import kamooalewa

        kamooalewa(self.diameter_m, self.density_kg_m3, self.period_min)  # range checks
        for name in ("star_tracker_cross_sigma_arcsec", "star_tracker_roll_sigma_arcsec"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite angle >= 0 (arcsec), got {value!r}")
        if self.truth_gravity not in ("polyhedron", "ellipsoid"):
            raise ValueError(
                f"truth_gravity must be 'polyhedron' or 'ellipsoid', got {self.truth_gravity!r}"
            )
        for name in ("hover_altitude_m", "descent_s", "safe_altitude_m", "backaway_s", "dt_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)!r}")
        if not 0.0 <= self.touchdown_speed_m_s <= 0.5:
            raise ValueError(
                f"touchdown_speed_m_s must be between 0 and 0.5 m/s, got {self.touchdown_speed_m_s}"
            )


@dataclass
class TouchAndGoResult:
    """Outcome and figures of one closed-loop run; ``trajectory`` is the full time history."""

    outcome: str
    touchdown_error_m: float
    touchdown_speed_vertical_m_s: float
    target_vertical_speed_m_s: float
    touchdown_speed_lateral_m_s: float
    contact_duration_s: float
    propellant_used_kg: float
    safe_altitude_reached_m: float
    seed: int
    guidance_counts: dict
    max_plan_time_s: float
    wall_time_s: float
    trajectory: xr.Dataset = field(repr=False)

    @property
    def success(self) -> bool:
        return self.outcome == "success"

    def to_dict(self) -> dict:
        """The figures as plain Python values (for JSON)."""
        d = asdict(self)
        d.pop("trajectory")
        return d

    def __repr__(self) -> str:
        return (
            f"TouchAndGoResult({self.outcome}, seed {self.seed}: miss {self.touchdown_error_m:.2f} m, "
            f"v_vert {self.touchdown_speed_vertical_m_s:.3f} m/s (target {self.target_vertical_speed_m_s:.2f}), "
            f"v_lat {100 * self.touchdown_speed_lateral_m_s:.2f} cm/s, contact {self.contact_duration_s:.1f} s, "
            f"propellant {self.propellant_used_kg:.2f} kg, safe altitude {self.safe_altitude_reached_m:.1f} m)"
        )


def _cross(a, b):
    return np.array(
        [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
    )


class _World:
    """Truth dynamics in the local frame with contact on the site's tangent plane."""

    def __init__(
        self, site: SamplingSite, gravity, srp_accel_local, k_contact, c_contact, c_lateral
    ):
        self.site = site
        self.gravity = gravity
        self.w = site.omega_local
        self.site_l = site.position_local
        self.srp = srp_accel_local
        self.k, self.c, self.c_lat = k_contact, c_contact, c_lateral

    def contact_force(self, r, v):
        pen = -r[2]
        if pen <= 0:
            return np.zeros(3)
        fn = max(self.k * pen - self.c * v[2], 0.0)
        return np.array([-self.c_lat * v[0], -self.c_lat * v[1], fn])

    def gravity_local(self, r):
        return self.gravity.acceleration(self.site.to_body(r)) @ self.site.frame

    def rhs(self, x, f_thrust_local, mass, g):
        r, v = x[:3], x[3:]
        w = self.w
        a = (
            g
            - 2 * _cross(w, v)
            - _cross(w, _cross(w, self.site_l + r))
            + (f_thrust_local + self.contact_force(r, v)) / mass
            + self.srp
        )
        return np.concatenate([v, a])

    def step(self, x, f, mass, dt, g):
        """RK4 step; gravity ``g`` (~1e-5 m/s^2, slowly varying) is held over the step."""
        k1 = self.rhs(x, f, mass, g)
        k2 = self.rhs(x + 0.5 * dt * k1, f, mass, g)
        k3 = self.rhs(x + 0.5 * dt * k2, f, mass, g)
        k4 = self.rhs(x + dt * k3, f, mass, g)
        return x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)


def simulate_touch_and_go(
    seed: int = 0, scenario: TouchAndGoScenario | None = None, *, guidance_iteration_budget=None
) -> TouchAndGoResult:
    """Fly one seeded closed-loop touch-and-go and return its figures and trajectory.

    ``guidance_iteration_budget`` overrides the MPC's compute budget in
    interior-point iterations (0 forces the ZEM/ZEV fallback throughout).
    """
    from gnc.bodies import kamooalewa
    from gnc.environment import srp_cannonball
    from gnc.gravity import PolyhedronGravity
    from gnc.navigation import RelativeNavigationEKF
    from gnc.sensors import (
        LaserAltimeter,
        NavCamera,
        TargetMarker,
        TruthState,
        attitude_in_body_frame,
        dcm_to_quat,
        quat_multiply,
        quat_to_dcm,
    )

    if int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    sc = scenario or TouchAndGoScenario()
    tic = _time.perf_counter()
    rng = np.random.default_rng(np.random.SeedSequence(int(seed)))
    body = kamooalewa(sc.diameter_m, sc.density_kg_m3, sc.period_min)
    mesh = body.synthetic_shape(seed=int(seed) % 4, subdivisions=3)
    site = sampling_site(body, sc.latitude_deg, sc.longitude_deg, mesh=mesh)
    truth_grav = (
        PolyhedronGravity(mesh, body.density_kg_m3)
        if sc.truth_gravity == "polyhedron"
        else body.ellipsoid_gravity()
    )
    model_grav = body.point_mass_gravity()
    craft = sc.craft
    mass = craft.mass_kg
    sun_local = site.frame.T @ np.array([1.0, 0.0, 0.0])
    srp = srp_cannonball(sun_local, 1.496e11, 10.0, mass)
    srp = np.asarray(srp, dtype=float).reshape(3)
    omega_n = np.pi / 5.5  # contact: a soft sampler spring, half period ~5.5 s
    world = _World(site, truth_grav, srp, mass * omega_n**2, 2 * 0.15 * omega_n * mass, 50.0)
    layout = default_layout(craft.thruster_force_n)
    pwm = PulseModulator(layout, sc.dt_s)
    inertia = np.diag([900.0, 1000.0, 800.0])

    def apparent(r, v):
        g = model_grav.acceleration(site.to_body(r)) @ site.frame
        w = site.omega_local
        return g - 2 * _cross(w, v) - _cross(w, _cross(w, site.position_local + r))

    def g_local(r_local):
        return model_grav.acceleration(site.to_body(r_local)) @ site.frame

    amax_guid = craft.guidance_thrust_n / mass
    planner = ConvexDescentPlanner(
        site.omega_local,
        site.position_local,
        g_local,
        accel_max=amax_guid,
        mass_kg=mass,
        isp_s=craft.isp_s,
        glide_slope_deg=sc.glide_slope_deg,
    )
    budget = (
        sc.mpc_iteration_budget if guidance_iteration_budget is None else guidance_iteration_budget
    )
    amax_full = 0.8 * craft.thrust_per_axis_n / mass
    guid = DescentGuidance(planner, apparent, accel_limit=amax_full, iteration_budget=budget)

    # truth initial state: hovering near the hover point with small errors
    r_hover = np.array([0.0, 0.0, sc.hover_altitude_m])
    x = np.concatenate([r_hover + rng.normal(0, 0.3, 3), rng.normal(0, 0.002, 3)])
    q_att = quat_multiply(_Q_REF, np.array([1.0, *rng.normal(0, 0.005, 3)]))
    q_att /= np.linalg.norm(q_att)
    w_att = rng.normal(0, 1e-4, 3)
    bias_b = rng.normal(0, sc.accel_bias_sigma_m_s2, 3)

    camera = NavCamera.from_mesh(mesh, 150, rng, fov_deg=60.0, max_landmarks=8)
    altimeter = LaserAltimeter(mesh, sigma_m=0.03, min_range_m=0.5)
    marker = TargetMarker(tuple(site.position), fov_deg=40.0, sigma=5e-4)
    sig0 = np.array(
        [sc.initial_position_sigma_m] * 3
        + [sc.initial_velocity_sigma_m_s] * 3
        + [sc.accel_bias_sigma_m_s2] * 3
    )
    x_hat0 = np.zeros(9)
    x_hat0[:3] = site.to_body(x[:3]) + sig0[:3] * rng.standard_normal(3)
    x_hat0[3:6] = site.frame @ x[3:] + sig0[3:6] * rng.standard_normal(3)
    ekf = RelativeNavigationEKF(
        model_grav,
        body.spin_rate,
        x_hat0,
        np.diag(sig0**2),
        accel_psd=1e-12,
        bias_psd=1e-16,
        surface=mesh,
        landmarks=camera.landmarks,
        range_model_sigma_m=0.02,
    )

    # Attitude knowledge: the star tracker (inertial attitude, arcsec noise) turned into the
    # body-fixed frame with the onboard rotation model (spin period known); gyros are taken
    # as perfect rates. Its own random stream, so the other sensors draw as before.
    star_tracker = sc.star_tracker
    att_rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(1,)))

    def truth_at(t_now, x_now, c_sc_body):
        """What the sensors see: the state in the body frame, the attitude, the spin phase."""
        return TruthState(
            t=t_now,
            r=site.to_body(x_now[:3]),
            v=site.frame @ x_now[3:],
            q_sc=dcm_to_quat(c_sc_body),
            spin_phase=float(body.spin_phase(t_now)),
        )

    def attitude_estimate(truth_now, previous):
        """Onboard spacecraft->body-fixed DCM; ``previous`` if the tracker drops out."""
        meas = star_tracker.measure(truth_now, att_rng)
        if meas is None:
            return previous
        return quat_to_dcm(attitude_in_body_frame(meas.q_inertial, truth_now.spin_phase))

    C_sc_body = site.frame @ quat_to_dcm(q_att)
    C_est_body = attitude_estimate(truth_at(0.0, x, C_sc_body), C_sc_body)
    att_err_max = 0.0

    v_td = np.array([0.0, 0.0, -sc.touchdown_speed_m_s])
    r_safe = np.array([0.0, 0.0, sc.safe_altitude_m])
    t_arrive = sc.hover_s + sc.descent_s
    phase = "hover"
    t = 0.0
    touchdown = None
    t_contact = t_release = None
    t_back_end = None
    max_alt_after = -np.inf
    max_plan = 0.0
    rec: dict[str, list] = {
        k: [] for k in ("t", "r", "v", "r_hat", "v_hat", "sig", "f", "m", "phase", "src")
    }
    outcome = None
    t_end_limit = t_arrive + 120.0 + sc.max_contact_s + sc.backaway_s + 30.0
    while outcome is None:
        # --- navigation estimate in the local frame
        r_hat = site.to_local(ekf.position)
        v_hat = ekf.velocity @ site.frame
        # --- guidance
        src = ""
        if phase == "hover":
            a_cmd = -apparent(r_hat, v_hat) + 0.004 * (r_hover - r_hat) - 0.12 * v_hat
            src = "hover"
            if t >= sc.hover_s:
                phase = "descent"
        if phase == "descent":
            cmd = guid.command(r_hat, v_hat, np.zeros(3), v_td, t_arrive - t, mass_kg=mass)
            a_cmd, src = cmd.accel, cmd.source
            max_plan = max(max_plan, cmd.solve_time_s)
        elif phase == "contact":
            a_cmd, src = np.zeros(3), "contact"
        elif phase == "backaway":
            cmd = guid.command(
                r_hat, v_hat, r_safe, np.zeros(3), max(t_back_end - t, 1e-3), mass_kg=mass
            )
            a_cmd, src = cmd.accel, cmd.source
            max_plan = max(max_plan, cmd.solve_time_s)
        f_local_cmd = mass * np.clip(a_cmd, -amax_full, amax_full)
        # --- attitude control and thruster allocation (spacecraft frame), on the onboard
        # attitude estimate; the thrust then acts along the true attitude
        C_true = quat_to_dcm(q_att)  # sc -> local
        C_est = site.frame.T @ C_est_body
        q_est = dcm_to_quat(C_est)
        tau = quaternion_feedback_torque(q_est, w_att, _Q_REF, inertia=inertia, kp=2.0, kd=40.0)
        forces = layout.allocate(C_est.T @ f_local_cmd, tau)
        on = pwm.on_times(forces)
        f_sc, tau_sc = layout.wrench(pwm.average_forces(on))
        f_local = C_true @ f_sc
        mass -= layout.f_max * on.sum() / (craft.isp_s * 9.80665)
        # --- truth propagation (fine steps near the surface to catch the contact)
        n_sub = 10 if (x[2] < 1.0 or phase == "contact") else 2
        h = sc.dt_s / n_sub
        g_truth = world.gravity_local(x[:3])
        contact_impulse = np.zeros(3)
        in_contact = False
        for _ in range(n_sub):
            x_new = world.step(x, f_local, mass, h, g_truth)
            fc = 0.5 * (
                world.contact_force(x[:3], x[3:]) + world.contact_force(x_new[:3], x_new[3:])
            )
            contact_impulse += fc * h
            in_contact = in_contact or bool(np.any(fc))
            if touchdown is None and phase == "descent" and x_new[2] <= 0.0:
                frac = x[2] / max(x[2] - x_new[2], 1e-12)
                xt = x + frac * (x_new - x)
                touchdown = xt.copy()
                t_contact = t + frac * h
                phase = "contact"
            if phase == "contact" and t_contact is not None and x_new[2] > 0.0 and x[2] <= 0.0:
                t_release = t + h
            x = x_new
            t += h
        # attitude: rigid body, torques held over the step
        w_att = w_att + sc.dt_s * (tau_sc - _cross(w_att, inertia @ w_att)) / np.diag(inertia)
        dq = np.array([1.0, *(0.5 * sc.dt_s * w_att)])
        q_att = quat_multiply(q_att, dq)
        q_att /= np.linalg.norm(q_att)
        # --- phase logic after the step
        if phase == "contact":
            if t_release is None and t - t_contact >= sc.max_contact_s:
                t_release = t
            if t_release is not None:
                phase = "backaway"
                t_back_end = t + sc.backaway_s
                guid.reset()
        if phase == "backaway":
            max_alt_after = max(max_alt_after, x[2])
            if t >= t_back_end + 5.0:
                outcome = "done"
        if phase == "descent" and t > t_arrive + 120.0:
            outcome = "no contact: the spacecraft did not reach the surface"
        if t > t_end_limit and outcome is None:
            outcome = "timeout"
        # --- sensors and filter
        C_sc_body = site.frame @ quat_to_dcm(q_att)
        truth = truth_at(t, x, C_sc_body)
        C_est_body = attitude_estimate(truth, C_est_body)
        att_err_max = max(att_err_max, _angle(C_est_body.T @ C_sc_body))
        # the accelerometer integrates over the step: thrust plus the mean contact force,
        # measured in the spacecraft frame and turned into the body frame onboard
        f_body = site.frame @ (f_local + contact_impulse / sc.dt_s) / mass
        f_meas = C_est_body @ (C_sc_body.T @ f_body) + bias_b + 2e-6 * rng.standard_normal(3)
        # a held specific force misrepresents a contact force that varies within the step
        ekf.predict(sc.dt_s, f_meas, accel_sigma=1e-3 if in_contact else 2e-6)
        if phase != "contact":
            # the sensors see the true geometry; the filter models them with its own attitude
            m = altimeter.measure(truth, rng)
            if m is not None:
                ekf.update_range(m, C_est_body)
            k = int(round(t / sc.dt_s))
            if k % 5 == 0:
                b = camera.measure(truth, rng)
                if b is not None:
                    ekf.update_bearings(b, C_est_body)
                mk = marker.measure(truth, rng)
                if mk is not None:
                    ekf.update_marker(mk, C_est_body, site.position, marker_sigma_m=0.05)
        rec["t"].append(t)
        rec["r"].append(x[:3].copy())
        rec["v"].append(x[3:].copy())
        rec["r_hat"].append(site.to_local(ekf.position))
        rec["v_hat"].append(ekf.velocity @ site.frame)
        rec["sig"].append(ekf.sigmas()[:6].copy())
        rec["f"].append(f_local.copy())
        rec["m"].append(mass)
        rec["phase"].append(phase)
        rec["src"].append(src)

    ds = _dataset(rec, sc, seed)
    if touchdown is None:
        figures = dict.fromkeys(
            (
                "touchdown_error_m",
                "touchdown_speed_vertical_m_s",
                "touchdown_speed_lateral_m_s",
                "contact_duration_s",
            ),
            float("nan"),
        )
        outcome = outcome if outcome != "done" else "no contact"
    else:
        figures = {
            "touchdown_error_m": float(np.hypot(touchdown[0], touchdown[1])),
            "touchdown_speed_vertical_m_s": float(-touchdown[5]),
            "touchdown_speed_lateral_m_s": float(np.hypot(touchdown[3], touchdown[4])),
            "contact_duration_s": float((t_release or t) - t_contact),
        }
    safe_alt = float(max_alt_after) if np.isfinite(max_alt_after) else float("nan")
    if outcome == "done":
        outcome = _judge(figures, sc, safe_alt)
    result = TouchAndGoResult(
        outcome=outcome,
        target_vertical_speed_m_s=float(sc.touchdown_speed_m_s),
        propellant_used_kg=float(craft.mass_kg - mass),
        safe_altitude_reached_m=safe_alt,
        seed=int(seed),
        guidance_counts=dict(guid.counts),
        max_plan_time_s=float(max_plan),
        wall_time_s=_time.perf_counter() - tic,
        trajectory=ds,
        **figures,
    )
    ds.attrs.update({k: v for k, v in result.to_dict().items() if not isinstance(v, dict)})
    ds.attrs["attitude_knowledge_error_max_arcsec"] = float(np.degrees(att_err_max) * 3600.0)
    return result


def _angle(c: np.ndarray) -> float:
    """Rotation angle (rad) of a direction-cosine matrix."""
    return float(np.arccos(np.clip(0.5 * (np.trace(c) - 1.0), -1.0, 1.0)))


def _judge(fig: dict, sc: TouchAndGoScenario, safe_alt: float) -> str:
    reasons = []
    if not fig["touchdown_error_m"] <= 1.0:
        reasons.append(f"touchdown {fig['touchdown_error_m']:.2f} m from the target (limit 1 m)")
    if not abs(fig["touchdown_speed_vertical_m_s"] - sc.touchdown_speed_m_s) <= 0.1:
        reasons.append(
            f"vertical speed {fig['touchdown_speed_vertical_m_s']:.3f} m/s is more than 0.1 m/s "
            f"from the target {sc.touchdown_speed_m_s:.2f} m/s"
        )
    if not fig["touchdown_speed_lateral_m_s"] < 0.02:
        reasons.append(f"lateral speed {fig['touchdown_speed_lateral_m_s']:.3f} m/s (limit 0.02)")
    if not safe_alt >= 0.95 * sc.safe_altitude_m:
        reasons.append(f"back-away reached only {safe_alt:.1f} m of {sc.safe_altitude_m:.0f} m")
    return "success" if not reasons else "; ".join(reasons)


def _dataset(rec: dict, sc: TouchAndGoScenario, seed: int) -> xr.Dataset:
    r = np.array(rec["r"])
    r_hat = np.array(rec["r_hat"])
    v = np.array(rec["v"])
    v_hat = np.array(rec["v_hat"])
    sig = np.array(rec["sig"])
    tv = ("time", "axis")
    return xr.Dataset(
        {
            "r_local": (
                tv,
                r,
                {"units": "m", "long_name": "true position from the site (east, north, up)"},
            ),
            "v_local": (
                tv,
                v,
                {"units": "m/s", "long_name": "true velocity relative to the rotating surface"},
            ),
            "r_est_local": (
                tv,
                r_hat,
                {"units": "m", "long_name": "navigation estimate of the position"},
            ),
            "v_est_local": (
                tv,
                v_hat,
                {"units": "m/s", "long_name": "navigation estimate of the velocity"},
            ),
            "position_error": (
                tv,
                r_hat - r,
                {"units": "m", "long_name": "navigation position error"},
            ),
            "velocity_error": (
                tv,
                v_hat - v,
                {"units": "m/s", "long_name": "navigation velocity error"},
            ),
            "position_sigma": (
                ("time",),
                np.linalg.norm(sig[:, :3], axis=1),
                {"units": "m", "long_name": "filter 1-sigma position (rss)"},
            ),
            "velocity_sigma": (
                ("time",),
                np.linalg.norm(sig[:, 3:6], axis=1),
                {"units": "m/s", "long_name": "filter 1-sigma velocity (rss)"},
            ),
            "thrust_local": (
                tv,
                np.array(rec["f"]),
                {"units": "N", "long_name": "delivered thrust (local frame)"},
            ),
            "mass": (
                ("time",),
                np.array(rec["m"]),
                {"units": "kg", "long_name": "spacecraft mass"},
            ),
            "altitude": (
                ("time",),
                r[:, 2],
                {"units": "m", "long_name": "height above the site's tangent plane"},
            ),
            "phase": (
                ("time",),
                np.array(rec["phase"], dtype=object),
                {"long_name": "mission phase"},
            ),
            "guidance": (
                ("time",),
                np.array(rec["src"], dtype=object),
                {"long_name": "guidance law in use"},
            ),
        },
        coords={
            "time": ("time", np.array(rec["t"]), {"units": "s", "long_name": "simulation time"}),
            "axis": ("axis", ["east", "north", "up"]),
        },
        attrs={
            "title": "closed-loop touch-and-go",
            "seed": int(seed),
            "diameter_m": sc.diameter_m,
            "density_kg_m3": sc.density_kg_m3,
            "period_min": sc.period_min,
        },
    )
