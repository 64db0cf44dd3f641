"""Where docassist keeps and finds things.

Checklists and catalogues ship inside the wheel (``docassist/checklists``,
``docassist/locales``); in a source checkout they sit at the repository root.
User data goes to the platform's user data directory unless overridden.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from docassist.domain.text import N_, UserError

APP_NAME = "docassist"
DB_ENV = "DOCASSIST_DB"
HOME_ENV = "DOCASSIST_HOME"  # moves every user file at once (tests, portable USB use)

_PACKAGE_DIR = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    inside = _PACKAGE_DIR / name
    if inside.is_dir():
        return inside
    checkout = _PACKAGE_DIR.parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"docassist is incomplete: the '{name}' folder is missing")


def checklists_dir() -> Path:
    """The checklists shipped with docassist."""
    return _bundled("checklists")


def locales_dir() -> Path:
    """The gettext catalogues shipped with docassist."""
    return _bundled("locales")


def fonts_dir() -> Path:
    """The fonts embedded in printed handouts (DejaVu Sans: Cyrillic, Latin, Romani).

    They live inside the package (not at the repository root like checklists), so a
    checkout and an installed wheel find them at the same place.
    """
    return _PACKAGE_DIR / "fonts"


def data_dir() -> Path:
    """The user's docassist folder (database, own checklists, settings)."""
    home = os.environ.get(HOME_ENV)
    if home:
        return Path(home)
    from platformdirs import user_data_dir  # imported only where it is needed

    return Path(user_data_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    home = os.environ.get(HOME_ENV)
    if home:
        return Path(home) / "logs"
    from platformdirs import user_log_dir

    return Path(user_log_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """What docassist can always work out again (what the last checklist load
    skipped): removing it costs only time."""
    home = os.environ.get(HOME_ENV)
    if home:
        return Path(home) / "cache"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP_NAME, appauthor=False))


def handouts_dir() -> Path:
    """Where handouts are saved unless the user picks another place.

    Next to the register, not in a shared Documents folder: a family plan carries
    names, and this folder already holds the register itself.
    """
    return data_dir() / "handouts"


def user_checklists_dir() -> Path:
    """Where users drop their own checklist files."""
    return data_dir() / "checklists"


def backups_dir() -> Path:
    """Where ``docassist db backup`` puts copies unless told otherwise, and where a
    restore keeps the register it replaced."""
    return data_dir() / "backups"


def default_database() -> Path:
    """The real register: ``DOCASSIST_DB`` if set, else the user data directory."""
    env = os.environ.get(DB_ENV)
    return Path(env).expanduser() if env else data_dir() / "docassist.db"


def demo_database() -> Path:
    """Made-up families live in their own file, never in the real register."""
    return data_dir() / "demo.db"


def practice_database() -> Path:
    """Trainees practise on a throw-away file of their own."""
    return data_dir() / "practice.db"


def exports_dir() -> Path:
    """Where saved reports and exports go unless the user says otherwise: their Documents
    folder. With DOCASSIST_HOME set (a portable USB stick, the tests) files stay beside
    the data instead, in its ``exports`` folder, so nothing lands on a borrowed machine.
    """
    if not os.environ.get(HOME_ENV):
        from platformdirs import user_documents_dir

        documents = Path(user_documents_dir())
        if documents.is_dir():
            return documents
    return data_dir() / "exports"


def new_file(folder: Path, stem: str, suffix: str) -> Path:
    """A file made now in ``folder``, empty and owner-only, under a name no other file has.

    Names carry the time to the second, and two crash logs or two restores can come in
    one second: the second one got the first one's name and replaced it. The name is
    taken by creating the file (O_EXCL), so two processes cannot both get it.
    """
    private_folder(folder, fix=False)
    for n in range(1, 10_000):
        path = folder / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            continue
        return path
    raise FileExistsError(folder / f"{stem}{suffix}")


# --- owner-only files ----------------------------------------------------------------
# The register, its backups, exports, handouts and crash logs hold names and JMBGs of
# people who must not be found by whoever else uses the laptop: files are 0600 and
# folders docassist makes 0700, whatever the umask (an umask of 022 made them 0644/0755).

