"""Several laptops, one organisation: sync through the hub and by file (issue 17).

- ``hub init DSN`` (:func:`init_hub`): an empty PostgreSQL database becomes the hub.
- ``hub upgrade DSN`` (:func:`upgrade_hub`): a hub of an older docassist version takes
  this version's layout and schema, so the laptops updated to it sync again.
- ``hub connect DSN`` (:func:`connect_hub`): this register joins the hub with a login
  of its own, and its first push sends everything it holds.
- ``sync`` (:func:`sync`): push the outbox (one hub transaction), then pull what the hub
  committed since this laptop's cursor; both can be cut at any point and repeated.
- conflicts (:func:`list_conflicts`, :func:`resolve_conflict`): the losing versions the
  merge kept, for a coordinator to look at and settle.

The merge rule is domain/sync.py; the hub runs it in PostgreSQL (hub_sql.py), the
laptop for what it pulls and imports (laptop.py).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from docassist.domain.model import Role
from docassist.domain.sync import POLICIES, POLICY, ConflictKind
from docassist.domain.text import N_, Problem
from docassist.services.context import Context, NotFoundError, ValidationError, real_now
from docassist.services.households import (
    DERIVED_COLUMNS,
    recompute_derived,
    refresh_search_text,
)
from docassist.services.made_up import MadeUp, made_up, made_up_file
from docassist.services.sync import hub, laptop
from docassist.services.sync.hub import (
    DeviceRefusedError,
    HubError,
    HubUnreachableError,
    NotAHubError,
    SchemaMismatchError,
    describe,
)
from docassist.services.sync_standing import WAITING_NOTE_DAYS, Standing, hub_source, standing
from docassist.store import audit, outbox
from docassist.store.database import Database
from docassist.store.db import new_id

__all__ = [
    "DeviceRefusedError",
    "ValidationError",
    "HubError",
    "HubUnreachableError",
    "MadeUpRegisterError",
    "NotAHubError",
    "SchemaMismatchError",
    "Standing",
    "Summary",
    "WAITING_NOTE_DAYS",
    "connect_hub",
    "init_hub",
    "upgrade_hub",
    "list_conflicts",
    "resolve_conflict",
    "standing",
    "sync",
]

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def _quiet(stage: str, done: int, total: int) -> None:
    pass


class NotConnectedError(HubError):
    pass


@dataclass(frozen=True)
class Summary:
    pushed: int
    pulled: int
    conflicts: int  # new conflicts this sync brought or found

    def say(self) -> str:
        """One line in the user's language (the command line and the app say the same)."""
        from docassist.i18n import _, ngettext

        conflicts = ngettext("{n} new conflict", "{n} new conflicts", self.conflicts).format(
            n=self.conflicts
        )
        return _("Synced: {pushed} sent, {pulled} received, {conflicts}.").format(
            pushed=self.pushed, pulled=self.pulled, conflicts=conflicts
        )


class MadeUpRegisterError(HubError):
    pass


# A register of made-up families (the demo's, or the practice database where trainees
# practise) never meets the organisation's real ones: connected to the hub, joined to
# it, synced, or given a bundle, it would take in real households (a trainee would see
# them) or send made-up ones to the organisation. The one check, for every way in.
_MADE_UP_REFUSALS = {
    MadeUp.DEMO: N_(
        "This is a demo register: its families are made up, so it never syncs with the "
        "organisation's hub or takes in its bundles (real families would come into it, "
        "made-up ones would go to the organisation). Nothing was sent, received or changed."
    ),
    MadeUp.PRACTICE: N_(
        "This is the practice register, where trainees practise on made-up families: it "
        "never syncs with the organisation's hub or takes in its bundles (real families "
        "would come into it, made-up ones would go to the organisation). Nothing was sent, "
        "received or changed."
    ),
}


def refuse_made_up(ctx: Context) -> None:
    """Refuse the hub and bundles to a register of made-up families (``made_up``)."""
    kind = made_up(ctx)
    if kind is not None:
        raise MadeUpRegisterError(_MADE_UP_REFUSALS[kind])


def refuse_made_up_file(path: Path) -> None:
    """``refuse_made_up`` for the register file at ``path`` (``hub join`` names one)."""
    kind = made_up_file(path) if Path(path).is_file() else None
    if kind is not None:
        raise MadeUpRegisterError(_MADE_UP_REFUSALS[kind])


