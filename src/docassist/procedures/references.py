"""Checks across files: references to other checklists, cycles of prerequisites.

Run over the files that passed their own checks (``schema``), so every reference can be
judged against what will actually be in use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from docassist.procedures.fields import describe, suggest
from docassist.procedures.problems import ChecklistProblem
from docassist.procedures.schema import CheckedFile


def cross_check(kept: list[CheckedFile], broken_ids: set[str]) -> list[ChecklistProblem]:
    """References between files, checked over the files that loaded.

    A reference to a file that exists but failed to load gets its own message, so the
    editor fixes the broken file instead of hunting for a missing one.
    """
    by_id = {entry.checklist.id: entry for entry in kept if entry.checklist}
    problems: list[ChecklistProblem] = []

    def unknown(entry: CheckedFile, at: tuple[Any, ...], target: str) -> None:
        line = entry.line(at)
        where = describe(at)
        if target in broken_ids:
            message = f"{where}: '{target}' could not be loaded (see the problems in its file)"
        else:
            message = f"{where}: no checklist with id '{target}'{suggest(target, by_id)}"
        problems.append(ChecklistProblem(entry.path, line, message))

    for entry in kept:
        checklist = entry.loaded
        for key in ("after_refusal_of", "instead_of", "alternative_to"):
            target = getattr(checklist.applies, key)
            if target and target not in by_id:
                unknown(entry, ("applies", key), target)
        alternative = by_id.get(checklist.applies.alternative_to or "")
        if alternative is not None and alternative.loaded.produces != checklist.produces:
            # Another route to the same document, or it is no alternative at all.
            at: tuple[Any, ...] = ("applies", "alternative_to")
            gives = alternative.loaded.produces
            what = f"gives '{gives}'" if gives else "gives no document"
            problems.append(
                ChecklistProblem(
                    entry.path,
                    entry.line(at),
                    f"{describe(at)}: '{alternative.loaded.id}' {what}, but this "
                    f"checklist gives '{checklist.produces or 'none'}': an alternative "
                    "route must give the same document",
                )
            )
        for index, prereq in enumerate(checklist.prerequisites):
            at = ("prerequisites", index, "checklist")
            target_entry = by_id.get(prereq.checklist)
            if target_entry is None:
                unknown(entry, at, prereq.checklist)
            elif target_entry.loaded.produces is None:
                # Prerequisites are met by holding a document; a route that produces
                # none could never be met and would block forever.
                line = entry.line(at)
                problems.append(
                    ChecklistProblem(
                        entry.path,
                        line,
                        f"{describe(at)}: '{prereq.checklist}' produces no document, "
                        "so it can never be met",
                    )
                )
    problems.extend(_cycles(kept, by_id))
    return problems


def _cycles(kept: list[CheckedFile], by_id: Mapping[str, CheckedFile]) -> list[ChecklistProblem]:
    """Report each cycle of ``self`` prerequisites once, naming its ids.

    Only ``self`` edges count: a prerequisite on the mother points at another person (a
    generation up), so "the child's registration needs the mother's ID card, which needs
    her own registration" is a chain, not a deadlock.
    """
    graph = {
        cid: sorted(
            {
                p.checklist
                for p in e.loaded.prerequisites
                if p.who == "self" and p.checklist in by_id
            }
        )
        for cid, e in by_id.items()
    }
    seen_cycles: set[tuple[str, ...]] = set()
    problems: list[ChecklistProblem] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt) :]
                start = cycle.index(min(cycle))
                canonical = tuple(cycle[start:] + cycle[:start])
                if canonical not in seen_cycles:
                    seen_cycles.add(canonical)
                    problems.append(_cycle_problem(canonical, by_id))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return problems


def _cycle_problem(cycle: tuple[str, ...], by_id: Mapping[str, CheckedFile]) -> ChecklistProblem:
    # The problem goes on one file, and a broken file is skipped: blame a user's file when
    # the cycle has one, so a user's edit never takes a shipped checklist out of use.
    start = next((i for i, cid in enumerate(cycle) if by_id[cid].loaded.origin == "user"), 0)
    cycle = cycle[start:] + cycle[:start]
    first = by_id[cycle[0]]
    following = cycle[1] if len(cycle) > 1 else cycle[0]
    index = next(
        i
        for i, p in enumerate(first.loaded.prerequisites)
        if p.checklist == following and p.who == "self"
    )
    at = ("prerequisites", index, "checklist")
    line = first.line(at)
    names = " -> ".join((*cycle, cycle[0]))
    return ChecklistProblem(first.path, line, f"prerequisites form a cycle: {names}")


def broken_ids(entries: Iterable[CheckedFile]) -> set[str]:
    ids: set[str] = set()
    for entry in entries:
        if entry.checklist is None:
            ids.add(entry.path.stem)
            if entry.declared_id:
                ids.add(entry.declared_id)
    return ids
