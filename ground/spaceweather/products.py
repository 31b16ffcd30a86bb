"""Parsers for NOAA SWPC's operational JSON products, in both their 2026 and legacy layouts.

Every parser takes the decoded JSON (``list``/``dict``) of one product and returns an
``xarray.Dataset`` with a ``time`` coordinate in UTC (``datetime64[ns]``, no zone; the
``timezone`` attribute says ``UTC``), sorted ascending, without duplicate times, and
variables that carry ``units`` and ``long_name``.

The parsers fail loudly when a product drifts: a missing column raises
:class:`ProductFormatError` naming the product and the column, so that a feed whose
layout changed is noticed instead of silently read as "quiet".

Traps handled here (see ``shared/reference/ground-formats.md`` section 8):

- array-of-arrays with a header row (legacy, strings) vs array of objects (2026, numbers),
  chosen by whether the first element is a list or a dict;
- RTSW files are newest first and mix spacecraft: only ``active`` rows count, gated on
  ``overall_quality == 0``;
- GOES files hold several records per time (bands, channels) whose order is not sorted;
  proton channels are matched by their exact string (``">=10 MeV"`` is not ``">=100 MeV"``);
- time tags with and without a ``Z``, with a ``T`` or a space;
- numbers as strings, ``null`` gaps and non-finite values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

__all__ = [
    "PRODUCTS",
    "Product",
    "ProductFormatError",
    "parse_alerts",
    "parse_integral_protons",
    "parse_kp",
    "parse_kp_1m",
    "parse_kp_forecast",
    "parse_legacy_mag",
    "parse_legacy_plasma",
    "parse_product",
    "parse_rtsw_mag",
    "parse_rtsw_wind",
    "parse_xrays",
    "PROTON_CHANNELS",
    "XRAY_BANDS",
]


class ProductFormatError(ValueError):
    """A product's JSON does not have the layout its parser expects (columns changed, wrong shape)."""


#: Integral proton channels exactly as GOES labels them (section 8.6).
PROTON_CHANNELS: tuple[str, ...] = (
    ">=1 MeV",
    ">=5 MeV",
    ">=10 MeV",
    ">=30 MeV",
    ">=50 MeV",
    ">=60 MeV",
    ">=100 MeV",
    ">=500 MeV",
)
#: GOES XRS bands: long (flare class, R scale) then short.
XRAY_BANDS: tuple[str, ...] = ("0.1-0.8nm", "0.05-0.4nm")

_FILL_VALUES = (-9999.0, -99999.0, -999.9)


# ---------------------------------------------------------------------------- helpers


def _utc_times(tags: Sequence[Any], product: str) -> np.ndarray:
    """Parse SWPC time tags (with/without ``Z``, ``T`` or space) into naive UTC datetime64[ns]."""
    cleaned = []
    for tag in tags:
        if not isinstance(tag, str):
            raise ProductFormatError(f"{product}: time tag {tag!r} is not a string")
        cleaned.append(tag.strip().replace(" ", "T").rstrip("Z"))
    try:
        times = pd.to_datetime(cleaned, format="ISO8601", utc=True)
    except (ValueError, TypeError) as exc:
        raise ProductFormatError(f"{product}: unreadable time tag ({exc})") from None
    return times.tz_convert(None).values.astype("datetime64[ns]")


def _number(value: Any) -> float:
    """Coerce a JSON value (number, numeric string, null) to float; gaps and non-finite become NaN."""
    if value is None or isinstance(value, bool):
        return math.nan
    if isinstance(value, (int, float)):
        x = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return math.nan
        try:
            x = float(text)
        except ValueError:
            return math.nan
    else:
        return math.nan
    if not math.isfinite(x) or x in _FILL_VALUES:
        return math.nan
    return x


def _rows_as_dicts(data: Any, product: str) -> tuple[list[dict[str, Any]], str]:
    """Return the rows as dicts and the layout name (``"objects"`` or ``"header-row"``)."""
    if not isinstance(data, list):
        raise ProductFormatError(
            f"{product}: expected a JSON array at the top level, got {type(data).__name__}"
        )
    if not data:
        return [], "objects"
    first = data[0]
    if isinstance(first, dict):
        if not all(isinstance(row, dict) for row in data):
            raise ProductFormatError(f"{product}: mixed rows (objects and non-objects)")
        return list(data), "objects"
    if isinstance(first, list):
        header = [str(h) for h in first]
        rows = []
        for i, row in enumerate(data[1:], start=1):
            if not isinstance(row, list) or len(row) != len(header):
                raise ProductFormatError(
                    f"{product}: row {i} has {len(row) if isinstance(row, list) else '?'} "
                    f"fields, the header has {len(header)}"
                )
            rows.append(dict(zip(header, row, strict=True)))
        return rows, "header-row"
    raise ProductFormatError(
        f"{product}: rows must be objects or arrays with a header row, got {type(first).__name__}"
    )


