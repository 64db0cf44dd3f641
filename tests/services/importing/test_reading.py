"""Reading the files organisations keep: CSV in either encoding, XLSX, and files
that are no list."""

from __future__ import annotations

from datetime import datetime

import pytest

from docassist.services import importing as imp
from tests.services.importing.support import (
    BAD_JMBG,
    GOOD_MARIJA,
    by_line,
    counts,
)


def test_cp1250_file_is_read_with_a_note(ctx, tmp_path):
    path = tmp_path / "excel-export.csv"
    text = "Ime,Prezime,Godište\nĐurđa,Šćekić,1984\nŽivko,Čolić,1979\n"
    path.write_bytes(text.encode("cp1250"))
    plan = imp.check_import(ctx, path)
    assert plan.encoding == "cp1250"
    assert [n.code for n in plan.notes] == ["import.cp1250"]
    # Names from the file, so the user can see whether the letters came out right.
    assert "Đurđa Šćekić; Živko Čolić" in plan.notes[0].render()
    assert not plan.problems and plan.people == 2
    imp.apply_import(ctx, plan)
    names = ctx.db.execute("SELECT given_name, family_name FROM persons ORDER BY rowid").fetchall()
    assert names == [("Đurđa", "Šćekić"), ("Živko", "Čolić")]


