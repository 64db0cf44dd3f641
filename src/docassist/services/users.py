"""Who is working: users and their roles, as rows.

Who may create, change or sign in as whom is decided in ``accounts``; the app's start
screen still creates users here directly until its sign-in screens use ``accounts``.
A user made here in an encrypted register has no key in its key file, so cannot sign
in: ``accounts.create_user`` gives one.
"""

from __future__ import annotations

from dataclasses import dataclass

from docassist.domain.model import Role
from docassist.domain.text import N_, Problem
from docassist.services.context import Context, NotFoundError, ValidationError
from docassist.store.db import new_id


@dataclass(frozen=True)
class User:
    id: str
    name: str
    role: Role
    language: str | None


def _user(row: dict) -> User:
    return User(row["id"], row["name"], Role(row["role"]), row["language"])


def create_user(
    ctx: Context,
    name: str,
    role: Role,
    language: str | None = None,
    *,
    passphrase_hash: str | None = None,
    must_change_passphrase: bool = False,
) -> User:
    """A new user row. ``passphrase_hash`` comes from ``accounts.hash_passphrase``; the
    hash itself never goes into the audit trail."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": [Problem("required", N_("Type a name."))]})
    row = {
        "id": new_id(),
        "name": name,
        "role": Role(role).value,
        "language": language,
        "passphrase_hash": passphrase_hash,
        "must_change_passphrase": int(must_change_passphrase),
        "created_at": ctx.now(),
        **ctx.stamp(),
    }
    with ctx.use_case():
        ctx.db.table("users").insert(row)
        ctx.audit("create", "user", row["id"], after={"name": name, "role": row["role"]})
    return _user(row)


def has_accounts(ctx: Context) -> bool:
    """Whether the register has any account, a live user (a new one has none: its first
    coordinator is created with ``accounts.create_first_coordinator``). Here, not with
    the account services, because the sign-in screen asks it before anyone signs in:
    the passphrase hashing they load is not needed until someone does."""
    live = ctx.db.execute("SELECT 1 FROM users WHERE deleted_at IS NULL LIMIT 1").fetchone()
    return live is not None


def list_users(ctx: Context) -> list[User]:
    rows = ctx.db.query("SELECT * FROM users WHERE deleted_at IS NULL ORDER BY name")
    return [_user(r) for r in rows]


def get_user(ctx: Context, user_id: str) -> User:
    rows = list(ctx.db.query("SELECT * FROM users WHERE id = ?", [user_id]))
    if not rows:
        raise NotFoundError("user", user_id)
    return _user(rows[0])


def set_language(ctx: Context, user_id: str, language: str) -> None:
    """Remember the user's language for next time: their own choice, audited as theirs
    (a trainee's too, whose session leaves ``ctx.user_id`` unset)."""
    before = get_user(ctx, user_id)
    if before.language == language:
        return
    with ctx.use_case():
        ctx.db.execute(
            "UPDATE users SET language = ?, updated_at = ?, device_id = ? WHERE id = ?",
            [language, ctx.now(), ctx.device_id, user_id],
        )
        ctx.audit(
            "update",
            "user",
            user_id,
            {"language": before.language},
            {"language": language},
            by=user_id,
        )
