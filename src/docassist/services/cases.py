"""Cases: a person working through one checklist, step by step, to an outcome."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from docassist.domain import validity
from docassist.domain.dates import PartialDate
from docassist.domain.model import (
    DOCUMENT_LABELS,
    CaseStatus,
    DocumentKind,
    DocumentState,
    Outcome,
    Role,
    StepStatus,
    is_active_case,
)
from docassist.domain.text import MAX_REASON_LENGTH, N_, Problem, too_long
from docassist.services import history
from docassist.services.context import Context, NotFoundError, ValidationError
from docassist.services.documents import write_documents
from docassist.store.cases import active_case_sql
from docassist.store.db import new_id

_FINISHED_STEPS = (StepStatus.DONE, StepStatus.SKIPPED)
_UNFINISHED_STEP = (StepStatus.TODO, StepStatus.IN_PROGRESS, StepStatus.BLOCKED)


@dataclass(frozen=True)
class StepPlan:
    """What the service needs to know about a checklist step to track it."""

    key: str
    typical_days: int | None = None
    # A legal deadline in days from the person's birth: with an exact birth date the
    # step is due then, whatever its typical duration.
    deadline_days: int | None = None
    # Not for this person (a step ``only_if`` others): recorded as skipped.
    skip: bool = False


@dataclass(frozen=True)
class CaseStep:
    key: str
    position: int
    status: StepStatus
    due_date: date | None
    done_date: date | None
    blocked_reason: str | None
    note: str


@dataclass(frozen=True)
class Case:
    id: str
    person_id: str
    household_id: str
    checklist_id: str
    checklist_version: int
    produces: DocumentKind | None
    status: CaseStatus
    outcome: Outcome | None
    outcome_date: date | None
    outcome_reason: str | None
    blocked_reason: str | None
    opened_at: str
    opened_by: str | None
    closed_at: str | None
    next_due: date | None
    steps: tuple[CaseStep, ...] = ()
    # the day it was opened, on the calendar of whoever opened it (None before m0015)
    opened_on: date | None = None
    # who follows the case (a facilitator or coordinator): set when opened, changed by
    # a coordinator; the dashboard's facilitator filter and a facilitator's laptop go by it
    assignee_id: str | None = None
    # voided (opened by mistake): when and by whom; such a case counts nowhere
    voided_at: str | None = None
    voided_by: str | None = None

    @property
    def is_active(self) -> bool:
        return is_active_case(self.status)

    @property
    def opened_day(self) -> date:
        """The day the case was opened: as recorded, or (a case from before that was
        recorded) its UTC timestamp's day."""
        return self.opened_on or date.fromisoformat(self.opened_at[:10])

    def current_step(self) -> CaseStep | None:
        return next((s for s in self.steps if s.status not in _FINISHED_STEPS), None)


@dataclass(frozen=True)
class TimelineEntry:
    at: str
    user_name: str | None
    action: str
    step_key: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    # None: written on this laptop; else the other laptop it was written on, as named
    # in the timeline (services/history.py)
    laptop: str | None = None


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class Day:
    """A date in a message (a day, or a birth known to the month or year), written as
    the reader's language writes dates when the message is shown (``Problem.render``),
    not when it was made."""

    def __init__(self, day: date | PartialDate) -> None:
        self.day = day

    def __format__(self, spec: str) -> str:
        from docassist.i18n import format_date, format_partial_date

        if isinstance(self.day, PartialDate):
            return format_partial_date(self.day)
        return format_date(self.day)

    def __str__(self) -> str:
        return format(self)


def born_after(stored: str | None, day: date) -> PartialDate | None:
    """The person's birth date when ``day`` is surely before it; else None. A birth
    known only to the year or month counts from its first day; "about 1990" from two
    years earlier (the slack a search by year allows)."""
    if not stored:
        return None
    try:
        birth = PartialDate.from_storage(stored)
    except ValueError:
        return None
    earliest = birth.earliest()
    if birth.approximate:
        earliest = date(max(birth.year - 2, 1), 1, 1)
    return birth if day < earliest else None


class Label:
    """A msgid in a message (a document's name), translated when the message is shown."""

    def __init__(self, msgid: str) -> None:
        self.msgid = msgid

    def __format__(self, spec: str) -> str:
        from docassist.i18n import _

        return _(self.msgid)

    def __str__(self) -> str:
        return format(self)


