"""Aggregate figures for municipalities, migration councils and donors: counts, never names.

A report covers a period (both ends included) and optionally one municipality. Its
tables are plain data — a title msgid, columns with msgids, rows of numbers and labels —
so the same ``Report`` feeds the terminal table, CSV, XLSX, JSON and the Reports screen.

Definitions (they are what the numbers mean; change them only on purpose):

- **Period.** Without dates a report covers the current calendar quarter up to today:
  donors ask for quarterly figures, and "so far this quarter" is what a coordinator
  checks during one. Only ``--from``: up to today. Only ``--to``: from the start of that
  day's quarter. Stored timestamps are UTC; a day is the UTC calendar day.
- **Served.** A person was served in the period when any of these happened in it: a
  case of theirs was opened or closed; something was recorded on one of their cases
  (a step changed, a due date moved: the case's events), or a step was marked done
  with a date in the period; or they attended a workshop held in the period — named
  in the attendance, or as a member of a household marked present as a whole (the
  same rule as the workshop's own head count: the members it had when it was
  marked, not those registered in it since). A household was served when one of
  its members was, or when it was marked present at a workshop in the period.
- **Municipality.** People, cases and documents belong to their household's
  municipality; workshops to the municipality where they were held.
- **Settlement.** Within its municipality, as the household's settlement: one
  settlement however it was typed (script, case, diacritics: ``services.places``),
  named in its most used spelling; households with none recorded count under
  "(no settlement)". The settlement tables break down the municipality tables, row
  for row, so each municipality's settlements add up to its figures. A settlement is
  small: its sex and age counts below the threshold are hidden whatever the scope.
- **Documents obtained.** Documents people obtained in the period, each person's
  document once: a case closed with the outcome "document obtained", an outcome date
  in the period and a checklist that produces a document. Two cases that obtained
  the same document for one person (a court case and a late registration, both
  closed "obtained") count once, as the earlier of the two; the "Cases by procedure"
  table still counts each case under its own procedure.
- **Routes completed.** Cases closed "obtained" in the period on a procedure that
  produces no document (the returnees' first steps): each person's procedure once,
  counted apart and never in the documents total.
- **Age group.** Age on the day the document was obtained, computed by
  ``PartialDate.age_on``: someone known only by the year of birth (or "about" a
  year) is taken as born on 1 July of that year, someone known to the month on the
  15th. So "2021" is 4 years old on 30 June 2026 and 5 on 1 July 2026. People with
  no birth date recorded count under "Age not known".
- **Open, blocked, overdue.** The cases' state today (the register does not keep a
  history of blocking). Open and blocked are apart: an open case is not blocked, and
  the two add up to the cases still running; overdue (of either) means an unfinished
  step's due date has passed.
- **Time to document.** Days from the day a case was opened to the day the document
  was obtained, for documents obtained in the period: the median, and the 90th
  percentile by the nearest-rank method (the smallest value that at least 90% of the
  cases do not exceed).
- **Refusals by reason.** Refusals dated in the period. A reason chosen from the
  checklist's list is counted under that reason; a reason typed by hand counts as
  "Another reason" — typed text may hold names, and a report never shows them.
"""

from __future__ import annotations

import json
import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from docassist import procedures as cl
from docassist.domain import script
from docassist.domain.dates import DayProblem, PartialDate
from docassist.domain.dates import parse_day as read_day
from docassist.domain.model import DOCUMENT_LABELS, DocumentKind, Sex
from docassist.domain.text import N_, Problem
from docassist.i18n import format_date, translator
from docassist.services.context import Context, ValidationError
from docassist.services.places import group_places, place_key
from docassist.services.settings import DEFAULT_SMALL_COUNTS_BELOW
from docassist.services.workshops import MEMBER_WHEN_MARKED
from docassist.store.cases import active_case_sql

# Cases of people or households removed from the register count nowhere, as the
# people themselves no longer count as served (a removal is often a duplicate record).
# A case voided as a mistake (services/cases.void_case) was never real work: out of
# every figure, like a removed person's.
_LIVE = (
    " AND c.voided_at IS NULL"
    " AND h.deleted_at IS NULL AND EXISTS (SELECT 1 FROM persons lp"
    " WHERE lp.id = c.person_id AND lp.deleted_at IS NULL)"
)

# --- the shape of a report ----------------------------------------------------


@dataclass(frozen=True)
class Msg:
    """A label to translate when the report is shown (an English msgid)."""

    msgid: str


# What a cell may hold: numbers stay numbers, dates stay dates; ``Msg`` and a
# checklist's ``Text`` are turned into words in the reader's language by ``localize``;
# a plain ``str`` is data (a municipality) and is shown as it is.
Cell = int | float | date | str | Msg | cl.Text | None


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # msgid
    kind: str = "count"  # "label", "count" (whole number) or "days" (may have a half)
    bar: bool = False  # the column the Reports screen draws a bar for


