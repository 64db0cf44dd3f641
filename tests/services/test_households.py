"""Registering households and people, finding them across scripts, spotting duplicates."""

from __future__ import annotations

import json
from datetime import date

import pytest

from docassist.domain.jmbg import make_jmbg
from docassist.domain.model import (
    DocumentKind,
    DocumentState,
    Outcome,
    PersonStatus,
    Relation,
    Sex,
)
from docassist.domain.text import MAX_NAME_LENGTH
from docassist.services import households as hh
from docassist.services.context import ValidationError
from docassist.services.households import HouseholdInput, PersonInput


def _family(ctx, family="Петровић", settlement="Бангладеш", municipality="Novi Sad"):
    return hh.register_household(
        ctx,
        HouseholdInput(family_name=family, settlement=settlement, municipality=municipality),
        [
            PersonInput("Марија", family, Relation.HEAD, Sex.FEMALE, "12.05.1987"),
            PersonInput("Ђорђе", family, Relation.CHILD, Sex.MALE, "2019"),
        ],
    )


def test_register_and_read_back(ctx):
    hid = _family(ctx)
    detail = hh.get_household(ctx, hid)
    assert detail.household.family_name == "Петровић"
    names = [m.given_name for m in detail.members]
    assert names == ["Марија", "Ђорђе"]  # oldest first
    assert detail.members[0].birth_date.precision == "day"
    assert detail.members[1].birth_date.precision == "year"


@pytest.mark.parametrize(
    "typed", ["Петровић", "Petrović", "PETROVIC", "petrovic", "petro", "ђорђе", "djordje", "dorde"]
)
def test_search_across_scripts_and_diacritics(ctx, typed):
    hid = _family(ctx)
    hh.register_household(
        ctx, HouseholdInput(family_name="Nikolić"), [PersonInput("Marko", "Nikolić")]
    )
    found = [h.id for h in hh.find_households(ctx, typed)]
    assert found == [hid]
    assert hh.count_households(ctx, typed) == 1


def test_search_by_several_words_narrows(ctx):
    hid = _family(ctx)
    assert [h.id for h in hh.find_households(ctx, "marija petr")] == [hid]
    assert hh.find_households(ctx, "marija nikolic") == []


@pytest.mark.parametrize(
    ("registered", "typed"),
    [
        ("Redžepović", "Reʒepović"),  # Romani ʒ (and ǯ) is dž
        ("Redžepović", "Reǯep"),
        ("Reʒepović", "Реџеповић"),
        ("Krasniqi", "Krasnići"),  # Albanian q = ć, and back
        ("Krasnići", "Krasniqi"),
        ("Hoxha", "Hodža"),  # xh = dž
        ("Çeku", "Čeku"),  # ç = č
        ("Gjergji", "Đerđi"),  # gj = đ
        ("Bërisha", "Beriša"),  # ë = e, sh = š
        ("Đorđević", "Ðorđević"),  # an eth (U+00D0) is Đ
        ("Ðorđević", "Ђорђевић"),
        ("Πέτρος", "Petros"),  # another script, found from Latin
        ("محمد", "محمد"),  # a script the key cannot read: found as written
    ],
)
def test_search_finds_other_spellings_of_a_name(ctx, registered, typed):
    hid = hh.register_household(ctx, HouseholdInput(family_name=registered))
    hh.register_household(ctx, HouseholdInput(family_name="Nikolić"))
    assert [h.id for h in hh.find_households(ctx, typed)] == [hid]
    assert hh.count_households(ctx, typed) == 1


def test_a_jmbg_that_lost_its_leading_zero_finds_the_person(ctx):
    jmbg = make_jmbg(date(1987, 5, 1), "71", 1)
    assert jmbg.startswith("0")
    hid = hh.register_household(
        ctx, HouseholdInput(family_name="Ramić"), [PersonInput("Sabit", "Ramić", jmbg=jmbg)]
    )
    hh.register_household(ctx, HouseholdInput(family_name="Nikolić"))
    for typed in (jmbg, jmbg[1:], f"ramic {jmbg[1:]}"):
        assert [h.id for h in hh.find_households(ctx, typed)] == [hid], typed
        assert hh.count_households(ctx, typed) == 1
    # Only a whole JMBG is read as one that lost its 0: a shorter prefix is a prefix.
    assert hh.find_households(ctx, jmbg[1:8]) == []


