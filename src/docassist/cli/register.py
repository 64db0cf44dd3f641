"""The one way a sub-command finds and opens the register, and signs in to it.

Only ``demo``, ``init`` (and the app itself, which opens its own) may create a
register: a mistyped ``--db`` must not become a new, empty register that a report then
reads as "no families" or that every imported row looks new against.

Every sub-command that opens the real register signs in first (``signed_in``): the
name from ``--user`` or DOCASSIST_USER, the passphrase from ``--passphrase-file``, else
DOCASSIST_PASSPHRASE, else typed without echo at a terminal (as restic and borg take
theirs). A demo register's made-up users need none typed: the demo passphrase is known.
An encrypted register opens only through the sign-in, which unwraps its key
(``accounts.open_signed_in``); what to say before opening (files others could read, a
real register not encrypted) is said once, on stderr. Who may do what, and how each kind
of register is signed in to, is decided in ``services.accounts``; a refusal never names
another user.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from docassist import locations
from docassist.cli.errors import UsageError
from docassist.i18n import _

if TYPE_CHECKING:
    from docassist.services.accounts import Action, FileAccess
    from docassist.services.context import Context
    from docassist.services.session import Session

USER_ENV = "DOCASSIST_USER"
PASSPHRASE_ENV = "DOCASSIST_PASSPHRASE"


def db_path(args: argparse.Namespace) -> Path:
    """The register named by ``--db``, else the real one in the user's data folder."""
    return Path(args.db).expanduser() if args.db else locations.default_database()


def require_register_folder(args: argparse.Namespace) -> Path:
    """The app's register. On first start the default one is made (its folder too).
    A ``--db`` (or DOCASSIST_DB) naming a file that is not there is a typing mistake
    until the user says otherwise (``run --new``), not a wish for a new empty register:
    the app would show the first-coordinator screen as if the families were gone. A
    folder that is not there is refused even then; a dangling link is refused when the
    register is opened (ui/door.py), naming the link."""
    path = db_path(args)
    if path == locations.data_dir() / "docassist.db":
        return path
    if not path.parent.is_dir():
        raise UsageError(
            _("There is no folder {folder} for the register {path}: nothing was opened.").format(
                folder=path.parent, path=path
            )
        )
    if not path.exists() and not path.is_symlink() and not getattr(args, "new", False):
        raise UsageError(
            _(
                "There is no register at {path}: nothing was opened (is the name typed "
                "right?). To start a new, empty register there, add --new: "
                "docassist --db {path} run --new"
            ).format(path=path)
        )
    return path


def demo_path(args: argparse.Namespace) -> Path:
    """The demo's own file: ``--db`` names it too, else the demo file beside the register."""
    return Path(args.db).expanduser() if args.db else locations.demo_database()


def register_path(args: argparse.Namespace) -> Path:
    """The database file the command works on (the demo's file for ``demo``)."""
    return demo_path(args) if args.command == "demo" else db_path(args)


def output_path(args: argparse.Namespace, value: str | None) -> str | None:
    """``--output`` as given, once it is known not to be the register, its -wal or -shm,
    or a backup: what every command that writes a file calls first."""
    from docassist.store.db import refuse_overwrite

    if value:
        refuse_overwrite(value, register_path(args), (locations.backups_dir(),))
    return value


@dataclass(frozen=True)
class Clock:
    """The command's clock, for every context it opens and the wait after failed
    sign-ins: the real one (None), or a test's (``main(argv, clock=...)``), so no
    test reads the real clock."""

    now: Callable[[], str] | None = None
    today: Callable[[], date] | None = None

    def times(self) -> tuple[Callable[[], str], Callable[[], date]]:
        from docassist.services.context import real_now, real_today

        return self.now or real_now, self.today or real_today


def clock(args: argparse.Namespace) -> tuple[Callable[[], str], Callable[[], date]]:
    """(now, today) for the command: ``args.clock`` as ``main`` set it."""
    given = getattr(args, "clock", None)
    return (given if isinstance(given, Clock) else Clock()).times()


@contextmanager
def register(args: argparse.Namespace, *, create: bool = False) -> Iterator[Context]:
    """The command's register, open for the block, closed after it whatever happens.

    ``create``: make a new register where none is; only ``demo`` asks for it.
    """
    from docassist.services.context import Context
    from docassist.store.db import open_database

    now, today = clock(args)
    db = open_database(register_path(args), create=create)
    try:
        yield Context(db, now=now, today=today)
    finally:
        db.close()


# --- signing in --------------------------------------------------------------------------


def add_sign_in_options(parser: argparse.ArgumentParser) -> None:
    """``--user`` and ``--passphrase-file``, for every sub-command that signs in."""
    parser.add_argument(
        "--user", metavar="NAME", help=_("your name in the register (or set DOCASSIST_USER)")
    )
    parser.add_argument(
        "--passphrase-file",
        metavar="FILE",
        help=_(
            "read your passphrase from the first line of FILE (or set DOCASSIST_PASSPHRASE); "
            "without either it is asked for, without echo"
        ),
    )


