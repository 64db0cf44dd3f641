"""Accounts on an encrypted register: the key file is the passphrase check, and users and
keys stay in step whatever fails in between."""

from __future__ import annotations

import contextlib
import json
import os
from datetime import UTC, date, datetime, timedelta

import pytest

from docassist.domain.model import Role
from docassist.services import accounts, users
from docassist.services.accounts import NotAllowedError, RegisterKind, SignInError
from docassist.services.context import Context
from docassist.services.made_up import DEMO_PASSPHRASE
from docassist.store import engine, keys
from docassist.store.db import EncryptedDatabaseError, open_database

TODAY = date(2026, 11, 23)
PASS = "river stones at dusk"
OTHER = "seven quiet lanterns"
TEMPORARY = "temporary words"


class Clock:
    """The context's clock, moved by hand: no test sleeps or reads the real clock."""

    def __init__(self) -> None:
        self.at = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def now(self) -> str:
        return self.at.isoformat(timespec="seconds")

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def made(tmp_path, clock):
    """A new encrypted register, as ``docassist init`` makes it, its coordinator signed in."""
    new = accounts.create_register(
        tmp_path / "register.db", "Senad Koordinator", PASS, now=clock.now, today=lambda: TODAY
    )
    yield new
    new.context.db.close()


@pytest.fixture
def path(made):
    return made.session.accounts_register


def _open(path, clock, name="Senad Koordinator", passphrase=PASS):
    return accounts.open_signed_in(path, name, passphrase, now=clock.now, today=lambda: TODAY)


def _audit(ctx, action=None):
    rows = ctx.db.execute(
        "SELECT action, entity_id, user_id, at, after FROM audit_log ORDER BY id"
    ).fetchall()
    return [r for r in rows if action is None or r[0] == action]


def _with_passphrase(made, clock, name, role, passphrase=PASS):
    """A user made by the coordinator, who has chosen their own passphrase since."""
    user = accounts.create_user(made.context, made.session, name, role, TEMPORARY)
    ctx, session = _open(made.session.accounts_register, clock, name, TEMPORARY)
    try:
        accounts.change_passphrase(ctx, session, TEMPORARY, passphrase)
    finally:
        ctx.db.close()
    return user


# --- a new register ----------------------------------------------------------------------


def test_a_new_register_is_encrypted_with_a_key_file_and_a_recovery_key(made, path):
    assert accounts.register_kind(path) is RegisterKind.ENCRYPTED
    assert path.read_bytes()[:16] != engine.PLAINTEXT_HEADER
    assert keys.has_user_key(path, "senad koordinator")
    assert made.recovery_key and keys.unlock_with_recovery(path, made.recovery_key)
    assert made.context.db_key == keys.unlock_with_recovery(path, made.recovery_key)
    # the secrets are in no repr (a log, a traceback's locals printed by a debugger)
    for value in (made, made.context):
        assert made.recovery_key not in repr(value)
        assert made.context.db_key.hex() not in repr(value)
    assert made.session.role == Role.COORDINATOR and not made.session.must_change_passphrase
    with pytest.raises(EncryptedDatabaseError):
        open_database(path)  # nothing opens it without the key
    # the key file holds the passphrase; the register holds no hash of it
    assert made.context.db.execute("SELECT passphrase_hash FROM users").fetchall() == [(None,)]
    assert [r[0] for r in _audit(made.context)] == ["create", "sign_in"]


def test_a_plaintext_register_is_still_made_through_the_same_function(tmp_path):
    new = accounts.create_register(tmp_path / "plain.db", "Senad", PASS, encrypt=False)
    new.context.db.close()
    assert new.recovery_key is None and new.context.db_key is None
    assert accounts.register_kind(tmp_path / "plain.db") is RegisterKind.PLAINTEXT
    assert not keys.has_keyring(tmp_path / "plain.db")
    ctx, session = accounts.open_signed_in(tmp_path / "plain.db", "Senad", PASS)
    ctx.db.close()
    assert session.name == "Senad"


def test_a_failed_making_leaves_nothing_behind(tmp_path, monkeypatch):
    path = tmp_path / "new.db"

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(keys, "set_passphrase", broken)
    with pytest.raises(OSError):
        accounts.create_register(path, "Senad", PASS)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == []


# --- signing in ---------------------------------------------------------------------------


