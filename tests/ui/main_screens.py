"""Open each main screen the way a user reaches it, on data that never changes.

Shared by the language-switching tests and the snapshot tests: both need the same
screens, and snapshots need the same pixels tomorrow as today.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Footer

from docassist.domain.model import Role
from docassist.services import cases as cs
from docassist.services import households as hh
from docassist.services import workshops as ws
from docassist.services.context import Context
from docassist.services.demo import generate
from docassist.store.db import open_database
from docassist.ui.app import DocAssistApp
from tests.ui.conftest import make_user

TODAY = date(2026, 11, 23)
NOW = "2026-11-23T09:30:00+00:00"

MAIN_SCREENS = (
    "start",
    "register",
    "household",
    "case",
    "dashboard",
    "workshop",
    "presenter",
    "practice",
    "reports",
    "import",
    "help",
)


def counting_ids() -> Callable[[], str]:
    """UUIDs in a fixed sequence: rows with the same name sort by id, so random
    ids would shuffle them from one run to the next."""
    counter = itertools.count(1)
    return lambda: str(uuid.UUID(int=next(counter)))


def make_fixed_demo(path: Path, monkeypatch, households: int = 60) -> Path:
    """The made-up register with every source of change pinned: seed, ids, clock."""
    import docassist.services.demo as demo

    monkeypatch.setattr(demo, "new_id", counting_ids())
    db = open_database(path)
    try:
        generate(Context(db, today=lambda: TODAY, now=lambda: NOW), households=households, seed=3)
    finally:
        db.close()
    return path


def make_app(path: Path, screen: str, language: str | None = None) -> DocAssistApp:
    """An app on ``path`` for reaching ``screen``; the clock is pinned before mounting."""
    if screen == "start":
        app = DocAssistApp(path, demo=True, language=language)
    else:
        role = Role.TRAINEE if screen == "practice" else Role.COORDINATOR
        name = "Ana Trainee" if role == Role.TRAINEE else "Senad Coordinator"
        user_id = make_user(path, role, name)
        app = DocAssistApp(path, demo=True, language=language, user_id=user_id)
    app.ctx.today = lambda: TODAY
    app.ctx.now = lambda: NOW
    return app


def _household_with_cases(app: DocAssistApp) -> str:
    return hh.find_households(app.ctx, case_filter="open", limit=1)[0].id


def _a_case(app: DocAssistApp) -> str:
    household_id = _household_with_cases(app)
    return next(c.id for c in cs.cases_of_household(app.ctx, household_id))


async def open_screen(app: DocAssistApp, pilot: Pilot, screen: str) -> None:
    """From the app as started by ``make_app``, go to ``screen`` as a user would."""
    await pilot.pause()
    if screen == "household":
        app.open_household(_household_with_cases(app))
    elif screen == "case":
        app.open_case(_a_case(app))
    elif screen == "dashboard":
        await pilot.press("f5")
    elif screen in ("workshop", "presenter"):
        await pilot.press("f3")
        if screen == "presenter":
            await pilot.pause()
            app.screen.present(ws.list_workshops(app.ctx, 1)[0].id)  # type: ignore[attr-defined]
    elif screen == "reports":
        await pilot.press("f9")
        await app.workers.wait_for_complete()  # the figures are counted in a worker
    elif screen == "import":
        await pilot.press("ctrl+o")
    elif screen == "help":
        await pilot.press("f1")
    await pilot.pause()
    await pilot.pause()


def _footer_keys(app: DocAssistApp) -> list[tuple[str, int, int]]:
    """Each key in the footer as shown ("^n New household"), with its columns in the
    footer. KeysFooter draws its keys itself (no FooterKey widgets): these are the
    places it draws them at; another Footer's are its FooterKeys'."""
    from textual.widgets._footer import FooterKey

    from docassist.ui.widgets.footer import KeysFooter

    keys = []
    for footer in app.screen.query(Footer):
        if isinstance(footer, KeysFooter):
            for drawn in footer.drawn_keys():
                label = f"{drawn.key.display} {drawn.key.description}"
                keys.append((label, drawn.start, drawn.end - footer.size.width))
        else:
            for key in footer.query(FooterKey):
                if key.display:
                    label = f"{key.key_display} {key.description}"
                    keys.append((label, key.region.x, key.region.right - footer.region.right))
    return keys


def footer_text(app: DocAssistApp) -> str:
    """The key labels in the footer, as shown."""
    return " ".join(label for label, _start, _past in _footer_keys(app))


def footer_overflow(app: DocAssistApp) -> list[str]:
    """Footer keys that do not fit on the screen (cut at the right edge)."""
    return [label for label, _start, past in _footer_keys(app) if past > 0]
