"""Izzo's Lambert solver as numba kernels, batched over many problems.

Kernel layer: plain floats and arrays in km, s, km/s, km^3/s^2. Nothing here
raises on a bad problem: a row with no solution (collinear geometry, tof <= 0,
a revolution count that does not fit in the time of flight, a radius of zero)
comes back as NaN. The face :func:`orbits.twobody.lambert` validates and names
the problem instead.

The algorithm is D. Izzo, "Revisiting Lambert's problem", Celestial Mechanics
and Dynamical Astronomy 121 (2015) 1-15: the time of flight as a function of
one variable ``x`` (Lancaster's form, Battin's hypergeometric series next to
the parabola ``x = 1``), Householder (quartic) iterations from the paper's
initial guesses, and Halley iterations for the minimum time of flight of a
multi-revolution family. The piecewise initial guess uses the corrected form
from poliastro issue 1362. Branch naming for multi-revolution solutions
follows poliastro/boinor (``low_path=True`` takes the larger root ``x``), so
results compare one to one with ``boinor.iod.izzo``.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import njit, prange

__all__ = ["lambert_batch", "lambert_batch_counted", "lambert_min_tof_batch", "lambert_one"]

# Fast-math flags that cannot change a NaN/inf test: no "nnan"/"ninf".
_FM = {"nsz", "arcp", "contract"}

_MAXITER = 20
# |r1 x r2| / (|r1| |r2|) at or below this: collinear, the transfer plane is undefined
COLLINEAR_SIN = 1e-12
_XTOL = 1e-13
# A Householder step shorter than this (relative) leaves an error of order step**4: the
# iterate it lands on is converged, and re-evaluating T(x) there to confirm it would cost a
# quarter of a typical solve. Only used where the derivatives are exact (not at x = +-1).
_XQUIT = 1e-5
_BATTIN_BAND = 0.01  # |x - 1| below which the hypergeometric series is used


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _hyp2f1b(z):
    """2F1(3, 1; 5/2; z), Battin's series, for |z| < 1."""
    if z >= 1.0:
        return math.inf
    res = 1.0
    term = 1.0
    for j in range(200):
        term = term * (3.0 + j) * (1.0 + j) / (2.5 + j) * z / (j + 1.0)
        new = res + term
        if new == res:
            break
        res = new
    return res


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _tof(x, y, ll, m):
    """Non-dimensional time of flight T(x) for ``m`` full revolutions (Izzo eq. 18/20)."""
    e = x * x - 1.0
    if abs(x - 1.0) < _BATTIN_BAND:
        eta = y - ll * x
        s1 = 0.5 * (1.0 - ll - x * eta)
        q = 4.0 / 3.0 * _hyp2f1b(s1)
        t = 0.5 * (eta * eta * eta * q + 4.0 * ll * eta)
        if m > 0:
            t += m * math.pi / abs(e) ** 1.5
        return t
    rho = math.sqrt(abs(e))
    g = x * y - ll * e
    if e < 0.0:
        d = m * math.pi + math.acos(min(1.0, max(-1.0, g)))
    else:
        f = rho * (y - ll * x)
        d = math.log(f + g)
    return (x - ll * y - d / rho) / e


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _derivs(x, y, t, ll):
    """First three derivatives of T(x) (Izzo eq. 22)."""
    omx2 = 1.0 - x * x
    l2 = ll * ll
    l3 = l2 * ll
    y2 = y * y
    y3 = y2 * y
    dt = (3.0 * t * x - 2.0 + 2.0 * l3 * x / y) / omx2
    ddt = (3.0 * t + 5.0 * x * dt + 2.0 * (1.0 - l2) * l3 / y3) / omx2
    dddt = (7.0 * x * ddt + 8.0 * dt - 6.0 * (1.0 - l2) * l3 * l2 * x / (y3 * y2)) / omx2
    return dt, ddt, dddt


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _ycomp(x, ll):
    return math.sqrt(max(0.0, 1.0 - ll * ll * (1.0 - x * x)))


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _tmin(ll, m):
    """Minimum non-dimensional tof of the ``m``-revolution family and the x where it sits."""
    x = 0.0
    y = _ycomp(x, ll)
    t = _tof(x, y, ll, m)
    for _ in range(_MAXITER):
        dt, ddt, dddt = _derivs(x, y, t, ll)
        den = ddt * ddt - 0.5 * dt * dddt
        if den == 0.0:
            break
        xn = x - dt * ddt / den
        if not (-1.0 < xn < 1.0):
            xn = 0.5 * (x + (0.999999 if xn >= 1.0 else -0.999999))
        y = _ycomp(xn, ll)
        t = _tof(xn, y, ll, m)
        if abs(xn - x) < _XTOL:
            x = xn
            break
        x = xn
    return x, t


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _initial_guess(t, ll, m, low_path):
    if m == 0:
        t0 = math.acos(ll) + ll * math.sqrt(1.0 - ll * ll)
        t1 = 2.0 * (1.0 - ll * ll * ll) / 3.0
        if t >= t0:
            return (t0 / t) ** (2.0 / 3.0) - 1.0
        if t < t1:
            return 2.5 * t1 / t * (t1 - t) / (1.0 - ll**5) + 1.0
        return math.exp(math.log(2.0) * math.log(t / t0) / math.log(t1 / t0)) - 1.0
    a = ((m * math.pi + math.pi) / (8.0 * t)) ** (2.0 / 3.0)
    x0l = (a - 1.0) / (a + 1.0)
    b = ((8.0 * t) / (m * math.pi)) ** (2.0 / 3.0)
    x0r = (b - 1.0) / (b + 1.0)
    if low_path:
        return max(x0l, x0r)
    return min(x0l, x0r)


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _step(x, f, dt, ddt, dddt):
    """One Householder step (third order, quartic convergence) on T(x) - T_target = f."""
    den = dt * (dt * dt - f * ddt) + dddt * f * f / 6.0
    return x - f * (dt * dt - 0.5 * f * ddt) / den


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _householder(x, t_target, ll, m):
    f = math.inf
    for _ in range(_MAXITER):
        y = _ycomp(x, ll)
        t = _tof(x, y, ll, m)
        f = t - t_target
        if abs(f) <= 2e-16 * max(1.0, t_target):
            return x
        quit_tol = _XQUIT
        if abs(1.0 - x * x) < 1e-12:
            # the derivative formulas divide by 1 - x^2: take them just off the parabola
            # (approximate derivatives: convergence is no longer quartic, no early exit)
            xd = x - 1e-7 if x > 0.0 else x + 1e-7
            yd = _ycomp(xd, ll)
            dt, ddt, dddt = _derivs(xd, yd, _tof(xd, yd, ll, m), ll)
            quit_tol = _XTOL
        else:
            dt, ddt, dddt = _derivs(x, y, t, ll)
        xn = _step(x, f, dt, ddt, dddt)
        if abs(xn - x) < quit_tol * max(1.0, abs(x)):
            return xn
        x = xn
    if abs(f) < 1e-11 * max(1.0, t_target):
        return x
    return math.nan


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _geometry(r1x, r1y, r1z, r2x, r2y, r2z, prograde):
    """Norms, lambda, semi-perimeter and the tangential unit vectors (NaN lambda if degenerate)."""
    n1 = math.sqrt(r1x * r1x + r1y * r1y + r1z * r1z)
    n2 = math.sqrt(r2x * r2x + r2y * r2y + r2z * r2z)
    cx, cy, cz = r2x - r1x, r2y - r1y, r2z - r1z
    c = math.sqrt(cx * cx + cy * cy + cz * cz)
    s = 0.5 * (n1 + n2 + c)
    hx = r1y * r2z - r1z * r2y
    hy = r1z * r2x - r1x * r2z
    hz = r1x * r2y - r1y * r2x
    hn = math.sqrt(hx * hx + hy * hy + hz * hz)
    if not (n1 > 0.0 and n2 > 0.0 and hn > COLLINEAR_SIN * n1 * n2):
        return n1, n2, c, s, math.nan, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    hx /= hn
    hy /= hn
    hz /= hn
    u1x, u1y, u1z = r1x / n1, r1y / n1, r1z / n1
    u2x, u2y, u2z = r2x / n2, r2y / n2, r2z / n2
    ll = math.sqrt(max(0.0, 1.0 - min(1.0, c / s)))
    # tangential directions: i_h x i_r (motion with h), flipped for the long way
    t1x = hy * u1z - hz * u1y
    t1y = hz * u1x - hx * u1z
    t1z = hx * u1y - hy * u1x
    t2x = hy * u2z - hz * u2y
    t2y = hz * u2x - hx * u2z
    t2z = hx * u2y - hy * u2x
    sgn = 1.0
    if hz < 0.0:
        ll = -ll
        sgn = -1.0
    if not prograde:
        ll = -ll
        sgn = -sgn
    return (n1, n2, c, s, ll, sgn * t1x, sgn * t1y, sgn * t1z, sgn * t2x, sgn * t2y, sgn * t2z)


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _velocities(
    mu, x, ll, n1, n2, c, s, r1x, r1y, r1z, r2x, r2y, r2z, t1x, t1y, t1z, t2x, t2y, t2z
):
    """v1 and v2 from the converged ``x`` (Izzo section 4): radial and tangential parts."""
    y = _ycomp(x, ll)
    gamma = math.sqrt(0.5 * mu * s)
    rho = (n1 - n2) / c
    sigma = math.sqrt(max(0.0, 1.0 - rho * rho))
    a = ll * y - x
    b = ll * y + x
    vr1 = gamma * (a - rho * b) / n1
    vr2 = -gamma * (a + rho * b) / n2
    vt = gamma * sigma * (y + ll * x)
    vt1 = vt / n1
    vt2 = vt / n2
    return (
        vr1 * r1x / n1 + vt1 * t1x,
        vr1 * r1y / n1 + vt1 * t1y,
        vr1 * r1z / n1 + vt1 * t1z,
        vr2 * r2x / n2 + vt2 * t2x,
        vr2 * r2y / n2 + vt2 * t2y,
        vr2 * r2z / n2 + vt2 * t2z,
    )


