"""Accounts: signing in, and the one home for who may do what.

Every user signs in with their name and a passphrase, kept only as an Argon2id hash
(``users.passphrase_hash``). A sign-in gives a :class:`Session`; every use case here
takes the context of the register that holds the accounts and the session of whoever
acts, and reads that user's role again from the register (a session kept across a role
change or a removal is not trusted).

What a refusal says is decided here too:

- an unknown name and a wrong passphrase give the same :class:`SignInError`, with the
  same message and the same delay: nothing tells a stranger which names exist;
- after ``FREE_FAILURES`` failures in a row for a name, the next try must wait
  (``delay_after``, 2 s doubling to 60 s). The service computes the wait and says it; the
  caller shows it (the service never sleeps: the context's clock is the only clock);
- :class:`NotAllowedError` names the action refused, never another user.

Trainees sign in like everyone else, but their session only ever opens the practice
register (``Session.register``).

Audited (``Context.audit``, attributed to the user acting, or to nobody for a failed
sign-in): sign_in, sign_in_failed, sign_in_locked, sign_out, unlock, idle_lock,
create (user), set_role, passphrase_set, passphrase_reset, passphrase_change, remove.
No entry ever holds a passphrase, a hash, or a name typed at a failed sign-in (it may
be a passphrase typed into the wrong box).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError

from docassist import locations
from docassist.domain import script
from docassist.domain.model import REGISTER_ROLES, Role
from docassist.domain.text import N_, Problem, UserError
from docassist.services import users
from docassist.services.context import Context, ValidationError
from docassist.store.db import open_database

# --- the hash ----------------------------------------------------------------------------

# Argon2id, RFC 9106's second recommended choice (64 MiB, 3 passes), with 2 lanes for
# the 2-core laptops docassist runs on: measured at 0.20-0.24 s per sign-in on such a
# laptop (README, "Signing in"). 64 MiB per guess is what makes guessing on graphics
# cards slow; 0.2 s is short enough to type a passphrase at every idle lock.
# One object, read at each use: tests put cheap parameters in its place (tests/conftest.py).
# A hash carries its own parameters, so hashes made under other ones still verify, and
# weaker ones are remade under these at the next sign-in.
ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_PASSES = 3
ARGON2_LANES = 2
PASSPHRASE_HASHER = PasswordHasher(
    time_cost=ARGON2_PASSES, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_LANES
)

# The made-up users of a demo register (services/demo.py) share this passphrase, shown
# on the demo's start screen; it opens made-up families only.
DEMO_PASSPHRASE = "demo-demo-demo"


def _normal(passphrase: str) -> str:
    # The same letters typed on two keyboards (č as one code point, or c + caron) are
    # the same passphrase.
    return unicodedata.normalize("NFC", passphrase)


def hash_passphrase(passphrase: str) -> str:
    """The passphrase's Argon2id hash in PHC form, with a fresh random salt."""
    return PASSPHRASE_HASHER.hash(_normal(passphrase))


def _matches(stored: str | None, passphrase: str) -> bool:
    if not stored:
        return False
    try:
        return PASSPHRASE_HASHER.verify(stored, _normal(passphrase))
    except VerificationError:
        return False
    except InvalidHashError:  # damaged or foreign: it signs nobody in
        return False


def _weaker_than_now(stored: str) -> bool:
    """A hash made under cheaper parameters than today's is remade at the next sign-in
    (the passphrase is known then); a costlier one is left as it is."""
    try:
        made = extract_parameters(stored)
    except InvalidHashError:
        return False
    now = PASSPHRASE_HASHER
    return (
        made.type is not Type.ID
        or made.memory_cost < now.memory_cost
        or made.time_cost < now.time_cost
    )


_dummy: tuple[PasswordHasher, str] | None = None


