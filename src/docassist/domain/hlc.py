"""Hybrid logical clocks: the order of changes made on several laptops.

A laptop's own clock may be wrong by hours or days, so ``updated_at`` cannot order two
laptops' changes. A hybrid logical clock (Kulkarni et al., 2014) is the physical time in
milliseconds where the clocks agree, plus a counter that keeps every new reading above
every reading this laptop has made or seen, whatever its own clock says. A laptop whose
clock is a day behind therefore still stamps its next change after the change it just
pulled; one whose clock jumps back never reuses a reading.

A reading is written as text, ``WWWWWWWWWWWWWWW.CCCCCC.DEVICE`` (milliseconds since
1970 and the counter, zero-padded): text order is clock order, in SQLite and PostgreSQL
alike, and the device id at the end makes two laptops' readings never equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

_WALL_DIGITS = 15
_COUNTER_DIGITS = 6
_MAX_COUNTER = 10**_COUNTER_DIGITS - 1


@dataclass(frozen=True, order=True)
class Clock:
    """One reading. Ordered by wall time, then counter, then device."""

    wall_ms: int
    counter: int
    device: str = ""

    def encode(self) -> str:
        return f"{self.wall_ms:0{_WALL_DIGITS}d}.{self.counter:0{_COUNTER_DIGITS}d}.{self.device}"

    @classmethod
    def decode(cls, text: str) -> Clock:
        wall, counter, device = text.split(".", 2)
        if len(wall) != _WALL_DIGITS or len(counter) != _COUNTER_DIGITS:
            raise ValueError(f"not a clock reading: {text!r}")
        return cls(int(wall), int(counter), device)

    def at(self) -> str:
        """The wall time of the reading, UTC ISO-8601 to the second (for people)."""
        from datetime import UTC

        return datetime.fromtimestamp(self.wall_ms / 1000, UTC).isoformat(timespec="seconds")


ZERO = Clock(0, 0, "")


def wall_ms(iso: str) -> int:
    """Milliseconds since 1970 of a stored UTC ISO-8601 time (the context's ``now()``)."""
    return int(datetime.fromisoformat(iso).timestamp() * 1000)


def tick(last: Clock, now_ms: int, device: str) -> Clock:
    """The reading for a new change on ``device``: after ``last`` (the latest reading
    made or seen here), and at the physical time when that is later."""
    if now_ms > last.wall_ms:
        return Clock(now_ms, 0, device)
    if last.counter >= _MAX_COUNTER:
        # a million changes within one millisecond of the latest reading: move the
        # wall time on by one rather than wrap the counter below earlier readings
        return Clock(last.wall_ms + 1, 0, device)
    return Clock(last.wall_ms, last.counter + 1, device)


def observe(last: Clock, seen: Clock) -> Clock:
    """The latest reading after seeing ``seen`` (another laptop's change): the next
    :func:`tick` is then after it too."""
    return max(last, Clock(seen.wall_ms, seen.counter, last.device))
