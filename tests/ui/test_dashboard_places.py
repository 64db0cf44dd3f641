"""The dashboard's place filters: one option per place however it was typed."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import DataTable, Digits, Select

from docassist.domain.model import Role
from docassist.services import households as hh
from docassist.services.cases import StepPlan, open_case
from docassist.services.context import Context
from docassist.services.households import HouseholdInput, PersonInput
from docassist.services.users import create_user
from docassist.store.db import open_database
from docassist.ui.app import DocAssistApp

TODAY = date(2026, 11, 23)


@pytest.fixture
def register(tmp_path):
    """Crvena zvezda in Niš typed in Latin by one facilitator, in Cyrillic by another."""
    path = tmp_path / "register.db"
    db = open_database(path)
    ctx = Context(db, today=lambda: TODAY)
    coordinator = create_user(ctx, "Senad", Role.COORDINATOR).id
    ctx.user_id = create_user(ctx, "Milica", Role.FACILITATOR).id
    for family, settlement, municipality, given in (
        ("Ramić", "Crvena zvezda", "Niš", "Sabit"),
        ("Рамић", "Црвена звезда", "Ниш", "Ајша"),
        ("Demiri", "Crvena zvezda", "Nis", "Fatima"),
        ("Jovanović", "Sat mahala", "Leskovac", "Vesna"),
    ):
        household = hh.register_household(
            ctx, HouseholdInput(family, settlement=settlement, municipality=municipality)
        )
        person = hh.add_person(ctx, household, PersonInput(given, family, birth_date="1990"))
        open_case(ctx, person, "id-card", 1, [StepPlan("gather", 3)])
    db.close()
    return path, coordinator


def _options(select: Select) -> list[tuple[str, str]]:
    return [(str(name), value) for name, value in select._options if value is not Select.NULL]


def _open(app) -> int:
    return int(app.screen.query_one("#count-open", Digits).value)


def _coordinators_app(register) -> DocAssistApp:
    path, coordinator = register
    app = DocAssistApp(path, user_id=coordinator)
    app.ctx.today = lambda: TODAY
    return app


async def _on_the_dashboard(app, pilot, *keys: str) -> None:
    await pilot.pause()
    app.action_mode("dashboard")
    await pilot.pause()
    for key in keys:
        await pilot.press(key)
        await pilot.pause()


def _cells(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_one_option_per_place_and_it_counts_every_spelling(register):
    app = _coordinators_app(register)
    async with app.run_test(size=(80, 24)) as pilot:
        await _on_the_dashboard(app, pilot)
        screen = app.screen
        municipality = screen.query_one("#dash-municipality", Select)
        settlement = screen.query_one("#dash-settlement", Select)
        assert _options(municipality) == [("Leskovac", "leskovac"), ("Niš", "nis")]
        assert _options(settlement) == [
            ("Crvena zvezda", "crvena zvezda"),
            ("Sat mahala", "sat mahala"),
        ]

        settlement.value = "crvena zvezda"
        await pilot.pause()
        assert _open(app) == 3  # Latin and Cyrillic households alike
        rows = screen.query_one("#due-table", DataTable)
        names = {str(rows.get_row_at(i)[1]) for i in range(rows.row_count)}
        assert names == {"Sabit Ramić", "Ајша Рамић", "Fatima Demiri"}

        municipality.value = "nis"
        await pilot.pause()
        assert _open(app) == 3
        assert _options(settlement) == [("Crvena zvezda", "crvena zvezda")]

        # In Serbian Cyrillic the places read in Cyrillic; the choice stays.
        app.choose_language("sr")
        await pilot.pause()
        assert _options(municipality) == [("Leskovac", "leskovac"), ("Ниш", "nis")]
        assert municipality.value == "nis"
        settlement.value = "crvena zvezda"
        await pilot.pause()
        assert _options(settlement) == [("Црвена звезда", "crvena zvezda")]
        assert settlement.value == "crvena zvezda"
        assert _open(app) == 3


async def test_by_municipality_is_one_row_per_place(register):
    app = _coordinators_app(register)
    async with app.run_test(size=(100, 30)) as pilot:
        await _on_the_dashboard(app, pilot, "m")
        table = app.screen.query_one("#municipalities-table", DataTable)
        rows = _cells(table)
        # each municipality, then its settlements under it
        assert [row[:3] for row in rows] == [
            ["Leskovac", "", "1"],
            ["", "Sat mahala", "1"],
            ["Niš", "", "3"],
            ["", "Crvena zvezda", "3"],
        ]
        table.move_cursor(row=table.get_row_index("nis"))
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one("#dash-municipality", Select).value == "nis"
        assert _open(app) == 3


async def test_enter_on_a_settlement_shows_only_that_settlement(register):
    app = _coordinators_app(register)
    async with app.run_test(size=(80, 24)) as pilot:
        await _on_the_dashboard(app, pilot, "m")
        table = app.screen.query_one("#municipalities-table", DataTable)
        table.move_cursor(row=3)  # Crvena zvezda, under Niš
        await pilot.pause()
        detail = app.screen.query_one("#dash-detail")
        assert "Enter: show only this settlement." in str(detail.render())
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one("#dash-municipality", Select).value == "nis"
        assert app.screen.query_one("#dash-settlement", Select).value == "crvena zvezda"
        assert _open(app) == 3
        rows = _cells(table)
        assert [row[:3] for row in rows] == [["Niš", "", "3"], ["", "Crvena zvezda", "3"]]
