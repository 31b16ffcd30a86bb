"""Operations advisories from space-weather data and rules that a mission file sets.

A rule says "when this happens, do that, for this long". It fires on a NOAA scale level
(``scale = "S"``, ``level = 2``: S2 or above) computed from the data, or on SWPC alert codes
(``alerts = ["ALTPX*", "WARPX1"]``). Each advisory has a start, an expected end and a
reason, and is a plain frozen dataclass: the autonomy executive receives advisories as
observations, so they carry no xarray, no astropy and no I/O.

Rules file (TOML; the default is ``ground/data/spaceweather_rules.toml``; a mission file
may hold the same list under ``[[spaceweather.rules]]``)::

    [[rules]]
    id = "sep-hold"
    scale = "S"            # G, S or R
    level = 2              # fires at this level or above
    actions = ["hold touch-and-go", "hold critical commanding"]
    reason = "Solar radiation storm: star-tracker blinding and single-event upsets"
    linger_hours = 12      # expected end = last time the condition held + linger
    lookback_hours = 24    # how far back an episode may have started

A rule with ``forecast = true`` (G scale only: SWPC's 3-day forecast is of Kp) fires on
the *predicted* 3-hour intervals of ``products/noaa-planetary-k-index-forecast.json``
instead of the observations, looking ``forecast_hours`` ahead (default 72): its advisory
starts at the first predicted interval at or above the level, usually in the future, so
operations can move a touch-and-go or a critical command before the storm::

    [[rules]]
    id = "geomagnetic-storm-forecast"
    scale = "G"
    level = 2
    forecast = true
    actions = ["schedule critical commanding outside the predicted window"]
    reason = "Geomagnetic storm predicted"

Timing: ``start`` is the first sample of the episode (the run of samples at or above the
level that ends at the latest such sample), ``expected_end`` the end of the latest
exceeding sample (3 h after a Kp interval starts) plus ``linger_hours``. An advisory is
reported while ``now <= expected_end``.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ground.spaceweather.scales import g_scale, r_scale, s_scale

__all__ = [
    "Advisory",
    "AdvisoryRule",
    "DEFAULT_RULES_PATH",
    "evaluate_advisories",
    "load_rules",
]

DEFAULT_RULES_PATH = Path(__file__).resolve().parent.parent / "data" / "spaceweather_rules.toml"
_UNITS = {"G": "Kp", "S": "pfu (>=10 MeV)", "R": "W m-2 (0.1-0.8 nm)"}


@dataclass(frozen=True)
class AdvisoryRule:
    """One operations rule: a trigger (scale level or alert codes) and what to do."""

    id: str
    actions: tuple[str, ...]
    reason: str
    scale: str | None = None
    level: int = 1
    alerts: tuple[str, ...] = ()
    cme: bool = False
    cme_margin_hours: float = 10.0
    linger_hours: float = 6.0
    lookback_hours: float = 24.0
    forecast: bool = False
    forecast_hours: float = 72.0

    def __post_init__(self) -> None:
        if self.forecast and self.scale != "G":
            raise ValueError(
                f"rule {self.id!r}: 'forecast = true' needs scale = \"G\" (SWPC's 3-day "
                f"forecast is of Kp), got scale {self.scale!r}"
            )
        if self.forecast_hours <= 0:
            raise ValueError(
                f"rule {self.id!r}: 'forecast_hours' must be > 0, got {self.forecast_hours}"
            )
        if self.scale is None and not self.alerts and not self.cme:
            raise ValueError(
                f"rule {self.id!r}: give 'scale' (G, S or R) and 'level', 'alerts', or 'cme = true'"
            )
        if self.scale is not None and self.scale not in ("G", "S", "R"):
            raise ValueError(f"rule {self.id!r}: 'scale' must be G, S or R, got {self.scale!r}")
        if not 1 <= self.level <= 5:
            raise ValueError(f"rule {self.id!r}: 'level' must be 1..5, got {self.level}")
        if self.linger_hours < 0 or self.lookback_hours <= 0:
            raise ValueError(
                f"rule {self.id!r}: 'linger_hours' must be >= 0 and 'lookback_hours' > 0, "
                f"got {self.linger_hours} and {self.lookback_hours}"
            )
        if not self.actions:
            raise ValueError(f"rule {self.id!r}: 'actions' must list at least one action")


@dataclass(frozen=True)
class Advisory:
    """An operations advisory: what to do, from when, until when (expected), and why.

    Times are timezone-aware UTC ``datetime``s.
    """

    rule: str
    actions: tuple[str, ...]
    start: _dt.datetime
    expected_end: _dt.datetime
    reason: str
    scale: str | None = None
    level: int = 0
    source: str = "scale"
    details: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def active_at(self, when: _dt.datetime) -> bool:
        return self.start <= when <= self.expected_end

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["actions"] = list(self.actions)
        out["start"] = self.start.isoformat().replace("+00:00", "Z")
        out["expected_end"] = self.expected_end.isoformat().replace("+00:00", "Z")
        out["details"] = dict(self.details)
        return out

    def __repr__(self) -> str:
        what = f"{self.scale}{self.level}" if self.scale else self.source
        return (
            f"<Advisory {self.rule} ({what}): {', '.join(self.actions)}; "
            f"{self.start:%Y-%m-%d %H:%M} to ~{self.expected_end:%Y-%m-%d %H:%M} UTC>"
        )


_RULE_KEYS = {
    "id",
    "actions",
    "reason",
    "scale",
    "level",
    "alerts",
    "linger_hours",
    "lookback_hours",
    "cme",
    "cme_margin_hours",
    "forecast",
    "forecast_hours",
}


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{where} must be true or false, got {value!r}")
    return value


def _rule_from_table(table: Mapping[str, Any], where: str) -> AdvisoryRule:
    unknown = set(table) - _RULE_KEYS
    if unknown:
        raise ValueError(
            f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_RULE_KEYS)}"
        )
    for key in ("id", "actions", "reason"):
        if key not in table:
            raise ValueError(f"{where}: missing key {key!r}")
    actions = table["actions"]
    if isinstance(actions, str) or not all(isinstance(a, str) for a in actions):
        raise ValueError(f"{where}.actions must be a list of strings, got {actions!r}")
    alerts = table.get("alerts", [])
    if isinstance(alerts, str) or not all(isinstance(a, str) for a in alerts):
        raise ValueError(f"{where}.alerts must be a list of strings, got {alerts!r}")
    scale = table.get("scale")
    level = table.get("level", 1)
    if not isinstance(level, int) or isinstance(level, bool):
        raise ValueError(f"{where}.level must be an integer 1..5, got {level!r}")
    try:
        return AdvisoryRule(
            id=str(table["id"]),
            actions=tuple(actions),
            reason=str(table["reason"]),
            scale=None if scale is None else str(scale).upper(),
            level=level,
            alerts=tuple(a.upper() for a in alerts),
            cme=_bool(table.get("cme", False), f"{where}.cme"),
            cme_margin_hours=float(table.get("cme_margin_hours", 10.0)),
            linger_hours=float(table.get("linger_hours", 6.0)),
            lookback_hours=float(table.get("lookback_hours", 24.0)),
            forecast=_bool(table.get("forecast", False), f"{where}.forecast"),
            forecast_hours=float(table.get("forecast_hours", 72.0)),
        )
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def load_rules(source: str | Path | Mapping[str, Any] | None = None) -> tuple[AdvisoryRule, ...]:
    """Read advisory rules from a TOML file (rules file or mission file) or a parsed mapping.

    ``None`` reads the default rules shipped with kamo. The list is found under
    ``rules`` or ``spaceweather.rules``.
    """
    if source is None:
        source = DEFAULT_RULES_PATH
    if isinstance(source, Mapping):
        doc, name = source, "rules"
    else:
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"space-weather rules file not found: {path}")
        try:
            doc = tomllib.loads(path.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: not valid TOML ({exc})") from None
        name = str(path)
    if "spaceweather" in doc and isinstance(doc["spaceweather"], Mapping):
        tables, prefix = doc["spaceweather"].get("rules"), "spaceweather.rules"
    else:
        tables, prefix = doc.get("rules"), "rules"
    if not isinstance(tables, list) or not tables:
        raise ValueError(f"{name}: no [[rules]] (or [[spaceweather.rules]]) tables found")
    rules = tuple(_rule_from_table(t, f"{name}: {prefix}[{i}]") for i, t in enumerate(tables))
    ids = [r.id for r in rules]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise ValueError(f"{name}: duplicate rule id(s) {sorted(dup)}")
    return rules


def _aware(t: np.datetime64) -> _dt.datetime:
    seconds = t.astype("datetime64[us]").astype(_dt.datetime)
    return seconds.replace(tzinfo=_dt.UTC)


def _as_datetime(when: Any) -> _dt.datetime:
    if isinstance(when, _dt.datetime):
        return when.replace(tzinfo=_dt.UTC) if when.tzinfo is None else when.astimezone(_dt.UTC)
    if hasattr(when, "utc") and hasattr(when, "isot"):
        return _as_datetime(_dt.datetime.fromisoformat(when.utc.isot))
    if isinstance(when, str):
        return _as_datetime(_dt.datetime.fromisoformat(when.replace("Z", "+00:00")))
    if isinstance(when, np.datetime64):
        return _aware(when)
    raise ValueError(
        f"now must be a datetime, ISO string, numpy datetime64 or astropy Time, got {when!r}"
    )


def _scale_series(rule: AdvisoryRule, data: Mapping[str, xr.Dataset | None]):
    """(times, values, levels, sample length) for the rule's scale, or None without data."""
    if rule.scale == "G":
        ds = data.get("kp")
        if ds is None or "kp" not in ds:
            return None
        series, func, length = ds["kp"], g_scale, np.timedelta64(3, "h")
    elif rule.scale == "S":
        ds = data.get("protons")
        if ds is None or "flux" not in ds:
            return None
        series, func, length = ds["flux"].sel(channel=">=10 MeV"), s_scale, np.timedelta64(5, "m")
    else:
        ds = data.get("xrays")
        if ds is None or "flux" not in ds:
            return None
        series, func, length = ds["flux"].sel(band="0.1-0.8nm"), r_scale, np.timedelta64(1, "m")
    series = series.dropna("time")
    if series.sizes["time"] == 0:
        return None
    values = series.values.astype(float)
    return series["time"].values, values, np.asarray(func(values)), length


