"""The ``run_sil`` pytest fixture: flight software in the loop inside a test.

Registered for kamo's own tests in ``tests/conftest.py``; other projects add
``pytest_plugins = ["missions.sil.pytest_plugin"]`` to their ``conftest.py``.

    def test_descent(run_sil):
        sil = run_sil("nominal", fsw=["./my_fsw", "{host}", "{port}"], seed=1)
        assert sil.outcome == "sampled"
        assert (sil.telemetry["altimeter"]["range"] > 0).all()

Each call gets its own directory under the test's ``tmp_path`` (raw archive,
flight-software stdout/stderr, key, scenario), so a failing test leaves the
evidence behind. The flight-software process is always torn down; a crash or
hang fails the test with the watchdog's message (:class:`missions.sil.FswCrashed`,
:class:`missions.sil.FswHung`). The fixture's defaults keep a hung flight
software from holding the test run: the watchdog fires after 60 s of silence.
"""

from __future__ import annotations

import pytest

DEFAULT_HANG_TIMEOUT_S = 60.0


@pytest.fixture
def run_sil(tmp_path):
    """A function ``run_sil(scenario, fsw=None, seed=0, **kwargs) -> SilResult`` (see :func:`missions.sil.run_sil`)."""
    from missions.sil.harness import run_sil as _run_sil

    calls = [0]

    def runner(scenario, fsw=None, seed: int = 0, **kwargs):
        calls[0] += 1
        kwargs.setdefault("workdir", tmp_path / f"sil-{calls[0]}")
        kwargs.setdefault("hang_timeout_s", DEFAULT_HANG_TIMEOUT_S)
        return _run_sil(scenario, fsw=fsw, seed=seed, **kwargs)

    return runner
