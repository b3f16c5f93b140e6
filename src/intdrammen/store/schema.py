"""The schema: the tables' columns, the migrations that build and upgrade a database to
the current schema, and `PRAGMA user_version` as the record of which ran.

A seam of its own because a second backend (PostgreSQL, issue 16) creates the same
tables in its own DDL while every other module keeps using the names defined here
(`TABLES`, the column tuples) to build its SQL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from intdrammen.errors import NoData
from intdrammen.store.sql import WORK_OR_EDUCATION_TYPES_SQL

# The participant columns migration 1 made; LANGUAGE_COLUMNS are added by migration 6.
PARTICIPANT_COLUMNS_1 = (
    "participant_id",
    "person_key",
    "birth_year",
    "gender",
    "country",
    "municipality",
    "settled_date",
    "intro_start",
    "intro_end",
    "intro_end_reason",
    "intro_outcome",
    "status_1y",
)
LANGUAGE_COLUMNS = (
    "norwegian_hours",
    "social_studies_hours",
    "permit_date",
    "norwegian_level",
    "social_studies_passed",
)
PARTICIPANT_COLUMNS = PARTICIPANT_COLUMNS_1 + LANGUAGE_COLUMNS
PLACEMENT_COLUMNS = (
    "placement_key",
    "placement_id",
    "participant_id",
    "type",
    "employer_orgnr",
    "employer_name",
    "start_date",
    "end_date",
    "fte_percent",
    "channel",
    "municipality",
)
PROVENANCE_COLUMNS = ("batch_id", "sheet", "source_row")
# Content columns that are not text: what a loader gives the database for each.
COLUMN_TYPES = {
    "birth_year": "integer",
    "fte_percent": "real",
    "norwegian_hours": "real",
    "social_studies_hours": "real",
    "social_studies_passed": "integer",
}
_SQLITE_TYPES = {"integer": "INTEGER", "real": "REAL", "text": "TEXT"}

# kind -> (table, key column, content columns)
TABLES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "participants": ("participants", "participant_id", PARTICIPANT_COLUMNS),
    "placements": ("placements", "placement_key", PLACEMENT_COLUMNS),
}


def _schema_database(conn: sqlite3.Connection) -> Any:
    """sqlite-utils' Database on `conn`, for the schema work of the migrations.

    sqlite-utils imports pandas and numpy when it is imported, where they are installed,
    only to map their column types (intd never passes them): pandas alone cost a new
    database's import 0.45 s, a tenth of the pure-Python floor. So sqlite-utils is
    imported with whichever of the two is not imported yet hidden from it; they are
    visible again at once after (`import pandas` then works as ever)."""
    import sys

    hidden = [name for name in ("pandas", "numpy") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # ImportError on import
    try:
        from sqlite_utils import Database
    finally:
        for name in hidden:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]
    return Database(conn)


def _migration_1(conn: sqlite3.Connection) -> None:
    """Batches, participants, placements, their version history and the indexes the
    per-person queries need."""
    db = _schema_database(conn)
    db.table("batches").create(
        {
            "id": int,
            "file": str,
            "sha256": str,
            "kind": str,
            "sheet": str,
            "rows": int,
            "inserted": int,
            "updated": int,
            "unchanged": int,
            "skipped": int,
            "imported_at": str,
            "intd_version": str,
            "undone_at": str,
        },
        pk="id",
        not_null={"file", "sha256", "kind", "rows", "imported_at"},
    )
    text_cols: dict[str, Any] = {c: str for c in PARTICIPANT_COLUMNS_1}
    text_cols["birth_year"] = int
    provenance: dict[str, Any] = {"batch_id": int, "sheet": str, "source_row": int}
    db.table("participants").create(
        {**text_cols, **provenance},
        pk="participant_id",
        not_null={"participant_id", "batch_id", "source_row"},
        foreign_keys=[("batch_id", "batches", "id")],
    )
    placement_cols: dict[str, Any] = {c: str for c in PLACEMENT_COLUMNS}
    placement_cols["fte_percent"] = float
    db.table("placements").create(
        {**placement_cols, **provenance},
        pk="placement_key",
        not_null={
            "placement_key",
            "participant_id",
            "type",
            "start_date",
            "batch_id",
            "source_row",
        },
        foreign_keys=[("batch_id", "batches", "id")],
    )
    for table, cols in (("participants", text_cols), ("placements", placement_cols)):
        db.table(f"{table}_versions").create({**cols, **provenance, "superseded_by": int})
        db.table(f"{table}_versions").create_index(["superseded_by"])
        db.table(f"{table}_versions").create_index(["batch_id"])
    db.table("participants").create_index(["person_key"])
    db.table("participants").create_index(["intro_end"])
    db.table("participants").create_index(["batch_id"])
    db.table("placements").create_index(["type", "participant_id", "start_date"])
    db.table("placements").create_index(["participant_id", "start_date"])
    db.table("placements").create_index(["batch_id"])


def _migration_2(conn: sqlite3.Connection) -> None:
    """Facts about the database itself: the fingerprint of the identity-number key its
    person keys were made with (never the key)."""
    conn.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")


def _migration_3(conn: sqlite3.Connection) -> None:
    """How many stored rows a batch removed (`import --replace`)."""
    conn.execute("ALTER TABLE batches ADD COLUMN removed INTEGER NOT NULL DEFAULT 0")


def _migration_4(conn: sqlite3.Connection) -> None:
    """The earlier batches an `import --replace` confirmed rows of (kept them as part of
    the full list): undoing one of those before the replace would leave a state that
    matches no file, so `undo` counts the replace as depending on them."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS batch_depends (batch_id INTEGER NOT NULL "
        "REFERENCES batches (id), depends_on INTEGER NOT NULL REFERENCES batches (id), "
        "PRIMARY KEY (batch_id, depends_on))"
    )
    conn.execute("CREATE INDEX IF NOT EXISTS batch_depends_on ON batch_depends (depends_on)")


