"""Which registers hold made-up families only: the demo's mark and the practice
register's, and how to read them.

Apart from the demo's generator (services/demo.py, a large module that imports the
household and case services) because the sign-in screen of any plaintext register
asks whether it is a demo before anything else is shown, and the command line asks
before it opens a file: reading one meta row should not cost a start the generator's
imports.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from docassist.services.context import Context

# The meta row that says a register holds only made-up families: ``demo`` writes
# into no other register, and ``demo --rebuild`` deletes no other file.
DEMO_KIND = ("kind", "demo")
# The made-up users of a demo register (services/demo.py) share this passphrase, shown
# on the demo's start screen; it opens made-up families only.
DEMO_PASSPHRASE = "demo-demo-demo"
# The meta row of the trainees' practice register (services/practice.open_practice).
PRACTICE_PURPOSE = ("purpose", "practice")


class MadeUp(Enum):
    """A register of made-up families only, by what made it so."""

    DEMO = "demo"
    PRACTICE = "practice"


_MARKS = {DEMO_KIND: MadeUp.DEMO, PRACTICE_PURPOSE: MadeUp.PRACTICE}
_READ_MARKS = "SELECT key, value FROM meta WHERE key IN (?, ?)"


def _made_up(rows: list[tuple[str, str]]) -> MadeUp | None:
    return next((_MARKS[(key, value)] for key, value in rows if (key, value) in _MARKS), None)


def made_up(ctx: Context) -> MadeUp | None:
    """Whether the open register holds made-up families only (the demo's, or the
    practice register), and which; None for a register of real families."""
    keys = [DEMO_KIND[0], PRACTICE_PURPOSE[0]]
    return _made_up([(r[0], r[1]) for r in ctx.db.execute(_READ_MARKS, keys)])


def made_up_file(path: Path) -> MadeUp | None:
    """``made_up`` for the register file at ``path``, read without opening it for use
    (an encrypted file, or anything not a register, is not made-up: see ``is_demo_file``)."""
    from docassist.store import engine
    from docassist.store.db import StoreError, connect

    try:
        conn = connect(path, read_only=True)
        try:
            rows = conn.execute(_READ_MARKS, [DEMO_KIND[0], PRACTICE_PURPOSE[0]]).fetchall()
        finally:
            conn.close()
    except StoreError:  # a folder, another kind of file, encrypted
        return None
    except engine.DatabaseErrors:  # not a database, no meta table, damaged
        return None
    return _made_up([(r[0], r[1]) for r in rows])


def is_practice(ctx: Context) -> bool:
    """True if ``ctx`` is the trainees' practice register: made-up families only, and
    nothing of the organisation's real ones may show in it."""
    key, value = PRACTICE_PURPOSE
    row = ctx.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row is not None and row[0] == value


def is_demo_file(path: Path) -> bool:
    """True if the file at ``path`` is a register the demo's ``generate`` filled
    (read-only look). Made-up families are never encrypted: an encrypted file is not
    a demo, and is not opened to find out (without its key it cannot be)."""
    from docassist.store import engine
    from docassist.store.db import StoreError, connect

    try:
        conn = connect(path, read_only=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", [DEMO_KIND[0]]).fetchone()
        finally:
            conn.close()
    except StoreError:  # a folder, another kind of file, encrypted
        return False
    except engine.DatabaseErrors:  # not a database, no meta table, damaged: not a demo
        return False
    return row is not None and row[0] == DEMO_KIND[1]


def is_demo_register(ctx: Context) -> bool:
    """True if the open register is one the demo's ``generate`` filled (made-up
    families only)."""
    row = ctx.db.execute("SELECT value FROM meta WHERE key = ?", [DEMO_KIND[0]]).fetchone()
    return row is not None and row[0] == DEMO_KIND[1]
