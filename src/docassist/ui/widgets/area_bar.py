"""One line under the title: the areas of the app with their keys, the current one
marked. The footer has no room for them at 80 columns, and a new user must still see
that F3, F4, F5, F6 and F9 lead somewhere; a click works as well as the key."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.markup import escape
from textual.widgets import Static

from docassist.i18n import _
from docassist.ui.commands import Command, for_role

if TYPE_CHECKING:
    # Only for the type checker: app.py imports the widgets, not the other way round.
    from textual import getters

    from docassist.domain.model import Role
    from docassist.ui.app import DocAssistApp


def area_commands(role: Role | None) -> list[Command]:
    """The area-switching commands this role may use, in key order."""
    return [c for c in for_role(role) if c.action.startswith("mode(")]


def _mode_of(command: Command) -> str:
    return command.action.removeprefix("mode('").removesuffix("')")


class AreaBar(Static):
    DEFAULT_CSS = """
    AreaBar {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    if TYPE_CHECKING:
        # The running app, typed as ours (as in ui/base.py): only for the checker, the
        # widget's ``app`` at run time is Textual's, unchanged.
        app = getters.app(DocAssistApp)

    def on_mount(self) -> None:
        self.app.language_changed.subscribe(self, self._retranslate_for_language)
        self._redraw()

    async def _retranslate_for_language(self, _code: str) -> None:
        self._redraw()

    def _redraw(self) -> None:
        current = self.app.current_mode
        parts = []
        for command in area_commands(getattr(self.app, "role", None)):
            label = escape(f" {command.key.upper()} {_(command.label)} ")
            # Clicking runs the same action as the key.
            part = f"[@click=app.{command.action}]{label}[/]"
            if _mode_of(command) == current:
                part = f"[reverse bold]{part}[/]"
            parts.append(part)
        self.update(" ".join(parts))
