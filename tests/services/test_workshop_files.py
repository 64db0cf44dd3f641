"""Issue 16 §4: a workshop's attendance export, sign-in sheet and pack of checklists."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from docassist.domain.model import Relation, Role, Sex
from docassist.services import export, handouts
from docassist.services import households as hh
from docassist.services import workshops as ws
from docassist.services.context import NotFoundError, ValidationError
from docassist.services.users import create_user
from tests.handouts.test_handouts import lines_per_page, pdf_text

PASSPHRASE = "a long export passphrase"


@pytest.fixture
def workshop(ctx):
    """Ajša alone came of the Ramić family; Fatmir Berisha's household came whole."""
    workshop_id = ws.start_workshop(
        ctx, date(2026, 11, 20), "School", "Novi Sad", "Veliki rit",
        ["birth-registration", "id-card"], ["rom", "sr"],
    )  # fmt: skip
    ramic = hh.register_household(
        ctx,
        hh.HouseholdInput("Ramić", settlement="Veliki rit", municipality="Novi Sad"),
        [
            hh.PersonInput("Sabit", "Ramić", Relation.HEAD, Sex.MALE, "1990"),
            hh.PersonInput("Ajša", "Ramić", Relation.SPOUSE, Sex.FEMALE, "1993"),
            hh.PersonInput("Emir", "Ramić", Relation.CHILD, Sex.MALE, "2015"),
        ],
    )
    berisha = hh.register_household(
        ctx,
        hh.HouseholdInput("Berisha", settlement="Adice", municipality="Novi Sad"),
        [hh.PersonInput("Fatmir", "Berisha", Relation.HEAD, Sex.MALE, "1980")],
    )
    ajsa = next(m.id for m in hh.get_household(ctx, ramic).members if m.given_name == "Ajša")
    ws.add_attendance(ctx, workshop_id, ramic)
    ws.set_people_present(ctx, workshop_id, ramic, [ajsa])
    ws.add_attendance(ctx, workshop_id, berisha)
    return workshop_id


def _audit(ctx, workshop_id):
    return [
        (r["action"], r["after"])
        for r in ctx.db.query(
            "SELECT action, after FROM audit_log WHERE entity = 'workshop' AND entity_id = ? "
            "ORDER BY id",
            [workshop_id],
        )
    ]


def test_attendance_counts_only_by_default(ctx, workshop, tmp_path):
    result = export.export_attendance(ctx, workshop, "csv", tmp_path, language="en")
    assert result.path.name == "docassist-attendance-2026-11-20.csv"
    text = result.path.read_text(encoding="utf-8-sig")
    rows = {r[0]: r[1] for r in csv.reader(io.StringIO(text)) if len(r) == 2}
    assert rows["Households present"] == "2"
    assert rows["People present"] == "2"  # Ajša and Fatmir, not the whole Ramić family
    assert rows["Women and girls"] == "1" and rows["Men and boys"] == "1"
    assert "Ajša" not in text and "Ramić" not in text  # counts, never names
    assert not result.names
    assert _audit(ctx, workshop)[-1][0] == "export"
    book = load_workbook(
        export.export_attendance(ctx, workshop, "xlsx", tmp_path, language="sr").path
    )
    assert book.sheetnames == ["Радионица"] or len(book.sheetnames) == 1
    values = [c.value for row in book.worksheets[0].iter_rows() for c in row]
    assert "Ajša" not in values and 2 in values


def test_attendance_with_names_is_a_coordinators_and_encrypted(ctx, workshop, tmp_path):
    with pytest.raises(ValidationError):  # neither a passphrase nor "unencrypted"
        export.export_attendance(ctx, workshop, "xlsx", tmp_path, language="en", names=True)
    result = export.export_attendance(
        ctx, workshop, "xlsx", tmp_path, language="en", names=True, passphrase=PASSPHRASE
    )
    assert result.path.name.endswith(".xlsx.zip")
    assert (
        b"Ajsa" not in result.path.read_bytes() and "Ajša".encode() not in result.path.read_bytes()
    )
    import pyzipper

    with pyzipper.AESZipFile(result.path) as archive:
        archive.setpassword(PASSPHRASE.encode())
        [inner] = archive.namelist()
        book = load_workbook(io.BytesIO(archive.read(inner)))
    people = [[c.value for c in row] for row in book.worksheets[1].iter_rows()]
    assert [r[:2] for r in people[1:]] == [["Berisha", "Fatmir"], ["Ramić", "Ajša"]]
    plain = export.export_attendance(
        ctx, workshop, "csv", tmp_path / "who.csv", language="en", names=True, unencrypted=True
    )
    with zipfile.ZipFile(plain.path) as archive:
        assert "Ajša" in archive.read("people.csv").decode("utf-8-sig")
    # A facilitator may export the counts, not the names.
    ctx.user_id = create_user(ctx, "Dragan", Role.FACILITATOR).id
    export.export_attendance(ctx, workshop, "csv", tmp_path / "counts.csv", language="en")
    with pytest.raises(ValidationError):
        export.export_attendance(
            ctx, workshop, "csv", tmp_path, language="en", names=True, unencrypted=True
        )
    after = [a for action, a in _audit(ctx, workshop) if action == "export"]
    assert len(after) == 3 and '"names": true' in after[0] and "Ajša" not in "".join(after)


