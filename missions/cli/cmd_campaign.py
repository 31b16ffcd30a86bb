"""``kamo campaign run`` and ``kamo campaign summary``: Monte Carlo campaigns on Dask."""

from __future__ import annotations

from pathlib import Path

import typer

from missions.cli._common import KamoCLIError, command_group, emit_json, err_console


def register(app: typer.Typer) -> None:
    group = command_group(app, "campaign", help="Monte Carlo campaigns: run on Dask, summarise.")

    @group.command("run")
    def run(
        campaign: Path = typer.Argument(..., help="Campaign file (TOML)."),
        out: Path = typer.Option(..., "--out", help="Zarr store to write (or resume)."),
        runs: int = typer.Option(None, "--runs", help="Number of runs (default: the file's)."),
        workers: int = typer.Option(
            None, "--workers", help="Local worker processes (default: CPU count)."
        ),
        scheduler: str = typer.Option(
            None, "--scheduler", help="Use an existing Dask scheduler, e.g. tcp://HOST:8786."
        ),
        batch: int = typer.Option(
            None, "--batch", help="Runs per task (default: about 1 s of work)."
        ),
        json_out: bool = typer.Option(
            False, "--json", help="Print what was run as JSON on stdout."
        ),
        quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
    ) -> None:
        """Run a campaign (or resume it: runs already in OUT are not run again)."""
        from missions.campaign.runner import CampaignLost, run_campaign

        if scheduler and workers:
            raise KamoCLIError("give --workers (a local cluster) or --scheduler, not both")
        try:
            res = run_campaign(
                campaign,
                out,
                runs=runs,
                workers=workers,
                scheduler=scheduler,
                batch=batch,
                progress=not quiet,
            )
        except CampaignLost as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
            raise typer.Exit(3) from None
        payload = {
            "store": str(res.store),
            "runs": res.runs,
            "already_done": res.already_done,
            "ran": res.ran,
            "failures": res.failures,
            "errors": res.errors,
            "wall_s": res.wall_s,
            "batch": res.batch,
            "workers": res.workers,
        }
        if json_out:
            emit_json(payload)
        else:
            err_console.print(repr(res), highlight=False)

    @group.command("summary")
    def summary(
        store: Path = typer.Argument(..., help="Campaign store (Zarr)."),
        json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
        plot: Path = typer.Option(None, "--plot", help="Write figures (PNG) into this directory."),
        confidence: float = typer.Option(0.95, "--confidence", help="Confidence of the interval."),
    ) -> None:
        """Success probability (Wilson interval), percentiles, failure drivers, plots."""
        from missions.campaign.summary import open_campaign

        if not 0 < confidence < 1:
            raise KamoCLIError(f"--confidence must be between 0 and 1, got {confidence}")
        c = open_campaign(store)
        s = c.summary(confidence)
        if plot is not None:
            s["plots"] = [str(p) for p in c.plot(plot)]
        if json_out:
            emit_json(s)
            return
        typer.echo(repr(c))
        typer.echo(f"outcomes: {s['outcomes']}")
        for name, row in s["percentiles"].items():
            typer.echo(
                f"  {name:32s} p5 {row['p5']:.4g}  p50 {row['p50']:.4g}  p95 {row['p95']:.4g}  "
                f"p99 {row['p99']:.4g} {row['units']}"
            )
        for r in s["failure_drivers"][:5]:
            typer.echo(
                f"  driver {r['input']:28s} rho {r['spearman_rho']:+.3f}  p {r['p_value']:.3g}"
            )
        for p in s.get("plots", []):
            typer.echo(f"wrote {p}")