def init_hub(dsn: str, *, now: Callable[[], str] = real_now) -> bool:
    """Prepare the database at ``dsn`` as the organisation's hub (again: check it).
    Returns whether it was new. Touches no register, so it takes the clock itself."""
    _, new = hub.init_hub(dsn, now=now())
    return new


def upgrade_hub(dsn: str, *, now: Callable[[], str] = real_now) -> hub.Upgrade:
    """Bring the hub at ``dsn`` (an owner's account) to this docassist version: one hub
    transaction, recorded on the hub (``docassist.upgrades``; like ``init_hub`` it touches
    no register, so it takes the clock itself). Up to date: nothing is changed."""
    return hub.upgrade_hub(dsn, now=now())


def connect_hub(
    ctx: Context, dsn: str, *, device_name: str = "", progress: Progress = _quiet
) -> Summary:
    """Attach this register to the hub at ``dsn`` (an account that may create roles: the
    laptop gets a login of its own), then sync: the first push sends everything."""
    refuse_made_up(ctx)
    state = outbox.state(ctx.db)
    with hub.connect(dsn) as conn:
        info = hub.open_hub(conn, dsn)
        if state["hub_id"] and state["hub_id"] != info.hub_id:
            raise HubError(
                N_(
                    "This register is already connected to another hub; a register "
                    "belongs to one organisation. Nothing was changed."
                )
            )
        device_dsn = hub.register_device(conn, dsn, ctx.device_id, ctx.user_id, device_name)
        _offer_recovery_key(ctx, conn)
    with ctx.use_case():
        first = not state["attached"]
        outbox.set_state(
            ctx.db,
            attached=1,
            hub_id=info.hub_id,
            org_id=info.org_id,
            org_key=base64.b64encode(info.org_key).decode(),
            hub_dsn=device_dsn,
            schema=info.schema,
        )
        if first:
            outbox.mark_everything(ctx.db)
        ctx.audit("connect", "hub", info.hub_id, after={"hub": describe(dsn)})
    return sync(ctx, progress=progress)


JOIN_REFUSED = N_(
    "That is not {user}'s passphrase as the hub knows it. Nothing was made on this laptop."
)


@dataclass(frozen=True)
class Joining:
    """Who joins (``check_joining``): the user's id and name on the hub, and the
    passphrase their new register is encrypted for; ``chosen``: the user chose it just
    now (the hub held no passphrase of theirs), rather than typing one the hub checked."""

    user_id: str
    name: str
    passphrase: str = field(repr=False)
    chosen: bool = False


def check_joining(
    dsn: str,
    user: str,
    passphrase: Callable[[str], str],
    new_passphrase: Callable[[str], str],
) -> Joining:
    """Before ``hub join`` makes a register: the hub, the user, and the passphrase the
    new register will be encrypted for. Where the hub holds the user's passphrase hash
    (their user row from a plaintext register) the passphrase is asked with
    ``passphrase(name)`` and must match it; where it holds none (encrypted registers keep
    no hash) the user chooses one with ``new_passphrase(name)``, as at a first sign-in
    (whoever runs ``hub join`` has the hub owner's account, so is trusted by the hub
    already). Touches nothing on this laptop, so a wrong passphrase leaves nothing."""
    from docassist.services import accounts

    with hub.connect(dsn) as conn:
        hub.open_hub(conn, dsn)
        user_id, name = hub.find_user_named(conn, dsn, user)
        stored = hub.passphrase_hash(conn, user_id)
    if stored is None:
        return Joining(user_id, name, new_passphrase(name), chosen=True)
    typed = passphrase(name)
    if not accounts.hash_matches(stored, typed):
        raise HubError(JOIN_REFUSED, user=user)
    return Joining(user_id, name, typed)


@dataclass(frozen=True)
class Joined:
    """What ``join_new_register`` did: the first sync's summary, and the recovery key of
    this laptop's own when the hub had no organisation's one to seal to (to show once,
    then forget); None when the organisation's printed recovery key opens it."""

    summary: Summary
    recovery_key: str | None = field(repr=False)


