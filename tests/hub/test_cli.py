"""The hub from the command line: hub init, hub connect, sync, sync conflicts/resolve."""

from __future__ import annotations

import pytest

from docassist.cli import main
from docassist.domain.model import Role
from docassist.services import households as hh
from docassist.services import sync
from docassist.services.context import Context
from docassist.services.users import create_user
from docassist.store import outbox
from docassist.store.db import open_database
from tests.hub.support import TODAY

# Who signs in to each register the tests make: commands get the name and the
# passphrase as a script gives them (the first sign-in sets that user's passphrase).
_USERS: dict[str, str] = {}
PASSPHRASE = "hub test passphrase"


def make_register(path, family="Petrović", user="Milica"):
    _USERS[str(path)] = user
    db = open_database(path)
    ctx = Context(db, today=lambda: TODAY)
    ctx.user_id = create_user(ctx, user, Role.COORDINATOR).id
    household = hh.register_household(ctx, hh.HouseholdInput(family, municipality="Niš"))
    db.close()
    return household


def run(capsys, *argv):
    import os

    os.environ["DOCASSIST_PASSPHRASE"] = PASSPHRASE  # the root conftest resets both
    db = argv[argv.index("--db") + 1] if "--db" in argv else ""
    if db in _USERS:
        os.environ["DOCASSIST_USER"] = _USERS[db]
    status = main(list(argv))
    out, err = capsys.readouterr()
    # These registers are plaintext on purpose (the tests read them directly); the
    # warning about that is tested with the CLI's own tests.
    err = "".join(line for line in err.splitlines(True) if "is not encrypted" not in line)
    return status, out, err


def test_init_connect_sync_conflicts_and_resolve(capsys, tmp_path, hub_dsn):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    household = make_register(a)
    make_register(b, family="Jovanović", user="Fikret")

    status, out, _ = run(capsys, "hub", "init", hub_dsn)
    assert status == 0 and "is now the organisation's hub" in out
    status, out, _ = run(capsys, "hub", "init", hub_dsn)
    assert status == 0 and "already a docassist hub" in out

    status, out, err = run(capsys, "--db", str(a), "hub", "connect", hub_dsn, "--user", "Milica")
    assert status == 0, err
    assert "connected" in out and "sent" in out
    assert "test-only-password" not in out  # the address is said without its password
    status, out, err = run(capsys, "--db", str(b), "hub", "connect", hub_dsn, "--user", "Fikret")
    assert status == 0, err

    status, out, err = run(capsys, "--db", str(a), "sync")
    assert status == 0, err
    assert out.startswith("Synced:") and len(out.splitlines()) == 1

    # the same household edited on both laptops
    for path, notes in ((b, "from b"), (a, "from a")):
        db = open_database(path)
        ctx = Context(db, today=lambda: TODAY)
        hh.update_household(ctx, household, hh.HouseholdInput("Petrović", "", notes=notes))
        db.close()
    assert run(capsys, "--db", str(b), "sync")[0] == 0
    status, out, _ = run(capsys, "--db", str(a), "sync")
    assert "1 new conflict" in out

    status, out, _ = run(capsys, "--db", str(a), "sync", "conflicts")
    assert status == 0 and "edited on two laptops: Petrović" in out
    conflict_id = out.split()[0]

    resolve = ("sync", "resolve", conflict_id, "--keep", "other", "--user", "Milica")
    status, _, err = run(capsys, "--db", str(a), *resolve)
    assert status == 0, err
    assert run(capsys, "--db", str(a), "sync", "conflicts")[1].strip() == "No conflicts to settle."
    # --all shows how it was settled in words, not the stored value ("loser")
    out = run(capsys, "--db", str(a), "sync", "conflicts", "--all")[1]
    assert "(settled: the other version put back)" in out and "loser" not in out


