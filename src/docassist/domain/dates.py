"""Partial and approximate dates, as people without documents know their birth dates.

Many of the people the app serves know only the year they were born, or "about
1990". A ``PartialDate`` keeps exactly what is known; the UI shows it and the
reports compute ages from it by a fixed convention (see ``PartialDate.midpoint``).
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from docassist.domain.text import N_, Problem

__all__ = ["DateProblem", "PartialDate", "parse_partial_date"]

OLDEST_YEAR = 1900

# Digits are ASCII 0-9 only: str.isdigit and \d also accept "²" or "٣", which int()
# refuses or reads as a digit nobody typed on purpose.
_STORAGE = re.compile(r"(~)?([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day, possibly only approximately.

    Dates order by year, then month, then day, an unknown part first: "1987" comes
    before "05.1987", which comes before "12.05.1987". The approximate flag does not
    widen ``earliest``/``latest``; how loose "about 1990" is stays the caller's choice.
    """

    year: int = field(compare=False)
    month: int | None = field(default=None, compare=False)
    day: int | None = field(default=None, compare=False)
    approximate: bool = field(default=False, compare=False)
    # Comparing the optional fields directly would compare None with int and fail.
    _order: tuple[int, int, int, bool] = field(init=False, repr=False, compare=True)

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year out of range: {self.year}")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month out of range: {self.month}")
        if self.day is not None:
            if self.month is None:
                raise ValueError("a day needs a month")
            date(self.year, self.month, self.day)  # raises ValueError for 31.02. etc.
        order = (self.year, self.month or 0, self.day or 0, self.approximate)
        object.__setattr__(self, "_order", order)

    @property
    def precision(self) -> str:
        """The smallest part that is known: "year", "month" or "day"."""
        if self.day is not None:
            return "day"
        return "year" if self.month is None else "month"

    def to_storage(self) -> str:
        """The stored form: "1987", "1987-05" or "1987-05-12"; "~1990" when approximate."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return "~" + text if self.approximate else text

    @classmethod
    def from_storage(cls, text: str) -> PartialDate:
        """Read what ``to_storage`` wrote; raises ValueError for anything else."""
        match = _STORAGE.fullmatch(text)
        if match is None:
            raise ValueError(f"not a stored partial date: {text!r}")
        approx, year, month, day = match.groups()
        return cls(
            int(year),
            int(month) if month else None,
            int(day) if day else None,
            approximate=approx is not None,
        )

    def earliest(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> date:
        if self.day is not None:
            return date(self.year, self.month or 1, self.day)
        month = self.month or 12
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    def midpoint(self) -> date:
        """The date used for computing ages: unknown month -> 1 July, unknown day -> 15th.

        These are the middles of the year and the month. Over many people whose dates
        are partly unknown, ages computed this way are too high as often as too low, so
        counts by age group are unbiased; picking 1 January would make everyone look
        half a year older. "About 1990" uses the same middle of its year.
        """
        if self.month is None:
            return date(self.year, 7, 1)
        return date(self.year, self.month, self.day or 15)

    def age_on(self, on: date) -> int:
        """Completed years on ``on``, counted from ``midpoint()`` (never below 0).

        Raises ValueError when ``on`` is before the person could have been born.
        """
        if on < self.earliest():
            raise ValueError(f"{on} is before {self.to_storage()}")
        born = self.midpoint()
        years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        return max(years, 0)

    def matches_year(self, year: int, *, slack: int = 2) -> bool:
        """Whether ``year`` fits: exactly, or within ``slack`` years when approximate."""
        if self.approximate:
            return abs(year - self.year) <= slack
        return year == self.year

    def format(self, style: str = "dmy") -> str:
        """The numeric form: "12.05.1987.", "05.1987." or "1987." (style "dmy", the
        Serbian way), or "1987-05-12" (style "iso").

        Approximation is not shown: the caller checks ``approximate`` and adds its own
        translated word ("about", "oko", "trujal").
        """
        if style == "iso":
            return self.to_storage().lstrip("~")
        if style != "dmy":
            raise ValueError(f"unknown date style {style!r}")
        parts = [f"{self.day:02d}"] if self.day is not None else []
        if self.month is not None:
            parts.append(f"{self.month:02d}")
        parts.append(f"{self.year:04d}")
        return ".".join(parts) + "."


class DateProblem(ValueError):
    """A typed date that cannot be used; ``problem`` says why, for the user."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.render())
        self.problem = problem


# Words people put before a date they are not sure of, in English, Serbian (both
# scripts) and Romani; longer spellings come first so "cca" is not read as "c" + "ca".
_APPROX = re.compile(
    r"(?:approximately|approx\.?|about|otprilike|отприлике|oko|око|trujal|pašoj|pasoj"
    r"|cca\.?|ca\.?|c\.|~)\s*",
    re.IGNORECASE,
)
# "1987. godine" / "1987 год." is how a year is often written out.
_YEAR_WORD = re.compile(r"\s*(?:godine|god\.?|g\.|године|год\.?|г\.)$", re.IGNORECASE)
_GROUPS = re.compile(r"([0-9]+)(?:\s*[./-]\s*([0-9]+))?(?:\s*[./-]\s*([0-9]+))?")


def _fail(code: str, message: str, **params: object) -> DateProblem:
    return DateProblem(Problem(code, message, dict(params)))


