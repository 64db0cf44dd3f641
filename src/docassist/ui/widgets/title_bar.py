"""The header line of every screen: Textual's Header drawn by one widget.

Textual's Header is four widgets (itself, an icon, the title and the clock's
space) and receives the title from watchers only once mounted: on the first
screen the title arrived after the first frame, and the layout and paint it
caused were part of the start-up's cost (issue 12). This one widget draws the
same cells from the app's (or the screen's) title and sub-title in its first
frame, and a title change only repaints this one line.

Every cell must look as Textual's Header draws it (the snapshot tests compare the
screens byte for byte, and tests/ui/widgets/test_title_bar.py compares the two
side by side): each part of the line is rendered with the same Textual calls and
styles the Header's children use, at the same places.
"""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual import events
from textual.content import Content
from textual.css.styles import RulesMap
from textual.css.types import AlignHorizontal, AlignVertical
from textual.reactive import Reactive
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widget import Widget

from docassist.i18n import _

# Cells of Textual's HeaderIcon (width 8, padding 0 1) and HeaderClockSpace (width
# 10, padding 0 1); the title takes what is between them.
ICON_WIDTH = 8
CLOCK_WIDTH = 10
PAD = 1


class TitleBar(Widget):
    """The app's title and sub-title between the command-palette icon and the clock's
    space, as Textual's Header shows them (docassist shows no clock)."""

    # Header's CSS, and for the title HeaderTitle's (the title part is rendered with
    # this widget's text-wrap, text-overflow and content-align).
    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        width: 100%;
        background: $panel;
        color: $foreground;
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        content-align: center middle;
    }
    TitleBar.-tall {
        height: 3;
    }
    TitleBar > .title-bar--icon-hover {
        background: $foreground 10%;
    }
    """

    COMPONENT_CLASSES = {"title-bar--icon-hover"}
    # Its cells are drawn in three parts, not from one visual a selection could map.
    ALLOW_SELECT = False

    tall: Reactive[bool] = Reactive(False)
    """Three lines instead of one, as Header's ``tall`` (a click on the title toggles it)."""

    icon: Reactive[str] = Reactive("⭘")
    """The character at the top left that opens the command palette."""

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        icon: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        if icon is not None:
            self.icon = icon
        self._icon_hover = False
        self._lines: list[Strip] = []
        self._lines_key: tuple[object, ...] | None = None

    def on_mount(self) -> None:
        # Read at each paint, so the first frame already has them; a change only
        # repaints this line (no layout: the widget's size never depends on them).
        for owner in (self.app, self.screen):
            self.watch(owner, "title", self._title_changed, init=False)
            self.watch(owner, "sub_title", self._title_changed, init=False)

    def _title_changed(self) -> None:
        self.refresh()

    def watch_tall(self, tall: bool) -> None:
        self.set_class(tall, "-tall")

    # -- what it shows --------------------------------------------------------

    @property
    def screen_title(self) -> str:
        """The screen's title if it has one, else the app's (as Header)."""
        title = self.screen.title
        return title if title is not None else self.app.title

    @property
    def screen_sub_title(self) -> str:
        """The screen's sub-title if it has one, else the app's (as Header)."""
        sub_title = self.screen.sub_title
        return sub_title if sub_title is not None else self.app.sub_title

    def format_title(self) -> Content:
        """The title and sub-title as the app formats them (Header defers to it too)."""
        return self.app.format_title(self.screen_title, self.screen_sub_title)

    # -- the mouse: the icon opens the command palette -------------------------

    def _palette_enabled(self) -> bool:
        return bool(self.app.ENABLE_COMMAND_PALETTE)

    def _on_icon(self, x: int) -> bool:
        return 0 <= x < ICON_WIDTH and self._palette_enabled()

    def _set_icon_hover(self, hover: bool) -> None:
        if hover != self._icon_hover:
            self._icon_hover = hover
            # HeaderIcon's tooltip, in the user's language, and only on the icon.
            self.tooltip = _("Open the command palette") if hover else None
            self.refresh()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._set_icon_hover(self._on_icon(event.x))

    def on_leave(self, event: events.Leave) -> None:
        self._set_icon_hover(False)

    async def on_click(self, event: events.Click) -> None:
        event.stop()
        if self._on_icon(event.x):
            await self.run_action("app.command_palette")
        elif not (0 <= event.x < ICON_WIDTH):
            # Header grows to three lines on a click (outside its icon) and back.
            self.toggle_class("-tall")

    # -- drawing ----------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        key = (
            width,
            height,
            self.screen_title,
            self.screen_sub_title,
            self._icon_hover,
            self.icon,
            self.background_colors,
            self.visual_style,
        )
        if key != self._lines_key:
            self._lines = self._render_lines(width, height, self.format_title())
            self._lines_key = key
        return self._lines[y] if y < len(self._lines) else Strip.blank(width)

    def _render_lines(self, width: int, height: int, title: Content) -> list[Strip]:
        base_background, background = self.background_colors
        style = self.visual_style

        icon_style = style
        icon_background = background
        if self._icon_hover:
            hover = self.get_component_styles("title-bar--icon-hover").background
            icon_background = background + hover
            icon_style = replace(style, background=icon_background)

        title_width = max(0, width - ICON_WIDTH - CLOCK_WIDTH)
        icon = self._part(
            Content(self.icon), icon_style, ICON_WIDTH - 2 * PAD, height, ("left", "middle")
        )
        # HeaderTitle is one line (height auto, nowrap) at the top of a tall Header,
        # which shows its own blank background below it.
        middle = Visual.to_strips(self, title, title_width, 1, style) if title_width else []
        clock = self._part(Content(""), style, CLOCK_WIDTH - 2 * PAD, height, None)

        icon_pad = Style(background=background + icon_background).rich_style
        pad = Style(background=base_background + background).rich_style
        below_title = Strip([Segment(" " * title_width, pad)], title_width)
        lines = []
        for y in range(height):
            title_line = middle[y] if y < len(middle) else below_title
            parts = [
                _padded(icon[y], ICON_WIDTH - 2 * PAD, icon_pad),
                title_line.adjust_cell_length(title_width, pad),
                _padded(clock[y], CLOCK_WIDTH - 2 * PAD, pad),
            ]
            lines.append(Strip.join(parts).crop(0, width))
        return lines

    def _part(
        self,
        content: Content,
        style: Style,
        width: int,
        height: int,
        align: tuple[AlignHorizontal, AlignVertical] | None,
    ) -> list[Strip]:
        """One of Header's small children (icon, clock space) as it renders itself:
        Visual.to_strips with its own content-align, and blank lines below."""
        # The rules Visual.to_strips passes (Textual's own call, typed more loosely).
        options = RenderOptions(self._get_style, cast(RulesMap, self.styles), None, None)
        strips = content.render_strips(width, height, style, options)
        rich_style = (style + Style(reverse=False)).rich_style
        if align is not None:
            horizontal, vertical = align
            strips = list(Strip.align(strips, rich_style, width, height, horizontal, vertical))
        blank = Strip.blank(width, style.rich_style)
        return [strips[y] if y < len(strips) else blank for y in range(height)]


def _padded(line: Strip, width: int, style: RichStyle) -> Strip:
    """A child's content line with its padding of one cell each side (StylesCache)."""
    line = line.adjust_cell_length(width, style)
    return Strip([Segment(" ", style), *line, Segment(" ", style)], width + 2 * PAD)