@njit(cache=True, fastmath=_FM, error_model="numpy")
def lambert_one(mu, r1x, r1y, r1z, r2x, r2y, r2z, tof, revs, prograde, low_path):
    """Solve one Lambert problem; return the six velocity components (NaN if none).

    Callable from other numba code. Arguments are scalars: ``mu`` in km^3/s^2,
    positions in km, ``tof`` in s, ``revs`` full revolutions (int).
    """
    nan = math.nan
    if not (tof > 0.0 and mu > 0.0 and revs >= 0):
        return nan, nan, nan, nan, nan, nan
    n1, n2, c, s, ll, t1x, t1y, t1z, t2x, t2y, t2z = _geometry(
        r1x, r1y, r1z, r2x, r2y, r2z, prograde
    )
    if not (abs(ll) < 1.0):
        return nan, nan, nan, nan, nan, nan
    t = math.sqrt(2.0 * mu / (s * s * s)) * tof
    if revs > 0:
        if t < revs * math.pi:
            return nan, nan, nan, nan, nan, nan
        t00 = math.acos(ll) + ll * math.sqrt(1.0 - ll * ll)
        if t < t00 + revs * math.pi:
            _, tmin = _tmin(ll, revs)
            if t < tmin:
                return nan, nan, nan, nan, nan, nan
    x = _householder(_initial_guess(t, ll, revs, low_path), t, ll, revs)
    if not (x > -1.0):
        return nan, nan, nan, nan, nan, nan
    return _velocities(
        mu, x, ll, n1, n2, c, s, r1x, r1y, r1z, r2x, r2y, r2z, t1x, t1y, t1z, t2x, t2y, t2z
    )


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _min_tof_one(mu, r1x, r1y, r1z, r2x, r2y, r2z, revs, prograde):
    _, _, _, s, ll, _, _, _, _, _, _ = _geometry(r1x, r1y, r1z, r2x, r2y, r2z, prograde)
    if not (abs(ll) < 1.0 and mu > 0.0):
        return math.nan
    if revs == 0:
        return 0.0
    _, tmin = _tmin(ll, revs)
    return tmin / math.sqrt(2.0 * mu / (s * s * s))


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _put(v, i, a, b, c):
    v[i, 0] = a
    v[i, 1] = b
    v[i, 2] = c


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _solve_row(i, mu, r1, r2, tof, revs, prograde, low_path, v1, v2):
    # inputs of one row may be shared by all rows (length 1): broadcasting without a copy
    k = i if r1.shape[0] > 1 else 0
    q = i if r2.shape[0] > 1 else 0
    a, b, c, d, e, f = lambert_one(
        mu[i if mu.shape[0] > 1 else 0],
        r1[k, 0],
        r1[k, 1],
        r1[k, 2],
        r2[q, 0],
        r2[q, 1],
        r2[q, 2],
        tof[i if tof.shape[0] > 1 else 0],
        revs,
        prograde,
        low_path,
    )
    _put(v1, i, a, b, c)
    _put(v2, i, d, e, f)


