"""The conflicts screen (F12, and the palette): both versions side by side, one kept
whole or merged by hand field by field, settled through the service the command line
uses, audited, and sent to every laptop (issue 17)."""

from __future__ import annotations

import json

from textual.widgets import DataTable

from docassist.domain.model import Role
from docassist.services import households as hh
from docassist.services import sync
from docassist.services.users import create_user
from docassist.ui.app import DocAssistApp
from docassist.ui.screens.conflicts import ConflictsScreen
from tests.hub.support import Laptop


def edit(laptop: Laptop, household: str, address: str, notes: str) -> None:
    hh.update_household(
        laptop.ctx,
        household,
        hh.HouseholdInput("Petrović", municipality="Niš", address=address, notes=notes),
    )


def two_laptops_in_conflict(tmp_path, hub_dsn) -> tuple[Laptop, Laptop, str, str]:
    """Laptop b changed the address and notes one way, a another: one conflict on a.
    Returns both laptops (closed: the app opens a), the household and a's coordinator."""
    sync.init_hub(hub_dsn)
    a, b = Laptop(tmp_path / "a.db"), Laptop(tmp_path / "b.db")
    coordinator = a.coordinator()
    household = a.household("Petrović", municipality="Niš")
    a.connect(hub_dsn)
    b.connect(hub_dsn, coordinator)
    edit(b, household, "Ulica 2", "from b")
    edit(a, household, "Ulica 1", "from a")
    b.sync()
    a.sync()
    (conflict,) = sync.list_conflicts(a.ctx)
    assert set(conflict.differences()) >= {"address", "notes"}
    a.close()
    return a, b, household, coordinator


async def open_conflicts(app, pilot) -> ConflictsScreen:
    await pilot.pause()
    await pilot.press("f12")
    await pilot.pause()
    assert isinstance(app.screen, ConflictsScreen)
    return app.screen


async def test_a_coordinator_merges_by_hand_field_by_field(tmp_path, hub_dsn):
    a, b, household, coordinator = two_laptops_in_conflict(tmp_path, hub_dsn)
    app = DocAssistApp(a.path, user_id=coordinator)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_conflicts(app, pilot)
        fields = screen.query_one("#conflict-fields", DataTable)
        rows = {fields.get_row_at(i)[0].plain: i for i in range(fields.row_count)}
        # side by side: the one shown (a's, the later clock) and the other (b's)
        cells = [str(c) for c in fields.get_row_at(rows["Address"])]
        assert cells[1:3] == ["Ulica 1", "Ulica 2"]
        fields.focus()
        fields.move_cursor(row=rows["Address"])
        await pilot.press("space")  # take b's address, keep a's notes
        await pilot.pause()
        assert str(fields.get_row_at(rows["Address"])[3]) == "other"
        await pilot.press("m")
        await pilot.pause()
        assert screen.query_one("#conflict-list", DataTable).row_count == 0
    a = Laptop(a.path)
    try:
        shown = hh.get_household(a.ctx, household).household
        assert (shown.address, shown.notes) == ("Ulica 2", "from a")
        assert sync.list_conflicts(a.ctx) == []
        (after,) = a.db.execute("SELECT after FROM audit_log WHERE action = 'resolve'").fetchone()
        assert json.loads(after) == {"choice": "merged", "kept": None, "taken": ["address"]}
        a.sync()
        b.sync()
        merged = hh.get_household(b.ctx, household).household
        assert (merged.address, merged.notes) == ("Ulica 2", "from a")
        assert sync.list_conflicts(b.ctx) == []  # settled everywhere
    finally:
        a.close()
        b.close()


async def test_the_palette_opens_it_and_keeping_the_other_puts_it_back(tmp_path, hub_dsn):
    a, b, household, coordinator = two_laptops_in_conflict(tmp_path, hub_dsn)
    b.close()
    app = DocAssistApp(a.path, user_id=coordinator)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Conflicts")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConflictsScreen)
        await pilot.press("o")
        await pilot.pause()
        assert any("other version is back" in n.message for n in app._notifications)
    a = Laptop(a.path)
    try:
        shown = hh.get_household(a.ctx, household).household
        assert (shown.address, shown.notes) == ("Ulica 2", "from b")
    finally:
        a.close()


async def test_only_a_coordinator_opens_the_conflicts(tmp_path, hub_dsn):
    a, b, _household, _coordinator = two_laptops_in_conflict(tmp_path, hub_dsn)
    b.close()
    a = Laptop(a.path)
    ana = create_user(a.ctx, "Ana", Role.FACILITATOR).id
    a.close()
    app = DocAssistApp(a.path, user_id=ana)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f12")
        await pilot.pause()
        assert not isinstance(app.screen, ConflictsScreen)


async def test_a_steps_versions_read_as_the_case_screen_writes_them(tmp_path, hub_dsn):
    """A step done on one laptop and blocked on the other: the fields by their labels,
    the statuses in words and the days in the reader's format, not 'done_date',
    'blocked' and '2026-11-23'; in Serbian too."""
    from docassist.domain.model import StepStatus
    from docassist.services import cases
    from docassist.services.cases import StepPlan

    sync.init_hub(hub_dsn)
    a, b = Laptop(tmp_path / "a.db"), Laptop(tmp_path / "b.db")
    coordinator = a.coordinator()
    household = a.household("Nikolić", "Dragan", municipality="Niš")
    person = hh.get_household(a.ctx, household).members[0].id
    case = cases.open_case(a.ctx, person, "id-card", 1, [StepPlan("apply", 7)])
    a.connect(hub_dsn)
    b.connect(hub_dsn, coordinator)
    cases.set_step_status(b.ctx, case, "apply", StepStatus.DONE)
    cases.set_step_status(a.ctx, case, "apply", StepStatus.BLOCKED, reason="office closed")
    b.sync()
    a.sync()
    a.close()
    b.close()
    app = DocAssistApp(a.path, user_id=coordinator)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_conflicts(app, pilot)
        listed = screen.query_one("#conflict-list", DataTable)
        step = next(i for i, v in enumerate(screen.views) if v.table == "case_steps")
        listed.move_cursor(row=step)
        await pilot.pause()
        fields = screen.query_one("#conflict-fields", DataTable)
        rows = {
            fields.get_row_at(i)[0].plain: fields.get_row_at(i) for i in range(fields.row_count)
        }
        assert [str(c) for c in rows["Status"][1:3]] == ["Blocked", "Done"]
        assert [str(c) for c in rows["Done"][1:3]] == ["—", "23.11.2026"]
        assert str(rows["Blocked"][1]) == "office closed"
        app.choose_language("sr")
        await pilot.pause()
        fields = screen.query_one("#conflict-fields", DataTable)
        labels = [fields.get_row_at(i)[0].plain for i in range(fields.row_count)]
        assert "Статус" in labels and "status" not in labels
