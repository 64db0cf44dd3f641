"""Practice: a trainee works through made-up families, one question at a time.

The screen opens its OWN context on the practice database and never uses
``self.app.ctx`` (the real register): practice never touches real data.
Everything the trainee has done so far lives in attributes (view, scenario, attempt,
question), so a language switch simply recomposes and carries on where it was.
"""

from __future__ import annotations

import random

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from docassist import procedures as cl
from docassist.domain.text import N_
from docassist.i18n import _, current_language, format_number, get_language, ngettext
from docassist.procedures import Question, Scenario, learning_order, load_scenarios
from docassist.services import practice as svc
from docassist.services.context import Context, NotFoundError
from docassist.ui.base import DocScreen
from docassist.ui.busy import calm_when_busy_async
from docassist.ui.widgets.footer import KeysFooter

_QUIET = "dim italic"
_RIGHT = "bold green"
_WRONG = "bold red"

LIST, PLAY, SCORE, REVIEW = "list", "play", "score", "review"


# ------------------------------------------------------------------- texts


def scenario_text(text: cl.Text) -> tuple[str, str | None]:
    """A scenario text in the UI language, and the language used when it fell back."""
    wanted = current_language().code
    value, used = text.get(wanted)
    return value, (used if used != wanted and value else None)


def localized(text: cl.Text, style: str = "") -> Text:
    """The text in the UI language, with a quiet " (Srpski)" when it fell back."""
    value, used = scenario_text(text)
    out = Text(value, style=style)
    if used:
        out.append(f" ({get_language(used).native_name})", style=_QUIET)
    return out


def _plain(text: cl.Text) -> str:
    return scenario_text(text)[0]


def _number(n: int) -> str:
    return format_number(n)


# ------------------------------------------------------------------- screen


