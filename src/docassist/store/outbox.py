"""The register's side of sync: what changed here (the outbox), each synced row's
version, and writing a version that arrived from elsewhere.

Triggers (migration 0011) mark every row written while the register is attached to an
organisation; :func:`seal` runs before a use case commits (``Context.use_case``) and
turns the marks into outbox entries: a copy of the row as it travels, one hybrid logical
clock reading for the whole transaction, and the row's version vector. So every change
a use case commits is in the outbox in the same transaction, whichever service made it,
and a change made outside a use case (a migration, a script) is sealed by the next one
or by the next push.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from docassist.domain import hlc
from docassist.domain.sync import POLICIES, POLICY, TablePolicy, Version, canonical_json
from docassist.store.database import Database
from docassist.store.db import device_id, new_id
from docassist.store.sync_state import count_pending as count_pending
from docassist.store.sync_state import cursor as cursor
from docassist.store.sync_state import cursor_row as cursor_row
from docassist.store.sync_state import is_attached as is_attached
from docassist.store.sync_state import oldest_pending as oldest_pending
from docassist.store.sync_state import set_cursor as set_cursor
from docassist.store.sync_state import set_state as set_state
from docassist.store.sync_state import state as state


def key_sql(policy: TablePolicy, row: str = "") -> str:
    """The SQL expression naming a row as ``policy.row_key`` does (``row``: a table
    alias or ``new``/``old``)."""
    p = f"{row}." if row else ""
    if policy.local_numbers:
        return f"coalesce({p}sync_key, {p}device_id || '/' || {p}id)"
    parts = [f"coalesce({p}{c}, '')" if len(policy.key) > 1 else f"{p}{c}" for c in policy.key]
    return " || '/' || ".join(parts)


def _where(db: Database, policy: TablePolicy, row_key: str) -> tuple[str, list[Any]]:
    if policy.local_numbers:
        device, _, number = row_key.rpartition("/")
        if device == device_id(db) and number.isdigit():
            return "sync_key IS NULL AND id = ?", [int(number)]
        return "sync_key = ?", [row_key]
    if len(policy.key) == 1:
        return f"{policy.key[0]} = ?", [row_key]
    values = row_key.split("/")
    if len(values) != len(policy.key):
        raise ValueError(f"bad key {row_key!r} for {policy.table}")
    return " AND ".join(f"{c} IS ?" for c in policy.key), [v or None for v in values]


def read_row(db: Database, policy: TablePolicy, row_key: str) -> dict[str, Any] | None:
    where, params = _where(db, policy, row_key)
    cursor = db.execute(f"SELECT * FROM {policy.table} WHERE {where}", params)
    names = [d[0] for d in cursor.description]
    found = cursor.fetchone()
    return dict(zip(names, found, strict=True)) if found else None


def is_deleted(policy: TablePolicy, data: dict[str, Any]) -> bool:
    return data.get("deleted_at") is not None


def _digest(data: dict[str, Any], deleted: bool) -> str:
    return hashlib.sha1(canonical_json([data, deleted]).encode()).hexdigest()


def renew_device(db: Database) -> str:
    """Give this register a new device id (inside the caller's transaction); returns it.

    For a register put back from a backup, or a copy of one: its old id has, on the hub,
    changes this copy never saw. Going on under that id, its next change to a row would
    carry a vector claiming to have seen them (the old id's entry, at a later clock) and
    would replace them silently; and the hub, which does not send a laptop back the
    versions it made alone, would never return them. Under a new id its changes are new
    news, concurrent with the lost ones where they touch the same rows (conflicts, not
    losses), and it reads the whole commit log again. What waits in its outbox keeps the
    old id's clocks: those are the old laptop's changes, and the hub skips what it has.
    The hub learns the new id at the next sync (``previous_device``)."""
    old = device_id(db)
    new = new_id()
    db.execute("UPDATE meta SET value = ? WHERE key = 'device_id'", [new])
    current = state(db)
    if current["attached"] or current["hub_id"]:
        set_state(db, previous_device=current["previous_device"] or old)
        db.execute("UPDATE sync_cursors SET position = 0")
        clear_inbox(db)
    return new


def behind(db: Database, reading: str) -> bool:
    """Whether this register's clock is behind ``reading``, a clock this device made:
    then this register is an older copy of the one that made it."""
    theirs = hlc.Clock.decode(reading)
    ours = _clock(db)
    return (ours.wall_ms, ours.counter) < (theirs.wall_ms, theirs.counter)


def _clock(db: Database) -> hlc.Clock:
    text = db.execute("SELECT clock FROM sync_state").fetchone()[0]
    return hlc.Clock.decode(text) if text else hlc.Clock(0, 0, device_id(db))


def observe(db: Database, seen: Iterable[str]) -> None:
    """Move this register's clock past every reading in ``seen`` (versions that came in)."""
    last = _clock(db)
    moved = last
    for reading in seen:
        moved = hlc.observe(moved, hlc.Clock.decode(reading))
    if moved != last:
        db.execute("UPDATE sync_state SET clock = ?", [moved.encode()])


@contextmanager
def applying(db: Database) -> Iterator[None]:
    """Inside the caller's transaction: writes made in the block came from elsewhere
    (a pull, a bundle) and are not marked for sending back out."""
    db.execute("UPDATE sync_state SET applying = 1")
    try:
        yield
    finally:
        db.execute("UPDATE sync_state SET applying = 0")


@contextmanager
def foreign_rows_allowed(db: Database) -> Iterator[None]:
    """Outside a transaction: for the block, a row may refer to one this register does
    not hold. What arrives is as the hub (or the other laptop) has it, in its order: a
    person may come before the household, and a facilitator's laptop may not hold the
    household of a mother in another municipality. Refusing such a row would refuse the
    whole pull, again at every sync."""
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        db.execute("PRAGMA foreign_keys = ON")


# -- versions -----------------------------------------------------------------------


def version_of(db: Database, table: str, row_key: str, *, with_data: bool = True) -> Version | None:
    """The row's current version; ``with_data=False`` leaves its data empty (reading the
    row is most of the cost, and a pull mostly needs only the clock and vector)."""
    found = db.execute(
        "SELECT hlc, vv, deleted, user_id FROM sync_versions WHERE tbl = ? AND row_key = ?",
        [table, row_key],
    ).fetchone()
    if found is None:
        return None
    data: dict[str, Any] = {}
    if with_data:
        policy = POLICY[table]
        row = read_row(db, policy, row_key)
        data = policy.payload(row) if row is not None else {}
    return Version(found[0], json.loads(found[1]), bool(found[2]), data, found[3])


def _save_version(db: Database, table: str, row_key: str, version: Version) -> None:
    db.execute(
        "INSERT INTO sync_versions(tbl, row_key, hlc, user_id, vv, deleted, digest) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tbl, row_key) DO UPDATE SET "
        "hlc = excluded.hlc, user_id = excluded.user_id, vv = excluded.vv, "
        "deleted = excluded.deleted, digest = excluded.digest",
        [
            table,
            row_key,
            version.hlc,
            version.user_id,
            canonical_json(version.vv),
            int(version.deleted),
            _digest(version.data, version.deleted),
        ],
    )


def save_vector(db: Database, table: str, row_key: str, vv: dict[str, str]) -> None:
    """The row keeps its content and version, and has now seen ``vv`` too."""
    db.execute(
        "UPDATE sync_versions SET vv = ? WHERE tbl = ? AND row_key = ?",
        [canonical_json(vv), table, row_key],
    )


# -- sealing: marks -> outbox ---------------------------------------------------------


def mark_everything(db: Database) -> int:
    """Mark every synced row this register holds that has no version yet (attaching a
    register that was used on its own: its first push sends all of it)."""
    before = db.execute("SELECT count(*) FROM sync_dirty").fetchone()[0]
    for policy in POLICIES:
        db.execute(
            f"INSERT OR IGNORE INTO sync_dirty(tbl, row_key) "
            f"SELECT ?, {key_sql(policy, 't')} FROM {policy.table} t "
            f"WHERE NOT EXISTS (SELECT 1 FROM sync_versions v "
            f"WHERE v.tbl = ? AND v.row_key = {key_sql(policy, 't')})",
            [policy.table, policy.table],
        )
    return db.execute("SELECT count(*) FROM sync_dirty").fetchone()[0] - before


def seal(db: Database, now: str, user_id: str | None) -> int:
    """Turn this transaction's marks into outbox entries; returns how many were made.

    Call inside the transaction that made the changes, before it commits."""
    marks = db.execute("SELECT tbl, row_key FROM sync_dirty").fetchall()
    if not marks:
        return 0
    device = device_id(db)
    clock = hlc.tick(_clock(db), hlc.wall_ms(now), device)
    reading = clock.encode()
    made = 0
    for table, row_key in sorted(marks, key=lambda m: (_ORDER.get(m[0], 99), m[1])):
        policy = POLICY.get(table)
        row = read_row(db, policy, row_key) if policy else None
        if policy is None or row is None:
            continue  # gone for good (no service deletes a synced row): nothing to send
        data = policy.payload(row)
        deleted = is_deleted(policy, data)
        current = db.execute(
            "SELECT vv, digest FROM sync_versions WHERE tbl = ? AND row_key = ?",
            [table, row_key],
        ).fetchone()
        if current is not None and current[1] == _digest(data, deleted):
            continue  # only derived columns (or nothing) changed
        vv = {**(json.loads(current[0]) if current else {}), device: reading}
        version = Version(reading, vv, deleted, data, user_id)
        add_to_outbox(db, table, row_key, version, now)
        _save_version(db, table, row_key, version)
        made += 1
    db.execute("DELETE FROM sync_dirty")
    db.execute("UPDATE sync_state SET clock = ?", [reading])
    return made


_ORDER = {p.table: i for i, p in enumerate(POLICIES)}


def add_to_outbox(
    db: Database, table: str, row_key: str, version: Version, now: str, *, relayed: bool = False
) -> None:
    db.execute(
        "INSERT INTO sync_outbox(tbl, row_key, hlc, user_id, vv, deleted, data, relayed, "
        "made_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            table,
            row_key,
            version.hlc,
            version.user_id,
            canonical_json(version.vv),
            int(version.deleted),
            canonical_json(version.data),
            int(relayed),
            now,
        ],
    )


@dataclass(frozen=True)
class Pending:
    """One outbox entry."""

    seq: int
    table: str
    row_key: str
    version: Version


def pending(db: Database, after: int = 0, limit: int | None = None) -> list[Pending]:
    sql = (
        "SELECT seq, tbl, row_key, hlc, vv, deleted, data, user_id FROM sync_outbox "
        "WHERE seq > ? ORDER BY seq"
    )
    params: list[Any] = [after]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [
        Pending(
            r[0],
            r[1],
            r[2],
            Version(r[3], json.loads(r[4]), bool(r[5]), json.loads(r[6]), r[7]),
        )
        for r in db.execute(sql, params).fetchall()
    ]


def pending_for(db: Database, table: str, row_key: str) -> list[Version]:
    rows = db.execute(
        "SELECT hlc, vv, deleted, data, user_id FROM sync_outbox "
        "WHERE tbl = ? AND row_key = ? ORDER BY seq",
        [table, row_key],
    ).fetchall()
    return [Version(r[0], json.loads(r[1]), bool(r[2]), json.loads(r[3]), r[4]) for r in rows]


def keep_newest(db: Database, rows: Iterable[tuple[str, list[str]]]) -> int:
    """Of the entries waiting for these rows (table, row keys), keep each row's newest
    only; returns how many went. Safe for sync: a row's newest entry made here has
    seen its older ones (its vector covers theirs). Erasure uses it, so older copies
    of an erased person's data do not wait in the outbox."""
    gone = 0
    for table, keys in rows:
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            gone += db.execute(
                f"DELETE FROM sync_outbox WHERE tbl = ? AND row_key IN ({marks}) AND seq < "
                f"(SELECT max(o.seq) FROM sync_outbox o WHERE o.tbl = sync_outbox.tbl "
                f"AND o.row_key = sync_outbox.row_key)",
                [table, *chunk],
            ).rowcount
    return gone


def forget_pushed(db: Database, up_to: int) -> None:
    """The hub has committed every entry up to ``up_to``."""
    db.execute("DELETE FROM sync_outbox WHERE seq <= ?", [up_to])


# -- writing what came from elsewhere -------------------------------------------------


def write_version(
    db: Database, policy: TablePolicy, row_key: str, version: Version, *, content: bool
) -> None:
    """Store ``version`` as the row's current one; ``content``: also write its data into
    the table (else the row keeps its data: a concurrent version that lost)."""
    if content:
        write_row(db, policy, row_key, version.data)
    _save_version(db, policy.table, row_key, version)


def write_row(db: Database, policy: TablePolicy, row_key: str, data: dict[str, Any]) -> None:
    """Insert or update the row named ``row_key`` with ``data`` (the columns that travel)."""
    values = dict(data)
    if policy.local_numbers:
        values["sync_key"] = row_key
    where, params = _where(db, policy, row_key)
    found = db.execute(f"SELECT rowid FROM {policy.table} WHERE {where}", params).fetchone()
    names = list(values)
    if found is None:
        db.execute(
            f"INSERT INTO {policy.table}({', '.join(names)}) "
            f"VALUES ({', '.join('?' * len(names))})",
            list(values.values()),
        )
    else:
        if policy.local_numbers:
            values.pop("sync_key")  # an entry of our own keeps its number and no key
            names = list(values)
            if not names:
                return
        db.execute(
            f"UPDATE {policy.table} SET {', '.join(f'{n} = ?' for n in names)} WHERE rowid = ?",
            [*values.values(), found[0]],
        )


# -- the inbox: fetched from the hub, not yet applied -------------------------------


def add_to_inbox(db: Database, seq: int, table: str, row_key: str, version: Version) -> None:
    db.execute(
        "INSERT OR REPLACE INTO sync_inbox(seq, tbl, row_key, hlc, user_id, vv, deleted, data) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            seq,
            table,
            row_key,
            version.hlc,
            version.user_id,
            canonical_json(version.vv),
            int(version.deleted),
            canonical_json(version.data),
        ],
    )


def inbox(
    db: Database, table: str, after: int = 0, limit: int = 2000
) -> list[tuple[int, str, str, Version]]:
    """What was fetched for ``table``, in the hub's commit order. Applied table by table
    (POLICIES' order), so a row comes after those it refers to: a case's trigger reads
    its household, which the hub may have changed after the case."""
    rows = db.execute(
        "SELECT seq, tbl, row_key, hlc, vv, deleted, data, user_id FROM sync_inbox "
        "WHERE tbl = ? AND seq > ? ORDER BY seq LIMIT ?",
        [table, after, limit],
    ).fetchall()
    return [
        (r[0], r[1], r[2], Version(r[3], json.loads(r[4]), bool(r[5]), json.loads(r[6]), r[7]))
        for r in rows
    ]


def clear_inbox(db: Database) -> None:
    db.execute("DELETE FROM sync_inbox")
