"""The command line: the global options, each sub-command's parser (from its own
module), and argparse's own words in the user's language.

argparse looks its texts up when it needs them, through its module-level ``_``
and ``ngettext``: Python's gettext, which only knows a catalogue of Python's
own that nobody installs, so they stayed English under ``--lang sr``.
:func:`in_user_language` points both at our catalogue while the command line is
built (help texts and group titles are looked up then) and parsed (usage and
errors), and puts them back afterwards.

``ARGPARSE_MESSAGES`` lists, for extraction, the texts argparse can say in our
command line, spelled exactly as in Python 3.11's argparse.py (a msgid that
differs by a character is never looked up). They are %-formatted by argparse:
a translation keeps every ``%s`` / ``%(name)s`` / ``%r`` as it is. A text not
listed here (one our parsers cannot trigger) stays English.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import NoReturn

from docassist import __version__, i18n
from docassist.cli.errors import UsageError
from docassist.domain.text import N_
from docassist.i18n import _

LANG_ENV = "DOCASSIST_LANG"

ARGPARSE_MESSAGES = (
    # Translators: argparse's help heading, before "docassist [-h] ..."; keep the space.
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    # Translators: an error about one argument, e.g. "argument --lang: invalid choice: ..."
    N_("argument %(argument_name)s: %(message)s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    # Translators: %(type)s is a Python type name: "invalid int value: 'many'"
    N_("invalid %(type)s value: %(value)r"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("expected one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("ignored explicit argument %r"),
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse would exit with status 2 and usage
        raise UsageError(message)


def language_from(argv: Sequence[str]) -> str | None:
    """Find --lang before parsing, so --help is already in the user's language."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return os.environ.get(LANG_ENV)


def build_parser(commands: Sequence[ModuleType]) -> argparse.ArgumentParser:
    """The whole command line; each module in ``commands`` adds its own sub-command,
    in that order (the order ``--help`` lists them)."""
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
    for command in commands:
        command.add_parser(sub, codes)
    return parser


def _gettext(message: str) -> str:
    # argparse also passes None (a group without a description); "" would be
    # the catalogue's header.
    return i18n._(message) if message else message


@contextmanager
def in_user_language() -> Iterator[None]:
    """argparse speaks the active docassist language inside this block."""
    # argparse's gettext aliases are private (typeshed does not list them): reach them
    # through the module's namespace, which is the same dictionary.
    namespace = vars(argparse)
    saved = namespace["_"], namespace["ngettext"]
    namespace["_"], namespace["ngettext"] = _gettext, i18n.ngettext
    try:
        yield
    finally:
        namespace["_"], namespace["ngettext"] = saved
