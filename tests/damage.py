"""Damaging a register on purpose, the way a failing disk or a bad copy does."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def damage_table(path: Path, table: str) -> None:
    """Overwrite the root pages of ``table`` and its indexes, nothing else: the
    register still opens (its schema, meta and migrations are intact) and fails
    only when the table is read, as damage deep inside a large register does."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        roots = [
            r[0]
            for r in conn.execute(
                "SELECT rootpage FROM sqlite_master WHERE tbl_name = ? AND rootpage > 0", [table]
            )
        ]
    conn.close()
    raw = bytearray(path.read_bytes())
    for page in roots:
        start = (page - 1) * page_size
        raw[start : start + page_size] = b"\xff" * page_size
    path.write_bytes(bytes(raw))
