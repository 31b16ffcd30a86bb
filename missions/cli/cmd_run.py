"""``kamo run``: the reference mission's first step, the 2025 Earth -> Kamoʻoalewa window.

``make run`` calls this. Today it computes the ballistic porkchop of the launch
year (zero- and one-revolution transfers, the best per cell), prints the optimum
cells and what a ballistic transfer would cost on Tianwen-2's real launch date
(2025-05-28 17:31 UTC), and writes the plot and the Dataset to ``out/``. The
mission planner of a later issue grows it into the whole mission plan.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import typer

from missions.cli._common import emit_json, err_console

#: Tianwen-2 lift-off, shared/reference/mission-facts.md §1 [firm].
TIANWEN2_LAUNCH = "2025-05-28T17:31:00"
LAUNCH_SPAN = "2025-01-01/2025-12-31"
ARRIVAL_SPAN = "2026-01-01/2027-06-30"


def best_arrival_for_launch(ds, launch: str, variable: str = "dv_total") -> dict[str, Any]:
    """The arrival date minimising ``variable`` for the grid launch date nearest ``launch``."""
    row = ds.sel(launch=np.datetime64(launch), method="nearest")
    values = row[variable].values
    if not np.isfinite(values).any():
        return {}
    j = int(np.nanargmin(values))
    cell = row.isel(arrival=j)
    return {
        "launch": str(cell["launch"].values)[:19],
        "arrival": str(cell["arrival"].values)[:19],
        "tof_days": float(cell["tof"]),
        "c3_km2_s2": float(cell["c3_launch"]),
        "vinf_arrival_km_s": float(cell["vinf_arrival"]),
        "dv_km_s": float(cell[variable]),
        "revs": int(cell["revs"]),
    }


def register(app: typer.Typer) -> None:
    @app.command()
    def run(
        out_dir: Path = typer.Option(
            Path("out"), "--out-dir", help="Where to write the plot and Dataset."
        ),
        grid: int = typer.Option(250, "--grid", help="Grid points per axis."),
        json_out: bool = typer.Option(
            False, "--json", help="Print a JSON summary alone on stdout."
        ),
    ) -> None:
        """Reference mission: the 2025 Earth -> Kamoʻoalewa launch window (porkchop summary + plot)."""
        from rich.console import Console

        from missions.cli.cmd_porkchop import compute_porkchop, summary_table, write_outputs

        start = time.perf_counter()
        err_console.print(
            f"Earth -> Kamoʻoalewa porkchop, launch {LAUNCH_SPAN}, arrival {ARRIVAL_SPAN}, "
            f"{grid} x {grid}, 0- and 1-revolution transfers ..."
        )
        ds = compute_porkchop("earth", "kamooalewa", LAUNCH_SPAN, ARRIVAL_SPAN, grid, [0, 1])
        seconds = time.perf_counter() - start
        plot = out_dir / "kamooalewa_porkchop_2025.png"
        netcdf = out_dir / "kamooalewa_porkchop_2025.nc"
        write_outputs(ds, netcdf, plot, mark_launch=TIANWEN2_LAUNCH)
        summary = ds.porkchop.summary()
        real = best_arrival_for_launch(ds, TIANWEN2_LAUNCH)
        if json_out:
            emit_json(
                {
                    **summary,
                    "tianwen2_launch": TIANWEN2_LAUNCH,
                    "best_ballistic_on_tianwen2_launch_day": real,
                    "plot": str(plot),
                    "dataset": str(netcdf),
                    "compute_seconds": round(seconds, 3),
                }
            )
            return
        console = Console()
        console.print(summary_table(summary, "Earth → Kamoʻoalewa, ballistic, 2025 launch year"))
        if real:
            console.print(
                f"On Tianwen-2's launch day ({TIANWEN2_LAUNCH[:16]} UTC) the best ballistic "
                f"transfer arrives {real['arrival'][:10]} ({real['tof_days']:.0f} d, "
                f"{real['revs']} rev): C3 {real['c3_km2_s2']:.2f} km²/s², arrival v∞ "
                f"{real['vinf_arrival_km_s']:.2f} km/s. Tianwen-2 flies an electric-propulsion "
                "trajectory with deep-space burns, so its real costs differ."
            )
        console.print(f"plot: {plot}   dataset: {netcdf}   ({seconds:.1f} s)")
