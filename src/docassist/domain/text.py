"""Marking user-facing text in layers that must not depend on gettext.

The domain returns English message ids; the UI translates them with the
active catalogue. ``N_`` only marks a string for extraction (Babel is told to
look for it), so the domain stays free of any translation machinery.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark ``message`` for extraction without translating it."""
    return message


class UserError(Exception):
    """A failure worded for the user: an English msgid and its parameters.

    ``str(err)`` is the English text (for logs); ``render(_)`` the translated one.
    """

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message.format(**params))
        self.msgid = message
        self.params = params

    def render(self, translate: Callable[[str], str] = lambda s: s) -> str:
        return translate(self.msgid).format(**self.params)


@dataclass(frozen=True)
class Problem:
    """Something wrong (or doubtful) about a value a user typed.

    ``message`` is an English msgid with ``{placeholders}`` filled from
    ``params``; translate it first, then format it.
    """

    code: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)
    severity: str = "error"  # "error" blocks saving; "warning" only informs

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def render(self, translate: Callable[[str], str] = lambda s: s) -> str:
        """The message in the language of ``translate``, placeholders filled."""
        return translate(self.message).format(**self.params)


#: How long each kind of free text may be, in characters. Real ones are far shorter; a
#: longer one is a pasted page or a broken file, and would fill every screen, list and
#: printout it appears on (a 5,000-character "blocked" reason pushed a case's title and
#: steps out of reach).
MAX_NAME_LENGTH = 100  # a name, a place, an address, a phone number
MAX_REASON_LENGTH = 500  # what blocks a step, why an office refused, a note on a step
MAX_NOTES_LENGTH = 4000  # the notes of a household or a person


def too_long(text: str, limit: int = MAX_NAME_LENGTH) -> Problem | None:
    """The problem with ``text`` when it is longer than ``limit`` characters (runs of
    spaces and line breaks count as one), or None."""
    count = len(" ".join(text.split()))
    if count <= limit:
        return None
    return Problem(
        "too_long",
        N_("This is {count} characters long; at most {max} fit here."),
        {"count": count, "max": limit},
    )
