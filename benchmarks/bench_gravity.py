"""Gravity-model speed and accuracy against the polyhedron truth model (ESA polyhedral-gravity).

Prints, for a seeded synthetic 41 m Kamoʻoalewa (1280 faces, 2.7 g/cm^3):
- evaluation time per point of point-mass, ellipsoid, mascon and polyhedron models on
  the same 5000 points, and each model's speed ratio against the polyhedron;
- each model's relative acceleration error against the polyhedron in radial shells;
- one propagation of a 30-minute hover arc: numba RK4 mascon kernel vs
  scipy DOP853 with the same mascons (speed ratio and end-point agreement).
"""

from __future__ import annotations

import time

import numpy as np

from gnc.bodies import kamooalewa
from gnc.dynamics import propagate, rk4_propagate
from gnc.gravity import (
    EllipsoidGravity,
    PointMassGravity,
    PolyhedronGravity,
    fit_mascons,
    gravity_error_table,
    sample_shell,
)
from gnc.shape import synthetic_body


def best_of(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    body = kamooalewa(diameter_m=41.0)
    mesh = synthetic_body(41.0, seed=1, subdivisions=3)
    truth = PolyhedronGravity(mesh, body.density_kg_m3)
    t0 = time.perf_counter()
    mascons = fit_mascons(truth, n_mascons=100, n_samples=800, seed=0)
    fit_s = time.perf_counter() - t0
    models = {
        "point mass": PointMassGravity(truth.gm),
        "ellipsoid": EllipsoidGravity.from_mesh(mesh, body.density_kg_m3),
        f"mascons ({len(mascons.gm_each)})": mascons,
        "polyhedron (reference)": truth,
    }
    pts = sample_shell(mesh, 5000, 1.05, 3.0, seed=3)
    print(f"body: {body!r}\nmesh: {mesh!r}\nmascon fit: {fit_s:.2f} s\n")
    print(f"{'model':28s} {'us/point':>10s} {'speed vs polyhedron':>20s}")
    ref = best_of(lambda: truth.acceleration(pts)) / len(pts)
    for name, m in models.items():
        per = best_of(lambda m=m: m.acceleration(pts)) / len(pts)
        print(f"{name:28s} {per * 1e6:10.2f} {ref / per:19.1f}x")

    print("\nrelative acceleration error vs polyhedron, median / p95 / max (%):")
    table = gravity_error_table(
        truth,
        {k: v for k, v in models.items() if "reference" not in k},
        mesh,
        shells=((1.01, 1.05), (1.05, 1.5), (1.5, 3.0), (3.0, 10.0)),
        n=300,
        seed=100,
    )
    print(f"{'model':28s} " + " ".join(f"{s:>22s}" for s in table.shell.values))
    for name in table.model.values:
        cells = []
        for s in table.shell.values:
            row = [table[k].sel(model=name, shell=s).item() * 100 for k in ("median", "p95", "max")]
            cells.append(f"{row[0]:6.2f} /{row[1]:6.2f} /{row[2]:6.2f}")
        print(f"{name:28s} " + " ".join(f"{c:>22s}" for c in cells))

    x0 = np.array([0.0, 35.0, 45.0, 0.0, 0.0, 0.0])
    w = body.omega_vector
    duration, dt = 1800.0, 0.5
    n_steps = int(duration / dt)
    rk4_propagate(mascons, w, x0, dt, 10)  # compile / load cache
    t_rk4 = best_of(lambda: rk4_propagate(mascons, w, x0, dt, n_steps))
    t_ivp = best_of(
        lambda: propagate(mascons, w, x0[:3], x0[3:], duration, t_eval=[duration]), repeat=1
    )
    end_rk4 = rk4_propagate(mascons, w, x0, dt, n_steps)[-1]
    end_ivp = propagate(mascons, w, x0[:3], x0[3:], duration, t_eval=[duration]).states[-1]
    print(
        f"\n30-min arc, {len(mascons.gm_each)} mascons: numba RK4 (dt {dt} s) {t_rk4 * 1e3:.1f} ms, "
        f"DOP853 (rtol 1e-10) {t_ivp * 1e3:.1f} ms, ratio {t_ivp / t_rk4:.0f}x; "
        f"end-point difference {np.linalg.norm(end_rk4[:3] - end_ivp[:3]) * 1e3:.3f} mm"
    )


if __name__ == "__main__":
    main()
