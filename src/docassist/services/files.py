"""Files the user asked for: written whole under a temporary name, then put in place.

A report, an export or a handout either appears complete or not at all; an old file
of the same name stays until the new one is whole. Errors name the place the user
chose, never the temporary file they did not know about.
"""

from __future__ import annotations

import errno
import os
import tempfile
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
