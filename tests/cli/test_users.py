"""``docassist users list|reset-passphrase``, and the way from a register made before
accounts and encryption to one where everyone signs in with their own passphrase:
the coordinator first, ``db encrypt``, a reset for each of the others, who then choose
their own at their next sign-in."""

from __future__ import annotations

import os
import sys

import pytest

from docassist.cli import main
from docassist.domain.model import Role
from docassist.services import accounts, users
from docassist.services.context import Context
from docassist.store.db import open_database
from tests.cli.support import sign_in_as

BOSS = "Vesna Koordinatorka"
BOSS_WORDS = "our calm words here"
GIVEN = "given by vesna today"
OWN = "fikret's own words"


@pytest.fixture
def before_accounts(tmp_path):
    """A real register from before accounts and encryption: two users, no passphrases."""
    path = tmp_path / "old.db"
    db = open_database(path, create=True)
    try:
        users.create_user(Context(db), BOSS, Role.COORDINATOR)
        users.create_user(Context(db), "Fikret", Role.FACILITATOR)
    finally:
        db.close()
    return path


def at_a_terminal(monkeypatch, answers: dict[str, str]) -> list[str]:
    """The command runs at a terminal; each passphrase prompt gets the answer of the
    first key it starts with. Returns the prompts asked, in order."""
    asked: list[str] = []

    def getpass(prompt=""):
        asked.append(prompt)
        for start, answer in answers.items():
            if prompt.startswith(start):
                return answer
        raise AssertionError(f"not expected: {prompt!r}")

    monkeypatch.setattr("docassist.cli.register._at_terminal", lambda: True)
    monkeypatch.setattr("getpass.getpass", getpass)
    return asked


