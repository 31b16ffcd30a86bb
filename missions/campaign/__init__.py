"""Monte Carlo campaigns: campaign files, seeded draws, Dask runner, Zarr store, summaries.

>>> from missions.campaign import load_campaign, run_campaign, open_campaign   # doctest: +SKIP
>>> run_campaign("examples/descent-campaign.toml", "tag.zarr", runs=20, workers=2)
>>> open_campaign("tag.zarr").summary()["success_rate"]
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "CampaignSpec": "missions.campaign.spec",
    "load_campaign": "missions.campaign.spec",
    "parse_campaign": "missions.campaign.spec",
    "draw_inputs": "missions.campaign.draw",
    "run_campaign": "missions.campaign.runner",
    "run_batch": "missions.campaign.runner",
    "local_cluster": "missions.campaign.runner",
    "CampaignRun": "missions.campaign.runner",
    "open_campaign": "missions.campaign.summary",
    "Campaign": "missions.campaign.summary",
    "wilson_interval": "missions.campaign.summary",
    "ScenarioAdapter": "missions.campaign.adapters",
    "register_adapter": "missions.campaign.adapters",
    "adapter_names": "missions.campaign.adapters",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'missions.campaign' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
