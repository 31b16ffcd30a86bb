"""SPICE kernel management: one kernel pool per process, loaded on first use.

CSPICE keeps one global kernel pool per process and is not thread-safe. kamo
therefore

* loads its default kernels lazily with :func:`ensure_kernels` and remembers the
  process id that loaded them, so a forked or spawned worker (Dask, multiprocessing)
  loads them afresh instead of trusting state inherited from its parent;
* serialises SPICE calls with :data:`SPICE_LOCK` (a re-entrant lock) wherever
  threads exist;
* writes the leap-second kernel (LSK) itself from astropy's bundled leap-second
  table into :func:`cache_dir` (no download, ever);
* uses ``de421.bsp`` from the ``skyfield-data`` wheel as the default planetary
  ephemeris (1899-07-29 to 2053-10-09).

Users add kernels (DE440, a mission SPK) with :func:`furnish`; they are recorded
and furnished again in a fresh worker process.

>>> from orbits.spice import ensure_kernels
>>> kernels = ensure_kernels()   # idempotent; returns the loaded kernel paths
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from pathlib import Path

import spiceypy

__all__ = [
    "SPICE_LOCK",
    "cache_dir",
    "default_planetary_kernel",
    "ensure_kernels",
    "furnish",
    "loaded_kernels",
    "write_lsk",
]

#: Hold this around spiceypy calls made from threads: CSPICE is one global state.
SPICE_LOCK = threading.RLock()

_loaded_pid: int | None = None
_loaded: list[str] = []
_user_kernels: list[str] = []

_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


def cache_dir() -> Path:
    """Return kamo's cache directory (``$KAMO_CACHE_DIR`` or the platform's user cache), created."""
    override = os.environ.get("KAMO_CACHE_DIR")
    if override:
        path = Path(override).expanduser()
    else:
        import platformdirs

        path = Path(platformdirs.user_cache_dir("kamo", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_planetary_kernel() -> Path:
    """Return the path of ``de421.bsp`` inside the installed ``skyfield-data`` wheel."""
    spec = importlib.util.find_spec("skyfield_data")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "the skyfield-data package is not installed: `pip install skyfield-data` "
            "ships de421.bsp, kamo's default planetary ephemeris"
        )
    for location in spec.submodule_search_locations:
        path = Path(location) / "data" / "de421.bsp"
        if path.is_file():
            return path
    raise FileNotFoundError("de421.bsp not found inside the skyfield-data package")


def _lsk_text() -> str:
    """Text of a NAIF leap-second kernel built from the leap-second table bundled with astropy."""
    import erfa

    from orbits import time as _time  # noqa: F401  (configures astropy for offline IERS use)

    table = erfa.leap_seconds.get()
    rows = [
        f"{int(round(float(r['tai_utc']))):d}, @{int(r['year'])}-{_MONTHS[int(r['month']) - 1]}-1"
        for r in table
        if int(r["year"]) >= 1972
    ]
    delta_at = ("\n" + " " * 28).join(rows)
    return (
        "KPL/LSK\n\n"
        "Leap-second kernel written by kamo from the leap-second table that astropy/pyerfa\n"
        f"bundle (table expires {erfa.leap_seconds.expires}). The DELTET constants are those\n"
        "of the NAIF generic kernel naif0012.tls.\n\n"
        "\\begindata\n\n"
        "DELTET/DELTA_T_A       =   32.184\n"
        "DELTET/K               =    1.657D-3\n"
        "DELTET/EB              =    1.671D-2\n"
        "DELTET/M               = (  6.239996D0   1.99096871D-7 )\n\n"
        f"DELTET/DELTA_AT        = ( {delta_at} )\n\n"
        "\\begintext\n"
    )


def write_lsk(directory: Path | None = None) -> Path:
    """Write the leap-second kernel into ``directory`` (default :func:`cache_dir`) and return its path.

    The file name carries a hash of its content, so a newer astropy table gives a new
    file and concurrent writers never see a half-written kernel.
    """
    text = _lsk_text()
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    directory = Path(directory) if directory is not None else cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"kamo_leapseconds_{digest}.tls"
    if not path.is_file():
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(text)
        os.replace(tmp, path)
    return path


def ensure_kernels() -> list[str]:
    """Load kamo's default kernels into this process's pool once, and return the loaded paths.

    Idempotent within a process. In a forked child the inherited pool is cleared
    and, as in a spawned process, the default kernels plus every kernel given to
    :func:`furnish` are loaded afresh. Kernels furnished directly with spiceypy
    before the first call stay loaded (kamo's are added on top).
    """
    global _loaded_pid
    pid = os.getpid()
    if _loaded_pid == pid:
        return list(_loaded)
    with SPICE_LOCK:
        if _loaded_pid == pid:
            return list(_loaded)
        if _loaded_pid is not None:
            # a forked child: the inherited pool shares file handles with the parent
            spiceypy.kclear()
        _loaded.clear()
        for path in [str(write_lsk()), str(default_planetary_kernel()), *_user_kernels]:
            spiceypy.furnsh(path)
            _loaded.append(path)
        _loaded_pid = pid
    return list(_loaded)


def furnish(path: str | os.PathLike) -> Path:
    """Load a user kernel (e.g. ``de440.bsp`` or a mission SPK) on top of the defaults.

    Later kernels take precedence over earlier ones for the bodies they cover.
    The path is remembered so that worker processes load it too.
    """
    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise FileNotFoundError(f"kernel file not found: {path}")
    ensure_kernels()
    with SPICE_LOCK:
        spiceypy.furnsh(str(path))
        if str(path) not in _user_kernels:
            _user_kernels.append(str(path))
        _loaded.append(str(path))
    return path


def loaded_kernels() -> list[str]:
    """Return the kernels loaded by kamo in this process (loading the defaults if needed)."""
    return ensure_kernels()