def no_terminal(monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", open(os.devnull))  # noqa: SIM115 - closed at exit


def test_after_db_encrypt_the_others_get_a_reset_and_choose_their_own(
    capsys, before_accounts, monkeypatch
):
    path = before_accounts
    db = ["--db", str(path)]
    no_terminal(monkeypatch)
    # A coordinator first: Fikret cannot be the first to choose a passphrase.
    sign_in_as(monkeypatch, "Fikret", OWN)
    assert main([*db, "report"]) == 2
    assert "a coordinator signs in first" in capsys.readouterr().err
    sign_in_as(monkeypatch, BOSS, BOSS_WORDS)
    assert main([*db, "db", "encrypt"]) == 0  # her script's passphrase becomes hers
    out = capsys.readouterr().out
    assert "1 other account cannot sign in until a coordinator resets" in out
    assert "docassist users reset-passphrase NAME" in out
    assert main([*db, "users", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert f"{BOSS}\tCoordinator\tsigns in" in listed
    assert (
        "Fikret\tFacilitator\tcannot sign in: waits for a coordinator to reset its passphrase"
        in listed
    )
    # Fikret: nothing opens for him yet, and nobody is named.
    sign_in_as(monkeypatch, "Fikret", OWN)
    assert main([*db, "report"]) == 2
    err = capsys.readouterr().err
    assert "do not match" in err and BOSS not in err
    # His reset, by name in either script and any case, the new passphrase from the
    # environment (the coordinator's own still signs her in).
    sign_in_as(monkeypatch, BOSS, BOSS_WORDS)
    monkeypatch.setenv("DOCASSIST_NEW_PASSPHRASE", GIVEN)
    assert main([*db, "users", "reset-passphrase", "ФИКРЕТ"]) == 0
    assert "Fikret's passphrase is reset" in capsys.readouterr().out
    monkeypatch.delenv("DOCASSIST_NEW_PASSPHRASE")
    # A script with the given passphrase is told to choose his own at a terminal ...
    sign_in_as(monkeypatch, "Fikret", GIVEN)
    assert main([*db, "report"]) == 2
    assert "run the command at a terminal" in capsys.readouterr().err
    # ... where he does, at his next sign-in.
    monkeypatch.delenv("DOCASSIST_PASSPHRASE")
    asked = at_a_terminal(
        monkeypatch, {"Passphrase for Fikret": GIVEN, "New passphrase": OWN, "The same": OWN}
    )
    assert main([*db, "report"]) == 0, capsys.readouterr().err
    assert asked == ["Passphrase for Fikret: ", "New passphrase: ", "The same passphrase again: "]
    ctx, session = accounts.open_signed_in(path, "Fikret", OWN)
    try:
        assert not session.must_change_passphrase
        done = [r[0] for r in ctx.db.execute("SELECT action FROM audit_log ORDER BY id")]
    finally:
        ctx.db.close()
    assert done.count("passphrase_reset") == 1 and done.count("passphrase_change") == 1
    with pytest.raises(accounts.SignInError):
        accounts.open_signed_in(path, "Fikret", GIVEN)


def test_only_a_coordinator_resets_and_an_unknown_name_is_said(
    capsys, before_accounts, monkeypatch
):
    path = before_accounts
    db = ["--db", str(path)]
    no_terminal(monkeypatch)
    sign_in_as(monkeypatch, BOSS, BOSS_WORDS)
    assert main([*db, "db", "encrypt"]) == 0
    monkeypatch.setenv("DOCASSIST_NEW_PASSPHRASE", GIVEN)
    assert main([*db, "users", "reset-passphrase", "Nobody Here"]) == 2
    assert "There is no account called Nobody Here" in capsys.readouterr().err
    # Her own: with her current passphrase, not a reset.
    assert main([*db, "users", "reset-passphrase", BOSS]) == 2
    assert "not with a reset" in capsys.readouterr().err
    monkeypatch.setenv("DOCASSIST_NEW_PASSPHRASE", "short")
    assert main([*db, "users", "reset-passphrase", "Fikret"]) == 2
    assert "at least 10 characters" in capsys.readouterr().err
    monkeypatch.delenv("DOCASSIST_NEW_PASSPHRASE")
    assert main([*db, "users", "reset-passphrase", "Fikret"]) == 2  # no terminal, none given
    assert "DOCASSIST_NEW_PASSPHRASE or --new-passphrase-file" in capsys.readouterr().err
    new = path.parent / "new.txt"
    new.write_text(GIVEN + "\n")
    new.chmod(0o600)
    assert (
        main([*db, "users", "reset-passphrase", "Fikret", "--new-passphrase-file", str(new)]) == 0
    )
    capsys.readouterr()
    # Fikret, with a passphrase of his own now, may not reset anyone's, and is not told
    # whether the name he typed has an account.
    ctx, session = accounts.open_signed_in(path, "Fikret", GIVEN)
    accounts.change_passphrase(ctx, session, GIVEN, OWN)
    ctx.db.close()
    sign_in_as(monkeypatch, "Fikret", OWN)
    monkeypatch.setenv("DOCASSIST_NEW_PASSPHRASE", GIVEN)
    for name in (BOSS, "Nobody Here"):
        assert main([*db, "users", "reset-passphrase", name]) == 2
        [line] = capsys.readouterr().err.splitlines()
        assert line == (
            "docassist: Only a coordinator may change roles, reset passphrases or remove accounts."
        )
    assert main([*db, "users", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == ["Fikret\tFacilitator\tsigns in"]


def test_works_in_sets_the_municipalities_of_a_facilitators_laptop(tmp_path, monkeypatch, capsys):
    """`users works-in NAME MUNICIPALITY ...`: where a facilitator works (what the hub
    gives their laptop), set by a coordinator; the register's spelling of a place it
    knows, a warning for one no household names, and without places: where now."""
    from docassist.services import households as hh
    from docassist.services import scopes

    path = tmp_path / "office.db"
    monkeypatch.setenv("DOCASSIST_USER", BOSS)
    monkeypatch.setenv("DOCASSIST_PASSPHRASE", BOSS_WORDS)
    db = ("--db", str(path))
    assert main([*db, "init"]) == 0
    ctx, session = accounts.open_signed_in(path, BOSS, BOSS_WORDS)
    try:
        fikret = accounts.create_user(ctx, session, "Fikret", Role.FACILITATOR, GIVEN).id
        hh.register_household(ctx, hh.HouseholdInput("Ramić", municipality="Niš"))
    finally:
        ctx.db.close()
    capsys.readouterr()

    assert main([*db, "users", "works-in", "fikret", "nis", "Kraljevo"]) == 0
    out = capsys.readouterr().out
    assert "Fikret works in: Kraljevo, Niš." in out
    assert "No household in this register is in Kraljevo" in out
    assert "next sync" in out
    ctx, _ = accounts.open_signed_in(path, BOSS, BOSS_WORDS)
    try:
        assert scopes.scopes_of(ctx, fikret) == ["Kraljevo", "Niš"]
    finally:
        ctx.db.close()

    assert main([*db, "users", "works-in", "Fikret"]) == 0
    out = capsys.readouterr().out
    assert "Fikret works in: Kraljevo, Niš." in out and "next sync" not in out
    assert main([*db, "users", "works-in", "Fikret", "--none"]) == 0
    assert "Fikret works in no municipality." in capsys.readouterr().out
    assert main([*db, "users", "works-in", "Fikret", "Niš", "--none"]) == 2
    assert main([*db, "users", "works-in", "Nobody Here", "Niš"]) == 2

    # a facilitator may not say where anyone works
    ctx, session = accounts.open_signed_in(path, "Fikret", GIVEN)
    try:
        accounts.change_passphrase(ctx, session, GIVEN, OWN)
    finally:
        ctx.db.close()
    monkeypatch.setenv("DOCASSIST_USER", "Fikret")
    monkeypatch.setenv("DOCASSIST_PASSPHRASE", OWN)
    capsys.readouterr()
    assert main([*db, "users", "works-in", "Fikret", "Niš"]) == 2
    err = capsys.readouterr().err
    assert "coordinator" in err and "Traceback" not in err
