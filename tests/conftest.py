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
