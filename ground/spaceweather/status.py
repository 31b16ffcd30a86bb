"""The space-weather picture in one dictionary: scales now and at peak, solar wind, advisories.

:func:`status_report` turns the client's per-product results into the JSON that
``kamo spaceweather fetch --json`` and ``status --json`` print; :func:`fetch_status` is the
notebook face that fetches (falling back to the cache) and reports in one call.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ground.spaceweather.advisories import AdvisoryRule, evaluate_advisories, load_rules
from ground.spaceweather.client import DEFAULT_BASE_URL, FetchResult, SWPCClient
from ground.spaceweather.scales import flare_class, kp_status, proton_status, xray_status

__all__ = ["fetch_status", "products_for", "status_report"]


def products_for(rules: Iterable[AdvisoryRule]) -> list[str]:
    """The products a report needs: the default set, plus the Kp forecast if a rule reads it."""
    from ground.spaceweather.products import PRODUCTS

    names = list(PRODUCTS)
    if any(r.forecast for r in rules):
        names.append("kp_forecast")
    return names


def _f(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def _iso(t: Any) -> str | None:
    if t is None:
        return None
    return str(np.datetime_as_string(np.datetime64(t, "s"), unit="s")) + "Z"


def _latest(ds: xr.Dataset | None, name: str) -> tuple[float | None, Any]:
    if ds is None or name not in ds or ds.sizes.get("time", 0) == 0:
        return None, None
    series = ds[name].dropna("time")
    if series.sizes["time"] == 0:
        return None, None
    return float(series.values[-1]), series["time"].values[-1]


def _solar_wind(plasma: xr.Dataset | None, mag: xr.Dataset | None) -> dict[str, Any]:
    speed, t_speed = _latest(plasma, "proton_speed")
    density, _ = _latest(plasma, "proton_density")
    bt, t_mag = _latest(mag, "bt")
    bz, _ = _latest(mag, "bz_gsm")
    source = None
    if plasma is not None and "source" in plasma and t_speed is not None:
        source = str(plasma["source"].sel(time=t_speed).values)
    elif mag is not None and "source" in mag and t_mag is not None:
        source = str(mag["source"].sel(time=t_mag).values)
    return {
        "speed_km_s": speed,
        "density_cm3": density,
        "bt_nT": bt,
        "bz_nT": bz,
        "source": source,
        "time": _iso(t_speed if t_speed is not None else t_mag),
    }


def status_report(
    results: Mapping[str, FetchResult],
    rules: Iterable[AdvisoryRule] | str | Path | None = None,
    now: Any = None,
    window_hours: float = 24.0,
    cmes: Iterable[Any] = (),
) -> dict[str, Any]:
    """Summarise fetched products as the ``kamo spaceweather`` JSON.

    Keys: ``kp``, ``protons``, ``xray``, ``solar_wind``, ``stale`` (any product not
    refreshed), ``age_s`` (oldest product's age), ``advisories`` and a per-product
    ``products`` table. Scales are integers, 0 for none; values are ``None`` without data.
    Peaks are over ``window_hours`` ending at each product's latest sample. ``cmes``
    (predicted arrivals from :mod:`ground.spaceweather.dbm`) feed rules with ``cme = true``.
    """
    data = {name: r.dataset for name, r in results.items()}
    kp = data.get("kp")
    protons = data.get("protons")
    xrays = data.get("xrays")

    out: dict[str, Any] = {}
    if kp is not None:
        g = kp_status(kp, window_hours)
        out["kp"] = {
            "value": g.value,
            "time": _iso(g.time),
            "g_scale": g.level,
            "peak": g.peak_value,
            "peak_g_scale": g.peak_level,
        }
    else:
        out["kp"] = {"value": None, "time": None, "g_scale": 0, "peak": None, "peak_g_scale": 0}
    if protons is not None:
        s = proton_status(protons, window_hours)
        out["protons"] = {
            "flux_pfu": s.value,
            "s_scale": s.level,
            "peak_pfu": s.peak_value,
            "peak_s_scale": s.peak_level,
            "time": _iso(s.time),
        }
    else:
        out["protons"] = {"flux_pfu": None, "s_scale": 0, "peak_pfu": None, "peak_s_scale": 0}
    if xrays is not None:
        r = xray_status(xrays, window_hours)
        out["xray"] = {
            "flux_w_m2": r.value,
            "flare_class": None if r.value is None else flare_class(r.value),
            "r_scale": r.level,
            "peak_w_m2": r.peak_value,
            "peak_flare_class": None if r.peak_value is None else flare_class(r.peak_value),
            "peak_r_scale": r.peak_level,
            "time": _iso(r.time),
        }
    else:
        out["xray"] = {
            "flux_w_m2": None,
            "flare_class": None,
            "r_scale": 0,
            "peak_w_m2": None,
            "peak_flare_class": None,
            "peak_r_scale": 0,
        }
    out["solar_wind"] = _solar_wind(data.get("solar_wind"), data.get("mag"))
    out["stale"] = any(r.stale for r in results.values())
    ages = [r.age_s for r in results.values() if r.age_s is not None]
    out["age_s"] = max(ages) if ages else None
    rule_set = load_rules(rules) if rules is None or isinstance(rules, (str, Path)) else rules
    out["advisories"] = [
        a.to_dict() for a in evaluate_advisories(data, rule_set, now=now, cmes=cmes)
    ]
    out["products"] = {
        name: {
            "status": r.status,
            "stale": r.stale,
            "age_s": _f(r.age_s),
            "reason": r.reason,
            "rows": None if r.dataset is None else int(r.dataset.sizes.get("time", 0)),
            "url": r.url,
        }
        for name, r in results.items()
    }
    return out


def fetch_status(
    base_url: str = DEFAULT_BASE_URL,
    cache_dir: str | Path | None = None,
    rules: Iterable[AdvisoryRule] | str | Path | None = None,
    now: Any = None,
    offline: bool = False,
    cmes: Iterable[Any] = (),
    **client_options: Any,
) -> dict[str, Any]:
    """Fetch every product (or read the cache only with ``offline=True``) and report.

    Never raises for network or data problems; look at ``stale`` and ``products``.
    """
    rules = load_rules(rules) if rules is None or isinstance(rules, (str, Path)) else tuple(rules)
    names = products_for(rules)
    with SWPCClient(base_url, cache_dir, **client_options) as client:
        results = client.cached_all(names) if offline else client.fetch_all(names)
    return status_report(results, rules=rules, now=now, cmes=cmes)
