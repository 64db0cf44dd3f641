"""The real register encrypted end to end, tried as a user would: ``init``, signing in,
names that no file shows, modes under umask 022, recovery, ``db encrypt``, encrypted
backups checked and restored."""

from __future__ import annotations

import os
import re
import stat
import sys
from pathlib import Path

import pytest

from docassist.cli import main
from docassist.domain.model import Role
from docassist.services import accounts
from docassist.store import keys
from tests.cli.support import PASSPHRASE, sign_in_as

OWNER = "Vesna Koordinatorka"
OWNER_PASSPHRASE = "our calm words here"
# A family nobody else has: its name, as typed and as search keys keep it, and its JMBG.
KNOWN = ("Zvonimirka", "zvonimirka", "Brankovićeva", "brankoviceva", "0403990715138")
RECOVERY = re.compile(r"^ {4}([A-Z2-7]{4}(?:-[A-Z2-7]{4}){12})$", re.M)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def quiet(monkeypatch):
    """No terminal: a passphrase is never asked for."""

    def ask(prompt=""):
        raise AssertionError(f"asked: {prompt!r}")

    monkeypatch.setattr("getpass.getpass", ask)


def _init(capsys, monkeypatch, path: Path) -> str:
    """``docassist init`` as a script runs it; returns the recovery key it printed."""
    sign_in_as(monkeypatch, OWNER, OWNER_PASSPHRASE)
    assert main(["--db", str(path), "init", "--user", OWNER]) == 0
    out = capsys.readouterr()
    [recovery] = RECOVERY.findall(out.out)
    assert recovery not in out.err
    assert "Print it" in out.out and "lock the paper away" in out.out
    return recovery


KNOWN_ROW = "Zvonimirka;Brankovićeva;0403990715138;04.03.1990"


def _import(path: Path, tmp_path: Path, row: str = KNOWN_ROW) -> None:
    """One family through ``import households --apply``, as the command's user."""
    csv = tmp_path / "list.csv"
    csv.write_text(f"Ime;Prezime;JMBG;Datum rođenja\n{row}\n", encoding="utf-8")
    assert main(["--db", str(path), "import", "households", str(csv), "--apply"]) == 0


def _found_in(file: Path) -> list[str]:
    data = file.read_bytes()
    return [word for word in KNOWN if word.encode("utf-8") in data]


def _recovery_file(tmp_path: Path, recovery: str) -> Path:
    file = tmp_path / "recovery.txt"
    file.write_text(recovery.lower().replace("-", " ") + "\n")  # typed back any way
    file.chmod(0o600)
    return file


def _count(capsys, path: Path, *extra: str) -> str:
    """``db check``'s line of counts."""
    capsys.readouterr()
    assert main(["--db", str(path), "db", "check", *extra]) == 0, capsys.readouterr().err
    return capsys.readouterr().out.strip().split(": ", 1)[1]


# --- init ---------------------------------------------------------------------------------


def test_init_makes_an_encrypted_register_and_prints_the_recovery_key_once(
    capsys, tmp_path, monkeypatch, quiet
):
    path = tmp_path / "register.db"
    recovery = _init(capsys, monkeypatch, path)
    assert path.read_bytes()[:16] != b"SQLite format 3\x00"
    assert keys.has_keyring(path)
    assert recovery.replace("-", "") not in keys.keyring_path(path).read_text()
    # the register opens with its coordinator's passphrase, and with the recovery key
    assert main(["--db", str(path), "report"]) == 0
    assert "not encrypted" not in capsys.readouterr().err
    assert keys.unlock_with_recovery(path, recovery)
    # never again: nothing the register or its key file hold, nor a later command, says it
    assert main(["--db", str(path), "db", "check"]) == 0
    assert recovery not in capsys.readouterr().out


def test_init_at_a_terminal_asks_twice_without_echo(capsys, tmp_path, monkeypatch):
    from tests.cli.test_sign_in import Terminal

    terminal = Terminal(monkeypatch, OWNER_PASSPHRASE, OWNER_PASSPHRASE)
    assert main(["--db", str(tmp_path / "r.db"), "init", "--user", OWNER]) == 0
    out = capsys.readouterr().out
    assert terminal.prompts == ["New passphrase: ", "The same passphrase again: "]
    assert OWNER_PASSPHRASE not in out and len(RECOVERY.findall(out)) == 1


# --- names nobody can read in the files ---------------------------------------------------


