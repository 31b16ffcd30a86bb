"""The Sun's effects near a small body: radiation pressure, the body's shadow, the solar tide.

Units: metres, m/s^2, seconds, kg (see :mod:`gnc.bodies`). Directions are unit
vectors in the small body's body-fixed frame unless a name says ``inertial``; the
Sun's inertial direction turns backwards in the body-fixed frame as the body spins
(:func:`sun_direction_body`).

- Solar radiation pressure, cannonball: ``a = -Cr P A/m s_hat``, with
  ``P = 1361 W/m^2 / c * (1 au / d)^2`` and ``s_hat`` the unit vector to the Sun.
- Flat plate (Montenbruck & Gill 2000, eq. 3.75 with a diffuse term):
  ``a = -P A/m cos(th) [(1 - rho_s) s_hat + 2 (rho_s cos(th) + rho_d / 3) n]``,
  ``cos(th) = n . s_hat``, nothing when the plate is edge-on or lit from behind
  (a two-sided plate flips ``n`` instead).
- Eclipse: a cylindrical umbra cast by the body's shape (mesh ray cast or
  analytic ellipsoid); the Sun's 0.5 deg disc gives a penumbra of a few cm
  near a 40 m body, so it is neglected.
- Solar tide (Hill's approximation, |r| << d):
  ``a = GM_sun / d^3 (3 (s_hat . r) s_hat - r)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gnc.dynamics import rotation_z

#: Total solar irradiance at 1 au (W/m^2, Kopp & Lean 2011) over c: P at 1 au, N/m^2.
SOLAR_PRESSURE_1AU = 1361.0 / 299_792_458.0
#: Astronomical unit (m, IAU 2012).
AU_M = 1.495978707e11
#: Sun's GM (m^3/s^2, DE421-era IAU value).
GM_SUN_M3_S2 = 1.32712440018e20


def _unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    if np.any(n == 0):
        raise ValueError("direction vector must be non-zero")
    return v / n


def sun_direction_body(t, sun_dir_inertial, spin_rate: float, phase0: float = 0.0) -> np.ndarray:
    """Unit vector to the Sun in the body-fixed frame at time(s) ``t`` (s): ``Rz(-theta) s_inertial``."""
    s = _unit(sun_dir_inertial)
    theta = phase0 + spin_rate * np.asarray(t, dtype=float)
    return np.einsum("...ji,...j->...i", rotation_z(theta), s)


def solar_pressure(sun_distance_m: float) -> float:
    """Solar radiation pressure (N/m^2) on a perfect absorber at distance ``sun_distance_m``."""
    return SOLAR_PRESSURE_1AU * (AU_M / float(sun_distance_m)) ** 2


def srp_cannonball(sun_dir, sun_distance_m: float, area_m2: float, mass_kg: float, cr: float = 1.3):
    """Cannonball SRP acceleration (m/s^2), pointing away from the Sun; ``sun_dir`` (..., 3)."""
    s = _unit(sun_dir)
    return -cr * solar_pressure(sun_distance_m) * area_m2 / mass_kg * s


def srp_flat_plate(
    sun_dir,
    normal,
    sun_distance_m: float,
    area_m2: float,
    mass_kg: float,
    specular: float = 0.1,
    diffuse: float = 0.2,
    two_sided: bool = False,
):
    """Flat-plate SRP acceleration (m/s^2); ``sun_dir`` and ``normal`` broadcast over (..., 3)."""
    if not (0 <= specular and 0 <= diffuse and specular + diffuse <= 1):
        raise ValueError(
            f"reflectivities must satisfy 0 <= specular + diffuse <= 1, got {specular} + {diffuse}"
        )
    s = _unit(sun_dir)
    n = _unit(normal)
    cos_th = np.sum(s * n, axis=-1, keepdims=True)
    if two_sided:
        n = np.where(cos_th < 0, -n, n)
        cos_th = np.abs(cos_th)
    lit = cos_th > 0
    p = solar_pressure(sun_distance_m) * area_m2 / mass_kg
    acc = -p * cos_th * ((1 - specular) * s + 2 * (specular * cos_th + diffuse / 3) * n)
    return np.where(lit, acc, 0.0)


def solar_tidal_acceleration(r, sun_dir, sun_distance_m: float, gm_sun: float = GM_SUN_M3_S2):
    """Sun's tidal acceleration (m/s^2) relative to the body's centre, Hill approximation."""
    r = np.asarray(r, dtype=float)
    s = _unit(sun_dir)
    k = gm_sun / float(sun_distance_m) ** 3
    return k * (3.0 * np.sum(s * r, axis=-1, keepdims=True) * s - r)


def _ray_hits_ellipsoid(origins, dirs, axes) -> np.ndarray:
    inv = 1.0 / np.asarray(axes, dtype=float)
    o = origins * inv
    d = dirs * inv
    a = np.sum(d * d, axis=-1)
    b = 2.0 * np.sum(o * d, axis=-1)
    c = np.sum(o * o, axis=-1) - 1.0
    disc = b * b - 4 * a * c
    far = (-b + np.sqrt(np.maximum(disc, 0.0))) / (2 * a)
    return (disc > 0) & (far > 0) & ((c > 0) & (b < 0) | (c <= 0))


def sunlit(r, sun_dir, surface) -> np.ndarray:
    """True where the spacecraft at ``r`` (..., 3) sees the Sun past the body (no umbra).

    ``surface`` is a :class:`gnc.shape.TriangleMesh` or ellipsoid semi-axes (a, b, c).
    """
    r = np.asarray(r, dtype=float)
    s = _unit(sun_dir)
    o, d = np.broadcast_arrays(np.atleast_2d(r), np.atleast_2d(s))
    if isinstance(surface, tuple | list | np.ndarray):
        blocked = _ray_hits_ellipsoid(o, d, surface)
    else:
        dist, _ = surface.ray_cast(o, d)
        blocked = np.isfinite(dist)
    out = ~blocked
    return out[0] if r.ndim == 1 and np.ndim(s) == 1 else out


@dataclass(frozen=True)
class SolarEnvironment:
    """The Sun's perturbations on a spacecraft near a spinning small body.

    ``sun_dir_inertial`` is the Sun's unit vector in the non-rotating body-centred
    frame (taken as fixed over a proximity-operations arc); ``spin_rate`` (rad/s) and
    ``phase0`` (rad) turn it into the body-fixed frame. SRP uses a cannonball model,
    or a flat plate when ``plate_normal_body`` is given (a fixed normal in the
    body-fixed frame) or ``plate_sun_pointing`` is True. ``surface`` (mesh or
    ellipsoid semi-axes) switches on the body's shadow.
    """

    sun_dir_inertial: tuple[float, float, float] = (1.0, 0.0, 0.0)
    sun_distance_au: float = 1.0
    spin_rate: float = 0.0
    phase0: float = 0.0
    mass_kg: float = 1000.0
    area_m2: float = 10.0
    cr: float = 1.3
    plate_normal_body: tuple[float, float, float] | None = None
    plate_sun_pointing: bool = False
    specular: float = 0.1
    diffuse: float = 0.2
    surface: object = None
    include_srp: bool = True
    include_tide: bool = True

    def __post_init__(self) -> None:
        if not self.sun_distance_au > 0:
            raise ValueError(f"sun_distance_au must be positive, got {self.sun_distance_au}")
        if not (self.mass_kg > 0 and self.area_m2 >= 0):
            raise ValueError(
                f"mass_kg must be positive and area_m2 non-negative, got {self.mass_kg}, {self.area_m2}"
            )

    @property
    def sun_distance_m(self) -> float:
        return self.sun_distance_au * AU_M

    def sun_direction(self, t) -> np.ndarray:
        """Unit vector to the Sun in the body-fixed frame at time ``t`` (s)."""
        return sun_direction_body(t, self.sun_dir_inertial, self.spin_rate, self.phase0)

    def srp_acceleration(self, t, r) -> np.ndarray:
        """SRP acceleration (m/s^2) including the body's shadow."""
        s = self.sun_direction(t)
        if self.plate_normal_body is not None or self.plate_sun_pointing:
            normal = s if self.plate_sun_pointing else np.asarray(self.plate_normal_body, float)
            acc = srp_flat_plate(
                s,
                normal,
                self.sun_distance_m,
                self.area_m2,
                self.mass_kg,
                self.specular,
                self.diffuse,
            )
        else:
            acc = srp_cannonball(s, self.sun_distance_m, self.area_m2, self.mass_kg, self.cr)
        acc = np.broadcast_to(acc, np.shape(r)).copy()
        if self.surface is not None:
            lit = sunlit(r, s, self.surface)
            acc = acc * np.asarray(lit, dtype=float)[..., None]
        return acc

    def tidal_acceleration(self, t, r) -> np.ndarray:
        """Solar tidal acceleration (m/s^2)."""
        return solar_tidal_acceleration(r, self.sun_direction(t), self.sun_distance_m)

    def acceleration(self, t, r, v=None) -> np.ndarray:
        """Total perturbing acceleration (m/s^2); usable as ``propagate(..., perturbation=env.acceleration)``."""
        r = np.asarray(r, dtype=float)
        acc = np.zeros_like(r)
        if self.include_srp and self.area_m2 > 0:
            acc = acc + self.srp_acceleration(t, r)
        if self.include_tide:
            acc = acc + self.tidal_acceleration(t, r)
        return acc