# Single-revolution rows are solved a block at a time, one stage for all rows of the
# block before the next. One problem is a long chain of dependent square roots,
# divisions and inverse trigonometric calls, so a row-by-row loop waits on latency;
# a stage over 64 independent rows keeps the core's pipelines full. Same arithmetic
# as lambert_one (same helpers, same iteration and exit tests); rows the stages do
# not settle (near-parabolic derivatives, slow convergence, bad input) go to
# lambert_one itself.
_BLOCK = 64
_SWEEPS = 3
# scratch rows of a block: lambda, target T, x, state, n1, n2, c, s, six tangential
# unit-vector components
_W_ROWS = 14
_ITERATING, _DONE, _FALLBACK = 0.0, 1.0, 2.0


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _solve_block(mu, r1, r2, tof, i0, i1, prograde, low_path, v1, v2, w):
    nb = i1 - i0
    sm = 1 if mu.shape[0] > 1 else 0
    s1 = 1 if r1.shape[0] > 1 else 0
    s2 = 1 if r2.shape[0] > 1 else 0
    st = 1 if tof.shape[0] > 1 else 0
    for j in range(nb):
        i = i0 + j
        k = i * s1
        q = i * s2
        n1, n2, c, s, ll, t1x, t1y, t1z, t2x, t2y, t2z = _geometry(
            r1[k, 0], r1[k, 1], r1[k, 2], r2[q, 0], r2[q, 1], r2[q, 2], prograde
        )
        m = mu[i * sm]
        tf = tof[i * st]
        t = math.sqrt(2.0 * m / (s * s * s)) * tf
        ok = tf > 0.0 and m > 0.0 and abs(ll) < 1.0
        w[0, j] = ll
        w[1, j] = t
        w[2, j] = _initial_guess(t, ll, 0, low_path) if ok else math.nan
        w[3, j] = _ITERATING if ok else _FALLBACK
        w[4, j] = n1
        w[5, j] = n2
        w[6, j] = c
        w[7, j] = s
        w[8, j] = t1x
        w[9, j] = t1y
        w[10, j] = t1z
        w[11, j] = t2x
        w[12, j] = t2y
        w[13, j] = t2z
    # Householder sweeps: the loop body of _householder, one row at a time
    for _ in range(_SWEEPS):
        for j in range(nb):
            if w[3, j] != _ITERATING:
                continue
            x = w[2, j]
            ll = w[0, j]
            t_target = w[1, j]
            y = _ycomp(x, ll)
            t = _tof(x, y, ll, 0)
            f = t - t_target
            if abs(f) <= 2e-16 * max(1.0, t_target):
                w[3, j] = _DONE
                continue
            if abs(1.0 - x * x) < 1e-12:
                w[3, j] = _FALLBACK
                continue
            dt, ddt, dddt = _derivs(x, y, t, ll)
            xn = _step(x, f, dt, ddt, dddt)
            if abs(xn - x) < _XQUIT * max(1.0, abs(x)):
                w[3, j] = _DONE
            w[2, j] = xn
    for j in range(nb):
        i = i0 + j
        x = w[2, j]
        if w[3, j] != _DONE or not (x > -1.0):
            _solve_row(i, mu, r1, r2, tof, 0, prograde, low_path, v1, v2)
            continue
        k = i * s1
        q = i * s2
        a, b, c, d, e, f = _velocities(
            mu[i * sm],
            x,
            w[0, j],
            w[4, j],
            w[5, j],
            w[6, j],
            w[7, j],
            r1[k, 0],
            r1[k, 1],
            r1[k, 2],
            r2[q, 0],
            r2[q, 1],
            r2[q, 2],
            w[8, j],
            w[9, j],
            w[10, j],
            w[11, j],
            w[12, j],
            w[13, j],
        )
        _put(v1, i, a, b, c)
        _put(v2, i, d, e, f)


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _solve_span(mu, r1, r2, tof, i0, i1, revs, prograde, low_path, v1, v2):
    """Rows ``i0 <= i < i1``: blocks for single-revolution problems, row by row otherwise.

    Returns how many of the rows have no solution (NaN), counted while they are
    still in this core's cache.
    """
    if revs != 0:
        for i in range(i0, i1):
            _solve_row(i, mu, r1, r2, tof, revs, prograde, low_path, v1, v2)
    else:
        w = np.empty((_W_ROWS, _BLOCK))
        for b0 in range(i0, i1, _BLOCK):
            _solve_block(mu, r1, r2, tof, b0, min(i1, b0 + _BLOCK), prograde, low_path, v1, v2, w)
    failed = 0
    for i in range(i0, i1):
        if math.isnan(v1[i, 0]) or math.isnan(v2[i, 0]):
            failed += 1
    return failed


