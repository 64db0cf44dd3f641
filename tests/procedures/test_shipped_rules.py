"""The next-step rules over the checklists docassist ships (checklists/*.toml).

tests/procedures/test_nextsteps.py checks the rule engine on small fixtures; these tests
check that the shipped data says what domain.md says, for the situations QA found wrong.
"""

from __future__ import annotations

from datetime import date

import pytest

from docassist.domain.model import DocumentKind, DocumentState, PersonStatus
from docassist.procedures import (
    BLOCKED,
    DONE,
    PREREQUISITE_FAMILY,
    PREREQUISITE_SELF,
    READY,
    ChecklistSet,
    PersonFacts,
    PersonPlan,
    load_all,
    next_steps,
)

# The day the plans are made for: rules take it from their caller, never the real clock.
TODAY = date(2026, 11, 23)

K = DocumentKind
HAVE, MISSING = DocumentState.HAVE, DocumentState.MISSING


@pytest.fixture(scope="module")
def shipped() -> ChecklistSet:
    loaded = load_all(user=False)
    assert loaded.problems == []
    return loaded


def holding(*have: DocumentKind) -> dict[DocumentKind, DocumentState]:
    documents = dict.fromkeys(DocumentKind, MISSING)
    documents.update(dict.fromkeys(have, HAVE))
    return documents


def plan_for(person: PersonFacts, checklists: ChecklistSet, *relatives: PersonFacts) -> PersonPlan:
    family = {p.id: p for p in (person, *relatives)}
    return next_steps(person, family, checklists, TODAY)


def blockers(plan: PersonPlan, checklist_id: str) -> list[tuple[str, str, str]]:
    item = plan.item(checklist_id)
    assert item is not None, checklist_id
    return [(b.kind, b.who, b.checklist) for b in item.blockers if b.blocking]


# --- ID card requirements (QA finding 2) ---------------------------------------------


def test_idp_adult_without_id_card_sees_the_idp_card_blocked(shipped):
    idp = PersonFacts(
        "i1", "Bajram", 40, holding(K.BIRTH_REGISTRATION, K.CITIZENSHIP),
        frozenset({PersonStatus.IDP}),
    )  # fmt: skip
    plan = plan_for(idp, shipped)
    card = plan.item("idp-card")
    assert card.state == BLOCKED
    assert blockers(plan, "idp-card") == [(PREREQUISITE_SELF, "self", "id-card")]
    assert "ID card" in card.blockers[0].reason.en
    # The chain stays visible: the ID card waits on residence, which can start now.
    assert blockers(plan, "id-card") == [(PREREQUISITE_SELF, "self", "residence-registration")]
    assert plan.item("residence-registration").state == READY
    assert [i.checklist.id for i in plan.actionable] == ["residence-registration"]


def test_idp_adult_with_an_id_card_can_apply(shipped):
    idp = PersonFacts(
        "i1", "Bajram", 40,
        holding(K.BIRTH_REGISTRATION, K.CITIZENSHIP, K.RESIDENCE, K.ID_CARD),
        frozenset({PersonStatus.IDP}),
    )  # fmt: skip
    assert plan_for(idp, shipped).item("idp-card").state == READY


def test_idp_child_waits_for_a_parents_id_card(shipped):
    mother = PersonFacts(
        "m1", "Ana", 30, holding(K.BIRTH_REGISTRATION, K.CITIZENSHIP),
        frozenset({PersonStatus.IDP}),
    )  # fmt: skip
    child = PersonFacts(
        "c1", "Marko", 8, holding(K.BIRTH_REGISTRATION), frozenset({PersonStatus.IDP}),
        mother_id="m1",
    )  # fmt: skip
    plan = plan_for(child, shipped, mother)
    card = plan.item("idp-card")
    assert card.state == BLOCKED
    assert blockers(plan, "idp-card") == [(PREREQUISITE_FAMILY, "a_parent", "id-card")]
    assert card.blockers[0].render() == "Waiting for Ana: ID card"
    # The mother's plan says her ID card is needed for the child's card.
    mothers = plan_for(mother, shipped, child)
    needed = [(n.checklist, n.person_id) for n in mothers.item("id-card").needed_for]
    assert ("idp-card", "c1") in needed

    documented = PersonFacts(
        "m1", "Ana", 30, holding(*(k for k in K if k != K.IDP_CARD)),
        frozenset({PersonStatus.IDP}),
    )  # fmt: skip
    assert plan_for(child, shipped, documented).item("idp-card").state == READY


