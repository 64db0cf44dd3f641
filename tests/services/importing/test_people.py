"""Every person and every fact a list holds: namesakes told apart, relations, parents,
documents held and statuses imported, and each likely duplicate the user's choice."""

from __future__ import annotations

from pathlib import Path

from docassist.domain.model import DocumentKind, DocumentState, PersonStatus, Relation, Sex
from docassist.services import households as hh
from docassist.services import importing as imp
from tests.services.importing.support import by_line, counts

FIXTURES = Path(__file__).parents[2] / "fixtures" / "import"
NAMESAKES = FIXTURES / "namesakes.csv"
FAMILY = FIXTURES / "family.csv"


def _codes(plan: imp.ImportPlan) -> dict[int, list[str]]:
    return {line: [p.problem.code for p in found] for line, found in by_line(plan).items()}


def test_namesakes_with_different_jmbgs_or_birth_dates_are_two_people(ctx):
    # Two cousins named Emir after their grandfather, both born in 2015: their sound
    # JMBGs differ, so they are two people. Sabit and Sabit: two exact dates. Only
    # rows with nothing to tell them apart are likely duplicates.
    plan = imp.check_import(ctx, NAMESAKES)
    assert _codes(plan) == {
        7: ["import.likely_duplicate_in_file"],  # Ajša, 1993, again
        8: ["import.likely_duplicate_in_file"],  # an Emir of 2015 with no JMBG or date
    }
    assert plan.people == 5 and plan.likely_duplicates == {7, 8}


def test_someone_registered_with_another_jmbg_is_not_a_likely_duplicate(ctx):
    hh.register_household(
        ctx,
        hh.HouseholdInput("Ramić"),
        [
            hh.PersonInput("Emir", "Ramić", birth_date="04.03.2015", jmbg="0403015710109"),
            hh.PersonInput("Sabit", "Ramić", birth_date="12.01.1990"),
            hh.PersonInput("Ajša", "Ramić", birth_date="1993"),
        ],
    )
    codes = _codes(imp.check_import(ctx, NAMESAKES))
    assert codes[2] == ["import.same_jmbg"]  # the same Emir
    assert 3 not in codes  # another Emir: another valid JMBG
    assert codes[4] == ["import.likely_duplicate"]  # the same Sabit, the same day
    assert 5 not in codes  # another Sabit: born another day
    assert codes[6] == ["import.likely_duplicate"]  # Ajša: only a year to go by
    # The person form asks the same way: another valid JMBG is another person.
    other = hh.PersonInput("Emir", "Ramić", birth_date="2015", jmbg="0906015710119")
    assert hh.duplicate_candidates(ctx, other) == []
    assert hh.duplicate_candidates(ctx, hh.PersonInput("Emir", "Ramić", birth_date="2015"))


def test_each_likely_duplicate_is_kept_or_left_out_one_by_one(ctx):
    plan = imp.check_import(ctx, NAMESAKES)
    assert [line for h in plan.households for line in h.lines] == [2, 3, 4, 5, 6]
    plan.choose(8, True)  # the Emir with no JMBG is a third cousin: import him
    assert [line for h in plan.households for line in h.lines] == [2, 3, 4, 5, 6, 8]
    texts = {row.line: imp.problem_text(plan, row) for row in plan.problems}
    assert texts[7].startswith("Left out: ") and not texts[8].startswith("Left out")
    assert not imp.left_out(plan, by_line(plan)[8][0])
    assert "1 row looks like someone already known and is left out." in imp.summary_lines(plan)
    assert "1 row looks like someone already known; it is imported anyway." in (
        imp.summary_lines(plan)
    )
    before = counts(ctx)
    result = imp.apply_import(ctx, plan)
    assert result.people == 6
    assert counts(ctx)[1] == before[1] + 6
    # Leaving all out but one, from the other side.
    again = imp.check_import(ctx, NAMESAKES, skip_duplicates=False, choices={7: False})
    assert 7 not in again.lines_to_write


