"""Workshops: saved at the start, attendance as it is marked, cases opened all at once."""

from __future__ import annotations

import json
from datetime import date

import pytest

from docassist.domain.model import CaseStatus, DocumentKind, DocumentState, Relation, Sex
from docassist.services import cases
from docassist.services import households as hh
from docassist.services import workshops as ws
from docassist.services.context import NotFoundError, ValidationError
from docassist.services.households import HouseholdInput, PersonInput

CHECKLISTS = ("id-card", "health-insurance")


@pytest.fixture
def workshop_id(ctx):
    return ws.start_workshop(
        ctx,
        date(2026, 11, 23),
        "Community centre",
        "Novi Sad",
        "Veliki rit",
        CHECKLISTS,
        ["rom", "sr"],
    )


def _family(ctx, family="Ramić"):
    return hh.register_household(
        ctx,
        HouseholdInput(family_name=family, settlement="Veliki rit", municipality="Novi Sad"),
        [
            PersonInput("Sabit", family, Relation.HEAD, Sex.MALE, "1990"),
            PersonInput("Ajša", family, Relation.SPOUSE, Sex.FEMALE, "1992"),
            PersonInput("Emir", family, Relation.CHILD, Sex.MALE, "2015"),
        ],
    )


def _audit(ctx, workshop_id):
    return list(
        ctx.db.query(
            "SELECT action, before, after FROM audit_log WHERE entity = 'workshop' "
            "AND entity_id = ? ORDER BY id",
            [workshop_id],
        )
    )


def test_start_saves_the_workshop_with_its_facilitator(ctx, workshop_id):
    w = ws.get_workshop(ctx, workshop_id)
    assert w.held_on == date(2026, 11, 23)
    assert (w.place, w.municipality, w.settlement) == ("Community centre", "Novi Sad", "Veliki rit")
    assert w.checklists == CHECKLISTS
    assert w.languages == ("rom", "sr")
    assert w.facilitator_id == ctx.user_id
    assert w.facilitator_name == "Milica"
    assert (w.households, w.people) == (0, 0)
    [entry] = _audit(ctx, workshop_id)
    assert entry["action"] == "create"
    assert json.loads(entry["after"])["checklists"] == list(CHECKLISTS)


def test_start_accepts_an_iso_date_and_tidies_text(ctx):
    wid = ws.start_workshop(ctx, "2026-11-20", "  Škola  ", "", "", ["id-card"], ["sr-Latn"])
    w = ws.get_workshop(ctx, wid)
    assert w.held_on == date(2026, 11, 20)
    assert w.place == "Škola"
    assert w.languages == ("sr_Latn",)


@pytest.mark.parametrize(
    ("checklist_ids", "languages", "field"),
    [
        ([], ["en"], "checklists"),
        (["id-card"], [], "languages"),
        (["id-card"], ["en", "sr", "rom"], "languages"),
        (["id-card"], ["xx"], "languages"),
    ],
)
def test_start_refuses_incomplete_setups(ctx, checklist_ids, languages, field):
    with pytest.raises(ValidationError) as err:
        ws.start_workshop(ctx, date(2026, 11, 23), "", "", "", checklist_ids, languages)
    assert field in err.value.problems
    assert ws.list_workshops(ctx) == []


def test_start_refuses_a_place_longer_than_a_name(ctx):
    with pytest.raises(ValidationError) as err:
        ws.start_workshop(ctx, date(2026, 11, 23), "Š" * 101, "", "", ["id-card"], ["en"])
    assert err.value.problems["place"][0].code == "too_long"
    assert ws.list_workshops(ctx) == []


def test_the_same_language_twice_counts_once(ctx):
    wid = ws.start_workshop(ctx, date(2026, 11, 23), "", "", "", ["id-card"], ["rom", "rom"])
    assert ws.get_workshop(ctx, wid).languages == ("rom",)


def test_list_is_newest_first_and_limited(ctx):
    for day in (3, 20, 11):
        ws.start_workshop(ctx, date(2026, 11, day), f"Place {day}", "", "", ["id-card"], ["en"])
    listed = ws.list_workshops(ctx, 2)
    assert [w.place for w in listed] == ["Place 20", "Place 11"]


def test_unknown_workshop(ctx):
    with pytest.raises(NotFoundError):
        ws.get_workshop(ctx, "nope")
    with pytest.raises(NotFoundError):
        ws.add_attendance(ctx, "nope", _family(ctx))


