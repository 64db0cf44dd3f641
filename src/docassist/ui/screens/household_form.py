"""Register a household, or correct one: who they are, where they live, and their consent.

Nothing is recorded about a family that has not agreed to it: a new household
cannot be saved until the consent box is ticked. Before a new household is saved,
families already registered at the same place under the same name (in any script
or spelling) are shown, so a family is not recorded twice.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Select, TextArea

from docassist.domain.dates import DayProblem, parse_day
from docassist.domain.text import N_, Problem
from docassist.i18n import LANGUAGES, _, format_date
from docassist.services import households as hh
from docassist.services.context import NotFoundError, ValidationError
from docassist.services.edits import EditConflict
from docassist.store.db import BusyDatabaseError
from docassist.ui.dialogs import HouseholdDuplicateDialog
from docassist.ui.dialogs.base import button_row
from docassist.ui.draft_dates import kept_day, typed_again
from docassist.ui.screens.form import FormScreen
from docassist.ui.widgets.chosen import chosen
from docassist.ui.widgets.drop_down import DropDown
from docassist.ui.widgets.field_problems import FieldProblems
from docassist.ui.widgets.tick_box import TickBox


def dmy(day: date) -> str:
    """A date prefilled to be typed over: the one way the language writes it (as on
    Serbian documents, day.month.year), which the form reads back the same."""
    return format_date(day)


@dataclass
class HouseholdValues:
    """What is typed in the form; kept on the screen so a redraw never loses it."""

    family_name: str = ""
    settlement: str = ""
    address: str = ""
    municipality: str = ""
    phone: str = ""
    notes: str = ""
    language: str | None = None
    consent: bool = False
    consent_date: str = ""
    consent_scope: str | None = None


class HouseholdFormScreen(FormScreen):
    """A new household (``household_id`` None) or the correction of an existing one."""

    nothing_saved = False

    def __init__(self, household_id: str | None = None) -> None:
        super().__init__()
        self.household_id = household_id
        self.values = HouseholdValues()
        self._saved_values = HouseholdValues()
        self._base: hh.HouseholdInput | None = None

    @property
    def is_new(self) -> bool:
        return self.household_id is None

    def form_name(self) -> str:
        return _("New household") if self.is_new else _("Edit household")

    # -- drafts (services/drafts.py) -------------------------------------------

    def draft_key(self) -> str:
        return f"household:{self.household_id or 'new'}"

    def draft_about(self) -> tuple[str | None, str | None]:
        return self.household_id, None

    def draft_fields(self) -> dict[str, Any]:
        return self._kept(self.values)

    def _kept(self, values: HouseholdValues) -> dict[str, Any]:
        # The consent date in no language's writing (ui/draft_dates.py).
        return asdict(values) | {"consent_date": kept_day(values.consent_date, self.ctx.today())}

    def draft_base(self) -> dict[str, Any] | None:
        if self.is_new or not self._loaded:
            return None
        saved = self._saved_values
        if not saved.consent:  # the date field then proposes today: not the record's
            saved = replace(saved, consent_date="")
        return self._kept(saved)

    def merge_base(self, values: HouseholdValues) -> None:
        self._base = self._input(values)

    def values_from_draft(self, kept: dict[str, Any]) -> HouseholdValues:
        known = {f.name for f in fields(HouseholdValues)}
        values = replace(self.values)
        for name, value in kept.items():
            # A field the form no longer has, or of another kind, is left as loaded.
            if name in known and (value is None or isinstance(value, (str, bool))):
                if name == "consent_date" and isinstance(value, str):
                    value = typed_again(value)
                setattr(values, name, value)
        return values

    # -- drawing -------------------------------------------------------------

    def _compose_body(self) -> ComposeResult:
        self._load()
        v = self.values
        ctx = self.ctx
        title = self.form_name()
        with VerticalScroll(id="household-form", classes="form"):
            yield Label(title, classes="form-title")
            yield from self._text_row("family_name", _("Family name"), required=True)
            yield from self._text_row(
                "settlement", _("Settlement"), suggest=hh.settlements(ctx), hint=_("or village")
            )
            yield from self._text_row(
                "municipality", _("Municipality"), suggest=hh.municipalities(ctx)
            )
            yield from self._text_row("address", _("Address"))
            yield from self._text_row("phone", _("Phone"))
            with Horizontal(classes="form-row"):
                yield Label(_("Family's language"), classes="form-label")
                yield DropDown(
                    [(lang.native_name, lang.code) for lang in LANGUAGES],
                    prompt=_("Not recorded"),
                    value=v.language or Select.NULL,
                    id="language",
                )
            with Horizontal(classes="form-row"):
                yield Label(_("Notes"), classes="form-label")
                with Vertical(classes="form-field"):
                    yield TextArea(v.notes, id="notes", soft_wrap=True, show_line_numbers=False)
                    yield FieldProblems(id="notes-problems")
            with Vertical(id="consent-box"):
                yield TickBox(_("The family agreed to be recorded"), v.consent, id="consent")
                with Horizontal(classes="form-row"):
                    yield Label(_("Date they agreed"), classes="form-label")
                    with Vertical(classes="form-field"):
                        yield Input(
                            v.consent_date,
                            placeholder=_("like {example}").format(example=dmy(self.ctx.today())),
                            id="consent_date",
                            disabled=not v.consent,
                        )
                        yield FieldProblems(id="consent_date-problems")
                yield FieldProblems(id="consent-problems")
            # The one order of every dialog and form (dialogs/base.button_row): the way
            # back at the left, Save at the right.
            yield button_row(
                Button(_("Cancel"), id="cancel"),
                Button(_("Save"), id="save", variant="primary"),
                classes="form-buttons",
            )

    def on_mount(self) -> None:
        self.query_one("#family_name", Input).focus()
        self._show_problems()

    # -- data ----------------------------------------------------------------

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        today = dmy(self.ctx.today())
        if self.household_id is None:  # is_new, spelled so the checker narrows it
            self.values = HouseholdValues(consent_date=today)
        else:
            try:
                h = hh.get_household(self.ctx, self.household_id).household
            except NotFoundError:
                self.values = HouseholdValues(consent_date=today)
                self.call_after_refresh(self._gone)
                return
            consent_day = date.fromisoformat(h.consent_date) if h.consent_date else None
            self.values = HouseholdValues(
                family_name=h.family_name,
                settlement=h.settlement,
                address=h.address,
                municipality=h.municipality,
                phone=h.phone,
                notes=h.notes,
                language=h.language,
                consent=consent_day is not None,
                consent_date=dmy(consent_day) if consent_day else today,
                consent_scope=h.consent_scope,
            )
        self._saved_values = replace(self.values)
        # What the form started from: fields left as they were keep what others save.
        self._base = self._input()

    def _gone(self) -> None:
        self.notify(_("This household is no longer in the register."), severity="error")
        self.dismiss(False)

    def _consent_iso(
        self, values: HouseholdValues | None = None
    ) -> tuple[str | None, list[Problem]]:
        v = values or self.values
        if not v.consent:
            return None, []
        try:
            day = parse_day(v.consent_date, self.ctx.today())
        except DayProblem:
            day = None  # the message below says how to type it
        if day is None:
            example = dmy(self.ctx.today())
            return None, [
                Problem(
                    "date",
                    N_("Type the whole date they agreed, like {example}."),
                    {"example": example},
                )
            ]
        if day > self.ctx.today():
            return None, [Problem("future", N_("The date they agreed cannot be in the future."))]
        return day.isoformat(), []

    def _input(self, values: HouseholdValues | None = None) -> hh.HouseholdInput:
        v = values or self.values
        consent_iso, _problems = self._consent_iso(v)
        return hh.HouseholdInput(
            family_name=v.family_name,
            settlement=v.settlement,
            address=v.address,
            municipality=v.municipality,
            phone=v.phone,
            notes=v.notes,
            language=v.language,
            consent_date=consent_iso,
            consent_scope=v.consent_scope if v.consent else None,
        )

    def _problems(self) -> dict[str, list[Problem]]:
        problems = hh.validate_household(self._input())
        _iso, consent_problems = self._consent_iso()
        if consent_problems:
            problems["consent_date"] = consent_problems
        if not self.values.consent:
            if self.is_new:
                problems["consent"] = [
                    Problem(
                        "consent",
                        N_(
                            "Tick this only when the family has agreed. Without their "
                            "agreement nothing about them can be recorded."
                        ),
                    )
                ]
            else:
                problems["consent"] = [
                    Problem(
                        "consent",
                        N_("No agreement is recorded for this family. Ask them, then tick it."),
                        severity="warning",
                    )
                ]
        return problems

    def _show_problems(self, extra: dict[str, list[Problem]] | None = None) -> None:
        problems = self._problems()
        for key, value in (extra or {}).items():
            problems.setdefault(key, []).extend(value)
        for widget in self.query(FieldProblems):
            name = (widget.id or "").removesuffix("-problems")
            shown = problems.get(name, [])
            # Empty required fields are only pointed out once the user has been there
            # or tried to save; a fresh form full of red would only discourage.
            if name not in self._touched and not self._tried:
                shown = [p for p in shown if p.code != "required" and p.code != "consent"]
            widget.show(shown)

    # -- events --------------------------------------------------------------

    @on(Input.Changed)
    def _text_changed(self, event: Input.Changed) -> None:
        name = event.input.id or ""
        if hasattr(self.values, name) and getattr(self.values, name) != event.value:
            setattr(self.values, name, event.value)
            self._touched.add(name)
            self._show_problems()

    @on(TextArea.Changed, "#notes")
    def _notes_changed(self, event: TextArea.Changed) -> None:
        if event.text_area.text != self.values.notes:
            self.values.notes = event.text_area.text
            self._touched.add("notes")
            self._show_problems()  # a pasted page is said at once, under the field

    @on(Select.Changed, "#language")
    def _family_language_chosen(self, event: Select.Changed) -> None:
        self.values.language = chosen(event.value)

    @on(Checkbox.Changed, "#consent")
    def _consent_changed(self, event: Checkbox.Changed) -> None:
        self.values.consent = event.value
        self._touched.add("consent")
        self.query_one("#consent_date", Input).disabled = not event.value
        self._show_problems()

    # -- actions -------------------------------------------------------------

    def action_save(self) -> None:
        self._tried = True
        problems = self._problems()
        errors = [k for k, v in problems.items() if any(p.is_error for p in v)]
        if errors:
            self._show_problems()
            self._focus_field(errors[0])
            self._say_nothing_saved()
            return
        if self.is_new:
            candidates = hh.household_duplicate_candidates(self.ctx, self._input())
            if candidates:
                family = " ".join(self.values.family_name.split())
                self.app.push_screen(
                    HouseholdDuplicateDialog(family, candidates), self._duplicate_answer
                )
                return
        self._save()

    def _duplicate_answer(self, answer: tuple[str, str | None] | None) -> None:
        choice, household_id = answer or ("back", None)
        if choice == "save":
            self._save()
        elif choice == "open" and household_id:
            # The family is there already: the register behind, their household on top.
            self.app.pop_screen()
            self.app.open_household(household_id)
        # "back": the form stays exactly as it was typed.

    def _save(self, overwrite: bool = False) -> None:
        ctx = self.ctx
        new_id: str | None = None  # set only when a new household was registered
        try:
            if self.household_id is None:  # is_new, spelled so the checker narrows it
                new_id = hh.register_household(ctx, self._input())
            else:
                hh.update_household(
                    ctx, self.household_id, self._input(), base=self._base, overwrite=overwrite
                )
        except EditConflict as conflict:
            self._ask_about_conflict(conflict, lambda: self._save(overwrite=True))
            return
        except BusyDatabaseError as err:
            # Another program kept the register locked: nothing saved, the form stays.
            self.notify(err.render(_), severity="error", timeout=15)
            return
        except ValidationError as err:
            self._show_problems(err.problems)
            self._focus_field(next(iter(err.problems)))
            self._say_nothing_saved()
            return
        except NotFoundError:
            self._gone()
            return
        name = " ".join(self.values.family_name.split())
        self.app.clear_notifications()  # an earlier "nothing was saved" no longer holds
        if new_id is not None:  # is_new: a failed registration returned above
            self.notify(_("{family} is registered. Now add the people.").format(family=name))
            # Replace the form by the new household, so Escape there leads to the register.
            self.app.pop_screen()
            self.app.open_household(new_id)
        else:
            self.notify(_("Saved."))
            self.dismiss(True)
