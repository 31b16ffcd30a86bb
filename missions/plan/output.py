"""Outputs of a mission plan: the trajectory Dataset, the spacecraft SPK, plots, files on disk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from orbits.constants import AU_KM, DAY_S, GM_SUN

#: NAIF id used for the planned spacecraft in its SPK (negative: a spacecraft).
SPACECRAFT_NAIF_ID = -925


def _kepler_arc(state0: np.ndarray, et0: float, et: np.ndarray) -> np.ndarray:
    from orbits._kepler import kepler_batch

    r, v = kepler_batch(
        GM_SUN,
        np.repeat(state0[None, :3], et.size, 0),
        np.repeat(state0[None, 3:], et.size, 0),
        et - et0,
    )
    return np.hstack([r, v])


def _grid(et0: float, et1: float, step_days: float, include_end: bool = False) -> np.ndarray:
    n = max(int(np.ceil((et1 - et0) / (step_days * DAY_S))), 1)
    return np.linspace(et0, et1, n + 1)[: None if include_end else -1]


def _hermite(et_nodes, r, v, et):
    """Cubic Hermite interpolation of positions (and derivative velocities) between nodes."""
    k = np.clip(np.searchsorted(et_nodes, et, side="right") - 1, 0, et_nodes.size - 2)
    h = et_nodes[k + 1] - et_nodes[k]
    s = ((et - et_nodes[k]) / h)[:, None]
    h = h[:, None]
    p0, p1, m0, m1 = r[k], r[k + 1], v[k] * h, v[k + 1] * h
    pos = (
        (2 * s**3 - 3 * s**2 + 1) * p0
        + (s**3 - 2 * s**2 + s) * m0
        + (-2 * s**3 + 3 * s**2) * p1
        + (s**3 - s**2) * m1
    )
    vel = (
        (6 * s**2 - 6 * s) * p0
        + (3 * s**2 - 4 * s + 1) * m0
        + (-6 * s**2 + 6 * s) * p1
        + (3 * s**2 - 2 * s) * m1
    ) / h
    return pos, vel


def trajectory_dataset(plan: Any) -> xr.Dataset:
    """Sample the plan on a time grid: position, velocity, mass, thrust (and the available thrust)."""
    from orbits.ephemeris import state_et
    from orbits.time import et_to_datetime64

    ets, states, thrusts, tmax, phases = [], [], [], [], []
    lt = plan.low_thrust if plan.outbound_design == "low-thrust" else None
    ob = plan.outbound
    if lt is not None:
        et = _grid(lt.et[0], lt.et[-1], 2.0)
        pos, vel = _hermite(lt.et, lt.r, lt.v, et)
        thr = np.stack([np.interp(et, lt.et, lt.thrust_n[:, j]) for j in range(3)], -1)
        ets.append(et)
        states.append(np.hstack([pos, vel]))
        thrusts.append(thr)
        tmax.append(np.interp(et, lt.et, lt.thrust_max_n))
        phases.append(np.full(et.size, "outbound"))
    else:
        for s0, a, b in (
            (ob.state_launch, ob.et_launch, ob.et_dsm),
            (ob.state_dsm_after, ob.et_dsm, ob.et_arrival),
        ):
            et = _grid(a, b, 2.0)
            ets.append(et)
            states.append(_kepler_arc(s0, a, et))
            thrusts.append(np.zeros((et.size, 3)))
            tmax.append(np.zeros(et.size))
            phases.append(np.full(et.size, "outbound"))
    # stay at the asteroid
    et = _grid(ob.et_arrival, plan.chain.legs[0].et0, 2.0)
    ets.append(et)
    states.append(state_et(plan.mission.targets.asteroid, et))
    thrusts.append(np.zeros((et.size, 3)))
    tmax.append(np.zeros(et.size))
    phases.append(np.full(et.size, "stay"))
    for i, leg in enumerate(plan.chain.legs):
        last = i == len(plan.chain.legs) - 1
        et = _grid(
            leg.et0, leg.et1, 2.0 if leg.et1 - leg.et0 < 800 * DAY_S else 5.0, include_end=last
        )
        ets.append(et)
        states.append(_kepler_arc(leg.state0, leg.et0, et))
        thrusts.append(np.zeros((et.size, 3)))
        tmax.append(np.zeros(et.size))
        phases.append(np.full(et.size, leg.name))
    et = np.concatenate(ets)
    st = np.concatenate(states)
    thr = np.concatenate(thrusts)
    mass = np.array([plan.mass_at(t) for t in et])
    if lt is not None:
        inside = et <= lt.et[-1]
        mass[inside] = np.interp(et[inside], lt.et, lt.mass_kg)
    earth = state_et("earth", et)
    axis = ["x", "y", "z"]
    ds = xr.Dataset(
        {
            "position": (
                ("time", "axis"),
                st[:, :3],
                {"units": "km", "long_name": "heliocentric position (ecliptic J2000)"},
            ),
            "velocity": (
                ("time", "axis"),
                st[:, 3:],
                {"units": "km/s", "long_name": "heliocentric velocity (ecliptic J2000)"},
            ),
            "mass": ("time", mass, {"units": "kg", "long_name": "spacecraft mass"}),
            "thrust": (
                ("time", "axis"),
                thr,
                {"units": "N", "long_name": "low-thrust (SEP) thrust vector"},
            ),
            "thrust_magnitude": (
                "time",
                np.linalg.norm(thr, axis=1),
                {"units": "N", "long_name": "SEP thrust"},
            ),
            "thrust_available": (
                "time",
                np.concatenate(tmax),
                {
                    "units": "N",
                    "long_name": "SEP thrust available from the power at this distance (when thrusting)",
                },
            ),
            "distance_sun": (
                "time",
                np.linalg.norm(st[:, :3], axis=1) / AU_KM,
                {"units": "au", "long_name": "distance from the Sun"},
            ),
            "distance_earth": (
                "time",
                np.linalg.norm(st[:, :3] - earth[:, :3], axis=1) / AU_KM,
                {"units": "au", "long_name": "distance from the Earth"},
            ),
            "phase": ("time", np.concatenate(phases).astype(str), {"long_name": "mission phase"}),
        },
        coords={
            "time": ("time", np.atleast_1d(et_to_datetime64(et)), {"long_name": "epoch (UTC)"}),
            "et": ("time", et, {"units": "s", "long_name": "ephemeris time (TDB s past J2000)"}),
            "axis": axis,
        },
        attrs={
            "title": f"planned trajectory: {plan.mission.mission.name}",
            "frame": "ECLIPJ2000",
            "center": "Sun",
            "model": "patched conics (two-body legs); outbound low-thrust arc from CasADi collocation",
            "events": json.dumps(plan.event_iso()),
        },
    )
    return ds


def write_spk(plan: Any, path: Path) -> Path:
    """The spacecraft's SPK (type 13) from the trajectory; burns and flybys are segment breaks."""
    from orbits.spk import write_spk as _write

    ds = plan.trajectory
    et = ds["et"].values
    st = np.hstack([ds["position"].values, ds["velocity"].values])
    keep = np.concatenate([[True], np.diff(et) > 0])
    return _write(
        path,
        SPACECRAFT_NAIF_ID,
        et[keep],
        st[keep],
        breaks=sorted(plan.events.values()),
        comments=[
            f"kamo mission plan: {plan.mission.mission.name}",
            "patched-conic plan, not a flown trajectory",
        ],
    )