def test_signing_in_derives_the_passphrase_once_and_checks_no_hash(path, clock, monkeypatch):
    derived = []
    real = keys.Argon2id.derive
    monkeypatch.setattr(
        keys.Argon2id, "derive", lambda self, *a: derived.append(1) or real(self, *a)
    )
    monkeypatch.setattr(accounts, "_matches", lambda *a: pytest.fail("a hash was checked"))
    ctx, session = _open(path, clock, "сенад координатор")
    try:
        assert derived == [1]
        assert ctx.user_id == session.user_id and session.name == "Senad Koordinator"
        assert ctx.db_key is not None
    finally:
        ctx.db.close()


def test_unknown_name_and_wrong_passphrase_are_the_same_refusal(made, path, clock):
    _with_passphrase(made, clock, "Fikret", Role.FACILITATOR)
    with pytest.raises(SignInError) as unknown:
        _open(path, clock, "Nobody Here")
    with pytest.raises(SignInError) as wrong:
        _open(path, clock, "Senad Koordinator", "not the passphrase")
    assert unknown.value.render() == wrong.value.render()
    assert unknown.value.msgid == accounts.SignInError().msgid  # as on a plaintext register
    for name in ("Senad", "Koordinator", "Fikret", "Nobody"):
        assert name not in unknown.value.render()


def test_the_key_file_counts_the_failures_and_makes_them_wait(path, clock):
    waits = []
    for _ in range(7):
        clock.advance(waits[-1] if waits else 0)  # waits as told, then tries again
        with pytest.raises(SignInError) as err:
            _open(path, clock, "Senad Koordinator", "wrong wrong wrong")
        waits.append(err.value.wait_seconds)
    assert waits == [0, 0, 0, 0, 2, 4, 8]
    with pytest.raises(SignInError) as err:
        _open(path, clock)  # right, but too soon: not even tried
    assert err.value.throttled and err.value.wait_seconds == 8
    clock.advance(8)
    ctx, _session = _open(path, clock)
    ctx.db.close()


def test_the_failures_are_audited_at_the_next_sign_in_each_at_its_time(made, path, clock):
    times = []
    for _ in range(5):
        times.append(clock.now())
        with pytest.raises(SignInError) as err:
            _open(path, clock, "Senad Koordinator", "wrong wrong wrong")
        clock.advance(err.value.wait_seconds + 1)
    ctx, session = _open(path, clock)
    try:
        failed = _audit(ctx, "sign_in_failed")
        assert [r[3] for r in failed] == times
        assert {r[1] for r in failed} == {session.user_id} and {r[2] for r in failed} == {None}
        assert json.loads(failed[-1][4]) == {"failures": 5, "wait_seconds": 2}
        assert len(_audit(ctx, "sign_in_locked")) == 1
        everything = " ".join(
            str(v) for row in ctx.db.execute("SELECT * FROM audit_log") for v in row
        )
        assert "wrong wrong wrong" not in everything and PASS not in everything
    finally:
        ctx.db.close()
    # recorded once: the next sign-in finds none left to record
    ctx, _session = _open(path, clock)
    try:
        assert len(_audit(ctx, "sign_in_failed")) == 5
    finally:
        ctx.db.close()


def test_a_trainee_signs_in_to_practice_only(made, path, clock):
    from docassist import locations

    _with_passphrase(made, clock, "Ana Polaznica", Role.TRAINEE)
    ctx, session = _open(path, clock, "Ana Polaznica")
    try:
        assert session.practice_only and session.register == locations.practice_database()
        assert ctx.user_id is None
        with pytest.raises(NotAllowedError, match="Trainees"):
            accounts.require(session, accounts.Action.OPEN_REGISTER)
    finally:
        ctx.db.close()


def test_another_user_signs_in_on_the_open_register(made, clock):
    fikret = _with_passphrase(made, clock, "Fikret", Role.FACILITATOR)
    ctx = made.context
    session = accounts.sign_in(ctx, "Fikret", PASS)
    assert session.user_id == fikret.id == ctx.user_id
    with pytest.raises(SignInError):
        accounts.sign_in(ctx, "Fikret", "not the passphrase")


def test_the_idle_lock_checks_the_key_file(made, clock):
    ctx, boss = made.context, made.session
    accounts.record_lock(ctx, boss, idle=True)
    with pytest.raises(SignInError):
        accounts.check_passphrase(ctx, boss, "wrong wrong wrong")
    accounts.check_passphrase(ctx, boss, PASS)
    assert [r[0] for r in _audit(ctx)][-3:] == ["idle_lock", "sign_in_failed", "unlock"]


