"""Households and the people in them: register, edit, find, spot duplicates."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import TYPE_CHECKING, Any

from docassist.domain import script, validity
from docassist.domain.dates import (
    DateProblem,
    DayProblem,
    PartialDate,
    parse_day,
    parse_partial_date,
)
from docassist.domain.model import (
    DocumentKind,
    DocumentState,
    Outcome,
    PersonStatus,
    Relation,
    Sex,
)
from docassist.domain.text import (
    MAX_NAME_LENGTH,
    MAX_NOTES_LENGTH,
    N_,
    Problem,
    too_long,
)
from docassist.services import places
from docassist.services.context import (
    Context,
    NotFoundError,
    ValidationError,
    changed,
)
from docassist.services.documents import (
    documents_of,
    validities_of,
    write_documents,
    write_valid_until,
)
from docassist.services.edits import merge_edit
from docassist.services.register_search import PAGE_SIZE as PAGE_SIZE
from docassist.services.register_search import UNREADABLE_SEARCH as UNREADABLE_SEARCH
from docassist.services.register_search import HouseholdSummary as HouseholdSummary
from docassist.services.register_search import audit_search as audit_search
from docassist.services.register_search import count_households as count_households
from docassist.services.register_search import find_households as find_households
from docassist.services.register_search import fts_query as fts_query
from docassist.services.register_search import unreadable_search as unreadable_search
from docassist.store.db import new_id
from docassist.store.search_index import household_search_text, person_name_key

if TYPE_CHECKING:
    from docassist.domain.jmbg import JmbgCheck

# The case services and the JMBG check are imported by the functions that use them
# (a person's removal or birth date, the forms' JMBG): the household list, the first
# screen of every coordinator's start, reads pages and counts and needs neither.

_STATUS_COLUMNS: dict[PersonStatus, str] = {
    PersonStatus.IDP: "is_idp",
    PersonStatus.REFUGEE: "is_refugee",
    PersonStatus.RETURNEE: "is_returnee",
    PersonStatus.DOMICILE: "is_domicile",
}


# --- inputs -----------------------------------------------------------------


@dataclass
class HouseholdInput:
    family_name: str
    settlement: str = ""
    address: str = ""
    municipality: str = ""
    phone: str = ""
    notes: str = ""
    language: str | None = None
    consent_date: str | None = None  # ISO date the family agreed to be recorded
    consent_scope: str | None = None


@dataclass
class PersonInput:
    given_name: str
    family_name: str
    relation: Relation = Relation.OTHER
    sex: Sex = Sex.UNKNOWN
    birth_date: str = ""  # as typed: "1987", "05.1987", "oko 1990"
    place_of_birth: str = ""
    jmbg: str = ""
    mother_id: str | None = None
    father_id: str | None = None
    statuses: frozenset[PersonStatus] = frozenset()
    ethnicity: str | None = None
    ethnicity_consent: bool = False
    notes: str = ""
    documents: dict[DocumentKind, DocumentState] = field(default_factory=dict)
    # "valid until" as typed, per document ("" for none); None leaves them as saved
    # (an import or a quick add knows nothing of them)
    valid_until: dict[DocumentKind, str] | None = None


# --- read models ------------------------------------------------------------


@dataclass(frozen=True)
class Household:
    id: str
    family_name: str
    settlement: str
    address: str
    municipality: str
    phone: str
    notes: str
    language: str | None
    consent_date: str | None
    consent_scope: str | None


@dataclass(frozen=True)
class Person:
    id: str
    household_id: str
    given_name: str
    family_name: str
    relation: Relation
    sex: Sex
    birth_date: PartialDate | None
    place_of_birth: str
    jmbg: str | None
    mother_id: str | None
    father_id: str | None
    statuses: frozenset[PersonStatus]
    ethnicity: str | None
    notes: str
    documents: dict[DocumentKind, DocumentState]
    # the last day each document that has one is valid (domain/validity.py)
    valid_until: dict[DocumentKind, date] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def held_on(self, today: date) -> dict[DocumentKind, DocumentState]:
        """The documents as the rules and reports count them: one past its validity is
        not held."""
        return validity.held(self.documents, self.valid_until, today)

    def expired_on(self, today: date) -> set[DocumentKind]:
        return {
            k
            for k, until in self.valid_until.items()
            if self.documents.get(k) == DocumentState.HAVE and validity.is_expired(until, today)
        }

    def expiring_on(self, today: date) -> set[DocumentKind]:
        """Held and still valid, but not for more than 30 days."""
        return {
            k
            for k, until in self.valid_until.items()
            if self.documents.get(k) == DocumentState.HAVE and validity.expires_soon(until, today)
        }

    def age_on(self, on: date) -> int | None:
        return self.birth_date.age_on(on) if self.birth_date else None


@dataclass(frozen=True)
class HouseholdDetail:
    household: Household
    members: list[Person]


@dataclass(frozen=True)
class DuplicateCandidate:
    person_id: str
    household_id: str
    full_name: str
    birth_date: str | None
    settlement: str
    municipality: str
    reason: str  # msgid: why it looks like the same person


@dataclass(frozen=True)
class HouseholdCandidate:
    """A household already registered that may be the one being registered."""

    household_id: str
    family_name: str
    settlement: str
    municipality: str
    members: tuple[tuple[str, str], ...]  # (given name, family name), the oldest first
    reason: str  # msgid: which place they share (the name is the same)


# --- validation -------------------------------------------------------------


def _clean(text: str) -> str:
    return " ".join(text.split())


def _check_lengths(
    problems: dict[str, list[Problem]], values: dict[str, str], limit: int = MAX_NAME_LENGTH
) -> None:
    for key, value in values.items():
        problem = too_long(value, limit)
        if problem is not None:
            problems.setdefault(key, []).append(problem)


def _check_printable(problems: dict[str, list[Problem]], values: dict[str, str]) -> None:
    """Names and places go onto the handouts: a character their font cannot print
    would be missing from the printout, so it is refused here, said by name."""
    # Imported at the first check, not at start: the handouts package is not small.
    from docassist.handouts.glyphs import unprintable

    for key, value in values.items():
        missing = unprintable(value)
        if missing:
            problems.setdefault(key, []).append(
                Problem(
                    "unprintable",
                    N_(
                        "The printed handouts cannot show {chars}: leave it out, or write "
                        "it in letters."
                    ),
                    {"chars": " ".join(missing)},
                )
            )


def parse_birth_date(text: str, today: date) -> tuple[PartialDate | None, list[Problem]]:
    text = text.strip()
    if not text:
        return None, []
    try:
        return parse_partial_date(text, today=today), []
    except DateProblem as err:
        return None, [err.problem]


def jmbg_against_record(jmbg: str, birth: PartialDate | None, sex: Sex, today: date) -> JmbgCheck:
    """The JMBG checked and compared with the person's birth date and sex.

    One check for the form, which shows every problem it finds, and for the plan
    (``services.plans``), which takes a JMBG as proof of anything only when this finds
    none: a number the form flags (a wrong check digit, a birth date the record
    contradicts) must not register a birth on the family plan.
    """
    from docassist.domain.jmbg import check_jmbg

    return check_jmbg(
        jmbg,
        # A date known to the day is its own earliest day.
        birth_date=birth.earliest()
        if birth and birth.precision == "day" and not birth.approximate
        else None,
        birth_year=birth.year if birth and not birth.approximate else None,
        sex=sex if sex != Sex.UNKNOWN else None,
        today=today,
    )


def validate_person(inp: PersonInput, today: date) -> dict[str, list[Problem]]:
    """Everything wrong or doubtful, by field; errors block saving, warnings do not."""
    problems: dict[str, list[Problem]] = {}
    if not _clean(inp.given_name):
        problems["given_name"] = [Problem("required", N_("Type the given name."))]
    if not _clean(inp.family_name):
        problems["family_name"] = [Problem("required", N_("Type the family name."))]
    names = {
        "given_name": inp.given_name,
        "family_name": inp.family_name,
        "place_of_birth": inp.place_of_birth,
    }
    _check_lengths(problems, {**names, "ethnicity": inp.ethnicity or ""})
    _check_printable(problems, names)
    _check_lengths(problems, {"notes": inp.notes}, MAX_NOTES_LENGTH)
    birth, date_problems = parse_birth_date(inp.birth_date, today)
    if date_problems:
        problems["birth_date"] = date_problems
    if inp.jmbg.strip():
        check = jmbg_against_record(inp.jmbg, birth, inp.sex, today)
        if check.problems:
            problems["jmbg"] = list(check.problems)
    for kind, text in (inp.valid_until or {}).items():
        try:
            parse_day(text, today)
        except DayProblem as err:
            problems[f"valid-{DocumentKind(kind).value}"] = [err.problem]
    if inp.ethnicity and not inp.ethnicity_consent:
        problems["ethnicity"] = [
            Problem(
                "consent",
                N_("Ethnicity can only be recorded after the person has agreed to it."),
            )
        ]
    return problems


def validate_household(inp: HouseholdInput) -> dict[str, list[Problem]]:
    problems: dict[str, list[Problem]] = {}
    if not _clean(inp.family_name):
        problems["family_name"] = [Problem("required", N_("Type the family name."))]
    places = {
        "family_name": inp.family_name,
        "settlement": inp.settlement,
        "address": inp.address,
        "municipality": inp.municipality,
    }
    _check_lengths(problems, {**places, "phone": inp.phone})
    _check_printable(problems, places)
    _check_lengths(problems, {"notes": inp.notes}, MAX_NOTES_LENGTH)
    if inp.consent_date:
        try:
            date.fromisoformat(inp.consent_date)
        except ValueError:
            problems["consent_date"] = [Problem("date", N_("The consent date is not a date."))]
    return problems


def _raise_errors(problems: dict[str, list[Problem]]) -> None:
    errors = {k: [p for p in v if p.is_error] for k, v in problems.items()}
    errors = {k: v for k, v in errors.items() if v}
    if errors:
        raise ValidationError(errors)


# --- row builders (also used by the demo generator) -------------------------


def household_columns(inp: HouseholdInput) -> dict[str, Any]:
    family = _clean(inp.family_name)
    return {
        "family_name": family,
        "settlement": _clean(inp.settlement),
        "address": _clean(inp.address),
        "municipality": _clean(inp.municipality),
        "phone": _clean(inp.phone),
        "notes": inp.notes.strip(),
        "language": inp.language,
        "consent_date": inp.consent_date or None,
        "consent_scope": inp.consent_scope or None,
        "sort_latn": script.collation_string(family, "latn"),
        "sort_cyrl": script.collation_string(family, "cyrl"),
    }


def person_columns(inp: PersonInput, today: date, now: str) -> dict[str, Any]:
    given, family = _clean(inp.given_name), _clean(inp.family_name)
    birth, _ = parse_birth_date(inp.birth_date, today)
    jmbg = "".join(ch for ch in inp.jmbg if ch.isdigit()) or None
    columns: dict[str, Any] = {
        "given_name": given,
        "family_name": family,
        "name_key": person_name_key(given, family),
        "relation": Relation(inp.relation).value,
        "sex": Sex(inp.sex).value,
        "birth_date": birth.to_storage() if birth else None,
        "birth_year": birth.year if birth else None,
        "birth_precision": birth.precision if birth else None,
        "birth_approximate": int(bool(birth and birth.approximate)),
        "place_of_birth": _clean(inp.place_of_birth),
        "jmbg": jmbg,
        "mother_id": inp.mother_id,
        "father_id": inp.father_id,
        "ethnicity": inp.ethnicity if inp.ethnicity_consent else None,
        "ethnicity_consent_at": now if inp.ethnicity and inp.ethnicity_consent else None,
        "notes": inp.notes.strip(),
    }
    for status, column in _STATUS_COLUMNS.items():
        columns[column] = int(status in inp.statuses)
    return columns


# --- use cases --------------------------------------------------------------


def register_household(
    ctx: Context, household: HouseholdInput, members: Sequence[PersonInput] = ()
) -> str:
    """Save a new household with its first members; returns its id."""
    problems = validate_household(household)
    for i, m in enumerate(members):
        for key, value in validate_person(m, ctx.today()).items():
            problems[f"members[{i}].{key}"] = value
    _raise_errors(problems)
    household_id = new_id()
    now = ctx.now()
    row = {"id": household_id, **household_columns(household), "created_at": now}
    with ctx.use_case():
        ctx.db.table("households").insert({**row, **ctx.stamp()})
        member_rows = []
        for m in members:
            pid = new_id()
            prow = {"id": pid, "household_id": household_id, **person_columns(m, ctx.today(), now)}
            ctx.db.table("persons").insert({**prow, "created_at": now, **ctx.stamp()})
            write_documents(ctx, pid, m.documents)
            write_valid_until(ctx, pid, _typed_valid_until(m, ctx.today()))
            member_rows.append(prow)
        refresh_search_text(ctx, household_id)
        ctx.audit(
            "create",
            "household",
            household_id,
            after={**row, "members": [_audit_person(p) for p in member_rows]},
        )
    return household_id


# Columns computed from another: a save keeps them with the version of their source.
_HOUSEHOLD_DERIVED = {"sort_latn": "family_name", "sort_cyrl": "family_name"}
_PERSON_DERIVED = {
    "name_key": "given_name",  # and family_name: recomputed after the merge
    "birth_year": "birth_date",
    "birth_precision": "birth_date",
    "birth_approximate": "birth_date",
    "ethnicity_consent_at": "ethnicity",
}
# What settling a sync conflict by hand takes along with a field (services/sync).
DERIVED_COLUMNS = {"households": _HOUSEHOLD_DERIVED, "persons": _PERSON_DERIVED}


def update_household(
    ctx: Context,
    household_id: str,
    household: HouseholdInput,
    *,
    base: HouseholdInput | None = None,
    overwrite: bool = False,
) -> None:
    """Save an edited household. ``base`` is what the form started from: fields the
    form left as they were keep what someone else saved meanwhile, and a field both
    changed differently raises ``EditConflict`` unless ``overwrite``."""
    _raise_errors(validate_household(household))
    # Read, merged and written under the write lock: another program's save between
    # the read and the write would otherwise be overwritten without a prompt.
    with ctx.use_case():
        before = _household_row(ctx, household_id)
        after = household_columns(household)
        if base is not None:
            after = merge_edit(
                before,
                household_columns(base),
                after,
                derived=_HOUSEHOLD_DERIVED,
                overwrite=overwrite,
            )
        old, new = changed(before, after)
        if not new:
            return
        ctx.db.table("households").update(household_id, {**after, **ctx.stamp()})
        refresh_search_text(ctx, household_id)
        ctx.audit("update", "household", household_id, old, new)


def add_person(ctx: Context, household_id: str, person: PersonInput) -> str:
    _raise_errors(validate_person(person, ctx.today()))
    _household_row(ctx, household_id)
    person_id = new_id()
    now = ctx.now()
    row = {
        "id": person_id,
        "household_id": household_id,
        **person_columns(person, ctx.today(), now),
    }
    with ctx.use_case():
        ctx.db.table("persons").insert({**row, "created_at": now, **ctx.stamp()})
        write_documents(ctx, person_id, person.documents)
        valid = _typed_valid_until(person, ctx.today())
        write_valid_until(ctx, person_id, valid)
        refresh_search_text(ctx, household_id)
        after = {**_audit_person(row), "documents": _doc_dict(person.documents)}
        if any(valid.values()):
            after["valid_until"] = _valid_dict(valid)
        ctx.audit("create", "person", person_id, after=after)
    return person_id


BORN_AFTER_CASE = N_(
    "The birth date cannot be after {date}: a case of this person was opened, or a step "
    "of one done, that day."
)


def _birth_against_cases(
    ctx: Context, person_id: str, birth_date: str | None
) -> dict[str, list[Problem]]:
    """A birth date changed to after the first day the person's cases record (the day
    one was opened, or a step done): refused, as a case is not opened before a birth
    (issue 15 item 10). Voided cases record nothing."""
    first = ctx.db.execute(
        "SELECT min(day) FROM ("
        " SELECT coalesce(c.opened_on, substr(c.opened_at, 1, 10)) AS day FROM cases c"
        " WHERE c.person_id = ? AND c.deleted_at IS NULL AND c.voided_at IS NULL"
        " UNION ALL SELECT s.done_date FROM case_steps s JOIN cases c ON c.id = s.case_id"
        " WHERE c.person_id = ? AND c.deleted_at IS NULL AND c.voided_at IS NULL"
        " AND s.deleted_at IS NULL AND s.done_date IS NOT NULL)",
        [person_id, person_id],
    ).fetchone()[0]
    if first is None:
        return {}
    from docassist.services import cases as case_service

    day = date.fromisoformat(first)
    if case_service.born_after(birth_date, day) is None:
        return {}
    return {"birth_date": [Problem("after_case", BORN_AFTER_CASE, {"date": case_service.Day(day)})]}


def update_person(
    ctx: Context,
    person_id: str,
    person: PersonInput,
    *,
    base: PersonInput | None = None,
    overwrite: bool = False,
) -> None:
    """Save an edited person; ``base`` and ``overwrite`` as for ``update_household``
    (the documents held are merged the same way)."""
    _raise_errors(validate_person(person, ctx.today()))
    # Read, merged and written under the write lock: another program's save between
    # the read and the write would otherwise be overwritten without a prompt.
    with ctx.use_case():
        before = _person_row(ctx, person_id)
        after = person_columns(person, ctx.today(), ctx.now())
        if after["birth_date"] != before.get("birth_date"):
            _raise_errors(_birth_against_cases(ctx, person_id, after["birth_date"]))
        if before.get("ethnicity_consent_at") and after["ethnicity"] == before.get("ethnicity"):
            after["ethnicity_consent_at"] = before["ethnicity_consent_at"]
        docs_before = documents_of(ctx, [person_id]).get(person_id, {})
        unknown = DocumentState.UNKNOWN
        wanted = person.documents
        if base is not None:
            base_cols = person_columns(base, ctx.today(), ctx.now())
            base_cols["ethnicity_consent_at"] = after["ethnicity_consent_at"]
            saved_docs = {f"document:{k.value}": docs_before.get(k, unknown) for k in DocumentKind}
            base_docs = {
                f"document:{k.value}": base.documents.get(k, unknown) for k in DocumentKind
            }
            my_docs = {f"document:{k.value}": wanted.get(k, unknown) for k in DocumentKind}
            merged = merge_edit(
                {**before, **saved_docs},
                {**base_cols, **base_docs},
                {**after, **my_docs},
                derived=_PERSON_DERIVED,
                recompute=_recompute_name_key,
                overwrite=overwrite,
            )
            wanted = {k: merged.pop(f"document:{k.value}") for k in DocumentKind}
            after = merged
        old, new = changed(before, after)
        docs_changed = {k: v for k, v in wanted.items() if docs_before.get(k, unknown) != v}
        valid_before = validities_of(ctx, [person_id]).get(person_id, {})
        valid_changed = {
            k: v
            for k, v in _typed_valid_until(person, ctx.today(), wanted).items()
            if valid_before.get(k) != v
        }
        if not new and not docs_changed and not valid_changed:
            return
        if new:
            ctx.db.table("persons").update(person_id, {**after, **ctx.stamp()})
        write_documents(ctx, person_id, docs_changed)
        write_valid_until(ctx, person_id, valid_changed)
        refresh_search_text(ctx, before["household_id"])
        if docs_changed:
            old["documents"] = {k.value: docs_before.get(k, "unknown") for k in docs_changed}
            new["documents"] = _doc_dict(docs_changed)
        if valid_changed:
            old["valid_until"] = _valid_dict({k: valid_before.get(k) for k in valid_changed})
            new["valid_until"] = _valid_dict(valid_changed)
        ctx.audit("update", "person", person_id, _audit_person(old), _audit_person(new))


def recompute_derived(table: str, row: dict[str, Any]) -> None:
    """Columns computed from several others, made again after a merge by hand."""
    if table == "persons" and "given_name" in row and "family_name" in row:
        _recompute_name_key(row)


def _recompute_name_key(row: dict[str, Any]) -> None:
    row["name_key"] = person_name_key(row["given_name"], row["family_name"])


# Why a removed person's open cases were closed; restore_person reopens the
# cases closed with it. Stored data, like the reasons people type.
REMOVED_REASON = "person removed"


def remove_person(ctx: Context, person_id: str) -> None:
    """Soft delete: the row stays so the removal can be undone and merged.

    The person's open cases are closed as abandoned in the same transaction:
    left open, they counted on the dashboard as work for someone not there.
    """
    from docassist.services import cases as case_service

    before = _person_row(ctx, person_id)
    now = ctx.now()
    with ctx.use_case():
        active = [c.id for c in case_service.cases_of_person(ctx, person_id) if c.is_active]
        for case_id in active:
            case_service.close_case(ctx, case_id, Outcome.ABANDONED, reason=REMOVED_REASON)
        ctx.db.execute(
            "UPDATE persons SET deleted_at = ?, updated_at = ?, device_id = ? WHERE id = ?",
            [now, now, ctx.device_id, person_id],
        )
        refresh_search_text(ctx, before["household_id"])
        ctx.audit(
            "remove",
            "person",
            person_id,
            before=_audit_person(before),
            after={"closed_cases": active} if active else None,
        )


def last_removed_member(ctx: Context, household_id: str) -> Person | None:
    """The member removed last from this household, whom Undo can bring back.

    Read from the register rather than remembered by a screen: a facilitator who
    left the household and came back (or restarted the laptop) can still undo.
    """
    rows = list(
        ctx.db.query(
            "SELECT * FROM persons WHERE household_id = ? AND deleted_at IS NOT NULL "
            "AND erased_at IS NULL ORDER BY deleted_at DESC LIMIT 1",
            [household_id],
        )
    )
    if not rows:
        return None
    return _person(rows[0], documents_of(ctx, [rows[0]["id"]]).get(rows[0]["id"], {}))


def restore_person(ctx: Context, person_id: str) -> None:
    """Undo a removal."""
    rows = list(ctx.db.query("SELECT * FROM persons WHERE id = ?", [person_id]))
    if not rows:
        raise NotFoundError("person", person_id)
    if rows[0]["deleted_at"] is None or rows[0]["erased_at"] is not None:
        return  # an erased person is gone for good: nothing is left to restore
    from docassist.services import cases as case_service

    closed_with_removal = [
        c.id
        for c in case_service.cases_of_person(ctx, person_id)
        if c.outcome == Outcome.ABANDONED and c.outcome_reason == REMOVED_REASON
    ]
    with ctx.use_case():
        ctx.db.execute(
            "UPDATE persons SET deleted_at = NULL, updated_at = ?, device_id = ? WHERE id = ?",
            [ctx.now(), ctx.device_id, person_id],
        )
        for case_id in closed_with_removal:
            case_service.reopen_case(ctx, case_id)
        refresh_search_text(ctx, rows[0]["household_id"])
        ctx.audit("restore", "person", person_id, after=_audit_person(rows[0]))


# --- queries ----------------------------------------------------------------


def municipalities(ctx: Context) -> list[str]:
    """Every municipality as typed, for suggestions; filters use places.municipalities."""
    return places.raw_names(ctx, "municipality")


def settlements(ctx: Context, municipality: str | None = None) -> list[str]:
    """Every settlement as typed, for suggestions; filters use places.settlements."""
    return places.raw_names(ctx, "settlement", municipality)


def get_household(ctx: Context, household_id: str) -> HouseholdDetail:
    row = _household_row(ctx, household_id)
    household = Household(**{f.name: row[f.name] for f in fields(Household)})
    person_rows = list(
        ctx.db.query(
            "SELECT * FROM persons WHERE household_id = ? AND deleted_at IS NULL "
            "ORDER BY birth_year IS NULL, birth_year, created_at",
            [household_id],
        )
    )
    ids = [r["id"] for r in person_rows]
    docs, valid = documents_of(ctx, ids), validities_of(ctx, ids)
    return HouseholdDetail(
        household, [_person(r, docs.get(r["id"], {}), valid.get(r["id"])) for r in person_rows]
    )


def view_household(ctx: Context, household_id: str) -> HouseholdDetail:
    """The household as the screen opens it: a read of personal data, so audited
    ("view", who and when; nothing copied). Reloads of an open screen use
    get_household: one entry per opening, not per refresh."""
    with ctx.use_case():
        detail = get_household(ctx, household_id)
        ctx.audit("view", "household", household_id)
    return detail


def get_person(ctx: Context, person_id: str) -> Person:
    row = _person_row(ctx, person_id)
    return _person(
        row,
        documents_of(ctx, [person_id]).get(person_id, {}),
        validities_of(ctx, [person_id]).get(person_id),
    )


def exact_birth(birth: PartialDate | None) -> date | None:
    """The birth date when it is known to the day, not guessed; else None."""
    if birth is None or birth.precision != "day" or birth.approximate:
        return None
    return birth.earliest()


def sound_jmbg(text: str | None, today: date) -> str | None:
    """The JMBG's 13 digits when it tells one person from another (``is_sound``)."""
    from docassist.domain.jmbg import check_jmbg

    number = "".join(ch for ch in text or "" if ch.isdigit())
    if len(number) != 13 or not check_jmbg(number, today=today).is_sound:
        return None
    return number


