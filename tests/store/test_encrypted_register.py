"""An encrypted register at rest: no name in its files, every file owner-only."""

from __future__ import annotations

import os
import stat

import pytest

from docassist.services import households as hh
from docassist.services.context import Context
from docassist.store import keys
from docassist.store.db import (
    check_database,
    count_records,
    keyring_path,
    open_database,
    secure_register_files,
)

NAME = "Bajramović"
GIVEN = "Zlatija"
JMBG = "0101990715003"


@pytest.fixture
def umask_022():
    old = os.umask(0o022)  # what most laptops have: files 0644, folders 0755
    yield
    os.umask(old)


def _register_family(db) -> None:
    hh.register_household(
        Context(db),
        hh.HouseholdInput(NAME, settlement="Mali Leskovac", municipality="Čukarica"),
        [hh.PersonInput(GIVEN, NAME, birth_date="1990-01-01", jmbg=JMBG)],
    )


def _secrets() -> list[bytes]:
    words = (NAME, GIVEN, JMBG, "bajramovic", "zlatija", "Mali Leskovac")
    return [w.encode("utf-8") for w in words] + [NAME.encode("utf-16-le")]


def _found(path) -> list[bytes]:
    data = path.read_bytes()
    return [s for s in _secrets() if s in data]


def test_no_name_is_found_in_the_register_or_its_wal(tmp_path):
    path = tmp_path / "register.db"
    plain = tmp_path / "plain.db"
    key, _ = keys.create_keyring(path)
    for where, with_key in ((path, key), (plain, None)):
        db = open_database(where, key=with_key)
        _register_family(db)
        # Left open, as the app has it: the family is in the -wal file so far.
        wal = where.with_name(where.name + "-wal")
        assert wal.stat().st_size > 0
        if with_key is None:
            assert _found(wal)  # the search can find what is there in the clear
        else:
            assert _found(where) == [] and _found(wal) == []
            assert _found(keyring_path(where)) == []
        db.close()
    assert _found(path) == []  # after the checkpoint, in the file itself
    assert _found(plain)


def test_every_file_of_a_new_register_is_owner_only(tmp_path, umask_022):
    folder = tmp_path / "data" / "docassist"
    path = folder / "docassist.db"
    key, _ = keys.create_keyring(path)  # the first file, in folders made for it
    db = open_database(path, key=key)
    _register_family(db)
    files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}
    db.close()
    assert files["docassist.db"] == 0o600
    assert files["docassist.db-wal"] == 0o600
    assert files["docassist.db-shm"] == 0o600
    assert files["docassist.db.keys"] == 0o600
    assert all(mode == 0o600 for mode in files.values()), files
    for made in (folder, folder.parent):
        assert stat.S_IMODE(made.stat().st_mode) == 0o700


def test_folders_made_for_a_register_are_private_others_left_alone(tmp_path, umask_022):
    path = tmp_path / "new" / "deeper" / "docassist.db"
    open_database(path).close()
    for folder in (tmp_path / "new", tmp_path / "new" / "deeper"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    # A folder that was there is the user's (their Documents, a stick): left as it is.
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o755)
    open_database(theirs / "docassist.db").close()
    assert stat.S_IMODE(theirs.stat().st_mode) == 0o755
    assert stat.S_IMODE((theirs / "docassist.db").stat().st_mode) == 0o600


def test_a_register_readable_by_others_is_fixed_and_said_once(tmp_path, umask_022):
    path = tmp_path / "docassist.db"
    db = open_database(path)
    _register_family(db)
    for suffix in ("", "-wal", "-shm"):  # as an older docassist left them
        os.chmod(path.with_name(path.name + suffix), 0o644)
    found = secure_register_files(path)
    assert sorted(p.name for p in found.fixed) == [
        "docassist.db",
        "docassist.db-shm",
        "docassist.db-wal",
    ]
    assert not found.not_fixed and found
    for suffix in ("", "-wal", "-shm"):
        assert stat.S_IMODE(path.with_name(path.name + suffix).stat().st_mode) == 0o600
    assert not secure_register_files(path)  # once fixed, nothing more to say
    db.close()
    os.chmod(path, 0o640)
    open_database(path).close()  # opening fixes it too
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_check_reads_an_encrypted_register_with_its_key(tmp_path):
    path = tmp_path / "register.db"
    key, _ = keys.create_keyring(path)
    db = open_database(path, key=key)
    _register_family(db)
    db.close()
    assert check_database(path, key) == []
    assert count_records(path, key)["persons"] == 1
    # A page changed on disk is named by SQLCipher's authentication code.
    data = bytearray(path.read_bytes())
    page = 4096 * 3 + 100
    data[page] ^= 0xFF
    path.write_bytes(bytes(data))
    findings = check_database(path, key)
    assert findings and any("HMAC" in f or "page 4" in f for f in findings), findings
