"""The remembered answer to "which checklist files are skipped" follows every change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import docassist
from docassist.locations import cache_dir, user_checklists_dir
from docassist.procedures import load_all, skipped
from docassist.procedures.skipped import skipped_files


class Loads:
    """load_all, counting how often the answer had to be worked out."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self):
        self.count += 1
        return load_all()


def _user_file(name: str, text: str) -> Path:
    folder = user_checklists_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _touch_later(path: Path) -> None:
    """A new modification time even on a file system with coarse timestamps."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def test_a_second_start_with_the_same_files_does_not_load_them():
    broken = _user_file("broken.toml", "not = = toml")
    loads = Loads()
    assert skipped_files(loads) == [broken]
    assert skipped_files(loads) == [broken]
    assert loads.count == 1
    assert (cache_dir() / skipped.CACHE_NAME).is_file()


def test_a_changed_added_or_removed_user_file_is_loaded_again():
    loads = Loads()
    assert skipped_files(loads) == []
    broken = _user_file("broken.toml", "not = = toml")
    assert skipped_files(loads) == [broken]  # added
    assert loads.count == 2
    valid = (docassist.locations.checklists_dir() / "id-card.toml").read_text(encoding="utf-8")
    broken.write_text(valid.replace('id = "id-card"', 'id = "broken"'), encoding="utf-8")
    _touch_later(broken)
    assert skipped_files(loads) == []  # mended
    assert loads.count == 3
    broken.write_text("broken = = again", encoding="utf-8")
    _touch_later(broken)
    assert skipped_files(loads) == [broken]  # changed
    broken.unlink()
    assert skipped_files(loads) == []  # removed
    assert loads.count == 5


def test_another_version_of_docassist_works_it_out_again(monkeypatch):
    loads = Loads()
    skipped_files(loads)
    monkeypatch.setattr(docassist, "__version__", "99.0")
    skipped_files(loads)
    assert loads.count == 2


def test_changed_checking_code_works_it_out_again(monkeypatch, tmp_path):
    loads = Loads()
    skipped_files(loads)
    # Stand-in packages whose one module changes, as an edited checkout's would.
    package = tmp_path / "docassist"
    (package / "procedures").mkdir(parents=True)
    (package / "domain").mkdir()
    module = package / "procedures" / "schema.py"
    module.write_text("RULES = 1\n")
    monkeypatch.setattr(docassist, "__file__", str(package / "__init__.py"))
    skipped_files(loads)
    skipped_files(loads)
    module.write_text("RULES = 22\n")
    skipped_files(loads)
    assert loads.count == 3


@pytest.mark.parametrize("content", ["", "{not json", '{"key": 1}', '["a list"]'])
def test_an_unreadable_cache_is_worked_out_again(content):
    broken = _user_file("broken.toml", "not = = toml")
    cache = cache_dir() / skipped.CACHE_NAME
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(content, encoding="utf-8")
    assert skipped_files(Loads()) == [broken]


def test_a_cache_folder_that_cannot_be_written_only_costs_time(monkeypatch, tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("")
    monkeypatch.setattr(skipped, "cache_dir", lambda: blocker / "cache")
    loads = Loads()
    assert skipped_files(loads) == skipped_files(loads) == []
    assert loads.count == 2
