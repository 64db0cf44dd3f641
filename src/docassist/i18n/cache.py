"""Read catalogues as ``pofile`` reads them, minus reading a file that has not changed.

Reading a ``.po`` file was 6-7 ms of CPU at every start, twice that for Romani
(its fallback, Serbian in Latin letters, is read too). What a read gave is kept
in the cache folder, one file per catalogue, with what it follows from: the
catalogue's own bytes (their SHA-256, a tenth of a millisecond: a file's time
can stay the same across a quick rewrite), the forms a plural has, and the
reader's code (its file's size and time, and docassist's version). Any of those
changed, or the kept file missing or damaged, and the catalogue is read as
before; the cache never decides anything on its own.

The kept files hold ``marshal`` data (strings, and tuples of a string and a form
number): read only from the user's own cache folder, like the parsed CSS.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from pathlib import Path

import docassist
from docassist.i18n import pofile
from docassist.locations import cache_dir

FOLDER = "catalogues"
# What a kept read follows from (see the module docstring).
Key = tuple[str | int, ...]


def cached_translations(path: Path, nplurals: int) -> dict[pofile.Key, str]:
    """``pofile.read_translations`` of the file at ``path``, as kept from the last
    read of the same bytes by the same code, else read now (and kept)."""
    data = path.read_bytes()
    key = _key(data, nplurals)
    kept = cache_dir() / FOLDER / f"{path.parent.parent.name}.marshal"
    try:
        stored_key, catalogue = marshal.loads(kept.read_bytes())
        if stored_key == key and isinstance(catalogue, dict):
            return catalogue
    except (OSError, ValueError, EOFError, TypeError):
        pass  # none yet, or unreadable: read the catalogue
    catalogue = pofile.read_translations(data, nplurals)
    _keep(kept, (key, catalogue))
    return catalogue


def _key(data: bytes, nplurals: int) -> Key:
    try:
        st = Path(pofile.__file__).stat()
        reader: Key = (st.st_size, st.st_mtime_ns)
    except OSError:
        reader = ()
    return (docassist.__version__, nplurals, hashlib.sha256(data).hexdigest(), *reader)


def _keep(kept: Path, value: tuple[Key, dict[pofile.Key, str]]) -> None:
    """Write whole or not at all (a second app may be starting too)."""
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        scratch = kept.with_name(f".{kept.name}.{os.getpid()}")
        scratch.write_bytes(marshal.dumps(value))
        os.replace(scratch, kept)
    except (OSError, ValueError):
        pass  # a read-only home: the next start reads the catalogue again, as before
