"""What the register's forms share: rows of labelled inputs with their problems,
saving with Ctrl+S, leaving with Escape (asking first when something was typed).

A form keeps what is typed in ``self.values`` (a dataclass), so a language switch
that redraws the body loses nothing; ``_saved_values`` is what was loaded, to tell
whether leaving would throw typing away.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.suggester import SuggestFromList
from textual.widgets import Button, Label

from docassist.domain.text import N_
from docassist.i18n import _
from docassist.services.edits import EditConflict, conflict_labels
from docassist.ui.base import DocScreen
from docassist.ui.dialogs import ConfirmDialog, confirm_leave
from docassist.ui.widgets.field_problems import FieldProblems
from docassist.ui.widgets.footer import KeysFooter
from docassist.ui.widgets.limited_input import LimitedInput
from docassist.ui.widgets.screen_body import ScreenBody, redraw_body
from docassist.ui.widgets.title_bar import TitleBar


class FormScreen(DocScreen):
    """Base for the household and person forms.

    Subclasses give ``_compose_body``, ``_show_problems`` and ``action_save``; the
    scrolling container of the fields carries the CSS class ``form``.
    """

    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save")),
        Binding("escape", "cancel", N_("Cancel")),
    ]
    # What dismiss() returns when the user leaves without saving.
    nothing_saved: Any = None
    # What is typed and what was loaded: each subclass sets its own dataclass.
    values: Any
    _saved_values: Any

    def __init__(self) -> None:
        super().__init__()
        self._touched: set[str] = set()
        self._tried = False
        self._loaded = False

    def on_mount(self) -> None:
        # Typing kept when the terminal closed (services/drafts.py) is offered back
        # once the form stands, over what it loaded.
        self.call_after_refresh(self.offer_draft)

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield ScreenBody(self._compose_body)
        yield KeysFooter()

    def _compose_body(self) -> ComposeResult:
        raise NotImplementedError  # every form composes its own fields

    def _show_problems(self) -> None:
        raise NotImplementedError  # every form shows its own problems

    def action_save(self) -> None:
        raise NotImplementedError  # every form saves its own record

    def _text_row(
        self,
        name: str,
        label: str,
        *,
        required: bool = False,
        hint: str = "",
        suggest: list[str] | None = None,
        disabled: bool = False,
        max_length: int = 0,
    ) -> ComposeResult:
        """A label, an input bound to ``values.<name>``, and the place for its problems."""
        with Horizontal(classes="form-row"):
            yield Label(label + (" *" if required else ""), classes="form-label")
            with Vertical(classes="form-field"):
                yield LimitedInput(
                    getattr(self.values, name),
                    placeholder=hint,
                    id=name,
                    disabled=disabled,
                    max_length=max_length,
                    suggester=SuggestFromList(suggest, case_sensitive=False) if suggest else None,
                )
                yield FieldProblems(id=f"{name}-problems")

    async def retranslate(self) -> None:
        await redraw_body(self)
        self._show_problems()

    def _focus_field(self, name: str) -> None:
        for widget in self.query(f"#{name}"):
            if widget.focusable:
                widget.focus()
                self.query_one(".form").scroll_to_widget(widget)
                return

    def _say_nothing_saved(self) -> None:
        self.notify(_("Nothing was saved yet: see the fields marked in red."), severity="error")

    def _ask_about_conflict(self, conflict: EditConflict, save_mine: Callable[[], None]) -> None:
        """Someone saved some of the same fields since the form was opened: nothing is
        saved until the user says whose values win; the form stays as typed."""

        def message() -> str:
            fields = ", ".join(_(label) for label in conflict_labels(conflict))
            return _(
                "Someone else saved changes to this record since you opened it, in: "
                "{fields}. Save what you typed over theirs, or go back and look first?"
            ).format(fields=fields)

        def answered(save: bool | None) -> None:
            if save:
                save_mine()

        self.app.push_screen(
            ConfirmDialog(
                message,
                confirm_label=N_("Save mine"),
                cancel_label=N_("No, go back"),
                cancel_first=True,
            ),
            answered,
        )

    def _dirty(self) -> bool:
        return self.values != self._saved_values

    def form_name(self) -> str:
        """What this form is, in a few words ("New household")."""
        raise NotImplementedError  # every form names itself

    def unsaved_work(self) -> str | None:
        return self.form_name() if self._loaded and self._dirty() else None

    async def restore_draft_fields(self, fields: dict[str, Any]) -> None:
        self.values = self.values_from_draft(fields)
        self._touched.update(fields)
        await redraw_body(self)
        self._show_problems()

    def save_against(self, base: dict[str, Any]) -> None:
        self.merge_base(self.values_from_draft(base))

    def merge_base(self, values: Any) -> None:
        """Let a save merge against ``values`` (what the form's typing started from)
        rather than the record as the form loaded it."""
        raise NotImplementedError  # every form saves its own record

    def values_from_draft(self, fields: dict[str, Any]) -> Any:
        """The form's values from a draft's fields (``draft_fields`` wrote them)."""
        raise NotImplementedError  # every form reads its own fields

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        if not self._dirty():
            self.dismiss(self.nothing_saved)
            return
        confirm_leave(self, self.nothing_saved)
