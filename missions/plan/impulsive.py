"""Impulsive legs of the plan: the outbound rendezvous with a deep-space manoeuvre, and the
return + gravity-assist chain to the comet (global search, then CasADi refinement).

Everything here is on plain floats (ET seconds, km, km/s) and uses the numba
kernels of :mod:`orbits` (Lambert, Kepler); the objective functions are
vectorised over a population so that :func:`scipy.optimize.differential_evolution`
evaluates a whole generation in one call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import differential_evolution

from orbits._kepler import kepler_batch
from orbits._lambert import lambert_batch
from orbits.constants import DAY_S, GM_SUN, gm, radius
from orbits.ephemeris import state_et
from orbits.flyby import entry_speed, periapsis_radius, powered_flyby_dv

_PENALTY = 50.0  # km/s added per unit of constraint violation (scaled)


def families(max_revs: int) -> list[tuple[int, bool]]:
    """Lambert solution families up to ``max_revs`` revolutions: (revs, low_path) pairs."""
    return [(m, low) for m in range(max_revs + 1) for low in ((True, False) if m else (True,))]


def lambert_best(
    r1, r2, tof, max_revs: int = 0, only: list[tuple[int, bool]] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lambert solutions of every family up to ``max_revs`` (or just the ``only`` families).

    Returns the candidates stacked, ``(k, n, 3)`` v1 and v2, and the family index of
    each candidate (into :func:`families`), for the caller to choose per row.
    """
    fams = families(max_revs)
    chosen = only if only is not None else fams
    v1s, v2s, ids = [], [], []
    for m, low in chosen:
        v1, v2 = lambert_batch(GM_SUN, r1, r2, tof, revs=m, low_path=low)
        v1s.append(v1)
        v2s.append(v2)
        ids.append(fams.index((m, low)) if (m, low) in fams else len(fams))
    return np.stack(v1s), np.stack(v2s), np.array(ids)


# --------------------------------------------------------------------------- outbound


@dataclass
class OutboundImpulsive:
    """Launch, one deep-space manoeuvre (DSM) and the rendezvous burn (ET s, km, km/s)."""

    et_launch: float
    et_dsm: float
    et_arrival: float
    vinf_launch: np.ndarray  # (3,)
    state_launch: np.ndarray  # (6,) spacecraft just after launch (Earth + v-inf)
    state_dsm_before: np.ndarray
    state_dsm_after: np.ndarray
    state_arrival_before: np.ndarray  # spacecraft on arrival, before the rendezvous burn
    target_arrival: np.ndarray  # asteroid state at arrival
    revs: int
    x: np.ndarray | None = None  # the search variables (seed for a re-plan)

    @property
    def c3(self) -> float:
        return float(self.vinf_launch @ self.vinf_launch)

    @property
    def dv_dsm(self) -> float:
        return float(np.linalg.norm(self.state_dsm_after[3:] - self.state_dsm_before[3:]))

    @property
    def dv_arrival(self) -> float:
        return float(np.linalg.norm(self.target_arrival[3:] - self.state_arrival_before[3:]))


def _outbound_eval(x: np.ndarray, asteroid: Any, max_revs: int = 1):
    """x: (6, n) = launch ET, vinf, theta, phi, eta, tof. Returns dict of arrays."""
    t0, vinf, th, ph, eta, tof = x
    earth = state_et("earth", t0)
    d = np.stack([np.cos(ph) * np.cos(th), np.cos(ph) * np.sin(th), np.sin(ph)], -1)
    v0 = earth[:, 3:] + vinf[:, None] * d
    r1, v1m = kepler_batch(GM_SUN, earth[:, :3], v0, eta * tof)
    t2 = t0 + tof
    tgt = state_et(asteroid, t2)
    V1, V2, revs = lambert_best(r1, tgt[:, :3], (1 - eta) * tof, max_revs)
    dv = np.linalg.norm(V1 - v1m[None], axis=-1) + np.linalg.norm(tgt[None, :, 3:] - V2, axis=-1)
    dv = np.where(np.isfinite(dv), dv, np.inf)
    k = np.argmin(dv, axis=0)
    idx = np.arange(x.shape[1])
    return {
        "dv": dv[k, idx],
        "earth": earth,
        "v0": v0,
        "r1": r1,
        "v1m": v1m,
        "v1p": V1[k, idx],
        "v2": V2[k, idx],
        "tgt": tgt,
        "revs": revs[k],
    }


