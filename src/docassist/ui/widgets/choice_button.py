"""A radio button drawn ``(•)`` / ``( )``, so a projector shows which one is chosen.

Textual's ``RadioButton`` draws every choice as ``▐●▌`` and tells the chosen one by
colour alone: on a washed-out projector, or for someone who does not see colours apart,
"Document obtained", "Refused" and "Stopped" look alike. The marks say it in shapes, as
the ticks of ``tick_list.TickList`` do (``[✓]`` / ``[ ]``); the chosen one is bold too.
"""

from __future__ import annotations

from textual.content import Content
from textual.style import Style
from textual.widgets import RadioButton

CHOSEN, NOT_CHOSEN = "(•)", "( )"


class ChoiceButton(RadioButton):
    """A ``RadioButton`` whose mark is a shape, not only a colour."""

    @property
    def _button(self) -> Content:
        style = self.get_visual_style("toggle--label")
        if self.value:
            return Content.styled(CHOSEN, style + Style(bold=True))
        return Content.styled(NOT_CHOSEN, style)

    def render(self) -> Content:
        content = super().render()
        return content.stylize(Style(bold=True)) if self.value else content
