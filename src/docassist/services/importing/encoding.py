"""Which encoding a CSV file is in: UTF-8, or Windows-1250 as Serbian Excel saves it.

Decided once for the whole file from a pass over its bytes, with notes naming the
lines that do not fit.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path

from docassist.domain.text import N_, Problem
from docassist.services.importing.problems import ImportFileError

#: How much of the top of a file is read to judge it (and its CSV delimiter).
SNIFF_BYTES = 64 * 1024

#: Bytes that have no letter in Windows-1250: a file holding them is not cp1250.
_CP1250_UNDEFINED = frozenset(b"\x81\x83\x88\x90\x98")
#: Control bytes no spreadsheet saves (tab, line feed and carriage return are fine).
_CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])
#: How many line numbers a note lists before "...".
_LINES_SHOWN = 10


@dataclass
class _Scan:
    """What one pass over a text file's bytes found, to decide how to read it."""

    lines: int = 0  # physical lines: no file holds more rows than this
    utf8_chars: int = 0  # letters beyond ASCII written correctly in UTF-8
    bad_bytes: int = 0  # bytes that are not (part of) UTF-8
    bad_letters: int = 0  # ... of them, those that are letters in Windows-1250
    not_utf8: list[int] = field(default_factory=list)  # lines holding bad bytes
    not_utf8_count: int = 0
    not_cp1250: list[int] = field(default_factory=list)  # UTF-8 or undefined bytes
    not_cp1250_count: int = 0


def _note_line(found: list[int], count: int, line: int) -> int:
    if len(found) < _LINES_SHOWN:
        found.append(line)
    return count + 1


def _scan_bytes(path: Path) -> _Scan:
    """Count, line by line, what fits UTF-8 and what fits Windows-1250.

    Streams the file (memory does not grow with it) and keeps only counts and the
    first few line numbers. UTF-8 never uses the byte of a line break inside a letter,
    so splitting at line breaks cuts no letter in two.
    """
    scan = _Scan()
    line = 1
    with path.open("rb") as f:
        # A line longer than a megabyte comes in pieces; it is no list's line anyway.
        while raw := f.readline(1 << 20):
            scan.lines = line
            if not raw.isascii():
                _scan_line(scan, raw, line)
            line += raw.endswith(b"\n")
    return scan


def _scan_line(scan: _Scan, raw: bytes, line: int) -> None:
    text = raw.decode("utf-8", errors="surrogateescape")
    if line == 1:
        text = text.removeprefix("\ufeff")
    # surrogateescape turns each byte that is not UTF-8 into one of these.
    bad = [ord(c) - 0xDC00 for c in text if "\udc80" <= c <= "\udcff"]
    good = sum(1 for c in text if c > "\x7f") - len(bad)
    scan.utf8_chars += good
    if bad:
        scan.bad_bytes += len(bad)
        scan.bad_letters += sum(1 for b in bad if bytes([b]).decode("cp1250", "replace").isalpha())
        scan.not_utf8_count = _note_line(scan.not_utf8, scan.not_utf8_count, line)
    if good or any(b in _CP1250_UNDEFINED for b in bad):
        scan.not_cp1250_count = _note_line(scan.not_cp1250, scan.not_cp1250_count, line)


def _line_list(found: list[int], count: int) -> str:
    return ", ".join(str(n) for n in found) + (", ..." if count > len(found) else "")


def detect_encoding(path: Path) -> tuple[str, list[Problem], int | None]:
    """How to read a text file: the encoding, notes for the user, and at most how many
    lines it has (None when not counted).

    One encoding for the whole file, never a mix. UTF-8 unless the file really looks
    like Windows-1250 (Serbian Excel's "CSV"): its bytes that are not UTF-8 outnumber
    the letters written correctly in UTF-8, and are mostly letters in Windows-1250. A
    UTF-8 list with a few stray bytes stays UTF-8, so the letters of every other line
    stay right; the lines that do not fit the chosen encoding are listed in a note, and
    the row checks say which cells they spoil.
    """
    with path.open("rb") as f:
        start = f.read(SNIFF_BYTES)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", [], None
    if b"\0" in start or len(start.translate(None, _CONTROL_BYTES)) < len(start) * 0.99:
        raise ImportFileError(
            N_(
                "{path} does not look like a spreadsheet: it holds binary data, like a "
                "picture or a program. Import a CSV or Excel (.xlsx) list."
            ),
            path=str(path),
        )
    scan = _scan_bytes(path)
    if not scan.bad_bytes:
        return "utf-8-sig", [], scan.lines
    bom = start.startswith(codecs.BOM_UTF8)
    if not bom and scan.bad_bytes > scan.utf8_chars and scan.bad_letters * 2 >= scan.bad_bytes:
        notes = [_CP1250_NOTE]
        if scan.not_cp1250:
            notes.append(
                Problem(
                    "import.not_cp1250",
                    N_(
                        "These lines do not fit Windows-1250 (they may be UTF-8 pasted in), "
                        "so their letters cannot be read right: {lines}."
                    ),
                    {"lines": _line_list(scan.not_cp1250, scan.not_cp1250_count)},
                    severity="warning",
                )
            )
        return "cp1250", notes, scan.lines
    note = Problem(
        "import.not_utf8",
        N_("The file is UTF-8, but these lines hold bytes that are not, shown as �: {lines}."),
        {"lines": _line_list(scan.not_utf8, scan.not_utf8_count)},
        severity="warning",
    )
    return "utf-8-sig", [note], scan.lines


# Serbian Excel saves "CSV" in the Windows code page for Central Europe.
_CP1250_NOTE = Problem(
    "import.cp1250",
    N_(
        "The file is not UTF-8; it was read as Windows-1250 (Central European), "
        "as Serbian Excel saves it. Check that č, ć, š, ž and đ look right below."
    ),
    severity="warning",
)


def cp1250_note(names: list[str]) -> Problem:
    """The note with names from the file, so the user can see whether they look right."""
    return Problem(
        "import.cp1250",
        N_(
            "The file is not UTF-8; it was read as Windows-1250 (Central European), as "
            "Serbian Excel saves it. Check that the letters look right, as in: {names}."
        ),
        {"names": "; ".join(names)},
        severity="warning",
    )
