"""How the main screens look at 80x24: in English, in Serbian, and one in all four.

The SVGs in ``__snapshots__`` are committed and reviewed like code. The register
is made up with a fixed seed, fixed ids and a fixed "today", so a snapshot shows
the same families and dates tomorrow. Update with ``--snapshot-update`` and read
every changed SVG before committing it (grep the Serbian ones for English words).
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.ui.main_screens import MAIN_SCREENS, make_app, make_fixed_demo, open_screen

SIZE = (80, 24)


@pytest.fixture
def fixed_demo(tmp_path, monkeypatch):
    # Screens suggest paths in the user's home folder: the same on every machine here.
    monkeypatch.setenv("HOME", "/home/facilitator")
    return make_fixed_demo(tmp_path / "demo.db", monkeypatch)


def _snapshot(snap_compare, path, screen: str, language: str) -> bool:
    app = make_app(path, screen, language)

    async def reach(pilot) -> None:
        await open_screen(app, pilot, screen)
        # A blinking cursor is caught on or off at random: hold it steady.
        for field in app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    return snap_compare(app, terminal_size=SIZE, run_before=reach)


@pytest.mark.parametrize("language", ["en", "sr"])
@pytest.mark.parametrize("screen", MAIN_SCREENS)
def test_main_screen(snap_compare, fixed_demo, screen, language):
    assert _snapshot(snap_compare, fixed_demo, screen, language)


@pytest.mark.parametrize("language", ["sr_Latn", "rom"])
def test_register_in_the_other_languages(snap_compare, fixed_demo, language):
    # en and sr are above; with these the register is seen in all four.
    assert _snapshot(snap_compare, fixed_demo, "register", language)


@pytest.mark.parametrize("language", ["sr_Latn", "rom"])
def test_presenter_in_the_other_languages(snap_compare, fixed_demo, language):
    assert _snapshot(snap_compare, fixed_demo, "presenter", language)
