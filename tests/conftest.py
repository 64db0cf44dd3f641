"""Shared fixtures. No test ever touches the user's real data directory, and no test
passes because of the day it happens to run on."""

from __future__ import annotations

import os
from datetime import datetime

import pytest
import time_machine

# Tests pin the context's clock (``Context(db, today=...)``), mostly to 2026-11-23.
# The real clock is moved far from that day, into another quarter and year and late
# in the evening, so code that reads the real clock where it should ask the context
# shows different dates and fails its test, on any day the suite runs.
# DOCASSIST_TEST_CLOCK moves it elsewhere ("2028-12-31 23:30", say) to try other days.
REAL_CLOCK = os.environ.get("DOCASSIST_TEST_CLOCK", "2031-02-15 23:30")


@pytest.fixture(autouse=True)
def _real_clock_elsewhere():
    when = datetime.fromisoformat(REAL_CLOCK).astimezone()
    with time_machine.travel(when, tick=True):
        yield


@pytest.fixture
def a_terminal(monkeypatch):
    """Start the app from ``main()`` as from a terminal (pytest's stdin is not one)."""
    import docassist.cli.app

    monkeypatch.setattr(docassist.cli.app, "need_terminal", lambda: None)


@pytest.fixture(autouse=True)
def _cheap_passphrase_hashes(monkeypatch):
    """Argon2id at its cheapest: the real parameters cost 0.2 s per hash on purpose, and
    the suite hashes thousands of passphrases. What is tested is the same code path."""
    from argon2 import PasswordHasher

    from docassist.services import accounts

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(accounts, "PASSPHRASE_HASHER", cheap)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("docassist-home")
    monkeypatch.setenv("DOCASSIST_HOME", str(home))
    monkeypatch.delenv("DOCASSIST_DB", raising=False)
    monkeypatch.delenv("DOCASSIST_LANG", raising=False)
    # Whoever runs the suite may have signed in for their own scripts.
    monkeypatch.delenv("DOCASSIST_USER", raising=False)
    monkeypatch.delenv("DOCASSIST_PASSPHRASE", raising=False)
    return home


@pytest.fixture(autouse=True)
def _english_first():
    """The active language is process-wide: each test starts in English and leaves it so."""
    from docassist import i18n

    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture
def refuse_writes(monkeypatch):
    """``refuse_writes(path, ...)``: os.access answers as for a user who may read but
    not write those files or folders. Tests run as root, who may write anything."""
    import os
    from pathlib import Path

    real = os.access
    refused: set[Path] = set()

    def access(path, mode, *args, **kwargs):
        if mode & os.W_OK and Path(path).resolve() in refused:
            return False
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    return lambda *paths: refused.update(Path(p).resolve() for p in paths)


@pytest.fixture(autouse=True)
def _cheap_key_derivation(monkeypatch):
    """Passphrases are stretched with Argon2id at 64 MiB and 3 passes (store/keys.py),
    about 0.2 s each: the suite derives keys by the same code with 1 MiB and one pass.
    The real figures are measured by ``make bench ARGS="--only sign-in"``."""
    from docassist.store import keys

    monkeypatch.setattr(keys, "KDF", keys.Argon2id(memory_kib=1024, time_cost=1, parallelism=1))
