"""The dry run's limit on rows: refused fast, counted right."""

from __future__ import annotations

import pytest

from docassist.services import importing as imp
from docassist.services.importing import dry_run
from docassist.services.importing.checker import RowChecker


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_too_many_rows_are_refused_before_any_row_is_checked(ctx, tmp_path, monkeypatch, suffix):
    monkeypatch.setattr(dry_run, "MAX_ROWS", 3)
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
    monkeypatch.setattr(RowChecker, "check", checked)
    with pytest.raises(imp.ImportFileError, match="more than 3 rows"):
        imp.check_import(ctx, path)


def test_rows_at_the_limit_are_checked_blank_lines_do_not_count(ctx, tmp_path, monkeypatch):
    monkeypatch.setattr(dry_run, "MAX_ROWS", 3)
    path = tmp_path / "list.csv"
    path.write_text("Ime;Prezime\n\nAna;Ilić\n\nMara;Ilić\nSava;Ilić\n\n", encoding="utf-8")
    assert imp.check_import(ctx, path).rows == 3


def test_excel_rows_are_counted_in_the_sheet_blank_formatted_rows_do_not_count(
    ctx, tmp_path, monkeypatch
):
    openpyxl = pytest.importorskip("openpyxl")
    from openpyxl.styles import Font

    monkeypatch.setattr(dry_run, "MAX_ROWS", 3)
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