# A second case for a document the person holds (issue 15 item 12): asked, not refused
# for good; open_case(even_if_held=True) is the answer "open it anyway".
HELD = N_("{name} already holds this document: {document}.")
HELD_SINCE = N_("{name} already holds this document: {document} (since {since}).")
BORN_LATER = N_("A case cannot be opened before the person was born ({date}).")
DONE_BEFORE_OPENED = N_("A step cannot be done before its case was opened ({date}).")
DONE_BEFORE_BORN = N_("A step cannot be done before the person was born ({date}).")
CLOSED_BEFORE_OPENED = N_("A case cannot be closed before it was opened ({date}).")


def exact_birth_date(stored: str | None) -> date | None:
    """The birth date when it is known to the day and not "about": legal deadlines
    counted from the birth are only dated then."""
    if not stored:
        return None
    try:
        birth = PartialDate.from_storage(stored)
    except ValueError:
        return None
    if birth.precision != "day" or birth.approximate:
        return None
    return birth.earliest()


def open_case(
    ctx: Context,
    person_id: str,
    checklist_id: str,
    checklist_version: int,
    steps: Sequence[StepPlan],
    *,
    produces: DocumentKind | None = None,
    assignee_id: str | None = None,
    even_if_held: bool = False,
) -> str:
    """Start a case. Steps with a legal deadline counted from the birth are due then
    (when the exact birth date is known); the first step to do is otherwise proposed a
    due date from its typical duration. Steps marked ``skip`` are recorded as skipped.

    ``assignee_id``: who follows it (default: whoever opens it). A case for a document
    the person already holds (valid today) is refused with the problem ``held`` unless
    ``even_if_held``: the user was asked and said to open it anyway."""
    assignee_id = assignee_id or ctx.user_id
    if assignee_id is not None:
        _check_assignee(ctx, assignee_id)
    if not steps or all(step.skip for step in steps):
        raise ValidationError(
            {"steps": [Problem("empty", N_("This checklist has no steps to follow."))]}
        )
    person = ctx.db.execute(
        "SELECT household_id, birth_date FROM persons WHERE id = ? AND deleted_at IS NULL",
        [person_id],
    ).fetchone()
    if person is None:
        raise NotFoundError("person", person_id)
    held = held_problem(ctx, person_id, produces) if produces else None
    if held is not None and not even_if_held:
        raise ValidationError({"checklist": [held]})
    if (later := born_after(person[1], ctx.today())) is not None:
        raise ValidationError(
            {"opened_on": [Problem("before_birth", BORN_LATER, {"date": Day(later)})]}
        )
    born = exact_birth_date(person[1])
    active = ctx.db.execute(
        "SELECT 1 FROM cases WHERE person_id = ? AND checklist_id = ? "
        f"AND {active_case_sql(None)} AND deleted_at IS NULL",
        [person_id, checklist_id],
    ).fetchone()
    if active:
        raise ValidationError(
            {
                "checklist": [
                    Problem("duplicate", N_("This person already has an open case for this."))
                ]
            }
        )
    case_id = new_id()
    now, today = ctx.now(), ctx.today()
    first = next(i for i, step in enumerate(steps) if not step.skip)
    dues: list[str | None] = []
    for position, step in enumerate(steps):
        due: date | None = None
        if step.skip:
            pass
        elif born is not None and step.deadline_days:
            due = born + timedelta(days=step.deadline_days)  # the law's date, even if past
        elif position == first and step.typical_days:
            due = today + timedelta(days=step.typical_days)
        dues.append(due.isoformat() if due else None)
    first_due = min((d for d in dues if d), default=None)
    row = {
        "id": case_id,
        "person_id": person_id,
        "household_id": person[0],
        "checklist_id": checklist_id,
        "checklist_version": checklist_version,
        "produces": DocumentKind(produces).value if produces else None,
        "status": CaseStatus.OPEN.value,
        "opened_at": now,
        "opened_on": today.isoformat(),
        "opened_by": ctx.user_id,
        "assignee_id": assignee_id,
        "next_due": first_due,
    }
    document_before = (
        ctx.db.execute(
            "SELECT state FROM documents WHERE person_id = ? AND kind = ? AND deleted_at IS NULL",
            [person_id, DocumentKind(produces).value],
        ).fetchone()
        if produces
        else None
    )
    with ctx.use_case():
        ctx.db.table("cases").insert({**row, **ctx.stamp()})
        for position, step in enumerate(steps):
            if step.skip:
                status = StepStatus.SKIPPED
            else:
                status = StepStatus.IN_PROGRESS if position == first else StepStatus.TODO
            ctx.db.table("case_steps").insert(
                {
                    "id": new_id(),
                    "case_id": case_id,
                    "step_key": step.key,
                    "position": position,
                    "status": status.value,
                    "typical_days": step.typical_days,
                    "due_date": dues[position],
                    **ctx.stamp(),
                }
            )
        if produces:
            _mark_in_progress(ctx, person_id, produces)
        _event(ctx, case_id, None, "opened", None, CaseStatus.OPEN.value)
        ctx.audit(
            "open",
            "case",
            case_id,
            # opened although the person holds the document: the user was asked
            after={
                **row,
                "steps": [s.key for s in steps],
                **({"held": True} if held else {}),
                # what the document was before the case marked it in progress: a case
                # voided as a mistake puts it back
                **({"document_before": document_before[0]} if document_before else {}),
            },
        )
    return case_id


