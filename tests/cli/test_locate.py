"""``docassist locate``."""

from __future__ import annotations

from docassist.cli import main


def test_locate_prints_paths(capsys, _isolated_home):
    assert main(["locate"]) == 0
    out = capsys.readouterr().out
    assert str(_isolated_home) in out
    assert "checklists" in out