def _spend_like_a_check(passphrase: str) -> None:
    """As long as a real check: an unknown name is not answered faster than a known one."""
    global _dummy
    if _dummy is None or _dummy[0] is not PASSPHRASE_HASHER:
        _dummy = (PASSPHRASE_HASHER, PASSPHRASE_HASHER.hash("not anyone's passphrase"))
    _matches(_dummy[1], passphrase)


# --- passphrase rules --------------------------------------------------------------------

# At least 10 characters: a passphrase is guessed offline from a stolen laptop's file,
# where no delay applies, only Argon2's cost. Ten characters (two or three short words)
# is beyond what such guessing reaches in years; the 8 of NIST SP 800-63B is a minimum
# meant for services that also limit tries, and 15 would be typed at every idle lock.
# No rules about digits or capitals: they make passphrases harder to remember, not to
# guess (NIST SP 800-63B says so too). At most 256: a file pasted by mistake.
MIN_PASSPHRASE_LENGTH = 10
MAX_PASSPHRASE_LENGTH = 256
_GUESSED_FIRST = frozenset(
    {
        "password",
        "passphrase",
        "docassist",
        "qwertyuiop",
        "qwertzuiop",
        "asdfghjkl",
        "1234567890",
        "0987654321",
        "abcdefghij",
        "iloveyou",
        "lozinka",
        "sifra",
    }
)


def passphrase_problems(passphrase: str, name: str = "") -> list[Problem]:
    """What is wrong with ``passphrase`` as a new passphrase for ``name`` (empty if fine)."""
    passphrase = _normal(passphrase)
    if any(c in passphrase for c in "\r\n\t\0"):
        return [
            Problem("passphrase-control", N_("A passphrase cannot contain line breaks or tabs."))
        ]
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        return [
            Problem(
                "passphrase-short",
                N_(
                    "A passphrase needs at least {n} characters: two or three words are "
                    "easy to remember and hard to guess."
                ),
                {"n": MIN_PASSPHRASE_LENGTH},
            )
        ]
    if len(passphrase) > MAX_PASSPHRASE_LENGTH:
        return [
            Problem(
                "passphrase-long",
                N_("A passphrase may have at most {n} characters."),
                {"n": MAX_PASSPHRASE_LENGTH},
            )
        ]
    key = script.search_key(passphrase).replace(" ", "")
    if name and key == script.search_key(name).replace(" ", ""):
        return [Problem("passphrase-name", N_("A passphrase must not be your name."))]
    # Only a common word with a few characters around it ("password2024"): the word
    # inside a longer phrase ("the passphrase of our office") is not guessed first.
    if len(set(key)) <= 2 or any(w in key and len(key) - len(w) <= 4 for w in _GUESSED_FIRST):
        return [
            Problem(
                "passphrase-guessable",
                N_(
                    "This passphrase is among the first ones anyone would try. Choose a "
                    "few words nobody would connect with you."
                ),
            )
        ]
    return []


def check_new_passphrase(passphrase: str, name: str = "") -> None:
    """Raise ValidationError (field ``passphrase``) unless ``passphrase`` may be used."""
    problems = passphrase_problems(passphrase, name)
    if problems:
        raise ValidationError({"passphrase": problems})


# --- who may do what ---------------------------------------------------------------------


class Action(StrEnum):
    """What a role may or may not do: each command and screen asks with one of these."""

    OPEN_REGISTER = "open_register"  # read and write the real register's families
    CHECK_REGISTER = "check_register"  # docassist db check
    MAKE_BACKUP = "make_backup"
    RESTORE_BACKUP = "restore_backup"
    EXPORT_WITH_NAMES = "export_with_names"
    ERASE_PERSON = "erase_person"
    MANAGE_ACCOUNTS = "manage_accounts"  # set roles, reset passphrases, remove accounts


