"""A household end to end: register it, add people (checked as typed), open a case, remove."""

from __future__ import annotations

from datetime import date

from textual.widgets import Checkbox, DataTable, Input, Static

from docassist.domain import script
from docassist.domain.jmbg import make_jmbg
from docassist.domain.model import DocumentKind, DocumentState, Relation, Sex
from docassist.i18n import translate_in
from docassist.services import cases as cases_svc
from docassist.services import households as hh
from docassist.services import plans
from docassist.services.context import Context
from docassist.store.db import open_database
from docassist.ui.app import DocAssistApp
from docassist.ui.dialogs import (
    ChecklistPickerDialog,
    ConfirmDialog,
    HouseholdDuplicateDialog,
    PersonDuplicateDialog,
)
from docassist.ui.screens.household import HouseholdScreen
from docassist.ui.screens.household_form import HouseholdFormScreen
from docassist.ui.screens.person_form import PersonFormScreen
from docassist.ui.widgets.field_problems import FieldProblems
from tests.ui.conftest import make_user

GOOD_JMBG = make_jmbg(date(1987, 5, 12), "71", 123)  # a man born 12.05.1987 in Belgrade
BAD_JMBG = GOOD_JMBG[:12] + str((int(GOOD_JMBG[12]) + 1) % 10)


def _text(widget: Static) -> str:
    return str(widget.render())


def _problems(app: DocAssistApp, field: str) -> str:
    return app.screen.query_one(f"#{field}-problems", FieldProblems).text


async def _type(pilot, selector: str, text: str) -> None:
    """Focus a field, empty it and type ``text`` key by key, as a user would."""
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = ""
    await pilot.pause()
    await pilot.press(*text)
    await pilot.pause()


def _count(path, table: str) -> int:
    db = open_database(path)
    try:
        return db.execute(f"SELECT count(*) FROM {table} WHERE deleted_at IS NULL").fetchone()[0]
    finally:
        db.close()


def _household(path, members: list[hh.PersonInput]) -> str:
    db = open_database(path)
    try:
        ctx = Context(db)
        return hh.register_household(
            ctx,
            hh.HouseholdInput(
                "Petrović",
                settlement="Mali Leskovac",
                municipality="Beograd",
                consent_date="2026-11-20",
            ),
            members,
        )
    finally:
        db.close()


ADULT = hh.PersonInput(
    "Marija",
    "Petrović",
    relation=Relation.HEAD,
    sex=Sex.FEMALE,
    birth_date="1990",
    documents={DocumentKind.BIRTH_REGISTRATION: DocumentState.MISSING},
)
CHILD = hh.PersonInput("Marko", "Petrović", relation=Relation.CHILD, birth_date="2018")