def set_step_status(
    ctx: Context,
    case_id: str,
    step_key: str,
    status: StepStatus,
    *,
    on: date | None = None,
    reason: str = "",
    note: str | None = None,
) -> None:
    """Move one step; the case follows (blocked while any step is blocked)."""
    status = StepStatus(status)
    case = get_case(ctx, case_id)
    step = next((s for s in case.steps if s.key == step_key), None)
    if step is None:
        raise NotFoundError("step", f"{case_id}:{step_key}")
    if not case.is_active:
        raise ValidationError(
            {"case": [Problem("closed", N_("This case is closed. Reopen it to change steps."))]}
        )
    reason = reason.strip()
    if status == StepStatus.BLOCKED and not reason:
        raise ValidationError({"reason": [Problem("required", N_("Say what blocks this step."))]})
    _check_length({"reason": reason, "note": note or ""})
    on = on or ctx.today()
    if status == StepStatus.DONE:
        _check_done_date(ctx, case, on)
    changes: dict[str, Any] = {
        "status": status.value,
        "done_date": on.isoformat() if status == StepStatus.DONE else None,
        "blocked_reason": reason if status == StepStatus.BLOCKED else None,
    }
    if note is not None:
        changes["note"] = note.strip()
    before = {
        "status": step.status.value,
        "done_date": step.done_date.isoformat() if step.done_date else None,
        "blocked_reason": step.blocked_reason,
        "note": step.note,
    }
    with ctx.use_case():
        ctx.db.execute(
            "UPDATE case_steps SET "
            + ", ".join(f"{k} = ?" for k in changes)
            + ", updated_at = ?, device_id = ? WHERE case_id = ? AND step_key = ?",
            [*changes.values(), ctx.now(), ctx.device_id, case_id, step_key],
        )
        if status in _FINISHED_STEPS:
            _start_next_step(ctx, case_id, step.position)
        _refresh_case(ctx, case_id)
        _event(ctx, case_id, step_key, "step", step.status.value, status.value, note or reason)
        ctx.audit(
            "step",
            "case",
            case_id,
            {"step": step_key, **before},
            {"step": step_key, **changes},
        )


def held_problem(ctx: Context, person_id: str, kind: DocumentKind) -> Problem | None:
    """The warning that the person already holds ``kind`` (recorded as held, and not
    past its "valid until"), or None. The plan may also infer a document from others
    (an ID card means a birth registration): the open-case dialog says so; this is the
    record's own word, which every way of opening a case goes by."""
    row = ctx.db.execute(
        "SELECT d.state, d.obtained_on, d.valid_until, p.given_name || ' ' || p.family_name "
        "FROM documents d JOIN persons p ON p.id = d.person_id "
        "WHERE d.person_id = ? AND d.kind = ? AND d.deleted_at IS NULL",
        [person_id, DocumentKind(kind).value],
    ).fetchone()
    if row is None or row[0] != DocumentState.HAVE.value:
        return None
    if validity.is_expired(_d(row[2]), ctx.today()):
        return None
    params: dict[str, Any] = {"name": row[3], "document": Label(DOCUMENT_LABELS[kind])}
    if row[1]:
        return Problem("held", HELD_SINCE, {**params, "since": Day(date.fromisoformat(row[1]))})
    return Problem("held", HELD, params)


def _check_done_date(ctx: Context, case: Case, on: date) -> None:
    """A step is done on a day that can be: not in the future, not before its case
    was opened, not before the person was born."""
    if on > ctx.today():
        raise ValidationError(
            {"on": [Problem("future", N_("A step cannot be done on a date in the future."))]}
        )
    if on < case.opened_day:
        problem = Problem("before_opened", DONE_BEFORE_OPENED, {"date": Day(case.opened_day)})
        raise ValidationError({"on": [problem]})
    birth = ctx.db.execute(
        "SELECT birth_date FROM persons WHERE id = ?", [case.person_id]
    ).fetchone()
    if birth and (later := born_after(birth[0], on)) is not None:
        raise ValidationError(
            {"on": [Problem("before_birth", DONE_BEFORE_BORN, {"date": Day(later)})]}
        )


