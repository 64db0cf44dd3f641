"""Dates in a draft of typed input (services/drafts.py), kept in no language's writing.

A form shows a date the way its language writes it ("01.05.2027" in English,
"01.05.2027." in Serbian and Romani). A draft kept in one language and offered after a
switch to another compared its dates with the record's as text, and took the trailing
dot for a change someone had saved since. A date that reads as one is kept in its
stored form instead, and shown again in the language of the moment; anything else
(half typed, mistyped) is kept exactly as typed.
"""

from __future__ import annotations

from datetime import date

from docassist.domain.dates import (
    DateProblem,
    DayProblem,
    PartialDate,
    parse_day,
    parse_partial_date,
)
from docassist.i18n import format_date
from docassist.ui.birth_dates import typed_birth_date

# What marks a kept date. Typed text is never taken for one: it cannot start so and
# still read as a date, so a draft holding it stays as typed.
DAY = "day:"
BIRTH = "birth:"


def kept_day(text: str, today: date) -> str:
    """A typed calendar day (valid until, consent) as a draft keeps it."""
    try:
        day = parse_day(text, today)
    except DayProblem:
        return text
    return text if day is None else DAY + day.isoformat()


def kept_birth_date(text: str, today: date) -> str:
    """A typed birth date ("05.1987", "~1990") as a draft keeps it."""
    try:
        return BIRTH + parse_partial_date(text, today=today).to_storage()
    except DateProblem:
        return text


def typed_again(kept: str) -> str:
    """A kept date as the form shows it now, in its language; other text as it was."""
    try:
        if kept.startswith(DAY):
            return format_date(date.fromisoformat(kept.removeprefix(DAY)))
        if kept.startswith(BIRTH):
            return typed_birth_date(PartialDate.from_storage(kept.removeprefix(BIRTH)))
    except ValueError:
        pass
    return kept
