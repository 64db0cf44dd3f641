"""What happens when docassist itself fails.

Textual's crash report prints local variables, which here would be names and
ID numbers, on a projected screen. We log the stack without values or the
exception's message (it may quote user input) and show a short note instead.
"""

from __future__ import annotations

import sys
import traceback
from datetime import datetime
from pathlib import Path
from types import TracebackType

from docassist.locations import log_dir, new_file


def write_crash_log(error: BaseException) -> Path | None:
    """Write the stack (files, lines, code; no values) and return the log path."""
    try:
        path = new_file(log_dir(), f"crash-{datetime.now():%Y%m%d-%H%M%S}", ".log")
        lines = [f"docassist crashed: {type(error).__module__}.{type(error).__qualname__}\n"]
        lines += traceback.format_list(traceback.extract_tb(_tb(error)))
        path.write_text("".join(lines), encoding="utf-8")
        return path
    except OSError:
        return None


def _tb(error: BaseException) -> TracebackType | None:
    return error.__traceback__ or sys.exc_info()[2]
