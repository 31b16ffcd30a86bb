"""A fast, warm re-planner for the fuel-optimal descent: a condensed QP solved by a tailored interior point.

Near a small body, in the body-fixed frame, the descent dynamics are linear in
position and velocity: Coriolis ``-2 w x v`` and centrifugal ``-w x (w x r)``
are linear, gravity (~1e-5 m/s^2 here, a few percent of the control authority
of an RCS thruster) is taken as a known acceleration evaluated along the
previous plan, and the spacecraft mass changes by well under 0.1 % during a
descent, so it is frozen for each plan. With a fixed attitude and an RCS that
pushes along +-x, +-y, +-z, the set of feasible thrusts is a box that contains
zero: there is no minimum-throttle constraint, so unlike G-FOLD's main-engine
problem no lossless convexification step is needed -- the problem is convex as
stated. Writing the per-axis thrust as ``a = a_max (p - n)`` with ``0 <= p, n <= 1``
turns the propellant use (the L1 norm of the thrust, one thruster per
direction) into a linear cost, and the approach cone into 8 half-spaces.

The re-planner condenses the states away (only the controls are unknowns),
so the QP is: minimise ``c'u + eps/2 |u|^2`` subject to 6 terminal equalities,
box bounds and the few approach-cone rows that bind. It is solved by a
Mehrotra predictor-corrector interior point written for this shape (numba):
the box bounds give a diagonal, the terminal equalities and the binding cone
rows a low-rank update (Woodbury), so an iteration costs O(n m^2) with m the
number of rows and a 50-node solve takes well under a millisecond. Cone rows
are screened: solve, check the cone at every node, add the violated rows,
re-solve; a warm re-plan starts from the previous plan's binding rows and
gravity profile.

Everything here is a kernel on plain floats in metres, seconds, kilograms, in
the site's local frame (east, north, up; fixed to the rotating body).
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field

import numba
import numpy as np

__all__ = ["ConvexDescentPlanner", "ConvexPlan", "cone_faces", "discretize"]

G0 = 9.80665


def cone_faces(glide_slope_deg: float, n_faces: int = 8) -> np.ndarray:
    """Rows ``D`` with ``D @ r <= 0`` describing an approach cone around +up (polygon of ``n_faces``).

    ``glide_slope_deg`` is the minimum elevation of the trajectory seen from the
    target (90 = straight down only). The polygon circumscribes the circular cone.
    """
    if not (0.0 < glide_slope_deg < 90.0):
        raise ValueError(f"glide slope must be in (0, 90) degrees, got {glide_slope_deg}")
    tg = np.tan(np.radians(glide_slope_deg))
    th = 2 * np.pi * np.arange(n_faces) / n_faces
    return np.stack([tg * np.cos(th), tg * np.sin(th), -np.ones(n_faces)], axis=1)


def discretize(omega_local: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact zero-order-hold discretisation of the rotating-frame dynamics.

    State ``x = [r, v]`` (local frame), input an acceleration held over the step:
    ``x' = A x + B a`` with ``A = [[0, I], [-W W, -2 W]]`` and ``W = [omega]x``.
    Returns ``(Phi, Gamma)`` with ``x_{k+1} = Phi x_k + Gamma a_k``.
    """
    w = np.asarray(omega_local, dtype=float)
    W = np.array([[0.0, -w[2], w[1]], [w[2], 0.0, -w[0]], [-w[1], w[0], 0.0]])
    M = np.zeros((9, 9))
    M[:3, 3:6] = np.eye(3)
    M[3:6, :3] = -W @ W
    M[3:6, 3:6] = -2 * W
    M[3:6, 6:9] = np.eye(3)
    E = _expm(M * h)
    return E[:6, :6], E[:6, 6:9]