def _require(rows: list[dict[str, Any]], columns: Iterable[str], product: str) -> None:
    if not rows:
        return
    keys = set().union(*(row.keys() for row in rows[:5]))
    missing = [c for c in columns if c not in keys]
    if missing:
        raise ProductFormatError(
            f"{product}: column(s) {missing} missing; the product's layout changed "
            f"(columns present: {sorted(keys)})"
        )


def _finish(
    times: np.ndarray,
    variables: Mapping[str, tuple[np.ndarray, str, str]],
    product: str,
    layout: str,
    extra_dims: Mapping[str, Sequence[str]] | None = None,
    keep: str = "last",
) -> xr.Dataset:
    """Build the Dataset, sort ascending and drop duplicate times (``keep`` wins)."""
    data_vars = {}
    for name, (values, units, long_name) in variables.items():
        dims = ("time",) if values.ndim == 1 else ("time", *extra_dims)  # type: ignore[misc]
        data_vars[name] = xr.Variable(dims, values, {"units": units, "long_name": long_name})
    coords: dict[str, Any] = {"time": ("time", times, {"long_name": "UTC time", "timezone": "UTC"})}
    for dim, labels in (extra_dims or {}).items():
        coords[dim] = (dim, np.array(list(labels), dtype=object))
    ds = xr.Dataset(data_vars, coords=coords)
    ds.attrs.update({"product": product, "layout": layout, "source": "NOAA SWPC"})
    if ds.sizes["time"]:
        order = np.argsort(times, kind="stable")
        ds = ds.isel(time=order)
        dup = pd.Index(ds["time"].values).duplicated(keep=keep)
        if dup.any():
            ds = ds.isel(time=~dup)
    return ds


def _strings(values: Iterable[Any]) -> np.ndarray:
    return np.array(["" if v is None else str(v) for v in values], dtype=object)


# ---------------------------------------------------------------------------- Kp


def parse_kp(data: Any) -> xr.Dataset:
    """Planetary 3-hour Kp (``products/noaa-planetary-k-index.json``), either layout.

    ``time`` is the **start** of the 3-hour interval. Revised values for the same interval:
    the last row in the file wins.
    """
    product = "noaa-planetary-k-index"
    rows, layout = _rows_as_dicts(data, product)
    _require(rows, ["time_tag", "Kp"], product)
    times = _utc_times([r["time_tag"] for r in rows], product)
    kp = np.array([_number(r["Kp"]) for r in rows])
    if np.any((kp < 0) | (kp > 9)):
        bad = kp[(kp < 0) | (kp > 9)][0]
        raise ProductFormatError(f"{product}: Kp {bad} outside 0..9")
    return _finish(
        times,
        {
            "kp": (kp, "1", "planetary Kp index (thirds: 4.67 = 5-)"),
            "a_running": (
                np.array([_number(r.get("a_running")) for r in rows]),
                "2 nT",
                "3-hourly ap equivalent",
            ),
            "station_count": (
                np.array([_number(r.get("station_count")) for r in rows]),
                "1",
                "magnetometer stations used",
            ),
        },
        product,
        layout,
    )


def parse_kp_forecast(data: Any) -> xr.Dataset:
    """Kp 3-day forecast (``products/noaa-planetary-k-index-forecast.json``), either layout."""
    product = "noaa-planetary-k-index-forecast"
    rows, layout = _rows_as_dicts(data, product)
    _require(rows, ["time_tag", "kp", "observed"], product)
    times = _utc_times([r["time_tag"] for r in rows], product)
    return _finish(
        times,
        {
            "kp": (np.array([_number(r["kp"]) for r in rows]), "1", "planetary Kp index"),
            "observed": (
                _strings(r["observed"] for r in rows),
                "",
                "observed, estimated or predicted",
            ),
            "noaa_scale": (_strings(r.get("noaa_scale") for r in rows), "", "NOAA G scale"),
        },
        product,
        layout,
    )


_KP_LABEL = re.compile(r"^\s*(\d)([MZP])\s*$")


def _kp_label_value(label: Any) -> float:
    """``"1P"`` -> 1.33, ``"1M"`` -> 0.67, ``"0Z"`` -> 0.0 (section 8.3)."""
    if not isinstance(label, str):
        return math.nan
    m = _KP_LABEL.match(label)
    if not m:
        return math.nan
    return int(m.group(1)) + {"M": -1, "Z": 0, "P": 1}[m.group(2)] / 3.0