async def test_register_with_consent_then_add_a_person_checked_as_typed(empty_db):
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Press N" in _text(app.screen.query_one("#empty", Static))
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, HouseholdFormScreen)

        await _type(pilot, "#family_name", "Petrović")
        await _type(pilot, "#settlement", "Mali Leskovac")
        await _type(pilot, "#municipality", "Beograd")
        # No consent ticked: nothing is saved, and the form says why.
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, HouseholdFormScreen)
        assert "agreed" in _problems(app, "consent")
        assert _count(empty_db, "households") == 0
        assert app.screen.query_one("#family_name", Input).value == "Petrović"

        app.screen.query_one("#consent", Checkbox).value = True
        await pilot.pause()
        assert _problems(app, "consent") == ""
        await pilot.press("ctrl+s")
        await pilot.pause()

        # Straight to the new household, where people are added.
        assert isinstance(app.screen, HouseholdScreen)
        assert "Petrović" in _text(app.screen.query_one("#household-info", Static))
        assert "Press A" in _text(app.screen.query_one("#no-members", Static))
        assert _count(empty_db, "households") == 1

        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, PersonFormScreen)
        assert app.screen.query_one("#family_name", Input).value == "Petrović"
        await _type(pilot, "#given_name", "Marko")
        await _type(pilot, "#birth_date", "12.05.1987")
        assert "12.05.1987" in _problems(app, "birth_date")  # English: "Read as: 12.05.1987"
        # Letters where digits belong: an error, and nothing is saved.
        await _type(pilot, "#jmbg", GOOD_JMBG[:5] + "O" + GOOD_JMBG[6:])
        assert "type the digit 0" in _problems(app, "jmbg")
        assert app.screen.query_one("#jmbg-problems", FieldProblems).errors

        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PersonFormScreen)
        assert _count(empty_db, "persons") == 0

        # A wrong check digit is shown as a warning, clearly, but does not block.
        await _type(pilot, "#jmbg", BAD_JMBG)
        message = _problems(app, "jmbg")
        assert f"should be {GOOD_JMBG[12]}, not {BAD_JMBG[12]}" in message
        assert message.startswith("! The last digit does not match the others")
        assert not app.screen.query_one("#jmbg-problems", FieldProblems).errors
        assert app.screen.query_one("#jmbg", Input).value == BAD_JMBG

        await _type(pilot, "#jmbg", GOOD_JMBG)
        assert "should be" not in _problems(app, "jmbg")
        assert "Born" in _problems(app, "jmbg")  # what the number says, to compare
        await pilot.press("ctrl+s")
        await pilot.pause()

        assert isinstance(app.screen, HouseholdScreen)
        table = app.screen.query_one("#member-table", DataTable)
        assert table.row_count == 1
        assert "Marko Petrović" in str(table.get_row_at(0)[0])
        assert _count(empty_db, "persons") == 1

        # Escape leads back to the register, which now lists the family.
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_one("#household-table", DataTable).row_count == 1


async def test_a_warning_does_not_block_saving(empty_db):
    household_id = _household(empty_db, [])
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(PersonFormScreen(household_id))
        await pilot.pause()
        await _type(pilot, "#given_name", "Marko")
        await _type(pilot, "#birth_date", "1986")
        await _type(pilot, "#jmbg", GOOD_JMBG)
        form = app.screen.query_one("#jmbg-problems", FieldProblems)
        assert "1986" in form.text and not form.errors  # the year disagrees: amber only
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert _count(empty_db, "persons") == 1


async def test_a_wrong_check_digit_is_a_warning_and_the_person_is_saved(empty_db):
    household_id = _household(empty_db, [])
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(PersonFormScreen(household_id))
        await pilot.pause()
        await _type(pilot, "#given_name", "Marko")
        await _type(pilot, "#jmbg", "0101990710139")
        form = app.screen.query_one("#jmbg-problems", FieldProblems)
        assert "check the number against the document" in form.text and not form.errors
        assert "Born" in form.text  # what the number says is still shown to compare
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, PersonFormScreen)
        assert _count(empty_db, "persons") == 1


async def test_a_possible_duplicate_is_shown_and_back_keeps_the_form(demo_db):
    db = open_database(demo_db)
    row = db.execute(
        "SELECT p.given_name, p.family_name, p.birth_year, p.household_id FROM persons p "
        "WHERE p.birth_year IS NOT NULL AND p.given_name != '' AND p.deleted_at IS NULL "
        "AND p.family_name GLOB '*[a-z]*' ORDER BY p.rowid LIMIT 1"
    ).fetchone()
    given, family, year, original_household = row
    other = db.execute(
        "SELECT id FROM households WHERE id != ? AND deleted_at IS NULL LIMIT 1",
        [original_household],
    ).fetchone()[0]
    db.close()
    persons_before = _count(demo_db, "persons")

    app = DocAssistApp(demo_db, user_id=make_user(demo_db))
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_household(other)
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        # The same person, typed in Cyrillic this time.
        await _type(pilot, "#given_name", script.lat_to_cyr(given))
        await _type(pilot, "#family_name", script.lat_to_cyr(family))
        await _type(pilot, "#birth_date", str(year))
        await pilot.press("ctrl+s")
        await pilot.pause()

        assert isinstance(app.screen, PersonDuplicateDialog)
        _all_buttons_on_screen(app)
        listed = app.screen.query_one("#dup-table", DataTable)
        names = [str(listed.get_row_at(i)[0]) for i in range(listed.row_count)]
        assert f"{given} {family}" in names
        assert "Same name and year of birth" in str(listed.get_row_at(0)[3])

        await pilot.press("escape")  # back to the form
        await pilot.pause()
        assert isinstance(app.screen, PersonFormScreen)
        assert app.screen.query_one("#given_name", Input).value == script.lat_to_cyr(given)
        assert app.screen.query_one("#birth_date", Input).value == str(year)
        assert _count(demo_db, "persons") == persons_before

        # Asked again, "someone else" saves.
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PersonDuplicateDialog)
        await pilot.click("#save")
        await pilot.pause()
        assert isinstance(app.screen, HouseholdScreen)
        assert _count(demo_db, "persons") == persons_before + 1


