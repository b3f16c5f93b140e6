"""Issue 17: the optional participant columns of the language-training requirement are
read under Norwegian and English names, stored by migration 6, and a database of
schema 5 gets them without losing a row."""

from __future__ import annotations

import sqlite3

import pytest

from conftest import PARTICIPANT_HEADER, is_postgres, participant_row, write_csv
from intdrammen.importers.columns import (
    ALIASES,
    PARTICIPANTS,
    ValueProblem,
    parse_hours,
    parse_level,
    parse_yes_no,
)
from intdrammen.store import MIGRATIONS, SCHEMA_VERSION

LANGUAGE = [
    "norwegian_hours",
    "social_studies_hours",
    "permit_date",
    "norwegian_level",
    "social_studies_passed",
]


def test_the_columns_have_norwegian_names():
    names = ALIASES[PARTICIPANTS]
    assert names["timernorsk"] == "norwegian_hours"
    assert names["timersamfunnskunnskap"] == "social_studies_hours"
    assert names["oppholdstillatelse"] == "permit_date"
    assert names["norskniva"] == "norwegian_level"
    assert names["samfunnskunnskapsprovebestatt"] == "social_studies_passed"


def test_values_are_parsed_or_refused():
    assert parse_hours("550") == 550.0 and parse_hours("37,5") == 37.5
    assert parse_level("nivå b1") == "B1" and parse_level("A2") == "A2"
    assert parse_yes_no("Ja") == 1 and parse_yes_no("ikke bestått") == 0
    for parser, value in ((parse_hours, "-3"), (parse_level, "D4"), (parse_yes_no, "kanskje")):
        with pytest.raises(ValueProblem) as caught:
            parser(value)
        assert caught.value.code == "E-RANGE"


@pytest.mark.both_backends
def test_the_columns_are_imported_under_norwegian_headers(tmp_path, cli, db, both_parse_paths):
    header = [
        *PARTICIPANT_HEADER,
        "Timer norsk",
        "Timer samfunnskunnskap",
        "Oppholdstillatelse",
        "Norsknivå",
        "Samfunnskunnskapsprøve bestått",
    ]
    rows = [
        [*participant_row("D1", "3301", end="2023-06-30"), "600", "50", "15.03.2021", "B1", "ja"],
        [*participant_row("D2", "3301", end="2023-06-30"), "", "", "", "", ""],
    ]
    result = cli("import", str(write_csv(tmp_path / "deltakere.csv", header, rows)))
    assert result.exit_code == 0, result.output
    sql = f"SELECT participant_id, {', '.join(LANGUAGE)} FROM participants ORDER BY 1"
    if is_postgres(db):
        import psycopg

        with psycopg.connect(str(db)) as conn:
            got = conn.execute(sql).fetchall()
    else:
        with sqlite3.connect(db) as conn:
            got = conn.execute(sql).fetchall()
    assert [tuple(r) for r in got] == [
        ("D1", 600.0, 50.0, "2021-03-15", "B1", 1),
        ("D2", None, None, None, None, None),
    ]


def test_a_schema_5_database_gets_the_columns_and_keeps_its_rows(tmp_path, cli, db):
    conn = sqlite3.connect(db)
    for migration in MIGRATIONS[:5]:
        migration(conn)
    conn.execute("PRAGMA user_version = 5")
    conn.execute(
        "INSERT INTO batches (id, file, sha256, kind, rows, imported_at) "
        "VALUES (1, 'old.csv', 'x', 'participants', 1, '2026-01-01T00:00:00+00:00')"
    )
    conn.execute(
        "INSERT INTO participants (rowid, participant_id, municipality, batch_id, source_row) "
        "VALUES (4, 'D0', '3301', 1, 2)"
    )
    conn.commit()
    conn.close()
    new = write_csv(
        tmp_path / "new.csv",
        [*PARTICIPANT_HEADER, "hours_norwegian"],
        [[*participant_row("D1", "3301"), "300"]],
    )
    assert cli("import", str(new)).exit_code == 0
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    for table in ("participants", "participants_versions"):
        columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
        assert set(LANGUAGE) <= set(columns), table
    rows = conn.execute(
        "SELECT rowid, participant_id, norwegian_hours FROM participants ORDER BY rowid"
    ).fetchall()
    assert rows == [(4, "D0", None), (rows[1][0], "D1", 300.0)]
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