_COORDINATORS = frozenset({Role.COORDINATOR})

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.OPEN_REGISTER: REGISTER_ROLES,
    Action.CHECK_REGISTER: REGISTER_ROLES,
    # A backup stays a register (the same protection as the file it copies), and whoever
    # works alone on a laptop must be able to keep their work safe.
    Action.MAKE_BACKUP: REGISTER_ROLES,
    # A restore replaces everyone's work: a coordinator's decision.
    Action.RESTORE_BACKUP: _COORDINATORS,
    Action.EXPORT_WITH_NAMES: _COORDINATORS,
    Action.ERASE_PERSON: _COORDINATORS,
    Action.MANAGE_ACCOUNTS: _COORDINATORS,
}

TRAINEE_REFUSAL = N_("Trainees practise on made-up families only.")

REFUSALS: dict[Action, str] = {
    Action.OPEN_REGISTER: TRAINEE_REFUSAL,
    Action.CHECK_REGISTER: TRAINEE_REFUSAL,
    Action.MAKE_BACKUP: TRAINEE_REFUSAL,
    Action.RESTORE_BACKUP: N_("Only a coordinator may put a backup in place of the register."),
    Action.EXPORT_WITH_NAMES: N_(
        "Only a coordinator may export the whole register: it holds personal data."
    ),
    Action.ERASE_PERSON: N_("Only a coordinator may erase a person's data from the register."),
    Action.MANAGE_ACCOUNTS: N_(
        "Only a coordinator may change roles, reset passphrases or remove accounts."
    ),
}

# Whom each role may create an account for. Nobody picks their own role: an account is
# always made by someone else, except the first coordinator of a new register.
MAY_CREATE: dict[Role, frozenset[Role]] = {
    Role.COORDINATOR: frozenset(Role),
    Role.FACILITATOR: frozenset({Role.TRAINEE}),
    Role.ADMIN: frozenset(),
    Role.TRAINEE: frozenset(),
}


def role_may(role: Role | None, action: Action) -> bool:
    return role is not None and role in PERMISSIONS[action]


def may_create(role: Role | None, new_role: Role) -> bool:
    return role is not None and new_role in MAY_CREATE[role]


class NotAllowedError(UserError):
    """The signed-in user's role may not do this; the message names the action."""


def require(session: Session, action: Action) -> None:
    """Raise NotAllowedError unless the session's role may do ``action``."""
    if not role_may(session.role, action):
        # A trainee hears why once, whatever was asked: nothing real is theirs to open.
        raise NotAllowedError(TRAINEE_REFUSAL if session.practice_only else REFUSALS[action])


# --- sessions and sign-in errors ---------------------------------------------------------


@dataclass(frozen=True)
class Session:
    """Who is signed in. A value: use cases read the account again from the register."""

    user_id: str
    name: str
    role: Role
    # The register this session works in: the practice register for a trainee.
    register: Path
    # The register that holds the account (where passphrases are checked and changed).
    accounts_register: Path
    # Reset by a coordinator: the user chooses a new one (change_passphrase) first.
    must_change_passphrase: bool = False

    @property
    def practice_only(self) -> bool:
        return self.role not in REGISTER_ROLES


@dataclass(frozen=True)
class Account:
    """An account as a coordinator sees it: never its hash."""

    id: str
    name: str
    role: Role
    has_passphrase: bool
    must_change_passphrase: bool


_NO_MATCH = N_("That name and passphrase do not match. Check both and try again.")
_NO_MATCH_WAIT = N_("That name and passphrase do not match.")
_THROTTLED = N_("Too many failed sign-ins with this name.")


class SignInError(UserError):
    """A refused sign-in: the same for an unknown name and a wrong passphrase.

    ``wait_seconds``: how long before the next try is checked at all (0: at once).
    """

    def __init__(self, wait_seconds: int = 0, *, throttled: bool = False) -> None:
        msgid = _THROTTLED if throttled else _NO_MATCH_WAIT if wait_seconds else _NO_MATCH
        super().__init__(msgid)
        self.wait_seconds = wait_seconds
        self.throttled = throttled

    def render(self, translate: Callable[[str], str] = lambda s: s) -> str:
        text = translate(self.msgid)
        if not self.wait_seconds:
            return text
        from docassist.i18n import ngettext

        wait = ngettext(
            "Wait {n} second before trying again.",
            "Wait {n} seconds before trying again.",
            self.wait_seconds,
        )
        return f"{text} {wait.format(n=self.wait_seconds)}"


