"""Reading a campaign back: success probability, percentiles, touchdown dispersion, failure drivers.

>>> from missions import open_campaign
>>> c = open_campaign("results.zarr")          # doctest: +SKIP
>>> c                                          # doctest: +SKIP
Campaign('results.zarr': touch-and-go, 200/200 runs, success 97.0% [93.6%, 98.6%] ...)
>>> c.summary()["success_ci"]                   # doctest: +SKIP
>>> c.plot("figures/")                          # doctest: +SKIP

* Success probability with the Wilson score interval (Wilson 1927), which keeps
  its coverage near 0 and 1 where the normal approximation fails.
* Percentiles of every output over the runs that produced it.
* Failure drivers: Spearman rank correlation (``scipy.stats.spearmanr``) of
  each numeric dispersed input with the failure indicator, strongest first;
  for text choices, the failure rate per value.
* Touchdown dispersion on the site with the 3-sigma ellipse of the (east,
  north) covariance (for a Gaussian, 98.9 % of touchdowns fall inside).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["Campaign", "open_campaign", "wilson_interval"]

PERCENTILES = (1, 5, 50, 95, 99)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (``successes`` out of ``n``)."""
    from scipy.stats import norm

    if n <= 0:
        return (math.nan, math.nan)
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n={n}, got {successes}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    z = float(norm.ppf(0.5 + confidence / 2))
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def open_campaign(path: str | Path) -> Campaign:
    """Open a campaign store written by ``kamo campaign run`` / :func:`run_campaign`."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"campaign store {p} does not exist")
    return Campaign(p)


class Campaign:
    """A campaign store, loaded: ``.dataset`` (all runs), ``.results`` (done runs), ``.summary()``, ``.plot()``."""

    def __init__(self, path: Path) -> None:
        import xarray as xr

        self.path = Path(path)
        try:
            self.dataset = xr.open_zarr(str(path), consolidated=False).load()
        except Exception as exc:
            raise ValueError(f"{path} is not a campaign store: {exc}") from None
        if "done" not in self.dataset or "outcome" not in self.dataset:
            raise ValueError(f"{path} is not a campaign store (no 'done'/'outcome' variables)")
        self.results = self.dataset.isel(run=np.flatnonzero(self.dataset["done"].values))

    def _role(self, role: str) -> list[str]:
        return [k for k, v in self.dataset.data_vars.items() if v.attrs.get("role") == role]

    @property
    def inputs(self) -> list[str]:
        """Names of the drawn-input variables (``input_<name>``)."""
        return self._role("input")

    @property
    def outputs(self) -> list[str]:
        """Names of the scenario output variables."""
        return self._role("output")

    @property
    def success(self) -> np.ndarray:
        return np.asarray(self.results["success"].values, dtype=bool)

    def success_rate(self, confidence: float = 0.95) -> tuple[float, tuple[float, float]]:
        """Fraction of stored runs that succeeded, and its Wilson interval."""
        n = int(self.results.sizes["run"])
        k = int(self.success.sum())
        return (k / n if n else math.nan), wilson_interval(k, n, confidence)

    def percentiles(self, percentiles=PERCENTILES) -> dict[str, dict[str, float]]:
        """Percentiles (``p1``...), mean, std and count of each output over the runs that produced it."""
        out = {}
        for name in self.outputs:
            x = np.asarray(self.results[name].values, float)
            x = x[np.isfinite(x)]
            row: dict[str, Any] = {
                "units": self.dataset[name].attrs.get("units", ""),
                "count": int(x.size),
            }
            vals = np.percentile(x, percentiles) if x.size else [math.nan] * len(percentiles)
            row.update({f"p{p:g}": float(v) for p, v in zip(percentiles, vals, strict=True)})
            row["mean"] = float(x.mean()) if x.size else math.nan
            row["std"] = float(x.std(ddof=1)) if x.size > 1 else math.nan
            out[name] = row
        return out

    def failure_drivers(self) -> list[dict[str, Any]]:
        """Dispersed inputs ranked by |Spearman rho| with failure (numeric), or failure rate per value (text)."""
        from scipy.stats import spearmanr

        fail = (~self.success).astype(float)
        rows = []
        for name in self.inputs:
            x = self.results[name].values
            label = name.removeprefix("input_")
            if x.dtype.kind in "fiu":
                x = np.asarray(x, float)
                ok = np.isfinite(x)
                if ok.sum() < 3 or np.ptp(x[ok]) == 0 or np.ptp(fail[ok]) == 0:
                    rho, pval = math.nan, math.nan
                else:
                    res = spearmanr(x[ok], fail[ok])
                    rho, pval = float(res.statistic), float(res.pvalue)
                rows.append({"input": label, "spearman_rho": rho, "p_value": pval})
            else:
                vals = _text(x)
                rates = {v: float(fail[vals == v].mean()) for v in sorted(set(vals.tolist()))}
                rows.append(
                    {
                        "input": label,
                        "spearman_rho": math.nan,
                        "p_value": math.nan,
                        "failure_rate_by_value": rates,
                    }
                )
        return sorted(
            rows, key=lambda r: -abs(r["spearman_rho"]) if np.isfinite(r["spearman_rho"]) else 0.0
        )

    def counts(self) -> dict[str, float]:
        """Mean per run of every counter (guidance sources, executive decisions) over the runs that ran."""
        import json

        ok = _text(self.results["error"].values) == ""
        totals: dict[str, float] = {}
        n = int(ok.sum())
        for text in _text(self.results["counts_json"].values)[ok]:
            for k, v in (json.loads(text) if text else {}).items():
                totals[k] = totals.get(k, 0.0) + float(v)
        return {k: v / n for k, v in sorted(totals.items())} if n else {}

    def site_dispersion(self) -> dict[str, Any] | None:
        """Mean, covariance and 3-sigma ellipse of the touchdown points (if the scenario has them)."""
        site = list(self.dataset.attrs.get("site_outputs", []))
        if len(site) != 2:
            return None
        e = np.asarray(self.results[site[0]].values, float)
        n = np.asarray(self.results[site[1]].values, float)
        ok = np.isfinite(e) & np.isfinite(n)
        if ok.sum() < 3:
            return {"count": int(ok.sum())}
        pts = np.column_stack([e[ok], n[ok]])
        cov = np.cov(pts.T)
        w, v = np.linalg.eigh(cov)
        angle = math.degrees(
            math.atan2(v[1, 1], v[0, 1])
        )  # major axis from east, counter-clockwise
        return {
            "count": int(ok.sum()),
            "mean_east_m": float(pts[:, 0].mean()),
            "mean_north_m": float(pts[:, 1].mean()),
            "covariance_m2": cov.tolist(),
            "ellipse_3sigma": {
                "semi_major_m": float(3 * math.sqrt(max(w[1], 0.0))),
                "semi_minor_m": float(3 * math.sqrt(max(w[0], 0.0))),
                "angle_deg": angle,
            },
        }

    def summary(self, confidence: float = 0.95) -> dict[str, Any]:
        """Everything above as plain Python values (what ``kamo campaign summary --json`` prints)."""
        n = int(self.results.sizes["run"])
        rate, ci = self.success_rate(confidence)
        outcomes: dict[str, int] = {}
        for o in _text(self.results["outcome"].values):
            outcomes[o] = outcomes.get(o, 0) + 1
        errors = int(sum(bool(e) for e in _text(self.results["error"].values)))
        out = {
            "store": str(self.path),
            "campaign": self.dataset.attrs.get("campaign_name"),
            "scenario": self.dataset.attrs.get("scenario"),
            "software": self.dataset.attrs.get("software"),
            "planned_runs": int(self.dataset.sizes["run"]),
            "runs": n,
            "failed_runs": int(n - self.success.sum()),
            "error_runs": errors,
            "success_rate": rate,
            "success_ci": list(ci),
            "confidence": confidence,
            "outcomes": outcomes,
            "percentiles": self.percentiles(),
            "failure_drivers": self.failure_drivers(),
            "mean_counts": self.counts(),
        }
        site = self.site_dispersion()
        if site is not None:
            out["touchdown_dispersion"] = site
        return out

    def errors(self):
        """The runs that raised: run, error and traceback, as a pandas DataFrame."""
        bad = _text(self.results["error"].values) != ""
        sub = self.results.isel(run=np.flatnonzero(bad))
        return sub[["error", "traceback"]].to_dataframe()

    def plot(self, directory: str | Path) -> list[Path]:
        """Write the figures (PNG) into ``directory``: touchdown dispersion, histograms, failure drivers."""
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
        from matplotlib.patches import Ellipse

        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        files = []
        site = self.site_dispersion()
        names = list(self.dataset.attrs.get("site_outputs", []))
        if site and site.get("count", 0) >= 3:
            e = np.asarray(self.results[names[0]].values, float)
            n = np.asarray(self.results[names[1]].values, float)
            fig, ax = plt.subplots(figsize=(5.5, 5))
            ok = self.success
            ax.scatter(e[ok], n[ok], s=10, c="tab:blue", label="success")
            ax.scatter(e[~ok], n[~ok], s=14, c="tab:red", marker="x", label="failure")
            el = site["ellipse_3sigma"]
            ax.add_patch(
                Ellipse(
                    (site["mean_east_m"], site["mean_north_m"]),
                    2 * el["semi_major_m"],
                    2 * el["semi_minor_m"],
                    angle=el["angle_deg"],
                    fill=False,
                    color="k",
                    label="3-sigma ellipse",
                )
            )
            ax.plot(0, 0, "k+", ms=14, label="target")
            ax.set_xlabel("east of target (m)")
            ax.set_ylabel("north of target (m)")
            ax.set_aspect("equal", adjustable="datalim")
            ax.set_title(f"touchdown dispersion ({site['count']} runs)")
            ax.legend(fontsize=8)
            files.append(_save(fig, d / "touchdown_dispersion.png"))
        outs = [o for o in self.outputs if o not in names]
        if outs:
            cols = min(3, len(outs))
            rows = math.ceil(len(outs) / cols)
            fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3 * rows), squeeze=False)
            for ax, name in zip(axes.ravel(), outs, strict=False):
                x = np.asarray(self.results[name].values, float)
                x = x[np.isfinite(x)]
                if x.size:
                    ax.hist(x, bins=min(30, max(5, x.size // 5)), color="tab:gray")
                ax.set_xlabel(f"{name} ({self.dataset[name].attrs.get('units', '')})", fontsize=8)
            for ax in axes.ravel()[len(outs) :]:
                ax.set_visible(False)
            fig.tight_layout()
            files.append(_save(fig, d / "histograms.png"))
        drivers = [r for r in self.failure_drivers() if np.isfinite(r["spearman_rho"])]
        if drivers:
            fig, ax = plt.subplots(figsize=(6, 0.5 + 0.4 * len(drivers)))
            ax.barh([r["input"] for r in drivers][::-1], [r["spearman_rho"] for r in drivers][::-1])
            ax.set_xlabel("Spearman rank correlation with failure")
            ax.axvline(0, color="k", lw=0.5)
            fig.tight_layout()
            files.append(_save(fig, d / "failure_drivers.png"))
        return files

    def __repr__(self) -> str:
        n = int(self.results.sizes["run"])
        total = int(self.dataset.sizes["run"])
        rate, (lo, hi) = self.success_rate()
        errs = int(sum(bool(e) for e in _text(self.results["error"].values)))
        return (
            f"Campaign({str(self.path)!r}: {self.dataset.attrs.get('scenario')}, {n}/{total} runs, "
            f"success {100 * rate:.1f}% [{100 * lo:.1f}%, {100 * hi:.1f}%] (95% Wilson), "
            f"{errs} raised)"
        )


def _text(values) -> np.ndarray:
    """Stored text (numpy StringDType or object) as an array of Python str."""
    return np.array([str(v) for v in np.asarray(values).tolist()], dtype=object)


def _save(fig, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
