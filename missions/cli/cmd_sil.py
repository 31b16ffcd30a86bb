"""``kamo sil``: fly a scenario with the flight software in its own process (SIL).

``kamo sil run SCENARIO [--fsw "CMD"] --seed N --json`` runs a registered
scenario (or a scenario file) through the SIL harness with kamo's reference
flight software, or with the program ``--fsw`` names (``{host}``, ``{port}``,
``{key_file}``, ``{spec}`` are filled in). The JSON has ``outcome``, ``steps``,
``overruns``, ``packets_up``, ``packets_down``, ``rejected_commands``,
``fsw_pid`` and ``telemetry_sha256`` (equal for equal seeds). A flight-software
crash or hang prints the watchdog's message and exits with code 1.
"""

from __future__ import annotations

from pathlib import Path

import typer

from missions.cli._common import KamoCLIError, command_group, emit_json, err_console


def register(app: typer.Typer) -> None:
    group = command_group(
        app, "sil", help="Flight software in the loop: plant and flight software over packets."
    )

    @group.command("run")
    def run(
        scenario: str = typer.Argument(
            ..., help="A registered scenario name or a scenario TOML file."
        ),
        fsw: str = typer.Option(
            None,
            "--fsw",
            help='Flight-software command, e.g. "./my_fsw {host} {port}" (default: kamo\'s).',
        ),
        seed: int = typer.Option(0, "--seed", help="Seed of the run."),
        max_steps: int = typer.Option(
            None, "--max-steps", help="Stop after this many lock-step cycles."
        ),
        hang_timeout: float = typer.Option(
            None, "--hang-timeout", help="Watchdog: seconds without an answer."
        ),
        spin_ms: float = typer.Option(
            2.0,
            "--spin-ms",
            help="Each side polls its socket this long before blocking (0: block at once).",
        ),
        archive: Path = typer.Option(
            None, "--archive-dir", help="Keep the raw archive and FSW logs here."
        ),
        json_out: bool = typer.Option(
            False, "--json", help="Print the result as JSON alone on stdout."
        ),
    ) -> None:
        """Run SCENARIO with the flight software in its own process, in lock step over loopback TCP."""
        from missions.scenarios import scenario_names
        from missions.sil import SilError, run_sil

        if seed < 0:
            raise KamoCLIError(f"--seed must be >= 0, got {seed}")
        if max_steps is not None and max_steps < 1:
            raise KamoCLIError(f"--max-steps must be >= 1, got {max_steps}")
        if not 0.0 <= spin_ms <= 1000.0:
            raise KamoCLIError(f"--spin-ms must be 0..1000 ms (0: block at once), got {spin_ms}")
        if scenario not in scenario_names() and not Path(scenario).is_file():
            raise KamoCLIError(
                f"unknown scenario {scenario!r}: use a file or one of {', '.join(scenario_names())}"
            )
        err_console.print(
            f"SIL: scenario [bold]{scenario}[/], seed {seed}, flight software: {fsw or 'kamo reference'}"
        )
        try:
            res = run_sil(
                scenario,
                fsw=fsw,
                seed=seed,
                max_steps=max_steps,
                hang_timeout_s=hang_timeout,
                spin_s=spin_ms / 1000.0,
                workdir=archive,
            )
        except SilError as exc:
            kind = type(exc).__name__
            outcome = {"FswCrashed": "fsw_crashed", "FswHung": "fsw_hung"}.get(kind, "fsw_failed")
            if json_out:
                emit_json(
                    {"scenario": scenario, "seed": seed, "outcome": outcome, "error": str(exc)}
                )
            err_console.print(f"{kind}: {exc}", markup=False, highlight=False)
            raise typer.Exit(1) from None
        payload = res.to_dict()
        if json_out:
            emit_json(payload)
            return
        from rich.console import Console

        out = Console()
        out.print(repr(res))
        out.print(f"outcome [bold]{res.outcome}[/]: {res.reason}")
        for r in res.rejections:
            out.print(f"  rejected telecommand at t={r['t']:.1f} s: {r['reason']}")
