"""Marking user-facing text in layers that must not depend on gettext.

The domain returns English message ids; the UI translates them with the
active catalogue. ``N_`` only marks a string for extraction (Babel is told to
look for it), so the domain stays free of any translation machinery.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark ``message`` for extraction without translating it."""
    return message


def _day_month_year(day: dt.date) -> str:
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


#: How a date among a message's parameters is written. The domain cannot know the
#: reader's language, so a message carries the ``date`` itself and ``docassist.i18n``
#: puts its one date format per language here when it is imported; until then (a
#: script using the domain alone) the English form.
show_date: Callable[[dt.date], str] = _day_month_year


def shown(params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` with each date written as the reader's language writes dates."""
    return {
        key: show_date(value)
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime)
        else value
        for key, value in params.items()
    }


# Serbian and Romani end a date with a dot ("13.05.1987."); a sentence ending on one
# takes no second dot.
_DATE_THEN_FULL_STOP = re.compile(r"(\b\d{2}\.\d{2}\.\d{4}\.|\b\d{2}\.\d{4}\.)\.(?!\.)")


def _filled(message: str, params: Mapping[str, Any]) -> str:
    return _DATE_THEN_FULL_STOP.sub(r"\1", message.format(**shown(params)))


class UserError(Exception):
    """A failure worded for the user: an English msgid and its parameters.

    ``str(err)`` is the English text (for logs); ``render(_)`` the translated one.
    """

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message.format(**shown(params)))
        self.msgid = message
        self.params = params

    def render(self, translate: Callable[[str], str] = lambda s: s) -> str:
        return _filled(translate(self.msgid), self.params)


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
        return _filled(translate(self.message), self.params)


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
