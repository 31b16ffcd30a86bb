"""Station contacts: rise/set/culmination, range and light time, cross-checked three ways.

The "spacecraft" is either the Moon from DE421 (given to kamo as a heliocentric
ecliptic trajectory Dataset, or as an SPK we write) or a point at a fixed
heliocentric offset from Earth, whose culmination elevation is known in closed form.
"""

from __future__ import annotations

import numpy as np
import pytest
import spiceypy
import xarray as xr

from ground.contacts import (
    AU_KM,
    C_KM_S,
    OBLIQUITY_J2000_RAD,
    _sf_time,
    _skyfield,
    contacts,
    contacts_to_records,
    look_angles,
)
from ground.stations import get_station
from orbits.spice import ensure_kernels
from orbits.time import et_to_datetime64, to_et

START, END = "2024-03-01T01:00", "2024-03-03T23:00"


def _icrf_to_ecliptic(v):
    c, s = np.cos(OBLIQUITY_J2000_RAD), np.sin(OBLIQUITY_J2000_RAD)
    return np.stack([v[:, 0], c * v[:, 1] + s * v[:, 2], -s * v[:, 1] + c * v[:, 2]], axis=-1)


def _moon_states(et):
    ensure_kernels()
    states, _ = spiceypy.spkezr("MOON", et, "ECLIPJ2000", "NONE", "SUN")
    return np.asarray(states)


@pytest.fixture(scope="module")
def moon_dataset():
    et = np.arange(to_et("2024-02-29T12:00"), to_et("2024-03-04T12:00"), 900.0)
    st = _moon_states(et)
    return xr.Dataset(
        {
            "position": (("time", "axis"), st[:, :3], {"units": "km"}),
            "velocity": (("time", "axis"), st[:, 3:], {"units": "km/s"}),
        },
        coords={"time": et_to_datetime64(et)},
        attrs={"frame": "ECLIPJ2000", "center": "sun"},
    )


@pytest.fixture(scope="module")
def moon_kashi(moon_dataset):
    return contacts(moon_dataset, START, END, stations="kashi")


def test_moon_rise_set_match_skyfield_almanac(moon_kashi):
    """skyfield's own almanac (apparent Moon, light-time iterated) at the same 10 deg mask."""
    from skyfield import almanac

    ts, eph = _skyfield()
    obs = eph["earth"] + get_station("kashi").topos()
    t0, t1 = ts.utc(2024, 3, 1, 1), ts.utc(2024, 3, 3, 23)
    rises, _ = almanac.find_risings(obs, eph["moon"], t0, t1, horizon_degrees=10.0)
    sets, _ = almanac.find_settings(obs, eph["moon"], t0, t1, horizon_degrees=10.0)
    tab = moon_kashi
    assert tab.sizes["contact"] == 4
    ours_aos = tab.et_aos.values[~tab.aos_cut.values]
    ours_los = tab.et_los.values[~tab.los_cut.values]
    ref_aos = (rises.whole - 2451545.0) * 86400 + rises.tdb_fraction * 86400
    ref_los = (sets.whole - 2451545.0) * 86400 + sets.tdb_fraction * 86400
    # apparent (aberration ~20") vs geometric light-time position: a few seconds at most
    assert np.max(np.abs(ours_aos - ref_aos)) < 5.0
    assert np.max(np.abs(ours_los - ref_los)) < 5.0


