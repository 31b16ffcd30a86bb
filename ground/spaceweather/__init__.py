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

from ground.spaceweather.advisories import (
    Advisory,
    AdvisoryRule,
    evaluate_advisories,
    load_rules,
)
from ground.spaceweather.client import DEFAULT_BASE_URL, FetchResult, SWPCClient
from ground.spaceweather.dbm import (
    CMEArrival,
    CMEEnsemble,
    cme_arrival,
    cme_arrival_ensemble,
    dbm_distance,
    dbm_speed,
    dbm_transit_time,
)
from ground.spaceweather.poller import append_to_archive, open_archive, watch
from ground.spaceweather.products import PRODUCTS, ProductFormatError, parse_product
from ground.spaceweather.scales import (
    ScaleStatus,
    flare_class,
    g_scale,
    kp_status,
    proton_status,
    r_scale,
    s_scale,
    xray_status,
)
from ground.spaceweather.status import fetch_status, status_report

__all__ = [
    "Advisory",
    "AdvisoryRule",
    "CMEArrival",
    "CMEEnsemble",
    "DEFAULT_BASE_URL",
    "FetchResult",
    "PRODUCTS",
    "ProductFormatError",
    "SWPCClient",
    "ScaleStatus",
    "append_to_archive",
    "cme_arrival",
    "cme_arrival_ensemble",
    "dbm_distance",
    "dbm_speed",
    "dbm_transit_time",
    "evaluate_advisories",
    "fetch_status",
    "flare_class",
    "g_scale",
    "kp_status",
    "load_rules",
    "open_archive",
    "parse_product",
    "proton_status",
    "r_scale",
    "s_scale",
    "status_report",
    "watch",
    "xray_status",
]
