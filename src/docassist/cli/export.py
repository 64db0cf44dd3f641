"""``docassist export``: the whole register with names, for a coordinator."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from docassist.cli.register import add_sign_in_options, output_path, signed_in
from docassist.i18n import _

NAME = "export"


def add_parser(sub: argparse._SubParsersAction, codes: list[str]) -> None:
    export = sub.add_parser(
        NAME, help=_("the whole register with names, for a coordinator (personal data)")
    )
    add_sign_in_options(export)
    export.add_argument("--format", choices=("csv", "xlsx"), dest="fmt")
    export.add_argument("--output", required=True, metavar="FILE", help=_("save to this file"))
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
    with signed_in(args, Action.EXPORT_WITH_NAMES) as ctx:
        print(_("Warning: personal data.") + " " + _(export.PERSONAL_DATA_WARNING), file=sys.stderr)
        result = export.export_register(ctx, fmt, Path(args.output))
    print(_("The whole register was saved to {path}").format(path=result.path.resolve()))
    return 0
