"""Saving a form that was opened a while ago, when someone else may have saved since.

A form used to write every field that differed from the row as it is now: Milica opens
a household, Senad changes its family name and saves, Milica types an address and saves,
and Senad's change was gone without a word (a stale person form erased a recorded JMBG
the same way). Each save now compares three versions of every field: what the form
started from (its base), what it holds now (mine), and what is saved now (theirs).

- untouched in the form (mine == base): what is saved stays, whoever saved it;
- changed only in the form, or changed the same way by both: the form's value is saved;
- changed in the form and, differently, by someone else: a conflict. Nothing is saved
  and ``EditConflict`` says which fields, with both values, so the user chooses; saving
  again with ``overwrite=True`` puts the form's values over them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from docassist.domain.model import DOCUMENT_LABELS, DocumentKind
from docassist.domain.text import N_, UserError


@dataclass(frozen=True)
class FieldConflict:
    field: str
    saved: Any  # what someone else saved since the form was opened
    typed: Any  # what the form holds


class EditConflict(UserError):
    """Someone saved some of the same fields differently since the form was opened."""

    def __init__(self, conflicts: list[FieldConflict]) -> None:
        super().__init__(
            N_("Someone else saved changes to this record since you opened it."),
        )
        self.conflicts = conflicts


def merge_edit(
    saved: Mapping[str, Any],
    base: Mapping[str, Any],
    mine: Mapping[str, Any],
    *,
    derived: Mapping[str, str] = {},  # noqa: B006 - read only
    recompute: Callable[[dict[str, Any]], None] | None = None,
    overwrite: bool = False,
) -> dict[str, Any]:
    """The row to save: ``saved`` with the fields the form changed taken from ``mine``.

    ``derived`` maps a column computed from another (a sort key from the family name)
    to its source: it follows whichever version of the source was kept. ``recompute``
    may fix columns computed from several sources. Raises ``EditConflict``.
    """
    merged: dict[str, Any] = {}
    took_mine: set[str] = set()
    conflicts: list[FieldConflict] = []
    for key, typed in mine.items():
        if key in derived:
            continue
        was, now = base.get(key), saved.get(key)
        if typed == was:
            merged[key] = now
        elif now in (was, typed) or overwrite:
            merged[key] = typed
            took_mine.add(key)
        else:
            conflicts.append(FieldConflict(key, now, typed))
    if conflicts:
        raise EditConflict(conflicts)
    for key, source in derived.items():
        if key in mine:
            merged[key] = mine[key] if source in took_mine else saved.get(key)
    if recompute is not None:
        recompute(merged)
    return merged


# What a conflicting field is called on the forms (the forms' own labels).
FIELD_LABELS: dict[str, str] = {
    "family_name": N_("Family name"),
    "given_name": N_("Given name"),
    "settlement": N_("Settlement"),
    "municipality": N_("Municipality"),
    "address": N_("Address"),
    "phone": N_("Phone"),
    "notes": N_("Notes"),
    "language": N_("Family's language"),
    "consent_date": N_("Date they agreed"),
    "consent_scope": N_("Date they agreed"),
    "relation": N_("Relation"),
    "sex": N_("Sex"),
    "birth_date": N_("Birth date"),
    "place_of_birth": N_("Place of birth"),
    "jmbg": N_("JMBG"),
    "mother_id": N_("Mother"),
    "father_id": N_("Father"),
    "ethnicity": N_("Ethnicity"),
    "is_idp": N_("Status"),
    "is_refugee": N_("Status"),
    "is_returnee": N_("Status"),
    "is_domicile": N_("Status"),
}


def conflict_labels(conflict: EditConflict) -> list[str]:
    """The msgids naming the conflicting fields, once each, in form order."""
    labels: list[str] = []
    for c in conflict.conflicts:
        if c.field.startswith("document:"):
            label = DOCUMENT_LABELS[DocumentKind(c.field.split(":", 1)[1])]
        else:
            label = FIELD_LABELS.get(c.field, N_("Notes"))
        if label not in labels:
            labels.append(label)
    return labels
