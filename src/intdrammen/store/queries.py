"""The read queries: the figure queries (first job starts, introduction records, cohort
activities, activities, data years) and the listings and checks `intd check` and the API
use (integrity, municipality codes, counts, stored rows).

Each figure query is a pre-filter that uses an index (tests/test_query_plans.py);
metrics.py applies the definitions to the typed rows it returns. A seam of its own:
issue 15 moves figures to set-based facts here, and a second backend (PostgreSQL, issue
16) implements the same methods.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from intdrammen.models import Activity, IntroRecord, JobStart
from intdrammen.store.base import StoreBase
from intdrammen.store.schema import SCHEMA_VERSION, TABLES
from intdrammen.store.sql import (
    WORK_OR_EDUCATION_TYPES_SQL,
    WORK_TYPES_SQL,
    _municipality_sql,
    _person_sql,
    _source_sql,
)


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


class QueryMixin(StoreBase):
    """Figure queries, listings and checks."""

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
        self,
        start: date,
        end: date,
        *,
        by_year: bool = False,
        by_day: bool = False,
        facts: bool = False,
    ) -> Iterator[JobStart]:
        """Per participant id (and calendar year, with `by_year`; and start day, with
        `by_day`: every job start) the earliest job or apprenticeship starting in
        [start, end], with the person and municipality, and with `facts` what
        breakdowns split by (gender ... employer; else None).

        The earliest start per participant id comes from the covering index on
        (type, participant_id, start_date) alone, with the rowid of its placement
        (SQLite gives the bare columns of a MIN() query the values of the row holding
        the minimum; PostgreSQL would use DISTINCT ON). Only then are the participant
        and, for `facts`, that one placement looked up: one lookup per participant id,
        not per job."""
        year = "substr(start_date, 1, 4)" if by_year or by_day else "'0'"
        group = "start_date" if by_day else "y"
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
            f"AND start_date BETWEEN ? AND ? GROUP BY participant_id, {group}) "
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

    def data_years(self) -> tuple[int, int] | None:
        row = self.conn.execute(
            "SELECT MIN(y), MAX(y) FROM (SELECT MIN(substr(start_date, 1, 4)) AS y FROM "
            "placements UNION ALL SELECT MAX(substr(start_date, 1, 4)) FROM placements "
            "UNION ALL SELECT MIN(substr(intro_end, 1, 4)) FROM participants "
            "UNION ALL SELECT MAX(substr(intro_end, 1, 4)) FROM participants)"
        ).fetchone()
        return None if row[0] is None else (int(row[0]), int(row[1]))
