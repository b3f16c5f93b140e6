"""The store on PostgreSQL (issue 16): the same `Store`, its SQL turned into
PostgreSQL's by `PgConnection` (pg_sql.py), with the few methods that cannot be said
alike written again here; and the transactions a command runs in.

- Reading (`pg_open_store`): one `REPEATABLE READ` transaction for the whole command
  (not READ ONLY: explain fills a temporary table), so every figure of a report comes
  from one snapshot, and a reader never waits for a writer (nor a writer for it).
- Writing (`pg_write_transaction`): one transaction, all or nothing, as on SQLite. The
  first thing it does is take a transaction-level advisory lock (`WRITE_LOCK`): imports
  and undos of the whole database run one after another, each seeing everything the
  one before committed, so four imports started at once give the figures of the same
  imports run in turn. A killed client's transaction is rolled back by the server and
  its lock released.
- The stage (`PgStageWriter`): temporary tables of the session, filled by `COPY` from
  the Arrow batches the import reads; the checks and the set-based upsert of
  loading.py run on them unchanged (`stage.` is `pg_temp.` there).

psycopg is imported inside the functions that connect.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from intdrammen.errors import RoleRefused, UndoRefused
from intdrammen.store.core import Store
from intdrammen.store.history import BatchInfo
from intdrammen.store.pg_sql import PgConnection
from intdrammen.store.schema import COLUMN_TYPES, PROVENANCE_COLUMNS, SCHEMA_VERSION, TABLES
from intdrammen.store.stage import BackgroundWriter, Stage

if TYPE_CHECKING:
    import pyarrow as pa

    from intdrammen.store.target import PostgresTarget

# pg_advisory_xact_lock's key for writing: b"intdwrit" as a (positive) bigint.
WRITE_LOCK = int.from_bytes(b"intdwrit", "big")

_STAGE_TYPES = {"integer": "BIGINT", "real": "DOUBLE PRECISION", "text": 'TEXT COLLATE "C"'}
_PROVENANCE_TYPES = {"batch_id": "BIGINT", "sheet": 'TEXT COLLATE "C"', "source_row": "BIGINT"}


class PgStageWriter(BackgroundWriter):
    """The stage as temporary tables of the import's own session (the StageWriter of
    stage.py, for PostgreSQL): each record batch goes in by one `COPY ... FROM STDIN`
    in CSV (an empty cell unquoted is NULL, a quoted one the empty string), on the
    writer's thread while the next batch is read (psycopg serialises the connection's
    use: a statement of the import waits for a COPY under way)."""

    def __init__(self, conn: PgConnection, office: str | None = None) -> None:
        self.conn = conn
        self.office = office
        self._start_queue()
        for kind in TABLES:
            _table, _key, columns = TABLES[kind]
            cols = [f"{c} {_STAGE_TYPES[COLUMN_TYPES.get(c, 'text')]}" for c in columns]
            cols += [f"{c} {_PROVENANCE_TYPES[c]}" for c in PROVENANCE_COLUMNS]
            self.conn.raw.execute(f"DROP TABLE IF EXISTS pg_temp.stage_{kind}")
            self.conn.raw.execute(
                f"CREATE TEMP TABLE stage_{kind} (rowid BIGINT GENERATED ALWAYS AS IDENTITY, "
                f"{', '.join(cols)})"
            )

    def _insert(self, kind: str, batch: pa.RecordBatch) -> None:
        import pyarrow.csv as pacsv

        if self.office is not None:
            batch = qualified(batch, self.office)
        buffer = io.BytesIO()
        pacsv.write_csv(batch, buffer, pacsv.WriteOptions(include_header=False))
        columns = ", ".join(batch.schema.names)
        with self.conn.raw.cursor().copy(
            f"COPY pg_temp.stage_{kind} ({columns}) FROM STDIN (FORMAT csv)"
        ) as copy:
            copy.write(buffer.getbuffer())

    def _failure_of(self, exc: BaseException) -> BaseException:
        import psycopg

        from intdrammen.store.pg_sql import server_error

        return server_error(exc) if isinstance(exc, psycopg.Error) else exc

    def finish(self) -> Path:
        self._stop()
        self._raise_failure()
        return Path("pg_temp")  # nothing to attach: the tables are the session's

    def remove(self) -> None:
        self._stop()
        for kind in TABLES:
            with contextlib.suppress(Exception):
                self.conn.raw.execute(f"DROP TABLE IF EXISTS pg_temp.stage_{kind}")


# The columns that hold an office's own ids, qualified by its name on a shared database.
QUALIFIED = ("participant_id", "placement_id", "placement_key")


def qualified(batch: pa.RecordBatch, office: str) -> pa.RecordBatch:
    """`batch` with its ids under the office's name ("nav_drammen/P1"): the same id in
    two offices' files is two records (a person is linked across offices only by the
    keyed hash of the fødselsnummer)."""
    import pyarrow.compute as pc

    columns = list(batch.columns)
    for name in QUALIFIED:
        at = batch.schema.get_field_index(name)
        if at >= 0:
            columns[at] = pc.binary_join_element_wise(f"{office}/", columns[at], "")
    return type(batch).from_arrays(columns, schema=batch.schema)


class PgStore(Store):
    """A `Store` on a PostgreSQL connection. `office`: the office role writing, on a
    database `intd db init` prepared for offices (its ids are stored qualified)."""

    def __init__(
        self, conn: PgConnection, target: PostgresTarget, office: str | None = None
    ) -> None:
        super().__init__(conn)  # type: ignore[arg-type]
        self.target = target
        self.office = office
        self.created = False  # this transaction created intd's tables (a new database)

    def stage_writer(self) -> Stage:
        return PgStageWriter(self.conn, self.office)  # type: ignore[arg-type]

    def _own(self, batches: list[BatchInfo]) -> list[BatchInfo]:
        """Of `batches`, those of this office (all, where no office writes)."""
        if self.office is None:
            return batches
        mine = {
            row[0]
            for row in self.conn.execute("SELECT id FROM batches WHERE office = ?", (self.office,))
        }
        return [b for b in batches if b.id in mine]

    def replace_scope(
        self, kind: str, *, file: str, sheet: str | None, before: int
    ) -> list[BatchInfo]:
        """As on SQLite, of this office's batches only: another office's file of the
        same name is another office's records, which a `--replace` never removes."""
        return self._own(super().replace_scope(kind, file=file, sheet=sheet, before=before))

    def applied_with_sha(self, sha256: str) -> BatchInfo | None:
        """The live batch of this office that read the same bytes, if any."""
        return next(
            (b for b in self._own(self.batches(include_undone=False)) if b.sha256 == sha256),
            None,
        )

    def unlinked_placements(self, batch_id: int) -> int:
        if self.office is None:
            return 0
        row = self.conn.execute(
            "SELECT COUNT(*) FROM placements pl WHERE pl.batch_id = ? AND NOT EXISTS "
            "(SELECT 1 FROM participants pa WHERE pa.participant_id = pl.participant_id)",
            (batch_id,),
        ).fetchone()
        return int(row[0]) if row else 0

    def undo(self, batch_id: int, *, cascade: bool) -> list[int]:
        """As on SQLite; an office undoes only its own batches (row-level security
        would leave another's rows as they are: intd says so instead)."""
        if self.office is not None:
            row = self.conn.execute(
                "SELECT office FROM batches WHERE id = ?", (batch_id,)
            ).fetchone()
            if row is not None and row[0] != self.office:
                raise UndoRefused(
                    f"Batch {batch_id} was imported by the office {row[0]}; only that office "
                    f"can undo it (this is {self.office})."
                )
        return super().undo(batch_id, cascade=cascade)

    def attach_stage(self, path: Path) -> None:
        del path  # the stage tables are the session's temporary tables already

    def detach_stage(self) -> None:
        pass  # PgStageWriter.remove drops them

    def _load_empty(self, kind: str) -> None:
        """Every staged row into the empty table, in the order read (rowid order is file
        order, as on SQLite). A repeated key is the unique index's IntegrityError.

        Where this import created the tables (a new database), nobody else can see them
        yet: their indexes and the batch foreign key are dropped and built once after
        the load, as on SQLite. An existing table keeps them: dropping them would make
        every reader wait until the import commits, and an office may not."""
        table, _key, columns = TABLES[kind]
        all_cols = ", ".join((*columns, *PROVENANCE_COLUMNS))
        rebuild: list[str] = []
        if self.created:
            for name, sql in self.conn.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = "
                "current_schema() AND tablename = ? ORDER BY indexname != ?",
                (table, f"idx_{table}_key"),
            ).fetchall():
                self.conn.execute(f'DROP INDEX "{name}"')
                rebuild.append(sql)
            for name, sql in self.conn.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = "
                "CAST(? AS regclass) AND contype = 'f'",
                (table,),
            ).fetchall():
                self.conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {sql}')
        if self.created:
            # The stage's rowids are the file order: taken over as they are, no sort.
            self.conn.execute(
                f"INSERT INTO {table} (rowid, {all_cols}) OVERRIDING SYSTEM VALUE "
                f"SELECT rowid, {all_cols} FROM pg_temp.stage_{kind}"
            )
            self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'rowid'), "
                f"COALESCE((SELECT MAX(rowid) FROM {table}), 0) + 1, false)"
            )
            self.conn.execute("SET LOCAL maintenance_work_mem = '256MB'")  # the sorts in memory
        else:
            self.conn.execute(
                f"INSERT INTO {table} ({all_cols}) SELECT {all_cols} FROM pg_temp.stage_{kind} "
                "ORDER BY rowid"
            )
        for sql in rebuild:
            self.conn.execute(sql)
        if self.created:
            # Statistics now, in this transaction: the figure commands that follow are
            # otherwise planned blind (a row estimate of 1, sorts spilled to disk) until
            # autovacuum's next round, up to a minute later. Samples 30k rows: ~0.3 s
            # at 1M placements.
            self.conn.execute(f"ANALYZE {table}")

    def integrity_problems(self) -> list[str]:
        """intd's consistency rules (PostgreSQL keeps its own storage consistent)."""
        problems = self._rule_problems()
        row = self.conn.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()
        version = int(row[0]) if row else 0
        if version != SCHEMA_VERSION:
            problems.append(f"schema version {version}, expected {SCHEMA_VERSION}")
        return problems


