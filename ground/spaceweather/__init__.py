"""Space weather for operations: NOAA SWPC feeds, NOAA scales, CME arrival (DBM), advisories.

Faces (also exported from ``ground``):

- :class:`SWPCClient` fetches SWPC JSON products with retries and conditional requests,
  caches them on disk and falls back to the cache (marked stale) when the source fails;
- ``parse_*`` functions in :mod:`ground.spaceweather.products` turn each product, in the
  2026 and the legacy layouts, into an ``xarray.Dataset``;
- :func:`g_scale`, :func:`s_scale`, :func:`r_scale`, :func:`flare_class` and the
  ``*_status`` functions give the NOAA levels now and at peak;
- :func:`cme_arrival` and :func:`cme_arrival_ensemble` run the drag-based model;
- :func:`load_rules` and :func:`evaluate_advisories` turn data into operations advisories;
- :func:`watch` polls on a schedule into a Zarr archive; :func:`fetch_status` reports.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "Advisory": "ground.spaceweather.advisories",
    "AdvisoryRule": "ground.spaceweather.advisories",
    "evaluate_advisories": "ground.spaceweather.advisories",
    "load_rules": "ground.spaceweather.advisories",
    "DEFAULT_BASE_URL": "ground.spaceweather.client",
    "FetchResult": "ground.spaceweather.client",
    "SWPCClient": "ground.spaceweather.client",
    "CMEArrival": "ground.spaceweather.dbm",
    "CMEEnsemble": "ground.spaceweather.dbm",
    "cme_arrival": "ground.spaceweather.dbm",
    "cme_arrival_ensemble": "ground.spaceweather.dbm",
    "dbm_distance": "ground.spaceweather.dbm",
    "dbm_speed": "ground.spaceweather.dbm",
    "dbm_transit_time": "ground.spaceweather.dbm",
    "append_to_archive": "ground.spaceweather.poller",
    "open_archive": "ground.spaceweather.poller",
    "watch": "ground.spaceweather.poller",
    "plot_products": "ground.spaceweather.plot",
    "PRODUCTS": "ground.spaceweather.products",
    "ProductFormatError": "ground.spaceweather.products",
    "parse_product": "ground.spaceweather.products",
    "ScaleStatus": "ground.spaceweather.scales",
    "flare_class": "ground.spaceweather.scales",
    "g_scale": "ground.spaceweather.scales",
    "kp_status": "ground.spaceweather.scales",
    "proton_status": "ground.spaceweather.scales",
    "r_scale": "ground.spaceweather.scales",
    "s_scale": "ground.spaceweather.scales",
    "xray_status": "ground.spaceweather.scales",
    "fetch_status": "ground.spaceweather.status",
    "status_report": "ground.spaceweather.status",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'ground.spaceweather' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