def test_a_known_name_is_in_none_of_the_files(capsys, tmp_path, monkeypatch, quiet):
    path = tmp_path / "register.db"
    _init(capsys, monkeypatch, path)
    # Held open meanwhile, as the app holds it: the import's pages stay in the -wal file.
    held = accounts.open_signed_in(path, OWNER, OWNER_PASSPHRASE)[0]
    try:
        _import(path, tmp_path)
        wal = path.with_name(path.name + "-wal")
        assert wal.stat().st_size > 0
        copy = tmp_path / "copy.db"
        assert main(["--db", str(path), "db", "backup", "--output", str(copy)]) == 0
        for file in (path, wal, copy, keys.keyring_path(path), keys.keyring_path(copy)):
            assert _found_in(file) == [], file
    finally:
        held.db.close()
    capsys.readouterr()
    # and yet they are there, for whoever signs in; the export with names is encrypted too
    monkeypatch.setenv("DOCASSIST_EXPORT_PASSPHRASE", "export words for the test")
    assert main(["--db", str(path), "export", "--output", str(tmp_path / "all.xlsx")]) == 0
    assert _found_in(tmp_path / "all.xlsx.zip") == []
    assert main(["--db", str(copy), "db", "check"]) == 0
    assert "1 household, 1 person" in capsys.readouterr().out


def test_the_same_name_is_readable_in_a_plaintext_register(capsys, tmp_path, monkeypatch):
    # The control: the test above would see the name if the register were not encrypted.
    path = tmp_path / "plain.db"
    accounts.create_register(path, OWNER, OWNER_PASSPHRASE, encrypt=False).context.db.close()
    sign_in_as(monkeypatch, OWNER, OWNER_PASSPHRASE)
    _import(path, tmp_path)
    assert "Zvonimirka" in _found_in(path)
    err = capsys.readouterr().err
    assert err.count("is not encrypted") == 1 and "docassist db encrypt" in err


# --- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "passphrase", "words"),
    [
        ("Vesna Koordinatorka", "not the passphrase", "do not match"),
        ("Nobody Known", OWNER_PASSPHRASE, "do not match"),
        ("Ana Polaznica", PASSPHRASE, "Trainees practise on made-up families only"),
    ],
    ids=["wrong passphrase", "unknown user", "trainee"],
)
def test_refusals_name_nobody_and_read_nothing(
    capsys, tmp_path, monkeypatch, quiet, who, passphrase, words
):
    path = tmp_path / "register.db"
    _init(capsys, monkeypatch, path)
    _import(path, tmp_path)
    ctx, boss = accounts.open_signed_in(path, OWNER, OWNER_PASSPHRASE)
    ana = accounts.create_user(ctx, boss, "Ana Polaznica", Role.TRAINEE, "first words here")
    ctx.db.close()
    ctx, session = accounts.open_signed_in(path, "Ana Polaznica", "first words here")
    accounts.change_passphrase(ctx, session, "first words here", PASSPHRASE)
    ctx.db.close()
    capsys.readouterr()
    sign_in_as(monkeypatch, who, passphrase)
    out = tmp_path / "all.xlsx"
    for command in (["export", "--output", str(out)], ["report"], ["db", "check"]):
        assert main(["--db", str(path), *command]) == 2
        captured = capsys.readouterr()
        [line] = captured.err.strip().splitlines()
        assert words in line and "Traceback" not in captured.err
        for name in ("Vesna", "Koordinatorka", "Ana", "Polaznica", "Zvonimirka"):
            assert name not in line and name not in captured.out
    assert not out.exists() and ana.id


# --- recovery and passphrase changes -----------------------------------------------------


def test_the_recovery_key_opens_the_register_and_sets_a_new_passphrase(
    capsys, tmp_path, monkeypatch, quiet
):
    path = tmp_path / "register.db"
    recovery = _init(capsys, monkeypatch, path)
    _import(path, tmp_path)
    counts = _count(capsys, path)
    monkeypatch.delenv("DOCASSIST_USER")
    file = _recovery_file(tmp_path, recovery)
    assert _count(capsys, path, "--recovery-key-file", str(file)) == counts  # no sign-in
    # the forgotten passphrase is set anew
    monkeypatch.setenv("DOCASSIST_PASSPHRASE", "found again, calmly")
    recover = ["--db", str(path), "db", "recover", "--user", "vesna koordinatorka"]
    assert main([*recover, "--recovery-key-file", str(file)]) == 0
    assert "Vesna Koordinatorka's passphrase is set" in capsys.readouterr().out
    sign_in_as(monkeypatch, OWNER, OWNER_PASSPHRASE)
    assert main(["--db", str(path), "report"]) == 2
    capsys.readouterr()
    sign_in_as(monkeypatch, OWNER, "found again, calmly")
    assert _count(capsys, path) != counts  # the recovery is one more audit entry
    ctx, _session = accounts.open_signed_in(path, OWNER, "found again, calmly")
    try:
        actions = [r[0] for r in ctx.db.execute("SELECT action FROM audit_log")]
        assert "passphrase_recovered" in actions
        everything = " ".join(str(v) for r in ctx.db.execute("SELECT * FROM audit_log") for v in r)
        assert recovery not in everything and "found again" not in everything
    finally:
        ctx.db.close()


