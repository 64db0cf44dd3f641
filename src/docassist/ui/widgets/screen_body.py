"""The part of a screen between its Header and Footer, redrawn on a language switch.

Recomposing a whole screen removed Textual's Header, whose watchers on the app's
title stayed behind; the next title change then failed inside Textual (NoMatches
'HeaderTitle'). Screens now show a TitleBar (no child to lose), and the frame is
still kept: recomposing only the body keeps the header line and the Footer mounted,
while every word in the body is composed afresh in the new language.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.compose import compose
from textual.containers import Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Input
from textual.widgets.input import Selection

from docassist.ui.widgets.title_bar import TitleBar

# The screen's frame: kept mounted across a redraw (see the module docstring). The
# Footer redraws its own labels on refresh_bindings(), so it need not be replaced.
FRAME = (TitleBar, Footer)
FRAME_QUERY = ", ".join(kind.__name__ for kind in FRAME)


class ScreenBody(Vertical):
    DEFAULT_CSS = """
    ScreenBody {
        height: 1fr;
    }
    """

    def __init__(self, compose: Callable[[], ComposeResult], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._compose_body = compose

    def compose(self) -> ComposeResult:
        yield from self._compose_body()


async def recompose_body(node: Widget) -> None:
    """Compose ``node`` afresh but keep its Header and Footer mounted.

    A screen with a ``ScreenBody`` has only that recomposed. Any other screen has
    every child recomposed except its frame, so that no screen, however it was
    written, can hit the Header failure on a language switch.
    """
    bodies = node.query_children(ScreenBody)
    if bodies:
        await bodies.first().recompose()
        return
    if not node.is_attached or node._pruning:
        return
    frame = [child for child in node.children if isinstance(child, FRAME)]
    async with node.batch():
        await node.query_children("*").exclude(".-textual-system").exclude(FRAME_QUERY).remove()
        if not node.is_attached:
            return
        # compose() (not node.compose()) sets up the stack that `with Container():`
        # blocks in a compose method rely on; the fresh Header/Footer are dropped.
        fresh = [child for child in compose(node) if not isinstance(child, FRAME)]
        footer = next((child for child in frame if isinstance(child, Footer)), None)
        if footer is not None:
            await node.mount_all(fresh, before=footer)
        else:
            await node.mount_all(fresh)


class KeptFocus:
    """Which widget had the keyboard, and where its cursor was, across a redraw.

    A redraw replaces every widget: without this the keys of a facilitator typing
    a name went nowhere after a language switch, and the next Tab selected the
    whole field so that one letter replaced it.
    """

    def __init__(self, screen: Screen) -> None:
        focused = screen.focused
        self.screen = screen
        self.widget_id = focused.id if focused is not None else None
        self.cursor = focused.cursor_position if isinstance(focused, Input) else None

    def restore(self) -> None:
        if not self.widget_id:
            return
        for widget in self.screen.query(f"#{self.widget_id}"):
            if not widget.focusable:
                continue
            widget.focus()
            if isinstance(widget, Input) and self.cursor is not None:
                cursor = min(self.cursor, len(widget.value))
                # After the focus event, which would otherwise select all the text.
                self.screen.call_after_refresh(self._place_cursor, widget, cursor)
            return

    @staticmethod
    def _place_cursor(widget: Input, cursor: int) -> None:
        widget.selection = Selection.cursor(cursor)


async def redraw_body(screen: Screen) -> None:
    """Compose the screen's body afresh (a language switch) and give the keyboard
    back to where it was."""
    kept = KeptFocus(screen)
    await recompose_body(screen)
    kept.restore()
