"""``docassist export``: the whole register, for a coordinator only."""

from __future__ import annotations

import io
import sys

import pytest

from docassist.cli import main
from tests.cli.support import PASSPHRASE, connect, register_with_figures, sign_in_as


def _rows(path, inner, passphrase=PASSPHRASE) -> list[tuple]:
    """The persons sheet of an encrypted XLSX export, read back."""
    import pyzipper
    from openpyxl import load_workbook

    with pyzipper.AESZipFile(path) as archive:
        archive.setpassword(passphrase.encode("utf-8"))
        book = load_workbook(io.BytesIO(archive.read(inner)))
    return list(book["persons"].iter_rows(values_only=True))[1:]


@pytest.fixture(autouse=True)
def _coordinator_signs_in_as_a_script_would(monkeypatch):
    # _args names the coordinator; the passphrase comes as a script gives it.
    monkeypatch.setenv("DOCASSIST_PASSPHRASE", PASSPHRASE)


def _args(db, out):
    return ["--db", str(db), "export", "--user", "Milica Koordinatorka", "--output", str(out)]


def test_export_refused_to_a_facilitator(capsys, tmp_path, monkeypatch):
    db = register_with_figures(tmp_path)
    sign_in_as(monkeypatch, "Fikret")
    out = tmp_path / "all.xlsx"
    assert main(["--db", str(db), "export", "--output", str(out)]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert "Only a coordinator" in line and "Milica" not in line
    assert not out.exists()


def test_export_by_a_coordinator_warns_and_audits(capsys, tmp_path, monkeypatch):
    db = register_with_figures(tmp_path)
    monkeypatch.setenv("DOCASSIST_PASSPHRASE", PASSPHRASE)
    out = tmp_path / "all.xlsx"
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    args = ["--db", str(db), "export", "--user", "milica koordinatorka", "--output", str(out)]
    assert main([*args, "--export-passphrase-file", str(secret)]) == 0
    captured = capsys.readouterr()
    written = tmp_path / "all.xlsx.zip"
    assert "personal data" in captured.err and str(written) in captured.out
    assert "7-Zip" in captured.out and "NOT encrypted" not in captured.err
    assert written.exists() and not out.exists()
    assert _rows(written, "all.xlsx")  # the file's first line, without its newline
    with connect(db) as conn:
        assert conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'export'"
        ).fetchone() == (1,)


def test_export_unknown_user_names_nobody(capsys, tmp_path, monkeypatch):
    db = register_with_figures(tmp_path)
    sign_in_as(monkeypatch, "Nobody")
    assert main(["--db", str(db), "export", "--output", str(tmp_path / "a.zip")]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert "do not match" in line
    for name in ("Milica", "Fikret", "Ana", "Nobody"):
        assert name not in line


def test_export_without_a_passphrase_off_a_terminal_is_one_line(capsys, tmp_path):
    db = register_with_figures(tmp_path)
    out = tmp_path / "all.xlsx"
    assert main(_args(db, out)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "--export-passphrase-file" in err and "DOCASSIST_EXPORT_PASSPHRASE" in err
    assert "--unencrypted" in err
    assert list(tmp_path.glob("all*")) == []


def test_export_passphrase_from_the_environment(capsys, tmp_path, monkeypatch):
    db = register_with_figures(tmp_path)
    monkeypatch.setenv("DOCASSIST_EXPORT_PASSPHRASE", PASSPHRASE)
    assert main(_args(db, tmp_path / "all.xlsx")) == 0
    assert len(_rows(tmp_path / "all.xlsx.zip", "all.xlsx")) == 12


def test_export_asks_twice_without_echo_on_a_terminal(capsys, tmp_path, monkeypatch):
    import getpass

    db = register_with_figures(tmp_path)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    typed = iter([PASSPHRASE, PASSPHRASE, PASSPHRASE, "korak po korak 8"])
    prompts: list[str] = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": prompts.append(prompt) or next(typed))
    assert main(_args(db, tmp_path / "a.xlsx")) == 0
    assert len(_rows(tmp_path / "a.xlsx.zip", "a.xlsx")) == 12
    assert prompts == ["Export passphrase: ", "The same passphrase again: "]
    assert main(_args(db, tmp_path / "b.xlsx")) == 2
    assert "differ" in capsys.readouterr().err
    assert not list(tmp_path.glob("b.xlsx*"))


def test_unencrypted_is_an_explicit_choice_with_a_warning(capsys, tmp_path):
    from openpyxl import load_workbook

    db = register_with_figures(tmp_path)
    out = tmp_path / "all.xlsx"
    assert main([*_args(db, out), "--unencrypted"]) == 0
    captured = capsys.readouterr()
    assert "NOT encrypted" in captured.err and "7-Zip" not in captured.out
    assert load_workbook(out)["persons"].max_row == 13


def test_export_refuses_a_short_or_empty_passphrase_file_and_both_choices(capsys, tmp_path):
    db = register_with_figures(tmp_path)
    secret = tmp_path / "p.txt"
    for content, said in (("short\n", "at least 10 characters"), ("", "holds no export")):
        secret.write_text(content, encoding="utf-8")
        assert main([*_args(db, tmp_path / "x.xlsx"), "--export-passphrase-file", str(secret)]) == 2
        err = capsys.readouterr().err
        assert said in err and "Traceback" not in err
    both = [*_args(db, tmp_path / "x.xlsx"), "--export-passphrase-file", str(secret)]
    assert main([*both, "--unencrypted"]) == 2
    assert "not allowed with" in capsys.readouterr().err
    assert not list(tmp_path.glob("x.xlsx*"))


def test_export_to_a_missing_folder_is_one_line_and_makes_nothing(capsys, tmp_path, monkeypatch):
    # Every name and JMBG: with the stick not plugged in, nothing lands on this disk.
    db = register_with_figures(tmp_path)
    monkeypatch.setenv("DOCASSIST_EXPORT_PASSPHRASE", PASSPHRASE)
    target = tmp_path / "usb" / "all.xlsx"
    assert main(_args(db, target)) == 2
    [line] = capsys.readouterr().err.splitlines()[-1:]
    assert line == (
        f"docassist: The folder {target.parent} does not exist. Is the USB stick plugged in?"
    )
    assert not (tmp_path / "usb").exists()
