"""Files for other people: a report as CSV, XLSX or JSON, and the whole register for a coordinator.

Every file is written next to its final place under a temporary name and then renamed
over it, so a full disk or a pulled USB stick leaves the old file or none, never half
of one. Headers are in the reader's language; numbers stay numbers and dates dates.

The whole register holds every name and JMBG, so it is written encrypted unless the
coordinator explicitly asks otherwise: an AES-256 zip (WinZip AE-2, the form 7-Zip,
WinZip, WinRAR, PeaZip, Keka and The Unarchiver open; Windows Explorer, macOS Archive
Utility and Info-ZIP's unzip do not) through ``pyzipper``, a fork of the standard
library's zipfile with the AES layer on pycryptodomex. A zip rather than a 7z archive
because the XLSX inside opens as it always has once extracted, and rather than an
encrypted XLSX because no maintained Python library writes Office encryption. File
names inside a zip are not encrypted: they name the date and the table, never a person.
Reports hold only counts and are written as they are.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from docassist import locations
from docassist.domain.text import N_, Problem
from docassist.i18n import translator
from docassist.services import users
from docassist.services.accounts import REFUSALS, Action, role_may
from docassist.services.context import Context, ValidationError
from docassist.services.files import atomic_path, owner_only, scratch_beside
from docassist.services.reports import Report, localize, table_note

REPORT_FORMATS = ("csv", "xlsx", "json")
FULL_FORMATS = ("csv", "xlsx")

# The AES key is derived from the passphrase with PBKDF2-SHA1 and 1,000 rounds (the
# WinZip format fixes this): a short passphrase could be guessed quickly.
MIN_EXPORT_PASSPHRASE = 10

PERSONAL_DATA_WARNING = N_(
    "This file holds personal data of every family in the register: names, birth "
    "dates, ID numbers, phone numbers. Keep it on an encrypted disk, never send it by "
    "e-mail or messenger, and delete it when it is no longer needed."
)

# --- the report in a reader's language -------------------------------------------------


@dataclass(frozen=True)
class LocalTable:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    note: str | None


def localized_tables(report: Report, language: str) -> list[LocalTable]:
    t = translator(language)
    return [
        LocalTable(
            table.key,
            t.gettext(table.title),
            [t.gettext(c.title) for c in table.columns],
            [[localize(cell, language) for cell in row] for row in table.rows],
            table_note(table, t.gettext),
        )
        for table in report.tables
    ]


def report_heading(report: Report, language: str) -> list[tuple[str, Any]]:
    """The lines above the tables: what the report covers and when it was made."""
    t = translator(language)
    return [
        (t.gettext(N_("Report")), t.gettext(report.title)),
        (t.gettext(N_("From")), report.period.start),
        (t.gettext(N_("To")), report.period.end),
        (
            t.gettext(N_("Municipality")),
            report.municipality or t.gettext(N_("All municipalities")),
        ),
        (t.gettext(N_("Made on")), report.made_on),
    ]


# Text a spreadsheet would run as a formula (=HYPERLINK(...) typed as a name, say).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # shown as text, never evaluated
    return "" if value is None else value


def _xlsx_row(sheet: Any, row: list[Any]) -> list[Any]:
    """Cells safe for openpyxl: control characters (which it refuses, and which the
    forms let through) dropped, and text that looks like a formula kept as text."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    out: list[Any] = []
    for value in row:
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
            if value.startswith(_FORMULA_START):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                value = cell
        out.append(value)
    return out