@dataclass(frozen=True)
class Table:
    key: str
    title: str  # msgid
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str | None = None  # msgid: what the figures mean, one or two sentences
    total_row: bool = False  # the last row adds up the others
    # counts from 1 to this minus one are shown as "<this" (0: all shown)
    hidden_below: int = 0


SMALL_COUNTS_NOTE = N_(
    "Counts below {n} are shown as <{n}: in one municipality they could point at one family."
)


def table_note(table: Table, gettext: Callable[[str], str]) -> str | None:
    """What the table's figures mean, in the reader's language, with the hiding of small
    counts said where it applies."""
    parts = [gettext(table.note)] if table.note else []
    if table.hidden_below:
        parts.append(gettext(SMALL_COUNTS_NOTE).format(n=table.hidden_below))
    return " ".join(parts) or None


def hide_small_counts(table: Table, below: int) -> Table:
    """``table`` with its sex and age counts from 1 to ``below`` - 1 shown as "<below".

    Zeros stay: they point at nobody. In the sex x age table the age group's total is a
    cell of the cross too and is hidden the same way; a document's total (the Total
    column of the other tables) counts people of every sex and age and stays.
    """
    if below < 2:
        return table
    hide = [
        c.key.startswith(("sex_", "age_"))
        or (table.key == "documents_sex_age" and c.key == "total")
        for c in table.columns
    ]
    shown = f"<{below}"
    rows = tuple(
        tuple(
            shown if h and isinstance(v, int) and 0 < v < below else v
            for h, v in zip(hide, row, strict=True)
        )
        for row in table.rows
    )
    return replace(table, rows=rows, hidden_below=below)


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def iso(self) -> tuple[str, str]:
        return self.start.isoformat(), self.end.isoformat()


@dataclass(frozen=True)
class Report:
    title: str  # msgid
    period: Period
    municipality: str | None
    made_on: date
    tables: tuple[Table, ...] = field(default=())

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


REPORT_TITLE = N_("Documents and workshops report")

# --- age groups and sexes -------------------------------------------------------

AGE_GROUPS: tuple[tuple[str, int, int | None], ...] = (
    ("0-4", 0, 4),
    ("5-17", 5, 17),
    ("18-59", 18, 59),
    ("60+", 60, None),
)
AGE_UNKNOWN = "unknown"
AGE_LABELS: dict[str, str] = {
    "0-4": N_("Age 0-4"),
    "5-17": N_("Age 5-17"),
    "18-59": N_("Age 18-59"),
    "60+": N_("Age 60+"),
    AGE_UNKNOWN: N_("Age not known"),
}
SEX_COLUMNS: dict[Sex, str] = {
    Sex.FEMALE: N_("Women and girls"),
    Sex.MALE: N_("Men and boys"),
    Sex.UNKNOWN: N_("Sex not known"),
}


def age_group(age: int | None) -> str:
    """The report's age group for a completed age in years; "unknown" for None."""
    if age is None:
        return AGE_UNKNOWN
    for key, low, high in AGE_GROUPS:
        if age >= low and (high is None or age <= high):
            return key
    return AGE_UNKNOWN  # a negative age cannot come from PartialDate.age_on


def age_at(birth_date: str | None, on: date) -> int | None:
    """Age in completed years on ``on`` from a stored partial birth date (see module doc)."""
    if not birth_date:
        return None
    try:
        return PartialDate.from_storage(birth_date).age_on(on)
    except ValueError:  # unreadable, or "born" after the document was issued
        return None


