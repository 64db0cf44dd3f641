"""Files the user asked for: written whole under a temporary name, then put in place.

A report, an export or a handout either appears complete or not at all; an old file
of the same name stays until the new one is whole. Errors name the place the user
chose, never the temporary file they did not know about.
"""

from __future__ import annotations

import errno
import gc
import os
import sys
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``; renamed over ``path`` only if the block succeeds."""
    path = Path(path)
    if path.is_dir():
        # Name what the user typed, not the temporary file the rename would have hit.
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException as err:
        _forget_half_written(err)
        Path(tmp).unlink(missing_ok=True)
        # A full disk while writing names no file, or the temporary one.
        if isinstance(err, OSError) and err.filename in (None, tmp):
            err.filename = str(path)
        raise


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole, synced to the disk before it takes the name."""
    with atomic_path(path) as tmp, open(tmp, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _forget_half_written(err: BaseException) -> None:
    """Let go of a writer that failed halfway, now and without a word.

    openpyxl leaves its zip archive open when the disk fills; collected later, it
    tries to finish the file and prints "Exception ignored ... Traceback" after
    the clear one-line message. The error itself is kept and raised as it was.
    """
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _unraisable: None
    try:
        seen: set[int] = set()
        chained: BaseException | None = err
        while chained is not None and id(chained) not in seen:
            seen.add(id(chained))
            traceback.clear_frames(chained.__traceback__)
            chained = chained.__context__
        gc.collect()
    finally:
        sys.unraisablehook = hook
