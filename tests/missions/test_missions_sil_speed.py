"""The SIL hot path: precompiled packet layouts and the flight software's warm-up change no octet."""

from __future__ import annotations

import sys

import pytest

from missions.scenarios import Plant, load_scenario
from missions.sil import protocol as P
from missions.sil import run_sil
from missions.sil.codec import Sequencer, encode_observation
from missions.sil.fsw_reference import warm_up


def _values(ptype: P.PacketType, k: int) -> list:
    out = []
    for i, (_name, code, _u, _l) in enumerate(ptype.fields):
        if code == "d":
            out.append(-1.25e3 * (k + 1) + i / 7.0)
        elif code.endswith("s"):
            out.append(f"f{i}-{k}".encode())
        else:
            out.append((37 * k + i) % 200)
    return out


@pytest.mark.parametrize("ptype", P.PACKETS, ids=lambda p: p.name)
def test_one_struct_encoder_equals_the_layered_packet(ptype):
    # encode() packs header, PUS-C header, CUC and payload in one precompiled struct;
    # tm_packet() builds them layer by layer as the protocol document describes
    for k, seq in enumerate((0, 1, 0x3FFF, 0x4005)):
        values = _values(ptype, k)
        coarse, fine = P.cuc(1234.5 + k)
        fast = P.encode(ptype, seq, coarse, fine, values)
        layered = P.tm_packet(
            ptype.apid,
            ptype.service,
            ptype.subservice,
            seq,
            coarse,
            fine,
            ptype.payload.pack(*values),
        )
        assert fast == layered
        assert len(fast) == ptype.length and P.crc_ok(fast)
        assert P.decode(ptype, fast) == ptype.payload.unpack(ptype.payload.pack(*values))


def test_type_dispatched_sensor_encoding_matches_the_field_tables():
    spec = load_scenario("nominal")
    obs = Plant(spec, 3).observe(0.0, first=False)
    seq, ct = Sequencer(), P.cuc(0.0)
    pkts = [p for o in obs for p in encode_observation(o, seq, ct)]
    names = [P.BY_APID[P.packet_key(p)[0]].name for p in pkts]
    assert names[:3] == ["nav", "altimeter", "attitude"]
    nav = P.decode(P.BY_NAME["nav"], pkts[0])
    assert nav[0:3] == obs[0].r_m and nav[3:6] == obs[0].v_m_s and nav[12] == 0


def test_warm_up_flies_until_the_planner_has_run():
    steps = warm_up(load_scenario("nominal"), max_steps=2000, replans=1)
    assert 0 < steps < 2000  # the first re-plan comes during the rehearsal, a few hundred steps in


@pytest.mark.slow
def test_flight_software_warm_up_changes_no_telemetry():
    fsw = [sys.executable, "-m", "missions.sil.fsw_reference", "--host", "{host}", "--port"]
    fsw += ["{port}", "--spec", "{spec}", "--key-file", "{key_file}", "--warm-up-steps"]
    cold = run_sil("nominal", fsw=fsw + ["0"], seed=4, max_steps=400, step_deadline_s=30.0)
    warm = run_sil("nominal", seed=4, max_steps=400, step_deadline_s=30.0)
    assert cold.steps == warm.steps == 400 and cold.overruns == warm.overruns == 0
    assert cold.telemetry_sha256 == warm.telemetry_sha256
    assert warm.fsw_stdout.startswith("fsw loop_cpu_s ")
