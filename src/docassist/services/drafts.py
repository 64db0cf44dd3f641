"""Typing kept when the terminal closed before it was saved (issue 16 §1).

docassist asks before typing is lost (Escape, Ctrl+Q, a sign-out). A closed terminal
(SIGHUP: the window closed, an SSH connection dropped) cannot be asked: the app then
keeps each open form's typing as a *draft*, for the user who typed it, in the register
(encrypted like everything in it). The next time that user opens the same form, the
form offers it back ("Restore the unsaved input from 14:05?"); restored or not, the
draft is then gone. Drafts are this laptop's unfinished typing, not records: they are
never synced nor exported, and an erasure removes the ones about the erased family.

What a draft holds is the form's fields as typed, as JSON: the form encodes and reads
them back (it knows its fields); nothing here reads a family's data. Passphrases are
never kept (their dialogs keep no drafts).

A form editing a record keeps, beside the typing, its fields as it loaded them (the
draft's *base*). The record may be saved again before the draft is offered (by someone
else, or a sync from another laptop): ``record_changed`` tells, the offer says so, and
``over_newer`` brings back only what was typed over the record as it is now; the form
then saves against the base, so a field changed both ways is asked about as for any
form opened before someone else saved (services/edits.py), never overwritten silently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from docassist.services.context import Context


@dataclass(frozen=True)
class Draft:
    """One form's unsaved typing. ``key`` names the form and what it edits
    ("household:new", "person:<id>"); ``form`` what it is, as an English msgid
    ("New household"); ``household_id``/``person_id`` whom it is about."""

    key: str
    form: str
    fields: dict[str, Any] = field(default_factory=dict)
    household_id: str | None = None
    person_id: str | None = None
    # the form's fields as it loaded the record, before the typing; None: a new record
    base: dict[str, Any] | None = None


@dataclass(frozen=True)
class KeptDraft:
    """A draft found for the signed-in user: its fields and when they were kept."""

    key: str
    form: str
    fields: dict[str, Any]
    saved_at: datetime
    base: dict[str, Any] | None = None


_ABSENT = object()


def _as_json(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, sort_keys=True))


def record_changed(kept: KeptDraft, now: dict[str, Any] | None) -> bool:
    """Whether the record the draft was typed over was saved again since: the form's
    fields as it loads them ``now`` differ from those it had loaded then."""
    return kept.base is not None and now is not None and _as_json(now) != kept.base


def over_newer(fields: dict[str, Any], base: dict[str, Any], now: dict[str, Any]) -> dict[str, Any]:
    """The record's fields ``now`` with what was typed over ``base`` put back: a field
    left as it was loaded keeps its newer value; a field holding several (the
    documents, each with its state) is taken entry by entry."""
    out = dict(_as_json(now))
    for key in fields.keys() | base.keys():
        mine, was = fields.get(key, _ABSENT), base.get(key, _ABSENT)
        if mine == was:
            continue
        if mine is _ABSENT:
            out.pop(key, None)
        elif isinstance(mine, dict) and isinstance(was, dict) and isinstance(out.get(key), dict):
            out[key] = over_newer(mine, was, out[key])
        else:
            out[key] = mine
    return out


def keep_drafts(ctx: Context, drafts: list[Draft]) -> int:
    """Keep every draft for the signed-in user, in one transaction (a draft for the
    same form replaces the older one). The audit entry names the forms, never what
    was typed in them. Returns how many were kept."""
    if not drafts or ctx.user_id is None:
        return 0
    now = ctx.now()
    with ctx.use_case() as db:
        for draft in drafts:
            db.execute(
                "INSERT INTO drafts (user_id, form_key, form, household_id, person_id, "
                "fields, saved_at, base) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (user_id, form_key) DO UPDATE SET form = excluded.form, "
                "household_id = excluded.household_id, person_id = excluded.person_id, "
                "fields = excluded.fields, saved_at = excluded.saved_at, base = excluded.base",
                [
                    ctx.user_id,
                    draft.key,
                    draft.form,
                    draft.household_id,
                    draft.person_id,
                    json.dumps(draft.fields, ensure_ascii=False, sort_keys=True),
                    now,
                    None
                    if draft.base is None
                    else json.dumps(draft.base, ensure_ascii=False, sort_keys=True),
                ],
            )
        ctx.audit(
            "keep_drafts",
            "user",
            ctx.user_id,
            after={"forms": [d.key for d in drafts], "why": "terminal closed"},
        )
    return len(drafts)


def find_draft(ctx: Context, key: str) -> KeptDraft | None:
    """The signed-in user's draft of the form ``key``, or None."""
    if ctx.user_id is None:
        return None
    row = ctx.db.execute(
        "SELECT form, fields, saved_at, base FROM drafts WHERE user_id = ? AND form_key = ?",
        [ctx.user_id, key],
    ).fetchone()
    if row is None:
        return None
    try:
        fields = json.loads(row[1])
        saved_at = datetime.fromisoformat(row[2])
        base = None if row[3] is None else json.loads(row[3])
    except (TypeError, ValueError):  # written by keep_drafts; a damaged one is dropped
        drop_draft(ctx, key, restored=False)
        return None
    if not isinstance(fields, dict) or not isinstance(base, (dict, type(None))):
        drop_draft(ctx, key, restored=False)
        return None
    return KeptDraft(key, row[0], fields, saved_at, base)


def drop_draft(ctx: Context, key: str, *, restored: bool) -> None:
    """The draft has been offered: brought back into its form (``restored``) or
    declined. Either way it is removed; the audit entry says which."""
    if ctx.user_id is None:
        return
    with ctx.use_case() as db:
        gone = db.execute(
            "DELETE FROM drafts WHERE user_id = ? AND form_key = ?", [ctx.user_id, key]
        ).rowcount
        if gone:
            ctx.audit(
                "restore_draft" if restored else "drop_draft",
                "user",
                ctx.user_id,
                after={"form": key},
            )


def erase_drafts_about(
    ctx: Context, *, household_id: str | None = None, person_id: str | None = None
) -> None:
    """Inside an erasure's use case: the drafts about the erased family go with it."""
    if household_id is not None:
        ctx.db.execute("DELETE FROM drafts WHERE household_id = ?", [household_id])
    if person_id is not None:
        ctx.db.execute("DELETE FROM drafts WHERE person_id = ?", [person_id])
