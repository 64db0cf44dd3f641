"""The fixtures of the checklist tests, and how their inline expectations are read.

Broken fixtures carry their expectations inline: a line ending in
``# expect: <message part>`` must produce a problem on exactly that line whose message
contains that part (several parts are separated by `` | ``), and no other problem may
appear. A wrong line number therefore fails the test as surely as a missed problem.
"""

from __future__ import annotations

import re
from pathlib import Path

from docassist.procedures import ChecklistProblem

FIXTURES = Path(__file__).parents[1] / "fixtures" / "checklists"
VALID = FIXTURES / "valid"
BROKEN = FIXTURES / "broken"
CROSS = FIXTURES / "cross"
DUPLICATE = FIXTURES / "duplicate"

_EXPECT_RE = re.compile(r"# expect: (.*)$")


def expectations(paths: list[Path]) -> list[tuple[str, int, str]]:
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = _EXPECT_RE.search(line)
            if match:
                found += [(path.name, number, part.strip()) for part in match.group(1).split(" | ")]
    return found


def assert_problems_match(problems: list[ChecklistProblem], expected: list[tuple[str, int, str]]):
    got = [(p.path.name, p.line, p.message) for p in problems]
    for name, line, part in expected:
        assert any(g[0] == name and g[1] == line and part in g[2] for g in got), (
            f"expected {name}:{line} containing {part!r}; got {got}"
        )
    for name, line, message in got:
        assert any(e[0] == name and e[1] == line and e[2] in message for e in expected), (
            f"unexpected problem {name}:{line}: {message}"
        )
