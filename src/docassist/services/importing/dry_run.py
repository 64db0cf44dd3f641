"""The dry run: every row checked, every problem listed with its line; nothing written."""

from __future__ import annotations

from pathlib import Path

from docassist.domain.text import N_
from docassist.services.context import Context
from docassist.services.importing.checker import RowChecker
from docassist.services.importing.encoding import cp1250_note
from docassist.services.importing.fields import check_mapping, guess_mapping
from docassist.services.importing.plan import ImportPlan
from docassist.services.importing.problems import ImportFileError
from docassist.services.importing.reading import Table, open_table

#: Refuse files with more data rows than this: the dry run keeps a few keys per row.
MAX_ROWS = 100_000


def file_stamp(path: Path) -> tuple[int, int]:
    """Size and modification time: how ``apply_import`` tells a file changed since."""
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def check_import(
    ctx: Context,
    path: Path | str,
    *,
    mapping: dict[str, int] | None = None,
    sheet: str | None = None,
    skip_duplicates: bool = True,
    choices: dict[int, bool] | None = None,
) -> ImportPlan:
    """The dry run: every row checked, every problem listed with its line. Writes nothing.

    ``mapping`` (field -> column index) defaults to the guess from the headers. Likely
    duplicates are left out unless ``skip_duplicates`` is False, or ``choices`` (line ->
    import it?) says otherwise for that line (see ``ImportPlan.choose``). Raises
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
            choices=dict(choices or {}),
            stamp=file_stamp(path),
            encoding=table.encoding,
            notes=list(table.notes),
        )
        _refuse_too_many_rows(table, sheet)
        checker = RowChecker(ctx, plan)
        for line, cells in table.rows:
            if plan.rows >= MAX_ROWS:  # only if the file grew since it was counted
                raise _too_many_rows(path)
            plan.problems += checker.check(line, cells)
        plan.problems += checker.finish()
        plan.problems.sort(key=lambda p: p.line)  # stable: a row's problems keep their order
    if checker.samples:
        plan.notes = [
            cp1250_note(checker.samples) if n.code == "import.cp1250" else n for n in plan.notes
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
