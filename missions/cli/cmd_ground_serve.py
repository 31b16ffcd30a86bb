"""``kamo ground serve`` (the Open MCT display and its API) and ``kamo ground follow``."""

from __future__ import annotations

from pathlib import Path

import typer

from missions.cli._common import KamoCLIError, command_group, emit_json, err_console


def register(app: typer.Typer) -> None:
    ground = command_group(
        app, "ground", help="Ground segment: telemetry, telecommand, contacts, space weather."
    )

    @ground.command("serve")
    def serve_cmd(
        archive: Path = typer.Option(
            ..., "--archive", help="Zarr store written by `kamo ground decode --out` (or follow)."
        ),
        dictionary: str = typer.Option(
            None,
            "--dict",
            help="XTCE .xml / kamo .toml dictionary, or 'kamo' (default: the one saved with the archive).",
        ),
        swpc_cache: Path = typer.Option(
            None,
            "--swpc-cache",
            help="SWPC cache directory read for /api/spaceweather (default as `kamo spaceweather status`).",
        ),
        swpc_max_age: float = typer.Option(
            900.0, "--swpc-max-age", help="Cached products older than this (s) are flagged stale."
        ),
        host: str = typer.Option(
            "127.0.0.1", "--host", help="Address to bind (loopback unless you mean otherwise)."
        ),
        port: int = typer.Option(8080, "--port", help="TCP port."),
        token_file: Path = typer.Option(
            None,
            "--token-file",
            help="File holding the bearer token for POST /api/commands (no token: commanding off).",
        ),
        key_file: Path = typer.Option(
            None, "--key-file", help="Mission key that signs commands (with --token-file)."
        ),
        key_id: int = typer.Option(1, "--key-id", help="Id of the mission key."),
        tc_queue: Path = typer.Option(
            None, "--tc-queue", help="Directory for signed commands (default ARCHIVE.tcqueue)."
        ),
        first_seq: int = typer.Option(
            1, "--first-seq", help="Lowest authentication sequence number to use."
        ),
        trajectory: Path = typer.Option(
            None, "--trajectory", help="Spacecraft trajectory (.bsp/.nc/.zarr) for /api/contacts."
        ),
        spk_id: int = typer.Option(None, "--spk-id", help="NAIF id in the SPK, if several."),
        stations: str = typer.Option(
            "kashi,jiamusi,neuquen", "--stations", help="Stations for contacts."
        ),
        poll: float = typer.Option(
            0.02, "--poll", help="Seconds between looks at the raw store for new packets."
        ),
        json_out: bool = typer.Option(
            False, "--json", help="Print the server's settings as JSON before serving."
        ),
    ) -> None:
        """Serve the Open MCT ground display and its HTTP API for an archive."""
        from ground.server.app import OPENMCT_DIST
        from ground.server.serve import build_config, describe, serve

        if not 0 <= port <= 65535:
            raise KamoCLIError(f"--port {port} is not a TCP port (0..65535)")
        try:
            config = build_config(
                archive,
                dictionary=dictionary,
                swpc_cache=swpc_cache,
                swpc_max_age_s=swpc_max_age,
                token_file=token_file,
                key_file=key_file,
                key_id=key_id,
                tc_queue=tc_queue,
                first_seq=first_seq,
                trajectory=trajectory,
                spk_id=spk_id,
                stations=stations,
                poll_s=poll,
            )
        except FileNotFoundError as exc:
            raise KamoCLIError(str(exc)) from None
        info = describe(config, host, port)
        if json_out:
            emit_json(info)
        if not OPENMCT_DIST.is_dir():
            err_console.print(
                "Open MCT is not installed (run `make web` or `npm ci` in ground/web); "
                "the API works, the display page will not load"
            )
        if host not in ("127.0.0.1", "localhost", "::1"):
            err_console.print(f"warning: binding {host}, reachable from other machines")
        err_console.print(f"kamo display on {info['url']} (archive {archive})")
        serve(config, host=host, port=port)

    @ground.command("follow")
    def follow_cmd(
        raw: Path = typer.Argument(..., help="Growing file of space packets (or TM frames)."),
        out: Path = typer.Option(
            ..., "--out", help="Zarr store to append to (raw store beside it)."
        ),
        dictionary: str = typer.Option("kamo", "--dict", help="XTCE .xml, kamo .toml or 'kamo'."),
        frame_length: int = typer.Option(
            0, "--frame-length", help="The file holds TM frames of this length (0: bare packets)."
        ),
        interval: float = typer.Option(0.2, "--interval", help="Seconds between reads."),
        idle_timeout: float = typer.Option(
            None, "--idle-timeout", help="Stop after this many seconds without new bytes."
        ),
        from_end: bool = typer.Option(
            False, "--from-end", help="Skip what the file already holds; archive only new bytes."
        ),
        json_out: bool = typer.Option(False, "--json", help="Print a summary as JSON at the end."),
    ) -> None:
        """Tail a growing telemetry file into an archive (Ctrl-C or --idle-timeout to stop)."""
        from ground.dictionary import DEFAULT_DICTIONARY, compile_toml, load_dictionary
        from ground.frames import FrameConfig
        from ground.server.follow import follow_file

        path = DEFAULT_DICTIONARY if dictionary in ("kamo", "sample") else Path(dictionary)
        if not path.exists():
            raise KamoCLIError(
                f"dictionary {dictionary} does not exist (XTCE .xml, .toml or 'kamo')"
            )
        d = load_dictionary(path)
        xml = compile_toml(path) if path.suffix.lower() == ".toml" else path.read_text()
        out.parent.mkdir(parents=True, exist_ok=True)
        sidecar = out.with_suffix(".dict.xml")
        if not sidecar.exists():
            sidecar.write_text(xml)
        frames = FrameConfig(length=frame_length) if frame_length else None

        def report(n, follower):
            err_console.print(f"+{n} packets ({follower.packets} in all)")

        follower = follow_file(
            raw,
            out,
            d,
            frames=frames,
            interval=interval,
            idle_timeout=idle_timeout,
            from_start=not from_end,
            on_batch=None if json_out else report,
        )
        summary = {
            "source": str(raw),
            "archive": str(out),
            "packets": follower.packets,
            "quarantined_bytes": follower.quarantined,
            "offset": follower.offset,
        }
        if json_out:
            emit_json(summary)
        else:
            err_console.print(f"followed {raw}: {follower.packets} packets archived")
