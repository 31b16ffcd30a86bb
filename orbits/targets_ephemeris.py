"""One ephemeris per target: propagate a small body with the Sun and planets and write its SPK.

A :class:`orbits.smallbody.SmallBody` is a two-body orbit from osculating
elements; over a mission span of years the planets (the Earth above all, for a
quasi-satellite like Kamoʻoalewa) pull it thousands of kilometres away from that
conic. :func:`write_target_spk` propagates the elements' state from their epoch,
backwards and forwards, through :mod:`orbits.nbody` (Sun and eight planets from
DE421) and writes the result as an SPK into kamo's cache, so porkchops, station
contacts and any SPICE user read one consistent ephemeris by NAIF id.
:func:`compare_with_twobody` says how far the two ephemerides drift apart.

The cache file name carries a hash of the elements, the force model and the
span, so a changed element set gives a new file and an unchanged one is reused.

>>> from orbits.smallbody import SmallBody
>>> from orbits.targets_ephemeris import write_target_spk, compare_with_twobody
>>> body = SmallBody("469219 Kamoʻoalewa", a_au=1.00094, e=0.10269, i_deg=7.79605,
...                  raan_deg=65.7907, argp_deg=305.0478, M_deg=175.153,
...                  epoch="2024-03-31T00:00:00")                      # doctest: +SKIP
>>> eph = write_target_spk(body, "2025-01-01", "2028-01-01")            # doctest: +SKIP
>>> ds = compare_with_twobody(body, "2025-01-01", "2028-01-01")         # doctest: +SKIP
>>> float(ds["distance"].max())                                         # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import spiceypy

from orbits.nbody import ForceModel, propagate_et
from orbits.planets_fit import DEFAULT_BODIES
from orbits.spice import SPICE_LOCK, cache_dir, ensure_kernels, furnish
from orbits.spk import readback_error_km, spk_sample, write_spk

__all__ = ["TargetEphemeris", "compare_with_twobody", "target_naif_id", "write_target_spk"]

_FORMAT_TAG = "kamo-target-spk-v1"


@dataclass(frozen=True)
class TargetEphemeris:
    """An SPK of one target written by :func:`write_target_spk`."""

    name: str
    naif_id: int
    path: Path
    et_start: float
    et_stop: float
    bodies: tuple[str, ...]
    readback_error_km: float
    n_states: int

    def __repr__(self) -> str:
        from orbits.time import et_to_iso

        return (
            f"TargetEphemeris({self.name!r}, NAIF {self.naif_id}, "
            f"{et_to_iso(self.et_start, precision=0)} .. {et_to_iso(self.et_stop, precision=0)} UTC, "
            f"{self.n_states} states, perturbers {'+'.join(self.bodies) or 'none'}, "
            f"SPK read-back error {self.readback_error_km * 1e3:.3g} m, {self.path.name})"
        )


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if c.isascii() and c not in "ʻ'`")


def target_naif_id(body: Any) -> int:
    """NAIF id for a small body: its ``naif_id`` if it has one, else 2000000 + its number.

    A numbered asteroid (``"469219 Kamoʻoalewa"`` or an alias ``"469219"``) gets
    2000000 + number, the NAIF convention. Anything else needs an explicit id.
    """
    explicit = getattr(body, "naif_id", None)
    if explicit:
        return int(explicit)
    names = [str(getattr(body, "name", ""))] + [str(a) for a in getattr(body, "aliases", ())]
    for name in names:
        m = re.match(r"^\(?(\d+)\)?(\s|$)", name.strip())
        if m:
            return 2_000_000 + int(m.group(1))
    raise ValueError(
        f"cannot derive a NAIF id for {names[0]!r}: pass naif_id= (numbered asteroids use "
        "2000000 + number; pick an unused id such as 3000001 for others)"
    )


def _cache_path(body: Any, naif_id: int, et0: float, et1: float, bodies, tol) -> Path:
    elements = tuple(
        float(getattr(body, k))
        for k in ("a_au", "e", "i_deg", "raan_deg", "argp_deg", "M_deg", "epoch", "mu")
    )
    key = repr((_FORMAT_TAG, elements, naif_id, round(et0, 3), round(et1, 3), bodies, tol))
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    slug = re.sub(r"[^a-z0-9]+", "_", _ascii(str(body.name)).lower()).strip("_") or "target"
    directory = cache_dir() / "spk"
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"{slug}_{naif_id}_{digest}.bsp"


def _register_names(body: Any, naif_id: int) -> None:
    names = [str(body.name)] + [str(a) for a in getattr(body, "aliases", ())]
    with SPICE_LOCK:
        for name in names:
            clean = _ascii(name).strip().upper()
            if clean and not clean.isdigit() and len(clean) <= 36:
                spiceypy.boddef(clean, naif_id)


def _read_meta(path: Path) -> dict[str, str]:
    with SPICE_LOCK:
        handle = spiceypy.dafopr(str(path))
        try:
            _, lines, _ = spiceypy.dafec(handle, 200, 1000)
        finally:
            spiceypy.dafcls(handle)
    meta = {}
    for line in lines:
        if "=" in line and line.startswith("kamo."):
            k, v = line.split("=", 1)
            meta[k[5:].strip()] = v.strip()
    return meta


def _span(start: Any, stop: Any) -> tuple[float, float]:
    from orbits.time import to_et

    et0, et1 = float(to_et(start)), float(to_et(stop))
    if not et1 > et0:
        raise ValueError(f"the span must end after it starts, got {start!r} to {stop!r}")
    return et0, et1


def write_target_spk(
    body: Any,
    start: Any,
    stop: Any,
    *,
    naif_id: int | None = None,
    bodies: Sequence[str] = DEFAULT_BODIES,
    tol: float = 1e-10,
    load: bool = True,
    overwrite: bool = False,
) -> TargetEphemeris:
    """Propagate ``body`` from its elements through the Sun and planets; write (or reuse) its SPK.

    Parameters
    ----------
    body : SmallBody
        Target given by osculating heliocentric ecliptic elements at an epoch.
    start, stop : Time, ISO string (UTC) or ET float
        Span the SPK must cover (the element epoch may lie inside or outside it).
    naif_id : int, optional
        NAIF id to write under (default :func:`target_naif_id`).
    bodies, tol : force model (see :class:`orbits.nbody.ForceModel`).
    load : bool
        Furnish the SPK and register the body's name(s) with SPICE (``boddef``).
    overwrite : bool
        Re-propagate even if the cache already holds this SPK.
    """
    et0, et1 = _span(start, stop)
    naif = int(naif_id) if naif_id is not None else target_naif_id(body)
    force = ForceModel(tuple(bodies), tol)
    path = _cache_path(body, naif, et0, et1, force.bodies, force.tol)
    ensure_kernels()
    if path.is_file() and not overwrite:
        meta = _read_meta(path)
        if "readback_error_km" in meta:
            eph = TargetEphemeris(
                str(body.name),
                naif,
                path,
                et0,
                et1,
                force.bodies,
                float(meta["readback_error_km"]),
                int(meta.get("n_states", 0)),
            )
            _finish(body, eph, load)
            return eph
    epoch = float(body.epoch)
    y0 = np.asarray(body.state_et(epoch), dtype=float).reshape(6)
    arcs = []
    if et0 < epoch:
        arcs.append(propagate_et(y0, epoch, [min(et0, epoch)], force=force, dense=True))
    if et1 > epoch:
        arcs.append(propagate_et(y0, epoch, [max(et1, epoch)], force=force, dense=True))
    samples_et, samples = [], []
    for arc in arcs:
        et, st = spk_sample(arc)
        samples_et.append(et)
        samples.append(st)
    et = np.concatenate(samples_et)
    st = np.concatenate(samples)
    et, idx = np.unique(et, return_index=True)
    st = st[idx]
    # the interpolation check: halfway between samples, against the Taylor dense output
    mid = 0.5 * (et[1:] + et[:-1])
    truth = _dense_at(arcs, epoch, mid)
    comments = [
        f"Target {body!r}",
        f"Propagated by kamo orbits.nbody (heyoka Taylor, tol {force.tol:g}) from the element",
        f"epoch ET {epoch:.3f}; perturbers: Sun + {', '.join(force.bodies) or 'none'} "
        "(DE421 fits).",
    ]
    tmp_path = write_spk(
        path, naif, et, st, segment_id=_ascii(str(body.name))[:40], comments=comments
    )
    err_r, _ = readback_error_km(tmp_path, naif, mid, truth)
    # write again with the measured read-back error in the comment area
    comments += [f"kamo.readback_error_km = {err_r:.6e}", f"kamo.n_states = {et.size}"]
    write_spk(path, naif, et, st, segment_id=_ascii(str(body.name))[:40], comments=comments)
    eph = TargetEphemeris(str(body.name), naif, path, et0, et1, force.bodies, err_r, int(et.size))
    _finish(body, eph, load)
    return eph


def _dense_at(arcs, epoch: float, et: np.ndarray) -> np.ndarray:
    out = np.empty((et.size, 6))
    for arc in arcs:
        lo, hi = sorted((epoch, float(arc.et[0])))
        mask = (et >= lo) & (et <= hi)
        if mask.any():
            out[mask] = arc.dense(et[mask])
    return out


def _finish(body: Any, eph: TargetEphemeris, load: bool) -> None:
    if load:
        furnish(eph.path)
        _register_names(body, eph.naif_id)


def compare_with_twobody(
    body: Any,
    start: Any,
    stop: Any,
    *,
    step_days: float = 1.0,
    naif_id: int | None = None,
    bodies: Sequence[str] = DEFAULT_BODIES,
    tol: float = 1e-10,
):
    """How far the n-body ephemeris (the SPK) lies from the two-body conic over a span.

    Returns an xarray Dataset on ``time`` with the difference n-body minus two-body:
    ``delta_position`` (x, y, z, km), ``distance`` (km), ``radial``, ``along_track``
    and ``cross_track`` components (km, in the two-body orbit's frame) and
    ``delta_speed`` (km/s); the maxima are in the attributes.
    """
    import xarray as xr

    from orbits.time import et_to_datetime64

    et0, et1 = _span(start, stop)
    if not step_days > 0:
        raise ValueError(f"step_days must be positive, got {step_days}")
    eph = write_target_spk(body, et0, et1, naif_id=naif_id, bodies=bodies, tol=tol, load=True)
    et = np.arange(et0, et1, step_days * 86400.0)
    et = np.append(et, et1)
    nbody = np.empty((et.size, 6))
    with SPICE_LOCK:
        for i, t in enumerate(et):
            nbody[i] = spiceypy.spkezr(str(eph.naif_id), float(t), "ECLIPJ2000", "NONE", "10")[0]
    two = np.asarray(body.state_et(et), dtype=float)
    d = nbody - two
    r_hat = two[:, :3] / np.linalg.norm(two[:, :3], axis=1, keepdims=True)
    h = np.cross(two[:, :3], two[:, 3:])
    n_hat = h / np.linalg.norm(h, axis=1, keepdims=True)
    t_hat = np.cross(n_hat, r_hat)
    dist = np.linalg.norm(d[:, :3], axis=1)
    ds = xr.Dataset(
        {
            "delta_position": (
                ("time", "axis"),
                d[:, :3],
                {"units": "km", "long_name": "n-body minus two-body position (ecliptic J2000)"},
            ),
            "distance": (
                "time",
                dist,
                {"units": "km", "long_name": "distance between n-body and two-body positions"},
            ),
            "radial": (
                "time",
                np.einsum("ij,ij->i", d[:, :3], r_hat),
                {"units": "km", "long_name": "radial component of the difference"},
            ),
            "along_track": (
                "time",
                np.einsum("ij,ij->i", d[:, :3], t_hat),
                {"units": "km", "long_name": "along-track component of the difference"},
            ),
            "cross_track": (
                "time",
                np.einsum("ij,ij->i", d[:, :3], n_hat),
                {"units": "km", "long_name": "cross-track component of the difference"},
            ),
            "delta_speed": (
                "time",
                np.linalg.norm(d[:, 3:], axis=1),
                {"units": "km/s", "long_name": "magnitude of the velocity difference"},
            ),
        },
        coords={
            "time": ("time", et_to_datetime64(et), {"long_name": "epoch (UTC)"}),
            "et": ("time", et, {"units": "s", "long_name": "ephemeris time (TDB s past J2000)"}),
            "axis": ["x", "y", "z"],
        },
        attrs={
            "target": str(body.name),
            "naif_id": eph.naif_id,
            "spk": str(eph.path),
            "perturbers": ", ".join(eph.bodies),
            "max_distance_km": float(dist.max()),
            "spk_readback_error_km": eph.readback_error_km,
        },
    )
    return ds
