"""How commands find the register, and what they refuse to write over."""

from __future__ import annotations

import pytest

from docassist.cli import main
from tests.cli.support import register_with_figures


def _targets(db):
    from docassist.locations import backups_dir

    backups_dir().mkdir(parents=True, exist_ok=True)
    return [
        db,
        db.with_name(db.name + "-wal"),
        db.with_name(db.name + "-shm"),
        backups_dir() / "docassist-20310215-100000.db",
    ]


@pytest.mark.parametrize("which", range(4))
@pytest.mark.parametrize(
    "command",
    [
        ["report", "--format", "csv"],
        ["report", "--format", "json"],
        ["report", "--format", "xlsx"],
        ["export", "--user", "Milica Koordinatorka", "--format", "xlsx"],
        ["export", "--user", "Milica Koordinatorka", "--format", "csv"],
        ["handout", "checklist", "birth-registration"],
    ],
)
def test_no_command_writes_over_the_register_or_a_backup(capsys, tmp_path, command, which):
    db = register_with_figures(tmp_path)
    target = _targets(db)[which]
    if not target.exists():
        target.write_bytes(b"keep me")
    before = target.read_bytes()
    register_before = db.read_bytes()
    assert main(["--db", str(db), *command, "--output", str(target)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert str(target) in line and "does not write over it" in line
    assert target.read_bytes() == before and db.read_bytes() == register_before
