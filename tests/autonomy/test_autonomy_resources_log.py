"""Resource book and event log."""

import math

import numpy as np
import pytest

from autonomy.log import EventLog
from autonomy.resources import G0, ResourceBook, ResourceLimits


def test_burn_follows_the_rocket_mass_flow():
    book = ResourceBook(100.0, isp_s=220.0)
    used = book.burn(20.0, 100.0)  # 20 N for 100 s
    assert used == pytest.approx(20.0 * 100.0 / (220.0 * G0))
    assert book.propellant_kg == pytest.approx(100.0 - used)
    assert book.used_kg == pytest.approx(used)


def test_propellant_and_battery_limits():
    book = ResourceBook(
        30.0, 220.0, ResourceLimits(min_propellant_kg=20.0, min_soc_for_critical=0.4)
    )
    assert book.propellant_ok(9.0) and not book.propellant_ok(11.0)
    assert book.propellant_ok(11.0, reserve_kg=10.0)
    book.power(0.35)
    assert not book.battery_ok_for_critical()


def test_data_volume_limit_has_hysteresis():
    book = ResourceBook(10.0, 220.0, data_capacity_mbit=1000.0)
    assert book.data(500.0, 1000.0) is None and book.imaging_allowed
    assert "imaging off" in book.data(950.0, 1000.0) and not book.imaging_allowed
    assert book.data(800.0, 1000.0) is None and not book.imaging_allowed
    assert "allowed again" in book.data(700.0, 1000.0) and book.imaging_allowed


def test_bad_inputs():
    with pytest.raises(ValueError, match="propellant_kg must be >= 0, got -1"):
        ResourceBook(-1.0, 220.0)
    with pytest.raises(ValueError, match="isp_s must be positive"):
        ResourceBook(1.0, 0.0)


def test_log_views():
    log = EventLog()
    log.record(0.0, "home", "GO", "gate 1 fine", altitude_m=100.0, nav_sigma_m=0.6)
    log.record(5.0, "tag_descent", "WAIVE-OFF", "hazard", clearance_m=-0.4)
    log.record(9.0, "back_away", "MODE", "tag_descent -> back_away")
    assert len(log) == 3 and [e.decision for e in log.decisions("GO")] == ["GO"]
    text = str(log)
    assert "WAIVE-OFF" in text and "clearance_m=-0.4" in text
    df = log.to_dataframe()
    assert list(df.columns[:4]) == ["t", "mode", "decision", "reason"]
    assert df["altitude_m"].iloc[0] == 100.0 and math.isnan(df["altitude_m"].iloc[1])
    ds = log.to_xarray()
    assert ds.sizes["event"] == 3
    assert ds["t"].attrs["units"] == "s" and ds["altitude_m"].attrs["units"] == "m"
    assert ds["clearance_m"].attrs["units"] == "m"
    assert list(ds["decision"].values) == ["GO", "WAIVE-OFF", "MODE"]
    assert np.isnan(ds["nav_sigma_m"].values[2])
    assert "GO: 1" in repr(log)


def test_empty_log_views():
    log = EventLog()
    assert len(log.to_dataframe()) == 0
    assert log.to_xarray().sizes["event"] == 0
