"""The facilitator's workshop: set it up, present the steps, mark who came, open cases.

The flow is four screens on one stack. ``WorkshopScreen`` (setup, and a list of recent
workshops to continue) pushes ``PresenterScreen``, which pushes ``AttendanceScreen``
(``a``, in ``workshop_attendance``) and ``EndScreen`` (``e``, in ``workshop_end``).
The workshop is saved when it starts and each attendance mark as it is made, so a
laptop that dies mid-workshop loses nothing: "Continue" on the setup screen picks it
up again.

The presenter speaks the workshop's languages, not the facilitator's: headings in each
column come from that column's catalogue (``translate_in``), so a Romani column says
"what to bring" in Romani even when the facilitator's own screens are in English.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import (
    Button,
    Input,
    Label,
    OptionList,
    Select,
    SelectionList,
    Static,
)
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from docassist.domain.dates import DayProblem, parse_day
from docassist.domain.text import N_
from docassist.handouts.fields import TIPS, Field, introduction_fields, step_fields
from docassist.i18n import (
    LANGUAGES,
    _,
    current_language,
    format_date,
    format_number,
    get_language,
    ngettext,
    translate_in,
)
from docassist.procedures import Checklist, Step, Text
from docassist.services import households as hh
from docassist.services import workshops as ws
from docassist.services.context import ValidationError
from docassist.ui.base import DocScreen
from docassist.ui.busy import calm_when_busy
from docassist.ui.screens.case import DRAFT_TRANSLATION
from docassist.ui.screens.workshop_attendance import AttendanceScreen
from docassist.ui.screens.workshop_end import EndScreen
from docassist.ui.widgets.area_bar import AreaBar
from docassist.ui.widgets.chosen import chosen
from docassist.ui.widgets.drop_down import DropDown
from docassist.ui.widgets.field_problems import problems_text
from docassist.ui.widgets.footer import KeysFooter
from docassist.ui.widgets.tick_list import TickList, ticked_line
from docassist.ui.widgets.ticks import NO_TICK, TICK
from docassist.ui.widgets.title_bar import TitleBar

# Below this width two languages are stacked (each text followed by its translation)
# instead of shown in two columns: 80 columns split in two leave ~30 letters a line.
TWO_COLUMNS_MIN_WIDTH = 100

VERIFY_MARK = "! "
# Translators: a quiet line on a projected step whose notes for the facilitator are
# hidden; F is the key that shows them.
NOTES_HINT = N_("F: notes for the facilitator")

# Ticks on "what to bring", per workshop: {(checklist id, step key): {item index}}.
Ticks = dict[tuple[str, str], set[int]]


def _native(code: str) -> str:
    return get_language(code).native_name


# ----------------------------------------------------------------- dates


# ----------------------------------------------------------------- slides


@dataclass(frozen=True)
class Slide:
    """One screenful of the presentation: a checklist's introduction or one of its steps."""

    checklist: Checklist
    step: int | None = None  # None: the introduction

    @property
    def step_obj(self) -> Step | None:
        return None if self.step is None else self.checklist.steps[self.step]

    @property
    def tick_key(self) -> tuple[str, str] | None:
        step = self.step_obj
        return (self.checklist.id, step.key) if step else None


def slides_of(checklists: Iterable[Checklist]) -> list[Slide]:
    out: list[Slide] = []
    for checklist in checklists:
        out.append(Slide(checklist))
        out.extend(Slide(checklist, i) for i in range(len(checklist.steps)))
    return out


def fields_of(slide: Slide) -> list[Field]:
    step = slide.step_obj
    return introduction_fields(slide.checklist) if step is None else step_fields(step)


def _in(code: str, text: Text) -> Content:
    """``text`` in ``code``; a quiet note names the language when it had to fall back."""
    value, used = text.get(code)
    if used == code:
        return Content(value)
    # Translators: quiet note after a checklist text that has no translation in this
    # language yet; {language} is the name of the language shown instead.
    note = translate_in(code, "shown in {language}").format(language=_native(used))
    return Content.assemble(value, (f"  ({note})", "$text-muted italic"))


