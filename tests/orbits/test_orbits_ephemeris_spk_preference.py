"""Once a target's n-body SPK is loaded, every tool asking by name sees that ephemeris."""

from __future__ import annotations

import numpy as np

from orbits.ephemeris import resolve_body, state_et
from orbits.smallbody import SmallBody, register_small_body
from orbits.targets_ephemeris import write_target_spk
from orbits.time import to_et


def test_loaded_spk_wins_over_two_body_elements(tmp_path, monkeypatch):
    monkeypatch.setenv("KAMO_CACHE_DIR", str(tmp_path))
    body = SmallBody(
        name="Kamoʻoalewa twin",
        a_au=1.00094,
        e=0.10269,
        i_deg=7.79605,
        raan_deg=65.7907,
        argp_deg=305.0478,
        M_deg=175.153,
        epoch="2024-03-31T00:00:00",
    )
    register_small_body(body)
    et = to_et(["2025-06-01", "2025-12-01"])
    two_body = state_et("kamoʻoalewa twin", et)

    # a private id and name, so no other test sees this SPK
    write_target_spk(body, "2025-01-01", "2026-01-01", naif_id=3000123)

    resolved = resolve_body("Kamoʻoalewa twin")
    assert not isinstance(resolved, SmallBody)
    n_body = state_et("kamoʻoalewa twin", et)
    np.testing.assert_allclose(n_body, state_et(resolved.naif_id, et))
    # the planets pull the asteroid tens of thousands of km off its two-body path within a year
    assert np.all(np.linalg.norm(n_body[:, :3] - two_body[:, :3], axis=1) > 1e3)
