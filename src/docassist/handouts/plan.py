"""What a person's plan shows, section by section.

One decision for the household screen and the printed family plan, which only
render it: which procedures go ahead now and what their next step is due, who waits
on them, what is blocked and by what, what to check, which routes are an "or", and
what is held or done. Before, each side worked this out from the plan on its own.

It sits below the services (the family handout takes plain facts): the register's
cases come in as anything shaped like ``services.cases.Case`` (``RecordedCase``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from docassist.domain.model import DocumentKind
from docassist.procedures import (
    STEP_BLOCKED,
    Blocker,
    Checklist,
    PersonPlan,
    PlanItem,
    Step,
    Text,
    done_routes,
)


class RecordedStep(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def due_date(self) -> date | None: ...
    @property
    def blocked_reason(self) -> str | None: ...


class RecordedCase(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def steps(self) -> Sequence[RecordedStep]: ...


@dataclass(frozen=True)
class Waiting:
    """One person's procedures that wait on this one: "Needed first for: A, B"."""

    person_id: str
    person_name: str
    own: bool  # the person's own procedures, not a relative's
    checklists: tuple[str, ...]  # checklist ids, in the plan's order


@dataclass(frozen=True)
class NextStep:
    """A procedure that can go ahead now, and its next step."""

    item: PlanItem
    due: date | None  # the next step's due date, when its case is open
    waiting: tuple[Waiting, ...]

    @property
    def step(self) -> Step | None:
        """None when every step is done and only the outcome is left to record."""
        return self.item.next_step


@dataclass(frozen=True)
class BlockerLine:
    blocker: Blocker
    # What to say under it: for a blocked step, the reason typed on the case (a
    # string: the checklist's words there are only the step's title, already in the
    # line); otherwise the checklist's own words (a Text), if any.
    reason: str | Text | None = None


@dataclass(frozen=True)
class BlockedProcedure:
    item: PlanItem
    blockers: tuple[BlockerLine, ...]  # only those that block, not the "check" notes


@dataclass(frozen=True)
class Alternative:
    """Another route to the same document: an "or", never a second thing to do."""

    item: PlanItem
    instead_of: Checklist | None  # the main route (None only for a dangling id)


@dataclass(frozen=True)
class PlanSections:
    next_steps: tuple[NextStep, ...]  # the first one leads
    # Nothing can go ahead now: because something blocks it (else all that fits is done).
    nothing_can_start: bool
    alternatives: tuple[Alternative, ...]
    blocked: tuple[BlockedProcedure, ...]
    notes: tuple[Blocker, ...]  # "check whether ...": for the facilitator
    corrections: Mapping[DocumentKind, DocumentKind]  # recorded missing, yet implied
    # Documents held are not procedures gone through: someone registered at birth
    # "has" a birth registration; "done" is left for routes that give no document.
    held: tuple[DocumentKind, ...]
    done: tuple[PlanItem, ...]


def plan_sections(plan: PersonPlan | None, cases: Sequence[RecordedCase]) -> PlanSections | None:
    """The sections of ``plan``, with due dates and typed reasons from ``cases``
    (the household's). None when no procedure on our checklists fits the person."""
    if plan is None or not plan.items:
        return None
    by_id = {c.id: c for c in cases}

    def case_of(item: PlanItem) -> RecordedCase | None:
        return by_id.get(item.case.id) if item.case and item.case.id else None

    actionable = plan.actionable
    blocked = tuple(
        BlockedProcedure(
            item,
            tuple(_blocker_line(b, case_of(item)) for b in item.blockers if b.blocking),
        )
        for item in plan.items
        if item.blocked
    )
    items = {i.checklist.id: i for i in plan.items}
    return PlanSections(
        next_steps=tuple(
            NextStep(item, _due(item, case_of(item)), _waiting(item, plan.person_id))
            for item in actionable
        ),
        nothing_can_start=not actionable and bool(blocked),
        alternatives=tuple(
            Alternative(
                item,
                items[item.alternative_to].checklist if item.alternative_to in items else None,
            )
            for item in plan.alternatives
        ),
        blocked=blocked,
        notes=tuple(note for item in plan.items for note in item.notes),
        corrections=plan.corrections,
        held=plan.held,
        done=tuple(done_routes(plan)),
    )


def _due(item: PlanItem, case: RecordedCase | None) -> date | None:
    if case is None or not case.is_active or item.next_step is None:
        return None
    step = next((s for s in case.steps if s.key == item.next_step.key), None)
    return step.due_date if step is not None else None


def _waiting(item: PlanItem, person_id: str) -> tuple[Waiting, ...]:
    """What waits on this procedure, grouped by person, in the order first named."""
    by_person: dict[str, tuple[str, list[str]]] = {}
    for need in item.needed_for:
        by_person.setdefault(need.person_id, (need.person_name, []))[1].append(need.checklist)
    return tuple(
        Waiting(pid, name, pid == person_id, tuple(ids)) for pid, (name, ids) in by_person.items()
    )


def _blocker_line(blocker: Blocker, case: RecordedCase | None) -> BlockerLine:
    if blocker.kind != STEP_BLOCKED:
        return BlockerLine(blocker, blocker.reason)
    step = next((s for s in case.steps if s.key == blocker.step_key), None) if case else None
    return BlockerLine(blocker, step.blocked_reason if step and step.blocked_reason else None)
