"""Drawing a run's inputs: run ``i`` uses only the ``i``-th child of the master ``SeedSequence``.

Child ``i`` is ``SeedSequence(master).spawn(runs)[i]``, built directly as
``SeedSequence(master, spawn_key=(i,))`` so that drawing run 9,999 does not
spawn 9,999 siblings first. Below it, each dispersed input draws from its own
grandchild ``(i, 0, crc32(name))``, and the scenario's own randomness (sensor
noise, initial errors) comes from ``(i, 1)``. Consequences:

* a run's inputs and outputs depend only on (master seed, i, the campaign): not
  on worker count, batch size, order of completion or resumption;
* adding or removing one dispersed input leaves the others' draws unchanged.
"""

from __future__ import annotations

import math
import zlib
from typing import Any

import numpy as np
from scipy.special import ndtr, ndtri

__all__ = ["draw_inputs", "run_seed_sequence", "scenario_seed_sequence"]


def run_seed_sequence(master: int, i: int) -> np.random.SeedSequence:
    """The ``i``-th child of ``SeedSequence(master)`` (equal to ``.spawn(n)[i]``)."""
    return np.random.SeedSequence(int(master), spawn_key=(int(i),))


def scenario_seed_sequence(master: int, i: int) -> np.random.SeedSequence:
    """The seed sequence handed to the scenario of run ``i`` (child ``(i, 1)``)."""
    return np.random.SeedSequence(int(master), spawn_key=(int(i), 1))


def _input_rng(master: int, i: int, name: str) -> np.random.Generator:
    key = zlib.crc32(name.encode())
    return np.random.default_rng(np.random.SeedSequence(int(master), spawn_key=(int(i), 0, key)))


def draw_one(d, rng: np.random.Generator) -> Any:
    """One value of dispersion ``d`` (a validated spec model, already in the scenario's units)."""
    kind = d.distribution
    if kind == "normal":
        return d.mean + d.std * rng.standard_normal()
    if kind == "uniform":
        return d.low + (d.high - d.low) * rng.random()
    if kind == "lognormal":
        return d.median * math.exp(d.sigma * rng.standard_normal())
    if kind == "truncnormal":
        # inverse CDF between the bounds: one uniform per draw, no rejection loop
        a = ndtr((d.low - d.mean) / d.std)
        b = ndtr((d.high - d.mean) / d.std)
        x = d.mean + d.std * float(ndtri(a + (b - a) * rng.random()))
        return min(max(x, d.low), d.high)
    if kind == "choice":
        n = len(d.values)
        if d.weights is None:
            return d.values[int(rng.integers(n))]
        p = np.asarray(d.weights, float)
        k = int(np.searchsorted(np.cumsum(p / p.sum()), rng.random(), side="right"))
        return d.values[min(k, n - 1)]
    raise ValueError(f"unknown distribution {kind!r}")


def draw_inputs(spec, i: int) -> dict[str, Any]:
    """The dispersed inputs of run ``i`` of campaign ``spec`` (scenario units)."""
    if not 0 <= int(i) < spec.runs:
        raise ValueError(f"run index must be in 0..{spec.runs - 1}, got {i}")
    return {
        name: draw_one(spec.dispersions[name], _input_rng(spec.seed, i, name))
        for name in spec.dispersed
    }