@numba.njit(cache=True)
def _expm(A):
    """Matrix exponential by scaling and squaring a 14-term Taylor series (small, well-scaled A).

    scipy's Pade code is accurate but, on a shared CPU with threaded BLAS, slow
    for a 9x9 matrix; here ||A|| is at most ~1 so the series converges fast.
    """
    n = A.shape[0]
    norm = 0.0
    for i in range(n):
        row = 0.0
        for j in range(n):
            row += abs(A[i, j])
        norm = max(norm, row)
    s = 0
    while norm > 0.5:
        norm /= 2.0
        s += 1
    X = A / 2.0**s
    out = np.eye(n)
    term = np.eye(n)
    for k in range(1, 15):
        new = np.zeros((n, n))
        for i in range(n):
            for j in range(n):
                acc = 0.0
                for m in range(n):
                    acc += term[i, m] * X[m, j]
                new[i, j] = acc / k
        term = new
        out += term
    for _ in range(s):
        sq = np.zeros((n, n))
        for i in range(n):
            for j in range(n):
                acc = 0.0
                for m in range(n):
                    acc += out[i, m] * out[m, j]
                sq[i, j] = acc
        out = sq
    return out


# ------------------------------------------------------------------------- kernel
@numba.njit(cache=True)
def _mv(A, x):
    """A @ x with plain loops (no threaded BLAS: small, latency-bound, and the host CPU is shared)."""
    m, n = A.shape
    out = np.zeros(m)
    for i in range(m):
        acc = 0.0
        for j in range(n):
            acc += A[i, j] * x[j]
        out[i] = acc
    return out


@numba.njit(cache=True)
def _mtv(A, x):
    """A.T @ x with plain loops."""
    m, n = A.shape
    out = np.zeros(n)
    for i in range(m):
        xi = x[i]
        for j in range(n):
            out[j] += A[i, j] * xi
    return out


@numba.njit(cache=True)
def _gram(A, d, B):
    """A diag(d) B.T for row-major A (m, n), B (p, n)."""
    m, n = A.shape
    p = B.shape[0]
    out = np.zeros((m, p))
    for i in range(m):
        for k in range(p):
            acc = 0.0
            for j in range(n):
                acc += A[i, j] * d[j] * B[k, j]
            out[i, k] = acc
    return out


@numba.njit(cache=True)
def _gram_sym(A, d, nnz):
    """A diag(d) A.T, symmetric, for rows whose nonzeros are the first ``nnz[i]`` columns."""
    m = A.shape[0]
    out = np.zeros((m, m))
    for i in range(m):
        for k in range(i + 1):
            acc = 0.0
            for j in range(min(nnz[i], nnz[k])):
                acc += A[i, j] * d[j] * A[k, j]
            out[i, k] = acc
            out[k, i] = acc
    return out


@numba.njit(cache=True)
def _chol(S):
    """Lower Cholesky factor of a small SPD matrix."""
    m = S.shape[0]
    L = np.zeros((m, m))
    for j in range(m):
        acc = S[j, j]
        for k in range(j):
            acc -= L[j, k] * L[j, k]
        L[j, j] = np.sqrt(max(acc, 1e-300))
        for i in range(j + 1, m):
            acc = S[i, j]
            for k in range(j):
                acc -= L[i, k] * L[j, k]
            L[i, j] = acc / L[j, j]
    return L


@numba.njit(cache=True)
def _chol_solve(L, b):
    """Solve (L L') x = b by forward and back substitution (O(m^2))."""
    m = L.shape[0]
    y = np.empty(m)
    for i in range(m):
        acc = b[i]
        for k in range(i):
            acc -= L[i, k] * y[k]
        y[i] = acc / L[i, i]
    x = np.empty(m)
    for i in range(m - 1, -1, -1):
        acc = y[i]
        for k in range(i + 1, m):
            acc -= L[k, i] * x[k]
        x[i] = acc / L[i, i]
    return x


@numba.njit(cache=True)
def _max_steps(s1, s2, s3, z1, z2, z3, ds1, ds2, ds3, dz1, dz2, dz3):
    """Largest primal and dual steps (at most 1) that keep every slack and multiplier >= 0."""
    a_p = 1.0
    a_d = 1.0
    for i in range(s1.shape[0]):
        if ds1[i] < 0:
            a_p = min(a_p, -s1[i] / ds1[i])
        if ds2[i] < 0:
            a_p = min(a_p, -s2[i] / ds2[i])
        if dz1[i] < 0:
            a_d = min(a_d, -z1[i] / dz1[i])
        if dz2[i] < 0:
            a_d = min(a_d, -z2[i] / dz2[i])
    for i in range(s3.shape[0]):
        if ds3[i] < 0:
            a_p = min(a_p, -s3[i] / ds3[i])
        if dz3[i] < 0:
            a_d = min(a_d, -z3[i] / dz3[i])
    return a_p, a_d


