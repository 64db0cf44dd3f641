"""Where this register stands with its organisation's hub: attached or not, its
sync state row, each source's cursor and what waits in the outbox.

The title reads these at every start and now and then (services/sync_standing), so
they live apart from the outbox's writing side (store/outbox.py), which loads the
sync rules and clocks a start does not need. store/outbox.py re-exports them.
"""

from __future__ import annotations

from typing import Any

from docassist.store.database import Database


def is_attached(db: Database) -> bool:
    return bool(db.execute("SELECT attached FROM sync_state").fetchone()[0])


def state(db: Database) -> dict[str, Any]:
    cursor = db.execute("SELECT * FROM sync_state")
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def set_state(db: Database, **values: Any) -> None:
    db.execute(
        "UPDATE sync_state SET " + ", ".join(f"{k} = ?" for k in values),
        list(values.values()),
    )


def cursor(db: Database, source: str) -> int:
    row = db.execute("SELECT position FROM sync_cursors WHERE source = ?", [source]).fetchone()
    return int(row[0]) if row else 0


def set_cursor(db: Database, source: str, **values: Any) -> None:
    db.execute("INSERT OR IGNORE INTO sync_cursors(source) VALUES (?)", [source])
    db.execute(
        "UPDATE sync_cursors SET " + ", ".join(f"{k} = ?" for k in values) + " WHERE source = ?",
        [*values.values(), source],
    )


def cursor_row(db: Database, source: str) -> dict[str, Any] | None:
    cur = db.execute("SELECT * FROM sync_cursors WHERE source = ?", [source])
    names = [d[0] for d in cur.description]
    row = cur.fetchone()
    return dict(zip(names, row, strict=True)) if row else None


def oldest_pending(db: Database) -> str | None:
    return db.execute("SELECT min(made_at) FROM sync_outbox").fetchone()[0]


def count_pending(db: Database) -> int:
    return db.execute("SELECT count(*) FROM sync_outbox").fetchone()[0]
