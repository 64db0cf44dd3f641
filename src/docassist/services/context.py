"""What every use case needs: the database, who is working, and the clock."""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any, TypeVar

from docassist.domain.text import Problem
from docassist.store import engine
from docassist.store.database import Database
from docassist.store.db import BusyDatabaseError, device_id, explain_database_error

T = TypeVar("T")


# The real clock is read here and nowhere else: a Context built without a clock uses
# it (the app and the command line), and everything a user sees or a rule depends on
# asks the Context. Tests pin the Context's clock and move this one far away, so a
# read of the real clock where the Context's was meant fails a test.
def real_today() -> date:
    return date.today()


def real_now() -> str:
    """Timestamps are stored as UTC ISO-8601, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class ValidationError(Exception):
    """Input that cannot be saved; ``problems`` maps a field name to what is wrong."""

    def __init__(self, problems: dict[str, list[Problem]]) -> None:
        self.problems = problems
        first = next(iter(problems.values()))[0]
        super().__init__(first.render())


class NotFoundError(Exception):
    def __init__(self, entity: str, entity_id: str) -> None:
        super().__init__(f"{entity} {entity_id} not found")
        self.entity = entity
        self.entity_id = entity_id


@dataclass
class Context:
    db: Database
    user_id: str | None = None
    today: Callable[[], date] = field(default=real_today)
    now: Callable[[], str] = field(default=real_now)
    # The database key of an encrypted register (None: a plaintext one), unwrapped at
    # sign-in (services/accounts.py). Kept for what needs it while the register is
    # open: a backup, a passphrase given to a new user. Never in a repr or a log.
    db_key: bytes | None = field(default=None, repr=False, compare=False)

    @cached_property
    def device_id(self) -> str:
        return device_id(self.db)

    @contextmanager
    def use_case(self) -> Iterator[Database]:
        """One transaction per use case: all of it is saved, or none of it.

        BEGIN IMMEDIATE takes the write lock first. A deferred BEGIN reads before its
        first write, and a read transaction that then needs to write while another
        connection writes fails at once with "database is locked": SQLite cannot wait
        for it, so busy_timeout never applied. Now a writer waits for the other one.
        Nested use cases run inside the outer transaction (a savepoint).
        Before it commits, its changes are sealed into the sync outbox (store/outbox.py).
        """
        if self.db.conn.in_transaction:
            with self.db.atomic() as db:
                yield db
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except engine.OperationalErrors as err:
            # Another program held the lock past busy_timeout: nothing was written, and
            # the user gets the store's message (the form stays as typed).
            known = explain_database_error(
                err, self.db.conn.execute("PRAGMA database_list").fetchone()[2]
            )
            if isinstance(known, BusyDatabaseError):
                raise known from err
            raise
        try:
            yield self.db
            # What the use case changed goes to the sync outbox in the same transaction
            # (nothing to do for a register that is not attached to an organisation).
            # Imported here: the outbox and the sync rules it loads are not needed
            # before the first change, and a start only reads (issue 12).
            from docassist.store import outbox

            outbox.seal(self.db, self.now(), self.user_id)
        except BaseException:
            if self.db.conn.in_transaction:
                self.db.execute("ROLLBACK")
            raise
        try:
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.conn.in_transaction:
                self.db.execute("ROLLBACK")
            raise

    def stamp(self) -> dict[str, Any]:
        """The columns every synchronisable row gets on each write."""
        return {"updated_at": self.now(), "device_id": self.device_id}

    def audit(
        self,
        action: str,
        entity: str,
        entity_id: str,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        *,
        redacts: dict[int, str] | None = None,
        at: str | None = None,
        by: str | None = None,
    ) -> None:
        """Append one entry to the audit trail (inside the caller's transaction).

        ``redacts``: only for erasure, the entries whose details it rewrote, each
        with its new digest (store/audit.py says why). ``at``: when it happened, if
        not now (failed sign-ins on an encrypted register are kept in its key file
        until the next sign-in can record them). ``by``: who did it, if not the user
        of this context (a trainee's own choice, kept in the real register, which
        is not theirs to work in: ``user_id`` stays None there)."""
        row = self.audit_row(action, entity, entity_id, before, after, at=at, user_id=by)
        from docassist.store.audit import append_entries  # see transaction(): not at start

        append_entries(self.db, [{**row, "redacts": redacts}])

    def audit_row(
        self,
        action: str,
        entity: str,
        entity_id: str,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        *,
        at: str | None = None,
        user_id: str | None = None,
    ) -> dict[str, Any]:
        """An audit entry as a row; the demo generator writes many of them in bulk
        with past times and other users, so both can be given."""
        return {
            "at": at or self.now(),
            "user_id": user_id or self.user_id,
            "device_id": self.device_id,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "before": _json(before),
            "after": _json(after),
        }


class LastAnswer:
    """One query's last answer, kept until anything is written to the database
    (by this connection: total_changes; by another: PRAGMA data_version).

    For answers a screen asks for twice in one refresh. The connection itself
    is kept and compared, not its id(), which a new connection may reuse.
    """

    def __init__(self) -> None:
        # (connection, key, answer) in one tuple, replaced whole: a screen's
        # worker thread never reads one query's key with another's answer
        self._entry: tuple[Any, Any, Any] | None = None

    def get(self, ctx: Context, key: Hashable, compute: Callable[[], T]) -> T:
        conn = ctx.db.conn
        full = (key, conn.total_changes, conn.execute("PRAGMA data_version").fetchone()[0])
        entry = self._entry
        if entry is not None and entry[0] is conn and entry[1] == full:
            return entry[2]
        value = compute()
        self._entry = (conn, full, value)
        return value


def _json(value: dict[str, Any] | None) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the fields that differ, so the audit trail says what changed."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
