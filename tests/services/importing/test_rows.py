"""Row checks: every bad row reported with its line, repairs said, duplicates left
out; nothing written."""

from __future__ import annotations

from docassist.services import households as hh
from docassist.services import importing as imp
from tests.services.importing.support import (
    FIXTURE,
    GOOD_MARIJA,
    by_line,
    counts,
    existing_nikolic,
)


def test_dry_run_reports_each_bad_row_and_writes_nothing(ctx):
    existing_nikolic(ctx)
    before = counts(ctx)
    plan = imp.check_import(ctx, FIXTURE)
    assert counts(ctx) == before

    assert plan.encoding == "utf-8-sig" and not plan.notes
    assert imp.column_names(plan.headers)[0] == "Domaćinstvo"  # the title line was skipped
    problems = by_line(plan)
    assert set(problems) == {5, 6, 7, 10, 12}
    # A check digit that does not match is a warning with its line, not a blocked row:
    # some real documents carry such numbers (domain.md §7.2).
    (check_digit,) = problems[5]
    assert "does not match the others (it should be 5, not 6)" in imp.describe(check_digit)
    assert check_digit.field == "jmbg" and not check_digit.is_error
    assert "There is no 31.02." in imp.describe(problems[6][0])
    assert problems[6][0].is_error
    assert [p.problem.message for p in problems[7]] == ["The given name is missing."]
    # Already registered in Cyrillic, typed in Latin: a warning, not an error.
    (dup,) = problems[10]
    assert dup.duplicate and not dup.is_error and "Драган Николић" in imp.describe(dup)
    (twice,) = problems[12]
    assert twice.duplicate and "line 3" in imp.describe(twice)

    assert (plan.rows, plan.error_rows, plan.duplicate_rows) == (9, 2, 2)
    # 1: Marija, Marko, Jovan (his check digit is only a warning); 2: Stefan;
    # Ljiljana alone. Dragan (10) and the second Marija (12) are likely duplicates, left out.
    assert [h.lines for h in plan.households] == [[3, 4, 5], [8], [11]]
    assert plan.people == 5


def test_keeping_likely_duplicates_is_the_callers_choice(ctx):
    existing_nikolic(ctx)
    plan = imp.check_import(ctx, FIXTURE, skip_duplicates=False)
    # ... 3: Dragan; 4: the second Marija, in a household of their own.
    assert [h.lines for h in plan.households] == [[3, 4, 5], [8], [10], [11], [12]]
    assert plan.people == 7 and plan.duplicate_rows == 2


def test_the_same_list_imported_twice_comes_in_once(ctx, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(
        f"Ime;Prezime;JMBG;Godište\nMarija;Petrović;{GOOD_MARIJA};1990\n"
        "Stefan;Jovanović;;2012\nLjiljana;Đorđević;;oko 1960\nAna;Ilić;;\n",
        encoding="utf-8",
    )
    imp.apply_import(ctx, imp.check_import(ctx, path))
    before = counts(ctx)
    again = imp.check_import(ctx, path)
    assert again.households == [] and again.people == 0
    codes = {line: [p.problem.code for p in found] for line, found in by_line(again).items()}
    assert codes == {
        2: ["import.same_jmbg"],  # left out, whatever the caller asks
        3: ["import.likely_duplicate"],
        4: ["import.likely_duplicate"],
        5: ["import.likely_duplicate"],  # no year: any Ana Ilić is her
    }
    # Already registered is left out, but it is no error in the file.
    assert (again.error_rows, again.registered_rows, again.duplicate_rows) == (0, 1, 3)
    kept = imp.check_import(ctx, path, skip_duplicates=False)
    assert kept.people == 3  # only when asked; the JMBG is still refused
    assert counts(ctx) == before


def test_a_jmbg_already_registered_is_an_error_not_a_second_record(ctx, tmp_path):
    hh.register_household(
        ctx, hh.HouseholdInput("Petrović"), [hh.PersonInput("Marija", "Petrović", jmbg=GOOD_MARIJA)]
    )
    path = tmp_path / "list.csv"
    path.write_text(
        f"Ime;Prezime;JMBG\nMara;Petrović;{GOOD_MARIJA}\nAna;Ilić;\nAna;Ilić2;{GOOD_MARIJA}\n",
        encoding="utf-8",
    )
    plan = imp.check_import(ctx, path)
    problems = by_line(plan)
    assert problems[2][0].problem.code == "import.same_jmbg" and problems[2][0].is_error
    assert problems[4][0].problem.code == "import.same_jmbg"
    assert plan.people == 1


def test_a_jmbg_in_scientific_notation_drops_only_the_number(ctx, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(
        "Ime;Prezime;JMBG;Datum rođenja\nAna;Ilić;1.23457E+12;04.03.1990\n"
        "Mara;Ilić;1,23457E+12;1992\n",
        "utf-8",
    )
    plan = imp.check_import(ctx, path)
    for line in (2, 3):
        (only,) = by_line(plan)[line]
        assert only.problem.code == "import.jmbg_scientific" and not only.is_error
        assert "scientific notation" in imp.describe(only)
        assert "imported without a JMBG" in imp.describe(only)
    assert plan.people == 2 and plan.error_rows == 0
    imp.apply_import(ctx, plan)
    rows = ctx.db.execute("SELECT given_name, jmbg, birth_date FROM persons ORDER BY rowid")
    assert rows.fetchall() == [("Ana", None, "1990-03-04"), ("Mara", None, "1992")]


def test_over_long_cells_are_refused_and_never_quoted_whole(ctx, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(
        "Ime;Prezime;Pol;Datum rođenja\n"
        f"Ana;{'Ш' * 32_000};Ž;1990\n"
        f"Mara;Ilić;Ž;{'1' * 5000}\n"
        f"Sava;Ilić;{'nije poznato ' * 5};1990\n"
        f"Vesna;Ilić;Ž;{'1990 ' * 15}\n",
        encoding="utf-8",
    )
    plan = imp.check_import(ctx, path)
    problems = by_line(plan)
    (name,) = problems[2]
    assert name.field == "family_name" and name.is_error
    assert imp.describe(name) == "Family name: This is 32000 characters long; at most 100 fit here."
    (birth,) = problems[3]
    assert birth.field == "birth_date" and birth.problem.code == "too_long"
    (sex,) = problems[4]
    assert not sex.is_error and "…" in imp.describe(sex) and len(imp.describe(sex)) < 120
    (date,) = problems[5]
    assert date.is_error and "…" in imp.describe(date) and len(imp.describe(date)) < 160
    assert plan.people == 1 and plan.error_rows == 3


def test_a_dropped_zero_is_put_back_only_when_the_check_digit_agrees(ctx, tmp_path):
    # The agreeing check digit is the evidence that the 0 is what the spreadsheet lost;
    # now that a wrong check digit is only a warning, it must still decide the repair.
    path = tmp_path / "list.csv"
    lost_zero = GOOD_MARIJA[1:]
    wrong_digit = GOOD_MARIJA[1:12] + "7"
    path.write_text(
        f"Ime;Prezime;JMBG\nMarija;Petrović;{lost_zero}\nAna;Ilić;{wrong_digit}\n",
        encoding="utf-8",
    )
    problems = by_line(imp.check_import(ctx, path))
    assert [p.problem.code for p in problems[2]] == ["import.jmbg_zero"]
    assert [p.problem.code for p in problems[3]] == ["jmbg.length"]
    assert problems[3][0].is_error
