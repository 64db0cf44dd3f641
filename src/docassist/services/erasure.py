"""Erasure on request: a person's personal data removed from the register for good.

A removal (households.remove_person) is a soft delete that Undo reverses. An erasure
is what a family asks for when they want to be forgotten: the person's row stays as
a tombstone (its id, household and the anonymous counts of its cases still add up in
reports and when laptops merge) but names, JMBG, birth data, place, notes, ethnicity,
documents and the free text of their cases are blanked, and earlier audit entries
about them lose their before/after copies. One audit entry "erase" says who did it,
when and why, without any of the erased data, and lists the entries whose copies it
rewrote: the audit chain itself is never rewritten (store/audit.py), so it still
verifies after an erasure.

Only a coordinator may erase. The deleted content is overwritten in the file
(``secure_delete``) and the write-ahead log is emptied afterwards, so the old pages
do not linger in the register's files either.
"""

from __future__ import annotations

import json
from typing import Any

from docassist.domain.model import Outcome
from docassist.domain.text import N_, Problem
from docassist.services import cases as case_service
from docassist.services import users
from docassist.services.accounts import REFUSALS, Action, role_may
from docassist.services.context import Context, NotFoundError, ValidationError
from docassist.store import outbox
from docassist.store.audit import redact_details

ERASED = {"erased": True}
ERASED_TEXT = "[erased]"
ERASED_REASON = "erased on request"
# What the app records as the reason: its confirmation asks for no free text.
APP_REASON = "on request (confirmed in the app)"
REFUSAL = REFUSALS[Action.ERASE_PERSON]


def refusal() -> ValidationError:
    return ValidationError({"user": [Problem("role", REFUSAL)]})


def may_erase(ctx: Context) -> bool:
    if ctx.user_id is None:
        return False
    try:
        return role_may(users.get_user(ctx, ctx.user_id).role, Action.ERASE_PERSON)
    except NotFoundError:
        return False


def erase_person(ctx: Context, person_id: str, reason: str) -> None:
    """Remove ``person_id``'s personal data everywhere, leaving an audited tombstone."""
    if not may_erase(ctx):
        raise refusal()
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError(
            {"reason": [Problem("required", N_("Say why (for example: asked by the family)."))]}
        )
    db = ctx.db
    outer = db.conn.in_transaction
    if not outer:
        # Freed and overwritten cells are zeroed instead of left in the file.
        db.execute("PRAGMA secure_delete = ON")
    try:
        with ctx.use_case():
            _erase(ctx, person_id, reason)
    finally:
        if not outer:
            db.execute("PRAGMA secure_delete = OFF")
    if not outer:
        # The write-ahead log still holds the pages as they were: fold it into the
        # database and empty it (a reader elsewhere may delay this; then it is done
        # at the next checkpoint).
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _erase(ctx: Context, person_id: str, reason: str) -> None:
    db = ctx.db
    rows = list(db.query("SELECT * FROM persons WHERE id = ?", [person_id]))
    if not rows:
        raise NotFoundError("person", person_id)
    person = rows[0]
    if person.get("erased_at"):
        return  # already erased: nothing left to remove, nothing new to record
    now = ctx.now()
    words = _identifying(person)

    for case in case_service.cases_of_person(ctx, person_id):
        if case.is_active:
            case_service.close_case(ctx, case.id, Outcome.ABANDONED, reason=ERASED_REASON)
    case_ids = [r[0] for r in db.execute("SELECT id FROM cases WHERE person_id = ?", [person_id])]
    marks = ", ".join("?" * len(case_ids))
    if case_ids:
        db.execute(
            f"UPDATE cases SET outcome_reason = CASE WHEN outcome_reason IS NULL THEN NULL "
            f"ELSE ? END, blocked_reason = NULL, updated_at = ?, device_id = ? "
            f"WHERE id IN ({marks})",
            [ERASED_REASON, now, ctx.device_id, *case_ids],
        )
        db.execute(
            f"UPDATE case_steps SET note = '', blocked_reason = NULL, updated_at = ?, "
            f"device_id = ? WHERE case_id IN ({marks})",
            [now, ctx.device_id, *case_ids],
        )
        db.execute(f"UPDATE case_events SET note = NULL WHERE case_id IN ({marks})", case_ids)
    db.execute(
        "UPDATE documents SET state = 'unknown', obtained_on = NULL, "
        "deleted_at = COALESCE(deleted_at, ?), updated_at = ?, device_id = ? WHERE person_id = ?",
        [now, now, ctx.device_id, person_id],
    )
    db.execute(
        """UPDATE persons SET given_name = '', family_name = '', name_key = '',
            relation = 'other', sex = 'u', birth_date = NULL, birth_year = NULL,
            birth_precision = NULL, birth_approximate = 0, place_of_birth = '', jmbg = NULL,
            mother_id = NULL, father_id = NULL, is_idp = 0, is_refugee = 0,
            is_returnee = 0, is_domicile = 0, ethnicity = NULL, ethnicity_consent_at = NULL,
            notes = '', deleted_at = COALESCE(deleted_at, ?), erased_at = ?,
            updated_at = ?, device_id = ?
        WHERE id = ?""",
        [now, now, now, ctx.device_id, person_id],
    )
    from docassist.services.households import _refresh_search_text

    _refresh_search_text(ctx, person["household_id"])
    # The full-text index keeps a deleted entry's words until its segments merge.
    db.execute("INSERT INTO households_fts(households_fts) VALUES ('optimize')")
    redacted = _scrub_audit(ctx, person_id, words)
    _scrub_sync_copies(ctx, person_id, case_ids)
    ctx.audit(
        "erase",
        "person",
        person_id,
        after={
            "household_id": person["household_id"],
            "reason": reason,
            "cases": len(case_ids),
        },
        redacts=redacted,
    )