@numba.njit(cache=True)
def _qp_ipm(q, eps, E, e, G, b, tol, max_iter):
    # rows of G are zero beyond their last nonzero column (cone rows of node j use u_0..u_{j-1})
    """min q'u + eps/2 u'u  s.t.  E u = e,  G u <= b,  0 <= u <= 1.

    Mehrotra predictor-corrector. K = diag + G' W G is inverted by Woodbury
    (G has few rows), the equalities by a Schur complement. Returns (u, y, z3, iters, ok).
    """
    n = q.shape[0]
    me = E.shape[0]
    mg = G.shape[0]
    u = np.full(n, 0.02)
    s1 = u.copy()
    s2 = 1.0 - u
    z1 = np.ones(n)
    z2 = np.ones(n)
    s3 = np.empty(mg)
    gu = _mv(G, u)
    for i in range(mg):
        s3[i] = max(b[i] - gu[i], 1.0)
    z3 = np.ones(mg)
    y = np.zeros(me)
    m_total = 2 * n + mg
    qnorm = max(1.0, np.max(np.abs(q)))
    enorm = max(1.0, np.max(np.abs(e)))
    ok = False
    it = 0
    ds1 = np.zeros(n)
    ds2 = np.zeros(n)
    dz1 = np.zeros(n)
    dz2 = np.zeros(n)
    ds3 = np.zeros(mg)
    dz3 = np.zeros(mg)
    du = np.zeros(n)
    dy = np.zeros(me)
    Lg = np.eye(max(mg, 1))
    nnz = np.zeros(mg, dtype=np.int64)
    for i in range(mg):
        for j in range(n - 1, -1, -1):
            if G[i, j] != 0.0:
                nnz[i] = j + 1
                break
    for it in range(max_iter):  # noqa: B007 (returned as the iteration count)
        # residuals
        rd = q + eps * u + _mtv(E, y) - z1 + z2
        if mg > 0:
            rd += _mtv(G, z3)
        re = _mv(E, u) - e
        rp1 = -u + s1
        rp2 = u + s2 - 1.0
        rp3 = _mv(G, u) + s3 - b
        mu = (np.sum(s1 * z1) + np.sum(s2 * z2) + np.sum(s3 * z3)) / m_total
        res = max(np.max(np.abs(rd)) / qnorm, np.max(np.abs(re)) / enorm)
        if mg > 0:
            res = max(res, np.max(np.abs(rp3)) / max(1.0, np.max(np.abs(b))))
        if res < tol and mu < tol:
            ok = True
            break
        w1 = z1 / s1
        w2 = z2 / s2
        w3 = z3 / s3
        dinv = 1.0 / (eps + w1 + w2)
        # Woodbury pieces: K^-1 v = D^-1 v - D^-1 G' S^-1 G D^-1 v, S = W3^-1 + G D^-1 G'
        if mg > 0:
            S = _gram_sym(G, dinv, nnz)
            for i in range(mg):
                S[i, i] += 1.0 / w3[i]
            Lg = _chol(S)
        # K^-1 E' and Schur complement of the equalities
        KinvEt = np.empty((n, me))
        for j in range(me):
            v = E[j] * dinv
            if mg > 0:
                t = _chol_solve(Lg, _mv(G, v))
                v = v - dinv * _mtv(G, t)
            KinvEt[:, j] = v
        Sch = _gram(E, np.ones(n), np.ascontiguousarray(KinvEt.T))
        for pass_ in range(2):
            if pass_ == 0:
                rc1 = s1 * z1
                rc2 = s2 * z2
                rc3 = s3 * z3
            else:
                # step lengths of the affine direction
                a_p, a_d = _max_steps(s1, s2, s3, z1, z2, z3, ds1, ds2, ds3, dz1, dz2, dz3)
                mu_aff = (
                    np.sum((s1 + a_p * ds1) * (z1 + a_d * dz1))
                    + np.sum((s2 + a_p * ds2) * (z2 + a_d * dz2))
                    + np.sum((s3 + a_p * ds3) * (z3 + a_d * dz3))
                ) / m_total
                sigma = (mu_aff / mu) ** 3
                rc1 = s1 * z1 + ds1 * dz1 - sigma * mu
                rc2 = s2 * z2 + ds2 * dz2 - sigma * mu
                rc3 = s3 * z3 + ds3 * dz3 - sigma * mu
            # r1 = -rd - C' S^-1 (Z rp - rc), with C = [-I; I; G]
            t1 = (z1 * rp1 - rc1) / s1
            t2 = (z2 * rp2 - rc2) / s2
            r1 = -rd + t1 - t2
            if mg > 0:
                t3 = (z3 * rp3 - rc3) / s3
                r1 -= _mtv(G, t3)
            # K^-1 r1
            kr = r1 * dinv
            if mg > 0:
                t = _chol_solve(Lg, _mv(G, kr))
                kr = kr - dinv * _mtv(G, t)
            dy = _chol_solve(_chol(Sch), _mv(E, kr) + re)
            du = kr - _mv(KinvEt, dy)
            ds1 = -rp1 + du
            ds2 = -rp2 - du
            dz1 = (z1 * rp1 - rc1) / s1 - w1 * du
            dz2 = (z2 * rp2 - rc2) / s2 + w2 * du
            if mg > 0:
                gdu = _mv(G, du)
                ds3 = -rp3 - gdu
                dz3 = (z3 * rp3 - rc3) / s3 + w3 * gdu
            else:
                ds3 = np.zeros(0)
                dz3 = np.zeros(0)
        a_p, a_d = _max_steps(s1, s2, s3, z1, z2, z3, ds1, ds2, ds3, dz1, dz2, dz3)
        a = min(1.0, 0.99 * min(a_p, a_d))
        u += a * du
        s1 += a * ds1
        s2 += a * ds2
        s3 += a * ds3
        z1 += a * dz1
        z2 += a * dz2
        z3 += a * dz3
        y += a * dy
    return u, y, z3, it, ok


