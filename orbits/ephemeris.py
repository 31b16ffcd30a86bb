"""Positions and velocities of solar-system bodies from SPICE kernels and small-body elements.

The face :func:`state` takes what a notebook user has (a body name, a NAIF id or a
:class:`~orbits.smallbody.SmallBody`; epochs as ``Time``, ISO strings or arrays) and
returns :class:`StateVectors` with astropy quantities. The kernel :func:`state_et`
takes ET floats and returns a plain ``(..., 6)`` array in km and km/s.

Body names
----------
Names are SPICE names or NAIF ids ("earth", "mars", 399, "jupiter barycenter").
The default kernel DE421 holds the Sun, Mercury, Venus, Earth, Moon and Mars
bodies and the barycentres of all planet systems. When a planet's own body is not
in any loaded kernel (Jupiter 599 ... Pluto 999 in DE421), its system barycentre
(5 ... 9) is used instead: for heliocentric work the difference is tens to
thousands of km, small against interplanetary distances. Furnish a satellite
kernel to get the planet body itself. Registered small bodies (see
:func:`orbits.smallbody.register_small_body`) are found by name too.

>>> from orbits.ephemeris import state
>>> s = state("earth", ["2025-05-28", "2025-06-28"])
>>> s.r.shape
(2, 3)
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
import spiceypy
from astropy import units as u
from astropy.time import Time

from orbits.smallbody import SmallBody, get_small_body
from orbits.spice import SPICE_LOCK, ensure_kernels, loaded_kernels
from orbits.time import et_to_datetime64, et_to_iso, to_et, to_time

__all__ = ["StateVectors", "resolve_body", "state", "state_et", "body_label"]

_SUN = 10


@dataclass(frozen=True)
class _SpiceBody:
    naif_id: int
    label: str


_coverage_cache: tuple[tuple[str, ...], frozenset[int]] | None = None


def _covered_ids() -> frozenset[int]:
    """NAIF ids that some loaded SPK covers (cached per set of loaded kernels)."""
    global _coverage_cache
    kernels = tuple(loaded_kernels())
    if _coverage_cache is not None and _coverage_cache[0] == kernels:
        return _coverage_cache[1]
    ids: set[int] = set()
    with SPICE_LOCK:
        for path in kernels:
            if path.lower().endswith((".bsp", ".spk")):
                cell = spiceypy.spkobj(path)
                ids.update(int(cell[i]) for i in range(spiceypy.card(cell)))
                ids.add(0)  # the solar-system barycentre: the centre of planetary SPKs
    _coverage_cache = (kernels, frozenset(ids))
    return _coverage_cache[1]


def resolve_body(body: Any) -> SmallBody | _SpiceBody:
    """Turn a name, NAIF id or SmallBody into what :func:`state_et` computes with.

    Raises ``ValueError`` naming the body when it is unknown or not in any loaded kernel.
    """
    if isinstance(body, (SmallBody, _SpiceBody)):
        return body
    if isinstance(body, (bool, float)) or body is None:
        raise ValueError(f"unknown body {body!r}: give a name like 'earth' or a NAIF id like 399")
    if isinstance(body, str):
        small = get_small_body(body)
        if small is not None:
            # a loaded SPK for the same body (e.g. orbits.targets_ephemeris's n-body one)
            # wins over the two-body orbit, so every tool sees one ephemeris
            spk_body = _loaded_spk_body(body)
            return spk_body if spk_body is not None else small
        text = body.strip()
        if text.lstrip("-").isdigit():
            naif_id = int(text)
        else:
            try:
                with SPICE_LOCK:
                    code = spiceypy.bodn2c(text)
            except spiceypy.utils.exceptions.SpiceyError:
                raise ValueError(
                    f"unknown body {body!r}: use a SPICE name ('earth', 'mars', 'jupiter barycenter'), "
                    "a NAIF id (399), or the name of a registered small body"
                ) from None
            naif_id = int(code)
    elif isinstance(body, (int, np.integer)):
        naif_id = int(body)
    else:
        raise ValueError(f"unknown body {body!r} of type {type(body).__name__}")

    covered = _covered_ids()
    if naif_id not in covered and 100 < naif_id < 1000 and naif_id % 100 == 99:
        if naif_id // 100 in covered:
            naif_id = naif_id // 100
    if naif_id not in covered:
        raise ValueError(
            f"body {body!r} (NAIF id {naif_id}) is not in any loaded kernel; the default DE421 "
            "covers the Sun, planets (barycentres for Jupiter..Pluto), Moon and Mars: furnish "
            "a kernel with orbits.spice.furnish(path) for others"
        )
    with SPICE_LOCK:
        name = spiceypy.bodc2s(naif_id)
    return _SpiceBody(naif_id, name.lower())


def _loaded_spk_body(name: str) -> _SpiceBody | None:
    """The SPICE body that a loaded SPK covers under ``name``, or None."""
    ascii_name = "".join(
        c for c in unicodedata.normalize("NFKD", name) if c.isascii() and c not in "ʻ'`"
    ).strip()
    try:
        with SPICE_LOCK:
            code = spiceypy.bodn2c(ascii_name)
    except spiceypy.utils.exceptions.SpiceyError:
        return None
    if int(code) not in _covered_ids():
        return None
    with SPICE_LOCK:
        label = spiceypy.bodc2s(int(code))
    return _SpiceBody(int(code), label.lower())


def body_label(body: Any) -> str:
    """Readable name of ``body`` ("earth", "mars barycenter", "Kamoʻoalewa")."""
    resolved = resolve_body(body)
    return resolved.name if isinstance(resolved, SmallBody) else resolved.label


def _spkgeo_loop(naif_id: int, flat: np.ndarray, frame: str, center_id: int) -> np.ndarray | None:
    """Call CSPICE's spkgeo_c per epoch through ctypes with the arguments converted once.

    spiceypy's wrapper converts the frame string and checks errors on every call, which
    costs more than the lookup itself. Returns None when SPICE signalled an error (the
    caller then repeats through spiceypy to raise it properly).
    """
    import ctypes

    from spiceypy.utils import support_types as stypes
    from spiceypy.utils.libspicehelper import libspice

    out = np.empty((flat.size, 6))
    targ = ctypes.c_int(naif_id)
    ref = stypes.string_to_char_p(frame)
    obs = ctypes.c_int(center_id)
    buf = (ctypes.c_double * 6)()
    lt = ctypes.c_double()
    view = np.ctypeslib.as_array(buf)
    spkgeo = libspice.spkgeo_c
    for k in range(flat.size):
        spkgeo(targ, ctypes.c_double(flat[k]), ref, obs, buf, ctypes.byref(lt))
        out[k] = view
    if libspice.failed_c():
        libspice.reset_c()
        return None
    return out


def _spice_state(naif_id: int, et: np.ndarray, frame: str, center_id: int) -> np.ndarray:
    flat = np.ascontiguousarray(et, dtype=float).reshape(-1)
    ensure_kernels()
    with SPICE_LOCK:
        out = _spkgeo_loop(naif_id, flat, frame, center_id)
        if out is not None:
            return out.reshape(et.shape + (6,))
        out = np.empty((flat.size, 6))
        try:
            for k in range(flat.size):
                out[k] = spiceypy.spkgeo(naif_id, float(flat[k]), frame, center_id)[0]
        except spiceypy.utils.exceptions.SpiceyError as exc:
            bad = et_to_iso(float(flat[k]), precision=0)
            short = exc.short if hasattr(exc, "short") else ""
            if "SPKINSUFFDATA" in str(short) or "SPKINSUFFDATA" in str(exc):
                raise ValueError(
                    f"no ephemeris data for NAIF id {naif_id} relative to {center_id} at {bad} UTC: "
                    "the default DE421 covers 1899-07-29 to 2053-10-09; furnish a kernel that "
                    "covers this epoch"
                ) from None
            if "FRAME" in str(short).upper() or "frame" in str(exc).lower():
                raise ValueError(
                    f"unknown frame {frame!r}: use 'ECLIPJ2000', 'J2000' or another SPICE frame"
                ) from None
            raise
    return out.reshape(et.shape + (6,))


def _rotation(frame_from: str, frame_to: str) -> np.ndarray:
    """Constant rotation between two inertial frames (small bodies are computed in ECLIPJ2000)."""
    if frame_from.upper() == frame_to.upper():
        return np.eye(3)
    ensure_kernels()
    with SPICE_LOCK:
        code = spiceypy.namfrm(frame_to)
        inertial = bool(code) and spiceypy.frinfo(code)[1] == 1
        if not inertial:
            raise ValueError(
                f"frame {frame_to!r} is unknown or not inertial: states of small bodies are "
                "given in inertial frames such as 'ECLIPJ2000' or 'J2000'"
            )
        return np.asarray(spiceypy.pxform(frame_from, frame_to, 0.0))


def _heliocentric(body: SmallBody | _SpiceBody, et: np.ndarray, frame: str) -> np.ndarray:
    if isinstance(body, SmallBody):
        rv = body.state_et(et)
        rot = _rotation("ECLIPJ2000", frame)
        if rot is not None and not np.array_equal(rot, np.eye(3)):
            rv = np.concatenate([rv[..., :3] @ rot.T, rv[..., 3:] @ rot.T], axis=-1)
        return rv
    return _spice_state(body.naif_id, et, frame, _SUN)


def state_et(
    body: Any, et: float | np.ndarray, center: Any = "sun", frame: str = "ECLIPJ2000"
) -> np.ndarray:
    """State of ``body`` relative to ``center`` in ``frame`` at ET ``et``: array (..., 6), km and km/s.

    Kernel: ``et`` is TDB seconds past J2000 (float or array); bodies as in :func:`state`.
    """
    et = np.asarray(et, dtype=float)
    target = resolve_body(body)
    origin = resolve_body(center)
    if isinstance(target, _SpiceBody) and isinstance(origin, _SpiceBody):
        return _spice_state(target.naif_id, et, frame, origin.naif_id)
    out = _heliocentric(target, et, frame)
    if not (isinstance(origin, _SpiceBody) and origin.naif_id == _SUN):
        out = out - _heliocentric(origin, et, frame)
    return out


@dataclass(frozen=True, repr=False)
class StateVectors:
    """Positions and velocities of one body at one or many epochs.

    Attributes
    ----------
    body, center, frame : str
        What was computed, relative to what, in which SPICE frame.
    epochs : astropy.time.Time
        The epochs (same shape as the leading axes of ``r`` and ``v``).
    et : ndarray
        The same epochs as ET (TDB seconds past J2000).
    rv : ndarray
        Plain states (..., 6) in km and km/s.
    """

    body: str
    center: str
    frame: str
    epochs: Time
    et: np.ndarray
    rv: np.ndarray

    @property
    def r(self) -> u.Quantity:
        """Positions (..., 3) in km."""
        return self.rv[..., :3] * u.km

    @property
    def v(self) -> u.Quantity:
        """Velocities (..., 3) in km/s."""
        return self.rv[..., 3:] * (u.km / u.s)

    def __len__(self) -> int:
        return 1 if self.et.ndim == 0 else len(self.et)

    def to_dataset(self):
        """Return an ``xarray.Dataset`` over ``time`` with ``r`` and ``v`` (axis ``xyz``) and units."""
        import xarray as xr

        et = np.atleast_1d(self.et)
        rv = self.rv.reshape(-1, 6)
        return xr.Dataset(
            {
                "r": (("time", "xyz"), rv[:, :3], {"units": "km", "long_name": "position"}),
                "v": (("time", "xyz"), rv[:, 3:], {"units": "km/s", "long_name": "velocity"}),
                "et": (
                    ("time",),
                    et,
                    {"units": "s", "long_name": "ephemeris time (TDB seconds past J2000)"},
                ),
            },
            coords={"time": np.atleast_1d(et_to_datetime64(et)), "xyz": ["x", "y", "z"]},
            attrs={"body": self.body, "center": self.center, "frame": self.frame},
        )

    def __repr__(self) -> str:
        head = f"StateVectors({self.body} wrt {self.center}, {self.frame}"
        if self.et.ndim == 0:
            r, v = self.rv[:3], self.rv[3:]
            return (
                f"{head} at {et_to_iso(float(self.et), precision=0)} UTC:\n"
                f"  r = [{r[0]:.6e}, {r[1]:.6e}, {r[2]:.6e}] km  (|r| = {np.linalg.norm(r):.6e} km)\n"
                f"  v = [{v[0]:.6f}, {v[1]:.6f}, {v[2]:.6f}] km/s  (|v| = {np.linalg.norm(v):.6f} km/s))"
            )
        n = self.et.size
        first = et_to_iso(float(self.et.reshape(-1)[0]), precision=0)
        last = et_to_iso(float(self.et.reshape(-1)[-1]), precision=0)
        return f"{head}, {n} epochs from {first} to {last} UTC; .r in km, .v in km/s)"


def state(body: Any, epochs: Any, center: Any = "sun", frame: str = "ECLIPJ2000") -> StateVectors:
    """Position and velocity of ``body`` relative to ``center`` at ``epochs``.

    Parameters
    ----------
    body, center : str, int or SmallBody
        A SPICE name or NAIF id ("earth", 399, "mars"), or a (registered) small body.
    epochs : Time, str, datetime, datetime64, float or array of these
        Strings and datetimes are UTC; floats are ET (TDB seconds past J2000).
    frame : str
        An inertial SPICE frame: "ECLIPJ2000" (default) or "J2000" (EME2000/ICRF).

    Returns
    -------
    StateVectors
        ``.r`` and ``.v`` as quantities, ``.rv`` plain (..., 6), ``.to_dataset()`` for xarray.

    Examples
    --------
    >>> state("mars", "2020-07-30T11:50", center="earth").r.to("au")  # doctest: +SKIP
    """
    et = np.asarray(to_et(epochs), dtype=float)
    rv = state_et(body, et, center=center, frame=frame)
    return StateVectors(
        body=body_label(body),
        center=body_label(center),
        frame=frame,
        epochs=to_time(epochs) if not isinstance(epochs, (int, float)) else to_time(et),
        et=et,
        rv=rv,
    )
