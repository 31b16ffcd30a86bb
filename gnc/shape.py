"""Shape models of small bodies: triangle meshes, their mass properties, loaders and ray casts.

Lengths are metres in the body-fixed frame (see :mod:`gnc.bodies`). A
:class:`TriangleMesh` is a closed surface with faces wound counter-clockwise seen
from outside, so face normals point outwards. Loaders read Wavefront OBJ and
Gaskell's ICQ (implicitly connected quadrilateral) format; :func:`synthetic_body`
makes a seeded, elongated, lumpy rocky body of a given size so that tests and
notebooks need no download.

Example
-------
>>> from gnc.shape import synthetic_body
>>> mesh = synthetic_body(41.0, seed=1)
>>> round(mesh.equivalent_diameter, 3)
41.0
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numba
import numpy as np

_CANONICAL_COV = np.array([[2.0, 1.0, 1.0], [1.0, 2.0, 1.0], [1.0, 1.0, 2.0]]) / 120.0


@dataclass(frozen=True, eq=False)
class TriangleMesh:
    """A closed triangle mesh: ``vertices`` (n, 3) in metres and ``faces`` (m, 3) vertex indices."""

    vertices: np.ndarray
    faces: np.ndarray

    def __post_init__(self) -> None:
        v = np.ascontiguousarray(self.vertices, dtype=float)
        f = np.ascontiguousarray(self.faces, dtype=np.int64)
        if v.ndim != 2 or v.shape[1] != 3 or len(v) < 4:
            raise ValueError(f"vertices must be an (n, 3) array with n >= 4, got shape {v.shape}")
        if f.ndim != 2 or f.shape[1] != 3 or len(f) < 4:
            raise ValueError(
                f"faces must be an (m, 3) index array with m >= 4, got shape {f.shape}"
            )
        if f.min() < 0 or f.max() >= len(v):
            raise ValueError(
                f"face indices must lie in 0..{len(v) - 1} (0-based), got {f.min()}..{f.max()}"
            )
        if not np.all(np.isfinite(v)):
            raise ValueError("vertices contain NaN or infinite coordinates")
        object.__setattr__(self, "vertices", v)
        object.__setattr__(self, "faces", f)

    # --- geometry -------------------------------------------------------------------
    @cached_property
    def triangles(self) -> np.ndarray:
        """Corner coordinates of every face, shape (m, 3, 3)."""
        return self.vertices[self.faces]

    @cached_property
    def face_normals(self) -> np.ndarray:
        """Outward unit normals of the faces, shape (m, 3)."""
        t = self.triangles
        n = np.cross(t[:, 1] - t[:, 0], t[:, 2] - t[:, 0])
        return n / np.linalg.norm(n, axis=1, keepdims=True)

    @cached_property
    def face_areas(self) -> np.ndarray:
        """Areas of the faces (m^2)."""
        t = self.triangles
        return 0.5 * np.linalg.norm(np.cross(t[:, 1] - t[:, 0], t[:, 2] - t[:, 0]), axis=1)

    @cached_property
    def face_centers(self) -> np.ndarray:
        """Centroids of the faces (m)."""
        return self.triangles.mean(axis=1)

    @property
    def surface_area(self) -> float:
        """Total surface area (m^2)."""
        return float(self.face_areas.sum())

    @property
    def volume(self) -> float:
        """Enclosed volume (m^3), positive for outward-wound faces."""
        t = self.triangles
        return float(np.einsum("ij,ij->i", t[:, 0], np.cross(t[:, 1], t[:, 2])).sum() / 6.0)

    @property
    def equivalent_diameter(self) -> float:
        """Diameter of the sphere of equal volume (m)."""
        return float(np.cbrt(6.0 * abs(self.volume) / np.pi))

    @property
    def centroid(self) -> np.ndarray:
        """Centre of volume (= centre of mass at constant density), metres."""
        t = self.triangles
        det = np.einsum("ij,ij->i", t[:, 0], np.cross(t[:, 1], t[:, 2]))
        return (det[:, None] * t.sum(axis=1)).sum(axis=0) / (24.0 * self.volume)

    def second_moment(self) -> np.ndarray:
        """Volume covariance integral  ∫ x x^T dV  about the origin (m^5)."""
        t = self.triangles
        det = np.einsum("ij,ij->i", t[:, 0], np.cross(t[:, 1], t[:, 2]))
        cov = np.einsum("f,fai,ab,fbj->ij", det, t, _CANONICAL_COV, t)
        return cov

    def inertia_tensor(self, density_kg_m3: float = 1.0, about_centroid: bool = True) -> np.ndarray:
        """Inertia tensor (kg m^2) at constant density, about the centroid by default."""
        cov = self.second_moment()
        if about_centroid:
            c = self.centroid
            cov = cov - self.volume * np.outer(c, c)
        return density_kg_m3 * (np.trace(cov) * np.eye(3) - cov)

    def is_closed(self) -> bool:
        """True when every edge is shared by exactly two faces with opposite winding."""
        e = np.concatenate([self.faces[:, [0, 1]], self.faces[:, [1, 2]], self.faces[:, [2, 0]]])
        fwd = {tuple(x) for x in e.tolist()}
        return len(fwd) == len(e) and all((b, a) in fwd for a, b in fwd)

    def bounding_radius(self) -> float:
        """Largest vertex distance from the origin (m)."""
        return float(np.linalg.norm(self.vertices, axis=1).max())

    # --- transforms -----------------------------------------------------------------
    def translated(self, offset) -> TriangleMesh:
        """A copy moved by ``offset`` (m)."""
        return TriangleMesh(self.vertices + np.asarray(offset, dtype=float), self.faces)

    def scaled(self, factor: float) -> TriangleMesh:
        """A copy scaled about the origin by ``factor``."""
        return TriangleMesh(self.vertices * float(factor), self.faces)

    def centered(self) -> TriangleMesh:
        """A copy with the centroid moved to the origin."""
        return self.translated(-self.centroid)

    def principal_axes_aligned(self) -> TriangleMesh:
        """A copy centred and rotated so that x, y, z are the axes of least, middle, most inertia.

        This is the usual body-fixed frame of a small body: +z is the axis of maximum
        inertia, about which a relaxed body spins.
        """
        m = self.centered()
        w, vecs = np.linalg.eigh(m.inertia_tensor())
        if np.linalg.det(vecs) < 0:
            vecs[:, 2] *= -1.0
        return TriangleMesh(m.vertices @ vecs, m.faces)

    def oriented_outwards(self) -> TriangleMesh:
        """A copy with every face flipped if the mesh is wound inwards (negative volume)."""
        if self.volume < 0:
            return TriangleMesh(self.vertices, self.faces[:, ::-1])
        return self

    # --- ray casting ------------------------------------------------------------------
    def ray_cast(self, origins, directions):
        """First hit of rays with the surface.

        Returns ``(distance (k,), face_index (k,))``; rays that miss give ``inf`` and -1.
        ``directions`` need not be unit vectors; distance is in units of their length.
        """
        o = np.atleast_2d(np.asarray(origins, dtype=float))
        d = np.atleast_2d(np.asarray(directions, dtype=float))
        o, d = np.broadcast_arrays(o, d)
        t = self.triangles
        return _ray_cast_kernel(
            np.ascontiguousarray(o), np.ascontiguousarray(d), np.ascontiguousarray(t)
        )

    def contains(self, points) -> np.ndarray:
        """True for points strictly inside the closed surface (ray parity along +x and a skew ray)."""
        p = np.atleast_2d(np.asarray(points, dtype=float))
        t = np.ascontiguousarray(self.triangles)
        votes = np.zeros(len(p), dtype=int)
        for d in ([1.0, 0.0, 0.0], [0.267, 0.534, 0.802], [-0.577, 0.577, -0.577]):
            dirs = np.ascontiguousarray(np.broadcast_to(np.asarray(d), p.shape))
            votes += _ray_crossings_kernel(np.ascontiguousarray(p), dirs, t) % 2
        return votes >= 2

    def __repr__(self) -> str:
        return (
            f"TriangleMesh({len(self.vertices)} vertices, {len(self.faces)} faces, "
            f"volume={self.volume:.4g} m3, D_eq={self.equivalent_diameter:.3g} m)"
        )


@numba.njit(cache=True)
def _ray_triangle(ox, oy, oz, dx, dy, dz, tri, tol):
    eps = 1e-12
    e1x = tri[1, 0] - tri[0, 0]
    e1y = tri[1, 1] - tri[0, 1]
    e1z = tri[1, 2] - tri[0, 2]
    e2x = tri[2, 0] - tri[0, 0]
    e2y = tri[2, 1] - tri[0, 1]
    e2z = tri[2, 2] - tri[0, 2]
    px = dy * e2z - dz * e2y
    py = dz * e2x - dx * e2z
    pz = dx * e2y - dy * e2x
    det = e1x * px + e1y * py + e1z * pz
    if abs(det) < eps:
        return np.inf
    inv = 1.0 / det
    tx = ox - tri[0, 0]
    ty = oy - tri[0, 1]
    tz = oz - tri[0, 2]
    u = (tx * px + ty * py + tz * pz) * inv
    if u < -tol or u > 1.0 + tol:
        return np.inf
    qx = ty * e1z - tz * e1y
    qy = tz * e1x - tx * e1z
    qz = tx * e1y - ty * e1x
    v = (dx * qx + dy * qy + dz * qz) * inv
    if v < -tol or u + v > 1.0 + tol:
        return np.inf
    s = (e2x * qx + e2y * qy + e2z * qz) * inv
    if s <= 1e-12:
        return np.inf
    return s


@numba.njit(cache=True)
def _ray_cast_kernel(origins, dirs, tris):
    k = origins.shape[0]
    dist = np.full(k, np.inf)
    idx = np.full(k, -1, dtype=np.int64)
    for i in range(k):
        for j in range(tris.shape[0]):
            s = _ray_triangle(
                origins[i, 0],
                origins[i, 1],
                origins[i, 2],
                dirs[i, 0],
                dirs[i, 1],
                dirs[i, 2],
                tris[j],
                1e-9,
            )
            if s < dist[i]:
                dist[i] = s
                idx[i] = j
    return dist, idx


@numba.njit(cache=True)
def _ray_crossings_kernel(origins, dirs, tris):
    k = origins.shape[0]
    out = np.zeros(k, dtype=np.int64)
    for i in range(k):
        for j in range(tris.shape[0]):
            s = _ray_triangle(
                origins[i, 0],
                origins[i, 1],
                origins[i, 2],
                dirs[i, 0],
                dirs[i, 1],
                dirs[i, 2],
                tris[j],
                0.0,
            )
            if np.isfinite(s):
                out[i] += 1
    return out


# --- constructors ---------------------------------------------------------------------
def icosphere(subdivisions: int = 3, radius: float = 1.0) -> TriangleMesh:
    """A geodesic sphere: an icosahedron with each face split ``subdivisions`` times in four."""
    if not (0 <= int(subdivisions) <= 7):
        raise ValueError(f"subdivisions must be 0..7, got {subdivisions!r}")
    p = (1.0 + 5.0**0.5) / 2.0
    verts = [
        [-1, p, 0], [1, p, 0], [-1, -p, 0], [1, -p, 0],
        [0, -1, p], [0, 1, p], [0, -1, -p], [0, 1, -p],
        [p, 0, -1], [p, 0, 1], [-p, 0, -1], [-p, 0, 1],
    ]  # fmt: skip
    faces = [
        [0, 11, 5], [0, 5, 1], [0, 1, 7], [0, 7, 10], [0, 10, 11],
        [1, 5, 9], [5, 11, 4], [11, 10, 2], [10, 7, 6], [7, 1, 8],
        [3, 9, 4], [3, 4, 2], [3, 2, 6], [3, 6, 8], [3, 8, 9],
        [4, 9, 5], [2, 4, 11], [6, 2, 10], [8, 6, 7], [9, 8, 1],
    ]  # fmt: skip
    v = [np.asarray(x, float) / np.linalg.norm(x) for x in verts]
    f = [tuple(x) for x in faces]
    for _ in range(int(subdivisions)):
        cache: dict[tuple[int, int], int] = {}

        def mid(i: int, j: int, cache=cache) -> int:
            key = (min(i, j), max(i, j))
            if key not in cache:
                m = v[i] + v[j]
                v.append(m / np.linalg.norm(m))
                cache[key] = len(v) - 1
            return cache[key]

        nf = []
        for a, b, c in f:
            ab, bc, ca = mid(a, b), mid(b, c), mid(c, a)
            nf += [(a, ab, ca), (b, bc, ab), (c, ca, bc), (ab, bc, ca)]
        f = nf
    return TriangleMesh(np.array(v) * float(radius), np.array(f))


def ellipsoid_mesh(semi_axes, subdivisions: int = 4) -> TriangleMesh:
    """A triangulated triaxial ellipsoid with semi-axes (a, b, c) along x, y, z (m)."""
    a, b, c = (float(x) for x in semi_axes)
    s = icosphere(subdivisions)
    return TriangleMesh(s.vertices * np.array([a, b, c]), s.faces)


def synthetic_body(
    diameter_m: float,
    axis_ratios=(1.3, 1.0, 0.8),
    seed: int = 0,
    subdivisions: int = 3,
    roughness: float = 0.08,
    n_craters: int = 6,
) -> TriangleMesh:
    """A seeded, elongated, lumpy rocky body of a given volume-equivalent diameter.

    An ellipsoid of the given axis ratios is deformed radially by a few random
    low-order undulations (amplitude ``roughness`` of the radius) and ``n_craters``
    shallow bowls, then centred on its centroid, aligned with its principal axes
    (+z = maximum inertia) and scaled to the exact diameter. The result is
    star-shaped about the origin, so it is a valid closed polyhedron.
    """
    from gnc.bodies import as_float

    d = as_float(diameter_m, "m", "diameter_m")
    if d <= 0:
        raise ValueError(f"diameter_m must be positive, got {d}")
    if not (0.0 <= roughness < 0.4):
        raise ValueError(f"roughness must be in [0, 0.4), got {roughness}")
    rng = np.random.default_rng(seed)
    ratios = np.asarray(axis_ratios, dtype=float)
    sphere = icosphere(subdivisions)
    u = sphere.vertices
    radial = np.ones(len(u))
    for order in (1, 2, 3, 4):
        for _ in range(2):
            axis = rng.normal(size=3)
            axis /= np.linalg.norm(axis)
            amp = roughness * rng.uniform(0.3, 1.0) / order
            radial += amp * np.cos(order * np.pi * (u @ axis) + rng.uniform(0, 2 * np.pi))
    for _ in range(int(n_craters)):
        centre = rng.normal(size=3)
        centre /= np.linalg.norm(centre)
        width = rng.uniform(0.15, 0.35)
        depth = roughness * rng.uniform(0.3, 0.8)
        ang = np.arccos(np.clip(u @ centre, -1.0, 1.0))
        radial -= depth * np.clip(1.0 - (ang / width) ** 2, 0.0, None)
    radial = np.clip(radial, 0.5, None)
    mesh = TriangleMesh(u * radial[:, None] * ratios, sphere.faces).oriented_outwards()
    mesh = mesh.principal_axes_aligned()
    return mesh.scaled(d / mesh.equivalent_diameter)


# --- file formats ---------------------------------------------------------------------
def load_obj(path) -> TriangleMesh:
    """Read a Wavefront OBJ shape (``v`` and ``f`` lines; polygons are fan-triangulated).

    Coordinates are taken as metres; scale with :meth:`TriangleMesh.scaled` if the file
    is in km. Texture/normal indices (``f 1/1/1 ...``) and negative indices are handled.
    """
    verts: list[list[float]] = []
    faces: list[list[int]] = []
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"shape file not found: {p}")
    for lineno, line in enumerate(p.read_text().splitlines(), 1):
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        try:
            if parts[0] == "v":
                verts.append([float(x) for x in parts[1:4]])
            elif parts[0] == "f":
                idx = []
                for tok in parts[1:]:
                    i = int(tok.split("/")[0])
                    idx.append(i - 1 if i > 0 else len(verts) + i)
                for k in range(1, len(idx) - 1):
                    faces.append([idx[0], idx[k], idx[k + 1]])
        except ValueError as exc:
            raise ValueError(f"{p}:{lineno}: cannot parse OBJ line {line!r}") from exc
    if not faces:
        raise ValueError(f"{p}: no faces found; is this a Wavefront OBJ file?")
    return TriangleMesh(np.array(verts), np.array(faces)).oriented_outwards()


def save_obj(mesh: TriangleMesh, path) -> Path:
    """Write a mesh as Wavefront OBJ (1-based indices, metres)."""
    p = Path(path)
    lines = ["# kamo triangle mesh, units: m"]
    lines += [f"v {x:.9g} {y:.9g} {z:.9g}" for x, y, z in mesh.vertices]
    lines += [f"f {a + 1} {b + 1} {c + 1}" for a, b, c in mesh.faces]
    p.write_text("\n".join(lines) + "\n")
    return p


def _icq_cube_points(q: int) -> np.ndarray:
    """Unit-cube grid points for the 6 ICQ faces, shape (6, q+1, q+1, 3), indexed [f, j, i]."""
    s = np.linspace(-1.0, 1.0, q + 1)
    i_, j_ = np.meshgrid(s, s, indexing="xy")  # arrays [j, i]
    one = np.ones_like(i_)
    # Gaskell's face order: +z, +x, +y, -x, -y, -z (each a right-handed grid seen from outside)
    return np.stack(
        [
            np.stack([-j_, i_, one], -1),
            np.stack([one, i_, j_], -1),
            np.stack([-i_, one, j_], -1),
            np.stack([-one, -i_, j_], -1),
            np.stack([i_, -one, j_], -1),
            np.stack([j_, i_, -one], -1),
        ]
    )


def load_icq(path, scale: float = 1.0) -> TriangleMesh:
    """Read a Gaskell ICQ shape (first line Q, then 6 (Q+1)^2 vertices, ordered face, j, i).

    ICQ files are usually in km: pass ``scale=1000`` for metres. Vertices shared by
    neighbouring cube faces are merged, and each face's triangles are oriented outwards.
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"shape file not found: {p}")
    tokens = p.read_text().split()
    try:
        q = int(tokens[0])
        xyz = np.array([float(x) for x in tokens[1:]])
    except (ValueError, IndexError) as exc:
        raise ValueError(f"{p}: not an ICQ file (first token must be the integer Q)") from exc
    n = 6 * (q + 1) ** 2
    if xyz.size != 3 * n:
        raise ValueError(f"{p}: ICQ with Q={q} needs {n} vertices, found {xyz.size / 3:g}")
    grid = xyz.reshape(6, q + 1, q + 1, 3) * float(scale)
    return _mesh_from_cube_grid(grid)


