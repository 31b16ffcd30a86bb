"""Two-body kernels: classical elements <-> Cartesian state, anomalies, Kepler propagation.

Kernel layer: numba functions on plain floats and arrays in km, s, km/s,
km^3/s^2 and radians. Batch forms run over ``(n,)`` / ``(n, 3)`` arrays in
parallel. Elements use the semi-latus rectum ``p`` (finite for every conic,
parabola included) rather than the semi-major axis.

Propagation uses the universal variable ``chi`` (Vallado, *Fundamentals of
Astrodynamics and Applications*, 4th ed., algorithm 8; Curtis, *Orbital
Mechanics for Engineering Students*, section 3.7) with Stumpff functions from
their power series near zero, so elliptic, parabolic and hyperbolic orbits go
through one code path. The universal Kepler equation is solved by Newton
iterations safeguarded by bisection on a bracket that always holds the root
(its left side is monotonic in ``chi`` because its derivative is ``r > 0``):
convergence does not depend on the initial guess, near-parabolic orbits
included. Elliptic time spans are first reduced modulo the period.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

__all__ = [
    "coe2rv",
    "coe2rv_batch",
    "kepler_batch",
    "kepler_one",
    "mean_to_true_anomaly",
    "rv2coe",
    "rv2coe_batch",
    "stumpff_c2",
    "stumpff_c3",
    "true_to_mean_anomaly",
]

_FM = {"nsz", "arcp", "contract"}
_TOL_CIRC_EQ = 1e-8  # eccentricity / inclination below which an angle is undefined
_TWO_PI = 2.0 * math.pi
_SERIES_PSI = 1.0  # |psi| below which the Stumpff power series is used
_HYP_ELEMENTS_MIN_ECC = 1.0001  # hyperbolas eccentric enough for the anomaly form
_CANCELLATION_LIMIT = 100.0  # |f| r0 + |g| v0 over r above which it is used
_NEWTON_DONE = 1e-9  # relative Newton step after which the next would be below eps

# ---------------------------------------------------------------------------
# Stumpff functions
# ---------------------------------------------------------------------------


@njit(cache=True, fastmath=_FM, error_model="numpy")
def stumpff_c2(psi):
    """c2(psi) = (1 - cos sqrt(psi)) / psi, with its power series for |psi| < 1."""
    if abs(psi) < _SERIES_PSI:
        # sum_k (-psi)^k / (2k+2)!, k = 0..9 (truncation < 1e-19 for |psi| < 1)
        return 1.0 / 2.0 - psi * (
            1.0 / 24.0
            - psi
            * (
                1.0 / 720.0
                - psi
                * (
                    1.0 / 40320.0
                    - psi
                    * (
                        1.0 / 3628800.0
                        - psi
                        * (
                            1.0 / 479001600.0
                            - psi
                            * (
                                1.0 / 87178291200.0
                                - psi * (1.0 / 20922789888000.0 - psi * (1.0 / 6402373705728000.0))
                            )
                        )
                    )
                )
            )
        )
    if psi > 0.0:
        s = math.sin(0.5 * math.sqrt(psi))
        return 2.0 * s * s / psi
    s = math.sinh(0.5 * math.sqrt(-psi))
    return -2.0 * s * s / psi


@njit(cache=True, fastmath=_FM, error_model="numpy")
def stumpff_c3(psi):
    """c3(psi) = (sqrt(psi) - sin sqrt(psi)) / psi^1.5, with its power series for |psi| < 1."""
    if abs(psi) < _SERIES_PSI:
        # sum_k (-psi)^k / (2k+3)!, k = 0..8
        return 1.0 / 6.0 - psi * (
            1.0 / 120.0
            - psi
            * (
                1.0 / 5040.0
                - psi
                * (
                    1.0 / 362880.0
                    - psi
                    * (
                        1.0 / 39916800.0
                        - psi
                        * (
                            1.0 / 6227020800.0
                            - psi
                            * (
                                1.0 / 1307674368000.0
                                - psi
                                * (1.0 / 355687428096000.0 - psi * (1.0 / 121645100408832000.0))
                            )
                        )
                    )
                )
            )
        )
    if psi > 0.0:
        sq = math.sqrt(psi)
        return (sq - math.sin(sq)) / (psi * sq)
    sq = math.sqrt(-psi)
    return (math.sinh(sq) - sq) / (-psi * sq)


# ---------------------------------------------------------------------------
# Anomalies
# ---------------------------------------------------------------------------


@njit(cache=True, fastmath=_FM, error_model="numpy")
def true_to_mean_anomaly(nu, ecc):
    """Mean anomaly from true anomaly (rad): elliptic M = E - e sin E, hyperbolic
    M = e sinh F - F, parabolic M = D + D^3/3 with D = tan(nu/2) (Barker)."""
    if ecc < 1.0:
        e_anom = 2.0 * math.atan(math.sqrt((1.0 - ecc) / (1.0 + ecc)) * math.tan(0.5 * nu))
        return e_anom - ecc * math.sin(e_anom)
    if ecc > 1.0:
        f_anom = 2.0 * math.atanh(math.sqrt((ecc - 1.0) / (ecc + 1.0)) * math.tan(0.5 * nu))
        return ecc * math.sinh(f_anom) - f_anom
    d = math.tan(0.5 * nu)
    return d + d * d * d / 3.0


@njit(cache=True, fastmath=_FM, error_model="numpy")
def mean_to_true_anomaly(m, ecc):
    """True anomaly (rad, in (-pi, pi]) from mean anomaly; inverse of :func:`true_to_mean_anomaly`."""
    if ecc < 1.0:
        mm = m - _TWO_PI * math.floor(m / _TWO_PI + 0.5)
        e_anom = mm + ecc * math.sin(mm) if ecc < 0.8 else (math.pi if mm >= 0.0 else -math.pi)
        for _ in range(50):
            f = e_anom - ecc * math.sin(e_anom) - mm
            de = f / (1.0 - ecc * math.cos(e_anom))
            e_anom -= de
            if abs(de) < 1e-15:
                break
        return 2.0 * math.atan(math.sqrt((1.0 + ecc) / (1.0 - ecc)) * math.tan(0.5 * e_anom))
    if ecc > 1.0:
        f_anom = math.asinh(m / ecc)
        for _ in range(100):
            f = ecc * math.sinh(f_anom) - f_anom - m
            df = f / (ecc * math.cosh(f_anom) - 1.0)
            f_anom -= df
            if abs(df) < 1e-15 * max(1.0, abs(f_anom)):
                break
        return 2.0 * math.atan(math.sqrt((ecc + 1.0) / (ecc - 1.0)) * math.tanh(0.5 * f_anom))
    # Barker's equation solved in closed form
    b = 1.5 * m
    a = (b + math.sqrt(1.0 + b * b)) ** (1.0 / 3.0)
    return 2.0 * math.atan(a - 1.0 / a)


# ---------------------------------------------------------------------------
# Elements <-> state
# ---------------------------------------------------------------------------


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _coe2rv_xyz(mu, p, ecc, inc, raan, argp, nu):
    cn, sn = math.cos(nu), math.sin(nu)
    rr = p / (1.0 + ecc * cn)
    vv = math.sqrt(mu / p)
    xp, yp = rr * cn, rr * sn
    vxp, vyp = -vv * sn, vv * (ecc + cn)
    co, so = math.cos(raan), math.sin(raan)
    cw, sw = math.cos(argp), math.sin(argp)
    ci, si = math.cos(inc), math.sin(inc)
    # columns of R3(-raan) R1(-inc) R3(-argp): P and Q unit vectors
    px = co * cw - so * sw * ci
    py = so * cw + co * sw * ci
    pz = sw * si
    qx = -co * sw - so * cw * ci
    qy = -so * sw + co * cw * ci
    qz = cw * si
    return (
        px * xp + qx * yp,
        py * xp + qy * yp,
        pz * xp + qz * yp,
        px * vxp + qx * vyp,
        py * vxp + qy * vyp,
        pz * vxp + qz * vyp,
    )


@njit(cache=True, error_model="numpy")
def coe2rv(mu, p, ecc, inc, raan, argp, nu):
    """Cartesian state ``(r, v)`` (km, km/s) from classical elements.

    ``p`` semi-latus rectum (km), ``ecc``, and angles in radians: inclination,
    right ascension of the ascending node, argument of periapsis, true anomaly.
    """
    x, y, z, vx, vy, vz = _coe2rv_xyz(mu, p, ecc, inc, raan, argp, nu)
    return np.array([x, y, z]), np.array([vx, vy, vz])


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _rv2coe_xyz(mu, rx, ry, rz, vx, vy, vz):
    tol = _TOL_CIRC_EQ
    hx = ry * vz - rz * vy
    hy = rz * vx - rx * vz
    hz = rx * vy - ry * vx
    h = math.sqrt(hx * hx + hy * hy + hz * hz)
    rn = math.sqrt(rx * rx + ry * ry + rz * rz)
    v2 = vx * vx + vy * vy + vz * vz
    rv = rx * vx + ry * vy + rz * vz
    # node vector n = z x h
    nx, ny = -hy, hx
    c1 = v2 / mu - 1.0 / rn
    c2 = rv / mu
    ex = c1 * rx - c2 * vx
    ey = c1 * ry - c2 * vy
    ez = c1 * rz - c2 * vz
    ecc = math.sqrt(ex * ex + ey * ey + ez * ez)
    p = h * h / mu
    inc = math.acos(max(-1.0, min(1.0, hz / h)))
    circular = ecc < tol
    equatorial = abs(math.sin(inc)) < tol
    if equatorial and not circular:
        raan = 0.0
        argp = math.atan2(ey, ex) if hz >= 0.0 else -math.atan2(ey, ex)
        # nu from e and r in the orbit plane: sin via h.(e x r)/h
        sx = ey * rz - ez * ry
        sy = ez * rx - ex * rz
        sz = ex * ry - ey * rx
        nu = math.atan2((hx * sx + hy * sy + hz * sz) / h, ex * rx + ey * ry + ez * rz)
    elif not equatorial and circular:
        raan = math.atan2(ny, nx)
        argp = 0.0
        # argument of latitude: angle from n to r, positive along h
        sx = ny * rz
        sy = -nx * rz
        sz = nx * ry - ny * rx
        nu = math.atan2((hx * sx + hy * sy + hz * sz) / h, nx * rx + ny * ry)
    elif equatorial and circular:
        raan = 0.0
        argp = 0.0
        nu = math.atan2(ry, rx) if hz >= 0.0 else -math.atan2(ry, rx)
    else:
        raan = math.atan2(ny, nx)
        # argp: angle from n to e, positive along h
        sx = ny * ez
        sy = -nx * ez
        sz = nx * ey - ny * ex
        argp = math.atan2((hx * sx + hy * sy + hz * sz) / h, nx * ex + ny * ey)
        sx = ey * rz - ez * ry
        sy = ez * rx - ex * rz
        sz = ex * ry - ey * rx
        nu = math.atan2((hx * sx + hy * sy + hz * sz) / h, ex * rx + ey * ry + ez * rz)
    raan = raan % _TWO_PI
    argp = argp % _TWO_PI
    return p, ecc, inc, raan, argp, nu


@njit(cache=True, error_model="numpy")
def rv2coe(mu, r, v):
    """Classical elements ``(p, ecc, inc, raan, argp, nu)`` from a state (km, km/s).

    Angles in radians; ``raan`` and ``argp`` in [0, 2 pi), ``nu`` in (-pi, pi].
    Undefined angles are set to zero: ``raan`` for equatorial orbits (``argp``
    then counts from the x axis), ``argp`` for circular ones (``nu`` is then the
    argument of latitude, or the true longitude if also equatorial).
    """
    return _rv2coe_xyz(mu, r[0], r[1], r[2], v[0], v[1], v[2])


@njit(cache=True, parallel=True, fastmath=_FM, error_model="numpy")
def _coe2rv_kernel(mu, p, ecc, inc, raan, argp, nu, r, v):
    for i in prange(p.shape[0]):
        x, y, z, vx, vy, vz = _coe2rv_xyz(mu[i], p[i], ecc[i], inc[i], raan[i], argp[i], nu[i])
        r[i, 0] = x
        r[i, 1] = y
        r[i, 2] = z
        v[i, 0] = vx
        v[i, 1] = vy
        v[i, 2] = vz


@njit(cache=True, parallel=True, fastmath=_FM, error_model="numpy")
def _rv2coe_kernel(mu, r, v, out):
    for i in prange(r.shape[0]):
        p, e, inc, raan, argp, nu = _rv2coe_xyz(
            mu[i], r[i, 0], r[i, 1], r[i, 2], v[i, 0], v[i, 1], v[i, 2]
        )
        out[0, i] = p
        out[1, i] = e
        out[2, i] = inc
        out[3, i] = raan
        out[4, i] = argp
        out[5, i] = nu


def _c64(x: np.ndarray) -> np.ndarray:
    """C-contiguous, writable float64: one array type, so one compiled (cached) kernel."""
    return np.require(x, dtype=np.float64, requirements=["C", "W"])


def _flat(*arrays):
    return [
        _c64(np.asarray(a, dtype=np.float64).ravel())
        for a in np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in arrays))
    ]


def _col(x, n):
    return _c64(np.broadcast_to(np.asarray(x, dtype=np.float64), (n,)))


def _rows3(x):
    return _c64(np.asarray(x, dtype=np.float64).reshape(-1, 3))


def coe2rv_batch(mu, p, ecc, inc, raan, argp, nu) -> tuple[np.ndarray, np.ndarray]:
    """Batch :func:`coe2rv`: 1-D arrays (or scalars, broadcast) in, ``(r, v)`` each ``(n, 3)`` out."""
    args = _flat(mu, p, ecc, inc, raan, argp, nu)
    n = args[0].shape[0]
    r = np.empty((n, 3))
    v = np.empty((n, 3))
    _coe2rv_kernel(*args, r, v)
    return r, v


def rv2coe_batch(mu, r, v) -> tuple[np.ndarray, ...]:
    """Batch :func:`rv2coe`: ``r, v (n, 3)`` in, six ``(n,)`` arrays ``p, ecc, inc, raan, argp, nu`` out."""
    r = _rows3(r)
    v = _rows3(v)
    out = np.empty((6, r.shape[0]))
    _rv2coe_kernel(_col(mu, r.shape[0]), r, v, out)
    return tuple(out)


@njit(cache=True, parallel=True, fastmath=_FM, error_model="numpy")
def _anomaly_kernel(x, ecc, to_true, out):
    for i in prange(x.shape[0]):
        if to_true:
            out[i] = mean_to_true_anomaly(x[i], ecc[i])
        else:
            out[i] = true_to_mean_anomaly(x[i], ecc[i])


# ---------------------------------------------------------------------------
# Universal-variable Kepler propagation
# ---------------------------------------------------------------------------


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _stumpff23(psi):
    """(c2, c3) together: one sin/cos pair or one exp instead of two calls."""
    if abs(psi) < _SERIES_PSI:
        return stumpff_c2(psi), stumpff_c3(psi)
    if psi > 0.0:
        sq = math.sqrt(psi)
        return (1.0 - math.cos(sq)) / psi, (sq - math.sin(sq)) / (psi * sq)
    sq = math.sqrt(-psi)
    ex = math.exp(sq)
    inv = 1.0 / ex
    return (0.5 * (ex + inv) - 1.0) / -psi, (0.5 * (ex - inv) - sq) / (-psi * sq)


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _universal_residual(chi, alpha, r0n, sigma0, target):
    psi = alpha * chi * chi
    c2, c3 = _stumpff23(psi)
    chi2 = chi * chi
    f = sigma0 * chi2 * c2 + (1.0 - alpha * r0n) * chi2 * chi * c3 + r0n * chi - target
    df = chi2 * c2 + sigma0 * chi * (1.0 - psi * c3) + r0n * (1.0 - psi * c2)
    return f, df, c2, c3


@njit(cache=True, fastmath=_FM, error_model="numpy")
def kepler_one(mu, rx, ry, rz, vx, vy, vz, dt):
    """Propagate one state by ``dt`` seconds on a two-body orbit; returns six floats.

    Callable from other numba code. NaN in gives NaN out; so does ``mu <= 0``
    or a zero radius.
    """
    nan = math.nan
    r0n = math.sqrt(rx * rx + ry * ry + rz * rz)
    if not (r0n > 0.0 and mu > 0.0):
        return nan, nan, nan, nan, nan, nan
    if dt == 0.0:
        return rx, ry, rz, vx, vy, vz
    sqmu = math.sqrt(mu)
    v2 = vx * vx + vy * vy + vz * vz
    rv = rx * vx + ry * vy + rz * vz
    sigma0 = rv / sqmu
    alpha = 2.0 / r0n - v2 / mu
    hx = ry * vz - rz * vy
    hy = rz * vx - rx * vz
    hz = rx * vy - ry * vx
    h2 = hx * hx + hy * hy + hz * hz
    # eccentricity from energy and angular momentum; periapsis bounds chi below
    ecc = math.sqrt(max(0.0, 1.0 - alpha * h2 / mu))
    rp = h2 / mu / (1.0 + ecc)

    if alpha > 0.0:
        period = _TWO_PI / (sqmu * alpha**1.5)
        if abs(dt) > 0.5 * period:
            dt = dt - period * math.floor(dt / period + 0.5)
    target = sqmu * dt
    chi_max = math.inf
    if alpha > 0.0:
        # |dM| <= pi after the reduction, so |dE| <= pi + 2 e < 2 pi; chi = sqrt(a) dE
        chi_max = _TWO_PI / math.sqrt(alpha)
    if rp > 0.0:
        chi_max = min(chi_max, abs(target) / rp * (1.0 + 1e-12))
    if not (chi_max < math.inf):
        chi_max = abs(target) / (1e-12 * r0n) + 1.0
    if dt >= 0.0:
        lo, hi = 0.0, chi_max
    else:
        lo, hi = -chi_max, 0.0

    # initial guess from Kepler's equation in the eccentric (hyperbolic) anomaly,
    # one Newton step on it; chi = sqrt(|a|) * change of anomaly. Only a guess:
    # the safeguarded iteration below makes it exact, near the parabola too.
    if alpha * r0n > 1e-6:
        sqa = math.sqrt(alpha)
        e_cos = 1.0 - r0n * alpha
        e_sin = sigma0 * sqa
        e_ell = math.sqrt(e_cos * e_cos + e_sin * e_sin)
        e0 = math.atan2(e_sin, e_cos)
        m1 = e0 - e_sin + sqmu * alpha * sqa * dt
        e1 = m1 + e_ell * math.sin(m1)
        e1 -= (e1 - e_ell * math.sin(e1) - m1) / (1.0 - e_ell * math.cos(e1))
        chi = (e1 - e0) / sqa
    elif alpha * r0n < -1e-6:
        sqa = math.sqrt(-alpha)
        e_cosh = 1.0 - r0n * alpha
        e_sinh = sigma0 * sqa
        e_hyp = math.sqrt(max(e_cosh * e_cosh - e_sinh * e_sinh, 1e-300))
        f0 = math.asinh(e_sinh / e_hyp)
        m1 = e_sinh - f0 + sqmu * (-alpha) * sqa * dt
        f1 = math.asinh(m1 / e_hyp)
        f1 -= (e_hyp * math.sinh(f1) - f1 - m1) / (e_hyp * math.cosh(f1) - 1.0)
        chi = (f1 - f0) / sqa
    else:
        chi = target / r0n
    if not (lo < chi < hi):
        chi = 0.5 * (lo + hi)

    # Newton safeguarded by bisection (Numerical Recipes' rtsafe): bisect when the
    # Newton step leaves the bracket or fails to halve the step before last, which
    # is what happens far out on the exponential wall of a hyperbola
    dx_prev = hi - lo
    dx = dx_prev
    for _ in range(300):
        f, df, c2, c3 = _universal_residual(chi, alpha, r0n, sigma0, target)
        if f == 0.0:
            break
        if math.isfinite(f):
            if f > 0.0:
                hi = chi
            else:
                lo = chi
        elif chi > 0.0:  # overflow of cosh/sinh: the step went far past the root
            hi = chi
        else:
            lo = chi
        new = chi - f / df
        newton = True
        if not (lo < new < hi) or not math.isfinite(new) or abs(new - chi) > 0.5 * abs(dx_prev):
            new = 0.5 * (lo + hi)
            newton = False
        dx_prev = dx
        dx = new - chi
        # a Newton step this small leaves an error of order its square: done
        tol = _NEWTON_DONE if newton else 2e-16
        if abs(dx) <= tol * abs(new) or hi - lo <= 4e-16 * max(abs(lo), abs(hi)):
            chi = new
            break
        chi = new
    psi = alpha * chi * chi
    c2, c3 = _stumpff23(psi)
    chi2 = chi * chi
    f = 1.0 - chi2 * c2 / r0n
    g = (sigma0 * chi2 * c2 + r0n * chi * (1.0 - psi * c3)) / sqmu
    x = f * rx + g * vx
    y = f * ry + g * vy
    z = f * rz + g * vz
    rn = math.sqrt(x * x + y * y + z * z)
    # f r0 and g v0 cancel when a strongly hyperbolic arc starts far out, swings
    # past periapsis and leaves (the digits lost scale with |f| r0 / r). There the
    # anomaly form, which has no such cancellation, is used instead.
    if alpha < 0.0 and ecc > _HYP_ELEMENTS_MIN_ECC:
        cancel = abs(f) * r0n + abs(g) * math.sqrt(v2)
        if not (cancel <= _CANCELLATION_LIMIT * rn and rn < math.inf):  # also on overflow
            return _kepler_hyperbolic_anomaly(mu, rx, ry, rz, vx, vy, vz, dt)
    fdot = sqmu * chi * (psi * c3 - 1.0) / (r0n * rn)
    gdot = 1.0 - chi2 * c2 / rn
    return x, y, z, fdot * rx + gdot * vx, fdot * ry + gdot * vy, fdot * rz + gdot * vz


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _kepler_hyperbolic_anomaly(mu, rx, ry, rz, vx, vy, vz, dt):
    """Hyperbolic propagation through the hyperbolic anomaly F (e sinh F - F = M)."""
    r0n = math.sqrt(rx * rx + ry * ry + rz * rz)
    v2 = vx * vx + vy * vy + vz * vz
    rv = rx * vx + ry * vy + rz * vz
    c1 = v2 / mu - 1.0 / r0n
    c2 = rv / mu
    ex = c1 * rx - c2 * vx
    ey = c1 * ry - c2 * vy
    ez = c1 * rz - c2 * vz
    ecc = math.sqrt(ex * ex + ey * ey + ez * ez)
    hx = ry * vz - rz * vy
    hy = rz * vx - rx * vz
    hz = rx * vy - ry * vx
    h = math.sqrt(hx * hx + hy * hy + hz * hz)
    a_abs = -1.0 / (2.0 / r0n - v2 / mu)
    sq = math.sqrt(mu * a_abs)
    f0 = math.asinh(rv / (ecc * sq))
    m1 = ecc * math.sinh(f0) - f0 + math.sqrt(mu / a_abs**3) * dt
    # Newton on e sinh F - F - M from the asymptotic guess; the function is
    # monotonic and convex on each side, so the iteration converges
    fa = math.asinh(m1 / ecc)
    for _ in range(100):
        res = ecc * math.sinh(fa) - fa - m1
        step = res / (ecc * math.cosh(fa) - 1.0)
        fa -= step
        if abs(step) <= 1e-15 * max(1.0, abs(fa)):
            break
    px, py, pz = ex / ecc, ey / ecc, ez / ecc
    qx = (hy * pz - hz * py) / h
    qy = (hz * px - hx * pz) / h
    qz = (hx * py - hy * px) / h
    sh, ch = math.sinh(fa), math.cosh(fa)
    b = math.sqrt(ecc * ecc - 1.0)
    xp = a_abs * (ecc - ch)
    yp = a_abs * b * sh
    rn = a_abs * (ecc * ch - 1.0)
    vxp = -sq * sh / rn
    vyp = sq * b * ch / rn
    return (
        px * xp + qx * yp,
        py * xp + qy * yp,
        pz * xp + qz * yp,
        px * vxp + qx * vyp,
        py * vxp + qy * vyp,
        pz * vxp + qz * vyp,
    )


@njit(cache=True, parallel=True, fastmath=_FM, error_model="numpy")
def _kepler_kernel(mu, r, v, dt, r_out, v_out):
    for i in prange(r.shape[0]):
        x, y, z, vx, vy, vz = kepler_one(
            mu[i], r[i, 0], r[i, 1], r[i, 2], v[i, 0], v[i, 1], v[i, 2], dt[i]
        )
        r_out[i, 0] = x
        r_out[i, 1] = y
        r_out[i, 2] = z
        v_out[i, 0] = vx
        v_out[i, 1] = vy
        v_out[i, 2] = vz


@njit(cache=True, fastmath=_FM, error_model="numpy")
def _kepler_kernel_serial(mu, r, v, dt, r_out, v_out):
    for i in range(r.shape[0]):
        x, y, z, vx, vy, vz = kepler_one(
            mu[i], r[i, 0], r[i, 1], r[i, 2], v[i, 0], v[i, 1], v[i, 2], dt[i]
        )
        r_out[i, 0] = x
        r_out[i, 1] = y
        r_out[i, 2] = z
        v_out[i, 0] = vx
        v_out[i, 1] = vy
        v_out[i, 2] = vz


#: Below this many rows the thread pool's start-up costs more than the work
#: (measured: 8 ms for one state through the parallel kernel on a busy 2-core machine).
PARALLEL_MIN_ROWS = 2048


def kepler_batch(mu, r, v, dt) -> tuple[np.ndarray, np.ndarray]:
    """Propagate n states by ``dt`` seconds each: ``r, v (n, 3)``, ``dt (n,)`` or scalar.

    ``mu`` is a scalar or ``(n,)``. Returns ``(r, v)`` each ``(n, 3)``; invalid
    rows (zero radius, NaN input) are NaN. Parallel over rows when there are at least
    :data:`PARALLEL_MIN_ROWS` of them, on one thread otherwise.
    """
    r = _rows3(r)
    v = _rows3(v)
    n = r.shape[0]
    r_out = np.empty((n, 3))
    v_out = np.empty((n, 3))
    kernel = _kepler_kernel if n >= PARALLEL_MIN_ROWS else _kepler_kernel_serial
    kernel(_col(mu, n), r, v, _col(dt, n), r_out, v_out)
    return r_out, v_out


def mean_to_true_batch(m, ecc) -> np.ndarray:
    """Batch :func:`mean_to_true_anomaly` over broadcast arrays (flattened to 1-D)."""
    m, ecc = _flat(m, ecc)
    out = np.empty(m.shape[0])
    _anomaly_kernel(m, ecc, True, out)
    return out


def true_to_mean_batch(nu, ecc) -> np.ndarray:
    """Batch :func:`true_to_mean_anomaly` over broadcast arrays (flattened to 1-D)."""
    nu, ecc = _flat(nu, ecc)
    out = np.empty(nu.shape[0])
    _anomaly_kernel(nu, ecc, False, out)
    return out
