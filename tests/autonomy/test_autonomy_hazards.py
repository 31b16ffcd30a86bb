"""Hazard map: site frames, Sun/Earth elevation at the planned time, ranking with reasons."""

import math

import numpy as np
import pytest

from autonomy.hazards import (
    HazardLimits,
    SkyGeometry,
    assess_site,
    rank_sites,
    site_frame,
    touchdown_clearance,
)
from autonomy.observations import SiteHazard

W = 2 * math.pi / 1698.0


def site(name="A", normal=(0, 0, 1), **kw):
    base = dict(slope_deg=5.0, roughness_m=0.05, max_boulder_m=0.3, safe_radius_m=5.0)
    base.update(kw)
    return SiteHazard(name, tuple(16 * np.asarray(normal)), normal, **base)


@pytest.mark.parametrize("normal", [(0, 0, 1), (1, 0, 0), (0.3, -0.5, 0.8), (0, 0, -1)])
def test_site_frame_is_a_right_handed_rotation_with_up_as_normal(normal):
    R = site_frame(normal)
    assert np.allclose(R.T @ R, np.eye(3), atol=1e-12)
    assert math.isclose(np.linalg.det(R), 1.0)
    assert np.allclose(R[:, 2], np.asarray(normal) / np.linalg.norm(normal))


def test_polar_site_sees_the_sun_at_its_declination_all_spin_long():
    dec = math.radians(35.0)
    sky = SkyGeometry((math.cos(dec), 0, math.sin(dec)), (1, 0, 0), W)
    el_sun, el_earth = sky.elevations_deg((0, 0, 1), np.linspace(0, 1698, 7))
    assert np.allclose(el_sun, 35.0) and np.allclose(el_earth, 0.0, atol=1e-9)


def test_equatorial_site_elevation_follows_the_spin():
    sky = SkyGeometry((1, 0, 0), (0, 1, 0), W)
    t = np.array([0.0, 1698 / 4, 1698 / 2])
    el_sun, el_earth = sky.elevations_deg((1, 0, 0), t)
    # the normal turns from +x to +y to -x: Sun at zenith, horizon, nadir
    assert np.allclose(el_sun, [90, 0, -90], atol=1e-9)
    assert np.allclose(el_earth, [0, 90, 0], atol=1e-9)


def test_wait_for_light_is_the_first_lit_time_on_the_grid():
    sky = SkyGeometry((1, 0, 0), (0.6, 0.8, 0), W)
    lim = HazardLimits(lookahead_step_s=10.0)
    a = assess_site(site(normal=(-1, 0, 0)), sky, 0.0, lim)  # faces away from the Sun now
    assert a.feasible and a.wait_s > 0
    times = np.arange(0, lim.lookahead_s + 1, 10.0)
    es, ee = sky.elevations_deg((-1, 0, 0), times)
    first = times[np.argmax((es >= 10) & (ee >= 5))]
    assert a.contact_time_s == pytest.approx(first)
    assert any("wait" in r for r in a.reasons)


def test_ranking_rejects_with_reasons_and_prefers_margin():
    sky = SkyGeometry((0, 0, 1), (0, 0, 1), W)
    sites = [
        site("steep", slope_deg=25.0),
        site("rocky", max_boulder_m=1.1),
        site("good", slope_deg=3.0, safe_radius_m=8.0),
        site("fair", slope_deg=12.0, safe_radius_m=3.0),
        site("tiny", safe_radius_m=1.0),
    ]
    ranking = rank_sites(sites, sky, 0.0)
    assert [a.name for a in ranking[:2]] == ["good", "fair"]
    reasons = {a.name: "; ".join(a.reasons) for a in ranking}
    assert "slope 25.0 deg > 20.0" in reasons["steep"]
    assert "boulder 1.10 m > 0.70" in reasons["rocky"]
    assert "safe radius 1.0 m < 2.0" in reasons["tiny"]
    assert not any(a.feasible for a in ranking[2:])


def test_excluded_site_stays_listed_as_rejected():
    sky = SkyGeometry((0, 0, 1), (0, 0, 1), W)
    ranking = rank_sites([site("A"), site("B", slope_deg=10)], sky, 0.0, exclude={"A"})
    assert ranking[0].name == "B"
    assert ranking[1].name == "A" and not ranking[1].feasible
    assert ranking[1].reasons[0] == "excluded after a waive-off"


def test_unlit_site_with_no_window_is_rejected():
    sky = SkyGeometry((0, 0, 1), (0, 0, 1), W)
    a = assess_site(site(normal=(0, 0, -1)), sky, 0.0, HazardLimits())
    assert not a.feasible and math.isinf(a.wait_s)


def test_touchdown_clearance():
    r, c = touchdown_clearance(0.5, (0.3, 0.4), site(safe_radius_m=2.0))
    assert r == pytest.approx(0.5 + 3 * 0.5) and c == pytest.approx(0.0)
