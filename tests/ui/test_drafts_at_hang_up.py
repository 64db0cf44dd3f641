"""Issue 16 §1: a terminal closed (SIGHUP) while a form or dialog holds unsaved typing.

Nobody can be asked then: the typing is kept as a draft of that user in the register,
and the next time the same user opens the same form it is offered back once. The
hang-up is sent by calling the app's handler (the one the signal runs), not by killing
the test process.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from textual.widgets import Input

from docassist.domain.model import Role
from docassist.i18n import format_time, translate_in
from docassist.services import drafts, erasure
from docassist.services import households as hh
from docassist.services.context import Context
from docassist.store.db import open_database
from docassist.ui.app import DocAssistApp
from docassist.ui.dialogs import ConfirmDialog, QuickAddDialog, ReasonDialog
from docassist.ui.screens.household_form import HouseholdFormScreen
from docassist.ui.screens.person_form import PersonFormScreen
from tests.ui.conftest import make_user, petrovic_and_a_workshop

TODAY = date(2026, 11, 23)
NOW = "2026-11-23T10:15:00+00:00"


@pytest.fixture
def register(empty_db):
    coordinator = make_user(empty_db, Role.COORDINATOR, "Senad")
    other = make_user(empty_db, Role.COORDINATOR, "Milica")
    household, workshop = petrovic_and_a_workshop(empty_db, coordinator, TODAY)
    return empty_db, coordinator, other, household, workshop


def _app(path, user) -> DocAssistApp:
    app = DocAssistApp(path, user_id=user)
    app.ctx.today = lambda: TODAY
    app.ctx.now = lambda: NOW
    return app


def _rows(path) -> list[tuple]:
    db = open_database(path)
    try:
        return list(db.execute("SELECT user_id, form_key, fields FROM drafts ORDER BY form_key"))
    finally:
        db.close()


async def _type(pilot, field: str, text: str) -> None:
    pilot.app.screen.query_one(field, Input).focus()
    await pilot.pause()
    await pilot.press(*text)


async def test_a_hang_up_keeps_the_typing_and_the_same_form_offers_it_back(register):
    path, user, _other, _household, _workshop = register
    app = _app(path, user)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.register_household()
        await pilot.pause()
        await _type(pilot, "#family_name", "Testović")
        await _type(pilot, "#address", "Cara Dušana 5")
        app.terminal_closed()  # what SIGHUP runs
        await pilot.pause()
    assert app.return_code == 0  # ended as a quit does, not as a crash
    [(who, key, fields)] = _rows(path)
    assert who == user and key == "household:new"
    assert json.loads(fields)["family_name"] == "Testović"

    again = _app(path, user)
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        again.register_household()
        await pilot.pause()
        await pilot.pause()
        question = again.screen
        assert isinstance(question, ConfirmDialog)
        moment = format_time(datetime.fromisoformat(NOW).astimezone())
        assert f"Restore the unsaved input from {moment}?" in str(
            question.query_one("#confirm-title").render()
        )
        await pilot.press("enter")  # Restore has the focus
        await pilot.pause()
        form = again.screen
        assert isinstance(form, HouseholdFormScreen)
        assert form.query_one("#family_name", Input).value == "Testović"
        assert form.query_one("#address", Input).value == "Cara Dušana 5"
        assert form.unsaved_work() == "New household"  # still to be saved
    assert _rows(path) == []  # offered once: restored, it is gone


async def _hang_up_while_typing(path, user, screen, field: str, text: str) -> None:
    """``user`` types ``text`` into ``field`` of ``screen``, and the terminal closes."""
    app = _app(path, user)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(screen)
        await pilot.pause()
        await _type(pilot, field, text)
        app.terminal_closed()
        await pilot.pause()


async def test_a_declined_draft_is_gone_and_another_user_never_sees_it(register):
    path, user, other, household, _workshop = register
    await _hang_up_while_typing(path, user, PersonFormScreen(household), "#given_name", "Ana")
    assert [r[1] for r in _rows(path)] == [f"person:new:{household}"]

    # Someone else opening the same form is not offered Senad's typing.
    stranger = _app(path, other)
    async with stranger.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        stranger.push_screen(PersonFormScreen(household))
        await pilot.pause()
        await pilot.pause()
        assert isinstance(stranger.screen, PersonFormScreen)
        assert stranger.screen.query_one("#given_name", Input).value == ""

    again = _app(path, user)
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        again.push_screen(PersonFormScreen(household))
        await pilot.pause()
        await pilot.pause()
        assert isinstance(again.screen, ConfirmDialog)
        await pilot.press("escape")  # not wanted: discarded
        await pilot.pause()
        assert again.screen.query_one("#given_name", Input).value == ""
    assert _rows(path) == []


async def test_a_hang_up_keeps_dialogs_too_but_never_a_form_with_nothing_typed(register):
    path, user, _other, _household, workshop = register
    app = _app(path, user)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.register_household()  # opened, nothing typed: nothing to keep
        await pilot.pause()
        app.push_screen(QuickAddDialog(workshop))
        await pilot.pause()
        await _type(pilot, "#qa-family", "Alijević")
        await _type(pilot, "#qa-given-0", "Senada")
        reason = ReasonDialog("Blocked", "What blocks it?", save=lambda _text: None)
        reason.keeps_drafts("case:c1:block:s1", household_id=None, person_id="p1")
        app.push_screen(reason)
        await pilot.pause()
        await _type(pilot, "#reason", "no ID card")
        app.terminal_closed()
        await pilot.pause()
    rows = {key: json.loads(fields) for _who, key, fields in _rows(path)}
    assert set(rows) == {f"quick_add:{workshop}", "case:c1:block:s1"}
    assert rows["case:c1:block:s1"] == {"reason": "no ID card"}
    assert rows[f"quick_add:{workshop}"]["values"]["qa-given-0"] == "Senada"

    again = _app(path, user)
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        again.push_screen(QuickAddDialog(workshop))
        await pilot.pause()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        dialog = again.screen
        assert isinstance(dialog, QuickAddDialog)
        assert dialog.query_one("#qa-family", Input).value == "Alijević"
        assert dialog.query_one("#qa-given-0", Input).value == "Senada"


def test_an_erasure_takes_the_drafts_about_the_family_with_it(register):
    path, user, _other, household, _workshop = register
    db = open_database(path)
    try:
        ctx = Context(db, user_id=user, today=lambda: TODAY, now=lambda: NOW)
        drafts.keep_drafts(
            ctx,
            [
                drafts.Draft("household:" + household, "Edit household", {"notes": "x"}, household),
                drafts.Draft("household:new", "New household", {"family_name": "Jović"}),
            ],
        )
        erasure.erase_household(ctx, household, "asked to be forgotten")
        left = [r[0] for r in db.execute("SELECT form_key FROM drafts")]
        entries = [r[0] for r in db.execute("SELECT action FROM audit_log ORDER BY id")]
    finally:
        db.close()
    assert left == ["household:new"]
    assert "keep_drafts" in entries


def test_the_real_hang_up_signal_is_handled_by_the_loop(register, monkeypatch):
    # The handler is installed for SIGHUP (and SIGTERM) where a terminal is attached:
    # Python's default would end the process at once, the typing lost, the terminal raw.
    import asyncio
    import signal

    path, user, *_ = register
    app = _app(path, user)
    installed: dict[int, object] = {}

    class Loop:
        def add_signal_handler(self, number, callback):
            installed[number] = callback

    monkeypatch.setattr(asyncio, "get_running_loop", lambda: Loop())
    app._handle_hang_up()
    assert installed[signal.SIGHUP] == app.terminal_closed
    assert installed[signal.SIGTERM] == app.terminal_closed


async def test_a_form_just_opened_holds_no_typing_to_ask_about_or_keep(demo_db):
    # The person form proposed a "valid until" for every held document as it opened
    # (its drop-downs say Changed as they mount): Ctrl+Q then asked about "Edit person"
    # and a hang-up would have kept a draft nobody typed.
    user = make_user(demo_db)
    db = open_database(demo_db)
    try:
        rows = list(
            db.execute(
                "SELECT p.household_id, p.id FROM persons p JOIN documents d "
                "ON d.person_id = p.id AND d.state = 'have' AND d.valid_until IS NULL "
                "WHERE d.kind IN ('id_card', 'health_insurance') LIMIT 3"
            )
        )
    finally:
        db.close()
    assert rows
    app = _app(demo_db, user)
    async with app.run_test(size=(80, 24)) as pilot:
        for household_id, person_id in rows:
            app.push_screen(PersonFormScreen(household_id, person_id))
            await pilot.pause()
            await pilot.pause()
            assert app.screen.unsaved_work() is None
            assert app.drafts_now() == []
            app.pop_screen()
            await pilot.pause()


async def _address_kept_then_saved_elsewhere(register, **saved_since: str) -> None:
    """Senad types an address into the Petrović household and his terminal closes; then
    Milica saves ``saved_since`` into it (on her laptop, synced here)."""
    path, user, other, household, _workshop = register
    form = HouseholdFormScreen(household)
    await _hang_up_while_typing(path, user, form, "#address", "Cara Dušana 5")
    db = open_database(path)
    try:
        ctx = Context(db, user_id=other, today=lambda: TODAY, now=lambda: NOW)
        saved = hh.get_household(ctx, household).household
        hh.update_household(
            ctx,
            household,
            hh.HouseholdInput(
                saved.family_name,
                consent_date=saved.consent_date,
                consent_scope=saved.consent_scope,
                **saved_since,
            ),
        )
    finally:
        db.close()


async def _offered_again(app, pilot, household: str) -> ConfirmDialog:
    await pilot.pause()
    app.push_screen(HouseholdFormScreen(household))
    await pilot.pause()
    await pilot.pause()
    question = app.screen
    assert isinstance(question, ConfirmDialog)
    return question


async def test_a_draft_over_a_record_changed_since_says_so_and_keeps_the_newer_values(register):
    # Since Senad's terminal closed, Milica saved a phone and another address. Restored
    # as it was, the draft put the old phone back and Senad's address over Milica's
    # without a word.
    path, user, _other, household, _workshop = register
    await _address_kept_then_saved_elsewhere(register, address="Bulevar 1", phone="064 123 456")

    again = _app(path, user)
    async with again.run_test(size=(80, 24)) as pilot:
        question = await _offered_again(again, pilot, household)
        message = str(question.query_one("#confirm-message").render())
        assert "has been saved since" in message
        assert str(question.query_one("#yes").label) == "Restore my typing"
        assert str(question.query_one("#no").label) == "Keep the saved version"
        await pilot.press("enter")  # restore
        await pilot.pause()
        form = again.screen
        assert isinstance(form, HouseholdFormScreen)
        assert form.query_one("#address", Input).value == "Cara Dušana 5"  # typed
        assert form.query_one("#phone", Input).value == "064 123 456"  # Milica's, kept
        # the address was changed both ways: saving asks whose to keep, as for any
        # form opened before someone else saved
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(again.screen, ConfirmDialog)
        asked = str(again.screen.query_one("#confirm-message").render())
        assert "Someone else saved changes" in asked and "Address" in asked
        await pilot.press("escape")  # go back and look first: nothing saved
        await pilot.pause()
        assert hh.get_household(again.ctx, household).household.address == "Bulevar 1"


async def test_keeping_the_saved_version_drops_the_draft(register):
    path, user, _other, household, _workshop = register
    await _address_kept_then_saved_elsewhere(register, phone="064 123 456")
    again = _app(path, user)
    async with again.run_test(size=(80, 24)) as pilot:
        await _offered_again(again, pilot, household)
        again.screen.query_one("#no").press()
        await pilot.pause()
        form = again.screen
        assert isinstance(form, HouseholdFormScreen)
        assert form.query_one("#address", Input).value == ""
        assert form.query_one("#phone", Input).value == "064 123 456"
        assert form.unsaved_work() is None
    assert _rows(path) == []


async def test_a_draft_offered_another_day_is_not_taken_for_a_change(register):
    # A household with no consent recorded: its form proposes today as the consent date.
    # Offered the next day, that proposal is no change anyone saved.
    path, user, *_ = register
    db = open_database(path)
    try:
        household = hh.register_household(
            Context(db, user_id=user, today=lambda: TODAY), hh.HouseholdInput("Jović")
        )
    finally:
        db.close()
    await _hang_up_while_typing(
        path, user, HouseholdFormScreen(household), "#address", "Cara Dušana 5"
    )
    again = _app(path, user)
    again.ctx.today = lambda: date(2026, 11, 24)
    async with again.run_test(size=(80, 24)) as pilot:
        question = await _offered_again(again, pilot, household)
        assert str(question.query_one("#yes").label) == "Restore"


async def test_a_draft_offered_in_another_language_is_not_taken_for_a_change(register):
    # Kept in English ("01.11.2026"), offered in Serbian ("01.11.2026."): the consent
    # date's trailing dot read as a change someone had saved since.
    path, user, _other, household, _workshop = register
    form = HouseholdFormScreen(household)
    await _hang_up_while_typing(path, user, form, "#address", "Cara Dušana 5")
    again = DocAssistApp(path, user_id=user, language="sr")
    again.ctx.today = lambda: TODAY
    again.ctx.now = lambda: NOW
    async with again.run_test(size=(80, 24)) as pilot:
        question = await _offered_again(again, pilot, household)
        assert str(question.query_one("#confirm-message").render()) == translate_in(
            "sr",
            "The terminal was closed before this typing was saved. Restore it "
            "to go on, or discard it for good.",
        )
        await pilot.press("enter")  # restore
        await pilot.pause()
        restored = again.screen
        assert isinstance(restored, HouseholdFormScreen)
        assert restored.query_one("#address", Input).value == "Cara Dušana 5"
        assert restored.query_one("#consent_date", Input).value == "01.11.2026."
