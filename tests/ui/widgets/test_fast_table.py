"""FastTable draws a cell exactly as DataTable does, only faster.

Each example fills one table with a random cell (wide, combining, Cyrillic and
control characters, tabs, newlines, styled spans, any justify/overflow/ending) and
compares the fast path's lines with DataTable's own ``_render_cell`` on the same
table, in the same state, for random widths, paddings, cursor and hover flags.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual import events
from textual.actions import SkipAction
from textual.app import App, ComposeResult
from textual.coordinate import Coordinate
from textual.render import measure
from textual.widgets import DataTable
from textual.widgets._data_table import default_cell_formatter

from docassist.ui.widgets.fast_table import FastTable, measure_cell

# Letters a cell may hold: Latin and Serbian Cyrillic, wide CJK and emoji, combining
# marks, zero-width joiners and variation selectors, tabs, newlines, control codes.
ALPHABET = st.one_of(
    st.sampled_from(list("ab zžćčđšЉЊЂЋЏљњђћџжшАБВ .,-·+0123456789")),
    st.sampled_from(list("漢字中文한국어日本カタカナ")),
    st.sampled_from(["😀", "👍🏽", "🇷🇸", "👨\u200d👩\u200d👧", "❤\ufe0f", "\u200d", "\ufe0f"]),
    st.sampled_from(["\u0301", "\u0308", "\u0327", "e\u0301", "\u200b", "\u00ad"]),
    st.sampled_from(["\t", "\n", "\r", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x00", "\x7f"]),
)
TEXTS = st.lists(ALPHABET, max_size=24).map("".join)
STYLES = st.sampled_from(
    [
        "",
        "bold",
        "italic red",
        "on blue",
        "underline #ff8800 on #002200",
        "reverse",
        "dim strike",
        "link https://example.org",
    ]
)


@st.composite
def rich_texts(draw: st.DrawFn) -> Text:
    plain = draw(TEXTS)
    text = Text(
        plain,
        style=draw(STYLES),
        justify=draw(st.sampled_from([None, "default", "left", "center", "right", "full"])),
        overflow=draw(st.sampled_from([None, "fold", "crop", "ellipsis", "ignore"])),
        no_wrap=draw(st.sampled_from([None, True, False])),
        end=draw(st.sampled_from(["", "\n", "x", "\n\n"])),
        tab_size=draw(st.sampled_from([None, 0, 1, 4, 8])),
    )
    for _ in range(draw(st.integers(0, 3))):
        start = draw(st.integers(0, len(text)))
        text.stylize(draw(STYLES), start, draw(st.integers(start, len(text) + 2)))
    return text


# What a table is given: Text (as the screens give it), or a str or number that
# DataTable's default_cell_formatter turns into Text (no "[": that would be markup).
CELLS = st.one_of(
    rich_texts(),
    TEXTS.filter(lambda s: "[" not in s),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.none(),
)


class _Tables(App[None]):
    def compose(self) -> ComposeResult:
        yield FastTable(id="fast")


def _both(table: FastTable, *args: Any) -> tuple[Any, Any]:
    """(fast path's lines or None, DataTable's lines), each from an empty cell cache."""
    table._cell_render_cache.clear()
    fast = table._fast_cell(*args)
    table._cell_render_cache.clear()
    slow = DataTable._render_cell(table, *args)
    table._cell_render_cache.clear()
    return fast, slow


def _plain(lines: Any) -> list[list[tuple[str, Style | None, Any]]]:
    # Segments compare their styles by value; the repr shows a difference in full.
    return [[(seg.text, seg.style, seg.control) for seg in line] for line in lines]


async def test_the_fast_cell_is_datatables_cell():
    app = _Tables()
    async with app.run_test(size=(100, 10)):
        table = app.query_one(FastTable)
        taken = {"fast": 0}

        @settings(
            max_examples=600,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(
            cell=CELLS,
            label=rich_texts(),
            other=CELLS,
            height=st.sampled_from([1, 1, 1, 2, None]),
            header_height=st.sampled_from([1, 1, 2]),
            width=st.integers(0, 30),
            padding=st.integers(0, 3),
            column=st.integers(0, 1),
            header=st.booleans(),
            cursor=st.booleans(),
            hover=st.booleans(),
            show_hover=st.booleans(),
            show_cursor=st.booleans(),
            fixed=st.integers(0, 2),
            priority=st.sampled_from(["css", "renderable"]),
            base=st.sampled_from(
                [Style.null(), Style(bgcolor="#102030"), Style(color="red", bold=True)]
            ),
        )
        def check(
            cell: Any,
            label: Text,
            other: Any,
            height: int | None,
            header_height: int,
            width: int,
            padding: int,
            column: int,
            header: bool,
            cursor: bool,
            hover: bool,
            show_hover: bool,
            show_cursor: bool,
            fixed: int,
            priority: Any,
            base: Style,
        ) -> None:
            table.clear(columns=True)
            table.cell_padding = padding
            table.header_height = header_height
            table.fixed_columns = fixed
            table.show_cursor = show_cursor
            table.cursor_foreground_priority = priority
            table.cursor_background_priority = priority
            table._show_hover_cursor = show_hover
            table.add_column(label, key="a")
            table.add_column(Text("Second"), key="b")
            cells = (cell, other) if column == 0 else (other, cell)
            table.add_row(*cells, height=height)
            row = -1 if header else 0
            args = (row, column, base, width, cursor, hover)
            fast, slow = _both(table, *args)
            if fast is not None:
                taken["fast"] += 1
                assert _plain(fast) == _plain(slow), (cell, label, args)
                assert fast == slow

        check()
        # An empty cell in a row of height None measures no lines, and DataTable's
        # own sizing on idle trips over that (textual 8.2.8): leave no such row.
        table.clear(columns=True)
        # The comparison meant something: most examples went the fast way.
        assert taken["fast"] > 150, taken


async def test_the_fast_path_takes_the_common_cells_and_caches_them():
    app = _Tables()
    async with app.run_test(size=(100, 10)):
        table = app.query_one(FastTable)
        table.add_column(Text("Family"), key="family")
        table.add_row(Text("Petrović"), key="r")
        base = Style.null()
        for row in (-1, 0):
            fast, slow = _both(table, row, 0, base, 12, False, False)
            assert fast is not None and fast == slow
        # Cached under DataTable's own key: DataTable's path finds it there.
        lines = table._render_cell(0, 0, base, 12)
        assert table._render_cell(0, 0, base, 12) is lines
        assert DataTable._render_cell(table, 0, 0, base, 12) is lines


@given(cell=CELLS)
def test_a_cell_is_measured_as_textual_measures_it(cell):
    console = Console()
    renderable = default_cell_formatter(cell) if cell is not None else Text()
    assert measure_cell(console, renderable) == measure(console, renderable, 1)


ROWS = [
    ("Petrović", "Dubrava", 3, None),
    (Text("Алијевић Љубица", style="bold"), "漢字 😀 long settlement name", 12.5, ""),
    ("Tab\there", "two\nlines", -1, Text("x", justify="right")),
    (Text.assemble(("Đorđe", "italic"), " ", ("Šaić", "on red")), "e\u0301", 0, "…"),
    ("", Text("ellipsis " * 5, overflow="ellipsis"), 10**9, "Ćirić"),
]


@pytest.mark.parametrize(
    "options",
    [
        {"cursor_type": "row", "zebra_stripes": True},
        {"cursor_type": "cell"},
        {"cursor_type": "column", "fixed_columns": 1},
        {"cursor_type": "none", "show_header": False},
        {"cursor_type": "row", "fixed_rows": 1, "cell_padding": 0},
        {"cursor_type": "cell", "cell_padding": 3, "zebra_stripes": True},
        {"cursor_type": "row", "labels": True},
        {"cursor_type": "row", "heights": [1, 2, None, 1, 1]},
    ],
)
async def test_the_whole_table_draws_as_a_datatable_does(options):
    options = dict(options)
    labels = options.pop("labels", False)
    heights = options.pop("heights", [1] * len(ROWS))
    # Set once there are rows: DataTable draws fixed rows it does not have yet with
    # a KeyError (textual 8.2.8).
    fixed_rows = options.pop("fixed_rows", 0)

    class Twins(App[None]):
        CSS = "DataTable { height: 8; width: 50; }"
        AUTO_FOCUS = None  # the focused one would be drawn otherwise

        def compose(self) -> ComposeResult:
            yield FastTable(id="fast", **options)
            yield DataTable(id="slow", **options)

    app = Twins()
    async with app.run_test(size=(50, 20)) as pilot:
        fast, slow = app.query_one("#fast", FastTable), app.query_one("#slow", DataTable)
        assert not isinstance(slow, FastTable)
        for table in (fast, slow):
            table.add_columns("Family", Text("Settlement", style="underline"), "Count", "Note")
            for n, (row, height) in enumerate(zip(ROWS, heights, strict=True)):
                table.add_row(*row, height=height, label=f"{n}." if labels else None)
            table.fixed_rows = fixed_rows
        await pilot.pause()
        steps = [
            ("as added", lambda t: None),
            ("cursor down", lambda t: t.action_cursor_down()),
            ("cursor right", lambda t: t.action_cursor_right()),
            ("hovered", lambda t: setattr(t, "hover_coordinate", Coordinate(1, 1))),
            ("hover shown", lambda t: t._set_hover_cursor(True)),
            ("scrolled", lambda t: t.action_scroll_bottom()),
            ("cell updated", lambda t: t.update_cell_at(Coordinate(0, 0), "Jovanović-Zmaj")),
            ("narrower", lambda t: setattr(t.styles, "width", 37)),
            ("wider again", lambda t: setattr(t.styles, "width", 50)),
            ("focused", lambda t: t.focus()),  # each in turn: one has the focus at a time
        ]
        for name, step in steps:
            drawn = []
            for table in (fast, slow):
                with suppress(SkipAction):  # a move this cursor type does not make
                    step(table)
                # A row cursor's right is an animated scroll: on a busy machine one
                # pause caught the twins at different points of it.
                await pilot.wait_for_scheduled_animations()
                await pilot.pause()
                drawn.append([list(strip) for strip in table.render_lines(table.size.region)])
            assert drawn[0] == drawn[1], name


async def test_the_resize_after_the_first_frame_keeps_the_lines_drawn():
    # The first Resize comes after the first frame, for the size it was drawn at:
    # DataTable would forget every drawn cell then, and redraw them all at the
    # first cursor move. A real change of size still draws at the new width (the
    # twins test above compares those lines with DataTable's).
    class One(App[None]):
        CSS = "FastTable { height: 6; width: 40; }"

        def compose(self) -> ComposeResult:
            table = FastTable()
            table.add_columns("Family", "Settlement")
            for n in range(10):
                table.add_row(f"Family {n}", "Dubrava")
            yield table

    app = One()
    async with app.run_test(size=(50, 10)) as pilot:
        table = app.query_one(FastTable)
        await pilot.pause()
        drawn = table._update_count
        assert table._drawn_size == table.size
        table.post_message(events.Resize(table.size, table.size))
        await pilot.pause()
        assert table._update_count == drawn
        table.styles.width = 30
        await pilot.pause()
        assert all(len(strip.text) == 30 for strip in table.render_lines(table.size.region))
