"""The fused porkchop kernel (orbits._porkchop) against the batched Lambert solver it inlines."""

from __future__ import annotations

import numpy as np

from orbits import _porkchop
from orbits._lambert import lambert_batch
from orbits.constants import DAY_S, GM_SUN
from orbits.ephemeris import state_et
from orbits.spice import ensure_kernels


def test_fused_kernel_equals_lambert_batch_and_a_numpy_reduction():
    ensure_kernels()
    et1 = 6.5e8 + np.linspace(0.0, 120.0, 17) * DAY_S
    et2 = 6.5e8 + np.linspace(-10.0, 400.0, 23) * DAY_S  # some cells with tof <= 0
    dep, arr = state_et("earth", et1), state_et("mars", et2)
    rot = np.array(
        [[1.0, 0.0, 0.0], [0.0, 0.9174820621, -0.3977771559], [0.0, 0.3977771559, 0.9174820621]]
    )
    min_tof = 60.0 * DAY_S
    out = _porkchop.porkchop_grid(GM_SUN, dep, arr, et1, et2, rot=rot, min_tof=min_tof)
    assert out.shape == (_porkchop.N_OUT, 17, 23)

    tof = et2[None, :] - et1[:, None]
    ok = tof >= min_tof
    ii, jj = np.nonzero(ok)
    v1, v2 = lambert_batch(GM_SUN, dep[ii, :3], arr[jj, :3], tof[ii, jj])
    dv1 = v1 - dep[ii, 3:]
    vinf_arr = np.linalg.norm(v2 - arr[jj, 3:], axis=1)
    c3 = np.einsum("ij,ij->i", dv1, dv1)
    eq = dv1 @ rot.T
    expected = {
        0: c3,
        1: np.sqrt(c3),
        2: np.degrees(np.arcsin(eq[:, 2] / np.sqrt(c3))),
        3: np.degrees(np.arctan2(eq[:, 1], eq[:, 0])) % 360.0,
        4: vinf_arr,
        5: np.sqrt(c3) + vinf_arr,
        6: vinf_arr,
    }
    for plane, values in expected.items():
        np.testing.assert_allclose(out[plane][ok], values, rtol=1e-12, atol=1e-12)
        assert np.isnan(out[plane][~ok]).all()
    np.testing.assert_array_equal(out[7], np.where(tof > 0, tof / DAY_S, np.nan))


def test_kernel_cache_key_follows_the_lambert_source():
    # numba keys the on-disk cache on the closure: it must carry the Lambert source hash
    cells = [c.cell_contents for c in _porkchop._grid.py_func.__closure__]
    assert _porkchop._lambert_stamp() in cells
