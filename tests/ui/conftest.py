from __future__ import annotations

from datetime import date

import pytest

from docassist.domain.model import DocumentKind
from docassist.services.context import Context
from docassist.services.demo import DemoChecklist, generate
from docassist.store.db import open_database

SMALL_CHECKLISTS = [
    # produces its document, as the real one does: a case on a checklist producing
    # none is a route, which the reports count apart from the documents
    DemoChecklist("id-card", 1, DocumentKind.ID_CARD, (("gather", 7), ("apply", 15))),
]


@pytest.fixture
def demo_db(tmp_path):
    """A small made-up register, built once per test with a fixed seed."""
    path = tmp_path / "demo.db"
    db = open_database(path)
    generate(
        Context(db, today=lambda: date(2026, 11, 23)),
        households=60,
        seed=3,
        checklists=SMALL_CHECKLISTS,
    )
    db.close()
    return path


@pytest.fixture
def empty_db(tmp_path):
    path = tmp_path / "empty.db"
    open_database(path).close()
    return path


def make_user(path, role=None, name="Test Coordinator") -> str:
    """A user in the database at ``path``, to start the app signed in."""
    from docassist.domain.model import Role
    from docassist.services.users import create_user

    db = open_database(path)
    try:
        return create_user(Context(db), name, role or Role.COORDINATOR).id
    finally:
        db.close()


def make_account(path, role=None, name="Test Coordinator", passphrase="river stone lamp", **kw):
    """An account with a passphrase in the database at ``path``, to sign in with."""
    from docassist.domain.model import Role
    from docassist.services import accounts
    from docassist.services.users import create_user

    db = open_database(path)
    try:
        return create_user(
            Context(db),
            name,
            role or Role.COORDINATOR,
            passphrase_hash=accounts.hash_passphrase(passphrase),
            **kw,
        ).id
    finally:
        db.close()
