"""The register's connection: ``sqlite3`` with the few conveniences the services use.

This stands where sqlite-utils' ``Database`` stood, and does what it did for the
calls docassist makes (``execute``, ``query``, ``table(name).insert/update`` and
``atomic``), held to it by tests/store/test_database.py. Importing sqlite-utils
(with click, dateutil and pluggy) was most of the app's own import time, about
80 ms of CPU at every start; it is now imported only to apply a migration
(store/migrations.py), which an existing register seldom has pending.
"""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import json
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

__all__ = ["Database", "RowNotFoundError", "Table"]

Parameters = Sequence[Any] | Mapping[str, Any]

# Statements that control transactions themselves (execute() leaves them alone).
_TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"}

# Savepoint names, unique within the process (so within every connection).
_savepoints = itertools.count(1)


class RowNotFoundError(LookupError):
    """``Table.update`` was given the key of a row that is not there."""


class Database:
    """One connection to a register (see ``store.db.open_database``)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        # As sqlite-utils set it: a trigger's own writes fire triggers too.
        self.execute("PRAGMA recursive_triggers=on;")

    def close(self) -> None:
        self.conn.close()

    def execute(self, sql: str, parameters: Parameters | None = None) -> sqlite3.Cursor:
        """Run one statement. A write outside ``atomic()`` is committed at once."""
        was_in_transaction = self.conn.in_transaction
        try:
            if parameters is not None:
                cursor = self.conn.execute(sql, parameters)
            else:
                cursor = self.conn.execute(sql)
        except Exception:
            if not was_in_transaction and self.conn.in_transaction:
                # The failed statement opened a transaction nothing would ever end.
                self.conn.execute("ROLLBACK")
            raise
        if (
            not was_in_transaction
            and self.conn.in_transaction
            and cursor.description is None
            and _first_keyword(sql) not in _TRANSACTION_CONTROL
        ):
            self.conn.execute("COMMIT")  # a driver that opened one implicitly
        return cursor

    def query(self, sql: str, params: Parameters | None = None) -> Iterator[dict[str, Any]]:
        """The rows of a SELECT as dicts. A column name that comes twice gets
        ``_2`` (``_3``...) on its later copies, so no value overwrites another."""
        cursor = self.execute(sql, params)
        keys = dedupe_keys(column[0] for column in cursor.description or ())
        return (dict(zip(keys, row, strict=True)) for row in cursor)

    def table(self, name: str) -> Table:
        return Table(self, name)

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        """One transaction around the block; inside another one, a savepoint."""
        if self.conn.in_transaction:
            savepoint = f"docassist_{next(_savepoints)}"
            self.conn.execute(f"SAVEPOINT {savepoint}")
            try:
                yield self
            except BaseException:
                # A RAISE(ROLLBACK) trigger can have ended the whole transaction,
                # the savepoint with it: rolling back to it would hide the error.
                if self.conn.in_transaction:
                    self.conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
                    self.conn.execute(f"RELEASE SAVEPOINT {savepoint}")
                raise
            else:
                self.conn.execute(f"RELEASE SAVEPOINT {savepoint}")
            return
        self.conn.execute("BEGIN")
        try:
            yield self
        except BaseException:
            self._rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        if self.conn.in_transaction:  # the error may have ended it already
            self.conn.execute("ROLLBACK")


class Table:
    """One table, for writing a row as a dict."""

    def __init__(self, db: Database, name: str) -> None:
        self.db = db
        self.name = name

    def insert(self, record: Mapping[str, Any]) -> Table:
        """Insert one row; dicts and lists are stored as JSON, dates as ISO text."""
        columns = ", ".join(quote_identifier(column) for column in record)
        marks = ", ".join("?" for _ in record)
        sql = f"INSERT INTO {quote_identifier(self.name)} ({columns}) VALUES ({marks})"
        with self.db.atomic():
            self.db.execute(sql, [to_sql(value) for value in record.values()])
        return self

    def update(self, key: Any, updates: Mapping[str, Any]) -> Table:
        """Change the row whose primary key is ``key``; raises ``RowNotFoundError``
        if there is none (the caller read it first, so that is a mistake)."""
        pks = self.primary_keys()
        keys = list(key) if isinstance(key, list | tuple) else [key]
        where = " AND ".join(f"{quote_identifier(pk)} = ?" for pk in pks)
        table = quote_identifier(self.name)
        found = len(keys) == len(pks) and (
            self.db.execute(f"SELECT 1 FROM {table} WHERE {where}", keys).fetchone()
        )
        if not found:
            raise RowNotFoundError(f"no row {key!r} in {self.name}")
        if not updates:
            return self
        sets = ", ".join(f"{quote_identifier(column)} = ?" for column in updates)
        values = [to_sql(value) for value in updates.values()]
        with self.db.atomic():
            changed = self.db.execute(f"UPDATE {table} SET {sets} WHERE {where}", values + keys)
            if changed.rowcount != 1:  # a key matching two rows: undo, never half-apply
                raise RowNotFoundError(f"{changed.rowcount} rows {key!r} in {self.name}")
        return self

    def primary_keys(self) -> list[str]:
        """The primary key's columns, in order (``rowid`` for a table without one)."""
        info = self.db.execute(f"PRAGMA table_info({quote_identifier(self.name)})").fetchall()
        keyed = sorted((row[5], row[1]) for row in info if row[5])
        return [name for _order, name in keyed] or ["rowid"]


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def to_sql(value: object) -> object:
    """A Python value as SQLite stores it, as sqlite-utils stored it."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, default=repr, ensure_ascii=False)
    if isinstance(value, dt.time | dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.timedelta | uuid.UUID):
        return str(value)
    return value


def dedupe_keys(keys: Iterable[str]) -> list[str]:
    """Column names made unique: later copies of a name get ``_2``, ``_3``...,
    skipping any that another column already has."""
    names = list(keys)
    taken = set(names)
    if len(taken) == len(names):
        return names
    seen: set[str] = set()
    unique = []
    for name in names:
        if name in seen:
            suffix = 2
            candidate = name
            while candidate in seen or candidate in taken:
                candidate = f"{name}_{suffix}"
                suffix += 1
            name = candidate
        seen.add(name)
        unique.append(name)
    return unique


def _first_keyword(sql: str) -> str:
    """The statement's first keyword, upper case, after blanks and comments."""
    i, n = 0, len(sql)
    while i < n:
        if sql[i].isspace() or sql[i] in (";", "\ufeff"):
            i += 1
        elif sql.startswith("--", i):
            newline = sql.find("\n", i)
            if newline == -1:
                return ""
            i = newline + 1
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            if end == -1:
                return ""
            i = end + 2
        else:
            break
    j = i
    while j < n and (sql[j].isalpha() or sql[j] == "_"):
        j += 1
    return sql[i:j].upper()
