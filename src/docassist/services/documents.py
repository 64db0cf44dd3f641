"""What documents each person holds: declared at registration, or won by a case."""

from __future__ import annotations

from docassist.domain.model import DocumentKind, DocumentState
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


def write_documents(
    ctx: Context,
    person_id: str,
    documents: dict[DocumentKind, DocumentState],
    case_id: str | None = None,
) -> None:
    for kind, state in documents.items():
        ctx.db.execute(
            """INSERT INTO documents(id, person_id, kind, state, obtained_on, case_id,
                                     updated_at, device_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(person_id, kind) DO UPDATE SET
                 state = excluded.state,
                 obtained_on = COALESCE(excluded.obtained_on, documents.obtained_on),
                 case_id = COALESCE(excluded.case_id, documents.case_id),
                 updated_at = excluded.updated_at, device_id = excluded.device_id""",
            [
                new_id(),
                person_id,
                DocumentKind(kind).value,
                DocumentState(state).value,
                ctx.today().isoformat() if state == DocumentState.HAVE and case_id else None,
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
