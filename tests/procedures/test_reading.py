"""Reading a file: unreadable and malformed files become one problem on its line."""

from __future__ import annotations

from docassist.procedures import load_file
from tests.procedures.expect import VALID


def test_unreadable_and_non_utf8_files_become_problems(tmp_path):
    checklist, problems = load_file(tmp_path / "missing.toml")
    assert checklist is None and problems[0].line == 1
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b'id = "x"\nversion = 1\ntitle = { en = "Op\xb9tina" }\n')
    checklist, problems = load_file(bad)
    assert checklist is None
    assert (problems[0].line, "UTF-8" in problems[0].message) == (3, True)


def test_byte_order_mark_is_tolerated(tmp_path):
    # Windows Notepad writes one; the file is otherwise fine.
    path = tmp_path / "id-card.toml"
    path.write_bytes(b"\xef\xbb\xbf" + (VALID / "id-card.toml").read_bytes())
    checklist, problems = load_file(path)
    assert problems == [] and checklist.id == "id-card"
