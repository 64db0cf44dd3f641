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
