"""Add a person to a household, or correct one, checked as you type.

Every change runs the same validation the service runs on saving, so the
facilitator sees at once what is wrong with a JMBG or a birth date and exactly
which digit to check. Warnings (amber) never block saving; errors (red) do.
Before a new person is saved, people already registered who may be the same
person are shown, so a family is not recorded twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    Label,
    Select,
    TextArea,
)

from docassist.domain import validity
from docassist.domain.dates import DayProblem, parse_day
from docassist.domain.jmbg import check_jmbg
from docassist.domain.model import (
    DOCUMENT_LABELS,
    DOCUMENT_STATE_LABELS,
    PERSON_STATUS_LABELS,
    RELATION_LABELS,
    SEX_LABELS,
    DocumentKind,
    DocumentState,
    PersonStatus,
    Relation,
    Sex,
)
from docassist.domain.text import Problem
from docassist.i18n import _, format_date
from docassist.services import households as hh
from docassist.services.context import NotFoundError, ValidationError
from docassist.services.edits import EditConflict
from docassist.store.db import BusyDatabaseError
from docassist.ui.birth_dates import shown_birth_date, typed_birth_date
from docassist.ui.dialogs import PersonDuplicateDialog
from docassist.ui.dialogs.base import button_row
from docassist.ui.draft_dates import kept_birth_date, kept_day, typed_again
from docassist.ui.screens.form import FormScreen
from docassist.ui.widgets.chosen import chosen
from docassist.ui.widgets.drop_down import DropDown
from docassist.ui.widgets.field_problems import FieldProblems
from docassist.ui.widgets.tick_box import TickBox

# The documents asked about on every person, in the order offices ask for them.
FORM_DOCUMENTS = tuple(DocumentKind)
_CHOICES = (DocumentState.HAVE, DocumentState.MISSING, DocumentState.UNKNOWN)
_TEXT_FIELDS = ("given_name", "family_name", "birth_date", "place_of_birth", "jmbg", "ethnicity")
# Problems that only mean "not finished typing yet" while the cursor is in the field.
_STILL_TYPING = {"jmbg.length", "jmbg.empty"}


@dataclass
class PersonValues:
    """What is typed in the form; kept on the screen so a redraw never loses it."""

    given_name: str = ""
    family_name: str = ""
    relation: Relation = Relation.OTHER
    sex: Sex = Sex.UNKNOWN
    birth_date: str = ""
    place_of_birth: str = ""
    jmbg: str = ""
    mother_id: str | None = None
    father_id: str | None = None
    statuses: set[PersonStatus] = field(default_factory=set)
    documents: dict[DocumentKind, DocumentState] = field(default_factory=dict)
    # "valid until" as typed, for the documents that run out (domain/validity.py)
    valid_until: dict[DocumentKind, str] = field(default_factory=dict)
    notes: str = ""
    ethnicity_consent: bool = False
    ethnicity: str = ""

    def to_input(self) -> hh.PersonInput:
        return hh.PersonInput(
            given_name=self.given_name,
            family_name=self.family_name,
            relation=self.relation,
            sex=self.sex,
            birth_date=self.birth_date,
            place_of_birth=self.place_of_birth,
            jmbg=self.jmbg,
            mother_id=self.mother_id,
            father_id=self.father_id,
            statuses=frozenset(self.statuses),
            # Without the person's agreement ethnicity is not sent at all.
            ethnicity=(self.ethnicity.strip() or None) if self.ethnicity_consent else None,
            ethnicity_consent=self.ethnicity_consent,
            notes=self.notes,
            documents=dict(self.documents),
            # a document not held has no validity: its date is cleared, never checked
            valid_until={
                k: self.valid_until.get(k, "")
                if self.documents.get(k) == DocumentState.HAVE
                else ""
                for k in validity.WITH_VALIDITY
            },
        )


def _draft_values(values: PersonValues, today: date) -> dict[str, Any]:
    """The typed values as JSON (a draft, services/drafts.py); dates in no language's
    writing (ui/draft_dates.py)."""
    return {
        "given_name": values.given_name,
        "family_name": values.family_name,
        "relation": values.relation.value,
        "sex": values.sex.value,
        "birth_date": kept_birth_date(values.birth_date, today),
        "place_of_birth": values.place_of_birth,
        "jmbg": values.jmbg,
        "mother_id": values.mother_id,
        "father_id": values.father_id,
        "statuses": sorted(s.value for s in values.statuses),
        "documents": {k.value: v.value for k, v in values.documents.items()},
        "valid_until": {k.value: kept_day(v, today) for k, v in values.valid_until.items()},
        "notes": values.notes,
        "ethnicity_consent": values.ethnicity_consent,
        "ethnicity": values.ethnicity,
    }


def _values_from_draft(kept: dict[str, Any], loaded: PersonValues) -> PersonValues:
    """A draft's values read back over what the form loaded; anything unreadable in
    it (a kind of document or status this version no longer has) keeps the loaded."""

    def text(name: str) -> str:
        value = kept.get(name)
        return value if isinstance(value, str) else getattr(loaded, name)

    def one(kind: Any, name: str) -> Any:
        try:
            return kind(kept[name])
        except (KeyError, ValueError, TypeError):
            return getattr(loaded, name)

    def member(name: str) -> str | None:
        value = kept.get(name, getattr(loaded, name))
        return value if isinstance(value, str) or value is None else getattr(loaded, name)

    statuses = {PersonStatus(s) for s in kept.get("statuses", []) if s in set(PersonStatus)}
    documents: dict[DocumentKind, DocumentState] = {}
    for kind, state in dict(kept.get("documents") or {}).items():
        if kind in set(DocumentKind) and state in set(DocumentState):
            documents[DocumentKind(kind)] = DocumentState(state)
    valid_until = {
        DocumentKind(kind): typed_again(day)
        for kind, day in dict(kept.get("valid_until") or {}).items()
        if kind in set(DocumentKind) and isinstance(day, str)
    }
    return PersonValues(
        given_name=text("given_name"),
        family_name=text("family_name"),
        relation=one(Relation, "relation"),
        sex=one(Sex, "sex"),
        birth_date=typed_again(text("birth_date")),
        place_of_birth=text("place_of_birth"),
        jmbg=text("jmbg"),
        mother_id=member("mother_id"),
        father_id=member("father_id"),
        statuses=statuses,
        documents=documents,
        valid_until=valid_until,
        notes=text("notes"),
        ethnicity_consent=bool(kept.get("ethnicity_consent", loaded.ethnicity_consent)),
        ethnicity=text("ethnicity"),
    )


def typed_day(day: date) -> str:
    """A date as the form shows it for editing: the one way the language writes it
    (day.month.year), which the form reads back the same."""
    return format_date(day)


def _typed_or_none(text: str, today: date) -> date | None:
    try:
        return parse_day(text, today)
    except DayProblem:
        return None


# --------------------------------------------------------------------------- the form


class PersonFormScreen(FormScreen):
    """A new person in ``household_id`` (``person_id`` None) or the correction of one.

    Dismisses with the saved person's id, or None when nothing was saved.
    """

    def __init__(self, household_id: str, person_id: str | None = None) -> None:
        super().__init__()
        self.household_id = household_id
        self.person_id = person_id
        self.values = PersonValues()
        self._saved_values = PersonValues()
        self._members: list[hh.Person] = []
        self._settlement = ""
        self._service_problems: dict[str, list[Problem]] = {}
        # documents whose "valid until" the form proposed and nobody has changed yet
        self._proposed: set[DocumentKind] = set()
        # what a save merges against, when not the record as loaded: a draft's base
        self._merge_base: PersonValues | None = None

    @property
    def is_new(self) -> bool:
        return self.person_id is None

    def form_name(self) -> str:
        return _("New person") if self.is_new else _("Edit person")

    # -- drafts (services/drafts.py) -------------------------------------------

    def draft_key(self) -> str:
        if self.person_id is None:
            return f"person:new:{self.household_id}"
        return f"person:{self.person_id}"

    def draft_about(self) -> tuple[str | None, str | None]:
        return self.household_id, self.person_id

    def draft_fields(self) -> dict[str, Any]:
        return _draft_values(self.values, self.ctx.today())

    def draft_base(self) -> dict[str, Any] | None:
        if self.is_new or not self._loaded:
            return None
        return _draft_values(self._saved_values, self.ctx.today())

    def merge_base(self, values: PersonValues) -> None:
        self._merge_base = values

    def values_from_draft(self, fields: dict[str, Any]) -> PersonValues:
        values = _values_from_draft(fields, self.values)
        # A parent chosen then may have left the household since.
        members = {m.id for m in self._members}
        if values.mother_id is not None and values.mother_id not in members:
            values.mother_id = self.values.mother_id
        if values.father_id is not None and values.father_id not in members:
            values.father_id = self.values.father_id
        return values

    # -- data ----------------------------------------------------------------

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        ctx = self.ctx
        try:
            detail = hh.get_household(ctx, self.household_id)
        except NotFoundError:
            self.call_after_refresh(self._gone)
            return
        self._settlement = detail.household.settlement
        self._members = [m for m in detail.members if m.id != self.person_id]
        if self.is_new:
            self.values = PersonValues(
                family_name=detail.household.family_name,
                relation=Relation.HEAD if not detail.members else Relation.OTHER,
            )
        else:
            person = next((m for m in detail.members if m.id == self.person_id), None)
            if person is None:
                self.call_after_refresh(self._gone)
                return
            self.values = PersonValues(
                given_name=person.given_name,
                family_name=person.family_name,
                relation=person.relation,
                sex=person.sex,
                birth_date=typed_birth_date(person.birth_date),
                place_of_birth=person.place_of_birth,
                jmbg=person.jmbg or "",
                mother_id=person.mother_id,
                father_id=person.father_id,
                statuses=set(person.statuses),
                documents=dict(person.documents),
                valid_until={k: typed_day(d) for k, d in person.valid_until.items()},
                notes=person.notes,
                ethnicity_consent=person.ethnicity is not None,
                ethnicity=person.ethnicity or "",
            )
        self._saved_values = replace(
            self.values,
            statuses=set(self.values.statuses),
            documents=dict(self.values.documents),
            valid_until=dict(self.values.valid_until),
        )

    def _gone(self) -> None:
        self.notify(_("This person or household is no longer in the register."), severity="error")
        self.dismiss(None)

    # -- drawing -------------------------------------------------------------

    def _compose_body(self) -> ComposeResult:
        self._load()
        v = self.values
        with VerticalScroll(id="person-form", classes="form"):
            yield Label(self.form_name(), classes="form-title")
            yield from self._text_row("given_name", _("Given name"), required=True)
            yield from self._text_row("family_name", _("Family name"), required=True)
            with Horizontal(classes="form-row"):
                yield Label(_("Relation"), classes="form-label")
                yield DropDown(
                    [(_(label), r.value) for r, label in RELATION_LABELS.items()],
                    value=v.relation.value,
                    allow_blank=False,
                    id="relation",
                )
            with Horizontal(classes="form-row"):
                yield Label(_("Sex"), classes="form-label")
                yield DropDown(
                    [(_(label), s.value) for s, label in SEX_LABELS.items()],
                    value=v.sex.value,
                    allow_blank=False,
                    id="sex",
                )
            yield from self._text_row(
                "birth_date",
                _("Birth date"),
                hint=_("like 12.05.1987, 05.1987, 1987 or about 1990"),
            )
            yield from self._text_row("place_of_birth", _("Place of birth"))
            yield from self._text_row(
                "jmbg", _("JMBG"), hint=_("13 digits, if known"), max_length=30
            )
            yield from self._parent_row("mother_id", _("Mother"), exclude=Sex.MALE)
            yield from self._parent_row("father_id", _("Father"), exclude=Sex.FEMALE)
            with Horizontal(classes="form-row"):
                yield Label(_("Status"), classes="form-label")
                with Vertical(id="statuses", classes="form-field"):
                    for status in (
                        PersonStatus.IDP,
                        PersonStatus.REFUGEE,
                        PersonStatus.RETURNEE,
                        PersonStatus.DOMICILE,
                    ):
                        yield TickBox(
                            _(PERSON_STATUS_LABELS[status]),
                            status in v.statuses,
                            id=f"status-{status.value}",
                            compact=True,
                        )
            yield Label(_("Documents the person has"), classes="form-section")
            for kind in FORM_DOCUMENTS:
                with Horizontal(classes="form-row doc-row"):
                    yield Label(_(DOCUMENT_LABELS[kind]), classes="form-label")
                    yield DropDown(
                        self._document_choices(kind),
                        value=v.documents.get(kind, DocumentState.UNKNOWN).value,
                        allow_blank=False,
                        id=f"doc-{kind.value}",
                        compact=True,
                    )
                if kind in validity.WITH_VALIDITY:
                    yield from self._valid_until_row(kind)
            with Horizontal(classes="form-row"):
                yield Label(_("Notes"), classes="form-label")
                with Vertical(classes="form-field"):
                    yield TextArea(v.notes, id="notes", soft_wrap=True)
                    yield FieldProblems(id="notes-problems")
            yield Label(_("Ethnicity"), classes="form-section")
            yield TickBox(
                _("The person agreed to record their ethnicity"),
                v.ethnicity_consent,
                id="ethnicity_consent",
            )
            yield from self._text_row(
                "ethnicity",
                _("Ethnicity"),
                hint=_("as the person says it"),
                disabled=not v.ethnicity_consent,
            )
            # The one order of every dialog and form (dialogs/base.button_row): the way
            # back at the left, Save at the right.
            yield button_row(
                Button(_("Cancel"), id="cancel"),
                Button(_("Save"), id="save", variant="primary"),
                classes="form-buttons",
            )

    def _valid_until_row(self, kind: DocumentKind) -> ComposeResult:
        """ "Valid until" under a document that runs out; shown while it is held."""
        name = f"valid-{kind.value}"
        row = Horizontal(classes="form-row valid-row", id=f"{name}-row")
        row.display = self.values.documents.get(kind) == DocumentState.HAVE
        with row:
            yield Label(_("  valid until"), classes="form-label")
            with Vertical(classes="form-field"):
                yield Input(
                    self.values.valid_until.get(kind, ""),
                    placeholder=_("the date on the document, like 23.11.2030"),
                    id=name,
                    compact=True,
                )
                yield FieldProblems(id=f"{name}-problems")

    def _propose_valid_until(self, kind: DocumentKind) -> None:
        """A document just marked as held gets the validity domain.md gives its kind,
        counted from today, to correct from the date printed on it."""
        v = self.values
        if kind not in validity.WITH_VALIDITY or v.valid_until.get(kind, "").strip():
            return
        today = self.ctx.today()
        birth, _problems = hh.parse_birth_date(v.birth_date, today)
        proposed = validity.proposed_valid_until(
            kind,
            today,
            age=birth.age_on(today) if birth is not None else None,
            has_residence=v.documents.get(DocumentKind.RESIDENCE) != DocumentState.MISSING,
        )
        if proposed is None:
            return
        v.valid_until[kind] = typed_day(proposed)
        self._proposed.add(kind)
        field_input = self.query_one(f"#valid-{kind.value}", Input)
        with field_input.prevent(Input.Changed):
            field_input.value = v.valid_until[kind]

    def _parent_row(self, name: str, label: str, *, exclude: Sex) -> ComposeResult:
        options = [
            (m.full_name + self._born_suffix(m), m.id)
            for m in self._members
            if m.sex != exclude or m.id == getattr(self.values, name)
        ]
        current = getattr(self.values, name)
        with Horizontal(classes="form-row"):
            yield Label(label, classes="form-label")
            yield DropDown(
                options,
                prompt=_("Not in this household / not known"),
                value=current if current in {m.id for m in self._members} else Select.NULL,
                id=name,
            )

    @staticmethod
    def _born_suffix(person: hh.Person) -> str:
        born = shown_birth_date(person.birth_date)
        return f" ({born})" if born else ""

    def _document_choices(self, kind: DocumentKind) -> list[tuple[str, str]]:
        states = list(_CHOICES)
        # "In progress" comes from an open case; keep it when it is what is recorded.
        if self.values.documents.get(kind) == DocumentState.IN_PROGRESS:
            states.insert(1, DocumentState.IN_PROGRESS)
        return [(_(DOCUMENT_STATE_LABELS[s]), s.value) for s in states]

    def on_mount(self) -> None:
        self.query_one("#given_name", Input).focus()
        self._show_problems()

    # -- checking ------------------------------------------------------------

    def _problems(self) -> dict[str, list[Problem]]:
        problems = hh.validate_person(self.values.to_input(), self.ctx.today())
        for key, extra in self._service_problems.items():
            known = problems.setdefault(key, [])
            known += [p for p in extra if p not in known]
        return problems

    def _show_problems(self) -> None:
        problems = self._problems()
        focused = self.focused.id if self.focused is not None else None
        for widget in self.query(FieldProblems):
            name = (widget.id or "").removesuffix("-problems")
            shown = list(problems.get(name, []))
            quiet: list[Problem] = []
            if name not in self._touched and not self._tried:
                shown = [p for p in shown if p.code != "required"]
            if name == focused and not self._tried:
                quiet = [p for p in shown if p.code in _STILL_TYPING]
                shown = [p for p in shown if p.code not in _STILL_TYPING]
            widget.show(shown, quiet=quiet, hints=self._hints(name, problems.get(name, [])))

    def _hints(self, name: str, problems: list[Problem]) -> list[str]:
        """What the form understood from the typed value, so the user can confirm it."""
        v = self.values
        if name == "birth_date" and v.birth_date.strip() and not problems:
            birth, _problems = hh.parse_birth_date(v.birth_date, self.ctx.today())
            if birth is not None:
                return [_("Read as: {date}").format(date=shown_birth_date(birth))]
        if name.startswith("valid-") and not problems:
            kind = DocumentKind(name.removeprefix("valid-"))
            if kind in self._proposed:
                hint = {
                    DocumentKind.ID_CARD: _(
                        "Proposed for a card issued today: 10 years, 5 for a child, 2 "
                        "without a registered residence. Type the date on the card."
                    ),
                    DocumentKind.TRAVEL_DOCUMENT: _(
                        "Proposed for one issued today: 3 months. Type the date on it."
                    ),
                    DocumentKind.HEALTH_INSURANCE: _(
                        "Proposed for a card issued today: 10 years. Type the date on the card."
                    ),
                    DocumentKind.HEALTH_CERTIFICATE: _(
                        "Proposed for one issued today: a month, the most it is valid. "
                        "Type the date on it."
                    ),
                }.get(kind)
                return [hint] if hint else []
            until = _typed_or_none(v.valid_until.get(kind, ""), self.ctx.today())
            if until is not None and validity.is_expired(until, self.ctx.today()):
                return [_("Expired: it counts as not held, and its procedure is proposed.")]
        if name == "jmbg" and v.jmbg.strip() and not any(p.is_error for p in problems):
            check = check_jmbg(v.jmbg, today=self.ctx.today())
            if check.birth_date is not None and check.sex is not None:
                parts = [
                    _("Born {date}").format(date=format_date(check.birth_date)),
                    _(SEX_LABELS[check.sex]),
                ]
                region = check.render_region(_)
                if region:
                    parts.append(region)
                return [", ".join(parts)]
        return []

    # -- events --------------------------------------------------------------

    def _changed(self, name: str) -> None:
        self._touched.add(name)
        # A problem the service reported is gone once the field is changed again.
        self._service_problems.pop(name, None)
        self._show_problems()

    @on(Input.Changed)
    def _text_changed(self, event: Input.Changed) -> None:
        name = event.input.id or ""
        if name in _TEXT_FIELDS and getattr(self.values, name) != event.value:
            setattr(self.values, name, event.value)
            self._changed(name)
        elif name.startswith("valid-"):
            kind = DocumentKind(name.removeprefix("valid-"))
            if self.values.valid_until.get(kind, "") != event.value:
                self.values.valid_until[kind] = event.value
                self._proposed.discard(kind)
                self._changed(name)

    @on(Input.Blurred)
    def _left_field(self) -> None:
        # "13 digits, this one has 9" is quiet while typing, an error once the user moves on.
        self._show_problems()

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        name = event.select.id or ""
        value = chosen(event.value)
        v = self.values
        if name == "relation" and value:
            v.relation = Relation(value)
        elif name == "sex" and value:
            v.sex = Sex(value)
        elif name in ("mother_id", "father_id"):
            setattr(v, name, value)
        elif name.startswith("doc-") and value:
            kind = DocumentKind(name.removeprefix("doc-"))
            state = DocumentState(value)
            # Select says Changed as it mounts too, with the state loaded: proposing a
            # "valid until" then made every opened form hold unsaved typing (Ctrl+Q and
            # a hang-up took it for work to ask about or keep).
            marked_now = state == DocumentState.HAVE and v.documents.get(kind) != state
            if state == DocumentState.UNKNOWN and kind not in self._saved_values.documents:
                v.documents.pop(kind, None)
            else:
                v.documents[kind] = state
            if kind in validity.WITH_VALIDITY:
                self.query_one(f"#valid-{kind.value}-row").display = state == DocumentState.HAVE
                if marked_now:
                    self._propose_valid_until(kind)
                self._show_problems()
        else:
            return
        self._changed(name)

    @on(Checkbox.Changed)
    def _checkbox_changed(self, event: Checkbox.Changed) -> None:
        name = event.checkbox.id or ""
        v = self.values
        if name.startswith("status-"):
            status = PersonStatus(name.removeprefix("status-"))
            if event.value:
                v.statuses.add(status)
            else:
                v.statuses.discard(status)
        elif name == "ethnicity_consent":
            v.ethnicity_consent = event.value
            self.query_one("#ethnicity", Input).disabled = not event.value
            if event.value:
                self.query_one("#ethnicity", Input).focus()
        else:
            return
        self._changed(name)

    @on(TextArea.Changed, "#notes")
    def _notes_changed(self, event: TextArea.Changed) -> None:
        if event.text_area.text != self.values.notes:
            self.values.notes = event.text_area.text
            self._changed("notes")  # a pasted page is said at once, under the field

    # -- saving --------------------------------------------------------------

    def _refuse(self, problems: dict[str, list[Problem]]) -> None:
        self._tried = True
        self._show_problems()
        first = next((k for k, v in problems.items() if any(p.is_error for p in v)), None)
        if first:
            self._focus_field(first)
        self._say_nothing_saved()

    def action_save(self) -> None:
        problems = self._problems()
        if any(p.is_error for v in problems.values() for p in v):
            self._refuse(problems)
            return
        if self.is_new:
            candidates = hh.duplicate_candidates(self.ctx, self.values.to_input())
            if candidates:
                name = " ".join(f"{self.values.given_name} {self.values.family_name}".split())
                self.app.push_screen(
                    PersonDuplicateDialog(name, candidates), self._duplicate_answer
                )
                return
        self._save()

    def _duplicate_answer(self, answer: tuple[str, str | None] | None) -> None:
        choice, household_id = answer or ("back", None)
        if choice == "save":
            self._save()
        elif choice == "open" and household_id:
            if household_id == self.household_id:
                # Already here: the same person is on the household screen behind the form.
                self.dismiss(None)
                return
            self.dismiss(None)
            self.app.open_household(household_id)
        # "back": the form stays exactly as it was typed.

    def _save(self, overwrite: bool = False) -> None:
        ctx = self.ctx
        try:
            if self.person_id is None:  # is_new, spelled so the checker narrows it
                person_id = hh.add_person(ctx, self.household_id, self.values.to_input())
            else:
                # Fields left as they were keep what others saved since the form opened.
                base = (self._merge_base or self._saved_values).to_input()
                hh.update_person(
                    ctx, self.person_id, self.values.to_input(), base=base, overwrite=overwrite
                )
                person_id = self.person_id
        except EditConflict as conflict:
            self._ask_about_conflict(conflict, lambda: self._save(overwrite=True))
            return
        except BusyDatabaseError as err:
            # Another program kept the register locked: nothing saved, the form stays.
            self.notify(err.render(_), severity="error", timeout=15)
            return
        except ValidationError as err:
            self._service_problems = err.problems
            self._refuse(err.problems)
            return
        except NotFoundError:
            self._gone()
            return
        name = " ".join(f"{self.values.given_name} {self.values.family_name}".split())
        self.app.clear_notifications()  # an earlier "nothing was saved" no longer holds
        self.notify(
            _("{name} is added.").format(name=name)
            if self.is_new
            else _("{name} is saved.").format(name=name)
        )
        self.dismiss(person_id)