def save_icq(mesh_or_grid, path, q: int = 16) -> Path:
    """Write a star-shaped mesh as ICQ by casting rays from the origin through a cube grid."""
    if isinstance(mesh_or_grid, TriangleMesh):
        dirs = _icq_cube_points(q).reshape(-1, 3)
        dist, _ = mesh_or_grid.ray_cast(np.zeros_like(dirs), dirs)
        if not np.all(np.isfinite(dist)):
            raise ValueError("mesh is not star-shaped about the origin; cannot sample it as ICQ")
        grid = (dirs * dist[:, None]).reshape(6, q + 1, q + 1, 3)
    else:
        grid = np.asarray(mesh_or_grid, dtype=float)
        q = grid.shape[1] - 1
    p = Path(path)
    lines = [f"{q:>12d}"] + [f"{x:.10e} {y:.10e} {z:.10e}" for x, y, z in grid.reshape(-1, 3)]
    p.write_text("\n".join(lines) + "\n")
    return p


def _mesh_from_cube_grid(grid: np.ndarray) -> TriangleMesh:
    q = grid.shape[1] - 1
    pts = grid.reshape(-1, 3)
    scale = np.abs(pts).max()
    key = np.round(pts / scale * 1e7).astype(np.int64)
    _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    verts = pts[first]
    ids = inverse.reshape(6, q + 1, q + 1)
    centre = verts.mean(axis=0)
    faces = []
    for f in range(6):
        block = []
        for j in range(q):
            for i in range(q):
                a, b, c, d = ids[f, j, i], ids[f, j, i + 1], ids[f, j + 1, i + 1], ids[f, j + 1, i]
                block += [[a, b, c], [a, c, d]]
        block = np.array(block)
        block = block[
            (block[:, 0] != block[:, 1])
            & (block[:, 1] != block[:, 2])
            & (block[:, 0] != block[:, 2])
        ]
        t = verts[block]
        normals = np.cross(t[:, 1] - t[:, 0], t[:, 2] - t[:, 0])
        if np.einsum("ij,ij->", normals, t.mean(axis=1) - centre) < 0:
            block = block[:, ::-1]
        faces.append(block)
    return TriangleMesh(verts, np.concatenate(faces))


