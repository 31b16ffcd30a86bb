"""Parsers of SWPC products, both layouts, on recordings in the products' exact formats."""

from __future__ import annotations

import random

import numpy as np
import pytest
import xarray as xr

from ground.spaceweather.products import (
    PROTON_CHANNELS,
    ProductFormatError,
    parse_alerts,
    parse_integral_protons,
    parse_kp,
    parse_kp_1m,
    parse_kp_forecast,
    parse_legacy_mag,
    parse_legacy_plasma,
    parse_product,
    parse_rtsw_mag,
    parse_rtsw_wind,
    parse_solar_wind_mag,
    parse_solar_wind_plasma,
    parse_xrays,
)


def _check_units(ds: xr.Dataset) -> None:
    assert ds["time"].dtype == np.dtype("datetime64[ns]")
    assert ds["time"].attrs["timezone"] == "UTC"
    for name, var in ds.data_vars.items():
        assert "units" in var.attrs, name
        assert "long_name" in var.attrs, name
    if ds.sizes["time"] > 1:
        assert (np.diff(ds["time"].values) >= np.timedelta64(0)).all()


def test_kp_current_layout(recorded):
    ds = parse_kp(recorded("products/noaa-planetary-k-index.json"))
    _check_units(ds)
    assert ds.attrs["layout"] == "objects"
    assert ds.sizes["time"] == 57
    assert ds["time"].values[0] == np.datetime64("2026-07-31T00:00")
    assert ds["kp"].sel(time="2026-08-06T18:00").item() == 8.67
    assert ds["kp"].values[-1] == 6.33
    assert ds["station_count"].values[-1] == 8


def test_kp_legacy_layout_strings_coerced(recorded):
    ds = parse_kp(recorded("legacy/noaa-planetary-k-index.json"))
    _check_units(ds)
    assert ds.attrs["layout"] == "header-row"
    assert ds["time"].values[0] == np.datetime64("2025-08-27T00:00")
    np.testing.assert_array_equal(ds["kp"].values, [1.33, 2.0, 2.67, 4.67, 5.33, 6.67, 5.0, 3.33])


def test_kp_both_layouts_give_the_same_dataset(recorded):
    """Rewrite the 2026 file in the legacy layout (strings, header row): same Dataset."""
    rows = recorded("products/noaa-planetary-k-index.json")
    header = ["time_tag", "Kp", "a_running", "station_count"]
    legacy = [header] + [
        [r["time_tag"].replace("T", " ") + ".000", f"{r['Kp']}", str(r["a_running"]), "8"]
        for r in rows
    ]
    a, b = parse_kp(rows), parse_kp(legacy)
    xr.testing.assert_identical(a.drop_attrs(deep=False), b.drop_attrs(deep=False))


def test_kp_revised_value_last_row_wins():
    rows = [
        {"time_tag": "2026-07-31T00:00:00", "Kp": 1.33, "a_running": 5, "station_count": 8},
        {"time_tag": "2026-07-31T03:00:00", "Kp": 4.0, "a_running": 27, "station_count": 7},
        {"time_tag": "2026-07-31T03:00:00", "Kp": 4.67, "a_running": 39, "station_count": 8},
    ]
    ds = parse_kp(rows)
    assert ds.sizes["time"] == 2
    assert ds["kp"].values[-1] == 4.67


def test_kp_forecast_both_layouts(recorded):
    new = parse_kp_forecast(recorded("products/noaa-planetary-k-index-forecast.json"))
    old = parse_kp_forecast(recorded("legacy/noaa-planetary-k-index-forecast.json"))
    _check_units(new)
    _check_units(old)
    assert list(new["observed"].values) == ["observed", "estimated", "predicted", "predicted"]
    assert list(new["noaa_scale"].values) == ["G2", "G2", "G1", ""]
    assert old["kp"].values.tolist() == [2.33, 5.0]


