"""Lambert throughput: kamo's batched Izzo solver against boinor's izzo.

Solves the same 10^5 random single-revolution heliocentric problems with
- ``orbits.lambert`` (the face: validation + numba-parallel kernel) and
  ``orbits._lambert.lambert_batch`` (the kernel alone),
- (a) a Python loop over boinor's numba core ``boinor.core.iod.izzo``
  (timed on a subsample and extrapolated),
- (b) an ``@njit`` loop calling that same boinor core on every problem,
and prints solves per second, the ratios, and the largest velocity difference.
"""

from __future__ import annotations

import os
import time

import numba
import numpy as np

N = 100_000
N_PYLOOP = 5_000
MU_SUN = 1.32712440018e11
AU = 1.495978707e8


def _problems(n: int, seed: int = 2):
    rng = np.random.default_rng(seed)
    r1 = rng.normal(size=(n, 3)) * rng.uniform(0.5, 2.5, (n, 1)) * AU
    r2 = rng.normal(size=(n, 3)) * rng.uniform(0.5, 2.5, (n, 1)) * AU
    tof = rng.uniform(30.0, 900.0, n) * 86400.0
    return r1, r2, tof


def _best_of(fn, repeats: int = 7) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def _alternating(fa, fb, repeats: int = 15, warmup: int = 5) -> tuple[float, float]:
    """Median wall times of ``fa`` and ``fb``, called in turn ``repeats`` times after a warm-up."""
    ta, tb = [], []
    for k in range(warmup + repeats):
        for fn, times in ((fa, ta), (fb, tb)):
            t0 = time.perf_counter()
            fn()
            if k >= warmup:
                times.append(time.perf_counter() - t0)
    return float(np.median(ta)), float(np.median(tb))


def _cpu_per_call(fn, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return float(np.median(times))


def main() -> None:
    from boinor.core.iod import izzo

    import orbits
    from orbits._lambert import lambert_batch

    r1, r2, tof = _problems(N)
    print(f"{N} random single-revolution problems, 0.5-2.5 AU, tof 30-900 days")
    print(f"cores: {os.cpu_count()}, numba threads: {numba.get_num_threads()}")

    t0 = time.perf_counter()
    v1, v2 = orbits.lambert(MU_SUN, r1[:10], r2[:10], tof[:10])
    lambert_batch(MU_SUN, r1[:1000], r2[:1000], tof[:1000])
    print(f"first call (JIT load or compile): {time.perf_counter() - t0:.2f} s")

    # CPU time per solve on one thread: robust when the machine is shared
    from orbits._lambert import _batch_serial, _prep

    mu_a, r1_a, r2_a, tof_a = _prep(MU_SUN, r1, r2, tof)
    w1, w2 = np.empty_like(r1_a), np.empty_like(r2_a)
    _batch_serial(mu_a, r1_a, r2_a, tof_a, 0, True, True, w1, w2)  # load outside the timing
    cpu_kernel = _cpu_per_call(
        lambda: _batch_serial(mu_a, r1_a, r2_a, tof_a, 0, True, True, w1, w2)
    )

    # steady state (worker threads and output buffers warm, as in a porkchop sweep), face
    # and kernel alternating so that both see the same minutes of a shared machine
    t_face, t_kernel = _alternating(
        lambda: orbits.lambert(MU_SUN, r1, r2, tof),
        lambda: lambert_batch(MU_SUN, r1, r2, tof),
    )
    v1, v2 = lambert_batch(MU_SUN, r1, r2, tof)

    # (a) Python loop over boinor's numba izzo
    izzo(MU_SUN, r1[0], r2[0], tof[0], 0, True, True, 35, 1e-8)  # compile outside the timing

    def pyloop():
        for i in range(N_PYLOOP):
            izzo(MU_SUN, r1[i], r2[i], tof[i], 0, True, True, 35, 1e-8)

    t_py = _best_of(pyloop, 3) * N / N_PYLOOP

    # (b) the same boinor core inside an @njit loop
    @numba.njit
    def njit_loop(k, r1, r2, tof, v1, v2):
        for i in range(r1.shape[0]):
            a, b = izzo(k, r1[i], r2[i], tof[i], 0, True, True, 35, 1e-8)
            v1[i] = a
            v2[i] = b

    b1 = np.empty_like(r1)
    b2 = np.empty_like(r2)
    njit_loop(MU_SUN, r1[:10], r2[:10], tof[:10], b1[:10], b2[:10])
    t_nj = _best_of(lambda: njit_loop(MU_SUN, r1, r2, tof, b1, b2), 3)
    cpu_nj = _cpu_per_call(lambda: njit_loop(MU_SUN, r1, r2, tof, b1, b2), 3)

    diff = max(np.abs(v1 - b1).max(), np.abs(v2 - b2).max())
    rate = {name: N / t for name, t in [("face", t_face), ("kernel", t_kernel)]}
    print(f"orbits.lambert (face)      : {rate['face']:12.3e} solves/s  ({t_face * 1e3:.1f} ms)")
    print(
        f"lambert_batch (kernel)     : {rate['kernel']:12.3e} solves/s  ({t_kernel * 1e3:.1f} ms)"
    )
    print(
        f"(a) boinor izzo, Python loop: {N / t_py:12.3e} solves/s  ({t_py / N * 1e6:.2f} us/solve)"
    )
    print(f"(b) boinor izzo, @njit loop : {N / t_nj:12.3e} solves/s")
    print(f"ratio face / (a)           : {t_py / t_face:8.1f} x")
    print(f"ratio face / (b)           : {t_nj / t_face:8.1f} x")
    print(f"ratio kernel / (b)         : {t_nj / t_kernel:8.1f} x")
    print(f"max |v kamo - v boinor|     : {diff:.2e} km/s")
    print(
        f"CPU per solve, one thread  : kamo {cpu_kernel / N * 1e9:.0f} ns, "
        f"boinor @njit {cpu_nj / N * 1e9:.0f} ns (ratio {cpu_nj / cpu_kernel:.1f} x); "
        f"implies {2 * N / cpu_kernel:.2e} solves/s on 2 idle cores"
    )
    goal = rate["face"] >= 5e6
    print(f"goal >= 5e6 solves/s on this machine: {'met' if goal else 'not met'} (noisy if shared)")


if __name__ == "__main__":
    main()
