"""A case's timeline on the coordinator's laptop holds what a facilitator did on theirs
(issue 17 c), through a real hub: who, on which laptop, which step, in that laptop's
own order although its clock is a day ahead; never the note typed there."""

from __future__ import annotations

from datetime import timedelta

from docassist.domain.model import Role, StepStatus
from docassist.services import cases, scopes, sync
from docassist.services import households as hh
from docassist.services.cases import StepPlan
from docassist.services.history import DEVICE_ID_SHOWN
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
        label = f.ctx.device_id[:DEVICE_ID_SHOWN]
        from_f = [e for e in timeline if e.laptop == label]
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