def _all_buttons_on_screen(app: DocAssistApp) -> None:
    """The duplicate dialog's three buttons, whole, inside the 80x24 screen."""
    buttons = list(app.screen.query("#dup-buttons Button"))
    assert len(buttons) == 3
    for button in buttons:
        assert button.region.width > 0 and button.region.right <= 78  # inside the border
        assert button.region.bottom <= 23
        assert button.region.width >= len(str(button.label))


async def test_open_household_from_the_register_with_enter(demo_db):
    app = DocAssistApp(demo_db, user_id=make_user(demo_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#household-table", DataTable)
        table.focus()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, HouseholdScreen)
        family = app.screen.detail.household.family_name
        assert family in _text(app.screen.query_one("#household-info", Static))
        # the opening is audited once, with the user; reloads add nothing
        app.screen.reload()
        views = app.ctx.db.execute(
            "SELECT user_id, entity_id FROM audit_log WHERE action = 'view'"
        ).fetchall()
        assert views == [(app.ctx.user_id, app.screen.household_id)]


async def test_open_a_case_and_see_the_next_step(empty_db):
    household_id = _household(empty_db, [ADULT])
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_household(household_id)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HouseholdScreen)
        person_id = screen.person_id
        expected = plans.household_plans(app.ctx, household_id, app.checklists)[person_id]
        first = expected.actionable[0]
        title = first.checklist.title.en

        assert "can start now" in _text(screen.query_one("#next-step", Static))
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ChecklistPickerDialog)
        await pilot.press("enter")  # the first suggestion
        await pilot.pause()

        assert isinstance(app.screen, HouseholdScreen)
        opened = cases_svc.cases_of_person(app.ctx, person_id)
        assert [c.checklist_id for c in opened] == [first.checklist.id]
        step = _text(screen.query_one("#next-step", Static))
        assert f"Next step: {title}" in step
        assert "case open" in step
        assert first.checklist.steps[0].title.en in step
        assert "Bring:" in step and "Where:" in step
        cases_table = screen.query_one("#case-table", DataTable)
        assert cases_table.row_count == 1
        assert title in str(cases_table.get_row_at(0)[0])

        # Enter on the person, then Enter on the case, opens the case.
        seen: list[str] = []
        app.open_case = seen.append  # the case screen is not what is tested here
        screen.query_one("#member-table", DataTable).focus()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert seen == [opened[0].id]


async def test_a_blocked_procedure_says_why(empty_db):
    household_id = _household(empty_db, [ADULT])
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_household(household_id)
        await pilot.pause()
        plan = plans.household_plans(app.ctx, household_id, app.checklists)
        blocked = [i for i in plan[app.screen.person_id].items if i.blocked]
        assert blocked  # without a birth registration, the ID card waits
        text = _text(app.screen.query_one("#next-step", Static))
        assert f"Blocked: {blocked[0].checklist.title.en}" in text
        assert blocked[0].blockers[0].render() in text


async def test_the_court_route_is_an_or_beside_late_registration(empty_db):
    household_id = _household(empty_db, [ADULT])
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 40)) as pilot:
        app.open_household(household_id)
        await pilot.pause()
        text = " ".join(_text(app.screen.query_one("#next-step", Static)).split())
        assert "Next step: Late birth registration" in text
        assert "Or, instead of Late birth registration: Court: time and place of birth" in text
        assert "Also: Court" not in text


