"""What a checklist file means, once checked: plain frozen values and the set in use.

No I/O and no checks here: ``schema`` builds these objects only from a file with no
problem, so code that holds a ``Checklist`` can trust every field.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from docassist.domain.model import DocumentKind, Institution, PersonStatus
from docassist.domain.script import cyr_to_lat
from docassist.procedures.problems import ChecklistProblem

LANGUAGES = ("en", "sr", "rom")
REVIEW_VALUES = ("draft", "reviewed")
WHO_VALUES = ("self", "mother", "father", "a_parent")
VERIFY_FIELDS = ("cost", "duration", "deadline", "where", "bring", "tips")
ORIGINS = ("bundled", "user")


@dataclass(frozen=True)
class Text:
    """A text given in every written language; ``sr_Latn`` is derived from ``sr``."""

    en: str = ""
    sr: str = ""
    rom: str = ""

    def get(self, lang: str) -> tuple[str, str]:
        """The text in ``lang`` and the language actually used.

        Falls back rather than showing nothing: Romani readers usually read Serbian in
        Latin script, so ``rom`` falls back to derived ``sr_Latn`` before English.
        An unknown ``lang`` is treated as English.
        """
        if lang == "sr":
            chain: tuple[str, ...] = ("sr", "en")
        elif lang == "sr_Latn":
            chain = ("sr_Latn", "en")
        elif lang == "rom":
            chain = ("rom", "sr_Latn", "en")
        else:
            chain = ("en",)
        for candidate in chain:
            if candidate == "sr_Latn":
                value = cyr_to_lat(self.sr) if self.sr.strip() else ""
            else:
                value = getattr(self, candidate)
            if value.strip():
                return value, candidate
        return "", "en"


@dataclass(frozen=True)
class StepCondition:
    """Whom a step is for (``only_if``): a person matching any one listed value.

    ``born_in`` holds ``domain.birthplace`` values ("kosovo", "abroad").
    """

    born_in: frozenset[str] = frozenset()
    status: frozenset[PersonStatus] = frozenset()

    def matches(self, born_in: str | None, statuses: frozenset[PersonStatus]) -> bool:
        return (born_in is not None and born_in in self.born_in) or bool(self.status & statuses)


@dataclass(frozen=True)
class Step:
    key: str
    title: Text
    where: Text
    bring: tuple[Text, ...]
    cost: Text
    duration: Text
    done_when: Text
    institution: Institution | None = None
    typical_days: int | None = None
    deadline: Text | None = None
    tips: Text | None = None
    verify_locally: frozenset[str] = frozenset()
    # A legal deadline counted in days from the person's birth (report a birth within
    # 15 days): due dates follow it when the exact birth date is known.
    deadline_days: int | None = None
    # What to tell the family once that deadline has passed.
    after_deadline: Text | None = None
    # Only for some people (the Kosovo books check): others skip the step.
    only_if: StepCondition | None = None

    def applies_to(self, born_in: str | None, statuses: frozenset[PersonStatus]) -> bool:
        return self.only_if is None or self.only_if.matches(born_in, statuses)


@dataclass(frozen=True)
class Prerequisite:
    checklist: str
    who: str
    reason: Text
    age_min: int | None = None
    age_max: int | None = None
    # The step from which the prerequisite is needed: the steps before it can go
    # ahead without it (a birth is reported before the mother's ID card is there).
    from_step: str | None = None

    def applies_at(self, age: int | None) -> bool:
        """Whether the prerequisite counts for a person of ``age``.

        An unknown age counts as in range: we would rather show a requirement that
        might not be needed than hide one that is.
        """
        if age is None:
            return True
        if self.age_min is not None and age < self.age_min:
            return False
        return not (self.age_max is not None and age >= self.age_max)


@dataclass(frozen=True)
class Applies:
    lacks: DocumentKind | None = None
    age_min: int | None = None
    age_max: int | None = None
    status: frozenset[PersonStatus] = frozenset()
    # In days since birth; used instead of age_min/age_max when the exact birth date is
    # known (legal deadlines such as "report within 15 days" are counted in days).
    age_min_days: int | None = None
    age_max_days: int | None = None
    after_refusal_of: str | None = None
    instead_of: str | None = None
    alternative_to: str | None = None
    # Where the person was born (``domain.birthplace`` values): any one listed.
    born_in: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Source:
    ref: str
    checked: date
    note: str | None = None


@dataclass(frozen=True)
class RefusalReason:
    key: str
    label: Text


@dataclass(frozen=True)
class Checklist:
    id: str
    version: int
    title: Text
    summary: Text
    for_whom: Text
    produces: DocumentKind | None
    institutions: tuple[Institution, ...]
    review: Mapping[str, str] = field(hash=False)
    applies: Applies
    sources: tuple[Source, ...]
    prerequisites: tuple[Prerequisite, ...]
    steps: tuple[Step, ...]
    refusal_reasons: tuple[RefusalReason, ...]
    path: Path
    origin: str = "bundled"

    def is_draft(self, code: str) -> bool:
        """Whether this checklist's text in ``code`` still waits for a native speaker's
        review; sr_Latn is generated from sr, so sr's state counts for it."""
        return self.review.get("sr" if code == "sr_Latn" else code) != "reviewed"

    def step(self, key: str) -> Step | None:
        """The step with ``key``, or None — a case opened on an older version may name
        steps that no longer exist."""
        for step in self.steps:
            if step.key == key:
                return step
        return None

    @property
    def step_keys(self) -> tuple[str, ...]:
        return tuple(step.key for step in self.steps)


