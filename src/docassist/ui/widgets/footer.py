"""The keys line at the bottom of every screen: Textual's Footer, drawn as one line.

Textual's Footer is a row of FooterKey widgets, one per key, composed only after the
screen's first frame (when the screen says its bindings changed) and composed afresh
after every ``refresh_bindings``: a relayout and a re-render of the whole screen after
the first frame, and six or so widgets to mount, style, lay out and draw on every
screen. Here the footer itself draws the keys, as one line, cell for cell what the
FooterKeys draw (their styles, from their stylesheet below, and their spacing), from
the first frame on. A change of bindings redraws the line only if the keys it shows
changed (same labels, same enabled state: nothing to do), with no layout at all.
A click on a key presses it, as on a FooterKey; a disabled key is dimmed and rings
the bell; the key under the mouse is highlighted.

Keys that would not fit the width in Textual's roomy style are drawn compact (a column
less per key) rather than cut at the right edge, where Help, Language and Quit are: so
a screen with one key more (the case screen, for a coordinator) still fits 80 columns
in every language, and screens that fit keep their look.

No screen here groups keys (``Binding.Group``) or shows the command palette's key
(app.tcss says why): either is left to Textual's own FooterKeys, as children.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color
from textual.css.styles import StylesBase
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class Key(NamedTuple):
    """One key in the line: the first binding of its action, as Footer.compose shows it."""

    key: str  # what a click presses
    display: str  # how the key is written (^n, f1)
    description: str
    action: str
    enabled: bool
    tooltip: str
    group: Binding.Group | None


class Drawn(NamedTuple):
    """Where a key is drawn in the line: columns start (inclusive) to end (exclusive)."""

    key: Key
    start: int
    end: int


# What the line shows: each action's key, and the palette's key (None: not shown)
Shown = tuple[tuple[tuple[str, Key], ...], tuple[object, ...] | None]


class KeysFooter(Footer):
    # The styles of Textual's FooterKey (textual/widgets/_footer.py), one component
    # class per thing it styles: the key itself, its hover and disabled states, and
    # the two parts of its label. Its spacing is in _layout below.
    COMPONENT_CLASSES = {
        "footer-key",
        "footer-key--hover",
        "footer-key--disabled",
        "footer-key--key",
        "footer-key--description",
    }
    DEFAULT_CSS = """
    KeysFooter {
        .footer-key {
            background: $footer-item-background;
        }
        .footer-key--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
        .footer-key--disabled {
            text-style: dim;
        }
        .footer-key--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .footer-key--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """

    def __init__(self) -> None:
        # The palette's key is hidden on every screen (app.tcss): not drawn at all.
        super().__init__(show_command_palette=False)
        self._rebuild_pending = False
        self._shown: Shown | None = None
        self._keys: tuple[Key, ...] = ()
        self._hover: Key | None = None
        self._children_draw = False  # grouped keys or the palette's: Textual's own

    def compose(self) -> ComposeResult:
        # The keys of the first frame: Textual's Footer would compose empty and fill
        # in after it. The focus moving later (the key shown for an action can differ
        # with the focused widget) is caught by _rebuild_if_changed.
        self._bindings_ready = True
        self._take(self._keys_shown())
        self._fit()
        if self._children_draw:
            yield from super().compose()

    def _take(self, shown: Shown) -> None:
        self._shown = shown
        keys, palette = shown
        self._keys = tuple(key for _action, key in keys)
        groups = [key.group for key in self._keys]
        grouped = any(
            group is not None and group == after
            for group, after in zip(groups, groups[1:], strict=False)
        )
        self._children_draw = grouped or palette is not None
        if self._hover is not None and self._hover not in self._keys:
            self._hover_on(None)

    def bindings_changed(self, screen: Screen) -> None:
        # Textual's conditions, as its Footer has them; then one look per refresh.
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild_if_changed)

    async def _rebuild_if_changed(self) -> None:
        self._rebuild_pending = False
        if not self.is_attached or self._pruning:
            return  # its screen closed meanwhile (as Textual's recompose checks too)
        shown = self._keys_shown()
        if shown == self._shown:
            return
        had_children = self._children_draw
        self._take(shown)
        self._fit()
        if had_children or self._children_draw:
            await self.recompose()
        else:
            self.refresh()  # one line redrawn: its size stays, so no layout

    def on_resize(self, event: events.Resize) -> None:
        self._fit()

    def _fit(self) -> None:
        """Compact when the keys need more than the width in the roomy style, where
        each key takes its label, its key and three spaces (FooterKey's padding);
        compact takes one space less. The keys shown: one per action."""
        width = self.size.width or self.screen.size.width or self.app.size.width
        if not width:
            return  # not laid out yet: asked again at the first resize
        needed = sum(cell_len(key.display) + cell_len(key.description) + 3 for key in self._keys)
        self.compact = needed > width

    def _keys_shown(self) -> Shown:
        """What ``Footer.compose`` draws: per action the first key bound to it (its
        key, label, state, tooltip and group, which decides the grouping), and the
        command palette's key. Only what is drawn: with the search box focused the
        letter n no longer opens a new household, but Ctrl+N, shown, stays the same.
        Not ``compact``: a redraw follows it by itself (a reactive)."""
        app = self.app
        active = self.screen.active_bindings
        first: dict[str, Key] = {}
        for _node, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in first:
                first[binding.action] = Key(
                    binding.key,
                    app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    enabled,
                    tooltip,
                    binding.group,
                )
        palette: tuple[object, ...] | None = None
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            shown = active.get(app.COMMAND_PALETTE_BINDING)
            if shown is not None:
                _node, binding, enabled, _tooltip = shown
                palette = (
                    binding.key,
                    app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    enabled,
                    binding.tooltip,
                )
        return (tuple(first.items()), palette)

    # -- drawing -------------------------------------------------------------------

    def drawn_keys(self) -> list[Drawn]:
        """The keys as drawn, left to right, with their columns; one past the width
        is cut off at the right edge."""
        if self._children_draw:
            return [
                Drawn(
                    Key(k.key, k.key_display, k.description, k.action, not k._disabled, "", None),
                    k.region.x - self.region.x,
                    k.region.right - self.region.x,
                )
                for k in self.query(FooterKey)
                if k.display
            ]
        return [drawn for drawn, _parts in self._layout()]

    def _layout(self) -> list[tuple[Drawn, tuple[str, str]]]:
        """Each key's place and its two parts as FooterKey draws them: the key padded
        by a space each side and the description followed by one (compact: the key
        bare, a space before the description, and a column of footer between keys)."""
        x = 0
        laid: list[tuple[Drawn, tuple[str, str]]] = []
        compact = self.compact
        for key in self._keys:
            if compact:
                key_part = key.display
                description = " " + key.description if key.description else ""
            else:
                key_part = " " + key.display + " "
                description = key.description + " " if key.description else ""
            if not key.description:
                key_part = key.display  # FooterKey: a key with no label is drawn bare
            width = cell_len(key_part) + cell_len(description)
            laid.append((Drawn(key, x, x + width), (key_part, description)))
            x += width + (1 if compact else 0)
        return laid

    def render_line(self, y: int) -> Strip:
        if self._children_draw or y:
            return super().render_line(y)
        width = self.size.width
        gap = Style.from_color(bgcolor=self.background_colors[1].rich_color)
        styles: dict[tuple[str, bool, bool], Style] = {}  # most keys share theirs

        def style(part: str, key: Key) -> Style:
            state = (part, key == self._hover, not key.enabled)
            if state not in styles:
                styles[state] = self._style(*state)
            return styles[state]

        segments: list[Segment] = []
        x = 0
        for drawn, (key_part, description) in self._layout():
            if drawn.start > x:
                segments.append(Segment(" " * (drawn.start - x), gap))
            segments.append(Segment(key_part, style("footer-key--key", drawn.key)))
            if description:
                segments.append(Segment(description, style("footer-key--description", drawn.key)))
            x = drawn.end
        return Strip(segments).adjust_cell_length(width, gap)

    def _style(self, part: str, hover: bool, disabled: bool) -> Style:
        """The Rich style FooterKey draws ``part`` in: Textual's DOMNode.rich_style
        over the footer's ancestors, then the key (its own background, or the hover's
        colours, dim if disabled), then the part."""
        key = self.get_component_styles("footer-key")
        if hover:
            key = self.get_component_styles("footer-key", "footer-key--hover")
        layers: list[StylesBase] = [node.styles for node in reversed(self.ancestors_with_self)]
        layers.append(key)
        if disabled:
            layers.append(self.get_component_styles("footer-key--disabled"))
        layers.append(self.get_component_styles(part))
        return _rich_style(layers)

    # -- the mouse, as on a FooterKey ----------------------------------------------

    def _key_at(self, x: int) -> Key | None:
        for drawn in self.drawn_keys():
            if drawn.start <= x < drawn.end:
                return drawn.key
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._children_draw:
            return
        self._hover_on(self._key_at(event.x))

    def on_leave(self, event: events.Leave) -> None:
        self._hover_on(None)

    def _hover_on(self, key: Key | None) -> None:
        if key != self._hover:
            self._hover = key
            self.tooltip = key.tooltip if key is not None and key.tooltip else None
            # FooterKey:hover's pointer (a hand where the terminal has one)
            self.styles.pointer = "default" if key is None else "pointer"
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if self._children_draw:
            return  # the FooterKey under the mouse has it
        key = self._key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()


def _rich_style(layers: list[StylesBase]) -> Style:
    """Textual's ``DOMNode.rich_style``, over a chain of styles from the screen down."""
    background = Color(0, 0, 0, 0)
    color = Color(255, 255, 255, 0)
    style = Style()
    opacity = 1.0
    for styles in layers:
        has_rule = styles.has_rule
        opacity *= styles.opacity
        if has_rule("background"):
            tinted = styles.background.tint(styles.background_tint)
            text_background = background + tinted
            background += tinted.multiply_alpha(opacity)
        else:
            text_background = background
        if has_rule("color"):
            color = styles.color
        style += styles.text_style
        if has_rule("auto_color") and styles.auto_color:
            color = text_background.get_contrast_text(color.a)
    style += Style.from_color(
        (background + color).rich_color if (background.a or color.a) else None,
        background.rich_color if background.a else None,
    )
    return style
