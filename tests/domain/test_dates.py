from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docassist.domain.dates import DateProblem, PartialDate, parse_partial_date

TODAY = date(2026, 11, 23)


def parse(text: str) -> PartialDate:
    return parse_partial_date(text, today=TODAY)


def problem_code(text: str) -> str:
    with pytest.raises(DateProblem) as caught:
        parse(text)
    return caught.value.problem.code


# --- parsing ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1987", PartialDate(1987)),
        ("05.1987", PartialDate(1987, 5)),
        ("5.1987", PartialDate(1987, 5)),
        ("5.1987.", PartialDate(1987, 5)),
        ("12.05.1987", PartialDate(1987, 5, 12)),
        ("12.5.1987.", PartialDate(1987, 5, 12)),
        ("12. 5. 1987.", PartialDate(1987, 5, 12)),
        ("12/05/1987", PartialDate(1987, 5, 12)),
        ("12-05-1987", PartialDate(1987, 5, 12)),
        ("1987-05-12", PartialDate(1987, 5, 12)),
        ("1987-05", PartialDate(1987, 5)),
        ("  1987  ", PartialDate(1987)),
        ("1987. godine", PartialDate(1987)),
        ("1987. године", PartialDate(1987)),
        ("29.02.1988", PartialDate(1988, 2, 29)),
        ("23.11.2026", PartialDate(2026, 11, 23)),
        ("11.2026", PartialDate(2026, 11)),
        ("1900", PartialDate(1900)),
    ],
)
def test_parse_accepts_what_people_type(text: str, expected: PartialDate) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "oko 1990", "OKO 1990", "око 1990", "Око 1990", "about 1990", "approx 1990",
        "approx. 1990", "approximately 1990", "ca 1990", "ca. 1990", "ca.1990", "cca 1990",
        "~1990", "~ 1990", "trujal 1990", "Trujal 1990", "pašoj 1990", "pasoj 1990",
        "pas\u030coj 1990", "oko 1990. godine",
    ],
)  # fmt: skip
def test_parse_approximations(text: str) -> None:
    assert parse(text) == PartialDate(1990, approximate=True)


def test_parse_approximate_full_date() -> None:
    assert parse("oko 12.05.1987") == PartialDate(1987, 5, 12, approximate=True)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "date.empty"),
        ("   ", "date.empty"),
        ("abc", "date.unreadable"),
        ("oko", "date.unreadable"),
        ("19870512", "date.unreadable"),
        ("987", "date.unreadable"),
        ("12.05.1987.1", "date.unreadable"),
        ("1987-05-12-", "date.unreadable"),
        ("May 1987", "date.unreadable"),
        ("87", "date.two_digit_year"),
        ("05.87", "date.two_digit_year"),
        ("12.5.87", "date.two_digit_year"),
        ("oko 90", "date.two_digit_year"),
        ("12.05", "date.no_year"),
        ("13.1987", "date.bad_month"),
        ("12.13.1987", "date.bad_month"),
        ("1987-00", "date.bad_month"),
        ("31.02.1987", "date.bad_day"),
        ("29.02.1987", "date.bad_day"),
        ("31.04.1987", "date.bad_day"),
        ("00.04.1987", "date.bad_day"),
        ("32.01.1987", "date.bad_day"),
        ("1899", "date.too_old"),
        ("31.12.1899", "date.too_old"),
        ("0000", "date.too_old"),
        ("24.11.2026", "date.future"),
        ("12.2026", "date.future"),
        ("2027", "date.future"),
    ],
)
def test_parse_problems(text: str, code: str) -> None:
    assert problem_code(text) == code


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31.02.1987", "There is no 31.02.: February has 28 or 29 days."),
        ("29.02.1987", "There is no 29.02.1987: 1987 is not a leap year, so February has 28 days."),
        ("31.06.1987", "There is no 31.06.: that month has 30 days."),
        ("12.13.1987", "There is no month 13: months go from 1 to 12."),
        ("24.11.2026", "The birth date 24.11.2026 is in the future. Check the year."),
        (
            "1.II.1987",
            "We could not read '1.II.1987' as a date. Type it like 12.05.1987, 05.1987 or 1987.",
        ),
    ],
)
def test_parse_problem_messages(text: str, message: str) -> None:
    with pytest.raises(DateProblem) as caught:
        parse(text)
    assert caught.value.problem.render() == message
    assert caught.value.problem.is_error
    assert str(caught.value) == message


