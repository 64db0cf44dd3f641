"""The keyring: one database key, wrapped per user and once with the recovery key."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docassist.store import keys
from docassist.store.db import keyring_path, open_database

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.fixture
def register(tmp_path):
    """An encrypted register with one user, Senad, and the recovery key's text."""
    path = tmp_path / "docassist.db"
    db_key, recovery = keys.create_keyring(path)
    keys.add_user_key(path, "Senad Hodžić", "tri mala praseta", db_key)
    db = open_database(path, key=db_key)
    db.execute("INSERT INTO meta(key, value) VALUES ('family', 'Bajramović')")
    db.close()
    return path, db_key, recovery


def _family(path, db_key) -> str:
    db = open_database(path, key=db_key)
    try:
        return db.execute("SELECT value FROM meta WHERE key = 'family'").fetchone()[0]
    finally:
        db.close()


def test_the_passphrase_unlocks_the_register(register):
    path, db_key, _ = register
    assert keys.unlock(path, "Senad Hodžić", "tri mala praseta", now=NOW) == db_key
    # the name as the command line finds users: either script, any case, no diacritics
    assert keys.unlock(path, "Сенад ХОДЖИЋ", "tri mala praseta", now=NOW) == db_key
    assert keys.unlock(path, "senad hodzic", "tri mala praseta", now=NOW) == db_key
    assert _family(path, db_key) == "Bajramović"


def test_the_key_file_is_owner_only_and_names_nobody(register, tmp_path):
    path, db_key, recovery = register
    keyring = keyring_path(path)
    assert keyring == tmp_path / "docassist.db.keys"
    assert stat.S_IMODE(keyring.stat().st_mode) == 0o600
    text = keyring.read_text()
    for secret in ("Senad", "senad", "Hodžić", "hodzic", db_key.hex(), recovery[:9]):
        assert secret not in text
    assert list(tmp_path.glob(".*.tmp")) == []  # the temporary file was renamed


def test_an_unknown_name_and_a_wrong_passphrase_are_refused_alike(register, monkeypatch):
    path, _, _ = register
    derived = []
    real = keys.KDF

    class Counting(keys.Argon2id):
        def derive(self, passphrase, salt):
            derived.append(passphrase)
            return real.derive(passphrase, salt)

    monkeypatch.setattr(keys, "KDF", Counting(real.memory_kib, real.time_cost, real.parallelism))
    with pytest.raises(keys.SignInError) as unknown:
        keys.unlock(path, "Ana Trainee", "tri mala praseta", now=NOW)
    with pytest.raises(keys.SignInError) as wrong:
        keys.unlock(path, "Senad Hodžić", "cetiri mala praseta", now=NOW)
    with pytest.raises(keys.SignInError) as nameless:
        keys.unlock(path, "  ", "tri mala praseta", now=NOW)
    assert type(unknown.value) is type(wrong.value) is type(nameless.value)
    assert unknown.value.render() == wrong.value.render() == nameless.value.render()
    assert "Senad" not in unknown.value.render() and "Ana" not in unknown.value.render()
    # An unknown name costs a derivation too (Senad's entry has its own stored figures,
    # derived through Argon2id.from_json): the time taken does not say who exists.
    assert derived == ["tri mala praseta", "tri mala praseta"]


def test_the_recovery_key_as_typed_opens_the_register(register):
    path, db_key, recovery = register
    assert len(recovery.split("-")) == 13 and all(len(g) == 4 for g in recovery.split("-"))
    typed = " ".join(recovery.replace("-", "").lower()[i : i + 3] for i in range(0, 52, 3))
    assert keys.unlock_with_recovery(path, typed) == db_key
    # ... and sets a new passphrase for someone who forgot theirs
    keys.set_passphrase(path, "Senad Hodžić", "novi početak", db_key)
    assert keys.unlock(path, "Senad Hodžić", "novi početak", now=NOW) == db_key
    with pytest.raises(keys.SignInError):
        keys.unlock(path, "Senad Hodžić", "tri mala praseta", now=NOW)


