"""A small register built through the services, with every figure counted by hand.

Period under test: 1 June to 30 September 2026 (``PERIOD``). What is in it:

Household A, Niš (Nikolić)
  Ana   f  born 09.2021 (month known)  birth registration, opened 10.06., obtained 14.09. (age 4)
  Bora  m  born 09.2021                birth registration, opened 10.06., obtained 15.09. (age 5)
  Cica  f  born 2008 (year only)       ID card, opened 01.06., obtained 30.06. (age 17)
  Dule  m  born 2008                   ID card, opened 01.06., obtained 01.07. (age 18)
  Eva   f  born 1985                   citizenship, opened 01.03., blocked in March, overdue:
                                       not served in the period, but open/blocked/overdue today
Household B, Leskovac (Ramić)
  Baba  f  born "oko 1966"             ID card, opened 01.05., obtained 01.07. (age 60)
  Xavi  sex and birth date not known   health insurance, opened 05.07., obtained 01.08.
  Goran m  born 1990                   ID card, opened 10.07., refused 01.08. (a checklist reason)
  Hana  f  born 1992                   ID card, opened 10.07., refused 01.08. (typed by hand,
                                       with a name in it: must never reach the report)
Household C, Beograd (Jović), three people, no cases
  marked present as a whole at the Beograd workshop on 10.08., and at one on 01.05. (outside)
Workshop in Niš on 01.09. with Ana named.
"""

from __future__ import annotations

from datetime import date

from docassist.domain.model import DocumentKind, Relation, Sex, StepStatus
from docassist.services import cases
from docassist.services import households as hh
from docassist.services import workshops as ws
from docassist.services.cases import StepPlan
from docassist.services.context import Context
from docassist.services.households import HouseholdInput, PersonInput
from docassist.services.reports import Period

PERIOD = Period(date(2026, 6, 1), date(2026, 9, 30))
NAME_IN_REASON = "Petrović"
STEPS = [StepPlan("gather", 7), StepPlan("apply", 15)]


def _at(ctx: Context, day: date) -> None:
    """Make the next writes happen on ``day``: the clock and the calendar (a case's
    opening day is the calendar's, and it is never closed before it)."""
    ctx.now = lambda: f"{day.isoformat()}T09:00:00+00:00"
    ctx.today = lambda: day


def _household(ctx: Context, family: str, municipality: str, people) -> dict[str, str]:
    members = [
        PersonInput(given, family, relation=Relation.OTHER, sex=sex, birth_date=born)
        for given, sex, born in people
    ]
    household_id = hh.register_household(
        ctx, HouseholdInput(family, settlement="Centar", municipality=municipality), members
    )
    detail = hh.get_household(ctx, household_id)
    return {"household": household_id, **{p.given_name: p.id for p in detail.members}}


def _obtained(ctx, person_id, checklist_id, kind, opened: date, obtained: date) -> str:
    _at(ctx, opened)
    case_id = cases.open_case(ctx, person_id, checklist_id, 1, STEPS, produces=kind)
    _at(ctx, obtained)
    cases.close_case(ctx, case_id, "obtained", on=obtained)
    return case_id


def build(ctx: Context) -> dict[str, dict[str, str]]:
    _at(ctx, date(2026, 1, 5))  # registered before anything below happened
    a = _household(
        ctx,
        "Nikolić",
        "Niš",
        [
            ("Ana", Sex.FEMALE, "09.2021"),
            ("Bora", Sex.MALE, "09.2021"),
            ("Cica", Sex.FEMALE, "2008"),
            ("Dule", Sex.MALE, "2008"),
            ("Eva", Sex.FEMALE, "1985"),
        ],
    )
    b = _household(
        ctx,
        "Ramić",
        "Leskovac",
        [
            ("Baba", Sex.FEMALE, "oko 1966"),
            ("Xavi", Sex.UNKNOWN, ""),
            ("Goran", Sex.MALE, "1990"),
            ("Hana", Sex.FEMALE, "1992"),
        ],
    )
    c = _household(
        ctx,
        "Jović",
        "Beograd",
        [("Ivo", Sex.MALE, "1970"), ("Jela", Sex.FEMALE, "1972"), ("Kata", Sex.FEMALE, "2010")],
    )
    birth, id_card = DocumentKind.BIRTH_REGISTRATION, DocumentKind.ID_CARD
    _obtained(ctx, a["Ana"], "birth-registration", birth, date(2026, 6, 10), date(2026, 9, 14))
    _obtained(ctx, a["Bora"], "birth-registration", birth, date(2026, 6, 10), date(2026, 9, 15))
    _obtained(ctx, a["Cica"], "id-card", id_card, date(2026, 6, 1), date(2026, 6, 30))
    _obtained(ctx, a["Dule"], "id-card", id_card, date(2026, 6, 1), date(2026, 7, 1))
    _obtained(ctx, b["Baba"], "id-card", id_card, date(2026, 5, 1), date(2026, 7, 1))
    _obtained(
        ctx,
        b["Xavi"],
        "health-insurance",
        DocumentKind.HEALTH_INSURANCE,
        date(2026, 7, 5),
        date(2026, 8, 1),
    )
    for person, reason in (
        ("Goran", "No registered residence: they want the landlord's statement"),
        ("Hana", f"The clerk, {NAME_IN_REASON}, would not take the application"),
    ):
        _at(ctx, date(2026, 7, 10))
        case_id = cases.open_case(ctx, b[person], "id-card", 1, STEPS, produces=id_card)
        _at(ctx, date(2026, 8, 1))
        cases.close_case(ctx, case_id, "refused", on=date(2026, 8, 1), reason=reason)

    _at(ctx, date(2026, 3, 1))
    case_id = cases.open_case(
        ctx, a["Eva"], "citizenship-certificate", 1, STEPS, produces=DocumentKind.CITIZENSHIP
    )
    cases.set_step_status(ctx, case_id, "gather", StepStatus.BLOCKED, reason="No birth record")
    cases.set_step_due(ctx, case_id, "gather", date(2026, 3, 20))

    _at(ctx, date(2026, 5, 1))
    early = ws.start_workshop(ctx, date(2026, 5, 1), "Hall", "Beograd", "", ["id-card"], ["rom"])
    ws.add_attendance(ctx, early, c["household"])
    _at(ctx, date(2026, 8, 10))
    belgrade = ws.start_workshop(
        ctx,
        date(2026, 8, 10),
        "Hall",
        "Beograd",
        "",
        ["id-card", "birth-registration"],
        ["rom", "sr"],
    )
    ws.add_attendance(ctx, belgrade, c["household"])
    _at(ctx, date(2026, 9, 1))
    nis = ws.start_workshop(ctx, date(2026, 9, 1), "School", "Niš", "", ["id-card"], ["sr"])
    ws.add_attendance(ctx, nis, a["household"], [a["Ana"]])
    _at(ctx, date(2026, 11, 23))
    return {"a": a, "b": b, "c": c}
