"""Two-body faces: Lambert, Kepler propagation, element conversions, boinor interop.

These are the functions a notebook calls. They broadcast over arrays of shape
``(..., 3)``, take plain floats in kamo's units (km, s, km/s, km^3/s^2, rad) or
astropy ``Quantity`` objects (and then return quantities), check their input
and say what is wrong with it. The work is done by the numba kernels in
:mod:`orbits._lambert` and :mod:`orbits._kepler`.

>>> import numpy as np
>>> from orbits.twobody import lambert
>>> v1, v2 = lambert(398600.0, [5000, 10000, 2100], [-14600, 2500, 7000], 3600)
>>> np.round(v1, 4)
array([-5.9925,  1.9254,  3.2456])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from astropy import units as u

from orbits import _kepler, _lambert

__all__ = [
    "OrbitalElements",
    "OrbitState",
    "elements_to_state",
    "from_orbit",
    "lambert",
    "lambert_min_tof",
    "propagate_kepler",
    "state_to_elements",
    "to_orbit",
]

_KM = u.km
_S = u.s
_KMS = u.km / u.s
_MU = u.km**3 / u.s**2
_RAD = u.rad

# ---------------------------------------------------------------------------
# input helpers
# ---------------------------------------------------------------------------


def _value(x: Any, unit: u.UnitBase, name: str) -> tuple[np.ndarray, bool]:
    """Plain float array in ``unit`` and whether the input carried units."""
    if isinstance(x, list | tuple) and any(isinstance(e, u.Quantity) for e in x):
        try:
            x = u.Quantity(x)  # e.g. [7000 * u.km, 0 * u.km, 0 * u.km]
        except (TypeError, u.UnitsError):
            raise ValueError(f"{name}: cannot combine the units of {x!r}") from None
    if isinstance(x, u.Quantity):
        try:
            return np.asarray(x.to_value(unit), dtype=float), True
        except u.UnitConversionError:
            raise ValueError(f"{name} must be in units of {unit}, got {x.unit}") from None
    if hasattr(x, "to_value") and hasattr(x, "sec") and unit is _S:  # astropy TimeDelta
        return np.asarray(x.to_value("s"), dtype=float), True
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or array of numbers, got {x!r}") from None
    return arr, False


def _mu_value(mu: Any) -> tuple[np.ndarray, bool]:
    if hasattr(mu, "k") and isinstance(mu.k, u.Quantity):  # a boinor/poliastro Body
        mu = mu.k
    val, q = _value(mu, _MU, "mu")
    if np.any(~(val > 0)):
        raise ValueError(
            f"gravitational parameter mu must be positive (km^3/s^2), got {_first_bad(val, ~(val > 0))}"
        )
    return val, q


def _vec(x: Any, unit: u.UnitBase, name: str) -> tuple[np.ndarray, bool]:
    val, q = _value(x, unit, name)
    if val.ndim == 0 or val.shape[-1] != 3:
        raise ValueError(f"{name} must have shape (..., 3), got shape {val.shape}")
    return val, q


def _first_bad(values: np.ndarray, bad: np.ndarray) -> str:
    """Describe the first offending entry of an array (value and index)."""
    values = np.asarray(values)
    bad = np.broadcast_to(bad, values.shape)
    idx = tuple(int(i) for i in np.argwhere(bad)[0]) if values.ndim else ()
    v = values[idx] if idx else values[()]
    where = f" at index {idx}" if values.ndim and values.size > 1 else ""
    return f"{float(v)!r}{where}"


def _check_radius(r: np.ndarray, name: str) -> np.ndarray:
    n = np.linalg.norm(r, axis=-1)
    bad = ~(n > 0) | ~np.isfinite(n)
    if np.any(bad):
        idx = tuple(int(i) for i in np.argwhere(np.atleast_1d(bad))[0]) if n.ndim else ()
        vec = r[idx] if idx else r
        where = f" at index {idx}" if n.ndim else ""
        raise ValueError(
            f"{name} must be a finite, non-zero position vector (km), got {vec.tolist()}{where}"
        )
    return n


def _rows(x: np.ndarray, lead: tuple[int, ...], *item: int) -> np.ndarray:
    """``x`` broadcast to ``lead + item`` as kernel rows: one shared row, or all of them.

    A value every row shares (a scalar mu or tof, one departure position) stays
    a single row and the kernel reuses it, instead of being copied n times.
    """
    size = int(np.prod(x.shape[: x.ndim - len(item)], dtype=np.int64))
    if size == 1:
        return x.reshape((1,) + item)
    if x.shape[: x.ndim - len(item)] == lead:
        return x.reshape((-1,) + item)
    return np.broadcast_to(x, lead + item).reshape((-1,) + item)


def _shape_back(flat: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    out = flat.reshape(shape + (3,))
    return out


# ---------------------------------------------------------------------------
# Lambert
# ---------------------------------------------------------------------------


def lambert(
    mu: Any,
    r1: Any,
    r2: Any,
    tof: Any,
    revolutions: int = 0,
    prograde: bool = True,
    low_path: bool = True,
    *,
    on_failure: str = "raise",
) -> tuple[Any, Any]:
    """Velocities ``(v1, v2)`` of the conic from ``r1`` to ``r2`` in time ``tof``.

    Izzo's solver (2015). ``r1``, ``r2`` are ``(..., 3)`` positions; ``tof`` and
    ``mu`` broadcast against their leading shape. Plain numbers are km, s and
    km^3/s^2 and the result is km/s arrays; astropy quantities in give
    quantities out. ``mu`` may also be a boinor body (``boinor.bodies.Sun``).

    ``revolutions`` full turns before arrival (each has two solutions: pick
    with ``low_path``); ``prograde=False`` gives the retrograde transfer
    (angular momentum with negative z).

    By default a problem without a solution raises ``ValueError`` naming it
    (non-positive tof, zero radius, collinear positions, or a revolution count
    that needs more time than ``tof``). With ``on_failure="nan"`` such rows are
    NaN instead, which suits grids.

    Example (Curtis, Example 5.2)::

        >>> v1, v2 = lambert(398600.0, [5000, 10000, 2100], [-14600, 2500, 7000], 3600)
        >>> np.round(v2, 4)
        array([-3.3125, -4.1966, -0.3853])
    """
    if on_failure not in ("raise", "nan"):
        raise ValueError(f"on_failure must be 'raise' or 'nan', got {on_failure!r}")
    if int(revolutions) != revolutions or revolutions < 0:
        raise ValueError(f"revolutions must be a whole number >= 0, got {revolutions!r}")
    revolutions = int(revolutions)
    mu_v, q_mu = _mu_value(mu)
    r1_v, q1 = _vec(r1, _KM, "r1")
    r2_v, q2 = _vec(r2, _KM, "r2")
    tof_v, q_t = _value(tof, _S, "tof")
    quantity_out = q_mu or q1 or q2 or q_t

    try:
        lead = np.broadcast_shapes(r1_v.shape[:-1], r2_v.shape[:-1], tof_v.shape, mu_v.shape)
    except ValueError:
        raise ValueError(
            f"cannot broadcast r1 {r1_v.shape}, r2 {r2_v.shape}, tof {tof_v.shape} "
            f"and mu {mu_v.shape} together"
        ) from None
    r1_b = _rows(r1_v, lead, 3)
    r2_b = _rows(r2_v, lead, 3)
    tof_b = _rows(tof_v, lead)
    mu_b = _rows(mu_v, lead)

    v1, v2, n_failed = _lambert.lambert_batch_counted(
        mu_b, r1_b, r2_b, tof_b, revolutions, prograde, low_path
    )
    if on_failure == "raise" and n_failed:
        mu_b, r1_b, r2_b, tof_b = (
            np.broadcast_to(mu_b, v1.shape[:1]),
            np.broadcast_to(r1_b, v1.shape),
            np.broadcast_to(r2_b, v1.shape),
            np.broadcast_to(tof_b, v1.shape[:1]),
        )
        # the kernel marks every unsolvable row with NaN; only those are diagnosed,
        # so validation costs nothing on the happy path
        failed = np.isnan(v1[:, 0]) | np.isnan(v2[:, 0])
        if np.any(failed):
            rows = np.flatnonzero(failed)
            _check_lambert_inputs(mu_b[rows], r1_b[rows], r2_b[rows], tof_b[rows], lead, rows)
            _raise_lambert_failure(mu_b, r1_b, r2_b, tof_b, failed, lead, revolutions, prograde)
    v1 = _shape_back(v1, lead)
    v2 = _shape_back(v2, lead)
    if quantity_out:
        return v1 << _KMS, v2 << _KMS
    return v1, v2


def _where(flat_index: int, lead: tuple[int, ...]) -> str:
    if not lead or int(np.prod(lead)) == 1:
        return ""
    return f" at index {tuple(int(i) for i in np.unravel_index(flat_index, lead))}"


def _check_lambert_inputs(mu, r1, r2, tof, lead, rows) -> None:
    """Raise for the first bad row among ``rows`` (flat indices of the broadcast input)."""
    bad = ~(tof > 0) | ~np.isfinite(tof)
    if np.any(bad):
        i = int(np.argmax(bad))
        raise ValueError(
            f"time of flight must be positive, got {float(tof[i])!r} s{_where(rows[i], lead)}; "
            "arrival must come after departure"
        )
    for name, r in (("r1", r1), ("r2", r2)):
        n = np.linalg.norm(r, axis=-1)
        bad = ~(n > 0) | ~np.isfinite(n)
        if np.any(bad):
            i = int(np.argmax(bad))
            raise ValueError(
                f"{name} must be a finite, non-zero position (km), got {r[i].tolist()}"
                f"{_where(rows[i], lead)}"
            )
    n1 = np.linalg.norm(r1, axis=-1)
    n2 = np.linalg.norm(r2, axis=-1)
    sin_angle = np.linalg.norm(np.cross(r1, r2), axis=-1) / (n1 * n2)
    bad = ~(sin_angle > _lambert.COLLINEAR_SIN)
    if np.any(bad):
        i = int(np.argmax(bad))
        angle = np.degrees(np.arccos(np.clip(np.dot(r1[i], r2[i]) / (n1[i] * n2[i]), -1, 1)))
        raise ValueError(
            f"r1 and r2 are collinear (transfer angle {angle:.6f} deg){_where(rows[i], lead)}: the "
            "transfer plane is undefined for a 0 or 180 degree transfer; move one end point "
            "out of line (a different date) or split the transfer"
        )


def _raise_lambert_failure(mu, r1, r2, tof, failed, lead, revolutions, prograde) -> None:
    i = int(np.argmax(failed))
    if revolutions > 0:
        tmin = _lambert.lambert_min_tof_batch(mu[i], r1[i], r2[i], revolutions, prograde)[0]
        if tof[i] < tmin or not np.isfinite(tmin):
            raise ValueError(
                f"no {revolutions}-revolution solution for time of flight {float(tof[i])!r} s"
                f"{_where(i, lead)}: the shortest time of flight with {revolutions} "
                f"revolution(s) is {tmin:.6g} s ({tmin / 86400:.4g} days); "
                "lengthen tof or lower revolutions"
            )
    raise ValueError(
        f"Lambert solver did not converge for r1={r1[i].tolist()}, r2={r2[i].tolist()}, "
        f"tof={float(tof[i])!r} s, mu={float(mu[i])!r}{_where(i, lead)}"
    )


def lambert_min_tof(
    mu: Any, r1: Any, r2: Any, revolutions: int, prograde: bool = True
) -> np.ndarray | u.Quantity:
    """Shortest time of flight that admits a ``revolutions``-revolution Lambert solution.

    Zero for ``revolutions=0``. Returns seconds (a Quantity if any input was one).
    """
    mu_v, q_mu = _mu_value(mu)
    r1_v, q1 = _vec(r1, _KM, "r1")
    r2_v, q2 = _vec(r2, _KM, "r2")
    lead = np.broadcast_shapes(r1_v.shape[:-1], r2_v.shape[:-1], mu_v.shape)
    out = _lambert.lambert_min_tof_batch(
        np.broadcast_to(mu_v, lead).ravel(),
        np.broadcast_to(r1_v, lead + (3,)).reshape(-1, 3),
        np.broadcast_to(r2_v, lead + (3,)).reshape(-1, 3),
        int(revolutions),
        prograde,
    ).reshape(lead)
    out = out[()] if out.ndim == 0 else out
    return out << _S if (q_mu or q1 or q2) else out


# ---------------------------------------------------------------------------
# Kepler propagation
# ---------------------------------------------------------------------------


def propagate_kepler(mu: Any, r: Any, v: Any, dt: Any) -> tuple[Any, Any]:
    """Position and velocity after ``dt`` on the two-body orbit through ``(r, v)``.

    Universal-variable propagation, valid for ellipses, parabolas and
    hyperbolas and for either sign of ``dt``. ``r``, ``v`` are ``(..., 3)``;
    ``dt`` and ``mu`` broadcast against the leading shape (one state to many
    times, many states to one time, or row by row). Plain numbers are km,
    km/s, s and km^3/s^2; quantities (or an astropy ``TimeDelta`` for ``dt``)
    give quantities back.

    Example (Vallado, Example 2-4)::

        >>> r, v = propagate_kepler(398600.4418, [1131.340, -2282.343, 6672.423],
        ...                         [-5.64305, 4.30333, 2.42879], 40 * 60)
        >>> np.round(r, 3)
        array([-4219.753,  4363.029, -3958.767])
    """
    mu_v, q_mu = _mu_value(mu)
    r_v, q_r = _vec(r, _KM, "r")
    v_v, q_v = _vec(v, _KMS, "v")
    dt_v, q_t = _value(dt, _S, "dt")
    if np.any(~np.isfinite(dt_v)):
        raise ValueError(f"dt must be finite, got {_first_bad(dt_v, ~np.isfinite(dt_v))} s")
    try:
        lead = np.broadcast_shapes(r_v.shape[:-1], v_v.shape[:-1], dt_v.shape, mu_v.shape)
    except ValueError:
        raise ValueError(
            f"cannot broadcast r {r_v.shape}, v {v_v.shape}, dt {dt_v.shape} and mu "
            f"{mu_v.shape} together"
        ) from None
    r_b = np.broadcast_to(r_v, lead + (3,)).reshape(-1, 3)
    v_b = np.broadcast_to(v_v, lead + (3,)).reshape(-1, 3)
    r_out, v_out = _kepler.kepler_batch(
        np.broadcast_to(mu_v, lead).ravel(), r_b, v_b, np.broadcast_to(dt_v, lead).ravel()
    )
    failed = np.isnan(r_out[:, 0])
    if np.any(failed):  # the kernel returns NaN rows for a zero radius or NaN input
        _check_radius(r_b[failed], "r")
        raise ValueError("v must be finite (km/s)")
    r_out = _shape_back(r_out, lead)
    v_out = _shape_back(v_out, lead)
    if q_mu or q_r or q_v or q_t:
        return r_out << _KM, v_out << _KMS
    return r_out, v_out


# ---------------------------------------------------------------------------
# Elements
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OrbitalElements:
    """Classical (osculating) elements, scalars or arrays of one shape.

    ``a`` semi-major axis (negative for a hyperbola, infinite for a parabola),
    ``p`` semi-latus rectum, ``ecc`` eccentricity, angles ``inc``, ``raan``
    (right ascension of the ascending node), ``argp`` (argument of periapsis),
    ``nu`` (true anomaly) and ``mean_anomaly``. Plain numbers are km and rad;
    with ``units=True`` on construction from quantities, fields are quantities
    (km, deg).
    """

    a: Any
    ecc: Any
    inc: Any
    raan: Any
    argp: Any
    nu: Any
    p: Any
    mean_anomaly: Any

    def __repr__(self) -> str:
        def show(x: Any, unit: str) -> str:
            if isinstance(x, u.Quantity):
                unit = x.unit.to_string()
                return np.array2string(np.asarray(x.value), precision=6) + (
                    f" {unit}" if unit else ""
                )
            return np.array2string(np.asarray(x), precision=6) + (f" {unit}" if unit else "")

        deg = "rad"
        return (
            "OrbitalElements(\n"
            f"  a={show(self.a, 'km')}, ecc={show(self.ecc, '')},\n"
            f"  inc={show(self.inc, deg)}, raan={show(self.raan, deg)}, "
            f"argp={show(self.argp, deg)},\n"
            f"  nu={show(self.nu, deg)}, mean_anomaly={show(self.mean_anomaly, deg)},\n"
            f"  p={show(self.p, 'km')})"
        )


def _angle(x: Any, name: str) -> tuple[np.ndarray, bool]:
    return _value(x, _RAD, name)


def elements_to_state(
    mu: Any,
    a: Any = None,
    ecc: Any = 0.0,
    inc: Any = 0.0,
    raan: Any = 0.0,
    argp: Any = 0.0,
    nu: Any = 0.0,
    *,
    p: Any = None,
) -> tuple[Any, Any]:
    """Cartesian ``(r, v)`` from classical elements; arrays broadcast, result ``(..., 3)``.

    Give the size as the semi-major axis ``a`` (km; negative for a hyperbola)
    or, for any conic including the parabola, as the semi-latus rectum ``p=``.
    Plain angles are radians; quantities may be in degrees and give quantities
    back.

    >>> r, v = elements_to_state(398600.4418, 7000.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    >>> r
    array([7000.,    0.,    0.])
    """
    mu_v, q_mu = _mu_value(mu)
    ecc_v, _ = _value(ecc, u.one, "ecc")
    if np.any(~(ecc_v >= 0)):
        raise ValueError(f"eccentricity must be >= 0, got {_first_bad(ecc_v, ~(ecc_v >= 0))}")
    if (a is None) == (p is None):
        raise ValueError("give exactly one of a (semi-major axis) or p (semi-latus rectum)")
    if p is not None:
        p_v, q_size = _value(p, _KM, "p")
        if np.any(~(p_v > 0)):
            raise ValueError(
                f"semi-latus rectum p must be positive (km), got {_first_bad(p_v, ~(p_v > 0))}"
            )
    else:
        a_v, q_size = _value(a, _KM, "a")
        a_b, e_b = np.broadcast_arrays(a_v, ecc_v)
        ok = np.where(e_b < 1, a_b > 0, a_b < 0)
        if np.any(e_b == 1):
            raise ValueError("a parabola (ecc == 1) has no finite semi-major axis: pass p= instead")
        if np.any(~ok):
            raise ValueError(
                f"semi-major axis {_first_bad(a_b, ~ok)} km does not fit the eccentricity: "
                "a > 0 for ecc < 1 and a < 0 for a hyperbola (ecc > 1)"
            )
        p_v = a_b * (1.0 - e_b * e_b)
    angles = [_angle(x, n) for x, n in ((inc, "inc"), (raan, "raan"), (argp, "argp"), (nu, "nu"))]
    q_any = q_mu or q_size or any(q for _, q in angles)
    arrays = np.broadcast_arrays(mu_v, p_v, ecc_v, *(x for x, _ in angles))
    lead = arrays[0].shape
    ecc_b, nu_b = arrays[2], arrays[6]
    hyper = ecc_b > 1
    if np.any(hyper):
        nu_lim = np.arccos(-1.0 / ecc_b[hyper])
        nu_w = np.abs(np.remainder(nu_b[hyper] + np.pi, 2 * np.pi) - np.pi)
        if np.any(nu_w >= nu_lim):
            raise ValueError(
                "true anomaly is beyond the asymptote of the hyperbola: |nu| must stay below "
                f"arccos(-1/ecc) = {np.degrees(nu_lim.min()):.4f} deg"
            )
    r, v = _kepler.coe2rv_batch(*(x.ravel() for x in arrays))
    r = _shape_back(r, lead)
    v = _shape_back(v, lead)
    if q_any:
        return r << _KM, v << _KMS
    return r, v


def state_to_elements(mu: Any, r: Any, v: Any) -> OrbitalElements:
    """Classical elements of the orbit through ``(r, v)`` (arrays ``(..., 3)`` allowed).

    Returns :class:`OrbitalElements`. Undefined angles are zero: ``raan`` for an
    equatorial orbit (``argp`` is then measured from the x axis), ``argp`` for a
    circular one (``nu`` is then the argument of latitude). Quantities in give
    km and degrees out.
    """
    mu_v, q_mu = _mu_value(mu)
    r_v, q_r = _vec(r, _KM, "r")
    v_v, q_v = _vec(v, _KMS, "v")
    lead = np.broadcast_shapes(r_v.shape[:-1], v_v.shape[:-1], mu_v.shape)
    r_b = np.broadcast_to(r_v, lead + (3,)).reshape(-1, 3)
    v_b = np.broadcast_to(v_v, lead + (3,)).reshape(-1, 3)
    _check_radius(r_b, "r")
    mu_b = np.broadcast_to(mu_v, lead).ravel()
    p, ecc, inc, raan, argp, nu = _kepler.rv2coe_batch(mu_b, r_b, v_b)
    with np.errstate(divide="ignore"):
        a = np.where(ecc == 1.0, np.inf, p / (1.0 - ecc * ecc))
    m = _kepler.true_to_mean_batch(nu, ecc)

    def shaped(x: np.ndarray) -> Any:
        x = x.reshape(lead)
        return x[()] if x.ndim == 0 else x

    fields = {
        "a": shaped(a),
        "ecc": shaped(ecc),
        "inc": shaped(inc),
        "raan": shaped(raan),
        "argp": shaped(argp),
        "nu": shaped(nu),
        "p": shaped(p),
        "mean_anomaly": shaped(m),
    }
    if q_mu or q_r or q_v:
        for k in ("a", "p"):
            fields[k] = fields[k] << _KM
        for k in ("inc", "raan", "argp", "nu", "mean_anomaly"):
            fields[k] = (fields[k] << _RAD).to(u.deg)
        fields["ecc"] = fields["ecc"] << u.one
    return OrbitalElements(**fields)


# ---------------------------------------------------------------------------
# boinor (poliastro / hapsira) interop
# ---------------------------------------------------------------------------


class OrbitState(NamedTuple):
    """A two-body state in kamo's kernel units, read from an ``Orbit``.

    ``r`` (km), ``v`` (km/s), ``et`` (TDB seconds past J2000), ``mu``
    (km^3/s^2), ``attractor`` (the body's name) and ``plane`` (the reference
    plane's name as the Orbit gives it, or None).
    """

    r: np.ndarray
    v: np.ndarray
    et: float
    mu: float
    attractor: str
    plane: str | None


def _boinor_body(attractor: Any) -> Any:
    from boinor import bodies

    if not isinstance(attractor, str):
        return attractor
    name = attractor.strip().lower()
    for body in vars(bodies).values():
        if isinstance(body, bodies.Body) and body.name.lower() == name:
            return body
    known = sorted(
        b.name.lower() for b in vars(bodies).values() if isinstance(b, bodies.SolarSystemPlanet)
    )
    raise ValueError(f"unknown attractor {attractor!r}; use one of {', '.join(['sun'] + known)}")


def to_orbit(r: Any, v: Any, epoch: Any, attractor: Any = "sun", *, frame: str | None = None):
    """A ``boinor.twobody.Orbit`` for the state ``(r, v)`` at ``epoch`` about ``attractor``.

    ``r`` km and ``v`` km/s (or quantities); ``epoch`` anything
    :func:`orbits.time.to_et` takes (astropy ``Time``, ISO string, ET float);
    ``attractor`` a boinor body or its name ("sun", "earth", ...). ``frame`` is
    "ECLIPJ2000" (boinor's ``Planes.EARTH_ECLIPTIC``) or "J2000"
    (``Planes.EARTH_EQUATOR``); by default ecliptic about the Sun (as
    :func:`orbits.state` gives heliocentric states) and equatorial otherwise.
    """
    from boinor.frames import Planes
    from boinor.twobody import Orbit

    from orbits.time import et_to_time, to_et

    body = _boinor_body(attractor)
    if frame is None:
        frame = "ECLIPJ2000" if body.name.lower() == "sun" else "J2000"
    planes = {"ECLIPJ2000": Planes.EARTH_ECLIPTIC, "J2000": Planes.EARTH_EQUATOR}
    if frame.upper() not in planes:
        raise ValueError(f"frame must be 'ECLIPJ2000' or 'J2000', got {frame!r}")
    r_v, _ = _vec(r, _KM, "r")
    v_v, _ = _vec(v, _KMS, "v")
    if r_v.shape != (3,) or v_v.shape != (3,):
        raise ValueError(f"to_orbit takes one state: r and v of shape (3,), got {r_v.shape}")
    _check_radius(r_v, "r")
    et = to_et(epoch)
    if np.ndim(et) != 0:
        raise ValueError("to_orbit takes a single epoch")
    return Orbit.from_vectors(
        body, r_v << _KM, v_v << _KMS, epoch=et_to_time(et), plane=planes[frame.upper()]
    )


def from_orbit(orbit: Any) -> OrbitState:
    """Read a boinor (or poliastro/hapsira) ``Orbit`` into kamo's units.

    Uses only the attributes the three libraries share: ``r``, ``v``, ``epoch``
    and ``attractor`` (whose ``k`` is the gravitational parameter).
    """
    from orbits.time import to_et

    try:
        r = np.asarray(orbit.r.to_value(_KM), dtype=float)
        v = np.asarray(orbit.v.to_value(_KMS), dtype=float)
        body = orbit.attractor
        mu = float(body.k.to_value(_MU))
        epoch = orbit.epoch
    except AttributeError as exc:
        raise ValueError(
            f"expected a boinor/poliastro/hapsira Orbit with r, v, epoch and attractor, got "
            f"{type(orbit).__name__} ({exc})"
        ) from None
    plane = getattr(orbit, "plane", None)
    return OrbitState(
        r=r,
        v=v,
        et=float(to_et(epoch)),
        mu=mu,
        attractor=str(getattr(body, "name", body)),
        plane=getattr(plane, "name", None if plane is None else str(plane)),
    )
