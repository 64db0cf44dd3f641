"""Pulls read the hub's changes in commit order, so a cursor never passes a change:
tested with pushes that overlap (hub_sql.py says how the order is kept)."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from psycopg.types.json import Jsonb

from docassist.services import sync
from docassist.services.sync import hub as hub_api
from docassist.services.sync import hub_sql
from tests.hub.support import Laptop


@pytest.fixture
def hub(hub_dsn, tmp_path):
    setup = Laptop(tmp_path / "setup.db")
    sync.init_hub(hub_dsn)
    setup.close()
    return hub_dsn


def change(device: str, n: int) -> dict:
    hlc = f"{n:015d}.000000.{device}"
    return {
        "tbl": "workshops",
        "row_key": f"{device}-{n}",
        "hlc": hlc,
        "user_id": None,
        "vv": {device: hlc},
        "deleted": False,
        "data": {"id": f"{device}-{n}"},
        "scope": "*",
        "owner": None,
    }


def push_call(conn, changes, device):
    return conn.execute(
        "SELECT docassist.push(%s, %s, %s)",
        [Jsonb(changes), hub_api.schema_fingerprint(), device],
    ).fetchone()[0]


def pull_all(conn, cursor):
    rows = conn.execute(hub_sql.PULL, [cursor, 100_000]).fetchall()
    conn.rollback()
    return [(r[1], r[7]) for r in rows]


def test_a_pull_between_two_overlapping_pushes_skips_nothing(hub):
    """Push X draws its numbers first but commits last. Were pushes not kept in order,
    push Y would commit with a higher number, a pull would move its cursor past X's
    number, and X's change would never be pulled."""
    with (
        psycopg.connect(hub) as x,
        psycopg.connect(hub, autocommit=True) as y,
        psycopg.connect(hub) as reader,
    ):
        push_call(x, [change("x", 1)], "x")  # not committed yet
        done = threading.Event()

        def push_y():
            push_call(y, [change("y", 2)], "y")
            done.set()

        thread = threading.Thread(target=push_y)
        thread.start()
        time.sleep(1.0)
        cursor, seen = 0, []
        page = pull_all(reader, cursor)
        seen += page
        cursor = max([cursor] + [s for _, s in page])
        assert not done.is_set(), "the second push did not wait for the first"
        x.commit()
        thread.join(10)
        assert done.is_set()
        seen += pull_all(reader, cursor)
        assert sorted(k for k, _ in seen) == ["x-1", "y-2"]


def test_many_concurrent_pushes_and_a_puller_that_never_misses_one(hub):
    writers, batches, per_batch = 4, 15, 5
    stop = threading.Event()
    seen: dict[str, int] = {}
    errors: list[BaseException] = []

    def writer(w: int) -> None:
        try:
            with psycopg.connect(hub) as conn:
                for b in range(batches):
                    with conn.transaction():
                        push_call(
                            conn,
                            [change(f"w{w}", b * per_batch + i + 1) for i in range(per_batch)],
                            f"w{w}",
                        )
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    def puller() -> None:
        cursor = 0
        with psycopg.connect(hub) as conn:
            while True:
                finished = stop.is_set()
                for key, seq in pull_all(conn, cursor):
                    assert seq > cursor
                    seen[key] = seq
                    cursor = seq
                if finished:
                    return

    pull_thread = threading.Thread(target=puller)
    pull_thread.start()
    threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    stop.set()
    pull_thread.join(60)
    assert not errors
    expected = {f"w{w}-{n}" for w in range(writers) for n in range(1, batches * per_batch + 1)}
    assert set(seen) == expected
