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
sign-in): sign_in, sign_in_failed, sign_in_locked, sign_out, lock, idle_lock, unlock,
create (user), set_role, passphrase_set, passphrase_reset, passphrase_change, remove,
passphrase_recovered, recovery_key_failed (a wrong recovery key, by nobody, with no
details). No entry ever holds a passphrase, a hash, a recovery key, or a name typed at
a failed sign-in (it may be a passphrase typed into the wrong box).

Two kinds of register, one decision (``register_kind`` for a file, ``_keyring_of`` for
an open one):

- an **encrypted** register (the real one, made by ``create_register`` or
  ``encrypt_register``) has a key file beside it (store/keys.py) holding its database
  key wrapped once per user and once with the recovery key. Unwrapping the key with
  the user's passphrase *is* the passphrase check (one Argon2id derivation per
  sign-in), and the key file counts failures and says how long to wait, since the
  register cannot be opened before that. ``users.passphrase_hash`` stays empty there.
  The failures it counted are written to the audit trail at that name's next
  successful sign-in. Because the register opens only with the key, signing in starts
  from its path: ``open_signed_in``. The context then carries the key (``db_key``).
- a **plaintext** register (the demo, practice, a real one from before encryption)
  checks passphrases against ``users.passphrase_hash`` and counts failures in
  ``sign_in_failures``; ``open_signed_in`` works for it too.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
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
from docassist.services.context import Context, ValidationError, real_now, real_today
from docassist.services.session import Session
from docassist.store import engine, keys
from docassist.store.db import (
    DamagedDatabaseError,
    StoreError,
    WrongKeyError,
    missing_error,
    open_database,
    read_only,
    require_register_file,
    secure_register_files,
)

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


def hash_matches(stored: str, passphrase: str) -> bool:
    """Whether ``passphrase`` is the one ``stored`` (an Argon2id hash) was made from:
    for a hash read elsewhere than this register (``hub join`` checks the hub's copy)."""
    return _matches(stored, passphrase)


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
    ENCRYPT_REGISTER = "encrypt_register"  # docassist db encrypt


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
    # The coordinator's passphrase wraps the key first; the others get theirs from a reset.
    Action.ENCRYPT_REGISTER: _COORDINATORS,
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
    Action.ENCRYPT_REGISTER: N_("Only a coordinator may encrypt the register."),
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


# --- accounts and sign-in errors ---------------------------------------------------------


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
    that are no account. On an encrypted register the key file keeps the count."""
    keyring = _keyring_of(ctx)
    if keyring is not None:
        return _keyring_wait(keyring, name, ctx.now)
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


def _keyring_wait(keyring: Path, name: str, now: Callable[[], str]) -> int:
    try:
        return keys.retry_after(keyring, name, now=datetime.fromisoformat(now()))
    except ValueError:  # a name nobody can have: no count is kept for it
        return 0


def wait_before_signing_in(
    path: Path | str, name: str, *, now: Callable[[], str] = real_now
) -> int:
    """``wait_before_next_try`` for the register at ``path``, before it is open (a sign-in
    screen showing how long to wait): the key file's count for an encrypted register,
    the register's own table (read-only) for a plaintext one; 0 for anything else."""
    path = Path(path).expanduser()
    try:
        kind = register_kind(path)
    except StoreError:
        return 0
    if kind is RegisterKind.ENCRYPTED:
        return _keyring_wait(path, name, now)
    if kind is RegisterKind.NEW:
        return 0
    with read_only(path) as db:
        ctx = Context(db, now=now)
        return wait_before_next_try(ctx, name) if _has_failure_table(ctx) else 0


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


# --- encrypted registers: the key file checks the passphrase ------------------------------


def _keyring_of(ctx: Context) -> Path | None:
    """The register whose key file checks the passphrases of ``ctx``: the open register
    itself when it was opened with its key (encrypted), else None (plaintext: the
    passphrase hashes in ``users``). ``register_kind`` decides the same for a file that
    is not open yet."""
    return _database_path(ctx) if ctx.db_key is not None else None


def recovery_public_key(ctx: Context) -> bytes | None:
    """The public half of the recovery key of the encrypted register ``ctx`` (what the
    hub keeps for laptops that join); None for a plaintext one or an older key file."""
    keyring = _keyring_of(ctx)
    return keys.recovery_public_key(keyring) if keyring is not None else None


def _unlock(keyring: Path, name: str, passphrase: str, now: Callable[[], str]) -> bytes:
    """The database key, unwrapped with ``name``'s passphrase: the one Argon2id
    derivation of a sign-in on an encrypted register. The key file's refusals (an
    unknown name and a wrong passphrase alike, the wait after five) become this
    module's SignInError, worded as on a plaintext register."""
    try:
        return keys.unlock(keyring, name, passphrase, now=datetime.fromisoformat(now()))
    except keys.WaitError as err:
        raise SignInError(err.seconds, throttled=True) from None
    except keys.SignInError as err:
        raise SignInError(err.retry_after) from None