@contextlib.contextmanager
def pg_write_transaction(target: PostgresTarget, *, dry_run: bool = False) -> Iterator[Store]:
    """A PgStore inside one write transaction: committed if the block returns (unless a
    dry run or nothing worth keeping was written), rolled back if it raises."""
    from intdrammen.store.pg_roles import (
        OFFICE_GROUP,
        READER_GROUP,
        has_offices,
        refuse_unbound_writer,
    )
    from intdrammen.store.pg_schema import migrate

    conn = _connect(target)
    try:
        conn.execute("BEGIN")
        conn.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))
        found = migrate(conn.raw, target.display)
        refuse_unbound_writer(conn.raw, target.display)
        office = None
        if has_offices(conn.raw):
            row = conn.execute(
                "SELECT current_user, pg_has_role(current_user, ?, 'MEMBER') AND NOT "
                "pg_has_role(current_user, ?, 'MEMBER')",
                (READER_GROUP, OFFICE_GROUP),
            ).fetchone()
            assert row is not None
            if row[1]:
                raise RoleRefused(
                    f"{row[0]} is a reader of {target.display}: it runs the figure commands, "
                    "it does not import or undo. Nothing was written."
                )
            office = str(row[0])
        store = PgStore(conn, target, office)
        store.created = found == 0
        yield store
        conn.execute("ROLLBACK" if dry_run or store.discard else "COMMIT")
    except BaseException:
        with contextlib.suppress(Exception):
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()


