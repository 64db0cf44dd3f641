"""The import's findings in words, shared by ``docassist import`` and the import screen."""

from __future__ import annotations

from docassist.i18n import _, format_number, ngettext
from docassist.services.importing.plan import ImportPlan
from docassist.services.importing.problems import RowProblem
from docassist.services.importing.rows import describe


def summary_lines(plan: ImportPlan) -> list[str]:
    """What the dry run found, in a few sentences (also shown by the TUI)."""
    counts: list[tuple[str, int]] = [
        (ngettext("{n} row read.", "{n} rows read.", plan.rows), plan.rows)
    ]
    if plan.error_rows:
        counts.append(
            (
                ngettext(
                    "{n} row has errors and is left out.",
                    "{n} rows have errors and are left out.",
                    plan.error_rows,
                ),
                plan.error_rows,
            )
        )
    if plan.registered_rows:
        counts.append(
            (
                ngettext(
                    "{n} row is someone already in the register (the same JMBG) and is left out.",
                    "{n} rows are people already in the register (the same JMBG) and are left out.",
                    plan.registered_rows,
                ),
                plan.registered_rows,
            )
        )
    kept = plan.kept_duplicates
    left = len(plan.likely_duplicates) - kept
    if left:
        message = ngettext(
            "{n} row looks like someone already known and is left out.",
            "{n} rows look like someone already known and are left out.",
            left,
        )
        counts.append((message, left))
    if kept:
        message = ngettext(
            "{n} row looks like someone already known; it is imported anyway.",
            "{n} rows look like someone already known; they are imported anyway.",
            kept,
        )
        counts.append((message, kept))
    noted = sum(h.unlinked for h in plan.households)
    if noted:
        message = ngettext(
            "{n} person has a parent named who is on no row of the household: the name "
            "is kept in their notes.",
            "{n} people have a parent named who is on no row of the household: the names "
            "are kept in their notes.",
            noted,
        )
        counts.append((message, noted))
    lines = [message.format(n=format_number(n)) for message, n in counts]
    lines.append(
        _("To import: {households}, {people}.").format(
            households=households_text(len(plan.households)), people=people_text(plan.people)
        )
    )
    if plan.households and not any(h.values.get("consent_date") for h in plan.households):
        lines.append(
            _(
                "No column gives the date the families agreed: the households are recorded "
                "without it, and their screens will ask for it."
            )
        )
    return lines


def problem_text(plan: ImportPlan, row: RowProblem) -> str:
    """One row problem as shown to the user; a likely duplicate says it is left out."""
    text = describe(row, _)
    if row.duplicate and not plan.keeps(row.line):
        return _("Left out: {reason}").format(reason=text)
    return text


def left_out(plan: ImportPlan, row: RowProblem) -> bool:
    """Whether ``row`` keeps its line out of the import (an error, someone already
    registered, or a likely duplicate left out)."""
    return row.is_error or (row.duplicate and not plan.keeps(row.line))


def households_text(n: int) -> str:
    return ngettext("{n} household", "{n} households", n).format(n=format_number(n))


def people_text(n: int) -> str:
    return ngettext("{n} person", "{n} people", n).format(n=format_number(n))
