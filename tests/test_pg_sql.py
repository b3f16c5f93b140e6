"""Each rule of store/pg_sql.py: the same statement, written as the store writes it for
SQLite, gives the same rows on SQLite and (translated) on a real PostgreSQL server."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from intdrammen.store.pg_sql import PgConnection, translate

# (statement as the store writes it, its parameters)
STATEMENTS = [
    ("SELECT ? IS ?, ? IS NOT ?, ? IS NULL, ? IS NOT NULL", (None, None, 1, None, None, 2)),
    ("SELECT 'a%b', ? LIKE '%x%', ? || '?'", ("axb", "q")),
    ("SELECT date(d, '+30 days') FROM (SELECT '2020-02-10' AS d) q", ()),
    ("SELECT date(d, '+1 days') FROM (SELECT '2019-12-31' AS d) q", ()),
    (
        "SELECT group_concat(DISTINCT substr(d, 1, 4)) FROM (SELECT '2019-01-01' AS d "
        "UNION ALL SELECT '2019-05-05') q",
        (),
    ),
    ("SELECT t.k FROM things t CROSS JOIN things u ON u.k = t.k", ()),
    ("SELECT COUNT(*) FROM temp.things", ()),
    ("SELECT COUNT(*) FROM stage.stage_things", ()),
]


@pytest.fixture
def both(pg_url: str) -> Iterator[tuple[sqlite3.Connection, PgConnection]]:
    lite = sqlite3.connect(":memory:", isolation_level=None)
    lite.execute("ATTACH DATABASE ':memory:' AS stage")
    raw: Any = psycopg.connect(pg_url, autocommit=True, cursor_factory=psycopg.ClientCursor)
    pg = PgConnection(raw)
    for conn, stage in ((lite, "stage."), (pg, "stage.")):
        conn.execute("CREATE TEMP TABLE things (k TEXT PRIMARY KEY, v TEXT)")
        conn.execute("INSERT INTO things (k, v) VALUES ('z', '0')")
        conn.execute(f"CREATE TABLE {stage}stage_things (k TEXT)")
    try:
        yield lite, pg
    finally:
        lite.close()
        pg.close()


def test_every_rule_reads_alike_on_both(both: tuple[sqlite3.Connection, PgConnection]) -> None:
    lite, pg = both
    for sql, params in STATEMENTS:
        want = [tuple(int(v) if isinstance(v, bool) else v for v in r) for r in
                lite.execute(sql, params).fetchall()]  # fmt: skip
        got = [tuple(int(v) if isinstance(v, bool) else v for v in r) for r in
               pg.execute(sql, params).fetchall()]  # fmt: skip
        assert got == want, (sql, translate(sql))


def test_insert_or_ignore_and_the_stage_index(
    both: tuple[sqlite3.Connection, PgConnection],
) -> None:
    lite, pg = both
    for conn in (lite, pg):
        for _ in range(2):
            conn.execute("INSERT OR IGNORE INTO temp.things (k, v) VALUES (?, ?)", ("a", "1"))
        conn.execute("CREATE INDEX IF NOT EXISTS stage.stage_things_k ON stage_things (k)")
        conn.execute("CREATE INDEX IF NOT EXISTS stage.stage_things_k ON stage_things (k)")
        assert conn.execute("SELECT COUNT(*) FROM temp.things").fetchone()[0] == 2


def test_a_repeated_key_is_an_integrity_error_on_both(
    both: tuple[sqlite3.Connection, PgConnection],
) -> None:
    for conn in both:
        conn.execute("INSERT INTO temp.things (k, v) VALUES ('b', '1')")
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("INSERT INTO temp.things (k, v) VALUES ('b', '2')")


def test_what_is_not_a_rule_is_left_alone() -> None:
    assert translate("SELECT a FROM t WHERE b IS NULL AND c IS NOT NULL") == (
        "SELECT a FROM t WHERE b IS NULL AND c IS NOT NULL"
    )
    assert translate("SELECT 'IS ? %'") == "SELECT 'IS ? %%'"  # a literal keeps its ?
