"""What a Select holds, in the one form the screens use."""

from __future__ import annotations

from textual.widgets import Select


def chosen(value: object) -> str | None:
    """The chosen option's value as text, or None while nothing is chosen."""
    return None if value is Select.NULL else str(value)
