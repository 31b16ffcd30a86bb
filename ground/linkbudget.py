"""Link budget: how many bits per second a downlink supports at a given range.

The chain is the textbook one (e.g. Sklar, *Digital Communications*, ch. 5;
JPL DESCANSO/DSN 810-005 module 101):

    EIRP  = P_tx + G_tx - L_tx                              (dBW)
    L_fs  = 20 log10(4 pi d / lambda)                       (dB)
    G/T   = G_rx - 10 log10(T_sys)                          (dB/K)
    C/N0  = EIRP - L_fs - L_atm - L_point + G/T - 10 log10(k)   (dB-Hz)
    R     = 10 ** ((C/N0 - (Eb/N0)_required - margin) / 10)     (bit/s)

with a parabolic dish gain G = eta (pi D / lambda)^2 and k the Boltzmann constant.

Defaults describe an X-band (8.45 GHz) deep-space downlink of a small probe; they
are planning values, each with its source or marked as an assumption:

* frequency 8.45 GHz: the deep-space X-band downlink allocation is 8400-8450 MHz
  (ITU-R / CCSDS 401.0-B sec. 2.1);
* spacecraft transmitter 20 W RF and a 1.2 m high-gain antenna with 55 % efficiency
  and 1 dB circuit loss: assumed, the class of Hayabusa2 and Rosetta-era small probes;
* ground antenna, aperture efficiency and system noise temperature: from the
  station table (:mod:`ground.stations`), or 35 m / 0.6 / 40 K when no station is given;
* atmosphere 0.3 dB and pointing 0.5 dB: typical clear-sky X-band figures at
  moderate elevation (DSN 810-005 module 105);
* required Eb/N0 2.5 dB: CCSDS concatenated Reed-Solomon (255,223) + convolutional
  (7, 1/2) code at a bit error rate of 1e-6 (CCSDS 130.1-G-3, fig. 7-1 region);
  turbo codes need about 1 dB;
* margin 3 dB: the usual design margin for a nominal link.

>>> from ground.linkbudget import link_budget
>>> round(link_budget(1.496e8).data_rate_bps)  # doctest: +SKIP
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from ground.stations import GroundStation, get_station

#: Boltzmann constant, J/K (exact, SI 2019), and its dB value (-228.6 dBW/K/Hz).
BOLTZMANN_J_K = 1.380649e-23
BOLTZMANN_DB = 10.0 * math.log10(BOLTZMANN_J_K)
C_M_S = 299_792_458.0


def dish_gain_dbi(diameter_m: Any, frequency_hz: Any, efficiency: Any = 0.6) -> Any:
    """Gain of a parabolic dish, dBi: ``10 log10(eta (pi D / lambda)^2)``."""
    wavelength = C_M_S / np.asarray(frequency_hz, dtype=float)
    return 10.0 * np.log10(
        np.asarray(efficiency) * (math.pi * np.asarray(diameter_m) / wavelength) ** 2
    )


def free_space_loss_db(range_km: Any, frequency_hz: Any) -> Any:
    """Free-space path loss, dB: ``20 log10(4 pi d / lambda)``."""
    wavelength = C_M_S / np.asarray(frequency_hz, dtype=float)
    return 20.0 * np.log10(4.0 * math.pi * np.asarray(range_km, dtype=float) * 1e3 / wavelength)


@dataclass(frozen=True)
class LinkBudget:
    """One evaluated link (arrays when the range is an array); every figure in its own unit."""

    range_km: Any
    frequency_hz: float
    eirp_dbw: float
    free_space_loss_db: Any
    other_losses_db: float
    rx_gain_dbi: float
    system_noise_temp_k: float
    g_over_t_dbk: float
    c_over_n0_dbhz: Any
    required_eb_n0_db: float
    margin_db: float
    data_rate_bps: Any

    def __repr__(self) -> str:
        def fmt(v, f):
            arr = np.asarray(v)
            return format(float(arr), f) if arr.ndim == 0 else f"[{arr.size} values]"

        return (
            f"LinkBudget(range {fmt(self.range_km, '.4g')} km, {self.frequency_hz / 1e9:.3f} GHz, "
            f"EIRP {self.eirp_dbw:.1f} dBW, L_fs {fmt(self.free_space_loss_db, '.1f')} dB, "
            f"G/T {self.g_over_t_dbk:.1f} dB/K, C/N0 {fmt(self.c_over_n0_dbhz, '.1f')} dB-Hz, "
            f"rate {fmt(self.data_rate_bps, '.4g')} bit/s at Eb/N0 {self.required_eb_n0_db:g} dB "
            f"+ {self.margin_db:g} dB margin)"
        )

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


def _plain(value: Any) -> Any:
    arr = np.asarray(value)
    return float(arr) if arr.ndim == 0 else arr.tolist()


def _positive(name: str, value: Any, unit: str) -> None:
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"{name} must be positive and finite, got {value} {unit}")


def _value(x: Any, unit: str) -> Any:
    """Strip an astropy Quantity to ``unit``; plain numbers are taken as already in ``unit``."""
    if hasattr(x, "unit") and hasattr(x, "to_value"):
        return x.to_value(unit)
    return x


def link_budget(
    range_km: Any,
    *,
    station: str | GroundStation | None = None,
    frequency_hz: float = 8.45e9,
    tx_power_w: float = 20.0,
    tx_antenna_diameter_m: float = 1.2,
    tx_efficiency: float = 0.55,
    tx_losses_db: float = 1.0,
    rx_antenna_diameter_m: float | None = None,
    rx_efficiency: float | None = None,
    rx_antenna_count: int | None = None,
    system_noise_temp_k: float | None = None,
    atmosphere_loss_db: float = 0.3,
    pointing_loss_db: float = 0.5,
    required_eb_n0_db: float = 2.5,
    margin_db: float = 3.0,
) -> LinkBudget:
    """Supportable downlink data rate at ``range_km`` (float, array or Quantity).

    Ground-side figures come from ``station`` (a key like ``"kashi"`` or a
    :class:`GroundStation`) unless given explicitly; an arrayed station (Kashi's
    four 35 m dishes) adds ``10 log10(count)`` of ideal combining gain.
    """
    range_km = _value(range_km, "km")
    frequency_hz = _value(frequency_hz, "Hz")
    tx_power_w = _value(tx_power_w, "W")
    st = get_station(station) if station is not None else None
    d_rx = (
        rx_antenna_diameter_m
        if rx_antenna_diameter_m is not None
        else (st.antenna_diameter_m if st else 35.0)
    )
    eta_rx = rx_efficiency if rx_efficiency is not None else (st.aperture_efficiency if st else 0.6)
    count = rx_antenna_count if rx_antenna_count is not None else (st.antenna_count if st else 1)
    t_sys = (
        system_noise_temp_k
        if system_noise_temp_k is not None
        else (st.system_noise_temp_k if st else 40.0)
    )
    for name, value, unit in [
        ("range_km", range_km, "km"),
        ("frequency_hz", frequency_hz, "Hz"),
        ("tx_power_w", tx_power_w, "W"),
        ("tx_antenna_diameter_m", tx_antenna_diameter_m, "m"),
        ("rx_antenna_diameter_m", d_rx, "m"),
        ("system_noise_temp_k", t_sys, "K"),
        ("rx_antenna_count", count, ""),
    ]:
        _positive(name, value, unit)
    for name, value in [("tx_efficiency", tx_efficiency), ("rx_efficiency", eta_rx)]:
        if not 0.0 < value <= 1.0:
            raise ValueError(f"{name} must be in (0, 1], got {value}")

    eirp = (
        10.0 * math.log10(tx_power_w)
        + float(dish_gain_dbi(tx_antenna_diameter_m, frequency_hz, tx_efficiency))
        - tx_losses_db
    )
    g_rx = float(dish_gain_dbi(d_rx, frequency_hz, eta_rx)) + 10.0 * math.log10(count)
    g_over_t = g_rx - 10.0 * math.log10(t_sys)
    l_fs = free_space_loss_db(range_km, frequency_hz)
    other = atmosphere_loss_db + pointing_loss_db
    c_n0 = eirp - l_fs - other + g_over_t - BOLTZMANN_DB
    rate = 10.0 ** ((c_n0 - required_eb_n0_db - margin_db) / 10.0)
    scalar = np.ndim(range_km) == 0
    return LinkBudget(
        range_km=float(range_km) if scalar else np.asarray(range_km, dtype=float),
        frequency_hz=float(frequency_hz),
        eirp_dbw=eirp,
        free_space_loss_db=float(l_fs) if scalar else l_fs,
        other_losses_db=other,
        rx_gain_dbi=g_rx,
        system_noise_temp_k=float(t_sys),
        g_over_t_dbk=g_over_t,
        c_over_n0_dbhz=float(c_n0) if scalar else c_n0,
        required_eb_n0_db=required_eb_n0_db,
        margin_db=margin_db,
        data_rate_bps=float(rate) if scalar else rate,
    )


def add_data_rates(table, **kwargs: Any):
    """Add ``data_rate_{aos,tca,los}`` (bit/s) to a :func:`ground.contacts.contacts` table.

    Each contact uses its own station's antenna and noise figures; ``kwargs`` go
    to :func:`link_budget` (spacecraft transmitter, frequency, Eb/N0, margin...).
    """
    import xarray as xr

    if "station" not in table or "range_tca" not in table:
        raise ValueError("add_data_rates needs a contacts table (with 'station' and 'range_tca')")
    n = table.sizes.get("contact", 0)
    out = table.copy()
    for tag in ("aos", "tca", "los"):
        rates = np.full(n, np.nan)
        for key in set(np.asarray(table["station"].values).tolist()):
            sel = np.asarray(table["station"].values) == key
            rates[sel] = link_budget(
                np.asarray(table[f"range_{tag}"].values)[sel], station=key, **kwargs
            ).data_rate_bps
        out[f"data_rate_{tag}"] = xr.DataArray(
            rates,
            dims="contact",
            attrs={
                "units": "bit/s",
                "long_name": f"supportable downlink data rate at {tag.upper()}",
            },
        )
    return out