async def test_documents_held_are_shown_as_held_not_as_procedures_done(empty_db):
    registered = hh.PersonInput(
        "Jovan", "Petrović", relation=Relation.HEAD, birth_date="1985",
        documents={
            DocumentKind.BIRTH_REGISTRATION: DocumentState.HAVE,
            DocumentKind.CITIZENSHIP: DocumentState.HAVE,
        },
    )  # fmt: skip
    household_id = _household(empty_db, [registered])
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 40)) as pilot:
        app.open_household(household_id)
        await pilot.pause()
        text = " ".join(_text(app.screen.query_one("#next-step", Static)).split())
        assert "Has: Birth registration, Citizenship certificate" in text
        assert "Done:" not in text and "Late birth registration" not in text


async def test_an_id_card_holder_is_not_told_to_register_the_birth(empty_db):
    holder = hh.PersonInput(
        "Jovan", "Petrović", relation=Relation.HEAD, birth_date="1985",
        documents={
            DocumentKind.ID_CARD: DocumentState.HAVE,
            DocumentKind.BIRTH_REGISTRATION: DocumentState.MISSING,
            DocumentKind.RESIDENCE: DocumentState.MISSING,
        },
    )  # fmt: skip
    household_id = _household(empty_db, [holder])
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 40)) as pilot:
        app.open_household(household_id)
        await pilot.pause()
        text = " ".join(_text(app.screen.query_one("#next-step", Static)).split())
        assert "Next step: Residence registration" in text
        assert "Late birth registration" not in text and "needed first" not in text
        assert "Has: Birth registration, Citizenship certificate, ID card" in text
        assert "Check: Birth registration: recorded as missing" in text


async def test_remove_a_person_with_confirmation_and_undo(empty_db):
    household_id = _household(empty_db, [ADULT, CHILD])
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_household(household_id)
        await pilot.pause()
        table = app.screen.query_one("#member-table", DataTable)
        assert table.row_count == 2
        await pilot.press("down")  # the child
        await pilot.pause()
        child_id = app.screen.person_id
        assert "Marko" in _text(app.screen.query_one("#person-name", Static))

        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "Marko Petrović" in _text(app.screen.query_one("#confirm-message", Static))
        await pilot.press("escape")  # changed their mind
        await pilot.pause()
        assert table.row_count == 2

        await pilot.press("d")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HouseholdScreen)
        assert table.row_count == 1
        assert any("Press U to undo" in n.message for n in app._notifications)
        assert "u" in app.screen.active_bindings

        await pilot.press("u")
        await pilot.pause()
        assert table.row_count == 2
        assert app.screen.person_id == child_id
        assert {m.id for m in hh.get_household(app.ctx, household_id).members} >= {child_id}
        assert "u" not in app.screen.active_bindings


async def test_edit_keeps_typed_input_across_a_language_switch(empty_db):
    household_id = _household(empty_db, [ADULT])
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_household(household_id)
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, PersonFormScreen)
        assert app.screen.query_one("#given_name", Input).value == "Marija"
        await _type(pilot, "#place_of_birth", "Niš")
        app.choose_language("sr")
        await pilot.pause()
        await pilot.pause()
        form = app.screen
        assert form.query_one("#place_of_birth", Input).value == "Niš"
        assert form.query_one("#given_name", Input).value == "Marija"
        assert "Име" in str(form.query_one(".form-label").render())  # redrawn in Serbian
        app.choose_language("en")
        await pilot.pause()
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, HouseholdScreen)
        person = hh.get_household(app.ctx, household_id).members[0]
        assert person.place_of_birth == "Niš"

        # The household screen redraws in the new language, keeping the highlighted person.
        plan = plans.household_plans(app.ctx, household_id, app.checklists)[person.id]
        app.choose_language("sr")
        await pilot.pause()
        await pilot.pause()
        assert app.screen.person_id == person.id
        text = _text(app.screen.query_one("#next-step", Static))
        assert plan.actionable[0].checklist.title.sr in text


async def test_ethnicity_waits_for_consent(empty_db):
    household_id = _household(empty_db, [])
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(PersonFormScreen(household_id))
        await pilot.pause()
        field = app.screen.query_one("#ethnicity", Input)
        assert field.disabled
        app.screen.query_one("#ethnicity_consent", Checkbox).value = True
        await pilot.pause()
        assert not field.disabled


