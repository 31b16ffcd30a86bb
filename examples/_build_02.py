"""Build ``examples/02_proximity_descent.ipynb`` from the cells below.

Run ``.venv/bin/python examples/_build_02.py`` after editing; add ``--execute`` to
run it in place (the test run executes it with nbmake anyway).
"""

from __future__ import annotations

import sys
from pathlib import Path

from _notebook import write_notebook

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "02_proximity_descent.ipynb"

CELLS = [
    (
        "md",
        """# Proximity descent and touch-and-go at Kamoʻoalewa

Kamoʻoalewa is 36 to 100 m across and spins in about 28 minutes: its self-gravity is
~1e-5 m/s², and at the equator the spin's centrifugal pull is 15 to 25 times that.
Touching it is docking onto a fast-turning body. This notebook

1. loads a shape (a seeded synthetic rocky body) and plots its gravity field;
2. picks a sampling site and designs a fuel-optimal descent with CasADi + IPOPT;
3. re-plans the same descent with kamo's convex re-planner (about a millisecond);
4. flies the whole hover → descent → touch-and-go → back-away in closed loop, with
   the sensors, the EKF, the MPC guidance and the thrusters in the loop, and plots it.""",
    ),
    (
        "code",
        """import numpy as np
import matplotlib.pyplot as plt

from gnc.bodies import kamooalewa
from gnc.gravity import PolyhedronGravity
from gnc.descent import ProximitySpacecraft, descent_problem, sampling_site, solution_dataset
from gnc.convex import ConvexDescentPlanner
from gnc.simulation import TouchAndGoScenario, simulate_touch_and_go

body = kamooalewa(diameter_m=41.0, density=2700.0, period_min=28.3)
mesh = body.synthetic_shape(seed=0, subdivisions=3)
body, mesh""",
    ),
    (
        "md",
        "## 1. Gravity and spin in the equatorial plane\n\nThe polyhedron gravity (ESA's `polyhedral-gravity`) with the centrifugal term of the rotating frame: outside a few body radii the spin dominates.",
    ),
    (
        "code",
        """grav = PolyhedronGravity(mesh, body.density_kg_m3)
x = np.linspace(-60, 60, 41)
X, Y = np.meshgrid(x, x)
pts = np.stack([X.ravel(), Y.ravel(), np.zeros(X.size)], axis=1)
inside = mesh.contains(pts)
g = grav.acceleration(pts)
w = body.omega_vector
cf = -np.cross(w, np.cross(w, pts))
fig, ax = plt.subplots(1, 2, figsize=(11, 4.5), constrained_layout=True)
for a, field, title in [(ax[0], g, "gravity |g| (m/s²)"), (ax[1], g + cf, "gravity + centrifugal (m/s²)")]:
    mag = np.linalg.norm(field, axis=1)
    mag[inside] = np.nan
    im = a.pcolormesh(X, Y, np.log10(mag.reshape(X.shape)), shading="auto")
    a.set(title=title + ", log10", xlabel="x (m)", ylabel="y (m)", aspect="equal")
    fig.colorbar(im, ax=a)
print(f"surface gravity ~{body.surface_gravity:.1e} m/s², centrifugal/gravity at the equator {body.centrifugal_to_gravity:.0f}")""",
    ),
    (
        "md",
        "## 2. A fuel-optimal descent (IPOPT through kamo's transcription layer)\n\nSite at 30° latitude; descent from a 50 m hover to the site in 400 s, arriving at 10 cm/s straight down and with no lateral speed relative to the turning surface, inside a 45° approach cone.",
    ),
    (
        "code",
        """site = sampling_site(body, latitude_deg=30.0, longitude_deg=20.0, mesh=mesh)
craft = ProximitySpacecraft()
pm = body.point_mass_gravity()   # the optimiser's gravity model (CasADi can differentiate it)
prob = descent_problem(site, pm, craft, n_intervals=50, duration_s=400.0)
r0, vt = np.array([0.0, 0.0, 50.0]), np.array([0.0, 0.0, -0.1])
pars = {"r0": r0, "v0": np.zeros(3), "m0": craft.mass_kg, "v_target": vt}
sol = prob.solve(pars, guess={"r": [r0, np.zeros(3)], "v": [np.zeros(3), vt]})
plan_ds = solution_dataset(sol, site, craft)
print(site, craft, sol, sep="\\n")
print(f"propellant {craft.mass_kg - sol.state('m')[-1]:.3f} kg")""",
    ),
    (
        "code",
        """def g_local(r):
    return pm.acceleration(site.to_body(r)) @ site.frame

planner = ConvexDescentPlanner(site.omega_local, site.position_local, g_local,
                               accel_max=craft.guidance_thrust_n / craft.mass_kg,
                               mass_kg=craft.mass_kg, isp_s=craft.isp_s)
plan = planner.plan(r0, np.zeros(3), np.zeros(3), vt, 400.0)
plan = planner.plan(r0, np.zeros(3), np.zeros(3), vt, 400.0, warm=plan)
print(plan)
print(f"cost: convex {plan.objective:.6f}, IPOPT {sol.objective:.6f}")
fig, ax = plt.subplots(1, 2, figsize=(11, 4), constrained_layout=True)
ax[0].plot(plan_ds.r_local.sel(axis="east"), plan_ds.altitude, label="IPOPT")
ax[0].plot(plan.r[:, 0], plan.r[:, 2], "--", label="convex")
ax[0].plot([-50, 0, 50], [50, 0, 50], "k:", label="approach cone")
ax[0].set(xlabel="east (m)", ylabel="up (m)", title="descent in the site frame")
ax[0].legend()
plan_ds.thrust_local.plot.line(x="time", ax=ax[1])
ax[1].set(title="IPOPT thrust (N): bang-off-bang")
plt.show()""",
    ),
    (
        "md",
        "## 3. Closed loop: hover → descent → touch-and-go → back-away\n\nThe truth uses the polyhedron gravity; the EKF uses altimeter, landmarks, the target marker and a biased accelerometer; the MPC re-plans every second on the shrinking horizon; twelve 20 N thrusters with a minimum impulse bit fly it.",
    ),
    (
        "code",
        """res = simulate_touch_and_go(seed=0)
print(res)
ds = res.trajectory
fig, ax = plt.subplots(2, 2, figsize=(11, 7), constrained_layout=True)
ds.altitude.plot(ax=ax[0, 0])
ax[0, 0].set_title("altitude above the site (m)")
(100 * ds.v_local).plot.line(x="time", ax=ax[0, 1])
ax[0, 1].set_title("velocity relative to the surface (cm/s)")
ds.position_error.plot.line(x="time", ax=ax[1, 0])
ds.position_sigma.plot(ax=ax[1, 0], color="k", ls="--")
ax[1, 0].set(title="navigation error (m) and 1-sigma", ylim=(-0.5, 0.5))
ds.thrust_local.plot.line(x="time", ax=ax[1, 1])
ax[1, 1].set_title("delivered thrust (N)")
plt.show()""",
    ),
]


if __name__ == "__main__":
    write_notebook(CELLS, NOTEBOOK, sys.argv)
