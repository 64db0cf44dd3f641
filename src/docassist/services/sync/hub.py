"""Talking to the organisation's hub: a PostgreSQL database reached with psycopg 3.

Everything here is one connection and plain SQL; the merge rule itself runs in the
hub (``hub_sql.py``). Every failure to reach the hub, or a connection dropped half-way
(the server restarted, the network gone), is :class:`HubUnreachableError`: the caller
says so in one line, and nothing is lost, for a push is one hub transaction and the
laptop forgets an outbox entry only after the hub has committed it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from docassist.domain.sync import POLICIES, Version
from docassist.domain.text import N_, UserError
from docassist.services.sync import hub_sql
from docassist.store.migrations import KNOWN

# psycopg is imported where a hub is talked to, not here: the app reads this laptop's
# sync standing for its title on every start (services.sync imports this module), and
# psycopg with libpq cost that start 0.2-0.4 s of CPU for a hub it does not reach.
if TYPE_CHECKING:
    import psycopg


class HubError(UserError):
    """Something about the hub the user can act on."""


class HubUnreachableError(HubError):
    pass


class NotAHubError(HubError):
    pass


class SchemaMismatchError(HubError):
    pass


class DeviceRefusedError(HubError):
    pass


_UNREACHABLE = N_(
    "The hub {hub} cannot be reached ({reason}). Nothing was lost: this laptop's changes "
    "wait in its outbox until the next sync."
)
# The same for the commands given the owner's address (hub init, upgrade, connect,
# join): nothing of theirs waits in an outbox, and a wrong password is not a network.
_UNREACHABLE_OWNER = N_("The hub {hub} cannot be reached ({reason}). Nothing was changed.")
_OWNER_REFUSED = N_(
    "The hub {hub} refused that account ({reason}): check the user name and password in "
    "the address. Nothing was changed."
)
# A hub of another schema version than this laptop's, said by which of the two is behind
# (_schema_mismatch): each names the one thing that brings them together again.
_HUB_OLDER = N_(
    "The hub {hub} is of an older docassist version than this laptop (its schema: {theirs}; "
    "this laptop's: {ours}). Nothing was sent or received: the organisation's hub must be "
    "upgraded first, with `docassist hub upgrade DSN` by whoever holds the hub owner's "
    "account; then sync again."
)
_HUB_NEWER = N_(
    "The hub {hub} is of a newer docassist version than this laptop (its schema: {theirs}; "
    "this laptop's: {ours}). Nothing was sent or received: update docassist on this laptop, "
    "then sync again."
)


def schema_fingerprint(names: Sequence[str] = KNOWN) -> str:
    """The register schema as the hub compares it: the migrations applied, in order."""
    digest = hashlib.sha256(",".join(names).encode()).hexdigest()[:12]
    return f"{len(names)}:{names[-1]}:{digest}"


def migrations_behind(fingerprint: str | None) -> int | None:
    """How many of this version's migrations a register or hub of ``fingerprint`` lacks
    (0: the same version); None when its migrations are not a beginning of ours: a newer
    docassist's, or one this version does not know."""
    count, _, _ = (fingerprint or "").partition(":")
    if not count.isdigit() or not 0 < int(count) <= len(KNOWN):
        return None
    if schema_fingerprint(KNOWN[: int(count)]) != fingerprint:
        return None
    return len(KNOWN) - int(count)


def describe(dsn: str) -> str:
    """The hub as a person may see it: host and database, never the password."""
    from psycopg import ProgrammingError
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(dsn)
    except ProgrammingError:
        return "?"
    host = parts.get("host") or "localhost"
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"{host}{port}/{parts.get('dbname') or parts.get('user') or ''}"


_LOOPBACK = {"127.0.0.1", "::1", "localhost", ""}
_WEAK_TLS = {"disable", "allow", "prefer", "require"}


def secure_dsn(dsn: str) -> str:
    """The DSN with TLS checked against the server's certificate, except on this machine:
    a hub holds every family's records, so a connection over a network must know it talks
    to the organisation's server. A weaker ``sslmode`` given for a remote host is refused."""
    from psycopg import ProgrammingError
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    try:
        parts = conninfo_to_dict(dsn)
    except ProgrammingError as err:
        raise HubError(N_("This is not a PostgreSQL address: {reason}"), reason=str(err)) from err
    host = str(parts.get("host") or "")
    local = host.startswith("/") or all(h in _LOOPBACK for h in host.split(","))
    mode = parts.get("sslmode")
    if local:
        return dsn
    if mode in _WEAK_TLS:
        raise HubError(
            N_(
                "The hub {hub} is on another machine: its connection must check the "
                "server's certificate (sslmode=verify-full), not sslmode={mode}."
            ),
            hub=describe(dsn),
            mode=mode,
        )
    return dsn if mode else make_conninfo(dsn, sslmode="verify-full")


