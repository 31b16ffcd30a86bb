"""Operations advisories from rules (TOML) and recorded space-weather data."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from ground.spaceweather.advisories import (
    DEFAULT_RULES_PATH,
    Advisory,
    AdvisoryRule,
    evaluate_advisories,
    load_rules,
)
from ground.spaceweather.products import parse_alerts, parse_integral_protons, parse_kp, parse_xrays

UTC = dt.UTC


@pytest.fixture
def data(recorded):
    return {
        "kp": parse_kp(recorded("products/noaa-planetary-k-index.json")),
        "protons": parse_integral_protons(
            recorded("json/goes/primary/integral-protons-1-day.json")
        ),
        "xrays": parse_xrays(recorded("json/goes/primary/xrays-1-day.json")),
        "alerts": parse_alerts(recorded("products/alerts.json")),
    }


def by_rule(advisories):
    return {a.rule: a for a in advisories}


def test_default_rules_load():
    rules = load_rules()
    assert DEFAULT_RULES_PATH.is_file()
    ids = [r.id for r in rules]
    assert "sep-hold-proximity" in ids and "geomagnetic-storm-links" in ids
    hold = next(r for r in rules if r.id == "sep-hold-proximity")
    assert (hold.scale, hold.level) == ("S", 2)
    assert "hold touch-and-go" in hold.actions


def test_s2_holds_touch_and_go_with_start_end_and_reason(data):
    now = dt.datetime(2026, 8, 7, 1, 30, tzinfo=UTC)
    adv = by_rule(evaluate_advisories(data, now=now))
    hold = adv["sep-hold-proximity"]
    assert hold.actions[:2] == ("hold touch-and-go", "hold critical commanding")
    # first 5-min sample >= 100 pfu in the recording, and the last one + 5 min + 12 h linger
    first_s2 = data["protons"]["flux"].sel(channel=">=10 MeV")
    first_s2 = first_s2.where(first_s2 >= 100, drop=True)["time"].values[0]
    assert hold.start == dt.datetime.fromisoformat(str(first_s2)[:19]).replace(tzinfo=UTC)
    assert hold.expected_end == dt.datetime(2026, 8, 7, 13, 30, tzinfo=UTC)
    assert "S2" in hold.reason and "150 pfu" in hold.reason
    assert hold.active_at(now)


def test_g_storm_degrades_links_and_uses_the_g4_boundary(data):
    now = dt.datetime(2026, 8, 7, 1, 30, tzinfo=UTC)
    adv = by_rule(evaluate_advisories(data, now=now))
    links = adv["geomagnetic-storm-links"]
    assert links.actions[0] == "expect degraded ground-station links"
    assert links.start == dt.datetime(2026, 8, 6, 9, 0, tzinfo=UTC)  # Kp 4.67 = G1 begins
    # last Kp interval at G1+ starts 00:00 and ends 03:00, plus 6 h linger
    assert links.expected_end == dt.datetime(2026, 8, 7, 9, 0, tzinfo=UTC)
    assert links.level == 4  # peak 8.67 is G4, not G5
    assert adv["severe-geomagnetic-storm"].start == dt.datetime(2026, 8, 6, 15, 0, tzinfo=UTC)
    assert "radio-blackout" not in adv  # M4 flare is R1 only


def test_advisories_expire(data):
    later = dt.datetime(2026, 8, 7, 14, 0, tzinfo=UTC)
    adv = by_rule(evaluate_advisories(data, now=later))
    assert "sep-hold-proximity" not in adv  # ended 13:30
    assert "geomagnetic-storm-links" not in adv
    assert evaluate_advisories(data, now="2026-07-31T01:00:00Z") == []


def test_alert_rule_fires_on_message_codes(data):
    rules = [
        AdvisoryRule(
            id="proton-alert",
            actions=("raise monitoring",),
            reason="SWPC proton alert",
            alerts=("ALTPX*", "WARPX1"),
            linger_hours=4,
        )
    ]
    (adv,) = evaluate_advisories(data, rules, now="2026-08-07T02:00:00Z")
    assert adv.source == "alert" and adv.scale == "S" and adv.level == 2
    assert adv.start == dt.datetime(2026, 8, 7, 1, 10, 12, 330000, tzinfo=UTC)
    assert "ALTPX2" in adv.reason
    assert evaluate_advisories(data, rules, now="2026-08-07T06:00:00Z") == []


def test_default_now_is_the_latest_sample(data):
    adv = by_rule(evaluate_advisories(data))
    assert "sep-hold-proximity" in adv


def test_mission_file_rules(tmp_path, data):
    mission = tmp_path / "mission.toml"
    mission.write_text(
        """
[mission]
name = "kamo-demo"