class PracticeScreen(DocScreen):
    """Pick a made-up family, answer its questions, see why, and review later."""

    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        # On the score Escape and Enter both lead to the list, and the footer shows
        # only "Done": with Back as well, Quit fell off 80 columns in Serbian.
        Binding("escape", "done", N_("Done"), show=False),
        Binding("enter", "next", N_("Next")),
        Binding("enter", "done", N_("Done")),
        Binding("r", "review", N_("Review my answers")),
        # Off the footer for the same reason; the score's note names it: "(a)".
        Binding("a", "again", N_("Play again"), show=False),
        *[
            Binding(str(n), f"choose({n})", N_("Answer with that number"), show=False)
            for n in range(1, 10)
        ],
    ]

    def __init__(self, trainee_name: str) -> None:
        super().__init__()
        self.trainee_name = " ".join(trainee_name.split()) or _("Trainee")
        self.view = LIST
        self.scenario_id: str | None = None
        self.attempt_id: str | None = None
        self.position = 0  # index of the current question
        self.review_attempt_id: str | None = None
        self.review_from = LIST
        self.list_highlight = 0
        self._ctx: Context | None = None
        self._scenarios: list[Scenario] | None = None
        self._problems: list = []
        self._checklists: list[cl.Checklist] | None = None
        self._attempt: svc.Attempt | None = None

    # -- data -----------------------------------------------------------------

    @property
    def ctx(self) -> Context:
        """This screen's own context on the practice database (never the register)."""
        if self._ctx is None:
            self._ctx = svc.open_practice()
        return self._ctx

    @property
    def checklists(self) -> list[cl.Checklist]:
        """The app's checklists when it has them (links are checked against those)."""
        if self._checklists is None:
            loaded = getattr(self.app, "checklists", None)
            self._checklists = list(loaded if loaded is not None else cl.load_all())
        return self._checklists

    @property
    def scenarios(self) -> list[Scenario]:
        if self._scenarios is None:
            found, self._problems = load_scenarios(checklists=self.checklists)
            self._scenarios = learning_order(found, [c.id for c in self.checklists])
        return self._scenarios

    def scenario(self, scenario_id: str | None) -> Scenario | None:
        return next((s for s in self.scenarios if s.id == scenario_id), None)

    def _checklist_title(self, checklist_id: str) -> cl.Text | None:
        return next((c.title for c in self.checklists if c.id == checklist_id), None)

    @property
    def attempt(self) -> svc.Attempt | None:
        """The round being played (cached: the footer asks about it on every redraw)."""
        if self.attempt_id is None:
            return None
        if self._attempt is None or self._attempt.id != self.attempt_id:
            self._attempt = svc.get_attempt(self.ctx, self.attempt_id)
        return self._attempt

    def shown_order(self, question: Question) -> list[int]:
        """The question's choices (their indexes) in the order this round shows them.

        Shuffled afresh for each round, so a replay is not answered by position
        ("the right one was 2"); the same within a round (a language switch or a
        redraw keeps it), as it comes from the round's id. Answers are stored by the
        choice's own index, whatever its place on screen."""
        order = list(range(len(question.choices)))
        random.Random(f"{self.attempt_id}/{question.key}").shuffle(order)
        return order

    def number_of(self, question: Question, index: int) -> int:
        """The number (1, 2, ...) the choice ``index`` has on screen in this round."""
        return self.shown_order(question).index(index) + 1

    def on_unmount(self) -> None:
        if self._ctx is not None:
            self._ctx.db.close()
            self._ctx = None

    # -- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(_("PRACTICE — made-up families, nothing here is real"), id="practice-banner")
        with VerticalScroll(id="practice-body"):
            if self.view == PLAY and self.scenario(self.scenario_id):
                yield from self._compose_play()
            elif self.view == SCORE and self.scenario(self.scenario_id):
                yield from self._compose_score()
            elif self.view == REVIEW and self.review_attempt_id:
                yield from self._compose_review()
            else:
                self.view = LIST
                yield from self._compose_list()
        yield KeysFooter()

    def _compose_list(self) -> ComposeResult:
        yield Static(
            _("Hello, {name}. Choose a family to practise with.").format(name=self.trainee_name),
            classes="practice-heading",
        )
        if not self.scenarios:
            yield Static(_("No practice families are installed."), classes="practice-quiet")
            return
        best = svc.best_attempts(self.ctx, self.trainee_name)
        options = []
        for scenario in self.scenarios:
            line = localized(scenario.title)
            done = best.get(scenario.id)
            if done:
                line.append("  ·  ")
                line.append(
                    _("best {score} / {total}").format(
                        score=_number(done.score), total=_number(done.total)
                    ),
                    style=_RIGHT if done.score == done.total else "",
                )
            else:
                line.append("  ·  " + _("not tried yet"), style=_QUIET)
            options.append(Option(line, id=scenario.id))
        scenarios = OptionList(*options, id="practice-scenarios")
        scenarios.highlighted = min(self.list_highlight, len(options) - 1)
        yield scenarios
        yield Static(
            _("Arrows and Enter to start. r: review your last round."),
            classes="practice-quiet",
        )
        broken = len({p.path for p in self._problems if p.is_error})
        if broken:
            yield Static(
                ngettext(
                    "{n} practice file has problems: see docassist checklists validate.",
                    "{n} practice files have problems: see docassist checklists validate.",
                    broken,
                ).format(n=_number(broken)),
                classes="practice-quiet",
            )

    def _compose_play(self) -> ComposeResult:
        scenario = self.scenario(self.scenario_id)
        assert scenario is not None
        question = scenario.questions[self.position]
        attempt = self.attempt
        answer = attempt.answer(question.key) if attempt else None
        progress = localized(scenario.title, style="bold")
        progress.append("   ")
        progress.append(
            _("Question {n} of {total}").format(
                n=_number(self.position + 1), total=_number(scenario.total)
            ),
            style="bold",
        )
        yield Static(progress, id="practice-progress")
        # The score on a line of its own: "2 / 4" beside the title read as the
        # question counter.
        right = attempt.correct_so_far if attempt else 0
        yield Static(
            ngettext("{n} right answer so far", "{n} right answers so far", right).format(
                n=_number(right)
            ),
            id="practice-score-so-far",
            classes="practice-quiet",
        )
        yield Static(localized(scenario.family), id="practice-family")
        yield Static(localized(question.prompt, style="bold"), id="practice-prompt")
        if answer is None:
            choices = OptionList(
                *[
                    Option(
                        Text(f"{i}. ") + localized(question.choices[index].text),
                        id=f"choice-{i}",
                    )
                    for i, index in enumerate(self.shown_order(question), 1)
                ],
                id="practice-choices",
            )
            choices.highlighted = 0
            yield choices
            yield Static(
                _("Press the number of your answer, or arrows and Enter."),
                classes="practice-quiet",
            )
        else:
            yield Static(self._marked_choices(question, answer.choice), id="practice-answered")
            yield Static(self._feedback(question, answer.choice), id="practice-feedback")
            last = self.position + 1 >= scenario.total
            yield Static(
                _("Press Enter to see your score.")
                if last
                else _("Press Enter for the next question."),
                classes="practice-quiet",
            )

    def _compose_score(self) -> ComposeResult:
        scenario = self.scenario(self.scenario_id)
        attempt = self.attempt
        assert scenario is not None
        yield Static(localized(scenario.title, style="bold"), id="practice-progress")
        if attempt is None:
            return
        score = Text(
            _("You got {score} of {total} right.").format(
                score=_number(attempt.score), total=_number(attempt.total)
            ),
            style=_RIGHT if attempt.score == attempt.total else "bold",
        )
        yield Static(score, id="practice-score")
        if attempt.score == attempt.total:
            note = _("Well done. Try another family.")
        else:
            note = _("Read why in your answers (r), then try again (a).")
        yield Static(note, classes="practice-quiet")

    def _compose_review(self) -> ComposeResult:
        try:
            attempt = svc.get_attempt(self.ctx, self.review_attempt_id or "")
        except NotFoundError:
            yield Static(_("This round is no longer stored."), classes="practice-quiet")
            return
        scenario = self.scenario(attempt.scenario_id)
        if scenario is None:
            yield Static(_("This family is no longer installed."), classes="practice-quiet")
            return
        yield Static(localized(scenario.title, style="bold"), id="practice-progress")
        # The score in words, apart from the title: "3 / 4" read as a question counter.
        yield Static(
            Text(
                _("You got {score} of {total} right.").format(
                    score=_number(attempt.score), total=_number(attempt.total)
                ),
                style="bold",
            ),
            id="practice-score",
        )
        if attempt.scenario_version != scenario.version:
            yield Static(
                _("This family was changed after this round; some answers may differ."),
                classes="practice-quiet",
            )
        for number, question in enumerate(scenario.questions, 1):
            answer = attempt.answer(question.key)
            prompt = Text(f"{_number(number)}. ", style="bold")
            prompt.append_text(localized(question.prompt, style="bold"))
            yield Static(prompt, classes="practice-review-item")
            if answer is None or answer.choice >= len(question.choices):
                lines = Text(_("Not answered."), style=_QUIET)
            else:
                lines = self._answer_lines(question, answer.choice)
            yield Static(lines, classes="practice-review-answer")

    # -- answer rendering ------------------------------------------------------

    def _marked_choices(self, question: Question, chosen: int) -> Text:
        out = Text()
        for place, index in enumerate(self.shown_order(question)):
            choice = question.choices[index]
            if index == question.correct_index:
                mark, style = "✓", _RIGHT
            elif index == chosen:
                mark, style = "✗", _WRONG
            else:
                mark, style = " ", _QUIET
            if place:
                out.append("\n")
            out.append(f"{mark} {place + 1}. ", style=style)
            out.append_text(localized(choice.text, style="" if style == _QUIET else style))
        return out

    def _feedback(self, question: Question, chosen: int) -> Text:
        right = chosen == question.correct_index
        verdict = _("Correct.") if right else _("Not this one.")
        out = Text(verdict, style=_RIGHT if right else _WRONG)
        out.append("\n")
        out.append_text(localized(question.choices[chosen].feedback))
        if not right:
            out.append("\n\n")
            out.append(
                _("The right answer: {n}.").format(
                    n=_number(self.number_of(question, question.correct_index))
                )
                + " ",
                style="bold",
            )
            out.append_text(localized(question.correct_choice.text, style="bold"))
            out.append("\n")
            out.append_text(localized(question.correct_choice.feedback))
        out.append_text(self._checklist_note(question))
        return out

    def _answer_lines(self, question: Question, chosen: int) -> Text:
        right = chosen == question.correct_index
        out = Text("✓ " if right else "✗ ", style=_RIGHT if right else _WRONG)
        out.append(_("Your answer:") + " ")
        out.append_text(localized(question.choices[chosen].text))
        if not right:
            out.append("\n")
            out.append(_("The right answer:") + " ", style="bold")
            out.append_text(localized(question.correct_choice.text, style="bold"))
        out.append("\n")
        out.append_text(localized(question.correct_choice.feedback, style=_QUIET))
        return out

    def _checklist_note(self, question: Question) -> Text:
        if not question.checklist:
            return Text()
        title = self._checklist_title(question.checklist)
        if title is None:
            return Text()
        out = Text("\n\n" + _("Read more in the checklist:") + " ", style=_QUIET)
        out.append_text(localized(title, style="italic"))
        return out

    # -- focus and redraw -----------------------------------------------------

    def on_mount(self) -> None:
        self._focus_view()

    async def retranslate(self) -> None:
        # Keep the reader's place: a switch mid-review must not jump back to the top.
        scroll_y = self.query_one("#practice-body", VerticalScroll).scroll_y
        await self.recompose()
        self._focus_view()
        body = self.query_one("#practice-body", VerticalScroll)
        self.call_after_refresh(body.scroll_to, y=scroll_y, animate=False)

    async def _show(self, view: str) -> None:
        self.view = view
        await self.recompose()
        self._focus_view()
        self.refresh_bindings()

    def _focus_view(self) -> None:
        for selector in ("#practice-choices", "#practice-scenarios"):
            found = self.query(selector)
            if found:
                found.first().focus()
                return
        self.query_one("#practice-body").focus()

    # -- which keys apply where ----------------------------------------------

    def _answered(self) -> bool:
        scenario = self.scenario(self.scenario_id)
        attempt = self.attempt
        if scenario is None or attempt is None or self.position >= scenario.total:
            return False
        return attempt.answer(scenario.questions[self.position].key) is not None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.view not in (LIST, SCORE)
        if action == "next":
            return self.view == PLAY and self._answered()
        if action == "choose":
            return self.view == PLAY and not self._answered()
        if action == "done":
            return self.view == SCORE
        if action == "again":
            return self.view == SCORE
        if action == "review":
            return self.view in (LIST, SCORE)
        return True

    # -- actions --------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#practice-scenarios")
    def _scenario_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.list_highlight = event.option_index

    @on(OptionList.OptionSelected, "#practice-scenarios")
    async def _scenario_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        await self.start(str(event.option.id))

    @on(OptionList.OptionSelected, "#practice-choices")
    async def _choice_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        await self.action_choose(event.option_index + 1)

    @calm_when_busy_async
    async def start(self, scenario_id: str) -> None:
        """Begin a new round with the family ``scenario_id``."""
        scenario = self.scenario(scenario_id)
        if scenario is None:
            return
        attempt = svc.start_attempt(self.ctx, self.trainee_name, scenario)
        self._attempt = attempt
        self.scenario_id = scenario.id
        self.attempt_id = attempt.id
        self.position = 0
        await self._show(PLAY)

    @calm_when_busy_async
    async def action_choose(self, number: int) -> None:
        scenario = self.scenario(self.scenario_id)
        if self.view != PLAY or scenario is None or self.attempt_id is None:
            return
        question = scenario.questions[self.position]
        if not 1 <= number <= len(question.choices) or self._answered():
            return
        chosen = self.shown_order(question)[number - 1]  # the number is its place on screen
        self._attempt = svc.record_answer(self.ctx, self.attempt_id, question, chosen)
        await self._show(PLAY)
        feedback = self.query("#practice-feedback")
        if feedback:
            self.query_one("#practice-body", VerticalScroll).scroll_to_widget(
                feedback.first(), animate=False, top=False
            )

    @calm_when_busy_async
    async def action_next(self) -> None:
        scenario = self.scenario(self.scenario_id)
        if scenario is None or self.attempt_id is None or not self._answered():
            return
        if self.position + 1 < scenario.total:
            self.position += 1
            await self._show(PLAY)
        else:
            self._attempt = svc.finish_attempt(self.ctx, self.attempt_id)
            await self._show(SCORE)

    async def action_done(self) -> None:
        await self._show(LIST)

    async def action_again(self) -> None:
        if self.scenario_id:
            await self.start(self.scenario_id)

    async def action_review(self) -> None:
        if self.view == SCORE and self.attempt_id:
            self.review_attempt_id = self.attempt_id
            self.review_from = SCORE
            await self._show(REVIEW)
            return
        if self.view != LIST or not self.scenarios:
            return
        # Ask the list itself: its Highlighted message may not have arrived yet.
        found = self.query("#practice-scenarios")
        if found:
            self.list_highlight = found.first(OptionList).highlighted or 0
        scenario = self.scenarios[min(self.list_highlight, len(self.scenarios) - 1)]
        rounds = svc.past_attempts(self.ctx, self.trainee_name, scenario.id)
        if not rounds:
            self.notify(_("No finished round with this family yet."))
            return
        self.scenario_id = scenario.id
        self.review_attempt_id = rounds[0].id
        self.review_from = LIST
        await self._show(REVIEW)

    async def action_back(self) -> None:
        if self.view == REVIEW and self.review_from == SCORE:
            await self._show(SCORE)
        else:
            # Leaving a round half-way keeps it unfinished: it never counts as a score.
            await self._show(LIST)
