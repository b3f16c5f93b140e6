"""Opening an SQLite connection the way every intd command needs it (busy timeout,
foreign keys, a bounded page cache), taking the write lock, and rolling back after an
error without masking it.

The lowest seam: a second backend (PostgreSQL, issue 16) connects differently, while
`files.py` and `transaction.py` above it keep their shape.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from intdrammen.errors import DatabaseBusy

BUSY_TIMEOUT_S = float(os.environ.get("INTD_BUSY_TIMEOUT", "60"))


def _connect(path: Path | str, *, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        # Percent-encoded: a '#', '?' or '%' in a folder name is part of the path.
        uri = f"file:{quote(Path(path).resolve().as_posix())}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    else:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    # A bounded page cache (8 MiB main, 4 MiB temp) keeps a 1M-row import under 100 MiB;
    # larger caches bought little speed for much memory (measured, see README).
    conn.execute("PRAGMA cache_size = -8192")
    conn.execute("PRAGMA temp.cache_size = -4096")
    return conn


def _begin(conn: sqlite3.Connection, path: Path | str) -> None:
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if _is_busy(exc):
            raise _busy(path) from None
        raise


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _busy(path: Path | str) -> DatabaseBusy:
    """Another program held the database past the busy timeout."""
    return DatabaseBusy(
        f"{path} is busy: another intd command has been writing to it for more than "
        f"{BUSY_TIMEOUT_S:.0f} s. Try again when it has finished."
    )


def _rollback(conn: sqlite3.Connection) -> None:
    # After a disk error SQLite may have rolled back already; never mask the cause.
    with contextlib.suppress(sqlite3.Error):
        if conn.in_transaction:
            conn.execute("ROLLBACK")
