"""Build ``examples/05_ground_telemetry.ipynb`` from the cells below.

Run ``.venv/bin/python examples/_build_05_tm.py`` after editing; add ``--execute`` to
run it in place (the test run executes it with nbmake anyway).
"""

from __future__ import annotations

import sys
from pathlib import Path

from _notebook import write_notebook

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "05_ground_telemetry.ipynb"

CELLS = [
    (
        "md",
        """# From raw downlink bytes to checked, archived telemetry

A pass over the ground station delivers a byte stream: sync-marked transfer frames
carrying space packets. This notebook follows those bytes:

1. simulate an hour of housekeeping and attitude packets (with a battery that slowly
   over-charges), put them into TM frames, and damage the stream the way a real link does;
2. decode it with the streaming decoder and account for every byte;
3. decommutate into xarray, check limits, and look at the alarm table;
4. archive raw packets and parameters, query a parameter, and replay a time window.""",
    ),
    (
        "code",
        """import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from astropy.time import Time

from ground.archive import Archive
from ground.decom import decommutate
from ground.dictionary import load_dictionary
from ground.frames import FrameConfig, FrameWriter
from ground.limits import check_limits
from ground.stream import StreamDecoder

d = load_dictionary()          # the sample KAMO dictionary (XTCE, compiled from TOML)
d""",
    ),
    (
        "md",
        """## 1. An hour of telemetry, framed and damaged

`PacketDef.encode` writes complete PUS-C packets (CUC 4+2 time, CRC) from raw values.
The battery voltage climbs from 28 V to 34.5 V, so it will cross the yellow (33 V) and
red (34 V) limits.""",
    ),
    (
        "code",
        """hk, att = d.packet("HK"), d.packet("ATT")
t0 = (Time("2026-07-01T10:00:00", scale="utc").tai - Time("1958-01-01", scale="tai")).sec
rng = np.random.default_rng(0)
packets = []
for i in range(3600):
    volts = 28.0 + 6.5 * i / 3600
    packets.append(hk.encode({"BATT_V": int(volts * 1000), "BATT_I": int(rng.normal(1500, 50)),
                              "PANEL_TEMP": int(rng.normal(2000, 30)), "OBC_TEMP": 2000,
                              "MODE": 1}, seq_count=i, time_tai58=t0 + i))
    rate = 0.004 * np.sin(i / 300)
    packets.append(att.encode({"Q4": 1.0, "RATE_X": rate, "RATE_Y": -rate, "RATE_Z": 0.001},
                              seq_count=i, time_tai58=t0 + i))

writer = FrameWriter(scid=0x2A5, config=FrameConfig(length=1115))
stream = bytearray(writer.write(packets, vcid=1) + writer.flush(vcid=1))
frame = 4 + 1115
stream[frame * 10 + 500] ^= 0x10                       # a bit error: that frame fails its FECF
del stream[frame * 40 : frame * 41]                    # a frame lost entirely
stream[frame * 60 : frame * 60] = b"noise on the line"  # junk between frames
print(f"{len(packets)} packets, {len(stream) / 1e6:.2f} MB on the link")""",
    ),
    (
        "md",
        """## 2. Decode it as it arrives

The streaming decoder takes chunks of any size. Every byte goes into exactly one bucket:
decoded packets, idle (idle packets and frame overhead), or quarantine with a reason.""",
    ),
    (
        "code",
        """decoder = StreamDecoder(d, frames=FrameConfig(length=1115))
for start in range(0, len(stream), 4096):
    decoder.feed(bytes(stream[start : start + 4096]))
decoder.close()
summary = decoder.summary()
b = summary["bytes"]
print(f"total {b['total']} = packets {b['packets']} + idle {b['idle']} + quarantined {b['quarantined']}")
summary["quarantine"], summary["apids"]""",
    ),
    (
        "md",
        """The damaged frame and the lost one cost a few packets per APID (`missing`), and the
packets cut at those frame boundaries are quarantined as `frame_gap` or
`orphan_continuation`. Nothing is silently dropped.

## 3. Parameters, limits and alarms""",
    ),
    (
        "code",
        """result = decoder.result()
tm = decommutate(result, d)
tm["HK"]""",
    ),
    (
        "code",
        """alarms = check_limits(tm, d)
alarms""",
    ),
    (
        "code",
        """fig, ax = plt.subplots(figsize=(8, 3.5))
v = tm["HK"]["BATT_V"]
v.plot(ax=ax, lw=1)
for key, color in (("limit_yellow_high", "orange"), ("limit_red_high", "red")):
    ax.axhline(v.attrs[key], color=color, ls="--", lw=1)
red = alarms[(alarms.parameter == "BATT_V") & (alarms.level == "red")]
ax.plot(red.time, red.value, "rv")
ax.set_ylabel(f"BATT_V [{v.attrs['units']}]")
ax.set_title("battery voltage with its yellow/red limits")
fig.tight_layout()""",
    ),
    (
        "md",
        """## 4. Archive, query, replay

Raw packets land first in an append-only, fsync'd store (`tm.kpa`); parameters go to Zarr
(`tm.zarr`). A query reads one parameter over a time range, and a replay gives back the raw
packets of a window, ready to feed another decoder or a flight-software test.""",
    ),
    (
        "code",
        """workdir = Path(tempfile.mkdtemp())
archive = Archive(workdir / "tm.zarr", d)
archive.ingest(result, tm)
print([repr(r) for r in archive.raw.records()])   # packets first, then quarantined bytes by reason
power = archive.query("BATT_P", "2026-07-01T10:30:00", "2026-07-01T10:31:00")
print(f"{power.sizes['time']} samples of battery power, mean {float(power.mean()):.1f} {power.attrs['units']}")
replayed = list(archive.replay("2026-07-01T10:45:00", "2026-07-01T10:45:09"))
print(f"replayed {len(replayed)} packets")""",
    ),
]


if __name__ == "__main__":
    write_notebook(CELLS, NOTEBOOK, sys.argv)