def test_a_recovery_key_typed_without_echo_and_a_wrong_one(capsys, tmp_path, monkeypatch):
    from tests.cli.test_sign_in import Terminal

    path = tmp_path / "register.db"
    recovery = _init(capsys, monkeypatch, path)
    monkeypatch.delenv("DOCASSIST_PASSPHRASE")
    recover = ["--db", str(path), "db", "recover", "--user", OWNER]
    wrong = "A" * 52
    Terminal(monkeypatch, wrong)
    assert main(recover) == 2
    assert "does not open this register" in capsys.readouterr().err
    terminal = Terminal(monkeypatch, recovery, "new calm words", "new calm words")
    assert main(recover) == 0
    assert terminal.prompts[0].startswith("Recovery key")
    assert recovery not in capsys.readouterr().out
    # the wrong one is in the audit trail, as a failure by nobody, and nothing of it
    ctx, _session = accounts.open_signed_in(path, OWNER, "new calm words")
    try:
        rows = ctx.db.execute(
            "SELECT user_id, entity, before, after, id FROM audit_log "
            "WHERE action = 'recovery_key_failed'"
        ).fetchall()
        recovered = ctx.db.execute(
            "SELECT id FROM audit_log WHERE action = 'passphrase_recovered'"
        ).fetchone()
        everything = " ".join(str(v) for r in ctx.db.execute("SELECT * FROM audit_log") for v in r)
    finally:
        ctx.db.close()
    assert [r[:4] for r in rows] == [(None, "register", None, None)]
    assert rows[0][4] < recovered[0]  # recorded by the recovery that followed
    assert wrong not in everything and recovery not in everything
    assert "recovery_failures" in keys.keyring_path(path).read_text()  # emptied, kept
    assert not keys.take_recovery_failures(path)


def test_recover_on_a_plaintext_register_says_there_is_no_recovery_key(
    capsys, tmp_path, monkeypatch, quiet
):
    path = tmp_path / "plain.db"
    accounts.create_register(path, OWNER, OWNER_PASSPHRASE, encrypt=False).context.db.close()
    assert main(["--db", str(path), "db", "recover", "--user", OWNER]) == 2
    assert "not encrypted: it has no recovery key" in capsys.readouterr().err


def test_a_passphrase_change_leaves_the_data_readable(capsys, tmp_path, monkeypatch):
    from tests.cli.test_sign_in import Terminal

    path = tmp_path / "register.db"
    _init(capsys, monkeypatch, path)
    _import(path, tmp_path)
    counts = _count(capsys, path)
    ctx, boss = accounts.open_signed_in(path, OWNER, OWNER_PASSPHRASE)
    accounts.create_user(ctx, boss, "Fikret", Role.FACILITATOR, "given by vesna")
    ctx.db.close()
    key = ctx.db_key
    assert key is not None
    monkeypatch.delenv("DOCASSIST_PASSPHRASE")
    Terminal(monkeypatch, "given by vesna", "fikret's own words", "fikret's own words")
    assert main(["--db", str(path), "--lang", "en", "report", "--user", "Fikret"]) == 0
    assert "Zvonimirka" not in capsys.readouterr().out  # a report has no names
    assert keys.keyring_matches(path, key)  # the same key: the file was not re-encrypted
    monkeypatch.setattr(sys, "stdin", open(os.devnull))  # noqa: SIM115 - a script again
    sign_in_as(monkeypatch, "Fikret", "fikret's own words")
    assert _count(capsys, path).split(", ")[:4] == counts.split(", ")[:4]


# --- files owner-only ---------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_file_is_owner_only_under_umask_022(capsys, tmp_path, monkeypatch, umask_022):
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "register.db"
    _init(capsys, monkeypatch, path)
    held = accounts.open_signed_in(path, OWNER, OWNER_PASSPHRASE)[0]
    try:
        _import(path, tmp_path)
        assert main(["--db", str(path), "db", "backup"]) == 0  # into the backups folder
        wal = path.with_name(path.name + "-wal")
        for file in (path, wal, path.with_name(path.name + "-shm"), keys.keyring_path(path)):
            assert _mode(file) == 0o600, file
    finally:
        held.db.close()
    from docassist import locations

    backups = locations.backups_dir()
    assert _mode(backups) == 0o700
    [copy] = backups.glob("docassist-*.db")
    assert _mode(copy) == 0o600 and _mode(keys.keyring_path(copy)) == 0o600