def test_sync_with_the_hub_down_says_so_in_one_line_and_keeps_the_outbox(
    capsys, tmp_path, hub_dsn, pg
):
    a = tmp_path / "a.db"
    make_register(a)
    assert run(capsys, "hub", "init", hub_dsn)[0] == 0
    assert run(capsys, "--db", str(a), "hub", "connect", hub_dsn, "--user", "Milica")[0] == 0
    make_more = open_database(a)
    ctx = Context(make_more, today=lambda: TODAY)
    hh.register_household(ctx, hh.HouseholdInput("Nikolić"))
    waiting = outbox.count_pending(make_more)
    make_more.close()
    assert waiting > 0
    pg.stop()
    try:
        status, out, err = run(capsys, "--db", str(a), "sync")
    finally:
        pg.start()
    assert status == 2
    assert len(err.strip().splitlines()) == 1 and "cannot be reached" in err
    check = open_database(a)
    assert outbox.count_pending(check) == waiting
    check.close()


def test_the_owners_commands_say_a_wrong_address_or_password_without_an_outbox(
    capsys, tmp_path, hub_dsn, pg
):
    """hub init, upgrade and join have no outbox of changes waiting: a wrong password
    is said as one, an unreachable hub without 'this laptop's changes wait'."""
    wrong_password = pg.dsn(hub_dsn.rsplit("/", 1)[1], password="not-the-password")
    for argv in (("hub", "init", wrong_password), ("hub", "upgrade", wrong_password)):
        status, _, err = run(capsys, *argv)
        assert status == 2 and len(err.strip().splitlines()) == 1
        assert "refused that account" in err and "outbox" not in err
    status, _, err = run(capsys, "hub", "init", hub_dsn.replace(f":{pg.port}/", ":1/"))
    assert status == 2 and "cannot be reached" in err and "outbox" not in err
    laptop = tmp_path / "new.db"
    join = ("--db", str(laptop), "hub", "join", hub_dsn + "_missing", "--user", "Ana")
    status, _, err = run(capsys, *join)
    assert status == 2 and "Nothing was changed" in err and not laptop.exists()


def test_hub_devices_keeps_a_laptops_name_and_says_times_as_the_laptop_does(
    capsys, tmp_path, hub_dsn
):
    a = tmp_path / "a.db"
    make_register(a)
    assert run(capsys, "hub", "init", hub_dsn)[0] == 0
    connect = ("--db", str(a), "hub", "connect", hub_dsn)
    assert run(capsys, *connect, "--name", "office")[0] == 0
    assert run(capsys, *connect)[0] == 0  # again, without --name: still "office"
    status, out, err = run(capsys, "--db", str(a), "hub", "devices")
    assert status == 0, err
    assert "office (this laptop)" in out
    assert "+00:00" not in out and "T" not in out.split("last sent")[1][:12]


def test_a_laptop_connected_without_a_name_keeps_none(capsys, tmp_path, hub_dsn):
    """No --name at the first `hub connect`: the hub keeps no name (not a placeholder),
    `hub devices` shows "-", and a history shows the start of the laptop's id
    (services/history.py ``laptop_label``)."""
    from docassist.services.history import DEVICE_ID_SHOWN, laptop_label

    a = tmp_path / "a.db"
    make_register(a)
    assert run(capsys, "hub", "init", hub_dsn)[0] == 0
    assert run(capsys, "--db", str(a), "hub", "connect", hub_dsn)[0] == 0
    import psycopg

    with psycopg.connect(hub_dsn) as conn:
        ((device, name),) = conn.execute("SELECT device_id, name FROM docassist.devices")
    assert name == ""
    status, out, _ = run(capsys, "--db", str(a), "hub", "devices")
    assert status == 0 and out.startswith(f"{device[:8]}  - (this laptop)")
    assert laptop_label(name, device) == device[:DEVICE_ID_SHOWN]


@pytest.mark.parametrize("lang", ["sr", "rom"])
def test_sync_speaks_the_users_language(capsys, tmp_path, lang):
    a = tmp_path / "a.db"
    make_register(a)
    status, _, err = run(capsys, "--lang", lang, "--db", str(a), "sync")
    assert status == 2
    assert "hub connect" in err and "This register" not in err


