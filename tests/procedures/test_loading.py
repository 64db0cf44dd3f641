"""Loading the checklists in use: shipped, the user's own, extra folders; the set's order."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from docassist.domain.model import DocumentKind
from docassist.locations import checklists_dir
from docassist.procedures import load_all
from tests.procedures.conftest import user_copy
from tests.procedures.expect import VALID


def test_load_all_reads_bundled_checklists(bundled_fixtures):
    loaded = load_all()
    assert loaded.problems == []
    assert len(loaded) == 9
    assert all(c.origin == "bundled" for c in loaded)
    assert loaded.bundled() == list(loaded)


def test_user_file_with_higher_version_replaces_the_bundled_one(bundled_fixtures):
    path = user_copy("id-card.toml", version=3)
    loaded = load_all()
    card = loaded.get("id-card")
    assert (card.version, card.origin, card.path) == (3, "user", path)
    [note] = loaded.problems
    assert note.severity == "note" and note.path == path and note.line == 3
    assert "version 2" in note.message and "version 3" in note.message
    assert "id-card" not in {c.id for c in loaded.bundled()}


def test_user_file_with_same_version_is_not_used_with_a_warning(bundled_fixtures):
    path = user_copy("id-card.toml", version=2)
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
    user_copy("id-card.toml", version=1)
    [warning] = load_all().warnings
    assert "older than the bundled checklist" in warning.message


def test_broken_user_file_is_skipped_and_the_rest_still_loads(bundled_fixtures):
    user_copy("residence.toml", version=5, edit=lambda t: t.replace("version = 5", "version = 0"))
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
    path = user_copy(
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


def _shipped() -> list[Path]:
    return sorted(checklists_dir().glob("*.toml"))


@pytest.mark.skipif(not _shipped(), reason="no checklist files shipped yet")
def test_shipped_checklists_have_no_problems():
    loaded = load_all()
    assert [str(p) for p in loaded.problems] == []
    assert len(loaded) == len(_shipped())


def test_loader_imports_no_ui_or_storage_library():
    code = (
        "import sys, docassist.procedures\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'textual', 'rich', 'sqlite3', 'sqlite_utils', 'babel'})\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
