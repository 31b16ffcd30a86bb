"""Limit checks: levels, transitions and the alarm table."""

from __future__ import annotations

import numpy as np
import pytest

from ground.bulk import decode_bytes
from ground.decom import decommutate
from ground.dictionary import Limits, load_dictionary
from ground.limits import COLUMNS, alarms_to_records, check_limits, classify

DICT = load_dictionary()


def test_classify_levels_and_bounds_are_inclusive():
    lim = Limits(yellow_low=26.0, yellow_high=33.0, red_low=24.0, red_high=34.0)
    level, limit, side = classify(np.array([28.0, 33.0, 33.5, 34.0, 35.0, 25.0, 23.0, np.nan]), lim)
    assert level.tolist() == [0, 0, 1, 1, 2, 1, 2, 0]
    assert limit[[2, 4, 5, 6]].tolist() == [33.0, 34.0, 26.0, 24.0]
    assert side[[2, 6]].tolist() == [1, -1]


def test_one_sided_limits():
    level, _, _ = classify(np.array([-5.0, 5.0, 50.0]), Limits(yellow_high=10.0))
    assert level.tolist() == [0, 0, 1]


def _hk_run(volts):
    hk = DICT.packet("HK")
    raw = b"".join(
        hk.encode({"BATT_V": int(v * 1000), "OBC_TEMP": 2000}, seq_count=i, time_tai58=2.0e9 + i)
        for i, v in enumerate(volts)
    )
    return decommutate(decode_bytes(raw, DICT))


def test_alarm_table_transitions():
    ds = _hk_run([28, 33.5, 33.6, 34.5, 33.5, 28, 23.0])
    table = check_limits(ds, DICT)
    assert list(table.columns) == COLUMNS
    rows = table[table.parameter == "BATT_V"]
    assert rows.level.tolist() == ["yellow", "red", "yellow", "red"]
    assert rows.value.tolist() == pytest.approx([33.5, 34.5, 33.5, 23.0])
    assert rows.limit.tolist() == [33.0, 34.0, 33.0, 24.0]
    assert rows.side.tolist() == ["high", "high", "high", "low"]
    every = check_limits(ds, DICT, transitions_only=False)
    assert (every.parameter == "BATT_V").sum() == 5
    rec = alarms_to_records(table)[0]
    assert rec["time"].startswith("2021-") and rec["level"] in ("yellow", "red")


def test_no_alarms_gives_empty_table():
    table = check_limits(_hk_run([28, 29]), DICT)
    assert table.empty and list(table.columns) == COLUMNS