def join_new_register(
    path: Path | str,
    dsn: str,
    joining: Joining,
    *,
    device_name: str = "",
    progress: Progress = _quiet,
    now: Callable[[], str] | None = None,
) -> Joined:
    """``hub join`` after ``check_joining``: a new register at ``path``, encrypted as
    ``docassist init`` makes one (``accounts.create_joining_register``: its key wrapped
    for the joining user's passphrase, and sealed to the organisation's recovery key
    that the hub keeps), joined to the hub and filled by the first pull. If it fails
    before the laptop is joined, nothing is left on the laptop; after, the register
    stays and ``docassist sync`` finishes what the first sync did not."""
    from docassist.services import accounts

    with hub.connect(dsn) as conn:
        info = hub.open_hub(conn, dsn)
    made = accounts.create_joining_register(
        path, joining.name, joining.passphrase, info.recovery_public, now=now
    )
    ctx = made.context
    try:
        summary = join_hub(ctx, dsn, joining.user_id, device_name=device_name, progress=progress)
    except BaseException:
        if outbox.state(ctx.db)["attached"]:  # joined: the register stays, `sync` goes on
            ctx.db.close()
            raise
        with accounts.removed_on_failure(ctx):
            raise
    try:
        if joining.chosen:
            # The first pull brought the user's row as the coordinator left it, often
            # with a first passphrase still to be changed; the one chosen at the join is
            # the user's own, so the first sign-in must not ask for another.
            accounts.chose_own_passphrase(ctx, joining.user_id)
    finally:
        ctx.db.close()
    return Joined(summary, made.recovery_key)


def join_hub(
    ctx: Context, dsn: str, user: str, *, device_name: str = "", progress: Progress = _quiet
) -> Summary:
    """Make this new, empty register a laptop of the organisation for ``user`` (a user
    the hub has, by id or name) and pull what that user may hold.

    Who may do it is decided by the account in ``dsn`` (one that may create roles); the
    user's own sign-in is checked by the caller."""
    refuse_made_up(ctx)
    if (
        ctx.db.execute("SELECT 1 FROM households LIMIT 1").fetchone()
        or outbox.state(ctx.db)["attached"]
    ):
        raise HubError(
            N_(
                "This register already holds records: `hub join` is for a new laptop. "
                "Use `docassist hub connect` to attach it instead."
            )
        )
    with hub.connect(dsn) as conn:
        info = hub.open_hub(conn, dsn)
        user_id = hub.find_user(conn, dsn, user)
        device_dsn = hub.register_device(conn, dsn, ctx.device_id, user_id, device_name)
        _offer_recovery_key(ctx, conn)
    ctx.user_id = user_id
    with ctx.use_case():
        outbox.set_state(
            ctx.db,
            attached=1,
            hub_id=info.hub_id,
            org_id=info.org_id,
            org_key=base64.b64encode(info.org_key).decode(),
            hub_dsn=device_dsn,
            schema=info.schema,
        )
        ctx.audit("join", "hub", info.hub_id, after={"hub": describe(dsn), "user": user_id})
    return sync(ctx, progress=progress)


def _offer_recovery_key(ctx: Context, conn: Any) -> None:
    """The public half of this register's recovery key to the hub, which keeps the
    first it is given as the organisation's (laptops that join seal their keys to it)."""
    from docassist.services import accounts

    public = accounts.recovery_public_key(ctx)
    if public is not None:
        hub.offer_recovery_key(conn, public)


def _connected(ctx: Context) -> dict[str, Any]:
    state = outbox.state(ctx.db)
    if not state["attached"] or not state["hub_dsn"]:
        raise NotConnectedError(
            N_("This register is not connected to a hub: run `docassist hub connect DSN` first.")
        )
    return state


