"""Backups of the register, and restoring one: nothing lost either way."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from docassist.cli import main
from docassist.services.context import Context
from docassist.services.households import HouseholdInput, register_household
from docassist.store.db import StoreError
from tests.cli.support import connect, open_register


def _families(path) -> list[str]:
    with connect(path) as conn:
        return sorted(r[0] for r in conn.execute("SELECT family_name FROM households"))


def _audit(path, action) -> int:
    with connect(path) as conn:
        return conn.execute("SELECT count(*) FROM audit_log WHERE action = ?", [action]).fetchone()[
            0
        ]


@pytest.fixture
def register(tmp_path, monkeypatch):
    from tests.cli.support import new_register, sign_in_as

    path = tmp_path / "docassist.db"
    ctx = new_register(path, "Vesna")  # as docassist init makes it: encrypted
    sign_in_as(monkeypatch, "Vesna")
    register_household(ctx, HouseholdInput("Ramić"))
    # Left open, as the app would have it: the backup must still see this family,
    # which may be only in the -wal file so far.
    yield path, ctx
    ctx.db.close()


def test_backup_while_the_app_is_open_then_restore_after_a_loss(register, tmp_path, capsys):
    path, ctx = register
    (tmp_path / "copies").mkdir()  # a folder the user names is never made
    assert main(["--db", str(path), "db", "backup", "--output", str(tmp_path / "copies")]) == 0
    [copy] = (tmp_path / "copies").glob("docassist-*.db")
    assert _families(copy) == ["Ramić"]
    assert "personal data" in capsys.readouterr().out
    ctx.db.close()

    # Later: a family registered after the backup, then the restore.
    db = open_register(path)
    register_household(Context(db), HouseholdInput("Bekić"))
    db.close()
    assert main(["--db", str(path), "db", "restore", str(copy)]) == 0
    out = capsys.readouterr().out
    assert _families(path) == ["Ramić"]
    # The replaced register is kept: the restore itself can be undone.
    [kept] = _kept()
    assert _families(kept) == ["Bekić", "Ramić"]
    assert str(kept) in out
    assert _audit(path, "restore") == 1 and _audit(path, "backup") == 1


def _kept():
    from docassist.locations import backups_dir

    return list(backups_dir().glob("before-restore-*.db"))


def test_restore_is_refused_while_the_register_is_open(register, tmp_path, capsys):
    path, _ctx = register
    copy = tmp_path / "copy.db"
    assert main(["--db", str(path), "db", "backup", "--output", str(copy)]) == 0
    assert main(["--db", str(path), "db", "restore", str(copy)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is open in docassist" in err[0]
    assert _families(path) == ["Ramić"]


def test_a_damaged_backup_is_refused_and_the_register_untouched(register, tmp_path, capsys):
    path, ctx = register
    ctx.db.close()
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    before = path.read_bytes()
    assert main(["--db", str(path), "db", "restore", str(bad)]) == 2
    assert path.read_bytes() == before
    assert not list(tmp_path.glob(".*restoring*"))


def test_a_backup_cannot_overwrite_the_register(register):
    from docassist.store.backup import backup_database

    path, _ctx = register
    with pytest.raises(StoreError):
        backup_database(path, path)


def test_two_restores_in_one_second_keep_both_replaced_registers(register, tmp_path):
    import time_machine

    path, ctx = register
    ctx.db.close()
    copy = tmp_path / "copy.db"
    assert main(["--db", str(path), "db", "backup", "--output", str(copy)]) == 0
    with time_machine.travel("2031-02-15 10:00:00", tick=False):
        assert main(["--db", str(path), "db", "restore", str(copy)]) == 0
        db = open_register(path)
        register_household(Context(db), HouseholdInput("Bekić"))
        db.close()
        assert main(["--db", str(path), "db", "restore", str(copy)]) == 0
    kept = _kept()
    assert len(kept) == 2
    assert sorted(len(_families(k)) for k in kept) == [1, 2]


def test_two_backups_in_one_second_are_two_files(register, tmp_path):
    import time_machine

    path, _ctx = register
    (tmp_path / "c").mkdir()  # a folder the user names is never made
    with time_machine.travel("2031-02-15 10:00:00", tick=False):
        for _ in range(2):
            assert main(["--db", str(path), "db", "backup", "--output", str(tmp_path / "c")]) == 0
    assert len(list((tmp_path / "c").glob("docassist-*.db"))) == 2


@pytest.mark.parametrize("kind", ["foreign", "empty"])
def test_a_database_docassist_did_not_write_is_not_restored(register, tmp_path, capsys, kind):
    path, ctx = register
    ctx.db.close()
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)" if kind == "foreign" else "PRAGMA user_version = 0")
        conn.execute("VACUUM")
    before = path.read_bytes()
    assert main(["--db", str(path), "db", "restore", str(other)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert str(other) in line and "not a docassist register" in line
    assert path.read_bytes() == before and not _kept()


def test_a_backup_from_a_newer_docassist_is_refused_by_its_own_name(register, tmp_path, capsys):
    path, ctx = register
    ctx.db.close()
    newer = tmp_path / "newer.db"
    assert main(["--db", str(path), "db", "backup", "--output", str(newer)]) == 0
    with connect(newer) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
            " VALUES ('docassist', '9999_future', '2040-01-01')"
        )
    assert main(["--db", str(path), "db", "restore", str(newer)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert str(newer) in line and "newer version" in line and "restoring" not in line


def test_nothing_opens_or_writes_the_register_while_it_is_restored(
    register, tmp_path, capsys, monkeypatch
):
    """An app opening the register inside the restore kept writing into the replaced
    file: every one of its writes was lost, and the restore said it succeeded."""
    import docassist.store.backup as store_backup
    from docassist.store.db import RestoringError
    from docassist.store.db import connect as store_connect
    from docassist.store.engine import OperationalErrors
    from tests.cli.support import key_of

    path, ctx = register
    ctx.db.close()
    copy = tmp_path / "copy.db"
    assert main(["--db", str(path), "db", "backup", "--output", str(copy)]) == 0
    capsys.readouterr()
    seen = {}
    reserve = store_backup.dated_file

    def meanwhile(folder, prefix="docassist"):  # inside the restore, before the rename
        with pytest.raises(RestoringError):
            open_register(path)
        seen["report"] = main(["--db", str(path), "report"])
        seen["err"] = capsys.readouterr().err
        with pytest.raises(OperationalErrors):  # even SQLite itself cannot write
            other = store_connect(path, key, timeout=0)
            try:
                other.execute("INSERT INTO meta(key, value) VALUES ('lost', 'write')")
            finally:
                other.close()
        return reserve(folder, prefix)

    key = key_of(path)
    monkeypatch.setattr(store_backup, "dated_file", meanwhile)
    assert main(["--db", str(path), "db", "restore", str(copy)]) == 0
    assert seen["report"] == 2
    [line] = seen["err"].strip().splitlines()
    assert "being restored" in line and str(path) in line
    open_register(path).close()  # and after it, the register opens again


def _leftovers():
    """What a db backup killed halfway left: its reserved name and a full partial copy."""
    from docassist.locations import backups_dir

    folder = backups_dir()
    folder.mkdir(parents=True, exist_ok=True)
    reserved = folder / "docassist-20310215-100000.db"
    reserved.touch()
    partial = folder / ".docassist-20310215-100000.db.part"
    partial.write_bytes(b"SQLite format 3\x00 every family's name")
    return reserved, partial


def test_a_killed_backup_leaves_nothing_after_the_next_backup(register, tmp_path, monkeypatch):
    import stat

    import docassist.store.backup as store_backup

    path, _ctx = register
    reserved, partial = _leftovers()
    modes = []
    real_replace = os.replace

    def replace(src, dst):
        # os is one module: other writers (the catalogue cache) replace files too
        if Path(dst).parent == reserved.parent:
            modes.append(stat.S_IMODE(os.stat(src).st_mode))
        real_replace(src, dst)

    monkeypatch.setattr(store_backup.os, "replace", replace)
    assert main(["--db", str(path), "db", "backup"]) == 0
    assert not partial.exists() and not reserved.exists()
    # the key file copied beside it, then the copy: owner-only while half-written
    assert modes == [0o600, 0o600]
    [copy] = reserved.parent.glob("docassist-*.db")
    assert _families(copy) == ["Ramić"]


def test_the_app_start_cleans_a_killed_backup_but_not_one_being_written(
    tmp_path, monkeypatch, a_terminal
):
    import fcntl

    from docassist.ui.app import DocAssistApp

    reserved, partial = _leftovers()
    live = partial.with_name(".docassist-20310215-100001.db.part")
    live.write_bytes(b"being written")
    fd = os.open(live, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    monkeypatch.setattr(DocAssistApp, "run", lambda self: None)
    monkeypatch.setattr(DocAssistApp, "return_code", 0, raising=False)
    try:
        # a register not made yet: asked for, as a --db naming no file must be
        assert main(["--db", str(tmp_path / "r.db"), "run", "--new"]) == 0
    finally:
        os.close(fd)
    assert not partial.exists() and not reserved.exists() and live.exists()
