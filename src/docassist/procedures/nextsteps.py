"""Which procedures apply to a person, what blocks them, and the next step of each.

A pure function over plain facts: the service layer reads the database and builds
``PersonFacts``; nothing here touches storage or the UI. Every rule comes from the
checklist data (``applies``, ``prerequisites``, ``produces``) — there is no code about
any particular procedure, so a new checklist file needs no new code.

Vocabulary of the result:

- ``done``: the person holds the document the checklist produces (and the checklist is
  the route that fits them), or a case on it ended with the document obtained. What the
  person holds is read with what it implies: see ``PersonPlan.held``.
- ``in_progress``: a case on it is open; its blockers are still reported.
- ``ready``: it applies and nothing blocks it.
- ``blocked``: it applies but a prerequisite is not met.
- ``not_applicable``: it does not fit the person (hidden unless asked for).

An item whose checklist is an ``alternative_to`` another route still open to the person
(ready, blocked or under way) carries ``PlanItem.alternative_to``: it is an "or" beside
that route, listed in ``PersonPlan.alternatives`` and never in ``actionable``, so a court
petition does not become "the next step" because late registration waits on the mother.

Holding a document implies holding what its procedure needed (an ID card means a birth
registration and citizenship), read from the producing checklists' ``self``
prerequisites, never from code about one procedure. An implied document fills in a
document whose state is not recorded; it overrides a record of "missing" only for the
registry entries (``REGISTRY_ENTRIES``), which are never lost once made, and the plan then
lists the contradiction in ``corrections`` so the record can be put right. A case on a
registry entry that was refused, with none obtained since, outweighs such an inference:
the entry is not implied, and ``disputed`` names the contradiction to resolve.

A *blocker* either really blocks (``Blocker.blocking``) or only asks the facilitator to
check something we cannot know — a parent who is not recorded. The two are kept apart
so an unrecorded father never makes a child's procedure look impossible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from docassist.domain.model import (
    DOCUMENT_LABELS,
    CaseStatus,
    DocumentKind,
    DocumentState,
    Outcome,
    PersonStatus,
    StepStatus,
    is_active_case,
    proofs_of,
)
from docassist.domain.text import N_
from docassist.procedures.model import Checklist, ChecklistSet, Prerequisite, Step, Text

#: Documents that are entries in the registry books: once made they are not lost, so a
#: document that required one proves it even against a record saying "missing". Other
#: documents (a registered residence, an ID card, insurance) can lapse or be cancelled.
REGISTRY_ENTRIES = frozenset({DocumentKind.BIRTH_REGISTRATION, DocumentKind.CITIZENSHIP})

DONE = "done"
IN_PROGRESS = "in_progress"
READY = "ready"
BLOCKED = "blocked"
NOT_APPLICABLE = "not_applicable"
STATES = (DONE, IN_PROGRESS, READY, BLOCKED, NOT_APPLICABLE)

PREREQUISITE_SELF = "prerequisite_self"
PREREQUISITE_FAMILY = "prerequisite_family"
FAMILY_UNKNOWN = "family_unknown"
STEP_BLOCKED = "step_blocked"

# The whole set of messages a blocker can carry. {document} is a document label msgid
# and {step} a step title; ``Blocker.render`` fills both in the reader's language.
MSG_SELF = N_("{document} needed first")
MSG_RELATIVE = N_("Waiting for {name}: {document}")
MSG_A_PARENT = N_("Waiting for a parent: {document}")
MSG_MOTHER_UNKNOWN = N_("Mother not recorded. Check: {document}")
MSG_FATHER_UNKNOWN = N_("Father not recorded. Check: {document}")
MSG_PARENTS_UNKNOWN = N_("Parents not recorded. Check: {document}")
MSG_STEP_BLOCKED = N_("Step blocked: {step}")
# A registry entry the record calls missing, though a document held needed it.
# {document} and {source} are document labels.
CORRECTION = N_(
    "{document}: recorded as missing, but the person holds a document that needed it "
    "({source}). Correct the record."
)

# A registry entry a document held would imply, while a case on it was refused.
# {document} and {source} are document labels.
DISPUTED = N_(
    "{document}: the office refused it, yet the record says the person holds a "
    "{source}, which needs it. Find out which is right before going on."
)

_UNKNOWN_RELATIVE_MESSAGES = {
    "mother": MSG_MOTHER_UNKNOWN,
    "father": MSG_FATHER_UNKNOWN,
    "a_parent": MSG_PARENTS_UNKNOWN,
}
_FINISHED_STEP = (StepStatus.DONE, StepStatus.SKIPPED)


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class CaseFacts:
    """One case of a person on one checklist, as recorded."""

    checklist_id: str
    checklist_version: int
    status: CaseStatus
    outcome: Outcome | None = None
    step_statuses: Mapping[str, StepStatus] = field(default_factory=dict, hash=False)
    id: str | None = None  # the case's database id, handed back untouched for the UI

    @property
    def is_open(self) -> bool:
        # The status decides, as everywhere else: see domain.model.ACTIVE_CASE_STATUSES.
        return is_active_case(self.status)

    @property
    def obtained(self) -> bool:
        return self.outcome == Outcome.OBTAINED or (
            self.outcome is None and self.status == CaseStatus.DONE
        )

    @property
    def refused(self) -> bool:
        return self.outcome == Outcome.REFUSED


@dataclass(frozen=True)
class PersonFacts:
    """What the rules need to know about one person.

    ``documents`` lacks a kind when its state is unknown; ``cases`` are oldest first.
    """

    id: str
    name: str = ""
    age: int | None = None
    documents: Mapping[DocumentKind, DocumentState] = field(default_factory=dict, hash=False)
    statuses: frozenset[PersonStatus] = frozenset()
    mother_id: str | None = None
    father_id: str | None = None
    cases: tuple[CaseFacts, ...] = ()
    # Days since birth, only when the exact birth date is known (not a year or a month,
    # not "about"): rules with deadlines in days use it instead of whole years.
    age_days: int | None = None
    # Where the person was born, as far as the place typed tells (domain.birthplace):
    # "kosovo", "abroad", or None when not known.
    born_in: str | None = None
    place_of_birth: str = ""

    def has(self, kind: DocumentKind) -> bool:
        """Holds this very document (the household's marks, what it implies)."""
        return self.documents.get(kind) == DocumentState.HAVE

    def proves(self, kind: DocumentKind) -> bool:
        """Holds what proves the right ``kind`` stands for: the document, or one that
        stands in for it (``domain.model.PROVED_BY``: insured with the fund's
        certificate until the card comes). What the rules go by."""
        return any(self.has(proof) for proof in proofs_of(kind))


# -------------------------------------------------------------------------- outputs


@dataclass(frozen=True)
class Blocker:
    """Why a checklist cannot go ahead yet (or, if not ``blocking``, what to check)."""

    kind: str
    checklist: str  # the checklist whose document is needed (the item's own for a step)
    who: str  # "self", "mother", "father" or "a_parent"
    message: str  # msgid; see ``render``
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    reason: Text | None = None  # the checklist's own words; for a step, the step title
    person_id: str | None = None  # the relative (or the person) who must act
    person_name: str = ""
    document: DocumentKind | None = None
    step_key: str | None = None
    # The step from which the prerequisite is needed (``Prerequisite.from_step``).
    from_step: str | None = None
    # True while that step is still ahead: the steps before it go ahead meanwhile.
    later: bool = False
    from_title: Text | None = None  # the title of ``from_step``, when ``later``

    @property
    def blocking(self) -> bool:
        return self.kind != FAMILY_UNKNOWN and not self.later

    def render(self, translate: Callable[[str], str] = lambda s: s, lang: str = "en") -> str:
        """The message in the reader's language: ``translate`` is the UI's gettext."""
        params = dict(self.params)
        if self.document is not None:
            params["document"] = translate(DOCUMENT_LABELS[DocumentKind(self.document)])
        if self.kind == STEP_BLOCKED and self.reason is not None:
            params["step"] = self.reason.get(lang)[0]
        return translate(self.message).format(**params)


@dataclass(frozen=True)
class NeededFor:
    """A procedure (of this person or a child) that waits on this item's document."""

    checklist: str
    person_id: str
    person_name: str
    who: str  # how that procedure names this person: "self", "mother", ...
    # Set when the procedure waits through another one (the chain residence -> ID card
    # -> the child's registration): the procedure in between, and whose it is.
    via: str | None = None
    via_person_id: str | None = None
    via_person_name: str = ""


@dataclass(frozen=True)
class Deadline:
    """A legal deadline of a step still to do, counted from the person's birth."""

    step: Step
    due: date
    passed: bool


@dataclass
class PlanItem:
    checklist: Checklist
    state: str
    blockers: list[Blocker] = field(default_factory=list)
    next_step: Step | None = None
    case: CaseFacts | None = None  # the open case, else the latest one (for history)
    newer_version: bool = False
    needed_for: list[NeededFor] = field(default_factory=list)
    # The checklist this one is an alternative to, while that one is still open to the
    # person: offered as an "or", never as a next step of its own.
    alternative_to: str | None = None
    # Legal deadlines of the steps still to do, in step order (exact birth date only).
    deadlines: tuple[Deadline, ...] = ()

    @property
    def blocked(self) -> bool:
        """True only for real blockers; "check whether the father has it" is not one."""
        return any(b.blocking for b in self.blockers)

    @property
    def notes(self) -> list[Blocker]:
        """What to check: a relative who is not recorded."""
        return [b for b in self.blockers if b.kind == FAMILY_UNKNOWN]

    @property
    def later(self) -> list[Blocker]:
        """Prerequisites of a step still ahead: the steps before it go ahead now."""
        return [b for b in self.blockers if b.later]


@dataclass
class PersonPlan:
    """The plan of one person.

    ``held`` is every document the rules take the person to hold, in ``DocumentKind``
    order: those recorded, and those ``implied`` by them (each mapped to the held
    document it follows from). ``corrections`` are the implied registry entries that the
    record says are missing: the record should be put right. ``disputed`` are registry
    entries a held document would imply but a case on them was refused (and none was
    obtained since): the refusal wins, and the contradiction is the thing to resolve.
    """

    person_id: str
    items: list[PlanItem]
    today: date
    held: tuple[DocumentKind, ...] = ()
    implied: Mapping[DocumentKind, DocumentKind] = field(default_factory=dict)
    corrections: Mapping[DocumentKind, DocumentKind] = field(default_factory=dict)
    disputed: Mapping[DocumentKind, DocumentKind] = field(default_factory=dict)
    place_of_birth: str = ""
    born_in: str | None = None

    def item(self, checklist_id: str) -> PlanItem | None:
        return next((i for i in self.items if i.checklist.id == checklist_id), None)

    def fits(self, checklist_id: str) -> bool:
        """Whether the procedure fits the person: the plan has it (done, under way,
        ready or blocked). One that does not "does not seem to fit this person", and
        opening a case on it is asked first."""
        item = self.item(checklist_id)
        return item is not None and item.state != NOT_APPLICABLE

    def in_state(self, state: str) -> list[PlanItem]:
        return [i for i in self.items if i.state == state]

    @property
    def actionable(self) -> list[PlanItem]:
        return [
            i
            for i in self.items
            if i.state in (READY, IN_PROGRESS) and not i.blocked and i.alternative_to is None
        ]

    @property
    def alternatives(self) -> list[PlanItem]:
        """Other routes to a document whose main route is still open to the person."""
        return [i for i in self.items if i.alternative_to is not None]


# ---------------------------------------------------------------------------- rules


def _required_before(
    checklist: Checklist, age: int | None, checklists: ChecklistSet
) -> set[DocumentKind]:
    """The documents ``checklist`` certainly needed from the person, whenever they went
    through it: ``self`` prerequisites that apply at every age they have lived."""
    kinds: set[DocumentKind] = set()
    for prereq in checklist.prerequisites:
        if prereq.who != "self" or prereq.age_min:
            continue  # from some age on: the document may date from before it
        if prereq.age_max is not None and (age is None or age >= prereq.age_max):
            continue  # only while young: an adult may have gone through it later
        target = checklists.get(prereq.checklist)
        if target is not None and target.produces is not None:
            kinds.add(target.produces)
    return kinds


def implied_documents(
    person: PersonFacts, checklists: ChecklistSet
) -> dict[DocumentKind, DocumentKind]:
    """Documents the person must hold because a document they hold needed them.

    Maps each implied kind to the held document it follows from. The procedure that gave
    a held document is the one a case obtained it on; otherwise every procedure that
    produces it could have, so only what all of them need is implied.
    """
    obtained_on = {case.checklist_id for case in person.cases if case.obtained}
    held = [kind for kind in DocumentKind if person.has(kind)]
    implied: dict[DocumentKind, DocumentKind] = {}
    queue = list(held)
    while queue:
        kind = queue.pop(0)
        producers = checklists.producing(kind)
        if not producers:
            continue
        used = [c for c in producers if c.id in obtained_on]
        if used:
            common = set().union(*(_required_before(c, person.age, checklists) for c in used))
        else:
            common = set.intersection(
                *(_required_before(c, person.age, checklists) for c in producers)
            )
        for need in DocumentKind:
            if need in common and need not in held and need not in implied:
                implied[need] = implied.get(kind, kind)
                queue.append(need)
    return implied


def refused_entries(person: PersonFacts, checklists: ChecklistSet) -> set[DocumentKind]:
    """Registry entries a case was refused on, with no case obtaining one since.

    An office's refusal is a fact recorded on a case; an entry implied from another
    document is an inference. The refusal wins (see ``_understood``).
    """
    refused: set[DocumentKind] = set()
    for case in person.cases:  # oldest first
        checklist = checklists.get(case.checklist_id)
        kind = checklist.produces if checklist is not None else None
        if kind not in REGISTRY_ENTRIES:
            continue
        if case.obtained:
            refused.discard(kind)
        elif case.refused and not case.is_open:
            refused.add(kind)
    return refused


@dataclass(frozen=True)
class _Understanding:
    person: PersonFacts
    implied: dict[DocumentKind, DocumentKind]
    corrections: dict[DocumentKind, DocumentKind]
    disputed: dict[DocumentKind, DocumentKind]


def _understood(person: PersonFacts, checklists: ChecklistSet) -> _Understanding:
    """The person with implied documents filled in, what was implied, what contradicts."""
    documents = dict(person.documents)
    applied: dict[DocumentKind, DocumentKind] = {}
    corrections: dict[DocumentKind, DocumentKind] = {}
    disputed: dict[DocumentKind, DocumentKind] = {}
    refused = refused_entries(person, checklists)
    for kind, source in implied_documents(person, checklists).items():
        state = documents.get(kind, DocumentState.UNKNOWN)
        if kind in refused and state != DocumentState.HAVE:
            # The office said no to this very entry: a document that "needed" it does
            # not make it so. The contradiction is for the coordinator to resolve.
            disputed[kind] = source
            continue
        if state == DocumentState.UNKNOWN or (
            state == DocumentState.MISSING and kind in REGISTRY_ENTRIES
        ):
            if state == DocumentState.MISSING:
                corrections[kind] = source
            documents[kind] = DocumentState.HAVE
            applied[kind] = source
    if applied:
        person = replace(person, documents=documents)
    return _Understanding(person, applied, corrections, disputed)


def _age_ok(age: int | None, age_min: int | None, age_max: int | None) -> bool:
    # An unknown age satisfies any range: better to show a procedure that may not fit
    # than to hide one that does.
    if age is None:
        return True
    if age_min is not None and age < age_min:
        return False
    return not (age_max is not None and age >= age_max)


def _age_fits(person: PersonFacts, applies: Any) -> bool:
    """The age conditions of ``applies``: a limit in days replaces the limit in years on
    the same side when the person's exact birth date is known."""
    days = person.age_days
    low, high = applies.age_min, applies.age_max
    if days is not None and applies.age_min_days is not None:
        if days < applies.age_min_days:
            return False
        low = None
    if days is not None and applies.age_max_days is not None:
        if days >= applies.age_max_days:
            return False
        high = None
    return _age_ok(person.age, low, high)


@dataclass
class _Fit:
    """How one checklist fits one person, before prerequisites are looked at."""

    state: str  # DONE, IN_PROGRESS, READY (= applies), NOT_APPLICABLE
    open_case: CaseFacts | None
    latest_case: CaseFacts | None


def _fit(person: PersonFacts, checklists: ChecklistSet) -> dict[str, _Fit]:
    cases: dict[str, list[CaseFacts]] = {}
    for case in person.cases:
        cases.setdefault(case.checklist_id, []).append(case)

    def refused(checklist_id: str) -> bool:
        history = cases.get(checklist_id, [])
        # Only a finished refusal counts: a new open case means they are trying again.
        return bool(history) and not any(c.is_open for c in history) and history[-1].refused

    # "base": every condition of `applies` except `lacks`. Kept apart because a person
    # who already holds the document should see the route that fits them as done.
    base: dict[str, bool] = {}
    for c in checklists:
        a = c.applies
        base[c.id] = (
            _age_fits(person, a)
            and (not a.status or bool(a.status & person.statuses))
            and (not a.born_in or person.born_in in a.born_in)
            and (a.after_refusal_of is None or refused(a.after_refusal_of))
        )

    # An alternative route (alternative_to) is for the people its main route is for,
    # and for those whose case on the main route was refused.
    main_fits = dict(base)
    for c in checklists:
        main = c.applies.alternative_to
        if main and main != c.id:
            base[c.id] = base[c.id] and (main_fits.get(main, False) or refused(main))

    # A procedure is pushed aside by the one that replaces it (instead_of), and by the
    # follow-up or alternative route once it was refused, whenever that one fits.
    suppressed: set[str] = set()
    for c in checklists:
        if base[c.id]:
            a = c.applies
            if a.instead_of and refused(c.id) and base.get(a.instead_of, False):
                # Refused, the replacing route gives way to the one it replaced, when
                # that one fits (the Kosovo books held no entry: late registration).
                suppressed.add(c.id)
                continue
            alternative_of = (
                a.alternative_to if a.alternative_to and refused(a.alternative_to) else None
            )
            for replaced in (a.instead_of, a.after_refusal_of, alternative_of):
                if replaced and replaced != c.id:
                    suppressed.add(replaced)
    # An "or" beside a route that was pushed aside has nothing to stand beside: the
    # court is no alternative where the Kosovo books or a foreign birth entry replace
    # late registration. Once the main route was refused, the alternative is the route.
    for c in checklists:
        main = c.applies.alternative_to
        if main and main in suppressed and not refused(main):
            suppressed.add(c.id)

    open_cases = {
        cid: next((c for c in reversed(h) if c.is_open), None) for cid, h in cases.items()
    }
    # Another route already under way for the same document: do not offer a second one.
    underway = {c.produces for c in checklists if c.produces and open_cases.get(c.id) is not None}

    fits: dict[str, _Fit] = {}
    for c in checklists:
        history = cases.get(c.id, [])
        open_case = open_cases.get(c.id)
        latest = history[-1] if history else None
        fitting = base[c.id] and c.id not in suppressed
        lacks_ok = c.applies.lacks is None or not person.proves(c.applies.lacks)
        main = c.applies.alternative_to
        # A document held counts for the main route, not for each alternative to it.
        second_route = bool(main and base.get(main, False) and main not in suppressed)
        if open_case is not None:
            state = IN_PROGRESS
        elif any(h.obtained for h in history) or (
            c.produces is not None and person.proves(c.produces) and fitting and not second_route
        ):
            state = DONE
        elif fitting and lacks_ok and c.produces not in underway:
            state = READY
        else:
            state = NOT_APPLICABLE
        fits[c.id] = _Fit(state, open_case, latest)
    return fits


def _relatives(
    person: PersonFacts, who: str, family: Mapping[str, PersonFacts]
) -> list[PersonFacts]:
    """The recorded relatives ``who`` names; empty when none is recorded."""
    if who == "mother":
        ids = [person.mother_id]
    elif who == "father":
        ids = [person.father_id]
    elif who == "a_parent":
        ids = [person.mother_id, person.father_id]
    else:
        return []
    return [family[i] for i in ids if i is not None and i in family and i != person.id]


def _prerequisite_blockers(
    person: PersonFacts,
    checklist: Checklist,
    family: Mapping[str, PersonFacts],
    checklists: ChecklistSet,
) -> list[tuple[Blocker, Checklist]]:
    """Unmet prerequisites, each with the checklist that would meet it."""
    found: list[tuple[Blocker, Checklist]] = []
    for prereq in checklist.prerequisites:
        if not prereq.applies_at(person.age):
            continue
        target = checklists.get(prereq.checklist)
        # Unknown or document-less targets are reported by the validator; they cannot
        # be judged here, and guessing would block someone for nothing.
        if target is None or target.produces is None:
            continue
        blocker = _judge(person, prereq, target, family)
        if blocker is not None:
            found.append((blocker, target))
    return found


@dataclass(frozen=True)
class _Unmet:
    """What every blocker of one unmet prerequisite shares; ``blocker`` adds the rest."""

    checklist: str
    who: str
    reason: Text | None
    document: DocumentKind
    from_step: str | None = None

    def blocker(
        self,
        kind: str,
        message: str,
        *,
        person_id: str | None = None,
        person_name: str = "",
        name: str | None = None,
    ) -> Blocker:
        params: dict[str, str] = {"document": DOCUMENT_LABELS[self.document]}
        if name is not None:
            params["name"] = name
        return Blocker(
            kind=kind,
            checklist=self.checklist,
            who=self.who,
            message=message,
            params=params,
            reason=self.reason,
            person_id=person_id,
            person_name=person_name,
            document=self.document,
            from_step=self.from_step,
        )


def _judge(
    person: PersonFacts, prereq: Prerequisite, target: Checklist, family: Mapping[str, PersonFacts]
) -> Blocker | None:
    document = target.produces
    # The callers skip targets without a document (see _prerequisite_blockers).
    assert document is not None
    unmet = _Unmet(
        checklist=target.id,
        who=prereq.who,
        reason=prereq.reason,
        document=document,
        from_step=prereq.from_step,
    )
    if prereq.who == "self":
        if person.proves(document):
            return None
        return unmet.blocker(
            PREREQUISITE_SELF, MSG_SELF, person_id=person.id, person_name=person.name
        )
    if prereq.who not in _UNKNOWN_RELATIVE_MESSAGES:
        return None
    relatives = _relatives(person, prereq.who, family)
    if any(r.proves(document) for r in relatives):
        return None
    if not relatives:
        return unmet.blocker(FAMILY_UNKNOWN, _UNKNOWN_RELATIVE_MESSAGES[prereq.who])
    if len(relatives) == 1:
        relative = relatives[0]
        return unmet.blocker(
            PREREQUISITE_FAMILY,
            MSG_RELATIVE,
            person_id=relative.id,
            person_name=relative.name,
            name=relative.name,
        )
    return unmet.blocker(PREREQUISITE_FAMILY, MSG_A_PARENT)


def _step_blockers(checklist: Checklist, case: CaseFacts) -> list[Blocker]:
    return [
        Blocker(
            kind=STEP_BLOCKED,
            checklist=checklist.id,
            who="self",
            message=MSG_STEP_BLOCKED,
            params={"step": step.title.en},
            reason=step.title,
            step_key=step.key,
        )
        for step in checklist.steps
        if case.step_statuses.get(step.key) == StepStatus.BLOCKED
    ]


def _next_step(checklist: Checklist, case: CaseFacts | None, person: PersonFacts) -> Step | None:
    """The first step not done or skipped; the open case's statuses are matched by step
    key, so a case begun on an older version keeps its progress where keys still match.
    A step not for this person (``only_if``) is passed over unless its case began it."""
    statuses = case.step_statuses if case is not None else {}
    for step in checklist.steps:
        status = statuses.get(step.key)
        if status in _FINISHED_STEP:
            continue
        if status in (None, StepStatus.TODO) and not step.applies_to(
            person.born_in, person.statuses
        ):
            continue
        return step
    return None


def _held_back(blockers: list[Blocker], checklist: Checklist, step: Step | None) -> list[Blocker]:
    """Blockers of a later step marked ``later`` while the next step comes before it."""
    if step is None:
        return blockers
    position = checklist.step_keys.index(step.key)
    out = []
    for blocker in blockers:
        held = checklist.step(blocker.from_step) if blocker.from_step else None
        if held is not None and checklist.step_keys.index(held.key) > position:
            blocker = replace(blocker, later=True, from_title=held.title)
        out.append(blocker)
    return out


def _deadlines(
    checklist: Checklist, case: CaseFacts | None, person: PersonFacts, today: date
) -> tuple[Deadline, ...]:
    """The legal deadlines (``deadline_days``) of the steps still to do, when the exact
    birth date is known."""
    if person.age_days is None:
        return ()
    born = today - timedelta(days=person.age_days)
    statuses = case.step_statuses if case is not None else {}
    out = []
    for step in checklist.steps:
        if step.deadline_days is None or statuses.get(step.key) in _FINISHED_STEP:
            continue
        if not step.applies_to(person.born_in, person.statuses):
            continue
        due = born + timedelta(days=step.deadline_days)
        out.append(Deadline(step, due, due < today))
    return tuple(out)


def _demands_on(
    person: PersonFacts, family: Mapping[str, PersonFacts], checklists: ChecklistSet
) -> list[tuple[Checklist, NeededFor]]:
    """What the person's children wait on from this person, per target checklist.

    This is how the mother's plan shows "ID card — needed for Marko's registration"
    even though the rule is written in the child's checklist.
    """
    demands: list[tuple[Checklist, NeededFor]] = []
    for child in family.values():
        if child.id == person.id or person.id not in (child.mother_id, child.father_id):
            continue
        fits = _fit(child, checklists)
        for checklist in checklists:
            if fits[checklist.id].state not in (READY, IN_PROGRESS):
                continue
            for blocker, target in _prerequisite_blockers(child, checklist, family, checklists):
                names_person = blocker.person_id == person.id or (
                    blocker.kind == PREREQUISITE_FAMILY and blocker.person_id is None
                )
                if blocker.kind == PREREQUISITE_FAMILY and names_person:
                    need = NeededFor(checklist.id, child.id, child.name, blocker.who)
                    demands.append((target, need))
    return demands


# ------------------------------------------------------------------------- the plan


def next_steps(
    person: PersonFacts,
    family: Mapping[str, PersonFacts],
    checklists: ChecklistSet,
    today: date,
    *,
    include_not_applicable: bool = False,
) -> PersonPlan:
    """The person's plan: every procedure that fits them, in the order to work on it.

    ``family`` maps person ids to the relatives' facts (it may include the person).
    ``today`` is carried into the plan for due-date display; ages arrive precomputed,
    so no rule depends on it yet.
    """
    # Every rule below reads documents as understood, with what they imply filled in.
    understanding = _understood(person, checklists)
    person = understanding.person
    family = {pid: _understood(facts, checklists).person for pid, facts in family.items()}
    fits = _fit(person, checklists)
    states = {cid: fit.state for cid, fit in fits.items()}
    needed: dict[str, list[NeededFor]] = {}

    def visible_producer(document: DocumentKind) -> Checklist | None:
        return next(
            (c for c in checklists.producing(document) if states[c.id] in (READY, IN_PROGRESS)),
            None,
        )

    def require(target: Checklist, need: NeededFor) -> None:
        # Make the chain visible: if nothing on the plan yet leads to the document,
        # bring the named checklist in even though its own `applies` did not fit.
        document = target.produces
        if document is None or person.proves(document):
            return
        holder = visible_producer(document)
        if holder is None and states[target.id] == NOT_APPLICABLE:
            states[target.id] = READY
            holder = target
        if holder is not None and need not in needed.setdefault(holder.id, []):
            needed[holder.id].append(need)

    blockers: dict[str, list[Blocker]] = {}
    pending = [c for c in checklists if states[c.id] in (READY, IN_PROGRESS)]
    for target, need in _demands_on(person, family, checklists):
        before = states[target.id]
        require(target, need)
        if before == NOT_APPLICABLE and states[target.id] == READY:
            pending.append(target)
    # A worklist rather than one pass: a checklist brought in by `require` has
    # prerequisites of its own. Each checklist enters at most once.
    while pending:
        checklist = pending.pop(0)
        if checklist.id in blockers:
            continue
        found = _prerequisite_blockers(person, checklist, family, checklists)
        blockers[checklist.id] = [blocker for blocker, _ in found]
        for blocker, target in found:
            if blocker.kind != PREREQUISITE_SELF:
                continue
            before = states[target.id]
            require(target, NeededFor(checklist.id, person.id, person.name, "self"))
            if before == NOT_APPLICABLE and states[target.id] == READY:
                pending.append(target)

    _extend_transitively(person, needed, family, checklists)

    items: list[PlanItem] = []
    for checklist in checklists:
        fit = fits[checklist.id]
        state = states[checklist.id]
        if state == NOT_APPLICABLE and not include_not_applicable:
            continue
        upcoming = _next_step(checklist, fit.open_case, person)
        item_blockers = _held_back(list(blockers.get(checklist.id, [])), checklist, upcoming)
        if fit.open_case is not None:
            item_blockers += _step_blockers(checklist, fit.open_case)
        if state == READY and any(b.blocking for b in item_blockers):
            state = BLOCKED
        going = state in (READY, BLOCKED, IN_PROGRESS)
        main = checklist.applies.alternative_to
        alternative_to = (
            main
            if state in (READY, BLOCKED) and main and states.get(main) in (READY, IN_PROGRESS)
            else None
        )
        items.append(
            PlanItem(
                checklist=checklist,
                state=state,
                blockers=item_blockers,
                next_step=upcoming if going else None,
                case=fit.open_case or fit.latest_case,
                newer_version=(
                    fit.open_case is not None
                    and fit.open_case.checklist_version < checklist.version
                ),
                needed_for=needed.get(checklist.id, []),
                alternative_to=alternative_to,
                deadlines=(_deadlines(checklist, fit.open_case, person, today) if going else ()),
            )
        )
    return PersonPlan(
        person.id,
        _ordered(items),
        today,
        held=tuple(kind for kind in DocumentKind if person.has(kind)),
        implied=understanding.implied,
        corrections=understanding.corrections,
        disputed=understanding.disputed,
        place_of_birth=person.place_of_birth,
        born_in=person.born_in,
    )


def _extend_transitively(
    person: PersonFacts,
    needed: dict[str, list[NeededFor]],
    family: Mapping[str, PersonFacts],
    checklists: ChecklistSet,
) -> None:
    """Add to each item what waits on it through another procedure: the mother's
    residence is needed for her ID card, and through it for her baby's registration."""
    for holder, entries in needed.items():
        seen = {(e.person_id, e.checklist) for e in entries} | {(person.id, holder)}
        extra: list[NeededFor] = []
        for entry in list(entries):
            found = _entry_points(entry.person_id, entry.checklist, family, checklists, seen)
            for further in found:
                if further.person_id == person.id:
                    continue  # the person's own procedures are named directly
                extra.append(
                    replace(
                        further,
                        via=entry.checklist,
                        via_person_id=entry.person_id,
                        via_person_name=entry.person_name,
                    )
                )
        entries.extend(extra)


def _entry_points(
    person_id: str,
    checklist_id: str,
    family: Mapping[str, PersonFacts],
    checklists: ChecklistSet,
    seen: set[tuple[str, str]],
) -> list[NeededFor]:
    """Relatives' procedures that wait, through ``person_id``'s own chain, on the
    document of ``checklist_id``: the first procedure of each relative that does (what
    waits after it is in that relative's own plan), recursively down the family."""
    person = family.get(person_id)
    target = checklists.get(checklist_id)
    if person is None or target is None or target.produces is None:
        return []
    own = _fit(person, checklists)
    # The documents of this person's procedures that wait on it, step by step.
    chain = {target.produces}
    queue = [target.produces]
    while queue:
        document = queue.pop()
        for c in checklists:
            if (
                c.produces is None
                or c.produces in chain
                or own[c.id].state
                not in (
                    READY,
                    IN_PROGRESS,
                )
            ):
                continue
            if any(
                b.kind == PREREQUISITE_SELF and t.produces == document
                for b, t in _prerequisite_blockers(person, c, family, checklists)
            ):
                chain.add(c.produces)
                queue.append(c.produces)
    found: list[NeededFor] = []
    for child in family.values():
        if child.id == person.id or person.id not in (child.mother_id, child.father_id):
            continue
        fits = _fit(child, checklists)
        for c in checklists:
            if fits[c.id].state not in (READY, IN_PROGRESS) or (child.id, c.id) in seen:
                continue
            waits = next(
                (
                    b
                    for b, t in _prerequisite_blockers(child, c, family, checklists)
                    if b.kind == PREREQUISITE_FAMILY
                    and t.produces in chain
                    and b.person_id in (person.id, None)
                ),
                None,
            )
            if waits is None:
                continue
            seen.add((child.id, c.id))
            found.append(NeededFor(c.id, child.id, child.name, waits.who))
            found += _entry_points(child.id, c.id, family, checklists, seen)
    return found


def done_routes(plan: PersonPlan) -> list[PlanItem]:
    """Done items that are not just a document held: routes that give no document, and
    procedures whose document was obtained but is no longer held."""
    return [
        item
        for item in plan.items
        if item.state == DONE
        and (item.checklist.produces is None or item.checklist.produces not in plan.held)
    ]


def _ordered(items: Iterable[PlanItem]) -> list[PlanItem]:
    """Actionable first, then blocked, then done; set order (dependencies) within each."""

    def group(item: PlanItem) -> int:
        if item.state == NOT_APPLICABLE:
            return 3
        if item.state == DONE:
            return 2
        return 1 if item.blocked else 0

    return sorted(items, key=group)  # sorted() is stable: set order survives
