"""What a person's plan shows, section by section.

One decision for the household screen and the printed family plan, which only
render it: which procedures go ahead now and what their next step is due, who waits
on them, what is blocked and by what, what to check, which routes are an "or", and
what is held or done. Before, each side worked this out from the plan on its own.

It sits below the services (the family handout takes plain facts): the register's
cases come in as anything shaped like ``services.cases.Case`` (``RecordedCase``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from docassist.domain import birthplace
from docassist.domain.model import DocumentKind
from docassist.domain.text import N_
from docassist.procedures import (
    STEP_BLOCKED,
    Blocker,
    Checklist,
    Deadline,
    NeededFor,
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


# The words both renderings use, so the screen and the paper say the same.
WAITING_OWN = N_("Needed first for: {checklists}")
WAITING_OTHER = N_("Needed for {name}: {checklists}")
# {checklist} waits on this item through {via}, a procedure of the same person.
THROUGH = N_("{checklist} (through {via})")
# {checklist} waits through {via}, a procedure of {name}.
THROUGH_OTHER = N_("{checklist} (through {via} of {name})")
DEADLINE_AHEAD = N_("{step}: by {date}")
DEADLINE_PASSED = N_("{step}: the deadline was {date} and has passed.")
# {step} is a later step's title; {blocker} what it waits for ("Waiting for Ana: ID card").
LATER = N_("Later, for {step}: {blocker}")
RESOLVE = N_("Resolve first:")
# {place} a Kosovo municipality, {office} the Serbian town whose office kept its books.
BOOKS_KEPT = N_("The books of {place} were kept in {office} in 2010. Check with the office.")
BOOKS_UNKNOWN = N_(
    "Which office keeps the books of {place} is not known here: ask the registry office."
)


@dataclass(frozen=True)
class Through:
    """One procedure that waits on an item, perhaps through another procedure."""

    checklist: str
    via: str | None = None
    via_person_name: str = ""  # "" when ``via`` is the plan's own person's


@dataclass(frozen=True)
class Waiting:
    """One person's procedures that wait on this one: "Needed first for: A, B"."""

    person_id: str
    person_name: str
    own: bool  # the person's own procedures, not a relative's
    checklists: tuple[str, ...]  # checklist ids, in the plan's order
    # For each of ``checklists``, the procedure it waits through, if any.
    through: tuple[Through, ...] = ()

    def render(self, translate: Callable[[str], str], title: Callable[[str], str]) -> str:
        """ "Needed for Emir: Birth registration (through ID card)"."""
        parts = []
        for need in self.through or tuple(Through(c) for c in self.checklists):
            name = title(need.checklist)
            if need.via is None:
                parts.append(name)
            elif need.via_person_name:
                parts.append(
                    translate(THROUGH_OTHER).format(
                        checklist=name, via=title(need.via), name=need.via_person_name
                    )
                )
            else:
                parts.append(translate(THROUGH).format(checklist=name, via=title(need.via)))
        titles = ", ".join(parts)
        if self.own:
            return translate(WAITING_OWN).format(checklists=titles)
        return translate(WAITING_OTHER).format(name=self.person_name, checklists=titles)


@dataclass(frozen=True)
class NextStep:
    """A procedure that can go ahead now, and its next step."""

    item: PlanItem
    # The next step's due date: its case's, else the legal deadline from the birth.
    due: date | None
    waiting: tuple[Waiting, ...]
    # Legal deadlines of the steps still to do (the next step's among them).
    deadlines: tuple[Deadline, ...] = ()
    # Prerequisites of a later step: "Later, for the entry: waiting for Fatima".
    later: tuple[Blocker, ...] = ()
    # For a route for people born in Kosovo: (municipality, the office that kept its
    # books in 2010, or None when domain.md names none). None for other routes.
    kosovo_books: tuple[str, str | None] | None = None

    def books_line(self, translate: Callable[[str], str]) -> str | None:
        """ "The books of Priština were kept in Niš in 2010. Check with the office." """
        if self.kosovo_books is None:
            return None
        place, office = self.kosovo_books
        if office is None:
            return translate(BOOKS_UNKNOWN).format(place=place)
        return translate(BOOKS_KEPT).format(place=place, office=office)

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
    # Who waits on it all the same: a blocked ID card still holds up a baby's entry.
    waiting: tuple[Waiting, ...] = ()


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
    # Refused, yet implied by a document held: the thing to resolve first.
    disputed: Mapping[DocumentKind, DocumentKind]
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
            _waiting(item, plan.person_id),
        )
        for item in plan.items
        if item.blocked
    )
    items = {i.checklist.id: i for i in plan.items}
    return PlanSections(
        next_steps=tuple(
            NextStep(
                item,
                _due(item, case_of(item)),
                _waiting(item, plan.person_id),
                item.deadlines,
                tuple(item.later),
                _kosovo_books(item, plan.place_of_birth),
            )
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
        disputed=plan.disputed,
        held=plan.held,
        done=tuple(done_routes(plan)),
    )


def _kosovo_books(item: PlanItem, place_of_birth: str) -> tuple[str, str | None] | None:
    """Which office kept the books of the person's Kosovo birthplace, for a route that
    is for people born in Kosovo only."""
    if birthplace.KOSOVO not in item.checklist.applies.born_in:
        return None
    municipality = birthplace.kosovo_municipality(place_of_birth)
    if municipality is None:
        return None
    return municipality, birthplace.relocated_books_office(place_of_birth)


def _due(item: PlanItem, case: RecordedCase | None) -> date | None:
    if item.next_step is None:
        return None
    if case is not None and case.is_active:
        step = next((s for s in case.steps if s.key == item.next_step.key), None)
        if step is not None and step.due_date is not None:
            return step.due_date
    # No case yet: the law's date, where the step has one counted from the birth.
    key = item.next_step.key
    return next((d.due for d in item.deadlines if d.step.key == key), None)


def _waiting(item: PlanItem, person_id: str) -> tuple[Waiting, ...]:
    """What waits on this procedure, grouped by person, in the order first named."""
    by_person: dict[str, tuple[str, list[NeededFor]]] = {}
    for need in item.needed_for:
        by_person.setdefault(need.person_id, (need.person_name, []))[1].append(need)
    return tuple(
        Waiting(
            pid,
            name,
            pid == person_id,
            tuple(need.checklist for need in needs),
            tuple(
                Through(
                    need.checklist,
                    need.via,
                    need.via_person_name if need.via_person_id != person_id else "",
                )
                for need in needs
            ),
        )
        for pid, (name, needs) in by_person.items()
    )


def _blocker_line(blocker: Blocker, case: RecordedCase | None) -> BlockerLine:
    if blocker.kind != STEP_BLOCKED:
        return BlockerLine(blocker, blocker.reason)
    step = next((s for s in case.steps if s.key == blocker.step_key), None) if case else None
    return BlockerLine(blocker, step.blocked_reason if step and step.blocked_reason else None)
