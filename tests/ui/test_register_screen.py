"""The first screen: the register, searched as you type, in any script."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import DataTable, Input, Select, Static

from docassist.locations import log_dir
from docassist.services import households as hh
from docassist.services.context import Context
from docassist.services.demo import generate
from docassist.store.db import open_database
from docassist.ui.app import DocAssistApp
from docassist.ui.widgets.drop_down import DropDown
from tests.ui.conftest import SMALL_CHECKLISTS, make_user


async def test_lists_households_and_search_narrows(demo_db):
    app = DocAssistApp(demo_db, demo=True, user_id=make_user(demo_db))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == 60
        status = str(app.screen.query_one("#status", Static).render())
        assert "60" in status

        # search for one family by a partial name typed without diacritics
        ctx = Context(open_database(demo_db))
        family = hh.find_households(ctx)[0].family_name
        expected = hh.count_households(ctx, family)
        ctx.db.close()
        await pilot.click("#search")
        await pilot.press(*list(family[:5]))
        await pilot.pause()
        assert 0 < table.row_count <= expected < 60


async def test_cyrillic_query_finds_latin_names(demo_db):
    app = DocAssistApp(demo_db, demo=True, user_id=make_user(demo_db))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        search = app.screen.query_one("#search", Input)
        search.value = "Đorđević"
        await pilot.pause()
        latin = app.screen.query_one(DataTable).row_count
        search.value = "Ђорђевић"
        await pilot.pause()
        cyrillic = app.screen.query_one(DataTable).row_count
        search.value = "djordjevic"
        await pilot.pause()
        ascii_ = app.screen.query_one(DataTable).row_count
        assert latin == cyrillic == ascii_


async def test_empty_register_says_what_to_do(empty_db):
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = str(app.screen.query_one("#empty", Static).render())
        assert "docassist demo" in text
        assert not app.screen.query_one("#empty").has_class("hidden")


async def test_nobody_matches_message(demo_db):
    app = DocAssistApp(demo_db, user_id=make_user(demo_db))
    async with app.run_test(size=(80, 24)) as pilot:
        app.screen.query_one("#search", Input).value = "zzzzqqq"
        await pilot.pause()
        text = str(app.screen.query_one("#empty", Static).render())
        assert "Nobody matches" in text


async def test_a_search_with_nothing_readable_says_so_instead_of_listing_everyone(demo_db):
    # "-" or an emoji used to list every household, as if nothing had been typed.
    app = DocAssistApp(demo_db, user_id=make_user(demo_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        search = app.screen.query_one("#search", Input)
        for typed in ("-", "😀"):
            search.value = typed
            await pilot.pause()
            text = str(app.screen.query_one("#empty", Static).render())
            assert "no letters or digits to search by" in text
            assert app.screen.query_one(DataTable).has_class("hidden")
        app.choose_language("sr")
        await pilot.pause()
        text = str(app.screen.query_one("#empty", Static).render())
        assert "слова" in text  # said in the user's language


async def test_quit_key(empty_db):
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test() as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code in (0, None)


async def test_crash_shows_a_short_message_without_personal_data(empty_db, monkeypatch, capsys):
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    secret = "Marija Petrović 0101990715006"

    def boom(*_args, **_kwargs):
        raise RuntimeError(secret)

    with pytest.raises(RuntimeError):  # run_test re-raises for the test; users never see it
        async with app.run_test() as pilot:
            monkeypatch.setattr(app.screen, "reload", boom)
            app.screen.query_one("#search", Input).value = "x"
            await pilot.pause()
    rendered = capsys.readouterr().err
    assert "internal error" in rendered
    assert secret not in rendered
    logs = list(log_dir().glob("crash-*.log"))
    assert logs and secret not in logs[0].read_text()


async def test_first_coordinator_in_serbian_signs_in_and_remembers_language(empty_db):
    from docassist.services.users import list_users

    app = DocAssistApp(empty_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "SignInScreen"
        await pilot.click("#lang-sr")
        await pilot.pause()
        await pilot.click("#name")
        await pilot.press(*"Мирјана", "enter", *"плави камен реке", "enter")
        await pilot.press(*"плави камен реке", "enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "HouseholdListScreen"
        assert app.user is not None and app.user.name == "Мирјана"
    db = open_database(empty_db)
    assert [u.language for u in list_users(Context(db))] == ["sr"]
    db.close()


async def test_trainee_never_reaches_the_register(demo_db):
    from docassist.domain.model import Role

    app = DocAssistApp(demo_db, user_id=make_user(demo_db, Role.TRAINEE, "Ana"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ != "HouseholdListScreen"
        await pilot.press("f4")
        await pilot.pause()
        assert type(app.screen).__name__ != "HouseholdListScreen"
        app.open_household("anything")
        await pilot.pause()
        assert type(app.screen).__name__ != "HouseholdScreen"
        # The key is not silent: it says why (once per try).
        refusals = [n for n in app._notifications if "made-up families only" in str(n.message)]
        assert len(refusals) == 2


async def test_help_lists_the_keys(demo_db):
    app = DocAssistApp(demo_db, user_id=make_user(demo_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpDialog"
        table = app.screen.query_one("#global-keys")
        assert table.row_count >= 8
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "HouseholdListScreen"


def _user_with_language(path, language: str) -> str:
    from docassist.domain.model import Role
    from docassist.services.accounts import hash_passphrase
    from docassist.services.users import create_user

    db = open_database(path)
    try:
        return create_user(
            Context(db),
            "Ljiljana",
            Role.FACILITATOR,
            language,
            passphrase_hash=hash_passphrase("river stone lamp"),
        ).id
    finally:
        db.close()


def _remembered_language(path, user_id: str) -> str | None:
    from docassist.services.users import get_user

    db = open_database(path)
    try:
        return get_user(Context(db), user_id).language
    finally:
        db.close()


async def test_remembered_language_applies_when_none_is_asked_for(empty_db):
    from docassist import i18n

    user_id = _user_with_language(empty_db, "rom")
    app = DocAssistApp(empty_db, user_id=user_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert i18n.current_language().code == "rom"


async def test_lang_on_the_command_line_wins_over_the_remembered_one(empty_db):
    from docassist import i18n

    user_id = _user_with_language(empty_db, "rom")
    app = DocAssistApp(empty_db, user_id=user_id, language="sr")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert i18n.current_language().code == "sr"
    assert _remembered_language(empty_db, user_id) == "sr"


async def test_language_picked_on_the_start_screen_wins(empty_db):
    from docassist import i18n

    user_id = _user_with_language(empty_db, "rom")
    app = DocAssistApp(empty_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.click("#lang-sr_Latn")
        await pilot.pause()
        await pilot.click("#name")
        await pilot.press(*"Ljiljana", "enter", *"river stone lamp", "enter")
        await pilot.pause()
        assert app.user is not None and app.user.id == user_id
        assert i18n.current_language().code == "sr_Latn"
    assert _remembered_language(empty_db, user_id) == "sr_Latn"


async def test_damage_met_while_working_is_said_as_damage_not_a_crash(demo_db, monkeypatch, capsys):
    import sqlite3

    from docassist.store import db as db_module
    from tests.damage import damage_table

    user = make_user(demo_db)
    damage_table(demo_db, "households")
    monkeypatch.setattr(db_module, "QUICK_CHECK_MAX_BYTES", 0)  # a large register
    app = DocAssistApp(demo_db, user_id=user)
    with pytest.raises(sqlite3.DatabaseError):  # run_test re-raises; users never see it
        async with app.run_test() as pilot:
            await pilot.pause()
    rendered = capsys.readouterr().err
    assert "damaged" in rendered and "docassist db check" in rendered
    assert "internal error" not in rendered and "Saved work is safe" not in rendered
    assert not list(log_dir().glob("crash-*.log"))
    assert app.return_code  # not a clean exit


# ------------------------------------------------------------------ place filters


def _places_register(path) -> None:
    """Crvena zvezda typed three ways; two Novi Sad settlements the two alphabets
    order differently (abeceda G < V, azbuka В < Г)."""
    db = open_database(path)
    ctx = Context(db)
    for family, settlement, municipality in (
        ("Ramić", "Crvena zvezda", "Niš"),
        ("Рамић", "Црвена звезда", "Ниш"),
        ("Demiri", "crvena Zvezda", "Nis"),
        ("Jovanović", "Sat mahala", "Leskovac"),
        ("Alijević", "Ђурђевданска", "Leskovac"),
        ("Beriša", "Veliki rit", "Novi Sad"),
        ("Бериша", "Gornja mahala", "Novi Sad"),
    ):
        hh.register_household(
            ctx, hh.HouseholdInput(family, settlement=settlement, municipality=municipality)
        )
    db.close()


def _options(select: Select) -> list[tuple[str, str]]:
    assert isinstance(select, DropDown)
    return [(str(name), value) for name, value in select.listed_options()]


def _families(table: DataTable) -> list[str]:
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_the_places_are_counted_when_a_filter_is_opened_not_at_start(empty_db, monkeypatch):
    # Counting them reads the whole register (12 ms of the start on 50,000
    # households, issue 12) for filters that show only their prompt until opened.
    from docassist.services import places

    _places_register(empty_db)
    counted: list[str] = []
    for name in ("municipalities", "settlements"):
        real = getattr(places, name)

        def counting(*args, _real=real, _name=name, **kwargs):
            counted.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(places, name, counting)
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert counted == []
        municipality = app.screen.query_one("#municipality", Select)
        municipality.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert counted == ["municipalities"]
        await pilot.press("down", "enter")  # the first municipality, after the prompt
        await pilot.pause()
        assert municipality.value == "leskovac"
        assert sorted(_families(app.screen.query_one(DataTable))) == ["Alijević", "Jovanović"]


async def test_settlement_filter_follows_the_municipality_and_finds_every_spelling(empty_db):
    _places_register(empty_db)
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        table = screen.query_one(DataTable)
        municipality = screen.query_one("#municipality", Select)
        settlement = screen.query_one("#settlement", Select)
        # Every filter and the whole search box are on the screen at 80 columns.
        for widget in (screen.query_one("#search"), municipality, settlement):
            assert widget.region.width > 0 and widget.region.right <= 80
        assert screen.query_one("#case-filter").region.right <= 80
        assert [name for name, _key in _options(settlement)] == [
            "Crvena zvezda",  # once, for all three spellings
            "Ђурђевданска",  # Đ: after D, before G in the abeceda
            "Gornja mahala",
            "Sat mahala",
            "Veliki rit",
        ]

        settlement.value = "crvena zvezda"
        await pilot.pause()
        assert sorted(_families(table)) == ["Demiri", "Ramić", "Рамић"]

        municipality.value = "leskovac"
        await pilot.pause()
        assert _options(settlement) == [
            ("Ђурђевданска", "durdevdanska"),
            ("Sat mahala", "sat mahala"),
        ]
        assert settlement.value is Select.NULL  # Crvena zvezda is not in Leskovac
        assert sorted(_families(table)) == ["Alijević", "Jovanović"]
        settlement.value = "sat mahala"
        await pilot.pause()
        assert _families(table) == ["Jovanović"]

        municipality.value = "novi sad"
        await pilot.pause()
        assert [name for name, _key in _options(settlement)] == ["Gornja mahala", "Veliki rit"]
        settlement.value = "gornja mahala"
        await pilot.pause()
        assert _families(table) == ["Бериша"]

        # Serbian Cyrillic: the azbuka orders the settlements; the choices stay.
        app.choose_language("sr")
        await pilot.pause()
        screen = app.screen
        municipality = screen.query_one("#municipality", Select)
        settlement = screen.query_one("#settlement", Select)
        assert (municipality.value, settlement.value) == ("novi sad", "gornja mahala")
        assert [name for name, _key in _options(settlement)] == ["Veliki rit", "Gornja mahala"]
        assert _families(screen.query_one(DataTable)) == ["Бериша"]
        for widget in screen.query("#register-filters Select"):
            assert widget.region.right <= 80


async def test_a_place_registered_meanwhile_joins_the_filter(empty_db):
    _places_register(empty_db)
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#municipality", Select).value = "nis"
        await pilot.pause()
        hh.register_household(
            app.ctx, hh.HouseholdInput("Asani", settlement="Beograd mahala", municipality="Ниш")
        )
        await pilot.press("ctrl+n")  # the new-household form, then back
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        settlement = screen.query_one("#settlement", Select)
        assert [key for _name, key in _options(settlement)] == ["beograd mahala", "crvena zvezda"]
        assert screen.query_one("#municipality", Select).value == "nis"
        assert "Asani" in _families(screen.query_one(DataTable))


@pytest.fixture
def register_300(tmp_path):
    """Six pages of households: enough that loading them all at start would show."""
    path = tmp_path / "register300.db"
    db = open_database(path)
    generate(
        Context(db, today=lambda: date(2026, 11, 23)),
        households=300,
        seed=5,
        checklists=SMALL_CHECKLISTS,
    )
    db.close()
    return path


async def test_start_loads_one_page_and_scrolling_to_the_end_loads_the_next(register_300):
    # A regression: the table asked for the next page before it had its height,
    # then on every page added, so a large register loaded ~1,500 rows at start.
    app = DocAssistApp(register_300, user_id=make_user(register_300))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == hh.PAGE_SIZE
        table.focus()
        await pilot.pause()
        await pilot.press("ctrl+end")  # the cursor to the last row loaded
        await pilot.pause()
        assert table.row_count == 2 * hh.PAGE_SIZE
        table.scroll_end(animate=False)  # the wheel, cursor left where it is
        await pilot.pause()
        assert table.row_count == 3 * hh.PAGE_SIZE


async def test_a_settled_search_is_audited_once_without_the_name(demo_db, monkeypatch):
    import json

    from docassist.ui.screens.register import HouseholdListScreen

    # Long enough that keystrokes on a loaded CI machine still come "one after
    # another" (at 0.3 s the first letter settled alone under load and was audited).
    monkeypatch.setattr(HouseholdListScreen, "SEARCH_SETTLED", 1.5)
    app = DocAssistApp(demo_db, demo=True, user_id=make_user(demo_db))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.click("#search")
        await pilot.press("p", "e", "t", "r")  # one keystroke after another: no entry yet
        await pilot.pause(2.5)
        total = app.screen._total
        rows = app.ctx.db.execute(
            "SELECT user_id, after FROM audit_log WHERE action = 'search'"
        ).fetchall()
        assert len(rows) == 1
        assert rows[0][0] == app.ctx.user_id
        assert json.loads(rows[0][1]) == {"query_length": 4, "results": total}
        await pilot.pause(2.0)  # the same search shown longer is not a new one
        count = app.ctx.db.execute("SELECT count(*) FROM audit_log WHERE action = 'search'")
        assert count.fetchone()[0] == 1