async def test_family_notes_and_what_a_parent_is_needed_for(empty_db):
    baby = hh.PersonInput(
        "Luka",
        "Petrović",
        relation=Relation.CHILD,
        birth_date="2024",
        documents={DocumentKind.BIRTH_REGISTRATION: DocumentState.MISSING},
    )
    household_id = _household(empty_db, [baby])
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_household(household_id)
        await pilot.pause()
        # No mother recorded: a note to check, never a blocker.
        text = _text(app.screen.query_one("#next-step", Static))
        assert "Check: Mother not recorded." in text
        assert "Next step:" in text


def test_a_checklist_text_that_fell_back_is_marked_quietly():
    from docassist.procedures import Text as ChecklistText
    from docassist.ui.screens.household import localized

    assert str(localized(ChecklistText(en="ID card", sr="Лична карта"), "sr")) == "Лична карта"
    assert str(localized(ChecklistText(en="ID card"), "sr")) == "ID card (English)"
    assert str(localized(ChecklistText(en="ID", sr="Лична"), "rom")) == "Lična (Srpski)"


async def test_escape_then_enter_keeps_what_was_typed(empty_db):

    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        await _type(pilot, "#family_name", "Petrović")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")  # out of habit: "Stay" has the focus
        await pilot.pause()
        assert isinstance(app.screen, HouseholdFormScreen)
        assert app.screen.query_one("#family_name", Input).value == "Petrović"


async def test_undo_a_removal_after_leaving_the_household(empty_db):
    household_id = _household(empty_db, [ADULT, CHILD])
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_household(household_id)
        await pilot.pause()
        await pilot.press("down", "d")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")  # off to the register, then back
        await pilot.pause()
        app.open_household(household_id)
        await pilot.pause()
        assert "u" in app.screen.active_bindings
        await pilot.press("u")
        await pilot.pause()
        assert len(hh.get_household(app.ctx, household_id).members) == 2


def _djordjevic_register(path) -> list[str]:
    """Two Đorđević families in Plavi horizonti (Zemun), one typed in Cyrillic."""
    db = open_database(path)
    try:
        ctx = Context(db)
        return [
            hh.register_household(
                ctx,
                hh.HouseholdInput(family, settlement=settlement, municipality=municipality),
                [hh.PersonInput(given, family, birth_date="1980") for given in people],
            )
            for family, settlement, municipality, people in (
                ("Đorđević", "Plavi horizonti", "Zemun", ("Dragan", "Ana", "Mira", "Iva")),
                ("Ђорђевић", "Плави хоризонти", "Земун", ("Милан",)),
            )
        ]
    finally:
        db.close()


async def _new_djordjevic(pilot) -> None:
    """The new-household form, typed the way a facilitator without Serbian keys would."""
    await pilot.press("ctrl+n")
    await pilot.pause()
    assert isinstance(pilot.app.screen, HouseholdFormScreen)
    await _type(pilot, "#family_name", "Djordjevic")
    await _type(pilot, "#settlement", "Plavi horizonti")
    await _type(pilot, "#municipality", "Zemun")
    pilot.app.screen.query_one("#consent", Checkbox).value = True
    await pilot.pause()
    await pilot.press("ctrl+s")
    await pilot.pause()


async def test_a_family_already_registered_there_is_shown_before_saving(empty_db):
    latin, cyrillic = _djordjevic_register(empty_db)
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await _new_djordjevic(pilot)

        assert isinstance(app.screen, HouseholdDuplicateDialog)
        _all_buttons_on_screen(app)
        message = _text(app.screen.query_one("#dup-message", Static))
        assert "Djordjevic may already be registered: 2 families look alike" in message
        listed = app.screen.query_one("#dup-table", DataTable)
        rows = {
            key.value: [str(cell) for cell in listed.get_row_at(i)]
            for i, key in enumerate(listed.rows)
        }
        assert set(rows) == {latin, cyrillic}
        assert rows[latin] == [
            "Đorđević",
            "Plavi horizonti",
            "Dragan, Ana, Mira and 1 more",  # given names: the family name is on the left
            "Same settlement",
        ]
        assert rows[cyrillic] == ["Ђорђевић", "Плави хоризонти", "Милан", "Same settlement"]
        assert _count(empty_db, "households") == 2

        await pilot.press("escape")  # back to the form, as typed
        await pilot.pause()
        assert isinstance(app.screen, HouseholdFormScreen)
        assert app.screen.query_one("#family_name", Input).value == "Djordjevic"
        assert app.screen.query_one("#settlement", Input).value == "Plavi horizonti"
        assert _count(empty_db, "households") == 2

        # Asked again, "another family" saves.
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, HouseholdDuplicateDialog)
        await pilot.click("#save")
        await pilot.pause()
        assert isinstance(app.screen, HouseholdScreen)
        assert _count(empty_db, "households") == 3


