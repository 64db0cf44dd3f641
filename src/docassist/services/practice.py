"""Practice: a trainee's attempts at made-up scenarios, kept in the practice database only.

Practice never touches real data. Every use case here refuses a database that was not
opened with ``open_practice`` (which marks the file in ``meta``), so a screen holding
the real register's context cannot store an attempt in it by mistake.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from docassist.domain.text import N_, Problem
from docassist.locations import practice_database
from docassist.procedures import Question, Scenario
from docassist.services.context import Context, NotFoundError, ValidationError
from docassist.services.made_up import PRACTICE_PURPOSE, is_practice
from docassist.store.db import new_id, open_database


class NotPracticeDatabaseError(Exception):
    """A practice use case was given a context on a database that is not for practice."""


@dataclass(frozen=True)
class Answer:
    question: str  # the question's key
    choice: int  # position of the chosen answer, from 0
    correct: bool
    at: str


@dataclass(frozen=True)
class Attempt:
    id: str
    trainee: str
    scenario_id: str
    scenario_version: int
    started_at: str
    finished_at: str | None
    score: int
    total: int
    answers: tuple[Answer, ...]

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    def answer(self, question_key: str) -> Answer | None:
        return next((a for a in self.answers if a.question == question_key), None)

    @property
    def correct_so_far(self) -> int:
        return sum(1 for a in self.answers if a.correct)


# ------------------------------------------------------------------ the database


def open_practice(
    path: Path | str | None = None, *, today: Callable[[], date] | None = None
) -> Context:
    """A context on the practice database (``locations.practice_database()`` by default),
    marked as such. Close it with ``ctx.db.close()``."""
    db = open_database(path if path is not None else practice_database())
    db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)", list(PRACTICE_PURPOSE))
    return Context(db, today=today) if today else Context(db)


def _require_practice(ctx: Context) -> None:
    if not is_practice(ctx):
        raise NotPracticeDatabaseError(
            "practice attempts are stored only in the practice database (open_practice)"
        )


# ------------------------------------------------------------------ rows


def _attempt(row: dict[str, Any]) -> Attempt:
    answers = tuple(
        Answer(a["question"], int(a["choice"]), bool(a["correct"]), a["at"])
        for a in json.loads(row["answers"] or "[]")
    )
    return Attempt(
        id=row["id"],
        trainee=row["trainee"],
        scenario_id=row["scenario_id"],
        scenario_version=row["scenario_version"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        score=row["score"],
        total=row["total"],
        answers=answers,
    )


def _answers_json(answers: tuple[Answer, ...]) -> str:
    return json.dumps(
        [
            {"question": a.question, "choice": a.choice, "correct": a.correct, "at": a.at}
            for a in answers
        ],
        ensure_ascii=False,
    )


def _clean_name(name: str) -> str:
    return " ".join(name.split())


def get_attempt(ctx: Context, attempt_id: str) -> Attempt:
    _require_practice(ctx)
    rows = list(
        ctx.db.query(
            "SELECT * FROM practice_attempts WHERE id = ? AND deleted_at IS NULL", [attempt_id]
        )
    )
    if not rows:
        raise NotFoundError("practice_attempt", attempt_id)
    return _attempt(rows[0])


# ------------------------------------------------------------------ use cases


def start_attempt(ctx: Context, trainee: str, scenario: Scenario) -> Attempt:
    """A new, empty attempt at ``scenario`` for ``trainee`` (a name)."""
    _require_practice(ctx)
    trainee = _clean_name(trainee)
    if not trainee:
        raise ValidationError({"trainee": [Problem("required", N_("Type a name."))]})
    row = {
        "id": new_id(),
        "trainee": trainee,
        "scenario_id": scenario.id,
        "scenario_version": scenario.version,
        "started_at": ctx.now(),
        "finished_at": None,
        "score": 0,
        "total": scenario.total,
        "answers": "[]",
        **ctx.stamp(),
    }
    with ctx.use_case():
        ctx.db.table("practice_attempts").insert(row)
        ctx.audit(
            "create",
            "practice_attempt",
            row["id"],
            after={"trainee": trainee, "scenario": scenario.id, "version": scenario.version},
        )
    return _attempt(row)


def record_answer(ctx: Context, attempt_id: str, question: Question, choice: int) -> Attempt:
    """Store the trainee's choice for ``question``; whether it is right comes from the
    scenario, not from the caller. The first answer to a question counts: answering it
    again changes nothing (feedback was already shown)."""
    _require_practice(ctx)
    if not 0 <= choice < len(question.choices):
        raise ValidationError(
            {"choice": [Problem("out-of-range", N_("Choose one of the answers shown."))]}
        )
    with ctx.use_case():
        attempt = get_attempt(ctx, attempt_id)
        if attempt.finished:
            raise ValidationError(
                {"attempt": [Problem("finished", N_("This practice round is already over."))]}
            )
        if attempt.answer(question.key) is not None:
            return attempt
        answer = Answer(question.key, choice, question.choices[choice].correct, ctx.now())
        answers = (*attempt.answers, answer)
        ctx.db.execute(
            "UPDATE practice_attempts SET answers = ?, updated_at = ?, device_id = ? WHERE id = ?",
            [_answers_json(answers), ctx.now(), ctx.device_id, attempt_id],
        )
        ctx.audit(
            "update",
            "practice_attempt",
            attempt_id,
            after={"question": question.key, "choice": choice, "correct": answer.correct},
        )
    return get_attempt(ctx, attempt_id)


def finish_attempt(ctx: Context, attempt_id: str) -> Attempt:
    """Close the attempt and store its score (correct answers out of the questions)."""
    _require_practice(ctx)
    with ctx.use_case():
        attempt = get_attempt(ctx, attempt_id)
        if attempt.finished:
            return attempt
        score = attempt.correct_so_far
        now = ctx.now()
        ctx.db.execute(
            "UPDATE practice_attempts SET finished_at = ?, score = ?, updated_at = ?, "
            "device_id = ? WHERE id = ?",
            [now, score, now, ctx.device_id, attempt_id],
        )
        ctx.audit(
            "update",
            "practice_attempt",
            attempt_id,
            before={"finished_at": None},
            after={"finished_at": now, "score": score, "total": attempt.total},
        )
    return get_attempt(ctx, attempt_id)


def past_attempts(
    ctx: Context, trainee: str, scenario_id: str | None = None, *, finished_only: bool = True
) -> list[Attempt]:
    """The trainee's attempts, newest first (only finished ones unless asked)."""
    _require_practice(ctx)
    sql = "SELECT * FROM practice_attempts WHERE trainee = ? AND deleted_at IS NULL"
    params: list[Any] = [_clean_name(trainee)]
    if scenario_id is not None:
        sql += " AND scenario_id = ?"
        params.append(scenario_id)
    if finished_only:
        sql += " AND finished_at IS NOT NULL"
    sql += " ORDER BY started_at DESC, rowid DESC"
    return [_attempt(row) for row in ctx.db.query(sql, params)]


def best_attempts(ctx: Context, trainee: str) -> dict[str, Attempt]:
    """Per scenario id, the trainee's best finished attempt (highest share right; the
    latest of equals)."""
    best: dict[str, Attempt] = {}
    for attempt in past_attempts(ctx, trainee):
        current = best.get(attempt.scenario_id)
        share = attempt.score / attempt.total if attempt.total else 0.0
        if current is None or share > (current.score / current.total if current.total else 0):
            best[attempt.scenario_id] = attempt
    return best
