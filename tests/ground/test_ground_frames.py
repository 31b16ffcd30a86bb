"""TM transfer frames: header layout vs spacepackets, ASM sync, flywheel, FECF, frame-length detection."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacepackets.ccsds.tm_frame import (
    MasterChannelId,
    TmFramePrimaryHeader,
    TmTransferFrame,
    TransferFrameDataFieldStatus,
)

from ground.frames import (
    ASM,
    FrameConfig,
    FrameError,
    FrameHeader,
    FrameSync,
    FrameWriter,
    detect_frame_length,
    find_asm,
)
from ground.packets import encode_packet


def test_header_vector():
    # ground-formats.md 3.2 (verified with spacepackets): SCID 0x2A5, VC 1, OCF, MC 7, VC 3, FHP 0
    h = FrameHeader(scid=0x2A5, vcid=1, ocf_flag=True, mc_count=7, vc_count=3, fhp=0)
    assert h.pack().hex() == "2a5307031800"
    assert FrameHeader.unpack(bytes.fromhex("2a5307031800")) == h


@settings(max_examples=60, deadline=None)
@given(
    scid=st.integers(0, 0x3FF),
    vcid=st.integers(0, 7),
    ocf=st.booleans(),
    mc=st.integers(0, 255),
    vc=st.integers(0, 255),
    fhp=st.integers(0, 0x7FF),
    sec=st.booleans(),
)
def test_header_both_ways_with_spacepackets(scid, vcid, ocf, mc, vc, fhp, sec):
    theirs = TmFramePrimaryHeader(
        MasterChannelId(0, scid),
        vcid,
        ocf,
        mc,
        vc,
        TransferFrameDataFieldStatus(sec, False, False, 0b11, fhp),
    )
    ours = FrameHeader(
        scid=scid, vcid=vcid, ocf_flag=ocf, mc_count=mc, vc_count=vc, fhp=fhp, sec_header_flag=sec
    )
    assert ours.pack() == theirs.pack()
    back = TmFramePrimaryHeader.unpack(ours.pack())
    assert (back.master_channel_id.spacecraft_id, back.vc_id, back.vc_frame_count) == (
        scid,
        vcid,
        vc,
    )
    assert back.frame_datafield_status.first_header_pointer == fhp


def _packets(n, size=40):
    return [encode_packet(5, bytes([i % 256]) * (size - 6), seq_count=i) for i in range(n)]


def test_writer_frames_parse_with_spacepackets():
    cfg = FrameConfig(length=100, fecf=True, ocf=True)
    w = FrameWriter(scid=0x2A5, config=cfg)
    pk = _packets(10)
    raw = w.write(pk, vcid=2) + w.flush(vcid=2)
    assert len(raw) % (4 + 100) == 0
    stream = b""
    for off in range(0, len(raw), 104):
        assert raw[off : off + 4] == ASM
        frame = TmTransferFrame.unpack(raw[off + 4 : off + 104], 100, True)  # checks the FECF
        stream += bytes(frame.data_field)
        if off == 0:
            assert frame.primary_header.frame_datafield_status.first_header_pointer == 0
    assert stream.startswith(b"".join(pk))
    # the second frame's FHP points at the first packet that starts in it
    second = FrameHeader.unpack(raw[104 + 4 : 104 + 10])
    assert second.fhp == (40 - (100 - 12) % 40) % 40


def test_sync_finds_frames_and_accounts_for_junk():
    cfg = FrameConfig(length=64)
    w = FrameWriter(scid=1, config=cfg)
    raw = w.write(_packets(20, size=30), vcid=0) + w.flush(0)
    junk = b"\x00\x1a\xcf" + bytes(range(40))
    data = junk + raw[:300] + b"zz" + raw[300:]
    sync = FrameSync(cfg)
    frames = []
    for i in range(0, len(data), 17):
        frames += sync.feed(data[i : i + 17])
    frames += sync.close()
    st_ = sync.stats
    good = sum(4 + 64 for _ in frames)
    assert good + st_.no_sync + st_.bad_frame_crc == len(data)
    assert st_.no_sync >= len(junk)


def test_flywheel_over_a_damaged_marker_and_bad_fecf():
    cfg = FrameConfig(length=64)
    w = FrameWriter(scid=1, config=cfg)
    raw = bytearray(w.write(_packets(30, size=30), vcid=0))
    span = 68
    raw[span * 2] ^= 0xFF  # damage the third ASM; the frame itself is fine
    raw[span * 4 + 20] ^= 0x01  # corrupt the fifth frame's body
    sync = FrameSync(cfg)
    frames = sync.feed(bytes(raw)) + sync.close()
    assert sync.stats.flywheel == 1
    assert sync.stats.bad_frames == 1 and sync.stats.bad_frame_crc == span
    assert len(frames) == len(raw) // span - 1


def test_detect_frame_length_and_errors():
    cfg = FrameConfig(length=123)
    w = FrameWriter(scid=1, config=cfg)
    raw = w.write(_packets(20), vcid=0)
    assert detect_frame_length(b"xx" + raw) == 123
    with pytest.raises(FrameError, match="give the frame length"):
        detect_frame_length(b"no markers here" * 20)
    with pytest.raises(FrameError, match="frame length must be"):
        FrameConfig(length=5000)
    with pytest.raises(FrameError, match="vcid must be in 0..7, got 9"):
        FrameHeader(scid=1, vcid=9)
    assert list(find_asm(__import__("numpy").frombuffer(b"a" + ASM + ASM, "u1"))) == [1, 5]
