"""``kamo mission plan FILE``: plan a mission end to end and write its products.

Writes into ``--out``: the trajectory (``trajectory.nc``, xarray/NetCDF with time,
position, velocity, mass, thrust), the spacecraft SPK (``spacecraft.bsp``), the
event timeline (``timeline.csv``), the delta-v and propellant budget
(``budget.csv``), the summary (``summary.json``) and four plots (trajectory in
the ecliptic plane, distances to the Sun and Earth, thrust profile, launch
porkchop). ``--json`` prints the summary alone on stdout.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer

from missions.cli._common import KamoCLIError, command_group, emit_json, err_console


def run_plan(
    mission_file: Path | None,
    out_dir: Path,
    *,
    fast: bool = False,
    launch_date: str | None = None,
    fidelity: bool = True,
) -> tuple[Any, dict[str, str], float]:
    """Load, plan and write; returns the plan, the written paths and the seconds it took."""
    from missions.mission import load_mission
    from missions.plan import plan_mission

    mission = load_mission(mission_file)
    if launch_date is not None:
        import numpy as np

        try:
            np.datetime64(launch_date)
        except ValueError:
            raise KamoCLIError(
                f"--launch-date must be an ISO date like 2025-05-28T17:31, got {launch_date!r}"
            ) from None
    start = time.perf_counter()
    plan = plan_mission(
        mission,
        fast=fast,
        launch_date=launch_date,
        fidelity=fidelity,
        progress=lambda msg: err_console.print(
            f"[dim]{time.perf_counter() - start:6.1f} s[/] {msg}"
        ),
    )
    paths = plan.write(out_dir)
    return plan, paths, time.perf_counter() - start


def summary_tables(plan: Any) -> list[Any]:
    """Rich tables: the event timeline, the budget and the high-fidelity checks."""
    from rich.table import Table

    events = Table(title=f"{plan.mission.mission.name}: timeline", title_justify="left")
    events.add_column("event")
    events.add_column("UTC")
    for name, iso in plan.event_iso().items():
        events.add_row(name, iso)
    budget = Table(title="delta-v and propellant budget", title_justify="left")
    for col in (
        "manoeuvre",
        "UTC",
        "dv (km/s)",
        "propulsion",
        "propellant (kg)",
        "mass after (kg)",
    ):
        budget.add_column(col, justify="right" if "(" in col else "left")
    for m in plan.manoeuvres:
        d = m.as_dict()
        budget.add_row(
            m.name,
            d["utc"][:10],
            f"{m.dv_km_s:.3f}",
            m.propulsion,
            f"{m.propellant_kg:.1f}",
            f"{m.mass_after_kg:.1f}",
        )
    budget.add_row(
        "total",
        "",
        f"{plan.total_dv_km_s:.3f}",
        "",
        f"{plan.propellant_kg:.1f}",
        f"{plan.final_mass_kg:.1f}",
    )
    tables = [events, budget]
    if plan.checks:
        checks = Table(title="high-fidelity check (heyoka, Sun + planets)", title_justify="left")
        for col in ("leg", "miss (km)", "closest approach (km)", "correction dv (m/s)"):
            checks.add_column(col, justify="left" if col == "leg" else "right")
        for c in plan.checks:
            checks.add_row(
                c.leg,
                f"{c.miss_km:,.0f}",
                f"{c.closest_approach_km:,.0f}",
                f"{1e3 * c.correction_dv_km_s:.2f}",
            )
        tables.append(checks)
    return tables


def print_summary(plan: Any, paths: dict[str, str], seconds: float) -> None:
    from rich.console import Console

    console = Console()
    for table in summary_tables(plan):
        console.print(table)
    console.print(
        f"launch C3 {plan.launch_c3:.2f} km²/s² (launch vehicle: {plan.launch_mass_capability_kg:.0f} kg "
        f"at that C3, spacecraft {plan.mission.spacecraft.wet_mass_kg:.0f} kg); entry "
        f"{plan.chain.entry_speed:.2f} km/s (limit {plan.mission.phases.return_.entry_speed_max_km_s}); "
        f"outbound flown {plan.outbound_design}; "
        f"{'feasible' if plan.feasible else '[bold red]NOT feasible[/]'}"
    )
    for note in plan.notes:
        console.print(f"note: {note}")
    console.print(
        f"wrote {len(paths)} files to {Path(paths['trajectory']).parent}  ({seconds:.1f} s)"
    )


def register(app: typer.Typer) -> None:
    group = command_group(app, "mission", help="Mission files: plan a mission end to end.")

    @group.command("plan")
    def plan_cmd(
        mission_file: Path = typer.Argument(
            ..., help="Mission TOML file (e.g. missions/tianwen2.toml)."
        ),
        out: Path = typer.Option(Path("plan"), "--out", help="Output folder."),
        json_out: bool = typer.Option(
            False, "--json", help="Print the JSON summary alone on stdout."
        ),
        fast: bool = typer.Option(
            False, "--fast", help="Reduced effort (for quick looks and tests)."
        ),
        launch_date: str = typer.Option(
            None,
            "--launch-date",
            help="Fix the launch date (ISO UTC) instead of searching the period.",
        ),
        no_fidelity: bool = typer.Option(
            False, "--no-fidelity", help="Skip the high-fidelity check of the legs."
        ),
    ) -> None:
        """Plan a mission: porkchop, rendezvous, low thrust, return, gravity assists, budget, checks."""
        if not mission_file.is_file():
            raise KamoCLIError(f"mission file {str(mission_file)!r} does not exist")
        plan, paths, seconds = run_plan(
            mission_file, out, fast=fast, launch_date=launch_date, fidelity=not no_fidelity
        )
        if json_out:
            emit_json({**plan.summary(), "files": paths, "seconds": round(seconds, 2)})
            return
        print_summary(plan, paths, seconds)