def test_moon_events_match_astropy_dense_sampling(moon_kashi):
    """Independent geometry: SPICE geocentric Moon -> astropy/ERFA AltAz, sampled every 5 s."""
    import astropy.units as u
    from astropy.coordinates import GCRS, AltAz, CartesianRepresentation, EarthLocation, SkyCoord
    from astropy.time import Time

    st = get_station("kashi")
    loc = EarthLocation.from_geodetic(
        st.longitude_deg * u.deg, st.latitude_deg * u.deg, st.height_m * u.m
    )
    tab = moon_kashi
    events = np.concatenate(
        [tab.et_aos.values[~tab.aos_cut.values], tab.et_los.values[~tab.los_cut.values]]
    )
    ensure_kernels()
    for ev in events:
        et = ev + np.arange(-300.0, 300.0, 5.0)
        pos, lt = spiceypy.spkpos("MOON", et, "J2000", "LT", "EARTH")
        t = Time(et_to_datetime64(et), scale="utc")
        rep = CartesianRepresentation(np.asarray(pos).T * u.km)
        alt = SkyCoord(GCRS(rep, obstime=t)).transform_to(AltAz(obstime=t, location=loc)).alt.deg
        above = alt >= 10.0
        k = int(np.flatnonzero(above[1:] != above[:-1])[0])
        crossing = et[k] + (10.0 - alt[k]) / (alt[k + 1] - alt[k]) * 5.0
        assert abs(crossing - ev) < 3.0


def test_moon_culmination_and_light_time(moon_dataset, moon_kashi):
    tab = moon_kashi
    full = ~tab.aos_cut.values & ~tab.los_cut.values
    assert full.sum() == 2
    for i in np.flatnonzero(full):
        row = tab.isel(contact=i)
        assert row.et_aos < row.et_tca < row.et_los
        assert 15.0 < float(row.max_elevation) < 40.0
        for tag in ("aos", "tca", "los"):
            rng = float(row[f"range_{tag}"])
            assert 350_000 < rng < 410_000
            assert float(row[f"light_time_{tag}"]) == pytest.approx(rng / C_KM_S, rel=1e-12)
    # the table says what it holds
    assert tab["range_tca"].attrs["units"] == "km"
    assert tab["light_time_tca"].attrs["units"] == "s"
    assert tab["max_elevation"].attrs["units"] == "deg"
    # culmination really is the peak: look_angles one minute either side are lower
    row = tab.isel(contact=int(np.flatnonzero(full)[0]))
    la = look_angles(moon_dataset, "kashi", row.et_tca.values + np.array([-60.0, 0.0, 60.0]))
    assert la.elevation.values[1] >= la.elevation.values[[0, 2]].max()


def test_spk_trajectory_gives_the_same_windows(tmp_path, moon_dataset, moon_kashi):
    """Write the Moon as spacecraft -990001 in an SPK (type 13), read it back through SPICE."""
    ensure_kernels()
    et = np.arange(to_et("2024-02-29T12:00"), to_et("2024-03-04T12:00"), 900.0)
    states = _moon_states(et)
    path = tmp_path / "fake_sc.bsp"
    handle = spiceypy.spkopn(str(path), "kamo test", 0)
    spiceypy.spkw13(
        handle, -990001, 10, "ECLIPJ2000", et[0], et[-1], "moon as sc", 7, len(et), states, et
    )
    spiceypy.spkcls(handle)
    tab = contacts(path, START, END, stations="kashi")
    assert tab.sizes["contact"] == moon_kashi.sizes["contact"]
    for tag in ("aos", "tca", "los"):
        tol = 20.0 if tag == "tca" else 0.5  # a flat maximum is located to ~seconds
        assert np.allclose(tab[f"et_{tag}"].values, moon_kashi[f"et_{tag}"].values, atol=tol)
    assert np.allclose(tab.range_tca.values, moon_kashi.range_tca.values, atol=1.0)
    assert "fake_sc.bsp:-990001" in tab.attrs["trajectory"]


def _direction(ra_deg, dec_deg):
    ra, dec = np.radians(ra_deg), np.radians(dec_deg)
    return np.array([np.cos(dec) * np.cos(ra), np.cos(dec) * np.sin(ra), np.sin(dec)])