@dataclass(frozen=True)
class Block:
    """One line or paragraph of a slide, able to draw itself in any language."""

    classes: str
    make: Callable[[str], Content]
    inline: bool = False  # stacked, both languages go on one line: "Cost · Trošak"
    lead: str = ""  # a tick mark in its own column, so wrapped lines stay indented
    prefix: str = ""  # shown once before the text, whatever the number of languages
    once: bool = False  # for the facilitator: one line in their own language, not per column


def _text_block(classes: str, text: Text, prefix: str = "") -> Block:
    return Block(classes, lambda code: Content(prefix) + _in(code, text))


def _msg_block(classes: str, msgid: str, prefix: str = "") -> Block:
    return Block(
        classes, lambda code: Content(translate_in(code, msgid)), inline=True, prefix=prefix
    )


def slide_blocks(slide: Slide, ticks: set[int], *, notes: bool = False) -> list[Block]:
    """What a slide says, top to bottom; the facilitator's notes only with ``notes``.

    Hidden, they leave a quiet line saying which key shows them, so the facilitator
    knows the step has some (the room sees only that line)."""
    checklist, step = slide.checklist, slide.step_obj
    blocks: list[Block] = []
    if step is None or slide.step is None:  # the same test: step_obj follows step
        blocks.append(_msg_block("ws-checklist", N_("Introduction")))
        blocks.append(_text_block("ws-step-title", checklist.title))
    else:
        blocks.append(_text_block("ws-checklist", checklist.title))
        blocks.append(_text_block("ws-step-title", step.title, f"{slide.step + 1}. "))
    for field in fields_of(slide):
        if field.kind == TIPS and not notes:
            blocks.append(Block("ws-notes-hint", lambda _code: Content(_(NOTES_HINT)), once=True))
            continue
        if field.heading:
            quiet = " ws-quiet" if field.kind == "tips" else ""
            blocks.append(_msg_block("ws-heading" + quiet, field.heading))
        if field.kind in ("text", "tips"):
            assert isinstance(field.value, Text)
            blocks.append(_text_block(f"ws-{field.kind}", field.value))
        elif field.kind == "steps":
            assert isinstance(field.value, tuple)
            for number, title in enumerate(field.value, 1):
                blocks.append(_text_block("ws-text", title, f"{number}. "))
        elif field.kind == "bring":
            assert isinstance(field.value, tuple)
            if not field.value:
                blocks.append(_msg_block("ws-text", N_("Nothing to bring.")))
            for index, item in enumerate(field.value):
                mark = TICK if index in ticks else NO_TICK
                blocks.append(
                    Block(
                        "ws-bring" + (" -ticked" if index in ticks else ""),
                        partial(_in, text=item),
                        lead=f"{mark} {index + 1}" if index < 9 else mark,
                    )
                )
        if field.verify:
            blocks.append(_msg_block("ws-verify", N_("Check with the office"), VERIFY_MARK))
    return blocks


def _stacked(block: Block, codes: tuple[str, ...]) -> Content:
    """The block in each language, one under the other (or on one line); repeats dropped."""
    parts: list[Content] = []
    for index, code in enumerate(codes):
        piece = block.make(code)
        if any(piece.plain.strip() == p.plain.strip() for p in parts):
            continue
        parts.append(piece.stylize("italic") if index and not block.inline else piece)
    joined = Content(" · " if block.inline else "\n").join(parts)
    return Content(block.prefix) + joined


