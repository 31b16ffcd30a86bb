"""Telecommands from the dictionary: validation, packing, and agreement with spacepackets."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacepackets.ecss import PusTc

from ground.auth import MissionKey, OnboardVerifier, split_trailer
from ground.dictionary import CommandError, load_dictionary
from ground.telecommand import build_command, coerce_text, decode_command, parse_assignments

KEY = MissionKey(1, bytes(range(32)))
DICT = load_dictionary()


def test_build_matches_dictionary_and_parses_with_spacepackets():
    tc = build_command(
        "THRUSTER_FIRE",
        {"THRUSTER_ID": 3, "DURATION": 12.5, "OFFSET": -250},
        key=KEY,
        auth_seq=77,
        source_id=9,
    )
    cmd = DICT.command("THRUSTER_FIRE")
    assert (tc.apid, tc.service, tc.subservice) == (cmd.apid, cmd.service, cmd.subservice)
    sp = PusTc.unpack(tc.raw)
    assert (sp.apid, sp.service, sp.message_subtype, sp.source_id) == (102, 8, 3, 9)
    assert sp.seq_count == 77
    tr = split_trailer(tc.raw)
    assert sp.app_data[: len(tr.args)] == tr.args == cmd.encode_args(tc.args)
    assert cmd.decode_args(tr.args) == {"THRUSTER_ID": 3, "DURATION": 12.5, "OFFSET": -250}
    assert OnboardVerifier({1: KEY.secret}, dictionary=DICT).verify(tc.raw).accepted


def test_spacepackets_built_command_decodes_identically():
    """Vice versa: a TC built by spacepackets with the same fields decodes to the same meaning."""
    ours = build_command("HEATER_SET", {"HEATER_ID": 1, "STATE": "OFF"}, key=KEY, auth_seq=3)
    sp = PusTc(
        service=8,
        message_subtype=1,
        apid=100,
        app_data=PusTc.unpack(ours.raw).app_data,
        seq_count=3,
        source_id=0,
    )
    assert bytes(sp.pack()) == ours.raw
    decoded = decode_command(bytes(sp.pack()), DICT)
    assert decoded["command"] == "HEATER_SET"
    assert decoded["args"] == {"HEATER_ID": 1, "STATE": "OFF"}
    assert decoded["auth_seq"] == 3 and decoded["key_id"] == 1


@pytest.mark.parametrize(
    "name, args, message",
    [
        (
            "HEATER_SET",
            {"HEATER_ID": 4, "STATE": "ON"},
            r"HEATER_ID=4 is out of range; valid range is 0\.\.3",
        ),
        (
            "HEATER_SET",
            {"HEATER_ID": 1, "STATE": "WARM"},
            r"STATE='WARM' is not valid; valid: one of \['OFF', 'ON'\]",
        ),
        (
            "HK_INTERVAL",
            {"STRUCTURE_ID": 1, "INTERVAL": 0},
            r"INTERVAL=0 is out of range; valid range is 1\.\.3600 s",
        ),
        (
            "THRUSTER_FIRE",
            {"THRUSTER_ID": 1, "DURATION": 601.0, "OFFSET": 0},
            r"DURATION=601.0 is out of range; valid range is 0\.01\.\.600 s",
        ),
        (
            "THRUSTER_FIRE",
            {"THRUSTER_ID": 1, "DURATION": "long", "OFFSET": 0},
            r"DURATION='long' must be a number in 0\.01\.\.600 s",
        ),
        (
            "THRUSTER_FIRE",
            {"THRUSTER_ID": "1.5", "DURATION": 1.0, "OFFSET": 0},
            r"THRUSTER_ID='1.5' must be an integer in 1\.\.8",
        ),
        ("HEATER_SET", {"HEATER_ID": 1}, r"missing argument\(s\) \['STATE'\]"),
        ("HEATER_SET", {"HEATER_ID": 1, "STATE": "ON", "POWER": 3}, r"has no argument"),
        ("SELF_DESTRUCT", {}, r"no command 'SELF_DESTRUCT'.*HEATER_SET"),
    ],
)
def test_commands_violating_the_dictionary_are_refused(name, args, message):
    with pytest.raises(CommandError, match=message):
        build_command(name, args, key=KEY, auth_seq=1)


def test_text_arguments_from_a_command_line():
    pairs = parse_assignments(["THRUSTER_ID=0x2", "DURATION=1.5", "OFFSET=-3"])
    values = coerce_text(DICT.command("THRUSTER_FIRE"), pairs)
    assert values == {"THRUSTER_ID": 2, "DURATION": 1.5, "OFFSET": -3}
    tc = build_command("SET_MODE", parse_assignments(["MODE=SCIENCE"]), key=KEY, auth_seq=2)
    assert tc.args == {"MODE": "SCIENCE"}
    with pytest.raises(CommandError, match="must be written NAME=VALUE"):
        parse_assignments(["MODE"])
    with pytest.raises(CommandError, match="given twice"):
        parse_assignments(["MODE=SAFE", "MODE=SCIENCE"])


def test_signing_is_mandatory_and_repr_is_readable():
    with pytest.raises(TypeError, match="commands are always signed"):
        build_command("PING", key=b"0" * 32, auth_seq=1)
    tc = build_command("PING", key=KEY, auth_seq=16385)
    assert tc.seq_count == 1  # CCSDS count is the auth seq modulo 16384
    assert "PING TC[17,1]" in repr(tc)
    assert tc.to_dict()["hmac"] == tc.mac.hex() and len(tc.mac) == 32


def test_user_dictionary_from_toml(tmp_path):
    """A hand-written TOML dictionary (compiled to XTCE by ground.dictionary) works the same."""
    toml_text = (
        Path(__file__).resolve().parents[2] / "ground" / "data" / "kamo_tm.toml"
    ).read_text()
    path = tmp_path / "mission.toml"
    path.write_text(toml_text)
    tc = build_command(
        "HEATER_SET", {"HEATER_ID": 0, "STATE": "ON"}, key=KEY, auth_seq=1, dictionary=str(path)
    )
    assert (
        tc.raw
        == build_command("HEATER_SET", {"HEATER_ID": 0, "STATE": "ON"}, key=KEY, auth_seq=1).raw
    )
    assert decode_command(tc.raw, str(path))["args"] == {"HEATER_ID": 0, "STATE": "ON"}
