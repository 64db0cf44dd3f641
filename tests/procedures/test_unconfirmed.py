"""Issue 15 item 7: what domain.md marks UNCONFIRMED is never shown as a plain fact.

Each entry below is one fact domain.md marks UNCONFIRMED (its section in the comment),
as the words a shipped step would use for it. Every step field whose English text
states such a fact must carry "check with the office" (``verify_locally``) for that
field; the test names each one that does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from docassist.procedures import load_all

FIELDS = ("where", "bring", "cost", "duration", "deadline", "tips")


@dataclass(frozen=True)
class Fact:
    """One UNCONFIRMED fact and where a step would state it (None: anywhere)."""

    pattern: str
    fact: str
    checklists: frozenset[str] | None = None
    steps: frozenset[str] | None = None
    fields: tuple[str, ...] | None = None


def _in(*ids: str) -> frozenset[str]:
    return frozenset(ids)


UNCONFIRMED: tuple[Fact, ...] = (
    # §5: children insured up to 18, pupils and students to at most 26.
    Fact(r"\b(under|up to|until) 18\b|\b26\b", "age limits of the child and student bases",
         _in("health-insurance")),
    # §5: whether the 2019 law keeps the Roma basis.
    Fact(r"Roma", "the Roma basis under the 2019 law", _in("health-insurance"),
         fields=("bring", "cost", "duration")),
    # §5: whether NSZ still asks for the work booklet when the unemployed register.
    Fact(r"work booklet|radna knjižica", "the work booklet at NSZ", _in("health-insurance"),
         _in("register-at-nsz")),
    # §4: the deadline to apply after turning 16 ("often cited as 2 months").
    Fact(r"\b2 months\b|two months", "the ID card deadline after 16"),
    # §4, §10: current fees are dated examples.
    Fact(r"\bRSD\b|\bdinar", "a fee amount", fields=("cost",)),
    # §1.3: court fees.
    Fact(r"court fee", "court fees", _in("court-birth-determination")),
    # §1.3: typical durations of the court procedure.
    Fact(r"month|year|week", "how long the court takes", _in("court-birth-determination"),
         fields=("duration",)),
    # §1.2: the evidence list and deadlines of late registration.
    Fact(r"witness|age check|weeks|months", "what late registration asks for, and how long",
         _in("late-birth-registration"), fields=("bring", "duration")),
    # §2: the steps of establishing citizenship at MUP.
    Fact(r"establish", "MUP's procedure for establishing citizenship",
         _in("citizenship-certificate"), fields=("where", "bring", "cost", "duration")),
    # §6: the readmission office's phone number and hours.
    Fact(r"209-7879|9:30|21:30", "the airport office's phone and hours"),
    # §1.1: when the 2025 Law on the Civil Register takes effect.
    Fact(r"109/2025|Matični registar", "the 2025 Law on the Civil Register"),
    # §1.4: which office keeps which relocated Kosovo books (2010 examples).
    Fact(r"keeps the (moved )?books", "the office keeping the Kosovo books", fields=("where",)),
    # No procedure in domain.md: the entry of a birth abroad.
    Fact(r".", "the procedure for entering a birth abroad", _in("foreign-birth-entry"),
         fields=("where", "cost", "duration")),
)  # fmt: skip


def _texts(step, name: str) -> list[str]:
    value = getattr(step, name)
    if value is None:
        return []
    if isinstance(value, tuple):
        return [item.en for item in value]
    return [value.en]


def unmarked(checklists) -> list[str]:
    found = []
    for checklist in checklists:
        for step in checklist.steps:
            for fact in UNCONFIRMED:
                if fact.checklists is not None and checklist.id not in fact.checklists:
                    continue
                if fact.steps is not None and step.key not in fact.steps:
                    continue
                for name in fact.fields or FIELDS:
                    if name in step.verify_locally:
                        continue
                    if any(re.search(fact.pattern, t, re.I) for t in _texts(step, name)):
                        found.append(f"{checklist.id} / {step.key} / {name}: {fact.fact}")
    return found


def test_every_unconfirmed_fact_in_a_shipped_step_says_check_with_the_office():
    assert unmarked(load_all(user=False)) == []


def test_the_walk_finds_an_unmarked_fact():
    # The walker itself: the health-insurance tips without their marker are caught.
    from dataclasses import replace

    from docassist.procedures import ChecklistSet

    shipped = load_all(user=False)
    insurance = shipped.get("health-insurance")
    stripped = replace(
        insurance,
        steps=tuple(replace(s, verify_locally=frozenset()) for s in insurance.steps),
    )
    found = unmarked(ChecklistSet([stripped]))
    assert "health-insurance / choose-basis / tips: age limits of the child and student bases" in (
        found
    )


@pytest.mark.parametrize("field", FIELDS)
def test_every_field_a_fact_can_be_in_may_carry_the_marker(field):
    from docassist.procedures import VERIFY_FIELDS

    assert field in VERIFY_FIELDS


def test_the_child_age_limit_in_health_insurance_is_shown_with_the_marker():
    # The presenter and the case screen show "check with the office" after the tips.
    from docassist.handouts.fields import TIPS, step_fields

    step = load_all(user=False).get("health-insurance").step("choose-basis")
    assert "Child under 18: insured as a child." in step.tips.en
    [tips] = [f for f in step_fields(step) if f.kind == TIPS]
    assert tips.verify