# --- users and keys in step ---------------------------------------------------------------


def test_a_new_user_gets_a_key_and_changes_the_passphrase_without_re_encrypting(made, path, clock):
    key_before = made.context.db_key
    fikret = accounts.create_user(made.context, made.session, "Fikret", Role.FACILITATOR, OTHER)
    assert keys.has_user_key(path, "Fikret")
    ctx, session = _open(path, clock, "Fikret", OTHER)
    try:
        assert session.must_change_passphrase
        changed = accounts.change_passphrase(ctx, session, OTHER, "fikret's own words")
        assert not changed.must_change_passphrase
        assert [r[0] for r in _audit(ctx) if r[1] == fikret.id][-1] == "passphrase_change"
    finally:
        ctx.db.close()
    with pytest.raises(SignInError):
        _open(path, clock, "Fikret", OTHER)
    ctx, _session = _open(path, clock, "Fikret", "fikret's own words")
    try:
        assert ctx.db_key == key_before  # the same key: the register was not re-encrypted
        assert users.get_user(ctx, fikret.id).name == "Fikret"  # and reads as before
    finally:
        ctx.db.close()


def test_a_reset_replaces_the_key_and_must_be_changed(made, path, clock):
    fikret = _with_passphrase(made, clock, "Fikret", Role.FACILITATOR)
    accounts.reset_passphrase(made.context, made.session, fikret.id, "given by senad")
    with pytest.raises(SignInError):
        _open(path, clock, "Fikret", PASS)
    ctx, session = _open(path, clock, "Fikret", "given by senad")
    ctx.db.close()
    assert session.must_change_passphrase


def test_a_removed_user_keeps_no_key(made, path, clock):
    fikret = _with_passphrase(made, clock, "Fikret", Role.FACILITATOR)
    accounts.remove_user(made.context, made.session, fikret.id)
    assert not keys.has_user_key(path, "Fikret")
    with pytest.raises(SignInError):
        _open(path, clock, "Fikret")


def test_the_key_file_failing_changes_nothing_in_the_register(made, path, clock, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(keys, "set_passphrase", broken)
    with pytest.raises(OSError):
        accounts.create_user(made.context, made.session, "Fikret", Role.FACILITATOR, OTHER)
    assert [u.name for u in users.list_users(made.context)] == ["Senad Koordinator"]
    assert not made.context.db.conn.in_transaction


class Crash(BaseException):
    """The process killed right after the key file was written (before the COMMIT)."""


@contextlib.contextmanager
def _crash_after(name):
    real = getattr(keys, name)

    def then_crash(*args, **kwargs):
        real(*args, **kwargs)
        raise Crash

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keys, name, then_crash)
        with pytest.raises(Crash):
            yield


def test_a_crash_before_the_commit_leaves_the_new_passphrase_working(made, path, clock):
    _with_passphrase(made, clock, "Fikret", Role.FACILITATOR)
    ctx, session = _open(path, clock, "Fikret")
    with _crash_after("set_passphrase"):
        accounts.change_passphrase(ctx, session, PASS, "fikret's own words")
    ctx.db.close()
    # The register never heard of the change, but the passphrase just chosen opens it.
    ctx, _session = _open(path, clock, "Fikret", "fikret's own words")
    ctx.db.close()


def test_a_crash_while_creating_leaves_a_key_that_opens_nothing(made, path, clock):
    with _crash_after("set_passphrase"):
        accounts.create_user(made.context, made.session, "Fikret", Role.FACILITATOR, OTHER)
    assert [u.name for u in users.list_users(made.context)] == ["Senad Koordinator"]
    assert keys.has_user_key(path, "Fikret")
    with pytest.raises(SignInError):
        _open(path, clock, "Fikret", OTHER)  # no account: refused, and the key goes
    assert not keys.has_user_key(path, "Fikret")
    accounts.create_user(made.context, made.session, "Fikret", Role.FACILITATOR, OTHER)
    ctx, _session = _open(path, clock, "Fikret", OTHER)
    ctx.db.close()


