"""Owner-only files and private folders, whatever the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from docassist import locations
from docassist.locations import (
    MissingFolderError,
    chosen_folder,
    new_file,
    owner_only,
    private_folder,
)
from docassist.services.files import atomic_path


@pytest.fixture(autouse=True)
def umask_022():
    old = os.umask(0o022)  # files 0644 and folders 0755 unless docassist says otherwise
    yield
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_owner_only_takes_away_what_others_had_and_says_so(tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_text("names")
    assert _mode(path) == 0o644
    assert owner_only(path) is True
    assert _mode(path) == 0o600
    assert owner_only(path) is False  # nothing more to take away
    os.chmod(path, 0o444)  # a read-only file stays read-only
    assert owner_only(path) is True and _mode(path) == 0o400


def test_private_folder_makes_missing_folders_0700(tmp_path):
    os.chmod(tmp_path, 0o755)
    deep = tmp_path / "a" / "b" / "c"
    assert private_folder(deep) is False  # made, not fixed
    for folder in (tmp_path / "a", tmp_path / "a" / "b", deep):
        assert _mode(folder) == 0o700
    assert _mode(tmp_path) == 0o755  # the folder that was there: untouched


def test_an_existing_folder_is_fixed_only_when_asked(tmp_path):
    theirs = tmp_path / "Documents"
    theirs.mkdir(mode=0o755)
    assert private_folder(theirs, fix=False) is False
    assert _mode(theirs) == 0o755
    assert private_folder(theirs) is True
    assert _mode(theirs) == 0o700


def test_a_file_where_a_folder_should_be_is_refused(tmp_path):
    (tmp_path / "backups").write_text("not a folder")
    with pytest.raises(FileExistsError):
        private_folder(tmp_path / "backups")


def test_new_files_and_their_folders_are_private(tmp_path):
    path = new_file(tmp_path / "logs", "crash-20310215", ".log")
    assert _mode(path) == 0o600
    assert _mode(tmp_path / "logs") == 0o700


# --- a folder where a removable drive should be, with none plugged in -----------------


def test_a_drive_folder_with_nothing_plugged_in_is_refused(tmp_path, monkeypatch):
    # /media/usb kept by an fstab entry while the stick is out: the laptop's own disk.
    media = tmp_path / "media"
    reports = media / "usb" / "reports"
    reports.mkdir(parents=True)
    monkeypatch.setattr(locations, "REMOVABLE_ROOTS", (media,))
    with pytest.raises(MissingFolderError) as refused:
        chosen_folder(reports)
    assert str(refused.value) == (
        f"Nothing is plugged in at {reports}: it is a folder on this laptop's own disk. "
        "Is the USB stick plugged in?"
    )
    with pytest.raises(MissingFolderError), atomic_path(reports / "quarter.xlsx") as part:
        part.write_bytes(b"names")
    assert list(reports.iterdir()) == []


def test_a_folder_on_a_mounted_drive_is_taken(tmp_path, monkeypatch):
    # The root itself is a mount point (as "/" always is): a drive is there.
    monkeypatch.setattr(locations, "REMOVABLE_ROOTS", (Path("/"),))
    assert chosen_folder(tmp_path) == tmp_path


def test_folders_elsewhere_are_not_asked_about_drives(tmp_path, monkeypatch):
    monkeypatch.setattr(locations, "REMOVABLE_ROOTS", (tmp_path / "media",))
    assert chosen_folder(tmp_path) == tmp_path
