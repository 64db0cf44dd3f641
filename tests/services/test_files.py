"""Files written whole or not at all, with errors naming the user's path."""

from __future__ import annotations

import stat
import sys

import pytest

from docassist.locations import MissingFolderError
from docassist.services import backups, export, handouts
from docassist.services.files import atomic_path, write_bytes
from tests.services.report_fixture import PERIOD

TODAY = PERIOD.end


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


# -- a folder the user typed is never made ----------------------------------------------


def _refused(folder) -> str:
    return f"The folder {folder} does not exist. Is the USB stick plugged in?"


def test_a_missing_folder_is_refused_and_never_made(tmp_path):
    # /media/usb/reports/x.xlsx with the stick not plugged in: nothing on this disk.
    target = tmp_path / "usb" / "reports" / "x.xlsx"
    with pytest.raises(MissingFolderError) as caught, atomic_path(target):
        pytest.fail("the file was written")
    assert caught.value.render() == _refused(target.parent)
    assert caught.value.filename == str(target.parent)  # OSError's word for the place too
    assert not (tmp_path / "usb").exists()


def test_a_report_to_a_missing_folder_writes_nothing(report, tmp_path):
    target = tmp_path / "usb" / "figures.csv"
    with pytest.raises(MissingFolderError) as caught:
        export.write_report(report, "csv", target, "en")
    assert caught.value.render() == _refused(target.parent)
    assert not (tmp_path / "usb").exists()


def test_a_handout_to_a_missing_folder_writes_nothing(tmp_path, checklists):
    handout = handouts.make_checklist_handout(checklists, "id-card", ["en"], TODAY)
    with pytest.raises(MissingFolderError):
        handouts.save(handout, f"{tmp_path}/usb/")  # names a folder: still not made
    assert not (tmp_path / "usb").exists()


def test_a_backup_to_a_missing_folder_is_neither_written_nor_audited(ctx, tmp_path):
    for target in (tmp_path / "usb" / "copies", tmp_path / "usb" / "copy.db"):
        with pytest.raises(MissingFolderError):
            backups.backup_register(ctx, target)
    assert not (tmp_path / "usb").exists()
    audited = "SELECT count(*) FROM audit_log WHERE action = 'backup'"
    assert ctx.db.execute(audited).fetchone()[0] == 0


def test_docassist_makes_its_own_folders_owner_only(ctx, _isolated_home, checklists):
    # The places docassist picks itself are made when it picks them, not by the write.
    handout = handouts.make_checklist_handout(checklists, "id-card", ["en"], TODAY)
    assert handouts.default_path(handout).parent == _isolated_home / "handouts"
    assert export.default_export_dir() == _isolated_home / "exports"
    assert backups.backup_register(ctx).parent == _isolated_home / "backups"
    for folder in ("handouts", "exports", "backups"):
        assert stat.S_IMODE((_isolated_home / folder).stat().st_mode) == 0o700
    assert handouts.save(handout).parent == _isolated_home / "handouts"


def test_the_whole_register_to_a_missing_folder_is_neither_written_nor_audited(ctx, tmp_path):
    target = tmp_path / "usb" / "all.xlsx"
    with pytest.raises(MissingFolderError):
        export.export_register(ctx, "xlsx", target, unencrypted=True)
    assert not (tmp_path / "usb").exists()
    audited = "SELECT count(*) FROM audit_log WHERE action = 'export'"
    assert ctx.db.execute(audited).fetchone()[0] == 0