def test_a_recovery_key_that_is_not_one_or_not_this_ones_is_refused(register, tmp_path):
    path, _, _ = register
    with pytest.raises(keys.RecoveryKeyError) as malformed:
        keys.unlock_with_recovery(path, "ABCD-EFGH")
    assert "13 groups of 4" in malformed.value.render()
    _, other = keys.create_keyring(tmp_path / "other.db")
    with pytest.raises(keys.RecoveryKeyError) as wrong:
        keys.unlock_with_recovery(path, other)
    assert "does not open" in wrong.value.render()


def test_a_wrong_recovery_key_is_counted_until_taken_and_a_slip_is_not(register, tmp_path):
    path, db_key, recovery = register
    _, other = keys.create_keyring(tmp_path / "other.db")
    for minutes in (0, 1):
        with pytest.raises(keys.RecoveryKeyError):
            keys.unlock_with_recovery(path, other, now=NOW + timedelta(minutes=minutes))
    with pytest.raises(keys.RecoveryKeyError):
        keys.unlock_with_recovery(path, "ABCD-EFGH", now=NOW)  # not a recovery key at all
    assert keys.unlock_with_recovery(path, recovery, now=NOW) == db_key
    text = keyring_path(path).read_text()
    assert other.replace("-", "") not in text and "ABCD" not in text
    assert keys.take_recovery_failures(path) == [NOW, NOW + timedelta(minutes=1)]
    assert keys.take_recovery_failures(path) == []


def test_a_new_recovery_key_replaces_the_old_one(register):
    path, db_key, old = register
    new = keys.new_recovery_key(path, db_key)
    assert keys.unlock_with_recovery(path, new) == db_key
    with pytest.raises(keys.RecoveryKeyError):
        keys.unlock_with_recovery(path, old)


def test_a_joining_laptops_key_is_sealed_to_the_organisations_recovery_key(register, tmp_path):
    """A joined laptop's key file is made from the public half of the recovery key
    only: that recovery key opens it, another does not, and nothing in the file does."""
    path, _, recovery = register
    public = keys.recovery_public_key(path)
    assert public is not None and len(public) == 32
    laptop = tmp_path / "laptop.db"
    db_key = keys.create_sealed_keyring(laptop, public)
    keys.add_user_key(laptop, "Senad Hodžić", "moja lozinka ovde", db_key)
    assert keys.unlock_with_recovery(laptop, recovery) == db_key
    assert keys.unlock(laptop, "senad hodzic", "moja lozinka ovde", now=NOW) == db_key
    assert keys.recovery_public_key(laptop) == public  # passed on by the next join
    _, other = keys.create_keyring(tmp_path / "other.db")
    with pytest.raises(keys.RecoveryKeyError):
        keys.unlock_with_recovery(laptop, other)
    text = keyring_path(laptop).read_text()
    assert db_key.hex() not in text and recovery.replace("-", "") not in text
    # a new recovery key of the laptop's own replaces the sealed entry and its public half
    new = keys.new_recovery_key(laptop, db_key)
    assert keys.unlock_with_recovery(laptop, new) == db_key
    assert keys.recovery_public_key(laptop) != public


def test_a_passphrase_change_leaves_the_register_readable(register):
    path, db_key, _ = register
    before = path.read_bytes()
    old, new = "tri mala praseta", "dva bela goluba"
    got = keys.change_passphrase(path, "Senad Hodžić", old, new, now=NOW)
    assert got == db_key
    assert path.read_bytes() == before  # the register was not re-encrypted
    key = keys.unlock(path, "Senad Hodžić", "dva bela goluba", now=NOW)
    assert _family(path, key) == "Bajramović"
    with pytest.raises(keys.SignInError):
        keys.change_passphrase(path, "Senad Hodžić", "tri mala praseta", "x", now=NOW)


