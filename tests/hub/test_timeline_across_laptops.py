"""A case's timeline on the coordinator's laptop holds what a facilitator did on theirs
(issue 17 c), through a real hub: who, on which laptop, which step, in that laptop's
own order although its clock is a day ahead; never the note typed there."""

from __future__ import annotations

from datetime import timedelta

from docassist.domain.model import Role, StepStatus
from docassist.i18n import translate_in
from docassist.services import cases, scopes, sync
from docassist.services import households as hh
from docassist.services.cases import StepPlan
from docassist.services.history import DEVICE_ID_SHOWN
from docassist.services.sync import bundle
from docassist.services.users import create_user
from tests.hub.support import Laptop


def test_the_coordinator_sees_the_facilitators_steps_with_their_laptop(tmp_path, hub_dsn):
    sync.init_hub(hub_dsn)
    a = Laptop(tmp_path / "coordinator.db")
    f = Laptop(tmp_path / "facilitator.db", skew=timedelta(days=1))  # a day ahead
    try:
        a.coordinator()
        fikret = create_user(a.ctx, "Fikret", Role.FACILITATOR).id
        scopes.set_scopes(a.ctx, fikret, ["Niš"])
        hid = a.household("Ramić", "Sabit", municipality="Niš")
        person = hh.get_household(a.ctx, hid).members[0].id
        case = cases.open_case(
            a.ctx,
            person,
            "id-card",
            1,
            [StepPlan("gather-papers", 7), StepPlan("apply", 7)],
            assignee_id=fikret,
        )
        a.connect(hub_dsn)
        f.connect(hub_dsn, fikret)
        cases.set_step_status(
            f.ctx, case, "gather-papers", StepStatus.BLOCKED, reason="Sabit's aunt has them"
        )
        cases.set_step_status(f.ctx, case, "gather-papers", StepStatus.DONE)
        f.sync()
        # then the coordinator, on a laptop whose clock is a day behind
        cases.set_step_status(a.ctx, case, "apply", StepStatus.DONE)
        a.sync()

        timeline = cases.timeline(a.ctx, case)
        # named as the hub names it (tests/hub/support.py connects a laptop by its path)
        from_f = [e for e in timeline if e.laptop == str(f.path)]
        assert [
            (e.user_name, e.step_key, e.before["status"], e.after["status"]) for e in from_f
        ] == [
            ("Fikret", "gather-papers", "blocked", "done"),
            ("Fikret", "gather-papers", "in_progress", "blocked"),
        ]
        assert all(e.laptop is None for e in timeline if e not in from_f)
        assert {e.action for e in timeline if e.laptop is None} == {"open", "step"}
        assert "aunt" not in repr(timeline)
        # the facilitator's laptop receives no other laptop's trail (row-level security):
        # its timeline is its own and what it did
        assert {e.laptop for e in cases.timeline(f.ctx, case)} == {None}
    finally:
        a.close()
        f.close()


def _a_case_followed_on_another_laptop(hub: str, a: Laptop, f: Laptop) -> str:
    """A coordinator's laptop ``a`` and a facilitator's ``f`` (connected without a name),
    and a case whose step the facilitator marks done on ``f``; returns the case."""
    a.coordinator()
    fikret = create_user(a.ctx, "Fikret", Role.FACILITATOR).id
    scopes.set_scopes(a.ctx, fikret, ["Niš"])
    hid = a.household("Ramić", "Sabit", municipality="Niš")
    person = hh.get_household(a.ctx, hid).members[0].id
    case = cases.open_case(
        a.ctx, person, "id-card", 1, [StepPlan("gather-papers", 7)], assignee_id=fikret
    )
    sync.connect_hub(a.ctx, hub, device_name="Office desk")
    f.ctx.user_id = fikret
    sync.connect_hub(f.ctx, hub)
    cases.set_step_status(f.ctx, case, "gather-papers", StepStatus.DONE)
    f.sync()
    return case


def _laptops_named(ctx, case: str) -> set[str | None]:
    return {e.laptop for e in cases.timeline(ctx, case) if e.laptop is not None}


def test_a_sync_brings_the_laptops_names_into_the_timeline(hub, laptops):
    """The names given at `hub connect --name` reach every laptop at its next sync, and
    a name given again replaces the old one; a laptop without a name is the start of
    its id."""
    a, f = laptops("coordinator"), laptops("facilitator")
    case = _a_case_followed_on_another_laptop(hub, a, f)
    a.sync()
    assert _laptops_named(a.ctx, case) == {f.ctx.device_id[:DEVICE_ID_SHOWN]}

    sync.connect_hub(f.ctx, hub, device_name="Niš field laptop")  # named now
    a.sync()
    assert _laptops_named(a.ctx, case) == {"Niš field laptop"}
    (entry,) = [e for e in cases.timeline(a.ctx, case) if e.laptop]
    assert (entry.user_name, entry.action) == ("Fikret", "step")
    assert translate_in("en", "on laptop {laptop}").format(laptop=entry.laptop) == (
        "on laptop Niš field laptop"
    )

    sync.connect_hub(f.ctx, hub, device_name="Niš, Fikret's")
    a.sync()
    assert _laptops_named(a.ctx, case) == {"Niš, Fikret's"}
    # the name and the id, nothing else of the hub's list of laptops
    assert a.db.execute("SELECT * FROM devices WHERE id = ?", [f.ctx.device_id]).fetchall() == [
        (f.ctx.device_id, "Niš, Fikret's")
    ]
    # the facilitator's laptop, whose histories show no other laptop's entries from the
    # hub, holds its own name only: the hub gives it no other row of its list of laptops
    assert dict(f.db.execute("SELECT id, name FROM devices").fetchall()) == {
        f.ctx.device_id: "Niš, Fikret's"
    }


def test_a_bundle_carries_the_laptops_names(hub, laptops, tmp_path):
    """A coordinator's laptop that has only ever had bundles names the laptops as the
    laptop that made the bundle last read them from the hub; the hub's list, at the next
    sync, has the last word."""
    a, f, c = laptops("coordinator"), laptops("facilitator"), laptops("second")
    case = _a_case_followed_on_another_laptop(hub, a, f)
    sync.connect_hub(f.ctx, hub, device_name="Niš field laptop")
    a.sync()
    c.ctx.user_id = a.ctx.user_id
    sync.connect_hub(c.ctx, hub, device_name="Spare")
    with c.db.atomic():  # c has not heard the name yet: as if before the rename
        c.db.execute("UPDATE devices SET name = '' WHERE id = ?", [f.ctx.device_id])
    stick = tmp_path / "stick.bundle"
    bundle.export_bundle(a.ctx, stick)
    bundle.import_bundle(c.ctx, stick)
    assert _laptops_named(c.ctx, case) == {"Niš field laptop", "Office desk"}
    # a bundle names a laptop this one has no name for; it does not rename one
    with c.db.atomic():
        c.db.execute("UPDATE devices SET name = 'Newer' WHERE id = ?", [f.ctx.device_id])
    assert bundle.import_bundle(c.ctx, stick).new == 0
    assert _laptops_named(c.ctx, case) == {"Newer", "Office desk"}
    c.sync()
    assert _laptops_named(c.ctx, case) == {"Niš field laptop", "Office desk"}
