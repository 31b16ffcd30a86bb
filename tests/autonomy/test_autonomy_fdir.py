"""FDIR: each fault's detection rule (with its persistence) and its response."""

import pytest

from autonomy import fdir
from autonomy.commands import N_THRUSTERS
from autonomy.fdir import FaultMonitor, decide_response
from autonomy.observations import (
    AltimeterReading,
    AttitudeStatus,
    PowerStatus,
    SampleStatus,
    SpaceWeatherAdvisory,
    ThrusterTelemetry,
)


def duty(**on):
    d = [0.0] * N_THRUSTERS
    for i, v in on.items():
        d[int(i[1:])] = v
    return d


def firing(*idx):
    return tuple(i in idx for i in range(N_THRUSTERS))


def test_stuck_off_needs_three_cycles_and_names_the_thruster():
    m = FaultMonitor()
    cmd = duty(t8=0.5, t9=0.5)
    assert m.check_thrusters(ThrusterTelemetry(1, firing(9)), cmd) == []
    assert m.check_thrusters(ThrusterTelemetry(2, firing(9)), cmd) == []
    f = m.check_thrusters(ThrusterTelemetry(3, firing(9)), cmd)
    assert [x.kind for x in f] == [fdir.THRUSTER_STUCK_OFF]
    assert f[0].component == "+z A" and f[0].numbers["thruster"] == 8
    assert m.authority_fraction()["+z"] == 0.5 and m.authority_fraction()["-z"] == 1.0
    # reported once
    assert m.check_thrusters(ThrusterTelemetry(4, firing(9)), cmd) == []


def test_a_gap_resets_the_persistence_count():
    m = FaultMonitor()
    cmd = duty(t8=0.5)
    for t in range(1, 3):
        assert m.check_thrusters(ThrusterTelemetry(t, firing()), cmd) == []
    assert m.check_thrusters(ThrusterTelemetry(3, firing(8)), cmd) == []
    for t in range(4, 6):
        assert m.check_thrusters(ThrusterTelemetry(t, firing()), cmd) == []


def test_small_duty_is_not_judged():
    m = FaultMonitor()
    for t in range(10):
        assert m.check_thrusters(ThrusterTelemetry(t, firing()), duty(t8=0.01)) == []


def test_stuck_on_two_cycles():
    m = FaultMonitor()
    assert m.check_thrusters(ThrusterTelemetry(1, firing(3)), duty()) == []
    f = m.check_thrusters(ThrusterTelemetry(2, firing(3)), duty())
    assert f[0].kind == fdir.THRUSTER_STUCK_ON and f[0].component == "-x B"


def test_altimeter_dropout_only_when_a_range_is_expected():
    m = FaultMonitor()
    for t in range(5):
        assert m.check_altimeter(AltimeterReading(t, None), 50.0, expected=False) == []
    for t in range(5):  # beyond its range
        assert m.check_altimeter(AltimeterReading(t, None), 400.0) == []
    assert m.check_altimeter(AltimeterReading(5, None), 30.0) == []
    assert m.check_altimeter(AltimeterReading(6, 29.9), 30.0) == []  # a return resets
    assert m.check_altimeter(AltimeterReading(7, None), 30.0) == []
    assert m.check_altimeter(AltimeterReading(8, None), 30.0) == []
    f = m.check_altimeter(AltimeterReading(9, None), 30.0)
    assert f[0].kind == fdir.ALTIMETER_DROPOUT and m.altimeter_failed


def test_star_tracker_loss_after_ten_seconds_and_recovery():
    m = FaultMonitor()
    assert m.check_star_tracker(AttitudeStatus(0.0, False)) == []
    assert m.check_star_tracker(AttitudeStatus(9.0, False)) == []
    f = m.check_star_tracker(AttitudeStatus(10.0, False))
    assert f[0].kind == fdir.STAR_TRACKER_LOSS and m.star_tracker_lost_for(30.0) == 30.0
    m.check_star_tracker(AttitudeStatus(31.0, True))
    assert not m.star_tracker_lost and m.star_tracker_lost_for(40.0) == 0.0


