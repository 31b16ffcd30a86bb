"""Decommutation: decoded packets -> one labelled ``xarray.Dataset`` per packet type.

Each dataset has one dimension, ``time``, with

- coordinates ``time`` (UTC, ``datetime64[ns]``, from the packet's CUC time),
  ``et`` (TDB seconds past J2000, SPICE ephemeris time), ``seq_count``;
- for every parameter, its engineering value (calibrated, with ``units`` and
  ``long_name``), and for calibrated parameters the raw value as ``NAME_raw``;
  enumerations keep their integer code with CF ``flag_values``/``flag_meanings``;
- derived parameters computed by expression from the engineering values.

Packets that the dictionary does not know (or every packet, without a
dictionary) are kept at header level in datasets named ``APID_<apid>`` along a
``packet`` dimension.

>>> from ground.bulk import decode_bytes                         # doctest: +SKIP
>>> datasets = decommutate(decode_bytes(raw, d), d)
>>> datasets["HK"]["BATT_V"].sel(time=slice("2026-01-01", None)).mean()
"""

from __future__ import annotations

import ast
import operator

import numpy as np
import xarray as xr

from ground.bulk import BulkResult
from ground.dictionary import DerivedDef, Dictionary, PacketDef

_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.Mod: operator.mod,
    ast.FloorDiv: operator.floordiv,
}
_CMPOPS = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_FUNCS = {
    name: getattr(np, name)
    for name in (
        "sqrt",
        "abs",
        "sin",
        "cos",
        "tan",
        "arcsin",
        "arccos",
        "arctan",
        "arctan2",
        "hypot",
        "exp",
        "log",
        "log10",
        "degrees",
        "radians",
        "minimum",
        "maximum",
        "where",
    )
}
_CONSTS = {"pi": np.pi, "e": np.e}


class ExpressionError(ValueError):
    """A derived-parameter expression that uses something not allowed or unknown."""


def evaluate_expression(expression: str, values: dict[str, np.ndarray]) -> np.ndarray:
    """Evaluate an arithmetic expression over named arrays (no Python builtins, no attributes).

    Allowed: numbers, parameter names, ``+ - * / // % **``, comparisons,
    unary minus, and the NumPy functions in ``_FUNCS`` (``sqrt``, ``hypot``, ``where``...).
    """
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"expression {expression!r} is not valid: {exc.msg}") from None

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in values:
                return values[node.id]
            if node.id in _CONSTS:
                return _CONSTS[node.id]
            raise ExpressionError(
                f"expression {expression!r} uses {node.id!r}, which is not a parameter of this packet "
                f"(available: {sorted(values)})"
            )
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            return _BINOPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = ev(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _CMPOPS:
            return _CMPOPS[type(node.ops[0])](ev(node.left), ev(node.comparators[0]))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _FUNCS
            and not node.keywords
        ):
            return _FUNCS[node.func.id](*[ev(a) for a in node.args])
        raise ExpressionError(
            f"expression {expression!r}: {ast.dump(node)[:60]} is not allowed "
            f"(numbers, parameters, arithmetic and {sorted(_FUNCS)} only)"
        )

    with np.errstate(all="ignore"):
        return np.asarray(ev(tree), dtype=np.float64)


