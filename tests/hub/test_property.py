"""Three laptops and a real hub, in any order of offline edits, deletes and syncs: in
the end every register and the hub hold the same records, the conflicts are those the
merge rule gives for the order the pushes reached the hub (domain/sync.py, replayed
here in Python against what PostgreSQL did), and no version anyone made is lost
without a trace."""

from __future__ import annotations

import json
import shutil
import uuid
from datetime import timedelta

import psycopg
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from docassist.domain.sync import POLICY, Version, content, merge
from docassist.services import households as hh
from docassist.services import sync
from docassist.services.context import NotFoundError, ValidationError
from docassist.services.sync import hub as hub_api
from docassist.store import outbox
from tests.hub.support import Laptop

SYNCED = ("users", "households", "persons", "audit_log", "sync_conflicts")
NOTES = ("a", "b", "c")
NAMES = ("Ana", "Ena", "Una")


@pytest.fixture(scope="module")
def templates(pg, tmp_path_factory):
    """A migrated empty register and an initialised hub database, copied for each
    example (migrating and CREATE-ing every time would take most of the budget)."""
    folder = tmp_path_factory.mktemp("templates")
    register = folder / "empty.db"
    Laptop(register).close()
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS hub_template")
        conn.execute("CREATE DATABASE hub_template TEMPLATE template0")
    sync.init_hub(pg.dsn("hub_template"))
    return register


def fresh_laptop(template, path, **kwargs) -> Laptop:
    shutil.copy(template, path)
    laptop = Laptop(path, **kwargs)
    laptop.db.execute("UPDATE meta SET value = ? WHERE key = 'device_id'", [str(uuid.uuid4())])
    return laptop


