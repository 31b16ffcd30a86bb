"""Closed-loop descent guidance: shrinking-horizon MPC with a ZEM/ZEV fallback.

Every guidance cycle :class:`DescentGuidance` re-plans the fuel-optimal descent
from the navigation estimate to the target with :class:`gnc.convex.ConvexDescentPlanner`
on the time remaining (the horizon shrinks; the node count stays fixed), and
commands the plan's first acceleration. If the solve fails (infeasible, not
converged) or takes longer than its time budget, it falls back to the
zero-effort-miss / zero-effort-velocity law (Ebrahimi, Bahrami & Roshanian,
"Optimal sliding-mode guidance with terminal velocity constraint for fixed-
interval propulsive maneuvers", Acta Astronautica 62, 2008; the energy-optimal
feedback for a constant known acceleration):

    a = 6 ZEM / t_go^2 - 2 ZEV / t_go,
    ZEM = r_f - (r + v t_go + a_app t_go^2 / 2),  ZEV = v_f - (v + a_app t_go),

where ``a_app`` is the apparent acceleration (gravity, centrifugal, Coriolis)
at the current state. In the last seconds (``terminal_s``) neither is used: a
velocity hold keeps the arrival velocity while the sampler closes the last
centimetres. All vectors are in the site's local frame (m, s).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gnc.convex import ConvexDescentPlanner, ConvexPlan

__all__ = ["DescentGuidance", "GuidanceCommand", "zem_zev_acceleration"]


def zem_zev_acceleration(r, v, r_target, v_target, t_go: float, a_apparent) -> np.ndarray:
    """ZEM/ZEV feedback acceleration (m/s^2) to reach ``r_target, v_target`` in ``t_go`` seconds."""
    if not t_go > 0:
        raise ValueError(f"t_go must be positive, got {t_go}")
    r, v, a_app = (np.asarray(x, dtype=float) for x in (r, v, a_apparent))
    zem = np.asarray(r_target) - (r + v * t_go + 0.5 * a_app * t_go**2)
    zev = np.asarray(v_target) - (v + a_app * t_go)
    return 6.0 * zem / t_go**2 - 2.0 * zev / t_go


@dataclass
class GuidanceCommand:
    """One guidance output: the thrust acceleration to hold (local frame, m/s^2) and where it came from."""

    accel: np.ndarray
    source: str  # "mpc", "zem-zev" or "terminal"
    t_go: float
    solve_time_s: float = 0.0
    plan: ConvexPlan | None = None


class DescentGuidance:
    """Shrinking-horizon MPC to a target state, with ZEM/ZEV fallback and a terminal velocity hold.

    Parameters
    ----------
    planner:
        The convex re-planner (it carries the dynamics model and the approach cone).
    apparent_acceleration:
        ``f(r_local, v_local) -> (3,)``: gravity + centrifugal + Coriolis in the
        local frame, used by the fallback and the terminal hold.
    accel_limit:
        Per-axis acceleration available to the fallback (m/s^2), normally the full authority.
    iteration_budget:
        A plan that needed more interior-point iterations than this is not used
        (the fallback is). Iterations are the deterministic measure of the
        flight computer's effort, so a seeded simulation is reproducible.
    time_budget_s:
        Optional wall-clock budget (s) for real-time use; ``None`` (default)
        disables it, as the flight side never reads the wall clock in simulation.
    min_horizon_s:
        Below this time-to-go the MPC is not called (ZEM/ZEV to the end).
    terminal_s:
        Below this time-to-go: velocity hold on ``v_target``.
    """

    def __init__(
        self,
        planner: ConvexDescentPlanner,
        apparent_acceleration,
        *,
        accel_limit: float,
        iteration_budget: int = 200,
        time_budget_s: float | None = None,
        min_horizon_s: float = 20.0,
        terminal_s: float = 6.0,
        velocity_gain: float = 0.5,
    ) -> None:
        if time_budget_s is not None and time_budget_s < 0:
            raise ValueError(f"time_budget_s must be >= 0, got {time_budget_s}")
        if iteration_budget < 0:
            raise ValueError(f"iteration_budget must be >= 0, got {iteration_budget}")
        self.iteration_budget = int(iteration_budget)
        self.planner = planner
        self.apparent_acceleration = apparent_acceleration
        self.accel_limit = float(accel_limit)
        self.time_budget_s = time_budget_s
        self.min_horizon_s = float(min_horizon_s)
        self.terminal_s = float(terminal_s)
        self.velocity_gain = float(velocity_gain)
        self._last_plan: ConvexPlan | None = None
        self.counts = {"mpc": 0, "zem-zev": 0, "terminal": 0, "failed": 0, "over_budget": 0}

    def reset(self) -> None:
        """Forget the warm start and the statistics."""
        self._last_plan = None
        self.counts = dict.fromkeys(self.counts, 0)

    def command(
        self, r, v, r_target, v_target, t_go: float, mass_kg: float | None = None
    ) -> GuidanceCommand:
        """Acceleration to command now, given the estimate ``r, v`` and ``t_go`` seconds to arrival."""
        r = np.asarray(r, dtype=float)
        v = np.asarray(v, dtype=float)
        a_app = self.apparent_acceleration(r, v)
        if t_go <= self.terminal_s:
            # hold the arrival velocity; null the lateral offset gently
            a = -a_app + self.velocity_gain * (np.asarray(v_target) - v)
            lateral = np.array([1.0, 1.0, 0.0])
            a += lateral * 0.02 * (np.asarray(r_target) - r)
            self.counts["terminal"] += 1
            return GuidanceCommand(self._clip(a), "terminal", t_go)
        solve_time = 0.0
        if t_go > self.min_horizon_s:
            plan = self.planner.plan(
                r, v, r_target, v_target, t_go, warm=self._last_plan, mass_kg=mass_kg
            )
            solve_time = plan.solve_time_s
            in_budget = plan.iterations <= self.iteration_budget and (
                self.time_budget_s is None or solve_time <= self.time_budget_s
            )
            if plan.success and in_budget:
                self._last_plan = plan
                self.counts["mpc"] += 1
                return GuidanceCommand(plan.accel[0].copy(), "mpc", t_go, solve_time, plan)
            self.counts["failed" if not plan.success else "over_budget"] += 1
        a = zem_zev_acceleration(r, v, r_target, v_target, t_go, a_app)
        self.counts["zem-zev"] += 1
        return GuidanceCommand(self._clip(a), "zem-zev", t_go, solve_time)

    def _clip(self, a: np.ndarray) -> np.ndarray:
        return np.clip(a, -self.accel_limit, self.accel_limit)