def test_adult_without_id_card_sees_health_insurance_blocked(shipped):
    adult = PersonFacts("p1", "Jovan", 30, holding(K.BIRTH_REGISTRATION, K.CITIZENSHIP))
    plan = plan_for(adult, shipped)
    insurance = plan.item("health-insurance")
    assert insurance.state == BLOCKED
    assert blockers(plan, "health-insurance") == [(PREREQUISITE_SELF, "self", "id-card")]
    assert "ID card" in insurance.blockers[0].render()


def test_the_funds_certificate_proves_health_insurance_until_the_card_comes(shipped):
    # domain.md §5: until the card arrives the fund issues a certificate (potvrda), valid
    # at most a month, that proves the insurance meanwhile. Holding one, the person is
    # insured: the plan does not send them to apply again. (A certificate past its
    # month reaches the rules as missing: services/households.Person.held_on.)
    documented = (K.BIRTH_REGISTRATION, K.CITIZENSHIP, K.RESIDENCE, K.ID_CARD)
    waiting = PersonFacts("p1", "Jovan", 30, holding(*documented, K.HEALTH_CERTIFICATE))
    plan = plan_for(waiting, shipped)
    assert plan.item("health-insurance").state == DONE
    assert "health-insurance" not in [i.checklist.id for i in plan.actionable]
    assert K.HEALTH_INSURANCE not in plan.held  # the card itself is not in hand
    uninsured = PersonFacts("p1", "Jovan", 30, holding(*documented))
    assert plan_for(uninsured, shipped).item("health-insurance").state == READY


def test_child_health_insurance_is_not_hard_blocked_on_a_parents_id_card(shipped):
    # domain.md §5: the child basis is UNCONFIRMED against the 2019 law, so the parent's
    # ID card is a "check with the office" item on the apply step, not a prerequisite.
    mother = PersonFacts("m1", "Ana", 30, holding(K.BIRTH_REGISTRATION))
    child = PersonFacts("c1", "Marko", 8, holding(K.BIRTH_REGISTRATION), mother_id="m1")
    plan = plan_for(child, shipped, mother)
    assert plan.item("health-insurance").state == READY
    apply = shipped.get("health-insurance").step("apply-at-rfzo")
    assert "bring" in apply.verify_locally
    assert any("parent" in thing.en for thing in apply.bring)


# --- documents held (QA finding 3) -----------------------------------------------------


def test_an_id_card_holder_is_not_sent_to_late_registration(shipped):
    holder = PersonFacts(
        "p1", "Jovan", 40,
        {K.ID_CARD: HAVE, K.BIRTH_REGISTRATION: MISSING, K.CITIZENSHIP: MISSING,
         K.RESIDENCE: MISSING},
    )  # fmt: skip
    plan = plan_for(holder, shipped)
    actionable = [i.checklist.id for i in plan.actionable]
    assert actionable == ["residence-registration", "health-insurance"]
    assert plan.item("residence-registration").blockers == []
    assert plan.item("late-birth-registration").state == "done"
    assert plan.corrections == {K.BIRTH_REGISTRATION: K.ID_CARD, K.CITIZENSHIP: K.ID_CARD}


# --- the court route (QA finding 4) ----------------------------------------------------


def test_the_court_is_offered_beside_late_registration_not_after_a_refusal(shipped):
    # domain.md §1.3: whoever cannot prove time and place of birth under the registry
    # rules may petition the court; a prior refusal is not named as a condition.
    adult = PersonFacts("p1", "Dragan", 34, holding())
    plan = plan_for(adult, shipped)
    court = plan.item("court-birth-determination")
    assert court is not None and court.state == READY
    assert court.alternative_to == "late-birth-registration"
    # The administrative route stays the next step; the court is an "or", not a second
    # thing to do.
    assert plan.actionable[0].checklist.id == "late-birth-registration"
    assert court not in plan.actionable
    assert plan.alternatives == [court]


