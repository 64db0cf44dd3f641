"""Textual's stylesheet, minus re-parsing CSS that has not changed.

Textual 8 re-parses every CSS source (app.tcss and each widget's DEFAULT_CSS)
whenever it refreshes the CSS, even when nothing in it or in the theme changed:
``refresh_css`` clears the parse cache (``set_variables``) and ``reparse`` parses
in a fresh stylesheet whose cache is empty. Opening the first area does that
twice, so each start parsed app.tcss four times, about 0.1 s of CPU. Here the
cache survives both while the theme's variables stay the same; a new theme (the
high-contrast one, say) still clears it, since its colours are in the rules.
"""

from __future__ import annotations

from textual.css.stylesheet import Stylesheet


class CachedStylesheet(Stylesheet):
    """A :class:`Stylesheet` that keeps parsed rules while the variables stay."""

    def set_variables(self, variables: dict[str, str]) -> None:
        if variables == self._variables:
            return  # the same theme: every parsed rule still holds
        super().set_variables(variables)

    def reparse(self) -> None:
        # Textual's own reparse, with the fresh stylesheet (kept so a CSS error
        # leaves this one intact) sharing this one's cache of parsed sources.
        fresh = type(self)(variables=self._variables)
        fresh._parse_cache = self._parse_cache
        for read_from, (css, is_defaults, tie_breaker, scope) in self.source.items():
            fresh.add_source(
                css,
                read_from=read_from,
                is_default_css=is_defaults,
                tie_breaker=tie_breaker,
                scope=scope,
            )
        try:
            fresh.parse()
        except Exception:
            self._invalid_css.update(fresh._invalid_css)
            raise
        self._rules = fresh.rules
        self._rules_map = None
        self.source = fresh.source
        self._require_parse = False
