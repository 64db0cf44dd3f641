"""Issue 15: the plan on the household screen says what domain.md says, with the dates.

Each test records a family like the one in the issue and reads the highlighted
member's plan off the screen. The app's day is the (moved) real clock, so dates are
counted from it.
"""

from __future__ import annotations

from datetime import date, timedelta

from textual.widgets import DataTable, Static

from docassist.domain.model import DocumentKind, DocumentState, Relation, Sex
from docassist.i18n import format_date
from docassist.services import households as hh
from docassist.services.context import Context
from docassist.store.db import open_database
from docassist.ui.app import DocAssistApp
from docassist.ui.screens.household import HouseholdScreen
from tests.ui.conftest import make_user

K, S = DocumentKind, DocumentState
EVERYTHING = {k: S.HAVE for k in K if k not in (K.IDP_CARD, K.TRAVEL_DOCUMENT)}


def family(path, name: str, parents: list[hh.PersonInput], children=()) -> str:
    db = open_database(path)
    try:
        ctx = Context(db)
        household_id = hh.register_household(
            ctx, hh.HouseholdInput(name, municipality="Niš", consent_date="2026-11-01"), parents
        )
        ids = [m.id for m in hh.get_household(ctx, household_id).members]
        sexes = [p.sex for p in parents]
        father = ids[sexes.index(Sex.MALE)] if Sex.MALE in sexes else None
        mother = ids[sexes.index(Sex.FEMALE)] if Sex.FEMALE in sexes else None
        for child in children:
            child.mother_id, child.father_id = mother, father
            hh.add_person(ctx, household_id, child)
        return household_id
    finally:
        db.close()


async def plan_of(pilot, household_id: str, row: int) -> str:
    """The plan shown for the member on ``row`` of the members table, on one line."""
    app = pilot.app
    app.open_household(household_id)
    await pilot.pause()
    assert isinstance(app.screen, HouseholdScreen)
    table = app.screen.query_one("#member-table", DataTable)
    table.move_cursor(row=row)
    await pilot.pause()
    widget = app.screen.query_one("#next-step", Static)
    panel = app.screen.query_one("#person-documents", Static)
    return " ".join(f"{widget.render()} || {panel.render()}".split())


async def test_a_home_birth_20_days_ago_is_reported_now_with_the_legal_dates(empty_db):
    today = date.today()  # the app's clock in tests (moved by the autouse fixture)
    born = today - timedelta(days=20)
    household_id = family(
        empty_db,
        "Bajramović",
        [
            hh.PersonInput("Safet", "Bajramović", Relation.HEAD, Sex.MALE, "1999",
                           documents=EVERYTHING),
            hh.PersonInput("Fatima", "Bajramović", Relation.SPOUSE, Sex.FEMALE, "2002",
                           documents={K.BIRTH_REGISTRATION: S.HAVE, K.CITIZENSHIP: S.HAVE,
                                      K.RESIDENCE: S.HAVE, K.ID_CARD: S.MISSING}),
        ],
        [hh.PersonInput("Emir", "Bajramović", Relation.CHILD, Sex.MALE,
                        born.strftime("%d.%m.%Y"))],
    )  # fmt: skip
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(100, 60)) as pilot:
        baby = await plan_of(pilot, household_id, 2)
        assert "Next step: Birth registration (can start now)" in baby
        assert "Nothing can start yet" not in baby and "Blocked: Birth registration" not in baby
        report = format_date(born + timedelta(days=15))
        name = format_date(born + timedelta(days=30))
        assert f"Overdue since {report}" in baby
        assert f"Report the birth: the deadline was {report} and has passed." in baby
        assert "ask the registrar whether late registration is needed" in baby
        assert f"Give the child's name: by {name}" in baby
        assert (
            "Later, for Entry in the register and JMBG: Waiting for Fatima Bajramović: ID card"
            in baby
        )
        mother = await plan_of(pilot, household_id, 1)
        assert "Next step: ID card" in mother
        assert "Needed for Emir Bajramović: Birth registration" in mother


async def test_the_mother_sees_her_child_waiting_through_her_residence_and_id_card(empty_db):
    household_id = family(
        empty_db,
        "Mustafić",
        [
            hh.PersonInput("Fatima", "Mustafić", Relation.HEAD, Sex.FEMALE, "2000",
                           documents={K.BIRTH_REGISTRATION: S.HAVE, K.CITIZENSHIP: S.HAVE,
                                      K.RESIDENCE: S.MISSING, K.ID_CARD: S.MISSING}),
        ],
        [hh.PersonInput("Emir", "Mustafić", Relation.CHILD, Sex.MALE, "2021",
                        documents={K.BIRTH_REGISTRATION: S.MISSING})],
    )  # fmt: skip
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(100, 60)) as pilot:
        mother = await plan_of(pilot, household_id, 0)
        assert "Next step: Residence registration" in mother
        assert "Needed first for: ID card" in mother
        assert "Needed for Emir Mustafić: Late birth registration (through ID card)" in mother
        blocked = mother.split("Blocked: ID card")[1]
        assert "Needed for Emir Mustafić: Late birth registration" in blocked
        child = await plan_of(pilot, household_id, 1)
        assert "Waiting for Fatima Mustafić: ID card" in child