def pg_open_store(target: PostgresTarget) -> Store:
    """The database for reading, in one snapshot. Never creates intd's tables."""
    from intdrammen.store.pg_schema import schema_version
    from intdrammen.store.transaction import empty_database

    conn = _connect(target)
    try:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        version = schema_version(conn.raw, target.display)
    except BaseException:
        conn.close()
        raise
    if version == 0:
        conn.close()
        raise empty_database(target)
    if version < SCHEMA_VERSION:
        conn.close()
        with pg_write_transaction(target):  # upgrade once, then read
            pass
        return pg_open_store(target)
    return PgStore(conn, target)


def _connect(target: PostgresTarget) -> PgConnection:
    import psycopg
    from psycopg.adapt import Loader

    class Count(Loader):
        """`SUM` and `COUNT` of integers come back as numeric; SQLite gives ints. A
        numeric with a fraction stays exact as a float would not: a Decimal."""

        def load(self, data: Any) -> Any:
            text = bytes(data).decode()
            if "." not in text and "e" not in text.lower() and text not in ("NaN",):
                return int(text)
            from decimal import Decimal

            return Decimal(text)

    raw: Any = target.connect(autocommit=True, cursor_factory=psycopg.ClientCursor)
    raw.adapters.register_loader("numeric", Count)
    # PostgreSQL compiles a costly query to machine code first (JIT): for intd's
    # statements, which run for a second or less, the compiling took longer than the
    # query (progress on 1M: 1.1 s of JIT on a 1.0 s query). A setting of this session.
    raw.execute("SET jit = off")
    # The figures group a few hundred thousand rows at national scale: with the default
    # 4 MB those sorts spill to temporary files. Per sort or hash of this session.
    raw.execute("SET work_mem = '64MB'")
    return PgConnection(raw)