def told_apart(
    jmbg: str | None, birth: date | None, other_jmbg: str | None, other_birth: date | None
) -> bool:
    """Whether two people of one name and birth year are two people all the same: both
    have a sound JMBG (``sound_jmbg``) and the numbers differ, or both a birth date known
    to the day (``exact_birth``) and the dates differ. Children named after the same
    grandparent are common; such namesakes are not likely duplicates."""
    if jmbg and other_jmbg and jmbg != other_jmbg:
        return True
    return bool(birth and other_birth and birth != other_birth)


def duplicate_candidates(
    ctx: Context, person: PersonInput, *, exclude_id: str | None = None
) -> list[DuplicateCandidate]:
    """People already registered who may be this one: same JMBG, or same name and birth
    year unless ``told_apart``."""
    given, family = _clean(person.given_name), _clean(person.family_name)
    keys = {person_name_key(given, family), person_name_key(family, given)}
    today = ctx.today()
    birth, _ = parse_birth_date(person.birth_date, today)
    jmbg = "".join(ch for ch in person.jmbg if ch.isdigit())
    mine = sound_jmbg(jmbg, today), exact_birth(birth)
    found: dict[str, DuplicateCandidate] = {}
    base = """
        SELECT p.id, p.household_id, p.given_name, p.family_name, p.birth_date,
               h.settlement, h.municipality, p.jmbg
        FROM persons p JOIN households h ON h.id = p.household_id
        WHERE p.deleted_at IS NULL AND h.deleted_at IS NULL AND p.id IS NOT ?
    """
    if len(jmbg) == 13:
        for r in ctx.db.execute(base + " AND p.jmbg = ?", [exclude_id, jmbg]).fetchall():
            found[r[0]] = _candidate(r, N_("Same ID number (JMBG)"))
    if given and family:
        marks = ",".join("?" * len(keys))
        sql = base + f" AND p.name_key IN ({marks})"
        params: list[Any] = [exclude_id, *keys]
        if birth:
            # approximate years are people's guesses: allow a year either side
            slack = 1 if birth.approximate else 0
            sql += " AND (p.birth_year IS NULL OR p.birth_year BETWEEN ? AND ?)"
            params += [birth.year - slack, birth.year + slack]
        for r in ctx.db.execute(sql, params).fetchall():
            theirs = PartialDate.from_storage(r[4]) if r[4] else None
            if told_apart(*mine, sound_jmbg(r[7], today), exact_birth(theirs)):
                continue
            found.setdefault(r[0], _candidate(r, N_("Same name and year of birth")))
    return list(found.values())