def test_a_crash_after_removing_leaves_the_account_removed(made, path, clock):
    fikret = _with_passphrase(made, clock, "Fikret", Role.FACILITATOR)

    def crash(*args, **kwargs):
        raise Crash

    with pytest.MonkeyPatch.context() as patch, pytest.raises(Crash):
        patch.setattr(keys, "remove_user_key", crash)
        accounts.remove_user(made.context, made.session, fikret.id)
    assert keys.has_user_key(path, "Fikret")  # the key stayed, but opens nothing now
    with pytest.raises(SignInError):
        _open(path, clock, "Fikret")
    assert not keys.has_user_key(path, "Fikret")


# --- recovery ----------------------------------------------------------------------------


def test_the_recovery_key_sets_a_forgotten_passphrase(made, path, clock):
    fikret = _with_passphrase(made, clock, "Fikret", Role.FACILITATOR)
    for _ in range(6):
        with pytest.raises(SignInError) as err:
            _open(path, clock, "Fikret", "what was it again")
    assert err.value.throttled  # the sixth was not even tried
    with pytest.raises(keys.RecoveryKeyError):
        accounts.recover_passphrase(path, "A" * 52, "Fikret", "found again words")
    typed = made.recovery_key.lower().replace("-", " ")
    accounts.recover_passphrase(path, typed, "Fikret", "found again words", now=clock.now)
    ctx, session = _open(path, clock, "Fikret", "found again words")  # no wait any more
    try:
        assert not session.must_change_passphrase
        [entry] = _audit(ctx, "passphrase_recovered")
        assert entry[1:3] == (fikret.id, None)
        assert made.recovery_key not in str(_audit(ctx))
        assert len(_audit(ctx, "sign_in_failed")) == 5  # recorded, not lost with the reset
    finally:
        ctx.db.close()


def test_the_recovery_key_for_an_unknown_name_or_a_plaintext_register(made, path, tmp_path):
    with pytest.raises(accounts.RecoveryError, match="no account called Nobody"):
        accounts.recover_passphrase(path, made.recovery_key, "Nobody", "found again words")
    plain = accounts.create_register(tmp_path / "plain.db", "Senad", PASS, encrypt=False)
    plain.context.db.close()
    with pytest.raises(accounts.RecoveryError, match="not encrypted"):
        accounts.recover_passphrase(tmp_path / "plain.db", made.recovery_key, "Senad", OTHER)


# --- encrypting a register from before ----------------------------------------------------


def _plaintext_register(tmp_path):
    path = tmp_path / "old.db"
    old = accounts.create_register(path, "Senad Koordinator", PASS, encrypt=False)
    ctx, boss = old.context, old.session
    accounts.create_user(ctx, boss, "Fikret", Role.FACILITATOR, TEMPORARY)
    users.create_user(ctx, "Vesna", Role.FACILITATOR)  # from before accounts: no passphrase
    ctx.db.close()
    return path, boss


def test_encrypting_keeps_every_row_and_the_coordinators_passphrase(tmp_path, clock):
    path, boss = _plaintext_register(tmp_path)
    db = open_database(path)
    before = engine.row_counts(db.conn)
    db.close()
    done = accounts.encrypt_register(path, boss, PASS, now=clock.now)
    assert done.waiting_for_a_reset == 2 and done.recovery_key not in repr(done)
    assert accounts.register_kind(path) is RegisterKind.ENCRYPTED
    ctx, session = _open(path, clock)
    try:
        after = engine.row_counts(ctx.db.conn)
        assert after["users"] == before["users"]
        assert after["audit_entries"] == before["audit_entries"] + 2  # the encryption, sign-in
        assert _audit(ctx)[-2][0] == "encrypt"
        accounts_now = {a.name: a.has_passphrase for a in accounts.list_accounts(ctx, session)}
        assert accounts_now == {"Senad Koordinator": True, "Fikret": False, "Vesna": False}
    finally:
        ctx.db.close()
    assert keys.unlock_with_recovery(path, done.recovery_key)
    with pytest.raises(accounts.AlreadyEncryptedError):
        accounts.encrypt_register(path, boss, PASS)


