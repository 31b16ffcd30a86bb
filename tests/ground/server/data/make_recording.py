"""Writes ``pass.bin``: a recorded 10-minute pass of kamo sample telemetry (bare PUS packets).

HK, ATT and PROP at 1 Hz from 2026-01-01T00:00:00Z. The battery voltage ramps from 28 V
and, in the last minute, climbs over the red high limit (34 V): the display must show
that as an alarm. Run ``python tests/ground/server/data/make_recording.py`` to rebuild.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ground.dictionary import load_dictionary

START_TAI58 = 2145916837.0  # 2026-01-01T00:00:00 UTC as TAI seconds since 1958 (37 s leap)
SECONDS = 600


def packets(start_tai58: float = START_TAI58, seconds: int = SECONDS, first: int = 0) -> bytes:
    d = load_dictionary()
    hk, att, prop = d.packet("HK"), d.packet("ATT"), d.packet("PROP")
    out = []
    for i in range(first, first + seconds):
        t = start_tai58 + i
        volts = 28.0 + 0.004 * i if i < 540 else 34.2 + 0.01 * (i - 540)
        out.append(
            hk.encode(
                {
                    "BATT_V": round(volts * 1000),
                    "BATT_I": round(1000 * 2.0 * np.sin(i / 60.0)),
                    "PANEL_TEMP": round(100 * (20.0 + 5.0 * np.cos(i / 120.0))),
                    "OBC_TEMP": 2000,
                    "MODE": 1,
                    "HEATER_ON": i % 2,
                },
                seq_count=i % 16384,
                time_tai58=t,
            )
        )
        rate = 0.001 * np.sin(i / 30.0)
        out.append(
            att.encode(
                {
                    "Q1": 0.0,
                    "Q2": 0.0,
                    "Q3": 0.0,
                    "Q4": 1.0,
                    "RATE_X": rate,
                    "RATE_Y": -rate,
                    "RATE_Z": 0.0,
                },
                seq_count=i % 16384,
                time_tai58=t + 0.25,
            )
        )
        out.append(
            prop.encode(
                {"TANK_P": 3000 - i, "TANK_T": 2000, "THRUST_TIME": 10 * i, "VALVE": 0},
                seq_count=i % 16384,
                time_tai58=t + 0.5,
            )
        )
    return b"".join(out)


if __name__ == "__main__":
    path = Path(__file__).with_name("pass.bin")
    path.write_bytes(packets())
    print(f"wrote {path} ({path.stat().st_size} octets)")
