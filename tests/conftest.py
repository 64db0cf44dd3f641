"""Shared fixtures. No test ever touches the user's real data directory."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("docassist-home")
    monkeypatch.setenv("DOCASSIST_HOME", str(home))
    monkeypatch.delenv("DOCASSIST_DB", raising=False)
    monkeypatch.delenv("DOCASSIST_LANG", raising=False)
    return home


@pytest.fixture(autouse=True)
def _english_first():
    """The active language is process-wide: each test starts in English and leaves it so."""
    from docassist import i18n

    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture
def refuse_writes(monkeypatch):
    """``refuse_writes(path, ...)``: os.access answers as for a user who may read but
    not write those files or folders. Tests run as root, who may write anything."""
    import os
    from pathlib import Path

    real = os.access
    refused: set[Path] = set()

    def access(path, mode, *args, **kwargs):
        if mode & os.W_OK and Path(path).resolve() in refused:
            return False
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    return lambda *paths: refused.update(Path(p).resolve() for p in paths)
