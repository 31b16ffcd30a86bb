"""Poll SWPC on a schedule and keep a Zarr archive, one group per product, without duplicates.

SWPC keeps only a rolling window (24 h for RTSW), so operations that want history keep
their own archive. Each cycle fetches every product (falling back to the cache, never
raising) and appends the rows whose time is not yet in the archive. Because the check
reads the archive itself, restarting the poller never duplicates rows. Planetary Kp is
revised after the fact, so for the ``kp`` product rows already archived are overwritten
with the newest values (the latest value wins, as SWPC advises).

Example::

    from ground.spaceweather import SWPCClient, watch
    with SWPCClient() as client:
        watch(client, "swpc.zarr", count=3, interval=60)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
import zarr

from ground.spaceweather.client import FetchResult, SWPCClient

__all__ = ["append_to_archive", "open_archive", "watch"]

_REVISABLE = {"kp"}
_TIME_ENCODING = {
    "units": "milliseconds since 1970-01-01",
    "dtype": "int64",
    "calendar": "proleptic_gregorian",
}


def _group_exists(store: Path, group: str) -> bool:
    if not store.exists():
        return False
    try:
        root = zarr.open_group(str(store), mode="r")
    except (FileNotFoundError, ValueError, KeyError):
        return False
    return group in root.group_keys()


def _keys(ds: xr.Dataset) -> pd.Index:
    """Row identity: the time, plus the product id for alerts (several may share a time)."""
    times = pd.Index(ds["time"].values)
    if "product_id" in ds:
        return pd.Index(
            [f"{t.value}|{p}" for t, p in zip(times, ds["product_id"].values, strict=True)]
        )
    return times


def _prepare(ds: xr.Dataset) -> xr.Dataset:
    out = ds.copy()
    for name, var in out.variables.items():
        if var.dtype.kind in "UT" or var.dtype == object:
            out[name] = var.astype(object)
    for name in list(out.variables):
        out[name].encoding = {}
    return out


def append_to_archive(store: str | Path, product: str, ds: xr.Dataset) -> int:
    """Append the rows of ``ds`` not yet archived under group ``product``; return how many."""
    store = Path(store)
    if ds is None or ds.sizes.get("time", 0) == 0:
        return 0
    ds = _prepare(ds)
    if not _group_exists(store, product):
        encoding = {"time": dict(_TIME_ENCODING)}
        ds.to_zarr(store, group=product, mode="a", encoding=encoding, consolidated=False)
        return int(ds.sizes["time"])
    existing = xr.open_zarr(store, group=product, consolidated=False)
    try:
        old_keys = _keys(existing.drop_vars([v for v in existing.data_vars if v != "product_id"]))
        new_keys = _keys(ds)
        fresh = ~new_keys.isin(old_keys)
        if product in _REVISABLE and (~fresh).any():
            _revise(store, product, existing, ds.isel(time=~fresh))
    finally:
        existing.close()
    if not fresh.any():
        return 0
    ds.isel(time=fresh).to_zarr(store, group=product, append_dim="time", consolidated=False)
    return int(fresh.sum())


def _revise(store: Path, product: str, existing: xr.Dataset, overlap: xr.Dataset) -> None:
    """Overwrite archived rows with revised values where they form one contiguous block."""
    index = pd.Index(existing["time"].values).get_indexer(overlap["time"].values)
    if (index < 0).any() or index.size == 0:
        return
    order = np.argsort(index)
    index = index[order]
    if not np.array_equal(index, np.arange(index[0], index[-1] + 1)):
        return
    block = overlap.isel(time=order).drop_vars(
        [n for n in overlap.variables if "time" not in overlap[n].dims]
    )
    block.to_zarr(
        store,
        group=product,
        region={"time": slice(int(index[0]), int(index[-1]) + 1)},
        consolidated=False,
    )


def open_archive(store: str | Path, product: str) -> xr.Dataset:
    """Open one product's archived series (lazy; call ``.load()`` for memory)."""
    store = Path(store)
    if not _group_exists(store, product):
        raise FileNotFoundError(f"no archive for product {product!r} in {store}")
    return xr.open_zarr(store, group=product, consolidated=False)


def watch(
    client: SWPCClient,
    archive: str | Path,
    *,
    count: int | None = None,
    interval: float = 60.0,
    products: Iterable[str] | None = None,
    on_cycle: Callable[[int, dict[str, FetchResult], dict[str, int]], Any] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[dict[str, int]]:
    """Fetch every ``interval`` seconds and archive new rows; stop after ``count`` cycles.

    ``count=None`` runs until interrupted. Returns the rows added per cycle and product.
    Failures of the source never stop the loop (they show up as stale results in ``on_cycle``);
    a failure to write the archive does raise, since data would otherwise be lost silently.
    """
    if count is not None and count < 1:
        raise ValueError(f"count must be >= 1 (or None for forever), got {count}")
    if interval < 0:
        raise ValueError(f"interval must be >= 0 seconds, got {interval}")
    names = list(products) if products is not None else list(client.products)
    added: list[dict[str, int]] = []
    cycle = 0
    while count is None or cycle < count:
        started = time.monotonic()
        results = client.fetch_all(names)
        rows = {
            name: append_to_archive(archive, name, r.dataset) if r.dataset is not None else 0
            for name, r in results.items()
        }
        added.append(rows)
        if on_cycle is not None:
            on_cycle(cycle, results, rows)
        cycle += 1
        if count is None or cycle < count:
            sleep(max(0.0, interval - (time.monotonic() - started)))
    return added
