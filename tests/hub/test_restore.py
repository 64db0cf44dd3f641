"""A register put back from a backup goes on under a new device id: its new changes are
not taken for the lost laptop's later work, and it gets back what that laptop pushed
after the backup (issue 17)."""

from __future__ import annotations

import shutil
from datetime import timedelta

import psycopg
import pytest

from docassist.services import backups, sync
from docassist.services import households as hh
from docassist.services.sync import hub as hub_io
from docassist.store import outbox
from tests.hub.support import Laptop


def notes(laptop: Laptop, household: str, text: str) -> None:
    hh.update_household(
        laptop.ctx, household, hh.HouseholdInput("Petrović", municipality="Novi Sad", notes=text)
    )


def devices(hub: str) -> dict[str, str | None]:
    with psycopg.connect(hub) as conn:
        return dict(conn.execute("SELECT device_id, replaced_by FROM docassist.devices"))


def lost_and_restored(tmp_path, hub, put_back) -> tuple[Laptop, Laptop, str, str, str]:
    """A laptop backed up, then working and syncing on, then lost and put back from the
    copy by ``put_back(copy, path)``; and a second laptop. Returns the restored laptop,
    the other one, the household edited on both sides of the backup, the household
    registered after it, and the old device id."""
    path = tmp_path / "a.db"
    a, b = Laptop(path), Laptop(tmp_path / "b.db")
    user = a.coordinator()
    household = a.household("Petrović", "Ana")
    a.connect(hub)
    b.connect(hub, user)
    old_device = a.ctx.device_id
    a.close()
    copy = tmp_path / "copy.db"
    shutil.copy(path, copy)
    a = Laptop(path, skew=timedelta(minutes=10))
    notes(a, household, "after the backup")
    later = a.household("Jovanović", "Marko")
    a.sync()
    a.close()
    put_back(copy, path, user)
    return Laptop(path, skew=timedelta(hours=1)), b, household, later, old_device


def restore(copy, path, user):
    backups.restore_backup(copy, path, user)


def by_hand(copy, path, user):
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    shutil.copy(copy, path)


@pytest.mark.parametrize("put_back", [restore, by_hand], ids=["db-restore", "copied-by-hand"])
def test_a_restored_register_loses_and_doubles_nothing(tmp_path, hub, put_back):
    a, b, household, later, old_device = lost_and_restored(tmp_path, hub, put_back)
    try:
        if put_back is restore:
            assert a.ctx.device_id != old_device  # at once, before any change is made
            # its next change to a row the lost laptop changed after the backup: a
            # conflict to settle, not a silent replacement of that change
            notes(a, household, "after the restore")
        a.sync()
        assert a.ctx.device_id != old_device
        assert outbox.state(a.db)["previous_device"] is None
        # what the lost laptop pushed after the backup came back
        assert later in {x.id for x in hh.find_households(a.ctx, "")}
        b.sync()
        a.sync()
        for laptop in (a, b):
            assert {x.family_name for x in hh.find_households(laptop.ctx, "")} == {
                "Petrović",
                "Jovanović",
            }
        shown = hh.get_household(a.ctx, household).household.notes
        assert hh.get_household(b.ctx, household).household.notes == shown
        if put_back is restore:
            (conflict,) = sync.list_conflicts(a.ctx)
            kept = {conflict.winner.data["notes"], conflict.loser.data["notes"]}
            assert kept == {"after the backup", "after the restore"}
        else:
            assert shown == "after the backup"
        # the hub moved the login: the old id is kept for the record, pointing on
        assert devices(hub)[old_device] == a.ctx.device_id
        assert a.pending() == b.pending() == 0
        with psycopg.connect(hub) as conn:
            counted = conn.execute(
                "SELECT count(*) FROM docassist.rows WHERE tbl = 'households'"
            ).fetchone()[0]
        assert counted == 2
    finally:
        a.close()
        b.close()


def test_moving_the_login_again_after_a_cut_connection_changes_nothing(tmp_path, hub):
    a, b, _household, _later, old_device = lost_and_restored(tmp_path, hub, restore)
    try:
        a.sync()
        dsn = outbox.state(a.db)["hub_dsn"]
        with hub_io.connect(dsn, device=True) as conn:
            hub_io.renew_device(conn, dsn, old_device, a.ctx.device_id)
        assert devices(hub)[old_device] == a.ctx.device_id
        assert a.sync().pushed == 0
    finally:
        a.close()
        b.close()


def test_a_register_on_its_own_restored_gets_a_new_id_and_nothing_else(tmp_path):
    path = tmp_path / "alone.db"
    a = Laptop(path)
    user = a.coordinator()
    old = a.ctx.device_id
    (tmp_path / "backups").mkdir()  # a folder the user names is never made
    copy = backups.backup_register(a.ctx, tmp_path / "backups")
    a.close()
    backups.restore_backup(copy, path, user)
    again = Laptop(path)
    try:
        assert again.ctx.device_id != old
        assert outbox.state(again.db)["previous_device"] is None  # no hub to tell
    finally:
        again.close()
