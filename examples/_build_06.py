"""Build ``examples/06_space_weather.ipynb`` from the cells below.

Run ``.venv/bin/python examples/_build_06.py`` after editing; add ``--execute`` to
run it in place (the test run executes it with nbmake anyway).
"""

from __future__ import annotations

import sys
from pathlib import Path

from _notebook import write_notebook

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "06_space_weather.ipynb"

CELLS = [
    (
        "md",
        """# Space weather that changes what operations do

This notebook walks through `ground.spaceweather`:

1. fetch NOAA SWPC products with a client that caches, retries and falls back to its
   cache (marked stale) when the source fails;
2. read the NOAA G/S/R scales now and at their 24-hour peak;
3. turn the data into operations advisories from rules (hold touch-and-go on S2+...);
4. predict a CME's arrival at Earth and at the mission's target asteroid with the
   drag-based model, deterministic and as an ensemble.

kamo's tests never reach the internet, and neither does this notebook: it serves a
few SWPC-format files from a local HTTP server. Point `SWPCClient()` at the default
base URL (`https://services.swpc.noaa.gov/`) to use the live feeds.""",
    ),
    (
        "code",
        """import json, tempfile, threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import matplotlib.pyplot as plt

from ground.spaceweather import (
    SWPCClient, kp_status, proton_status, flare_class, g_scale, s_scale, r_scale,
    evaluate_advisories, load_rules, cme_arrival, cme_arrival_ensemble,
)""",
    ),
    (
        "md",
        """## 1. A local SWPC tree

Two products in their exact 2026 formats: the 3-hour planetary Kp (an array of objects,
time tags without a zone) and GOES integral protons (one record per channel per
5 minutes, channels not sorted, time tags with `Z`).""",
    ),
    (
        "code",
        """root = Path(tempfile.mkdtemp())
kp_values = [2.33, 3.0, 2.67, 4.67, 6.0, 7.67, 8.67, 7.33]
kp_rows = [{"time_tag": f"2026-08-06T{3 * k:02d}:00:00", "Kp": v, "a_running": 0,
            "station_count": 8} for k, v in enumerate(kp_values)]
proton_rows = []
for k in range(48):
    t = np.datetime64("2026-08-06T20:00") + np.timedelta64(5 * k, "m")
    p10 = 0.4 + 150 * (1 - np.exp(-max(k - 12, 0) / 8))
    for channel, flux in ((">=100 MeV", p10 / 12), (">=10 MeV", p10), (">=1 MeV", 9 * p10)):
        proton_rows.append({"time_tag": f"{t}:00Z", "satellite": 18,
                            "flux": float(np.float32(flux)), "energy": channel})
for path, rows in (("products/noaa-planetary-k-index.json", kp_rows),
                   ("json/goes/primary/integral-protons-1-day.json", proton_rows)):
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(json.dumps(rows))

class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=root))
threading.Thread(target=server.serve_forever, daemon=True).start()
base_url = f"http://127.0.0.1:{server.server_address[1]}/"
base_url""",
    ),
    (
        "code",
        """client = SWPCClient(base_url, cache_dir=root / "cache", timeout=1.0, retries=1, backoff=0.05)
kp = client.fetch("kp")
protons = client.fetch("protons")
kp, protons""",
    ),
    (
        "code",
        """protons.dataset   # flux(time, channel) in pfu, units and long_name on every variable""",
    ),
    (
        "md",
        """When the source fails (here: the server is gone) the client does not raise: it returns
the last good copy, marked stale, with its age and the reason.""",
    ),
    (
        "code",
        """server.shutdown(); server.server_close()
again = client.fetch("kp")
again.stale, again.reason, again.dataset["kp"].values[-1]""",
    ),
    (
        "md",
        """## 2. NOAA scales

Kp is in thirds: 4.67 (5−) is G1 and 8.67 (9−) is **G4**, not G5. GOES values are float32
widened to doubles, so the thresholds are compared at float32 precision.""",
    ),
    (
        "code",
        """print(g_scale([4.33, 4.67, 8.67, 9.0]), s_scale([9.9, 10, 150]), r_scale(np.float32(1e-5)))
print(flare_class(4.19e-5), flare_class(float(np.float32(1e-5))), flare_class(2e-3))
g = kp_status(kp.dataset)
s = proton_status(protons.dataset)
g, s""",
    ),
    (
        "md",
        """## 3. Advisories

Rules come from TOML (kamo's defaults, or a mission file's `[[spaceweather.rules]]`).
Each advisory is a plain frozen dataclass with a start, an expected end and a reason:
this is what the onboard executive receives as an observation.""",
    ),
    (
        "code",
        """data = {"kp": kp.dataset, "protons": protons.dataset}
for advisory in evaluate_advisories(data, now="2026-08-07T00:00:00Z"):
    print(advisory)
    print("   ", advisory.reason)""",
    ),
    (
        "md",
        """## 4. CME arrival with the drag-based model

A 1200 km/s CME leaves 20 R☉ on 2026-08-04 12:00 UTC with its axis 10° east of the
Sun–Earth line. Where is it when it reaches Earth, and the asteroid 469219 Kamoʻoalewa
(positions from kamo's ephemerides)?""",
    ),
    (
        "code",
        """import missions
from orbits.ephemeris import state_et
from orbits.time import to_et

missions.register_targets()           # Kamoʻoalewa's elements, from missions/data/targets
launch = "2026-08-04T12:00:00"
earth = state_et("earth", to_et(launch))[:3]
axis_lon = np.degrees(np.arctan2(earth[1], earth[0])) + 10.0
for target in ("earth", "kamooalewa"):
    print(cme_arrival(launch, 1200.0, target=target, direction=(axis_lon, 0.0), half_width=45))""",
    ),
    (
        "md",
        """Arrival forecasts carry errors of ~10 h or more, so the ensemble samples the
uncertain inputs (wind speed 450 ± 100 km/s, drag γ uniform in 0.2–2 × 10⁻⁷ km⁻¹, speed,
width and direction) and reports a distribution.""",
    ),
    (
        "code",
        """ens = cme_arrival_ensemble(launch, 1200.0, target="earth", direction=(axis_lon, 0.0),
                           half_width=45, members=2000, seed=6)
print(ens)
fig, ax = plt.subplots(figsize=(7, 3))
ens.members["transit_hours"].plot.hist(ax=ax, bins=40)
ax.axvline(ens.transit_hours_median, color="k", ls="--", label="median")
ax.set_xlabel("transit time from 20 R☉ (h)"); ax.legend();""",
    ),
    (
        "code",
        """cme_rules = [r for r in load_rules() if r.id == "cme-arrival"]
evaluate_advisories({}, cme_rules, now="2026-08-04T13:00:00Z", cmes=[ens])""",
    ),
    (
        "md",
        """## From the command line

```
kamo spaceweather fetch --json                 # live feeds, falling back to the cache
kamo spaceweather status --json                # the cache only
kamo spaceweather fetch --plot sw.png          # last 3 days of every product
kamo spaceweather watch --archive swpc.zarr --interval 60
kamo spaceweather cme --launch 2026-08-04T12:00 --speed 1200 --ensemble 2000 --json
```

See `docs/space-weather.md` for the JSON fields, the cone geometry and the rules format.""",
    ),
]


if __name__ == "__main__":
    write_notebook(CELLS, NOTEBOOK, sys.argv)
