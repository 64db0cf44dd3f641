"""Saving handouts from the screens: one key, a path ready to accept, a note saying where."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader
from textual.widgets import Input, Static

from docassist import locations
from docassist.domain.model import Role
from docassist.i18n import translate_in
from docassist.services import households as hh
from docassist.services import workshops as ws
from docassist.services.context import Context
from docassist.store.db import open_database
from docassist.ui.app import DocAssistApp
from docassist.ui.dialogs import SaveDialog
from docassist.ui.screens.household import HouseholdScreen
from docassist.ui.screens.workshop import PresenterScreen
from tests.ui.conftest import make_user


def pdf_text(path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def footer_labels(app) -> list[str]:
    return [b.binding.description for b in app.screen.active_bindings.values() if b.binding.show]


def _workshop(path) -> str:
    db = open_database(path)
    try:
        return ws.start_workshop(
            Context(db),
            date(2026, 11, 23),
            "Community centre",
            "Novi Sad",
            "Veliki rit",
            ["id-card"],
            ["rom", "sr"],
        )
    finally:
        db.close()


async def _open_save_dialog(app, pilot, workshop_id: str) -> None:
    """The workshop's presenter screen, then its save dialog (key s)."""
    await pilot.pause()
    app.push_screen(PresenterScreen(workshop_id))
    await pilot.pause()
    await pilot.press("s")
    await pilot.pause()


async def test_presenter_saves_the_checklist_in_the_workshop_languages(demo_db):
    user = make_user(demo_db, Role.FACILITATOR, "Milica")
    workshop_id = _workshop(demo_db)
    app = DocAssistApp(demo_db, user_id=user, language="sr")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(PresenterScreen(workshop_id))
        await pilot.pause()
        # The footer speaks the facilitator's language.
        assert translate_in("sr", "Handout") in footer_labels(app)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SaveDialog)
        expected = locations.handouts_dir() / "id-card-rom-sr.pdf"
        assert app.screen.query_one("#path", Input).value == str(expected)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PresenterScreen)
        assert expected.is_file()
        text = pdf_text(expected)
        assert "Lična karta" in text and "Лична карта" in text
        notes = [str(n.message) for n in app._notifications]
        assert any(str(expected) in note for note in notes)


async def test_household_saves_the_family_plan_where_the_user_types(demo_db, tmp_path):
    user = make_user(demo_db)
    db = open_database(demo_db)
    try:
        ctx = Context(db)
        household_id = db.execute(
            "SELECT household_id FROM persons WHERE deleted_at IS NULL "
            "GROUP BY household_id HAVING count(*) >= 3 LIMIT 1"
        ).fetchone()[0]
        names = [m.full_name for m in hh.get_household(ctx, household_id).members]
    finally:
        db.close()
    target = tmp_path / "usb" / "plan.pdf"
    target.parent.mkdir()  # the stick is plugged in
    app = DocAssistApp(demo_db, user_id=user)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_household(household_id)
        await pilot.pause()
        assert isinstance(app.screen, HouseholdScreen)
        assert "Family plan" in footer_labels(app)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, SaveDialog)
        field = app.screen.query_one("#path", Input)
        assert field.value.startswith(str(locations.handouts_dir()))
        field.value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HouseholdScreen)
        assert target.is_file()
        text = pdf_text(target)
        assert all(name in text for name in names)
        # Nothing written to the default folder (made when it was offered): only where
        # the user chose.
        assert list(locations.handouts_dir().iterdir()) == []


async def test_a_place_that_cannot_be_written_is_said_not_crashed(demo_db, tmp_path):
    user = make_user(demo_db, Role.FACILITATOR, "Milica")
    workshop_id = _workshop(demo_db)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    app = DocAssistApp(demo_db, user_id=user)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_save_dialog(app, pilot, workshop_id)
        app.screen.query_one("#path", Input).value = str(blocker / "x.pdf")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SaveDialog)  # stays open to fix the path
        assert "Cannot save" in str(app.screen.query_one("#error", Static).render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PresenterScreen)


async def test_a_handout_is_never_saved_over_the_register(demo_db):
    # The register is one Enter away in the path field: a tired facilitator who types
    # its name must not replace every family's records with a PDF (issue 14 §2).
    user = make_user(demo_db, Role.FACILITATOR, "Milica")
    workshop_id = _workshop(demo_db)
    before = demo_db.read_bytes()[:100]
    app = DocAssistApp(demo_db, user_id=user)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(PresenterScreen(workshop_id))
        await pilot.pause()
        for target in (demo_db, demo_db.with_name(demo_db.name + "-wal")):
            await pilot.press("s")
            await pilot.pause()
            app.screen.query_one("#path", Input).value = str(target)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, SaveDialog)
            error = str(app.screen.query_one("#error", Static).render())
            assert "does not write over it" in error and str(target) in error
            await pilot.press("escape")
            await pilot.pause()
    assert demo_db.read_bytes()[:100] == before


async def test_a_missing_folder_is_said_in_the_users_language_and_nothing_made(demo_db, tmp_path):
    # The USB stick is not plugged in: the plan is not written, its folders not made.
    user = make_user(demo_db, Role.FACILITATOR, "Milica")
    workshop_id = _workshop(demo_db)
    target = tmp_path / "usb" / "handouts" / "x.pdf"
    app = DocAssistApp(demo_db, user_id=user, language="sr")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_save_dialog(app, pilot, workshop_id)
        dialog = app.screen
        dialog.query_one("#path", Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog  # stays open, with what was typed
        assert dialog.query_one("#path", Input).value == str(target)
        said = str(dialog.query_one("#error", Static).render())
        assert said == translate_in(
            "sr", "The folder {folder} does not exist. Is the USB stick plugged in?"
        ).format(folder=target.parent)
        assert said.startswith("Фасцикла")
        assert not (tmp_path / "usb").exists()
