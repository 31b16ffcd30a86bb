"""The transcription layer: textbook problems with known optima, re-integration, warm starts, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from gnc.ocp import OptimalControlProblem


def _rest_to_rest(transcription: str, n: int = 20) -> OptimalControlProblem:
    ocp = OptimalControlProblem(n_intervals=n, transcription=transcription)
    x = ocp.state("x")
    v = ocp.state("v")
    a = ocp.control("a", lower=-1.0, upper=1.0)
    x0 = ocp.parameter("x0")
    ocp.set_dynamics({x: v, v: a})
    ocp.subject_to(ocp.vertcat(x - x0, v), at="start", lower=0.0, upper=0.0)
    ocp.subject_to(ocp.vertcat(x, v), at="end", lower=0.0, upper=0.0)
    ocp.minimize(running=a**2)
    ocp.set_duration(4.0)
    return ocp


@pytest.mark.parametrize("transcription", ["trapezoidal", "hermite-simpson", "multiple-shooting"])
def test_minimum_energy_double_integrator_matches_closed_form(transcription):
    # Bryson & Ho, "Applied Optimal Control" sec. 2.x: rest-to-rest with cost integral(a^2)
    # has a linear optimal control and cost 12 x0^2 / T^3.
    ocp = _rest_to_rest(transcription)
    sol = ocp.solve(parameters={"x0": 1.0})
    assert sol.success
    assert sol.objective == pytest.approx(12.0 / 4.0**3, rel=2e-2)
    # the re-integrated control reaches the end state the NLP claims
    xs = ocp.simulate(sol)
    tol = 5e-3 if transcription == "trapezoidal" else 1e-6
    assert np.abs(xs[-1]).max() < tol
    assert np.abs(xs[:, 0] - sol.state("x")).max() < tol


def test_hermite_simpson_is_exact_for_cubic_states():
    ocp = _rest_to_rest("hermite-simpson")
    sol = ocp.solve(parameters={"x0": 1.0})
    t = sol.t
    # x(t) = x0 (1 - 3 s^2 + 2 s^3), s = t/T
    s = t / 4.0
    np.testing.assert_allclose(sol.state("x"), 1 - 3 * s**2 + 2 * s**3, atol=1e-8)


def test_free_final_time_minimum_time_bang_bang():
    # minimum-time rest-to-rest with |a| <= 1 over distance 1 takes exactly 2 s (bang-bang)
    ocp = OptimalControlProblem(n_intervals=40, transcription="hermite-simpson")
    x = ocp.state("x")
    v = ocp.state("v")
    a = ocp.control("a", lower=-1.0, upper=1.0)
    ocp.set_dynamics({x: v, v: a})
    ocp.subject_to(ocp.vertcat(x - 1.0, v), at="start", lower=0.0, upper=0.0)
    ocp.subject_to(ocp.vertcat(x, v), at="end", lower=0.0, upper=0.0)
    ocp.minimize(terminal=ocp.duration)
    ocp.set_duration(3.0, free=True, lower=0.1, upper=10.0)
    sol = ocp.solve(guess={"x": [1.0, 0.0]})
    assert sol.success
    assert sol.duration == pytest.approx(2.0, abs=5e-3)


def test_warm_start_primal_dual_reconverges_in_few_iterations():
    ocp = _rest_to_rest("trapezoidal")
    cold = ocp.solve(parameters={"x0": 1.0})
    warm = ocp.solve(parameters={"x0": 1.05}, guess=cold, warm_start="primal-dual")
    again = ocp.solve(parameters={"x0": 1.05})
    assert warm.success and again.success
    assert warm.objective == pytest.approx(again.objective, rel=1e-6)
    assert warm.iterations <= again.iterations


def test_scaling_lets_tiny_units_converge():
    # a proximity-like problem: metres and mm/s; with scales the NLP is well posed
    ocp = OptimalControlProblem(n_intervals=30, transcription="trapezoidal")
    r = ocp.state("r", scale=50.0)
    v = ocp.state("v", scale=0.05)
    f = ocp.control("f", lower=-2e-4, upper=2e-4, scale=2e-4)
    ocp.set_dynamics({r: v, v: f})
    ocp.subject_to(ocp.vertcat(r - 50.0, v), at="start", lower=0.0, upper=0.0)
    ocp.subject_to(ocp.vertcat(r, v + 0.01), at="end", lower=0.0, upper=0.0)
    ocp.minimize(running=f**2, scale=1e-5)
    ocp.set_duration(1000.0)
    sol = ocp.solve()
    assert sol.success
    assert sol.state("v")[-1] == pytest.approx(-0.01, abs=1e-9)


def test_bad_inputs_name_the_value():
    with pytest.raises(ValueError, match="transcription"):
        OptimalControlProblem(transcription="euler")
    with pytest.raises(ValueError, match="n_intervals"):
        OptimalControlProblem(n_intervals=0)
    ocp = OptimalControlProblem(n_intervals=5)
    x = ocp.state("x")
    with pytest.raises(ValueError, match="already used"):
        ocp.state("x")
    with pytest.raises(ValueError, match="scale"):
        ocp.state("y", scale=-1.0)
    with pytest.raises(ValueError, match="at"):
        ocp.subject_to(x, at="middle")
    with pytest.raises(ValueError, match="no dynamics"):
        ocp.solve()
    ocp.set_dynamics({x: -x})
    with pytest.raises(ValueError, match="set the duration"):
        ocp.solve()
    with pytest.raises(ValueError, match="duration"):
        ocp.set_duration(-1.0)
    ocp.set_duration(1.0)
    p = ocp.parameter("p")
    ocp.subject_to(x - p, at="start", lower=0.0, upper=0.0)
    with pytest.raises(ValueError, match="parameter 'p' needs a value"):
        ocp.solve()
    sol = ocp.solve(parameters={"p": 2.0})
    assert sol.state("x")[-1] == pytest.approx(2.0 * np.exp(-1.0), rel=1e-4)
