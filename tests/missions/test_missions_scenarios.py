"""Closed-loop autonomy scenarios: every registered scenario's outcome over a seed sweep, fault variants, CLI."""

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from missions.scenarios import OUTCOMES, load_scenario, run_scenario, scenario_names

EXPECTED = {
    "nominal": "sampled",
    "hazard-waiveoff": "sampled",
    "thruster-stuck-off": "aborted_safe",
    "altimeter-dropout": "sampled",
    "proton-event": "sampled",
}
SEEDS = range(5)


def test_the_five_scenarios_are_registered_with_their_expected_outcomes():
    assert set(EXPECTED) <= set(scenario_names())
    for name, outcome in EXPECTED.items():
        assert load_scenario(name)["expected_outcome"] == outcome


def check_physics(res):
    assert res.outcome in OUTCOMES and res.outcome != "lost", res.reason
    assert res.min_altitude_m > -0.1  # the sampler horn stops at the surface
    for touch in res.touchdowns:
        assert touch["armed"]
        assert touch["vertical_speed_m_s"] < 0.2
        assert touch["lateral_speed_m_s"] < 0.05
    assert res.resources["propellant_kg"] > 20.0  # the ground's reserve


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_scenario_holds_for_every_seed(name):
    for seed in SEEDS:
        res = run_scenario(name, seed)
        assert res.outcome == EXPECTED[name], (name, seed, res.reason, str(res.log))
        check_physics(res)
        decisions = set(res.decisions["decision"])
        if name == "hazard-waiveoff":
            assert "WAIVE-OFF" in decisions
            sites = [e.reason for e in res.log.decisions("SITE")]
            assert sites[0].startswith("selected A") and sites[1].startswith("selected B")
        if name == "thruster-stuck-off":
            assert res.touchdowns == []  # aborted without touching the surface
            assert res.log.decisions("FAULT")[0].reason.startswith("thruster +z A")
            assert res.min_altitude_m > 10.0
        if name == "altimeter-dropout":
            assert any("camera_only" in e.reason for e in res.log.decisions("FDIR"))
        if name == "proton-event":
            go = [e.t for e in res.log.decisions("GO")]
            holds = [e for e in res.log.decisions("HOLD") if "advisory holds" in e.reason]
            assert holds and min(go) >= 2400.0  # nothing critical before the advisory ends


def test_result_tables_explain_themselves():
    res = run_scenario("thruster-stuck-off", 3)
    traj = res.trajectory
    assert traj["altitude"].attrs["units"] == "m" and traj["time"].attrs["units"] == "s"
    assert set(traj["mode"].values) >= {
        "approach",
        "survey",
        "home",
        "tag_descent",
        "back_away",
        "departure",
    }
    assert float(traj["altitude"].min()) == pytest.approx(res.min_altitude_m, abs=1.0)
    df = res.decisions
    assert list(df.columns[:4]) == ["t", "mode", "decision", "reason"]
    d = res.to_dict()
    assert set(d) >= {"outcome", "decisions", "min_altitude_m", "resources"}
    assert set(d["decisions"][0]) == {"time", "mode", "decision", "reason"}
    again = run_scenario("thruster-stuck-off", 3)
    assert again.to_dict() == d  # same seed, same run
    assert np.array_equal(again.trajectory["z"].values, traj["z"].values)


def test_altimeter_lost_above_the_camera_only_limit_aborts_without_contact():
    res = run_scenario("altimeter-dropout", 1, faults__0__below_altitude_m=35.0)
    assert res.outcome == "aborted_safe" and res.touchdowns == []
    fdir_lines = [e.reason for e in res.log.decisions("FDIR")]
    assert any("above the camera-only limit" in r for r in fdir_lines)


def test_proton_event_past_the_window_postpones():
    res = run_scenario("proton-event", 2, advisories__0__end_s=8500.0, goal__window_end_s=5000.0)
    assert res.outcome == "postponed" and res.touchdowns == []
    assert "window" in res.reason


def test_star_tracker_loss_holds_at_the_checkpoint_then_goes():
    faults = [
        {
            "kind": "star_tracker_loss",
            "below_altitude_m": 45.0,
            "after_time_s": 1000.0,
            "duration_s": 40.0,
        }
    ]
    res = run_scenario("nominal", 4, goal__rehearsals=0, faults=faults)
    assert res.outcome == "sampled"
    assert any("no star-tracker attitude" in e.reason for e in res.log.decisions("HOLD"))
    assert res.log.decisions("FAULT")[0].reason.startswith("no valid star-tracker attitude")


def test_low_battery_in_descent_goes_safe_without_contact():
    faults = [
        {"kind": "battery_drain", "soc": 0.1, "below_altitude_m": 60.0, "after_time_s": 1000.0}
    ]
    res = run_scenario("nominal", 0, goal__rehearsals=0, faults=faults)
    assert res.outcome == "aborted_safe" and res.touchdowns == []
    assert "safe" in set(res.decisions["mode"])


def test_sampling_mechanism_anomaly_ends_the_attempts():
    res = run_scenario("nominal", 0, goal__rehearsals=0, faults=[{"kind": "sample_mechanism"}])
    assert res.outcome == "aborted_safe" and len(res.touchdowns) == 1
    assert res.log.decisions("FAULT")[0].reason.startswith("sampling mechanism anomaly")


def test_thruster_stuck_on_is_isolated():
    faults = [{"kind": "thruster_stuck_on", "thruster": 2, "at_time_s": 300.0}]
    res = run_scenario("nominal", 0, faults=faults)
    assert res.log.decisions("FAULT")[0].reason == "thruster -x A firing uncommanded for 2 cycles"
    assert res.outcome == "aborted_safe" and res.touchdowns == []


