"""The command line: every failure is one line on stderr and exit status 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from docassist.cli import main


def test_locate_prints_paths(capsys, _isolated_home):
    assert main(["locate"]) == 0
    out = capsys.readouterr().out
    assert str(_isolated_home) in out
    assert "checklists" in out


def test_unknown_command_is_one_line(capsys):
    assert main(["frobnicate"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("docassist:")


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


def test_demo_builds_a_separate_database(capsys, _isolated_home):
    assert main(["demo", "--households", "12", "--no-run"]) == 0
    assert (_isolated_home / "demo.db").exists()
    assert not (_isolated_home / "docassist.db").exists()


def test_demo_refuses_the_real_register(capsys, _isolated_home, monkeypatch):
    real = _isolated_home / "real.db"
    monkeypatch.setenv("DOCASSIST_DB", str(real))
    assert main(["--db", str(real), "demo", "--no-run"]) == 2
    assert "never writes into the real register" in capsys.readouterr().err


def test_demo_rejects_silly_sizes(capsys):
    assert main(["demo", "--households", "0", "--no-run"]) == 2
    assert main(["demo", "--households", "many", "--no-run"]) == 2


def test_translated_error(capsys, tmp_path):
    assert main(["--lang", "sr", "--db", str(tmp_path / "nope.db"), "db", "check"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "There is no database" not in err


def test_python_dash_m_works(tmp_path, _isolated_home):
    out = subprocess.run(
        [sys.executable, "-m", "docassist", "locate"],
        capture_output=True,
        text=True,
        env={"DOCASSIST_HOME": str(_isolated_home), "PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 0, out.stderr
    assert "demo.db" in out.stdout


def test_validate_checks_checklists_and_scenarios(capsys):
    assert main(["checklists", "validate"]) == 0
    out = capsys.readouterr().out
    assert "checklists are valid" in out
    assert "practice scenarios are valid" in out


def test_validate_a_broken_scenario_names_file_and_line(capsys):
    assert main(["checklists", "validate", "tests/fixtures/scenarios/broken"]) == 1
    err = capsys.readouterr().err
    assert "tests/fixtures/scenarios/broken/" in err
    assert ".toml:" in err


def test_validate_one_user_file_that_needs_bundled_checklists(capsys, tmp_path):
    # id-card names citizenship and residence as prerequisites; alone it is still valid
    # because the app always loads it beside the bundled checklists.
    own = tmp_path / "my-id-card.toml"
    text = Path("checklists/id-card.toml").read_text(encoding="utf-8")
    own.write_text(text.replace('id = "id-card"', 'id = "my-id-card"', 1), encoding="utf-8")
    assert main(["checklists", "validate", str(own)]) == 0
    assert "1 checklist is valid" in capsys.readouterr().out
