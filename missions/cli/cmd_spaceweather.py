"""``kamo spaceweather``: NOAA SWPC feeds, NOAA scales, advisories, CME arrival."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import typer

from missions.cli._common import KamoCLIError, emit_json, err_console

_BASE = "https://services.swpc.noaa.gov/"


def _print_report(report: dict) -> None:
    kp, pr, xr_, sw = report["kp"], report["protons"], report["xray"], report["solar_wind"]

    def f(x, fmt):
        return "-" if x is None else format(x, fmt)

    typer.echo(
        f"Kp      {f(kp['value'], '.2f')} (G{kp['g_scale']}) at {kp['time']}; "
        f"24 h peak {f(kp['peak'], '.2f')} (G{kp['peak_g_scale']})"
    )
    typer.echo(
        f"protons {f(pr['flux_pfu'], '.3g')} pfu >=10 MeV (S{pr['s_scale']}); "
        f"24 h peak {f(pr['peak_pfu'], '.3g')} (S{pr['peak_s_scale']})"
    )
    typer.echo(
        f"x-rays  {f(xr_['flux_w_m2'], '.2e')} W/m2 {xr_['flare_class'] or '-'} (R{xr_['r_scale']}); "
        f"24 h peak {xr_['peak_flare_class'] or '-'} (R{xr_['peak_r_scale']})"
    )
    typer.echo(
        f"wind    {f(sw['speed_km_s'], '.0f')} km/s, {f(sw['density_cm3'], '.1f')} cm-3, "
        f"Bt {f(sw['bt_nT'], '.1f')} nT, Bz {f(sw['bz_nT'], '.1f')} nT ({sw['source'] or '-'})"
    )
    age = report["age_s"]
    typer.echo(f"stale   {report['stale']} (oldest product {f(age, '.0f')} s old)")
    for name, p in report["products"].items():
        if p["stale"]:
            typer.echo(f"  {name}: {p['reason']}")
    if not report["advisories"]:
        typer.echo("advisories: none")
    for a in report["advisories"]:
        typer.echo(f"ADVISORY {a['rule']}: {'; '.join(a['actions'])}")
        typer.echo(f"  {a['start']} -> ~{a['expected_end']}: {a['reason']}")


def _now(now: str | None):
    if now is None:
        return _dt.datetime.now(_dt.UTC)
    try:
        value = _dt.datetime.fromisoformat(now.replace("Z", "+00:00"))
    except ValueError:
        raise KamoCLIError(
            f"--now must be an ISO time like 2026-08-07T01:30Z, got {now!r}"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=_dt.UTC)


def _rules_and_products(rules: Path | None):
    """The advisory rules (read once) and the products they need (the Kp forecast if read)."""
    from ground.spaceweather.advisories import load_rules
    from ground.spaceweather.status import products_for

    rule_set = load_rules(rules)
    return rule_set, products_for(rule_set)


def _report(client, results, rules, now, plot, days, json_out) -> None:
    from ground.spaceweather.plot import plot_products
    from ground.spaceweather.status import status_report

    report = status_report(results, rules=rules, now=_now(now))
    if plot is not None:
        plot_products({k: r.dataset for k, r in results.items()}, plot, days=days)
        err_console.print(f"plot written to {plot}")
    if json_out:
        emit_json(report)
    else:
        _print_report(report)


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help="Space weather: NOAA SWPC feeds, G/S/R scales, advisories, CME arrival.",
        no_args_is_help=True,
    )
    app.add_typer(group, name="spaceweather")

    base_opt = typer.Option(_BASE, "--base-url", help="Root URL of the SWPC feeds.")
    cache_opt = typer.Option(
        None, "--cache-dir", help="Cache directory (default $KAMO_SWPC_CACHE or the XDG cache)."
    )
    rules_opt = typer.Option(
        None, "--rules", help="Advisory rules TOML (rules file or mission file); default: kamo's."
    )
    now_opt = typer.Option(
        None, "--now", help="Evaluate advisories at this UTC time (default: the wall clock)."
    )
    plot_opt = typer.Option(None, "--plot", help="Write a quick-look PNG/PDF of the last days.")
    days_opt = typer.Option(3.0, "--days", help="Days shown by --plot.")
    json_opt = typer.Option(False, "--json", help="Print JSON on stdout.")

    @group.command()
    def fetch(
        base_url: str = base_opt,
        cache_dir: Path | None = cache_opt,
        rules: Path | None = rules_opt,
        now: str | None = now_opt,
        plot: Path | None = plot_opt,
        days: float = days_opt,
        timeout: float = typer.Option(10.0, "--timeout", help="Seconds per attempt."),
        retries: int = typer.Option(3, "--retries", help="Retries after the first attempt."),
        backoff: float = typer.Option(0.5, "--backoff", help="First retry wait (s), doubling."),
        json_out: bool = json_opt,
    ) -> None:
        """Fetch every product (falling back to the cache) and report scales and advisories."""
        from ground.spaceweather.client import SWPCClient

        rule_set, products = _rules_and_products(rules)
        with SWPCClient(
            base_url, cache_dir, timeout=timeout, retries=retries, backoff=backoff
        ) as client:
            results = client.fetch_all(products)
            _report(client, results, rule_set, now, plot, days, json_out)

    @group.command()
    def status(
        cache_dir: Path | None = cache_opt,
        rules: Path | None = rules_opt,
        now: str | None = now_opt,
        plot: Path | None = plot_opt,
        days: float = days_opt,
        max_age: float = typer.Option(
            900.0, "--max-age", help="Cached products older than this (s) count as stale."
        ),
        json_out: bool = json_opt,
    ) -> None:
        """Report from the cache only (no network)."""
        from ground.spaceweather.client import SWPCClient

        rule_set, products = _rules_and_products(rules)
        with SWPCClient(_BASE, cache_dir) as client:
            results = client.cached_all(products, max_age_s=max_age)
            _report(client, results, rule_set, now, plot, days, json_out)

    @group.command()
    def watch(
        archive: Path = typer.Option(..., "--archive", help="Zarr store to append to."),
        base_url: str = base_opt,
        cache_dir: Path | None = cache_opt,
        count: int | None = typer.Option(None, "--count", help="Stop after N cycles."),
        interval: float = typer.Option(60.0, "--interval", help="Seconds between cycles."),
        timeout: float = typer.Option(10.0, "--timeout", help="Seconds per attempt."),
        retries: int = typer.Option(3, "--retries", help="Retries after the first attempt."),
        json_out: bool = json_opt,
    ) -> None:
        """Poll on a schedule and append new rows to a Zarr archive (no duplicates across restarts)."""
        from ground.spaceweather.client import SWPCClient
        from ground.spaceweather.poller import watch as run_watch

        def report(cycle, results, rows):
            stale = sorted(n for n, r in results.items() if r.stale)
            err_console.print(
                f"cycle {cycle + 1}: +{sum(rows.values())} rows"
                + (f"; stale: {', '.join(stale)}" if stale else "")
            )

        with SWPCClient(base_url, cache_dir, timeout=timeout, retries=retries) as client:
            added = run_watch(client, archive, count=count, interval=interval, on_cycle=report)
        if json_out:
            emit_json({"archive": str(archive), "cycles": len(added), "rows_added": added})

    @group.command()
    def cme(
        launch: str = typer.Option(..., "--launch", help="UTC time the CME was at r0 (ISO)."),
        speed: float = typer.Option(..., "--speed", help="Initial speed at r0 (km/s)."),
        target: str = typer.Option("earth", "--target", help="Body or spacecraft name."),
        lon: float | None = typer.Option(None, "--lon", help="CME axis ecliptic longitude (deg)."),
        lat: float = typer.Option(0.0, "--lat", help="CME axis ecliptic latitude (deg)."),
        offset: float | None = typer.Option(None, "--offset", help="Target angle from axis (deg)."),
        half_width: float = typer.Option(30.0, "--half-width", help="Cone half-width (deg)."),
        gamma: float = typer.Option(0.2e-7, "--gamma", help="Drag parameter (1/km)."),
        wind: float = typer.Option(400.0, "--wind", help="Solar-wind speed (km/s)."),
        ensemble: int = typer.Option(0, "--ensemble", help="Members of an ensemble run (0: none)."),
        seed: int = typer.Option(0, "--seed", help="Ensemble seed."),
        json_out: bool = json_opt,
    ) -> None:
        """CME arrival time and speed at a target with the drag-based model."""
        from ground.spaceweather.dbm import cme_arrival, cme_arrival_ensemble

        direction = None if lon is None else (lon, lat)
        common = dict(direction=direction, offset=offset, half_width=half_width)
        if ensemble > 0:
            ens = cme_arrival_ensemble(
                launch, speed, target, members=ensemble, seed=seed, wind_speed=wind, **common
            )
            out = {
                "target": ens.target,
                "members": ensemble,
                "hit_probability": ens.hit_probability,
                "arrival_median": ens.arrival_median,
                "arrival_p05": ens.arrival_p05,
                "arrival_p95": ens.arrival_p95,
                "transit_hours_median": ens.transit_hours_median,
                "speed_median_km_s": ens.speed_median_km_s,
            }
            text = repr(ens)
        else:
            res = cme_arrival(launch, speed, target, gamma=gamma, wind_speed=wind, **common)
            out = {
                "target": res.target,
                "hit": res.hit,
                "arrival": res.arrival,
                "transit_hours": res.transit_hours,
                "arrival_speed_km_s": res.arrival_speed_km_s,
                "target_distance_au": res.target_distance_au,
                "offset_deg": res.offset_deg,
            }
            text = repr(res)
        if json_out:
            emit_json(out)
        else:
            typer.echo(text)