def test_xlsx_with_cyrillic_headers_number_and_date_cells(ctx, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "list.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    wb.active.append(["This sheet is not the list"])
    ws = wb.create_sheet("Породице")
    ws.append(["Домаћинство", "Име", "Презиме", "ЈМБГ", "Датум рођења", "Пол"])
    # Excel stored the JMBG as a number and dropped its leading 0.
    ws.append([7, "Марија", "Петровић", int(GOOD_MARIJA), datetime(1990, 3, 4), "Ж"])
    ws.append([7, "Marko", "Petrović", None, 2018, "m"])
    ws.append([8, "Ana", "Jovanović", BAD_JMBG, "31.02.1990", "Ž"])
    ws.append([None, None, None, None, None, None])
    ws.append([8, "", "Jovanović", None, 2015, "?"])
    wb.save(path)

    with pytest.raises(imp.ImportFileError, match="no sheet 'List'"):
        imp.check_import(ctx, path, sheet="List")
    before = counts(ctx)
    plan = imp.check_import(ctx, path, sheet="Породице")
    assert counts(ctx) == before
    problems = by_line(plan)
    assert set(problems) == {2, 4, 6}
    (zero,) = problems[2]
    assert zero.problem.code == "import.jmbg_zero" and not zero.is_error
    assert {p.problem.code for p in problems[4]} >= {"jmbg.check_digit", "date.bad_day"}
    assert {p.problem.code for p in problems[6]} == {"import.missing_name", "import.sex"}
    assert [h.lines for h in plan.households] == [[2, 3]]

    imp.apply_import(ctx, plan)
    row = ctx.db.execute(
        "SELECT jmbg, birth_date, sex FROM persons WHERE given_name = 'Марија'"
    ).fetchone()
    assert row == (GOOD_MARIJA, "1990-03-04", "f")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "There is no file"),
        ("old.xls", b"\xd0\xcf\x11\xe0", "old Excel file"),
        ("fake.xlsx", b"not a zip", "cannot be read as an Excel file"),
        ("notes.pdf", b"%PDF", "only CSV"),
        ("empty.csv", b"", "has no rows"),
        ("names.csv", b"Ime oca;Napomena\nPera;x\n", "No column is chosen for the given"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        ("noise.csv", bytes((i * 37 + 11) % 256 for i in range(3000)), "not look like a"),
        ("words.txt", b"hello world\nthis is not a spreadsheet\n", "not divided into columns"),
    ],
    ids=lambda value: value if isinstance(value, str) and "." in value else "",
)
def test_bad_files_are_one_clear_error(ctx, tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(imp.ImportFileError) as err:
        imp.check_import(ctx, path)
    assert message in err.value.render()
    if "not look like" in message or "binary" in message:
        assert err.value.render().startswith(f"{path} does not look like a spreadsheet")


def test_rows_are_streamed_not_loaded(ctx, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("Ime;Prezime\nAna;Ilić\nMara;Ilić\n", encoding="utf-8")
    with imp.open_table(path) as table:
        first = next(table.rows)
        assert first == (2, ["Ana", "Ilić"])
        assert not isinstance(table.rows, list)


def test_bytes_that_are_neither_utf8_nor_cp1250_are_refused_where_imported(ctx, tmp_path):
    path = tmp_path / "odd.csv"
    # 0x81 means nothing in UTF-8 (alone) or in Windows-1250.
    path.write_bytes(b"Ime;Prezime\nAna;Jovanovi\x81\nMara;Ilic\n")
    plan = imp.check_import(ctx, path)
    assert plan.encoding == "utf-8-sig"
    assert [n.render() for n in plan.notes] == [
        "The file is UTF-8, but these lines hold bytes that are not, shown as �: 2."
    ]
    (bad,) = by_line(plan)[2]
    assert bad.is_error and bad.field == "family_name"
    assert imp.describe(bad).startswith("Family name: 'Jovanovi�' holds bytes")
    assert plan.people == 1  # Mara only


# "Šćekić" as Windows-1250 bytes would come out of a UTF-8 reading as "Ĺ Ä‡ekiÄ‡".
MIXED = "Ime;Prezime;Godište;Napomena\nĐorđe;Šćekić;1977;ok\nŽana;Čolić;1980;stray ".encode()


def test_a_stray_byte_in_a_utf8_file_spoils_only_its_own_line(ctx, tmp_path):
    path = tmp_path / "mixed.csv"
    # One byte from Windows-1250 in a column that is not imported.
    path.write_bytes(MIXED + b"\x9a byte\n" + "Vesna;Đurić;1990;".encode() + b"\xe8\n")
    plan = imp.check_import(ctx, path)
    assert plan.encoding == "utf-8-sig"
    assert [n.code for n in plan.notes] == ["import.not_utf8"]
    assert plan.notes[0].render().endswith(": 3, 4.")
    problems = by_line(plan)
    assert set(problems) == {3, 4}
    for line in (3, 4):
        (warning,) = problems[line]
        assert not warning.is_error and "Napomena" in imp.describe(warning)
    imp.apply_import(ctx, plan)
    names = ctx.db.execute("SELECT given_name, family_name FROM persons ORDER BY rowid").fetchall()
    assert names == [("Đorđe", "Šćekić"), ("Žana", "Čolić"), ("Vesna", "Đurić")]


def test_a_utf8_line_in_a_cp1250_file_is_refused_not_garbled(ctx, tmp_path):
    path = tmp_path / "excel.csv"
    rows = "Ime;Prezime\nĐurđa;Šćekić\nŽivko;Čolić\nČedomir;Đokić\n"
    path.write_bytes(rows.encode("cp1250") + "Šaban;Šćekić\n".encode())
    plan = imp.check_import(ctx, path)
    assert plan.encoding == "cp1250"
    assert [n.code for n in plan.notes] == ["import.cp1250", "import.not_cp1250"]
    assert plan.notes[1].render().endswith(": 5.")
    given, family = by_line(plan)[5]
    assert {given.problem.code, family.problem.code} == {"import.utf8_in_cp1250"}
    assert imp.describe(given).startswith("Given name: This line is in UTF-8 ('Šaban')")
    assert "('Šćekić')" in imp.describe(family) and family.is_error
    assert plan.people == 3


# ---------------------------------------------- broken Excel files (issue 14 §8)


def _good_xlsx(path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Ime", "Prezime", "JMBG"])
    book.active.append(["Marko", "Petrović", "0101990710012"])
    book.save(path)
    return path


def _rewritten(tmp_path, name, change):
    import zipfile

    good = _good_xlsx(tmp_path / "good.xlsx")
    out = tmp_path / name
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for member in src.namelist():
            data = change(member, src.read(member))
            if data is not None:
                dst.writestr(member, data)
    return out


def _sheet_garbage(member, data):
    return b"<worksheet><sheetData><row><c" if member.endswith("sheet1.xml") else data


def _no_sheets(member, data):
    if member != "xl/workbook.xml":
        return data
    head, rest = data.split(b"<sheets>", 1)
    return head + b"<sheets></sheets>" + rest.split(b"</sheets>", 1)[1]


def _body(data: bytes) -> bytes:
    return data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data


def _entity_bomb(member, data):
    if not member.endswith("sheet1.xml"):
        return data
    doctype = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    )
    return doctype + _body(data).replace(b"Marko", b"&b;")


def _external_entity(member, data):
    if not member.endswith("sheet1.xml"):
        return data
    doctype = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    return doctype + _body(data).replace(b"Marko", b"&e;")


def _absurd_dimension(member, data):
    if not member.endswith("sheet1.xml"):
        return data
    return data.replace(b"<sheetData>", b'<dimension ref="A1:C99999999999999999999"/><sheetData>')


def _zlib_damaged(tmp_path):
    raw = bytearray(_good_xlsx(tmp_path / "good.xlsx").read_bytes())
    at = raw.find(b"xl/worksheets/sheet1.xml")
    raw[at + 60 : at + 90] = b"\xff" * 30
    path = tmp_path / "zlib.xlsx"
    path.write_bytes(bytes(raw))
    return path


BROKEN = {
    "garbage.xlsx": _sheet_garbage,
    "no-sheets.xlsx": _no_sheets,
    "bomb.xlsx": _entity_bomb,
    "external.xlsx": _external_entity,
    "dimension.xlsx": _absurd_dimension,
}


@pytest.mark.parametrize("name", [*BROKEN, "zlib.xlsx", "truncated.xlsx"])
def test_a_broken_excel_file_is_one_message_naming_it(ctx, tmp_path, name):
    if name == "zlib.xlsx":
        path = _zlib_damaged(tmp_path)
    elif name == "truncated.xlsx":
        path = tmp_path / name
        path.write_bytes(_good_xlsx(tmp_path / "good.xlsx").read_bytes()[:700])
    else:
        path = _rewritten(tmp_path, name, BROKEN[name])
    try:
        plan = imp.check_import(ctx, path)
    except imp.ImportFileError as err:
        text = err.render()
        assert name in text and "cannot be read as an Excel file" in text
        assert "passwd" not in text and "root:" not in text
    else:
        # A file openpyxl can still read (it ignores what it does not use) must not
        # have taken anything from outside the file.
        assert "root:" not in repr(plan)
