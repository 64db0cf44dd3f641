"""Signing in, the first coordinator, the lock, signing out and the Users screen.

The app is started as a person meets it (``DocAssistApp(path)``, no user given), and
signed in by typing. Passphrase hashes are cheap in tests (tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static

from docassist.domain.model import Role
from docassist.services import accounts, users
from docassist.services.context import Context
from docassist.services.made_up import DEMO_PASSPHRASE
from docassist.store.db import open_database
from docassist.ui.app import DocAssistApp
from tests.ui.conftest import make_account, make_user
from tests.ui.main_screens import footer_overflow, footer_text, make_fixed_demo
from tests.ui.test_languages import screen_text, translated

PASSPHRASE = "river stone lamp"
NOW = "2026-11-23T09:30:00+00:00"


@pytest.fixture
def register(tmp_path):
    """A real (not demo) register with two accounts that have passphrases."""
    path = tmp_path / "register.db"
    make_account(path, Role.COORDINATOR, "Senad Coordinator")
    make_account(path, Role.FACILITATOR, "Milica Facilitator")
    return path


def start(path, **kw) -> DocAssistApp:
    app = DocAssistApp(path, **kw)
    if app.door.ctx is not None:
        app.door.ctx.now = lambda: NOW
    return app


async def type_in(pilot, field: str, text: str) -> None:
    app = pilot.app
    app.screen.query_one(field, Input).focus()
    await pilot.pause()
    app.screen.query_one(field, Input).value = ""
    await pilot.press(*text)


async def settle(pilot) -> None:
    """Wait for the passphrase check (a thread worker) and what it leads to."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def sign_in(pilot, name: str, passphrase: str = PASSPHRASE) -> None:
    await type_in(pilot, "#name", name)
    await type_in(pilot, "#passphrase", passphrase)
    await pilot.press("enter")
    await settle(pilot)


async def choose(pilot, passphrase: str, again: str | None = None, *, field="#passphrase") -> None:
    """A new passphrase typed twice (``again``: the second time, when it differs), then
    Enter, and what it leads to."""
    await type_in(pilot, field, passphrase)
    await type_in(pilot, "#again", passphrase if again is None else again)
    await pilot.press("enter")
    await settle(pilot)


async def first_coordinator(pilot, name: str = "Senad") -> None:
    """The first start's coordinator, with the suite's passphrase."""
    await type_in(pilot, "#name", name)
    await choose(pilot, PASSPHRASE)


