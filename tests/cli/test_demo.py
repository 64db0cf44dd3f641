"""``docassist demo``: a separate file, never the real register."""

from __future__ import annotations

import pytest

from docassist.cli import main


def test_demo_builds_a_separate_database(capsys, _isolated_home):
    assert main(["demo", "--households", "12", "--no-run"]) == 0
    assert (_isolated_home / "demo.db").exists()
    assert not (_isolated_home / "docassist.db").exists()


def test_demo_refuses_the_real_register(capsys, _isolated_home, monkeypatch):
    real = _isolated_home / "real.db"
    monkeypatch.setenv("DOCASSIST_DB", str(real))
    assert main(["--db", str(real), "demo", "--no-run"]) == 2
    assert "never writes into the real register" in capsys.readouterr().err


def test_demo_rejects_silly_sizes(capsys):
    assert main(["demo", "--households", "0", "--no-run"]) == 2
    assert main(["demo", "--households", "many", "--no-run"]) == 2


def _real_register(tmp_path, *, households):
    from docassist.domain.model import Role
    from docassist.services.context import Context
    from docassist.services.households import HouseholdInput, register_household
    from docassist.services.users import create_user
    from docassist.store.db import open_database

    (tmp_path / "usb").mkdir()
    path = tmp_path / "usb" / "register.db"
    db = open_database(path)
    ctx = Context(db)
    ctx.user_id = create_user(ctx, "Vesna", Role.COORDINATOR).id
    for n in range(households):
        register_household(ctx, HouseholdInput(f"Family {n}"))
    db.close()
    return path


def _counts(path):
    import sqlite3

    with sqlite3.connect(path) as conn:
        return [
            conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("households", "users")
        ]


@pytest.mark.parametrize("households", [5, 0])
@pytest.mark.parametrize("rebuild", [True, False])
def test_demo_never_touches_a_real_register(capsys, tmp_path, households, rebuild):
    path = _real_register(tmp_path, households=households)
    before = _counts(path)
    argv = ["--db", str(path), "demo", "--no-run", "--households", "3"]
    assert main(argv + (["--rebuild"] if rebuild else [])) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert str(path) in line and "not a demo register" in line
    assert path.exists() and _counts(path) == before


def test_a_demo_register_elsewhere_is_built_marked_and_rebuilt(capsys, tmp_path):
    path = tmp_path / "try.db"
    argv = ["--db", str(path), "demo", "--no-run", "--households", "3"]
    assert main(argv) == 0
    assert main(argv + ["--rebuild"]) == 0
    assert _counts(path)[0] == 3
