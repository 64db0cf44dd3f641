"""A checkbox drawn ``[✓]`` / ``[ ]``, so a projector shows whether it is ticked.

Textual's ``Checkbox`` draws ``▐X▌`` ticked or not and tells them apart by colour alone:
on a washed-out projector "The family agreed to be recorded" looks ticked either way.
The marks are those of ``tick_list.TickList`` (``ticks``), so every tick in the app reads
the same.
"""

from __future__ import annotations

from textual.content import Content
from textual.style import Style
from textual.widgets import Checkbox

from docassist.ui.widgets.ticks import NO_TICK, TICK


class TickBox(Checkbox):
    """A ``Checkbox`` whose mark is a shape, not only a colour."""

    @property
    def _button(self) -> Content:
        style = self.get_visual_style("toggle--label")
        if self.value:
            return Content.styled(TICK, style + Style(bold=True))
        return Content.styled(NO_TICK, style)
