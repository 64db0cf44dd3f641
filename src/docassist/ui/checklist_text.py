"""Checklist texts as the screens show them: in the language asked for, or with a
quiet note of the language they fell back to."""

from __future__ import annotations

from textual.content import Content

from docassist.i18n import get_language
from docassist.procedures import Text as ChecklistText


def localized(text: ChecklistText, lang: str) -> Content:
    """A checklist text in ``lang``, with a quiet "(Srpski)" when it fell back."""
    value, used = text.get(lang)
    if used == lang:
        return Content(value)
    return Content.assemble(value, (f" ({get_language(used).native_name})", "dim"))
