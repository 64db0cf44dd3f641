"""What documents each person holds: declared at registration, or won by a case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from docassist.domain.model import DocumentKind, DocumentState
from docassist.domain.validity import EXPIRES_SOON_DAYS, is_expired
from docassist.services.context import Context
from docassist.store.db import new_id


def documents_of(
    ctx: Context, person_ids: list[str]
) -> dict[str, dict[DocumentKind, DocumentState]]:
    if not person_ids:
        return {}
    marks = ",".join("?" * len(person_ids))
    out: dict[str, dict[DocumentKind, DocumentState]] = {}
    for pid, kind, state in ctx.db.execute(
        f"SELECT person_id, kind, state FROM documents "
        f"WHERE person_id IN ({marks}) AND deleted_at IS NULL",
        person_ids,
    ).fetchall():
        out.setdefault(pid, {})[DocumentKind(kind)] = DocumentState(state)
    return out


def validities_of(ctx: Context, person_ids: list[str]) -> dict[str, dict[DocumentKind, date]]:
    """The "valid until" date of each document that has one, by person."""
    if not person_ids:
        return {}
    marks = ",".join("?" * len(person_ids))
    out: dict[str, dict[DocumentKind, date]] = {}
    for pid, kind, until in ctx.db.execute(
        f"SELECT person_id, kind, valid_until FROM documents "
        f"WHERE person_id IN ({marks}) AND deleted_at IS NULL AND valid_until IS NOT NULL",
        person_ids,
    ).fetchall():
        out.setdefault(pid, {})[DocumentKind(kind)] = date.fromisoformat(until)
    return out


def write_valid_until(
    ctx: Context, person_id: str, valid_until: dict[DocumentKind, date | None]
) -> None:
    """Set (or clear, with None) the "valid until" of documents already recorded."""
    for kind, until in valid_until.items():
        ctx.db.execute(
            "UPDATE documents SET valid_until = ?, updated_at = ?, device_id = ? "
            "WHERE person_id = ? AND kind = ? AND valid_until IS NOT ?",
            [
                until.isoformat() if until else None,
                ctx.now(),
                ctx.device_id,
                person_id,
                DocumentKind(kind).value,
                until.isoformat() if until else None,
            ],
        )


@dataclass(frozen=True)
class ExpiringDocument:
    """A document held that has run out, or soon will: a line of the dashboard's list."""

    person_id: str
    household_id: str
    person_name: str
    family_name: str
    municipality: str
    settlement: str
    kind: DocumentKind
    valid_until: date

    def expired(self, today: date) -> bool:
        return is_expired(self.valid_until, today)


def expiring_documents(
    ctx: Context,
    place_clauses: list[str],
    place_params: list[Any],
    *,
    days: int = EXPIRES_SOON_DAYS,
    limit: int = 200,
) -> tuple[list[ExpiringDocument], int, int]:
    """Documents held whose validity ended (any time before today) or ends within
    ``days``, soonest first; with how many expired and how many expire soon in all
    (the list stops at ``limit``). ``place_clauses`` filter the households ``h``."""
    today = ctx.today()
    last = date.fromordinal(today.toordinal() + days).isoformat()
    where = " AND ".join(
        [
            "d.deleted_at IS NULL",
            "d.state = 'have'",
            "d.valid_until IS NOT NULL",
            "d.valid_until <= ?",
            "p.deleted_at IS NULL",
            "h.deleted_at IS NULL",
            *place_clauses,
        ]
    )
    params = [last, *place_params]
    base = f"""
        FROM documents d INDEXED BY documents_valid_until
        JOIN persons p ON p.id = d.person_id
        JOIN households h ON h.id = p.household_id
        WHERE {where}"""
    expired, soon = ctx.db.execute(
        f"SELECT coalesce(sum(d.valid_until < ?), 0), coalesce(sum(d.valid_until >= ?), 0) {base}",
        [today.isoformat(), today.isoformat(), *params],
    ).fetchone()
    rows = ctx.db.execute(
        f"""SELECT p.id, h.id, p.given_name || ' ' || p.family_name, h.family_name,
                   h.municipality, h.settlement, d.kind, d.valid_until
            {base}
            ORDER BY d.valid_until, p.family_name, p.given_name LIMIT ?""",
        [*params, limit],
    ).fetchall()
    lines = [
        ExpiringDocument(
            r[0], r[1], r[2], r[3], r[4], r[5], DocumentKind(r[6]), date.fromisoformat(r[7])
        )
        for r in rows
    ]
    return lines, expired, soon


def write_documents(
    ctx: Context,
    person_id: str,
    documents: dict[DocumentKind, DocumentState],
    case_id: str | None = None,
) -> None:
    # An UPDATE, then an INSERT where there was no row, not one INSERT ... ON CONFLICT
    # DO UPDATE: an upsert's conflict handling overrides the OR IGNORE of the sync
    # triggers it fires (migration 0011), so on a register attached to an organisation
    # it failed on sync_dirty (closing a case "obtained" could not be saved there).
    for kind, state in documents.items():
        obtained = ctx.today().isoformat() if state == DocumentState.HAVE and case_id else None
        updated = ctx.db.execute(
            "UPDATE documents SET state = ?, obtained_on = COALESCE(?, obtained_on), "
            "case_id = COALESCE(?, case_id), updated_at = ?, device_id = ? "
            "WHERE person_id = ? AND kind = ?",
            [
                DocumentState(state).value,
                obtained,
                case_id,
                ctx.now(),
                ctx.device_id,
                person_id,
                DocumentKind(kind).value,
            ],
        )
        if updated.rowcount:
            continue
        ctx.db.execute(
            "INSERT INTO documents(id, person_id, kind, state, obtained_on, case_id, "
            "updated_at, device_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                new_id(),
                person_id,
                DocumentKind(kind).value,
                DocumentState(state).value,
                obtained,
                case_id,
                ctx.now(),
                ctx.device_id,
            ],
        )


def set_document(
    ctx: Context,
    person_id: str,
    kind: DocumentKind,
    state: DocumentState,
    case_id: str | None = None,
) -> None:
    before = documents_of(ctx, [person_id]).get(person_id, {}).get(kind, DocumentState.UNKNOWN)
    if before == state:
        return
    with ctx.use_case():
        write_documents(ctx, person_id, {kind: state}, case_id=case_id)
        ctx.audit(
            "update", "document", f"{person_id}:{kind.value}", {"state": before}, {"state": state}
        )
