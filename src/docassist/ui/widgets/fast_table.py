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

Two more of DataTable's costs go the same way, with the same result: each line it
draws worked out the widget's and its components' styles afresh (each a walk up
the DOM), now once per drawing; and each new cell was measured through console
options that Text does not read (measure_cell).

Textual is pinned (pyproject.toml): this follows DataTable of 8.2.8, and the tests
compare whole tables drawn by both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.control import strip_control_codes
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual._types import SegmentLines
from textual.color import Color
from textual.coordinate import Coordinate
from textual.geometry import Region, Size
from textual.render import measure
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

if TYPE_CHECKING:  # an annotation only: not imported at start
    from rich.containers import Lines

# Padding's default style, which it pads (and, being null, does not apply) with.
_PADDING_STYLE = "none"


def measure_cell(console: Console, renderable: RenderableType) -> int:
    """``textual.render.measure(console, renderable, 1)``, as DataTable sizes a cell:
    for Text, the widest of its lines, which is what Text.__rich_measure__ gives."""
    if type(renderable) is Text:
        lines = renderable.plain.splitlines()
        return max(cell_len(line) for line in lines) if lines else 0
    return measure(console, renderable, 1)


class FastTable(DataTable[Any]):
    """DataTable with the common cell drawn directly (see the module's docstring)."""

    _text_options: tuple[Any, Any] | None = None  # the console's justify and overflow
    # While render_lines draws: the widget's and its components' styles, worked out
    # once for all lines instead of several times a line (each walks the DOM up to
    # the app: half the cost of a line whose cells are cached). None otherwise.
    _drawing: dict[str, Any] | None = None

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
                    cache_key,
                    content,
                    row_index,
                    column_index,
                    base_style,
                    width,
                    cursor,
                    hover,
                    exact=True,
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
        *,
        exact: bool = False,
    ) -> SegmentLines:
        """Padding and Styled applied to the cell's line of ``inner_width``, then
        render_lines' crop to ``width``; cached under DataTable's key. ``exact``: the
        line's segments are known to add up to ``inner_width`` cells (plain text and
        spaces), so that crop would only copy the line."""
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
        rendered = [styled if exact else Segment.adjust_line_length(styled, width)]
        self._cell_render_cache[cache_key] = rendered
        return rendered

    # -- sizes: DataTable's, with Text measured without building console options --

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        # DataTable measures each new cell with textual.render.measure, which builds
        # console options for Text.__rich_measure__ to ignore (a fifth of a page's
        # load). Rows sized by their content go to DataTable whole: it draws them.
        rows = list(new_rows)
        if any((row := self.rows.get(key)) is not None and row.auto_height for key in rows):
            super()._update_dimensions(rows)
            return
        console = self.app.console
        for row_key in rows:  # DataTable's loop, but for the measuring
            row_index = self._row_locations.get(row_key)
            if row_index is None:
                continue  # removed before the table was idle
            row = self.rows.get(row_key)
            assert row is not None
            if row.label is not None:
                self._labelled_row_exists = True
            row_label, cells_in_row = self._get_row_renderables(row_index)
            label_content_width = measure_cell(console, row_label) if row_label else 0
            self._label_column.content_width = max(
                self._label_column.content_width, label_content_width
            )
            for column, renderable in zip(self.ordered_columns, cells_in_row, strict=False):
                column.content_width = max(column.content_width, measure_cell(console, renderable))
        super()._update_dimensions(())  # the virtual size, from the widths just found

    # -- lines: DataTable's own, with the styles of one drawing worked out once ----

    # The size the cached lines were drawn at (None: nothing drawn yet).
    _drawn_size: Size | None = None

    def _on_resize(self, event: events.Resize) -> None:
        # DataTable forgets every drawn cell on any Resize. The first one arrives
        # after the first frame, for the size that frame was drawn at: forgetting
        # then redrew every cell at the first keystroke or cursor move for nothing.
        # (A line drawn is kept by its width too, so a real change still redraws.)
        if self._drawn_size == self.size:
            event.prevent_default()  # DataTable's _on_resize: the lines still hold

    def render_lines(self, crop: Region) -> list[Strip]:
        self._drawn_size = self.size
        # Nothing else runs while the lines are drawn, so no style changes meanwhile.
        self._drawing = {}
        try:
            return super().render_lines(crop)
        finally:
            self._drawing = None

    def _drawn(self, key: str, compute: Callable[[], Any]) -> Any:
        drawing = self._drawing
        if drawing is None:
            return compute()
        if key not in drawing:
            drawing[key] = compute()
        return drawing[key]

    def _drawn_style(self, component: str) -> Style:
        """``get_component_styles(component).rich_style``, once per drawing."""
        style: Style = self._drawn(
            component, lambda: self.get_component_styles(component).rich_style
        )
        return style

    def _drawn_rich_style(self) -> Style:
        style: Style = self._drawn("@rich_style", lambda: self.rich_style)
        return style

    def _drawn_background(self) -> Color:
        color: Color = self._drawn("@background", lambda: self.background_colors[1])
        return color

    # The three below are DataTable's (textual 8.2.8) word for word, but for the
    # styles and colour read through the _drawn_* methods above.

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        scroll_x, scroll_y = self.scroll_offset

        fixed_row_keys: list[RowKey] = [
            key
            for row_index in range(self.fixed_rows)
            if (key := self._row_locations.get_key(row_index)) is not None
        ]

        fixed_rows_height = sum(self.get_row_height(row_key) for row_key in fixed_row_keys)
        if self.show_header:
            fixed_rows_height += self.get_row_height(self._header_row_key)

        if y >= fixed_rows_height:
            y += scroll_y

        return self._render_line(y, scroll_x, scroll_x + width, self._drawn_rich_style())

    def _render_line_in_row(
        self,
        row_key: RowKey,
        line_no: int,
        base_style: Style,
        cursor_location: Coordinate,
        hover_location: Coordinate,
    ) -> tuple[SegmentLines, SegmentLines]:
        """Render a single line from a row in the DataTable.

        Args:
            row_key: The identifying key for this row.
            line_no: Line number (y-coordinate) within row. 0 is the first strip of
                cells in the row, line_no=1 is the next line in the row, and so on...
            base_style: Base style of row.
            cursor_location: The location of the cursor in the DataTable.
            hover_location: The location of the hover cursor in the DataTable.

        Returns:
            Lines for fixed cells, and Lines for scrollable cells.
        """
        cursor_type = self.cursor_type
        show_cursor = self.show_cursor

        cache_key = (
            row_key,
            line_no,
            base_style,
            cursor_location,
            hover_location,
            cursor_type,
            show_cursor,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )

        if cache_key in self._row_render_cache:
            return self._row_render_cache[cache_key]

        should_highlight = self._should_highlight
        render_cell = self._render_cell
        header_style = self._drawn_style("datatable--header")

        found = self._row_locations.get(row_key)  # (typed: None when not a data row)
        row_index = -1 if found is None else found

        # If the row has a label, add it to fixed_row here with correct style.
        fixed_row = []

        if self._labelled_row_exists and self.show_row_labels:
            # The width of the row label is updated again on idle
            cell_location = Coordinate(row_index, -1)
            label_cell_lines = render_cell(
                row_index,
                -1,
                header_style,
                width=self._row_label_column_width,
                cursor=should_highlight(cursor_location, cell_location, cursor_type),
                hover=should_highlight(hover_location, cell_location, cursor_type),
            )[line_no]
            fixed_row.append(label_cell_lines)

        if self.fixed_columns:
            if row_key is self._header_row_key:
                fixed_style = header_style  # We use the header style either way.
            else:
                fixed_style = self._drawn_style("datatable--fixed")
                fixed_style += Style.from_meta({"fixed": True})
            for column_index, column in enumerate(self.ordered_columns[: self.fixed_columns]):
                cell_location = Coordinate(row_index, column_index)
                fixed_cell_lines = render_cell(
                    row_index,
                    column_index,
                    fixed_style,
                    column.get_render_width(self),
                    cursor=should_highlight(cursor_location, cell_location, cursor_type),
                    hover=should_highlight(hover_location, cell_location, cursor_type),
                )[line_no]
                fixed_row.append(fixed_cell_lines)

        row_style = self._get_row_style(row_index, base_style)

        scrollable_row = []
        for column_index, column in enumerate(self.ordered_columns):
            cell_location = Coordinate(row_index, column_index)
            cell_lines = render_cell(
                row_index,
                column_index,
                row_style,
                column.get_render_width(self),
                cursor=should_highlight(cursor_location, cell_location, cursor_type),
                hover=should_highlight(hover_location, cell_location, cursor_type),
            )[line_no]
            scrollable_row.append(cell_lines)

        # Extending the styling out horizontally to fill the container
        widget_width = self.size.width
        table_width = (
            sum(
                column.get_render_width(self)
                for column in self.ordered_columns[self.fixed_columns :]
            )
            + self._row_label_column_width
        )
        remaining_space = max(0, widget_width - table_width)
        background_color = self._drawn_background()
        if self.cursor_type == "row":
            extend_style, _ = self._get_styles_to_render_cell(
                row_index == -1,
                False,
                False,
                should_highlight(hover_location, Coordinate(row_index or 0, 0), cursor_type),
                row_index == cursor_location.row,
                self.show_cursor,
                self._show_hover_cursor,
                False,
                False,
            )
            extend_style = row_style + extend_style
        else:
            if row_style.bgcolor is not None:
                # TODO: This should really be in a component class
                faded_color = Color.from_rich_color(row_style.bgcolor).blend(
                    background_color, factor=0.25
                )
                extend_style = Style.from_color(
                    color=row_style.color, bgcolor=faded_color.rich_color
                )
            else:
                extend_style = Style.from_color(row_style.color, row_style.bgcolor)
        extend_style += Style.from_meta({"row": row_index, "column": 0, "out_of_bounds": True})
        scrollable_row.append([Segment(" " * remaining_space, extend_style)])

        row_pair = (fixed_row, scrollable_row)
        self._row_render_cache[cache_key] = row_pair
        return row_pair

    def _get_row_style(self, row_index: int, base_style: Style) -> Style:
        """Gets the Style that should be applied to the row at the given index.

        Args:
            row_index: The index of the row to style.
            base_style: The base style to use by default.

        Returns:
            The appropriate style.
        """

        if row_index == -1:
            row_style = self._drawn_style("datatable--header")
        elif row_index < self.fixed_rows:
            row_style = self._drawn_style("datatable--fixed")
        else:
            if self.zebra_stripes:
                component_row_style = (
                    "datatable--odd-row" if row_index % 2 else "datatable--even-row"
                )
                row_style = self._drawn_style(component_row_style)
            else:
                row_style = base_style
        return row_style
