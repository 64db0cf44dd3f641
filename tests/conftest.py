"""Shared fixtures. No test ever touches the user's real data directory."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("docassist-home")
    monkeypatch.setenv("DOCASSIST_HOME", str(home))
    monkeypatch.delenv("DOCASSIST_DB", raising=False)
    return home