def test_after_encrypting_the_others_sign_in_once_a_coordinator_resets_them(tmp_path, clock):
    path, boss = _plaintext_register(tmp_path)
    accounts.encrypt_register(path, boss, PASS, now=clock.now)
    with pytest.raises(SignInError):
        _open(path, clock, "Fikret", TEMPORARY)  # the passphrase from before opens nothing
    ctx, boss = _open(path, clock)
    fikret = next(u for u in users.list_users(ctx) if u.name == "Fikret")
    # Someone at the open app cannot claim an account that had a passphrase before.
    with pytest.raises(SignInError):
        accounts.set_first_passphrase(ctx, "Fikret", "claimed by someone")
    # One from before accounts chooses their own, as on a plaintext register.
    assert accounts.set_first_passphrase(ctx, "Vesna", "vesna's own words").name == "Vesna"
    accounts.reset_passphrase(ctx, boss, fikret.id, "given by senad")
    ctx.db.close()
    ctx, session = _open(path, clock, "Fikret", "given by senad")
    ctx.db.close()
    assert session.must_change_passphrase
    ctx, _session = _open(path, clock, "Vesna", "vesna's own words")
    ctx.db.close()


def test_encrypting_is_a_coordinators_and_checks_the_passphrase(tmp_path, clock):
    path, boss = _plaintext_register(tmp_path)
    ctx, fikret = accounts.open_signed_in(path, "Fikret", TEMPORARY)
    ctx.db.close()
    with pytest.raises(NotAllowedError, match="Only a coordinator"):
        accounts.encrypt_register(path, fikret, TEMPORARY)
    with pytest.raises(SignInError):
        accounts.encrypt_register(path, boss, "not the passphrase")
    assert accounts.register_kind(path) is RegisterKind.PLAINTEXT
    assert not keys.has_keyring(path)


def test_made_up_registers_stay_plaintext(tmp_path):
    from docassist.services.demo import generate
    from tests.services.test_demo_register import CHECKLISTS

    path = tmp_path / "demo.db"
    db = open_database(path)
    generate(Context(db, today=lambda: TODAY), households=2, seed=1, checklists=CHECKLISTS)
    db.close()
    ctx, session = accounts.open_signed_in(path, "Senad Coordinator", DEMO_PASSPHRASE)
    ctx.db.close()
    with pytest.raises(NotAllowedError, match="made-up"):
        accounts.encrypt_register(path, session, DEMO_PASSPHRASE)
    assert accounts.register_notices(path) == []


# --- files and notices --------------------------------------------------------------------


def test_notices_before_opening(made, path, tmp_path):
    assert accounts.register_notices(path) == []
    os.chmod(path, 0o644)
    os.chmod(keys.keyring_path(path), 0o644)
    [opened] = accounts.register_notices(path)
    assert str(path) in opened.render() and "now yours only" in opened.render()
    assert os.stat(path).st_mode & 0o077 == 0
    assert os.stat(keys.keyring_path(path)).st_mode & 0o077 == 0
    assert accounts.register_notices(path) == []  # said once: fixed now
    plain = accounts.create_register(tmp_path / "plain.db", "Senad", PASS, encrypt=False)
    plain.context.db.close()
    [unencrypted] = accounts.register_notices(tmp_path / "plain.db")
    assert "db encrypt" in unencrypted.render()


def test_verify_file_reads_without_writing(made, path, clock):
    made.context.db.close()
    before = path.read_bytes()
    access = accounts.verify_file(path, lambda: "Senad Koordinator", lambda: PASS, now=clock.now)
    assert access.session is not None and access.session.name == "Senad Koordinator"
    assert access.db_key == keys.unlock_with_recovery(path, made.recovery_key)
    assert access.db_key.hex() not in repr(access)
    with pytest.raises(SignInError):
        accounts.verify_file(path, lambda: "Senad Koordinator", lambda: "nope nope nope")
    assert path.read_bytes() == before


def test_the_wait_is_known_before_the_register_is_opened(made, path, clock, tmp_path):
    for _ in range(5):
        with pytest.raises(SignInError):
            _open(path, clock, "Senad Koordinator", "wrong wrong wrong")
    clock.advance(1)
    assert accounts.wait_before_signing_in(path, "senad koordinator", now=clock.now) == 1
    assert accounts.wait_before_next_try(made.context, "Senad Koordinator") == 1
    assert accounts.wait_before_signing_in(path, "Someone Else", now=clock.now) == 0
    plain = tmp_path / "plain.db"
    accounts.create_register(plain, "Senad", PASS, encrypt=False).context.db.close()
    for _ in range(5):
        with pytest.raises(SignInError):
            accounts.open_signed_in(plain, "Senad", "wrong wrong wrong", now=clock.now)
    assert accounts.wait_before_signing_in(plain, "Senad", now=clock.now) == 2
    assert accounts.wait_before_signing_in(tmp_path / "none.db", "Senad") == 0
