"""Loading imported rows: the checks run on the attached stage (repeated keys,
fødselsnummer changes, columns a file lacks), the set-based upsert from the stage into
the tables, and the direct load into empty tables with the indexes built once after it.
Also the identity checks run after a load (one fødselsnummer under
several ids, look-alike ids).

The stage itself is written by store/stage.py; a second backend (PostgreSQL, issue 16)
implements this seam with its own bulk path.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from intdrammen.store.base import StoreBase
from intdrammen.store.schema import PROVENANCE_COLUMNS, TABLES
from intdrammen.store.stage import Stage, StageWriter


@dataclass
class StageCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0  # stored rows an `import --replace` took out


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


class LoadingMixin(StoreBase):
    """Staging, upsert, bulk load and the checks on loaded rows."""

    # -------------------------------------------------------------- staging

    def stage_writer(self) -> Stage:
        """Where an import writes the rows it reads (stage.py)."""
        return StageWriter()

    def attach_stage(self, path: Path) -> None:
        """Attach the stage a `StageWriter` wrote (stage.py) as schema `stage`."""
        self.conn.execute("ATTACH DATABASE ? AS stage", (str(path),))
        self.conn.execute("PRAGMA stage.journal_mode = OFF")

    def detach_stage(self) -> None:
        with contextlib.suppress(sqlite3.OperationalError):
            self.conn.execute("DETACH DATABASE stage")

    def _duplicate_keys(self, kind: str) -> list[str]:
        _table, key, _columns = TABLES[kind]
        self.conn.execute(
            f"CREATE INDEX IF NOT EXISTS stage.stage_{kind}_key ON stage_{kind} ({key})"
        )
        rows = self.conn.execute(
            f"SELECT {key} FROM stage.stage_{kind} GROUP BY {key} HAVING COUNT(*) > 1"
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
                f"SELECT batch_id, sheet, source_row, {content} FROM stage.stage_{kind} "
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
            f"DELETE FROM stage.stage_{kind} WHERE batch_id = ? AND source_row = ?", rows
        )

    def keep_absent(self, kind: str, absent: dict[int, list[str]]) -> None:
        """A file without a column says nothing about it (a partial export): the staged
        rows of each batch take, for the columns its file lacks (`absent`, per batch),
        the value another file of this import gives the same key, else the stored value,
        so the upsert keeps them (rows stored nowhere keep them empty)."""
        table, key, _columns = TABLES[kind]
        stage = f"stage.stage_{kind}"
        stored = self._has_rows(table)
        # A column no file of this kind has (placements without a municipality column):
        # the upsert leaves it out, so stored values stay, with no lookup per staged row.
        # Not the fødselsnummer's key, which the checks on the stage compare with.
        lacking = [set(names) for names in absent.values()]
        self.not_given[kind] = set.intersection(*lacking) - {"person_key"} if lacking else set()
        for batch_id, names in absent.items():
            names = [n for n in names if n not in self.not_given[kind]]
            if not names:
                continue
            # One lookup per staged row: a row not stored gets NULLs, which it holds
            # (and with nothing stored, every row holds them already).
            if stored:
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
                    f"CREATE INDEX IF NOT EXISTS stage.stage_{kind}_key ON stage_{kind} ({key})"
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
        stage = f"stage.stage_{kind}"
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
            "SELECT s.sheet, s.source_row, s.participant_id FROM stage.stage_placements s "
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
            "FROM stage.stage_participants s JOIN participants m "
            "ON m.participant_id = s.participant_id WHERE m.person_key IS NOT NULL "
            "AND s.person_key IS NOT m.person_key ORDER BY s.batch_id, s.source_row"
        ).fetchall()

    def load_if_new_and_unique(self, kind: str) -> bool:
        """Into an empty table, when no key repeats among the staged rows: insert them all
        and build the indexes once after the load, the key's unique index first, which
        is what tells whether a key repeats (then nothing is changed and False returned:
        the repeats are for `stage_conflicts` to name). `apply_stage` then only counts."""
        if self._has_rows(TABLES[kind][0]):
            return False
        self.conn.execute("SAVEPOINT load_new")
        try:
            self._load_empty(kind)
        except sqlite3.IntegrityError:  # a key repeats
            self.conn.execute("ROLLBACK TO load_new")
            self.conn.execute("RELEASE load_new")
            return False
        self.conn.execute("RELEASE load_new")
        self.loaded_new.add(kind)
        return True

    def _load_empty(self, kind: str) -> None:
        """Every staged row into the empty table, with its indexes dropped and built again
        after the load (a sort each, many times faster than row by row), the key's unique
        index first: sqlite3.IntegrityError when a key repeats."""
        table, _key, columns = TABLES[kind]
        indexes = self._table_indexes(table)
        for name, _sql in indexes:
            self.conn.execute(f'DROP INDEX "{name}"')
        all_cols = ", ".join((*columns, *PROVENANCE_COLUMNS))
        self.conn.execute(
            f"INSERT INTO {table} ({all_cols}) SELECT {all_cols} FROM stage.stage_{kind}"
        )
        for _name, sql in indexes:
            self.conn.execute(sql)

    def _table_indexes(self, table: str) -> list[tuple[str, str]]:
        """(name, CREATE statement) of the indexes of `table`, its key's unique index
        first."""
        return self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL ORDER BY name != ?",
            (table, f"idx_{table}_key"),
        ).fetchall()

    def _staged_per_batch(self, kind: str) -> dict[int, int]:
        return dict(
            self.conn.execute(
                f"SELECT batch_id, COUNT(*) FROM stage.stage_{kind} GROUP BY batch_id"
            ).fetchall()
        )

    def _has_rows(self, table: str) -> bool:
        return self.conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None

    def apply_stage(self, kind: str) -> dict[int, StageCounts]:
        """Move staged rows into the table: new rows inserted, changed rows updated (the
        old version kept for undo), identical rows left alone with their old provenance.
        Returns counts per batch."""
        table, key, columns = TABLES[kind]
        stage = f"stage.stage_{kind}"
        if kind in self.loaded_new:  # load_if_new_and_unique put every row in
            return {b: StageCounts(inserted=n) for b, n in self._staged_per_batch(kind).items()}
        if self._duplicate_keys(kind):
            # Identical duplicates (same key, same content) are one row: keep the first.
            self.conn.execute(
                f"DELETE FROM {stage} WHERE rowid NOT IN (SELECT MIN(rowid) FROM {stage} "
                f"GROUP BY {key})"
            )
        if not self._has_rows(table):  # nothing stored yet: every staged row is new
            self._load_empty(kind)
            return {b: StageCounts(inserted=n) for b, n in self._staged_per_batch(kind).items()}
        counts = {b: StageCounts(unchanged=n) for b, n in self._staged_per_batch(kind).items()}
        all_cols = ", ".join((*columns, *PROVENANCE_COLUMNS))
        # One pass over the staged rows finds the new and the changed ones (a key probe
        # and a comparison each); everything after reads only those.
        given = [c for c in columns if c not in self.not_given.get(kind, set())]
        same = " AND ".join(f"m.{c} IS s.{c}" for c in given)
        self.conn.execute("DROP TABLE IF EXISTS temp.stage_diff")
        self.conn.execute(
            f"CREATE TEMP TABLE stage_diff AS SELECT s.rowid AS r, s.batch_id AS b, "
            f"m.rowid AS m FROM {stage} s LEFT JOIN {table} m ON m.{key} = s.{key} "
            f"WHERE m.rowid IS NULL OR NOT ({same})"
        )
        for batch_id, new, number in self.conn.execute(
            "SELECT b, m IS NULL, COUNT(*) FROM temp.stage_diff GROUP BY b, m IS NULL"
        ):
            if new:
                counts[batch_id].inserted = number
            else:
                counts[batch_id].updated = number
        for entry in counts.values():
            entry.unchanged -= entry.inserted + entry.updated
        if not any(e.inserted or e.updated for e in counts.values()):
            return counts
        self.conn.execute(
            f"INSERT INTO {table}_versions ({all_cols}, superseded_by) "
            f"SELECT {', '.join('m.' + c for c in (*columns, *PROVENANCE_COLUMNS))}, d.b "
            f"FROM temp.stage_diff d JOIN {table} m ON m.rowid = d.m"
        )
        updates = ", ".join(
            f"{c} = excluded.{c}" for c in (*given, *PROVENANCE_COLUMNS) if c != key
        )
        self.conn.execute(
            f"INSERT INTO {table} ({all_cols}) SELECT {all_cols} FROM {stage} "
            f"WHERE rowid IN (SELECT r FROM temp.stage_diff) "
            f"ON CONFLICT ({key}) DO UPDATE SET {updates}"
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
        hashes of the normalised form counted."""
        # The first pass keeps only the hash of each form, 8 bytes an id in an Arrow
        # array (a Python set of them grew with the file: 40 MiB at 600k ids), sorted
        # in C; a second pass, only when two hashes met, gathers the ids
        # behind them.
        import pyarrow as pa
        import pyarrow.compute as pc

        hashes = array("q")
        for chunk in self._participant_id_chunks():
            hashes.extend(map(hash, lookalike_forms(chunk)))
        if not hashes:
            return []
        codes = pa.Array.from_buffers(pa.int64(), len(hashes), [None, pa.py_buffer(hashes)])
        # Sorted, a repeated hash sits beside itself (a hash table cost 80 MiB here).
        codes = codes.take(pc.sort_indices(codes))
        suspects = set(codes[1:].filter(pc.equal(codes[1:], codes[:-1])).to_pylist())
        del codes, hashes
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
                # The wanted ids' rows are few: the first of each is picked here.
                f"SELECT participant_id, batch_id, sheet, source_row FROM {table} "
                "WHERE participant_id IN (SELECT participant_id FROM temp.wanted_ids) "
                f"AND batch_id IN ({marks}) ORDER BY source_row, batch_id",
                list(batches),
            ):
                found.setdefault(pid, (kind, batch_id, sheet, row))
        return found

    def unlinked_placements(self, batch_id: int) -> int:
        """Placements of a batch whose participant is in no participant record of the
        office that wrote them: only on a shared database (PostgreSQL with offices,
        pg_store.py), where another office's participant is another record; 0 here."""
        del batch_id
        return 0

    def count_municipality(self, kind: str, batch_id: int, code: str) -> int:
        row = self.conn.execute(
            f"SELECT COUNT(*) FROM stage.stage_{kind} WHERE batch_id = ? AND municipality = ?",
            (batch_id, code),
        ).fetchone()
        return int(row[0])
