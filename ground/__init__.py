"""The ground segment: CCSDS telemetry and telecommand, archive, limits, contacts, space weather.

This module is the package's front door: every public name is listed in
``_EXPORTS`` (name -> module) and imported on first use, so that ``import ground``
stays cheap and one part never pays for loading another.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    # SPACE-WEATHER: NOAA SWPC feeds, scales, DBM CME arrival, advisories (ground.spaceweather)
    "SWPCClient": "ground.spaceweather.client",
    "FetchResult": "ground.spaceweather.client",
    "Advisory": "ground.spaceweather.advisories",
    "AdvisoryRule": "ground.spaceweather.advisories",
    "evaluate_advisories": "ground.spaceweather.advisories",
    "CMEArrival": "ground.spaceweather.dbm",
    "CMEEnsemble": "ground.spaceweather.dbm",
    "cme_arrival": "ground.spaceweather.dbm",
    "cme_arrival_ensemble": "ground.spaceweather.dbm",
    "g_scale": "ground.spaceweather.scales",
    "s_scale": "ground.spaceweather.scales",
    "r_scale": "ground.spaceweather.scales",
    "flare_class": "ground.spaceweather.scales",
    "fetch_status": "ground.spaceweather.status",
    "status_report": "ground.spaceweather.status",
    # GROUND-TC: stations, contacts, link budget, telecommand, authentication
    "GroundStation": "ground.stations",
    "get_station": "ground.stations",
    "get_stations": "ground.stations",
    "load_stations": "ground.stations",
    "contacts": "ground.contacts",
    "look_angles": "ground.contacts",
    "load_trajectory": "ground.contacts",
    "link_budget": "ground.linkbudget",
    "LinkBudget": "ground.linkbudget",
    "add_data_rates": "ground.linkbudget",
    "MissionKey": "ground.auth",
    "load_key": "ground.auth",
    "seal_tc": "ground.auth",
    "OnboardVerifier": "ground.auth",
    "FailureCode": "ground.auth",
    "Telecommand": "ground.telecommand",
    "build_command": "ground.telecommand",
    "decode_command": "ground.telecommand",
    # GROUND-TM: packets, CRC
    "PrimaryHeader": "ground.packets",
    "SpacePacket": "ground.packets",
    "PacketType": "ground.packets",
    "SequenceFlags": "ground.packets",
    "PacketError": "ground.packets",
    "encode_packet": "ground.packets",
    "decode_packet": "ground.packets",
    "idle_packet": "ground.packets",
    "split_packets": "ground.packets",
    "encode_pus_tm": "ground.packets",
    "decode_pus_tm": "ground.packets",
    "encode_pus_tc": "ground.packets",
    "decode_pus_tc": "ground.packets",
    "crc16": "ground.crc",
    "crc16_batch": "ground.crc",
    "CucFormat": "ground.cuc",
    "Dictionary": "ground.dictionary",
    "PacketDef": "ground.dictionary",
    "ParameterDef": "ground.dictionary",
    "CommandDef": "ground.dictionary",
    "ArgumentDef": "ground.dictionary",
    "CommandError": "ground.dictionary",
    "DictionaryError": "ground.dictionary",
    "load_dictionary": "ground.dictionary",
    "compile_toml": "ground.dictionary",
    "read_xtce": "ground.xtce",
    "FrameHeader": "ground.frames",
    "FrameConfig": "ground.frames",
    "FrameWriter": "ground.frames",
    "FrameSync": "ground.frames",
    "StreamDecoder": "ground.stream",
    "decode_stream_bytes": "ground.stream",
    "Reassembler": "ground.reassembly",
    "DataUnit": "ground.reassembly",
    "IncompleteUnit": "ground.reassembly",
    "decode_bytes": "ground.bulk",
    "BulkResult": "ground.bulk",
    "decommutate": "ground.decom",
    "evaluate_expression": "ground.decom",
    "check_limits": "ground.limits",
    "Archive": "ground.archive",
    "RawStore": "ground.archive",
    # DISPLAY: the Open MCT ground display server and the live-file follower
    "ServerConfig": "ground.server.app",
    "create_app": "ground.server.app",
    "build_config": "ground.server.serve",
    "ArchiveReader": "ground.server.data",
    "follow_file": "ground.server.follow",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'ground' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
