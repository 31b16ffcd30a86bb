"""Porkchop grid kernel: Lambert over every (launch, arrival) cell, then one reduction pass.

Kernel layer: plain arrays in km, km/s, s. The feasible cells are solved together by
:func:`orbits._lambert.lambert_batch` (Izzo, numba-parallel); a small numba kernel
then turns the terminal velocities into the numbers a porkchop shows. Infeasible
cells are NaN.

The two steps stay separate on purpose: numba's on-disk cache does not notice when a
function called from another module changes, so a kernel that inlined the Lambert
solver here could keep running a stale copy of it.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from orbits._lambert import lambert_batch

__all__ = ["porkchop_grid"]

_NAN = math.nan


@njit(cache=True)
def _reduce(dep, arr, ii, jj, v1, v2, rot, out):
    """Fill out[0:6] at the solved cells (ii, jj) from Lambert velocities v1, v2.

    Serial: a few ns per cell, memory-bound; threads would cost more than they save.
    """
    for k in range(ii.shape[0]):
        i = ii[k]
        j = jj[k]
        dx = v1[k, 0] - dep[i, 3]
        dy = v1[k, 1] - dep[i, 4]
        dz = v1[k, 2] - dep[i, 5]
        ax = v2[k, 0] - arr[j, 3]
        ay = v2[k, 1] - arr[j, 4]
        az = v2[k, 2] - arr[j, 5]
        c3 = dx * dx + dy * dy + dz * dz
        vl = math.sqrt(c3)
        va = math.sqrt(ax * ax + ay * ay + az * az)
        ex = rot[0, 0] * dx + rot[0, 1] * dy + rot[0, 2] * dz
        ey = rot[1, 0] * dx + rot[1, 1] * dy + rot[1, 2] * dz
        ez = rot[2, 0] * dx + rot[2, 1] * dy + rot[2, 2] * dz
        out[0, i, j] = c3
        out[1, i, j] = vl
        if vl > 0.0:
            out[2, i, j] = math.degrees(math.asin(min(1.0, max(-1.0, ez / vl))))
        else:
            out[2, i, j] = _NAN
        ra = math.degrees(math.atan2(ey, ex))
        out[3, i, j] = ra + 360.0 if ra < 0.0 else ra
        out[4, i, j] = va
        out[5, i, j] = vl + va


def porkchop_grid(
    mu: float,
    dep: np.ndarray,
    arr: np.ndarray,
    et1: np.ndarray,
    et2: np.ndarray,
    revs: int = 0,
    prograde: bool = True,
    low_path: bool = True,
    rot: np.ndarray | None = None,
    min_tof: float = 0.0,
) -> np.ndarray:
    """Porkchop numbers for departure states ``dep (n,6)`` at ``et1 (n,)`` and arrival states
    ``arr (m,6)`` at ``et2 (m,)`` (km, km/s, s).

    Returns ``(7, n, m)``: C3 (km^2/s^2), launch v-inf (km/s), DLA and RLA (deg) of the
    launch v-inf after rotating it by ``rot`` (identity by default), arrival v-inf (km/s),
    their sum (km/s), time of flight (days; NaN where <= 0). Cells with tof <= 0, tof <
    ``min_tof`` (s) or no Lambert solution are NaN.
    """
    dep = np.ascontiguousarray(dep, dtype=np.float64)
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    et1 = np.asarray(et1, dtype=np.float64)
    et2 = np.asarray(et2, dtype=np.float64)
    rot = np.eye(3) if rot is None else np.ascontiguousarray(rot, dtype=np.float64)
    n, m = et1.shape[0], et2.shape[0]
    tof = et2[None, :] - et1[:, None]
    out = np.full((7, n, m), np.nan)
    out[6] = np.where(tof > 0.0, tof / 86400.0, np.nan)
    ii, jj = np.nonzero((tof > 0.0) & (tof >= min_tof))
    if ii.size:
        v1, v2 = lambert_batch(
            mu,
            dep[ii, :3],
            arr[jj, :3],
            tof[ii, jj],
            revs=revs,
            prograde=prograde,
            low_path=low_path,
        )
        _reduce(dep, arr, ii, jj, v1, v2, rot, out)
    return out
