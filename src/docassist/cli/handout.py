"""``docassist handout checklist|family|signin|pack``: printable PDF handouts."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from docassist import i18n
from docassist.cli.errors import UsageError
from docassist.cli.register import add_sign_in_options, db_path, output_path, signed_in
from docassist.i18n import _

if TYPE_CHECKING:  # the checklists are loaded only when a handout is made
    from docassist.procedures import ChecklistSet

NAME = "handout"


def add_parser(sub: argparse._SubParsersAction, codes: list[str]) -> None:
    handout = sub.add_parser(NAME, help=_("save a printable handout (PDF)"))
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
    add_sign_in_options(family)
    for name, helptext in (
        ("signin", _("a workshop's sign-in sheet: who is marked present, lines for newcomers")),
        ("pack", _("every checklist of a workshop in one PDF, in its languages")),
    ):
        workshop = ho_sub.add_parser(name, help=helptext)
        workshop.add_argument(
            "workshop",
            metavar="WORKSHOP",
            help=_("the workshop's id or the start of it, or 'latest'"),
        )
        workshop.add_argument(
            "--output", metavar="FILE", help=_("where to save it (a file or a folder)")
        )
        add_sign_in_options(workshop)


def run(args: argparse.Namespace) -> int:
    from docassist.procedures import load_all
    from docassist.services import handouts
    from docassist.services.context import NotFoundError, real_today

    checklists = load_all()
    if args.handout_command == "checklist":
        if args.checklist_id not in checklists:
            known = ", ".join(c.id for c in checklists)
            raise UsageError(
                _("no checklist '{id}'; known: {known}").format(id=args.checklist_id, known=known)
            )
        first = args.handout_lang or i18n.current_language().code
        languages = [first] + ([args.second_lang] if args.second_lang else [])
        handout = handouts.make_checklist_handout(
            checklists, args.checklist_id, languages, real_today()
        )
        print(
            _("Saved: {path}").format(path=handouts.save(handout, output_path(args, args.output)))
        )
        return 0
    path = db_path(args)
    # Said in the handout's own words before opening, which would call it a database.
    if not path.is_file():
        raise UsageError(_("no register at {path}").format(path=path))
    if args.handout_command in ("signin", "pack"):
        return _workshop_handout(args, checklists, path)
    with signed_in(args) as ctx:
        try:
            handout = handouts.make_family_plan(
                ctx, args.household_id, checklists, args.handout_lang
            )
        except NotFoundError:
            raise UsageError(
                _("no household '{id}' in {path}").format(id=args.household_id, path=path)
            ) from None
        saved = handouts.save(handout, output_path(args, args.output), ctx)
    print(_("Saved: {path}").format(path=saved))
    return 0


def _workshop_handout(args: argparse.Namespace, checklists: ChecklistSet, path: Path) -> int:
    from docassist.services import handouts
    from docassist.services import workshops as ws
    from docassist.services.context import NotFoundError, ValidationError

    with signed_in(args) as ctx:
        try:
            workshop = ws.find_workshop(ctx, args.workshop)
            if args.handout_command == "signin":
                handout = handouts.make_signin_sheet(ctx, workshop.id, checklists)
            else:
                handout = handouts.make_workshop_pack(ctx, workshop.id, checklists)
        except NotFoundError as err:
            if err.entity == "checklist":
                raise UsageError(
                    _("the checklists of this workshop are no longer installed")
                ) from None
            raise UsageError(
                _("no workshop '{id}' in {path}").format(id=args.workshop, path=path)
            ) from None
        except ValidationError as err:
            raise UsageError(err.problems["workshop"][0].render(_)) from None
        # The sign-in sheet names people: saving it is audited (the pack names nobody).
        saved = handouts.save(handout, output_path(args, args.output), ctx)
    print(_("Saved: {path}").format(path=saved))
    return 0
