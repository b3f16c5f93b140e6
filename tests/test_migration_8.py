"""Migration 8: the two indexes of placements in participant order (the full
(participant_id, start_date) and migration 7's partial work-or-education one) become one
full (participant_id, start_date, type, end_date); a database of schema 7 keeps its rows
and its figures."""

from __future__ import annotations

import sqlite3

from conftest import PARTICIPANT_HEADER, PLACEMENT_HEADER, placement_row, write_csv
from intdrammen.store import SCHEMA_VERSION
from intdrammen.store.schema import PARTICIPANT_INDEX, WORK_INDEX, WORK_INDEX_COLUMNS


def as_schema_7(path) -> None:
    """A database of this intd turned back into schema 7's indexes."""
    conn = sqlite3.connect(path)
    conn.execute(f'DROP INDEX "{PARTICIPANT_INDEX}"')
    conn.execute(
        'CREATE INDEX "idx_placements_participant_id_start_date" '
        'ON "placements" ("participant_id", "start_date")'
    )
    cols = ", ".join(f'"{c}"' for c in WORK_INDEX_COLUMNS)
    conn.execute(
        f'CREATE INDEX "{WORK_INDEX}" ON "placements" ({cols}) '
        "WHERE \"type\" IN ('job', 'apprenticeship', 'education')"
    )
    conn.execute("PRAGMA user_version = 7")
    conn.commit()
    conn.close()


def placement_indexes(path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[1] for r in conn.execute("PRAGMA index_list(placements)")}
    finally:
        conn.close()


def test_a_schema_7_database_gets_one_participant_index_and_keeps_its_figures(
    tmp_path, cli, cli_json, db
):
    participants = write_csv(
        tmp_path / "p.csv",
        PARTICIPANT_HEADER,
        [
            ["D1", "", 1990, "K", "", "3005", "", "", "2019-06-01", "fullført", ""],
            ["D2", "", 1985, "M", "", "3005", "", "", "2019-08-01", "avbrutt", ""],
        ],
    )
    placements = write_csv(
        tmp_path / "pl.csv",
        PLACEMENT_HEADER,
        [
            placement_row("D1", "2019-07-01", placement_id="PL1"),
            placement_row("D2", "2018-01-01", placement_id="PL2", kind="kurs"),
        ],
    )
    assert cli("import", str(participants), str(placements)).exit_code == 0
    before = cli_json("progress", "--year", "2019")
    as_schema_7(db)
    assert {WORK_INDEX, "idx_placements_participant_id_start_date"} <= placement_indexes(db)

    later = write_csv(
        tmp_path / "later.csv",
        PLACEMENT_HEADER,
        [placement_row("D2", "2019-09-01", placement_id="PL3")],
    )
    assert cli("import", str(later)).exit_code == 0

    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 8
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    columns = [r[2] for r in conn.execute(f'PRAGMA index_info("{PARTICIPANT_INDEX}")')]
    assert columns == ["participant_id", "start_date", "type", "end_date"]
    conn.close()
    indexes = placement_indexes(db)
    assert PARTICIPANT_INDEX in indexes
    assert not {WORK_INDEX, "idx_placements_participant_id_start_date"} & indexes

    after = cli_json("progress", "--year", "2019")
    goal = next(g for g in before["goals"] if g["id"] == "id-2016-2020")
    goal_after = next(g for g in after["goals"] if g["id"] == "id-2016-2020")
    # D1's job of 2019 counted before; D2's new job of 2019 counts after.
    assert (goal["actual"], goal_after["actual"]) == (1, 2)
    # The cohort of 2019: D1 (a job 30 days after the end: directly into work) and D2
    # (a course before, the new job 31 days after its end: not directly), before and
    # after the migration alike.
    direct = [next(i for i in d["intro"] if i["id"] == "intro-direct-55") for d in (before, after)]
    assert [(i["ended"], i["work_or_education"]) for i in direct] == [(2, 1), (2, 1)]