def _same_key(ctx: Context, db_key: bytes) -> None:
    # The key file beside the register wraps the register's own key (store/keys.py keeps
    # them in step); anything else signs nobody in.
    if ctx.db_key is None or not hmac.compare_digest(db_key, ctx.db_key):
        raise SignInError()


def _keyed_account(ctx: Context, keyring: Path, name: str) -> _Row:
    """The live account whose passphrase just opened the key file. A key without one
    (its account removed, and the key's removal cut short) opens nothing, and goes."""
    found = _named(ctx, name)
    if not found:
        keys.remove_user_key(keyring, name)
        raise SignInError()
    if len(found) > 1:  # names are given once, by their search key: not made by docassist
        raise UserError(
            N_("Several accounts have this name and passphrase: sign in with your account id.")
        )
    return found[0]


def _has_passphrase(ctx: Context, row: _Row) -> bool:
    """Whether ``row`` can sign in with a passphrase now: a key in the key file of an
    encrypted register, a hash in a plaintext one."""
    keyring = _keyring_of(ctx)
    if keyring is None:
        return bool(row.passphrase_hash)
    return keys.has_user_key(keyring, row.name)


def _may_choose_first(ctx: Context, row: _Row) -> bool:
    """Whether ``row`` never had a passphrase (an account from before accounts). In a
    register encrypted since, an account with a hash from before has had one: only a
    coordinator's reset gives it a key, so nobody else claims it."""
    return not row.passphrase_hash and not _has_passphrase(ctx, row)


# Users and keys stay in step. The key file is written LAST, inside the use case's
# transaction: if anything in the register fails first, the transaction rolls back and
# the key file was never touched; if the key file cannot be written, the transaction
# rolls back too. Only a crash between the key file's write and the COMMIT leaves them
# apart, and then the key file is ahead: the passphrase just chosen or given opens the
# register (what is missing is an audit entry or a must-change flag), so nobody is left
# unable to sign in. The other order could leave a passphrase the user was told is
# theirs that opens nothing. A removal goes the other way round (``_take_key``).


def _give_key(ctx: Context, name: str, passphrase: str) -> None:
    """``name``'s passphrase wraps the database key from now on (replacing any it had):
    call it as the last step of a use case, see above."""
    keyring = _keyring_of(ctx)
    if keyring is not None:
        assert ctx.db_key is not None
        keys.set_passphrase(keyring, name, passphrase, ctx.db_key)


def _take_key(ctx: Context, name: str) -> None:
    """``name``'s key is taken away AFTER the use case's COMMIT: a crash in between leaves
    a key whose account is gone, which opens nothing (``_keyed_account`` then removes it);
    the other order could leave a live account without a key."""
    keyring = _keyring_of(ctx)
    if keyring is not None:
        keys.remove_user_key(keyring, name)


def _record_keyring_failures(ctx: Context, keyring: Path, typed: str, user_id: str) -> None:
    """The failed sign-ins the key file counted for this name while the register could
    not be opened, into the audit trail now, each at its own time (in the caller's
    transaction; should it fail, they are gone from the key file all the same: SQLite
    failing on a register it has just opened)."""
    failures = keys.take_failures(keyring, typed)
    with _as(ctx, None):
        for n, at in enumerate(failures, 1):
            after = {"failures": n, "wait_seconds": delay_after(n)}
            when = at.isoformat(timespec="seconds")
            ctx.audit("sign_in_failed", "user", user_id, after=after, at=when)
            if n == FREE_FAILURES:
                ctx.audit("sign_in_locked", "user", user_id, after=after, at=when)


def _record_keyring_failures_of(ctx: Context, row: _Row) -> None:
    keyring = _keyring_of(ctx)
    if keyring is not None:
        _record_keyring_failures(ctx, keyring, row.name, row.id)


def _first_passphrase_allowed(ctx: Context, row: _Row) -> bool:
    """Users from before accounts choose their passphrase at their next sign-in, a
    coordinator first. A register without any coordinator would stay locked for good:
    there, anyone but a trainee may be first."""
    everyone = _rows(ctx)
    if any(_has_passphrase(ctx, r) for r in everyone):
        return True
    if row.role == Role.COORDINATOR:
        return True
    return row.role != Role.TRAINEE and not any(r.role == Role.COORDINATOR for r in everyone)


def list_accounts(ctx: Context, session: Session) -> list[Account]:
    """The accounts the session's user looks after: every one for a coordinator, the
    trainees for a facilitator (who may create them), and only their own for the others.
    ``has_passphrase``: whether the account can sign in now (in a register encrypted
    since it was made: only once a coordinator has reset its passphrase)."""
    me = _acting(ctx, session)
    rows = _rows(ctx)
    if me.role == Role.FACILITATOR:
        rows = [r for r in rows if r.role == Role.TRAINEE or r.id == me.id]
    elif me.role != Role.COORDINATOR:
        rows = [me]
    return [Account(r.id, r.name, r.role, _has_passphrase(ctx, r), r.must_change) for r in rows]


