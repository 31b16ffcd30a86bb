"""Ground stations as data: where the dishes are, how big, and how low they can look.

The built-in table (``ground/data/stations.toml``) holds China's deep-space
stations (Kashi, Jiamusi, Neuquén) and the three DSN complexes (with their 70 m
and one 34 m antenna each). Every row carries its source and how far to trust it.

>>> from ground.stations import get_stations
>>> [s.key for s in get_stations("kashi,jiamusi,neuquen")]
['kashi', 'jiamusi', 'neuquen']
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).parent / "data" / "stations.toml"

#: WGS-84 ellipsoid (NIMA TR8350.2): equatorial radius in km and flattening.
WGS84_A_KM = 6378.137
WGS84_F = 1.0 / 298.257223563

_ALIASES = {
    "dss14": "goldstone",
    "dss-14": "goldstone",
    "dss63": "madrid",
    "dss-63": "madrid",
    "dss43": "canberra",
    "dss-43": "canberra",
    "dss-24": "dss24",
    "dss-65": "dss65",
    "dss-34": "dss34",
    "kashgar": "kashi",
    "neuquén": "neuquen",
    "espacio_lejano": "neuquen",
}

_REQUIRED = {
    "name": str,
    "latitude_deg": float,
    "longitude_deg": float,
    "height_m": float,
    "antenna_diameter_m": float,
    "elevation_mask_deg": float,
}
_OPTIONAL = {
    "network": ("", str),
    "antenna_count": (1, int),
    "system_noise_temp_k": (40.0, float),
    "aperture_efficiency": (0.6, float),
    "confidence": ("", str),
    "source": ("", str),
}


@dataclass(frozen=True)
class GroundStation:
    """One ground antenna (or an array of equal antennas) at a geodetic WGS-84 position."""

    key: str
    name: str
    latitude_deg: float
    longitude_deg: float
    height_m: float
    antenna_diameter_m: float
    elevation_mask_deg: float
    network: str = ""
    antenna_count: int = 1
    system_noise_temp_k: float = 40.0
    aperture_efficiency: float = 0.6
    confidence: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if not -90.0 <= self.latitude_deg <= 90.0:
            raise ValueError(
                f"station {self.key!r}: latitude_deg must be in [-90, 90], got {self.latitude_deg}"
            )
        if not -180.0 <= self.longitude_deg <= 360.0:
            raise ValueError(
                f"station {self.key!r}: longitude_deg must be in [-180, 360], got {self.longitude_deg}"
            )
        if self.antenna_diameter_m <= 0:
            raise ValueError(
                f"station {self.key!r}: antenna_diameter_m must be positive, got {self.antenna_diameter_m}"
            )
        if not -5.0 <= self.elevation_mask_deg < 90.0:
            raise ValueError(
                f"station {self.key!r}: elevation_mask_deg must be in [-5, 90), got {self.elevation_mask_deg}"
            )
        if self.antenna_count < 1:
            raise ValueError(
                f"station {self.key!r}: antenna_count must be >= 1, got {self.antenna_count}"
            )
        if not 0.0 < self.aperture_efficiency <= 1.0:
            raise ValueError(
                f"station {self.key!r}: aperture_efficiency must be in (0, 1], got {self.aperture_efficiency}"
            )
        if self.system_noise_temp_k <= 0:
            raise ValueError(
                f"station {self.key!r}: system_noise_temp_k must be positive, got {self.system_noise_temp_k}"
            )

    def __repr__(self) -> str:
        array = f" x{self.antenna_count}" if self.antenna_count > 1 else ""
        return (
            f"GroundStation({self.key!r}, {self.latitude_deg:+.4f} deg, {self.longitude_deg:+.4f} deg, "
            f"{self.height_m:.0f} m, {self.antenna_diameter_m:g} m{array}, "
            f"mask {self.elevation_mask_deg:g} deg)"
        )

    def itrs_km(self) -> tuple[float, float, float]:
        """Earth-fixed (ITRS/WGS-84) Cartesian position in km."""
        return geodetic_to_ecef_km(self.latitude_deg, self.longitude_deg, self.height_m)

    def topos(self):
        """The station as a skyfield ``GeographicPosition`` (WGS-84)."""
        from skyfield.api import wgs84

        return wgs84.latlon(self.latitude_deg, self.longitude_deg, elevation_m=self.height_m)


def geodetic_to_ecef_km(
    lat_deg: float, lon_deg: float, height_m: float
) -> tuple[float, float, float]:
    """WGS-84 geodetic latitude, longitude, ellipsoidal height to Earth-fixed x, y, z in km."""
    lat = math.radians(lat_deg)
    lon = math.radians(lon_deg)
    e2 = WGS84_F * (2.0 - WGS84_F)
    n = WGS84_A_KM / math.sqrt(1.0 - e2 * math.sin(lat) ** 2)
    h = height_m / 1000.0
    return (
        (n + h) * math.cos(lat) * math.cos(lon),
        (n + h) * math.cos(lat) * math.sin(lon),
        (n * (1.0 - e2) + h) * math.sin(lat),
    )


def _parse_station(key: str, row: dict, origin: str) -> GroundStation:
    if not isinstance(row, dict):
        raise ValueError(f"{origin}: [{key}] must be a table of station fields")
    known = set(_REQUIRED) | set(_OPTIONAL)
    unknown = sorted(set(row) - known)
    if unknown:
        raise ValueError(
            f"{origin}: [{key}] has unknown key(s) {unknown}; known keys: {sorted(known)}"
        )
    values: dict = {"key": key}
    for name, kind in _REQUIRED.items():
        if name not in row:
            raise ValueError(f"{origin}: [{key}] is missing required key {name!r}")
        values[name] = _coerce(key, name, row[name], kind, origin)
    for name, (default, kind) in _OPTIONAL.items():
        values[name] = _coerce(key, name, row.get(name, default), kind, origin)
    return GroundStation(**values)


def _coerce(key: str, name: str, value, kind, origin: str):
    if kind is str:
        if not isinstance(value, str):
            raise ValueError(f"{origin}: [{key}] {name} must be a string, got {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{origin}: [{key}] {name} must be a number, got {value!r}")
    if kind is int and int(value) != value:
        raise ValueError(f"{origin}: [{key}] {name} must be an integer, got {value!r}")
    return kind(value)


def load_stations(path: str | Path | None = None) -> dict[str, GroundStation]:
    """Read a station table (TOML, one ``[key]`` table per station); the built-in one by default."""
    if path is None:
        return dict(_builtin())
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"station file not found: {path}")
    with path.open("rb") as fh:
        try:
            data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: not valid TOML ({exc})") from None
    return {key.lower(): _parse_station(key.lower(), row, str(path)) for key, row in data.items()}


@lru_cache(maxsize=1)
def _builtin() -> dict[str, GroundStation]:
    with _DATA.open("rb") as fh:
        data = tomllib.load(fh)
    return {key: _parse_station(key, row, "stations.toml") for key, row in data.items()}


def get_station(
    name: str | GroundStation, table: dict[str, GroundStation] | None = None
) -> GroundStation:
    """Look up one station by key or alias (case-insensitive): ``kashi``, ``dss14``, ``madrid``..."""
    if isinstance(name, GroundStation):
        return name
    table = _builtin() if table is None else table
    key = str(name).strip().lower()
    key = _ALIASES.get(key, key)
    if key not in table:
        raise ValueError(f"unknown ground station {name!r}; known stations: {', '.join(table)}")
    return table[key]


def get_stations(
    names: str | GroundStation | Iterable[str | GroundStation] | None = None,
    table: dict[str, GroundStation] | None = None,
) -> list[GroundStation]:
    """Stations from a comma-separated string or a list; all built-in ones when ``None``."""
    table = _builtin() if table is None else table
    if names is None:
        return list(table.values())
    if isinstance(names, str | GroundStation):
        names = [names] if isinstance(names, GroundStation) else names.split(",")
    result = [get_station(n, table) for n in names if not (isinstance(n, str) and not n.strip())]
    if not result:
        raise ValueError("no ground station given; pass e.g. 'kashi,jiamusi,neuquen'")
    return result
