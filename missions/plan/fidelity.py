"""Check each planned leg in the high-fidelity model (heyoka, Sun + planets from DE421).

A leg is designed in the two-body (patched-conic) model. Here its departure
state is propagated through :func:`orbits.nbody.propagate_et` with the planets
as point masses, solar pressure, and for a low-thrust leg its thrust as finite
burns; the result is compared with the destination:

* ``miss_km``: distance to the destination at the planned arrival epoch;
* ``closest_approach_km`` and its epoch: the minimum distance within a few days
  of arrival (dense output);
* ``correction_dv_km_s``: a trajectory-correction manoeuvre 30 % into the leg
  that re-targets the planned arrival position in the high-fidelity model
  (damped Newton iterations with a finite-difference Jacobian), the cost of the
  modelling error. (Not at departure: after about one revolution, as on the
  co-orbital legs to and from Kamoʻoalewa, the position's sensitivity to the
  departure velocity is nearly singular.)

The departure and arrival planets of a leg are left out of the force model: the
patched-conic leg starts and ends at their centres, where their own pull belongs
to the flyby hyperbola, not to the heliocentric arc.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from orbits._kepler import kepler_batch
from orbits.constants import GM_SUN
from orbits.ephemeris import state_et
from orbits.nbody import FiniteBurn, ForceModel, Spacecraft, propagate_et
from orbits.planets_fit import DEFAULT_BODIES

__all__ = ["LegCheck", "check_leg", "low_thrust_burns"]

_PLANET_KEYS = {"earth": "emb", "mars": "mars", "venus": "venus"}


@dataclass(frozen=True)
class LegCheck:
    """High-fidelity check of one leg."""

    leg: str
    miss_km: float
    closest_approach_km: float
    closest_approach_et: float
    correction_dv_km_s: float  # trajectory-correction manoeuvre that removes the miss
    correction_et: float  # when that manoeuvre is made
    residual_km: float  # miss left after the correction
    perturbers: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        from orbits.time import et_to_iso

        return {
            "leg": self.leg,
            "miss_km": self.miss_km,
            "closest_approach_km": self.closest_approach_km,
            "closest_approach_utc": str(et_to_iso(self.closest_approach_et)),
            "correction_dv_km_s": self.correction_dv_km_s,
            "correction_utc": str(et_to_iso(self.correction_et)),
            "residual_km": self.residual_km,
            "perturbers": ", ".join(self.perturbers),
        }


def _bodies_without(*names: str) -> tuple[str, ...]:
    drop = {_PLANET_KEYS.get(n, n) for n in names if isinstance(n, str)}
    return tuple(b for b in DEFAULT_BODIES if b not in drop)


def low_thrust_burns(et: np.ndarray, thrust_n: np.ndarray, isp_s: float) -> list[FiniteBurn]:
    """Piecewise-constant finite burns (interval means of the node thrust vectors)."""
    burns = []
    for k in range(et.size - 1):
        f = 0.5 * (thrust_n[k] + thrust_n[k + 1])
        mag = float(np.linalg.norm(f))
        if mag > 1e-6:
            burns.append(FiniteBurn(float(et[k]), float(et[k + 1] - et[k]), mag, isp_s, f / mag))
    return burns


def check_leg(
    name: str,
    state0: np.ndarray,
    et0: float,
    et1: float,
    origin: Any,
    destination: Any,
    *,
    tol: float = 1e-10,
    mass_kg: float | None = None,
    srp_area_m2: float = 0.0,
    srp_cr: float = 1.3,
    burns: list[FiniteBurn] = (),
    iterations: int = 3,
    tcm_fraction: float = 0.3,
    planned_end: np.ndarray | None = None,
) -> LegCheck:
    """Propagate one leg in the high-fidelity model and measure its miss and correction."""
    bodies = _bodies_without(origin, destination)
    force = ForceModel(bodies, tol)
    sc = Spacecraft(mass_kg, srp_area_m2, srp_cr) if mass_kg else None
    if destination is None:
        # a leg ending at a manoeuvre in deep space: the target is the planned arc itself
        if planned_end is None:
            raise ValueError("a leg without a destination body needs planned_end (its end state)")
        end = np.asarray(planned_end, dtype=float)

        def where(et: np.ndarray) -> np.ndarray:
            et = np.atleast_1d(et)
            r, v = kepler_batch(
                GM_SUN,
                np.repeat(end[None, :3], et.size, 0),
                np.repeat(end[None, 3:], et.size, 0),
                et - et1,
            )
            return np.hstack([r, v])
    else:

        def where(et: np.ndarray) -> np.ndarray:
            return state_et(destination, et)

    target = where(np.array([et1]))[0]

    def run(s0: np.ndarray, t0: float, dense: bool = False, out=None):
        out = [et1] if out is None else out
        return propagate_et(s0, t0, out, force=force, spacecraft=sc, burns=burns, dense=dense)

    et_tcm = et0 + tcm_fraction * (et1 - et0)
    first = run(state0, et0, dense=True)
    miss_vec = first.state[0, :3] - target[:3]
    miss = float(np.linalg.norm(miss_vec))
    window = np.linspace(max(et0, et1 - 3 * 86400.0), et1, 145)
    rel = first.dense(window)[:, :3] - where(window)[:, :3]
    dist = np.linalg.norm(rel, axis=1)
    j = int(np.argmin(dist))

    # trajectory-correction manoeuvre at et_tcm: damped Newton on the velocity there
    at_tcm = first.dense(np.array([et_tcm]))[0]
    mass_tcm = None
    if sc is not None:
        mass_tcm = float(
            propagate_et(state0, et0, [et_tcm], force=force, spacecraft=sc, burns=burns).mass_kg[0]
        )
    sc_tcm = Spacecraft(mass_tcm, srp_area_m2, srp_cr) if mass_tcm else None
    later = [b for b in burns if b.stop > et_tcm]

    def arrive(v: np.ndarray) -> np.ndarray:
        s = np.concatenate([at_tcm[:3], v])
        res = propagate_et(s, et_tcm, [et1], force=force, spacecraft=sc_tcm, burns=later)
        return res.state[0, :3] - target[:3]

    v = at_tcm[3:].copy()
    residual = arrive(v)
    h = 1e-5  # km/s
    for _ in range(iterations):
        if np.linalg.norm(residual) < 1.0:
            break
        jac = np.empty((3, 3))
        for i in range(3):
            dv = np.zeros(3)
            dv[i] = h
            jac[:, i] = (arrive(v + dv) - arrive(v - dv)) / (2 * h)
        step = np.linalg.lstsq(jac, residual, rcond=None)[0]
        for _halving in range(6):
            trial = arrive(v - step)
            if np.linalg.norm(trial) < np.linalg.norm(residual):
                v, residual = v - step, trial
                break
            step = step / 2
        else:
            break
    return LegCheck(
        leg=name,
        miss_km=miss,
        closest_approach_km=float(dist[j]),
        closest_approach_et=float(window[j]),
        correction_dv_km_s=float(np.linalg.norm(v - at_tcm[3:])),
        correction_et=float(et_tcm),
        residual_km=float(np.linalg.norm(residual)),
        perturbers=bodies,
    )
