"""The small dialogs the case screen asks through: a date, a reason, an outcome.

Each dialog is handed a ``save`` callback that calls the service. A ``ValidationError``
raised there is shown inside the dialog, in the user's language, and the dialog stays
open so the user can correct the input; it closes only once the change is saved.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, Input, Label, RadioSet, Select, Static
from textual.widgets.button import ButtonVariant

from docassist.domain.dates import DayProblem
from docassist.domain.dates import parse_day as read_day
from docassist.domain.model import OUTCOME_LABELS, Outcome
from docassist.domain.text import N_, Problem
from docassist.i18n import _, format_date
from docassist.services.context import ValidationError
from docassist.ui.busy import calm_when_busy
from docassist.ui.dialogs.base import Dialog, Words, button_row, words
from docassist.ui.dialogs.confirm import ConfirmDialog, confirm_leave
from docassist.ui.widgets.choice_button import ChoiceButton
from docassist.ui.widgets.chosen import chosen
from docassist.ui.widgets.drop_down import DropDown

# --------------------------------------------------------------------- dates


def parse_day(text: str, today: date, *, allow_future: bool = True) -> date | None:
    """The domain's reader of typed days, plus "not in the future" where a form needs it."""
    result = read_day(text, today)
    if result is not None and not allow_future and result > today:
        raise DayProblem(
            N_("{date} is in the future. Type the day it really happened."),
            date=format_date(result),
        )
    return result


def _problems_text(problems: dict[str, list[Problem]]) -> str:
    return "\n".join(p.render(_) for found in problems.values() for p in found)


# ------------------------------------------------------------------- dialogs


class FieldDialog(Dialog):
    """What the case dialogs share: escape cancels, errors show in ``#error``."""

    DEFAULT_CSS = """
    FieldDialog .dialog-label {
        color: $text-muted;
        width: 100%;  /* a long question wraps inside the box, not cut at its edge */
    }
    FieldDialog Input, FieldDialog Select {
        margin-bottom: 1;
    }
    FieldDialog Input, FieldDialog SelectCurrent {
        /* compact fields have no border: a darker well shows where to type */
        background: $background;
    }
    """

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]
    # What the dialog is, named in a few words when quitting or signing out would
    # throw its typing away (never the person's name: it is shown over the lock).
    WHAT = N_("A date")

    # Which form this is for a draft of its typing (services/drafts.py), and whom it
    # is about: given by the screen that opens the dialog; None keeps no draft.
    _draft_key: str | None = None
    _draft_about: tuple[str | None, str | None] = (None, None)
    # A refusal the service gives about one field is shown under it, and the field
    # focused: the service's field name -> the field's id (its line is "<id>-error").
    # Anything else is shown in ``#error``.
    FIELDS: ClassVar[dict[str, str]] = {}

    def on_mount(self) -> None:
        self._untouched = self.typed()
        self.prepare()
        self.call_after_refresh(self.offer_draft)

    def keeps_drafts(self, key: str, *, household_id: str | None, person_id: str | None) -> None:
        """Keep a draft under ``key`` if the terminal closes while this holds typing."""
        self._draft_key = key
        self._draft_about = (household_id, person_id)

    def draft_key(self) -> str | None:
        return self._draft_key

    def draft_about(self) -> tuple[str | None, str | None]:
        return self._draft_about

    async def restore_draft_fields(self, fields: dict[str, Any]) -> None:
        self.read_draft(fields)
        await self.retranslate()  # drawn again with what came back

    def read_draft(self, fields: dict[str, Any]) -> None:
        """Take back what ``draft_fields`` wrote (each dialog its own fields)."""

    def typed(self) -> object:
        """What the user typed or chose so far, to compare with what the dialog opened with."""
        return None

    def unsaved_work(self) -> str | None:
        if not self.is_mounted or self.typed() == self._untouched:
            return None
        return _(self.WHAT)

    def prepare(self) -> None:
        """Fill in what compose cannot (run again after a language switch)."""
        self.show_error("")

    async def retranslate(self) -> None:
        # What the user typed is kept in attributes, so recomposing loses nothing.
        await self.recompose()
        self.prepare()

    def action_cancel(self) -> None:
        # A reason or a date typed out is lost on one key otherwise (as in quick add)
        if self.unsaved_work():
            confirm_leave(self, False)
            return
        self.dismiss(False)

    def show_error(self, message: str, *, field: str | None = None) -> None:
        """Show ``message`` under ``field`` (an id in ``FIELDS``), or in ``#error``;
        an empty message clears every line."""
        if not message:
            for line in ("error", *(f"{f}-error" for f in self.FIELDS.values())):
                self._error_line(line, "")
            return
        self._error_line(f"{field}-error" if field else "error", message)

    def _error_line(self, line: str, message: str) -> None:
        error = self.query_one(f"#{line}", Static)
        error.update(message)
        error.display = bool(message)

    @calm_when_busy
    def try_save(self, save: Callable[[], None]) -> None:
        """Run ``save``; close on success, show what is wrong otherwise (a busy register
        is said once, and the dialog stays open with what was typed)."""
        try:
            save()
        except ValidationError as error:
            self.show_problems(error.problems)
            return
        self.dismiss(True)

    def show_problems(self, problems: dict[str, list[Problem]]) -> None:
        """The service's refusal: each under its field (``FIELDS``, the first focused),
        the rest in ``#error``."""
        self.show_error("")
        self.show_error(_problems_text({k: v for k, v in problems.items() if k not in self.FIELDS}))
        named = [key for key in problems if key in self.FIELDS]
        for key in named:
            self.show_error(_problems_text({key: problems[key]}), field=self.FIELDS[key])
        if named:
            self.query_one(f"#{self.FIELDS[named[0]]}").focus()

    def buttons(self, ok_label: str, *, variant: ButtonVariant = "primary") -> ComposeResult:
        yield button_row(
            Button(_("Cancel"), id="cancel"), Button(ok_label, variant=variant, id="ok")
        )

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(False)