def user_name(args: argparse.Namespace) -> str:
    name = getattr(args, "user", None) or os.environ.get(USER_ENV, "")
    if not name.strip():
        raise UsageError(_("Say who you are: --user NAME (or set DOCASSIST_USER)."))
    return name


def _at_terminal() -> bool:
    return sys.stdin.isatty()


def _ask(prompt: str) -> str:
    """A passphrase typed at the terminal, not shown."""
    import getpass

    try:
        return getpass.getpass(prompt)
    except EOFError:
        raise UsageError(_("No passphrase was typed.")) from None


def given_passphrase(args: argparse.Namespace) -> str | None:
    """The passphrase from ``--passphrase-file`` or DOCASSIST_PASSPHRASE, if either."""
    file = getattr(args, "passphrase_file", None)
    if file:
        return read_passphrase_file(Path(file).expanduser())
    return os.environ.get(PASSPHRASE_ENV) or None


def read_passphrase_file(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(
            _("The passphrase file {path} is not UTF-8 text.").format(path=path)
        ) from None
    except OSError as err:
        raise UsageError(
            _("Cannot read the passphrase file {path}: {reason}").format(
                path=path, reason=err.strerror or type(err).__name__
            )
        ) from None
    lines = text.splitlines()
    if not lines or not lines[0]:
        raise UsageError(_("The passphrase file {path} is empty.").format(path=path))
    _warn_if_others_read(path)
    return lines[0]


def _warn_if_others_read(path: Path) -> None:
    if os.name == "posix" and path.stat().st_mode & 0o077:
        print(
            "docassist: "
            + _(
                "Warning: other users of this computer can read {path}; "
                "make it yours only (chmod 600)."
            ).format(path=path),
            file=sys.stderr,
        )


def passphrase_for(args: argparse.Namespace, name: str, *, demo: bool = False) -> str:
    """The passphrase to sign in with: given (file, environment), else the demo's for a
    demo register, else typed at the terminal."""
    given = given_passphrase(args)
    if given is not None:
        return given
    if demo:
        from docassist.services.made_up import DEMO_PASSPHRASE

        return DEMO_PASSPHRASE
    if not _at_terminal():
        raise UsageError(
            _(
                "No passphrase: type it at a terminal, or give it with DOCASSIST_PASSPHRASE "
                "or --passphrase-file FILE."
            )
        )
    return _ask(_("Passphrase for {name}: ").format(name=name))


def new_passphrase(
    args: argparse.Namespace,
    name: str,
    reason: str,
    *,
    given: Callable[[argparse.Namespace], str | None] = given_passphrase,
    not_given: Callable[[], str] | None = None,
) -> str:
    """A new passphrase for ``name``: the one ``given`` (by default the command's own
    file or environment), else typed twice at the terminal, checked against the rules
    before it is asked again. ``reason`` is said first, once; ``not_given``: what to
    say without a terminal (by default, where the command's own passphrase comes from)."""
    from docassist.services import accounts
    from docassist.services.context import ValidationError

    found = given(args)
    if found is not None:
        accounts.check_new_passphrase(found, name)
        return found
    if not _at_terminal():
        raise UsageError(
            not_given()
            if not_given
            else _(
                "A new passphrase is needed: type it at a terminal, or give it with "
                "DOCASSIST_PASSPHRASE or --passphrase-file FILE."
            )
        )
    print(reason, file=sys.stderr)
    for _try in range(3):
        first = _ask(_("New passphrase: "))
        try:
            accounts.check_new_passphrase(first, name)
        except ValidationError as err:
            print(str(_first_problem(err)), file=sys.stderr)
            continue
        if _ask(_("The same passphrase again: ")) == first:
            return first
        print(_("The two passphrases differ."), file=sys.stderr)
    raise UsageError(_("No new passphrase was chosen; nothing was changed."))


def _first_problem(err: Exception) -> str:
    from docassist.services.context import ValidationError

    if isinstance(err, ValidationError):
        return "; ".join(p.render(_) for ps in err.problems.values() for p in ps)
    return str(err)


def say_notices(path: Path) -> None:
    """What to tell once before the register is opened (files others could read, made
    owner-only now; a real register not encrypted), one line each on stderr."""
    from docassist.services import accounts

    for notice in accounts.register_notices(path):
        print("docassist: " + _("Warning:") + " " + notice.render(_), file=sys.stderr)


def open_signed_in(
    args: argparse.Namespace, action: Action | None = None, *, notices: bool = True
) -> tuple[Context, Session, str]:
    """The command's register, opened and signed in to as the command's user, refused
    unless their role may do ``action`` (default: open the real register). A user from
    before accounts chooses a passphrase now; one whose passphrase was reset chooses a
    new one (at a terminal). Returns the open context (``ctx.user_id`` is the user's;
    the caller closes ``ctx.db``), the session, and the passphrase now in force.

    Which kind of register it is (encrypted or not) is the services' decision
    (``accounts.open_signed_in``): the command line only gathers who and what."""
    from docassist.services import accounts
    from docassist.services.made_up import DEMO_PASSPHRASE, is_demo_file
    from docassist.store.db import missing_error

    action = action or accounts.Action.OPEN_REGISTER
    path = register_path(args)
    kind = accounts.register_kind(path)  # a missing or foreign file is said first
    if kind is accounts.RegisterKind.NEW:
        raise missing_error(path)
    if notices:
        say_notices(path)
    name = user_name(args)
    demo = kind is accounts.RegisterKind.PLAINTEXT and is_demo_file(path)
    passphrase = passphrase_for(args, name, demo=demo)
    now, today = clock(args)
    try:
        ctx, session = accounts.open_signed_in(path, name, passphrase, now=now, today=today)
    except accounts.PassphraseNotSetError:
        if demo and given_passphrase(args) is None:
            passphrase = DEMO_PASSPHRASE
        elif given_passphrase(args) is None:
            passphrase = new_passphrase(
                args,
                name,
                _("You have no passphrase yet: choose one (at least {n} characters).").format(
                    n=accounts.MIN_PASSPHRASE_LENGTH
                ),
            )
        # else: the script's passphrase becomes the user's
        ctx, session = accounts.open_setting_first_passphrase(
            path, name, passphrase, now=now, today=today
        )
        print(_("Your passphrase is set: sign in with it from now on."), file=sys.stderr)
    try:
        accounts.require(session, action)
        if session.must_change_passphrase:
            if given_passphrase(args) is not None or not _at_terminal():
                raise UsageError(
                    _(
                        "Your passphrase was reset by a coordinator: run the command at a "
                        "terminal once to choose your own."
                    )
                )
            new = new_passphrase(
                args, session.name, _("Your passphrase was reset: choose your own now.")
            )
            session = accounts.change_passphrase(ctx, session, passphrase, new)
            passphrase = new
    except BaseException:
        ctx.db.close()
        raise
    return ctx, session, passphrase


@contextmanager
def signed_in(args: argparse.Namespace, action: Action | None = None) -> Iterator[Context]:
    """The command's register, open and signed in to for the block (see
    ``open_signed_in``), closed after it whatever happens."""
    ctx, _session, _passphrase = open_signed_in(args, action)
    try:
        yield ctx
    finally:
        ctx.db.close()


def sign_in_read_only(args: argparse.Namespace, path: Path, action: Action) -> FileAccess:
    """Check the command's user against the file at ``path`` without writing to it (a
    register being checked, a backup about to be restored); refused unless their role
    may do ``action``. ``session`` None: the file holds no passphrases to check against
    (made before accounts) or is too damaged to say who its users are: what it holds is
    then protected by no passphrase anyway. ``db_key``: an encrypted file's."""
    from docassist.services import accounts
    from docassist.services.made_up import is_demo_file
    from docassist.store import engine

    demo = is_demo_file(path)
    try:
        access = accounts.verify_file(
            path,
            lambda: user_name(args),
            lambda: passphrase_for(args, user_name(args), demo=demo),
            now=clock(args)[0],
        )
    except accounts.PassphraseNotSetError:
        raise UsageError(
            _(
                "You have no passphrase yet: choose one first (any command that opens "
                "the register asks for it)."
            )
        ) from None
    except engine.DatabaseErrors:
        return accounts.FileAccess(None)
    if access.session is not None:
        accounts.require(access.session, action)
    return access


def add_recovery_key_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--recovery-key-file",
        metavar="FILE",
        help=_(
            "open an encrypted register with the organisation's recovery key, read from FILE "
            "(instead of signing in)"
        ),
    )


def recovery_key_for(args: argparse.Namespace, *, ask: bool = False) -> str | None:
    """The recovery key from ``--recovery-key-file``, else (``ask``) typed at the
    terminal without echo; None when it is neither given nor to be asked."""
    file = getattr(args, "recovery_key_file", None)
    if file:
        path = Path(file).expanduser()
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as err:
            reason = getattr(err, "strerror", None) or type(err).__name__
            raise UsageError(
                _("Cannot read the recovery key file {path}: {reason}").format(
                    path=path, reason=reason
                )
            ) from None
        _warn_if_others_read(path)
        return text
    if not ask:
        return None
    if not _at_terminal():
        raise UsageError(
            _("No recovery key: type it at a terminal, or give it with --recovery-key-file FILE.")
        )
    return _ask(_("Recovery key (the 13 groups printed at set-up): "))
