"""Trajectory design: time scales, SPICE ephemerides, two-body kernels, Lambert, porkchops, propagation.

This module is the package's front door: every public name is listed in
``_EXPORTS`` (name -> module) and imported on first use, so that ``import orbits``
stays cheap and one part never pays for loading another.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    # two-body core (orbits.twobody faces; kernels in orbits._kepler / orbits._lambert)
    "lambert": "orbits.twobody",
    "lambert_min_tof": "orbits.twobody",
    "propagate_kepler": "orbits.twobody",
    "elements_to_state": "orbits.twobody",
    "state_to_elements": "orbits.twobody",
    "OrbitalElements": "orbits.twobody",
    "OrbitState": "orbits.twobody",
    "to_orbit": "orbits.twobody",
    "from_orbit": "orbits.twobody",
    # time, SPICE, constants, ephemerides, small bodies, porkchops (ORBITS-EPH)
    "to_et": "orbits.time",
    "to_time": "orbits.time",
    "et_to_time": "orbits.time",
    "et_to_iso": "orbits.time",
    "ensure_kernels": "orbits.spice",
    "furnish": "orbits.spice",
    "SPICE_LOCK": "orbits.spice",
    "cache_dir": "orbits.spice",
    "GM_SUN": "orbits.constants",
    "AU_KM": "orbits.constants",
    "DAY_S": "orbits.constants",
    "gm": "orbits.constants",
    "radius": "orbits.constants",
    "state": "orbits.ephemeris",
    "state_et": "orbits.ephemeris",
    "StateVectors": "orbits.ephemeris",
    "SmallBody": "orbits.smallbody",
    "register_small_body": "orbits.smallbody",
    "porkchop": "orbits.porkchop",
    "porkchop_summary": "orbits.porkchop",
    "plot_porkchop": "orbits.porkchop",
    # n-body propagation, planet fits, SPK writing, target ephemerides (ORBITS-NBODY)
    "propagate": "orbits.nbody",
    "propagate_et": "orbits.nbody",
    "propagate_batch_et": "orbits.nbody",
    "ForceModel": "orbits.nbody",
    "Spacecraft": "orbits.nbody",
    "FiniteBurn": "orbits.nbody",
    "Event": "orbits.nbody",
    "Propagation": "orbits.nbody",
    "NBodyResult": "orbits.nbody",
    "soi_radius_km": "orbits.nbody",
    "srp_acceleration": "orbits.nbody",
    "correct_velocity_et": "orbits.nbody",
    "Correction": "orbits.nbody",
    "propagate_reference_et": "orbits.nbody_reference",
    "PlanetFit": "orbits.planets_fit",
    "fit_planets": "orbits.planets_fit",
    "DEFAULT_BODIES": "orbits.planets_fit",
    "EARTH_MOON_BODIES": "orbits.planets_fit",
    "write_spk": "orbits.spk",
    "spk_sample": "orbits.spk",
    "readback_error_km": "orbits.spk",
    "write_target_spk": "orbits.targets_ephemeris",
    "compare_with_twobody": "orbits.targets_ephemeris",
    "target_naif_id": "orbits.targets_ephemeris",
    "TargetEphemeris": "orbits.targets_ephemeris",
    # gravity-assist geometry (MISSION-PLAN)
    "turn_angle": "orbits.flyby",
    "periapsis_radius": "orbits.flyby",
    "powered_flyby_dv": "orbits.flyby",
    "flyby_outgoing": "orbits.flyby",
    "entry_speed": "orbits.flyby",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'orbits' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
