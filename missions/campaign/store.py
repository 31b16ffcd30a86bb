"""The campaign's Zarr store: laid out in full before the first run, filled by region writes.

One variable per dispersed input (``input_<name>``), per scenario output, per
declared counter (``count_<name>``, plus ``counts_json`` with every counter the
scenario reported), then ``outcome``, ``success``, ``error``, ``traceback``,
``wall_time_s``, ``worker`` and ``done``, all along ``run``. A batch writes its
rows of every variable first and its ``done`` flags last, so a crash between
the two leaves those runs not done and a resume runs them again. Chunk files
are written atomically (write then rename), and only the CLI process writes.

The attributes hold the campaign file text, a fingerprint of what determines the
results (scenario, seed, runs, constants, dispersions), and the software version.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["create_store", "fingerprint", "open_for_resume", "write_batch"]

TIMING_VARS = ("wall_time_s", "worker")


def fingerprint(spec) -> str:
    """Hash of everything that determines a campaign's results (not its name or batch size)."""
    doc = {
        "scenario": spec.scenario,
        "seed": spec.seed,
        "runs": spec.runs,
        "constants": spec.constants,
        "dispersions": {k: v.model_dump() for k, v in sorted(spec.dispersions.items())},
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _version() -> str:
    try:
        return metadata.version("kamo")
    except metadata.PackageNotFoundError:
        return "unknown"


def _describe(d) -> str:
    fields = {k: v for k, v in d.model_dump().items() if k not in ("distribution", "unit")}
    body = ", ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
    return f"{d.distribution}({body})"


def layout(spec, adapter) -> dict[str, tuple[np.dtype | type, Any, dict]]:
    """Variable name -> (dtype, fill value, attrs) for a campaign's store."""
    out: dict[str, tuple] = {}
    for name in spec.dispersed:
        d = spec.dispersions[name]
        is_str = d.distribution == "choice" and isinstance(d.values[0], str)
        ispec = adapter.inputs[name]
        out[f"input_{name}"] = (
            object if is_str else np.float64,
            "" if is_str else np.nan,
            {
                "units": ispec.unit or "1",
                "long_name": f"drawn {ispec.long_name}",
                "role": "input",
                "distribution": _describe(d),
            },
        )
    for o in adapter.outputs:
        out[o.name] = (
            np.float64,
            np.nan,
            {"units": o.unit or "1", "long_name": o.long_name, "role": o.role},
        )
    for c in adapter.counts:
        out[f"count_{c}"] = (
            np.int64,
            -1,
            {"units": "1", "long_name": f"{c} decisions (-1: not run)", "role": "count"},
        )
    text = {"role": "result"}
    out["counts_json"] = (
        object,
        "",
        {"long_name": "every counter the scenario reported (JSON)", **text},
    )
    out["outcome"] = (
        object,
        "",
        {"long_name": "outcome (success, a failure reason, or error)", **text},
    )
    out["success"] = (bool, False, {"long_name": "the run met its success criteria", **text})
    out["error"] = (object, "", {"long_name": "exception raised by the run", **text})
    out["traceback"] = (object, "", {"long_name": "traceback of the exception", **text})
    out["wall_time_s"] = (
        np.float64,
        np.nan,
        {"units": "s", "long_name": "run wall time", "role": "timing"},
    )
    out["worker"] = (object, "", {"long_name": "worker that ran it", "role": "timing"})
    out["done"] = (
        bool,
        False,
        {"long_name": "the run is stored (written last per batch)", "role": "state"},
    )
    return out


def create_store(path: str | Path, spec, adapter, chunk: int) -> None:
    """Lay out the whole store (every run, filled with 'not run' values)."""
    import xarray as xr

    n = spec.runs
    data = {}
    for name, (dtype, fill, attrs) in layout(spec, adapter).items():
        arr = np.full(n, fill, dtype=dtype)
        data[name] = ("run", arr, attrs)
    ds = xr.Dataset(
        data,
        coords={
            "run": ("run", np.arange(n, dtype=np.int64), {"long_name": "run index (seed child)"})
        },
        attrs={
            "title": f"kamo campaign {spec.name}",
            "campaign_name": spec.name,
            "scenario": spec.scenario,
            "runs": n,
            "master_seed": spec.seed,
            "fingerprint": fingerprint(spec),
            "campaign_toml": spec.text,
            "software": f"kamo {_version()}",
            "success_outcomes": list(adapter.success),
            "site_outputs": list(adapter.site_outputs or []),
        },
    )
    encoding = {name: {"chunks": (chunk,)} for name in ds.variables}
    ds.to_zarr(str(path), mode="w-", encoding=encoding, consolidated=False, zarr_format=3)


def open_for_resume(path: str | Path, spec) -> np.ndarray:
    """The store's ``done`` flags, after checking that it holds this campaign."""
    import zarr

    g = zarr.open_group(str(path), mode="r")
    attrs = dict(g.attrs)
    if attrs.get("fingerprint") != fingerprint(spec):
        raise ValueError(
            f"{path} holds another campaign ({attrs.get('campaign_name')!r}, scenario "
            f"{attrs.get('scenario')!r}, {attrs.get('runs')} runs, seed {attrs.get('master_seed')}); "
            "give a new --out path, or the same campaign file and --runs to resume it"
        )
    return np.asarray(g["done"][:], dtype=bool)


class StoreWriter:
    """Writes batches into an existing store (the CLI process is the only writer)."""

    def __init__(self, path: str | Path) -> None:
        import zarr

        self.group = zarr.open_group(str(path), mode="r+")
        self.arrays = {k: self.group[k] for k in self.group.array_keys()}

    def write_batch(self, start: int, stop: int, columns: dict[str, Any]) -> None:
        """Write rows ``start:stop`` of every column, then their ``done`` flags."""
        for name, values in columns.items():
            if name in ("done", "run"):
                continue
            arr = self.arrays[name]
            if arr.dtype == np.bool_:
                arr[start:stop] = np.asarray(values, dtype=bool)
            elif arr.dtype.kind in "fiu":
                arr[start:stop] = np.asarray(values, dtype=arr.dtype)
            else:
                arr[start:stop] = np.asarray([str(v) for v in values], dtype=object)
        self.arrays["done"][start:stop] = np.ones(stop - start, dtype=bool)


def write_batch(path, start, stop, columns) -> None:
    """One-off :meth:`StoreWriter.write_batch`."""
    StoreWriter(path).write_batch(start, stop, columns)
