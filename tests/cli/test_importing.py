"""``docassist import households``: a dry run by default, one line and status 2 for a bad file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from docassist.cli import main
from docassist.domain.model import Role
from tests.cli.support import add_user, open_register, sign_in_as

FIXTURE = Path(__file__).parents[1] / "fixtures" / "import" / "households.csv"


@pytest.fixture
def register(tmp_path, monkeypatch):
    """A register with a coordinator (signed in as, unless --user says otherwise) and a
    trainee."""
    path = tmp_path / "register.db"
    add_user(path, "Milica Jovanović", Role.COORDINATOR)
    add_user(path, "Novi Polaznik", Role.TRAINEE)
    sign_in_as(monkeypatch, "Milica Jovanović")
    return path


def _counts(path) -> tuple[int, int, int]:
    """Households, people and audit entries other than signing in (which a dry run
    records too: it reads the register)."""
    db = open_register(path)
    try:
        return tuple(
            db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("households", "persons", "audit_log WHERE action NOT LIKE 'sign_in%'")
        )
    finally:
        db.close()


def test_dry_run_prints_mapping_problems_and_summary(capsys, register):
    before = _counts(register)
    assert main(["--db", str(register), "import", "households", str(FIXTURE)]) == 1
    out = capsys.readouterr().out
    assert _counts(register) == before
    assert "Domaćinstvo" in out and "-> Household key (household)" in out
    assert "Ime oca        -> Father (father)" in out
    assert f"{FIXTURE}:5: warning: JMBG: The last digit does not match the others" in out
    assert f"{FIXTURE}:6: Birth date: There is no 31.02." in out
    assert f"{FIXTURE}:7: The given name is missing." in out
    assert f"{FIXTURE}:12: Left out: Likely the same person as on line 3" in out
    assert "1 row looks like someone already known and is left out." in out
    assert "To import: 4 households, 6 people." in out
    assert "Add --keep-duplicates" in out
    assert "Nothing was written" in out


def test_apply_writes_and_lists_what_was_created(capsys, register):
    h, p, a = _counts(register)
    args = ["--db", str(register), "import", "households", str(FIXTURE), "--apply"]
    assert main([*args, "--user", "milica jovanovic"]) == 0
    out = capsys.readouterr().out
    # Without anyone registered before, only the second Marija Petrović is left out.
    assert "Imported: 4 households, 6 people." in out
    assert "Petrović (Mali Leskovac): 3 people" in out
    assert _counts(register) == (h + 4, p + 6, a + 10)
    db = open_register(register)
    users = {r[0] for r in db.execute("SELECT user_id FROM audit_log WHERE entity = 'person'")}
    db.close()
    assert None not in users and len(users) == 1


def test_map_overrides_the_guess(capsys, register, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("Ime majke;Prezime;Ime\nMara;Ilić;Ana\n", encoding="utf-8")
    args = ["--db", str(register), "import", "households", str(path)]
    assert main([*args, "--map", "1=given_name"]) == 0
    out = capsys.readouterr().out
    assert "Ime majke  -> Given name (given_name)" in out
    assert "Ime        -> Not imported" in out
    mapped = ["--map", "Ime majke=given_name", "--map", "Ime=-"]
    assert main([*args, *mapped, "--apply", "--user", "milica jovanovic"]) == 0
    db = open_register(register)
    assert db.execute("SELECT given_name FROM persons").fetchall() == [("Mara",)]
    db.close()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--map", "Adresa2=address"], "has no column 'Adresa2'"),
        (["--map", "Ime=first"], "'first' is not a field"),
        (["--map", "Ime"], "--map takes COLUMN=FIELD"),
        (["--sheet", "Porodice"], "CSV file: it has no sheets"),
        (["--user", "Nobody", "--apply"], "That name and passphrase do not match"),
        (["--user", "Novi Polaznik", "--apply"], "Trainees"),
    ],
)
def test_bad_command_lines_are_one_line_and_status_2(capsys, register, extra, message):
    before = _counts(register)
    args = ["--db", str(register), "import", "households", str(FIXTURE), *extra]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("docassist:") and message in err[0]
    assert _counts(register) == before


def test_bad_files_are_one_line_and_status_2(capsys, register, tmp_path):
    for name, content in [("missing.csv", None), ("x.xlsx", b"nope"), ("x.xls", b"\xd0\xcf")]:
        path = tmp_path / name
        if content is not None:
            path.write_bytes(content)
        assert main(["--db", str(register), "import", "households", str(path)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "Traceback" not in err[0] and str(path) in err[0]


def test_messages_follow_the_language(capsys, register, tmp_path):
    path = tmp_path / "list.csv"
    shutil.copy(FIXTURE, path)
    assert main(["--db", str(register), "--lang", "sr", "import", "households", str(path)]) == 1
    out = capsys.readouterr().out
    assert "31.02." in out and "фебруар" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Foo;Bar\n1;2\n", "no column is recognised as given_name, family_name. Its columns"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x10", "does not look like a spreadsheet"),
        (b"hello world\nthis is not a spreadsheet\n", "does not look like a spreadsheet"),
    ],
)
def test_a_file_that_is_no_list_is_named_in_one_line(capsys, register, tmp_path, content, message):
    path = tmp_path / "list.csv"
    path.write_bytes(content)
    assert main(["--db", str(register), "import", "households", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(path) in err[0] and message in err[0]


def test_over_long_cells_and_headers_are_cut_in_every_line(capsys, register, tmp_path):
    path = tmp_path / "list.csv"
    long = "Š" * 5000
    path.write_text(
        f"Ime;Prezime;Datum rođenja;{long}\nAna;{'Ш' * 32_000};{long};x\nMara;Ilić;1990;x\n",
        encoding="utf-8",
    )
    args = ["--db", str(register), "import", "households", str(path)]
    assert main([*args, "--apply", "--user", "milica jovanovic"]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) < 200
    assert f"{path}:2: Family name: This is 32000 characters long; at most 100 fit here." in out
    assert f"{path}:2: Birth date: This is 5000 characters long" in out
    assert "Imported: 1 household, 1 person." in out


def test_applying_the_same_list_twice_writes_it_once(capsys, register):
    args = ["--db", str(register), "import", "households", str(FIXTURE), "--apply"]
    args += ["--user", "milica jovanovic"]
    assert main(args) == 0
    once = _counts(register)
    capsys.readouterr()
    # The tired second run: every good row is someone the first run registered.
    assert main(args) == 1
    out = capsys.readouterr().out
    assert f"{FIXTURE}:8: Left out: Likely the same person as Stefan Jovanović" in out
    assert f"{FIXTURE}:3: JMBG: This JMBG is already registered" in out
    assert "There is nothing to import." in out
    assert _counts(register) == once
    # Kept only when asked, and never a JMBG already registered.
    assert main([*args, "--keep-duplicates"]) == 0
    assert "Imported: 4 households, 4 people." in capsys.readouterr().out
    # The old spelling still leaves them out; both at once is a usage error.
    assert main([*args, "--skip-duplicates"]) == 1
    assert main([*args, "--skip-duplicates", "--keep-duplicates"]) == 2


def test_a_read_only_register_is_one_line_before_anything_is_read(capsys, register, refuse_writes):
    refuse_writes(register)
    args = ["--db", str(register), "import", "households", str(FIXTURE), "--apply"]
    assert main([*args, "--user", "milica jovanovic"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot be written" in err[0] and str(register) in err[0]


@pytest.mark.parametrize("apply", [[], ["--apply", "--user", "milica jovanovic"]])
def test_a_mistyped_register_is_refused_not_created(capsys, tmp_path, apply):
    # Checking duplicates against a new empty register would call every row new.
    typo = tmp_path / "typo.db"
    assert main(["--db", str(typo), "import", "households", str(FIXTURE), *apply]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "There is no database" in err[0] and str(typo) in err[0]
    assert not typo.exists()


def test_a_list_imported_again_that_finds_only_known_people_exits_0(capsys, register):
    # Every row already registered (by JMBG) or a likely duplicate: nothing is wrong
    # with the file, so neither the check nor the import is a failure.
    path = Path(__file__).parents[1] / "fixtures" / "import" / "namesakes.csv"
    args = ["--db", str(register), "import", "households", str(path)]
    user = ["--apply", "--user", "milica jovanovic"]
    assert main([*args, *user]) == 0
    once = _counts(register)
    capsys.readouterr()
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "2 rows are people already in the register (the same JMBG) and are left out." in out
    assert main([*args, *user]) == 0
    assert "There is nothing to import." in capsys.readouterr().out
    assert _counts(register) == once


def test_keep_line_imports_one_likely_duplicate(capsys, register):
    path = Path(__file__).parents[1] / "fixtures" / "import" / "namesakes.csv"
    args = ["--db", str(register), "import", "households", str(path)]
    assert main([*args, "--keep-line", "8"]) == 0
    out = capsys.readouterr().out
    assert f"{path}:7: Left out: Likely the same person as on line 6" in out
    assert f"{path}:8: warning: Likely the same person as on line 2" in out
    assert "To import: 6 households, 6 people." in out
    assert "--keep-line LINE" in out  # line 7 is still left out
