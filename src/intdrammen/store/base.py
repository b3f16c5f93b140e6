"""What every part of a `Store` shares: the connection, the `discard` flag a write
transaction reads, and the facts about the database itself (`meta`).

The mixins in loading.py, history.py and queries.py extend this class, each with one
concern's SQL; core.py composes them into `Store`. A second backend (PostgreSQL, issue
16) provides the same methods over its own connection.
"""

from __future__ import annotations

import sqlite3


class StoreBase:
    """The connection and the state the mixins share; see `Store` (core.py)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        # Per kind, the columns no file of this import has: stored values are kept by
        # leaving them out of the upsert (loading.py).
        self.not_given: dict[str, set[str]] = {}
        # The kinds whose staged rows went straight into their empty table (loading.py).
        self.loaded_new: set[str] = set()
        # Set inside a write transaction when nothing worth keeping was written: the
        # transaction then rolls back and the file stays byte-for-byte as it was.
        self.discard = False

    def close(self) -> None:
        self.conn.close()

    def meta(self, name: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, name: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (name, value),
        )