def test_date_problem_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse("nonsense")


def test_parse_refuses_a_year_after_the_callers_today() -> None:
    # The domain never reads the real clock: "today" is always the caller's.
    assert parse_partial_date("2027", today=date(2027, 1, 1)).year == 2027
    with pytest.raises(DateProblem):
        parse_partial_date("2027", today=date(2026, 12, 31))


# --- the value object -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "stored", "shown", "precision"),
    [
        (PartialDate(1987), "1987", "1987.", "year"),
        (PartialDate(1987, 5), "1987-05", "05.1987.", "month"),
        (PartialDate(1987, 5, 12), "1987-05-12", "12.05.1987.", "day"),
        (PartialDate(1990, approximate=True), "~1990", "1990.", "year"),
        (PartialDate(1990, 1, approximate=True), "~1990-01", "01.1990.", "month"),
    ],
)
def test_storage_and_format(value: PartialDate, stored: str, shown: str, precision: str) -> None:
    assert value.to_storage() == stored
    assert PartialDate.from_storage(stored) == value
    assert value.format() == shown
    assert value.format("iso") == stored.lstrip("~")
    assert value.precision == precision


@pytest.mark.parametrize("bad", ["", "87", "1987-5", "1987-05-1", "~", "1987/05", "~~1987", "x"])
def test_from_storage_rejects_other_text(bad: str) -> None:
    with pytest.raises(ValueError):
        PartialDate.from_storage(bad)


def test_format_rejects_unknown_style() -> None:
    with pytest.raises(ValueError):
        PartialDate(1987).format("mdy")


@pytest.mark.parametrize(
    "args",
    [(0,), (1987, 13), (1987, 0), (1987, None, 5), (1987, 2, 30), (1987, 2, 29), (1987, 4, 31)],
)
def test_constructor_rejects_impossible_values(args: tuple) -> None:
    with pytest.raises(ValueError):
        PartialDate(*args)


def test_range_and_midpoint() -> None:
    year = PartialDate(1987)
    assert (year.earliest(), year.midpoint(), year.latest()) == (
        date(1987, 1, 1), date(1987, 7, 1), date(1987, 12, 31),
    )  # fmt: skip
    month = PartialDate(1988, 2)
    assert (month.earliest(), month.midpoint(), month.latest()) == (
        date(1988, 2, 1), date(1988, 2, 15), date(1988, 2, 29),
    )  # fmt: skip
    day = PartialDate(1987, 5, 12)
    assert day.earliest() == day.midpoint() == day.latest() == date(1987, 5, 12)
    assert PartialDate(1990, approximate=True).midpoint() == date(1990, 7, 1)


def test_age_on_the_birthday_and_the_day_before() -> None:
    born = PartialDate(2000, 11, 23)
    assert born.age_on(date(2026, 11, 23)) == 26
    assert born.age_on(date(2026, 11, 22)) == 25
    assert born.age_on(date(2000, 11, 23)) == 0


def test_age_on_leap_day_birthday() -> None:
    born = PartialDate(2000, 2, 29)
    assert born.age_on(date(2001, 2, 28)) == 0
    assert born.age_on(date(2001, 3, 1)) == 1
    assert born.age_on(date(2004, 2, 29)) == 4


def test_age_of_a_year_only_person_turns_on_1_july() -> None:
    born = PartialDate(1990)
    assert born.age_on(date(2026, 6, 30)) == 35
    assert born.age_on(date(2026, 7, 1)) == 36
    # Within the birth year itself, before the midpoint, the age is 0, not -1.
    assert born.age_on(date(1990, 3, 1)) == 0


