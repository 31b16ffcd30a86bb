"""Mode machine: SAFE from everywhere, only listed transitions, clear errors."""

import pytest

from autonomy.modes import TRANSITIONS, IllegalTransition, Mode, ModeMachine


@pytest.mark.parametrize("mode", [m for m in Mode if m not in (Mode.SAFE, Mode.DONE)])
def test_safe_reachable_from_every_mode(mode):
    mm = ModeMachine(mode, 0.0)
    assert mm.can_go(Mode.SAFE)
    mm.go(Mode.SAFE, 5.0)
    assert mm.mode is Mode.SAFE and mm.since == 5.0
    assert mm.history == [(5.0, mode, Mode.SAFE)]


def test_every_mode_reaches_done_through_the_table():
    # breadth-first search over the transition table: no mode is a dead end
    for start in Mode:
        seen, frontier = {start}, [start]
        while frontier:
            nxt = []
            for m in frontier:
                for to in TRANSITIONS[m]:
                    if to not in seen:
                        seen.add(to)
                        nxt.append(to)
            frontier = nxt
        assert Mode.DONE in seen or start is Mode.DONE, start


def test_illegal_transition_names_the_allowed_ones():
    mm = ModeMachine(Mode.SURVEY)
    with pytest.raises(
        IllegalTransition, match="survey cannot go to contact.*allowed: home, safe, site_selection"
    ):
        mm.go(Mode.CONTACT, 1.0)
    assert mm.mode is Mode.SURVEY


def test_contact_only_from_tag_descent():
    sources = [m for m, targets in TRANSITIONS.items() if Mode.CONTACT in targets]
    assert sources == [Mode.TAG_DESCENT]


def test_same_mode_is_a_no_op_and_time_in_mode():
    mm = ModeMachine(Mode.HOME, 10.0)
    mm.go(Mode.HOME, 20.0)
    assert mm.history == [] and mm.time_in_mode(25.0) == 15.0
    assert "home" in repr(mm)
