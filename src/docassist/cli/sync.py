"""``docassist sync``: send this laptop's changes to the hub and get everyone else's;
``sync conflicts`` and ``sync resolve`` for what two laptops changed at once."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from docassist.cli.errors import UsageError
from docassist.cli.register import add_sign_in_options, signed_in
from docassist.domain.text import N_
from docassist.i18n import _, ngettext

if TYPE_CHECKING:
    from docassist.services.context import Context
    from docassist.services.sync import Choice, ConflictView, Summary

NAME = "sync"

# what ``resolve --keep`` takes: the version that shows, or the other one
KEEP: dict[str, Choice] = {"shown": "winner", "other": "loser"}
# how a settled conflict was settled, in the words of `resolve` (not the stored value)
SETTLED_AS: dict[str, str] = {
    "winner": N_("the version shown kept"),
    "loser": N_("the other version put back"),
    "merged": N_("merged by hand"),
}


def add_parser(sub: argparse._SubParsersAction, codes: list[str]) -> None:
    sync = sub.add_parser(NAME, help=_("send this laptop's changes to the hub and get the others'"))
    add_sign_in_options(sync)
    sync.add_argument("--lang", choices=codes, default=argparse.SUPPRESS)
    actions = sync.add_subparsers(dest="sync_command", metavar="ACTION")
    conflicts = actions.add_parser("conflicts", help=_("list the conflicts not yet settled"))
    conflicts.add_argument("--all", action="store_true", help=_("also those already settled"))
    add_sign_in_options(conflicts)
    resolve = actions.add_parser(
        "resolve", help=_("settle a conflict: keep the version shown, or the other one")
    )
    resolve.add_argument("conflict", metavar="ID", help=_("the conflict (its first characters)"))
    resolve.add_argument("--keep", choices=tuple(KEEP))
    resolve.add_argument(
        "--take",
        metavar="FIELD",
        action="append",
        help=_(
            "keep the version shown, with this field from the other one (again for more "
            "fields): a merge by hand"
        ),
    )
    add_sign_in_options(resolve)
    export = actions.add_parser(
        "export", help=_("write this laptop's records to a bundle file (for a USB stick)")
    )
    export.add_argument("--output", metavar="FILE", required=True)
    add_sign_in_options(export)
    bring = actions.add_parser("import", help=_("merge a bundle file made on another laptop"))
    bring.add_argument("bundle", metavar="FILE")
    add_sign_in_options(bring)
    for parser in (conflicts, resolve, export, bring):
        parser.add_argument("--lang", choices=codes, default=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from docassist.cli.register import output_path
    from docassist.services import sync
    from docassist.services.sync import bundle

    if args.sync_command == "export":
        output_path(args, args.output)
    with signed_in(args) as ctx:
        if args.sync_command == "conflicts":
            _print_conflicts(ctx, sync.list_conflicts(ctx, unresolved_only=not args.all))
            return 0
        if args.sync_command == "resolve":
            if bool(args.keep) == bool(args.take):
                raise UsageError(
                    _("Say how to settle it: --keep shown, --keep other, or --take FIELD.")
                )
            view = _find(ctx, args.conflict)
            if args.take:
                sync.resolve_conflict(ctx, view.id, "merged", args.take)
            else:
                sync.resolve_conflict(ctx, view.id, KEEP[args.keep])
            print(_("Conflict {id} settled.").format(id=view.id[:8]))
            return 0
        if args.sync_command == "export":
            count = bundle.export_bundle(ctx, Path(args.output))
            print(
                _("Bundle of {n} records saved to {path}").format(
                    n=count, path=Path(args.output).resolve()
                )
            )
            print(_("It holds personal data: keep it as safe as the laptop itself."))
            return 0
        if args.sync_command == "import":
            done = bundle.import_bundle(ctx, Path(args.bundle))
            if not done.new and not done.audit:
                print(
                    _("Nothing new in {path}: this register already had all of it.").format(
                        path=args.bundle
                    )
                )
            else:
                conflicts = ngettext(
                    "{n} new conflict", "{n} new conflicts", done.conflicts
                ).format(n=done.conflicts)
                print(
                    _("Imported {path}: {new} of {total} records new here, {conflicts}.").format(
                        path=args.bundle, new=done.new, total=done.versions, conflicts=conflicts
                    )
                )
            if done.audit:
                print(
                    ngettext(
                        "{n} audit entry of other laptops new here; the next sync passes "
                        "it on to the hub.",
                        "{n} audit entries of other laptops new here; the next sync passes "
                        "them on to the hub.",
                        done.audit,
                    ).format(n=done.audit)
                )
            return 0
        summary = sync.sync(ctx)
    say_summary(summary)
    return 0


def say_summary(summary: Summary) -> None:
    conflicts = ngettext("{n} new conflict", "{n} new conflicts", summary.conflicts).format(
        n=summary.conflicts
    )
    print(
        _("Synced: {pushed} sent, {pulled} received, {conflicts}.").format(
            pushed=summary.pushed, pulled=summary.pulled, conflicts=conflicts
        )
    )


def _find(ctx: Context, wanted: str) -> ConflictView:
    from docassist.services import sync

    matches = [
        v for v in sync.list_conflicts(ctx, unresolved_only=False) if v.id.startswith(wanted)
    ]
    if len(matches) != 1 or len(wanted) < 4:
        raise UsageError(
            _(
                "No single conflict starts with '{id}': `docassist sync conflicts` lists them."
            ).format(id=wanted)
        )
    return matches[0]


def moment(at: str) -> str:
    """A stored time (UTC ISO-8601) in the laptop's time, the one way dates are written."""
    from datetime import datetime

    from docassist.i18n import format_datetime

    try:
        return format_datetime(datetime.fromisoformat(at).astimezone())
    except (TypeError, ValueError):  # not a time this version writes: shown as it is
        return at


def _print_conflicts(ctx: Context, views: list[ConflictView]) -> None:
    from docassist.domain.sync import CONFLICT_LABELS

    if not views:
        print(_("No conflicts to settle."))
        return
    for view in views:
        fields = ", ".join(view.differences()) or "-"
        settled = (
            _(" (settled: {choice})").format(choice=_(SETTLED_AS.get(view.choice or "", "?")))
            if view.resolved_at
            else ""
        )
        print(
            _(
                "{id}  {what}: {subject}\n"
                "    shown: {w_at} on laptop {w_device}; other: {l_at} on laptop {l_device}\n"
                "    fields: {fields}{settled}"
            ).format(
                id=view.id[:8],
                what=_(CONFLICT_LABELS[view.kind]),
                subject=view.subject(),
                w_at=moment(view.winner.at),
                w_device=view.winner.device[:8],
                l_at=moment(view.loser.at),
                l_device=view.loser.device[:8],
                fields=fields,
                settled=settled,
            )
        )
