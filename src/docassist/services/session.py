"""Who is signed in: the value a sign-in gives the app (``accounts`` makes it).

Apart from the account services so that what only carries a session (the app, the
register door, a screen started signed in) does not load the passphrase hashing,
the key files and their libraries: a household list started signed in needs none of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from docassist.domain.model import REGISTER_ROLES, Role


@dataclass(frozen=True)
class Session:
    """Who is signed in. A value: use cases read the account again from the register."""

    user_id: str
    name: str
    role: Role
    # The register this session works in: the practice register for a trainee.
    register: Path
    # The register that holds the account (where passphrases are checked and changed).
    accounts_register: Path
    # Reset by a coordinator: the user chooses a new one (change_passphrase) first.
    must_change_passphrase: bool = False

    @property
    def practice_only(self) -> bool:
        return self.role not in REGISTER_ROLES
