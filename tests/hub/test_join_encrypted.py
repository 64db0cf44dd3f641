"""``hub join`` makes an encrypted register, as ``docassist init`` does: its key wrapped
for the joining user's passphrase and sealed to the organisation's recovery key, whose
public half the hub keeps."""

from __future__ import annotations

import re
from pathlib import Path

from docassist.cli import main
from docassist.services import accounts
from docassist.services import households as hh
from docassist.store import keys
from tests.hub.support import TODAY

SQLITE = b"SQLite format 3\x00"
RECOVERY = re.compile(r"^ {4}([A-Z2-7]{4}(?:-[A-Z2-7]{4}){12})$", re.M)
OFFICE_PASSPHRASE = "the office passphrase"
LAPTOP_PASSPHRASE = "my laptop passphrase"


def _run(capsys, monkeypatch, user: str, passphrase: str, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setenv("DOCASSIST_USER", user)
    monkeypatch.setenv("DOCASSIST_PASSPHRASE", passphrase)
    capsys.readouterr()
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def _office(capsys, monkeypatch, path: Path) -> str:
    """An encrypted register made by ``init`` with one family; returns the recovery key."""
    status, out, err = _run(
        capsys, monkeypatch, "Milica", OFFICE_PASSPHRASE, "--db", str(path), "init"
    )
    assert status == 0, err
    [recovery] = RECOVERY.findall(out)
    ctx, _session = accounts.open_signed_in(path, "Milica", OFFICE_PASSPHRASE, today=lambda: TODAY)
    try:
        hh.register_household(
            ctx,
            hh.HouseholdInput("Zvonimirović", municipality="Niš"),
            [hh.PersonInput("Zvonimirka", "Zvonimirović")],
        )
    finally:
        ctx.db.close()
    return recovery


def _families(path: Path, name: str, passphrase: str) -> list[str]:
    ctx, session = accounts.open_signed_in(path, name, passphrase, today=lambda: TODAY)
    try:
        assert session.name == name
        return [r[0] for r in ctx.db.execute("SELECT family_name FROM households")]
    finally:
        ctx.db.close()


def test_join_makes_a_register_encrypted_for_the_users_passphrase_and_the_recovery_key(
    capsys, monkeypatch, tmp_path, hub_dsn
):
    office = tmp_path / "office.db"
    recovery = _office(capsys, monkeypatch, office)
    assert main(["hub", "init", hub_dsn]) == 0
    status, _, err = _run(
        capsys, monkeypatch, "Milica", OFFICE_PASSPHRASE, "--db", str(office), "hub", "connect",
        hub_dsn,
    )  # fmt: skip
    assert status == 0, err

    laptop = tmp_path / "laptop" / "docassist.db"
    laptop.parent.mkdir()
    # An encrypted register keeps no passphrase hash, so the hub holds none: Milica
    # chooses the passphrase she signs in with on this laptop.
    join = ("--db", str(laptop), "hub", "join", hub_dsn, "--user", "milica")
    status, out, err = _run(capsys, monkeypatch, "Milica", LAPTOP_PASSPHRASE, *join)
    assert status == 0, err
    assert "connected" in out and "Traceback" not in err
    assert not RECOVERY.findall(out)  # the organisation's recovery key opens it: none new

    head = laptop.read_bytes()[:16]
    assert len(head) == 16 and head != SQLITE
    assert keys.has_keyring(laptop)
    for file in laptop.parent.iterdir():
        assert b"Zvonimir" not in file.read_bytes(), file.name
    # she signs in with her passphrase, and the pulled family is there
    assert _families(laptop, "Milica", LAPTOP_PASSPHRASE) == ["Zvonimirović"]
    # the office's printed recovery key opens the joined laptop's register too
    db_key = keys.unlock_with_recovery(laptop, recovery)
    assert keys.keyring_matches(laptop, db_key)
    assert not keys.keyring_matches(office, db_key)  # a key of its own, not the office's
    status, out, err = _run(
        capsys, monkeypatch, "Milica", LAPTOP_PASSPHRASE, "--db", str(laptop), "sync"
    )
    assert status == 0, err
    # and the recovery key sets a forgotten passphrase anew there
    file = tmp_path / "recovery.txt"
    file.write_text(recovery + "\n")
    file.chmod(0o600)
    recover = ("--db", str(laptop), "db", "recover", "--user", "Milica", "--recovery-key-file")
    status, _, err = _run(
        capsys, monkeypatch, "Milica", "a brand new passphrase", *recover, str(file)
    )
    assert status == 0, err
    assert _families(laptop, "Milica", "a brand new passphrase") == ["Zvonimirović"]


def test_a_wrong_recovery_key_does_not_open_a_joined_register(
    capsys, monkeypatch, tmp_path, hub_dsn
):
    office = tmp_path / "office.db"
    _office(capsys, monkeypatch, office)
    assert main(["hub", "init", hub_dsn]) == 0
    connect = ("--db", str(office), "hub", "connect", hub_dsn)
    assert _run(capsys, monkeypatch, "Milica", OFFICE_PASSPHRASE, *connect)[0] == 0
    laptop = tmp_path / "laptop.db"
    join = ("--db", str(laptop), "hub", "join", hub_dsn, "--user", "Milica")
    assert _run(capsys, monkeypatch, "Milica", LAPTOP_PASSPHRASE, *join)[0] == 0
    other = keys.format_recovery_key(bytes(range(32)))
    try:
        keys.unlock_with_recovery(laptop, other)
    except keys.RecoveryKeyError:
        pass
    else:
        raise AssertionError("another recovery key opened the register")


def test_a_hub_without_a_recovery_key_gets_the_first_joined_laptops(
    capsys, monkeypatch, tmp_path, hub_dsn
):
    """A plaintext office register (from before encryption) gives the hub no recovery
    key: the first laptop that joins prints one of its own, which the hub keeps, and
    the next laptop's register is sealed to it."""
    from docassist.domain.model import Role
    from docassist.services.context import Context
    from docassist.services.users import create_user
    from docassist.store.db import open_database

    office = tmp_path / "office.db"
    db = open_database(office)
    ctx = Context(db, today=lambda: TODAY)
    ctx.user_id = create_user(ctx, "Milica", Role.COORDINATOR).id
    hh.register_household(ctx, hh.HouseholdInput("Petrović", municipality="Niš"))
    db.close()
    assert main(["hub", "init", hub_dsn]) == 0
    connect = ("--db", str(office), "hub", "connect", hub_dsn)
    # her first sign-in sets her passphrase; the hub gets its hash with her user row
    assert _run(capsys, monkeypatch, "Milica", OFFICE_PASSPHRASE, *connect)[0] == 0

    first, second = tmp_path / "first.db", tmp_path / "second.db"
    join = ("hub", "join", hub_dsn, "--user", "Milica")
    status, out, err = _run(
        capsys, monkeypatch, "Milica", OFFICE_PASSPHRASE, "--db", str(first), *join
    )
    assert status == 0, err
    [recovery] = RECOVERY.findall(out)
    assert "Print it" in out
    status, out, err = _run(
        capsys, monkeypatch, "Milica", OFFICE_PASSPHRASE, "--db", str(second), *join
    )
    assert status == 0, err
    assert not RECOVERY.findall(out)
    for path in (first, second):
        assert path.read_bytes()[:16] != SQLITE
        assert keys.keyring_matches(path, keys.unlock_with_recovery(path, recovery))
        assert _families(path, "Milica", OFFICE_PASSPHRASE) == ["Petrović"]


def test_a_passphrase_chosen_at_the_join_is_not_asked_for_again(
    capsys, monkeypatch, tmp_path, hub_dsn
):
    """A coordinator made Ana's account with a first passphrase to change; the hub holds
    no passphrase of hers (an encrypted office), so she chose her own at `hub join`.
    Her laptop then signs her in with it, at a terminal or not, without asking for a
    new one (it used to say her passphrase was reset by a coordinator)."""
    from docassist.domain.model import Role

    office = tmp_path / "office.db"
    _office(capsys, monkeypatch, office)
    ctx, session = accounts.open_signed_in(office, "Milica", OFFICE_PASSPHRASE, today=lambda: TODAY)
    try:
        accounts.create_user(ctx, session, "Ana", Role.FACILITATOR, "a first passphrase")
    finally:
        ctx.db.close()
    assert main(["hub", "init", hub_dsn]) == 0
    connect = ("--db", str(office), "hub", "connect", hub_dsn)
    assert _run(capsys, monkeypatch, "Milica", OFFICE_PASSPHRASE, *connect)[0] == 0

    laptop = tmp_path / "ana.db"
    join = ("--db", str(laptop), "hub", "join", hub_dsn, "--user", "Ana")
    status, _, err = _run(capsys, monkeypatch, "Ana", LAPTOP_PASSPHRASE, *join)
    assert status == 0, err
    ctx, session = accounts.open_signed_in(laptop, "Ana", LAPTOP_PASSPHRASE, today=lambda: TODAY)
    ctx.db.close()
    assert not session.must_change_passphrase
    status, out, err = _run(
        capsys, monkeypatch, "Ana", LAPTOP_PASSPHRASE, "--db", str(laptop), "sync"
    )
    assert status == 0, err
    assert out.startswith("Synced: 1 sent")  # her choice travels, as a change at sign-in would
