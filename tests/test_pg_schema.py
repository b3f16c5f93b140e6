"""The PostgreSQL schema against the real test server: a fresh database is migrated to
the current version in one transaction, builds the same tables, columns and indexes as
SQLite, is built once when two processes migrate at once, and a newer or foreign
database is refused with SQLite's error."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import psycopg
import pytest

from intdrammen.errors import DatabaseRefused, StorageError
from intdrammen.store import pg_schema
from intdrammen.store.files import _identify
from intdrammen.store.pg_schema import VERSION_NAME, migrate, schema_version
from intdrammen.store.schema import SCHEMA_VERSION, _migrate
from intdrammen.store.target import PostgresTarget, parse_target
from pg import PgServer


def _target(url: str) -> PostgresTarget:
    target = parse_target(url)
    assert isinstance(target, PostgresTarget)
    return target


def _tables(conn: psycopg.Connection[Any]) -> set[str]:
    rows = conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
    ).fetchall()
    return {r[0] for r in rows}


def test_a_fresh_database_is_migrated_to_the_current_version(pg_url: str) -> None:
    target = _target(pg_url)
    with target.connect() as conn:
        assert schema_version(conn, target.display) == 0
        assert migrate(conn, target.display) == 0
        assert schema_version(conn, target.display) == SCHEMA_VERSION
        row = conn.execute("SELECT value FROM meta WHERE name = %s", (VERSION_NAME,)).fetchone()
        assert row == (str(SCHEMA_VERSION),)
        assert {"batches", "participants", "placements", "meta", "batch_depends"} <= _tables(conn)
        # Once current, a second run changes nothing.
        assert migrate(conn, target.display) == SCHEMA_VERSION
        conn.commit()
    with target.connect() as conn:  # committed, seen by a new connection
        assert schema_version(conn, target.display) == SCHEMA_VERSION


LITE_TYPES = {"TEXT": "text", "INTEGER": "integer", "REAL": "real"}


def _sqlite_catalogue(path: Path) -> dict[str, Any]:
    with sqlite3.connect(path) as conn:
        _migrate(conn)
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        columns = {
            t: [
                # A key column is NOT NULL on PostgreSQL; SQLite's flag leaves it out.
                (r[1], LITE_TYPES[r[2]], bool(r[3] or r[5]))
                for r in conn.execute(f'PRAGMA table_info("{t}")')
            ]
            for t in tables
        }
        indexes = {}
        for t in tables:
            for r in conn.execute(f'PRAGMA index_list("{t}")'):
                if r[3] == "pk":  # a primary key (meta, batch_depends) is no named index
                    continue
                cols = [c[2] for c in conn.execute(f'PRAGMA index_info("{r[1]}")')]
                indexes[r[1]] = (t, cols, bool(r[2]))
        return {"columns": columns, "indexes": indexes}


def _pg_catalogue(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    kinds = {"text": "text", "bigint": "integer", "double precision": "real"}
    columns: dict[str, list[tuple[str, str, bool]]] = {}
    for table, name, kind, nullable in conn.execute(
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
    ):
        columns.setdefault(table, []).append((name, kinds[kind], nullable == "NO"))
    indexes = {}
    for name, table, cols, unique in conn.execute(
        "SELECT i.relname, t.relname, array(SELECT a.attname FROM unnest(x.indkey) "
        "WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n "
        "ORDER BY k.o), x.indisunique FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace s ON s.oid = t.relnamespace "
        "WHERE s.nspname = 'public' AND NOT x.indisprimary"
    ):
        indexes[name] = (table, list(cols), unique)
    return {"columns": columns, "indexes": indexes}


def test_the_tables_columns_and_indexes_are_those_of_sqlite(pg_url: str, tmp_path: Path) -> None:
    target = _target(pg_url)
    with target.connect() as conn:
        migrate(conn, target.display)
        pg = _pg_catalogue(conn)
    lite = _sqlite_catalogue(tmp_path / "intd.sqlite")
    # SQLite's implicit rowid is a column of its own on PostgreSQL, first.
    for table in ("participants", "placements"):
        assert pg["columns"][table][0] == ("rowid", "integer", True)
        del pg["columns"][table][0]
    # PostgreSQL's tables of an office's records end in the `office` column (row-level
    # security, pg_roles.py), and only those, and nothing else differs.
    office = (pg_schema.OFFICE_COLUMN, "text", True)
    extra = {table for table, cols in pg["columns"].items() if office in cols}
    assert extra == set(pg_schema.OFFICE_TABLES)
    for table in extra:
        assert pg["columns"][table][-1] == office
        pg["columns"][table] = pg["columns"][table][:-1]
    assert pg["columns"] == lite["columns"]
    assert pg["indexes"] == lite["indexes"]


def test_the_office_column_is_added_once_and_defaults_to_the_writing_role(pg_url: str) -> None:
    target = _target(pg_url)
    with target.connect() as conn:
        migrate(conn, target.display)
        assert pg_schema._office_columns(conn) == []  # present: nothing altered
        row = conn.execute(
            "INSERT INTO batches (file, sha256, kind, rows, imported_at) "
            "VALUES ('f.csv', 'x', 'participants', 0, '2024-01-01') RETURNING office, "
            "current_user"
        ).fetchone()
        assert row is not None and row[0] == row[1]


def test_text_sorts_and_reals_keep_their_precision_as_on_sqlite(pg_url: str) -> None:
    target = _target(pg_url)
    words = ["Øvre", "alpha", "Zeta", "Åsgard", "Ærø", "beta", "P011", "P11", "p11"]
    with target.connect() as conn:
        migrate(conn, target.display)
        batch = conn.execute(
            "INSERT INTO batches (file, sha256, kind, rows, imported_at) "
            "VALUES ('f.csv', 'x', 'participants', 0, '2024-01-01') RETURNING id"
        ).fetchone()
        assert batch is not None
        for n, word in enumerate(words):
            conn.execute(
                "INSERT INTO placements (placement_key, participant_id, type, start_date, "
                "fte_percent, batch_id, source_row) VALUES (%s, %s, 'job', '2019-01-01', "
                "%s, %s, %s)",
                (f"k{n}", word, 100 / 3, batch[0], n + 2),
            )
        pg_order = [r[0] for r in conn.execute("SELECT participant_id FROM placements ORDER BY 1")]
        fte = conn.execute("SELECT DISTINCT fte_percent FROM placements").fetchall()
    with sqlite3.connect(":memory:") as lite:
        lite.execute("CREATE TABLE t (w TEXT)")
        lite.executemany("INSERT INTO t VALUES (?)", [(w,) for w in words])
        assert pg_order == [r[0] for r in lite.execute("SELECT w FROM t ORDER BY 1")]
    assert fte == [(100 / 3,)]


def test_a_newer_database_is_refused_as_on_sqlite(pg_url: str, tmp_path: Path) -> None:
    target = _target(pg_url)
    with target.connect() as conn:
        migrate(conn, target.display)
        conn.execute(
            "UPDATE meta SET value = %s WHERE name = %s", (str(SCHEMA_VERSION + 1), VERSION_NAME)
        )
        conn.commit()
    with target.connect() as conn:
        with pytest.raises(DatabaseRefused) as caught:
            migrate(conn, target.display)
        tables_after = _tables(conn)
    pg_error = caught.value
    path = tmp_path / "newer.sqlite"
    with sqlite3.connect(path) as lite:
        _migrate(lite)
        lite.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with sqlite3.connect(path) as lite, pytest.raises(DatabaseRefused) as lite_caught:
        _identify(lite, path)
    assert pg_error.code == lite_caught.value.code == "E-DB-NEWER"
    assert type(pg_error) is type(lite_caught.value)
    assert pg_error.message == lite_caught.value.message.replace(str(path), target.display)
    assert pg_error.hint == lite_caught.value.hint
    assert not any(secret in pg_error.message for secret in target.secrets())
    assert "batches" in tables_after  # left as it was


def test_another_applications_database_is_refused(pg_url: str) -> None:
    target = _target(pg_url)
    with target.connect() as conn:
        conn.execute("CREATE TABLE invoices (id integer)")
        conn.commit()
        with pytest.raises(DatabaseRefused) as caught:
            migrate(conn, target.display)
        assert _tables(conn) == {"invoices"}
    assert caught.value.code == "E-DB-FOREIGN"
    assert "invoices" in caught.value.message
    assert target.display in caught.value.message


def test_a_failing_migration_leaves_the_database_as_it_was(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(conn: Any) -> None:
        conn.execute("SELECT no_such_function()")

    monkeypatch.setattr(pg_schema, "PG_MIGRATIONS", (*pg_schema.PG_MIGRATIONS[:-1], broken))
    target = _target(pg_url)
    with target.connect() as conn:
        with pytest.raises(psycopg.errors.UndefinedFunction):
            migrate(conn, target.display)
        conn.rollback()
        assert _tables(conn) == set()
        assert schema_version(conn, target.display) == 0


def test_two_processes_migrating_at_once_build_the_schema_once(pg_url: str) -> None:
    target = _target(pg_url)
    barrier = threading.Barrier(4)
    found: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with target.connect() as conn:
                barrier.wait()
                found.append(migrate(conn, target.display))
                conn.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(found) == [0, SCHEMA_VERSION, SCHEMA_VERSION, SCHEMA_VERSION]


def test_a_role_that_may_not_create_tables_is_told_who_may(
    pg_server: PgServer, pg_url: str
) -> None:
    dbname = pg_url.rsplit("/", 1)[1]
    role = f"office_{dbname}"
    pg_server.psql(f"CREATE ROLE {role} LOGIN PASSWORD 'office-pw'")
    try:
        pg_server.psql("REVOKE CREATE ON SCHEMA public FROM PUBLIC", dbname)
        url = f"postgresql://{role}:office-pw@127.0.0.1:{pg_server.port}/{dbname}"
        target = _target(url)
        with target.connect() as conn, pytest.raises(StorageError) as caught:
            migrate(conn, target.display)
        assert "intd db init" in caught.value.message
        assert "office-pw" not in caught.value.message
    finally:
        pg_server.psql(f"DROP DATABASE {dbname} WITH (FORCE)")
        pg_server.psql(f"DROP ROLE {role}")
