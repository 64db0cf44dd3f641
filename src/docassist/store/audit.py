"""The audit trail as a hash chain: the one place that writes it and checks it.

Every entry is a row of ``audit_entries`` whose ``hash`` is SHA-256 over its own
columns (all but the hash, in one fixed serialisation, see ``entry_hash``) and the
previous entry's hash. Editing, deleting, moving or slipping in a row with a SQLite
tool therefore breaks the chain at that row, and ``docassist db check`` says where.
Triggers (migration 0007) refuse UPDATE and DELETE on ``audit_entries``, so no
docassist code can change an entry even by mistake.

The values before and after a change are personal data, and erasure on request
(services/erasure.py) must remove them. They live apart, in ``audit_details``, and
the chain holds only their digest, salted with random bytes kept beside them: once
an erasure replaces the details and the salt, the digest left in the chain cannot
be used to confirm a guessed name or JMBG. The erase entry lists, in its own chained
``redacts`` column, each entry it rewrote with the new details' digest, so the check
tells a lawful erasure from an edit.

``audit_log`` is a view joining both, read by everything that shows the trail.

Each laptop's chain travels through the hub and in bundles (services/sync):
``audit_remote`` keeps the entries other laptops wrote, exactly as they were chained
there (their numbers, their hashes), one row per entry (its hash: the same entry
arriving twice is one row); ``audit_relay`` lists those that came by bundle and are
still to be passed on to the hub.
Only the chained columns travel; the values before and after stay where they were
written (personal data, which erasure rewrites there), and the chain holds only their
digest. ``verify_remote_chains`` checks every other laptop's chain by its own links:
each entry's hash, and that the entry it follows is here with the number before its.

What the chain cannot show on its own: someone who recomputes every hash from the
edited entry onwards, or removes the newest entries and also lowers SQLite's
counter of ids. Against that, compare the fingerprint ``db check`` prints (the
newest entry's hash) with the one a backup or an earlier check gave.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from docassist.domain.text import N_, UserError
from docassist.store import engine
from docassist.store.database import Database

# The predecessor of the first entry.
GENESIS = "0" * 64
# Changes with the serialisation, so an entry says which rule made its hash.
SCHEME = "docassist-audit-1"
# The chained columns, in the order they are hashed (``hash`` itself excluded).
CHAINED = (
    "id",
    "at",
    "user_id",
    "device_id",
    "action",
    "entity",
    "entity_id",
    "details_sha256",
    "redacts",
    "prev_hash",
)
# The columns an entry is given by its writer; the rest are computed here.
GIVEN = ("at", "user_id", "device_id", "action", "entity", "entity_id", "before", "after")


# One encoder for every entry: json.dumps with options builds a new one per call,
# which was half the time of checking a long trail.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _canonical(values: Sequence[Any]) -> bytes:
    """The fixed serialisation: a compact JSON array, UTF-8, text as it is."""
    return _ENCODER.encode(list(values)).encode("utf-8")


def entry_hash(row: Mapping[str, Any]) -> str:
    """SHA-256 over the scheme name and ``CHAINED`` columns of ``row``, as a JSON array."""
    return hashlib.sha256(_canonical([SCHEME, *(row[c] for c in CHAINED)])).hexdigest()


def details_digest(salt: bytes, before: str | None, after: str | None) -> str:
    """The digest of an entry's details that the chain holds (before/after are the
    JSON text exactly as stored)."""
    return hashlib.sha256(salt + _canonical([before, after])).hexdigest()


def _head(db: Database) -> tuple[int, str]:
    """The id to number on from and the hash to chain to. The id is SQLite's counter
    when it is ahead of the newest row: ids then stay without gaps, so newest entries
    removed by hand leave a gap that the check finds even after more are appended."""
    row = db.execute("SELECT id, hash FROM audit_entries ORDER BY id DESC LIMIT 1").fetchone()
    seq = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit_entries'").fetchone()
    last_id, last_hash = (row[0], row[1]) if row else (0, GENESIS)
    return max(last_id, seq[0] if seq else 0), last_hash


def append_entries(db: Database, entries: Iterable[Mapping[str, Any]]) -> None:
    """Append ``entries`` (dicts with the ``GIVEN`` keys, ``before``/``after`` as JSON
    text or None, and optionally ``redacts``: {entry id: new details digest}) to the
    end of the chain. The only code that writes the audit trail.

    Entries are numbered on from the newest. Migration 0007 gives each old entry's
    ``id`` instead, to keep the ids they had; an id must be above the newest.

    Reading the newest hash and writing after it happen in one write transaction:
    the caller's (a use case holds BEGIN IMMEDIATE), or one begun here. Two
    connections therefore append one after the other, and the unique index on
    ``prev_hash`` refuses a fork even from code that got this wrong.
    """
    own = not db.conn.in_transaction
    if own:
        db.execute("BEGIN IMMEDIATE")
    try:
        last_id, last_hash = _head(db)
        chained: list[list[Any]] = []
        details: list[list[Any]] = []
        for entry in entries:
            given_id = entry.get("id")
            if given_id is not None and given_id <= last_id:
                raise ValueError(f"audit entry id {given_id} is not after {last_id}")
            last_id = given_id if given_id is not None else last_id + 1
            before, after = entry.get("before"), entry.get("after")
            redacts = entry.get("redacts")
            row: dict[str, Any] = {c: entry.get(c) for c in GIVEN[:6]}
            row["id"] = last_id
            row["details_sha256"] = None
            row["redacts"] = (
                json.dumps({str(k): v for k, v in sorted(redacts.items())}, sort_keys=True)
                if redacts
                else None
            )
            row["prev_hash"] = last_hash
            if before is not None or after is not None:
                salt = os.urandom(16)
                row["details_sha256"] = details_digest(salt, before, after)
                details.append([last_id, salt, before, after])
            last_hash = entry_hash(row)
            chained.append([*(row[c] for c in CHAINED), last_hash])
        db.conn.executemany(
            f"INSERT INTO audit_entries ({', '.join(CHAINED)}, hash) "
            f"VALUES ({', '.join('?' * (len(CHAINED) + 1))})",
            chained,
        )
        db.conn.executemany(
            "INSERT INTO audit_details (entry_id, salt, before, after) VALUES (?, ?, ?, ?)",
            details,
        )
    except BaseException:
        if own and db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise
    if own:
        db.execute("COMMIT")


def redact_details(db: Database, entry_id: int, before: str | None, after: str | None) -> str:
    """Replace entry ``entry_id``'s details (erasure on request) with a new salt, and
    return their new digest, which the erase entry then records in ``redacts``."""
    salt = os.urandom(16)
    db.execute(
        "UPDATE audit_details SET salt = ?, before = ?, after = ? WHERE entry_id = ?",
        [salt, before, after, entry_id],
    )
    return details_digest(salt, before, after)


# --- checking ---------------------------------------------------------------

_EDITED = N_(
    "audit trail: entry {id} of {at} was changed after it was written (its hash no "
    "longer matches); entries from there on cannot be trusted."
)
_DETAILS = N_(
    "audit trail: the details of entry {id} of {at} (the values before and after) were "
    "changed after they were written."
)
_REMOVED = N_(
    "audit trail: the entries between entry {prev_id} of {prev_at} and entry {id} of "
    "{at} were removed."
)
_BROKEN = N_(
    "audit trail: the chain breaks between entry {prev_id} of {prev_at} and entry {id} "
    "of {at}: an entry there was changed, removed, moved or added."
)
_START = N_(
    "audit trail: the chain does not start at entry {id} of {at}: the entries before it "
    "were removed."
)
_TAIL = N_(
    "audit trail: entries after the newest one left, entry {id} of {at}, were removed "
    "(the register had given out ids up to {seq})."
)
_MISSING = N_("audit trail: the table of audit entries is missing from the register.")


class ChainBreak(UserError):
    """Where the audit chain first breaks: the entry named, for tests and callers."""

    def __init__(self, message: str, entry_id: int | None, **params: Any) -> None:
        super().__init__(message, **params)
        self.entry_id = entry_id


@dataclass(frozen=True)
class ChainHead:
    """The newest entry and how many there are: what a clean check reports."""

    count: int
    id: int
    at: str
    hash: str

    @property
    def fingerprint(self) -> str:
        """Short enough to write down, long enough that nobody forges a match."""
        return self.hash[:16]


def _has_chain(conn: sqlite3.Connection) -> bool | None:
    """True with the chain's tables, None for a register from before migration 0007
    (nothing to check), False when the migration ran but the table is gone."""
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    if "audit_entries" in names:
        return True
    try:
        applied = conn.execute(
            "SELECT 1 FROM _sqlite_migrations WHERE migration_set = 'docassist' "
            "AND name = '0007_audit_chain'"
        ).fetchone()
    except engine.OperationalErrors:  # no record of migrations: not ours, or very old
        return None
    return False if applied else None


def _redactions(conn: sqlite3.Connection) -> dict[int, str]:
    """{redacted entry id: its details' digest since}, the latest redaction of each
    entry winning. Read once the chain verifies, so every list is as written; only a
    later entry may redact an earlier one."""
    out: dict[int, str] = {}
    for by, text in conn.execute(
        "SELECT id, redacts FROM audit_entries WHERE redacts IS NOT NULL ORDER BY id"
    ):
        try:
            listed = [(int(k), str(v)) for k, v in json.loads(text).items()]
        except (ValueError, AttributeError, TypeError):
            continue  # forged whole-chain: its entries' details then fail to match
        for target, digest in listed:
            if target < by:
                out[target] = digest
    return out


def verify_chain(conn: sqlite3.Connection) -> ChainBreak | ChainHead | None:
    """Walk the trail oldest first: the first break found, else the newest entry
    (None when there is no entry, or no chain in this register's version).

    The chain is checked first, then the details against the digests it holds:
    an edited erase entry would otherwise show as changed details of the entries
    it redacted, earlier in the trail than the edit itself."""
    has = _has_chain(conn)
    if has is None:
        return None
    if not has:
        return ChainBreak(_MISSING, None)
    rows = conn.execute(f"SELECT {', '.join(CHAINED)}, hash FROM audit_entries ORDER BY id")
    prev: dict[str, Any] | None = None
    count = 0
    for values in rows:
        row = dict(zip((*CHAINED, "hash"), values, strict=True))
        where = {"id": row["id"], "at": row["at"]}
        count += 1
        sound = entry_hash(row) == row["hash"]  # else it is named as edited below
        if prev is None:
            if sound and row["prev_hash"] != GENESIS:
                return ChainBreak(_START, row["id"], **where)
        else:
            around = {"prev_id": prev["id"], "prev_at": prev["at"], **where}
            if sound and isinstance(row["id"], int) and row["id"] > prev["id"] + 1:
                return ChainBreak(_REMOVED, row["id"], **around)
            if sound and row["prev_hash"] != prev["hash"]:
                return ChainBreak(_BROKEN, row["id"], **around)
        if not sound:
            return ChainBreak(_EDITED, row["id"], **where)
        prev = row
    if prev is None:
        return None
    seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit_entries'").fetchone()
    if seq and seq[0] > prev["id"]:
        return ChainBreak(_TAIL, prev["id"], id=prev["id"], at=prev["at"], seq=seq[0])
    broken = _verify_details(conn)
    if broken is not None:
        return broken
    return ChainHead(count, prev["id"], prev["at"], prev["hash"])


def _verify_details(conn: sqlite3.Connection) -> ChainBreak | None:
    """The first entry whose details (or lack of them) do not match its digest."""
    redacted = _redactions(conn)
    rows = conn.execute(
        "SELECT e.id, e.at, e.details_sha256, d.entry_id, d.salt, d.before, d.after "
        "FROM audit_entries e LEFT JOIN audit_details d ON d.entry_id = e.id "
        "WHERE e.details_sha256 IS NOT NULL OR d.entry_id IS NOT NULL ORDER BY e.id"
    )
    for entry_id, at, digest, detail_id, salt, before, after in rows:
        expected = redacted.get(entry_id, digest)
        if detail_id is None:
            actual = None
        elif isinstance(salt, bytes):
            actual = details_digest(salt, before, after)
        else:
            actual = "?"  # a salt that is not bytes was not written by docassist
        if actual != expected:
            return ChainBreak(_DETAILS, entry_id, id=entry_id, at=at)
    return None


# --- other laptops' chains (synced through the hub) -------------------------------------

# What travels of an entry: the chained columns and the hash.
TRAVELS = (*CHAINED, "hash")


def entries_after(db: Database, after_id: int, limit: int) -> list[dict[str, Any]]:
    """This register's own entries numbered after ``after_id``, oldest first, as they
    travel (no details)."""
    rows = db.execute(
        f"SELECT {', '.join(TRAVELS)} FROM audit_entries WHERE id > ? ORDER BY id LIMIT ?",
        [after_id, limit],
    ).fetchall()
    return [dict(zip(TRAVELS, r, strict=True)) for r in rows]


def held_entries(db: Database) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every entry this register holds, as they travel: its own chain, and the other
    laptops' (each laptop's oldest first). What a bundle carries."""
    own = entries_after(db, 0, -1)
    rows = db.execute(
        f"SELECT {', '.join(TRAVELS)} FROM audit_remote ORDER BY device_id, id"
    ).fetchall()
    return own, [dict(zip(TRAVELS, r, strict=True)) for r in rows]


def add_remote_entries(
    db: Database, entries: Iterable[Mapping[str, Any]], *, relay: bool = False
) -> int:
    """Keep other laptops' ``entries`` (as ``entries_after`` gives them) as they came:
    one already here (by its hash, in this register's own chain or among the others')
    is skipped, and so is one numbered by this laptop itself (its own chain is written
    here, never received). Returns how many were new. ``relay``: they came by bundle,
    and the next sync passes them on to the hub (``entries_to_relay``). Checked by
    ``verify_remote_chains``, not here: what arrived is kept as it is, so that a check
    can name what is wrong."""
    me = db.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
    added = 0
    for entry in entries:
        if me is not None and entry["device_id"] == me[0]:
            continue
        if db.execute("SELECT 1 FROM audit_entries WHERE hash = ?", [entry["hash"]]).fetchone():
            continue  # this register's own (pushed under an id it had before a restore)
        cur = db.execute(
            f"INSERT OR IGNORE INTO audit_remote ({', '.join(TRAVELS)}) "
            f"VALUES ({', '.join('?' * len(TRAVELS))})",
            [entry[c] for c in TRAVELS],
        )
        if cur.rowcount and relay:
            db.execute("INSERT OR IGNORE INTO audit_relay (hash) VALUES (?)", [entry["hash"]])
        added += cur.rowcount
    return added


def entries_to_relay(db: Database, limit: int) -> list[dict[str, Any]]:
    """Other laptops' entries that came by bundle and are not yet sent to the hub,
    each laptop's oldest first (so the hub receives each chain in its order)."""
    columns = ", ".join(f"r.{c}" for c in TRAVELS)
    rows = db.execute(
        f"SELECT {columns} FROM audit_relay q JOIN audit_remote r ON r.hash = q.hash "
        "ORDER BY r.device_id, r.id LIMIT ?",
        [limit],
    ).fetchall()
    return [dict(zip(TRAVELS, r, strict=True)) for r in rows]


def relayed(db: Database, hashes: Iterable[str]) -> None:
    """The hub has committed these relayed entries: they need not be sent again."""
    db.conn.executemany("DELETE FROM audit_relay WHERE hash = ?", [[h] for h in hashes])


_REMOTE_EDITED = N_(
    "audit trail of laptop {device}: entry {id} of {at} was changed after it was written "
    "(its hash no longer matches)."
)
_REMOTE_MISSING = N_(
    "audit trail of laptop {device}: the entry before entry {id} of {at} is missing "
    "(removed from this register): the chain breaks there."
)
_REMOTE_BROKEN = N_(
    "audit trail of laptop {device}: the chain breaks at entry {id} of {at}: an entry "
    "before it was changed, removed, moved or added."
)


@dataclass(frozen=True)
class RemoteStart:
    """A laptop's chain held here only from ``id`` on: the entries before it have not
    reached this register (the hub or a bundle brings them)."""

    device: str
    id: int
    at: str


@dataclass(frozen=True)
class RemoteChains:
    """What a clean check of the other laptops' chains found."""

    devices: int
    count: int
    # the chains held only from some entry on, each verified from there
    partial: tuple[RemoteStart, ...] = ()


def verify_remote_chains(conn: sqlite3.Connection) -> ChainBreak | RemoteChains | None:
    """Check the other laptops' entries this register holds, each laptop's chain by its
    own links: every entry's hash over its columns, and the entry it follows (by hash)
    present here, numbered one before it, among that laptop's entries or this
    register's own (a laptop restored from a backup goes on under a new id from the
    chain it had). The first break found, else how many laptops and entries; None when
    there are none (or no such table in this register's version).

    A chain may be here only from some entry on: one relayed by a bundle, or read from
    the hub by a laptop whose user became a coordinator after its first syncs. So the
    oldest entry held of a laptop may follow one that is not here: that is where this
    register's copy starts (``RemoteChains.partial``), not a break; every entry after
    it must follow the one before it, so an entry removed further on, or edited
    anywhere, is still found. What this cannot tell apart: a laptop's first entries
    removed here look like ones not received (the check says from where it holds
    each chain), as the newest entries removed leave nothing to find; the values
    before and after are not here to check."""
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    if "audit_remote" not in names:
        return None
    numbers: dict[str, int] = dict(conn.execute("SELECT hash, id FROM audit_entries"))
    rows = [
        dict(zip(TRAVELS, values, strict=True))
        for values in conn.execute(
            f"SELECT {', '.join(TRAVELS)} FROM audit_remote ORDER BY device_id, id"
        )
    ]
    if not rows:
        return None
    numbers.update((r["hash"], r["id"]) for r in rows)
    partial: list[RemoteStart] = []
    device = None
    for row in rows:
        oldest = row["device_id"] != device
        device = row["device_id"]
        where = {"device": str(row["device_id"])[:8], "id": row["id"], "at": row["at"]}
        if entry_hash(row) != row["hash"]:
            return ChainBreak(_REMOTE_EDITED, row["id"], **where)
        if row["prev_hash"] == GENESIS:
            continue
        before = numbers.get(row["prev_hash"])
        if before is None:
            if oldest and isinstance(row["id"], int) and row["id"] > 1:  # entries before it
                partial.append(RemoteStart(str(row["device_id"]), row["id"], row["at"]))
                continue
            return ChainBreak(_REMOTE_MISSING, row["id"], **where)
        if not isinstance(row["id"], int) or before + 1 != row["id"]:
            return ChainBreak(_REMOTE_BROKEN, row["id"], **where)
    return RemoteChains(len({r["device_id"] for r in rows}), len(rows), tuple(partial))