def sync(ctx: Context, *, progress: Progress = _quiet) -> Summary:
    """Push this laptop's outbox, then pull what the hub has since this laptop's cursor.

    Cut anywhere (the connection dropped, the program killed), it is simply run again:
    a push is one hub transaction, and an entry leaves the outbox only after the hub has
    committed it; a pull keeps what it fetched and where it got to, and applies it in
    one transaction at the end."""
    refuse_made_up(ctx)
    state = _connected(ctx)
    dsn = state["hub_dsn"]
    with ctx.use_case():
        pass  # seals what was written outside a use case
    with hub.connect(dsn, device=True) as conn:
        hub.open_hub(conn, dsn)
        _renew_if_restored(ctx, conn, dsn)
        pushed = _push(ctx, conn, dsn, progress)
        _fetch(ctx, conn, dsn, hub_source(state), progress)
        held = hub.households_held(conn)
        scopes_held: set[str] | None = None
        if held is not None:
            _catch_up(ctx, conn, dsn, held)
            scopes_held = hub.scopes_held(conn)
        names = hub.device_names(conn)
        hub.note_pull(conn, ctx.device_id)
        pulled, conflicts = _apply_inbox(ctx, hub_source(state), pushed, names, progress)
        # last, so that the entry this sync itself wrote travels with it
        _push_audit(ctx, conn, dsn, hub_source(state))
        _relay_audit(ctx, conn, dsn)
        _pull_audit(ctx, conn, dsn, hub_source(state))
    if held is not None:
        forget_households_elsewhere(ctx, held)
    if scopes_held is not None:
        forget_scopes_elsewhere(ctx, scopes_held)
    return Summary(pushed, pulled, conflicts)


def _renew_if_restored(ctx: Context, conn: Any, dsn: str) -> None:
    """A register restored from a backup took a new device id then (services/backups.py);
    one copied back by hand is found here, its clock behind what its device id already
    pushed, and takes one now. Either way the hub moves this laptop's login to the new
    id before anything is pushed (store/outbox.py ``renew_device`` says why).

    Found only here, the copy's changes made since it was put back are sent under the
    old id: where they touch rows changed after the copy was made they may replace those
    changes without a conflict. ``docassist db restore`` has no such gap."""
    state = outbox.state(ctx.db)
    if not state["previous_device"]:
        last = hub.last_clock(conn, ctx.device_id)
        if last is None or not outbox.behind(ctx.db, last):
            return
        old = ctx.device_id
        with ctx.use_case():
            new = outbox.renew_device(ctx.db)
            ctx.__dict__.pop("device_id", None)  # cached: the id just changed
            ctx.audit("renew", "device", new, after={"previous": old, "why": "older copy"})
        state = outbox.state(ctx.db)
    hub.renew_device(conn, dsn, state["previous_device"], ctx.device_id)
    with ctx.use_case():
        outbox.set_state(ctx.db, previous_device=None)


def _catch_up(ctx: Context, conn: Any, dsn: str, held: set[str]) -> None:
    """Fetch whole the households the hub now gives this laptop that it never received:
    its user's municipalities grew, or a case was given to its user. The hub committed
    their rows before this laptop's pull position, so the pull in commit order skips
    them; without this, a facilitator given a new municipality would never see the
    families already registered there."""
    db = ctx.db
    have = {r[0] for r in db.execute("SELECT id FROM households").fetchall()}
    have |= {r[0] for r in db.execute("SELECT row_key FROM sync_inbox WHERE tbl = 'households'")}
    missing = sorted(held - have)
    if not missing:
        return
    rows = hub.rows_of_households(conn, dsn, missing)
    with ctx.use_case():
        for change in rows:
            outbox.add_to_inbox(db, change.seq, change.table, change.row_key, change.version)


def _all_settled(db: Database) -> bool:
    """Every local change reached the hub and everything received is applied: only then
    may the laptop forget records, so nothing changed here and not yet sent is lost."""
    pending = outbox.count_pending(db)
    return not pending and db.execute("SELECT 1 FROM sync_inbox LIMIT 1").fetchone() is None


def forget_households_elsewhere(ctx: Context, held: set[str]) -> int:
    """Remove from this laptop the households the hub no longer gives it (its user's
    municipalities shrank, a case went to someone else), with everything about them;
    returns how many. Only once every local change has reached the hub: what was
    changed here and not yet sent is never lost. The removal is this laptop's own (it
    is not sent: the records stay on the hub and on the laptops that hold them)."""
    db = ctx.db
    if not _all_settled(db):
        return 0
    gone = [r[0] for r in db.execute("SELECT id FROM households").fetchall() if r[0] not in held]
    if not gone:
        return 0
    with outbox.foreign_rows_allowed(db), ctx.use_case(), outbox.applying(db):
        for household_id in gone:
            laptop.forget_household(db, household_id)
        ctx.audit("forget", "hub", "scope", after={"households": len(gone)})
    return len(gone)