def test_a_search_with_nothing_readable_finds_nobody_and_says_so(ctx):
    _family(ctx)
    hh.register_household(ctx, HouseholdInput(family_name="Nikolić"))
    for typed in ("-", "😀", " – ", "?!"):
        assert hh.unreadable_search(typed)
        assert hh.find_households(ctx, typed) == []
        assert hh.count_households(ctx, typed) == 0
        assert hh.count_households(ctx, typed, municipality="Novi Sad") == 0
    # Nothing typed is not a search: the whole register is listed.
    assert not hh.unreadable_search("  ")
    assert hh.count_households(ctx, "  ") == 2
    # Words it can read are searched by, the rest left aside.
    assert not hh.unreadable_search("petrović 😀 -")
    assert [h.family_name for h in hh.find_households(ctx, "petrović 😀 -")] == ["Петровић"]


def test_search_ignores_punctuation_and_odd_input(ctx):
    _family(ctx)
    for typed in ['"', "*", "OR", "(", "petro*", "  ", "'; DROP TABLE households; --"]:
        hh.find_households(ctx, typed)  # never raises


def test_list_sorted_by_the_serbian_alphabet(ctx):
    for name in ["Đurić", "Čolić", "Ljatifi", "Lukić", "Džafić", "Cvetković", "Dinić", "Ćirić"]:
        hh.register_household(ctx, HouseholdInput(family_name=name))
    latin = [h.family_name for h in hh.find_households(ctx, script_name="latn")]
    assert latin == ["Cvetković", "Čolić", "Ćirić", "Dinić", "Džafić", "Đurić", "Lukić", "Ljatifi"]


def test_paging(ctx):
    for i in range(7):
        hh.register_household(ctx, HouseholdInput(family_name=f"Family {i}"))
    first = hh.find_households(ctx, limit=5)
    second = hh.find_households(ctx, limit=5, offset=5)
    assert len(first) == 5 and len(second) == 2
    assert not {h.id for h in first} & {h.id for h in second}


def test_filters_by_municipality_and_settlement(ctx):
    _family(ctx)
    _family(ctx, family="Ramić", settlement="Podvorce", municipality="Leskovac")
    assert hh.count_households(ctx, municipality="Leskovac") == 1
    assert hh.count_households(ctx, settlement="Бангладеш") == 1
    assert hh.municipalities(ctx) == ["Leskovac", "Novi Sad"]


def test_every_change_is_audited_with_before_and_after(ctx):
    hid = _family(ctx)
    hh.update_household(ctx, hid, HouseholdInput(family_name="Петровић", settlement="Адице"))
    rows = list(ctx.db.query("SELECT * FROM audit_log WHERE entity = 'household' ORDER BY id"))
    assert [r["action"] for r in rows] == ["create", "update"]
    assert json.loads(rows[1]["before"])["settlement"] == "Бангладеш"
    assert json.loads(rows[1]["after"])["settlement"] == "Адице"
    assert rows[1]["user_id"] == ctx.user_id


def test_unchanged_edit_writes_nothing(ctx):
    hid = _family(ctx)
    before = ctx.db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    hh.update_household(
        ctx,
        hid,
        HouseholdInput(family_name="Петровић", settlement="Бангладеш", municipality="Novi Sad"),
    )
    assert ctx.db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before


def test_bad_input_is_refused_and_nothing_is_saved(ctx):
    with pytest.raises(ValidationError) as err:
        hh.register_household(
            ctx,
            HouseholdInput(family_name="Ramić"),
            [PersonInput("Ana", "Ramić", birth_date="31.02.2010", jmbg="12345")],
        )
    assert set(err.value.problems) == {"members[0].birth_date", "members[0].jmbg"}
    assert hh.count_households(ctx) == 0


