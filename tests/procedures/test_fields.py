"""The shared text checks: Serbian text must be Cyrillic, with the sensible exceptions."""

from __future__ import annotations

import pytest

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
