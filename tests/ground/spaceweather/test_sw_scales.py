"""NOAA G/S/R scales: thresholds from swpc.noaa.gov/noaa-scales-explanation, float32 traps."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ground.spaceweather.products import parse_integral_protons, parse_kp, parse_xrays
from ground.spaceweather.scales import (
    flare_class,
    g_scale,
    kp_status,
    proton_status,
    r_scale,
    s_scale,
    scale_status,
    xray_status,
)


@pytest.mark.parametrize(
    ("kp", "level"),
    [
        (0.0, 0),
        (4.33, 0),  # 4+
        (4.67, 1),  # 5- is G1 (SWPC's own forecasts label 4.67 as G1)
        (5.0, 1),
        (5.33, 1),
        (5.67, 2),
        (6.33, 2),
        (6.67, 3),
        (7.33, 3),
        (7.67, 4),
        (8.0, 4),
        (8.33, 4),
        (8.67, 4),  # 9- is G4, not G5: the boundary trap
        (9.0, 5),
    ],
)
def test_g_scale_table(kp, level):
    assert g_scale(kp) == level


def test_g_scale_differs_from_naive_rounding_at_9_minus():
    naive = max(round(8.67) - 4, 0)
    assert naive == 5 and g_scale(8.67) == 4


def test_g_scale_vectorised_and_nan():
    out = g_scale(np.array([1.0, 5.0, np.nan, 9.0]))
    assert out.tolist() == [0, 1, -1, 5]


@pytest.mark.parametrize(
    ("pfu", "level"),
    [
        (0.42, 0),
        (9.99, 0),
        (10.0, 1),
        (99.9, 1),
        (100.0, 2),
        (999.0, 2),
        (1e3, 3),
        (1e4, 4),
        (1e5, 5),
        (3e5, 5),
    ],
)
def test_s_scale_table(pfu, level):
    assert s_scale(pfu) == level


@pytest.mark.parametrize(
    ("flux", "level"),
    [
        (9.9e-6, 0),
        (1e-5, 1),
        (
            float(np.float32(1e-5)),
            1,
        ),  # float32(1e-5) < 1e-5 but is the M1 threshold as GOES stores it
        (4.99e-5, 1),
        (float(np.float32(5e-5)), 2),
        (1e-4, 3),
        (float(np.float32(1e-3)), 4),
        (2e-3, 5),
    ],
)
def test_r_scale_table(flux, level):
    assert r_scale(flux) == level


def test_float32_widening_is_really_below_threshold():
    assert float(np.float32(1e-5)) < 1e-5  # the trap the float32 compare handles


@pytest.mark.parametrize(
    ("flux", "label"),
    [
        (4.19e-5, "M4.1"),  # truncated, not rounded (reference example)
        (float(np.float32(4.19e-5)), "M4.1"),
        (float(np.float32(1e-5)), "M1.0"),
        (1e-5, "M1.0"),
        (2e-3, "X20.0"),  # X continues linearly
        (1.5e-4, "X1.5"),
        (2.578931912466942e-7, "B2.5"),
        (1.0e-6, "C1.0"),
        (9.999999717180685e-10, "A0.1"),  # the GOES floor, float32(1e-9)
    ],
)
def test_flare_class(flux, label):
    assert flare_class(flux) == label


def test_flare_class_nan_and_negative():
    assert flare_class(float("nan")) is None
    with pytest.raises(ValueError, match="non-negative"):
        flare_class(-1e-6)


@given(st.floats(min_value=1e-9, max_value=1e-2))
def test_flare_class_consistent_with_r_scale(flux):
    letter = flare_class(flux)[0]
    number = float(flare_class(flux)[1:])
    level = r_scale(flux)
    if level >= 1:
        assert letter in "MX"
    if letter == "X" and number >= 20.0:
        assert level == 5
    if letter in "ABC":
        assert level == 0


@given(st.lists(st.floats(min_value=0, max_value=9), min_size=2, max_size=20))
def test_scales_are_monotonic(values):
    values = np.sort(np.array(values))
    assert np.all(np.diff(g_scale(values)) >= 0)
    assert np.all(np.diff(s_scale(10**values)) >= 0)


def test_status_from_recordings(recorded):
    kp = kp_status(parse_kp(recorded("products/noaa-planetary-k-index.json")))
    assert (kp.value, kp.level, kp.peak_value, kp.peak_level) == (6.33, 2, 8.67, 4)
    assert kp.peak_time == np.datetime64("2026-08-06T18:00")
    protons = proton_status(
        parse_integral_protons(recorded("json/goes/primary/integral-protons-1-day.json"))
    )
    assert (protons.value, protons.level, protons.peak_level) == (150.0, 2, 2)
    xr_ = xray_status(parse_xrays(recorded("json/goes/primary/xrays-1-day.json")))
    assert xr_.level == 1 and flare_class(xr_.value) == "M1.0"
    assert xr_.peak_level == 1 and flare_class(xr_.peak_value) == "M4.1"
    assert "G2 now" in repr(kp) and "peak G4" in repr(kp)


def test_peak_window_excludes_older_samples(recorded):
    ds = parse_kp(recorded("products/noaa-planetary-k-index.json"))
    # ending 30 h after the storm peak, a 6 h window only sees the quiet tail
    status = kp_status(ds, window_hours=6, end="2026-08-07T00:00:00")
    assert status.peak_value == 7.33  # 21:00 and 00:00 rows are in (18:00, 00:00]
    with pytest.raises(ValueError, match="window_hours must be positive"):
        kp_status(ds, window_hours=0)


def test_status_without_data_is_not_quiet():
    ds = parse_kp([{"time_tag": "2026-01-01T00:00:00", "Kp": None}])
    status = kp_status(ds)
    assert status.value is None and status.time is None and status.level == 0
    with pytest.raises(ValueError, match="scale must be"):
        scale_status(ds["kp"], "K")
