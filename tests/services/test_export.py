"""Report files read back with csv and openpyxl; the full export is for coordinators only."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from docassist.domain.model import Role
from docassist.i18n import LANGUAGES
from docassist.services import export
from docassist.services.context import ValidationError
from docassist.services.users import create_user
from tests.services import report_fixture


def _sections(text: str) -> dict[str, list[list[str]]]:
    """The CSV's tables by title: a title row, then rows up to the next blank one."""
    rows = list(csv.reader(io.StringIO(text)))
    sections: dict[str, list[list[str]]] = {}
    i = rows.index([]) + 1  # the heading lines come first
    while i < len(rows):
        title = rows[i][0]
        end = rows.index([], i)
        sections[title] = rows[i + 1 : end]
        i = end + 1
    return sections


def test_csv_reads_back(report, tmp_path):
    path = export.write_report(report, "csv", tmp_path / "r.csv", "en")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Cyrillic
    text = raw.decode("utf-8-sig")
    heading = list(csv.reader(io.StringIO(text)))[:5]
    assert heading[1] == ["From", "2026-06-01"] and heading[2] == ["To", "2026-09-30"]
    sections = _sections(text)
    documents = sections["Documents obtained"]
    assert documents[0][:3] == ["Document", "Total", "Women and girls"]
    assert documents[-2] == ["All documents", "6", "3", "2", "1", "1", "2", "1", "1", "1"]
    assert documents[-1][0].startswith("Age on the day the document was obtained")
    procedures = {r[0]: r for r in sections["Cases by procedure"][1:]}
    assert any(r[6] == "96.5" for r in procedures.values())


def test_csv_headers_in_serbian(report, tmp_path):
    text = export.report_csv(report, "sr")
    sections = _sections(text)
    assert "Лична карта" in text
    assert any(rows[0][0] == "Општина" for rows in sections.values())


def test_xlsx_numbers_are_numbers_dates_are_dates(report, tmp_path):
    path = export.write_report(report, "xlsx", tmp_path / "r.xlsx", "en")
    book = load_workbook(path)
    first = book.worksheets[0]
    values = {row[0]: row[1] for row in first.iter_rows(values_only=True)}
    assert isinstance(values["From"], datetime) and values["From"].date() == date(2026, 6, 1)
    assert first["B2"].number_format == export.DATE_FORMAT
    assert len(book.worksheets) == 1 + len(report.tables)
    documents = book.worksheets[1 + [t.key for t in report.tables].index("documents")]
    rows = list(documents.iter_rows(values_only=True))
    assert rows[0][0] == "Document"
    assert rows[1][1] == 2 and isinstance(rows[1][1], int)
    procedures = book.worksheets[1 + [t.key for t in report.tables].index("procedures")]
    medians = [r[6] for r in procedures.iter_rows(min_row=2, values_only=True) if r[6]]
    assert 96.5 in medians
    assert all(isinstance(m, int | float) for m in medians)
    assert not list(tmp_path.glob("*.part"))  # the temporary file was renamed


def test_xlsx_headers_in_the_chosen_language(report, tmp_path):
    path = export.write_report(report, "xlsx", tmp_path / "r.xlsx", "sr")
    book = load_workbook(path)
    values = {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True)}
    assert values["Општина"] == "Све општине"
    served = book.worksheets[1 + [t.key for t in report.tables].index("served")]
    assert next(served.iter_rows(values_only=True))[0] == "Општина"


@pytest.mark.parametrize("language", [lang.code for lang in LANGUAGES])
def test_each_report_sheet_has_a_short_name_of_its_own(report, tmp_path, language):
    # "Documents obtained by municipality" was cut to "Documents obtained by": each
    # sheet now has its own name, and in every language it fits Excel's 31 characters.
    names = export.sheet_names(language)
    assert {t.key for t in report.tables} | {"report"} == set(names)
    for key, name in names.items():
        assert 0 < len(name) <= export.SHEET_NAME_MAX, (language, key, name)
        assert not export._SHEET_FORBIDDEN.search(name), (language, key, name)
    assert len({n.casefold() for n in names.values()}) == len(names)
    path = export.write_report(report, "xlsx", tmp_path / "r.xlsx", language)
    book = load_workbook(path)
    assert book.sheetnames == [names["report"], *(names[t.key] for t in report.tables)]


def test_sheet_names_are_valid_and_unique():
    taken: set[str] = set()
    long = "Documents obtained by age group and sex: a very long title"
    first, second = export._sheet_name(long, taken), export._sheet_name(long, taken)
    assert len(first) <= 31 and len(second) <= 31 and first != second
    assert ":" not in first


