"""The command line: every failure is one line on stderr and exit status 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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


def test_validate_warns_about_a_user_copy_that_is_not_used(capsys):
    # A user copy of a shipped checklist with the same version is not used: the shipped
    # one wins. Validate says so (a warning: the copy is valid, the app runs unchanged),
    # rather than "All 9 checklists are valid" and nothing else.
    from docassist.locations import user_checklists_dir

    folder = user_checklists_dir()
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / "id-card.toml"
    copy.write_text(Path("checklists/id-card.toml").read_text(encoding="utf-8"), "utf-8")
    version_line = copy.read_text("utf-8").splitlines().index("version = 1") + 1

    assert main(["checklists", "validate"]) == 0
    captured = capsys.readouterr()
    assert f"{copy}:{version_line}: warning: not used: same id and version" in captured.err
    assert "raise 'version' to 2 to use your copy" in captured.err
    assert "All 9 checklists are valid." in captured.out

    # Asked about by name, the copy gets the same warning.
    assert main(["checklists", "validate", str(copy)]) == 0
    assert f"{copy}:{version_line}: warning: not used" in capsys.readouterr().err


# --- report and export ------------------------------------------------------------------


def _register(tmp_path, *, role=None):
    """A register with the hand-counted families of the report tests, and its users."""
    from datetime import date

    from docassist.domain.model import Role
    from docassist.services.context import Context
    from docassist.services.users import create_user
    from docassist.store.db import open_database
    from tests.services import report_fixture

    path = tmp_path / "register.db"
    db = open_database(path)
    ctx = Context(db, today=lambda: date(2026, 11, 23))
    ctx.user_id = create_user(ctx, "Milica Koordinatorka", Role.COORDINATOR).id
    create_user(ctx, "Fikret", Role.FACILITATOR)
    report_fixture.build(ctx)
    db.close()
    return path


def test_report_table(capsys, tmp_path):
    db = _register(tmp_path)
    args = ["--db", str(db), "report", "--from", "2026-06-01", "--to", "30.9.2026"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "People served" in out and "Documents obtained" in out
    assert "Nikolić" not in out and "Ana" not in out


def test_report_bad_date_is_one_line(capsys, tmp_path):
    db = _register(tmp_path)
    assert main(["--db", str(db), "report", "--from", "2026-02-30"]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and "'2026-02-30' is not a date" in err[0]
    assert "Traceback" not in captured.err and captured.out == ""


def test_report_unknown_municipality(capsys, tmp_path):
    db = _register(tmp_path)
    assert main(["--db", str(db), "report", "--municipality", "Atlantis"]) == 2
    assert "Known: Beograd, Leskovac, Niš" in capsys.readouterr().err


def test_report_to_files(capsys, tmp_path):
    import csv
    import json

    from openpyxl import load_workbook

    db = _register(tmp_path)
    base = ["--db", str(db), "report", "--from", "2026-06-01", "--to", "2026-09-30"]
    assert main([*base, "--output", str(tmp_path / "r.xlsx"), "--lang", "sr"]) == 0
    assert str(tmp_path / "r.xlsx") in capsys.readouterr().out
    assert load_workbook(tmp_path / "r.xlsx").worksheets[1]["B2"].value == 3
    assert main([*base, "--format", "json", "--municipality", "ниш"]) == 0
    assert json.loads(capsys.readouterr().out)["municipality"] == "Niš"
    out = ["--output", str(tmp_path / "r.csv")]
    assert main([*base, "--format", "csv", *out, "--lang", "en"]) == 0
    rows = list(csv.reader((tmp_path / "r.csv").open(encoding="utf-8-sig")))
    assert ["People served", "11"] in rows
    # Headers follow the language: the Serbian report says the same in Serbian.
    assert main([*base, "--format", "csv", *out, "--lang", "sr"]) == 0
    rows = list(csv.reader((tmp_path / "r.csv").open(encoding="utf-8-sig")))
    assert ["Услужене особе", "11"] in rows


def test_report_xlsx_needs_a_file(capsys, tmp_path):
    db = _register(tmp_path)
    assert main(["--db", str(db), "report", "--format", "xlsx"]) == 2
    assert "--output" in capsys.readouterr().err


def test_report_on_a_missing_register_creates_nothing(capsys, tmp_path):
    assert main(["--db", str(tmp_path / "nope.db"), "report"]) == 2
    assert not (tmp_path / "nope.db").exists()


def test_export_refused_to_a_facilitator(capsys, tmp_path):
    db = _register(tmp_path)
    out = tmp_path / "all.xlsx"
    assert main(["--db", str(db), "export", "--user", "Fikret", "--output", str(out)]) == 2
    assert "Only a coordinator" in capsys.readouterr().err
    assert not out.exists()


def test_export_by_a_coordinator_warns_and_audits(capsys, tmp_path):
    import sqlite3

    db = _register(tmp_path)
    out = tmp_path / "all.xlsx"
    args = ["--db", str(db), "export", "--user", "milica koordinatorka", "--output", str(out)]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "personal data" in captured.err and str(out) in captured.out
    assert out.exists()
    with sqlite3.connect(db) as conn:
        assert conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'export'"
        ).fetchone() == (1,)


def test_export_unknown_user(capsys, tmp_path):
    db = _register(tmp_path)
    args = ["--db", str(db), "export", "--user", "Nobody", "--output", str(tmp_path / "a.zip")]
    assert main(args) == 2
    assert "no user 'Nobody'" in capsys.readouterr().err


def test_the_app_refuses_a_read_only_register_before_it_starts(
    capsys, tmp_path, refuse_writes, monkeypatch, a_terminal
):
    from docassist.store.db import open_database
    from docassist.ui.app import DocAssistApp

    path = tmp_path / "r.db"
    open_database(path).close()
    refuse_writes(path)

    def started(self, *args, **kwargs):
        raise AssertionError("the app started on a register it cannot write")

    monkeypatch.setattr(DocAssistApp, "run", started)
    assert main(["--db", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot be written" in err[0] and "internal error" not in err[0]


def test_damage_in_a_large_register_is_said_as_damage(capsys, tmp_path, monkeypatch):
    from docassist.locations import log_dir
    from docassist.store import db as db_module
    from tests.damage import damage_table

    path = tmp_path / "r.db"
    assert main(["--db", str(path), "demo", "--households", "20", "--no-run"]) == 0
    damage_table(path, "households")
    monkeypatch.setattr(db_module, "QUICK_CHECK_MAX_BYTES", 0)  # opening does not read it all
    capsys.readouterr()
    assert main(["--db", str(path), "report"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "internal error" not in err[0]
    assert "damaged" in err[0] and "docassist db check" in err[0] and str(path) in err[0]
    assert not list(log_dir().glob("crash-*.log"))


def test_a_crash_in_the_app_is_a_failing_exit_status(capsys, tmp_path, monkeypatch, a_terminal):
    from textual.app import App

    from docassist.ui.app import DocAssistApp

    def boom(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(DocAssistApp, "run", lambda self: App.run(self, headless=True))
    monkeypatch.setattr(DocAssistApp, "on_mount", boom)
    assert main(["--db", str(tmp_path / "r.db")]) == 2
    assert "internal error" in capsys.readouterr().err
    monkeypatch.setattr(DocAssistApp, "on_mount", lambda self: self.exit())
    assert main(["--db", str(tmp_path / "r.db"), "run"]) == 0


def test_an_empty_file_is_said_empty_not_healthy_nor_made_a_register(
    capsys, tmp_path, monkeypatch, a_terminal
):
    from docassist.ui.app import DocAssistApp

    def started(self, *args, **kwargs):
        raise AssertionError("the app started on an empty file")

    monkeypatch.setattr(DocAssistApp, "run", started)
    path = tmp_path / "r.db"
    path.write_bytes(b"")
    csv = Path(__file__).parent / "fixtures" / "import" / "households.csv"
    for command in (["db", "check"], ["report"], ["import", "households", str(csv)], ["run"]):
        assert main(["--db", str(path), *command]) == 2, command
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and f"{path} is empty" in err[0], command
    assert path.stat().st_size == 0


def test_a_reader_that_stops_early_is_not_an_error_message(tmp_path, _isolated_home):
    # `docassist locate | head -1`: the reader may close the pipe before we write.
    proc = subprocess.Popen(
        [sys.executable, "-m", "docassist", "locate"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={"DOCASSIST_HOME": str(_isolated_home), "PATH": "/usr/bin:/bin"},
    )
    proc.stdout.close()  # gone before docassist has even started
    err = proc.stderr.read().decode()
    assert proc.wait() == 141  # 128 + SIGPIPE, as for any tool whose reader left
    assert err == ""


def test_a_closed_pipe_inside_a_command_is_quiet(capsys, monkeypatch):
    class ClosedPipe:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            pass

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["locate"]) == 141
    assert capsys.readouterr().err == ""


def test_a_system_error_without_a_file_is_one_clean_line(capsys, monkeypatch):
    import errno

    from docassist import cli

    def full(_args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setitem(cli.COMMANDS, "locate", full)
    assert main(["locate"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "No space left on device" in err[0] and "?" not in err[0]


@pytest.mark.parametrize("command", [[], ["run"], ["demo", "--households", "3"]])
def test_the_app_without_a_terminal_refuses_in_one_line(tmp_path, _isolated_home, command):
    # From a script or cron the app would run forever at full speed, writing escape
    # codes into the output; the sub-commands are what works there.
    proc = subprocess.run(
        [sys.executable, "-m", "docassist", "--db", str(tmp_path / "r.db"), *command],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env={"DOCASSIST_HOME": str(_isolated_home), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    assert "needs a terminal" in line and "docassist --help" in line
    assert not (tmp_path / "r.db").exists()
