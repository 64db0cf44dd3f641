"""The next-steps rules, on realistic family situations over the fixture checklists.

The fixtures (tests/fixtures/checklists/valid) model the real chain: ordinary
registration for babies, late registration instead of it later on, a court route after a
refusal, citizenship, residence, ID card (version 2), health insurance, an IDP card and a
returnee route that produces no document.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docassist.domain.model import (
    CaseStatus,
    DocumentKind,
    DocumentState,
    Outcome,
    PersonStatus,
    StepStatus,
)
from docassist.procedures import (
    BLOCKED,
    DONE,
    FAMILY_UNKNOWN,
    IN_PROGRESS,
    NOT_APPLICABLE,
    PREREQUISITE_FAMILY,
    PREREQUISITE_SELF,
    READY,
    STATES,
    STEP_BLOCKED,
    CaseFacts,
    ChecklistSet,
    PersonFacts,
    PersonPlan,
    next_steps,
    validate_files,
)

# The day the plans are made for: rules take it from their caller, never the real clock.
TODAY = date(2026, 11, 23)

VALID = Path(__file__).parents[1] / "fixtures" / "checklists" / "valid"
HAVE, MISSING = DocumentState.HAVE, DocumentState.MISSING
K = DocumentKind


@pytest.fixture(scope="module")
def checklists() -> ChecklistSet:
    loaded, problems = validate_files(sorted(VALID.glob("*.toml")))
    assert problems == []
    return ChecklistSet(loaded)


def holding(*have: DocumentKind, missing: bool = True) -> dict[DocumentKind, DocumentState]:
    """Documents: ``have`` held, every other kind recorded as missing (or left unknown)."""
    documents = {kind: MISSING for kind in DocumentKind} if missing else {}
    documents.update(dict.fromkeys(have, HAVE))
    return documents


EVERYTHING = (
    K.BIRTH_REGISTRATION,
    K.CITIZENSHIP,
    K.RESIDENCE,
    K.ID_CARD,
    K.HEALTH_INSURANCE,
)


def plan_for(person, checklists, *relatives, **kwargs) -> PersonPlan:
    family = {p.id: p for p in (person, *relatives)}
    kwargs.setdefault("today", TODAY)
    plan = next_steps(person, family, checklists, **kwargs)
    assert_well_formed(plan)
    return plan


def assert_well_formed(plan: PersonPlan) -> None:
    """Invariants every plan keeps, checked in every test and in the property test."""
    groups = []
    for item in plan.items:
        assert item.state in STATES
        if item.state == NOT_APPLICABLE:
            groups.append(3)
        elif item.state == DONE:
            groups.append(2)
            assert item.next_step is None
        else:
            groups.append(1 if item.blocked else 0)
        if item.state == BLOCKED:
            assert item.blocked
        if item.state == READY:
            assert not item.blocked
        if item.next_step is not None:
            assert item.next_step in item.checklist.steps
        if item.newer_version:
            assert item.state == IN_PROGRESS
    assert groups == sorted(groups), "actionable, then blocked, then done"


def states(plan: PersonPlan) -> dict[str, str]:
    return {item.checklist.id: item.state for item in plan.items}


# ------------------------------------------------------------------- families


def test_newborn_with_documented_mother_is_ready_to_register(checklists):
    mother = PersonFacts("m1", "Ana", 24, holding(*EVERYTHING))
    baby = PersonFacts("b1", "Baby", 0, holding(), mother_id="m1")
    plan = plan_for(baby, checklists, mother)

    first = plan.items[0]
    assert (first.checklist.id, first.state, first.blockers) == ("birth-registration", READY, [])
    assert first.next_step.key == "report-birth"
    # Late registration and the court route do not concern a baby.
    assert plan.item("late-birth-registration") is None
    assert plan.item("birth-registration-court") is None
    citizenship = plan.item("citizenship-certificate")
    assert citizenship.state == BLOCKED
    assert [b.checklist for b in citizenship.blockers] == ["birth-registration"]


def test_child_born_at_home_waits_for_the_mothers_id_card(checklists):
    """The required example: 7 years old, never registered, mother has no ID card."""
    mother = PersonFacts(
        "m1",
        "Ana",
        29,
        holding(K.BIRTH_REGISTRATION, K.CITIZENSHIP, K.RESIDENCE),
    )
    child = PersonFacts("c1", "Marko", 7, holding(), mother_id="m1")
    plan = plan_for(child, checklists, mother)

    late = plan.item("late-birth-registration")
    assert late.state == BLOCKED and late.blocked
    [blocker] = late.blockers
    assert blocker.kind == PREREQUISITE_FAMILY
    assert (blocker.who, blocker.checklist, blocker.document) == ("mother", "id-card", K.ID_CARD)
    assert (blocker.person_id, blocker.person_name) == ("m1", "Ana")
    reason = checklists.get("late-birth-registration").prerequisites[0].reason
    assert blocker.reason == reason
    assert blocker.render() == "Waiting for Ana: ID card"
    # Ordinary registration is replaced by late registration (instead_of).
    assert plan.item("birth-registration") is None
    hidden = plan_for(child, checklists, mother, include_not_applicable=True)
    assert hidden.item("birth-registration").state == NOT_APPLICABLE
    # The ID card item belongs to the mother's plan, not the child's.
    assert plan.item("id-card") is None

    mothers = plan_for(mother, checklists, child)
    card = mothers.item("id-card")
    assert card.state == READY
    assert card.next_step == checklists.get("id-card").steps[0]
    assert [(n.checklist, n.person_id, n.who) for n in card.needed_for] == [
        ("late-birth-registration", "c1", "mother")
    ]
    assert mothers.items[0].state == READY


def test_mother_without_citizenship_sees_her_id_card_blocked(checklists):
    mother = PersonFacts("m1", "Ana", 29, holding(K.BIRTH_REGISTRATION, K.RESIDENCE))
    child = PersonFacts("c1", "Marko", 7, holding(), mother_id="m1")
    plan = plan_for(mother, checklists, child)
    card = plan.item("id-card")
    assert card.state == BLOCKED
    assert [(b.kind, b.checklist) for b in card.blockers] == [
        (PREREQUISITE_SELF, "citizenship-certificate")
    ]
    assert card.blockers[0].render() == "Citizenship certificate needed first"
    assert plan.item("citizenship-certificate").state == READY
    # The citizenship item knows it unblocks her ID card, and through it Marko's
    # registration (the chain read transitively, issue 15 item 2).
    assert [
        (n.checklist, n.person_id, n.via) for n in plan.item("citizenship-certificate").needed_for
    ] == [("id-card", "m1", None), ("late-birth-registration", "c1", "id-card")]


def test_refusal_on_the_administrative_route_opens_the_court_route(checklists):
    refused = CaseFacts(
        "late-birth-registration",
        1,
        CaseStatus.CLOSED,
        Outcome.REFUSED,
        {"gather-evidence": StepStatus.DONE, "file-request": StepStatus.DONE},
    )
    adult = PersonFacts("p1", "Dragan", 34, holding(), cases=(refused,))
    plan = plan_for(adult, checklists)
    court = plan.item("birth-registration-court")
    assert court.state == READY
    assert court.next_step.key == "file-petition"
    # The refused route gives way to the follow-up route.
    assert plan.item("late-birth-registration") is None

    not_refused = plan_for(replace(adult, cases=()), checklists)
    assert not_refused.item("birth-registration-court") is None
    assert not_refused.item("late-birth-registration").state == READY

    # An abandoned attempt is not a refusal: the administrative route is offered again.
    abandoned = replace(refused, outcome=Outcome.ABANDONED)
    again = plan_for(replace(adult, cases=(abandoned,)), checklists)
    assert again.item("birth-registration-court") is None
    assert again.item("late-birth-registration").case == abandoned


def test_an_open_case_with_an_outcome_is_still_open(checklists):
    # The app never writes this (closing sets the status with the outcome), but a row
    # edited by hand can hold it. The rules used to call it finished, refused, and
    # offer the court route, while the register counted it open and refused a second
    # case: the status decides everywhere now (domain.model.ACTIVE_CASE_STATUSES).
    stale = CaseFacts(
        "late-birth-registration",
        1,
        CaseStatus.OPEN,
        Outcome.REFUSED,
        {"gather-evidence": StepStatus.DONE},
    )
    assert stale.is_open
    adult = PersonFacts("p1", "Dragan", 34, holding(), cases=(stale,))
    plan = plan_for(adult, checklists)
    assert plan.item("late-birth-registration").state == IN_PROGRESS
    assert plan.item("late-birth-registration").case == stale
    assert plan.item("birth-registration-court") is None
    # Closed with the same outcome, it is the refusal that opens the court route.
    closed = replace(stale, status=CaseStatus.CLOSED)
    assert not closed.is_open
    assert (
        plan_for(replace(adult, cases=(closed,)), checklists).item("birth-registration-court").state
        == READY
    )


def test_returnee_with_only_a_travel_document(checklists):
    returnee = PersonFacts(
        "r1",
        "Fatima",
        35,
        holding(K.TRAVEL_DOCUMENT),
        statuses=frozenset({PersonStatus.RETURNEE}),
    )
    plan = plan_for(returnee, checklists)
    route = plan.item("returnee-route")
    assert route.state == READY and route.next_step.key == "report-to-office"
    # The mother's ID card is asked for only for minors (age_max 18 on the prerequisite).
    late = plan.item("late-birth-registration")
    assert (late.state, late.blockers) == (READY, [])
    card = plan.item("id-card")
    assert card.state == BLOCKED
    assert [b.checklist for b in card.blockers] == [
        "birth-registration",
        "citizenship-certificate",
        "residence",
    ]
    assert plan.item("idp-card") is None
    assert {i.checklist.id for i in plan.actionable} == {
        "late-birth-registration",
        "returnee-route",
    }


def test_route_without_a_document_is_done_only_by_its_case(checklists):
    finished = CaseFacts("returnee-route", 1, CaseStatus.DONE, None)
    returnee = PersonFacts(
        "r1", "Fatima", 35, holding(*EVERYTHING), frozenset({PersonStatus.RETURNEE}),
        cases=(finished,),
    )  # fmt: skip
    assert plan_for(returnee, checklists).item("returnee-route").state == DONE
    fresh = plan_for(replace(returnee, cases=()), checklists)
    assert fresh.item("returnee-route").state == READY


def test_idp_adult_missing_the_idp_card(checklists):
    idp = PersonFacts("i1", "Bajram", 41, holding(*EVERYTHING), frozenset({PersonStatus.IDP}))
    plan = plan_for(idp, checklists)
    card = plan.item("idp-card")
    assert (card.state, card.blockers) == (READY, [])
    assert card.next_step.key == "apply-to-trustee"
    assert [i.checklist.id for i in plan.actionable] == ["idp-card"]

    domicile = replace(idp, statuses=frozenset({PersonStatus.DOMICILE}))
    assert plan_for(domicile, checklists).item("idp-card") is None

    without_id = replace(idp, documents=holding(K.BIRTH_REGISTRATION, K.CITIZENSHIP))
    plan = plan_for(without_id, checklists)
    assert [b.checklist for b in plan.item("idp-card").blockers] == ["id-card"]
    assert plan.item("id-card").state == BLOCKED  # residence still missing
    assert plan.item("residence").state == READY


def test_seventeen_year_old_without_residence(checklists):
    teen = PersonFacts("t1", "Sara", 17, holding(K.BIRTH_REGISTRATION, K.CITIZENSHIP))
    plan = plan_for(teen, checklists)
    card = plan.item("id-card")
    assert card.state == BLOCKED
    [blocker] = card.blockers
    assert (blocker.kind, blocker.checklist, blocker.who) == (
        PREREQUISITE_SELF,
        "residence",
        "self",
    )
    assert blocker.reason == checklists.get("id-card").prerequisites[2].reason
    residence = plan.item("residence")
    assert residence.state == READY
    # Health insurance asks for residence only from 18, so only the ID card waits on it.
    assert [n.checklist for n in residence.needed_for] == ["id-card"]
    assert plan.item("health-insurance").state == READY
    assert plan.item("late-birth-registration").state == DONE


def test_person_with_every_document_is_done(checklists):
    person = PersonFacts("p1", "Jovan", 45, holding(*EVERYTHING))
    plan = plan_for(person, checklists)
    assert plan.items and all(item.state == DONE for item in plan.items)
    assert plan.actionable == []
    # One route per document: the one that fits their age.
    assert {i.checklist.id for i in plan.items} == {
        "late-birth-registration",
        "citizenship-certificate",
        "residence",
        "id-card",
        "health-insurance",
    }


def test_unrecorded_mother_is_a_note_not_a_blocker(checklists):
    child = PersonFacts("c1", "Marko", 7, holding())
    plan = plan_for(child, checklists)
    late = plan.item("late-birth-registration")
    assert late.state == READY and not late.blocked
    [note] = late.blockers
    assert note.kind == FAMILY_UNKNOWN and not note.blocking
    assert late.notes == [note]
    assert (note.who, note.person_id, note.checklist) == ("mother", None, "id-card")
    assert note.render() == "Mother not recorded. Check: ID card"
    assert late in plan.actionable

    # A mother id that points at nobody in the family counts as not recorded.
    dangling = replace(child, mother_id="someone-else")
    assert plan_for(dangling, checklists).item("late-birth-registration").notes


def test_case_on_an_older_version_keeps_its_progress(checklists):
    old_case = CaseFacts(
        "id-card",
        1,
        CaseStatus.OPEN,
        step_statuses={"pay-fee": StepStatus.DONE, "retired-step": StepStatus.DONE},
    )
    person = PersonFacts(
        "p1", "Jovan", 30,
        holding(K.BIRTH_REGISTRATION, K.CITIZENSHIP, K.RESIDENCE),
        cases=(old_case,),
    )  # fmt: skip
    card = plan_for(person, checklists).item("id-card")
    assert card.state == IN_PROGRESS
    assert card.newer_version is True
    assert card.case == old_case
    # "pay-fee" stays done; the step added in version 2 is next.
    assert card.next_step.key == "take-photo"

    current = replace(old_case, checklist_version=2)
    card = plan_for(replace(person, cases=(current,)), checklists).item("id-card")
    assert card.newer_version is False


def test_open_case_reports_blocked_steps_and_unmet_prerequisites(checklists):
    case = CaseFacts(
        "id-card",
        2,
        CaseStatus.BLOCKED,
        step_statuses={"pay-fee": StepStatus.DONE, "take-photo": StepStatus.BLOCKED},
    )
    person = PersonFacts("p1", "Jovan", 30, holding(K.BIRTH_REGISTRATION, K.CITIZENSHIP),
                         cases=(case,))  # fmt: skip
    plan = plan_for(person, checklists)
    card = plan.item("id-card")
    assert card.state == IN_PROGRESS and card.blocked
    assert [(b.kind, b.checklist) for b in card.blockers] == [
        (PREREQUISITE_SELF, "residence"),
        (STEP_BLOCKED, "id-card"),
    ]
    step_blocker = card.blockers[1]
    assert step_blocker.step_key == "take-photo"
    assert step_blocker.render() == "Step blocked: Photo and fingerprints"
    assert step_blocker.render(lang="sr") == "Step blocked: Фотографисање и отисци прстију"
    assert card.next_step.key == "take-photo"
    # Blocked work comes after what can be done now.
    assert plan.items[0].checklist.id == "residence"


def test_all_steps_done_but_no_outcome_yet(checklists):
    case = CaseFacts(
        "citizenship-certificate", 1, CaseStatus.OPEN,
        step_statuses={"request-certificate": StepStatus.SKIPPED},
    )  # fmt: skip
    person = PersonFacts("p1", "Jovan", 30, holding(K.BIRTH_REGISTRATION), cases=(case,))
    item = plan_for(person, checklists).item("citizenship-certificate")
    assert (item.state, item.next_step) == (IN_PROGRESS, None)


def test_obtained_case_is_done_even_before_documents_are_updated(checklists):
    case = CaseFacts("citizenship-certificate", 1, CaseStatus.CLOSED, Outcome.OBTAINED)
    person = PersonFacts("p1", "Jovan", 30, holding(K.BIRTH_REGISTRATION), cases=(case,))
    item = plan_for(person, checklists).item("citizenship-certificate")
    assert item.state == DONE and item.case == case


def test_open_case_wins_over_instead_of_and_no_second_route_is_offered(checklists):
    # Registration began when the child was a baby; the child has since turned five.
    case = CaseFacts("birth-registration", 1, CaseStatus.OPEN,
                     step_statuses={"report-birth": StepStatus.DONE})  # fmt: skip
    mother = PersonFacts("m1", "Ana", 24, holding(*EVERYTHING))
    child = PersonFacts("c1", "Marko", 5, holding(), mother_id="m1", cases=(case,))
    plan = plan_for(child, checklists, mother)
    assert plan.item("birth-registration").state == IN_PROGRESS
    assert plan.item("birth-registration").next_step.key == "collect-extract"
    assert plan.item("late-birth-registration") is None


def test_unknown_age_and_unknown_documents_still_give_a_plan(checklists):
    person = PersonFacts("p1", "Nepoznata", None, {})
    plan = plan_for(person, checklists)
    # With no age both registration routes fit; the replacing one wins.
    assert plan.item("late-birth-registration").state == READY
    assert plan.item("birth-registration") is None
    assert plan.item("id-card").state == BLOCKED


# -------------------------------------------------------- rule variants (data)


def with_prerequisite_who(checklists: ChecklistSet, checklist_id: str, who: str) -> ChecklistSet:
    changed = []
    for checklist in checklists:
        if checklist.id == checklist_id:
            prereqs = tuple(replace(p, who=who) for p in checklist.prerequisites)
            checklist = replace(checklist, prerequisites=prereqs)
        changed.append(checklist)
    return ChecklistSet(changed)


def test_a_parent_is_met_by_either_parent(checklists):
    variant = with_prerequisite_who(checklists, "late-birth-registration", "a_parent")
    mother = PersonFacts("m1", "Ana", 30, holding())
    father = PersonFacts("f1", "Petar", 33, holding(*EVERYTHING))
    child = PersonFacts("c1", "Marko", 7, holding(), mother_id="m1", father_id="f1")

    def late(*relatives, person=child):
        return plan_for(person, variant, *relatives).item("late-birth-registration")

    assert late(mother, father).blockers == []
    both_without = late(mother, replace(father, documents=holding()))
    [blocker] = both_without.blockers
    assert (blocker.kind, blocker.person_id) == (PREREQUISITE_FAMILY, None)
    assert blocker.render() == "Waiting for a parent: ID card"
    # Only the mother is recorded (and lacks it): she is named.
    [blocker] = late(mother, person=replace(child, father_id=None)).blockers
    assert (blocker.person_id, blocker.render()) == ("m1", "Waiting for Ana: ID card")
    [note] = late(person=replace(child, mother_id=None, father_id=None)).blockers
    assert note.kind == FAMILY_UNKNOWN
    assert note.render() == "Parents not recorded. Check: ID card"


def test_father_prerequisite(checklists):
    variant = with_prerequisite_who(checklists, "late-birth-registration", "father")
    father = PersonFacts("f1", "Petar", 33, holding())
    child = PersonFacts("c1", "Marko", 7, holding(), father_id="f1")
    [blocker] = plan_for(child, variant, father).item("late-birth-registration").blockers
    assert (blocker.who, blocker.person_id) == ("father", "f1")
    [note] = (
        plan_for(replace(child, father_id=None), variant).item("late-birth-registration").blockers
    )
    assert note.render() == "Father not recorded. Check: ID card"
    fathers = plan_for(father, variant, child)
    assert [n.who for n in fathers.item("id-card").needed_for] == ["father"]


def test_hidden_prerequisite_is_brought_into_the_plan(checklists):
    # Make the ID card apply only from 16, and the IDP card need it at any age: a
    # 12-year-old IDP must still see the ID card item, or the block has no way out.
    changed = []
    for checklist in checklists:
        if checklist.id == "id-card":
            checklist = replace(checklist, applies=replace(checklist.applies, age_min=16))
        if checklist.id == "idp-card":
            prereqs = tuple(replace(p, age_min=None) for p in checklist.prerequisites)
            checklist = replace(checklist, prerequisites=prereqs)
        changed.append(checklist)
    variant = ChecklistSet(changed)
    child = PersonFacts(
        "c1", "Lena", 12, holding(K.BIRTH_REGISTRATION, K.CITIZENSHIP, K.RESIDENCE),
        frozenset({PersonStatus.IDP}),
    )  # fmt: skip
    plan = plan_for(child, variant)
    assert plan.item("idp-card").state == BLOCKED
    card = plan.item("id-card")
    assert card.state == READY
    assert [n.checklist for n in card.needed_for] == ["idp-card"]


def test_translated_rendering(checklists):
    catalogue = {
        "Waiting for {name}: {document}": "Čeka se {name}: {document}",
        "ID card": "lična karta",
    }
    mother = PersonFacts("m1", "Ana", 29, holding())
    child = PersonFacts("c1", "Marko", 7, holding(), mother_id="m1")
    [blocker] = plan_for(child, checklists, mother).item("late-birth-registration").blockers
    assert blocker.render(lambda s: catalogue.get(s, s)) == "Čeka se Ana: lična karta"


# ------------------------------------------------------------------ property


DOCUMENT_STATES = st.sampled_from(list(DocumentState))


@st.composite
def cases(draw, checklist_ids):
    checklist_id = draw(st.sampled_from(checklist_ids))
    steps = draw(
        st.dictionaries(
            st.sampled_from(["pay-fee", "take-photo", "report-birth", "file-request", "gone"]),
            st.sampled_from(list(StepStatus)),
            max_size=3,
        )
    )
    return CaseFacts(
        checklist_id,
        draw(st.integers(1, 3)),
        draw(st.sampled_from(list(CaseStatus))),
        draw(st.none() | st.sampled_from(list(Outcome))),
        steps,
    )


@st.composite
def people(draw, person_id, checklist_ids):
    return PersonFacts(
        person_id,
        person_id.upper(),
        draw(st.none() | st.integers(0, 90)),
        draw(st.dictionaries(st.sampled_from(list(DocumentKind)), DOCUMENT_STATES)),
        draw(st.frozensets(st.sampled_from(list(PersonStatus)))),
        draw(st.sampled_from([None, "mother", "nobody"])),
        draw(st.sampled_from([None, "father", "nobody"])),
        tuple(draw(st.lists(cases(checklist_ids + ["unknown-checklist"]), max_size=3))),
    )


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_next_steps_never_raises(checklists, data):
    ids = [c.id for c in checklists]
    person = data.draw(people("child", ids))
    mother = data.draw(people("mother", ids))
    father = data.draw(people("father", ids))
    family = {p.id: p for p in (person, mother, father) if data.draw(st.booleans())}
    for who in (person, mother, father):
        plan = next_steps(who, family, checklists, TODAY)
        assert_well_formed(plan)
        assert all(item.state != NOT_APPLICABLE for item in plan.items)
        full = next_steps(who, family, checklists, TODAY, include_not_applicable=True)
        assert_well_formed(full)
        assert {i.checklist.id for i in full.items} == set(ids)


# ------------------------------------------------- what holding a document implies


def test_an_id_card_holder_is_understood_to_be_registered_and_a_citizen(checklists):
    # The ID card's own prerequisites say it needs birth registration and citizenship,
    # so someone who holds one has them, whatever the record says about them.
    person = PersonFacts(
        "p1", "Jovan", 40,
        {K.ID_CARD: HAVE, K.BIRTH_REGISTRATION: MISSING, K.RESIDENCE: MISSING},
    )  # fmt: skip
    plan = plan_for(person, checklists)
    assert plan.item("late-birth-registration").state == DONE
    assert plan.item("citizenship-certificate").state == DONE
    assert K.BIRTH_REGISTRATION in plan.held and K.CITIZENSHIP in plan.held
    assert plan.implied[K.BIRTH_REGISTRATION] == K.ID_CARD
    assert plan.implied[K.CITIZENSHIP] == K.ID_CARD
    # A registry entry recorded as missing contradicts the ID card: the plan says so.
    assert plan.corrections == {K.BIRTH_REGISTRATION: K.ID_CARD}
    # A registered residence can be lost: recorded missing, it stays missing, and its
    # registration is ready rather than "blocked: birth registration needed first".
    residence = plan.item("residence")
    assert (residence.state, residence.blockers) == (READY, [])
    assert K.RESIDENCE not in plan.held
    assert [i.checklist.id for i in plan.actionable] == ["residence"]


def test_an_unrecorded_document_is_filled_in_from_what_the_person_holds(checklists):
    person = PersonFacts("p1", "Jovan", 40, {K.ID_CARD: HAVE})
    plan = plan_for(person, checklists)
    assert set(plan.held) >= {K.ID_CARD, K.CITIZENSHIP, K.BIRTH_REGISTRATION, K.RESIDENCE}
    assert plan.corrections == {}
    assert plan.actionable == [plan.item("health-insurance")]


def test_the_implication_comes_from_the_checklist_data(checklists):
    # Without the ID card's prerequisites nothing follows from holding one.
    loose = ChecklistSet(
        replace(c, prerequisites=()) if c.id == "id-card" else c for c in checklists
    )
    person = PersonFacts("p1", "Jovan", 40, {K.ID_CARD: HAVE, K.BIRTH_REGISTRATION: MISSING})
    plan = plan_for(person, loose)
    assert plan.implied == {}
    assert plan.item("late-birth-registration").state == READY
    # Transitively: a citizenship certificate needs a birth registration.
    only_citizen = PersonFacts("p1", "Jovan", 40, {K.CITIZENSHIP: HAVE})
    assert plan_for(only_citizen, loose).implied == {K.BIRTH_REGISTRATION: K.CITIZENSHIP}


def test_an_age_bound_prerequisite_implies_nothing(checklists):
    # The IDP card asks adults only for an ID card: a card held may date from childhood.
    idp = PersonFacts("i1", "Bajram", 41, {K.IDP_CARD: HAVE}, frozenset({PersonStatus.IDP}))
    assert K.ID_CARD not in plan_for(idp, checklists).held


def test_held_documents_are_not_procedures_done(checklists):
    # Registered at birth, with citizenship: documents held, no procedure gone through.
    adult = PersonFacts("p1", "Jovan", 40, holding(K.BIRTH_REGISTRATION, K.CITIZENSHIP))
    plan = plan_for(adult, checklists)
    assert plan.held == (K.BIRTH_REGISTRATION, K.CITIZENSHIP)
    assert plan.implied == {}
