"""Starting the app with a user's own checklist files, some of them broken."""

from __future__ import annotations

from docassist.locations import checklists_dir, user_checklists_dir
from docassist.procedures import load_all
from docassist.ui.app import DocAssistApp
from tests.ui.conftest import make_user


def _user_file(name: str, text: str) -> None:
    folder = user_checklists_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def _renewal_with_an_unknown_prerequisite() -> str:
    text = (checklists_dir() / "idp-card.toml").read_text(encoding="utf-8")
    return text.replace('id = "idp-card"', 'id = "idp-card-renewal"').replace(
        'checklist = "birth-registration"', 'checklist = "birth-registraton"'
    )


def _skipped_notes(app: DocAssistApp) -> list[str]:
    return [str(n.message) for n in app._notifications if "not loaded" in str(n.message)]


async def test_a_skipped_user_file_is_named_once_at_start(empty_db):
    _user_file("idp-card-renewal.toml", _renewal_with_an_unknown_prerequisite())
    _user_file("notes.toml", "this is not TOML at all = = =")
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # Skipped, not loaded: the shipped checklists are all there, and only they.
        assert app.checklists.get("idp-card-renewal") is None
        assert len(app.checklists) == len(load_all(user=False))
        [note] = _skipped_notes(app)
        assert "idp-card-renewal.toml" in note and "notes.toml" in note
        assert "docassist checklists validate" in note
        # Signing in again (another user) does not repeat it.
        app.start_session(app.session)
        await pilot.pause()
        assert len(_skipped_notes(app)) == 1


async def test_no_word_about_checklists_when_all_load(empty_db):
    app = DocAssistApp(empty_db, user_id=make_user(empty_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert _skipped_notes(app) == []
