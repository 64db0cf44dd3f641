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
from functools import lru_cache
from typing import Any

from docassist.domain.sync import (
    POLICY,
    Conflict,
    Version,
    canonical_json,
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
    current = outbox.version_of(db, table, row_key, with_data=False)
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
    if current is not None:  # a real merge: it compares the contents
        current = outbox.version_of(db, table, row_key)
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
    erased = erased_subjects(db)
    for conflict in conflicts:
        row = scrubbed(db, conflict_row(conflict, detected_at, detected_on), erased)
        exists = db.execute("SELECT 1 FROM sync_conflicts WHERE id = ?", [row["id"]]).fetchone()
        if exists:
            continue
        version = Version(conflict.loser.hlc, {}, False, row, None)
        outbox.write_version(db, POLICY["sync_conflicts"], row["id"], version, content=True)
        outbox.add_to_outbox(db, "sync_conflicts", row["id"], version, now, relayed=True)
        made += 1
    return made


def keep_device_names(db: Database, names: Iterable[tuple[str, str]], *, from_hub: bool) -> int:
    """Keep the organisation's laptops' names (id, name) in this register's ``devices``,
    which a case's history reads to name the laptop that wrote an entry. The hub's list
    is the organisation's (a laptop connected again under another name, a restored one
    under its new id): it replaces what is here. A bundle's may be older than what this
    laptop last read from the hub: it only names a laptop this one has no name for.
    Returns how many names changed."""
    # the hub's replaces a name; a bundle's fills one in
    keep = "devices.name IS NOT excluded.name" if from_hub else "devices.name = ''"
    changed = 0
    names = list(names)
    for device_id, name in names:
        changed += db.execute(
            "INSERT INTO devices(id, name) VALUES (?, ?) ON CONFLICT(id) DO UPDATE "
            f"SET name = excluded.name WHERE {keep}",
            [device_id, name],
        ).rowcount
    if from_hub:
        # The hub lists the laptops this one may know of (a facilitator's: itself); a
        # name it no longer gives (read from a hub of an older layout) goes, but for a
        # laptop whose trail this register holds (from a bundle): its history names it.
        listed = {device_id for device_id, _ in names}
        for (device_id,) in db.execute(
            "SELECT id FROM devices WHERE id NOT IN (SELECT device_id FROM audit_remote)"
        ).fetchall():
            if device_id not in listed:
                changed += db.execute("DELETE FROM devices WHERE id = ?", [device_id]).rowcount
    return changed


def device_names(db: Database) -> list[tuple[str, str]]:
    """The laptops' names this register knows (for a bundle to carry)."""
    return [(r[0], r[1]) for r in db.execute("SELECT id, name FROM devices ORDER BY id")]


# -- erasure: conflict copies of an erased person's data ------------------------------

# What an erased side of a conflict holds instead of the version it copied.
ERASED_SIDE = {"erased": True}


def erased_subjects(db: Database) -> set[str]:
    """The erased persons and households of this register (ids: one set, for
    ``conflict_subject`` names either)."""
    return {
        r[0]
        for table in ("persons", "households")
        for r in db.execute(f"SELECT id FROM {table} WHERE erased_at IS NOT NULL")
    }


def conflict_subject(db: Database, row: dict[str, Any]) -> str | None:
    """The person (or household) whose data a conflict copies, if any: the person's own
    row, their documents (keyed person/kind), their cases and those cases' steps; the
    household's own row. The hub asks the same in SQL (hub_sql.py, ``conflict_subject``)."""
    table, row_key = row.get("tbl"), str(row.get("row_key") or "")
    if table in ("persons", "households"):
        return row_key
    if table == "documents":
        return row_key.split("/", 1)[0]
    data = _side_data(row.get("winner")) or _side_data(row.get("loser"))
    if table == "cases":
        return _str(data.get("person_id"))
    if table == "case_steps":
        found = db.execute(
            "SELECT person_id FROM cases WHERE id = ?", [data.get("case_id")]
        ).fetchone()
        return found[0] if found else None
    return None


def _side_data(text: Any) -> dict[str, Any]:
    return (json.loads(str(text)) if text else {}).get("data") or {}


def erased_side(text: str) -> str:
    return canonical_json({**json.loads(text), "data": ERASED_SIDE})


def is_scrubbed(row: dict[str, Any]) -> bool:
    return _side_data(row.get("loser")) == ERASED_SIDE


def scrubbed(db: Database, row: dict[str, Any], erased: set[str]) -> dict[str, Any]:
    """The conflict row, its two copies blanked when they copy an erased person's data
    (who, when and on which laptop stay: no personal data)."""
    if is_scrubbed(row) or conflict_subject(db, row) not in erased:
        return row
    return {**row, "winner": erased_side(row["winner"]), "loser": erased_side(row["loser"])}


def scrub_erased_conflicts(db: Database) -> int:
    """Blank the copies this register's conflicts keep of erased persons' (and
    households') data; returns
    how many. Run by the erasure and after every pull or bundle that may bring an
    erasure (each register scrubs its own copies; the hub scrubs its own when the
    erased person reaches it). The caller runs it with ``outbox.applying`` set: the
    blanked copies are not sent, every holder blanks its own."""
    erased = erased_subjects(db)
    if not erased:
        return 0
    cur = db.execute("SELECT * FROM sync_conflicts")
    names = [d[0] for d in cur.description]
    done = 0
    for values in cur.fetchall():
        row = dict(zip(names, values, strict=True))
        clean = scrubbed(db, row, erased)
        if clean is not row:
            db.execute(
                "UPDATE sync_conflicts SET winner = ?, loser = ? WHERE id = ?",
                [clean["winner"], clean["loser"], row["id"]],
            )
            done += 1
    return done


def forget_household(db: Database, household_id: str) -> None:
    """Delete a household and its people, documents, attendance and cases from this
    register (and their versions): what ``sync`` does when the hub no longer gives it
    to this laptop."""
    persons = [
        r[0] for r in db.execute("SELECT id FROM persons WHERE household_id = ?", [household_id])
    ]
    case_ids = [
        r[0] for r in db.execute("SELECT id FROM cases WHERE household_id = ?", [household_id])
    ]
    doomed: list[tuple[str, str, list[str]]] = [
        ("case_events", "case_id", case_ids),
        ("case_steps", "case_id", case_ids),
        ("cases", "id", case_ids),
        ("documents", "person_id", persons),
        ("attendance", "household_id", [household_id]),
        ("persons", "id", persons),
        ("households", "id", [household_id]),
    ]
    for table, column, ids in doomed:
        policy = POLICY[table]
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            marks = ", ".join("?" * len(chunk))
            keys = [
                r[0]
                for r in db.execute(
                    f"SELECT {outbox.key_sql(policy, 't')} FROM {table} t "
                    f"WHERE {column} IN ({marks})",
                    chunk,
                )
            ]
            db.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", chunk)
            _forget_versions(db, table, keys)
    # The audit trail stays: it is this laptop's own hash chain, append-only (and not
    # synced), the record of what was done here, also to the records now gone.


def forget_rows(db: Database, table: str, ids: list[str]) -> None:
    """Delete rows of ``table`` (one keyed by its id) from this register, with their
    versions: rows the hub no longer gives this laptop."""
    assert POLICY[table].key == ("id",)
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        marks = ", ".join("?" * len(chunk))
        db.execute(f"DELETE FROM {table} WHERE id IN ({marks})", chunk)
        _forget_versions(db, table, chunk)


def _forget_versions(db: Database, table: str, keys: list[str]) -> None:
    for key in keys:
        db.execute("DELETE FROM sync_versions WHERE tbl = ? AND row_key = ?", [table, key])


# -- who may read an outbox entry on the hub -----------------------------------------


@dataclass(frozen=True)
class Reach:
    """Who may read a row on the hub: ``scope`` is the place key of its household's
    municipality ('*': every laptop holds it), ``owner`` the user a case (and its steps
    and events) is assigned to, ``household`` the household it belongs to (a facilitator
    also holds the households of the cases assigned to them)."""

    scope: str = SHARED
    owner: str | None = None
    household: str | None = None


def reach(db: Database, table: str, data: dict[str, Any]) -> Reach:
    if table in ("users", "sync_resolutions", "workshops"):
        return Reach()  # no family's data: workshops are a date, a place, who ran it
    if table == "user_scopes":
        return Reach(place_key(str(data.get("municipality") or "")))
    if table == "households":
        return Reach(_place(str(data.get("municipality") or "")), None, _str(data.get("id")))
    if table in ("persons", "attendance"):
        return _household_reach(db, data.get("household_id"))
    if table == "documents":
        return _person_reach(db, data.get("person_id"))
    if table == "cases":
        found = _household_reach(db, data.get("household_id"))
        return Reach(found.scope, _str(data.get("assignee_id")), found.household)
    if table in ("case_steps", "case_events"):
        return _case_reach(db, data.get("case_id"))
    if table == "audit_log":
        return _audit_reach(db, data)
    if table == "sync_conflicts":  # as far as the row it is about
        about = POLICY.get(str(data.get("tbl")))
        winner = json.loads(str(data.get("winner") or "{}")).get("data") or {}
        return reach(db, about.table, winner) if about else Reach("")
    return Reach()


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _household_reach(db: Database, household_id: Any) -> Reach:
    row = db.execute("SELECT municipality FROM households WHERE id = ?", [household_id]).fetchone()
    return Reach(_place(row[0] if row else None), None, _str(household_id))


@lru_cache(maxsize=4096)
def _place(municipality: str | None) -> str:
    return place_key(municipality or "") if municipality is not None else ""


def _person_reach(db: Database, person_id: Any) -> Reach:
    row = db.execute("SELECT household_id FROM persons WHERE id = ?", [person_id]).fetchone()
    return _household_reach(db, row[0]) if row else Reach("")


def _case_reach(db: Database, case_id: Any) -> Reach:
    row = db.execute(
        "SELECT household_id, assignee_id FROM cases WHERE id = ?", [case_id]
    ).fetchone()
    if row is None:
        return Reach("")
    found = _household_reach(db, row[0])
    return Reach(found.scope, row[1], found.household)


def _audit_reach(db: Database, data: dict[str, Any]) -> Reach:
    """An audit entry may quote a family's records: it goes where its subject goes."""
    entity, entity_id = data.get("entity"), data.get("entity_id")
    if entity == "household":
        return _household_reach(db, entity_id)
    if entity == "person":
        return _person_reach(db, entity_id)
    if entity == "case":
        return _case_reach(db, entity_id)
    if entity in ("user", "hub", "device", "conflict", "workshop", "bundle"):
        return Reach()
    return Reach("")  # anything else: coordinators only
