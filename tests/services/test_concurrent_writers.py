"""Two programs on one register: a writer waits for the other instead of failing.

A use case reads before it writes (validation, duplicate checks). In a deferred
transaction that read pins a snapshot; when another connection commits meanwhile,
SQLite cannot let the stale reader write and fails at once with "database is locked",
busy_timeout or not. Two app instances, or the app and a `db backup`, met that in
up to a fifth of their writes.
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from docassist.services import households as hh
from docassist.services.context import Context
from docassist.store.db import BusyDatabaseError, explain_database_error, open_database


def _hold_write_lock(path, held: threading.Event, seconds: float) -> None:
    other = sqlite3.connect(str(path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE households SET notes = 'touched elsewhere'")
    held.set()
    time.sleep(seconds)
    other.execute("COMMIT")
    other.close()


def _new_household(name: str) -> hh.HouseholdInput:
    return hh.HouseholdInput(name, settlement="Mali Leskovac", municipality="Beograd")


def test_a_use_case_waits_for_another_writer_and_saves(ctx):
    path = ctx.db.conn.execute("PRAGMA database_list").fetchone()[2]
    hh.register_household(ctx, _new_household("Petrović"))
    held = threading.Event()
    other = threading.Thread(target=_hold_write_lock, args=(path, held, 0.5))
    other.start()
    held.wait(5)
    try:
        # Reads (duplicate checks), then writes, while the other connection writes.
        household_id = hh.register_household(ctx, _new_household("Jovanović"))
    finally:
        other.join()
    assert hh.get_household(ctx, household_id).household.family_name == "Jovanović"


def test_a_lock_held_past_the_timeout_is_said_calmly(ctx, tmp_path):
    path = tmp_path / "register.db"
    first = open_database(path)
    second = open_database(path)
    try:
        second.execute("PRAGMA busy_timeout = 50")
        hh.register_household(Context(first), _new_household("Petrović"))
        held = threading.Event()
        other = threading.Thread(target=_hold_write_lock, args=(path, held, 0.5))
        other.start()
        held.wait(5)
        with pytest.raises(BusyDatabaseError) as caught:
            hh.register_household(Context(second), _new_household("Jovanović"))
        other.join()
        known = explain_database_error(caught.value, path)
        assert known is caught.value
        assert str(path) in known.render() and "Nothing was saved" in known.render()
        # Nothing half-written: the failed use case left no transaction open.
        assert not second.conn.in_transaction
        assert hh.count_households(Context(second)) == 1
    finally:
        first.close()
        second.close()