class NoSuchAccountError(UserError):
    pass


def account_named(ctx: Context, session: Session, name: str) -> Account:
    """The account called ``name`` (in either script, or its id), for a coordinator who
    manages it (``docassist users reset-passphrase NAME``). Anyone else is refused before
    any name is looked up: the answer would tell them who has an account."""
    require(session, Action.MANAGE_ACCOUNTS)
    found = [a for a in list_accounts(ctx, session) if a.id == name.strip()] or [
        a
        for a in list_accounts(ctx, session)
        if script.search_key(a.name) == script.search_key(name)
    ]
    if len(found) != 1:
        raise NoSuchAccountError(
            N_("There is no account called {name} in this register.")
            if not found
            else N_("Several accounts are called {name}: give the account's id instead."),
            name=" ".join(name.split()),
        )
    return found[0]


# --- signing in and out ------------------------------------------------------------------


def sign_in(ctx: Context, name: str, passphrase: str) -> Session:
    """Sign in to the register of ``ctx`` (the one that holds the accounts), already open:
    a plaintext one, or an encrypted one opened with its key (``open_signed_in``), for
    another user to sign in on the same screen.

    Raises SignInError (unknown name or wrong passphrase, the same), or
    PassphraseNotSetError for an account from before accounts (call
    ``set_first_passphrase``), or NotAllowedError while no coordinator has chosen a
    passphrase yet. For a register role, ``ctx.user_id`` becomes the user's; a trainee's
    session is for the practice register only and leaves ``ctx`` as it was.
    """
    keyring = _keyring_of(ctx)
    if keyring is not None:
        _same_key(ctx, _unlock(keyring, name, passphrase, ctx.now))
        return _signed_in(ctx, name, _keyed_account(ctx, keyring, name), passphrase)
    row = _check(ctx, name, passphrase, record=True)
    return _signed_in(ctx, name, row, passphrase)


def verify(ctx: Context, name: str, passphrase: str) -> Session:
    """The session ``sign_in`` would give, on a register opened read-only: nothing is
    written to it (no audit entry, no failure counted in it; a delay already running
    still applies). For commands that only read a file that must not change (``docassist
    db check``, a backup before it is restored). On an encrypted register the key file
    beside it counts a failure, as at any sign-in."""
    keyring = _keyring_of(ctx)
    if keyring is not None:
        _same_key(ctx, _unlock(keyring, name, passphrase, ctx.now))
        return _session(ctx, _keyed_account(ctx, keyring, name))
    return _session(ctx, _check(ctx, name, passphrase, record=False))


def holds_accounts(ctx: Context) -> bool:
    """Whether anyone in this register signs in with a passphrase. A file from before
    accounts (or one where nobody has chosen a passphrase yet) protects nothing by
    passphrase, so there is nothing to check a sign-in against. An encrypted register
    always does: it opens only with a key."""
    if _keyring_of(ctx) is not None:
        return True
    columns = {row[1] for row in ctx.db.execute("PRAGMA table_info(users)").fetchall()}
    if "passphrase_hash" not in columns:
        return False
    return any(r.passphrase_hash for r in _rows(ctx))