def test_a_register_others_could_read_is_fixed_and_said_once(capsys, tmp_path, monkeypatch):
    path = tmp_path / "register.db"
    _init(capsys, monkeypatch, path)
    path.chmod(0o644)
    keys.keyring_path(path).chmod(0o644)
    assert main(["--db", str(path), "report"]) == 0
    err = capsys.readouterr().err
    assert err.count("now yours only") == 1 and str(path) in err
    assert _mode(path) == 0o600 and _mode(keys.keyring_path(path)) == 0o600
    assert main(["--db", str(path), "report"]) == 0
    assert "yours only" not in capsys.readouterr().err


# --- db encrypt ---------------------------------------------------------------------------


def _plaintext_register(tmp_path, monkeypatch) -> Path:
    """A register from before encryption, with a family and a second account."""
    path = tmp_path / "old.db"
    old = accounts.create_register(path, OWNER, OWNER_PASSPHRASE, encrypt=False)
    accounts.create_user(old.context, old.session, "Fikret", Role.FACILITATOR, "given by vesna")
    old.context.db.close()
    sign_in_as(monkeypatch, OWNER, OWNER_PASSPHRASE)
    _import(path, tmp_path)
    return path


def test_db_encrypt_keeps_the_data_and_a_second_run_says_so(capsys, tmp_path, monkeypatch, quiet):
    path = _plaintext_register(tmp_path, monkeypatch)
    counts = _count(capsys, path)
    assert main(["--db", str(path), "db", "encrypt"]) == 0
    out = capsys.readouterr().out
    [recovery] = RECOVERY.findall(out)
    assert "1 other account cannot sign in until a coordinator resets its passphrase" in out
    assert path.read_bytes()[:16] != b"SQLite format 3\x00"
    assert _found_in(path) == []
    assert keys.unlock_with_recovery(path, recovery)
    # every row is there (and one more audit entry: the encryption), no warning any more
    now = _count(capsys, path)
    assert now.split(", ")[:4] == counts.split(", ")[:4]
    assert main(["--db", str(path), "report"]) == 0
    assert "not encrypted" not in capsys.readouterr().err
    assert main(["--db", str(path), "db", "encrypt"]) == 0
    assert "already encrypted" in capsys.readouterr().out
    # Fikret gets a key from a coordinator's reset, and chooses his own at the next sign-in
    sign_in_as(monkeypatch, "Fikret", "given by vesna")
    assert main(["--db", str(path), "report"]) == 2
    assert "do not match" in capsys.readouterr().err
    ctx, boss = accounts.open_signed_in(path, OWNER, OWNER_PASSPHRASE)
    [fikret] = [a for a in accounts.list_accounts(ctx, boss) if a.name == "Fikret"]
    assert not fikret.has_passphrase
    accounts.reset_passphrase(ctx, boss, fikret.id, "reset by vesna")
    ctx.db.close()
    sign_in_as(monkeypatch, "Fikret", "reset by vesna")
    assert main(["--db", str(path), "report"]) == 2
    assert "run the command at a terminal" in capsys.readouterr().err


def test_db_encrypt_is_a_coordinators(capsys, tmp_path, monkeypatch, quiet):
    path = _plaintext_register(tmp_path, monkeypatch)
    before = path.read_bytes()
    ctx, session = accounts.open_signed_in(path, "Fikret", "given by vesna")
    accounts.change_passphrase(ctx, session, "given by vesna", "fikret's own words")
    ctx.db.close()
    before = path.read_bytes()
    sign_in_as(monkeypatch, "Fikret", "fikret's own words")
    assert main(["--db", str(path), "db", "encrypt"]) == 2
    [line] = [x for x in capsys.readouterr().err.splitlines() if "not encrypted" not in x]
    assert "Only a coordinator may encrypt" in line
    assert path.read_bytes()[:16] == b"SQLite format 3\x00" and not keys.has_keyring(path)
    assert len(path.read_bytes()) == len(before)


def test_a_demo_register_is_not_encrypted_nor_warned_about(capsys, tmp_path, quiet):
    path = tmp_path / "demo.db"
    assert main(["--db", str(path), "demo", "--households", "3", "--no-run"]) == 0
    capsys.readouterr()
    check = ["--db", str(path), "report", "--user", "Senad Coordinator"]
    assert main(check) == 0
    assert capsys.readouterr().err == ""
    assert main(["--db", str(path), "db", "encrypt", "--user", "Senad Coordinator"]) == 2
    assert "made-up families" in capsys.readouterr().err


