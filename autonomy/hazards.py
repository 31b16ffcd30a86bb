"""The onboard hazard map: site terrain, lighting and Earth visibility, and a ranking with reasons.

The survey delivers, per candidate site, its terrain numbers (slope, roughness,
largest boulder, hazard-free radius; :class:`autonomy.observations.SiteHazard`).
What the survey cannot fix in advance is the *time*: the body turns every ~28 min,
so whether a site is lit and whether Earth is above its horizon depend on when
the spacecraft will touch it. :func:`rank_sites` evaluates both at the planned
contact time (and looks ahead one spin for the earliest time both hold), rejects
sites that break a limit, scores the rest and records every reason.

Limits default to flown practice: boulders over 0.7 m were hazards for Hayabusa2,
and a site must hold the predicted touchdown ellipse (OSIRIS-REx needed 10 m
performance for a 16 m site; Hayabusa2 landed in 6 m and 12 m sites).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from autonomy.observations import SiteHazard


def site_frame(normal) -> np.ndarray:
    """Rotation whose columns are east, north, up at a site with outward ``normal`` (body-fixed).

    ``body = R @ local``. East is ``z x up`` (the spin axis is +z); at a pole, +x stands in.
    """
    up = np.asarray(normal, float)
    up = up / np.linalg.norm(up)
    ref = np.array([0.0, 0.0, 1.0]) if abs(up[2]) < 0.999 else np.array([1.0, 0.0, 0.0])
    east = np.cross(ref, up)
    east /= np.linalg.norm(east)
    north = np.cross(up, east)
    return np.column_stack([east, north, up])


def _rotz(theta: float) -> np.ndarray:
    c, s = math.cos(theta), math.sin(theta)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


@dataclass(frozen=True)
class SkyGeometry:
    """Where the Sun and Earth are (unit vectors in the non-rotating body-centred frame) and how the body turns."""

    sun_dir_inertial: tuple[float, float, float]
    earth_dir_inertial: tuple[float, float, float]
    spin_rate_rad_s: float
    spin_phase0_rad: float = 0.0

    def elevations_deg(self, normal, t) -> tuple[np.ndarray, np.ndarray]:
        """Sun and Earth elevation (deg) above the local horizon of a site with ``normal``, at times ``t`` (s)."""
        n = np.asarray(normal, float) / np.linalg.norm(normal)
        th = self.spin_phase0_rad + self.spin_rate_rad_s * np.atleast_1d(np.asarray(t, float))
        c, s = np.cos(th), np.sin(th)
        n_in = np.stack([c * n[0] - s * n[1], s * n[0] + c * n[1], np.full_like(th, n[2])], -1)
        sun = np.asarray(self.sun_dir_inertial, float)
        earth = np.asarray(self.earth_dir_inertial, float)
        el_sun = np.degrees(np.arcsin(np.clip(n_in @ (sun / np.linalg.norm(sun)), -1, 1)))
        el_earth = np.degrees(np.arcsin(np.clip(n_in @ (earth / np.linalg.norm(earth)), -1, 1)))
        return el_sun, el_earth


@dataclass(frozen=True)
class HazardLimits:
    """What a site must satisfy to be sampled."""

    max_slope_deg: float = 20.0
    max_roughness_m: float = 0.3
    max_boulder_m: float = 0.7
    min_safe_radius_m: float = 2.0
    min_sun_elevation_deg: float = 10.0
    min_earth_elevation_deg: float = 5.0
    lookahead_s: float = 1800.0
    lookahead_step_s: float = 30.0


@dataclass(frozen=True)
class SiteAssessment:
    """One site's verdict: feasible or not, its score, and the reasons either way."""

    name: str
    feasible: bool
    score: float
    reasons: tuple[str, ...]
    contact_time_s: float
    wait_s: float
    sun_elevation_deg: float
    earth_elevation_deg: float
    site: SiteHazard = field(repr=False)

    def summary(self) -> str:
        verdict = "ok" if self.feasible else "rejected"
        return f"{self.name}: {verdict}, score {self.score:.2f} ({'; '.join(self.reasons)})"


def terrain_violations(site: SiteHazard, limits: HazardLimits) -> list[str]:
    """Reasons the terrain of ``site`` breaks ``limits`` (empty when it does not)."""
    out = []
    if site.slope_deg > limits.max_slope_deg:
        out.append(f"slope {site.slope_deg:.1f} deg > {limits.max_slope_deg:.1f}")
    if site.roughness_m > limits.max_roughness_m:
        out.append(f"roughness {site.roughness_m:.2f} m > {limits.max_roughness_m:.2f}")
    if site.max_boulder_m > limits.max_boulder_m:
        out.append(f"boulder {site.max_boulder_m:.2f} m > {limits.max_boulder_m:.2f}")
    if site.safe_radius_m < limits.min_safe_radius_m:
        out.append(f"safe radius {site.safe_radius_m:.1f} m < {limits.min_safe_radius_m:.1f}")
    return out


