"""Backups of an encrypted register, restoring them, and encrypting a plaintext one."""

from __future__ import annotations

import errno
import os
import stat
from datetime import UTC, datetime

import pytest

import docassist.store.backup as store_backup
from docassist.services import households as hh
from docassist.services.context import Context
from docassist.store import engine, keys
from docassist.store.backup import backup_database, encrypt_database, restore_database
from docassist.store.db import (
    DamagedDatabaseError,
    EncryptedDatabaseError,
    StoreError,
    check_database,
    count_records,
    keyring_path,
    open_database,
)
from docassist.store.engine import Header

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
NAME = "Bajramović"


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _add(path, key, family: str) -> None:
    db = open_database(path, key=key)
    try:
        hh.register_household(
            Context(db),
            hh.HouseholdInput(family, settlement="Mali Leskovac"),
            [hh.PersonInput("Zlatija", family, birth_date="1990")],
        )
    finally:
        db.close()


def _families(path, key) -> list[str]:
    db = open_database(path, key=key, create=False)
    try:
        return sorted(r[0] for r in db.execute("SELECT family_name FROM households"))
    finally:
        db.close()


@pytest.fixture
def register(tmp_path):
    path = tmp_path / "data" / "docassist.db"
    key, _ = keys.create_keyring(path)
    keys.add_user_key(path, "Senad", "tri mala praseta", key)
    _add(path, key, NAME)
    return path, key


# --- backups --------------------------------------------------------------------------


def _copies(tmp_path):
    """The folder a backup is named to go in: there, as one the user names must be
    (it is never made: a stick not plugged in gets no folders on the laptop)."""
    copies = tmp_path / "copies"
    copies.mkdir(exist_ok=True)
    return copies


def test_a_backup_is_encrypted_checked_and_has_its_key_file(register, tmp_path, umask_022):
    path, key = register
    copies = _copies(tmp_path)
    copy = backup_database(path, copies, key)
    assert engine.header(copy) is Header.OTHER
    assert NAME.encode() not in copy.read_bytes() and b"bajramovic" not in copy.read_bytes()
    assert keys.keyring_matches(copy, key)
    for made in (copy, keyring_path(copy)):
        assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert stat.S_IMODE(copies.stat().st_mode) == 0o755  # the user's folder, left as it is
    assert check_database(copy, key) == []
    assert _families(copy, key) == [NAME]
    # Without its key, the copy is refused as encrypted (its key file is beside it).
    with pytest.raises(EncryptedDatabaseError):
        check_database(copy)
    # It opens with a passphrase that was valid when it was made.
    keys.set_passphrase(path, "Senad", "posle", key)
    assert keys.unlock(copy, "Senad", "tri mala praseta", now=NOW) == key


def test_a_backup_folder_docassist_owns_is_made_owner_only(register, tmp_path, umask_022):
    path, key = register
    ours = tmp_path / "backups"
    ours.mkdir(mode=0o755)
    backup_database(path, ours, key, fix_folder=True)
    assert stat.S_IMODE(ours.stat().st_mode) == 0o700
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o755)
    copy = backup_database(path, theirs, key)
    assert stat.S_IMODE(theirs.stat().st_mode) == 0o755
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600


def test_a_plaintext_register_backs_up_as_before(tmp_path):
    path = tmp_path / "plain.db"
    _add(path, None, NAME)
    copy = backup_database(path, tmp_path / "copy.db")
    assert engine.header(copy) is Header.PLAINTEXT and not keyring_path(copy).exists()
    assert _families(copy, None) == [NAME]


def test_a_backup_is_not_made_with_a_key_its_key_file_does_not_wrap(register, tmp_path):
    path, key = register
    keyring_path(path).unlink()
    with pytest.raises(keys.KeyringError):
        backup_database(path, tmp_path / "copy.db", key)
    assert not (tmp_path / "copy.db").exists()


def test_a_failed_encrypted_copy_leaves_no_copy_and_no_key_file(register, tmp_path, monkeypatch):
    path, key = register

    monkeypatch.setattr(store_backup, "_encrypted_problems", lambda conn: ["page 3"])
    with pytest.raises(DamagedDatabaseError):
        backup_database(path, _copies(tmp_path), key)
    assert list((tmp_path / "copies").iterdir()) == []