def test_kp_1m_labels_agree_with_estimates(recorded):
    ds = parse_kp_1m(recorded("json/planetary_k_index_1m.json"))
    _check_units(ds)
    np.testing.assert_allclose(ds["kp_label_value"], ds["estimated_kp"], atol=0.005)
    labels = parse_kp_1m(
        [
            {"time_tag": "2025-05-17T12:16:00", "kp_index": 0, "estimated_kp": 0.0, "kp": "0Z"},
            {"time_tag": "2025-05-17T12:17:00", "kp_index": 1, "estimated_kp": 0.67, "kp": "1M"},
            {"time_tag": "2025-05-17T12:18:00", "kp_index": 1, "estimated_kp": 1.33, "kp": "1P"},
        ]
    )
    np.testing.assert_allclose(labels["kp_label_value"], [0.0, 2 / 3, 4 / 3])


def test_rtsw_wind_only_active_rows_count(recorded):
    raw = recorded("json/rtsw/rtsw_wind_1m.json")
    assert raw[0]["active"] is False and raw[0]["proton_speed"] == 999.0  # the trap is there
    ds = parse_rtsw_wind(raw)
    _check_units(ds)
    assert ds.sizes["time"] == 180
    assert set(ds["source"].values) == {"SOLAR1"}
    assert ds["time"].values[-1] == np.datetime64("2026-08-07T01:25")
    assert ds["proton_speed"].max() < 700
    newest_active = next(r for r in raw if r["active"])
    assert ds["proton_speed"].values[-1] == newest_active["proton_speed"]
    assert ds["proton_speed"].attrs["units"] == "km/s"
    assert ds["proton_density"].attrs["units"] == "cm-3"


def test_rtsw_quality_gate_masks_flagged_rows(recorded):
    ds = parse_rtsw_wind(recorded("json/rtsw/rtsw_wind_1m.json"))
    flagged = ds["overall_quality"].values != 0
    assert flagged.sum() == 1
    assert np.isnan(ds["proton_speed"].values[flagged]).all()
    assert np.isfinite(ds["proton_speed"].values[~flagged]).all()


def test_rtsw_mag(recorded):
    raw = recorded("json/rtsw/rtsw_mag_1m.json")
    ds = parse_rtsw_mag(raw)
    _check_units(ds)
    assert ds["bz_gsm"].max() < 0  # the inactive newest row has bz = +40
    assert ds["bt"].attrs["units"] == "nT"
    assert ds["theta_gsm"].attrs["units"] == "deg"


def test_legacy_solar_wind_maps_to_rtsw_names(recorded):
    plasma = parse_legacy_plasma(recorded("products/solar-wind/plasma-1-day.json"))
    mag = parse_legacy_mag(recorded("products/solar-wind/mag-1-day.json"))
    _check_units(plasma)
    _check_units(mag)
    assert plasma["proton_speed"].values[0] == 523.4
    assert plasma["proton_density"].values[0] == 4.23
    assert np.isnan(plasma["proton_speed"].values[5])  # null gap, not zero
    assert mag["phi_gsm"].values[0] == 217.09  # lon_gsm -> phi_gsm
    assert mag["theta_gsm"].values[0] == 3.97  # lat_gsm -> theta_gsm
    # the dispatching parsers pick the layout from the first element
    xr.testing.assert_identical(
        parse_solar_wind_plasma(recorded("products/solar-wind/plasma-1-day.json")), plasma
    )
    rtsw = parse_solar_wind_mag(recorded("json/rtsw/rtsw_mag_1m.json"))
    assert set(rtsw.data_vars) == set(mag.data_vars) | {"overall_quality"}


def test_xrays_two_bands_per_minute(recorded):
    raw = recorded("json/goes/primary/xrays-1-day.json")
    ds = parse_xrays(raw)
    _check_units(ds)
    assert ds.sizes == {"time": 360, "band": 2}
    assert ds["flux"].attrs["units"] == "W m-2"
    long = ds["flux"].sel(band="0.1-0.8nm")
    assert long.max().item() == pytest.approx(4.19e-5, rel=1e-6)
    last = [r for r in raw if r["time_tag"] == "2026-08-07T01:25:00Z"]
    by_band = {r["energy"]: r["flux"] for r in last}
    assert ds["flux"].values[-1].tolist() == [by_band["0.1-0.8nm"], by_band["0.05-0.4nm"]]


