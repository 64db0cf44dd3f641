"""The workshop, driven as a facilitator would: set up, present, mark who came, open cases."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from textual.widgets import Checkbox, DataTable, Input, Label, Select, SelectionList, Static

from docassist.domain.dates import DayProblem, parse_day
from docassist.domain.model import Relation, Role, Sex
from docassist.i18n import translate_in
from docassist.procedures import Text as ChecklistText
from docassist.services import cases
from docassist.services import households as hh
from docassist.services import workshops as ws
from docassist.services.context import Context
from docassist.services.households import HouseholdInput, PersonInput
from docassist.services.users import create_user
from docassist.store.db import open_database
from docassist.ui.app import DocAssistApp
from docassist.ui.dialogs import AttendeeDuplicateDialog, ConfirmDialog, QuickAddDialog
from docassist.ui.screens.workshop import PresenterScreen, WorkshopScreen, _in
from docassist.ui.screens.workshop_attendance import AttendanceScreen
from docassist.ui.screens.workshop_end import EndScreen
from docassist.ui.widgets.tick_list import TickList

BIRTH_STEP_1 = ("Phenen kaj bijandilo o čhavo", "Пријава рођења")
ID_CARD_TITLE = ("Lična karta", "Лична карта")
ID_CARD_STEP_1 = ("Lačharen o lila thaj i uplata", "Припрема папира и уплате")


@dataclass
class Register:
    path: object
    facilitator: str
    ramic: str  # Sabit (1990), Ajša (1993) and Emir (2015), no documents recorded
    berisha: str  # Fatmir Berisha (1980), the duplicate the quick-add runs into


@pytest.fixture
def register(tmp_path):
    path = tmp_path / "register.db"
    db = open_database(path)
    ctx = Context(db)
    facilitator = create_user(ctx, "Milica", Role.FACILITATOR, "en").id
    ramic = hh.register_household(
        ctx,
        HouseholdInput("Ramić", settlement="Veliki rit", municipality="Novi Sad"),
        [
            PersonInput("Sabit", "Ramić", Relation.HEAD, Sex.MALE, "1990"),
            PersonInput("Ajša", "Ramić", Relation.SPOUSE, Sex.FEMALE, "1993"),
            PersonInput("Emir", "Ramić", Relation.CHILD, Sex.MALE, "2015"),
        ],
    )
    berisha = hh.register_household(
        ctx,
        HouseholdInput("Berisha", settlement="Adice", municipality="Novi Sad"),
        [PersonInput("Fatmir", "Berisha", Relation.HEAD, Sex.MALE, "1980")],
    )
    db.close()
    return Register(path, facilitator, ramic, berisha)


def _ctx(register) -> Context:
    return Context(open_database(register.path))


def visible_text(app) -> str:
    """The text of every Static at least partly inside the terminal."""
    width, height = app.size
    parts = []
    for widget in app.screen.query(Static):
        region = widget.region
        if region.height and region.y < height and region.bottom > 0 and region.x < width:
            parts.append(str(widget.render()))
    return "\n".join(parts)


async def _open_workshop_screen(app, pilot) -> WorkshopScreen:
    await pilot.pause()
    app.push_screen(WorkshopScreen())
    await pilot.pause()
    assert isinstance(app.screen, WorkshopScreen)
    return app.screen


async def _set_up(app, pilot, languages=("rom", "sr")) -> str:
    """Birth registration and the first ID card, in Romani with Serbian; returns the id."""
    screen = await _open_workshop_screen(app, pilot)
    checklists = screen.query_one("#ws-checklists", SelectionList)
    # Pick from the keyboard: the list is focused, in set order.
    order = [str(checklists.get_option_at_index(i).value) for i in range(checklists.option_count)]
    for wanted in ("birth-registration", "id-card"):
        checklists.highlighted = order.index(wanted)
        await pilot.press("space")
    screen.query_one("#ws-lang-1", Select).value = languages[0]
    if len(languages) > 1:
        screen.query_one("#ws-lang-2", Select).value = languages[1]
    place = screen.query_one("#ws-place", Input)
    place.focus()
    await pilot.press(*"Community centre")
    screen.query_one("#ws-settlement", Input).value = "Veliki rit"
    screen.query_one("#ws-municipality", Input).value = "Novi Sad"
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert isinstance(app.screen, PresenterScreen)
    return app.screen.workshop_id


async def test_whole_workshop_at_80_columns(register):
    app = DocAssistApp(register.path, user_id=register.facilitator)
    async with app.run_test(size=(80, 24)) as pilot:
        workshop_id = await _set_up(app, pilot)

        # Saved at setup, before anything else happens.
        ctx = _ctx(register)
        saved = ws.get_workshop(ctx, workshop_id)
        assert saved.checklists == ("birth-registration", "id-card")
        assert saved.languages == ("rom", "sr")
        assert saved.place == "Community centre"
        assert saved.facilitator_id == register.facilitator

        # The introduction first, then the steps, both languages stacked at 80 columns.
        assert "Upis e bijandipasko" in visible_text(app)
        await pilot.press("right")
        await pilot.pause()
        text = visible_text(app)
        assert all(title in text for title in BIRTH_STEP_1)
        progress = str(app.screen.query_one("#ws-progress", Static).render())
        assert translate_in("rom", "Step {n} of {total}").format(n=1, total=4) in progress
        # Both languages' texts are unreviewed drafts: a quiet note says so in each.
        draft = str(app.screen.query_one("#ws-draft", Static).render())
        assert translate_in("rom", "draft translation") in draft
        assert translate_in("sr", "draft translation") in draft
        # The "check with the office" marker, in both languages.
        assert translate_in("sr", "Check with the office") in text

        # Ticks: space ticks the next item, a number toggles one.
        await pilot.press("space", "3")
        await pilot.pause()
        marks = [str(w.render()) for w in app.screen.query(".ws-mark")]
        assert marks[:3] == ["[✓] 1", "[ ] 2", "[✓] 3"]

        # Across the end of one checklist into the next, and back again (n and p too).
        for _ in range(4):
            await pilot.press("right")
        await pilot.pause()
        assert all(title in visible_text(app) for title in ID_CARD_TITLE)
        await pilot.press("n")
        await pilot.pause()
        assert all(f"1. {title}" in visible_text(app) for title in ID_CARD_STEP_1)
        await pilot.press("p", "left", "left", "left", "left")
        await pilot.pause()
        text = visible_text(app)
        assert all(title in text for title in BIRTH_STEP_1)
        marks = [str(w.render()) for w in app.screen.query(".ws-mark")]
        assert marks[:3] == ["[✓] 1", "[ ] 2", "[✓] 3"]  # ticks stay with the workshop

        # Attendance: an existing household, found as the name is typed.
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AttendanceScreen)
        await pilot.press(*"ramic")
        await pilot.pause()
        await pilot.press("enter")  # to the results
        await pilot.press("enter")  # mark present
        await pilot.pause()
        assert [a.household_id for a in ws.attendees(ctx, workshop_id)] == [register.ramic]
        assert "✓" in str(app.screen.query_one("#ws-att-table").get_row_at(0)[0])

        # Quick-add a new family; one of them is already in the register.
        await pilot.press("ctrl+n")
        await pilot.pause()
        quick = app.screen
        assert isinstance(quick, QuickAddDialog)
        await pilot.press(*"Beriša")
        quick.query_one("#qa-given-0", Input).focus()
        await pilot.press(*"Fatmir")
        quick.query_one("#qa-surname-0", Input).focus()
        await pilot.press(*"Berisha")
        quick.query_one("#qa-born-0", Input).focus()
        await pilot.press(*"1980")
        quick.query_one("#qa-more").press()
        await pilot.pause()
        quick.query_one("#qa-given-1", Input).focus()
        await pilot.press(*"Arben")
        quick.query_one("#qa-born-1", Input).focus()
        await pilot.press(*"2012")

        # Consent is required.
        quick.query_one("#qa-save").press()
        await pilot.pause()
        assert "agree" in str(quick.query_one("#qa-error", Static).render())
        assert hh.count_households(ctx) == 2
        quick.query_one("#qa-consent", Checkbox).focus()
        await pilot.press("space")
        quick.query_one("#qa-save").press()
        await pilot.pause()

        duplicate = app.screen
        assert isinstance(duplicate, AttendeeDuplicateDialog)
        assert "Fatmir Berisha" in visible_text(app)
        duplicate.query_one("#dup-save").press()  # a different Fatmir: save anyway
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, AttendanceScreen)

        present = ws.attendees(ctx, workshop_id)
        assert [a.family_name for a in present] == ["Beriša", "Ramić"]
        new = next(a for a in present if a.family_name == "Beriša")
        assert [p.full_name for p in new.people] == ["Fatmir Berisha", "Arben Beriša"]
        household = hh.get_household(ctx, new.household_id).household
        assert household.consent_date is not None
        assert household.settlement == "Veliki rit"  # where the workshop is held

        # End: the summary, then cases for the people who need them.
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        end = app.screen
        assert isinstance(end, EndScreen)
        summary = str(end.query_one("#ws-end-summary", Static).render())
        assert "2 households" in summary and "5 people" in summary
        assert "Community centre" in summary
        picked = end.chosen_cases()
        assert picked, "people without an ID card are suggested"
        assert all(checklist == "id-card" for _, checklist in picked)  # nobody is a newborn

        # One of them already has a case: it is skipped and reported, not an error.
        sabit = next(p for p in present[1].people if p.given_name == "Sabit")
        earlier = ws.open_cases_for_attendees(
            ctx, workshop_id, [(sabit.id, "id-card")], app.checklists
        )
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        result = str(app.screen.query_one("#ws-end-result", Static).render())
        assert "Opened" in result and "Skipped 1" in result

        opened = {
            (c.person_id, c.checklist_id)
            for household_id in (register.ramic, new.household_id)
            for c in cases.cases_of_household(ctx, household_id)
        }
        assert opened == set(picked)
        assert len(cases.cases_of_household(ctx, register.ramic)) == len(
            [p for p in picked if p[0] in {m.id for m in present[1].people}]
        )
        assert earlier[0] in {c.id for c in cases.cases_of_household(ctx, register.ramic)}

        # Closing the workshop goes back to the setup, with the workshop to continue.
        end.query_one("#ws-end-close").press()
        await pilot.pause()
        assert isinstance(app.screen, WorkshopScreen)
        assert app.screen.query_one("#ws-recent").option_count == 1
        assert ws.get_workshop(ctx, workshop_id).closed  # recorded as ended
        assert "closed" in str(app.screen.query_one("#ws-recent").get_option_at_index(0).prompt)
        ctx.db.close()


async def test_two_languages_side_by_side_at_120_columns(register):
    app = DocAssistApp(register.path, user_id=register.facilitator)
    async with app.run_test(size=(120, 36)) as pilot:
        await _set_up(app, pilot)
        await pilot.press("right")
        await pilot.pause()
        titles = app.screen.query(".ws-step-title")
        romani, serbian = titles[0], titles[1]
        assert BIRTH_STEP_1[0] in str(romani.render())
        assert BIRTH_STEP_1[1] in str(serbian.render())
        assert romani.region.y == serbian.region.y  # level, in two columns
        assert romani.region.x < serbian.region.x
        # Every row holds one cell per language, so the columns never drift apart.
        for row in app.screen.query(".ws-pair"):
            assert len(row.children) == 2
        marks = app.screen.query(".ws-verify")
        assert [str(m.render()) for m in marks[:2]] == [
            "! " + translate_in("rom", "Check with the office"),
            "! " + translate_in("sr", "Check with the office"),
        ]

        # Narrowed to 80 columns, the same step stacks the two languages.
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert not app.screen.query(".ws-pair")
        text = visible_text(app)
        assert all(title in text for title in BIRTH_STEP_1)


async def test_setup_says_what_is_missing(register):
    app = DocAssistApp(register.path, user_id=register.facilitator)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_workshop_screen(app, pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = screen.query_one("#ws-setup-error", Static)
        assert "checklist" in str(error.render())
        screen.query_one("#ws-date", Input).value = "31.02.2026"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "no day 31" in str(error.render())  # says exactly what is wrong
        assert isinstance(app.screen, WorkshopScreen)
        ctx = _ctx(register)
        assert ws.list_workshops(ctx) == []
        ctx.db.close()


async def test_continue_after_the_laptop_died(register):
    ctx = _ctx(register)
    ctx.user_id = register.facilitator
    workshop_id = ws.start_workshop(ctx, ctx.today(), "School", "", "", ["id-card"], ["sr_Latn"])
    ws.add_attendance(ctx, workshop_id, register.ramic)
    ctx.db.close()
    app = DocAssistApp(register.path, user_id=register.facilitator)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_workshop_screen(app, pilot)
        recent = screen.query_one("#ws-recent")
        assert "School" in str(recent.get_option_at_index(0).prompt)
        assert "3 people" in str(recent.get_option_at_index(0).prompt)
        recent.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PresenterScreen)
        assert "Lična karta" in visible_text(app)  # Serbian Latin, derived from Cyrillic
        await pilot.press("e")
        await pilot.pause()
        assert "1 household" in str(app.screen.query_one("#ws-end-summary", Static).render())


async def test_duplicate_use_existing_marks_that_household(register):
    ctx = _ctx(register)
    workshop_id = ws.start_workshop(ctx, ctx.today(), "", "", "", ["id-card"], ["en"])
    app = DocAssistApp(register.path, user_id=register.facilitator)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(AttendanceScreen(workshop_id))
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        quick = app.screen
        quick.query_one("#qa-family", Input).value = "Berisha"
        quick.query_one("#qa-given-0", Input).value = "Fatmir"
        quick.query_one("#qa-born-0", Input).value = "1980"
        quick.query_one("#qa-consent", Checkbox).value = True

        # Back: nothing is saved, the form stays as typed.
        quick.query_one("#qa-save").press()
        await pilot.pause()
        assert isinstance(app.screen, AttendeeDuplicateDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is quick
        assert quick.query_one("#qa-given-0", Input).value == "Fatmir"
        assert ws.attendees(ctx, workshop_id) == []

        # Use existing: the registered Fatmir is marked present; no new household.
        quick.query_one("#qa-save").press()
        await pilot.pause()
        app.screen.query_one("#dup-existing").press()
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, AttendanceScreen)
        [attendee] = ws.attendees(ctx, workshop_id)
        assert attendee.household_id == register.berisha
        assert [p.full_name for p in attendee.people] == ["Fatmir Berisha"]
        assert hh.count_households(ctx) == 2

        # Unmark from the list of who is here.
        await pilot.press("ctrl+f")
        app.screen.query_one("#ws-att-table").focus()
        await pilot.press("space")
        await pilot.pause()
        assert ws.attendees(ctx, workshop_id) == []
    ctx.db.close()


async def test_attendance_search_with_nothing_readable_says_so(register):
    ctx = _ctx(register)
    workshop_id = ws.start_workshop(ctx, ctx.today(), "", "", "", ["id-card"], ["en"])
    ctx.db.close()
    app = DocAssistApp(register.path, user_id=register.facilitator)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(AttendanceScreen(workshop_id))
        await pilot.pause()
        await pilot.press("-")
        await pilot.pause()
        assert app.screen.query_one("#ws-att-table").row_count == 0
        status = str(app.screen.query_one("#ws-att-status", Static).render())
        assert "no letters or digits to search by" in status
        # Albanian sh is š: "Beriš" finds the Berisha family.
        app.screen.query_one("#ws-att-search", Input).value = "Beriš"
        await pilot.pause()
        assert app.screen.query_one("#ws-att-table").row_count == 1


def test_a_missing_translation_says_which_language_is_shown():
    text = ChecklistText(en="Free.", sr="Бесплатно.", rom="")
    shown = _in("rom", text).plain
    assert shown.startswith("Besplatno.")  # Serbian Latin before English for Romani readers
    assert "Srpski" in shown
    assert _in("sr", text).plain == "Бесплатно."


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("23/11/2026", (2026, 11, 23)),
        ("23. 11. 2026.", (2026, 11, 23)),
        ("2026-11-23", (2026, 11, 23)),
    ],
)
def test_parse_day(typed, day):
    from datetime import date

    assert parse_day(typed, date(2026, 11, 1)) == date(*day)
    for wrong in ("31.02.2026", "yesterday"):
        with pytest.raises(DayProblem):
            parse_day(wrong, date(2026, 11, 1))


async def test_only_the_mother_came(register):
    """Mark the household, untick the father and the child: the End screen and the
    workshop's counts are about Ajša alone; ticks are [✓] / [ ] with a count."""
    ctx = _ctx(register)
    ctx.user_id = register.facilitator
    workshop_id = ws.start_workshop(ctx, ctx.today(), "School", "", "", ["id-card"], ["en"])
    app = DocAssistApp(register.path, user_id=register.facilitator)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(AttendanceScreen(workshop_id))
        await pilot.pause()
        await pilot.press(*"ramic", "enter", "enter")
        await pilot.pause()
        table = app.screen.query_one("#ws-att-table", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows[0][0] == "[✓]" and rows[0][4] == "Sabit +2 · 3 / 3"
        assert [r[1] for r in rows[1:]] == [
            "  [✓] Sabit (1990)",
            "  [✓] Ajša (1993)",
            "  [✓] Emir (2015)",
        ]
        await pilot.press("down", "enter", "down", "down", "enter")  # Sabit, then Emir
        await pilot.pause()
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows[0][4] == "Sabit +2 · 1 / 3"
        assert [r[1] for r in rows[1:]] == [
            "  [ ] Sabit (1990)",
            "  [✓] Ajša (1993)",
            "  [ ] Emir (2015)",
        ]
        [attendee] = ws.attendees(ctx, workshop_id)
        assert [p.given_name for p in attendee.people] == ["Ajša"]
        assert "1 person" in str(app.screen.query_one("#ws-att-status", Static).render())

        await pilot.press("escape")
        await pilot.pause()
        app.push_screen(EndScreen(workshop_id))
        await pilot.pause()
        end = app.screen
        assert "1 person" in str(end.query_one("#ws-end-summary", Static).render())
        people = {key.split("|")[0] for key in end._rows}
        assert people == {attendee.people[0].id}  # cases are offered to Ajša alone
        cases_list = end.query_one("#ws-end-cases", TickList)
        first = cases_list.render_line(0).text
        assert first.startswith("[✓] Ajša Ramić")  # she has no ID card: suggested
        assert "Ticked: 1 of 1" in str(end.query_one("#ws-end-count", Static).render())
        cases_list.focus()
        await pilot.press("space")
        await pilot.pause()
        assert cases_list.render_line(0).text.startswith("[ ] Ajša Ramić")
        assert "Ticked: 0 of 1" in str(end.query_one("#ws-end-count", Static).render())
    ctx.db.close()


async def test_setup_ticks_are_marks_with_a_count(register):
    app = DocAssistApp(register.path, user_id=register.facilitator)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_workshop_screen(app, pilot)
        checklists = screen.query_one("#ws-checklists", TickList)
        total = checklists.option_count
        label = screen.query_one("#ws-checklists-label", Label)
        assert f"Ticked: 0 of {total}" in str(label.render())
        assert checklists.render_line(0).text.startswith("[ ] ")
        await pilot.press("space")
        await pilot.pause()
        assert checklists.render_line(0).text.startswith("[✓] ")
        assert f"Ticked: 1 of {total}" in str(label.render())


async def test_continue_is_in_view_and_resumes_where_it_was_left(register):
    ctx = _ctx(register)
    ctx.user_id = register.facilitator
    workshop_id = ws.start_workshop(
        ctx, ctx.today(), "School", "", "", ["birth-registration"], ["rom", "sr"]
    )
    ctx.db.close()
    app = DocAssistApp(register.path, user_id=register.facilitator)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_workshop_screen(app, pilot)
        await pilot.pause()
        label = screen.query_one("#ws-recent-label")
        recent = screen.query_one("#ws-recent")
        assert app.screen.focused is recent  # Enter continues the latest
        for widget in (label, recent):
            assert 0 < widget.region.y < 24 and widget.region.height, widget
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("right", "right", "space")  # step 2, its first item ticked
        await pilot.pause()
        # Notes for the facilitator are not on the projector until F is pressed.
        facilitator = translate_in("rom", "For the facilitator")
        await pilot.press("end")
        await pilot.pause()
        assert facilitator not in visible_text(app)
        assert "F: notes for the facilitator" in visible_text(app)
        await pilot.press("f")
        await pilot.pause()
        assert facilitator in visible_text(app)
        assert "F: notes for the facilitator" not in visible_text(app)
    # The laptop died: a new start resumes at step 2, the tick still there.
    app = DocAssistApp(register.path, user_id=register.facilitator)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_workshop_screen(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PresenterScreen)
        assert app.screen.workshop_id == workshop_id
        progress = str(app.screen.query_one("#ws-progress", Static).render())
        assert translate_in("rom", "Step {n} of {total}").format(n=2, total=4) in progress
        marks = [str(w.render()) for w in app.screen.query(".ws-mark")]
        assert marks[0] == "[✓] 1"


async def test_end_screen_saves_the_sign_in_sheet_pack_and_counts(register, tmp_path):
    from docassist.ui.dialogs import SaveDialog

    ctx = _ctx(register)
    ctx.user_id = register.facilitator
    workshop_id = ws.start_workshop(ctx, ctx.today(), "School", "", "", ["id-card"], ["rom", "sr"])
    ws.add_attendance(ctx, workshop_id, register.ramic)
    app = DocAssistApp(register.path, user_id=register.facilitator)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(EndScreen(workshop_id))
        await pilot.pause()
        # A facilitator is offered the counts, not the names.
        assert not app.screen.query("#ws-end-export-names")
        for key, name in (("s", "sheet.pdf"), ("k", "pack.pdf"), ("x", "counts.xlsx")):
            app.screen.query_one("#ws-end-open").focus()
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, SaveDialog), key
            app.screen.query_one("#path", Input).value = str(tmp_path / name)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, EndScreen)
            assert (tmp_path / name).is_file(), name
    from tests.handouts.test_handouts import pdf_text

    assert "Ramić Sabit (1990)" in pdf_text((tmp_path / "sheet.pdf").read_bytes())
    assert "Lična karta" in pdf_text((tmp_path / "pack.pdf").read_bytes())
    actions = [
        r[0]
        for r in ctx.db.execute(
            "SELECT action FROM audit_log WHERE entity = 'workshop' AND entity_id = ? ORDER BY id",
            [workshop_id],
        )
    ]
    assert actions[-2:] == ["print", "export"]  # the sheet (it names people), the counts
    ctx.db.close()


