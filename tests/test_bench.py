"""tools/bench.py's SQL floors still run the services' queries.

The floors are copies of the SQL inside services/households.py and
services/dashboard.py; if a service's query changes and its copy does not, the
bench would compare the service with some other query. These tests catch that.
"""

from __future__ import annotations

import os
from datetime import date

import pytest

from docassist.domain.model import Role
from docassist.services import dashboard, users
from docassist.services import households as hh
from docassist.services.context import Context
from docassist.services.demo import DemoChecklist, generate
from docassist.store.db import open_database
from tools import bench

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "tiny.db"
    db = open_database(path)
    context = Context(db, today=lambda: TODAY)
    generate(
        context,
        households=60,
        seed=3,
        checklists=[DemoChecklist("id-card", 1, None, (("gather", 7), ("apply", 15)))],
    )
    yield context
    db.close()


def test_the_search_floor_finds_the_services_page_and_total(ctx):
    found = 0
    for q in bench.queries(40):  # the bench's own queries: prefixes, scripts, two words
        match = hh.fts_query(q)
        assert match is not None
        page = [h.id for h in hh.find_households(ctx, q, limit=hh.PAGE_SIZE)]
        total = hh.count_households(ctx, q)
        # Both plans, though a tiny register never reaches the walk's threshold.
        for walk in (False, True):
            floor_total, floor_page = bench.search_floor(ctx.db.conn, match, walk=walk)
            assert (floor_total, [r[1] for r in floor_page]) == (total, page), (q, walk)
        sql_total, names = bench.search_sql(ctx.db.conn, match, TODAY.isoformat())
        assert sql_total == total
        assert sorted(r[0] for r in names) == sorted(page)
        found += total > 0
    # A floor that found nothing would be fast and prove nothing.
    assert found >= 10


def test_the_search_floor_matches_on_a_register_with_matches(ctx):
    family = hh.find_households(ctx, limit=1)[0].family_name
    total, page = bench.search_floor(ctx.db.conn, hh.fts_query(family))
    assert total > 0 and page
    assert total == hh.count_households(ctx, family)


def test_the_dashboard_floor_counts_what_the_service_counts(ctx):
    by_place, done = bench.dashboard_floor(ctx.db.conn, TODAY)
    counts = dashboard.counts(ctx)
    assert counts.open > 0  # a floor over no cases would prove nothing
    assert (
        sum(r[2] - (r[3] or 0) for r in by_place),
        sum(r[3] or 0 for r in by_place),
        sum(r[4] or 0 for r in by_place),
        done,
    ) == (counts.open, counts.blocked, counts.overdue, counts.done_this_month)


def test_a_first_screen_sample_reaches_the_filled_household_list(ctx, tmp_path):
    """The driver signs a coordinator in as the app allows today; if sign-in
    changes, this fails here rather than the bench measuring the wrong screen."""
    user = users.create_user(ctx, "Sample Coordinator", Role.COORDINATOR)
    path = ctx.db.conn.execute("PRAGMA database_list").fetchone()[2]
    (wall, cpu), (wall_idle, cpu_idle), screen = bench.first_screen_sample(
        ["households", path, user.id], dict(os.environ)
    )
    # Ready means a table with rows; the start screen has none.
    assert screen != "StartScreen"
    assert 0 < cpu <= cpu_idle and 0 < wall <= wall_idle


def test_the_sign_in_figure_signs_in_and_opens_an_encrypted_register():
    # Cheap key derivation here (tests/conftest.py); `make bench` uses the real one.
    [(wall, cpu)], [(unlock_wall, _)] = bench.measure_sign_in(1, households=5)
    assert wall > unlock_wall > 0 and cpu > 0
    [median_row, slowest, unlocking] = bench.sign_in_rows([(wall, cpu)], [(unlock_wall, 0.0)])
    assert "Argon2id 1 MiB t=1 p=1" in median_row.label and slowest.target
    assert "unlocking" in unlocking.label and not unlocking.target
