"""Telecommands built only from the dictionary, with validated arguments, then signed.

A command exists for kamo only if the dictionary (XTCE, see
:mod:`ground.dictionary`) defines it: its APID, PUS service/subtype and typed
arguments with valid ranges. :func:`build_command` looks the command up,
checks every argument (a violation is refused with the argument's name and its
valid range), packs the arguments MSB-first as the dictionary says, and seals
the PUS-C TC with the mission key (:func:`ground.auth.seal_tc`: security
trailer with key id, auth sequence number and HMAC-SHA256, then the CRC).

>>> from ground.auth import MissionKey
>>> key = MissionKey(1, bytes(range(32)))
>>> tc = build_command("HEATER_SET", {"HEATER_ID": 2, "STATE": "ON"}, key=key, auth_seq=7)
>>> tc
Telecommand(HEATER_SET TC[8,1] apid=100 HEATER_ID=2 STATE='ON', auth seq 7, key 1, 53 octets)
>>> build_command("HEATER_SET", {"HEATER_ID": 9, "STATE": "ON"}, key=key, auth_seq=8)
Traceback (most recent call last):
...
ground.dictionary.CommandError: argument HEATER_ID=9 is out of range; valid range is 0..3
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ground.auth import TRAILER_LEN, MissionKey, seal_tc, split_trailer
from ground.dictionary import CommandDef, CommandError, Dictionary, load_dictionary
from ground.packets import decode_pus_tc


@dataclass(frozen=True)
class Telecommand:
    """A built, signed telecommand: what it means and the bytes that go up."""

    name: str
    apid: int
    service: int
    subservice: int
    args: dict[str, Any]
    auth_seq: int
    key_id: int
    seq_count: int
    source_id: int
    raw: bytes = field(repr=False)

    @property
    def mac(self) -> bytes:
        return self.raw[-34:-2]

    def __repr__(self) -> str:
        args = "".join(f" {k}={v!r}" for k, v in self.args.items())
        return (
            f"Telecommand({self.name} TC[{self.service},{self.subservice}] apid={self.apid}{args}, "
            f"auth seq {self.auth_seq}, key {self.key_id}, {len(self.raw)} octets)"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "command": self.name,
            "apid": self.apid,
            "service": self.service,
            "subservice": self.subservice,
            "args": dict(self.args),
            "auth_seq": self.auth_seq,
            "key_id": self.key_id,
            "seq_count": self.seq_count,
            "source_id": self.source_id,
            "length": len(self.raw),
            "hmac": self.mac.hex(),
            "hex": self.raw.hex(),
        }


def parse_assignments(pairs: Iterable[str]) -> dict[str, str]:
    """``["HEATER_ID=2", "STATE=ON"]`` -> ``{"HEATER_ID": "2", "STATE": "ON"}``."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise CommandError(f"argument {pair!r} must be written NAME=VALUE")
        if name.strip() in out:
            raise CommandError(f"argument {name.strip()} given twice")
        out[name.strip()] = value.strip()
    return out


def coerce_text(cmd: CommandDef, args: Mapping[str, Any]) -> dict[str, Any]:
    """Turn text values (from a command line) into the types the dictionary expects."""
    out: dict[str, Any] = {}
    for name, value in args.items():
        if not isinstance(value, str):
            out[name] = value
            continue
        a = cmd.argument(name)
        text = value.strip()
        if a.kind == "enum":
            out[name] = int(text, 0) if _is_int(text) else text
        elif a.kind == "bool":
            low = text.lower()
            if low not in ("true", "false", "1", "0", "on", "off", "yes", "no"):
                raise CommandError(f"argument {name}={value!r} must be true or false")
            out[name] = low in ("true", "1", "on", "yes")
        elif a.kind in ("uint", "int"):
            if not _is_int(text):
                raise CommandError(
                    f"argument {name}={value!r} must be an integer in {a.range_text()}"
                )
            out[name] = int(text, 0)
        else:
            try:
                out[name] = float(text)
            except ValueError:
                raise CommandError(
                    f"argument {name}={value!r} must be a number in {a.range_text()}"
                ) from None
    return out


def _is_int(text: str) -> bool:
    try:
        int(text, 0)
    except ValueError:
        return False
    return True


def build_command(
    name: str,
    args: Mapping[str, Any] | None = None,
    *,
    key: MissionKey,
    auth_seq: int,
    dictionary: Dictionary | str | None = None,
    source_id: int = 0,
    ack_flags: int = 0b1111,
    seq_count: int | None = None,
) -> Telecommand:
    """Build and sign the dictionary command ``name`` with ``args``.

    Values may be numbers, enum labels, or text as typed on a command line.
    Raises :class:`ground.dictionary.CommandError` naming the bad argument and
    its valid range, or the known commands when ``name`` is not one of them.
    """
    if not isinstance(key, MissionKey):
        raise TypeError("key must be a ground.auth.MissionKey (commands are always signed)")
    d = dictionary if isinstance(dictionary, Dictionary) else load_dictionary(dictionary)
    cmd = d.command(name)
    values = coerce_text(cmd, dict(args or {}))
    app_data = cmd.encode_args(values)  # validates: unknown, missing, out-of-range
    raw = seal_tc(
        cmd.apid,
        cmd.service,
        cmd.subservice,
        app_data,
        key=key,
        auth_seq=auth_seq,
        seq_count=seq_count,
        source_id=source_id,
        ack_flags=ack_flags,
    )
    return Telecommand(
        name=cmd.name,
        apid=cmd.apid,
        service=cmd.service,
        subservice=cmd.subservice,
        args=cmd.decode_args(app_data),
        auth_seq=auth_seq,
        key_id=key.key_id,
        seq_count=(auth_seq & 0x3FFF) if seq_count is None else seq_count,
        source_id=source_id,
        raw=raw,
    )


def decode_command(raw: bytes, dictionary: Dictionary | str | None = None) -> dict[str, Any]:
    """What a TC says (command name, arguments, auth fields), without judging its MAC.

    Use :class:`ground.auth.OnboardVerifier` to decide whether to trust it.
    """
    d = dictionary if isinstance(dictionary, Dictionary) else load_dictionary(dictionary)
    tc = decode_pus_tc(raw)
    out: dict[str, Any] = {
        "apid": tc.header.apid,
        "service": tc.service,
        "subservice": tc.subservice,
        "seq_count": tc.header.seq_count,
        "source_id": tc.source_id,
        "ack_flags": tc.ack_flags,
    }
    args = tc.app_data
    if len(tc.app_data) >= TRAILER_LEN:
        tr = split_trailer(raw)
        out |= {"key_id": tr.key_id, "auth_seq": tr.auth_seq, "hmac": tr.mac.hex()}
        args = tr.args
    for cmd in d.commands:
        if (cmd.apid, cmd.service, cmd.subservice) == (tc.header.apid, tc.service, tc.subservice):
            out |= {"command": cmd.name, "args": cmd.decode_args(args)}
            break
    else:
        out |= {"command": None, "args_hex": args.hex()}
    return out