def parse_partial_date(text: str, *, today: date) -> PartialDate:
    """Read a date as people type it; raises ``DateProblem`` when it cannot be used.

    Accepted: "1987", "05.1987", "5.1987", "12.05.1987", "12. 5. 1987.", "12/05/1987",
    "1987-05-12", "1987-05", and "1987. godine". A leading "oko", "око", "about",
    "approx", "ca", "cca", "~", "trujal" or "pašoj" makes the date approximate. Day and
    month always come in the Serbian order. Years must have four digits.
    """
    original = text.strip()
    if not original:
        raise _fail("date.empty", N_("Type a date, like 12.05.1987, 05.1987 or 1987."))
    body = unicodedata.normalize("NFC", original)
    approx = _APPROX.match(body)
    if approx is not None:
        body = body[approx.end() :]
    body = _YEAR_WORD.sub("", body).rstrip(".").strip()

    groups = _GROUPS.fullmatch(body)
    if groups is None:
        raise _unreadable(original)
    numbers = [g for g in groups.groups() if g is not None]
    sizes = [len(g) for g in numbers]
    if len(numbers) == 2 and all(s <= 2 for s in sizes) and int(numbers[1]) <= 12:
        # "12.05" is most likely a day and a month with the year left out.
        raise _fail(
            "date.no_year",
            N_("'{text}' has no year. Type it like 12.05.1987, 05.1987 or 1987."),
            text=original,
        )
    if sizes[-1] == 2 and all(s <= 2 for s in sizes):
        # "87", "05.87", "12.5.87": the year is the last part and lacks its century.
        raise _fail(
            "date.two_digit_year",
            N_("Type the year with all four digits (1987, not 87), so the century is clear."),
            text=original,
        )
    if sizes[0] == 4 and all(s <= 2 for s in sizes[1:]):
        year, month, day = _ymd(numbers)
    elif sizes[-1] == 4 and all(s <= 2 for s in sizes[:-1]):
        year, month, day = _ymd(list(reversed(numbers)))
    else:
        raise _unreadable(original)
    return _checked(year, month, day, approx is not None, today)


def _ymd(parts: list[str]) -> tuple[int, int | None, int | None]:
    year = int(parts[0])
    month = int(parts[1]) if len(parts) > 1 else None
    day = int(parts[2]) if len(parts) > 2 else None
    return year, month, day


def _unreadable(text: str) -> DateProblem:
    return _fail(
        "date.unreadable",
        N_("We could not read '{text}' as a date. Type it like 12.05.1987, 05.1987 or 1987."),
        text=text,
    )


def _checked(
    year: int, month: int | None, day: int | None, approximate: bool, today: date
) -> PartialDate:
    if month is not None and not 1 <= month <= 12:
        raise _fail(
            "date.bad_month", N_("There is no month {month}: months go from 1 to 12."), month=month
        )
    if year < OLDEST_YEAR:
        raise _fail(
            "date.too_old",
            N_("{year} is before 1900. Check the year: it needs four digits, like 1957."),
            year=year,
        )
    if day is not None and month is not None:
        _check_day(year, month, day)
    result = PartialDate(year, month, day, approximate)
    if result.earliest() > today:
        raise _fail(
            "date.future",
            N_("The birth date {date} is in the future. Check the year."),
            date=result.format().rstrip("."),
        )
    return result


def _check_day(year: int, month: int, day: int) -> None:
    params = {"day": f"{day:02d}", "month": f"{month:02d}", "year": year}
    if not 1 <= day <= 31:
        message = N_("There is no day {day}: days go from 1 to 31.")
    elif day <= calendar.monthrange(year, month)[1]:
        return
    elif month == 2 and day == 29:
        message = N_(
            "There is no 29.02.{year}: {year} is not a leap year, so February has 28 days."
        )
    elif month == 2:
        message = N_("There is no {day}.02.: February has 28 or 29 days.")
    else:
        message = N_("There is no 31.{month}.: that month has 30 days.")
    raise DateProblem(Problem("date.bad_day", message, params))


# ---------------------------------------------------------------- whole days


class DayProblem(ValueError):
    """A typed day that cannot be used; ``problem`` holds the English msgid."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.problem = Problem("date", message, dict(params))


_DAY_SEPARATORS = re.compile(r"\s*[./-]\s*|\s+")
# Four digits at most: a day, a month or a year; more is a typing slip, and int() of
# thousands of digits is refused by Python itself.
_ASCII_DIGITS = re.compile(r"[0-9]{1,4}")


def parse_day(text: str, today: date) -> date | None:
    """A whole calendar day as people type it; None for an empty text.

    Day and month come in the Serbian order: "23.11.2026", "23. 11. 2026.", "23/11/2026";
    "2026-11-23" is read too, and "23.11." means this year. Raises ``DayProblem``
    saying what is wrong. One reader for every form, so a date typed one way in the
    case dialog is not refused in the workshop or the consent field.
    """
    body = text.strip().rstrip(".").strip()
    if not body:
        return None
    parts = [p for p in _DAY_SEPARATORS.split(body) if p]
    if not all(_ASCII_DIGITS.fullmatch(p) for p in parts) or len(parts) not in (2, 3):
        raise DayProblem(N_("Type the date as day.month.year, like 23.11.2026."))
    if len(parts) == 2:
        parts.append(str(today.year))
    if len(parts[0]) == 4:
        parts.reverse()
    day, month, year = parts
    if len(year) != 4:
        raise DayProblem(N_("Type the year with all four digits, like 2026."))
    if not 1 <= int(month) <= 12:
        raise DayProblem(N_("There is no month {month}: months go from 1 to 12."), month=month)
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise DayProblem(N_("There is no day {day} in that month."), day=day) from None