def forget_scopes_elsewhere(ctx: Context, held: set[str]) -> int:
    """Remove from this laptop where other users work (their ``user_scopes`` rows) once
    the hub no longer gives them to it: a facilitator's laptop uses none of them (`users
    works-in` is a coordinator's), and they came from a hub of an older layout or a
    coordinator's bundle. Returns how many. As ``forget_households_elsewhere``: only once
    everything of this laptop's reached the hub, and the removal is not sent."""
    db = ctx.db
    if not _all_settled(db):
        return 0
    gone = [r[0] for r in db.execute("SELECT id FROM user_scopes").fetchall() if r[0] not in held]
    if not gone:
        return 0
    with outbox.foreign_rows_allowed(db), ctx.use_case(), outbox.applying(db):
        laptop.forget_rows(db, "user_scopes", gone)
        ctx.audit("forget", "hub", "user_scopes", after={"user_scopes": len(gone)})
    return len(gone)


def _push(ctx: Context, conn: Any, dsn: str, progress: Progress) -> int:
    entries = outbox.pending(ctx.db)
    if not entries:
        return 0
    progress("push", 0, len(entries))
    changes = []
    for e in entries:
        where = laptop.reach(ctx.db, e.table, e.version.data)
        changes.append(
            hub.Change(e.table, e.row_key, e.version, where.scope, where.owner, where.household)
        )
    hub.push(conn, dsn, changes, ctx.device_id)
    # committed on the hub: only now may the outbox forget them (killed before this
    # line, the next push sends them again and the hub skips what it has)
    with ctx.use_case():
        outbox.forget_pushed(ctx.db, entries[-1].seq)
        outbox.set_cursor(ctx.db, hub_source(outbox.state(ctx.db)), last_push_at=ctx.now())
    progress("push", len(entries), len(entries))
    return len(entries)


# The audit trail travels as each laptop's chain (store/audit.py): a laptop sends its own
# entries after the last one the hub committed, and those of other laptops that reached
# it by bundle (services/sync/bundle.py), and a coordinator's laptop receives every
# other laptop's. Both positions are kept like the pull's: cut anywhere, the next sync
# sends or asks again, and the hub and the laptop skip an entry they have (by its hash).
def _push_audit(ctx: Context, conn: Any, dsn: str, source: str) -> None:
    key = f"audit-sent:{source}"
    after = outbox.cursor(ctx.db, key)
    while entries := audit.entries_after(ctx.db, after, hub.AUDIT_BATCH):
        hub.push_audit(conn, dsn, entries, ctx.device_id)
        after = int(entries[-1]["id"])
        with ctx.use_case():
            outbox.set_cursor(ctx.db, key, position=after)


def _relay_audit(ctx: Context, conn: Any, dsn: str) -> None:
    """Pass on to the hub the other laptops' entries that came here by bundle (the hub
    keeps one of each, so sending one it has costs nothing); each leaves the list once
    the hub has committed it."""
    while entries := audit.entries_to_relay(ctx.db, hub.AUDIT_BATCH):
        hub.push_audit(conn, dsn, entries, ctx.device_id)
        with ctx.use_case():
            audit.relayed(ctx.db, [e["hash"] for e in entries])


def _pull_audit(ctx: Context, conn: Any, dsn: str, source: str) -> int:
    key = f"audit-received:{source}"
    position = outbox.cursor(ctx.db, key)
    received = 0
    while True:
        page, end = hub.pull_audit_page(conn, dsn, position, ctx.device_id)
        if end is None:
            return received
        with ctx.use_case():
            received += audit.add_remote_entries(ctx.db, page)
            outbox.set_cursor(ctx.db, key, position=end)
        position = end


def _fetch(ctx: Context, conn: Any, dsn: str, source: str, progress: Progress) -> None:
    position = outbox.cursor(ctx.db, source)
    fetched = 0
    while True:
        page, end = hub.pull_page(conn, dsn, position, ctx.device_id)
        if end is None:
            return
        with ctx.use_case():
            for change in page:
                outbox.add_to_inbox(
                    ctx.db, change.seq, change.table, change.row_key, change.version
                )
            position = end
            outbox.set_cursor(ctx.db, source, position=position)
        fetched += len(page)
        progress("pull", fetched, 0)


