"""Write SPICE SPK files (type 13, Hermite) for targets and spacecraft, and check them.

Anything kamo propagates can be handed to every SPICE user (porkchops, station
contacts, other teams' tools) as an SPK: :func:`write_spk` takes epochs and
states (km, km/s, ET seconds) and writes one type-13 segment per continuous
arc with spiceypy's ``spkopn``/``spkw13``/``spkcls``, plus a comment area that
says what made the file. :func:`spk_sample` picks the epochs from a heyoka
propagation (every Taylor step, subdivided), so sampling follows the dynamics:
dense near a flyby, sparse in cruise. :func:`readback_error_km` reads the file
back through ``spkezr`` and reports the interpolation error against the
propagator's dense output.

Files are written to a temporary name and moved into place, so a reader never
sees half a kernel and concurrent writers of the same file do not collide.

>>> import numpy as np
>>> from orbits.spk import write_spk
>>> et = np.linspace(0.0, 86400.0, 5)
>>> states = np.column_stack([1.5e8 + 30.0 * et, 0 * et, 0 * et, 30.0 + 0 * et, 0 * et, 0 * et])
>>> path = write_spk("/tmp/kamo_doctest.bsp", -999, et, states)           # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
import os
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import spiceypy

from orbits.spice import SPICE_LOCK, ensure_kernels, furnish

__all__ = ["SPK_DEGREE", "readback_error_km", "spk_sample", "write_spk"]

#: Hermite polynomial degree of the segments written (odd; 4 states per window).
SPK_DEGREE = 7
_MAX_COMMENT_LINE = 1000


def _printable(text: str) -> str:
    """SPICE comment areas hold printable ASCII only: fold accents, replace the rest."""
    folded = unicodedata.normalize("NFKD", str(text))
    out = []
    for c in folded:
        if 32 <= ord(c) < 127:
            out.append(c)
        elif unicodedata.category(c) not in ("Mn", "Lm"):  # drop accents and the ʻokina
            out.append("?")
    return "".join(out)


def _rotation_to(frame_from: str, frame_to: str) -> np.ndarray:
    """6x6 state rotation between two inertial frames (constant in time)."""
    if frame_from == frame_to:
        return np.eye(6)
    with SPICE_LOCK:
        return np.asarray(spiceypy.sxform(frame_from, frame_to, 0.0))


def _segment_ranges(et: np.ndarray, breaks: Sequence[float]) -> list[tuple[int, int]]:
    """Inclusive index ranges of the segments to write.

    A repeated epoch (the state before and after an impulsive manoeuvre) ends one
    segment and starts the next; a break epoch inside the samples is shared by the
    two segments it separates.
    """
    jumps = np.flatnonzero(np.diff(et) == 0.0)
    starts = [0, *(jumps + 1).tolist()]
    stops = [*jumps.tolist(), et.size - 1]
    ranges = []
    for lo, hi in zip(starts, stops, strict=True):
        inner = sorted(
            {int(np.searchsorted(et[lo : hi + 1], b)) + lo for b in breaks if et[lo] < b < et[hi]}
        )
        cuts = [lo, *inner, hi]
        ranges += [(a, b) for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
    for a, b in ranges:
        if b - a < 1:
            raise ValueError(f"an SPK segment needs at least two states; ET {et[a]:.3f} has one")
    return ranges


def write_spk(
    path: str | os.PathLike,
    naif_id: int,
    et: Any,
    states: Any,
    *,
    center: int = 10,
    frame: str = "ECLIPJ2000",
    out_frame: str = "J2000",
    degree: int = SPK_DEGREE,
    breaks: Sequence[float] = (),
    segment_id: str | None = None,
    comments: Sequence[str] = (),
    load: bool = False,
) -> Path:
    """Write states of one body as an SPK type-13 (Hermite) file and return its path.

    Parameters
    ----------
    path : path
        Output file (replaced if it exists).
    naif_id : int
        NAIF id of the body (spacecraft negative, asteroids 2000000 + number).
    et, states : (n,) and (n, 6) arrays
        Increasing ET seconds and states in km, km/s relative to ``center`` in
        ``frame``. An epoch given twice (state before, then after an impulsive
        manoeuvre) splits the file into segments there.
    out_frame : str
        Frame the file is written in (J2000 by default, what every reader handles).
    degree : int
        Odd Hermite degree, 1..27.
    breaks : sequence of float
        ETs where the motion is not smooth (burn start/stop): a new segment begins
        there so no interpolation window straddles the break.
    comments : sequence of str
        Lines for the comment area (what made the file); kamo adds its own header.
    load : bool
        Furnish the file (through :func:`orbits.spice.furnish`) once written.
    """
    et = np.asarray(et, dtype=float).reshape(-1)
    states = np.asarray(states, dtype=float)
    if states.shape != (et.size, 6):
        raise ValueError(f"states must be (n, 6) to match {et.size} epochs, got {states.shape}")
    steps = np.diff(et)
    if et.size < 2 or np.any(steps < 0.0):
        raise ValueError("SPK epochs must be at least two and increasing")
    if np.any((steps[:-1] == 0.0) & (steps[1:] == 0.0)):
        raise ValueError("an epoch appears three times; give one state before and one after a jump")
    if not np.all(np.isfinite(states)):
        raise ValueError("SPK states must be finite (no NaN from a failed propagation)")
    if degree % 2 != 1 or not 1 <= degree <= 27:
        raise ValueError(f"Hermite degree must be odd and in 1..27, got {degree}")
    ensure_kernels()
    path = Path(path).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    rot = _rotation_to(frame, out_frame)
    states_out = states @ rot.T
    ranges = _segment_ranges(et, breaks)
    segid = (segment_id or f"kamo {naif_id}")[:40]
    header = [
        "SPK written by kamo (orbits.spk.write_spk)",
        f"  created {_dt.datetime.now(_dt.UTC).isoformat(timespec='seconds')}",
        f"  body {naif_id} relative to {center}, frame {out_frame}, SPK type 13 Hermite "
        f"degree {degree}",
        f"  {et.size} states from ET {et[0]:.3f} to {et[-1]:.3f}",
    ]
    lines = [_printable(ln)[:_MAX_COMMENT_LINE] for ln in [*header, *comments]]
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    if tmp.exists():
        tmp.unlink()
    with SPICE_LOCK:
        handle = spiceypy.spkopn(str(tmp), "kamo SPK", sum(len(x) + 1 for x in lines) + 1024)
        try:
            for lo, hi in ranges:
                n = hi - lo + 1
                deg = min(degree, 2 * n - 1)
                spiceypy.spkw13(
                    handle,
                    int(naif_id),
                    int(center),
                    out_frame,
                    float(et[lo]),
                    float(et[hi]),
                    segid,
                    deg,
                    n,
                    states_out[lo : hi + 1],
                    et[lo : hi + 1],
                )
            spiceypy.dafac(handle, lines)
        finally:
            spiceypy.spkcls(handle)
    os.replace(tmp, path)
    if load:
        furnish(path)
    return path


def spk_sample(
    result: Any,
    per_step: int = 4,
    max_spacing_s: float = 2 * 86400.0,
    breaks: Sequence[float] = (),
):
    """Epochs and states for an SPK from a dense :class:`orbits.nbody.NBodyResult`.

    The spacing follows heyoka's step sizes (``per_step`` samples per step, at most
    ``max_spacing_s``), smoothed so that neighbouring gaps differ by at most a
    factor of two: a step cut short at a fit-segment edge must not leave a
    cluster of samples next to wide gaps, which Hermite windows interpolate badly.
    Each arc between ``breaks`` (burn edges) is sampled on its own and its ends
    are samples. Returns ``(et, states)`` sorted by time.
    """
    steps = np.unique(np.asarray(result.step_et, dtype=float))
    if steps.size < 2:
        raise ValueError("the propagation has fewer than two step epochs to sample")
    lengths = np.diff(steps)
    padded = np.concatenate([lengths[:1], lengths, lengths[-1:]])
    h = np.maximum(np.maximum(padded[:-2], padded[1:-1]), padded[2:]) / per_step
    h = np.minimum(h, max_spacing_s)
    for i in range(1, h.size):
        h[i] = min(h[i], 2.0 * h[i - 1])
    for i in range(h.size - 2, -1, -1):
        h[i] = min(h[i], 2.0 * h[i + 1])

    def spacing(t: float) -> float:
        return float(h[min(max(int(np.searchsorted(steps, t, side="right")) - 1, 0), h.size - 1)])

    ends = sorted({steps[0], steps[-1], *[b for b in breaks if steps[0] < b < steps[-1]]})
    out: list[float] = []
    for a, b in zip(ends[:-1], ends[1:], strict=True):
        t = a
        arc = [a]
        while True:
            dt = spacing(t)
            if t + 1.5 * dt >= b:
                break
            t += dt
            arc.append(t)
        if len(arc) < per_step:  # a short arc (a burn) still gets a full Hermite window
            arc = list(a + (b - a) * np.arange(per_step) / per_step)
        if out:
            arc = arc[1:]
        out += arc + [b]
    et = np.array(out)
    return et, result.dense(et)


def readback_error_km(
    path: str | os.PathLike,
    naif_id: int,
    et: Any,
    states: Any,
    *,
    center: int = 10,
    frame: str = "ECLIPJ2000",
) -> tuple[float, float]:
    """Largest position (km) and velocity (km/s) difference between an SPK and given states.

    Loads ``path`` only for the check (and unloads it again).
    """
    et = np.asarray(et, dtype=float).reshape(-1)
    states = np.asarray(states, dtype=float).reshape(et.size, 6)
    ensure_kernels()
    got = np.empty_like(states)
    path = str(Path(path).expanduser().resolve())
    with SPICE_LOCK:
        loaded = {spiceypy.kdata(i, "SPK")[0] for i in range(spiceypy.ktotal("SPK"))}
        temporary = path not in loaded
        if temporary:
            spiceypy.furnsh(path)
        try:
            for i, t in enumerate(et):
                got[i] = spiceypy.spkezr(str(naif_id), float(t), frame, "NONE", str(center))[0]
        finally:
            if temporary:
                spiceypy.unload(path)
    diff = got - states
    return float(np.abs(np.linalg.norm(diff[:, :3], axis=1)).max()), float(
        np.linalg.norm(diff[:, 3:], axis=1).max()
    )