def test_whole_household_attendance_counts_every_member(ctx, workshop_id):
    hid = _family(ctx)
    ws.add_attendance(ctx, workshop_id, hid)
    ws.add_attendance(ctx, workshop_id, hid)  # marking twice changes nothing
    [attendee] = ws.attendees(ctx, workshop_id)
    assert attendee.whole_household
    assert [p.given_name for p in attendee.people] == ["Sabit", "Ajša", "Emir"]
    w = ws.get_workshop(ctx, workshop_id)
    assert (w.households, w.people) == (1, 3)
    actions = [e["action"] for e in _audit(ctx, workshop_id)]
    assert actions == ["create", "attend"]
    rows = ctx.db.execute("SELECT count(*) FROM attendance").fetchone()[0]
    assert rows == 1


def test_named_members_only(ctx, workshop_id):
    hid = _family(ctx)
    members = hh.get_household(ctx, hid).members
    ws.add_attendance(ctx, workshop_id, hid, [members[1].id])
    [attendee] = ws.attendees(ctx, workshop_id)
    assert not attendee.whole_household
    assert [p.given_name for p in attendee.people] == ["Ajša"]
    assert ws.get_workshop(ctx, workshop_id).people == 1


def test_a_stranger_cannot_be_marked_with_a_household(ctx, workshop_id):
    hid = _family(ctx)
    other = hh.get_household(ctx, _family(ctx, "Beriša")).members[0]
    with pytest.raises(ValidationError):
        ws.add_attendance(ctx, workshop_id, hid, [other.id])


def test_remove_then_mark_again_revives_the_row(ctx, workshop_id):
    hid = _family(ctx)
    members = hh.get_household(ctx, hid).members
    ws.add_attendance(ctx, workshop_id, hid, [members[0].id])
    ws.remove_attendance(ctx, workshop_id, hid, [members[0].id])
    assert ws.attendees(ctx, workshop_id) == []
    ws.add_attendance(ctx, workshop_id, hid, [members[0].id])  # unique key must not refuse
    assert [p.id for p in ws.attendees(ctx, workshop_id)[0].people] == [members[0].id]
    ws.remove_attendance(ctx, workshop_id, hid)
    assert ws.attendees(ctx, workshop_id) == []
    ws.remove_attendance(ctx, workshop_id, hid)  # nothing left: nothing written
    actions = [e["action"] for e in _audit(ctx, workshop_id)]
    assert actions == ["create", "attend", "unattend", "attend", "unattend"]


def test_register_and_attend_is_one_use_case(ctx, workshop_id):
    hid = ws.register_and_attend(
        ctx,
        workshop_id,
        HouseholdInput(family_name="Selimović", consent_date="2026-11-23"),
        [PersonInput("Fatima", "Selimović", birth_date="1985")],
    )
    [attendee] = ws.attendees(ctx, workshop_id)
    assert attendee.household_id == hid
    assert [p.given_name for p in attendee.people] == ["Fatima"]


def test_register_and_attend_saves_nothing_when_the_workshop_is_gone(ctx):
    with pytest.raises(NotFoundError):
        ws.register_and_attend(ctx, "nope", HouseholdInput(family_name="Selimović"))
    assert hh.count_households(ctx) == 0


def test_attendees_sorted_by_family_name(ctx, workshop_id):
    for family in ("Šabani", "Ademi", "Cakić"):
        ws.add_attendance(ctx, workshop_id, _family(ctx, family))
    assert [a.family_name for a in ws.attendees(ctx, workshop_id)] == ["Ademi", "Cakić", "Šabani"]


def test_open_cases_in_one_go_and_skip_the_already_open(ctx, workshop_id, checklists):
    hid = _family(ctx)
    sabit, ajsa, emir = hh.get_household(ctx, hid).members
    ws.add_attendance(ctx, workshop_id, hid)
    earlier = ws.open_cases_for_attendees(ctx, workshop_id, [(sabit.id, "id-card")], checklists)
    assert len(earlier) == 1

    result = ws.open_cases_for_attendees(
        ctx,
        workshop_id,
        [(sabit.id, "id-card"), (ajsa.id, "id-card"), (emir.id, "health-insurance")],
        checklists,
    )
    assert len(result) == 2
    assert [(o.person_id, o.checklist_id) for o in result.opened] == [
        (ajsa.id, "id-card"),
        (emir.id, "health-insurance"),
    ]
    assert [(s.person_id, s.checklist_id, s.case_id) for s in result.skipped] == [
        (sabit.id, "id-card", earlier[0])
    ]
    opened = {c.person_id: c for c in cases.cases_of_household(ctx, hid)}
    assert opened[ajsa.id].checklist_id == "id-card"
    assert opened[ajsa.id].status == CaseStatus.OPEN
    assert opened[ajsa.id].opened_by == ctx.user_id
    assert len(opened[ajsa.id].steps) == len(checklists.get("id-card").steps)
    assert hh.get_person(ctx, ajsa.id).documents[DocumentKind.ID_CARD] == (
        DocumentState.IN_PROGRESS
    )
    last = _audit(ctx, workshop_id)[-1]
    assert last["action"] == "open_cases"
    assert json.loads(last["after"])["opened"] == list(result)


