"""Texts in a handout's languages: checklist texts, UI messages, and what is a draft."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from docassist.domain.text import N_
from docassist.handouts.pdf import HandoutPDF, Line
from docassist.i18n import get_language, translate_in
from docassist.procedures import Checklist, Text

# Translators: printed at the top of a handout whose text is not reviewed yet, or
# where some text had to be shown in another language.
DRAFT = N_("Draft translation, not yet reviewed")


class Page:
    """What a handout says, in order, drawn only once it is complete.

    The draft marker goes at the top but is only known once every text has been
    looked up (any fallback makes a language a draft), hence the two passes.
    """

    def __init__(self) -> None:
        self.parts: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    # Any name is taken for a HandoutPDF drawing method: a wrong name or argument
    # shows only when draw() replays it, the type checker cannot follow the names.
    def __getattr__(self, name: str) -> Callable[..., None]:
        def record(*args: Any, **kwargs: Any) -> None:
            self.parts.append((name, args, kwargs))

        return record

    def draw(self, pdf: HandoutPDF) -> None:
        for name, args, kwargs in self.parts:
            getattr(pdf, name)(*args, **kwargs)


class Words:
    """Turns texts into ``Line``s for one or two languages and remembers fallbacks.

    A text missing in a language is shown in the fallback one with a quiet note,
    and that language is then marked as a draft at the top of the handout.
    """

    def __init__(self, codes: Sequence[str]) -> None:
        self.codes = tuple(dict.fromkeys(get_language(c).code for c in codes))[:2]
        self.fell_back: set[str] = set()

    @property
    def first(self) -> str:
        return self.codes[0]

    @property
    def second(self) -> str | None:
        return self.codes[1] if len(self.codes) > 1 else None

    def one(self, text: Text, code: str) -> tuple[str, str]:
        """The text in ``code`` and a note naming the language used, if it fell back."""
        value, used = text.get(code)
        if used == code or not value:
            return value, ""
        self.fell_back.add(code)
        note = translate_in(code, "shown in {language}").format(
            language=get_language(used).native_name
        )
        return value, note

    def line(self, text: Text, prefix: str = "") -> Line:
        first, first_note = self.one(text, self.first)
        second, second_note = ("", "")
        if self.second:
            second, second_note = self.one(text, self.second)
            if second.strip() == first.strip():  # both fell back to the same text
                second, second_note = "", ""
        return Line(
            prefix + first if first else "",
            prefix + second if second else "",
            first_note,
            second_note,
        )

    def msg(self, msgid: str, code: str | None = None) -> str:
        return translate_in(code or self.first, msgid)

    def both(self, msgid: str, sep: str = " · ", *, strip: str = "") -> str:
        """A UI message in each language on one line: "What to bring · So te anes".

        ``strip``: characters taken off each end of each language's text ("Where:" as a
        heading is "Kaj · Где")."""
        seen: list[str] = []
        for code in self.codes:
            text = translate_in(code, msgid).strip(strip) if strip else translate_in(code, msgid)
            if text not in seen:
                seen.append(text)
        return sep.join(seen)

    def pair(self, render: Callable[[str], str]) -> Line:
        """A line built in each language by ``render(code)``: the first, then the second
        (grey) when it says something else."""
        first = render(self.first)
        second = render(self.second) if self.second else ""
        return Line(first, "" if second == first else second)

    def draft_lines(self, checklists: Sequence[Checklist]) -> list[str]:
        """The draft marker, once per language that needs it, in that language."""
        out = []
        for code in self.codes:
            if code in self.fell_back or any(c.is_draft(code) for c in checklists):
                name = get_language(code).native_name
                out.append(f"{translate_in(code, DRAFT)} ({name})")
        return out