def test_export_and_import_a_bundle_twice(capsys, tmp_path, hub_dsn):
    a, c = tmp_path / "a.db", tmp_path / "c.db"
    make_register(a)
    make_register(c, family="Jovanović", user="Fikret")
    assert run(capsys, "hub", "init", hub_dsn)[0] == 0
    for path, user in ((a, "Milica"), (c, "Fikret")):
        assert run(capsys, "--db", str(path), "hub", "connect", hub_dsn, "--user", user)[0] == 0
    stick = tmp_path / "stick.bundle"
    status, out, err = run(capsys, "--db", str(a), "sync", "export", "--output", str(stick))
    assert status == 0, err
    assert "saved to" in out and stick.exists()
    status, out, err = run(capsys, "--db", str(c), "sync", "import", str(stick))
    assert status == 0, err
    assert out.startswith("Imported") or out.startswith("Nothing new")
    status, out, _ = run(capsys, "--db", str(c), "sync", "import", str(stick))
    assert status == 0 and out.startswith("Nothing new")
    stick.write_bytes(stick.read_bytes()[:-3] + b"xyz")
    status, _, err = run(capsys, "--db", str(c), "sync", "import", str(stick))
    assert status == 2 and "altered" in err and len(err.strip().splitlines()) == 1
    # no --output over the register
    status, _, err = run(capsys, "--db", str(a), "sync", "export", "--output", str(a))
    assert status == 2 and "does not write over it" in err
    # the stick not plugged in: one line, and its folder is not made on this disk
    missing = tmp_path / "usb" / "a.bundle"
    status, _, err = run(capsys, "--db", str(a), "sync", "export", "--output", str(missing))
    assert status == 2 and err.splitlines() == [
        f"docassist: The folder {missing.parent} does not exist. Is the USB stick plugged in?"
    ]
    assert not missing.parent.exists()


def test_join_checks_the_passphrase_against_the_hubs_copy_before_making_anything(
    capsys, tmp_path, hub_dsn
):
    office = tmp_path / "office.db"
    make_register(office)
    assert run(capsys, "hub", "init", hub_dsn)[0] == 0
    # the first sign-in set Milica's passphrase, and the hub got her user row with it
    status, _, err = run(capsys, "--db", str(office), "hub", "connect", hub_dsn, "--user", "Milica")
    assert status == 0, err
    laptop = tmp_path / "new" / "laptop.db"
    laptop.parent.mkdir()
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not her passphrase at all\n")
    wrong.chmod(0o600)
    join = ("--db", str(laptop), "hub", "join", hub_dsn, "--user", "Milica")
    status, out, err = run(capsys, *join, "--passphrase-file", str(wrong))
    assert status == 2
    assert err.count("\n") == 1 and "not Milica's passphrase" in err and "Traceback" not in err
    assert list(laptop.parent.iterdir()) == []  # no register, no key file, no journal
    status, out, err = run(capsys, *join)  # the right one (DOCASSIST_PASSPHRASE)
    assert status == 0, err
    assert "connected" in out
    assert laptop.read_bytes()[:16] != b"SQLite format 3\x00"  # encrypted, as init makes it
    status, out, err = run(capsys, "--db", str(laptop), "sync", "--user", "Milica")
    assert status == 0, err  # and she signs in on the new laptop with it


