"""XTCE dictionaries: TOML compiles to XTCE that space-packet-parser reads; commands are range-checked."""

from __future__ import annotations

import math

import pytest
import space_packet_parser as spp
from spacepackets.ecss.tm import PusTm

from ground.dictionary import (
    DATA_DIR,
    CommandError,
    DictionaryError,
    compile_toml,
    load_dictionary,
)
from ground.xtce import read_xtce_string

SAMPLE_XML = DATA_DIR / "kamo_tm.xml"
SAMPLE_TOML = DATA_DIR / "kamo_tm.toml"


def test_shipped_xml_is_compiled_from_shipped_toml():
    assert SAMPLE_XML.read_text() == compile_toml(SAMPLE_TOML), (
        "kamo_tm.xml is stale: run `python -m ground.dictionary`"
    )


def test_sample_layout():
    d = load_dictionary()
    hk = d.packet("HK")
    assert (hk.apid, hk.service, hk.subservice, hk.has_crc) == (100, 3, 25, True)
    # 6 primary + 7 PUS + 6 CUC octets, then parameters
    assert hk.field("BATT_V").bit_offset == 8 * 19
    assert hk.length == 19 + 2 + 2 + 2 + 2 + 1 + 1 + 2
    assert hk.field("BATT_V").parameter.limits.red_high == 34.0
    assert hk.field("OBC_TEMP").parameter.calibration.kind == "table"
    assert [x.name for x in hk.derived] == ["BATT_P"]
    assert d.match(101, 3, 25).name == "ATT" and d.match(101, 3, 26) is None
    assert "HK" in repr(d)


def test_toml_and_xml_load_the_same():
    assert load_dictionary(SAMPLE_TOML).packets == load_dictionary(SAMPLE_XML).packets
    assert load_dictionary(SAMPLE_TOML).commands == load_dictionary(SAMPLE_XML).commands


def test_space_packet_parser_agrees_on_a_sample_packet():
    d = load_dictionary()
    hk = d.packet("HK")
    raw = hk.encode(
        {
            "BATT_V": 28000,
            "BATT_I": -1500,
            "PANEL_TEMP": 2050,
            "OBC_TEMP": 2000,
            "MODE": 2,
            "HEATER_ON": 1,
        },
        seq_count=9,
        time_tai58=2.0e9 + 0.5,
    )
    pkt = spp.load_xtce(SAMPLE_XML).parse_bytes(raw)
    assert pkt["BATT_V"] == pytest.approx(28.0) and pkt["BATT_I"].raw_value == -1500
    assert pkt["OBC_TEMP"] == pytest.approx(25.0)  # table: 1000 -> 0, 3000 -> 50 degC
    assert pkt["MODE"] == "SCIENCE" and pkt["TIME_FINE"] == 0x8000
    # and it is a valid PUS-C TM packet for spacepackets (CRC included)
    tm = PusTm.unpack(raw, timestamp_len=6)
    assert (tm.service, tm.message_subtype, tm.seq_count) == (3, 25, 9)


def test_commands_encode_and_refuse():
    d = load_dictionary()
    cmd = d.command("THRUSTER_FIRE")
    assert (cmd.apid, cmd.service, cmd.subservice) == (102, 8, 3)
    data = cmd.encode_args({"THRUSTER_ID": 3, "DURATION": 1.5, "OFFSET": -3})
    assert data.hex() == "033fc00000fffd"
    assert cmd.decode_args(data) == {"THRUSTER_ID": 3, "DURATION": 1.5, "OFFSET": -3}
    with pytest.raises(CommandError, match=r"THRUSTER_ID=9 is out of range; valid range is 1..8"):
        cmd.encode_args({"THRUSTER_ID": 9, "DURATION": 1.5, "OFFSET": 0})
    with pytest.raises(CommandError, match=r"DURATION=700 .*0.01..600 s"):
        cmd.encode_args({"THRUSTER_ID": 1, "DURATION": 700, "OFFSET": 0})
    with pytest.raises(CommandError, match="missing argument"):
        cmd.encode_args({"THRUSTER_ID": 1})
    with pytest.raises(CommandError, match="no argument"):
        cmd.encode_args({"THRUSTER_ID": 1, "DURATION": 1, "OFFSET": 0, "SPEED": 3})
    heater = d.command("HEATER_SET")
    assert heater.decode_args(heater.encode_args({"HEATER_ID": 2, "STATE": "ON"})) == {
        "HEATER_ID": 2,
        "STATE": "ON",
    }
    with pytest.raises(
        CommandError, match=r"STATE='WARM' is not valid; valid: one of \['OFF', 'ON'\]"
    ):
        heater.encode_args({"HEATER_ID": 2, "STATE": "WARM"})
    with pytest.raises(CommandError, match="must be an integer"):
        heater.encode_args({"HEATER_ID": 1.5, "STATE": "ON"})
    with pytest.raises(CommandError, match="no command 'FLY'"):
        d.command("FLY")
    assert d.command("PING").encode_args({}) == b""
    assert math.isinf(cmd.argument("DURATION").bounds()[0]) is False


def test_bad_toml_names_the_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[packet]]\nname = "X"\n')
    with pytest.raises(DictionaryError, match=r"packet\[0\] X: missing key 'apid'"):
        load_dictionary(bad)
    bad.write_text(
        '[[packet]]\nname = "X"\napid = 5\n[[packet.parameter]]\nname = "A"\ntype = "uint99x"\n'
    )
    with pytest.raises(DictionaryError, match="type 'uint99x' is not one of"):
        load_dictionary(bad)
    bad.write_text(
        '[[packet]]\nname = "X"\napid = 5\nservice = 3\nsubservice = 25\n'
        '[[packet.parameter]]\nname = "A"\ntype = "uint8"\nlimits = { yellow = [5, 1] }\n'
    )
    with pytest.raises(DictionaryError, match="yellow limits low 5 > high 1"):
        load_dictionary(bad)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_dictionary(tmp_path / "nope.xml")


def test_unsupported_xtce_is_refused():
    xml = SAMPLE_XML.read_text().replace('encoding="IEEE754_1985"', 'encoding="MILSTD_1750A"', 1)
    with pytest.raises(DictionaryError, match="MILSTD_1750A"):
        read_xtce_string(xml)
    with pytest.raises(DictionaryError, match="not a usable XTCE"):
        read_xtce_string("<notxml")


def test_spare_fields_compile_and_parse(tmp_path):
    toml = tmp_path / "s.toml"
    toml.write_text(
        '[[packet]]\nname = "S"\napid = 9\nservice = 3\nsubservice = 25\n'
        '[[packet.parameter]]\nname = "A"\ntype = "uint16"\n'
        '[[packet.parameter]]\nname = "PAD"\ntype = "spare100"\n'
        '[[packet.parameter]]\nname = "B"\ntype = "int12"\n'
    )
    xml = tmp_path / "s.xml"
    xml.write_text(compile_toml(toml))
    pdef = load_dictionary(xml).packet("S")
    assert [f.name for f in pdef.user_fields] == ["A", "B"]
    assert pdef.field("B").bit_offset == 8 * 19 + 16 + 100
    raw = pdef.encode({"A": 7, "B": -5}, time_tai58=2.0e9)
    pkt = spp.load_xtce(xml).parse_bytes(raw)
    assert (pkt["A"], pkt["B"]) == (7, -5)
