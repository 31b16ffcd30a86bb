"""Command authentication: HMAC known answers, the trailer layout, and the onboard verifier.

Independent references: RFC 4231 HMAC-SHA256 test vectors; an HMAC written out from
RFC 2104 with hashlib in this file; spacepackets (PusTc, Service1Tm) for the packets.
"""

from __future__ import annotations

import hashlib
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacepackets.ecss import PusTc
from spacepackets.ecss.pus_1_verification import (
    ManagedParams,
    ManagedParamsVerification,
    Service1Tm,
)

from ground.auth import (
    MAC_LEN,
    TRAILER_LEN,
    FailureCode,
    MissionKey,
    OnboardVerifier,
    compute_mac,
    load_key,
    seal_tc,
    split_trailer,
)
from ground.crc import crc16
from ground.cuc import CucFormat
from ground.dictionary import load_dictionary

KEY = MissionKey(
    1, bytes.fromhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
)
OTHER = MissionKey(1, b"\xa5" * 32)
TIME = CucFormat().encode_time("2024-01-01T00:00:00.5")


def _rfc2104_hmac_sha256(key: bytes, msg: bytes) -> bytes:
    """HMAC written out from RFC 2104 (B = 64): H((K ^ opad) || H((K ^ ipad) || m))."""
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(k ^ 0x36 for k in key) + msg).digest()
    return hashlib.sha256(bytes(k ^ 0x5C for k in key) + inner).digest()


@pytest.mark.parametrize(
    "key, msg, mac_hex",
    [
        # RFC 4231 test case 1
        (
            b"\x0b" * 20,
            b"Hi There",
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        ),
        # RFC 4231 test case 2
        (
            b"Jefe",
            b"what do ya want for nothing?",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        ),
    ],
)
def test_hmac_known_answers(key, msg, mac_hex):
    assert compute_mac(key, msg).hex() == mac_hex
    assert _rfc2104_hmac_sha256(key, msg).hex() == mac_hex


def test_sealed_tc_equals_spacepackets_build_with_independent_mac():
    """Build the same authenticated TC with spacepackets and a hand-written HMAC: byte-identical."""
    args = bytes([2, 1])
    ours = seal_tc(100, 8, 1, args, key=KEY, auth_seq=123456, source_id=7)
    trailer_head = struct.pack(">HI", 1, 123456)
    draft = PusTc(
        service=8,
        message_subtype=1,
        apid=100,
        app_data=args + trailer_head + bytes(MAC_LEN),
        seq_count=123456 % 16384,
        source_id=7,
    ).pack()
    signed = draft[: -(MAC_LEN + 2)]
    mac = _rfc2104_hmac_sha256(KEY.secret, bytes(signed))
    ref = PusTc(
        service=8,
        message_subtype=1,
        apid=100,
        app_data=args + trailer_head + mac,
        seq_count=123456 % 16384,
        source_id=7,
    ).pack()
    assert ours == bytes(ref)
    parsed = PusTc.unpack(ours)
    assert (parsed.service, parsed.message_subtype, parsed.apid, parsed.source_id) == (8, 1, 100, 7)
    assert parsed.app_data == args + trailer_head + mac
    tr = split_trailer(ours)
    assert (tr.key_id, tr.auth_seq, tr.args, tr.mac) == (1, 123456, args, mac)


def _report(verdict) -> Service1Tm:
    return Service1Tm.unpack(
        verdict.report,
        ManagedParams(timestamp_len=len(TIME)),
        ManagedParamsVerification(bytes_step_id=1, bytes_err_code=2),
    )


def test_accepts_and_reports_tm_1_1_readable_by_spacepackets():
    v = OnboardVerifier({1: KEY.secret}, report_apid=5)
    tc = seal_tc(100, 17, 1, b"", key=KEY, auth_seq=1, source_id=42)
    verdict = v.verify(tc, time=TIME)
    assert verdict.accepted and verdict.reason == "ACCEPTED"
    rep = _report(verdict)
    assert (rep.service, rep.message_subtype, rep.apid) == (1, 1, 5)
    assert rep.pus_tm.pus_tm_sec_header.dest_id == 42
    assert rep.tc_req_id.pack() == tc[:4]
    assert rep.timestamp == TIME
    assert v.state() == {1: 1}


def _failure(v, raw, code):
    verdict = v.verify(raw, time=TIME)
    assert not verdict.accepted
    assert verdict.reason == code.name
    rep = _report(verdict)
    assert rep.message_subtype == 2
    assert rep.error_code.val == int(code)
    assert rep.tc_req_id.pack() == bytes(raw[:4]).ljust(4, b"\0")
    return verdict, rep


def test_replay_is_rejected_and_reported():
    v = OnboardVerifier({1: KEY.secret})
    tc = seal_tc(100, 17, 1, b"", key=KEY, auth_seq=10)
    assert v.verify(tc).accepted
    verdict, rep = _failure(v, tc, FailureCode.REPLAY)
    # failure data: the replayed auth seq and the key id
    assert rep.failure_notice.data == struct.pack(">IH", 10, 1)
    assert "not above last accepted 10" in verdict.detail
    # an older one too; a newer one goes through
    _failure(v, seal_tc(100, 17, 1, b"", key=KEY, auth_seq=9), FailureCode.REPLAY)
    assert v.verify(seal_tc(100, 17, 1, b"", key=KEY, auth_seq=11)).accepted
    assert v.state() == {1: 11}


