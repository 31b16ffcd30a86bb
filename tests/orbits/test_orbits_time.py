"""orbits.time: every epoch form a user holds becomes the same SPICE ephemeris time."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import spiceypy
from astropy import units as u
from astropy.time import Time
from hypothesis import given, settings
from hypothesis import strategies as st

from orbits.spice import ensure_kernels
from orbits.time import et_to_datetime64, et_to_iso, et_to_time, to_et, to_time

LAUNCH = "2025-05-28T17:31:00"


def test_j2000_epoch_is_zero():
    # ET zero is 2000-01-01 12:00:00 TDB by definition (NAIF time required reading).
    assert to_et(Time("2000-01-01T12:00:00", scale="tdb")) == pytest.approx(0.0, abs=1e-6)


def test_all_forms_agree():
    ref = to_et(LAUNCH)
    forms = [
        Time(LAUNCH, scale="utc"),
        dt.datetime(2025, 5, 28, 17, 31),
        np.datetime64(LAUNCH),
        Time(LAUNCH, scale="utc").tt,
    ]
    for form in forms:
        assert to_et(form) == pytest.approx(ref, abs=1e-6), form
    arr = to_et([LAUNCH, "2026-07-01"])
    assert isinstance(arr, np.ndarray) and arr.shape == (2,) and arr[0] == pytest.approx(ref)
    assert to_et(np.array([LAUNCH, LAUNCH])).shape == (2,)
    assert to_et(np.array(["2025-05-28T17:31", "2025-06-01"], dtype="datetime64[s]"))[
        0
    ] == pytest.approx(ref)


def test_floats_pass_through_as_et():
    assert to_et(1.5e8) == 1.5e8
    np.testing.assert_array_equal(to_et(np.array([1.0, 2.0])), [1.0, 2.0])


@pytest.mark.filterwarnings("ignore::erfa.ErfaWarning")  # dates past the leap-second table
def test_utc_to_et_matches_spice_str2et_with_kamo_lsk():
    """Cross-check with CSPICE reading kamo's own LSK: SPICE's TDB formula and astropy's
    series agree to tens of microseconds (NAIF Time Required Reading)."""
    ensure_kernels()
    rng = np.random.default_rng(7)
    days = rng.uniform(-9000, 12000, 200)
    times = Time("2000-01-01T12:00:00", scale="utc") + days * u.day
    for t in times[:50]:
        iso = t.utc.isot
        assert to_et(iso) == pytest.approx(
            spiceypy.str2et(iso.replace("T", " ") + " UTC"), abs=1e-4
        ), iso


def test_round_trip_vs_astropy():
    rng = np.random.default_rng(1)
    et = rng.uniform(-3e9, 1.6e9, 1000)
    back = to_et(et_to_time(et))
    np.testing.assert_allclose(back, et, rtol=0, atol=2e-6)
    iso = et_to_iso(et[:20])
    np.testing.assert_allclose(to_et(list(iso)), et[:20], rtol=0, atol=1e-3)
    # scalar in, scalar out; ISO text in UTC by default
    assert et_to_iso(to_et(LAUNCH)) == "2025-05-28T17:31:00.000"
    assert str(et_to_datetime64(to_et(LAUNCH)))[:19] == LAUNCH


def test_leap_second_is_counted():
    # 2016-12-31T23:59:60 UTC was a leap second: two UTC midnights 1 day apart differ by 86401 s.
    # (TDB - TT varies by microseconds over a day, hence the tolerance)
    assert to_et("2017-01-01") - to_et("2016-12-31") == pytest.approx(86401.0, abs=1e-3)
    assert to_et("2018-01-01") - to_et("2017-12-31") == pytest.approx(86400.0, abs=1e-3)


@pytest.mark.parametrize("bad", ["2020-13-01", "yesterday", "2020-06-01/2020-07-01"])
def test_bad_dates_name_the_value(bad):
    with pytest.raises(ValueError, match="cannot read"):
        to_et(bad)


def test_wrong_type_is_named():
    with pytest.raises(TypeError, match="dict"):
        to_time({"a": 1})


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-3.0e9, max_value=1.6e9, allow_nan=False))
def test_et_time_et_is_identity(et):
    assert to_et(et_to_time(et)) == pytest.approx(et, abs=2e-6)
