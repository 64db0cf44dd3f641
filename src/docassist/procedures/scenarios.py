"""Load and validate practice scenarios: made-up families a trainee works through.

One TOML file per scenario in ``checklists/scenarios/``. Texts carry every language
inline, exactly like checklist texts, and are checked by the same validator, so a
scenario editor meets the same messages (``file:line: message``) as a checklist editor.
A broken file is reported and skipped; the other scenarios still load.

Standard library only, like the rest of ``procedures``: no Textual, no storage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docassist.locations import checklists_dir
from docassist.procedures import schema
from docassist.procedures.fields import FieldChecker, describe, suggest
from docassist.procedures.loading import highest_versions, load_all
from docassist.procedures.model import Text
from docassist.procedures.problems import ChecklistProblem
from docassist.procedures.reading import SourceFile, files_named, read_toml, toml_files

# What a question practises; the UI and reports group answers by it.
TOPICS = ("procedure_first", "what_to_bring", "where_to_go", "refusal", "next_step")

# One problem type for every hand-edited file, so the CLI prints them alike.
ScenarioProblem = ChecklistProblem


def scenarios_dir() -> Path:
    """The scenarios shipped with docassist (a folder inside the checklists)."""
    return checklists_dir() / "scenarios"


# --------------------------------------------------------------------------- objects


@dataclass(frozen=True)
class Choice:
    text: Text
    correct: bool
    feedback: Text  # why this answer is right or wrong, with the rule in plain words


@dataclass(frozen=True)
class Question:
    key: str
    prompt: Text
    topic: str
    choices: tuple[Choice, ...]
    checklist: str | None = None  # the procedure the question is about

    @property
    def correct_index(self) -> int:
        """The position of the one right choice (the validator guarantees exactly one)."""
        return next(i for i, choice in enumerate(self.choices) if choice.correct)

    @property
    def correct_choice(self) -> Choice:
        return self.choices[self.correct_index]


@dataclass(frozen=True)
class Scenario:
    id: str
    version: int
    title: Text
    family: Text
    review: Mapping[str, str] = field(hash=False)
    questions: tuple[Question, ...]
    path: Path

    def question(self, key: str) -> Question | None:
        """The question with ``key``, or None (a stored attempt may predate an edit)."""
        return next((q for q in self.questions if q.key == key), None)

    @property
    def total(self) -> int:
        return len(self.questions)


# ------------------------------------------------------------------------ validator

_TOP_KEYS = {
    "id": True,
    "version": True,
    "title": True,
    "family": True,
    "review": True,
    "questions": True,
}
_QUESTION_KEYS = {
    "key": True,
    "prompt": True,
    "topic": True,
    "checklist": False,
    "choices": True,
}
_CHOICE_KEYS = {"text": True, "correct": True, "feedback": True}


class ScenarioChecker(FieldChecker):
    """The shared shape and text checks, applied to a scenario file."""

    # The hint about keys written after a [table] header has always named a checklist's
    # top-level keys, for scenarios too; kept so that the messages stay as they were.
    top_keys = schema.TOP_KEYS

    def build(self) -> Scenario | None:
        top = self.table(self.data, (), _TOP_KEYS)
        if top is None:
            return None
        scenario_id = self.optional(top, "id", (), lambda v, p: self.key_syntax(v, p, "id"))
        if scenario_id is not None and scenario_id != self.path.stem:
            self.report(
                ("id",),
                f"'{scenario_id}' does not match the file name "
                f"'{self.path.name}': name the file '{scenario_id}.toml'",
            )
        version = self.optional(top, "version", (), lambda v, p: self.integer(v, p, 1))
        title = self.optional(top, "title", (), self.text)
        family = self.optional(top, "family", (), self.text)
        review = self.optional(top, "review", (), self.review)
        questions = self.optional(top, "questions", (), self.questions)
        if self.problems:
            return None
        return Scenario(
            id=scenario_id,
            version=version,
            title=title,
            family=family,
            review=review,
            questions=questions,
            path=self.path,
        )

    def questions(self, value: Any, path: tuple[Any, ...]) -> tuple[Question, ...] | None:
        items = self.array(value, path, non_empty="at least one question is needed")
        if items is None:
            return None
        result: list[Question] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            here = (*path, index)
            table = self.table(item, here, _QUESTION_KEYS)
            if table is None:
                continue
            before = len(self.problems)
            key = self.optional(table, "key", here, lambda v, p: self.key_syntax(v, p, "key"))
            self.unique_key(key, seen, here, "questions")
            prompt = self.optional(table, "prompt", here, self.text)
            topic = self.optional(
                table, "topic", here, lambda v, p: self.choice(v, p, TOPICS, "topic")
            )
            target = self.optional(
                table, "checklist", here, lambda v, p: self.key_syntax(v, p, "checklist id")
            )
            choices = self.optional(table, "choices", here, self.choices)
            if len(self.problems) != before:
                continue
            result.append(Question(key, prompt, topic, choices, target))
        return tuple(result) if len(result) == len(items) else None

    def choices(self, value: Any, path: tuple[Any, ...]) -> tuple[Choice, ...] | None:
        items = self.array(value, path)
        if items is None:
            return None
        if len(items) < 2:
            # A question with one answer teaches nothing; point at the question.
            self.report(path, "a question needs at least two choices", at=path[:-1])
            return None
        result: list[Choice] = []
        correct_at: list[int] = []
        for index, item in enumerate(items):
            here = (*path, index)
            table = self.table(item, here, _CHOICE_KEYS)
            if table is None:
                continue
            before = len(self.problems)
            text = self.optional(table, "text", here, self.text)
            correct = self.optional(table, "correct", here, self.boolean)
            feedback = self.optional(table, "feedback", here, self.text)
            if correct:
                correct_at.append(index)
            if len(self.problems) == before:
                result.append(Choice(text, correct, feedback))
        if not correct_at and len(result) == len(items):
            self.report(
                path[:-1], "no choice is marked 'correct = true': exactly one must be", at=path
            )
            return None
        if len(correct_at) > 1:
            listing = " and ".join(f"#{i + 1}" for i in correct_at)
            self.report(
                path[:-1],
                f"choices {listing} are marked correct: exactly one must be",
                at=(*path, correct_at[1], "correct"),
            )
            return None
        return tuple(result) if len(result) == len(items) else None


# ------------------------------------------------------------------------ loading


@dataclass
class _ScenarioFile:
    path: Path
    scenario: Scenario | None
    problems: list[ChecklistProblem]
    source: SourceFile | None

    def line(self, at: tuple[Any, ...]) -> int:
        return self.source.line(at) if self.source else 1


def _load(path: Path) -> _ScenarioFile:
    path = Path(path)
    read = read_toml(path)
    if isinstance(read, ChecklistProblem):
        return _ScenarioFile(path, None, [read], None)
    checker = ScenarioChecker(read)
    scenario = checker.build()
    return _ScenarioFile(path, scenario, sorted(checker.problems, key=lambda p: p.line), read)


def load_scenario(path: Path) -> tuple[Scenario | None, list[ChecklistProblem]]:
    """One scenario file on its own (checklist ids are not checked); ``None`` when broken."""
    loaded = _load(Path(path))
    return loaded.scenario, loaded.problems


def _known_checklists(checklists: Iterable[Any] | None) -> set[str]:
    """Ids of the checklists in use: given ones (ids or ``Checklist`` objects) or loaded."""
    if checklists is None:
        checklists = load_all()
    return {item if isinstance(item, str) else item.id for item in checklists}


def _check_references(entries: Iterable[_ScenarioFile], known: set[str]) -> list[ChecklistProblem]:
    """Every ``checklist`` a question names must exist. The scenario still loads: the link
    only tells the trainee which procedure to read afterwards."""
    problems: list[ChecklistProblem] = []
    for entry in entries:
        scenario = entry.scenario
        if scenario is None:
            continue
        for index, question in enumerate(scenario.questions):
            if question.checklist and question.checklist not in known:
                at = ("questions", index, "checklist")
                line = entry.line(at)
                problems.append(
                    ChecklistProblem(
                        entry.path,
                        line,
                        f"{describe(at)}: no checklist with id "
                        f"'{question.checklist}'{suggest(question.checklist, known)}",
                    )
                )
    return problems


def _collect(
    paths: Iterable[Path], checklists: Iterable[Any] | None
) -> tuple[list[Scenario], list[ChecklistProblem]]:
    entries = [_load(path) for path in paths]
    problems = [problem for entry in entries for problem in entry.problems]
    chosen = highest_versions(entries, lambda entry: entry.scenario, problems)
    kept = list(chosen.values())
    problems.extend(_check_references(kept, _known_checklists(checklists)))
    scenarios = sorted((entry.scenario for entry in kept), key=lambda s: s.id)
    return scenarios, problems


def load_scenarios(
    extra_dirs: Iterable[Path] = (), *, checklists: Iterable[Any] | None = None
) -> tuple[list[Scenario], list[ChecklistProblem]]:
    """The bundled scenarios plus any in ``extra_dirs``, sorted by id, and every problem.

    ``checklists`` (ids or ``Checklist`` objects, e.g. the app's loaded set) are what
    question links are checked against; by default the checklists are loaded here.
    """
    files = toml_files(scenarios_dir())
    for directory in extra_dirs:
        files += toml_files(Path(directory))
    return _collect(files, checklists)


def learning_order(scenarios: Iterable[Scenario], checklist_order: Iterable[str]) -> list[Scenario]:
    """Scenarios in the order a trainee should meet them: by where the procedure their
    first question is about sits in the checklist order (which follows prerequisites:
    birth before citizenship before ID card), then by id."""
    rank = {cid: index for index, cid in enumerate(checklist_order)}
    last = len(rank)

    def key(scenario: Scenario) -> tuple[int, str]:
        first = next((q.checklist for q in scenario.questions if q.checklist), None)
        return rank.get(first, last) if first else last, scenario.id

    return sorted(scenarios, key=key)


def validate_scenarios(
    paths: Iterable[Path] | None = None, *, checklists: Iterable[Any] | None = None
) -> tuple[list[Scenario], list[ChecklistProblem]]:
    """What ``docassist checklists validate`` checks for scenarios.

    ``paths`` may name files or folders (their ``*.toml``); ``None`` means the bundled
    scenarios. Returns the scenarios that loaded and every problem (``str(problem)`` is
    ``file:line: message``). Notes (a higher version replacing a copy) count as problems
    only when they are errors: filter on ``problem.is_error``.
    """
    if paths is None:
        return load_scenarios(checklists=checklists)
    return _collect(files_named(paths), checklists)