# --- restore --------------------------------------------------------------------------


def test_an_encrypted_backup_is_restored_and_keeps_newer_passphrases(register, tmp_path):
    path, key = register
    copy = backup_database(path, _copies(tmp_path), key)
    _add(path, key, "Ćurić")
    keys.set_passphrase(path, "Senad", "posle kopije", key)  # changed after the backup
    kept = restore_database(copy, path, tmp_path / "backups", key)
    assert _families(path, key) == [NAME]
    assert _families(kept, key) == [NAME, "Ćurić"]
    assert keys.keyring_matches(kept, key)  # the replaced register's key file, kept too
    # The register's own key file stayed: the passphrase set since the backup works.
    assert keys.unlock(path, "Senad", "posle kopije", now=NOW) == key
    assert stat.S_IMODE((tmp_path / "backups").stat().st_mode) == 0o700


def test_a_backup_of_another_register_brings_its_own_key_file(register, tmp_path):
    path, key = register
    other = tmp_path / "other" / "docassist.db"
    other_key, _ = keys.create_keyring(other)
    _add(other, other_key, "Ćurić")
    copy = backup_database(other, _copies(tmp_path), other_key)
    kept = restore_database(copy, path, tmp_path / "backups", other_key, register_key=key)
    assert _families(path, other_key) == ["Ćurić"]
    assert keys.keyring_matches(path, other_key)
    assert _families(kept, key) == [NAME] and keys.keyring_matches(kept, key)


def test_a_backup_without_a_key_file_that_opens_it_is_refused(register, tmp_path):
    path, key = register
    other = tmp_path / "other" / "docassist.db"
    other_key, _ = keys.create_keyring(other)
    _add(other, other_key, "Ćurić")
    copy = backup_database(other, _copies(tmp_path), other_key)
    keyring_path(copy).unlink()
    before = path.read_bytes()
    with pytest.raises(keys.NoKeyringError) as refused:
        restore_database(copy, path, tmp_path / "backups", other_key, register_key=key)
    assert "Nothing was changed" in refused.value.render()
    assert path.read_bytes() == before and keys.keyring_matches(path, key)


def test_a_plaintext_backup_over_an_encrypted_register(register, tmp_path):
    path, key = register
    plain = tmp_path / "old.db"
    _add(plain, None, "Ćurić")
    kept = restore_database(plain, path, tmp_path / "backups", register_key=key)
    assert _families(path, None) == ["Ćurić"]
    assert not keyring_path(path).exists()  # it opened nothing any more
    assert keys.keyring_matches(kept, key) and _families(kept, key) == [NAME]


def test_a_restore_is_refused_while_the_app_has_the_encrypted_register_open(register, tmp_path):
    path, key = register
    copy = backup_database(path, _copies(tmp_path), key)
    app = open_database(path, key=key)
    try:
        with pytest.raises(StoreError) as refused:
            restore_database(copy, path, tmp_path / "backups", key)
        assert "open in docassist" in refused.value.render()
    finally:
        app.close()


# --- encrypting a plaintext register --------------------------------------------------


@pytest.fixture
def plaintext(tmp_path):
    path = tmp_path / "data" / "docassist.db"
    for family in (NAME, "Ćurić", "Јовановић"):
        _add(path, None, family)
    db = open_database(path)  # left with a -wal, as after a day's work
    db.execute("UPDATE meta SET value = value")
    db.close()
    return path


def test_a_plaintext_register_is_encrypted_whole(plaintext, umask_022):
    path = plaintext
    counts = count_records(path)
    key, _ = keys.create_keyring(path)
    encrypt_database(path, key)
    assert engine.header(path) is Header.OTHER
    assert NAME.encode() not in path.read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir() if not p.name.startswith(".")) == [
        "docassist.db",
        "docassist.db.keys",
    ]
    # no half-made files (the lock files stay, empty: see store/db.py lock_file)
    half_made = [p for p in path.parent.glob(".docassist.db.*") if not p.name.endswith(".lock")]
    assert half_made == []
    assert check_database(path, key) == []
    assert count_records(path, key) == counts
    db = open_database(path, key=key)
    try:  # the full-text index came along
        assert [h.family_name for h in hh.find_households(Context(db), "jovanovic")] == [
            "Јовановић"
        ]
    finally:
        db.close()