def optimise_outbound(
    asteroid: Any,
    launch_span: tuple[float, float],
    arrival_span: tuple[float, float],
    vinf_max: float,
    *,
    seed: int,
    maxiter: int = 60,
    popsize: int = 20,
    x0: np.ndarray | None = None,
) -> OutboundImpulsive:
    """Minimum delta-v rendezvous with one DSM (MGA-1DSM velocity formulation), C3 bounded.

    Differential evolution over launch epoch, launch v-inf (magnitude up to
    ``vinf_max`` and direction), DSM position in the leg (fraction ``eta``) and
    time of flight; the arrival must fall in ``arrival_span``.
    """
    tof_lo = max(arrival_span[0] - launch_span[1], 60 * DAY_S)
    tof_hi = arrival_span[1] - launch_span[0]
    bounds = [
        launch_span,
        (0.0, vinf_max),
        (-math.pi, math.pi),
        (-0.5 * math.pi, 0.5 * math.pi),
        (0.05, 0.95),
        (tof_lo, tof_hi),
    ]

    def cost(x):
        x = np.atleast_2d(x.T).T if x.ndim == 1 else x
        ev = _outbound_eval(x, asteroid)
        t_arr = x[0] + x[5]
        late = np.maximum(t_arr - arrival_span[1], 0) + np.maximum(arrival_span[0] - t_arr, 0)
        return ev["dv"] + _PENALTY * late / (30 * DAY_S)

    res = differential_evolution(
        cost,
        bounds,
        seed=seed,
        maxiter=maxiter,
        popsize=popsize,
        tol=1e-8,
        vectorized=True,
        updating="deferred",
        polish=True,
        x0=None if x0 is None else _clip(x0, bounds),
    )
    x = res.x[:, None]
    ev = _outbound_eval(x, asteroid)
    t0, _, _, _, eta, tof = res.x
    return OutboundImpulsive(
        et_launch=float(t0),
        et_dsm=float(t0 + eta * tof),
        et_arrival=float(t0 + tof),
        vinf_launch=ev["v0"][0] - ev["earth"][0, 3:],
        state_launch=np.concatenate([ev["earth"][0, :3], ev["v0"][0]]),
        state_dsm_before=np.concatenate([ev["r1"][0], ev["v1m"][0]]),
        state_dsm_after=np.concatenate([ev["r1"][0], ev["v1p"][0]]),
        state_arrival_before=np.concatenate([ev["tgt"][0, :3], ev["v2"][0]]),
        target_arrival=ev["tgt"][0],
        revs=families(1)[int(ev["revs"][0])][0],
        x=np.asarray(res.x, dtype=float),
    )


# ----------------------------------------------------------------- return + extended


@dataclass
class ChainLeg:
    """One Lambert leg of the return/extended chain."""

    name: str
    origin: str
    destination: str
    et0: float
    et1: float
    state0: np.ndarray  # (6,) spacecraft at departure (after any burn)
    state1: np.ndarray  # (6,) spacecraft at arrival (before any burn)
    revs: int
    low_path: bool = True


@dataclass
class ReturnChain:
    """Asteroid departure, Earth return (entry and flyby), further flybys, comet arrival."""

    epochs: np.ndarray  # departure, earth return, [flybys...], comet arrival (ET s)
    bodies: list[str]  # asteroid, earth, [flyby bodies...], comet
    legs: list[ChainLeg]
    dv_departure: float
    vinf_return: float
    entry_speed: float
    flyby_vinf_in: list[np.ndarray] = field(default_factory=list)
    flyby_vinf_out: list[np.ndarray] = field(default_factory=list)
    flyby_rp: list[float] = field(default_factory=list)
    flyby_dv: list[float] = field(default_factory=list)
    dv_arrival: float = 0.0
    refined_by: str = "differential evolution"


