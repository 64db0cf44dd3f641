"""``docassist hub upgrade DSN``: a hub made by an older docassist catches up, in one
transaction, and its laptops sync again; anything else is refused and left as it was.

An older hub is made the honest way a test can: a hub of this version, then its stored
schema set to the fingerprint of this version's migrations but the last, and what this
version's layout adds that an older one lacked (the hub's record of upgrades) removed.
"""

from __future__ import annotations

import psycopg
import pytest

from docassist.i18n import translate_in
from docassist.services import sync
from docassist.services.sync.hub import describe, migrations_behind, schema_fingerprint
from docassist.store.migrations import KNOWN
from tests.hub.test_cli import run

OLDER = schema_fingerprint(KNOWN[:-1])
# as a docassist with one migration more than this one would have stored it
NEWER = schema_fingerprint([*KNOWN, "9999_from_the_future"])


def stored_schema(dsn: str) -> str:
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT value FROM docassist.meta WHERE key = 'schema'").fetchone()[0]


def make_older(dsn: str, schema: str = OLDER) -> None:
    with psycopg.connect(dsn) as conn:
        conn.execute("UPDATE docassist.meta SET value = %s WHERE key = 'schema'", [schema])
        conn.execute("DROP TABLE docassist.upgrades")


def upgrades(dsn: str) -> list[tuple[str, str, str]]:
    with psycopg.connect(dsn) as conn:
        if not conn.execute("SELECT to_regclass('docassist.upgrades')").fetchone()[0]:
            return []
        return conn.execute(
            "SELECT from_schema, to_schema, by_role FROM docassist.upgrades ORDER BY id"
        ).fetchall()


def test_which_schemas_are_behind_this_version():
    assert migrations_behind(schema_fingerprint()) == 0
    assert migrations_behind(OLDER) == 1
    assert migrations_behind(schema_fingerprint(KNOWN[:1])) == len(KNOWN) - 1
    assert migrations_behind(NEWER) is None
    # as many migrations as an older version had, but not ours: a version we do not know
    assert migrations_behind(schema_fingerprint([*KNOWN[:-2], "0000_elsewhere"])) is None
    for odd in (None, "", "?", "x:y:z", "0:none:abc", f"{len(KNOWN)}:{KNOWN[-1]}:forged"):
        assert migrations_behind(odd) is None


def test_an_older_hub_is_upgraded_and_its_laptops_sync_again(capsys, hub, laptops):
    a = laptops("a")
    coordinator = a.coordinator()
    a.household("Petrović", "Ana")
    a.connect(hub)
    make_older(hub)

    # in between: a laptop of this version is refused and told who fixes it
    household = a.household("Jovanović", "Marko")
    waiting = a.pending()
    with pytest.raises(sync.SchemaMismatchError) as caught:
        a.sync()
    said = caught.value.render()
    assert "`docassist hub upgrade DSN`" in said and "owner" in said
    assert KNOWN[-2] in said and KNOWN[-1] in said
    assert a.pending() == waiting
    for code in ("sr", "sr_Latn", "rom"):  # in the user's language too
        translated = caught.value.render(lambda m, code=code: translate_in(code, m))
        assert translated != said and "`docassist hub upgrade DSN`" in translated
    with pytest.raises(sync.SchemaMismatchError, match="hub upgrade"):
        laptops("new").connect(hub, coordinator)
    status, _, err = run(capsys, "hub", "init", hub)  # init does not upgrade; it says what does
    assert status == 2 and "docassist hub upgrade" in err
    assert stored_schema(hub) == OLDER

    status, out, err = run(capsys, "hub", "upgrade", hub)
    assert status == 0, err
    assert out == f"{describe(hub)} upgraded from docassist schema {KNOWN[-2]} to {KNOWN[-1]}.\n"
    assert stored_schema(hub) == schema_fingerprint()
    # the hub's own record: from which schema to which, under which account
    ((before, after, by),) = upgrades(hub)
    assert (before, after) == (OLDER, schema_fingerprint())
    with psycopg.connect(hub) as conn:
        assert by == conn.execute("SELECT current_user").fetchone()[0]

    summary = a.sync()
    assert summary.pushed == waiting and a.pending() == 0
    b = laptops("b")
    b.connect(hub, coordinator)
    assert household in b.rows("households")

    # twice: up to date, says so, changes nothing
    with psycopg.connect(hub) as conn:
        layout = conn.execute(
            "SELECT count(*), max(xmin::text::bigint) FROM pg_class "
            "WHERE relnamespace = 'docassist'::regnamespace"
        ).fetchone()
    status, out, err = run(capsys, "hub", "upgrade", hub)
    assert status == 0, err
    assert len(out.splitlines()) == 1 and "already at this docassist version" in out
    assert upgrades(hub) == [(before, after, by)]
    with psycopg.connect(hub) as conn:
        assert (
            layout
            == conn.execute(
                "SELECT count(*), max(xmin::text::bigint) FROM pg_class "
                "WHERE relnamespace = 'docassist'::regnamespace"
            ).fetchone()
        )


