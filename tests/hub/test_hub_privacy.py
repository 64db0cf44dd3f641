"""What a laptop's own hub login may read of the organisation, beyond families: the list
of laptops (``docassist.devices``) is a coordinator's, and where each facilitator works
(``user_scopes``) is that facilitator's own; the hub's row-level security decides it,
so a stolen laptop's credentials read no more. A hub of the previous hub format (laid
out before this) gets it from ``hub upgrade``."""

from __future__ import annotations

import psycopg
import pytest

from docassist.domain.model import Role
from docassist.i18n import translate_in
from docassist.services import scopes, sync
from docassist.services.sync import bundle
from docassist.services.sync.hub import describe, schema_fingerprint, schema_name
from docassist.services.users import create_user
from docassist.store import outbox
from tests.hub.support import Laptop
from tests.hub.test_cli import run


def login(laptop: Laptop) -> str:
    """The laptop's own hub address (its login, as a thief holding the disk has it)."""
    return outbox.state(laptop.db)["hub_dsn"]


def read(dsn: str, sql: str) -> list[tuple]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def organisation(hub, laptops):
    """A coordinator's laptop and two facilitators' (Ana in Niš; Bojan in Niš and Novi
    Sad), each connected to ``hub`` with a name."""
    a = laptops("coordinator")
    a.coordinator()
    ana = create_user(a.ctx, "Ana", Role.FACILITATOR).id
    bojan = create_user(a.ctx, "Bojan", Role.FACILITATOR).id
    scopes.set_scopes(a.ctx, ana, ["Niš"])
    scopes.set_scopes(a.ctx, bojan, ["Niš", "Novi Sad"])
    nis = a.household("Ramić", "Sabit", municipality="Niš")
    sync.connect_hub(a.ctx, hub, device_name="Office desk")
    f, g = laptops("ana"), laptops("bojan")
    sync.join_hub(f.ctx, hub, ana, device_name="Ana's laptop")
    sync.join_hub(g.ctx, hub, bojan, device_name="Bojan's laptop")
    a.sync()
    return a, f, g, {"ana": ana, "bojan": bojan, "nis": nis}


def test_a_facilitators_login_reads_only_its_own_row_of_the_laptops(organisation):
    a, f, g, _ = organisation
    everyone = {a.ctx.device_id, f.ctx.device_id, g.ctx.device_id}
    # straight from the hub with the laptop's own login, not only through docassist
    assert {r[0] for r in read(login(f), "SELECT device_id FROM docassist.devices")} == {
        f.ctx.device_id
    }
    assert {r[0] for r in read(login(a), "SELECT device_id FROM docassist.devices")} == everyone
    # the functions that read the list for a laptop still find its own row
    assert read(login(f), "SELECT (docassist.my_device()).name") == [("Ana's laptop",)]

    # `hub devices`: the coordinator's lists the organisation's laptops, Ana's itself
    assert {d.device_id for d in sync.list_devices(a.ctx)} == everyone
    assert [(d.device_id, d.name) for d in sync.list_devices(f.ctx)] == [
        (f.ctx.device_id, "Ana's laptop")
    ]
    # a sync brings the names a laptop's histories need: a coordinator's all of them
    # (they show every laptop's entries), a facilitator's its own (they show its own)
    f.sync()
    assert dict(f.db.execute("SELECT id, name FROM devices")) == {f.ctx.device_id: "Ana's laptop"}
    assert dict(a.db.execute("SELECT id, name FROM devices")) == {
        a.ctx.device_id: "Office desk",
        f.ctx.device_id: "Ana's laptop",
        g.ctx.device_id: "Bojan's laptop",
    }
    # the coordinator's tools over the list work as before: a revoked laptop is refused
    assert sync.revoke_device(a.ctx, g.ctx.device_id[:8]) == g.ctx.device_id
    with pytest.raises(sync.DeviceRefusedError):
        g.sync()
    with pytest.raises(sync.ValidationError):
        sync.revoke_device(f.ctx, a.ctx.device_id[:8])


def test_a_facilitators_laptop_holds_only_where_its_own_user_works(organisation, tmp_path):
    a, f, g, ids = organisation

    def places(laptop: Laptop) -> set[tuple[str, str]]:
        return set(laptop.db.execute("SELECT user_id, municipality FROM user_scopes"))

    assert places(f) == {(ids["ana"], "Niš")}
    assert places(g) == {(ids["bojan"], "Niš"), (ids["bojan"], "Novi Sad")}
    assert places(a) == places(f) | places(g)
    # the hub still gives Ana the families of her municipality by them
    assert ids["nis"] in f.rows("households")
    assert read(
        login(f), "SELECT data ->> 'user_id' FROM docassist.rows WHERE tbl = 'user_scopes'"
    ) == [(ids["ana"],)]

    # a coordinator's bundle carries everyone's; Ana's next sync leaves her own only
    stick = tmp_path / "stick.bundle"
    bundle.export_bundle(a.ctx, stick)
    bundle.import_bundle(f.ctx, stick)
    assert places(f) == places(a)
    f.sync()
    assert places(f) == {(ids["ana"], "Niš")}
    # of the bundle's list of laptops she keeps the name of the one whose trail it
    # brought her (her histories show its entries), not Bojan's
    assert dict(f.db.execute("SELECT id, name FROM devices")) == {
        f.ctx.device_id: "Ana's laptop",
        a.ctx.device_id: "Office desk",
    }
    assert f.db.execute(
        "SELECT count(*) FROM sync_versions WHERE tbl = 'user_scopes'"
    ).fetchone() == (1,)
    # and she is told nothing new next time
    assert f.sync().pulled == 0 and places(f) == {(ids["ana"], "Niš")}

    # a change of where she works reaches her laptop as before
    scopes.set_scopes(a.ctx, ids["ana"], ["Niš", "Novi Sad"])
    a.sync()
    f.sync()
    assert places(f) == {(ids["ana"], "Niš"), (ids["ana"], "Novi Sad")}