def test_protons_exact_channel_strings(recorded):
    raw = recorded("json/goes/primary/integral-protons-1-day.json")
    ds = parse_integral_protons(raw)
    _check_units(ds)
    assert ds.sizes == {"time": 72, "channel": 8}
    assert tuple(ds["channel"].values) == PROTON_CHANNELS
    # Independent read: the latest row per exact channel string.
    latest = max(r["time_tag"] for r in raw)
    truth = {r["energy"]: r["flux"] for r in raw if r["time_tag"] == latest}
    assert ds["flux"].sel(channel=">=10 MeV").values[-1] == truth[">=10 MeV"] == 150.0
    assert ds["flux"].sel(channel=">=100 MeV").values[-1] == truth[">=100 MeV"]
    assert truth[">=100 MeV"] < 15.0
    for channel in PROTON_CHANNELS:
        assert ds["flux"].sel(channel=channel).values[-1] == truth[channel]


@pytest.mark.parametrize(
    "path", ["json/goes/primary/integral-protons-1-day.json", "json/goes/primary/xrays-1-day.json"]
)
def test_goes_parse_is_independent_of_row_order(recorded, path):
    raw = recorded(path)
    shuffled = list(raw)
    random.Random(3).shuffle(shuffled)
    parser = parse_integral_protons if "protons" in path else parse_xrays
    xr.testing.assert_identical(parser(raw), parser(shuffled))


def test_alerts(recorded):
    raw = recorded("products/alerts.json")
    ds = parse_alerts(raw)
    _check_units(ds)
    assert ds.sizes["time"] == 5  # one exact duplicate dropped
    assert ds["time"].values[-1] == np.datetime64("2026-08-07T01:10:12.330")
    assert list(ds["message_code"].values) == ["SUMXM5", "ALTK05", "ALTK05", "ALTK08", "ALTPX2"]
    assert list(ds["noaa_scale"].values) == ["R2", "G1", "G1", "G4", "S2"]  # "Noaa Scale:" too
    assert list(ds["kind"].values) == ["SUMMARY", "ALERT", "ALERT", "ALERT", "ALERT"]
    assert ds["headline"].values[3] == "Geomagnetic K-index of 8"  # bare \n line endings


def test_numbers_as_strings_nulls_and_non_finite_become_gaps():
    ds = parse_kp(
        [
            ["time_tag", "Kp", "a_running", "station_count"],
            ["2025-08-27 00:00:00.000", "NaN", "5", "8"],
            ["2025-08-27 03:00:00.000", None, "5", "8"],
            ["2025-08-27 06:00:00.000", "Infinity", "5", "8"],
            ["2025-08-27 09:00:00.000", "2.33", "9", "8"],
        ]
    )
    assert np.isnan(ds["kp"].values[:3]).all()
    assert ds["kp"].values[3] == 2.33


@pytest.mark.parametrize(
    ("name", "path", "column"),
    [
        ("kp", "products/noaa-planetary-k-index.json", "Kp"),
        ("solar_wind", "json/rtsw/rtsw_wind_1m.json", "proton_speed"),
        ("protons", "json/goes/primary/integral-protons-1-day.json", "flux"),
        ("alerts", "products/alerts.json", "message"),
    ],
)
def test_changed_columns_fail_loudly_naming_the_column(recorded, name, path, column):
    raw = recorded(path)
    renamed = [{(k if k != column else k + "_new"): v for k, v in row.items()} for row in raw]
    with pytest.raises(ProductFormatError, match=column):
        parse_product(name, renamed)


def test_bad_shapes():
    with pytest.raises(ProductFormatError, match="JSON array"):
        parse_kp({"time_tag": "2026-01-01T00:00:00", "Kp": 1})
    with pytest.raises(ProductFormatError, match="row 1 has 2 fields"):
        parse_kp([["time_tag", "Kp", "a_running"], ["2026-01-01 00:00:00", "1"]])
    with pytest.raises(ProductFormatError, match="time tag"):
        parse_kp([{"time_tag": "yesterday", "Kp": 1.0}])
    with pytest.raises(ProductFormatError, match="outside 0..9"):
        parse_kp([{"time_tag": "2026-01-01T00:00:00", "Kp": 12.0}])
    with pytest.raises(ValueError, match="unknown SWPC product 'kpp'"):
        parse_product("kpp", [])


def test_empty_product_gives_empty_dataset():
    ds = parse_kp([])
    assert ds.sizes["time"] == 0
