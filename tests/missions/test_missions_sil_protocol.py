"""SIL wire protocol: packet layouts against spacepackets and ground's CRC/CUC, codecs, the link and its faults."""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest
from spacepackets.ecss.tm import PusTm

from autonomy.commands import (
    AttitudeCommand,
    ImagingCommand,
    NavModeCommand,
    SamplerCommand,
    StepCadence,
    ThrusterCommand,
    ThrusterIsolationCommand,
)
from autonomy.observations import (
    AltimeterReading,
    AttitudeStatus,
    CommStatus,
    ContactStatus,
    DataStatus,
    GroundGoal,
    HazardMapProduct,
    ImuReading,
    NavSolution,
    PowerStatus,
    PropellantStatus,
    SampleStatus,
    SiteHazard,
    SpaceWeatherAdvisory,
    ThrusterTelemetry,
    TimeTaggedCommand,
)
from ground.auth import MissionKey, OnboardVerifier, seal_tc
from ground.crc import crc16
from ground.cuc import CucFormat
from missions.sil import protocol as P
from missions.sil.codec import (
    ObservationDecoder,
    Sequencer,
    decode_command,
    decode_ground_tc,
    encode_command,
    encode_observation,
    ground_tc_args,
)
from missions.sil.plant import Link, apply_actuator_faults, apply_sensor_faults, validate_sil

T = 1234.5678901234


def test_every_packet_type_is_a_valid_pus_c_tm_packet_for_spacepackets():
    """Cross-check with an independent implementation: header fields, service/subtype, time and CRC."""
    apids = set()
    for ptype in P.PACKETS:
        values = []
        for _name, code, _u, _l in ptype.fields:
            values.append(b"abc" if code.endswith("s") else (0.25 if code == "d" else 7))
        raw = P.encode(ptype, 5, *P.cuc(T), values)
        assert len(raw) == ptype.length
        tm = PusTm.unpack(raw, timestamp_len=6)  # raises on a bad CRC
        assert (tm.apid, tm.service, tm.message_subtype, tm.seq_count) == (
            ptype.apid,
            ptype.service,
            ptype.subservice,
            5,
        )
        assert P.decode(ptype, raw)[0] == values[0]
        assert crc16(raw[:-2]) == int.from_bytes(raw[-2:], "big") and P.crc_ok(raw)
        apids.add((ptype.apid, ptype.service, ptype.subservice))
    assert len(apids) == len(P.PACKETS)


def test_time_field_matches_ground_cuc():
    fmt = CucFormat(4, 2, with_pfield=False)
    for t in (0.0, 0.5, 1.0, T, 86399.99999):
        assert P.time_field(t) == fmt.encode(P.EPOCH_TAI58 + t)
        raw = P.encode(P.BY_NAME["comm"], 0, *P.cuc(t), (1,))
        assert abs(P.packet_time(raw) - t) < 2**-16


def test_split_stream_keeps_a_torn_tail():
    a = P.encode(P.BY_NAME["comm"], 0, *P.cuc(1.0), (1,))
    b = P.encode(P.BY_NAME["propellant"], 1, *P.cuc(1.0), (3.5,))
    buf = bytearray(a + b + b[:9])
    pkts, used = P.split_stream(buf)
    assert pkts == [a, b] and used == len(a) + len(b)


SITE = SiteHazard("A", (1.0, 2.0, 3.0), (0.0, 0.6, 0.8), 6.0, 0.05, 0.3, 5.0)
OBSERVATIONS = [
    NavSolution(
        T, (1.1, -2.2, 600.123456789), (1e-3, 2e-4, -0.05), (0.1, 0.1, 0.3), (1e-3,) * 3, "camera"
    ),
    AltimeterReading(T, 123.456789),
    AltimeterReading(T, None),
    AttitudeStatus(T, False, 1e-3),
    ImuReading(T, (1e-6, -2e-6, 9e-3)),
    ThrusterTelemetry(T, tuple(i in (0, 8, 11) for i in range(12))),
    PowerStatus(T, 0.87654321, False),
    PropellantStatus(T, 93.5512345),
    DataStatus(T, 12.5, 8000.0),
    CommStatus(T, True),
    ContactStatus(T, True),
    SampleStatus(T, False, 0.0, "projectile did not fire"),
    SampleStatus(T, True, None, ""),
]


