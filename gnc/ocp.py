"""Optimal-control problems stated like their maths, transcribed once for every problem in kamo.

An :class:`OptimalControlProblem` is written the way it reads on paper: states,
controls and parameters, the dynamics, path and boundary constraints, and the
objective. This module owns the plumbing every problem shares:

* **transcription** into a nonlinear program: trapezoidal or (compressed)
  Hermite-Simpson direct collocation, or multiple shooting with RK4 steps;
* **scaling**: each state, control, the duration and every constraint carries a
  scale, so that IPOPT sees numbers near 1 (unscaled proximity problems, with
  positions of tens of metres and speeds of centimetres per second, do not
  converge);
* **warm start** from a previous :class:`OCPSolution`, primal only or primal
  and dual (IPOPT ``warm_start_init_point``), the fast path for re-planning;
* **compile once, solve many**: the NLP and its solvers are built on the first
  solve and reused; anything that changes between solves (initial state, target,
  horizon length) is a *parameter* whose value is passed to :meth:`solve`.

Example (a double integrator brought to rest, minimum effort)::

    ocp = OptimalControlProblem(n_intervals=20, transcription="hermite-simpson")
    x = ocp.state("x", scale=1.0)
    v = ocp.state("v", scale=1.0)
    a = ocp.control("a", lower=-1.0, upper=1.0)
    x0 = ocp.parameter("x0")
    ocp.set_dynamics({"x": v, "v": a})
    ocp.subject_to(x - x0, at="start", lower=0.0, upper=0.0)
    ocp.subject_to(v, at="start", lower=0.0, upper=0.0)
    ocp.subject_to(ocp.vertcat(x, v), at="end", lower=0.0, upper=0.0)
    ocp.minimize(running=a**2)
    ocp.set_duration(4.0)
    sol = ocp.solve(parameters={"x0": 1.0})
    sol.state("x")[-1]  # ~0.0

The module is also the transcription layer for other kamo problems (a
heliocentric low-thrust transfer, the onboard re-planner): they build their own
:class:`OptimalControlProblem` and never touch CasADi's NLP interface.

Units are whatever the problem uses (the proximity problems in
:mod:`gnc.descent` use metres, seconds, kilograms and newtons); scales are in
the same units.
"""

from __future__ import annotations

import time as _time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import casadi as ca
import numpy as np

Transcription = Literal["trapezoidal", "hermite-simpson", "multiple-shooting"]
WarmStart = Literal["none", "primal", "primal-dual"]
_TRANSCRIPTIONS = ("trapezoidal", "hermite-simpson", "multiple-shooting")
_WHERE = ("path", "start", "end")

__all__ = ["OCPSolution", "OptimalControlProblem"]


@dataclass
class _Variable:
    name: str
    symbol: ca.SX
    size: int
    scale: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


@dataclass
class _Constraint:
    expr: ca.SX
    lower: np.ndarray
    upper: np.ndarray
    scale: np.ndarray
    where: str


