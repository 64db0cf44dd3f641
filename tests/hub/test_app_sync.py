"""The app's Sync command: in a worker, a one-line summary, the last sync in sight."""

from __future__ import annotations

from docassist.services import households as hh
from docassist.services import sync
from docassist.ui.app import DocAssistApp
from docassist.ui.widgets.title_bar import TitleBar
from tests.hub.support import Laptop


async def test_ctrl_y_syncs_in_the_background_and_says_so(tmp_path, hub_dsn):
    sync.init_hub(hub_dsn)
    a = Laptop(tmp_path / "a.db")
    user = a.coordinator()
    a.connect(hub_dsn)
    hh.register_household(a.ctx, hh.HouseholdInput("Nikolić"))
    assert a.pending() > 0
    a.close()

    app = DocAssistApp(tmp_path / "a.db", user_id=user)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "synced" in app.sub_title
        await pilot.press("ctrl+y")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        said = [n.message for n in app._notifications]
        # what waited, and whatever signing in wrote
        assert any(m.startswith("Synced: ") and " 0 sent" not in m for m in said), said
    check = Laptop(tmp_path / "a.db")
    assert check.pending() == 0
    check.close()


async def test_without_a_hub_the_command_says_what_to_do(tmp_path, hub_dsn):
    a = Laptop(tmp_path / "a.db")
    user = a.coordinator()
    a.close()
    app = DocAssistApp(tmp_path / "a.db", user_id=user)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "synced" not in app.sub_title  # a register on its own shows nothing
        await pilot.press("ctrl+y")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert any("hub connect" in m for m in said), said


async def test_the_title_says_when_it_last_synced_and_that_changes_waited_for_days(
    tmp_path, hub_dsn, monkeypatch
):
    import time
    from datetime import timedelta

    monkeypatch.setenv("TZ", "UTC")  # the title shows the laptop's time: pinned here
    time.tzset()

    from docassist.i18n import format_date
    from tests.hub.support import START, TODAY

    sync.init_hub(hub_dsn)
    a = Laptop(tmp_path / "a.db")
    user = a.coordinator()
    a.connect(hub_dsn)  # synced on the 23rd
    hh.register_household(a.ctx, hh.HouseholdInput("Nikolić"))  # not sent since
    a.close()
    app = DocAssistApp(tmp_path / "a.db", user_id=user)
    now = {"at": (START + timedelta(hours=2)).isoformat()}
    app.ctx.now = lambda: now["at"]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "synced 09:00" in app.sub_title  # today: the time
        assert "unsent" not in app.sub_title  # two hours: no note
        now["at"] = (START + timedelta(days=5)).isoformat()
        app._set_titles()  # what the app's timer does every few minutes
        await pilot.pause()
        assert f"synced {format_date(TODAY)}" in app.sub_title  # another day: the date
        assert "unsent 4 days" in app.sub_title
        # in sight at 80 columns: the header shows all of it
        header = app.screen.query_one(TitleBar).render_line(0).text
        assert "unsent 4 days" in header, header


async def test_a_sync_shows_what_it_received_on_the_screen_in_sight(hub, laptops):
    # Found in issue 17's walk: after Ctrl+Y the dashboard still showed the counts from
    # before the sync until another area was opened and left.
    from textual.widgets import DataTable

    office = laptops("office")
    user = office.coordinator()
    office.connect(hub)
    field = laptops("field")
    sync.join_hub(field.ctx, hub, "Milica")
    field.household("Jovanović", "Dragana")
    field.sync()

    app = DocAssistApp(office.path, user_id=user)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        shown = app.screen
        table = shown.query_one(DataTable)
        before = table.row_count
        await pilot.press("ctrl+y")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        assert app.screen is shown
        assert table.row_count == before + 1
        names = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert any("Jovanović" in n for n in names), names
