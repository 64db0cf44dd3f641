"""What a start imports: only what its first screen (or ``--help``) needs.

Importing every screen, the reports, the exports (openpyxl), the handouts (fpdf),
Babel and sqlite-utils before the first frame cost each start about a second of
CPU (issue 12). Each is now imported when first used; these tests run a fresh
interpreter and look at what got loaded, so an eager import slipped in anywhere
on the way fails here rather than in a facilitator's waiting time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

# Never needed before the first screen, nor by --help or locate. psycopg (with
# libpq) is for talking to a hub: the title's sync standing is read from the register.
HEAVY = ("openpyxl", "fpdf", "babel", "sqlite_utils", "tomllib", "psycopg")
LATER = (
    "docassist.handouts",
    "docassist.services.reports",
    "docassist.services.export",
    "docassist.services.importing",
    "docassist.ui.screens.dashboard",
    "docassist.ui.screens.reports",
    "docassist.ui.screens.workshop",
    "docassist.ui.screens.household",
    "docassist.ui.screens.case",
    "docassist.ui.screens.practice_session",
    "docassist.ui.dialogs",
    "docassist.i18n.catalogue",
    # The checklists: the first screen shows none (what a start skipped is
    # remembered, procedures.skipped); the package itself is only a table of names.
    "docassist.procedures.loading",
    "docassist.procedures.schema",
)


def _loaded(code: str) -> list[str]:
    """The modules ``code`` leaves in sys.modules, in a fresh interpreter."""
    script = textwrap.dedent(code) + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _eager(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == n or m.startswith(n + ".") for n in names)]


def _start_until(app_args: str, ready: str, screen: str) -> str:
    """A script starting ``DocAssistApp(app_args)`` until ``ready`` (an expression on
    ``app``) holds and the start has done all it does, there on ``screen``: the first
    screen is made before the app's on_mount starts a session, which must import
    nothing more either."""
    return textwrap.dedent(
        f"""
        from docassist.ui.app import DocAssistApp

        app = DocAssistApp({app_args})
        reached = []

        async def until_ready(pilot):
            while not ({ready}):
                await pilot.pause()
            await pilot.pause()
            await pilot.pause()
            reached.append(type(app.screen).__name__)
            app.exit()

        app.run(headless=True, size=(120, 40), auto_pilot=until_ready)
        assert reached == [{screen!r}], reached
        """
    )


def _to_the_sign_in(path: Path) -> str:
    return _start_until(
        repr(str(path)), 'type(app.screen).__name__ == "SignInScreen"', "SignInScreen"
    )


def test_importing_the_app_imports_no_screen_report_or_heavy_library():
    modules = _loaded("import docassist.ui.app")
    assert _eager(modules, HEAVY + LATER + ("docassist.ui.screens",)) == []


@pytest.mark.parametrize("command", [["--help"], ["locate"]])
def test_the_quick_commands_import_neither_the_tui_nor_heavy_libraries(command):
    modules = _loaded(
        f"""
        from docassist.cli import main
        try:
            main({command!r})
        except SystemExit:
            pass
        """
    )
    assert _eager(modules, HEAVY + LATER + ("textual", "rich", "docassist.ui")) == []


def test_the_first_screen_imports_only_what_it_shows(tmp_path):
    # A coordinator's household list, filled, as a start shows it (the second
    # start: the first one works out and remembers what checklists it skipped).
    run_to_the_list = f"""
        import os
        os.environ["DOCASSIST_HOME"] = {str(tmp_path)!r}
        from docassist.domain.model import Role
        from docassist.services import users
        from docassist.services.context import Context
        from docassist.store.db import open_database

        path = {str(tmp_path / "r.db")!r}
        if not os.path.exists(path):
            db = open_database(path)
            users.create_user(Context(db), "Ana", Role.COORDINATOR)
            db.close()
        db = open_database(path)
        user_id = users.list_users(Context(db))[0].id
        db.close()

        from textual.widgets import DataTable
    """
    run_to_the_list = textwrap.dedent(run_to_the_list) + _start_until(
        "path, user_id=user_id", "app.screen.query(DataTable)", "HouseholdListScreen"
    )
    first = _loaded(run_to_the_list)
    second = _loaded(run_to_the_list)
    assert "docassist.ui.screens.register" in second
    assert "docassist.procedures.loading" in first  # it did look at the checklists
    assert _eager(second, HEAVY + LATER + ("docassist.ui.screens.start",)) == []
    # Started signed in, the list needs no sign-in (the account services, Argon2), no
    # drafts (nothing is typed yet) and no case services (it reads counts in SQL).
    not_for_the_list = ("docassist.services.accounts", "argon2", "docassist.services.drafts")
    not_for_the_list += ("docassist.services.cases", "docassist.domain.jmbg")
    # Nor the editing side of households (register_search finds and counts), nor the
    # outbox and sync rules or the audit trail's writer: a start only reads.
    not_for_the_list += ("docassist.services.households", "docassist.store.outbox")
    not_for_the_list += ("docassist.domain.sync", "docassist.store.audit")
    not_for_the_list += ("docassist.store.keys",)  # a plaintext register has no key file
    not_for_the_list += ("sqlcipher3",)  # nor encryption (store/engine.py)
    assert _eager(second, not_for_the_list) == []


def test_the_start_screen_imports_no_register_services(tmp_path):
    # The sign-in screen of a plaintext register asks whether it is a demo and reads
    # the sync standing for its title; neither needs the demo's generator, the sync
    # package nor the household services behind them.
    # The register is made here: making one (its migrations) is not what a start does.
    from docassist.domain.model import Role
    from docassist.services import users
    from docassist.services.context import Context
    from docassist.store.db import open_database

    path = tmp_path / "r.db"
    db = open_database(path)
    users.create_user(Context(db), "Ana", Role.COORDINATOR)
    db.close()
    home = f'import os\nos.environ["DOCASSIST_HOME"] = {str(tmp_path)!r}\n'
    modules = _loaded(home + _to_the_sign_in(path))
    assert "docassist.services.made_up" in modules  # it did ask
    assert "docassist.services.sync_standing" in modules
    register_services = ("docassist.services.demo", "docassist.services.sync")
    register_services += ("docassist.services.households",)
    # Nor the drafts (nothing is typed on it yet) or the tick list its one checkbox
    # shares its marks with.
    register_services += ("docassist.services.drafts", "docassist.ui.widgets.tick_list")
    # Nor the account services and Argon2: they are imported when someone signs in,
    # and the derivation (0.3 s) hides their import.
    register_services += ("docassist.services.accounts", "argon2")
    register_services += ("sqlcipher3",)  # a plaintext register needs no encryption
    assert _eager(modules, HEAVY + LATER + register_services) == []


def test_an_encrypted_registers_sign_in_screen_loads_no_encryption(tmp_path):
    # SQLCipher (a 21 MB library: 5-6 ms of a start) is loaded when the passphrase has
    # unwrapped the key and the register is opened, not to show the sign-in screen.
    from docassist.services import accounts

    path = tmp_path / "secret.db"
    made = accounts.create_register(path, "Ana", "river stone lamp")
    made.context.db.close()
    modules = _loaded(_to_the_sign_in(path))
    assert _eager(modules, ("sqlcipher3", "argon2", "docassist.services.accounts")) == []