@pytest.mark.parametrize("obs", OBSERVATIONS, ids=lambda o: type(o).__name__)
def test_observations_cross_the_link_bit_for_bit(obs):
    (pkt,) = encode_observation(obs, Sequencer(), P.cuc(T))
    ptype = P.BY_APID[P.packet_key(pkt)[0]]
    assert ObservationDecoder().decode(ptype, pkt, T) == obs


def test_hazard_map_product_is_one_packet_per_site():
    other = SiteHazard("Bravo-long-name", (4.0, 5.0, 6.0), (0.0, 0.0, 1.0), 10.0, 0.08, 0.4, 4.0)
    product = HazardMapProduct(T - 1.0, (SITE, other))
    pkts = encode_observation(product, Sequencer(), P.cuc(T))
    dec = ObservationDecoder()
    got = [dec.decode(P.BY_NAME["hazard_site"], p, T) for p in pkts]
    assert got[0] is None and got[1] == product


@pytest.mark.parametrize(
    "cmd",
    [
        ThrusterCommand(T, tuple(i / 11 for i in range(12)), 0.5),
        AttitudeCommand(T, (0.5, 0.5, -0.5, 0.5), "site-frame"),
        SamplerCommand(T, "fire"),
        ThrusterIsolationCommand(T, 8, False, "stuck off"),
        NavModeCommand(T, "camera"),
        ImagingCommand(T, True, 2.5),
        StepCadence(T, 0.25),
    ],
    ids=lambda c: type(c).__name__,
)
def test_commands_cross_the_link_bit_for_bit(cmd):
    pkt = encode_command(cmd, Sequencer(), P.cuc(T))
    ptype = P.BY_APID[P.packet_key(pkt)[0]]
    assert ptype.direction == "from_fsw"
    assert decode_command(ptype, P.decode(ptype, pkt), T) == cmd


@pytest.mark.parametrize(
    "obs",
    [
        GroundGoal(T, 0.0, 8000.0, 20.0, 2, 1, 1.0),
        SpaceWeatherAdvisory(T, 2, "S", 900.0, 2400.0, "S2 storm: >=10 MeV protons above 100 pfu"),
        TimeTaggedCommand(T, 1500.0, "hold", "ground wants a look"),
    ],
    ids=lambda o: type(o).__name__,
)
def test_ground_telecommands_are_authenticated_and_decoded(obs):
    key = MissionKey(1, P.DEFAULT_KEY)
    subtype, args = ground_tc_args(obs)
    raw = seal_tc(P.APID_FSW_TC, P.TC_SERVICE_GROUND, subtype, args, key=key, auth_seq=7)
    v = OnboardVerifier({1: P.DEFAULT_KEY}, apids={P.APID_FSW_TC})
    verdict = v.verify(raw, time=P.time_field(T))
    assert verdict.accepted and decode_ground_tc(verdict.subservice, verdict.args, T) == obs
    assert v.verify(raw).reason == "REPLAY"


def test_event_and_status_payloads_round_trip():
    numbers = {"altitude_m": 12.5, "ok": True, "n": 3.0}
    pkt = P.tm_packet(
        P.APID_FSW_TM,
        5,
        1,
        0,
        *P.cuc(T),
        P.event_payload(T, "home", "GO", "all gates green ü", numbers),
    )
    assert P.parse_event(pkt) == (T, "home", "GO", "all gates green ü", numbers)
    pkt = P.tm_packet(
        P.APID_FSW_TM,
        140,
        1,
        0,
        *P.cuc(T),
        P.status_payload("sampled", "sample of 61.0 g verified"),
    )
    assert P.parse_status(pkt) == ("sampled", "sample of 61.0 g verified")


def _packets(n: int) -> list[bytes]:
    return [P.encode(P.BY_NAME["propellant"], i, *P.cuc(1.0), (float(i),)) for i in range(n)]