def test_after_a_refusal_the_court_is_the_route(shipped):
    from docassist.domain.model import CaseStatus, Outcome
    from docassist.procedures import CaseFacts

    refused = CaseFacts("late-birth-registration", 1, CaseStatus.CLOSED, Outcome.REFUSED)
    adult = PersonFacts("p1", "Dragan", 34, holding(), cases=(refused,))
    plan = plan_for(adult, shipped)
    assert plan.item("late-birth-registration") is None
    court = plan.item("court-birth-determination")
    assert court.alternative_to is None and court in plan.actionable


def test_the_court_route_is_not_for_babies_or_the_registered(shipped):
    baby = PersonFacts("b1", "Baby", 0, holding())
    assert plan_for(baby, shipped).item("court-birth-determination") is None
    registered = PersonFacts("p1", "Dragan", 34, holding(K.BIRTH_REGISTRATION))
    plan = plan_for(registered, shipped)
    assert plan.item("court-birth-determination") is None
    assert plan.item("late-birth-registration").state == "done"


def test_a_blocked_late_registration_does_not_make_the_court_the_next_step(shipped):
    mother = PersonFacts("m1", "Sanela", 29, holding(K.BIRTH_REGISTRATION))
    child = PersonFacts("c1", "Emina", 7, holding(), mother_id="m1")
    plan = plan_for(child, shipped, mother)
    assert plan.item("late-birth-registration").state == BLOCKED
    assert plan.item("court-birth-determination").alternative_to == "late-birth-registration"
    assert plan.actionable == []


def test_the_court_summary_no_longer_requires_a_refusal(shipped):
    court = shipped.get("court-birth-determination")
    assert court.applies.after_refusal_of is None
    assert court.applies.alternative_to == "late-birth-registration"
    assert "refused" not in court.summary.en.split(".")[0]


# --- ordinary registration by the birth date (QA finding 7) ----------------------------


def _documented_mother() -> PersonFacts:
    return PersonFacts("m1", "Ana", 24, holding(*(k for k in K if k != K.IDP_CARD)))


def test_a_three_month_old_is_past_ordinary_registration(shipped):
    # Ages are whole years, so "under one year" matched a 3-month-old and the plan
    # offered ordinary registration with "within 15 days" long gone. With the birth date
    # known, the rule counts days: past the last deadline of the ordinary procedure
    # (the name, 30 days), late registration is the route.
    baby = PersonFacts("b1", "Baby", 0, holding(), mother_id="m1", age_days=90)
    plan = plan_for(baby, shipped, _documented_mother())
    assert plan.item("birth-registration") is None
    late = plan.item("late-birth-registration")
    assert late.state == READY and plan.actionable[0] is late


def test_a_ten_day_old_gets_ordinary_registration(shipped):
    baby = PersonFacts("b1", "Baby", 0, holding(), mother_id="m1", age_days=10)
    plan = plan_for(baby, shipped, _documented_mother())
    assert plan.actionable[0].checklist.id == "birth-registration"
    assert plan.item("late-birth-registration") is None


def test_without_an_exact_birth_date_whole_years_decide(shipped):
    baby = PersonFacts("b1", "Baby", 0, holding(), mother_id="m1")  # born "2026"
    plan = plan_for(baby, shipped, _documented_mother())
    assert plan.actionable[0].checklist.id == "birth-registration"
    assert plan.item("late-birth-registration") is None


# --- issue 15, item 1: deadlines counted from the birth date ---------------------------


def _fatimas_family(baby_days: int) -> tuple[PersonFacts, PersonFacts, PersonFacts]:
    """Fatima has her birth registration but no ID card; her husband holds everything;
    their baby was born at home ``baby_days`` ago."""
    fatima = PersonFacts("m1", "Fatima", 24, holding(K.BIRTH_REGISTRATION, K.CITIZENSHIP))
    father = PersonFacts("f1", "Safet", 27, holding(*(k for k in K if k != K.IDP_CARD)))
    baby = PersonFacts(
        "b1", "Emir", 0, holding(), mother_id="m1", father_id="f1", age_days=baby_days
    )
    return fatima, father, baby


