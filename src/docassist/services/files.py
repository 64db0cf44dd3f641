"""Files the user asked for: written whole under a temporary name, then put in place.

A report, an export or a handout either appears complete or not at all; an old file
of the same name stays until the new one is whole. Errors name the place the user
chose, never the temporary file they did not know about.

No folder is made here: a missing one is refused (``locations.chosen_folder``), so a
USB stick not plugged in never gets its folders made on the laptop's own disk. Where
docassist picks the place itself, the caller makes it (``locations.default_folder``).
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import shutil
import sys
import tempfile
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from docassist.locations import chosen_folder

if sys.platform != "win32":  # Windows has no advisory locks: killed exports stay there
    import fcntl


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``; renamed over ``path`` only if the block succeeds.

    Raises ``MissingFolderError`` (nothing written) when ``path``'s folder is not there.
    """
    path = Path(path)
    if path.is_dir():
        # Name what the user typed, not the temporary file the rename would have hit.
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    chosen_folder(path.parent)
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


def owner_only(path: Path) -> None:
    """Readable and writable by its owner only (0600), whatever the umask.

    For files that hold personal data. Local to the export until one helper for
    every file the app writes exists (issue 13, files owner-only); no-op where the
    file system has no such modes."""
    with contextlib.suppress(NotImplementedError, PermissionError):  # FAT: no modes
        os.chmod(path, 0o600)


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


_SCRATCH_LOCK = threading.Lock()
SCRATCH_SUFFIX = ".scratch"


@contextmanager
def scratch_beside(target: Path) -> Iterator[Path]:
    """A private folder beside ``target`` for the temporary files a library writes.

    openpyxl's write-only mode puts each sheet in a temporary file in the system's
    temporary folder until it saves: a killed export left names and JMBGs there, in a
    folder nobody looks at. They now go in an owner-only folder beside the target,
    locked while in use, deleted after, and swept by ``clean_scratch`` when killed.
    Python's tempfile has one process-wide default folder: exports take turns.
    """
    chosen_folder(target.parent)  # the export's own folder, already checked: never made
    with _SCRATCH_LOCK:
        folder = Path(
            tempfile.mkdtemp(prefix=f".{target.name}.", suffix=SCRATCH_SUFFIX, dir=target.parent)
        )
        fd = os.open(folder, os.O_RDONLY)
        previous = tempfile.tempdir
        try:
            if sys.platform != "win32":
                fcntl.flock(fd, fcntl.LOCK_EX)
            tempfile.tempdir = str(folder)
            yield folder
        finally:
            tempfile.tempdir = previous
            shutil.rmtree(folder, ignore_errors=True)
            os.close(fd)


def clean_scratch(folder: Path) -> list[Path]:
    """Delete the scratch folders killed exports left in ``folder`` (none in use)."""
    removed: list[Path] = []
    if sys.platform == "win32" or not folder.is_dir():
        return removed
    for scratch in folder.glob(f".*{SCRATCH_SUFFIX}"):
        try:
            fd = os.open(scratch, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue  # an export is writing there now
        try:
            shutil.rmtree(scratch, ignore_errors=True)
            removed.append(scratch)
        finally:
            os.close(fd)
    return removed
