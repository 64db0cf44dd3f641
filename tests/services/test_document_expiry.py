"""Documents that run out (issue 15 item 8): a "valid until" proposed from the kind and
editable; from its expiry a document counts as not held; the dashboard lists them."""

from __future__ import annotations

from datetime import date

import pytest

from docassist.domain.model import DocumentKind, DocumentState, Relation, Sex
from docassist.services import cases, dashboard, plans
from docassist.services import households as hh
from docassist.services.cases import StepPlan
from docassist.services.context import ValidationError
from tests.services.conftest import TODAY

K, S = DocumentKind, DocumentState
STEPS = [StepPlan("apply", 15)]


def _household(ctx, *members: hh.PersonInput, municipality="Niš") -> tuple[str, list[str]]:
    """The household and its members' ids, in the order given."""
    household_id = hh.register_household(
        ctx, hh.HouseholdInput(members[0].family_name, municipality=municipality), members
    )
    by_name = {m.given_name: m.id for m in hh.get_household(ctx, household_id).members}
    return household_id, [by_name[m.given_name] for m in members]


def _adult(given, family="Ramić", sex=Sex.FEMALE, born="1990", **kw) -> hh.PersonInput:
    base = {K.BIRTH_REGISTRATION: S.HAVE, K.CITIZENSHIP: S.HAVE, K.RESIDENCE: S.HAVE}
    return hh.PersonInput(
        given, family, Relation.HEAD, sex, born, documents={**base, **kw.pop("documents", {})}, **kw
    )


def _obtain(ctx, person_id, checklist_id, kind, on=TODAY) -> None:
    """A case opened and closed "obtained" on ``on`` (a case is not closed before it
    was opened)."""
    today = ctx.today
    ctx.today = lambda: on
    case_id = cases.open_case(ctx, person_id, checklist_id, 1, STEPS, produces=kind)
    ctx.today = today
    cases.close_case(ctx, case_id, "obtained", on=on)


def test_a_card_obtained_through_a_case_gets_the_validity_of_its_kind(ctx):
    _h, [mother, son, lodger] = _household(
        ctx,
        _adult("Sara", born="1990"),
        _adult("Amir", sex=Sex.MALE, born="12.03.2012"),
        _adult("Emsa", born="1970", documents={K.RESIDENCE: S.MISSING}),
    )
    _obtain(ctx, mother, "id-card", K.ID_CARD, on=date(2026, 11, 20))
    _obtain(ctx, son, "id-card", K.ID_CARD, on=date(2026, 11, 20))
    _obtain(ctx, lodger, "id-card", K.ID_CARD, on=date(2026, 11, 20))
    assert hh.get_person(ctx, mother).valid_until == {K.ID_CARD: date(2036, 11, 19)}
    assert hh.get_person(ctx, son).valid_until == {K.ID_CARD: date(2031, 11, 19)}  # 14: 5 years
    assert hh.get_person(ctx, lodger).valid_until == {K.ID_CARD: date(2028, 11, 19)}
    entry = ctx.db.execute(
        "SELECT after FROM audit_log WHERE action = 'close' ORDER BY id DESC LIMIT 1"
    ).fetchone()[0]
    assert '"valid_until": "2028-11-19"' in entry


def test_a_procedure_producing_no_document_with_a_validity_sets_none(ctx):
    _h, [child] = _household(ctx, hh.PersonInput("Ena", "Ramić", sex=Sex.FEMALE, birth_date="2020"))
    _obtain(ctx, child, "birth-registration", K.BIRTH_REGISTRATION)
    person = hh.get_person(ctx, child)
    assert person.documents[K.BIRTH_REGISTRATION] == S.HAVE
    assert person.valid_until == {}


