"""Every dialog of the app, opened at 80x24 in each language: nothing is cut, and the
buttons stand in the one order (``dialogs.base.button_row``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, RadioButton, Static

from docassist.domain.model import Role
from docassist.services import workshops as ws
from docassist.services.accounts import Account
from docassist.services.context import Context
from docassist.services.households import DuplicateCandidate, HouseholdCandidate, PersonInput
from docassist.store.db import open_database
from docassist.ui.app import DocAssistApp
from docassist.ui.dialogs import (
    AssigneeDialog,
    AttendeeDuplicateDialog,
    ChecklistPickerDialog,
    CloseCaseDialog,
    ConfirmDialog,
    DateDialog,
    Dialog,
    ExportPassphraseDialog,
    FullTextDialog,
    HelpDialog,
    HouseholdDuplicateDialog,
    LanguageDialog,
    PersonDuplicateDialog,
    QuickAddDialog,
    ReasonDialog,
    SaveDialog,
)
from docassist.ui.dialogs.accounts import (
    NewAccountDialog,
    OwnPassphraseDialog,
    ResetPassphraseDialog,
    RoleDialog,
)
from tests.ui.conftest import make_user
from tests.ui.dialogs.test_base import _ui_classes

TODAY = date(2026, 11, 23)
PERSON = DuplicateCandidate(
    "p1", "h1", "Ajša Ramić", "1993-05-02", "Veliki rit", "Novi Sad", "same name and year of birth"
)
FAMILY = HouseholdCandidate(
    "h1",
    "Ramić",
    "Veliki rit",
    "Novi Sad",
    (("Sabit", "Ramić"), ("Ajša", "Ramić"), ("Emir", "Ramić")),
    "same settlement",
)
ACCOUNT = Account("u1", "Dragan Jovanović", Role.FACILITATOR, True, False)


def _save(*_args: object) -> None:
    return None


def dialogs(app: DocAssistApp, workshop_id: str) -> dict[type, Callable[[], Dialog]]:
    """One way to open each dialog, as its screens do (the words are the longest the
    screens give it)."""
    checklists = list(app.checklists)
    return {
        ConfirmDialog: lambda: ConfirmDialog(
            "Leave without saving? What you typed here will be lost.",
            title="Sign out?",
            confirm_label="Sign out and discard",
            cancel_label="Stay",
            danger=True,
        ),
        DateDialog: lambda: DateDialog(
            "Due date", "When is it due?", initial=TODAY, today=TODAY, save=_save, note=""
        ),
        ReasonDialog: lambda: ReasonDialog("Blocked", "What blocks this step?", save=_save),
        CloseCaseDialog: lambda: CloseCaseDialog(
            today=TODAY, reasons=[("missing", "A paper is missing")], save=_save
        ),
        ChecklistPickerDialog: lambda: ChecklistPickerDialog("Ajša Ramić", None, checklists),
        PersonDuplicateDialog: lambda: PersonDuplicateDialog("Ajša Ramić", [PERSON]),
        HouseholdDuplicateDialog: lambda: HouseholdDuplicateDialog("Ramić", [FAMILY]),
        AttendeeDuplicateDialog: lambda: AttendeeDuplicateDialog(
            PersonInput("Ajša", "Ramić"), [PERSON]
        ),
        ExportPassphraseDialog: ExportPassphraseDialog,
        FullTextDialog: lambda: FullTextDialog([(lambda: "Note", "A long note. " * 40)]),
        HelpDialog: lambda: HelpDialog(app.screen),
        LanguageDialog: LanguageDialog,
        QuickAddDialog: lambda: QuickAddDialog(workshop_id),
        SaveDialog: lambda: SaveDialog("Family plan", Path("/tmp/plan.pdf")),
        NewAccountDialog: lambda: NewAccountDialog(list(Role)),
        ResetPassphraseDialog: lambda: ResetPassphraseDialog(ACCOUNT),
        OwnPassphraseDialog: OwnPassphraseDialog,
        RoleDialog: lambda: RoleDialog(ACCOUNT),
        AssigneeDialog: lambda: AssigneeDialog(
            "Ajša Ramić — Personal ID card (first issue)",
            [
                ("u1", "Dragan Jovanović", Role.FACILITATOR),
                ("u2", "Senad Coordinator", Role.COORDINATOR),
            ],
            "u1",
        ),
    }


def _leaf_dialogs() -> set[type]:
    found = {c for c in _ui_classes() if issubclass(c, Dialog) and c is not Dialog}
    # Bases that are never opened themselves.
    return {c for c in found if not any(issubclass(o, c) and o is not c for o in found)}


@pytest.fixture
def started(demo_db):
    user = make_user(demo_db, Role.COORDINATOR, "Senad Coordinator")
    db = open_database(demo_db)
    try:
        ctx = Context(db, user_id=user, today=lambda: TODAY)
        workshop = ws.start_workshop(
            ctx, TODAY, "Community centre", "Novi Sad", "Veliki rit", ["id-card"], ["rom", "sr"]
        )
    finally:
        db.close()
    return demo_db, user, workshop


def _text(widget: Widget) -> str:
    if isinstance(widget, (Button, Checkbox, RadioButton)):
        return str(widget.label)
    return str(widget.render())


def cut_words(dialog: Dialog) -> list[str]:
    """The words of the dialog that do not show whole at this size."""
    screen = dialog.app.screen.region
    cut = [
        "the box is bigger than the screen"
        for box in dialog.query(".dialog-box")
        if not screen.contains_region(box.region)
    ]
    for widget in dialog.query("*"):
        region = widget.region
        if not region or not widget.display:
            continue  # not on screen (scrolled away, hidden)
        parent = widget.parent
        text = _text(widget) if isinstance(widget, (Button, Checkbox, RadioButton, Static)) else ""
        name = text or type(widget).__name__
        # Wider than the box it stands in: its right end is cut off.
        if (
            isinstance(parent, Widget)
            and parent.region
            and (region.right > parent.content_region.right or region.x < parent.content_region.x)
        ):
            cut.append(name)
        elif isinstance(widget, Button):
            if cell_len(text) > widget.content_region.width:
                cut.append(text)
        elif isinstance(widget, (Checkbox, RadioButton)):
            # The box ("▐X▌") and a space come before the label.
            if cell_len(text) + 4 > widget.content_region.width:
                cut.append(text)
        elif isinstance(widget, Input):
            if cell_len(widget.placeholder) > widget.content_region.width:
                cut.append(widget.placeholder)
        elif isinstance(widget, Static) and text.strip():
            needed = widget.get_content_height(
                widget.content_region.size, screen.size, widget.content_region.width
            )
            if needed > widget.content_region.height:
                cut.append(text)
    return cut


def button_order(dialog: Screen) -> list[list[str]]:
    """Each row of buttons as the places of its back and main buttons ("back", "main",
    "other"), left to right."""
    rows = []
    for row in dialog.query(".dialog-buttons"):
        rows.append(
            [
                "back" if b.has_class("-back") else "main" if b.has_class("-main") else "other"
                for b in row.query(Button)
            ]
        )
    return rows


async def test_a_cut_label_is_found(started):
    path, user, _workshop = started
    app = DocAssistApp(path, user_id=user)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(ConfirmDialog("Sure?", confirm_label="Yes " * 20, title="T " * 60))
        await pilot.pause()
        assert ("Yes " * 20) in cut_words(app.screen)


def test_every_dialog_is_tried(started):
    path, user, workshop = started
    app = DocAssistApp(path, user_id=user)
    assert set(dialogs(app, workshop)) == _leaf_dialogs()


@pytest.mark.parametrize("language", ["en", "rom", "sr_Latn", "sr"])
async def test_no_dialog_cuts_its_words_at_80x24(started, language):
    path, user, workshop = started
    app = DocAssistApp(path, user_id=user, language=language)
    app.ctx.today = lambda: TODAY
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        problems = {}
        for kind, make in dialogs(app, workshop).items():
            app.push_screen(make())
            await pilot.pause()
            await pilot.pause()
            assert isinstance(app.screen, kind)
            cut = cut_words(app.screen)
            if cut:
                problems[kind.__name__] = cut
            app.pop_screen()
            await pilot.pause()
        assert problems == {}


async def test_every_dialog_has_its_buttons_in_one_order(started):
    path, user, workshop = started
    app = DocAssistApp(path, user_id=user)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        rows = {}
        for kind, make in dialogs(app, workshop).items():
            app.push_screen(make())
            await pilot.pause()
            dialog = app.screen
            # Every button of a dialog stands in its row of buttons, but the ones
            # that belong to a field ("Another person").
            in_rows = {id(b) for row in dialog.query(".dialog-buttons") for b in row.query(Button)}
            loose = [b.id for b in dialog.query(Button) if id(b) not in in_rows]
            assert loose in ([], ["qa-more"]), kind.__name__
            rows[kind.__name__] = button_order(dialog)
            app.pop_screen()
            await pilot.pause()
    for name, found in rows.items():
        for row in found:
            assert row[0] == "back", name  # the way back first, at the left
            assert row.count("back") == 1, name
            assert row.count("main") <= 1 and ("main" not in row or row[-1] == "main"), name
    assert rows["ConfirmDialog"] == [["back", "main"]]
    assert rows["ExportPassphraseDialog"] == [["back", "other", "main"]]


def _forms(household_id: str) -> dict[type, Callable[[], Screen]]:
    """One way to open each of the register's forms, new and editing."""
    from docassist.ui.screens.household_form import HouseholdFormScreen
    from docassist.ui.screens.person_form import PersonFormScreen

    return {
        HouseholdFormScreen: lambda: HouseholdFormScreen(household_id),
        PersonFormScreen: lambda: PersonFormScreen(household_id),
    }