[[spaceweather.rules]]
id = "tag-hold-s1"
scale = "S"
level = 1
actions = ["hold touch-and-go"]
reason = "conservative proximity rule"
linger_hours = 1
"""
    )
    rules = load_rules(mission)
    assert [r.id for r in rules] == ["tag-hold-s1"]
    (adv,) = evaluate_advisories(data, mission, now="2026-08-07T01:30:00Z")
    assert adv.rule == "tag-hold-s1" and adv.level == 2


def test_advisory_is_a_plain_frozen_dataclass(data):
    adv = evaluate_advisories(data, now="2026-08-07T01:30:00Z")[0]
    assert dataclasses.is_dataclass(adv) and isinstance(adv, Advisory)
    with pytest.raises(dataclasses.FrozenInstanceError):
        adv.reason = "x"
    assert isinstance(adv.start, dt.datetime) and adv.start.tzinfo is not None
    as_dict = adv.to_dict()
    assert as_dict["start"].endswith("Z") and isinstance(as_dict["actions"], list)
    assert hash(adv)  # usable in sets by the executive
    assert "UTC>" in repr(adv)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[rules]]\nid = "a"\nreason = "r"\nscale = "S"\n', "missing key 'actions'"),
        (
            '[[rules]]\nid = "a"\nactions = ["x"]\nreason = "r"\nscale = "K"\n',
            "'scale' must be G, S or R",
        ),
        (
            '[[rules]]\nid = "a"\nactions = ["x"]\nreason = "r"\nscale = "S"\nlevel = 7\n',
            "'level' must be 1..5",
        ),
        (
            '[[rules]]\nid = "a"\nactions = "x"\nreason = "r"\nscale = "S"\n',
            "actions must be a list",
        ),
        ('[[rules]]\nid = "a"\nactions = ["x"]\nreason = "r"\n', "give 'scale'"),
        (
            '[[rules]]\nid = "a"\nactions = ["x"]\nreason = "r"\nscale = "S"\ncolour = 1\n',
            "unknown key",
        ),
        ('title = "no rules"\n', "no \\[\\[rules\\]\\]"),
        ("[[rules]\n", "not valid TOML"),
    ],
)
def test_bad_rules_files_name_the_key(tmp_path, body, message):
    path = tmp_path / "rules.toml"
    path.write_text(body)
    with pytest.raises(ValueError, match=message):
        load_rules(path)


def test_missing_rules_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="rules file not found"):
        load_rules(tmp_path / "nope.toml")


def test_no_data_no_advisory():
    assert evaluate_advisories({"kp": None, "protons": None}, now="2026-08-07T00:00:00Z") == []


def test_cme_rule_from_a_predicted_arrival(data):
    from ground.spaceweather.dbm import AU_KM, cme_arrival, cme_arrival_ensemble

    hit = cme_arrival("2026-08-07T00:00", 1000.0, target=[AU_KM, 0, 0], target_name="kamo-sc")
    ens = cme_arrival_ensemble(
        "2026-08-07T00:00", 1000.0, target=[AU_KM, 0, 0], members=200, seed=2
    )
    miss = cme_arrival("2026-08-07T00:00", 1000.0, target=[AU_KM, 0, 0], offset=80.0)
    now = "2026-08-07T01:30:00Z"
    rules = [r for r in load_rules() if r.id == "cme-arrival"]
    (adv,) = evaluate_advisories(data, rules, now=now, cmes=[hit, miss])
    arrival = dt.datetime.fromisoformat(hit.arrival.utc.isot).replace(tzinfo=UTC)
    assert adv.source == "cme" and adv.start > dt.datetime(2026, 8, 7, 1, 30, tzinfo=UTC)
    assert adv.start == arrival - dt.timedelta(hours=10)
    assert adv.expected_end == arrival + dt.timedelta(hours=10 + 12)
    assert "kamo-sc" in adv.reason
    (adv_ens,) = evaluate_advisories(data, rules, now=now, cmes=[ens])
    p05 = dt.datetime.fromisoformat(ens.arrival_p05.utc.isot).replace(tzinfo=UTC)
    assert adv_ens.start == p05 and "P(hit)" in adv_ens.reason
    # long after the arrival window the advisory is gone
    assert evaluate_advisories(data, rules, now="2026-08-20T00:00:00Z", cmes=[hit]) == []


# ------------------------------------------------------------------ predicted (forecast) advisories


def _forecast(rows):
    """A Kp 3-day forecast in SWPC's 2026 layout: (time_tag, kp, observed) per 3-h interval."""
    from ground.spaceweather.products import parse_kp_forecast

    return parse_kp_forecast(
        [{"time_tag": t, "kp": kp, "observed": o, "noaa_scale": None} for t, kp, o in rows]
    )


