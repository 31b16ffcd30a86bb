"""Build ``examples/05_campaign.ipynb`` from the cells below.

Run ``.venv/bin/python examples/_build_05_campaign.py`` after editing; add ``--execute``
to run it in place (the test run executes it with nbmake anyway).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "05_campaign.ipynb"

CELLS = [
    (
        "md",
        """# Monte Carlo campaigns on Dask: the touch-and-go, 20 times

A mission team does not trust one run. This notebook runs a small Monte Carlo
campaign of the closed-loop touch-and-go (`gnc.simulation`) with dispersed body
size, density, site and thruster force, on a two-worker `dask.distributed`
`LocalCluster`, streams the results into a Zarr store, and reads them back:
success probability with a Wilson interval, percentiles, the touchdown
dispersion with its 3-sigma ellipse, and the inputs that drive failures.

The same from the command line:

```
kamo campaign run examples/descent-campaign.toml --runs 1000 --workers 2 --out tag.zarr
kamo campaign summary tag.zarr --json --plot tag-figures
```

(`--scheduler tcp://HOST:8786` sends it to an existing Dask cluster instead.)""",
    ),
    (
        "code",
        """import tempfile
from pathlib import Path

from IPython.display import Image, display
from distributed import Client

from missions import load_campaign, open_campaign, run_campaign
from missions.campaign import local_cluster

load_campaign("descent-campaign.toml")   # the shipped reference campaign (200 full-length runs)""",
    ),
    (
        "md",
        """The reference campaign takes a few seconds per run. To stay quick here we
write a campaign with shorter phases (a 100 s descent) and 20 runs. Each input
is a constant or a dispersion; units are converted to the scenario's
(`unit = "g / cm3"` below becomes kg/m³).""",
    ),
    (
        "code",
        '''work = Path(tempfile.mkdtemp(prefix="kamo-campaign-"))
campaign = work / "quick.toml"
campaign.write_text("""
[campaign]
name = "tag-quick"
scenario = "touch-and-go"
runs = 20
seed = 2026

[inputs]
hover_s = 5.0
descent_s = 100.0
backaway_s = 50.0
truth_gravity = "ellipsoid"

[inputs.diameter_m]
distribution = "uniform"
low = 36.0
high = 46.0

[inputs.density_kg_m3]
distribution = "lognormal"
median = 2.7
sigma = 0.15
unit = "g / cm3"

[inputs.latitude_deg]
distribution = "choice"
values = [20.0, 30.0, 40.0]

[inputs.craft_thruster_force_n]
distribution = "normal"
mean = 20.0
std = 0.6
""")
spec = load_campaign(campaign)
spec''',
    ),
    (
        "code",
        """cluster = local_cluster(2)   # one-thread workers set up as `kamo campaign run` starts them
client = Client(cluster)
store = work / "quick.zarr"
run_campaign(spec, store, batch=1, client=client)""",
    ),
    (
        "md",
        """Run `i` drew its inputs from the `i`-th child of the master `SeedSequence`, so the
store is the same whatever the worker count, batch size or order of completion.
Running the same campaign again is a resume: nothing left to do.""",
    ),
    (
        "code",
        """run_campaign(spec, store, client=client)""",
    ),
    (
        "code",
        """c = open_campaign(store)
s = c.summary()
print(c)
print("success rate", s["success_rate"], "95 % Wilson interval", [round(x, 3) for x in s["success_ci"]])
s["outcomes"]""",
    ),
    (
        "code",
        """import pandas as pd

pd.DataFrame(s["percentiles"]).T[["units", "p5", "p50", "p95", "p99"]]""",
    ),
    (
        "md",
        """Failure drivers: the Spearman rank correlation of each dispersed input with
failure. If all 20 runs succeeded there is nothing to correlate (NaN), but the
Wilson interval still says something: with 0 failures in 20 runs, the failure
probability is below about 16 % at 95 % confidence. Tails need hundreds of runs.""",
    ),
    (
        "code",
        """pd.DataFrame(s["failure_drivers"])""",
    ),
    (
        "code",
        """c.dataset[["input_diameter_m", "input_latitude_deg", "touchdown_error_m", "propellant_used_kg", "outcome"]].to_dataframe().head()""",
    ),
    (
        "code",
        """files = c.plot(work / "figures")
for f in files:
    display(Image(filename=str(f)))""",
    ),
    (
        "code",
        """client.close()
cluster.close()""",
    ),
]


def build() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    for kind, source in CELLS:
        nb.cells.append(new_markdown_cell(source) if kind == "md" else new_code_cell(source))
    return nb


def main(argv: list[str]) -> None:
    nb = build()
    if "--execute" in argv:
        from nbclient import NotebookClient

        NotebookClient(
            nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}
        ).execute()
    nbformat.write(nb, NOTEBOOK)
    print(f"wrote {NOTEBOOK}")


if __name__ == "__main__":
    main(sys.argv)
