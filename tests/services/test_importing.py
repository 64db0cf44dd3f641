"""Spreadsheet import: nothing written by the dry run, exactly the good rows by the import."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from docassist.domain.model import Sex
from docassist.services import households as hh
from docassist.services import importing as imp

FIXTURE = Path(__file__).parent.parent / "fixtures" / "import" / "households.csv"
GOOD_MARIJA = "0403990715138"  # a woman born 04.03.1990 in Belgrade
BAD_JMBG = "1501985732306"  # the check digit should be 5


def _counts(ctx) -> tuple[int, int, int]:
    return tuple(
        ctx.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("households", "persons", "audit_log")
    )


def _existing_nikolic(ctx) -> None:
    """Dragan Nikolić, born 1975, registered before the import (in Cyrillic)."""
    hh.register_household(
        ctx,
        hh.HouseholdInput("Николић", settlement="Crvena Zvezda", municipality="Niš"),
        [hh.PersonInput("Драган", "Николић", birth_date="1975", sex=Sex.MALE)],
    )


def _by_line(plan: imp.ImportPlan) -> dict[int, list[imp.RowProblem]]:
    found: dict[int, list[imp.RowProblem]] = {}
    for p in plan.problems:
        found.setdefault(p.line, []).append(p)
    return found


def test_guess_mapping_reads_headers_in_every_script_and_language():
    headers = ["Домаћинство", "IME", "Prezime", "ЈМБГ", "Datum rođenja (dd.mm.gggg)", "Pol",
               "Ime oca", "Opština", "naselje", "Adresa", "household", "first name"]  # fmt: skip
    mapping = imp.guess_mapping(headers)
    assert mapping == {
        "household": 0,
        "given_name": 1,
        "family_name": 2,
        "jmbg": 3,
        "birth_date": 4,
        "sex": 5,
        "municipality": 7,
        "settlement": 8,
        "address": 9,
    }  # "Ime oca" (father's name) is not a given name; later repeats stay unmapped


def test_overrides_by_header_or_number_and_clear_errors():
    headers = ["Ime", "Prezime", "Ime oca"]
    assert imp.resolve_overrides(headers, [("ime oca", "given_name")]) == {
        "given_name": 2,
        "family_name": 1,
    }
    assert "given_name" not in imp.resolve_overrides(headers, [("1", "-")])
    with pytest.raises(imp.ImportFileError, match="no column 'Adresa'"):
        imp.resolve_overrides(headers, [("Adresa", "address")], "f.csv")
    with pytest.raises(imp.ImportFileError, match="not a field"):
        imp.resolve_overrides(headers, [("Ime", "name")])


def test_dry_run_reports_each_bad_row_and_writes_nothing(ctx):
    _existing_nikolic(ctx)
    before = _counts(ctx)
    plan = imp.check_import(ctx, FIXTURE)
    assert _counts(ctx) == before

    assert plan.encoding == "utf-8-sig" and not plan.notes
    assert imp.column_names(plan.headers)[0] == "Domaćinstvo"  # the title line was skipped
    problems = _by_line(plan)
    assert set(problems) == {5, 6, 7, 10, 12}
    # A check digit that does not match is a warning with its line, not a blocked row:
    # some real documents carry such numbers (domain.md §7.2).
    (check_digit,) = problems[5]
    assert "does not match the others (it should be 5, not 6)" in imp.describe(check_digit)
    assert check_digit.field == "jmbg" and not check_digit.is_error
    assert "There is no 31.02." in imp.describe(problems[6][0])
    assert problems[6][0].is_error
    assert [p.problem.message for p in problems[7]] == ["The given name is missing."]
    # Already registered in Cyrillic, typed in Latin: a warning, not an error.
    (dup,) = problems[10]
    assert dup.duplicate and not dup.is_error and "Драган Николић" in imp.describe(dup)
    (twice,) = problems[12]
    assert twice.duplicate and "line 3" in imp.describe(twice)

    assert (plan.rows, plan.error_rows, plan.duplicate_rows) == (9, 2, 2)
    # 1: Marija, Marko, Jovan (his check digit is only a warning); 2: Stefan;
    # Ljiljana alone. Dragan (10) and the second Marija (12) are likely duplicates, left out.
    assert [h.lines for h in plan.households] == [[3, 4, 5], [8], [11]]
    assert plan.people == 5


def test_keeping_likely_duplicates_is_the_callers_choice(ctx):
    _existing_nikolic(ctx)
    plan = imp.check_import(ctx, FIXTURE, skip_duplicates=False)
    # ... 3: Dragan; 4: the second Marija, in a household of their own.
    assert [h.lines for h in plan.households] == [[3, 4, 5], [8], [10], [11], [12]]
    assert plan.people == 7 and plan.duplicate_rows == 2


def test_the_same_list_imported_twice_comes_in_once(ctx, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(
        f"Ime;Prezime;JMBG;Godište\nMarija;Petrović;{GOOD_MARIJA};1990\n"
        "Stefan;Jovanović;;2012\nLjiljana;Đorđević;;oko 1960\nAna;Ilić;;\n",
        encoding="utf-8",
    )
    imp.apply_import(ctx, imp.check_import(ctx, path))
    before = _counts(ctx)
    again = imp.check_import(ctx, path)
    assert again.households == [] and again.people == 0
    codes = {line: [p.problem.code for p in found] for line, found in _by_line(again).items()}
    assert codes == {
        2: ["import.same_jmbg"],  # an error, whatever the caller asks
        3: ["import.likely_duplicate"],
        4: ["import.likely_duplicate"],
        5: ["import.likely_duplicate"],  # no year: any Ana Ilić is her
    }
    assert (again.error_rows, again.duplicate_rows) == (1, 3)
    kept = imp.check_import(ctx, path, skip_duplicates=False)
    assert kept.people == 3  # only when asked; the JMBG is still refused
    assert _counts(ctx) == before


def test_apply_writes_exactly_the_good_rows_with_one_audit_entry_each(ctx):
    _existing_nikolic(ctx)
    households, persons, audits = _counts(ctx)
    plan = imp.check_import(ctx, FIXTURE)
    result = imp.apply_import(ctx, plan)

    assert len(result.households) == 3 and result.people == 5
    assert _counts(ctx) == (households + 3, persons + 5, audits + 3 + 5)
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
    before = _counts(ctx)
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
    assert _counts(ctx) == before


def test_apply_refuses_a_file_changed_since_the_check(ctx, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("Ime;Prezime\nAna;Jovanović\n", encoding="utf-8")
    plan = imp.check_import(ctx, path)
    path.write_text("Ime;Prezime\nAna;Jovanović\nMarko;Jovanović\n", encoding="utf-8")
    before = _counts(ctx)
    with pytest.raises(imp.ImportFileError, match="changed since it was checked"):
        imp.apply_import(ctx, plan)
    assert _counts(ctx) == before


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
    before = _counts(ctx)
    plan = imp.check_import(ctx, path, sheet="Породице")
    assert _counts(ctx) == before
    problems = _by_line(plan)
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


def test_a_jmbg_already_registered_is_an_error_not_a_second_record(ctx, tmp_path):
    hh.register_household(
        ctx, hh.HouseholdInput("Petrović"), [hh.PersonInput("Marija", "Petrović", jmbg=GOOD_MARIJA)]
    )
    path = tmp_path / "list.csv"
    path.write_text(
        f"Ime;Prezime;JMBG\nMara;Petrović;{GOOD_MARIJA}\nAna;Ilić;\nAna;Ilić2;{GOOD_MARIJA}\n",
        encoding="utf-8",
    )
    plan = imp.check_import(ctx, path)
    problems = _by_line(plan)
    assert problems[2][0].problem.code == "import.same_jmbg" and problems[2][0].is_error
    assert problems[4][0].problem.code == "import.same_jmbg"
    assert plan.people == 1


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


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_too_many_rows_are_refused_before_any_row_is_checked(ctx, tmp_path, monkeypatch, suffix):
    monkeypatch.setattr(imp, "MAX_ROWS", 3)
    path = tmp_path / f"big{suffix}"
    rows = [["Ime", "Prezime"], *([f"A{i}", "B"] for i in range(4))]
    if suffix == ".csv":
        path.write_text("".join(f"{a};{b}\n" for a, b in rows), encoding="utf-8")
    else:
        openpyxl = pytest.importorskip("openpyxl")
        wb = openpyxl.Workbook()
        for row in rows:
            wb.active.append(row)
        wb.save(path)

    def checked(*args):
        raise AssertionError("a row was checked")

    # Checking a row searches the register (slow): 100,001 rows took 27 s to refuse.
    monkeypatch.setattr(imp._Checker, "check", checked)
    with pytest.raises(imp.ImportFileError, match="more than 3 rows"):
        imp.check_import(ctx, path)


def test_rows_at_the_limit_are_checked_blank_lines_do_not_count(ctx, tmp_path, monkeypatch):
    monkeypatch.setattr(imp, "MAX_ROWS", 3)
    path = tmp_path / "list.csv"
    path.write_text("Ime;Prezime\n\nAna;Ilić\n\nMara;Ilić\nSava;Ilić\n\n", encoding="utf-8")
    assert imp.check_import(ctx, path).rows == 3


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
    (bad,) = _by_line(plan)[2]
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
    problems = _by_line(plan)
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
    given, family = _by_line(plan)[5]
    assert {given.problem.code, family.problem.code} == {"import.utf8_in_cp1250"}
    assert imp.describe(given).startswith("Given name: This line is in UTF-8 ('Šaban')")
    assert "('Šćekić')" in imp.describe(family) and family.is_error
    assert plan.people == 3


def test_a_jmbg_in_scientific_notation_is_one_clear_error(ctx, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("Ime;Prezime;JMBG\nAna;Ilić;1.23457E+12\nMara;Ilić;1,23457E+12\n", "utf-8")
    plan = imp.check_import(ctx, path)
    for line in (2, 3):
        (only,) = _by_line(plan)[line]
        assert only.problem.code == "import.jmbg_scientific" and only.is_error
        assert "scientific notation" in imp.describe(only)
    assert plan.people == 0


def test_excel_rows_are_counted_in_the_sheet_blank_formatted_rows_do_not_count(
    ctx, tmp_path, monkeypatch
):
    openpyxl = pytest.importorskip("openpyxl")
    from openpyxl.styles import Font

    monkeypatch.setattr(imp, "MAX_ROWS", 3)
    path = tmp_path / "list.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["Ime", "Prezime"], ["Ana", "Ilić"], ["Mara", "Ilić"], ["Sava", "Ilić"]):
        ws.append(row)
    for line in range(5, 12):  # formatted, but nothing typed in them
        ws.cell(line, 1).font = Font(bold=True)
    wb.save(path)
    with imp.open_table(path) as table:
        assert table.xml_rows is not None and table.xml_rows() == 4
    assert imp.check_import(ctx, path).rows == 3
    ws.append(["Pera", "Ilić"])
    wb.save(path)
    with pytest.raises(imp.ImportFileError, match="more than 3 rows"):
        imp.check_import(ctx, path)


def test_over_long_cells_are_refused_and_never_quoted_whole(ctx, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(
        "Ime;Prezime;Pol;Datum rođenja\n"
        f"Ana;{'Ш' * 32_000};Ž;1990\n"
        f"Mara;Ilić;Ž;{'1' * 5000}\n"
        f"Sava;Ilić;{'nije poznato ' * 5};1990\n"
        f"Vesna;Ilić;Ž;{'1990 ' * 15}\n",
        encoding="utf-8",
    )
    plan = imp.check_import(ctx, path)
    problems = _by_line(plan)
    (name,) = problems[2]
    assert name.field == "family_name" and name.is_error
    assert imp.describe(name) == "Family name: This is 32000 characters long; at most 100 fit here."
    (birth,) = problems[3]
    assert birth.field == "birth_date" and birth.problem.code == "too_long"
    (sex,) = problems[4]
    assert not sex.is_error and "…" in imp.describe(sex) and len(imp.describe(sex)) < 120
    (date,) = problems[5]
    assert date.is_error and "…" in imp.describe(date) and len(imp.describe(date)) < 160
    assert plan.people == 1 and plan.error_rows == 3


def test_a_dropped_zero_is_put_back_only_when_the_check_digit_agrees(ctx, tmp_path):
    # The agreeing check digit is the evidence that the 0 is what the spreadsheet lost;
    # now that a wrong check digit is only a warning, it must still decide the repair.
    path = tmp_path / "list.csv"
    lost_zero = GOOD_MARIJA[1:]
    wrong_digit = GOOD_MARIJA[1:12] + "7"
    path.write_text(
        f"Ime;Prezime;JMBG\nMarija;Petrović;{lost_zero}\nAna;Ilić;{wrong_digit}\n",
        encoding="utf-8",
    )
    problems = _by_line(imp.check_import(ctx, path))
    assert [p.problem.code for p in problems[2]] == ["import.jmbg_zero"]
    assert [p.problem.code for p in problems[3]] == ["jmbg.length"]
    assert problems[3][0].is_error
