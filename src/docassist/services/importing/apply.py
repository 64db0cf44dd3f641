"""The import itself: the rows the dry run accepted, written in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from docassist.domain.text import N_
from docassist.services import households as hh
from docassist.services.context import Context
from docassist.services.importing.dry_run import check_import, file_stamp
from docassist.services.importing.plan import HouseholdPlan, ImportPlan
from docassist.services.importing.problems import ImportFileError
from docassist.services.importing.reading import open_table
from docassist.services.importing.rows import person_input


@dataclass(frozen=True)
class ImportedHousehold:
    id: str
    family_name: str
    settlement: str
    people: int


@dataclass(frozen=True)
class ImportResult:
    households: list[ImportedHousehold]

    @property
    def people(self) -> int:
        return sum(h.people for h in self.households)


def apply_import(ctx: Context, plan: ImportPlan) -> ImportResult:
    """Write the rows the dry run accepted: all in one transaction, or nothing.

    The file is read again (rows are never all kept in memory) and checked again inside
    the transaction, so a person registered meanwhile is still caught as a duplicate.
    If the file or the outcome of the check changed since the dry run, nothing is
    written: the user accepted what they saw, not something else.
    """
    if not plan.path.exists() or file_stamp(plan.path) != plan.stamp:
        raise ImportFileError(
            N_("{path} changed since it was checked. Check it again before importing."),
            path=str(plan.path),
        )
    created: list[ImportedHousehold] = []
    with ctx.use_case():
        again = check_import(
            ctx,
            plan.path,
            mapping=plan.mapping,
            sheet=plan.sheet,
            skip_duplicates=plan.skip_duplicates,
        )
        if [(h.key, h.lines) for h in again.households] != [
            (h.key, h.lines) for h in plan.households
        ]:
            raise ImportFileError(
                N_("The register or {path} changed since the check. Check it again."),
                path=str(plan.path),
            )
        household_of = {line: h for h in plan.households for line in h.lines}
        ids: dict[str, str] = {}
        with open_table(plan.path, plan.sheet) as table:
            for line, cells in table.rows:
                target = household_of.get(line)
                if target is None:
                    continue
                values = {
                    key: (cells[i].strip() if i < len(cells) else "")
                    for key, i in plan.mapping.items()
                }
                person, _repairs = person_input(values, line, ctx.today())
                if target.key not in ids:
                    ids[target.key] = hh.register_household(ctx, _household_input(target))
                hh.add_person(ctx, ids[target.key], person)
        for target in plan.households:
            created.append(
                ImportedHousehold(
                    ids[target.key],
                    target.values.get("family_name", ""),
                    target.values.get("settlement", ""),
                    len(target.lines),
                )
            )
    return ImportResult(created)


def _household_input(plan: HouseholdPlan) -> hh.HouseholdInput:
    v = plan.values
    consent = v.get("consent_date")
    return hh.HouseholdInput(
        family_name=v.get("family_name", ""),
        settlement=v.get("settlement", ""),
        address=v.get("address", ""),
        municipality=v.get("municipality", ""),
        phone=v.get("phone", ""),
        consent_date=consent,
        consent_scope="import" if consent else None,
    )
