"""The import screen: path, columns, check, confirm, import; nothing written before that."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, DataTable, Input, Select, Static

from docassist.domain.model import Role, Sex
from docassist.services import households as hh
from docassist.services.context import Context
from docassist.store.db import open_database
from docassist.ui.app import DocAssistApp
from docassist.ui.dialogs import ConfirmDialog
from docassist.ui.screens.import_households import ImportScreen
from docassist.ui.screens.register import HouseholdListScreen
from docassist.ui.widgets.field_problems import FieldProblems
from tests.ui.conftest import make_user

FIXTURE = Path(__file__).parent.parent / "fixtures" / "import" / "households.csv"


def _counts(path) -> tuple[int, int, int]:
    db = open_database(path)
    try:
        return tuple(
            db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("households", "persons", "audit_log")
        )
    finally:
        db.close()


@pytest.fixture
def register(empty_db):
    """An empty register but for Dragan Nikolić, whom the list repeats."""
    db = open_database(empty_db)
    try:
        hh.register_household(
            Context(db),
            hh.HouseholdInput("Nikolić", settlement="Crvena Zvezda"),
            [hh.PersonInput("Dragan", "Nikolić", birth_date="1975", sex=Sex.MALE)],
        )
    finally:
        db.close()
    return empty_db


@pytest.fixture
def register_screen_redraws_in_place(monkeypatch):
    """The register screen underneath recomposes whole, Header included, and Textual
    then fails on the next title change (NoMatches 'HeaderTitle'): the register
    screen's own issue, already reported. Here it only reloads, so the test is about ours."""

    async def redraw(self) -> None:
        self.reload()

    monkeypatch.setattr(HouseholdListScreen, "retranslate", redraw)


async def _settle(pilot) -> None:
    """Wait until the check or import the screen started after a redraw has run."""
    for _ in range(50):
        await pilot.pause()
        if not getattr(pilot.app.screen, "busy", False):
            return
    raise AssertionError("the import screen stayed busy")


async def _type_path(pilot, text: str) -> None:
    field = pilot.app.screen.query_one("#path", Input)
    field.focus()
    field.value = ""
    await pilot.pause()
    await pilot.press(*text)
    await pilot.press("enter")
    await _settle(pilot)


def _problem_rows(screen) -> list[tuple[str, str]]:
    table = screen.query_one("#import-problems", DataTable)
    return [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


async def test_check_then_import_from_the_key(register, tmp_path):
    app = DocAssistApp(register, user_id=make_user(register))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        before = _counts(register)  # signing in has written its own audit entries
        await pilot.press("ctrl+o")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ImportScreen)

        # A path to nowhere: said under the field, nothing else happens.
        await _type_path(pilot, str(tmp_path / "nope.csv"))
        assert "There is no file" in screen.query_one("#path-problems", FieldProblems).text
        assert screen.query_one("#import", Button).disabled

        # The list: columns guessed, every bad row listed with its line; nothing written.
        await _type_path(pilot, str(FIXTURE))
        assert screen.query_one("#col-0", Select).value == "household"
        assert screen.query_one("#col-9", Select).value == "father"  # "Ime oca"
        rows = _problem_rows(screen)
        assert [line for line, _reason in rows] == ["5", "6", "7", "10", "12"]
        # A check digit that does not match is listed as a warning; the row is imported.
        assert "should be 5, not 6" in rows[0][1] and rows[0][1].startswith("!")
        assert "31.02." in rows[1][1]
        assert "given name is missing" in rows[2][1]
        # Likely duplicates are left out unless the user unticks the box.
        assert screen.query_one("#skip-duplicates").value is True
        assert "Dragan Nikolić" in rows[3][1] and rows[3][1].startswith("[ ] Left out: ")
        summary = str(screen.query_one("#summary", Static).render())
        assert "9 rows read." in summary and "To import: 3 households, 5 people." in summary
        assert _counts(register) == before

        # Import asks first; No leaves everything as it was.
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert _counts(register) == before

        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await _settle(pilot)
        assert app.screen is screen
        h, p, a = before
        assert _counts(register) == (h + 3, p + 5, a + 8)
        assert "Imported: 3 households, 5 people." in str(
            screen.query_one("#summary", Static).render()
        )
        assert screen.query_one("#import", Button).disabled  # not twice by accident

        # Offered: the register, which now lists the new families.
        await pilot.click("#to-register")
        await pilot.pause()
        assert isinstance(app.screen, HouseholdListScreen)
        assert app.screen.query_one("#household-table", DataTable).row_count == h + 3

        # The same list again (a tired second go): everyone in it is there already.
        await pilot.press("ctrl+o")
        await pilot.pause()
        await _type_path(pilot, str(FIXTURE))
        summary = str(app.screen.query_one("#summary", Static).render())
        assert "There is nothing to import." in summary
        assert app.screen.query_one("#import", Button).disabled


async def test_choosing_columns_and_keeping_duplicates(register):
    app = DocAssistApp(register, user_id=make_user(register))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        before = _counts(register)
        await pilot.press("ctrl+o")
        await pilot.pause()
        screen = app.screen
        await _type_path(pilot, str(FIXTURE))
        assert not screen.query_one("#import", Button).disabled

        # "Ime oca" (father's name) chosen as the given name: "Ime" lets go of it,
        # and the earlier check no longer holds.
        screen.query_one("#col-9", Select).value = "given_name"
        await pilot.pause()
        assert screen.query_one("#col-1", Select).value is Select.NULL
        assert screen.mapping["given_name"] == 9
        assert screen.query_one("#import", Button).disabled
        screen.query_one("#col-9", Select).value = Select.NULL
        await pilot.pause()
        assert "given name" in screen.query_one("#mapping-problems", FieldProblems).text
        screen.query_one("#col-1", Select).value = "given_name"
        await pilot.pause()

        # Unticked: the likely duplicates come in too, marked as warnings.
        screen.query_one("#skip-duplicates").value = False
        await pilot.pause()
        await pilot.click("#check")
        await _settle(pilot)
        summary = str(screen.query_one("#summary", Static).render())
        assert "To import: 5 households, 7 people." in summary
        assert _problem_rows(screen)[3][1].startswith("[✓] Likely the same person")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await _settle(pilot)
        h, p, _a = before
        assert _counts(register)[:2] == (h + 5, p + 7)


