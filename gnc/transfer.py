"""Heliocentric low-thrust transfer: minimum propellant with solar-electric thrust bounded by power.

The problem, as it reads on paper (two-body Sun, ecliptic J2000)::

    states    r (3), v (3), m                 controls  F (3) thrust vector, s thrust magnitude
    r' = v
    v' = -mu r / |r|^3 + F / m
    m' = -s / c                                c = Isp g0 (exhaust speed)
    |F|^2 <= s^2,   s <= F_1au (1 au / |r|)^2,  s <= F_max      (power P(r) ~ P0 / r^2, capped)
    r(0) = r_dep,   |v(0) - v_dep|^2 <= vinf_max^2               (launch energy within the LV's C3)
    r(T) = r_arr,   v(T) = v_arr                                 (rendezvous)
    minimise m(0) - m(T)                                         (propellant)

It is transcribed by :class:`gnc.ocp.OptimalControlProblem` (Hermite-Simpson
collocation by default) in canonical units (au, ``TU = sqrt(au^3/GM_sun)``, the
initial mass), so IPOPT sees numbers near one. The problem is built once per
grid size; boundary states, mass and duration are parameters, so a re-plan
after a changed launch date re-solves without rebuilding and can warm-start
from the previous solution. The first solve is warm-started from an impulsive
design: its coast-arc states at the nodes and zero thrust.

>>> tr = LowThrustTransfer(n_intervals=30)              # doctest: +SKIP
>>> sol = tr.solve(r0, v0, r1, v1, tof_s, mass_kg=2100, isp_s=3000,
...                thrust_1au_n=0.25, max_thrust_n=0.25)  # doctest: +SKIP
>>> sol.propellant_kg                                    # doctest: +SKIP
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gnc.ocp import OCPSolution, OptimalControlProblem
from orbits.constants import AU_KM, GM_SUN

__all__ = ["LowThrustTransfer", "TransferSolution"]

G0 = 9.80665e-3  # km/s^2
_TU = math.sqrt(AU_KM**3 / GM_SUN)  # s
_VU = AU_KM / _TU  # km/s
_AU_ACC = AU_KM / _TU**2  # km/s^2


@dataclass
class TransferSolution:
    """A solved low-thrust transfer in kamo units (ET s, km, km/s, kg, N)."""

    et: np.ndarray  # (n,)
    r: np.ndarray  # (n, 3) km
    v: np.ndarray  # (n, 3) km/s
    mass_kg: np.ndarray  # (n,)
    thrust_n: np.ndarray  # (n, 3) N
    thrust_max_n: np.ndarray  # (n,) N, available at each node
    isp_s: float
    success: bool
    status: str
    iterations: int
    solve_time_s: float
    launch_vinf: np.ndarray  # (3,) km/s, relative to the departure body
    ocp_solution: OCPSolution = field(repr=False)

    @property
    def propellant_kg(self) -> float:
        return float(self.mass_kg[0] - self.mass_kg[-1])

    @property
    def thrust_magnitude_n(self) -> np.ndarray:
        return np.linalg.norm(self.thrust_n, axis=1)

    @property
    def delta_v_km_s(self) -> float:
        """Equivalent delta-v from the rocket equation, ``c ln(m0/m1)``."""
        return float(self.isp_s * G0 * math.log(self.mass_kg[0] / self.mass_kg[-1]))

    def __repr__(self) -> str:
        flag = "ok" if self.success else f"FAILED ({self.status})"
        days = (self.et[-1] - self.et[0]) / 86400.0
        return (
            f"TransferSolution({flag}: {days:.0f} d, propellant {self.propellant_kg:.1f} kg, "
            f"dv {self.delta_v_km_s:.3f} km/s, peak thrust {self.thrust_magnitude_n.max():.3f} N, "
            f"launch v-inf {np.linalg.norm(self.launch_vinf):.3f} km/s, {self.iterations} it)"
        )


class LowThrustTransfer:
    """Minimum-propellant SEP rendezvous between two heliocentric states (see module docstring).

    Parameters
    ----------
    n_intervals : int
        Collocation intervals (nodes = n_intervals + 1).
    transcription : str
        Any :class:`gnc.ocp.OptimalControlProblem` transcription.
    mu : float
        Central GM, km^3/s^2 (the Sun's).
    """

    def __init__(
        self,
        n_intervals: int = 40,
        transcription: str = "hermite-simpson",
        *,
        mu: float = GM_SUN,
    ) -> None:
        self.n_intervals = int(n_intervals)
        self.mu = float(mu)
        self._ocp = self._state_problem(transcription)

    def _state_problem(self, transcription: str) -> OptimalControlProblem:
        mu_c = self.mu / GM_SUN  # 1 for the Sun
        ocp = OptimalControlProblem(self.n_intervals, transcription, name="low_thrust_transfer")
        r = ocp.state("r", 3, scale=1.0)
        v = ocp.state("v", 3, scale=1.0)
        m = ocp.state("m", scale=1.0, lower=0.05, upper=1.0)
        F = ocp.control("F", 3, scale=1e-2)  # canonical thrust / m0
        s = ocp.control("s", scale=1e-2, lower=0.0)
        r0 = ocp.parameter("r0", 3)
        vdep = ocp.parameter("vdep", 3)
        r1 = ocp.parameter("r1", 3)
        v1 = ocp.parameter("v1", 3)
        vinf_max = ocp.parameter("vinf_max")
        f_1au = ocp.parameter("f_1au")  # canonical thrust at 1 au
        f_max = ocp.parameter("f_max")
        c = ocp.parameter("c")  # canonical exhaust speed
        rn2 = ocp.vertcat(r[0] ** 2 + r[1] ** 2 + r[2] ** 2)
        rn3 = rn2**1.5
        ocp.set_dynamics({"r": v, "v": -mu_c * r / rn3 + F / m, "m": -s / c})
        ocp.subject_to(F[0] ** 2 + F[1] ** 2 + F[2] ** 2 - s**2, upper=0.0, scale=1e-4)
        ocp.subject_to(s * rn2 - f_1au, upper=0.0, scale=1e-2)
        ocp.subject_to(s - f_max, upper=0.0, scale=1e-2)
        ocp.subject_to(r - r0, at="start", lower=0.0, upper=0.0, scale=1e-3)
        dv0 = v - vdep
        ocp.subject_to(
            dv0[0] ** 2 + dv0[1] ** 2 + dv0[2] ** 2 - vinf_max**2, at="start", upper=0.0, scale=1e-3
        )
        ocp.subject_to(m, at="start", lower=1.0, upper=1.0)
        ocp.subject_to(r - r1, at="end", lower=0.0, upper=0.0, scale=1e-3)
        ocp.subject_to(v - v1, at="end", lower=0.0, upper=0.0, scale=1e-3)
        ocp.minimize(terminal=1.0 - m, scale=1e-2)
        ocp.set_duration(1.0)
        return ocp

    @property
    def problem(self) -> OptimalControlProblem:
        """The underlying :class:`gnc.ocp.OptimalControlProblem` (canonical units)."""
        return self._ocp

    def solve(
        self,
        r0: Any,
        v_departure: Any,
        r1: Any,
        v1: Any,
        tof_s: float,
        *,
        et0: float = 0.0,
        mass_kg: float,
        isp_s: float,
        thrust_1au_n: float,
        max_thrust_n: float,
        vinf_max_km_s: float = 0.0,
        guess_r: Any = None,
        guess_v: Any = None,
        warm: TransferSolution | None = None,
        max_iter: int = 800,
    ) -> TransferSolution:
        """Solve one transfer.

        ``r0`` and ``v_departure`` are the departure body's position and velocity
        (km, km/s): the spacecraft leaves at ``r0`` with a velocity within
        ``vinf_max_km_s`` of ``v_departure``. ``r1, v1`` is the state to rendezvous
        with after ``tof_s`` seconds. ``guess_r``, ``guess_v`` (n_intervals + 1, 3)
        are node states of an impulsive design (the warm start); ``warm`` a previous
        solution of this same problem (primal-dual warm start).
        """
        for name, value in (("tof_s", tof_s), ("mass_kg", mass_kg), ("isp_s", isp_s)):
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be positive, got {value!r}")
        if not (thrust_1au_n > 0 and max_thrust_n > 0):
            raise ValueError(
                f"thrust must be positive, got thrust_1au_n={thrust_1au_n}, max_thrust_n={max_thrust_n}"
            )
        acc = 1e-3 / mass_kg / _AU_ACC  # N -> canonical acceleration per unit mass fraction
        params = {
            "r0": np.asarray(r0, float) / AU_KM,
            "vdep": np.asarray(v_departure, float) / _VU,
            "r1": np.asarray(r1, float) / AU_KM,
            "v1": np.asarray(v1, float) / _VU,
            "vinf_max": max(float(vinf_max_km_s), 1e-9) / _VU,
            "f_1au": thrust_1au_n * acc,
            "f_max": max_thrust_n * acc,
            "c": isp_s * G0 / _VU,
        }
        duration = tof_s / _TU
        opts = {"max_iter": int(max_iter), "tol": 1e-7, "acceptable_tol": 1e-5}
        if warm is not None:
            sol = self._ocp.solve(
                params,
                guess=warm.ocp_solution,
                warm_start="primal",
                duration=duration,
                options=opts,
            )
        else:
            n = self.n_intervals + 1
            if guess_r is None or guess_v is None:
                gr = np.linspace(params["r0"], params["r1"], n)
                gv = np.linspace(params["vdep"], params["v1"], n)
            else:
                gr = np.asarray(guess_r, float) / AU_KM
                gv = np.asarray(guess_v, float) / _VU
            guess = {
                "r": gr,
                "v": gv,
                "m": np.ones(n),
                "F": np.zeros(3),
                "s": np.array([1e-4 * params["f_max"]]),
            }
            sol = self._ocp.solve(params, guess=guess, duration=duration, options=opts)
        return self._to_kamo(sol, et0, mass_kg, isp_s, thrust_1au_n, max_thrust_n, params)

    def _to_kamo(self, sol, et0, mass_kg, isp_s, thrust_1au_n, max_thrust_n, params):
        r = sol.state("r") * AU_KM
        v = sol.state("v") * _VU
        m = sol.state("m") * mass_kg
        thrust = sol.control("F") * mass_kg * _AU_ACC * 1e3
        r_au = np.linalg.norm(r, axis=1) / AU_KM
        tmax = np.minimum(thrust_1au_n / r_au**2, max_thrust_n)
        return TransferSolution(
            et=et0 + sol.t * _TU,
            r=r,
            v=v,
            mass_kg=m,
            thrust_n=thrust,
            thrust_max_n=tmax,
            isp_s=float(isp_s),
            success=bool(sol.success or sol.status == "Solved_To_Acceptable_Level"),
            status=sol.status,
            iterations=sol.iterations,
            solve_time_s=sol.solve_time_s,
            launch_vinf=v[0] - params["vdep"] * _VU,
            ocp_solution=sol,
        )

    def simulate(self, solution: TransferSolution, steps_per_interval: int = 20) -> np.ndarray:
        """Re-integrate the dynamics under the solution's thrust (RK4): states (n, 7) in km, km/s, kg."""
        out = self._ocp.simulate(solution.ocp_solution, steps_per_interval=steps_per_interval)
        m0 = solution.mass_kg[0]
        return np.column_stack([out[:, :3] * AU_KM, out[:, 3:6] * _VU, out[:, 6] * m0])
