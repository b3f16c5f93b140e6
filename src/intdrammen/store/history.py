"""The import history and undo: batches (one per imported file or sheet), the scope of an
`import --replace` and the stored rows it removes, and undo, which restores the rows a
batch replaced from `<table>_versions`.

Every stored row carries its batch, sheet and spreadsheet row. An update first copies the
old row to `<table>_versions` (superseded_by = the new batch), which is what `undo`
restores; a row `--replace` removes is kept there the same way. A seam of its own: the
rules of what undo may do (`dependants`) are the same for every backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from intdrammen.errors import UndoRefused, UnknownName
from intdrammen.store.base import StoreBase
from intdrammen.store.loading import StageCounts
from intdrammen.store.schema import PROVENANCE_COLUMNS, TABLES


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


class HistoryMixin(StoreBase):
    """Batches, `--replace` and undo."""

    # -------------------------------------------------------------- batches

    def add_batch(
        self, *, file: str, sha256: str, kind: str, sheet: str | None, intd_version: str
    ) -> int:
        # The next id after the highest, as SQLite's rowid gives it (a batch dropped
        # because it changed nothing leaves no gap), written out so that PostgreSQL's
        # identity column gives the same ids; safe, the write lock is held.
        rows = self.conn.execute(
            "INSERT INTO batches (id, file, sha256, kind, sheet, rows, inserted, updated, "
            "unchanged, skipped, imported_at, intd_version) "
            "VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM batches), ?, ?, ?, ?, 0, 0, 0, 0, "
            "0, ?, ?) RETURNING id",
            (
                file,
                sha256,
                kind,
                sheet,
                datetime.now().astimezone().isoformat("T", "seconds"),
                intd_version,
            ),
        ).fetchall()  # read to its end: the statement is done
        return int(rows[0][0])

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
            f"WHERE m.batch_id IN ({same}) AND NOT EXISTS (SELECT 1 FROM stage.stage_{kind} s "
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
