"""Workshops: a facilitator walks a group through procedures, marks who came, and opens
cases for the people in the room.

A workshop is saved when it starts and each attendance mark is saved as it is made,
so a laptop that dies mid-workshop loses nothing but the ticks on the projector.

Attendance is recorded per household. A row without a person means "the household
came" (who exactly was not recorded); rows with a person name individual members.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from docassist.domain.text import N_, Problem, too_long
from docassist.i18n import get_language
from docassist.procedures import Checklist, ChecklistSet
from docassist.services import households as hh
from docassist.services.cases import held_problem, open_case
from docassist.services.context import Context, NotFoundError, ValidationError
from docassist.services.plans import case_steps
from docassist.store.cases import active_case_sql
from docassist.store.db import new_id

MAX_LANGUAGES = 2  # two columns side by side is what a projected screen can hold

MSG_ALREADY_OPEN = N_("Already has an open case for this")
MSG_ALREADY_HELD = N_("Already holds the document")


# --- read models ------------------------------------------------------------


@dataclass(frozen=True)
class Workshop:
    id: str
    held_on: date
    place: str
    municipality: str
    settlement: str
    facilitator_id: str | None
    facilitator_name: str | None
    checklists: tuple[str, ...]
    languages: tuple[str, ...]
    notes: str
    created_at: str
    households: int  # households marked present
    people: int  # people present: named members, or every member of a whole household
    closed_at: str | None = None  # "Close the workshop": when it was recorded as ended

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


@dataclass(frozen=True)
class Progress:
    """Where the presenter was left: the slide and the "what to bring" ticks."""

    position: int = 0
    # (checklist id, step key) -> the indexes of the items ticked
    ticks: dict[tuple[str, str], set[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Attendee:
    """One household at a workshop, with the people who count as present."""

    household_id: str
    family_name: str
    settlement: str
    municipality: str
    whole_household: bool  # marked as a household: every current member counts
    people: tuple[hh.Person, ...]


@dataclass(frozen=True)
class OpenedCase:
    person_id: str
    checklist_id: str
    case_id: str


@dataclass(frozen=True)
class SkippedCase:
    person_id: str
    checklist_id: str
    case_id: str | None  # the case that is already open (None: the document is held)
    reason: str  # msgid


class OpenedCases(list[str]):
    """The ids of the cases opened, in the order asked for.

    It is a plain list of case ids to callers that only need those; ``opened`` pairs
    each id with its person and checklist, and ``skipped`` says who was left out and why.
    """

    def __init__(self, opened: Iterable[OpenedCase] = (), skipped: Iterable[SkippedCase] = ()):
        self.opened = list(opened)
        self.skipped = list(skipped)
        super().__init__(o.case_id for o in self.opened)


# --- validation -------------------------------------------------------------


def _clean(text: str) -> str:
    return " ".join(text.split())


def _languages(languages: Sequence[str], problems: dict[str, list[Problem]]) -> list[str]:
    codes: list[str] = []
    for code in languages:
        if not code:
            continue
        try:
            code = get_language(code).code
        except ValueError:
            problems.setdefault("languages", []).append(
                Problem("unknown", N_("Unknown language: {code}"), {"code": code})
            )
            continue
        if code not in codes:
            codes.append(code)
    if not codes and "languages" not in problems:
        problems["languages"] = [Problem("required", N_("Choose a language."))]
    elif len(codes) > MAX_LANGUAGES:
        problems["languages"] = [Problem("too_many", N_("Choose one or two languages."))]
    return codes


def _held_on(value: date | str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationError(
            {"held_on": [Problem("date", N_("The workshop date is not a date."))]}
        ) from None


# --- use cases --------------------------------------------------------------


def start_workshop(
    ctx: Context,
    held_on: date | str,
    place: str,
    municipality: str,
    settlement: str,
    checklist_ids: Sequence[str],
    languages: Sequence[str],
) -> str:
    """Save a new workshop run by the current user; returns its id."""
    problems: dict[str, list[Problem]] = {}
    day = _held_on(held_on)
    ids = list(dict.fromkeys(c for c in checklist_ids if c))
    if not ids:
        problems["checklists"] = [Problem("required", N_("Choose at least one checklist."))]
    codes = _languages(languages, problems)
    for key, value in (
        ("place", place),
        ("municipality", municipality),
        ("settlement", settlement),
    ):
        problem = too_long(value)
        if problem is not None:
            problems[key] = [problem]
    if problems:
        raise ValidationError(problems)
    workshop_id = new_id()
    row = {
        "id": workshop_id,
        "held_on": day.isoformat(),
        "place": _clean(place),
        "municipality": _clean(municipality),
        "settlement": _clean(settlement),
        "facilitator_id": ctx.user_id,
        "checklists": json.dumps(ids),
        "languages": json.dumps(codes),
        "created_at": ctx.now(),
    }
    with ctx.use_case():
        ctx.db.table("workshops").insert({**row, **ctx.stamp()})
        ctx.audit(
            "create",
            "workshop",
            workshop_id,
            after={**row, "checklists": ids, "languages": codes},
        )
    return workshop_id


def add_attendance(
    ctx: Context,
    workshop_id: str,
    household_id: str,
    person_ids: Sequence[str] | None = None,
) -> None:
    """Mark a household present, or only the named members of it.

    Marking again is harmless: nothing is written when nothing changes.
    """
    _workshop_row(ctx, workshop_id)
    members = _member_ids(ctx, household_id)
    wanted: list[str | None] = [None] if person_ids is None else list(dict.fromkeys(person_ids))
    strangers = [p for p in wanted if p is not None and p not in members]
    if strangers:
        raise ValidationError(
            {
                "person_ids": [
                    Problem("household", N_("This person is not a member of the household."))
                ]
            }
        )
    rows = _attendance_rows(ctx, workshop_id, household_id)
    revive = [rows[p]["id"] for p in wanted if p in rows and rows[p]["deleted_at"]]
    insert = [p for p in wanted if p not in rows]
    if not revive and not insert:
        return
    with ctx.use_case():
        for row_id in revive:
            ctx.db.execute(
                "UPDATE attendance SET deleted_at = NULL, updated_at = ?, device_id = ? "
                "WHERE id = ?",
                [ctx.now(), ctx.device_id, row_id],
            )
        for person_id in insert:
            ctx.db.table("attendance").insert(
                {
                    "id": new_id(),
                    "workshop_id": workshop_id,
                    "household_id": household_id,
                    "person_id": person_id,
                    **ctx.stamp(),
                }
            )
        ctx.audit(
            "attend",
            "workshop",
            workshop_id,
            after={"household_id": household_id, "person_ids": person_ids},
        )


def remove_attendance(
    ctx: Context,
    workshop_id: str,
    household_id: str,
    person_ids: Sequence[str] | None = None,
) -> None:
    """Unmark a household (every row of it), or only the named members."""
    _workshop_row(ctx, workshop_id)
    rows = _attendance_rows(ctx, workshop_id, household_id)
    live = {p: r for p, r in rows.items() if not r["deleted_at"]}
    targets = list(live) if person_ids is None else [p for p in person_ids if p in live]
    if not targets:
        return
    now = ctx.now()
    with ctx.use_case():
        for person_id in targets:
            ctx.db.execute(
                "UPDATE attendance SET deleted_at = ?, updated_at = ?, device_id = ? WHERE id = ?",
                [now, now, ctx.device_id, live[person_id]["id"]],
            )
        ctx.audit(
            "unattend",
            "workshop",
            workshop_id,
            before={"household_id": household_id, "person_ids": person_ids},
        )


def set_people_present(
    ctx: Context, workshop_id: str, household_id: str, person_ids: Sequence[str]
) -> None:
    """Exactly these members of the household are present: one tick or untick.

    A household marked as a whole becomes one mark per member who came, so unticking the
    mother's sister leaves the others counted; no one ticked leaves the household
    unmarked. One transaction and one audit entry, whatever the rows changed.
    """
    _workshop_row(ctx, workshop_id)
    members = _member_ids(ctx, household_id)
    wanted = list(dict.fromkeys(person_ids))
    if any(p not in members for p in wanted):
        raise ValidationError(
            {
                "person_ids": [
                    Problem("household", N_("This person is not a member of the household."))
                ]
            }
        )
    rows = _attendance_rows(ctx, workshop_id, household_id)
    live = {p for p, r in rows.items() if not r["deleted_at"]}
    target: set[str | None] = set(wanted)
    if live == target:
        return
    now = ctx.now()
    with ctx.use_case():
        for person_id in live - target:
            ctx.db.execute(
                "UPDATE attendance SET deleted_at = ?, updated_at = ?, device_id = ? WHERE id = ?",
                [now, now, ctx.device_id, rows[person_id]["id"]],
            )
        for person_id in target - live:
            if person_id in rows:  # marked once and taken back: the same row again
                ctx.db.execute(
                    "UPDATE attendance SET deleted_at = NULL, updated_at = ?, device_id = ? "
                    "WHERE id = ?",
                    [now, ctx.device_id, rows[person_id]["id"]],
                )
            else:
                ctx.db.table("attendance").insert(
                    {
                        "id": new_id(),
                        "workshop_id": workshop_id,
                        "household_id": household_id,
                        "person_id": person_id,
                        **ctx.stamp(),
                    }
                )
        ctx.audit(
            "attend_people",
            "workshop",
            workshop_id,
            before={"household_id": household_id, "person_ids": sorted(live, key=str)},
            after={"household_id": household_id, "person_ids": sorted(wanted)},
        )


def register_and_attend(
    ctx: Context,
    workshop_id: str,
    household: hh.HouseholdInput,
    members: Sequence[hh.PersonInput] = (),
) -> str:
    """A family registered at the workshop and marked present, both or neither."""
    _workshop_row(ctx, workshop_id)
    with ctx.use_case():
        household_id = hh.register_household(ctx, household, members)
        add_attendance(ctx, workshop_id, household_id)
    return household_id


def open_cases_for_attendees(
    ctx: Context,
    workshop_id: str,
    selections: Sequence[tuple[str, str]],
    checklists: ChecklistSet,
) -> OpenedCases:
    """Open a case for each (person id, checklist id), all in one transaction.

    People who already have an open case on that checklist are skipped and reported,
    not treated as an error: in a room of thirty, one earlier case must not stop the rest.
    So are people who already hold the document the checklist gives (issue 15 item 12):
    opening one anyway is a question for one person, asked on their household's screen.
    """
    _workshop_row(ctx, workshop_id)
    present = {p.id for a in attendees(ctx, workshop_id) for p in a.people}
    chosen: dict[str, Checklist] = {}
    for person_id, checklist_id in selections:
        checklist = checklists.get(checklist_id)
        if checklist is None:
            raise ValidationError(
                {
                    "checklist": [
                        Problem("unknown", N_("Unknown checklist: {id}"), {"id": checklist_id})
                    ]
                }
            )
        if person_id not in present:
            raise ValidationError(
                {
                    "person_ids": [
                        Problem("absent", N_("This person is not marked present at the workshop."))
                    ]
                }
            )
        chosen[checklist_id] = checklist
    opened: list[OpenedCase] = []
    skipped: list[SkippedCase] = []
    with ctx.use_case():
        for person_id, checklist_id in selections:
            existing = ctx.db.execute(
                "SELECT id FROM cases WHERE person_id = ? AND checklist_id = ? "
                f"AND {active_case_sql(None)} AND deleted_at IS NULL",
                [person_id, checklist_id],
            ).fetchone()
            if existing:
                skipped.append(SkippedCase(person_id, checklist_id, existing[0], MSG_ALREADY_OPEN))
                continue
            checklist = chosen[checklist_id]
            if checklist.produces and held_problem(ctx, person_id, checklist.produces):
                skipped.append(SkippedCase(person_id, checklist_id, None, MSG_ALREADY_HELD))
                continue
            case_id = open_case(
                ctx,
                person_id,
                checklist.id,
                checklist.version,
                case_steps(ctx, person_id, checklist),
                produces=checklist.produces,
            )
            opened.append(OpenedCase(person_id, checklist_id, case_id))
        ctx.audit(
            "open_cases",
            "workshop",
            workshop_id,
            after={
                "opened": [o.case_id for o in opened],
                "skipped": [[s.person_id, s.checklist_id] for s in skipped],
            },
        )
    return OpenedCases(opened, skipped)


def close_workshop(ctx: Context, workshop_id: str) -> None:
    """Record that the workshop ended ("Close the workshop"); closing again is harmless."""
    row = _workshop_row(ctx, workshop_id)
    if row["closed_at"]:
        return
    now = ctx.now()
    with ctx.use_case():
        ctx.db.execute(
            "UPDATE workshops SET closed_at = ?, updated_at = ?, device_id = ? WHERE id = ?",
            [now, now, ctx.device_id, workshop_id],
        )
        ctx.audit("close", "workshop", workshop_id, after={"closed_at": now})


def save_progress(ctx: Context, workshop_id: str, progress: Progress) -> None:
    """Keep where the presenter is, so a workshop continued later resumes there.

    Not audited, unlike every use case: it changes nothing about a family or the
    workshop's record (which slide a projector shows), and it is written at each key
    press of the presenter, which would bury the trail under page turns.
    """
    ticks = [[c, s, sorted(items)] for (c, s), items in sorted(progress.ticks.items()) if items]
    with ctx.db.atomic():
        ctx.db.execute(
            "INSERT INTO workshop_progress (workshop_id, position, ticks, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (workshop_id) DO UPDATE SET "
            "position = excluded.position, ticks = excluded.ticks, "
            "updated_at = excluded.updated_at",
            [workshop_id, max(0, progress.position), json.dumps(ticks), ctx.now()],
        )


def get_progress(ctx: Context, workshop_id: str) -> Progress:
    """Where the presenter was left on this laptop; the start when never shown here."""
    row = ctx.db.execute(
        "SELECT position, ticks FROM workshop_progress WHERE workshop_id = ?", [workshop_id]
    ).fetchone()
    if row is None:
        return Progress()
    try:
        saved = json.loads(row[1] or "[]")
        ticks = {(str(c), str(s)): {int(i) for i in items} for c, s, items in saved}
    except (TypeError, ValueError):  # written by this module; never fail a workshop on it
        ticks = {}
    return Progress(int(row[0] or 0), ticks)


# --- queries ----------------------------------------------------------------

# A household marked present as a whole brought the members it had then: someone
# registered in it later (a baby born since, a relative who moved in) was not there.
# "Then" is the later of the workshop's day and the day of the mark, because a
# facilitator may enter the attendance list a few days after the workshop.
MEMBER_WHEN_MARKED = "substr(p.created_at, 1, 10) <= max(w.held_on, substr(a.updated_at, 1, 10))"

_PEOPLE_PRESENT = f"""
    (SELECT count(*) FROM persons p WHERE p.deleted_at IS NULL AND (
        EXISTS (SELECT 1 FROM attendance a WHERE a.workshop_id = w.id
                AND a.deleted_at IS NULL AND a.person_id IS NULL
                AND a.household_id = p.household_id AND {MEMBER_WHEN_MARKED})
        OR EXISTS (SELECT 1 FROM attendance a WHERE a.workshop_id = w.id
                AND a.deleted_at IS NULL AND a.person_id = p.id)))
