"""GO / HOLD / WAIVE-OFF at the descent gates.

Like OSIRIS-REx at its Checkpoint and Matchpoint burns and Hayabusa2 at its
descent gates, the executive stops to judge at fixed altitudes. It weighs:

- the predicted touchdown against the hazard map (a dispersion circle of the
  predicted miss plus 3 sigma of horizontal navigation error, against the site's
  hazard-free radius) -- WAIVE-OFF and exclude the site if it reaches a hazard;
- propellant: what the rest of the attempt and the back-away need, against the
  return reserve set by the ground -- WAIVE-OFF (no retry helps);
- navigation covariance, attitude (star tracker, pointing), the ground link where
  a gate needs it, and any space-weather advisory that holds critical operations --
  HOLD (hover and look again) up to ``hold_max_s``, then WAIVE-OFF.

:func:`evaluate_checkpoint` is a pure function of a :class:`CheckpointInputs`,
so a gate can be tested case by case.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from autonomy.hazards import touchdown_clearance
from autonomy.observations import SiteHazard

GO = "GO"
HOLD = "HOLD"
WAIVE_OFF = "WAIVE-OFF"


@dataclass(frozen=True)
class CheckpointLimits:
    """Thresholds of one gate."""

    max_nav_sigma_m: float = 1.0
    max_vel_sigma_m_s: float = 0.02
    max_pointing_error_rad: float = math.radians(2.0)
    require_link: bool = False
    check_hazard: bool = True
    hold_max_s: float = 120.0
    n_sigma: float = 3.0


@dataclass(frozen=True)
class CheckpointInputs:
    """Everything a gate decision reads (SI units; sigmas in the site's east-north-up axes)."""

    name: str
    t: float
    altitude_m: float
    site: SiteHazard
    predicted_offset_m: float
    sigma_r_m: tuple[float, float, float]
    sigma_v_m_s: tuple[float, float, float]
    propellant_kg: float
    propellant_needed_kg: float
    min_propellant_kg: float
    star_tracker_valid: bool = True
    pointing_error_rad: float = 0.0
    link_up: bool = True
    advisory: str | None = None
    held_for_s: float = 0.0
    plan_feasible: bool = True


@dataclass(frozen=True)
class CheckpointDecision:
    """The verdict, the reasons, the numbers, and whether the site itself is to blame (so a retry picks another)."""

    name: str
    decision: str
    reasons: tuple[str, ...]
    numbers: dict[str, float] = field(default_factory=dict)
    site_hazardous: bool = False

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def evaluate_checkpoint(inp: CheckpointInputs, limits: CheckpointLimits) -> CheckpointDecision:
    """GO, HOLD or WAIVE-OFF for one gate, with reasons and numbers."""
    radius, clearance = touchdown_clearance(
        inp.predicted_offset_m, inp.sigma_r_m[:2], inp.site, limits.n_sigma
    )
    sigma_pos = float(np.linalg.norm(inp.sigma_r_m))
    sigma_vel = float(np.linalg.norm(inp.sigma_v_m_s))
    left_after = inp.propellant_kg - inp.propellant_needed_kg
    numbers = {
        "altitude_m": inp.altitude_m,
        "predicted_offset_m": inp.predicted_offset_m,
        "dispersion_radius_m": radius,
        "safe_radius_m": inp.site.safe_radius_m,
        "clearance_m": clearance,
        "nav_sigma_m": sigma_pos,
        "vel_sigma_m_s": sigma_vel,
        "propellant_kg": inp.propellant_kg,
        "propellant_after_kg": left_after,
        "reserve_kg": inp.min_propellant_kg,
        "pointing_error_deg": math.degrees(inp.pointing_error_rad),
        "held_for_s": inp.held_for_s,
    }
    where = f"{inp.name} at {inp.altitude_m:.1f} m over {inp.site.name}"
    if limits.check_hazard and clearance < 0 and inp.plan_feasible:
        return CheckpointDecision(
            inp.name,
            WAIVE_OFF,
            (
                f"{where}: predicted touchdown circle {radius:.2f} m reaches a hazard "
                f"(hazard-free radius {inp.site.safe_radius_m:.2f} m)",
            ),
            numbers,
            site_hazardous=True,
        )
    if left_after < inp.min_propellant_kg:
        return CheckpointDecision(
            inp.name,
            WAIVE_OFF,
            (
                f"{where}: propellant after the attempt {left_after:.2f} kg would be below "
                f"the reserve {inp.min_propellant_kg:.2f} kg",
            ),
            numbers,
        )
    holds = []
    if not inp.plan_feasible:
        holds.append("no feasible descent plan to the site from here")
    if sigma_pos > limits.max_nav_sigma_m:
        holds.append(f"navigation sigma {sigma_pos:.2f} m > {limits.max_nav_sigma_m:.2f} m")
    if sigma_vel > limits.max_vel_sigma_m_s:
        holds.append(
            f"velocity sigma {sigma_vel * 100:.1f} cm/s > {limits.max_vel_sigma_m_s * 100:.1f} cm/s"
        )
    if not inp.star_tracker_valid:
        holds.append("no star-tracker attitude")
    elif inp.pointing_error_rad > limits.max_pointing_error_rad:
        holds.append(
            f"pointing error {math.degrees(inp.pointing_error_rad):.2f} deg > "
            f"{math.degrees(limits.max_pointing_error_rad):.2f} deg"
        )
    if limits.require_link and not inp.link_up:
        holds.append("no ground link")
    if inp.advisory:
        holds.append(f"critical operations held: {inp.advisory}")
    if holds:
        if inp.held_for_s >= limits.hold_max_s:
            return CheckpointDecision(
                inp.name,
                WAIVE_OFF,
                (f"{where}: held {inp.held_for_s:.0f} s without resolution", *holds),
                numbers,
            )
        return CheckpointDecision(inp.name, HOLD, (f"{where}: hold", *holds), numbers)
    return CheckpointDecision(
        inp.name,
        GO,
        (
            f"{where}: touchdown circle {radius:.2f} m inside hazard-free {inp.site.safe_radius_m:.2f} m, "
            f"nav sigma {sigma_pos:.2f} m, propellant after {left_after:.2f} kg",
        ),
        numbers,
    )