_UNSETTLED = (
    "SELECT c.id FROM sync_conflicts c WHERE NOT EXISTS "
    "(SELECT 1 FROM sync_resolutions r WHERE r.conflict_id = c.id)"
)


def _apply_inbox(
    ctx: Context, source: str, pushed: int, names: list[tuple[str, str]], progress: Progress
) -> tuple[int, int]:
    applied = laptop.Applied()
    db = ctx.db
    with outbox.foreign_rows_allowed(db), ctx.use_case(), outbox.applying(db):
        conflicts_before = {r[0] for r in db.execute("SELECT id FROM sync_conflicts")}
        for policy in POLICIES:
            after = 0
            while batch := outbox.inbox(db, policy.table, after):
                for seq, table, row_key, version in batch:
                    laptop.apply_version(db, table, row_key, version, applied, from_hub=True)
                    after = seq
                outbox.observe(db, [version.hlc for *_, version in batch])
                progress("apply", applied.written + applied.skipped, 0)
        for household_id in applied.households:
            refresh_search_text(ctx, household_id)
        # an erasure that arrived blanks the copies this laptop's conflicts keep
        laptop.scrub_erased_conflicts(db)
        # the laptops' names, as the hub has them now, for the case histories
        laptop.keep_device_names(db, names, from_hub=True)
        outbox.clear_inbox(db)
        # new to this laptop and still to settle: a laptop that joins, or receives a
        # conflict with its settlement, has nothing new waiting for a coordinator
        conflicts = sum(1 for r in db.execute(_UNSETTLED) if r[0] not in conflicts_before)
        outbox.set_cursor(db, source, last_pull_at=ctx.now())
        # this laptop's own record of the sync: written while applying, so it stays
        # here (sent on, each sync would leave the next one something to send)
        ctx.audit(
            "sync",
            "hub",
            source.removeprefix("hub:"),
            after={"pushed": pushed, "pulled": applied.written, "conflicts": conflicts},
        )
    return applied.written, conflicts


# -- conflicts ------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    hlc: str
    device: str
    user_id: str | None
    at: str  # when that version was made (its clock's wall time)
    deleted: bool
    data: dict[str, Any]


@dataclass(frozen=True)
class ConflictView:
    id: str
    table: str
    row_key: str
    kind: ConflictKind
    winner: Side
    loser: Side
    detected_at: str
    detected_on: str
    resolved_at: str | None
    resolved_by: str | None
    choice: str | None
    # whose record a conflict about a document, a case or a step is: the person's
    # name, which such a row does not hold (only ids); looked up by list_conflicts
    person: str | None = None

    @property
    def erased(self) -> bool:
        """Its copies were blanked: the person it was about was erased on request."""
        return self.loser.data == laptop.ERASED_SIDE

    def subject(self) -> str:
        """What the conflict is about, as a coordinator recognises it."""
        data = self.winner.data or self.loser.data
        if self.table == "persons":
            name = f"{data.get('given_name', '')} {data.get('family_name', '')}".strip()
            return name or self.row_key
        if self.table == "households":
            return str(data.get("family_name") or self.row_key)
        label = _RECORD_OF.get(self.table)
        if label and self.person:
            from docassist.i18n import _

            return _(label).format(name=self.person)
        return f"{self.table} {self.row_key}"

    def differences(self) -> list[str]:
        """The fields whose values the two versions disagree on."""
        keys = sorted(set(self.winner.data) | set(self.loser.data))
        return [
            k
            for k in keys
            if k not in ("updated_at", "device_id")
            and self.winner.data.get(k) != self.loser.data.get(k)
        ]


# What a conflict about a row that names no one is about, with whose record it is (the
# name first: a narrow column cuts the end off, and the name is what is looked for).
_RECORD_OF = {
    "documents": N_("{name}: a document"),
    "cases": N_("{name}: a case"),
    "case_steps": N_("{name}: a step of a case"),
}