def test_a_home_birth_is_reported_now_even_though_the_mother_has_no_id_card(shipped):
    from datetime import timedelta

    fatima, father, baby = _fatimas_family(20)
    plan = plan_for(baby, shipped, fatima, father)
    registration = plan.item("birth-registration")
    # Reporting is not blocked by the mother's missing ID card: the entry waits on it.
    assert registration.state == READY and not registration.blocked
    assert plan.actionable[0] is registration
    assert registration.next_step.key == "report-birth"
    [later] = registration.later
    assert later.render() == "Waiting for Fatima: ID card"
    assert later.from_title.en == "Entry in the register and JMBG"
    # The dates of the law, counted from the birth: the report is late, the name is not.
    born = TODAY - timedelta(days=20)
    assert [(d.step.key, d.due, d.passed) for d in registration.deadlines] == [
        ("report-birth", born + timedelta(days=15), True),
        ("give-name", born + timedelta(days=30), False),
    ]
    passed = registration.deadlines[0].step.after_deadline
    assert "ask the registrar whether late registration is needed" in passed.en
    # Fatima's plan says her baby waits on her ID card.
    hers = plan_for(fatima, shipped, baby, father)
    needed = [(n.checklist, n.person_id) for n in hers.item("id-card").needed_for]
    assert ("birth-registration", "b1") in needed


def test_ten_days_after_the_birth_no_deadline_has_passed(shipped):
    fatima, father, baby = _fatimas_family(10)
    registration = plan_for(baby, shipped, fatima, father).item("birth-registration")
    assert [d.passed for d in registration.deadlines] == [False, False]


def test_once_reported_and_named_the_entry_waits_for_the_mother(shipped):
    from docassist.domain.model import CaseStatus, StepStatus
    from docassist.procedures import CaseFacts

    fatima, father, baby = _fatimas_family(25)
    case = CaseFacts(
        "birth-registration", 2, CaseStatus.OPEN,
        step_statuses={"report-birth": StepStatus.DONE, "give-name": StepStatus.DONE},
    )  # fmt: skip
    from dataclasses import replace

    plan = plan_for(replace(baby, cases=(case,)), shipped, fatima, father)
    registration = plan.item("birth-registration")
    assert registration.next_step.key == "entry-and-jmbg"
    assert registration.blocked and registration.later == []
    assert registration.deadlines == ()  # both dated steps are done


# --- issue 15, item 2: the family chain, both ways and transitively --------------------


def test_the_mothers_plan_names_the_child_waiting_two_levels_down(shipped):
    # Fatima: registered, citizen, no residence and so no ID card; Emir, 5, was never
    # registered and his late registration waits on her ID card.
    fatima = PersonFacts("m1", "Fatima", 26, holding(K.BIRTH_REGISTRATION, K.CITIZENSHIP))
    emir = PersonFacts("c1", "Emir", 5, holding(), mother_id="m1")
    hers = plan_for(fatima, shipped, emir)
    residence, card = hers.item("residence-registration"), hers.item("id-card")
    assert residence in hers.actionable and card.state == BLOCKED
    # The blocked ID card still names who waits on it.
    assert ("late-birth-registration", "c1", None) in [
        (n.checklist, n.person_id, n.via) for n in card.needed_for
    ]
    # Residence -> ID card -> Emir's registration: the residence names him too.
    assert ("late-birth-registration", "c1", "id-card") in [
        (n.checklist, n.person_id, n.via) for n in residence.needed_for
    ]
    # And his plan says he waits for her.
    his = plan_for(emir, shipped, fatima)
    assert blockers(his, "late-birth-registration") == [(PREREQUISITE_FAMILY, "mother", "id-card")]


