"""``kamo descent simulate``: one seeded closed-loop touch-and-go at Kamoʻoalewa."""

from __future__ import annotations

from pathlib import Path

import typer

from missions.cli._common import KamoCLIError, command_group, emit_json, err_console

_KEYS = (
    "outcome",
    "touchdown_error_m",
    "touchdown_speed_vertical_m_s",
    "target_vertical_speed_m_s",
    "touchdown_speed_lateral_m_s",
    "contact_duration_s",
    "propellant_used_kg",
    "safe_altitude_reached_m",
)


def _plot(result, out_dir: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ds = result.trajectory
    out_dir.mkdir(parents=True, exist_ok=True)
    t = ds["time"].values
    fig, ax = plt.subplots(2, 2, figsize=(11, 7), constrained_layout=True)
    ax[0, 0].plot(t, ds["altitude"].values)
    ax[0, 0].set(xlabel="time (s)", ylabel="altitude (m)", title="altitude above the site")
    for i, name in enumerate(["east", "north"]):
        ax[0, 1].plot(t, ds["r_local"].values[:, i], label=name)
    ax[0, 1].set(xlabel="time (s)", ylabel="m", title="horizontal offset from the site")
    ax[0, 1].legend()
    for i, name in enumerate(["east", "north", "up"]):
        ax[1, 0].plot(t, 100 * ds["v_local"].values[:, i], label=name)
    ax[1, 0].set(xlabel="time (s)", ylabel="cm/s", title="velocity relative to the surface")
    ax[1, 0].legend()
    ax[1, 1].plot(t, ds["thrust_local"].values)
    ax[1, 1].set(xlabel="time (s)", ylabel="N", title="delivered thrust (east, north, up)")
    traj = out_dir / "descent_trajectory.png"
    fig.savefig(traj, dpi=110)
    plt.close(fig)
    fig, ax = plt.subplots(2, 1, figsize=(9, 6), sharex=True, constrained_layout=True)
    ax[0].plot(t, ds["position_error"].values)
    ax[0].plot(t, ds["position_sigma"].values, "k--", label="1-sigma (rss)")
    ax[0].set(ylabel="m", title="navigation position error (east, north, up)")
    ax[0].legend()
    ax[1].plot(t, 100 * ds["velocity_error"].values)
    ax[1].plot(t, 100 * ds["velocity_sigma"].values, "k--")
    ax[1].set(xlabel="time (s)", ylabel="cm/s", title="navigation velocity error")
    nav = out_dir / "descent_filter_errors.png"
    fig.savefig(nav, dpi=110)
    plt.close(fig)
    return [traj, nav]


def register(app: typer.Typer) -> None:
    group = command_group(app, "descent", help="Proximity operations: descent and touch-and-go.")

    @group.command("simulate")
    def simulate(
        seed: int = typer.Option(0, "--seed", help="Random seed of the run (>= 0)."),
        json_out: bool = typer.Option(False, "--json", help="Print the figures as JSON on stdout."),
        plot: Path | None = typer.Option(
            None, "--plot", help="Write trajectory and filter-error plots to this directory."
        ),
        diameter: float = typer.Option(41.0, "--diameter", help="Body diameter in m (36 to 100)."),
        density: float = typer.Option(
            2.7, "--density", help="Bulk density in g/cm^3 (1.0 to 4.0)."
        ),
        period: float = typer.Option(
            28.3, "--period", help="Spin period in minutes (27.0 to 30.1)."
        ),
        truth_gravity: str = typer.Option(
            "polyhedron", "--truth-gravity", help="polyhedron or ellipsoid."
        ),
    ) -> None:
        """Fly hover -> descent -> touch-and-go -> back-away with sensors, EKF, MPC and thrusters in the loop."""
        from gnc.simulation import TouchAndGoScenario, simulate_touch_and_go

        if seed < 0:
            raise KamoCLIError(f"--seed must be >= 0, got {seed}")
        if not 1.0 <= density <= 4.0:
            raise KamoCLIError(
                f"--density {density:g} g/cm3 is outside the accepted range 1.0 to 4.0 g/cm3 for Kamoʻoalewa"
            )
        if truth_gravity not in ("polyhedron", "ellipsoid"):
            raise KamoCLIError(
                f"--truth-gravity must be polyhedron or ellipsoid, got {truth_gravity!r}"
            )
        try:
            scenario = TouchAndGoScenario(
                diameter_m=diameter,
                density_kg_m3=density * 1000.0,
                period_min=period,
                truth_gravity=truth_gravity,
            )
        except ValueError as exc:
            raise KamoCLIError(str(exc)) from None
        err_console.print(
            f"simulating touch-and-go, seed {seed}, D={diameter:g} m, rho={density:g} g/cm3, P={period:g} min"
        )
        result = simulate_touch_and_go(seed, scenario)
        payload = {k: getattr(result, k) for k in _KEYS}
        payload.update({"seed": seed, "guidance_counts": result.guidance_counts})
        if plot is not None:
            files = _plot(result, plot)
            payload["plots"] = [str(f) for f in files]
            err_console.print(f"plots written to {plot}")
        if json_out:
            emit_json(payload)
        else:
            for k, v in payload.items():
                typer.echo(f"{k:32s} {v}")