def _offset_dataset(offset_icrf_km, days=2.0, center="sun"):
    ts, eph = _skyfield()
    et = np.arange(to_et("2024-06-01"), to_et("2024-06-01") + days * 86400 + 1, 1800.0)
    t = _sf_time(et)
    earth = (eph["earth"].at(t).position.km - eph["sun"].at(t).position.km).T
    pos = earth + np.asarray(offset_icrf_km)
    return xr.Dataset(
        {n: ("time", pos[:, i], {"units": "km"}) for i, n in enumerate("xyz")},
        coords={"time": et},
        attrs={"frame": "J2000", "center": center},
    )


@pytest.mark.parametrize("distance_au", [0.1, 1.0])
def test_deep_space_fixed_offset_culminates_at_textbook_elevation(distance_au):
    """A target at a fixed direction (dec 20 deg) far away culminates at 90 - |lat - dec|.

    Right ascension 6 h, where precession since J2000 leaves the declination unchanged
    to first order (d(dec)/dt = 20.0"/yr cos(ra)), so the J2000 declination is the one of date.
    """
    direction = _direction(90.0, 20.0)
    ds = _offset_dataset(direction * distance_au * AU_KM)
    tab = contacts(ds, stations="kashi,neuquen", light_time=False)
    for key in ("kashi", "neuquen"):
        sub = tab.where(tab.station == key, drop=True)
        full = ~sub.aos_cut.values.astype(bool) & ~sub.los_cut.values.astype(bool)
        assert full.sum() >= 1
        lat = get_station(key).latitude_deg
        expected = 90.0 - abs(lat - 20.0)
        # parallax (Earth radius / distance) and light-time aberration stay below 0.03 deg
        assert np.allclose(sub.max_elevation.values[full], expected, atol=0.03)
        rng = sub.range_tca.values[full]
        # the station sits R_earth sin(el) closer to the target than the geocentre
        el = np.radians(sub.max_elevation.values[full])
        assert np.allclose(rng, distance_au * AU_KM - 6371.0 * np.sin(el), atol=30.0)
        assert np.allclose(sub.light_time_tca.values[full], rng / C_KM_S)
        # a fixed direction rises once per sidereal day
        if full.sum() >= 2:
            assert np.diff(sub.et_aos.values[full])[0] == pytest.approx(86164.09, abs=30.0)
    if distance_au == 1.0:
        assert np.all(np.abs(tab.light_time_tca.values - 499.0) < 1.0)
    # seen with light time, the target lags by Earth's motion during the light time
    # (30 km/s x 499 s = 1.5e4 km at 1 AU): same windows, ranges within that bound
    lagged = contacts(ds, stations="kashi,neuquen", light_time=True)
    assert lagged.sizes["contact"] == tab.sizes["contact"]
    assert np.all(
        np.abs(lagged.range_tca.values - tab.range_tca.values) < 30.0 * distance_au * 499.0
    )
    assert np.all(np.abs(lagged.et_aos.values - tab.et_aos.values) < 60.0)


def test_geocentric_dataset_and_records():
    """center='earth' works; records are JSON-ready; a never-visible target gives an empty table."""
    # 0.05 AU away at dec -70: below Kashi's horizon all day, circumpolar at Neuquen
    # (lowest elevation 38.19 - 20 = 18.19 deg, above the 10 deg mask)
    ds = _offset_dataset(_direction(90.0, -70.0) * 0.05 * AU_KM)
    tab = contacts(ds, stations="kashi")
    assert tab.sizes["contact"] == 0
    assert contacts_to_records(tab) == []
    tab = contacts(ds, stations="neuquen")  # circumpolar in the south: one cut window
    assert tab.sizes["contact"] == 1
    assert bool(tab.aos_cut[0]) and bool(tab.los_cut[0])
    rec = contacts_to_records(tab)[0]
    assert rec["station"] == "neuquen" and rec["aos"].endswith("Z")
    # 90 - |lat - dec| = 58.19 deg, less the parallax 6371 km / 0.05 AU = 0.049 deg x cos(el)
    assert rec["max_elevation"] == pytest.approx(58.19 - 0.026, abs=0.01)


