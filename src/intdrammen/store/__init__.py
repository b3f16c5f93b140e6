"""The only module that speaks SQL: schema migrations, the one transaction every import
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
(docs/scaling.md).
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from intdrammen.errors import (
    DatabaseBusy,
    DatabaseRefused,
    NoData,
    StorageError,
    UndoRefused,
    UnknownName,
)
from intdrammen.models import Activity, IntroRecord, JobStart

BUSY_TIMEOUT_S = float(os.environ.get("INTD_BUSY_TIMEOUT", "60"))

PARTICIPANT_COLUMNS = (
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

# kind -> (table, key column, content columns)
TABLES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "participants": ("participants", "participant_id", PARTICIPANT_COLUMNS),
    "placements": ("placements", "placement_key", PLACEMENT_COLUMNS),
}
WORK_TYPES_SQL = "('job', 'apprenticeship')"
WORK_OR_EDUCATION_TYPES_SQL = "('job', 'apprenticeship', 'education')"

T = TypeVar("T")


# ----------------------------------------------------------------------------- schema


def _migration_1(conn: sqlite3.Connection) -> None:
    """Batches, participants, placements, their version history and the indexes the
    per-person queries need."""
    from sqlite_utils import Database

    db = Database(conn)
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
    text_cols: dict[str, Any] = {c: str for c in PARTICIPANT_COLUMNS}
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


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _migration_1,
    _migration_2,
    _migration_3,
    _migration_4,
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


# ----------------------------------------------------------------------------- opening


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
        if "locked" in str(exc) or "busy" in str(exc):
            raise DatabaseBusy(
                f"{path} is busy: another intd command has been writing to it for more than "
                f"{BUSY_TIMEOUT_S:.0f} s. Try again when it has finished."
            ) from None
        raise


def open_store(path: Path) -> Store:
    """An existing database for reading. Never creates the file."""
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
        raise NoData(
            f"The database {path} is empty: nothing was imported into it yet. Import data "
            "first with `intd import FILE...`."
        )
    if version < SCHEMA_VERSION:
        conn.close()
        with write_transaction(path):  # upgrade once, then read
            pass
        conn = _connect(path, readonly=True)
    return Store(conn)


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
    the first read; a read-only connection cannot, and would fail."""
    try:
        with contextlib.closing(_connect(path)) as conn:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
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


@contextlib.contextmanager
def write_transaction(path: Path, *, dry_run: bool = False) -> Iterator[Store]:
    """A Store inside one transaction: committed if the block returns, rolled back if it
    raises (or always, for a dry run). A missing database is created only on commit."""
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
        yield store
        conn.execute("ROLLBACK" if dry_run or store.discard else "COMMIT")
    except BaseException:
        _rollback(conn)
        raise
    finally:
        conn.close()


def _rollback(conn: sqlite3.Connection) -> None:
    # After a disk error SQLite may have rolled back already; never mask the cause.
    with contextlib.suppress(sqlite3.Error):
        if conn.in_transaction:
            conn.execute("ROLLBACK")


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
    for leftover in directory.glob(f".{path.name}.*.tmp*"):
        parts = leftover.name.split(".")
        pid = next((int(p) for p in parts if p.isdigit()), None)
        if pid is None or _alive(pid):
            continue
        with contextlib.suppress(OSError):
            leftover.unlink()


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


# ----------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class BatchInfo:
    id: int
    file: str
    sha256: str
    kind: str
    sheet: str | None
    rows: int
    inserted: int
    updated: int
    unchanged: int
    skipped: int
    imported_at: str
    intd_version: str | None
    undone_at: str | None
    removed: int = 0


@dataclass
class StageCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0  # stored rows an `import --replace` took out


def _person_sql(alias: str, placement_alias: str) -> str:
    # A person is recognised by the keyed hash of their fødselsnummer when known, so two
    # participant ids of one person count once; otherwise by the participant id.
    return (
        f"CASE WHEN {alias}.person_key IS NOT NULL THEN 'k:' || {alias}.person_key "
        f"ELSE 'id:' || {placement_alias}.participant_id END"
    )


def _municipality_sql(alias: str, placement_alias: str) -> str:
    # The participant record's municipality decides; a placement's own municipality is
    # used only for people without a participant record (domain.md, region of a person).
    return (
        f"CASE WHEN {alias}.participant_id IS NOT NULL THEN {alias}.municipality ELSE "
        f"(SELECT x.municipality FROM placements x WHERE x.participant_id = "
        f"{placement_alias}.participant_id AND x.municipality IS NOT NULL "
        f"ORDER BY x.start_date LIMIT 1) END"
    )


def _source_sql(alias: str, wanted: bool = True) -> str:
    # Building "file[sheet]:row" costs a lookup and a string per row: only explain needs
    # it, so figures over a whole database skip it.
    if not wanted:
        return "''"
    return (
        f"(SELECT b.file FROM batches b WHERE b.id = {alias}.batch_id) || "
        f"COALESCE('[' || {alias}.sheet || ']', '') || ':' || {alias}.source_row"
    )


_SEPARATORS = str.maketrans("", "", " \t\n\r\x0b\x0c\xa0\u2007\u202f-\u2010\u2011\u2013_./")
_LEADING_ZEROS = re.compile(r"(?<![0-9])0+(?=[0-9])")


