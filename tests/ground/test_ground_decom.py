"""Decommutation into xarray: time coordinates, calibrations, units, enums, derived parameters."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.time import Time

from ground.bulk import decode_bytes
from ground.decom import ExpressionError, decommutate, evaluate_expression
from ground.dictionary import load_dictionary
from ground.packets import encode_packet

DICT = load_dictionary()
HK, ATT = DICT.packet("HK"), DICT.packet("ATT")
BASE = Time("1958-01-01T00:00:00", scale="tai")


def _tai58(iso: str) -> float:
    return float((Time(iso, scale="utc").tai - BASE).sec)


def test_hk_dataset():
    t = _tai58("2026-03-01T12:00:00")
    raw = b"".join(
        HK.encode(
            {"BATT_V": 28000 + i, "BATT_I": -1500, "OBC_TEMP": 2000, "MODE": 2, "HEATER_ON": 1},
            seq_count=i,
            time_tai58=t + i * 0.5,
        )
        for i in range(4)
    )
    ds = decommutate(decode_bytes(raw, DICT))["HK"]
    assert ds.sizes["time"] == 4
    assert str(ds["time"].values[1]) == "2026-03-01T12:00:00.500000000"
    et = (
        Time("2026-03-01T12:00:00", scale="utc").tdb - Time("2000-01-01T12:00:00", scale="tdb")
    ).sec
    assert ds["et"].values[0] == pytest.approx(et, abs=1e-4)
    assert ds["BATT_V"].attrs["units"] == "V" and ds["BATT_V"].values[0] == pytest.approx(28.0)
    assert ds["BATT_V_raw"].dtype == np.uint16 and ds["BATT_I_raw"].values[0] == -1500
    assert ds["OBC_TEMP"].values[0] == pytest.approx(25.0)  # table: 1000 -> 0, 3000 -> 50
    assert ds["MODE"].attrs["flag_meanings"].split()[2] == "SCIENCE" and ds["MODE"].values[0] == 2
    assert ds["HEATER_ON"].dtype == bool
    assert ds["BATT_P"].attrs["units"] == "W"
    assert ds["BATT_P"].values[0] == pytest.approx(28.0 * -1.5)
    assert ds["BATT_V"].attrs["limit_red_high"] == 34.0
    assert ds.attrs["apid"] == 100 and ds.attrs["service"] == 3


def test_attitude_derived_norm():
    raw = ATT.encode({"RATE_X": 3.0, "RATE_Y": 4.0, "RATE_Z": 12.0}, time_tai58=2.0e9)
    ds = decommutate(decode_bytes(raw, DICT))["ATT"]
    assert ds["RATE_NORM"].values[0] == pytest.approx(13.0)
    assert ds["RATE_X"].attrs["units"] == "rad/s"


def test_unknown_packets_kept_at_header_level():
    raw = (
        encode_packet(700, b"abc", seq_count=3)
        + HK.encode({})
        + encode_packet(700, b"d", seq_count=4)
    )
    out = decommutate(decode_bytes(raw, DICT))
    assert set(out) == {"HK", "APID_700"}
    assert out["APID_700"]["seq_count"].values.tolist() == [3, 4]
    assert out["APID_700"]["length"].attrs["units"] == "octet"
    assert set(decommutate(decode_bytes(raw, None))) == {"APID_100", "APID_700"}


def test_expressions():
    v = {"A": np.array([1.0, 4.0]), "B": np.array([2.0, 2.0])}
    assert evaluate_expression("sqrt(A) * B + 1", v).tolist() == [3.0, 5.0]
    assert evaluate_expression("where(A > B, A, -B)", v).tolist() == [-2.0, 4.0]
    with pytest.raises(ExpressionError, match="'C', which is not a parameter"):
        evaluate_expression("A + C", v)
    with pytest.raises(ExpressionError, match="not allowed"):
        evaluate_expression("__import__('os')", v)
    with pytest.raises(ExpressionError, match="not allowed"):
        evaluate_expression("A.real", v)
    with pytest.raises(ExpressionError, match="not valid"):
        evaluate_expression("A +", v)
