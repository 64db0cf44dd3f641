"""Consent and the other checkboxes: ticked and unticked differ in shape, not colour."""

from __future__ import annotations

import ast
from pathlib import Path

from textual.app import App, ComposeResult

import docassist.ui
from docassist.ui.widgets.tick_box import TickBox
from docassist.ui.widgets.ticks import NO_TICK, TICK


class _OneBox(App[None]):
    def compose(self) -> ComposeResult:
        yield TickBox("The family agreed to be recorded", id="consent")


async def test_a_tick_box_shows_its_state_as_a_mark():
    app = _OneBox()
    async with app.run_test(size=(60, 5)) as pilot:
        box = app.query_one(TickBox)
        box.focus()
        assert str(box.render()).startswith(NO_TICK)
        await pilot.press("space")
        await pilot.pause()
        assert box.value is True
        assert str(box.render()).startswith(TICK)
        await pilot.press("space")
        await pilot.pause()
        assert str(box.render()).startswith(NO_TICK)


def test_no_screen_builds_a_plain_checkbox():
    # Textual's Checkbox is drawn ▐X▌ ticked or not: every one in the app is a TickBox.
    found = []
    for path in Path(docassist.ui.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Checkbox":
                found.append(f"{path.name}:{node.lineno}")
    assert found == []