def _check_length(texts: dict[str, str]) -> None:
    """Refuse a reason or note longer than ``MAX_REASON_LENGTH`` (a pasted page)."""
    problems = {k: [p] for k, v in texts.items() if (p := too_long(v, MAX_REASON_LENGTH))}
    if problems:
        raise ValidationError(problems)


def set_step_due(ctx: Context, case_id: str, step_key: str, due: date | None) -> None:
    case = get_case(ctx, case_id)
    step = next((s for s in case.steps if s.key == step_key), None)
    if step is None:
        raise NotFoundError("step", f"{case_id}:{step_key}")
    with ctx.use_case():
        ctx.db.execute(
            "UPDATE case_steps SET due_date = ?, updated_at = ?, device_id = ? "
            "WHERE case_id = ? AND step_key = ?",
            [due.isoformat() if due else None, ctx.now(), ctx.device_id, case_id, step_key],
        )
        _refresh_case(ctx, case_id)
        _event(ctx, case_id, step_key, "due", None, None, due.isoformat() if due else "")
        ctx.audit(
            "due",
            "case",
            case_id,
            {"step": step_key, "due_date": step.due_date.isoformat() if step.due_date else None},
            {"step": step_key, "due_date": due.isoformat() if due else None},
        )


def _proposed_valid_until(
    ctx: Context, person_id: str, kind: DocumentKind, issued_on: date
) -> date | None:
    """How long the document a case obtained is valid, from its kind (domain.md): the
    holder's age that day and a registered residence decide an ID card's years. The
    coordinator corrects it on the person's form from the date printed on it."""
    found = ctx.db.execute(
        "SELECT p.birth_date, (SELECT d.state FROM documents d WHERE d.person_id = p.id"
        " AND d.kind = 'residence' AND d.deleted_at IS NULL) FROM persons p WHERE p.id = ?",
        [person_id],
    ).fetchone()
    birth, residence = found if found else (None, None)
    age = PartialDate.from_storage(birth).age_on(issued_on) if birth else None
    return validity.proposed_valid_until(
        # only a residence recorded as missing: an ID card needs one, so a silent
        # record most likely means one the family did not mention
        kind,
        issued_on,
        age=age,
        has_residence=residence != DocumentState.MISSING.value,
    )


def close_case(
    ctx: Context, case_id: str, outcome: Outcome, *, on: date | None = None, reason: str = ""
) -> None:
    """End a case. "Obtained" gives the person the document the checklist produces."""
    outcome = Outcome(outcome)
    case = get_case(ctx, case_id)
    if not case.is_active:
        raise ValidationError({"case": [Problem("closed", N_("This case is already closed."))]})
    reason = reason.strip()
    if outcome == Outcome.REFUSED and not reason:
        raise ValidationError({"reason": [Problem("required", N_("Say why the office refused."))]})
    _check_length({"reason": reason})
    if on is None:
        # A close the app makes itself (a household removed, a person erased): dated
        # today, or the opening day of a case opened on a laptop whose calendar runs
        # ahead of this one, so that it is never refused and never dated before it.
        on = max(ctx.today(), case.opened_day)
    elif on > ctx.today():
        raise ValidationError({"on": [Problem("future", N_("The date cannot be in the future."))]})
    elif on < case.opened_day:
        # The document's "valid until" would count from that day, and the reports
        # would count the case done before it began.
        problem = Problem("before_opened", CLOSED_BEFORE_OPENED, {"date": Day(case.opened_day)})
        raise ValidationError({"on": [problem]})
    status = CaseStatus.DONE if outcome == Outcome.OBTAINED else CaseStatus.CLOSED
    after = {
        "status": status.value,
        "outcome": outcome.value,
        "outcome_date": on.isoformat(),
        "outcome_reason": reason or None,
        "closed_at": ctx.now(),
        "next_due": None,
    }
    valid_until: str | None = None
    # The steps not finished are left as not started, with nothing due: a closed case
    # has no step "In progress" or "Blocked", and no due date anywhere. Reopening
    # starts the first of them again (reopen_case).
    unfinished = [s.key for s in case.steps if s.status in _UNFINISHED_STEP]
    with ctx.use_case():
        ctx.db.table("cases").update(case_id, {**after, **ctx.stamp()})
        if unfinished:
            ctx.db.execute(
                "UPDATE case_steps SET status = ?, due_date = NULL, blocked_reason = NULL, "
                "updated_at = ?, device_id = ? WHERE case_id = ? "
                "AND status IN ('todo','in_progress','blocked')",
                [StepStatus.TODO.value, ctx.now(), ctx.device_id, case_id],
            )
        if case.produces:
            state = DocumentState.HAVE if outcome == Outcome.OBTAINED else DocumentState.MISSING
            write_documents(ctx, case.person_id, {case.produces: state}, case_id=case_id)
            if outcome == Outcome.OBTAINED:
                until = _proposed_valid_until(ctx, case.person_id, case.produces, on)
                valid_until = until.isoformat() if until else None
                ctx.db.execute(
                    "UPDATE documents SET obtained_on = ?, valid_until = ? "
                    "WHERE person_id = ? AND kind = ?",
                    [on.isoformat(), valid_until, case.person_id, case.produces.value],
                )
        _event(ctx, case_id, None, "closed", case.status.value, status.value, reason)
        ctx.audit(
            "close",
            "case",
            case_id,
            {"status": case.status.value, "outcome": None},
            {
                **after,
                **({"valid_until": valid_until} if valid_until else {}),
                **({"steps_not_started": unfinished} if unfinished else {}),
            },
        )


