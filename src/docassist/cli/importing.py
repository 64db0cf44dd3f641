"""``docassist import households FILE``: the dry run by default, the import with --apply.

Exit status: 0 when all is well (or the good rows were written), 1 when a dry run
found rows with errors, 2 when the file or the command line cannot be used (one
line on stderr, from ``errors``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from docassist.cli.errors import UsageError
from docassist.cli.register import add_sign_in_options, signed_in
from docassist.i18n import _

if TYPE_CHECKING:  # imported when the command runs: `docassist --help` needs none of it
    from docassist.services import importing as imp

NAME = "import"


def add_parser(sub: argparse._SubParsersAction, codes: list[str]) -> None:
    imp = sub.add_parser(NAME, help=_("bring in data from a spreadsheet"))
    imp_sub = imp.add_subparsers(dest="import_command", metavar="WHAT", required=True)
    households = imp_sub.add_parser(
        "households",
        help=_("households and their people from a CSV or XLSX file (checked first)"),
    )
    households.add_argument("file", metavar="FILE")
    households.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help=_("use COLUMN for FIELD instead of the guess (FIELD '-' leaves a column out)"),
    )
    households.add_argument("--sheet", metavar="NAME", help=_("the Excel sheet to read"))
    households.add_argument(
        "--apply", action="store_true", help=_("write the good rows (without it: only check)")
    )
    duplicates = households.add_mutually_exclusive_group()
    duplicates.add_argument(
        "--keep-duplicates",
        action="store_true",
        help=_(
            "also import rows that look like someone already registered or on an earlier "
            "line (same name and year of birth); they are left out without it"
        ),
    )
    # Leaving them out used to need this; it is the default now. Kept for old scripts.
    duplicates.add_argument("--skip-duplicates", action="store_true", help=argparse.SUPPRESS)
    households.add_argument(
        "--keep-line",
        action="append",
        type=int,
        default=[],
        metavar="LINE",
        help=_(
            "import the likely duplicate on LINE anyway (once you know it is another "
            "person); may be given again for other lines"
        ),
    )
    add_sign_in_options(households)


def _overrides(pairs: list[str]) -> list[tuple[str, str]]:
    result = []
    for pair in pairs:
        column, sep, field = pair.rpartition("=")
        if not sep or not column.strip():
            raise UsageError(
                _("--map takes COLUMN=FIELD, like --map Ime=given_name, not '{value}'.").format(
                    value=pair
                )
            )
        result.append((column.strip(), field.strip()))
    return result


def print_mapping(plan: imp.ImportPlan) -> None:
    from docassist.services import importing as imp

    # A header may be anything a cell holds: cut, so each column stays one line.
    names = [imp.short(name) for name in imp.column_names(plan.headers)]
    fields = {index: key for key, index in plan.mapping.items()}
    where = plan.path.name + (f" [{plan.sheet}]" if plan.sheet else "")
    print(_("Columns of {file}:").format(file=where))
    width = max((len(n) for n in names), default=0)
    for index, name in enumerate(names):
        key = fields.get(index)
        target = f"{_(imp.field_label(key))} ({key})" if key else _("Not imported")
        print(f"  {name:<{width}}  -> {target}")


def print_problems(plan: imp.ImportPlan) -> None:
    from docassist.services.importing import left_out, problem_text

    for note in plan.notes:
        print(f"{plan.path}: {_('warning')}: {note.render(_)}")
    for row in plan.problems:
        kind = "" if left_out(plan, row) else f"{_('warning')}: "
        print(f"{plan.path}:{row.line}: {kind}{problem_text(plan, row)}")


def run(args: argparse.Namespace) -> int:
    from docassist.services import importing as imp
    from docassist.services.importing import households_text, people_text, summary_lines

    overrides = _overrides(args.map)
    path = Path(args.file).expanduser()
    # Reading the header first means a bad file or column is reported before the
    # register is even opened.
    headers, _sheets = imp.read_headers(path, args.sheet)
    mapping = imp.resolve_overrides(headers, overrides, path)
    if imp.check_mapping(mapping):
        # Said here, with the file and its columns, before the register is opened.
        missing = [key for key in ("given_name", "family_name") if key not in mapping]
        raise UsageError(
            _(
                "{file}: no column is recognised as {fields}. Its columns are: {columns}. "
                "Say which with --map COLUMN=FIELD."
            ).format(
                file=path,
                fields=", ".join(missing),
                columns=imp.column_list(headers),
            )
        )
    # Even a dry run signs in: it compares the file with the families already registered.
    with signed_in(args) as ctx:
        plan = imp.check_import(
            ctx,
            path,
            mapping=mapping,
            sheet=args.sheet,
            skip_duplicates=not args.keep_duplicates,
            choices=dict.fromkeys(args.keep_line, True),
        )
        print_mapping(plan)
        print_problems(plan)
        for line in summary_lines(plan):
            print(line)
        if len(plan.likely_duplicates) > plan.kept_duplicates:
            print(
                _(
                    "Add --keep-duplicates to import the likely duplicates too, or "
                    "--keep-line LINE for one of them, once you know they are other people."
                )
            )
        if not args.apply:
            print(_("Nothing was written. Add --apply to import the rows without errors."))
            return 1 if plan.error_rows else 0
        if not plan.households:
            print(_("There is nothing to import."))
            # Everyone already known (the same list imported again) is no failure.
            return 1 if plan.error_rows or not plan.rows else 0
        result = imp.apply_import(ctx, plan)
    print(
        _("Imported: {households}, {people}.").format(
            households=households_text(len(result.households)), people=people_text(result.people)
        )
    )
    for household in result.households:
        place = f" ({household.settlement})" if household.settlement else ""
        print(f"  {household.family_name}{place}: {people_text(household.people)}")
    return 0
