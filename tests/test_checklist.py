"""Loading and validating checklist files.

Broken fixtures carry their expectations inline: a line ending in
``# expect: <message part>`` must produce a problem on exactly that line whose message
contains that part (several parts are separated by `` | ``), and no other problem may
appear. A wrong line number therefore fails the test as surely as a missed problem.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docassist import checklist as checklist_module
from docassist.checklist import (
    Checklist,
    ChecklistProblem,
    ChecklistSet,
    Text,
    _latin_words,
    _LineLocator,
    load_all,
    load_file,
    validate_files,
    validate_paths,
)
from docassist.domain.model import DocumentKind, Institution, PersonStatus
from docassist.locations import checklists_dir, user_checklists_dir

FIXTURES = Path(__file__).parent / "fixtures" / "checklists"
VALID = FIXTURES / "valid"
BROKEN = FIXTURES / "broken"
CROSS = FIXTURES / "cross"
DUPLICATE = FIXTURES / "duplicate"

_EXPECT_RE = re.compile(r"# expect: (.*)$")


def expectations(paths: list[Path]) -> list[tuple[str, int, str]]:
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = _EXPECT_RE.search(line)
            if match:
                found += [(path.name, number, part.strip()) for part in match.group(1).split(" | ")]
    return found


def assert_problems_match(problems: list[ChecklistProblem], expected: list[tuple[str, int, str]]):
    got = [(p.path.name, p.line, p.message) for p in problems]
    for name, line, part in expected:
        assert any(g[0] == name and g[1] == line and part in g[2] for g in got), (
            f"expected {name}:{line} containing {part!r}; got {got}"
        )
    for name, line, message in got:
        assert any(e[0] == name and e[1] == line and e[2] in message for e in expected), (
            f"unexpected problem {name}:{line}: {message}"
        )


# ----------------------------------------------------------------- valid files


def test_valid_fixtures_load_without_problems():
    checklists, problems = validate_files(sorted(VALID.glob("*.toml")))
    assert problems == []
    assert len(checklists) == 9


def test_loaded_objects_carry_the_file_content():
    checklist, problems = load_file(VALID / "id-card.toml")
    assert problems == []
    assert isinstance(checklist, Checklist)
    assert checklist.id == "id-card"
    assert checklist.version == 2
    assert checklist.produces is DocumentKind.ID_CARD
    assert checklist.institutions == (Institution.POLICE,)
    assert checklist.review == {"en": "reviewed", "sr": "draft", "rom": "draft"}
    assert checklist.applies.lacks is DocumentKind.ID_CARD
    assert checklist.applies.age_min == 10
    assert checklist.sources[0].checked == date(2026, 11, 1)
    assert [p.checklist for p in checklist.prerequisites] == [
        "birth-registration",
        "citizenship-certificate",
        "residence",
    ]
    assert checklist.step_keys == ("pay-fee", "take-photo", "collect-card")
    pay = checklist.step("pay-fee")
    assert pay is not None and pay.verify_locally == frozenset({"cost"})
    assert pay.bring[0].sr == "Уплатница"
    assert checklist.step("collect-card").typical_days == 15
    assert checklist.step("no-such-step") is None
    assert checklist.path == VALID / "id-card.toml"
    assert checklist.origin == "bundled"


def test_optional_parts_default_sensibly():
    route, _ = load_file(VALID / "returnee-route.toml", origin="user")
    assert route.produces is None
    assert route.prerequisites == ()
    assert route.refusal_reasons == ()
    assert route.applies.status == frozenset({PersonStatus.RETURNEE})
    assert route.origin == "user"
    court, _ = load_file(VALID / "birth-registration-court.toml")
    # A bare TOML date is accepted for `checked`: it is unambiguous.
    assert court.sources[0].checked == date(2026, 11, 1)
    late, _ = load_file(VALID / "late-birth-registration.toml")
    assert late.refusal_reasons[0].key == "no-witnesses"
    assert late.applies.instead_of == "birth-registration"


# ---------------------------------------------------------------- broken files


BROKEN_FILES = sorted(BROKEN.glob("*.toml"))


@pytest.mark.parametrize("path", BROKEN_FILES, ids=lambda p: p.stem)
def test_each_broken_file_reports_its_problem_on_the_right_line(path):
    expected = expectations([path])
    assert expected, f"{path.name} has no '# expect:' marker"
    checklist, problems = load_file(path)
    assert checklist is None
    assert_problems_match(problems, expected)


def test_broken_fixtures_cover_every_problem_kind():
    kinds = {p.stem for p in BROKEN_FILES}
    assert {
        "syntax-error",
        "unknown-key",
        "unknown-step-key",
        "missing-top-key",
        "missing-step-key",
        "wrong-type",
        "missing-language",
        "empty-text",
        "latin-in-sr",
        "duplicate-step-key",
        "bad-step-key",
        "bad-id-syntax",
        "id-mismatch",
        "version-not-positive",
        "unknown-institution",
        "unknown-document-kind",
        "unknown-status",
        "unknown-who",
        "unknown-verify-field",
        "empty-steps",
        "empty-sources",
        "empty-institutions",
        "bad-checked-date",
        "bad-review-value",
        "review-missing-language",
    } <= kinds


def test_problem_prints_as_path_line_message():
    problem = ChecklistProblem(Path("checklists/id-card.toml"), 12, "title: missing language 'rom'")
    assert str(problem) == "checklists/id-card.toml:12: title: missing language 'rom'"
    note = ChecklistProblem(Path("x.toml"), 2, "replaces 'x'", severity="note")
    assert str(note) == "x.toml:2: note: replaces 'x'"
    assert not note.is_error


def test_did_you_mean_only_when_close():
    _, problems = load_file(BROKEN / "unknown-key.toml")
    assert "did you mean 'version'" in problems[0].message
    _, problems = load_file(BROKEN / "unknown-document-kind.toml")
    assert "did you mean" not in problems[0].message


# ------------------------------------------------------------ cross-file checks


def test_cross_file_problems_point_at_the_referring_line():
    paths = sorted(CROSS.glob("*.toml"))
    checklists, problems = validate_files(paths)
    assert_problems_match(problems, expectations(paths))
    ids = {c.id for c in checklists}
    # A bad reference is reported, but the referring checklist still loads.
    assert {"needs-unknown", "needs-route", "needs-broken", "cycle-a", "cycle-b"} <= ids
    assert "broken-target" not in ids


def test_each_cycle_is_reported_once():
    _, problems = validate_files(sorted(CROSS.glob("*.toml")))
    cycles = [p.message for p in problems if "cycle" in p.message]
    assert len(cycles) == 3
    assert sum("cycle-a -> cycle-b -> cycle-a" in m for m in cycles) == 1


def test_a_chain_through_the_mother_is_not_a_cycle():
    _, problems = validate_files([CROSS / "family-chain.toml", CROSS / "family-chain-parent.toml"])
    assert problems == []


def test_duplicate_ids_across_files():
    paths = sorted(DUPLICATE.rglob("*.toml"))
    checklists, problems = validate_files(paths)
    assert_problems_match(problems, expectations(paths))
    assert [c.path.parent.name for c in checklists] == ["first"]


def test_validate_paths_accepts_folders():
    checklists, problems = validate_paths([VALID])
    assert len(checklists) == 9 and problems == []


# ------------------------------------------------------------- the line locator


def test_locator_maps_headers_keys_and_array_items():
    text = """\
