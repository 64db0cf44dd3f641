"""The shared text checks: Serbian text must be Cyrillic, with the sensible exceptions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docassist.procedures.fields import latin_words


@pytest.mark.parametrize(
    "text",
    [
        "Лична карта и ЈМБГ.",
        "Донесите JMBG и извод (2 примерка).",
        "Пријава на eUprava: www.euprava.gov.rs или https://kirs.gov.rs/lat",
        "Филијала RFZO, шалтер 3; члан II.",
        "Сл. гласник РС 20/2009, 145/2014 — 15 дана.",
    ],
)
def test_cyrillic_text_allows_numbers_abbreviations_and_addresses(text):
    # eUprava is the one mixed-case brand here: it must be flagged, nothing else.
    assert latin_words(text) in ([], ["eUprava"])


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Матична služba", "služba"),
        ("Истог дaна", "дaна"),  # Latin "a" inside a Cyrillic word
        ("Донесите Izvod", "Izvod"),
        ("Питајте ABCDEF", "ABCDEF"),  # too long to be an abbreviation
    ],
)
def test_latin_words_in_serbian_are_found(text, word):
    assert word in latin_words(text)


@settings(max_examples=300)
@given(st.text(alphabet="абвгђжљњћчџшЈ ABCabcčćšžđ ÀéΩǅӀԀ1_-.,", max_size=16))
def test_the_cyrillic_shortcut_agrees_with_the_full_check(text):
    # A text with no letter outside the Cyrillic blocks skips the per-word check. A
    # trailing Latin word forces that check, and adds only itself to what is found.
    assert latin_words(f"{text} x") == [*latin_words(text), "x"]