def parse_kp_1m(data: Any) -> xr.Dataset:
    """1-minute Kp estimate (``json/planetary_k_index_1m.json``)."""
    product = "planetary_k_index_1m"
    rows, layout = _rows_as_dicts(data, product)
    _require(rows, ["time_tag", "estimated_kp"], product)
    times = _utc_times([r["time_tag"] for r in rows], product)
    return _finish(
        times,
        {
            "estimated_kp": (
                np.array([_number(r["estimated_kp"]) for r in rows]),
                "1",
                "estimated Kp (thirds)",
            ),
            "kp_index": (
                np.array([_number(r.get("kp_index")) for r in rows]),
                "1",
                "estimated Kp, nearest integer",
            ),
            "kp_label_value": (
                np.array([_kp_label_value(r.get("kp")) for r in rows]),
                "1",
                "Kp from the label (digit + M/Z/P)",
            ),
        },
        product,
        layout,
    )


# ---------------------------------------------------------------------------- solar wind

_WIND_VARS = {
    "proton_speed": ("km/s", "solar-wind proton bulk speed"),
    "proton_density": ("cm-3", "solar-wind proton density"),
    "proton_temperature": ("K", "solar-wind proton temperature"),
}
_MAG_VARS = {
    "bt": ("nT", "IMF magnitude"),
    "bx_gsm": ("nT", "IMF Bx (GSM)"),
    "by_gsm": ("nT", "IMF By (GSM)"),
    "bz_gsm": ("nT", "IMF Bz (GSM)"),
    "theta_gsm": ("deg", "IMF latitude (GSM)"),
    "phi_gsm": ("deg", "IMF longitude (GSM)"),
}


def _rtsw(data: Any, product: str, spec: Mapping[str, tuple[str, str]]) -> xr.Dataset:
    rows, layout = _rows_as_dicts(data, product)
    if layout != "objects":
        raise ProductFormatError(f"{product}: expected an array of objects (RTSW layout)")
    _require(rows, ["time_tag", "active", "source", "overall_quality", *spec], product)
    active = [r for r in rows if r.get("active") is True]
    times = _utc_times([r["time_tag"] for r in active], product)
    quality = np.array([_number(r.get("overall_quality")) for r in active])
    good = quality == 0
    variables: dict[str, tuple[np.ndarray, str, str]] = {}
    for name, (units, long_name) in spec.items():
        values = np.array([_number(r.get(name)) for r in active])
        variables[name] = (np.where(good, values, np.nan), units, long_name)
    variables["source"] = (_strings(r.get("source") for r in active), "", "reporting spacecraft")
    variables["overall_quality"] = (quality, "1", "overall quality flag (0 = good)")
    return _finish(times, variables, product, layout)


def parse_rtsw_wind(data: Any) -> xr.Dataset:
    """Real-time solar-wind plasma (``json/rtsw/rtsw_wind_1m.json``): active rows only."""
    return _rtsw(data, "rtsw_wind_1m", _WIND_VARS)


def parse_rtsw_mag(data: Any) -> xr.Dataset:
    """Real-time IMF (``json/rtsw/rtsw_mag_1m.json``): active rows only."""
    return _rtsw(data, "rtsw_mag_1m", _MAG_VARS)


def _legacy(
    data: Any, product: str, mapping: Mapping[str, str], spec: Mapping[str, tuple[str, str]]
) -> xr.Dataset:
    rows, layout = _rows_as_dicts(data, product)
    if layout != "header-row":
        raise ProductFormatError(f"{product}: expected the legacy array-of-arrays layout")
    _require(rows, ["time_tag", *mapping], product)
    times = _utc_times([r["time_tag"] for r in rows], product)
    variables: dict[str, tuple[np.ndarray, str, str]] = {}
    for old, new in mapping.items():
        units, long_name = spec[new]
        variables[new] = (np.array([_number(r[old]) for r in rows]), units, long_name)
    variables["source"] = (np.array(["legacy"] * len(rows), dtype=object), "", "data source")
    return _finish(times, variables, product, layout)


def parse_legacy_plasma(data: Any) -> xr.Dataset:
    """Legacy ``products/solar-wind/plasma-*.json`` (removed 2026): renamed to the RTSW names."""
    mapping = {
        "density": "proton_density",
        "speed": "proton_speed",
        "temperature": "proton_temperature",
    }
    return _legacy(data, "solar-wind-plasma", mapping, _WIND_VARS)


