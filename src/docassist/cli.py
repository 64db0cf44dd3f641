"""The ``docassist`` command: the app by default, and a few sub-commands.

Every failure is one clear line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from docassist import __version__, cli_handout, cli_import, cli_report, i18n, locations
from docassist.cli_argparse import in_user_language
from docassist.cli_common import UsageError, db_path
from docassist.i18n import _

if TYPE_CHECKING:  # the app (Textual) is imported only when it runs
    from docassist.ui.app import DocAssistApp

LANG_ENV = "DOCASSIST_LANG"


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
    parser.add_argument(
        "--version",
        action="version",
        version=f"docassist {__version__}",
        # argparse's own default is not looked up in any catalogue
        help=_("show program's version number and exit"),
    )
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
    backup = db_sub.add_parser("backup", help=_("copy the register to a safe place"))
    backup.add_argument(
        "--output", metavar="PATH", help=_("file or folder (default: the backups folder)")
    )
    restore = db_sub.add_parser(
        "restore", help=_("put a backup in place of the register (the old one is kept)")
    )
    restore.add_argument("backup", metavar="FILE")

    checklists = sub.add_parser("checklists", help=_("procedure checklists"))
    cl_sub = checklists.add_subparsers(dest="checklists_command", metavar="ACTION", required=True)
    validate = cl_sub.add_parser(
        "validate", help=_("check checklist files and report every problem")
    )
    validate.add_argument("paths", nargs="*", metavar="PATH")

    sub.add_parser("languages", help=_("show how complete each translation is"))
    # Each larger command lives in its own module, with its parser beside its code.
    cli_report.add_parsers(sub, codes)
    cli_handout.add_parser(sub, codes)
    cli_import.add_parser(sub)

    return parser


def cmd_run(args: argparse.Namespace) -> int:
    _need_terminal()
    from docassist.ui.app import DocAssistApp

    return _run_app(DocAssistApp(db_path(args), language=args.lang))


def _need_terminal() -> None:
    """The app draws on a terminal and reads keys from it. From a script or cron it
    would run forever at full speed, writing escape codes into the output file."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            _("needs a terminal; the sub-commands work without one, see docassist --help")
        )


def _run_app(app: DocAssistApp) -> int:
    """Run the app; a crash (already shown on screen, without personal data) is
    status 2 like any other failure, so a script or launcher can tell."""
    app.run()
    return 2 if app.return_code else 0


def cmd_locate(args: argparse.Namespace) -> int:
    rows = [
        (_("Register (database)"), db_path(args)),
        (_("Demo database"), locations.demo_database()),
        (_("Practice database"), locations.practice_database()),
        (_("Your own checklists"), locations.user_checklists_dir()),
        (_("Handouts"), locations.handouts_dir()),
        (_("Backups"), locations.backups_dir()),
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
    if not args.no_run:
        _need_terminal()
    path = _demo_path(args)
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

    return _run_app(DocAssistApp(path, demo=True, language=args.lang))


def _demo_path(args: argparse.Namespace) -> Path:
    return Path(args.db).expanduser() if args.db else locations.demo_database()


def cmd_db(args: argparse.Namespace) -> int:
    from docassist.services import backups
    from docassist.store.db import check_database

    path = db_path(args)
    if args.db_command == "backup":
        written = backups.make_backup(path, args.output)
        print(_("Backup saved to {path}").format(path=written))
        print(_("It holds personal data: keep it as safe as the laptop itself."))
        return 0
    if args.db_command == "restore":
        kept = backups.restore_backup(args.backup, path)
        print(
            _("{path} now holds the register from {backup}.").format(path=path, backup=args.backup)
        )
        if kept:
            print(_("The register it replaced is kept in {path}").format(path=kept))
        return 0
    findings = check_database(path)
    if findings:
        for line in findings:
            print(f"{path}: {line}", file=sys.stderr)
        return 1
    print(_("{path}: no damage found.").format(path=path))
    return 0


def cmd_checklists(args: argparse.Namespace) -> int:
    from docassist.procedures import validate as validate_paths
    from docassist.procedures import validate_scenarios

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
    # Warnings (a user copy that is not used) are printed but do not fail the check.
    if any(problem.is_error for problem in problems):
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


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": cmd_run,
    "locate": cmd_locate,
    "demo": cmd_demo,
    "db": cmd_db,
    "checklists": cmd_checklists,
    "languages": cmd_languages,
    "report": cli_report.cmd_report,
    "export": cli_report.cmd_export,
    "handout": cli_handout.cmd_handout,
    "import": cli_import.cmd_import,
}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    language = _language_from(argv)
    if language in {lang.code for lang in i18n.LANGUAGES}:
        i18n.set_language(language)
    args = None
    try:
        with in_user_language():
            args = build_parser().parse_args(argv)
        status = COMMANDS[args.command or "run"](args)
        sys.stdout.flush()  # a reader gone away shows here, not at interpreter exit
        return status
    except UsageError as err:
        print(f"docassist: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return _reader_gone()
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # the one place that turns any failure into one line
        return _report(err, _register_of(args))


# 128 + SIGPIPE (13): the status a shell reports for any tool whose reader left
# early (`yes | head -1`), so `set -o pipefail` treats docassist like the others.
# Not 0: the output was cut short. Not 2: nothing went wrong that needs a message.
READER_GONE = 141


def _reader_gone() -> int:
    """The reader of our output closed the pipe (`docassist locate | head -1`):
    stop quietly. Python would flush stdout again at exit and complain about the
    broken pipe, so stdout now points at devnull (the recipe in the documentation
    of the signal module)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # no real file behind sys.stdout
        pass
    return READER_GONE


def _register_of(args: argparse.Namespace | None) -> Path | None:
    """The database file the command worked on, to name it in a message."""
    if args is None:
        return None
    return _demo_path(args) if args.command == "demo" else db_path(args)


def _report(err: Exception, register: Path | None = None) -> int:
    from docassist.domain.text import UserError
    from docassist.services.context import ValidationError
    from docassist.store.db import explain_database_error

    # Damage deep in a large register is met only when a command reads it: say
    # it as opening would have, not as an internal error.
    known = explain_database_error(err, register or "?")
    if isinstance(err, UserError):
        message = err.render(_)
    elif known is not None:
        message = known.render(_)
    elif isinstance(err, ValidationError):
        message = "; ".join(p.render(_) for ps in err.problems.values() for p in ps)
    elif isinstance(err, OSError):
        reason = err.strerror or type(err).__name__
        if err.filename:
            message = _("cannot use {path}: {reason}").format(path=err.filename, reason=reason)
        else:  # a full disk, a device gone: nothing to name
            message = _("cannot continue: {reason}").format(reason=reason)
    else:
        from docassist.crashlog import write_crash_log

        log = write_crash_log(err)
        message = _("internal error ({kind}); details without personal data in {path}").format(
            kind=type(err).__name__, path=log or "?"
        )
    print(f"docassist: {message}", file=sys.stderr)
    return 2
