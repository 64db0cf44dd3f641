"""Fixtures for the procedures tests: stand-in shipped checklists and user copies."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from docassist.locations import user_checklists_dir
from docassist.procedures import loading
from tests.procedures.expect import VALID


@pytest.fixture
def bundled_fixtures(monkeypatch):
    """Make the valid fixtures stand in for the shipped checklists."""
    monkeypatch.setattr(loading, "checklists_dir", lambda: VALID)
    return VALID


def user_copy(name: str, version: int | None = None, edit=None) -> Path:
    target_dir = user_checklists_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / name
    shutil.copy(VALID / name, target)
    text = target.read_text(encoding="utf-8")
    if version is not None:
        text = re.sub(r"(?m)^version = \d+$", f"version = {version}", text)
    if edit is not None:
        text = edit(text)
    target.write_text(text, encoding="utf-8")
    return target