def _check(ctx: Context, name: str, passphrase: str, *, record: bool) -> _Row:
    """The account that ``name`` and ``passphrase`` sign in as, or the refusal
    (a plaintext register: its passphrase hashes)."""
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
    keyring = _keyring_of(ctx)
    with ctx.use_case():
        if keyring is None:
            _clear_failures(ctx, typed)
            if row.passphrase_hash and _weaker_than_now(row.passphrase_hash):
                _store_hash(ctx, row.id, hash_passphrase(passphrase), row.must_change)
        else:
            _record_keyring_failures(ctx, keyring, typed, row.id)
            _record_recovery_failures(ctx)
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
    its passphrase, and the user is signed in. Asked for after PassphraseNotSetError.
    On an encrypted register (open with its key) the passphrase wraps the key."""
    keyring = _keyring_of(ctx)
    if keyring is None:
        _refuse_if_waiting(ctx, name)
    unset = [r for r in _named(ctx, name) if _may_choose_first(ctx, r)]
    if not unset:
        if keyring is not None:
            # It has a passphrase: this is a sign-in, counted by the key file as one.
            _same_key(ctx, _unlock(keyring, name, passphrase, ctx.now))
            return _signed_in(ctx, name, _keyed_account(ctx, keyring, name), passphrase)
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
    digest = None if keyring is not None else hash_passphrase(passphrase)
    with ctx.use_case():
        _store_hash(ctx, row.id, digest, must_change=False)
        with _as(ctx, row.id):
            ctx.audit("passphrase_set", "user", row.id)
        session = _signed_in(ctx, name, replace(row, must_change=False), passphrase)
        _give_key(ctx, row.name, passphrase)  # last: see _give_key
        return session


def sign_out(ctx: Context, session: Session) -> None:
    """End the session (the app stays open for the next user)."""
    with ctx.use_case(), _as(ctx, session.user_id):
        ctx.audit("sign_out", "user", session.user_id)
    if ctx.user_id == session.user_id:
        ctx.user_id = None


def check_passphrase(ctx: Context, session: Session, passphrase: str) -> None:
    """The session's own passphrase again (to lift the idle lock): returns if it is right,
    else raises SignInError, counted and delayed like any failed sign-in."""
    keyring = _keyring_of(ctx)
    if keyring is not None:
        row = _acting(ctx, session)
        _same_key(ctx, _unlock(keyring, session.name, passphrase, ctx.now))
        with ctx.use_case():
            _record_keyring_failures(ctx, keyring, session.name, row.id)
            with _as(ctx, row.id):
                ctx.audit("unlock", "user", row.id)
        return
    _refuse_if_waiting(ctx, session.name)
    row = _acting(ctx, session)
    if not _matches(row.passphrase_hash, passphrase):
        raise _failed(ctx, session.name, row.id)
    with ctx.use_case():
        _clear_failures(ctx, session.name)
        with _as(ctx, row.id):
            ctx.audit("unlock", "user", row.id)


def record_lock(ctx: Context, session: Session, *, idle: bool) -> None:
    """The screen was covered: after the user was idle (``idle_lock``) or because they
    asked (``lock``, Ctrl+L). Each lock and each unlock (``check_passphrase``) is in the
    trail, so it shows who could have been at the keyboard when."""
    with ctx.use_case(), _as(ctx, session.user_id):
        ctx.audit("idle_lock" if idle else "lock", "user", session.user_id)


# --- registers by their path: the one that decides how to sign in -------------------------


class RegisterKind(StrEnum):
    NEW = "new"  # no file yet: ``create_register`` makes one
    ENCRYPTED = "encrypted"  # opens only with the key its key file gives at sign-in
    PLAINTEXT = "plaintext"  # the demo, practice, a real register from before encryption


def register_kind(path: Path | str) -> RegisterKind:
    """How the register at ``path`` is signed in to, from its first bytes and the key
    file beside it, before anything opens it. Raises the store's StoreError for what is
    no register (a folder, an empty file, another kind of file)."""
    path = Path(path).expanduser()
    if not path.is_dir():
        found = engine.header(path)
        if found is engine.Header.MISSING:
            return RegisterKind.NEW
        if found is engine.Header.PLAINTEXT:
            return RegisterKind.PLAINTEXT  # a key file beside it is an encryption cut short
        if found is engine.Header.OTHER and keys.has_keyring(path):
            return RegisterKind.ENCRYPTED
    require_register_file(path)  # says what it is instead
    raise StoreError(  # not reached: the store has said why already
        N_("{path} is not a docassist database (it is some other kind of file)."),
        path=str(path),
    )


def _made_up(path: Path) -> bool:
    """The demo's or the practice register's file: made-up people, plaintext on purpose."""
    from docassist.services.made_up import is_demo_file

    if path.resolve() == locations.practice_database().resolve():
        return True
    return is_demo_file(path)


_OPEN_TO_OTHERS = N_(
    "Other users of this computer could read {files}; they are now yours only. Copies made "
    "before may still be readable: check where they went."
)
_STILL_OPEN = N_(
    "Other users of this computer can read {files}, and docassist could not change that "
    "(another owner, or a disk without permissions). Move the register to a folder of yours."
)
_NOT_ENCRYPTED = N_(
    "The register {path} is not encrypted: anyone who copies the file can read every "
    "name in it. A coordinator encrypts it with `docassist db encrypt`."
)


def register_notices(path: Path | str) -> list[UserError]:
    """What to tell the user once, before the register at ``path`` is opened: its files
    that others could read (made owner-only now, by store's ``secure_register_files``;
    opening would do it silently), and a real register that is not encrypted. Each a
    UserError to render in the user's language; none for a new register."""
    path = Path(path).expanduser()
    notices: list[UserError] = []
    opened = secure_register_files(path)
    if opened.fixed:
        notices.append(UserError(_OPEN_TO_OTHERS, files=", ".join(map(str, opened.fixed))))
    if opened.not_fixed:
        notices.append(UserError(_STILL_OPEN, files=", ".join(map(str, opened.not_fixed))))
    try:
        kind = register_kind(path)
    except StoreError:
        return notices  # opening says what is wrong
    if kind is RegisterKind.PLAINTEXT and not _made_up(path):
        notices.append(UserError(_NOT_ENCRYPTED, path=str(path)))
    return notices


def _open(
    path: Path,
    db_key: bytes | None,
    now: Callable[[], str],
    today: Callable[[], date],
) -> Context:
    db = open_database(path, create=False, key=db_key)
    return Context(db, today=today, now=now, db_key=db_key)


@contextmanager
def _closed_on_failure(ctx: Context) -> Iterator[None]:
    try:
        yield
    except BaseException:
        ctx.db.close()
        raise


