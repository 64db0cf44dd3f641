"""Erasure on request: the person's data gone everywhere, one audited tombstone left."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from docassist.domain.jmbg import make_jmbg
from docassist.domain.model import DocumentKind, DocumentState, Role, StepStatus
from docassist.services import cases, erasure
from docassist.services import households as hh
from docassist.services.cases import StepPlan
from docassist.services.context import ValidationError
from docassist.services.households import HouseholdInput, PersonInput
from docassist.services.users import create_user

JMBG = make_jmbg(date(1987, 5, 12), "71", 123)
NAMES = ("Zorica", "Nikolić", "zorica", "nikolic", "Zrenjanin")


@pytest.fixture
def family(ctx):
    hid = hh.register_household(
        ctx,
        HouseholdInput(family_name="Jovanović", municipality="Novi Sad"),
        [
            PersonInput(
                "Zorica",
                "Nikolić",
                birth_date="12.05.1987",
                place_of_birth="Zrenjanin",
                jmbg=JMBG,
                notes="Zorica works mornings",
                documents={DocumentKind.ID_CARD: DocumentState.HAVE},
            ),
            PersonInput("Petar", "Jovanović", birth_date="1985"),
        ],
    )
    detail = hh.get_household(ctx, hid)
    zorica = next(p for p in detail.members if p.given_name == "Zorica")
    hh.update_person(
        ctx,
        zorica.id,
        PersonInput("Zorica", "Nikolić", birth_date="12.05.1987", jmbg=JMBG, notes="moved"),
    )
    case_id = cases.open_case(ctx, zorica.id, "id-card", 1, [StepPlan("apply", 7)])
    cases.set_step_status(
        ctx, case_id, "apply", StepStatus.BLOCKED, reason="Zorica lost papers", note="Zorica"
    )
    return hid, zorica.id


def _everything(path) -> str:
    """Every text value in every table, the audit JSON included."""
    conn = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not r[0].startswith("households_fts")
        ]
        out = []
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                out += [str(v) for v in row if v is not None]
        return "\n".join(out)
    finally:
        conn.close()


def _erase_entries(ctx) -> int:
    return ctx.db.execute("SELECT count(*) FROM audit_log WHERE action = 'erase'").fetchone()[0]


def _path(ctx):
    return ctx.db.conn.execute("PRAGMA database_list").fetchone()[2]


def test_erasure_leaves_no_name_or_jmbg_anywhere(ctx, family):
    hid, pid = family
    before = _everything(_path(ctx))
    assert JMBG in before and "Zorica" in before  # the check below can see them

    erasure.erase_person(ctx, pid, "asked by the family")

    text = _everything(_path(ctx))
    for word in (JMBG, *NAMES):
        assert word not in text, word
    # the file's bytes too, without a VACUUM: erasure overwrites what it removes
    # (secure_delete) and empties the write-ahead log
    for suffix in ("", "-wal"):
        file = Path(_path(ctx) + suffix)
        raw = file.read_bytes() if file.exists() else b""
        for word in (JMBG, "Zorica", "zorica", "nikolic", "Zrenjanin"):
            assert word.encode() not in raw, (suffix, word)
    # the search no longer finds her, the household and Petar stay
    assert hh.count_households(ctx, "zorica") == 0
    assert [p.given_name for p in hh.get_household(ctx, hid).members] == ["Petar"]
    assert hh.last_removed_member(ctx, hid) is None  # Undo cannot bring a tombstone back


def test_the_erase_entry_says_who_and_why_without_personal_data(ctx, family):
    hid, pid = family
    erasure.erase_person(ctx, pid, "asked by the family")
    [entry] = ctx.db.query("SELECT * FROM audit_log WHERE action = 'erase'")
    assert (entry["user_id"], entry["entity"], entry["entity_id"]) == (ctx.user_id, "person", pid)
    assert entry["at"]
    after = json.loads(entry["after"])
    assert after["reason"] == "asked by the family" and after["household_id"] == hid
    earlier = ctx.db.execute(
        "SELECT before, after FROM audit_log WHERE entity = 'person' AND entity_id = ? "
        "AND action != 'erase'",
        [pid],
    ).fetchall()
    assert earlier and all(v in (None, '{"erased": true}') for row in earlier for v in row)
    tombstone = ctx.db.execute(
        "SELECT given_name, jmbg, erased_at, deleted_at FROM persons WHERE id = ?", [pid]
    ).fetchone()
    assert tombstone[:2] == ("", None) and tombstone[2] and tombstone[3]
    # a second erasure has nothing to do and records nothing
    erasure.erase_person(ctx, pid, "again")
    assert _erase_entries(ctx) == 1


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.TRAINEE])
def test_only_a_coordinator_may_erase(ctx, family, role):
    _hid, pid = family
    ctx.user_id = create_user(ctx, f"Someone {role}", role).id
    with pytest.raises(ValidationError, match="Only a coordinator"):
        erasure.erase_person(ctx, pid, "asked")
    assert hh.get_person(ctx, pid).given_name == "Zorica"
    assert _erase_entries(ctx) == 0


def test_a_reason_is_required(ctx, family):
    with pytest.raises(ValidationError):
        erasure.erase_person(ctx, family[1], "  ")


def test_a_whole_household_is_erased_each_person_with_a_tombstone(ctx, family):
    hid, zorica = family
    hh.update_household(
        ctx,
        hid,
        HouseholdInput(
            family_name="Jovanović",
            municipality="Novi Sad",
            address="Bulevar Oslobođenja 12",
            phone="063 555 123",
            notes="Jovanović family asked",
        ),
    )
    petar = next(p.id for p in hh.get_household(ctx, hid).members if p.given_name == "Petar")
    hh.remove_person(ctx, petar)  # a removed member is still the family's: erased too

    assert erasure.erase_household(ctx, hid, "asked by the family") == 2

    text = _everything(_path(ctx))
    for word in (JMBG, *NAMES, "Jovanović", "Petar", "Bulevar Oslobođenja", "063 555 123"):
        assert word not in text, word
    raw = Path(_path(ctx)).read_bytes()
    for word in ("Jovanovi", "Bulevar", "063 555"):
        assert word.encode() not in raw, word
    entries = list(
        ctx.db.query("SELECT entity, entity_id, after FROM audit_log WHERE action = 'erase'")
    )
    assert {(e["entity"], e["entity_id"]) for e in entries} == {
        ("person", zorica),
        ("person", petar),
        ("household", hid),
    }
    household = next(e for e in entries if e["entity"] == "household")
    assert json.loads(household["after"]) == {"reason": "asked by the family", "persons": 2}
    row = ctx.db.execute(
        "SELECT family_name, municipality, erased_at, deleted_at FROM households WHERE id = ?",
        [hid],
    ).fetchone()
    # the place stays for the anonymous counts; the register no longer lists it
    assert row[0] == "" and row[1] == "Novi Sad" and row[2] and row[3]
    assert hh.count_households(ctx) == 0
    from docassist.store.audit import ChainHead, verify_chain

    assert isinstance(verify_chain(ctx.db.conn), ChainHead)  # the chain still verifies
    # again: nothing left to erase, nothing recorded
    assert erasure.erase_household(ctx, hid, "again") == 0
    assert _erase_entries(ctx) == 3


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.TRAINEE])
def test_only_a_coordinator_may_erase_a_household(ctx, family, role):
    hid, pid = family
    ctx.user_id = create_user(ctx, f"Someone {role}", role).id
    with pytest.raises(ValidationError, match="Only a coordinator"):
        erasure.erase_household(ctx, hid, "asked")
    assert hh.get_person(ctx, pid).given_name == "Zorica"
    assert _erase_entries(ctx) == 0


def _all_text(conn) -> str:
    tables = [
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not r[0].startswith("households_fts")
    ]
    return "\n".join(
        str(v) for t in tables for row in conn.execute(f'SELECT * FROM "{t}"') for v in row if v
    )


def test_restoring_an_older_backup_never_brings_the_erased_back(tmp_path, monkeypatch, capsys):
    # The backup was made before the family asked to be forgotten; restoring it (the
    # laptop's register damaged, a wrong edit undone) must not bring them back. The
    # register it replaces still holds the tombstones: the restore erases the same
    # people in the backup's copy before that copy becomes the register.
    from docassist.cli import main
    from docassist.locations import backups_dir
    from tests.cli.support import connect, context, new_register, sign_in_as

    path = tmp_path / "docassist.db"
    ctx = new_register(path, "Vesna")  # encrypted, as init makes it
    sign_in_as(monkeypatch, "Vesna")
    hid = hh.register_household(
        ctx,
        HouseholdInput(family_name="Jovanović", address="Bulevar 12"),
        [PersonInput("Zorica", "Nikolić", jmbg=JMBG), PersonInput("Petar", "Jovanović")],
    )
    other = hh.register_household(
        ctx, HouseholdInput(family_name="Ramić"), [PersonInput("Senad", "Ramić")]
    )
    senad = hh.get_household(ctx, other).members[0].id
    vesna = ctx.user_id
    ctx.db.close()
    (tmp_path / "copies").mkdir()  # a folder the user names is never made
    assert main(["--db", str(path), "db", "backup", "--output", str(tmp_path / "copies")]) == 0
    [backup] = (tmp_path / "copies").glob("docassist-*.db")

    ctx = context(path)
    ctx.user_id = vesna
    erasure.erase_household(ctx, hid, "asked by the family")
    erasure.erase_person(ctx, senad, "asked")
    hh.register_household(ctx, HouseholdInput(family_name="Bekić"))  # lost by the restore
    ctx.db.close()
    capsys.readouterr()

    assert main(["--db", str(path), "db", "restore", str(backup)]) == 0
    out = capsys.readouterr().out
    assert "3 people erased since the backup was made were erased again." in out
    [kept] = backups_dir().glob("before-restore-*.db")
    for register in (path, kept):
        with connect(register) as conn:
            text = _all_text(conn)
            for word in (JMBG, "Zorica", "Nikolić", "Petar", "Jovanović", "Bulevar", "Senad"):
                assert word not in text, (register.name, word)
    with connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM persons WHERE erased_at IS NULL").fetchone() == (
            0,
        )
        assert conn.execute(
            "SELECT erased_at IS NOT NULL FROM households WHERE id = ?", [hid]
        ).fetchone() == (1,)
        assert conn.execute(
            "SELECT family_name FROM households WHERE erased_at IS NULL"
        ).fetchall() == [("Ramić",)]
        reasons = [
            json.loads(r[0])["reason"]
            for r in conn.execute("SELECT after FROM audit_log WHERE action = 'erase'")
        ]
        assert reasons == [erasure.RESTORE_REASON] * 4  # Zorica, Petar, the household, Senad
        [restore] = conn.execute("SELECT after FROM audit_log WHERE action = 'restore'").fetchall()
        assert json.loads(restore[0])["erased_again"] == "3"
    # the restored register checks clean, its audit chain included
    assert main(["--db", str(path), "db", "check"]) == 0


def test_a_restore_that_cannot_erase_again_leaves_the_register_as_it_was(tmp_path, monkeypatch):
    from docassist.cli import main
    from tests.cli.support import connect, context, new_register, sign_in_as

    path = tmp_path / "docassist.db"
    ctx = new_register(path, "Vesna")
    sign_in_as(monkeypatch, "Vesna")
    hid = hh.register_household(
        ctx, HouseholdInput(family_name="Ramić"), [PersonInput("Senad", "Ramić")]
    )
    vesna = ctx.user_id
    ctx.db.close()
    (tmp_path / "copies").mkdir()  # a folder the user names is never made
    assert main(["--db", str(path), "db", "backup", "--output", str(tmp_path / "copies")]) == 0
    [backup] = (tmp_path / "copies").glob("docassist-*.db")
    ctx = context(path)
    ctx.user_id = vesna
    erasure.erase_household(ctx, hid, "asked")
    ctx.db.close()

    def fails(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(erasure, "reapply", fails)
    assert main(["--db", str(path), "db", "restore", str(backup)]) != 0
    with connect(path) as conn:  # still the register with the erasure, not the backup
        assert "Senad" not in _all_text(conn)
        assert (
            conn.execute("SELECT count(*) FROM audit_log WHERE action = 'erase'").fetchone()[0] == 2
        )