@dataclass
class OCPSolution:
    """The solution of an :class:`OptimalControlProblem` on its time grid.

    ``t`` has ``n_intervals + 1`` points. States are given at every point;
    controls at every point for collocation (linear between points) and on the
    first ``n_intervals`` points for multiple shooting (held constant over each
    interval; the last row repeats the last interval's value).
    """

    t: np.ndarray
    states: dict[str, np.ndarray]
    controls: dict[str, np.ndarray]
    duration: float
    objective: float
    success: bool
    status: str
    iterations: int
    solve_time_s: float
    transcription: str
    control_hold: Literal["linear", "constant"]
    parameters: dict[str, np.ndarray] = field(default_factory=dict)
    # solver vectors (scaled) kept for warm starts
    _w: np.ndarray | None = field(default=None, repr=False)
    _lam_g: np.ndarray | None = field(default=None, repr=False)
    _lam_x: np.ndarray | None = field(default=None, repr=False)
    _problem_id: int = field(default=0, repr=False)

    def state(self, name: str) -> np.ndarray:
        """Array of shape ``(n_intervals + 1, size)`` (``size == 1`` squeezed) for state ``name``."""
        return _squeeze(self.states[name])

    def control(self, name: str) -> np.ndarray:
        """Array of shape ``(n_intervals + 1, size)`` (``size == 1`` squeezed) for control ``name``."""
        return _squeeze(self.controls[name])

    def control_at(self, name: str, t: float | np.ndarray) -> np.ndarray:
        """Control ``name`` at time(s) ``t`` with the transcription's own interpolation."""
        values = self.controls[name]
        t = np.asarray(t, dtype=float)
        if self.control_hold == "linear":
            out = np.stack([np.interp(t, self.t, values[:, j]) for j in range(values.shape[1])], -1)
        else:
            idx = np.clip(np.searchsorted(self.t, t, side="right") - 1, 0, len(self.t) - 2)
            out = values[idx]
        return _squeeze(out)

    def __repr__(self) -> str:
        flag = "ok" if self.success else f"FAILED ({self.status})"
        return (
            f"OCPSolution({flag}, {self.transcription}, {len(self.t) - 1} intervals, "
            f"duration={self.duration:.6g}, objective={self.objective:.6g}, "
            f"iterations={self.iterations}, {1e3 * self.solve_time_s:.1f} ms)"
        )


def _squeeze(a: np.ndarray) -> np.ndarray:
    return a[..., 0] if a.shape[-1] == 1 else a


def _as_vector(value: Any, size: int, what: str) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(value, dtype=float)).ravel()
    if arr.size == 1 and size != 1:
        arr = np.full(size, arr[0])
    if arr.size != size:
        raise ValueError(f"{what} must have {size} element(s), got {arr.size}: {value!r}")
    return arr


