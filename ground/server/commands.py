"""Commanding from the display: bearer-token check, build and sign from the dictionary, queue, log.

A command request is ``{"command": "HEATER_SET", "args": {"HEATER_ID": 2, "STATE": "ON"}}``.
:class:`CommandQueue` builds it with :func:`ground.telecommand.build_command` (so only
dictionary commands with valid arguments exist), signs it with the mission key and the
next authentication sequence number, and writes the packet to the queue directory as
``<auth_seq>-<COMMAND>.tc`` (atomic rename, fsync). The last sequence number used is kept
in ``state.json`` there, so a restart never reuses one (the onboard verifier would refuse
it as a replay). Every attempt, refused or not, is one JSON line in ``commands.log`` and a
log record on the ``kamo.ground.commands`` logger. The token itself is never logged.
"""

from __future__ import annotations

import datetime as _dt
import hmac
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

from ground.auth import MissionKey
from ground.dictionary import CommandError, Dictionary
from ground.telecommand import build_command

log = logging.getLogger("kamo.ground.commands")

MIN_TOKEN_LEN = 16


def load_token(path: str | Path) -> str:
    """The bearer token in a file (whitespace stripped); at least 16 characters, no default."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"token file not found: {path}")
    token = path.read_text(encoding="utf-8", errors="strict").strip()
    if len(token) < MIN_TOKEN_LEN or any(ch.isspace() for ch in token):
        raise ValueError(
            f"token file {path}: the token must be one word of at least {MIN_TOKEN_LEN} "
            f"characters, got {len(token)}; e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
        )
    return token


def token_matches(header: str | None, token: str) -> bool:
    """Whether an ``Authorization`` header carries this bearer token (constant-time)."""
    if not header:
        return False
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


class CommandQueue:
    """Signed telecommands written to a directory, one file each, with an attempt log."""

    def __init__(
        self,
        directory: str | Path,
        dictionary: Dictionary,
        key: MissionKey,
        *,
        first_seq: int = 1,
        source_id: int = 0,
    ):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.dictionary = dictionary
        self.key = key
        self.source_id = source_id
        self._lock = threading.Lock()
        state = self._read_state()
        self.last_seq = max(int(state.get("last_auth_seq", first_seq - 1)), first_seq - 1)

    @property
    def state_path(self) -> Path:
        return self.directory / "state.json"

    @property
    def log_path(self) -> Path:
        return self.directory / "commands.log"

    def _read_state(self) -> dict[str, Any]:
        try:
            return json.loads(self.state_path.read_text())
        except (OSError, ValueError):
            return {}

    def _write_atomic(self, path: Path, data: bytes) -> None:
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    def record(self, entry: dict[str, Any]) -> None:
        """Append one attempt to the log file and the logger."""
        entry = {"time": _dt.datetime.now(_dt.UTC).isoformat(timespec="milliseconds"), **entry}
        line = json.dumps(entry, default=str)
        with self._lock, open(self.log_path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        level = logging.INFO if entry.get("outcome") == "queued" else logging.WARNING
        log.log(level, "command attempt %s", line)

    def submit(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        """Build, sign and queue; raises :class:`CommandError` (nothing written) when invalid."""
        with self._lock:
            seq = self.last_seq + 1
            tc = build_command(
                name,
                args,
                key=self.key,
                auth_seq=seq,
                dictionary=self.dictionary,
                source_id=self.source_id,
            )
            path = self.directory / f"{seq:010d}-{tc.name}.tc"
            self._write_atomic(path, tc.raw)
            self.last_seq = seq
            self._write_atomic(self.state_path, json.dumps({"last_auth_seq": seq}).encode())
        return tc.to_dict() | {"file": str(path), "key_fingerprint": self.key.fingerprint()}


__all__ = ["CommandError", "CommandQueue", "load_token", "token_matches"]