def lookalike_forms(participant_ids: Sequence[str]) -> list[str]:
    """The forms participant ids share when a person would take them for one id: case,
    spaces, separators (- _ . /) and leading zeros of numbers ignored ("P-011" and
    "p11" both give "p11"). Whole chunks at a time: three C calls, not three per id."""
    joined = "\x00".join(participant_ids).casefold().translate(_SEPARATORS)
    forms = _LEADING_ZEROS.sub("", joined).split("\x00")
    if len(forms) != len(participant_ids):  # an id holding NUL: one by one
        return [lookalike_forms([p])[0] if "\x00" not in p else p for p in participant_ids]
    return forms


def lookalike_form(participant_id: str) -> str:
    return lookalike_forms([participant_id])[0]


REJECTED_SUFFIX = ".rejected.csv"


def scope_names(file: str, sheet: str | None) -> set[tuple[str, str | None]]:
    """The (file name, sheet) pairs a `--replace` of `file` (and `sheet`) takes the place
    of: itself, and the rejected-row files `import --on-error skip` writes for any file
    of the same stem (`X.rejected.csv` for X.csv, X.xlsx, X.ods ..., `X-SHEET.rejected.csv`
    for sheet SHEET of a workbook X), whose rows were the file's rows, corrected."""
    stem = file[: -len(REJECTED_SUFFIX)] if file.endswith(REJECTED_SUFFIX) else Path(file).stem
    names: set[tuple[str, str | None]] = {(file, sheet), (f"{stem}{REJECTED_SUFFIX}", None)}
    if sheet:
        names.add((f"{stem}-{sheet}{REJECTED_SUFFIX}", None))
    return names


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


