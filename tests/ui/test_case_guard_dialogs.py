"""The questions asked before a case that may be a mistake (issue 15 items 11 and 12),
driven from the keyboard on one family: a procedure that does not seem to fit, a
document already held, a case voided the day it was opened; and the workshop's end,
which skips who holds the document and says so."""

from __future__ import annotations

import json
from datetime import date

from textual.widgets import OptionList, SelectionList, Static

from docassist.domain.model import DocumentKind, Outcome, Relation, Sex
from docassist.services import cases as cases_svc
from docassist.services import households as hh
from docassist.services import plans
from docassist.services import workshops as ws
from docassist.services.cases import StepPlan
from docassist.services.context import Context
from docassist.store.db import open_database
from docassist.ui.app import DocAssistApp
from docassist.ui.dialogs import ChecklistPickerDialog, ConfirmDialog
from docassist.ui.screens.household import HouseholdScreen
from docassist.ui.screens.workshop_end import EndScreen
from tests.ui.conftest import make_user

TODAY = date(2026, 11, 23)


def _family(path) -> tuple[str, str, str]:
    """The Petrović household: Marija (1990), whose ID card came through a case closed
    on 20.05.2026, and her son Marko (2010). Returns (household, Marija, Marko)."""
    db = open_database(path)
    try:
        ctx = Context(db, today=lambda: date(2026, 5, 20))
        household = hh.register_household(
            ctx,
            hh.HouseholdInput("Petrović", settlement="Mali Leskovac", municipality="Beograd"),
            [
                hh.PersonInput("Marija", "Petrović", Relation.HEAD, Sex.FEMALE, "1990"),
                hh.PersonInput("Marko", "Petrović", Relation.CHILD, Sex.MALE, "2010"),
            ],
        )
        marija, marko = (m.id for m in hh.get_household(ctx, household).members)
        case_id = cases_svc.open_case(
            ctx, marija, "id-card", 1, [StepPlan("gather", 7)], produces=DocumentKind.ID_CARD
        )
        cases_svc.close_case(ctx, case_id, Outcome.OBTAINED)
        return household, marija, marko
    finally:
        db.close()


def _app(path) -> DocAssistApp:
    app = DocAssistApp(path, user_id=make_user(path))
    app.ctx.today = lambda: TODAY
    return app


async def _household(app, pilot, household: str, person: str) -> HouseholdScreen:
    app.open_household(household)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, HouseholdScreen)
    screen.person_id = person
    return screen


async def _pick(app, pilot, checklist_id: str) -> None:
    """o, then the procedure ``checklist_id`` in the picker."""
    await pilot.press("o")
    await pilot.pause()
    picker = app.screen
    assert isinstance(picker, ChecklistPickerDialog)
    options = picker.query_one(OptionList)
    options.highlighted = next(
        i for i in range(options.option_count) if options.get_option_at_index(i).id == checklist_id
    )
    await pilot.press("enter")
    await pilot.pause()


def _message(app) -> str:
    return str(app.screen.query_one("#confirm-message", Static).render())


def _open_cases(app, person: str) -> list[str]:
    return [c.checklist_id for c in cases_svc.cases_of_person(app.ctx, person) if c.is_active]


async def test_a_procedure_that_does_not_fit_is_asked_first(empty_db):
    household, marija, _marko = _family(empty_db)
    app = _app(empty_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await _household(app, pilot, household, marija)
        plan = plans.household_plans(app.ctx, household, app.checklists)[marija]
        misfit = next(c for c in app.checklists if not plan.fits(c.id) and c.produces is None)
        title = misfit.title.en

        await _pick(app, pilot, misfit.id)
        assert isinstance(app.screen, ConfirmDialog)
        assert _message(app) == (
            f"{title} does not seem to fit Marija Petrović: their plan does not suggest it. "
            "Open a case on it anyway?"
        )
        await pilot.press("enter")  # the focused button is Cancel: nothing opens
        await pilot.pause()
        assert isinstance(app.screen, HouseholdScreen)
        assert _open_cases(app, marija) == []

        await _pick(app, pilot, misfit.id)
        app.screen.query_one("#yes").press()
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, HouseholdScreen)
        assert _open_cases(app, marija) == [misfit.id]

        # a procedure that fits opens at once, without a question (Marko, first ID card)
        fitting = plans.household_plans(app.ctx, household, app.checklists)[_marko]
        ready = fitting.actionable[0].checklist
        app.screen.person_id = _marko
        await _pick(app, pilot, ready.id)
        assert isinstance(app.screen, HouseholdScreen)
        assert _open_cases(app, _marko) == [ready.id]


async def test_a_document_already_held_is_asked_with_its_date_then_opened(empty_db):
    household, marija, _marko = _family(empty_db)
    app = _app(empty_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await _household(app, pilot, household, marija)
        await _pick(app, pilot, "id-card")
        assert isinstance(app.screen, ConfirmDialog)
        assert _message(app) == (
            "Marija Petrović already holds this document: ID card (since 20.05.2026).\n"
            "Open the case anyway?"
        )
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HouseholdScreen)
        assert _open_cases(app, marija) == []

        await _pick(app, pilot, "id-card")
        app.screen.query_one("#yes").press()
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, HouseholdScreen)
        [opened] = [c for c in cases_svc.cases_of_person(app.ctx, marija) if c.is_active]
        assert opened.checklist_id == "id-card"
        (after,) = app.ctx.db.execute(
            "SELECT after FROM audit_log WHERE action = 'open' AND entity_id = ?", [opened.id]
        ).fetchone()
        assert json.loads(after)["held"] is True