def _scale_advisory(
    rule: AdvisoryRule, data: Mapping[str, xr.Dataset | None], now: _dt.datetime
) -> Advisory | None:
    found = _scale_series(rule, data)
    if found is None:
        return None
    times, values, levels, length = found
    now64 = np.datetime64(now.astimezone(_dt.UTC).replace(tzinfo=None), "ns")
    lookback = now64 - np.timedelta64(int(rule.lookback_hours * 3600), "s")
    hot = np.flatnonzero((levels >= rule.level) & (times <= now64) & (times + length > lookback))
    if hot.size == 0:
        return None
    last = hot[-1]
    first = last
    while first > 0 and levels[first - 1] >= rule.level:
        first -= 1
    end = _aware(times[last] + length) + _dt.timedelta(hours=rule.linger_hours)
    if now > end:
        return None
    episode = slice(first, last + 1)
    k = first + int(np.argmax(values[episode]))
    peak_level = int(levels[k])
    start = _aware(times[first])
    reason = (
        f"{rule.reason} ({rule.scale}{peak_level}: peak {values[k]:.3g} {_UNITS[rule.scale]} at "
        f"{_aware(times[k]):%Y-%m-%d %H:%M} UTC; at or above {rule.scale}{rule.level} since "
        f"{start:%Y-%m-%d %H:%M} UTC)"
    )
    return Advisory(
        rule=rule.id,
        actions=rule.actions,
        start=start,
        expected_end=end,
        reason=reason,
        scale=rule.scale,
        level=peak_level,
        source="scale",
        details={"peak_value": float(values[k]), "latest_level": int(levels[-1])},
    )


