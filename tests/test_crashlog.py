"""Crash logs: the stack without values, and never one log written over another."""

from __future__ import annotations

import stat
from datetime import datetime

import time_machine

from docassist.crashlog import write_crash_log
from docassist.locations import log_dir, new_file


def _failure(message: str) -> Exception:
    try:
        raise RuntimeError(message)
    except RuntimeError as err:
        return err


def test_two_crashes_in_one_second_keep_two_logs():
    with time_machine.travel(datetime(2031, 2, 15, 23, 30).astimezone(), tick=False):
        first = write_crash_log(_failure("Petrović 0101990710012"))
        second = write_crash_log(_failure("second"))
    assert first is not None and second is not None and first != second
    assert sorted(log_dir().glob("crash-*.log")) == sorted([first, second])
    # The message may quote what was typed: it is never written.
    assert "Petrović" not in first.read_text() and "RuntimeError" in first.read_text()


def test_a_new_file_is_owner_only_and_never_an_existing_name(tmp_path):
    names = {new_file(tmp_path / "kept", "before-restore-20311215-233000", ".db") for _ in range(3)}
    assert [p.name for p in sorted(names)] == [
        "before-restore-20311215-233000-2.db",
        "before-restore-20311215-233000-3.db",
        "before-restore-20311215-233000.db",
    ]
    for path in names:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