class PassphraseNotSetError(UserError):
    """The account has no passphrase yet (made before accounts): choose one with
    ``set_first_passphrase``."""

    def __init__(self) -> None:
        super().__init__(N_("You have no passphrase yet: choose one to sign in."))


_COORDINATOR_FIRST = N_(
    "No one has a passphrase in this register yet: a coordinator signs in first and chooses one."
)
_STALE = N_("Your account was changed or removed: sign in again.")


# --- the delay after failures ------------------------------------------------------------

FREE_FAILURES = 5
FIRST_DELAY_SECONDS = 2
MAX_DELAY_SECONDS = 60


def delay_after(failures: int) -> int:
    """Seconds before the next try is checked, after ``failures`` failures in a row: none
    for the first few (typing mistakes), then 2 s doubling up to 60 s."""
    if failures < FREE_FAILURES:
        return 0
    return min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** (failures - FREE_FAILURES))


def _throttle_key(name: str) -> str:
    # Hashed: what someone typed as a name may be a passphrase typed into the wrong box.
    return hashlib.sha256(script.search_key(name).encode()).hexdigest()


def _seconds_between(earlier: str, later: str) -> float:
    return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds()


def _failures(ctx: Context, key: str) -> tuple[int, str] | None:
    row = ctx.db.execute(
        "SELECT failures, last_failure_at FROM sign_in_failures WHERE name_key = ?", [key]
    ).fetchone()
    return (int(row[0]), str(row[1])) if row else None