def report_csv(report: Report, language: str) -> str:
    """All tables in one CSV: a title row, the header row, the rows, any note, a blank row.

    Numbers are written bare (a dot before decimals) and dates as 2026-07-01, which
    spreadsheets in any locale read as numbers and dates.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for label, value in report_heading(report, language):
        writer.writerow([label, _csv_value(value)])
    writer.writerow([])
    for table in localized_tables(report, language):
        writer.writerow([table.title])
        writer.writerow(table.headers)
        for row in table.rows:
            writer.writerow([_csv_value(v) for v in row])
        if table.note:
            writer.writerow([table.note])  # how to read the figures travels with them
        writer.writerow([])
    return out.getvalue()


def _write_csv_text(path: Path, text: str) -> None:
    # utf-8-sig: Excel on Windows reads Cyrillic and č ć š ž right only with the BOM.
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8-sig", newline="")


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
DATE_FORMAT = "DD.MM.YYYY"
SHEET_NAME_MAX = 31  # Excel refuses a longer sheet name


def sheet_names(language: str) -> dict[str, str]:
    """Each report sheet's own short name, by table key: the one home for them.

    A table's title is a phrase ("Documents obtained by age group and sex") and cut
    to Excel's 31 characters it read as a mistake; a sheet gets a name of its own,
    written to fit (the "sheet name" context tells translators so, and a test holds
    every language to 31 characters).
    """
    t = translator(language)
    return {
        "report": t.pgettext("sheet name", "Report"),
        "summary": t.pgettext("sheet name", "Summary"),
        "served": t.pgettext("sheet name", "Served by municipality"),
        "served_by_settlement": t.pgettext("sheet name", "Served by settlement"),
        "refusals": t.pgettext("sheet name", "Refusals by reason"),
        "documents": t.pgettext("sheet name", "Documents obtained"),
        "documents_sex_age": t.pgettext("sheet name", "Documents by age and sex"),
        "documents_by_municipality": t.pgettext("sheet name", "Documents by municipality"),
        "documents_by_settlement": t.pgettext("sheet name", "Documents by settlement"),
        "routes": t.pgettext("sheet name", "Routes completed"),
        "workshops": t.pgettext("sheet name", "Workshops by municipality"),
        "workshop_checklists": t.pgettext("sheet name", "Checklists at workshops"),
        "procedures": t.pgettext("sheet name", "Cases by procedure"),
    }


def _fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` at a word's end where it can be: the last resort for a
    sheet without a name of its own (``sheet_names``)."""
    if len(text) <= width:
        return text
    cut = text[: width + 1].rsplit(" ", 1)[0]
    return (cut if 0 < len(cut) <= width else text[:width]).rstrip()


def _sheet_name(title: str, taken: set[str]) -> str:
    base = _fit(_SHEET_FORBIDDEN.sub(" ", title).strip(), SHEET_NAME_MAX) or "Sheet"
    name, n = base, 2
    while name.casefold() in taken:
        suffix = f" ({n})"
        name, n = _fit(base, SHEET_NAME_MAX - len(suffix)) + suffix, n + 1
    taken.add(name.casefold())
    return name


def _xlsx_book(sheets: list[tuple[str, list[str], list[list[Any]]]]) -> Any:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.worksheets[0])  # the empty sheet a new workbook starts with
    taken: set[str] = set()
    bold = Font(bold=True)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(_sheet_name(title, taken))
        if headers:
            sheet.append(headers)
            for cell in sheet[1]:
                cell.font = bold
            sheet.freeze_panes = "A2"
        for row in rows:
            sheet.append(_xlsx_row(sheet, list(row)))
        for column in sheet.iter_cols():
            width = 8
            for cell in column:
                if isinstance(cell.value, date):
                    cell.number_format = DATE_FORMAT
                    width = max(width, 12)
                elif cell.value is not None:
                    width = max(width, min(len(str(cell.value)) + 2, 60))
            sheet.column_dimensions[column[0].column_letter].width = width
    return book


def _write_xlsx(path: Path, sheets: list[tuple[str, list[str], list[list[Any]]]]) -> None:
    book = _xlsx_book(sheets)
    with atomic_path(path) as tmp:
        book.save(tmp)


def report_xlsx(report: Report, language: str, path: Path) -> None:
    """A first sheet saying what the report covers, then one sheet per table, each
    under its own short name."""
    names = sheet_names(language)
    heading = report_heading(report, language)
    sheets: list[tuple[str, list[str], list[list[Any]]]] = [
        (names["report"], [], [list(line) for line in heading])
    ]
    for table in localized_tables(report, language):
        rows = [*table.rows]
        if table.note:
            rows += [[], [table.note]]
        sheets.append((names.get(table.key, table.title), table.headers, rows))
    _write_xlsx(path, sheets)