def _person_of(ctx: Context, table: str, data: dict[str, Any]) -> str | None:
    """The name of the person a document, case or step belongs to, as this register
    holds it (None when it holds no such person)."""
    person_id = data.get("person_id")
    if table == "case_steps":
        row = ctx.db.execute(
            "SELECT person_id FROM cases WHERE id = ?", [data.get("case_id")]
        ).fetchone()
        person_id = row[0] if row else None
    elif table not in ("documents", "cases"):
        return None
    row = ctx.db.execute(
        "SELECT given_name, family_name FROM persons WHERE id = ?", [person_id]
    ).fetchone()
    return " ".join(part for part in row if part) if row else None


def _side(text: str) -> Side:
    from docassist.domain.hlc import Clock

    v = json.loads(text)
    return Side(
        v["hlc"],
        v.get("device") or v["hlc"].split(".", 2)[2],
        v.get("user_id"),
        Clock.decode(v["hlc"]).at(),
        bool(v.get("deleted")),
        v.get("data") or {},
    )


def list_conflicts(ctx: Context, *, unresolved_only: bool = True) -> list[ConflictView]:
    """Conflicts, newest first; identity conflicts first among those not resolved."""
    rows = ctx.db.execute(
        """SELECT c.id, c.tbl, c.row_key, c.kind, c.winner, c.loser, c.detected_at,
                  c.detected_on, r.at, r.user_id, r.choice
           FROM sync_conflicts c
           LEFT JOIN (SELECT conflict_id, max(at) AS at, user_id, choice
                      FROM sync_resolutions GROUP BY conflict_id) r ON r.conflict_id = c.id
           ORDER BY r.at IS NOT NULL, c.kind <> 'identity', c.detected_at DESC, c.id"""
    ).fetchall()
    views = [
        ConflictView(
            r[0],
            r[1],
            r[2],
            ConflictKind(r[3]),
            _side(r[4]),
            _side(r[5]),
            r[6],
            r[7],
            r[8],
            r[9],
            r[10],
        )
        for r in rows
    ]
    views = [
        replace(v, person=_person_of(ctx, v.table, v.winner.data or v.loser.data)) for v in views
    ]
    if not unresolved_only:
        return views
    # a conflict about a person erased since has nothing left to compare or settle
    return [v for v in views if v.resolved_at is None and not v.erased]


def get_conflict(ctx: Context, conflict_id: str) -> ConflictView:
    for view in list_conflicts(ctx, unresolved_only=False):
        if view.id == conflict_id or (len(conflict_id) >= 6 and view.id.startswith(conflict_id)):
            return view
    raise NotFoundError("conflict", conflict_id)


RESOLVE_REFUSAL = N_("Only a coordinator may settle a conflict between two laptops.")


def is_coordinator(ctx: Context) -> bool:
    """Whether this context's user reads every laptop's records and audit trails (as
    the hub's ``i_see_everything`` says for their laptop)."""
    if ctx.user_id is None:
        return False
    row = ctx.db.execute("SELECT role FROM users WHERE id = ?", [ctx.user_id]).fetchone()
    return bool(row) and row[0] in (Role.COORDINATOR, Role.ADMIN)


Choice = Literal["winner", "loser", "merged"]


def mergeable_fields(view: ConflictView) -> list[str]:
    """The fields a coordinator may take one by one from either version: those that
    differ, but for columns computed from another (they come with their source).
    None for a deletion against an edit: one of the two is kept whole."""
    if view.winner.deleted or view.loser.deleted:
        return []
    derived = DERIVED_COLUMNS.get(view.table, {})
    return [f for f in view.differences() if f not in derived]