def wait_before_next_try(ctx: Context, name: str) -> int:
    """Seconds before a sign-in as ``name`` is checked again (0: now). The same for names
    that are no account."""
    found = _failures(ctx, _throttle_key(name))
    if found is None:
        return 0
    failures, last = found
    try:
        # A clock put back (a laptop's battery changed) waits the delay, not the hours
        # the clock went back.
        elapsed = max(0.0, _seconds_between(last, ctx.now()))
    except ValueError:  # not a time docassist wrote: no delay rather than a lock-out
        return 0
    left = delay_after(failures) - elapsed
    return max(0, int(-(-left // 1)))  # whole seconds, rounded up


def _refuse_if_waiting(ctx: Context, name: str) -> None:
    wait = wait_before_next_try(ctx, name)
    if wait:
        raise SignInError(wait, throttled=True)


def _failed(ctx: Context, name: str, user_id: str | None) -> SignInError:
    """Count and audit a failure; the error to raise says how long to wait."""
    key = _throttle_key(name)
    with ctx.use_case():
        found = _failures(ctx, key)
        failures = (found[0] if found else 0) + 1
        ctx.db.execute(
            "INSERT INTO sign_in_failures(name_key, failures, last_failure_at) VALUES (?, ?, ?)"
            " ON CONFLICT(name_key) DO UPDATE SET failures = excluded.failures,"
            " last_failure_at = excluded.last_failure_at",
            [key, failures, ctx.now()],
        )
        wait = delay_after(failures)
        entity_id = user_id or "unknown"
        after = {"failures": failures, "wait_seconds": wait}
        with _as(ctx, None):
            ctx.audit("sign_in_failed", "user", entity_id, after=after)
            if failures == FREE_FAILURES:
                ctx.audit("sign_in_locked", "user", entity_id, after=after)
    return SignInError(wait)


def _clear_failures(ctx: Context, name: str) -> None:
    ctx.db.execute("DELETE FROM sign_in_failures WHERE name_key = ?", [_throttle_key(name)])


# --- reading accounts --------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    id: str
    name: str
    role: Role
    passphrase_hash: str | None
    must_change: bool


def _rows(ctx: Context, where: str = "", params: list[Any] | None = None) -> list[_Row]:
    sql = (
        "SELECT id, name, role, passphrase_hash, must_change_passphrase FROM users "
        "WHERE deleted_at IS NULL" + (f" AND {where}" if where else "") + " ORDER BY name, id"
    )
    return [
        _Row(r[0], r[1], Role(r[2]), r[3], bool(r[4]))
        for r in ctx.db.execute(sql, params or []).fetchall()
    ]


def _named(ctx: Context, name: str) -> list[_Row]:
    """Live accounts called ``name`` in either script, or with ``name`` as their id."""
    wanted = script.search_key(name)
    if not wanted:
        return []
    return [r for r in _rows(ctx) if r.id == name.strip() or script.search_key(r.name) == wanted]


def _row(ctx: Context, user_id: str) -> _Row | None:
    found = _rows(ctx, "id = ?", [user_id])
    return found[0] if found else None


def _database_path(ctx: Context) -> Path:
    for _seq, name, file in ctx.db.execute("PRAGMA database_list").fetchall():
        if name == "main":  # resolved: two connections to one file name it alike
            return Path(file).resolve() if file else Path(":memory:")
    return Path(":memory:")


def _session(ctx: Context, row: _Row) -> Session:
    here = _database_path(ctx)
    register = here if row.role in REGISTER_ROLES else locations.practice_database()
    return Session(row.id, row.name, row.role, register, here, row.must_change)


@contextmanager
def _as(ctx: Context, user_id: str | None) -> Iterator[None]:
    """Audit entries in the block are attributed to ``user_id`` (the context's own user
    stays as it was: a trainee's sign-in never leaves the real register's context theirs)."""
    saved = ctx.user_id
    ctx.user_id = user_id
    try:
        yield
    finally:
        ctx.user_id = saved


def _acting(ctx: Context, session: Session) -> _Row:
    """The session's account as the register holds it now."""
    if _database_path(ctx) != session.accounts_register:
        raise ValueError("the session was signed in to another register")
    row = _row(ctx, session.user_id)
    if row is None or row.role != session.role:
        raise NotAllowedError(_STALE)
    return row


def _target(ctx: Context, user_id: str) -> _Row:
    row = _row(ctx, user_id)
    if row is None:
        # Only a coordinator gets this far, and the id came from their own list.
        raise NotAllowedError(N_("There is no such account (it may have been removed)."))
    return row


def _first_passphrase_allowed(ctx: Context, row: _Row) -> bool:
    """Users from before accounts choose their passphrase at their next sign-in, a
    coordinator first. A register without any coordinator would stay locked for good:
    there, anyone but a trainee may be first."""
    everyone = _rows(ctx)
    if any(r.passphrase_hash for r in everyone):
        return True
    if row.role == Role.COORDINATOR:
        return True
    return row.role != Role.TRAINEE and not any(r.role == Role.COORDINATOR for r in everyone)


def has_accounts(ctx: Context) -> bool:
    """Whether the register has any account (a new one has none: its first coordinator
    is created with ``create_first_coordinator``)."""
    return bool(_rows(ctx))


def list_accounts(ctx: Context, session: Session) -> list[Account]:
    """The accounts the session's user looks after: every one for a coordinator, the
    trainees for a facilitator (who may create them), and only their own for the others."""
    me = _acting(ctx, session)
    rows = _rows(ctx)
    if me.role == Role.FACILITATOR:
        rows = [r for r in rows if r.role == Role.TRAINEE or r.id == me.id]
    elif me.role != Role.COORDINATOR:
        rows = [me]
    return [Account(r.id, r.name, r.role, bool(r.passphrase_hash), r.must_change) for r in rows]


# --- signing in and out ------------------------------------------------------------------


def sign_in(ctx: Context, name: str, passphrase: str) -> Session:
    """Sign in to the register of ``ctx`` (the one that holds the accounts).

    Raises SignInError (unknown name or wrong passphrase, the same), or
    PassphraseNotSetError for an account from before accounts (call
    ``set_first_passphrase``), or NotAllowedError while no coordinator has chosen a
    passphrase yet. For a register role, ``ctx.user_id`` becomes the user's; a trainee's
    session is for the practice register only and leaves ``ctx`` as it was.
    """
    row = _check(ctx, name, passphrase, record=True)
    return _signed_in(ctx, name, row, passphrase)


def verify(ctx: Context, name: str, passphrase: str) -> Session:
    """The session ``sign_in`` would give, on a register opened read-only: nothing is
    written (no audit entry, no failure counted; a delay already running still applies).
    For commands that only read a file that must not change (``docassist db check``, a
    backup before it is restored)."""
    return _session(ctx, _check(ctx, name, passphrase, record=False))


def holds_accounts(ctx: Context) -> bool:
    """Whether anyone in this register signs in with a passphrase. A file from before
    accounts (or one where nobody has chosen a passphrase yet) protects nothing by
    passphrase, so there is nothing to check a sign-in against."""
    columns = {row[1] for row in ctx.db.execute("PRAGMA table_info(users)").fetchall()}
    if "passphrase_hash" not in columns:
        return False
    return any(r.passphrase_hash for r in _rows(ctx))


def _check(ctx: Context, name: str, passphrase: str, *, record: bool) -> _Row:
    """The account that ``name`` and ``passphrase`` sign in as, or the refusal."""
    if record or _has_failure_table(ctx):
        _refuse_if_waiting(ctx, name)
    candidates = _named(ctx, name)
    matching = [r for r in candidates if _matches(r.passphrase_hash, passphrase)]
    if not candidates:
        _spend_like_a_check(passphrase)
    if not matching:
        unset = [r for r in candidates if not r.passphrase_hash]
        if unset:
            if not any(_first_passphrase_allowed(ctx, r) for r in unset):
                raise NotAllowedError(_COORDINATOR_FIRST)
            raise PassphraseNotSetError()
        if not record:
            raise SignInError()
        raise _failed(ctx, name, candidates[0].id if len(candidates) == 1 else None)
    if len(matching) > 1:
        raise UserError(
            N_("Several accounts have this name and passphrase: sign in with your account id.")
        )
    return matching[0]


def _has_failure_table(ctx: Context) -> bool:
    return bool(
        ctx.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sign_in_failures'"
        ).fetchone()
    )


def _signed_in(ctx: Context, typed: str, row: _Row, passphrase: str) -> Session:
    with ctx.use_case():
        _clear_failures(ctx, typed)
        if row.passphrase_hash and _weaker_than_now(row.passphrase_hash):
            _store_hash(ctx, row.id, hash_passphrase(passphrase), row.must_change)
        session = _session(ctx, row)
        with _as(ctx, row.id):
            ctx.audit(
                "sign_in",
                "user",
                row.id,
                after={"practice_only": True} if session.practice_only else None,
            )
    if not session.practice_only:
        ctx.user_id = row.id
    return session


def set_first_passphrase(ctx: Context, name: str, passphrase: str) -> Session:
    """For an account without a passphrase (made before accounts): ``passphrase`` becomes
    its passphrase, and the user is signed in. Asked for after PassphraseNotSetError."""
    _refuse_if_waiting(ctx, name)
    unset = [r for r in _named(ctx, name) if not r.passphrase_hash]
    if not unset:
        _spend_like_a_check(passphrase)
        raise _failed(ctx, name, None)
    if len(unset) > 1:
        raise UserError(
            N_("Several accounts without a passphrase have this name: use your account id.")
        )
    row = unset[0]
    if not _first_passphrase_allowed(ctx, row):
        raise NotAllowedError(_COORDINATOR_FIRST)
    check_new_passphrase(passphrase, row.name)
    with ctx.use_case():
        _store_hash(ctx, row.id, hash_passphrase(passphrase), must_change=False)
        with _as(ctx, row.id):
            ctx.audit("passphrase_set", "user", row.id)
        return _signed_in(ctx, name, replace(row, must_change=False), passphrase)


def sign_out(ctx: Context, session: Session) -> None:
    """End the session (the app stays open for the next user)."""
    with ctx.use_case(), _as(ctx, session.user_id):
        ctx.audit("sign_out", "user", session.user_id)
    if ctx.user_id == session.user_id:
        ctx.user_id = None


def check_passphrase(ctx: Context, session: Session, passphrase: str) -> None:
    """The session's own passphrase again (to lift the idle lock): returns if it is right,
    else raises SignInError, counted and delayed like any failed sign-in."""
    _refuse_if_waiting(ctx, session.name)
    row = _acting(ctx, session)
    if not _matches(row.passphrase_hash, passphrase):
        raise _failed(ctx, session.name, row.id)
    with ctx.use_case():
        _clear_failures(ctx, session.name)
        with _as(ctx, row.id):
            ctx.audit("unlock", "user", row.id)


def record_idle_lock(ctx: Context, session: Session) -> None:
    """The screen was covered after the user was idle (for the trail)."""
    with ctx.use_case(), _as(ctx, session.user_id):
        ctx.audit("idle_lock", "user", session.user_id)


# --- new registers and accounts ----------------------------------------------------------


def create_first_coordinator(ctx: Context, name: str, passphrase: str) -> Session:
    """The first account of a register that has none: a coordinator, who is signed in."""
    if has_accounts(ctx):
        raise NotAllowedError(
            N_("This register already has accounts: a coordinator creates new ones.")
        )
    check_new_passphrase(passphrase, name)
    digest = hash_passphrase(passphrase)
    with ctx.use_case():
        user = users.create_user(ctx, name, Role.COORDINATOR, passphrase_hash=digest)
        row = _Row(user.id, user.name, user.role, digest, False)
        return _signed_in(ctx, name, row, passphrase)


class RegisterExistsError(UserError):
    pass


def create_register(
    path: Path | str,
    first_coordinator_name: str,
    passphrase: str,
    *,
    now: Callable[[], str] | None = None,
) -> Session:
    """A new register at ``path`` with its first coordinator; refuses a path where any
    file is (even an empty one: a copy gone wrong is not a wish for a new register).
    Nothing is created when the name or passphrase is refused."""
    path = Path(path).expanduser()
    if path.exists() or path.is_symlink():
        raise RegisterExistsError(
            N_("There is already a file at {path}: a new register is made only where none is."),
            path=str(path),
        )
    if not " ".join(first_coordinator_name.split()):
        raise ValidationError({"name": [Problem("required", N_("Type a name."))]})
    check_new_passphrase(passphrase, first_coordinator_name)
    db = open_database(path, create=True)
    try:
        ctx = Context(db, now=now) if now else Context(db)
        return create_first_coordinator(ctx, first_coordinator_name, passphrase)
    finally:
        db.close()


def create_user(
    ctx: Context,
    session: Session,
    name: str,
    role: Role,
    passphrase: str,
    language: str | None = None,
) -> users.User:
    """A new account made by the session's user: a coordinator makes any role, a
    facilitator trainees only. The new user changes the passphrase at first sign-in."""
    me = _acting(ctx, session)
    role = Role(role)
    if not may_create(me.role, role):
        raise NotAllowedError(
            N_("A facilitator may create trainee accounts only; a coordinator creates the others.")
            if me.role == Role.FACILITATOR
            else N_("Only a coordinator creates accounts (a facilitator may create trainees).")
        )
    clean = " ".join(name.split())
    if clean and _named(ctx, clean):
        raise ValidationError(
            {
                "name": [
                    Problem(
                        "name-taken",
                        N_("There is already an account with this name: add a surname."),
                    )
                ]
            }
        )
    if not clean:
        raise ValidationError({"name": [Problem("required", N_("Type a name."))]})
    check_new_passphrase(passphrase, clean)
    digest = hash_passphrase(passphrase)
    with ctx.use_case(), _as(ctx, me.id):
        return users.create_user(
            ctx, clean, role, language, passphrase_hash=digest, must_change_passphrase=True
        )


def _store_hash(ctx: Context, user_id: str, digest: str | None, must_change: bool) -> None:
    ctx.db.execute(
        "UPDATE users SET passphrase_hash = ?, must_change_passphrase = ?, updated_at = ?, "
        "device_id = ? WHERE id = ?",
        [digest, int(must_change), ctx.now(), ctx.device_id, user_id],
    )


def reset_passphrase(ctx: Context, session: Session, user_id: str, new: str) -> None:
    """A coordinator gives ``user_id`` a new passphrase (a forgotten one); the user
    chooses their own at the next sign-in. Lifts the delay after failed sign-ins."""
    me = _acting(ctx, session)
    require(session, Action.MANAGE_ACCOUNTS)
    if user_id == me.id:
        raise NotAllowedError(
            N_("Change your own passphrase with your current one, not with a reset.")
        )
    target = _target(ctx, user_id)
    check_new_passphrase(new, target.name)
    digest = hash_passphrase(new)
    with ctx.use_case(), _as(ctx, me.id):
        _store_hash(ctx, target.id, digest, must_change=True)
        _clear_failures(ctx, target.name)
        ctx.audit("passphrase_reset", "user", target.id, after={"must_change_passphrase": True})


def change_passphrase(ctx: Context, session: Session, old: str, new: str) -> Session:
    """The user's own new passphrase, given the current one; the session returned no
    longer has to change it."""
    _refuse_if_waiting(ctx, session.name)
    me = _acting(ctx, session)
    if not _matches(me.passphrase_hash, old):
        raise _failed(ctx, session.name, me.id)
    if _normal(old) == _normal(new):
        raise ValidationError(
            {
                "passphrase": [
                    Problem(
                        "passphrase-same", N_("The new passphrase must differ from the old one.")
                    )
                ]
            }
        )
    check_new_passphrase(new, me.name)
    digest = hash_passphrase(new)
    with ctx.use_case(), _as(ctx, me.id):
        _clear_failures(ctx, session.name)
        _store_hash(ctx, me.id, digest, must_change=False)
        ctx.audit("passphrase_change", "user", me.id)
    return replace(session, must_change_passphrase=False)


def set_role(ctx: Context, session: Session, user_id: str, role: Role) -> None:
    """A coordinator changes another user's role (nobody changes their own)."""
    me = _acting(ctx, session)
    require(session, Action.MANAGE_ACCOUNTS)
    role = Role(role)
    if user_id == me.id:
        raise NotAllowedError(N_("Nobody changes their own role: ask another coordinator."))
    target = _target(ctx, user_id)
    if target.role == role:
        return
    with ctx.use_case(), _as(ctx, me.id):
        ctx.db.execute(
            "UPDATE users SET role = ?, updated_at = ?, device_id = ? WHERE id = ?",
            [role.value, ctx.now(), ctx.device_id, target.id],
        )
        ctx.audit("set_role", "user", target.id, before={"role": target.role}, after={"role": role})


def remove_user(ctx: Context, session: Session, user_id: str) -> None:
    """A coordinator removes another user's account: it can no longer sign in. Its name
    stays on what it recorded; its passphrase hash is wiped from the register."""
    me = _acting(ctx, session)
    require(session, Action.MANAGE_ACCOUNTS)
    if user_id == me.id:
        raise NotAllowedError(N_("Nobody removes their own account: ask another coordinator."))
    target = _target(ctx, user_id)
    now = ctx.now()
    with ctx.use_case(), _as(ctx, me.id):
        ctx.db.execute(
            "UPDATE users SET deleted_at = ?, passphrase_hash = NULL, updated_at = ?, "
            "device_id = ? WHERE id = ?",
            [now, now, ctx.device_id, target.id],
        )
        ctx.audit("remove", "user", target.id, before={"name": target.name, "role": target.role})