def test_failures_are_free_five_times_then_each_try_waits_longer(register):
    path, db_key, _ = register
    at = NOW
    waits = []
    for _ in range(11):
        assert keys.retry_after(path, "Senad Hodžić", now=at) == 0
        with pytest.raises(keys.SignInError) as failed:
            keys.unlock(path, "Senad Hodžić", "wrong", now=at)
        waits.append(failed.value.retry_after)
        if failed.value.retry_after:
            # Trying again too soon is refused without even trying the passphrase.
            soon = at + timedelta(seconds=failed.value.retry_after - 1)
            with pytest.raises(keys.WaitError) as early:
                keys.unlock(path, "Senad Hodžić", "tri mala praseta", now=soon)
            assert early.value.seconds == 1
            assert "wait 1 s" in early.value.render()
        at += timedelta(seconds=failed.value.retry_after)
    assert waits == [0, 0, 0, 0, 2, 4, 8, 16, 32, 60, 60]
    # The other names are not slowed down by Senad's failures.
    assert keys.retry_after(path, "Ana", now=at) == 0
    # A success clears the count, and the failures wait for the audit trail.
    assert keys.unlock(path, "Senad Hodžić", "tri mala praseta", now=at) == db_key
    assert keys.retry_after(path, "Senad Hodžić", now=at) == 0
    failures = keys.take_failures(path, "senad hodzic")
    assert len(failures) == 11 and failures[0] == NOW
    assert keys.take_failures(path, "Senad Hodžić") == []


def test_an_unknown_name_is_slowed_down_like_a_known_one(register):
    path, _, _ = register
    for _ in range(5):
        with pytest.raises(keys.SignInError):
            keys.unlock(path, "Nobody", "guess", now=NOW)
    with pytest.raises(keys.WaitError):
        keys.unlock(path, "Nobody", "guess", now=NOW)


def test_the_failures_kept_stay_bounded(register, monkeypatch):
    path, _, _ = register
    monkeypatch.setattr(keys, "_KEEP_FAILURES", 3)
    monkeypatch.setattr(keys, "FREE_FAILURES", 100)
    for n in range(6):
        with pytest.raises(keys.SignInError):
            keys.unlock(path, "Senad Hodžić", "wrong", now=NOW + timedelta(minutes=n))
    assert keys.take_failures(path, "Senad Hodžić") == [
        NOW + timedelta(minutes=n) for n in (3, 4, 5)
    ]


def test_users_are_added_renamed_and_removed(register):
    path, db_key, _ = register
    keys.add_user_key(path, "Milica", "sunce na prozoru", db_key)
    with pytest.raises(keys.UserKeyExistsError):
        keys.add_user_key(path, "MILICA", "drugo", db_key)
    assert keys.has_user_key(path, "Милица") and not keys.has_user_key(path, "Ana")
    keys.rename_user_key(path, "Milica", "Milica Jovanović")
    assert keys.unlock(path, "Milica Jovanović", "sunce na prozoru", now=NOW) == db_key
    assert keys.remove_user_key(path, "Milica Jovanović")
    assert not keys.remove_user_key(path, "Milica Jovanović")
    with pytest.raises(keys.SignInError):
        keys.unlock(path, "Milica Jovanović", "sunce na prozoru", now=NOW)
    assert keys.unlock(path, "Senad Hodžić", "tri mala praseta", now=NOW) == db_key


def test_only_the_registers_own_key_can_be_wrapped(register):
    path, _, _ = register
    with pytest.raises(keys.KeyringError):
        keys.add_user_key(path, "Milica", "sunce", keys.new_database_key())
    assert not keys.keyring_matches(path, keys.new_database_key())


def test_an_entry_keeps_the_figures_it_was_made_with(register, monkeypatch):
    path, db_key, _ = register
    monkeypatch.setattr(keys, "KDF", keys.Argon2id(memory_kib=2048, time_cost=2, parallelism=2))
    keys.add_user_key(path, "Milica", "sunce", db_key)
    monkeypatch.setattr(keys, "KDF", keys.Argon2id(memory_kib=4096, time_cost=1, parallelism=1))
    assert keys.unlock(path, "Milica", "sunce", now=NOW) == db_key
    assert keys.unlock(path, "Senad Hodžić", "tri mala praseta", now=NOW) == db_key
    entries = json.loads(keyring_path(path).read_text())["users"].values()
    assert sorted(e["kdf"]["m"] for e in entries) == [1024, 2048]


