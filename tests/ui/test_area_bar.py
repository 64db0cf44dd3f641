"""The line of areas under the title: every area a role may open, clickable, translated."""

from __future__ import annotations

from docassist import i18n
from docassist.domain.model import Role
from docassist.ui.app import DocAssistApp
from docassist.ui.widgets.area_bar import AreaBar
from tests.ui.conftest import make_user


async def test_areas_are_shown_and_a_click_opens_one(demo_db):
    app = DocAssistApp(demo_db, demo=True, user_id=make_user(demo_db, Role.COORDINATOR, "Senad"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = str(app.screen.query_one(AreaBar).render())
        for label in ("F3 Workshop", "F4 Register", "F5 Dashboard", "F6 Practice", "F9 Reports"):
            assert label in text
        start = text.index("F5 Dashboard")
        await pilot.click(AreaBar, offset=(start + 2, 0))
        await pilot.pause()
        assert app.current_mode == "dashboard"
        app.choose_language("sr")
        await pilot.pause()
        await pilot.pause()
        assert i18n.translate_in("sr", "Reports") in str(app.screen.query_one(AreaBar).render())


async def test_a_facilitator_sees_only_the_areas_of_the_role(demo_db):
    app = DocAssistApp(demo_db, demo=True, user_id=make_user(demo_db, Role.FACILITATOR, "Mila"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = str(app.screen.query_one(AreaBar).render())
        assert "F4 Register" in text and "F6 Practice" in text
