"""Ask how to protect an export with names: a passphrase typed twice, or explicitly none.

The whole register leaves the laptop as an AES-256 zip (services/export.py). The
passphrase is asked here, masked, twice so a typo does not lock the coordinator out
of their own file; exporting without encryption is a separate button that warns and
asks again. Escape cancels, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from docassist.domain.text import N_
from docassist.i18n import _
from docassist.services.context import ValidationError
from docassist.ui.dialogs.base import Dialog, button_row
from docassist.ui.dialogs.confirm import ConfirmDialog


@dataclass(frozen=True)
class ExportProtection:
    """What the coordinator chose: a passphrase, or explicitly none."""

    passphrase: str | None
    unencrypted: bool = False


class ExportPassphraseDialog(Dialog, ModalScreen[ExportProtection | None]):
    """Dismisses with the protection chosen, or None when cancelled."""

    DEFAULT_CSS = """
    ExportPassphraseDialog > .dialog-box {
        width: 76;
        padding: 1 2;
    }
    ExportPassphraseDialog .dialog-hint {
        margin-bottom: 1;
    }
    ExportPassphraseDialog .dialog-label {
        color: $text-muted;
    }
    ExportPassphraseDialog Input {
        margin-bottom: 1;
    }
    """

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self) -> None:
        super().__init__()
        # Kept here, so a language switch while the dialog is open loses nothing.
        self.first = ""
        self.again = ""
        self.error = ""

    def unsaved_work(self) -> str | None:
        return _("Encrypt the export") if self.first or self.again else None

    def compose(self) -> ComposeResult:
        # Imported when asked: every dialog is imported at start, the export code is not.
        from docassist.services import export

        with Vertical(classes="dialog-box"):
            yield Label(_("Encrypt the export"), classes="dialog-title")
            yield Static(
                _(
                    "The file holds every name and ID number. Choose a passphrase of at "
                    "least {n} characters, and give it to whoever opens the file in another "
                    "way than the file itself."
                ).format(n=export.MIN_EXPORT_PASSPHRASE),
                classes="dialog-hint",
                markup=False,
            )
            yield Label(_("Export passphrase:"), classes="dialog-label")
            yield Input(self.first, id="passphrase", password=True, compact=True)
            yield Label(_("The same passphrase again:"), classes="dialog-label")
            yield Input(self.again, id="again", password=True, compact=True)
            yield Static(self.error, id="error", classes="dialog-error", markup=False)
            yield button_row(
                Button(_("Cancel"), id="cancel"),
                Button(_("Encrypt"), id="ok", variant="primary"),
                others=[Button(_("Without encryption ..."), id="unencrypted", variant="warning")],
            )

    def on_mount(self) -> None:
        super().on_mount()
        self._prepare()

    async def retranslate(self) -> None:
        await self.recompose()
        self._prepare()

    def _prepare(self) -> None:
        self.query_one("#error", Static).display = bool(self.error)
        self.query_one("#passphrase", Input).focus()

    @on(Input.Changed, "#passphrase")
    def _first_typed(self, event: Input.Changed) -> None:
        self.first = event.value

    @on(Input.Changed, "#again")
    def _again_typed(self, event: Input.Changed) -> None:
        self.again = event.value

    @on(Input.Submitted, "#passphrase")
    def _to_again(self) -> None:
        self.query_one("#again", Input).focus()

    @on(Input.Submitted, "#again")
    @on(Button.Pressed, "#ok")
    def action_encrypt(self) -> None:
        if not self.first:
            self._fail(_("Type a passphrase."))
            return
        if self.first != self.again:
            self._fail(_("The two passphrases differ: type the same one twice."))
            self.again = ""
            again = self.query_one("#again", Input)
            again.value = ""
            again.focus()
            return
        from docassist.services import export

        try:
            export.check_export_passphrase(self.first, unencrypted=False)
        except ValidationError as err:
            self._fail("\n".join(p.render(_) for ps in err.problems.values() for p in ps))
            return
        self.dismiss(ExportProtection(self.first))

    @on(Button.Pressed, "#unencrypted")
    def action_unencrypted(self) -> None:
        from docassist.services import export

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(ExportProtection(None, unencrypted=True))

        self.app.push_screen(
            ConfirmDialog(
                lambda: _(export.UNENCRYPTED_WARNING) + "\n\n" + _("Export without encryption?"),
                title=lambda: _("Warning: personal data."),
                confirm_label=N_("Export unencrypted"),
                cancel_label=N_("Cancel"),
                danger=True,
                cancel_first=True,
            ),
            answered,
        )

    def _fail(self, message: str) -> None:
        self.error = message
        error = self.query_one("#error", Static)
        error.update(message)
        error.display = True

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def ask_to_export_names(
    app: App[object],
    warning: Callable[[], str],
    question: str,
    then: Callable[[ExportProtection], None],
) -> None:
    """The one way to a file with names: warned (danger, Cancel first), then the
    export's passphrase asked; ``then`` runs only if both were answered."""

    def protected(protection: ExportProtection | None) -> None:
        if protection is not None:
            then(protection)

    def confirmed(yes: bool | None) -> None:
        if yes:
            app.push_screen(ExportPassphraseDialog(), protected)

    app.push_screen(
        ConfirmDialog(
            lambda: warning() + "\n\n" + _(question),
            title=lambda: _("Warning: personal data."),
            confirm_label=N_("Export with names"),
            cancel_label=N_("Cancel"),
            danger=True,
            cancel_first=True,
        ),
        confirmed,
    )
