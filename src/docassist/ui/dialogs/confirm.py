"""A yes/no question in a small box: the one confirm dialog of the app.

Every question that asks before something happens goes through ``ConfirmDialog``:
removing a person, importing, exporting with names, closing a case, opening the
cases of a workshop, leaving a form with unsaved typing.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Static

from docassist.domain.text import N_
from docassist.i18n import _
from docassist.ui.dialogs.base import Dialog, Words, button_row, words


class ConfirmDialog(Dialog, ModalScreen[bool]):
    """Ask before doing something that matters; dismisses with True or False.

    ``message`` may be a function so that a language switch while the question is
    open shows it in the new language. Button labels are msgids (marked with
    ``N_``), translated when drawn. Escape answers no; Enter presses the focused
    button, which is yes unless ``cancel_first``.
    """

    DEFAULT_CSS = """
    ConfirmDialog > .dialog-box {
        padding: 1 2;
    }
    ConfirmDialog.-danger > .dialog-box {
        border: thick $error;
    }
    ConfirmDialog #confirm-message {
        height: auto;
    }
    ConfirmDialog #confirm-buttons Button {
        min-width: 12;
    }
    """

    BINDINGS = [
        Binding("escape", "answer(False)", N_("Cancel")),
        Binding("enter", "answer(True)", N_("Confirm"), show=False),
    ]

    def __init__(
        self,
        message: Words,
        *,
        title: Words | None = None,
        confirm_label: str = N_("Yes"),
        cancel_label: str = N_("No"),
        danger: bool = False,
        cancel_first: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(classes="-danger" if danger else None, id=id)
        # Where the answer cannot be undone (personal data leaving the register,
        # typing thrown away), Enter out of habit must not be the yes.
        self.cancel_first = cancel_first
        self.message = message
        self.title_text = title
        self.confirm_label = confirm_label
        self.cancel_label = cancel_label

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="dialog-box"):
            if self.title_text is not None:
                yield Static(
                    words(self.title_text), id="confirm-title", classes="dialog-title", markup=False
                )
            yield Static(words(self.message), id="confirm-message", markup=False)
            yield button_row(
                Button(_(self.cancel_label), id="no"),
                Button(
                    _(self.confirm_label),
                    id="yes",
                    variant="error" if self.has_class("-danger") else "primary",
                ),
                id="confirm-buttons",
            )

    def on_mount(self) -> None:
        self.query_one("#no" if self.cancel_first else "#yes", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


def confirm_leave(screen: Screen, result: object) -> None:
    """Ask before a form with unsaved input closes; dismiss it with ``result`` if yes."""

    def answered(leave: bool | None) -> None:
        if leave:
            screen.dismiss(result)

    screen.app.push_screen(
        ConfirmDialog(
            lambda: _("Leave without saving? What you typed here will be lost."),
            confirm_label=N_("Leave"),
            cancel_label=N_("Stay"),
            cancel_first=True,  # Escape then Enter, out of habit, must not lose the typing
        ),
        answered,
    )
