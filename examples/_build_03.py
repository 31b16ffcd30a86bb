"""Build ``examples/03_mission_plan.ipynb`` from the cells below.

Run ``.venv/bin/python examples/_build_03.py`` after editing; add ``--execute`` to
run it in place (the test run executes it with nbmake anyway).
"""

from __future__ import annotations

import sys
from pathlib import Path

from _notebook import write_notebook

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "03_mission_plan.ipynb"

CELLS = [
    (
        "md",
        """# The reference mission, planned end to end

Tianwen-2's profile (launch May 2025, Kamoʻoalewa in mid-2026, capsule back at
the end of 2027, then an Earth gravity assist and 311P around 2035) as a kamo
mission file, planned in one call:

1. load and inspect `missions/tianwen2.toml` (validated; a bad key is one clear error);
2. plan: launch porkchop, impulsive rendezvous with a deep-space manoeuvre, a
   CasADi low-thrust transfer bounded by the solar-electric power, the stay, the
   Earth return with capsule release and entry-speed limit, the gravity-assist
   chain to 311P (differential evolution + CasADi), the budget, and a
   high-fidelity check of every leg;
3. look at the plots and the budget;
4. change the launch date and re-plan (warm).

`fast=True` keeps this notebook quick; `kamo mission plan missions/tianwen2.toml`
runs the full-effort plan.""",
    ),
    (
        "code",
        """import matplotlib.pyplot as plt
import pandas as pd

from missions import load_mission, plan_mission

mission = load_mission()  # the reference mission, missions/tianwen2.toml
mission""",
    ),
    (
        "code",
        """sc, lv = mission.spacecraft, mission.launch_vehicle
print(f"wet mass {sc.wet_mass_kg:.0f} kg, dry {sc.dry_mass_kg:.0f} kg")
print(f"SEP thrust at 1 au {sc.sep.max_thrust_n(1.0) * 1e3:.0f} mN, at 2 au {sc.sep.max_thrust_n(2.0) * 1e3:.0f} mN (P ~ 1/r^2)")
print(f"{lv.name}: largest C3 for {sc.wet_mass_kg:.0f} kg is {lv.max_c3(sc.wet_mass_kg):.2f} km^2/s^2 ({lv.source})")
try:
    mission.replace(**{"phases.return.entry_speed_max_km_s": -12})
except ValueError as err:
    print("a bad value is refused:", err)""",
    ),
    (
        "md",
        "## Plan it",
    ),
    (
        "code",
        """plan = plan_mission(mission, fast=True, progress=print)
plan""",
    ),
    (
        "code",
        """pd.DataFrame([m.as_dict() for m in plan.manoeuvres]).round(3)""",
    ),
    (
        "code",
        """pd.DataFrame([c.as_dict() for c in plan.checks]).round(4)""",
    ),
    (
        "code",
        """fig, axes = plt.subplots(2, 2, figsize=(14, 11), layout="constrained")
plan.plot_trajectory(axes[0, 0])
plan.plot_porkchop(axes[0, 1])
plan.plot_distances(axes[1, 0])
plan.plot_thrust(axes[1, 1]);""",
    ),
    (
        "md",
        """The trajectory is an xarray Dataset (time, position, velocity, mass, thrust)
that saves to NetCDF; `plan.write("plan/")` also writes the spacecraft SPK, the
timeline and the budget.""",
    ),
    (
        "code",
        """plan.trajectory""",
    ),
    (
        "md",
        """## Change the launch date and re-plan

Fix the launch on Tianwen-2's real launch day. The previous plan warm-starts the
low-thrust solver (IPOPT primal warm start, no rebuild of the problem).""",
    ),
    (
        "code",
        """replan = plan_mission(mission, fast=True, launch_date="2025-05-28T17:31", warm=plan)
pd.DataFrame({"first plan": plan.event_iso(), "launch on 2025-05-28": replan.event_iso()})""",
    ),
    (
        "code",
        """print(f"propellant {plan.propellant_kg:.0f} kg -> {replan.propellant_kg:.0f} kg; "
      f"launch C3 {plan.launch_c3:.2f} -> {replan.launch_c3:.2f} km^2/s^2; "
      f"re-plan took {sum(replan.timings_s.values()):.1f} s of solver time")""",
    ),
]


if __name__ == "__main__":
    write_notebook(CELLS, NOTEBOOK, sys.argv)
