"""The only package that speaks SQL: schema migrations, the one transaction every import
runs in, upserts with a version history for undo, and the read queries the figures use.

Safety rules kept here:
- A new database is built in a temporary file (mode 0600) beside the target and linked
  into place only after the transaction committed, so a rejected import, a dry run or a
  read never creates the file, and a crash never leaves half a database.
- An existing database is changed inside `BEGIN IMMEDIATE ... COMMIT`; anything raised
  inside rolls back, so a rejected import leaves the file byte-for-byte as it was.
- Every stored row carries its batch, sheet and spreadsheet row. An update first copies
  the old row to `<table>_versions` (superseded_by = the new batch), which is what
  `undo` restores.

The SQL is plain SQL-92 plus `ON CONFLICT` upserts, which PostgreSQL understands too
(docs/scaling.md). One module per seam a second backend (issue 16) implements:

- schema.py: the tables' columns (`TABLES`), the migrations, `SCHEMA_VERSION`
- connection.py: opening a connection, the write lock, rollback
- files.py: whether a path holds a database intd may open (header, journal, tables)
- transaction.py: `open_store`, `write_transaction`, `run` (new databases built in a
  temporary file, stale temporaries, disk errors)
- base.py, core.py: `Store`, composed of one mixin per concern over a base holding the
  connection
- loading.py: stage, checks on staged rows, upsert, bulk load (`StageCounts`)
- history.py: batches, `--replace` scope and removal, undo (`BatchInfo`)
- queries.py: the figure queries, listings and checks
- sql.py: SQL fragments the queries share

Callers import from `intdrammen.store`; a name with a leading underscore is private to
the package, not to its module.
"""

from __future__ import annotations

from intdrammen.store.connection import BUSY_TIMEOUT_S
from intdrammen.store.core import Store
from intdrammen.store.files import INPUT_SUFFIXES, INTD_TABLES, SQLITE_MAGIC, damaged
from intdrammen.store.history import REJECTED_SUFFIX, BatchInfo, scope_names
from intdrammen.store.loading import StageCounts, lookalike_form, lookalike_forms
from intdrammen.store.schema import (
    COLUMN_TYPES,
    MIGRATIONS,
    PARTICIPANT_COLUMNS,
    PLACEMENT_COLUMNS,
    PROVENANCE_COLUMNS,
    SCHEMA_VERSION,
    TABLES,
)
from intdrammen.store.sql import WORK_OR_EDUCATION_TYPES_SQL, WORK_TYPES_SQL
from intdrammen.store.transaction import open_store, run, write_transaction

__all__ = [
    "BUSY_TIMEOUT_S",
    "COLUMN_TYPES",
    "INPUT_SUFFIXES",
    "INTD_TABLES",
    "MIGRATIONS",
    "PARTICIPANT_COLUMNS",
    "PLACEMENT_COLUMNS",
    "PROVENANCE_COLUMNS",
    "REJECTED_SUFFIX",
    "SCHEMA_VERSION",
    "SQLITE_MAGIC",
    "TABLES",
    "WORK_OR_EDUCATION_TYPES_SQL",
    "WORK_TYPES_SQL",
    "BatchInfo",
    "StageCounts",
    "Store",
    "damaged",
    "lookalike_form",
    "lookalike_forms",
    "open_store",
    "run",
    "scope_names",
    "write_transaction",
]
