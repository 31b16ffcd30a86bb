"""The executive's interface: plain objects in and out, deterministic, no clock, no I/O."""

import ast
import math
from pathlib import Path

import numpy as np
import pytest

import autonomy
from autonomy.commands import AttitudeCommand, StepCadence, ThrusterCommand
from autonomy.executive import Executive, ExecutiveConfig
from autonomy.modes import Mode
from autonomy.observations import GroundGoal, NavSolution, SpaceWeatherAdvisory


def nav(t, r, v=(0.0, 0.0, 0.0)):
    return NavSolution(t, r, v, (0.5, 0.5, 0.5), (0.003, 0.003, 0.003))


def test_step_returns_plain_commands_and_a_cadence():
    ex = Executive(ExecutiveConfig.default())
    cmds = ex.step(0.0, [GroundGoal(0.0, 0.0, 5000.0), nav(0.0, (0.0, 0.0, 500.0))])
    kinds = {type(c) for c in cmds}
    assert {ThrusterCommand, AttitudeCommand, StepCadence} <= kinds
    cadence = [c for c in cmds if isinstance(c, StepCadence)][0]
    assert cadence.period_s == 5.0  # far out: coarse rate
    assert ex.mode is Mode.APPROACH
    assert [e.decision for e in ex.log][:2] == ["GOAL", "LEG"]


def test_same_observations_same_commands():
    def fly():
        ex = Executive(ExecutiveConfig.default())
        out = []
        r = np.array([3.0, -2.0, 500.0])
        for k in range(30):
            t = 5.0 * k
            obs = [nav(t, tuple(r))] + ([GroundGoal(0.0, 0.0, 5000.0)] if k == 0 else [])
            cmds = ex.step(t, obs)
            thrust = [c for c in cmds if isinstance(c, ThrusterCommand)][0]
            out.append(thrust.duty)
            r = r + np.array([0.0, 0.0, -1.0])
        return out

    assert fly() == fly()


def test_unknown_observation_is_refused():
    ex = Executive()
    with pytest.raises(TypeError, match="does not know observations of type dict"):
        ex.step(0.0, [{"altitude": 3}])


def test_advisory_is_logged_with_its_window():
    ex = Executive()
    ex.step(0.0, [nav(0.0, (0, 0, 500)), SpaceWeatherAdvisory(0.0, 2, "S", 10.0, 900.0, "protons")])
    adv = ex.log.decisions("ADVISORY")[0]
    assert adv.numbers["start_s"] == 10.0 and adv.numbers["end_s"] == 900.0
    ex.step(20.0, [nav(20.0, (0, 0, 499))])
    assert ex.log.decisions("FDIR")[-1].reason.startswith("hold: S2 advisory active")


def test_front_door_exports_resolve():
    for name in autonomy.__all__:
        assert getattr(autonomy, name) is not None


FORBIDDEN_IMPORTS = {"time", "datetime", "socket", "random", "os", "pathlib", "ground", "missions"}


@pytest.mark.parametrize(
    "path", sorted(Path(autonomy.__file__).parent.glob("*.py")), ids=lambda p: p.name
)
def test_flight_code_reads_no_clock_and_does_no_io(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names = {(node.module or "").split(".")[0]}
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in ("open", "input", "print"), f"{path.name}: {node.func.id}()"
            continue
        else:
            continue
        assert not names & FORBIDDEN_IMPORTS, f"{path.name} imports {names & FORBIDDEN_IMPORTS}"


def test_quantized_horizon_stays_within_six_percent():
    from autonomy.executive import _quantize_horizon

    for T in np.geomspace(1.0, 5000.0, 200):
        assert abs(_quantize_horizon(T) / T - 1) <= 0.06
    assert len({round(_quantize_horizon(T), 9) for T in np.geomspace(3, 3000, 1000)}) < 64
    assert math.isclose(_quantize_horizon(1.12**10), 1.12**10)