def _event_groups(events: dict[str, float], within_days: float = 3.0) -> list[tuple[str, float]]:
    """Events closer than ``within_days`` merged into one label (capsule release, return, flyby)."""
    groups: list[tuple[list[str], float]] = []
    for name, et in sorted(events.items(), key=lambda kv: kv[1]):
        if groups and et - groups[-1][1] < within_days * DAY_S:
            groups[-1][0].append(name)
        else:
            groups.append(([name], et))
    return [(" / ".join(names), et) for names, et in groups]


def _dates(et: np.ndarray):
    from orbits.time import et_to_datetime64

    return np.atleast_1d(et_to_datetime64(np.asarray(et)))


def plot_trajectory(plan: Any, ax=None):
    """The trajectory in the ecliptic plane with the Earth's, asteroid's and comet's orbits."""
    import matplotlib.pyplot as plt

    from orbits.ephemeris import state_et

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 7), layout="constrained")
    ds = plan.trajectory
    pos = ds["position"].values / AU_KM
    t0, t1 = ds["et"].values[0], ds["et"].values[-1]
    for body, color, period in (
        ("earth", "tab:blue", 366),
        (plan.mission.targets.comet, "tab:gray", 1190),
    ):
        et = np.linspace(t0, t0 + period * DAY_S, 300)
        s = state_et(body, et)[:, :3] / AU_KM
        ax.plot(s[:, 0], s[:, 1], color=color, lw=0.8, ls="--", label=f"{body} orbit")
    for phase in dict.fromkeys(ds["phase"].values):
        sel = ds["phase"].values == phase
        ax.plot(pos[sel, 0], pos[sel, 1], lw=1.2, label=str(phase))
    for name, et in _event_groups(plan.events):
        i = int(np.argmin(np.abs(ds["et"].values - et)))
        ax.plot(pos[i, 0], pos[i, 1], "k.", ms=5)
        ax.annotate(name, pos[i, :2], fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.plot(0, 0, "o", color="gold", ms=10)
    ax.set_aspect("equal")
    ax.set_xlabel("x (au, ecliptic J2000)")
    ax.set_ylabel("y (au)")
    ax.set_title(
        f"{plan.mission.mission.name}: {_dates([t0])[0].astype('datetime64[D]')} to {_dates([t1])[0].astype('datetime64[D]')}"
    )
    ax.legend(fontsize=7, loc="upper right")
    del t1
    return ax


def plot_distances(plan: Any, ax=None):
    """Distances to the Sun and to the Earth over the mission, events marked."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4), layout="constrained")
    ds = plan.trajectory
    ax.plot(ds["time"].values, ds["distance_sun"].values, label="Sun")
    ax.plot(ds["time"].values, ds["distance_earth"].values, label="Earth")
    for name, et in _event_groups(plan.events):
        ax.axvline(_dates([et])[0], color="0.7", lw=0.6)
        ax.text(_dates([et])[0], ax.get_ylim()[1] * 0.98, name, rotation=90, fontsize=6, va="top")
    ax.set_ylabel("distance (au)")
    ax.legend()
    ax.set_title("distance to the Sun and the Earth")
    return ax


def plot_thrust(plan: Any, ax=None):
    """SEP thrust on the low-thrust arc against the thrust the power allows, and the impulsive burns."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4), layout="constrained")
    lt = plan.low_thrust
    if lt is not None and plan.outbound_design == "low-thrust":
        t = _dates(lt.et)
        ax.plot(t, lt.thrust_magnitude_n * 1e3, "-", label="SEP thrust")
        ax.plot(t, lt.thrust_max_n * 1e3, "--", label="available from P(r)")
        ax.set_ylabel("thrust (mN)")
    ax2 = ax.twinx()
    burns = [
        m for m in plan.manoeuvres if m.propulsion in ("chemical", "sep") and "arc" not in m.name
    ]
    ax2.stem(
        _dates([m.et for m in burns]),
        [m.dv_km_s for m in burns],
        linefmt="C3-",
        markerfmt="C3o",
        basefmt=" ",
    )
    ax2.set_ylabel("impulsive delta-v (km/s)", color="C3")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper right")
    ax.set_title("thrust profile: low-thrust arc and impulsive manoeuvres")
    return ax


def plot_launch_porkchop(plan: Any, ax=None):
    """The launch-period porkchop with the planned launch marked."""
    from orbits.porkchop import plot_porkchop
    from orbits.time import et_to_iso

    c3_max = plan.mission.launch_vehicle.max_c3(plan.mission.spacecraft.wet_mass_kg)
    return plot_porkchop(
        plan.porkchop,
        ax,
        mark_launch=str(et_to_iso(plan.events["launch"])),
        title=f"Earth -> {plan.mission.targets.asteroid} launch period (LV C3 limit {c3_max:.1f} km²/s²)",
    )


def write_plan(plan: Any, out_dir: Path) -> dict[str, str]:
    """Write every output into ``out_dir``; returns the paths by kind."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, str] = {}
    nc = out_dir / "trajectory.nc"
    plan.trajectory.to_netcdf(nc, engine="h5netcdf")
    paths["trajectory"] = str(nc)
    paths["spk"] = str(write_spk(plan, out_dir / "spacecraft.bsp"))
    timeline = out_dir / "timeline.csv"
    timeline.write_text(
        "event,utc,et\n"
        + "".join(f"{k},{v},{plan.events[k]:.3f}\n" for k, v in plan.event_iso().items())
    )
    paths["timeline"] = str(timeline)
    budget = out_dir / "budget.csv"
    rows = [m.as_dict() for m in plan.manoeuvres]
    cols = list(rows[0])
    budget.write_text(
        ",".join(cols) + "\n" + "".join(",".join(str(r[c]) for c in cols) + "\n" for r in rows)
    )
    paths["budget"] = str(budget)
    summary = out_dir / "summary.json"
    from missions.cli._common import _to_jsonable

    summary.write_text(json.dumps(_to_jsonable(plan.summary()), indent=2))
    paths["summary"] = str(summary)
    for kind, fn in (
        ("plot_trajectory", plot_trajectory),
        ("plot_distances", plot_distances),
        ("plot_thrust", plot_thrust),
        ("plot_porkchop", plot_launch_porkchop),
    ):
        ax = fn(plan)
        path = out_dir / f"{kind.removeprefix('plot_')}.png"
        ax.figure.savefig(path, dpi=110)
        plt.close(ax.figure)
        paths[kind] = str(path)
    return paths
