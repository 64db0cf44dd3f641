"""``docassist locate``: where docassist keeps its files."""

from __future__ import annotations

import argparse

from docassist import locations
from docassist.cli.register import db_path
from docassist.i18n import _

NAME = "locate"


def add_parser(sub: argparse._SubParsersAction, codes: list[str]) -> None:
    sub.add_parser(NAME, help=_("show where docassist keeps its files"))


def run(args: argparse.Namespace) -> int:
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
        (_("Cache (safe to delete)"), locations.cache_dir()),
    ]
    width = max(len(label) for label, _path in rows)
    for label, path in rows:
        print(f"{label:<{width}}  {path}")
    return 0
