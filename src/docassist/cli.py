"""The ``docassist`` command: the app by default, and a few sub-commands.

Every failure is one clear line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from docassist import __version__, i18n, locations
from docassist.i18n import _

LANG_ENV = "DOCASSIST_LANG"


class UsageError(Exception):
    """A mistake on the command line, already worded for the user."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would exit with status 2 and usage
        raise UsageError(message)


def _language_from(argv: Sequence[str]) -> str | None:
    """Find --lang before parsing, so --help is already in the user's language."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return os.environ.get(LANG_ENV)


def build_parser() -> argparse.ArgumentParser:
    codes = [lang.code for lang in i18n.LANGUAGES]
    parser = _Parser(
        prog="docassist",
        description=_("Documentation workshops and case follow-up."),
    )
    parser.add_argument("--version", action="version", version=f"docassist {__version__}")
    parser.add_argument(
        "--db",
        metavar="PATH",
        help=_("database file to use (default: the register in your data folder)"),
    )
    parser.add_argument(
        "--lang", choices=codes, help=_("language: {codes}").format(codes=", ".join(codes))
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("run", help=_("start the app (the default)"))
    sub.add_parser("locate", help=_("show where docassist keeps its files"))

    demo = sub.add_parser("demo", help=_("try docassist on made-up families (a separate file)"))
    demo.add_argument("--households", type=int, default=300, metavar="N")
    demo.add_argument("--seed", type=int, default=1, metavar="S")
    demo.add_argument("--rebuild", action="store_true", help=_("throw away and rebuild the demo"))
    demo.add_argument("--no-run", action="store_true", help=_("build only, do not start the app"))

    db = sub.add_parser("db", help=_("database maintenance"))
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("check", help=_("check the database file for damage"))

    checklists = sub.add_parser("checklists", help=_("procedure checklists"))
    cl_sub = checklists.add_subparsers(dest="checklists_command", metavar="ACTION", required=True)
    validate = cl_sub.add_parser(
        "validate", help=_("check checklist files and report every problem")
    )
    validate.add_argument("paths", nargs="*", metavar="PATH")

    sub.add_parser("languages", help=_("show how complete each translation is"))
    _add_report_parsers(sub, codes)
    _add_handout_parser(sub, codes)

    imp = sub.add_parser("import", help=_("bring in data from a spreadsheet"))
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
    households.add_argument(
        "--skip-duplicates",
        action="store_true",
        help=_("leave out rows that look like people already registered"),
    )
    households.add_argument("--user", metavar="NAME", help=_("who is importing (for the record)"))
    return parser


def _add_report_parsers(sub: argparse._SubParsersAction, codes: list[str]) -> None:
    report = sub.add_parser(
        "report", help=_("figures for a period: people served, documents, workshops (no names)")
    )
    report.add_argument(
        "--from", dest="start", metavar="DATE", help=_("first day (default: start of quarter)")
    )
    report.add_argument("--to", dest="end", metavar="DATE", help=_("last day (default: today)"))
    report.add_argument("--municipality", metavar="M", help=_("only this municipality"))
    report.add_argument("--format", choices=("table", "csv", "xlsx", "json"), dest="fmt")
    report.add_argument("--output", metavar="FILE", help=_("save to this file"))
    # Also accepted after the command; SUPPRESS keeps a global --lang from being reset.
    report.add_argument("--lang", choices=codes, default=argparse.SUPPRESS)

    export = sub.add_parser(
        "export", help=_("the whole register with names, for a coordinator (personal data)")
    )
    export.add_argument("--user", required=True, metavar="NAME_OR_ID", help=_("who exports"))
    export.add_argument("--format", choices=("csv", "xlsx"), dest="fmt")
    export.add_argument("--output", required=True, metavar="FILE", help=_("save to this file"))
    export.add_argument("--lang", choices=codes, default=argparse.SUPPRESS)


def _add_handout_parser(sub, codes: list[str]) -> None:
    handout = sub.add_parser("handout", help=_("save a printable handout (PDF)"))
    ho_sub = handout.add_subparsers(dest="handout_command", metavar="KIND", required=True)
    # dest differs from the global --lang: that one is the language of docassist's
    # own messages, this one the language printed for the family.
    checklist = ho_sub.add_parser("checklist", help=_("one procedure, for families"))
    checklist.add_argument("checklist_id", metavar="ID")
    checklist.add_argument(
        "--lang", dest="handout_lang", choices=codes, help=_("language of the handout")
    )
    checklist.add_argument(
        "--second-lang",
        dest="second_lang",
        choices=codes,
        help=_("second language, printed under each line"),
    )
    checklist.add_argument(
        "--output", metavar="FILE", help=_("where to save it (a file or a folder)")
    )
    family = ho_sub.add_parser(
        "family", help=_("a household's next steps and what to bring, for the family")
    )
    family.add_argument("household_id", metavar="HOUSEHOLD_ID")
    family.add_argument(
        "--lang", dest="handout_lang", choices=codes, help=_("language of the handout")
    )
    family.add_argument("--output", metavar="FILE", help=_("where to save it (a file or a folder)"))


def _db_path(args: argparse.Namespace) -> Path:
    return Path(args.db).expanduser() if args.db else locations.default_database()


def cmd_run(args: argparse.Namespace) -> int:
    from docassist.ui.app import DocAssistApp

    DocAssistApp(_db_path(args), language=args.lang).run()
    return 0


def cmd_locate(args: argparse.Namespace) -> int:
    rows = [
        (_("Register (database)"), _db_path(args)),
        (_("Demo database"), locations.demo_database()),
        (_("Practice database"), locations.practice_database()),
        (_("Your own checklists"), locations.user_checklists_dir()),
        (_("Handouts"), locations.handouts_dir()),
        (_("Shipped checklists"), locations.checklists_dir()),
        (_("Translations"), locations.locales_dir()),
        (_("Logs"), locations.log_dir()),
    ]
    width = max(len(label) for label, _path in rows)
    for label, path in rows:
        print(f"{label:<{width}}  {path}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from docassist.services.context import Context
    from docassist.services.demo import generate
    from docassist.store.db import open_database

    if args.households < 1 or args.households > 1_000_000:
        raise UsageError(_("--households must be between 1 and 1000000."))
    path = Path(args.db).expanduser() if args.db else locations.demo_database()
    if path.resolve() == locations.default_database().resolve():
        raise UsageError(_("The demo never writes into the real register. Choose another file."))
    if args.rebuild:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = open_database(path)
    try:
        empty = db.execute("SELECT count(*) FROM households").fetchone()[0] == 0
        if empty:
            print(
                _("Building a demo register of {n} made-up households in {path} ...").format(
                    n=args.households, path=path
                )
            )
            generate(Context(db), households=args.households, seed=args.seed)
    finally:
        db.close()
    if args.no_run:
        print(_("Demo register ready: {path}").format(path=path))
        return 0
    from docassist.ui.app import DocAssistApp

    DocAssistApp(path, demo=True, language=args.lang).run()
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from docassist.store.db import check_database

    path = _db_path(args)
    findings = check_database(path)
    if findings:
        for line in findings:
            print(f"{path}: {line}", file=sys.stderr)
        return 1
    print(_("{path}: no damage found.").format(path=path))
    return 0


def cmd_checklists(args: argparse.Namespace) -> int:
    from docassist.checklist import validate_paths
    from docassist.practice import validate_scenarios

    # Practice scenarios refer to checklist steps, so they are checked with the
    # checklists: a renamed step must not silently break a trainee's scenario.
    paths = [Path(p) for p in args.paths]
    scenario_paths = [p for p in paths if _is_scenario_path(p)]
    checklist_paths = [p for p in paths if not _is_scenario_path(p)]
    checklists, problems = [], []
    if checklist_paths or not paths:
        checklists, problems = validate_paths(checklist_paths or None)
    scenarios: list = []
    if scenario_paths or not paths:
        known = checklists if checklist_paths else None  # None: the checklists in use
        scenarios, found = validate_scenarios(scenario_paths or None, checklists=known)
        problems += [p for p in found if p.is_error]
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    if checklists:
        print(
            i18n.ngettext(
                "{n} checklist is valid.", "All {n} checklists are valid.", len(checklists)
            ).format(n=len(checklists))
        )
    if scenarios:
        print(
            i18n.ngettext(
                "{n} practice scenario is valid.",
                "All {n} practice scenarios are valid.",
                len(scenarios),
            ).format(n=len(scenarios))
        )
    return 0


def _is_scenario_path(path: Path) -> bool:
    return "scenarios" in path.parts


def cmd_languages(args: argparse.Namespace) -> int:
    from docassist.catalogue_stats import language_stats

    print(f"{_('Language'):<16} {_('Translated'):>11} {_('Reviewed'):>11}")
    for language, translated, reviewed in language_stats():
        print(
            f"{language.native_name:<16} {i18n.format_percent(translated):>11} "
            f"{i18n.format_percent(reviewed):>11}"
        )
    return 0


def _open_register(args: argparse.Namespace):
    from docassist.store.db import open_database

    # Reading a report must not leave an empty register behind a mistyped --db.
    return open_database(_db_path(args), create=False)


def _format_from(fmt: str | None, output: str | None, default: str) -> str:
    if fmt:
        return fmt
    suffix = Path(output).suffix.lower().lstrip(".") if output else ""
    return suffix if suffix in ("csv", "xlsx", "json") else default


def cmd_report(args: argparse.Namespace) -> int:
    from docassist.checklist import load_all
    from docassist.services import export, reports
    from docassist.services.context import Context

    fmt = _format_from(args.fmt, args.output, "table")
    if fmt == "table" and args.output:
        raise UsageError(_("--format table prints to the screen; use csv, xlsx or json to save."))
    if fmt == "xlsx" and not args.output:
        raise UsageError(_("An XLSX file needs --output FILE."))
    language = i18n.current_language().code
    db = _open_register(args)
    try:
        ctx = Context(db)
        period = reports.make_period(ctx.today(), args.start, args.end)
        municipality = reports.resolve_municipality(ctx, args.municipality)
        report = reports.build_report(ctx, period, municipality, load_all())
    finally:
        db.close()
    if fmt == "table":
        _print_report(report, language)
    elif args.output:
        path = export.write_report(report, fmt, Path(args.output), language)
        print(_("Report saved to {path}").format(path=path.resolve()))
    else:
        text = export.report_csv(report, language) if fmt == "csv" else None
        sys.stdout.write(text if text is not None else export.report_json(report, language))
    return 0


def _print_report(report, language: str) -> None:
    from datetime import date

    from rich.console import Console
    from rich.table import Table

    from docassist.services import export

    console = Console(highlight=False)

    def show(value: object) -> str:
        if isinstance(value, bool) or value is None:
            return "" if value is None else str(value)
        if isinstance(value, int):
            return i18n.format_number(value)
        if isinstance(value, float):
            return i18n.format_decimal(value, 1)
        if isinstance(value, date):
            return i18n.format_date(value)
        return str(value)

    for label, value in export.report_heading(report, language):
        console.print(f"{label}: {show(value)}", markup=False)
    for local, table in zip(export.localized_tables(report, language), report.tables, strict=True):
        out = Table(
            title=local.title, title_justify="left", caption=local.note, caption_justify="left"
        )
        for column, header in zip(table.columns, local.headers, strict=True):
            out.add_column(header, justify="left" if column.kind == "label" else "right")
        for row in local.rows:
            out.add_row(*(show(v) for v in row))
        if not local.rows:
            out.add_row(_("(nothing in this period)"))
        console.print()
        console.print(out)


def _find_user(ctx, wanted: str):
    from docassist.domain import script
    from docassist.services import users

    everyone = users.list_users(ctx)
    for user in everyone:
        if user.id == wanted:
            return user
    matches = [u for u in everyone if script.search_key(u.name) == script.search_key(wanted)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UsageError(
            _("Several users are called '{name}'. Give the id instead: {ids}").format(
                name=wanted, ids=", ".join(u.id for u in matches)
            )
        )
    raise UsageError(_("There is no user '{name}' in this register.").format(name=wanted))


def cmd_export(args: argparse.Namespace) -> int:
    from docassist.services import export
    from docassist.services.context import Context

    fmt = _format_from(args.fmt, args.output, "csv")
    if fmt not in export.FULL_FORMATS:
        fmt = "csv"
    db = _open_register(args)
    try:
        ctx = Context(db)
        ctx.user_id = _find_user(ctx, args.user).id
        export.require_coordinator(ctx)
        print(_("Warning: personal data.") + " " + _(export.PERSONAL_DATA_WARNING), file=sys.stderr)
        result = export.export_register(ctx, fmt, Path(args.output))
    finally:
        db.close()
    print(_("The whole register was saved to {path}").format(path=result.path.resolve()))
    return 0


def cmd_handout(args: argparse.Namespace) -> int:
    from docassist.checklist import load_all
    from docassist.services import handouts
    from docassist.services.context import Context, NotFoundError
    from docassist.store.db import open_database

    checklists = load_all()
    if args.handout_command == "checklist":
        if args.checklist_id not in checklists:
            known = ", ".join(c.id for c in checklists)
            raise UsageError(
                _("no checklist '{id}'; known: {known}").format(id=args.checklist_id, known=known)
            )
        first = args.handout_lang or i18n.current_language().code
        languages = [first] + ([args.second_lang] if args.second_lang else [])
        handout = handouts.make_checklist_handout(checklists, args.checklist_id, languages)
    else:
        path = _db_path(args)
        if not path.is_file():
            raise UsageError(_("no register at {path}").format(path=path))
        db = open_database(path)
        try:
            ctx = Context(db)
            try:
                handout = handouts.make_family_plan(
                    ctx, args.household_id, checklists, args.handout_lang
                )
            except NotFoundError:
                raise UsageError(
                    _("no household '{id}' in {path}").format(id=args.household_id, path=path)
                ) from None
            saved = handouts.save(handout, args.output, ctx)
        finally:
            db.close()
        print(_("Saved: {path}").format(path=saved))
        return 0
    print(_("Saved: {path}").format(path=handouts.save(handout, args.output)))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from docassist.cli_import import import_households

    return import_households(args, _db_path(args))


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": cmd_run,
    "locate": cmd_locate,
    "demo": cmd_demo,
    "db": cmd_db,
    "checklists": cmd_checklists,
    "languages": cmd_languages,
    "report": cmd_report,
    "export": cmd_export,
    "handout": cmd_handout,
    "import": cmd_import,
}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    language = _language_from(argv)
    if language in {lang.code for lang in i18n.LANGUAGES}:
        i18n.set_language(language)
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command or "run"](args)
    except UsageError as err:
        print(f"docassist: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # the one place that turns any failure into one line
        return _report(err)


def _report(err: Exception) -> int:
    from docassist.services.context import ValidationError
    from docassist.services.importing import ImportFileError
    from docassist.store.db import StoreError

    if isinstance(err, StoreError | ImportFileError):
        message = err.render(_)
    elif isinstance(err, ValidationError):
        message = "; ".join(p.render(_) for ps in err.problems.values() for p in ps)
    elif isinstance(err, OSError):
        message = _("cannot use {path}: {reason}").format(
            path=err.filename or "?", reason=err.strerror or type(err).__name__
        )
    else:
        from docassist.crashlog import write_crash_log

        log = write_crash_log(err)
        message = _("internal error ({kind}); details without personal data in {path}").format(
            kind=type(err).__name__, path=log or "?"
        )
    print(f"docassist: {message}", file=sys.stderr)
    return 2
