"""What is wrong with one form field, shown right under it.

Errors (red, they block saving), warnings (amber, they only inform) and quiet
hints each get their own line style; the widget takes no room when all is well.
A mark in front of each line keeps the meaning without colour (projectors wash
colours out, and some readers do not tell red from amber).
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from docassist.domain.text import Problem
from docassist.i18n import _
from docassist.services.context import ValidationError

ERROR_MARK = "✗ "
WARNING_MARK = "! "


class FieldProblems(Vertical):
    DEFAULT_CSS = """
    FieldProblems {
        height: auto;
        width: 1fr;
        padding: 0 1;
    }
    FieldProblems > Static {
        height: auto;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._lines: tuple[list[str], list[str], list[str]] = ([], [], [])

    def compose(self) -> ComposeResult:
        yield Static("", classes="field-error hidden", markup=False)
        yield Static("", classes="field-warning hidden", markup=False)
        yield Static("", classes="hint hidden", markup=False)

    def on_mount(self) -> None:
        self._paint()

    def show(
        self,
        problems: Iterable[Problem] = (),
        *,
        hints: Iterable[str] = (),
        quiet: Iterable[Problem] = (),
    ) -> None:
        """Show ``problems`` by severity; ``quiet`` ones (not worth alarm yet) as hints."""
        problems = list(problems)
        errors = [ERROR_MARK + p.render(_) for p in problems if p.is_error]
        warnings = [WARNING_MARK + p.render(_) for p in problems if not p.is_error]
        hint_lines = [p.render(_) for p in quiet] + list(hints)
        self._lines = (errors, warnings, hint_lines)
        if self.is_mounted:
            self._paint()

    def _paint(self) -> None:
        for widget, lines in zip(self.query_children(Static), self._lines, strict=False):
            widget.update("\n".join(lines))
            widget.set_class(not lines, "hidden")

    @property
    def errors(self) -> list[str]:
        return list(self._lines[0])

    @property
    def text(self) -> str:
        """Everything shown, one line per message (for tests and screen readers)."""
        return "\n".join(line for lines in self._lines for line in lines)


def problems_text(error: ValidationError) -> str:
    """Every problem of a refused save, one per line, for a notification."""
    return "\n".join(p.render(_) for problems in error.problems.values() for p in problems)
