"""A draft's dates are kept in no language's writing and shown again in the language
of the moment (ui/draft_dates.py)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docassist import i18n
from docassist.domain.dates import PartialDate
from docassist.i18n import LANGUAGES, format_date
from docassist.ui.birth_dates import typed_birth_date
from docassist.ui.draft_dates import kept_birth_date, kept_day, typed_again

TODAY = date(2026, 11, 23)
CODES = [lang.code for lang in LANGUAGES]


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.set_language("en")


@given(
    st.dates(date(1900, 1, 1), date(2100, 12, 31)), st.sampled_from(CODES), st.sampled_from(CODES)
)
def test_a_day_typed_in_one_language_is_the_same_day_in_every_other(day, typed_in, shown_in):
    kept = kept_day(format_date(day, language=typed_in), TODAY)
    assert kept == kept_day(format_date(day, language=shown_in), TODAY)
    i18n.set_language(shown_in)
    assert typed_again(kept) == format_date(day)


@given(
    st.integers(1900, 2026),
    st.one_of(st.none(), st.integers(1, 12)),
    st.booleans(),
    st.sampled_from(CODES),
    st.sampled_from(CODES),
)
def test_a_birth_date_typed_in_one_language_is_the_same_in_every_other(
    year, month, approximate, typed_in, shown_in
):
    birth = PartialDate(year, month, approximate=approximate)
    i18n.set_language(typed_in)
    kept = kept_birth_date(typed_birth_date(birth), TODAY)
    i18n.set_language(shown_in)
    assert kept == kept_birth_date(typed_birth_date(birth), TODAY)
    assert typed_again(kept) == typed_birth_date(birth)


@pytest.mark.parametrize("typed", ["", "31.02.2020", "tomorrow", "day:nonsense", "birth:x"])
def test_what_is_not_a_date_is_kept_and_shown_as_typed(typed):
    assert kept_day(typed, TODAY) == typed
    assert kept_birth_date(typed, TODAY) == typed
    assert typed_again(typed) == typed
