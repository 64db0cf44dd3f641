"""One case: a person working through one checklist, advanced step by step from the keyboard.

The steps come from the case (what was recorded); their words come from the loaded
checklist. A case outlives its checklist file: when the file is gone or has changed,
the recorded step keys are still shown and every action still works.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from docassist import procedures as cl
from docassist.domain.model import (
    CASE_STATUS_LABELS,
    INSTITUTION_LABELS,
    OUTCOME_LABELS,
    STEP_STATUS_LABELS,
    CaseStatus,
    Outcome,
    StepStatus,
)
from docassist.domain.text import N_
from docassist.i18n import (
    _,
    current_language,
    format_date,
    format_datetime,
    get_language,
    pgettext,
)
from docassist.services import cases, users
from docassist.services import households as hh
from docassist.services.cases import Case, CaseStep, TimelineEntry
from docassist.services.context import NotFoundError, ValidationError
from docassist.ui.base import DocScreen
from docassist.ui.busy import calm_when_busy
from docassist.ui.dialogs import (
    AssigneeDialog,
    CloseCaseDialog,
    ConfirmDialog,
    DateDialog,
    FieldDialog,
    FullTextDialog,
    Passage,
    ReasonDialog,
    is_cut,
    shortened,
)
from docassist.ui.widgets.fast_table import FastTable
from docassist.ui.widgets.footer import KeysFooter
from docassist.ui.widgets.title_bar import TitleBar

D = TypeVar("D", bound=FieldDialog)

# The audit actions of a case, as the timeline names them.
TIMELINE_ACTIONS = {
    "open": N_("Case opened"),
    "step": N_("Step changed"),
    "due": N_("Due date changed"),
    "close": N_("Case closed"),
    "reopen": N_("Case reopened"),
    "assign": N_("Given to someone else to follow"),
    "void": N_("Case voided: opened by mistake"),
}

_STEP_STYLES = {
    StepStatus.TODO: "",
    StepStatus.IN_PROGRESS: "bold",
    StepStatus.DONE: "green",
    StepStatus.SKIPPED: "dim",
    StepStatus.BLOCKED: "bold red",
}
_FINISHED = (StepStatus.DONE, StepStatus.SKIPPED)
_QUIET = "dim italic"
_VERIFY = "yellow"
_ACTIVE_ONLY = {"done", "block", "skip", "in_progress", "due", "close_case"}


# ------------------------------------------------------------ checklist text


def checklist_text(text: cl.Text | None) -> tuple[str, str | None]:
    """A checklist text in the UI language, and the language used if it fell back."""
    if text is None:
        return "", None
    wanted = current_language().code
    value, used = text.get(wanted)
    return value, (used if used != wanted and value else None)


def fallback_marker(language: str | None) -> Text:
    """The quiet note that a text is shown in another language, e.g. " (English)"."""
    if not language:
        return Text()
    return Text(f" ({get_language(language).native_name})", style=_QUIET)


# Translators: a quiet note beside checklist text that a native speaker has not
# reviewed yet (the checklist file records the review state per language).
DRAFT_TRANSLATION = N_("draft translation")


def draft_marker() -> Text:
    """The quiet note that the checklist's text in this language is not reviewed yet."""
    return Text(f" · {_(DRAFT_TRANSLATION)}", style=_QUIET)


def localized(text: cl.Text | None, style: str = "") -> Text:
    value, used = checklist_text(text)
    return Text(value, style=style) + fallback_marker(used)


def step_title(checklist: cl.Checklist | None, key: str) -> str:
    """The step's title in the UI language; its key when the checklist no longer has it."""
    step = checklist.step(key) if checklist else None
    return checklist_text(step.title)[0] if step else key


def checklist_title(checklist: cl.Checklist | None, checklist_id: str) -> str:
    return checklist_text(checklist.title)[0] if checklist else checklist_id


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _when(at: str) -> str:
    """A stored UTC timestamp as the local wall-clock time, in the UI's format."""
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment.astimezone().replace(tzinfo=None))


def _status_label(value: str | None) -> str:
    """A stored step or case status, in words."""
    if not value:
        return ""
    try:
        return _(STEP_STATUS_LABELS[StepStatus(value)])
    except ValueError:
        pass
    try:
        return _(CASE_STATUS_LABELS[CaseStatus(value)])
    except ValueError:
        return value


