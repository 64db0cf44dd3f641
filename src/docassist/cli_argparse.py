"""argparse's own words ("usage:", "invalid choice: ...") in the user's language.

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
from collections.abc import Iterator
from contextlib import contextmanager

from docassist import i18n
from docassist.domain.text import N_

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


def _gettext(message: str) -> str:
    # argparse also passes None (a group without a description); "" would be
    # the catalogue's header.
    return i18n._(message) if message else message


@contextmanager
def in_user_language() -> Iterator[None]:
    """argparse speaks the active docassist language inside this block."""
    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = _gettext, i18n.ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved
