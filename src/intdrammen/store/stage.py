"""The stage: the rows one import read, before they are compared with what is stored
and moved into the tables.

Parsed rows arrive as Arrow record batches and are bulk-inserted by the ADBC SQLite
driver into a scratch database of their own (no journal, no sync: it is thrown away),
in a private temporary folder (mode 0700, in TMPDIR; a folder left by a killed import is
removed by the next import). When every file is read, the import's connection attaches
it as schema `stage`; the checks and the set-based upsert (loading.py) run from there,
inside the import's one transaction. The scratch file is never opened by two SQLite
libraries at once (the driver has its own): the driver's connection is closed before it
is attached. A second backend (PostgreSQL, issue 16) stages with COPY instead.

The inserts run on a thread of their own (the driver lets go of the GIL while it
writes), so the next batch is read and checked while the last one is written: on two
cores the write is mostly hidden behind the reading. One batch at most waits for it,
so memory stays bounded; a failed write is raised by the next `write` or `finish`.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from intdrammen.errors import StorageError
from intdrammen.store.schema import COLUMN_TYPES, PROVENANCE_COLUMNS, TABLES

if TYPE_CHECKING:
    import pyarrow as pa

_SQL_TYPES = {"integer": "INTEGER", "real": "REAL", "text": "TEXT"}
_PROVENANCE_TYPES = {"batch_id": "INTEGER", "sheet": "TEXT", "source_row": "INTEGER"}


def stage_ddl(kind: str) -> str:
    _table, _key, columns = TABLES[kind]
    cols = [f"{c} {_SQL_TYPES[COLUMN_TYPES.get(c, 'text')]}" for c in columns]
    cols += [f"{c} {_PROVENANCE_TYPES[c]}" for c in PROVENANCE_COLUMNS]
    return f"CREATE TABLE stage_{kind} ({', '.join(cols)})"


class Stage(Protocol):
    """Where an import puts the rows it reads, batch by batch (`Store.stage_writer`):
    this module's scratch database on SQLite, temporary tables on PostgreSQL."""

    def write(self, kind: str, batch: pa.RecordBatch) -> None: ...

    def finish(self) -> Path: ...

    def remove(self) -> None: ...


class BackgroundWriter:
    """Writes queued record batches on a thread of its own, so the import reads and
    checks the next batch meanwhile (the drivers let go of the GIL while they write).
    One batch at most waits, so memory stays bounded; a failed write is raised by the
    next `write` or by `_stop_writing`'s caller through `_raise_failure`. Subclasses
    say how one batch is written (`_insert`) and what a failure becomes (`_failure_of`)."""

    def _start_queue(self) -> None:
        self._waiting: queue.Queue[tuple[str, pa.RecordBatch] | None] = queue.Queue(maxsize=1)
        self._failure: BaseException | None = None
        self._thread: threading.Thread | None = None

    def _insert(self, kind: str, batch: pa.RecordBatch) -> None:
        raise NotImplementedError

    def _failure_of(self, exc: BaseException) -> BaseException:
        return exc

    def write(self, kind: str, batch: pa.RecordBatch) -> None:
        """Queue `batch` for the stage table of `kind`; it is written on the writer's
        thread while the caller reads on."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._drain, name="intd-stage", daemon=True)
            self._thread.start()
        while True:
            self._raise_failure()
            try:
                self._waiting.put((kind, batch), timeout=0.05)
                return
            except queue.Full:
                continue

    def _drain(self) -> None:
        """The writer's thread: insert queued batches until the end mark (None)."""
        while (item := self._waiting.get()) is not None:
            if self._failure is not None:
                continue  # failed: let the queue empty, write nothing more
            kind, batch = item
            try:
                self._insert(kind, batch)
            except BaseException as exc:  # handed to the reading thread
                self._failure = exc

    def _stop(self) -> None:
        """Wait until every queued batch is written (or the writer failed)."""
        if self._thread is not None:
            self._waiting.put(None)
            self._thread.join()
            self._thread = None

    def _raise_failure(self) -> None:
        if self._failure is not None:
            exc, self._failure = self._failure, None
            self._stop()
            raise self._failure_of(exc) from None


class StageWriter(BackgroundWriter):
    """Appends record batches to the stage tables of a new scratch database. A write
    that fails (a full disk, a file size limit) is a `StorageError`, never a
    traceback; `remove` always cleans up."""

    def __init__(self) -> None:
        import adbc_driver_manager as adbc
        import adbc_driver_sqlite

        _remove_stale_stages()
        try:
            self.folder = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-"))
        except OSError as exc:
            raise _failed(Path(tempfile.gettempdir()), exc) from None
        self.path = self.folder / "stage.sqlite"
        self._adbc = adbc
        self._open = False
        self._start_queue()
        with self._errors():
            self._database: Any = adbc_driver_sqlite.connect(str(self.path))
            self._conn: Any = adbc.AdbcConnection(self._database)
            self._open = True
            for sql in (
                "PRAGMA journal_mode = OFF",
                "PRAGMA synchronous = OFF",
                *(stage_ddl(kind) for kind in TABLES),
            ):
                self._execute(sql)
            self._conn.set_autocommit(False)

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except (self._adbc.Error, OSError) as exc:
            self.remove()
            raise _failed(self.folder, exc) from None

    def _execute(self, sql: str) -> None:
        statement = self._adbc.AdbcStatement(self._conn)
        try:
            statement.set_sql_query(sql)
            statement.execute_update()
        finally:
            statement.close()

    def _insert(self, kind: str, batch: pa.RecordBatch) -> None:
        statement = self._adbc.AdbcStatement(self._conn)
        try:
            statement.set_options(
                **{
                    "adbc.ingest.target_table": f"stage_{kind}",
                    "adbc.ingest.mode": "adbc.ingest.mode.append",
                }
            )
            statement.bind(batch)
            statement.execute_update()
        finally:
            statement.close()

    def _failure_of(self, exc: BaseException) -> BaseException:
        if isinstance(exc, self._adbc.Error | OSError):
            self.remove()
            return _failed(self.folder, exc)
        return exc

    def finish(self) -> Path:
        """Commit and close the driver's connection; the file is ready to attach."""
        self._stop()
        self._raise_failure()
        if self._open:
            with self._errors():
                self._conn.commit()
                self._open = False
                self._conn.close()
                self._database.close()
        return self.path

    def remove(self) -> None:
        self._stop()
        if self._open:
            self._open = False
            for close in (self._conn.rollback, self._conn.close, self._database.close):
                with contextlib.suppress(Exception):
                    close()
        shutil.rmtree(self.folder, ignore_errors=True)


_PREFIX = "intd-stage-"


def _remove_stale_stages() -> None:
    """Remove the stage folders of imports that were killed (they hold the rows read;
    the pid in the name tells a dead import's folder from a running one's)."""
    from intdrammen.store.transaction import dead_leftovers

    for folder in dead_leftovers(Path(tempfile.gettempdir()), _PREFIX, "-"):
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)


def _failed(folder: Path, exc: BaseException) -> StorageError:
    reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
    return StorageError(
        f"Could not write the import's scratch file in {folder}: {reason}. Nothing was "
        "changed; free disk space in the temporary folder (TMPDIR) and run the import again."
    )