def test_link_drop_delay_and_reorder():
    pk = _packets(20)
    rng = np.random.default_rng(1)
    drop = Link(
        validate_sil({"link_faults": [{"kind": "drop", "direction": "to_fsw"}]})["link_faults"], rng
    )
    assert drop.carry("to_fsw", 0, 1.0, pk) == [] and drop.carry("from_fsw", 0, 1.0, pk) == pk
    delay = Link(
        validate_sil({"link_faults": [{"kind": "delay", "steps": 2, "end_s": 1.5}]})["link_faults"],
        rng,
    )
    assert delay.carry("from_fsw", 0, 1.0, pk[:3]) == []
    assert delay.carry("from_fsw", 1, 2.0, pk[3:5]) == pk[3:5]  # fault window over
    assert delay.carry("from_fsw", 2, 3.0, []) == pk[:3]
    reorder = Link(validate_sil({"link_faults": [{"kind": "reorder"}]})["link_faults"], rng)
    out = reorder.carry("to_fsw", 0, 1.0, pk)
    assert out != pk and sorted(out) == sorted(pk)


def test_link_corruption_keeps_framing_and_fails_the_crc():
    pk = _packets(50)
    faults = validate_sil({"link_faults": [{"kind": "corrupt", "bits": 3}]})["link_faults"]
    out = Link(faults, np.random.default_rng(2)).carry("to_fsw", 0, 1.0, pk)
    assert [p[:6] for p in out] == [p[:6] for p in pk]
    assert not any(P.crc_ok(p) for p in out)
    again = Link(faults, np.random.default_rng(2)).carry("to_fsw", 0, 1.0, pk)
    assert again == out  # same seed, same damage


def test_link_faults_select_packets_and_spare_the_handshake():
    step = P.encode(P.BY_NAME["sim_step"], 0, *P.cuc(1.0), (0, 1.0, 0, 0, 1000))
    nav = encode_observation(OBSERVATIONS[0], Sequencer(), P.cuc(1.0))[0]
    faults = validate_sil({"link_faults": [{"kind": "drop", "packets": ["nav"]}]})["link_faults"]
    link = Link(faults, np.random.default_rng(0))
    assert link.carry("to_fsw", 0, 1.0, [nav, *_packets(2)]) == _packets(2)
    assert (
        P.packet_key(step)[0] in P.SIM_APIDS
    )  # the harness never passes SIM_* packets through the link


def test_sensor_faults_bias_freeze_fail():
    f = validate_sil(
        {
            "sensor_faults": [
                {"sensor": "altimeter", "kind": "bias", "value": 2.0, "start_s": 10.0},
                {"sensor": "nav_position", "kind": "bias", "value": [1.0, 0.0, -1.0]},
                {"sensor": "propellant", "kind": "freeze", "start_s": 10.0},
                {"sensor": "imu", "kind": "fail", "start_s": 10.0, "end_s": 20.0},
            ]
        }
    )["sensor_faults"]
    frozen: dict = {}
    before = [AltimeterReading(5.0, 100.0), PropellantStatus(5.0, 90.0), ImuReading(5.0, (0, 0, 0))]
    assert apply_sensor_faults(f, before, 5.0, frozen) == before
    obs = [
        AltimeterReading(11.0, 100.0),
        PropellantStatus(11.0, 80.0),
        ImuReading(11.0, (0, 0, 0)),
        OBSERVATIONS[0],
    ]
    out = apply_sensor_faults(f, obs, 11.0, frozen)
    assert out[0].range_m == 102.0 and out[1].propellant_kg == 90.0 and len(out) == 3
    assert out[2].r_m == (2.1, -2.2, 599.123456789)


def test_actuator_faults_scale_and_ignore():
    f = validate_sil(
        {
            "actuator_faults": [
                {"actuator": "thrusters", "kind": "scale", "factor": 0.5},
                {"actuator": "sampler", "kind": "ignore", "start_s": 100.0},
            ]
        }
    )["actuator_faults"]
    cmds = [ThrusterCommand(1.0, (1.0,) * 12, 1.0), SamplerCommand(1.0, "fire")]
    out = apply_actuator_faults(f, cmds, 1.0)
    assert out[0].duty == (0.5,) * 12 and out[1] == cmds[1]
    assert len(apply_actuator_faults(f, cmds, 200.0)) == 1


