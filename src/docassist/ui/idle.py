"""How long nobody has touched the keyboard: what the idle lock asks.

The clock is given (``time.monotonic`` in the app), so tests move it instead of
waiting minutes; monotonic, so a laptop's clock set back or forward during a workshop
neither locks the screen at once nor keeps it open for an hour.
"""

from __future__ import annotations

from collections.abc import Callable


class IdleWatch:
    def __init__(self, limit_seconds: float, clock: Callable[[], float]) -> None:
        self.limit_seconds = limit_seconds
        self._clock = clock
        self._last = clock()

    def now(self) -> float:
        """The watch's clock, for other short waits of the lock (a fake one in tests)."""
        return self._clock()

    def touch(self) -> None:
        """A key (or a click) now."""
        self._last = self._clock()

    def idle_for(self) -> float:
        return self._clock() - self._last

    def due(self) -> bool:
        """Idle for the whole limit: time to cover the screen."""
        return self.idle_for() >= self.limit_seconds

    def check_every(self) -> float:
        """How often to ask ``due``: often enough that the lock comes at most a few
        seconds late, rarely enough to cost nothing (a tenth of the limit, at most 5 s)."""
        return max(0.01, min(5.0, self.limit_seconds / 10))