_ASSIGNABLE = (Role.FACILITATOR, Role.COORDINATOR)


def _check_assignee(ctx: Context, assignee_id: str) -> None:
    found = ctx.db.execute(
        "SELECT role FROM users WHERE id = ? AND deleted_at IS NULL", [assignee_id]
    ).fetchone()
    if found is None:
        raise NotFoundError("user", assignee_id)
    if found[0] not in _ASSIGNABLE:
        raise ValidationError(
            {
                "assignee": [
                    Problem("role", N_("A case is followed by a facilitator or a coordinator."))
                ]
            }
        )


ASSIGN_REFUSAL = N_("Only a coordinator may change who follows a case.")


def may_assign(ctx: Context) -> bool:
    """Whether the signed-in user may give a case to someone else (a coordinator)."""
    me = (
        ctx.db.execute("SELECT role FROM users WHERE id = ?", [ctx.user_id]).fetchone()
        if ctx.user_id
        else None
    )
    return me is not None and me[0] == Role.COORDINATOR


def assignable(ctx: Context) -> list[tuple[str, str, Role]]:
    """Who may follow a case (facilitators and coordinators): id, name, role, by name."""
    rows = ctx.db.execute(
        "SELECT id, name, role FROM users WHERE deleted_at IS NULL AND role IN (?, ?) "
        "ORDER BY name, id",
        [r.value for r in _ASSIGNABLE],
    ).fetchall()
    return [(r[0], r[1], Role(r[2])) for r in rows]


def assign_case(ctx: Context, case_id: str, assignee_id: str) -> None:
    """Give the case to someone else to follow; only a coordinator may."""
    if not may_assign(ctx):
        raise ValidationError({"user": [Problem("role", ASSIGN_REFUSAL)]})
    case = get_case(ctx, case_id)
    _check_assignee(ctx, assignee_id)
    if case.assignee_id == assignee_id:
        return
    with ctx.use_case():
        ctx.db.table("cases").update(case_id, {"assignee_id": assignee_id, **ctx.stamp()})
        ctx.audit(
            "assign",
            "case",
            case_id,
            {"assignee_id": case.assignee_id},
            {"assignee_id": assignee_id},
        )


# Translators: the status of a case taken back the day it was opened (a mistake).
VOIDED = N_("Voided")
VOID_NOT_OPENER = N_("Only whoever opened a case may void it.")
VOID_NOT_TODAY = N_(
    "A case can be voided only on the day it was opened ({date}). Close it as abandoned instead."
)
VOID_CLOSED = N_("Only a case still open can be voided. Reopen it first.")
VOID_ALREADY = N_("This case was voided: it was opened by mistake.")


def void_refusal(ctx: Context, case: Case) -> Problem | None:
    """Why the signed-in user may not void ``case`` now, or None when they may: the
    one who opened it, the day it was opened (the context's today), while it is open."""
    if case.voided_at:
        return Problem("voided", VOID_ALREADY)
    if ctx.user_id is None or case.opened_by != ctx.user_id:
        return Problem("not_opener", VOID_NOT_OPENER)
    if case.opened_day != ctx.today():
        return Problem("not_today", VOID_NOT_TODAY, {"date": Day(case.opened_day)})
    if not case.is_active:
        return Problem("closed", VOID_CLOSED)
    return None


