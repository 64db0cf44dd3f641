"""argparse's own words ("usage:", its errors) follow --lang like the rest of the CLI."""

from __future__ import annotations

import argparse
import gettext
import inspect
import re

import pytest
from babel.messages.pofile import write_po

from docassist import i18n
from docassist.cli import main
from docassist.cli.parser import ARGPARSE_MESSAGES
from docassist.i18n.catalogue import read_catalogue

# Drafted in i18n-drafts; the catalogues in locales/ get them when the lead merges.
SERBIAN = {
    "usage: ": "употреба: ",
    "positional arguments": "аргументи по редоследу",
    "options": "опције",
    "show this help message and exit": "прикажи ову помоћ и изађи",
    "argument %(argument_name)s: %(message)s": "аргумент %(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "погрешан избор: %(value)r (изаберите једно од: %(choices)s)"
    ),
    "invalid %(type)s value: %(value)r": "погрешна вредност (%(type)s): %(value)r",
    "the following arguments are required: %s": "недостају обавезни аргументи: %s",
    "unrecognized arguments: %s": "непознати аргументи: %s",
    "expected one argument": "очекује се једна вредност",
}


@pytest.fixture
def serbian_argparse(tmp_path, monkeypatch):
    """The shipped Serbian catalogue plus Serbian for argparse's texts."""
    language = i18n.get_language("sr")
    catalog = read_catalogue(i18n.catalogue_path("sr"), language)
    for msgid, msgstr in SERBIAN.items():
        catalog.add(msgid, msgstr)
    path = i18n.catalogue_path("sr", tmp_path)
    path.parent.mkdir(parents=True)
    with path.open("wb") as po:
        write_po(po, catalog)
    monkeypatch.setattr(i18n, "locales_dir", lambda: tmp_path)
    i18n.reload_catalogues()
    yield
    monkeypatch.undo()
    i18n.reload_catalogues()


def test_help_in_serbian_has_no_english_from_argparse(serbian_argparse, capsys):
    for args in (["--help"], ["import", "households", "--help"]):
        with pytest.raises(SystemExit) as done:
            main(["--lang", "sr", *args])
        assert done.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith("употреба: docassist")
        for english in ("usage:", "options:", "positional arguments", "show this help"):
            assert english not in out, (args, english)
        assert "прикажи ову помоћ и изађи" in out


@pytest.mark.parametrize(
    ("args", "english"),
    [
        (["frobnicate"], "invalid choice"),
        (["report", "--bogus"], "unrecognized arguments"),
        (["export"], "the following arguments are required"),
        (["demo", "--households", "many"], "invalid int value"),
        (["--db"], "expected one argument"),
    ],
)
def test_argparse_errors_in_serbian(serbian_argparse, capsys, args, english):
    assert main(["--lang", "sr", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and english not in err[0] and "argument " not in err[0]


def test_argparse_is_given_back_as_it_was(capsys):
    assert main(["frobnicate"]) == 2
    assert "invalid choice" in capsys.readouterr().err  # English stays English
    with pytest.raises(SystemExit):
        main(["--lang", "sr", "--help"])
    assert argparse._ is gettext.gettext and argparse.ngettext is gettext.ngettext


def test_each_msgid_is_argparse_s_own_english():
    # One character off and argparse would never ask for it.
    source = inspect.getsource(argparse)
    for msgid in ARGPARSE_MESSAGES:
        assert repr(msgid) in source or f'"{msgid}"' in source, msgid


@pytest.mark.parametrize("code", [language.code for language in i18n.LANGUAGES])
def test_translations_keep_argparse_s_placeholders(code):
    # argparse fills them with %: one lost or renamed is a crash, not a typo.
    placeholder = re.compile(r"%(?:\(\w+\))?[sr]")
    translator = i18n.translator(code)
    for msgid in ARGPARSE_MESSAGES:
        wanted = sorted(placeholder.findall(msgid))
        assert sorted(placeholder.findall(translator.gettext(msgid))) == wanted, msgid
