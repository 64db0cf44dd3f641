"""``docassist db check``: missing, foreign and healthy files."""

from __future__ import annotations

from docassist.cli import main


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
    import sqlite3

    path = tmp_path / "demo.db"
    assert main(["--db", str(path), "demo", "--households", "300", "--no-run"]) == 0
    capsys.readouterr()
    with sqlite3.connect(path) as conn:
        people = conn.execute("SELECT count(*) FROM persons").fetchone()[0]
        audit = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    assert people >= 1000
    before = path.read_bytes()
    assert main(["--db", str(path), "db", "check"]) == 0
    line, trail = capsys.readouterr().out.strip().splitlines()
    assert f"The audit trail verifies up to entry {audit} of " in trail
    assert line.startswith(f"{path}: 300 households, {people:,} people, ")
    assert f"{audit:,} audit entries: no damage found" in line
    assert main(["--lang", "sr", "--db", str(path), "db", "check"]) == 0
    assert f"{people:,}".replace(",", ".") in capsys.readouterr().out
    assert path.read_bytes() == before


def test_db_backup_records_the_user_given(capsys, tmp_path):
    import sqlite3

    from docassist.domain.model import Role
    from docassist.services.context import Context
    from docassist.services.users import create_user
    from docassist.store.db import open_database

    path = tmp_path / "r.db"
    db = open_database(path)
    user = create_user(Context(db), "Milica", Role.COORDINATOR)
    db.close()
    argv = ["--db", str(path), "db", "backup", "--output", str(tmp_path / "copy.db")]
    assert main([*argv, "--user", "Milica"]) == 0
    assert main(argv) == 0
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT user_id FROM audit_log WHERE action = 'backup'").fetchall()
    assert rows == [(user.id,), (None,)]