_KP_INTERVAL = np.timedelta64(3, "h")


def _forecast_advisory(
    rule: AdvisoryRule, forecast: xr.Dataset | None, now: _dt.datetime
) -> Advisory | None:
    """Advisory for the first predicted run of 3-hour Kp intervals at or above the level.

    Only rows marked ``predicted`` count (observed and estimated ones are the past, which
    the observation rules judge), and only intervals that have not ended by ``now`` and
    start within ``forecast_hours``.
    """
    if forecast is None or "kp" not in forecast or "observed" not in forecast:
        return None
    if forecast.sizes.get("time", 0) == 0:
        return None
    times = forecast["time"].values
    kp = forecast["kp"].values.astype(float)
    predicted = forecast["observed"].values.astype(str) == "predicted"
    levels = np.asarray(g_scale(kp))
    now64 = np.datetime64(now.astimezone(_dt.UTC).replace(tzinfo=None), "ns")
    horizon = now64 + np.timedelta64(int(rule.forecast_hours * 3600), "s")
    storm = predicted & (levels >= rule.level)
    idx = np.flatnonzero(storm & (times + _KP_INTERVAL > now64) & (times <= horizon))
    if idx.size == 0:
        return None
    first = last = idx[0]

    def joined(i: int) -> bool:  # rows i and i + 1 are back-to-back predicted storm intervals
        return bool(storm[i] and storm[i + 1] and times[i + 1] == times[i] + _KP_INTERVAL)

    while first > 0 and joined(first - 1):  # an episode in progress started earlier
        first -= 1
    while last + 1 < times.size and joined(last):
        last += 1
    episode = slice(first, last + 1)
    k = first + int(np.argmax(kp[episode]))
    start = _aware(times[first])
    stop = _aware(times[last] + _KP_INTERVAL)
    reason = (
        f"{rule.reason} (forecast: Kp {kp[k]:.2f}, G{int(levels[k])}, predicted for "
        f"{_aware(times[k]):%Y-%m-%d %H:%M} UTC; G{rule.level} or above predicted from "
        f"{start:%Y-%m-%d %H:%M} to {stop:%Y-%m-%d %H:%M} UTC)"
    )
    return Advisory(
        rule=rule.id,
        actions=rule.actions,
        start=start,
        expected_end=stop + _dt.timedelta(hours=rule.linger_hours),
        reason=reason,
        scale="G",
        level=int(levels[k]),
        source="forecast",
        details={"peak_kp": float(kp[k]), "predicted_intervals": int(last - first + 1)},
    )