FORECAST_RULE = AdvisoryRule(
    id="storm-ahead",
    actions=("move the touch-and-go",),
    reason="Geomagnetic storm predicted",
    scale="G",
    level=2,
    forecast=True,
    linger_hours=3,
)

STORM_AHEAD = [
    ("2026-08-08T09:00:00", 6.0, "observed"),  # G2 observed: not the forecast rule's business
    ("2026-08-08T12:00:00", 3.0, "estimated"),
    ("2026-08-08T15:00:00", 3.33, "predicted"),
    ("2026-08-08T18:00:00", 4.67, "predicted"),  # G1
    ("2026-08-08T21:00:00", 6.0, "predicted"),  # G2 starts
    ("2026-08-09T00:00:00", 7.33, "predicted"),  # G3 peak
    ("2026-08-09T03:00:00", 6.0, "predicted"),  # G2, episode ends 06:00
    ("2026-08-09T06:00:00", 4.0, "predicted"),
    ("2026-08-09T09:00:00", 6.33, "predicted"),  # a second episode (G2): not this advisory
]


def test_forecast_rule_gives_a_predicted_advisory_ahead_of_the_storm():
    now = dt.datetime(2026, 8, 8, 13, 0, tzinfo=UTC)
    (adv,) = evaluate_advisories({"kp_forecast": _forecast(STORM_AHEAD)}, [FORECAST_RULE], now=now)
    assert adv.source == "forecast" and adv.scale == "G" and adv.level == 3
    assert adv.start == dt.datetime(2026, 8, 8, 21, 0, tzinfo=UTC) and adv.start > now
    assert adv.expected_end == dt.datetime(2026, 8, 9, 9, 0, tzinfo=UTC)  # 06:00 + 3 h linger
    assert not adv.active_at(now) and adv.active_at(adv.start)
    assert "Kp 7.33, G3" in adv.reason and "2026-08-09 00:00" in adv.reason
    assert adv.details == {"peak_kp": 7.33, "predicted_intervals": 3}


def test_forecast_rule_window_horizon_and_past_intervals():
    fc = {"kp_forecast": _forecast(STORM_AHEAD)}
    # during the episode: the interval in progress still counts
    (adv,) = evaluate_advisories(fc, [FORECAST_RULE], now="2026-08-09T01:30:00Z")
    assert adv.start == dt.datetime(2026, 8, 8, 21, 0, tzinfo=UTC)
    # after it: the next predicted episode
    (adv,) = evaluate_advisories(fc, [FORECAST_RULE], now="2026-08-09T07:00:00Z")
    assert adv.start == dt.datetime(2026, 8, 9, 9, 0, tzinfo=UTC) and adv.level == 2
    # beyond the look-ahead: nothing yet
    short = dataclasses.replace(FORECAST_RULE, forecast_hours=6.0)
    assert evaluate_advisories(fc, [short], now="2026-08-08T13:00:00Z") == []
    # observed and estimated rows never fire a forecast rule; no forecast, no advisory
    past = {"kp_forecast": _forecast(STORM_AHEAD[:2])}
    assert evaluate_advisories(past, [FORECAST_RULE], now="2026-08-08T09:30:00Z") == []
    assert evaluate_advisories({}, [FORECAST_RULE], now="2026-08-08T09:30:00Z") == []


def test_recorded_forecast_and_default_now_ignores_future_rows(data, recorded):
    from ground.spaceweather.products import parse_kp_forecast

    with_fc = {**data, "kp_forecast": parse_kp_forecast(
        recorded("products/noaa-planetary-k-index-forecast.json")
    )}  # fmt: skip
    g1 = dataclasses.replace(FORECAST_RULE, level=1)
    (adv,) = evaluate_advisories(with_fc, [g1], now="2026-08-07T03:30:00Z")
    assert adv.start == dt.datetime(2026, 8, 7, 6, 0, tzinfo=UTC) and adv.level == 1
    # the default 'now' is the latest observation, not the forecast's last row
    assert evaluate_advisories(with_fc) == evaluate_advisories(data)


def test_forecast_rule_validation():
    with pytest.raises(ValueError, match="'forecast = true' needs scale = \"G\""):
        AdvisoryRule(id="x", actions=("a",), reason="r", scale="S", level=2, forecast=True)
    with pytest.raises(ValueError, match="forecast must be true or false"):
        load_rules({"rules": [{"id": "x", "actions": ["a"], "reason": "r", "scale": "G",
                               "forecast": "yes"}]})  # fmt: skip
    ids = {r.id: r for r in load_rules()}
    assert ids["geomagnetic-storm-forecast"].forecast
