"""A DataTable that asks for more rows as the user nears the end.

DataTable measures every cell when rows are added, so a large register is
loaded a page at a time instead of all at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message
from textual.widgets import DataTable

if TYPE_CHECKING:
    from textual.coordinate import Coordinate

LOOKAHEAD = 10  # rows before the end at which the next page is requested


class PagedTable(DataTable):
    class NearEnd(Message):
        """The cursor or the scroll position is close to the last loaded row."""

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self.row_count and self.max_scroll_y - new_value < LOOKAHEAD:
            self.post_message(self.NearEnd())

    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        super().watch_cursor_coordinate(old, new)
        if self.row_count and new.row >= self.row_count - LOOKAHEAD:
            self.post_message(self.NearEnd())
