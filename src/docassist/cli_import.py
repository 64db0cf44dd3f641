"""``docassist import households FILE``: the dry run by default, the import with --apply.

Kept apart from cli.py so the command table there stays short. Exit status: 0 when
all is well (or the good rows were written), 1 when a dry run found rows with errors,
2 when the file or the command line cannot be used (one line on stderr, from cli.py).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from docassist.i18n import _
from docassist.import_report import households_text, people_text, summary_lines
from docassist.services import importing as imp
from docassist.services.context import Context


def _overrides(pairs: list[str]) -> list[tuple[str, str]]:
    from docassist.cli import UsageError

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


def _user_id(ctx: Context, name: str | None) -> str | None:
    from docassist.cli import UsageError
    from docassist.domain.model import Role
    from docassist.domain.script import search_key
    from docassist.services.users import list_users

    if name is None:
        return None
    known = list_users(ctx)
    match = next((u for u in known if search_key(u.name) == search_key(name)), None)
    if match is None:
        raise UsageError(
            _("There is no user '{name}'. The users are: {users}.").format(
                name=name, users=", ".join(u.name for u in known) or "-"
            )
        )
    if match.role == Role.TRAINEE:
        raise UsageError(_("Trainees practise on made-up families only."))
    return match.id


def print_mapping(plan: imp.ImportPlan) -> None:
    names = imp.column_names(plan.headers)
    fields = {index: key for key, index in plan.mapping.items()}
    where = plan.path.name + (f" [{plan.sheet}]" if plan.sheet else "")
    print(_("Columns of {file}:").format(file=where))
    width = max((len(n) for n in names), default=0)
    for index, name in enumerate(names):
        key = fields.get(index)
        target = f"{_(imp.field_label(key))} ({key})" if key else _("Not imported")
        print(f"  {name:<{width}}  -> {target}")


def print_problems(plan: imp.ImportPlan) -> None:
    for note in plan.notes:
        print(f"{plan.path}: {_('warning')}: {note.render(_)}")
    for row in plan.problems:
        kind = "" if row.is_error else f"{_('warning')}: "
        print(f"{plan.path}:{row.line}: {kind}{imp.describe(row, _)}")


def import_households(args: argparse.Namespace, db_path: Path) -> int:
    from docassist.store.db import open_database

    overrides = _overrides(args.map)
    path = Path(args.file).expanduser()
    # Reading the header first means a bad file or column is reported before the
    # register is even opened.
    headers, _sheets = imp.read_headers(path, args.sheet)
    mapping = imp.resolve_overrides(headers, overrides, path)
    db = open_database(db_path)
    try:
        ctx = Context(db)
        ctx.user_id = _user_id(ctx, args.user)
        plan = imp.check_import(
            ctx, path, mapping=mapping, sheet=args.sheet, skip_duplicates=args.skip_duplicates
        )
        print_mapping(plan)
        print_problems(plan)
        for line in summary_lines(plan):
            print(line)
        if plan.duplicate_rows and not args.skip_duplicates:
            print(_("Add --skip-duplicates to leave out the rows that look like someone known."))
        if not args.apply:
            print(_("Nothing was written. Add --apply to import the rows without errors."))
            return 1 if plan.error_rows else 0
        if not plan.households:
            print(_("There is nothing to import."))
            return 1
        result = imp.apply_import(ctx, plan)
    finally:
        db.close()
    print(
        _("Imported: {households}, {people}.").format(
            households=households_text(len(result.households)), people=people_text(result.people)
        )
    )
    for household in result.households:
        place = f" ({household.settlement})" if household.settlement else ""
        print(f"  {household.family_name}{place}: {people_text(household.people)}")
    return 0
