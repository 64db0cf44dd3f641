"""The command as a whole: one line and status 2 for any failure, quiet on a closed pipe,
``python -m docassist``, and the app refusing what it cannot use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from docassist.cli import main


def test_unknown_command_is_one_line(capsys):
    assert main(["frobnicate"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("docassist:")


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
    # signed in as a made-up user of the demo (its users are not in the damaged table)
    assert main(["--db", str(path), "report", "--user", "Senad Coordinator"]) == 2
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
    # a new register, asked for (a --db naming no file is refused otherwise)
    assert main(["--db", str(tmp_path / "r.db"), "run", "--new"]) == 2
    assert "internal error" in capsys.readouterr().err
    monkeypatch.setattr(DocAssistApp, "on_mount", lambda self: self.exit())
    assert main(["--db", str(tmp_path / "r.db"), "run", "--new"]) == 0


def test_an_empty_file_is_said_empty_not_healthy_nor_made_a_register(
    capsys, tmp_path, monkeypatch, a_terminal
):
    from docassist.ui.app import DocAssistApp

    def started(self, *args, **kwargs):
        raise AssertionError("the app started on an empty file")

    monkeypatch.setattr(DocAssistApp, "run", started)
    path = tmp_path / "r.db"
    path.write_bytes(b"")
    csv = Path(__file__).parents[1] / "fixtures" / "import" / "households.csv"
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