def surface_ray(surface, origins, directions):
    """First hit of rays with a surface given as a mesh or as ellipsoid semi-axes (a, b, c).

    Returns ``(distance (k,), normal (k, 3))``: distance in units of the direction
    vectors' length (``inf`` on a miss) and the outward unit normal at the hit (NaN on a
    miss). Single rays ((3,) inputs) give a float and a (3,) normal.
    """
    o = np.atleast_2d(np.asarray(origins, dtype=float))
    d = np.atleast_2d(np.asarray(directions, dtype=float))
    o, d = np.broadcast_arrays(o, d)
    single = np.ndim(origins) == 1 and np.ndim(directions) == 1
    if isinstance(surface, TriangleMesh):
        dist, face = surface.ray_cast(o, d)
        normal = np.full(o.shape, np.nan)
        hit = face >= 0
        normal[hit] = surface.face_normals[face[hit]]
    else:
        axes = np.asarray(surface, dtype=float)
        if axes.shape != (3,) or np.any(axes <= 0):
            raise ValueError(f"surface must be a TriangleMesh or three semi-axes, got {surface!r}")
        oo, dd = o / axes, d / axes
        a = np.sum(dd * dd, axis=1)
        b = 2.0 * np.sum(oo * dd, axis=1)
        c = np.sum(oo * oo, axis=1) - 1.0
        disc = b * b - 4 * a * c
        sq = np.sqrt(np.maximum(disc, 0.0))
        near = (-b - sq) / (2 * a)
        far = (-b + sq) / (2 * a)
        t = np.where(near > 0, near, far)
        ok = (disc >= 0) & (t > 0)
        dist = np.where(ok, t, np.inf)
        p = o + d * np.where(ok, t, 0.0)[:, None]
        g = p / axes**2
        normal = np.where(ok[:, None], g / np.linalg.norm(g, axis=1, keepdims=True), np.nan)
    if single:
        return float(dist[0]), normal[0]
    return dist, normal
