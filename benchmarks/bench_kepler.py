"""Kepler propagation throughput: kamo's batched universal-variable kernel vs SPICE and boinor.

Propagates 10^6 random states (elliptic and hyperbolic, Earth-centred) by random
spans with ``orbits._kepler.kepler_batch`` (and the ``orbits.propagate_kepler``
face), and compares with
- SPICE ``conics`` in a Python loop (elements precomputed with ``oscelt``;
  also ``oscelt`` + ``conics``, state in and state out), on a subsample,
- boinor's ``farnocchia_rv`` in a Python loop and in an ``@njit`` loop,
extrapolated to 10^6, printing states per second, ratios and agreement.
"""

from __future__ import annotations

import os
import time

import numba
import numpy as np

N = 1_000_000
N_SUB = 20_000
MU = 398600.4418


def _states(n: int, seed: int = 4):
    from orbits._kepler import coe2rv_batch

    rng = np.random.default_rng(seed)
    ecc = np.where(rng.random(n) < 0.8, rng.uniform(0.0, 0.95, n), rng.uniform(1.05, 4.0, n))
    rp = rng.uniform(6600.0, 50000.0, n)
    inc, raan, argp = (rng.uniform(0, np.pi, n) for _ in range(3))
    nu_max = np.where(ecc > 1, 0.9 * np.arccos(-1.0 / np.maximum(ecc, 1.0)), np.pi)
    nu = rng.uniform(-1, 1, n) * nu_max
    r, v = coe2rv_batch(MU, rp * (1 + ecc), ecc, inc, raan, argp, nu)
    dt = rng.uniform(-2e5, 2e5, n)
    return r, v, dt


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main() -> None:
    import spiceypy as sp
    from boinor.core.propagation.farnocchia import farnocchia_rv

    import orbits
    from orbits._kepler import kepler_batch

    r, v, dt = _states(N)
    print(f"{N} random states (80% elliptic e<0.95, 20% hyperbolic 1.05<e<4), |dt| < 2e5 s")
    print(f"cores: {os.cpu_count()}, numba threads: {numba.get_num_threads()}")
    t0 = time.perf_counter()
    kepler_batch(MU, r[:1000], v[:1000], dt[:1000])
    print(f"first call (JIT load or compile): {time.perf_counter() - t0:.2f} s")

    t_kernel = _median_time(lambda: kepler_batch(MU, r, v, dt), 5)
    c0 = time.process_time()  # CPU time over all threads: robust on a shared machine
    kepler_batch(MU, r, v, dt)
    cpu_kernel = time.process_time() - c0
    t_face = _median_time(lambda: orbits.propagate_kepler(MU, r, v, dt), 3)
    rk, vk = kepler_batch(MU, r, v, dt)

    sub = slice(0, N_SUB)
    elts = [sp.oscelt(np.r_[r[i], v[i]], 0.0, MU) for i in range(N_SUB)]

    def spice_conics():
        return [sp.conics(elts[i], dt[i]) for i in range(N_SUB)]

    def spice_full():
        for i in range(N_SUB):
            sp.conics(sp.oscelt(np.r_[r[i], v[i]], 0.0, MU), dt[i])

    t_conics = _median_time(spice_conics, 3) * N / N_SUB
    t_spice_full = _median_time(spice_full, 1) * N / N_SUB
    spice_states = np.array(spice_conics())

    farnocchia_rv(MU, r[0], v[0], dt[0])  # compile outside the timing

    def farn_loop():
        for i in range(N_SUB):
            farnocchia_rv(MU, r[i], v[i], dt[i])

    t_farn_py = _median_time(farn_loop, 1) * N / N_SUB

    @numba.njit
    def farn_njit(k, r, v, dt, out):
        for i in range(r.shape[0]):
            a, _ = farnocchia_rv(k, r[i], v[i], dt[i])
            out[i] = a

    out = np.empty((N_SUB, 3))
    farn_njit(MU, r[:10], v[:10], dt[:10], out[:10])
    t_farn_nj = _median_time(lambda: farn_njit(MU, r[sub], v[sub], dt[sub], out), 3) * N / N_SUB
    c0 = time.process_time()
    farn_njit(MU, r[sub], v[sub], dt[sub], out)
    cpu_farn = (time.process_time() - c0) * N / N_SUB

    err_spice = np.linalg.norm(spice_states[:, :3] - rk[sub], axis=1) / np.linalg.norm(
        rk[sub], axis=1
    )
    err_farn = np.linalg.norm(out - rk[sub], axis=1) / np.linalg.norm(rk[sub], axis=1)

    print(f"kepler_batch (kernel)          : {N / t_kernel:12.3e} states/s ({t_kernel:.3f} s)")
    print(f"orbits.propagate_kepler (face) : {N / t_face:12.3e} states/s")
    print(
        f"SPICE conics, Python loop      : {N / t_conics:12.3e} states/s (extrapolated from {N_SUB})"
    )
    print(f"SPICE oscelt+conics, Py loop   : {N / t_spice_full:12.3e} states/s")
    print(f"boinor farnocchia, Python loop : {N / t_farn_py:12.3e} states/s")
    print(f"boinor farnocchia, @njit loop  : {N / t_farn_nj:12.3e} states/s")
    print(f"ratio kernel / SPICE conics    : {t_conics / t_kernel:10.1f} x")
    print(f"ratio kernel / farnocchia (py) : {t_farn_py / t_kernel:10.1f} x")
    print(f"ratio kernel / farnocchia (njit): {t_farn_nj / t_kernel:9.1f} x")
    print(
        f"CPU per state (all threads)    : kamo {cpu_kernel / N * 1e9:.0f} ns, boinor farnocchia "
        f"@njit {cpu_farn / N * 1e9:.0f} ns (ratio {cpu_farn / cpu_kernel:.1f} x)"
    )
    print(
        f"max rel. position diff vs SPICE: {err_spice.max():.1e} (median {np.median(err_spice):.1e})"
    )
    print(
        f"max rel. position diff vs boinor: {err_farn.max():.1e} (median {np.median(err_farn):.1e})"
    )


if __name__ == "__main__":
    main()