def test_battery_thresholds_fire_once_each():
    m = FaultMonitor()
    assert m.check_battery(PowerStatus(0, 0.5)) == []
    assert m.check_battery(PowerStatus(1, 0.29))[0].kind == fdir.LOW_BATTERY
    assert m.check_battery(PowerStatus(2, 0.28)) == []
    assert m.check_battery(PowerStatus(3, 0.14))[0].kind == fdir.CRITICAL_BATTERY


def test_sampler_anomaly_once():
    m = FaultMonitor()
    assert m.check_sampler(SampleStatus(0, True, 50.0)) == []
    f = m.check_sampler(SampleStatus(1, False, 0.0, "projectile did not fire"))
    assert f[0].kind == fdir.SAMPLE_MECHANISM and "projectile did not fire" in f[0].reason
    assert m.check_sampler(SampleStatus(2, False, 0.0)) == []


def test_space_weather_hold_only_for_s2_or_more_while_active():
    m = FaultMonitor()
    m.add_advisory(SpaceWeatherAdvisory(0, 1, "S", 0.0, 100.0))
    assert m.advisory_hold(50.0) is None
    m.add_advisory(SpaceWeatherAdvisory(0, 2, "S", 10.0, 100.0, "S2"))
    assert m.advisory_hold(5.0) is None and m.advisory_hold(50.0).level == 2
    assert m.advisory_hold(100.5) is None
    m.add_advisory(SpaceWeatherAdvisory(0, 3, "G", 0.0, 100.0))
    assert m.advisory_hold(50.0).kind == "S"


def test_advisory_validation():
    with pytest.raises(ValueError, match="kind must be 'S', 'G' or 'R'"):
        SpaceWeatherAdvisory(0, 2, "X", 0, 1)
    with pytest.raises(ValueError, match="ends .* before it starts"):
        SpaceWeatherAdvisory(0, 2, "S", 10, 1)


def F(kind):
    return fdir.Fault(kind, 0.0, "x", "reason")


@pytest.mark.parametrize(
    ("kind", "critical", "alt", "below_mp", "action", "new_descent"),
    [
        (fdir.THRUSTER_STUCK_OFF, True, 40, False, fdir.WAIVE_OFF, False),
        (fdir.THRUSTER_STUCK_OFF, False, 100, False, fdir.ISOLATE, False),
        (fdir.ALTIMETER_DROPOUT, True, 10, True, fdir.CAMERA_ONLY, False),
        (fdir.ALTIMETER_DROPOUT, True, 35, False, fdir.WAIVE_OFF, False),
        (fdir.ALTIMETER_DROPOUT, False, 100, False, fdir.CONTINUE, False),
        (fdir.STAR_TRACKER_LOSS, True, 40, False, fdir.HOLD, True),
        (fdir.STAR_TRACKER_LOSS, True, 8, True, fdir.CONTINUE, True),
        (fdir.CRITICAL_BATTERY, False, 100, False, fdir.SAFE, True),
        (fdir.LOW_BATTERY, True, 40, False, fdir.WAIVE_OFF, True),
        (fdir.SAMPLE_MECHANISM, True, 0, True, fdir.WAIVE_OFF, False),
        (fdir.SPACE_WEATHER, True, 40, False, fdir.WAIVE_OFF, True),
        (fdir.SPACE_WEATHER, True, 8, True, fdir.CONTINUE, True),
        (fdir.SPACE_WEATHER, False, 100, False, fdir.HOLD, True),
    ],
)
def test_rule_book(kind, critical, alt, below_mp, action, new_descent):
    authority = {"+z": 0.5, "-z": 1.0}
    r = decide_response(
        F(kind), critical=critical, altitude_m=alt, below_matchpoint=below_mp, authority=authority
    )
    assert r.action == action and r.allow_new_descent == new_descent, r


def test_one_lost_thruster_of_a_pair_still_allows_descent_when_the_rule_says_so():
    lim = fdir.FdirLimits(min_descent_authority=0.5)
    r = decide_response(
        F(fdir.THRUSTER_STUCK_OFF),
        critical=False,
        altitude_m=100,
        below_matchpoint=False,
        authority={"+z": 0.5},
        limits=lim,
    )
    assert r.action == fdir.ISOLATE and r.allow_new_descent
