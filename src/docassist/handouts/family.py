"""The family plan: for one household, what each person does next and what to bring.

Printed in the family's language with the Serbian words beside it (grey, under each
line) — the Serbian is what the clerk at the counter reads and says. It names the
family's members: it is for the family, and it is written only where the user
chose to save it.

It takes plain facts, not the database: the service reads the register and hands
over ``FamilyFacts``, so this module stays below the services.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from docassist.domain.model import DOCUMENT_LABELS, DocumentKind
from docassist.domain.text import N_
from docassist.handouts.pdf import HandoutPDF, Line, finish
from docassist.handouts.plan import (
    DEADLINE_AHEAD,
    DEADLINE_PASSED,
    LATER,
    RESOLVE,
    BlockedProcedure,
    NextStep,
    PlanSections,
)
from docassist.handouts.procedure import VERIFY, closing_blanks
from docassist.handouts.words import Page, Words
from docassist.i18n import format_date, get_language, translate_in
from docassist.procedures import DISPUTED, Checklist, Text

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
    # documents held that ran out (their "valid until" day): they count as not held
    expired: Sequence[tuple[DocumentKind, date]] = ()


@dataclass(frozen=True)
class FamilyFacts:
    family_name: str
    place: str
    members: Sequence[MemberFacts]
    # Checklist id -> title, for naming what waits on what ("Needed for Emir: ...").
    titles: Mapping[str, Text] = field(default_factory=dict)


def serbian_beside(code: str) -> str | None:
    """The language printed under the family's: Serbian Cyrillic, as on the forms.

    None when the family reads Serbian already (in either script).
    """
    return None if get_language(code).code in ("sr", "sr_Latn") else "sr"


EXPIRED = N_("Expired, to renew:")
EXPIRED_ONE = N_("{document} (valid until {date})")


def family_plan(facts: FamilyFacts, language: str, today: date) -> bytes:
    """The PDF of ``facts`` in ``language`` with Serbian beside it."""
    code = get_language(language).code
    beside = serbian_beside(code)
    words = Words([code, beside] if beside else [code])
    page = Page()
    shown: list[Checklist] = []
    for member in facts.members:
        shown += _member(page, words, member, facts.titles)

    first = translate_in(code, TITLE).format(family=facts.family_name)
    second = translate_in(beside, TITLE).format(family=facts.family_name) if beside else ""
    title = Line(first, "" if second == first else second)
    day = format_date(today, language=code)
    drafts = words.draft_lines(shown)

    def start() -> HandoutPDF:
        pdf = HandoutPDF(f"docassist · {day}", title=title.first, language=code)
        pdf.title_block(title)
        if facts.place:
            pdf.paragraph(Line(f"{facts.place} · {day}"))
        if drafts:
            pdf.warning(drafts)
        return pdf

    return finish(start, page.draw, closing_blanks(words))


def _member(
    page: Page, words: Words, member: MemberFacts, titles: Mapping[str, Text]
) -> list[Checklist]:
    """One person's part; returns the checklists printed (for the draft marker)."""
    page.gap(2)
    page.rule()
    about = ", ".join(p for p in (words.msg(member.relation), member.born) if p)
    page.heading(f"{member.name} ({about})" if about else member.name, after=30)
    sections = member.sections
    shown: list[Checklist] = []
    if member.expired:
        ran_out = ", ".join(
            words.msg(EXPIRED_ONE).format(
                document=words.msg(DOCUMENT_LABELS[kind]),
                date=format_date(until, language=words.first),
            )
            for kind, until in member.expired
        )
        page.paragraph(Line(f"{words.msg(EXPIRED)} {ran_out}"), bold=True)
    if sections is None:
        page.paragraph(words.pair(lambda code: words.msg(NOTHING_LEFT, code)))
        return shown
    for kind, source in sections.disputed.items():
        text = words.msg(DISPUTED).format(
            document=words.msg(DOCUMENT_LABELS[kind]), source=words.msg(DOCUMENT_LABELS[source])
        )
        page.paragraph(Line(f"{words.msg(RESOLVE)} {text}"), bold=True)

    def title(checklist_id: str) -> str:
        found = titles.get(checklist_id)
        return words.one(found, words.first)[0] if found else checklist_id

    for next_step in sections.next_steps:
        shown.append(next_step.item.checklist)
        _next(page, words, next_step, title)
    for blocked in sections.blocked:
        shown.append(blocked.item.checklist)
        _blocked(page, words, blocked, title)
    if not sections.next_steps:
        nothing = NOTHING_YET if sections.nothing_can_start else NOTHING_LEFT
        page.paragraph(words.pair(lambda code: words.msg(nothing, code)))
    for alternative in sections.alternatives:
        shown.append(alternative.item.checklist)
        main = alternative.instead_of
        main_title = words.one(main.title, words.first)[0] if main else ""
        label = words.msg(OR_INSTEAD).format(checklist=main_title)
        own = words.one(alternative.item.checklist.title, words.first)[0]
        page.paragraph(Line(f"{label} {own}"))
    # Documents held are not procedures gone through (see handouts.plan).
    if sections.held:
        kinds = sections.held

        def held(code: str) -> str:
            names = ", ".join(words.msg(DOCUMENT_LABELS[kind], code) for kind in kinds)
            return f"{words.msg('Has:', code)} {names}"

        page.paragraph(words.pair(held))
    if sections.done:
        items = sections.done

        def done(code: str) -> str:
            titles = ", ".join(words.one(i.checklist.title, code)[0] for i in items)
            return f"{words.msg('Done:', code)} {titles}"

        page.paragraph(words.pair(done))
    return shown


