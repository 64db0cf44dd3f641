"""The practice screen at 80x24: a trainee plays a made-up family to the score."""

from __future__ import annotations

from textual.widgets import OptionList, Static

from docassist import i18n, locations
from docassist.domain.model import Role
from docassist.i18n import _
from docassist.procedures import Text as ChecklistText
from docassist.services import practice as svc
from docassist.store.db import open_database
from docassist.ui.app import DocAssistApp
from docassist.ui.screens.practice_session import PLAY, REVIEW, SCORE, PracticeScreen, localized
from tests.ui.conftest import make_user

SIZE = (80, 24)


def rendered(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def first_option(app) -> str:
    options = app.screen.query_one("#practice-scenarios", OptionList)
    return options.get_option_at_index(0).prompt.plain


def assert_banner(app) -> None:
    """The banner is on screen, on the top line, whatever the trainee is doing."""
    screen = app.screen
    assert isinstance(screen, PracticeScreen)
    banner = screen.query_one("#practice-banner", Static)
    assert str(banner.render()) == _("PRACTICE — made-up families, nothing here is real")
    assert banner.region.y == 0 and banner.region.height == 1 and banner.region.width == 80


def trainee_app(empty_db) -> DocAssistApp:
    return DocAssistApp(empty_db, user_id=make_user(empty_db, Role.TRAINEE, name="Ana Trainee"))


async def test_trainee_plays_a_whole_family_to_the_score(empty_db):
    app = trainee_app(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PracticeScreen)
        assert_banner(app)
        scenario = screen.scenarios[0]
        assert "not tried yet" in first_option(app)

        await pilot.press("enter")  # start the highlighted family
        await pilot.pause()
        assert screen.view == PLAY
        for number, question in enumerate(scenario.questions, 1):
            assert_banner(app)
            progress = rendered(app, "#practice-progress")
            assert f"Question {number} of {scenario.total}" in progress
            # The score stands apart from the counter, in words.
            so_far = rendered(app, "#practice-score-so-far")
            assert so_far.startswith(f"{number - 1} right answer")
            assert question.prompt.en in rendered(app, "#practice-prompt")
            # Answer with the number key of the right choice, where this round shows it.
            await pilot.press(str(screen.number_of(question, question.correct_index)))
            await pilot.pause()
            assert_banner(app)
            feedback = rendered(app, "#practice-feedback")
            assert "Correct." in feedback
            assert question.correct_choice.feedback.en.split(".")[0] in feedback
            await pilot.press("enter")
            await pilot.pause()

        assert screen.view == SCORE
        assert_banner(app)
        total = scenario.total
        assert f"You got {total} of {total} right." in rendered(app, "#practice-score")

        await pilot.press("r")  # review my answers, from the stored round
        await pilot.pause()
        assert screen.view == REVIEW
        assert_banner(app)
        assert len(screen.query(".practice-review-item")) == total

        await pilot.press("escape")  # back to the score
        await pilot.pause()
        await pilot.press("escape")  # back to the list, best score shown
        await pilot.pause()
        assert_banner(app)
        assert f"best {total} / {total}" in first_option(app)

    # Stored in the practice database only.
    practice = open_database(locations.practice_database())
    register = open_database(empty_db)
    try:
        assert practice.execute(
            "SELECT count(*) FROM practice_attempts WHERE finished_at IS NOT NULL"
        ).fetchone() == (1,)
        assert register.execute("SELECT count(*) FROM practice_attempts").fetchone() == (0,)
    finally:
        practice.close()
        register.close()


async def test_a_wrong_answer_shows_the_right_one_and_why(empty_db):
    app = trainee_app(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        scenario = screen.scenarios[0]
        question = scenario.questions[0]
        wrong = next(i for i, c in enumerate(question.choices) if not c.correct)
        await pilot.press("enter")
        await pilot.pause()
        # Arrows and Enter work as well as number keys.
        for _ in range(screen.number_of(question, wrong) - 1):
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        feedback = rendered(app, "#practice-feedback")
        assert "Not this one." in feedback
        right = screen.number_of(question, question.correct_index)
        assert f"The right answer: {right}." in feedback
        assert question.choices[wrong].feedback.en.split(".")[0] in feedback
        # The first answer counts: another number changes nothing.
        await pilot.press(str(right))
        await pilot.pause()
        assert "Not this one." in rendered(app, "#practice-feedback")
        assert_banner(app)


async def test_language_switch_keeps_the_place_and_redraws(empty_db):
    app = trainee_app(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        scenario = screen.scenarios[0]
        await pilot.press("enter")
        await pilot.pause()
        first = scenario.questions[0]
        await pilot.press(str(screen.number_of(first, first.correct_index)))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        app.choose_language("sr")
        await pilot.pause()
        assert app.screen is screen and screen.view == PLAY and screen.position == 1
        assert scenario.questions[1].prompt.sr in rendered(app, "#practice-prompt")
        assert scenario.family.sr in rendered(app, "#practice-family")
        app.choose_language("rom")
        await pilot.pause()
        assert scenario.questions[1].prompt.rom in rendered(app, "#practice-prompt")
        assert_banner(app)


async def test_the_choices_are_shuffled_for_each_round_and_kept_within_one(empty_db):
    app = trainee_app(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        scenario = screen.scenarios[0]
        question = scenario.questions[0]

        def shown() -> list[str]:
            options = screen.query_one("#practice-choices", OptionList)
            return [
                options.get_option_at_index(i).prompt.plain for i in range(len(question.choices))
            ]

        orders = []
        for _round in range(6):
            await screen.start(scenario.id)
            await pilot.pause()
            first = shown()
            app.choose_language("en")  # a redraw keeps this round's order
            await pilot.pause()
            assert shown() == first
            orders.append(tuple(first))
        assert len(set(orders)) > 1  # not the same order every round
        # The number pressed is the place on screen; the answer stored is that choice.
        await pilot.press("1")
        await pilot.pause()
        attempt = screen.attempt
        assert attempt is not None
        (answer,) = attempt.answers
        assert answer.choice == screen.shown_order(question)[0]


async def test_the_review_says_the_score_in_words(empty_db):
    app = trainee_app(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        scenario = screen.scenarios[0]
        await pilot.press("enter")
        await pilot.pause()
        for question in scenario.questions:
            await pilot.press(str(screen.number_of(question, question.correct_index)))
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        total = scenario.total
        assert rendered(app, "#practice-score") == f"You got {total} of {total} right."
        assert f"{total} / {total}" not in rendered(app, "#practice-progress")


async def test_leaving_half_way_does_not_count(empty_db):
    app = trainee_app(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert screen.view == "list"
        assert svc.best_attempts(screen.ctx, "Ana Trainee") == {}
        await pilot.press("r")
        await pilot.pause()
        assert screen.view == "list"  # nothing finished to review yet
        assert_banner(app)


async def test_the_screen_never_uses_the_register_context(empty_db):
    app = trainee_app(empty_db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.ctx is not app.ctx
        assert svc.is_practice(screen.ctx) and not svc.is_practice(app.ctx)


def test_fallback_is_marked_quietly():
    text = ChecklistText(en="Only English", sr="", rom="")
    i18n.set_language("rom")
    shown = localized(text)
    assert shown.plain == "Only English (English)"
    i18n.set_language("sr")
    assert localized(ChecklistText(en="x", sr="Ћирилица", rom="y")).plain == "Ћирилица"