def percentile(values: Iterable[float], share: float) -> float | None:
    """Nearest-rank percentile: the smallest value with ``share`` of the values at or below."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


# --- the period and the municipality, as typed -----------------------------------------


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


_DAY_PARTS = re.compile(r"\s*[./-]\s*")


def parse_day(text: str, today: date, field_name: str = "date") -> date:
    """A whole day as typed (the domain's reader); raises ValidationError."""
    bad = Problem(
        "date",
        N_("'{text}' is not a date. Type it like 2026-07-01 or 1.7.2026."),
        {"text": text.strip()},
    )
    body = text.strip().rstrip(".").strip()
    try:
        # A period needs the year typed: "1.7." could mean last July or this one.
        day = read_day(body, today) if len(_DAY_PARTS.split(body)) == 3 else None
    except DayProblem:
        day = None
    if day is None:
        raise ValidationError({field_name: [bad]})
    return day


def make_period(
    today: date, start: date | str | None = None, end: date | str | None = None
) -> Period:
    """The period to report on, with the defaults described in the module doc."""
    end_day = parse_day(end, today, "to") if isinstance(end, str) else end
    start_day = parse_day(start, today, "from") if isinstance(start, str) else start
    if end_day is None:
        end_day = today if start_day is None or start_day <= today else start_day
    if start_day is None:
        start_day = quarter_start(end_day)
    if start_day > end_day:
        raise ValidationError(
            {
                "from": [
                    Problem(
                        "order",
                        N_("The period starts after it ends: {start} is later than {end}."),
                        {"start": format_date(start_day), "end": format_date(end_day)},
                    )
                ]
            }
        )
    return Period(start_day, end_day)


def resolve_municipality(ctx: Context, text: str | None) -> str | None:
    """The municipality as registered, matched across scripts, case and diacritics."""
    if text is None or not text.strip():
        return None
    wanted = script.search_key(text)
    rows = ctx.db.execute(
        "SELECT DISTINCT municipality FROM households WHERE deleted_at IS NULL "
        "UNION SELECT DISTINCT municipality FROM workshops WHERE deleted_at IS NULL"
    ).fetchall()
    known = sorted({r[0] for r in rows if r[0]}, key=script.sort_key)
    for name in known:
        if name == text.strip() or script.search_key(name) == wanted:
            return name
    raise ValidationError(
        {
            "municipality": [
                Problem(
                    "unknown",
                    N_("No household or workshop is registered in '{name}'. Known: {known}."),
                    {"name": text.strip(), "known": ", ".join(known) or "-"},
                )
            ]
        }
    )


# --- building the report ----------------------------------------------------------


def audit_report(ctx: Context, period: Period, municipality: str | None) -> None:
    """Record that a report was made (CLI or Reports screen): who, the period and
    the municipality. The figures have no names, but they describe the families."""
    start, end = period.iso()
    with ctx.use_case():
        ctx.audit(
            "report",
            "register",
            "report",
            after={"from": start, "to": end, "municipality": municipality},
        )


NO_MUNICIPALITY = Msg(N_("(no municipality)"))
OTHER_REASON = Msg(N_("Another reason"))


def build_report(
    ctx: Context,
    period: Period,
    municipality: str | None = None,
    checklists: cl.ChecklistSet | None = None,
    small_counts_below: int = DEFAULT_SMALL_COUNTS_BELOW,
) -> Report:
    """Every table of the report; reads only, writes nothing.

    With one municipality chosen, the sex x age counts below ``small_counts_below``
    (settings.toml) are hidden; over all municipalities they point at nobody.
    """
    q = _Query(ctx, period, municipality, checklists)
    served = q.served()
    obtained = q.obtained()
    documents = _each_once([d for d in obtained if d.produces_document])
    routes = _each_once([d for d in obtained if not d.produces_document])
    workshops = q.workshops()
    procedures = q.procedures(obtained)
    refusals = q.refusals()

    summary = Table(
        "summary",
        N_("Summary"),
        (Column("figure", N_("Figure"), "label"), Column("value", N_("Number"))),
        (
            (Msg(N_("Households served")), served.households),
            (Msg(N_("People served")), served.people),
            (Msg(N_("Documents obtained")), len(documents)),
            (Msg(N_("Routes completed (no document)")), len(routes)),
            (Msg(N_("Cases opened")), q.cases_opened()),
            (Msg(N_("Refusals")), sum(n for *_, n in refusals)),
            (Msg(N_("Workshops held")), workshops.held),
            (Msg(N_("Workshop participants (people)")), workshops.people),
            (Msg(N_("Workshop participants (households)")), workshops.households),
            (Msg(N_("Open cases today")), sum(p.open for p in procedures)),
            (Msg(N_("Blocked cases today")), sum(p.blocked for p in procedures)),
            (Msg(N_("Overdue cases today")), sum(p.overdue for p in procedures)),
        ),
        N_(
            "Served: a case opened, closed or worked on, or a workshop attended in the "
            "period. Open (not blocked), blocked and overdue: as of today."
        ),
    )
    served_table = Table(
        "served",
        N_("Served by municipality"),
        (
            Column("municipality", N_("Municipality"), "label"),
            Column("households", N_("Households served")),
            Column("people", N_("People served"), bar=True),
        ),
        tuple(
            (_place(m), h, p)
            for m, (h, p) in sorted(served.by_municipality.items(), key=_place_order)
        ),
    )
    served_settlements = Table(
        "served_by_settlement",
        N_("Served by settlement"),
        (
            Column("municipality", N_("Municipality"), "label"),
            Column("settlement", N_("Settlement"), "label"),
            Column("households", N_("Households served")),
            Column("people", N_("People served"), bar=True),
        ),
        tuple(
            (_place(m), _settlement(s), h, p)
            for (m, s), (h, p) in sorted(served.by_settlement.items(), key=_settlement_order)
        ),
    )
    *document_tables, documents_by_settlement = _document_tables(documents, q.procedure_label)
    return Report(
        REPORT_TITLE,
        period,
        municipality,
        ctx.today(),
        (
            summary,
            served_table,
            served_settlements,
            *(
                hide_small_counts(t, small_counts_below) if municipality else t
                for t in document_tables
            ),
            hide_small_counts(documents_by_settlement, small_counts_below),
            _routes_table(routes, q.procedure_label),
            *_workshop_tables(workshops, q.procedure_label),
            _procedure_table(procedures, q.procedure_label),
            Table(
                "refusals",
                N_("Refusals by reason"),
                (
                    Column("procedure", N_("Procedure"), "label"),
                    Column("reason", N_("Reason"), "label"),
                    Column("refusals", N_("Refusals"), bar=True),
                ),
                tuple((q.procedure_label(cid), reason, n) for cid, reason, n in refusals),
                N_("A reason typed by hand counts as 'Another reason': it may contain names."),
            ),
        ),
    )


@dataclass(frozen=True)
class _Served:
    households: int
    people: int
    by_municipality: dict[str, tuple[int, int]]
    # (municipality, settlement as named in the report) -> (households, people)
    by_settlement: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Document:
    label_key: str  # document kind, or the checklist id when it produces none
    checklist_id: str
    municipality: str
    sex: Sex
    age_group: str
    days: int
    person_id: str = ""
    produces_document: bool = True
    obtained_on: str = ""  # ISO day: which of two cases for one document came first
    settlement: str = ""  # as named in the report (settlement_names)


def _each_once(items: list[_Document]) -> list[_Document]:
    """One per person and document (or procedure, for a route): the first obtained."""
    first: dict[tuple[str, str], _Document] = {}
    for d in sorted(items, key=lambda d: (d.obtained_on, -d.days)):
        first.setdefault((d.person_id, d.label_key), d)
    return list(first.values())


@dataclass(frozen=True)
class _Workshops:
    held: int
    people: int
    households: int
    by_municipality: dict[str, tuple[int, int, int]]
    checklists: Counter[str]


@dataclass
class _Procedure:
    checklist_id: str
    open: int = 0
    blocked: int = 0
    overdue: int = 0
    obtained: int = 0
    refused: int = 0
    days: list[int] = field(default_factory=list)


class _Query:
    def __init__(
        self,
        ctx: Context,
        period: Period,
        municipality: str | None,
        checklists: cl.ChecklistSet | None,
    ) -> None:
        self.db = ctx.db
        self.today = ctx.today()
        self.start, self.end = period.iso()
        self.municipality = municipality
        self.checklists = checklists
        # checklist id -> search key of each refusal label, in every language -> reason
        # per checklist: (label search key, reason), the longest label first
        self._reason_keys: dict[str, list[tuple[str, cl.RefusalReason]]] = {}
        self._settlement_names: dict[tuple[str, str], str] | None = None

    def _place(self, alias: str = "h") -> tuple[str, list[Any]]:
        if self.municipality is None:
            return "", []
        return f" AND {alias}.municipality = ?", [self.municipality]

    def procedure_label(self, checklist_id: str) -> Cell:
        found = self.checklists.get(checklist_id) if self.checklists else None
        return found.title if found else checklist_id

    def settlement_names(self) -> dict[tuple[str, str], str]:
        """(municipality, settlement as typed) -> its name in the report, from every
        live household in the report's scope: each table names a settlement alike."""
        if self._settlement_names is None:
            place, params = self._place("households")
            typed = self.db.execute(
                "SELECT municipality, coalesce(settlement, ''), count(*) FROM households "
                "WHERE deleted_at IS NULL" + place + " GROUP BY 1, 2",
                params,
            ).fetchall()
            self._settlement_names = settlement_names(Counter({(m, s): n for m, s, n in typed}))
        return self._settlement_names

    # -- served ------------------------------------------------------------------

    def served(self) -> _Served:
        # Gathered as (person, household) pairs and joined to the households in Python:
        # on a register of 50,000 households, looking up every served person by a random
        # UUID key took seconds; scanning cases once and the households once does not.
        period = {"s": self.start, "e": self.end}
        pairs = self.db.execute(
            """
            SELECT person_id, household_id FROM cases
            WHERE deleted_at IS NULL AND voided_at IS NULL AND (
              substr(opened_at, 1, 10) BETWEEN :s AND :e
              OR outcome_date BETWEEN :s AND :e
              OR id IN (SELECT case_id FROM case_events WHERE substr(at, 1, 10) BETWEEN :s AND :e)
              OR id IN (SELECT case_id FROM case_steps
                        WHERE deleted_at IS NULL AND done_date BETWEEN :s AND :e))
            UNION
            SELECT a.person_id, a.household_id
            FROM attendance a JOIN workshops w ON w.id = a.workshop_id
            WHERE a.deleted_at IS NULL AND w.deleted_at IS NULL AND w.held_on BETWEEN :s AND :e
            UNION
            SELECT p.id, a.household_id
            FROM attendance a JOIN workshops w ON w.id = a.workshop_id
            JOIN persons p ON p.household_id = a.household_id AND p.deleted_at IS NULL
            WHERE a.deleted_at IS NULL AND w.deleted_at IS NULL AND a.person_id IS NULL
              AND w.held_on BETWEEN :s AND :e AND """
            + MEMBER_WHEN_MARKED,
            period,
        ).fetchall()
        removed = {
            r[0] for r in self.db.execute("SELECT id FROM persons WHERE deleted_at IS NOT NULL")
        }
        place, params = self._place("households")
        place_of = {
            household_id: (municipality, settlement or "")
            for household_id, municipality, settlement in self.db.execute(
                "SELECT id, municipality, settlement FROM households WHERE deleted_at IS NULL"
                + place,
                params,
            ).fetchall()
        }
        named = self.settlement_names()
        households: dict[str, set[str]] = defaultdict(set)
        people: dict[str, set[str]] = defaultdict(set)
        settlement_households: dict[tuple[str, str], set[str]] = defaultdict(set)
        settlement_people: dict[tuple[str, str], set[str]] = defaultdict(set)
        for person_id, household_id in pairs:
            found = place_of.get(household_id)
            if found is None or person_id in removed:
                continue
            municipality, settlement = found[0], named[found]
            households[municipality].add(household_id)
            settlement_households[(municipality, settlement)].add(household_id)
            if person_id is not None:  # a household marked present as a whole
                people[municipality].add(person_id)
                settlement_people[(municipality, settlement)].add(person_id)
        by_municipality = {m: (len(households[m]), len(people[m])) for m in households}
        return _Served(
            sum(h for h, _p in by_municipality.values()),
            sum(p for _h, p in by_municipality.values()),
            by_municipality,
            {k: (len(v), len(settlement_people[k])) for k, v in settlement_households.items()},
        )

    def cases_opened(self) -> int:
        place, params = self._place()
        return self.db.execute(
            "SELECT count(*) FROM cases c JOIN households h ON h.id = c.household_id "
            "WHERE c.deleted_at IS NULL"
            + _LIVE
            + " AND substr(c.opened_at, 1, 10) BETWEEN ? AND ?"
            + place,
            [self.start, self.end, *params],
        ).fetchone()[0]

    # -- documents ---------------------------------------------------------------

    def obtained(self) -> list[_Document]:
        """Every case closed "obtained" in the period: documents and routes, each case
        once (build_report counts each person's document once)."""
        place, params = self._place()
        rows = self.db.execute(
            "SELECT coalesce(c.produces, c.checklist_id), c.checklist_id, h.municipality, p.sex, "
            "p.birth_date, c.outcome_date, substr(c.opened_at, 1, 10), p.id, "
            "c.produces IS NOT NULL, coalesce(h.settlement, '') "
            "FROM cases c JOIN persons p ON p.id = c.person_id "
            "JOIN households h ON h.id = c.household_id "
            "WHERE c.deleted_at IS NULL" + _LIVE + " AND c.outcome = 'obtained' "
            "AND c.outcome_date BETWEEN ? AND ?" + place,
            [self.start, self.end, *params],
        ).fetchall()
        named = self.settlement_names()
        out = []
        for row in rows:
            kind, checklist_id, municipality, sex, birth, obtained, opened, person, document = row[
                :9
            ]
            on = date.fromisoformat(obtained)
            days = (on - date.fromisoformat(opened)).days
            out.append(
                _Document(
                    kind,
                    checklist_id,
                    municipality,
                    Sex(sex) if sex in Sex._value2member_map_ else Sex.UNKNOWN,
                    age_group(age_at(birth, on)),
                    max(days, 0),
                    person_id=person,
                    produces_document=bool(document),
                    obtained_on=obtained,
                    settlement=named[(municipality, row[9])],
                )
            )
        return out

    # -- workshops ---------------------------------------------------------------

    def workshops(self) -> _Workshops:
        place, params = self._place("w")
        held = self.db.execute(
            "SELECT w.id, w.municipality, w.checklists FROM workshops w "
            "WHERE w.deleted_at IS NULL AND w.held_on BETWEEN ? AND ?" + place,
            [self.start, self.end, *params],
        ).fetchall()
        rows = self.db.execute(
            f"""
            SELECT w.id, a.household_id, a.person_id
            FROM attendance a JOIN workshops w ON w.id = a.workshop_id
            JOIN households h ON h.id = a.household_id AND h.deleted_at IS NULL
            LEFT JOIN persons p ON p.id = a.person_id
            WHERE a.deleted_at IS NULL AND w.deleted_at IS NULL
              AND w.held_on BETWEEN ? AND ? {place}
              AND (a.person_id IS NULL OR p.deleted_at IS NULL)
            UNION
            SELECT w.id, a.household_id, p.id
            FROM attendance a JOIN workshops w ON w.id = a.workshop_id
            JOIN households h ON h.id = a.household_id AND h.deleted_at IS NULL
            JOIN persons p ON p.household_id = a.household_id AND p.deleted_at IS NULL
            WHERE a.deleted_at IS NULL AND w.deleted_at IS NULL AND a.person_id IS NULL
              AND w.held_on BETWEEN ? AND ? {place} AND {MEMBER_WHEN_MARKED}
            """,
            [self.start, self.end, *params, self.start, self.end, *params],
        ).fetchall()
        municipality_of = {wid: m for wid, m, _c in held}
        per_place: dict[str, list[set[str]]] = defaultdict(lambda: [set(), set(), set()])
        all_people: set[str] = set()
        all_households: set[str] = set()
        for wid, household_id, person_id in rows:
            counts = per_place[municipality_of[wid]]
            counts[2].add(household_id)
            all_households.add(household_id)
            if person_id is not None:
                counts[1].add(person_id)
                all_people.add(person_id)
        covered: Counter[str] = Counter()
        for wid, municipality, checklist_ids in held:
            per_place[municipality][0].add(wid)
            covered.update(dict.fromkeys(json.loads(checklist_ids or "[]"), 1))
        return _Workshops(
            len(held),
            len(all_people),
            len(all_households),
            {m: (len(w), len(p), len(h)) for m, (w, p, h) in per_place.items()},
            covered,
        )

    # -- procedures and refusals ---------------------------------------------------

    def procedures(self, documents: list[_Document]) -> list[_Procedure]:
        place, params = self._place()
        by_id: dict[str, _Procedure] = {}
        rows = self.db.execute(
            # total() and coalesce: a comparison with a NULL outcome is NULL.
            "SELECT c.checklist_id, "
            "  total(c.status = 'open'), total(c.status = 'blocked'), "
            f"  total({active_case_sql()} AND c.next_due < ?), "
            "  total(coalesce(c.outcome = 'refused' AND c.outcome_date BETWEEN ? AND ?, 0)) "
            "FROM cases c JOIN households h ON h.id = c.household_id "
            "WHERE c.deleted_at IS NULL" + _LIVE + place + " GROUP BY c.checklist_id",
            [self.today.isoformat(), self.start, self.end, *params],
        ).fetchall()
        for checklist_id, *counts in rows:
            open_, blocked, overdue, refused = (int(n) for n in counts)
            by_id[checklist_id] = _Procedure(checklist_id, open_, blocked, overdue, 0, refused)
        # The cases obtained were read once already; their days are reused here.
        for document in documents:
            proc = by_id.setdefault(document.checklist_id, _Procedure(document.checklist_id))
            proc.obtained += 1
            proc.days.append(document.days)
        return [
            p
            for p in self._in_checklist_order(by_id)
            if p.open or p.obtained or p.refused or p.blocked
        ]

    def _in_checklist_order(self, by_id: dict[str, _Procedure]) -> list[_Procedure]:
        order = [c.id for c in self.checklists] if self.checklists else []
        rank = {cid: i for i, cid in enumerate(order)}
        return [by_id[k] for k in sorted(by_id, key=lambda k: (rank.get(k, len(rank)), k))]

    def refusals(self) -> list[tuple[str, Cell, int]]:
        place, params = self._place()
        rows = self.db.execute(
            "SELECT c.checklist_id, c.outcome_reason FROM cases c "
            "JOIN households h ON h.id = c.household_id "
            "WHERE c.deleted_at IS NULL" + _LIVE + " AND c.outcome = 'refused' "
            "AND c.outcome_date BETWEEN ? AND ?" + place,
            [self.start, self.end, *params],
        ).fetchall()
        counts: Counter[tuple[str, str | None]] = Counter()
        reasons: dict[tuple[str, str | None], Cell] = {}
        for checklist_id, text in rows:
            found = self._reason(checklist_id, text or "")
            key = (checklist_id, found.key if found else None)
            counts[key] += 1
            reasons[key] = found.label if found else OTHER_REASON
        order = [c.id for c in self.checklists] if self.checklists else []
        rank = {cid: i for i, cid in enumerate(order)}
        keys = sorted(counts, key=lambda k: (rank.get(k[0], len(rank)), k[0], -counts[k]))
        return [(cid, reasons[(cid, r)], counts[(cid, r)]) for cid, r in keys]

    def _reason(self, checklist_id: str, text: str) -> cl.RefusalReason | None:
        """The checklist reason the recorded text starts with, in any of its languages.

        The close dialog records "label: details", the label in the language of the
        person who closed the case; matching by search key ignores script and case.
        """
        if not text:
            return None
        labels = self._reason_keys.get(checklist_id)
        if labels is None:
            found = self.checklists.get(checklist_id) if self.checklists else None
            by_key = {
                script.search_key(label): reason
                for reason in (found.refusal_reasons if found else ())
                for lang in ("en", "sr", "sr_Latn", "rom")
                if (label := reason.label.get(lang)[0])
            }
            labels = self._reason_keys[checklist_id] = sorted(
                by_key.items(), key=lambda item: len(item[0]), reverse=True
            )
        # Labels may hold a colon themselves ("The 15-day deadline has passed: late
        # registration is needed"), so the label is found as a whole-word prefix of
        # the text, the longest first, rather than by cutting at the first colon.
        key = script.search_key(text)
        for label, reason in labels:
            if key == label or key.startswith(label + " "):
                return reason
        return None


# --- tables ------------------------------------------------------------------------


def _place(municipality: str) -> Cell:
    return municipality or NO_MUNICIPALITY


def _place_order(item: tuple[str, Any]) -> tuple[bool, script.SortKey]:
    return (not item[0], script.sort_key(item[0]))


NO_SETTLEMENT = Msg(N_("(no settlement)"))


def _settlement(settlement: str) -> Cell:
    return settlement or NO_SETTLEMENT


def _settlement_order(
    item: tuple[tuple[str, str], Any],
) -> tuple[bool, script.SortKey, bool, script.SortKey]:
    (municipality, settlement), _figures = item
    return (*_place_order((municipality, None)), *_place_order((settlement, None)))


def settlement_names(typed: Counter[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Each (municipality, settlement as typed) -> the settlement's name in the report:
    the spellings of one settlement (services/places: "Crvena zvezda", "Црвена звезда")
    in one municipality are one row, under the spelling used most. "" stays "" (none
    recorded). ``typed`` counts how often each was used."""
    spellings: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for (municipality, settlement), uses in typed.items():
        if settlement:
            spellings[(municipality, place_key(settlement))][settlement] += uses
    shown = {key: group_places(uses.items())[0].name for key, uses in spellings.items()}
    return {
        (municipality, settlement): (
            shown[(municipality, place_key(settlement))] if settlement else ""
        )
        for municipality, settlement in typed
    }


def _document_tables(documents: list[_Document], procedure_label: Any) -> list[Table]:
    def _document_label(key: str) -> Cell:
        if key in DocumentKind._value2member_map_:
            return Msg(DOCUMENT_LABELS[DocumentKind(key)])
        return procedure_label(key)  # a procedure that produces no document of a kind

    by_kind: dict[str, list[_Document]] = defaultdict(list)
    for d in documents:
        by_kind[d.label_key].append(d)
    kinds = [k.value for k in DocumentKind if k.value in by_kind] + sorted(
        k for k in by_kind if k not in DocumentKind._value2member_map_
    )
    sexes = list(Sex)
    groups = [g for g, *_r in AGE_GROUPS] + [AGE_UNKNOWN]

    def breakdown(items: list[_Document]) -> tuple[int, ...]:
        sex = Counter(d.sex for d in items)
        age = Counter(d.age_group for d in items)
        return (len(items), *(sex[s] for s in sexes), *(age[g] for g in groups))

    columns = (
        Column("document", N_("Document"), "label"),
        Column("total", N_("Total"), bar=True),
        *(Column(f"sex_{s.value}", SEX_COLUMNS[s]) for s in sexes),
        *(Column(f"age_{g}", AGE_LABELS[g]) for g in groups),
    )
    rows = [(_document_label(k), *breakdown(by_kind[k])) for k in kinds]
    if len(kinds) > 1:
        rows.append((Msg(N_("All documents")), *breakdown(documents)))
    documents_table = Table(
        "documents",
        N_("Documents obtained"),
        columns,
        tuple(rows),
        N_(
            "Age on the day the document was obtained; a person known only by the year "
            "of birth counts as born on 1 July."
        ),
        total_row=len(kinds) > 1,
    )

    cross = Counter((d.age_group, d.sex) for d in documents)
    sex_age = Table(
        "documents_sex_age",
        N_("Documents obtained by age group and sex"),
        (
            Column("age_group", N_("Age group"), "label"),
            *(Column(f"sex_{s.value}", SEX_COLUMNS[s]) for s in sexes),
            Column("total", N_("Total"), bar=True),
        ),
        tuple(
            (
                Msg(AGE_LABELS[g]),
                *(cross[(g, s)] for s in sexes),
                sum(cross[(g, s)] for s in sexes),
            )
            for g in groups
        ),
    )

    by_place: dict[tuple[str, str], list[_Document]] = defaultdict(list)
    for d in documents:
        by_place[(d.municipality, d.label_key)].append(d)
    kind_rank = {k: i for i, k in enumerate(kinds)}
    place_rows = sorted(
        by_place, key=lambda k: (not k[0], script.sort_key(k[0]), kind_rank.get(k[1], 0))
    )
    # The same breakdown as the national table, so each row adds up on its own.
    by_municipality = Table(
        "documents_by_municipality",
        N_("Documents obtained by municipality"),
        (Column("municipality", N_("Municipality"), "label"), *columns),
        tuple((_place(m), _document_label(k), *breakdown(by_place[(m, k)])) for m, k in place_rows),
    )
    by_settlement_place: dict[tuple[str, str, str], list[_Document]] = defaultdict(list)
    for d in documents:
        by_settlement_place[(d.municipality, d.settlement, d.label_key)].append(d)
    settlement_rows = sorted(
        by_settlement_place,
        key=lambda k: (
            *_place_order((k[0], None)),
            *_place_order((k[1], None)),
            kind_rank.get(k[2], 0),
        ),
    )
    # The municipality table's rows broken down by settlement: they add up to it.
    by_settlement = Table(
        "documents_by_settlement",
        N_("Documents obtained by settlement"),
        (
            Column("municipality", N_("Municipality"), "label"),
            Column("settlement", N_("Settlement"), "label"),
            *columns,
        ),
        tuple(
            (
                _place(m),
                _settlement(s),
                _document_label(k),
                *breakdown(by_settlement_place[(m, s, k)]),
            )
            for m, s, k in settlement_rows
        ),
    )
    return [documents_table, sex_age, by_municipality, by_settlement]


def _routes_table(routes: list[_Document], procedure_label: Any) -> Table:
    """Procedures that produce no document, completed in the period: apart from the
    documents, which they would otherwise swell."""
    count = Counter(d.checklist_id for d in routes)
    return Table(
        "routes",
        N_("Routes completed"),
        (
            Column("procedure", N_("Procedure"), "label"),
            Column("completed", N_("Completed"), bar=True),
        ),
        tuple((procedure_label(cid), n) for cid, n in sorted(count.items())),
        N_(
            "Procedures that produce no document (the returnees' first steps), completed "
            "in the period: each person once, apart from the documents."
        ),
    )


def _workshop_tables(workshops: _Workshops, procedure_label: Any) -> list[Table]:
    return [
        Table(
            "workshops",
            N_("Workshops by municipality"),
            (
                Column("municipality", N_("Municipality"), "label"),
                Column("workshops", N_("Workshops"), bar=True),
                Column("people", N_("Participants")),
                Column("households", N_("Households")),
            ),
            tuple(
                (_place(m), w, p, h)
                for m, (w, p, h) in sorted(workshops.by_municipality.items(), key=_place_order)
            ),
            N_("A person who came to two workshops counts once in the summary, here once each."),
        ),
        Table(
            "workshop_checklists",
            N_("Checklists covered at workshops"),
            (
                Column("procedure", N_("Procedure"), "label"),
                Column("workshops", N_("Workshops"), bar=True),
            ),
            tuple(
                (procedure_label(cid), n)
                for cid, n in sorted(workshops.checklists.items(), key=lambda kv: (-kv[1], kv[0]))
            ),
        ),
    ]


def _procedure_table(procedures: list[_Procedure], procedure_label: Any) -> Table:
    return Table(
        "procedures",
        N_("Cases by procedure"),
        (
            Column("procedure", N_("Procedure"), "label"),
            Column("open", N_("Open today")),
            Column("blocked", N_("Blocked today")),
            Column("overdue", N_("Overdue today")),
            Column("obtained", N_("Obtained"), bar=True),
            Column("refused", N_("Refused")),
            Column("median_days", N_("Median days to document"), "days"),
            Column("p90_days", N_("90% within days"), "days"),
        ),
        tuple(
            (
                procedure_label(p.checklist_id),
                p.open,
                p.blocked,
                p.overdue,
                p.obtained,
                p.refused,
                _days(statistics.median(p.days)) if p.days else None,
                percentile(p.days, 0.9),
            )
            for p in procedures
        ),
        N_(
            "Days from opening the case to obtaining the document, for documents obtained "
            "in the period: half took at most the median, 90% at most the last figure."
        ),
    )


def _days(value: float) -> int | float:
    # A median of an even count may end in .5; a whole number stays an int for XLSX.
    return int(value) if float(value).is_integer() else float(value)


# --- words in the reader's language -----------------------------------------------------


def localize(value: Cell, language: str) -> int | float | date | str | None:
    """A cell as it is written for a reader of ``language``: numbers and dates untouched."""
    if isinstance(value, Msg):
        return translator(language).gettext(value.msgid)
    if isinstance(value, cl.Text):
        return value.get(language)[0]
    return value
