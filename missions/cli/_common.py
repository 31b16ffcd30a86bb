"""Shared helpers for the CLI: machine-readable output, errors and consoles."""

from __future__ import annotations

import datetime as _dt
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console

#: Progress bars, logs and errors go to stderr so that ``--json`` output on stdout stays clean.
err_console = Console(stderr=True, soft_wrap=True)


class KamoCLIError(Exception):
    """A user-facing CLI error: printed as one line, exit code 2."""


def _to_jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _to_jsonable(obj.tolist())
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        value = float(obj)
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(obj, np.datetime64):
        return str(np.datetime_as_string(obj, unit="s"))
    if isinstance(obj, (_dt.datetime, _dt.date)):
        return obj.isoformat()
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "isot"):  # astropy Time
        return str(obj.utc.isot)
    return obj


def emit_json(payload: dict[str, Any]) -> None:
    """Write ``payload`` as JSON alone on stdout (NaN becomes null, numpy becomes Python)."""
    sys.stdout.write(json.dumps(_to_jsonable(payload), indent=2) + "\n")
    sys.stdout.flush()


_GROUPS: dict[str, Any] = {}


def command_group(app: Any, name: str, help: str) -> Any:
    """Return the sub-command group ``kamo NAME``, creating it once.

    Several ``cmd_*.py`` modules may add commands to the same group (``kamo ground``).
    """
    import typer

    if name not in _GROUPS:
        group = typer.Typer(help=help, no_args_is_help=True)
        app.add_typer(group, name=name)
        _GROUPS[name] = group
    return _GROUPS[name]
