"""Benchmark: heliocentric n-body propagation (orbits.nbody, heyoka) against scipy DOP853 + numba.

Prints, for a Kamoʻoalewa-like orbit over one year with the Sun and eight planets
(DE421 fits), tolerance 1e-10:

* warm time of one ``propagate_et`` call (fits, parameter loading and Python
  overhead included), goal < 1 ms, and the same for Sun + Earth + Jupiter;
* the reference ``propagate_reference_et`` (DOP853, rtol 1e-13, numba right-hand
  side, same force model), the speed ratio and the agreement in km;
* 1000 dispersed states in heyoka's SIMD batch mode, goal < 50 ms, with the precise
  (16-day) and the fast (64-day) planet fits, wall and CPU time on one and two threads,
  against the reference (precise fits) on a subsample (extrapolated to 1000), with the
  agreement in absolute and in relative (state minus the first state) positions;
* the fit trade: each profile's largest error against DE421;
* the cost of getting an integrator: compile in a fresh process with an empty
  cache, then loading the pickled integrator from the cache.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from orbits.nbody import ForceModel, propagate_batch_et, propagate_et  # noqa: E402
from orbits.nbody_reference import propagate_reference_et  # noqa: E402
from orbits.planets_fit import fit_planets  # noqa: E402
from orbits.smallbody import SmallBody  # noqa: E402

DAY = 86400.0
YEAR = 365.25 * DAY
KAMO = SmallBody(
    "469219 Kamoʻoalewa",
    a_au=1.00094,
    e=0.10269,
    i_deg=7.79605,
    raan_deg=65.7907,
    argp_deg=305.0478,
    M_deg=175.153,
    epoch="2025-06-01",
)

_COLD = """
import time, numpy as np
t0 = time.perf_counter()
from orbits.nbody import propagate_et
t1 = time.perf_counter()
propagate_et(np.array([1.4e8, 5e7, 1e6, -10.0, 27.0, 0.5]), 8.0e8, [8.0e8 + 86400.0 * 365.25])
t2 = time.perf_counter()
print(f"{t1 - t0:.3f} {t2 - t1:.3f}")
"""


def timed(fn, repeat: int) -> list[float]:
    return [wall for wall, _ in timed_cpu(fn, repeat)]


def timed_cpu(fn, repeat: int) -> list[tuple[float, float]]:
    """(wall s, CPU s of all threads) per call: CPU time stays meaningful on a busy machine."""
    times = []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - start, time.process_time() - cpu))
    return times


def medians(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def cold_start() -> list[tuple[float, float]]:
    """(import s, first call s): empty integrator cache (compile), then the cache it left."""
    results = []
    with tempfile.TemporaryDirectory() as cache:
        # heyoka keeps its own compiled-code cache under $XDG_CACHE_HOME/heyoka: empty both
        env = {
            **os.environ,
            "KAMO_CACHE_DIR": cache,
            "XDG_CACHE_HOME": cache,
            "PYTHONPATH": str(ROOT),
        }
        for _ in range(2):
            out = subprocess.run(
                [sys.executable, "-c", _COLD], env=env, capture_output=True, text=True, check=True
            )
            results.append(tuple(float(x) for x in out.stdout.split()))
    return results


def one_year(force: ForceModel, label: str) -> None:
    s0, et0 = KAMO.state_et(KAMO.epoch), KAMO.epoch
    out = [et0 + YEAR]
    fast = propagate_et(s0, et0, out, force=force)  # warm: fit, integrator
    t_fast = statistics.median(timed(lambda: propagate_et(s0, et0, out, force=force), 200))
    ref = propagate_reference_et(s0, et0, out, force=force)  # warm: numba
    t_ref = statistics.median(timed(lambda: propagate_reference_et(s0, et0, out, force=force), 5))
    err = float(np.linalg.norm(fast.state[0, :3] - ref.state[0, :3]))
    goal = "  (goal < 1 ms)" if len(force.bodies) >= 8 else ""
    print(
        f"one year, {label:<24s} heyoka {t_fast * 1e3:7.3f} ms{goal} | DOP853 ref "
        f"{t_ref * 1e3:8.1f} ms | ratio {t_ref / t_fast:6.0f}x | agreement {err * 1e3:8.2f} m "
        f"| {fast.nsteps} Taylor steps"
    )


def dispersed(force: ForceModel, n: int = 1000, n_ref: int = 8) -> None:
    """Batch mode on n dispersed states; wall and CPU time, agreement with the reference.

    The reference always uses the precise (16-day) planet fits, so for the fast profile the
    agreement printed is the whole error of the fast path: fits and integrator.
    """
    s0, et0 = KAMO.state_et(KAMO.epoch), KAMO.epoch
    rng = np.random.default_rng(2025)
    sigma = np.array([100.0, 100.0, 100.0, 1e-4, 1e-4, 1e-4])  # km, km/s
    states = s0 + rng.normal(size=(n, 6)) * sigma
    out = [et0 + YEAR]
    propagate_batch_et(states[:16], et0, out, force=force)  # warm
    one = timed_cpu(lambda: propagate_batch_et(states, et0, out, force=force), 3)
    two = timed_cpu(lambda: propagate_batch_et(states, et0, out, force=force, workers=2), 3)
    batch = propagate_batch_et(states, et0, out, force=force)
    start = time.perf_counter()
    refs = [
        propagate_reference_et(states[i], et0, out, force=ForceModel(force.bodies)).state[0]
        for i in range(n_ref)
    ]
    t_ref = (time.perf_counter() - start) / n_ref * n
    err = max(float(np.linalg.norm(batch[i, 0, :3] - refs[i][:3])) for i in range(n_ref))
    # what a dispersion study reads: the spread about the first state, fast vs reference
    spread = max(
        float(np.linalg.norm((batch[i, 0, :3] - batch[0, 0, :3]) - (refs[i][:3] - refs[0][:3])))
        for i in range(1, n_ref)
    )
    wall1, cpu1 = medians(one)
    wall2, cpu2 = medians(two)
    print(
        f"{n} dispersed states, one year, batch mode, {force.fit} fits: heyoka "
        f"{wall1 * 1e3:6.1f} ms wall / {cpu1 * 1e3:5.1f} ms CPU on 1 thread, "
        f"{wall2 * 1e3:6.1f} ms wall / {cpu2 * 1e3:5.1f} ms CPU on 2 threads (goal < 50 ms)"
    )
    print(
        f"    DOP853 ref (precise fits) ~{t_ref:5.1f} s (from {n_ref}) | ratio "
        f"{t_ref / wall1:5.0f}x wall | agreement {err * 1e3:8.2f} m, relative positions "
        f"{spread * 1e3:.3f} m"
    )


def fit_trade() -> None:
    """Largest position error of each fit profile against DE421 over the benchmark year."""
    et0 = KAMO.epoch
    for profile in ("precise", "fast"):
        fit = fit_planets(ForceModel().bodies, et0, et0 + YEAR, profile=profile)
        worst = ", ".join(f"{k} {v:.3g}" for k, v in fit.max_error_km().items())
        print(
            f"planet fits, {profile:7s} ({fit.segment_s / DAY:.0f}-day segments), largest "
            f"error vs DE421 in km: {worst}; indirect {fit.fit_error_km['indirect']:.2g} km/s^2"
        )


def main() -> None:
    print("heliocentric n-body, Kamoʻoalewa-like orbit, tolerance 1e-10, DE421 planet fits")
    one_year(ForceModel(), "Sun + 8 planets")
    one_year(
        ForceModel(
            ("mercury", "venus", "earth", "moon", "mars", "jupiter", "saturn", "uranus", "neptune")
        ),
        "Sun + 8 planets + Moon",
    )
    one_year(ForceModel(("emb", "jupiter")), "Sun + Earth + Jupiter")
    fit_trade()
    dispersed(ForceModel())
    dispersed(ForceModel(fit="fast"))
    (imp0, first0), (imp1, first1) = cold_start()
    print(
        f"cold start, fresh process: import {imp0:.2f} s; first call {first0:.2f} s with empty "
        f"caches (fit + LLVM compile), {first1:.2f} s with the pickled integrator"
    )


if __name__ == "__main__":
    main()
