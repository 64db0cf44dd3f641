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


def test_only_the_cold_start_finds_its_cache_emptied(monkeypatch, tmp_path):
    # Emptying the cache folder every program shared made the start screen, which
    # ran right after the cold start each round, half a cold start itself.
    from pathlib import Path

    seen: list[tuple[str, bool, set[str]]] = []

    def sample(args: list[str], env: dict[str, str]) -> tuple:
        cache = Path(env["DOCASSIST_HOME"], "cache")
        cold = args[0] == "households" and "cold" in env["DOCASSIST_HOME"]
        seen.append((args[0], cold, {p.name for p in cache.glob("*")}))
        cache.mkdir(parents=True, exist_ok=True)
        (cache / args[0]).touch()  # what a real start leaves there
        return (0.1, 0.1), (0.1, 0.1), "Screen"

    monkeypatch.setattr(bench, "first_screen_sample", sample)
    monkeypatch.setattr(bench, "command_sample", lambda command, env: (0.1, 0.1))
    laps, _screens = bench.measure_starts(tmp_path / "r.db", "someone", samples=3)
    assert len(laps["start"]) == 3 and len(laps["households cold"]) == 3
    colds = [found for program, cold, found in seen if cold]
    assert len(colds) == 4 and all(found == set() for found in colds)
    # Every warm sample after the first round finds what the others left.
    warm = [(program, found) for program, cold, found in seen if not cold][4:]
    assert warm and all({"bare", "households", "start"} <= found for _program, found in warm)