id = "x"
applies.lacks = "id_card"

[[steps]]
key = "a"
tips = \"\"\"Bring [two] copies.
# not a comment\"\"\"
bring = [
  "first",  # a comment with ] and "
  'second',
]

[[steps]]
"key" = "b"
title.en = "Title"

[steps.where]
en = "Here"
"""
    loc = _LineLocator(text)
    assert loc.line(["id"]) == 1
    assert loc.line(["applies"]) == 2
    assert loc.line(["applies", "lacks"]) == 2
    assert loc.line(["steps", 0]) == 4
    assert loc.line(["steps", 0, "key"]) == 5
    assert loc.line(["steps", 0, "bring"]) == 8
    assert loc.line(["steps", 0, "bring", 0]) == 9
    assert loc.line(["steps", 0, "bring", 1]) == 10
    assert loc.line(["steps", 1]) == 13
    assert loc.line(["steps", 1, "key"]) == 14
    assert loc.line(["steps", 1, "title", "en"]) == 15
    assert loc.line(["steps", 1, "where"]) == 17
    assert loc.line(["steps", 1, "where", "en"]) == 18
    # Unknown paths fall back to the nearest ancestor, then to line 1.
    assert loc.line(["steps", 1, "cost"]) == 13
    assert loc.line(["nothing"]) == 1


def test_locator_survives_text_it_does_not_understand():
    loc = _LineLocator('a = 1\nb = "unterminated\n')
    assert loc.line(["a"]) == 1
    assert loc.line(["b", "c"]) == 2


# ------------------------------------------------------------------- the texts


def test_text_fallback_chain():
    full = Text(en="ID card", sr="Лична карта", rom="Lični karta")
    assert full.get("en") == ("ID card", "en")
    assert full.get("sr") == ("Лична карта", "sr")
    assert full.get("sr_Latn") == ("Lična karta", "sr_Latn")
    assert full.get("rom") == ("Lični karta", "rom")
    assert full.get("de") == ("ID card", "en")

    no_rom = Text(en="ID card", sr="Лична карта", rom="")
    assert no_rom.get("rom") == ("Lična karta", "sr_Latn")

    english_only = Text(en="ID card")
    assert english_only.get("sr") == ("ID card", "en")
    assert english_only.get("sr_Latn") == ("ID card", "en")
    assert english_only.get("rom") == ("ID card", "en")
    assert Text(en="ID card", sr="  ").get("sr") == ("ID card", "en")


@pytest.mark.parametrize(
    "text",
    [
        "Лична карта и ЈМБГ.",
        "Донесите JMBG и извод (2 примерка).",
        "Пријава на eUprava: www.euprava.gov.rs или https://kirs.gov.rs/lat",
        "Филијала RFZO, шалтер 3; члан II.",
        "Сл. гласник РС 20/2009, 145/2014 — 15 дана.",
    ],
)
def test_cyrillic_text_allows_numbers_abbreviations_and_addresses(text):
    # eUprava is the one mixed-case brand here: it must be flagged, nothing else.
    assert _latin_words(text) in ([], ["eUprava"])


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Матична služba", "služba"),
        ("Истог дaна", "дaна"),  # Latin "a" inside a Cyrillic word
        ("Донесите Izvod", "Izvod"),
        ("Питајте ABCDEF", "ABCDEF"),  # too long to be an abbreviation
    ],
)
def test_latin_words_in_serbian_are_found(text, word):
    assert word in _latin_words(text)


# ---------------------------------------------------------- never raises


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


def test_checklists_are_hashable_values():
    first, _ = load_file(VALID / "id-card.toml")
    second, _ = load_file(VALID / "id-card.toml")
    assert first == second and hash(first) == hash(second)


def test_empty_file_lists_every_missing_key_on_line_1(tmp_path):
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    checklist, problems = load_file(empty)
    assert checklist is None
    assert {p.line for p in problems} == {1}
    assert len(problems) == 10  # every required top-level key


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_load_file_never_raises_on_arbitrary_text(tmp_path, text):
    path = tmp_path / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    checklist, problems = load_file(path)
    assert checklist is None
    assert all(p.line >= 1 for p in problems)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_valid_files_report_lines_inside_the_file(tmp_path, data):
    source = data.draw(st.sampled_from(sorted(VALID.glob("*.toml"))))
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    drop = data.draw(st.sets(st.integers(0, len(lines) - 1), max_size=3))
    damaged = [line for index, line in enumerate(lines) if index not in drop]
    path = tmp_path / source.name
    path.write_text("".join(damaged), encoding="utf-8")
    _, problems = load_file(path)
    assert all(1 <= p.line <= max(1, len(damaged)) for p in problems)


# -------------------------------------------------------------------- load_all


@pytest.fixture
def bundled_fixtures(monkeypatch):
    """Make the valid fixtures stand in for the shipped checklists."""
    monkeypatch.setattr(checklist_module, "checklists_dir", lambda: VALID)
    return VALID


def _user_copy(name: str, version: int | None = None, edit=None) -> Path:
    target_dir = user_checklists_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / name
    shutil.copy(VALID / name, target)
    text = target.read_text(encoding="utf-8")
    if version is not None:
        text = re.sub(r"(?m)^version = \d+$", f"version = {version}", text)
    if edit is not None:
        text = edit(text)
    target.write_text(text, encoding="utf-8")
    return target


def test_load_all_reads_bundled_checklists(bundled_fixtures):
    loaded = load_all()
    assert loaded.problems == []
    assert len(loaded) == 9
    assert all(c.origin == "bundled" for c in loaded)
    assert loaded.bundled() == list(loaded)


def test_user_file_with_higher_version_replaces_the_bundled_one(bundled_fixtures):
    path = _user_copy("id-card.toml", version=3)
    loaded = load_all()
    card = loaded.get("id-card")
    assert (card.version, card.origin, card.path) == (3, "user", path)
    [note] = loaded.problems
    assert note.severity == "note" and note.path == path and note.line == 3
    assert "version 2" in note.message and "version 3" in note.message
    assert "id-card" not in {c.id for c in loaded.bundled()}


def test_user_file_with_same_version_is_not_used_with_a_warning(bundled_fixtures):
    path = _user_copy("id-card.toml", version=2)
    loaded = load_all()
    assert loaded.get("id-card").origin == "bundled"
    [warning] = loaded.problems
    assert warning.severity == "warning" and warning.path == path and warning.line == 3
    assert "not used: same id and version as the bundled checklist" in warning.message
    assert "raise 'version' to 3 to use your copy" in warning.message
    assert str(warning).startswith(f"{path}:3: warning: not used")
    assert loaded.errors == [] and loaded.warnings == [warning]
    assert loaded.skipped_files == []


def test_user_file_with_lower_version_is_not_used_with_a_warning(bundled_fixtures):
    _user_copy("id-card.toml", version=1)
    [warning] = load_all().warnings
    assert "older than the bundled checklist" in warning.message


def test_broken_user_file_is_skipped_and_the_rest_still_loads(bundled_fixtures):
    _user_copy("residence.toml", version=5, edit=lambda t: t.replace("version = 5", "version = 0"))
    loaded = load_all()
    assert loaded.get("residence").origin == "bundled"
    assert len(loaded) == 9
    [problem] = loaded.problems
    assert problem.is_error and problem.line == 3


def test_unknown_prerequisite_is_reported_and_the_file_skipped(bundled_fixtures, tmp_path):
    # Issue 3: a broken file is reported clearly and skipped; the others still load.
    extra = tmp_path / "extra"
    extra.mkdir()
    text = (VALID / "idp-card.toml").read_text(encoding="utf-8")
    text = text.replace('id = "idp-card"', 'id = "idp-card-renewal"').replace(
        'checklist = "id-card"', 'checklist = "id-kard"'
    )
    path = extra / "idp-card-renewal.toml"
    path.write_text(text, encoding="utf-8")
    loaded = load_all([extra])
    assert loaded.get("idp-card-renewal") is None
    assert len(loaded) == 9
    [problem] = loaded.problems
    assert "no checklist with id 'id-kard' (did you mean 'id-card'?)" in problem.message
    assert problem.line == text.splitlines().index('checklist = "id-kard"') + 1
    assert loaded.skipped_files == [path]


def _renamed(text: str, old: str, new: str) -> str:
    return text.replace(f'id = "{old}"', f'id = "{new}"')


def test_a_user_cycle_skips_the_user_files_never_a_bundled_one(bundled_fixtures):
    # The user's residence registration (a higher version) needs the ID card, which needs
    # residence: a cycle. "id-card" sorts first, but the user's file is what is wrong, and
    # it is what is skipped: the bundled residence registration is used instead.
    path = _user_copy(
        "residence.toml",
        version=9,
        edit=lambda t: t.replace('checklist = "birth-registration"', 'checklist = "id-card"'),
    )
    loaded = load_all()
    assert loaded.get("residence").origin == "bundled"
    assert loaded.get("id-card").origin == "bundled"
    assert len(loaded) == 9
    [cycle] = [p for p in loaded.errors if "cycle" in p.message]
    assert cycle.path == path
    assert loaded.skipped_files == [path]


def test_a_file_that_needs_a_skipped_file_is_skipped_too(bundled_fixtures, tmp_path):
    extra = tmp_path / "extra"
    extra.mkdir()
    base = (VALID / "idp-card.toml").read_text(encoding="utf-8")
    broken = _renamed(base, "idp-card", "first").replace(
        'checklist = "id-card"', 'checklist = "nowhere"'
    )
    (extra / "first.toml").write_text(broken, encoding="utf-8")
    follower = _renamed(base, "idp-card", "second").replace(
        'checklist = "id-card"', 'checklist = "first"'
    )
    (extra / "second.toml").write_text(follower, encoding="utf-8")
    loaded = load_all([extra])
    assert {c.id for c in loaded} == {c.id for c in load_all(user=False)}
    assert [p.name for p in loaded.skipped_files] == ["first.toml", "second.toml"]
    second = next(p for p in loaded.errors if p.path.name == "second.toml")
    assert "'first' could not be loaded" in second.message


def test_validate_paths_without_paths_checks_what_the_app_loads(bundled_fixtures):
    _user_copy("id-card.toml", version=3)
    checklists, problems = validate_paths()
    assert len(checklists) == 9 and problems == []
    _, with_notes = validate_paths(notes=True)
    assert [p.severity for p in with_notes] == ["note"]
    # A copy that is not used is reported as a warning even without notes.
    _user_copy("residence.toml", version=1)
    _, problems = validate_paths()
    assert [(p.severity, p.path.name) for p in problems] == [("warning", "residence.toml")]


# ---------------------------------------------------------------- ChecklistSet


def test_set_order_follows_prerequisites_then_id(bundled_fixtures):
    order = [c.id for c in load_all()]
    position = {cid: index for index, cid in enumerate(order)}
    for checklist in load_all():
        for prereq in checklist.prerequisites:
            if prereq.who == "self":
                assert position[prereq.checklist] < position[checklist.id]
    # Every route to a document comes before what needs that document.
    assert position["late-birth-registration"] < position["citizenship-certificate"]
    assert position["birth-registration-court"] < position["citizenship-certificate"]
    assert order == [c.id for c in load_all()]  # stable


def test_set_lookup_and_producing(bundled_fixtures):
    loaded = load_all()
    assert loaded.get("nope") is None
    assert "id-card" in loaded and "nope" not in loaded
    assert [c.id for c in loaded.producing(DocumentKind.BIRTH_REGISTRATION)] == [
        "birth-registration",
        "late-birth-registration",
        "birth-registration-court",
    ]
    assert loaded.producing(DocumentKind.TRAVEL_DOCUMENT) == []


def test_set_survives_a_cycle():
    checklists, _ = validate_files([CROSS / "cycle-a.toml", CROSS / "cycle-b.toml"])
    assert [c.id for c in ChecklistSet(checklists)] == ["cycle-a", "cycle-b"]


# ------------------------------------------------------------- shipped content


def _shipped() -> list[Path]:
    return sorted(checklists_dir().glob("*.toml"))


@pytest.mark.skipif(not _shipped(), reason="no checklist files shipped yet")
def test_shipped_checklists_have_no_problems():
    loaded = load_all()
    assert [str(p) for p in loaded.problems] == []
    assert len(loaded) == len(_shipped())


def test_loader_imports_no_ui_or_storage_library():
    code = (
        "import sys, docassist.checklist, docassist.nextsteps\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'textual', 'rich', 'sqlite3', 'sqlite_utils', 'babel'})\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