def _next(page: Page, words: Words, next_step: NextStep, title: Callable[[str], str]) -> None:
    heading = words.line(next_step.item.checklist.title)
    page.heading(f"{words.msg('Next step:')} {heading.first}", points=15, after=25)
    if words.second:
        # The label in the second language too, as the checklist handout has it.
        second = heading.second or heading.first
        page.subtitle(f"{words.msg('Next step:', words.second)} {second}")
    step = next_step.step
    if step is None:
        return
    page.paragraph(words.line(step.title), bold=True)
    if next_step.due is not None:
        due = next_step.due
        page.paragraph(
            words.pair(
                lambda code: words.msg("Due {date}", code).format(
                    date=format_date(due, language=code)
                )
            ),
            bold=True,
        )
    books = next_step.books_line(words.msg)
    if books:
        page.paragraph(Line(books), bold=True)
    for deadline in next_step.deadlines:
        name = words.one(deadline.step.title, words.first)[0]
        day = format_date(deadline.due, language=words.first)
        if deadline.passed:
            text = words.msg(DEADLINE_PASSED).format(step=name, date=day)
            page.paragraph(Line(text), bold=True)
            if deadline.step.after_deadline is not None:
                page.paragraph(words.line(deadline.step.after_deadline))
        elif deadline.step.key != step.key:
            page.paragraph(Line(words.msg(DEADLINE_AHEAD).format(step=name, date=day)))
    for blocker in next_step.later:
        later = words.one(blocker.from_title, words.first)[0] if blocker.from_title else ""
        text = blocker.render(lambda m: translate_in(words.first, m), words.first)
        page.paragraph(Line(words.msg(LATER).format(step=later, blocker=text)))
    for waiting in next_step.waiting:
        page.paragraph(Line(waiting.render(words.msg, title)))
    check = step.verify_locally
    if step.bring:
        page.heading(words.both("Bring:", strip=":"), points=14, after=12)
        for thing in step.bring:
            page.tick_item(words.line(thing))
        if "bring" in check:
            page.warning([words.both(VERIFY)])
    for name, label in (("where", "Where:"), ("cost", "Cost")):
        text = getattr(step, name)
        if not text.get(words.first)[0]:
            continue
        page.heading(words.both(label, strip=":"), points=14, after=12)
        page.paragraph(words.line(text))
        if name in check:
            page.warning([words.both(VERIFY)])


def _blocked(
    page: Page, words: Words, blocked: BlockedProcedure, title: Callable[[str], str]
) -> None:
    heading = words.line(blocked.item.checklist.title)
    page.heading(f"{words.msg('Blocked:')} {heading.first}", points=15, after=15)
    if words.second:
        second = heading.second or heading.first
        page.subtitle(f"{words.msg('Blocked:', words.second)} {second}")
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
    for waiting in blocked.waiting:
        page.paragraph(Line(waiting.render(words.msg, title)))