def test_bad_inputs_name_the_problem(moon_dataset):
    with pytest.raises(ValueError, match="end must be after start"):
        contacts(moon_dataset, END, START)
    with pytest.raises(ValueError, match="outside the trajectory .* coverage"):
        contacts(moon_dataset, "2024-03-01", "2024-03-10")
    with pytest.raises(ValueError, match="unknown ground station 'nowhere'"):
        contacts(moon_dataset, START, END, stations="nowhere")
    with pytest.raises(ValueError, match="needs a 'position' variable"):
        contacts(moon_dataset.drop_vars("position"), START, END)
    with pytest.raises(ValueError, match="frame 'GALACTIC' not supported"):
        contacts(moon_dataset.assign_attrs(frame="GALACTIC"), START, END)
    with pytest.raises(ValueError, match="units 'furlong' not understood"):
        bad = moon_dataset.copy()
        bad["position"].attrs["units"] = "furlong"
        contacts(bad, START, END)
    with pytest.raises(FileNotFoundError, match="trajectory file not found"):
        contacts("/nonexistent/traj.nc", START, END)
    with pytest.raises(ValueError, match="elevation_mask_deg must be in"):
        contacts(moon_dataset, START, END, elevation_mask_deg=95.0)


def test_spk_with_a_coverage_gap_says_so(tmp_path):
    ensure_kernels()
    path = tmp_path / "gappy.bsp"
    handle = spiceypy.spkopn(str(path), "kamo test", 0)
    for day in ("2024-03-01", "2024-03-03"):
        et = np.arange(to_et(day), to_et(day) + 86400.0 + 1, 3600.0)
        states = _moon_states(et)
        spiceypy.spkw13(
            handle, -990002, 10, "ECLIPJ2000", et[0], et[-1], "seg", 3, len(et), states, et
        )
    spiceypy.spkcls(handle)
    with pytest.raises(ValueError, match="gap in its coverage"):
        contacts(path, "2024-03-01T06:00", "2024-03-03T12:00", stations="kashi")
    with pytest.raises(ValueError, match=r"holds objects \[-990002\]|has no object 5"):
        contacts(path, spk_id=5)


def test_orbits_ephemeris_dataset_geocentric_j2000(moon_kashi):
    """orbits.ephemeris.state(...).to_dataset() (r, v, et; center earth, J2000) gives the same windows."""
    from orbits.ephemeris import state

    et = np.arange(to_et("2024-02-29T12:00"), to_et("2024-03-04T12:00"), 900.0)
    ds = state("moon", et, center="earth", frame="J2000").to_dataset()
    tab = contacts(ds, START, END, stations="kashi")
    assert np.allclose(tab.et_aos.values, moon_kashi.et_aos.values, atol=0.5)
    assert np.allclose(tab.et_los.values, moon_kashi.et_los.values, atol=0.5)
    with pytest.raises(ValueError, match="center 'vulcan' is not in DE421"):
        contacts(ds.assign_attrs(center="vulcan"), START, END)


def test_uplink_and_downlink_light_time_shift_symmetrically():
    """A target co-moving with Earth 1 AU away: downlink sees it where Earth's motion left it
    one light time ago, uplink where it will be; the AOS shifts are equal and opposite."""
    ds = _offset_dataset(_direction(90.0, 20.0) * AU_KM)
    kw = {"stations": "kashi", "start": "2024-06-01T01:00", "end": "2024-06-02T12:00"}
    none = contacts(ds, light_time=False, **kw)
    down = contacts(ds, light_time="downlink", **kw)
    up = contacts(ds, light_time="uplink", **kw)
    assert (
        down.attrs["light_time_correction"] == "downlink"
        and up.attrs["light_time_correction"] == "uplink"
    )
    d_down = down.et_aos.values - none.et_aos.values
    d_up = up.et_aos.values - none.et_aos.values
    assert np.all(np.abs(d_down) > 0.3)
    assert np.allclose(d_down, -d_up, atol=0.05)
    with pytest.raises(ValueError, match="light_time must be"):
        contacts(ds, light_time="sideways", **kw)
