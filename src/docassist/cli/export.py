"""``docassist export``: the whole register with names, for a coordinator; or, with
``--workshop``, one workshop's attendance (counts; names only with ``--names``)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from docassist.cli.errors import UsageError
from docassist.cli.register import add_sign_in_options, output_path, signed_in
from docassist.i18n import _

# For scripts, as restic and borg take theirs; never echoed, never in the audit log.
PASSPHRASE_ENV = "DOCASSIST_EXPORT_PASSPHRASE"

NAME = "export"


def add_parser(sub: argparse._SubParsersAction, codes: list[str]) -> None:
    export = sub.add_parser(
        NAME, help=_("the whole register with names, for a coordinator (personal data)")
    )
    add_sign_in_options(export)
    export.add_argument(
        "--workshop",
        metavar="WORKSHOP",
        help=_(
            "only this workshop's attendance (its id, the start of it, or 'latest'): "
            "counts, no names"
        ),
    )
    export.add_argument(
        "--names",
        action="store_true",
        help=_("with --workshop: list who came too (a coordinator's; encrypted)"),
    )
    export.add_argument("--format", choices=("csv", "xlsx"), dest="fmt")
    export.add_argument("--output", required=True, metavar="FILE", help=_("save to this file"))
    protection = export.add_mutually_exclusive_group()
    protection.add_argument(
        "--export-passphrase-file",
        metavar="FILE",
        help=_(
            "encrypt with the passphrase on this file's first line (else {env}, or asked)"
        ).format(env=PASSPHRASE_ENV),
    )
    protection.add_argument(
        "--unencrypted",
        action="store_true",
        help=_("write the export NOT encrypted (anyone with the file can read it)"),
    )
    # Also accepted after the command; SUPPRESS keeps a global --lang from being reset.
    export.add_argument("--lang", choices=codes, default=argparse.SUPPRESS)


def output_format(fmt: str | None, output: str | None, default: str) -> str:
    """``--format`` if given, else what the output file's name ends in, else ``default``."""
    if fmt:
        return fmt
    suffix = Path(output).suffix.lower().lstrip(".") if output else ""
    return suffix if suffix in ("csv", "xlsx", "json") else default


def run(args: argparse.Namespace) -> int:
    from docassist.services import export
    from docassist.services.accounts import Action

    fmt = output_format(args.fmt, args.output, "csv")
    if fmt not in export.FULL_FORMATS:
        fmt = "csv"
    output_path(args, args.output)
    if args.workshop:
        return _attendance(args, fmt)
    if args.names:
        raise UsageError(_("--names goes with --workshop: the whole register always has names"))
    with signed_in(args, Action.EXPORT_WITH_NAMES) as ctx:
        passphrase = None if args.unencrypted else export_passphrase(args)
        # Checked before anything is written: a short passphrase is said now.
        export.check_export_passphrase(passphrase, args.unencrypted)
        print(_("Warning: personal data.") + " " + _(export.PERSONAL_DATA_WARNING), file=sys.stderr)
        if args.unencrypted:
            print(_(export.UNENCRYPTED_WARNING), file=sys.stderr)
        result = export.export_register(
            ctx, fmt, Path(args.output), passphrase=passphrase, unencrypted=args.unencrypted
        )
    print(_("The whole register was saved to {path}").format(path=result.path.resolve()))
    if passphrase is not None:
        print(_(export.OPENS_WITH))
    return 0


def _attendance(args: argparse.Namespace, fmt: str) -> int:
    from docassist import i18n
    from docassist.services import export
    from docassist.services import workshops as ws
    from docassist.services.accounts import Action
    from docassist.services.context import NotFoundError

    names = bool(args.names)
    if not names and (args.unencrypted or args.export_passphrase_file):
        raise UsageError(_("a counts-only export holds no names and is not encrypted"))
    with signed_in(args, Action.EXPORT_WITH_NAMES if names else None) as ctx:
        try:
            workshop = ws.find_workshop(ctx, args.workshop)
        except NotFoundError:
            raise UsageError(_("no workshop '{id}'").format(id=args.workshop)) from None
        passphrase = None
        if names:
            passphrase = None if args.unencrypted else export_passphrase(args)
            export.check_export_passphrase(passphrase, args.unencrypted)
            print(
                _("Warning: personal data.") + " " + _(export.ATTENDANCE_NAMES_WARNING),
                file=sys.stderr,
            )
            if args.unencrypted:
                print(_(export.UNENCRYPTED_WARNING), file=sys.stderr)
        result = export.export_attendance(
            ctx,
            workshop.id,
            fmt,
            Path(args.output),
            language=i18n.current_language().code,
            names=names,
            passphrase=passphrase,
            unencrypted=bool(args.unencrypted),
        )
    print(_("The workshop's attendance was saved to {path}").format(path=result.path))
    if passphrase is not None:
        print(_(export.OPENS_WITH))
    return 0


def export_passphrase(args: argparse.Namespace) -> str:
    """The export passphrase: from ``--export-passphrase-file``, else the environment,
    else typed twice without echo on a terminal. Without any of them, one line."""
    if args.export_passphrase_file:
        path = Path(args.export_passphrase_file).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            reason = getattr(err, "strerror", None) or type(err).__name__
            raise UsageError(
                _("cannot read the export passphrase from {path}: {reason}").format(
                    path=path, reason=reason
                )
            ) from err
        first = text.splitlines()[0] if text else ""
        if not first:
            raise UsageError(_("{path} holds no export passphrase.").format(path=path))
        return first
    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV]
    if not sys.stdin.isatty():
        raise UsageError(
            _(
                "The export holds names and is encrypted: give its passphrase with "
                "--export-passphrase-file FILE or {env}, or choose --unencrypted."
            ).format(env=PASSPHRASE_ENV)
        )
    import getpass

    first = getpass.getpass(_("Export passphrase:") + " ")
    again = getpass.getpass(_("The same passphrase again:") + " ")
    if first != again:
        raise UsageError(_("The two passphrases differ: nothing was exported."))
    return first
