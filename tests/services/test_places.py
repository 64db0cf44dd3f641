"""One place however it is typed: grouped by search key, shown once, filtered as one."""

from __future__ import annotations

from docassist.services import dashboard as dash
from docassist.services import households as hh
from docassist.services import places, register_search
from docassist.services.cases import StepPlan, open_case
from docassist.services.dashboard import Scope
from docassist.services.households import HouseholdInput, PersonInput
from docassist.services.places import Place


def _household(ctx, family, settlement, municipality):
    household = hh.register_household(
        ctx, HouseholdInput(family, settlement=settlement, municipality=municipality)
    )
    person = hh.add_person(ctx, household, PersonInput("Ana", family, birth_date="1990"))
    open_case(ctx, person, "id-card", 1, [StepPlan("gather", 3)])
    return household


def _register(ctx):
    """Crvena zvezda typed three ways by three facilitators; Niš two ways."""
    _household(ctx, "Ramić", "Crvena zvezda", "Niš")
    _household(ctx, "Demiri", "Crvena zvezda", "Niš")
    _household(ctx, "Рамић", "Црвена звезда", "Ниш")
    _household(ctx, "Asani", "crvena Zvezda", "Nis")
    _household(ctx, "Jovanović", "Sat mahala", "Leskovac")
    _household(ctx, "Бериша", "Ђурђевданска", "Leskovac")
    _household(ctx, "Zekić", "Čukarička padina", "Beograd")


def test_spellings_of_one_place_are_grouped_and_shown_once():
    counted = [("Crvena zvezda", 2), ("Црвена звезда", 1), ("crvena Zvezda", 1), ("", 4)]
    (latin,) = places.group_places(counted, "latn")
    assert latin.key == "crvena zvezda"
    assert latin.name == "Crvena zvezda"  # the most used
    assert set(latin.spellings) == {"Crvena zvezda", "Црвена звезда", "crvena Zvezda"}
    (cyrillic,) = places.group_places(counted, "cyrl")
    assert cyrillic.name == "Црвена звезда"  # the one in the UI's script, though less used


def test_of_spellings_used_as_often_the_one_with_diacritics_is_shown():
    (place,) = places.group_places([("Nis", 1), ("Niš", 1), ("NIS", 1)], "latn")
    assert place.name == "Niš"


def test_a_place_typed_only_in_the_other_script_is_shown_as_typed():
    assert places.group_places([("Ђурђевданска", 1)], "latn") == [
        Place("durdevdanska", "Ђурђевданска", ("Ђурђевданска",))
    ]


def test_places_are_sorted_by_the_alphabet_of_the_ui_script():
    counted = [
        (name, 1) for name in ("Čukarička padina", "Crvena zvezda", "Ђурђевданска", "Dorćol")
    ]
    latin = [p.name for p in places.group_places(counted, "latn")]
    # abeceda: C Č Ć D Dž Đ
    assert latin == ["Crvena zvezda", "Čukarička padina", "Dorćol", "Ђурђевданска"]
    cyrillic = [p.name for p in places.group_places(counted, "cyrl")]
    # azbuka: Д Ђ ... Ц Ч
    assert cyrillic == ["Dorćol", "Ђурђевданска", "Crvena zvezda", "Čukarička padina"]


def test_options_are_one_per_place_and_follow_the_municipality(ctx):
    _register(ctx)
    assert [p.name for p in places.municipalities(ctx, "latn")] == ["Beograd", "Leskovac", "Niš"]
    assert [p.name for p in places.municipalities(ctx, "cyrl")] == ["Beograd", "Leskovac", "Ниш"]
    assert [p.name for p in places.settlements(ctx, script_name="latn")] == [
        "Crvena zvezda",
        "Čukarička padina",
        "Ђурђевданска",  # Đ, before S in the abeceda
        "Sat mahala",
    ]
    # The municipality in any spelling, or its key, gives the same settlements.
    for niš in ("Niš", "Ниш", "nis"):
        assert [p.key for p in places.settlements(ctx, niš)] == ["crvena zvezda"]
    assert [p.name for p in places.settlements(ctx, "Leskovac", "cyrl")] == [
        "Ђурђевданска",
        "Sat mahala",
    ]


def test_a_filter_finds_every_spelling_of_the_place(ctx):
    _register(ctx)
    for settlement in ("Crvena zvezda", "Црвена звезда", "crvena zvezda"):
        assert hh.count_households(ctx, settlement=settlement) == 4
        found = hh.find_households(ctx, settlement=settlement)
        assert {h.family_name for h in found} == {"Ramić", "Demiri", "Рамић", "Asani"}
    assert hh.count_households(ctx, municipality="nis") == 4
    assert hh.count_households(ctx, municipality="Ниш", settlement="Crvena zvezda") == 4
    assert hh.count_households(ctx, municipality="Leskovac", settlement="Crvena zvezda") == 0
    assert hh.count_households(ctx, settlement="Nowhere") == 0


def test_the_dashboard_scope_covers_every_spelling(ctx):
    _register(ctx)
    assert dash.counts(ctx, Scope(settlement="Crvena zvezda")).open == 4
    assert dash.counts(ctx, Scope(settlement="Црвена звезда")).open == 4
    assert dash.counts(ctx, Scope(municipality="Niš")).open == 4
    assert len(dash.due_this_week(ctx, Scope(municipality="nis"))) == 4
    assert dash.due_this_week_count(ctx, Scope(settlement="crvena zvezda")) == 4
    rows = dash.counts_by_municipality(ctx, script_name="cyrl")
    assert [(r.municipality, r.key, r.open) for r in rows] == [
        ("Beograd", "beograd", 1),
        ("Leskovac", "leskovac", 2),
        ("Ниш", "nis", 4),
    ]


def test_a_removed_household_takes_its_spelling_out_of_the_options(ctx):
    _register(ctx)
    asani = hh.find_households(ctx, "Asani")[0].id
    ctx.db.execute("UPDATE households SET deleted_at = '2026-11-23' WHERE id = ?", [asani])
    (place,) = [p for p in places.settlements(ctx) if p.key == "crvena zvezda"]
    assert set(place.spellings) == {"Crvena zvezda", "Црвена звезда"}
    assert [p.name for p in places.municipalities(ctx)] == ["Beograd", "Leskovac", "Niš"]


def _plan(ctx, sql, params=()):
    return " | ".join(r[3] for r in ctx.db.execute(f"EXPLAIN QUERY PLAN {sql}", params))


def test_options_and_filters_are_read_from_indexes(ctx):
    # On 50,000 households: ~15 ms for the options, a few ms for a filtered count;
    # reading the table instead took ~100 ms each (make bench register).
    _register(ctx)
    assert "COVERING INDEX households_municipality" in _plan(ctx, places.EVERY_PLACE)
    assert "INDEX households_deleted" in _plan(ctx, places.REMOVED_PLACES)
    where, params = register_search._where(ctx, "", None, "Crvena zvezda", None)
    plan = _plan(ctx, f"SELECT count(*) FROM households h WHERE {where}", params)
    assert "USING INDEX households_municipality (municipality=? AND settlement=?)" in plan