@numba.njit(cache=True)
def _condense(Phi, Gam, N):
    """P[i] = Phi^i Gamma (6x3) for i < N and Phi^i (6x6) for i <= N."""
    P = np.empty((N, 6, 3))
    F = np.empty((N + 1, 6, 6))
    F[0] = np.eye(6)
    for i in range(N):
        for r in range(6):
            for c in range(3):
                acc = 0.0
                for k in range(6):
                    acc += F[i, r, k] * Gam[k, c]
                P[i, r, c] = acc
            for c in range(6):
                acc = 0.0
                for k in range(6):
                    acc += Phi[r, k] * F[i, k, c]
                F[i + 1, r, c] = acc
    return P, F


@numba.njit(cache=True)
def _propagate_kernel(Phi, Gam, x0, acc):
    """States at the nodes under held accelerations ``acc`` (N, 3): (N+1, 6)."""
    N = acc.shape[0]
    X = np.empty((N + 1, 6))
    X[0] = x0
    for k in range(N):
        for i in range(6):
            s = 0.0
            for j in range(6):
                s += Phi[i, j] * X[k, j]
            for j in range(3):
                s += Gam[i, j] * acc[k, j]
            X[k + 1, i] = s
    return X


@numba.njit(cache=True)
def _columns_kernel(P, N, j, amax):
    M = np.zeros((6, 6 * N))
    for k in range(j):
        for r in range(6):
            for c in range(3):
                v = P[j - 1 - k, r, c] * amax
                M[r, 6 * k + c] = v
                M[r, 6 * k + 3 + c] = -v
    return M


# -------------------------------------------------------------------------- face
@dataclass
class ConvexPlan:
    """A re-planned descent on its grid (local frame, SI units).

    ``accel`` is the commanded thrust acceleration held over each of the
    ``n`` intervals (shape ``(n, 3)``); ``r`` and ``v`` are the predicted states
    at the ``n + 1`` nodes. ``propellant_kg`` is the plan's L1 propellant use.
    """

    t: np.ndarray
    r: np.ndarray
    v: np.ndarray
    accel: np.ndarray
    propellant_kg: float
    objective: float
    success: bool
    iterations: int
    solve_time_s: float
    active_cone_nodes: np.ndarray = field(repr=False)
    gravity: np.ndarray = field(repr=False)

    def __repr__(self) -> str:
        flag = "ok" if self.success else "FAILED"
        return (
            f"ConvexPlan({flag}, {len(self.accel)} intervals over {self.t[-1] - self.t[0]:.1f} s, "
            f"propellant {self.propellant_kg * 1e3:.1f} g, {self.iterations} IPM iterations, "
            f"{self.solve_time_s * 1e3:.2f} ms)"
        )