def open_signed_in(
    path: Path | str,
    name: str,
    passphrase: str,
    *,
    now: Callable[[], str] = real_now,
    today: Callable[[], date] = real_today,
) -> tuple[Context, Session]:
    """Open the register at ``path`` and sign in to it as ``name``: the way in for every
    kind of register (``register_kind`` decides). An encrypted one is unlocked first
    (the passphrase unwraps its key: that is the check) and opened with the key, which
    the context keeps (``ctx.db_key``); a plaintext one is opened and checked against its
    hashes. The caller closes ``ctx.db``; on any refusal nothing is left open.

    Raises SignInError (unknown name, wrong passphrase, the wait), PassphraseNotSetError
    on a plaintext register for an account from before accounts (then
    ``open_setting_first_passphrase``), NotAllowedError, or the store's errors. A
    trainee's session is for the practice register: open ``session.register`` for them
    and show nothing of ``ctx``.
    """
    path = Path(path).expanduser()
    kind = register_kind(path)
    if kind is RegisterKind.NEW:
        raise missing_error(path)
    if kind is RegisterKind.PLAINTEXT:
        ctx = _open(path, None, now, today)
        with _closed_on_failure(ctx):
            return ctx, sign_in(ctx, name, passphrase)
    db_key = _unlock(path, name, passphrase, now)  # the passphrase check, once
    ctx = _open(path, db_key, now, today)
    with _closed_on_failure(ctx):
        return ctx, _signed_in(ctx, name, _keyed_account(ctx, path, name), passphrase)


def open_setting_first_passphrase(
    path: Path | str,
    name: str,
    passphrase: str,
    *,
    now: Callable[[], str] = real_now,
    today: Callable[[], date] = real_today,
) -> tuple[Context, Session]:
    """``set_first_passphrase`` on the register at ``path``, opened for it, after
    ``open_signed_in`` raised PassphraseNotSetError (a plaintext register). On an
    encrypted register nobody without a key can open it: such an account gets one from
    a coordinator's reset, and this is only a sign-in."""
    path = Path(path).expanduser()
    kind = register_kind(path)
    if kind is RegisterKind.NEW:
        raise missing_error(path)
    if kind is RegisterKind.ENCRYPTED:
        return open_signed_in(path, name, passphrase, now=now, today=today)
    ctx = _open(path, None, now, today)
    with _closed_on_failure(ctx):
        return ctx, set_first_passphrase(ctx, name, passphrase)


def _unreadable() -> tuple[type[Exception], ...]:
    """What reading a file's accounts meets when the file is damaged (either SQLite
    library's errors, read when caught)."""
    return (*engine.DatabaseErrors, DamagedDatabaseError, WrongKeyError)


@dataclass(frozen=True)
class FileAccess:
    """What ``verify_file`` found: who signed in (None: a file that holds no passphrases
    to check against), and the key that opens it (None: plaintext)."""

    session: Session | None
    db_key: bytes | None = field(default=None, repr=False)


def verify_file(
    path: Path | str,
    name: Callable[[], str],
    passphrase: Callable[[], str],
    *,
    now: Callable[[], str] = real_now,
) -> FileAccess:
    """Check a sign-in against the register or backup at ``path`` without writing to it
    (``docassist db check``, a backup before it is restored): read-only, no migration,
    no audit entry (an encrypted file's key file counts a failure, as at any sign-in).
    ``name`` and ``passphrase`` are asked (called) only when needed: a plaintext file
    from before accounts protects nothing by passphrase and needs neither.

    Raises PassphraseNotSetError, SignInError, the store's errors, and (from the
    standard library or SQLCipher) DatabaseError for a plaintext file too damaged to
    say who its users are.
    """
    path = Path(path).expanduser()
    kind = register_kind(path)
    if kind is RegisterKind.NEW:
        raise missing_error(path)
    if kind is RegisterKind.ENCRYPTED:
        who = name()
        db_key = _unlock(path, who, passphrase(), now)
        try:
            with read_only(path, db_key) as db:
                ctx = Context(db, now=now, db_key=db_key)
                return FileAccess(_session(ctx, _keyed_account(ctx, path, who)), db_key)
        except _unreadable():
            # Too damaged to say who its users are; the key file took the passphrase,
            # so whoever typed it may check the file (the check then says what is wrong).
            return FileAccess(None, db_key)
    with read_only(path) as db:
        ctx = Context(db, now=now)
        if not holds_accounts(ctx):
            return FileAccess(None)
        who = name()
        return FileAccess(verify(ctx, who, passphrase()))


class RecoveryError(UserError):
    pass


