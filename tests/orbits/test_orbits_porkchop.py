"""orbits.porkchop: the Earth-Mars 2020 window, cross-checks with boinor's izzo, shapes and errors."""

from __future__ import annotations

import numpy as np
import pytest

from orbits.constants import GM_SUN
from orbits.ephemeris import state_et
from orbits.porkchop import parse_span, plot_porkchop, porkchop, porkchop_summary
from orbits.smallbody import SmallBody

MARS_2020 = ("earth", "mars", "2020-06-01/2020-09-30", "2021-01-01/2021-06-30")


@pytest.fixture(scope="module")
def mars2020():
    return porkchop(*MARS_2020, grid=120)


def test_mars_2020_minimum_c3(mars2020):
    """The 2020 Earth-Mars opportunity: minimum departure C3 about 13 km^2/s^2 for a
    mid/late-July launch and a late-January to February 2021 arrival (George & Kos,
    NASA/TM-1998-208533, Interplanetary Mission Design Handbook 2009-2024, 2020
    Earth-Mars charts). Mars 2020 itself launched 2020-07-30 and arrived 2021-02-18."""
    s = porkchop_summary(mars2020)
    c3 = s["min_c3"]
    assert 12.5 < c3["c3_km2_s2"] < 14.0
    assert "2020-07-10" <= c3["launch"][:10] <= "2020-07-31"
    assert "2021-01-15" <= c3["arrival"][:10] <= "2021-02-28"
    # Perseverance's flown pair sits in the low-C3 valley
    cell = mars2020.sel(launch="2020-07-30T11:50", arrival="2021-02-18T20:55", method="nearest")
    assert float(cell.c3_launch) < 16.0
    assert 180 < float(cell.tof) < 225


def test_cells_fly_to_the_target_under_spice_prop2b(mars2020):
    """End to end, with an independent propagator: rebuild the departure velocity from a
    cell's C3, DLA and RLA (EME2000), fly it for the cell's time of flight with SPICE's
    two-body ``prop2b``, and arrive at Mars with the cell's arrival v-infinity."""
    import spiceypy

    eclip_from_eq = np.asarray(spiceypy.pxform("J2000", "ECLIPJ2000", 0.0))
    rng = np.random.default_rng(5)
    ii = rng.integers(0, mars2020.sizes["launch"], 30)
    jj = rng.integers(0, mars2020.sizes["arrival"], 30)
    for i, j in zip(ii, jj, strict=True):
        cell = mars2020.isel(launch=i, arrival=j)
        e = state_et("earth", float(cell.launch_et))
        m = state_et("mars", float(cell.arrival_et))
        dla, rla = np.radians(float(cell.dla)), np.radians(float(cell.rla))
        direction = np.array([np.cos(dla) * np.cos(rla), np.cos(dla) * np.sin(rla), np.sin(dla)])
        v1 = e[3:] + eclip_from_eq @ (np.sqrt(float(cell.c3_launch)) * direction)
        end = spiceypy.prop2b(GM_SUN, np.concatenate([e[:3], v1]), float(cell.tof) * 86400.0)
        assert np.linalg.norm(end[:3] - m[:3]) < 1e-6 * np.linalg.norm(m[:3])
        assert np.linalg.norm(end[3:] - m[3:]) == pytest.approx(float(cell.vinf_arrival), abs=1e-5)


def test_variables_carry_units_and_relations(mars2020):
    for name in (
        "c3_launch",
        "vinf_launch",
        "dla",
        "rla",
        "vinf_arrival",
        "dv_total",
        "dv_rendezvous",
        "tof",
    ):
        assert mars2020[name].attrs["units"] and mars2020[name].attrs["long_name"], name
        assert mars2020[name].dims == ("launch", "arrival")
    assert mars2020.launch.dtype.kind == "M" and mars2020.arrival.dtype.kind == "M"
    np.testing.assert_allclose(mars2020.vinf_launch**2, mars2020.c3_launch, rtol=1e-12)
    np.testing.assert_allclose(
        mars2020.dv_total, mars2020.vinf_launch + mars2020.vinf_arrival, rtol=1e-12
    )
    np.testing.assert_array_equal(mars2020.dv_rendezvous, mars2020.vinf_arrival)
    assert float(mars2020.dla.min()) >= -90 and float(mars2020.dla.max()) <= 90
    assert float(mars2020.rla.min()) >= 0 and float(mars2020.rla.max()) < 360


