"""Migration 5: the key of participants and placements moves from the table's primary
key to a unique index of its own; a database of schema 4 keeps every row, rowid and
index, and the key stays unique."""

from __future__ import annotations

import sqlite3

import pytest

from conftest import PLACEMENT_HEADER, placement_row, write_csv
from intdrammen.store import MIGRATIONS, SCHEMA_VERSION
from intdrammen.store.schema import PARTICIPANT_INDEX


def schema_4(path):
    conn = sqlite3.connect(path)
    for migration in MIGRATIONS[:4]:
        migration(conn)
    conn.execute("PRAGMA user_version = 4")
    conn.execute(
        "INSERT INTO batches (id, file, sha256, kind, rows, imported_at) "
        "VALUES (1, 'old.csv', 'x', 'placements', 2, '2026-01-01T00:00:00+00:00')"
    )
    for rowid, key in ((7, "id:PL1"), (9, "id:PL2")):
        conn.execute(
            "INSERT INTO placements (rowid, placement_key, placement_id, participant_id, type, "
            "start_date, batch_id, source_row) VALUES (?, ?, ?, 'D1', 'job', '2019-01-01', 1, 2)",
            (rowid, key, key[3:]),
        )
    conn.commit()
    conn.close()


def test_a_schema_4_database_is_migrated_with_its_rows_and_a_unique_key(tmp_path, cli, db):
    schema_4(db)
    new = write_csv(
        tmp_path / "new.csv",
        PLACEMENT_HEADER,
        [placement_row("D1", "2019-05-01", placement_id="PL3")],
    )
    assert cli("import", str(new)).exit_code == 0
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    rows = conn.execute("SELECT rowid, placement_key FROM placements ORDER BY rowid").fetchall()
    assert rows[:2] == [(7, "id:PL1"), (9, "id:PL2")] and rows[2][1] == "id:PL3"
    indexes = {r[1]: r[2] for r in conn.execute("PRAGMA index_list(placements)")}
    assert indexes["idx_placements_key"] == 1  # unique
    assert {"idx_placements_batch_id", PARTICIPANT_INDEX} <= set(indexes)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO placements (placement_key, participant_id, type, start_date, "
            "batch_id, source_row) VALUES ('id:PL1', 'D9', 'job', '2019-01-01', 1, 3)"
        )
