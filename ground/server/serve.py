"""Start the display server from paths and options (what ``kamo ground serve`` calls)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ground.dictionary import DEFAULT_DICTIONARY, load_dictionary
from ground.server.app import ServerConfig, create_app
from ground.server.commands import CommandQueue, load_token


def _dictionary(archive: Path, spec: str | Path | None):
    if spec is None:
        sidecar = archive.with_suffix(".dict.xml")
        return load_dictionary(sidecar if sidecar.exists() else DEFAULT_DICTIONARY)
    if str(spec) in ("kamo", "sample"):
        return load_dictionary(DEFAULT_DICTIONARY)
    return load_dictionary(spec)


def build_config(
    archive: str | Path,
    *,
    dictionary: str | Path | None = None,
    swpc_cache: str | Path | None = None,
    swpc_max_age_s: float = 900.0,
    token_file: str | Path | None = None,
    key_file: str | Path | None = None,
    key_id: int = 1,
    tc_queue: str | Path | None = None,
    first_seq: int = 1,
    trajectory: str | Path | None = None,
    spk_id: int | None = None,
    stations: str = "kashi,jiamusi,neuquen",
    poll_s: float = 0.02,
) -> ServerConfig:
    """Check the options and load what the server needs; errors name the option and the fix.

    Commanding is enabled only with both a token file and a mission key file; there is
    no default token.
    """
    archive = Path(archive)
    if archive.exists() and not archive.is_dir():
        raise ValueError(f"--archive {archive} is a file; give the Zarr directory (tm.zarr)")
    if (token_file is None) != (key_file is None):
        raise ValueError(
            "commanding needs both --token-file (who may send) and --key-file (the mission key "
            "that signs); give both or neither"
        )
    if poll_s <= 0:
        raise ValueError(f"poll interval must be positive, got {poll_s}")
    d = _dictionary(archive, dictionary)
    token = queue = None
    if token_file is not None:
        from ground.auth import load_key

        token = load_token(token_file)
        key = load_key(key_file, key_id=key_id)
        queue_dir = Path(tc_queue) if tc_queue is not None else archive.with_suffix(".tcqueue")
        queue = CommandQueue(queue_dir, d, key, first_seq=first_seq)
    traj = None
    if trajectory is not None:
        from ground.contacts import load_trajectory

        traj = load_trajectory(Path(trajectory), spk_id=spk_id)
    return ServerConfig(
        archive=archive,
        dictionary=d,
        swpc_cache=Path(swpc_cache) if swpc_cache is not None else None,
        swpc_max_age_s=swpc_max_age_s,
        token=token,
        command_queue=queue,
        trajectory=traj,
        stations=stations,
        poll_s=poll_s,
    )


def serve(
    config: ServerConfig, host: str = "127.0.0.1", port: int = 8080, log_level: str = "info"
) -> None:
    """Run the server until interrupted (uvicorn, one process)."""
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = create_app(config)
    uv = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=2,
        limit_concurrency=200,
    )
    uvicorn.Server(uv).run()


def describe(config: ServerConfig, host: str, port: int) -> dict[str, Any]:
    return {
        "url": f"http://{host}:{port}/",
        "archive": str(config.archive),
        "dictionary": config.dictionary.name,
        "commanding": config.command_queue is not None,
        "tc_queue": str(config.command_queue.directory) if config.command_queue else None,
        "contacts": config.trajectory is not None,
    }
