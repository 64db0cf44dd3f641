"""What ``docassist checklists validate`` checks: references across files, cycles, ids."""

from __future__ import annotations

from docassist.procedures import validate, validate_files
from tests.procedures.conftest import user_copy
from tests.procedures.expect import (
    CROSS,
    DUPLICATE,
    VALID,
    assert_problems_match,
    expectations,
)


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


def test_validate_accepts_folders():
    checklists, problems = validate([VALID])
    assert len(checklists) == 9 and problems == []


def test_validate_without_paths_checks_what_the_app_loads(bundled_fixtures):
    user_copy("id-card.toml", version=3)
    checklists, problems = validate()
    assert len(checklists) == 9 and problems == []
    _, with_notes = validate(notes=True)
    assert [p.severity for p in with_notes] == ["note"]
    # A copy that is not used is reported as a warning even without notes.
    user_copy("residence.toml", version=1)
    _, problems = validate()
    assert [(p.severity, p.path.name) for p in problems] == [("warning", "residence.toml")]
