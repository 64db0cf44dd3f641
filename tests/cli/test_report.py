"""``docassist report``: figures without names, on screen or in files."""

from __future__ import annotations

import pytest

from docassist.cli import main
from tests.cli.support import add_user, connect, register_with_figures, sign_in_as


@pytest.fixture(autouse=True)
def _a_facilitator_signs_in(monkeypatch):
    sign_in_as(monkeypatch, "Fikret")  # figures without names are a facilitator's too


def test_report_table(capsys, tmp_path):
    db = register_with_figures(tmp_path)
    args = ["--db", str(db), "report", "--from", "2026-06-01", "--to", "30.9.2026"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "People served" in out and "Documents obtained" in out
    assert "Nikolić" not in out and "Ana" not in out


def test_report_bad_date_is_one_line(capsys, tmp_path):
    db = register_with_figures(tmp_path)
    assert main(["--db", str(db), "report", "--from", "2026-02-30"]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and "'2026-02-30' is not a date" in err[0]
    assert "Traceback" not in captured.err and captured.out == ""


def test_report_unknown_municipality(capsys, tmp_path):
    db = register_with_figures(tmp_path)
    assert main(["--db", str(db), "report", "--municipality", "Atlantis"]) == 2
    assert "Known: Beograd, Leskovac, Niš" in capsys.readouterr().err


def test_report_to_files(capsys, tmp_path):
    import csv
    import json

    from openpyxl import load_workbook

    db = register_with_figures(tmp_path)
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
    db = register_with_figures(tmp_path)
    assert main(["--db", str(db), "report", "--format", "xlsx"]) == 2
    assert "--output" in capsys.readouterr().err


def test_report_on_a_missing_register_creates_nothing(capsys, tmp_path):
    assert main(["--db", str(tmp_path / "nope.db"), "report"]) == 2
    assert not (tmp_path / "nope.db").exists()


def test_report_records_who_read_the_figures(capsys, tmp_path, monkeypatch):
    db = register_with_figures(tmp_path)
    user_id = add_user(db, "Senad")
    assert main(["--db", str(db), "report", "--user", "Senad"]) == 0
    with connect(db) as conn:
        rows = conn.execute("SELECT user_id FROM audit_log WHERE action = 'report'").fetchall()
    assert rows == [(user_id,)]


def test_report_needs_someone_signed_in(capsys, tmp_path, monkeypatch):
    db = register_with_figures(tmp_path)
    monkeypatch.delenv("DOCASSIST_USER")
    assert main(["--db", str(db), "report"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert "--user NAME" in line and "DOCASSIST_USER" in line


def test_report_is_refused_to_a_trainee(capsys, tmp_path, monkeypatch):
    db = register_with_figures(tmp_path)
    sign_in_as(monkeypatch, "Ana Polaznica")
    assert main(["--db", str(db), "report"]) == 2
    captured = capsys.readouterr()
    [line] = captured.err.splitlines()
    assert "Trainees practise on made-up families only" in line and captured.out == ""
    assert "Milica" not in line and "Fikret" not in line


def test_report_to_a_pipe_or_file_is_not_cut_at_80_columns(capsys, tmp_path):
    # Rich took 80 columns for anything that is not a terminal: "Docu…", "Beo…".
    db = register_with_figures(tmp_path)
    assert main(["--db", str(db), "report", "--from", "2026-06-01", "--to", "2026-09-30"]) == 0
    out = capsys.readouterr().out
    assert "…" not in out
    assert "Women and girls" in out and "Median days to document" in out
    assert max(len(line) for line in out.splitlines()) > 80


def test_report_to_a_missing_folder_is_one_line_and_makes_nothing(capsys, tmp_path):
    # The USB stick is not plugged in: its folders must not appear on this disk.
    db = register_with_figures(tmp_path)
    target = tmp_path / "usb" / "reports" / "r.csv"
    assert main(["--db", str(db), "report", "--output", str(target)]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"docassist: The folder {target.parent} does not exist. Is the USB stick plugged in?"
    ]
    assert "Traceback" not in captured.err and captured.out == ""
    assert not (tmp_path / "usb").exists()
