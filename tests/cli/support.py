"""What the command-line tests share: registers with users who sign in.

Registers are made the way a user makes one (``accounts.create_register``, as ``docassist
init`` does): encrypted, with a key file beside them. ``open_register`` and ``connect``
open them again for a test to look inside, with the key the recovery key unwraps
(kept here for the registers made here). ``plaintext=True`` makes one as before
encryption (a register from an older docassist).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

# Every test user's passphrase (the hash is cheap in tests: tests/conftest.py).
PASSPHRASE = "test passphrase words"

# The recovery key of every encrypted register made here, by its resolved path.
RECOVERY_KEYS: dict[Path, str] = {}


def new_register(
    path: Path, name: str = "Milica", passphrase: str = PASSPHRASE, *, plaintext: bool = False
):
    """A new register at ``path`` with ``name`` as its first coordinator, made as ``init``
    makes it; returns its open context (the coordinator signed in), for the caller to
    close (``ctx.db.close()``)."""
    from docassist.services import accounts

    made = accounts.create_register(path, name, passphrase, encrypt=not plaintext)
    if made.recovery_key:
        RECOVERY_KEYS[Path(path).resolve()] = made.recovery_key
    return made.context


def key_of(path: Path) -> bytes | None:
    """The database key of a register made here, or of a backup or kept copy of one (its
    key file wraps the same recovery key); None for a plaintext one."""
    from docassist.store import engine, keys

    if engine.header(path) is engine.Header.PLAINTEXT:
        return None
    known = RECOVERY_KEYS.get(Path(path).resolve())
    if known is not None:
        return keys.unlock_with_recovery(path, known)
    for recovery in reversed(RECOVERY_KEYS.values()):  # the newest registers first
        try:
            return keys.unlock_with_recovery(path, recovery)
        except keys.RecoveryKeyError:
            continue
    raise LookupError(f"{path} is no register made by tests.cli.support, nor a copy of one")


def open_register(path: Path, *, create: bool = False):
    """``open_database`` of a register made here, with its key when it is encrypted."""
    from docassist.store.db import open_database

    return open_database(path, create=create, key=key_of(path))


@contextlib.contextmanager
def connect(path: Path) -> Iterator:
    """A bare connection (standard library or SQLCipher, as the file needs), closed after
    the block: for tests that read a register made here with plain SQL."""
    from docassist.store.db import connect as store_connect

    conn = store_connect(Path(path), key_of(path))
    try:
        yield conn
    finally:
        conn.close()


def context(path: Path):
    """A context on a register made here (closed by the caller: ``ctx.db.close()``)."""
    from docassist.services.context import Context

    key = key_of(path)
    from docassist.store.db import open_database

    return Context(open_database(path, create=False, key=key), db_key=key)


def add_user(
    path: Path,
    name: str,
    role=None,
    passphrase: str | None = PASSPHRASE,
    *,
    plaintext: bool = False,
) -> str:
    """A user with ``passphrase`` in the register at ``path``; returns the user's id.
    A register not there yet is made: with ``name`` as its first coordinator (encrypted,
    as ``init`` makes it), or, for a first user of another role or one from before
    accounts (``passphrase`` None), ``plaintext`` as before accounts and encryption."""
    from docassist.domain.model import Role
    from docassist.services import accounts
    from docassist.services.users import create_user
    from docassist.store import keys

    role = role or Role.COORDINATOR
    if not path.exists():
        if role == Role.COORDINATOR and passphrase is not None and not plaintext:
            ctx = new_register(path, name, passphrase)
            ctx.db.close()
            return _id_of(path, name)
        plaintext = True
    if plaintext or key_of(path) is None:
        from docassist.services.context import Context
        from docassist.store.db import open_database

        db = open_database(path)
        try:
            digest = accounts.hash_passphrase(passphrase) if passphrase else None
            return create_user(Context(db), name, role, passphrase_hash=digest).id
        finally:
            db.close()
    ctx = context(path)
    try:
        user = create_user(ctx, name, role)
        if passphrase is not None:
            assert ctx.db_key is not None
            keys.set_passphrase(path, name, passphrase, ctx.db_key)
        return user.id
    finally:
        ctx.db.close()


def _id_of(path: Path, name: str) -> str:
    with connect(path) as conn:
        return conn.execute("SELECT id FROM users WHERE name = ?", [name]).fetchone()[0]


def sign_in_as(monkeypatch, name: str, passphrase: str = PASSPHRASE) -> None:
    """Commands run in this test sign in as ``name``, as a script would (environment)."""
    monkeypatch.setenv("DOCASSIST_USER", name)
    monkeypatch.setenv("DOCASSIST_PASSPHRASE", passphrase)


def signed_in_register(tmp_path, monkeypatch, role=None, name: str = "Milica") -> Path:
    """An empty register with one user (a coordinator unless ``role``), signed in as."""
    from docassist.domain.model import Role

    path = tmp_path / "register.db"
    if role is None or role == Role.COORDINATOR:
        add_user(path, name, role)
    else:
        new_register(path, "Register Coordinator").db.close()
        add_user(path, name, role)
    sign_in_as(monkeypatch, name)
    return path


def register_with_figures(tmp_path, *, role=None, plaintext: bool = False):
    """A register with the hand-counted families of the report tests, and its users:
    Milica Koordinatorka (coordinator), Fikret (facilitator) and Ana Polaznica (trainee),
    each with ``PASSPHRASE``."""
    from datetime import date

    from docassist.domain.model import Role
    from tests.services import report_fixture

    path = tmp_path / "register.db"
    ctx = new_register(path, "Milica Koordinatorka", plaintext=plaintext)
    ctx.db.close()
    add_user(path, "Fikret", Role.FACILITATOR)
    add_user(path, "Ana Polaznica", Role.TRAINEE)
    ctx = context(path)
    ctx.today = lambda: date(2026, 11, 23)
    ctx.user_id = _id_of(path, "Milica Koordinatorka")
    report_fixture.build(ctx)
    ctx.db.close()
    return path
