"""Build ``examples/01_ephemerides_lambert_porkchop.ipynb`` from the cells below.

Run ``.venv/bin/python examples/_build_01.py`` after editing; add ``--execute`` to
run it in place (the test run executes it with nbmake anyway).
"""

from __future__ import annotations

import sys
from pathlib import Path

from _notebook import write_notebook

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "01_ephemerides_lambert_porkchop.ipynb"

CELLS = [
    (
        "md",
        """# Ephemerides, Lambert and porkchops

This notebook is where a mission analyst starts with kamo:

1. load planetary ephemerides (DE421 through SPICE, no download) and the mission's
   target asteroid **469219 Kamoʻoalewa** from its orbital elements;
2. solve a Lambert problem between boinor `Orbit`s (Mars 2020's transfer);
3. draw the 2025 Earth → Kamoʻoalewa porkchop and find the launch opportunities,
   with Tianwen-2's real launch (2025-05-28 17:31 UTC) marked.

Everything runs offline; kamo writes its leap-second kernel from astropy's bundled
table on first use.""",
    ),
    (
        "code",
        """import numpy as np
import matplotlib.pyplot as plt
from astropy import units as u
from astropy.time import Time

import orbits
import missions

orbits.ensure_kernels()          # LSK + de421.bsp, once per process""",
    ),
    (
        "md",
        "## 1. Ephemerides\n\nOne epoch or many: `orbits.state` takes ISO strings, astropy `Time`, datetimes, or arrays of them.",
    ),
    (
        "code",
        """launch = Time("2025-05-28T17:31:00", scale="utc")   # Tianwen-2 lift-off
earth = orbits.state("earth", launch)
earth""",
    ),
    (
        "md",
        """Kamoʻoalewa is not in DE421. `missions` keeps its JPL SBDB elements (epoch
2024-03-31 TDB) as TOML data with their source and registers it as a `SmallBody`,
propagated as a two-body orbit about the Sun. After that, names work everywhere.""",
    ),
    (
        "code",
        """missions.register_targets()
kamo = missions.target("kamooalewa")
kamo""",
    ),
    (
        "code",
        """days = Time("2025-01-01") + np.arange(0, 3 * 365, 2) * u.day
rel = orbits.state("kamooalewa", days, center="earth")      # vectorised over 548 epochs
distance = np.linalg.norm(rel.r.to_value(u.km), axis=-1) / 1e6

fig, ax = plt.subplots(figsize=(8, 3), layout="constrained")
ax.plot(days.datetime64, distance)
ax.axvline(launch.datetime64, color="crimson", label="Tianwen-2 launch")
ax.set_ylabel("Earth–Kamoʻoalewa (million km)")
ax.set_title("A quasi-satellite: never far from Earth (two-body elements)")
ax.legend();""",
    ),
    (
        "md",
        """## 2. Lambert with boinor `Orbit`s

Mars 2020 launched on 2020-07-30 and arrived on 2021-02-18. Take Earth's and Mars's
states from the ephemeris as boinor `Orbit`s, read them back in kamo's units, and solve
Lambert with kamo's Izzo solver.""",
    ),
    (
        "code",
        """from boinor.bodies import Sun
from orbits.twobody import from_orbit, to_orbit

t_launch = Time("2020-07-30T11:50:00", scale="utc")
t_arrive = Time("2021-02-18T20:55:00", scale="utc")
e = orbits.state("earth", t_launch)
m = orbits.state("mars", t_arrive)
earth_orbit = to_orbit(e.r, e.v, t_launch, Sun)
mars_orbit = to_orbit(m.r, m.v, t_arrive, Sun)
earth_orbit, mars_orbit""",
    ),
    (
        "code",
        """start, end = from_orbit(earth_orbit), from_orbit(mars_orbit)   # plain km, km/s, ET
r1, v_e, r2, v_m = start.r, start.v, end.r, end.v
tof = (t_arrive - t_launch).to(u.s)
v1, v2 = orbits.lambert(orbits.GM_SUN, r1, r2, tof.value)
vinf_launch = np.linalg.norm(v1 - v_e)
vinf_arrival = np.linalg.norm(v2 - v_m)
print(f"time of flight {tof.to(u.day):.1f}")
print(f"C3 at launch   {vinf_launch**2:.2f} km2/s2,  v-infinity at Mars {vinf_arrival:.2f} km/s")""",
    ),
    (
        "md",
        """The transfer arc is a boinor `Orbit` again, so everything boinor does with single
orbits (elements, plotting, maneuvers) is at hand. Propagating it over the time of
flight with kamo's universal-variable Kepler kernel lands on Mars's position. (kamo's
tests cross-check its Lambert solver against boinor's `izzo` over thousands of random
problems; boinor compiles its numba code on every start, which is why this notebook
leaves it out.)""",
    ),
    (
        "code",
        """transfer = to_orbit(r1, v1, t_launch, Sun)
print(transfer)
print(f"a = {transfer.a.to(u.au):.4f}, e = {transfer.ecc:.4f}, i = {transfer.inc.to(u.deg):.3f}")
r_end, v_end = orbits.propagate_kepler(orbits.GM_SUN, r1, v1, tof.value)
print(f"propagated over the time of flight, the transfer misses Mars by "
      f"{np.linalg.norm(r_end - r2) * 1e3:.3f} m")""",
    ),
    (
        "md",
        """## 3. Porkchops

`orbits.porkchop` solves every (launch, arrival) pair on a grid — here the 2020 Mars
window, 200 × 200 = 40,000 Lambert problems — and returns an `xarray.Dataset`.""",
    ),
    (
        "code",
        """mars = orbits.porkchop("earth", "mars", "2020-06-01/2020-09-30", "2021-01-01/2021-06-30", grid=200)
mars.porkchop.summary()["min_c3"]""",
    ),
    (
        "md",
        """Now the 2025 Earth → Kamoʻoalewa window. The asteroid shares Earth's orbit, so the
≈1-year transfers are one-revolution arcs: solve zero- and one-revolution families
(both branches) and keep the cheapest per cell.""",
    ),
    (
        "code",
        """pc = orbits.porkchop(
    "earth", "kamooalewa",
    "2025-01-01/2025-12-31", "2026-01-01/2027-06-30",
    grid=250, revolutions=(0, 1),
)
pc""",
    ),
    (
        "code",
        """ax = pc.porkchop.plot(mark_launch=launch, c3_max=30)
ax.figure.set_size_inches(9, 7)""",
    ),
    (
        "code",
        """import pandas as pd

s = pc.porkchop.summary()
pd.DataFrame({k: s[k] for k in ("min_c3", "min_dv")}).loc[
    ["launch", "arrival", "tof_days", "c3_km2_s2", "vinf_arrival_km_s"]
]""",
    ),
    (
        "md",
        """What would a purely ballistic transfer have cost on Tianwen-2's launch day? Slice the
Dataset by date. (Tianwen-2 flies electric propulsion with deep-space burns, so its real
budget differs; the published arrival is July 2026.)""",
    ),
    (
        "code",
        """day = pc.sel(launch=launch.datetime64, method="nearest")
best = day.isel(arrival=int(np.nanargmin(day.dv_total.values)))
july = day.sel(arrival="2026-07-05", method="nearest")
pd.DataFrame(
    {
        "best Δv arrival": [str(best.arrival.values)[:10], float(best.tof), float(best.c3_launch), float(best.vinf_arrival), int(best.revs)],
        "July 2026 arrival": [str(july.arrival.values)[:10], float(july.tof), float(july.c3_launch), float(july.vinf_arrival), int(july.revs)],
    },
    index=["arrival", "tof (d)", "C3 (km²/s²)", "v∞ arrival (km/s)", "revolutions"],
)""",
    ),
    (
        "md",
        """The Dataset saves as NetCDF (`pc.to_netcdf("pc.nc")`) and the same porkchop comes from the
command line:

```
kamo porkchop earth kamooalewa --launch 2025-01-01/2025-12-31 --arrival 2026-01-01/2027-06-30 \\
    --revs 0 --revs 1 --grid 250 --plot pc.png --out pc.nc --json
```""",
    ),
]


if __name__ == "__main__":
    write_notebook(CELLS, NOTEBOOK, sys.argv)
