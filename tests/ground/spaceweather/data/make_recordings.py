"""Write the SWPC recordings used by the space-weather tests (run once; output is committed).

The files follow the products' exact formats (``shared/reference/ground-formats.md`` §8),
both the 2026 layouts and the legacy ones, laid out under the same paths as on
services.swpc.noaa.gov so a local HTTP server can serve this directory as the base URL.

The story they tell (times UTC): a geomagnetic storm whose 3-hour Kp peaks at 8.67 (9-,
which is G4, not G5) on 2026-08-06 18:00 and is 6.33 (G2) at 2026-08-07 00:00; an M4.19
flare (class M4.1, R1) at 2026-08-06 22:10, with the long-band flux at float32(1e-5) in the
latest minute (M1.0, R1); a >=10 MeV proton event at 150 pfu (S2) while >=100 MeV sits at
12 pfu; solar wind at ~650 km/s from SOLAR1 (active) while the newest row in the file comes
from an inactive spacecraft at 999 km/s.

Run: ``.venv/bin/python tests/ground/spaceweather/data/make_recordings.py``
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
END = datetime(2026, 8, 7, 1, 25)
rng = np.random.default_rng(20260807)


def write(path: str, data: object) -> None:
    out = HERE / path
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, separators=(",", ":")))


def iso(t: datetime, z: bool = False, space: bool = False) -> str:
    if space:
        return t.strftime("%Y-%m-%d %H:%M:%S.000")
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ("Z" if z else "")


def f32(x: float) -> float:
    return float(np.float32(x))


def kp_current() -> None:
    start = datetime(2026, 7, 31)
    rows = []
    ap = {0: 0, 1: 4, 2: 7, 3: 15, 4: 27, 5: 48, 6: 80, 7: 132, 8: 207, 9: 400}
    storm = {
        "2026-08-06T09:00:00": 4.67,
        "2026-08-06T12:00:00": 6.0,
        "2026-08-06T15:00:00": 7.67,
        "2026-08-06T18:00:00": 8.67,
        "2026-08-06T21:00:00": 7.33,
        "2026-08-07T00:00:00": 6.33,
    }
    for k in range(57):
        t = start + timedelta(hours=3 * k)
        kp = storm.get(iso(t), round(float(rng.integers(3, 10)) / 3.0, 2))
        rows.append(
            {"time_tag": iso(t), "Kp": kp, "a_running": ap[int(round(kp))], "station_count": 8}
        )
    write("products/noaa-planetary-k-index.json", rows)


def kp_legacy() -> None:
    rows = [["time_tag", "Kp", "a_running", "station_count"]]
    values = ["1.33", "2.00", "2.67", "4.67", "5.33", "6.67", "5.00", "3.33"]
    for k, v in enumerate(values):
        t = datetime(2025, 8, 27) + timedelta(hours=3 * k)
        rows.append([iso(t, space=True), v, str(int(float(v) * 8)), "8"])
    write("legacy/noaa-planetary-k-index.json", rows)


def kp_forecast() -> None:
    rows = []
    for k, (kp, obs, scale) in enumerate(
        [
            (6.33, "observed", "G2"),
            (5.67, "estimated", "G2"),
            (4.67, "predicted", "G1"),
            (3.0, "predicted", None),
        ]
    ):
        t = datetime(2026, 8, 7) + timedelta(hours=3 * k)
        rows.append({"time_tag": iso(t), "kp": kp, "observed": obs, "noaa_scale": scale})
    write("products/noaa-planetary-k-index-forecast.json", rows)
    legacy = [["time_tag", "kp", "observed", "noaa_scale"]] + [
        [iso(datetime(2025, 8, 27) + timedelta(hours=3 * k), space=True), v, o, s]
        for k, (v, o, s) in enumerate([("2.33", "observed", None), ("5.00", "predicted", "G1")])
    ]
    write("legacy/noaa-planetary-k-index-forecast.json", legacy)


def kp_1m() -> None:
    rows = []
    labels = {0.0: "0Z", 0.67: "1M", 1.0: "1Z", 1.33: "1P", 6.0: "6Z", 6.33: "6P", 5.67: "6M"}
    values = [6.33, 6.0, 6.33, 5.67, 6.0]
    for k, v in enumerate(values):
        t = END - timedelta(minutes=len(values) - 1 - k)
        rows.append(
            {"time_tag": iso(t), "kp_index": int(round(v)), "estimated_kp": v, "kp": labels[v]}
        )
    write("json/planetary_k_index_1m.json", rows)


def rtsw() -> None:
    wind, mag = [], []
    minutes = 180
    for k in range(minutes):
        t = END - timedelta(minutes=k)  # newest first
        speed = 650.0 - 0.2 * k + rng.normal(0, 3)
        dens = 12.0 + rng.normal(0, 0.5)
        bz = -15.0 + rng.normal(0, 1.0)
        quality = 1 if k == 7 else 0  # one flagged minute: gated out
        for source, active, offset_s in (("SOLAR1", True, 0), ("ACE", False, 2)):
            v = speed if active else speed - 20
            wind.append(
                {
                    "time_tag": iso(t + timedelta(seconds=0)),
                    "active": active,
                    "source": source,
                    "proton_speed": round(v, 1),
                    "proton_temperature": int(250000 + rng.normal(0, 5000)),
                    "proton_density": round(dens, 2),
                    "proton_vx_gse": round(-v, 1),
                    "proton_vy_gse": -3,
                    "proton_vz_gse": -20.6,
                    "proton_vx_gsm": round(-v, 1),
                    "proton_vy_gsm": -6.4,
                    "proton_vz_gsm": -19.8,
                    "proton_sample_size": 1,
                    "alpha_speed": None,
                    "alpha_density": None,
                    "max_convergence_flag": 0,
                    "max_data_flag": 0,
                    "max_error_count_flag": -9999 if not active else 0,
                    "max_processing_flag": 0,
                    "max_range_flag": 0,
                    "max_sample_count_flag": 0,
                    "max_telemetry_flag": 0,
                    "overall_quality": quality if active else 0,
                }
            )
            b = bz if active else bz + 3
            bt = float(np.hypot(b, 8.0))
            mag.append(
                {
                    "time_tag": iso(t + timedelta(seconds=offset_s)),
                    "active": active,
                    "source": source,
                    "range": None,
                    "scale": None,
                    "sensitivity": None,
                    "manual_mode": False,
                    "sample_size": 60,
                    "bt": round(bt, 2),
                    "bx_gse": -2.17,
                    "by_gse": 8.0,
                    "bz_gse": round(b + 1, 2),
                    "theta_gse": -11.46,
                    "phi_gse": 144.69,
                    "bx_gsm": -2.17,
                    "by_gsm": 7.5,
                    "bz_gsm": round(b, 2),
                    "theta_gsm": round(float(np.degrees(np.arcsin(b / bt))), 2),
                    "phi_gsm": 146.68,
                    "max_telemetry_flag": 0,
                    "max_data_flag": 0,
                    "overall_quality": quality if active else 0,
                }
            )
    # The newest rows come from an inactive spacecraft with wild values: only `active` counts.
    newest = END + timedelta(minutes=1)
    trap_wind = dict(wind[1], time_tag=iso(newest), proton_speed=999.0, proton_density=0.1)
    trap_mag = dict(mag[1], time_tag=iso(newest + timedelta(seconds=2)), bz_gsm=40.0, bt=41.0)
    write("json/rtsw/rtsw_wind_1m.json", [trap_wind] + wind)
    write("json/rtsw/rtsw_mag_1m.json", [trap_mag] + mag)


def legacy_solar_wind() -> None:
    plasma = [["time_tag", "density", "speed", "temperature"]]
    magn = [["time_tag", "bx_gsm", "by_gsm", "bz_gsm", "lon_gsm", "lat_gsm", "bt"]]
    t0 = datetime(2026, 1, 20, 15, 30)
    for k in range(12):
        t = t0 + timedelta(minutes=k)
        gap = k == 5
        plasma.append(
            [
                iso(t, space=True),
                None if gap else f"{4.23 + 0.01 * k:.2f}",
                None if gap else f"{523.4 + k:.1f}",
                None if gap else str(152340 + 10 * k),
            ]
        )
        magn.append(
            [
                iso(t, space=True),
                "-3.87",
                "-2.93",
                f"{0.34 - 0.5 * k:.2f}",
                "217.09",
                "3.97",
                "4.87",
            ]
        )
    write("products/solar-wind/plasma-1-day.json", plasma)
    write("products/solar-wind/mag-1-day.json", magn)


def xrays() -> None:
    rows = []
    minutes = 360
    flare_peak = datetime(2026, 8, 6, 22, 10)
    for k in range(minutes):
        t = END - timedelta(minutes=minutes - 1 - k)
        dt_min = (t - flare_peak).total_seconds() / 60.0
        long = 2.5e-6 + (4.19e-5 - 2.5e-6) * np.exp(
            -((dt_min / (6.0 if dt_min < 0 else 20.0)) ** 2)
        )
        if t == END:
            long = 1e-5  # float32(1e-5) < 1e-5: must still read as M1.0 / R1
        short = max(long / 20.0, 1e-9)
        if short < 2e-9:
            short = 1e-9
        for band, flux, contaminated in (("0.1-0.8nm", long, False), ("0.05-0.4nm", short, True)):
            corr = f32(flux * 0.07)
            rows.append(
                {
                    "time_tag": iso(t, z=True),
                    "satellite": 18,
                    "flux": f32(flux),
                    "observed_flux": f32(flux + corr),
                    "electron_correction": corr,
                    "electron_contaminaton": contaminated,
                    "energy": band,
                }
            )
    write("json/goes/primary/xrays-1-day.json", rows)


def protons() -> None:
    rows = []
    steps = 72
    onset = END - timedelta(hours=4)
    for k in range(steps):
        t = END - timedelta(minutes=5 * (steps - 1 - k))
        hours = (t - onset).total_seconds() / 3600.0
        p10 = 0.42 if hours < 0 else 0.42 + 150.0 * (1 - np.exp(-hours / 0.8))
        if t == END:
            p10 = 150.0
        p100 = 0.0513 if hours < 0 else 0.0513 + 12.0 * (1 - np.exp(-hours / 0.5))
        fluxes = {
            ">=1 MeV": p10 * 9.1,
            ">=5 MeV": p10 * 2.3,
            ">=10 MeV": p10,
            ">=30 MeV": p10 * 0.31,
            ">=50 MeV": p10 * 0.17,
            ">=60 MeV": p10 * 0.12,
            ">=100 MeV": p100,
            ">=500 MeV": 0.011,
        }
        order = list(fluxes)
        rng.shuffle(order)  # within a time step the channels are not sorted
        if k % 3 == 0:  # make sure >=100 MeV often comes before >=10 MeV
            order.remove(">=100 MeV")
            order.insert(0, ">=100 MeV")
        for channel in order:
            rows.append(
                {
                    "time_tag": iso(t, z=True),
                    "satellite": 18,
                    "flux": f32(fluxes[channel]),
                    "energy": channel,
                }
            )
    write("json/goes/primary/integral-protons-1-day.json", rows)


def alerts() -> None:
    def msg(code: str, serial: int, issue: str, body: str, nl: str = "\r\n") -> str:
        lines = [
            f"Space Weather Message Code: {code}",
            f"Serial Number: {serial}",
            f"Issue Time: {issue}",
            "",
            *body.split("\n"),
        ]
        return nl.join(lines)

    rows = [
        {
            "product_id": "PX2S",
            "issue_datetime": "2026-08-07 01:10:12.330",
            "message": msg(
                "ALTPX2",
                120,
                "2026 Aug 07 0110 UTC",
                "ALERT: Proton Event 10MeV Integral Flux exceeded 100pfu\n"
                "Begin Time: 2026 Aug 07 0045 UTC\nNOAA Scale: S2 - Moderate",
            ),
        },
        {
            "product_id": "K08A",
            "issue_datetime": "2026-08-06 18:40:01.007",
            "message": msg(
                "ALTK08",
                55,
                "2026 Aug 06 1840 UTC",
                "ALERT: Geomagnetic K-index of 8\nThreshold Reached: 2026 Aug 06 1839 UTC\n"
                "Synoptic Period: 1800-2100 UTC\n \nActive Warning: Yes\n"
                "Noaa Scale: G4 - Severe",
                nl="\n",
            ),
        },
        {
            "product_id": "K05A",
            "issue_datetime": "2026-08-06 09:32:19.593",
            "message": msg(
                "ALTK05",
                1394,
                "2026 Aug 06 0932 UTC",
                "ALERT: Geomagnetic K-index of 5\nThreshold Reached: 2026 Aug 06 0931 UTC\n"
                "Synoptic Period: 0900-1200 UTC\n \nActive Warning: Yes\nNOAA Scale: G1 - Minor",
            ),
        },
        {
            "product_id": "K05A",
            "issue_datetime": "2026-08-04 03:02:00.111",
            "message": msg(
                "ALTK05",
                1393,
                "2026 Aug 04 0302 UTC",
                "ALERT: Geomagnetic K-index of 5\nNOAA Scale: G1 - Minor",
            ),
        },
        {
            "product_id": "XM5S",
            "issue_datetime": "2026-08-03 12:00:00.000",
            "message": msg(
                "SUMXM5",
                300,
                "2026 Aug 03 1200 UTC",
                "SUMMARY: X-ray Event exceeded M5\nNOAA Scale: R2 - Moderate",
            ),
        },
    ]
    # exact duplicate rows happen when the feed is re-published
    rows.append(dict(rows[2]))
    write("products/alerts.json", rows)


if __name__ == "__main__":
    kp_current()
    kp_legacy()
    kp_forecast()
    kp_1m()
    rtsw()
    legacy_solar_wind()
    xrays()
    protons()
    alerts()
