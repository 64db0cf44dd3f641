"""Issue 15: the printed family plan says what domain.md says, for families met monthly.

Each test builds a family like the one in the issue, in a register whose day is
23.11.2026, and reads the family plan PDF back for the plan's words.
"""

from __future__ import annotations

from datetime import date

import pytest

from docassist.domain.model import DocumentKind, DocumentState, Relation, Sex
from docassist.procedures import load_all
from docassist.services import handouts
from docassist.services import households as hh
from docassist.services.context import Context
from docassist.store.db import open_database
from tests.handouts.test_handouts import pdf_text

TODAY = date(2026, 11, 23)
K, S = DocumentKind, DocumentState
EVERYTHING = {k: S.HAVE for k in K if k not in (K.IDP_CARD, K.TRAVEL_DOCUMENT)}


@pytest.fixture(scope="module")
def checklists():
    return load_all(user=False)


@pytest.fixture
def ctx(tmp_path):
    db = open_database(tmp_path / "register.db")
    yield Context(db, today=lambda: TODAY)
    db.close()


def family(ctx, name: str, parents: list[hh.PersonInput], children=()) -> str:
    """A household: the parents first (head, spouse), then children linked to them."""
    household_id = hh.register_household(
        ctx, hh.HouseholdInput(name, municipality="Niš", consent_date="2026-11-01"), parents
    )
    ids = [m.id for m in hh.get_household(ctx, household_id).members]
    father = next((i for i, p in zip(ids, parents, strict=True) if p.sex == Sex.MALE), None)
    mother = next((i for i, p in zip(ids, parents, strict=True) if p.sex == Sex.FEMALE), None)
    for child in children:
        child.mother_id, child.father_id = mother, father
        hh.add_person(ctx, household_id, child)
    return household_id


def plan_text(ctx, household_id, checklists) -> str:
    return pdf_text(handouts.make_family_plan(ctx, household_id, checklists, "en").data)


# --- item 1: deadlines counted from the birth date ------------------------------------


def test_a_home_birth_plan_gives_the_legal_dates_and_says_when_one_passed(ctx, checklists):
    household_id = family(
        ctx,
        "Bajramović",
        [
            hh.PersonInput("Safet", "Bajramović", Relation.HEAD, Sex.MALE, "1999",
                           documents=EVERYTHING),
            hh.PersonInput("Fatima", "Bajramović", Relation.SPOUSE, Sex.FEMALE, "2002",
                           documents={K.BIRTH_REGISTRATION: S.HAVE, K.CITIZENSHIP: S.HAVE,
                                      K.ID_CARD: S.MISSING}),
        ],
        [hh.PersonInput("Emir", "Bajramović", Relation.CHILD, Sex.MALE, "03.11.2026")],
    )  # fmt: skip
    text = plan_text(ctx, household_id, checklists)
    # Emir's registration can start: the report is not blocked by Fatima's ID card.
    assert "Next step: Birth registration" in text
    assert "Nothing can start yet" not in text
    assert "Blocked: Birth registration" not in text
    assert "Report the birth" in text
    assert "Overdue" not in text  # the paper says the date and what to do, calmly
    assert "Due 18.11.2026" in text
    assert "Report the birth: the deadline was 18.11.2026 and has passed." in text
    assert "ask the registrar whether late registration is needed" in text
    assert "Give the child's name: by 03.12.2026" in text
    later = "Later, for Entry in the register and JMBG: Waiting for Fatima Bajramović: ID card"
    assert later in text
    # Fatima's plan says who waits on her ID card.
    assert "Needed for Emir Bajramović: Birth registration" in text


# --- item 2: the family chain, both ways ------------------------------------------------


def _chain_family(ctx) -> str:
    return family(
        ctx,
        "Mustafić",
        [
            hh.PersonInput("Fatima", "Mustafić", Relation.HEAD, Sex.FEMALE, "2000",
                           documents={K.BIRTH_REGISTRATION: S.HAVE, K.CITIZENSHIP: S.HAVE,
                                      K.RESIDENCE: S.MISSING, K.ID_CARD: S.MISSING}),
        ],
        [hh.PersonInput("Emir", "Mustafić", Relation.CHILD, Sex.MALE, "2021",
                        documents={K.BIRTH_REGISTRATION: S.MISSING})],
    )  # fmt: skip


def test_the_mother_reads_that_her_child_waits_on_her_even_two_levels_down(ctx, checklists):
    text = plan_text(ctx, _chain_family(ctx), checklists)
    mother, child = text.split("Emir Mustafić (Child")
    assert "Next step: Residence registration" in mother
    assert "Needed first for: ID card" in mother
    assert "Needed for Emir Mustafić: Late birth registration (through ID card)" in mother
    blocked = mother.split("Blocked: ID card")[1]
    assert "Needed for Emir Mustafić: Late birth registration" in blocked
    assert "Waiting for Fatima Mustafić: ID card" in child


# --- item 3: Kosovo -----------------------------------------------------------------------


def _idp_family(ctx) -> str:
    from docassist.domain.jmbg import make_jmbg
    from docassist.domain.model import PersonStatus

    idp = frozenset({PersonStatus.IDP})
    return family(
        ctx,
        "Beriša",
        [
            hh.PersonInput("Bajram", "Beriša", Relation.HEAD, Sex.MALE, "14.03.1985",
                           place_of_birth="Priština",
                           jmbg=make_jmbg(date(1985, 3, 14), "91", 123), statuses=idp),
            hh.PersonInput("Ljiljana", "Beriša", Relation.SPOUSE, Sex.FEMALE, "1988",
                           place_of_birth="Niš", documents=EVERYTHING, statuses=idp),
        ],
        [hh.PersonInput("Marko", "Beriša", Relation.CHILD, Sex.MALE, "2012",
                        documents=EVERYTHING, statuses=idp)],
    )  # fmt: skip


