"""The part of a screen between its Header and Footer, redrawn on a language switch.

Recomposing a whole screen removes its Header, whose watchers on the app's title
stay behind; the next title change then fails inside Textual (NoMatches
'HeaderTitle'). Recomposing only the body keeps the Header mounted, while every
word in the body is composed afresh in the new language.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Vertical


class ScreenBody(Vertical):
    DEFAULT_CSS = """
    ScreenBody {
        height: 1fr;
    }
    """

    def __init__(self, compose: Callable[[], ComposeResult], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._compose_body = compose

    def compose(self) -> ComposeResult:
        yield from self._compose_body()
