"""A list of choices to tick, drawn ``[✓]`` / ``[ ]`` so a projector shows the difference.

Textual's ``SelectionList`` draws every choice as ``▐X▌`` and tells ticked from unticked
by colour alone: on a washed-out projector, or for someone who does not see colours
apart, every row looks ticked. The presenter's "what to bring" list already uses these
marks; one list of choices in the app says the same.
"""

from __future__ import annotations

from typing import TypeVar

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widgets import OptionList, SelectionList
from textual.widgets.option_list import OptionDoesNotExist

from docassist.i18n import _, format_number
from docassist.ui.widgets.ticks import NO_TICK, TICK

SelectionType = TypeVar("SelectionType")


class TickList(SelectionList[SelectionType]):
    """A ``SelectionList`` with a visible mark in front of each choice."""

    def _get_left_gutter_width(self) -> int:
        return len(TICK) + 1

    def render_line(self, y: int) -> Strip:
        # OptionList's own line (the prompt), without SelectionList's button.
        line = OptionList.render_line(self, y)
        _x, scroll_y = self.scroll_offset
        index = scroll_y + y
        try:
            selection = self.get_option_at_index(index)
        except OptionDoesNotExist:
            return line
        ticked = selection.value in self._selected
        underlying = next(iter(line)).style or self.rich_style
        assert underlying is not None  # the prompt's line always has a style
        # The option's index in the style's meta, as SelectionList sets it, so a click
        # on the mark ticks that choice.
        style = underlying + Style(bold=ticked, meta={"option": index})
        return Strip([Segment(f"{TICK if ticked else NO_TICK} ", style=style), *line])


def ticked_line(ticked: int, total: int) -> str:
    """ "Ticked: 3 of 12", to show beside a list whose end may be out of view."""
    return _("Ticked: {ticked} of {total}").format(
        ticked=format_number(ticked), total=format_number(total)
    )
