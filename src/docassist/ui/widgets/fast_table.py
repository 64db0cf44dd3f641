"""A DataTable that draws its common cells without Rich's general pipeline.

DataTable renders every cell as ``console.render_lines(Styled(Padding(cell, (0, pad)),
pre_style, post_style), options)``: two nested ``render_lines``, a Padding, a Styled,
generator chains and option copies, for what is nearly always one line of Text in a
row one line high. On the household list that was most of the first frame's drawing
(about 200 cells). Here such a cell takes the same steps Rich would take, in line:
the Text wrapped by Rich's own ``Text.wrap``, its first line split and padded by
Rich's own ``Segment.adjust_line_length``, the styles added in the same order, so
the lines are the very same segments (tests/ui/widgets/test_fast_table.py compares
them with DataTable's on random cells). Anything else goes to DataTable as before.

Textual is pinned (pyproject.toml): this follows DataTable._render_cell of 8.2.8.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.cells import cell_len
from rich.containers import Lines
from rich.control import strip_control_codes
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual._types import SegmentLines
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

# Padding's default style, which it pads (and, being null, does not apply) with.
_PADDING_STYLE = "none"


class FastTable(DataTable[Any]):
    """DataTable with the common cell drawn directly (see the module's docstring)."""

    _text_options: tuple[Any, Any] | None = None  # the console's justify and overflow

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> SegmentLines:
        lines = self._fast_cell(row_index, column_index, base_style, width, cursor, hover)
        if lines is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        return lines

    def _fast_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool,
        hover: bool,
    ) -> SegmentLines | None:
        """The cell's lines, cached as DataTable caches them; None where only
        DataTable's own rendering is known to give them (row labels, rows not one
        line high, cells that are not plain Text, word wrapping, unusual endings)."""
        if column_index < 0:
            return None  # a row label: rare, and "" is rendered from markup there
        is_header_cell = row_index == -1
        row_key: RowKey | None
        if is_header_cell:
            row_key = self._header_row_key
            if self.header_height != 1:
                return None
        else:
            row_key = self._row_locations.get_key(row_index)
            row = self.rows.get(row_key) if row_key is not None else None
            if row is None or row.height != 1:
                return None
        column_key = self._column_locations.get_key(column_index)
        # DataTable's own key, so either path finds what the other cached.
        cache_key: Any = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        cache = self._cell_render_cache
        if cache_key in cache:
            return cache[cache_key]

        cell = self._get_row_renderables(row_index).cells[column_index]
        if type(cell) is not Text:
            return None
        pad = self.cell_padding
        inner_width = width - 2 * pad
        if inner_width < 1 or cell.end not in ("", "\n"):
            return None
        app = self.app
        console = app.console
        # What Text.__rich_console__ would pass to Text.wrap (with DataTable's no_wrap).
        if cell.no_wrap is False:
            return None  # the cell asks for word wrapping: its first line may differ
        if self._text_options is None:
            # Textual's console options leave both unset; read once, not per cell.
            options = app.console_options
            self._text_options = (options.justify, options.overflow)
        options_justify, options_overflow = self._text_options
        overflow = cell.overflow or options_overflow or "fold"
        if overflow == "ignore":
            return None
        justify = cell.justify or options_justify or "default"
        padding_style = console.get_style(_PADDING_STYLE)
        if padding_style:
            return None  # a theme giving "none" a style: Padding would apply it

        plain = cell.plain
        content: list[Segment]
        if (
            justify == "default"
            and "\n" not in plain
            and "\t" not in plain
            and (length := cell_len(plain)) <= inner_width
            and strip_control_codes(plain) == plain
        ):
            # One line that fits: Text.wrap would give back a copy of the cell as it
            # is (same text, spans and style), so it is used as it is.
            if not cell.spans and not cell.style:
                # Text.render of text without spans: one segment, its style None;
                # Segment.adjust_line_length then pads it to the width.
                content = [Segment(plain)]
                if length < inner_width:
                    content.append(Segment(" " * (inner_width - length), padding_style))
                return self._finish_cell(
                    cache_key, content, row_index, column_index, base_style, width, cursor, hover
                )
            lines: Lines | list[Text] = [cell]
        else:
            tab_size = console.tab_size if cell.tab_size is None else cell.tab_size
            lines = cell.wrap(
                console,
                inner_width,
                justify=justify,
                overflow=overflow,
                tab_size=tab_size or 8,
                no_wrap=True,
            )
        # The segments of Text("\n").join(lines).render(console, end=cell.end) up to
        # the first newline: the only line a cell one line high keeps.
        segments: Iterable[Segment]
        if len(lines) == 1 and not lines[0].spans and not lines[0].style:
            # What render yields for text without spans (its style stays None).
            segments = (
                [Segment(lines[0].plain), Segment(cell.end)]
                if cell.end
                else [Segment(lines[0].plain)]
            )
        else:
            segments = Text("\n").join(lines).render(console, end=cell.end)
        content = []
        for segment in segments:
            text = segment.text
            if "\n" in text and not segment.control:
                before = text.partition("\n")[0]
                if before:
                    content.append(Segment(before, segment.style))
                break
            content.append(segment)
        content = Segment.adjust_line_length(content, inner_width, style=padding_style)
        return self._finish_cell(
            cache_key, content, row_index, column_index, base_style, width, cursor, hover
        )

    def _finish_cell(
        self,
        cache_key: Any,
        content: list[Segment],
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool,
        hover: bool,
    ) -> SegmentLines:
        """Padding and Styled applied to the cell's line of ``inner_width``, then
        render_lines' crop to ``width``; cached under DataTable's key."""
        is_header_cell = row_index == -1
        padding_style = self.app.console.get_style(_PADDING_STYLE)
        pad = self.cell_padding
        # Padding: a space run either side; then Styled: pre style + own + post style.
        if pad:
            side = Segment(" " * pad, padding_style)
            content = [side, *content, side]
        component_style, post_style = self._get_styles_to_render_cell(
            is_header_cell,
            False,
            not is_header_cell
            and (row_index < self.fixed_rows or column_index < self.fixed_columns),
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        pre_style = (
            base_style + Style.from_meta({"row": row_index, "column": column_index})
        ) + component_style
        # Segment.apply_style(segments, pre_style, post_style), each distinct style
        # combined once (a link is combined anew each time: Rich copies it, new id).
        styled: list[Segment] = []
        append = styled.append
        done: dict[Style | None, Style | None] = {}
        for text, style, control in content:
            if control:
                if pre_style or post_style:
                    style = None
            elif style in done:
                style = done[style]
            else:
                own = style
                if pre_style:
                    style = pre_style + style
                if post_style:
                    style = style + post_style if style else post_style
                if not (style is not None and style.link):
                    done[own] = style
            append(Segment(text, style, control))
        rendered = [Segment.adjust_line_length(styled, width)]
        self._cell_render_cache[cache_key] = rendered
        return rendered
