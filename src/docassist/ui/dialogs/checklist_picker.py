"""Which procedure to open a case on: asked from the household screen."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from docassist.domain.text import N_
from docassist.i18n import _, current_language
from docassist.procedures import BLOCKED, DONE, IN_PROGRESS, READY, Checklist, PersonPlan, PlanItem
from docassist.ui.checklist_text import localized
from docassist.ui.dialogs.base import Dialog


class ChecklistPickerDialog(Dialog, ModalScreen[str | None]):
    """Which procedure to open a case on: the plan's suggestions first, then the rest."""

    DEFAULT_CSS = """
    ChecklistPickerDialog > .dialog-box {
        width: 90;
    }
    ChecklistPickerDialog #picker-title {
        text-style: bold;
        height: auto;
    }
    ChecklistPickerDialog OptionList {
        height: auto;
        max-height: 30;
    }
    """

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, name: str, plan: PersonPlan | None, checklists: list[Checklist]) -> None:
        super().__init__()
        self.person_name = name
        self.plan = plan
        self.checklists = checklists

    def _options(self) -> list[Option | None]:
        lang = current_language().code
        items = {i.checklist.id: i for i in self.plan.items} if self.plan else {}
        suggested = [
            i.checklist
            for i in (self.plan.items if self.plan else [])
            if i.state in (READY, IN_PROGRESS) and not i.blocked
        ]
        rest = [c for c in self.checklists if c not in suggested]
        options: list[Option | None] = []
        if suggested:
            options.append(
                Option(Content.styled(_("Suggested for this person"), "bold"), disabled=True)
            )
            options += [self._option(c, items.get(c.id), lang) for c in suggested]
            options.append(None)
        if rest:
            options.append(Option(Content.styled(_("Other checklists"), "bold"), disabled=True))
            options += [self._option(c, items.get(c.id), lang) for c in rest]
        return options

    def _option(self, checklist: Checklist, item: PlanItem | None, lang: str) -> Option:
        if item is None or not (self.plan and self.plan.fits(checklist.id)):
            hint = _("Does not seem to fit this person")
        elif item.state == IN_PROGRESS:
            hint = _("A case is open: choosing it opens that case")
        elif item.state == DONE:
            hint = _("Has the document already")
        elif item.blocked or item.state == BLOCKED:
            blocker = next((b for b in item.blockers if b.blocking), None)
            hint = blocker.render(_, lang) if blocker else _("Blocked")
        elif item.next_step is not None:
            hint = _("First step: {step}").format(step=item.next_step.title.get(lang)[0])
        else:
            hint = ""
        prompt = Content.assemble("  ", localized(checklist.title, lang))
        if hint:
            prompt = Content.assemble(prompt, "\n    ", (hint, "dim"))
        return Option(prompt, id=checklist.id)

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box", classes="dialog-box"):
            yield Static(
                _("Open a case for {name} on:").format(name=self.person_name),
                id="picker-title",
                markup=False,
            )
            yield OptionList(*self._options(), id="picker")

    def on_mount(self) -> None:
        picker = self.query_one(OptionList)
        picker.focus()
        first = next((i for i, o in enumerate(picker.options) if not o.disabled), None)
        if first is not None:
            picker.highlighted = first

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
