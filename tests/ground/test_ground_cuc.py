"""CUC time codes: the worked vector, P-field layouts, and time scales against astropy."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.time import Time
from hypothesis import given, settings
from hypothesis import strategies as st

from ground.cuc import CucError, CucFormat, et_to_tai58, tai58_to_et, tai58_to_utc64

BASE = Time("1958-01-01T00:00:00", scale="tai")


def test_worked_vector_cuc_4_2():
    # ground-formats.md 2.1: 2024-01-01T00:00:00.5 UTC -> 1e 7c 24 5f 25 80 00
    fmt = CucFormat()
    assert fmt.pfield() == b"\x1e"
    raw = fmt.encode_time("2024-01-01T00:00:00.5")
    assert raw.hex() == "1e7c245f258000"
    assert fmt.decode_fields(raw) == (0x7C245F25, 0x8000)
    assert fmt.decode_time(raw).utc.isot == "2024-01-01T00:00:00.500"
    assert str(fmt.to_utc64(0x7C245F25, 0x8000)) == "2024-01-01T00:00:00.500000000"


@pytest.mark.parametrize(
    "coarse, fine, pfield",
    [
        (4, 2, "1e"),
        (4, 0, "1c"),
        (1, 0, "10"),
        (4, 3, "1f"),
        (5, 0, "9c20"),
        (4, 6, "9f0c"),
        (7, 10, "9f7c"),
    ],
)
def test_pfield_layouts(coarse, fine, pfield):
    fmt = CucFormat(coarse, fine)
    assert fmt.pfield().hex() == pfield
    back, n = CucFormat.from_pfield(bytes.fromhex(pfield))
    assert (back.coarse_octets, back.fine_octets, n) == (coarse, fine, len(pfield) // 2)


@settings(max_examples=60, deadline=None)
@given(coarse=st.integers(0, 2**32 - 1), fine=st.integers(0, 2**16 - 1))
def test_round_trip_fields(coarse, fine):
    fmt = CucFormat()
    raw = fmt.encode(coarse, fine=fine)
    assert len(raw) == fmt.length == 7
    assert fmt.decode_fields(raw) == (coarse, fine)


def test_utc_and_tdb_match_astropy():
    fmt = CucFormat()
    times = Time(
        [
            "1999-12-31T23:59:59",
            "2016-12-31T23:59:59.25",
            "2017-01-01T00:00:01",
            "2026-11-29T07:00:00.75",
        ],
        scale="utc",
    )
    fields = [fmt.decode_fields(fmt.encode_time(t)) for t in times]
    coarse, fine = np.array(fields).T
    utc = fmt.to_utc64(coarse, fine)
    want = times.datetime64.astype("datetime64[ns]")
    assert np.all(np.abs((utc - want).astype(np.int64)) < 20_000)  # 2^-16 s quantisation
    et = fmt.to_et(coarse, fine)
    j2000 = Time("2000-01-01T12:00:00", scale="tdb")
    et_astropy = (times.tdb - j2000).sec
    # astropy's TDB includes many more periodic terms; the LSK formula is good to ~30 us
    assert np.max(np.abs(et - et_astropy)) < 1e-4


def test_et_inverse():
    tai = np.array([1.3e9, 2.08e9, 2.5e9])
    assert np.allclose(et_to_tai58(tai58_to_et(tai)), tai, atol=1e-9, rtol=0)


def test_leap_second_offset():
    # TAI - UTC = 36 s in 2016, 37 s from 2017-01-01 on
    t2016 = (Time("2016-06-01T00:00:00", scale="utc").tai - BASE).sec
    assert str(tai58_to_utc64(t2016)) == "2016-06-01T00:00:00.000000000"


def test_agency_epoch():
    fmt = CucFormat.with_epoch("2000-01-01T00:00:00", coarse_octets=4, fine_octets=0)
    assert fmt.pfield()[0] >> 4 == 0b010
    raw = fmt.encode_time("2000-01-01T00:01:00")  # UTC: 32 s behind TAI in 2000
    assert int.from_bytes(raw[1:], "big") == 60 + 32
    with pytest.raises(CucError, match="agency-epoch"):
        CucFormat.from_pfield(raw[:1])


def test_bad_codes():
    with pytest.raises(CucError, match="time code ID 100"):
        CucFormat.from_pfield(b"\x40")  # CDS, not CUC
    with pytest.raises(CucError, match="1..7 octets, got 9"):
        CucFormat(9, 0)
    with pytest.raises(CucError, match="does not fit 1 coarse octets"):
        CucFormat(1, 0).encode(300)
    with pytest.raises(CucError, match="expected 4\\+2"):
        CucFormat().decode_fields(bytes.fromhex("1c00000000"))