def test_dla_rla_are_eme2000_angles_of_vinf():
    """DLA/RLA recomputed by hand: rotate the ecliptic v-infinity into J2000 with SPICE."""
    import spiceypy

    from orbits.porkchop import _eclip_to_eme2000

    ds = porkchop(
        "earth", "mars", ("2020-07-20", "2020-07-21"), ("2021-02-01", "2021-02-02"), grid=2
    )
    from orbits._lambert import lambert_batch

    et1, et2 = float(ds.launch_et[0]), float(ds.arrival_et[0])
    e = state_et("earth", et1)
    m = state_et("mars", et2)
    v1 = lambert_batch(GM_SUN, e[None, :3], m[None, :3], et2 - et1)[0][0]
    vinf_eq = np.asarray(spiceypy.mxv(spiceypy.pxform("ECLIPJ2000", "J2000", 0.0), v1 - e[3:]))
    _, ra, dec = spiceypy.recrad(vinf_eq)
    assert float(ds.dla[0, 0]) == pytest.approx(np.degrees(dec), abs=1e-6)
    assert float(ds.rla[0, 0]) == pytest.approx(np.degrees(ra), abs=1e-6)
    assert _eclip_to_eme2000().shape == (3, 3)


def test_infeasible_cells_are_nan_not_errors():
    # arrival span overlaps the launch span: tof <= 0 cells must be NaN
    ds = porkchop("earth", "mars", "2020-06-01/2020-08-01", "2020-07-01/2020-09-01", grid=20)
    tof = ds.tof.values
    assert np.isnan(ds.c3_launch.values[np.isnan(tof)]).all()
    assert np.isnan(tof).any() and np.isfinite(tof).any()
    assert (tof[np.isfinite(tof)] > 0).all()
    short = porkchop(*MARS_2020, grid=10, min_tof_days=250)
    assert np.isnan(short.c3_launch.values[short.tof.values < 250]).all()


def test_small_body_target_and_multi_revolution_selection():
    kamo = SmallBody("pk-kamo", 1.00094, 0.10269, 7.79605, 65.7907, 305.0478, 175.153, epoch=7.65e8)
    span = ("2025-01-01/2025-12-31", "2026-01-01/2027-06-30")
    single = porkchop("earth", kamo, *span, grid=30)
    both = porkchop("earth", kamo, *span, grid=30, revolutions=(0, 1))
    assert set(np.unique(both.revs.values[np.isfinite(both.revs.values)])) <= {0.0, 1.0}
    # the best of several families is never worse than the zero-revolution family
    a = np.nan_to_num(both.dv_total.values, nan=np.inf)
    b = np.nan_to_num(single.dv_total.values, nan=np.inf)
    assert (a <= b + 1e-12).all() and (a < b).any()
    assert single.attrs["arrival_body"] == "pk-kamo"


def test_summary_and_plot(mars2020, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    s = mars2020.porkchop.summary()
    assert s["grid"] == [120, 120] and s["launch_span"][0].startswith("2020-06-01")
    assert s["min_dv"]["dv_km_s"] == pytest.approx(float(mars2020.dv_total.min()))
    ax = plot_porkchop(mars2020, mark_launch="2020-07-30T11:50")
    ax.figure.savefig(tmp_path / "pc.png")
    assert (tmp_path / "pc.png").stat().st_size > 10_000
    assert mars2020.porkchop.plot().get_xlabel().startswith("launch")


def test_netcdf_round_trip(mars2020, tmp_path):
    import xarray as xr

    path = tmp_path / "pc.nc"
    mars2020.to_netcdf(path)
    back = xr.open_dataset(path)
    xr.testing.assert_allclose(back.c3_launch, mars2020.c3_launch)
    assert back.c3_launch.attrs["units"] == "km2/s2"


@pytest.mark.parametrize(
    "span, match",
    [
        ("2020-09-30/2020-06-01", "reversed"),
        ("2020-06-01", "not a span"),
        ("2020-06-01/2020-06-31", "cannot read"),
        (("2020-06-01",), "not a span"),
    ],
)
def test_bad_spans_are_named(span, match):
    with pytest.raises(ValueError, match=match):
        parse_span(span, "launch span")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"grid": 1}, "grid"),
        ({"grid": (10, 10, 10)}, "grid"),
        ({"revolutions": -1}, "revolutions"),
        ({"select": "mass"}, "select"),
    ],
)
def test_bad_options_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        porkchop(*MARS_2020, **kwargs)


def test_unknown_body_is_named():
    with pytest.raises(ValueError, match="'vulcan'"):
        porkchop("earth", "vulcan", *MARS_2020[2:], grid=5)