# -- the previous hub format --------------------------------------------------------

# The row-level security of hub format 1, as `hub init` laid it out before format 2.
_FORMAT_1 = """
DROP POLICY device_reads_devices ON docassist.devices;
ALTER TABLE docassist.devices DISABLE ROW LEVEL SECURITY;
DROP POLICY device_reads ON docassist.rows;
CREATE POLICY device_reads ON docassist.rows FOR SELECT TO docassist_device USING (
    (SELECT docassist.i_see_everything())
    OR scope = '*'
    OR scope = ANY ((SELECT docassist.my_places())::text[])
    OR owner = (SELECT docassist.my_user())
    OR household = ANY ((SELECT docassist.my_households())::text[])
);
ALTER TABLE docassist.upgrades DROP COLUMN from_format, DROP COLUMN to_format;
UPDATE docassist.meta SET value = '1' WHERE key = 'format';
"""


def stored(dsn: str, key: str) -> str:
    return read(dsn, f"SELECT value FROM docassist.meta WHERE key = '{key}'")[0][0]


def test_a_hub_of_the_previous_format_is_upgraded(capsys, hub, laptops):
    a = laptops("coordinator")
    a.coordinator()
    ana = create_user(a.ctx, "Ana", Role.FACILITATOR).id
    bojan = create_user(a.ctx, "Bojan", Role.FACILITATOR).id
    scopes.set_scopes(a.ctx, ana, ["Niš"])
    scopes.set_scopes(a.ctx, bojan, ["Niš"])
    sync.connect_hub(a.ctx, hub, device_name="Office desk")
    with psycopg.connect(hub) as conn:
        conn.execute(_FORMAT_1)
    # the laptops of this version sync with it as it is (it serves the same schema)
    f = laptops("ana")
    sync.join_hub(f.ctx, hub, ana, device_name="Ana's laptop")
    assert len(read(login(f), "SELECT * FROM docassist.devices")) == 2
    assert f.db.execute("SELECT count(*) FROM user_scopes").fetchone() == (2,)
    # `hub init` does not upgrade it; it says what does, and changes nothing
    status, _, err = run(capsys, "hub", "init", hub)
    assert status == 2 and "`docassist hub upgrade DSN`" in err and "hub format 1" in err
    assert stored(hub, "format") == "1"
    with pytest.raises(sync.SchemaMismatchError) as caught:
        sync.init_hub(hub)
    for code in ("sr", "sr_Latn", "rom"):  # in the user's language too
        translated = caught.value.render(lambda m, code=code: translate_in(code, m))
        assert translated != caught.value.render() and "`docassist hub upgrade DSN`" in translated

    status, out, err = run(capsys, "hub", "upgrade", hub)
    assert status == 0, err
    schema = schema_name(schema_fingerprint())
    assert out == (
        f"{describe(hub)} upgraded from hub format 1 to 2 (docassist schema {schema}).\n"
    )
    assert stored(hub, "format") == "2"
    assert read(
        hub, "SELECT from_schema, to_schema, from_format, to_format FROM docassist.upgrades"
    ) == [(schema_fingerprint(), schema_fingerprint(), "1", "2")]
    assert read(login(f), "SELECT device_id FROM docassist.devices") == [(f.ctx.device_id,)]
    f.sync()  # what the older hub gave her that she does not need leaves her laptop
    assert set(f.db.execute("SELECT user_id FROM user_scopes")) == {(ana,)}
    assert set(f.db.execute("SELECT id FROM devices")) == {(f.ctx.device_id,)}

    # again: up to date, nothing changed
    status, out, err = run(capsys, "hub", "upgrade", hub)
    assert status == 0 and "already at this docassist version" in out
    assert len(read(hub, "SELECT * FROM docassist.upgrades")) == 1


def test_a_hub_of_a_newer_format_is_not_taken_back(capsys, hub):
    with psycopg.connect(hub) as conn:
        conn.execute("UPDATE docassist.meta SET value = '3' WHERE key = 'format'")
    for command in ("upgrade", "init"):
        status, out, err = run(capsys, "hub", command, hub)
        assert status == 2 and out == "" and "hub format 3" in err, command
        assert "update docassist" in err.lower() or "Upgrade docassist" in err
    assert stored(hub, "format") == "3"
    assert read(hub, "SELECT count(*) FROM docassist.upgrades") == [(0,)]
