"""The checklist rules: what a checklist file must say, checked one file at a time.

``FieldChecker`` (``fields``) checks shapes and texts; ``ChecklistChecker`` adds what a
checklist is (its sections, ids, ages, steps). What needs other files too (prerequisites
that exist, cycles, duplicate ids) is in ``references``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from docassist.domain.birthplace import BIRTHPLACES
from docassist.domain.model import DocumentKind, Institution, PersonStatus
from docassist.procedures.fields import FieldChecker, suggest, type_name
from docassist.procedures.model import (
    VERIFY_FIELDS,
    WHO_VALUES,
    Applies,
    Checklist,
    Prerequisite,
    RefusalReason,
    Source,
    Step,
    StepCondition,
)
from docassist.procedures.problems import ChecklistProblem
from docassist.procedures.reading import SourceFile, read_toml

TOP_KEYS = {
    "id": True,
    "version": True,
    "title": True,
    "summary": True,
    "for_whom": True,
    "produces": False,
    "institutions": True,
    "review": True,
    "applies": True,
    "sources": True,
    "prerequisites": False,
    "steps": True,
    "refusal_reasons": False,
}
_APPLIES_KEYS = dict.fromkeys(
    (
        "lacks",
        "age_min",
        "age_max",
        "age_min_days",
        "age_max_days",
        "status",
        "after_refusal_of",
        "instead_of",
        "alternative_to",
        "born_in",
    ),
    False,
)
_SOURCE_KEYS = {"ref": True, "checked": True, "note": False}
_PREREQUISITE_KEYS = {
    "checklist": True,
    "who": True,
    "reason": True,
    "age_min": False,
    "age_max": False,
    "from_step": False,
}
_STEP_KEYS = {
    "key": True,
    "title": True,
    "institution": False,
    "where": True,
    "bring": True,
    "cost": True,
    "duration": True,
    "typical_days": False,
    "deadline": False,
    "tips": False,
    "done_when": True,
    "verify_locally": False,
    "deadline_days": False,
    "after_deadline": False,
    "only_if": False,
}
_ONLY_IF_KEYS = {"born_in": False, "status": False}
_REFUSAL_KEYS = {"key": True, "label": True}


class ChecklistChecker(FieldChecker):
    """Checks one parsed checklist file and builds its ``Checklist`` when nothing is wrong."""

    top_keys = TOP_KEYS

    def __init__(self, source: SourceFile, origin: str) -> None:
        super().__init__(source)
        self.origin = origin

    def build(self) -> Checklist | None:
        top = self.table(self.data, (), TOP_KEYS)
        if top is None:
            return None
        checklist_id = self.optional(top, "id", (), lambda v, p: self.key_syntax(v, p, "id"))
        if checklist_id is not None and checklist_id != self.path.stem:
            self.report(
                ("id",),
                f"'{checklist_id}' does not match the file name "
                f"'{self.path.name}': name the file '{checklist_id}.toml'",
            )
        version = self.optional(top, "version", (), lambda v, p: self.integer(v, p, 1))
        title = self.optional(top, "title", (), self.text)
        summary = self.optional(top, "summary", (), self.text)
        for_whom = self.optional(top, "for_whom", (), self.text)
        produces = self.optional(
            top, "produces", (), lambda v, p: self.choice(v, p, DocumentKind, "document kind")
        )
        institutions = self.optional(top, "institutions", (), self.institutions)
        review = self.optional(top, "review", (), self.review)
        applies = self.optional(top, "applies", (), self.applies)
        sources = self.optional(top, "sources", (), self.sources)
        prerequisites = self.optional(top, "prerequisites", (), self.prerequisites)
        steps = self.optional(top, "steps", (), self.steps)
        refusals = self.optional(top, "refusal_reasons", (), self.refusal_reasons)
        if applies is not None and checklist_id is not None:
            for key in ("after_refusal_of", "instead_of", "alternative_to"):
                if getattr(applies, key) == checklist_id:
                    self.report(("applies", key), "a checklist cannot refer to itself")
        if prerequisites and steps:
            keys = {step.key for step in steps}
            for index, prereq in enumerate(prerequisites):
                if prereq.from_step is not None and prereq.from_step not in keys:
                    self.report(
                        ("prerequisites", index, "from_step"),
                        f"names step '{prereq.from_step}', but this checklist has no such step"
                        f"{suggest(prereq.from_step, keys)}",
                    )
        if self.problems:
            return None
        return Checklist(
            id=checklist_id,
            version=version,
            title=title,
            summary=summary,
            for_whom=for_whom,
            produces=DocumentKind(produces) if produces else None,
            institutions=institutions,
            review=review,
            applies=applies,
            sources=sources,
            prerequisites=prerequisites or (),
            steps=steps,
            refusal_reasons=refusals or (),
            path=self.path,
            origin=self.origin,
        )

    def institutions(self, value: Any, path: tuple[Any, ...]) -> tuple[Institution, ...] | None:
        items = self.array(value, path, non_empty="at least one institution is needed")
        if items is None:
            return None
        result: list[Institution] = []
        for index, item in enumerate(items):
            code = self.choice(item, (*path, index), Institution, "institution")
            if code is None:
                continue
            if Institution(code) in result:
                self.report((*path, index), f"'{code}' is listed twice")
                continue
            result.append(Institution(code))
        return tuple(result) if len(result) == len(items) else None

    def applies(self, value: Any, path: tuple[Any, ...]) -> Applies | None:
        table = self.table(value, path, _APPLIES_KEYS)
        if table is None:
            return None
        before = len(self.problems)
        lacks = self.optional(
            table, "lacks", path, lambda v, p: self.choice(v, p, DocumentKind, "document kind")
        )
        age_min = self.optional(table, "age_min", path, lambda v, p: self.integer(v, p, 0))
        age_max = self.optional(table, "age_max", path, lambda v, p: self.integer(v, p, 1))
        if age_min is not None and age_max is not None and age_min >= age_max:
            self.report(
                (*path, "age_max"), f"must be greater than age_min ({age_min}): nobody could match"
            )
        min_days = self.optional(table, "age_min_days", path, lambda v, p: self.integer(v, p, 0))
        max_days = self.optional(table, "age_max_days", path, lambda v, p: self.integer(v, p, 1))
        if min_days is not None and max_days is not None and min_days >= max_days:
            self.report(
                (*path, "age_max_days"),
                f"must be greater than age_min_days ({min_days}): nobody could match",
            )
        statuses = self.optional(table, "status", path, self.statuses)
        after = self.optional(
            table, "after_refusal_of", path, lambda v, p: self.key_syntax(v, p, "checklist id")
        )
        instead = self.optional(
            table, "instead_of", path, lambda v, p: self.key_syntax(v, p, "checklist id")
        )
        alternative = self.optional(
            table, "alternative_to", path, lambda v, p: self.key_syntax(v, p, "checklist id")
        )
        born = self.optional(table, "born_in", path, self.birthplaces)
        if len(self.problems) != before:
            return None
        return Applies(
            lacks=DocumentKind(lacks) if lacks else None,
            age_min=age_min,
            age_max=age_max,
            status=statuses or frozenset(),
            age_min_days=min_days,
            age_max_days=max_days,
            after_refusal_of=after,
            instead_of=instead,
            alternative_to=alternative,
            born_in=born or frozenset(),
        )

    def birthplaces(self, value: Any, path: tuple[Any, ...]) -> frozenset[str] | None:
        items = self.array(
            value, path, non_empty="list at least one place of birth, or leave 'born_in' out"
        )
        if items is None:
            return None
        codes = [
            self.choice(item, (*path, i), BIRTHPLACES, "place of birth")
            for i, item in enumerate(items)
        ]
        known = [code for code in codes if code is not None]
        return frozenset(known) if len(known) == len(codes) else None

    def statuses(self, value: Any, path: tuple[Any, ...]) -> frozenset[PersonStatus] | None:
        # An empty list would match nobody; omit the key to mean "any status".
        items = self.array(value, path, non_empty="list at least one status, or leave 'status' out")
        if items is None:
            return None
        codes = [
            self.choice(item, (*path, i), PersonStatus, "status") for i, item in enumerate(items)
        ]
        known = [code for code in codes if code is not None]
        if len(known) != len(codes):
            return None
        return frozenset(PersonStatus(code) for code in known)

    def sources(self, value: Any, path: tuple[Any, ...]) -> tuple[Source, ...] | None:
        items = self.array(value, path, non_empty="at least one source is needed")
        if items is None:
            return None
        result: list[Source] = []
        for index, item in enumerate(items):
            here = (*path, index)
            table = self.table(item, here, _SOURCE_KEYS)
            if table is None:
                continue
            ref = self.optional(table, "ref", here, self.string)
            checked = self.optional(table, "checked", here, self.iso_date)
            note = self.optional(table, "note", here, self.string)
            if ref is not None and checked is not None and ("note" not in table or note):
                result.append(Source(ref=ref, checked=checked, note=note))
        return tuple(result) if len(result) == len(items) else None

    def iso_date(self, value: Any, path: tuple[Any, ...]) -> date | None:
        # A bare TOML date (checked = 2026-11-01) is unambiguous, so accept it too.
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                    return date.fromisoformat(value)
            except ValueError:
                pass
        self.report(path, f'expected a date like "2026-11-01", found {type_name(value)}')
        return None

    def prerequisites(self, value: Any, path: tuple[Any, ...]) -> tuple[Prerequisite, ...] | None:
        items = self.array(value, path)
        if items is None:
            return None
        result: list[Prerequisite] = []
        for index, item in enumerate(items):
            here = (*path, index)
            table = self.table(item, here, _PREREQUISITE_KEYS)
            if table is None:
                continue
            before = len(self.problems)
            target = self.optional(
                table, "checklist", here, lambda v, p: self.key_syntax(v, p, "checklist id")
            )
            who = self.optional(
                table, "who", here, lambda v, p: self.choice(v, p, WHO_VALUES, "who")
            )
            reason = self.optional(table, "reason", here, self.text)
            age_min = self.optional(table, "age_min", here, lambda v, p: self.integer(v, p, 0))
            age_max = self.optional(table, "age_max", here, lambda v, p: self.integer(v, p, 1))
            if age_min is not None and age_max is not None and age_min >= age_max:
                self.report((*here, "age_max"), f"must be greater than age_min ({age_min})")
            from_step = self.optional(
                table, "from_step", here, lambda v, p: self.key_syntax(v, p, "step key")
            )
            if len(self.problems) == before and target and who and reason:
                result.append(Prerequisite(target, who, reason, age_min, age_max, from_step))
        return tuple(result) if len(result) == len(items) else None

    def steps(self, value: Any, path: tuple[Any, ...]) -> tuple[Step, ...] | None:
        items = self.array(value, path, non_empty="at least one step is needed")
        if items is None:
            return None
        result: list[Step] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            here = (*path, index)
            table = self.table(item, here, _STEP_KEYS)
            if table is None:
                continue
            before = len(self.problems)
            key = self.optional(table, "key", here, lambda v, p: self.key_syntax(v, p, "step key"))
            self.unique_key(key, seen, here, "steps")
            fields = {
                name: self.optional(table, name, here, self.text)
                for name in (
                    "title",
                    "where",
                    "cost",
                    "duration",
                    "done_when",
                    "deadline",
                    "tips",
                    "after_deadline",
                )
            }
            bring = self.optional(table, "bring", here, self.text_list)
            institution = self.optional(
                table,
                "institution",
                here,
                lambda v, p: self.choice(v, p, Institution, "institution"),
            )
            days = self.optional(table, "typical_days", here, lambda v, p: self.integer(v, p, 0))
            deadline_days = self.optional(
                table, "deadline_days", here, lambda v, p: self.integer(v, p, 1)
            )
            if "deadline_days" in table and "deadline" not in table:
                self.report(
                    (*here, "deadline_days"),
                    "give 'deadline' too: the words the family reads for this deadline",
                )
            if "after_deadline" in table and "deadline_days" not in table:
                self.report(
                    (*here, "after_deadline"),
                    "says what to do once 'deadline_days' has passed: give 'deadline_days' too",
                )
            only_if = self.optional(table, "only_if", here, self.step_condition)
            verify = (
                self.verify_fields(table["verify_locally"], (*here, "verify_locally"), table)
                if "verify_locally" in table
                else None
            )
            if len(self.problems) != before or key is None:
                continue
            result.append(
                Step(
                    key=key,
                    bring=bring,
                    institution=Institution(institution) if institution else None,
                    typical_days=days,
                    verify_locally=verify or frozenset(),
                    deadline_days=deadline_days,
                    only_if=only_if,
                    **fields,
                )
            )
        return tuple(result) if len(result) == len(items) else None

    def step_condition(self, value: Any, path: tuple[Any, ...]) -> StepCondition | None:
        table = self.table(value, path, _ONLY_IF_KEYS)
        if table is None:
            return None
        if not table:
            self.report(path, "say whom the step is for: 'born_in', 'status' or both")
            return None
        before = len(self.problems)
        born = self.optional(table, "born_in", path, self.birthplaces)
        statuses = self.optional(table, "status", path, self.statuses)
        if len(self.problems) != before:
            return None
        return StepCondition(born or frozenset(), statuses or frozenset())

    def verify_fields(
        self, value: Any, path: tuple[Any, ...], step: Mapping[str, Any]
    ) -> frozenset[str] | None:
        items = self.array(value, path)
        if items is None:
            return None
        names: set[str] = set()
        ok = True
        for index, item in enumerate(items):
            name = self.choice(item, (*path, index), VERIFY_FIELDS, "field")
            if name is None:
                ok = False
            elif name not in step:
                # Flagging a fact the step does not state would warn about nothing.
                self.report((*path, index), f"names '{name}' but the step has no '{name}'")
                ok = False
            else:
                names.add(name)
        return frozenset(names) if ok else None

    def refusal_reasons(
        self, value: Any, path: tuple[Any, ...]
    ) -> tuple[RefusalReason, ...] | None:
        items = self.array(value, path)
        if items is None:
            return None
        result: list[RefusalReason] = []
        seen: set[str] = set()
        for index, item in enumerate(items):
            here = (*path, index)
            table = self.table(item, here, _REFUSAL_KEYS)
            if table is None:
                continue
            key = self.optional(table, "key", here, lambda v, p: self.key_syntax(v, p, "key"))
            label = self.optional(table, "label", here, self.text)
            if key is not None and key in seen:
                self.report((*here, "key"), f"'{key}' is already used by another refusal reason")
                continue
            if key is not None and label is not None:
                seen.add(key)
                result.append(RefusalReason(key, label))
        return tuple(result) if len(result) == len(items) else None


@dataclass
class CheckedFile:
    """One file's result, with what cross-file checks need to point at its lines."""

    path: Path
    checklist: Checklist | None
    problems: list[ChecklistProblem]
    source: SourceFile | None  # None when the file could not be read at all
    declared_id: str | None  # the id written in the file, even when the file is broken

    def line(self, at: tuple[Any, ...]) -> int:
        """The line of ``at`` in this file (1 when the file could not be read)."""
        return self.source.line(at) if self.source else 1

    @property
    def loaded(self) -> Checklist:
        """The checklist of a file known to have loaded: the cross-file checks only get
        such files, so a missing one is a bug in the caller."""
        if self.checklist is None:
            raise ValueError(f"{self.path} did not load")
        return self.checklist


def check_file(path: Path, origin: str) -> CheckedFile:
    """Read and check one checklist file on its own; every problem is on its line."""
    path = Path(path)
    read = read_toml(path)
    if isinstance(read, ChecklistProblem):
        return CheckedFile(path, None, [read], None, None)
    checker = ChecklistChecker(read, origin)
    checklist = checker.build()
    declared = read.data.get("id")
    problems = sorted(checker.problems, key=lambda p: p.line)
    return CheckedFile(
        path, checklist, problems, read, declared if isinstance(declared, str) else None
    )
