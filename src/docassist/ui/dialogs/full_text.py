"""The whole of a text a screen shows shortened: a blocked reason, a refusal, notes.

Headers keep to a line or two (``shortened``), so a long text never pushes a case's
title and steps out of reach; the text itself is read here, scrolled if need be.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from docassist.domain.text import N_
from docassist.i18n import _
from docassist.ui.dialogs.base import Dialog, button_row

#: A header shows at most this many characters of a free text: two lines at 80 columns.
HEADER_CHARS = 120

# (label, text): the label a function, so a language switch redraws it.
Passage = tuple[Callable[[], str], str]


def shortened(text: str, limit: int = HEADER_CHARS) -> str:
    """``text`` on one line and cut to ``limit`` characters, with "…" when cut."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def is_cut(text: str, limit: int = HEADER_CHARS) -> bool:
    """Whether ``shortened`` leaves anything out: more than fits, or more than a line."""
    return len(" ".join(text.split())) > limit or "\n" in text.strip()


class FullTextDialog(Dialog, ModalScreen[None]):
    """Every passage whole, each under its label; Escape or Enter closes it."""

    DEFAULT_CSS = """
    FullTextDialog > .dialog-box {
        width: 76;
        padding: 1 2;
    }
    FullTextDialog #full-text {
        height: auto;
        max-height: 18;
    }
    FullTextDialog .full-text-label {
        text-style: bold;
    }
    FullTextDialog .full-text-body {
        margin-bottom: 1;
    }
    """

    BINDINGS = [
        Binding("escape", "close", N_("Close")),
        Binding("enter", "close", N_("Close"), show=False),
    ]

    def __init__(self, passages: Sequence[Passage]) -> None:
        super().__init__()
        self.passages = list(passages)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            with VerticalScroll(id="full-text"):
                for label, text in self.passages:
                    yield Static(label(), classes="full-text-label", markup=False)
                    yield Static(text, classes="full-text-body", markup=False)
            yield button_row(
                Button(_("Close"), id="full-text-close", variant="primary"), id="full-text-buttons"
            )

    def on_mount(self) -> None:
        self.query_one("#full-text", VerticalScroll).focus()

    @on(Button.Pressed, "#full-text-close")
    def action_close(self) -> None:
        self.dismiss(None)
