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

A whole household can be erased at once (``erase_household``): each member as
above, each with an erase entry of their own, then the household's own row (family
name, address, phone, notes and search keys blanked; its place stays, as the place
of its cases does, for the anonymous counts).

Only a coordinator may erase. The deleted content is overwritten in the file
(``secure_delete``) and the write-ahead log is emptied afterwards, so the old pages
do not linger in the register's files either.

A backup made before an erasure still holds the person. Restoring it must not bring
them back: the restore reads the tombstones (``erased_at``) of the register it
replaces and erases the same people and households in the restored copy before it
takes the register's place (``erased_in`` and ``reapply``, called by
services/backups.py), so no moment exists when the register holds them again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from docassist.domain.model import Outcome
from docassist.domain.text import N_, Problem
from docassist.services import cases as case_service
from docassist.services import users
from docassist.services.accounts import REFUSALS, Action, role_may
from docassist.services.context import Context, NotFoundError, ValidationError
from docassist.services.drafts import erase_drafts_about
from docassist.store import engine, outbox
from docassist.store.audit import redact_details

ERASED = {"erased": True}
ERASED_TEXT = "[erased]"
ERASED_REASON = "erased on request"
# What the app records as the reason: its confirmation asks for no free text.
APP_REASON = "on request (confirmed in the app)"
# What a restore records when it erases again someone erased after the backup was made.
RESTORE_REASON = "erased before a restore of an older backup; erased again"
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


def _required_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError(
            {"reason": [Problem("required", N_("Say why (for example: asked by the family)."))]}
        )
    return reason


@contextmanager
def _erasing(ctx: Context) -> Iterator[None]:
    """One use case whose freed pages are zeroed, and the write-ahead log emptied after."""
    db = ctx.db
    outer = db.conn.in_transaction
    if not outer:
        # Freed and overwritten cells are zeroed instead of left in the file.
        db.execute("PRAGMA secure_delete = ON")
    try:
        with ctx.use_case():
            yield
    finally:
        if not outer:
            db.execute("PRAGMA secure_delete = OFF")
    if not outer:
        # The write-ahead log still holds the pages as they were: fold it into the
        # database and empty it (a reader elsewhere may delay this; then it is done
        # at the next checkpoint).
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def erase_person(ctx: Context, person_id: str, reason: str) -> None:
    """Remove ``person_id``'s personal data everywhere, leaving an audited tombstone."""
    if not may_erase(ctx):
        raise refusal()
    reason = _required_reason(reason)
    with _erasing(ctx):
        _erase(ctx, person_id, reason)


def erase_household(ctx: Context, household_id: str, reason: str) -> int:
    """Erase every person of the household (removed members too), each with an erase
    entry of their own, then the household's own data; returns how many people were
    erased now. A household already erased has nothing left to erase."""
    if not may_erase(ctx):
        raise refusal()
    reason = _required_reason(reason)
    with _erasing(ctx):
        return _erase_household(ctx, household_id, reason)


@dataclass(frozen=True)
class Erased:
    """The tombstones of a register: who and which households were erased there."""

    persons: frozenset[str] = frozenset()
    households: frozenset[str] = frozenset()


def erased_in(conn: sqlite3.Connection) -> Erased:
    """The erased people and households of the register behind ``conn`` (a bare
    connection: a restore holds the register it replaces exclusively and reads it
    through that one). A register from before erasure (no such column) erased nobody."""

    def ids(table: str) -> frozenset[str]:
        try:
            rows = conn.execute(f"SELECT id FROM {table} WHERE erased_at IS NOT NULL")
            return frozenset(r[0] for r in rows)
        except engine.OperationalErrors as err:
            if "no such column" in str(err):
                return frozenset()
            raise

    return Erased(ids("persons"), ids("households"))


def reapply(ctx: Context, erased: Erased) -> int:
    """Erase again, in the register ``ctx`` opens (a backup being restored), whoever
    ``erased`` lists and it still holds; returns how many people that was.

    No role is checked here: the restore that calls it is a coordinator's, or uses the
    recovery key, and the erasures themselves were a coordinator's. The erase entries
    name the user who restored (None with the recovery key)."""
    if not erased.persons and not erased.households:
        return 0
    db = ctx.db
    have = {
        r[0]
        for r in db.execute(
            "SELECT id FROM persons WHERE erased_at IS NULL AND id IN "
            "(SELECT value FROM json_each(?))",
            [json.dumps(sorted(erased.persons))],
        )
    }
    homes = {
        r[0]
        for r in db.execute(
            "SELECT id FROM households WHERE erased_at IS NULL AND id IN "
            "(SELECT value FROM json_each(?))",
            [json.dumps(sorted(erased.households))],
        )
    }
    if not have and not homes:
        return 0
    count = 0
    with _erasing(ctx):
        for household_id in sorted(homes):
            count += _erase_household(ctx, household_id, RESTORE_REASON)
        for person_id in sorted(have):
            if _erase(ctx, person_id, RESTORE_REASON):
                count += 1
    return count