@pytest.mark.parametrize(
    "sil, match",
    [
        ({"link_fault": []}, r"unknown key\(s\) link_fault"),
        (
            {"link_faults": [{"kind": "melt"}]},
            r"link_faults\[0\]: kind must be one of drop, delay, reorder, corrupt, got 'melt'",
        ),
        (
            {"link_faults": [{"kind": "drop", "probability": 1.5}]},
            r"probability must be in \[0, 1\], got 1.5",
        ),
        (
            {"link_faults": [{"kind": "drop", "packets": ["navv"]}]},
            r"packets entry must be one of .*got 'navv'",
        ),
        ({"fsw_faults": [{"kind": "crash"}]}, r"fsw_faults\[0\]: needs 'at_s'"),
        (
            {"fsw_faults": [{"kind": "crash", "at_s": 1, "signal": "SIGFOO"}]},
            r"unknown signal 'SIGFOO'",
        ),
        ({"sensor_faults": [{"sensor": "altimeter", "kind": "bias"}]}, r"a bias needs 'value'"),
        ({"attacks": [{"kind": "replay"}]}, r"attacks\[0\]: needs 'at_s'"),
        ({"hang_timeout_s": 0}, r"hang_timeout_s must be positive"),
    ],
)
def test_bad_sil_tables_name_the_key(sil, match):
    with pytest.raises(ValueError, match=match):
        validate_sil(sil)


def test_step_and_done_layouts_are_what_the_docs_say():
    step = P.BY_NAME["sim_step"]
    raw = P.encode(step, 3, *P.cuc(2.5), (41, 2.5, 1, 12, 60000))
    assert raw[P.TM_PREFIX_LEN : P.TM_PREFIX_LEN + 4] == struct.pack(">I", 41)
    assert struct.unpack_from(">d", raw, P.TM_PREFIX_LEN + 4)[0] == 2.5
    assert P.BY_NAME["sim_step_done"].payload.size == 16 and step.payload.size == 20
    assert math.isclose(P.packet_time(raw), 2.5)


def test_protocol_doc_lists_every_packet_with_its_apid_and_length():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "sil-protocol.md").read_text()
    for p in P.PACKETS:
        head = f"#### `{p.name}`: APID 0x{p.apid:03X}, ST[{p.service},{p.subservice}], {p.length} octets"
        assert head in doc
        for name, *_ in p.fields:
            assert f"`{name}`" in doc
    assert "2 161 555 200" in doc and P.EPOCH_TAI58 == 2_161_555_200


def test_missions_front_door_exports_the_harness():
    import missions

    assert missions.run_sil.__module__ == "missions.sil.harness"
    assert issubclass(missions.FswHung, RuntimeError)


def test_shipped_xtce_dictionary_is_in_sync_with_the_protocol_table():
    from missions.sil.dictionary import (
        TOML_PATH,
        XTCE_PATH,
        compile_xtce,
        dictionary_toml,
        sil_dictionary,
    )

    assert TOML_PATH.read_text() == dictionary_toml() and XTCE_PATH.read_text() == compile_xtce()
    d = sil_dictionary()
    for p in P.PACKETS:
        pdef = d.packet(p.name.upper())
        assert (pdef.apid, pdef.service, pdef.subservice, pdef.length) == (
            p.apid,
            p.service,
            p.subservice,
            p.length,
        )


def test_space_packet_parser_reads_sil_packets_with_the_xtce_dictionary():
    """An independent XTCE decoder reads our bytes with our dictionary."""
    import space_packet_parser as spp

    from missions.sil.dictionary import XTCE_PATH

    nav = OBSERVATIONS[0]
    (raw,) = encode_observation(nav, Sequencer(), P.cuc(T))
    pkt = spp.load_xtce(XTCE_PATH).parse_bytes(raw)
    assert (float(pkt["NAV_R_X"]), float(pkt["NAV_R_Z"]), int(pkt["NAV_SOURCE"])) == (
        1.1,
        600.123456789,
        1,
    )
    assert int(pkt["TIME_COARSE"]) == P.EPOCH_TAI58 + 1234
