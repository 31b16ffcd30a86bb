"""Gate decisions: GO, HOLD and WAIVE-OFF, each for its reason."""

import math

from hypothesis import given
from hypothesis import strategies as st

from autonomy.checkpoints import (
    GO,
    HOLD,
    WAIVE_OFF,
    CheckpointInputs,
    CheckpointLimits,
    evaluate_checkpoint,
)
from autonomy.observations import SiteHazard

SITE = SiteHazard("A", (0, 0, 16), (0, 0, 1), 6.0, 0.05, 0.3, 5.0)


def inputs(**kw):
    base = dict(
        name="checkpoint",
        t=100.0,
        altitude_m=40.0,
        site=SITE,
        predicted_offset_m=0.2,
        sigma_r_m=(0.2, 0.2, 0.05),
        sigma_v_m_s=(0.002, 0.002, 0.002),
        propellant_kg=90.0,
        propellant_needed_kg=2.0,
        min_propellant_kg=20.0,
    )
    base.update(kw)
    return CheckpointInputs(**base)


def test_go_with_numbers():
    d = evaluate_checkpoint(inputs(), CheckpointLimits())
    assert d.decision == GO
    # dispersion radius = offset + 3 * rss(horizontal sigmas) = 0.2 + 3 * 0.2 * sqrt(2)
    assert math.isclose(d.numbers["dispersion_radius_m"], 0.2 + 3 * 0.2 * math.sqrt(2))
    assert math.isclose(d.numbers["clearance_m"], 5.0 - d.numbers["dispersion_radius_m"])
    assert d.numbers["propellant_after_kg"] == 88.0


def test_hazard_in_the_touchdown_circle_waives_off_and_blames_the_site():
    site = SiteHazard("A", (0, 0, 16), (0, 0, 1), 6.0, 0.05, 1.2, 0.4)
    d = evaluate_checkpoint(inputs(site=site), CheckpointLimits())
    assert d.decision == WAIVE_OFF and d.site_hazardous
    assert "reaches a hazard" in d.reason and d.numbers["clearance_m"] < 0


def test_propellant_reserve_waives_off_without_blaming_the_site():
    d = evaluate_checkpoint(inputs(propellant_kg=21.0), CheckpointLimits())
    assert d.decision == WAIVE_OFF and not d.site_hazardous
    assert "below the reserve 20.00 kg" in d.reason


def test_nav_covariance_holds_then_waives_off_after_hold_max():
    lim = CheckpointLimits(max_nav_sigma_m=0.5, hold_max_s=60.0)
    d = evaluate_checkpoint(inputs(sigma_r_m=(0.4, 0.4, 0.4), held_for_s=10.0), lim)
    assert d.decision == HOLD and "navigation sigma 0.69 m > 0.50 m" in d.reason
    d = evaluate_checkpoint(inputs(sigma_r_m=(0.4, 0.4, 0.4), held_for_s=60.0), lim)
    assert d.decision == WAIVE_OFF and "held 60 s" in d.reason


def test_attitude_link_advisory_and_plan_each_hold():
    lim = CheckpointLimits(require_link=True)
    cases = {
        "no star-tracker attitude": dict(star_tracker_valid=False),
        "pointing error 3.00 deg": dict(pointing_error_rad=math.radians(3.0)),
        "no ground link": dict(link_up=False),
        "critical operations held: S2": dict(advisory="S2 until ~2400 s"),
        "no feasible descent plan": dict(plan_feasible=False),
    }
    for text, kw in cases.items():
        d = evaluate_checkpoint(inputs(**kw), lim)
        assert d.decision == HOLD and text in d.reason, (text, d.reason)


def test_link_only_required_where_the_gate_says():
    assert evaluate_checkpoint(inputs(link_up=False), CheckpointLimits()).decision == GO


@given(st.floats(0.0, 3.0), st.floats(0.01, 1.0), st.floats(0.0, 10.0))
def test_a_larger_safe_radius_never_turns_go_into_waive_off(offset, sigma, extra):
    small = SiteHazard("A", (0, 0, 16), (0, 0, 1), 6.0, 0.05, 0.3, 1.0)
    big = SiteHazard("A", (0, 0, 16), (0, 0, 1), 6.0, 0.05, 0.3, 1.0 + extra)
    kw = dict(predicted_offset_m=offset, sigma_r_m=(sigma, sigma, 0.05))
    d_small = evaluate_checkpoint(inputs(site=small, **kw), CheckpointLimits(max_nav_sigma_m=10))
    d_big = evaluate_checkpoint(inputs(site=big, **kw), CheckpointLimits(max_nav_sigma_m=10))
    if d_small.decision == GO:
        assert d_big.decision == GO
    assert d_big.numbers["clearance_m"] >= d_small.numbers["clearance_m"]
