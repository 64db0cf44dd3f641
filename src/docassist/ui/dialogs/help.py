"""F1: the keys of the screen underneath, and the app's own commands."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Label

from docassist.domain.text import N_
from docassist.i18n import _
from docassist.ui.commands import offered
from docassist.ui.dialogs.base import Dialog
from docassist.ui.widgets.fast_table import FastTable

# Keys every Textual screen has, described by Textual: noise on a help screen for
# facilitators (Tab between fields; the copy key, listed as ctrl+c and super+c).
TEXTUAL_OWN = frozenset(
    {"app.focus_next", "app.focus_previous", "focus_next", "focus_previous", "screen.copy_text"}
)


def _key_label(app: App[Any], key: str) -> str:
    return app.get_key_display(Binding(key, ""))


def screen_keys_of(screen: Screen, global_keys: set[str]) -> list[tuple[str, str]]:
    """The keys of ``screen`` in force now, as F1 lists them (key shown, what it does).

    Every key the screen binds is listed, also those kept off the footer; digits that
    do one thing each ("1" ticks item 1, "2" item 2) are one row, "1–9"."""
    rows: list[tuple[str, str]] = []
    digits: dict[str, list[str]] = {}
    for key, active in screen.active_bindings.items():
        # The screen's own keys only: the focused widget's built-in ones
        # (cursor moves, scrolling) are Textual's, in English, and noise here.
        if active.node is not screen or active.binding.action in TEXTUAL_OWN:
            continue
        description = active.binding.description
        if key in global_keys or not description:
            continue
        if key.isdigit():
            if description not in digits:
                digits[description] = []
                rows.append(("", description))  # its place in the list, filled below
            digits[description].append(key)
            continue
        rows.append((_key_label(screen.app, key), description))
    return [
        (f"{min(digits[d])}–{max(digits[d])}" if len(digits[d]) > 1 else digits[d][0], d)
        if not key
        else (key, d)
        for key, d in rows
    ]


class HelpDialog(Dialog):
    DEFAULT_CSS = """
    HelpDialog > .dialog-box {
        width: 90%; max-width: 100; height: 90%;
    }
    HelpDialog DataTable { height: auto; }
    """
    BINDINGS = [
        Binding("escape", "dismiss", N_("Back")),
        Binding("f1", "dismiss", N_("Back"), show=False),
    ]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box"):
            yield Label(_("Keys on this screen"), classes="help-title")
            screen_keys: DataTable = FastTable(show_cursor=False, id="screen-keys")
            screen_keys.add_columns(_("Key"), _("What it does"))
            commands = offered(self.app)
            for key, description in screen_keys_of(self.under, {c.key for c in commands}):
                screen_keys.add_row(key, description)
            yield screen_keys
            yield Label(_("Everywhere"), classes="help-title")
            everywhere: DataTable = FastTable(show_cursor=False, id="global-keys")
            labels = [_(c.label) for c in commands]
            # The explanation wraps instead of being cut at 80 columns: its column
            # gets what the box leaves (90% of the screen, at most 100, less the
            # border, padding, the key and command columns and cell padding).
            box = min(100, int(self.app.size.width * 0.9)) - 4
            width = max(20, box - 8 - max(map(len, labels), default=8) - 6)
            everywhere.add_column(_("Key"))
            everywhere.add_column(_("Command"))
            everywhere.add_column(_("What it does"), width=width)
            for command, label in zip(commands, labels, strict=True):
                everywhere.add_row(
                    _key_label(self.app, command.key), label, _(command.help), height=None
                )
            yield everywhere
            # Not before a sign-in, nor on the lock: the palette waits for a session.
            if getattr(self.app, "session", None) and not getattr(self.app, "locked", False):
                yield Label(_("Ctrl+P opens the command palette: type a word to find a command."))
