"""What the command-line tests share: registers with users who sign in."""

from __future__ import annotations

from pathlib import Path

# Every test user's passphrase (the hash is cheap in tests: tests/conftest.py).
PASSPHRASE = "test passphrase words"


def add_user(path: Path, name: str, role=None, passphrase: str | None = PASSPHRASE) -> str:
    """A user with ``passphrase`` (None: one from before accounts, without any) in the
    register at ``path``, made if it is not there; returns the user's id."""
    from docassist.domain.model import Role
    from docassist.services import accounts
    from docassist.services.context import Context
    from docassist.services.users import create_user
    from docassist.store.db import open_database

    db = open_database(path)
    try:
        digest = accounts.hash_passphrase(passphrase) if passphrase else None
        return create_user(Context(db), name, role or Role.COORDINATOR, passphrase_hash=digest).id
    finally:
        db.close()


def sign_in_as(monkeypatch, name: str, passphrase: str = PASSPHRASE) -> None:
    """Commands run in this test sign in as ``name``, as a script would (environment)."""
    monkeypatch.setenv("DOCASSIST_USER", name)
    monkeypatch.setenv("DOCASSIST_PASSPHRASE", passphrase)


def signed_in_register(tmp_path, monkeypatch, role=None, name: str = "Milica") -> Path:
    """An empty register with one user (a coordinator unless ``role``), signed in as."""
    path = tmp_path / "register.db"
    add_user(path, name, role)
    sign_in_as(monkeypatch, name)
    return path


def register_with_figures(tmp_path, *, role=None):
    """A register with the hand-counted families of the report tests, and its users:
    Milica Koordinatorka (coordinator), Fikret (facilitator) and Ana Polaznica (trainee),
    each with ``PASSPHRASE``."""
    from datetime import date

    from docassist.domain.model import Role
    from docassist.services import accounts
    from docassist.services.context import Context
    from docassist.services.users import create_user
    from docassist.store.db import open_database
    from tests.services import report_fixture

    path = tmp_path / "register.db"
    db = open_database(path)
    ctx = Context(db, today=lambda: date(2026, 11, 23))
    digest = accounts.hash_passphrase(PASSPHRASE)
    ctx.user_id = create_user(
        ctx, "Milica Koordinatorka", Role.COORDINATOR, passphrase_hash=digest
    ).id
    create_user(ctx, "Fikret", Role.FACILITATOR, passphrase_hash=digest)
    create_user(ctx, "Ana Polaznica", Role.TRAINEE, passphrase_hash=digest)
    report_fixture.build(ctx)
    db.close()
    return path
