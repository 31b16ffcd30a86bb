"""Build ``examples/05_ground_commanding_contacts.ipynb`` from the cells below.

Run ``.venv/bin/python examples/_build_05_tc.py`` after editing; add ``--execute`` to
run it in place (the test run executes it with nbmake anyway).
"""

from __future__ import annotations

import sys
from pathlib import Path

from _notebook import write_notebook

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "05_ground_commanding_contacts.ipynb"

CELLS = [
    (
        "md",
        """# Talking to the spacecraft: contacts, data rates and authenticated commands

This notebook follows one week of operations at the target asteroid:

1. the ground stations kamo knows (China's deep-space network and the DSN);
2. contact windows over Kashi, Jiamusi and Neuquén for a spacecraft flying with
   469219 Kamoʻoalewa, with range and one-way light time;
3. the downlink data rate each pass supports, and the data volume per day;
4. a telecommand built from the dictionary, signed with the mission key, and what the
   onboard verifier does with it, with a replay and a tampered copy.

Everything runs offline: DE421 and the target's orbital elements ship with kamo.""",
    ),
    (
        "code",
        """import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ground import (
    MissionKey,
    OnboardVerifier,
    add_data_rates,
    build_command,
    contacts,
    get_stations,
    link_budget,
    look_angles,
)
from ground.crc import crc16
from ground.dictionary import CommandError
from ground.packets import decode_pus_tm
from missions.targets import register_targets
from orbits.ephemeris import state
from orbits.time import to_et

targets = register_targets()  # Kamoʻoalewa and 311P become known to orbits.state""",
    ),
    (
        "md",
        """## 1. Ground stations

Positions are WGS-84. Each row says where its numbers come from; the Chinese sites'
coordinates are map markers (about 0.1°) and their noise figures are assumptions.""",
    ),
    (
        "code",
        """pd.DataFrame(
    [
        {
            "key": s.key, "name": s.name, "lat": s.latitude_deg, "lon": s.longitude_deg,
            "dish m": s.antenna_diameter_m, "dishes": s.antenna_count,
            "mask deg": s.elevation_mask_deg, "Tsys K": s.system_noise_temp_k,
        }
        for s in get_stations()
    ]
).set_index("key")""",
    ),
    (
        "md",
        """## 2. Contact windows

During proximity operations the spacecraft flies within a few km of Kamoʻoalewa, so
the asteroid's heliocentric path stands in for the spacecraft's. `orbits` gives it as
an xarray trajectory (heliocentric, ecliptic J2000); an SPK file works the same way
(`contacts("tw2.bsp", ...)`).""",
    ),
    (
        "code",
        """et = np.arange(to_et("2027-07-01"), to_et("2027-07-09"), 3600.0)
trajectory = state("kamooalewa", et).to_dataset()

table = contacts(trajectory, "2027-07-01T00:00", "2027-07-08T00:00",
                 stations="kashi,jiamusi,neuquen")
table[["station", "aos", "tca", "los", "max_elevation", "range_tca", "light_time_tca"]] \
    .to_dataframe().head(9)""",
    ),
    (
        "code",
        """print(f"range {table.range_tca.mean().item() / 1.496e8:.3f} AU, "
      f"one-way light time {table.light_time_tca.mean().item():.0f} s")
hours = table.duration.groupby(table.station).sum() / 3600 / 7
print("hours in view per day:", {str(k): round(float(v), 1) for k, v in zip(hours.station.values, hours.values, strict=True)})""",
    ),
    (
        "code",
        """times = np.arange(to_et("2027-07-02T00:00"), to_et("2027-07-04T00:00"), 300.0)
fig, ax = plt.subplots(figsize=(9, 3.5))
for key in ("kashi", "jiamusi", "neuquen"):
    la = look_angles(trajectory, key, times)
    ax.plot(la.time, la.elevation, label=key)
ax.axhline(10, color="k", lw=0.8, ls="--", label="10° mask")
ax.set_ylim(0, 90)
ax.set_ylabel("elevation (deg)")
ax.legend(loc="upper right")
ax.set_title("Kamoʻoalewa seen from the Chinese deep-space stations");""",
    ),
    (
        "md",
        """## 3. Data rate and volume

`link_budget` turns range, antenna gains and system noise temperature into a
supportable rate; the defaults are an X-band small-probe downlink (20 W, 1.2 m HGA,
2.5 dB Eb/N0 plus 3 dB margin). Kashi's four arrayed 35 m dishes count as one
combined aperture.""",
    ),
    (
        "code",
        """print(link_budget(table.range_tca.mean().item(), station="kashi"))
rated = add_data_rates(table)
volume_gbit = (rated.duration * rated.data_rate_tca).groupby(rated.station).sum() / 1e9 / 7
print("downlink volume per day (Gbit, rate at culmination):",
      {str(k): round(float(v), 1) for k, v in zip(volume_gbit.station.values, volume_gbit.values, strict=True)})""",
    ),
    (
        "md",
        """## 4. A signed command and the onboard verifier

Commands exist only if the dictionary defines them; arguments are checked against
their types and ranges before a packet is made. Each TC carries a key id, a 32-bit
sequence number and an HMAC-SHA256 over the packet.""",
    ),
    (
        "code",
        """key = MissionKey(1, bytes.fromhex("8f" * 32))   # in operations: load_key("mission.key")
tc = build_command("THRUSTER_FIRE", {"THRUSTER_ID": 3, "DURATION": 12.5, "OFFSET": -250},
                   key=key, auth_seq=1001)
print(tc)
print(tc.raw.hex(" "))
try:
    build_command("THRUSTER_FIRE", {"THRUSTER_ID": 3, "DURATION": 900, "OFFSET": 0},
                  key=key, auth_seq=1002)
except CommandError as exc:
    print("refused:", exc)""",
    ),
    (
        "code",
        """onboard = OnboardVerifier({1: key.secret}, last_seq=1000)
tampered = bytearray(tc.raw)
tampered[13] ^= 0x40                           # change the firing duration...
tampered[-2:] = crc16(bytes(tampered[:-2])).to_bytes(2, "big")   # ...and fix the CRC

for label, raw in [("genuine", tc.raw), ("replayed", tc.raw), ("tampered", bytes(tampered))]:
    verdict = onboard.verify(raw)
    report = decode_pus_tm(verdict.report, time_len=0)
    print(f"{label:9s} -> {verdict.reason:13s} report TM[{report.service},{report.subservice}] "
          f"data {report.source_data.hex(' ')}")""",
    ),
    (
        "md",
        """The TM[1,2] data is the request ID (the TC's first four header octets), the failure
code (6 = replay, 5 = MAC mismatch) and the rejected sequence number and key id.

From the command line:

```
kamo ground contacts --trajectory tw2.bsp --stations kashi,jiamusi,neuquen \\
    --start 2027-07-01 --end 2027-07-08 --json
kamo ground command THRUSTER_FIRE THRUSTER_ID=3 DURATION=12.5 OFFSET=-250 \\
    --key-file mission.key --seq 1001 --out tc.bin --json
kamo ground verify tc.bin --key-file mission.key --last-seq 1000 --json
```

See `docs/ground-commanding-contacts.md` for the packet layout, the failure codes and
how the contacts are computed.""",
    ),
]


if __name__ == "__main__":
    write_notebook(CELLS, NOTEBOOK, sys.argv)
