"""The keys of an encrypted register: one random database key, wrapped many times.

The register is encrypted (SQLCipher) under a random 256-bit database key, given to
SQLCipher as a raw key so that opening costs nothing extra. That key is never stored
as it is. The keyring file beside the register, ``<register>.keys``, holds it wrapped
(AES-256-GCM) once per user, under a key derived from that user's passphrase with
Argon2id, and once under the organisation's recovery key, shown once at set-up to be
printed and locked away. So a forgotten passphrase is not lost data (the recovery key
opens it and sets a new one), and changing a passphrase rewrites one entry of this
small file, never the register.

Why a file beside the register and not a table in it: the wrapped keys must be read
before the register can be opened. Why not the operating system's keychain: it is
per login of the laptop, while several workers share one laptop account and the
recovery key must also open a backup on another laptop. The file is copied beside every
backup, so a backup opens with a passphrase that was valid when it was made, or with the
recovery key.

A laptop that joins the organisation's hub (``docassist hub join``) makes a register
with a database key of its own, and nobody there has the recovery key to wrap it with.
So the recovery key is also a key pair (X25519, derived from the same secret): the key
file keeps its public half (``recovery_public``), the hub keeps the organisation's, and
a joining laptop *seals* its new database key to that public key (an ephemeral X25519
exchange, HKDF, AES-256-GCM). Only the printed recovery key opens that entry; the hub and
the laptop never hold anything that does.

The file names nobody: users are found by a keyed hash of their name (salted per
register), and an unknown name and a wrong passphrase fail alike, in the same time.
Failed attempts are counted per name: five are free, then each attempt must wait 2 s,
4 s, ... up to 60 s after the last failure (the caller waits; the store never sleeps),
and the failures are kept until the service has recorded them in the audit trail.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; two failures at once may count once
    # mypy types the name as the module, which exists wherever it checks; here it is
    # None, and every use tests for that first.
    fcntl = None  # type: ignore[assignment]

from docassist.domain import script
from docassist.domain.text import N_
from docassist.locations import private_folder
from docassist.store import engine
from docassist.store.db import StoreError, keyring_path
from docassist.store.db import has_keyring as has_keyring

FORMAT = "docassist-keyring"
VERSION = 1
FREE_FAILURES = 5  # wrong passphrases before any waiting
FIRST_DELAY = 2  # seconds to wait after the sixth failure ...
MAX_DELAY = 60  # ... doubling up to this
_KEEP_FAILURES = 50  # per name, until audited: the file stays small whatever happens
_KEEP_NAMES = 200  # names (known or not) with failures on record

_USER_AAD = b"docassist user key v1"
_RECOVERY_AAD = b"docassist recovery key v1"
_RECOVERY_INFO = b"docassist recovery wrapping key v1"
_RECOVERY_PAIR_INFO = b"docassist recovery key pair v1"
_SEALED_INFO = b"docassist sealed recovery v1"
_KEY_ID = b"docassist key id v1"


@dataclass(frozen=True)
class Argon2id:
    """How a passphrase becomes the key that unwraps the database key.

    Stored with every entry, so entries made with other figures (older, or on a
    slower laptop) still open after ``KDF`` changes.
    """

    memory_kib: int
    time_cost: int
    parallelism: int

    def derive(self, passphrase: str, salt: bytes) -> bytes:
        from argon2.low_level import Type, hash_secret_raw  # 45 ms to import: at sign-in

        return hash_secret_raw(
            _passphrase_bytes(passphrase),
            salt,
            time_cost=self.time_cost,
            memory_cost=self.memory_kib,
            parallelism=self.parallelism,
            hash_len=engine.KEY_BYTES,
            type=Type.ID,
        )

    def as_json(self) -> dict[str, Any]:
        return {"m": self.memory_kib, "t": self.time_cost, "p": self.parallelism}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Argon2id:
        return cls(memory_kib=int(data["m"]), time_cost=int(data["t"]), parallelism=int(data["p"]))


# 64 MiB, 3 passes, 2 lanes: RFC 9106's second recommended option (64 MiB, t=3) with
# one lane per core of the 2-core laptops docassist runs on. Measured here (2 cores):
# 0.26-0.33 s of CPU over both lanes, about 0.17 s of waiting on an idle machine (up to
# 0.6 s while the other core is busy); sign-in (this + opening) stays under 0.5 s,
# `make bench ARGS="--only sign-in"`. Each guess at a stolen key file costs an attacker
# the same 64 MiB and time. Tests use cheap figures (tests/store/conftest.py).
KDF = Argon2id(memory_kib=64 * 1024, time_cost=3, parallelism=2)


class KeyringError(StoreError):
    """A problem with the keys of an encrypted register."""


class NoKeyringError(KeyringError):
    pass


class DamagedKeyringError(KeyringError):
    pass


class KeyringExistsError(KeyringError):
    pass


class SignInError(KeyringError):
    """The name or the passphrase is not right: the same error for both, so that it
    tells nobody which names exist. ``retry_after``: seconds before the next try."""

    def __init__(self, message: str, retry_after: int = 0, **params: Any) -> None:
        super().__init__(message, **params)
        self.retry_after = retry_after


class WaitError(KeyringError):
    """Too many failures for this name: ``seconds`` before it may be tried again."""

    def __init__(self, message: str, seconds: int, **params: Any) -> None:
        super().__init__(message, seconds=seconds, **params)
        self.seconds = seconds


class RecoveryKeyError(KeyringError):
    pass


class UserKeyExistsError(KeyringError):
    pass


# The words accounts.SignInError uses: a refusal reads the same on every register.
_SIGN_IN = N_("That name and passphrase do not match. Check both and try again.")
_WAIT = N_("Too many wrong passphrases: wait {seconds} s, then try again.")
_NO_KEYRING = N_(
    "There is no key file ({keys}) beside the encrypted register {path}: without it the "
    "register cannot be opened. Put back the key file that was copied with it, or "
    "restore a backup (its key file lies beside it)."
)
_DAMAGED_KEYRING = N_(
    "The key file {path} is damaged ({detail}). Put back the copy that lies beside the "
    "newest backup."
)
_RECOVERY_FORM = N_(
    "That is not a recovery key: it has 52 letters and digits (A-Z, 2-7), printed in "
    "13 groups of 4."
)
_RECOVERY_WRONG = N_("That recovery key does not open this register.")


# --- the database key and the recovery key --------------------------------------------


def new_database_key() -> bytes:
    """A fresh random 256-bit key for a new (or newly encrypted) register."""
    return secrets.token_bytes(engine.KEY_BYTES)


_BASE32 = re.compile(r"[A-Z2-7]{52}")
# What people mistype when copying from paper: base32 has no 0, 1 or 8.
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})


def format_recovery_key(secret: bytes) -> str:
    """The 32-byte recovery secret as it is printed: 13 groups of 4 base32 characters
    (A-Z, 2-7: no 0/O or 1/I to confuse), e.g. ``ABCD-EFGH-...``."""
    if len(secret) != engine.KEY_BYTES:
        raise ValueError("a recovery key has 32 bytes")
    text = base64.b32encode(secret).decode("ascii").rstrip("=")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(text: str) -> bytes:
    """The secret back from what someone typed: any case, with or without spaces or
    dashes, 0/1/8 read as O/I/B. Raises RecoveryKeyError for anything else."""
    letters = re.sub(r"[\s\-_.]", "", text).upper().translate(_LOOKALIKES)
    if not _BASE32.fullmatch(letters):
        raise RecoveryKeyError(_RECOVERY_FORM)
    try:
        secret = base64.b32decode(letters + "====")
    except binascii.Error as err:  # pragma: no cover - the pattern lets none through
        raise RecoveryKeyError(_RECOVERY_FORM) from err
    return secret[: engine.KEY_BYTES]


def _recovery_kek(secret: bytes, salt: bytes) -> bytes:
    # The recovery secret is 256 random bits: no slow derivation needed, only a key
    # of its own for this register (HKDF with the register's salt).
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(
        algorithm=hashes.SHA256(), length=engine.KEY_BYTES, salt=salt, info=_RECOVERY_INFO
    ).derive(secret)


def _recovery_private(secret: bytes) -> Any:
    """The X25519 private key of the recovery key: the same for every register the
    secret opens (no per-register salt), so one printed key opens every laptop's."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    seed = HKDF(
        algorithm=hashes.SHA256(), length=engine.KEY_BYTES, salt=None, info=_RECOVERY_PAIR_INFO
    ).derive(secret)
    return X25519PrivateKey.from_private_bytes(seed)


