"""Read a ``.po`` catalogue into what ``gettext`` looks translations up in.

The app reads its catalogues at every start; Babel's parser and its in-memory
``.mo`` round trip took about a tenth of a second of that, and importing Babel
more. This reader does only what translating needs, with the standard library,
and reads the file as Babel does (tests/test_i18n.py holds the two to the same
answer for every shipped catalogue): the same lines, escapes and plural forms;
obsolete (``#~``), fuzzy, untranslated and half-translated entries left out, so
the fallback catalogue or the English msgid answers for them.

The tools that write catalogues (tools/i18n.py) still use Babel: they need the
comments, locations and flags that this reader skips.
"""

from __future__ import annotations

import re

__all__ = ["CONTEXT_SEPARATOR", "read_translations"]

#: How ``gettext`` joins a msgctxt to its msgid in a catalogue's keys.
CONTEXT_SEPARATOR = "\x04"

# The escapes Babel's unescape() turns back into characters; any other
# backslash stays as it is, as there.
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_ESCAPE = re.compile(r'\\([\\abfnrtv"])')

Key = str | tuple[str, int]


def _unescape(quoted: str) -> str:
    inner = quoted[1:-1]
    if "\\" not in inner:
        return inner
    return _ESCAPE.sub(lambda match: _ESCAPES.get(match.group(1), match.group(1)), inner)


class _Entry:
    """One message as it is read: its parts, each a list of quoted pieces."""

    __slots__ = ("context", "fuzzy", "ids", "obsolete", "strings", "target")

    def __init__(self) -> None:
        self.context: list[str] | None = None
        self.ids: list[list[str]] = []
        self.strings: list[tuple[int, list[str]]] = []
        self.fuzzy = False
        self.obsolete = False
        # The part that a line starting with a quote continues.
        self.target: list[str] | None = None


def read_translations(data: bytes, nplurals: int) -> dict[Key, str]:
    """The translations in the ``.po`` file ``data``, keyed as ``gettext`` keys
    them: the msgid (after ``msgctxt`` and ``CONTEXT_SEPARATOR`` if it has one),
    or ``(msgid, form)`` for each of the ``nplurals`` forms of a plural entry.

    Raises ``UnicodeDecodeError`` for a file that is not UTF-8; other damage is
    read past, as Babel reads past it (the entry it spoils is lost).
    """
    catalogue: dict[Key, str] = {}
    entry = _Entry()
    fuzzy_next = False

    def finish() -> None:
        nonlocal entry
        if entry.ids:
            _add(catalogue, entry, nplurals)
        entry = _Entry()

    for raw in data.split(b"\n"):
        line = raw.strip().decode("utf-8")
        if not line:
            continue
        obsolete = False
        if line[0] == "#":
            if line[1:2] != "~":
                # A comment ends the entry before it; flags belong to the next.
                finish()
                if line[1:2] == ",":
                    flags = (flag.strip() for flag in line[2:].split(","))
                    fuzzy_next = fuzzy_next or "fuzzy" in flags
                continue
            line = line[2:].lstrip()
            obsolete = True
            if not line:
                continue
        if line[0] == '"':
            if entry.target is not None:
                entry.target.append(line)
            continue
        keyword, _space, argument = line.partition(" ")
        if keyword in ("msgid", "msgctxt"):
            # Babel starts a new entry at either keyword; a msgctxt then a msgid
            # make one entry, as the msgctxt has no msgid yet.
            if entry.ids:
                finish()
            entry.fuzzy = entry.fuzzy or fuzzy_next
            fuzzy_next = False
        entry.obsolete = obsolete
        if keyword in ("msgid", "msgid_plural"):
            entry.target = [argument]
            entry.ids.append(entry.target)
        elif keyword == "msgctxt":
            entry.target = entry.context = [argument]
        elif keyword == "msgstr" or keyword.startswith("msgstr["):
            _name, bracket, index = keyword.partition("[")
            entry.target = [] if argument == '""' else [argument]
            try:
                form = int(index[:-1]) if bracket else 0
            except ValueError:
                entry.target = None
                continue
            entry.strings.append((form, entry.target))
        # An unknown keyword: Babel warns and reads on, and so does this.
    finish()
    return catalogue


def _text(pieces: list[str]) -> str:
    return "".join(_unescape(piece) for piece in pieces)


def _add(catalogue: dict[Key, str], entry: _Entry, nplurals: int) -> None:
    """Put one finished entry into ``catalogue`` if a translation should show."""
    if entry.obsolete or entry.fuzzy:
        return
    msgid = _text(entry.ids[0])
    if not msgid:
        return  # the header: what it says the project's language table says
    if entry.context is not None:
        msgid = f"{_text(entry.context)}{CONTEXT_SEPARATOR}{msgid}"
    if len(entry.ids) > 1:
        forms = [""] * nplurals
        for form, pieces in entry.strings:
            if 0 <= form < nplurals:
                forms[form] = _text(pieces)
        # Half-translated plural entries would mix languages inside a message.
        if not all(forms) or any((msgid, form) in catalogue for form in range(nplurals)):
            return
        for form, text in enumerate(forms):
            catalogue[(msgid, form)] = text
        return
    text = _text(entry.strings[0][1]) if entry.strings else ""
    if text and msgid not in catalogue:  # the first of two entries wins, as in Babel
        catalogue[msgid] = text
