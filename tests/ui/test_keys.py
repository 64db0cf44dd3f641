"""Issue 16 §3 and §9: keys. F1 help names every key of the screen; a single-letter key
never fires while the cursor is in a text field; a key a trainee may not use says so;
the dashboard's due date stays whole at 80x24 in every language."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.binding import Binding
from textual.widgets import DataTable, Input

from docassist.domain.model import Role
from docassist.ui.app import DocAssistApp
from docassist.ui.commands import COMMANDS, EVERYWHERE
from docassist.ui.dialogs import HelpDialog
from docassist.ui.dialogs.help import TEXTUAL_OWN
from tests.ui.conftest import make_user
from tests.ui.main_screens import MAIN_SCREENS, make_app, make_fixed_demo, open_screen


@pytest.fixture
def fixed_demo(tmp_path, monkeypatch):
    return make_fixed_demo(tmp_path / "demo.db", monkeypatch)


def screen_text(app: DocAssistApp) -> str:
    console = Console(width=app.size.width, record=True, file=io.StringIO())
    console.print(app.screen._compositor)
    return console.export_text()


def own_keys(screen) -> dict[str, str]:
    """The screen's own keys in force now (not Textual's, not the app's), by key."""
    app_keys = {c.key for c in COMMANDS}
    keys = {}
    for key, active in screen.active_bindings.items():
        if active.node is not screen or active.binding.action in TEXTUAL_OWN:
            continue
        if key in app_keys:
            continue
        keys[key] = active.binding.action
    return keys


@pytest.mark.parametrize("name", [s for s in MAIN_SCREENS if s not in ("help", "start")])
async def test_f1_help_names_every_key_of_the_screen(fixed_demo, name):
    app = make_app(fixed_demo, name)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_screen(app, pilot, name)
        screen = app.screen
        keys = own_keys(screen)
        assert keys, name
        await pilot.press("f1")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpDialog)
        table = help_screen.query_one("#screen-keys", DataTable)
        listed = set()
        for i in range(table.row_count):
            shown, what = (str(cell) for cell in table.get_row_at(i))
            assert what.strip(), shown  # each key says what it does
            if "–" in shown:  # "1–9": one row for the digits
                first, last = shown.split("–")
                listed |= {str(n) for n in range(int(first), int(last) + 1)}
            else:
                listed.add(shown)
        missing = [key for key in keys if app.get_key_display(Binding(key, "")) not in listed]
        assert missing == [], name


async def test_single_letter_keys_type_into_a_text_field(fixed_demo):
    app = make_app(fixed_demo, "register")
    async with app.run_test(size=(80, 24)) as pilot:
        for name in ("register", "reports"):
            await open_screen(app, pilot, name)
            screen = app.screen
            letters = sorted({k for k, _b in screen._bindings if len(k) == 1 and k.isalpha()})
            assert letters, name
            for field in screen.query(Input):
                if field.disabled or not field.display:
                    continue
                field.focus()
                field.value = ""
                await pilot.pause()
                await pilot.press(*letters)
                await pilot.pause()
                assert app.screen is screen, (name, field.id)  # nothing opened
                assert field.value == "".join(letters), (name, field.id)
                field.value = ""
            await pilot.press("f4")
            await pilot.pause()


async def test_a_trainee_is_told_why_a_key_does_nothing(empty_db):
    app = DocAssistApp(empty_db, user_id=make_user(empty_db, Role.TRAINEE, "Ana Trainee"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        home = app.screen
        for command in COMMANDS:
            if command.roles is None or command.key in EVERYWHERE:
                continue  # a trainee may use it
            app.clear_notifications()
            await pilot.press(command.key)
            await pilot.pause()
            assert app.screen is home, command.key
            said = [str(n.message) for n in app._notifications]
            assert len(said) == 1 and said[0].strip(), command.key  # says why, never silent


@pytest.mark.parametrize("language", ["en", "rom", "sr_Latn", "sr"])
async def test_the_dashboards_dates_stay_whole_at_80x24(fixed_demo, language):
    app = make_app(fixed_demo, "dashboard", language)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(app, pilot, "dashboard")
        for tab in ("w", "o"):
            await pilot.press(tab)
            await pilot.pause()
            table = app.screen.query_one(
                "#overdue-table" if tab == "o" else "#due-table", DataTable
            )
            assert table.row_count, tab
            first = str(table.get_row_at(0)[0])
            assert first.strip() and first in screen_text(app), (tab, first)
