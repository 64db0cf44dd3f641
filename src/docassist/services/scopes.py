"""Where a facilitator works: the municipalities their laptop holds.

A coordinator sets them; the hub's row-level security reads them (with the cases
assigned to the facilitator) to decide what that facilitator's laptop may pull.
"""

from __future__ import annotations

from collections.abc import Sequence

from docassist.domain.model import Role
from docassist.domain.text import N_, Problem
from docassist.services.context import Context, NotFoundError, ValidationError
from docassist.services.places import place_key
from docassist.store.db import new_id


def scopes_of(ctx: Context, user_id: str) -> list[str]:
    rows = ctx.db.execute(
        "SELECT municipality FROM user_scopes WHERE user_id = ? AND deleted_at IS NULL "
        "ORDER BY municipality",
        [user_id],
    ).fetchall()
    return [r[0] for r in rows]


def set_scopes(ctx: Context, user_id: str, municipalities: Sequence[str]) -> None:
    """Make ``municipalities`` the places ``user_id`` works in (coordinators only)."""
    me = ctx.db.execute("SELECT role FROM users WHERE id = ?", [ctx.user_id]).fetchone()
    if me is None or me[0] not in (Role.COORDINATOR, Role.ADMIN):
        raise ValidationError(
            {"user": [Problem("role", N_("Only a coordinator may set where someone works."))]}
        )
    if ctx.db.execute("SELECT 1 FROM users WHERE id = ?", [user_id]).fetchone() is None:
        raise NotFoundError("user", user_id)
    wanted = {place_key(m): " ".join(m.split()) for m in municipalities if m.strip()}
    rows = ctx.db.execute(
        "SELECT id, municipality FROM user_scopes WHERE user_id = ? AND deleted_at IS NULL",
        [user_id],
    ).fetchall()
    have = {place_key(m): i for i, m in rows}
    before = scopes_of(ctx, user_id)
    if set(have) == set(wanted):
        return
    with ctx.use_case():
        for key, row_id in have.items():
            if key not in wanted:
                ctx.db.execute(
                    "UPDATE user_scopes SET deleted_at = ?, updated_at = ?, device_id = ? "
                    "WHERE id = ?",
                    [ctx.now(), ctx.now(), ctx.device_id, row_id],
                )
        for key, name in wanted.items():
            if key not in have:
                ctx.db.table("user_scopes").insert(
                    {"id": new_id(), "user_id": user_id, "municipality": name, **ctx.stamp()}
                )
        ctx.audit(
            "scope",
            "user",
            user_id,
            {"municipalities": before},
            {"municipalities": sorted(wanted.values())},
        )
