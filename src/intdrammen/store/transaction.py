"""How a command gets a `Store`: `open_store` for reading (never creates the file, upgrades
an older schema once), and `write_transaction` / `run` for the one transaction every
import and undo runs in.

Safety rules kept here:
- A new database is built in a temporary file (mode 0600) beside the target and linked
  into place only after the transaction committed, so a rejected import, a dry run or a
  read never creates the file, and a crash never leaves half a database. Temporaries of
  killed imports (their pid no longer alive) are removed by the next one.
- An existing database is changed inside `BEGIN IMMEDIATE ... COMMIT`; anything raised
  inside rolls back, so a rejected import leaves the file byte-for-byte as it was.
- A full disk, a failing write or a folder refusing the journal is a `StorageError`
  saying nothing was changed, not a traceback.

The seam a second backend (PostgreSQL, issue 16) implements with the same contract: one
transaction, all or nothing, kill-safe.
"""

from __future__ import annotations

import contextlib
import glob
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from intdrammen.errors import DatabaseBusy, NoData, StorageError
from intdrammen.store.connection import _begin, _connect, _rollback
from intdrammen.store.core import Store
from intdrammen.store.files import _identify, _inspect, damaged
from intdrammen.store.schema import SCHEMA_VERSION, _migrate
from intdrammen.store.target import PostgresTarget, SqliteTarget, Target

T = TypeVar("T")


def open_store(where: Path | Target) -> Store:
    """An existing database for reading. Never creates the file (nor, on PostgreSQL,
    intd's tables)."""
    if isinstance(where, PostgresTarget):
        from intdrammen.store.pg_store import pg_open_store

        return pg_open_store(where)
    path = where.path if isinstance(where, SqliteTarget) else where
    if not _inspect(path):
        raise NoData(
            f"No database at {path}. Import data first with `intd import FILE...`, "
            "or point to one with --db or INTD_DB."
        )
    conn = _connect(path, readonly=True)
    try:
        conn.execute("BEGIN")  # the read lock `_identify` needs, until COMMIT
        version = _identify(conn, path)
        conn.execute("COMMIT")
    except BaseException:
        conn.close()
        raise
    if version == 0:
        conn.close()
        raise empty_database(path)
    if version < SCHEMA_VERSION:
        conn.close()
        with write_transaction(path):  # upgrade once, then read
            pass
        conn = _connect(path, readonly=True)
    return Store(conn)


def empty_database(where: Path | Target) -> NoData:
    """The error of a reading command on a database without intd's data yet."""
    return NoData(
        f"The database {where} is empty: nothing was imported into it yet. Import data "
        "first with `intd import FILE...`."
    )


@contextlib.contextmanager
def write_transaction(where: Path | Target, *, dry_run: bool = False) -> Iterator[Store]:
    """A Store inside one transaction: committed if the block returns, rolled back if it
    raises (or always, for a dry run). A missing database is created only on commit."""
    if isinstance(where, PostgresTarget):
        from intdrammen.store.pg_store import pg_write_transaction

        with pg_write_transaction(where, dry_run=dry_run) as store:
            yield store
        return
    path = where.path if isinstance(where, SqliteTarget) else where
    with _disk_errors(path):
        if not _inspect(path):
            yield from _new_database(path, dry_run=dry_run)
            return
        conn = _connect(path)

        def begin() -> None:
            _begin(conn, path)
            _identify(conn, path)  # under the write lock, before anything is written

        with _transaction(conn, begin, dry_run=dry_run) as store:
            yield store


@contextlib.contextmanager
def _transaction(
    conn: sqlite3.Connection, begin: Callable[[], object], *, dry_run: bool
) -> Iterator[Store]:
    """Begin, migrate and hand out a Store; commit when the block returns unless it is a
    dry run or wrote nothing worth keeping (`Store.discard`), roll back if it raises;
    always close the connection."""
    try:
        begin()
        _migrate(conn)
        store = Store(conn)
        store.begin_facts()
        yield store
        if dry_run or store.discard:
            conn.execute("ROLLBACK")
        else:
            store.record_facts()
            conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise
    finally:
        conn.close()


def _new_database(path: Path, *, dry_run: bool) -> Iterator[Store]:
    if dry_run:
        memory = _connect(":memory:")
        with _transaction(memory, lambda: memory.execute("BEGIN"), dry_run=True) as store:
            yield store
        return
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise NoData(f"The folder {directory} for the database does not exist.")
    _remove_stale_temporaries(path)
    # The pid in the name lets a later import tell a crashed import's leftovers (which
    # hold personal data) from one still running.
    try:
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=directory
        )
    except OSError as exc:
        raise StorageError(
            f"Could not create the database {path}: {exc.strerror} (folder {directory}). "
            "Nothing was written; pick a folder you may write to with --db."
        ) from None
    os.close(fd)
    os.chmod(tmp_name, 0o600)
    tmp = Path(tmp_name)
    try:
        conn = _connect(tmp)
        with _transaction(conn, lambda: conn.execute("BEGIN IMMEDIATE"), dry_run=False) as store:
            yield store
        if store.discard:
            return
        try:
            os.link(tmp, path)  # fails if another import created it meanwhile
        except FileExistsError:
            raise DatabaseBusy(
                f"{path} was created by another intd command while this import ran; "
                "run the import again."
            ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        with contextlib.suppress(FileNotFoundError):
            Path(f"{tmp}-journal").unlink()


def _remove_stale_temporaries(path: Path) -> None:
    """Delete temporary databases left by imports that were killed."""
    directory = path.parent if str(path.parent) else Path(".")
    for leftover in dead_leftovers(directory, f".{path.name}.", ".", "*.tmp*"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def dead_leftovers(directory: Path, prefix: str, sep: str, rest: str = "*") -> Iterator[Path]:
    """What an intd process that is no longer running left in `directory`: the entries
    named `prefix`, its pid, `sep` and then anything matching `rest`. (The pid is read
    right after the prefix: a database named 2019.sqlite is no process 2019's.)"""
    for leftover in directory.glob(glob.escape(prefix) + "*" + sep + rest):
        pid = leftover.name[len(prefix) :].split(sep, 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            yield leftover


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _disk_errors(path: Path) -> Iterator[None]:
    """A full disk or a failing write is the user's to fix, not a traceback."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if "full" in text or "I/O" in text or "readonly" in text or "read-only" in text:
            raise StorageError(
                f"Could not write {path}: {text}. Nothing was changed; free disk space or "
                "check permissions and run the import again."
            ) from None
        if "unable to open" in text:  # the folder refuses the -journal file
            raise StorageError(
                f"Could not write {path}: SQLite cannot create its journal file beside it "
                f"in {path.parent}. Nothing was changed; check the folder's permissions."
            ) from None
        if "malformed" in text:
            raise damaged(path, exc) from None
        raise
    except sqlite3.DatabaseError as exc:  # "file is not a database", found while writing
        raise damaged(path, exc) from None


def run(where: Path | Target, work: Callable[[Store], T], *, dry_run: bool = False) -> T:
    """Run `work` in one write transaction (see `write_transaction`)."""
    with write_transaction(where, dry_run=dry_run) as store:
        return work(store)
