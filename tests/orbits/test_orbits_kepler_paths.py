"""kepler_batch runs small batches on one thread and large ones in parallel: same answers."""

from __future__ import annotations

import numpy as np

from orbits import _kepler


def test_serial_and_parallel_paths_agree_bit_for_bit():
    rng = np.random.default_rng(7)
    n = _kepler.PARALLEL_MIN_ROWS + 5
    r = rng.normal(size=(n, 3)) * 1.5e8
    v = rng.normal(size=(n, 3)) * 20.0
    dt = rng.uniform(-3e7, 3e7, size=n)
    r_big, v_big = _kepler.kepler_batch(1.32712440018e11, r, v, dt)
    head = slice(0, 100)
    r_small, v_small = _kepler.kepler_batch(1.32712440018e11, r[head], v[head], dt[head])
    np.testing.assert_array_equal(r_small, r_big[head])
    np.testing.assert_array_equal(v_small, v_big[head])
