"""The sync standing the app's title shows at every start: when this laptop last
synced with its hub, and since when changes have waited.

Apart from ``services.sync`` because the start screen reads it before anyone signs
in: importing the sync package (the merge, the hub's SQL, the household services it
recomputes with) cost every start about 30 ms of CPU for two small queries on the
outbox. ``services.sync`` re-exports these names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from docassist.services.context import Context
from docassist.store import sync_state


@dataclass(frozen=True)
class Standing:
    """What the app shows all the time: when this laptop last synced, and since when
    changes wait (only for a register connected to a hub)."""

    last_sync_at: str | None
    waiting_since: str | None
    waiting_days: int = 0  # whole days the oldest of them has waited (when noted)


WAITING_NOTE_DAYS = 3  # changes unsent for longer than this get a quiet note


def hub_source(state: dict[str, Any]) -> str:
    """The outbox cursor's name for the hub this register is attached to."""
    return f"hub:{state['hub_id']}"


def standing(ctx: Context) -> Standing | None:
    state = sync_state.state(ctx.db)
    if not state["attached"] or not state["hub_id"]:
        return None
    cursor = sync_state.cursor_row(ctx.db, hub_source(state))
    oldest = sync_state.oldest_pending(ctx.db)
    late, days = None, 0
    if oldest:
        from datetime import datetime, timedelta

        waited = datetime.fromisoformat(ctx.now()) - datetime.fromisoformat(oldest)
        if waited > timedelta(days=WAITING_NOTE_DAYS):
            late, days = oldest, waited.days
    return Standing(cursor["last_pull_at"] if cursor else None, late, days)
