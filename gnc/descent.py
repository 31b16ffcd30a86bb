"""Fuel-optimal proximity problems at a small body: hover transfer, descent, touch-and-go, attach.

Each problem is an :class:`gnc.ocp.OptimalControlProblem` written in the
sampling site's **local frame** (east, north, up; origin at the site; fixed to
the rotating body), in metres, seconds, kilograms and newtons:

* states ``r`` (m), ``v`` (m/s) relative to the rotating surface, mass ``m`` (kg);
* controls ``thrust_pos`` and ``thrust_neg``, each three fractions in ``[0, 1]``
  of the per-axis thrust ``F`` of the RCS (one set of thrusters per direction,
  attitude held fixed to the surface), so thrust is ``F (p - n)`` and the
  propellant flow ``F sum(p + n) / (Isp g0)`` -- fuel-optimal is linear;
* dynamics ``v' = g(r) - 2 w x v - w x (w x (site + r)) + F (p - n) / m``;
* approach cone (glide slope) as 8 half-spaces around the local vertical,
  which also keeps the craft above the local surface plane.

Problems: :func:`hover_transfer_problem` (1), :func:`descent_problem` (2),
:func:`backaway_problem` and :func:`plan_touch_and_go` (3), and
:func:`plan_attach` (4, descent to rest). All are solved by IPOPT through the
transcription layer; :mod:`gnc.convex` solves problem (2) on its linear model
in about a millisecond for re-planning.

The proximity spacecraft (:class:`ProximitySpacecraft`) defaults to 1200 kg
(Tianwen-2 is a ~2 t class craft at launch; after the cruise propellant it is
lighter near the asteroid) with twelve 20 N hydrazine thrusters of Isp 220 s,
two per direction, so the per-axis authority is 40 N (0.033 m/s^2).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import casadi as ca
import numpy as np
import xarray as xr

from gnc.convex import G0, cone_faces
from gnc.ocp import OCPSolution, OptimalControlProblem

__all__ = [
    "ProximitySpacecraft",
    "SamplingSite",
    "backaway_problem",
    "descent_problem",
    "hover_transfer_problem",
    "plan_attach",
    "plan_touch_and_go",
    "sampling_site",
    "solution_dataset",
]


@dataclass(frozen=True)
class ProximitySpacecraft:
    """Mass and propulsion of the spacecraft near the body.

    ``thrust_per_axis_n`` is the force available along each of +-x, +-y, +-z
    (two 20 N thrusters per direction by default); ``guidance_fraction`` of it
    is given to the planner, the rest is margin for feedback and attitude.
    """

    mass_kg: float = 1200.0
    isp_s: float = 220.0
    thruster_force_n: float = 20.0
    thrusters_per_direction: int = 2
    guidance_fraction: float = 0.5

    def __post_init__(self) -> None:
        for name in ("mass_kg", "isp_s", "thruster_force_n"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)!r}")
        if not 0 < self.guidance_fraction <= 1:
            raise ValueError(f"guidance_fraction must be in (0, 1], got {self.guidance_fraction}")

    @property
    def thrust_per_axis_n(self) -> float:
        """Full per-axis force (N)."""
        return self.thruster_force_n * self.thrusters_per_direction

    @property
    def guidance_thrust_n(self) -> float:
        """Per-axis force the planner may use (N)."""
        return self.thrust_per_axis_n * self.guidance_fraction

    def __repr__(self) -> str:
        return (
            f"ProximitySpacecraft({self.mass_kg:.0f} kg, Isp {self.isp_s:.0f} s, "
            f"{self.thrusters_per_direction}x{self.thruster_force_n:g} N per direction, "
            f"guidance uses {self.guidance_fraction:.0%})"
        )


@dataclass(frozen=True)
class SamplingSite:
    """A point on the surface with its local frame (columns east, north, up in body-fixed axes)."""

    position: np.ndarray
    frame: np.ndarray
    latitude_deg: float
    longitude_deg: float
    spin_vector: np.ndarray = field(repr=False)

    @property
    def omega_local(self) -> np.ndarray:
        """Spin vector in the local frame (rad/s)."""
        return self.frame.T @ self.spin_vector

    @property
    def position_local(self) -> np.ndarray:
        """Site position (from the body centre) in the local frame (m)."""
        return self.frame.T @ self.position

    def to_body(self, r_local) -> np.ndarray:
        """Local-frame positions (relative to the site) to body-fixed positions."""
        return np.asarray(r_local) @ self.frame.T + self.position

    def to_local(self, r_body) -> np.ndarray:
        """Body-fixed positions to local-frame positions relative to the site."""
        return (np.asarray(r_body) - self.position) @ self.frame

    def surface_speed(self) -> float:
        """Speed of the site in the non-rotating frame due to the spin (m/s)."""
        return float(np.linalg.norm(np.cross(self.spin_vector, self.position)))

    def __repr__(self) -> str:
        return (
            f"SamplingSite(lat {self.latitude_deg:.1f} deg, lon {self.longitude_deg:.1f} deg, "
            f"radius {np.linalg.norm(self.position):.2f} m, surface speed "
            f"{100 * self.surface_speed():.1f} cm/s)"
        )


def sampling_site(
    body, latitude_deg: float = 30.0, longitude_deg: float = 20.0, mesh=None
) -> SamplingSite:
    """The surface point in a direction from the body centre, with its local frame.

    With ``mesh`` (a :class:`gnc.shape.TriangleMesh`) the point is found by ray
    casting and "up" is the facet normal; otherwise the body's ellipsoid is used.
    """
    if not -90.0 < latitude_deg < 90.0:
        raise ValueError(f"latitude must be inside (-90, 90) degrees, got {latitude_deg}")
    lat, lon = np.radians(latitude_deg), np.radians(longitude_deg)
    d = np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    if mesh is not None:
        dist, face = mesh.ray_cast(np.zeros(3), d)
        if not np.isfinite(dist[0]):
            raise ValueError(
                "the ray from the centre misses the mesh; is it star-shaped and centred?"
            )
        p = d * dist[0]
        up = mesh.face_normals[face[0]]
    else:
        a = np.asarray(body.semi_axes_m, dtype=float)
        p = d / np.sqrt(np.sum((d / a) ** 2))
        up = p / a**2
    up = up / np.linalg.norm(up)
    east = np.cross([0.0, 0.0, 1.0], up)
    east /= np.linalg.norm(east)
    north = np.cross(up, east)
    frame = np.stack([east, north, up], axis=1)
    return SamplingSite(p, frame, float(latitude_deg), float(longitude_deg), body.omega_vector)


def _local_gravity(site: SamplingSite, gravity, r_local: ca.SX) -> ca.SX:
    """CasADi gravity in the local frame at local position ``r_local`` (needs ``casadi_acceleration``)."""
    if gravity is None:
        return ca.SX.zeros(3, 1)
    if not hasattr(gravity, "casadi_acceleration"):
        raise TypeError(
            f"the optimiser needs a gravity model CasADi can differentiate (point mass or "
            f"mascons with casadi_acceleration), got {type(gravity).__name__}"
        )
    C = ca.DM(site.frame)
    r_body = C @ r_local + ca.DM(site.position)
    return C.T @ gravity.casadi_acceleration(r_body)


def _base_problem(
    site: SamplingSite,
    gravity,
    craft: ProximitySpacecraft,
    n_intervals: int,
    transcription: str,
    r_scale: float,
    regularization: float,
    name: str,
):
    ocp = OptimalControlProblem(n_intervals=n_intervals, transcription=transcription, name=name)
    r = ocp.state("r", 3, scale=r_scale)
    v = ocp.state("v", 3, scale=0.1)
    m = ocp.state("m", 1, scale=craft.mass_kg, lower=0.5 * craft.mass_kg)
    p = ocp.control("thrust_pos", 3, lower=0.0, upper=1.0)
    n = ocp.control("thrust_neg", 3, lower=0.0, upper=1.0)
    F = craft.guidance_thrust_n
    w = ca.DM(site.omega_local)
    acc = (
        _local_gravity(site, gravity, r)
        - 2 * ca.cross(w, v)
        - ca.cross(w, ca.cross(w, r + ca.DM(site.position_local)))
        + F * (p - n) / m
    )
    ocp.set_dynamics({"r": v, "v": acc, "m": -F * ca.sum1(p + n) / (craft.isp_s * G0)})
    # L1 propellant as a fraction of full-duty use, plus a tiny quadratic for uniqueness
    T = ocp.duration
    N = n_intervals
    running = (ca.sum1(p + n) + 0.5 * regularization * N * ca.sumsqr(ca.vertcat(p, n))) / T
    ocp.minimize(running=running, scale=0.05)
    r0 = ocp.parameter("r0", 3)
    v0 = ocp.parameter("v0", 3)
    m0 = ocp.parameter("m0", 1)
    ocp.subject_to(
        ca.vertcat(r - r0, v - v0),
        at="start",
        lower=0.0,
        upper=0.0,
        scale=[r_scale] * 3 + [0.1] * 3,
    )
    ocp.subject_to(m - m0, at="start", lower=0.0, upper=0.0, scale=craft.mass_kg)
    return ocp, r, v


def hover_transfer_problem(
    site: SamplingSite,
    gravity,
    craft: ProximitySpacecraft = ProximitySpacecraft(),
    *,
    n_intervals: int = 40,
    duration_s: float = 600.0,
    transcription: str = "hermite-simpson",
    r_scale: float = 100.0,
) -> OptimalControlProblem:
    """Problem (1): fuel-optimal transfer from a state ``r0, v0`` to rest at a hover point ``r_hover``.

    Parameters to :meth:`~gnc.ocp.OptimalControlProblem.solve`: ``r0``, ``v0``
    (local frame), ``m0``, ``r_hover`` (local frame). The craft ends at rest
    relative to the rotating surface. The hover point must stay above the site's
    horizon (``up >= 0`` along the way).
    """
    ocp, r, v = _base_problem(
        site, gravity, craft, n_intervals, transcription, r_scale, 1e-3, "hover_transfer"
    )
    r_hover = ocp.parameter("r_hover", 3)
    ocp.subject_to(
        ca.vertcat(r - r_hover, v), at="end", lower=0.0, upper=0.0, scale=[r_scale] * 3 + [0.1] * 3
    )
    ocp.subject_to(r[2], lower=0.0, scale=r_scale)
    ocp.set_duration(duration_s)
    return ocp


def descent_problem(
    site: SamplingSite,
    gravity,
    craft: ProximitySpacecraft = ProximitySpacecraft(),
    *,
    n_intervals: int = 50,
    duration_s: float = 400.0,
    glide_slope_deg: float = 45.0,
    transcription: str = "multiple-shooting",
    r_scale: float = 50.0,
    regularization: float = 1e-3,
) -> OptimalControlProblem:
    """Problem (2): fuel-optimal descent to the site arriving with a given velocity.

    Parameters: ``r0``, ``v0`` (local frame), ``m0``, ``v_target`` (local frame,
    e.g. ``[0, 0, -0.1]``: 10 cm/s down, no lateral speed relative to the
    rotating surface). Constraints: thrust bounds, the approach cone of
    ``glide_slope_deg`` with its apex at the site (no surface penetration
    near the site), arrival at the site. ``duration`` may be changed per solve.

    The default transcription is multiple shooting (controls held per interval,
    as the flight software applies them), the same model as :mod:`gnc.convex`.
    """
    ocp, r, v = _base_problem(
        site, gravity, craft, n_intervals, transcription, r_scale, regularization, "descent"
    )
    v_target = ocp.parameter("v_target", 3)
    ocp.subject_to(
        ca.vertcat(r, v - v_target), at="end", lower=0.0, upper=0.0, scale=[r_scale] * 3 + [0.1] * 3
    )
    D = cone_faces(glide_slope_deg)
    ocp.subject_to(ca.DM(D) @ r, upper=0.0, scale=r_scale)
    ocp.set_duration(duration_s)
    return ocp


def backaway_problem(
    site: SamplingSite,
    gravity,
    craft: ProximitySpacecraft = ProximitySpacecraft(),
    *,
    n_intervals: int = 40,
    duration_s: float = 200.0,
    glide_slope_deg: float = 45.0,
    transcription: str = "hermite-simpson",
    r_scale: float = 30.0,
) -> OptimalControlProblem:
    """Problem (3b): back away from the surface to rest at a safe point ``r_safe`` inside the approach cone.

    Parameters: ``r0``, ``v0``, ``m0``, ``r_safe`` (local frame).
    """
    ocp, r, v = _base_problem(
        site, gravity, craft, n_intervals, transcription, r_scale, 1e-3, "backaway"
    )
    r_safe = ocp.parameter("r_safe", 3)
    ocp.subject_to(
        ca.vertcat(r - r_safe, v), at="end", lower=0.0, upper=0.0, scale=[r_scale] * 3 + [0.1] * 3
    )
    ocp.subject_to(ca.DM(cone_faces(glide_slope_deg)) @ r, upper=0.0, scale=r_scale)
    ocp.set_duration(duration_s)
    return ocp


def _guess(r0, r1, v1):
    return {"r": [r0, r1], "v": [np.zeros(3), v1]}


def plan_touch_and_go(
    site: SamplingSite,
    gravity,
    craft: ProximitySpacecraft = ProximitySpacecraft(),
    *,
    hover_altitude_m: float = 50.0,
    touchdown_speed_m_s: float = 0.1,
    contact_s: float = 5.0,
    safe_altitude_m: float = 30.0,
    descent_s: float = 400.0,
    backaway_s: float = 200.0,
    glide_slope_deg: float = 45.0,
    n_intervals: int = 50,
) -> xr.Dataset:
    """Problem (3): descent from hover, a contact of ``contact_s`` seconds, back-away to a safe altitude.

    The contact is modelled as the sampler head resting on the surface (the
    spacecraft at the site, at rest relative to it) for ``contact_s``; the
    back-away then starts from rest at the site. Returns the whole plan as one
    Dataset (see :func:`solution_dataset`) with a ``phase`` variable.
    """
    if contact_s < 0:
        raise ValueError(f"contact_s must be >= 0, got {contact_s}")
    if safe_altitude_m <= 0:
        raise ValueError(f"safe_altitude_m must be positive, got {safe_altitude_m}")
    r_hover = np.array([0.0, 0.0, float(hover_altitude_m)])
    v_td = np.array([0.0, 0.0, -float(touchdown_speed_m_s)])
    down = descent_problem(
        site,
        gravity,
        craft,
        n_intervals=n_intervals,
        duration_s=descent_s,
        glide_slope_deg=glide_slope_deg,
    )
    d = down.solve(
        {"r0": r_hover, "v0": np.zeros(3), "m0": craft.mass_kg, "v_target": v_td},
        guess=_guess(r_hover, np.zeros(3), v_td),
    )
    up = backaway_problem(
        site,
        gravity,
        craft,
        n_intervals=n_intervals,
        duration_s=backaway_s,
        glide_slope_deg=glide_slope_deg,
    )
    r_safe = np.array([0.0, 0.0, float(safe_altitude_m)])
    b = up.solve(
        {"r0": np.zeros(3), "v0": np.zeros(3), "m0": d.state("m")[-1], "r_safe": r_safe},
        guess={"r": [np.zeros(3), r_safe]},
    )
    parts = [solution_dataset(d, site, craft, phase="descent")]
    t_contact = d.t[-1]
    contact = solution_dataset(d, site, craft, phase="contact").isel(time=[-1, -1])
    contact = contact.assign_coords(time=[t_contact, t_contact + contact_s])
    contact["v_local"][:] = 0.0
    contact["thrust_local"][:] = 0.0
    parts.append(contact)
    parts.append(solution_dataset(b, site, craft, phase="backaway", t_offset=t_contact + contact_s))
    ds = xr.concat(parts, dim="time")
    ds.attrs.update(
        {
            "title": "touch-and-go plan (fuel-optimal descent, contact, back-away)",
            "descent_success": int(d.success),
            "backaway_success": int(b.success),
            "propellant_used_kg": float(craft.mass_kg - b.state("m")[-1]),
        }
    )
    return ds


def plan_attach(
    site: SamplingSite,
    gravity,
    craft: ProximitySpacecraft = ProximitySpacecraft(),
    *,
    hover_altitude_m: float = 50.0,
    descent_s: float = 450.0,
    glide_slope_deg: float = 45.0,
    n_intervals: int = 50,
) -> OCPSolution:
    """Problem (4), anchor-and-attach: fuel-optimal descent to rest on the site (zero relative velocity)."""
    prob = descent_problem(
        site,
        gravity,
        craft,
        n_intervals=n_intervals,
        duration_s=descent_s,
        glide_slope_deg=glide_slope_deg,
    )
    r_hover = np.array([0.0, 0.0, float(hover_altitude_m)])
    return prob.solve(
        {"r0": r_hover, "v0": np.zeros(3), "m0": craft.mass_kg, "v_target": np.zeros(3)},
        guess=_guess(r_hover, np.zeros(3), np.zeros(3)),
    )


def solution_dataset(
    sol: OCPSolution,
    site: SamplingSite,
    craft: ProximitySpacecraft,
    *,
    phase: str = "",
    t_offset: float = 0.0,
) -> xr.Dataset:
    """An :class:`OCPSolution` of these problems as an xarray Dataset with units."""
    F = craft.guidance_thrust_n
    thrust = F * (sol.controls["thrust_pos"] - sol.controls["thrust_neg"])
    r = sol.states["r"]
    ds = xr.Dataset(
        {
            "r_local": (
                ("time", "axis"),
                r,
                {"units": "m", "long_name": "position from the site (east, north, up)"},
            ),
            "v_local": (
                ("time", "axis"),
                sol.states["v"],
                {"units": "m/s", "long_name": "velocity relative to the rotating surface"},
            ),
            "mass": (
                ("time",),
                sol.states["m"][:, 0],
                {"units": "kg", "long_name": "spacecraft mass"},
            ),
            "thrust_local": (
                ("time", "axis"),
                thrust,
                {"units": "N", "long_name": "commanded thrust (local frame)"},
            ),
            "altitude": (
                ("time",),
                r[:, 2],
                {"units": "m", "long_name": "height above the site's tangent plane"},
            ),
            "phase": (
                ("time",),
                np.full(len(sol.t), phase, dtype=object),
                {"long_name": "mission phase"},
            ),
        },
        coords={
            "time": (
                "time",
                sol.t + t_offset,
                {"units": "s", "long_name": "time since start of plan"},
            ),
            "axis": ("axis", ["east", "north", "up"]),
        },
        attrs={
            "objective": sol.objective,
            "success": int(sol.success),
            "transcription": sol.transcription,
        },
    )
    return ds
