"""The family plan: for one household, what each person does next and what to bring.

Printed in the family's language with the Serbian words beside it (grey, under each
line) — the Serbian is what the clerk at the counter reads and says. It names the
family's members: it is for the family, and it is written only where the user
chose to save it.

It takes plain facts, not the database: the service reads the register and hands
over ``FamilyFacts``, so this module stays below the services.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from docassist.domain.model import DOCUMENT_LABELS
from docassist.domain.text import N_
from docassist.handouts.pdf import HandoutPDF, Line
from docassist.handouts.plan import BlockedProcedure, NextStep, PlanSections
from docassist.handouts.procedure import OFFICE, VERIFY, VISIT
from docassist.handouts.words import Page, Words
from docassist.i18n import format_date, get_language, translate_in
from docassist.procedures import Checklist

# Translators: the title of a printed handout for one family; {family} is its name.
TITLE = N_("Family plan: {family}")
NOTHING_YET = N_("Nothing can start yet.")
NOTHING_LEFT = N_("Nothing to start: what fits this person is done.")
OR_INSTEAD = N_("Or, instead of {checklist}:")


@dataclass(frozen=True)
class MemberFacts:
    name: str
    relation: str  # msgid, e.g. "Child"
    born: str  # as it should be printed, "" when unknown
    sections: PlanSections | None  # None: no procedure on our checklists fits them


@dataclass(frozen=True)
class FamilyFacts:
    family_name: str
    place: str
    members: Sequence[MemberFacts]


def serbian_beside(code: str) -> str | None:
    """The language printed under the family's: Serbian Cyrillic, as on the forms.

    None when the family reads Serbian already (in either script).
    """
    return None if get_language(code).code in ("sr", "sr_Latn") else "sr"


def family_plan(facts: FamilyFacts, language: str, today: date) -> bytes:
    """The PDF of ``facts`` in ``language`` with Serbian beside it."""
    code = get_language(language).code
    beside = serbian_beside(code)
    words = Words([code, beside] if beside else [code])
    page = Page()
    shown: list[Checklist] = []
    for member in facts.members:
        shown += _member(page, words, member)
    page.gap(4)
    page.blank(words.both(OFFICE, " / ") + ":")
    page.blank(words.both(VISIT, " / ") + ":")

    first = translate_in(code, TITLE).format(family=facts.family_name)
    second = translate_in(beside, TITLE).format(family=facts.family_name) if beside else ""
    title = Line(first, "" if second == first else second)
    day = format_date(today, language=code)
    pdf = HandoutPDF(f"docassist · {day}", title=title.first, language=code)
    pdf.title_block(title)
    if facts.place:
        pdf.paragraph(Line(f"{facts.place} · {day}"))
    drafts = words.draft_lines(shown)
    if drafts:
        pdf.warning(drafts)
    page.draw(pdf)
    return pdf.render()


def _member(page: Page, words: Words, member: MemberFacts) -> list[Checklist]:
    """One person's part; returns the checklists printed (for the draft marker)."""
    page.gap(2)
    page.rule()
    about = ", ".join(p for p in (words.msg(member.relation), member.born) if p)
    page.heading(f"{member.name} ({about})" if about else member.name, after=30)
    sections = member.sections
    shown: list[Checklist] = []
    if sections is None:
        page.paragraph(Line(words.msg(NOTHING_LEFT)))
        return shown
    for next_step in sections.next_steps:
        shown.append(next_step.item.checklist)
        _next(page, words, next_step)
    for blocked in sections.blocked:
        shown.append(blocked.item.checklist)
        _blocked(page, words, blocked)
    if not sections.next_steps:
        page.paragraph(Line(words.msg(NOTHING_YET if sections.nothing_can_start else NOTHING_LEFT)))
    for alternative in sections.alternatives:
        shown.append(alternative.item.checklist)
        main = alternative.instead_of
        title = words.one(main.title, words.first)[0] if main else ""
        label = words.msg(OR_INSTEAD).format(checklist=title)
        own = words.one(alternative.item.checklist.title, words.first)[0]
        page.paragraph(Line(f"{label} {own}"))
    # Documents held are not procedures gone through (see handouts.plan).
    if sections.held:
        held = ", ".join(words.msg(DOCUMENT_LABELS[kind]) for kind in sections.held)
        page.paragraph(Line(f"{words.msg('Has:')} {held}"))
    if sections.done:
        titles = ", ".join(words.one(i.checklist.title, words.first)[0] for i in sections.done)
        page.paragraph(Line(f"{words.msg('Done:')} {titles}"))
    return shown


def _next(page: Page, words: Words, next_step: NextStep) -> None:
    title = words.line(next_step.item.checklist.title)
    page.heading(f"{words.msg('Next step:')} {title.first}", points=15, after=25)
    if title.second:
        page.subtitle(title.second)
    step = next_step.step
    if step is None:
        return
    page.paragraph(words.line(step.title), bold=True)
    if next_step.due is not None:
        day = format_date(next_step.due, language=words.first)
        page.paragraph(Line(words.msg("Due {date}").format(date=day)), bold=True)
    check = step.verify_locally
    if step.bring:
        page.heading(words.msg("Bring:"), points=14, after=12)
        for thing in step.bring:
            page.tick_item(words.line(thing))
        if "bring" in check:
            page.warning([words.both(VERIFY)])
    for name, label in (("where", "Where:"), ("cost", "Cost")):
        text = getattr(step, name)
        if not text.get(words.first)[0]:
            continue
        page.heading(words.msg(label).rstrip(":"), points=14, after=12)
        page.paragraph(words.line(text))
        if name in check:
            page.warning([words.both(VERIFY)])


def _blocked(page: Page, words: Words, blocked: BlockedProcedure) -> None:
    title = words.line(blocked.item.checklist.title)
    page.heading(f"{words.msg('Blocked:')} {title.first}", points=15, after=15)
    if title.second:
        page.subtitle(title.second)
    first = words.first

    def translate(msgid: str) -> str:
        return translate_in(first, msgid)

    # Only blockers that block: "check whether the father has it" is for the facilitator.
    for line in blocked.blockers:
        text = line.blocker.render(translate, first)
        # The checklist's words, in the family's language; a reason typed on the case
        # is in the coordinator's words and language, and is not printed.
        if line.blocker.reason is not None:
            reason = words.line(line.blocker.reason)
            page.bullet(Line(text, reason.first))
        else:
            page.bullet(Line(text))
