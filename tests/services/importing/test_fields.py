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
        "father": 6,
        "municipality": 7,
        "settlement": 8,
        "address": 9,
    }  # "Ime oca" (father's name) is the father, not a given name; repeats stay unmapped


def test_guess_mapping_reads_the_columns_a_real_list_keeps_for_each_person():
    # Relation, parents, documents held and statuses, as Serbian, Romani and English
    # lists head them: none of these may be "not imported".
    headers = ["Ime", "Prezime", "Srodstvo", "Ime majke", "Otac", "Lična karta", "Izvod",
               "Državljanstvo", "Prebivalište", "Zdravstvena knjižica", "Legitimacija IRL",
               "Status", "IRL", "Izbeglica", "Povratnik", "Domicilno"]  # fmt: skip
    assert imp.guess_mapping(headers) == {
        "given_name": 0, "family_name": 1, "relation": 2, "mother": 3, "father": 4,
        "id_card": 5, "birth_registration": 6, "citizenship": 7, "residence": 8,
        "health_insurance": 9, "idp_card": 10, "statuses": 11, "idp": 12, "refugee": 13,
        "returnee": 14, "domicile": 15,
    }  # fmt: skip
    english = ["First name", "Last name", "Relationship to head", "Mother", "Father",
               "ID card", "Birth certificate", "Citizenship", "Registered residence",
               "Health insurance", "IDP card", "Status"]  # fmt: skip
    assert len(imp.guess_mapping(english)) == len(english)
    romani = ["Anav", "Prezime", "Dej", "Themutnipe", "Lična karta (va/na)"]
    assert set(imp.guess_mapping(romani)) == {
        "given_name", "family_name", "mother", "citizenship", "id_card",
    }  # fmt: skip


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
