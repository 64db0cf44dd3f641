"""Where each part of a TOML file is written: the line of a path such as ``steps #2, bring``.

``tomllib`` keeps no positions, so this small scanner reads the raw text a second time.
It is slow next to ``tomllib`` (pure Python, one character at a time), which is why
nothing runs it until a problem has to be reported: ``reading.SourceFile.line`` builds it
on first use, and a file without problems never pays for it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any


class LineLocator:
    """Maps TOML paths such as ``("steps", 1, "bring", 0)`` to line numbers.

    It scans the text the way a TOML parser would (strings, comments, arrays and inline
    tables) but keeps only positions. It is run on text that ``tomllib`` accepted, and
    stops quietly on anything it does not understand: a partial map still gives useful
    lines, and a wrong guess is never worse than line 1.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self._line = 1
        self._lines: dict[tuple[Any, ...], int] = {}
        self._array_tables: dict[tuple[Any, ...], int] = {}
        with contextlib.suppress(IndexError, ValueError):
            self._scan()

    def line(self, path: Sequence[Any]) -> int:
        """The line of ``path``, or of its nearest recorded ancestor (1 at top level)."""
        key = tuple(path)
        while key:
            if key in self._lines:
                return self._lines[key]
            key = key[:-1]
        return 1

    # The scanner ----------------------------------------------------------------

    def _peek(self, offset: int = 0) -> str:
        index = self._pos + offset
        return self._text[index] if index < len(self._text) else ""

    def _advance(self, count: int = 1) -> None:
        end = min(self._pos + count, len(self._text))
        self._line += self._text.count("\n", self._pos, end)
        self._pos = end

    def _skip_blank(self, newlines: bool) -> None:
        while self._pos < len(self._text):
            char = self._text[self._pos]
            if char in " \t" or (newlines and char in "\r\n"):
                self._advance()
            elif char == "#" and newlines:
                while self._pos < len(self._text) and self._text[self._pos] != "\n":
                    self._advance()
            else:
                return

    def _record(self, path: tuple[Any, ...], line: int, *, implicit: bool = False) -> None:
        if implicit:
            self._lines.setdefault(path, line)
        else:
            self._lines[path] = line

    def _scan(self) -> None:
        table: tuple[Any, ...] = ()
        while True:
            self._skip_blank(newlines=True)
            if self._pos >= len(self._text):
                return
            line = self._line
            if self._peek() == "[":
                is_array = self._peek(1) == "["
                self._advance(2 if is_array else 1)
                self._skip_blank(newlines=False)
                keys = self._key()
                self._skip_blank(newlines=False)
                self._advance(2 if is_array else 1)
                table = self._header(keys, line, is_array)
            else:
                keys = self._key()
                self._skip_blank(newlines=False)
                if self._peek() != "=":
                    raise ValueError("expected '='")
                self._advance()
                self._skip_blank(newlines=False)
                self._assign(table, keys, line)

    def _header(self, keys: list[str], line: int, is_array: bool) -> tuple[Any, ...]:
        if is_array:
            parent = self._resolve(keys[:-1])
            array = (*parent, keys[-1])
            index = self._array_tables.get(array, 0)
            self._array_tables[array] = index + 1
            self._record(array, line, implicit=True)
            path = (*array, index)
            self._record(path, line)
        else:
            path = self._resolve(keys)
            self._record(path, line)
        for size in range(1, len(path)):
            self._record(path[:size], line, implicit=True)
        return path

    def _resolve(self, keys: list[str]) -> tuple[Any, ...]:
        # A header such as [steps.title] after [[steps]] means the *last* step.
        path: tuple[Any, ...] = ()
        for key in keys:
            path = (*path, key)
            if path in self._array_tables:
                path = (*path, self._array_tables[path] - 1)
        return path

    def _assign(self, table: tuple[Any, ...], keys: list[str], line: int) -> None:
        path = (*table, *keys)
        for size in range(len(table) + 1, len(path)):
            self._record(path[:size], line, implicit=True)
        self._record(path, line)
        self._value(path)

    def _key(self) -> list[str]:
        keys: list[str] = []
        while True:
            char = self._peek()
            if char in "\"'":
                start = self._pos + 1
                self._string()
                keys.append(self._text[start : self._pos - 1])
            else:
                start = self._pos
                while self._peek() and (self._peek().isalnum() or self._peek() in "_-"):
                    self._advance()
                if self._pos == start:
                    raise ValueError("expected a key")
                keys.append(self._text[start : self._pos])
            self._skip_blank(newlines=False)
            if self._peek() != ".":
                return keys
            self._advance()
            self._skip_blank(newlines=False)

    def _string(self) -> None:
        quote = self._peek()
        if self._text.startswith(quote * 3, self._pos):
            self._advance(3)
            end = self._text.find(quote * 3, self._pos)
            while quote == '"' and end != -1 and _escaped(self._text, end):
                end = self._text.find(quote * 3, end + 1)
            if end == -1:
                raise ValueError("unterminated string")
            self._advance(end - self._pos + 3)
            # Up to two extra quotes may close a multi-line string ("""a"""" is valid).
            for _ in range(2):
                if self._peek() == quote:
                    self._advance()
            return
        self._advance()
        while True:
            char = self._peek()
            if not char or char == "\n":
                raise ValueError("unterminated string")
            if char == "\\" and quote == '"':
                self._advance(2)
                continue
            self._advance()
            if char == quote:
                return

    def _value(self, path: tuple[Any, ...]) -> None:
        char = self._peek()
        if char in "\"'":
            self._string()
        elif char == "[":
            self._advance()
            index = 0
            while True:
                self._skip_blank(newlines=True)
                if self._peek() == "]":
                    self._advance()
                    return
                if not self._peek():
                    raise ValueError("unterminated array")
                self._record((*path, index), self._line)
                self._value((*path, index))
                index += 1
                self._skip_blank(newlines=True)
                if self._peek() == ",":
                    self._advance()
        elif char == "{":
            self._advance()
            while True:
                self._skip_blank(newlines=True)
                if self._peek() == "}":
                    self._advance()
                    return
                if not self._peek():
                    raise ValueError("unterminated inline table")
                line = self._line
                keys = self._key()
                self._skip_blank(newlines=False)
                if self._peek() != "=":
                    raise ValueError("expected '='")
                self._advance()
                self._skip_blank(newlines=False)
                self._assign(path, keys, line)
                self._skip_blank(newlines=True)
                if self._peek() == ",":
                    self._advance()
        else:
            while self._peek() and self._peek() not in ",]}\n#":
                self._advance()


def _escaped(text: str, index: int) -> bool:
    """Whether the character at ``index`` follows an odd number of backslashes."""
    count = 0
    while index - count - 1 >= 0 and text[index - count - 1] == "\\":
        count += 1
    return count % 2 == 1