async def test_the_existing_family_can_be_opened_instead(empty_db):
    latin, cyrillic = _djordjevic_register(empty_db)
    app = DocAssistApp(empty_db, user_id=make_user(empty_db), language="sr")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await _new_djordjevic(pilot)
        assert isinstance(app.screen, HouseholdDuplicateDialog)
        assert str(app.screen.query_one("#back").label) == translate_in("sr", "Back to the form")
        _all_buttons_on_screen(app)
        listed = app.screen.query_one("#dup-table", DataTable)
        listed.focus()
        listed.move_cursor(row=listed.get_row_index(cyrillic))
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, HouseholdScreen)
        assert app.screen.household_id == cyrillic
        assert _count(empty_db, "households") == 2
        await pilot.press("escape")  # the form is gone: back to the register
        await pilot.pause()
        assert type(app.screen).__name__ == "HouseholdListScreen"


# --- two people editing one household (issue 14 §5) -------------------------------


async def test_a_stale_household_form_keeps_the_other_save_and_asks_on_a_clash(empty_db):
    household_id = _household(empty_db, [ADULT])
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(100, 36)) as pilot:
        app.push_screen(HouseholdFormScreen(household_id))
        await pilot.pause()
        await pilot.pause()
        # Meanwhile, on another laptop's copy of the program, Senad renames the family
        # and records a phone number.
        db = open_database(empty_db)
        try:
            ctx = Context(db)
            detail = hh.get_household(ctx, household_id).household
            opened = hh.HouseholdInput(
                detail.family_name,
                settlement=detail.settlement,
                municipality=detail.municipality,
                consent_date=detail.consent_date,
            )
            hh.update_household(
                ctx,
                household_id,
                hh.HouseholdInput(
                    "Jovanović",
                    settlement=detail.settlement,
                    municipality=detail.municipality,
                    phone="061 111",
                    consent_date=detail.consent_date,
                ),
                base=opened,
            )
        finally:
            db.close()
        # Milica, whose form still shows the old name, types an address and a phone.
        await _type(pilot, "#address", "Ulica 5")
        await _type(pilot, "#phone", "062 222")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)  # the phones clash: she is asked
        message = _text(app.screen.query_one("#confirm-message", Static))
        assert "Phone" in message and "Family name" not in message
        await pilot.press("enter")  # the safe button has the focus: go back, nothing saved
        await pilot.pause()
        assert isinstance(app.screen, HouseholdFormScreen)
        assert app.screen.query_one("#phone", Input).value == "062 222"
        saved = hh.get_household(app.ctx, household_id).household
        assert (saved.family_name, saved.phone, saved.address) == ("Jovanović", "061 111", "")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("tab", "enter")  # "Save mine"
        await pilot.pause()
        saved = hh.get_household(app.ctx, household_id).household
        # Her address and phone; his family name, which her form never touched.
        assert (saved.family_name, saved.phone, saved.address) == (
            "Jovanović",
            "062 222",
            "Ulica 5",
        )


async def test_a_register_locked_by_another_program_keeps_the_form_filled(empty_db):
    # Another program (a backup, a second app) holds the write lock longer than the
    # app waits: one calm message, nothing saved, the typing still there (issue 14 §7).
    import sqlite3

    household_id = _household(empty_db, [ADULT])
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(100, 36)) as pilot:
        app.db.execute("PRAGMA busy_timeout = 50")
        app.push_screen(HouseholdFormScreen(household_id))
        await pilot.pause()
        await pilot.pause()
        await _type(pilot, "#address", "Ulica 5")
        other = sqlite3.connect(str(empty_db), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, HouseholdFormScreen)
            assert app.screen.query_one("#address", Input).value == "Ulica 5"
            assert any("Nothing was saved" in n.message for n in app._notifications)
        finally:
            other.execute("ROLLBACK")
            other.close()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert hh.get_household(app.ctx, household_id).household.address == "Ulica 5"


