"""Shared test fixtures: a temp database, a throw-away identity-number key, a CLI runner
and writers for real CSV files. No mocks: every test uses real files, SQLite and (issue
16) a real PostgreSQL server.

A test module marked `pytestmark = pytest.mark.both_backends` runs each of its tests
that use the `db` fixture twice: on an SQLite file and on a fresh PostgreSQL database
(`db` is then its URL); a test marked `sqlite_only` in such a module runs on SQLite
alone (it reads the file itself)."""

from __future__ import annotations

import contextlib
import csv
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from intdrammen.cli import app
from pg import pg_server, pg_url  # noqa: F401 (the PostgreSQL fixtures, issue 16)

PARTICIPANT_HEADER = [
    "participant_id",
    "national_id",
    "birth_year",
    "gender",
    "country",
    "municipality",
    "settled_date",
    "intro_start",
    "intro_end",
    "intro_end_reason",
    "intro_outcome",
]
PLACEMENT_HEADER = [
    "placement_id",
    "participant_id",
    "type",
    "employer_orgnr",
    "employer_name",
    "start_date",
    "end_date",
    "fte_percent",
    "channel",
]


def participant_row(
    pid: str, municipality: str, *, gender: str = "K", end: str = "", outcome: str = ""
) -> list[object]:
    """A row under PARTICIPANT_HEADER: born 1990 in Syria, no fødselsnummer; with `end`
    the programme ended that day, completed ("fullført"), with `outcome`."""
    reason = "fullført" if end else ""
    return [pid, "", 1990, gender, "Syria", municipality, "", "", end, reason, outcome]


def placement_row(
    pid: str, start: str, *, placement_id: str = "", kind: str = "fast jobb", fte: str = ""
) -> list[object]:
    """A row under PLACEMENT_HEADER: a placement at Kiwi found through NAV."""
    return [placement_id, pid, kind, "", "Kiwi", start, "", fte, "NAV"]


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own key file and no stray configuration from the machine."""
    monkeypatch.setenv("INTD_KEY_FILE", str(tmp_path / "config" / "key"))
    for name in ("INTD_DB", "INTD_GOALS", "INTD_REGIONS", "INTD_REQUIREMENTS", "INTD_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "160")


@pytest.fixture(params=["arrow", "rows"])
def both_parse_paths(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test twice: with text files read by pyarrow's CSV reader (the usual way)
    and from the rows tables.py reads (workbooks, and text files pyarrow would number
    differently): both must give the same rows, values and problems."""
    from intdrammen.importers import columnar

    monkeypatch.setattr(columnar, "READ_TEXT_WITH_ARROW", request.param == "arrow")
    return str(request.param)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    both = metafunc.definition.get_closest_marker("both_backends")
    if both and "db" in metafunc.fixturenames:
        if metafunc.definition.get_closest_marker("sqlite_only"):
            return
        metafunc.parametrize("db", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """The test's database: an SQLite file path, or (parametrised `postgresql`) the URL
    of a fresh PostgreSQL database, typed as a Path for the tests that only pass it on."""
    if getattr(request, "param", "sqlite") == "postgresql":
        return request.getfixturevalue("pg_url")  # type: ignore[no-any-return]
    return tmp_path / "intd.sqlite"


def is_postgres(db: object) -> bool:
    return isinstance(db, str) and db.startswith("postgresql://")


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
    return path


@pytest.fixture
def cli(db: Path) -> Callable[..., Any]:
    """Run `intd --db <tmp db> ARGS...`; returns the click Result."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Any:
        return runner.invoke(app, ["--db", str(db), *args], input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def cli_json(cli: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command with --format json and return the parsed JSON (asserting exit 0)."""

    def invoke(*args: str) -> Any:
        result = cli(*args, "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return invoke


def _pg(db: str) -> Any:
    """A connection to the PostgreSQL test database that reads SQLite-style SQL."""
    import psycopg

    from intdrammen.store.pg_sql import PgConnection

    return PgConnection(psycopg.connect(db, autocommit=True, cursor_factory=psycopg.ClientCursor))


@contextlib.contextmanager
def connect(db: Path) -> Iterator[Any]:
    """A connection to the test's database that takes SQLite's SQL on either backend
    (`with connect(db) as conn: conn.execute(...)`), committed at the end."""
    if is_postgres(db):
        conn = _pg(str(db))
        try:
            yield conn
        finally:
            conn.close()
        return
    with sqlite3.connect(db) as lite:
        yield lite
    lite.close()


def exists(db: Path) -> bool:
    """Whether the database was made: the file, or intd's tables on PostgreSQL."""
    if is_postgres(db):
        return bool(
            stored(db, "SELECT 1 FROM information_schema.tables WHERE table_name = 'batches'")
        )
    return db.exists()


def snapshot(db: Path) -> object:
    """All a database holds, to compare before and after: the file's bytes, or on
    PostgreSQL every row of every table."""
    return content(db) if is_postgres(db) else db.read_bytes()


def stored(db: Path, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
    if is_postgres(db):
        conn = _pg(str(db))
        try:
            return list(conn.execute(sql, params).fetchall())
        finally:
            conn.close()
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def content(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: the whole database as data."""
    if is_postgres(db):
        names = [
            r[0]
            for r in stored(
                db,
                "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                "current_schema() AND table_type = 'BASE TABLE'",
            )
        ]
        data = {}
        for name in names:  # without the rowid column SQLite keeps implicit
            columns = [
                r[0]
                for r in stored(
                    db,
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                    "AND table_schema = current_schema() AND column_name != 'rowid' "
                    "ORDER BY ordinal_position",
                    (name,),
                )
            ]
            rows = stored(db, f"SELECT {', '.join(columns)} FROM {name}")
            data[name] = sorted(rows, key=repr)
        return data
    with sqlite3.connect(db) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: sorted(conn.execute(f"SELECT * FROM {n}").fetchall(), key=repr) for n in names}


def without_undone(data: dict[str, list[tuple[Any, ...]]], db: Path) -> dict[str, Any]:
    """The content less the history entries of undone batches (undo keeps those, marked)."""
    undone = {r[0] for r in stored(db, "SELECT id FROM batches WHERE undone_at IS NOT NULL")}
    return {**data, "batches": [r for r in data["batches"] if r[0] not in undone]}