def block_widget(block: Block, codes: tuple[str, ...], two_columns: bool) -> Widget:
    """Two columns: a row of cells, one per language, so the languages stay level."""

    def cell(content: Content, classes: str) -> Widget:
        if not block.lead:
            return Static(content, classes=classes)
        return Horizontal(
            Static(block.lead, classes="ws-mark"),
            Static(content, classes="ws-mark-text"),
            classes=classes + " ws-marked",
        )

    if block.once:
        return Static(block.make(codes[0]), classes=block.classes)
    if not two_columns:
        return cell(_stacked(block, codes), block.classes)
    cells = [
        cell(
            Content(block.prefix) + block.make(code),
            f"ws-cell {block.classes}" + (" -second" if index else ""),
        )
        for index, code in enumerate(codes)
    ]
    return Horizontal(*cells, classes="ws-pair")


def draft_note(checklist: Checklist, codes: Sequence[str]) -> str:
    """A quiet note, in each language concerned, that its text is not reviewed yet."""
    return " / ".join(
        translate_in(code, DRAFT_TRANSLATION) for code in codes if checklist.is_draft(code)
    )


def progress_text(slides: list[Slide], position: int, code: str) -> str:
    slide = slides[position]
    title = slide.checklist.title.get(code)[0]
    if slide.step is None:
        where = translate_in(code, "Introduction")
    else:
        where = translate_in(code, "Step {n} of {total}").format(
            n=slide.step + 1, total=len(slide.checklist.steps)
        )
    return f"{where} · {title}"


# ----------------------------------------------------------------- setup