def unlock_with_recovery_key(
    path: Path | str, recovery_key: str, *, now: Callable[[], str] = real_now
) -> bytes:
    """The database key of the encrypted register or backup at ``path``, from the
    recovery key as typed (any case, spaces or dashes). Raises the key file's
    RecoveryKeyError (a UserError) for a key that is malformed or does not open it;
    one that does not open it is counted in the key file, and audited as
    ``recovery_key_failed`` when the register is next opened (``_signed_in``,
    ``recover_passphrase``)."""
    path = Path(path).expanduser()
    require_encrypted(path)
    return keys.unlock_with_recovery(path, recovery_key, now=datetime.fromisoformat(now()))


def _record_recovery_failures(ctx: Context) -> None:
    """The wrong recovery keys the key file counted, into the audit trail now, each at
    its own time, by nobody (whoever typed it did not sign in), with no details: what
    was typed is not kept anywhere."""
    keyring = _keyring_of(ctx)
    if keyring is None:
        return
    with _as(ctx, None):
        for at in keys.take_recovery_failures(keyring):
            when = at.isoformat(timespec="seconds")
            ctx.audit("recovery_key_failed", "register", "whole", at=when)


def require_encrypted(path: Path | str) -> None:
    """Refuse, saying why, a register or backup that has no recovery key (missing, or
    not encrypted), before anyone is asked to type it."""
    path = Path(path).expanduser()
    kind = register_kind(path)
    if kind is RegisterKind.NEW:
        raise missing_error(path)
    if kind is not RegisterKind.ENCRYPTED:
        raise RecoveryError(
            N_(
                "{path} is not encrypted: it has no recovery key. A coordinator resets "
                "forgotten passphrases. Nothing was changed."
            ),
            path=str(path),
        )


def recover_passphrase(
    path: Path | str,
    recovery_key: str,
    name: str,
    new_passphrase: str,
    *,
    now: Callable[[], str] = real_now,
    today: Callable[[], date] = real_today,
) -> str:
    """A forgotten passphrase: the organisation's recovery key opens the encrypted
    register at ``path``, and ``new_passphrase`` becomes ``name``'s (they chose it: no
    change asked at the next sign-in; the delay after failures is lifted). Audited as
    ``passphrase_recovered``, by nobody signed in. The register is not re-encrypted.
    Returns the account's name as the register holds it."""
    path = Path(path).expanduser()
    db_key = unlock_with_recovery_key(path, recovery_key, now=now)
    ctx = _open(path, db_key, now, today)
    try:
        found = _named(ctx, name)
        if len(found) != 1:
            # Whoever holds the recovery key may read every name: this tells nothing new.
            raise RecoveryError(
                N_("There is no account called {name} in this register."),
                name=" ".join(name.split()),
            )
        row = found[0]
        check_new_passphrase(new_passphrase, row.name)
        with ctx.use_case(), _as(ctx, None):
            _store_hash(ctx, row.id, None, must_change=False)
            _clear_failures(ctx, row.name)
            _record_keyring_failures_of(ctx, row)  # the new key clears them
            _record_recovery_failures(ctx)
            ctx.audit("passphrase_recovered", "user", row.id, after={"with": "recovery key"})
            _give_key(ctx, row.name, new_passphrase)  # last: see _give_key
    finally:
        ctx.db.close()
    return row.name


class AlreadyEncryptedError(UserError):
    pass


@dataclass(frozen=True)
class Encrypted:
    """What ``encrypt_register`` did: the recovery key (to show once, then forget) and
    how many other accounts cannot sign in until a coordinator resets their passphrase."""

    recovery_key: str = field(repr=False)
    waiting_for_a_reset: int


def encrypt_register(
    path: Path | str,
    session: Session,
    passphrase: str,
    *,
    now: Callable[[], str] = real_now,
    today: Callable[[], date] = real_today,
) -> Encrypted:
    """Turn the plaintext register at ``path`` into an encrypted one (``docassist db
    encrypt``), for ``session``'s coordinator, whose ``passphrase`` (checked again) wraps
    the new key first; the recovery key wraps it too. The other accounts can sign in
    once a coordinator has reset their passphrase (they choose their own next).
    The register must not be open (the store takes it over exclusively); it is left as
    it was if anything fails. Audited as ``encrypt`` in the encrypted register."""
    path = Path(path).expanduser()
    kind = register_kind(path)
    if kind is RegisterKind.ENCRYPTED:
        raise AlreadyEncryptedError(
            N_("The register {path} is already encrypted: nothing was changed."), path=str(path)
        )
    if kind is RegisterKind.NEW:
        raise missing_error(path)
    if _made_up(path):
        raise NotAllowedError(
            N_(
                "{path} holds made-up families (the demo or practice): it stays unencrypted. "
                "Nothing was changed."
            ),
            path=str(path),
        )
    with read_only(path) as db:
        ctx = Context(db, now=now, today=today)
        me = _acting(ctx, session)
        require(session, Action.ENCRYPT_REGISTER)
        if not _matches(me.passphrase_hash, passphrase):
            raise SignInError()
        others = sum(1 for r in _rows(ctx) if r.id != me.id)
    from docassist.store.backup import encrypt_database

    db_key, recovery = keys.create_keyring(path)
    try:
        keys.add_user_key(path, me.name, passphrase, db_key)
        encrypt_database(path, db_key)
    except BaseException:
        keys.remove_keyring(path)  # the register is as it was: plaintext, no key file
        raise
    ctx = _open(path, db_key, now, today)
    try:
        with ctx.use_case(), _as(ctx, me.id):
            # The key file holds the coordinator's passphrase now; the others' hashes stay
            # as a mark that they had one (``_may_choose_first``).
            _store_hash(ctx, me.id, None, me.must_change)
            ctx.audit("encrypt", "register", "whole", after={"accounts_with_a_key": 1})
    finally:
        ctx.db.close()
    return Encrypted(recovery, others)


