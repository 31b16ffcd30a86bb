"""Porkchop grid kernel: Lambert and the porkchop numbers for every (launch, arrival) cell.

Kernel layer: plain arrays in km, km/s, s. One numba-parallel loop over the cells
solves each cell's Lambert problem (:func:`orbits._lambert.lambert_one`, Izzo) and
reduces the terminal velocities to C3, v-infinities, DLA/RLA and delta-v on the
spot: no ``(n m, 3)`` position, velocity or index arrays are built. Infeasible
cells are NaN.

Numba's on-disk cache keys a kernel on the stamp of *its own* source file and on
the contents of its closure, not on the functions it calls from other modules. The
kernel is therefore built by a factory whose closure holds a hash of
``orbits/_lambert.py``: an edit to the Lambert solver gives a new cache key and a
fresh compile instead of a stale inlined copy. There is one such kernel per
process (one closure value, one compiled signature), so cache entries never evict
each other.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
from numba import njit, prange

from orbits import _lambert
from orbits._lambert import lambert_one

__all__ = ["porkchop_grid", "N_OUT"]

#: Planes of the kernel output: C3, launch v-inf, DLA, RLA, arrival v-inf, dv_total,
#: dv_rendezvous, tof (days).
N_OUT = 8


def _lambert_stamp() -> int:
    """A 60-bit hash of the Lambert solver's source, the cache key of the fused kernel."""
    try:
        source = Path(_lambert.__file__).read_bytes()
    except (OSError, TypeError):  # no source file (frozen or zipped install): key on the version
        source = repr(getattr(_lambert, "__version__", "")).encode()
    return int(hashlib.sha256(source).hexdigest()[:15], 16)


def _make_grid_kernel(lambert_stamp: int):
    # No fastmath here (lambert_one keeps its own flags): the reduction rounds exactly as
    # the separate reduction pass of earlier versions did, so grids are bit-for-bit the same.
    @njit(cache=True, parallel=True, error_model="numpy")
    def grid(mu, dep, arr, et1, et2, revs, prograde, low_path, rot, min_tof, out):
        nan = math.nan
        if lambert_stamp < 0:  # never true: the value only keys the disk cache
            return
        n = et1.shape[0]
        m = et2.shape[0]
        for cell in prange(n * m):
            i = cell // m
            j = cell - i * m
            tof = et2[j] - et1[i]
            out[7, i, j] = tof / 86400.0 if tof > 0.0 else nan
            v1x = v1y = v1z = v2x = v2y = v2z = nan
            if tof > 0.0 and tof >= min_tof:
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
                out[2, i, j] = nan
            ra = math.degrees(math.atan2(ey, ex))
            out[3, i, j] = ra + 360.0 if ra < 0.0 else ra
            out[4, i, j] = va
            out[5, i, j] = vl + va
            out[6, i, j] = va

    return grid


_grid = _make_grid_kernel(_lambert_stamp())


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

    Returns ``(8, n, m)``: C3 (km^2/s^2), launch v-inf (km/s), DLA and RLA (deg) of the
    launch v-inf after rotating it by ``rot`` (identity by default), arrival v-inf (km/s),
    their sum (km/s), arrival v-inf again (the rendezvous delta-v, its own plane), time of
    flight (days; NaN where <= 0). Cells with tof <= 0, tof < ``min_tof`` (s) or no Lambert
    solution are NaN.
    """
    dep = np.require(dep, dtype=np.float64, requirements=["C", "W"])
    arr = np.require(arr, dtype=np.float64, requirements=["C", "W"])
    et1 = np.require(et1, dtype=np.float64, requirements=["C", "W"])
    et2 = np.require(et2, dtype=np.float64, requirements=["C", "W"])
    rot = np.eye(3) if rot is None else np.require(rot, dtype=np.float64, requirements=["C", "W"])
    out = np.empty((N_OUT, et1.shape[0], et2.shape[0]))
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
