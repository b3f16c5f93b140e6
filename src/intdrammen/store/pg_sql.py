"""The store's SQL on PostgreSQL (issue 16): one connection object with the sqlite3 calls
the store makes (`execute`, `executemany`, cursors to fetch from), which turns the SQL
the store writes into PostgreSQL's where the two differ.

The store's SQL is SQL-92 with a handful of SQLite spellings; each has one rule here,
and a test runs every rule against a real server:

- `?` parameters become `%s` (and a literal `%` is doubled, as psycopg asks);
- `a IS b` and `a IS NOT b` between values (SQLite's null-safe comparison) become
  `IS [NOT] DISTINCT FROM`; `IS [NOT] NULL` stays;
- `date(x, '+N days')` becomes the ISO text of `x` plus N days;
- `group_concat(DISTINCT x)` becomes `string_agg(DISTINCT x, ',')`;
- `NOT INDEXED` (a hint to SQLite's planner) is dropped;
- `CROSS JOIN t a ON ...` (SQLite's way to keep the join order) becomes `JOIN t a ON`;
- `INSERT OR IGNORE INTO ...` becomes `INSERT INTO ... ON CONFLICT DO NOTHING`;
- the attached stage (`stage.stage_placements`) and SQLite's `temp.` schema are the
  session's temporary schema (`pg_temp`): on PostgreSQL the stage is a set of temporary
  tables filled by COPY (pg_stage.py), gone with the session.

Booleans are numbers on SQLite; the store writes `CASE WHEN ... THEN 1 ELSE 0 END`
where it adds them up, which both read alike. What cannot be said alike (PRAGMAs,
`sqlite_master`, `lastrowid`, ATTACH) is a method the PostgreSQL store overrides
(pg_store.py), not a rule here.

psycopg is imported only by the functions that connect: nothing here loads it.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from intdrammen.errors import DatabaseFailed

_PARAM = re.compile(r"'(?:[^']|'')*'|\?|%")
# `IS` / `IS NOT` followed by anything but NULL, TRUE, FALSE or DISTINCT.
_IS = re.compile(r"\bIS(\s+NOT)?\s+(?!NULL\b|TRUE\b|FALSE\b|DISTINCT\b|NOT\b)", re.IGNORECASE)
_ADD_DAYS = re.compile(r"\bdate\(([\w.]+), '\+(\d+) days'\)")
_GROUP_CONCAT = re.compile(r"\bgroup_concat\(DISTINCT ((?:[^()]|\([^()]*\))+)\)", re.IGNORECASE)
_CROSS_ON = re.compile(r"\bCROSS JOIN ([\w.]+ \w+) ON\b")
_LITERAL = re.compile(r"('(?:[^']|'')*')")
_NOT_INDEXED = re.compile(r" NOT INDEXED\b")
_OR_IGNORE = re.compile(r"^\s*INSERT OR IGNORE INTO", re.IGNORECASE)
_STAGE = re.compile(r"\b(?:stage|temp)\.(?=\w)")
_STAGE_INDEX = re.compile(r"CREATE INDEX IF NOT EXISTS pg_temp\.(\w+) ON (\w+)", re.IGNORECASE)


@lru_cache(maxsize=512)
def translate(sql: str) -> str:
    """The PostgreSQL form of one statement the store wrote for SQLite."""

    def param(match: re.Match[str]) -> str:
        found = match.group(0)
        if found == "?":
            return "%s"
        if found == "%":
            return "%%"
        return found.replace("%", "%%")  # a string literal: only its % doubled

    # Outside string literals only (the odd pieces of the split are the literals).
    pieces = _LITERAL.split(sql)
    for i in range(0, len(pieces), 2):
        pieces[i] = _IS.sub(
            lambda m: "IS NOT DISTINCT FROM " if not m.group(1) else "IS DISTINCT FROM ",
            pieces[i],
        )
    out = "".join(pieces)
    out = _ADD_DAYS.sub(r"to_char(CAST(\1 AS date) + \2, 'YYYY-MM-DD')", out)
    out = _GROUP_CONCAT.sub(r"string_agg(DISTINCT \1, ',')", out)
    out = _CROSS_ON.sub(r"JOIN \1 ON", out)
    out = _NOT_INDEXED.sub("", out)
    if _OR_IGNORE.match(out):
        out = _OR_IGNORE.sub("INSERT INTO", out) + " ON CONFLICT DO NOTHING"
    out = _STAGE.sub("pg_temp.", out)
    out = _STAGE_INDEX.sub(r"CREATE INDEX IF NOT EXISTS \1 ON pg_temp.\2", out)
    return _PARAM.sub(param, out)


@contextlib.contextmanager
def _as_sqlite_errors() -> Iterator[None]:
    """A repeated key is `sqlite3.IntegrityError` on both backends: the store's code
    that expects one (loading.py's bulk load into an empty table) reads the same."""
    import psycopg

    try:
        yield
    except psycopg.errors.IntegrityError as exc:
        raise sqlite3.IntegrityError(str(exc).splitlines()[0]) from None
    except psycopg.Error as exc:
        raise server_error(exc) from None


def server_error(exc: Exception) -> DatabaseFailed:
    """What PostgreSQL said, as the typed error: its first line and SQLSTATE (server
    messages do not carry the connection's password)."""
    said = " ".join((str(exc).splitlines() or [type(exc).__name__])[0].split())
    state = getattr(exc, "sqlstate", None)
    return DatabaseFailed(f"PostgreSQL refused: {said}" + (f" (SQLSTATE {state})" if state else ""))


class PgCursor:
    """What the store reads from a statement: rows to iterate or fetch, `rowcount`."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def fetchone(self) -> tuple[Any, ...] | None:
        row = self._cursor.fetchone() if self._cursor.description else None
        return None if row is None else tuple(row)

    def fetchall(self) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self._cursor.fetchall()] if self._cursor.description else []

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self._cursor.fetchmany(size)] if self._cursor.description else []

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        if self._cursor.description:
            for row in self._cursor:
                yield tuple(row)

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    @property
    def description(self) -> Any:
        return self._cursor.description


class PgConnection:
    """A psycopg connection with the sqlite3 calls the store makes. Autocommit, so that
    the store's own BEGIN / SAVEPOINT / COMMIT / ROLLBACK statements are the
    transaction, exactly as on SQLite."""

    def __init__(self, conn: Any) -> None:
        self.raw = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> PgCursor:
        cursor = self.raw.cursor()
        with _as_sqlite_errors():
            cursor.execute(translate(sql), tuple(params))
        return PgCursor(cursor)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> PgCursor:
        cursor = self.raw.cursor()
        with _as_sqlite_errors():
            cursor.executemany(translate(sql), [tuple(r) for r in rows])
        return PgCursor(cursor)

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return bool(self.raw.info.transaction_status != TransactionStatus.IDLE)

    def close(self) -> None:
        self.raw.close()