#: More look-alike families than a dialog can show are only a common name in a
#: large settlement; the first ones are enough to make the facilitator look.
MAX_CANDIDATES = 50


def household_duplicate_candidates(
    ctx: Context, household: HouseholdInput, *, exclude_id: str | None = None
) -> list[HouseholdCandidate]:
    """Households already registered that may be this one: the same family name in
    any script or spelling ("Djordjevic" is "Ђорђевић") at the same place
    (``places.same_place``: the same settlement, or the same municipality when a
    settlement is missing)."""
    family = script.search_key(_clean(household.family_name))
    if not family:
        return []
    municipality, settlement = _clean(household.municipality), _clean(household.settlement)
    nearby = places.places_like(ctx, municipality, settlement)
    if not nearby:
        return []
    # The search index narrows to households with a word of that name (a common one:
    # ~1,400 of 50,000), the places to those few; the name is then compared whole.
    pairs = ",".join("(?,?)" for _ in nearby)
    rows = ctx.db.execute(
        f"""
        SELECT h.id, h.family_name, h.settlement, h.municipality FROM households h
        WHERE h.rowid IN (SELECT rowid FROM households_fts WHERE households_fts MATCH ?)
          AND h.deleted_at IS NULL AND h.id IS NOT ?
          AND (h.municipality, h.settlement) IN (VALUES {pairs})
        ORDER BY h.sort_latn, h.id
        """,
        [f'"{family}"', exclude_id, *(name for pair in nearby for name in pair)],
    ).fetchall()
    rows = [r for r in rows if script.search_key(r[1]) == family][:MAX_CANDIDATES]
    if not rows:
        return []
    names: dict[str, list[tuple[str, str]]] = {r[0]: [] for r in rows}
    for household_id, given, family_name in ctx.db.execute(
        "SELECT household_id, given_name, family_name FROM persons "
        "WHERE household_id IN (SELECT value FROM json_each(?)) AND deleted_at IS NULL "
        "ORDER BY birth_year IS NULL, birth_year, created_at",
        [json.dumps(list(names))],
    ).fetchall():
        names[household_id].append((given, family_name))
    return [
        HouseholdCandidate(
            household_id=r[0],
            family_name=r[1],
            settlement=r[2],
            municipality=r[3],
            members=tuple(names[r[0]]),
            reason=_same_family_reason(settlement, r[2], municipality or r[3]),
        )
        for r in rows
    ]