def _alert_advisories(
    rule: AdvisoryRule, alerts: xr.Dataset | None, now: _dt.datetime
) -> list[Advisory]:
    if alerts is None or alerts.sizes.get("time", 0) == 0:
        return []
    out = []
    for i in range(alerts.sizes["time"]):
        code = str(alerts["message_code"].values[i]) or str(alerts["product_id"].values[i])
        if not any(fnmatch.fnmatchcase(code, pat) for pat in rule.alerts):
            continue
        issued = _aware(alerts["time"].values[i])
        end = issued + _dt.timedelta(hours=rule.linger_hours)
        if issued > now or now > end or now - issued > _dt.timedelta(hours=rule.lookback_hours):
            continue
        headline = str(alerts["headline"].values[i])
        scale = str(alerts["noaa_scale"].values[i])
        out.append(
            Advisory(
                rule=rule.id,
                actions=rule.actions,
                start=issued,
                expected_end=end,
                reason=f"{rule.reason} (SWPC {code} issued {issued:%Y-%m-%d %H:%M} UTC: {headline})",
                scale=scale[0] if scale else None,
                level=int(scale[1]) if scale else 0,
                source="alert",
                details={"message_code": code, "product_id": str(alerts["product_id"].values[i])},
            )
        )
    return out[-1:]  # the latest matching alert stands for the others


