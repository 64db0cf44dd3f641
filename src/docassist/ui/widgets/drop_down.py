"""A Select whose list of options is built when it is first opened.

Textual's Select composes its overlay (an OptionList holding one Option per choice)
with the widget, and fills it on mount: on the household list that is three more
widgets to mount, style and lay out before the first frame, and the municipality
and settlement options built for a list nobody may open (issue 12). A DropDown
composes only what is shown (the current choice and its arrow, as Select does) and
mounts the overlay on the first open; until then the value, the prompt and the
options live in Select's own variables. Everything shown is Select's, so the
screens look the same.

The current choice is drawn by one widget, ``DropDownCurrent``, where Select's
``SelectCurrent`` is a row of three (the label, a down and an up arrow): nine
widgets fewer to mount, style and lay out on the household list. It is a
SelectCurrent still, so every rule written for that one applies to it, and it
draws the same cells.

Its options may also be given as a function (``options_later``, ``set_options_later``),
called when they are first needed: the drop-down opened, or a value chosen. The
household list's places are counted over the whole register (12 ms of its start on
50,000 households) for filters that show only their prompt until opened.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from contextlib import suppress
from dataclasses import replace
from typing import Any, Generic, TypeVar

from rich.console import RenderableType
from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.geometry import Size
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual, visualize
from textual.widgets import Select
from textual.widgets._select import NoSelection, SelectCurrent, SelectOverlay

ValueType = TypeVar("ValueType", bound=Hashable)
Options = Iterable[tuple[RenderableType, ValueType]]


class DropDownCurrent(SelectCurrent):
    """SelectCurrent's label and arrow, drawn cell for cell as its Statics draw them."""

    # The Statics' colours, from SelectCurrent's own CSS; the label is cut with an
    # ellipsis as app.tcss has it for SelectCurrent's label (read by Content here).
    DEFAULT_CSS = """
    DropDownCurrent {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    DropDownCurrent > .drop-down--label {
        color: $foreground 50%;
    }
    DropDownCurrent.-has-value > .drop-down--label {
        color: $foreground;
    }
    DropDownCurrent > .drop-down--arrow {
        color: $foreground 50%;
    }
    """
    COMPONENT_CLASSES = {"drop-down--label", "drop-down--arrow"}
    ARROW_WIDTH = 2  # the arrow and the padding cell before it

    # Drawn line by line, not laid out: SelectCurrent is a Horizontal, and a
    # container's content would be its (absent) children.
    @property
    def is_container(self) -> bool:
        return False

    @property
    def is_scrollable(self) -> bool:
        return False

    def compose(self) -> ComposeResult:
        return iter(())

    def update(self, label: RenderableType | NoSelection) -> None:
        self.label = label
        self.has_value = label is not Select.NULL
        self.refresh()

    def _watch_has_value(self, has_value: bool) -> None:
        super()._watch_has_value(has_value)
        self.refresh()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1 if width else 0

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        # Textual's layout gives a 1fr label one cell however narrow the box.
        label_width = max(1, width - self.ARROW_WIDTH)
        base, background = self.background_colors
        blank = Style(background=base + background).rich_style  # what padding is drawn in
        shown = self.placeholder if isinstance(self.label, NoSelection) else self.label
        label = self._drawn(shown, label_width, "drop-down--label")
        expanded = isinstance(self.parent, Select) and self.parent.expanded
        arrow = self._drawn("▲" if expanded else "▼", 1, "drop-down--arrow")
        line = Strip.join(
            [label.adjust_cell_length(label_width, blank), Strip.blank(1, blank), arrow]
        )
        return line.crop(0, width)

    def _drawn(self, shown: RenderableType, width: int, part: str) -> Strip:
        """``shown`` as a Static of that width and colour draws it (markup read)."""
        style = replace(self.visual_style, foreground=self.get_component_styles(part).color)
        strips = Visual.to_strips(self, visualize(self, shown, markup=True), width, 1, style)
        return strips[0] if strips else Strip([])


