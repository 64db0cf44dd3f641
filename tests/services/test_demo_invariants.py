"""The demo register never contradicts itself (issue 15 item 16).

Built from the shipped checklists, as ``docassist demo`` builds it, and read back with
plain SQL: what each rule forbids is looked for in the rows themselves.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import pytest

from docassist.domain.dates import PartialDate
from docassist.procedures import load_all
from docassist.services import demo
from docassist.services import reports as rp

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def shipped():
    return demo.default_demo_checklists()


@pytest.fixture(params=[1, 7])
def built(ctx, shipped, request):
    demo.generate(ctx, households=250, seed=request.param, checklists=shipped)
    return ctx


def _held(ctx) -> dict[str, set[str]]:
    held: dict[str, set[str]] = defaultdict(set)
    for person_id, kind in ctx.db.execute(
        "SELECT person_id, kind FROM documents WHERE state = 'have' AND deleted_at IS NULL"
    ):
        held[person_id].add(kind)
    return held


def test_no_document_without_what_it_needs(built):
    held = _held(built)
    assert held, "the demo holds documents"
    for person_id, kinds in held.items():
        if kinds - {"birth_registration"}:
            # no "citizenship ✓" (or any other paper) beside "birth registration ✗"
            assert "birth_registration" in kinds, (person_id, kinds)
        if "id_card" in kinds:
            assert {"citizenship", "residence"} <= kinds, (person_id, kinds)


def test_blocked_reasons_fit_their_procedure(built):
    rows = built.db.execute(
        "SELECT c.checklist_id, c.blocked_reason FROM cases c WHERE c.blocked_reason IS NOT NULL "
        "UNION ALL SELECT c.checklist_id, s.blocked_reason FROM case_steps s "
        "JOIN cases c ON c.id = s.case_id WHERE s.blocked_reason IS NOT NULL"
    ).fetchall()
    assert rows, "the demo has blocked cases"
    for checklist_id, reason in rows:
        assert reason in demo.block_reasons(checklist_id), (checklist_id, reason)
    witnesses = {cid for cid, reason in rows if "svedok" in reason}
    assert witnesses <= {"late-birth-registration", "court-birth-determination"}
    assert "health-insurance" not in {cid for cid, r in rows if "Matičar" in r}


def test_trainees_never_appear_in_case_histories(built):
    trainees = [
        r[0] for r in built.db.execute("SELECT id FROM users WHERE role = 'trainee'").fetchall()
    ]
    assert trainees, "the demo has a trainee"
    marks = ",".join("?" * len(trainees))
    for sql in (
        f"SELECT count(*) FROM cases WHERE opened_by IN ({marks}) OR assignee_id IN ({marks})",
        f"SELECT count(*) FROM case_events WHERE user_id IN ({marks})",
        f"SELECT count(*) FROM audit_log WHERE entity = 'case' AND user_id IN ({marks})",
    ):
        params = trainees * sql.count("IN (")
        assert built.db.execute(sql, params).fetchone()[0] == 0, sql


def test_no_two_children_of_a_household_share_a_full_name(built):
    names = Counter(
        built.db.execute(
            "SELECT household_id, given_name, family_name FROM persons "
            "WHERE relation = 'child' AND deleted_at IS NULL"
        ).fetchall()
    )
    assert names, "the demo has children"
    assert [key for key, n in names.items() if n > 1] == []
    # nor anyone else of one household: a duplicate is registered in another one
    everyone = Counter(
        built.db.execute(
            "SELECT household_id, name_key FROM persons WHERE deleted_at IS NULL"
        ).fetchall()
    )
    assert [key for key, n in everyone.items() if n > 1] == []


def test_durations_vary_so_the_median_and_the_90th_percentile_differ(built):
    report = rp.build_report(
        built, rp.Period(date(2020, 1, 1), TODAY), None, load_all(extra_dirs=())
    )
    rows = [row for row in report.table("procedures").rows if row[4] >= 5]
    assert rows, "enough documents obtained to speak of a median"
    for row in rows:
        median, p90 = row[6], row[7]
        assert median != p90, row


def test_no_case_before_the_person_was_born_nor_a_step_before_its_case(built):
    rows = built.db.execute(
        "SELECT p.birth_date, substr(c.opened_at, 1, 10), c.id FROM cases c "
        "JOIN persons p ON p.id = c.person_id WHERE p.birth_date IS NOT NULL"
    ).fetchall()
    assert rows
    for birth, opened, case_id in rows:
        assert date.fromisoformat(opened) >= PartialDate.from_storage(birth).earliest(), case_id
    early = built.db.execute(
        "SELECT count(*) FROM case_steps s JOIN cases c ON c.id = s.case_id "
        "WHERE s.done_date < substr(c.opened_at, 1, 10)"
    ).fetchone()[0]
    assert early == 0
