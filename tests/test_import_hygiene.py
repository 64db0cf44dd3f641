"""The core works without the TUI: headless layers never import Textual or Rich."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEADLESS = [
    "docassist.domain.model",
    "docassist.domain.jmbg",
    "docassist.domain.script",
    "docassist.domain.dates",
    "docassist.store.db",
    "docassist.services.households",
    "docassist.services.cases",
    "docassist.services.dashboard",
    "docassist.services.demo",
    "docassist.services.reports",
    "docassist.services.export",
    "docassist.services.importing",
    "docassist.procedures",
    "docassist.procedures.nextsteps",
    "docassist.procedures.scenarios",
    "docassist.i18n",
]


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_module_does_not_load_textual(module):
    code = (
        f"import sys, {module}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'textual', 'rich'})\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_domain_imports_no_io_libraries():
    code = (
        "import sys, docassist.domain.model, docassist.domain.jmbg, docassist.domain.script, "
        "docassist.domain.dates\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'sqlite3', 'sqlite_utils', 'babel', 'textual', 'rich', 'platformdirs'})\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
