"""What every docassist screen shares: translated key labels, live language switching."""

from __future__ import annotations

from dataclasses import replace

from textual.binding import ActiveBinding
from textual.screen import ModalScreen, Screen

from docassist.i18n import _


class Translated:
    """Mixin for screens: footer labels in the current language, redrawn on a switch.

    ``BINDINGS`` descriptions are English msgids marked with ``N_``; they are
    translated each time the footer asks, so a switch needs no restart.
    """

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        bindings = super().active_bindings  # type: ignore[misc]
        return {
            key: active._replace(
                binding=replace(
                    active.binding,
                    description=_(active.binding.description) if active.binding.description else "",
                    tooltip=_(active.binding.tooltip) if active.binding.tooltip else "",
                ),
                tooltip=_(active.tooltip) if active.tooltip else "",
            )
            for key, active in bindings.items()
        }

    def on_mount(self) -> None:
        self.app.language_changed.subscribe(self, self._language_changed)  # type: ignore[attr-defined]

    async def _language_changed(self, _code: str) -> None:
        await self.retranslate()
        self.refresh_bindings()  # type: ignore[attr-defined]

    async def retranslate(self) -> None:
        """Redraw in the new language; screens holding typed input keep it in attributes."""
        await self.recompose()  # type: ignore[attr-defined]


class DocScreen(Translated, Screen):
    pass


class DocModal(Translated, ModalScreen):
    pass