async def test_every_form_has_its_buttons_in_the_order_of_the_dialogs(started):
    # The household and person forms showed Save before Cancel while every dialog shows
    # the way back first: the same place every time, so nobody cancels out of habit.
    from docassist.ui.screens.form import FormScreen

    path, user, _workshop = started
    db = open_database(path)
    try:
        household_id = db.execute("SELECT id FROM households LIMIT 1").fetchone()[0]
    finally:
        db.close()
    forms = _forms(household_id)
    every_form = {c for c in _ui_classes() if issubclass(c, FormScreen) and c is not FormScreen}
    assert set(forms) == every_form
    app = DocAssistApp(path, user_id=user)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        for kind, make in forms.items():
            app.push_screen(make())
            await pilot.pause()
            form = app.screen
            assert isinstance(form, kind)
            in_rows = {id(b) for row in form.query(".dialog-buttons") for b in row.query(Button)}
            assert [b.id for b in form.query(Button) if id(b) not in in_rows] == [], kind
            assert button_order(form) == [["back", "main"]], kind.__name__
            assert [b.id for b in form.query(".dialog-buttons Button")] == ["cancel", "save"]
            app.pop_screen()
            await pilot.pause()


async def test_the_close_case_choices_differ_in_shape_not_only_in_colour(started):
    # "Document obtained", "Refused" and "Stopped" were all drawn ▐●▌, the chosen one
    # told only by its colour: unreadable on a washed-out projector.
    from docassist.ui.widgets.choice_button import CHOSEN, NOT_CHOSEN

    path, user, _workshop = started
    app = DocAssistApp(path, user_id=user)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(
            CloseCaseDialog(today=TODAY, reasons=[("missing", "A paper is missing")], save=_save)
        )
        await pilot.pause()

        def marks() -> list[str]:
            return [str(b.render()).strip()[:3] for b in app.screen.query(RadioButton)]

        assert marks() == [CHOSEN, NOT_CHOSEN, NOT_CHOSEN]
        await pilot.press("down", "enter")  # the next choice, taken
        await pilot.pause()
        assert marks() == [NOT_CHOSEN, CHOSEN, NOT_CHOSEN]
        assert str(app.screen.query_one("#reason-label").render()) == "Why did the office refuse?"
