"""DropDown behaves as Textual's Select, with its overlay mounted on first open.

Each behaviour test runs on both widgets: Select is what DropDown must match.
"""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Select
from textual.widgets._select import SelectOverlay

from docassist.ui.widgets.drop_down import DropDown

OPTIONS = [("Apple", 1), ("Banana", 2), ("Cherry", 3)]


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
        assert "Apple" in str(drop.query_one("SelectCurrent #label").render())
        drop.set_options([("Plum", 9)])
        await pilot.pause()
        assert drop.is_blank()
        drop.prompt = "Other"
        await pilot.pause()
        assert "Other" in str(drop.query_one("SelectCurrent #label").render())
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
        assert "Fruit" in str(drop.query_one("SelectCurrent #label").render())
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
        assert "Cherry" in str(drop.query_one("SelectCurrent #label").render())

    app = _LaterHost()
    async with app.run_test() as pilot:
        drop = app.query_one(DropDown)
        drop.value = 1  # chosen by code before anyone opened it
        await pilot.pause()
        assert app.calls == 1
        assert "Apple" in str(drop.query_one("SelectCurrent #label").render())
        assert drop.listed_options() == OPTIONS


async def test_set_options_later_clears_the_choice_and_waits_until_opened() -> None:
    app = _LaterHost(value=3)
    async with app.run_test() as pilot:
        drop = app.query_one(DropDown)
        drop.set_options_later(lambda: [("Plum", 9)])
        await pilot.pause()
        assert drop.is_blank()
        assert "Fruit" in str(drop.query_one("SelectCurrent #label").render())
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
