"""Who did what to a record, when, and on which laptop: the audit trail read back for
people to see (the case timeline; any record's history), in one place.

A coordinator follows a family's case across the facilitators' laptops. This laptop's
own trail is ``audit_log``; what the other laptops wrote arrives through the hub into
``audit_remote`` (store/audit.py), and both are shown here as one history. Of another
laptop's entry only the chained columns travel (when, who, which laptop, what was
done to which record): never the values before and after, which are personal data and
stay, erasable, on the laptop that wrote them. So an entry from another laptop says
what was done and by whom, and carries nothing that names the family.

A practice register is made-up families only: it shows no other laptop's entries
whatever its file holds (services/practice.py).
"""

from __future__ import annotations

import heapq
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from docassist.services.context import Context
from docassist.services.made_up import is_practice

# A laptop without a name is shown by the start of its id, as `db check` and
# `hub devices` show it.
DEVICE_ID_SHOWN = 8


@dataclass(frozen=True)
class HistoryEntry:
    entry_id: int  # its number in the chain of the laptop that wrote it
    at: str
    user_id: str | None
    user_name: str | None
    action: str
    before: dict[str, Any] | None  # None for another laptop's entry: they never travel
    after: dict[str, Any] | None
    device_id: str
    # None for this laptop's own entries; else the other laptop, as people name it
    laptop: str | None = None


def laptop_label(name: str | None, device_id: str) -> str:
    """How a laptop is named in a history: its name in the organisation's list of
    laptops, else the start of its id."""
    name = " ".join((name or "").split())
    return name or device_id[:DEVICE_ID_SHOWN]


def history(ctx: Context, entity: str, entity_id: str) -> list[HistoryEntry]:
    """Everything recorded about one record (``entity`` as the audit trail names it:
    'case', 'household', 'person'), on this laptop and on the others, newest first."""
    chains = [_own_entries(ctx, entity, entity_id)]
    if not is_practice(ctx):
        chains.extend(_other_laptops_entries(ctx, entity, entity_id))
    return newest_first(chains)


def newest_first(chains: list[list[HistoryEntry]]) -> list[HistoryEntry]:
    """One history out of each laptop's chain (each newest first).

    Laptops' clocks drift: one a day behind writes times a day early. Sorting every
    entry by its time would then show that laptop's later entry before its earlier one
    (a step marked done before the case was opened). Within one laptop the order is
    certain: its chain numbers its entries as they happened, whatever its clock said.
    Between laptops their clocks are all there is. So the chains are merged by time,
    each one kept in its own order (``heapq.merge`` takes the next entry from the head
    of a chain, never from inside it); entries at the same moment keep this laptop's
    first, then the other laptops' in the order given."""
    return list(heapq.merge(*chains, key=lambda e: moment(e.at), reverse=True))


_EARLIEST = datetime.min.replace(tzinfo=UTC)


def moment(at: str) -> datetime:
    """An entry's time as a point in time: stored as UTC ISO-8601; a time written
    without its zone is UTC; one that cannot be read sorts as the earliest."""
    try:
        when = datetime.fromisoformat(at)
    except (TypeError, ValueError):
        return _EARLIEST
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _own_entries(ctx: Context, entity: str, entity_id: str) -> list[HistoryEntry]:
    # The register's own trail is one chain, even where a restore gave it a new device
    # id part way: its numbers are its order.
    rows = ctx.db.execute(
        "SELECT a.id, a.at, a.user_id, u.name, a.action, a.before, a.after, a.device_id "
        "FROM audit_log a LEFT JOIN users u ON u.id = a.user_id "
        "WHERE a.entity = ? AND a.entity_id = ? ORDER BY a.id DESC",
        [entity, entity_id],
    ).fetchall()
    return [
        HistoryEntry(
            entry_id,
            at,
            user_id,
            name,
            action,
            json.loads(before) if before else None,
            json.loads(after) if after else None,
            device_id,
        )
        for entry_id, at, user_id, name, action, before, after, device_id in rows
    ]


def _other_laptops_entries(ctx: Context, entity: str, entity_id: str) -> list[list[HistoryEntry]]:
    """Each other laptop's entries about the record, one list per laptop (its chain),
    newest first. Only the chained columns: nothing else of theirs is here."""
    rows = ctx.db.execute(
        "SELECT r.device_id, r.id, r.at, r.user_id, u.name, r.action, d.name "
        "FROM audit_remote r LEFT JOIN users u ON u.id = r.user_id "
        "LEFT JOIN devices d ON d.id = r.device_id "
        "WHERE r.entity = ? AND r.entity_id = ? ORDER BY r.device_id, r.id DESC",
        [entity, entity_id],
    ).fetchall()
    return [
        [
            HistoryEntry(
                entry_id,
                at,
                user_id,
                user_name,
                action,
                None,
                None,
                device,
                laptop_label(device_name, device),
            )
            for _, entry_id, at, user_id, user_name, action, device_name in chain
        ]
        for device, chain in groupby(rows, key=lambda r: r[0])
    ]