def test_one_bad_selection_opens_nothing(ctx, workshop_id, checklists):
    hid = _family(ctx)
    sabit, ajsa, _ = hh.get_household(ctx, hid).members
    ws.add_attendance(ctx, workshop_id, hid, [sabit.id])
    with pytest.raises(ValidationError):  # Ajša was not marked present
        ws.open_cases_for_attendees(
            ctx, workshop_id, [(sabit.id, "id-card"), (ajsa.id, "id-card")], checklists
        )
    with pytest.raises(ValidationError):
        ws.open_cases_for_attendees(ctx, workshop_id, [(sabit.id, "no-such")], checklists)
    assert cases.cases_of_household(ctx, hid) == []


def test_a_failure_half_way_rolls_everything_back(ctx, workshop_id, checklists, monkeypatch):
    hid = _family(ctx)
    sabit, ajsa, _ = hh.get_household(ctx, hid).members
    ws.add_attendance(ctx, workshop_id, hid)
    real = ws.open_case
    calls = []

    def flaky(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(ws, "open_case", flaky)
    with pytest.raises(RuntimeError):
        ws.open_cases_for_attendees(
            ctx, workshop_id, [(sabit.id, "id-card"), (ajsa.id, "id-card")], checklists
        )
    assert cases.cases_of_household(ctx, hid) == []
    assert ctx.db.execute("SELECT count(*) FROM case_steps").fetchone()[0] == 0
    assert ctx.db.execute("SELECT count(*) FROM audit_log WHERE entity = 'case'").fetchone()[0] == 0


def test_household_marked_whole_then_members_unticked(ctx, workshop_id):
    household = _family(ctx)
    sabit, ajsa, emir = (m.id for m in hh.get_household(ctx, household).members)
    ws.add_attendance(ctx, workshop_id, household)
    ws.set_people_present(ctx, workshop_id, household, [ajsa])
    [attendee] = ws.attendees(ctx, workshop_id)
    assert [p.given_name for p in attendee.people] == ["Ajša"]
    assert not attendee.whole_household
    assert ws.get_workshop(ctx, workshop_id).people == 1
    # Ticked again: the same rows come back, no second row for one person.
    ws.set_people_present(ctx, workshop_id, household, [sabit, ajsa])
    assert ws.get_workshop(ctx, workshop_id).people == 2
    rows = ctx.db.execute(
        "SELECT count(*) FROM attendance WHERE workshop_id = ?", [workshop_id]
    ).fetchone()[0]
    assert rows == 3  # the whole-household mark (taken back), Ajša, Sabit
    # Nobody ticked: the household is not marked any more.
    ws.set_people_present(ctx, workshop_id, household, [])
    assert ws.attendees(ctx, workshop_id) == []
    assert ws.get_workshop(ctx, workshop_id).households == 0
    actions = [a["action"] for a in _audit(ctx, workshop_id)]
    assert actions.count("attend_people") == 3
    # The same again writes nothing.
    ws.set_people_present(ctx, workshop_id, household, [])
    assert [a["action"] for a in _audit(ctx, workshop_id)] == actions
    with pytest.raises(ValidationError):
        ws.set_people_present(ctx, workshop_id, household, [emir, "someone-else"])


def test_close_the_workshop_is_recorded_once(ctx, workshop_id):
    assert not ws.get_workshop(ctx, workshop_id).closed
    ws.close_workshop(ctx, workshop_id)
    closed = ws.get_workshop(ctx, workshop_id)
    assert closed.closed and closed.closed_at == ctx.now()
    ws.close_workshop(ctx, workshop_id)  # again: nothing more written
    assert [a["action"] for a in _audit(ctx, workshop_id)].count("close") == 1
    assert ws.get_workshop(ctx, workshop_id).closed_at == closed.closed_at
    with pytest.raises(NotFoundError):
        ws.close_workshop(ctx, "no-such-workshop")


def test_progress_is_kept_per_workshop(ctx, workshop_id):
    assert ws.get_progress(ctx, workshop_id) == ws.Progress()
    ws.save_progress(ctx, workshop_id, ws.Progress(5, {("id-card", "apply"): {0, 2}}))
    ws.save_progress(
        ctx, workshop_id, ws.Progress(6, {("id-card", "apply"): {2}, ("x", "y"): set()})
    )
    assert ws.get_progress(ctx, workshop_id) == ws.Progress(6, {("id-card", "apply"): {2}})
    # A page turn is not a change to anyone's record: the trail stays as it was.
    assert [a["action"] for a in _audit(ctx, workshop_id)] == ["create"]