def test_an_idp_born_in_pristina_is_sent_to_the_relocated_books(ctx, checklists):
    text = plan_text(ctx, _idp_family(ctx), checklists)
    bajram = text.split("Ljiljana Beriša (")[0]
    assert "Next step: Birth entry in the relocated Kosovo books" in bajram
    assert "The books of Priština were kept in Niš in 2010. Check with the office." in bajram
    assert "Late birth registration" not in bajram
    assert "Court" not in bajram
    assert "Has: Birth registration" not in bajram


# --- item 4: born abroad ------------------------------------------------------------------


def test_a_child_born_in_dortmund_gets_the_foreign_entry_and_no_court(ctx, checklists):
    from docassist.domain.model import PersonStatus

    returnee = frozenset({PersonStatus.RETURNEE})
    household_id = family(
        ctx,
        "Demiri",
        [
            hh.PersonInput("Ilir", "Demiri", Relation.HEAD, Sex.MALE, "1988",
                           documents=EVERYTHING, statuses=returnee),
            hh.PersonInput("Selvija", "Demiri", Relation.SPOUSE, Sex.FEMALE, "1992",
                           documents=EVERYTHING, statuses=returnee),
        ],
        [hh.PersonInput("Denis", "Demiri", Relation.CHILD, Sex.MALE, "2017",
                        place_of_birth="Dortmund", statuses=returnee,
                        documents={K.BIRTH_REGISTRATION: S.MISSING})],
    )  # fmt: skip
    denis = plan_text(ctx, household_id, checklists).split("Denis Demiri (")[1]
    assert "Next step: Entry of a birth abroad" in denis
    assert "Get the foreign birth certificate on the international form" in denis
    assert "Check with the office" in denis
    assert "Court" not in denis
    assert "Late birth registration" not in denis
    assert "where the person was born" not in denis


# --- item 5: a refusal outweighs a tick ---------------------------------------------------


def refused_registration(ctx, checklists, name: str) -> str:
    """Senada, recorded without a birth registration but with a citizenship certificate,
    whose late registration was refused this week; her son has his documents."""
    from docassist.services import cases, plans

    household_id = family(
        ctx,
        name,
        [
            hh.PersonInput("Senada", name, Relation.HEAD, Sex.FEMALE, "1990",
                           documents={K.BIRTH_REGISTRATION: S.MISSING, K.CITIZENSHIP: S.HAVE,
                                      K.RESIDENCE: S.MISSING, K.ID_CARD: S.MISSING}),
        ],
        [hh.PersonInput("Nikola", name, Relation.CHILD, Sex.MALE, "2015",
                        documents=EVERYTHING)],
    )  # fmt: skip
    senada = hh.get_household(ctx, household_id).members[0].id
    late = checklists.get("late-birth-registration")
    case_id = cases.open_case(
        ctx, senada, late.id, late.version, plans.case_steps(ctx, senada, late),
        produces=late.produces,
    )  # fmt: skip
    cases.close_case(ctx, case_id, "refused", reason="Not enough proof of the time and place")
    return household_id


def test_a_refused_registration_is_the_thing_to_resolve_and_the_court_stays(ctx, checklists):
    text = plan_text(ctx, refused_registration(ctx, checklists, "Selimović"), checklists)
    senada = text.split("Nikola Selimović (")[0]
    assert (
        "Resolve first: Birth registration: the office refused it, yet the record says the "
        "person holds a Citizenship certificate, which needs it." in senada
    )
    assert "Next step: Court: time and place of birth" in senada
    # Item 6: born outside Kosovo and no IDP, she starts with legal aid.
    assert "Get free legal aid" in senada
    assert "Check for a Kosovo registry entry" not in senada
    assert "Has: Birth registration" not in senada
    assert "Has: Citizenship certificate" in senada


# --- item 8: documents that run out ---------------------------------------------------


def _returnee_family(ctx) -> str:
    # Back from Germany: the father's emergency travel document ran out in October, the
    # mother's ID card ran out yesterday; their son's runs out next month.
    return family(
        ctx,
        "Ahmetović",
        [
            hh.PersonInput("Senad", "Ahmetović", Relation.HEAD, Sex.MALE, "1988",
                           documents={**EVERYTHING, K.TRAVEL_DOCUMENT: S.HAVE},
                           valid_until={K.TRAVEL_DOCUMENT: "01.10.2026", K.ID_CARD: "1.1.2030"}),
            hh.PersonInput("Mirela", "Ahmetović", Relation.SPOUSE, Sex.FEMALE, "1992",
                           documents=EVERYTHING, valid_until={K.ID_CARD: "22.11.2026"}),
        ],
        [hh.PersonInput("Dino", "Ahmetović", Relation.CHILD, Sex.MALE, "2009",
                        documents=EVERYTHING, valid_until={K.ID_CARD: "10.12.2026"})],
    )  # fmt: skip


def test_an_expired_document_is_printed_as_to_renew_and_not_as_held(ctx, checklists):
    text = plan_text(ctx, _returnee_family(ctx), checklists)
    father, rest = text.split("Mirela Ahmetović (")
    mother, child = rest.split("Dino Ahmetović (")
    assert "Expired, to renew: Emergency travel document (valid until 01.10.2026)" in father
    assert "Expired, to renew: ID card (valid until 22.11.2026)" in mother
    # from its expiry it is not held: the card is to be got again
    has_mother = mother.split("Has:")[1]
    assert "ID card" not in has_mother.split("\n")[0]
    assert "Next step: ID card" in mother
    # Dino's card is still valid for 17 days: held, nothing to renew yet
    assert "Expired" not in child
    assert "ID card" in child.split("Has:")[1]