# Two separately named kernels (not one closure built twice): numba's disk cache
# keys on the function's name and line, and two variants sharing them would evict
# each other and recompile in every process.
@njit(cache=True, fastmath=_FM, error_model="numpy")
def _batch_serial(mu, r1, r2, tof, revs, prograde, low_path, v1, v2):
    return _solve_span(mu, r1, r2, tof, 0, v1.shape[0], revs, prograde, low_path, v1, v2)


@njit(cache=True, fastmath=_FM, error_model="numpy", parallel=True)
def _batch_parallel(mu, r1, r2, tof, revs, prograde, low_path, v1, v2, nspan):
    # nspan spans (a few per thread), each allocating its scratch once
    n = v1.shape[0]
    size = (n + nspan - 1) // nspan
    failed = 0
    for k in prange(nspan):
        failed += _solve_span(
            mu, r1, r2, tof, k * size, min(n, k * size + size), revs, prograde, low_path, v1, v2
        )
    return failed


_PARALLEL_MIN = 512


@njit(cache=True, error_model="numpy")
def _min_tof_kernel(mu, r1, r2, revs, prograde, out):
    for i in range(r1.shape[0]):
        out[i] = _min_tof_one(
            mu[i], r1[i, 0], r1[i, 1], r1[i, 2], r2[i, 0], r2[i, 1], r2[i, 2], revs, prograde
        )