class ChainProblem:
    """Objective and constraints of the return + gravity-assist chain, on epoch vectors."""

    def __init__(
        self,
        asteroid: Any,
        comet: Any,
        flybys: list[str],
        rp_min: list[float],
        entry_vmax: float,
        entry_radius: float,
        comet_revs: int = 3,
    ) -> None:
        self.asteroid = asteroid
        self.comet = comet
        self.flybys = flybys
        self.rp_min = rp_min
        self.entry_vmax = entry_vmax
        self.entry_radius = entry_radius
        self.max_revs = comet_revs
        self.bodies = [asteroid, *flybys, comet]
        #: per leg, the (revs, low_path) family to use; None searches all (set for local refinement)
        self.fixed_families: list[tuple[int, bool]] | None = None

    def legs(self, epochs: np.ndarray) -> list[dict[str, np.ndarray]]:
        """Lambert legs for epochs (k, n) -> per leg: r0, v0 (body), r1, v1 (body), V1, V2, revs."""
        out = []
        states = [state_et(b, epochs[i]) for i, b in enumerate(self.bodies)]
        for i in range(len(self.bodies) - 1):
            s0, s1 = states[i], states[i + 1]
            tof = epochs[i + 1] - epochs[i]
            ok = tof > 5 * DAY_S
            tof = np.where(ok, tof, 5 * DAY_S)
            V1, V2, revs = lambert_best(
                s0[:, :3],
                s1[:, :3],
                tof,
                self.max_revs,
                None if self.fixed_families is None else [self.fixed_families[i]],
            )
            out.append({"s0": s0, "s1": s1, "V1": V1, "V2": V2, "revs": revs, "ok": ok})
        return out

    def evaluate(self, epochs: np.ndarray) -> dict[str, np.ndarray]:
        """Delta-vs and constraint values for epochs (k, n); picks per leg the best revolution family."""
        epochs = np.atleast_2d(epochs)
        legs = self.legs(epochs)
        n = epochs.shape[1]
        idx = np.arange(n)
        mu_e = gm("earth")
        # Revolution families are chosen leg by leg: the departure burn for the first leg, the
        # v-infinity magnitude mismatch at the flyby for later ones, plus the arrival burn on the
        # last leg and the entry-speed excess on the return leg.
        choice = []
        prev_v2 = None
        for i, leg in enumerate(legs):
            vb0 = leg["s0"][None, :, 3:]
            speed0 = np.linalg.norm(leg["V1"] - vb0, axis=-1)
            if i == 0:
                cost = speed0
                vinf = np.linalg.norm(leg["V2"] - leg["s1"][None, :, 3:], axis=-1)
                over = entry_speed(vinf, mu_e, self.entry_radius) - self.entry_vmax
                cost = cost + _PENALTY * np.maximum(over, 0.0)
            else:
                cost = np.abs(speed0 - np.linalg.norm(prev_v2 - leg["s0"][:, 3:], axis=-1))
            if i == len(legs) - 1:
                cost = cost + np.linalg.norm(leg["s1"][None, :, 3:] - leg["V2"], axis=-1)
            cost = np.where(np.isfinite(cost), cost, np.inf)
            c = np.argmin(cost, axis=0)
            choice.append(c)
            prev_v2 = leg["V2"][c, idx]
        V1 = [leg["V1"][c, idx] for leg, c in zip(legs, choice, strict=True)]
        V2 = [leg["V2"][c, idx] for leg, c in zip(legs, choice, strict=True)]
        fam = [leg["revs"][c] for leg, c in zip(legs, choice, strict=True)]
        dv_dep = np.linalg.norm(V1[0] - legs[0]["s0"][:, 3:], axis=1)
        vinf_ret = np.linalg.norm(V2[0] - legs[0]["s1"][:, 3:], axis=1)
        v_entry = entry_speed(vinf_ret, mu_e, self.entry_radius)
        fb_dv, fb_rp, vin_all, vout_all = [], [], [], []
        for j, body in enumerate(self.flybys):
            planet = legs[j]["s1"]
            vin = V2[j] - planet[:, 3:]
            vout = V1[j + 1] - planet[:, 3:]
            mu = gm(body)
            fb_dv.append(powered_flyby_dv(vin, vout, mu, self.rp_min[j]))
            fb_rp.append(periapsis_radius(vin, vout, mu))
            vin_all.append(vin)
            vout_all.append(vout)
        dv_arr = np.linalg.norm(legs[-1]["s1"][:, 3:] - V2[-1], axis=1)
        ok = np.all([leg["ok"] for leg in legs], axis=0)
        return {
            "dv_departure": dv_dep,
            "vinf_return": vinf_ret,
            "entry_speed": v_entry,
            "flyby_dv": fb_dv,
            "flyby_rp": fb_rp,
            "vinf_in": vin_all,
            "vinf_out": vout_all,
            "dv_arrival": dv_arr,
            "V1": V1,
            "V2": V2,
            "family": fam,
            "legs": legs,
            "ok": ok,
        }

    def cost(self, epochs: np.ndarray, weights: tuple[float, float] = (1.0, 1.0)) -> np.ndarray:
        """Scalar cost per column: chemical dv + SEP dv (weighted) + penalties."""
        epochs = np.atleast_2d(epochs)
        ev = self.evaluate(epochs)
        dv = weights[0] * ev["dv_departure"] + weights[1] * (sum(ev["flyby_dv"]) + ev["dv_arrival"])
        over = np.maximum(ev["entry_speed"] - self.entry_vmax, 0.0)
        order = np.sum(np.maximum(-np.diff(epochs, axis=0), 0.0), axis=0) / DAY_S
        total = dv + _PENALTY * over + order + np.where(ev["ok"], 0.0, 100.0)
        return np.where(np.isfinite(total), total, 1e3)


