"""Signing in on the command line: refusals are one line that names nobody, scripts sign
in from the environment or a file, a terminal asks without echo, ``init`` makes a
register with its first coordinator."""

from __future__ import annotations

import sys

import pytest

from docassist.cli import main
from docassist.domain.model import Role
from tests.cli.support import PASSPHRASE, add_user, connect, register_with_figures, sign_in_as

EVERYONE = ("Milica", "Koordinatorka", "Fikret", "Ana", "Polaznica")


class Terminal:
    """stdin as a terminal, and what the user types at each hidden prompt."""

    def __init__(self, monkeypatch, *typed: str) -> None:
        self.typed = list(typed)
        self.prompts: list[str] = []

        class Tty:
            def isatty(self) -> bool:
                return True

        monkeypatch.setattr(sys, "stdin", Tty())
        monkeypatch.setattr("getpass.getpass", self.ask)

    def ask(self, prompt: str = "") -> str:
        self.prompts.append(prompt)
        if not self.typed:
            raise AssertionError(f"asked once too often: {prompt!r}")
        return self.typed.pop(0)


@pytest.fixture
def never_asked(monkeypatch):
    def ask(prompt=""):
        raise AssertionError(f"asked for a passphrase: {prompt!r}")

    monkeypatch.setattr("getpass.getpass", ask)


NOT_ENCRYPTED = "is not encrypted: anyone who copies the file can read every name in it"


def _one_line_naming_nobody(capsys, *allowed: str) -> str:
    """The one line of a refusal; a register from before encryption is also said to be
    unencrypted, on a line of its own."""
    captured = capsys.readouterr()
    lines = [line for line in captured.err.strip().splitlines() if NOT_ENCRYPTED not in line]
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("docassist:") and "Traceback" not in captured.err
    for name in EVERYONE:
        if name not in allowed:
            assert name not in captured.err and name not in captured.out, name
    return lines[0]


REGISTER_COMMANDS = [
    ["report"],
    ["export", "--output", "all.xlsx"],
    ["db", "backup", "--output", "copy.db"],
    ["db", "check"],
    ["import", "households", "FIXTURE"],
    ["handout", "family", "HOUSEHOLD"],
]


def _command(command, tmp_path, db):
    from pathlib import Path

    fixture = Path(__file__).parents[1] / "fixtures" / "import" / "households.csv"
    household = _household(db)
    out = []
    for part in command:
        if part in ("all.xlsx", "copy.db"):
            part = str(tmp_path / part)
        out.append({"FIXTURE": str(fixture), "HOUSEHOLD": household}.get(part, part))
    return ["--db", str(db), *out]


def _household(db) -> str:
    with connect(db) as conn:
        return conn.execute("SELECT id FROM households ORDER BY id LIMIT 1").fetchone()[0]


