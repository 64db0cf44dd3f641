"""Documents that run out, on screen (issue 15 item 8): the person form proposes a
"valid until" from the kind and takes the date typed; the household flags what ran out;
the dashboard lists what has expired or expires within 30 days."""

from __future__ import annotations

from datetime import date, timedelta

from textual.widgets import DataTable, Input, Select, Static

from docassist.domain.model import DocumentKind, DocumentState, Relation, Sex
from docassist.i18n import format_date
from docassist.services import households as hh
from docassist.services.context import Context
from docassist.store.db import open_database
from docassist.ui.app import DocAssistApp
from docassist.ui.screens.dashboard import DashboardScreen
from docassist.ui.screens.household import HouseholdScreen
from docassist.ui.screens.person_form import PersonFormScreen, typed_day
from docassist.ui.widgets.field_problems import FieldProblems
from tests.ui.conftest import make_user

K, S = DocumentKind, DocumentState
HELD = {K.BIRTH_REGISTRATION: S.HAVE, K.CITIZENSHIP: S.HAVE, K.RESIDENCE: S.HAVE}


def _household(path, members: list[hh.PersonInput]) -> str:
    db = open_database(path)
    try:
        return hh.register_household(
            Context(db), hh.HouseholdInput("Ahmetović", municipality="Niš"), members
        )
    finally:
        db.close()


def _person(path, household_id: str) -> hh.Person:
    db = open_database(path)
    try:
        return hh.get_household(Context(db), household_id).members[0]
    finally:
        db.close()


async def test_the_form_proposes_a_validity_and_saves_the_date_typed(empty_db):
    today = date.today()  # the app's clock in tests
    household_id = _household(
        empty_db, [hh.PersonInput("Mirela", "Ahmetović", Relation.HEAD, Sex.FEMALE, "1992",
                                  documents=HELD)]
    )  # fmt: skip
    person_id = _person(empty_db, household_id).id
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(PersonFormScreen(household_id, person_id))
        await pilot.pause()
        form = app.screen
        row = form.query_one("#valid-id_card-row")
        assert not row.display  # no card held: nothing to date
        form.query_one("#doc-id_card", Select).value = S.HAVE.value
        await pilot.pause()
        assert row.display
        proposed = today.replace(year=today.year + 10) - timedelta(days=1)
        field = form.query_one("#valid-id_card", Input)
        assert field.value == typed_day(proposed)
        hint = form.query_one("#valid-id_card-problems", FieldProblems).text
        assert "Proposed for a card issued today: 10 years" in hint
        field.value = "bad"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PersonFormScreen)  # refused, with the reason
        assert form.query_one("#valid-id_card-problems", FieldProblems).errors
        field.value = "15.03.2031"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, PersonFormScreen)
    assert _person(empty_db, household_id).valid_until == {K.ID_CARD: date(2031, 3, 15)}


async def test_the_household_flags_what_ran_out_and_what_soon_will(empty_db):
    today = date.today()
    household_id = _household(
        empty_db,
        [
            hh.PersonInput("Senad", "Ahmetović", Relation.HEAD, Sex.MALE, "1988",
                           documents={**HELD, K.ID_CARD: S.HAVE, K.TRAVEL_DOCUMENT: S.HAVE},
                           valid_until={K.ID_CARD: typed_day(today - timedelta(days=1)),
                                        K.TRAVEL_DOCUMENT: typed_day(today + timedelta(9))}),
        ],
    )  # fmt: skip
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(100, 40)) as pilot:
        app.open_household(household_id)
        await pilot.pause()
        assert isinstance(app.screen, HouseholdScreen)
        marks = str(app.screen.query_one("#member-table", DataTable).get_row_at(0)[-1])
        assert marks.split() == ["✓", "✓", "✓", "!", "?"]
        assert "! Expired" in str(app.screen.query_one("#legend", Static).render())
        panel = " ".join(str(app.screen.query_one("#person-documents", Static).render()).split())
        expired = format_date(today - timedelta(days=1))
        assert f"Expired, to renew: ID card (valid until {expired})" in panel
        soon = format_date(today + timedelta(days=9))
        assert f"Emergency travel document (expires {soon})" in panel
        plan = " ".join(str(app.screen.query_one("#next-step", Static).render()).split())
        assert "ID card" in plan  # counted as not held: to be got again


async def test_the_dashboard_lists_documents_running_out(empty_db):
    today = date.today()
    _household(
        empty_db,
        [
            hh.PersonInput("Senad", "Ahmetović", Relation.HEAD, Sex.MALE, "1988",
                           documents={**HELD, K.ID_CARD: S.HAVE},
                           valid_until={K.ID_CARD: typed_day(today - timedelta(days=3))}),
            hh.PersonInput("Mirela", "Ahmetović", Relation.SPOUSE, Sex.FEMALE, "1992",
                           documents={**HELD, K.HEALTH_INSURANCE: S.HAVE},
                           valid_until={K.HEALTH_INSURANCE: typed_day(today + timedelta(20))}),
        ],
    )  # fmt: skip
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        await pilot.press("x")
        await pilot.pause()
        table = screen.query_one("#expiring-table", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert [r[1] for r in rows] == ["Senad Ahmetović", "Mirela Ahmetović"]
        assert rows[0][0] == "! " + format_date(today - timedelta(days=3))
        assert rows[0][3] == "expired 3 days ago"
        assert rows[1][2] == "Health insurance card" and rows[1][3] == "expires in 20 days"
        assert "(2)" in str(screen.query_one("#dash-tabs").get_tab("expiring").label)
        detail = str(screen.query_one("#dash-detail", Static).render())
        assert "1 expired, 1 expire within 30 days." in detail
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HouseholdScreen)
