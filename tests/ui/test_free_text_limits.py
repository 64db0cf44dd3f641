"""Issue 16 §3: every free-text field has a limit, and a 5,000-character paste into any of
them is refused with a message (never taken silently, never dropped silently).

The walk covers every text field of the register's forms and of the dialogs that take
free text; a field added later is pasted into too.
"""

from __future__ import annotations

from datetime import date

import pytest
from textual import events
from textual.widgets import Input, TextArea

from docassist.domain.model import Role
from docassist.services import households as hh
from docassist.services.context import Context
from docassist.store.db import open_database
from docassist.ui.app import DocAssistApp
from docassist.ui.dialogs import CloseCaseDialog, DateDialog, QuickAddDialog, ReasonDialog
from docassist.ui.screens.household_form import HouseholdFormScreen
from docassist.ui.screens.person_form import PersonFormScreen
from docassist.ui.widgets.field_problems import FieldProblems
from tests.ui.conftest import make_user, petrovic_and_a_workshop

TODAY = date(2026, 11, 23)
PASTE = "Porodica živi kod rođaka u baraci bez struje. " * 110  # over 5,000 characters


@pytest.fixture
def register(empty_db):
    user = make_user(empty_db, Role.COORDINATOR, "Senad")
    household, workshop = petrovic_and_a_workshop(empty_db, user, TODAY)
    return empty_db, user, household, workshop


def _fields(screen) -> list:
    # Those shown: a document's "valid until" stands only under a document held.
    return [
        w
        for w in screen.query("Input, TextArea")
        if not w.disabled
        and w.id
        and all(a.display for a in w.ancestors_with_self if a is not w.app)
    ]


def _notes(app) -> str:
    """What the app said in notifications (a refused paste is said there)."""
    return " ".join(n.message for n in app._notifications)


async def _paste(pilot, field) -> None:
    field.focus()
    await pilot.pause()
    if isinstance(field, TextArea):
        field.insert(PASTE)
    else:
        field.post_message(events.Paste(PASTE))
    await pilot.pause()


@pytest.mark.parametrize("form", ["household", "person"])
async def test_a_page_pasted_into_any_field_of_a_form_is_refused_under_that_field(register, form):
    path, user, household, _workshop = register
    app = DocAssistApp(path, user_id=user)
    app.ctx.today = lambda: TODAY
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.push_screen(
            HouseholdFormScreen(household) if form == "household" else PersonFormScreen(household)
        )
        await pilot.pause()
        screen = app.screen
        fields = _fields(screen)
        assert len(fields) >= 5
        silent = []
        for field in fields:
            before = field.text if isinstance(field, TextArea) else field.value
            app.clear_notifications()
            await _paste(pilot, field)
            problems = screen.query(f"#{field.id}-problems")
            said = problems and problems.first(FieldProblems).text.strip()
            now = field.text if isinstance(field, TextArea) else field.value
            refused = now == before and "At most" in _notes(app)
            if not (said or refused):
                silent.append((field.id, len(now) - len(before)))
        assert silent == [], silent
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen  # nothing saved; what was typed is still there


async def test_a_page_pasted_into_a_dialog_is_refused_with_a_message(register):
    # The dialogs save through the same services the case screen calls.
    from docassist import procedures
    from docassist.domain.model import StepStatus
    from docassist.services import cases
    from docassist.services.cases import StepPlan

    path, user, household, workshop = register
    checklist = procedures.load_all().get("id-card")
    db = open_database(path)
    try:
        ctx = Context(db, user_id=user, today=lambda: TODAY)
        person = hh.add_person(ctx, household, hh.PersonInput("Sabit", "Petrović"))
        case_id = cases.open_case(
            ctx,
            person,
            checklist.id,
            checklist.version,
            [StepPlan(s.key, s.typical_days) for s in checklist.steps],
        )
    finally:
        db.close()
    step = checklist.steps[0].key
    app = DocAssistApp(path, user_id=user)
    app.ctx.today = lambda: TODAY
    c = app.ctx
    dialogs = {
        "reason": lambda: ReasonDialog(
            "Blocked",
            "What blocks it?",
            save=lambda r: cases.set_step_status(c, case_id, step, StepStatus.BLOCKED, reason=r),
        ),
        "date note": lambda: DateDialog(
            "Done",
            "Done on",
            initial=TODAY,
            today=TODAY,
            note="",
            save=lambda d, n: cases.set_step_status(
                c, case_id, step, StepStatus.DONE, on=d, note=n
            ),
        ),
        "close": lambda: CloseCaseDialog(
            today=TODAY,
            reasons=[],
            save=lambda o, d, r: cases.close_case(c, case_id, o, on=d, reason=r),
        ),
        "quick add": lambda: QuickAddDialog(workshop),
    }
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        for name, make in dialogs.items():
            app.push_screen(make())
            await pilot.pause()
            dialog = app.screen
            if name == "close":
                await pilot.press("down", "down", "enter")  # stopped: the reason is free text
                await pilot.pause()
            app.clear_notifications()
            for field in dialog.query(Input):
                if field.id != "day" and field.display and field.parent.display:
                    await _paste(pilot, field)
            refused = "At most" in _notes(app)
            dialog.query_one("#ok, #qa-save").press()
            await pilot.pause()
            if name == "close":  # "Close ...?": yes
                app.screen.query_one("#yes").press()
                await pilot.pause()
            await pilot.pause()
            assert app.screen is dialog, name  # still open, nothing saved
            errors = " ".join(
                str(w.render()) for w in dialog.query("#error, #qa-error") if w.display
            )
            assert "at most" in errors or refused, name
            app.pop_screen()
            await pilot.pause()
    db = open_database(path)
    try:
        kept = cases.get_case(Context(db), case_id)
    finally:
        db.close()
    assert kept.is_active and kept.status.value == "open"


async def test_an_emoji_in_a_person_s_name_is_refused_because_the_handouts_cannot_print_it(
    register,
):
    # The household form's family name is tested in test_household_screens.py.
    path, user, household, _workshop = register
    app = DocAssistApp(path, user_id=user)
    app.ctx.today = lambda: TODAY
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.push_screen(PersonFormScreen(household))
        await pilot.pause()
        screen = app.screen
        screen.query_one("#given_name", Input).insert_text_at_cursor("Ana 🌸")  # a paste
        await pilot.pause()
        said = screen.query_one("#given_name-problems", FieldProblems).text
        assert "The printed handouts cannot show 🌸" in said
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen  # refused: nothing saved
