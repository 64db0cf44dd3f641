"""The idle clock: due after the whole limit without a touch, never before."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from docassist.ui.idle import IdleWatch


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_due_only_after_the_whole_limit():
    clock = Clock()
    watch = IdleWatch(300, clock)
    clock.now += 299.9
    assert not watch.due()
    clock.now += 0.1
    assert watch.due()


@given(st.lists(st.integers(min_value=0, max_value=400), max_size=30), st.integers(1, 3600))
def test_a_touch_starts_the_count_again(steps, limit):
    clock = Clock()
    watch = IdleWatch(limit, clock)
    for step in steps:
        clock.now += step
        assert watch.due() == (step >= limit)  # only the time since the last touch counts
        watch.touch()
        assert not watch.due()


def test_the_check_comes_at_most_five_seconds_late_and_not_too_often():
    assert IdleWatch(300, Clock()).check_every() == 5
    assert IdleWatch(20, Clock()).check_every() == 2
    assert IdleWatch(0.5, Clock()).check_every() == 0.05
