"""The import: exactly the good rows, in one transaction, or nothing."""

from __future__ import annotations

import pytest

from docassist.services import households as hh
from docassist.services import importing as imp
from tests.services.importing.support import (
    BAD_JMBG,
    FIXTURE,
    GOOD_MARIJA,
    counts,
    existing_nikolic,
)


def test_apply_writes_exactly_the_good_rows_with_one_audit_entry_each(ctx):
    existing_nikolic(ctx)
    households, persons, audits = counts(ctx)
    plan = imp.check_import(ctx, FIXTURE)
    result = imp.apply_import(ctx, plan)

    assert len(result.households) == 3 and result.people == 5
    assert counts(ctx) == (households + 3, persons + 5, audits + 3 + 5)
    rows = ctx.db.execute(
        "SELECT p.given_name, p.family_name, p.jmbg, p.birth_date, p.sex, h.family_name, "
        "h.settlement, h.municipality, h.address, h.id FROM persons p "
        "JOIN households h ON h.id = p.household_id WHERE h.id IN (?, ?, ?) ORDER BY p.rowid",
        [h.id for h in result.households],
    ).fetchall()
    assert [r[:5] for r in rows] == [
        ("Marija", "Petrović", GOOD_MARIJA, "1990-03-04", "f"),
        ("Марко", "Петровић", "2006018710450", "2018", "m"),
        ("Jovan", "Petrović", BAD_JMBG, "1985-01-15", "m"),
        ("Stefan", "Jovanović", None, "2012", "m"),
        ("Ljiljana", "Đorđević", None, "~1960", "f"),
    ]
    # Marija, Marko and Jovan share household 1, with its settlement and address.
    assert rows[0][9] == rows[1][9] == rows[2][9] != rows[3][9]
    assert rows[0][5:9] == ("Petrović", "Mali Leskovac", "Čukarica", "Ulica 1")
    audited = ctx.db.execute(
        "SELECT entity, count(*) FROM audit_log WHERE user_id = ? AND entity IN "
        "('household', 'person') GROUP BY entity",
        [ctx.user_id],
    ).fetchall()
    assert dict(audited) == {"household": 4, "person": 5}  # Nikolić's household + 3 imported
    # The imported people are found by the register search.
    assert hh.count_households(ctx, "petrovic marko") == 1


def test_a_failure_during_apply_rolls_everything_back(ctx, monkeypatch):
    before = counts(ctx)
    plan = imp.check_import(ctx, FIXTURE)
    real_add = hh.add_person
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk unplugged")
        return real_add(*args, **kwargs)

    monkeypatch.setattr(hh, "add_person", flaky)
    with pytest.raises(OSError):
        imp.apply_import(ctx, plan)
    assert len(calls) == 3  # two people were already written when it failed
    assert counts(ctx) == before


def test_apply_refuses_a_file_changed_since_the_check(ctx, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("Ime;Prezime\nAna;Jovanović\n", encoding="utf-8")
    plan = imp.check_import(ctx, path)
    path.write_text("Ime;Prezime\nAna;Jovanović\nMarko;Jovanović\n", encoding="utf-8")
    before = counts(ctx)
    with pytest.raises(imp.ImportFileError, match="changed since it was checked"):
        imp.apply_import(ctx, plan)
    assert counts(ctx) == before