def test_json(report, tmp_path):
    path = export.write_report(report, "json", tmp_path / "r.json", "rom")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["language"] == "rom"
    assert [t["key"] for t in data["tables"]] == [t.key for t in report.tables]


def test_a_failed_write_leaves_the_old_file(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / "r.csv"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(OSError), export.atomic_path(path) as tmp:
        tmp.write_text("half a fi", encoding="utf-8")
        raise OSError(28, "No space left on device")
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in folder.iterdir()] == ["r.csv"]


# --- the whole register ---------------------------------------------------------------


def _audit(ctx):
    return ctx.db.execute(
        "SELECT action, entity, user_id, after FROM audit_log WHERE action = 'export'"
    ).fetchall()


def test_full_export_refused_to_a_facilitator(ctx, tmp_path):
    report_fixture.build(ctx)
    ctx.user_id = create_user(ctx, "Fikret", Role.FACILITATOR).id
    with pytest.raises(ValidationError, match="Only a coordinator"):
        export.export_register(ctx, "xlsx", tmp_path / "all.xlsx", unencrypted=True)
    assert not (tmp_path / "all.xlsx").exists()
    assert _audit(ctx) == []


def test_full_export_refused_without_a_user(ctx, tmp_path):
    ctx.user_id = None
    with pytest.raises(ValidationError):
        export.export_register(ctx, "csv", tmp_path / "all.zip", unencrypted=True)


def test_full_export_csv_zip_is_audited(ctx, tmp_path):
    report_fixture.build(ctx)
    result = export.export_register(ctx, "csv", tmp_path / "all", unencrypted=True)
    assert result.path == tmp_path / "all.zip"
    assert {k: result.counts[k] for k in ("households", "persons", "cases", "case_steps")} == {
        "households": 3,
        "persons": 12,
        "cases": 9,
        "case_steps": 18,
    }
    with zipfile.ZipFile(result.path) as archive:
        assert sorted(archive.namelist()) == sorted(f"{t}.csv" for t in export.FULL_TABLES)
        persons = list(csv.DictReader(io.StringIO(archive.read("persons.csv").decode("utf-8-sig"))))
    assert {p["given_name"] for p in persons} >= {"Ana", "Baba", "Xavi"}
    assert "name_key" not in persons[0] and "device_id" not in persons[0]
    [(action, entity, user_id, after)] = _audit(ctx)
    assert (action, entity, user_id) == ("export", "register", ctx.user_id)
    assert json.loads(after)["counts"]["persons"] == 12