async def test_an_idp_born_in_kosovo_is_never_has_and_not_known_at_once(empty_db):
    from docassist.domain.jmbg import make_jmbg
    from docassist.domain.model import PersonStatus

    idp = frozenset({PersonStatus.IDP})
    household_id = family(
        empty_db,
        "Beriša",
        [
            hh.PersonInput("Bajram", "Beriša", Relation.HEAD, Sex.MALE, "14.03.1985",
                           place_of_birth="Priština",
                           jmbg=make_jmbg(date(1985, 3, 14), "91", 123), statuses=idp),
            hh.PersonInput("Ljiljana", "Beriša", Relation.SPOUSE, Sex.FEMALE, "1988",
                           jmbg=make_jmbg(date(1988, 6, 2), "73", 555), statuses=idp),
        ],
    )  # fmt: skip
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(100, 60)) as pilot:
        bajram = await plan_of(pilot, household_id, 0)
        assert "Next step: Birth entry in the relocated Kosovo books" in bajram
        assert "The books of Priština were kept in Niš in 2010. Check with the office." in bajram
        assert "Court" not in bajram and "Late birth registration" not in bajram
        assert "Not known: Birth registration" in bajram
        assert "Has: Birth registration" not in bajram
        # Her JMBG from Niš shows the registration as held, in the plan and the panel.
        ljiljana = await plan_of(pilot, household_id, 1)
        assert "Has: Birth registration" in ljiljana
        assert "Birth registration (follows from the other records)" in ljiljana
        assert "Not known: Birth registration" not in ljiljana


async def test_a_child_born_abroad_is_not_offered_the_court(empty_db):
    from docassist.domain.model import PersonStatus

    returnee = frozenset({PersonStatus.RETURNEE})
    household_id = family(
        empty_db,
        "Demiri",
        [
            hh.PersonInput("Selvija", "Demiri", Relation.HEAD, Sex.FEMALE, "1992",
                           documents=EVERYTHING, statuses=returnee),
        ],
        [hh.PersonInput("Denis", "Demiri", Relation.CHILD, Sex.MALE, "2017",
                        place_of_birth="Dortmund, Nemačka", statuses=returnee,
                        documents={K.BIRTH_REGISTRATION: S.MISSING})],
    )  # fmt: skip
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(100, 60)) as pilot:
        denis = await plan_of(pilot, household_id, 1)
        assert "Next step: Entry of a birth abroad (can start now)" in denis
        assert "international form" in denis
        assert "Court" not in denis and "Late birth registration" not in denis


async def test_a_refusal_outweighs_a_citizenship_tick_on_screen(empty_db):
    from docassist.procedures import load_all
    from tests.handouts.test_family_rules import refused_registration

    db = open_database(empty_db)
    try:
        household_id = refused_registration(Context(db), load_all(user=False), "Selimović")
    finally:
        db.close()
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(100, 60)) as pilot:
        senada = await plan_of(pilot, household_id, 0)
        assert senada.startswith("Resolve first: Birth registration: the office refused it")
        assert "Next step: Court: time and place of birth (can start now)" in senada
        assert "Get free legal aid" in senada  # item 6: no Kosovo check for her
        assert "Check for a Kosovo registry entry" not in senada
        assert "Has: Birth registration" not in senada
        assert "Missing: Birth registration" in senada


async def test_a_jmbg_the_form_flags_proves_nothing_on_screen_or_on_paper(empty_db):
    """Issue 16 §5: the JMBG says born 02.06.1988, the record says 1990: the form warns,
    so the birth is not taken as registered, neither in the family plan nor on the
    screen; a JMBG that agrees with the record registers it in both, marks included."""
    import io

    from pypdf import PdfReader

    from docassist.domain.jmbg import make_jmbg
    from docassist.services import handouts

    household_id = family(
        empty_db,
        "Ramić",
        [
            hh.PersonInput("Sabit", "Ramić", Relation.HEAD, Sex.MALE, "1990",
                           jmbg=make_jmbg(date(1988, 6, 2), "71", 123)),
            hh.PersonInput("Ajša", "Ramić", Relation.SPOUSE, Sex.FEMALE, "02.06.1988",
                           jmbg=make_jmbg(date(1988, 6, 2), "71", 555)),
        ],
    )  # fmt: skip
    db = open_database(empty_db)
    ctx = Context(db)
    members = hh.get_household(ctx, household_id).members
    row = {m.given_name: i for i, m in enumerate(members)}  # the table's order
    sabit = members[row["Sabit"]]
    problems = hh.validate_person(
        hh.PersonInput("Sabit", "Ramić", sex=Sex.MALE, birth_date="1990", jmbg=sabit.jmbg),
        ctx.today(),
    )
    assert problems["jmbg"], "the form flags this number"
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(100, 60)) as pilot:
        first = await plan_of(pilot, household_id, row["Sabit"])
        assert "Not known: Birth registration" in first
        assert "Has: Birth registration" not in first
        table = app.screen.query_one("#member-table", DataTable)
        sabit_marks = str(table.get_row_at(row["Sabit"])[4])
        ajsa_marks = str(table.get_row_at(row["Ajša"])[4])
        second = await plan_of(pilot, household_id, row["Ajša"])
        assert "Has: Birth registration" in second
        assert "Birth registration (follows from the other records)" in second
        checklists = app.checklists
    # The first mark is the birth registration: "?" for Sabit, "✓" for Ajša, as the plan.
    assert sabit_marks.split()[0] == "?" and ajsa_marks.split()[0] == "✓"
    data = handouts.make_family_plan(ctx, household_id, checklists, "en").data
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    sabit_part = text.split("Sabit Ramić (")[1].split("Ajša Ramić (")[0]
    ajsa_part = text.split("Ajša Ramić (")[1].split("Sabit Ramić (")[0]
    assert "Has: Birth registration" not in sabit_part
    assert "Has: Birth registration" in ajsa_part
    db.close()
