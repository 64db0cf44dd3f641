"""``docassist languages``: how complete each translation is."""

from __future__ import annotations

import argparse

from docassist import i18n
from docassist.i18n import _

NAME = "languages"


def add_parser(sub: argparse._SubParsersAction, codes: list[str]) -> None:
    sub.add_parser(NAME, help=_("show how complete each translation is"))


def run(args: argparse.Namespace) -> int:
    from docassist.catalogue_stats import language_stats

    print(f"{_('Language'):<16} {_('Translated'):>11} {_('Reviewed'):>11}")
    for language, translated, reviewed in language_stats():
        print(
            f"{language.native_name:<16} {i18n.format_percent(translated):>11} "
            f"{i18n.format_percent(reviewed):>11}"
        )
    return 0
