"""Where a typed place of birth says a person was born (domain.md §1.4, §6)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from docassist.domain import birthplace
from docassist.domain.birthplace import ABROAD, KOSOVO, born_in, relocated_books_office
from docassist.domain.script import lat_to_cyr


def test_kosovo_places_in_any_script_and_spelling():
    for typed in ("Priština", "Приштина", "PRISTINA", "Prishtina", "Kosovo Polje", "Peć",
                  "Uroševac (Kosovo)", "selo kod Prizrena, Prizren"):  # fmt: skip
        assert born_in(typed) == KOSOVO, typed


def test_places_abroad_by_town_or_country():
    for typed in ("Dortmund", "Essen, Germany", "Беч", "Minhen (Nemačka)", "Zürich", "Hrvatska"):
        assert born_in(typed) == ABROAD, typed


def test_a_place_not_listed_is_not_known_never_guessed():
    for typed in ("Beograd", "Sremska Mitrovica", "Mali Leskovac", "", "  "):
        assert born_in(typed) is None, typed


def test_a_kosovo_jmbg_region_counts_when_the_place_says_nothing():
    assert born_in("", "91") == KOSOVO
    assert born_in("Dortmund", "93") == ABROAD  # the place typed wins
    assert born_in("", "71") is None


def test_the_offices_that_kept_the_books_in_2010():
    assert relocated_books_office("Priština") == "Niš"
    assert relocated_books_office("Косово Поље") == "Niš"
    assert relocated_books_office("Klina") == "Kragujevac"
    assert relocated_books_office("Prizren") is None  # domain.md names no office
    assert relocated_books_office("Beograd") is None


@given(st.sampled_from([n for office in birthplace.RELOCATED_BOOKS.values() for n in office]))
def test_every_listed_place_is_kosovo_in_cyrillic_too(place):
    assert born_in(lat_to_cyr(place)) == KOSOVO
    assert relocated_books_office(lat_to_cyr(place)) == relocated_books_office(place)


@given(st.text(max_size=40))
def test_any_text_gives_an_answer(typed):
    assert born_in(typed) in (KOSOVO, ABROAD, None)
