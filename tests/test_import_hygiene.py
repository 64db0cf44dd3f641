"""The core works without the TUI, proved at run time beside the static contracts.

`make test` runs lint-imports over the contracts in pyproject.toml ([tool.importlinter]);
this imports every module below the UI in a fresh interpreter and looks at what got
loaded, so an import hidden from static analysis (importlib, a plugin) is caught too.
The list of modules is derived from the packages, never kept by hand.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import docassist

# Everything except the two top layers, which draw on a terminal.
TOP = ("docassist.ui", "docassist.cli", "docassist.__main__")
HEADLESS = sorted(
    m.name
    for m in pkgutil.walk_packages(docassist.__path__, "docassist.")
    if not m.name.startswith(TOP)
)
DOMAIN = [m for m in HEADLESS if m.startswith("docassist.domain")]


def _loaded_after_importing(modules: list[str], roots: set[str]) -> list[str]:
    code = (
        f"import sys, {', '.join(modules)}\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {sorted(roots)!r})\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [m for m in out.stdout.strip().split(",") if m]


def test_the_module_list_covers_every_layer():
    for package in ("domain", "store", "procedures", "services", "handouts"):
        assert any(m.startswith(f"docassist.{package}.") for m in HEADLESS), package


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_module_does_not_load_textual(module):
    assert _loaded_after_importing([module], {"textual", "rich"}) == []


def test_domain_imports_no_io_libraries():
    roots = {"sqlite3", "sqlite_utils", "babel", "textual", "rich", "platformdirs"}
    assert _loaded_after_importing(DOMAIN, roots) == []
