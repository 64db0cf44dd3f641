"""Bring in households from the spreadsheets organisations already keep.

Three steps, each usable on its own by the CLI and the TUI:

1. ``open_table`` reads the header of a CSV or XLSX file and ``guess_mapping`` says
   which column holds which field (headers in English, Serbian in either script, or
   Romani); the caller may change that mapping.
2. ``check_import`` is the dry run: every row is checked the way the household forms
   check typed input, and every bad row is reported with its line and reason. Nothing
   is written.
3. ``apply_import`` writes the rows that passed, in one transaction, through the
   households use cases, so each household and each person gets its own audit entry.

Decisions worth knowing:

- A row whose JMBG is already in the register (or on an earlier row of the file) is an
  error, never written: a JMBG belongs to one person, so it is the same person, and a
  second record would split their case history.
- A row that only *looks* like someone already known (same name and year of birth, as
  someone registered or on an earlier row) is not an error, as in the person form:
  namesakes are common in Roma settlements. But it is left out unless the caller asks
  to keep likely duplicates: importing the same list twice (easily done at the end of
  a long day) must not register every family again. The dry run lists each one.
- Rows are streamed, never loaded all at once. What is kept per row is small (a line
  number and a few duplicate keys), and files above ``MAX_ROWS`` are refused with a
  clear message, so memory stays bounded however big the file is.
- Households come from a household key column: rows with the same key are one family.
  A row without a key (or with no key column at all) is a household of its own. The
  family name, settlement, address, municipality and phone of a household are taken
  from its first imported row that has them.
- Consent: a household is recorded with the date the family agreed only when a consent
  column gives one. Without it the household screen asks for it, as for any household
  whose agreement is not recorded.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from docassist.domain import script
from docassist.domain.dates import DateProblem, parse_partial_date
from docassist.domain.jmbg import check_jmbg
from docassist.domain.model import Sex
from docassist.domain.text import N_, Problem, UserError
from docassist.services import households as hh
from docassist.services.context import Context

#: Refuse files with more data rows than this: the dry run keeps a few keys per row.
MAX_ROWS = 100_000
#: How many rows at the top may be a title before the header row.
HEADER_SEARCH_ROWS = 10
_SNIFF_BYTES = 64 * 1024
_CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
_XLSX_SUFFIXES = {".xlsx", ".xlsm"}

# --- fields ---------------------------------------------------------------------


@dataclass(frozen=True)
class ImportField:
    key: str
    label: str  # msgid
    # Header names as written in real lists, compared by search key (script, case and
    # diacritics do not matter, so "Prezime", "ПРЕЗИМЕ" and "prezime" are one entry).
    headers: tuple[str, ...]


FIELDS: tuple[ImportField, ...] = (
    ImportField(
        "household",
        N_("Household key"),
        ("household", "household id", "household no", "household number", "household key",
         "hh", "hh id", "domaćinstvo", "domacinstvo", "id domaćinstva", "šifra domaćinstva",
         "broj domaćinstva", "br domaćinstva", "redni broj domaćinstva", "porodica",
         "broj porodice", "kher", "čher", "familija"),
    ),
    ImportField(
        "given_name",
        N_("Given name"),
        ("ime", "first name", "given name", "name", "lično ime", "ime lica", "anav"),
    ),
    ImportField(
        "family_name",
        N_("Family name"),
        ("prezime", "last name", "surname", "family name", "porodično ime", "lastname"),
    ),
    ImportField(
        "jmbg",
        N_("JMBG"),
        ("jmbg", "matični broj", "jedinstveni matični broj građana", "personal number",
         "personal id", "umcn", "id number", "jmbg broj"),
    ),
    ImportField(
        "birth_date",
        N_("Birth date"),
        ("datum rođenja", "date of birth", "birth date", "birthdate", "dob", "rođen",
         "rođena", "rođen a", "godište", "godina rođenja", "year of birth",
         "datum bijandipe", "bijandipe"),
    ),
    ImportField("sex", N_("Sex"), ("pol", "sex", "gender", "spol", "pol m ž")),
    ImportField(
        "place_of_birth",
        N_("Place of birth"),
        ("mesto rođenja", "mjesto rođenja", "place of birth", "birthplace", "rođen u"),
    ),
    ImportField(
        "municipality",
        N_("Municipality"),
        ("opština", "municipality", "grad opština", "opština grad", "grad"),
    ),
    ImportField(
        "settlement",
        N_("Settlement"),
        ("naselje", "settlement", "village", "selo", "mesto", "naselje selo", "mahala",
         "gav"),
    ),
    ImportField(
        "address", N_("Address"), ("adresa", "address", "ulica i broj", "ulica", "street")
    ),
    ImportField(
        "phone",
        N_("Phone"),
        ("telefon", "phone", "tel", "broj telefona", "mobilni", "mobile", "kontakt telefon"),
    ),
    ImportField(
        "consent_date",
        N_("Date they agreed"),
        ("saglasnost", "datum saglasnosti", "consent", "consent date", "date of consent",
         "pristanak"),
    ),
)  # fmt: skip

FIELD_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS)
_BY_KEY = {f.key: f for f in FIELDS}
_PARENS = re.compile(r"\(.*?\)|\[.*?\]")


def field_label(key: str) -> str:
    """The msgid naming a field, for lists and error messages."""
    return _BY_KEY[key].label


def _header_key(text: str) -> str:
    # "Datum rođenja (dd.mm.gggg)*" -> "datum rodenja": the hint in brackets and any
    # punctuation are how lists annotate a header, not part of its name.
    return script.search_key(_PARENS.sub(" ", text))


_SYNONYMS: dict[str, str] = {}
for _f in FIELDS:
    for _h in _f.headers:
        _SYNONYMS.setdefault(_header_key(_h), _f.key)


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """Field -> column index, guessed from the header names.

    Only whole names match: "Ime oca" (father's name) must not be read as "Ime". Each
    field takes the first column that names it; a second one is left for the user.
    """
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = _SYNONYMS.get(_header_key(header))
        if key and key not in mapping:
            mapping[key] = index
    return mapping


# --- problems the caller shows as one line -----------------------------------------


class ImportFileError(UserError):
    """The file as a whole cannot be imported (missing, unreadable, no such column)."""


# --- reading the file ------------------------------------------------------------


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


#: Bytes that have no letter in Windows-1250: a file holding them is not cp1250.
_CP1250_UNDEFINED = frozenset(b"\x81\x83\x88\x90\x98")
#: Control bytes no spreadsheet saves (tab, line feed and carriage return are fine).
_CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])
#: How many line numbers a note lists before "...".
_LINES_SHOWN = 10


@dataclass
class _Scan:
    """What one pass over a text file's bytes found, to decide how to read it."""

    lines: int = 0  # physical lines: no file holds more rows than this
    utf8_chars: int = 0  # letters beyond ASCII written correctly in UTF-8
    bad_bytes: int = 0  # bytes that are not (part of) UTF-8
    bad_letters: int = 0  # ... of them, those that are letters in Windows-1250
    not_utf8: list[int] = field(default_factory=list)  # lines holding bad bytes
    not_utf8_count: int = 0
    not_cp1250: list[int] = field(default_factory=list)  # UTF-8 or undefined bytes
    not_cp1250_count: int = 0


def _note_line(found: list[int], count: int, line: int) -> int:
    if len(found) < _LINES_SHOWN:
        found.append(line)
    return count + 1


def _scan_bytes(path: Path) -> _Scan:
    """Count, line by line, what fits UTF-8 and what fits Windows-1250.

    Streams the file (memory does not grow with it) and keeps only counts and the
    first few line numbers. UTF-8 never uses the byte of a line break inside a letter,
    so splitting at line breaks cuts no letter in two.
    """
    scan = _Scan()
    line = 1
    with path.open("rb") as f:
        # A line longer than a megabyte comes in pieces; it is no list's line anyway.
        while raw := f.readline(1 << 20):
            scan.lines = line
            if not raw.isascii():
                _scan_line(scan, raw, line)
            line += raw.endswith(b"\n")
    return scan


def _scan_line(scan: _Scan, raw: bytes, line: int) -> None:
    text = raw.decode("utf-8", errors="surrogateescape")
    if line == 1:
        text = text.removeprefix("\ufeff")
    # surrogateescape turns each byte that is not UTF-8 into one of these.
    bad = [ord(c) - 0xDC00 for c in text if "\udc80" <= c <= "\udcff"]
    good = sum(1 for c in text if c > "\x7f") - len(bad)
    scan.utf8_chars += good
    if bad:
        scan.bad_bytes += len(bad)
        scan.bad_letters += sum(1 for b in bad if bytes([b]).decode("cp1250", "replace").isalpha())
        scan.not_utf8_count = _note_line(scan.not_utf8, scan.not_utf8_count, line)
    if good or any(b in _CP1250_UNDEFINED for b in bad):
        scan.not_cp1250_count = _note_line(scan.not_cp1250, scan.not_cp1250_count, line)


def _line_list(found: list[int], count: int) -> str:
    return ", ".join(str(n) for n in found) + (", ..." if count > len(found) else "")


def _detect_encoding(path: Path) -> tuple[str, list[Problem], int | None]:
    """How to read a text file: the encoding, notes for the user, and at most how many
    lines it has (None when not counted).

    One encoding for the whole file, never a mix. UTF-8 unless the file really looks
    like Windows-1250 (Serbian Excel's "CSV"): its bytes that are not UTF-8 outnumber
    the letters written correctly in UTF-8, and are mostly letters in Windows-1250. A
    UTF-8 list with a few stray bytes stays UTF-8, so the letters of every other line
    stay right; the lines that do not fit the chosen encoding are listed in a note, and
    the row checks say which cells they spoil.
    """
    with path.open("rb") as f:
        start = f.read(_SNIFF_BYTES)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", [], None
    if b"\0" in start or len(start.translate(None, _CONTROL_BYTES)) < len(start) * 0.99:
        raise ImportFileError(
            N_(
                "{path} does not look like a spreadsheet: it holds binary data, like a "
                "picture or a program. Import a CSV or Excel (.xlsx) list."
            ),
            path=str(path),
        )
    scan = _scan_bytes(path)
    if not scan.bad_bytes:
        return "utf-8-sig", [], scan.lines
    bom = start.startswith(codecs.BOM_UTF8)
    if not bom and scan.bad_bytes > scan.utf8_chars and scan.bad_letters * 2 >= scan.bad_bytes:
        notes = [_CP1250_NOTE]
        if scan.not_cp1250:
            notes.append(
                Problem(
                    "import.not_cp1250",
                    N_(
                        "These lines do not fit Windows-1250 (they may be UTF-8 pasted in), "
                        "so their letters cannot be read right: {lines}."
                    ),
                    {"lines": _line_list(scan.not_cp1250, scan.not_cp1250_count)},
                    severity="warning",
                )
            )
        return "cp1250", notes, scan.lines
    note = Problem(
        "import.not_utf8",
        N_("The file is UTF-8, but these lines hold bytes that are not, shown as �: {lines}."),
        {"lines": _line_list(scan.not_utf8, scan.not_utf8_count)},
        severity="warning",
    )
    return "utf-8-sig", [note], scan.lines


# Serbian Excel saves "CSV" in the Windows code page for Central Europe.
_CP1250_NOTE = Problem(
    "import.cp1250",
    N_(
        "The file is not UTF-8; it was read as Windows-1250 (Central European), "
        "as Serbian Excel saves it. Check that č, ć, š, ž and đ look right below."
    ),
    severity="warning",
)


def _cp1250_note(names: list[str]) -> Problem:
    """The note with names from the file, so the user can see whether they look right."""
    return Problem(
        "import.cp1250",
        N_(
            "The file is not UTF-8; it was read as Windows-1250 (Central European), as "
            "Serbian Excel saves it. Check that the letters look right, as in: {names}."
        ),
        {"names": "; ".join(names)},
        severity="warning",
    )


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


def _csv_rows(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    # A byte that does not fit the encoding becomes the replacement mark; the notes
    # name its line and the row checks refuse a cell holding it.
    with path.open("r", encoding=encoding, errors="replace", newline="") as f:
        sample = f.read(_SNIFF_BYTES)
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


def _xlsx_rows(worksheet: Any) -> Iterator[tuple[int, list[str]]]:
    for line, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
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
        encoding, notes, lines = _detect_encoding(path)
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
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # read_only streams the sheet instead of building it in memory; data_only gives
        # the values formulas last showed, which is what the user saw.
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as err:
        raise ImportFileError(
            N_("{path} cannot be read as an Excel file ({detail})."),
            path=str(path),
            detail=type(err).__name__,
        ) from err
    try:
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
        table = _table(
            path,
            _xlsx_rows(worksheet),
            sheets=names,
            sheet=worksheet.title,
            # From the sheet's own record of its size (openpyxl reads no further);
            # None when it keeps none.
            row_bound=worksheet.max_row,
            xml_rows=lambda: _xlsx_value_rows(worksheet),
        )
        yield table
    finally:
        workbook.close()


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


def column_names(headers: list[str]) -> list[str]:
    """A name for every column; an empty header is called by its position ("column 4")."""
    return [h or f"#{i + 1}" for i, h in enumerate(headers)]


#: A message lists at most this many columns.
COLUMNS_SHOWN = 20


def column_list(headers: list[str]) -> str:
    """The columns for a message, each name and the list cut to a readable length."""
    names = [short(name) for name in column_names(headers)]
    more = len(names) > COLUMNS_SHOWN
    return ", ".join(names[:COLUMNS_SHOWN]) + (", ..." if more else "")


def resolve_overrides(
    headers: list[str], overrides: list[tuple[str, str]], path: Path | str = ""
) -> dict[str, int]:
    """Apply ``--map COLUMN=field`` choices on top of the guess.

    COLUMN is a header (compared like the guess: any script, case or diacritics) or a
    column number from 1. ``field`` may be "-" to leave a guessed column out.
    """
    mapping = guess_mapping(headers)
    names = column_names(headers)
    for column, key in overrides:
        key = key.strip()
        if key not in FIELD_KEYS and key not in {"-", ""}:
            raise ImportFileError(
                N_("'{field}' is not a field that can be imported. The fields are: {fields}."),
                field=key,
                fields=", ".join(FIELD_KEYS),
            )
        index = _column_index(names, column)
        if index is None:
            raise ImportFileError(
                N_("{path} has no column '{column}'. Its columns are: {columns}."),
                path=str(path),
                column=short(column),
                columns=column_list(headers),
            )
        mapping = {k: v for k, v in mapping.items() if v != index}
        if key in FIELD_KEYS:
            mapping[key] = index
    return mapping


def _column_index(names: list[str], column: str) -> int | None:
    wanted = _header_key(column)
    for i, name in enumerate(names):
        if name == column or (wanted and _header_key(name) == wanted):
            return i
    if column.strip().isdigit() and 1 <= int(column) <= len(names):
        return int(column) - 1
    return None


def check_mapping(mapping: dict[str, int]) -> list[Problem]:
    """What the mapping lacks; without names no row could be imported."""
    problems = []
    if "given_name" not in mapping:
        problems.append(
            Problem(
                "import.unmapped",
                N_("No column is chosen for the given name. Choose the column that holds it."),
            )
        )
    if "family_name" not in mapping:
        problems.append(
            Problem(
                "import.unmapped",
                N_("No column is chosen for the family name. Choose the column that holds it."),
            )
        )
    return problems


# --- checking rows -----------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """One reason about one row; ``duplicate`` marks the 'likely the same person' kind."""

    line: int
    field: str | None  # a key of FIELDS, or None for the row as a whole
    problem: Problem
    duplicate: bool = False

    @property
    def is_error(self) -> bool:
        return self.problem.is_error


@dataclass
class _HouseholdPlan:
    key: str
    values: dict[str, str] = field(default_factory=dict)
    lines: list[int] = field(default_factory=list)


@dataclass
class ImportPlan:
    """What the dry run found; ``apply_import`` writes exactly this if the file is unchanged."""

    path: Path
    sheet: str | None
    headers: list[str]
    mapping: dict[str, int]
    skip_duplicates: bool
    stamp: tuple[int, int]  # size and modification time: apply refuses a changed file
    encoding: str | None = None
    notes: list[Problem] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    rows: int = 0
    error_rows: int = 0
    duplicate_rows: int = 0
    households: list[_HouseholdPlan] = field(default_factory=list)

    @property
    def people(self) -> int:
        return sum(len(h.lines) for h in self.households)

    @property
    def lines_to_write(self) -> set[int]:
        return {line for h in self.households for line in h.lines}


_SEX_WORDS: dict[str, Sex] = {
    **dict.fromkeys(
        ["m", "muski", "musko", "muskarac", "male", "man", "boy", "decak", "mursh", "murs",
         "rom", "cavo", "chavo", "1"],
        Sex.MALE,
    ),
    **dict.fromkeys(
        ["z", "zenski", "zensko", "zena", "f", "female", "woman", "girl", "devojcica", "w",
         "dzuvli", "romni", "cej", "chej", "2"],
        Sex.FEMALE,
    ),
}  # fmt: skip


def _sex(text: str) -> tuple[Sex, Problem | None]:
    if not text.strip():
        return Sex.UNKNOWN, None
    value = _SEX_WORDS.get(script.search_key(text).replace(" ", ""))
    if value is not None:
        return value, None
    return Sex.UNKNOWN, Problem(
        "import.sex",
        N_("'{text}' was not understood as a sex (use M or Ž); it is left unknown."),
        {"text": text},
        severity="warning",
    )


_SCIENTIFIC = re.compile(r"\d[.,]\d+[eE][+]?\d+")


def _jmbg(text: str, today: date) -> tuple[str, Problem | None]:
    """The JMBG to check, repaired where a spreadsheet damaged it knowingly ("" if lost)."""
    text = text.strip()
    if _SCIENTIFIC.fullmatch(text):
        # The digits are gone: nothing is left to check, so this is the only reason given
        # (the number itself would add "'E' is not a digit").
        return "", Problem(
            "import.jmbg_scientific",
            N_(
                "The spreadsheet showed this JMBG in scientific notation ('{text}') and "
                "lost its last digits. Format the column as text, type the numbers again, "
                "and save again."
            ),
            {"text": text},
        )
    digits = "".join(c for c in text if not (c.isspace() or c in "-."))
    if len(digits) == 12 and digits.isdigit() and _whole_number("0" + digits, today):
        # Spreadsheets store a JMBG as a number and drop the 0 of days 1 to 9.
        return "0" + digits, Problem(
            "import.jmbg_zero",
            N_("The leading 0 was missing (spreadsheets drop it); read as {number}."),
            {"number": "0" + digits},
            severity="warning",
        )
    return text, None


def _whole_number(number: str, today: date) -> bool:
    """Whether ``number`` reads as a JMBG whose check digit agrees with the rest.

    A wrong check digit is only a warning on a typed number, but here it is the evidence
    that putting back a dropped 0 gives the number the spreadsheet lost: without it the
    12 digits are left as they are, and reported as a number with a digit missing.
    """
    check = check_jmbg(number, today=today)
    return check.is_valid and all(p.code != "jmbg.check_digit" for p in check.problems)


def _consent_date(text: str, today: date) -> tuple[str | None, Problem | None]:
    text = text.strip()
    if not text:
        return None, None
    try:
        day = parse_partial_date(text, today=today)
    except DateProblem as err:
        return None, err.problem
    if day.precision != "day" or day.approximate:
        return None, Problem(
            "import.consent_date",
            N_("'{text}' is not a whole date; the date they agreed is left out."),
            {"text": text},
            severity="warning",
        )
    return day.earliest().isoformat(), None


_MISSING = {
    "given_name": Problem("import.missing_name", N_("The given name is missing.")),
    "family_name": Problem("import.missing_name", N_("The family name is missing.")),
}
# The reason msgid households.duplicate_candidates gives for a match by number.
_SAME_JMBG_REASON = "Same ID number (JMBG)"
_HOUSEHOLD_FIELDS = ("family_name", "settlement", "address", "municipality", "phone")


class _Checker:
    """Checks rows one at a time, remembering only what later rows are compared with."""

    def __init__(self, ctx: Context, plan: ImportPlan) -> None:
        self.ctx = ctx
        self.plan = plan
        self.today = ctx.today()
        self.jmbgs: dict[str, int] = {}
        self.names: dict[tuple[str, int | None], int] = {}
        self.households: dict[str, _HouseholdPlan] = {}
        self.samples: list[str] = []  # names with letters beyond ASCII, to compare

    def values(self, cells: list[str]) -> dict[str, str]:
        return {
            key: (cells[index].strip() if index < len(cells) else "")
            for key, index in self.plan.mapping.items()
        }

    def check(self, line: int, cells: list[str]) -> list[RowProblem]:
        values = self.values(cells)
        problems = self._cells(line, cells)
        too_long = self._lengths(line, values)
        self.plan.rows += 1
        if too_long:
            # Nothing else is checked: a cell that long is not what its column says,
            # and the checks would only repeat it.
            self.plan.error_rows += 1
            return [*problems, *too_long]
        person, repairs = person_input(values, line, self.today)
        problems += repairs
        for key, found in hh.validate_person(person, self.today).items():
            for p in found:
                if p.code == "required" and key in _MISSING:
                    p = _MISSING[key]
                problems.append(RowProblem(line, key if key in _BY_KEY else None, p))
        consent, consent_problem = _consent_date(values.get("consent_date", ""), self.today)
        if consent_problem:
            problems.append(RowProblem(line, "consent_date", consent_problem))
        if not any(p.is_error for p in problems):
            problems += self._duplicates(line, person)
        bad = any(p.is_error for p in problems)
        duplicate = any(p.duplicate for p in problems)
        self.plan.error_rows += bad
        self.plan.duplicate_rows += duplicate and not bad
        if not bad and not (duplicate and self.plan.skip_duplicates):
            self._remember(line, person, values, consent)
        if self.plan.encoding == "cp1250" and not bad and len(self.samples) < 3:
            name = f"{person.given_name} {person.family_name}"
            if not name.isascii():
                self.samples.append(short(name))
        return [_shortened(p) for p in problems]

    def _lengths(self, line: int, values: dict[str, str]) -> list[RowProblem]:
        """Cells longer than any name or place: the limit the forms keep, for every
        column imported (a date or a JMBG is far shorter still)."""
        found = ((key, hh.too_long(value)) for key, value in values.items())
        return [RowProblem(line, key, problem) for key, problem in found if problem]

    def _cells(self, line: int, cells: list[str]) -> list[RowProblem]:
        """Cells holding bytes the file's encoding could not read: refused where they
        would be imported, a warning where they would not."""
        problems: list[RowProblem] = []
        imported = set(self.plan.mapping.values())
        elsewhere: list[int] = []
        for index, cell in enumerate(cells):
            problem = _unreadable(cell, self.plan.encoding)
            if problem is None:
                continue
            if index not in imported:
                elsewhere.append(index)
                continue
            key = next(k for k, i in self.plan.mapping.items() if i == index)
            problems.append(RowProblem(line, key, problem))
        if elsewhere:
            names = column_names(self.plan.headers)
            columns = ", ".join(
                short(names[i]) if i < len(names) else f"#{i + 1}" for i in elsewhere
            )
            problems.append(
                RowProblem(
                    line,
                    None,
                    Problem(
                        "import.unreadable_elsewhere",
                        N_(
                            "Some letters could not be read in a column that is not "
                            "imported ({columns}); the rest of the row is imported."
                        ),
                        {"columns": columns},
                        severity="warning",
                    ),
                )
            )
        return problems

    def _duplicates(self, line: int, person: hh.PersonInput) -> list[RowProblem]:
        problems: list[RowProblem] = []
        number = "".join(c for c in person.jmbg if c.isdigit())
        year = _year(person.birth_date, self.today)
        names = _name_keys(person)
        candidates = hh.duplicate_candidates(self.ctx, person)
        by_number = [c for c in candidates if c.reason == _SAME_JMBG_REASON]
        by_name = [c for c in candidates if c.reason != _SAME_JMBG_REASON]
        if by_number:
            problems.append(
                RowProblem(
                    line,
                    "jmbg",
                    Problem(
                        "import.same_jmbg",
                        N_(
                            "This JMBG is already registered, for {people}: the person is "
                            "in the register already."
                        ),
                        {"people": _people(by_number)},
                    ),
                )
            )
        elif by_name:
            problems.append(
                RowProblem(
                    line,
                    None,
                    Problem(
                        "import.likely_duplicate",
                        N_(
                            "Likely the same person as {people}, already registered: same "
                            "name and year of birth."
                        ),
                        {"people": _people(by_name)},
                        severity="warning",
                    ),
                    duplicate=True,
                )
            )
        if len(number) == 13 and number in self.jmbgs:
            problems.append(
                RowProblem(
                    line,
                    "jmbg",
                    Problem(
                        "import.same_jmbg_in_file",
                        N_("Line {line} has the same JMBG: the same person twice."),
                        {"line": self.jmbgs[number]},
                    ),
                )
            )
        elif not any(p.duplicate for p in problems):
            earlier = next(
                (self.names[(k, y)] for k in names for y in _years(year) if (k, y) in self.names),
                None,
            )
            if earlier is not None:
                problems.append(
                    RowProblem(
                        line,
                        None,
                        Problem(
                            "import.likely_duplicate_in_file",
                            N_(
                                "Likely the same person as on line {line}: same name and "
                                "year of birth."
                            ),
                            {"line": earlier},
                            severity="warning",
                        ),
                        duplicate=True,
                    )
                )
        return problems

    def _remember(
        self, line: int, person: hh.PersonInput, values: dict[str, str], consent: str | None
    ) -> None:
        number = "".join(c for c in person.jmbg if c.isdigit())
        if len(number) == 13:
            self.jmbgs.setdefault(number, line)
        year = _year(person.birth_date, self.today)
        for key in _name_keys(person):
            self.names.setdefault((key, year), line)
        # A row without a household key is a household of its own.
        key = script.search_key(values.get("household", "")) or f"\0line {line}"
        plan = self.households.get(key)
        if plan is None:
            plan = self.households[key] = _HouseholdPlan(key)
            self.plan.households.append(plan)
        plan.lines.append(line)
        for name in _HOUSEHOLD_FIELDS:
            if values.get(name) and not plan.values.get(name):
                plan.values[name] = values[name]
        if consent and not plan.values.get("consent_date"):
            plan.values["consent_date"] = consent


#: A value from the file is cut to this many characters when a message repeats it.
SHOWN_CHARS = 40


def short(text: str, limit: int = SHOWN_CHARS) -> str:
    """``text`` cut for a message: a 30,000-character cell is not repeated whole."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _shortened(row: RowProblem) -> RowProblem:
    """``row`` with the cell it quotes cut short: checks quote a value as ``text``."""
    text = row.problem.params.get("text")
    if not isinstance(text, str) or len(text) <= SHOWN_CHARS:
        return row
    params = {**row.problem.params, "text": short(text)}
    return replace(row, problem=replace(row.problem, params=params))


def _utf8_read_as_cp1250(text: str) -> str | None:
    """The UTF-8 text that Windows-1250 garbled into ``text`` ("Å ..."), if it is one."""
    if text.isascii():
        return None
    try:
        original = text.encode("cp1250").decode("utf-8")
    except UnicodeError:
        return None
    return None if original.isascii() else original


def _unreadable(cell: str, encoding: str | None) -> Problem | None:
    if "\ufffd" in cell:
        return Problem(
            "import.unreadable",
            N_(
                "'{text}' holds bytes that could not be read (shown as �). Correct this "
                "line in the file and check again."
            ),
            {"text": short(cell)},
        )
    original = _utf8_read_as_cp1250(cell) if encoding == "cp1250" else None
    if original is not None:
        return Problem(
            "import.utf8_in_cp1250",
            N_(
                "This line is in UTF-8 ('{text}') but the file is in Windows-1250, so its "
                "letters would be garbled. Save the whole file in one encoding."
            ),
            {"text": short(original)},
        )
    return None


def _people(candidates: list[hh.DuplicateCandidate]) -> str:
    shown = [
        f"{short(c.full_name)} ({short(c.settlement or c.municipality or '-')})"
        for c in candidates[:3]
    ]
    return "; ".join(shown) + ("; ..." if len(candidates) > 3 else "")


def _year(birth_date: str, today: date) -> int | None:
    birth, _problems = hh.parse_birth_date(birth_date, today)
    return birth.year if birth else None


def _years(year: int | None) -> tuple[int | None, ...]:
    # A person with no year matches anyone of that name, as duplicate_candidates does.
    return (year,) if year is None else (year, None)


def _name_keys(person: hh.PersonInput) -> set[str]:
    given = " ".join(person.given_name.split())
    family = " ".join(person.family_name.split())
    return {script.search_key(f"{given} {family}"), script.search_key(f"{family} {given}")}


def person_input(
    values: dict[str, str], line: int, today: date
) -> tuple[hh.PersonInput, list[RowProblem]]:
    """A row's cells as the input the person form would give, and what was repaired."""
    problems: list[RowProblem] = []
    sex, sex_problem = _sex(values.get("sex", ""))
    if sex_problem:
        problems.append(RowProblem(line, "sex", sex_problem))
    jmbg, jmbg_problem = _jmbg(values.get("jmbg", ""), today)
    if jmbg_problem:
        problems.append(RowProblem(line, "jmbg", jmbg_problem))
    person = hh.PersonInput(
        given_name=values.get("given_name", ""),
        family_name=values.get("family_name", ""),
        sex=sex,
        birth_date=values.get("birth_date", ""),
        place_of_birth=values.get("place_of_birth", ""),
        jmbg=jmbg,
    )
    return person, problems


def describe(row: RowProblem, translate=lambda s: s) -> str:
    """One row problem as a sentence; the field is named when the message does not."""
    text = row.problem.render(translate)
    if row.field in _NAMED_FIELDS or (row.field and row.problem.code in _UNNAMED_CODES):
        return f"{translate(field_label(row.field))}: {text}"
    return text


# Messages about these fields do not say which column they come from.
_NAMED_FIELDS = {"jmbg", "birth_date", "sex", "consent_date", "place_of_birth"}
# ... nor do these messages, whatever the field.
_UNNAMED_CODES = {"import.unreadable", "import.utf8_in_cp1250", "too_long"}


# --- the dry run and the import ---------------------------------------------------


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def check_import(
    ctx: Context,
    path: Path | str,
    *,
    mapping: dict[str, int] | None = None,
    sheet: str | None = None,
    skip_duplicates: bool = True,
) -> ImportPlan:
    """The dry run: every row checked, every problem listed with its line. Writes nothing.

    ``mapping`` (field -> column index) defaults to the guess from the headers. Likely
    duplicates are left out unless ``skip_duplicates`` is False. Raises
    ``ImportFileError`` when the file cannot be read, is too big, or no column holds
    the names.
    """
    path = Path(path).expanduser()
    with open_table(path, sheet) as table:
        chosen = guess_mapping(table.headers) if mapping is None else dict(mapping)
        if any(not 0 <= i < len(table.headers) for i in chosen.values()):
            raise ImportFileError(
                N_("{path} has fewer columns than the mapping expects."), path=str(path)
            )
        missing = check_mapping(chosen)
        if missing:
            raise ImportFileError(missing[0].message)
        plan = ImportPlan(
            path=path,
            sheet=table.sheet,
            headers=table.headers,
            mapping=chosen,
            skip_duplicates=skip_duplicates,
            stamp=_stamp(path),
            encoding=table.encoding,
            notes=list(table.notes),
        )
        _refuse_too_many_rows(table, sheet)
        checker = _Checker(ctx, plan)
        for line, cells in table.rows:
            if plan.rows >= MAX_ROWS:  # only if the file grew since it was counted
                raise _too_many_rows(path)
            plan.problems += checker.check(line, cells)
    if checker.samples:
        plan.notes = [
            _cp1250_note(checker.samples) if n.code == "import.cp1250" else n for n in plan.notes
        ]
    return plan


def _too_many_rows(path: Path) -> ImportFileError:
    return ImportFileError(
        N_(
            "{path} has more than {max} rows. Split it into smaller files and "
            "import them one by one."
        ),
        path=str(path),
        max=MAX_ROWS,
    )


def _refuse_too_many_rows(table: Table, sheet: str | None) -> None:
    """Count the rows, without checking them, and stop as soon as there are too many.

    Checking a row takes about a millisecond (the register is searched for the
    person), so a file over the limit is refused in a moment rather than after
    minutes of checking. Only files that may be over the limit are counted.
    """
    if table.row_bound is not None and table.row_bound - table.header_line <= MAX_ROWS:
        return
    counted = table.xml_rows() if table.xml_rows is not None else None
    if counted is not None:
        # Rows holding a value, counted in the sheet's XML: a hundred times faster
        # than reading them, and blank rows are not counted.
        if counted - table.header_line > MAX_ROWS:
            raise _too_many_rows(table.path)
        return
    with open_table(table.path, sheet) as again:
        for count, _row in enumerate(again.rows, start=1):
            if count > MAX_ROWS:
                raise _too_many_rows(table.path)


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
        while chunk := source.read(1 << 20):
            pending += chunk
            end = 0
            for match in _XML_ROW.finditer(pending):
                count += bool(match.group(1) and _XML_VALUE.search(match.group(1)))
                end = match.end()
            pending = pending[end:]
    return count


@dataclass(frozen=True)
class ImportedHousehold:
    id: str
    family_name: str
    settlement: str
    people: int


@dataclass(frozen=True)
class ImportResult:
    households: list[ImportedHousehold]

    @property
    def people(self) -> int:
        return sum(h.people for h in self.households)


def apply_import(ctx: Context, plan: ImportPlan) -> ImportResult:
    """Write the rows the dry run accepted: all in one transaction, or nothing.

    The file is read again (rows are never all kept in memory) and checked again inside
    the transaction, so a person registered meanwhile is still caught as a duplicate.
    If the file or the outcome of the check changed since the dry run, nothing is
    written: the user accepted what they saw, not something else.
    """
    if not plan.path.exists() or _stamp(plan.path) != plan.stamp:
        raise ImportFileError(
            N_("{path} changed since it was checked. Check it again before importing."),
            path=str(plan.path),
        )
    created: list[ImportedHousehold] = []
    with ctx.use_case():
        again = check_import(
            ctx,
            plan.path,
            mapping=plan.mapping,
            sheet=plan.sheet,
            skip_duplicates=plan.skip_duplicates,
        )
        if [(h.key, h.lines) for h in again.households] != [
            (h.key, h.lines) for h in plan.households
        ]:
            raise ImportFileError(
                N_("The register or {path} changed since the check. Check it again."),
                path=str(plan.path),
            )
        household_of = {line: h for h in plan.households for line in h.lines}
        ids: dict[str, str] = {}
        with open_table(plan.path, plan.sheet) as table:
            for line, cells in table.rows:
                target = household_of.get(line)
                if target is None:
                    continue
                values = {
                    key: (cells[i].strip() if i < len(cells) else "")
                    for key, i in plan.mapping.items()
                }
                person, _repairs = person_input(values, line, ctx.today())
                if target.key not in ids:
                    ids[target.key] = hh.register_household(ctx, _household_input(target))
                hh.add_person(ctx, ids[target.key], person)
        for target in plan.households:
            created.append(
                ImportedHousehold(
                    ids[target.key],
                    target.values.get("family_name", ""),
                    target.values.get("settlement", ""),
                    len(target.lines),
                )
            )
    return ImportResult(created)


def _household_input(plan: _HouseholdPlan) -> hh.HouseholdInput:
    v = plan.values
    consent = v.get("consent_date")
    return hh.HouseholdInput(
        family_name=v.get("family_name", ""),
        settlement=v.get("settlement", ""),
        address=v.get("address", ""),
        municipality=v.get("municipality", ""),
        phone=v.get("phone", ""),
        consent_date=consent,
        consent_scope="import" if consent else None,
    )


def read_headers(path: Path | str, sheet: str | None = None) -> tuple[list[str], list[str]]:
    """The column headers and (for Excel) the sheet names, for the mapping step."""
    with open_table(path, sheet) as table:
        return table.headers, table.sheets
