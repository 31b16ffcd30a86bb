"""Ground stations: the built-in table, lookups, geodetic conversion and bad files."""

from __future__ import annotations

import numpy as np
import pytest
import spiceypy

from ground.stations import (
    WGS84_A_KM,
    WGS84_F,
    GroundStation,
    geodetic_to_ecef_km,
    get_station,
    get_stations,
    load_stations,
)


def test_builtin_table_has_cdsn_and_dsn_with_sources():
    table = load_stations()
    for key in ("kashi", "jiamusi", "neuquen", "goldstone", "madrid", "canberra"):
        st = table[key]
        assert st.source and st.confidence
        assert st.antenna_diameter_m >= 34.0
        assert 0.0 <= st.elevation_mask_deg <= 15.0
    # mission-facts.md sec. 4: DSS-43 (Canberra) and Neuquen figures
    assert table["canberra"].latitude_deg == pytest.approx(-35.40242)
    assert table["canberra"].antenna_diameter_m == 70.0
    assert table["neuquen"].longitude_deg == pytest.approx(-70.1495)
    assert table["kashi"].antenna_count == 4


def test_lookup_by_key_alias_and_list():
    assert get_station("DSS-14").key == "goldstone"
    assert get_station("Kashgar").key == "kashi"
    assert [s.key for s in get_stations("kashi, jiamusi,neuquen")] == [
        "kashi",
        "jiamusi",
        "neuquen",
    ]
    st = get_station("madrid")
    assert get_stations([st, "canberra"])[0] is st
    assert "mask 6 deg" in repr(st)


def test_unknown_station_names_the_choices():
    with pytest.raises(ValueError, match=r"unknown ground station 'tianjin'.*kashi"):
        get_station("tianjin")
    with pytest.raises(ValueError, match="no ground station given"):
        get_stations(" , ")


def test_geodetic_to_ecef_matches_spice_georec():
    """Independent check: SPICE georec with the WGS-84 ellipsoid."""
    for st in load_stations().values():
        ours = np.array(geodetic_to_ecef_km(st.latitude_deg, st.longitude_deg, st.height_m))
        ref = spiceypy.georec(
            np.radians(st.longitude_deg),
            np.radians(st.latitude_deg),
            st.height_m / 1e3,
            WGS84_A_KM,
            WGS84_F,
        )
        assert np.allclose(ours, ref, atol=1e-9)
        assert np.allclose(st.itrs_km(), ref, atol=1e-9)


def test_skyfield_topos_matches_our_ecef():
    st = get_station("dss43")
    assert np.allclose(st.topos().itrs_xyz.km, st.itrs_km(), atol=1e-6)


def test_user_station_file(tmp_path):
    path = tmp_path / "st.toml"
    path.write_text(
        '[mygs]\nname = "My GS"\nlatitude_deg = 10.0\nlongitude_deg = 20.0\nheight_m = 5\n'
        "antenna_diameter_m = 12\nelevation_mask_deg = 5\n"
    )
    table = load_stations(path)
    assert table["mygs"].antenna_diameter_m == 12.0
    assert get_station("mygs", table).height_m == 5.0


@pytest.mark.parametrize(
    "body, message",
    [
        ('[x]\nname = "x"\n', "missing required key 'latitude_deg'"),
        (
            '[x]\nname = "x"\nlatitude_deg = 95\nlongitude_deg = 0\nheight_m = 0\nantenna_diameter_m = 1\n'
            "elevation_mask_deg = 5\n",
            r"latitude_deg must be in \[-90, 90\], got 95",
        ),
        ('[x]\nname = "x"\nlatitude_deg = "north"\n', "latitude_deg must be a number"),
        ('[x]\nname = "x"\ncolour = 1\n', "unknown key"),
        ("[x\n", "not valid TOML"),
    ],
)
def test_bad_station_file_names_the_key(tmp_path, body, message):
    path = tmp_path / "bad.toml"
    path.write_text(body)
    with pytest.raises(ValueError, match=message):
        load_stations(path)


def test_bad_station_values():
    with pytest.raises(ValueError, match="antenna_diameter_m must be positive, got -1"):
        GroundStation("x", "x", 0.0, 0.0, 0.0, -1.0, 5.0)
    with pytest.raises(FileNotFoundError, match="station file not found"):
        load_stations("/nonexistent/stations.toml")