def _same_family_reason(settlement: str, other_settlement: str, municipality: str) -> str:
    """Which rule of ``places.same_place`` made the two families alike."""
    if settlement and other_settlement:
        return N_("Same settlement")
    if municipality:
        return N_("Same municipality")
    return N_("No place given")


# --- helpers ----------------------------------------------------------------


def _candidate(r: tuple, reason: str) -> DuplicateCandidate:
    return DuplicateCandidate(r[0], r[1], f"{r[2]} {r[3]}", r[4], r[5], r[6], reason)


def _household_row(ctx: Context, household_id: str) -> dict[str, Any]:
    rows = list(
        ctx.db.query("SELECT * FROM households WHERE id = ? AND deleted_at IS NULL", [household_id])
    )
    if not rows:
        raise NotFoundError("household", household_id)
    return rows[0]


def _person_row(ctx: Context, person_id: str) -> dict[str, Any]:
    rows = list(
        ctx.db.query("SELECT * FROM persons WHERE id = ? AND deleted_at IS NULL", [person_id])
    )
    if not rows:
        raise NotFoundError("person", person_id)
    return rows[0]


def _person(
    row: dict[str, Any],
    documents: dict[DocumentKind, DocumentState],
    valid_until: dict[DocumentKind, date] | None = None,
) -> Person:
    statuses = frozenset(s for s, col in _STATUS_COLUMNS.items() if row[col])
    return Person(
        id=row["id"],
        household_id=row["household_id"],
        given_name=row["given_name"],
        family_name=row["family_name"],
        relation=Relation(row["relation"]),
        sex=Sex(row["sex"]),
        birth_date=PartialDate.from_storage(row["birth_date"]) if row["birth_date"] else None,
        place_of_birth=row["place_of_birth"],
        jmbg=row["jmbg"],
        mother_id=row["mother_id"],
        father_id=row["father_id"],
        statuses=statuses,
        ethnicity=row["ethnicity"],
        notes=row["notes"],
        documents=documents,
        valid_until=valid_until or {},
    )