def test_the_date_typed_on_the_form_is_kept_and_audited(ctx):
    _h, [pid] = _household(
        ctx, _adult("Sara", documents={K.ID_CARD: S.HAVE}, valid_until={K.ID_CARD: "1.12.2026"})
    )
    assert hh.get_person(ctx, pid).valid_until == {K.ID_CARD: date(2026, 12, 1)}
    person = hh.get_person(ctx, pid)
    edited = _adult(
        "Sara",
        documents={K.ID_CARD: S.HAVE},
        valid_until={K.ID_CARD: "2036-12-01", K.TRAVEL_DOCUMENT: ""},
    )
    hh.update_person(ctx, pid, edited)
    assert hh.get_person(ctx, pid).valid_until == {K.ID_CARD: date(2036, 12, 1)}
    before, after = ctx.db.execute(
        "SELECT before, after FROM audit_log WHERE action = 'update' AND entity = 'person' "
        "ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert '"id_card": "2026-12-01"' in before and '"id_card": "2036-12-01"' in after
    # a save that knows nothing of validities (an import, a quick add) leaves them
    hh.update_person(ctx, pid, _adult("Sara", notes="moved", documents={K.ID_CARD: S.HAVE}))
    assert hh.get_person(ctx, pid).valid_until == {K.ID_CARD: date(2036, 12, 1)}
    assert person.documents[K.ID_CARD] == S.HAVE


def test_a_document_no_longer_held_loses_its_date(ctx):
    _h, [pid] = _household(
        ctx, _adult("Sara", documents={K.ID_CARD: S.HAVE}, valid_until={K.ID_CARD: "1.12.2030"})
    )
    hh.update_person(
        ctx,
        pid,
        _adult("Sara", documents={K.ID_CARD: S.MISSING}, valid_until={K.ID_CARD: "1.12.2030"}),
    )
    assert hh.get_person(ctx, pid).valid_until == {}


@pytest.mark.parametrize("typed", ["31.2.2027", "soon", "1.12.27"])
def test_a_date_that_is_no_date_is_refused_with_a_message(ctx, typed):
    person = _adult("Sara", documents={K.ID_CARD: S.HAVE}, valid_until={K.ID_CARD: typed})
    problems = hh.validate_person(person, TODAY)
    [problem] = problems["valid-id_card"]
    assert problem.is_error and problem.render()
    with pytest.raises(ValidationError):
        hh.register_household(ctx, hh.HouseholdInput("Ramić"), [person])


def test_from_its_expiry_a_document_counts_as_not_held(ctx, checklists):
    # 23.11.2026: Sara's ID card ran out yesterday, Amir's runs out today.
    household_id, [sara, amir] = _household(
        ctx,
        _adult("Sara", documents={K.ID_CARD: S.HAVE}, valid_until={K.ID_CARD: "22.11.2026"}),
        _adult("Amir", sex=Sex.MALE, documents={K.ID_CARD: S.HAVE},
               valid_until={K.ID_CARD: "23.11.2026"}),
    )  # fmt: skip
    family = plans.household_plans(ctx, household_id, checklists)
    assert K.ID_CARD not in family[sara].held
    assert K.ID_CARD in family[amir].held
    renew = family[sara].item("id-card")
    assert renew is not None and renew.state != "done"  # getting one again is proposed
    assert family[amir].item("id-card").state == "done"
    assert hh.get_person(ctx, sara).expired_on(TODAY) == {K.ID_CARD}
    assert hh.get_person(ctx, amir).expiring_on(TODAY) == {K.ID_CARD}


def test_the_dashboard_lists_expired_and_expiring_soonest_first(ctx):
    _household(
        ctx,
        _adult("Sara", documents={K.ID_CARD: S.HAVE}, valid_until={K.ID_CARD: "01.10.2026"}),
        _adult("Amir", sex=Sex.MALE, documents={K.TRAVEL_DOCUMENT: S.HAVE},
               valid_until={K.TRAVEL_DOCUMENT: "23.12.2026"}),  # 30 days: listed
        _adult("Emsa", documents={K.HEALTH_INSURANCE: S.HAVE},
               valid_until={K.HEALTH_INSURANCE: "24.12.2026"}),  # 31 days: not yet
        _adult("Ena", documents={K.ID_CARD: S.HAVE}, valid_until={K.ID_CARD: "25.11.2026"}),
    )  # fmt: skip
    _household(
        ctx,
        _adult("Mira", "Jović", documents={K.ID_CARD: S.HAVE},
               valid_until={K.ID_CARD: "20.11.2026"}),
        municipality="Leskovac",
    )  # fmt: skip
    lines, expired, soon = dashboard.expiring_documents(ctx)
    assert [(d.person_name, d.kind) for d in lines] == [
        ("Sara Ramić", K.ID_CARD),
        ("Mira Jović", K.ID_CARD),
        ("Ena Ramić", K.ID_CARD),
        ("Amir Ramić", K.TRAVEL_DOCUMENT),
    ]
    assert (expired, soon) == (2, 2)
    assert [d.expired(TODAY) for d in lines] == [True, True, False, False]
    lines, expired, soon = dashboard.expiring_documents(ctx, dashboard.Scope("Leskovac"))
    assert [d.person_name for d in lines] == ["Mira Jović"] and (expired, soon) == (1, 0)
    lines, *_counts = dashboard.expiring_documents(ctx, limit=1)
    assert len(lines) == 1


def test_a_document_not_held_or_removed_is_not_listed(ctx):
    _h, [sara, amir] = _household(
        ctx,
        _adult("Sara", documents={K.ID_CARD: S.HAVE}, valid_until={K.ID_CARD: "01.10.2026"}),
        _adult("Amir", sex=Sex.MALE, documents={K.ID_CARD: S.HAVE},
               valid_until={K.ID_CARD: "01.10.2026"}),
    )  # fmt: skip
    hh.update_person(ctx, sara, _adult("Sara", documents={K.ID_CARD: S.MISSING}))
    hh.remove_person(ctx, amir)
    assert dashboard.expiring_documents(ctx) == ([], 0, 0)