def search_chain(
    problem: ChainProblem,
    bounds: list[tuple[float, float]],
    *,
    seed: int,
    maxiter: int,
    popsize: int,
    weights: tuple[float, float] = (1.0, 1.0),
    x0: np.ndarray | None = None,
) -> np.ndarray:
    """Global search over the chain's epochs with seeded differential evolution; returns the epochs.

    ``x0`` (a previous solution, clipped into the bounds) joins the initial population.
    """

    def cost(x):
        return problem.cost(x if x.ndim == 2 else x[:, None], weights)

    res = differential_evolution(
        cost,
        bounds,
        seed=seed,
        maxiter=maxiter,
        popsize=popsize,
        tol=1e-9,
        vectorized=True,
        updating="deferred",
        polish=False,
        init="sobol",
        x0=None if x0 is None else _clip(x0, bounds),
    )
    return np.asarray(res.x, dtype=float)


def _clip(x: np.ndarray, bounds: list[tuple[float, float]]) -> np.ndarray:
    lo = np.array([b[0] for b in bounds])
    hi = np.array([b[1] for b in bounds])
    return np.clip(np.asarray(x, dtype=float), lo, hi)


def refine_chain_casadi(
    problem: ChainProblem,
    epochs: np.ndarray,
    bounds: list[tuple[float, float]],
    weights: tuple[float, float] = (1.0, 1.0),
) -> tuple[np.ndarray, bool]:
    """Local refinement of the epochs with CasADi/IPOPT and explicit flyby constraints.

    The legs (Lambert arcs, numba; revolution families frozen at the start
    point's) enter CasADi as a black-box ``Callback`` with finite-difference
    derivatives. The NLP, over the epochs and one powered-flyby impulse ``d_i``
    per flyby::

        minimise   w_dep dv_departure + w_ext (sum d_i + dv_arrival)
        subject to entry speed <= limit
                   r_p,i >= r_p,min,i                  (minimum flyby altitude)
                   | |v_inf,out,i| - |v_inf,in,i| | <= d_i   (v-infinity continuity)
                   epochs in their windows and in order

    The result is kept only if it lowers the cost of the global search's model
    (:func:`orbits.flyby.powered_flyby_dv`). Returns the epochs and whether IPOPT
    converged (if it did not help, the input epochs come back).
    """
    import casadi as ca

    ev0 = problem.evaluate(epochs[:, None])
    fams = families(problem.max_revs)
    problem.fixed_families = [fams[int(f[0])] for f in ev0["family"]]
    try:
        return _refine(problem, epochs, bounds, weights, ca)
    finally:
        problem.fixed_families = None


