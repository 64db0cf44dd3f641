"""``docassist checklists validate``: checklists and practice scenarios."""

from __future__ import annotations

from pathlib import Path

from docassist.cli import main


def test_validate_checks_checklists_and_scenarios(capsys):
    assert main(["checklists", "validate"]) == 0
    out = capsys.readouterr().out
    assert "checklists are valid" in out
    assert "practice scenarios are valid" in out


def test_validate_a_broken_scenario_names_file_and_line(capsys):
    assert main(["checklists", "validate", "tests/fixtures/scenarios/broken"]) == 1
    err = capsys.readouterr().err
    assert "tests/fixtures/scenarios/broken/" in err
    assert ".toml:" in err


def test_validate_one_user_file_that_needs_bundled_checklists(capsys, tmp_path):
    # id-card names citizenship and residence as prerequisites; alone it is still valid
    # because the app always loads it beside the bundled checklists.
    own = tmp_path / "my-id-card.toml"
    text = Path("checklists/id-card.toml").read_text(encoding="utf-8")
    own.write_text(text.replace('id = "id-card"', 'id = "my-id-card"', 1), encoding="utf-8")
    assert main(["checklists", "validate", str(own)]) == 0
    assert "1 checklist is valid" in capsys.readouterr().out


def test_validate_warns_about_a_user_copy_that_is_not_used(capsys):
    # A user copy of a shipped checklist with the same version is not used: the shipped
    # one wins. Validate says so (a warning: the copy is valid, the app runs unchanged),
    # rather than "All 9 checklists are valid" and nothing else.
    from docassist.locations import user_checklists_dir

    folder = user_checklists_dir()
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / "id-card.toml"
    copy.write_text(Path("checklists/id-card.toml").read_text(encoding="utf-8"), "utf-8")
    version_line = copy.read_text("utf-8").splitlines().index("version = 1") + 1

    assert main(["checklists", "validate"]) == 0
    captured = capsys.readouterr()
    assert f"{copy}:{version_line}: warning: not used: same id and version" in captured.err
    assert "raise 'version' to 2 to use your copy" in captured.err
    shipped = len(list(Path("checklists").glob("*.toml")))
    assert f"All {shipped} checklists are valid." in captured.out

    # Asked about by name, the copy gets the same warning.
    assert main(["checklists", "validate", str(copy)]) == 0
    assert f"{copy}:{version_line}: warning: not used" in capsys.readouterr().err


def test_validate_says_what_is_wrong_with_absurd_files(capsys, tmp_path):
    # Arrays nested 3,000 deep (RecursionError) and a 5,000-digit integer (ValueError)
    # were "internal error" here, and stopped the app starting (issue 14 §9).
    from tests.procedures.test_reading import ABSURD

    for name, text in ABSURD.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        assert main(["checklists", "validate", str(path)]) == 1, name
        err = capsys.readouterr()
        assert "internal error" not in err.err + err.out
        assert f"{name}:1:" in err.out + err.err
