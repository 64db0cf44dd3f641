"""Another program holds the register's write lock past the app's wait (issue 14 §7).

In every dialog and form that writes: one calm message ("Nothing was saved; try again
in a moment"), the dialog or form stays as it was with what was typed, and the app
keeps running; once the lock is free the same key saves. Without the handling, the
service's BusyDatabaseError stopped the app ("internal error") and the typing was lost.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from textual.widgets import Input

from docassist.domain.model import Role, StepStatus
from docassist.procedures import load_all
from docassist.services import cases
from docassist.services import households as hh
from docassist.services import workshops as ws
from docassist.services.cases import StepPlan
from docassist.services.context import Context
from docassist.services.households import HouseholdInput, PersonInput
from docassist.store.db import open_database
from docassist.ui.app import DocAssistApp
from docassist.ui.dialogs import ConfirmDialog, DateDialog, QuickAddDialog, ReasonDialog, SaveDialog
from docassist.ui.screens.case import CaseScreen
from docassist.ui.screens.household import HouseholdScreen
from docassist.ui.screens.workshop_attendance import AttendanceScreen
from tests.ui.conftest import make_user

TODAY = date(2026, 11, 23)
OPENED = date(2026, 11, 16)  # a week before TODAY, so a typed earlier done date is allowed
BUSY = "Nothing was saved; try again in a moment."


@pytest.fixture
def family(empty_db):
    """Sabit Ramić with an ID card case, and a coordinator to work on it."""
    coordinator = make_user(empty_db)
    db = open_database(empty_db)
    try:
        ctx = Context(db, user_id=coordinator, today=lambda: OPENED)
        hid = hh.register_household(
            ctx,
            HouseholdInput("Ramić", settlement="Crvena zvezda", municipality="Niš"),
            [PersonInput("Sabit", "Ramić", birth_date="1990")],
        )
        sabit = hh.get_household(ctx, hid).members[0].id
        card = load_all().get("id-card")
        assert card is not None
        case_id = cases.open_case(
            ctx, sabit, card.id, card.version, [StepPlan(s.key, s.typical_days) for s in card.steps]
        )
    finally:
        db.close()
    return empty_db, coordinator, hid, case_id


def _app(path, user) -> DocAssistApp:
    app = DocAssistApp(path, user_id=user)
    app.ctx.today = lambda: TODAY
    return app


@contextmanager
def held(app: DocAssistApp) -> Iterator[None]:
    """Another program writing, and not finishing: the write lock taken and kept; the
    app waits 50 ms for it instead of 5 s, so the test need not."""
    app.db.execute("PRAGMA busy_timeout = 50")
    other = sqlite3.connect(str(app.db_path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def busy_notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications if BUSY in str(n.message)]


async def _case(app, pilot, case_id) -> CaseScreen:
    await pilot.pause()
    await app.push_screen(CaseScreen(case_id))
    await pilot.pause()
    assert isinstance(app.screen, CaseScreen)
    return app.screen


def _step(path, case_id) -> cases.CaseStep:
    db = open_database(path)
    try:
        return cases.get_case(Context(db), case_id).steps[0]
    finally:
        db.close()


async def test_a_reason_dialog_stays_open_with_the_reason_typed(family):
    path, user, _hid, case_id = family
    app = _app(path, user)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _case(app, pilot, case_id)
        await pilot.press("b")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ReasonDialog)
        await pilot.press(*"No registered address")
        with held(app):
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is dialog and app.is_running
            assert dialog.query_one(Input).value == "No registered address"
            assert len(busy_notes(app)) == 1  # one message, no stack
        assert _step(path, case_id).status != StepStatus.BLOCKED
        await pilot.press("enter")  # the lock is free: the same key saves
        await pilot.pause()
        assert app.screen is screen
    assert _step(path, case_id).blocked_reason == "No registered address"


async def test_a_date_dialog_stays_open_with_the_date_typed(family):
    path, user, _hid, case_id = family
    app = _app(path, user)
    async with app.run_test(size=(80, 24)) as pilot:
        await _case(app, pilot, case_id)
        await pilot.press("d")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, DateDialog)
        day = dialog.query_one("#day", Input)
        day.value = "20.11.2026"
        with held(app):
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is dialog
            assert dialog.query_one("#day", Input).value == "20.11.2026"
            assert len(busy_notes(app)) == 1
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, DateDialog)
    assert _step(path, case_id).done_date == date(2026, 11, 20)


async def test_a_step_changed_without_a_dialog_says_so_and_the_case_stays(family):
    path, user, _hid, case_id = family
    app = _app(path, user)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _case(app, pilot, case_id)
        with held(app):
            await pilot.press("s")  # skip the step
            await pilot.pause()
            assert app.screen is screen and app.is_running
            assert len(busy_notes(app)) == 1
    assert _step(path, case_id).status != StepStatus.SKIPPED


async def test_erasing_a_household_behind_a_held_lock_erases_nothing(family):
    path, user, hid, _case_id = family
    app = _app(path, user)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_household(hid)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HouseholdScreen)
        await pilot.press("X")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        with held(app):
            await pilot.click("#yes")
            await pilot.pause()
            assert app.screen is screen
            assert len(busy_notes(app)) == 1
        assert hh.get_household(app.ctx, hid).household.family_name == "Ramić"
        await pilot.press("X")
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
        assert not isinstance(app.screen, HouseholdScreen)  # back to the list
    db = open_database(path)
    try:
        row = db.execute("SELECT family_name, erased_at FROM households WHERE id = ?", [hid])
        name, erased_at = row.fetchone()
    finally:
        db.close()
    assert name == "" and erased_at


async def test_a_household_is_not_shown_when_its_opening_cannot_be_recorded(family):
    path, user, hid, _case_id = family
    app = _app(path, user)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        before = app.screen
        with held(app):
            app.open_household(hid)
            await pilot.pause()
            await pilot.pause()
            assert app.screen is before and app.is_running
            assert len(busy_notes(app)) == 1


async def test_the_family_plan_dialog_keeps_the_path_and_leaves_no_file(family, tmp_path):
    path, user, hid, _case_id = family
    target = tmp_path / "usb" / "plan.pdf"
    target.parent.mkdir()  # the stick is plugged in
    app = _app(path, user)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_household(hid)
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SaveDialog)
        dialog.query_one("#path", Input).value = str(target)
        with held(app):
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is dialog
            assert dialog.query_one("#path", Input).value == str(target)
            assert len(busy_notes(app)) == 1
            # a plan with names the audit log does not know of is not left behind
            assert not target.exists()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HouseholdScreen)
        assert target.is_file()


async def test_the_quick_add_dialog_keeps_the_family_typed(family):
    path, _user, _hid, _case_id = family
    facilitator = make_user(path, Role.FACILITATOR, "Milica")
    db = open_database(path)
    try:
        workshop_id = ws.start_workshop(
            Context(db, user_id=facilitator),
            TODAY,
            "Community centre",
            "Novi Sad",
            "Veliki rit",
            ["id-card"],
            ["sr"],
        )
    finally:
        db.close()
    app = _app(path, facilitator)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(AttendanceScreen(workshop_id))
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        quick = app.screen
        assert isinstance(quick, QuickAddDialog)
        await pilot.press(*"Beriša")
        quick.query_one("#qa-given-0", Input).value = "Arben"
        quick.query_one("#qa-born-0", Input).value = "2012"
        quick.query_one("#qa-consent").value = True
        with held(app):
            quick.query_one("#qa-save").press()
            await pilot.pause()
            await pilot.pause()
            assert app.screen is quick and app.is_running
            assert quick.query_one("#qa-given-0", Input).value == "Arben"
            assert len(busy_notes(app)) == 1
        assert hh.count_households(app.ctx) == 1
        quick.query_one("#qa-save").press()
        await pilot.pause()
        await pilot.pause()
        assert not isinstance(app.screen, QuickAddDialog)
        assert hh.count_households(app.ctx) == 2


async def test_a_language_switch_stays_when_it_cannot_be_remembered(family):
    path, user, _hid, _case_id = family
    app = _app(path, user)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        with held(app):
            app.choose_language("sr")
            await pilot.pause()
            assert app.is_running
            # said once, in the language just chosen; the switch itself stands
            assert [n.severity for n in app._notifications] == ["error"]
            assert app.screen.app is app
