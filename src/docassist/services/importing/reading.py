"""Reading CSV and XLSX files: the delimiter, the header row, and a stream of rows
that never holds the whole file in memory (the encoding is ``encoding``'s)."""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from docassist.domain.text import N_, Problem
from docassist.services.importing.encoding import SNIFF_BYTES, detect_encoding
from docassist.services.importing.fields import guess_mapping
from docassist.services.importing.problems import ImportFileError

#: How many rows at the top may be a title before the header row.
HEADER_SEARCH_ROWS = 10
_CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
_XLSX_SUFFIXES = {".xlsx", ".xlsm"}


@dataclass
class Table:
    """An open spreadsheet: its header and a stream of the rows below it."""

    path: Path
    headers: list[str]
    header_line: int
    rows: Iterator[tuple[int, list[str]]]  # (line, cells), blank rows left out
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None
    encoding: str | None = None
    notes: list[Problem] = field(default_factory=list)
    row_bound: int | None = None  # no more rows than this; None when not known
    # Excel: counts the sheet's rows holding a value, fast (None if it cannot).
    xml_rows: Callable[[], int | None] | None = None


def _cell_text(value: Any) -> str:
    """A cell as text, the way a person reading the sheet would see it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value.day:02d}.{value.month:02d}.{value.year}"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _sniff_dialect(sample: str) -> type[csv.Dialect]:
    """Semicolon (Serbian Excel), comma or tab: the one that splits the top lines alike.

    csv.Sniffer is fooled by a title line such as "Spisak porodica, Mali Leskovac"
    above a semicolon table; counting per line and preferring the most common count
    is not.
    """
    lines = [line for line in sample.splitlines()[:30] if line.strip()]
    best, best_score = ";", (0, 0)
    for delimiter in ";,\t":
        counts = [line.count(delimiter) for line in lines]
        common = max((c for c in counts if c), key=counts.count, default=0)
        score = (counts.count(common) if common else 0, common)
        if score > best_score:
            best, best_score = delimiter, score

    class Dialect(csv.excel):
        delimiter = best

    return Dialect


def _blank(cells: list[str]) -> bool:
    return not any(c.strip() for c in cells)


def _find_header(
    rows: Iterator[tuple[int, list[str]]],
) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    """The header row: the first of the top rows naming two known fields.

    Lists often start with a title ("Spisak porodica, Mali Leskovac, 2024"). Rows read
    while looking are handed back so none is lost.
    """
    seen: list[tuple[int, list[str]]] = []
    for line, cells in rows:
        seen.append((line, cells))
        if len(guess_mapping(cells)) >= 2:
            return line, cells, []
        if len(seen) >= HEADER_SEARCH_ROWS:
            break
    if not seen:
        raise ImportFileError(N_("{path} has no rows at all."), path="")
    line, cells = seen[0]
    return line, cells, seen[1:]


def _csv_rows(path: Path, encoding: str) -> Generator[tuple[int, list[str]], None, None]:
    # A byte that does not fit the encoding becomes the replacement mark; the notes
    # name its line and the row checks refuse a cell holding it.
    with path.open("r", encoding=encoding, errors="replace", newline="") as f:
        sample = f.read(SNIFF_BYTES)
        f.seek(0)
        reader = csv.reader(f, _sniff_dialect(sample))
        while True:
            # The line a record starts on: a quoted cell may span several lines.
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as err:
                raise ImportFileError(
                    N_("{path}:{line}: the file cannot be read as CSV ({detail})."),
                    path=str(path),
                    line=start,
                    detail=str(err),
                ) from err
            cells = [c.strip() for c in cells]
            if not _blank(cells):
                yield start, cells


_UNREADABLE_XLSX = N_("{path} cannot be read as an Excel file ({detail}).")


def _unreadable_xlsx(path: Path, err: BaseException) -> ImportFileError:
    # The class names the reason (BadZipFile, ParseError, EntitiesForbidden ...); the
    # message may quote the file's content, so it is left out.
    kind = type(err).__name__
    if kind.islower():  # zlib.error, struct.error: the module says which
        kind = f"{type(err).__module__}.{kind}"
    return ImportFileError(_UNREADABLE_XLSX, path=str(path), detail=kind)


def _xlsx_rows(worksheet: Any, path: Path) -> Iterator[tuple[int, list[str]]]:
    # openpyxl parses the sheet's XML as the rows are read, so a broken file fails here,
    # deep in a check or an import, with whatever the XML, zip or zlib reader raised.
    rows = worksheet.iter_rows(values_only=True)
    line = 0
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as err:  # noqa: BLE001 - any failure of the parser on a bad file
            raise _unreadable_xlsx(path, err) from err
        line += 1
        cells = [_cell_text(v) for v in values]
        if not _blank(cells):
            yield line, cells


@contextmanager
def open_table(path: Path | str, sheet: str | None = None) -> Iterator[Table]:
    """Open a CSV or XLSX file for reading; raises ``ImportFileError`` with the reason."""
    path = Path(path).expanduser()
    if not path.exists():
        raise ImportFileError(N_("There is no file {path}."), path=str(path))
    if path.is_dir():
        raise ImportFileError(N_("{path} is a folder, not a spreadsheet."), path=str(path))
    if not os.access(path, os.R_OK):
        raise ImportFileError(N_("{path} cannot be read (no permission)."), path=str(path))
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise ImportFileError(
            N_("{path} is an old Excel file (.xls). Save it as .xlsx or CSV, then import that."),
            path=str(path),
        )
    if suffix in _XLSX_SUFFIXES:
        with _open_xlsx(path, sheet) as table:
            yield table
    elif suffix in _CSV_SUFFIXES:
        if sheet:
            raise ImportFileError(
                N_("{path} is a CSV file: it has no sheets to choose from."), path=str(path)
            )
        encoding, notes, lines = detect_encoding(path)
        rows = _csv_rows(path, encoding)
        try:
            yield _table(
                path, rows, plain_text=True, encoding=encoding, notes=notes, row_bound=lines
            )
        finally:
            rows.close()
    else:
        raise ImportFileError(
            N_("{path}: only CSV (.csv) and Excel (.xlsx) files can be imported."),
            path=str(path),
        )


@contextmanager
def _open_xlsx(path: Path, sheet: str | None) -> Iterator[Table]:

    from openpyxl import load_workbook

    try:
        # read_only streams the sheet instead of building it in memory; data_only gives
        # the values formulas last showed, which is what the user saw.
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # noqa: BLE001 - a file from anywhere: any parser failure
        raise _unreadable_xlsx(path, err) from err
    try:
        try:
            table = _xlsx_table(path, workbook, sheet)
        except ImportFileError:
            raise
        except Exception as err:  # noqa: BLE001 - no sheet, an absurd <dimension>, bad XML
            raise _unreadable_xlsx(path, err) from err
        yield table
    finally:
        workbook.close()


def _xlsx_table(path: Path, workbook: Any, sheet: str | None) -> Table:
    names = list(workbook.sheetnames)
    if sheet is None:
        worksheet = workbook.worksheets[0]
    elif sheet in names:
        worksheet = workbook[sheet]
    else:
        raise ImportFileError(
            N_("{path} has no sheet '{sheet}'. Its sheets are: {sheets}."),
            path=str(path),
            sheet=sheet,
            sheets=", ".join(names),
        )
    return _table(
        path,
        _xlsx_rows(worksheet, path),
        sheets=names,
        sheet=worksheet.title,
        # From the sheet's own record of its size (openpyxl reads no further);
        # None when it keeps none.
        row_bound=worksheet.max_row,
        xml_rows=lambda: _xlsx_value_rows(worksheet),
    )


def _table(
    path: Path, rows: Iterator[tuple[int, list[str]]], *, plain_text: bool = False, **extra: Any
) -> Table:
    try:
        header_line, headers, pending = _find_header(rows)
    except ImportFileError as err:
        raise ImportFileError(err.msgid, **{**err.params, "path": str(path)}) from None
    top = [headers, *(cells for _line, cells in pending)]
    if plain_text and all(sum(1 for c in cells if c) < 2 for cells in top):
        # Prose, or a list of single words: nothing to map a column to. (A sheet of an
        # Excel file is a table whatever it holds.)
        raise ImportFileError(
            N_(
                "{path} does not look like a spreadsheet: its lines are not divided into "
                "columns. Import a CSV or Excel (.xlsx) list."
            ),
            path=str(path),
        )

    def stream() -> Iterator[tuple[int, list[str]]]:
        yield from pending
        yield from rows

    return Table(path, headers, header_line, stream(), **extra)


# A row of a sheet's XML, and a value in it (<v>, or the <t> of an inline string).
_XML_ROW = re.compile(rb"<(?:\w+:)?row[\s>/][^>]*?(?:(?<=/)>|>(.*?)</(?:\w+:)?row>)", re.S)
_XML_VALUE = re.compile(rb"<(?:\w+:)?[vt](?:\s[^>]*)?>[^<]")


def _xlsx_value_rows(worksheet: Any) -> int | None:
    """How many rows of the sheet hold a value, from its XML; None if it cannot be read.

    Uses the reader's way to the sheet's XML, which openpyxl does not promise to keep:
    without it the rows are counted the slow way.
    """
    try:
        source = worksheet._get_source()
    except Exception:  # noqa: BLE001 - any change inside openpyxl: count the slow way
        return None
    count, pending = 0, b""
    with source:
        while chunk := _read_or_none(source):
            pending += chunk
            end = 0
            for match in _XML_ROW.finditer(pending):
                count += bool(match.group(1) and _XML_VALUE.search(match.group(1)))
                end = match.end()
            pending = pending[end:]
    return count


def _read_or_none(source: Any) -> bytes | None:
    """The next chunk of a sheet's XML; None at its end or where the zip is damaged (the
    rows are then counted the slow way, which says what is wrong)."""
    try:
        return source.read(1 << 20) or None
    except Exception:  # noqa: BLE001 - zlib.error, EOFError, BadZipFile on a damaged file
        return None


def read_headers(path: Path | str, sheet: str | None = None) -> tuple[list[str], list[str]]:
    """The column headers and (for Excel) the sheet names, for the mapping step."""
    with open_table(path, sheet) as table:
        return table.headers, table.sheets
