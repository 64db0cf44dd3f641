"""DropDown behaves as Textual's Select, with its overlay mounted on first open.

Each behaviour test runs on both widgets: Select is what DropDown must match.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.style import Style
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Select
from textual.widgets._select import SelectCurrent, SelectOverlay

from docassist.ui.widgets.drop_down import DropDown

OPTIONS = [("Apple", 1), ("Banana", 2), ("Cherry", 3)]


def _cells(widget: Widget) -> list[list[tuple[str, Style | None]]]:
    """What the screen shows where ``widget`` is: each cell's character and style."""
    strips = widget.screen._compositor.render_strips()
    region = widget.region
    return [
        [
            (char, segment.style)
            for segment in strips[y].crop(region.x, region.right)
            for char in segment.text
        ]
        for y in range(region.y, region.bottom)
    ]


def _shown(drop: Select[int]) -> str:
    """The text of the current choice as the screen shows it."""
    return " ".join("".join(char for char, _style in row) for row in _cells(drop)).strip()


class _Host(App[None]):
    def __init__(self, kind: type[Select[int]], value: object = Select.NULL) -> None:
        super().__init__()
        self.kind = kind
        self.changes: list[object] = []
        self._start = value

    def compose(self) -> ComposeResult:
        yield self.kind(OPTIONS, prompt="Fruit", value=self._start)  # type: ignore[arg-type]

    def on_select_changed(self, event: Select.Changed) -> None:
        self.changes.append(event.value)


@pytest.mark.parametrize("kind", [Select, DropDown])
async def test_no_overlay_until_opened_then_keyboard_chooses(kind: type[Select[int]]) -> None:
    app = _Host(kind)
    async with app.run_test() as pilot:
        drop = app.query_one(Select)
        assert bool(drop.query(SelectOverlay)) == (kind is Select)
        drop.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert drop.expanded
        assert drop.query(SelectOverlay)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert drop.value == 1
        assert not drop.expanded
        assert app.changes[-1] == 1


@pytest.mark.parametrize("kind", [Select, DropDown])
async def test_click_opens_once_and_escape_closes(kind: type[Select[int]]) -> None:
    app = _Host(kind, value=3)
    async with app.run_test() as pilot:
        drop = app.query_one(Select)
        await pilot.click(Select)
        await pilot.pause()
        assert drop.expanded
        overlay = drop.query_one(SelectOverlay)
        assert overlay.highlighted == 3  # the blank option comes first
        await pilot.press("escape")
        await pilot.pause()
        assert not drop.expanded
        assert drop.value == 3


@pytest.mark.parametrize("kind", [Select, DropDown])
async def test_value_prompt_options_and_clear_before_opening(kind: type[Select[int]]) -> None:
    app = _Host(kind)
    async with app.run_test() as pilot:
        drop = app.query_one(Select)
        drop.value = 1
        await pilot.pause()
        assert "Apple" in _shown(drop)
        drop.set_options([("Plum", 9)])
        await pilot.pause()
        assert drop.is_blank()
        drop.prompt = "Other"
        await pilot.pause()
        assert "Other" in _shown(drop)
        drop.value = 9
        drop.clear()
        await pilot.pause()
        assert drop.is_blank()
        drop.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert [str(o.prompt) for o in drop.query_one(SelectOverlay).options] == [
            "Other",
            "Plum",
        ]


class _LaterHost(App[None]):
    """A DropDown given its options as a function, counting the calls."""

    def __init__(self, value: object = Select.NULL) -> None:
        super().__init__()
        self.calls = 0
        self._start = value

    def options(self) -> list[tuple[str, int]]:
        self.calls += 1
        return list(OPTIONS)

    def compose(self) -> ComposeResult:
        yield DropDown(options_later=self.options, prompt="Fruit", value=self._start)  # type: ignore[arg-type]


