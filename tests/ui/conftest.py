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


def petrovic_and_a_workshop(path, user: str, today: date) -> tuple[str, str]:
    """The Petrović household (consent recorded) and a workshop in Novi Sad, Veliki
    rit, on ``today``, registered by ``user`` in the database at ``path``: (household,
    workshop), for the tests of forms and dialogs that hold typing."""
    from docassist.services import households as hh
    from docassist.services import workshops as ws

    db = open_database(path)
    try:
        ctx = Context(db, user_id=user, today=lambda: today)
        household = hh.register_household(
            ctx,
            hh.HouseholdInput("Petrović", consent_date="2026-11-01", consent_scope="register"),
        )
        workshop = ws.start_workshop(
            ctx, today, "Community centre", "Novi Sad", "Veliki rit", ["id-card"], ["rom", "sr"]
        )
    finally:
        db.close()
    return household, workshop
