"""Ground commanding and contacts: throughput and accuracy against references in the same run.

1. Contact windows, 30 days x 3 stations (Kashi, Jiamusi, Neuquen) for a spacecraft
   0.3 AU from Earth: ``ground.contacts`` (skyfield searches, IAU 2000B) against a
   dense 60-s elevation sampling with skyfield's default (IAU 2000A) geometry, the
   way one would do it by hand; rise/set agreement is printed too.
2. Authenticated telecommands: build+sign and onboard verify per second, against
   building the same packet with ``spacepackets`` and signing it with ``hmac``.
"""

from __future__ import annotations

import hashlib
import hmac
import time

import numpy as np
import xarray as xr


def _trajectory(days: float) -> xr.Dataset:
    from ground.contacts import AU_KM, _sf_time, _skyfield
    from orbits.time import to_et

    _, eph = _skyfield()
    et = np.arange(to_et("2026-01-01"), to_et("2026-01-01") + days * 86400 + 1, 3600.0)
    t = _sf_time(et)
    earth = (eph["earth"].at(t).position.km - eph["sun"].at(t).position.km).T
    pos = earth + np.array([0.0, 0.3, 0.1]) * AU_KM
    return xr.Dataset(
        {"position": (("time", "axis"), pos, {"units": "km"})},
        coords={"time": et},
        attrs={"frame": "J2000", "center": "sun"},
    )


def _dense_reference(ds, station, et0, et1, step=60.0):
    """Elevation every ``step`` s with plain skyfield (IAU 2000A), crossings interpolated."""
    from scipy.interpolate import CubicSpline
    from skyfield.positionlib import build_position

    from ground.contacts import AU_KM, _sf_time, _skyfield, get_stations

    _, eph = _skyfield()
    st = get_stations(station)[0]
    topos = st.topos()
    spline = CubicSpline(ds.time.values, ds.position.values, axis=0)
    et = np.arange(et0, et1, step)
    t = _sf_time(et)
    sun = np.asarray(eph["sun"].at(t).position.km).T
    obs = (np.asarray(eph["earth"].at(t).position.km) + np.asarray(topos.at(t).position.km)).T
    rel = spline(et) + sun - obs
    alt = build_position(rel.T / AU_KM, t=t, center=topos).altaz()[0].degrees
    up = alt >= st.elevation_mask_deg
    k = np.flatnonzero(up[1:] != up[:-1])
    frac = (st.elevation_mask_deg - alt[k]) / (alt[k + 1] - alt[k])
    return et[k] + frac * step


def bench_contacts() -> None:
    from ground.contacts import contacts

    ds = _trajectory(30.0)
    et0, et1 = float(ds.time[0]) + 3600, float(ds.time[-1]) - 3600
    contacts(ds, et0, et0 + 86400, stations="kashi", light_time=False)  # warm caches
    t = time.perf_counter()
    table = contacts(ds, et0, et1, stations="kashi,jiamusi,neuquen", light_time=False)
    kamo_s = time.perf_counter() - t
    t = time.perf_counter()
    ref = {s: _dense_reference(ds, s, et0, et1) for s in ("kashi", "jiamusi", "neuquen")}
    ref_s = time.perf_counter() - t
    worst = 0.0
    for s, crossings in ref.items():
        sub = table.where(table.station == s, drop=True)
        ours = np.sort(
            np.concatenate(
                [
                    sub.et_aos.values[~sub.aos_cut.values.astype(bool)],
                    sub.et_los.values[~sub.los_cut.values.astype(bool)],
                ]
            )
        )
        if len(ours) == len(crossings):
            worst = max(worst, float(np.max(np.abs(ours - np.sort(crossings)))))
        else:
            worst = float("nan")
    print(f"contacts, 30 d x 3 stations: {table.sizes['contact']} windows")
    print(f"  kamo (skyfield searches, 1 ms events):   {kamo_s:7.2f} s")
    print(f"  dense 60-s sampling (reference):        {ref_s:7.2f} s")
    print(f"  ratio reference / kamo:                 {ref_s / kamo_s:7.1f}x")
    print(
        f"  worst rise/set difference:              {worst:7.2f} s (linear interpolation of 60-s samples)"
    )


def bench_commands(n: int = 5000) -> None:
    from spacepackets.ecss import PusTc

    from ground.auth import MissionKey, OnboardVerifier
    from ground.dictionary import load_dictionary
    from ground.telecommand import build_command

    key = MissionKey(1, bytes(range(32)))
    d = load_dictionary()
    args = {"THRUSTER_ID": 3, "DURATION": 12.5, "OFFSET": -250}
    t = time.perf_counter()
    tcs = [
        build_command("THRUSTER_FIRE", args, key=key, auth_seq=i + 1, dictionary=d).raw
        for i in range(n)
    ]
    build_s = time.perf_counter() - t
    v = OnboardVerifier({1: key.secret})
    t = time.perf_counter()
    ok = sum(v.verify(raw).accepted for raw in tcs)
    verify_s = time.perf_counter() - t
    assert ok == n
    app = d.command("THRUSTER_FIRE").encode_args(args)
    t = time.perf_counter()
    for i in range(n):
        draft = PusTc(
            service=8, message_subtype=3, apid=102, app_data=app + bytes(38), seq_count=i
        ).pack()
        hmac.new(key.secret, bytes(draft[:-34]), hashlib.sha256).digest()
    ref_s = time.perf_counter() - t
    print(f"telecommands, {n}:")
    print(f"  kamo build + validate + sign:           {n / build_s:9.0f} TC/s")
    print(f"  kamo onboard verify (+ TM[1,1]):        {n / verify_s:9.0f} TC/s")
    print(f"  spacepackets build + hmac (reference):  {n / ref_s:9.0f} TC/s")
    print(f"  ratio kamo build / reference:           {ref_s / build_s:9.2f}x")


if __name__ == "__main__":
    bench_contacts()
    bench_commands()