class ConvexDescentPlanner:
    """Fuel-optimal descent re-planner on a convex model (condensed QP, tailored interior point).

    Parameters
    ----------
    omega_local:
        Body spin vector in the site's local frame (rad/s).
    site_offset_local:
        Position of the site relative to the body centre, in the local frame (m);
        it sets the centrifugal term ``-w x (w x (site + r))``.
    gravity:
        Callable ``g(r_local (k, 3)) -> (k, 3)`` giving gravity in the local frame
        at positions relative to the site (m/s^2), or ``None`` for no gravity.
    accel_max:
        Per-axis acceleration authority (m/s^2) = per-axis thrust / mass.
    mass_kg, isp_s:
        Mass (frozen during a plan) and specific impulse, for propellant figures.
    glide_slope_deg:
        Approach cone elevation seen from the target; ``None`` disables it.
    n_intervals:
        Grid intervals.
    regularization:
        ``eps`` of the small quadratic term that makes the QP strictly convex
        (relative to the L1 cost; the default changes the optimum by < 0.1 %).
    """

    def __init__(
        self,
        omega_local,
        site_offset_local,
        gravity=None,
        *,
        accel_max: float,
        mass_kg: float,
        isp_s: float = 220.0,
        glide_slope_deg: float | None = 45.0,
        n_intervals: int = 50,
        regularization: float = 1e-3,
        tol: float = 1e-8,
    ) -> None:
        if accel_max <= 0:
            raise ValueError(f"accel_max must be positive (m/s^2), got {accel_max}")
        if mass_kg <= 0:
            raise ValueError(f"mass_kg must be positive, got {mass_kg}")
        if int(n_intervals) != n_intervals or n_intervals < 2:
            raise ValueError(f"n_intervals must be an integer >= 2, got {n_intervals}")
        self.omega_local = np.asarray(omega_local, dtype=float)
        self.site_offset_local = np.asarray(site_offset_local, dtype=float)
        self.gravity = gravity
        self.accel_max = float(accel_max)
        self.mass_kg = float(mass_kg)
        self.isp_s = float(isp_s)
        self.n_intervals = int(n_intervals)
        self.eps = float(regularization)
        self.tol = float(tol)
        self.D = cone_faces(glide_slope_deg) if glide_slope_deg is not None else np.zeros((0, 3))
        self._disc_cache: dict[float, tuple] = {}
        w = self.omega_local
        W = np.array([[0.0, -w[2], w[1]], [w[2], 0.0, -w[0]], [-w[1], w[0], 0.0]])
        self._centrifugal0 = -W @ W @ self.site_offset_local

    def _matrices(self, h: float):
        key = round(h, 9)
        if key not in self._disc_cache:
            if len(self._disc_cache) > 64:
                self._disc_cache.clear()
            Phi, Gam = discretize(self.omega_local, h)
            P, F = _condense(Phi, Gam, self.n_intervals)
            self._disc_cache[key] = (Phi, Gam, P, F)
        return self._disc_cache[key]

    def plan(
        self,
        r0,
        v0,
        r_target,
        v_target,
        duration_s: float,
        *,
        warm: ConvexPlan | None = None,
        mass_kg: float | None = None,
        max_rounds: int = 6,
        max_iterations: int = 60,
    ) -> ConvexPlan:
        """Plan from ``(r0, v0)`` to ``(r_target, v_target)`` in ``duration_s`` seconds (local frame, m, m/s).

        ``warm`` (a previous plan) supplies the gravity profile and the cone rows
        that bound last time. ``max_iterations`` bounds the interior-point
        iterations of each solve (a compute budget for an onboard caller).
        Returns a :class:`ConvexPlan`; ``success`` is False when the problem is
        infeasible (e.g. not enough thrust for the time) or did not converge
        within the budget.
        """
        tic = _time.perf_counter()
        if not (np.isfinite(duration_s) and duration_s > 0):
            raise ValueError(f"duration_s must be positive, got {duration_s}")
        N = self.n_intervals
        h = duration_s / N
        mass = self.mass_kg if mass_kg is None else float(mass_kg)
        amax = self.accel_max * self.mass_kg / mass
        Phi, Gam, P, F = self._matrices(h)
        x0 = np.concatenate([r0, v0]).astype(float)
        xf = np.concatenate([r_target, v_target]).astype(float)
        # known accelerations per interval: centrifugal offset + gravity along a reference path
        if warm is not None and len(warm.gravity) == N:
            g = warm.gravity
            active = {(int(j), int(f)) for j, f in warm.active_cone_nodes}
        else:
            s = (np.arange(N) + 0.5) / N
            ref = (
                np.asarray(r0)[None, :] * (1 - s[:, None])
                + np.asarray(r_target)[None, :] * s[:, None]
            )
            g = self.gravity(ref) if self.gravity is not None else np.zeros((N, 3))
            active = set()
        c = g + self._centrifugal0
        # free response and the effect of known accelerations at every node
        free = _propagate_kernel(Phi, Gam, x0, np.ascontiguousarray(c))
        # terminal equality: sum_k P[N-1-k] amax (p_k - n_k) = xf - free[N]
        scale_x = np.array([1.0, 1.0, 1.0, 100.0, 100.0, 100.0])  # m and cm/s near 1
        E = self._columns(P, N, N, amax) * scale_x[:, None]
        e = (xf - free[N]) * scale_x
        q = np.full(6 * N, 1.0 / N)
        rounds = 0
        total_iter = 0
        ok = False
        u = np.zeros(6 * N)
        while True:
            rounds += 1
            G, bvec = self._cone_rows(P, sorted(active), amax, free)
            u, _, _, iters, ok = _qp_ipm(q, self.eps, E, e, G, bvec, self.tol, int(max_iterations))
            total_iter += iters
            if not ok or len(self.D) == 0:
                break
            acc = amax * (u.reshape(N, 6)[:, :3] - u.reshape(N, 6)[:, 3:])
            X = self._propagate(Phi, Gam, x0, acc + c)
            viol = (X[1:N, :3] @ self.D.T) > 1e-6
            new = {(int(j) + 1, int(f)) for j, f in zip(*np.nonzero(viol), strict=True)} - active
            if not new or rounds >= max_rounds:
                ok = ok and not new
                break
            active |= new
        acc = amax * (u.reshape(N, 6)[:, :3] - u.reshape(N, 6)[:, 3:])
        X = self._propagate(Phi, Gam, x0, acc + c)
        # gravity along this plan, for the next warm start
        g_new = (
            self.gravity(0.5 * (X[:-1, :3] + X[1:, :3]))
            if self.gravity is not None
            else np.zeros((N, 3))
        )
        l1 = float(np.abs(acc).sum() * h)
        return ConvexPlan(
            t=np.linspace(0.0, duration_s, N + 1),
            r=X[:, :3],
            v=X[:, 3:],
            accel=acc,
            propellant_kg=mass * l1 / (self.isp_s * G0),
            objective=float(q @ u + 0.5 * self.eps * u @ u),
            success=bool(ok),
            iterations=int(total_iter),
            solve_time_s=_time.perf_counter() - tic,
            active_cone_nodes=np.array(sorted(active), dtype=int).reshape(-1, 2),
            gravity=g_new,
        )

    @staticmethod
    def _propagate(Phi, Gam, x0, acc):
        return _propagate_kernel(
            Phi, Gam, np.ascontiguousarray(x0, dtype=float), np.ascontiguousarray(acc)
        )

    @staticmethod
    def _columns(P, N, j, amax):
        """Rows mapping the split controls to the state at node j: (6, 6N)."""
        return _columns_kernel(P, N, j, amax)

    def _cone_rows(self, P, rows_wanted, amax, free):
        """Cone rows for (node, face) pairs: D_f (r_j) <= 0 in terms of the split controls."""
        N = self.n_intervals
        if not rows_wanted or len(self.D) == 0:
            return np.zeros((0, 6 * N)), np.zeros(0)
        rows, rhs, cache = [], [], {}
        for j, f in rows_wanted:
            if j not in cache:
                cache[j] = self._columns(P, N, j, amax)[:3]
            rows.append(self.D[f] @ cache[j])
            rhs.append(-(self.D[f] @ free[j, :3]))
        return np.array(rows), np.array(rhs)