@contextmanager
def connect(dsn: str, *, timeout: int = 10, device: bool = False) -> Iterator[psycopg.Connection]:
    """A connection to the hub for the block; any failure to reach it, at the start or
    half-way, is HubUnreachableError. ``device``: the address is this laptop's own
    login, so a refused login means the laptop was revoked."""
    import psycopg

    hub = describe(dsn)
    unreachable = _UNREACHABLE if device else _UNREACHABLE_OWNER
    try:
        conn = psycopg.connect(
            secure_dsn(dsn), connect_timeout=timeout, application_name="docassist"
        )
    except psycopg.OperationalError as err:
        text = str(err)
        refused = "password authentication failed" in text or "not permitted" in text
        if device and refused:
            raise DeviceRefusedError(_REVOKED, hub=hub) from err
        if refused:
            raise HubUnreachableError(_OWNER_REFUSED, hub=hub, reason=_reason(err)) from err
        raise HubUnreachableError(unreachable, hub=hub, reason=_reason(err)) from err
    try:
        yield conn
    except (psycopg.OperationalError, psycopg.InterfaceError) as err:
        raise HubUnreachableError(unreachable, hub=hub, reason=_reason(err)) from err
    finally:
        conn.close()


def _reason(err: Exception) -> str:
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    return lines[-1][:160] if lines else type(err).__name__


# -- setting up a hub -------------------------------------------------------------


_OTHER_THINGS = """
SELECT n.nspname || '.' || c.relname FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'docassist')
  AND n.nspname NOT LIKE 'pg_temp%%' AND n.nspname NOT LIKE 'pg_toast_temp%%'
  AND c.relkind IN ('r', 'v', 'm', 'S', 'f', 'p')
UNION ALL
SELECT 'extension ' || extname FROM pg_extension WHERE extname <> 'plpgsql'
ORDER BY 1 LIMIT 5
"""


@dataclass(frozen=True)
class HubInfo:
    hub_id: str
    org_id: str
    org_key: bytes
    schema: str
    # the public half of the organisation's recovery key (store/keys.py), which a
    # joining laptop seals its register's key to; None until a laptop offered one
    recovery_public: bytes | None = None


