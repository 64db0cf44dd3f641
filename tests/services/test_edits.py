"""Two people editing one record: a save never silently undoes someone else's (issue 14 §5)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from docassist.domain.model import DocumentKind, DocumentState
from docassist.services import households as hh
from docassist.services.edits import EditConflict


def _household(ctx) -> tuple[str, hh.HouseholdInput]:
    form = hh.HouseholdInput("Petrović", settlement="Mali Leskovac", municipality="Beograd")
    return hh.register_household(ctx, form), form


def test_a_stale_form_keeps_what_someone_saved_meanwhile(ctx):
    household_id, opened = _household(ctx)
    # Senad changes the family name and saves ...
    hh.update_household(ctx, household_id, replace(opened, family_name="Jovanović"), base=opened)
    # ... while Milica, whose form still shows the old name, types an address and saves.
    milica = replace(opened, address="Ulica 5")
    hh.update_household(ctx, household_id, milica, base=opened)
    saved = hh.get_household(ctx, household_id).household
    assert (saved.family_name, saved.address) == ("Jovanović", "Ulica 5")
    # The sort key followed the name that was kept.
    assert hh.find_households(ctx, "Jovanović")[0].id == household_id


def test_the_same_field_changed_differently_is_a_conflict_nothing_saved(ctx):
    household_id, opened = _household(ctx)
    hh.update_household(ctx, household_id, replace(opened, phone="061 111"), base=opened)
    mine = replace(opened, phone="062 222", address="Ulica 5")
    with pytest.raises(EditConflict) as caught:
        hh.update_household(ctx, household_id, mine, base=opened)
    [conflict] = caught.value.conflicts
    assert (conflict.field, conflict.saved, conflict.typed) == ("phone", "061 111", "062 222")
    saved = hh.get_household(ctx, household_id).household
    assert (saved.phone, saved.address) == ("061 111", "")
    # The user chose their own values: they are saved over the other ones.
    hh.update_household(ctx, household_id, mine, base=opened, overwrite=True)
    saved = hh.get_household(ctx, household_id).household
    assert (saved.phone, saved.address) == ("062 222", "Ulica 5")


def test_a_stale_person_form_does_not_erase_a_recorded_jmbg(ctx):
    household_id, _ = _household(ctx)
    opened = hh.PersonInput("Marko", "Petrović", birth_date="12.05.1987")
    person_id = hh.add_person(ctx, household_id, opened)
    with_jmbg = replace(opened, jmbg="1205987710005")
    hh.update_person(ctx, person_id, with_jmbg, base=opened)
    # An old form, opened before the JMBG was recorded, saves a note.
    hh.update_person(ctx, person_id, replace(opened, notes="came on Monday"), base=opened)
    person = hh.get_household(ctx, household_id).members[0]
    assert (person.jmbg, person.notes) == ("1205987710005", "came on Monday")


def test_documents_held_are_merged_the_same_way(ctx):
    household_id, _ = _household(ctx)
    opened = hh.PersonInput(
        "Marko", "Petrović", documents={DocumentKind.ID_CARD: DocumentState.MISSING}
    )
    person_id = hh.add_person(ctx, household_id, opened)
    got_id = replace(opened, documents={DocumentKind.ID_CARD: DocumentState.HAVE})
    hh.update_person(ctx, person_id, got_id, base=opened)
    hh.update_person(ctx, person_id, replace(opened, given_name="Marko Jr"), base=opened)
    person = hh.get_household(ctx, household_id).members[0]
    assert person.given_name == "Marko Jr"
    assert person.documents[DocumentKind.ID_CARD] == DocumentState.HAVE
    assert hh.find_households(ctx, "Marko Jr")[0].id == household_id
