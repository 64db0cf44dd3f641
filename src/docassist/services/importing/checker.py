"""Checking the rows of a file one after another: each against the register and the
rows before it, and grouping the good ones into households."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from docassist.domain import script
from docassist.domain.text import N_, Problem, too_long
from docassist.services import households as hh
from docassist.services.context import Context
from docassist.services.importing.fields import FIELD_KEYS, column_names
from docassist.services.importing.plan import PARENT_FIELDS, HouseholdPlan, ImportPlan
from docassist.services.importing.problems import RowProblem, short
from docassist.services.importing.rows import consent_date, person_input, shortened, unreadable
from docassist.store.search_index import person_name_key

_MISSING = {
    "given_name": Problem("import.missing_name", N_("The given name is missing.")),
    "family_name": Problem("import.missing_name", N_("The family name is missing.")),
}
# The reason msgid households.duplicate_candidates gives for a match by number.
_SAME_JMBG_REASON = "Same ID number (JMBG)"
_HOUSEHOLD_FIELDS = ("family_name", "settlement", "address", "municipality", "phone")


class RowChecker:
    """Checks rows one at a time, remembering only what later rows are compared with."""

    def __init__(self, ctx: Context, plan: ImportPlan) -> None:
        self.ctx = ctx
        self.plan = plan
        self.today = ctx.today()
        self.jmbgs: dict[str, int] = {}
        # (name key, birth year) -> the earlier rows of that name: line, sound JMBG and
        # exact birth date, which tell namesakes apart (households.told_apart).
        self.names: dict[tuple[str, int | None], list[_Earlier]] = {}
        self.households: dict[str, HouseholdPlan] = {}
        # With a mother or father column: the names each remembered row is known by
        # (line -> keys) and what its parent cells say (line -> field -> text).
        self.linking = "mother" in plan.mapping or "father" in plan.mapping
        self.known_as: dict[int, set[str]] = {}
        self.parent_cells: dict[int, dict[str, str]] = {}
        self.samples: list[str] = []  # names with letters beyond ASCII, to compare

    def values(self, cells: list[str]) -> dict[str, str]:
        return {
            key: (cells[index].strip() if index < len(cells) else "")
            for key, index in self.plan.mapping.items()
        }

    def check(self, line: int, cells: list[str]) -> list[RowProblem]:
        values = self.values(cells)
        problems = self._cells(line, cells)
        too_long = self._lengths(line, values)
        self.plan.rows += 1
        if too_long:
            # Nothing else is checked: a cell that long is not what its column says,
            # and the checks would only repeat it.
            self.plan.error_rows += 1
            return [*problems, *too_long]
        person, repairs = person_input(values, line, self.today)
        problems += repairs
        for key, found in hh.validate_person(person, self.today).items():
            for p in found:
                if p.code == "required" and key in _MISSING:
                    p = _MISSING[key]
                problems.append(RowProblem(line, key if key in FIELD_KEYS else None, p))
        consent, consent_problem = consent_date(values.get("consent_date", ""), self.today)
        if consent_problem:
            problems.append(RowProblem(line, "consent_date", consent_problem))
        if not any(p.is_error for p in problems):
            problems += self._duplicates(line, person)
        # A row already in the register is left out, but it is no error in the file:
        # importing the same list again finds only those.
        registered = any(p.registered for p in problems)
        bad = any(p.is_error and not p.registered for p in problems)
        duplicate = any(p.duplicate for p in problems)
        self.plan.error_rows += bad
        self.plan.registered_rows += registered and not bad
        self.plan.duplicate_rows += duplicate and not bad
        if not bad and not registered:
            # Likely duplicates are remembered too: whether they are imported is the
            # user's choice (plan.choices), made after the check.
            if duplicate:
                self.plan.likely_duplicates.add(line)
            self._remember(line, person, values, consent)
        if self.plan.encoding == "cp1250" and not bad and len(self.samples) < 3:
            name = f"{person.given_name} {person.family_name}"
            if not name.isascii():
                self.samples.append(short(name))
        return [shortened(p) for p in problems]

    def _lengths(self, line: int, values: dict[str, str]) -> list[RowProblem]:
        """Cells longer than any name or place: the limit the forms keep, for every
        column imported (a date or a JMBG is far shorter still)."""
        found = ((key, too_long(value)) for key, value in values.items())
        return [RowProblem(line, key, problem) for key, problem in found if problem]

    def _cells(self, line: int, cells: list[str]) -> list[RowProblem]:
        """Cells holding bytes the file's encoding could not read: refused where they
        would be imported, a warning where they would not."""
        problems: list[RowProblem] = []
        imported = set(self.plan.mapping.values())
        elsewhere: list[int] = []
        for index, cell in enumerate(cells):
            problem = unreadable(cell, self.plan.encoding)
            if problem is None:
                continue
            if index not in imported:
                elsewhere.append(index)
                continue
            key = next(k for k, i in self.plan.mapping.items() if i == index)
            problems.append(RowProblem(line, key, problem))
        if elsewhere:
            names = column_names(self.plan.headers)
            columns = ", ".join(
                short(names[i]) if i < len(names) else f"#{i + 1}" for i in elsewhere
            )
            problems.append(
                RowProblem(
                    line,
                    None,
                    Problem(
                        "import.unreadable_elsewhere",
                        N_(
                            "Some letters could not be read in a column that is not "
                            "imported ({columns}); the rest of the row is imported."
                        ),
                        {"columns": columns},
                        severity="warning",
                    ),
                )
            )
        return problems

    def _duplicates(self, line: int, person: hh.PersonInput) -> list[RowProblem]:
        problems: list[RowProblem] = []
        number = "".join(c for c in person.jmbg if c.isdigit())
        birth, _problems = hh.parse_birth_date(person.birth_date, self.today)
        year = birth.year if birth else None
        mine = hh.sound_jmbg(number, self.today), hh.exact_birth(birth)
        names = _name_keys(person)
        candidates = hh.duplicate_candidates(self.ctx, person)
        by_number = [c for c in candidates if c.reason == _SAME_JMBG_REASON]
        by_name = [c for c in candidates if c.reason != _SAME_JMBG_REASON]
        if by_number:
            problems.append(
                RowProblem(
                    line,
                    "jmbg",
                    Problem(
                        "import.same_jmbg",
                        N_(
                            "This JMBG is already registered, for {people}: the person is "
                            "in the register already."
                        ),
                        {"people": _people(by_number)},
                    ),
                    registered=True,
                )
            )
        elif by_name:
            problems.append(
                RowProblem(
                    line,
                    None,
                    Problem(
                        "import.likely_duplicate",
                        N_(
                            "Likely the same person as {people}, already registered: same "
                            "name and year of birth."
                        ),
                        {"people": _people(by_name)},
                        severity="warning",
                    ),
                    duplicate=True,
                )
            )
        if len(number) == 13 and number in self.jmbgs:
            problems.append(
                RowProblem(
                    line,
                    "jmbg",
                    Problem(
                        "import.same_jmbg_in_file",
                        N_("Line {line} has the same JMBG: the same person twice."),
                        {"line": self.jmbgs[number]},
                    ),
                )
            )
        elif not any(p.duplicate for p in problems):
            earlier = next(
                (
                    e.line
                    for k in names
                    for y in _years(year)
                    for e in self.names.get((k, y), ())
                    if not hh.told_apart(*mine, e.jmbg, e.birth)
                ),
                None,
            )
            if earlier is not None:
                problems.append(
                    RowProblem(
                        line,
                        None,
                        Problem(
                            "import.likely_duplicate_in_file",
                            N_(
                                "Likely the same person as on line {line}: same name and "
                                "year of birth."
                            ),
                            {"line": earlier},
                            severity="warning",
                        ),
                        duplicate=True,
                    )
                )
        return problems

    def _remember(
        self, line: int, person: hh.PersonInput, values: dict[str, str], consent: str | None
    ) -> None:
        number = "".join(c for c in person.jmbg if c.isdigit())
        if len(number) == 13:
            self.jmbgs.setdefault(number, line)
        birth, _problems = hh.parse_birth_date(person.birth_date, self.today)
        earlier = _Earlier(line, hh.sound_jmbg(number, self.today), hh.exact_birth(birth))
        names = _name_keys(person)
        for key in names:
            self.names.setdefault((key, birth.year if birth else None), []).append(earlier)
        # A row without a household key is a household of its own.
        key = script.search_key(values.get("household", "")) or f"\0line {line}"
        plan = self.households.get(key)
        if plan is None:
            plan = self.households[key] = HouseholdPlan(key)
            self.plan.found.append(plan)
        plan.lines.append(line)
        if self.linking:
            self.known_as[line] = names | {script.search_key(person.given_name)}
            cells = {f: values[f] for f in PARENT_FIELDS if values.get(f, "").strip()}
            if cells:
                self.parent_cells[line] = cells
        for name in _HOUSEHOLD_FIELDS:
            if values.get(name) and not plan.values.get(name):
                plan.values[name] = values[name]
        if consent and not plan.values.get("consent_date"):
            plan.values["consent_date"] = consent

    def finish(self) -> list[RowProblem]:
        """Link each row's mother and father to rows of its household, once every row
        is read (a child may come before its mother); the problems found doing so."""
        problems: list[RowProblem] = []
        headers = column_names(self.plan.headers)
        for household in self.plan.found:
            members = set(household.lines)
            for line in household.lines:
                cells = self.parent_cells.get(line)
                if not cells:
                    continue
                found: dict[str, int | None] = {}
                for field, text in cells.items():
                    parent, problem = self._parent(line, text, members)
                    found[field] = parent
                    if problem is not None:
                        problems.append(RowProblem(line, field, problem))
                    header = headers[self.plan.mapping[field]]
                    household.said.setdefault(line, {})[field] = f"{header}: {text.strip()}"
                household.parents[line] = (found.get("mother"), found.get("father"))
        return problems

    def _parent(self, line: int, text: str, members: set[int]) -> tuple[int | None, Problem | None]:
        """The line of the parent ``text`` names: a line number, or a name of someone
        in the household. A name that fits nobody is no problem (the list may name a
        parent who lives elsewhere): it is kept in the notes."""
        text = text.strip()
        if text.isdigit():
            ref = int(text)
            if ref in members and ref != line:
                return ref, None
            return None, Problem(
                "import.parent_line",
                N_("Line {ref} is not someone else in the same household; no one is linked."),
                {"ref": ref},
                severity="warning",
            )
        key = script.search_key(text)
        fits = [m for m in sorted(members) if m != line and key in self.known_as.get(m, ())]
        if len(fits) == 1:
            return fits[0], None
        if not fits:
            return None, None
        return None, Problem(
            "import.parent_ambiguous",
            N_(
                "'{text}' fits more than one person of this household (lines {lines}); no one "
                "is linked."
            ),
            {"text": text, "lines": ", ".join(str(m) for m in fits)},
            severity="warning",
        )


@dataclass(frozen=True)
class _Earlier:
    """An earlier row of a name, as much as tells namesakes apart."""

    line: int
    jmbg: str | None
    birth: date | None


def _people(candidates: list[hh.DuplicateCandidate]) -> str:
    shown = [
        f"{short(c.full_name)} ({short(c.settlement or c.municipality or '-')})"
        for c in candidates[:3]
    ]
    return "; ".join(shown) + ("; ..." if len(candidates) > 3 else "")


def _years(year: int | None) -> tuple[int | None, ...]:
    # A person with no year matches anyone of that name, as duplicate_candidates does.
    return (year,) if year is None else (year, None)


def _name_keys(person: hh.PersonInput) -> set[str]:
    given, family = person.given_name, person.family_name
    return {person_name_key(given, family), person_name_key(family, given)}
