"""Build ``examples/07_small_body_physics.ipynb`` from the cells below.

Run ``.venv/bin/python examples/_build_07_gnc_physics.py`` after editing; add
``--execute`` to run it in place (the test run executes it with nbmake anyway).
"""

from __future__ import annotations

import sys
from pathlib import Path

from _notebook import write_notebook

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "07_small_body_physics.ipynb"

CELLS = [
    (
        "md",
        """# Near Kamoʻoalewa: shape, gravity, motion and navigation

This notebook walks through the physics side of `gnc` (see `docs/gnc-physics.md`):

1. the body across its published size range;
2. a seeded synthetic shape and its gravity field (polyhedron truth model);
3. how far the ellipsoid and mascon models are from the truth;
4. motion in the spinning body-fixed frame, with sunlight and shadow;
5. the relative-navigation filter and its consistency over a small Monte Carlo.

Units near the asteroid are metres, seconds and kilograms.""",
    ),
    (
        "code",
        """import matplotlib.pyplot as plt
import numpy as np

from gnc.bodies import kamooalewa
from gnc.dynamics import jacobi_integral, propagate
from gnc.environment import SolarEnvironment
from gnc.gravity import gravity_error_table
from gnc.navigation import consistency_campaign""",
    ),
    ("md", "## 1. The body: its mass is unknown, so sweep the published range"),
    (
        "code",
        """for d in (36, 41, 58, 100):
    b = kamooalewa(diameter_m=d)
    print(
        f"D={d:4d} m  GM={b.gm:.2e} m3/s2  g={b.surface_gravity:.1e} m/s2  "
        f"v_esc={b.escape_speed * 100:.1f} cm/s  v_eq={b.equatorial_speed * 100:.1f} cm/s  "
        f"centrifugal/gravity={b.centrifugal_to_gravity:.0f}"
    )
body = kamooalewa(diameter_m=41, density=2700, period_min=28.3)
body""",
    ),
    ("md", "## 2. A synthetic shape and its gravity models"),
    (
        "code",
        """gs = body.gravity_set(seed=1, n_mascons=60)
mesh = gs.mesh
fig = plt.figure(figsize=(6, 5))
ax = fig.add_subplot(projection="3d")
v = mesh.vertices
ax.plot_trisurf(
    v[:, 0], v[:, 1], v[:, 2], triangles=mesh.faces, color="0.7", edgecolor="0.4", linewidth=0.1
)
ax.scatter(*gs.mascons.positions.T, c="tab:red", s=8, label="mascons")
ax.set_box_aspect(np.ptp(v, axis=0))
ax.set_xlabel("x (m)")
ax.set_ylabel("y (m)")
ax.set_zlabel("z (m)")
ax.legend()
gs""",
    ),
    (
        "md",
        """The field in the equatorial plane: gravity alone, and the effective acceleration a
spacecraft at rest in the spinning frame feels (gravity + centrifugal). At every size,
the spin wins just above the surface.""",
    ),
    (
        "code",
        """n = 41
xs = np.linspace(-60, 60, n)
X, Y = np.meshgrid(xs, xs)
pts = np.column_stack([X.ravel(), Y.ravel(), np.zeros(X.size)])
outside = ~mesh.contains(pts)
acc = np.full((len(pts), 3), np.nan)
acc[outside] = gs.polyhedron.acceleration(pts[outside])
w = body.omega_vector
centrifugal = -np.cross(w, np.cross(w, pts))
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), constrained_layout=True)
for ax, field, title in [
    (axes[0], acc, "gravity |a| (m/s$^2$)"),
    (axes[1], acc + centrifugal, "gravity + centrifugal |a| (m/s$^2$)"),
]:
    mag = np.linalg.norm(field, axis=1).reshape(X.shape)
    im = ax.pcolormesh(X, Y, np.log10(mag), shading="auto")
    ax.streamplot(
        X, Y, field[:, 0].reshape(X.shape), field[:, 1].reshape(X.shape), color="w", density=0.8
    )
    ax.set_aspect("equal")
    ax.set_title(title)
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    fig.colorbar(im, ax=ax, label="log10")""",
    ),
    ("md", "## 3. Model errors against the polyhedron"),
    (
        "code",
        """table = gravity_error_table(
    gs.polyhedron,
    {"point mass": gs.point_mass, "ellipsoid": gs.ellipsoid, "mascons": gs.mascons},
    mesh,
    n=100,
    seed=3,
)
(table["median"] * 100).round(2).to_pandas()""",
    ),
    ("md", "## 4. Motion in the spinning frame: a release from 40 m above the north pole"),
    (
        "code",
        """env = SolarEnvironment(
    sun_dir_inertial=(1, 0, 0.2), spin_rate=body.spin_rate, area_m2=10, mass_kg=1000, surface=mesh
)
traj = propagate(
    gs.polyhedron,
    w,
    r0=[0.0, 0.0, 40.0],
    v0=[0.0, 0.0, -0.01],
    duration=4 * 3600,
    perturbation=env.acceleration,
    surface=mesh,
)
print(traj)
no_srp = propagate(
    gs.mascons, w, [0.0, 0.0, 40.0], [0.0, 0.0, -0.01], 3600.0, t_eval=np.linspace(0, 3600, 50)
)
c = jacobi_integral(gs.mascons, w, no_srp.r, no_srp.v)
print(f"Jacobi integral drift without SRP over 1 h: {np.ptp(c) / abs(c[0]):.1e} (relative)")
fig, ax = plt.subplots(figsize=(5, 4))
ax.plot(traj.t / 60, np.linalg.norm(traj.r, axis=1))
ax.set_xlabel("time (min)")
ax.set_ylabel("distance from the centre (m)")""",
    ),
    ("md", "## 5. Navigation: EKF consistency over a seeded Monte Carlo"),
    (
        "code",
        """ds = consistency_campaign(
    n_runs=6, seed=0, duration_s=120.0, position_sigma_m=0.3, velocity_sigma_m_s=0.003
)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(ds.time, ds.nees_mean, label="run-averaged NEES")
ax.axhline(ds.attrs["nees_lo"], color="k", ls="--", lw=0.8)
ax.axhline(ds.attrs["nees_hi"], color="k", ls="--", lw=0.8, label="95 % chi-square band")
ax.set_xlabel("time (s)")
ax.set_ylabel("NEES (9 states)")
ax.legend()
print(f"fraction of steps inside the band: {ds.attrs['fraction_inside']:.0%}")""",
    ),
    (
        "md",
        """From the command line:

```
kamo body --diameter 58 --json
kamo body --seed 1 --gravity-errors --shape-out shape.obj
```""",
    ),
]


if __name__ == "__main__":
    write_notebook(CELLS, NOTEBOOK, sys.argv)