async def test_a_coordinator_exports_who_came_encrypted(register, tmp_path):
    from docassist.ui.dialogs import ExportPassphraseDialog, SaveDialog

    ctx = _ctx(register)
    coordinator = create_user(ctx, "Senad", Role.COORDINATOR, "en").id
    workshop_id = ws.start_workshop(ctx, ctx.today(), "School", "", "", ["id-card"], ["en"])
    ws.add_attendance(ctx, workshop_id, register.ramic)
    app = DocAssistApp(register.path, user_id=coordinator)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(EndScreen(workshop_id))
        await pilot.pause()
        app.screen.query_one("#ws-end-export-names").press()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)  # personal data: warned first
        app.screen.query_one("#yes").press()
        await pilot.pause()
        assert isinstance(app.screen, ExportPassphraseDialog)
        app.screen.query_one("#passphrase", Input).value = "a long passphrase"
        app.screen.query_one("#again", Input).value = "a long passphrase"
        app.screen.query_one("#ok").press()
        await pilot.pause()
        assert isinstance(app.screen, SaveDialog)
        app.screen.query_one("#path", Input).value = str(tmp_path / "who.xlsx")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EndScreen)
    written = tmp_path / "who.xlsx.zip"
    assert written.is_file() and b"Sabit" not in written.read_bytes()
    ctx.db.close()
