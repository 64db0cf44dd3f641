"""What the command-line tests share."""

from __future__ import annotations


def register_with_figures(tmp_path, *, role=None):
    """A register with the hand-counted families of the report tests, and its users."""
    from datetime import date

    from docassist.domain.model import Role
    from docassist.services.context import Context
    from docassist.services.users import create_user
    from docassist.store.db import open_database
    from tests.services import report_fixture

    path = tmp_path / "register.db"
    db = open_database(path)
    ctx = Context(db, today=lambda: date(2026, 11, 23))
    ctx.user_id = create_user(ctx, "Milica Koordinatorka", Role.COORDINATOR).id
    create_user(ctx, "Fikret", Role.FACILITATOR)
    report_fixture.build(ctx)
    db.close()
    return path