def _erase_household(ctx: Context, household_id: str, reason: str) -> int:
    db = ctx.db
    rows = list(db.query("SELECT * FROM households WHERE id = ?", [household_id]))
    if not rows:
        raise NotFoundError("household", household_id)
    household = rows[0]
    if household.get("erased_at"):
        return 0
    members = [
        r[0]
        for r in db.execute(
            "SELECT id FROM persons WHERE household_id = ? ORDER BY created_at, id",
            [household_id],
        )
    ]
    erased = sum(1 for person_id in members if _erase(ctx, person_id, reason))
    now = ctx.now()
    words = [
        v
        for v in (household["family_name"], household["address"], household["phone"])
        if v and len(v) > 1
    ]
    db.execute(
        """UPDATE households SET family_name = '', address = '', phone = '', notes = '',
            search_text = '', sort_latn = '', sort_cyrl = '',
            deleted_at = COALESCE(deleted_at, ?), erased_at = ?, updated_at = ?, device_id = ?
        WHERE id = ?""",
        [now, now, now, ctx.device_id, household_id],
    )
    db.execute("INSERT INTO households_fts(households_fts) VALUES ('optimize')")
    _scrub_household_sync_copies(ctx, household_id)
    erase_drafts_about(ctx, household_id=household_id)
    redacted = _scrub_audit(ctx, "household", household_id, words)
    ctx.audit(
        "erase",
        "household",
        household_id,
        after={"reason": reason, "persons": len(members)},
        redacts=redacted,
    )
    return erased


def _erase(ctx: Context, person_id: str, reason: str) -> bool:
    """Erase one person inside the caller's use case; False when already erased."""
    db = ctx.db
    rows = list(db.query("SELECT * FROM persons WHERE id = ?", [person_id]))
    if not rows:
        raise NotFoundError("person", person_id)
    person = rows[0]
    if person.get("erased_at"):
        return False  # already erased: nothing left to remove, nothing new to record
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
    from docassist.services.households import refresh_search_text

    refresh_search_text(ctx, person["household_id"])
    # The full-text index keeps a deleted entry's words until its segments merge.
    db.execute("INSERT INTO households_fts(households_fts) VALUES ('optimize')")
    redacted = _scrub_audit(ctx, "person", person_id, words)
    _scrub_sync_copies(ctx, person_id, case_ids)
    erase_drafts_about(ctx, person_id=person_id)
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
    return True


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


def _scrub_household_sync_copies(ctx: Context, household_id: str) -> None:
    """As ``_scrub_sync_copies`` for the household's own row: the outbox keeps only its
    erased version, and this register's conflicts about the row lose both copies (the
    hub and the other laptops blank theirs when the erased household reaches them)."""
    from docassist.services.sync.laptop import erased_side

    db = ctx.db
    with outbox.applying(db):
        for conflict_id, winner, loser in db.execute(
            "SELECT id, winner, loser FROM sync_conflicts WHERE tbl = 'households' AND row_key = ?",
            [household_id],
        ).fetchall():
            db.execute(
                "UPDATE sync_conflicts SET winner = ?, loser = ? WHERE id = ?",
                [erased_side(winner), erased_side(loser), conflict_id],
            )
    outbox.seal(db, ctx.now(), ctx.user_id)
    outbox.keep_newest(db, [("households", [household_id])])


def _identifying(person: dict[str, Any]) -> list[str]:
    """The values that name this person, to be found in older audit copies."""
    full = " ".join(p for p in (person["given_name"], person["family_name"]) if p)
    values = [full, person["given_name"], person["jmbg"] or "", person["name_key"] or ""]
    return [v for v in values if v and len(v) > 1]


def _scrub_audit(ctx: Context, entity: str, entity_id: str, words: list[str]) -> dict[int, str]:
    """Earlier entries about the person (or household) lose their copies; entries about
    others (a household's creation listing its members) lose its part.

    Only the details (the values before and after) are rewritten: the chained
    entries stay as written. Returns each rewritten entry's id with its new
    details digest, for the erase entry to record, so the chain still verifies."""
    db = ctx.db
    erased = json.dumps(ERASED)
    redacted: dict[int, str] = {}
    for entry_id, before, after in db.execute(
        "SELECT id, before, after FROM audit_log WHERE entity = ? AND entity_id = ? "
        "AND (before IS NOT NULL OR after IS NOT NULL)",
        [entity, entity_id],
    ).fetchall():
        redacted[entry_id] = redact_details(
            db, entry_id, None if before is None else erased, None if after is None else erased
        )
    needles = [entity_id, *words]
    where = " OR ".join(["instr(before, ?) OR instr(after, ?)"] * len(needles))
    params = [n for n in needles for _ in (0, 1)]
    for row in list(
        db.query(
            f"SELECT id, before, after FROM audit_log WHERE NOT "
            f"(entity = ? AND entity_id = ?) AND ({where})",
            [entity, entity_id, *params],
        )
    ):
        if row["id"] in redacted:
            continue
        update = {}
        for column in ("before", "after"):
            if row[column] is None:
                continue
            value = _scrub(json.loads(row[column]), entity_id, words)
            update[column] = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
        redacted[row["id"]] = redact_details(
            db, row["id"], update.get("before"), update.get("after")
        )
    return redacted


def _scrub(value: Any, entity_id: str, words: list[str]) -> Any:
    if isinstance(value, dict):
        if value.get("id") == entity_id:
            return dict(ERASED)
        return {k: _scrub(v, entity_id, words) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, entity_id, words) for v in value]
    if isinstance(value, str):
        folded = value.casefold()
        if any(w.casefold() == folded for w in words) or any(
            len(w) > 3 and w.casefold() in folded for w in words
        ):
            return ERASED_TEXT
    return value