def test_relations_parents_documents_and_statuses_are_imported(ctx):
    plan = imp.check_import(ctx, FAMILY)
    codes = _codes(plan)
    assert codes == {
        5: ["import.answer"],  # "možda" is neither yes nor no
        6: ["import.relation"],  # "šef"
        7: ["import.status", "import.parent_line"],  # "nešto"; her own line as mother
    }
    assert "2 people have a parent named who is on no row of the household" in " ".join(
        imp.summary_lines(plan)
    )
    result = imp.apply_import(ctx, plan)
    ramic, krasniqi = (hh.get_household(ctx, h.id).members for h in result.households)
    people = {p.given_name: p for p in [*ramic, *krasniqi]}
    emir, ajsa, sabit, lejla = (people[n] for n in ("Emir", "Ajša", "Sabit", "Lejla"))
    # Emir comes before his parents in the file, and is linked to both all the same.
    assert (emir.mother_id, emir.father_id) == (ajsa.id, sabit.id)
    assert (lejla.mother_id, lejla.father_id) == (ajsa.id, sabit.id)  # by full/given name
    assert [p.relation for p in (emir, ajsa, sabit, lejla)] == [
        Relation.CHILD, Relation.SPOUSE, Relation.HEAD, Relation.CHILD,
    ]  # fmt: skip
    assert emir.sex == Sex.MALE
    # A parent who lives elsewhere is kept in the notes, under the list's own header.
    assert (sabit.mother_id, sabit.father_id) == (None, None)
    assert sabit.notes == "Majka: Fatima Ramić\nOtac: Bajram"
    docs = emir.documents
    assert docs[DocumentKind.BIRTH_REGISTRATION] == DocumentState.MISSING
    assert docs[DocumentKind.CITIZENSHIP] == DocumentState.UNKNOWN
    assert docs[DocumentKind.RESIDENCE] == DocumentState.HAVE
    assert docs[DocumentKind.HEALTH_INSURANCE] == DocumentState.MISSING
    assert DocumentKind.ID_CARD not in docs or docs[DocumentKind.ID_CARD] == DocumentState.UNKNOWN
    assert ajsa.documents[DocumentKind.IDP_CARD] == DocumentState.HAVE
    assert emir.statuses == {PersonStatus.IDP}
    assert ajsa.statuses == {PersonStatus.IDP, PersonStatus.RETURNEE}
    bekim, arta = people["Bekim"], people["Arta"]
    assert bekim.relation == Relation.OTHER and bekim.statuses == {PersonStatus.DOMICILE}
    assert bekim.documents[DocumentKind.BIRTH_REGISTRATION] == DocumentState.HAVE  # va
    assert bekim.documents[DocumentKind.CITIZENSHIP] == DocumentState.MISSING  # na
    assert arta.relation == Relation.CHILD and arta.statuses == {PersonStatus.REFUGEE}
    assert arta.mother_id is None and arta.notes == "Majka: 7"


def test_a_loop_of_parents_is_written_unlinked_and_noted(ctx, tmp_path):
    path = tmp_path / "loop.csv"
    path.write_text(
        "Domaćinstvo;Ime;Prezime;Majka\n1;Ana;Ilić;3\n1;Mara;Ilić;2\n1;Sava;Ilić;Mara\n",
        encoding="utf-8",
    )
    result = imp.apply_import(ctx, imp.check_import(ctx, path))
    people = {p.given_name: p for p in hh.get_household(ctx, result.households[0].id).members}
    assert len(people) == 3
    # Ana and Mara name each other: one of them waits for nobody and keeps the line.
    linked = [p for p in ("Ana", "Mara") if people[p].mother_id]
    assert len(linked) == 1
    assert people["Sava"].mother_id == people["Mara"].id


def test_a_name_that_fits_two_people_links_no_one(ctx, tmp_path):
    path = tmp_path / "two.csv"
    path.write_text(
        "Domaćinstvo;Ime;Prezime;Majka\n1;Ana;Ilić;\n1;Ana;Ilić;\n1;Sava;Ilić;Ana\n",
        encoding="utf-8",
    )
    plan = imp.check_import(ctx, path, skip_duplicates=False)
    (problem,) = [p for p in plan.problems if p.field == "mother"]
    assert problem.problem.code == "import.parent_ambiguous" and "2, 3" in imp.describe(problem)
    assert imp.describe(problem).startswith("Mother: ")
