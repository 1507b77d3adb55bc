"""`px query`: one read-only SQL statement over the documented ``px_*`` views.

Three locks keep the store untouched: the database is opened with SQLite's
``mode=ro`` and ``PRAGMA query_only``; an authorizer allows only reads, and
only of ``px_*`` views (raw tables are an implementation detail and may change);
and the statement must start with SELECT, WITH, VALUES or EXPLAIN.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from px.errors import InputError

if TYPE_CHECKING:
    from px.store.engine import Store

VIEW_PREFIX = "px_"
_READ_ONLY_START = re.compile(r"^\s*(?:select|with|values|explain)\b", re.IGNORECASE)
_COMMENTS = re.compile(r"(--[^\n]*(\n|$))|(/\*.*?\*/)", re.DOTALL)
_STRINGS = re.compile(r"'(?:[^']|'')*'")
_IDENTIFIERS = re.compile(r'"((?:[^"]|"")+)"|`([^`]+)`|\[([^\]]+)\]|([A-Za-z_][A-Za-z0-9_$]*)')

_ALLOWED = {
    sqlite3.SQLITE_SELECT,
    sqlite3.SQLITE_FUNCTION,
    getattr(sqlite3, "SQLITE_RECURSIVE", 33),
}
_ACTION_NAMES = {
    sqlite3.SQLITE_INSERT: "INSERT",
    sqlite3.SQLITE_UPDATE: "UPDATE",
    sqlite3.SQLITE_DELETE: "DELETE",
    sqlite3.SQLITE_ATTACH: "ATTACH",
    sqlite3.SQLITE_DETACH: "DETACH",
    sqlite3.SQLITE_PRAGMA: "PRAGMA",
    sqlite3.SQLITE_TRANSACTION: "a transaction statement",
    sqlite3.SQLITE_ALTER_TABLE: "ALTER TABLE",
    sqlite3.SQLITE_REINDEX: "REINDEX",
    sqlite3.SQLITE_ANALYZE: "ANALYZE",
}


@dataclass(frozen=True)
class QueryResult:
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class ViewInfo:
    name: str
    columns: tuple[str, ...]


def _refused(what: str) -> InputError:
    return InputError(
        f"px query refused the statement: {what}",
        why="px query is read-only and reads only the documented px_* views",
        hint="see `px query --views` and docs/query.md",
    )


def _strip_comments(sql: str) -> str:
    return _COMMENTS.sub(" ", sql)


def _names_raw_table(sql: str, tables: set[str]) -> str | None:
    """The first raw (non-view) table the statement names, if any."""
    text = _STRINGS.sub("''", _strip_comments(sql))
    for match in _IDENTIFIERS.finditer(text):
        name = next(g for g in match.groups() if g is not None).lower()
        if name in tables:
            return name
    return None


class _Authorizer:
    def __init__(self) -> None:
        self.denied: str | None = None

    def __call__(
        self, action: int, arg1: str | None, arg2: str | None, db: str | None, view: str | None
    ) -> int:
        if action in _ALLOWED:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_READ:
            # Which view a read comes through is not reliable once SQLite flattens
            # the view into the query, so raw table names are refused by
            # _names_raw_table before the statement runs.
            return sqlite3.SQLITE_OK
        self.denied = (
            _ACTION_NAMES.get(action, "a statement that is not a read") + " is not allowed"
        )
        return sqlite3.SQLITE_DENY


def run(store: Store, sql: str, *, max_rows: int | None = None) -> QueryResult:
    """Run one read-only statement against the views of ``store``."""
    if not _READ_ONLY_START.match(_strip_comments(sql)):
        first = _strip_comments(sql).split(None, 1)
        raise _refused(f"{first[0].upper() if first else 'an empty statement'} is not a query")
    authorizer = _Authorizer()
    with store.autocommit() as conn:
        dbapi = conn.raw
        tables = {
            name.lower()
            for (name,) in dbapi.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        raw = _names_raw_table(sql, tables | {"sqlite_master", "sqlite_schema"})
        if raw is not None:
            raise _refused(f"it reads {raw!r}, which is not a px_* view")
        dbapi.set_authorizer(authorizer)
        try:
            cursor = dbapi.execute(sql)
            columns = tuple(d[0] for d in cursor.description or ())
            rows = cursor.fetchall() if max_rows is None else cursor.fetchmany(max_rows)
        except sqlite3.ProgrammingError as error:
            if "one statement" in str(error):
                raise _refused("it holds more than one statement") from error
            raise InputError(f"px query: {error}", hint="check the SQL") from error
        except sqlite3.DatabaseError as error:
            if authorizer.denied:
                raise _refused(authorizer.denied) from error
            message = str(error)
            if "readonly" in message or "read-only" in message:
                raise _refused("it tries to write") from error
            raise InputError(
                f"px query: {message}", hint="check the SQL against `px query --views`"
            ) from error
        finally:
            dbapi.set_authorizer(None)
    return QueryResult(columns, tuple(tuple(r) for r in rows))


def views(store: Store) -> list[ViewInfo]:
    """The documented views and their columns."""
    with store.autocommit() as conn:
        dbapi = conn.raw
        names = [
            n
            for (n,) in dbapi.execute(
                "SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name"
            )
            if n.startswith(VIEW_PREFIX)
        ]
        return [
            ViewInfo(name, tuple(r[1] for r in dbapi.execute(f'PRAGMA table_info("{name}")')))
            for name in names
        ]