"""

_SELECT_WORKSHOPS = f"""
    SELECT w.*, u.name AS facilitator_name,
      (SELECT count(DISTINCT a.household_id) FROM attendance a
         JOIN households h ON h.id = a.household_id AND h.deleted_at IS NULL
         WHERE a.workshop_id = w.id AND a.deleted_at IS NULL) AS households,
      {_PEOPLE_PRESENT} AS people
    FROM workshops w LEFT JOIN users u ON u.id = w.facilitator_id
    WHERE w.deleted_at IS NULL
"""


def get_workshop(ctx: Context, workshop_id: str) -> Workshop:
    rows = list(ctx.db.query(_SELECT_WORKSHOPS + " AND w.id = ?", [workshop_id]))
    if not rows:
        raise NotFoundError("workshop", workshop_id)
    return _workshop(rows[0])


LATEST = "latest"


def find_workshop(ctx: Context, ref: str) -> Workshop:
    """A workshop by its id, the start of its id (as ``docassist workshops`` shows it),
    or ``latest``. Raises ``NotFoundError`` for none, ``ValidationError`` for several."""
    ref = ref.strip()
    if ref.lower() == LATEST:
        recent = list_workshops(ctx, 1)
        if not recent:
            raise NotFoundError("workshop", ref)
        return recent[0]
    rows = ctx.db.execute(
        "SELECT id FROM workshops WHERE deleted_at IS NULL AND (id = ? OR id LIKE ? ESCAPE '\\') "
        "LIMIT 2",
        [ref, ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"],
    ).fetchall()
    if not ref or not rows:
        raise NotFoundError("workshop", ref)
    if len(rows) > 1 and rows[0][0] != ref:
        raise ValidationError(
            {
                "workshop": [
                    Problem("ambiguous", N_("Several workshops start with {ref}."), {"ref": ref})
                ]
            }
        )
    return get_workshop(ctx, rows[0][0])


def list_workshops(ctx: Context, limit: int = 20) -> list[Workshop]:
    """The most recent workshops first."""
    rows = ctx.db.query(
        _SELECT_WORKSHOPS + " ORDER BY w.held_on DESC, w.created_at DESC, w.id LIMIT ?", [limit]
    )
    return [_workshop(r) for r in rows]


def attendees(ctx: Context, workshop_id: str, *, script_name: str = "latn") -> list[Attendee]:
    """The households present, sorted by family name in the alphabet of ``script_name``."""
    order = "h.sort_cyrl" if script_name == "cyrl" else "h.sort_latn"
    rows = ctx.db.execute(
        f"""
        SELECT a.household_id, a.person_id
        FROM attendance a JOIN households h ON h.id = a.household_id
        WHERE a.workshop_id = ? AND a.deleted_at IS NULL AND h.deleted_at IS NULL
        ORDER BY {order}, h.id
        """,
        [workshop_id],
    ).fetchall()
    marked: dict[str, set[str | None]] = {}
    for household_id, person_id in rows:
        marked.setdefault(household_id, set()).add(person_id)
    out: list[Attendee] = []
    for household_id, persons in marked.items():
        detail = hh.get_household(ctx, household_id)
        whole = None in persons
        people = tuple(m for m in detail.members if whole or m.id in persons)
        h = detail.household
        out.append(
            Attendee(household_id, h.family_name, h.settlement, h.municipality, whole, people)
        )
    return out


# --- helpers ----------------------------------------------------------------


def _workshop(row: dict[str, Any]) -> Workshop:
    return Workshop(
        id=row["id"],
        held_on=date.fromisoformat(row["held_on"]),
        place=row["place"],
        municipality=row["municipality"],
        settlement=row["settlement"],
        facilitator_id=row["facilitator_id"],
        facilitator_name=row["facilitator_name"],
        checklists=tuple(json.loads(row["checklists"] or "[]")),
        languages=tuple(json.loads(row["languages"] or "[]")),
        notes=row["notes"],
        created_at=row["created_at"],
        households=row["households"],
        people=row["people"],
        closed_at=row["closed_at"],
    )


def _workshop_row(ctx: Context, workshop_id: str) -> dict[str, Any]:
    rows = list(
        ctx.db.query("SELECT * FROM workshops WHERE id = ? AND deleted_at IS NULL", [workshop_id])
    )
    if not rows:
        raise NotFoundError("workshop", workshop_id)
    return rows[0]


def _member_ids(ctx: Context, household_id: str) -> set[str]:
    if not ctx.db.execute(
        "SELECT 1 FROM households WHERE id = ? AND deleted_at IS NULL", [household_id]
    ).fetchone():
        raise NotFoundError("household", household_id)
    rows = ctx.db.execute(
        "SELECT id FROM persons WHERE household_id = ? AND deleted_at IS NULL", [household_id]
    ).fetchall()
    return {r[0] for r in rows}


def _attendance_rows(
    ctx: Context, workshop_id: str, household_id: str
) -> dict[str | None, dict[str, Any]]:
    """Every attendance row of a household at a workshop, live or removed, by person id.

    Removed rows are revived rather than duplicated: the table's unique key would refuse
    a second row for the same person.
    """
    rows = ctx.db.query(
        "SELECT id, person_id, deleted_at FROM attendance "
        "WHERE workshop_id = ? AND household_id = ? ORDER BY deleted_at IS NULL",
        [workshop_id, household_id],
    )
    # Live rows sort last, so a live row wins over a removed one for the same person.
    return {r["person_id"]: r for r in rows}
