"""``docassist`` / ``docassist run``: which register the app may open or make."""

from __future__ import annotations

import pytest

from docassist.cli import main


@pytest.fixture
def app_never_starts(monkeypatch, a_terminal):
    from docassist.ui.app import DocAssistApp

    def started(self, *args, **kwargs):
        raise AssertionError("the app started")

    monkeypatch.setattr(DocAssistApp, "run", started)
    monkeypatch.setattr(DocAssistApp, "__init__", lambda self, *a, **k: started(self))


def test_a_mistyped_folder_is_refused_not_made_an_empty_register(
    capsys, tmp_path, app_never_starts, monkeypatch
):
    path = tmp_path / "usbb" / "register.db"
    for argv, env in ((["--db", str(path)], None), (["run"], str(path))):
        if env:
            monkeypatch.setenv("DOCASSIST_DB", env)
        assert main(argv) == 2
        [line] = capsys.readouterr().err.strip().splitlines()
        assert str(path) in line and "There is no folder" in line
        assert not path.parent.exists()


def test_a_dangling_link_is_refused_not_followed(capsys, tmp_path, monkeypatch, a_terminal):
    from docassist.ui.app import DocAssistApp

    monkeypatch.setattr(DocAssistApp, "run", lambda self: self.exit())
    path = tmp_path / "register.db"
    path.symlink_to(tmp_path / "gone.db")
    assert main(["--db", str(path)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert str(path) in line and "does not exist" in line
    assert not (tmp_path / "gone.db").exists()


def test_a_mistyped_file_name_is_refused_unless_a_new_register_is_asked_for(
    capsys, tmp_path, app_never_starts, monkeypatch
):
    # The folder is there, the file is not: "regsiter.db" for "register.db". The app
    # showed the first-coordinator screen as if every family were gone (issue 14 §13).
    (tmp_path / "register.db").write_bytes(b"")
    path = tmp_path / "regsiter.db"
    for argv, env in ((["--db", str(path)], None), (["run"], str(path))):
        if env:
            monkeypatch.setenv("DOCASSIST_DB", env)
        assert main(argv) == 2
        [line] = capsys.readouterr().err.strip().splitlines()
        assert str(path) in line and "There is no register" in line and "--new" in line
        assert not path.exists()


def test_the_first_start_makes_the_default_register(tmp_path, monkeypatch, a_terminal):
    from docassist import locations
    from docassist.ui.app import DocAssistApp

    started: list[DocAssistApp] = []
    monkeypatch.setattr(DocAssistApp, "run", lambda self: started.append(self))
    monkeypatch.setattr(DocAssistApp, "return_code", 0, raising=False)
    monkeypatch.delenv("DOCASSIST_DB", raising=False)
    assert not locations.default_database().exists()
    assert main([]) == 0
    [app] = started
    assert app.db_path == locations.default_database()


def test_a_new_register_in_an_existing_folder_is_made_when_asked(tmp_path, monkeypatch, a_terminal):
    from docassist.ui.app import DocAssistApp

    started: list[DocAssistApp] = []
    monkeypatch.setattr(DocAssistApp, "run", lambda self: started.append(self))
    monkeypatch.setattr(DocAssistApp, "return_code", 0, raising=False)
    path = tmp_path / "first.db"
    assert main(["--db", str(path), "run", "--new"]) == 0
    # The app starts on it; the file is made with its first coordinator, on screen
    # (tests/ui/test_sign_in.py), not before: quitting there leaves nothing behind.
    [app] = started
    assert app.db_path == path and app.door.needs_first_coordinator()