def test_a_name_the_handouts_cannot_print_is_refused_saying_what(ctx):
    # The PDF font has no glyph for most emoji: they vanished from the printout.
    problems = hh.validate_person(PersonInput("Ana 👍", "Ilić🎉🎉"), ctx.today())
    assert [p.code for p in problems["given_name"]] == ["unprintable"]
    assert problems["family_name"][0].render() == (
        "The printed handouts cannot show 🎉: leave it out, or write it in letters."
    )
    household = HouseholdInput("Ilić", settlement="Mahala 🙂")
    assert [p.code for p in hh.validate_household(household)["settlement"]] == ["unprintable"]
    with pytest.raises(ValidationError):
        hh.register_household(ctx, household)
    # Every letter a Serbian, Romani, Albanian or Greek name needs prints.
    fine = PersonInput("Ðorđe Reʒep Reǯep Çeku Ëva Ljiljana", "Čhavo Πέτρος Ђорђевић محمد")
    assert not hh.validate_person(fine, ctx.today())
    assert "given_name" in hh.validate_person(PersonInput("明", "Ilić"), ctx.today())


def test_notes_have_a_limit_too(ctx):
    page = "Porodica živi kod rođaka. " * 200  # about 5,000 characters
    problems = hh.validate_person(PersonInput("Ana", "Ilić", notes=page), ctx.today())
    assert [p.code for p in problems["notes"]] == ["too_long"]
    assert "at most 4000 fit here" in problems["notes"][0].render()
    assert hh.validate_household(HouseholdInput("Ilić", notes=page))["notes"][0].is_error
    with pytest.raises(ValidationError):
        hh.register_household(ctx, HouseholdInput("Ilić", notes=page))
    assert hh.count_households(ctx) == 0
    assert not hh.validate_household(HouseholdInput("Ilić", notes="kratko\n" * 500))


def test_validate_person_explains_each_field(ctx):
    problems = hh.validate_person(
        PersonInput("", "", birth_date="2099", jmbg="01019907100x"), ctx.today()
    )
    assert {"given_name", "family_name", "birth_date", "jmbg"} <= set(problems)


def test_names_and_places_have_a_length_limit_forms_and_import_share(ctx):
    limit = MAX_NAME_LENGTH
    ok, long = "Š" * limit, "Š" * (limit + 1)
    assert not hh.validate_person(PersonInput(ok, ok, place_of_birth=ok), ctx.today())
    problems = hh.validate_person(PersonInput(long, "Ilić", place_of_birth=long), ctx.today())
    assert set(problems) == {"given_name", "place_of_birth"}
    assert problems["given_name"][0].code == "too_long"
    assert problems["given_name"][0].render() == (
        f"This is {limit + 1} characters long; at most {limit} fit here."
    )
    household = HouseholdInput(long, settlement=long, address=long, municipality=long, phone=long)
    assert set(hh.validate_household(household)) == {
        "family_name", "settlement", "address", "municipality", "phone"
    }  # fmt: skip
    with pytest.raises(ValidationError):
        hh.register_household(ctx, HouseholdInput("Ilić", settlement=long))
    assert hh.count_households(ctx) == 0


def test_jmbg_disagreeing_with_birth_date_is_a_warning_not_a_block(ctx):
    hid = _family(ctx)
    number = make_jmbg(date(1990, 1, 1), "71", 500)
    person = PersonInput("Ana", "Petrović", sex=Sex.FEMALE, birth_date="1986", jmbg=number)
    problems = hh.validate_person(person, ctx.today())
    assert problems.get("jmbg") and all(not p.is_error for p in problems["jmbg"])
    hh.add_person(ctx, hid, person)


def test_wrong_check_digit_is_a_warning_and_the_person_is_saved(ctx):
    # domain.md §7.2: never hard-block a real document on its checksum.
    hid = _family(ctx)
    person = PersonInput("Ana", "Petrović", jmbg="0101990710139")
    problems = hh.validate_person(person, ctx.today())
    assert [p.code for p in problems["jmbg"]] == ["jmbg.check_digit"]
    assert not problems["jmbg"][0].is_error
    pid = hh.add_person(ctx, hid, person)
    assert hh.get_person(ctx, pid).jmbg == "0101990710139"
    # Structure still blocks: a JMBG is 13 digits.
    with pytest.raises(ValidationError):
        hh.add_person(ctx, hid, PersonInput("Ana", "Petrović", jmbg="010199071013"))