def parse_legacy_mag(data: Any) -> xr.Dataset:
    """Legacy ``products/solar-wind/mag-*.json`` (removed 2026): renamed to the RTSW names."""
    mapping = {
        "bx_gsm": "bx_gsm",
        "by_gsm": "by_gsm",
        "bz_gsm": "bz_gsm",
        "lon_gsm": "phi_gsm",
        "lat_gsm": "theta_gsm",
        "bt": "bt",
    }
    return _legacy(data, "solar-wind-mag", mapping, _MAG_VARS)


def parse_solar_wind_plasma(data: Any) -> xr.Dataset:
    """Plasma from either the RTSW file or a legacy plasma file, chosen by layout."""
    rows_are_lists = isinstance(data, list) and data and isinstance(data[0], list)
    return parse_legacy_plasma(data) if rows_are_lists else parse_rtsw_wind(data)


def parse_solar_wind_mag(data: Any) -> xr.Dataset:
    """IMF from either the RTSW file or a legacy mag file, chosen by layout."""
    rows_are_lists = isinstance(data, list) and data and isinstance(data[0], list)
    return parse_legacy_mag(data) if rows_are_lists else parse_rtsw_mag(data)


# ---------------------------------------------------------------------------- GOES


def _goes(
    data: Any, product: str, label_key: str, labels: tuple[str, ...], dim: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[dict[str, Any]]]:
    rows, layout = _rows_as_dicts(data, product)
    if layout != "objects":
        raise ProductFormatError(f"{product}: expected an array of objects (GOES layout)")
    _require(rows, ["time_tag", "satellite", "flux", label_key], product)
    times = _utc_times([r["time_tag"] for r in rows], product)
    unique_times = np.unique(times)
    flux = np.full((unique_times.size, len(labels)), np.nan)
    sat = np.full(unique_times.size, np.nan)
    where = np.searchsorted(unique_times, times)
    index = {label: j for j, label in enumerate(labels)}
    for i, row in zip(where, rows, strict=True):
        # Exact string match: ">=10 MeV" must never pick up ">=100 MeV".
        j = index.get(row[label_key])
        if j is None:
            continue
        flux[i, j] = _number(row["flux"])
        sat[i] = _number(row["satellite"])
    return unique_times, flux, sat, rows


def parse_xrays(data: Any) -> xr.Dataset:
    """GOES XRS irradiance (``json/goes/primary/xrays-*.json``) as ``flux(time, band)``.

    ``flux`` is the electron-corrected value in W m-2; band ``"0.1-0.8nm"`` gives flare class
    and R scale.
    """
    product = "goes-xrays"
    times, flux, sat, rows = _goes(data, product, "energy", XRAY_BANDS, "band")
    return _finish(
        times,
        {
            "flux": (flux, "W m-2", "GOES XRS irradiance, electron corrected"),
            "satellite": (sat, "1", "GOES satellite number"),
        },
        product,
        "objects",
        extra_dims={"band": XRAY_BANDS},
    )


def parse_integral_protons(data: Any) -> xr.Dataset:
    """GOES integral protons (``json/goes/primary/integral-protons-*.json``): ``flux(time, channel)``.

    Flux in pfu (particles cm-2 s-1 sr-1); the S scale uses channel ``">=10 MeV"``.
    """
    product = "goes-integral-protons"
    times, flux, sat, rows = _goes(data, product, "energy", PROTON_CHANNELS, "channel")
    return _finish(
        times,
        {
            "flux": (flux, "pfu", "GOES integral proton flux (particles cm-2 s-1 sr-1)"),
            "satellite": (sat, "1", "GOES satellite number"),
        },
        product,
        "objects",
        extra_dims={"channel": PROTON_CHANNELS},
    )


# ---------------------------------------------------------------------------- alerts

_CODE = re.compile(r"Space Weather Message Code:\s*([A-Z0-9]+)", re.IGNORECASE)
_SCALE = re.compile(r"NOAA Scale:\s*([GSR])([1-5])", re.IGNORECASE)
_HEADLINE = re.compile(
    r"^\s*(ALERT|WARNING|WATCH|SUMMARY|EXTENDED WARNING|CANCEL WARNING|CANCEL WATCH)\s*:\s*(.+?)\s*$",
    re.IGNORECASE | re.MULTILINE,
)


