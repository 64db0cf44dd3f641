"""Printable handouts: build the PDF, then save it where the user chose.

Offices often have no printer, so a handout is a file the facilitator carries to
one that has: the caller gets the full path back to tell the user. Files are
written atomically (a temporary file in the same folder, then a rename), so a
full USB stick or a pulled cable never leaves half a PDF that looks complete.

A family plan names people: it is written only to the path given (or the default
handouts folder next to the register), and the audit trail records that a plan
was made for the household — never the path or anything printed in it.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from docassist.domain.model import RELATION_LABELS, DocumentKind
from docassist.domain.script import cyr_to_lat
from docassist.handouts.family import FamilyFacts, MemberFacts, family_plan
from docassist.handouts.plan import plan_sections
from docassist.handouts.procedure import checklist_handout
from docassist.handouts.workshop import Attendee as SheetAttendee
from docassist.handouts.workshop import WorkshopFacts, signin_sheet, workshop_pack
from docassist.i18n import current_language, format_partial_date, get_language
from docassist.locations import default_folder, handouts_dir
from docassist.procedures import ChecklistSet
from docassist.services.cases import cases_of_household
from docassist.services.context import Context, NotFoundError
from docassist.services.files import write_bytes
from docassist.services.households import Person, get_household
from docassist.services.plans import household_plans
from docassist.services.workshops import Workshop, attendees, get_workshop


@dataclass(frozen=True)
class Handout:
    """A finished PDF and the file name it gets when the user does not choose one."""

    data: bytes
    filename: str
    household_id: str | None = None  # set on a family plan: saving it is audited
    workshop_id: str | None = None  # set on a sign-in sheet (it names people): audited too


def _slug(text: str) -> str:
    """ASCII for a file name: "Ramić" -> "ramic", "Петровић" -> "petrovic"."""
    latin = unicodedata.normalize("NFKD", cyr_to_lat(text).replace("đ", "dj").replace("Đ", "Dj"))
    ascii_ = latin.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-") or "family"


def make_checklist_handout(
    checklists: ChecklistSet,
    checklist_id: str,
    languages: Sequence[str],
    today: date,
) -> Handout:
    """One procedure in one or two languages (the first leads).

    Raises ``NotFoundError`` for an unknown checklist and ``ValueError`` for an
    unknown language.
    """
    checklist = checklists.get(checklist_id)
    if checklist is None:
        raise NotFoundError("checklist", checklist_id)
    codes = list(dict.fromkeys(get_language(code).code for code in languages or ["en"]))[:2]
    data = checklist_handout(checklist, codes, today)
    return Handout(data, f"{checklist.id}-{'-'.join(codes)}.pdf".replace("_", "-"))


def _born(person: Person, language: str) -> str:
    birth = person.birth_date
    if birth is None:
        return ""
    return ("~" if birth.approximate else "") + format_partial_date(birth, language=language)


def family_language(ctx: Context, household_id: str) -> str:
    """The language the household was recorded with, else the UI's."""
    recorded = get_household(ctx, household_id).household.language
    try:
        return get_language(recorded).code if recorded else current_language().code
    except ValueError:  # a language no longer offered: do not fail the printout
        return current_language().code


def make_family_plan(
    ctx: Context, household_id: str, checklists: ChecklistSet, language: str | None = None
) -> Handout:
    """Each member's next steps and what to bring, in ``language`` with Serbian beside.

    ``language`` defaults to the household's recorded language. Raises
    ``NotFoundError`` for an unknown household.
    """
    detail = get_household(ctx, household_id)
    code = get_language(language).code if language else family_language(ctx, household_id)
    plans = household_plans(ctx, household_id, checklists)
    cases = cases_of_household(ctx, household_id)
    members = [
        MemberFacts(
            name=person.full_name,
            relation=RELATION_LABELS[person.relation],
            born=_born(person, code),
            sections=plan_sections(plans.get(person.id), cases),
            expired=tuple(
                (kind, person.valid_until[kind])
                for kind in sorted(person.expired_on(ctx.today()), key=list(DocumentKind).index)
            ),
        )
        for person in detail.members
    ]
    h = detail.household
    place = ", ".join(p for p in (h.settlement, h.municipality) if p)
    today = ctx.today()
    titles = {c.id: c.title for c in checklists}
    data = family_plan(FamilyFacts(h.family_name, place, members, titles), code, today)
    name = f"family-plan-{_slug(h.family_name)}-{household_id[:6]}-{today.isoformat()}.pdf"
    return Handout(data, name, household_id)


