"""Textual's stylesheet, minus parsing CSS that has not changed.

Parsing the CSS (app.tcss and every widget's DEFAULT_CSS) was a tenth of the
first screen's CPU, and Textual 8 did it more than once per start:
``refresh_css`` clears its parse cache (``set_variables``) and ``reparse``
parses in a fresh stylesheet whose cache is empty; opening the first area does
both twice. Here the in-memory cache survives them while the theme's variables
stay the same, and what was parsed is also kept on disk (in the cache folder)
for the next start, keyed by everything the parse depends on: the CSS text, where
it came from, the theme's variables and Textual's and docassist's versions.

The file holds pickled Textual rule sets, each source's pickled on its own so that
a start unpickles only the sources its screen uses: the file also holds other
screens', themes' and installs' sources, and unpickling all of them cost more than
parsing (75 ms for 260 sources). It is read only from the user's own cache folder,
and anything wrong with it (missing, damaged, from another version) only means
parsing as before.
"""

from __future__ import annotations

import logging
import os
import pickle
from pathlib import Path
from typing import Any

import textual
from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet
from textual.css.types import CSSLocation

import docassist
from docassist.locations import cache_dir

log = logging.getLogger(__name__)

CACHE_NAME = "parsed-css-2.pickle"
# Files of earlier versions of this cache, removed when the new one is written.
OLD_NAMES = ("parsed-css.pickle",)
Key = tuple[Any, ...]  # what a parse depends on: versions, variables, CSS, origin
# A source's rule sets as read from the file (still pickled) or parsed this run.
Kept = bytes | list[RuleSet]
# Rule sets kept on disk at most: the sources of every screen in two themes,
# several times over. Past it the file starts again from what this run used.
MAX_KEPT = 400


class ParsedCss:
    """Parsed rule sets by what they were parsed from, read from disk once, written on request."""

    def __init__(self) -> None:
        self._rules: dict[Key, Kept] | None = None
        self._used: set[Key] = set()
        self._changed = False
        self._versions = _versions()

    def key_for(self, variables: str, key: tuple[Any, ...]) -> Key:
        # The whole of it, CSS text included (pickled once per file, as the
        # versions and variables strings are shared): no two sources can collide.
        return (self._versions, variables, *key)

    def get(self, stored: Key) -> list[RuleSet] | None:
        if self._rules is None:
            self._rules = _read()
        kept = self._rules.get(stored)
        if kept is None:
            return None
        if isinstance(kept, bytes):
            try:
                kept = self._rules[stored] = pickle.loads(kept)
            except Exception:  # damaged, or written by another Textual: parse it again
                log.info("parsed CSS for %s not usable", stored[3], exc_info=True)
                del self._rules[stored]
                return None
        self._used.add(stored)
        return kept

    def put(self, stored: Key, rules: list[RuleSet]) -> None:
        if self._rules is None:
            self._rules = _read()
        self._rules[stored] = rules
        self._used.add(stored)
        self._changed = True

    def save(self) -> None:
        """Write what was parsed this run (and kept from before) for the next start."""
        if not self._changed or self._rules is None:
            return
        kept = self._rules
        if len(kept) > MAX_KEPT:
            kept = {d: r for d, r in kept.items() if d in self._used}
        path = cache_dir() / CACHE_NAME
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            scratch = path.with_name(f".{path.name}.{os.getpid()}")
            scratch.write_bytes(_dumps({key: _dumps(rules) for key, rules in kept.items()}))
            os.replace(scratch, path)  # whole or not at all: another start may read it
            for old in OLD_NAMES:
                path.with_name(old).unlink(missing_ok=True)
        except (OSError, pickle.PicklingError, RecursionError):
            log.warning("could not keep the parsed CSS in %s", path, exc_info=True)
            return
        self._changed = False


def _versions() -> str:
    """What the pickled rule sets depend on besides the CSS: docassist's version and
    Textual's code (its version would need importlib.metadata, slower than the
    parse it saves; the files that parse and hold rules change with any install)."""
    css = Path(textual.__file__).parent / "css"
    stamps = [docassist.__version__]
    for name in ("model.py", "parse.py", "styles.py", "stylesheet.py", "types.py"):
        try:
            stat = (css / name).stat()
        except OSError:
            stat = None
        stamps.append(f"{css / name} {stat and (stat.st_size, stat.st_mtime_ns)}")
    return "; ".join(stamps)


def _dumps(kept: object) -> bytes:
    return kept if isinstance(kept, bytes) else pickle.dumps(kept, pickle.HIGHEST_PROTOCOL)


def _read() -> dict[Key, Kept]:
    path = cache_dir() / CACHE_NAME
    try:
        rules = pickle.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except Exception:  # damaged, or written by another Textual: parse as before
        log.info("parsed CSS in %s not usable; parsing again", path, exc_info=True)
        return {}
    return rules if isinstance(rules, dict) else {}


class CachedStylesheet(Stylesheet):
    """A :class:`Stylesheet` that keeps parsed rules while the variables stay,
    in memory and (through ``parsed``) from one start to the next."""

    def __init__(self, *, variables: dict[str, str] | None = None, parsed: ParsedCss) -> None:
        super().__init__(variables=variables)
        self.parsed = parsed
        self._variables_text: str | None = None

    def set_variables(self, variables: dict[str, str]) -> None:
        if variables == self._variables:
            return  # the same theme: every parsed rule still holds
        super().set_variables(variables)
        self._variables_text = None

    def _parse_rules(
        self,
        css: str,
        read_from: CSSLocation,
        is_default_rules: bool = False,
        tie_breaker: int = 0,
        scope: str = "",
    ) -> list[RuleSet]:
        key = (css, read_from, is_default_rules, tie_breaker, scope)
        try:
            return self._parse_cache[key]
        except KeyError:
            pass
        if self._variables_text is None:
            self._variables_text = repr(sorted(self._variables.items()))
        stored = self.parsed.key_for(self._variables_text, key)
        rules = self.parsed.get(stored)
        if rules is None:
            rules = super()._parse_rules(css, read_from, is_default_rules, tie_breaker, scope)
            if not any(rule.errors for rule in rules):
                self.parsed.put(stored, rules)
        self._parse_cache[key] = rules
        return rules

    def reparse(self) -> None:
        # Textual's own reparse, with the fresh stylesheet (kept so a CSS error
        # leaves this one intact) sharing this one's caches of parsed sources.
        fresh = type(self)(variables=self._variables, parsed=self.parsed)
        fresh._parse_cache = self._parse_cache
        fresh._variables_text = self._variables_text
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