def _alert_fields(message: str) -> tuple[str, str, str, str]:
    text = message.replace("\r\n", "\n")
    code = _CODE.search(text)
    scale = _SCALE.search(text)
    head = _HEADLINE.search(text)
    return (
        code.group(1).upper() if code else "",
        f"{scale.group(1).upper()}{scale.group(2)}" if scale else "",
        head.group(1).upper() if head else "",
        head.group(2) if head else "",
    )


def parse_alerts(data: Any) -> xr.Dataset:
    """Alerts, watches and warnings (``products/alerts.json``), oldest first.

    Adds ``message_code`` (e.g. ``ALTK05``), ``kind`` (ALERT, WARNING, WATCH, SUMMARY),
    ``headline`` and ``noaa_scale`` (e.g. ``G1``) parsed from the free-text message.
    Two alerts issued at the same instant are both kept (``time`` is not unique here).
    """
    product = "alerts"
    rows, layout = _rows_as_dicts(data, product)
    _require(rows, ["product_id", "issue_datetime", "message"], product)
    seen = set()
    unique = []
    for row in rows:
        key = (row["product_id"], row["issue_datetime"])
        if key not in seen:
            seen.add(key)
            unique.append(row)
    times = _utc_times([r["issue_datetime"] for r in unique], product)
    fields = [_alert_fields(str(r["message"])) for r in unique]
    order = np.argsort(times, kind="stable")
    ds = xr.Dataset(
        {
            "product_id": ("time", _strings(r["product_id"] for r in unique)[order]),
            "message_code": ("time", _strings(f[0] for f in fields)[order]),
            "noaa_scale": ("time", _strings(f[1] for f in fields)[order]),
            "kind": ("time", _strings(f[2] for f in fields)[order]),
            "headline": ("time", _strings(f[3] for f in fields)[order]),
            "message": ("time", _strings(r["message"] for r in unique)[order]),
        },
        coords={"time": ("time", times[order], {"long_name": "issue time", "timezone": "UTC"})},
    )
    for name in ds.data_vars:
        ds[name].attrs.update({"units": "", "long_name": name.replace("_", " ")})
    ds.attrs.update({"product": product, "layout": layout, "source": "NOAA SWPC"})
    return ds


# ---------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Product:
    """One SWPC product: a short name, its path under the base URL and its parser."""

    name: str
    path: str
    parser: Callable[[Any], xr.Dataset]
    description: str
    #: An empty array is normal for alerts; for a data product it means an outage upstream.
    allow_empty: bool = False

    def parse(self, data: Any) -> xr.Dataset:
        return self.parser(data)


#: The products the client fetches by default, keyed by short name.
PRODUCTS: dict[str, Product] = {
    p.name: p
    for p in [
        Product("kp", "products/noaa-planetary-k-index.json", parse_kp, "planetary Kp, 3-hour"),
        Product("kp_1m", "json/planetary_k_index_1m.json", parse_kp_1m, "Kp estimate, 1-minute"),
        Product(
            "solar_wind", "json/rtsw/rtsw_wind_1m.json", parse_solar_wind_plasma, "RTSW plasma"
        ),
        Product("mag", "json/rtsw/rtsw_mag_1m.json", parse_solar_wind_mag, "RTSW IMF"),
        Product("xrays", "json/goes/primary/xrays-1-day.json", parse_xrays, "GOES X-rays"),
        Product(
            "protons",
            "json/goes/primary/integral-protons-1-day.json",
            parse_integral_protons,
            "GOES integral protons",
        ),
        Product(
            "alerts",
            "products/alerts.json",
            parse_alerts,
            "alerts, watches, warnings",
            allow_empty=True,
        ),
    ]
}

#: Products that are parsed on request but not fetched by default.
EXTRA_PRODUCTS: dict[str, Product] = {
    p.name: p
    for p in [
        Product(
            "kp_forecast",
            "products/noaa-planetary-k-index-forecast.json",
            parse_kp_forecast,
            "Kp 3-day forecast",
        ),
        Product(
            "legacy_plasma",
            "products/solar-wind/plasma-1-day.json",
            parse_legacy_plasma,
            "legacy plasma (removed 2026)",
        ),
        Product(
            "legacy_mag",
            "products/solar-wind/mag-1-day.json",
            parse_legacy_mag,
            "legacy IMF (removed 2026)",
        ),
    ]
}


def parse_product(name: str, data: Any) -> xr.Dataset:
    """Parse the decoded JSON of product ``name`` (a key of ``PRODUCTS`` or ``EXTRA_PRODUCTS``)."""
    table = {**PRODUCTS, **EXTRA_PRODUCTS}
    if name not in table:
        raise ValueError(f"unknown SWPC product {name!r}; known: {sorted(table)}")
    return table[name].parse(data)