def terrain_score(site: SiteHazard, limits: HazardLimits) -> float:
    """Higher is better: margin of each terrain number against its limit, averaged (0..1 when inside limits)."""
    margins = [
        1.0 - site.slope_deg / limits.max_slope_deg,
        1.0 - site.roughness_m / limits.max_roughness_m,
        1.0 - site.max_boulder_m / limits.max_boulder_m,
        min(1.0, site.safe_radius_m / (4.0 * limits.min_safe_radius_m)),
    ]
    return float(np.mean(margins))


def assess_site(
    site: SiteHazard, sky: SkyGeometry, t_contact: float, limits: HazardLimits
) -> SiteAssessment:
    """Assess one site for contact at ``t_contact`` (s), looking ahead for the first lit, Earth-visible time."""
    reasons = terrain_violations(site, limits)
    times = t_contact + np.arange(0.0, limits.lookahead_s + 1e-9, limits.lookahead_step_s)
    el_sun, el_earth = sky.elevations_deg(site.normal, times)
    ok = (el_sun >= limits.min_sun_elevation_deg) & (el_earth >= limits.min_earth_elevation_deg)
    if ok.any():
        k = int(np.argmax(ok))
        wait = float(times[k] - t_contact)
        if wait > 0:
            reasons.append(
                f"wait {wait:.0f} s for Sun >= {limits.min_sun_elevation_deg:g} deg and "
                f"Earth >= {limits.min_earth_elevation_deg:g} deg"
            )
    else:
        k = 0
        wait = math.inf
        reasons.append(
            f"no time in the next {limits.lookahead_s:.0f} s with Sun >= "
            f"{limits.min_sun_elevation_deg:g} deg and Earth >= {limits.min_earth_elevation_deg:g} deg"
        )
    feasible = not terrain_violations(site, limits) and math.isfinite(wait)
    score = terrain_score(site, limits) - (0.0 if not math.isfinite(wait) else 0.1 * wait / 1800.0)
    if feasible and not reasons:
        reasons.append(
            f"slope {site.slope_deg:.1f} deg, boulder {site.max_boulder_m:.2f} m, "
            f"safe radius {site.safe_radius_m:.1f} m, lit and Earth in view"
        )
    return SiteAssessment(
        name=site.name,
        feasible=feasible,
        score=score if feasible else -math.inf,
        reasons=tuple(reasons),
        contact_time_s=float(times[k]) if math.isfinite(wait) else math.inf,
        wait_s=wait,
        sun_elevation_deg=float(el_sun[k]),
        earth_elevation_deg=float(el_earth[k]),
        site=site,
    )


def rank_sites(
    sites, sky: SkyGeometry, t_contact: float, limits: HazardLimits | None = None, exclude=()
) -> list[SiteAssessment]:
    """All sites assessed for contact at ``t_contact``, best first (feasible before infeasible, then score, then name).

    Sites named in ``exclude`` are kept in the list as infeasible with the reason
    "excluded after a waive-off".
    """
    limits = limits or HazardLimits()
    out = []
    for site in sites:
        a = assess_site(site, sky, t_contact, limits)
        if site.name in exclude:
            a = SiteAssessment(
                a.name,
                False,
                -math.inf,
                ("excluded after a waive-off", *a.reasons),
                a.contact_time_s,
                a.wait_s,
                a.sun_elevation_deg,
                a.earth_elevation_deg,
                site,
            )
        out.append(a)
    out.sort(key=lambda a: (not a.feasible, -a.score if a.feasible else 0.0, a.name))
    return out


def touchdown_clearance(
    predicted_offset_m: float, sigma_horizontal_m, site: SiteHazard, n_sigma: float = 3.0
) -> tuple[float, float]:
    """``(dispersion radius, clearance)`` of the predicted touchdown against the site's hazard-free circle (m).

    The dispersion radius is the predicted miss of the touchdown point plus
    ``n_sigma`` times the horizontal navigation uncertainty (root-sum-square of the two
    horizontal axes). A negative clearance means the touchdown ellipse reaches a hazard.
    """
    sh = np.asarray(sigma_horizontal_m, float)
    radius = float(predicted_offset_m + n_sigma * math.sqrt(float(np.sum(sh * sh))))
    return radius, float(site.safe_radius_m - radius)