def _migration_5(conn: sqlite3.Connection) -> None:
    """The key of participants and placements becomes a unique index of its own instead
    of the table's primary key: an import into an empty table then builds it once after
    the load, sorted, like the other indexes (a key inserted row by row, in random
    order, was most of the cost of a large import). The rows, their rowids and every
    other index stay as they were."""
    for table, key, _columns in TABLES.values():
        sql = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()[0]
        marker = f'"{key}" TEXT PRIMARY KEY NOT NULL'
        if marker not in sql:
            continue  # made by this intd already
        indexes = [
            row[0]
            for row in conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL",
                (table,),
            )
        ]
        new_sql = sql.replace(marker, f'"{key}" TEXT NOT NULL').replace(
            f'"{table}"', f'"{table}_new"', 1
        )
        new_sql = new_sql.replace("CREATE TABLE IF NOT EXISTS", "CREATE TABLE", 1)
        conn.execute(new_sql)
        names = ", ".join(f'"{r[1]}"' for r in conn.execute(f'PRAGMA table_info("{table}")'))
        conn.execute(
            f'INSERT INTO "{table}_new" (rowid, {names}) SELECT rowid, {names} FROM "{table}"'
        )
        conn.execute(f'DROP TABLE "{table}"')
        conn.execute(f'ALTER TABLE "{table}_new" RENAME TO "{table}"')
        for index in indexes:
            conn.execute(index)
        conn.execute(f'CREATE UNIQUE INDEX "idx_{table}_key" ON "{table}" ("{key}")')


