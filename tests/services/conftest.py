from __future__ import annotations

from datetime import date

import pytest

from docassist.domain.model import Role
from docassist.procedures import load_all
from docassist.services import reports as rp
from docassist.services.context import Context
from docassist.services.users import create_user
from docassist.store.db import open_database
from tests.services import report_fixture
from tests.services.report_fixture import PERIOD

TODAY = date(2026, 11, 23)


@pytest.fixture
def ctx(tmp_path):
    db = open_database(tmp_path / "register.db")
    context = Context(db, today=lambda: TODAY)
    user = create_user(context, "Milica", Role.COORDINATOR)
    context.user_id = user.id
    yield context
    db.close()


@pytest.fixture(scope="module")
def checklists():
    """The shipped checklists, without any user's own files."""
    return load_all(user=False)


@pytest.fixture
def report(ctx, checklists):
    """The report over the fixture's families for PERIOD."""
    report_fixture.build(ctx)
    return rp.build_report(ctx, PERIOD, None, checklists)
