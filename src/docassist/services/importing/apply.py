"""The import itself: the rows the dry run accepted, written in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, replace

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
            choices=plan.choices,
        )
        if [(h.key, h.lines) for h in again.households] != [
            (h.key, h.lines) for h in plan.households
        ]:
            raise ImportFileError(
                N_("The register or {path} changed since the check. Check it again."),
                path=str(plan.path),
            )
        writer = _Writer(ctx, again)
        with open_table(plan.path, plan.sheet) as table:
            for line, cells in table.rows:
                if line in writer.household_of:
                    values = {
                        key: (cells[i].strip() if i < len(cells) else "")
                        for key, i in plan.mapping.items()
                    }
                    writer.add(line, person_input(values, line, ctx.today())[0])
        writer.add_the_rest()
        for target in plan.households:
            created.append(
                ImportedHousehold(
                    writer.household_ids[target.key],
                    target.values.get("family_name", ""),
                    target.values.get("settlement", ""),
                    len(target.lines),
                )
            )
    return ImportResult(created)


class _Writer:
    """Adds each row's person, a parent before the children who name them: a person
    is written with the ids of their mother and father (one audit entry, with the
    links), so a row whose parent comes later in the file waits for it. What waits
    is only those rows, never the whole file."""

    def __init__(self, ctx: Context, plan: ImportPlan) -> None:
        self.ctx = ctx
        self.household_of = {line: h for h in plan.households for line in h.lines}
        self.household_ids: dict[str, str] = {}
        self.person_ids: dict[int, str] = {}  # line -> person written
        self.waiting: dict[int, hh.PersonInput] = {}

    def _parents(self, line: int) -> tuple[int | None, ...]:
        """The lines of the parents this row is written with: those being imported."""
        household = self.household_of[line]
        return tuple(
            p if p in self.household_of else None for p in household.parents.get(line, (None, None))
        )

    def add(self, line: int, person: hh.PersonInput) -> None:
        if any(p is not None and p not in self.person_ids for p in self._parents(line)):
            self.waiting[line] = person
            return
        self._write(line, person)
        # Children that waited for this person may now be written, and theirs after.
        ready = [
            child
            for child, _person in self.waiting.items()
            if all(p is None or p in self.person_ids for p in self._parents(child))
        ]
        for child in ready:
            if child in self.waiting:  # not already written by a sibling's turn
                self.add(child, self.waiting.pop(child))

    def add_the_rest(self) -> None:
        """Rows still waiting name each other as parents (a loop in the file): they
        are written unlinked, their parents' lines kept in the notes."""
        while self.waiting:
            line, person = next(iter(self.waiting.items()))
            del self.waiting[line]
            self._write(line, person, linked=False)
            for child in [c for c in self.waiting if line in self._parents(c)]:
                if child in self.waiting:
                    self.add(child, self.waiting.pop(child))

    def _write(self, line: int, person: hh.PersonInput, *, linked: bool = True) -> None:
        household = self.household_of[line]
        mother, father = self._parents(line) if linked else (None, None)
        person = replace(
            person,
            mother_id=self.person_ids.get(mother) if mother is not None else None,
            father_id=self.person_ids.get(father) if father is not None else None,
            notes="\n".join(household.parent_notes(line, (mother, father))),
        )
        if household.key not in self.household_ids:
            self.household_ids[household.key] = hh.register_household(
                self.ctx, _household_input(household)
            )
        self.person_ids[line] = hh.add_person(self.ctx, self.household_ids[household.key], person)


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