# --- encrypted backups: check and restore -------------------------------------------------


def test_an_encrypted_backup_is_checked_and_restored(capsys, tmp_path, monkeypatch, quiet):
    path = tmp_path / "register.db"
    recovery = _init(capsys, monkeypatch, path)
    _import(path, tmp_path)
    copies = tmp_path / "copies"
    copies.mkdir()  # a folder the user names is never made
    assert main(["--db", str(path), "db", "backup", "--output", str(copies)]) == 0
    assert "key file beside it" in capsys.readouterr().out
    [copy] = copies.glob("docassist-*.db")
    assert copy.read_bytes()[:16] != b"SQLite format 3\x00" and keys.has_keyring(copy)
    counts = _count(capsys, copy)
    assert "1 household, 1 person" in counts
    # a wrong passphrase opens neither the backup nor the register
    sign_in_as(monkeypatch, OWNER, "not the passphrase")
    assert main(["--db", str(copy), "db", "check"]) == 2
    assert main(["--db", str(path), "db", "restore", str(copy)]) == 2
    assert capsys.readouterr().err.count("do not match") == 2
    # a family registered after the backup goes with the restore (kept in the old copy)
    sign_in_as(monkeypatch, OWNER, OWNER_PASSPHRASE)
    _import(path, tmp_path, "Dragica;Tomić;;1988")
    assert "2 households" in _count(capsys, path)
    assert main(["--db", str(path), "db", "restore", str(copy)]) == 0
    assert "is kept in" in capsys.readouterr().out
    assert _count(capsys, path).split(", ")[:2] == counts.split(", ")[:2]
    assert path.read_bytes()[:16] != b"SQLite format 3\x00"
    # the recovery key checks and restores it too, with nobody signed in
    monkeypatch.delenv("DOCASSIST_USER")
    monkeypatch.delenv("DOCASSIST_PASSPHRASE")
    file = _recovery_file(tmp_path, recovery)
    assert main(["--db", str(copy), "db", "check", "--recovery-key-file", str(file)]) == 0
    capsys.readouterr()
    restore = ["--db", str(path), "db", "restore", str(copy), "--recovery-key-file", str(file)]
    assert main(restore) == 0
    sign_in_as(monkeypatch, OWNER, OWNER_PASSPHRASE)
    ctx, _session = accounts.open_signed_in(path, OWNER, OWNER_PASSPHRASE)
    try:
        [after] = ctx.db.execute(
            "SELECT after FROM audit_log WHERE action = 'restore' ORDER BY id DESC LIMIT 1"
        ).fetchone()
        assert '"with": "recovery key"' in after
    finally:
        ctx.db.close()


def test_an_encrypted_backup_restored_on_a_new_laptop(capsys, tmp_path, monkeypatch, quiet):
    path = tmp_path / "register.db"
    _init(capsys, monkeypatch, path)
    _import(path, tmp_path)
    copy = tmp_path / "stick" / "copy.db"
    copy.parent.mkdir()
    assert main(["--db", str(path), "db", "backup", "--output", str(copy)]) == 0
    elsewhere = tmp_path / "new-laptop" / "register.db"
    elsewhere.parent.mkdir()
    assert main(["--db", str(elsewhere), "db", "restore", str(copy)]) == 0
    capsys.readouterr()
    assert keys.has_keyring(elsewhere)  # the backup's key file came with it
    assert "1 household, 1 person" in _count(capsys, elsewhere)


def test_a_backup_from_before_encryption_restored_over_an_encrypted_register(
    capsys, tmp_path, monkeypatch, quiet
):
    path = _plaintext_register(tmp_path, monkeypatch)
    old = tmp_path / "old-copy.db"
    assert main(["--db", str(path), "db", "backup", "--output", str(old)]) == 0
    assert main(["--db", str(path), "db", "encrypt"]) == 0
    capsys.readouterr()
    assert main(["--db", str(path), "db", "restore", str(old)]) == 0
    out = capsys.readouterr().out
    assert "neither is the register now" in out and "db encrypt" in out
    assert path.read_bytes()[:16] == b"SQLite format 3\x00" and not keys.has_keyring(path)
    # the encrypted register it replaced is kept, with its key file
    [kept] = Path(os.environ["DOCASSIST_HOME"], "backups").glob("before-restore-*.db")
    assert keys.has_keyring(kept) and kept.read_bytes()[:16] != b"SQLite format 3\x00"
