"""What a coordinator looks at first: what is blocked, overdue, due this week, and
which documents held have run out or soon will.

The words and the numbers mean the same thing: "open" is an active case that is not
blocked, "blocked" one held up by a blocked step (the two add up to the active
cases); "overdue" is an active case, open or blocked, whose next due date has
passed; "this week" is seven days, today and the six after it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from docassist.domain import script
from docassist.services import documents, places
from docassist.services.context import Context, LastAnswer
from docassist.services.documents import ExpiringDocument
from docassist.store.cases import active_case_sql


@dataclass(frozen=True)
class Scope:
    """Which part of the register the coordinator is looking at.

    A municipality or settlement is a place in any of its spellings, or its key
    (``places.place_key``): the cases of every spelling of it are in scope.
    """

    municipality: str | None = None
    settlement: str | None = None
    facilitator_id: str | None = None

    def where(self, ctx: Context) -> tuple[str, list[Any]]:
        # Cases carry their household's municipality and settlement (kept by
        # triggers), so counting needs no join to households; the spellings are
        # the households', which the cases copy.
        clauses, params = ["c.deleted_at IS NULL"], []
        place_clauses, place_params = places.where(ctx, "c", self.municipality, self.settlement)
        clauses += place_clauses
        params += place_params
        if self.facilitator_id:
            # the facilitator who follows the case, not whoever happened to open it
            clauses.append("c.assignee_id = ?")
            params.append(self.facilitator_id)
        return " AND ".join(clauses), params


@dataclass(frozen=True)
class Counts:
    open: int  # active and not blocked
    blocked: int
    overdue: int  # of the open and the blocked
    done_this_month: int


@dataclass(frozen=True)
class MunicipalityCounts:
    municipality: str  # as shown: the spelling a filter option shows too
    open: int  # not blocked, as in Counts
    blocked: int
    overdue: int
    # The place key (places.place_key; "" for no municipality): what a filter takes.
    key: str = field(default="", compare=False)


@dataclass(frozen=True)
class SettlementCounts:
    """The active cases of one settlement of one municipality ("Centar" is in many)."""

    municipality: str  # as shown, like MunicipalityCounts.municipality
    settlement: str  # as shown: the spelling the settlement filter shows
    open: int
    blocked: int
    overdue: int
    # The place keys ("" for none): what the two filters take.
    municipality_key: str = field(default="", compare=False)
    key: str = field(default="", compare=False)


# Days in "due this week": today and the six days after it.
WEEK_DAYS = 7


@dataclass(frozen=True)
class CaseLine:
    """One row of a dashboard list: enough to show it and to jump into the case."""

    case_id: str
    household_id: str
    person_name: str
    family_name: str
    municipality: str
    settlement: str
    checklist_id: str
    step_key: str | None
    due_date: date | None
    reason: str | None


# Each count spelled with the exact WHERE of a partial index (migration 0003),
# so SQLite counts index entries instead of reading every case.
_ACTIVE = active_case_sql("c")
_DONE = "c.status = 'done'"


def counts(ctx: Context, scope: Scope = Scope()) -> Counts:
    where, params = scope.where(ctx)
    by_place = _active_by_municipality(ctx, scope)
    done = ctx.db.execute(
        f"SELECT count(*) FROM cases c WHERE {where} AND {_DONE} AND c.outcome_date >= ?",
        [*params, ctx.today().replace(day=1).isoformat()],
    ).fetchone()[0]
    blocked = sum(r[3] or 0 for r in by_place)
    return Counts(
        open=sum(r[2] for r in by_place) - blocked,
        blocked=blocked,
        overdue=sum(r[4] or 0 for r in by_place),
        done_this_month=done,
    )


def counts_by_municipality(
    ctx: Context, scope: Scope = Scope(), script_name: str = "latn"
) -> list[MunicipalityCounts]:
    """Active cases by municipality, one row per place however it was typed, named
    and sorted as the municipality filter shows them in ``script_name``."""
    shown = {p.key: p.name for p in places.municipalities(ctx, script_name)}
    merged: dict[str, list[Any]] = {}
    for municipality, _settlement, active, blocked, overdue in _active_by_municipality(ctx, scope):
        key = places.place_key(municipality) if municipality else ""
        row = merged.setdefault(key, [shown.get(key, municipality), 0, 0, 0])
        row[1] += active - (blocked or 0)
        row[2] += blocked or 0
        row[3] += overdue or 0
    rows = [
        MunicipalityCounts(name, open_, blocked, overdue, key=key)
        for key, (name, open_, blocked, overdue) in merged.items()
    ]
    return sorted(rows, key=lambda r: script.sort_key(r.municipality, script_name))


def counts_by_settlement(
    ctx: Context, scope: Scope = Scope(), script_name: str = "latn"
) -> list[SettlementCounts]:
    """Active cases by settlement within each municipality, one row per place however
    it was typed; sorted by municipality, then settlement, as the filters show them."""
    shown_m = {p.key: p.name for p in places.municipalities(ctx, script_name)}
    shown_s = {p.key: p.name for p in places.settlements(ctx, None, script_name)}
    merged: dict[tuple[str, str], list[Any]] = {}
    for municipality, settlement, active, blocked, overdue in _active_by_municipality(ctx, scope):
        mkey = places.place_key(municipality) if municipality else ""
        skey = places.place_key(settlement) if settlement else ""
        row = merged.setdefault(
            (mkey, skey),
            [shown_m.get(mkey, municipality), shown_s.get(skey, settlement), 0, 0, 0],
        )
        row[2] += active - (blocked or 0)
        row[3] += blocked or 0
        row[4] += overdue or 0
    rows = [
        SettlementCounts(m, s, open_, blocked, overdue, municipality_key=mkey, key=skey)
        for (mkey, skey), (m, s, open_, blocked, overdue) in merged.items()
    ]
    return sorted(
        rows,
        key=lambda r: (
            not r.municipality,
            script.sort_key(r.municipality, script_name),
            not r.settlement,
            script.sort_key(r.settlement, script_name),
        ),
    )


def _active_by_municipality(ctx: Context, scope: Scope) -> list[tuple]:
    """Active, blocked and overdue cases by municipality and settlement: the one
    pass over the active cases that counts(), counts_by_municipality() and
    counts_by_settlement() need. The dashboard asks for all three in one refresh,
    so the answer is kept until the next write."""
    where, params = scope.where(ctx)
    today = ctx.today().isoformat()
    # Named index: left to itself SQLite picks the status index and reads
    # every open case's row for its municipality (~0.5 s on 50,000 families);
    # this one is already in municipality order and holds all it needs.
    sql = f"""
        SELECT c.municipality, c.settlement,
          count(*),
          sum(c.status = 'blocked'),
          sum(c.next_due < ?)
        FROM cases c INDEXED BY cases_active_place
        WHERE {where} AND {_ACTIVE}
        GROUP BY c.municipality, c.settlement
        ORDER BY c.municipality, c.settlement
    """
    return _last_by_place.get(
        ctx,
        (scope, today),
        lambda: ctx.db.execute(sql, [today, *params]).fetchall(),
    )


_last_by_place = LastAnswer()


def _lines(
    ctx: Context, scope: Scope, condition: str, extra: list[Any], limit: int
) -> list[CaseLine]:
    where, params = scope.where(ctx)
    rows = ctx.db.execute(
        f"""
        SELECT c.id, c.household_id, p.given_name || ' ' || p.family_name, h.family_name,
               h.municipality, h.settlement, c.checklist_id,
               (SELECT s.step_key FROM case_steps s WHERE s.case_id = c.id
                  AND s.status IN ('todo','in_progress','blocked') ORDER BY s.position LIMIT 1),
               c.next_due, c.blocked_reason
        FROM cases c
        JOIN households h ON h.id = c.household_id
        JOIN persons p ON p.id = c.person_id
        WHERE {where} AND {condition}
        ORDER BY c.next_due IS NULL, c.next_due, c.opened_at
        LIMIT ?
        """,
        [*params, *extra, limit],
    ).fetchall()
    return [
        CaseLine(
            case_id=r[0],
            household_id=r[1],
            person_name=r[2],
            family_name=r[3],
            municipality=r[4],
            settlement=r[5],
            checklist_id=r[6],
            step_key=r[7],
            due_date=date.fromisoformat(r[8]) if r[8] else None,
            reason=r[9],
        )
        for r in rows
    ]


def blocked_cases(ctx: Context, scope: Scope = Scope(), limit: int = 200) -> list[CaseLine]:
    return _lines(ctx, scope, "c.status = 'blocked'", [], limit)


def overdue_cases(ctx: Context, scope: Scope = Scope(), limit: int = 200) -> list[CaseLine]:
    return _lines(
        ctx,
        scope,
        f"{_ACTIVE} AND c.next_due < ?",
        [ctx.today().isoformat()],
        limit,
    )


def _week(ctx: Context) -> list[str]:
    """The first and last day of "this week": today and six days on, both included."""
    today = ctx.today()
    return [today.isoformat(), (today + timedelta(days=WEEK_DAYS - 1)).isoformat()]


def due_this_week(ctx: Context, scope: Scope = Scope(), limit: int = 200) -> list[CaseLine]:
    return _lines(ctx, scope, f"{_ACTIVE} AND c.next_due BETWEEN ? AND ?", _week(ctx), limit)


def due_this_week_count(ctx: Context, scope: Scope = Scope()) -> int:
    """How many cases ``due_this_week`` would list without its limit (for the tab title)."""
    where, params = scope.where(ctx)
    return ctx.db.execute(
        f"""
        SELECT count(*) FROM cases c
        WHERE {where} AND {_ACTIVE} AND c.next_due BETWEEN ? AND ?
        """,
        [*params, *_week(ctx)],
    ).fetchone()[0]


def expiring_documents(
    ctx: Context, scope: Scope = Scope(), limit: int = 200
) -> tuple[list[ExpiringDocument], int, int]:
    """Documents held that have run out, or will within 30 days, in the scope: the
    lines (soonest first, at most ``limit``), how many expired, how many expire soon.

    A facilitator's scope is the households of the cases assigned to them.
    """
    clauses, params = places.where(ctx, "h", scope.municipality, scope.settlement)
    if scope.facilitator_id:
        clauses.append(
            "EXISTS (SELECT 1 FROM cases c WHERE c.household_id = h.id"
            " AND c.assignee_id = ? AND c.deleted_at IS NULL AND c.voided_at IS NULL)"
        )
        params.append(scope.facilitator_id)
    return documents.expiring_documents(ctx, clauses, params, limit=limit)