def _workshop_facts(
    ctx: Context, workshop_id: str, checklists: ChecklistSet
) -> tuple[Workshop, WorkshopFacts]:
    workshop = get_workshop(ctx, workshop_id)
    covered = [c for c in (checklists.get(cid) for cid in workshop.checklists) if c]
    people = [
        SheetAttendee(
            f"{p.family_name} {p.given_name}" + (f" ({p.birth_date.year})" if p.birth_date else ""),
            ", ".join(x for x in (a.settlement, a.municipality) if x),
        )
        for a in attendees(ctx, workshop_id)
        for p in a.people
    ]
    place = " · ".join(p for p in (workshop.place, workshop.settlement, workshop.municipality) if p)
    return workshop, WorkshopFacts(workshop.held_on, place, covered, people)


def make_signin_sheet(ctx: Context, workshop_id: str, checklists: ChecklistSet) -> Handout:
    """The workshop's sign-in sheet: the people marked present, blank lines for newcomers.

    In the workshop's languages. Raises ``NotFoundError`` for an unknown workshop.
    """
    workshop, facts = _workshop_facts(ctx, workshop_id, checklists)
    data = signin_sheet(facts, workshop.languages or ("en",), ctx.today())
    name = f"sign-in-{workshop.held_on.isoformat()}-{_slug(workshop.place or 'workshop')}.pdf"
    return Handout(data, name, workshop_id=workshop_id)


def make_workshop_pack(ctx: Context, workshop_id: str, checklists: ChecklistSet) -> Handout:
    """Every checklist of the workshop in one PDF, in the workshop's languages."""
    workshop, facts = _workshop_facts(ctx, workshop_id, checklists)
    if not facts.checklists:
        raise NotFoundError("checklist", ", ".join(workshop.checklists))
    data = workshop_pack(facts.checklists, workshop.languages or ("en",), ctx.today())
    name = f"workshop-pack-{workshop.held_on.isoformat()}-{'-'.join(workshop.languages)}.pdf"
    return Handout(data, name.replace("_", "-"))


def default_path(handout: Handout) -> Path:
    """The handouts folder (made now if missing: docassist picked it) and the usual name."""
    return default_folder(handouts_dir()) / handout.filename


def save(handout: Handout, path: Path | str | None = None, ctx: Context | None = None) -> Path:
    """Write ``handout`` to ``path`` (a file, or a folder for the default name).

    Returns the absolute path written. Only the default folder is made; a folder
    the user named must be there (``MissingFolderError``). Raises ``OSError`` when
    the place cannot be written; nothing is left behind then.
    With ``ctx``, saving a family plan is recorded in the audit trail (only once
    it is written: a plan looked at and abandoned left nothing behind).
    """
    target = Path(path).expanduser() if path else default_path(handout)
    # "out/" names a folder even before it exists; Path() would drop the slash.
    as_folder = isinstance(path, str) and path.endswith(("/", os.sep))
    if as_folder or target.is_dir():
        target = target / handout.filename
    if target.suffix.lower() != ".pdf":
        target = target.with_name(target.name + ".pdf")
    target = target.absolute()
    write_bytes(target, handout.data)
    if ctx is not None and handout.household_id is not None:
        _audited(target, ctx, "household", handout.household_id, "family-plan")
    elif ctx is not None and handout.workshop_id is not None:
        _audited(target, ctx, "workshop", handout.workshop_id, "sign-in-sheet")
    return target


def _audited(target: Path, ctx: Context, entity: str, entity_id: str, kind: str) -> None:
    """Record that a handout with names was made, or take the file back."""
    try:
        with ctx.use_case():
            # What was made and for whom, never what it says or where: it travels.
            ctx.audit("print", entity, entity_id, after={"handout": kind})
    except BaseException:
        # Not recorded (another program held the register): a sheet with names that
        # the audit log does not know of is not left behind either.
        target.unlink(missing_ok=True)
        raise