def _c64(x: np.ndarray) -> np.ndarray:
    """C-contiguous, writable float64: one array type, so one compiled (cached) kernel."""
    return np.require(x, dtype=np.float64, requirements=["C", "W"])


def _rows(x, shape: tuple[int, ...]) -> np.ndarray:
    """``x`` as a C-contiguous float64 array of ``shape``, ``shape`` with one row, or scalar."""
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 0 or a.size == int(np.prod(shape[1:])):
        return _c64(a.reshape((1,) + shape[1:]))
    return _c64(a.reshape((-1,) + shape[1:]))


def _prep(mu, r1, r2, tof=None):
    """Kernel arrays with n rows, or with one row that every row shares (never copied out to n)."""
    r1 = _rows(r1, (0, 3))
    r2 = _rows(r2, (0, 3))
    mu = _rows(mu, (0,))
    tof = None if tof is None else _rows(tof, (0,))
    lengths = {"r1": r1.shape[0], "r2": r2.shape[0], "mu": mu.shape[0]}
    if tof is not None:
        lengths["tof"] = tof.shape[0]
    n = max(lengths.values())
    wrong = {k: v for k, v in lengths.items() if v not in (1, n)}
    if wrong:
        raise ValueError(
            f"row counts do not match: {lengths}; give each of r1, r2, mu and tof "
            f"either {n} rows or one row shared by all"
        )
    return mu, r1, r2, tof


def lambert_batch(
    mu, r1, r2, tof, revs: int = 0, prograde: bool = True, low_path: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Solve n Lambert problems at once: ``r1(n,3)``, ``r2(n,3)`` in km, ``tof(n)`` in s.

    ``mu`` (km^3/s^2) and ``tof`` are scalars or ``(n,)`` arrays; ``r1`` or ``r2``
    may be a single position shared by all rows (no copy is made of it).
    Returns ``(v1, v2)``, each ``(n, 3)`` km/s. Rows without a solution are NaN;
    this function never raises for a bad row. Runs in parallel above a few
    hundred rows.
    """
    v1, v2, _ = lambert_batch_counted(mu, r1, r2, tof, revs, prograde, low_path)
    return v1, v2


def lambert_batch_counted(
    mu, r1, r2, tof, revs: int = 0, prograde: bool = True, low_path: bool = True
) -> tuple[np.ndarray, np.ndarray, int]:
    """:func:`lambert_batch` and the number of rows without a solution (NaN)."""
    mu, r1, r2, tof = _prep(mu, r1, r2, tof)
    n = max(mu.shape[0], r1.shape[0], r2.shape[0], tof.shape[0])
    v1 = np.empty((n, 3))
    v2 = np.empty((n, 3))
    args = (mu, r1, r2, tof, int(revs), bool(prograde), bool(low_path), v1, v2)
    if n >= _PARALLEL_MIN:
        failed = _batch_parallel(*args, 4 * numba.get_num_threads())
    else:
        failed = _batch_serial(*args)
    return v1, v2, int(failed)


def lambert_min_tof_batch(mu, r1, r2, revs: int, prograde: bool = True) -> np.ndarray:
    """Shortest time of flight (s) for which a ``revs``-revolution solution exists, per row.

    Zero for ``revs == 0``; NaN for degenerate geometry.
    """
    mu, r1, r2, _ = _prep(mu, r1, r2)
    n = max(mu.shape[0], r1.shape[0], r2.shape[0])
    mu = _c64(np.broadcast_to(mu, (n,)))
    r1 = _c64(np.broadcast_to(r1, (n, 3)))
    r2 = _c64(np.broadcast_to(r2, (n, 3)))
    out = np.empty(n)
    _min_tof_kernel(mu, r1, r2, int(revs), bool(prograde), out)
    return out
