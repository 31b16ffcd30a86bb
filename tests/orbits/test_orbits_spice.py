"""orbits.spice: kernels load once per process, from local files only, also in fresh workers."""

from __future__ import annotations

import multiprocessing as mp
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import spiceypy

from orbits import spice


def _worker_state(et: float) -> tuple[int, list[str], list[float]]:
    """Runs in a spawned process: nothing is inherited from the parent's kernel pool."""
    import spiceypy as sp

    from orbits.ephemeris import state_et
    from orbits.spice import ensure_kernels

    before = sp.ktotal("ALL")
    kernels = ensure_kernels()
    return before, kernels, state_et("mars", et, center="earth").tolist()


def test_ensure_kernels_is_idempotent_and_loads_lsk_and_de421():
    first = spice.ensure_kernels()
    count = spiceypy.ktotal("ALL")
    assert spice.ensure_kernels() == first
    assert spiceypy.ktotal("ALL") == count
    assert any(p.endswith(".tls") for p in first)
    assert any(p.endswith("de421.bsp") for p in first)


def test_lsk_holds_the_bundled_leap_seconds():
    text = spice._lsk_text()
    # 37 s since 2017-01-01 (IERS Bulletin C 52); the first entry 10 s at 1972-01-01.
    assert "37, @2017-JAN-1" in text
    assert "10, @1972-JAN-1" in text
    spice.ensure_kernels()
    # CSPICE reads the kernel: TAI-UTC on 2020-01-01 is 37 s -> ET - UTC = 69.184 s + periodic
    et = spiceypy.str2et("2020-01-01 00:00:00 UTC")
    assert spiceypy.deltet(et, "ET") == pytest.approx(69.184, abs=2e-3)


def test_fresh_spawned_process_loads_kernels():
    ctx = mp.get_context("spawn")
    with ctx.Pool(1) as pool:
        before, kernels, rv = pool.apply(_worker_state, (6.5e8,))
    assert before == 0  # spawned: an empty pool, no hidden state from the parent
    assert any(k.endswith("de421.bsp") for k in kernels)
    from orbits.ephemeris import state_et

    np.testing.assert_allclose(rv, state_et("mars", 6.5e8, center="earth"), rtol=0, atol=1e-6)


def test_forked_child_reloads(tmp_path):
    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    spice.ensure_kernels()
    ctx = mp.get_context("fork")
    with ctx.Pool(1) as pool:
        before, kernels, _ = pool.apply(_worker_state, (6.5e8,))
    assert before > 0 and any(k.endswith(".tls") for k in kernels)


def test_cache_dir_env_override(tmp_path):
    code = (
        "from orbits.spice import cache_dir, ensure_kernels; ensure_kernels(); "
        "print(cache_dir()); import os; print(sorted(os.listdir(cache_dir())))"
    )
    env = {**os.environ, "KAMO_CACHE_DIR": str(tmp_path / "cache")}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert str(tmp_path / "cache") in out.stdout
    assert "kamo_leapseconds_" in out.stdout


def test_furnish_missing_kernel_names_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="no_such.bsp"):
        spice.furnish(tmp_path / "no_such.bsp")


def test_furnish_user_kernel_is_loaded(tmp_path):
    # a user kernel: a text PCK with one constant
    kernel = tmp_path / "extra.tpc"
    kernel.write_text("KPL/PCK\n\\begindata\nBODY2000433_GM = ( 4.463D-4 )\n\\begintext\n")
    path = spice.furnish(kernel)
    assert Path(path) == kernel.resolve()
    assert spiceypy.bodvrd("2000433", "GM", 1)[1][0] == pytest.approx(4.463e-4)
    assert str(kernel.resolve()) in spice.loaded_kernels()
