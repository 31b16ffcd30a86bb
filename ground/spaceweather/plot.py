"""A quick-look figure of the last days of each space-weather product."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import xarray as xr

from ground.spaceweather.scales import g_scale

__all__ = ["plot_products"]

_G_COLOURS = ["#4caf50", "#ffeb3b", "#ffc107", "#ff9800", "#f44336", "#8b0000"]


def _recent(ds: xr.Dataset | None, days: float) -> xr.Dataset | None:
    if ds is None or ds.sizes.get("time", 0) == 0:
        return None
    end = ds["time"].values.max()
    return ds.sel(time=slice(end - np.timedelta64(int(days * 86400), "s"), end))


def plot_products(
    data: Mapping[str, xr.Dataset | None], path: str | Path, days: float = 3.0
) -> Path:
    """Draw Kp, protons, X-rays and solar wind over the last ``days`` of each product to ``path``.

    Panels without data say so instead of being left blank (a gap is never "quiet").
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    if days <= 0:
        raise ValueError(f"days must be positive, got {days}")
    fig, axes = plt.subplots(4, 1, figsize=(10, 11), constrained_layout=True)
    ax_kp, ax_p, ax_x, ax_sw = axes

    kp = _recent(data.get("kp"), days)
    if kp is not None:
        values = kp["kp"].values
        levels = np.clip(np.asarray(g_scale(np.nan_to_num(values))), 0, 5)
        ax_kp.bar(
            kp["time"].values,
            values,
            width=np.timedelta64(170, "m"),
            align="edge",
            color=[_G_COLOURS[k] for k in levels],
        )
        ax_kp.set_ylim(0, 9)
        ax_kp.axhline(4.67, color="k", lw=0.6, ls="--")
    ax_kp.set_ylabel("Kp")
    ax_kp.set_title("Planetary K-index (3 h); dashed: G1")

    protons = _recent(data.get("protons"), days)
    if protons is not None:
        for channel in (">=10 MeV", ">=100 MeV"):
            ax_p.semilogy(
                protons["time"].values, protons["flux"].sel(channel=channel), label=channel
            )
        for level, pfu in enumerate([10, 100, 1000], start=1):
            ax_p.axhline(pfu, color="grey", lw=0.5, ls=":")
            ax_p.text(
                0.995,
                pfu,
                f"S{level}",
                transform=ax_p.get_yaxis_transform(),
                ha="right",
                va="bottom",
                fontsize=7,
            )
        ax_p.legend(loc="upper left")
    ax_p.set_ylabel("pfu")
    ax_p.set_title("GOES integral protons")

    xrays = _recent(data.get("xrays"), days)
    if xrays is not None:
        for band in ("0.1-0.8nm", "0.05-0.4nm"):
            ax_x.semilogy(xrays["time"].values, xrays["flux"].sel(band=band), label=band)
        for letter, flux in (("C", 1e-6), ("M", 1e-5), ("X", 1e-4)):
            ax_x.axhline(flux, color="grey", lw=0.5, ls=":")
            ax_x.text(
                0.995,
                flux,
                letter,
                transform=ax_x.get_yaxis_transform(),
                ha="right",
                va="bottom",
                fontsize=7,
            )
        ax_x.legend(loc="upper left")
    ax_x.set_ylabel("W m$^{-2}$")
    ax_x.set_title("GOES X-ray flux")

    plasma = _recent(data.get("solar_wind"), days)
    mag = _recent(data.get("mag"), days)
    if plasma is not None:
        ax_sw.plot(plasma["time"].values, plasma["proton_speed"], color="C0", label="speed")
        ax_sw.set_ylabel("km/s", color="C0")
    if mag is not None:
        ax_b = ax_sw.twinx()
        ax_b.plot(mag["time"].values, mag["bz_gsm"], color="C3", lw=0.8, label="Bz GSM")
        ax_b.axhline(0, color="C3", lw=0.4)
        ax_b.set_ylabel("Bz (nT)", color="C3")
    ax_sw.set_title("Solar wind (active RTSW spacecraft)")

    for ax, ds in (
        (ax_kp, kp),
        (ax_p, protons),
        (ax_x, xrays),
        (ax_sw, plasma if plasma is not None else mag),
    ):
        if ds is None:
            ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center")
        ax.grid(alpha=0.3)
    fig.suptitle(f"Space weather, last {days:g} days (UTC)")
    out = Path(path)
    fig.savefig(out, dpi=90)
    plt.close(fig)
    return out
