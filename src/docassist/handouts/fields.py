"""What a checklist's introduction and each of its steps show, in reading order.

The one list of parts and headings for the workshop presenter and the printed
procedure, so a family reads on paper what the room saw on the screen. Each
renders the parts its own way: the presenter shows every one (tips quietly), the
handout leaves out the facilitator's tips and any text empty in its language.
"""

from __future__ import annotations

from dataclasses import dataclass

from docassist.domain.text import N_
from docassist.procedures import Checklist, Step, Text

# Kinds of part: one text, the facilitator's tips (a text), the things to bring
# (tick boxes), the list of a checklist's step titles.
TEXT, TIPS, BRING, STEPS = "text", "tips", "bring", "steps"


@dataclass(frozen=True)
class Field:
    """One part of an introduction or a step."""

    kind: str  # TEXT, TIPS, BRING or STEPS
    heading: str  # msgid, "" for none
    value: Text | tuple[Text, ...] | None
    verify: bool = False  # UNCONFIRMED: "check with the office" follows it


def introduction_fields(checklist: Checklist) -> list[Field]:
    return [
        Field(TEXT, "", checklist.summary),
        Field(TEXT, N_("Who needs it"), checklist.for_whom),
        Field(STEPS, N_("The steps"), tuple(s.title for s in checklist.steps)),
    ]


def step_fields(step: Step) -> list[Field]:
    check = step.verify_locally
    out = [
        Field(BRING, N_("What to bring"), step.bring, "bring" in check),
        Field(TEXT, N_("Where to go"), step.where, "where" in check),
        Field(TEXT, N_("Cost"), step.cost, "cost" in check),
        Field(TEXT, N_("How long it takes"), step.duration, "duration" in check),
    ]
    if step.deadline:
        out.append(Field(TEXT, N_("Deadline"), step.deadline, "deadline" in check))
    # Not in checklist.VERIFY_FIELDS: what ends a step is the procedure, not a local fact.
    out.append(Field(TEXT, N_("Done when"), step.done_when))
    if step.tips:
        out.append(Field(TIPS, N_("For the facilitator"), step.tips, "tips" in check))
    return out
