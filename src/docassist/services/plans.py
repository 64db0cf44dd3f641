"""Next steps for a household: the next-step rules fed from the register."""

from __future__ import annotations

from datetime import date

from docassist.domain.jmbg import check_jmbg
from docassist.domain.model import DocumentKind, DocumentState, StepStatus
from docassist.procedures import CaseFacts, ChecklistSet, PersonFacts, PersonPlan, next_steps
from docassist.services.cases import Case, cases_of_household
from docassist.services.context import Context
from docassist.services.households import Person, get_household


def _age_days(person: Person, today: date) -> int | None:
    """Days since birth, when the birth date is known to the day and not approximate."""
    birth = person.birth_date
    if birth is None or birth.precision != "day" or birth.approximate:
        return None
    return (today - birth.earliest()).days


def _documents(person: Person, today: date) -> dict[DocumentKind, DocumentState]:
    """The recorded documents, plus what a JMBG proves when the record is silent.

    A Serbian JMBG (region 70-96) is given when a birth is entered in the Serbian
    registry books: with one, the birth is registered, whatever was (not) ticked.
    A number from another republic or a foreigner's proves nothing here.
    """
    documents = dict(person.documents)
    if DocumentKind.BIRTH_REGISTRATION not in documents and person.jmbg:
        check = check_jmbg(person.jmbg, today=today)
        if check.is_valid and check.region_kind == "serbia":
            documents[DocumentKind.BIRTH_REGISTRATION] = DocumentState.HAVE
    return documents


def _facts(person: Person, cases: list[Case], ctx: Context) -> PersonFacts:
    return PersonFacts(
        id=person.id,
        name=person.full_name,
        age=person.age_on(ctx.today()),
        age_days=_age_days(person, ctx.today()),
        documents=_documents(person, ctx.today()),
        statuses=person.statuses,
        mother_id=person.mother_id,
        father_id=person.father_id,
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
