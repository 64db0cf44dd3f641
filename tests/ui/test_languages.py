"""Switching language on each main screen: redrawn at once, nothing lost, nothing cut off."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.widgets import DataTable, Input

from docassist import i18n
from docassist.services import households as hh
from docassist.ui.app import DocAssistApp
from tests.ui.main_screens import (
    MAIN_SCREENS,
    footer_overflow,
    footer_text,
    make_app,
    make_fixed_demo,
    open_screen,
)

# A text each screen shows in its body, as an English msgid. The presenter's body
# speaks the workshop's languages, not the facilitator's: only its footer follows.
BODY_TEXT: dict[str, str | None] = {
    "start": "Welcome to docassist",
    "register": "Family",
    "household": "Name",
    "case": "column\x04Step",
    "dashboard": "Places",
    "workshop": "Checklists to cover",
    "presenter": None,
    "practice": "PRACTICE — made-up families, nothing here is real",
    "reports": "From",
    "import": "Import households from a spreadsheet",
    "help": "Keys on this screen",
}


def translated(code: str, msgid: str) -> str:
    """``msgid`` in ``code``; "context\x04msgid" for a pgettext message."""
    if "\x04" in msgid:
        context, message = msgid.split("\x04")
        return i18n.translator(code).pgettext(context, message)
    return i18n.translate_in(code, msgid)


def screen_text(app: DocAssistApp) -> str:
    """Every character on the terminal, as the user sees it."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, legacy_windows=False
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()


@pytest.fixture
def fixed_demo(tmp_path, monkeypatch):
    return make_fixed_demo(tmp_path / "demo.db", monkeypatch)


async def pick_language(app: DocAssistApp, pilot, code: str) -> None:
    """F2, then the language from the picker, as a user does: the screen underneath
    is resumed afterwards, which is where switches used to crash."""
    from textual.widgets import OptionList

    await pilot.press("f2")
    await pilot.pause()
    options = app.screen.query_one("#languages", OptionList)
    options.highlighted = [lang.code for lang in i18n.LANGUAGES].index(code)
    await pilot.press("enter")
    await pilot.pause()
    await app.workers.wait_for_complete()  # the reports count again in a worker
    await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("screen", MAIN_SCREENS)
