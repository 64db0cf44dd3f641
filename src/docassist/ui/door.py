"""How the app gets into its register: open it, make it, sign in to it.

The one place in the UI that calls the account services which open or create a file;
screens ask the app's door and show what it says. Which kind of register the app was
started on decides what the first screen asks:

- no file yet: the first coordinator is created on screen (``create_first_coordinator``),
  and the register made then, encrypted, with a recovery key to show once;
- a plaintext file (the demo, practice, registers from before encryption, test
  registers): opened at start, so its accounts are checked by ``accounts.sign_in``;
- an encrypted file: nothing can be read before a passphrase opens it, so it is opened
  at the first sign-in (``accounts.open_signed_in``), or with the recovery key when a
  passphrase is forgotten (``recover``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from docassist.domain.model import Role
from docassist.services import users
from docassist.services.context import Context
from docassist.services.session import Session
from docassist.store import engine
from docassist.store.database import Database
from docassist.store.db import has_keyring, open_database

# The account services (passphrase hashing and its library) are imported by the
# methods that use them, not with the door: a start signed in (``user_id=``, the
# tests' and tools' entry) opens a plaintext register and never asks about accounts.


@dataclass(frozen=True)
class MadeUpUser:
    """A demo register's made-up user, shown on its sign-in screen."""

    name: str
    role: Role


class RegisterDoor:
    """The register of one app run: ``ctx`` is None until it can be opened."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db: Database | None = None
        self.ctx: Context | None = None
        # Read before anything is opened: an encrypted file waits for a passphrase, and
        # a missing one for its first coordinator. A link to nothing is refused now
        # (by ``open_database``), as any other file that cannot be a register.
        if (self.path.exists() or self.path.is_symlink()) and not self.encrypted:
            self._open(open_database(self.path))

    @property
    def encrypted(self) -> bool:
        # Without its key file an encrypted register cannot be opened at all: that is
        # said by ``open_database`` at start, as for any other file it cannot open.
        return has_keyring(self.path) and engine.header(self.path) is engine.Header.OTHER

    def _open(self, db: Database) -> Context:
        self.db = db
        self.ctx = Context(db)
        return self.ctx

    # -- what the first screen asks ---------------------------------------------

    def needs_first_coordinator(self) -> bool:
        """A register without any account (or no register yet): its first start
        creates its first coordinator."""
        if self.ctx is None:
            return not self.path.exists()
        return not users.has_accounts(self.ctx)

    def made_up_users(self) -> list[MadeUpUser]:
        """A demo register's users (made up, sharing ``DEMO_PASSPHRASE``); none for any
        other register: a real sign-in screen never lists who exists."""
        if self.ctx is None:
            return []
        from docassist.services.made_up import is_demo_register

        if not is_demo_register(self.ctx):
            return []
        return [MadeUpUser(u.name, u.role) for u in users.list_users(self.ctx)]

    # -- getting in ---------------------------------------------------------------

    def sign_in(self, name: str, passphrase: str) -> Session:
        """Raises what ``accounts.sign_in`` raises (SignInError, PassphraseNotSetError,
        NotAllowedError), or the store's errors for a file that cannot be opened."""
        from docassist.services import accounts

        if self.ctx is None:
            # An encrypted register is opened by its first sign-in (unwrapping the key is
            # the passphrase check, and the context carries the key for every use case
            # after it); the services decide how any other kind is signed in to.
            ctx, session = accounts.open_signed_in(self.path, name, passphrase)
            self.db, self.ctx = ctx.db, ctx
            return session
        return accounts.sign_in(self.ctx, name, passphrase)

    def set_first_passphrase(self, name: str, passphrase: str) -> Session:
        from docassist.services import accounts

        assert self.ctx is not None  # only asked after a sign-in reached the accounts
        return accounts.set_first_passphrase(self.ctx, name, passphrase)

    def create_first_coordinator(self, name: str, passphrase: str) -> tuple[Session, str | None]:
        """The register's first account, signed in (one sign-in, in the trail once);
        with the recovery key to show once when the register is encrypted (None for a
        plaintext one)."""
        from docassist.services import accounts

        if self.ctx is not None:
            return accounts.create_first_coordinator(self.ctx, name, passphrase), None
        made = accounts.create_register(self.path, name, passphrase)
        # The register stays open as it was made, with its key: opening it again would
        # sign in a second time.
        self.db, self.ctx = made.context.db, made.context
        return made.session, made.recovery_key

    def recover(self, recovery_key: str, name: str, new_passphrase: str) -> Session:
        """A forgotten passphrase set anew with the organisation's recovery key
        (``accounts.recover_passphrase``), then signed in with it."""
        from docassist.services import accounts

        # The services open the file with its key on a connection of their own (the same
        # library as this door's, if it has the register open after a sign-out).
        account = accounts.recover_passphrase(self.path, recovery_key, name, new_passphrase)
        return self.sign_in(account, new_passphrase)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