def test_a_hub_of_a_newer_version_is_refused_and_left_as_it_was(capsys, hub, laptops):
    a = laptops("a")
    a.coordinator()
    a.connect(hub)
    for theirs in (NEWER, schema_fingerprint([*KNOWN[:-1], "0000_elsewhere"])):
        with psycopg.connect(hub) as conn:
            conn.execute("UPDATE docassist.meta SET value = %s WHERE key = 'schema'", [theirs])
        status, out, err = run(capsys, "hub", "upgrade", hub)
        assert status == 2 and out == ""
        assert "Upgrade docassist on this laptop first" in err and "Nothing was changed" in err
        assert stored_schema(hub) == theirs
        assert upgrades(hub) == []
        # and the laptops are told that they are the ones behind
        with pytest.raises(sync.SchemaMismatchError) as caught:
            a.sync()
        said = caught.value.render()
        assert "update docassist on this laptop" in said and "hub upgrade" not in said


def test_a_database_that_is_not_a_hub_is_refused(capsys, hub_dsn, new_database):
    status, out, err = run(capsys, "hub", "upgrade", hub_dsn)
    assert status == 2 and out == ""
    assert "is not a docassist hub" in err and "Nothing was changed" in err
    with psycopg.connect(hub_dsn) as conn:
        assert conn.execute("SELECT to_regnamespace('docassist')").fetchone()[0] is None

    # a hub that someone put other things in is refused as `hub init` refuses it
    other = new_database()
    sync.init_hub(other)
    make_older(other)
    with psycopg.connect(other) as conn:
        conn.execute("CREATE TABLE public.payroll (id int)")
    status, _, err = run(capsys, "hub", "upgrade", other)
    assert status == 2 and "already holds other things (public.payroll)" in err
    assert stored_schema(other) == OLDER


def test_an_upgrade_that_fails_part_way_leaves_the_hub_as_it_was(capsys, hub, laptops):
    a = laptops("a")
    coordinator = a.coordinator()
    a.connect(hub)
    make_older(hub)
    with psycopg.connect(hub) as conn:
        # the index comes before the function in the layout: laid out again, then undone
        conn.execute("DROP INDEX docassist.rows_seq")
        # a function of the layout's name that its CREATE OR REPLACE cannot replace
        conn.execute("DROP FUNCTION docassist.covers(jsonb, jsonb)")
        conn.execute(
            "CREATE FUNCTION docassist.covers(a jsonb, b jsonb) RETURNS integer "
            "LANGUAGE sql AS 'SELECT 1'"
        )

    status, out, err = run(capsys, "hub", "upgrade", hub)
    assert status == 2 and out == ""
    assert "could not be upgraded (cannot change return type of existing function)" in err
    assert "Traceback" not in err
    assert stored_schema(hub) == OLDER
    assert upgrades(hub) == []  # the table the upgrade made is gone with the rest
    with psycopg.connect(hub) as conn:
        assert conn.execute("SELECT to_regclass('docassist.rows_seq')").fetchone()[0] is None
    with pytest.raises(sync.SchemaMismatchError, match="hub upgrade"):
        a.sync()

    # the owner takes the stray function away; the upgrade then goes through
    with psycopg.connect(hub) as conn:
        conn.execute("DROP FUNCTION docassist.covers(jsonb, jsonb)")
    status, _, err = run(capsys, "hub", "upgrade", hub)
    assert status == 0, err
    assert [u[:2] for u in upgrades(hub)] == [(OLDER, schema_fingerprint())]
    with psycopg.connect(hub) as conn:
        assert conn.execute("SELECT to_regclass('docassist.rows_seq')").fetchone()[0] is not None
    a.household("Petrović", "Ana")
    a.sync()
    b = laptops("b")
    b.connect(hub, coordinator)
    assert b.rows("households") == a.rows("households")


def test_a_laptops_own_login_may_not_upgrade_the_hub(capsys, hub, laptops):
    from docassist.store import outbox

    a = laptops("a")
    a.coordinator()
    a.connect(hub)
    make_older(hub)
    device_dsn = outbox.state(a.db)["hub_dsn"]
    status, _, err = run(capsys, "hub", "upgrade", device_dsn)
    assert status == 2 and "owner's account" in err
    assert stored_schema(hub) == OLDER and upgrades(hub) == []
