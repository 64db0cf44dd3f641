"""A DataTable that asks for more rows as the user nears the end.

DataTable measures every cell when rows are added, so a large register is
loaded a page at a time instead of all at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from textual.message import Message

from docassist.ui.widgets.fast_table import FastTable

if TYPE_CHECKING:
    from textual.coordinate import Coordinate

LOOKAHEAD = 10  # rows before the end at which the next page is requested


class PagedTable(FastTable):
    class NearEnd(Message):
        """The cursor or the scroll position is close to the last loaded row."""

    # Only a move down asks for more, and once per page loaded. DataTable sets its
    # cursor to itself on every add_row (the reactive always updates), and clamps
    # its scroll before it has a height: answering those filled the register page
    # after page at start. A cursor moved to the end also scrolls there: one ask.

    _asked_at = -1  # the row count when NearEnd was last posted

    def clear(self, columns: bool = False) -> Self:
        self._asked_at = -1
        return super().clear(columns)

    def _ask_for_more(self) -> None:
        if self.row_count and self.row_count != self._asked_at:
            self._asked_at = self.row_count
            self.post_message(self.NearEnd())

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if new_value > old_value and self.max_scroll_y - new_value < LOOKAHEAD:
            self._ask_for_more()

    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        super().watch_cursor_coordinate(old, new)
        if new.row > old.row and new.row >= self.row_count - LOOKAHEAD:
            self._ask_for_more()