class Store:
    """A connection to one intd database. Obtain it from `open_store` (read) or
    `write_transaction` (write); it never commits by itself."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._indexes: list[tuple[str, str]] = []
        # Set inside a write transaction when nothing worth keeping was written: the
        # transaction then rolls back and the file stays byte-for-byte as it was.
        self.discard = False

    def close(self) -> None:
        self.conn.close()

    # -------------------------------------------------------------- batches

    def add_batch(
        self, *, file: str, sha256: str, kind: str, sheet: str | None, intd_version: str
    ) -> int:
        cursor = self.conn.execute(
            "INSERT INTO batches (file, sha256, kind, sheet, rows, inserted, updated, "
            "unchanged, skipped, imported_at, intd_version) "
            "VALUES (?, ?, ?, ?, 0, 0, 0, 0, 0, ?, ?)",
            (
                file,
                sha256,
                kind,
                sheet,
                datetime.now().astimezone().isoformat("T", "seconds"),
                intd_version,
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def finish_batch(self, batch_id: int, *, rows: int, skipped: int, counts: StageCounts) -> None:
        self.conn.execute(
            "UPDATE batches SET rows = ?, skipped = ?, inserted = ?, updated = ?, unchanged = ?, "
            "removed = ? WHERE id = ?",
            (
                rows,
                skipped,
                counts.inserted,
                counts.updated,
                counts.unchanged,
                counts.removed,
                batch_id,
            ),
        )

    def drop_batch(self, batch_id: int) -> None:
        self.conn.execute("DELETE FROM batch_depends WHERE batch_id = ?", (batch_id,))
        self.conn.execute("DELETE FROM batches WHERE id = ?", (batch_id,))

    def batches(self, *, include_undone: bool = True) -> list[BatchInfo]:
        where = "" if include_undone else "WHERE undone_at IS NULL"
        rows = self.conn.execute(
            "SELECT id, file, sha256, kind, sheet, rows, inserted, updated, unchanged, skipped,"
            f" imported_at, intd_version, undone_at, removed FROM batches {where} ORDER BY id"
        )
        return [BatchInfo(*row) for row in rows]

    def applied_with_sha(self, sha256: str) -> BatchInfo | None:
        return next((b for b in self.batches(include_undone=False) if b.sha256 == sha256), None)

    # -------------------------------------------------------------- staging

    def create_stage(self) -> None:
        for kind, (table, _key, columns) in TABLES.items():
            cols = ", ".join((*columns, *PROVENANCE_COLUMNS))
            self.conn.execute(f"DROP TABLE IF EXISTS temp.stage_{kind}")
            self.conn.execute(
                f"CREATE TEMP TABLE stage_{kind} AS SELECT {cols} FROM {table} WHERE 0"
            )

    def stage(self, kind: str, rows: Iterable[Sequence[object]]) -> None:
        """Append parsed rows (content columns then batch_id, sheet, source_row)."""
        _table, _key, columns = TABLES[kind]
        width = len(columns) + len(PROVENANCE_COLUMNS)
        marks = ", ".join("?" * width)
        self.conn.executemany(f"INSERT INTO temp.stage_{kind} VALUES ({marks})", rows)

    def _duplicate_keys(self, kind: str) -> list[str]:
        _table, key, _columns = TABLES[kind]
        self.conn.execute(
            f"CREATE INDEX IF NOT EXISTS temp.stage_{kind}_key ON stage_{kind} ({key})"
        )
        rows = self.conn.execute(
            f"SELECT {key} FROM temp.stage_{kind} GROUP BY {key} HAVING COUNT(*) > 1"
        )
        return [row[0] for row in rows]

    def stage_conflicts(
        self, kind: str, repeats: list[tuple[str, int, str | None, int, int]] | None = None
    ) -> list[tuple[str, int, str | None, int, int]]:
        """Rows whose key appears again with different content, after the first such row:
        (key, batch_id, sheet, source_row, first_row). Rows that repeat the first row of
        their key in the same batch exactly are added to `repeats`, in the same form."""
        _table, key, columns = TABLES[kind]
        result: list[tuple[str, int, str | None, int, int]] = []
        content = ", ".join(columns)
        for key_value in self._duplicate_keys(kind):
            rows = self.conn.execute(
                f"SELECT batch_id, sheet, source_row, {content} FROM temp.stage_{kind} "
                f"WHERE {key} = ? ORDER BY rowid",
                (key_value,),
            ).fetchall()
            first_row, first_content = rows[0][2], rows[0][3:]
            for batch_id, sheet, row, *other in rows[1:]:
                if tuple(other) != tuple(first_content):
                    result.append((key_value, batch_id, sheet, row, first_row))
                elif repeats is not None and batch_id == rows[0][0]:
                    repeats.append((key_value, batch_id, sheet, row, first_row))
        return result

    def unstage_rows(self, kind: str, rows: Iterable[tuple[int, int]]) -> None:
        """Drop staged rows given as (batch_id, source_row): --on-error skip."""
        self.conn.executemany(
            f"DELETE FROM temp.stage_{kind} WHERE batch_id = ? AND source_row = ?", rows
        )

    def keep_absent(self, kind: str, absent: dict[int, list[str]]) -> None:
        """A file without a column says nothing about it (a partial export): the staged
        rows of each batch take, for the columns its file lacks (`absent`, per batch),
        the value another file of this import gives the same key, else the stored value,
        so the upsert keeps them (rows stored nowhere keep them empty)."""
        table, key, _columns = TABLES[kind]
        stage = f"temp.stage_{kind}"
        for batch_id, names in absent.items():
            if not names:
                continue
            # One lookup per staged row: a row not stored gets NULLs, which it holds.
            self.conn.execute(
                f"UPDATE {stage} SET ({', '.join(names)}) = "
                f"(SELECT {', '.join('m.' + c for c in names)} FROM {table} m "
                f"WHERE m.{key} = {stage}.{key}) WHERE batch_id = ?",
                (batch_id,),
            )
            for name in names:
                givers = [b for b, lacks in absent.items() if name not in lacks]
                if not givers:
                    continue
                self.conn.execute(
                    f"CREATE INDEX IF NOT EXISTS temp.stage_{kind}_key ON stage_{kind} ({key})"
                )
                marks = ", ".join("?" * len(givers))
                given = f"FROM {stage} g WHERE g.{key} = {stage}.{key} AND g.batch_id IN ({marks})"
                self.conn.execute(
                    f"UPDATE {stage} SET {name} = (SELECT g.{name} {given} ORDER BY g.rowid "
                    f"LIMIT 1) WHERE batch_id = ? AND EXISTS (SELECT 1 {given})",
                    (*givers, batch_id, *givers),
                )

    def keep_stored_where_empty(self, kind: str, batch_id: int, column: str) -> None:
        """Staged rows of a batch with `column` empty take the stored value of that column
        (a cell that says nothing, as in a rejected-rows file's fødselsnummer column)."""
        table, key, _columns = TABLES[kind]
        stage = f"temp.stage_{kind}"
        self.conn.execute(
            f"UPDATE {stage} SET {column} = (SELECT m.{column} FROM {table} m "
            f"WHERE m.{key} = {stage}.{key}) WHERE batch_id = ? AND {column} IS NULL",
            (batch_id,),
        )

    def placements_like_stored(self, batch_id: int) -> list[tuple[str | None, int, str]]:
        """Staged placements of a batch that are new by their key while a stored placement
        of the same participant has the same type and start date: (sheet, row,
        participant_id). Asked only of files lacking a column of the key."""
        return self.conn.execute(
            "SELECT s.sheet, s.source_row, s.participant_id FROM temp.stage_placements s "
            "WHERE s.batch_id = ? AND NOT EXISTS (SELECT 1 FROM placements m WHERE "
            "m.placement_key = s.placement_key) AND EXISTS (SELECT 1 FROM placements m "
            "WHERE m.participant_id = s.participant_id AND m.start_date = s.start_date "
            "AND m.type = s.type) ORDER BY s.source_row",
            (batch_id,),
        ).fetchall()

    def changed_person_keys(self) -> list[tuple[int, str | None, int, bool, str]]:
        """Staged participants whose stored fødselsnummer (keyed hash) would change or be
        emptied: (batch_id, sheet, source_row, emptied, participant_id). A first number
        for a stored participant without one is not a change."""
        return self.conn.execute(
            "SELECT s.batch_id, s.sheet, s.source_row, s.person_key IS NULL, s.participant_id "
            "FROM temp.stage_participants s JOIN participants m "
            "ON m.participant_id = s.participant_id WHERE m.person_key IS NOT NULL "
            "AND s.person_key IS NOT m.person_key ORDER BY s.batch_id, s.source_row"
        ).fetchall()

    def replace_scope(
        self, kind: str, *, file: str, sheet: str | None, before: int
    ) -> list[BatchInfo]:
        """The live batches before `before` that a `--replace` of this file name, kind
        and sheet takes the place of: those of the same file name and sheet, and those
        of the `.rejected.csv` files intd writes for a file of its stem (see
        `scope_names`)."""
        names = scope_names(file, sheet)
        return [
            b
            for b in self.batches(include_undone=False)
            if b.id < before and b.kind == kind and (b.file, b.sheet) in names
        ]

    def remove_missing(
        self, kind: str, batch_id: int, *, file: str, sheet: str | None, show: int = 0
    ) -> tuple[int, list[tuple[str, int, int]]]:
        """`import --replace`: the file is the whole new version of what earlier batches
        of its scope (`replace_scope`: the same file name, kind and sheet, and the
        `.rejected.csv` round trips of it) brought. Their stored rows whose key is in no
        staged row are removed, each kept in `<table>_versions` with superseded_by =
        `batch_id` so `undo` brings it back. A row another file name brought or changed
        is never removed. Each earlier batch of the scope still owning rows is recorded
        as one this batch depends on (`dependants`): the replace confirmed those rows.
        Returns the number removed and up to `show` of them as (key, batch that wrote
        it, its row)."""
        table, key, columns = TABLES[kind]
        scope = [b.id for b in self.replace_scope(kind, file=file, sheet=sheet, before=batch_id)]
        if not scope:
            return 0, []
        marks = ", ".join("?" * len(scope))
        same = f"SELECT id FROM batches WHERE id IN ({marks})"
        self.conn.execute(
            "INSERT OR IGNORE INTO batch_depends (batch_id, depends_on) SELECT ?, b.id "
            f"FROM batches b WHERE b.id IN ({marks}) AND EXISTS (SELECT 1 FROM {table} m "
            "WHERE m.batch_id = b.id)",
            (batch_id, *scope),
        )
        self.conn.execute("DROP TABLE IF EXISTS temp.removed")
        self.conn.execute(
            f"CREATE TEMP TABLE removed AS SELECT m.rowid AS r FROM {table} m "
            f"WHERE m.batch_id IN ({same}) AND NOT EXISTS (SELECT 1 FROM temp.stage_{kind} s "
            f"WHERE s.{key} = m.{key}) AND m.{key} NOT IN (SELECT v.{key} FROM "
            f"{table}_versions v WHERE v.batch_id NOT IN ({same}))",
            (*scope, *scope),
        )
        number = self.conn.execute("SELECT COUNT(*) FROM temp.removed").fetchone()[0]
        if not number:
            return 0, []
        shown = self.conn.execute(
            f"SELECT {key}, batch_id, source_row FROM {table} WHERE rowid IN "
            f"(SELECT r FROM temp.removed) ORDER BY batch_id, source_row LIMIT ?",
            (show,),
        ).fetchall()
        all_cols = ", ".join((*columns, *PROVENANCE_COLUMNS))
        self.conn.execute(
            f"INSERT INTO {table}_versions ({all_cols}, superseded_by) SELECT {all_cols}, ? "
            f"FROM {table} WHERE rowid IN (SELECT r FROM temp.removed)",
            (batch_id,),
        )
        self.conn.execute(f"DELETE FROM {table} WHERE rowid IN (SELECT r FROM temp.removed)")
        self.conn.execute("DROP TABLE temp.removed")
        return number, shown

    def apply_stage(self, kind: str) -> dict[int, StageCounts]:
        """Move staged rows into the table: new rows inserted, changed rows updated (the
        old version kept for undo), identical rows left alone with their old provenance.
        Returns counts per batch."""
        table, key, columns = TABLES[kind]
        stage = f"temp.stage_{kind}"
        if self._duplicate_keys(kind):
            # Identical duplicates (same key, same content) are one row: keep the first.
            self.conn.execute(
                f"DELETE FROM {stage} WHERE rowid NOT IN (SELECT MIN(rowid) FROM {stage} "
                f"GROUP BY {key})"
            )
        counts = {
            batch_id: StageCounts(unchanged=number)
            for batch_id, number in self.conn.execute(
                f"SELECT batch_id, COUNT(*) FROM {stage} GROUP BY batch_id"
            )
        }
        all_cols = ", ".join((*columns, *PROVENANCE_COLUMNS))
        if self.conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is None:
            # Nothing stored yet: every staged row is new. Building the secondary indexes
            # once after the load (a sort) is many times faster than row by row.
            indexes = self.conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL",
                (table,),
            ).fetchall()
            for name, _sql in indexes:
                self.conn.execute(f'DROP INDEX "{name}"')
            self.conn.execute(f"INSERT INTO {table} ({all_cols}) SELECT {all_cols} FROM {stage}")
            for _name, sql in indexes:
                self.conn.execute(sql)
            for entry in counts.values():
                entry.inserted, entry.unchanged = entry.unchanged, 0
            return counts
        for batch_id, number in self.conn.execute(
            f"SELECT s.batch_id, COUNT(*) FROM {stage} s WHERE NOT EXISTS "
            f"(SELECT 1 FROM {table} m WHERE m.{key} = s.{key}) GROUP BY s.batch_id"
        ):
            counts[batch_id].inserted = number
        same = " AND ".join(f"m.{c} IS s.{c}" for c in columns)
        self.conn.execute(
            f"INSERT INTO {table}_versions ({all_cols}, superseded_by) "
            f"SELECT {', '.join('m.' + c for c in (*columns, *PROVENANCE_COLUMNS))}, s.batch_id "
            f"FROM {table} m JOIN {stage} s ON m.{key} = s.{key} WHERE NOT ({same})"
        )
        marks = ", ".join("?" * len(counts))
        for batch_id, number in self.conn.execute(
            f"SELECT superseded_by, COUNT(*) FROM {table}_versions WHERE superseded_by IN "
            f"({marks}) GROUP BY superseded_by",
            list(counts),
        ):
            counts[batch_id].updated = number
        for entry in counts.values():
            entry.unchanged -= entry.inserted + entry.updated
        updates = ", ".join(
            f"{c} = excluded.{c}" for c in (*columns, *PROVENANCE_COLUMNS) if c != key
        )
        unchanged = " AND ".join(f"{table}.{c} IS excluded.{c}" for c in columns)
        self.conn.execute(
            f"INSERT INTO {table} ({all_cols}) SELECT {all_cols} FROM {stage} WHERE true "
            f"ON CONFLICT ({key}) DO UPDATE SET {updates} WHERE NOT ({unchanged})"
        )
        return counts

    def shared_person_keys(self, batches: Sequence[int]) -> list[tuple[str, int, str | None, int]]:
        """Participants written by these batches whose fødselsnummer (as keyed hash)
        belongs to another participant id too: (participant_id, batch_id, sheet, row)."""
        # The keys held by more than one participant come from one pass over the
        # person_key index (a probe per participant cost 0.4 s for 200k of them).
        marks = ", ".join("?" * len(batches)) or "NULL"
        return self.conn.execute(
            "SELECT p.participant_id, p.batch_id, p.sheet, p.source_row FROM participants p "
            f"WHERE p.batch_id IN ({marks}) AND p.person_key IN (SELECT person_key "
            "FROM participants WHERE person_key IS NOT NULL GROUP BY person_key "
            "HAVING COUNT(*) > 1) ORDER BY p.batch_id, p.source_row",
            list(batches),
        ).fetchall()

    def lookalike_ids(self) -> list[tuple[str, ...]]:
        """Groups of distinct participant ids (of participants and of placements) that
        differ only in case, leading zeros or separators (P11, p11, P011, P-11): one pass,
        a set on the normalised form."""
        # The first pass keeps only the hash of each form, in set operations done in C
        # (a chunk is looked at id by id only when two of its own ids meet); a second
        # pass, only when two hashes met, gathers the ids behind them.
        seen: set[int] = set()
        suspects: set[int] = set()
        for chunk in self._participant_id_chunks():
            codes = list(map(hash, lookalike_forms(chunk)))
            unique = set(codes)
            if len(unique) < len(codes):
                once: set[int] = set()
                for code in codes:
                    if code in once:
                        suspects.add(code)
                    once.add(code)
            suspects |= seen & unique
            seen |= unique
        del seen
        if not suspects:
            return []
        found: dict[str, set[str]] = {}
        for chunk in self._participant_id_chunks():
            for pid, form in zip(chunk, lookalike_forms(chunk), strict=True):
                if hash(form) in suspects:
                    found.setdefault(form, set()).add(pid)
        return sorted(tuple(sorted(g)) for g in found.values() if len(g) > 1)

    def _participant_id_chunks(self) -> Iterator[list[str]]:
        """Every distinct participant id, of participants and of placements, in chunks."""
        for sql in (
            "SELECT participant_id FROM participants",
            "SELECT x.participant_id FROM placements x GROUP BY x.participant_id HAVING NOT "
            "EXISTS (SELECT 1 FROM participants p WHERE p.participant_id = x.participant_id)",
        ):
            cursor = self.conn.execute(sql)
            while chunk := cursor.fetchmany(10_000):
                yield [row[0] for row in chunk]

    def rows_with_ids(
        self, participant_ids: Sequence[str], batches: Sequence[int]
    ) -> dict[str, tuple[str, int, str | None, int]]:
        """For each of these participant ids that these batches wrote, the first row
        holding it (participants before placements): (kind, batch_id, sheet, row)."""
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted_ids (participant_id TEXT)")
        self.conn.execute("DELETE FROM temp.wanted_ids")
        self.conn.executemany(
            "INSERT INTO temp.wanted_ids VALUES (?)", ((p,) for p in participant_ids)
        )
        marks = ", ".join("?" * len(batches)) or "NULL"
        found: dict[str, tuple[str, int, str | None, int]] = {}
        for kind, (table, _key, _columns) in TABLES.items():
            for pid, batch_id, sheet, row in self.conn.execute(
                # One row per id (SQLite gives the bare columns of the MIN row).
                f"SELECT participant_id, batch_id, sheet, MIN(source_row) FROM {table} "
                "WHERE participant_id IN (SELECT participant_id FROM temp.wanted_ids) "
                f"AND batch_id IN ({marks}) GROUP BY participant_id",
                list(batches),
            ):
                found.setdefault(pid, (kind, batch_id, sheet, row))
        return found

    # -------------------------------------------------------------- bulk load

    def empty(self) -> bool:
        """No participant and no placement stored: an import may take the fast path."""
        return all(
            self.conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is None
            for table, _key, _cols in TABLES.values()
        )

    def begin_bulk_load(self) -> None:
        """Into empty tables: insert directly, and build the secondary indexes once at
        the end (a sort) rather than row by row. A savepoint lets the importer fall back
        to the staged path if an id turns out to repeat."""
        self.conn.execute("SAVEPOINT bulk_load")
        self._indexes = self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('participants', 'placements')"
        ).fetchall()
        for name, _sql in self._indexes:
            self.conn.execute(f'DROP INDEX "{name}"')

    def insert_new(self, kind: str, rows: Sequence[Sequence[object]]) -> int:
        """Insert rows into an empty table; a row whose key is already there is skipped.
        Returns how many were inserted (fewer than given means an id repeats)."""
        table, _key, columns = TABLES[kind]
        cols = (*columns, *PROVENANCE_COLUMNS)
        before = self.conn.total_changes
        self.conn.executemany(
            f"INSERT OR IGNORE INTO {table} ({', '.join(cols)}) "
            f"VALUES ({', '.join('?' * len(cols))})",
            rows,
        )
        return self.conn.total_changes - before

    def abandon_bulk_load(self) -> None:
        self.conn.execute("ROLLBACK TO bulk_load")
        self.conn.execute("RELEASE bulk_load")

    def finish_bulk_load(self) -> None:
        for _name, sql in self._indexes:
            self.conn.execute(sql)
        self.conn.execute("RELEASE bulk_load")

    def count_municipality(self, kind: str, batch_id: int, code: str, *, staged: bool) -> int:
        table = f"temp.stage_{kind}" if staged else TABLES[kind][0]
        row = self.conn.execute(
            f"SELECT COUNT(*) FROM {table} WHERE batch_id = ? AND municipality = ?",
            (batch_id, code),
        ).fetchone()
        return int(row[0])

    # -------------------------------------------------------------- undo

    def dependants(self, batch_id: int) -> list[int]:
        """Later batches that changed rows this batch wrote, or (`import --replace`) kept
        them as part of their full list, directly or through others."""
        found: list[int] = []
        todo = [batch_id]
        while todo:
            current = todo.pop()
            for table, key, _columns in TABLES.values():
                # Later batches that superseded (or removed) a row `current` wrote, and
                # those that wrote a row again after `current` removed it (--replace):
                # undoing `current` would bring that row back over theirs.
                for (later,) in self.conn.execute(
                    f"SELECT DISTINCT superseded_by FROM {table}_versions WHERE batch_id = ? "
                    f"UNION SELECT m.batch_id FROM {table}_versions v JOIN {table} m "
                    f"ON m.{key} = v.{key} WHERE v.superseded_by = ? AND m.batch_id > ?",
                    (current, current, current),
                ):
                    if later not in found and later != batch_id:
                        found.append(later)
                        todo.append(later)
            # Later `--replace` batches that kept rows `current` wrote as their full list.
            for (later,) in self.conn.execute(
                "SELECT d.batch_id FROM batch_depends d JOIN batches b ON b.id = d.batch_id "
                "WHERE d.depends_on = ? AND b.undone_at IS NULL",
                (current,),
            ):
                if later not in found and later != batch_id:
                    found.append(later)
                    todo.append(later)
        return sorted(found)

    def undo(self, batch_id: int, *, cascade: bool) -> list[int]:
        """Restore the state before `batch_id`; with `cascade`, undo the later batches that
        depend on it first. Returns the batches undone, newest first."""
        batch = next((b for b in self.batches() if b.id == batch_id), None)
        if batch is None:
            raise UnknownName(f"There is no import batch {batch_id}; `intd imports` lists them.")
        if batch.undone_at:
            raise UndoRefused(f"Batch {batch_id} was already undone at {batch.undone_at}.")
        later = self.dependants(batch_id)
        if later and not cascade:
            raise UndoRefused(
                f"Later imports changed rows that batch {batch_id} wrote, or kept them as "
                f"part of a full list (import --replace): batch "
                f"{', '.join(map(str, later))}. Undo them first, or pass --cascade to undo "
                "them together."
            )
        undone = [*sorted(later, reverse=True), batch_id]
        stamp = datetime.now().astimezone().isoformat("T", "seconds")
        for current in undone:
            for kind, (table, _key, columns) in TABLES.items():
                del kind
                all_cols = ", ".join((*columns, *PROVENANCE_COLUMNS))
                self.conn.execute(f"DELETE FROM {table} WHERE batch_id = ?", (current,))
                self.conn.execute(
                    f"INSERT INTO {table} ({all_cols}) SELECT {all_cols} FROM {table}_versions "
                    "WHERE superseded_by = ?",
                    (current,),
                )
                self.conn.execute(
                    f"DELETE FROM {table}_versions WHERE superseded_by = ?", (current,)
                )
            self.conn.execute("DELETE FROM batch_depends WHERE batch_id = ?", (current,))
            self.conn.execute("UPDATE batches SET undone_at = ? WHERE id = ?", (stamp, current))
        return undone

    # -------------------------------------------------------------- checks

    def integrity_problems(self) -> list[str]:
        """SQLite's own integrity check plus intd's consistency rules."""
        problems = [row[0] for row in self.conn.execute("PRAGMA integrity_check")]
        problems = [] if problems == ["ok"] else problems
        problems += [f"foreign key: {row}" for row in self.conn.execute("PRAGMA foreign_key_check")]
        rules = {
            "rows whose batch is undone or missing": (
                "SELECT COUNT(*) FROM {t} x LEFT JOIN batches b ON b.id = x.batch_id "
                "WHERE b.id IS NULL OR b.undone_at IS NOT NULL"
            ),
            "placements ending before they start": (
                "SELECT COUNT(*) FROM placements WHERE end_date < start_date"
            ),
            "introduction programmes ending before they start": (
                "SELECT COUNT(*) FROM participants WHERE intro_end < intro_start"
            ),
            "versions superseded by a missing batch": (
                "SELECT COUNT(*) FROM {t}_versions v LEFT JOIN batches b "
                "ON b.id = v.superseded_by WHERE b.id IS NULL OR b.undone_at IS NOT NULL"
            ),
        }
        for label, sql in rules.items():
            for table in ("participants", "placements"):
                count = self.conn.execute(sql.format(t=table)).fetchone()[0]
                if count:
                    problems.append(f"{count} {label} ({table})")
                if "{t}" not in sql:
                    break
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            problems.append(f"schema version {version}, expected {SCHEMA_VERSION}")
        return problems

    def meta(self, name: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, name: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (name, value),
        )

    def municipality_codes(self) -> list[str]:
        rows = self.conn.execute(
            "SELECT municipality FROM participants WHERE municipality IS NOT NULL UNION "
            "SELECT municipality FROM placements WHERE municipality IS NOT NULL"
        )
        return [row[0] for row in rows]

    def counts(self) -> dict[str, int]:
        return {
            table: self.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("participants", "placements", "batches")
        }

    def stored_rows(self, kind: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """(column names, rows) of every stored participant or placement, in the order
        of their files: the content columns except the keyed identity hash and the
        derived placement key, then the batch, file, sheet and row each came from."""
        table, _key, columns = TABLES[kind]
        shown = [c for c in columns if c not in ("person_key", "placement_key")]
        cursor = self.conn.execute(
            f"SELECT {', '.join('t.' + c for c in shown)}, t.batch_id, b.file, t.sheet, "
            f"t.source_row FROM {table} t JOIN batches b ON b.id = t.batch_id "
            "ORDER BY t.batch_id, t.sheet, t.source_row"
        )
        return [*shown, "batch_id", "file", "sheet", "source_row"], cursor.fetchall()

    # -------------------------------------------------------------- figures

    def first_job_starts(
        self, start: date, end: date, *, by_year: bool = False, facts: bool = False
    ) -> Iterator[JobStart]:
        """Per participant id (and calendar year, with `by_year`) the earliest job or
        apprenticeship starting in [start, end], with the person and municipality, and
        with `facts` what breakdowns split by (gender ... employer; else None).

        The earliest start per participant id comes from the covering index on
        (type, participant_id, start_date) alone, with the rowid of its placement
        (SQLite gives the bare columns of a MIN() query the values of the row holding
        the minimum; PostgreSQL would use DISTINCT ON). Only then are the participant
        and, for `facts`, that one placement looked up: one lookup per participant id,
        not per job."""
        year = "substr(start_date, 1, 4)" if by_year else "'0'"
        columns = "NULL, NULL, NULL, NULL, NULL"
        join = ""
        if facts:
            columns = (
                "pa.gender, pa.country, pa.birth_year, pl.channel, "
                "COALESCE(pl.employer_name, pl.employer_orgnr)"
            )
            join = "CROSS JOIN placements pl ON pl.rowid = f.placement "
        sql = (
            "WITH f AS MATERIALIZED (SELECT participant_id, MIN(start_date) AS first_start, "
            f"{year} AS y, rowid AS placement FROM placements WHERE type IN {WORK_TYPES_SQL} "
            "AND start_date BETWEEN ? AND ? GROUP BY participant_id, y) "
            f"SELECT f.participant_id, {_person_sql('pa', 'f')}, "
            f"{_municipality_sql('pa', 'f')}, f.first_start, f.y, {columns} FROM f {join}"
            "LEFT JOIN participants pa ON pa.participant_id = f.participant_id"
        )
        for row in self.conn.execute(sql, (start.isoformat(), end.isoformat())):
            yield JobStart(
                row[0], row[1], row[2], date.fromisoformat(row[3]), int(row[4]), *row[5:]
            )

    def intro_records(self, start: date, end: date, *, sources: bool = True) -> list[IntroRecord]:
        """Participants whose introduction programme ended in [start, end] (`sources`:
        with the file and row each came from, else an empty source)."""
        rows = self.conn.execute(
            f"SELECT pa.participant_id, {_person_sql('pa', 'pa')}, pa.municipality, "
            "pa.intro_end, pa.intro_end_reason, pa.intro_outcome, pa.status_1y, pa.gender, "
            f"pa.country, pa.birth_year, {_source_sql('pa', sources)} FROM participants pa "
            "WHERE pa.intro_end BETWEEN ? AND ? ORDER BY pa.intro_end, pa.participant_id",
            (start.isoformat(), end.isoformat()),
        )
        return [IntroRecord(r[0], r[1], r[2], date.fromisoformat(r[3]), *r[4:]) for r in rows]

    def activities(
        self,
        *,
        persons_of: Sequence[str] | None = None,
        start: date | None = None,
        end: date | None = None,
        types: str | None = WORK_OR_EDUCATION_TYPES_SQL,
    ) -> list[Activity]:
        """Placements with their person, for the people with these participant ids (and
        everyone sharing their fødselsnummer), or starting in [start, end]."""
        where = []
        params: list[object] = []
        if types:
            where.append(f"pl.type IN {types}")
        if start is not None and end is not None:
            where.append("pl.start_date BETWEEN ? AND ?")
            params += [start.isoformat(), end.isoformat()]
        if persons_of is not None:
            self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (participant_id TEXT)")
            self.conn.execute("DELETE FROM temp.wanted")
            self.conn.executemany("INSERT INTO temp.wanted VALUES (?)", ((p,) for p in persons_of))
            where.append(
                "pl.participant_id IN (SELECT participant_id FROM temp.wanted UNION "
                "SELECT o.participant_id FROM participants o JOIN participants w "
                "ON w.person_key = o.person_key WHERE w.participant_id IN "
                "(SELECT participant_id FROM temp.wanted))"
            )
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = self.conn.execute(
            f"SELECT {_person_sql('pa', 'pl')}, pl.participant_id, pl.placement_key, "
            f"pl.placement_id, pl.type, pl.start_date, pl.end_date, "
            f"{_municipality_sql('pa', 'pl')}, COALESCE(pl.employer_name, pl.employer_orgnr), "
            f"pl.channel, {_source_sql('pl')} FROM placements pl LEFT JOIN participants pa "
            f"ON pa.participant_id = pl.participant_id {clause} "
            "ORDER BY pl.start_date, pl.placement_key",
            params,
        )
        return [
            Activity(r[0], r[1], r[2], r[3], r[4], date.fromisoformat(r[5]), _date(r[6]), *r[7:])
            for r in rows
        ]

    def cohort_activities(
        self,
        start: date,
        end: date,
        days_after: int,
        measured_on: tuple[int, int] | None,
        *,
        sources: bool = True,
    ) -> list[Activity]:
        """Work or education placements of the people whose programme ended in
        [start, end] (under any of their participant ids) that can decide a measure: those
        overlapping [end date, end date + days_after] or covering the one-year day (none
        such with `measured_on` None: the direct measure only). A pre-filter only;
        metrics.py applies the definitions to what comes back."""
        # Each member's two deciding days are computed once (NULL where an explicit
        # outcome or status makes placements irrelevant), not once per placement row.
        one_year, needed = "NULL", "intro_outcome IS NULL"
        if measured_on is not None:
            needed = "(intro_outcome IS NULL OR status_1y IS NULL)"
            one_year = (
                "printf('%04d-%02d-%02d', CAST(substr(intro_end, 1, 4) AS INTEGER) + 1, "
                f"{measured_on[0]:d}, {measured_on[1]:d})"
            )
        cohort = (
            "SELECT participant_id, person_key, municipality, intro_end, "
            f"CASE WHEN intro_outcome IS NULL THEN date(intro_end, '+{days_after:d} days') "
            f"END AS direct_until, CASE WHEN status_1y IS NULL THEN {one_year} END AS one_year "
            "FROM participants WHERE intro_end BETWEEN ? AND ? AND intro_end_reason IN "
            f"('completed', 'interrupted') AND {needed}"
        )
        # The cohort is read first and drives the joins (SQLite keeps the order of a
        # CROSS JOIN; PostgreSQL reads it as a plain join) so each member's placements
        # are found by index: left to itself, without statistics, SQLite's planner walks
        # every work placement of the database instead.
        relevant = (
            f"pl.type IN {WORK_OR_EDUCATION_TYPES_SQL} AND ("
            "(pl.start_date <= pa.direct_until AND "
            "(pl.end_date IS NULL OR pl.end_date >= pa.intro_end)) OR "
            "(pl.start_date <= pa.one_year AND "
            "(pl.end_date IS NULL OR pl.end_date >= pa.one_year)))"
        )
        columns = (
            f"{_person_sql('pa', 'pa')}, pl.participant_id, pl.placement_key, pl.placement_id, "
            "pl.type, pl.start_date, pl.end_date, pa.municipality, "
            f"COALESCE(pl.employer_name, pl.employer_orgnr), pl.channel, "
            f"{_source_sql('pl', sources)}"
        )
        rows = self.conn.execute(
            f"WITH pa AS MATERIALIZED ({cohort}) "
            f"SELECT {columns} FROM pa CROSS JOIN placements pl "
            f"WHERE pl.participant_id = pa.participant_id AND {relevant} "
            f"UNION ALL SELECT {columns} FROM pa CROSS JOIN participants px "
            "CROSS JOIN placements pl WHERE px.person_key = pa.person_key "
            "AND px.participant_id <> pa.participant_id "
            "AND pl.participant_id = px.participant_id "
            f"AND pa.person_key IS NOT NULL AND {relevant}",
            (start.isoformat(), end.isoformat()),
        )
        return [
            Activity(r[0], r[1], r[2], r[3], r[4], date.fromisoformat(r[5]), _date(r[6]), *r[7:])
            for r in rows
        ]

    def people(self, participant_ids: Iterable[str]) -> dict[str, tuple[str | None, ...]]:
        """gender, country, birth_year per participant id, for breakdowns."""
        result: dict[str, tuple[str | None, ...]] = {}
        for pid, gender, country, birth_year in self.conn.execute(
            "SELECT participant_id, gender, country, birth_year FROM participants"
        ):
            result[pid] = (gender, country, None if birth_year is None else str(birth_year))
        wanted = set(participant_ids)
        return {k: v for k, v in result.items() if k in wanted}

    def data_years(self) -> tuple[int, int] | None:
        row = self.conn.execute(
            "SELECT MIN(y), MAX(y) FROM (SELECT MIN(substr(start_date, 1, 4)) AS y FROM "
            "placements UNION ALL SELECT MAX(substr(start_date, 1, 4)) FROM placements "
            "UNION ALL SELECT MIN(substr(intro_end, 1, 4)) FROM participants "
            "UNION ALL SELECT MAX(substr(intro_end, 1, 4)) FROM participants)"
        ).fetchone()
        return None if row[0] is None else (int(row[0]), int(row[1]))

    def explain_plan(self, sql: str, params: Sequence[object] = ()) -> list[str]:
        return [row[3] for row in self.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]


def run(path: Path, work: Callable[[Store], T], *, dry_run: bool = False) -> T:
    """Run `work` in one write transaction (see `write_transaction`)."""
    with write_transaction(path, dry_run=dry_run) as store:
        return work(store)
