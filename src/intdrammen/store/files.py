"""Whether a path holds a database intd may open, before and after SQLite has it: a
folder, another kind of file, a damaged or cut-short header, write-ahead-log mode, a
hot journal left by a killed write (rolled back first), another application's tables or
a newer schema are refused with a message that names the file; `damaged` is the error
for damage SQLite finds later (also used at the CLI's edge).

A seam of its own because all of it is about SQLite's file format: a server database
(PostgreSQL, issue 16) identifies itself otherwise and skips this module.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from pathlib import Path

from intdrammen.errors import DatabaseRefused, StorageError
from intdrammen.store.connection import _busy, _connect, _is_busy
from intdrammen.store.schema import SCHEMA_VERSION

SQLITE_MAGIC = b"SQLite format 3\x00"
INTD_TABLES = frozenset({"batches", "participants", "placements"})
# The files `intd import` reads (importers/tables.py), for a hint when --db names one.
INPUT_SUFFIXES = frozenset({".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".ods"})


def _inspect(path: Path) -> bool:
    """Whether there is a database file at `path` (False: none yet). Refuses, before
    SQLite opens it, whatever is not an SQLite database intd may open as it is: a
    folder, a file of another kind, a damaged header, or a database in write-ahead-log
    mode (SQLite would leave -wal and -shm files beside it). A journal left by a write
    that was killed is rolled back first, as SQLite would. What the file holds is
    `_identify`'s to check, once SQLite has it open."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():  # a link to nothing: the new database would not be made there
            raise DatabaseRefused(
                "E-DB-NOT-FILE",
                path,
                f"--db {path} is a link to {os.readlink(path)}, which is missing.",
            ) from None
        return False
    except OSError as exc:  # a parent is a file, or a folder one may not enter
        raise StorageError(f"Cannot reach the database {path}: {exc.strerror}.") from None
    if stat.S_ISDIR(info.st_mode):
        raise DatabaseRefused("E-DB-NOT-FILE", path, f"--db {path} is a folder, not a file.")
    if not stat.S_ISREG(info.st_mode):
        raise DatabaseRefused("E-DB-NOT-FILE", path, f"--db {path} is not a regular file.")
    if Path(f"{path}-wal").exists():
        raise DatabaseRefused(
            "E-DB-WAL",
            path,
            f"{path}-wal lies beside the database {path}: another program has it open, or "
            "was stopped while writing to it. intd leaves both files as they are.",
        )
    if info.st_size == 0:
        return True  # an empty file (`touch intd.sqlite`) is an empty database: ours to fill
    header = _header(path)
    if not header.startswith(SQLITE_MAGIC):
        looks = (
            f": it looks like a file to import (`intd import {path.name}`)"
            if path.suffix.lower() in INPUT_SUFFIXES
            else ""
        )
        raise DatabaseRefused(
            "E-DB-NOT-SQLITE",
            path,
            f"{path} is not an intd database, nor any SQLite database{looks}. "
            "It was left as it is.",
        )
    if Path(f"{path}-journal").exists():
        _recover(path)
    _check_header(path, header)
    return True


def _header(path: Path) -> bytes:
    """The first 100 bytes. Only before this process opens the file with SQLite: closing
    a descriptor drops every POSIX lock the process holds on the file."""
    try:
        with path.open("rb") as handle:
            return handle.read(100)
    except OSError as exc:
        raise StorageError(f"Cannot read the database {path}: {exc.strerror}.") from None


def _page_size(header: bytes) -> int:
    size = int.from_bytes(header[16:18], "big") if len(header) == 100 else 0
    return 65536 if size == 1 else size


def _check_header(path: Path, header: bytes) -> None:
    """The 100-byte SQLite header is whole, in the fields no write changes
    (https://sqlite.org/fileformat.html#the_database_header)."""
    page_size = _page_size(header)
    whole = (
        512 <= page_size <= 65536
        and page_size & (page_size - 1) == 0
        and header[18] in (1, 2)
        and header[19] in (1, 2)
        and header[21:24] == b"\x40\x20\x20"
    )
    if not whole:
        raise DatabaseRefused(
            "E-DB-DAMAGED",
            path,
            f"{path} starts like an SQLite database but its header is damaged; "
            "intd will not read or write it.",
        )
    if header[18] == 2 or header[19] == 2:
        raise DatabaseRefused(
            "E-DB-WAL",
            path,
            f"{path} was switched to write-ahead-log mode by another program; intd keeps "
            "its database in rollback-journal mode and left it as it is.",
        )


def _check_length(conn: sqlite3.Connection, path: Path) -> None:
    """The file is as long as its pages (older SQLite versions do not check). Asked of
    SQLite while the caller holds a lock, so no commit is halfway between writing the
    header and growing the file; `stat` opens no descriptor (closing one would drop this
    process's SQLite locks on the file)."""
    size = path.stat().st_size
    if size == 0:  # an empty database (SQLite counts the page 1 it would write)
        return
    pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
    page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    if size < pages * page_size:
        raise DatabaseRefused(
            "E-DB-DAMAGED",
            path,
            f"{path} is cut short ({size:,} bytes, not the {pages * page_size:,} its header "
            "says): it was truncated or copied while being written. intd will not read or "
            "write it.",
        )


def _recover(path: Path) -> None:
    """Roll back a write that was killed halfway (a hot -journal), as SQLite does on
    the first read; a read-only connection cannot, and would fail. The journal may also
    be that of a commit under way: SQLite then waits the busy timeout, and past it the
    database is busy (DatabaseBusy), as for a write."""
    try:
        with contextlib.closing(_connect(path)) as conn:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        if _is_busy(exc):
            raise _busy(path) from None
        if "readonly" in str(exc) or "read-only" in str(exc) or "unable to open" in str(exc):
            raise StorageError(
                f"{path} holds a write that was interrupted ({path}-journal), which SQLite "
                "must roll back before anyone reads it, but intd may not write there: "
                "run the command once as a user who may write the file and its folder."
            ) from None
        raise
    except sqlite3.DatabaseError as exc:
        raise damaged(path, exc) from None


def _identify(conn: sqlite3.Connection, path: Path) -> int:
    """The schema version of the open database at `path`, 0 for an empty one; refuses
    a truncated file, another application's database and one written by a newer intd.
    The caller holds a lock (a transaction that has read)."""
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        names = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        _check_length(conn, path)
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and "malformed" not in str(exc):
            raise
        raise damaged(path, exc) from None
    if version == 0 and not names:
        return 0
    if not INTD_TABLES.issubset(names):
        raise DatabaseRefused(
            "E-DB-FOREIGN",
            path,
            f"{path} is another application's SQLite database (tables: "
            f"{', '.join(sorted(names)[:5])}{', …' if len(names) > 5 else ''}), not intd's; "
            "intd left it as it is.",
        )
    if version > SCHEMA_VERSION:
        raise DatabaseRefused(
            "E-DB-NEWER",
            path,
            f"{path} was written by a newer intd (database schema {version}; this intd "
            f"knows schemas up to {SCHEMA_VERSION}); it was left as it is.",
        )
    return version


def damaged(path: Path, exc: sqlite3.DatabaseError) -> DatabaseRefused:
    """The error for damage SQLite found in `path` (also used at the CLI's edge)."""
    return DatabaseRefused(
        "E-DB-DAMAGED",
        path,
        f"{path} is a damaged SQLite database (SQLite says: {exc}); intd will not read or "
        "write it.",
    )
