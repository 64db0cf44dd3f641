"""Practice attempts: stored in the practice database, apart from the register."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docassist import locations
from docassist.procedures import Scenario, load_scenario
from docassist.services import practice as svc
from docassist.services.context import Context, ValidationError
from docassist.store.db import open_database

VALID = Path(__file__).parents[1] / "fixtures" / "scenarios" / "valid"


@pytest.fixture
def scenario() -> Scenario:
    loaded, problems = load_scenario(VALID / "tiny-family.toml")
    assert loaded is not None, problems
    return loaded


@pytest.fixture
def pctx():
    ctx = svc.open_practice()
    yield ctx
    ctx.db.close()


def test_attempts_go_to_the_practice_database_and_never_the_register(pctx, scenario):
    register = locations.default_database()
    assert not register.exists()
    attempt = svc.start_attempt(pctx, "  Ana   Trainee ", scenario)
    svc.record_answer(pctx, attempt.id, scenario.questions[0], 0)
    svc.record_answer(pctx, attempt.id, scenario.questions[1], 0)
    done = svc.finish_attempt(pctx, attempt.id)
    assert (done.score, done.total) == (1, 2) and done.finished
    # The file written is the practice one; the real register was never created.
    assert locations.practice_database().exists()
    assert not register.exists()
    row = pctx.db.execute("SELECT trainee, answers FROM practice_attempts").fetchone()
    assert row[0] == "Ana Trainee"
    assert [a["correct"] for a in json.loads(row[1])] == [True, False]


def test_a_register_context_is_refused(tmp_path, scenario):
    db = open_database(tmp_path / "register.db")
    try:
        with pytest.raises(svc.NotPracticeDatabaseError):
            svc.start_attempt(Context(db), "Ana", scenario)
        assert db.execute("SELECT count(*) FROM practice_attempts").fetchone()[0] == 0
    finally:
        db.close()


def test_correctness_comes_from_the_scenario_and_the_first_answer_counts(pctx, scenario):
    attempt = svc.start_attempt(pctx, "Ana", scenario)
    first = svc.record_answer(pctx, attempt.id, scenario.questions[1], 1)
    again = svc.record_answer(pctx, attempt.id, scenario.questions[1], 0)
    assert first.answers == again.answers and again.answers[0].correct
    with pytest.raises(ValidationError):
        svc.record_answer(pctx, attempt.id, scenario.questions[0], 7)
    svc.finish_attempt(pctx, attempt.id)
    with pytest.raises(ValidationError):
        svc.record_answer(pctx, attempt.id, scenario.questions[0], 0)


def test_past_attempts_newest_first_and_best_per_scenario(pctx, scenario):
    scores = []
    for picks in ((0, 1), (1, 0), (0, 0)):
        attempt = svc.start_attempt(pctx, "Ana", scenario)
        for question, pick in zip(scenario.questions, picks, strict=True):
            svc.record_answer(pctx, attempt.id, question, pick)
        scores.append(svc.finish_attempt(pctx, attempt.id).score)
    unfinished = svc.start_attempt(pctx, "Ana", scenario)
    svc.start_attempt(pctx, "Someone Else", scenario)
    past = svc.past_attempts(pctx, "Ana")
    assert [a.score for a in past] == list(reversed(scores)) == [1, 0, 2]
    assert unfinished.id not in {a.id for a in past}
    assert len(svc.past_attempts(pctx, "Ana", finished_only=False)) == 4
    assert svc.best_attempts(pctx, "Ana")["tiny-family"].score == 2
    assert svc.past_attempts(pctx, "Nobody") == []


def test_each_use_case_is_one_audited_transaction(pctx, scenario):
    attempt = svc.start_attempt(pctx, "Ana", scenario)
    svc.record_answer(pctx, attempt.id, scenario.questions[0], 0)
    svc.finish_attempt(pctx, attempt.id)
    assert not pctx.db.conn.in_transaction
    actions = pctx.db.execute(
        "SELECT action FROM audit_log WHERE entity = 'practice_attempt' ORDER BY id"
    ).fetchall()
    assert [a for (a,) in actions] == ["create", "update", "update"]


def test_migration_creates_the_attempts_table_with_sync_columns(tmp_path):
    db = open_database(tmp_path / "any.db")
    try:
        columns = {row[1] for row in db.execute("PRAGMA table_info(practice_attempts)")}
        assert columns >= {
            "id",
            "trainee",
            "scenario_id",
            "scenario_version",
            "started_at",
            "finished_at",
            "score",
            "total",
            "answers",
            "updated_at",
            "device_id",
            "deleted_at",
        }
        assert db.table("practice_attempts").primary_keys() == ["id"]
    finally:
        db.close()
