"""A family new to the register, added at a workshop: name, place, consent, who came."""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Static

from docassist.domain.text import N_, Problem
from docassist.i18n import _
from docassist.services import households as hh
from docassist.services import workshops as ws
from docassist.services.context import ValidationError
from docassist.ui.busy import calm_when_busy_async
from docassist.ui.dialogs.base import Dialog, button_row
from docassist.ui.dialogs.confirm import confirm_leave
from docassist.ui.dialogs.duplicates import AttendeeDuplicateDialog
from docassist.ui.widgets.field_problems import problems_text
from docassist.ui.widgets.limited_input import LimitedInput
from docassist.ui.widgets.tick_box import TickBox


class QuickAddDialog(Dialog):
    """A family new to the register: name, place, consent, and the people who came.

    Each person is checked against the register before anything is saved; a likely
    duplicate is shown and the facilitator decides.
    """

    DEFAULT_CSS = """
    QuickAddDialog > .dialog-box { width: 76; }
    QuickAddDialog .qa-title { text-style: bold; }
    QuickAddDialog Horizontal { height: auto; }
    QuickAddDialog .qa-field { width: 1fr; height: auto; margin-right: 1; }
    QuickAddDialog Label { color: $text-muted; width: 1fr; }
    QuickAddDialog Input {
        width: 1fr;
        /* compact fields have no border: a darker well shows where to type */
        background: $background;
        margin-bottom: 1;
    }
    QuickAddDialog .qa-member Input { margin: 0 1 0 0; }
    QuickAddDialog .qa-born { width: 13; }
    QuickAddDialog .qa-jmbg { width: 15; }
    QuickAddDialog #qa-more { margin-top: 1; }
    QuickAddDialog #qa-error { color: $error; height: auto; }
    """

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]
    AUTO_FOCUS = "#qa-family"

    def __init__(self, workshop_id: str) -> None:
        super().__init__()
        self.workshop_id = workshop_id
        self.values: dict[str, str] | None = None  # typed text by input id
        self.consent = False
        self.rows = 1
        self._warned: list[str] = []  # the warnings said at the last Save

    def compose(self) -> ComposeResult:
        if self.values is None:
            # A new family at the workshop most likely lives where it is held.
            workshop = ws.get_workshop(self.ctx, self.workshop_id)
            self.values = {
                "qa-settlement": workshop.settlement,
                "qa-municipality": workshop.municipality,
            }
        v = self.values
        # Every field has a label above it (a placeholder vanishes at the first key,
        # and on a projector nobody remembers which box was which).
        with VerticalScroll(classes="dialog-box"):
            yield Static(_("New household"), classes="qa-title")
            yield Label(_("Family name"))
            yield LimitedInput(v.get("qa-family", ""), id="qa-family", compact=True, max_length=100)
            with Horizontal():
                with Vertical(classes="qa-field"):
                    yield Label(_("Settlement"))
                    yield LimitedInput(
                        v.get("qa-settlement", ""), id="qa-settlement", compact=True, max_length=100
                    )
                with Vertical(classes="qa-field"):
                    yield Label(_("Municipality"))
                    yield LimitedInput(
                        v.get("qa-municipality", ""),
                        id="qa-municipality",
                        compact=True,
                        max_length=100,
                    )
            yield TickBox(_("The family agrees to be recorded"), self.consent, id="qa-consent")
            yield Static(_("Who came"), classes="qa-title")
            with Horizontal(classes="qa-member"):
                yield Label(_("Given name"))
                yield Label(_("Family name"))
                yield Label(_("Birth date"), classes="qa-born")
                yield Label(_("JMBG, if known"), classes="qa-jmbg")
            for i in range(self.rows):
                with Horizontal(classes="qa-member"):
                    yield LimitedInput(
                        v.get(f"qa-given-{i}", ""), id=f"qa-given-{i}", compact=True, max_length=100
                    )
                    yield LimitedInput(
                        v.get(f"qa-surname-{i}", ""),
                        placeholder=v.get("qa-family") or "",
                        id=f"qa-surname-{i}",
                        compact=True,
                        max_length=100,
                    )
                    yield LimitedInput(
                        v.get(f"qa-born-{i}", ""),
                        # Translators: the shortest hint for a birth date: a whole
                        # date or only a year, as in the full form.
                        placeholder=_("or a year"),
                        id=f"qa-born-{i}",
                        classes="qa-born",
                        compact=True,
                        max_length=30,
                    )
                    yield LimitedInput(
                        v.get(f"qa-jmbg-{i}", ""),
                        id=f"qa-jmbg-{i}",
                        classes="qa-jmbg",
                        compact=True,
                        max_length=30,
                    )
            yield Button(_("Another person"), id="qa-more")
            yield Static("", id="qa-error", classes="hidden", markup=False)
            yield button_row(
                Button(_("Cancel"), id="qa-cancel"),
                Button(_("Save and mark here"), variant="primary", id="qa-save"),
                id="qa-buttons",
            )

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
                self.query_one(f"#qa-surname-{i}", Input).placeholder = event.value

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
        people = [
            v
            for k, v in typed.items()
            if k.startswith(("qa-given", "qa-surname", "qa-born", "qa-jmbg"))
        ]
        if typed.get("qa-family", "").strip() or any(v.strip() for v in people):
            return _("New household")
        return None

    # -- drafts (services/drafts.py): the terminal closed at a workshop ----------

    def on_mount(self) -> None:
        self.call_after_refresh(self.offer_draft)

    def draft_key(self) -> str:
        return f"quick_add:{self.workshop_id}"

    def draft_fields(self) -> dict[str, Any]:
        return {"values": dict(self.values or {}), "consent": self.consent, "rows": self.rows}

    async def restore_draft_fields(self, fields: dict[str, Any]) -> None:
        typed = fields.get("values")
        if isinstance(typed, dict):
            self.values = {
                str(k): v
                for k, v in typed.items()
                if str(k).startswith("qa-") and isinstance(v, str)
            }
        self.consent = bool(fields.get("consent", self.consent))
        rows = fields.get("rows")
        if isinstance(rows, int) and 1 <= rows <= 50:
            self.rows = rows
        await self.recompose()

    @on(Button.Pressed, "#qa-cancel")
    def action_cancel(self) -> None:
        # A family and its people typed at a workshop are lost on one key otherwise.
        if self.unsaved_work():
            confirm_leave(self, None)
            return
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
            born = self._typed_values.get(f"qa-born-{i}", "")
            jmbg = self._typed_values.get(f"qa-jmbg-{i}", "")
            if given.strip() or surname.strip() or born.strip() or jmbg.strip():
                out.append(
                    hh.PersonInput(given, surname.strip() or family, birth_date=born, jmbg=jmbg)
                )
        return out

    def _problems(
        self, household: hh.HouseholdInput, members: list[hh.PersonInput]
    ) -> tuple[list[str], list[str]]:
        """What blocks saving, and what only looks wrong (as the full form says it under
        the field: a JMBG of another birth date, a check digit that does not match)."""
        found: list[Problem] = []
        if not self.consent:
            found.append(
                Problem("consent", N_("Ask the family first: tick that they agree to be recorded."))
            )
        for problems in hh.validate_household(household).values():
            found += problems
        errors = [p.render(_) for p in found if p.is_error]
        warnings: list[str] = []
        # The full form's checks, person by person; each problem says whose it is, as
        # several rows may each have a birth date and a JMBG.
        for member in members:
            name = " ".join(f"{member.given_name} {member.family_name}".split())
            for problems in hh.validate_person(member, self.ctx.today()).values():
                for p in problems:
                    said = f"{name}: {p.render(_)}" if name else p.render(_)
                    (errors if p.is_error else warnings).append(said)
        return list(dict.fromkeys(errors)), list(dict.fromkeys(warnings))

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
        errors, warnings = self._problems(household, members)
        if errors:
            self._show_error("\n".join(errors))
            return
        # What only looks wrong is said once; saving again as typed keeps it (the full
        # form, too, saves a number the document really has).
        if warnings and warnings != self._warned:
            self._warned = warnings
            self._show_error(
                "\n".join([*warnings, _("Check these, then save again to keep them as typed.")])
            )
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