def test_resolve_merges_by_hand_with_take(capsys, tmp_path, hub_dsn):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    household = make_register(a)
    make_register(b, family="Jovanović", user="Fikret")
    assert run(capsys, "hub", "init", hub_dsn)[0] == 0
    for path, user in ((a, "Milica"), (b, "Fikret")):
        assert run(capsys, "--db", str(path), "hub", "connect", hub_dsn, "--user", user)[0] == 0
    assert run(capsys, "--db", str(a), "sync")[0] == 0
    assert run(capsys, "--db", str(b), "sync")[0] == 0
    for path, side in ((b, "b"), (a, "a")):
        db = open_database(path)
        ctx = Context(db, today=lambda: TODAY)
        hh.update_household(
            ctx, household, hh.HouseholdInput("Petrović", "", f"street {side}", notes=side)
        )
        db.close()
    assert run(capsys, "--db", str(b), "sync")[0] == 0
    assert run(capsys, "--db", str(a), "sync")[0] == 0
    conflict_id = run(capsys, "--db", str(a), "sync", "conflicts")[1].split()[0]
    db = open_database(a)
    (view,) = sync.list_conflicts(Context(db, today=lambda: TODAY))
    db.close()
    wanted = (view.loser.data["address"], view.winner.data["notes"])
    assert wanted in (("street a", "b"), ("street b", "a"))
    status, _, err = run(capsys, "--db", str(a), "sync", "resolve", conflict_id)
    assert status == 2 and "--take FIELD" in err  # neither way said
    status, _, err = run(capsys, "--db", str(a), "sync", "resolve", conflict_id, "--take", "x")
    assert status == 2 and "address" in err  # the fields one may take are named
    status, out, err = run(
        capsys, "--db", str(a), "sync", "resolve", conflict_id, "--take", "address"
    )
    assert status == 0, err
    assert (
        "(settled: merged by hand)" in run(capsys, "--db", str(a), "sync", "conflicts", "--all")[1]
    )
    db = open_database(a)
    shown = hh.get_household(Context(db, today=lambda: TODAY), household).household
    db.close()
    assert (shown.address, shown.notes) == wanted


def test_db_check_verifies_the_other_laptops_audit_trails_it_holds(capsys, tmp_path, hub_dsn):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    make_register(a)
    make_register(b, family="Jovanović", user="Fikret")
    assert run(capsys, "hub", "init", hub_dsn)[0] == 0
    for path, user in ((a, "Milica"), (b, "Fikret")):
        assert run(capsys, "--db", str(path), "hub", "connect", hub_dsn, "--user", user)[0] == 0
    assert run(capsys, "--db", str(b), "sync")[0] == 0
    assert run(capsys, "--db", str(a), "sync")[0] == 0
    status, out, err = run(capsys, "--db", str(a), "db", "check")
    assert status == 0, err
    assert "The audit trail of 1 other laptop" in out and "verifies" in out
    import sqlite3

    raw = sqlite3.connect(a)
    raw.execute("DROP TRIGGER audit_remote_no_update")
    raw.execute("UPDATE audit_remote SET action = 'nothing' WHERE id = 2")
    raw.commit()
    raw.close()
    status, out, err = run(capsys, "--db", str(a), "db", "check")
    assert status == 1 and "audit trail of laptop" in err and "entry 2 " in err
    assert "Traceback" not in err


def test_a_bundle_carries_the_audit_trail_and_db_check_says_from_where(capsys, tmp_path, hub_dsn):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    make_register(a)
    make_register(b, family="Jovanović", user="Fikret")
    assert run(capsys, "hub", "init", hub_dsn)[0] == 0
    for path, user in ((a, "Milica"), (b, "Fikret")):
        assert run(capsys, "--db", str(path), "hub", "connect", hub_dsn, "--user", user)[0] == 0
    work = open_database(a)  # a goes on offline
    ctx = Context(work, today=lambda: TODAY)
    ctx.user_id = work.execute("SELECT id FROM users").fetchone()[0]
    hh.register_household(ctx, hh.HouseholdInput("Ramić", municipality="Niš"))
    work.close()
    stick = tmp_path / "a.bundle"
    assert run(capsys, "--db", str(a), "sync", "export", "--output", str(stick))[0] == 0
    status, out, err = run(capsys, "--db", str(b), "sync", "import", str(stick))
    assert status == 0, err
    assert "audit entries of other laptops new here" in out or "audit entry of" in out
    status, out, err = run(capsys, "--db", str(b), "sync", "import", str(stick))
    assert status == 0 and "Nothing new" in out
    status, out, err = run(capsys, "--db", str(b), "db", "check")
    assert status == 0, err
    assert "from the hub or bundles" in out and "is here from" not in out

    import sqlite3

    raw = sqlite3.connect(b)  # a's first entries not received (as if relayed so)
    raw.execute("DROP TRIGGER audit_remote_no_delete")
    raw.execute("DELETE FROM audit_remote WHERE id < 3")
    raw.commit()
    raw.close()
    status, out, err = run(capsys, "--db", str(b), "db", "check")
    assert status == 0, err
    assert "is here from its entry 3 of" in out
