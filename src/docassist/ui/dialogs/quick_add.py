"""A family new to the register, added at a workshop: name, place, consent, who came."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Static

from docassist.domain.text import N_, Problem
from docassist.i18n import _
from docassist.services import households as hh
from docassist.services import workshops as ws
from docassist.services.context import ValidationError
from docassist.ui.busy import calm_when_busy_async
from docassist.ui.dialogs.base import Dialog
from docassist.ui.dialogs.duplicates import AttendeeDuplicateDialog
from docassist.ui.widgets.field_problems import problems_text


class QuickAddDialog(Dialog):
    """A family new to the register: name, place, consent, and the people who came.

    Each person is checked against the register before anything is saved; a likely
    duplicate is shown and the facilitator decides.
    """

    DEFAULT_CSS = """
    QuickAddDialog > .dialog-box { width: 76; }
    QuickAddDialog .qa-title { text-style: bold; padding: 0 1; }
    QuickAddDialog Horizontal { height: auto; }
    QuickAddDialog Horizontal Input { width: 1fr; }
    QuickAddDialog .qa-member .qa-year { width: 14; }
    QuickAddDialog #qa-error { color: $error; height: auto; padding: 0 1; }
    QuickAddDialog #qa-buttons { align-horizontal: right; }
    QuickAddDialog #qa-buttons Button { margin-left: 2; }
    """

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]
    AUTO_FOCUS = "#qa-family"

    def __init__(self, workshop_id: str) -> None:
        super().__init__()
        self.workshop_id = workshop_id
        self.values: dict[str, str] | None = None  # typed text by input id
        self.consent = False
        self.rows = 1

    def compose(self) -> ComposeResult:
        if self.values is None:
            # A new family at the workshop most likely lives where it is held.
            workshop = ws.get_workshop(self.ctx, self.workshop_id)
            self.values = {
                "qa-settlement": workshop.settlement,
                "qa-municipality": workshop.municipality,
            }
        v = self.values
        with VerticalScroll(classes="dialog-box"):
            yield Static(_("New household"), classes="qa-title")
            yield Input(v.get("qa-family", ""), placeholder=_("Family name"), id="qa-family")
            with Horizontal():
                yield Input(
                    v.get("qa-settlement", ""), placeholder=_("Settlement"), id="qa-settlement"
                )
                yield Input(
                    v.get("qa-municipality", ""),
                    placeholder=_("Municipality"),
                    id="qa-municipality",
                )
            yield Checkbox(_("The family agrees to be recorded"), self.consent, id="qa-consent")
            yield Label(_("Who came: given name, family name, year of birth"))
            for i in range(self.rows):
                with Horizontal(classes="qa-member"):
                    yield Input(
                        v.get(f"qa-given-{i}", ""), placeholder=_("Given name"), id=f"qa-given-{i}"
                    )
                    yield Input(
                        v.get(f"qa-surname-{i}", ""),
                        placeholder=v.get("qa-family") or _("Family name"),
                        id=f"qa-surname-{i}",
                    )
                    yield Input(
                        v.get(f"qa-year-{i}", ""),
                        # Translators: placeholder for a year of birth, like 1990.
                        placeholder=_("Year"),
                        id=f"qa-year-{i}",
                        classes="qa-year",
                    )
            yield Button(_("Another person"), id="qa-more")
            yield Static("", id="qa-error", classes="hidden", markup=False)
            with Horizontal(id="qa-buttons"):
                yield Button(_("Cancel"), id="qa-cancel")
                yield Button(_("Save and mark here"), variant="primary", id="qa-save")

    @property
    def _typed_values(self) -> dict[str, str]:
        """``values`` once compose() has filled it, which it does before any input exists."""
        assert self.values is not None
        return self.values

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if event.input.id:
            self._typed_values[event.input.id] = event.value
        if event.input.id == "qa-family":
            for i in range(self.rows):
                self.query_one(f"#qa-surname-{i}", Input).placeholder = event.value or _(
                    "Family name"
                )

    @on(Checkbox.Changed, "#qa-consent")
    def _consent(self, event: Checkbox.Changed) -> None:
        self.consent = event.value

    @on(Button.Pressed, "#qa-more")
    async def _more(self) -> None:
        self.rows += 1
        await self.recompose()
        self.query_one(f"#qa-given-{self.rows - 1}").focus()

    def unsaved_work(self) -> str | None:
        typed = self.values or {}
        people = [v for k, v in typed.items() if k.startswith(("qa-given", "qa-surname"))]
        if typed.get("qa-family", "").strip() or any(v.strip() for v in people):
            return _("New household")
        return None

    @on(Button.Pressed, "#qa-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def _household(self) -> hh.HouseholdInput:
        return hh.HouseholdInput(
            family_name=self._typed_values.get("qa-family", ""),
            settlement=self._typed_values.get("qa-settlement", ""),
            municipality=self._typed_values.get("qa-municipality", ""),
            consent_date=self.ctx.today().isoformat() if self.consent else None,
            consent_scope="workshop" if self.consent else None,
        )

    def _members(self) -> list[hh.PersonInput]:
        family = self._typed_values.get("qa-family", "")
        out = []
        for i in range(self.rows):
            given = self._typed_values.get(f"qa-given-{i}", "")
            surname = self._typed_values.get(f"qa-surname-{i}", "")
            year = self._typed_values.get(f"qa-year-{i}", "")
            if given.strip() or surname.strip() or year.strip():
                out.append(hh.PersonInput(given, surname.strip() or family, birth_date=year))
        return out

    def _problems(self, household: hh.HouseholdInput, members: list[hh.PersonInput]) -> list[str]:
        found: list[Problem] = []
        if not self.consent:
            found.append(
                Problem("consent", N_("Ask the family first: tick that they agree to be recorded."))
            )
        for problems in hh.validate_household(household).values():
            found += problems
        for member in members:
            for problems in hh.validate_person(member, self.ctx.today()).values():
                found += problems
        return [p.render(_) for p in found if p.is_error]

    def _show_error(self, text: str) -> None:
        error = self.query_one("#qa-error", Static)
        error.update(text)
        error.set_class(not text, "hidden")

    @on(Button.Pressed, "#qa-save")
    def _save_pressed(self) -> None:
        self.save()

    @work(exclusive=True)
    @calm_when_busy_async
    async def save(self) -> None:
        household, members = self._household(), self._members()
        problems = self._problems(household, members)
        if problems:
            self._show_error("\n".join(dict.fromkeys(problems)))
            return
        self._show_error("")
        keep: list[hh.PersonInput] = []
        existing: list[hh.DuplicateCandidate] = []
        for member in members:
            candidates = hh.duplicate_candidates(self.ctx, member)
            if candidates:
                answer = await self.app.push_screen(
                    AttendeeDuplicateDialog(member, candidates), wait_for_dismiss=True
                )
                if answer is None:
                    return  # back to the form, nothing saved
                if isinstance(answer, hh.DuplicateCandidate):
                    existing.append(answer)
                    continue
            keep.append(member)
        household_id: str | None = None
        try:
            if keep or not existing:
                household_id = ws.register_and_attend(self.ctx, self.workshop_id, household, keep)
            for candidate in existing:
                ws.add_attendance(
                    self.ctx, self.workshop_id, candidate.household_id, [candidate.person_id]
                )
        except ValidationError as err:
            self._show_error(problems_text(err))
            return
        self.dismiss(household_id or existing[0].household_id)