def resolve_conflict(
    ctx: Context, conflict_id: str, choice: Choice, take: list[str] | None = None
) -> None:
    """Settle a conflict (coordinators; the command line and the conflicts screen):
    keep the version that shows ("winner"); put the losing one back ("loser"); or
    "merged": the row as it is now, with the fields in ``take`` taken from the losing
    version (and the columns computed from them). What is put back or merged is written
    as a new change, so every laptop gets it. One audit entry says which."""
    if not is_coordinator(ctx):
        raise ValidationError({"user": [Problem("role", RESOLVE_REFUSAL)]})
    view = get_conflict(ctx, conflict_id)
    if view.resolved_at is not None:
        raise ValidationError(
            {"conflict": [Problem("resolved", N_("This conflict was already settled."))]}
        )
    taken: list[str] = []
    if choice == "merged":
        offered = mergeable_fields(view)
        taken = [f for f in offered if f in (take or [])]
        unknown = sorted(set(take or []) - set(offered))
        if unknown or not taken:
            raise ValidationError(
                {
                    "take": [
                        Problem(
                            "fields",
                            N_(
                                "Choose fields where the two versions differ ({fields}); a "
                                "deletion against an edit is settled by keeping one of them."
                            ),
                            {"fields": ", ".join(offered) or "-"},
                        )
                    ]
                }
            )
    policy = POLICY[view.table]
    with ctx.use_case():
        data: dict[str, Any] | None = None
        if choice == "loser":
            data = {**view.loser.data, **ctx.stamp()}
        elif choice == "merged":
            current = outbox.read_row(ctx.db, policy, view.row_key)
            data = policy.payload(current) if current is not None else dict(view.winner.data)
            derived = DERIVED_COLUMNS.get(view.table, {})
            for name in taken:
                data[name] = view.loser.data.get(name)
                for column, source in derived.items():
                    if source == name:
                        data[column] = view.loser.data.get(column)
            recompute_derived(view.table, data)
            data.update(ctx.stamp())
        if data is not None:
            outbox.write_row(ctx.db, policy, view.row_key, data)
            if view.table == "households":
                refresh_search_text(ctx, view.row_key)
            elif view.table == "persons" and data.get("household_id"):
                refresh_search_text(ctx, str(data["household_id"]))
        ctx.db.table("sync_resolutions").insert(
            {
                "id": new_id(),
                "conflict_id": view.id,
                "choice": choice,
                "user_id": ctx.user_id,
                "at": ctx.now(),
                "device_id": ctx.device_id,
            }
        )
        kept = {"winner": view.winner.hlc, "loser": view.loser.hlc, "merged": None}[choice]
        after: dict[str, Any] = {"choice": choice, "kept": kept}
        if taken:
            after["taken"] = taken  # field names only: the values are the records'
        ctx.audit(
            "resolve",
            "conflict",
            view.id,
            {"table": view.table, "row": view.row_key, "shown": view.winner.hlc},
            after,
        )


# -- devices --------------------------------------------------------------------------


def list_devices(ctx: Context) -> list[hub.Device]:
    """The organisation's laptops as the hub knows them: whose, when they last sent and
    received, whether revoked."""
    dsn = _connected(ctx)["hub_dsn"]
    with hub.connect(dsn, device=True) as conn:
        return hub.devices(conn)


def revoke_device(ctx: Context, device: str) -> str:
    """Revoke a lost laptop (by its id or the id's first characters; coordinators):
    its hub login stops working. Audited. Returns the device id."""
    if not is_coordinator(ctx):
        raise ValidationError({"user": [Problem("role", REVOKE_REFUSAL)]})
    dsn = _connected(ctx)["hub_dsn"]
    with hub.connect(dsn, device=True) as conn:
        matches = [d for d in hub.devices(conn) if d.device_id.startswith(device)]
        if len(matches) != 1 or len(device) < 4:
            raise NotFoundError("device", device)
        (found,) = matches
        if found.device_id == ctx.device_id:
            raise ValidationError(
                {"device": [Problem("self", N_("A laptop cannot revoke itself."))]}
            )
        hub.revoke(conn, dsn, found.device_id)
    with ctx.use_case():
        ctx.audit(
            "revoke",
            "device",
            found.device_id,
            after={"name": found.name, "last_push_at": found.last_push_at},
        )
    return found.device_id


REVOKE_REFUSAL = N_("Only a coordinator may revoke a laptop.")


def status(ctx: Context) -> dict[str, Any]:
    """What the app and `sync` show: connected or not, when last synced, what waits."""
    state = outbox.state(ctx.db)
    cursor = outbox.cursor_row(ctx.db, hub_source(state)) if state["hub_id"] else None
    return {
        "connected": bool(state["attached"] and state["hub_dsn"]),
        "hub": describe(state["hub_dsn"]) if state["hub_dsn"] else None,
        "last_pull_at": cursor["last_pull_at"] if cursor else None,
        "last_push_at": cursor["last_push_at"] if cursor else None,
        "waiting": outbox.count_pending(ctx.db),
        "oldest_waiting": outbox.oldest_pending(ctx.db),
        "unresolved": len(list_conflicts(ctx)),
    }
