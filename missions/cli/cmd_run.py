"""``kamo run``: plan the reference mission (``missions/tianwen2.toml``) end to end.

``make run`` calls this. It plans the whole mission (launch porkchop, low-thrust
rendezvous with Kamoʻoalewa, stay, Earth return with capsule release, Earth
gravity assist, 311P rendezvous, budget, high-fidelity checks), prints a
summary and writes the products to ``out/plan/``. It also keeps the launch-year
porkchop of the first step (``out/kamooalewa_porkchop_2025.png`` and ``.nc``)
and what a ballistic transfer would cost on Tianwen-2's real launch date.
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
#: Real Tianwen-2 dates to compare the plan with (mission-facts §1).
REAL_DATES = {
    "launch": "2025-05-28",
    "kamooalewa_arrival": "2026-07 (one source: 2026-06-07)",
    "kamooalewa_departure": "early 2027 (~7 months' stay)",
    "earth_return": "2027-11 (end of 2027)",
    "311p_arrival": "~2035 (Jan 2035 in two reports)",
}


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
            Path("out"), "--out-dir", help="Where to write (the plan goes to OUT/plan)."
        ),
        grid: int = typer.Option(
            250, "--grid", help="Grid points per axis of the launch-year porkchop."
        ),
        fast: bool = typer.Option(False, "--fast", help="Reduced-effort plan (quick look)."),
        json_out: bool = typer.Option(
            False, "--json", help="Print a JSON summary alone on stdout."
        ),
    ) -> None:
        """Reference mission: plan Tianwen-2 (Earth -> Kamoʻoalewa -> Earth -> 311P) end to end."""
        from rich.console import Console

        from missions.cli.cmd_mission import print_summary, run_plan
        from missions.cli.cmd_porkchop import compute_porkchop, write_outputs

        start = time.perf_counter()
        err_console.print(
            f"Earth -> Kamoʻoalewa porkchop, launch {LAUNCH_SPAN}, arrival {ARRIVAL_SPAN}, "
            f"{grid} x {grid}, 0- and 1-revolution transfers ..."
        )
        ds = compute_porkchop("earth", "kamooalewa", LAUNCH_SPAN, ARRIVAL_SPAN, grid, [0, 1])
        plot = out_dir / "kamooalewa_porkchop_2025.png"
        netcdf = out_dir / "kamooalewa_porkchop_2025.nc"
        write_outputs(ds, netcdf, plot, mark_launch=TIANWEN2_LAUNCH)
        summary = ds.porkchop.summary()
        real = best_arrival_for_launch(ds, TIANWEN2_LAUNCH)

        err_console.print("planning the reference mission (missions/tianwen2.toml) ...")
        plan, paths, seconds = run_plan(None, out_dir / "plan", fast=fast)
        total = time.perf_counter() - start
        if json_out:
            emit_json(
                {
                    **summary,
                    "tianwen2_launch": TIANWEN2_LAUNCH,
                    "best_ballistic_on_tianwen2_launch_day": real,
                    "plot": str(plot),
                    "dataset": str(netcdf),
                    "plan": {**plan.summary(), "files": paths},
                    "real_dates": REAL_DATES,
                    "compute_seconds": round(total, 3),
                }
            )
            return
        console = Console()
        print_summary(plan, paths, seconds)
        from rich.table import Table

        table = Table(title="plan vs the real Tianwen-2", title_justify="left")
        for col in ("event", "plan (UTC)", "real"):
            table.add_column(col)
        iso = plan.event_iso()
        for key, real_date in REAL_DATES.items():
            table.add_row(key, iso.get(key, "-")[:10], real_date)
        console.print(table)
        if real:
            console.print(
                f"Ballistic check: on Tianwen-2's launch day the best ballistic transfer arrives "
                f"{real['arrival'][:10]} ({real['tof_days']:.0f} d, {real['revs']} rev), C3 "
                f"{real['c3_km2_s2']:.2f} km²/s², arrival v∞ {real['vinf_arrival_km_s']:.2f} km/s "
                f"(porkchop: {plot})."
            )
        console.print(f"total {total:.1f} s")
