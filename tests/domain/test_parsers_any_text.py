"""Whatever a user types or pastes, the domain's readers answer with their own errors.

A superscript digit ("1.².2026": ``str.isdigit`` accepts "²", ``int`` does not) once
stopped the app from five date fields; these properties keep every such input a
message, never a traceback.
"""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from docassist.domain import script
from docassist.domain.dates import DateProblem, DayProblem, parse_day, parse_partial_date
from docassist.domain.jmbg import check_jmbg

TODAY = date(2026, 11, 23)

# Any Unicode, with the characters dates are made of mixed in so that inputs come close
# to dates often: digits of every script, superscripts, separators, approximations.
DATE_PIECES = st.sampled_from(list("0123456789./- ²³¹⁴٣۴०１２\u00a0\u2009~") + ["oko ", "cca"])
DATE_LIKE = st.one_of(
    st.text(),
    st.lists(st.one_of(DATE_PIECES, st.text(max_size=2)), max_size=12).map("".join),
)
ODD_DATES = [
    "1.².2026",
    "²³.11.2026",
    "1.1.２０２６",
    "٣.١١.٢٠٢٦",
    "1.1.2026" + "0" * 5000,
    "1." + "9" * 5000 + ".2026",
    "99999999999999999999.1.2026",
    "0.0.0000",
    "1987" + "5" * 5000,
]


@settings(max_examples=400)
@given(DATE_LIKE)
@example("1.².2026")
def test_a_partial_date_is_read_or_refused_with_a_date_problem(text: str) -> None:
    with contextlib.suppress(DateProblem):
        parse_partial_date(text, today=TODAY)


@settings(max_examples=400)
@given(DATE_LIKE)
@example("1.².2026")
def test_a_day_is_read_or_refused_with_a_day_problem(text: str) -> None:
    with contextlib.suppress(DayProblem):
        parse_day(text, TODAY)


@pytest.mark.parametrize("text", ODD_DATES, ids=lambda t: ascii(t)[:24])
def test_odd_digits_are_refused_as_dates_not_crashes(text: str) -> None:
    with pytest.raises(DayProblem):
        parse_day(text, TODAY)
    with pytest.raises(DateProblem):
        parse_partial_date(text, today=TODAY)


@settings(max_examples=300)
@given(st.one_of(st.text(), st.text(alphabet="0123456789²³٣１ -./", max_size=20)))
def test_any_jmbg_text_gives_a_check_never_an_exception(text: str) -> None:
    check = check_jmbg(text, today=TODAY)
    assert check.is_valid or check.problems


@settings(max_examples=300)
@given(st.text())
def test_the_script_functions_take_any_text(text: str) -> None:
    script.cyr_to_lat(text)
    script.lat_to_cyr(text)
    script.search_key(text)
    script.search_tokens(text)
    script.sort_key(text)
    script.sort_key(text, "cyrl")
    script.collation_string(text)
