"""Target ephemerides (orbits.targets_ephemeris): n-body SPK of a small body, and its drift from two-body."""

from __future__ import annotations

import numpy as np
import pytest
import spiceypy

from orbits.ephemeris import state_et
from orbits.nbody import ForceModel, propagate_et
from orbits.smallbody import SmallBody
from orbits.targets_ephemeris import compare_with_twobody, target_naif_id, write_target_spk

DAY = 86400.0
JD_J2000 = 2451545.0

# Kamoʻoalewa osculating elements from three JPL solutions (shared/reference/mission-facts.md §2a)
KAMO_2024 = SmallBody(
    "469219 Kamoʻoalewa",
    a_au=1.00094,
    e=0.10269,
    i_deg=7.79605,
    raan_deg=65.7907,
    argp_deg=305.0478,
    M_deg=175.153,
    epoch=(2460400.5 - JD_J2000) * DAY,
)
KAMO_2016 = SmallBody(
    "469219 Kamoʻoalewa",
    a_au=1.001229934,
    e=0.10414290,
    i_deg=7.77139,
    raan_deg=66.51325,
    argp_deg=307.22765,
    M_deg=297.5321059,
    epoch=(2457600.5 - JD_J2000) * DAY,
)


@pytest.fixture(scope="module")
def kamo_spk():
    return write_target_spk(KAMO_2024, "2025-01-01", "2027-06-01", overwrite=True)


def test_spk_starts_from_the_elements_and_reads_back(kamo_spk):
    assert kamo_spk.naif_id == 2469219
    assert kamo_spk.path.is_file()
    assert kamo_spk.readback_error_km < 1e-3  # interpolation error below 1 m
    # at the element epoch, the SPK state is the elements' state
    got = spiceypy.spkezr("2469219", KAMO_2024.epoch, "ECLIPJ2000", "NONE", "SUN")[0]
    assert np.abs(got - KAMO_2024.state_et(KAMO_2024.epoch)).max() < 1e-6
    # the rest of kamo reads it by NAIF id through orbits.ephemeris
    et = 8.2e8
    assert state_et(2469219, et).shape == (6,)
    nbody = propagate_et(KAMO_2024.state_et(KAMO_2024.epoch), KAMO_2024.epoch, [et])
    assert np.linalg.norm(state_et(2469219, et)[:3] - nbody.state[0, :3]) < 1e-3
    # and by name, once registered with SPICE
    assert spiceypy.bods2c("469219 KAMOOALEWA") == 2469219


def test_cached_spk_is_reused(kamo_spk):
    mtime = kamo_spk.path.stat().st_mtime_ns
    again = write_target_spk(KAMO_2024, "2025-01-01", "2027-06-01")
    assert again.path == kamo_spk.path
    assert again.path.stat().st_mtime_ns == mtime
    assert again.readback_error_km == pytest.approx(kamo_spk.readback_error_km, rel=1e-6)
    assert "NAIF 2469219" in repr(again)


def test_nbody_carries_2016_elements_to_the_2024_solution():
    # Two independent JPL orbit solutions, 7.7 years apart: the n-body propagation of the
    # older one lands within a few hundred km of the newer; the conic misses by > 1e6 km.
    s16 = KAMO_2016.state_et(KAMO_2016.epoch)
    target = KAMO_2024.state_et(KAMO_2024.epoch)[:3]
    nbody = propagate_et(s16, KAMO_2016.epoch, [KAMO_2024.epoch])
    kepler = propagate_et(s16, KAMO_2016.epoch, [KAMO_2024.epoch], force=ForceModel(()))
    assert np.linalg.norm(nbody.state[0, :3] - target) < 1000.0
    assert np.linalg.norm(kepler.state[0, :3] - target) > 1.0e6


def test_comparison_with_two_body(kamo_spk):
    ds = compare_with_twobody(KAMO_2024, "2025-01-01", "2027-06-01", step_days=10.0)
    for name in ("delta_position", "distance", "radial", "along_track", "cross_track"):
        assert ds[name].attrs["units"] == "km"
        assert ds[name].attrs["long_name"]
    assert ds["delta_speed"].attrs["units"] == "km/s"
    d = ds["distance"].values
    # the components add up to the distance
    comps = np.stack([ds[c].values for c in ("radial", "along_track", "cross_track")], axis=1)
    assert np.allclose(np.linalg.norm(comps, axis=1), d, rtol=1e-9)
    # a year after the element epoch the planets have moved it 1e4..1e7 km (mostly along track)
    assert 1e4 < ds.attrs["max_distance_km"] < 1e7
    assert np.abs(ds["along_track"]).max() > np.abs(ds["cross_track"]).max()
    assert ds.attrs["naif_id"] == 2469219


def test_naif_ids():
    assert target_naif_id(KAMO_2024) == 2469219
    comet = SmallBody(
        "311P/PANSTARRS",
        a_au=2.189,
        e=0.11567,
        i_deg=4.966,
        raan_deg=279.26,
        argp_deg=143.99,
        M_deg=337.88,
        epoch=5.5e8,
    )
    with pytest.raises(ValueError, match="pass naif_id="):
        target_naif_id(comet)


def test_bad_span_is_rejected():
    with pytest.raises(ValueError, match="must end after it starts"):
        write_target_spk(KAMO_2024, "2027-01-01", "2026-01-01")


def test_span_around_the_element_epoch_joins_backward_and_forward_arcs():
    eph = write_target_spk(KAMO_2024, "2023-11-01", "2024-08-01", overwrite=True, load=False)
    assert eph.readback_error_km < 1e-3
    et = KAMO_2024.epoch + np.array([-100.0, -1.0, 0.0, 1.0, 100.0]) * DAY
    truth_back = propagate_et(KAMO_2024.state_et(KAMO_2024.epoch), KAMO_2024.epoch, et[:2])
    truth_fwd = propagate_et(KAMO_2024.state_et(KAMO_2024.epoch), KAMO_2024.epoch, et[3:])
    spiceypy.furnsh(str(eph.path))
    try:
        got = np.array(
            [spiceypy.spkezr(str(eph.naif_id), t, "ECLIPJ2000", "NONE", "10")[0] for t in et]
        )
    finally:
        spiceypy.unload(str(eph.path))
    assert np.linalg.norm(got[:2, :3] - truth_back.state[:, :3], axis=1).max() < 1e-3
    assert np.linalg.norm(got[3:, :3] - truth_fwd.state[:, :3], axis=1).max() < 1e-3
    assert np.abs(got[2] - KAMO_2024.state_et(KAMO_2024.epoch)).max() < 1e-6
