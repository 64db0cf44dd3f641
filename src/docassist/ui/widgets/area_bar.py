"""One line under the title: the areas of the app with their keys, the current one
marked. The footer has no room for them at 80 columns, and a new user must still see
that F3, F4, F5, F6 and F9 lead somewhere; a click works as well as the key."""

from __future__ import annotations

from textual.markup import escape
from textual.widgets import Static

from docassist.i18n import _
from docassist.ui.commands import Command, for_role


def area_commands(role: object) -> list[Command]:
    """The area-switching commands this role may use, in key order."""
    return [c for c in for_role(role) if c.action.startswith("mode(")]  # type: ignore[arg-type]


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

    def on_mount(self) -> None:
        self.app.language_changed.subscribe(self, self._retranslate_for_language)  # type: ignore[attr-defined]
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
