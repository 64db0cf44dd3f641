"""Next steps for a household: the next-step rules fed from the register."""

from __future__ import annotations

from datetime import date

from docassist.domain import birthplace
from docassist.domain.model import DocumentKind, DocumentState, StepStatus
from docassist.procedures import (
    CaseFacts,
    Checklist,
    ChecklistSet,
    PersonFacts,
    PersonPlan,
    next_steps,
)
from docassist.services.cases import Case, StepPlan, cases_of_household
from docassist.services.context import Context
from docassist.services.households import Person, get_household, get_person, jmbg_against_record


def _age_days(person: Person, today: date) -> int | None:
    """Days since birth, when the birth date is known to the day and not approximate."""
    birth = person.birth_date
    if birth is None or birth.precision != "day" or birth.approximate:
        return None
    return (today - birth.earliest()).days


def _jmbg_region(person: Person, today: date) -> tuple[str | None, str | None]:
    """(region code, region kind) of a JMBG the person's form would not flag, else
    (None, None): a number with a wrong check digit, or one that contradicts the
    recorded birth date or sex, proves nothing (the household screen shows the form's
    warning beside it)."""
    if not person.jmbg:
        return None, None
    check = jmbg_against_record(person.jmbg, person.birth_date, person.sex, today)
    if check.problems:
        return None, None
    return check.region_code, check.region_kind


def born_in(person: Person, today: date) -> str | None:
    """Where the person was born, as far as the place typed and the JMBG tell."""
    region, _kind = _jmbg_region(person, today)
    return birthplace.born_in(person.place_of_birth, region)


def _documents(person: Person, today: date) -> dict[DocumentKind, DocumentState]:
    """The recorded documents, plus what a JMBG proves when the record is silent.

    A JMBG from a registration area in Serbia proper or Vojvodina (70-89) is given
    when a birth is entered in the Serbian registry books: with one, the birth is
    registered, whatever was (not) ticked. A Kosovo area (91-97) proves an entry in a
    Kosovo book, which may be out of reach or destroyed (domain.md §1.4): it proves
    nothing reachable today, and neither does a number from another republic.

    A document past its "valid until" date is not held: it is to be renewed.
    """
    documents = person.held_on(today)
    if documents.get(DocumentKind.BIRTH_REGISTRATION, DocumentState.UNKNOWN) in (
        DocumentState.UNKNOWN,
    ):
        region, kind = _jmbg_region(person, today)
        if kind == "serbia" and region not in birthplace.KOSOVO_REGIONS:
            documents[DocumentKind.BIRTH_REGISTRATION] = DocumentState.HAVE
    return documents


def _facts(person: Person, cases: list[Case], ctx: Context) -> PersonFacts:
    today = ctx.today()
    return PersonFacts(
        id=person.id,
        name=person.full_name,
        age=person.age_on(today),
        age_days=_age_days(person, today),
        documents=_documents(person, today),
        statuses=person.statuses,
        mother_id=person.mother_id,
        father_id=person.father_id,
        born_in=born_in(person, today),
        place_of_birth=person.place_of_birth,
        cases=tuple(
            CaseFacts(
                checklist_id=c.checklist_id,
                checklist_version=c.checklist_version,
                status=c.status,
                outcome=c.outcome,
                step_statuses={s.key: StepStatus(s.status) for s in c.steps},
                id=c.id,
            )
            for c in cases
            if c.person_id == person.id
        ),
    )


def documents_as_planned(
    person: Person, plan: PersonPlan | None
) -> tuple[dict[DocumentKind, DocumentState], frozenset[DocumentKind]]:
    """The documents as the person's plan reads them, and which of them it inferred.

    One answer for the household screen (its marks and its words) and the family plan
    (``PersonPlan.held``): a document recorded as not known that the plan takes the
    person to hold (from a JMBG, or another document that implies it) shows as held,
    marked as inferred, never "held" on paper and "not known" on screen.
    """
    documents = dict(person.documents)
    inferred: set[DocumentKind] = set()
    for kind in plan.held if plan is not None else ():
        if documents.get(kind, DocumentState.UNKNOWN) == DocumentState.UNKNOWN:
            documents[kind] = DocumentState.HAVE
            inferred.add(kind)
    return documents, frozenset(inferred)


def household_plans(
    ctx: Context, household_id: str, checklists: ChecklistSet
) -> dict[str, PersonPlan]:
    """Each member's plan, keyed by person id, with family blocking between members."""
    detail = get_household(ctx, household_id)
    cases = cases_of_household(ctx, household_id)
    family = {m.id: _facts(m, cases, ctx) for m in detail.members}
    return {
        pid: next_steps(facts, family, checklists, ctx.today()) for pid, facts in family.items()
    }


def case_steps(ctx: Context, person_id: str, checklist: Checklist) -> list[StepPlan]:
    """The steps of a new case on ``checklist`` for this person: a step not for them
    (``only_if``) is skipped, and legal deadlines go along to date the steps."""
    person = get_person(ctx, person_id)
    where = born_in(person, ctx.today())
    return [
        StepPlan(
            step.key,
            step.typical_days,
            deadline_days=step.deadline_days,
            skip=not step.applies_to(where, person.statuses),
        )
        for step in checklist.steps
    ]
