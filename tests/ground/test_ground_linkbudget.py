"""Link budget: textbook figures, scaling laws, station figures and bad inputs."""

from __future__ import annotations

import math

import astropy.units as u
import numpy as np
import pytest
from astropy import constants as const

from ground.linkbudget import BOLTZMANN_DB, dish_gain_dbi, free_space_loss_db, link_budget


def test_boltzmann_is_minus_228_6_db():
    assert BOLTZMANN_DB == pytest.approx(-228.6, abs=0.01)


def test_free_space_loss_at_one_au_x_band():
    """1 AU at 8.45 GHz: 20 log10(4 pi d f / c) ~ 274.5 dB (astropy constants as the reference)."""
    d = (1 * u.AU).to_value(u.m)
    ref = 20 * math.log10(4 * math.pi * d * 8.45e9 / const.c.to_value(u.m / u.s))
    assert free_space_loss_db(1.495978707e8, 8.45e9) == pytest.approx(ref, abs=1e-9)
    assert ref == pytest.approx(274.5, abs=0.05)


def test_dish_gain_70m_x_band():
    """A 70 m dish at 8.42 GHz with 70 % efficiency: ~74.3 dBi (the DSN 70 m X-band class)."""
    lam = const.c.to_value(u.m / u.s) / 8.42e9
    ref = 10 * math.log10(0.7 * (math.pi * 70.0 / lam) ** 2)
    assert dish_gain_dbi(70.0, 8.42e9, 0.7) == pytest.approx(ref, abs=1e-9)
    assert ref == pytest.approx(74.3, abs=0.3)


def test_hand_computed_budget():
    """Every term of C/N0 written out once by hand for one case."""
    lb = link_budget(
        2.0e8,
        frequency_hz=8.4e9,
        tx_power_w=100.0,
        tx_antenna_diameter_m=2.0,
        tx_efficiency=0.5,
        tx_losses_db=0.0,
        rx_antenna_diameter_m=34.0,
        rx_efficiency=0.6,
        rx_antenna_count=1,
        system_noise_temp_k=30.0,
        atmosphere_loss_db=0.0,
        pointing_loss_db=0.0,
        required_eb_n0_db=1.0,
        margin_db=3.0,
    )
    lam = 299792458.0 / 8.4e9
    eirp = 20.0 + 10 * math.log10(0.5 * (math.pi * 2.0 / lam) ** 2)
    g_t = 10 * math.log10(0.6 * (math.pi * 34.0 / lam) ** 2) - 10 * math.log10(30.0)
    lfs = 20 * math.log10(4 * math.pi * 2.0e11 / lam)
    cn0 = eirp - lfs + g_t + 228.5991
    assert lb.c_over_n0_dbhz == pytest.approx(cn0, abs=1e-3)
    assert lb.data_rate_bps == pytest.approx(10 ** ((cn0 - 4.0) / 10), rel=1e-3)


def test_rate_scales_with_inverse_square_of_range_and_with_power():
    ranges = np.array([1e7, 2e7, 4e7])
    lb = link_budget(ranges, station="goldstone")
    assert np.allclose(lb.data_rate_bps[:-1] / lb.data_rate_bps[1:], 4.0)
    doubled = link_budget(ranges, station="goldstone", tx_power_w=40.0)
    assert np.allclose(doubled.data_rate_bps / lb.data_rate_bps, 2.0)
    # quantities are accepted and give the same answer
    assert link_budget(1 * u.AU).data_rate_bps == pytest.approx(
        link_budget(1.495978707e8).data_rate_bps
    )


def test_station_figures_enter_the_budget():
    kashi = link_budget(1e8, station="kashi")
    single = link_budget(1e8, station="kashi", rx_antenna_count=1)
    # four arrayed 35 m dishes: +6.02 dB of ideal combining gain
    assert kashi.rx_gain_dbi - single.rx_gain_dbi == pytest.approx(10 * math.log10(4))
    assert (
        link_budget(1e8, station="dss43").rx_gain_dbi
        > link_budget(1e8, station="dss34").rx_gain_dbi
    )
    assert "bit/s" in repr(kashi) and "G/T" in repr(kashi)
    assert set(kashi.to_dict()) >= {"data_rate_bps", "c_over_n0_dbhz", "range_km"}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"range_km": -5.0}, "range_km must be positive and finite, got -5.0 km"),
        ({"range_km": 1e8, "tx_power_w": 0.0}, "tx_power_w must be positive"),
        ({"range_km": 1e8, "tx_efficiency": 1.5}, r"tx_efficiency must be in \(0, 1\], got 1.5"),
        ({"range_km": 1e8, "station": "atlantis"}, "unknown ground station 'atlantis'"),
    ],
)
def test_bad_inputs(kwargs, message):
    rng = kwargs.pop("range_km")
    with pytest.raises(ValueError, match=message):
        link_budget(rng, **kwargs)


def test_add_data_rates_to_a_contacts_table():
    import xarray as xr

    from ground.linkbudget import add_data_rates

    table = xr.Dataset(
        {
            "station": ("contact", np.array(["kashi", "goldstone", "kashi"], dtype=object)),
            **{f"range_{t}": ("contact", np.array([1e8, 1e8, 2e8])) for t in ("aos", "tca", "los")},
        }
    )
    out = add_data_rates(table, tx_power_w=40.0)
    assert out["data_rate_tca"].attrs["units"] == "bit/s"
    kashi = link_budget(1e8, station="kashi", tx_power_w=40.0).data_rate_bps
    assert out.data_rate_tca.values[0] == pytest.approx(kashi)
    assert out.data_rate_tca.values[2] == pytest.approx(kashi / 4)
    assert out.data_rate_tca.values[1] == pytest.approx(
        link_budget(1e8, station="goldstone", tx_power_w=40.0).data_rate_bps
    )
    with pytest.raises(ValueError, match="needs a contacts table"):
        add_data_rates(xr.Dataset())
