"""The checklist handout: one procedure, step by step, to take to the office.

What a family needs at the counter, in the order they need it: what the procedure
gives them, then per step what to bring (boxes to tick at home), where to go, what
it costs and which fee waivers exist, how long it takes. Facts a checklist marks as
UNCONFIRMED (``verify_locally``) carry a bold "check with the office" note, and the
last lines are left blank for the office address and the date of the visit, which
the facilitator fills in by hand for the local office.

Facilitator tips are left out: they are advice for the facilitator, not the family.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from docassist.domain.text import N_
from docassist.handouts.fields import BRING, STEPS, TIPS, introduction_fields, step_fields
from docassist.handouts.pdf import HandoutPDF, Line, finish
from docassist.handouts.words import Page, Words
from docassist.i18n import format_date
from docassist.procedures import Checklist, Step, Text

VERIFY = N_("Check with the office")
# Translators: a label on a printed handout, followed by a blank line to write on.
OFFICE = N_("Office address")
# Translators: a label on a printed handout, followed by a blank line to write on:
# the date of the visit to the office.
VISIT = N_("Date")


def checklist_handout(checklist: Checklist, languages: Sequence[str], today: date) -> bytes:
    """The PDF of ``checklist`` in one or two ``languages`` (the first leads)."""
    words = Words(languages)
    page = checklist_page(words, checklist)

    title = words.line(checklist.title)
    footer = (
        f"docassist · {checklist.id} v{checklist.version} · "
        f"{format_date(today, language=words.first)}"
    )
    drafts = words.draft_lines([checklist])

    def start() -> HandoutPDF:
        pdf = HandoutPDF(footer, title=title.first, language=words.first)
        pdf.title_block(title)
        if drafts:
            pdf.warning(drafts)
        return pdf

    return finish(start, page.draw, closing_blanks(words))


def checklist_page(words: Words, checklist: Checklist) -> Page:
    """What the handout says under its title: the introduction, then each step."""
    page = Page()
    _introduction(page, words, checklist)
    for number, step in enumerate(checklist.steps, 1):
        _step(page, words, step, number)
    return page


def closing_blanks(words: Words) -> list[str]:
    """The office address and the date of the visit, filled in by hand."""
    return [words.both(OFFICE, " / ") + ":", words.both(VISIT, " / ") + ":"]


def _introduction(page: Page, words: Words, checklist: Checklist) -> None:
    for field in introduction_fields(checklist):
        if field.heading:
            page.heading(words.both(field.heading))
        if isinstance(field.value, Text):
            page.paragraph(words.line(field.value))
        elif field.kind == STEPS:
            for number, title in enumerate(field.value or (), 1):
                page.bullet(words.line(title, f"{number}. "))


def _step(page: Page, words: Words, step: Step, number: int) -> None:
    page.gap(3)
    page.rule()
    title = words.line(step.title, f"{number}. ")
    page.heading(title.first, after=40)
    if title.second:
        page.subtitle(title.second)
    for field in step_fields(step):
        if field.kind == TIPS:  # advice for the facilitator, not the family
            continue
        if field.kind == BRING:
            page.heading(words.both(field.heading), points=14)
            # A BRING field holds the tuple of things to bring (or None): step_fields.
            items = field.value if isinstance(field.value, tuple) else ()
            if not items:
                page.paragraph(Line(words.both(N_("Nothing to bring."))))
            for item in items:
                page.tick_item(words.line(item))
        else:
            text = field.value
            if not isinstance(text, Text) or not text.get(words.first)[0]:
                continue
            page.heading(words.both(field.heading), points=14, after=12)
            page.paragraph(words.line(text))
        if field.verify:
            page.warning([words.both(VERIFY)])