# --- new registers and accounts ----------------------------------------------------------


def create_first_coordinator(ctx: Context, name: str, passphrase: str) -> Session:
    """The first account of a register that has none: a coordinator, who is signed in."""
    if users.has_accounts(ctx):
        raise NotAllowedError(
            N_("This register already has accounts: a coordinator creates new ones.")
        )
    check_new_passphrase(passphrase, name)
    digest = hash_passphrase(passphrase) if _keyring_of(ctx) is None else None
    with ctx.use_case():
        user = users.create_user(ctx, name, Role.COORDINATOR, passphrase_hash=digest)
        row = _Row(user.id, user.name, user.role, digest, False)
        session = _signed_in(ctx, name, row, passphrase)
        _give_key(ctx, user.name, passphrase)  # last: see _give_key
        return session


class RegisterExistsError(UserError):
    pass


@dataclass(frozen=True)
class NewRegister:
    """A register just made, open, with its first coordinator signed in. The caller
    closes ``context.db``. ``recovery_key``: shown once to be printed and locked away,
    then forgotten (never logged or audited); None for a plaintext register."""

    context: Context
    session: Session
    recovery_key: str | None = field(repr=False)


def create_register(
    path: Path | str,
    first_coordinator_name: str,
    passphrase: str,
    *,
    encrypt: bool = True,
    now: Callable[[], str] | None = None,
    today: Callable[[], date] | None = None,
) -> NewRegister:
    """A new register at ``path`` with its first coordinator, signed in: encrypted
    (SQLCipher, with its key file and a recovery key) unless ``encrypt`` is False (made-up
    registers, tests). Refuses a path where any file is (even an empty one: a copy gone
    wrong is not a wish for a new register). Nothing is created when the name or
    passphrase is refused, nor left behind when making it fails."""
    path = Path(path).expanduser()
    if path.exists() or path.is_symlink():
        raise RegisterExistsError(
            N_("There is already a file at {path}: a new register is made only where none is."),
            path=str(path),
        )
    if not " ".join(first_coordinator_name.split()):
        raise ValidationError({"name": [Problem("required", N_("Type a name."))]})
    check_new_passphrase(passphrase, first_coordinator_name)
    db_key, recovery = keys.create_keyring(path) if encrypt else (None, None)
    ctx = _new_file(path, db_key, now, today)
    with removed_on_failure(ctx):
        session = create_first_coordinator(ctx, first_coordinator_name, passphrase)
    return NewRegister(ctx, session, recovery)


def _new_file(
    path: Path,
    db_key: bytes | None,
    now: Callable[[], str] | None,
    today: Callable[[], date] | None,
) -> Context:
    try:
        db = open_database(path, create=True, key=db_key)
    except BaseException:
        keys.remove_keyring(path)
        raise
    return Context(db, today=today or real_today, now=now or real_now, db_key=db_key)


@contextmanager
def removed_on_failure(ctx: Context) -> Iterator[None]:
    """For a register just made: if the block fails, it is closed and removed with its
    ``-wal``, ``-shm`` and key file, leaving nothing behind."""
    try:
        yield
    except BaseException:
        path = _database_path(ctx)
        ctx.db.close()
        for file in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm"))):
            file.unlink(missing_ok=True)
        keys.remove_keyring(path)
        raise


def create_joining_register(
    path: Path | str,
    name: str,
    passphrase: str,
    recovery_public: bytes | None,
    *,
    now: Callable[[], str] | None = None,
    today: Callable[[], date] | None = None,
) -> NewJoiningRegister:
    """A new, empty, encrypted register at ``path`` for ``name``, a user of the
    organisation on a laptop joining its hub (``hub join``): the way ``create_register``
    makes one, but with no account yet (the user's comes with the first pull) and the
    database key wrapped for ``name``'s ``passphrase`` and sealed to the organisation's
    recovery key (``recovery_public``, from the hub), so the printed recovery key opens
    this laptop's register too and none is shown. Without one (the hub knows none yet)
    the register gets a recovery key of its own, returned to be shown once. The caller
    closes ``context.db`` (``removed_on_failure`` if what follows fails); the user signs
    in once the first pull has brought their account."""
    path = Path(path).expanduser()
    if path.exists() or path.is_symlink():
        raise RegisterExistsError(
            N_("There is already a file at {path}: a new register is made only where none is."),
            path=str(path),
        )
    check_new_passphrase(passphrase, name)
    if recovery_public is None:
        db_key, recovery = keys.create_keyring(path)
    else:
        db_key, recovery = keys.create_sealed_keyring(path, recovery_public), None
    try:
        keys.add_user_key(path, name, passphrase, db_key)
    except BaseException:
        keys.remove_keyring(path)
        raise
    return NewJoiningRegister(_new_file(path, db_key, now, today), recovery)


