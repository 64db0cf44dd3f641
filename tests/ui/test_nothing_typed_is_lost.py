"""Issue 16 §1: typing is never thrown away without a question (Ctrl+Q, the workshop's
quick "New household", the dialogs), and the palette's word for Quit is true."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import Input

from docassist.domain.model import Role
from docassist.i18n import _
from docassist.services import households as hh
from docassist.services import workshops as ws
from docassist.services.context import Context
from docassist.store.db import open_database
from docassist.ui.app import DocAssistApp
from docassist.ui.commands import COMMANDS
from docassist.ui.dialogs import ConfirmDialog, QuickAddDialog, ReasonDialog
from tests.ui.conftest import make_user

TODAY = date(2026, 11, 23)


@pytest.fixture
def workshop(empty_db):
    user = make_user(empty_db, Role.FACILITATOR, "Milica")
    db = open_database(empty_db)
    try:
        ctx = Context(db, user_id=user, today=lambda: TODAY)
        workshop_id = ws.start_workshop(
            ctx, TODAY, "Community centre", "Novi Sad", "Veliki rit", ["id-card"], ["rom", "sr"]
        )
    finally:
        db.close()
    return empty_db, user, workshop_id


def _count(path) -> int:
    db = open_database(path)
    try:
        return hh.count_households(Context(db))
    finally:
        db.close()


def _app(path, user) -> DocAssistApp:
    app = DocAssistApp(path, user_id=user)
    app.ctx.today = lambda: TODAY
    return app


async def _type(pilot, field: str, text: str) -> None:
    pilot.app.screen.query_one(field, Input).focus()
    await pilot.pause()
    await pilot.press(*text)


async def test_ctrl_q_on_a_form_with_typing_asks_and_stay_keeps_it(workshop):
    path, user, _id = workshop
    app = _app(path, user)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.register_household()
        await pilot.pause()
        await _type(pilot, "#family_name", "Testović")
        form = app.screen
        await pilot.press("ctrl+q")
        await pilot.pause()
        question = app.screen
        assert isinstance(question, ConfirmDialog)
        text = str(question.query_one("#confirm-message").render())
        assert "New household" in text and "Testović" not in text
        await pilot.press("ctrl+q")  # pressed again: still the question, not a yes
        await pilot.pause()
        assert app.screen is question and app.return_code is None
        await pilot.press("enter")  # the focus is on Stay
        await pilot.pause()
        assert app.screen is form
        assert form.query_one("#family_name", Input).value == "Testović"
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
    assert app.return_code == 0


async def test_ctrl_q_with_nothing_typed_quits_at_once(workshop):
    path, user, _id = workshop
    app = _app(path, user)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.register_household()
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_a_dialog_with_typing_is_asked_about_too(workshop):
    path, user, _id = workshop
    app = _app(path, user)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(ReasonDialog("Blocked", "What blocks it?", save=lambda _text: None))
        await pilot.pause()
        assert app.unsaved_work() == []  # opened, nothing typed yet
        await pilot.press(*"the mother's ID")
        assert app.unsaved_work() == ["A reason"]
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        assert app.screen.query_one("#reason", Input).value == "the mother's ID"


async def test_quick_add_asks_before_escape_throws_a_family_away(workshop):
    path, user, workshop_id = workshop
    app = _app(path, user)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(QuickAddDialog(workshop_id))
        await pilot.pause()
        await pilot.press("escape")  # nothing typed: closes at once
        await pilot.pause()
        assert not isinstance(app.screen, QuickAddDialog)

        app.push_screen(QuickAddDialog(workshop_id))
        await pilot.pause()
        quick = app.screen
        await _type(pilot, "#qa-family", "Alijević")
        await _type(pilot, "#qa-given-0", "Ajša")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")  # Stay has the focus
        await pilot.pause()
        assert app.screen is quick
        assert quick.query_one("#qa-given-0", Input).value == "Ajša"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.click("#yes")  # Leave
        await pilot.pause()
        assert not isinstance(app.screen, (QuickAddDialog, ConfirmDialog))


async def test_quick_add_takes_a_birth_date_and_a_jmbg_checked_as_the_full_form(workshop):
    path, user, workshop_id = workshop
    app = _app(path, user)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(QuickAddDialog(workshop_id))
        await pilot.pause()
        quick = app.screen
        assert isinstance(quick, QuickAddDialog)
        labels = " ".join(str(label.render()) for label in quick.query("Label"))
        for label in ("Family name", "Settlement", "Municipality", "Given name", "Birth date"):
            assert label in labels  # every field says what it is for
        await _type(pilot, "#qa-family", "Alijević")
        await _type(pilot, "#qa-given-0", "Ajša")
        await _type(pilot, "#qa-born-0", "12.05.2015")
        await _type(pilot, "#qa-jmbg-0", "12O5015")  # a letter O, and too short
        await pilot.click("#qa-consent")
        quick.query_one("#qa-save").press()
        await pilot.pause()
        assert str(quick.query_one("#qa-error").render()).startswith("Ajša Alijević: ")
        assert _count(path) == 0
        # A JMBG of another day (01.01.1990): the full form's warning, said once.
        quick.query_one("#qa-jmbg-0", Input).value = ""
        await _type(pilot, "#qa-jmbg-0", "0101990715000")
        quick.query_one("#qa-save").press()
        await pilot.pause()
        said = str(quick.query_one("#qa-error").render())
        assert "01.01.1990" in said and "save again" in said
        assert _count(path) == 0  # nothing saved
        quick.query_one("#qa-jmbg-0", Input).value = ""
        await _type(pilot, "#qa-jmbg-0", "1205015715000")
        quick.query_one("#qa-save").press()
        await pilot.pause()
        await pilot.pause()
        assert not isinstance(app.screen, QuickAddDialog), str(
            quick.query_one("#qa-error").render()
        )
    db = open_database(path)
    try:
        ctx = Context(db)
        (present,) = ws.attendees(ctx, workshop_id)
        person = hh.get_household(ctx, present.household_id).members[0]
        assert person.jmbg == "1205015715000"
        assert person.birth_date is not None and person.birth_date.precision == "day"
    finally:
        db.close()


def test_the_quit_command_says_what_is_true():
    quit_command = next(c for c in COMMANDS if c.action == "quit")
    assert "Everything is already saved" not in quit_command.help
    assert "asked" in _(quit_command.help)


async def test_the_palette_quit_asks_as_ctrl_q_does(workshop):
    path, user, _id = workshop
    app = _app(path, user)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.register_household()
        await pilot.pause()
        await _type(pilot, "#family_name", "Testović")
        (command,) = list(app.get_system_commands(app.screen))
        assert command.help == _(next(c for c in COMMANDS if c.action == "quit").help)
        app.call_later(command.callback)  # as the palette runs it
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