def _iso_day(value: str | None) -> str:
    try:
        return format_date(date.fromisoformat(value)) if value else ""
    except ValueError:
        return value or ""


# ----------------------------------------------------------------- rendering


def _step_texts(step: CaseStep) -> list[str]:
    """The free texts of a step that the screen shows."""
    texts = [step.blocked_reason or ""] if step.status == StepStatus.BLOCKED else []
    return [t for t in [*texts, step.note] if t]


def step_details(
    checklist: cl.Checklist | None,
    checklist_id: str,
    step: CaseStep,
    number: int,
    total: int,
    today: date,
    *,
    active: bool = True,
) -> Text:
    """Everything a coordinator needs at the counter about one step."""
    out = Text()
    info = checklist.step(step.key) if checklist else None
    head = _("Step {n} of {total}").format(n=number, total=total)
    if info and info.institution:
        head += " · " + _(INSTITUTION_LABELS[info.institution])
    out.append(head + "\n", style="dim")
    out.append_text(localized(info.title, "bold") if info else Text(step.key, style="bold"))
    out.append("\n")
    state = [_(STEP_STATUS_LABELS[step.status])]
    # a closed case has nothing due (close_case clears the dates; older closes kept them)
    if active and step.due_date and step.status not in _FINISHED:
        due = _("due {date}").format(date=format_date(step.due_date))
        if step.due_date < today:
            due += " — " + _("overdue")
        state.append(due)
    if step.done_date:
        state.append(_("done on {date}").format(date=format_date(step.done_date)))
    out.append(" · ".join(state) + "\n", style=_STEP_STYLES[step.status])
    # Long texts are shortened: the whole is one key away (V), never pushing the
    # checklist's own words out of reach.
    if step.status == StepStatus.BLOCKED and step.blocked_reason:
        out.append(_("Blocked because: ") + shortened(step.blocked_reason) + "\n", style="red")
    if step.note:
        out.append(_("Note: ") + shortened(step.note) + "\n")
    if any(is_cut(t) for t in _step_texts(step)):
        out.append(_("Press V to read it in full.") + "\n", style=_QUIET)

    if checklist is None:
        out.append("\n")
        out.append(
            _(
                "The checklist “{id}” is not installed, so its details cannot be shown. "
                "The recorded steps are kept."
            ).format(id=checklist_id),
            style=_QUIET,
        )
        return out
    if info is None:
        out.append("\n")
        out.append(
            _("This step is not in version {version} of the checklist.").format(
                version=checklist.version
            ),
            style=_QUIET,
        )
        return out

    def field(label: str, name: str, text: cl.Text | None) -> None:
        value, used = checklist_text(text)
        if not value:
            return
        out.append("\n" + label + " ", style="bold")
        out.append(value)
        out.append_text(fallback_marker(used))
        if name in info.verify_locally:
            out.append("  ⚠ " + _("check with the office"), style=_VERIFY)

    field(_("Where:"), "where", info.where)
    if info.bring:
        out.append("\n" + _("Bring:"), style="bold")
        if "bring" in info.verify_locally:
            out.append("  ⚠ " + _("check with the office"), style=_VERIFY)
        for item in info.bring:
            out.append("\n  • ")
            out.append_text(localized(item))
    field(_("Cost:"), "cost", info.cost)
    field(_("How long:"), "duration", info.duration)
    field(_("Deadline:"), "deadline", info.deadline)
    field(_("Tips:"), "tips", info.tips)
    field(_("Done when:"), "done_when", info.done_when)
    return out


def timeline_text(entries: list[TimelineEntry], checklist: cl.Checklist | None) -> Text:
    """Who did what to the case, when, and on which other laptop, newest first, in the
    UI language."""
    out = Text()
    if not entries:
        out.append(_("Nothing has been recorded for this case yet."), style=_QUIET)
        return out
    for i, entry in enumerate(entries):
        if i:
            out.append("\n")
        out.append(_when(entry.at), style="bold")
        out.append("  " + (entry.user_name or _("unknown user")), style="dim")
        if entry.laptop is not None:
            # Translators: beside who did it, in a case's history: the entry was made
            # on another of the organisation's laptops (its name, or the start of its id).
            out.append("  " + _("on laptop {laptop}").format(laptop=entry.laptop), style="dim")
        out.append("\n  " + _(TIMELINE_ACTIONS.get(entry.action, entry.action)))
        detail = _timeline_detail(entry, checklist)
        if detail:
            out.append(": " + detail)
    return out


