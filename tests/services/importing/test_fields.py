"""Guessing which column holds which field, and the user's own choices."""

from __future__ import annotations

import pytest

from docassist.services import importing as imp


def test_guess_mapping_reads_headers_in_every_script_and_language():
    headers = ["Домаћинство", "IME", "Prezime", "ЈМБГ", "Datum rođenja (dd.mm.gggg)", "Pol",
               "Ime oca", "Opština", "naselje", "Adresa", "household", "first name"]  # fmt: skip
    mapping = imp.guess_mapping(headers)
    assert mapping == {
        "household": 0,
        "given_name": 1,
        "family_name": 2,
        "jmbg": 3,
        "birth_date": 4,
        "sex": 5,
        "municipality": 7,
        "settlement": 8,
        "address": 9,
    }  # "Ime oca" (father's name) is not a given name; later repeats stay unmapped


def test_overrides_by_header_or_number_and_clear_errors():
    headers = ["Ime", "Prezime", "Ime oca"]
    assert imp.resolve_overrides(headers, [("ime oca", "given_name")]) == {
        "given_name": 2,
        "family_name": 1,
    }
    assert "given_name" not in imp.resolve_overrides(headers, [("1", "-")])
    with pytest.raises(imp.ImportFileError, match="no column 'Adresa'"):
        imp.resolve_overrides(headers, [("Adresa", "address")], "f.csv")
    with pytest.raises(imp.ImportFileError, match="not a field"):
        imp.resolve_overrides(headers, [("Ime", "name")])