def test_the_chain_goes_down_the_generations(shipped):
    # Grandmother Ruža has no ID card; her daughter Sanela (17) was never registered
    # and waits on it; Sanela's baby waits on Sanela's own ID card.
    ruza = PersonFacts("g1", "Ruža", 50, holding(K.BIRTH_REGISTRATION, K.CITIZENSHIP, K.RESIDENCE))
    sanela = PersonFacts("m1", "Sanela", 17, holding(), mother_id="g1")
    baby = PersonFacts("b1", "Luka", 1, holding(), mother_id="m1")
    plan = plan_for(ruza, shipped, sanela, baby)
    card = plan.item("id-card")
    needed = [(n.checklist, n.person_id, n.via, n.via_person_id) for n in card.needed_for]
    assert ("late-birth-registration", "m1", None, None) in needed
    assert ("late-birth-registration", "b1", "late-birth-registration", "m1") in needed


# --- issue 15, item 3: born in Kosovo -------------------------------------------------


def _bajram(**changes) -> PersonFacts:
    """An IDP born in Priština in 1985; whether his birth is registered is not known."""
    from dataclasses import replace

    bajram = PersonFacts(
        "p1", "Bajram", 41, {K.CITIZENSHIP: DocumentState.UNKNOWN},
        frozenset({PersonStatus.IDP}), born_in="kosovo", place_of_birth="Priština",
    )  # fmt: skip
    return replace(bajram, **changes)


def test_an_idp_born_in_kosovo_gets_the_relocated_books_not_late_registration(shipped):
    plan = plan_for(_bajram(), shipped)
    books = plan.item("kosovo-relocated-books")
    assert books is not None and plan.actionable[0] is books
    # Not the office of his place of birth, and no court: he may be in a Kosovo book.
    assert plan.item("late-birth-registration") is None
    assert plan.item("court-birth-determination") is None
    assert K.BIRTH_REGISTRATION not in plan.held
    # What needs his birth entry waits on this route.
    assert [n.checklist for n in books.needed_for][:1] == ["citizenship-certificate"]


def test_when_the_books_hold_no_entry_late_registration_and_the_court_come_back(shipped):
    from docassist.domain.model import CaseStatus, Outcome
    from docassist.procedures import CaseFacts

    refused = CaseFacts("kosovo-relocated-books", 1, CaseStatus.CLOSED, Outcome.REFUSED)
    plan = plan_for(_bajram(cases=(refused,)), shipped)
    assert plan.item("kosovo-relocated-books") is None
    assert plan.actionable[0].checklist.id == "late-birth-registration"
    assert plan.item("court-birth-determination").alternative_to == "late-birth-registration"


def test_someone_born_in_serbia_keeps_late_registration(shipped):
    plan = plan_for(_bajram(born_in=None, place_of_birth="Niš"), shipped)
    assert plan.item("kosovo-relocated-books") is None
    assert plan.actionable[0].checklist.id == "late-birth-registration"


# --- issue 15, item 4: born abroad ----------------------------------------------------------


def test_a_child_born_in_dortmund_has_the_foreign_birth_entered_not_the_court(shipped):
    returnee = frozenset({PersonStatus.RETURNEE})
    mother = PersonFacts("m1", "Selvija", 31, holding(*(k for k in K if k != K.IDP_CARD)),
                         returnee)  # fmt: skip
    child = PersonFacts("c1", "Denis", 9, holding(), returnee, mother_id="m1",
                        born_in="abroad", place_of_birth="Dortmund")  # fmt: skip
    plan = plan_for(child, shipped, mother)
    entry = plan.item("foreign-birth-entry")
    assert plan.actionable[0] is entry
    assert entry.next_step.key == "foreign-certificate"
    assert plan.item("court-birth-determination") is None
    assert plan.item("late-birth-registration") is None
    # domain.md has no procedure: the file and every step say "check with the office".
    checklist = shipped.get("foreign-birth-entry")
    assert "international form" in checklist.summary.en
    assert all({"where", "cost", "duration"} <= s.verify_locally for s in checklist.steps[:2])


# --- issue 15, item 5: a refusal outweighs a tick ---------------------------------------