def void_case(ctx: Context, case_id: str) -> None:
    """Take back a case opened by mistake (the wrong person, the wrong procedure), the
    day it was opened, by whoever opened it. It is closed with no outcome and marked
    voided: out of every count, report and plan, its history kept. The document the
    case was to obtain goes back to what it was before the case marked it in progress."""
    case = get_case(ctx, case_id)
    if (problem := void_refusal(ctx, case)) is not None:
        raise ValidationError({"case": [problem]})
    now = ctx.now()
    after = {
        "status": CaseStatus.CLOSED.value,
        "outcome": None,
        "closed_at": now,
        "next_due": None,
        "voided_at": now,
        "voided_by": ctx.user_id,
    }
    with ctx.use_case():
        ctx.db.table("cases").update(case_id, {**after, **ctx.stamp()})
        document = _undo_in_progress(ctx, case) if case.produces else None
        _event(ctx, case_id, None, "voided", case.status.value, CaseStatus.CLOSED.value)
        ctx.audit(
            "void",
            "case",
            case_id,
            {"status": case.status.value},
            {**after, **({"document": document} if document else {})},
        )


def _undo_in_progress(ctx: Context, case: Case) -> str | None:
    """Put the document ``case`` marked "in progress" back as it was before (as the
    case's opening recorded it; "not known" for a case opened before that was kept),
    unless another open case of the person is on it too. Returns the state written."""
    assert case.produces is not None
    current = ctx.db.execute(
        "SELECT state FROM documents WHERE person_id = ? AND kind = ? AND deleted_at IS NULL",
        [case.person_id, case.produces.value],
    ).fetchone()
    if current is None or current[0] != DocumentState.IN_PROGRESS.value:
        return None
    other = ctx.db.execute(
        "SELECT 1 FROM cases WHERE person_id = ? AND produces = ? AND id != ? "
        f"AND {active_case_sql(None)} AND deleted_at IS NULL",
        [case.person_id, case.produces.value, case.id],
    ).fetchone()
    if other:
        return None
    opened = ctx.db.execute(
        "SELECT after FROM audit_log WHERE entity = 'case' AND entity_id = ? "
        "AND action = 'open' ORDER BY id LIMIT 1",
        [case.id],
    ).fetchone()
    before = (json.loads(opened[0]) if opened and opened[0] else {}).get("document_before")
    state = DocumentState(before) if before else DocumentState.UNKNOWN
    write_documents(ctx, case.person_id, {case.produces: state})
    return state.value


def reopen_case(ctx: Context, case_id: str) -> None:
    """Undo a close (a mistake, or the office changed its mind)."""
    case = get_case(ctx, case_id)
    if case.voided_at:
        raise ValidationError({"case": [Problem("voided", VOID_ALREADY)]})
    if case.is_active:
        return
    with ctx.use_case():
        ctx.db.table("cases").update(
            case_id,
            {
                "status": CaseStatus.OPEN.value,
                "outcome": None,
                "outcome_date": None,
                "outcome_reason": None,
                "closed_at": None,
                **ctx.stamp(),
            },
        )
        if case.produces:
            _mark_in_progress(ctx, case.person_id, case.produces)
        # closing left the unfinished steps not started: the first of them starts again
        _start_next_step(ctx, case_id, -1)
        _refresh_case(ctx, case_id)
        _event(ctx, case_id, None, "reopened", case.status.value, CaseStatus.OPEN.value)
        ctx.audit(
            "reopen",
            "case",
            case_id,
            {"status": case.status.value, "outcome": case.outcome},
            {"status": CaseStatus.OPEN.value},
        )


# --- queries ----------------------------------------------------------------


def get_case(ctx: Context, case_id: str) -> Case:
    rows = list(ctx.db.query("SELECT * FROM cases WHERE id = ? AND deleted_at IS NULL", [case_id]))
    if not rows:
        raise NotFoundError("case", case_id)
    steps = ctx.db.execute(
        "SELECT step_key, position, status, due_date, done_date, blocked_reason, note "
        "FROM case_steps WHERE case_id = ? AND deleted_at IS NULL ORDER BY position",
        [case_id],
    ).fetchall()
    return _case(rows[0], tuple(_step(s) for s in steps))


def cases_of_person(ctx: Context, person_id: str, *, voided: bool = False) -> list[Case]:
    """The person's cases, oldest first; ``voided``: with those voided as mistakes
    (only a list of every case shows them: they count nowhere)."""
    return _cases_where(ctx, "person_id = ?" + _NOT_VOIDED * (not voided), [person_id])


def cases_of_household(ctx: Context, household_id: str, *, voided: bool = False) -> list[Case]:
    return _cases_where(ctx, "household_id = ?" + _NOT_VOIDED * (not voided), [household_id])


_NOT_VOIDED = " AND voided_at IS NULL"


