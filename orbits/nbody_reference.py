"""Reference propagator for :mod:`orbits.nbody`: scipy's DOP853 with a numba right-hand side.

Same force model (the same planet fits from :mod:`orbits.planets_fit`, the same
SRP and finite-burn terms), written independently in physical units (km, s,
km/s) so that it checks heyoka's integration *and* :mod:`orbits.nbody`'s unit
scaling and parameter plumbing. It is slow (about a thousand times slower than
heyoka); it exists to be agreed with, in tests and in ``benchmarks/bench_nbody.py``.

>>> import numpy as np
>>> from orbits.nbody_reference import propagate_reference_et
>>> state0 = np.array([1.496e8, 0.0, 0.0, 0.0, 29.78, 0.0])
>>> propagate_reference_et(state0, 8.0e8, [8.0e8 + 86400.0]).state.shape
(1, 6)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numba
import numpy as np
from scipy.integrate import solve_ivp

from orbits.nbody import (
    AU_KM,
    GM_SUN,
    SRP_PRESSURE_1AU,
    FiniteBurn,
    ForceModel,
    NBodyResult,
    Spacecraft,
    _check_burns,
)
from orbits.planets_fit import fit_planets

__all__ = ["propagate_reference_et", "rhs"]


@numba.njit(cache=True)
def _channels_at(t, coef, k0, seg_s):
    nchan, nseg, _, nc = coef.shape
    k = int(np.floor(t / seg_s)) - k0
    if k < 0:
        k = 0
    if k > nseg - 1:
        k = nseg - 1
    x = (t - (k0 + k + 0.5) * seg_s) / (0.5 * seg_s)
    out = np.zeros((nchan, 3))
    for c in range(nchan):
        for i in range(3):
            acc = 0.0
            for j in range(nc - 1, -1, -1):
                acc = acc * x + coef[c, k, i, j]
            out[c, i] = acc
    return out


@numba.njit(cache=True)
def rhs(t, y, coef, weights, gms, has_indirect, k0, seg_s, gm_sun, srp_k, thrust, mdot):
    """dy/dt for y = [r (km), v (km/s), m (kg)]; ``thrust`` in km/s^2 * kg (i.e. kN), mdot kg/s."""
    out = np.empty_like(y)
    out[0] = y[3]
    out[1] = y[4]
    out[2] = y[5]
    r2 = y[0] * y[0] + y[1] * y[1] + y[2] * y[2]
    r3 = r2 * np.sqrt(r2)
    mass = y[6]
    k_sun = gm_sun - srp_k / mass
    ax = -k_sun * y[0] / r3
    ay = -k_sun * y[1] / r3
    az = -k_sun * y[2] / r3
    nb = gms.shape[0]
    if nb > 0:
        ch = _channels_at(t, coef, k0, seg_s)
        pos = weights[:nb] @ ch
        for b in range(nb):
            dx = y[0] - pos[b, 0]
            dy = y[1] - pos[b, 1]
            dz = y[2] - pos[b, 2]
            d2 = dx * dx + dy * dy + dz * dz
            d3 = d2 * np.sqrt(d2)
            ax -= gms[b] * dx / d3
            ay -= gms[b] * dy / d3
            az -= gms[b] * dz / d3
        if has_indirect:
            last = ch.shape[0] - 1
            ax -= ch[last, 0]
            ay -= ch[last, 1]
            az -= ch[last, 2]
    out[3] = ax + thrust[0] / mass
    out[4] = ay + thrust[1] / mass
    out[5] = az + thrust[2] / mass
    out[6] = -mdot
    return out


def propagate_reference_et(
    state0: Any,
    et0: float,
    et_out: Any,
    *,
    force: ForceModel | None = None,
    spacecraft: Spacecraft | None = None,
    burns: Sequence[FiniteBurn] = (),
    rtol: float = 1e-13,
    atol: float = 1e-7,
) -> NBodyResult:
    """Propagate like :func:`orbits.nbody.propagate_et`, with scipy DOP853 (no events).

    ``atol`` is in km and km/s; the integration restarts at every burn edge.
    """
    force = force or ForceModel()
    state0 = np.asarray(state0, dtype=float).reshape(6)
    et0 = float(et0)
    et_out = np.atleast_1d(np.asarray(et_out, dtype=float))
    if np.any(et_out > et0) and np.any(et_out < et0):
        raise ValueError("output epochs must all lie on one side of et0")
    et1 = float(et_out[np.argmax(np.abs(et_out - et0))])
    burns = _check_burns(burns)
    fit = fit_planets(force.bodies, min(et0, et1), max(et0, et1))
    coef = fit.padded_coeffs()
    mass0 = spacecraft.mass_kg if spacecraft is not None else 1.0
    srp_k = 0.0
    if spacecraft is not None and spacecraft.area_m2 > 0.0:
        srp_k = SRP_PRESSURE_1AU * spacecraft.cr * spacecraft.area_m2 / 1000.0 * AU_KM**2
    args_fixed = (
        coef,
        fit.weights,
        fit.gms,
        fit.has_indirect,
        fit.k0,
        fit.segment_s,
        GM_SUN,
        srp_k,
    )

    edges = sorted(
        {e for b in burns for e in (b.start, b.stop) if min(et0, et1) < e < max(et0, et1)}
    )
    if et1 < et0:
        edges = edges[::-1]
    y = np.append(state0, mass0)
    out = np.full((et_out.size, 7), np.nan)
    out[et_out == et0] = y
    a = et0
    nsteps = 0
    for b in [*edges, et1]:
        mid = 0.5 * (a + b)
        thrust = np.zeros(3)
        mdot = 0.0
        for burn in burns:
            if burn.start <= mid <= burn.stop:
                thrust = burn.thrust_n / 1000.0 * np.asarray(burn.direction)
                mdot = burn.mass_flow_kg_s
        lo, hi = min(a, b), max(a, b)
        mask = (et_out > lo) & (et_out < hi)
        idx = np.flatnonzero(mask)
        order = np.argsort(et_out[idx]) if et1 >= et0 else np.argsort(-et_out[idx])
        idx = idx[order]
        t_eval = np.append(et_out[idx], b)
        sol = solve_ivp(
            rhs,
            (a, b),
            y,
            method="DOP853",
            rtol=rtol,
            atol=atol,
            args=(*args_fixed, thrust, mdot),
            t_eval=t_eval,
        )
        if not sol.success:
            raise RuntimeError(f"DOP853 failed: {sol.message}")
        nsteps += int(sol.nfev)
        out[idx] = sol.y[:, :-1].T
        y = sol.y[:, -1].copy()
        out[et_out == b] = y
        a = b
    return NBodyResult(
        et=et_out,
        state=out[:, :6],
        mass_kg=out[:, 6] if spacecraft is not None else None,
        events=(),
        nsteps=nsteps,
        step_et=np.array([et0, et1]),
    )
