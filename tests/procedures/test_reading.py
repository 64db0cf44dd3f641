"""Reading a file: unreadable and malformed files become one problem on its line."""

from __future__ import annotations

from docassist.procedures import load_all, load_file, load_scenarios, positions, validate_files
from docassist.procedures.reading import SourceFile, read_toml
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


# ------------------------------------------------------------ lines on demand


def test_a_problem_is_reported_on_its_line_and_a_syntax_error_on_its_column_too(tmp_path):
    # Positions are computed only once a problem is found; they must still be exact.
    text = (VALID / "id-card.toml").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if line.startswith("typical_days = "))
    lines[number] = 'typical_days = "15"\n'
    wrong = tmp_path / "id-card.toml"
    wrong.write_text("".join(lines), encoding="utf-8")
    _, [problem] = load_file(wrong)
    assert (problem.line, problem.message) == (
        number + 1,
        "steps #3, typical_days: expected a whole number, found text ('15')",
    )

    broken = tmp_path / "syntax.toml"
    broken.write_text('id = "syntax"\nversion = = 1\n', encoding="utf-8")
    _, [problem] = load_file(broken)
    assert problem.line == 2
    assert problem.message == "TOML syntax error: Invalid value (column 11)"


def test_source_file_runs_the_locator_only_when_a_line_is_asked_for(monkeypatch):
    source = read_toml(VALID / "id-card.toml")
    assert isinstance(source, SourceFile)
    built: list[str] = []
    real = positions.LineLocator.__init__

    def counting(self, text):
        built.append(text)
        real(self, text)

    monkeypatch.setattr(positions.LineLocator, "__init__", counting)
    assert built == []
    assert source.line(("version",)) == 3
    assert source.line(("steps", 0)) > 3
    assert len(built) == 1  # built once, then reused


def test_loading_valid_files_never_runs_the_locator(monkeypatch):
    def refuse(self, text):
        raise AssertionError("the line locator ran for a file with no problem")

    monkeypatch.setattr(positions.LineLocator, "__init__", refuse)
    shipped = load_all()
    assert shipped.problems == [] and len(shipped) > 0
    checklists, problems = validate_files(sorted(VALID.glob("*.toml")))
    assert problems == [] and len(checklists) == 9
    scenarios, problems = load_scenarios(checklists=shipped)
    assert problems == [] and scenarios


# ------------------------------------------------- files no one would write (issue 14 §9)

ABSURD = {
    "deep.toml": 'id = "deep"\nv = ' + "[" * 3000 + "]" * 3000 + "\n",
    "long-number.toml": 'id = "long-number"\nversion = ' + "9" * 5000 + "\n",
}


def test_absurd_files_are_one_problem_each_not_a_crash(tmp_path):
    for name, text in ABSURD.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        checklist, problems = load_file(path)
        assert checklist is None and len(problems) == 1, name
        assert problems[0].line == 1


def test_an_absurd_user_file_is_skipped_and_the_shipped_ones_still_load():
    from docassist.locations import user_checklists_dir

    folder = user_checklists_dir()  # inside the test's own DOCASSIST_HOME
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in ABSURD.items():
        (folder / name).write_text(text, encoding="utf-8")
    loaded = load_all()
    assert "id-card" in loaded
    assert {p.path.name for p in loaded.problems} == set(ABSURD)
