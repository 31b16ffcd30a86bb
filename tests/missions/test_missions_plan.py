"""The planner on the reference mission (fast setting): legs connect, constraints hold, budget adds up."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from missions.mission import load_mission
from missions.plan import plan_mission
from orbits.constants import AU_KM, gm, radius
from orbits.ephemeris import state_et
from orbits.time import to_et

pytestmark = pytest.mark.slow

POSITION_TOL_KM = 10.0  # legs meet the bodies (and each other) at events to within this


@pytest.fixture(scope="module")
def plan():
    return plan_mission(load_mission(), fast=True)


def test_events_are_complete_and_ordered(plan):
    ev = plan.events
    for key in (
        "launch",
        "kamooalewa_arrival",
        "kamooalewa_departure",
        "capsule_release",
        "earth_return",
        "311p_arrival",
        "earth_flyby_1",
    ):
        assert key in ev, key
    assert list(ev.values()) == sorted(ev.values())
    stay_days = (ev["kamooalewa_departure"] - ev["kamooalewa_arrival"]) / 86400
    stay = plan.mission.phases.stay
    assert stay.min_days - 1e-6 <= stay_days <= stay.max_days + 1e-6
    ph = plan.mission.phases
    assert to_et(ph.launch.window_start) <= ev["launch"] <= to_et(ph.launch.window_end)
    assert (
        to_et(ph.return_.arrival_window_start)
        <= ev["earth_return"]
        <= to_et(ph.return_.arrival_window_end)
    )
    assert (
        to_et(ph.extended.arrival_window_start)
        <= ev["311p_arrival"]
        <= to_et(ph.extended.arrival_window_end)
    )
    assert ev["earth_return"] - ev["capsule_release"] == pytest.approx(12 * 3600.0)


def test_legs_connect_at_the_events(plan):
    """Each leg starts at its origin body and ends at its destination (the next leg's start)."""
    for leg in plan.legs:
        if leg["origin"] is not None:
            gap = np.linalg.norm(leg["state0"][:3] - state_et(leg["origin"], leg["et0"])[:3])
            assert gap < POSITION_TOL_KM, (leg["name"], gap)
        if leg["destination"] is not None:
            gap = np.linalg.norm(leg["state1"][:3] - state_et(leg["destination"], leg["et1"])[:3])
            assert gap < POSITION_TOL_KM, (leg["name"], gap)
    for a, b in zip(plan.legs[1:-1], plan.legs[2:], strict=True):
        assert a["et1"] == pytest.approx(b["et0"])
        assert np.linalg.norm(a["state1"][:3] - b["state0"][:3]) < POSITION_TOL_KM
    # the outbound leg ends at the asteroid with its velocity (rendezvous)
    out = plan.legs[0]
    target = state_et("kamooalewa", out["et1"])
    assert np.linalg.norm(out["state1"][3:] - target[3:]) < 1e-3


def test_trajectory_has_no_jumps(plan):
    ds = plan.trajectory
    et = ds["et"].values
    r = ds["position"].values
    speed = np.linalg.norm(ds["velocity"].values, axis=1)
    step = np.linalg.norm(np.diff(r, axis=0), axis=1)
    allowed = 1.2 * np.maximum(speed[1:], speed[:-1]) * np.diff(et) + POSITION_TOL_KM
    assert np.all(step <= allowed), float(np.max(step - allowed))
    for name in ("position", "velocity", "mass", "thrust", "distance_sun"):
        assert "units" in ds[name].attrs and "long_name" in ds[name].attrs


def test_launch_c3_within_the_launch_vehicle_capability(plan):
    m = plan.mission
    assert plan.launch_c3 <= m.launch_vehicle.max_c3(m.spacecraft.wet_mass_kg) + 1e-3
    assert plan.launch_mass_capability_kg >= m.spacecraft.wet_mass_kg - 0.1
    # the c3 is the launch v-inf relative to the Earth, recomputed here
    out = plan.legs[0]
    vinf = out["state0"][3:] - state_et("earth", out["et0"])[3:]
    assert float(vinf @ vinf) == pytest.approx(plan.launch_c3, rel=1e-6)


def test_entry_speed_within_its_limit(plan):
    ret = next(leg for leg in plan.legs if leg["name"] == "return")
    vinf = np.linalg.norm(ret["state1"][3:] - state_et("earth", ret["et1"])[3:])
    r = radius("earth") + plan.mission.phases.return_.entry_altitude_km
    v_entry = math.sqrt(vinf**2 + 2 * gm("earth") / r)  # vis-viva, independent of orbits.flyby
    assert v_entry == pytest.approx(plan.chain.entry_speed, rel=1e-9)
    assert v_entry <= plan.mission.phases.return_.entry_speed_max_km_s + 1e-6


def test_flybys_above_minimum_altitude_with_vinf_continuity(plan):
    ext = plan.mission.phases.extended
    legs = [leg for leg in plan.legs if leg["origin"] is not None and leg["name"] != "outbound"]
    for i, body in enumerate(ext.flybys):
        assert plan.flyby_altitudes_km[i] >= ext.min_flyby_altitude_km[i] - 1e-9
        arrive, leave = legs[i], legs[i + 1]
        planet = state_et(body, arrive["et1"])
        vin = arrive["state1"][3:] - planet[3:]
        vout = leave["state0"][3:] - planet[3:]
        # v-inf magnitude is continuous up to the budgeted powered-flyby impulse
        mismatch = abs(np.linalg.norm(vout) - np.linalg.norm(vin))
        assert mismatch <= plan.chain.flyby_dv[i] + 1e-9
        np.testing.assert_allclose(vin, plan.chain.flyby_vinf_in[i], atol=1e-9)
        np.testing.assert_allclose(vout, plan.chain.flyby_vinf_out[i], atol=1e-9)


def test_low_thrust_respects_power_and_mass_flow(plan):
    lt = plan.low_thrust
    assert lt is not None and lt.success and plan.outbound_design == "low-thrust"
    sep = plan.mission.spacecraft.sep
    r_au = np.linalg.norm(lt.r, axis=1) / AU_KM
    available = sep.max_thrust_n(r_au)  # the mission file's power model, evaluated independently
    assert np.all(lt.thrust_magnitude_n <= available * (1 + 1e-6) + 1e-9)
    c = sep.isp_s * 9.80665e-3
    flow = lt.thrust_magnitude_n * 1e-3 / c
    integral = float(np.sum(0.5 * (flow[1:] + flow[:-1]) * np.diff(lt.et)))
    assert lt.propellant_kg == pytest.approx(integral, rel=0.03)
    assert lt.mass_kg[0] == pytest.approx(plan.mission.spacecraft.wet_mass_kg)


def test_budget_consistent_with_the_delta_vs(plan):
    sc = plan.mission.spacecraft
    c = {"chemical": sc.chemical.isp_s * 9.80665e-3, "sep": sc.sep.isp_s * 9.80665e-3}
    mass = sc.wet_mass_kg
    for m in plan.manoeuvres:
        assert m.mass_before_kg == pytest.approx(mass)
        if m.propulsion == "release":
            assert m.mass_before_kg - m.mass_after_kg == pytest.approx(
                plan.mission.phases.return_.capsule_mass_kg
            )
        else:
            # rocket equation, manoeuvre by manoeuvre
            assert m.mass_after_kg == pytest.approx(
                m.mass_before_kg * math.exp(-m.dv_km_s / c[m.propulsion]), rel=1e-9
            )
        mass = m.mass_after_kg
    capsule = plan.mission.phases.return_.capsule_mass_kg
    assert plan.propellant_kg == pytest.approx(sc.wet_mass_kg - plan.final_mass_kg - capsule)
    assert plan.total_dv_km_s == pytest.approx(sum(m.dv_km_s for m in plan.manoeuvres))
    assert plan.final_mass_kg >= sc.dry_mass_kg - capsule
    assert plan.feasible


def test_every_leg_checked_in_high_fidelity(plan):
    names = [c.leg for c in plan.checks]
    assert names == ["outbound", "return", "comet"]
    for c in plan.checks:
        assert 0 < c.miss_km < 2e6  # the planets move the end point, but not by an au
        assert c.closest_approach_km <= c.miss_km + 1e-6
        assert c.residual_km < 10.0  # the correction re-targets the arrival
        assert c.correction_dv_km_s < 0.05


def test_outputs_written(plan, tmp_path):
    import xarray as xr

    from orbits.spk import readback_error_km

    paths = plan.write(tmp_path)
    for key in (
        "trajectory",
        "spk",
        "timeline",
        "budget",
        "summary",
        "plot_trajectory",
        "plot_distances",
        "plot_thrust",
        "plot_porkchop",
    ):
        assert (tmp_path / paths[key].split("/")[-1]).stat().st_size > 100, key
    ds = xr.open_dataset(paths["trajectory"], engine="h5netcdf")
    assert ds["position"].attrs["units"] == "km"
    assert ds.sizes["time"] == plan.trajectory.sizes["time"]
    # the SPK reproduces the trajectory away from the event breaks
    et = plan.trajectory["et"].values
    inner = et[(et > et[0] + 86400) & (et < et[-1] - 86400)][::50]
    events = np.array(sorted(plan.events.values()))
    inner = inner[np.min(np.abs(inner[:, None] - events[None]), axis=1) > 5 * 86400]
    states = plan.trajectory.swap_dims(time="et").sel(et=inner)
    st = np.hstack([states["position"].values, states["velocity"].values])
    pos_err, _ = readback_error_km(paths["spk"], -925, inner, st)
    assert pos_err < 1.0
    summary = json.loads((tmp_path / "summary.json").read_text())
    for key in ("events", "launch_c3_km2_s2", "total_dv_km_s", "propellant_kg", "final_mass_kg"):
        assert key in summary


def test_replan_with_a_changed_launch_date_is_warm(plan):
    again = plan_mission(
        plan.mission, fast=True, launch_date="2025-06-12", warm=plan, fidelity=False
    )
    assert abs(again.events["launch"] - to_et("2025-06-12")) <= 3600.0
    assert again.low_thrust.success
    assert again.events["kamooalewa_arrival"] > again.events["launch"]


def test_cli_plan_json(tmp_path, capsys):
    """``kamo mission plan --json`` in-process (the subprocess path is covered by the bad-file test in
    test_missions_mission_file.py; a fresh process here would re-pay every cache for ~20 s)."""
    from missions.cli import main

    main(
        [
            "mission",
            "plan",
            "missions/tianwen2.toml",
            "--out",
            str(tmp_path),
            "--json",
            "--fast",
            "--no-fidelity",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    for key in (
        "launch",
        "kamooalewa_arrival",
        "kamooalewa_departure",
        "earth_return",
        "311p_arrival",
        "earth_flyby_1",
    ):
        assert key in data["events"]
    assert data["launch_c3_km2_s2"] > 0 and data["total_dv_km_s"] > 0
    assert data["propellant_kg"] > 0 and data["final_mass_kg"] > 0
    assert (tmp_path / "trajectory.nc").exists() and (tmp_path / "spacecraft.bsp").exists()


def test_impulsive_design_is_budgeted_with_the_chemical_engine():
    mission = load_mission().replace(**{"phases.outbound.design": "impulsive"})
    plan = plan_mission(mission, fast=True, fidelity=False)
    assert plan.outbound_design == "impulsive" and "dsm_1" in plan.events
    assert plan.events["launch"] < plan.events["dsm_1"] < plan.events["kamooalewa_arrival"]
    chem = [m for m in plan.manoeuvres if m.propulsion == "chemical"]
    assert {"deep-space manoeuvre 1", "kamooalewa rendezvous"} <= {m.name for m in chem}
    ob = plan.outbound
    # the DSM joins the two outbound arcs in position, only the velocity jumps
    assert np.linalg.norm(ob.state_dsm_before[:3] - ob.state_dsm_after[:3]) == 0.0
    assert plan.legs[0]["state1"][:3] == pytest.approx(plan.legs[1]["state0"][:3])
    # with a 315 s engine the same rendezvous costs far more propellant than with SEP
    assert plan.propellant_kg > 800.0 and not plan.feasible


def test_casadi_refinement_meets_the_flyby_constraints(plan):
    """From a perturbed start, the CasADi NLP returns epochs with the periapsis at or above the
    minimum and no higher cost; the plan itself was refined the same way."""
    from missions.plan import impulsive as imp

    m = plan.mission
    ext, ret = m.phases.extended, m.phases.return_
    rp_min = [radius(b) + h for b, h in zip(ext.flybys, ext.min_flyby_altitude_km, strict=True)]
    problem = imp.ChainProblem(
        m.targets.asteroid,
        m.targets.comet,
        list(ext.flybys),
        rp_min,
        ret.entry_speed_max_km_s,
        radius("earth") + ret.entry_altitude_km,
    )
    x = np.asarray(plan._chain_x, dtype=float)
    day = 86400.0
    bounds = [
        (x[0] - 20 * day, x[0] + 20 * day),
        (x[1] - 20 * day, x[1] + 20 * day),
        (x[2] - 60 * day, x[2] + 60 * day),
    ]
    start = x + np.array([-3.0, 2.0, 10.0]) * day
    new, converged = imp.refine_chain_casadi(problem, start, bounds)
    assert converged and not np.array_equal(new, start)
    assert problem.cost(new[:, None])[0] < problem.cost(start[:, None])[0]
    chain = imp.build_chain(problem, new, "test")
    assert chain.entry_speed <= ret.entry_speed_max_km_s + 1e-6
    assert chain.flyby_rp[0] >= rp_min[0] * (1 - 1e-6)
    # v-inf continuity up to the powered impulse the budget pays
    mismatch = abs(np.linalg.norm(chain.flyby_vinf_out[0]) - np.linalg.norm(chain.flyby_vinf_in[0]))
    assert mismatch <= chain.flyby_dv[0] + 1e-9
    assert "CasADi" in plan.chain.refined_by
    assert plan.chain.flyby_rp[0] >= rp_min[0] * (1 - 1e-6)