def test_sign_in_sheet_names_who_came_and_leaves_lines(ctx, workshop, checklists, tmp_path):
    handout = handouts.make_signin_sheet(ctx, workshop, checklists)
    text = pdf_text(handout.data)
    assert "Ramić Ajša (1993)" in text and "Berisha Fatmir (1980)" in text
    assert "Sabit" not in text  # he did not come
    assert "20.11.2026." in text and "School" in text
    assert "Upis e bijandipasko" in text and "Упис рођења" in text  # the checklists, both
    assert "3." in text and "10." in text  # numbered blank lines after the two present
    for lines in lines_per_page(handout.data):
        assert len(lines) > 1
    saved = handouts.save(handout, tmp_path, ctx)
    assert saved.is_file()
    assert _audit(ctx, workshop)[-1] == ("print", '{"handout": "sign-in-sheet"}')


def test_workshop_pack_holds_every_checklist_in_its_languages(ctx, workshop, checklists):
    handout = handouts.make_workshop_pack(ctx, workshop, checklists)
    text = pdf_text(handout.data)
    for checklist_id in ("birth-registration", "id-card"):
        title = checklists.get(checklist_id).title
        assert title.get("rom")[0] in text and title.get("sr")[0] in text
    assert "Ajša" not in text  # names nobody
    pages = lines_per_page(handout.data)
    assert all(len(lines) > 1 for lines in pages)
    assert handout.filename == "workshop-pack-2026-11-20-rom-sr.pdf"


def test_find_a_workshop_by_the_start_of_its_id(ctx, workshop):
    assert ws.find_workshop(ctx, workshop[:8]).id == workshop
    assert ws.find_workshop(ctx, "latest").id == workshop
    with pytest.raises(NotFoundError):
        ws.find_workshop(ctx, "zzz-no-such")
    with pytest.raises(NotFoundError):
        ws.find_workshop(ctx, "%")


# --- the command line ---------------------------------------------------------------------


@pytest.fixture
def on_the_command_line(ctx, workshop, monkeypatch):
    from tests.cli.support import add_user, sign_in_as

    path = Path(ctx.db.conn.execute("PRAGMA database_list").fetchone()[2])
    add_user(path, "Senad Jovanović", Role.COORDINATOR)
    sign_in_as(monkeypatch, "Senad Jovanović")
    return path


def test_cli_sign_in_sheet_and_pack(on_the_command_line, workshop, tmp_path, capsys):
    from docassist import cli

    db = ["--db", str(on_the_command_line)]
    out = tmp_path / "paper"
    out.mkdir()  # a folder the user names is never made
    assert cli.main([*db, "handout", "signin", workshop[:8], "--output", f"{out}/"]) == 0
    assert cli.main([*db, "handout", "pack", "latest", "--output", f"{out}/"]) == 0
    sheet, pack = sorted(out.iterdir(), key=lambda p: p.name)
    assert sheet.name.startswith("sign-in-") and "Ramić Ajša" in pdf_text(sheet.read_bytes())
    assert pack.name.startswith("workshop-pack-")
    capsys.readouterr()
    assert cli.main([*db, "handout", "signin", "nope"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == f"docassist: no workshop 'nope' in {on_the_command_line}"


def test_cli_attendance_export(on_the_command_line, workshop, tmp_path, capsys, monkeypatch):
    from docassist import cli

    db = ["--db", str(on_the_command_line)]
    counts = tmp_path / "counts.csv"
    assert cli.main([*db, "export", "--workshop", "latest", "--output", str(counts)]) == 0
    assert "People present,2" in counts.read_text(encoding="utf-8-sig")
    assert "Ajša" not in counts.read_text(encoding="utf-8-sig")
    monkeypatch.setenv("DOCASSIST_EXPORT_PASSPHRASE", PASSPHRASE)
    named = tmp_path / "who.xlsx"
    args = [*db, "export", "--workshop", workshop, "--names", "--output", str(named)]
    assert cli.main(args) == 0
    assert (tmp_path / "who.xlsx.zip").is_file()
    assert "personal data" in capsys.readouterr().err
    assert cli.main([*db, "export", "--names", "--output", str(named)]) == 2  # no --workshop
