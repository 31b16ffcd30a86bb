"""Benchmark: the complete mission plan of the reference mission (missions/tianwen2.toml).

Prints:

* the complete plan cold, in a fresh process (imports, kernel loading, numba and
  heyoka caches from disk, CasADi problem build, every step and the high-fidelity
  check), goal < 2 min;
* a re-plan after a changed launch date, warm (same process, the low-thrust
  problem already built and warm-started from the previous solution), goal < 20 s;
* the reference for that re-plan: the same re-plan with nothing reused (a fresh
  low-thrust problem started from the impulsive design), and the ratio;
* the time per planning step of the warm re-plan.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COLD = """
import time
t = time.perf_counter()
from missions.plan import plan_mission
p = plan_mission()
print(f"{time.perf_counter() - t:.3f} {p.feasible} {p.propellant_kg:.1f}")
"""


def main() -> None:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", COLD], capture_output=True, text=True, cwd=ROOT, check=True
    )
    wall_cold = time.perf_counter() - start
    inner, feasible, prop = out.stdout.split()[-3:]
    print(
        f"complete plan, cold (fresh process):       {wall_cold:7.1f} s wall "
        f"({float(inner):.1f} s inside; goal < 120 s)  feasible={feasible} propellant={prop} kg"
    )

    from missions.mission import load_mission
    from missions.plan import plan_mission, planner

    mission = load_mission()
    first = plan_mission(mission)
    launch = "2025-06-10T00:00"
    tic = time.perf_counter()
    warm = plan_mission(mission, launch_date=launch, warm=first)
    t_warm = time.perf_counter() - tic
    print(f"re-plan, launch moved to {launch[:10]}, warm:    {t_warm:7.2f} s (goal < 20 s)")
    print("   steps: " + ", ".join(f"{k} {v:.2f} s" for k, v in warm.timings_s.items()))

    planner._LT_CACHE.clear()
    tic = time.perf_counter()
    ref = plan_mission(mission, launch_date=launch)
    t_ref = time.perf_counter() - tic
    print(
        f"reference: same re-plan, nothing reused:     {t_ref:7.2f} s  -> warm is {t_ref / t_warm:.2f}x faster"
    )
    print(
        f"   low-thrust solve: warm {warm.timings_s['low_thrust']:.2f} s "
        f"({warm.low_thrust.iterations} it) vs cold {ref.timings_s['low_thrust']:.2f} s "
        f"({ref.low_thrust.iterations} it); propellant {warm.low_thrust.propellant_kg:.2f} vs "
        f"{ref.low_thrust.propellant_kg:.2f} kg"
    )


if __name__ == "__main__":
    main()
