"""``kamo ground decode`` and ``kamo ground replay``: telemetry files in, archive and accounting out."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from missions.cli._common import KamoCLIError, command_group, emit_json, err_console


def _load_dict(spec: str | None):
    from ground.dictionary import DEFAULT_DICTIONARY, compile_toml, load_dictionary

    if spec is None:
        return None, None
    path = DEFAULT_DICTIONARY if spec in ("kamo", "sample") else Path(spec)
    if not path.exists():
        raise KamoCLIError(
            f"dictionary {spec} does not exist (give an XTCE .xml or kamo .toml file, or 'kamo')"
        )
    xml = compile_toml(path) if path.suffix.lower() == ".toml" else path.read_text()
    return load_dictionary(path), xml


def _sidecar(out: Path) -> Path:
    return out.with_suffix(".dict.xml")


def register(app: typer.Typer) -> None:
    ground = command_group(
        app, "ground", help="Ground segment: telemetry, telecommand, contacts, space weather."
    )

    @ground.command("decode")
    def decode(
        raw: Path = typer.Argument(
            ...,
            help="File of concatenated space packets (or, with --frames, sync-marked TM frames).",
        ),
        dictionary: str = typer.Option(
            None,
            "--dict",
            help="XTCE .xml or kamo .toml dictionary ('kamo' = the sample one). Without it packets are decoded at header level.",
        ),
        frames: bool = typer.Option(
            False, "--frames", help="The file holds ASM + TM transfer frames, not bare packets."
        ),
        frame_length: int = typer.Option(
            0,
            "--frame-length",
            help="Frame length in octets without the ASM (0: detect from the sync-marker spacing).",
        ),
        no_fecf: bool = typer.Option(
            False, "--no-fecf", help="Frames carry no Frame Error Control Field."
        ),
        no_crc: bool = typer.Option(False, "--no-crc", help="Do not check PUS packet CRCs."),
        out: Path = typer.Option(
            None,
            "--out",
            help="Zarr store for processed parameters (raw packets go to OUT with suffix .kpa).",
        ),
        max_alarms: int = typer.Option(
            1000, "--max-alarms", help="At most this many alarm rows in the JSON."
        ),
        json_out: bool = typer.Option(
            False, "--json", help="Print the accounting as JSON on stdout."
        ),
    ) -> None:
        """Decode a telemetry file: every byte accounted for, parameters decommutated, limits checked, archived."""
        from ground.decom import decommutate
        from ground.frames import FrameConfig, FrameError, detect_frame_length
        from ground.limits import alarms_to_records, check_limits
        from ground.stream import decode_stream_bytes

        if not raw.exists():
            raise KamoCLIError(f"telemetry file {raw} does not exist")
        d, xml = _load_dict(dictionary)
        data = raw.read_bytes()
        t0 = time.perf_counter()
        cfg = None
        if frames:
            try:
                length = frame_length or detect_frame_length(data, fecf=not no_fecf)
                cfg = FrameConfig(length=length, fecf=not no_fecf)
            except FrameError as exc:
                raise KamoCLIError(str(exc)) from None
        result, summary = decode_stream_bytes(data, d, frames=cfg, verify_crc=not no_crc)
        datasets = decommutate(result, d)
        alarms = check_limits(datasets, d) if d is not None else None
        elapsed = time.perf_counter() - t0
        summary["alarms"] = alarms_to_records(alarms, max_alarms) if alarms is not None else []
        summary["alarm_count"] = 0 if alarms is None else int(len(alarms))
        summary["types"] = {
            name: int(ds.sizes.get("time", ds.sizes.get("packet", 0)))
            for name, ds in datasets.items()
        }
        if cfg is not None:
            summary["frames"]["length"] = cfg.length
        if out is not None:
            from ground.archive import Archive

            archive = Archive(out, d)
            archive.ingest(result, datasets)
            if xml is not None:
                _sidecar(out).write_text(xml)
            summary["archive"] = {
                "processed": str(out),
                "raw": str(archive.raw.path),
                "recovery": archive.raw.recovery.message,
            }
        summary["decode_seconds"] = round(elapsed, 3)
        if json_out:
            emit_json(summary)
            return
        b = summary["bytes"]
        err_console.print(
            f"{summary['packets']} packets, {summary['idle_packets']} idle; "
            f"bytes {b['total']} = {b['packets']} packets + {b['idle']} idle + {b['quarantined']} quarantined"
        )
        for reason, n in summary["quarantine"].items():
            err_console.print(f"  quarantined {reason}: {n} octets")
        for apid, st in summary["apids"].items():
            err_console.print(f"  APID {apid}: {st['packets']} packets, {st['missing']} missing")
        err_console.print(f"{summary['alarm_count']} alarms")

    @ground.command("replay")
    def replay(
        archive_path: Path = typer.Argument(
            ...,
            help="Processed Zarr store written by `kamo ground decode --out` (its .kpa raw store is read).",
        ),
        out: Path = typer.Option(..., "--out", help="File to write the replayed packet stream to."),
        start: str = typer.Option(None, "--start", help="First packet time (UTC ISO), inclusive."),
        end: str = typer.Option(None, "--end", help="Last packet time (UTC ISO), inclusive."),
        dictionary: str = typer.Option(
            None,
            "--dict",
            help="Dictionary for packet times (default: the one saved with the archive).",
        ),
        json_out: bool = typer.Option(False, "--json", help="Print a summary as JSON on stdout."),
    ) -> None:
        """Replay the raw packets of a time range from an archive as a packet stream file."""
        import numpy as np

        from ground.archive import Archive

        raw_path = archive_path.with_suffix(".kpa")
        if not raw_path.exists():
            raise KamoCLIError(
                f"no raw store {raw_path} next to {archive_path}; decode with --out first"
            )
        spec = dictionary or (
            str(_sidecar(archive_path)) if _sidecar(archive_path).exists() else None
        )
        d, _ = _load_dict(spec)
        if (start or end) and d is None:
            raise KamoCLIError(
                "a time range needs a dictionary (packet times come from it); pass --dict"
            )
        for label, value in (("--start", start), ("--end", end)):
            if value is not None:
                try:
                    np.datetime64(value.replace("Z", ""))
                except ValueError:
                    raise KamoCLIError(
                        f"{label} {value!r} is not an ISO time like 2026-01-01T00:00:00"
                    ) from None
        archive = Archive(archive_path, d)
        count = size = 0
        with open(out, "wb") as fh:
            for pkt in archive.replay(start, end):
                fh.write(pkt)
                count += 1
                size += len(pkt)
        summary = {
            "packets": count,
            "bytes": size,
            "start": start,
            "end": end,
            "out": str(out),
            "recovery": archive.raw.recovery.message,
        }
        if json_out:
            emit_json(summary)
        else:
            err_console.print(f"replayed {count} packets ({size} octets) to {out}")
