"""Finding households in the register: a search in any script, the place and case
filters, one page at a time, and how many there are.

Apart from services/households.py (registering and editing households and people,
spotting duplicates) because the household list, the first screen of every
coordinator's start, only finds and counts: importing the editing side's records,
documents and date rules cost each start about 10 ms of CPU (issue 12).
services/households.py re-exports these names for its callers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from docassist.domain import script
from docassist.domain.text import N_
from docassist.services import places
from docassist.services.context import Context, LastAnswer
from docassist.store.cases import active_case_sql

PAGE_SIZE = 50


@dataclass(frozen=True)
class HouseholdSummary:
    id: str
    family_name: str
    settlement: str
    municipality: str
    members: int
    open_cases: int
    blocked_cases: int
    overdue_cases: int
    # What tells two "Alijević · Dubrava · 4" apart in a list: the people's given
    # names (the head of household first, then the oldest) and the street address.
    given_names: tuple[str, ...] = ()
    address: str = ""


def fts_query(text: str) -> str | None:
    """Word-prefix query over search keys: 'petro mar' finds 'Petrović Marija'.

    None when nothing typed is a letter or digit the search reads (see
    ``unreadable_search``). A JMBG of 12 digits is also looked for with the leading
    0 it lost: Excel and handwritten lists drop it from those born on days 1-9.
    """
    tokens = script.search_tokens(text)
    if not tokens:
        return None
    # FTS5 takes a bracketed OR only between explicit ANDs.
    return " AND ".join(
        f'("{t}"* OR "0{t}"*)' if len(t) == 12 and t.isascii() and t.isdigit() else f'"{t}"*'
        for t in tokens
    )


#: What a screen says when ``unreadable_search`` is true.
UNREADABLE_SEARCH = N_(
    "There are no letters or digits to search by. Type part of a name or an ID number."
)


def unreadable_search(text: str) -> bool:
    """True when something was typed but none of it can be searched by ("-", "😀").

    Such a search finds nobody (it used to list every household) and the screen
    says why; a search with some readable words finds by those.
    """
    return bool(text.strip()) and fts_query(text) is None


def _where(
    ctx: Context,
    query: str,
    municipality: str | None,
    settlement: str | None,
    case_filter: str | None,
) -> tuple[str, list[Any]]:
    clauses = ["h.deleted_at IS NULL"]
    params: list[Any] = []
    fts = fts_query(query)
    if fts:
        clauses.append("h.rowid IN (SELECT rowid FROM households_fts WHERE households_fts MATCH ?)")
        params.append(fts)
    elif unreadable_search(query):
        clauses.append("0")
    # A place matches in every spelling stored (see services/places.py).
    place_clauses, place_params = places.where(ctx, "h", municipality, settlement)
    clauses += place_clauses
    params += place_params
    if case_filter == "open":
        clauses.append(
            "EXISTS (SELECT 1 FROM cases c WHERE c.household_id = h.id "
            f"AND {active_case_sql()} AND c.deleted_at IS NULL)"
        )
    elif case_filter == "blocked":
        clauses.append(
            "EXISTS (SELECT 1 FROM cases c WHERE c.household_id = h.id "
            "AND c.status = 'blocked' AND c.deleted_at IS NULL)"
        )
    elif case_filter == "overdue":
        clauses.append(
            "EXISTS (SELECT 1 FROM cases c WHERE c.household_id = h.id "
            f"AND {active_case_sql()} AND c.next_due < ? AND c.deleted_at IS NULL)"
        )
        params.append(ctx.today().isoformat())
    return " AND ".join(clauses), params


def find_households(
    ctx: Context,
    query: str = "",
    *,
    municipality: str | None = None,
    settlement: str | None = None,
    case_filter: str | None = None,
    script_name: str = "latn",
    limit: int = PAGE_SIZE,
    offset: int = 0,
) -> list[HouseholdSummary]:
    """One page of households, sorted by the Serbian alphabet of ``script_name``.

    ``municipality`` and ``settlement`` name a place in any of its spellings (or by
    its key, ``places.place_key``): households of every spelling of it are found.
    """
    where, params = _where(ctx, query, municipality, settlement, case_filter)
    order = "h.sort_cyrl" if script_name == "cyrl" else "h.sort_latn"
    # A search matching many households ("ma", "se"): walk the alphabetical
    # index and stop at the page's end, instead of reading and sorting every
    # match (~100 ms for 13,000 matches). Few matches: read just those.
    walk = ""
    if fts_query(query) and _fts_matches(ctx, query) > _WALK_ABOVE_MATCHES:
        walk = f"INDEXED BY households_live_{'cyrl' if script_name == 'cyrl' else 'latn'}"
    # The page's ids first (from the sort index alone), then names and counts
    # for just those: counting members and cases in the same SELECT made
    # SQLite count them for every row it skipped or sorted (seconds on 50,000).
    found = ctx.db.execute(
        f"""
        SELECT h.rowid, h.id FROM households h {walk}
        WHERE {where}
        ORDER BY {order}, h.id
        LIMIT ? OFFSET ?
        """,
        [*params, limit, offset],
    ).fetchall()
    if not found:
        return []
    ids = [r[1] for r in found]
    id_list = json.dumps(ids)
    rows = {
        r[0]: r
        for r in ctx.db.execute(
            "SELECT id, family_name, settlement, municipality, address FROM households "
            "WHERE rowid IN (SELECT value FROM json_each(?))",  # rowid: one seek, not two
            [json.dumps([r[0] for r in found])],
        ).fetchall()
    }
    page = [rows[i] for i in ids]
    names: dict[str, list[str]] = {}
    for household_id, given in ctx.db.execute(
        "SELECT household_id, given_name FROM persons "
        "WHERE household_id IN (SELECT value FROM json_each(?)) AND deleted_at IS NULL "
        "ORDER BY relation != 'head', birth_year IS NULL, birth_year, created_at",
        [id_list],
    ).fetchall():
        names.setdefault(household_id, []).append(given)
    cases = {
        r[0]: r[1:]
        for r in ctx.db.execute(
            f"""
            SELECT household_id,
              sum({active_case_sql(None)}),
              sum(status = 'blocked'),
              sum({active_case_sql(None)} AND next_due < ?)
            FROM cases
            WHERE household_id IN (SELECT value FROM json_each(?)) AND deleted_at IS NULL
            GROUP BY household_id
            """,
            [ctx.today().isoformat(), id_list],
        ).fetchall()
    }
    summaries = []
    for id_, family_name, settlement, municipality, address in page:
        open_, blocked, overdue = cases.get(id_, (0, 0, 0))
        given = tuple(names.get(id_, ()))
        summaries.append(
            HouseholdSummary(
                id_,
                family_name,
                settlement,
                municipality,
                len(given),
                open_,
                blocked,
                overdue,
                given_names=given,
                address=address or "",
            )
        )
    return summaries


def count_households(
    ctx: Context,
    query: str = "",
    *,
    municipality: str | None = None,
    settlement: str | None = None,
    case_filter: str | None = None,
) -> int:
    if unreadable_search(query):
        return 0
    if not (municipality or settlement or case_filter):
        return _fts_matches(ctx, query) if fts_query(query) else _live_households(ctx)
    where, params = _where(ctx, query, municipality, settlement, case_filter)
    return ctx.db.execute(f"SELECT count(*) FROM households h WHERE {where}", params).fetchone()[0]


def _live_households(ctx: Context) -> int:
    """The whole register's count: every household, counted on the smallest index,
    less the removed ones, found by their own small index. Testing deleted_at row by
    row read a whole index instead (2-5 ms on 50,000 households, at every start of the
    household list; this is 0.4 ms)."""
    return ctx.db.execute(
        "SELECT (SELECT count(*) FROM households) - (SELECT count(*) FROM households "
        "INDEXED BY households_deleted WHERE deleted_at IS NOT NULL)"
    ).fetchone()[0]


# Measured on 50,000 households: reading and sorting the matches costs about
# as much as walking the index for a 100-row page at about 3,000 matches
# (a family name matches ~1,400, clustered together in the index; a first name
# or a two-letter prefix matches 5,000-15,000 spread over it).
_WALK_ABOVE_MATCHES = 3000


def _fts_matches(ctx: Context, query: str) -> int:
    """How many live households a search finds, from the search index alone:
    the (usually empty) set of removed households is subtracted instead of
    reading every match's row to test it."""
    fts = fts_query(query)
    # Each keystroke asks twice (find_households, then count_households), and
    # a short prefix can match 15,000 households.
    return _last_matches.get(
        ctx,
        fts,
        lambda: ctx.db.execute(
            "SELECT count(*) FROM households_fts WHERE households_fts MATCH ? "
            "AND rowid NOT IN (SELECT rowid FROM households WHERE deleted_at IS NOT NULL)",
            [fts],
        ).fetchone()[0],
    )


_last_matches = LastAnswer()


def audit_search(
    ctx: Context,
    query: str,
    results: int,
    *,
    municipality: str | None = None,
    settlement: str | None = None,
    case_filter: str | None = None,
) -> None:
    """Record that a search's results were shown. The query itself is usually a
    family name, so only its length is kept: the trail must not become a second
    list of names. The places and the case filter are not personal data."""
    after: dict[str, Any] = {"query_length": len(query.strip()), "results": results}
    for key, value in (
        ("municipality", municipality),
        ("settlement", settlement),
        ("case_filter", case_filter),
    ):
        if value:
            after[key] = value
    with ctx.use_case():
        ctx.audit("search", "register", "households", after=after)
