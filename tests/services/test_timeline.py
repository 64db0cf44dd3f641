"""A case's timeline across laptops (issue 17 c): this laptop's audit entries and the
ones other laptops' chains brought through the hub, who did what on which laptop, each
laptop's entries in their own order whatever its clock said."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from docassist.domain.model import Role, StepStatus
from docassist.services import cases, erasure, history
from docassist.services import households as hh
from docassist.services.cases import StepPlan
from docassist.services.households import HouseholdInput, PersonInput
from docassist.services.practice import open_practice
from docassist.services.users import create_user
from tests.services.conftest import TODAY
from tests.services.timeline_support import (
    LAPTOP_B,
    LAPTOP_C,
    case_event,
    name_laptop,
    other_laptop,
    receive,
)


def at(day: int, hour: int) -> str:
    return f"2026-11-{day:02d}T{hour:02d}:00:00+00:00"


@dataclass
class Register:
    household_id: str
    case_id: str
    fikret: str  # a facilitator on laptop B
    dragan: str  # a facilitator on laptop C


@pytest.fixture
def register(ctx) -> Register:
    fikret = create_user(ctx, "Fikret", Role.FACILITATOR).id
    dragan = create_user(ctx, "Dragan", Role.FACILITATOR).id
    ctx.now = lambda: at(20, 9)
    hid = hh.register_household(
        ctx,
        HouseholdInput(family_name="Nikolić", municipality="Niš"),
        [PersonInput("Marko", "Nikolić", birth_date="1990")],
    )
    person = hh.get_household(ctx, hid).members[0].id
    ctx.now = lambda: at(20, 10)
    case_id = cases.open_case(
        ctx, person, "id-card", 1, [StepPlan("gather-papers", 7), StepPlan("apply", 7)]
    )
    return Register(hid, case_id, fikret, dragan)


def _drifting_laptops(ctx, r: Register) -> None:
    """Laptop B ("Niš 2", Fikret's): its clock a day ahead, then put right. Laptop C
    (no name, Dragan's): a day behind."""
    entry = {"entity": "case", "entity_id": r.case_id}
    b = other_laptop(
        LAPTOP_B,
        [
            {"at": at(21, 11), "user_id": r.fikret, "action": "step", **entry},  # ahead
            {"at": at(20, 12), "user_id": r.fikret, "action": "due", **entry},  # put right
        ],
    )
    c = other_laptop(
        LAPTOP_C, [{"at": at(19, 13), "user_id": r.dragan, "action": "assign", **entry}]
    )
    receive(ctx, b, c)
    name_laptop(ctx, LAPTOP_B, "Niš 2", at(1, 8))


def test_other_laptops_entries_show_with_who_and_which_laptop(ctx, register):
    _drifting_laptops(ctx, register)
    timeline = cases.timeline(ctx, register.case_id)
    assert (
        [(e.user_name, e.action, e.laptop) for e in timeline]
        == [
            ("Fikret", "due", "Niš 2"),
            ("Fikret", "step", "Niš 2"),
            ("Milica", "open", None),  # this laptop's own: no laptop named
            ("Dragan", "assign", LAPTOP_C[:8]),  # no name known: the start of its id
        ]
    )


def test_each_laptops_entries_keep_their_own_order_whatever_its_clock(ctx, register):
    _drifting_laptops(ctx, register)
    timeline = cases.timeline(ctx, register.case_id)
    b = [e for e in timeline if e.laptop == "Niš 2"]
    # B's clock said its first entry came a day after its second: by time alone the
    # step would be shown after the due date changed; B's chain says the step came first
    assert [e.action for e in b] == ["due", "step"]
    assert sorted(b, key=lambda e: e.at, reverse=True) != b
    # between laptops the clocks are all there is: C's day-behind entry shows oldest
    assert timeline[-1].laptop == LAPTOP_C[:8]


def test_merge_keeps_each_chain_and_orders_by_time_between_them():
    def entry(device: str, number: int, when: str) -> history.HistoryEntry:
        return history.HistoryEntry(number, when, None, None, "step", None, None, device)

    own = [entry("a", 3, at(20, 15)), entry("a", 2, at(20, 11)), entry("a", 1, at(20, 9))]
    # a laptop whose clock was a day ahead for its first two entries
    b = [entry("b", 3, at(20, 14)), entry("b", 2, at(21, 10)), entry("b", 1, at(21, 8))]
    merged = history.newest_first([own, b])
    assert [(e.device_id, e.entry_id) for e in merged] == [
        ("a", 3),
        ("b", 3),
        ("b", 2),
        ("b", 1),
        ("a", 2),
        ("a", 1),
    ]
    # one moment on two laptops: this laptop's first; times in other zones are compared
    # as points in time
    same = history.newest_first(
        [[entry("a", 1, "2026-11-20T10:00:00+00:00")], [entry("b", 1, "2026-11-20T11:00:00+01:00")]]
    )
    assert [e.device_id for e in same] == ["a", "b"]


def test_another_laptops_step_says_which_step_from_its_case_event_never_its_note(ctx, register):
    r = register
    entry = {"entity": "case", "entity_id": r.case_id}
    receive(
        ctx,
        other_laptop(
            LAPTOP_B,
            [
                {"at": at(21, 11), "user_id": r.fikret, "action": "step", **entry},
                {"at": at(21, 12), "user_id": r.fikret, "action": "due", **entry},
            ],
        ),
    )
    # the events travel as rows; the audit entry and its event may be a second apart
    case_event(
        ctx, LAPTOP_B, r.case_id, r.fikret, "2026-11-21T10:59:59+00:00", "step",
        "gather-papers", "in_progress", "blocked", "Marko Nikolić lost the birth certificate",
    )  # fmt: skip
    case_event(ctx, LAPTOP_B, r.case_id, r.fikret, at(21, 12), "due", "apply", note="2026-12-15")
    due, step, _opened = cases.timeline(ctx, r.case_id)
    assert (step.step_key, step.before, step.after) == (
        "gather-papers",
        {"step": "gather-papers", "status": "in_progress"},
        {"step": "gather-papers", "status": "blocked"},
    )
    assert (due.step_key, due.after) == ("apply", {"step": "apply", "due_date": "2026-12-15"})
    assert "lost the birth" not in repr(cases.timeline(ctx, r.case_id))


def test_this_laptops_own_entries_are_shown_as_before(ctx, register):
    ctx.now = lambda: at(20, 11)
    cases.set_step_status(ctx, register.case_id, "gather-papers", StepStatus.DONE)
    timeline = cases.timeline(ctx, register.case_id)
    assert [(e.action, e.step_key, e.laptop) for e in timeline] == [
        ("step", "gather-papers", None),
        ("open", None, None),
    ]
    assert timeline[0].after["status"] == "done"
    assert timeline[0].before["status"] == "in_progress"


def test_a_practice_register_shows_no_other_laptops_entries(tmp_path, ctx, register):
    """Practice never touches real data: even a practice file that holds another laptop's
    entries about a real family's case (joined to the hub by mistake) shows none."""
    r = register
    chain = other_laptop(
        LAPTOP_B,
        [{"at": at(21, 11), "user_id": r.fikret, "action": "step", "entity": "case",
          "entity_id": r.case_id}],
    )  # fmt: skip
    practice = open_practice(tmp_path / "practice.db", today=lambda: TODAY)
    try:
        receive(practice, chain)
        assert cases.timeline(practice, r.case_id) == []
        assert history.history(practice, "case", r.case_id) == []
    finally:
        practice.db.close()
    # the same entries in the real register are shown: the practice file is what hides them
    receive(ctx, chain)
    assert [e.laptop for e in cases.timeline(ctx, r.case_id)] == [LAPTOP_B[:8], None]


NAMES = ("Marko", "Nikolić", "marko", "nikolic")


def test_after_an_erasure_other_laptops_entries_name_nobody(ctx, register):
    r = register
    entry = {"entity": "case", "entity_id": r.case_id}
    b = other_laptop(
        LAPTOP_B,
        [
            {"at": at(21, 11), "user_id": r.fikret, "action": "step", **entry},
            {"at": at(22, 8), "user_id": r.fikret, "action": "step", **entry},
        ],
    )
    receive(ctx, b[:1])
    case_event(
        ctx, LAPTOP_B, r.case_id, r.fikret, at(21, 11), "step", "gather-papers",
        "in_progress", "blocked", "Marko Nikolić: papers at his aunt's in Leskovac",
    )  # fmt: skip
    assert cases.timeline(ctx, r.case_id)[0].step_key == "gather-papers"  # before: shown

    ctx.now = lambda: at(22, 9)
    erasure.erase_household(ctx, r.household_id, "asked by the family")
    # what B did before it heard of the erasure, arriving after it
    case_event(
        ctx, LAPTOP_B, r.case_id, r.fikret, at(22, 8), "step", "apply",
        "todo", "blocked", "Marko Nikolić is waiting at the police station",
    )  # fmt: skip
    receive(ctx, b[1:])
    timeline = cases.timeline(ctx, r.case_id)
    remote = [e for e in timeline if e.laptop is not None]
    # who did what, and where, stays: it names no family
    assert [(e.user_name, e.action) for e in remote] == [("Fikret", "step"), ("Fikret", "step")]
    # what was changed does not: the erased case shows its entries only
    assert all((e.step_key, e.before, e.after) == (None, None, None) for e in remote)
    shown = repr(timeline)
    for word in (*NAMES, "Leskovac", "police"):
        assert word not in shown, word
