"""``kamo version``: the software and its main dependencies."""

from __future__ import annotations

from importlib import metadata

import typer

from missions.cli._common import emit_json

_PARTS = ["kamo", "numpy", "numba", "astropy", "spiceypy", "casadi", "boinor", "xarray", "dask"]


def register(app: typer.Typer) -> None:
    @app.command()
    def version(
        json_out: bool = typer.Option(False, "--json", help="Print JSON on stdout."),
    ) -> None:
        """Show the versions of kamo and the libraries it stands on."""
        versions = {}
        for name in _PARTS:
            try:
                versions[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                versions[name] = None
        if json_out:
            emit_json(versions)
        else:
            for name, ver in versions.items():
                typer.echo(f"{name:10s} {ver}")
