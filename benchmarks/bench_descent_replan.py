"""Descent re-planning speed: the convex re-planner (tailored interior point) against CasADi + IPOPT.

The same 50-node fuel-optimal descent (41 m Kamoʻoalewa, 1200 kg, 20 N RCS,
45 deg approach cone, 50 m hover to the site at 10 cm/s) is solved

* cold: from scratch (IPOPT from a straight-line guess; the convex planner with
  no previous plan), and
* warm: along a shrinking-horizon MPC sequence, each re-plan starting 5 s
  further along with a perturbed state (IPOPT warm-started from the previous
  primal and dual solution, ``warm_start_init_point``; the convex planner from
  its previous plan's gravity profile and binding cone rows).

It prints median times, the ratio, and the agreement of the optimal costs.
Goal (issue 4): median warm re-plan < 5 ms, cold < 0.1 s.
"""

from __future__ import annotations

import time

import numpy as np

from gnc.bodies import kamooalewa
from gnc.convex import ConvexDescentPlanner
from gnc.descent import ProximitySpacecraft, descent_problem, sampling_site


def main() -> None:
    body = kamooalewa(41.0, 2700.0, 28.3)
    site = sampling_site(body, 30.0, 20.0)
    grav = body.point_mass_gravity()
    craft = ProximitySpacecraft()

    def g_local(r):
        return grav.acceleration(site.to_body(r)) @ site.frame

    planner = ConvexDescentPlanner(
        site.omega_local,
        site.position_local,
        g_local,
        accel_max=craft.guidance_thrust_n / craft.mass_kg,
        mass_kg=craft.mass_kg,
        isp_s=craft.isp_s,
    )
    prob = descent_problem(site, grav, craft, n_intervals=50, duration_s=400.0)
    r0, vt = np.array([0.0, 0.0, 50.0]), np.array([0.0, 0.0, -0.1])
    pars = {"r0": r0, "v0": np.zeros(3), "m0": craft.mass_kg, "v_target": vt}
    guess = {"r": [r0, np.zeros(3)], "v": [np.zeros(3), vt]}

    # warm-up: compile the numba kernels and build the IPOPT solvers (not timed)
    planner.plan(r0, np.zeros(3), np.zeros(3), vt, 400.0)
    first = prob.solve(pars, guess=guess)
    prob.solve(pars, guess=first, warm_start="primal-dual")

    cold_ipopt, cold_cvx = [], []
    for _ in range(5):
        t = time.perf_counter()
        sol = prob.solve(pars, guess=guess)
        cold_ipopt.append(time.perf_counter() - t)
        planner._disc_cache.clear()  # a cold plan also discretises its model
        t = time.perf_counter()
        plan = planner.plan(r0, np.zeros(3), np.zeros(3), vt, 400.0)
        cold_cvx.append(time.perf_counter() - t)
    cost_gap = abs(plan.objective - sol.objective) / sol.objective

    rng = np.random.default_rng(0)
    warm_ipopt, warm_cvx, iters_ipopt, iters_cvx = [], [], [], []
    prev_sol, prev_plan = sol, plan
    r, v = r0.copy(), np.zeros(3)
    for i in range(1, 31):
        t_go = 400.0 - 5.0 * i
        # the state 5 s along the previous plan, with navigation-like perturbations
        k = min(1, len(prev_plan.r) - 1)
        frac = 5.0 / (prev_plan.t[1] - prev_plan.t[0])
        r = prev_plan.r[0] + frac * (prev_plan.r[k] - prev_plan.r[0]) + rng.normal(0, 0.02, 3)
        v = prev_plan.v[0] + frac * (prev_plan.v[k] - prev_plan.v[0]) + rng.normal(0, 5e-4, 3)
        p = dict(pars, r0=r, v0=v)
        t = time.perf_counter()
        s = prob.solve(p, guess=prev_sol, warm_start="primal-dual", duration=t_go)
        warm_ipopt.append(time.perf_counter() - t)
        iters_ipopt.append(s.iterations)
        t = time.perf_counter()
        pl = planner.plan(r, v, np.zeros(3), vt, t_go, warm=prev_plan)
        warm_cvx.append(time.perf_counter() - t)
        iters_cvx.append(pl.iterations)
        if s.success:
            prev_sol = s
        prev_plan = pl
    # for reference: IPOPT on the cheaper trapezoidal transcription (a slightly different model)
    trap = descent_problem(
        site, grav, craft, n_intervals=50, duration_s=400.0, transcription="trapezoidal"
    )
    t_first = trap.solve(pars, guess=guess)
    trap.solve(pars, guess=t_first, warm_start="primal-dual")
    trap_cold, trap_warm = [], []
    for i in range(1, 6):
        t = time.perf_counter()
        tc = trap.solve(pars, guess=guess)
        trap_cold.append(time.perf_counter() - t)
        t = time.perf_counter()
        trap.solve(dict(pars, r0=r0 + [0.02 * i, 0.0, -0.5 * i]), guess=tc, duration=400.0 - 5 * i)
        trap_warm.append(time.perf_counter() - t)
    ms = 1e3
    print("50-node fuel-optimal descent re-plan (median of runs, same problem, same process)")
    print(f"  IPOPT cold                 {ms * np.median(cold_ipopt):9.2f} ms")
    print(
        f"  IPOPT warm (primal-dual)   {ms * np.median(warm_ipopt):9.2f} ms  ({np.median(iters_ipopt):.0f} iterations)"
    )
    print(
        f"  IPOPT trapezoidal cold     {ms * np.median(trap_cold):9.2f} ms  (reference, cheaper model)"
    )
    print(f"  IPOPT trapezoidal warm     {ms * np.median(trap_warm):9.2f} ms")
    print(f"  convex cold                {ms * np.median(cold_cvx):9.2f} ms  (goal < 100 ms)")
    print(
        f"  convex warm                {ms * np.median(warm_cvx):9.2f} ms  ({np.median(iters_cvx):.0f} IPM iterations; goal < 5 ms)"
    )
    print(f"  speed-up cold  x{np.median(cold_ipopt) / np.median(cold_cvx):.1f}")
    print(f"  speed-up warm  x{np.median(warm_ipopt) / np.median(warm_cvx):.1f}")
    print(f"  optimal cost: convex vs IPOPT relative gap {cost_gap:.1e}")


if __name__ == "__main__":
    main()