@dataclass(frozen=True)
class NewJoiningRegister:
    """A joining laptop's new register, open and empty (``create_joining_register``)."""

    context: Context
    recovery_key: str | None = field(repr=False)


def create_user(
    ctx: Context,
    session: Session,
    name: str,
    role: Role,
    passphrase: str,
    language: str | None = None,
) -> users.User:
    """A new account made by the session's user: a coordinator makes any role, a
    facilitator trainees only. The new user changes the passphrase at first sign-in.
    On an encrypted register the passphrase wraps the key (``_give_key``)."""
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
    digest = hash_passphrase(passphrase) if _keyring_of(ctx) is None else None
    with ctx.use_case(), _as(ctx, me.id):
        user = users.create_user(
            ctx, clean, role, language, passphrase_hash=digest, must_change_passphrase=True
        )
        # A key left for this name (an account removed, its key's removal cut short) is
        # replaced: no live account has the name.
        _give_key(ctx, clean, passphrase)  # last: see _give_key
        return user


def _store_hash(ctx: Context, user_id: str, digest: str | None, must_change: bool) -> None:
    ctx.db.execute(
        "UPDATE users SET passphrase_hash = ?, must_change_passphrase = ?, updated_at = ?, "
        "device_id = ? WHERE id = ?",
        [digest, int(must_change), ctx.now(), ctx.device_id, user_id],
    )


def reset_passphrase(ctx: Context, session: Session, user_id: str, new: str) -> None:
    """A coordinator gives ``user_id`` a new passphrase (a forgotten one, or the first
    key of an account in a register encrypted since); the user chooses their own at the
    next sign-in. Lifts the delay after failed sign-ins."""
    me = _acting(ctx, session)
    require(session, Action.MANAGE_ACCOUNTS)
    if user_id == me.id:
        raise NotAllowedError(
            N_("Change your own passphrase with your current one, not with a reset.")
        )
    target = _target(ctx, user_id)
    check_new_passphrase(new, target.name)
    digest = hash_passphrase(new) if _keyring_of(ctx) is None else None
    with ctx.use_case(), _as(ctx, me.id):
        _store_hash(ctx, target.id, digest, must_change=True)
        _clear_failures(ctx, target.name)
        _record_keyring_failures_of(ctx, target)  # the new key clears them
        ctx.audit("passphrase_reset", "user", target.id, after={"must_change_passphrase": True})
        _give_key(ctx, target.name, new)  # last: see _give_key


def change_passphrase(ctx: Context, session: Session, old: str, new: str) -> Session:
    """The user's own new passphrase, given the current one; the session returned no
    longer has to change it. On an encrypted register only the user's entry in the key
    file changes: the register is not re-encrypted."""
    keyring = _keyring_of(ctx)
    if keyring is None:
        _refuse_if_waiting(ctx, session.name)
    me = _acting(ctx, session)
    if keyring is not None:
        _same_key(ctx, _unlock(keyring, session.name, old, ctx.now))
    elif not _matches(me.passphrase_hash, old):
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
    digest = hash_passphrase(new) if keyring is None else None
    with ctx.use_case(), _as(ctx, me.id):
        _record_keyring_failures_of(ctx, me)  # the new key clears them
        _clear_failures(ctx, session.name)
        _store_hash(ctx, me.id, digest, must_change=False)
        ctx.audit("passphrase_change", "user", me.id)
        _give_key(ctx, me.name, new)  # last: see _give_key
    return replace(session, must_change_passphrase=False)


def chose_own_passphrase(ctx: Context, user_id: str) -> None:
    """On a laptop that just joined the hub (``hub join``), the user chose their
    passphrase there, as at a first sign-in: it is their own, not one a coordinator gave
    them to change. Recorded as a passphrase change (it travels like one); nothing when
    the account had nothing to change."""
    row = ctx.db.execute(
        "SELECT must_change_passphrase FROM users WHERE id = ?", [user_id]
    ).fetchone()
    if row is None or not row[0]:
        return
    with ctx.use_case(), _as(ctx, user_id):
        _store_hash(ctx, user_id, None, must_change=False)
        ctx.audit("passphrase_change", "user", user_id, after={"at": "hub join"})


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
    stays on what it recorded; its passphrase hash is wiped from the register, and its
    key from the key file of an encrypted one (backups made before keep theirs)."""
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
    _take_key(ctx, target.name)  # after the COMMIT: see _take_key
