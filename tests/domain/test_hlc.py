"""Hybrid logical clocks: every new reading is later than every reading made or seen,
whatever the laptop's own clock does."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from docassist.domain.hlc import ZERO, Clock, observe, tick, wall_ms

DAY_MS = 24 * 3600 * 1000
times = st.integers(min_value=0, max_value=4_000_000_000_000)


@given(st.lists(times, min_size=1, max_size=60))
def test_readings_only_go_forward_even_when_the_clock_goes_back(physical):
    last, seen = ZERO, []
    for now in physical:
        last = tick(last, now, "a")
        seen.append(last)
    assert seen == sorted(seen)
    assert len({c.encode() for c in seen}) == len(seen)
    assert [c.encode() for c in seen] == sorted(c.encode() for c in seen)


@given(times, st.lists(st.tuples(st.booleans(), times), max_size=40))
def test_a_laptop_a_day_behind_still_stamps_after_what_it_saw(start, events):
    """Laptop b's clock is a day behind a's. Each change b makes after seeing one of a's
    is later, so "the later clock wins" means the later change, not the faster clock."""
    a = b = ZERO
    t = start
    for from_a, step in events:
        t += step % 10_000
        if from_a:
            a = tick(a, t, "a")
            b = observe(b, a)
        else:
            b = tick(b, t - DAY_MS, "b")
            assert b > a
            a = observe(a, b)


@given(st.integers(0, 10**15 - 1), st.integers(0, 999_999), st.text("abcdef0123-", max_size=36))
def test_text_order_is_clock_order(wall, counter, device):
    clock = Clock(wall, counter, device)
    assert Clock.decode(clock.encode()) == clock
    later = tick(clock, wall, device)
    assert later.encode() > clock.encode()


def test_wall_time_of_a_stored_time():
    assert wall_ms("1970-01-01T00:00:01+00:00") == 1000
    assert Clock(1000, 0, "a").at() == "1970-01-01T00:00:01+00:00"
