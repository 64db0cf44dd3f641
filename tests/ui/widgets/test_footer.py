"""The keys line (ui/widgets/footer.KeysFooter): its keys are in the first frame, and
the focus moving about rebuilds it only when the keys it shows change."""

from __future__ import annotations

import io

from rich.console import Console
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Button, Input
from textual.widgets._footer import FooterKey

from docassist.ui.widgets.footer import KeysFooter


class _Search(Input):
    # Like the household list's search box: the letter n is typed, not a key
    BINDINGS = [Binding("n", "noop", "New household", show=False)]


class _Table(Button):
    # A widget with a key of its own, shown while it has the focus
    BINDINGS = [Binding("enter", "open", "Open")]

    def action_open(self) -> None:
        pass


class _Keys(Screen[None]):
    BINDINGS = [
        Binding("ctrl+n", "new_household", "New household"),
        Binding("n", "new_household", "New household"),
        Binding("ctrl+f", "search", "Search"),
    ]

    def compose(self) -> ComposeResult:
        yield _Search(id="search")
        yield Input(id="other")
        yield _Table("table", id="table")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#search").focus()

    def action_new_household(self) -> None:
        self.app.pressed.append("new")  # type: ignore[attr-defined]

    def action_search(self) -> None:
        pass


class _FirstFrame(App[None]):
    """Keeps the text of the first frame the terminal is sent."""

    def __init__(self) -> None:
        super().__init__()
        self.first_frame: str | None = None
        self.pressed: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(_Keys())

    def _display(self, screen, renderable) -> None:  # type: ignore[no-untyped-def]
        # Textual's one door to the terminal: the first frame of the keys screen
        if self.first_frame is None and isinstance(screen, _Keys) and renderable is not None:
            console = Console(width=self.size.width, record=True, file=io.StringIO())
            console.print(screen._compositor)
            self.first_frame = console.export_text()
        super()._display(screen, renderable)


def _footer_line(app: App[None]) -> str:
    console = Console(width=app.size.width, record=True, file=io.StringIO())
    console.print(app.screen._compositor)
    return console.export_text().splitlines()[-1]


async def test_the_keys_are_in_the_first_frame(monkeypatch):
    app = _FirstFrame()
    async with app.run_test(size=(80, 8)) as pilot:
        await pilot.pause()
        assert app.first_frame is not None
        last = app.first_frame.splitlines()[-1]
        assert "^n New household" in last and "^f Search" in last, last
        assert _footer_line(app) == last  # the frames after it show the same keys


async def test_the_keys_are_rebuilt_only_when_they_change(monkeypatch):
    composed: list[object] = []
    compose = KeysFooter.compose

    def counted(self):  # type: ignore[no-untyped-def]
        composed.append(self)
        return compose(self)

    monkeypatch.setattr(KeysFooter, "compose", counted)
    mounted: list[FooterKey] = []
    monkeypatch.setattr(FooterKey, "on_mount", lambda self: mounted.append(self), raising=False)

    app = _FirstFrame()
    async with app.run_test(size=(80, 8)) as pilot:
        await pilot.pause()
        assert len(composed) == 1
        keys = len(mounted)
        assert keys == 3  # ^n New household, ^f Search (n: the same action), ^p palette
        # The focus moves; the search box's own n hides the screen's n, but the
        # line shows ^n for that action either way: nothing to rebuild.
        app.screen.query_one("#other").focus()
        await pilot.pause()
        app.screen.query_one("#search").focus()
        await pilot.pause()
        assert len(composed) == 1 and len(mounted) == keys
        # A focused widget with a key of its own: the line changes, and back.
        app.screen.query_one("#table").focus()
        await pilot.pause()
        await pilot.pause()
        assert "⏎ Open" in _footer_line(app)
        app.screen.query_one("#search").focus()
        await pilot.pause()
        await pilot.pause()
        assert "Open" not in _footer_line(app)
        assert "^n New household" in _footer_line(app)


async def test_clicking_a_key_runs_its_action():
    app = _FirstFrame()
    async with app.run_test(size=(80, 8)) as pilot:
        await pilot.pause()
        line = _footer_line(app)
        await pilot.click(offset=(line.index("New household"), 7))
        await pilot.pause()
        assert app.pressed == ["new"]