def _meta(conn: psycopg.Connection) -> dict[str, str] | None:
    exists = conn.execute("SELECT to_regclass('docassist.meta') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return None
    return dict(conn.execute("SELECT key, value FROM docassist.meta").fetchall())


def init_hub(dsn: str, *, now: str) -> tuple[HubInfo, bool]:
    """Prepare an empty database as the organisation's hub; again on a hub, check it and
    renew its functions. Returns the hub and whether it was new."""
    hub = describe(dsn)
    with connect(dsn) as conn:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", [hub_sql.WRITE_LOCK])
            meta = _meta(conn)
            _refuse_other_things(conn, hub)
            if meta is not None:
                _check_schema(meta, hub)
                _check_format(meta, hub)
            _may_create_roles(conn, hub)
            _lay_out(conn)
            new = meta is None
            if new:
                meta = {
                    "format": hub_sql.HUB_FORMAT,
                    "schema": schema_fingerprint(),
                    "hub_id": str(uuid.uuid4()),
                    "org_id": str(uuid.uuid4()),
                    "org_key": base64.b64encode(secrets.token_bytes(32)).decode(),
                    "created_at": now,
                }
                for key, value in meta.items():
                    conn.execute("INSERT INTO docassist.meta VALUES (%s, %s)", [key, value])
        assert meta is not None
        return _info(meta), new


def _refuse_other_things(conn: psycopg.Connection, hub: str) -> None:
    others = [r[0] for r in conn.execute(_OTHER_THINGS).fetchall()]
    if others:
        raise HubError(
            N_(
                "The database {hub} already holds other things ({things}): a hub "
                "needs an empty database of its own. Nothing was changed."
            ),
            hub=hub,
            things=", ".join(others),
        )


def _lay_out(conn: psycopg.Connection) -> None:
    """This version's tables, functions, roles and row-level security, and its merge
    policies: on an empty database a new hub, on a hub one that is as if new (what it
    holds stays)."""
    for statements in hub_sql.LAYOUT:
        conn.execute(statements)
    conn.execute("DELETE FROM docassist.policies")
    for p in POLICIES:
        conn.execute(
            "INSERT INTO docassist.policies VALUES (%s, %s, %s, %s)",
            [p.table, p.merge.value, p.record_conflicts, list(p.identity)],
        )


@dataclass(frozen=True)
class Upgrade:
    """What ``hub upgrade`` found and left: the hub's schema fingerprints and hub formats
    (``hub_sql.HUB_FORMAT``) before and after (the same: it was up to date, and nothing
    was changed)."""

    before: str
    after: str
    before_format: str = hub_sql.HUB_FORMAT
    after_format: str = hub_sql.HUB_FORMAT

    @property
    def changed(self) -> bool:
        return self.before != self.after or self.before_format != self.after_format


def formats_behind(stored: str | None) -> int | None:
    """How many hub formats a hub of format ``stored`` is behind this version's (0: the
    same); None for a newer hub format, or one this version does not know. A hub made
    before the format was kept is of format 1."""
    value = stored or "1"
    if not value.isdigit() or not 0 < int(value) <= int(hub_sql.HUB_FORMAT):
        return None
    return int(hub_sql.HUB_FORMAT) - int(value)


def upgrade_hub(dsn: str, *, now: str) -> Upgrade:
    """Bring the hub at ``dsn`` (an owner's account) to this version's layout and schema,
    in one transaction: its layout laid out again (``hub_sql.LAYOUT``, as ``init`` does),
    its fingerprint and hub format moved to this version's and the upgrade recorded on
    the hub. A failure part-way leaves the hub as it was. Refuses a hub of a newer or
    unknown version (its schema or its hub format): this version would take it back."""
    import psycopg

    hub = describe(dsn)
    ours = schema_fingerprint()
    with connect(dsn) as conn:
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", [hub_sql.WRITE_LOCK])
                meta = _meta(conn)
                if meta is None or "schema" not in meta:
                    raise NotAHubError(_NOT_A_HUB_TO_UPGRADE, hub=hub)
                _refuse_other_things(conn, hub)
                theirs = meta["schema"]
                their_format = meta.get("format") or "1"
                done = Upgrade(theirs, ours, their_format, hub_sql.HUB_FORMAT)
                if not done.changed:
                    return done
                if migrations_behind(theirs) is None:
                    raise SchemaMismatchError(
                        _NEWER_THAN_THIS_VERSION,
                        hub=hub,
                        theirs=schema_name(theirs),
                        ours=schema_name(ours),
                    )
                if formats_behind(their_format) is None:
                    raise SchemaMismatchError(
                        _FORMAT_NEWER, hub=hub, theirs=their_format, ours=hub_sql.HUB_FORMAT
                    )
                _may_create_roles(conn, hub)
                _lay_out(conn)
                for key, value in (("schema", ours), ("format", hub_sql.HUB_FORMAT)):
                    conn.execute(
                        "INSERT INTO docassist.meta VALUES (%s, %s) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        [key, value],
                    )
                conn.execute(
                    "INSERT INTO docassist.upgrades(at, from_schema, to_schema, from_format, "
                    "to_format) VALUES (%s, %s, %s, %s, %s)",
                    [now, theirs, ours, their_format, hub_sql.HUB_FORMAT],
                )
        except (psycopg.OperationalError, psycopg.InterfaceError):
            raise  # the connection lost: connect() says so
        except psycopg.Error as err:
            # PostgreSQL's own sentence (its hint would be about SQL, not about the hub)
            reason = getattr(err.diag, "message_primary", None) or _reason(err)
            raise HubError(_UPGRADE_FAILED, hub=hub, reason=reason) from err
    return done


_NOT_A_HUB_TO_UPGRADE = N_(
    "{hub} is not a docassist hub, so there is nothing to upgrade (`docassist hub init` "
    "prepares an empty database as one). Nothing was changed."
)
_NEWER_THAN_THIS_VERSION = N_(
    "The hub {hub} is of a newer docassist version than this one, or of one it does not "
    "know (its schema: {theirs}; this version's: {ours}): upgrading it from here would take "
    "it back. Upgrade docassist on this laptop first. Nothing was changed."
)
# A hub whose own layout (hub_sql.HUB_FORMAT) is not this version's, its schema ours.
_FORMAT_OLDER = N_(
    "The hub {hub} is laid out as an older docassist version laid it out (hub format "
    "{theirs}; this version's: {ours}): upgrade it with `docassist hub upgrade DSN` first. "
    "Nothing was changed."
)
_FORMAT_NEWER = N_(
    "The hub {hub} is laid out by a newer docassist version than this one (hub format "
    "{theirs}; this version's: {ours}): doing it again from here would take it back. "
    "Upgrade docassist on this laptop first. Nothing was changed."
)
_UPGRADE_FAILED = N_(
    "The hub {hub} could not be upgraded ({reason}). Nothing was changed: the hub is as it "
    "was, and its laptops go on as before."
)


def _may_create_roles(conn: psycopg.Connection, hub: str) -> None:
    row = conn.execute(
        "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    if not row or not row[0]:
        raise HubError(
            N_(
                "The account in this address may not create roles on {hub}: the hub gives "
                "each laptop its own. Use the database owner's account with CREATEROLE."
            ),
            hub=hub,
        )


def _info(meta: dict[str, str]) -> HubInfo:
    public = meta.get("recovery_public")
    return HubInfo(
        meta["hub_id"],
        meta["org_id"],
        base64.b64decode(meta["org_key"]),
        meta["schema"],
        base64.b64decode(public) if public else None,
    )


def offer_recovery_key(conn: psycopg.Connection, public: bytes) -> None:
    """Keep ``public`` as the organisation's recovery key (its public half) unless the
    hub already has one: the first register that reaches the hub with one gives it.
    On an owner's connection (``hub connect``, ``hub join``): laptops may not write it."""
    with conn.transaction():
        conn.execute(
            "INSERT INTO docassist.meta VALUES ('recovery_public', %s) "
            "ON CONFLICT (key) DO NOTHING",
            [base64.b64encode(public).decode()],
        )


def _check_schema(meta: dict[str, str], hub: str) -> None:
    if meta.get("schema") != schema_fingerprint():
        raise _schema_mismatch(hub, meta.get("schema"))


def _check_format(meta: dict[str, str], hub: str) -> None:
    """``hub init`` on a hub of another hub format (its schema ours): an older one is
    upgraded (recorded, by ``hub upgrade``), a newer one would be taken back. Laptops do
    not check it (``hub_sql.HUB_FORMAT``)."""
    their_format = meta.get("format") or "1"
    behind = formats_behind(their_format)
    if behind == 0:
        return
    message = _FORMAT_OLDER if behind is not None else _FORMAT_NEWER
    raise SchemaMismatchError(message, hub=hub, theirs=their_format, ours=hub_sql.HUB_FORMAT)


def _schema_mismatch(hub: str, theirs: str | None) -> SchemaMismatchError:
    """A hub of schema ``theirs``, not this laptop's: the hub behind it (its migrations
    a beginning of ours) is upgraded by its owner; else this laptop is behind."""
    ours = schema_fingerprint()
    behind = migrations_behind(theirs)
    message = _HUB_OLDER if behind is not None and behind > 0 else _HUB_NEWER
    return SchemaMismatchError(message, hub=hub, theirs=schema_name(theirs), ours=schema_name(ours))


def schema_name(fingerprint: str | None) -> str:
    """The last migration's name: what a person can compare between two versions."""
    if not fingerprint:
        return "?"
    parts = fingerprint.split(":")
    return parts[1] if len(parts) == 3 else fingerprint


def open_hub(conn: psycopg.Connection, dsn: str) -> HubInfo:
    """The hub behind ``conn``, after checking it is one, of our schema."""
    hub = describe(dsn)
    meta = _meta(conn)
    conn.rollback()
    if meta is None:
        raise NotAHubError(
            N_("{hub} is not a docassist hub (run `docassist hub init` on it first)."),
            hub=hub,
        )
    _check_schema(meta, hub)
    return _info(meta)


# -- devices ----------------------------------------------------------------------


def device_role(device_id: str) -> str:
    return "docassist_dev_" + device_id.replace("-", "")[:20]


def register_device(
    conn: psycopg.Connection, dsn: str, device_id: str, user_id: str | None, name: str
) -> str:
    """Give this laptop its own login role on the hub; returns the address it uses from
    now on (the same server and database, its own name and password). Again for a laptop
    already registered: a new password, the old one stops working."""
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    password = secrets.token_urlsafe(24)
    role = device_role(device_id)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [hub_sql.WRITE_LOCK])
        revoked = conn.execute(
            "SELECT revoked_at IS NOT NULL FROM docassist.devices WHERE device_id = %s",
            [device_id],
        ).fetchone()
        if revoked and revoked[0]:
            raise DeviceRefusedError(_REVOKED, hub=describe(dsn))
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
        verb = "ALTER" if exists else "CREATE"
        conn.execute(
            sql.SQL("{} ROLE {} LOGIN PASSWORD {}").format(
                sql.SQL(verb), sql.Identifier(role), sql.Literal(password)
            )
        )
        conn.execute(
            sql.SQL("GRANT {} TO {}").format(
                sql.Identifier(hub_sql.DEVICE_GROUP), sql.Identifier(role)
            )
        )
        conn.execute(
            "INSERT INTO docassist.devices(device_id, role_name, user_id, name) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (device_id) DO UPDATE SET "
            "role_name = excluded.role_name, user_id = excluded.user_id, "
            # connected again without --name: the laptop keeps the name it was given
            "name = coalesce(nullif(excluded.name, ''), docassist.devices.name)",
            [device_id, role, user_id, name],
        )
    return make_conninfo(dsn, user=role, password=password)


_REVOKED = N_(
    "The hub {hub} no longer accepts this laptop (it was revoked by a coordinator). Its "
    "unsent changes are still in its outbox; ask a coordinator."
)


# -- push and pull ----------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One outbox entry as it travels, with who may read it on the hub."""

    table: str
    row_key: str
    version: Version
    scope: str = "*"
    owner: str | None = None
    household: str | None = None

    def to_json(self) -> dict[str, Any]:
        v = self.version
        return {
            "tbl": self.table,
            "row_key": self.row_key,
            "hlc": v.hlc,
            "user_id": v.user_id,
            "vv": v.vv,
            "deleted": v.deleted,
            "data": v.data,
            "scope": self.scope,
            "owner": self.owner,
            "household": self.household,
        }


@dataclass(frozen=True)
class Pushed:
    received: int
    applied: int
    conflicts: int


PUSH_BATCH = 500


def push(conn: psycopg.Connection, dsn: str, changes: Sequence[Change], device_id: str) -> Pushed:
    """Apply ``changes`` on the hub in one transaction (all of them, or none)."""
    import psycopg
    from psycopg.types.json import Jsonb

    received = applied = conflicts = 0
    try:
        with conn.transaction():
            for start in range(0, len(changes), PUSH_BATCH):
                batch = [c.to_json() for c in changes[start : start + PUSH_BATCH]]
                row = conn.execute(
                    "SELECT docassist.push(%s, %s, %s)",
                    [Jsonb(batch), schema_fingerprint(), device_id],
                ).fetchone()
                assert row is not None
                received += row[0]["received"]
                applied += row[0]["applied"]
                conflicts += row[0]["conflicts"]
    except psycopg.Error as err:
        _refused(err, dsn)
        raise
    return Pushed(received, applied, conflicts)


def _refused(err: psycopg.Error, dsn: str) -> None:
    """Raise the user's message for the hub refusing a push or pull, if it is one."""
    state = getattr(err, "sqlstate", None)
    hub = describe(dsn)
    if state == "DA001":
        detail = getattr(err.diag, "message_detail", None) or ""
        raise _schema_mismatch(hub, detail) from err
    if state in ("DA003", "28000", "28P01", "42501"):
        raise DeviceRefusedError(_REVOKED, hub=hub) from err


@dataclass(frozen=True)
class Incoming:
    seq: int
    table: str
    row_key: str
    version: Version


PULL_PAGE = 2000


def _page(
    conn: psycopg.Connection,
    dsn: str,
    queries: tuple[str, str],
    after: int,
    device_id: str,
    limit: int,
) -> tuple[list[tuple[Any, ...]], int | None]:
    """One page of a hub log read in commit order: ``queries`` are the query finding
    where the page ends (at most ``limit`` commits after ``after``) and the one reading
    the rows up to there. The read's transaction is ended at once, so a long pull holds
    none open on the hub between pages."""
    import psycopg

    end_sql, rows_sql = queries
    try:
        end_row = conn.execute(end_sql, [after, limit]).fetchone()
        end = end_row[0] if end_row else None
        rows = conn.execute(rows_sql, [after, end, device_id]).fetchall() if end is not None else []
        conn.rollback()
    except psycopg.Error as err:
        _refused(err, dsn)
        raise
    return rows, end


def pull_page(
    conn: psycopg.Connection, dsn: str, after: int, device_id: str, limit: int = PULL_PAGE
) -> tuple[list[Incoming], int | None]:
    """The changes committed on the hub after ``after``, in commit order (hub_sql.py
    says why the order holds), as far as this laptop may read them, and where the page
    ends (None: nothing after ``after``)."""
    rows, end = _page(conn, dsn, (hub_sql.PULL_END, hub_sql.PULL), after, device_id, limit)
    changes = [
        Incoming(r[7], r[0], r[1], Version(r[2], r[4], r[5], r[6], r[3]))
        for r in rows
        if r[0] in _KNOWN_TABLES
    ]
    return changes, end


_KNOWN_TABLES = {p.table for p in POLICIES}


def rows_of_households(
    conn: psycopg.Connection, dsn: str, households: Sequence[str]
) -> list[Incoming]:
    """Every row the hub has of ``households`` that this laptop may read, whenever it
    was committed (``hub_sql.CATCH_UP`` says when a laptop needs them)."""
    import psycopg

    try:
        rows = conn.execute(hub_sql.CATCH_UP, [list(households)]).fetchall()
        conn.rollback()
    except psycopg.Error as err:
        _refused(err, dsn)
        raise
    return [
        Incoming(r[7], r[0], r[1], Version(r[2], r[4], r[5], r[6], r[3]))
        for r in rows
        if r[0] in _KNOWN_TABLES
    ]


# -- the audit trails ---------------------------------------------------------------

AUDIT_BATCH = 2000
_AUDIT_COLUMNS = (
    "hash",
    "device_id",
    "id",
    "at",
    "user_id",
    "action",
    "entity",
    "entity_id",
    "details_sha256",
    "redacts",
    "prev_hash",
)


def push_audit(
    conn: psycopg.Connection, dsn: str, entries: Sequence[dict[str, Any]], device_id: str
) -> int:
    """Add this laptop's audit ``entries`` (store/audit.py ``entries_after``) to the
    hub's union, in one transaction; returns how many were new there."""
    import psycopg
    from psycopg.types.json import Jsonb

    try:
        with conn.transaction():
            row = conn.execute(
                "SELECT docassist.push_audit(%s, %s)",
                [Jsonb([{c: e[c] for c in _AUDIT_COLUMNS} for e in entries]), device_id],
            ).fetchone()
    except psycopg.Error as err:
        _refused(err, dsn)
        raise
    return int(row[0]) if row else 0


def pull_audit_page(
    conn: psycopg.Connection, dsn: str, after: int, device_id: str, limit: int = AUDIT_BATCH
) -> tuple[list[dict[str, Any]], int | None]:
    """The other laptops' audit entries pushed after ``after``, in commit order, as far
    as this laptop may read them (a coordinator's: all), and where the page ends (None:
    nothing after ``after``)."""
    queries = (hub_sql.AUDIT_PULL_END, hub_sql.AUDIT_PULL)
    rows, end = _page(conn, dsn, queries, after, device_id, limit)
    return [dict(zip(_AUDIT_COLUMNS, r, strict=True)) for r in rows], end


def last_clock(conn: psycopg.Connection, device_id: str) -> str | None:
    """The latest clock reading ``device_id`` pushed of its own, as the hub recorded it."""
    row = conn.execute(
        "SELECT last_hlc FROM docassist.devices WHERE device_id = %s", [device_id]
    ).fetchone()
    conn.rollback()
    return row[0] if row else None


def renew_device(conn: psycopg.Connection, dsn: str, previous: str, renewed: str) -> None:
    """Move this laptop's login from its old device id to its new one."""
    try:
        with conn.transaction():
            conn.execute("SELECT docassist.renew_device(%s, %s)", [previous, renewed])
    except psycopg.Error as err:
        _refused(err, dsn)
        raise


def note_pull(conn: psycopg.Connection, device_id: str) -> None:
    with conn.transaction():
        conn.execute("SELECT docassist.note_pull(%s)", [device_id])


@dataclass(frozen=True)
class Device:
    device_id: str
    name: str
    user_id: str | None
    registered_at: str
    last_push_at: str | None
    last_pull_at: str | None
    revoked_at: str | None


def devices(conn: psycopg.Connection) -> list[Device]:
    """The organisation's laptops as the hub lets this connection read them: all of them
    for a coordinator's laptop (or the owner), its own row for any other laptop."""
    rows = conn.execute(
        "SELECT device_id, name, user_id, registered_at, last_push_at, last_pull_at, "
        "revoked_at FROM docassist.devices ORDER BY registered_at"
    ).fetchall()
    conn.rollback()

    def iso(value: Any) -> str | None:
        return value.isoformat(timespec="seconds") if value is not None else None

    return [
        Device(r[0], r[1], r[2], iso(r[3]) or "", iso(r[4]), iso(r[5]), iso(r[6])) for r in rows
    ]


def device_names(conn: psycopg.Connection) -> list[tuple[str, str]]:
    """Each laptop of the organisation this laptop may know of, by its id, with the name
    it was given (``hub connect/join --name``; '' for none): on a coordinator's laptop,
    whose histories show every laptop's entries, all of them; on another, its own
    (row-level security on ``docassist.devices``, hub_sql.py). Only these two columns:
    whose each laptop is, when it synced and whether it was revoked stay on the hub."""
    rows = conn.execute(
        "SELECT device_id, name FROM docassist.devices ORDER BY device_id"
    ).fetchall()
    conn.rollback()
    return [(str(r[0]), str(r[1] or "")) for r in rows]


def revoke(conn: psycopg.Connection, dsn: str, device_id: str) -> bool:
    import psycopg

    try:
        with conn.transaction():
            row = conn.execute("SELECT docassist.revoke_device(%s)", [device_id]).fetchone()
    except psycopg.Error as err:
        if getattr(err, "sqlstate", None) == "DA004":
            raise HubError(N_("Only a coordinator's laptop may revoke another laptop.")) from err
        raise
    return bool(row and row[0])


def find_user(conn: psycopg.Connection, dsn: str, wanted: str) -> str:
    """The id of the organisation's user ``wanted`` (an id, or a name in either script)."""
    return find_user_named(conn, dsn, wanted)[0]


def find_user_named(conn: psycopg.Connection, dsn: str, wanted: str) -> tuple[str, str]:
    """The id and the name of the organisation's user ``wanted`` (an id, or a name in
    either script)."""
    from docassist.domain import script

    rows = conn.execute(
        "SELECT row_key, data ->> 'name' FROM docassist.rows "
        "WHERE tbl = 'users' AND NOT deleted AND data ->> 'role' <> 'trainee'"
    ).fetchall()
    conn.rollback()
    for row_key, name in rows:
        if row_key == wanted:
            return str(row_key), str(name or "")
    matches = [r for r in rows if script.search_key(r[1] or "") == script.search_key(wanted)]
    if len(matches) == 1:
        return str(matches[0][0]), str(matches[0][1] or "")
    raise HubError(
        N_("The hub {hub} has no single user '{name}' (give the name exactly, or the id)."),
        hub=describe(dsn),
        name=wanted,
    )


def passphrase_hash(conn: psycopg.Connection, user_id: str) -> str | None:
    """The user's passphrase hash as the hub holds it (their user row, from a register
    that keeps one: a plaintext one); None when it holds none."""
    row = conn.execute(
        "SELECT data ->> 'passphrase_hash' FROM docassist.rows "
        "WHERE tbl = 'users' AND row_key = %s",
        [user_id],
    ).fetchone()
    conn.rollback()
    return (row[0] or None) if row else None


def households_held(conn: psycopg.Connection) -> set[str] | None:
    """The households this laptop may hold now; None for a laptop that may hold
    everything (a coordinator's), which then need not be asked about each one."""
    row = conn.execute("SELECT docassist.i_see_everything()").fetchone()
    if row and row[0]:
        conn.rollback()
        return None
    return _keys_readable(conn, "households")


def scopes_held(conn: psycopg.Connection) -> set[str]:
    """The ``user_scopes`` rows (their keys) this laptop may hold now: on a laptop that
    may not hold everything, its own user's (hub_sql.py, ``device_reads``)."""
    return _keys_readable(conn, "user_scopes")


def _keys_readable(conn: psycopg.Connection, table: str) -> set[str]:
    """The keys of ``table``'s rows the hub lets this laptop read."""
    keys = conn.execute("SELECT row_key FROM docassist.rows WHERE tbl = %s", [table]).fetchall()
    conn.rollback()
    return {k[0] for k in keys}
