"""The laptop's side of a merge: versions that arrive (from the hub or a bundle) written
into the register by the same rule the hub uses (domain/sync.py), and what each outbox
entry tells the hub about who may read it.

Writes here run inside the caller's transaction with ``outbox.applying`` set, so what
arrives is not sent back out; the caller recomputes derived columns afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from docassist.domain.sync import (
    POLICY,
    Conflict,
    Version,
    conflict_row,
    covers,
    merge,
)
from docassist.services.places import place_key
from docassist.store import outbox
from docassist.store.database import Database

SHARED = "*"  # what every laptop of the organisation holds


@dataclass
class Applied:
    """What applying a batch did."""

    written: int = 0
    skipped: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    households: set[str] = field(default_factory=set)  # whose search text to recompute


def apply_version(
    db: Database,
    table: str,
    row_key: str,
    incoming: Version,
    applied: Applied,
    *,
    from_hub: bool,
) -> None:
    """Merge one version that arrived into the register.

    From the hub, a version covering this laptop's is the hub's merge of everything it
    has seen: taken as it is (the hub decided; a laptop with a different winner for the
    same history adopts the hub's). A laptop with changes of its own not yet pushed, or
    a bundle from another laptop, merges by the rule, as the hub will when it gets them.
    """
    policy = POLICY[table]
    current = outbox.version_of(db, table, row_key)
    hub_decides = from_hub and (current is None or covers(incoming.vv, current.vv))
    if hub_decides and not outbox.pending_for(db, table, row_key):
        if current is not None and current.hlc == incoming.hlc and current.vv == incoming.vv:
            applied.skipped += 1
            return
        same_content = current is not None and current.hlc == incoming.hlc
        outbox.write_version(db, policy, row_key, incoming, content=not same_content)
        _note(policy.table, incoming.data, row_key, applied)
        applied.written += 1
        return
    outcome = merge(policy, row_key, current, incoming)
    if outcome.result is None:
        applied.skipped += 1
        return
    outbox.write_version(db, policy, row_key, outcome.result, content=outcome.take_content)
    if outcome.take_content:
        _note(policy.table, incoming.data, row_key, applied)
    applied.written += 1
    if outcome.conflict is not None:
        applied.conflicts.append(outcome.conflict)


def _note(table: str, data: dict[str, Any], row_key: str, applied: Applied) -> None:
    if table == "households":
        applied.households.add(row_key)
    elif table == "persons" and data.get("household_id"):
        applied.households.add(str(data["household_id"]))


def record_conflicts(
    db: Database, conflicts: Iterable[Conflict], detected_at: str, detected_on: str, now: str
) -> int:
    """Keep conflicts found here (importing a bundle), and send them on to the hub."""
    made = 0
    for conflict in conflicts:
        row = conflict_row(conflict, detected_at, detected_on)
        exists = db.execute("SELECT 1 FROM sync_conflicts WHERE id = ?", [row["id"]]).fetchone()
        if exists:
            continue
        version = Version(conflict.loser.hlc, {}, False, row, None)
        outbox.write_version(db, POLICY["sync_conflicts"], row["id"], version, content=True)
        outbox.add_to_outbox(db, "sync_conflicts", row["id"], version, now, relayed=True)
        made += 1
    return made


# -- who may read an outbox entry on the hub -----------------------------------------


def reach(db: Database, table: str, data: dict[str, Any]) -> tuple[str, str | None]:
    """(scope, owner) of a row on the hub: the place key of its household's municipality
    (or the workshop's), '*' for what every laptop holds, and for a case, its steps and
    events, the user it is assigned to."""
    if table in ("users", "devices", "sync_resolutions"):
        return SHARED, None
    if table == "user_scopes":
        return place_key(str(data.get("municipality") or "")), None
    if table in ("households", "workshops"):
        return place_key(str(data.get("municipality") or "")), None
    if table in ("persons", "attendance"):
        return _household_scope(db, data.get("household_id")), None
    if table == "documents":
        return _person_scope(db, data.get("person_id")), None
    if table == "cases":
        return _household_scope(db, data.get("household_id")), data.get("assignee_id")
    if table in ("case_steps", "case_events"):
        return _case_reach(db, data.get("case_id"))
    if table == "audit_log":
        return _audit_reach(db, data)
    if table == "sync_conflicts":  # as far as the row it is about
        about = POLICY.get(str(data.get("tbl")))
        winner = json.loads(str(data.get("winner") or "{}")).get("data") or {}
        return reach(db, about.table, winner) if about else ("", None)
    return SHARED, None


def _household_scope(db: Database, household_id: Any) -> str:
    row = db.execute("SELECT municipality FROM households WHERE id = ?", [household_id]).fetchone()
    return place_key(row[0] or "") if row else ""


def _person_scope(db: Database, person_id: Any) -> str:
    row = db.execute("SELECT household_id FROM persons WHERE id = ?", [person_id]).fetchone()
    return _household_scope(db, row[0]) if row else ""


def _case_reach(db: Database, case_id: Any) -> tuple[str, str | None]:
    row = db.execute(
        "SELECT household_id, assignee_id FROM cases WHERE id = ?", [case_id]
    ).fetchone()
    return (_household_scope(db, row[0]), row[1]) if row else ("", None)


def _audit_reach(db: Database, data: dict[str, Any]) -> tuple[str, str | None]:
    """An audit entry may quote a family's records: it goes where its subject goes."""
    entity, entity_id = data.get("entity"), data.get("entity_id")
    if entity == "household":
        return _household_scope(db, entity_id), None
    if entity == "person":
        return _person_scope(db, entity_id), None
    if entity == "case":
        return _case_reach(db, entity_id)
    if entity in ("workshop",):
        row = db.execute("SELECT municipality FROM workshops WHERE id = ?", [entity_id]).fetchone()
        return (place_key(row[0] or "") if row else ""), None
    if entity in ("user", "hub", "device", "conflict"):
        return SHARED, None
    return "", None  # anything else: coordinators only