async def test_the_end_of_a_workshop_skips_who_holds_the_document(empty_db):
    household, marija, marko = _family(empty_db)
    app = _app(empty_db)
    async with app.run_test(size=(100, 40)) as pilot:
        workshop = ws.start_workshop(app.ctx, TODAY, "Hall", "Beograd", "", ["id-card"], ["sr"])
        ws.add_attendance(app.ctx, workshop, household)
        await app.push_screen(EndScreen(workshop))
        await pilot.pause()
        end = app.screen
        assert isinstance(end, EndScreen)
        ticks = end.query_one("#ws-end-cases", SelectionList)
        ticks.select(f"{marija}|id-card")  # "has it": ticked by hand
        await pilot.pause()
        assert sorted(end.chosen_cases()) == sorted([(marija, "id-card"), (marko, "id-card")])
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        result = str(app.screen.query_one("#ws-end-result", Static).render())
        assert "Opened 1 case.\n  Marko Petrović: ID card" in result
        assert (
            "Skipped 1: they already hold the document (to open a case anyway, use their "
            "household's screen).\n  Marija Petrović: ID card"
        ) in result
        assert _open_cases(app, marija) == []
        assert _open_cases(app, marko) == ["id-card"]


async def test_a_case_opened_by_mistake_is_voided_from_its_screen(empty_db):
    from docassist.ui.screens.case import CaseScreen

    household, _marija, marko = _family(empty_db)
    app = _app(empty_db)
    async with app.run_test(size=(100, 30)) as pilot:
        case_id = cases_svc.open_case(
            app.ctx, marko, "id-card", 1, [StepPlan("gather", 7)], produces=DocumentKind.ID_CARD
        )
        await app.push_screen(CaseScreen(case_id))
        await pilot.pause()
        screen = app.screen
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert _message(app).startswith(
            "Void this case, opened by mistake today?\nMarko Petrović — ID card\n"
        )
        await pilot.press("enter")  # Cancel is focused: kept
        await pilot.pause()
        assert app.screen is screen and cases_svc.get_case(app.ctx, case_id).voided_at is None

        await pilot.press("x")
        await pilot.pause()
        app.screen.query_one("#yes").press()
        await pilot.pause()
        await pilot.pause()
        assert app.screen is screen
        status = str(screen.query_one("#case-status", Static).render())
        assert status.startswith("Voided · opened by mistake; voided ")
        assert cases_svc.get_case(app.ctx, case_id).voided_at is not None
        await pilot.press("r")  # a voided case does not reopen
        await pilot.pause()
        assert cases_svc.get_case(app.ctx, case_id).voided_at is not None
        assert not cases_svc.get_case(app.ctx, case_id).is_active

        # the household lists it as voided, and counts it nowhere
        await pilot.press("escape")
        await pilot.pause()
        await _household(app, pilot, household, marko)
        app.screen.person_id = marko
        app.screen.request_reload()
        await pilot.pause()
        await pilot.pause()
        from textual.widgets import DataTable

        table = app.screen.query_one("#case-table", DataTable)
        assert [str(table.get_row_at(i)[1]) for i in range(table.row_count)] == ["Voided"]


async def test_voiding_the_next_day_is_refused_with_the_reason(empty_db):
    from docassist.ui.screens.case import CaseScreen

    _household_id, marija, _marko = _family(empty_db)
    app = _app(empty_db)
    async with app.run_test(size=(100, 30)) as pilot:
        app.ctx.today = lambda: date(2026, 11, 22)
        case_id = cases_svc.open_case(
            app.ctx, marija, "health-insurance", 1, [StepPlan("gather", 7)]
        )
        app.ctx.today = lambda: TODAY
        await app.push_screen(CaseScreen(case_id))
        await pilot.pause()
        messages: list[str] = []
        app.notify = lambda message, **kw: messages.append(message)
        await pilot.press("x")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)
        assert messages == [
            "A case can be voided only on the day it was opened (22.11.2026). "
            "Close it as abandoned instead."
        ]
        assert cases_svc.get_case(app.ctx, case_id).voided_at is None


async def test_a_birth_date_after_the_persons_case_is_said_under_the_field(empty_db):
    from textual.widgets import Input

    from docassist.ui.screens.person_form import PersonFormScreen
    from docassist.ui.widgets.field_problems import FieldProblems

    household, marija, _marko = _family(empty_db)  # her case was opened on 20.05.2026
    app = _app(empty_db)
    async with app.run_test(size=(100, 40)) as pilot:
        await app.push_screen(PersonFormScreen(household, marija))
        await pilot.pause()
        form = app.screen
        field = form.query_one("#birth_date", Input)
        field.focus()
        field.value = ""
        await pilot.press(*"01.06.2026")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()
        assert app.screen is form  # not saved
        problems = form.query_one("#birth_date-problems", FieldProblems).text
        assert "The birth date cannot be after 20.05.2026" in problems
        assert hh.get_person(app.ctx, marija).birth_date.year == 1990