def test_altered_byte_is_rejected_with_or_without_fixed_crc():
    v = OnboardVerifier({1: KEY.secret})
    tc = bytearray(seal_tc(100, 8, 1, bytes([2, 1]), key=KEY, auth_seq=5))
    tc[11] ^= 0x01  # flip one bit of the first argument
    _failure(v, bytes(tc), FailureCode.CRC_ERROR)
    forged = bytes(tc[:-2]) + crc16(bytes(tc[:-2])).to_bytes(2, "big")  # an attacker fixes the CRC
    _failure(v, forged, FailureCode.MAC_MISMATCH)
    # rejections do not move the counter: the genuine command is still accepted
    assert v.state() == {1: -1}
    assert v.verify(seal_tc(100, 8, 1, bytes([2, 1]), key=KEY, auth_seq=5)).accepted


def test_wrong_key_unknown_key_and_unauthenticated():
    v = OnboardVerifier({1: KEY.secret})
    _failure(v, seal_tc(100, 17, 1, b"", key=OTHER, auth_seq=1), FailureCode.MAC_MISMATCH)
    _failure(
        v,
        seal_tc(100, 17, 1, b"", key=MissionKey(9, KEY.secret), auth_seq=1),
        FailureCode.UNKNOWN_KEY,
    )
    plain = PusTc(service=17, message_subtype=1, apid=100).pack()  # a plain, unsigned are-you-alive
    _failure(v, bytes(plain), FailureCode.NOT_AUTHENTICATED)
    _failure(v, b"\x18\x01", FailureCode.MALFORMED)
    pus_a = bytearray(seal_tc(100, 17, 1, b"", key=KEY, auth_seq=1))
    pus_a[6] = (1 << 4) | 0xF  # PUS version 1 in the secondary header
    pus_a[-2:] = crc16(bytes(pus_a[:-2])).to_bytes(2, "big")
    verdict, _ = _failure(v, bytes(pus_a), FailureCode.MALFORMED)
    assert "PUS version 1" in verdict.detail
    # a forged high sequence number with a bad MAC must not lock out the real sender
    _failure(v, seal_tc(100, 17, 1, b"", key=OTHER, auth_seq=0xFFFFFFFF), FailureCode.MAC_MISMATCH)
    assert v.verify(seal_tc(100, 17, 1, b"", key=KEY, auth_seq=2)).accepted


def test_dictionary_and_apid_checks_onboard():
    d = load_dictionary()
    v = OnboardVerifier({1: KEY.secret}, apids={100}, dictionary=d)
    _failure(v, seal_tc(101, 17, 1, b"", key=KEY, auth_seq=1), FailureCode.WRONG_APID)
    _failure(v, seal_tc(100, 8, 99, b"", key=KEY, auth_seq=2), FailureCode.ILLEGAL_COMMAND)
    verdict, _ = _failure(
        v, seal_tc(100, 8, 1, bytes([7, 1]), key=KEY, auth_seq=3), FailureCode.INVALID_ARGUMENTS
    )
    assert "HEATER_ID" in verdict.detail and "0..3" in verdict.detail
    assert v.verify(seal_tc(100, 8, 1, bytes([3, 1]), key=KEY, auth_seq=4), time=TIME).accepted


def test_acceptance_report_only_when_asked():
    v = OnboardVerifier({1: KEY.secret})
    quiet = v.verify(seal_tc(100, 17, 1, b"", key=KEY, auth_seq=1, ack_flags=0b1000))
    assert quiet.accepted and quiet.report is None
    # failures are always reported, whatever the flags
    assert v.verify(seal_tc(100, 17, 1, b"", key=KEY, auth_seq=1, ack_flags=0)).report is not None
    # message counters and report sequence counts advance
    assert [len(x.report or b"") > 0 for x in v.log] == [False, True]


@settings(max_examples=150, deadline=None)
@given(position=st.integers(0, 10_000), bit=st.integers(0, 7), seq=st.integers(1, 2**32 - 1))
def test_any_single_bit_flip_is_rejected(position, bit, seq):
    tc = bytearray(seal_tc(100, 8, 3, bytes(range(7)), key=KEY, auth_seq=seq))
    position %= len(tc)
    tc[position] ^= 1 << bit
    v = OnboardVerifier({1: KEY.secret})
    verdict = v.verify(bytes(tc))
    assert not verdict.accepted
    assert verdict.report is not None


@settings(max_examples=100, deadline=None)
@given(raw=st.binary(max_size=80))
def test_random_bytes_never_raise_and_are_rejected(raw):
    verdict = OnboardVerifier({1: KEY.secret}).verify(raw)
    assert not verdict.accepted
    assert verdict.reason in FailureCode.__members__


def test_key_files(tmp_path):
    hex_file = tmp_path / "k.hex"
    hex_file.write_text(KEY.secret.hex() + "\n")
    assert load_key(hex_file).secret == KEY.secret
    bin_file = tmp_path / "k.bin"
    bin_file.write_bytes(b"\xff\xfe" * 16)
    assert load_key(bin_file, key_id=3) == MissionKey(3, b"\xff\xfe" * 16)
    short = tmp_path / "short.hex"
    short.write_text("abcd")
    with pytest.raises(ValueError, match="at least 16 octets"):
        load_key(short)
    with pytest.raises(FileNotFoundError, match="key file not found"):
        load_key(tmp_path / "missing")
    assert KEY.secret.hex() not in repr(KEY)
    with pytest.raises(ValueError, match="auth sequence number must be in 0..4294967295"):
        seal_tc(100, 17, 1, b"", key=KEY, auth_seq=-1)


def test_trailer_length_constant():
    assert TRAILER_LEN == 38
    tc = seal_tc(100, 17, 1, b"", key=KEY, auth_seq=1)
    assert len(tc) == 6 + 5 + TRAILER_LEN + 2