@pytest.mark.parametrize("command", REGISTER_COMMANDS, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize(
    ("who", "passphrase", "words"),
    [
        ("Milica Koordinatorka", "not the passphrase", "do not match"),
        ("Nobody Known", PASSPHRASE, "do not match"),
        ("Ana Polaznica", PASSPHRASE, "Trainees practise on made-up families only"),
    ],
    ids=["wrong passphrase", "unknown user", "trainee"],
)
def test_every_register_command_refuses_in_one_line_naming_nobody(
    capsys, tmp_path, monkeypatch, never_asked, command, who, passphrase, words
):
    db = register_with_figures(tmp_path)
    argv = _command(command, tmp_path, db)
    sign_in_as(monkeypatch, who, passphrase)
    assert main(argv) == 2
    line = _one_line_naming_nobody(capsys)
    assert words in line
    assert not (tmp_path / "all.xlsx").exists() and not (tmp_path / "copy.db").exists()


@pytest.mark.parametrize("command", REGISTER_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_every_register_command_needs_a_user(capsys, tmp_path, never_asked, command):
    db = register_with_figures(tmp_path)
    assert main(_command(command, tmp_path, db)) == 2
    assert "--user NAME" in _one_line_naming_nobody(capsys)


def test_without_a_passphrase_and_no_terminal_a_script_is_told_how(capsys, tmp_path, monkeypatch):
    db = register_with_figures(tmp_path)
    monkeypatch.setenv("DOCASSIST_USER", "Fikret")
    assert main(["--db", str(db), "report"]) == 2  # pytest's stdin is no terminal
    line = _one_line_naming_nobody(capsys, "Fikret")
    assert "DOCASSIST_PASSPHRASE" in line and "--passphrase-file" in line


def test_the_passphrase_typed_at_a_terminal_without_echo(capsys, tmp_path, monkeypatch):
    db = register_with_figures(tmp_path)
    terminal = Terminal(monkeypatch, PASSPHRASE)
    assert main(["--db", str(db), "report", "--user", "Fikret"]) == 0
    assert terminal.prompts == ["Passphrase for Fikret: "]
    assert PASSPHRASE not in capsys.readouterr().out


def test_a_passphrase_file_and_the_environment(capsys, tmp_path, monkeypatch, never_asked):
    db = register_with_figures(tmp_path)
    secret = tmp_path / "secret"
    secret.write_text(PASSPHRASE + "\n")
    secret.chmod(0o600)
    base = ["--db", str(db), "report", "--user", "Fikret"]
    assert main([*base, "--passphrase-file", str(secret)]) == 0
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("DOCASSIST_PASSPHRASE", PASSPHRASE)
    assert main(base) == 0
    # the file wins over the environment
    secret.write_text("not the passphrase\n")
    assert main([*base, "--passphrase-file", str(secret)]) == 2
    assert "do not match" in capsys.readouterr().err


def test_a_passphrase_file_others_can_read_is_warned_about(capsys, tmp_path, never_asked):
    db = register_with_figures(tmp_path)
    secret = tmp_path / "secret"
    secret.write_text(PASSPHRASE + "\n")
    secret.chmod(0o644)
    argv = ["--db", str(db), "report", "--user", "Fikret", "--passphrase-file", str(secret)]
    assert main(argv) == 0
    assert "chmod 600" in capsys.readouterr().err


@pytest.mark.parametrize(("content", "words"), [(None, "Cannot read"), ("", "is empty")])
def test_a_passphrase_file_that_cannot_be_used(capsys, tmp_path, never_asked, content, words):
    db = register_with_figures(tmp_path)
    secret = tmp_path / "secret"
    if content is not None:
        secret.write_text(content)
    argv = ["--db", str(db), "report", "--user", "Fikret", "--passphrase-file", str(secret)]
    assert main(argv) == 2
    assert words in _one_line_naming_nobody(capsys)


def test_after_five_failures_a_script_is_told_to_wait(capsys, tmp_path, monkeypatch):
    # The command's clock, not the real one: the wait does not hang on how fast six
    # sign-ins run on this machine.
    from datetime import date

    from docassist.cli.register import Clock

    db = register_with_figures(tmp_path)
    at = {"now": "2026-11-23T10:00:00+00:00"}
    clock = Clock(now=lambda: at["now"], today=lambda: date(2026, 11, 23))
    sign_in_as(monkeypatch, "Milica Koordinatorka", "not the passphrase")
    for _ in range(5):
        assert main(["--db", str(db), "report"], clock=clock) == 2
        capsys.readouterr()
    sign_in_as(monkeypatch, "Milica Koordinatorka")
    at["now"] = "2026-11-23T10:00:01+00:00"
    assert main(["--db", str(db), "report"], clock=clock) == 2  # the right one, but too soon
    line = _one_line_naming_nobody(capsys)
    assert "Too many failed sign-ins" in line and "Wait 1 second" in line
    at["now"] = "2026-11-23T10:00:02+00:00"  # the 2 s after the fifth failure are over
    assert main(["--db", str(db), "report"], clock=clock) == 0


def test_a_user_from_before_accounts_chooses_a_passphrase_at_the_terminal(
    capsys, tmp_path, monkeypatch
):
    path = tmp_path / "r.db"
    add_user(path, "Senad", Role.COORDINATOR, passphrase=None)
    terminal = Terminal(monkeypatch, "anything", "short", "my own words", "my own words")
    assert main(["--db", str(path), "report", "--user", "Senad"]) == 0
    err = capsys.readouterr().err
    assert "no passphrase yet" in err and "at least 10 characters" in err
    assert terminal.prompts[1:] == [
        "New passphrase: ",
        "New passphrase: ",
        "The same passphrase again: ",
    ]
    monkeypatch.setenv("DOCASSIST_PASSPHRASE", "my own words")
    assert main(["--db", str(path), "report", "--user", "Senad"]) == 0


def test_a_script_sets_a_first_passphrase_with_the_one_it_gives(capsys, tmp_path, monkeypatch):
    path = tmp_path / "r.db"
    add_user(path, "Senad", Role.COORDINATOR, passphrase=None)
    add_user(path, "Fikret", Role.FACILITATOR, passphrase=None)
    sign_in_as(monkeypatch, "Fikret")
    assert main(["--db", str(path), "report"]) == 2  # a coordinator first
    assert "coordinator signs in first" in _one_line_naming_nobody(capsys, "Fikret")
    sign_in_as(monkeypatch, "Senad")
    assert main(["--db", str(path), "report"]) == 0
    assert "passphrase is set" in capsys.readouterr().err
    sign_in_as(monkeypatch, "Senad", "not the passphrase")
    assert main(["--db", str(path), "report"]) == 2


def test_a_reset_passphrase_is_changed_at_the_terminal_first(capsys, tmp_path, monkeypatch):
    from docassist.services import accounts

    path = tmp_path / "r.db"
    add_user(path, "Senad", Role.COORDINATOR)
    fikret = add_user(path, "Fikret", Role.FACILITATOR)
    ctx, boss = accounts.open_signed_in(path, "Senad", PASSPHRASE)
    accounts.reset_passphrase(ctx, boss, fikret, "temporary words")
    ctx.db.close()
    sign_in_as(monkeypatch, "Fikret", "temporary words")
    assert main(["--db", str(path), "report"]) == 2
    assert "run the command at a terminal" in _one_line_naming_nobody(capsys, "Fikret")
    monkeypatch.delenv("DOCASSIST_PASSPHRASE")
    Terminal(monkeypatch, "temporary words", "fikret's own words", "fikret's own words")
    assert main(["--db", str(path), "report"]) == 0
    sign_in_as(monkeypatch, "Fikret", "fikret's own words")
    assert main(["--db", str(path), "report"]) == 0


def test_a_demo_register_needs_no_passphrase_typed(capsys, tmp_path, never_asked):
    path = tmp_path / "demo.db"
    assert main(["--db", str(path), "demo", "--households", "5", "--no-run"]) == 0
    argv = ["--db", str(path), "report", "--user", "Milica Facilitator"]
    assert main(argv) == 0
    assert main(["--db", str(path), "export", "--user", "Ana Trainee", "--output", "x.zip"]) == 2


@pytest.mark.parametrize(
    "command",
    [["--help"], ["locate"], ["languages"], ["checklists", "validate"], ["report", "--help"]],
)
def test_commands_that_open_no_register_ask_nothing(capsys, never_asked, command):
    try:
        assert main(command) == 0
    except SystemExit as done:  # --help
        assert done.code == 0


# --- docassist init ----------------------------------------------------------------------


def test_init_makes_a_register_with_its_first_coordinator(capsys, tmp_path, monkeypatch):
    path = tmp_path / "new.db"
    terminal = Terminal(monkeypatch, "our own words", "our own words")
    assert main(["--db", str(path), "init", "--user", "Vesna Koordinatorka"]) == 0
    assert "Vesna Koordinatorka as its coordinator" in capsys.readouterr().out
    assert terminal.prompts == ["New passphrase: ", "The same passphrase again: "]
    monkeypatch.setattr(sys, "stdin", open("/dev/null"))  # noqa: SIM115 - a script again
    sign_in_as(monkeypatch, "vesna koordinatorka", "our own words")
    monkeypatch.setenv("DOCASSIST_EXPORT_PASSPHRASE", "the export's own words")
    assert main(["--db", str(path), "export", "--output", str(tmp_path / "all.xlsx")]) == 0


def test_init_for_scripts_and_its_refusals(capsys, tmp_path, monkeypatch, never_asked):
    path = tmp_path / "new.db"
    assert main(["--db", str(path), "init"]) == 2
    assert "--user NAME" in capsys.readouterr().err
    assert main(["--db", str(path), "init", "--user", "Vesna"]) == 2  # no terminal
    assert "DOCASSIST_PASSPHRASE" in capsys.readouterr().err
    monkeypatch.setenv("DOCASSIST_PASSPHRASE", "short")
    assert main(["--db", str(path), "init", "--user", "Vesna"]) == 2
    assert "at least 10 characters" in capsys.readouterr().err
    assert not path.exists()
    monkeypatch.setenv("DOCASSIST_PASSPHRASE", "our own words")
    assert main(["--db", str(path), "init", "--user", "Vesna"]) == 0
    capsys.readouterr()
    before = path.read_bytes()
    assert main(["--db", str(path), "init", "--user", "Someone Else"]) == 2
    assert "already a file" in capsys.readouterr().err
    assert path.read_bytes() == before
    assert main(["--db", str(tmp_path / "no" / "such" / "r.db"), "init", "--user", "V"]) == 2
    assert "There is no folder" in capsys.readouterr().err


def test_init_asks_again_when_the_two_differ(capsys, tmp_path, monkeypatch):
    path = tmp_path / "new.db"
    Terminal(monkeypatch, "our own words", "our own wordz", "our own words", "our own words")
    assert main(["--db", str(path), "init", "--user", "Vesna"]) == 0
    assert "differ" in capsys.readouterr().err
