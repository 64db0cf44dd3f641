"""Files written whole or not at all, with errors naming the user's path."""

from __future__ import annotations

import sys

import pytest

from docassist.services.files import atomic_path, write_bytes


class _HalfWritten:
    """Like openpyxl's archive after a full disk: complains when collected."""

    def __del__(self) -> None:
        raise OSError(28, "No space left on device")


def _write_into(path) -> None:
    leftover = _HalfWritten()  # noqa: F841 - held by this frame, as the library does
    raise OSError(28, "No space left on device")


def test_a_failed_write_leaves_nothing_and_says_nothing_more(tmp_path, monkeypatch):
    heard = []
    monkeypatch.setattr(sys, "unraisablehook", heard.append)
    with pytest.raises(OSError) as caught, atomic_path(tmp_path / "r.xlsx") as tmp:
        _write_into(tmp)
    assert caught.value.filename == str(tmp_path / "r.xlsx")
    assert list(tmp_path.iterdir()) == []
    assert heard == []


def test_write_bytes_replaces_whole(tmp_path):
    target = tmp_path / "plan.pdf"
    target.write_bytes(b"old")
    write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.pdf"]
