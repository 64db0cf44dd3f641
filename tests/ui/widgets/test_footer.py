"""The keys line (ui/widgets/footer.KeysFooter): its keys are in the first frame, the
focus moving about redraws it only when the keys it shows change, and it draws them
cell for cell as Textual's Footer (a FooterKey widget per key) does."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Button, Footer, Input
from textual.widgets._footer import FooterKey

from docassist.ui.widgets.footer import KeysFooter


class _Table(Button):
    # A widget with a key of its own, shown while it has the focus
    BINDINGS = [Binding("enter", "open", "Open")]

    def action_open(self) -> None:
        pass


class _Keys(Screen[None]):
    # As on the household list: n and Ctrl+N for one action; while the search box
    # has the focus, n is typed there (Input.check_consume_key), Ctrl+N still shown.
    BINDINGS = [
        Binding("ctrl+n", "new_household", "New household"),
        Binding("n", "new_household", "New household"),
        Binding("ctrl+f", "search", "Search"),
    ]

    def compose(self) -> ComposeResult:
        yield Input(id="search")
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


async def test_the_keys_are_redrawn_only_when_they_change(monkeypatch):
    composed: list[object] = []
    compose = KeysFooter.compose

    def counted(self):  # type: ignore[no-untyped-def]
        composed.append(self)
        return compose(self)

    drawn: list[int] = []
    render_line = KeysFooter.render_line

    def counted_line(self, y):  # type: ignore[no-untyped-def]
        drawn.append(y)
        return render_line(self, y)

    monkeypatch.setattr(KeysFooter, "compose", counted)
    monkeypatch.setattr(KeysFooter, "render_line", counted_line)
    mounted: list[FooterKey] = []
    monkeypatch.setattr(FooterKey, "on_mount", lambda self: mounted.append(self), raising=False)

    app = _FirstFrame()
    async with app.run_test(size=(80, 8)) as pilot:
        await pilot.pause()
        # One compose, no FooterKey: the footer draws its keys itself, once
        assert len(composed) == 1 and mounted == []
        assert len(drawn) == 1
        # The focus moves; the search box's own n hides the screen's n, but the
        # line shows ^n for that action either way: nothing to redraw.
        app.screen.query_one("#other").focus()
        await pilot.pause()
        app.screen.query_one("#search").focus()
        await pilot.pause()
        assert len(composed) == 1 and len(drawn) == 1
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
        assert len(composed) == 1 and mounted == []


async def test_clicking_a_key_runs_its_action():
    app = _FirstFrame()
    async with app.run_test(size=(80, 8)) as pilot:
        await pilot.pause()
        line = _footer_line(app)
        await pilot.click(offset=(line.index("New household"), 7))
        await pilot.pause()
        assert app.pressed == ["new"]


class _Disabled(Screen[None]):
    """Keys as on a screen: one disabled (shown dimmed), one with no label."""

    BINDINGS = [
        Binding("ctrl+n", "new_household", "New household"),
        Binding("ctrl+f", "search", "Search"),
        Binding("f5", "reload", ""),
        Binding("f10", "leave", "Leave"),
    ]

    def __init__(self, footer: Footer) -> None:
        super().__init__()
        self.footer = footer

    def compose(self) -> ComposeResult:
        yield Input(id="search")
        yield self.footer

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "search" else True

    def action_new_household(self) -> None:
        self.app.pressed.append("new")  # type: ignore[attr-defined]

    def action_search(self) -> None:
        self.app.pressed.append("search")  # type: ignore[attr-defined]

    def action_reload(self) -> None:
        pass

    def action_leave(self) -> None:
        pass


class _Grouped(_Disabled):
    """Keys grouped under one label: Textual's FooterKeys draw them, in our footer too."""

    BINDINGS = [
        Binding("f6", "prev", "Previous", group=Binding.Group("Move")),
        Binding("f7", "next", "Next", group=Binding.Group("Move")),
    ]

    def action_prev(self) -> None:
        pass

    def action_next(self) -> None:
        pass


