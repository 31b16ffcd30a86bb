"""``kamo autonomy``: run the onboard executive in a closed-loop scenario.

``kamo autonomy run SCENARIO --seed N --json`` prints the outcome (``sampled``,
``aborted_safe``, ``postponed`` or ``lost``), the decision log (time, mode,
decision, reason), the minimum altitude and the resources left.
``kamo autonomy list`` names the registered scenarios.
"""

from __future__ import annotations

from pathlib import Path

import typer

from missions.cli._common import KamoCLIError, command_group, emit_json, err_console


def register(app: typer.Typer) -> None:
    group = command_group(
        app, "autonomy", help="Onboard autonomy: run the executive in closed-loop scenarios."
    )

    @group.command("run")
    def run(
        scenario: str = typer.Argument(
            ..., help="A registered scenario name or a scenario TOML file."
        ),
        seed: int = typer.Option(
            0, "--seed", help="Seed of the run (noise, sensor dropouts, sample mass)."
        ),
        json_out: bool = typer.Option(
            False, "--json", help="Print the result as JSON alone on stdout."
        ),
        log_out: Path = typer.Option(
            None, "--log", help="Also write the decision log as CSV here."
        ),
    ) -> None:
        """Fly SCENARIO with the onboard executive and report what it decided."""
        from missions.scenarios import run_scenario, scenario_names

        if seed < 0:
            raise KamoCLIError(f"--seed must be >= 0, got {seed}")
        if scenario not in scenario_names() and not Path(scenario).is_file():
            raise KamoCLIError(
                f"unknown scenario {scenario!r}: use a file or one of {', '.join(scenario_names())}"
            )
        err_console.print(f"running scenario [bold]{scenario}[/] with seed {seed} ...")
        res = run_scenario(scenario, seed)
        if log_out is not None:
            res.decisions.to_csv(log_out, index=False)
        payload = res.to_dict()
        if json_out:
            emit_json(payload)
            return
        from rich.console import Console
        from rich.table import Table

        out = Console()
        table = Table(title=f"{res.name} (seed {seed}): {res.outcome}")
        for col in ("time (s)", "mode", "decision", "reason"):
            table.add_column(col, overflow="fold")
        for e in res.log:
            if e.decision in ("SITE-RANK", "IMAGING", "GOAL", "LEG", "REPLAN-OK"):
                continue
            table.add_row(f"{e.t:.1f}", e.mode, e.decision, e.reason)
        out.print(table)
        out.print(
            f"outcome [bold]{res.outcome}[/]: {res.reason}\n"
            f"minimum altitude {res.min_altitude_m:.2f} m; propellant left "
            f"{res.resources['propellant_kg']:.2f} kg; battery {res.resources['battery_soc'] * 100:.0f} %"
        )

    @group.command("list")
    def list_(
        json_out: bool = typer.Option(False, "--json", help="Print JSON alone on stdout."),
    ) -> None:
        """Registered scenarios, their expected outcomes and descriptions."""
        from missions.scenarios import load_scenario, scenario_names

        rows = []
        for name in scenario_names():
            spec = load_scenario(name)
            rows.append(
                {
                    "name": name,
                    "expected_outcome": spec.get("expected_outcome"),
                    "description": spec.get("description", ""),
                }
            )
        if json_out:
            emit_json({"scenarios": rows})
            return
        for r in rows:
            typer.echo(f"{r['name']:<20} {r['expected_outcome'] or '-':<13} {r['description']}")