def packet_dataset(
    pdef: PacketDef, fields: dict[str, np.ndarray], seq_count: np.ndarray
) -> xr.Dataset:
    """Build the dataset of one packet type from its raw field arrays."""
    n = len(seq_count)
    if pdef.time_coarse:
        coarse = fields[pdef.time_coarse]
        fine = fields[pdef.time_fine] if pdef.time_fine else np.zeros(n, dtype=np.int64)
        utc = pdef.cuc.to_utc64(coarse, fine)
        et = pdef.cuc.to_et(coarse, fine)
    else:
        utc = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        et = np.full(n, np.nan)
    coords = {
        "time": ("time", utc, {"long_name": "packet time (UTC, from CUC)"}),
        "et": ("time", et, {"units": "s", "long_name": "TDB seconds past J2000 (SPICE ET)"}),
        "seq_count": (
            "time",
            np.asarray(seq_count, dtype=np.uint16),
            {"long_name": "packet sequence count"},
        ),
    }
    data_vars = {}
    eng_values: dict[str, np.ndarray] = {}
    for f in pdef.user_fields:
        p = f.parameter
        raw = np.asarray(fields[f.name]).astype(p.raw_dtype, copy=False)
        attrs = {"long_name": p.description or p.name, "units": p.unit or "1"}
        if p.kind == "enum":
            attrs["flag_values"] = [v for v, _ in p.enumeration]
            attrs["flag_meanings"] = " ".join(lbl for _, lbl in p.enumeration)
            attrs.pop("units")
            data_vars[f.name] = ("time", raw, attrs)
            eng_values[f.name] = raw.astype(np.float64)
            continue
        if p.kind == "bool":
            attrs.pop("units")
            data_vars[f.name] = ("time", raw.astype(bool), attrs)
            eng_values[f.name] = raw.astype(np.float64)
            continue
        if p.calibration is not None:
            eng = p.calibration.apply(raw)
            attrs["calibration"] = p.calibration.kind
            data_vars[f.name] = ("time", eng, attrs)
            data_vars[f"{f.name}_raw"] = (
                "time",
                raw,
                {"long_name": f"{p.name} raw value", "units": "1"},
            )
        else:
            eng = raw
            data_vars[f.name] = ("time", raw, attrs)
        if p.limits is not None:
            lim = p.limits
            for key in ("yellow_low", "yellow_high", "red_low", "red_high"):
                value = getattr(lim, key)
                if value is not None:
                    data_vars[f.name][2][f"limit_{key}"] = value
        eng_values[f.name] = np.asarray(eng, dtype=np.float64)
    for d in pdef.derived:
        data_vars[d.name] = (
            "time",
            evaluate_expression(d.expression, eng_values),
            _derived_attrs(d),
        )
        eng_values[d.name] = data_vars[d.name][1]
    ds = xr.Dataset(data_vars, coords=coords)
    ds.attrs.update(
        {
            "packet": pdef.name,
            "apid": pdef.apid,
            "service": -1 if pdef.service is None else pdef.service,
            "subservice": -1 if pdef.subservice is None else pdef.subservice,
            "description": pdef.description,
        }
    )
    return ds


def _derived_attrs(d: DerivedDef) -> dict:
    return {
        "long_name": d.description or d.name,
        "units": d.unit or "1",
        "expression": d.expression,
    }


def header_dataset(apid: int, headers: dict[str, np.ndarray], rows: np.ndarray) -> xr.Dataset:
    """Header-level dataset for packets of one APID that no dictionary entry describes."""
    names = {
        "seq_count": "packet sequence count",
        "length": "packet length (octets, header included)",
        "packet_type": "packet type (0 TM, 1 TC)",
        "sec_header_flag": "secondary header flag",
        "seq_flags": "sequence flags",
    }
    data_vars = {
        k: ("packet", np.asarray(headers[k][rows]), {"long_name": v}) for k, v in names.items()
    }
    data_vars["length"][2]["units"] = "octet"
    ds = xr.Dataset(data_vars)
    ds.attrs.update({"packet": f"APID_{apid}", "apid": int(apid), "header_only": 1})
    return ds


def decommutate(result: BulkResult, dictionary: Dictionary | None = None) -> dict[str, xr.Dataset]:
    """One dataset per packet type seen (plus ``APID_<n>`` header-level ones for unknown packets)."""
    dictionary = dictionary if dictionary is not None else result.dictionary
    out: dict[str, xr.Dataset] = {}
    seq = result.headers.get("seq_count", np.empty(0, dtype=np.uint16))
    if dictionary is not None:
        for pdef in dictionary.packets:
            rows = result.type_index.get(pdef.name)
            if rows is None or rows.size == 0:
                continue
            out[pdef.name] = packet_dataset(pdef, result.by_type[pdef.name], seq[rows])
    unknown = result.unknown_index if result.unknown_index is not None else np.arange(seq.size)
    if unknown.size:
        apids = result.headers["apid"][unknown]
        for apid in np.unique(apids):
            out[f"APID_{int(apid)}"] = header_dataset(
                int(apid), result.headers, unknown[apids == apid]
            )
    return out