@asynccontextmanager
async def signed_in_as(path, name: str) -> AsyncIterator[tuple[DocAssistApp, Pilot]]:
    """The app on the register at ``path``, signed in by typing as ``name`` (with the
    suite's passphrase), for the block."""
    app = start(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await sign_in(pilot, name)
        yield app, pilot


def message(app: DocAssistApp) -> str:
    return str(app.screen.query_one("#sign-in-message").render())


@contextmanager
def opened(path) -> Iterator[Context]:
    """The register at ``path``, open for the block (after the app has closed it)."""
    db = open_database(path)
    try:
        yield Context(db)
    finally:
        db.close()


def audit_actions(path) -> list[str]:
    with opened(path) as ctx:
        return [r[0] for r in ctx.db.execute("SELECT action FROM audit_log ORDER BY id")]


# --- signing in --------------------------------------------------------------------


async def test_a_real_register_lists_nobody_and_a_wrong_passphrase_names_nobody(register):
    app = start(register)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "SignInScreen"
        text = screen_text(app)
        assert "Senad" not in text and "Milica" not in text
        await sign_in(pilot, "Milica Facilitator", "not her passphrase")
        assert type(app.screen).__name__ == "SignInScreen" and app.session is None
        said = message(app)
        assert said == "That name and passphrase do not match. Check both and try again."
        # Nobody else is named anywhere, and the passphrase field is empty again.
        assert "Senad" not in screen_text(app)
        assert app.screen.query_one("#passphrase", Input).value == ""
        # A name that is no account gets the very same line.
        await sign_in(pilot, "Nobody Atall", "not her passphrase")
        assert message(app) == said
    assert audit_actions(register).count("sign_in_failed") == 2


async def test_after_five_failures_the_wait_is_said(register):
    app = start(register)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for _try in range(5):
            await sign_in(pilot, "Milica Facilitator", "wrong wrong wrong")
        assert "Wait 2 seconds before trying again." in message(app)
        await sign_in(pilot, "Milica Facilitator", PASSPHRASE)  # right, but too soon
        assert app.session is None
        assert message(app).startswith("Too many failed sign-ins with this name.")


async def test_the_right_passphrase_opens_the_register_in_the_users_role(register):
    app = start(register)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await sign_in(pilot, "milica facilitator")  # any case, either script
        assert app.session is not None and app.session.role == Role.FACILITATOR
        assert type(app.screen).__name__ == "HouseholdListScreen"
        assert app.ctx.user_id == app.session.user_id
    assert "sign_in" in audit_actions(register)


async def test_escape_clears_and_keys_of_the_register_do_nothing_before_a_sign_in(register):
    app = start(register)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await type_in(pilot, "#name", "Milica")
        await type_in(pilot, "#passphrase", "half typed")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one("#name", Input).value == ""
        assert app.screen.query_one("#passphrase", Input).value == ""
        for key in ("f4", "f3", "f9", "ctrl+o", "ctrl+t", "ctrl+p", "ctrl+g", "ctrl+l"):
            await pilot.press(key)
            await pilot.pause()
            assert type(app.screen).__name__ == "SignInScreen", key
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_first_start_creates_the_first_coordinator_and_the_register(tmp_path):
    path = tmp_path / "new" / "register.db"
    path.parent.mkdir()
    app = start(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not path.exists()  # nothing is made before the coordinator is
        await type_in(pilot, "#name", "Senad")
        await choose(pilot, PASSPHRASE, "river stone lump")
        assert message(app) == "The two passphrases differ."
        assert not path.exists()
        await choose(pilot, "short")
        assert "at least 10 characters" in message(app)
        await choose(pilot, PASSPHRASE)
        await pilot.pause()
        # A new register is encrypted: its recovery key is shown once, then the list.
        assert type(app.screen).__name__ == "RecoveryKeyScreen"
        await pilot.click("#written-down")
        await pilot.click("#go-on")
        await pilot.pause()
        assert type(app.screen).__name__ == "HouseholdListScreen"
        assert app.session is not None and app.session.role == Role.COORDINATOR
    assert path.read_bytes()[:16] != b"SQLite format 3\x00"
    ctx, session = accounts.open_signed_in(path, "Senad", PASSPHRASE)
    try:
        assert session.role == Role.COORDINATOR
        done = [r[0] for r in ctx.db.execute("SELECT action FROM audit_log ORDER BY id")]
    finally:
        ctx.db.close()
    # The first start signed in once (the second sign-in is the one just above).
    assert done[-1] == "sign_in" and done[:-1].count("sign_in") == 1


async def test_an_empty_register_creates_its_first_coordinator_on_screen(empty_db):
    app = start(empty_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.query("#again")  # the passphrase is asked twice
        await first_coordinator(pilot)
        assert app.session is not None and app.session.role == Role.COORDINATOR


async def test_the_recovery_key_is_shown_once_and_left_with_the_keyboard(tmp_path):
    import re

    from docassist.store import keys

    path = tmp_path / "register.db"
    app = start(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await first_coordinator(pilot)
        await pilot.pause()
        assert type(app.screen).__name__ == "RecoveryKeyScreen"
        shown = str(app.screen.query_one("#recovery-key").render())
        assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){12}", shown), shown
        assert app.screen.query_one("#go-on").disabled
        await pilot.press("escape")  # does not skip it
        await pilot.pause()
        assert type(app.screen).__name__ == "RecoveryKeyScreen"
        await pilot.press("ctrl+q")  # asks once
        await pilot.pause()
        assert type(app.screen).__name__ == "RecoveryKeyScreen"
        assert "not shown again" in str(app.screen.query_one("#recovery-message").render())
        # Keys only, as in a terminal: the box has the focus, Space checks it, and the
        # focus is then on Go on.
        await pilot.press("space")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#go-on")
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "HouseholdListScreen"
        assert app.session is not None
    # The key shown is the one that opens the register.
    assert keys.unlock_with_recovery(path, shown)


async def test_tab_and_enter_alone_leave_the_recovery_key_screen(tmp_path):
    app = start(tmp_path / "register.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await first_coordinator(pilot)
        await pilot.pause()
        assert type(app.screen).__name__ == "RecoveryKeyScreen"
        # Tab first (it cycles back to the box: Go on is not a stop while disabled).
        await pilot.press("tab", "tab")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#written-down")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "HouseholdListScreen"


async def test_a_given_passphrase_is_changed_right_after_the_sign_in(tmp_path):
    path = tmp_path / "register.db"
    make_account(path, Role.COORDINATOR, "Senad Coordinator")
    make_account(path, Role.FACILITATOR, "Dragan", must_change_passphrase=True)
    async with signed_in_as(path, "Dragan") as (app, pilot):
        assert app.session is None  # nothing opens before the passphrase is his own
        assert "choose your own now" in screen_text(app)
        await choose(pilot, PASSPHRASE)
        assert "must differ from the old one" in message(app)
        await choose(pilot, "my own words here")
        assert app.session is not None and not app.session.must_change_passphrase
        assert type(app.screen).__name__ == "HouseholdListScreen"
    with opened(path) as ctx:
        assert accounts.sign_in(ctx, "Dragan", "my own words here").name == "Dragan"


async def test_a_user_from_before_accounts_chooses_a_passphrase(tmp_path):
    path = tmp_path / "register.db"
    make_user(path, Role.COORDINATOR, "Senad Coordinator")  # no passphrase yet
    app = start(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await sign_in(pilot, "Senad Coordinator", "anything at all")
        assert app.session is None
        assert "you have no passphrase yet" in screen_text(app)
        await choose(pilot, PASSPHRASE)
        assert app.session is not None and app.session.name == "Senad Coordinator"


async def test_a_trainee_lands_in_practice_and_register_keys_say_why(tmp_path):
    path = tmp_path / "register.db"
    make_account(path, Role.COORDINATOR, "Senad Coordinator")
    make_account(path, Role.TRAINEE, "Ana Trainee")
    async with signed_in_as(path, "Ana Trainee") as (app, pilot):
        assert app.session is not None and app.session.practice_only
        assert type(app.screen).__name__ == "PracticeScreen"
        assert app.ctx.user_id is None  # the real register is not hers
        for key in ("f4", "f3", "f5", "f9", "ctrl+o"):
            await pilot.press(key)
            await pilot.pause()
            assert type(app.screen).__name__ == "PracticeScreen", key
        notes = [str(n.message) for n in app._notifications]
        assert notes.count("Trainees practise on made-up families only.") == 5
        # her language is kept for her next sign-in, and the change is audited as hers
        from tests.ui.test_languages import pick_language

        await pick_language(app, pilot, "sr")
    db = open_database(path)
    try:
        (ana,) = db.execute("SELECT id, language FROM users WHERE name = 'Ana Trainee'")
        saved = db.execute(
            "SELECT user_id, after FROM audit_log WHERE action = 'update' AND entity_id = ?",
            [ana[0]],
        ).fetchall()
    finally:
        db.close()
    assert ana[1] == "sr"
    assert saved and all(who == ana[0] for who, _after in saved)  # her first sign-in too
    assert saved[-1] == (ana[0], '{"language": "sr"}')


async def test_a_demo_shows_its_made_up_users_and_their_passphrase(tmp_path, monkeypatch):
    path = make_fixed_demo(tmp_path / "demo.db", monkeypatch, households=5)
    app = start(path, demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert DEMO_PASSPHRASE in text
        assert "Milica Facilitator" in text and "Ana Trainee" in text
        await pilot.press("enter")  # the first one, picked
        await settle(pilot)
        assert app.session is not None


# --- the Users screen ----------------------------------------------------------------


async def test_a_coordinator_creates_resets_changes_and_removes_accounts(register):
    async with signed_in_as(register, "Senad Coordinator") as (app, pilot):
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert type(app.screen).__name__ == "UsersScreen"
        table = app.screen.query_one("#accounts", DataTable)
        assert table.row_count == 2
        assert table.get_row_at(table.cursor_row)[0] == "Senad Coordinator"  # oneself first
        await pilot.press("n")
        await pilot.pause()
        await type_in(pilot, "#account-name", "Dragan")
        await choose(pilot, PASSPHRASE, field="#new")
        await pilot.pause()
        assert type(app.screen).__name__ == "UsersScreen"
        table = app.screen.query_one("#accounts", DataTable)
        names = [table.get_row_at(i)[0] for i in range(table.row_count)]
        assert names == ["Dragan", "Milica Facilitator", "Senad Coordinator"]
        assert table.get_row_at(0)[2] == "to be changed at the next sign-in"
        # Milica: role, then a reset, then removed; the cursor stays on her row.
        table.move_cursor(row=1)
        await pilot.press("o")
        await pilot.pause()
        app.screen.query_one("#account-role", Select).value = Role.COORDINATOR.value
        await pilot.click("#save")
        await settle(pilot)
        table = app.screen.query_one("#accounts", DataTable)
        assert table.get_row_at(table.cursor_row)[:2] == ["Milica Facilitator", "Coordinator"]
        await pilot.press("r")
        await pilot.pause()
        await choose(pilot, "a new one for her", field="#new")
        await pilot.press("delete")
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
        await pilot.pause()
        table = app.screen.query_one("#accounts", DataTable)
        names = [table.get_row_at(i)[0] for i in range(table.row_count)]
        assert names == ["Dragan", "Senad Coordinator"]
    done = audit_actions(register)
    assert {"create", "set_role", "passphrase_reset", "remove"} <= set(done)


async def test_a_facilitator_may_only_create_trainees(register):
    make_account(register, Role.TRAINEE, "Ana Trainee")
    async with signed_in_as(register, "Milica Facilitator") as (app, pilot):
        await pilot.press("ctrl+t")
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#accounts", DataTable)
        names = {table.get_row_at(i)[0] for i in range(table.row_count)}
        assert names == {"Ana Trainee", "Milica Facilitator"}  # no coordinator listed
        for action in ("reset_passphrase", "change_role", "remove_account"):
            assert not screen.check_action(action, ())
        await pilot.press("r", "o", "delete")  # not offered: nothing opens
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("n")
        await pilot.pause()
        role = app.screen.query_one("#account-role", Select)
        assert role.value == Role.TRAINEE.value and role.disabled
        await type_in(pilot, "#account-name", "Bojan")
        await choose(pilot, PASSPHRASE, field="#new")
        await pilot.pause()
        assert app.screen is screen
    with opened(register) as ctx:
        [bojan] = [u for u in users.list_users(ctx) if u.name == "Bojan"]
        assert bojan.role == Role.TRAINEE


async def test_everyone_changes_their_own_passphrase(register):
    async with signed_in_as(register, "Milica Facilitator") as (app, pilot):
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        await type_in(pilot, "#current", "not the current one")
        await choose(pilot, "my very own words", field="#new")
        assert "do not match" in str(app.screen.query_one("#account-error").render())
        await type_in(pilot, "#current", PASSPHRASE)
        await choose(pilot, "my very own words", field="#new")
        assert type(app.screen).__name__ == "UsersScreen"
    with opened(register) as ctx:
        assert accounts.sign_in(ctx, "Milica Facilitator", "my very own words")


# --- lock and sign-out ---------------------------------------------------------------


async def open_new_household_form(app, pilot, family: str) -> None:
    app.register_household()
    await pilot.pause()
    await type_in(pilot, "#family_name", family)
    await pilot.pause()


async def test_ctrl_l_covers_the_screen_and_the_passphrase_lifts_it(demo_db):
    app = start(demo_db, user_id=make_account(demo_db, Role.FACILITATOR, "Milica"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_new_household_form(app, pilot, "Zzyzxovic")
        form = app.screen
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert type(app.screen).__name__ == "LockScreen"
        text = screen_text(app)
        assert "Zzyzxovic" not in text and "Milica" in text
        for key in ("f4", "ctrl+p", "ctrl+t", "escape"):
            await pilot.press(key)
            await pilot.pause()
            assert type(app.screen).__name__ == "LockScreen", key
        await type_in(pilot, "#lock-passphrase", "not hers at all")
        await pilot.press("enter")
        await settle(pilot)
        assert "That is not your passphrase." in screen_text(app)
        await type_in(pilot, "#lock-passphrase", PASSPHRASE)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is form  # the work as it was
        assert form.query_one("#family_name", Input).value == "Zzyzxovic"
    # Ctrl+L is in the trail as a lock of its own (not an idle one), then the unlock.
    done = audit_actions(demo_db)
    assert done[-3:] == ["lock", "sign_in_failed", "unlock"]
    assert "idle_lock" not in done


def _idle_app(demo_db) -> tuple[DocAssistApp, list[float]]:
    """Milica signed in, the idle lock after half a second of its own clock, which the
    test moves (``clock[0]``) instead of waiting."""
    clock = [1000.0]
    app = start(
        demo_db,
        user_id=make_account(demo_db, Role.FACILITATOR, "Milica"),
        idle_seconds=0.5,
        idle_clock=lambda: clock[0],
    )
    return app, clock


async def test_the_idle_lock_comes_after_the_limit_without_a_key(demo_db):
    app, clock = _idle_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        clock[0] += 0.4
        await pilot.pause(0.2)
        assert not app.locked
        await pilot.press("down")  # a key: counted from here again
        clock[0] += 0.4
        await pilot.pause(0.2)
        assert not app.locked
        clock[0] += 0.2
        await pilot.pause(0.2)
        assert app.locked and type(app.screen).__name__ == "LockScreen"
        await pilot.pause()
        assert "Locked after 1 minute without a key." in screen_text(app)
        app.notify("Saved: Zzyzxovic")  # held while locked, shown after
        await pilot.pause()
        assert "Zzyzxovic" not in screen_text(app)
        # the first key a moment after the lock fell (keys sooner are dropped: see below)
        clock[0] += 1.5
        await type_in(pilot, "#lock-passphrase", PASSPHRASE)
        await pilot.press("enter")
        await settle(pilot)
        assert not app.locked and type(app.screen).__name__ == "HouseholdListScreen"
        assert any("Zzyzxovic" in str(n.message) for n in app._notifications)
    assert "idle_lock" in audit_actions(demo_db)


async def _idle_locked_while_typing(app, pilot, clock, family: str) -> object:
    """A form half typed, then no key for the whole limit: the idle lock falls."""
    await pilot.pause()
    await open_new_household_form(app, pilot, family)
    form = app.screen
    clock[0] += 1
    await pilot.pause(0.2)
    await pilot.pause()
    assert app.locked and type(app.screen).__name__ == "LockScreen"
    return form


async def test_typing_on_as_the_idle_lock_falls_is_no_passphrase_attempt(demo_db):
    """The lock fell as the facilitator went on typing a family's name: what they typed
    on for the form, Tab and Enter included, is no attempt, and nothing is said."""
    app, clock = _idle_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await _idle_locked_while_typing(app, pilot, clock, "Zzy")
        box = app.screen.query_one("#lock-passphrase", Input)
        # typed on without looking up, for longer than the first second after the lock
        for key in [*"xovic", "tab", *"Ramiz", "enter"]:
            clock[0] += 0.3
            await pilot.press(key)
        await settle(pilot)
        assert app.locked and box.value == "" and box.has_focus
        message = str(app.screen.query_one("#lock-message", Static).render())
        assert message == "" and "That is not your passphrase." not in screen_text(app)
        assert "sign_in_failed" not in audit_actions(demo_db)
        # they look up, stop a moment, and type their passphrase: it unlocks
        clock[0] += 1.5
        await pilot.press(*PASSPHRASE, "enter")
        await settle(pilot)
        assert not app.locked and app.screen is form
        assert form.query_one("#family_name", Input).value == "Zzy"
    done = audit_actions(demo_db)
    assert done[-2:] == ["idle_lock", "unlock"]


async def test_after_the_idle_lock_a_wrong_passphrase_is_still_refused(demo_db):
    app, clock = _idle_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await _idle_locked_while_typing(app, pilot, clock, "Zzy")
        clock[0] += 1.5  # a moment after the lock, before the first key
        await pilot.press(*"not hers", "enter")
        await settle(pilot)
        assert app.locked
        assert "That is not your passphrase." in screen_text(app)
    assert audit_actions(demo_db)[-1] == "sign_in_failed"


async def test_someone_else_signs_in_over_the_lock_after_a_warning(demo_db):
    milica = make_account(demo_db, Role.FACILITATOR, "Milica")
    make_account(demo_db, Role.COORDINATOR, "Senad")
    app = start(demo_db, user_id=milica)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_new_household_form(app, pilot, "Zzyzxovic")
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.click("#someone-else")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmDialog"
        warning = str(app.screen.query_one("#confirm-message").render())
        assert "Milica" in warning and "New household" in warning
        assert "Zzyzxovic" not in screen_text(app)  # what is lost, never whose
        await pilot.press("escape")  # no: the lock stays, the form under it
        await pilot.pause()
        assert type(app.screen).__name__ == "LockScreen"
        await pilot.click("#someone-else")
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
        await pilot.pause()
        assert type(app.screen).__name__ == "SignInScreen" and app.session is None
        await sign_in(pilot, "Senad")
        assert app.session is not None and app.session.name == "Senad"
        assert type(app.screen).__name__ == "HouseholdListScreen"
        assert app.unsaved_work() == []  # Milica's form is gone
    done = audit_actions(demo_db)
    assert done.index("sign_out") < len(done) - 1 - done[::-1].index("sign_in")


async def test_sign_out_without_quitting(register):
    async with signed_in_as(register, "Milica Facilitator") as (app, pilot):
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("ctrl+g")
        await pilot.pause()
        await pilot.pause()
        assert type(app.screen).__name__ == "SignInScreen"
        assert app.session is None and app.ctx.user_id is None
        assert app.screen.query_one("#name", Input).value == ""
        await sign_in(pilot, "Senad Coordinator")
        assert app.session is not None and app.session.name == "Senad Coordinator"
        assert type(app.screen).__name__ == "HouseholdListScreen"


async def test_idle_minutes_come_from_the_settings_file(tmp_path, _isolated_home, register):
    (_isolated_home / "settings.toml").write_text("[lock]\nidle_minutes = 7\n")
    assert DocAssistApp(register).idle.limit_seconds == 7 * 60
    (_isolated_home / "settings.toml").write_text("[lock]\nidle_minutes = 0\n")
    app = start(register)
    assert app.idle.limit_seconds == 5 * 60  # a wrong value: the default, and said
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await sign_in(pilot, "Senad Coordinator")
        notes = [str(n.message) for n in app._notifications]
        assert any("idle_minutes must be a whole number from 1 to 60" in n for n in notes)


@pytest.mark.parametrize("code", ["en", "sr", "sr_Latn", "rom"])
async def test_the_new_screens_fit_80_columns_in_every_language(register, code):
    app = start(register, language=code)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not footer_overflow(app), footer_overflow(app)
        await sign_in(pilot, "Senad Coordinator")
        for key, screen in (("ctrl+t", "UsersScreen"), ("ctrl+l", "LockScreen")):
            await pilot.press(key)
            await pilot.pause()
            assert type(app.screen).__name__ == screen
            assert not footer_overflow(app), (screen, footer_overflow(app))
            assert translated(code, "Help") in footer_text(app)


# --- how they look -------------------------------------------------------------------


def _steady(app: DocAssistApp) -> None:
    # A blinking cursor is caught on or off at random: hold it steady.
    for field in app.screen.query(Input):
        field.cursor_blink = False


@pytest.mark.parametrize(("language", "size"), [("en", (80, 24)), ("sr", (120, 36))])
def test_sign_in_screen_snapshot(snap_compare, register, language, size):
    app = start(register, language=language)

    async def reach(pilot) -> None:
        await pilot.pause()
        await sign_in(pilot, "Milica Facilitator", "not her passphrase")
        _steady(app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=reach)


def test_first_coordinator_snapshot(snap_compare, empty_db):
    app = start(empty_db)

    async def reach(pilot) -> None:
        await pilot.pause()
        _steady(app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=reach)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_lock_snapshot(snap_compare, demo_db, size):
    app = start(demo_db, user_id=make_account(demo_db, Role.FACILITATOR, "Milica"))

    async def reach(pilot) -> None:
        await pilot.pause()
        await pilot.press("ctrl+l")
        await pilot.pause()
        await type_in(pilot, "#lock-passphrase", "wrong wrong")
        await pilot.press("enter")
        _steady(app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=reach)


def test_users_screen_snapshot(snap_compare, register):
    make_account(register, Role.TRAINEE, "Ana Trainee", must_change_passphrase=True)
    app = start(register)

    async def reach(pilot) -> None:
        await pilot.pause()
        await sign_in(pilot, "Senad Coordinator")
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=reach)


async def test_an_encrypted_register_opens_at_the_sign_in(tmp_path):
    """Nothing of an encrypted register can be read before a passphrase unwraps its key:
    the app opens it at the sign-in, and a wrong passphrase opens nothing."""
    from docassist.services.users import create_user
    from docassist.store import keys

    path = tmp_path / "register.db"
    db_key, _recovery = keys.create_keyring(path)
    db = open_database(path, key=db_key)
    create_user(
        Context(db),
        "Senad Coordinator",
        Role.COORDINATOR,
        passphrase_hash=accounts.hash_passphrase(PASSPHRASE),
    )
    db.close()
    keys.add_user_key(path, "Senad Coordinator", PASSPHRASE, db_key)
    app = start(path)
    assert app.door.ctx is None  # not opened before a sign-in
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "SignInScreen"
        await sign_in(pilot, "Senad Coordinator", "not the passphrase")
        assert app.door.ctx is None and app.session is None
        # The same calm line as on any register: nothing says whether the name exists.
        assert message(app) == ("That name and passphrase do not match. Check both and try again.")
        await sign_in(pilot, "Senad Coordinator")
        assert app.session is not None and app.door.ctx is not None
        assert type(app.screen).__name__ == "HouseholdListScreen"


# --- the passphrase check off the UI thread ----------------------------------------


def held_in_a_thread(monkeypatch, name: str):
    """``accounts.NAME`` made to wait until released, recording whether each call ran on
    the UI (main) thread: a check on that thread would hold the whole screen."""
    import threading

    real = getattr(accounts, name)
    calls: list[bool] = []
    release = threading.Event()

    def held(*args, **kw):
        calls.append(threading.current_thread() is threading.main_thread())
        release.wait(10)
        return real(*args, **kw)

    monkeypatch.setattr(accounts, name, held)
    return calls, release


async def test_the_passphrase_is_checked_off_the_ui_thread_once(register, monkeypatch):
    calls, release = held_in_a_thread(monkeypatch, "sign_in")
    app = start(register)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await type_in(pilot, "#name", "Senad Coordinator")
        await type_in(pilot, "#passphrase", PASSPHRASE)
        await pilot.press("enter")
        await pilot.pause()
        # The screen still answers while the check runs, and says what it is doing.
        assert message(app) == "Checking the passphrase…"
        await pilot.press("enter")  # impatient: Enter again, and the button
        await pilot.click("#sign-in")
        await pilot.press("escape")  # nor does Escape wipe what is being checked
        await pilot.pause()
        assert app.session is None
        release.set()
        await settle(pilot)
        assert app.session is not None and app.session.name == "Senad Coordinator"
    assert calls == [False]  # once, and not on the UI thread
    assert audit_actions(register).count("sign_in") == 1


async def test_the_lock_checks_the_passphrase_off_the_ui_thread_once(demo_db, monkeypatch):
    app = start(demo_db, user_id=make_account(demo_db, Role.FACILITATOR, "Milica"))
    calls, release = held_in_a_thread(monkeypatch, "check_passphrase")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+l")
        await pilot.pause()
        await type_in(pilot, "#lock-passphrase", PASSPHRASE)
        await pilot.press("enter")
        await pilot.pause()
        assert "Checking the passphrase…" in screen_text(app)
        await pilot.press("enter")
        await pilot.click("#unlock")
        await pilot.pause()
        assert app.locked
        release.set()
        await settle(pilot)
        assert not app.locked and type(app.screen).__name__ == "HouseholdListScreen"
    assert calls == [False]
    assert audit_actions(demo_db).count("unlock") == 1


# --- a forgotten passphrase, on screen --------------------------------------------------


@pytest.fixture
def encrypted(tmp_path):
    """An encrypted register (as the first start makes it) with a coordinator and a
    facilitator; its recovery key."""
    path = tmp_path / "encrypted.db"
    made = accounts.create_register(path, "Senad Coordinator", PASSPHRASE)
    try:
        accounts.create_user(
            made.context, made.session, "Milica Facilitator", Role.FACILITATOR, "given to milica"
        )
    finally:
        made.context.db.close()
    ctx, milica = accounts.open_signed_in(path, "Milica Facilitator", "given to milica")
    try:  # her own now, as after her first sign-in
        accounts.change_passphrase(ctx, milica, "given to milica", PASSPHRASE)
    finally:
        ctx.db.close()
    assert made.recovery_key
    return path, made.recovery_key


def encrypted_actions(path, passphrase: str) -> list[str]:
    ctx, _session = accounts.open_signed_in(path, "Senad Coordinator", passphrase)
    try:
        return [r[0] for r in ctx.db.execute("SELECT action FROM audit_log ORDER BY id")]
    finally:
        ctx.db.close()


async def test_a_forgotten_passphrase_is_set_anew_with_the_recovery_key(encrypted):
    path, recovery_key = encrypted
    app = start(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await sign_in(pilot, "Senad Coordinator", "what was it again")
        assert app.session is None
        # The way there, by keys: Tab from the passphrase past Sign in to the button.
        app.screen.query_one("#to-recover").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query("#recovery") and app.focused is app.screen.query_one("#name")
        await type_in(pilot, "#name", "senad coordinator")
        await type_in(pilot, "#recovery", "AAAA" * 13)  # well formed, not this one's
        await choose(pilot, "a brand new phrase")
        assert message(app) == "That recovery key does not open this register."
        # Seen on 24 rows too, below the form that scrolls.
        assert "That recovery key does not open this register." in screen_text(app)
        assert app.session is None
        assert app.screen.query_one("#recovery", Input).value == ""
        # As printed on paper, typed in small letters without the dashes.
        await type_in(pilot, "#recovery", recovery_key.replace("-", "").lower())
        await choose(pilot, "short")
        assert "at least 10 characters" in message(app)
        # The key was right: it stays, only the new passphrase is typed again.
        assert app.screen.query_one("#recovery", Input).value
        await choose(pilot, "a brand new phrase")
        assert app.session is not None and app.session.name == "Senad Coordinator"
        assert not app.session.must_change_passphrase
        assert type(app.screen).__name__ == "HouseholdListScreen"
    with pytest.raises(accounts.SignInError):
        accounts.open_signed_in(path, "Senad Coordinator", PASSPHRASE)
    done = encrypted_actions(path, "a brand new phrase")
    # Recovered, then signed in on screen (and once more just above).
    recovered = done.index("passphrase_recovered")
    assert done[recovered + 1] == "sign_in" and done[recovered:].count("sign_in") == 2
    # the wrong recovery key typed first is on record, as the failure it was
    assert done[recovered - 1] == "recovery_key_failed"
    assert done.count("recovery_key_failed") == 1
    # The others' passphrases still open it: the register was not re-encrypted.
    ctx, session = accounts.open_signed_in(path, "Milica Facilitator", PASSPHRASE)
    ctx.db.close()
    assert session.role == Role.FACILITATOR


async def test_escape_leaves_the_recovery_and_a_plain_register_offers_none(encrypted, register):
    path, _key = encrypted
    app = start(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.click("#to-recover")
        await settle(pilot)
        await type_in(pilot, "#recovery", "ABCD")
        await pilot.press("escape")
        await settle(pilot)
        assert not app.screen.query("#recovery") and app.screen.query("#to-recover")
    app = start(register)  # not encrypted: it has no recovery key
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not app.screen.query("#to-recover")
        assert "A coordinator can give you a new one." in screen_text(app)


async def test_a_reset_from_the_command_line_is_replaced_at_the_next_sign_in(
    encrypted, monkeypatch, capsys
):
    from docassist.cli import main

    path, _key = encrypted
    monkeypatch.setenv("DOCASSIST_USER", "Senad Coordinator")
    monkeypatch.setenv("DOCASSIST_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("DOCASSIST_NEW_PASSPHRASE", "given at the office")
    assert main(["--db", str(path), "users", "reset-passphrase", "Milica Facilitator"]) == 0
    capsys.readouterr()
    app = start(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await sign_in(pilot, "Milica Facilitator", PASSPHRASE)  # her old one: gone
        assert app.session is None
        await sign_in(pilot, "Milica Facilitator", "given at the office")
        assert app.session is None and "choose your own now" in screen_text(app)
        await choose(pilot, "milica's own words")
        assert app.session is not None and app.session.name == "Milica Facilitator"
        assert type(app.screen).__name__ == "HouseholdListScreen"
    ctx, session = accounts.open_signed_in(path, "Milica Facilitator", "milica's own words")
    ctx.db.close()
    assert not session.must_change_passphrase


async def test_over_an_idle_lock_someone_else_signs_in_and_the_form_is_discarded(encrypted):
    """An encrypted register, as the real one is: the first user's form is not kept as a
    draft but discarded, and the lock says so before anyone chooses."""
    path, _key = encrypted
    clock = [1000.0]
    app = start(path, idle_seconds=0.5, idle_clock=lambda: clock[0])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await sign_in(pilot, "Milica Facilitator")
        await open_new_household_form(app, pilot, "Zzyzxovic")
        clock[0] += 1
        await pilot.pause(0.3)
        await pilot.pause()
        assert app.locked and type(app.screen).__name__ == "LockScreen"
        text = screen_text(app)
        assert "Zzyzxovic" not in text
        assert str(app.screen.query_one("#lock-unsaved").render()) == (
            "If someone else signs in, what Milica Facilitator has not saved is discarded "
            "(after a warning): New household."
        )
        assert "has not saved is" in text  # on screen, inside the lock's box
        app.screen.query_one("#someone-else").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmDialog"
        assert "is discarded: New household" in str(
            app.screen.query_one("#confirm-message").render()
        )
        await pilot.click("#yes")
        await settle(pilot)
        assert type(app.screen).__name__ == "SignInScreen" and app.session is None
        await sign_in(pilot, "Senad Coordinator")
        assert app.session is not None and app.session.name == "Senad Coordinator"
        assert app.unsaved_work() == []
        assert "Zzyzxovic" not in screen_text(app)
    done = encrypted_actions(path, PASSPHRASE)
    locked = done.index("idle_lock")
    assert done[locked : locked + 3] == ["idle_lock", "sign_out", "sign_in"]
    assert "unlock" not in done


async def test_a_reset_on_the_users_screen_is_saved_off_the_ui_thread_once(register, monkeypatch):
    async with signed_in_as(register, "Senad Coordinator") as (app, pilot):
        calls, release = held_in_a_thread(monkeypatch, "reset_passphrase")
        await pilot.press("ctrl+t")
        await pilot.pause()
        table = app.screen.query_one("#accounts", DataTable)
        table.move_cursor(row=0)  # Milica
        await pilot.press("r")
        await pilot.pause()
        dialog = app.screen
        await type_in(pilot, "#new", "a new one for her")
        await type_in(pilot, "#again", "a new one for her")
        await pilot.press("enter")
        await pilot.pause()
        assert str(dialog.query_one("#account-error").render()) == "Saving…"
        await pilot.press("enter")  # again, and Escape: neither starts or drops anything
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is dialog
        release.set()
        await settle(pilot)
        assert type(app.screen).__name__ == "UsersScreen"
    assert calls == [False]
    assert audit_actions(register).count("passphrase_reset") == 1


async def test_a_language_switch_on_the_recovery_key_screen_keeps_the_keyboard_there(tmp_path):
    from tests.ui.test_languages import pick_language

    app = start(tmp_path / "register.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await first_coordinator(pilot)
        await pilot.pause()
        assert type(app.screen).__name__ == "RecoveryKeyScreen"
        shown = str(app.screen.query_one("#recovery-key").render())
        await pilot.press("ctrl+q")  # the warning, said before the switch
        await pilot.pause()
        await pick_language(app, pilot, "sr")
        assert type(app.screen).__name__ == "RecoveryKeyScreen"
        assert app.focused is app.screen.query_one("#written-down")
        assert str(app.screen.query_one("#recovery-key").render()) == shown
        said = str(app.screen.query_one("#recovery-message").render())
        assert said == translated(
            "sr",
            "The recovery key is not shown again. Write it down "
            "first, or press Ctrl+Q once more to quit without it.",
        )
        # checked, the keyboard is on Go on; a switch then leaves it there
        await pilot.press("space")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#go-on")
        await pick_language(app, pilot, "en")
        assert app.focused is app.screen.query_one("#go-on")
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "HouseholdListScreen"


async def test_a_language_switch_while_typing_the_recovery_key_keeps_the_keyboard_there(
    encrypted,
):
    from tests.ui.test_languages import pick_language

    path, _key = encrypted
    app = start(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.click("#to-recover")
        await settle(pilot)
        await type_in(pilot, "#name", "senad coordinator")
        await type_in(pilot, "#recovery", "ABCD")
        await pick_language(app, pilot, "sr")
        assert app.screen.query_one("#recovery", Input).value == "ABCD"
        assert app.focused is app.screen.query_one("#recovery", Input)
        await pilot.press("E")  # the keys go on into the same field, after what was typed
        await pilot.pause()
        assert app.screen.query_one("#recovery", Input).value == "ABCDE"