def _timeline_detail(entry: TimelineEntry, checklist: cl.Checklist | None) -> str:
    if entry.before is None and entry.after is None:
        return ""  # another laptop's entry, its details not known here: what was done only
    before, after = entry.before or {}, entry.after or {}
    title = step_title(checklist, entry.step_key) if entry.step_key else ""
    if entry.action == "step":
        parts = [
            f"{title} — {_status_label(before.get('status'))} → "
            f"{_status_label(after.get('status'))}"
        ]
        if after.get("done_date"):
            parts.append(_("done on {date}").format(date=_iso_day(after["done_date"])))
        if after.get("blocked_reason"):
            parts.append(after["blocked_reason"])
        if after.get("note"):
            parts.append(after["note"])
        return " · ".join(parts)
    if entry.action == "due":
        due = after.get("due_date")
        return f"{title} — " + (
            _("due {date}").format(date=_iso_day(due)) if due else _("no due date")
        )
    if entry.action == "close":
        try:
            # No outcome recorded: Outcome("") fails the same way Outcome(None) did.
            outcome = _(OUTCOME_LABELS[Outcome(after.get("outcome", ""))])
        except ValueError:
            outcome = str(after.get("outcome") or "")
        parts = [outcome, _iso_day(after.get("outcome_date"))]
        if after.get("outcome_reason"):
            parts.append(after["outcome_reason"])
        return " · ".join(p for p in parts if p)
    if entry.action == "reopen":
        return f"{_status_label(before.get('status'))} → {_status_label(after.get('status'))}"
    if entry.action == "open" and after.get("checklist_version"):
        return _("checklist version {version}").format(version=after["checklist_version"])
    return ""


# -------------------------------------------------------------------- screen


