"""Build ``examples/04_autonomy.ipynb`` from the cells below.

Run ``.venv/bin/python examples/_build_04.py`` after editing; add ``--execute`` to
run it once (the notebook is stored unexecuted; the test run executes it with nbmake).
"""

from __future__ import annotations

import sys
from pathlib import Path

from _notebook import write_notebook

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "04_autonomy.ipynb"

CELLS = [
    (
        "md",
        """# The onboard executive: deciding while flying

kamo's `autonomy.Executive` flies the proximity phases at a small body: approach,
survey, site selection, rehearsal, touch-and-go, back-away, verification and
departure. It takes plain observations and returns plain commands; every decision
goes to an event log with its reason and the numbers behind it.

`missions.run_scenario` flies it in closed loop against a simulated spacecraft
(the plant, built from `gnc`). This notebook runs two registered scenarios and
reads their decision logs.""",
    ),
    (
        "code",
        """import matplotlib.pyplot as plt
import numpy as np
from missions import run_scenario, scenario_names

scenario_names()""",
    ),
    ("md", "## Nominal: one rehearsal, then touch-and-go"),
    (
        "code",
        """res = run_scenario("nominal", seed=0)
res""",
    ),
    (
        "md",
        """The log, as a person reads it (site ranking and imaging lines left out here):""",
    ),
    (
        "code",
        """for e in res.log:
    if e.decision not in ("SITE-RANK", "IMAGING", "GOAL", "LEG", "REPLAN-OK"):
        print(str(e)[:200])""",
    ),
    (
        "md",
        """The same log as a table: one column per number the decisions were taken on.
Here are the three gates of the touch-and-go attempt.""",
    ),
    (
        "code",
        """df = res.decisions
gates = df[df.decision.isin(["GO", "HOLD", "WAIVE-OFF"])]
gates[["t", "mode", "decision", "altitude_m", "dispersion_radius_m", "safe_radius_m", "nav_sigma_m", "propellant_after_kg"]]""",
    ),
    (
        "code",
        """traj = res.trajectory
fig, ax = plt.subplots(figsize=(9, 4))
for mode in dict.fromkeys(traj["mode"].values):
    sel = traj["mode"] == mode
    ax.plot(traj["time"][sel], traj["altitude"][sel], ".", ms=2, label=mode)
ax.set_xlabel("time (s)")
ax.set_ylabel("altitude (m)")
ax.set_yscale("symlog", linthresh=1.0)
ax.legend(ncol=3, fontsize=8)
ax.set_title(f"nominal, seed 0: {res.outcome}; touchdown at {res.touchdowns[0]['vertical_speed_m_s']:.3f} m/s")""",
    ),
    (
        "md",
        """## A hazard found on the way down

Low-altitude images reveal a 1.2 m boulder next to site A's centre. At the
checkpoint the predicted touchdown circle reaches it: the executive waves off,
backs away, excludes A and selects site B.""",
    ),
    (
        "code",
        """res2 = run_scenario("hazard-waiveoff", seed=1)
print(res2.outcome, "-", res2.reason)
for e in res2.log:
    if e.decision in ("HAZARD-MAP", "WAIVE-OFF", "SITE", "GO") or (e.decision == "SITE-RANK" and e.t > 1000):
        print(str(e)[:190])""",
    ),
    (
        "md",
        """## Sweeping a rule: where does an altimeter loss stop the attempt?

The rules allow camera-only navigation below the camera-only limit (past the
matchpoint); above it the executive backs away. Overrides move the fault.""",
    ),
    (
        "code",
        """for alt in (10.0, 35.0):
    r = run_scenario("altimeter-dropout", seed=2, faults__0__below_altitude_m=alt)
    fdir = [e.reason for e in r.log.decisions("FDIR")]
    print(f"altimeter lost below {alt:4.0f} m -> {r.outcome:13s} {fdir[0][:95]}")""",
    ),
    (
        "md",
        """The log also turns into an xarray Dataset (units on every number) for
campaign analysis:""",
    ),
    ("code", """res.log.to_xarray()"""),
]


if __name__ == "__main__":
    write_notebook(CELLS, NOTEBOOK, sys.argv)