def _migration_6(conn: sqlite3.Connection) -> None:
    """The optional columns of the language-training requirement (issue 17): hours of
    Norwegian and of social studies, the first permit's date, the Norwegian test level
    and whether the social-studies test was passed. Empty on the rows there are."""
    for table in ("participants", "participants_versions"):
        have = {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}
        for column in LANGUAGE_COLUMNS:
            if column not in have:
                kind = _SQLITE_TYPES[COLUMN_TYPES.get(column, "text")]
                conn.execute(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {kind}')


# The index of migration 7: the work and education placements, in participant order.
WORK_INDEX = "idx_placements_work_or_education"
WORK_INDEX_COLUMNS = ("participant_id", "start_date", "type", "end_date")


def _migration_7(conn: sqlite3.Connection) -> None:
    """The index of job and apprenticeship starts, (type, participant_id, start_date) over
    every placement, becomes a partial one over the work and education placements only:
    (participant_id, start_date, type, end_date) WHERE type IN ('job', 'apprenticeship',
    'education'). The set-based counts group work starts by participant id: the old
    index gave them in one run per type, which SQLite had to sort into one; this one
    gives them in participant order already (the report's per-person pass on 1M
    placements: 1.08 s -> 0.67 s of CPU). A cohort member's placements active on a day
    are read from it alone, with no lookup of the table row for the end date (0.35 s ->
    0.22 s per half of the report's cohorts). It holds about half the placements, so an
    import builds a smaller index. A query reaches a partial index only by naming its
    condition: intd's queries ask for work or education as `type IN
    WORK_OR_EDUCATION_TYPES_SQL` and for work as `sql.work_types()`, which names it."""
    conn.execute('DROP INDEX IF EXISTS "idx_placements_type_participant_id_start_date"')
    cols = ", ".join(f'"{c}"' for c in WORK_INDEX_COLUMNS)
    conn.execute(
        f'CREATE INDEX IF NOT EXISTS "{WORK_INDEX}" ON "placements" ({cols}) '
        f'WHERE "type" IN {WORK_OR_EDUCATION_TYPES_SQL}'
    )


# The index of migration 8: every placement, in participant order, with what the figures
# read of it besides.
PARTICIPANT_INDEX = "idx_placements_participant_id_start_date_type_end_date"
PARTICIPANT_INDEX_COLUMNS = ("participant_id", "start_date", "type", "end_date")


def _migration_8(conn: sqlite3.Connection) -> None:
    """Two indexes of placements in participant order become one: (participant_id,
    start_date) over every placement and migration 7's partial (participant_id,
    start_date, type, end_date) over the work and education ones are replaced by
    (participant_id, start_date, type, end_date) over every placement. It gives the
    figures what the partial one gave (work starts in participant order, a member's
    active placement without the table row: the type and end date are in it) and every
    lookup of a participant's placements what the other gave. The figures read twice
    the index entries of the partial one and measured the same (progress and report on
    1M placements, within the machine's noise); an import into an empty table builds one
    index of placements fewer (1.65 s -> 0.87 s on 1M placements)."""
    for statement in MIGRATION_8_SQL:
        conn.execute(statement)


# Migration 8's statements, which PostgreSQL's migration 8 runs as they are.
_PARTICIPANT_INDEX_COLS = ", ".join(f'"{c}"' for c in PARTICIPANT_INDEX_COLUMNS)
MIGRATION_8_SQL = (
    f'DROP INDEX IF EXISTS "{WORK_INDEX}"',
    'DROP INDEX IF EXISTS "idx_placements_participant_id_start_date"',
    f'CREATE INDEX IF NOT EXISTS "{PARTICIPANT_INDEX}" ON "placements" ({_PARTICIPANT_INDEX_COLS})',
)


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _migration_1,
    _migration_2,
    _migration_3,
    _migration_4,
    _migration_5,
    _migration_6,
    _migration_7,
    _migration_8,
)
SCHEMA_VERSION = len(MIGRATIONS)


def _migrate(conn: sqlite3.Connection) -> None:
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > SCHEMA_VERSION:
        raise NoData(
            f"This database was written by a newer intd (schema {current}, this intd knows "
            f"{SCHEMA_VERSION}); upgrade intd."
        )
    for number in range(current, SCHEMA_VERSION):
        MIGRATIONS[number](conn)
        conn.execute(f"PRAGMA user_version = {number + 1}")
