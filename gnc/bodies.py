"""Physical models of small bodies: size, density, spin and what follows from them.

Near a 40 m asteroid kamo's GNC works in **metres, metres per second, seconds,
kilograms and radians** (GM in m^3/s^2). Kilometres, the unit of the ``orbits``
package, would put every number near 1e-5; metres keep them near 1. The body-fixed
frame has its origin at the centre of mass and spins uniformly about +z.

Kamoʻoalewa's mass has never been measured, so :func:`kamooalewa` takes the
diameter, density and spin period as inputs and checks them against the published
ranges (mission-facts section 2a): diameter 36 to 100 m, rotation period
28.3 (+1.8/-1.3) min, planning density 2.7 g/cm^3 (we accept 1.0 to 4.0).

Example
-------
>>> from gnc.bodies import kamooalewa
>>> body = kamooalewa(diameter_m=41.0)
>>> round(body.gm, 4)  # m^3/s^2
0.0065
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Newtonian constant of gravitation, CODATA 2018, m^3 kg^-1 s^-2.
G_SI = 6.67430e-11

#: Published / planning ranges for Kamoʻoalewa (mission-facts section 2a).
KAMOOALEWA_DIAMETER_RANGE_M = (36.0, 100.0)
KAMOOALEWA_PERIOD_RANGE_MIN = (27.0, 30.1)
KAMOOALEWA_DENSITY_RANGE_KG_M3 = (1000.0, 4000.0)

#: Assumed semi-axis ratios a:b:c of an elongated rocky body (not measured for
#: Kamoʻoalewa; a lightcurve amplitude of ~1 mag suggests a/b of roughly 1.3 or more).
DEFAULT_AXIS_RATIOS = (1.3, 1.0, 0.8)


def as_float(value: Any, unit: str, name: str) -> float:
    """Return ``value`` as a float in ``unit``; plain numbers are taken as already in ``unit``."""
    if hasattr(value, "unit") and hasattr(value, "to_value"):
        try:
            return float(value.to_value(unit))
        except Exception as exc:  # astropy UnitConversionError
            raise ValueError(f"{name} must be convertible to {unit}, got {value!r}") from exc
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be a number in {unit} or a Quantity, got {value!r}"
        ) from None
    if not math.isfinite(out):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return out


def as_array(value: Any, unit: str, name: str) -> np.ndarray:
    """Return ``value`` as a float ndarray in ``unit`` (Quantity or plain numbers)."""
    if hasattr(value, "unit") and hasattr(value, "to_value"):
        try:
            return np.asarray(value.to_value(unit), dtype=float)
        except Exception as exc:
            raise ValueError(
                f"{name} must be convertible to {unit}, got unit {value.unit}"
            ) from exc
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return arr


def axes_for_diameter(diameter_m: float, ratios=DEFAULT_AXIS_RATIOS) -> tuple[float, float, float]:
    """Semi-axes (a >= b >= c, m) of an ellipsoid with the given volume-equivalent diameter."""
    r = np.sort(np.asarray(ratios, dtype=float))[::-1]
    if r.shape != (3,) or np.any(r <= 0):
        raise ValueError(f"axis ratios must be three positive numbers, got {ratios!r}")
    scale = (diameter_m / 2.0) / np.cbrt(np.prod(r))
    a, b, c = (float(x) for x in r * scale)
    return a, b, c


@dataclass(frozen=True)
class SmallBodyModel:
    """A small body as GNC sees it: a constant-density triaxial body spinning about +z.

    Attributes are SI (m, kg/m^3, s). ``semi_axes_m`` (a >= b >= c) is the ellipsoid
    that stands in for the shape when no mesh is given; its volume matches
    ``diameter_m`` (volume-equivalent diameter).
    """

    name: str
    diameter_m: float
    density_kg_m3: float
    period_s: float
    semi_axes_m: tuple[float, float, float] = field(default=None)  # type: ignore[assignment]
    spin_phase0_rad: float = 0.0

    def __post_init__(self) -> None:
        for attr in ("diameter_m", "density_kg_m3", "period_s"):
            value = getattr(self, attr)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{attr} must be positive and finite, got {value!r}")
        if self.semi_axes_m is None:
            object.__setattr__(self, "semi_axes_m", axes_for_diameter(self.diameter_m))
        else:
            axes = tuple(float(x) for x in self.semi_axes_m)
            if len(axes) != 3 or min(axes) <= 0:
                raise ValueError(f"semi_axes_m must be three positive lengths, got {axes!r}")
            object.__setattr__(self, "semi_axes_m", axes)

    @property
    def volume_m3(self) -> float:
        """Volume of the volume-equivalent sphere (m^3)."""
        return math.pi / 6.0 * self.diameter_m**3

    @property
    def mass_kg(self) -> float:
        """Mass (kg)."""
        return self.density_kg_m3 * self.volume_m3

    @property
    def gm(self) -> float:
        """Gravitational parameter GM (m^3/s^2)."""
        return G_SI * self.mass_kg

    @property
    def spin_rate(self) -> float:
        """Spin rate (rad/s) about +z."""
        return 2.0 * math.pi / self.period_s

    @property
    def omega_vector(self) -> np.ndarray:
        """Spin vector (rad/s) in the body-fixed frame, ``[0, 0, spin_rate]``."""
        return np.array([0.0, 0.0, self.spin_rate])

    @property
    def radius_m(self) -> float:
        """Volume-equivalent radius (m)."""
        return self.diameter_m / 2.0

    @property
    def surface_gravity(self) -> float:
        """Gravity at the surface of the volume-equivalent sphere (m/s^2)."""
        return self.gm / self.radius_m**2

    @property
    def escape_speed(self) -> float:
        """Escape speed from the volume-equivalent sphere's surface (m/s)."""
        return math.sqrt(2.0 * self.gm / self.radius_m)

    @property
    def equatorial_speed(self) -> float:
        """Surface speed at the long semi-axis due to spin (m/s)."""
        return self.spin_rate * self.semi_axes_m[0]

    @property
    def centrifugal_to_gravity(self) -> float:
        """Ratio of centrifugal to gravitational acceleration at the sphere's equator."""
        return self.spin_rate**2 * self.radius_m / self.surface_gravity

    @property
    def synchronous_radius_m(self) -> float:
        """Radius where a point mass's gravity balances the centrifugal pull (m)."""
        return (self.gm / self.spin_rate**2) ** (1.0 / 3.0)

    def spin_phase(self, t: float | np.ndarray) -> float | np.ndarray:
        """Spin phase (rad) at time ``t`` (s) since the reference epoch."""
        return self.spin_phase0_rad + self.spin_rate * np.asarray(t, dtype=float)

    def point_mass_gravity(self):
        """A :class:`gnc.gravity.PointMassGravity` with this body's GM."""
        from gnc.gravity import PointMassGravity

        return PointMassGravity(self.gm)

    def ellipsoid_gravity(self):
        """A :class:`gnc.gravity.EllipsoidGravity` of the body's semi-axes and density."""
        from gnc.gravity import EllipsoidGravity

        return EllipsoidGravity(self.semi_axes_m, density_kg_m3=self.density_kg_m3)

    def synthetic_shape(self, seed: int = 0, subdivisions: int = 3, roughness: float = 0.08):
        """A seeded synthetic rocky shape of this body's size and axis ratios."""
        from gnc.shape import synthetic_body

        a, b, c = self.semi_axes_m
        return synthetic_body(
            self.diameter_m,
            axis_ratios=(a, b, c),
            seed=seed,
            subdivisions=subdivisions,
            roughness=roughness,
        )

    def gravity_set(
        self, seed: int = 0, n_mascons: int = 60, subdivisions: int = 3, roughness: float = 0.08
    ) -> BodyGravity:
        """Synthetic shape plus every gravity model of it, ready for simulation and optimisation.

        Builds :meth:`synthetic_shape`, its constant-density polyhedron (truth), mascons
        fitted to it (for CasADi and the numba RK4 kernel), the inertia-equivalent
        ellipsoid and the point mass. Costs about a second or two (the mascon fit).
        """
        from gnc.gravity import EllipsoidGravity, PointMassGravity, PolyhedronGravity, fit_mascons

        mesh = self.synthetic_shape(seed=seed, subdivisions=subdivisions, roughness=roughness)
        truth = PolyhedronGravity(mesh, self.density_kg_m3)
        return BodyGravity(
            body=self,
            mesh=mesh,
            polyhedron=truth,
            mascons=fit_mascons(truth, n_mascons=n_mascons, seed=seed),
            ellipsoid=EllipsoidGravity.from_mesh(mesh, self.density_kg_m3),
            point_mass=PointMassGravity(truth.gm),
        )

    def __repr__(self) -> str:
        a, b, c = self.semi_axes_m
        return (
            f"SmallBodyModel({self.name!r}, D={self.diameter_m:.1f} m, "
            f"rho={self.density_kg_m3 / 1000:.2f} g/cm3, P={self.period_s / 60:.2f} min, "
            f"axes=({a:.1f}, {b:.1f}, {c:.1f}) m, GM={self.gm:.3e} m3/s2, "
            f"g_surf={self.surface_gravity:.2e} m/s2, v_eq={self.equatorial_speed * 100:.1f} cm/s)"
        )