class DateDialog(FieldDialog):
    """Ask for one day, checked as it is typed; optionally a note.

    ``save(day, note)`` is called with the day (None when emptied and ``allow_empty``)
    and the note (None when the dialog has no note field).
    """

    def __init__(
        self,
        title: Words,
        label: Words,
        *,
        initial: date | None,
        today: date,
        save: Callable[[date | None, str | None], None],
        allow_future: bool = True,
        allow_empty: bool = False,
        note: str | None = None,
        ok_label: Words | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.label = label
        self.initial = initial
        self.text = self._initial_text = format_date(initial) if initial else ""
        self.today = today
        self.save = save
        self.allow_future = allow_future
        self.allow_empty = allow_empty
        self.note = note
        self.ok_label = ok_label

    async def retranslate(self) -> None:
        # The proposed day, untouched, is shown the new language's way (23.11.2026.
        # in Serbian, 23/11/2026 in English); a day the user typed stays as typed.
        if self.initial is not None and self.text == self._initial_text:
            self.text = self._initial_text = format_date(self.initial)
        await super().retranslate()

    def typed(self) -> object:
        return (self.text, self.note)

    def draft_fields(self) -> dict[str, Any]:
        return {"day": self.text, "note": self.note}

    def read_draft(self, fields: dict[str, Any]) -> None:
        if isinstance(fields.get("day"), str):
            self.text = fields["day"]
        if self.note is not None and isinstance(fields.get("note"), str):
            self.note = fields["note"]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(words(self.title_text), classes="dialog-title")
            yield Label(words(self.label), classes="dialog-label")
            yield Input(self.text, placeholder=_("day.month.year"), id="day", compact=True)
            yield Static(id="reading", classes="dialog-hint")
            if self.note is not None:
                yield Label(_("Note (optional)"), classes="dialog-label")
                yield Input(self.note, id="note", compact=True)
            yield Static(id="error", classes="dialog-error")
            yield from self.buttons(words(self.ok_label) if self.ok_label else _("Save"))

    def prepare(self) -> None:
        self._check(self.text)
        self.query_one("#day", Input).focus()

    def _check(self, text: str) -> tuple[bool, date | None]:
        """Say how the typed text reads, or what is wrong with it."""
        reading = self.query_one("#reading", Static)
        try:
            day = parse_day(text, self.today, allow_future=self.allow_future)
        except DayProblem as problem:
            reading.update("")
            self.show_error(problem.problem.render(_))
            return False, None
        self.show_error("")
        if day is None:
            reading.update(_("No date") if self.allow_empty else "")
            return self.allow_empty, None
        reading.update(format_date(day, "full"))
        return True, day

    @on(Input.Changed, "#day")
    def _day_changed(self, event: Input.Changed) -> None:
        self.text = event.value
        self._check(event.value)

    @on(Input.Changed, "#note")
    def _note_changed(self, event: Input.Changed) -> None:
        self.note = event.value

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _submit(self) -> None:
        ok, day = self._check(self.query_one("#day", Input).value)
        if not ok:
            if day is None and not self.query_one("#error", Static).display:
                self.show_error(_("Type a date, like 23.11.2026."))
            return
        note = self.query_one("#note", Input).value if self.note is not None else None
        self.try_save(lambda: self.save(day, note))


class ReasonDialog(FieldDialog):
    """Ask for a short text, such as what blocks a step; the service says if it is missing."""

    WHAT = N_("A reason")

    def __init__(
        self, title: Words, label: Words, *, initial: str = "", save: Callable[[str], None]
    ) -> None:
        super().__init__()
        self.title_text = title
        self.label = label
        self.initial = initial
        self.save = save

    def typed(self) -> object:
        return self.initial

    def draft_fields(self) -> dict[str, Any]:
        return {"reason": self.initial}

    def read_draft(self, fields: dict[str, Any]) -> None:
        if isinstance(fields.get("reason"), str):
            self.initial = fields["reason"]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(words(self.title_text), classes="dialog-title")
            yield Label(words(self.label), classes="dialog-label")
            yield Input(self.initial, id="reason", compact=True)
            yield Static(id="error", classes="dialog-error")
            yield from self.buttons(_("Save"))

    def prepare(self) -> None:
        self.show_error("")
        self.query_one("#reason", Input).focus()

    @on(Input.Changed, "#reason")
    def _reason_changed(self, event: Input.Changed) -> None:
        self.initial = event.value

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _submit(self) -> None:
        reason = self.query_one("#reason", Input).value
        self.try_save(lambda: self.save(reason))


OTHER_REASON = "__other__"


class CloseCaseDialog(FieldDialog):
    """How the case ended: obtained (on a day), refused (why), or abandoned.

    ``reasons`` are the checklist's refusal reasons as (key, label in the current
    language); the user may pick one and add details, or type a reason of their own.
    Saving asks for confirmation first.
    """

    WHAT = N_("Closing a case")
    FIELDS: ClassVar[dict[str, str]] = {"on": "day"}
    DEFAULT_CSS = """
    CloseCaseDialog RadioSet {
        width: 100%;
    }
    """

    def __init__(
        self,
        *,
        today: date,
        reasons: Sequence[tuple[str, str]] | Callable[[], Sequence[tuple[str, str]]],
        save: Callable[[Outcome, date, str], None],
        subject: str = "",
    ) -> None:
        super().__init__()
        self.today = today
        # A function gives the labels in whatever language is current when asked.
        self._reasons = reasons
        self.save = save
        self.subject = subject
        # What the user chose so far; kept here so a language switch loses nothing.
        self.outcome = Outcome.OBTAINED
        self.day_text = self._proposed_day = format_date(today)
        self.reason_key: str | None = None
        self.details = ""

    def typed(self) -> object:
        # The proposed day counts as untouched in any language (it is redrawn on a switch).
        day = None if self.day_text == self._proposed_day else self.day_text
        return (self.outcome, day, self.reason_key, self.details)

    def draft_fields(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "day": self.day_text,
            "reason_key": self.reason_key,
            "details": self.details,
        }

    def read_draft(self, fields: dict[str, Any]) -> None:
        if fields.get("outcome") in set(Outcome):  # else a kind this version lacks
            self.outcome = Outcome(fields["outcome"])
        if isinstance(fields.get("day"), str):
            self.day_text = fields["day"]
        if fields.get("reason_key") in {key for key, _label in self.reasons}:
            self.reason_key = fields["reason_key"]
        elif fields.get("reason_key") == OTHER_REASON:
            self.reason_key = OTHER_REASON
        if isinstance(fields.get("details"), str):
            self.details = fields["details"]

    @property
    def reasons(self) -> list[tuple[str, str]]:
        return list(self._reasons() if callable(self._reasons) else self._reasons)

    async def retranslate(self) -> None:
        if self.day_text == self._proposed_day:  # untouched: shown the new way
            self.day_text = self._proposed_day = format_date(self.today)
        await super().retranslate()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(_("Close the case"), classes="dialog-title")
            with RadioSet(id="outcome"):
                for outcome in Outcome:
                    yield ChoiceButton(
                        _(OUTCOME_LABELS[outcome]),
                        value=outcome == self.outcome,
                        id=f"outcome-{outcome.value}",
                    )
            yield Label(id="day-label", classes="dialog-label")
            yield Input(self.day_text, id="day", compact=True)
            yield Static(id="day-error", classes="dialog-error")
            yield Label(_("Why did the office refuse?"), id="reason-label", classes="dialog-label")
            yield DropDown(
                [
                    *((label, key) for key, label in self.reasons),
                    (_("Another reason"), OTHER_REASON),
                ],
                prompt=_("Choose a reason"),
                value=self.reason_key or Select.NULL,
                id="reason",
                compact=True,
            )
            yield Label(id="details-label", classes="dialog-label")
            yield Input(self.details, id="details", compact=True)
            yield Static(id="error", classes="dialog-error")
            yield from self.buttons(_("Close case"), variant="warning")

    def prepare(self) -> None:
        self.show_error("")
        self._show_fields()
        self.query_one(RadioSet).focus()

    def _show_fields(self) -> None:
        refused = self.outcome == Outcome.REFUSED
        self.query_one("#reason-label").display = refused
        self.query_one("#reason").display = refused
        self.query_one("#day-label", Label).update(
            {
                Outcome.OBTAINED: _("Date the document was obtained"),
                Outcome.REFUSED: _("Date of the refusal"),
                Outcome.ABANDONED: _("Date the family stopped"),
            }[self.outcome]
        )
        self.query_one("#details-label", Label).update(
            {
                Outcome.OBTAINED: _("Note (optional)"),
                Outcome.REFUSED: _("Details, or the reason in your own words"),
                Outcome.ABANDONED: _("Why (optional)"),
            }[self.outcome]
        )

    @on(RadioSet.Changed, "#outcome")
    def _outcome_changed(self, event: RadioSet.Changed) -> None:
        self.outcome = Outcome((event.pressed.id or "").removeprefix("outcome-"))
        self.show_error("")
        self._show_fields()

    @on(Input.Changed, "#day")
    def _day_changed(self, event: Input.Changed) -> None:
        self.day_text = event.value

    @on(Input.Changed, "#details")
    def _details_changed(self, event: Input.Changed) -> None:
        self.details = event.value

    @on(Select.Changed, "#reason")
    def _reason_changed(self, event: Select.Changed) -> None:
        self.reason_key = chosen(event.value)

    def reason_text(self) -> str:
        """The reason as it will be recorded: the chosen label, then any details."""
        details = self.details.strip()
        if self.outcome != Outcome.REFUSED:
            return details
        label = dict(self.reasons).get(self.reason_key or "", "")
        return ": ".join(part for part in (label, details) if part)

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _submit(self) -> None:
        self.show_error("")
        try:
            day = parse_day(self.day_text, self.today, allow_future=False)
        except DayProblem as problem:
            self.show_error(problem.problem.render(_), field="day")
            return
        if day is None:
            self.show_error(_("Type a date, like 23.11.2026."), field="day")
            return
        reason = self.reason_text()
        if self.outcome == Outcome.REFUSED and not reason:
            self.show_error(_("Say why the office refused."))
            return
        summary = _(OUTCOME_LABELS[self.outcome]) + ", " + format_date(day)
        if reason:
            summary += "\n" + reason
        message = _("Close {subject}?\n\n{summary}\n\nYou can reopen it later with r.").format(
            subject=self.subject or _("this case"), summary=summary
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.try_save(lambda: self.save(self.outcome, day, reason))

        self.app.push_screen(
            ConfirmDialog(
                message,
                confirm_label=N_("Yes, close it"),
                cancel_label=N_("No, go back"),
                cancel_first=True,  # closing is undone only by reopening: no out of habit
            ),
            confirmed,
        )
