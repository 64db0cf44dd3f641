"""The case dialogs' reading of typed days (the dialogs themselves are driven from
the case screen in ``tests/ui/test_case_screens.py``)."""

from __future__ import annotations

from datetime import date

import pytest

from docassist.ui.dialogs.case import DayProblem, parse_day

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("23.11.2026", date(2026, 11, 23)),
        ("23. 11. 2026.", date(2026, 11, 23)),
        ("23/11/2026", date(2026, 11, 23)),
        ("2026-11-23", date(2026, 11, 23)),
        ("1.2.", date(2026, 2, 1)),
        ("", None),
    ],
)
def test_parse_day_reads_what_people_type(typed, expected):
    assert parse_day(typed, TODAY) == expected


@pytest.mark.parametrize("typed", ["23.11.26", "32.1.2026", "1.13.2026", "tomorrow", "2026"])
def test_parse_day_refuses_what_it_cannot_read(typed):
    with pytest.raises(DayProblem):
        parse_day(typed, TODAY)


def test_parse_day_can_refuse_the_future():
    assert parse_day("24.11.2026", TODAY) == date(2026, 11, 24)
    with pytest.raises(DayProblem, match="future"):
        parse_day("24.11.2026", TODAY, allow_future=False)
