"""What ``docassist checklists validate`` checks: files on their own and against each other.

``validate`` is the one entry point for editors' tools: it reports every problem in
``file:line: message`` form and never raises for bad content.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from docassist.locations import user_checklists_dir
from docassist.procedures.loading import load_all, not_used, origin_of
from docassist.procedures.model import Checklist
from docassist.procedures.problems import ChecklistProblem
from docassist.procedures.reading import SourceFile, files_named, read_toml
from docassist.procedures.references import broken_ids, cross_check
from docassist.procedures.schema import CheckedFile, check_file


def validate_files(paths: Iterable[Path]) -> tuple[list[Checklist], list[ChecklistProblem]]:
    """Check files one by one and against each other (references, cycles, duplicate ids).

    Returns the checklists that loaded (the first of any duplicated id) and every problem.
    """
    entries = [check_file(Path(p), origin_of(Path(p))) for p in paths]
    problems = [problem for entry in entries for problem in entry.problems]
    kept: list[CheckedFile] = []
    first_path: dict[str, Path] = {}
    for entry in entries:
        if entry.checklist is None:
            continue
        cid = entry.checklist.id
        if cid in first_path:
            line = entry.line(("id",))
            problems.append(
                ChecklistProblem(entry.path, line, f"id '{cid}' is also used by {first_path[cid]}")
            )
            continue
        first_path[cid] = entry.path
        kept.append(entry)
    problems.extend(cross_check(kept, broken_ids(entries)))
    return [entry.loaded for entry in kept], problems


def validate(
    paths: Iterable[Path] | None = None, *, notes: bool = False
) -> tuple[list[Checklist], list[ChecklistProblem]]:
    """What ``docassist checklists validate`` checks.

    ``paths`` may name files or folders (their ``*.toml``). ``None`` means what the app
    would load: the bundled checklists and the user's own, with user files allowed to
    replace bundled ones. Notes (such a replacement) are left out unless ``notes`` is
    true; warnings (a user copy that is not used) are always given. Only errors mean
    "something to fix before the file can be used".
    """
    if paths is None:
        loaded = load_all()
        found = loaded.problems if notes else loaded.errors + loaded.warnings
        return list(loaded), found
    files = files_named(paths)
    # A user's own file names bundled checklists as prerequisites: check it against them,
    # as the app will load it, but report only on the files asked about.
    given = {f.resolve() for f in files}
    alone, _ = validate_files(files)
    own_ids = {c.id for c in alone}
    context = [
        c.path
        for c in load_all(user=False)
        if c.path.resolve() not in given and c.id not in own_ids
    ]
    checklists, problems = validate_files(files + context)
    mine = [c for c in checklists if c.path.resolve() in given]
    problems = [p for p in problems if Path(p.path).resolve() in given]
    # A copy of a shipped checklist in the user's folder is checked on its own above; say
    # too whether the app would use it. (Files elsewhere are not loaded by the app.)
    shipped = {c.id: c for c in load_all(user=False)}
    own_folder = user_checklists_dir().resolve()
    for checklist in mine:
        used = shipped.get(checklist.id)
        if (
            used is not None
            and checklist.version <= used.version
            and checklist.path.resolve().is_relative_to(own_folder)
        ):
            read = read_toml(checklist.path)
            line = read.line(("version",)) if isinstance(read, SourceFile) else 1
            problems.append(not_used(checklist.path, line, checklist, used))
    return mine, problems