class CaseScreen(DocScreen):
    """One case's steps, the highlighted step's details, and its history."""

    BINDINGS = [
        Binding("d", "done", N_("Done")),
        Binding("space", "done", N_("Done"), show=False),
        Binding("b", "block", N_("Blocked")),
        # Footer: the common marks only, to fit 80 columns in every language;
        # skip, due date and close are in F1 help and the palette's screen keys.
        Binding("s", "skip", N_("Skip"), show=False),
        Binding("p", "in_progress", N_("In progress"), show=False),
        Binding("u", "due", N_("Due date"), show=False),
        Binding("c", "close_case", N_("Close"), show=False),
        Binding("r", "reopen", N_("Reopen")),
        Binding("t", "timeline", N_("History")),
        Binding("v", "read_all", N_("Read in full"), show=False),
        # a coordinator's: who follows the case (the dashboard's filter, a facilitator's
        # laptop holds the cases given to them). In the footer for a coordinator only
        # (active_bindings); at 80 columns the footer then goes compact to fit.
        Binding("a", "assign", N_("Assign")),
        # the day it was opened, by whoever opened it: a case opened by mistake
        Binding("x", "void", N_("Void"), show=False),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, case_id: str) -> None:
        super().__init__()
        self.case_id = case_id
        self.case: Case | None = None
        self.checklist: cl.Checklist | None = None
        self.person_name = ""
        self.show_timeline = False
        self._cursor_key: str | None = None
        # cases.may_assign, asked once per reload (it reads the register): the footer
        # asks for the keys at every refresh
        self._may_assign = False

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="case-title")
        yield Static(id="case-status")
        yield Static(id="case-notice", classes="hidden", markup=False)
        yield FastTable(id="case-steps", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="case-details"):
            yield Static(id="step-details")
        with VerticalScroll(id="case-timeline", classes="hidden"):
            yield Static(id="timeline")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#case-steps", DataTable).focus()

    async def retranslate(self) -> None:
        # Every word on this screen is written by reload(); redrawing in place keeps
        # the cursor and the open timeline, and leaves the Header alone.
        self.reload()

    def on_resize(self) -> None:
        if self.case is not None:
            self._fill_steps()

    # -- loading -------------------------------------------------------------------

    def records_arrived(self) -> None:
        self.reload()

    def reload(self, *, to_current: bool = False) -> None:
        """Read the case again and redraw everything (after each change)."""
        try:
            self.case = cases.get_case(self.ctx, self.case_id)
        except NotFoundError:
            self.case = None
            self.query_one("#case-title", Static).update(_("This case was not found."))
            for selector in ("#case-status", "#case-steps", "#case-details", "#case-timeline"):
                self.query_one(selector).display = False
            self.refresh_bindings()
            return
        case = self.case
        self._may_assign = cases.may_assign(self.ctx)
        self.checklist = self.app.checklists.get(case.checklist_id)
        try:
            self.person_name = hh.get_person(self.ctx, case.person_id).full_name
        except NotFoundError:
            self.person_name = _("(person removed)")
        if to_current or self._cursor_key is None:
            current = case.current_step()
            self._cursor_key = current.key if current else None
        self._show_title()
        self._show_status()
        self._show_notice()
        self._fill_steps()
        self._show_details()
        self._show_timeline()
        self.refresh_bindings()

    def _show_title(self) -> None:
        assert self.case is not None
        title = Text(self.person_name, style="bold")
        title.append(" — ")
        if self.checklist:
            title.append_text(localized(self.checklist.title))
            if self.checklist.is_draft(current_language().code):
                title.append_text(draft_marker())
        else:
            title.append(self.case.checklist_id)
        self.query_one("#case-title", Static).update(title)

    def _show_status(self) -> None:
        case = self.case
        assert case is not None
        today = self.ctx.today()
        line = Text()
        if case.voided_at:
            line.append(_(cases.VOIDED), style="dim")
            line.append(
                " · " + _("opened by mistake; voided {when}").format(when=_when(case.voided_at))
            )
            line.append(" · " + _("it counts nowhere; T shows its history"), style=_QUIET)
            self.query_one("#case-status", Static).update(line)
            return
        line.append(_(CASE_STATUS_LABELS[case.status]), style=_case_style(case.status))
        if case.status == CaseStatus.BLOCKED and case.blocked_reason:
            line.append(": " + shortened(case.blocked_reason), style="red")
        if case.is_active and case.next_due:
            line.append(" · ")
            due = _("next due {date}").format(date=format_date(case.next_due))
            if case.next_due < today:
                line.append(due + " — " + _("overdue"), style="bold red")
            else:
                line.append(due)
        if not case.is_active and case.outcome:
            line.append(" · " + _(OUTCOME_LABELS[case.outcome]))
            if case.outcome_date:
                line.append(" " + format_date(case.outcome_date))
            if case.outcome_reason:
                line.append(" · " + shortened(case.outcome_reason))
            line.append(" · " + _("press r to reopen"), style=_QUIET)
        if case.assignee_id:
            line.append(" · " + _("followed by {name}").format(name=self._assignee_name()))
        if any(is_cut(text) for _label, text in self._long_texts(case_only=True)):
            line.append(" · " + _("V: read in full"), style=_QUIET)
        self.query_one("#case-status", Static).update(line)

    def _assignee_name(self) -> str:
        assert self.case is not None and self.case.assignee_id is not None
        try:
            return users.get_user(self.ctx, self.case.assignee_id).name
        except NotFoundError:  # a user this laptop does not hold (yet)
            return "?"

    def _long_texts(self, *, case_only: bool = False) -> list[Passage]:
        """The free texts shown on this screen, each with what it is."""
        case = self.case
        if case is None:
            return []
        passages: list[Passage] = []
        if case.status == CaseStatus.BLOCKED and case.blocked_reason:
            passages.append((lambda: _("Blocked because"), case.blocked_reason))
        if not case.is_active and case.outcome_reason:
            passages.append((lambda: _("Outcome"), case.outcome_reason))
        step = None if case_only else self._highlighted()
        if step is not None:
            reason = step.blocked_reason if step.status == StepStatus.BLOCKED else None
            if reason and reason != case.blocked_reason:  # said once when both are one
                passages.append((lambda: _("Blocked because"), reason))
            if step.note:
                passages.append((lambda: _("Note"), step.note))
        return passages

    def action_read_all(self) -> None:
        """The whole of each text shown shortened (or not), in a dialog."""
        passages = self._long_texts()
        if passages:
            self.app.push_screen(FullTextDialog(passages))
        else:
            self.notify(_("No text on this screen is shortened."))

    def _show_notice(self) -> None:
        case = self.case
        assert case is not None
        notice = self.query_one("#case-notice", Static)
        message = ""
        if self.checklist is None:
            message = _(
                "The checklist “{id}” is not installed: showing the recorded steps only."
            ).format(id=case.checklist_id)
        elif self.checklist.version > case.checklist_version:
            message = _(
                "A newer version of this checklist exists (version {new}; "
                "this case follows version {old})."
            ).format(new=self.checklist.version, old=case.checklist_version)
        notice.update(message)
        notice.set_class(not message, "hidden")

    def _fill_steps(self) -> None:
        case = self.case
        assert case is not None
        table = self.query_one("#case-steps", DataTable)
        today = self.ctx.today()
        table.clear(columns=True)
        width = self.size.width or 80
        date_width = len(format_date(date(2026, 12, 28))) + 2
        status_width = max(len(_(label)) for label in STEP_STATUS_LABELS.values())
        # Narrow screens show one date per step: due while open, done once done.
        split_dates = width >= 100
        dates = 2 * date_width if split_dates else date_width
        # Fixed columns, one space of padding each side of every cell, a scrollbar.
        fixed = 2 + status_width + dates + (6 if split_dates else 5) * 2 + 2
        room = max(width - fixed, 24)
        note_width = max(room // 3, 8)
        title_width = room - note_width
        table.add_column("#", key="n", width=2)
        table.add_column(pgettext("column", "Step"), key="step", width=title_width)
        table.add_column(pgettext("column", "Status"), key="status", width=status_width)
        if split_dates:
            table.add_column(pgettext("column", "Due"), key="due", width=date_width)
            table.add_column(pgettext("column", "Done"), key="done", width=date_width)
        else:
            table.add_column(pgettext("column", "Date"), key="date", width=date_width)
        table.add_column(pgettext("column", "Note"), key="note", width=note_width)
        for n, step in enumerate(case.steps, 1):
            due = Text()
            if case.is_active and step.due_date and step.status not in _FINISHED:
                overdue = step.due_date < today
                due = Text(
                    ("! " if overdue else "") + format_date(step.due_date),
                    style="bold red" if overdue else "",
                )
            done = Text(format_date(step.done_date)) if step.done_date else Text()
            note = step.blocked_reason if step.status == StepStatus.BLOCKED else step.note
            table.add_row(
                str(n),
                _cell(step_title(self.checklist, step.key), title_width),
                Text(_(STEP_STATUS_LABELS[step.status]), style=_STEP_STYLES[step.status]),
                *((due, done) if split_dates else (done if step.done_date else due,)),
                _cell(note or "", note_width),
                key=step.key,
            )
        keys = [s.key for s in case.steps]
        if self._cursor_key in keys:
            table.move_cursor(row=keys.index(self._cursor_key), animate=False)

    def _highlighted(self) -> CaseStep | None:
        if self.case is None:
            return None
        return next((s for s in self.case.steps if s.key == self._cursor_key), None) or (
            self.case.steps[0] if self.case.steps else None
        )

    def _show_details(self) -> None:
        case = self.case
        step = self._highlighted()
        details = self.query_one("#step-details", Static)
        if case is None or step is None:
            details.update("")
            return
        details.update(
            step_details(
                self.checklist,
                case.checklist_id,
                step,
                case.steps.index(step) + 1,
                len(case.steps),
                self.ctx.today(),
                active=case.is_active,
            )
        )

    def _show_timeline(self) -> None:
        self.query_one("#case-details").display = not self.show_timeline
        self.query_one("#case-timeline").set_class(not self.show_timeline, "hidden")
        if self.show_timeline:
            entries = cases.timeline(self.ctx, self.case_id)
            self.query_one("#timeline", Static).update(timeline_text(entries, self.checklist))

    @on(DataTable.RowHighlighted, "#case-steps")
    def _step_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._cursor_key = event.row_key.value
        self._show_details()

    # -- actions ---------------------------------------------------------------

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The keys of the footer and F1 help: Assign only for whoever may assign, as
        the app's commands are offered by role (commands.offered). The key itself
        stays bound, so anyone else pressing it is told why not (action_assign)."""
        bindings = super().active_bindings
        if not self._may_assign:
            bindings = {
                key: active
                for key, active in bindings.items()
                if not (active.node is self and active.binding.action == "assign")
            }
        return bindings

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.case is None:
            return action not in _ACTIVE_ONLY | {"reopen", "timeline", "assign"}
        if action in _ACTIVE_ONLY:
            return self.case.is_active and bool(self.case.steps)
        if action == "reopen":
            return not self.case.is_active and not self.case.voided_at
        if action == "void":
            return not self.case.voided_at  # a closed case is told why not
        return True

    @calm_when_busy
    def _run(self, change: Callable[[], None], done: str, *, to_current: bool = False) -> None:
        """A change without a dialog: problems become a notification, never a traceback."""
        try:
            change()
        except (ValidationError, NotFoundError) as error:
            message = (
                "\n".join(p.render(_) for ps in error.problems.values() for p in ps)
                if isinstance(error, ValidationError)
                else _("This case or step no longer exists.")
            )
            self.notify(message, severity="error")
            self.reload()
            return
        self.reload(to_current=to_current)
        self.notify(done)

    def _after_dialog(
        self, done: str, *, to_current: bool = False
    ) -> Callable[[bool | None], None]:
        def callback(saved: bool | None) -> None:
            if saved:
                self.reload(to_current=to_current)
                self.notify(done)

        return callback

    def _drafted(self, dialog: D, what: str) -> D:
        """``dialog``, keeping a draft of its typing if the terminal closes while it is
        open (services/drafts.py): offered back when the same question is asked again."""
        person_id = self.case.person_id if self.case is not None else None
        dialog.keeps_drafts(f"case:{self.case_id}:{what}", household_id=None, person_id=person_id)
        return dialog

    def action_done(self) -> None:
        step = self._highlighted()
        if step is None:
            return
        ctx, key = self.ctx, step.key

        def save(day: date | None, note: str | None) -> None:
            cases.set_step_status(ctx, self.case_id, key, StepStatus.DONE, on=day, note=note)

        self.app.push_screen(
            self._drafted(
                DateDialog(
                    lambda: _("Step done: {step}").format(step=step_title(self.checklist, key)),
                    lambda: _("Done on (day.month.year)"),
                    initial=step.done_date or ctx.today(),
                    today=ctx.today(),
                    save=save,
                    allow_future=False,
                    note=step.note,
                    ok_label=lambda: _("Mark done"),
                ),
                f"done:{key}",
            ),
            self._after_dialog(_("Step marked done."), to_current=True),
        )

    def action_block(self) -> None:
        step = self._highlighted()
        if step is None:
            return
        ctx, key = self.ctx, step.key

        def save(reason: str) -> None:
            cases.set_step_status(ctx, self.case_id, key, StepStatus.BLOCKED, reason=reason)

        self.app.push_screen(
            self._drafted(
                ReasonDialog(
                    lambda: _("Blocked: {step}").format(step=step_title(self.checklist, key)),
                    lambda: _("What blocks this step? (for example: the mother has no ID card)"),
                    initial=step.blocked_reason or "",
                    save=save,
                ),
                f"block:{key}",
            ),
            self._after_dialog(_("Step marked blocked.")),
        )

    def action_skip(self) -> None:
        step = self._highlighted()
        if step is not None:
            self._run(
                lambda: cases.set_step_status(self.ctx, self.case_id, step.key, StepStatus.SKIPPED),
                _("Step skipped."),
                to_current=True,
            )

    def action_in_progress(self) -> None:
        step = self._highlighted()
        if step is not None:
            self._run(
                lambda: cases.set_step_status(
                    self.ctx, self.case_id, step.key, StepStatus.IN_PROGRESS
                ),
                _("Step in progress."),
            )

    def action_due(self) -> None:
        step = self._highlighted()
        if step is None:
            return
        ctx, key = self.ctx, step.key

        def save(day: date | None, _note: str | None) -> None:
            cases.set_step_due(ctx, self.case_id, key, day)

        self.app.push_screen(
            self._drafted(
                DateDialog(
                    lambda: _("Due date: {step}").format(step=step_title(self.checklist, key)),
                    lambda: _("Due on (day.month.year; leave empty for no due date)"),
                    initial=step.due_date,
                    today=ctx.today(),
                    save=save,
                    allow_empty=True,
                ),
                f"due:{key}",
            ),
            self._after_dialog(_("Due date saved.")),
        )

    def action_close_case(self) -> None:
        case = self.case
        if case is None or not case.is_active:
            return
        ctx = self.ctx
        refusal_reasons = self.checklist.refusal_reasons if self.checklist else ()

        def reasons() -> list[tuple[str, str]]:
            return [(reason.key, checklist_text(reason.label)[0]) for reason in refusal_reasons]

        def save(outcome: Outcome, day: date, reason: str) -> None:
            cases.close_case(ctx, self.case_id, outcome, on=day, reason=reason)

        subject = f"{self.person_name} — {checklist_title(self.checklist, case.checklist_id)}"
        self.app.push_screen(
            self._drafted(
                CloseCaseDialog(today=ctx.today(), reasons=reasons, save=save, subject=subject),
                "close",
            ),
            self._after_dialog(_("Case closed.")),
        )

    def action_reopen(self) -> None:
        if self.case is not None and not self.case.is_active:
            self._run(
                lambda: cases.reopen_case(self.ctx, self.case_id),
                _("Case reopened."),
                to_current=True,
            )

    def action_void(self) -> None:
        """Take back a case opened by mistake: asked first, for it cannot be undone."""
        case = self.case
        if case is None:
            return
        problem = cases.void_refusal(self.ctx, case)
        if problem is not None:
            self.notify(problem.render(_), severity="warning")
            return
        subject = f"{self.person_name} — {checklist_title(self.checklist, case.checklist_id)}"

        def question() -> str:
            return _(
                "Void this case, opened by mistake today?\n{subject}\nIt leaves every "
                "count, report and plan; its history is kept. This cannot be undone."
            ).format(subject=subject)

        self.app.push_screen(
            ConfirmDialog(
                question,
                confirm_label=N_("Void the case"),
                cancel_label=N_("Keep it"),
                danger=True,
                cancel_first=True,
            ),
            lambda yes: (
                self._run(lambda: cases.void_case(self.ctx, self.case_id), _("Case voided."))
                if yes
                else None
            ),
        )

    def action_assign(self) -> None:
        case = self.case
        if case is None:
            return
        ctx = self.ctx
        if not cases.may_assign(ctx):
            self.notify(_(cases.ASSIGN_REFUSAL), severity="warning")
            return
        people = cases.assignable(ctx)
        names = {p[0]: p[1] for p in people}
        subject = f"{self.person_name} — {checklist_title(self.checklist, case.checklist_id)}"

        def chosen(user_id: str | None) -> None:
            if user_id is None or user_id == case.assignee_id:
                return
            self._run(
                lambda: cases.assign_case(ctx, self.case_id, user_id),
                _("{name} follows this case now.").format(name=names.get(user_id, "?")),
            )

        self.app.push_screen(AssigneeDialog(subject, people, case.assignee_id), chosen)

    def action_timeline(self) -> None:
        self.show_timeline = not self.show_timeline
        self._show_timeline()

    def action_back(self) -> None:
        self.app.pop_screen()


def _cell(value: str, width: int) -> Text:
    # Text, not str: DataTable reads strings as markup, and names may hold "[".
    return Text(_clip(value, width), no_wrap=True, overflow="ellipsis")


def _case_style(status: CaseStatus) -> str:
    return {
        CaseStatus.OPEN: "bold",
        CaseStatus.BLOCKED: "bold red",
        CaseStatus.DONE: "bold green",
        CaseStatus.CLOSED: "dim",
    }[status]