def refresh_search_text(ctx: Context, household_id: str) -> None:
    """Recompute a household's search keys from its name and members (derived data:
    each laptop computes it, also after a sync brought a member in)."""
    found = ctx.db.execute(
        "SELECT family_name FROM households WHERE id = ?", [household_id]
    ).fetchone()
    if found is None:  # a member arrived before its household (or outside this laptop's part)
        return
    family = found[0]
    members = list(
        ctx.db.query(
            "SELECT name_key, jmbg FROM persons WHERE household_id = ? AND deleted_at IS NULL",
            [household_id],
        )
    )
    ctx.db.execute(
        "UPDATE households SET search_text = ? WHERE id = ?",
        [household_search_text(family, members), household_id],
    )


def _typed_valid_until(
    person: PersonInput, today: date, documents: dict[DocumentKind, DocumentState] | None = None
) -> dict[DocumentKind, date | None]:
    """The "valid until" dates typed on the form (validated before), read as days; a
    date kept only for a document held: one no longer held has no validity."""
    states = person.documents if documents is None else documents
    out: dict[DocumentKind, date | None] = {}
    for kind, text in (person.valid_until or {}).items():
        held = states.get(kind) == DocumentState.HAVE
        out[DocumentKind(kind)] = parse_day(text, today) if held else None
    return out


def _valid_dict(valid: dict[DocumentKind, date | None]) -> dict[str, str | None]:
    return {DocumentKind(k).value: v.isoformat() if v else None for k, v in valid.items()}


def _doc_dict(documents: dict[DocumentKind, DocumentState]) -> dict[str, str]:
    return {DocumentKind(k).value: DocumentState(v).value for k, v in documents.items()}


def _audit_person(row: dict[str, Any]) -> dict[str, Any]:
    """The audit trail keeps what changed, but never the search key noise."""
    return {k: v for k, v in row.items() if k not in {"name_key"}}
