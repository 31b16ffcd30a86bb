"""The executive's event log: every decision with its reason and the numbers behind it.

An entry is ``(t, mode, decision, reason, numbers)``. ``decision`` is a short
upper-case word (``GO``, ``HOLD``, ``WAIVE-OFF``, ``MODE``, ``FAULT``, ``SITE``,
``REPLAN-FALLBACK``, ...), ``reason`` a sentence a person reads, ``numbers`` a
flat ``{name: float}`` of what the decision was computed from. The log prints as
text, and turns into a pandas table or an xarray Dataset for analysis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class LogEntry:
    """One decision."""

    t: float
    mode: str
    decision: str
    reason: str
    numbers: dict[str, float] = field(default_factory=dict, hash=False, compare=False)

    def __str__(self) -> str:
        nums = ", ".join(f"{k}={_fmt(v)}" for k, v in self.numbers.items())
        tail = f"  [{nums}]" if nums else ""
        return f"t={self.t:9.1f} s  {self.mode:<19} {self.decision:<15} {self.reason}{tail}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "t": self.t,
            "mode": self.mode,
            "decision": self.decision,
            "reason": self.reason,
            "numbers": dict(self.numbers),
        }


def _fmt(v: float) -> str:
    if isinstance(v, bool | int):
        return str(v)
    if not math.isfinite(v):
        return str(v)
    a = abs(v)
    return f"{v:.3g}" if (a >= 1e4 or (a < 1e-2 and a != 0)) else f"{v:.3f}".rstrip("0").rstrip(".")


class EventLog:
    """An append-only list of :class:`LogEntry` with readable and tabular views."""

    def __init__(self) -> None:
        self.entries: list[LogEntry] = []

    def record(self, t: float, mode: Any, decision: str, reason: str, **numbers: float) -> LogEntry:
        clean = {}
        for k, v in numbers.items():
            clean[k] = v if isinstance(v, bool) else float(v)
        entry = LogEntry(float(t), str(mode), decision, reason, clean)
        self.entries.append(entry)
        return entry

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self):
        return iter(self.entries)

    def __getitem__(self, i):
        return self.entries[i]

    def decisions(self, decision: str) -> list[LogEntry]:
        """Entries whose decision is ``decision``."""
        return [e for e in self.entries if e.decision == decision]

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.entries)

    def __repr__(self) -> str:
        kinds: dict[str, int] = {}
        for e in self.entries:
            kinds[e.decision] = kinds.get(e.decision, 0) + 1
        summary = ", ".join(f"{k}: {n}" for k, n in sorted(kinds.items()))
        return f"EventLog({len(self.entries)} entries; {summary})"

    def to_records(self) -> list[dict[str, Any]]:
        return [e.to_dict() for e in self.entries]

    def to_dataframe(self):
        """A pandas DataFrame: columns t, mode, decision, reason, then one column per number name."""
        import pandas as pd

        rows = []
        for e in self.entries:
            row = {"t": e.t, "mode": e.mode, "decision": e.decision, "reason": e.reason}
            row.update({k: float(v) for k, v in e.numbers.items()})
            rows.append(row)
        cols = ["t", "mode", "decision", "reason"]
        df = pd.DataFrame(rows, columns=None if rows else cols)
        return df

    def to_xarray(self):
        """An xarray Dataset on an ``event`` dimension (``t`` in s, strings for mode/decision/reason, NaN-filled numbers)."""
        import numpy as np
        import xarray as xr

        df = self.to_dataframe()
        n = len(df)
        ds = xr.Dataset(coords={"event": np.arange(n)})
        ds["t"] = ("event", df["t"].to_numpy(float) if n else np.zeros(0))
        ds["t"].attrs.update(units="s", long_name="simulation time of the decision")
        for col, long in (
            ("mode", "executive mode when the decision was taken"),
            ("decision", "decision"),
            ("reason", "reason for the decision"),
        ):
            ds[col] = ("event", df[col].astype(str).to_numpy() if n else np.zeros(0, dtype=str))
            ds[col].attrs["long_name"] = long
        for col in df.columns[4:]:
            ds[col] = ("event", df[col].to_numpy(float))
            ds[col].attrs.update(units=_guess_units(col), long_name=col.replace("_", " "))
        ds.attrs["title"] = "kamo onboard executive event log"
        return ds


def _guess_units(name: str) -> str:
    for suffix, unit in (
        ("_m_s", "m/s"),
        ("_m", "m"),
        ("_kg", "kg"),
        ("_s", "s"),
        ("_deg", "deg"),
        ("_rad", "rad"),
        ("_mbit", "Mbit"),
        ("_g", "g"),
    ):
        if name.endswith(suffix):
            return unit
    return "1"
