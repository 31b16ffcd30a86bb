"""``kamo body``: a small body's physical numbers, a synthetic shape and its gravity-model errors."""

from __future__ import annotations

from pathlib import Path

import typer

from missions.cli._common import KamoCLIError, emit_json, err_console


def register(app: typer.Typer) -> None:
    @app.command("body")
    def body(
        diameter: float = typer.Option(
            41.0, "--diameter", help="Volume-equivalent diameter, m (36-100)."
        ),
        density: float = typer.Option(2.7, "--density", help="Bulk density, g/cm^3 (1.0-4.0)."),
        period: float = typer.Option(28.3, "--period", help="Rotation period, min (27.0-30.1)."),
        seed: int = typer.Option(0, "--seed", help="Seed of the synthetic shape."),
        gravity_errors: bool = typer.Option(
            False, "--gravity-errors", help="Fit mascons and report model errors vs the polyhedron."
        ),
        shape_out: Path = typer.Option(
            None, "--shape-out", help="Write the synthetic shape as OBJ."
        ),
        json_out: bool = typer.Option(False, "--json", help="Print JSON on stdout."),
    ) -> None:
        """Kamoʻoalewa's derived physics for a size, density and spin inside the published ranges."""
        from gnc.bodies import kamooalewa

        try:
            model = kamooalewa(diameter_m=diameter, density=density * 1000.0, period_min=period)
        except ValueError as exc:
            raise KamoCLIError(str(exc)) from None
        payload: dict = {
            "name": model.name,
            "diameter_m": model.diameter_m,
            "density_kg_m3": model.density_kg_m3,
            "period_s": model.period_s,
            "semi_axes_m": list(model.semi_axes_m),
            "mass_kg": model.mass_kg,
            "gm_m3_s2": model.gm,
            "surface_gravity_m_s2": model.surface_gravity,
            "escape_speed_m_s": model.escape_speed,
            "spin_rate_rad_s": model.spin_rate,
            "equatorial_speed_m_s": model.equatorial_speed,
            "centrifugal_to_gravity": model.centrifugal_to_gravity,
            "synchronous_radius_m": model.synchronous_radius_m,
        }
        if shape_out is not None or gravity_errors:
            mesh = model.synthetic_shape(seed=seed)
            payload["shape_faces"] = len(mesh.faces)
            if shape_out is not None:
                from gnc.shape import save_obj

                shape_out.parent.mkdir(parents=True, exist_ok=True)
                save_obj(mesh, shape_out)
                payload["shape_out"] = str(shape_out)
        if gravity_errors:
            from gnc.gravity import (
                EllipsoidGravity,
                PointMassGravity,
                PolyhedronGravity,
                fit_mascons,
                gravity_error_table,
            )

            err_console.print("fitting mascons to the polyhedron ...")
            truth = PolyhedronGravity(mesh, model.density_kg_m3)
            mascons = fit_mascons(truth, n_mascons=60, seed=seed)
            table = gravity_error_table(
                truth,
                {
                    "point_mass": PointMassGravity(truth.gm),
                    "ellipsoid": EllipsoidGravity.from_mesh(mesh, model.density_kg_m3),
                    "mascons": mascons,
                },
                mesh,
                n=150,
                seed=seed,
            )
            payload["gravity_errors_median"] = {
                m: dict(
                    zip(
                        table.shell.values.tolist(),
                        table["median"].sel(model=m).values.tolist(),
                        strict=True,
                    )
                )
                for m in table.model.values.tolist()
            }
            payload["gravity_errors_p95"] = {
                m: dict(
                    zip(
                        table.shell.values.tolist(),
                        table["p95"].sel(model=m).values.tolist(),
                        strict=True,
                    )
                )
                for m in table.model.values.tolist()
            }
        if json_out:
            emit_json(payload)
            return
        from rich.console import Console
        from rich.table import Table

        t = Table(title=repr(model), show_header=False)
        for k, v in payload.items():
            if isinstance(v, dict):
                for m, row in v.items():
                    t.add_row(
                        f"{k} [{m}]", ", ".join(f"{s}: {x * 100:.2f} %" for s, x in row.items())
                    )
            else:
                t.add_row(k, f"{v:.4g}" if isinstance(v, float) else str(v))
        Console().print(t)