class _Drawn(App[None]):
    def __init__(self, footer: Footer, theme: str, screen: type[_Disabled] = _Disabled) -> None:
        super().__init__()
        self.footer = footer
        self.theme = theme
        self.keys_screen = screen
        self.pressed: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(self.keys_screen(self.footer))


def _footer_segments(app: App[None]) -> list[tuple[str, str]]:
    update = app.screen._compositor.render_update(full=True)
    console = Console(width=app.size.width, record=True, file=io.StringIO())
    console.print(update)
    lines = list(Segment.split_and_crop_lines(console._record_buffer, length=app.size.width))
    return [(s.text, str(s.style)) for s in lines[-1] if not s.control]


async def _drawn(
    footer: Footer,
    theme: str,
    width: int,
    hover: int | None,
    screen: type[_Disabled] = _Disabled,
) -> list[tuple[str, str]]:
    app = _Drawn(footer, theme, screen)
    async with app.run_test(size=(width, 6)) as pilot:
        await pilot.pause()
        await pilot.pause()
        if hover is not None:
            await pilot.hover(offset=(hover, 5))
            await pilot.pause()
        return _footer_segments(app)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "solarized-light"])
@pytest.mark.parametrize(("width", "compact"), [(80, False), (36, True)])
@pytest.mark.parametrize("hover", [None, 2, 20])
async def test_the_line_is_drawn_as_textuals_footer_keys_draw_it(theme, width, compact, hover):
    # The same screen under Textual's own Footer (its FooterKeys) and under ours:
    # the same segments, style for style, roomy and compact, a key disabled, a key
    # with no label, the mouse over a key (2) or over the disabled one (20).
    textual = await _drawn(Footer(compact=compact, show_command_palette=False), theme, width, hover)
    ours = await _drawn(KeysFooter(), theme, width, hover)
    assert ours == textual


@pytest.mark.parametrize("what", ["grouped", "palette"])
async def test_grouped_keys_and_the_palette_key_are_textuals_own(what):
    screen = _Grouped if what == "grouped" else _Disabled
    palette = what == "palette"
    ours_footer = KeysFooter()
    ours_footer.set_reactive(Footer.show_command_palette, palette)
    textual = await _drawn(Footer(show_command_palette=palette), "textual-dark", 100, 2, screen)
    ours = await _drawn(ours_footer, "textual-dark", 100, 2, screen)
    assert ours == textual
    assert any("Move" in text for text, _style in ours) or "palette" in str(ours)


async def test_a_click_on_a_disabled_key_presses_nothing():
    app = _Drawn(KeysFooter(), "textual-dark")
    async with app.run_test(size=(80, 6)) as pilot:
        await pilot.pause()
        line = _footer_line(app)
        await pilot.click(offset=(line.index("Search"), 5))
        await pilot.click(offset=(line.index("New household"), 5))
        await pilot.pause()
        assert app.pressed == ["new"]


async def test_a_theme_switch_redraws_the_line_in_the_new_colours():
    app = _Drawn(KeysFooter(), "textual-dark")
    async with app.run_test(size=(80, 6)) as pilot:
        await pilot.pause()
        dark = _footer_segments(app)
        app.theme = "solarized-light"
        await pilot.pause()
        await pilot.pause()
        switched = _footer_segments(app)
    assert switched != dark
    assert switched == await _drawn(KeysFooter(), "solarized-light", 80, None)


async def test_the_mouse_over_a_key_shows_the_hand():
    app = _Drawn(KeysFooter(), "textual-dark")
    async with app.run_test(size=(80, 6)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(KeysFooter)
        await pilot.hover(offset=(2, 5))
        await pilot.pause()
        assert footer.styles.pointer == "pointer"
        await pilot.hover(offset=(70, 5))  # past the last key
        await pilot.pause()
        assert footer.styles.pointer == "default"