async def test_options_given_later_are_built_on_first_open_only() -> None:
    app = _LaterHost()
    async with app.run_test() as pilot:
        drop = app.query_one(DropDown)
        await pilot.pause()
        assert app.calls == 0
        assert "Fruit" in _shown(drop)
        drop.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.calls == 1
        prompts = [str(o.prompt) for o in drop.query_one(SelectOverlay).options]
        assert prompts == ["Fruit", "Apple", "Banana", "Cherry"]
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert drop.value == 2 and app.calls == 1


async def test_options_given_later_are_built_for_a_value_chosen() -> None:
    app = _LaterHost(value=3)  # chosen from the start: its label is shown at once
    async with app.run_test() as pilot:
        drop = app.query_one(DropDown)
        await pilot.pause()
        assert app.calls == 1
        assert "Cherry" in _shown(drop)

    app = _LaterHost()
    async with app.run_test() as pilot:
        drop = app.query_one(DropDown)
        drop.value = 1  # chosen by code before anyone opened it
        await pilot.pause()
        assert app.calls == 1
        assert "Apple" in _shown(drop)
        assert drop.listed_options() == OPTIONS


async def test_set_options_later_clears_the_choice_and_waits_until_opened() -> None:
    app = _LaterHost(value=3)
    async with app.run_test() as pilot:
        drop = app.query_one(DropDown)
        drop.set_options_later(lambda: [("Plum", 9)])
        await pilot.pause()
        assert drop.is_blank()
        assert "Fruit" in _shown(drop)
        with pytest.raises(Exception, match="Illegal select value"):
            drop.value = 3  # no longer among the options
        drop.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert [str(o.prompt) for o in drop.query_one(SelectOverlay).options] == ["Fruit", "Plum"]
        await pilot.press("escape")
        # Opened once: new options are built at once, the overlay lists them.
        drop.set_options_later(lambda: [("Pear", 8)])
        await pilot.pause()
        assert [str(o.prompt) for o in drop.query_one(SelectOverlay).options] == ["Fruit", "Pear"]


LONG = [("Apple", 1), ("A name far too long for a narrow drop-down", 2), ("[b]Bold[/b] cherry", 3)]
APP_CSS = Path(__file__).resolve().parents[3] / "src" / "docassist" / "ui" / "app.tcss"


class _Twins(App[None]):
    """A Select and a DropDown alike, one above the other, styled by app.tcss."""

    CSS_PATH = str(APP_CSS)

    def __init__(self, compact: bool, width: int) -> None:
        super().__init__()
        self.compact = compact
        self.width = width

    def compose(self) -> ComposeResult:
        for kind in (Select, DropDown):
            with Vertical(classes="form-row") as row:
                row.styles.width = self.width
                yield kind(LONG, prompt="All municipalities", compact=self.compact)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
@pytest.mark.parametrize("width", [3, 5, 8, 24, 60])
@pytest.mark.parametrize("compact", [True, False])
async def test_the_current_choice_is_drawn_as_select_draws_it(compact, width, theme):
    # Cell for cell, styles and meta included: the snapshots of every screen with a
    # drop-down stay as they were with Textual's SelectCurrent.
    app = _Twins(compact, width)
    # Tall enough for an open overlay to drop below its drop-down, not over it.
    async with app.run_test(size=(70, 40)) as pilot:
        app.theme = theme
        select, drop = app.query(Select)
        for value in (Select.NULL, 2, 3, 1):
            for focused in (False, True):
                drawn = []
                for widget in (select, drop):
                    widget.value = value
                    app.set_focus(widget if focused else None)
                    await pilot.pause()
                    drawn.append(_cells(widget))
                assert drawn[0] == drawn[1], (value, focused)
        if width < 24:
            # Narrower, both clip the arrow away, and at 8 cells Textual's OptionList
            # fails wrapping an option into an overlay with no room left.
            return
        drawn = []
        for widget in (select, drop):  # open: the arrow points up
            widget.focus()
            await pilot.press("enter")
            await pilot.pause()
            drawn.append(_cells(widget.query_one(SelectCurrent)))
            await pilot.press("escape")
            await pilot.pause()
        assert drawn[0] == drawn[1]
        middle = drawn[1][len(drawn[1]) // 2]
        assert "▲" in "".join(char for char, _style in middle)
