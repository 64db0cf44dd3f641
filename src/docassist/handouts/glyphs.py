"""Which characters the handouts' font can print.

A name goes onto the family plan and the checklist handouts; a character the font
has no glyph for (most emoji, Chinese) would silently be missing from the printout.
The forms and the import ask here first and refuse such a name with a clear message.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from docassist.locations import fonts_dir

__all__ = ["unprintable"]


@cache
def _printable() -> frozenset[int]:
    """The code points both faces (regular and bold) have a glyph for.

    Read once, on the first name checked, from the cmap table alone (about 6,000
    code points): a form's first keystroke pays for it, start-up does not.
    """
    # fpdf's own dependency, loaded only when needed; fontTools ships no type hints.
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    faces = []
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        with TTFont(str(fonts_dir() / name), lazy=True) as font:
            faces.append(frozenset(font.getBestCmap()))
    return faces[0] & faces[1]


def unprintable(text: str) -> list[str]:
    """The characters of ``text`` the handouts cannot print, each once, in order.

    Spaces and invisible joiners are never listed (they print as nothing anyway); a
    letter with a separate accent counts as printable when its composed form is.
    """
    if text.isascii():
        return []
    printable = _printable()
    missing: dict[str, None] = {}
    for ch in unicodedata.normalize("NFC", text):
        if ch.isspace() or unicodedata.category(ch) == "Cf" or ord(ch) in printable:
            continue
        missing[ch] = None
    return list(missing)
