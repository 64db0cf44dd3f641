"""A push cut off half-way, by a laptop killed (kill -9) or a hub restarted while the
push's transaction is open, then simply repeated: nothing lost, nothing doubled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psycopg

from docassist.services import households as hh
from docassist.services import sync
from docassist.store import outbox
from tests.hub.support import Laptop

NEW = 30  # households registered offline, to be pushed


def prepared(tmp_path, hub_dsn):
    """Laptop a with an edit of a household the hub has, after NEW new households: the
    test locks that household's hub row, so a push stops there, half-way through."""
    sync.init_hub(hub_dsn)
    a = Laptop(tmp_path / "a.db")
    a.coordinator()
    first = a.household("Petrović", "Ana")
    a.connect(hub_dsn)
    for n in range(NEW):
        a.household(f"Nova{n}", "Ime")
    hh.update_household(a.ctx, first, hh.HouseholdInput("Petrović", notes="edited last"))
    waiting = a.pending()
    a.close()
    return first, waiting


def hub_households(hub_dsn) -> list[str]:
    with psycopg.connect(hub_dsn) as conn:
        return [
            r[0]
            for r in conn.execute(
                "SELECT data ->> 'family_name' FROM docassist.rows WHERE tbl = 'households'"
            ).fetchall()
        ]


def start_sync(path):
    return subprocess.Popen(
        [sys.executable, "-m", "docassist", "--db", str(path), "sync"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until_blocked(conn, proc) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        waiting = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'docassist' "
            "AND wait_event_type = 'Lock'"
        ).fetchone()[0]
        if waiting:
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError("the push never reached the locked row")


def test_a_laptop_killed_mid_push_loses_and_doubles_nothing(tmp_path, hub_dsn):
    first, waiting = prepared(tmp_path, hub_dsn)
    with psycopg.connect(hub_dsn, autocommit=True) as watch, psycopg.connect(hub_dsn) as lock:
        lock.execute(
            "SELECT 1 FROM docassist.rows WHERE tbl = 'households' AND row_key = %s FOR UPDATE",
            [first],
        )
        proc = start_sync(tmp_path / "a.db")
        wait_until_blocked(watch, proc)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        lock.rollback()  # the killed push's transaction now ends, without a commit
        deadline = time.monotonic() + 30
        while watch.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'docassist'"
        ).fetchone()[0]:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert hub_households(hub_dsn) == ["Petrović"]  # none of the half-push was kept

    a = Laptop(tmp_path / "a.db")
    try:
        assert a.pending() == waiting  # the outbox still holds all of it
        assert a.sync().pushed == waiting
        assert a.pending() == 0
        names = hub_households(hub_dsn)
        assert sorted(names) == sorted(["Petrović", *(f"Nova{n}" for n in range(NEW))])
        assert a.sync().pushed == 0
        assert sorted(hub_households(hub_dsn)) == sorted(names)
    finally:
        a.close()


def test_a_hub_restarted_mid_push_loses_and_doubles_nothing(tmp_path, hub_dsn, pg):
    first, waiting = prepared(tmp_path, hub_dsn)
    with psycopg.connect(hub_dsn, autocommit=True) as watch:
        lock = psycopg.connect(hub_dsn)
        lock.execute(
            "SELECT 1 FROM docassist.rows WHERE tbl = 'households' AND row_key = %s FOR UPDATE",
            [first],
        )
        proc = start_sync(tmp_path / "a.db")
        wait_until_blocked(watch, proc)
    pg.restart("immediate")  # as a power cut would: no shutdown, recovery at start
    out, err = proc.communicate(timeout=60)
    lock.close()
    assert proc.returncode == 2
    assert len(err.strip().splitlines()) == 1 and "outbox" in err
    assert hub_households(hub_dsn) == ["Petrović"]

    a = Laptop(tmp_path / "a.db")
    try:
        assert a.pending() == waiting
        assert a.sync().pushed == waiting
        assert len(hub_households(hub_dsn)) == NEW + 1
        assert outbox.count_pending(a.db) == 0
    finally:
        a.close()
