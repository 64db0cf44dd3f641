"""How a problem prints: ``file:line: message``, the form every editor tool reads."""

from __future__ import annotations

from pathlib import Path

from docassist.procedures import ChecklistProblem


def test_problem_prints_as_path_line_message():
    problem = ChecklistProblem(Path("checklists/id-card.toml"), 12, "title: missing language 'rom'")
    assert str(problem) == "checklists/id-card.toml:12: title: missing language 'rom'"
    note = ChecklistProblem(Path("x.toml"), 2, "replaces 'x'", severity="note")
    assert str(note) == "x.toml:2: note: replaces 'x'"
    assert not note.is_error
