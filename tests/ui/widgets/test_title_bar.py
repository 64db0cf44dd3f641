"""The header line: one widget, drawn as Textual's Header draws it, from the first frame."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Header, Static

from docassist import i18n
from docassist.ui.commands import DocCommandPalette
from docassist.ui.widgets.title_bar import TitleBar
from tests.ui.main_screens import make_app, make_fixed_demo

# As long as docassist's at 80 columns: the sync standing and the name are cut off.
LONG = "Demo register (made-up families) · synced 21.11.2026. · unsent 4 days · Senad Coordinator"


@pytest.fixture
def fixed_demo(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", "/home/facilitator")
    return make_fixed_demo(tmp_path / "demo.db", monkeypatch)


def header_line(app: App) -> str:
    """The top line of the screen as painted."""
    return app.screen._compositor.render_strips()[0].text


class _Bars(App[None]):
    """Textual's Header or the TitleBar over a line of text."""

    def __init__(self, bar: type, title: str, sub_title: str) -> None:
        super().__init__()
        self.bar = bar
        self.title = title
        self.sub_title = sub_title

    def compose(self) -> ComposeResult:
        yield self.bar()
        yield Static("body")


async def _drawn(bar: type, size: tuple[int, int], sub_title: str, tall: bool, hover: bool):
    app = _Bars(bar, "docassist", sub_title)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if tall:  # a click on Header's title makes it three lines high
            await pilot.click(bar, offset=(20, 0))
            await pilot.pause()
        if hover:
            await pilot.hover(bar, offset=(2, 0))
            await pilot.pause()
        strips = app.screen._compositor.render_strips()[:3]
        return app.export_screenshot(), [[(s.text, s.style) for s in strip] for strip in strips]


@pytest.mark.parametrize("size", [(80, 24), (81, 24), (30, 24), (120, 30)])
@pytest.mark.parametrize(
    "sub_title", ["", "abc", "Регистар · Сенад Координатор", "x" * 44, "x" * 45, LONG]
)
async def test_drawn_as_textuals_header(size, sub_title):
    # Cell for cell, segment for segment: the snapshots stay byte for byte the same.
    expected = await _drawn(Header, size, sub_title, tall=False, hover=False)
    assert await _drawn(TitleBar, size, sub_title, tall=False, hover=False) == expected


@pytest.mark.parametrize(("tall", "hover"), [(True, False), (False, True), (True, True)])
async def test_tall_and_hovered_as_textuals_header(tall, hover):
    expected = await _drawn(Header, (80, 24), LONG, tall, hover)
    assert await _drawn(TitleBar, (80, 24), LONG, tall, hover) == expected


async def test_cut_at_80_columns_as_textuals_header():
    lines = {}
    for bar in (Header, TitleBar):
        app = _Bars(bar, "docassist", LONG)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            lines[bar] = header_line(app)
    # 62 columns between the icon and the clock's space: the end gives way to "…"
    shown = "docassist — " + LONG[:49] + "…"
    assert lines[TitleBar] == " ⭘      " + shown + " " * 10 == lines[Header]


async def test_the_first_frame_has_the_title(fixed_demo, monkeypatch):
    # Textual's Header got the title from a watcher after mounting: its first frame
    # showed an empty title and the next one a relayout. The TitleBar's first paint
    # already has it.
    painted: list[str] = []
    render_line = TitleBar.render_line

    def recording(self, y):
        strip = render_line(self, y)
        painted.append(strip.text)
        return strip

    monkeypatch.setattr(TitleBar, "render_line", recording)
    app = make_app(fixed_demo, "register")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert painted, "the bar was never painted"
        assert "docassist — Demo register (made-up families)" in painted[0]
        assert len(app.screen.query(TitleBar)) == 1
        assert len(app.screen.query("TitleBar *")) == 0  # one widget, no children


async def test_a_title_change_redraws_the_line(fixed_demo):
    app = make_app(fixed_demo, "register")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Demo register (made-up families) · Senad Coordina…" in header_line(app)
        app.sub_title = "Register · Ana"
        await pilot.pause()
        assert header_line(app).split() == ["⭘", "docassist", "—", "Register", "·", "Ana"]
        app.title = "other"
        await pilot.pause()
        assert "other — Register · Ana" in header_line(app)


async def test_a_screen_title_comes_before_the_apps(fixed_demo):
    # As Textual's Header: a screen with its own title shows it.
    app = make_app(fixed_demo, "register")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.sub_title = "the screen's own"
        await pilot.pause()
        assert "docassist — the screen's own" in header_line(app)


async def test_a_language_switch_keeps_it_mounted_and_right(fixed_demo):
    app = make_app(fixed_demo, "register")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(TitleBar)
        for code in ("sr", "rom", "en"):
            app.choose_language(code)
            await pilot.pause()
            await pilot.pause()
            assert app.screen.query_one(TitleBar) is bar and bar.is_attached
            demo = i18n._("Demo register (made-up families)")
            assert f"docassist — {demo}" in header_line(app), code


async def test_the_icon_opens_the_command_palette(fixed_demo):
    app = make_app(fixed_demo, "register")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.click(TitleBar, offset=(30, 0))  # the title: no palette
        await pilot.pause()
        assert not DocCommandPalette.is_open(app)
        await pilot.click(TitleBar, offset=(1, 0))
        await pilot.pause()
        assert DocCommandPalette.is_open(app)


async def test_its_tooltip_is_in_the_users_language(fixed_demo):
    app = make_app(fixed_demo, "register")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.choose_language("sr")
        await pilot.pause()
        bar = app.screen.query_one(TitleBar)
        await pilot.hover(TitleBar, offset=(2, 0))
        await pilot.pause()
        assert bar.tooltip == i18n._("Open the command palette") != ("Open the command palette")
        await pilot.hover(TitleBar, offset=(30, 0))
        await pilot.pause()
        assert bar.tooltip is None


class _NoPalette(_Bars):
    ENABLE_COMMAND_PALETTE = False


async def test_no_palette_no_icon_click():
    app = _NoPalette(TitleBar, "docassist", "")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.click(TitleBar, offset=(1, 0))
        await pilot.pause()
        assert len(app.screen_stack) == 1
        assert app.query_one(TitleBar).tooltip is None