def test_encrypting_needs_the_key_file_first(plaintext):
    before = plaintext.read_bytes()
    with pytest.raises(keys.NoKeyringError):
        encrypt_database(plaintext, keys.new_database_key())
    assert plaintext.read_bytes() == before


def test_an_encrypted_register_is_not_encrypted_again(register):
    path, key = register
    with pytest.raises(StoreError):
        encrypt_database(path, key)


def _counters_left_out(data: bytes) -> bytes:
    # Bytes 24-27 and 92-95 of the header count SQLite's own changes to the file (taking
    # it out of WAL mode and back); every other byte, the pages included, must be equal.
    return data[:24] + data[28:92] + data[96:]


def _untouched(path, before: bytes) -> None:
    assert engine.header(path) is Header.PLAINTEXT
    assert _counters_left_out(path.read_bytes()) == _counters_left_out(before)
    assert [p.name for p in path.parent.glob(".docassist.db.*") if "lock" not in p.name] == []
    assert check_database(path) == []


@pytest.mark.parametrize("how", ["disk full", "short write", "rows differ"])
def test_a_failed_encryption_leaves_the_register_as_it_was(plaintext, monkeypatch, how):
    path = plaintext
    key, _ = keys.create_keyring(path)
    open_database(path).close()  # the -wal written in: what "as it was" is
    before = path.read_bytes()
    real_export = engine.export_encrypted

    def export(plain, target, key):
        if how == "disk full":
            target.write_bytes(b"x" * 100)
            raise OSError(errno.ENOSPC, "No space left on device")
        counts = real_export(plain, target, key)
        if how == "short write":  # the end of the copy never reached the disk
            with target.open("r+b") as f:
                f.truncate(target.stat().st_size // 2)
        if how == "rows differ":  # a household the copy does not have
            db = engine.connect(str(target), key)
            db.execute("DELETE FROM households WHERE rowid = (SELECT max(rowid) FROM households)")
            db.close()
        return counts

    monkeypatch.setattr(engine, "export_encrypted", export)
    with pytest.raises((OSError, StoreError)) as failed:
        encrypt_database(path, key)
    if how != "disk full":
        assert isinstance(failed.value, store_backup.EncryptionFailedError)
        assert "left as it was" in failed.value.render()
    if how == "rows differ":
        assert "rows of households: 2 instead of 3" in failed.value.render()
    monkeypatch.undo()
    _untouched(path, before)
    encrypt_database(path, key)  # and once the cause is gone, it works
    assert check_database(path, key) == []


def test_encryption_is_refused_while_the_app_has_the_register_open(plaintext):
    key, _ = keys.create_keyring(plaintext)
    app = open_database(plaintext)
    try:
        with pytest.raises(StoreError) as refused:
            encrypt_database(plaintext, key)
        assert "open in docassist" in refused.value.render()
    finally:
        app.close()
    assert engine.header(plaintext) is Header.PLAINTEXT


def test_a_killed_encrypted_backup_leaves_no_key_file_behind(register, tmp_path):
    path, key = register
    copies = tmp_path / "copies"
    copies.mkdir()
    # What a backup killed halfway left: its reserved name, the partial copy, and the
    # key file it copies first.
    reserved = copies / "docassist-20310215-100000.db"
    reserved.touch()
    (copies / ".docassist-20310215-100000.db.part").write_bytes(b"half a copy")
    keys.copy_keyring(path, reserved)
    made = backup_database(path, copies, key)
    assert sorted(p.name for p in copies.iterdir()) == [made.name, made.name + ".keys"]


def test_nothing_is_written_over_the_key_file(register):
    from docassist.store.db import refuse_overwrite

    path, _ = register
    with pytest.raises(StoreError):
        refuse_overwrite(keyring_path(path), path)


def test_what_a_killed_encryption_left_is_deleted_at_the_next_open(plaintext):
    from docassist.store.db import encryption_files

    plain, encrypted = encryption_files(plaintext)
    plain.write_bytes(plaintext.read_bytes())  # a full plaintext copy, left by a kill
    plain.with_name(f".{plain.name}.part").write_bytes(b"half of it")
    encrypted.write_bytes(b"random-looking bytes")
    open_database(plaintext).close()
    assert not plain.exists() and not encrypted.exists()
    assert not plain.with_name(f".{plain.name}.part").exists()
