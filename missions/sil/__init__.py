"""Flight software in the loop: the plant and the flight software in separate processes, packets between.

- :mod:`missions.sil.protocol`: the wire protocol (CCSDS space packets over TCP, lock step);
- :mod:`missions.sil.plant`: the simulated world as a server, the link and its faults, the ground station;
- :mod:`missions.sil.fsw_reference`: kamo's executive as flight software (``python -m missions.sil.fsw_reference``);
- :mod:`missions.sil.harness`: :func:`run_sil`, which starts, runs and tears down a SIL run;
- :mod:`missions.sil.pytest_plugin`: the ``run_sil`` pytest fixture.

See ``docs/sil-protocol.md``.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    name: "missions.sil.harness"
    for name in (
        "FswCrashed",
        "FswHung",
        "FswStartError",
        "SilError",
        "SilResult",
        "load_sil_spec",
        "run_sil",
    )
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:  # lazy: the flight-software side imports only protocol and codec
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'missions.sil' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
