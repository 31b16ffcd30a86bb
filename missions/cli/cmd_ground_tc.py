"""``kamo ground command | verify | contacts``: signed telecommands and station contacts."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from missions.cli._common import KamoCLIError, command_group, emit_json, err_console

GROUND_HELP = "Ground segment: CCSDS telemetry and telecommand, archive, station contacts."


def register(app: typer.Typer) -> None:
    ground = command_group(app, "ground", help=GROUND_HELP)

    @ground.command("command")
    def command(
        name: str = typer.Argument(..., help="Command name from the dictionary, e.g. HEATER_SET."),
        args: list[str] = typer.Argument(None, help="Arguments as NAME=VALUE."),
        key_file: Path = typer.Option(
            ..., "--key-file", help="Mission key: hex text or raw bytes."
        ),
        seq: int = typer.Option(
            ..., "--seq", help="Authentication sequence number (must increase)."
        ),
        out: Path = typer.Option(None, "--out", help="Write the TC packet bytes here."),
        key_id: int = typer.Option(1, "--key-id", help="Key id carried in the TC (0..65535)."),
        source_id: int = typer.Option(0, "--source-id", help="PUS source id of the sender."),
        dictionary: Path = typer.Option(None, "--dict", help="XTCE (.xml) or TOML dictionary."),
        json_out: bool = typer.Option(False, "--json", help="Print JSON on stdout."),
    ) -> None:
        """Build a telecommand from the dictionary, sign it (HMAC-SHA256) and write it."""
        from ground.auth import load_key
        from ground.dictionary import CommandError
        from ground.telecommand import build_command, parse_assignments

        key = load_key(key_file, key_id=key_id)
        try:
            tc = build_command(
                name,
                parse_assignments(args or []),
                key=key,
                auth_seq=seq,
                dictionary=str(dictionary) if dictionary else None,
                source_id=source_id,
            )
        except CommandError as exc:
            raise KamoCLIError(f"command refused: {exc}") from None
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(tc.raw)
        payload = tc.to_dict() | {
            "out": str(out) if out else None,
            "key_fingerprint": key.fingerprint(),
        }
        if json_out:
            emit_json(payload)
        else:
            typer.echo(repr(tc))
            typer.echo(tc.raw.hex(" "))
            if out is not None:
                err_console.print(f"wrote {len(tc.raw)} octets to {out}")

    @ground.command("verify")
    def verify(
        tc_file: Path = typer.Argument(..., help="File holding one TC packet."),
        key_file: Path = typer.Option(
            ..., "--key-file", help="Mission key: hex text or raw bytes."
        ),
        key_id: int = typer.Option(1, "--key-id", help="Id of that key."),
        last_seq: int = typer.Option(-1, "--last-seq", help="Last accepted auth sequence number."),
        dictionary: Path = typer.Option(None, "--dict", help="Also check against this dictionary."),
        json_out: bool = typer.Option(False, "--json", help="Print JSON on stdout."),
    ) -> None:
        """Run the onboard verifier on a TC file; exit code 1 when it is rejected."""
        from ground.auth import OnboardVerifier, load_key
        from ground.dictionary import load_dictionary

        if not tc_file.is_file():
            raise FileNotFoundError(f"TC file not found: {tc_file}")
        key = load_key(key_file, key_id=key_id)
        d = load_dictionary(dictionary) if dictionary else None
        v = OnboardVerifier({key.key_id: key.secret}, last_seq=last_seq, dictionary=d)
        verdict = v.verify(tc_file.read_bytes())
        payload = {
            "accepted": verdict.accepted,
            "reason": verdict.reason,
            "failure_code": verdict.failure_code,
            "detail": verdict.detail,
            "apid": verdict.apid,
            "service": verdict.service,
            "subservice": verdict.subservice,
            "auth_seq": verdict.auth_seq,
            "key_id": verdict.key_id,
            "report_hex": verdict.report.hex() if verdict.report else None,
        }
        if json_out:
            emit_json(payload)
        else:
            typer.echo(repr(verdict))
        if not verdict.accepted:
            # SystemExit, not typer.Exit: main() runs click with standalone_mode=False,
            # where an Exit's code is returned and lost
            sys.exit(1)

    @ground.command("contacts")
    def contacts_cmd(
        trajectory: Path = typer.Option(
            ..., "--trajectory", help="Spacecraft path: .bsp, .nc or .zarr."
        ),
        spk_id: int = typer.Option(
            None, "--spk-id", help="NAIF id in the SPK (if it holds several)."
        ),
        stations: str = typer.Option(
            "kashi,jiamusi,neuquen", "--stations", help="Comma-separated keys."
        ),
        start: str = typer.Option(
            None, "--start", help="ISO UTC start (default: trajectory start)."
        ),
        end: str = typer.Option(None, "--end", help="ISO UTC end (default: trajectory end)."),
        mask: float = typer.Option(
            None, "--mask", help="Elevation mask, deg (default: per station)."
        ),
        light_time: str = typer.Option(
            "downlink",
            "--light-time",
            help="downlink (where it was), uplink (where it will be) or none.",
        ),
        out: Path = typer.Option(None, "--out", help="Save the table (.nc or .csv)."),
        json_out: bool = typer.Option(False, "--json", help="Print JSON on stdout."),
    ) -> None:
        """Contact windows (AOS, TCA, LOS) with range, light time and supportable data rate."""
        from ground.contacts import contacts, contacts_to_records
        from ground.linkbudget import add_data_rates

        if not trajectory.exists():
            raise FileNotFoundError(f"trajectory file not found: {trajectory}")
        table = contacts(
            trajectory,
            start,
            end,
            stations=stations,
            spk_id=spk_id,
            elevation_mask_deg=mask,
            light_time=light_time,
        )
        table = add_data_rates(table)
        records = contacts_to_records(table)
        for rec, rate in zip(records, table["data_rate_tca"].values, strict=True):
            rec["data_rate_bps_tca"] = float(rate)
        if out is not None:
            if out.suffix.lower() == ".csv":
                table.to_dataframe().to_csv(out)
            elif out.suffix.lower() in (".nc", ".nc4"):
                table.to_netcdf(out)
            else:
                raise KamoCLIError(f"--out {out}: use a .nc or .csv file name")
        payload = {
            "trajectory": table.attrs["trajectory"],
            "stations": table.attrs["stations"].split(","),
            "start": table.attrs["start_utc"],
            "end": table.attrs["end_utc"],
            "light_time": table.attrs["light_time_correction"],
            "count": len(records),
            "contacts": records,
        }
        if json_out:
            emit_json(payload)
            return
        from rich.console import Console
        from rich.table import Table

        view = Table(title=f"contacts of {payload['trajectory']}")
        for col in ("station", "AOS UTC", "TCA", "LOS", "el max", "range km", "OWLT s", "bit/s"):
            view.add_column(col, no_wrap=True)

        def short(iso: str, cut: bool) -> str:
            return iso[5:19].replace("T", " ") + ("*" if cut else "")

        for r in records:
            view.add_row(
                r["station"],
                short(r["aos"], r["aos_cut"]),
                short(r["tca"], False),
                short(r["los"], r["los_cut"]),
                f"{r['max_elevation']:.1f}",
                f"{r['range_km_tca']:.4g}",
                f"{r['light_time_s_tca']:.3f}",
                f"{r['data_rate_bps_tca']:.3g}",
            )
        Console(width=max(Console().width, 110)).print(view)
        err_console.print("* window cut by --start/--end; times UTC; OWLT = one-way light time")
