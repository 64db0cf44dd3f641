"""Practice scenarios: loading and validating the made-up families a trainee works through.

The attempts a trainee makes are tested with their service, in tests/services/test_practice.py.

Broken fixtures carry their expectations inline, as for checklists: a line ending in
``# expect: <message part>`` must produce a problem on exactly that line, and no other
problem may appear.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from docassist.procedures import (
    TOPICS,
    ChecklistProblem,
    Scenario,
    learning_order,
    load_all,
    load_scenario,
    load_scenarios,
    scenarios_dir,
    validate_scenarios,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "scenarios"
BROKEN = FIXTURES / "broken"
VALID = FIXTURES / "valid"
_EXPECT_RE = re.compile(r"# expect: (.*)$")


def expectations(path: Path) -> list[tuple[int, str]]:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = _EXPECT_RE.search(line)
        if match:
            found += [(number, part.strip()) for part in match.group(1).split(" | ")]
    return found


# ------------------------------------------------------------ shipped scenarios


@pytest.fixture(scope="module")
def shipped() -> list[Scenario]:
    scenarios, problems = validate_scenarios()
    assert not problems, "\n".join(map(str, problems))
    return scenarios


def test_every_shipped_scenario_validates(shipped):
    files = sorted(scenarios_dir().glob("*.toml"))
    assert len(files) >= 8
    assert {s.id for s in shipped} == {p.stem for p in files}


def test_shipped_scenarios_have_the_agreed_shape(shipped):
    known = {c.id for c in load_all()}
    for scenario in shipped:
        assert 4 <= scenario.total <= 6, scenario.id
        assert scenario.review == {"en": "reviewed", "sr": "draft", "rom": "draft"}
        for question in scenario.questions:
            assert sum(c.correct for c in question.choices) == 1, (scenario.id, question.key)
            assert question.checklist is None or question.checklist in known
            for choice in question.choices:
                assert choice.feedback.en and choice.feedback.sr and choice.feedback.rom


def test_shipped_scenarios_practise_every_topic_and_vary_the_right_answer(shipped):
    topics = {q.topic for s in shipped for q in s.questions}
    assert topics == set(TOPICS)
    # A trainee must not learn "the answer is always the first one".
    positions = {q.correct_index for s in shipped for q in s.questions}
    assert len(positions) >= 3


def test_shipped_scenarios_cover_the_situations_of_the_brief(shipped):
    about = {q.checklist for s in shipped for q in s.questions}
    assert about >= {
        "birth-registration",
        "late-birth-registration",
        "court-birth-determination",
        "residence-registration",
        "returnee-readmission",
        "idp-card",
        "id-card",
        "health-insurance",
    }


# --------------------------------------------------------------- broken files

BROKEN_FILES = sorted(BROKEN.glob("*.toml"))


@pytest.mark.parametrize("path", BROKEN_FILES, ids=lambda p: p.stem)
def test_each_broken_scenario_reports_its_problem_on_the_right_line(path):
    expected = expectations(path)
    assert expected, f"{path.name} has no '# expect:' marker"
    _, problems = validate_scenarios([path])
    got = [(p.line, p.message) for p in problems]
    for line, part in expected:
        assert any(g[0] == line and part in g[1] for g in got), (
            f"expected {path.name}:{line} containing {part!r}; got {got}"
        )
    for line, message in got:
        assert any(e[0] == line and e[1] in message for e in expected), (
            f"unexpected problem {path.name}:{line}: {message}"
        )


def test_broken_fixtures_cover_the_problems_the_editor_meets():
    assert {p.stem for p in BROKEN_FILES} >= {
        "missing-language",
        "no-correct-choice",
        "two-correct-choices",
        "unknown-checklist",
        "duplicate-question-key",
        "syntax-error",
    }


def test_problems_print_as_file_line_message():
    path = BROKEN / "unknown-checklist.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith('checklist = "id-kard"'))
    _, problems = validate_scenarios([path])
    assert str(problems[0]).startswith(f"{path}:{line}: questions #1, checklist: ")


def test_a_broken_file_is_skipped_and_the_rest_still_load(tmp_path):
    shutil.copy(VALID / "tiny-family.toml", tmp_path)
    shutil.copy(BROKEN / "two-correct-choices.toml", tmp_path)
    scenarios, problems = load_scenarios([tmp_path])
    ids = {s.id for s in scenarios}
    assert "tiny-family" in ids and "two-correct-choices" not in ids
    assert len(ids) >= 9  # the shipped ones are still there
    assert [p.path.name for p in problems] == ["two-correct-choices.toml"]


def test_an_unknown_checklist_is_reported_but_the_scenario_still_loads():
    scenarios, problems = validate_scenarios([BROKEN / "unknown-checklist.toml"])
    assert [s.id for s in scenarios] == ["unknown-checklist"]
    assert len(problems) == 1 and problems[0].is_error


def test_checklist_links_are_checked_against_the_given_checklists():
    path = VALID / "tiny-family.toml"
    assert validate_scenarios([path])[1] == []
    _, problems = validate_scenarios([path], checklists=["id-card"])
    assert len(problems) == 1 and "'birth-registration'" in problems[0].message


def test_validate_accepts_folders_and_files():
    from_folder, problems = validate_scenarios([VALID])
    assert [s.id for s in from_folder] == ["tiny-family"] and not problems
    scenario, problems = load_scenario(VALID / "tiny-family.toml")
    assert scenario is not None and not problems
    assert scenario.question("second").correct_index == 1
    assert scenario.question("missing") is None


def test_the_same_id_twice_keeps_the_higher_version(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    shutil.copy(VALID / "tiny-family.toml", first)
    text = (VALID / "tiny-family.toml").read_text(encoding="utf-8")
    (second / "tiny-family.toml").write_text(text.replace("version = 1", "version = 2"))
    scenarios, problems = validate_scenarios([first, second])
    assert [s.version for s in scenarios] == [2]
    assert [p.severity for p in problems] == ["note"] and problems[0].line == 3
    scenarios, problems = validate_scenarios([second, first])
    assert [s.version for s in scenarios] == [2]
    assert problems[0].is_error and "also used by" in problems[0].message


def test_unreadable_files_become_problems(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'id = "caf\xe9"\n')
    scenario, problems = load_scenario(path)
    assert scenario is None
    assert isinstance(problems[0], ChecklistProblem) and problems[0].line == 1
    assert "UTF-8" in problems[0].message


def test_learning_order_follows_the_checklist_order(shipped):
    ordered = learning_order(shipped, [c.id for c in load_all()])
    assert ordered[0].id == "newborn-in-hospital"
    assert ordered.index(shipped_by(shipped, "seven-year-old-born-at-home")) < ordered.index(
        shipped_by(shipped, "adult-late-registration-refused")
    )


def shipped_by(scenarios: list[Scenario], scenario_id: str) -> Scenario:
    return next(s for s in scenarios if s.id == scenario_id)


def test_loader_and_service_import_no_ui_library():
    code = (
        "import sys, docassist.procedures.scenarios, docassist.services.practice\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'textual', 'rich'})\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
