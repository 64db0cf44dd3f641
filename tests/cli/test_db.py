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
