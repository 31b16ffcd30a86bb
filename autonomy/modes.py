"""The executive's mode machine for small-body proximity operations.

Modes follow the phases of Hayabusa2 and OSIRIS-REx operations: approach,
survey and characterisation, home position, site selection, rehearsal
descents, touch-and-go (TAG) descent and contact, back-away, sample
verification and departure. ``SAFE`` (a passively safe attitude and a
climb-out to a safe altitude) is reachable from every mode, and ``DONE`` ends a
run. Every transition is checked against :data:`TRANSITIONS`, so an executive bug
that would jump, say, from survey straight into contact raises instead of flying.
"""

from __future__ import annotations

from enum import StrEnum


class Mode(StrEnum):
    """An executive mode; the value is the name used in logs and tables."""

    APPROACH = "approach"
    SURVEY = "survey"
    HOME = "home"
    SITE_SELECTION = "site_selection"
    REHEARSAL = "rehearsal"
    TAG_DESCENT = "tag_descent"
    CONTACT = "contact"
    BACK_AWAY = "back_away"
    SAMPLE_VERIFICATION = "sample_verification"
    DEPARTURE = "departure"
    SAFE = "safe"
    DONE = "done"

    def __str__(self) -> str:
        return self.value


M = Mode
#: Allowed transitions (SAFE is added to every mode below).
TRANSITIONS: dict[Mode, frozenset[Mode]] = {
    M.APPROACH: frozenset({M.SURVEY}),
    M.SURVEY: frozenset({M.SITE_SELECTION, M.HOME}),
    M.SITE_SELECTION: frozenset({M.HOME, M.DEPARTURE}),
    M.HOME: frozenset({M.REHEARSAL, M.TAG_DESCENT, M.SITE_SELECTION, M.DEPARTURE, M.DONE}),
    M.REHEARSAL: frozenset({M.HOME, M.BACK_AWAY}),
    M.TAG_DESCENT: frozenset({M.CONTACT, M.BACK_AWAY, M.HOME}),
    M.CONTACT: frozenset({M.BACK_AWAY}),
    M.BACK_AWAY: frozenset({M.HOME, M.SAMPLE_VERIFICATION}),
    M.SAMPLE_VERIFICATION: frozenset({M.DEPARTURE, M.HOME}),
    M.DEPARTURE: frozenset({M.DONE}),
    M.SAFE: frozenset({M.HOME, M.DONE}),
    M.DONE: frozenset(),
}
TRANSITIONS = {
    mode: (targets | {M.SAFE}) if mode not in (M.SAFE, M.DONE) else targets
    for mode, targets in TRANSITIONS.items()
}

#: Modes in which the spacecraft is deliberately close to the surface.
CRITICAL_MODES = frozenset({M.TAG_DESCENT, M.CONTACT, M.REHEARSAL})


class IllegalTransition(RuntimeError):
    """An executive asked for a mode change the mode machine does not allow."""


class ModeMachine:
    """Current mode, when it was entered, and a checked ``go(to, t)``.

    >>> mm = ModeMachine()
    >>> mm.go(Mode.SURVEY, 10.0)
    >>> mm.mode, mm.since
    (<Mode.SURVEY: 'survey'>, 10.0)
    """

    def __init__(self, initial: Mode = Mode.APPROACH, t0: float = 0.0) -> None:
        self.mode = Mode(initial)
        self.since = float(t0)
        self.history: list[tuple[float, Mode, Mode]] = []

    def can_go(self, to: Mode) -> bool:
        return Mode(to) in TRANSITIONS[self.mode]

    def go(self, to: Mode, t: float) -> None:
        to = Mode(to)
        if to == self.mode:
            return
        if not self.can_go(to):
            allowed = ", ".join(sorted(m.value for m in TRANSITIONS[self.mode])) or "none"
            raise IllegalTransition(
                f"mode {self.mode.value} cannot go to {to.value} (allowed: {allowed})"
            )
        self.history.append((float(t), self.mode, to))
        self.mode = to
        self.since = float(t)

    def time_in_mode(self, t: float) -> float:
        return float(t) - self.since

    def __repr__(self) -> str:
        return f"ModeMachine({self.mode.value} since t={self.since:.1f} s, {len(self.history)} transitions)"
