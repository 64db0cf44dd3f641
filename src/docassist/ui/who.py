"""What tells two families of the same name, place and size apart in a list: the head
of household's given name (the first recorded) and how many others; and the street,
where one is recorded. Shared by the register list and the workshop's attendance, so
a family reads the same in both (the duplicate dialog shows the same names, longer)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from docassist.domain.model import Relation
from docassist.i18n import format_number

if TYPE_CHECKING:  # the household list imports this module, and not the editing services
    from docassist.services.households import Person


def who(given_names: tuple[str, ...] | list[str]) -> str:
    """ "Sead +3": the head of household (or the oldest) and the count of the others."""
    if not given_names:
        return ""
    others = len(given_names) - 1
    return given_names[0] + (f" +{format_number(others)}" if others else "")


def place(settlement: str, address: str) -> str:
    """The settlement, and the street address after it when one is recorded."""
    return ", ".join(part for part in (settlement, address.strip()) if part)


def heads_first(people: Iterable[Person]) -> list[Person]:
    """The head of household first, then the others in their order (the oldest first)."""
    people = list(people)
    return sorted(people, key=lambda p: p.relation != Relation.HEAD)
