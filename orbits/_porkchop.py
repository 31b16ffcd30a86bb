"""Porkchop grid kernel: one pass over (launch, arrival) cells, numba-parallel over launches.

Kernel layer: plain arrays in km, km/s, s. Each cell solves one Lambert problem
with :func:`orbits._lambert.lambert_one` and reduces it at once to the numbers a
porkchop shows, so no (n, m, 3) temporaries are built. Infeasible cells are NaN.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from orbits._lambert import lambert_one

__all__ = ["porkchop_grid"]

_NAN = math.nan


# Same fast-math flags as the Lambert kernel: none of them can change a NaN/inf test.
@njit(cache=True, parallel=True, fastmath={"nsz", "arcp", "contract"})
def _grid(mu, dep, arr, et1, et2, revs, prograde, low_path, rot, min_tof, out):
    n = et1.shape[0]
    m = et2.shape[0]
    for i in prange(n):
        for j in range(m):
            tof = et2[j] - et1[i]
            out[6, i, j] = tof / 86400.0 if tof > 0.0 else _NAN
            if not (tof > 0.0 and tof >= min_tof):
                for k in range(6):
                    out[k, i, j] = _NAN
                continue
            v1x, v1y, v1z, v2x, v2y, v2z = lambert_one(
                mu,
                dep[i, 0],
                dep[i, 1],
                dep[i, 2],
                arr[j, 0],
                arr[j, 1],
                arr[j, 2],
                tof,
                revs,
                prograde,
                low_path,
            )
            dx = v1x - dep[i, 3]
            dy = v1y - dep[i, 4]
            dz = v1z - dep[i, 5]
            ax = v2x - arr[j, 3]
            ay = v2y - arr[j, 4]
            az = v2z - arr[j, 5]
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
    et1 = np.ascontiguousarray(et1, dtype=np.float64)
    et2 = np.ascontiguousarray(et2, dtype=np.float64)
    rot = np.eye(3) if rot is None else np.ascontiguousarray(rot, dtype=np.float64)
    out = np.empty((7, et1.shape[0], et2.shape[0]))
    _grid(
        float(mu),
        dep,
        arr,
        et1,
        et2,
        int(revs),
        bool(prograde),
        bool(low_path),
        rot,
        float(min_tof),
        out,
    )
    return out