def test_a_refused_registration_beats_the_entry_a_citizenship_tick_implies(shipped):
    from docassist.domain.model import CaseStatus, Outcome
    from docassist.procedures import CaseFacts

    refused = CaseFacts("late-birth-registration", 1, CaseStatus.CLOSED, Outcome.REFUSED)
    senada = PersonFacts(
        "p1", "Senada", 36,
        {K.BIRTH_REGISTRATION: MISSING, K.CITIZENSHIP: HAVE, K.RESIDENCE: MISSING},
        cases=(refused,),
    )  # fmt: skip
    plan = plan_for(senada, shipped)
    assert K.BIRTH_REGISTRATION not in plan.held
    assert plan.disputed == {K.BIRTH_REGISTRATION: K.CITIZENSHIP}
    assert plan.corrections == {}
    # The court route stays: it is the route after the refusal.
    court = plan.item("court-birth-determination")
    assert court is not None and court in plan.actionable
    # What needs the birth entry waits on it, through the court.
    assert blockers(plan, "residence-registration") == [
        (PREREQUISITE_SELF, "self", "birth-registration")
    ]


def test_an_entry_obtained_after_the_refusal_settles_it(shipped):
    from docassist.domain.model import CaseStatus, Outcome
    from docassist.procedures import CaseFacts

    refused = CaseFacts("late-birth-registration", 1, CaseStatus.CLOSED, Outcome.REFUSED)
    won = CaseFacts("court-birth-determination", 2, CaseStatus.DONE, Outcome.OBTAINED)
    senada = PersonFacts(
        "p1", "Senada", 36, {K.BIRTH_REGISTRATION: MISSING, K.CITIZENSHIP: HAVE},
        cases=(refused, won),
    )  # fmt: skip
    plan = plan_for(senada, shipped)
    assert plan.disputed == {}
    assert K.BIRTH_REGISTRATION in plan.held


# --- issue 15, item 6: the court's Kosovo check is for Kosovo births and IDPs only -----------


def test_the_court_starts_with_the_kosovo_check_only_for_kosovo_births_or_idps(shipped):
    from docassist.domain.model import CaseStatus, Outcome
    from docassist.procedures import CaseFacts

    late = CaseFacts("late-birth-registration", 1, CaseStatus.CLOSED, Outcome.REFUSED)
    books = CaseFacts("kosovo-relocated-books", 1, CaseStatus.CLOSED, Outcome.REFUSED)
    born_here = PersonFacts("p1", "Dragan", 34, holding(), cases=(late,))
    court = plan_for(born_here, shipped).item("court-birth-determination")
    assert court.next_step.key == "get-legal-aid"
    idp = PersonFacts("p2", "Bajram", 40, holding(), frozenset({PersonStatus.IDP}),
                      cases=(late,))  # fmt: skip
    assert plan_for(idp, shipped).item("court-birth-determination").next_step.key == (
        "check-kosovo-books"
    )
    kosovo = PersonFacts("p3", "Ramiz", 40, holding(), cases=(books, late), born_in="kosovo")
    assert plan_for(kosovo, shipped).item("court-birth-determination").next_step.key == (
        "check-kosovo-books"
    )
    step = shipped.get("court-birth-determination").step("check-kosovo-books")
    assert step.only_if.born_in == {"kosovo"} and step.only_if.status == {PersonStatus.IDP}


def test_the_id_card_checklist_is_titled_for_a_renewal_too(shipped):
    # The same checklist serves a first card and a new one when the old has run out
    # (an expired card counts as not held, domain.validity): "First ID card" was wrong
    # on every renewal's case, dashboard line and family plan.
    title = shipped.get("id-card").title
    assert (title.en, title.get("sr")[0], title.get("rom")[0]) == (
        "ID card",
        "Лична карта",
        "Lična karta",
    )
    returnee = shipped.get("returnee-readmission")
    texts = [t for s in returnee.steps if s.where for t in (s.where.en, s.where.get("sr")[0])]
    assert not [t for t in texts if "First ID card" in t or "Прва лична карта" in t]
