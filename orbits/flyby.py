"""Gravity-assist (flyby) geometry in the patched-conic model, on plain floats and arrays.

A flyby bends the hyperbolic excess velocity ``v_inf`` by the turn angle
``delta`` without changing its magnitude (relative to the planet)::

    sin(delta / 2) = 1 / (1 + r_p v_inf^2 / mu)

so a wanted in/out pair of ``v_inf`` vectors needs a periapsis radius ``r_p``
(:func:`periapsis_radius`); when ``r_p`` falls below the allowed minimum, or
the magnitudes differ, the missing part is bought with a manoeuvre
(:func:`powered_flyby_dv`, the impulsive estimate used by multiple
gravity-assist searches). All kernels broadcast over leading axes; units are
km, km/s, km^3/s^2, rad.

Reference: Vallado, *Fundamentals of Astrodynamics and Applications*, 4th ed.,
section 12.2 (gravity assist); Curtis, *Orbital Mechanics for Engineering
Students*, 3rd ed., section 8.9 (planetary flyby), example 8.6.

>>> import numpy as np
>>> round(float(np.degrees(turn_angle(5.0, 398600.4418, 6378.0 + 300.0))), 2)
89.63
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "entry_speed",
    "flyby_outgoing",
    "periapsis_radius",
    "powered_flyby_dv",
    "turn_angle",
    "vinf_angle",
]


def turn_angle(vinf: Any, mu: float, rp: Any) -> np.ndarray:
    """Turn angle (rad) of an unpowered flyby at excess speed ``vinf`` and periapsis radius ``rp``."""
    vinf = np.asarray(vinf, dtype=float)
    rp = np.asarray(rp, dtype=float)
    return 2.0 * np.arcsin(1.0 / (1.0 + rp * vinf**2 / mu))


def vinf_angle(vinf_in: Any, vinf_out: Any) -> np.ndarray:
    """Angle (rad) between incoming and outgoing excess-velocity vectors (..., 3)."""
    a = np.asarray(vinf_in, dtype=float)
    b = np.asarray(vinf_out, dtype=float)
    cos = np.sum(a * b, axis=-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))
    return np.arccos(np.clip(cos, -1.0, 1.0))


def periapsis_radius(vinf_in: Any, vinf_out: Any, mu: float) -> np.ndarray:
    """Periapsis radius (km) that turns ``vinf_in`` into the direction of ``vinf_out``.

    Uses the mean of the two magnitudes (they are equal for an unpowered flyby).
    A zero turn gives ``inf``.
    """
    delta = vinf_angle(vinf_in, vinf_out)
    v = 0.5 * (np.linalg.norm(vinf_in, axis=-1) + np.linalg.norm(vinf_out, axis=-1))
    with np.errstate(divide="ignore"):
        return mu / v**2 * (1.0 / np.sin(delta / 2.0) - 1.0)


def powered_flyby_dv(vinf_in: Any, vinf_out: Any, mu: float, rp_min: float) -> np.ndarray:
    """Impulsive delta-v (km/s) a flyby needs to join ``vinf_in`` to ``vinf_out`` with ``r_p >= rp_min``.

    The magnitude change ``| |v_out| - |v_in| |`` plus, when the wanted turn
    exceeds what the planet gives at ``rp_min``, the impulse ``2 v sin(excess / 2)``
    that rotates the remaining angle. Zero for a feasible unpowered flyby.
    """
    vin = np.linalg.norm(vinf_in, axis=-1)
    vout = np.linalg.norm(vinf_out, axis=-1)
    v = 0.5 * (vin + vout)
    excess = np.maximum(vinf_angle(vinf_in, vinf_out) - turn_angle(v, mu, rp_min), 0.0)
    return np.abs(vout - vin) + 2.0 * v * np.sin(excess / 2.0)


def flyby_outgoing(vinf_in: Any, mu: float, rp: float, b_angle: float) -> np.ndarray:
    """Outgoing excess velocity of an unpowered flyby at periapsis ``rp``, B-plane angle ``b_angle`` (rad).

    ``vinf_in`` is turned by :func:`turn_angle` about an axis perpendicular to it;
    ``b_angle`` rotates that axis about ``vinf_in`` (0: axis along
    ``vinf_in x z``).
    """
    v = np.asarray(vinf_in, dtype=float).reshape(3)
    speed = float(np.linalg.norm(v))
    s = v / speed
    ref = np.array([0.0, 0.0, 1.0]) if abs(s[2]) < 0.99 else np.array([1.0, 0.0, 0.0])
    e1 = np.cross(s, ref)
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(s, e1)
    axis = np.cos(b_angle) * e1 + np.sin(b_angle) * e2
    delta = float(turn_angle(speed, mu, rp))
    # Rodrigues rotation of v about axis (perpendicular to v) by delta
    return v * np.cos(delta) + np.cross(axis, v) * np.sin(delta)


def entry_speed(vinf: Any, mu: float, r_entry: float) -> np.ndarray:
    """Inertial speed (km/s) at radius ``r_entry`` of a hyperbola with excess speed ``vinf`` (energy)."""
    vinf = np.asarray(vinf, dtype=float)
    return np.sqrt(vinf**2 + 2.0 * mu / r_entry)