async def test_each_main_screen_switches_language_live(fixed_demo, screen):
    app = make_app(fixed_demo, screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(app, pilot, screen)
        shown = type(app.screen)
        for code in ("sr", "rom", "sr_Latn", "en"):
            await pick_language(app, pilot, code)
            assert type(app.screen) is shown  # no crash, no jump elsewhere
            if BODY_TEXT[screen]:
                body = translated(code, BODY_TEXT[screen])
                assert body in screen_text(app), (code, body)
            if screen != "help":  # a modal over the screen, without a footer of its own
                footer = footer_text(app)
                assert i18n.translate_in(code, "Help") in footer, (code, footer)
                assert i18n.translate_in(code, "Language") in footer, (code, footer)
            assert not footer_overflow(app), (code, footer_overflow(app))


async def test_texts_are_really_translated():
    """The checks above would pass vacuously if a catalogue lacked these texts."""
    for code in ("sr", "rom"):
        for msgid in [*BODY_TEXT.values(), "Help", "Language"]:
            if msgid:
                assert translated(code, msgid) != msgid.split("\x04")[-1], (code, msgid)


async def test_register_keeps_search_filter_and_row_across_a_switch(fixed_demo):
    app = make_app(fixed_demo, "register")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        # A prefix shared by several families, so there are rows to move through.
        names = [h.family_name[:3] for h in hh.find_households(app.ctx, limit=500)]
        typed = max(set(names), key=names.count)
        screen.query_one("#search", Input).value = typed
        await pilot.pause()
        table = screen.query_one(DataTable)
        table.focus()
        await pilot.press("down", "down", "down")
        await pilot.pause()
        before = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        rows = table.row_count
        app.choose_language("sr")
        await pilot.pause()
        await pilot.pause()
        table = screen.query_one(DataTable)
        assert screen.query_one("#search", Input).value == typed
        assert 3 < table.row_count == rows
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key == before
        assert screen.focused is table
        assert "Породица" in screen_text(app)
        # A second switch (the one that used to crash in the Header) works too.
        app.choose_language("rom")
        await pilot.pause()
        await pilot.pause()
        assert screen.query_one("#search", Input).value == typed


async def test_register_keeps_pages_loaded_across_a_switch(tmp_path, monkeypatch):
    path = make_fixed_demo(tmp_path / "big.db", monkeypatch, households=230)
    app = make_app(path, "register")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        table = screen.query_one(DataTable)
        table.focus()
        table.move_cursor(row=120, animate=False)
        await pilot.pause()
        loaded = screen._loaded
        assert loaded > screen.PAGE
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        app.choose_language("sr")
        await pilot.pause()
        await pilot.pause()
        table = screen.query_one(DataTable)
        assert screen._loaded >= loaded
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key == key


async def test_screens_underneath_and_in_other_modes_follow_the_switch(fixed_demo):
    app = make_app(fixed_demo, "register")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(app, pilot, "case")  # register -> case, stacked
        await pilot.press("f5")  # the dashboard, another mode
        await pilot.pause()
        app.choose_language("sr")
        await pilot.pause()
        await pilot.pause()
        await pilot.press("f4")  # back to the register mode: the case screen on top
        await pilot.pause()
        assert i18n.translate_in("sr", "History") in footer_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert "Породица" in screen_text(app)
        assert app.sub_title.startswith(i18n.translate_in("sr", "Demo register (made-up families)"))


async def test_a_screen_listens_to_the_language_signal_once(fixed_demo):
    app = make_app(fixed_demo, "register")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        subscriptions = app.language_changed._subscriptions
        assert all(len(callbacks) == 1 for callbacks in subscriptions.values())


async def test_palette_speaks_the_language(fixed_demo):
    app = make_app(fixed_demo, "register")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.choose_language("sr")
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.pause()
        text = screen_text(app)
        assert "Search for commands" not in text
        assert i18n.translate_in("sr", "Find a command…") in text
        await pilot.press(*"qqqq")
        await pilot.pause(0.8)  # Textual waits half a second before saying "no matches"
        text = screen_text(app)
        assert "No matches found" not in text
        assert i18n.translate_in("sr", "No command matches.") in text
        await pilot.press(*["backspace"] * 4, *"Рад")
        await pilot.pause(0.3)
        assert i18n.translate_in("sr", "Workshop") in screen_text(app)  # ours, translated


async def test_the_start_screen_keeps_the_keyboard_after_a_switch(fixed_demo):
    app = make_app(fixed_demo, "start")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # A demo: its made-up users are listed, the first one ready to pick.
        assert app.screen.focused is not None and app.screen.focused.id == "made-up-users"
        await pilot.press("f2", "down", "enter")  # Српски, from the language list
        await pilot.pause()
        await pilot.pause()
        # Enter on the list of made-up people must still sign someone in.
        assert app.screen.focused is not None and app.screen.focused.id == "made-up-users"
        await pilot.press("enter")
        await pilot.pause()
        assert app.user is not None


async def test_escape_on_an_area_start_goes_home(fixed_demo):
    app = make_app(fixed_demo, "register")
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("f5", "f3"):
            await pilot.press(key)
            await pilot.pause()
            assert app.current_mode != "cases"
            await pilot.press("escape")
            await pilot.pause()
            assert app.current_mode == "cases"


@pytest.mark.parametrize("code", ["en", "sr", "rom"])
async def test_household_footer_fits_with_undo_offered(fixed_demo, code):
    app = make_app(fixed_demo, "household", code)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(app, pilot, "household")
        assert i18n.translate_in(code, "Family plan") in footer_text(app)
        app.screen.removed = ("someone", "Someone")  # as just after a removal
        app.screen.refresh_bindings()
        await pilot.pause()
        # Undo is announced by the removal notice ("Press U to undo"), not the footer.
        assert i18n.translate_in(code, "Family plan") in footer_text(app)
        assert not footer_overflow(app)


async def test_help_and_language_work_over_a_dialog(fixed_demo):
    app = make_app(fixed_demo, "household")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(app, pilot, "household")
        await pilot.press("o")  # the checklist picker, a modal
        await pilot.pause()
        picker = app.screen
        assert type(picker).__name__ == "ChecklistPickerDialog"
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpDialog"
        await pilot.press("f1")  # F1 closes help again
        await pilot.pause()
        assert app.screen is picker
        await pilot.press("f2", "down", "enter")  # Српски
        await pilot.pause()
        await pilot.pause()
        assert app.screen is picker
        assert i18n.translate_in("sr", "Other checklists") in screen_text(app)


@pytest.mark.parametrize("code", ["sr", "rom"])
async def test_practice_score_footer_fits_and_escape_leaves(fixed_demo, code):
    from docassist.ui.screens.practice_session import LIST, SCORE

    app = make_app(fixed_demo, "practice", code)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(app, pilot, "practice")
        await pilot.press("enter")  # the first family
        await pilot.pause()
        for _ in range(len(app.screen.scenarios[0].questions)):
            await pilot.press("1", "enter")
            await pilot.pause()
        assert app.screen.view == SCORE
        assert not footer_overflow(app), footer_overflow(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.view == LIST


@pytest.mark.parametrize(("key", "label"), [("ctrl+n", "Family name"), ("a", "Given name")])
async def test_forms_switch_language_and_keep_what_was_typed(fixed_demo, key, label):
    # ctrl+n: a new household from the register; a: a new person on a household.
    app = make_app(fixed_demo, "register")
    async with app.run_test(size=(80, 24)) as pilot:
        if key == "a":
            await open_screen(app, pilot, "household")
        await pilot.press(key)
        await pilot.pause()
        form = app.screen
        name = "family_name" if key == "ctrl+n" else "given_name"
        form.query_one(f"#{name}", Input).focus()
        await pilot.press(*"Đorđ")
        for code in ("sr", "rom", "en"):
            await pick_language(app, pilot, code)
            assert app.screen is form
            # A long label wraps beside its field: look for its first words only.
            assert translated(code, label).split(" (")[0] in screen_text(app), (code, label)
        # The keyboard is still in the field, at the end of the text: typing goes on.
        await pilot.press(*"ević")
        assert form.query_one(f"#{name}", Input).value == "Đorđević"


async def test_textual_own_key_labels_are_translated(fixed_demo):
    # F1 listed the screen's copy key in English; an open drop-down puts Textual's
    # "Dismiss menu" in the footer: it must speak the user's language.
    app = make_app(fixed_demo, "register")
    async with app.run_test(size=(80, 24)) as pilot:
        await pick_language(app, pilot, "sr")
        await pilot.press("f1")
        await pilot.pause()
        assert "Copy selected text" not in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        app.screen.query_one("#municipality").focus()
        await pilot.press("enter")  # opens the drop-down
        await pilot.pause()
        assert i18n.translate_in("sr", "Dismiss menu") in footer_text(app)
        assert "Dismiss menu" not in footer_text(app)
