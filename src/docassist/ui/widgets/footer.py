"""The keys line at the bottom of every screen: Textual's Footer, rebuilt only when
the keys it shows change.

Textual's Footer recomposes (removes every key, then mounts and styles new ones) after
each ``refresh_bindings``, once per call: a first screen calls it four times before its
first frame (the focus moving, the session starting), so the same six keys were built
and styled four times over. Here the calls before one refresh make one rebuild, and a
rebuild that would show the very same keys (same labels, same enabled state) is left
out. A language switch or a key becoming unavailable still rebuilds it.

Keys that would not fit the width in Textual's roomy style are drawn compact (a column
less per key) rather than cut at the right edge, where Help, Language and Quit are: so
a screen with one key more (the case screen, for a coordinator) still fits 80 columns
in every language, and screens that fit keep their look.
"""

from __future__ import annotations

from collections.abc import Hashable

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    def __init__(self) -> None:
        super().__init__()
        self._rebuild_pending = False
        self._shown: Hashable | None = None

    def compose(self) -> ComposeResult:
        # Textual's Footer composes empty and builds its keys only once the screen
        # says its bindings changed, which it does after the first frame: a second
        # layout and render of the whole screen. Here the keys are the first frame's;
        # the focus moving later (a key can differ with the focused widget) is still
        # caught by the rebuild, which leaves the keys alone if they are the same.
        self._bindings_ready = True
        self._fit()
        self._shown = self._keys_shown()
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        # Textual's conditions, as its Footer has them; then one rebuild per refresh.
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
        self._fit()
        shown = self._keys_shown()
        if shown == self._shown:
            return
        self._shown = shown
        await self.recompose()

    def on_resize(self, event: events.Resize) -> None:
        self._fit()

    def _fit(self) -> None:
        """Compact when the keys need more than the width in the roomy style, where
        each key takes its label, its key and three spaces (Textual's padding); compact
        takes one space less. The same keys as ``Footer.compose``: one per action."""
        width = self.size.width or self.screen.size.width or self.app.size.width
        if not width:
            return  # not laid out yet: asked again at the first resize
        app = self.app
        needed: dict[str, int] = {}
        for _node, binding, _enabled, _tooltip in self.screen.active_bindings.values():
            if binding.show and binding.action not in needed:
                key = cell_len(app.get_key_display(binding))
                needed[binding.action] = key + cell_len(binding.description) + 3
        self.compact = sum(needed.values()) > width

    def _keys_shown(self) -> Hashable:
        """What ``Footer.compose`` draws: per action the first key bound to it (its
        key, label, state, tooltip and group, which decides the grouping), and the
        command palette's key. Only what is drawn: with the search box focused the
        letter n no longer opens a new household, but Ctrl+N, shown, stays the same.
        Not ``compact``: the keys follow it themselves (``data_bind``)."""
        app = self.app
        active = self.screen.active_bindings
        first: dict[str, tuple[object, ...]] = {}
        for _node, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in first:
                first[binding.action] = (
                    binding.key,
                    app.get_key_display(binding),
                    binding.description,
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
