from __future__ import annotations

from datetime import date

import pytest

from docassist.domain.model import Role
from docassist.services.context import Context
from docassist.services.users import create_user
from docassist.store.db import open_database

TODAY = date(2026, 11, 23)


@pytest.fixture
def ctx(tmp_path):
    db = open_database(tmp_path / "register.db")
    context = Context(db, today=lambda: TODAY)
    user = create_user(context, "Milica", Role.COORDINATOR)
    context.user_id = user.id
    yield context
    db.close()
