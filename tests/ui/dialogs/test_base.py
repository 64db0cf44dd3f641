"""The one modal base: every dialog is a ``Dialog``, and the frame is written once."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from textual.screen import ModalScreen

import docassist.ui
from docassist.ui import dialogs
from docassist.ui.app import DocAssistApp
from docassist.ui.base import DocModal
from docassist.ui.commands import DocCommandPalette
from docassist.ui.dialogs import ConfirmDialog, Dialog
from tests.ui.conftest import make_user

# What only the base may say: a dialog that repeats it has grown a second frame.
FRAME_RULES = ("align: center middle", "background: $surface", "max-height: 100%")


def _ui_classes() -> list[type]:
    found = []
    for module in pkgutil.walk_packages(docassist.ui.__path__, "docassist.ui."):
        loaded = importlib.import_module(module.name)
        found += [
            value
            for value in vars(loaded).values()
            if inspect.isclass(value) and value.__module__ == loaded.__name__
        ]
    return found


def test_every_modal_of_the_app_is_a_dialog_in_the_dialogs_package():
    # Not dialogs: the base the dialogs' base builds on, and Textual's own palette.
    modals = [
        c
        for c in _ui_classes()
        if issubclass(c, ModalScreen) and c not in (DocModal, DocCommandPalette)
    ]
    assert ConfirmDialog in modals
    outside = [c.__qualname__ for c in modals if not c.__module__.startswith(dialogs.__name__)]
    assert outside == []
    assert [c.__qualname__ for c in modals if not issubclass(c, Dialog)] == []


def test_dialog_names_are_distinct():
    names = [c.__name__ for c in _ui_classes() if issubclass(c, ModalScreen)]
    assert len(names) == len(set(names))


def test_the_frame_is_written_once_in_the_base():
    for cls in _ui_classes():
        if issubclass(cls, Dialog) and cls is not Dialog:
            own = cls.__dict__.get("DEFAULT_CSS", "")
            assert not [rule for rule in FRAME_RULES if rule in own], cls.__name__


async def test_a_dialog_is_a_framed_box_in_the_middle(empty_db):
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(ConfirmDialog("Remove Marko from the household?"))
        await pilot.pause()
        box = app.screen.query_one(".dialog-box")
        assert box.styles.border.top[0] == "thick"
        assert box.region.width == 64
        left = box.region.x
        right = 80 - box.region.right
        assert abs(left - right) <= 1  # centred
        # The typed accessors reach the app's register from any screen.
        assert app.screen.app is app
        assert app.screen.ctx is app.ctx