class ChecklistSet:
    """The checklists in use, with the problems met while loading them.

    Iteration follows prerequisites (a procedure comes after what it needs), then id,
    so plans and lists read in the order the work is done and never shuffle.
    """

    def __init__(
        self, checklists: Iterable[Checklist], problems: Iterable[ChecklistProblem] = ()
    ) -> None:
        self._by_id: dict[str, Checklist] = {}
        for checklist in checklists:
            self._by_id.setdefault(checklist.id, checklist)
        self._order = _dependency_order(self._by_id)
        self.problems: list[ChecklistProblem] = list(problems)
        used = {checklist.path for checklist in self._by_id.values()}
        #: Files not in use because something in them (or in what they need) is wrong.
        self.skipped_files: list[Path] = sorted(
            {Path(p.path) for p in self.problems if p.is_error} - used
        )

    def get(self, checklist_id: str) -> Checklist | None:
        return self._by_id.get(checklist_id)

    def __iter__(self) -> Iterator[Checklist]:
        return (self._by_id[cid] for cid in self._order)

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, checklist_id: object) -> bool:
        return checklist_id in self._by_id

    def producing(self, kind: DocumentKind) -> list[Checklist]:
        """Every checklist whose case ends with ``kind`` obtained, in set order."""
        return [c for c in self if c.produces == kind]

    def bundled(self) -> list[Checklist]:
        """The checklists shipped with docassist that are in use (not overridden)."""
        return [c for c in self if c.origin == "bundled"]

    @property
    def errors(self) -> list[ChecklistProblem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[ChecklistProblem]:
        return [p for p in self.problems if p.severity == "warning"]


def _dependency_order(by_id: Mapping[str, Checklist]) -> list[str]:
    """Kahn's algorithm with ties broken by id; anything left in a cycle goes last."""
    before: dict[str, set[str]] = {cid: set() for cid in by_id}
    producers: dict[DocumentKind, set[str]] = {}
    for cid, checklist in by_id.items():
        if checklist.produces is not None:
            producers.setdefault(checklist.produces, set()).add(cid)
    for cid, checklist in by_id.items():
        needs: set[str] = set()
        for prereq in checklist.prerequisites:
            if prereq.who != "self":
                continue
            needs.add(prereq.checklist)
            # A prerequisite is met by the document however it was obtained, so every
            # route to that document reads first (late registration before citizenship).
            target = by_id.get(prereq.checklist)
            if target is not None and target.produces is not None:
                needs |= producers[target.produces]
        # The replaced or refused procedure reads before its alternative.
        a = checklist.applies
        needs.update(x for x in (a.instead_of, a.after_refusal_of, a.alternative_to) if x)
        before[cid] = {n for n in needs if n in by_id and n != cid}
    waiting = {cid: len(needs) for cid, needs in before.items()}
    followers: dict[str, list[str]] = {cid: [] for cid in by_id}
    for cid, needs in before.items():
        for need in needs:
            followers[need].append(cid)
    ready = [cid for cid, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        cid = heapq.heappop(ready)
        order.append(cid)
        for follower in followers[cid]:
            waiting[follower] -= 1
            if waiting[follower] == 0:
                heapq.heappush(ready, follower)
    order.extend(sorted(cid for cid in by_id if cid not in set(order)))
    return order
