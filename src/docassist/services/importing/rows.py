"""One row read the way the person form reads typed input: the repairs a spreadsheet
needs (a JMBG that lost its leading 0, a sex written as a word) and the cells its
encoding spoilt."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import TypeVar

from docassist.domain import script
from docassist.domain.dates import DateProblem, parse_partial_date
from docassist.domain.jmbg import check_jmbg
from docassist.domain.model import DocumentKind, DocumentState, PersonStatus, Relation, Sex
from docassist.domain.text import N_, Problem
from docassist.services import households as hh
from docassist.services.importing.fields import DOCUMENT_FIELDS, STATUS_FIELDS, field_label
from docassist.services.importing.problems import SHOWN_CHARS, RowProblem, short

_SEX_WORDS: dict[str, Sex] = {
    **dict.fromkeys(
        ["m", "muski", "musko", "muskarac", "male", "man", "boy", "decak", "mursh", "murs",
         "rom", "cavo", "chavo", "1"],
        Sex.MALE,
    ),
    **dict.fromkeys(
        ["z", "zenski", "zensko", "zena", "f", "female", "woman", "girl", "devojcica", "w",
         "dzuvli", "romni", "cej", "chej", "2"],
        Sex.FEMALE,
    ),
}  # fmt: skip


def _sex(text: str) -> tuple[Sex, Problem | None]:
    if not text.strip():
        return Sex.UNKNOWN, None
    value = _SEX_WORDS.get(script.search_key(text).replace(" ", ""))
    if value is not None:
        return value, None
    return Sex.UNKNOWN, Problem(
        "import.sex",
        N_("'{text}' was not understood as a sex (use M or Ž); it is left unknown."),
        {"text": text},
        severity="warning",
    )


_T = TypeVar("_T")


def _words(table: dict[_T, tuple[str, ...]]) -> dict[str, _T]:
    """Words as lists write them, by search key (script, case and accents aside)."""
    return {script.search_key(word): value for value, words in table.items() for word in words}


_RELATION_WORDS: dict[str, Relation] = _words(
    {
        Relation.HEAD: ("nosilac", "nosilac domaćinstva", "nosilac porodice", "nositelj",
                        "glava porodice", "podnosilac", "head", "head of household", "šero"),
        Relation.SPOUSE: ("supružnik", "supruga", "suprug", "žena", "muž", "partner",
                          "partnerka", "vanbračni partner", "vanbračna partnerka", "spouse",
                          "wife", "husband", "romni", "rom"),
        Relation.CHILD: ("dete", "sin", "ćerka", "kći", "kćerka", "child", "son",
                         "daughter", "čhavo", "čhaj", "čhavoro", "čhajori"),
        Relation.PARENT: ("roditelj", "otac", "majka", "parent", "mother", "father", "dad",
                          "daj", "dej"),
        Relation.SIBLING: ("brat", "sestra", "brother", "sister", "sibling", "phral", "phen"),
        Relation.GRANDCHILD: ("unuk", "unuka", "grandchild", "grandson", "granddaughter"),
        Relation.OTHER: ("ostalo", "drugo", "drugi", "other", "snaha", "zet", "baba", "deda",
                         "tetka", "ujak", "stric", "rođak", "rođaka", "relative"),
    }
)  # fmt: skip

_ANSWER_WORDS: dict[str, DocumentState] = _words(
    {
        DocumentState.HAVE: ("da", "ima", "ima ga", "poseduje", "yes", "y", "x", "1",
                             "true", "va", "si", "si les", "si la"),
        DocumentState.MISSING: ("ne", "nema", "nema ga", "no", "n", "0", "false", "na",
                                "nane", "nane les", "nane la"),
        DocumentState.IN_PROGRESS: ("u toku", "u postupku", "predato", "podneto",
                                    "in progress", "applied"),
        DocumentState.UNKNOWN: ("ne zna se", "nepoznato", "ne znam", "nije poznato",
                                "unknown", "n a", "na džanav"),
    }
)  # fmt: skip
# "✓", "+" and "-" have no search key: they are read as they are.
_ANSWER_SIGNS = {"✓": DocumentState.HAVE, "✔": DocumentState.HAVE, "+": DocumentState.HAVE,
                 "-": DocumentState.UNKNOWN, "–": DocumentState.UNKNOWN,
                 "?": DocumentState.UNKNOWN}  # fmt: skip

_STATUS_WORDS: dict[str, PersonStatus] = _words(
    {
        PersonStatus.IDP: ("irl", "interno raseljeno lice", "interno raseljen",
                           "interno raseljena", "raseljen", "raseljena", "raseljeno lice",
                           "idp", "internally displaced"),
        PersonStatus.REFUGEE: ("izbeglica", "izbegla", "izbeglo lice", "refugee"),
        PersonStatus.RETURNEE: ("povratnik", "povratnica", "povratnik po readmisiji",
                                "readmisija", "returnee"),
        PersonStatus.DOMICILE: ("domicilno", "domicilni", "domicilna", "domicilno lice",
                                "domicilno stanovništvo", "domicile", "local", "lokalno"),
    }
)  # fmt: skip
_STATUS_SEPARATORS = re.compile(r"[,;/+]|\b(?:i|и|and|thaj)\b")


def _relation(text: str) -> tuple[Relation, Problem | None]:
    if not text.strip():
        return Relation.OTHER, None
    value = _RELATION_WORDS.get(script.search_key(text))
    if value is not None:
        return value, None
    return Relation.OTHER, Problem(
        "import.relation",
        N_("'{text}' was not understood as a relation; it is recorded as another relative."),
        {"text": text},
        severity="warning",
    )


def _answer(text: str) -> tuple[DocumentState | None, Problem | None]:
    """A yes / no / unknown cell: the state it says, or None for a blank cell."""
    text = text.strip()
    if not text:
        return None, None
    value = _ANSWER_SIGNS.get(text) or _ANSWER_WORDS.get(script.search_key(text))
    if value is not None:
        return value, None
    return DocumentState.UNKNOWN, Problem(
        "import.answer",
        N_("'{text}' was not understood as yes or no (use da / ne); it is left unknown."),
        {"text": text},
        severity="warning",
    )


def _statuses(text: str) -> tuple[set[PersonStatus], Problem | None]:
    found: set[PersonStatus] = set()
    unknown: list[str] = []
    for part in _STATUS_SEPARATORS.split(text.casefold()):
        if not part.strip():
            continue
        status = _STATUS_WORDS.get(script.search_key(part))
        if status is None:
            unknown.append(part.strip())
        else:
            found.add(status)
    if not unknown:
        return found, None
    return found, Problem(
        "import.status",
        N_(
            "'{text}' was not understood as a status (IRL, izbeglica, povratnik, "
            "domicilno); it is left out."
        ),
        {"text": ", ".join(unknown)},
        severity="warning",
    )


_SCIENTIFIC = re.compile(r"\d[.,]\d+[eE][+]?\d+")


def _jmbg(text: str, today: date) -> tuple[str, Problem | None]:
    """The JMBG to check, repaired where a spreadsheet damaged it knowingly ("" if lost)."""
    text = text.strip()
    if _SCIENTIFIC.fullmatch(text):
        # The digits are gone: nothing is left to check, so this is the only reason given
        # (the number itself would add "'E' is not a digit"). Only the number is lost:
        # the person, and everything else the row says, is imported without it.
        return "", Problem(
            "import.jmbg_scientific",
            N_(
                "The spreadsheet showed this JMBG in scientific notation ('{text}') and "
                "lost its last digits, so the person is imported without a JMBG. To keep "
                "it, format the column as text, type the numbers again, and save again."
            ),
            {"text": text},
            severity="warning",
        )
    digits = "".join(c for c in text if not (c.isspace() or c in "-."))
    if len(digits) == 12 and digits.isdigit() and _whole_number("0" + digits, today):
        # Spreadsheets store a JMBG as a number and drop the 0 of days 1 to 9.
        return "0" + digits, Problem(
            "import.jmbg_zero",
            N_("The leading 0 was missing (spreadsheets drop it); read as {number}."),
            {"number": "0" + digits},
            severity="warning",
        )
    return text, None


def _whole_number(number: str, today: date) -> bool:
    """Whether ``number`` reads as a JMBG whose check digit agrees with the rest.

    A wrong check digit is only a warning on a typed number, but here it is the evidence
    that putting back a dropped 0 gives the number the spreadsheet lost: without it the
    12 digits are left as they are, and reported as a number with a digit missing.
    """
    return check_jmbg(number, today=today).is_sound


def consent_date(text: str, today: date) -> tuple[str | None, Problem | None]:
    text = text.strip()
    if not text:
        return None, None
    try:
        day = parse_partial_date(text, today=today)
    except DateProblem as err:
        return None, err.problem
    if day.precision != "day" or day.approximate:
        return None, Problem(
            "import.consent_date",
            N_("'{text}' is not a whole date; the date they agreed is left out."),
            {"text": text},
            severity="warning",
        )
    return day.earliest().isoformat(), None


def shortened(row: RowProblem) -> RowProblem:
    """``row`` with the cell it quotes cut short: checks quote a value as ``text``."""
    text = row.problem.params.get("text")
    if not isinstance(text, str) or len(text) <= SHOWN_CHARS:
        return row
    params = {**row.problem.params, "text": short(text)}
    return replace(row, problem=replace(row.problem, params=params))


def _utf8_read_as_cp1250(text: str) -> str | None:
    """The UTF-8 text that Windows-1250 garbled into ``text`` ("Å ..."), if it is one."""
    if text.isascii():
        return None
    try:
        original = text.encode("cp1250").decode("utf-8")
    except UnicodeError:
        return None
    return None if original.isascii() else original


def unreadable(cell: str, encoding: str | None) -> Problem | None:
    if "\ufffd" in cell:
        return Problem(
            "import.unreadable",
            N_(
                "'{text}' holds bytes that could not be read (shown as �). Correct this "
                "line in the file and check again."
            ),
            {"text": short(cell)},
        )
    original = _utf8_read_as_cp1250(cell) if encoding == "cp1250" else None
    if original is not None:
        return Problem(
            "import.utf8_in_cp1250",
            N_(
                "This line is in UTF-8 ('{text}') but the file is in Windows-1250, so its "
                "letters would be garbled. Save the whole file in one encoding."
            ),
            {"text": short(original)},
        )
    return None


def person_input(
    values: dict[str, str], line: int, today: date
) -> tuple[hh.PersonInput, list[RowProblem]]:
    """A row's cells as the input the person form would give, and what was repaired."""
    problems: list[RowProblem] = []
    sex, sex_problem = _sex(values.get("sex", ""))
    if sex_problem:
        problems.append(RowProblem(line, "sex", sex_problem))
    jmbg, jmbg_problem = _jmbg(values.get("jmbg", ""), today)
    if jmbg_problem:
        problems.append(RowProblem(line, "jmbg", jmbg_problem))
    relation, relation_problem = _relation(values.get("relation", ""))
    if relation_problem:
        problems.append(RowProblem(line, "relation", relation_problem))
    documents: dict[DocumentKind, DocumentState] = {}
    for key, kind in DOCUMENT_FIELDS.items():
        state, problem = _answer(values.get(key, ""))
        if problem:
            problems.append(RowProblem(line, key, problem))
        if state is not None:
            documents[kind] = state
    statuses, status_problem = _statuses(values.get("statuses", ""))
    if status_problem:
        problems.append(RowProblem(line, "statuses", status_problem))
    for key, status in STATUS_FIELDS.items():
        state, problem = _answer(values.get(key, ""))
        if problem:
            problems.append(RowProblem(line, key, problem))
        if state == DocumentState.HAVE:
            statuses.add(status)
    person = hh.PersonInput(
        given_name=values.get("given_name", ""),
        family_name=values.get("family_name", ""),
        relation=relation,
        sex=sex,
        birth_date=values.get("birth_date", ""),
        place_of_birth=values.get("place_of_birth", ""),
        jmbg=jmbg,
        statuses=frozenset(statuses),
        documents=documents,
    )
    return person, problems


def describe(row: RowProblem, translate: Callable[[str], str] = lambda s: s) -> str:
    """One row problem as a sentence; the field is named when the message does not."""
    text = row.problem.render(translate)
    if row.field in _NAMED_FIELDS or (row.field and row.problem.code in _UNNAMED_CODES):
        return f"{translate(field_label(row.field))}: {text}"
    return text


# Messages about these fields do not say which column they come from.
_NAMED_FIELDS = {
    "jmbg", "birth_date", "sex", "consent_date", "place_of_birth", "relation", "mother",
    "father", "statuses", *DOCUMENT_FIELDS, *STATUS_FIELDS,
}  # fmt: skip
# ... nor do these messages, whatever the field.
_UNNAMED_CODES = {"import.unreadable", "import.utf8_in_cp1250", "too_long"}
