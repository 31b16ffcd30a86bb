"""``kamo porkchop``: launch-energy and arrival-speed maps between two bodies."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer

from missions.cli._common import KamoCLIError, emit_json, err_console


def compute_porkchop(
    departure: str,
    arrival: str,
    launch: str,
    arrival_span: str,
    grid: int,
    revolutions: list[int] | int = 0,
    min_tof_days: float = 0.0,
):
    """Register the mission targets, validate the request, and compute the porkchop Dataset."""
    from missions.targets import register_targets
    from orbits.ephemeris import resolve_body
    from orbits.porkchop import parse_span, porkchop

    register_targets()
    for label, body in (("departure body", departure), ("arrival body", arrival)):
        try:
            resolve_body(body)
        except ValueError as exc:
            raise KamoCLIError(f"{label}: {exc}") from None
    parse_span(launch, "--launch")
    parse_span(arrival_span, "--arrival")
    if isinstance(revolutions, list) and len(revolutions) == 1:
        revolutions = revolutions[0]
    return porkchop(
        departure,
        arrival,
        launch,
        arrival_span,
        grid=grid,
        revolutions=revolutions if isinstance(revolutions, int) else tuple(revolutions),
        min_tof_days=min_tof_days,
    )


def save_netcdf(ds, path: Path) -> None:
    """Write NetCDF with the first engine that is installed (netCDF4, h5netcdf+h5py, scipy)."""
    errors = []
    for engine in ("netcdf4", "h5netcdf", "scipy"):
        try:
            ds.to_netcdf(path, engine=engine)
            return
        except (ImportError, ModuleNotFoundError, ValueError) as exc:
            errors.append(f"{engine}: {exc}")
    raise KamoCLIError(f"could not write {path}: " + "; ".join(errors))


def write_outputs(ds, out: Path | None, plot: Path | None, mark_launch: Any = None) -> None:
    """Save the Dataset to NetCDF and/or the plot to an image file."""
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        save_netcdf(ds, out)
        err_console.print(f"wrote {out}")
    if plot is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        plot.parent.mkdir(parents=True, exist_ok=True)
        ax = ds.porkchop.plot(mark_launch=mark_launch)
        ax.figure.savefig(plot, dpi=130)
        plt.close(ax.figure)
        err_console.print(f"wrote {plot}")


def summary_table(summary: dict[str, Any], title: str):
    """A rich table of the min-C3 and min-delta-v cells."""
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in ("optimum", "launch", "arrival", "TOF d", "C3 km²/s²", "v∞arr km/s", "Δv km/s"):
        table.add_column(column, justify="right" if "km" in column or "TOF" in column else "left")
    for key, label in (("min_c3", "min C3"), ("min_dv", "min Δv")):
        cell = summary.get(key)
        if cell is None:
            table.add_row(label, "no feasible cell", "", "", "", "", "")
            continue
        dv = cell.get("dv_km_s", cell["c3_km2_s2"] ** 0.5 + cell["vinf_arrival_km_s"])
        table.add_row(
            label,
            cell["launch"][:10],
            cell["arrival"][:10],
            f"{cell['tof_days']:.1f}",
            f"{cell['c3_km2_s2']:.3f}",
            f"{cell['vinf_arrival_km_s']:.3f}",
            f"{dv:.3f}",
        )
    return table


def _json_summary(summary: dict[str, Any], seconds: float) -> dict[str, Any]:
    out = dict(summary)
    if out["min_c3"] is not None:
        cell = out["min_c3"]
        out["min_c3"] = {
            "c3_km2_s2": cell["c3_km2_s2"],
            "launch": cell["launch"],
            "arrival": cell["arrival"],
            "tof_days": cell["tof_days"],
            "vinf_arrival_km_s": cell["vinf_arrival_km_s"],
            "dla_deg": cell["dla_deg"],
            "rla_deg": cell["rla_deg"],
        }
    if out["min_dv"] is not None:
        cell = out["min_dv"]
        out["min_dv"] = {
            "dv_km_s": cell["dv_km_s"],
            "launch": cell["launch"],
            "arrival": cell["arrival"],
            "tof_days": cell["tof_days"],
            "c3_km2_s2": cell["c3_km2_s2"],
            "vinf_arrival_km_s": cell["vinf_arrival_km_s"],
        }
    out["compute_seconds"] = round(seconds, 3)
    return out


def register(app: typer.Typer) -> None:
    @app.command()
    def porkchop(
        departure: str = typer.Argument(..., help="Departure body: 'earth', 399, 'kamooalewa' ..."),
        arrival: str = typer.Argument(
            ..., help="Arrival body: 'mars', 499, 'kamooalewa', '311P' ..."
        ),
        launch: str = typer.Option(
            ..., "--launch", help="Launch span START/END (UTC), e.g. 2020-06-01/2020-09-30."
        ),
        arrival_span: str = typer.Option(..., "--arrival", help="Arrival span START/END (UTC)."),
        grid: int = typer.Option(200, "--grid", help="Grid points per axis."),
        revs: list[int] = typer.Option(
            [0],
            "--revs",
            help="Full revolutions; repeat (--revs 0 --revs 1) to keep the best per cell.",
        ),
        min_tof_days: float = typer.Option(
            0.0, "--min-tof", help="Blank cells with a shorter time of flight (days)."
        ),
        out: Path | None = typer.Option(None, "--out", help="Write the Dataset to NetCDF."),
        plot: Path | None = typer.Option(
            None, "--plot", help="Write the porkchop plot (PNG, PDF, SVG)."
        ),
        mark: str | None = typer.Option(
            None, "--mark", help="Draw this launch date on the plot (e.g. 2020-07-30T11:50)."
        ),
        json_out: bool = typer.Option(
            False, "--json", help="Print a JSON summary alone on stdout."
        ),
    ) -> None:
        """Porkchop: departure C3, arrival v-infinity and delta-v over launch x arrival dates."""
        if mark is not None:
            from orbits.time import to_et

            try:
                to_et(mark)
            except ValueError as exc:
                raise KamoCLIError(f"--mark: {exc}") from None
        start = time.perf_counter()
        try:
            ds = compute_porkchop(
                departure, arrival, launch, arrival_span, grid, revs, min_tof_days
            )
        except KamoCLIError:
            raise
        except (ValueError, TypeError) as exc:
            raise KamoCLIError(str(exc)) from None
        seconds = time.perf_counter() - start
        err_console.print(
            f"porkchop {ds.attrs['departure_body']} -> {ds.attrs['arrival_body']}: "
            f"{ds.sizes['launch']} x {ds.sizes['arrival']} cells in {seconds:.2f} s"
        )
        write_outputs(ds, out, plot, mark_launch=mark)
        summary = ds.porkchop.summary()
        if json_out:
            emit_json(_json_summary(summary, seconds))
        else:
            from rich.console import Console

            Console().print(summary_table(summary, ds.attrs["title"]))
