"""Gravity fields of small bodies behind one interface: potential, acceleration, gradient.

Units: metres, seconds, kg; GM in m^3/s^2 (see :mod:`gnc.bodies`). Positions are
in the body-fixed frame, origin at the centre of mass, as ``(3,)`` or ``(n, 3)``
arrays; results have the matching leading shape.

Sign convention (kamo, physics):

- ``potential(r)`` is the potential energy per unit mass ``U``, negative, ``-GM/r``
  far away;
- ``acceleration(r)`` is ``-grad U``, pointing towards the body;
- ``gradient(r)`` is the Jacobian of the acceleration ``d a_i / d r_j`` (3x3,
  symmetric), whose trace is ``-4 pi G rho`` inside matter and 0 outside.

ESA's ``polyhedral_gravity`` uses the geodetic convention ``V = +GM/r``; it returns
``grad V`` (which is the physical acceleration) and the Hessian of ``V`` (which is the
acceleration Jacobian). :class:`PolyhedronGravity` therefore negates the potential
and passes the other two through.

Models: :class:`PointMassGravity`, :class:`EllipsoidGravity` (constant-density
triaxial ellipsoid, exterior and interior, Carlson elliptic integrals),
:class:`MasconGravity` (sum of point masses, fitted to a polyhedron by
:func:`fit_mascons`) and :class:`PolyhedronGravity` (constant-density polyhedron,
the truth model). Point-mass and mascon models also give CasADi expressions
(:meth:`casadi_acceleration`) for the optimiser.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numba
import numpy as np
from scipy.special import elliprd, elliprf

from gnc.bodies import G_SI
from gnc.shape import TriangleMesh


def _as_points(r) -> tuple[np.ndarray, bool]:
    arr = np.asarray(r, dtype=float)
    if arr.shape == (3,):
        return arr[None, :], True
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise ValueError(f"positions must have shape (3,) or (n, 3), got {arr.shape}")
    return arr, False


def _out(x: np.ndarray, single: bool):
    return x[0] if single else x


class GravityModel(ABC):
    """Base class: subclasses implement ``_eval(points) -> (U (n,), a (n,3), J (n,3,3))``."""

    gm: float

    @abstractmethod
    def _eval(self, p: np.ndarray, want_grad: bool = True):
        """Potential, acceleration and gradient at (n, 3) points in the body-fixed frame."""

    def potential(self, r):
        """Potential energy per unit mass U (m^2/s^2, negative), at (3,) or (n, 3) positions (m)."""
        p, single = _as_points(r)
        return _out(self._eval(p, want_grad=False)[0], single)

    def acceleration(self, r):
        """Gravitational acceleration (m/s^2), -grad U, at (3,) or (n, 3) positions (m)."""
        p, single = _as_points(r)
        return _out(self._eval(p, want_grad=False)[1], single)

    def gradient(self, r):
        """Jacobian of the acceleration d a_i / d r_j (1/s^2), shape (3, 3) or (n, 3, 3)."""
        p, single = _as_points(r)
        return _out(self._eval(p, want_grad=True)[2], single)

    def evaluate(self, r):
        """All three at once: ``(U, a, J)``."""
        p, single = _as_points(r)
        u, a, j = self._eval(p, want_grad=True)
        return _out(u, single), _out(a, single), _out(j, single)


# --- point mass and mascons ---------------------------------------------------------------
@numba.njit(cache=True)
def mascon_acceleration_kernel(r, positions, gm):
    """Acceleration (3,) at one point r (3,) from point masses (numba; used by the RK4 kernel)."""
    ax = 0.0
    ay = 0.0
    az = 0.0
    for k in range(positions.shape[0]):
        dx = r[0] - positions[k, 0]
        dy = r[1] - positions[k, 1]
        dz = r[2] - positions[k, 2]
        d2 = dx * dx + dy * dy + dz * dz
        f = -gm[k] / (d2 * np.sqrt(d2))
        ax += f * dx
        ay += f * dy
        az += f * dz
    out = np.empty(3)
    out[0] = ax
    out[1] = ay
    out[2] = az
    return out


def _mascon_eval(p, positions, gm, want_grad):
    d = p[:, None, :] - positions[None, :, :]  # (n, k, 3)
    r2 = np.einsum("nki,nki->nk", d, d)
    rn = np.sqrt(r2)
    if np.any(rn == 0):
        raise ValueError("gravity evaluated exactly at a mascon position (singular)")
    u = -(gm / rn).sum(axis=1)
    a = -np.einsum("k,nk,nki->ni", gm, 1.0 / (r2 * rn), d)
    jac = None
    if want_grad:
        inv5 = gm / (r2 * r2 * rn)
        inv3 = gm / (r2 * rn)
        jac = 3.0 * np.einsum("nk,nki,nkj->nij", inv5, d, d) - inv3.sum(axis=1)[
            :, None, None
        ] * np.eye(3)
    return u, a, jac


@dataclass(frozen=True, eq=False)
class MasconGravity(GravityModel):
    """Point masses: ``positions`` (k, 3) m and ``gm`` (k,) m^3/s^2 in the body-fixed frame."""

    positions: np.ndarray
    gm_each: np.ndarray

    def __post_init__(self) -> None:
        pos = np.ascontiguousarray(np.atleast_2d(np.asarray(self.positions, dtype=float)))
        gm = np.ascontiguousarray(np.atleast_1d(np.asarray(self.gm_each, dtype=float)))
        if pos.ndim != 2 or pos.shape[1] != 3 or len(gm) != len(pos):
            raise ValueError(
                f"mascon positions must be (k, 3) and gm (k,), got {pos.shape} and {gm.shape}"
            )
        object.__setattr__(self, "positions", pos)
        object.__setattr__(self, "gm_each", gm)

    @property
    def gm(self) -> float:  # type: ignore[override]
        """Total GM (m^3/s^2)."""
        return float(self.gm_each.sum())

    def _eval(self, p, want_grad=True):
        return _mascon_eval(p, self.positions, self.gm_each, want_grad)

    def casadi_acceleration(self, r_sym):
        """CasADi expression (3x1) of the acceleration at symbolic position ``r_sym`` (3x1, m)."""
        import casadi as ca

        acc = ca.MX.zeros(3, 1) if isinstance(r_sym, ca.MX) else ca.SX.zeros(3, 1)
        for pos, gm in zip(self.positions, self.gm_each, strict=True):
            d = r_sym - ca.DM(pos)
            acc = acc - gm * d / (ca.dot(d, d) ** 1.5)
        return acc

    def __repr__(self) -> str:
        return f"MasconGravity({len(self.gm_each)} mascons, GM={self.gm:.4e} m3/s2)"


class PointMassGravity(MasconGravity):
    """A single point mass ``gm`` (m^3/s^2) at ``center`` (default the origin)."""

    def __init__(self, gm: float, center=(0.0, 0.0, 0.0)) -> None:
        gm = float(gm)
        if not gm > 0:
            raise ValueError(f"gm must be positive (m^3/s^2), got {gm}")
        super().__init__(np.asarray(center, dtype=float)[None, :], np.array([gm]))

    def __repr__(self) -> str:
        return f"PointMassGravity(GM={self.gm:.4e} m3/s2)"


# --- ellipsoid ------------------------------------------------------------------------------
def _ellipsoid_lambda(p: np.ndarray, a2: np.ndarray) -> np.ndarray:
    """Largest root lambda of sum x_i^2/(a_i^2 + lambda) = 1 (0 inside the ellipsoid)."""
    x2 = p * p
    outside = (x2 / a2).sum(axis=1) > 1.0
    lam_all = np.zeros(len(p))
    if not np.any(outside):
        return lam_all
    x2 = x2[outside]
    # f(lam) = sum x^2/(a^2+lam) - 1 is convex and decreasing; Newton from a point left of
    # the root (f >= 0 at r^2 - max a^2) converges monotonically.
    lam = np.maximum(x2.sum(axis=1) - a2.max(), 0.0)
    for _ in range(100):
        den = a2[None, :] + lam[:, None]
        f = (x2 / den).sum(axis=1) - 1.0
        df = -(x2 / den**2).sum(axis=1)
        step = -f / df
        lam = lam + step
        if np.all(np.abs(step) <= 1e-14 * (1.0 + lam)):
            break
    lam_all[outside] = lam
    return lam_all


@dataclass(frozen=True, eq=False)
class EllipsoidGravity(GravityModel):
    """Constant-density triaxial ellipsoid with semi-axes (a, b, c) along x, y, z (m).

    Give ``density_kg_m3`` or ``gm``. Exterior and interior fields use Carlson's
    symmetric elliptic integrals (MacMillan's formulation): with
    ``lambda`` the ellipsoidal coordinate of the point (0 inside),
    ``U = -(3 GM / 4) [2 R_F - sum_i x_i^2 (2/3) R_D(.., a_i^2 + lambda)]`` and
    ``a_i = -GM x_i R_D(a_j^2+lambda, a_k^2+lambda, a_i^2+lambda)``.
    """

    semi_axes: tuple[float, float, float]
    density_kg_m3: float | None = None
    gm_total: float | None = None

    def __post_init__(self) -> None:
        axes = tuple(float(x) for x in self.semi_axes)
        if len(axes) != 3 or min(axes) <= 0:
            raise ValueError(
                f"semi_axes must be three positive lengths (m), got {self.semi_axes!r}"
            )
        object.__setattr__(self, "semi_axes", axes)
        vol = 4.0 / 3.0 * np.pi * np.prod(axes)
        if (self.density_kg_m3 is None) == (self.gm_total is None):
            raise ValueError("give exactly one of density_kg_m3 or gm_total")
        if self.gm_total is None:
            object.__setattr__(self, "gm_total", G_SI * float(self.density_kg_m3) * vol)
        else:
            object.__setattr__(self, "density_kg_m3", float(self.gm_total) / (G_SI * vol))

    @property
    def gm(self) -> float:  # type: ignore[override]
        return float(self.gm_total)

    @classmethod
    def from_mesh(cls, mesh: TriangleMesh, density_kg_m3: float) -> EllipsoidGravity:
        """The inertia-equivalent ellipsoid of a mesh (same mass and principal moments).

        The mesh must be in its principal-axes frame (``mesh.principal_axes_aligned()``).
        For a solid ellipsoid ``I_xx = m (b^2 + c^2) / 5``, so
        ``a^2 = 5 (I_yy + I_zz - I_xx) / (2 m)`` and likewise for b and c.
        """
        rho = float(density_kg_m3)
        mass = rho * mesh.volume
        inertia = np.diag(mesh.inertia_tensor(rho))
        ixx, iyy, izz = inertia
        axes = np.sqrt(2.5 / mass * np.array([iyy + izz - ixx, ixx + izz - iyy, ixx + iyy - izz]))
        return cls(tuple(axes), gm_total=G_SI * mass)

    def _eval(self, p, want_grad=True):
        a2 = np.array(self.semi_axes) ** 2
        lam = _ellipsoid_lambda(p, a2)
        s = a2[None, :] + lam[:, None]  # (n, 3)
        rf = elliprf(s[:, 0], s[:, 1], s[:, 2])
        rd = np.stack(
            [
                elliprd(s[:, 1], s[:, 2], s[:, 0]),
                elliprd(s[:, 0], s[:, 2], s[:, 1]),
                elliprd(s[:, 0], s[:, 1], s[:, 2]),
            ],
            axis=1,
        )
        gm = self.gm
        v = 0.75 * gm * (2.0 * rf - (2.0 / 3.0) * (p * p * rd).sum(axis=1))
        acc = -gm * p * rd
        jac = None
        if want_grad:
            jac = -gm * rd[:, :, None] * np.eye(3)[None]
            outside = lam > 0
            if np.any(outside):
                po, so = p[outside], s[outside]
                delta = np.sqrt(np.prod(so, axis=1))
                d_rd = -1.5 / (so * delta[:, None])  # d R_D,i / d lambda
                w = 2.0 * po / so
                dlam = w / (po * po / so**2).sum(axis=1)[:, None]  # d lambda / d x_j
                jac[outside] += -gm * (po * d_rd)[:, :, None] * dlam[:, None, :]
        return -v, acc, jac

    def __repr__(self) -> str:
        a, b, c = self.semi_axes
        return (
            f"EllipsoidGravity(axes=({a:.3g}, {b:.3g}, {c:.3g}) m, "
            f"rho={self.density_kg_m3:.4g} kg/m3, GM={self.gm:.4e} m3/s2)"
        )


# --- polyhedron -------------------------------------------------------------------------------
class PolyhedronGravity(GravityModel):
    """Constant-density polyhedron (Tsoulis's line-integral method, ESA ``polyhedral_gravity``).

    ``mesh`` in metres, ``density_kg_m3`` in kg/m^3. The mesh must be closed and wound
    outwards (``TriangleMesh`` loaders ensure this); set ``check=True`` to let the
    library verify it (O(faces^2)).
    """

    def __init__(self, mesh: TriangleMesh, density_kg_m3: float, check: bool = False) -> None:
        import polyhedral_gravity as pg

        rho = float(density_kg_m3)
        if not rho > 0:
            raise ValueError(f"density_kg_m3 must be positive, got {density_kg_m3!r}")
        self.mesh = mesh.oriented_outwards()
        self.density_kg_m3 = rho
        integrity = pg.PolyhedronIntegrity.VERIFY if check else pg.PolyhedronIntegrity.DISABLE
        self._poly = pg.Polyhedron(
            (self.mesh.vertices, self.mesh.faces),
            rho,
            pg.NormalOrientation.OUTWARDS,
            integrity,
            pg.MetricUnit.METER,
        )
        self._evaluable = pg.GravityEvaluable(self._poly)

    @property
    def gm(self) -> float:  # type: ignore[override]
        return G_SI * self.density_kg_m3 * self.mesh.volume

    def _eval(self, p, want_grad=True):
        res = self._evaluable(np.ascontiguousarray(p), parallel=_polyhedron_parallel())
        if len(p) == 1 and isinstance(res, tuple):
            res = [res]
        v = np.array([x[0] for x in res])
        acc = np.array([x[1] for x in res])
        h = np.array([x[2] for x in res])  # xx, yy, zz, xy, xz, yz
        jac = np.empty((len(p), 3, 3))
        jac[:, 0, 0], jac[:, 1, 1], jac[:, 2, 2] = h[:, 0], h[:, 1], h[:, 2]
        jac[:, 0, 1] = jac[:, 1, 0] = h[:, 3]
        jac[:, 0, 2] = jac[:, 2, 0] = h[:, 4]
        jac[:, 1, 2] = jac[:, 2, 1] = h[:, 5]
        return -v, acc, jac

    def __repr__(self) -> str:
        return (
            f"PolyhedronGravity({len(self.mesh.faces)} faces, rho={self.density_kg_m3:.4g} kg/m3, "
            f"GM={self.gm:.4e} m3/s2)"
        )


def _polyhedron_parallel() -> bool:
    """Whether polyhedral-gravity may use all cores (its default).

    A process that already owns exactly one core, such as a campaign worker among
    others on the same machine, sets ``KAMO_SINGLE_THREAD=1``: threads inside each of
    several such processes would only fight over the same cores.
    """
    return os.environ.get("KAMO_SINGLE_THREAD", "") not in ("1", "true", "yes")


# --- mascon fitting and model comparison ---------------------------------------------------------
def sample_shell(
    mesh: TriangleMesh, n: int, r_min_factor=1.05, r_max_factor=3.0, seed=0
) -> np.ndarray:
    """Seeded points outside ``mesh``: random directions, at r_min..r_max times the local surface radius."""
    rng = np.random.default_rng(seed)
    dirs = rng.normal(size=(n, 3))
    dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    surf, _ = mesh.ray_cast(np.zeros_like(dirs), dirs)
    if not np.all(np.isfinite(surf)):
        raise ValueError("mesh is not star-shaped about the origin; cannot sample a shell")
    factor = rng.uniform(r_min_factor, r_max_factor, size=n)
    return dirs * (surf * factor)[:, None]


def interior_grid(mesh: TriangleMesh, n_target: int) -> np.ndarray:
    """About ``n_target`` points on a cubic grid inside ``mesh`` (cell centres)."""
    lo, hi = mesh.vertices.min(axis=0), mesh.vertices.max(axis=0)
    for _ in range(8):
        h = np.cbrt(mesh.volume / max(n_target, 1))
        axes = [np.arange(lo[i] + h / 2, hi[i], h) for i in range(3)]
        pts = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, 3)
        inside = pts[mesh.contains(pts)]
        if len(inside) >= 1:
            return inside
        n_target *= 2
    raise ValueError("could not place any point inside the mesh")


def fit_mascons(
    truth: PolyhedronGravity,
    n_mascons: int = 60,
    n_samples: int = 600,
    r_min_factor: float = 1.05,
    r_max_factor: float = 3.0,
    seed: int = 0,
) -> MasconGravity:
    """Fit mascon masses to a polyhedron's acceleration field by bounded least squares.

    Mascons sit on an interior grid of about ``n_mascons`` cells; their GMs (>= 0) are
    fitted to the truth accelerations at ``n_samples`` seeded points between
    ``r_min_factor`` and ``r_max_factor`` times the local radius, with the total GM
    held to the polyhedron's by a heavily weighted row. The rows are weighted by the
    inverse acceleration magnitude, so near and far points count alike.
    """
    from scipy.optimize import nnls

    mesh = truth.mesh
    positions = interior_grid(mesh, n_mascons)
    pts = sample_shell(mesh, n_samples, r_min_factor, r_max_factor, seed)
    a_true = truth.acceleration(pts)
    d = pts[:, None, :] - positions[None, :, :]
    r3 = np.linalg.norm(d, axis=2) ** 3
    design = -(d / r3[:, :, None]).transpose(0, 2, 1)  # (n, 3, k): accel per unit gm
    w = 1.0 / np.linalg.norm(a_true, axis=1)
    A = (design * w[:, None, None]).reshape(-1, len(positions))
    b = (a_true * w[:, None]).reshape(-1)
    big = 1e3 * np.sqrt(len(b)) / truth.gm
    A = np.vstack([A, big * np.ones((1, len(positions)))])
    b = np.concatenate([b, [big * truth.gm]])
    # scale columns so the unknowns are O(1) (GM per mascon ~ total / k)
    scale = truth.gm / len(positions)
    x, _ = nnls(A * scale, b, maxiter=50 * len(positions))
    gm = x * scale
    keep = gm > 0
    return MasconGravity(positions[keep], gm[keep])


def compare_gravity(model: GravityModel, truth: GravityModel, points) -> dict[str, float]:
    """Acceleration error statistics of ``model`` against ``truth`` at ``points`` (n, 3).

    Returns relative errors |a - a_true| / |a_true|: ``median``, ``p95``, ``max``,
    ``rms``, plus ``potential_rel_max`` and ``n``.
    """
    p, _ = _as_points(points)
    u_m, a_m, _ = model._eval(p, want_grad=False)
    u_t, a_t, _ = truth._eval(p, want_grad=False)
    rel = np.linalg.norm(a_m - a_t, axis=1) / np.linalg.norm(a_t, axis=1)
    return {
        "n": float(len(p)),
        "median": float(np.median(rel)),
        "p95": float(np.percentile(rel, 95)),
        "max": float(rel.max()),
        "rms": float(np.sqrt(np.mean(rel**2))),
        "potential_rel_max": float(np.max(np.abs(u_m - u_t) / np.abs(u_t))),
    }


def gravity_error_table(
    truth: GravityModel,
    models: dict[str, GravityModel],
    mesh: TriangleMesh,
    shells=((1.05, 1.5), (1.5, 3.0), (3.0, 10.0)),
    n: int = 300,
    seed: int = 0,
):
    """Acceleration errors of several models against ``truth`` in radial shells around ``mesh``.

    ``shells`` are (min, max) multiples of the local surface radius. Returns an
    ``xarray.Dataset`` with ``median``, ``p95`` and ``max`` relative errors over
    dimensions ``(model, shell)``.
    """
    import xarray as xr

    names = list(models)
    labels = [f"{lo:g}-{hi:g} R" for lo, hi in shells]
    stats = {k: np.empty((len(names), len(shells))) for k in ("median", "p95", "max")}
    for j, (lo, hi) in enumerate(shells):
        pts = sample_shell(mesh, n, lo, hi, seed=seed + j)
        for i, name in enumerate(names):
            s = compare_gravity(models[name], truth, pts)
            for k in stats:
                stats[k][i, j] = s[k]
    long = {"median": "median", "p95": "95th percentile", "max": "maximum"}
    return xr.Dataset(
        {
            k: (
                ("model", "shell"),
                v,
                {"units": "1", "long_name": f"{long[k]} relative acceleration error vs truth"},
            )
            for k, v in stats.items()
        },
        coords={"model": names, "shell": labels},
        attrs={"truth": repr(truth), "points_per_shell": n},
    )
