"""``docassist export``: the whole register, for a coordinator only."""

from __future__ import annotations

from docassist.cli import main
from tests.cli.support import register_with_figures


def test_export_refused_to_a_facilitator(capsys, tmp_path):
    db = register_with_figures(tmp_path)
    out = tmp_path / "all.xlsx"
    assert main(["--db", str(db), "export", "--user", "Fikret", "--output", str(out)]) == 2
    assert "Only a coordinator" in capsys.readouterr().err
    assert not out.exists()


def test_export_by_a_coordinator_warns_and_audits(capsys, tmp_path):
    import sqlite3

    db = register_with_figures(tmp_path)
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
    db = register_with_figures(tmp_path)
    args = ["--db", str(db), "export", "--user", "Nobody", "--output", str(tmp_path / "a.zip")]
    assert main(args) == 2
    assert "no user 'Nobody'" in capsys.readouterr().err