def timeline(ctx: Context, case_id: str) -> list[TimelineEntry]:
    """Who did what to this case, when, and on which laptop, newest first: this laptop's
    audit entries and the other laptops' (services/history.py says in which order)."""
    entries = history.history(ctx, "case", case_id)
    facts = _other_laptops_facts(ctx, case_id, [e for e in entries if e.laptop is not None])
    out = []
    for entry in entries:
        if entry.laptop is None:
            b, a = entry.before, entry.after
        else:
            b, a = facts.get((entry.device_id, entry.entry_id), (None, None))
        step = (a or {}).get("step") or (b or {}).get("step")
        out.append(TimelineEntry(entry.at, entry.user_name, entry.action, step, b, a, entry.laptop))
    return out


# The case event each audit action of a case writes beside it (``_event``).
_EVENT_OF_ACTION = {"step": "step", "due": "due", "reopen": "reopened"}
# An event is written just before its audit entry, by the same laptop in the same use
# case, so by the same clock: at most this much earlier.
_SAME_CHANGE = timedelta(minutes=1)
_Details = tuple[dict[str, Any] | None, dict[str, Any] | None]


def _other_laptops_facts(
    ctx: Context, case_id: str, remote: list[history.HistoryEntry]
) -> dict[tuple[str, int], _Details]:
    """What other laptops' entries changed, as before/after for the timeline, by each
    entry's laptop and number. Audit entries travel without their details, but the case
    event each laptop wrote beside its entry travels as a row: which step, from which
    status to which, the due date come from it. Never its note (why a step is blocked,
    a note on it): free text about the family, which the audit trail keeps only on the
    laptop that wrote it, where an erasure reaches it. The case of an erased person (or
    household) shows no more of them than the entries themselves."""
    wanted = [e for e in remote if e.action in _EVENT_OF_ACTION]
    if not wanted or _of_erased_person(ctx, case_id):
        return {}
    kinds = sorted(set(_EVENT_OF_ACTION.values()))
    pending: dict[tuple[str, str | None, str], list[tuple[Any, ...]]] = {}
    for row in ctx.db.execute(
        "SELECT device_id, user_id, kind, at, step_key, from_status, to_status, note "
        f"FROM case_events WHERE case_id = ? AND kind IN ({', '.join('?' * len(kinds))}) "
        # in the order they came, for two at the same second
        "ORDER BY at, rowid",
        [case_id, *kinds],
    ):
        pending.setdefault((row[0], row[1], row[2]), []).append(row[3:])
    found: dict[tuple[str, int], _Details] = {}
    # oldest first, each event paired once: a laptop's changes in its own order
    for entry in sorted(wanted, key=lambda e: (e.device_id, e.entry_id)):
        events = pending.get((entry.device_id, entry.user_id, _EVENT_OF_ACTION[entry.action]), [])
        when = history.moment(entry.at)
        # the latest not taken yet that was written just before it: an entry whose
        # event has not arrived (yet) takes none, rather than a later change's
        match = next(
            (ev for ev in reversed(events) if when - _SAME_CHANGE <= history.moment(ev[0]) <= when),
            None,
        )
        if match is None:
            continue
        events.remove(match)
        _at, step_key, from_status, to_status, note = match
        key = (entry.device_id, entry.entry_id)
        if entry.action == "due":
            found[key] = (None, {"step": step_key, "due_date": _iso_day_or_none(note)})
        elif entry.action == "step":
            found[key] = (
                {"step": step_key, "status": from_status},
                {"step": step_key, "status": to_status},
            )
        else:
            found[key] = ({"status": from_status}, {"status": to_status})
    return found


def _iso_day_or_none(text: str | None) -> str | None:
    """A due date as the due event records it; anything else is not shown."""
    try:
        return date.fromisoformat(text).isoformat() if text else None
    except ValueError:
        return None


def _of_erased_person(ctx: Context, case_id: str) -> bool:
    row = ctx.db.execute(
        "SELECT p.erased_at IS NOT NULL OR h.erased_at IS NOT NULL FROM cases c "
        "LEFT JOIN persons p ON p.id = c.person_id "
        "LEFT JOIN households h ON h.id = c.household_id WHERE c.id = ?",
        [case_id],
    ).fetchone()
    return bool(row and row[0])


# --- helpers ----------------------------------------------------------------