ops = st.lists(
    st.tuples(
        st.integers(0, 2),  # which laptop
        st.sampled_from(["notes", "rename", "toggle", "sync"]),
        st.integers(0, 1),  # which household / person
        st.integers(0, 2),  # which value
    ),
    min_size=3,
    max_size=12,
)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops)
def test_any_order_of_offline_work_ends_the_same_everywhere(pg, templates, tmp_path, script):
    name = f"prop_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg.dsn(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE hub_template")
    dsn = pg.dsn(name)
    folder = tmp_path / name
    folder.mkdir()
    laps = [
        fresh_laptop(templates, folder / "a.db"),
        fresh_laptop(templates, folder / "b.db"),
        # one laptop's clock is a day behind
        fresh_laptop(templates, folder / "c.db", skew=-timedelta(days=1)),
    ]
    made: dict[tuple[str, str], list[tuple[Version, str | None]]] = {}  # versions, parent
    pushes: list[tuple[str, str, Version]] = []  # in the order the hub got them
    real_push = hub_api.push

    def push(conn, dsn, changes, device):  # the real push, noting what it sent
        result = real_push(conn, dsn, changes, device)
        pushes.extend((c.table, c.row_key, c.version) for c in changes)
        return result

    patch = pytest.MonkeyPatch()
    patch.setattr(hub_api, "push", push)
    try:
        coordinator = laps[0].coordinator()
        homes = [laps[0].household("Petrović", "Ana"), laps[0].household("Nikolić", "Ena")]
        people = [hh.get_household(laps[0].ctx, h).members[0].id for h in homes]

        for laptop in laps:
            laptop.connect(dsn, coordinator)

        for who, op, which, value in script:
            laptop = laps[who]
            table, key = (
                ("households", homes[which]) if op == "notes" else ("persons", people[which])
            )
            before = outbox.version_of(laptop.db, table, key)
            try:
                if op == "sync":
                    laptop.sync()
                    continue
                if op == "notes":
                    detail = hh.get_household(laptop.ctx, key).household
                    hh.update_household(
                        laptop.ctx,
                        key,
                        hh.HouseholdInput(
                            detail.family_name, municipality=detail.municipality, notes=NOTES[value]
                        ),
                    )
                elif op == "rename":
                    person = hh.get_person(laptop.ctx, key)
                    hh.update_person(
                        laptop.ctx, key, hh.PersonInput(NAMES[value], person.family_name)
                    )
                else:
                    removed = laptop.db.execute(
                        "SELECT deleted_at IS NOT NULL FROM persons WHERE id = ?", [key]
                    ).fetchone()[0]
                    (hh.restore_person if removed else hh.remove_person)(laptop.ctx, key)
            except (ValidationError, NotFoundError):
                continue  # what the app would refuse here
            after = outbox.version_of(laptop.db, table, key)
            if after is not None and (before is None or after.hlc != before.hlc):
                made.setdefault((table, key), []).append((after, before.hlc if before else None))

        for _ in range(2):  # everyone syncs, twice round: then each has everything
            for laptop in laps:
                laptop.sync()

        # 1. every register holds the same records
        for table in SYNCED:
            expected = laps[0].rows(table)
            for laptop in laps[1:]:
                assert laptop.rows(table) == expected, table

        # 2. the hub holds them too, and is where the rule replayed here says it is
        with psycopg.connect(dsn) as conn:
            hub_rows = {
                (t, k): (h, d, deleted)
                for t, k, h, d, deleted in conn.execute(
                    "SELECT tbl, row_key, hlc, data, deleted FROM docassist.rows"
                ).fetchall()
            }
        model: dict[tuple[str, str], Version] = {}
        expected_conflicts = set()
        for table, key, version in pushes:
            outcome = merge(POLICY[table], key, model.get((table, key)), version)
            if outcome.result is not None:
                model[(table, key)] = outcome.result
            if outcome.conflict is not None:
                expected_conflicts.add(outcome.conflict.id)
        for (table, key), version in model.items():
            if table in ("households", "persons"):
                assert hub_rows[(table, key)][0] == version.hlc, (table, key)
        conflicts = {k for (t, k) in hub_rows if t == "sync_conflicts"}
        assert conflicts == expected_conflicts
        for table in ("households", "persons"):
            for key, row in laps[0].rows(table).items():
                assert hub_rows[(table, key)][1] == row

        # 3. no version is lost without a trace: each is what shows, or made on top of,
        #    or kept as a conflict's losing version
        shown = {(t, k): hub_rows[(t, k)] for (t, k) in hub_rows if t in ("households", "persons")}
        kept: dict[tuple[str, str], list[tuple[str, dict, bool]]] = {}  # conflicts' losers
        for r in _conflict_data(dsn):
            loser = json.loads(r["loser"])
            kept.setdefault((r["tbl"], r["row_key"]), []).append(
                (loser["hlc"], content(loser["data"]), loser["deleted"])
            )
        event(f"conflicts: {min(len(conflicts), 3)}")
        for (table, key), versions in made.items():
            parents = {parent for _, parent in versions}
            hlc_shown, data_shown, deleted_shown = shown[(table, key)]
            # what left a trace: the version shown, the conflicts' losing versions, and
            # versions someone made a later one on top of
            traces = [(hlc_shown, content(data_shown), deleted_shown), *kept.get((table, key), [])]
            traces += [(v.hlc, content(v.data), v.deleted) for v, _ in versions if v.hlc in parents]
            for version, _ in versions:
                # one of those, or the same as one (an identical edit on two laptops,
                # two deletes): nothing of it is lost
                assert any(
                    version.hlc == hlc
                    or content(version.data) == data
                    or (version.deleted and deleted)
                    for hlc, data, deleted in traces
                ), (table, key, version.hlc)
    finally:
        patch.undo()
        for laptop in laps:
            laptop.close()
        with psycopg.connect(pg.dsn(), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _conflict_data(dsn: str) -> list[dict]:
    with psycopg.connect(dsn) as conn:
        return [
            r[0]
            for r in conn.execute(
                "SELECT data FROM docassist.rows WHERE tbl = 'sync_conflicts'"
            ).fetchall()
        ]
