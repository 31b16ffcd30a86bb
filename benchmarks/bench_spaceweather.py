"""Space weather: DBM ensemble and SWPC parsing throughput against references in the same run.

1. CME arrival ensemble (drag-based model): kamo's vectorised closed form + bisection for
   20 000 members, against integrating each member's equation of motion with
   ``scipy.integrate.solve_ivp`` and a terminal event at 1 AU (the way one would do it
   without the analytic solution). Agreement of the transit times is printed too.
2. Parsing a 24-h RTSW wind file (1440 minutes x 3 spacecraft, newest first): kamo's
   parser (active rows, quality gate, Dataset with units) against ``pandas.DataFrame`` +
   filtering + ``to_xarray`` on the same rows.
"""

from __future__ import annotations

import json
import time

import numpy as np


def bench_dbm() -> None:
    from scipy.integrate import solve_ivp

    from ground.spaceweather.dbm import AU_KM, R_SUN_KM, dbm_transit_time

    rng = np.random.default_rng(1)
    n = 20_000
    v0 = rng.normal(1000, 200, n).clip(300)
    w = rng.normal(450, 100, n).clip(250)
    g = rng.uniform(0.2e-7, 2e-7, n)
    r0 = 20 * R_SUN_KM

    start = time.perf_counter()
    t_kamo = dbm_transit_time(AU_KM, r0, v0, w, g)
    kamo_s = time.perf_counter() - start

    m = 200  # the reference is slow: time a subset and scale per member
    ref = np.empty(m)

    def hit(_t, y, *_):
        return y[0] - AU_KM

    hit.terminal = True
    start = time.perf_counter()
    for k in range(m):
        sol = solve_ivp(
            lambda _t, y, wk=w[k], gk=g[k]: [y[1], -gk * (y[1] - wk) * abs(y[1] - wk)],
            (0, 20 * 86400),
            [r0, v0[k]],
            events=hit,
            rtol=1e-10,
            atol=[1.0, 1e-8],
        )
        ref[k] = sol.t_events[0][0]
    ref_s = (time.perf_counter() - start) / m * n

    err = np.abs(t_kamo[:m] - ref).max()
    print(f"DBM ensemble, {n} members: kamo {kamo_s * 1e3:.1f} ms, ", end="")
    print(f"solve_ivp per member {ref_s:.1f} s (from {m}), ratio {ref_s / kamo_s:.0f}x faster")
    print(f"  max transit-time difference {err:.2f} s over {m} members")


def _rtsw_rows() -> list[dict]:
    rows = []
    t0 = np.datetime64("2026-08-07T00:00")
    rng = np.random.default_rng(2)
    for k in range(1440):
        t = str(t0 - np.timedelta64(k, "m"))
        for source, active in (("SOLAR1", True), ("ACE", False), ("IMAP", False)):
            rows.append(
                {
                    "time_tag": t + ":00",
                    "active": active,
                    "source": source,
                    "proton_speed": float(rng.normal(450, 30)),
                    "proton_temperature": int(rng.normal(1e5, 1e4)),
                    "proton_density": float(rng.normal(5, 1)),
                    "overall_quality": 0,
                    "max_data_flag": -9999 if not active else 0,
                }
            )
    return rows


def bench_parse() -> None:
    import pandas as pd

    from ground.spaceweather.products import parse_rtsw_wind

    text = json.dumps(_rtsw_rows())
    reps = 5

    start = time.perf_counter()
    for _ in range(reps):
        ds = parse_rtsw_wind(json.loads(text))
    kamo_s = (time.perf_counter() - start) / reps

    start = time.perf_counter()
    for _ in range(reps):
        df = pd.DataFrame(json.loads(text))
        df = df[df["active"] & (df["overall_quality"] == 0)]
        df["time"] = pd.to_datetime(df["time_tag"])
        ref = (
            df.set_index("time")[["proton_speed", "proton_density", "proton_temperature"]]
            .sort_index()
            .to_xarray()
        )
    ref_s = (time.perf_counter() - start) / reps
    same = np.allclose(ds["proton_speed"].values, ref["proton_speed"].values)
    print(
        f"RTSW wind 24 h ({len(text) / 1e6:.1f} MB, 4320 rows): kamo {kamo_s * 1e3:.1f} ms, "
        f"pandas {ref_s * 1e3:.1f} ms, ratio {kamo_s / ref_s:.2f} (kamo/pandas); same values: {same}"
    )


if __name__ == "__main__":
    bench_dbm()
    bench_parse()