def test_full_export_without_its_audit_entry_leaves_no_file(ctx, tmp_path, monkeypatch):
    report_fixture.build(ctx)

    def audit_fails(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(ctx, "audit", audit_fails)
    (tmp_path / "out").mkdir()  # a folder the user names is never made
    with pytest.raises(OSError):
        export.export_register(ctx, "xlsx", tmp_path / "out" / "all.xlsx", unencrypted=True)
    assert list((tmp_path / "out").iterdir()) == []


def test_full_export_is_audited_before_the_file_appears(ctx, tmp_path, monkeypatch):
    # The rename is the last thing done: when it fails, the entry is already there.
    report_fixture.build(ctx)

    def rename_fails(src, dst):
        raise PermissionError("read-only folder")

    monkeypatch.setattr(os, "replace", rename_fails)
    (tmp_path / "out").mkdir()  # a folder the user names is never made
    with pytest.raises(PermissionError):
        export.export_register(ctx, "csv", tmp_path / "out" / "all.zip", unencrypted=True)
    assert list((tmp_path / "out").iterdir()) == []
    [(action, entity, _user, _after)] = _audit(ctx)
    assert (action, entity) == ("export", "register")


def test_full_export_xlsx_has_dates(ctx, tmp_path):
    report_fixture.build(ctx)
    result = export.export_register(ctx, "xlsx", tmp_path / "all.xlsx", unencrypted=True)
    book = load_workbook(result.path)
    assert book.sheetnames == list(export.FULL_TABLES)
    cases = list(book["cases"].iter_rows(values_only=True))
    column = cases[0].index("outcome_date")
    assert any(isinstance(r[column], datetime) for r in cases[1:])
    assert len(_audit(ctx)) == 1


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_full_export_keeps_formulas_as_text_and_drops_control_characters(ctx, tmp_path, fmt):
    report_fixture.build(ctx)
    # What a careless (or hostile) entry could hold: a spreadsheet formula as a name,
    # a control character pasted into an address.
    ctx.db.execute('UPDATE persons SET given_name = \'=HYPERLINK("http://x","y")\' WHERE rowid = 1')
    ctx.db.execute("UPDATE households SET address = 'Ulica' || char(1) || ' 5' WHERE rowid = 1")
    result = export.export_register(ctx, fmt, tmp_path / f"all.{fmt}", unencrypted=True)
    if fmt == "xlsx":
        book = load_workbook(result.path)
        cells = [c for row in book["persons"].iter_rows() for c in row]
        assert [c for c in cells if c.data_type == "f"] == []
        assert '=HYPERLINK("http://x","y")' in [c.value for c in cells]
        texts = [v for row in book["households"].iter_rows(values_only=True) for v in row]
        assert "Ulica 5" in texts
    else:
        with zipfile.ZipFile(result.path) as archive:
            text = archive.read("persons.csv").decode("utf-8-sig")
        assert "'=HYPERLINK" in text


def test_full_export_leaves_out_removed_people_and_their_cases(ctx, tmp_path):
    from docassist.services import households as hh

    people = report_fixture.build(ctx)
    hh.remove_person(ctx, people["b"]["Goran"])  # he has a refused ID-card case
    result = export.export_register(ctx, "csv", tmp_path / "all.zip", unencrypted=True)
    with zipfile.ZipFile(result.path) as archive:
        tables = {
            name: list(csv.DictReader(io.StringIO(archive.read(f"{name}.csv").decode("utf-8-sig"))))
            for name in export.FULL_TABLES
        }
    person_ids = {p["id"] for p in tables["persons"]}
    case_ids = {c["id"] for c in tables["cases"]}
    assert people["b"]["Goran"] not in person_ids
    assert {c["person_id"] for c in tables["cases"]} <= person_ids
    assert {s["case_id"] for s in tables["case_steps"]} <= case_ids
    assert result.counts["cases"] == 8


def test_full_export_into_a_folder_uses_the_usual_name_and_audits_the_whole_path(
    ctx, tmp_path, monkeypatch
):
    report_fixture.build(ctx)
    (tmp_path / "out").mkdir()
    monkeypatch.chdir(tmp_path)
    result = export.export_register(ctx, "csv", tmp_path / "out", unencrypted=True)
    assert result.path == tmp_path / "out" / f"docassist-register-{ctx.today().isoformat()}.zip"
    assert result.path.is_file()
    relative = export.export_register(ctx, "xlsx", "mine.xlsx", unencrypted=True)
    assert relative.path == tmp_path / "mine.xlsx"
    paths = [json.loads(row[3])["path"] for row in _audit(ctx)]
    assert paths == [str(result.path), str(tmp_path / "mine.xlsx")]


# --- nothing with names left where nobody looks (issue 14 §14) -------------------------


def test_the_xlsx_export_keeps_its_temporary_sheets_beside_it(ctx, tmp_path, monkeypatch):
    import tempfile

    from openpyxl.worksheet import _writer

    report_fixture.build(ctx)
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    used: list[str] = []
    real = _writer.create_temporary_file

    def recording(suffix=""):
        used.append(real(suffix))
        return used[-1]

    monkeypatch.setattr(_writer, "create_temporary_file", recording)
    target = tmp_path / "usb" / "all.xlsx"
    target.parent.mkdir()  # the stick is plugged in
    export.export_register(ctx, "xlsx", target, unencrypted=True)
    assert used, "openpyxl wrote no temporary sheet: the test no longer tests anything"
    for name in used:
        folder = Path(name).parent
        assert folder.parent == target.parent and folder.name.endswith(".scratch")
    assert list(system_tmp.iterdir()) == []
    assert sorted(p.name for p in target.parent.iterdir()) == ["all.xlsx"]
    assert tempfile.tempdir == str(system_tmp)  # the process's default is given back


def test_a_killed_exports_scratch_is_swept_but_not_one_in_use(tmp_path):
    from docassist.services.files import clean_scratch, scratch_beside

    left = tmp_path / ".all.xlsx.abc.scratch"
    left.mkdir()
    (left / "openpyxl.sheet").write_text("Petrović 0101990710012")
    with scratch_beside(tmp_path / "other.xlsx") as busy:
        assert clean_scratch(tmp_path) == [left]
        assert busy.is_dir()
    assert not left.exists() and not busy.exists()


# --- encrypted by default (issue 13 §6) ------------------------------------------------

PASSPHRASE = "Čuvaj ovo 2026!"  # non-ASCII on purpose: written as UTF-8, as 7-Zip reads it
KNOWN_NAME = "Radmila"
KNOWN_FAMILY = "Stojanović"
KNOWN_JMBG = "1205987715123"


def _known_person(ctx) -> None:
    ctx.db.execute(
        "UPDATE persons SET given_name = ?, family_name = ?, jmbg = ? WHERE rowid = 1",
        [KNOWN_NAME, KNOWN_FAMILY, KNOWN_JMBG],
    )


def _read_encrypted(path, name, passphrase=PASSPHRASE) -> bytes:
    import pyzipper

    with pyzipper.AESZipFile(path) as archive:
        archive.setpassword(passphrase.encode("utf-8"))
        return archive.read(name)


def test_an_export_with_names_needs_a_passphrase_or_an_explicit_choice(ctx, tmp_path):
    report_fixture.build(ctx)
    with pytest.raises(ValidationError, match="give a passphrase"):
        export.export_register(ctx, "xlsx", tmp_path / "all.xlsx")
    with pytest.raises(ValidationError, match="at least 10 characters"):
        export.export_register(ctx, "xlsx", tmp_path / "all.xlsx", passphrase="short")
    with pytest.raises(ValueError):
        export.export_register(
            ctx, "xlsx", tmp_path / "all.xlsx", passphrase=PASSPHRASE, unencrypted=True
        )
    assert not list(tmp_path.glob("all*")) and _audit(ctx) == []


def test_the_encrypted_xlsx_hides_names_and_reads_back_with_the_passphrase(ctx, tmp_path):
    report_fixture.build(ctx)
    _known_person(ctx)
    result = export.export_register(ctx, "xlsx", tmp_path / "all.xlsx", passphrase=PASSPHRASE)
    assert result.path == tmp_path / "all.xlsx.zip"
    raw = result.path.read_bytes()
    for word in (KNOWN_NAME, KNOWN_FAMILY, "Stojanovi", KNOWN_JMBG, "Nikoli"):
        assert word.encode("utf-8") not in raw, word
    with zipfile.ZipFile(result.path) as archive:  # the headers as any zip tool reads them
        [info] = archive.infolist()
    assert info.filename == "all.xlsx" and info.flag_bits & 0x1  # encrypted
    assert info.compress_type == 99  # WinZip AES
    book = load_workbook(io.BytesIO(_read_encrypted(result.path, "all.xlsx")))
    assert book.sheetnames == list(export.FULL_TABLES)
    persons = list(book["persons"].iter_rows(values_only=True))
    header = persons[0]
    row = next(r for r in persons[1:] if r[header.index("given_name")] == KNOWN_NAME)
    assert (row[header.index("family_name")], row[header.index("jmbg")]) == (
        KNOWN_FAMILY,
        KNOWN_JMBG,
    )
    assert len(persons) - 1 == result.counts["persons"] == 12
    [(_action, _entity, _user, after)] = _audit(ctx)
    assert json.loads(after)["encrypted"] is True
    assert PASSPHRASE not in after  # the audit trail never keeps the passphrase


def test_a_wrong_passphrase_opens_nothing(ctx, tmp_path):
    report_fixture.build(ctx)
    result = export.export_register(ctx, "csv", tmp_path / "all", passphrase=PASSPHRASE)
    assert result.path == tmp_path / "all.zip"
    with pytest.raises(RuntimeError, match="Bad password"):
        _read_encrypted(result.path, "persons.csv", "Čuvaj ovo 2027!")
    text = _read_encrypted(result.path, "persons.csv").decode("utf-8-sig")
    assert {p["given_name"] for p in csv.DictReader(io.StringIO(text))} >= {"Ana", "Xavi"}
    with zipfile.ZipFile(result.path) as plain, pytest.raises(NotImplementedError):
        plain.read("persons.csv", pwd=PASSPHRASE.encode())  # the standard library has no AES


def test_an_unencrypted_export_says_so_in_the_audit_trail(ctx, tmp_path):
    report_fixture.build(ctx)
    export.export_register(ctx, "xlsx", tmp_path / "all.xlsx", unencrypted=True)
    [(_action, _entity, _user, after)] = _audit(ctx)
    assert json.loads(after)["encrypted"] is False


@pytest.mark.parametrize("protection", [{"passphrase": PASSPHRASE}, {"unencrypted": True}])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_exports_are_owner_only_whatever_the_umask(ctx, tmp_path, fmt, protection):
    report_fixture.build(ctx)
    old = os.umask(0o022)
    try:
        result = export.export_register(ctx, fmt, tmp_path / "all", **protection)
    finally:
        os.umask(old)
    assert result.path.stat().st_mode & 0o777 == 0o600


def test_the_encrypted_xlsx_keeps_its_temporary_sheets_beside_it(ctx, tmp_path, monkeypatch):
    import tempfile

    report_fixture.build(ctx)
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    target = tmp_path / "usb" / "all.xlsx.zip"
    target.parent.mkdir()  # the stick is plugged in
    export.export_register(ctx, "xlsx", target, passphrase=PASSPHRASE)
    assert list(system_tmp.iterdir()) == []
    assert sorted(p.name for p in target.parent.iterdir()) == ["all.xlsx.zip"]


@pytest.mark.skipif(
    not any(shutil.which(t) for t in ("7z", "7zz", "7za")), reason="no 7-Zip on this machine"
)
def test_7zip_opens_the_encrypted_export(ctx, tmp_path):
    import subprocess

    report_fixture.build(ctx)
    result = export.export_register(ctx, "xlsx", tmp_path / "all", passphrase=PASSPHRASE)
    tool = next(shutil.which(t) for t in ("7z", "7zz", "7za") if shutil.which(t))
    listing = subprocess.run(
        [tool, "l", "-slt", str(result.path)], capture_output=True, text=True, check=True
    ).stdout
    assert "Method = AES-256" in listing
    ok = subprocess.run(
        [tool, "t", f"-p{PASSPHRASE}", str(result.path)], capture_output=True, text=True
    )
    assert ok.returncode == 0 and "Everything is Ok" in ok.stdout
    wrong = subprocess.run([tool, "t", "-pwrong one!!", str(result.path)], capture_output=True)
    assert wrong.returncode != 0


# --- the whole register holds the whole picture (issue 16 §7) ----------------------------


def _tables(path) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(path) as archive:
        return {
            name: list(csv.DictReader(io.StringIO(archive.read(f"{name}.csv").decode("utf-8-sig"))))
            for name in export.FULL_TABLES
        }


def test_the_whole_register_holds_documents_history_workshops_and_attendance(ctx, tmp_path):
    from docassist.services import households as hh

    people = report_fixture.build(ctx)
    result = export.export_register(ctx, "csv", tmp_path / "all.zip", unencrypted=True)
    tables = _tables(result.path)
    assert {t: len(rows) for t, rows in tables.items()} == result.counts
    for table in ("documents", "case_events", "workshops", "attendance", "users"):
        assert tables[table], table
    # each row hangs from rows of the export: the picture can be rebuilt from it alone
    person_ids = {p["id"] for p in tables["persons"]}
    household_ids = {h["id"] for h in tables["households"]}
    case_ids = {c["id"] for c in tables["cases"]}
    workshop_ids = {w["id"] for w in tables["workshops"]}
    assert {d["person_id"] for d in tables["documents"]} <= person_ids
    assert {e["case_id"] for e in tables["case_events"]} == case_ids  # each case has history
    assert {a["workshop_id"] for a in tables["attendance"]} <= workshop_ids
    assert {a["household_id"] for a in tables["attendance"]} <= household_ids
    assert {a["person_id"] for a in tables["attendance"] if a["person_id"]} <= person_ids
    assert {"kind", "state"} <= set(tables["documents"][0])
    assert {"kind", "from_status", "to_status", "at"} <= set(tables["case_events"][0])
    assert {"held_on", "place", "checklists"} <= set(tables["workshops"][0])
    assert {w["held_on"] for w in tables["workshops"]} >= {"2026-05-01", "2026-09-01"}
    # staff: who opened a case or ran a workshop, and nothing about how they sign in
    assert set(tables["users"][0]) == {"id", "name", "role", "language", "created_at", "updated_at"}
    assert "Milica" in {u["name"] for u in tables["users"]}
    # a removed person's papers and presence leave with them
    ana = people["a"]["Ana"]
    assert ana in {d["person_id"] for d in tables["documents"]} | {
        a["person_id"] for a in tables["attendance"]
    }
    hh.remove_person(ctx, ana)
    again = _tables(
        export.export_register(ctx, "csv", tmp_path / "again.zip", unencrypted=True).path
    )
    assert ana not in {d["person_id"] for d in again["documents"]}
    assert ana not in {a["person_id"] for a in again["attendance"]}


def test_the_whole_register_as_xlsx_has_a_sheet_per_table_with_dates(ctx, tmp_path):
    report_fixture.build(ctx)
    result = export.export_register(ctx, "xlsx", tmp_path / "all.xlsx", unencrypted=True)
    book = load_workbook(result.path)
    assert book.sheetnames == list(export.FULL_TABLES)
    assert all(len(name) <= export.SHEET_NAME_MAX for name in book.sheetnames)
    workshops = list(book["workshops"].iter_rows(values_only=True))
    column = workshops[0].index("held_on")
    assert all(isinstance(r[column], datetime) for r in workshops[1:])
    assert book["attendance"].max_row - 1 == result.counts["attendance"] > 0
