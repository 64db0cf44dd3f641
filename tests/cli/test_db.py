"""``docassist db check``: missing, foreign and healthy files."""

from __future__ import annotations

from docassist.cli import main
from tests.cli.support import PASSPHRASE, add_user, connect, sign_in_as


def test_db_check_on_a_missing_file(capsys, tmp_path):
    assert main(["--db", str(tmp_path / "nope.db"), "db", "check"]) == 2
    err = capsys.readouterr().err
    assert "There is no database" in err and "Traceback" not in err


def test_db_check_on_a_foreign_file(capsys, tmp_path):
    path = tmp_path / "photo.db"
    path.write_bytes(b"\x89PNG not a database")
    assert main(["--db", str(path), "db", "check"]) == 2
    assert "not a docassist database" in capsys.readouterr().err


def test_db_check_healthy(capsys, tmp_path):
    path = tmp_path / "r.db"
    from docassist.store.db import open_database

    open_database(path).close()
    assert main(["--db", str(path), "db", "check"]) == 0
    assert "no damage" in capsys.readouterr().out


def test_db_check_says_what_it_checked_in_the_users_numbers(capsys, tmp_path):
    path = tmp_path / "demo.db"
    assert main(["--db", str(path), "demo", "--households", "300", "--no-run"]) == 0
    capsys.readouterr()
    with connect(path) as conn:
        people = conn.execute("SELECT count(*) FROM persons").fetchone()[0]
        audit = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    assert people >= 1000
    before = path.read_bytes()
    # a demo register's made-up users need no passphrase typed
    check = ["--db", str(path), "db", "check", "--user", "Senad Coordinator"]
    assert main(check) == 0
    line, trail = capsys.readouterr().out.strip().splitlines()
    assert f"The audit trail verifies up to entry {audit} of " in trail
    assert line.startswith(f"{path}: 300 households, {people:,} people, ")
    assert f"{audit:,} audit entries: no damage found" in line
    assert main(["--lang", "sr", *check]) == 0
    assert f"{people:,}".replace(",", ".") in capsys.readouterr().out
    assert path.read_bytes() == before


def test_db_backup_records_who_made_it(capsys, tmp_path, monkeypatch):
    path = tmp_path / "r.db"
    user_id = add_user(path, "Milica")
    argv = ["--db", str(path), "db", "backup", "--output", str(tmp_path / "copy.db")]
    assert main(argv) == 2  # nobody signed in: no copy
    assert "--user" in capsys.readouterr().err and not (tmp_path / "copy.db").exists()
    monkeypatch.setenv("DOCASSIST_PASSPHRASE", PASSPHRASE)
    assert main([*argv, "--user", "Milica"]) == 0
    with connect(path) as conn:
        rows = conn.execute("SELECT user_id FROM audit_log WHERE action = 'backup'").fetchall()
    assert rows == [(user_id,)]


def test_db_check_signs_in_without_writing(capsys, tmp_path, monkeypatch):
    from docassist.domain.model import Role

    path = tmp_path / "r.db"
    add_user(path, "Milica")
    add_user(path, "Ana", Role.TRAINEE)
    before = path.read_bytes()
    sign_in_as(monkeypatch, "Milica", "not the passphrase")
    assert main(["--db", str(path), "db", "check"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert "do not match" in line and "Milica" not in line and "Ana" not in line
    sign_in_as(monkeypatch, "Ana")
    assert main(["--db", str(path), "db", "check"]) == 2
    assert "Trainees" in capsys.readouterr().err
    sign_in_as(monkeypatch, "Milica")
    assert main(["--db", str(path), "db", "check"]) == 0
    assert "no damage" in capsys.readouterr().out
    assert path.read_bytes() == before


def test_a_register_from_before_accounts_is_checked_without_a_sign_in(capsys, tmp_path):
    path = tmp_path / "r.db"
    add_user(path, "Milica", passphrase=None)
    assert main(["--db", str(path), "db", "check"]) == 0


def test_db_restore_is_a_coordinators(capsys, tmp_path, monkeypatch):
    from docassist.domain.model import Role

    path = tmp_path / "r.db"
    boss = add_user(path, "Milica")
    add_user(path, "Fikret", Role.FACILITATOR)
    sign_in_as(monkeypatch, "Milica")
    copy = tmp_path / "copy.db"
    assert main(["--db", str(path), "db", "backup", "--output", str(copy)]) == 0
    sign_in_as(monkeypatch, "Fikret")
    assert main(["--db", str(path), "db", "restore", str(copy)]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert "Only a coordinator" in line and "Milica" not in line
    sign_in_as(monkeypatch, "Milica")
    assert main(["--db", str(path), "db", "restore", str(copy)]) == 0
    with connect(path) as conn:
        rows = conn.execute("SELECT user_id FROM audit_log WHERE action = 'restore'").fetchall()
    assert rows == [(boss,)]


def test_db_restore_without_a_register_signs_in_to_the_backup(capsys, tmp_path, monkeypatch):
    # A new laptop, or a register lost: the backup says who may restore it.
    path = tmp_path / "r.db"
    boss = add_user(path, "Milica")
    sign_in_as(monkeypatch, "Milica")
    copy = tmp_path / "copy.db"
    assert main(["--db", str(path), "db", "backup", "--output", str(copy)]) == 0
    path.unlink()
    copied = copy.read_bytes()
    sign_in_as(monkeypatch, "Milica", "not the passphrase")
    assert main(["--db", str(path), "db", "restore", str(copy)]) == 2
    assert "do not match" in capsys.readouterr().err
    sign_in_as(monkeypatch, "Milica")
    assert main(["--db", str(path), "db", "restore", str(copy)]) == 0
    assert copy.read_bytes() == copied  # the backup was only read
    with connect(path) as conn:
        rows = conn.execute("SELECT user_id FROM audit_log WHERE action = 'restore'").fetchall()
    assert rows == [(boss,)]


def test_db_backup_to_a_missing_folder_is_one_line_and_makes_nothing(capsys, tmp_path, monkeypatch):
    path = tmp_path / "r.db"
    add_user(path, "Milica")
    monkeypatch.setenv("DOCASSIST_PASSPHRASE", PASSPHRASE)
    for target in (tmp_path / "usb" / "copies", tmp_path / "usb" / "copy.db"):
        argv = ["--db", str(path), "db", "backup", "--user", "Milica", "--output", str(target)]
        assert main(argv) == 2
        folder = target if not target.suffix else target.parent
        assert capsys.readouterr().err.splitlines() == [
            f"docassist: The folder {folder} does not exist. Is the USB stick plugged in?"
        ]
    assert not (tmp_path / "usb").exists()