_OTHERS = 0o077  # the group's and everyone else's bits


def owner_only(path: Path) -> bool:
    """Take every access by the group and others away from the file (or folder) at
    ``path``, keeping the owner's; True if it had some (so the caller can say once that
    it was open to others). Raises OSError when the system refuses (another owner)."""
    mode = stat.S_IMODE(os.stat(path).st_mode)
    if not mode & _OTHERS:
        return False
    os.chmod(path, mode & ~_OTHERS)
    return True


def private_folder(path: Path, *, fix: bool = True) -> bool:
    """The folder ``path``, made if missing with every missing parent as 0700; an
    existing one has the group's and others' access taken away when ``fix`` (a folder
    docassist owns: its data, its backups) and is left alone otherwise (a folder the
    user named, such as their Documents). True if an existing folder was fixed."""
    missing: list[Path] = []
    at = path
    while not at.exists() and at != at.parent:
        missing.append(at)
        at = at.parent
    for made in reversed(missing):
        try:
            os.mkdir(made, 0o700)
        except FileExistsError:  # made meanwhile by another program
            continue
        os.chmod(made, 0o700)  # mkdir's mode is filtered by the umask
    if not path.is_dir():
        path.mkdir()  # a file there: says so, as mkdir always did
    if missing or not fix:
        return False
    return owner_only(path)


# --- which folders docassist makes ---------------------------------------------------
# A facilitator types /media/usb/reports/x.xlsx with the stick not plugged in: making
# the missing folders put names and JMBGs on the laptop's own disk, unencrypted, where
# nobody looked. A folder the user typed or chose is therefore never made; only the
# folders docassist picks itself (handouts, exports, backups) are, by ``default_folder``.

NO_SUCH_FOLDER = N_("The folder {folder} does not exist. Is the USB stick plugged in?")
NOTHING_MOUNTED = N_(
    "Nothing is plugged in at {folder}: it is a folder on this laptop's own disk. "
    "Is the USB stick plugged in?"
)
# Where Linux mounts removable drives. A folder there that no drive is mounted on (an
# fstab entry's /media/usb while the stick is out) is the laptop's own disk: the same
# leak as a folder made, so it is refused too.
REMOVABLE_ROOTS = (Path("/media"), Path("/run/media"), Path("/mnt"))


class MissingFolderError(UserError, FileNotFoundError):
    """The folder a file was to go in is not there; nothing was written.

    Also a FileNotFoundError naming the folder, so code that only knows OSError
    still says which place failed."""

    def __init__(self, folder: Path, message: str = NO_SUCH_FOLDER) -> None:
        super().__init__(message, folder=str(folder))
        self.errno = errno.ENOENT
        self.strerror = os.strerror(errno.ENOENT)
        self.filename = str(folder)

    def __str__(self) -> str:  # the English sentence, as every UserError, not errno's
        return self.render()


def chosen_folder(folder: Path) -> Path:
    """``folder``, which the user typed or chose, if it is there (and, under a
    removable drive's mount root, on a drive that is plugged in); never made."""
    if folder.is_dir():
        if _unplugged(folder):
            raise MissingFolderError(folder, NOTHING_MOUNTED)
        return folder
    if folder.exists():  # a file of that name: the system's own words say it best
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder))
    raise MissingFolderError(folder)


def default_folder(folder: Path) -> Path:
    """``folder``, one docassist picked itself (``handouts_dir``, ``exports_dir``,
    ``backups_dir``), made owner-only if missing; an existing one is left as it is
    (it may be the user's Documents)."""
    private_folder(folder, fix=False)
    return folder


def _unplugged(folder: Path) -> bool:
    """True if ``folder`` is under a removable-drive root with no drive mounted
    anywhere from the root down to it."""
    at = folder.resolve()
    for root in REMOVABLE_ROOTS:
        root = root.resolve()  # /media may be a link, as `at` is resolved
        if not at.is_relative_to(root):
            continue
        while not os.path.ismount(at):
            if at == root:
                return True
            at = at.parent
        return False
    return False