@dataclass(frozen=True, eq=False)
class BodyGravity:
    """A body's synthetic shape and its gravity models (see :meth:`SmallBodyModel.gravity_set`)."""

    body: SmallBodyModel
    mesh: Any
    polyhedron: Any
    mascons: Any
    ellipsoid: Any
    point_mass: Any

    def __repr__(self) -> str:
        return (
            f"BodyGravity({self.body.name!r}, {len(self.mesh.faces)} faces, "
            f"{len(self.mascons.gm_each)} mascons, GM={self.polyhedron.gm:.4e} m3/s2)"
        )


def _check_range(value: float, bounds: tuple[float, float], name: str, unit: str) -> None:
    lo, hi = bounds
    if not (lo <= value <= hi):
        raise ValueError(
            f"{name} {value:g} {unit} is outside the published range {lo:g} to {hi:g} {unit} "
            "for Kamoʻoalewa; use SmallBodyModel(...) directly for other bodies"
        )


def kamooalewa(
    diameter_m: Any = 41.0,
    density: Any = 2700.0,
    period_min: Any = 28.3,
    axis_ratios=DEFAULT_AXIS_RATIOS,
    spin_phase0_rad: float = 0.0,
) -> SmallBodyModel:
    """Kamoʻoalewa with a size, density and spin inside the published ranges.

    ``diameter_m`` in m (36 to 100), ``density`` in kg/m^3 (1000 to 4000; a Quantity
    such as ``2.7 * u.g / u.cm**3`` works), ``period_min`` in minutes (27.0 to 30.1).
    Defaults are the CNSA average diameter of 41 m, the CAST planning density of
    2.7 g/cm^3 and the Sharkey et al. (2021) period of 28.3 min.
    """
    d = as_float(diameter_m, "m", "diameter_m")
    rho = as_float(density, "kg / m3", "density")
    p = as_float(period_min, "min", "period_min")
    _check_range(d, KAMOOALEWA_DIAMETER_RANGE_M, "diameter", "m")
    _check_range(rho, KAMOOALEWA_DENSITY_RANGE_KG_M3, "density", "kg/m3")
    _check_range(p, KAMOOALEWA_PERIOD_RANGE_MIN, "rotation period", "min")
    return SmallBodyModel(
        name="469219 Kamoʻoalewa",
        diameter_m=d,
        density_kg_m3=rho,
        period_s=p * 60.0,
        semi_axes_m=axes_for_diameter(d, axis_ratios),
        spin_phase0_rad=spin_phase0_rad,
    )