def _cme_advisory(rule: AdvisoryRule, cme: Any, now: _dt.datetime) -> Advisory | None:
    """Advisory for a predicted CME arrival (a ``CMEArrival`` or ``CMEEnsemble``).

    Window: from the early (5 %) arrival, or the deterministic arrival, until the late (95 %)
    arrival plus ``linger_hours``. A deterministic run gets +-``cme_margin_hours`` (default
    10 h, the typical error of CME arrival forecasts).
    """
    if getattr(cme, "arrival_p05", None) is not None:  # ensemble
        early, late = cme.arrival_p05, cme.arrival_p95
        median, speed = cme.arrival_median, cme.speed_median_km_s
        odds = f"P(hit) {cme.hit_probability:.0%}, "
    elif getattr(cme, "hit", False):
        margin = _dt.timedelta(hours=rule.cme_margin_hours)
        median, speed, odds = cme.arrival, cme.arrival_speed_km_s, ""
        early = _as_datetime(median) - margin
        late = _as_datetime(median) + margin
    else:
        return None
    start, end = _as_datetime(early), _as_datetime(late) + _dt.timedelta(hours=rule.linger_hours)
    if now > end:
        return None
    when = _as_datetime(median)
    reason = (
        f"{rule.reason} (CME at {cme.target}: {odds}arrival ~{when:%Y-%m-%d %H:%M} UTC, "
        f"~{speed:.0f} km/s)"
    )
    return Advisory(
        rule=rule.id,
        actions=rule.actions,
        start=start,
        expected_end=end,
        reason=reason,
        source="cme",
        details={"target": cme.target, "arrival": when.isoformat(), "speed_km_s": float(speed)},
    )


def evaluate_advisories(
    data: Mapping[str, xr.Dataset | None],
    rules: Iterable[AdvisoryRule] | str | Path | None = None,
    now: Any = None,
    cmes: Iterable[Any] = (),
) -> list[Advisory]:
    """Advisories in force at ``now`` given parsed products (``kp``, ``protons``, ``xrays``, ``alerts``).

    Rules with ``forecast = true`` read ``kp_forecast`` (the 3-day Kp forecast) and give
    predicted advisories that may start in the future (``source = "forecast"``).

    ``rules`` is a sequence of :class:`AdvisoryRule`, a TOML path, or ``None`` for the
    defaults. ``now`` defaults to the latest sample time across the products (so a recorded
    or cached set of data gives the advisories as they stood then). ``cmes`` are predicted
    arrivals (:class:`~ground.spaceweather.dbm.CMEArrival` or ``CMEEnsemble``) for rules with
    ``cme = true``; their advisories may start in the future (``start > now``).
    """
    if rules is None or isinstance(rules, (str, Path)):
        rules = load_rules(rules)
    cmes = list(cmes)
    if now is None:
        latest = [
            ds["time"].values.max()
            for name, ds in data.items()
            if ds is not None and ds.sizes.get("time", 0) and name != "kp_forecast"
        ]
        if not latest:
            if not cmes:
                return []
            raise ValueError("now is required when there is no data to take the time from")
        now_dt = _aware(max(latest))
    else:
        now_dt = _as_datetime(now)
    out: list[Advisory] = []
    for rule in rules:
        if rule.forecast:
            adv = _forecast_advisory(rule, data.get("kp_forecast"), now_dt)
            if adv is not None:
                out.append(adv)
            continue
        if rule.scale is not None:
            adv = _scale_advisory(rule, data, now_dt)
            if adv is not None:
                out.append(adv)
                continue
        if rule.alerts:
            out.extend(_alert_advisories(rule, data.get("alerts"), now_dt))
        if rule.cme:
            out.extend(a for c in cmes if (a := _cme_advisory(rule, c, now_dt)) is not None)
    return sorted(out, key=lambda a: (a.start, a.rule))
