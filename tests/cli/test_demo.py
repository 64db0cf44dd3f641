"""``docassist demo``: a separate file, never the real register."""

from __future__ import annotations

from docassist.cli import main


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