def _scrub_sync_copies(ctx: Context, person_id: str, case_ids: list[str]) -> None:
    """What sync keeps of the person's data on this laptop goes too.

    - The conflicts this register keeps copy both versions of a row: those about the
      person, their documents, cases and steps are blanked. Not sent: each register
      and the hub blank their own copies when the erased person reaches them (the
      erased row travels like any other change, a tombstone that beats an edit).
    - Changes to those rows still waiting in the outbox hold the data as it was: only
      each row's newest entry is kept (the erased version, which has seen the older
      ones: its version vector covers theirs, so the hub loses nothing by not seeing
      them)."""
    from docassist.services.sync.laptop import scrub_erased_conflicts

    db = ctx.db
    with outbox.applying(db):
        scrub_erased_conflicts(db)
    outbox.seal(db, ctx.now(), ctx.user_id)  # the erased versions, in this transaction
    kinds = [
        r[0] for r in db.execute("SELECT kind FROM documents WHERE person_id = ?", [person_id])
    ]
    marks = ", ".join("?" * len(case_ids))
    steps, events = (
        [r[0] for r in db.execute(f"SELECT id FROM {table} WHERE case_id IN ({marks})", case_ids)]
        if case_ids
        else []
        for table in ("case_steps", "case_events")
    )
    outbox.keep_newest(
        db,
        [
            ("persons", [person_id]),
            ("documents", [f"{person_id}/{kind}" for kind in kinds]),
            ("cases", case_ids),
            ("case_steps", steps),
            ("case_events", events),
        ],
    )


def _identifying(person: dict[str, Any]) -> list[str]:
    """The values that name this person, to be found in older audit copies."""
    full = " ".join(p for p in (person["given_name"], person["family_name"]) if p)
    values = [full, person["given_name"], person["jmbg"] or "", person["name_key"] or ""]
    return [v for v in values if v and len(v) > 1]


def _scrub_audit(ctx: Context, person_id: str, words: list[str]) -> dict[int, str]:
    """Earlier entries about the person lose their copies; entries about others
    (a household's creation listing its members) lose the person's part.

    Only the details (the values before and after) are rewritten: the chained
    entries stay as written. Returns each rewritten entry's id with its new
    details digest, for the erase entry to record, so the chain still verifies."""
    db = ctx.db
    erased = json.dumps(ERASED)
    redacted: dict[int, str] = {}
    for entry_id, before, after in db.execute(
        "SELECT id, before, after FROM audit_log WHERE entity = 'person' AND entity_id = ? "
        "AND (before IS NOT NULL OR after IS NOT NULL)",
        [person_id],
    ).fetchall():
        redacted[entry_id] = redact_details(
            db, entry_id, None if before is None else erased, None if after is None else erased
        )
    needles = [person_id, *words]
    where = " OR ".join(["instr(before, ?) OR instr(after, ?)"] * len(needles))
    params = [n for n in needles for _ in (0, 1)]
    for row in list(
        db.query(
            f"SELECT id, before, after FROM audit_log WHERE NOT "
            f"(entity = 'person' AND entity_id = ?) AND ({where})",
            [person_id, *params],
        )
    ):
        update = {}
        for column in ("before", "after"):
            if row[column] is None:
                continue
            value = _scrub(json.loads(row[column]), person_id, words)
            update[column] = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
        redacted[row["id"]] = redact_details(
            db, row["id"], update.get("before"), update.get("after")
        )
    return redacted


def _scrub(value: Any, person_id: str, words: list[str]) -> Any:
    if isinstance(value, dict):
        if value.get("id") == person_id:
            return dict(ERASED)
        return {k: _scrub(v, person_id, words) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, person_id, words) for v in value]
    if isinstance(value, str):
        folded = value.casefold()
        if any(w.casefold() == folded for w in words) or any(
            len(w) > 3 and w.casefold() in folded for w in words
        ):
            return ERASED_TEXT
    return value
