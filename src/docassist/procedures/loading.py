"""Loading the checklists in use: the shipped ones, the user's own, and extra folders.

A broken file is reported and skipped; the rest still load. Which copy of an id is used
is decided by its version (``highest_versions``), for checklists and scenarios alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from docassist.locations import checklists_dir, user_checklists_dir
from docassist.procedures.model import ORIGINS, Checklist, ChecklistSet
from docassist.procedures.problems import ChecklistProblem
from docassist.procedures.reading import toml_files
from docassist.procedures.references import broken_ids, cross_check
from docassist.procedures.schema import CheckedFile, check_file


def load_file(
    path: Path, origin: str = "bundled"
) -> tuple[Checklist | None, list[ChecklistProblem]]:
    """Load one checklist file; ``None`` when it has any problem. Never raises for bad
    content: syntax errors, wrong types and unreadable files all become problems."""
    if origin not in ORIGINS:
        raise ValueError(f"origin must be one of {ORIGINS}, not {origin!r}")
    loaded = check_file(Path(path), origin)
    return loaded.checklist, loaded.problems


def origin_of(path: Path) -> str:
    """Whether ``path`` is one of the shipped checklists ("bundled") or not ("user")."""
    try:
        bundled = checklists_dir().resolve()
    except FileNotFoundError:
        return "user"
    return "bundled" if Path(path).resolve().is_relative_to(bundled) else "user"


def highest_versions(
    entries: Iterable[Any],
    item_of: Callable[[Any], Any],
    problems: list[ChecklistProblem],
    *,
    clash_is_error: Callable[[Any, Any], bool] = lambda new, old: True,
) -> dict[str, Any]:
    """Keep one loaded file per id: a later copy wins only when its version is higher.

    A stale copy (in the user's folder, say) must not silently undo a fix we shipped.
    ``item_of`` gives the loaded checklist or scenario of an entry (None when broken);
    notes and errors about the copies that lost are appended to ``problems``.
    """
    chosen: dict[str, Any] = {}
    for entry in entries:
        item = item_of(entry)
        if item is None:
            continue
        current = chosen.get(item.id)
        if current is None:
            chosen[item.id] = entry
            continue
        # Point at the version: raising it is what decides which copy wins.
        line = entry.line(("version",))
        old = item_of(current)
        if item.version > old.version:
            chosen[item.id] = entry
            message = (
                f"replaces '{item.id}' version {old.version} from {current.path} "
                f"with version {item.version}"
            )
            problems.append(ChecklistProblem(entry.path, line, message, severity="note"))
        elif clash_is_error(item, old):
            message = (
                f"not used: id '{item.id}' is also used by {current.path}, version {old.version} "
                f"(raise 'version' above {old.version} to replace it)"
            )
            problems.append(ChecklistProblem(entry.path, line, message))
        else:
            problems.append(not_used(entry.path, line, item, old))
    return chosen


def not_used(path: Path, line: int, copy: Any, used: Any) -> ChecklistProblem:
    """A valid copy that is not used because the one in ``used`` wins: a warning.

    Not an error: the copy has nothing wrong and the app runs as before with the shipped
    checklist. But it is not silence either: whoever edited the copy expects to see it.
    """
    where = "the bundled checklist" if getattr(used, "origin", "") == "bundled" else ""
    where = f"{where} {used.path}".strip()
    if copy.version == used.version:
        message = (
            f"not used: same id and version as {where} (version {used.version}); "
            f"raise 'version' to {used.version + 1} to use your copy"
        )
    else:
        message = (
            f"not used: older than {where} (version {used.version}, this copy "
            f"{copy.version}); compare the two, then delete this copy or raise its "
            f"'version' above {used.version}"
        )
    return ChecklistProblem(path, line, message, severity="warning")


def load_all(
    extra_dirs: Iterable[Path] = (), *, bundled: bool = True, user: bool = True
) -> ChecklistSet:
    """Load the bundled checklists, the user's own, and any ``extra_dirs``.

    A broken file is reported and skipped; the rest still load. A user (or extra) file
    with the id of a bundled one replaces it only when its version is higher — an
    older copy lying in the user folder must not silently undo a fix we shipped.
    """
    sources: list[tuple[Path, str]] = []
    if bundled:
        sources += [(p, "bundled") for p in toml_files(checklists_dir())]
    dirs = [user_checklists_dir()] if user else []
    dirs += [Path(d) for d in extra_dirs]
    for directory in dirs:
        sources += [(p, "user") for p in toml_files(directory)]

    entries = [check_file(path, origin) for path, origin in sources]
    problems = [problem for entry in entries for problem in entry.problems]
    # A file whose references are wrong (an unknown prerequisite, a cycle) is skipped like
    # a file that does not parse. Skipping it can break a file that needs it, or let a
    # lower version of the same id back in, so the choice is made again until it holds.
    skipped: list[CheckedFile] = []
    while True:
        found: list[ChecklistProblem] = []
        chosen = highest_versions(
            [entry for entry in entries if entry not in skipped],
            lambda entry: entry.checklist,
            found,
            # Two bundled copies (or two user copies) of one id is a mistake to fix; a
            # user copy that loses to the bundled one is only worth a note.
            clash_is_error=lambda new, old: new.origin == old.origin,
        )
        kept = list(chosen.values())
        broken = broken_ids(entries) | {entry.loaded.id for entry in skipped}
        found += cross_check(kept, broken - set(chosen))
        wrong = {p.path for p in found if p.is_error}
        newly = [entry for entry in kept if entry.path in wrong]
        if not newly:
            break
        # Their problems are why they are skipped: keep them, then decide again.
        problems += [p for p in found if p.path in {entry.path for entry in newly}]
        skipped += newly
    problems += found
    return ChecklistSet((entry.checklist for entry in kept), problems)
