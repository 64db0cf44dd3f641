"""Which checklist files a load leaves out, without loading them all at each start.

The app says at sign-in which of the user's checklist files it could not use.
Knowing that meant reading and checking every checklist as the app opened,
about 0.1 s of CPU before the first screen, which itself shows no checklist.
The answer is kept in the cache folder with what it follows from: the path,
size and modification time of every checklist file a load reads and of the code
that checks them, and docassist's version. Any of those changed, it is worked
out again by loading; the cache never decides anything on its own.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import docassist
from docassist.locations import cache_dir, checklists_dir, user_checklists_dir

if TYPE_CHECKING:
    from docassist.procedures.model import ChecklistSet

CACHE_NAME = "skipped-checklists.json"
# The code a load's answer depends on: these packages' modules.
_CODE = ("procedures", "domain")


def skipped_files(load: Callable[[], ChecklistSet]) -> list[Path]:
    """The files ``load()`` (``load_all()`` with its defaults) skips: as remembered
    from the last load of the same files by the same code, else by calling it."""
    key = _key()
    path = cache_dir() / CACHE_NAME
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        if kept["key"] == key:
            return [Path(p) for p in kept["skipped"]]
    except (OSError, ValueError, KeyError, TypeError):
        pass  # none yet, or unreadable: load
    skipped = load().skipped_files
    _remember(path, {"key": key, "skipped": [str(p) for p in skipped]})
    return skipped


def _key() -> list[object]:
    package = Path(docassist.__file__).parent
    files = [*_toml(checklists_dir()), *_toml(user_checklists_dir())]
    files += [file for name in _CODE for file in sorted((package / name).glob("*.py"))]
    return [docassist.__version__, *(_stamp(file) for file in files)]


def _toml(directory: Path) -> list[Path]:
    # As procedures.reading.toml_files, which a load reads, without importing it.
    return sorted(directory.glob("*.toml")) if directory.is_dir() else []


def _stamp(path: Path) -> list[object]:
    try:
        st = path.stat()
    except OSError:
        return [str(path)]
    return [str(path), st.st_size, st.st_mtime_ns]


def _remember(path: Path, kept: dict[str, object]) -> None:
    """Write the answer whole or not at all (a second app may be starting too)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_name(f".{path.name}.{os.getpid()}")
        scratch.write_text(json.dumps(kept), encoding="utf-8")
        os.replace(scratch, path)
    except OSError:
        pass  # a read-only home: the next start loads again, as before
