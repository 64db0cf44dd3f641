"""Who follows a case: a coordinator gives it to a facilitator or a coordinator."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from docassist.domain.model import ROLE_LABELS, Role
from docassist.domain.text import N_
from docassist.i18n import _
from docassist.ui.dialogs.base import Dialog


class AssigneeDialog(Dialog, ModalScreen[str | None]):
    """The people who may follow a case, the one who follows it now marked; Enter
    gives the case to the highlighted one, Escape leaves it as it is."""

    DEFAULT_CSS = """
    AssigneeDialog #assignee-title {
        text-style: bold;
        height: auto;
    }
    AssigneeDialog OptionList {
        height: auto;
        max-height: 20;
    }
    """

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, subject: str, people: list[tuple[str, str, Role]], current: str | None):
        super().__init__()
        self.subject = subject
        self.people = people
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(
                _("Who follows {subject}?").format(subject=self.subject),
                id="assignee-title",
                markup=False,
            )
            options = []
            for user_id, name, role in self.people:
                label = Content.assemble(name, (f"  {_(ROLE_LABELS[role])}", "dim"))
                if user_id == self.current:
                    label = Content.assemble(label, ("  " + _("(follows it now)"), "bold"))
                options.append(Option(label, id=user_id))
            yield OptionList(*options, id="assignee-list")

    def on_mount(self) -> None:
        picker = self.query_one(OptionList)
        picker.focus()
        ids = [p[0] for p in self.people]
        picker.highlighted = ids.index(self.current) if self.current in ids else 0

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