def _public_bytes(key: Any) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return bytes(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def _sealed_kek(shared: bytes, salt: bytes, ephemeral: bytes, public: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(
        algorithm=hashes.SHA256(),
        length=engine.KEY_BYTES,
        salt=salt,
        info=_SEALED_INFO + ephemeral + public,
    ).derive(shared)


def _seal(public: bytes, db_key: bytes, salt: bytes) -> dict[str, str]:
    """``db_key`` wrapped for whoever holds the recovery key whose public half is
    ``public``: nothing on this laptop can unwrap it again."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import (
        X25519PrivateKey,
        X25519PublicKey,
    )

    ephemeral = X25519PrivateKey.generate()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public))
    eph = _public_bytes(ephemeral)
    return {
        "ephemeral": _b64(eph),
        **_wrap(_sealed_kek(shared, salt, eph, public), db_key, _RECOVERY_AAD),
    }


def _unseal(secret: bytes, entry: dict[str, Any], salt: bytes) -> bytes | None:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

    private = _recovery_private(secret)
    eph = _unb64(entry["ephemeral"])
    shared = private.exchange(X25519PublicKey.from_public_bytes(eph))
    return _unwrap(_sealed_kek(shared, salt, eph, _public_bytes(private)), entry, _RECOVERY_AAD)


def _recovery_entries(secret: bytes, db_key: bytes, salt: bytes) -> dict[str, Any]:
    return {
        "recovery": _wrap(_recovery_kek(secret, salt), db_key, _RECOVERY_AAD),
        "recovery_public": _b64(_public_bytes(_recovery_private(secret))),
    }


def key_id(db_key: bytes) -> str:
    """A fingerprint of ``db_key`` that tells whether two keyrings wrap the same key,
    and nothing about the key itself."""
    return hmac.new(db_key, _KEY_ID, hashlib.sha256).hexdigest()[:32]


# --- the file ---------------------------------------------------------------------------


def create_keyring(register: Path | str, db_key: bytes | None = None) -> tuple[bytes, str]:
    """A new key file beside ``register``, for ``db_key`` (default: a new random one),
    with the recovery key's entry and no user yet. Returns the database key and the
    recovery key's text, which is shown once and never stored.

    Refused beside an encrypted register that has one (its keys would be lost); a key
    file left beside a plaintext register (an encryption that did not finish) is
    replaced.
    """
    register = Path(register).expanduser()
    db_key = new_database_key() if db_key is None else db_key
    _check_key(db_key)
    with _locked(register):
        if has_keyring(register) and engine.header(register) is engine.Header.OTHER:
            raise KeyringExistsError(
                N_("The register {path} already has a key file: nothing was changed."),
                path=str(register),
            )
        salt = secrets.token_bytes(16)
        secret = secrets.token_bytes(engine.KEY_BYTES)
        data = {
            "format": FORMAT,
            "version": VERSION,
            "salt": _b64(salt),
            "key_id": key_id(db_key),
            "users": {},
            **_recovery_entries(secret, db_key, salt),
            "attempts": {},
        }
        _write(register, data)
    return db_key, format_recovery_key(secret)


def create_sealed_keyring(register: Path | str, recovery_public: bytes) -> bytes:
    """A new key file beside the new ``register`` of a laptop joining the organisation,
    for a new random database key (returned) sealed to the organisation's recovery key
    (``recovery_public``, its public half, as the hub holds it): no recovery key is
    made or shown, the organisation's printed one opens this register too."""
    register = Path(register).expanduser()
    if len(recovery_public) != engine.KEY_BYTES:
        raise ValueError("a recovery public key has 32 bytes")
    db_key = new_database_key()
    with _locked(register):
        if has_keyring(register) and engine.header(register) is engine.Header.OTHER:
            raise KeyringExistsError(
                N_("The register {path} already has a key file: nothing was changed."),
                path=str(register),
            )
        salt = secrets.token_bytes(16)
        data = {
            "format": FORMAT,
            "version": VERSION,
            "salt": _b64(salt),
            "key_id": key_id(db_key),
            "users": {},
            "recovery": _seal(recovery_public, db_key, salt),
            "recovery_public": _b64(recovery_public),
            "attempts": {},
        }
        _write(register, data)
    return db_key


def recovery_public_key(register: Path | str) -> bytes | None:
    """The public half of the recovery key that opens ``register`` (what the hub keeps
    for laptops that join), or None for a key file made before it was kept (a new
    recovery key, ``new_recovery_key``, adds it)."""
    data = _read(Path(register).expanduser())
    public = data.get("recovery_public")
    return _unb64(public) if public else None


def new_recovery_key(register: Path | str, db_key: bytes) -> str:
    """Replace the recovery key (the printed one was lost or seen by someone); the old
    one opens nothing from now on, except backups made before. Returns the new text."""
    register = Path(register).expanduser()
    with _locked(register):
        data = _read(register)
        _require_same_key(data, db_key, register)
        secret = secrets.token_bytes(engine.KEY_BYTES)
        data.update(_recovery_entries(secret, db_key, _unb64(data["salt"])))
        _write(register, data)
    return format_recovery_key(secret)


def remove_keyring(register: Path | str) -> None:
    """Delete the key file beside ``register`` (an encryption that failed, a register
    restored from a plaintext backup)."""
    keyring_path(Path(register).expanduser()).unlink(missing_ok=True)


def copy_keyring(register: Path | str, dest_register: Path | str) -> Path:
    """Copy ``register``'s key file beside ``dest_register`` (a backup, a kept copy):
    owner-only, whole or not at all. Returns the copy's path."""
    register = Path(register).expanduser()
    dest_register = Path(dest_register).expanduser()
    with _locked(register):
        data = _read(register)
    _write(dest_register, data)
    return keyring_path(dest_register)


def keyring_matches(register: Path | str, db_key: bytes) -> bool:
    """True if the key file beside ``register`` wraps ``db_key`` (False if there is
    none, or it is damaged)."""
    try:
        data = _read(Path(register).expanduser())
    except KeyringError:
        return False
    return hmac.compare_digest(str(data.get("key_id", "")), key_id(db_key))


# --- users ------------------------------------------------------------------------------


def add_user_key(register: Path | str, name: str, passphrase: str, db_key: bytes) -> None:
    """Give the user ``name`` a passphrase that opens the register. Refused if that name
    (in any script, case or diacritics) already has one: ``set_passphrase`` replaces."""
    _set_user_key(register, name, passphrase, db_key, replace=False)


def set_passphrase(register: Path | str, name: str, passphrase: str, db_key: bytes) -> None:
    """Give ``name`` this passphrase, replacing any it had: a coordinator's reset, a
    new passphrase after the recovery key, a user's first after ``db encrypt``."""
    _set_user_key(register, name, passphrase, db_key, replace=True)


def change_passphrase(
    register: Path | str, name: str, old: str, new: str, *, now: datetime
) -> bytes:
    """The user's own change: the old passphrase (counted like a sign-in), then the new
    one. The register is not re-encrypted. Returns the database key."""
    db_key = unlock(register, name, old, now=now)
    set_passphrase(register, name, new, db_key)
    return db_key


def has_user_key(register: Path | str, name: str) -> bool:
    """True if ``name`` has a passphrase for this register (for the service deciding
    whether a user must first choose one; never shown to someone signing in)."""
    register = Path(register).expanduser()
    data = _read(register)
    return _name_id(data, name) in data["users"]


def remove_user_key(register: Path | str, name: str) -> bool:
    """Take ``name``'s passphrase away (a user who left); True if there was one.
    Backups made before still open with it: their key files are copies."""
    register = Path(register).expanduser()
    with _locked(register):
        data = _read(register)
        who = _name_id(data, name)
        found = data["users"].pop(who, None) is not None
        data["attempts"].pop(who, None)
        if found:
            _write(register, data)
    return found


def rename_user_key(register: Path | str, old_name: str, new_name: str) -> None:
    """Move a passphrase to the user's new name (the passphrase stays the same)."""
    register = Path(register).expanduser()
    with _locked(register):
        data = _read(register)
        old, new = _name_id(data, old_name), _name_id(data, new_name)
        if old == new:
            return
        if new in data["users"]:
            raise _exists(new_name)
        if old not in data["users"]:
            raise KeyError(old_name)
        data["users"][new] = data["users"].pop(old)
        if old in data["attempts"]:
            data["attempts"][new] = data["attempts"].pop(old)
        _write(register, data)


def _set_user_key(
    register: Path | str, name: str, passphrase: str, db_key: bytes, *, replace: bool
) -> None:
    register = Path(register).expanduser()
    if not passphrase:
        raise ValueError("a passphrase cannot be empty")
    kdf = KDF
    salt = secrets.token_bytes(16)
    kek = kdf.derive(passphrase, salt)  # slow: outside the lock
    with _locked(register):
        data = _read(register)
        _require_same_key(data, db_key, register)
        who = _name_id(data, name)
        if who in data["users"] and not replace:
            raise _exists(name)
        data["users"][who] = {
            "kdf": {"type": "argon2id", **kdf.as_json(), "salt": _b64(salt)},
            **_wrap(kek, db_key, _USER_AAD),
        }
        data["attempts"].pop(who, None)
        _write(register, data)


def _exists(name: str) -> UserKeyExistsError:
    return UserKeyExistsError(
        N_("{name} already has a passphrase for this register."), name=" ".join(name.split())
    )


# --- signing in -------------------------------------------------------------------------


def unlock(register: Path | str, name: str, passphrase: str, *, now: datetime) -> bytes:
    """The database key, for ``name`` signing in with ``passphrase`` at ``now``.

    Raises ``SignInError`` for an unknown name and for a wrong passphrase alike (after
    the same slow derivation), and ``WaitError`` while this name must wait after too
    many failures (nothing is tried then). A success clears the count; the failures
    stay on record until ``take_failures``.
    """
    register = Path(register).expanduser()
    data = _read(register)
    try:
        who = _name_id(data, name)
    except ValueError:  # nobody can be called that: as for any unknown name
        _try_passphrase(register, None, passphrase)
        raise SignInError(_SIGN_IN) from None
    wait = _wait(data, who, now)
    if wait:
        raise WaitError(_WAIT, seconds=wait)
    db_key = _try_passphrase(register, data["users"].get(who), passphrase)
    with _locked(register):
        data = _read(register)  # again: another program may have written meanwhile
        record = data["attempts"].setdefault(who, {"count": 0, "last": None, "unaudited": []})
        if db_key is None or not hmac.compare_digest(data["key_id"], key_id(db_key)):
            record["count"] += 1
            record["last"] = _iso(now)
            record["unaudited"] = [*record["unaudited"], _iso(now)][-_KEEP_FAILURES:]
            _trim_attempts(data)
            _write(register, data)
            raise SignInError(_SIGN_IN, retry_after=_delay(record["count"]))
        if record["count"] or record["last"]:
            record["count"], record["last"] = 0, None
            _write(register, data)
    return db_key


def unlock_with_recovery(
    register: Path | str, recovery_text: str, *, now: datetime | None = None
) -> bytes:
    """The database key, from the recovery key as typed (see ``parse_recovery_key``).

    A key of the right form that does not open the register is a failure the key file
    keeps (at ``now``, when given) until the service records it in the audit trail of
    the register it next opens (``take_recovery_failures``): the time only, nothing of
    what was typed. One that is not of the form (a typing slip) is not counted."""
    register = Path(register).expanduser()
    secret = parse_recovery_key(recovery_text)
    data = _read(register)
    salt, entry = _unb64(data["salt"]), data["recovery"]
    if "ephemeral" in entry:  # a joined laptop's: sealed to the organisation's key
        db_key = _unseal(secret, entry, salt)
    else:
        db_key = _unwrap(_recovery_kek(secret, salt), entry, _RECOVERY_AAD)
    if db_key is None or not hmac.compare_digest(data["key_id"], key_id(db_key)):
        if now is not None:
            _count_recovery_failure(register, now)
        raise RecoveryKeyError(_RECOVERY_WRONG)
    return db_key


def _count_recovery_failure(register: Path, now: datetime) -> None:
    try:
        with _locked(register):
            data = _read(register)
            kept = [*data.get("recovery_failures", []), _iso(now)][-_KEEP_FAILURES:]
            data["recovery_failures"] = kept
            _write(register, data)
    except OSError:
        pass  # a backup on a locked stick: the refusal is what matters


def take_recovery_failures(register: Path | str) -> list[datetime]:
    """The wrong recovery keys tried on this register not yet recorded in its audit
    trail, oldest first; forgotten here once taken."""
    register = Path(register).expanduser()
    with _locked(register):
        data = _read(register)
        taken = [datetime.fromisoformat(at) for at in data.get("recovery_failures", [])]
        if taken:
            data["recovery_failures"] = []
            _write(register, data)
    return taken


def retry_after(register: Path | str, name: str, *, now: datetime) -> int:
    """Seconds ``name`` must still wait before the next try at ``now`` (0: may try)."""
    data = _read(Path(register).expanduser())
    return _wait(data, _name_id(data, name), now)


def take_failures(register: Path | str, name: str) -> list[datetime]:
    """The failed sign-ins for ``name`` not yet recorded in the audit trail, oldest
    first; they are forgotten here once taken (the service records them in the trail
    of the register it then opens)."""
    register = Path(register).expanduser()
    with _locked(register):
        data = _read(register)
        who = _name_id(data, name)
        record = data["attempts"].get(who)
        if not record or not record["unaudited"]:
            return []
        taken = [datetime.fromisoformat(at) for at in record["unaudited"]]
        record["unaudited"] = []
        if not record["count"]:
            del data["attempts"][who]
        _write(register, data)
    return taken


def _delay(failures: int) -> int:
    """Seconds to wait after ``failures`` failures in a row: 0 for the first five, then
    2, 4, 8, ... up to 60."""
    if failures < FREE_FAILURES:
        return 0
    return min(MAX_DELAY, FIRST_DELAY * 2 ** (failures - FREE_FAILURES))


def _wait(data: dict[str, Any], who: str, now: datetime) -> int:
    record = data["attempts"].get(who)
    if not record or not record["last"]:
        return 0
    delay = _delay(record["count"])
    due = delay - (now - datetime.fromisoformat(record["last"])).total_seconds()
    # whole seconds, rounded up; never more than the delay (a clock put back)
    return max(0, min(delay, int(due + 0.999)))


def _try_passphrase(register: Path, entry: dict[str, Any] | None, passphrase: str) -> bytes | None:
    if entry is None:
        # An unknown name costs the same derivation as a known one: the time taken
        # must not tell which names exist.
        KDF.derive(passphrase, secrets.token_bytes(16))
        return None
    kdf = entry["kdf"]
    if kdf.get("type") != "argon2id":
        raise DamagedKeyringError(
            _DAMAGED_KEYRING, path=str(keyring_path(register)), detail="unknown derivation"
        )
    kek = Argon2id.from_json(kdf).derive(passphrase, _unb64(kdf["salt"]))
    return _unwrap(kek, entry, _USER_AAD)


def _trim_attempts(data: dict[str, Any]) -> None:
    attempts = data["attempts"]
    if len(attempts) > _KEEP_NAMES:
        newest = sorted(attempts, key=lambda k: attempts[k]["last"] or "", reverse=True)
        for who in newest[_KEEP_NAMES:]:
            del attempts[who]


# --- helpers ----------------------------------------------------------------------------


def _passphrase_bytes(passphrase: str) -> bytes:
    # NFC: the same passphrase typed on two keyboards (a precomposed č or c + caron)
    # gives the same bytes.
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _name_id(data: dict[str, Any], name: str) -> str:
    """The entry of ``name``: a keyed hash of the name as the command line finds users
    (script, case and diacritics do not matter), salted per register so that the file
    lists nobody."""
    key = script.search_key(name)
    if not key:
        raise ValueError("a user's name needs a letter or a digit")
    return hmac.new(_unb64(data["salt"]), key.encode("utf-8"), hashlib.sha256).hexdigest()


def _check_key(db_key: bytes) -> None:
    if len(db_key) != engine.KEY_BYTES:
        raise ValueError(f"a database key has {engine.KEY_BYTES} bytes")


def _require_same_key(data: dict[str, Any], db_key: bytes, register: Path) -> None:
    _check_key(db_key)
    if not hmac.compare_digest(data["key_id"], key_id(db_key)):
        raise KeyringError(
            N_("That key is not the key of {path}: nothing was changed."), path=str(register)
        )


def _wrap(kek: bytes, db_key: bytes, aad: bytes) -> dict[str, str]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(12)
    return {"nonce": _b64(nonce), "wrapped": _b64(AESGCM(kek).encrypt(nonce, db_key, aad))}


def _unwrap(kek: bytes, entry: dict[str, Any], aad: bytes) -> bytes | None:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(kek).decrypt(_unb64(entry["nonce"]), _unb64(entry["wrapped"]), aad)
    except InvalidTag:
        return None


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("sign-in times are aware (UTC)")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _read(register: Path) -> dict[str, Any]:
    path = keyring_path(register)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NoKeyringError(_NO_KEYRING, path=str(register), keys=str(path)) from None
    try:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError("not a docassist key file")
        if data.get("version") != VERSION:
            raise ValueError(f"version {data.get('version')}")
        for field in ("salt", "key_id", "users", "recovery", "attempts"):
            if field not in data:
                raise ValueError(f"no {field}")
        _unb64(data["salt"])
    except (ValueError, TypeError, AttributeError, binascii.Error) as err:
        raise DamagedKeyringError(_DAMAGED_KEYRING, path=str(path), detail=str(err)) from err
    return data


def _write(register: Path, data: dict[str, Any]) -> None:
    """Replace the key file whole (a temporary file beside it, then a rename), owner-only
    from its first byte and on disk before the rename: a crash leaves the old file or
    the new one, never half of one."""
    path = keyring_path(register)
    private_folder(path.parent, fix=False)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, sort_keys=True)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    if not hasattr(os, "O_DIRECTORY"):
        return  # Windows
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _locked(register: Path) -> Iterator[None]:
    """Hold the key file's lock for a read-modify-write: two programs counting a
    failure at once would otherwise keep one count."""
    if fcntl is None:
        yield
        return
    keys = keyring_path(register)
    private_folder(keys.parent, fix=False)
    fd = os.open(keys.with_name(f".{keys.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