class WorkshopScreen(DocScreen):
    """Set up a workshop (checklists, languages, date, place), or continue a recent one."""

    BINDINGS = [Binding("ctrl+s", "start", N_("Start"))]
    # The new workshop's checklists; on_mount prefers the workshop to continue.
    AUTO_FOCUS = "#ws-checklists"

    RECENT = 6  # workshops offered to continue

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.chosen: list[str] = []
        self.first_language = current_language().code
        self.second_language: str | None = None

    def compose(self) -> ComposeResult:
        ctx = self.ctx
        code = current_language().code
        yield TitleBar()
        yield AreaBar()
        with VerticalScroll(id="ws-setup", can_focus=False):
            # First, so that after a flat battery the workshop is one Enter away.
            yield Label(_("Continue a workshop"), id="ws-recent-label", classes="ws-screen-title")
            yield OptionList(id="ws-recent")
            yield Static(_("New workshop"), classes="ws-screen-title ws-section")
            yield Label(self._checklists_label(), id="ws-checklists-label")
            yield TickList[str](
                *[
                    Selection(c.title.get(code)[0], c.id, c.id in self.chosen)
                    for c in self.app.checklists
                ],
                id="ws-checklists",
            )
            languages = [(lang.native_name, lang.code) for lang in LANGUAGES]
            with Horizontal(classes="ws-row"):
                with Vertical():
                    yield Label(_("Language"))
                    yield DropDown(
                        languages, allow_blank=False, value=self.first_language, id="ws-lang-1"
                    )
                with Vertical():
                    yield Label(_("Second language (optional)"))
                    yield DropDown(
                        languages,
                        prompt=_("None"),
                        value=self.second_language or Select.NULL,
                        id="ws-lang-2",
                    )
            with Horizontal(classes="ws-row"):
                with Vertical():
                    yield Label(_("Date"))
                    yield Input(self._value("ws-date", format_date(ctx.today())), id="ws-date")
                with Vertical():
                    yield Label(_("Place"))
                    yield Input(
                        self._value("ws-place"),
                        placeholder=_("e.g. community centre"),
                        id="ws-place",
                    )
            with Horizontal(classes="ws-row"):
                with Vertical():
                    yield Label(_("Municipality"))
                    yield Input(
                        self._value("ws-municipality"),
                        suggester=SuggestFromList(hh.municipalities(ctx), case_sensitive=False),
                        id="ws-municipality",
                    )
                with Vertical():
                    yield Label(_("Settlement"))
                    yield Input(
                        self._value("ws-settlement"),
                        suggester=SuggestFromList(hh.settlements(ctx), case_sensitive=False),
                        id="ws-settlement",
                    )
            yield Static("", id="ws-setup-error", classes="hidden", markup=False)
            yield Button(_("Start the workshop"), variant="primary", id="ws-start")
        yield KeysFooter()

    def _checklists_label(self) -> str:
        # The count in the label: with the list scrolled, the ticks may be out of view.
        count = ticked_line(len(self.chosen), len(self.app.checklists))
        return f"{_('Checklists to cover')} · {count}"

    def _value(self, key: str, default: str = "") -> str:
        return self.values.setdefault(key, default)

    def _recent_label(self, w: ws.Workshop) -> str:
        where = " · ".join(p for p in (w.place, w.settlement, w.municipality) if p)
        languages = " + ".join(_native(code) for code in w.languages)
        people = ngettext("{n} person", "{n} people", w.people).format(n=format_number(w.people))
        # Translators: after a workshop in the list to continue: it was closed at its end.
        closed = _("closed") if w.closed else ""
        parts = (format_date(w.held_on), where or _("No place given"), languages, people, closed)
        return " · ".join(p for p in parts if p)

    def on_mount(self) -> None:
        self._fill_recent()
        recent = self.query_one("#ws-recent", OptionList)
        if recent.option_count:
            # Enter resumes the latest workshop. Focusing the checklists instead scrolled
            # "Continue a workshop" out of view at 80x24.
            recent.focus()
        # Focusing a list scrolls it just into view, its heading above the fold.
        self.call_after_refresh(self._to_top)

    def _to_top(self) -> None:
        self.query_one("#ws-setup", VerticalScroll).scroll_home(animate=False)

    async def retranslate(self) -> None:
        await super().retranslate()  # the body only: the Header must stay mounted
        self._fill_recent()

    def on_screen_resume(self) -> None:
        # A workshop just started or attended shows up (with its counts) to continue.
        self._fill_recent()

    def records_arrived(self) -> None:
        self._fill_recent()

    def _fill_recent(self) -> None:
        recent = ws.list_workshops(self.ctx, self.RECENT)
        options = self.query_one("#ws-recent", OptionList)
        options.clear_options()
        options.add_options([Option(self._recent_label(w), id=w.id) for w in recent])
        if recent:
            options.highlighted = 0  # Enter opens the latest at once
        for widget in (options, self.query_one("#ws-recent-label")):
            widget.set_class(not recent, "hidden")

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if event.input.id:
            self.values[event.input.id] = event.value

    @on(SelectionList.SelectedChanged, "#ws-checklists")
    def _checklists_changed(self, event: SelectionList.SelectedChanged) -> None:
        self.chosen = list(event.selection_list.selected)
        self.query_one("#ws-checklists-label", Label).update(self._checklists_label())

    @on(Select.Changed, "#ws-lang-1")
    def _first_language(self, event: Select.Changed) -> None:
        self.first_language = str(event.value)

    @on(Select.Changed, "#ws-lang-2")
    def _second_language(self, event: Select.Changed) -> None:
        self.second_language = chosen(event.value)

    @on(Button.Pressed, "#ws-start")
    @calm_when_busy
    def action_start(self) -> None:
        error = self.query_one("#ws-setup-error", Static)
        try:
            day = parse_day(self.values.get("ws-date", ""), self.ctx.today())
        except DayProblem as problem:
            self._refuse(problem.problem.render(_))
            return
        if day is None:
            self._refuse(_("Type the date as day.month.year, like 23.11.2026."))
            return
        # Keep the checklists in the order of the set (prerequisites first).
        chosen = [c.id for c in self.app.checklists if c.id in self.chosen]
        languages = [self.first_language]
        if self.second_language and self.second_language != self.first_language:
            languages.append(self.second_language)
        try:
            workshop_id = ws.start_workshop(
                self.ctx,
                day,
                self.values.get("ws-place", ""),
                self.values.get("ws-municipality", ""),
                self.values.get("ws-settlement", ""),
                chosen,
                languages,
            )
        except ValidationError as err:
            self._refuse(problems_text(err))
            return
        error.add_class("hidden")
        self.present(workshop_id)

    def _refuse(self, text: str) -> None:
        # The message sits under the form, often below the fold at 80x24: bring it
        # into view and say it in a notification too, or Ctrl+S seems to do nothing.
        error = self.query_one("#ws-setup-error", Static)
        error.update(text)
        error.remove_class("hidden")
        error.scroll_visible()
        self.notify(text, severity="error")

    @on(OptionList.OptionSelected, "#ws-recent")
    def _continue(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.present(event.option.id)

    def present(self, workshop_id: str) -> None:
        self.app.push_screen(PresenterScreen(workshop_id))


# ----------------------------------------------------------------- presenter


class PresenterScreen(DocScreen):
    """One step at a time, in large calm text, in one or two languages."""

    # Priority: the scrolling column would otherwise take left/right for itself.
    BINDINGS = [
        Binding("right,n", "move(1)", N_("Next"), priority=True),
        # Off the footer to make room for Handout at 80 columns in Romani: the left
        # arrow beside "→ Next" is what everyone tries first, and F1 lists it.
        Binding("left,p", "move(-1)", N_("Back"), show=False, priority=True),
        # Translators: key label; ticks the next item on the "what to bring" list.
        # Off the footer (80 columns in Romani): the tick marks on the slide show it.
        Binding("space", "tick_next", N_("Tick"), show=False, priority=True),
        *[
            Binding(
                str(n),
                f"tick({n})",
                N_("Tick or untick the item of that number"),
                show=False,
                priority=True,
            )
            for n in range(1, 10)
        ],
        # Translators: key label; shows or hides the notes meant for the facilitator.
        Binding("f", "toggle_notes", N_("Notes"), show=False, priority=True),
        Binding("a", "attendance", N_("Who is here")),
        Binding("e", "end", N_("End")),
        # Translators: key label; saves the checklist on screen as a printable PDF.
        Binding("s", "save_handout", N_("Handout")),
        Binding("escape", "leave", N_("Setup"), show=False),
    ]
    AUTO_FOCUS = "#ws-present"

    def __init__(self, workshop_id: str) -> None:
        super().__init__()
        self.workshop_id = workshop_id
        # Where it was left on this laptop: continuing resumes at that slide and ticks.
        progress = ws.get_progress(self.ctx, workshop_id)
        self.ticks: Ticks = progress.ticks
        self.position = progress.position
        # The facilitator's notes are for the facilitator: not on the projector unless asked.
        self.show_notes = False
        self._two_columns: bool | None = None
        self.languages: tuple[str, ...] = ("en",)
        self.checklist_ids: tuple[str, ...] = ()

    def _load(self) -> None:
        workshop = ws.get_workshop(self.ctx, self.workshop_id)
        self.languages = workshop.languages or ("en",)
        self.checklist_ids = workshop.checklists

    @property
    def slides(self) -> list[Slide]:
        found = (self.app.checklists.get(cid) for cid in self.checklist_ids)
        return slides_of(c for c in found if c is not None)

    @property
    def slide(self) -> Slide | None:
        slides = self.slides
        return slides[min(self.position, len(slides) - 1)] if slides else None

    def _wide(self) -> bool:
        return self.app.size.width >= TWO_COLUMNS_MIN_WIDTH

    def compose(self) -> ComposeResult:
        self._load()
        slides = self.slides
        first = self.languages[0]
        if not slides:
            yield Static(
                _("The checklists of this workshop are no longer installed."),
                classes="empty-state",
            )
            yield KeysFooter()
            return
        self.position = min(self.position, len(slides) - 1)
        slide = slides[self.position]
        ticks = self.ticks.get(slide.tick_key, set()) if slide.tick_key else set()
        with Horizontal(id="ws-top"):
            yield Static(progress_text(slides, self.position, first), id="ws-progress")
            yield Static(draft_note(slide.checklist, self.languages), id="ws-draft")
        two = len(self.languages) > 1 and self._wide()
        self._two_columns = two
        classes = "-two" if two else ("-stacked" if len(self.languages) > 1 else "-one")
        with VerticalScroll(id="ws-present"), Vertical(id="ws-columns", classes=classes):
            for block in slide_blocks(slide, ticks, notes=self.show_notes):
                yield block_widget(block, self.languages, two)
        yield KeysFooter()

    def on_mount(self) -> None:
        self._focus_body()

    def _focus_body(self) -> None:
        for body in self.query("#ws-present"):
            body.focus()

    async def on_resize(self, _event: Resize) -> None:
        two = len(self.languages) > 1 and self._wide()
        if self._two_columns is not None and two != self._two_columns:
            await self._redraw()

    async def _redraw(self) -> None:
        await self.recompose()
        self._focus_body()

    async def retranslate(self) -> None:
        await self._redraw()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Greyed at the ends rather than a key that silently does nothing.
        if action == "move":
            count = len(self.slides)
            delta = parameters[0]
            assert isinstance(delta, int)  # the bindings say move(1) and move(-1)
            target = self.position + delta
            return True if not count or 0 <= target < count else None
        return True

    @calm_when_busy  # a busy register loses a page turn's note, never the page turn
    def _save_progress(self) -> None:
        ws.save_progress(self.ctx, self.workshop_id, ws.Progress(self.position, self.ticks))

    async def action_move(self, delta: int) -> None:
        new = max(0, min(self.position + delta, len(self.slides) - 1))
        if new != self.position:
            self.position = new
            self._save_progress()
            await self._redraw()
            self.refresh_bindings()

    async def action_toggle_notes(self) -> None:
        self.show_notes = not self.show_notes
        await self._redraw_keeping_scroll()

    async def action_tick(self, number: int) -> None:
        slide = self.slide
        step = slide.step_obj if slide else None
        key = slide.tick_key if slide else None  # None exactly when step is
        if step is None or key is None or not 1 <= number <= len(step.bring):
            return
        ticked = self.ticks.setdefault(key, set())
        ticked.symmetric_difference_update({number - 1})
        self._save_progress()
        await self._redraw_keeping_scroll()

    async def action_tick_next(self) -> None:
        """Tick the first item not yet ticked; once all are, start over."""
        slide = self.slide
        step = slide.step_obj if slide else None
        key = slide.tick_key if slide else None  # None exactly when step is
        if step is None or key is None or not step.bring:
            return
        ticked = self.ticks.setdefault(key, set())
        rest = [i for i in range(len(step.bring)) if i not in ticked]
        if rest:
            ticked.add(rest[0])
        else:
            ticked.clear()
        self._save_progress()
        await self._redraw_keeping_scroll()

    async def _redraw_keeping_scroll(self) -> None:
        body = self.query_one("#ws-present", VerticalScroll)
        y = body.scroll_y
        await self._redraw()
        self.query_one("#ws-present", VerticalScroll).scroll_to(y=y, animate=False)

    def action_attendance(self) -> None:
        self.app.push_screen(AttendanceScreen(self.workshop_id))

    def action_end(self) -> None:
        def closed(result: str | None) -> None:
            if result == "close":
                self.dismiss()

        self.app.push_screen(EndScreen(self.workshop_id), closed)

    def action_save_handout(self) -> None:
        """The checklist on screen as a PDF, in the workshop's languages."""
        from docassist.services.handouts import make_checklist_handout
        from docassist.ui.dialogs import save_handout

        slide = self.slide
        if slide is None:
            return
        handout = make_checklist_handout(
            self.app.checklists, slide.checklist.id, self.languages, self.ctx.today()
        )
        save_handout(self.app, handout, N_("Save the checklist as a handout"))

    def action_leave(self) -> None:
        self.dismiss()