def _cases_where(ctx: Context, where: str, params: list[Any]) -> list[Case]:
    rows = list(
        ctx.db.query(
            f"SELECT * FROM cases WHERE {where} AND deleted_at IS NULL ORDER BY opened_at",
            params,
        )
    )
    if not rows:
        return []
    marks = ",".join("?" * len(rows))
    steps: dict[str, list[CaseStep]] = {}
    for r in ctx.db.execute(
        "SELECT case_id, step_key, position, status, due_date, done_date, blocked_reason, note "
        f"FROM case_steps WHERE case_id IN ({marks}) AND deleted_at IS NULL "
        "ORDER BY position",
        [r["id"] for r in rows],
    ).fetchall():
        steps.setdefault(r[0], []).append(_step(r[1:]))
    return [_case(r, tuple(steps.get(r["id"], []))) for r in rows]


def _case(row: dict[str, Any], steps: tuple[CaseStep, ...]) -> Case:
    return Case(
        id=row["id"],
        person_id=row["person_id"],
        household_id=row["household_id"],
        checklist_id=row["checklist_id"],
        checklist_version=row["checklist_version"],
        produces=DocumentKind(row["produces"]) if row["produces"] else None,
        status=CaseStatus(row["status"]),
        outcome=Outcome(row["outcome"]) if row["outcome"] else None,
        outcome_date=_d(row["outcome_date"]),
        outcome_reason=row["outcome_reason"],
        blocked_reason=row["blocked_reason"],
        opened_at=row["opened_at"],
        opened_by=row["opened_by"],
        closed_at=row["closed_at"],
        next_due=_d(row["next_due"]),
        steps=steps,
        opened_on=_d(row.get("opened_on")),
        assignee_id=row.get("assignee_id"),
        voided_at=row.get("voided_at"),
        voided_by=row.get("voided_by"),
    )


def _step(r: Sequence[Any]) -> CaseStep:
    return CaseStep(r[0], r[1], StepStatus(r[2]), _d(r[3]), _d(r[4]), r[5], r[6] or "")


def _start_next_step(ctx: Context, case_id: str, after_position: int) -> None:
    """The next step still to do becomes 'in progress' and gets a proposed due date."""
    nxt = ctx.db.execute(
        "SELECT step_key, status, typical_days, due_date FROM case_steps "
        "WHERE case_id = ? AND position > ? AND status IN ('todo','in_progress') "
        "ORDER BY position LIMIT 1",
        [case_id, after_position],
    ).fetchone()
    if nxt is None or nxt[1] != StepStatus.TODO.value:
        return
    due = nxt[3]
    if due is None and nxt[2]:
        due = (ctx.today() + timedelta(days=nxt[2])).isoformat()
    ctx.db.execute(
        "UPDATE case_steps SET status = 'in_progress', due_date = ? "
        "WHERE case_id = ? AND step_key = ?",
        [due, case_id, nxt[0]],
    )


def _refresh_case(ctx: Context, case_id: str) -> None:
    """Derive the case's status, blocked reason and next due date from its steps."""
    status = ctx.db.execute("SELECT status FROM cases WHERE id = ?", [case_id]).fetchone()[0]
    blocked = ctx.db.execute(
        "SELECT blocked_reason FROM case_steps WHERE case_id = ? AND status = 'blocked' "
        "ORDER BY position LIMIT 1",
        [case_id],
    ).fetchone()
    next_due = ctx.db.execute(
        "SELECT min(due_date) FROM case_steps WHERE case_id = ? "
        "AND status IN ('todo','in_progress','blocked')",
        [case_id],
    ).fetchone()[0]
    if is_active_case(status):
        status = CaseStatus.BLOCKED.value if blocked else CaseStatus.OPEN.value
    ctx.db.execute(
        "UPDATE cases SET status = ?, blocked_reason = ?, next_due = ? WHERE id = ?",
        [status, blocked[0] if blocked else None, next_due, case_id],
    )


def _mark_in_progress(ctx: Context, person_id: str, kind: DocumentKind) -> None:
    current = ctx.db.execute(
        "SELECT state FROM documents WHERE person_id = ? AND kind = ?",
        [person_id, DocumentKind(kind).value],
    ).fetchone()
    if current is None or current[0] != DocumentState.HAVE.value:
        write_documents(ctx, person_id, {DocumentKind(kind): DocumentState.IN_PROGRESS})


def _event(
    ctx: Context,
    case_id: str,
    step_key: str | None,
    kind: str,
    from_status: str | None,
    to_status: str | None,
    note: str | None = None,
) -> None:
    ctx.db.table("case_events").insert(
        {
            "id": new_id(),
            "case_id": case_id,
            "step_key": step_key,
            "kind": kind,
            "from_status": from_status,
            "to_status": to_status,
            "note": note or None,
            "at": ctx.now(),
            "user_id": ctx.user_id,
            "device_id": ctx.device_id,
        }
    )