class OptimalControlProblem:
    """An optimal-control problem: states, controls, dynamics, constraints, objective.

    Parameters
    ----------
    n_intervals:
        Number of time intervals of the grid (``n_intervals + 1`` nodes).
    transcription:
        ``"hermite-simpson"`` (default; compressed form, third order),
        ``"trapezoidal"`` (second order, cheapest) or ``"multiple-shooting"``
        (controls held constant per interval, RK4 with ``rk4_steps`` steps).
    rk4_steps:
        RK4 steps per interval for multiple shooting.
    name:
        Used in the ``repr`` and CasADi function names.
    """

    def __init__(
        self,
        n_intervals: int = 50,
        transcription: Transcription = "hermite-simpson",
        *,
        rk4_steps: int = 2,
        name: str = "ocp",
    ) -> None:
        if int(n_intervals) != n_intervals or n_intervals < 1:
            raise ValueError(f"n_intervals must be a positive integer, got {n_intervals!r}")
        if transcription not in _TRANSCRIPTIONS:
            raise ValueError(
                f"transcription must be one of {', '.join(_TRANSCRIPTIONS)}, got {transcription!r}"
            )
        if int(rk4_steps) != rk4_steps or rk4_steps < 1:
            raise ValueError(f"rk4_steps must be a positive integer, got {rk4_steps!r}")
        self.n_intervals = int(n_intervals)
        self.transcription = transcription
        self.rk4_steps = int(rk4_steps)
        self.name = name
        self._states: list[_Variable] = []
        self._controls: list[_Variable] = []
        self._params: list[_Variable] = []
        self._dynamics: dict[str, ca.SX] = {}
        self._constraints: list[_Constraint] = []
        self._running: ca.SX = ca.SX(0)
        self._terminal: ca.SX = ca.SX(0)
        self._objective_scale = 1.0
        self.time = ca.SX.sym("t")
        """Absolute time symbol (``t0 + s * duration``), usable in dynamics and constraints."""
        self.duration = ca.SX.sym("T")
        """Duration symbol, usable in constraints and the objective."""
        self._t0 = 0.0
        self._duration_mode: str | None = None
        self._duration_value = 1.0
        self._duration_bounds = (0.0, np.inf)
        self._duration_scale = 1.0
        self._built: dict[str, Any] | None = None
        self._solvers: dict[tuple, Any] = {}
        self.solver_options: dict[str, Any] = {}

    # ---------------------------------------------------------------- statement
    @staticmethod
    def vertcat(*args: Any) -> ca.SX:
        """Stack expressions into one column (``casadi.vertcat``)."""
        return ca.vertcat(*args)

    def _add(self, bucket: list[_Variable], name: str, size: int, scale, lower, upper) -> ca.SX:
        if self._built is not None:
            raise RuntimeError("the problem is already built; declare everything before solve()")
        names = {v.name for v in self._states + self._controls + self._params}
        if name in names:
            raise ValueError(f"name {name!r} is already used; give each variable its own name")
        if int(size) != size or size < 1:
            raise ValueError(f"size of {name!r} must be a positive integer, got {size!r}")
        scale = _as_vector(scale, size, f"scale of {name!r}")
        if np.any(scale <= 0):
            raise ValueError(f"scale of {name!r} must be positive, got {scale}")
        lower = _as_vector(lower, size, f"lower bound of {name!r}")
        upper = _as_vector(upper, size, f"upper bound of {name!r}")
        if np.any(lower > upper):
            raise ValueError(f"lower bound of {name!r} exceeds its upper bound: {lower} > {upper}")
        sym = ca.SX.sym(name, int(size))
        bucket.append(_Variable(name, sym, int(size), scale, lower, upper))
        return sym

    def state(self, name: str, size: int = 1, *, scale=1.0, lower=-np.inf, upper=np.inf) -> ca.SX:
        """Declare a state of ``size`` components; ``scale`` is its typical magnitude."""
        return self._add(self._states, name, size, scale, lower, upper)

    def control(self, name: str, size: int = 1, *, scale=1.0, lower=-np.inf, upper=np.inf) -> ca.SX:
        """Declare a control of ``size`` components with simple bounds and a typical magnitude."""
        return self._add(self._controls, name, size, scale, lower, upper)

    def parameter(self, name: str, size: int = 1) -> ca.SX:
        """Declare a parameter whose value is given to :meth:`solve` (no rebuild needed)."""
        return self._add(self._params, name, size, 1.0, -np.inf, np.inf)

    def set_dynamics(self, derivatives: Mapping[str, Any] | Sequence[tuple[Any, Any]]) -> None:
        """Give each state's time derivative.

        Either a mapping by state name, ``{"r": v, "v": a, "m": -mdot}``, or a list
        of ``(state_symbol, derivative)`` pairs, ``[(r, v), (v, a)]`` (CasADi vector
        symbols are not hashable, so they cannot be dict keys; scalar ones can).
        """
        by_symbol = {id(v.symbol): v for v in self._states}
        by_name = {v.name: v for v in self._states}
        items = derivatives.items() if isinstance(derivatives, Mapping) else derivatives
        for key, expr in items:
            var = by_name.get(key) if isinstance(key, str) else by_symbol.get(id(key))
            if var is None:
                for cand in self._states:
                    if not isinstance(key, str) and ca.is_equal(cand.symbol, key):
                        var = cand
            if var is None:
                raise ValueError(f"dynamics key {key!r} is not a declared state")
            expr = ca.SX(expr) if not isinstance(expr, ca.SX) else expr
            if expr.numel() != var.size:
                raise ValueError(
                    f"derivative of {var.name!r} has {expr.numel()} components, expected {var.size}"
                )
            self._dynamics[var.name] = ca.reshape(expr, var.size, 1)

    def subject_to(
        self,
        expr: Any,
        *,
        lower=-np.inf,
        upper=np.inf,
        at: Literal["path", "start", "end"] = "path",
        scale=1.0,
    ) -> None:
        """Constrain ``lower <= expr <= upper`` along the path (every node), at the start or at the end.

        ``scale`` is the typical magnitude of ``expr``: the NLP sees ``expr / scale``.
        """
        if at not in _WHERE:
            raise ValueError(f"'at' must be one of {', '.join(_WHERE)}, got {at!r}")
        expr = ca.SX(expr) if not isinstance(expr, ca.SX) else expr
        expr = ca.reshape(expr, expr.numel(), 1)
        n = expr.numel()
        lower = _as_vector(lower, n, "lower bound of constraint")
        upper = _as_vector(upper, n, "upper bound of constraint")
        scale = _as_vector(scale, n, "scale of constraint")
        if np.any(lower > upper):
            raise ValueError(f"constraint lower bound exceeds its upper bound: {lower} > {upper}")
        self._constraints.append(_Constraint(expr, lower, upper, scale, at))

    def minimize(self, *, running: Any = 0, terminal: Any = 0, scale: float = 1.0) -> None:
        """Objective ``integral(running dt) + terminal``; ``scale`` is its typical magnitude."""
        self._running = ca.SX(running) if not isinstance(running, ca.SX) else running
        self._terminal = ca.SX(terminal) if not isinstance(terminal, ca.SX) else terminal
        if scale <= 0:
            raise ValueError(f"objective scale must be positive, got {scale}")
        self._objective_scale = float(scale)

    def set_duration(
        self,
        value: float,
        *,
        free: bool = False,
        lower: float = 0.0,
        upper: float = np.inf,
        t0: float = 0.0,
    ) -> None:
        """Fix the duration (``value`` may be overridden per solve) or free it with bounds (``value`` is the guess)."""
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"duration must be positive and finite, got {value!r}")
        if free and not (0.0 <= lower <= value <= upper):
            raise ValueError(
                f"free duration needs 0 <= lower <= guess <= upper, got {lower}, {value}, {upper}"
            )
        self._duration_mode = "free" if free else "fixed"
        self._duration_value = float(value)
        self._duration_bounds = (float(lower), float(upper))
        self._duration_scale = float(value)
        self._t0 = float(t0)

    # ----------------------------------------------------------------- building
    def _stack(
        self, vars_: Sequence[_Variable]
    ) -> tuple[ca.SX, np.ndarray, np.ndarray, np.ndarray]:
        if not vars_:
            return ca.SX(0, 1), np.zeros(0), np.zeros(0), np.zeros(0)
        sym = ca.vertcat(*[v.symbol for v in vars_])
        scale = np.concatenate([v.scale for v in vars_])
        lower = np.concatenate([v.lower for v in vars_])
        upper = np.concatenate([v.upper for v in vars_])
        return sym, scale, lower, upper

    def _build(self) -> dict[str, Any]:
        if self._built is not None:
            return self._built
        if not self._states:
            raise ValueError("declare at least one state with ocp.state(...)")
        missing = [v.name for v in self._states if v.name not in self._dynamics]
        if missing:
            raise ValueError(f"no dynamics given for state(s) {missing}; use ocp.set_dynamics")
        if self._duration_mode is None:
            raise ValueError("set the duration with ocp.set_duration(...) before solving")

        N = self.n_intervals
        xs, xsc, xlb, xub = self._stack(self._states)
        us, usc, ulb, uub = self._stack(self._controls)
        ps = self._stack(self._params)[0]
        nx, nu, npar = xs.numel(), us.numel(), ps.numel()
        xdot = ca.vertcat(*[self._dynamics[v.name] for v in self._states])
        T_ = self.duration
        f = ca.Function("f", [xs, us, ps, self.time, T_], [xdot])
        lag = ca.Function("L", [xs, us, ps, self.time, T_], [ca.reshape(self._running, 1, 1)])

        # decision vector (scaled): X (N+1)*nx, U (Nu)*nu, [T]
        n_u_nodes = N if self.transcription == "multiple-shooting" else N + 1
        Xs = ca.SX.sym("X", nx, N + 1)
        Us = ca.SX.sym("U", nu, n_u_nodes)
        free_T = self._duration_mode == "free"
        Ts = ca.SX.sym("Ts") if free_T else ca.SX(0, 1)
        P = ca.SX.sym("P", npar)
        Tfix = ca.SX.sym("Tfix")
        T = Ts * self._duration_scale if free_T else Tfix
        X = Xs * ca.DM(xsc)
        U = Us * ca.DM(usc) if nu else Us
        h = T / N
        t0 = self._t0
        tk = [t0 + k * h for k in range(N + 1)]

        def u_at(k: int) -> ca.SX:
            if nu == 0:
                return ca.SX(0, 1)
            return U[:, min(k, n_u_nodes - 1)]

        g: list[ca.SX] = []
        glb: list[np.ndarray] = []
        gub: list[np.ndarray] = []
        J = ca.SX(0)
        inv_xsc = ca.DM(1.0 / xsc)

        fk = [f(X[:, k], u_at(k), P, tk[k], T) for k in range(N + 1)]
        for k in range(N):
            xk, xk1 = X[:, k], X[:, k + 1]
            if self.transcription == "trapezoidal":
                defect = xk1 - xk - h / 2 * (fk[k] + fk[k + 1])
                J += (
                    h / 2 * (lag(xk, u_at(k), P, tk[k], T) + lag(xk1, u_at(k + 1), P, tk[k + 1], T))
                )
            elif self.transcription == "hermite-simpson":
                um = (u_at(k) + u_at(k + 1)) / 2
                tm = tk[k] + h / 2
                xm = (xk + xk1) / 2 + h / 8 * (fk[k] - fk[k + 1])
                fm = f(xm, um, P, tm, T)
                defect = xk1 - xk - h / 6 * (fk[k] + 4 * fm + fk[k + 1])
                J += (
                    h
                    / 6
                    * (
                        lag(xk, u_at(k), P, tk[k], T)
                        + 4 * lag(xm, um, P, tm, T)
                        + lag(xk1, u_at(k + 1), P, tk[k + 1], T)
                    )
                )
            else:
                x = xk
                dt = h / self.rk4_steps
                uk = u_at(k)
                for j in range(self.rk4_steps):
                    tj = tk[k] + j * dt
                    k1 = f(x, uk, P, tj, T)
                    k2 = f(x + dt / 2 * k1, uk, P, tj + dt / 2, T)
                    k3 = f(x + dt / 2 * k2, uk, P, tj + dt / 2, T)
                    k4 = f(x + dt * k3, uk, P, tj + dt, T)
                    J += (
                        dt
                        / 6
                        * (
                            lag(x, uk, P, tj, T)
                            + 2 * lag(x + dt / 2 * k1, uk, P, tj + dt / 2, T)
                            + 2 * lag(x + dt / 2 * k2, uk, P, tj + dt / 2, T)
                            + lag(x + dt * k3, uk, P, tj + dt, T)
                        )
                    )
                    x = x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
                defect = xk1 - x
            g.append(defect * inv_xsc)
            glb.append(np.zeros(nx))
            gub.append(np.zeros(nx))

        for c in self._constraints:
            fn = ca.Function("c", [xs, us, ps, self.time, T_], [c.expr])
            nodes = {"path": range(N + 1), "start": [0], "end": [N]}[c.where]
            for k in nodes:
                g.append(fn(X[:, k], u_at(k), P, tk[k], T) / ca.DM(c.scale))
                glb.append(c.lower / c.scale)
                gub.append(c.upper / c.scale)

        term = ca.Function("M", [xs, us, ps, self.time, T_], [ca.reshape(self._terminal, 1, 1)])
        J += term(X[:, N], u_at(N), P, tk[N], T)
        J = J / self._objective_scale

        w = ca.vertcat(ca.vec(Xs), ca.vec(Us), Ts)
        lbw = np.concatenate(
            [np.tile(xlb / xsc, N + 1), np.tile(ulb / usc if nu else [], n_u_nodes)]
            + ([np.array([self._duration_bounds[0] / self._duration_scale])] if free_T else [])
        )
        ubw = np.concatenate(
            [np.tile(xub / xsc, N + 1), np.tile(uub / usc if nu else [], n_u_nodes)]
            + ([np.array([self._duration_bounds[1] / self._duration_scale])] if free_T else [])
        )
        p_all = ca.vertcat(P, Tfix)
        nlp = {"x": w, "p": p_all, "f": J, "g": ca.vertcat(*g)}
        self._built = {
            "nlp": nlp,
            "lbw": lbw,
            "ubw": ubw,
            "lbg": np.concatenate(glb) if glb else np.zeros(0),
            "ubg": np.concatenate(gub) if gub else np.zeros(0),
            "nx": nx,
            "nu": nu,
            "n_u_nodes": n_u_nodes,
            "xsc": xsc,
            "usc": usc,
            "f": f,
            "free_T": free_T,
        }
        return self._built

    def _solver(self, warm: bool, solver: str, options: Mapping[str, Any]) -> Any:
        key = (warm, solver, tuple(sorted((k, repr(v)) for k, v in options.items())))
        if key not in self._solvers:
            b = self._build()
            opts: dict[str, Any] = {"print_time": False, "error_on_fail": False}
            if solver == "ipopt":
                ipopt = {
                    "print_level": 0,
                    "sb": "yes",
                    "tol": 1e-8,
                    "max_iter": 500,
                }
                if warm:
                    ipopt.update(
                        {
                            "warm_start_init_point": "yes",
                            "warm_start_bound_push": 1e-9,
                            "warm_start_bound_frac": 1e-9,
                            "warm_start_slack_bound_push": 1e-9,
                            "warm_start_slack_bound_frac": 1e-9,
                            "warm_start_mult_bound_push": 1e-9,
                            "mu_init": 1e-6,
                        }
                    )
                ipopt.update({k: v for k, v in options.items()})
                opts["ipopt"] = ipopt
            else:
                opts.update(options)
            self._solvers[key] = ca.nlpsol(f"{self.name}_{solver}", solver, b["nlp"], opts)
        return self._solvers[key]

    # ------------------------------------------------------------------ solving
    def initial_guess(
        self, guess: Mapping[str, Any] | None = None, duration: float | None = None
    ) -> np.ndarray:
        """Scaled decision vector from a guess ``{name: value}``.

        A value may be one vector (held constant over the grid), an array of shape
        ``(n_intervals + 1, size)``, or a pair ``(start, end)`` interpolated linearly.
        Unnamed variables start at zero (clipped into their bounds).
        """
        b = self._build()
        N, nu_nodes = self.n_intervals, b["n_u_nodes"]
        guess = dict(guess or {})
        known = {v.name for v in self._states + self._controls}
        unknown = set(guess) - known
        if unknown:
            raise ValueError(f"guess names {sorted(unknown)} are not states or controls")

        def block(vars_: list[_Variable], n_nodes: int) -> np.ndarray:
            cols = []
            for v in vars_:
                if v.name in guess:
                    val = np.asarray(guess[v.name], dtype=float)
                    if val.size == v.size:
                        arr = np.tile(val.ravel(), (n_nodes, 1))
                    elif val.size == 2 * v.size:
                        s = np.linspace(0.0, 1.0, n_nodes)[:, None]
                        pair = val.reshape(2, v.size)
                        arr = pair[0] * (1 - s) + pair[1] * s
                    elif val.size in ((N + 1) * v.size, N * v.size):
                        arr = val.reshape(-1, v.size)[:n_nodes]
                        if arr.shape[0] < n_nodes:
                            arr = np.vstack([arr, arr[-1:]])
                    else:
                        arr = np.tile(_as_vector(val, v.size, f"guess of {v.name!r}"), (n_nodes, 1))
                else:
                    arr = np.tile(np.clip(0.0, v.lower, v.upper), (n_nodes, 1))
                cols.append(arr / v.scale)
            if not cols:
                return np.zeros((n_nodes, 0))
            return np.hstack(cols)

        parts = [block(self._states, N + 1).ravel(), block(self._controls, nu_nodes).ravel()]
        if b["free_T"]:
            parts.append(np.array([(duration or self._duration_value) / self._duration_scale]))
        return np.concatenate(parts)

    def _param_vector(self, parameters: Mapping[str, Any] | None) -> tuple[np.ndarray, dict]:
        parameters = dict(parameters or {})
        unknown = set(parameters) - {v.name for v in self._params}
        if unknown:
            raise ValueError(f"parameters {sorted(unknown)} are not declared")
        values, named = [], {}
        for v in self._params:
            if v.name not in parameters:
                raise ValueError(f"parameter {v.name!r} needs a value: solve(parameters={{...}})")
            val = _as_vector(parameters[v.name], v.size, f"parameter {v.name!r}")
            values.append(val)
            named[v.name] = val
        return (np.concatenate(values) if values else np.zeros(0)), named

    def solve(
        self,
        parameters: Mapping[str, Any] | None = None,
        *,
        guess: Mapping[str, Any] | OCPSolution | None = None,
        warm_start: WarmStart = "primal-dual",
        duration: float | None = None,
        solver: str = "ipopt",
        options: Mapping[str, Any] | None = None,
    ) -> OCPSolution:
        """Solve for the given parameter values.

        ``guess`` is either a dict (see :meth:`initial_guess`) or a previous
        :class:`OCPSolution` of this problem; with a previous solution,
        ``warm_start`` chooses ``"primal"`` (its variables), ``"primal-dual"``
        (variables and multipliers, IPOPT ``warm_start_init_point``; the fastest
        for re-planning) or ``"none"`` (ignore it: a cold start). ``duration`` overrides a fixed duration for this solve
        (shrinking-horizon guidance). ``solver`` is any CasADi ``nlpsol`` plugin;
        ``options`` go to it (IPOPT options for ``"ipopt"``).
        """
        if warm_start not in ("none", "primal", "primal-dual"):
            raise ValueError(
                f"warm_start must be 'none', 'primal' or 'primal-dual', got {warm_start!r}"
            )
        b = self._build()
        p, named = self._param_vector(parameters)
        T_fixed = self._duration_value if duration is None else float(duration)
        if not np.isfinite(T_fixed) or T_fixed <= 0:
            raise ValueError(f"duration must be positive and finite, got {duration!r}")
        if duration is not None and b["free_T"]:
            raise ValueError(
                "duration= overrides a fixed duration; this problem's duration is free"
            )
        args: dict[str, Any] = {
            "p": np.concatenate([p, [T_fixed]]),
            "lbx": b["lbw"],
            "ubx": b["ubw"],
            "lbg": b["lbg"],
            "ubg": b["ubg"],
        }
        use_dual = False
        if isinstance(guess, OCPSolution) and warm_start != "none":
            if guess._problem_id != id(self) or guess._w is None:
                raise ValueError("a warm-start solution must come from this same problem")
            args["x0"] = guess._w
            if warm_start == "primal-dual":
                args["lam_g0"] = guess._lam_g
                args["lam_x0"] = guess._lam_x
                use_dual = True
        else:
            cold = None if isinstance(guess, OCPSolution) else guess
            args["x0"] = self.initial_guess(cold, duration=T_fixed)
        nlp_solver = self._solver(use_dual, solver, dict(options or {}))
        tic = _time.perf_counter()
        res = nlp_solver(**args)
        elapsed = _time.perf_counter() - tic
        stats = nlp_solver.stats()
        return self._unpack(res, stats, elapsed, named, T_fixed)

    def _unpack(self, res, stats, elapsed, named, T_fixed) -> OCPSolution:
        b = self._build()
        N, nx, nu, nu_nodes = self.n_intervals, b["nx"], b["nu"], b["n_u_nodes"]
        w = np.asarray(res["x"]).ravel()
        Xs = w[: nx * (N + 1)].reshape(N + 1, nx) * b["xsc"]
        Us = w[nx * (N + 1) : nx * (N + 1) + nu * nu_nodes].reshape(nu_nodes, nu)
        Us = Us * b["usc"] if nu else Us
        if nu_nodes == N:
            Us = np.vstack([Us, Us[-1:]])
        T = w[-1] * self._duration_scale if b["free_T"] else T_fixed
        t = self._t0 + np.linspace(0.0, T, N + 1)
        states, i = {}, 0
        for v in self._states:
            states[v.name] = Xs[:, i : i + v.size]
            i += v.size
        controls, i = {}, 0
        for v in self._controls:
            controls[v.name] = Us[:, i : i + v.size]
            i += v.size
        return OCPSolution(
            t=t,
            states=states,
            controls=controls,
            duration=float(T),
            objective=float(res["f"]) * self._objective_scale,
            success=bool(stats.get("success", False)),
            status=str(stats.get("return_status", "unknown")),
            iterations=int(stats.get("iter_count", -1)),
            solve_time_s=elapsed,
            transcription=self.transcription,
            control_hold="constant" if self.transcription == "multiple-shooting" else "linear",
            parameters=named,
            _w=w,
            _lam_g=np.asarray(res["lam_g"]).ravel(),
            _lam_x=np.asarray(res["lam_x"]).ravel(),
            _problem_id=id(self),
        )

    # ------------------------------------------------------------------- checks
    def simulate(
        self,
        solution: OCPSolution,
        parameters: Mapping[str, Any] | None = None,
        *,
        steps_per_interval: int = 20,
    ) -> np.ndarray:
        """Re-integrate the dynamics under the solution's controls (RK4, fine steps).

        Returns the states on the solution's grid, shape ``(n_intervals + 1, nx)``,
        to compare with the transcribed states (a check of the transcription).
        """
        b = self._build()
        p, _ = self._param_vector(parameters if parameters is not None else solution.parameters)
        f = b["f"]
        names = [v.name for v in self._controls]
        T = solution.duration
        x = np.concatenate([solution.states[v.name][0] for v in self._states])
        out = [x.copy()]

        def u_of(t: float) -> np.ndarray:
            if not names:
                return np.zeros(0)
            return np.concatenate([np.atleast_1d(solution.control_at(n, t)) for n in names])

        for k in range(self.n_intervals):
            ta, tb = solution.t[k], solution.t[k + 1]
            dt = (tb - ta) / steps_per_interval
            hold = solution.control_hold == "constant"
            uk = u_of(ta) if hold else None
            for j in range(steps_per_interval):
                t = ta + j * dt
                ua = uk if hold else u_of(t)
                um = uk if hold else u_of(min(t + dt / 2, tb))
                ub = uk if hold else u_of(min(t + dt, tb))
                k1 = np.asarray(f(x, ua, p, t, T)).ravel()
                k2 = np.asarray(f(x + dt / 2 * k1, um, p, t + dt / 2, T)).ravel()
                k3 = np.asarray(f(x + dt / 2 * k2, um, p, t + dt / 2, T)).ravel()
                k4 = np.asarray(f(x + dt * k3, ub, p, t + dt, T)).ravel()
                x = x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
            out.append(x.copy())
        return np.array(out)

    def __repr__(self) -> str:
        dims = lambda vs: ", ".join(f"{v.name}[{v.size}]" for v in vs) or "-"  # noqa: E731
        dur = (
            f"free (guess {self._duration_value:g})"
            if self._duration_mode == "free"
            else f"{self._duration_value:g}"
        )
        return (
            f"OptimalControlProblem({self.name!r}, {self.transcription}, {self.n_intervals} intervals, "
            f"states: {dims(self._states)}; controls: {dims(self._controls)}; "
            f"parameters: {dims(self._params)}; {len(self._constraints)} constraint group(s); "
            f"duration {dur})"
        )
