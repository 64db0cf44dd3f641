"""The fields a list can hold, and which column holds which: guessed from the header
names (English, Serbian in either script, or Romani) or chosen by the user."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from docassist.domain import script
from docassist.domain.model import (
    DOCUMENT_LABELS,
    PERSON_STATUS_LABELS,
    DocumentKind,
    PersonStatus,
)
from docassist.domain.text import N_, Problem
from docassist.services.importing.problems import ImportFileError, short


@dataclass(frozen=True)
class ImportField:
    key: str
    label: str  # msgid
    # Header names as written in real lists, compared by search key (script, case and
    # diacritics do not matter, so "Prezime", "ПРЕЗИМЕ" and "prezime" are one entry).
    headers: tuple[str, ...]


FIELDS: tuple[ImportField, ...] = (
    ImportField(
        "household",
        N_("Household key"),
        ("household", "household id", "household no", "household number", "household key",
         "hh", "hh id", "domaćinstvo", "domacinstvo", "id domaćinstva", "šifra domaćinstva",
         "broj domaćinstva", "br domaćinstva", "redni broj domaćinstva", "porodica",
         "broj porodice", "kher", "čher", "familija"),
    ),
    ImportField(
        "given_name",
        N_("Given name"),
        ("ime", "first name", "given name", "name", "lično ime", "ime lica", "anav"),
    ),
    ImportField(
        "family_name",
        N_("Family name"),
        ("prezime", "last name", "surname", "family name", "porodično ime", "lastname"),
    ),
    ImportField(
        "jmbg",
        N_("JMBG"),
        ("jmbg", "matični broj", "jedinstveni matični broj građana", "personal number",
         "personal id", "umcn", "id number", "jmbg broj"),
    ),
    ImportField(
        "birth_date",
        N_("Birth date"),
        ("datum rođenja", "date of birth", "birth date", "birthdate", "dob", "rođen",
         "rođena", "rođen a", "godište", "godina rođenja", "year of birth",
         "datum bijandipe", "bijandipe"),
    ),
    ImportField("sex", N_("Sex"), ("pol", "sex", "gender", "spol", "pol m ž")),
    ImportField(
        "place_of_birth",
        N_("Place of birth"),
        ("mesto rođenja", "mjesto rođenja", "place of birth", "birthplace", "rođen u"),
    ),
    ImportField(
        "municipality",
        N_("Municipality"),
        ("opština", "municipality", "grad opština", "opština grad", "grad"),
    ),
    ImportField(
        "settlement",
        N_("Settlement"),
        ("naselje", "settlement", "village", "selo", "mesto", "naselje selo", "mahala",
         "gav"),
    ),
    ImportField(
        "address", N_("Address"), ("adresa", "address", "ulica i broj", "ulica", "street")
    ),
    ImportField(
        "phone",
        N_("Phone"),
        ("telefon", "phone", "tel", "broj telefona", "mobilni", "mobile", "kontakt telefon"),
    ),
    ImportField(
        "consent_date",
        N_("Date they agreed"),
        ("saglasnost", "datum saglasnosti", "consent", "consent date", "date of consent",
         "pristanak"),
    ),
    # The person's place in the family: nosilac/head, supruga/spouse, dete/child, ...
    ImportField(
        "relation",
        N_("Relation"),
        ("srodstvo", "srodnički odnos", "odnos", "odnos prema nosiocu",
         "odnos prema nosiocu domaćinstva", "odnos sa nosiocem domaćinstva",
         "srodstvo sa nosiocem", "relation", "relationship", "relation to head",
         "relationship to head", "kinship", "uloga u domaćinstvu"),
    ),
    # A parent: the line of their row, or their name, within the same household.
    ImportField(
        "mother",
        N_("Mother"),
        ("majka", "ime majke", "ime i prezime majke", "mother", "mother's name",
         "mother name", "daj", "dej", "anav e dejako"),
    ),
    ImportField(
        "father",
        N_("Father"),
        ("otac", "ime oca", "ime i prezime oca", "father", "father's name", "father name",
         "dad", "anav e dadesko"),
    ),
    # Documents held: yes / no / unknown (da / ne / ne zna se; va / na).
    ImportField(
        "birth_registration",
        DOCUMENT_LABELS[DocumentKind.BIRTH_REGISTRATION],
        ("izvod", "izvod iz mkr", "izvod iz matične knjige rođenih", "upisan u mkr",
         "upis u mkr", "upisan u matičnu knjigu rođenih", "upis u matičnu knjigu rođenih",
         "mkr", "birth certificate", "birth extract", "birth registration",
         "birth registered"),
    ),
    ImportField(
        "citizenship",
        DOCUMENT_LABELS[DocumentKind.CITIZENSHIP],
        ("državljanstvo", "uverenje o državljanstvu", "državljanin srbije", "citizenship",
         "citizenship certificate", "themutnipe"),
    ),
    ImportField(
        "residence",
        DOCUMENT_LABELS[DocumentKind.RESIDENCE],
        ("prebivalište", "prijava prebivališta", "prijavljeno prebivalište",
         "prijavljeno prebivalište da ne", "residence", "registered residence"),
    ),
    ImportField(
        "id_card",
        DOCUMENT_LABELS[DocumentKind.ID_CARD],
        ("lična karta", "lk", "id card", "identity card", "lična karta da ne"),
    ),
    ImportField(
        "health_insurance",
        DOCUMENT_LABELS[DocumentKind.HEALTH_INSURANCE],
        ("zdravstveno osiguranje", "zdravstvena knjižica", "zdravstvena kartica",
         "knjižica", "zdravstveno", "health insurance", "health card",
         "health insurance card"),
    ),
    ImportField(
        "idp_card",
        DOCUMENT_LABELS[DocumentKind.IDP_CARD],
        ("legitimacija irl", "irl legitimacija", "legitimacija raseljenog lica",
         "raseljenička legitimacija", "legitimacija", "idp card", "idp id card"),
    ),
    # Statuses: one column of words ("IRL, povratnik"), or a yes/no column for each.
    ImportField(
        "statuses",
        N_("Status"),
        ("status", "statusi", "status lica", "kategorija", "pravni status",
         "status raseljenja", "status raseljenosti", "statuso"),
    ),
    ImportField(
        "idp",
        PERSON_STATUS_LABELS[PersonStatus.IDP],
        ("irl", "interno raseljeno lice", "interno raseljen", "raseljeno lice", "raseljen",
         "idp"),
    ),
    ImportField(
        "refugee",
        PERSON_STATUS_LABELS[PersonStatus.REFUGEE],
        ("izbeglica", "izbeglo lice", "refugee"),
    ),
    ImportField(
        "returnee",
        PERSON_STATUS_LABELS[PersonStatus.RETURNEE],
        ("povratnik", "povratnik po readmisiji", "readmisija", "returnee"),
    ),
    ImportField(
        "domicile",
        PERSON_STATUS_LABELS[PersonStatus.DOMICILE],
        ("domicilno", "domicilni", "domicilno lice", "domicilno stanovništvo", "domicile"),
    ),
)  # fmt: skip

#: The document columns, each a yes / no / unknown answer for one kind of document.
DOCUMENT_FIELDS: dict[str, DocumentKind] = {
    kind.value: kind
    for kind in (
        DocumentKind.BIRTH_REGISTRATION,
        DocumentKind.CITIZENSHIP,
        DocumentKind.RESIDENCE,
        DocumentKind.ID_CARD,
        DocumentKind.HEALTH_INSURANCE,
        DocumentKind.IDP_CARD,
    )
}
#: The status columns answered yes / no, one status each.
STATUS_FIELDS: dict[str, PersonStatus] = {
    "idp": PersonStatus.IDP,
    "refugee": PersonStatus.REFUGEE,
    "returnee": PersonStatus.RETURNEE,
    "domicile": PersonStatus.DOMICILE,
}

FIELD_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS)
_BY_KEY = {f.key: f for f in FIELDS}
_PARENS = re.compile(r"\(.*?\)|\[.*?\]")


def field_label(key: str) -> str:
    """The msgid naming a field, for lists and error messages."""
    return _BY_KEY[key].label


def _header_key(text: str) -> str:
    # "Datum rođenja (dd.mm.gggg)*" -> "datum rodenja": the hint in brackets and any
    # punctuation are how lists annotate a header, not part of its name.
    return script.search_key(_PARENS.sub(" ", text))


_SYNONYMS: dict[str, str] = {}
for _f in FIELDS:
    for _h in _f.headers:
        _SYNONYMS.setdefault(_header_key(_h), _f.key)


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """Field -> column index, guessed from the header names.

    Only whole names match: "Ime oca" (father's name) must not be read as "Ime". Each
    field takes the first column that names it; a second one is left for the user.
    """
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = _SYNONYMS.get(_header_key(header))
        if key and key not in mapping:
            mapping[key] = index
    return mapping


def column_names(headers: list[str]) -> list[str]:
    """A name for every column; an empty header is called by its position ("column 4")."""
    return [h or f"#{i + 1}" for i, h in enumerate(headers)]


#: A message lists at most this many columns.
COLUMNS_SHOWN = 20


def column_list(headers: list[str]) -> str:
    """The columns for a message, each name and the list cut to a readable length."""
    names = [short(name) for name in column_names(headers)]
    more = len(names) > COLUMNS_SHOWN
    return ", ".join(names[:COLUMNS_SHOWN]) + (", ..." if more else "")


def resolve_overrides(
    headers: list[str], overrides: list[tuple[str, str]], path: Path | str = ""
) -> dict[str, int]:
    """Apply ``--map COLUMN=field`` choices on top of the guess.

    COLUMN is a header (compared like the guess: any script, case or diacritics) or a
    column number from 1. ``field`` may be "-" to leave a guessed column out.
    """
    mapping = guess_mapping(headers)
    names = column_names(headers)
    for column, key in overrides:
        key = key.strip()
        if key not in FIELD_KEYS and key not in {"-", ""}:
            raise ImportFileError(
                N_("'{field}' is not a field that can be imported. The fields are: {fields}."),
                field=key,
                fields=", ".join(FIELD_KEYS),
            )
        index = _column_index(names, column)
        if index is None:
            raise ImportFileError(
                N_("{path} has no column '{column}'. Its columns are: {columns}."),
                path=str(path),
                column=short(column),
                columns=column_list(headers),
            )
        mapping = {k: v for k, v in mapping.items() if v != index}
        if key in FIELD_KEYS:
            mapping[key] = index
    return mapping


def _column_index(names: list[str], column: str) -> int | None:
    wanted = _header_key(column)
    for i, name in enumerate(names):
        if name == column or (wanted and _header_key(name) == wanted):
            return i
    if column.strip().isdigit() and 1 <= int(column) <= len(names):
        return int(column) - 1
    return None


def check_mapping(mapping: dict[str, int]) -> list[Problem]:
    """What the mapping lacks; without names no row could be imported."""
    problems = []
    if "given_name" not in mapping:
        problems.append(
            Problem(
                "import.unmapped",
                N_("No column is chosen for the given name. Choose the column that holds it."),
            )
        )
    if "family_name" not in mapping:
        problems.append(
            Problem(
                "import.unmapped",
                N_("No column is chosen for the family name. Choose the column that holds it."),
            )
        )
    return problems
