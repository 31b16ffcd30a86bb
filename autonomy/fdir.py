"""Fault detection, isolation and recovery (FDIR): detection rules, and what to do about each fault.

Each monitor turns observations into a :class:`Fault` with a persistence rule (a
fault must be seen on several consecutive cycles, so one noisy sample does not
abort a descent). :func:`decide_response` is the rule book: given the fault and
where the spacecraft is, it returns the action and the reason. The table (also
in ``docs/autonomy.md``):

=====================  ===========================================  =====================================================
fault                  detection                                    response
=====================  ===========================================  =====================================================
thruster stuck-off     commanded >= 5 % duty, no chamber pressure,  close its latch valve; in a descent or contact:
                       3 consecutive cycles                         WAIVE-OFF on the remaining thrusters; new descents
                                                                    only while every axis keeps ``min_descent_authority``
thruster stuck-on      not commanded, chamber pressure,             as stuck-off (latch valve closed first)
                       2 consecutive cycles
altimeter dropout      no range for 3 consecutive readings          below ``camera_only_max_altitude_m`` in the final
                       while within its range                       descent: continue on camera-only navigation;
                                                                    otherwise WAIVE-OFF, and no new descent without it
star-tracker loss      no valid attitude for 10 s                   HOLD at the gates; in a descent for 60 s: WAIVE-OFF;
                                                                    below the matchpoint: continue on gyros
low battery            state of charge < 30 % (< 15 %: critical)     no new critical operation; critical: SAFE
sample mechanism       mechanism reports an anomaly                 stow, back away; no further attempt
space weather S2+      S-scale advisory of level >= 2 active        hold critical operations: no descent start; in a
                                                                    descent above the matchpoint: WAIVE-OFF and retry
                                                                    after it clears; below it: continue
=====================  ===========================================  =====================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field

from autonomy.commands import DIRECTION_NAMES, N_THRUSTERS, thruster_name
from autonomy.observations import (
    AltimeterReading,
    AttitudeStatus,
    PowerStatus,
    SampleStatus,
    SpaceWeatherAdvisory,
    ThrusterTelemetry,
)

THRUSTER_STUCK_OFF = "thruster_stuck_off"
THRUSTER_STUCK_ON = "thruster_stuck_on"
ALTIMETER_DROPOUT = "altimeter_dropout"
STAR_TRACKER_LOSS = "star_tracker_loss"
LOW_BATTERY = "low_battery"
CRITICAL_BATTERY = "critical_battery"
SAMPLE_MECHANISM = "sample_mechanism_anomaly"
SPACE_WEATHER = "space_weather_hold"

# responses
CONTINUE = "continue"
ISOLATE = "isolate"
CAMERA_ONLY = "camera_only"
HOLD = "hold"
WAIVE_OFF = "waive_off"
SAFE = "safe"


@dataclass(frozen=True)
class Fault:
    """A detected fault: what, when, which component, why and the numbers."""

    kind: str
    t: float
    component: str
    reason: str
    numbers: dict[str, float] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class FdirLimits:
    """Detection thresholds and recovery rules."""

    min_duty: float = 0.05
    stuck_off_cycles: int = 3
    stuck_on_cycles: int = 2
    altimeter_cycles: int = 3
    altimeter_max_range_m: float = 200.0
    star_tracker_loss_s: float = 10.0
    star_tracker_waive_off_s: float = 60.0
    battery_low: float = 0.30
    battery_critical: float = 0.15
    camera_only_max_altitude_m: float = 20.0
    min_descent_authority: float = 0.75
    advisory_min_level: int = 2


class FaultMonitor:
    """All detection rules, fed once per cycle; keeps which faults are active."""

    def __init__(self, limits: FdirLimits | None = None) -> None:
        self.limits = limits or FdirLimits()
        self._miss = [0] * N_THRUSTERS
        self._extra = [0] * N_THRUSTERS
        self.failed_thrusters: dict[int, str] = {}
        self._alt_missing = 0
        self.altimeter_failed = False
        self._st_invalid_since: float | None = None
        self.star_tracker_lost = False
        self.battery_state = "ok"
        self.mechanism_failed = False
        self.advisories: dict[str, SpaceWeatherAdvisory] = {}

    # --- thrusters ---------------------------------------------------------------------
    def check_thrusters(self, tm: ThrusterTelemetry, duty_commanded) -> list[Fault]:
        """Compare what each thruster was told with its chamber pressure."""
        lim = self.limits
        out = []
        for i in range(N_THRUSTERS):
            if i in self.failed_thrusters:
                continue
            cmd = duty_commanded[i] if duty_commanded is not None else 0.0
            fired = bool(tm.firing[i])
            self._miss[i] = self._miss[i] + 1 if (cmd >= lim.min_duty and not fired) else 0
            self._extra[i] = self._extra[i] + 1 if (cmd == 0.0 and fired) else 0
            if self._miss[i] >= lim.stuck_off_cycles:
                self.failed_thrusters[i] = THRUSTER_STUCK_OFF
                out.append(
                    Fault(
                        THRUSTER_STUCK_OFF,
                        tm.t,
                        thruster_name(i),
                        f"thruster {thruster_name(i)} commanded on for {self._miss[i]} cycles "
                        "with no chamber pressure",
                        {"thruster": i, "cycles": self._miss[i], "duty": cmd},
                    )
                )
            elif self._extra[i] >= lim.stuck_on_cycles:
                self.failed_thrusters[i] = THRUSTER_STUCK_ON
                out.append(
                    Fault(
                        THRUSTER_STUCK_ON,
                        tm.t,
                        thruster_name(i),
                        f"thruster {thruster_name(i)} firing uncommanded for {self._extra[i]} cycles",
                        {"thruster": i, "cycles": self._extra[i]},
                    )
                )
        return out

    def authority_fraction(self) -> dict[str, float]:
        """Fraction of nominal thrust left per push direction (two thrusters each)."""
        out = {}
        for d, name in enumerate(DIRECTION_NAMES):
            ok = sum(1 for b in (0, 1) if (2 * d + b) not in self.failed_thrusters)
            out[name] = ok / 2.0
        return out

    # --- altimeter -------------------------------------------------------------------------
    def check_altimeter(
        self, reading: AltimeterReading, altitude_est_m: float, expected: bool = True
    ) -> list[Fault]:
        """Count missing ranges while one is expected (pointing at the surface, within range)."""
        lim = self.limits
        in_range = expected and altitude_est_m < lim.altimeter_max_range_m
        if reading.range_m is None and in_range:
            self._alt_missing += 1
        elif reading.range_m is not None:
            self._alt_missing = 0
        if not self.altimeter_failed and self._alt_missing >= lim.altimeter_cycles:
            self.altimeter_failed = True
            return [
                Fault(
                    ALTIMETER_DROPOUT,
                    reading.t,
                    "laser altimeter",
                    f"no altimeter range for {self._alt_missing} readings at "
                    f"{altitude_est_m:.1f} m (within its {lim.altimeter_max_range_m:.0f} m range)",
                    {"altitude_m": altitude_est_m, "readings": self._alt_missing},
                )
            ]
        return []

    # --- star tracker ----------------------------------------------------------------------
    def check_star_tracker(self, status: AttitudeStatus) -> list[Fault]:
        if status.star_tracker_valid:
            self._st_invalid_since = None
            self.star_tracker_lost = False
            return []
        if self._st_invalid_since is None:
            self._st_invalid_since = status.t
        lost_for = status.t - self._st_invalid_since
        if not self.star_tracker_lost and lost_for >= self.limits.star_tracker_loss_s:
            self.star_tracker_lost = True
            return [
                Fault(
                    STAR_TRACKER_LOSS,
                    status.t,
                    "star tracker",
                    f"no valid star-tracker attitude for {lost_for:.0f} s",
                    {"lost_for_s": lost_for},
                )
            ]
        return []

    def star_tracker_lost_for(self, t: float) -> float:
        return 0.0 if self._st_invalid_since is None else t - self._st_invalid_since

    # --- battery ---------------------------------------------------------------------------
    def check_battery(self, p: PowerStatus) -> list[Fault]:
        lim = self.limits
        state = (
            "critical"
            if p.battery_soc < lim.battery_critical
            else "low"
            if p.battery_soc < lim.battery_low
            else "ok"
        )
        old, self.battery_state = self.battery_state, state
        if state == old or state == "ok":
            return []
        kind = CRITICAL_BATTERY if state == "critical" else LOW_BATTERY
        limit = lim.battery_critical if state == "critical" else lim.battery_low
        return [
            Fault(
                kind,
                p.t,
                "battery",
                f"battery state of charge {p.battery_soc * 100:.0f} % below {limit * 100:.0f} %",
                {"battery_soc": p.battery_soc},
            )
        ]

    # --- sampler ---------------------------------------------------------------------------
    def check_sampler(self, s: SampleStatus) -> list[Fault]:
        if s.mechanism_ok or self.mechanism_failed:
            return []
        self.mechanism_failed = True
        return [
            Fault(
                SAMPLE_MECHANISM,
                s.t,
                "sampling mechanism",
                f"sampling mechanism anomaly: {s.message or 'no detail'}",
            )
        ]

    # --- space weather ---------------------------------------------------------------------
    def add_advisory(self, adv: SpaceWeatherAdvisory) -> None:
        self.advisories[adv.kind] = adv

    def advisory_hold(self, t: float) -> SpaceWeatherAdvisory | None:
        """The S-scale advisory that holds critical operations at ``t``, if any."""
        adv = self.advisories.get("S")
        if adv and adv.level >= self.limits.advisory_min_level and adv.start <= t <= adv.end:
            return adv
        return None


@dataclass(frozen=True)
class Response:
    """What to do about a fault, and why."""

    action: str
    reason: str
    allow_new_descent: bool = True


def decide_response(
    fault: Fault,
    *,
    critical: bool,
    altitude_m: float,
    below_matchpoint: bool,
    authority: dict[str, float] | None = None,
    limits: FdirLimits | None = None,
) -> Response:
    """The rule book: the response to ``fault`` in the current situation.

    ``critical`` is True in a descent, rehearsal or contact; ``below_matchpoint`` in the
    final leg; ``authority`` the per-direction thrust fraction left (from
    :meth:`FaultMonitor.authority_fraction`).
    """
    lim = limits or FdirLimits()
    kind = fault.kind
    if kind in (THRUSTER_STUCK_OFF, THRUSTER_STUCK_ON):
        worst = min((authority or {"": 1.0}).values())
        can_descend = worst >= lim.min_descent_authority
        tail = (
            f"{worst * 100:.0f} % thrust left on the weakest axis "
            f"({'enough' if can_descend else 'below'} {lim.min_descent_authority * 100:.0f} % for a descent)"
        )
        if critical:
            return Response(
                WAIVE_OFF,
                f"{fault.component} isolated; back away on the remaining thrusters; {tail}",
                can_descend,
            )
        return Response(ISOLATE, f"{fault.component} isolated; {tail}", can_descend)
    if kind == ALTIMETER_DROPOUT:
        if critical and below_matchpoint and altitude_m <= lim.camera_only_max_altitude_m:
            return Response(
                CAMERA_ONLY,
                f"altimeter lost at {altitude_m:.1f} m, below the camera-only limit "
                f"{lim.camera_only_max_altitude_m:.0f} m: continue on camera navigation",
                False,
            )
        if critical:
            return Response(
                WAIVE_OFF,
                f"altimeter lost at {altitude_m:.1f} m, above the camera-only limit "
                f"{lim.camera_only_max_altitude_m:.0f} m: back away",
                False,
            )
        return Response(
            CONTINUE, "altimeter lost outside a descent: no new descent without it", False
        )
    if kind == STAR_TRACKER_LOSS:
        if critical and below_matchpoint:
            return Response(CONTINUE, "star tracker lost below the matchpoint: continue on gyros")
        if critical:
            return Response(HOLD, "star tracker lost in the descent: hold and wait for it")
        return Response(
            CONTINUE, "star tracker lost: attitude on gyros, descents held until it returns"
        )
    if kind == CRITICAL_BATTERY:
        return Response(SAFE, f"{fault.reason}: SAFE (sun-pointing, climb out)")
    if kind == LOW_BATTERY:
        if critical and not below_matchpoint:
            return Response(WAIVE_OFF, f"{fault.reason}: back away and recharge")
        return Response(CONTINUE, f"{fault.reason}: no new critical operation until recharged")
    if kind == SAMPLE_MECHANISM:
        return Response(
            WAIVE_OFF,
            f"{fault.reason}: stow and back away; the attempt counts, no new descent",
            False,
        )
    if kind == SPACE_WEATHER:
        if critical and not below_matchpoint:
            return Response(WAIVE_OFF, f"{fault.reason}: back away, retry after it clears")
        if critical:
            return Response(CONTINUE, f"{fault.reason}: below the matchpoint, committing is safer")
        return Response(HOLD, f"{fault.reason}: critical operations held")
    return Response(CONTINUE, f"no rule for {kind}")
