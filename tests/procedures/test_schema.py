"""The checklist rules, one file at a time: valid files load, broken ones say where."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docassist.domain.model import DocumentKind, Institution, PersonStatus
from docassist.procedures import Checklist, load_file, validate_files
from tests.procedures.expect import BROKEN, VALID, assert_problems_match, expectations


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
        # issue 15: deadlines from the birth, steps for some people, where people were born
        "deadline-days-without-text",
        "after-deadline-without-days",
        "unknown-from-step",
        "unknown-born-in",
        "empty-only-if",
    } <= kinds


def test_the_new_keys_load_into_the_model(tmp_path):
    # issue 15: deadline_days, after_deadline, from_step, born_in and only_if.
    from docassist.procedures import load_all

    shipped = load_all(user=False)
    report = shipped.get("birth-registration").step("report-birth")
    assert report.deadline_days == 15
    assert "late registration" in report.after_deadline.en
    [mother] = shipped.get("birth-registration").prerequisites
    assert mother.from_step == "entry-and-jmbg"


def test_did_you_mean_only_when_close():
    _, problems = load_file(BROKEN / "unknown-key.toml")
    assert "did you mean 'version'" in problems[0].message
    _, problems = load_file(BROKEN / "unknown-document-kind.toml")
    assert "did you mean" not in problems[0].message


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
