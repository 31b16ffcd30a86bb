"""The mission's target bodies, kept as TOML data with sources and loaded as ``SmallBody``.

``missions/data/targets/*.toml`` holds one file per body: its name and aliases,
osculating heliocentric ecliptic-J2000 elements at an epoch (Julian date, TDB),
physical data, and where each number comes from. :func:`register_targets` loads them
all and registers them with :mod:`orbits`, after which ``orbits.state("kamooalewa",
...)`` and ``kamo porkchop earth kamooalewa ...`` work.

>>> from missions.targets import target
>>> target("kamooalewa").a_au
1.00094
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

from orbits.constants import DAY_S
from orbits.smallbody import SmallBody, register_small_body
from orbits.time import J2000_JD

__all__ = ["TARGETS_DIR", "load_target", "register_targets", "target", "target_names"]

#: Where the target files live.
TARGETS_DIR = Path(__file__).resolve().parent / "data" / "targets"

_ELEMENT_KEYS = ("a_au", "e", "i_deg", "raan_deg", "argp_deg", "M_deg", "epoch_jd_tdb")
_loaded: dict[str, SmallBody] = {}


def _number(table: dict[str, Any], key: str, where: str) -> float:
    if key not in table:
        raise ValueError(f"{where}: missing key {key!r}")
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{where}: key {key!r} must be a number, got {value!r}")
    return float(value)


def load_target(path: str | Path) -> SmallBody:
    """Read one target file into a :class:`orbits.smallbody.SmallBody` (not registered).

    Errors name the file and the bad key.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path.name}: not valid TOML ({exc})") from None
    body = data.get("body")
    elements = data.get("elements")
    if not isinstance(body, dict) or "name" not in body:
        raise ValueError(f"{path.name}: missing [body] table with a 'name' key")
    if not isinstance(elements, dict):
        raise ValueError(f"{path.name}: missing [elements] table")
    where = f"{path.name} [elements]"
    values = {key: _number(elements, key, where) for key in _ELEMENT_KEYS}
    if not elements.get("source"):
        raise ValueError(f"{where}: missing key 'source' (say where the elements come from)")
    physical = data.get("physical", {})
    radius = physical.get("radius_km", math.nan)
    gm = physical.get("gm_km3_s2", math.nan)
    epoch_et = (values.pop("epoch_jd_tdb") - J2000_JD) * DAY_S
    try:
        return SmallBody(
            name=str(body["name"]),
            epoch=epoch_et,
            gm=float(gm),
            radius=float(radius),
            aliases=tuple(str(a) for a in body.get("aliases", ())),
            source=str(elements["source"]),
            **values,
        )
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def register_targets(directory: str | Path | None = None) -> dict[str, SmallBody]:
    """Load every ``*.toml`` target file and register it with :mod:`orbits`; idempotent.

    Returns the bodies by name.
    """
    directory = Path(directory) if directory is not None else TARGETS_DIR
    if directory == TARGETS_DIR and _loaded:
        return dict(_loaded)
    bodies = {}
    for path in sorted(directory.glob("*.toml")):
        body = register_small_body(load_target(path))
        bodies[body.name] = body
    if directory == TARGETS_DIR:
        _loaded.update(bodies)
    return bodies


def target(name: str) -> SmallBody:
    """Return the registered mission target called ``name`` (or one of its aliases)."""
    from orbits.smallbody import get_small_body

    register_targets()
    body = get_small_body(name)
    if body is None:
        raise ValueError(f"unknown target {name!r}: known targets are {', '.join(target_names())}")
    return body


def target_names() -> list[str]:
    """Names of the mission targets shipped under ``missions/data/targets``."""
    return sorted(register_targets())