async def test_a_coordinator_erases_a_person_behind_a_warning(empty_db):
    from docassist.domain.model import Role
    from docassist.ui.dialogs.help import HelpDialog

    household_id = _household(empty_db, [ADULT, CHILD])
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_household(household_id)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HouseholdScreen)
        await pilot.press("f1")  # F1 lists it
        await pilot.pause()
        assert isinstance(app.screen, HelpDialog)
        keys = app.screen.query_one("#screen-keys", DataTable)
        rows = [str(keys.get_row_at(i)[1]) for i in range(keys.row_count)]
        assert "Erase this person (on request)" in rows
        await pilot.press("escape")
        await pilot.pause()
        person = screen._person()
        assert person is not None
        await pilot.press("x")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog) and dialog.has_class("-danger")
        assert person.full_name in _text(dialog.query_one("#confirm-message", Static))
        await pilot.press("enter")  # cancel is first: Enter keeps the person
        await pilot.pause()
        assert app.screen is screen
        assert len(hh.get_household(app.ctx, household_id).members) == 2
        await pilot.press("x")
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
        assert app.screen is screen
        left = hh.get_household(app.ctx, household_id).members
        assert len(left) == 1 and person.id not in {p.id for p in left}
        erased = app.ctx.db.execute(
            "SELECT user_id FROM audit_log WHERE action = 'erase' AND entity_id = ?", [person.id]
        ).fetchall()
        assert erased == [(app.ctx.user_id,)]

    # a facilitator is refused, clearly, and nothing is asked or erased
    facilitator = make_user(empty_db, Role.FACILITATOR, name="Ana")
    app = DocAssistApp(empty_db, user_id=facilitator)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_household(household_id)
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, HouseholdScreen)
        messages = [n.message for n in app._notifications]
        assert any("Only a coordinator may erase" in m for m in messages)
        assert len(hh.get_household(app.ctx, household_id).members) == 1


async def test_long_notes_are_refused_in_the_form_and_shortened_on_the_screen(empty_db):
    household_id = _household(empty_db, [ADULT])
    page = "Porodica živi kod rođaka u baraci bez struje i vode. " * 100  # 5,300 characters
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(HouseholdFormScreen(household_id))
        await pilot.pause()
        await pilot.pause()
        notes = app.screen.query_one("#notes")
        notes.focus()
        notes.insert(page)  # a paste
        await pilot.pause()
        assert "at most 4000 fit here" in _problems(app, "notes")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, HouseholdFormScreen)  # nothing saved, nothing lost
        assert app.screen.query_one("#notes").text == page
    # Notes written before the limit (or by another program) are shortened in the
    # household's header, and read whole with V.
    db = open_database(empty_db)
    db.execute("UPDATE households SET notes = ?", [page + page])
    db.close()
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_household(household_id)
        await pilot.pause()
        screen = app.screen
        info = _text(screen.query_one("#household-info", Static))
        assert "…" in info and "V: read in full" in info and len(info) < 400
        members = screen.query_one("#member-table", DataTable)
        assert members.region.height > 0 and members.region.bottom <= 24
        await pilot.press("v")
        await pilot.pause()
        bodies = [_text(w) for w in app.screen.query(".full-text-body")]
        assert bodies == [page + page]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_an_emoji_in_a_name_is_said_under_the_field(empty_db):
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(HouseholdFormScreen())
        await pilot.pause()
        await _type(pilot, "#family_name", "Ramić")
        app.screen.query_one("#family_name", Input).insert_text_at_cursor("👍")  # a paste
        await pilot.pause()
        assert "The printed handouts cannot show 👍" in _problems(app, "family_name")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, HouseholdFormScreen)
        assert _count(empty_db, "households") == 0