def test_a_passphrase_is_the_same_however_its_letters_were_typed(register):
    path, db_key, _ = register
    keys.set_passphrase(path, "Senad Hodžić", "\u010dokolada", db_key)  # precomposed č
    assert keys.unlock(path, "Senad Hodžić", "c\u030cokolada", now=NOW) == db_key  # c + caron


def test_a_missing_or_damaged_key_file_is_said_so(register, tmp_path):
    path, db_key, _ = register
    with pytest.raises(keys.NoKeyringError) as missing:
        keys.unlock(tmp_path / "elsewhere.db", "Senad Hodžić", "x", now=NOW)
    assert "elsewhere.db.keys" in missing.value.render()
    keyring_path(path).write_text('{"format": "docassist-keyring", "version": 1}')
    with pytest.raises(keys.DamagedKeyringError):
        keys.unlock(path, "Senad Hodžić", "tri mala praseta", now=NOW)
    keyring_path(path).write_text("not json")
    with pytest.raises(keys.DamagedKeyringError):
        keys.has_user_key(path, "Senad Hodžić")
    assert not keys.keyring_matches(path, db_key)


def test_a_key_file_is_not_replaced_beside_an_encrypted_register(register):
    path, db_key, _ = register
    with pytest.raises(keys.KeyringExistsError):
        keys.create_keyring(path)
    assert keys.keyring_matches(path, db_key)


def test_a_key_file_left_beside_a_plaintext_register_is_replaced(tmp_path):
    path = tmp_path / "docassist.db"
    open_database(path).close()
    stale, _ = keys.create_keyring(path)  # an encryption that never happened
    fresh, _ = keys.create_keyring(path)
    assert keys.keyring_matches(path, fresh) and not keys.keyring_matches(path, stale)


def test_a_copy_of_the_key_file_opens_with_the_passphrases_of_its_day(register, tmp_path):
    path, db_key, _ = register
    copy = tmp_path / "backups" / "docassist-1.db"
    copy.parent.mkdir()
    assert keys.copy_keyring(path, copy) == tmp_path / "backups" / "docassist-1.db.keys"
    keys.set_passphrase(path, "Senad Hodžić", "posle kopije", db_key)
    assert keys.unlock(copy, "Senad Hodžić", "tri mala praseta", now=NOW) == db_key
    assert stat.S_IMODE(keyring_path(copy).stat().st_mode) == 0o600


_NOISE = st.sampled_from(["", " ", "-", "  ", "\t", "_"])


@given(
    secret=st.binary(min_size=32, max_size=32),
    cases=st.lists(st.booleans(), min_size=52, max_size=52),
    noise=st.lists(_NOISE, min_size=52, max_size=52),
)
def test_the_recovery_key_text_round_trips_however_it_is_typed(secret, cases, noise):
    text = keys.format_recovery_key(secret)
    assert keys.parse_recovery_key(text) == secret
    letters = text.replace("-", "")
    assert len(letters) == 52 and set(letters) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    typed = "".join(
        (c.lower() if low else c) + gap for c, low, gap in zip(letters, cases, noise, strict=True)
    )
    assert keys.parse_recovery_key(typed) == secret
    # Misread from paper: 0 for O, 1 for I, 8 for B.
    misread = letters.replace("O", "0").replace("I", "1").replace("B", "8")
    assert keys.parse_recovery_key(misread) == secret


@given(st.text(max_size=60))
def test_anything_else_typed_as_a_recovery_key_is_refused_calmly(text):
    try:
        secret = keys.parse_recovery_key(text)
    except keys.RecoveryKeyError:
        return
    assert len(secret) == 32
