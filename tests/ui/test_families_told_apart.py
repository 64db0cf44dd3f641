"""Issue 16 §2: two households of one name, settlement and size are two rows one can
tell apart, in the register list and in a workshop's attendance."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import DataTable, Input

from docassist.domain.model import Relation, Role
from docassist.services import households as hh
from docassist.services import workshops as ws
from docassist.services.context import Context
from docassist.services.households import HouseholdInput, PersonInput
from docassist.store.db import open_database
from docassist.ui.app import DocAssistApp
from docassist.ui.screens.workshop_attendance import AttendanceScreen
from tests.ui.conftest import make_user

TODAY = date(2026, 11, 23)


@pytest.fixture
def namesakes(empty_db):
    user = make_user(empty_db, Role.FACILITATOR, "Milica")
    db = open_database(empty_db)
    try:
        ctx = Context(db, user_id=user, today=lambda: TODAY)
        for head, spouse, address in (("Sead", "Fatima", "Cara Dušana 5"), ("Ismet", "Ajša", "")):
            hh.register_household(
                ctx,
                HouseholdInput(
                    "Alijević", settlement="Dubrava", municipality="Šabac", address=address
                ),
                [
                    # The spouse first and older: the head of household still leads.
                    PersonInput(spouse, "Alijević", Relation.SPOUSE, birth_date="1980"),
                    PersonInput(head, "Alijević", Relation.HEAD, birth_date="1985"),
                    PersonInput("Emir", "Alijević", Relation.CHILD, birth_date="2010"),
                    PersonInput("Elma", "Alijević", Relation.CHILD, birth_date="2012"),
                ],
            )
        workshop = ws.start_workshop(
            ctx, TODAY, "Community centre", "Šabac", "Dubrava", ["id-card"], ["sr"]
        )
    finally:
        db.close()
    return empty_db, user, workshop


def _rows(table: DataTable) -> list[tuple[str, ...]]:
    return [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


def test_a_page_of_households_names_the_head_first_and_the_address(namesakes):
    path, _user, _workshop = namesakes
    db = open_database(path)
    try:
        found = hh.find_households(Context(db), "alijevic")
    finally:
        db.close()
    assert sorted(r.given_names for r in found) == [
        ("Ismet", "Ajša", "Emir", "Elma"),
        ("Sead", "Fatima", "Emir", "Elma"),
    ]
    assert sorted(r.address for r in found) == ["", "Cara Dušana 5"]
    assert all(r.members == 4 for r in found)


async def test_the_register_list_tells_the_two_apart(namesakes):
    path, user, _workshop = namesakes
    app = DocAssistApp(path, user_id=user)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        rows = _rows(app.screen.query_one("#household-table", DataTable))
        assert len(rows) == 2 and rows[0] != rows[1]
        assert ("Alijević", "Dubrava, Cara Dušana 5", "Šabac", "Sead +3", "", "") in rows
        assert ("Alijević", "Dubrava", "Šabac", "Ismet +3", "", "") in rows
        table = app.screen.query_one("#household-table", DataTable)
        assert table.virtual_size.width <= 80  # the whole row in sight at 80 columns


async def test_attendance_tells_the_two_apart(namesakes):
    path, user, workshop = namesakes
    app = DocAssistApp(path, user_id=user)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(AttendanceScreen(workshop))
        await pilot.pause()
        app.screen.query_one("#ws-att-search", Input).focus()
        await pilot.press(*"alijevic")
        await pilot.pause()
        rows = _rows(app.screen.query_one("#ws-att-table", DataTable))
        assert len(rows) == 2 and rows[0] != rows[1]
        assert {row[-1] for row in rows} == {"Sead +3", "Ismet +3"}
        assert any("Cara Dušana 5" in cell for row in rows for cell in row)
