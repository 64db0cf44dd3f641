"""Starting the app with a user's own checklist files, some of them broken."""

from __future__ import annotations

import gc
import re

from textual import events
from textual.message import Message
from textual.screen import Screen

from docassist.locations import checklists_dir, user_checklists_dir
from docassist.procedures import load_all
from docassist.ui.app import DocAssistApp
from tests.ui.conftest import make_user


def _user_file(name: str, text: str) -> None:
    folder = user_checklists_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def _renewal_with_an_unknown_prerequisite() -> str:
    text = (checklists_dir() / "idp-card.toml").read_text(encoding="utf-8")
    return text.replace('id = "idp-card"', 'id = "idp-card-renewal"').replace(
        'checklist = "birth-registration"', 'checklist = "birth-registraton"'
    )


def _skipped_notes(app: DocAssistApp) -> list[str]:
    return [str(n.message) for n in app._notifications if "not loaded" in str(n.message)]


async def test_a_skipped_user_file_is_named_once_at_start(empty_db):
    _user_file("idp-card-renewal.toml", _renewal_with_an_unknown_prerequisite())
    _user_file("notes.toml", "this is not TOML at all = = =")
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # Skipped, not loaded: the shipped checklists are all there, and only they.
        assert app.checklists.get("idp-card-renewal") is None
        assert len(app.checklists) == len(load_all(user=False))
        [note] = _skipped_notes(app)
        assert "idp-card-renewal.toml" in note and "notes.toml" in note
        assert "docassist checklists validate" in note
        # Signing in again (another user) does not repeat it.
        app.start_session(app.session)
        await pilot.pause()
        assert len(_skipped_notes(app)) == 1


async def test_no_word_about_checklists_when_all_load(empty_db):
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert _skipped_notes(app) == []


async def test_the_next_start_names_them_again_without_loading_the_checklists(empty_db):
    # What was skipped is remembered (keyed by the files): the household list, which
    # shows no checklist, then opens without reading and checking every one of them.
    _user_file("notes.toml", "this is not TOML at all = = =")
    user_id = make_user(empty_db)
    for start in ("first", "second"):
        app = DocAssistApp(empty_db, user_id=user_id)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            [note] = _skipped_notes(app)
            assert "notes.toml" in note, start
            loaded = "checklists" in vars(app)
            assert loaded == (start == "first"), start


async def test_the_next_start_reads_the_parsed_css_and_looks_the_same(empty_db, monkeypatch):
    from textual.css.stylesheet import Stylesheet

    parsed = []
    parse = Stylesheet._parse_rules

    def counted(self, css, *args, **kwargs):
        parsed.append(css)
        return parse(self, css, *args, **kwargs)

    monkeypatch.setattr(Stylesheet, "_parse_rules", counted)
    user_id = make_user(empty_db)
    screens, parses = [], []
    for _start in range(2):
        parsed.clear()
        app = DocAssistApp(empty_db, user_id=user_id)
        async with app.run_test(size=(80, 24)) as pilot:
            # Settled: the footer fills in a little after the list (sooner without
            # parsing), and only a settled screen says anything about the styles.
            for _ in range(3):
                await pilot.pause(0.1)
            screens.append(app.export_screenshot())
        parses.append(len(parsed))
    # app.tcss and each widget's own CSS were parsed the first time only...
    assert parses[0] > 10 and parses[1] == 0
    # ...and what the second start read back styles the screen the same way.
    # (The SVG's class names carry a number of their own at each export.)
    assert re.sub(r"terminal-\d+", "", screens[0]) == re.sub(r"terminal-\d+", "", screens[1])


async def test_a_damaged_css_cache_is_parsed_again(empty_db):
    from docassist.locations import cache_dir
    from docassist.ui import stylesheet

    (cache_dir()).mkdir(parents=True, exist_ok=True)
    (cache_dir() / stylesheet.CACHE_NAME).write_bytes(b"not a pickle")
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.query("DataTable")


async def test_a_start_unpickles_only_the_sources_its_screen_uses(empty_db):
    # The file also holds other screens', themes' and installs' sources; unpickling
    # all of them cost more than parsing (issue 12). One of them damaged harms nothing.
    import pickle

    from docassist.locations import cache_dir
    from docassist.ui import stylesheet

    user_id = make_user(empty_db)
    app = DocAssistApp(empty_db, user_id=user_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
    path = cache_dir() / stylesheet.CACHE_NAME
    kept = pickle.loads(path.read_bytes())
    other = ("another install", "its variables", "Other { color: red; }", ("x.py", "Other"))
    kept[other] = b"not a pickle"
    path.write_bytes(pickle.dumps(kept))

    app = DocAssistApp(empty_db, user_id=user_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.query("DataTable")
        read = app._parsed_css._rules
        assert read is not None and read[other] == b"not a pickle"
        unpickled = {key for key, rules in read.items() if isinstance(rules, list)}
        assert unpickled and unpickled <= app._parsed_css._used


async def test_no_collection_while_the_first_screen_is_built_and_collecting_after(empty_db):
    # Start-up made the cycle collector walk every object Textual and docassist had
    # just made, again and again (issue 12): it waits for the first frame instead.
    mounted: list[tuple[str, bool]] = []

    def seen(message: Message) -> None:
        if isinstance(message, events.Mount) and message._sender is not None:
            mounted.append((type(message._sender).__name__, gc.isenabled()))

    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24), message_hook=seen) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "HouseholdListScreen"
        # The list and all its widgets were mounted with no collection running...
        assert ("HouseholdListScreen", False) in mounted
        assert [name for name, enabled in mounted if enabled] == []
        # ...and it runs again once the first frame is out, for the rest of the session.
        assert gc.isenabled()
    assert gc.isenabled()


async def test_the_first_screen_is_made_at_start_not_switched_to(empty_db, monkeypatch):
    # Switched to from on_mount, every start first mounted, styled and laid out
    # Textual's empty default screen, then left it (issue 12): about a quarter of
    # what the household list cost beyond a bare Textual app.
    defaults: list[DocAssistApp] = []

    def default_screen(self: DocAssistApp) -> Screen:
        defaults.append(self)
        return Screen()

    monkeypatch.setattr(DocAssistApp, "get_default_screen", default_screen)
    user_id = make_user(empty_db)
    for app, first in [
        (DocAssistApp(empty_db), "SignInScreen"),
        (DocAssistApp(empty_db, user_id=user_id), "HouseholdListScreen"),
    ]:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert type(app.screen).__name__ == first
            assert len(app.screen_stack) == 1
            # The title is there from the first frame (set before the screen is made).
            assert app.sub_title.startswith("Register")
    assert defaults == []