def test_ethnicity_needs_consent(ctx):
    hid = _family(ctx)
    with pytest.raises(ValidationError):
        hh.add_person(ctx, hid, PersonInput("Ana", "Petrović", ethnicity="Romani"))
    pid = hh.add_person(
        ctx, hid, PersonInput("Ana", "Petrović", ethnicity="Romani", ethnicity_consent=True)
    )
    assert hh.get_person(ctx, pid).ethnicity == "Romani"


def test_duplicate_candidates_by_name_and_year_across_scripts(ctx):
    _family(ctx)
    found = hh.duplicate_candidates(ctx, PersonInput("Marija", "Petrovic", birth_date="1987"))
    assert [c.full_name for c in found] == ["Марија Петровић"]
    assert hh.duplicate_candidates(ctx, PersonInput("Marija", "Petrovic", birth_date="1990")) == []
    # family name typed first still matches
    assert hh.duplicate_candidates(ctx, PersonInput("Petrović", "Marija", birth_date="1987"))


def test_duplicate_candidates_by_jmbg(ctx):
    hid = hh.register_household(ctx, HouseholdInput(family_name="Ramić"))
    hh.add_person(ctx, hid, PersonInput("Sabit", "Ramić", sex=Sex.MALE, jmbg="0101990710040"))
    found = hh.duplicate_candidates(ctx, PersonInput("Sabo", "Ramic", jmbg="0101990710040"))
    assert len(found) == 1 and "JMBG" in found[0].reason


def test_remove_and_restore_person(ctx):
    hid = _family(ctx)
    child = hh.get_household(ctx, hid).members[1]
    hh.remove_person(ctx, child.id)
    assert len(hh.get_household(ctx, hid).members) == 1
    assert hh.find_households(ctx, "djordje") == []
    hh.restore_person(ctx, child.id)
    assert len(hh.get_household(ctx, hid).members) == 2
    assert hh.count_households(ctx, "djordje") == 1


def test_removing_a_person_closes_their_open_cases_and_undo_reopens_them(ctx):
    from docassist.services import cases
    from docassist.services import dashboard as dash
    from docassist.services.cases import StepPlan

    hid = _family(ctx)
    child = hh.get_household(ctx, hid).members[1]
    steps = [StepPlan("gather", 3), StepPlan("apply", 15)]
    open_one = cases.open_case(ctx, child.id, "birth-registration", 1, steps)
    done = cases.open_case(ctx, child.id, "id-card", 1, steps)
    cases.close_case(ctx, done, Outcome.OBTAINED)

    hh.remove_person(ctx, child.id)
    closed = cases.get_case(ctx, open_one)
    assert (closed.outcome, closed.outcome_reason) == (Outcome.ABANDONED, hh.REMOVED_REASON)
    assert cases.get_case(ctx, done).outcome == Outcome.OBTAINED  # finished cases untouched
    assert dash.counts(ctx).open == 0
    assert [e.action for e in cases.timeline(ctx, open_one)][:1] == ["close"]

    hh.restore_person(ctx, child.id)
    assert cases.get_case(ctx, open_one).is_active
    assert cases.get_case(ctx, done).outcome == Outcome.OBTAINED
    assert dash.counts(ctx).open == 1


def test_a_failed_removal_leaves_the_cases_open(ctx, monkeypatch):
    from docassist.services import cases

    hid = _family(ctx)
    child = hh.get_household(ctx, hid).members[1]
    case_id = cases.open_case(ctx, child.id, "birth-registration", 1, [cases.StepPlan("a", 3)])

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(hh, "refresh_search_text", boom)
    with pytest.raises(RuntimeError):
        hh.remove_person(ctx, child.id)
    assert cases.get_case(ctx, case_id).is_active  # one transaction: all or nothing
    assert len(hh.get_household(ctx, hid).members) == 2


