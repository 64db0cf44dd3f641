"""``docassist export``: the whole register, for a coordinator only."""

from __future__ import annotations

from docassist.cli import main
from tests.cli.support import PASSPHRASE, connect, register_with_figures, sign_in_as


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
    args = ["--db", str(db), "export", "--user", "milica koordinatorka", "--output", str(out)]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "personal data" in captured.err and str(out) in captured.out
    assert out.exists()
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
