"""Which registers hold made-up families only: the demo's mark, and how to read it.

Apart from the demo's generator (services/demo.py, a large module that imports the
household and case services) because the sign-in screen of any plaintext register
asks whether it is a demo before anything else is shown, and the command line asks
before it opens a file: reading one meta row should not cost a start the generator's
imports.
"""

from __future__ import annotations

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
    from docassist.store.db import StoreError, connect
    from docassist.store.engine import DatabaseErrors

    try:
        conn = connect(path, read_only=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", [DEMO_KIND[0]]).fetchone()
        finally:
            conn.close()
    except StoreError:  # a folder, another kind of file, encrypted
        return False
    except DatabaseErrors:  # not a database, no meta table, damaged: not a demo
        return False
    return row is not None and row[0] == DEMO_KIND[1]


def is_demo_register(ctx: Context) -> bool:
    """True if the open register is one the demo's ``generate`` filled (made-up
    families only)."""
    row = ctx.db.execute("SELECT value FROM meta WHERE key = ?", [DEMO_KIND[0]]).fetchone()
    return row is not None and row[0] == DEMO_KIND[1]