@pytest.mark.usefixtures("register_screen_redraws_in_place")
async def test_a_language_switch_keeps_the_path_and_the_check(register):
    app = DocAssistApp(register, user_id=make_user(register))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        screen = app.screen
        await _type_path(pilot, str(FIXTURE))
        app.choose_language("sr")
        await pilot.pause()
        await pilot.pause()
        assert app.screen is screen
        assert screen.query_one("#path", Input).value == str(FIXTURE)
        assert screen.query_one("#col-0", Select).value == "household"
        rows = _problem_rows(screen)
        assert "фебруар" in rows[1][1]  # the reason, now in Serbian
        assert not screen.query_one("#import", Button).disabled


async def test_trainees_cannot_reach_the_import(register):
    app = DocAssistApp(register, user_id=make_user(register, Role.TRAINEE, "Ana Polaznica"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert not isinstance(app.screen, ImportScreen)
        app.action_import_households()
        await pilot.pause()
        assert not isinstance(app.screen, ImportScreen)


async def test_damage_met_while_importing_is_said_as_damage(register, monkeypatch):
    import sqlite3

    from docassist.services import importing as imp

    def damaged(*_args, **_kwargs):
        raise sqlite3.DatabaseError("database disk image is malformed")

    app = DocAssistApp(register, user_id=make_user(register))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        await _type_path(pilot, str(FIXTURE))
        monkeypatch.setattr(imp, "apply_import", damaged)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await _settle(pilot)
        shown = " ".join(str(n.message) for n in app._notifications)
        assert "Nothing was imported" in shown
        assert "damaged" in shown and "docassist db check" in shown


async def test_each_likely_duplicate_is_kept_or_left_out_one_by_one(register):
    # Namesakes: two Ajšas of 1993 and an Emir of 2015 with nothing to tell them from
    # the rows before. The user knows the second Emir is another child: only he comes in.
    namesakes = FIXTURE.parent / "namesakes.csv"
    app = DocAssistApp(register, user_id=make_user(register))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        h, p, _a = _counts(register)
        await pilot.press("ctrl+o")
        await pilot.pause()
        screen = app.screen
        await _type_path(pilot, str(namesakes))
        rows = _problem_rows(screen)
        assert [line for line, _reason in rows] == ["7", "8"]
        assert all(reason.startswith("[ ] Left out: Likely the same") for _l, reason in rows)
        summary = str(screen.query_one("#summary", Static).render())
        assert "To import: 5 households, 5 people." in summary
        assert "Space or Enter on one changes it." in summary

        table = screen.query_one("#import-problems", DataTable)
        table.focus()
        table.move_cursor(row=1)
        await pilot.press("space")
        await pilot.pause()
        rows = _problem_rows(screen)
        assert rows[0][1].startswith("[ ] Left out: ") and rows[1][1].startswith("[✓] Likely")
        assert table.cursor_row == 1  # the highlight stays where the user is
        summary = str(screen.query_one("#summary", Static).render())
        assert "To import: 6 households, 6 people." in summary
        # Enter changes it back, and again.
        await pilot.press("enter")
        await pilot.pause()
        assert _problem_rows(screen)[1][1].startswith("[ ] Left out: ")
        await pilot.press("enter")
        await pilot.pause()

        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await _settle(pilot)
        assert _counts(register)[:2] == (h + 6, p + 6)
        db = open_database(register)
        lines = db.execute(
            "SELECT given_name, birth_date FROM persons WHERE family_name = 'Ramić' ORDER BY rowid"
        ).fetchall()
        db.close()
        assert lines[-1] == ("Emir", "2015") and ("Ajša", "1993") in lines
        assert lines.count(("Ajša", "1993")) == 1


@pytest.mark.parametrize("kind", ["entity bomb", "cut short"])
async def test_a_broken_spreadsheet_is_said_under_the_path_and_the_app_goes_on(
    register, tmp_path, kind
):
    # One such file stopped the app's import screen (issue 14 §8).
    import io
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Prezime", "Ime"])
    book.active.append(["Marko", "Marković"])
    buf = io.BytesIO()
    book.save(buf)
    path = tmp_path / "broken.xlsx"
    if kind == "cut short":
        path.write_bytes(buf.getvalue()[:700])
    else:
        src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
        with zipfile.ZipFile(path, "w") as out:
            for name in src.namelist():
                data = src.read(name)
                if name.endswith("sheet1.xml"):
                    body = data.split(b"?>", 1)[-1]
                    data = (
                        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
                        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                        + body.replace(b"Marko", b"&b;")
                    )
                out.writestr(name, data)
    app = DocAssistApp(register, user_id=make_user(register))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        await _type_path(pilot, str(path))
        said = screen.query_one("#path-problems", FieldProblems).text
        assert "broken.xlsx" in said and "cannot be read as an Excel file" in said
        assert app.is_running and app.screen is screen
        assert screen.query_one("#import", Button).disabled
