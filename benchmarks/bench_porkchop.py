"""Benchmark: a 300 x 300 Earth -> Mars porkchop (2020 window), ephemeris included.

Prints
* warm time of ``orbits.porkchop`` (DE421 lookups at the 300 + 300 unique epochs,
  90,000 Izzo solves in the numba grid kernel, the xarray Dataset), goal < 40 ms,
  as wall time and as CPU time (all threads), with the kernel's CPU time per solve:
  on a shared machine the CPU figures say what two idle cores would do;
* the cold start in fresh processes: first with an empty numba cache (JIT compile),
  then a second process reusing the on-disk cache;
* the reference: a Python loop over boinor's numba ``izzo`` on the same grid and
  states (a subsample, extrapolated to 90,000 cells), and the ratio.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numba
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ARGS = ("earth", "mars", "2020-06-01/2020-09-30", "2021-01-01/2021-06-30")
GRID = 300

_COLD = """
import time
t0 = time.perf_counter()
from orbits.porkchop import porkchop
t1 = time.perf_counter()
porkchop("earth", "mars", "2020-06-01/2020-09-30", "2021-01-01/2021-06-30", grid=300)
t2 = time.perf_counter()
porkchop("earth", "mars", "2020-06-01/2020-09-30", "2021-01-01/2021-06-30", grid=300)
t3 = time.perf_counter()
print(f"{t1 - t0:.3f} {t2 - t1:.3f} {t3 - t2:.4f}")
"""


def cold_runs() -> list[tuple[float, float, float]]:
    """(import s, first call s, second call s) for an empty numba cache, then a warm cache."""
    results = []
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache, "PYTHONPATH": str(ROOT)}
        for _ in range(2):
            out = subprocess.run(
                [sys.executable, "-c", _COLD], env=env, capture_output=True, text=True, check=True
            )
            results.append(tuple(float(x) for x in out.stdout.split()))
    return results


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


def boinor_loop(dep, arr, et1, et2, step: int) -> tuple[float, int]:
    """Python loop over boinor's izzo on every ``step``-th launch and arrival.

    Returns (wall seconds, CPU seconds, solves)."""
    from boinor.core.iod import izzo

    from orbits.constants import GM_SUN

    izzo(GM_SUN, dep[0, :3], arr[0, :3], et2[0] - et1[0], 0, True, True, 35, 1e-8)  # JIT
    ii = range(0, len(et1), step)
    jj = range(0, len(et2), step)
    c3 = np.empty((len(ii), len(jj)))
    start, cpu = time.perf_counter(), time.process_time()
    for a, i in enumerate(ii):
        for b, j in enumerate(jj):
            v1, v2 = izzo(GM_SUN, dep[i, :3], arr[j, :3], et2[j] - et1[i], 0, True, True, 35, 1e-8)
            dv = v1 - dep[i, 3:]
            c3[a, b] = dv @ dv
            np.linalg.norm(v2 - arr[j, 3:])
    return time.perf_counter() - start, time.process_time() - cpu, c3.size


def main() -> None:
    from orbits.ephemeris import state_et
    from orbits.porkchop import _epoch_axis, porkchop, porkchop_arrays

    print(f"300 x 300 Earth -> Mars porkchop, launch {ARGS[2]}, arrival {ARGS[3]}")
    cold = cold_runs()
    print(
        f"cold start, empty numba cache: import {cold[0][0]:.2f} s, first porkchop "
        f"{cold[0][1]:.2f} s (JIT compile + kernel load), second {cold[0][2] * 1e3:.1f} ms"
    )
    print(
        f"cold start, cached kernels:    import {cold[1][0]:.2f} s, first porkchop "
        f"{cold[1][1]:.2f} s (cache load), second {cold[1][2] * 1e3:.1f} ms"
    )

    porkchop(*ARGS, grid=GRID)
    warm = timed_cpu(lambda: porkchop(*ARGS, grid=GRID), 15)
    _, et1 = _epoch_axis(ARGS[2], GRID, "launch")
    _, et2 = _epoch_axis(ARGS[3], GRID, "arrival")
    eph = timed_cpu(lambda: (state_et("earth", et1), state_et("mars", et2)), 15)
    dep, arr = state_et("earth", et1), state_et("mars", et2)
    kernel = timed_cpu(lambda: porkchop_arrays(dep, arr, et1, et2), 15)
    med, med_cpu = medians(warm)
    eph_wall, eph_cpu = medians(eph)
    k_wall, k_cpu = medians(kernel)
    cells = GRID * GRID
    print(
        f"warm orbits.porkchop (face, ephemeris + grid + Dataset): median {med * 1e3:.1f} ms "
        f"wall, best {min(w for w, _ in warm) * 1e3:.1f} ms (goal < 40 ms); "
        f"CPU {med_cpu * 1e3:.1f} ms (all threads; {numba.get_num_threads()} numba threads)"
    )
    print(
        f"  of which ephemeris (600 DE421 lookups) {eph_wall * 1e3:.1f} ms wall / "
        f"{eph_cpu * 1e3:.1f} ms CPU, grid kernel (90,000 Izzo solves fused with the "
        f"reduction) {k_wall * 1e3:.1f} ms wall = {cells / k_wall / 1e6:.2f} M cells/s, "
        f"CPU {k_cpu / cells * 1e9:.0f} ns per solve"
    )
    print(
        f"  implied on {numba.get_num_threads()} idle cores: ~"
        f"{(med_cpu - k_cpu + k_cpu / numba.get_num_threads()) * 1e3:.1f} ms "
        "(face CPU with the kernel's share divided over the cores)"
    )

    step = 6
    seconds, cpu_seconds, solves = boinor_loop(dep, arr, et1, et2, step)
    per_solve = seconds / solves
    ref = per_solve * cells + eph_wall
    ref_cpu = cpu_seconds / solves * cells + eph_cpu
    print(
        f"reference: Python loop over boinor izzo, {solves} solves measured "
        f"({per_solve * 1e6:.2f} us/solve wall, {cpu_seconds / solves * 1e6:.2f} us CPU), "
        f"extrapolated to 90,000 + the same ephemeris: {ref * 1e3:.0f} ms wall, "
        f"{ref_cpu * 1e3:.0f} ms CPU"
    )
    print(
        f"speed-up of orbits.porkchop over the boinor loop: {ref / med:.1f}x wall, "
        f"{ref_cpu / med_cpu:.1f}x CPU"
    )


if __name__ == "__main__":
    main()
