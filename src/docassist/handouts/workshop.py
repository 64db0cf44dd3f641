"""Paper for a workshop: the sign-in sheet, and the pack of every checklist it covers.

The sign-in sheet is printed before (or after) the workshop: who is marked present,
one numbered line each with room to sign, then blank lines for the families who come
without being in the register yet. It names people: like the family plan it is
written only where the user saves it, and saving it is audited.

The pack is every checklist of the workshop, one after the other in one PDF, each as
its own checklist handout would print it (``handouts.procedure``), starting on a new
page: one file to print for the room instead of one per procedure.

Both take plain facts, not the database (the services read the register).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from docassist.domain.text import N_
from docassist.handouts.pdf import BODY_PT, HandoutPDF, Line, line_height
from docassist.handouts.procedure import checklist_page, closing_blanks
from docassist.handouts.words import Words
from docassist.i18n import format_date, translate_in
from docassist.procedures import Checklist

# Translators: the title of a printed sheet people sign when they come to a workshop.
SIGN_IN_TITLE = N_("Sign-in sheet")
# Translators: the title of one PDF holding every checklist of a workshop.
PACK_TITLE = N_("Workshop checklists")
COVERED = N_("Covered: {checklists}")
# Translators: column headers of the sign-in sheet.
NAME_COLUMN = N_("Name")
SIGNATURE_COLUMN = N_("Signature")
NEWCOMERS = N_("Not in the register yet: name, year of birth, phone")
NEWCOMER_LINES = 8  # blank lines for families who come unannounced


@dataclass(frozen=True)
class Attendee:
    """One line of the sign-in sheet: a person present, or a household as a whole."""

    name: str  # "Ramić Ajša (1993)", or the family name for a whole household
    household: str  # what tells households apart: the settlement, the address


@dataclass(frozen=True)
class WorkshopFacts:
    held_on: date
    place: str  # "Community centre · Veliki rit · Novi Sad"
    checklists: Sequence[Checklist]
    attendees: Sequence[Attendee]


def _title(words: Words, msgid: str, day: str) -> Line:
    first = f"{translate_in(words.first, msgid)} · {day}"
    second = f"{translate_in(words.second, msgid)} · {day}" if words.second else ""
    return Line(first, "" if second == first else second)


def _covered(words: Words, checklists: Sequence[Checklist]) -> Line:
    def line(code: str) -> str:
        titles = ", ".join(words.one(c.title, code)[0] for c in checklists)
        return translate_in(code, COVERED).format(checklists=titles)

    return words.pair(line)


def signin_sheet(facts: WorkshopFacts, languages: Sequence[str], today: date) -> bytes:
    """The sign-in sheet of a workshop in its one or two ``languages``."""
    words = Words(languages)
    day = format_date(facts.held_on, language=words.first)
    title = _title(words, SIGN_IN_TITLE, day)
    pdf = HandoutPDF(
        f"docassist · {format_date(today, language=words.first)}",
        title=title.first,
        language=words.first,
    )
    pdf.title_block(title)
    if facts.place:
        pdf.paragraph(Line(facts.place))
    if facts.checklists:
        pdf.paragraph(_covered(words, facts.checklists))
    pdf.gap(2)
    header = (words.both(NAME_COLUMN, " / "), words.both(SIGNATURE_COLUMN, " / "))
    pdf.sign_header(*header)
    for number, attendee in enumerate(facts.attendees, 1):
        pdf.sign_row(number, attendee.name, attendee.household, header=header)
    pdf.gap(4)
    newcomers = words.both(NEWCOMERS, " / ")
    # The heading of the blank lines comes with at least three of them.
    pdf.keep(line_height(BODY_PT) * 2 + 3 * pdf.SIGN_ROW)
    pdf.paragraph(Line(newcomers), bold=True)
    start = len(facts.attendees) + 1
    for number in range(start, start + NEWCOMER_LINES):
        pdf.sign_row(number, "", "", header=header)
    return pdf.render()


def workshop_pack(checklists: Sequence[Checklist], languages: Sequence[str], today: date) -> bytes:
    """Every checklist of a workshop in one PDF, each from a new page."""
    words = Words(languages)
    day = format_date(today, language=words.first)
    titles = ", ".join(words.one(c.title, words.first)[0] for c in checklists)
    pdf = HandoutPDF(
        f"docassist · {translate_in(words.first, PACK_TITLE)} · {day}",
        title=f"{translate_in(words.first, PACK_TITLE)}: {titles}",
        language=words.first,
    )
    for index, checklist in enumerate(checklists):
        if index:
            pdf.add_page()
        own = Words(languages)  # each checklist's own fallbacks mark it as a draft
        page = checklist_page(own, checklist)
        pdf.title_block(own.line(checklist.title))
        drafts = own.draft_lines([checklist])
        if drafts:
            pdf.warning(drafts)
        # Under the title: at the end of each checklist they could make a page alone.
        pdf.blanks(closing_blanks(own))
        page.draw(pdf)
    return pdf.render()
