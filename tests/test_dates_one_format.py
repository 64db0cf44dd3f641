"""One date format per language everywhere (issue 16 §9): every date a user reads goes
through ``i18n.format_date`` / ``format_partial_date`` / ``format_datetime``, the one home
of the format. This walks the code that shows dates (the screens and dialogs, the
handouts, the reports, the command line) for any other way of writing one.

``isoformat()`` is how dates are stored and handed to the services: each such use in
that code is listed below with why it is not a date shown to anyone, so a new one has
to be looked at.
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

import docassist
from docassist.domain.dates import PartialDate
from docassist.i18n import format_date, format_datetime, format_partial_date

SRC = Path(docassist.__file__).parent
SHOWING = [
    SRC / "ui",
    SRC / "handouts",
    SRC / "cli",
    SRC / "services" / "reports.py",
    SRC / "services" / "handouts.py",
]

# (file relative to the package, enclosing function): why its isoformat() is not shown.
ISOFORMAT_NOT_SHOWN = {
    ("ui/dialogs/quick_add.py", "_household"): "the consent day handed to the service",
    ("ui/screens/household_form.py", "_consent_iso"): "the consent day handed to the service",
    ("ui/draft_dates.py", "kept_day"): "a draft's day as stored: shown again by typed_again",
    ("services/reports.py", "iso"): "the period as stored dates, for the queries",
    ("services/reports.py", "procedures"): "today as a stored date, in a query",
    # File names carry year-month-day: a folder of handouts then sorts by date.
    ("services/handouts.py", "make_family_plan"): "the file's name",
    ("services/handouts.py", "make_signin_sheet"): "the file's name",
    ("services/handouts.py", "make_workshop_pack"): "the file's name",
}


def _files() -> list[Path]:
    out: list[Path] = []
    for place in SHOWING:
        out += [place] if place.is_file() else sorted(place.rglob("*.py"))
    return out


def _findings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = path.relative_to(SRC).as_posix()
    found: list[str] = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = node.name
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attr = node.func.attr
            if attr == "strftime":
                found.append(f"{name}:{node.lineno} strftime")
            elif attr == "isoformat" and (name, function) not in ISOFORMAT_NOT_SHOWN:
                found.append(f"{name}:{node.lineno} isoformat() in {function}")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            names = [a.name for a in node.names]
            if (module or "").startswith("babel") or any(n.startswith("babel") for n in names):
                found.append(f"{name}:{node.lineno} Babel's own date formatting")
        if (
            isinstance(node, ast.FormattedValue)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr in ("day", "month", "year")
            and node.format_spec is not None
        ):
            found.append(f"{name}:{node.lineno} a date written by hand")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            and any(isinstance(a, ast.Constant) and a.value == "dmy" for a in node.args)
        ):
            found.append(f"{name}:{node.lineno} PartialDate.format, not the language's")
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, "")
    return found


def test_no_date_is_written_outside_the_one_home():
    found = [f for path in _files() for f in _findings(path)]
    assert found == []


def test_every_listed_exception_still_exists():
    # A listed use that went away must leave the list, or the list hides a new one.
    used = set()
    for path in _files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        name = path.relative_to(SRC).as_posix()
        for function in ast.walk(tree):
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and n.func.attr == "isoformat"
                for n in ast.walk(function)
            ):
                used.add((name, function.name))
    assert set(ISOFORMAT_NOT_SHOWN) <= used


def test_the_walk_finds_a_date_written_by_hand(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def shown(day):\n"
        "    return f'{day.day:02d}.{day.month:02d}.{day.year}', day.strftime('%d'), "
        "day.isoformat()\n"
    )
    global SRC
    kept, SRC = SRC, tmp_path
    try:
        assert len(_findings(sample)) == 4
    finally:
        SRC = kept


@pytest.mark.parametrize(
    ("language", "day", "month", "year", "moment"),
    [
        ("sr", "03.05.2026.", "05.2026.", "2026.", "03.05.2026. 14:05"),
        ("sr_Latn", "03.05.2026.", "05.2026.", "2026.", "03.05.2026. 14:05"),
        ("rom", "03.05.2026.", "05.2026.", "2026.", "03.05.2026. 14:05"),
        ("en", "03.05.2026", "05.2026", "2026", "03.05.2026 14:05"),
    ],
)
def test_one_format_per_language(language, day, month, year, moment):
    assert format_date(dt.date(2026, 5, 3), language=language) == day
    assert format_partial_date(PartialDate(2026, 5), language=language) == month
    assert format_partial_date(PartialDate(2026), language=language) == year
    assert format_datetime(dt.datetime(2026, 5, 3, 14, 5), language=language) == moment
    with pytest.raises(ValueError):
        format_date(dt.date(2026, 5, 3), "medium", language=language)


def test_a_date_inside_a_domain_message_is_written_as_the_language_writes_dates():
    # domain/jmbg.py wrote "12.05.1987" for every language: Serbian and Romani end
    # the date with a dot everywhere else.
    from docassist.domain.jmbg import check_jmbg, make_jmbg
    from docassist.i18n import set_language

    number = make_jmbg(dt.date(1987, 5, 12), "71", 1)
    checked = check_jmbg(number, birth_date=dt.date(1987, 5, 13), today=dt.date(2026, 1, 1))
    (mismatch,) = [p for p in checked.problems if p.code == "jmbg.birth_date_mismatch"]
    try:
        set_language("sr")
        assert "born 12.05.1987., the record says 13.05.1987." in mismatch.render()
        assert mismatch.render().endswith("13.05.1987.")  # one full stop, not two
        set_language("en")
        assert mismatch.render().endswith("born 12.05.1987, the record says 13.05.1987.")
    finally:
        set_language("en")