class DropDown(Select[ValueType], Generic[ValueType]):
    """Select with its overlay mounted on first open, and its options built then
    when they are given as a function."""

    def __init__(
        self,
        options: Options[ValueType] = (),
        *,
        options_later: Callable[[], Options[ValueType]] | None = None,
        **kwargs: Any,
    ) -> None:
        # Built now when a value is chosen already: its label is shown at once.
        chosen = kwargs.get("value", Select.NULL) != Select.NULL
        eager = chosen or not kwargs.get("allow_blank", True)
        if options_later is not None and eager:
            options, options_later = options_later(), None
        self._later = options_later
        super().__init__(options, **kwargs)

    def set_options_later(self, options: Callable[[], Options[ValueType]]) -> None:
        """As ``set_options`` (the choice is cleared), the options built when first
        needed; at once if the drop-down has been opened before."""
        if self._overlay_or_none() is not None or not self._allow_blank:
            self.set_options(options())
            return
        self._later = options
        self._setup_variables_for_options(())
        self._init_selected_option()

    def listed_options(self) -> list[tuple[RenderableType, ValueType]]:
        """The options as the overlay lists them (built now if they were waiting),
        without the blank one."""
        self._options_now()
        return [
            (prompt, value) for prompt, value in self._options if not isinstance(value, NoSelection)
        ]

    def _options_now(self) -> None:
        if self._later is not None:
            options, self._later = self._later(), None
            self._setup_variables_for_options(options)

    def set_options(self, options: Options[ValueType]) -> None:
        self._later = None
        super().set_options(options)

    def _validate_value(self, value: Any) -> Any:
        if value != self.NULL:
            self._options_now()
        return super()._validate_value(value)

    def compose(self) -> ComposeResult:
        yield DropDownCurrent(self.prompt)

    def _overlay_or_none(self) -> SelectOverlay | None:
        try:
            return self.query_one(SelectOverlay)
        except NoMatches:
            return None

    async def _ensure_overlay(self) -> SelectOverlay:
        overlay = self._overlay_or_none()
        if overlay is None:
            # Select binds the overlay's compact to its own in compose; no screen
            # here changes compact after mounting, so it is copied once.
            self._options_now()
            overlay = SelectOverlay(type_to_search=self._type_to_search)
            overlay.compact = self.compact
            await self.mount(overlay)
            super()._setup_options_renderables()
            self._highlight_value(overlay)
        return overlay

    def _highlight_value(self, overlay: SelectOverlay) -> None:
        for index, (_prompt, value) in enumerate(self._options):
            if value == self.value:
                overlay.highlighted = index
                return

    def _setup_options_renderables(self) -> None:
        if self._overlay_or_none() is not None:
            super()._setup_options_renderables()

    # Select's watcher is typed with Select's own type variable, not DropDown's.
    def _watch_value(self, value: ValueType) -> None:  # type: ignore[override]
        # Select's watcher also highlights the value in the overlay, when there is one.
        self._value = value
        try:
            current = self.query_one(SelectCurrent)
        except NoMatches:
            return
        if value == self.NULL:
            current.update(self.NULL)
        else:
            for prompt, option_value in self._options:
                if option_value == value:
                    current.update(prompt)
                    break
            overlay = self._overlay_or_none()
            if overlay is not None:
                self._highlight_value(overlay)
        self.post_message(self.Changed(self, value))

    def _watch_expanded(self, expanded: bool) -> None:
        with suppress(NoMatches):  # expanded before compose ran
            self.query_one(DropDownCurrent).refresh()  # its arrow points up while open
        if self._overlay_or_none() is not None:
            super()._watch_expanded(expanded)
        elif expanded:
            # A click sets expanded through Select's own toggle handler; the overlay
            # is mounted first, then shown as Select shows it.
            self.call_next(self._show_new_overlay)

    async def _show_new_overlay(self) -> None:
        await self._ensure_overlay()
        if self.expanded:
            super()._watch_expanded(True)

    # Async where Select's is not: the overlay is mounted first (Textual awaits either).
    async def action_show_overlay(self) -> None:  # type: ignore[override]
        await self._ensure_overlay()
        super().action_show_overlay()

    def _watch_prompt(self, prompt: str) -> None:
        if not self.is_mounted:
            return
        if self._overlay_or_none() is not None:
            super()._watch_prompt(prompt)
            return
        current = self.query_one(SelectCurrent)
        current.placeholder = prompt
        if self._allow_blank and self.value == self.NULL:
            current.update(self.NULL)