def test_age_of_a_month_only_person_turns_on_the_15th() -> None:
    born = PartialDate(1990, 5)
    assert born.age_on(date(2026, 5, 14)) == 35
    assert born.age_on(date(2026, 5, 15)) == 36


def test_age_before_birth_is_an_error() -> None:
    with pytest.raises(ValueError):
        PartialDate(1990).age_on(date(1989, 12, 31))


def test_matches_year() -> None:
    assert PartialDate(1987, 5, 12).matches_year(1987)
    assert not PartialDate(1987, 5, 12).matches_year(1988)
    about = PartialDate(1990, approximate=True)
    assert about.matches_year(1988) and about.matches_year(1992)
    assert not about.matches_year(1993)
    assert about.matches_year(1995, slack=5)


def test_order_puts_the_less_precise_first() -> None:
    values = [
        PartialDate(1988),
        PartialDate(1987, 5, 12),
        PartialDate(1987, 5),
        PartialDate(1987),
        PartialDate(1987, approximate=True),
        PartialDate(1986, 12, 31),
    ]
    assert sorted(values) == [
        PartialDate(1986, 12, 31),
        PartialDate(1987),
        PartialDate(1987, approximate=True),
        PartialDate(1987, 5),
        PartialDate(1987, 5, 12),
        PartialDate(1988),
    ]


def test_equality_and_hash_use_every_field() -> None:
    assert PartialDate(1987) != PartialDate(1987, approximate=True)
    assert PartialDate(1987, 5) != PartialDate(1987)
    assert len({PartialDate(1987), PartialDate(1987), PartialDate(1987, 1)}) == 2
    assert dataclasses.replace(PartialDate(1987, 5, 12), day=None) == PartialDate(1987, 5)
    assert repr(PartialDate(1987)) == (
        "PartialDate(year=1987, month=None, day=None, approximate=False)"
    )


# --- properties -------------------------------------------------------------------


@st.composite
def partial_dates(draw: st.DrawFn, max_value: date = TODAY) -> PartialDate:
    day = draw(st.dates(min_value=date(1900, 1, 1), max_value=max_value))
    precision = draw(st.sampled_from(["year", "month", "day"]))
    return PartialDate(
        day.year,
        None if precision == "year" else day.month,
        day.day if precision == "day" else None,
        approximate=draw(st.booleans()),
    )


@given(partial_dates(max_value=date(2200, 12, 31)))
def test_storage_round_trip(value: PartialDate) -> None:
    assert PartialDate.from_storage(value.to_storage()) == value


@given(partial_dates(), st.sampled_from(["dmy", "iso"]), st.sampled_from(["oko ", "~", "about "]))
def test_parse_round_trip(value: PartialDate, style: str, word: str) -> None:
    text = value.format(style)
    if value.approximate:
        text = word + text
    assert parse(text) == value


@given(partial_dates())
def test_parse_accepts_stored_text(value: PartialDate) -> None:
    assert parse(value.to_storage()) == value


@given(partial_dates(), st.integers(0, 40_000), st.integers(0, 400))
def test_age_never_decreases(value: PartialDate, offset: int, later: int) -> None:
    on = value.earliest() + timedelta(days=offset)
    assert 0 <= value.age_on(on) <= value.age_on(on + timedelta(days=later))


@given(st.dates(min_value=date(1900, 1, 1), max_value=TODAY), st.integers(0, 40_000))
def test_age_with_a_full_date_is_completed_years(born: date, offset: int) -> None:
    on = born + timedelta(days=offset)
    expected = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    assert PartialDate(born.year, born.month, born.day).age_on(on) == expected


@given(partial_dates())
def test_midpoint_lies_in_the_range(value: PartialDate) -> None:
    assert value.earliest() <= value.midpoint() <= value.latest()
