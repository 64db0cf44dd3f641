"""The two marks of every tick in the app, ``[✓]`` and ``[ ]``: a shape a washed-out
projector still shows, not a colour (``TickBox``, ``TickList``, the attendance table).

A module of their own so that a screen with one checkbox (the sign-in screen's) does
not import the tick list and Textual's selection list with them."""

from __future__ import annotations

TICK, NO_TICK = "[✓]", "[ ]"