def _refine(problem, epochs, bounds, weights, ca):
    scale = 30 * DAY_S
    nfb = len(problem.flybys)
    nx = len(epochs)
    x0 = epochs / scale
    ev0 = problem.evaluate(epochs[:, None])
    d0 = np.array([float(d[0]) for d in ev0["flyby_dv"]])

    def parts(xs: np.ndarray) -> np.ndarray:
        e = np.asarray(xs, dtype=float).reshape(-1, 1) * scale
        ev = problem.evaluate(e)
        rp = [min(float(ev["flyby_rp"][j][0]) / problem.rp_min[j], 1e3) for j in range(nfb)]
        mismatch = [
            float(np.linalg.norm(ev["vinf_out"][j][0]) - np.linalg.norm(ev["vinf_in"][j][0]))
            for j in range(nfb)
        ]
        vals = [
            ev["dv_departure"][0],
            ev["dv_arrival"][0],
            ev["entry_speed"][0] - problem.entry_vmax,
            *rp,
            *mismatch,
        ]
        return np.nan_to_num(np.array(vals, dtype=float), nan=1e3, posinf=1e3)

    class _Chain(ca.Callback):
        def __init__(self):
            ca.Callback.__init__(self)
            self.construct("chain", {"enable_fd": True, "fd_method": "central"})

        def get_n_in(self):
            return 1

        def get_n_out(self):
            return 1

        def get_sparsity_in(self, i):
            return ca.Sparsity.dense(nx, 1)

        def get_sparsity_out(self, i):
            return ca.Sparsity.dense(3 + 2 * nfb, 1)

        def eval(self, arg):
            return [ca.DM(parts(np.asarray(arg[0]).ravel()))]

    fn = _Chain()
    x = ca.MX.sym("x", nx)
    d = ca.MX.sym("d", nfb)  # powered-flyby impulse per flyby, km/s
    y = fn(x)
    rp, mismatch = y[3 : 3 + nfb], y[3 + nfb :]
    objective = weights[0] * y[0] + weights[1] * (ca.sum1(d) + y[1])
    g = ca.vertcat(
        y[2],  # entry speed - limit <= 0
        rp,  # periapsis / minimum >= 1        (minimum flyby altitude)
        mismatch - d,  # | |v_out| - |v_in| | <= d  (v-infinity continuity up to the impulse)
        mismatch + d,
        x[1:] - x[:-1],  # legs in order, at least 5 days each
    )
    lbg = np.concatenate(
        [
            [-np.inf],
            np.ones(nfb),
            np.full(nfb, -np.inf),
            np.zeros(nfb),
            np.full(nx - 1, 5 * DAY_S / scale),
        ]
    )
    ubg = np.concatenate(
        [[0.0], np.full(nfb, np.inf), np.zeros(nfb), np.full(nfb, np.inf), np.full(nx - 1, np.inf)]
    )
    lbx = np.array([b[0] for b in bounds]) / scale
    ubx = np.array([b[1] for b in bounds]) / scale
    solver = ca.nlpsol(
        "chain_refine",
        "ipopt",
        {"x": ca.vertcat(x, d), "f": objective, "g": g},
        {
            "print_time": False,
            "error_on_fail": False,
            "ipopt": {
                "print_level": 0,
                "sb": "yes",
                "max_iter": 80,
                "tol": 1e-6,
                "hessian_approximation": "limited-memory",
            },
        },
    )
    res = solver(
        x0=np.concatenate([x0, d0]),
        lbx=np.concatenate([lbx, np.zeros(nfb)]),
        ubx=np.concatenate([ubx, np.full(nfb, 10.0)]),
        lbg=lbg,
        ubg=ubg,
    )
    ok = bool(solver.stats().get("success", False))
    # IPOPT relaxes bounds by a hair (bound_relax_factor): clip back into the windows
    new = np.clip(np.asarray(res["x"]).ravel()[:nx], lbx, ubx) * scale
    before = problem.cost(epochs[:, None], weights)[0]
    after = problem.cost(new[:, None], weights)[0]
    if not np.isfinite(after) or after > before + 1e-9:
        return epochs, False
    return new, ok


def build_chain(problem: ChainProblem, epochs: np.ndarray, refined_by: str) -> ReturnChain:
    """The :class:`ReturnChain` for given epochs."""
    ev = problem.evaluate(epochs[:, None])
    legs = []
    labels = ["return", *[f"to_{b}_{i + 2}" for i, b in enumerate(problem.flybys[1:])], "comet"]
    bodies = [str(b) if isinstance(b, str) else getattr(b, "name", "body") for b in problem.bodies]
    for i, leg in enumerate(ev["legs"]):
        legs.append(
            ChainLeg(
                name=labels[i] if i < len(labels) - 1 else "comet",
                origin=bodies[i],
                destination=bodies[i + 1],
                et0=float(epochs[i]),
                et1=float(epochs[i + 1]),
                state0=np.concatenate([leg["s0"][0, :3], ev["V1"][i][0]]),
                state1=np.concatenate([leg["s1"][0, :3], ev["V2"][i][0]]),
                revs=families(problem.max_revs)[int(ev["family"][i][0])][0],
                low_path=families(problem.max_revs)[int(ev["family"][i][0])][1],
            )
        )
    return ReturnChain(
        epochs=np.asarray(epochs, dtype=float),
        bodies=bodies,
        legs=legs,
        dv_departure=float(ev["dv_departure"][0]),
        vinf_return=float(ev["vinf_return"][0]),
        entry_speed=float(ev["entry_speed"][0]),
        flyby_vinf_in=[v[0] for v in ev["vinf_in"]],
        flyby_vinf_out=[v[0] for v in ev["vinf_out"]],
        flyby_rp=[float(r[0]) for r in ev["flyby_rp"]],
        flyby_dv=[float(d[0]) for d in ev["flyby_dv"]],
        dv_arrival=float(ev["dv_arrival"][0]),
        refined_by=refined_by,
    )


def flyby_radius_min(body: str, altitude_km: float) -> float:
    """Minimum periapsis radius (km) for a flyby altitude."""
    return radius(body) + altitude_km