def report_json(report: Report, language: str) -> str:
    data = {
        "title": translator(language).gettext(report.title),
        "language": language,
        "period": {"from": report.period.start.isoformat(), "to": report.period.end.isoformat()},
        "municipality": report.municipality,
        "made_on": report.made_on.isoformat(),
        "tables": [
            {
                "key": local.key,
                "title": local.title,
                "note": local.note,
                "columns": [
                    {"key": c.key, "title": header}
                    for c, header in zip(table.columns, local.headers, strict=True)
                ],
                "rows": [
                    [_csv_value(v) if isinstance(v, date) else v for v in r] for r in local.rows
                ],
            }
            for table, local in zip(report.tables, localized_tables(report, language), strict=True)
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write_report(report: Report, fmt: str, path: Path, language: str) -> Path:
    """Save ``report`` as ``fmt`` (csv, xlsx, json) at ``path``; returns the path written."""
    path = Path(path).expanduser()
    if fmt == "csv":
        _write_csv_text(path, report_csv(report, language))
    elif fmt == "xlsx":
        report_xlsx(report, language, path)
    elif fmt == "json":
        with atomic_path(path) as tmp:
            tmp.write_text(report_json(report, language), encoding="utf-8")
    else:
        raise ValueError(f"unknown report format {fmt!r}")
    return path


def default_export_dir() -> Path:
    """Where saved files go unless the user says otherwise (see ``locations``); made
    now if missing, as docassist picked it (a folder the user types is never made)."""
    return locations.default_folder(locations.exports_dir())


def default_report_name(report: Report, fmt: str) -> str:
    place = f"-{_file_word(report.municipality)}" if report.municipality else ""
    return f"docassist-report-{report.period.start}-{report.period.end}{place}.{fmt}"


def _file_word(text: str) -> str:
    return re.sub(r"[^\w-]+", "-", text, flags=re.UNICODE).strip("-") or "place"


# --- the whole register, for the organisation's own records -------------------------------

# Everything needed to rebuild the picture elsewhere: who lives where, what papers
# each person holds, every case with its steps and history, the workshops and who
# came, and the staff the ids in them refer to. Each table is a sheet (or a CSV)
# under its own name, which is also the name of the table in the register.
FULL_TABLES = (
    "households",
    "persons",
    "documents",
    "cases",
    "case_steps",
    "case_events",
    "workshops",
    "attendance",
    "users",
)
# Internal bookkeeping (search keys, sync columns) means nothing outside the app.
_LEFT_OUT = {"device_id", "deleted_at", "search_text", "sort_latn", "sort_cyrl", "name_key"}
_DATE_COLUMNS = {
    "consent_date",
    "outcome_date",
    "due_date",
    "done_date",
    "next_due",
    "obtained_on",
    "opened_on",
    "held_on",
}
# Tables exported column by column, not ``t.*``: users will hold sign-in secrets.
_COLUMNS = {"users": ("id", "name", "role", "language", "created_at", "updated_at")}


@dataclass(frozen=True)
class FullExport:
    path: Path
    counts: dict[str, int]


def require_coordinator(ctx: Context) -> users.User:
    """The signed-in user, if a coordinator; otherwise a clear refusal."""
    action = Action.EXPORT_WITH_NAMES
    refusal = ValidationError({"user": [Problem("role", REFUSALS[action])]})
    if ctx.user_id is None:
        raise refusal
    user = users.get_user(ctx, ctx.user_id)
    if not role_may(user.role, action):
        raise refusal
    return user


UNENCRYPTED_WARNING = N_(
    "Warning: the export is NOT encrypted. Anyone who gets the file can read every name "
    "and ID number in it."
)
OPENS_WITH = N_(
    "It is an AES-256 encrypted zip: open it with 7-Zip, WinZip, WinRAR, PeaZip, Keka or "
    "The Unarchiver and the export passphrase (Windows Explorer and macOS Archive Utility "
    "cannot)."
)
_PASSPHRASE_NEEDED = N_(
    "The export holds names: give a passphrase to encrypt it, or choose an unencrypted "
    "export explicitly."
)
_PASSPHRASE_SHORT = N_("The export passphrase needs at least {n} characters.")


def check_export_passphrase(passphrase: str | None, unencrypted: bool) -> None:
    """Refuse an export with names that is neither encrypted nor explicitly not."""
    if passphrase is not None and unencrypted:
        raise ValueError("a passphrase and unencrypted=True contradict each other")
    if unencrypted:
        return
    if not passphrase:
        raise ValidationError({"passphrase": [Problem("required", _PASSPHRASE_NEEDED)]})
    if len(passphrase) < MIN_EXPORT_PASSPHRASE:
        raise ValidationError(
            {
                "passphrase": [
                    Problem("short", _PASSPHRASE_SHORT, params={"n": MIN_EXPORT_PASSPHRASE})
                ]
            }
        )


def full_export_name(today: date, fmt: str, encrypted: bool = False) -> str:
    """``docassist-register-DATE.xlsx``, ``.zip`` (CSV tables), ``.xlsx.zip`` (encrypted)."""
    stem = f"docassist-register-{today.isoformat()}"
    if fmt == "csv":
        return f"{stem}.zip"
    return f"{stem}.xlsx.zip" if encrypted else f"{stem}.xlsx"


def export_format(path: Path) -> str:
    """The format a chosen file name asks for: CSV for .csv and a plain .zip, else XLSX."""
    name = Path(path).name.lower()
    if name.endswith(".xlsx.zip"):
        return "xlsx"
    return "csv" if name.endswith((".zip", ".csv")) else "xlsx"


def full_export_path(path: Path, fmt: str, today: date, encrypted: bool = False) -> Path:
    """Where the export really goes: a CSV export is a zip of one file per table, an
    encrypted XLSX a zip holding the XLSX.

    A folder gets the file under the usual name inside it.
    """
    path = Path(path).expanduser().absolute()  # the audit entry must say where, exactly
    if path.is_dir():
        return path / full_export_name(today, fmt, encrypted)
    if (fmt == "csv" or encrypted) and path.suffix.lower() != ".zip":
        return path.with_name(path.name + ".zip")
    return path


def _inner_name(path: Path) -> str:
    """The XLSX's name inside an encrypted zip: the zip's, without ``.zip``."""
    name = path.name[: -len(".zip")] if path.name.lower().endswith(".zip") else path.name
    return name if name.lower().endswith(".xlsx") else f"{name}.xlsx"


def export_register(
    ctx: Context,
    fmt: str,
    path: Path,
    *,
    passphrase: str | None = None,
    unencrypted: bool = False,
) -> FullExport:
    """Write the whole register (``FULL_TABLES``) to ``path``; coordinators only.

    Encrypted with ``passphrase`` (an AES-256 zip), or in the clear only when
    ``unencrypted`` says so: one of the two is required. The file is owner-only.

    The rows are read, the file written to a temporary name and the audit entry
    committed in one transaction; only then is the file renamed into place. A
    failure before the commit leaves no file; a failed rename leaves an entry for
    a file that never appeared. The trail may over-report, never miss an export.
    """
    if fmt not in FULL_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    require_coordinator(ctx)
    check_export_passphrase(passphrase, unencrypted)
    path = full_export_path(path, fmt, ctx.today(), encrypted=passphrase is not None)
    with atomic_path(path) as tmp, ctx.use_case():
        owner_only(tmp)
        if passphrase is None:
            counts = _register_xlsx(ctx, tmp) if fmt == "xlsx" else _register_zip(ctx, tmp)
        elif fmt == "xlsx":
            counts = _register_xlsx_encrypted(ctx, tmp, _inner_name(path), passphrase)
        else:
            counts = _register_zip(ctx, tmp, passphrase)
        owner_only(tmp)  # a library that wrote the file anew may have used the umask
        ctx.audit(
            "export",
            "register",
            "full",
            after={
                "format": fmt,
                "path": str(path),
                "counts": counts,
                "encrypted": passphrase is not None,
            },
        )
    return FullExport(path, counts)


def _aes_zip(path: Path, passphrase: str) -> Any:
    """An AES-256 zip for writing. The passphrase as UTF-8, as 7-Zip takes it."""
    # pyzipper ships no types; its archive is used as Any here and nowhere else.
    import pyzipper  # type: ignore[import-untyped]

    archive = pyzipper.AESZipFile(
        path, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    )
    archive.setpassword(passphrase.encode("utf-8"))
    archive.setencryption(pyzipper.WZ_AES, nbits=256)
    return archive


# A whole register is hundreds of thousands of rows: they are streamed from the cursor
# to the file, one table after the other, never held in memory all at once.


# Removed households and people are gone from the register; so are the cases and steps
# hanging from them (a removed person's cases were closed, not removed, for undo), their
# documents, and their attendance. An erased person is a removed one (erasure.py).
_LIVE_HOUSEHOLD = (
    "EXISTS (SELECT 1 FROM households h WHERE h.id = t.household_id AND h.deleted_at IS NULL)"
)
_LIVE_PERSON = "EXISTS (SELECT 1 FROM persons p WHERE p.id = t.person_id AND p.deleted_at IS NULL)"
_LIVE_PERSON_OF_LIVE_HOUSEHOLD = (
    "EXISTS (SELECT 1 FROM persons p JOIN households h ON h.id = p.household_id "
    "WHERE p.id = t.person_id AND p.deleted_at IS NULL AND h.deleted_at IS NULL)"
)
_LIVE_CASE = f"t.deleted_at IS NULL AND {_LIVE_PERSON} AND {_LIVE_HOUSEHOLD}"
# the inner "t" is the case: the same test as for the cases table
_OF_LIVE_CASE = f"t.case_id IN (SELECT t.id FROM cases t WHERE {_LIVE_CASE})"
_LIVE = {
    "households": "t.deleted_at IS NULL",
    "persons": f"t.deleted_at IS NULL AND {_LIVE_HOUSEHOLD}",
    "documents": f"t.deleted_at IS NULL AND {_LIVE_PERSON_OF_LIVE_HOUSEHOLD}",
    "cases": _LIVE_CASE,
    "case_steps": f"t.deleted_at IS NULL AND {_OF_LIVE_CASE}",
    "case_events": _OF_LIVE_CASE,  # append-only: never deleted
    "workshops": "t.deleted_at IS NULL",
    "attendance": (
        "t.deleted_at IS NULL AND EXISTS (SELECT 1 FROM workshops w WHERE "
        f"w.id = t.workshop_id AND w.deleted_at IS NULL) AND {_LIVE_HOUSEHOLD} "
        f"AND (t.person_id IS NULL OR {_LIVE_PERSON})"
    ),
    "users": "t.deleted_at IS NULL",
}


def _table_rows(ctx: Context, table: str) -> tuple[list[str], Iterator[list[Any]]]:
    columns = ", ".join(f"t.{c}" for c in _COLUMNS[table]) if table in _COLUMNS else "t.*"
    cursor = ctx.db.execute(
        f"SELECT {columns} FROM {table} t WHERE {_LIVE[table]} ORDER BY t.rowid"
    )
    names = [d[0] for d in cursor.description]
    keep = [i for i, n in enumerate(names) if n not in _LEFT_OUT]
    return [names[i] for i in keep], ([row[i] for i in keep] for row in cursor)


def _register_xlsx(ctx: Context, path: Path) -> dict[str, int]:
    """Write-only mode: several times faster than a normal workbook, in little memory.

    Dates are still dates (openpyxl gives each a date format as it writes the cell).
    """
    from openpyxl import Workbook

    with scratch_beside(path):
        return _register_sheets(ctx, Workbook(write_only=True), path)


def _register_xlsx_encrypted(
    ctx: Context, path: Path, inner: str, passphrase: str
) -> dict[str, int]:
    """The same workbook, saved straight into the encrypted zip: the XLSX itself never
    lies on the disk in the clear (openpyxl's sheets wait, as always, in the
    owner-only scratch folder, deleted after)."""
    from openpyxl import Workbook

    with (
        scratch_beside(path),
        _aes_zip(path, passphrase) as archive,
        archive.open(inner, "w") as raw,
    ):
        return _register_sheets(ctx, Workbook(write_only=True), raw)


def _register_sheets(ctx: Context, book: Any, path: Path | IO[bytes]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in FULL_TABLES:
        headers, rows = _table_rows(ctx, name)
        sheet = book.create_sheet(name)
        sheet.append(headers)
        dates = [i for i, h in enumerate(headers) if h in _DATE_COLUMNS]
        n = 0
        for row in rows:
            for i in dates:
                row[i] = _as_date(row[i])
            sheet.append(_xlsx_row(sheet, row))
            n += 1
        counts[name] = n
    book.save(path)
    return counts


def _register_zip(ctx: Context, path: Path, passphrase: str | None = None) -> dict[str, int]:
    """One CSV per table in a zip, AES-encrypted with ``passphrase`` if given."""
    counts: dict[str, int] = {}
    opened = (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED)
        if passphrase is None
        else _aes_zip(path, passphrase)
    )
    with opened as archive:
        for name in FULL_TABLES:
            headers, rows = _table_rows(ctx, name)
            # utf-8-sig: the BOM Excel needs to read Cyrillic and č ć š ž right.
            with (
                archive.open(f"{name}.csv", "w") as raw,
                io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text,
            ):
                writer = csv.writer(text, lineterminator="\r\n")
                writer.writerow(headers)
                n = 0
                for row in rows:
                    writer.writerow([_csv_value(v) for v in row])
                    n += 1
            counts[name] = n
    return counts


def _as_date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


# --- a workshop's attendance --------------------------------------------------------------

ATTENDANCE_FORMATS = ("csv", "xlsx")
ATTENDANCE_NAMES_WARNING = N_(
    "This file lists who came to the workshop: keep it on an encrypted disk and delete it "
    "when it is no longer needed."
)


@dataclass(frozen=True)
class AttendanceExport:
    path: Path
    households: int
    people: int
    names: bool  # the file lists who came, not only how many


def _attendance_tables(
    ctx: Context, workshop_id: str, language: str, names: bool
) -> list[tuple[str, list[str], list[list[Any]]]]:
    """(title, headers, rows): the workshop and its counts; with ``names`` who came."""
    from docassist.domain.model import Sex
    from docassist.services import workshops as ws

    t = translator(language)
    workshop = ws.get_workshop(ctx, workshop_id)
    present = ws.attendees(ctx, workshop_id)
    people = [(a, p) for a in present for p in a.people]
    ages = [p.age_on(workshop.held_on) for _a, p in people]
    facts: list[list[Any]] = [
        [t.gettext(N_("Date")), workshop.held_on],
        [t.gettext(N_("Place")), workshop.place],
        [t.gettext(N_("Settlement")), workshop.settlement],
        [t.gettext(N_("Municipality")), workshop.municipality],
        [t.gettext(N_("Checklists")), ", ".join(workshop.checklists)],
        [t.gettext(N_("Languages")), ", ".join(workshop.languages)],
        [t.gettext(N_("Closed")), workshop.closed_at[:10] if workshop.closed_at else ""],
        # As the workshop list and the reports count them (services.workshops).
        [t.gettext(N_("Households present")), workshop.households],
        [t.gettext(N_("People present")), workshop.people],
        [t.gettext(N_("Women and girls")), sum(p.sex == Sex.FEMALE for _a, p in people)],
        [t.gettext(N_("Men and boys")), sum(p.sex == Sex.MALE for _a, p in people)],
        [t.gettext(N_("Under 18")), sum(1 for age in ages if age is not None and age < 18)],
        [t.gettext(N_("Age not known")), sum(1 for age in ages if age is None)],
    ]
    tables: list[tuple[str, list[str], list[list[Any]]]] = [
        (t.pgettext("sheet name", "Workshop"), [], facts)
    ]
    if names:
        headers = [
            t.gettext(N_("Family name")),
            t.gettext(N_("Given name")),
            t.gettext(N_("Year of birth")),
            t.gettext(N_("Settlement")),
            t.gettext(N_("Municipality")),
            t.gettext(N_("Household")),
        ]
        rows = [
            [
                p.family_name,
                p.given_name,
                p.birth_date.year if p.birth_date else None,
                a.settlement,
                a.municipality,
                a.household_id,
            ]
            for a, p in people
        ]
        tables.append((t.pgettext("sheet name", "People present"), headers, rows))
    return tables


def attendance_export_name(held_on: date, fmt: str, names: bool, encrypted: bool) -> str:
    stem = f"docassist-attendance-{held_on.isoformat()}" + ("-names" if names else "")
    if fmt == "csv":
        return f"{stem}.zip" if names else f"{stem}.csv"
    return f"{stem}.xlsx.zip" if encrypted else f"{stem}.xlsx"


def export_attendance(
    ctx: Context,
    workshop_id: str,
    fmt: str,
    path: Path,
    *,
    language: str,
    names: bool = False,
    passphrase: str | None = None,
    unencrypted: bool = False,
) -> AttendanceExport:
    """A workshop's attendance as CSV or XLSX: the counts, or with ``names`` who came.

    Counts only is anyone's (like a report). With names it is a coordinator's, and
    encrypted like the whole register unless ``unencrypted`` says otherwise: an AES-256
    zip holding the XLSX, or the CSV files. A path that is a folder gets the usual name.
    """
    from docassist.services import workshops as ws

    if fmt not in ATTENDANCE_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    workshop = ws.get_workshop(ctx, workshop_id)
    encrypted = False
    if names:
        require_coordinator(ctx)
        check_export_passphrase(passphrase, unencrypted)
        encrypted = passphrase is not None
    elif passphrase is not None:
        raise ValueError("a counts-only export is not encrypted")
    path = Path(path).expanduser().absolute()
    if path.is_dir():
        path = path / attendance_export_name(workshop.held_on, fmt, names, encrypted)
    elif (encrypted or (names and fmt == "csv")) and path.suffix.lower() != ".zip":
        path = path.with_name(path.name + ".zip")
    tables = _attendance_tables(ctx, workshop_id, language, names)
    files = ("workshop", "people")
    with atomic_path(path) as tmp, ctx.use_case():
        owner_only(tmp)
        if fmt == "xlsx" and not encrypted:
            _xlsx_book(tables).save(tmp)
        elif fmt == "xlsx":
            # Built in memory: the XLSX with names never lies on the disk in the clear.
            data = io.BytesIO()
            _xlsx_book(tables).save(data)
            with _aes_zip(tmp, passphrase or "") as archive:
                archive.writestr(_inner_name(path), data.getvalue())
        elif names:  # one CSV per table in a zip, encrypted when asked
            with (
                _aes_zip(tmp, passphrase)
                if passphrase is not None
                else zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED)
            ) as archive:
                for name, table in zip(files, tables, strict=True):
                    archive.writestr(f"{name}.csv", "\ufeff" + _tables_csv([table]))
        else:
            tmp.write_text(_tables_csv(tables), encoding="utf-8-sig", newline="")
        owner_only(tmp)
        ctx.audit(
            "export",
            "workshop",
            workshop_id,
            after={"format": fmt, "path": str(path), "names": names, "encrypted": encrypted},
        )
    return AttendanceExport(path, workshop.households, workshop.people, names)


def _tables_csv(tables: list[tuple[str, list[str], list[list[Any]]]]) -> str:
    """Tables one under the other: a title row, the headers, the rows, a blank row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for title, headers, rows in tables:
        writer.writerow([title])
        if headers:
            writer.writerow(headers)
        for row in rows:
            writer.writerow([_csv_value(v) for v in row])
        writer.writerow([])
    return out.getvalue()