def test_documents_and_statuses_round_trip(ctx):
    hid = hh.register_household(ctx, HouseholdInput(family_name="Beriša"))
    pid = hh.add_person(
        ctx,
        hid,
        PersonInput(
            "Ilir",
            "Beriša",
            statuses=frozenset({PersonStatus.IDP}),
            documents={DocumentKind.BIRTH_REGISTRATION: DocumentState.HAVE},
        ),
    )
    person = hh.get_person(ctx, pid)
    assert person.statuses == {PersonStatus.IDP}
    assert person.documents == {DocumentKind.BIRTH_REGISTRATION: DocumentState.HAVE}
    hh.update_person(
        ctx,
        pid,
        PersonInput(
            "Ilir",
            "Beriša",
            statuses=frozenset({PersonStatus.IDP}),
            documents={DocumentKind.ID_CARD: DocumentState.MISSING},
        ),
    )
    assert hh.get_person(ctx, pid).documents[DocumentKind.ID_CARD] == DocumentState.MISSING


# --- household duplicates ---------------------------------------------------


def _at(ctx, family, settlement="", municipality="", members=()):
    return hh.register_household(
        ctx,
        HouseholdInput(family_name=family, settlement=settlement, municipality=municipality),
        [PersonInput(given, family, birth_date=year) for given, year in members],
    )


def test_a_family_typed_another_way_at_the_same_place_is_a_likely_duplicate(ctx):
    latin = _at(ctx, "Đorđević", "Plavi horizonti", "Zemun", [("Dragan", "1975"), ("Ana", "")])
    cyrillic = _at(ctx, "Ђорђевић", "Плави хоризонти", "Земун", [("Милан", "1980")])
    _at(ctx, "Đorđević", "Altina", "Zemun")  # another settlement of Zemun
    _at(ctx, "Petrović", "Plavi horizonti", "Zemun", [("Marko Đorđević", "1990")])
    _at(ctx, "Đorđevićka", "Plavi horizonti", "Zemun")  # another name

    found = hh.household_duplicate_candidates(
        ctx, HouseholdInput("Djordjevic", settlement="Plavi horizonti", municipality="Zemun")
    )
    assert {c.household_id for c in found} == {latin, cyrillic}
    by_id = {c.household_id: c for c in found}
    assert by_id[latin].members == (("Dragan", "Đorđević"), ("Ana", "Đorđević"))  # oldest first
    assert by_id[cyrillic].settlement == "Плави хоризонти"
    assert {c.reason for c in found} == {"Same settlement"}

    # Editing one of them: it is not its own duplicate.
    again = hh.household_duplicate_candidates(
        ctx,
        HouseholdInput("Đorđević", settlement="Plavi horizonti", municipality="Zemun"),
        exclude_id=latin,
    )
    assert [c.household_id for c in again] == [cyrillic]


def test_without_a_settlement_the_municipality_decides(ctx):
    altina = _at(ctx, "Ramić", "Altina", "Zemun")
    no_settlement = _at(ctx, "Ramić", "", "Zemun")
    _at(ctx, "Ramić", "Altina", "Niš")  # the same settlement name elsewhere

    found = hh.household_duplicate_candidates(ctx, HouseholdInput("Рамић", municipality="zemun"))
    assert {c.household_id for c in found} == {altina, no_settlement}
    assert {c.reason for c in found} == {"Same municipality"}

    # A settlement typed, the other household has none: the municipality decides.
    found = hh.household_duplicate_candidates(
        ctx, HouseholdInput("Ramić", settlement="Altina", municipality="Zemun")
    )
    reasons = {c.household_id: c.reason for c in found}
    assert reasons == {
        altina: "Same settlement",
        no_settlement: "Same municipality",
    }


def test_no_duplicate_across_places_or_once_removed(ctx):
    _at(ctx, "Ramić", "Centar", "Niš")
    assert not hh.household_duplicate_candidates(
        ctx, HouseholdInput("Ramić", settlement="Centar", municipality="Leskovac")
    )
    assert not hh.household_duplicate_candidates(ctx, HouseholdInput("Ramić"))
    unplaced = _at(ctx, "Ramić")
    found = hh.household_duplicate_candidates(ctx, HouseholdInput("Ramić"))
    assert [(c.household_id, c.reason) for c in found] == [(unplaced, "No place given")]
    ctx.db.execute("UPDATE households SET deleted_at = '2026-11-23' WHERE id = ?", [unplaced])
    assert not hh.household_duplicate_candidates(ctx, HouseholdInput("Ramić"))
    assert not hh.household_duplicate_candidates(ctx, HouseholdInput("  "))