def test_solver_budget_exhausted_falls_back_and_still_lands():
    res = run_scenario("nominal", 0, goal__rehearsals=0, executive__solver_iteration_budget=0)
    assert res.outcome == "sampled"
    assert res.log.decisions("REPLAN-FALLBACK") and res.replan_failures > 0
    assert "iteration budget" in res.log.decisions("REPLAN-FALLBACK")[0].reason


def test_bad_scenarios_name_the_problem(tmp_path):
    with pytest.raises(ValueError, match="unknown scenario 'nope'"):
        load_scenario("nope")
    bad = tmp_path / "bad.toml"
    bad.write_text('extends = "nominal"\nspeed = 3\n')
    with pytest.raises(ValueError, match="unknown key.*speed"):
        load_scenario(bad)
    bad.write_text('extends = "nominal"\n[[faults]]\nkind = "meteor"\n')
    with pytest.raises(ValueError, match=r"faults\[0\].kind must be one of"):
        load_scenario(bad)
    bad.write_text('extends = "nominal"\nsites = [{name = "X"}]\n')
    with pytest.raises(ValueError, match=r"sites\[0\] lacks 'lat_deg'"):
        load_scenario(bad)
    with pytest.raises(ValueError, match=r"unknown \[executive\] key"):
        run_scenario("nominal", 0, executive__warp=9)


def test_cli_json_and_bad_name():
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "missions.cli",
            "autonomy",
            "run",
            "thruster-stuck-off",
            "--seed",
            "2",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["outcome"] == "aborted_safe"
    assert payload["min_altitude_m"] > 10.0
    assert {"propellant_kg", "battery_soc", "data_stored_mbit"} <= set(payload["resources"])
    assert all(set(d) == {"time", "mode", "decision", "reason"} for d in payload["decisions"])
    bad = subprocess.run(
        [sys.executable, "-m", "missions.cli", "autonomy", "run", "nope"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "unknown scenario 'nope'" in bad.stderr


def test_ground_time_tagged_hold_and_resume():
    cmds = [
        {"uplink_s": 0.0, "t_exec_s": 1100.0, "action": "hold", "reason": "ground wants a look"},
        {"uplink_s": 0.0, "t_exec_s": 1600.0, "action": "resume", "reason": "go ahead"},
    ]
    res = run_scenario("nominal", 1, goal__rehearsals=0, ground_commands=cmds)
    assert res.outcome == "sampled"
    ground = [e for e in res.log.decisions("GROUND")]
    assert [e.numbers["t_exec_s"] for e in ground] == [1100.0, 1600.0]
    assert ground[0].t == 1100.0 and 1600.0 <= ground[1].t <= 1605.0
    assert any("ground hold" in e.reason for e in res.log.decisions("HOLD"))
    assert min(e.t for e in res.log.decisions("GO")) >= 1600.0


def test_ground_safe_command_ends_safe_without_contact():
    cmds = [{"uplink_s": 0.0, "t_exec_s": 900.0, "action": "safe", "reason": "anomaly review"}]
    res = run_scenario("nominal", 1, ground_commands=cmds)
    assert res.outcome == "aborted_safe" and res.touchdowns == []
    assert "safe" in set(res.decisions["mode"]) and res.min_altitude_m > 50.0


def test_ground_advisory_translates_to_simulation_seconds():
    import datetime as dt

    from ground.spaceweather.advisories import Advisory
    from missions.scenarios import advisory_from_ground

    epoch = dt.datetime(2026, 7, 1, 0, 0, tzinfo=dt.UTC)
    adv = Advisory(
        rule="hold-tag",
        actions=("hold touch-and-go",),
        start=epoch + dt.timedelta(minutes=15),
        expected_end=epoch + dt.timedelta(hours=2),
        reason="S2 protons",
        scale="S",
        level=2,
    )
    flight = advisory_from_ground(adv, epoch)
    assert (flight.kind, flight.level, flight.start, flight.end) == ("S", 2, 900.0, 7200.0)
    assert flight.t == 900.0 and flight.reason == "S2 protons"
    cme = Advisory("cme", ("watch",), adv.start, adv.expected_end, "CME", scale=None, source="cme")
    with pytest.raises(ValueError, match="has no NOAA scale"):
        advisory_from_ground(cme, epoch)


@pytest.mark.slow
@settings(max_examples=4, deadline=None, derandomize=True)
@given(name=st.sampled_from(sorted(EXPECTED)), seed=st.integers(1000, 2**31 - 1))
def test_outcomes_hold_for_arbitrary_seeds(name, seed):
    res = run_scenario(name, seed)
    assert res.outcome == EXPECTED[name], (name, seed, res.reason)
    check_physics(res)


def test_mass_memory_limit_pauses_survey_imaging():
    res = run_scenario("thruster-stuck-off", 0, power__data_capacity_mbit=100.0)
    lines = [e.reason for e in res.log.decisions("RESOURCE")]
    assert any("imaging off" in r for r in lines) and any("allowed again" in r for r in lines)
    assert res.log.decisions("HAZARD-MAP")  # the survey still finishes
    assert res.outcome == "aborted_safe"


def test_record_every_keeps_the_first_step_and_refuses_nonsense():
    from missions.scenarios import run_scenario

    every = run_scenario("nominal", seed=1)
    sparse = run_scenario("nominal", seed=1, record_every=10_000_000)
    assert sparse.outcome == every.outcome
    assert sparse.trajectory.sizes["time"] == 1
    assert float(sparse.trajectory["time"][0]) == float(every.trajectory["time"][0])
    with pytest.raises(ValueError, match="record_every"):
        run_scenario("nominal", seed=1, record_every=0)
