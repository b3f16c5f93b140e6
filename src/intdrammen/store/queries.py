"""The read queries: the figure queries and the listings and checks `intd check` and the
API use (integrity, municipality codes, counts, stored rows).

Figures come two ways. Counts (`first_job_counts`, `report_job_counts`,
`cohort_counts`) are set-based: SQLite groups by municipality code, month or year and
region row, and a region enters the SQL as data (`MemberPeriod`: its members per
period), so no row per person reaches Python; `intd progress` and `intd report` without
`--by` use only these (issue 15), and count them through `split`: two halves of the
participants at once, on two connections that read one committed state. Rows
(`first_job_starts`, `intro_records`, `cohort_activities`, `activities`) are
pre-filters that return typed rows for metrics.py to apply the definitions to:
`explain` and the breakdowns, which show or split by each person, use them.
tests/test_differential.py holds the two ways, and metrics.py, to the same figures;
tests/test_query_plans.py checks that no figure query scans the placements, and
tests/test_split.py that the halves add up and read one state. A second backend
(PostgreSQL, issue 16) implements the same methods.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple, TypeVar

from intdrammen.models import Activity, IntroRecord, JobStart, LanguageRecord
from intdrammen.store.base import StoreBase
from intdrammen.store.connection import _connect
from intdrammen.store.schema import SCHEMA_VERSION, TABLES
from intdrammen.store.sql import (
    WORK_OR_EDUCATION_OUTCOMES_SQL,
    WORK_OR_EDUCATION_TYPES_SQL,
    _municipality_sql,
    _person_sql,
    _source_sql,
    work_types,
)


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


@dataclass(frozen=True)
class MemberPeriod:
    """Records with municipality `code` count, on a day from `start` to `end` (both
    included; None: open), for the region row numbered `row`: a region's members per
    period as data the set-based queries put into their SQL (reports.context builds
    them from a resolved `Region`). Of several periods that hold a record's code on its
    day, the smallest `row` is the record's row, as `Region.member_for` picks the first
    member."""

    code: str
    start: date | None = None
    end: date | None = None
    row: int = 0


class JobCount(NamedTuple):
    """How many persons' first job (see `first_job_counts`) started in one month, by
    municipality code and region row."""

    municipality: str | None
    year: int  # the calendar year of the window with `by_year`, else 0
    month: tuple[int, int]  # (year, month) of the first job's start
    row: int | None  # the region row (None: no region)
    persons: int


class CohortCount(NamedTuple):
    """The members of one cohort year with one municipality code and region row, and
    how many of them are in work or education by each measure."""

    year: int
    municipality: str | None
    row: int | None
    ended: int
    direct: int
    one_year: int  # 0 when the one-year measure was not asked for


class LanguageCount(NamedTuple):
    """The members of one cohort year, municipality code and region row (programme
    ended completed or interrupted) who share everything the language-training
    requirement reads: the rule their date falls under (its position in the rules given;
    None: no rule holds it, or no date), whether that date is the permit date or the
    settlement date (None: neither known), the hours and the level. `day` is the
    earliest of their dates: any of them picks the same rule."""

    year: int
    municipality: str | None
    row: int | None
    rule: int | None
    basis: str | None
    norwegian_hours: float | None
    social_studies_hours: float | None
    norwegian_level: str | None
    day: date | None
    members: int


T = TypeVar("T")

# From this many participants on, `QueryMixin.split` counts in two halves at once (on two
# cores); below it the second connection and thread cost more than they save.
SPLIT_FROM = 20_000


class Part(NamedTuple):
    """The persons a set-based count counts: those whose participant id is in [lo, hi)
    (None: open). Counts of disjoint parts add up to the count of all (see `split`)."""

    lo: str | None = None
    hi: str | None = None


EVERYONE = Part()


def _part_sql(column: str, part: Part) -> tuple[str, list[object]]:
    """` AND` conditions keeping the rows whose `column` is in `part`, and their
    parameters."""
    sql = ""
    params: list[object] = []
    if part.lo is not None:
        sql, params = f" AND {column} >= ?", [part.lo]
    if part.hi is not None:
        sql, params = f"{sql} AND {column} < ?", [*params, part.hi]
    return sql, params


class _Half(threading.Thread):
    """One call of `QueryMixin.split` on a read connection of its own, in a thread
    (sqlite3 lets go of the GIL while SQLite steps a query). It never waits for a lock:
    when it cannot read at once (a writer is committing), `ok` stays False and the
    caller counts this half itself, in its own snapshot."""

    def __init__(self, path: str, call: Callable[[QueryMixin], T]) -> None:
        super().__init__(daemon=True)
        self.path, self.call = path, call
        self.ok = False
        self.result: object = None
        self.conn: sqlite3.Connection | None = None
        self.stopped = threading.Event()
        self.lock = threading.Lock()  # `stop` never interrupts a connection being closed

    def run(self) -> None:
        try:
            conn = _connect(self.path, readonly=True)
        except sqlite3.Error:
            return
        with self.lock:
            self.conn = conn
        try:
            conn.execute("PRAGMA busy_timeout = 0")
            conn.execute("BEGIN")
            conn.execute("SELECT COUNT(*) FROM batches").fetchone()  # the read lock, now
            if self.stopped.is_set():
                return
            reader = QueryMixin(conn)
            # What `split` presumes while it checks (and stops this thread if wrong).
            reader._shared_keys = False
            self.result = self.call(reader)
            self.ok = True
        except sqlite3.Error:  # a lock it could not have at once, or `stop`
            self.ok = False
        finally:
            with self.lock:
                self.conn = None
                conn.close()

    def stop(self) -> None:
        """Abort the query the thread is running (its result is not wanted)."""
        self.stopped.set()
        with self.lock:
            if self.conn is not None:
                self.conn.interrupt()


def _member_ctes(members: Sequence[MemberPeriod] | None) -> tuple[list[str], list[object]]:
    """The CTEs a figure query starts from, with their parameters: an `m(code, lo, hi,
    row)` of the periods, or none without a region (None)."""
    if members is None:
        return [], []
    rows = ", ".join("(?, ?, ?, ?)" for _ in members)
    params: list[object] = []
    for m in members:
        params += [m.code, _iso(m.start), _iso(m.end), m.row]
    return [f"m(code, lo, hi, row) AS (VALUES {rows})"], params


def _next_year_day(column: str, month_day: tuple[int, int]) -> str:
    """The ISO date of (month, day) in the year after the ISO date in `column` (intd's
    dates have four-digit years), in SQL both backends read alike."""
    month, day = month_day
    return f"CAST(CAST(substr({column}, 1, 4) AS INTEGER) + 1 AS TEXT) || '-{month:02d}-{day:02d}'"


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


# The meta row of `record_facts`: "1" where two participant ids share a fødselsnummer.
SHARED_KEYS_FACT = "shared_person_keys"


def _row_sql(code: str, day: str) -> str:
    """The region row of a record with municipality `code` on `day` (NULL: not in it)."""
    return (
        f"(SELECT MIN(m.row) FROM m WHERE m.code = {code} AND (m.lo IS NULL OR m.lo <= {day}) "
        f"AND (m.hi IS NULL OR m.hi >= {day}))"
    )


class QueryMixin(StoreBase):
    """Figure queries, listings and checks."""

    _shared_keys: bool | None = None

    def _shares_person_keys(self) -> bool:
        """Whether two participant ids share a fødselsnummer (one person) anywhere in
        the database; asked once per connection (the figures never write). Read from
        the fact every SQLite write transaction records (`record_facts`), else counted."""
        if self._shared_keys is None:
            recorded = self.meta(SHARED_KEYS_FACT) if self._records_facts() else None
            if recorded in ("0", "1"):
                self._shared_keys = recorded == "1"
            else:
                self._shared_keys = self._count_shared_person_keys()
        return self._shared_keys

    def _records_facts(self) -> bool:
        """Whether this store's write transactions record the facts about the data
        (SQLite: one writer at a time; not PostgreSQL, where an office may not write
        meta and sees only its own rows)."""
        return isinstance(self.conn, sqlite3.Connection)

    def _count_shared_person_keys(self) -> bool:
        # Counted, not EXISTS: PostgreSQL plans an EXISTS to stop early, walking the
        # person_key index row by row (0.46 s on 200k participants, freshly loaded),
        # where it hashes the whole table for a count (0.2 s); SQLite does the same
        # work either way where no key is shared, the usual case.
        row = self.conn.execute(
            "SELECT COUNT(*) FROM (SELECT person_key FROM participants WHERE person_key "
            "IS NOT NULL GROUP BY person_key HAVING COUNT(*) > 1) s"
        ).fetchone()
        return bool(row[0])

    _facts_start: tuple[int, int, int] | None = None

    def _batches_state(self) -> tuple[int, int, int]:
        row = self.conn.execute(
            "SELECT COALESCE(MAX(id), 0), COUNT(*), "
            "COALESCE(SUM(CASE WHEN undone_at IS NULL THEN 0 ELSE 1 END), 0) FROM batches"
        ).fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    def begin_facts(self) -> None:
        """Note, at the start of a write transaction, the batches there are (what
        `record_facts` needs to check only the rows this transaction wrote)."""
        if self._records_facts():
            self._facts_start = self._batches_state()

    def record_facts(self) -> None:
        """Record, in the write transaction about to commit, the facts about the data
        the figures ask for at every read: whether any two participant ids share a
        fødselsnummer (which decides whether `split` may count two halves at once, and
        which SQL counts persons). `intd check` compares the fact with the data.

        Where none shared one before and this transaction only imported (no batch was
        undone or dropped), only the participant rows it wrote can have made a pair:
        every row an import inserts or changes carries one of its new batches, and a
        row it removes cannot make one. Those rows are checked against the person_key
        index, a probe each (10k rows into 200k: ~10 ms). Otherwise (the first import,
        an undo, a pair before) one pass over the person keys (~0.05-0.2 s at 200k)."""
        if not self._records_facts():
            return
        before, start = self.meta(SHARED_KEYS_FACT), self._facts_start
        now = self._batches_state()
        only_added = (
            before == "0"
            and start is not None
            and now[2] == start[2]
            and self.conn.execute(
                "SELECT COUNT(*) FROM batches WHERE id <= ?", (start[0],)
            ).fetchone()[0]
            == start[1]
        )
        if only_added and start is not None:
            shared = bool(
                self.conn.execute(
                    "SELECT EXISTS (SELECT 1 FROM participants p WHERE p.batch_id > ? "
                    "AND p.person_key IS NOT NULL AND EXISTS (SELECT 1 FROM participants q "
                    "WHERE q.person_key = p.person_key AND q.participant_id <> "
                    "p.participant_id))",
                    (start[0],),
                ).fetchone()[0]
            )
        else:
            shared = self._count_shared_person_keys()
        self.set_meta(SHARED_KEYS_FACT, "1" if shared else "0")
        self._shared_keys = None

    # -------------------------------------------------------------- checks

    def integrity_problems(self) -> list[str]:
        """SQLite's own integrity check plus intd's consistency rules."""
        problems = [row[0] for row in self.conn.execute("PRAGMA integrity_check")]
        problems = [] if problems == ["ok"] else problems
        problems += [f"foreign key: {row}" for row in self.conn.execute("PRAGMA foreign_key_check")]
        problems += self._rule_problems()
        recorded = self.meta(SHARED_KEYS_FACT) if self._records_facts() else None
        if recorded is not None and recorded != str(int(self._count_shared_person_keys())):
            problems.append(
                f"the recorded fact {SHARED_KEYS_FACT}={recorded} does not match the "
                "participants (the database was changed outside intd)"
            )
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            problems.append(f"schema version {version}, expected {SCHEMA_VERSION}")
        return problems

    def _rule_problems(self) -> list[str]:
        """Where the stored rows break intd's consistency rules."""
        problems: list[str] = []
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

    def split(self, count: Callable[[QueryMixin, Part], T]) -> list[T]:
        """`count(store, part)` for two halves of the participant ids, at once: the
        first on this connection, the second on a read connection of its own in a
        thread; the caller adds the halves up (every set-based count is a sum over
        persons). One call with `EVERYONE` where that cannot pay (a small database) or
        is not sound: inside a transaction, or where two participant ids share a
        fødselsnummer (one person would straddle the halves; this connection checks
        that while the thread already counts, and stops it where they do).

        Both halves read one committed state. This connection begins a read
        transaction and reads (SQLite's shared lock) before the thread starts, and ends
        it only after the thread finished; a commit needs every shared lock gone
        (intd's databases keep a rollback journal, never WAL), so none can land between
        the two snapshots. The thread never waits for a lock: if a writer is about to
        commit it cannot read, and this connection counts the second half itself, in
        its own snapshot."""
        if self.conn.in_transaction:
            return [count(self, EVERYONE)]
        self.conn.execute("BEGIN")
        try:
            n = self.conn.execute("SELECT COUNT(*) FROM participants").fetchone()[0]
            path = self.conn.execute("PRAGMA database_list").fetchone()[2]
            if n < SPLIT_FROM or not path or self._shared_keys:
                return [count(self, EVERYONE)]
            middle = self.conn.execute(
                "SELECT participant_id FROM participants ORDER BY participant_id LIMIT 1 OFFSET ?",
                (n // 2,),
            ).fetchone()[0]
            first, second = Part(None, middle), Part(middle, None)
            # The thread starts at once, on what is by far the usual case (no shared
            # fødselsnummer); this connection checks that meanwhile and, where it was
            # wrong, stops the thread and counts everyone itself.
            half = _Half(path, lambda store: count(store, second))
            half.start()
            try:
                if self._shares_person_keys():
                    half.stop()
                    return [count(self, EVERYONE)]
                here = count(self, first)
            except BaseException:
                half.stop()
                raise
            finally:
                half.join()
            there: T = half.result if half.ok else count(self, second)  # type: ignore[assignment]
            return [here, there]
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")

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

        The earliest start per participant id comes from the placements' index in
        participant order alone (migration 8). Only then are the
        participant and, for `facts`, the placement of that start looked up (the first stored, by
        rowid, where one participant id started two jobs that day): one lookup per
        participant id, not per job."""
        year = "substr(start_date, 1, 4)" if by_year or by_day else "'0'"
        group = "start_date" if by_day else "y"
        columns = "NULL, NULL, NULL, NULL, NULL"
        join = placement = ""
        if facts:
            columns = (
                "pa.gender, pa.country, pa.birth_year, pl.channel, "
                "COALESCE(pl.employer_name, pl.employer_orgnr)"
            )
            placement = (
                ", (SELECT MIN(x.rowid) FROM placements x WHERE x.participant_id = "
                f"f0.participant_id AND {work_types('x.type')} "
                "AND x.start_date = f0.first_start) AS placement"
            )
            join = "CROSS JOIN placements pl ON pl.rowid = f.placement "
        sql = (
            "WITH f0 AS MATERIALIZED (SELECT participant_id, MIN(start_date) AS first_start, "
            f"{year} AS y FROM placements WHERE {work_types()} "
            f"AND start_date BETWEEN ? AND ? GROUP BY participant_id, {group}), "
            f"f AS MATERIALIZED (SELECT f0.*{placement} FROM f0) "
            f"SELECT f.participant_id, {_person_sql('pa', 'f')}, "
            f"{_municipality_sql('pa', 'f')}, f.first_start, f.y, {columns} FROM f {join}"
            "LEFT JOIN participants pa ON pa.participant_id = f.participant_id"
        )
        for row in self.conn.execute(sql, (start.isoformat(), end.isoformat())):
            yield JobStart(
                row[0], row[1], row[2], date.fromisoformat(row[3]), int(row[4]), *row[5:]
            )

    def first_job_counts(
        self,
        start: date,
        end: date,
        members: Sequence[MemberPeriod] | None = None,
        *,
        by_year: bool = False,
        member_days: bool = False,
        part: Part = EVERYONE,
    ) -> list[JobCount]:
        """Set-based *into work*: per person (the keyed fødselsnummer hash, else the
        participant id) the earliest job or apprenticeship starting in [start, end] (and
        in each calendar year, with `by_year`); ties: the smaller participant id, whose
        record gives the municipality. Counted by municipality code, year and month of
        that start and region row. With `members` (None: everyone) only persons whose
        first job is in the region on its start day count (a goal's rule,
        metrics.first_job_in_window then persons_into_work); with `member_days`, each
        person's first job on a day they belong counts instead (the report's rows,
        tables.first_member_jobs).

        The same figures as metrics.py on the rows of `first_job_starts`
        (tests/test_differential.py), but SQLite does the counting: no row per person
        reaches Python. With `part`, only the persons of those participant ids (no two
        of which may share a fødselsnummer: see `split`)."""
        if members is not None and not members:
            return []  # nobody can be in a region without members
        ctes, params = _member_ctes(members)
        year = "substr(start_date, 1, 4)" if by_year else "'0'"
        some, some_params = _part_sql("participant_id", part)
        window = f"{work_types()} AND start_date BETWEEN ? AND ?{some}"
        params += [start.isoformat(), end.isoformat(), *some_params]
        dated = members is not None and any(m.start or m.end for m in members)
        if member_days and dated:
            # A dated member: a job before the member joined is passed over for a later
            # one, so membership is decided per job start, before the earliest is taken.
            ctes.append(
                "c AS MATERIALIZED (SELECT f.participant_id AS pid, pa.person_key AS k, "
                f"{_municipality_sql('pa', 'f')} AS code FROM (SELECT DISTINCT "
                f"participant_id FROM placements WHERE {window}) f "
                "LEFT JOIN participants pa ON pa.participant_id = f.participant_id)"
            )
            params += [start.isoformat(), end.isoformat()]
            ctes.append(
                "j AS MATERIALIZED (SELECT c.pid, c.k, c.code, "
                f"{year.replace('start_date', 'pl.start_date')} AS y, "
                "MIN(pl.start_date) AS s FROM c CROSS JOIN placements pl "
                f"WHERE pl.participant_id = c.pid AND {work_types('pl.type')} "
                "AND pl.start_date BETWEEN ? AND ? "
                f"AND {_row_sql('c.code', 'pl.start_date')} IS NOT NULL "
                "GROUP BY c.pid, c.k, c.code, y)"
            )
        else:
            ctes.append(
                "f AS MATERIALIZED (SELECT participant_id, MIN(start_date) AS s, "
                f"{year} AS y FROM placements WHERE {window} GROUP BY participant_id, y)"
            )
            keep = ""
            if member_days and members is not None:  # undated: the code decides
                keep = "WHERE code IN (SELECT code FROM m)"
            ctes.append(
                "j AS (SELECT * FROM (SELECT f.participant_id AS pid, f.s, f.y, "
                f"pa.person_key AS k, {_municipality_sql('pa', 'f')} AS code FROM f "
                f"LEFT JOIN participants pa ON pa.participant_id = f.participant_id) q {keep})"
            )
        if self._shares_person_keys():
            # Persons under several participant ids (one fødselsnummer): the earliest
            # start of any of them, ties by the participant id (a date has a fixed
            # width, so the concatenation orders as the pair). Everyone else is their
            # participant id.
            ctes[-1] = ctes[-1].replace("j AS (", "j AS MATERIALIZED (", 1)
            ctes.append(
                "shared AS MATERIALIZED (SELECT person_key AS k FROM participants "
                "WHERE person_key IS NOT NULL GROUP BY person_key HAVING COUNT(*) > 1)"
            )
            ctes.append(
                "p AS (SELECT code, s, y FROM j WHERE k IS NULL OR k NOT IN (SELECT k FROM shared) "
                "UNION ALL SELECT j.code, j.s, j.y FROM (SELECT k, y, MIN(s || pid) AS first "
                "FROM j WHERE k IN (SELECT k FROM shared) GROUP BY k, y) q JOIN j "
                "ON j.k = q.k AND j.y = q.y AND j.s = substr(q.first, 1, 10) "
                "AND j.pid = substr(q.first, 11))"
            )
        else:
            ctes.append("p AS (SELECT code, s, y FROM j)")
        # Counted by code and day (a dated region) or month first; only then is each
        # group's region row looked up: once per group, not per person.
        day = "s" if dated else "substr(s, 1, 7)"
        ctes.append(f"g AS (SELECT code, y, {day} AS d, COUNT(*) AS n FROM p GROUP BY code, y, d)")
        row = "NULL" if members is None else _row_sql("g.code", "g.d")
        sql = (
            f"WITH {', '.join(ctes)} SELECT code, y, substr(d, 1, 7) AS month, row, SUM(n) "
            f"FROM (SELECT g.*, {row} AS row FROM g) q "
            f"{'' if members is None else 'WHERE row IS NOT NULL '}"
            "GROUP BY code, y, month, row"
        )
        return [
            JobCount(r[0], int(r[1]), (int(r[2][:4]), int(r[2][5:])), r[3], r[4])
            for r in self.conn.execute(sql, params)
        ]

    def report_job_counts(
        self,
        start: date,
        end: date,
        members: Sequence[MemberPeriod] | None = None,
        part: Part = EVERYONE,
    ) -> tuple[list[JobCount], list[JobCount]]:
        """What a report counts of persons into work: `first_job_counts` per calendar
        year (`by_year`), and over the whole period on a day they belong
        (`member_days`); months are (0, 0).

        Where every person is one participant id and the region has no dated member,
        both come from one pass: per participant id the set of years with a job start
        (and its record's municipality), grouped by municipality and that set. A person
        then counts in each year of the set and once over the period. `part`: as in
        `first_job_counts`."""
        dated = members is not None and any(m.start or m.end for m in members)
        if dated or self._shares_person_keys() or (members is not None and not members):
            years = self.first_job_counts(start, end, members, by_year=True, part=part)
            period = self.first_job_counts(start, end, members, member_days=True, part=part)
            return (
                [c._replace(month=(0, 0)) for c in years],
                [c._replace(month=(0, 0)) for c in period],
            )
        ctes, params = _member_ctes(members)
        keep = "" if members is None else "WHERE code IN (SELECT code FROM m)"
        some, some_params = _part_sql("participant_id", part)
        ctes.append(
            "f AS MATERIALIZED (SELECT participant_id, "
            "group_concat(DISTINCT substr(start_date, 1, 4)) AS ys FROM placements "
            f"WHERE {work_types()} AND start_date BETWEEN ? AND ?{some} "
            "GROUP BY participant_id)"
        )
        params += [start.isoformat(), end.isoformat(), *some_params]
        ctes.append(
            f"j AS (SELECT * FROM (SELECT f.ys, {_municipality_sql('pa', 'f')} AS code FROM f "
            f"LEFT JOIN participants pa ON pa.participant_id = f.participant_id) q {keep})"
        )
        row = "NULL" if members is None else _row_sql("t.code", "NULL")
        sql = (
            f"WITH {', '.join(ctes)} SELECT t.code, t.ys, {row}, t.n FROM "
            "(SELECT code, ys, COUNT(*) AS n FROM j GROUP BY code, ys) t"
        )
        by_year: dict[tuple[str | None, int, int | None], int] = {}
        over: dict[tuple[str | None, int | None], int] = {}
        for code, ys, region_row, n in self.conn.execute(sql, params):
            for y in ys.split(","):
                key = (code, int(y), region_row)
                by_year[key] = by_year.get(key, 0) + n
            over[code, region_row] = over.get((code, region_row), 0) + n
        return (
            [JobCount(c, y, (0, 0), r, n) for (c, y, r), n in by_year.items()],
            [JobCount(c, 0, (0, 0), r, n) for (c, r), n in over.items()],
        )

    def cohort_counts(
        self,
        start: date,
        end: date,
        days_after: int | None,
        measured_on: tuple[int, int] | None,
        members: Sequence[MemberPeriod] | None = None,
        part: Part = EVERYONE,
    ) -> list[CohortCount]:
        """Set-based introduction cohorts of the years [start, end] (metrics.intro_cohort):
        the members (programme ended completed or interrupted, in the region on the end
        date with `members`) counted by year, municipality code and region row, with
        how many are in work or education directly (explicit outcome, else a work or
        education placement of the person active on the end date or starting within
        `days_after` days after it) and one year after (explicit status, else such a
        placement active on `measured_on` of the next year). A measure not asked for
        (`days_after` or `measured_on` None) counts 0. With `part`, only the members
        with those participant ids."""
        if members is not None and not members:
            return []
        ctes, params = _member_ctes(members)
        row = "NULL" if members is None else _row_sql("pa.municipality", "pa.intro_end")
        # Over more than a few years most participants are read: one pass over the
        # table then costs a fraction of a lookup per member through the intro_end index.
        wide = (end - start).days > 3 * 366
        # The one-year day of each member, computed once (NULL: not asked for).
        one_year_day = "NULL"
        some, some_params = _part_sql("participant_id", part)
        if measured_on is not None:
            one_year_day = _next_year_day("intro_end", measured_on)
        ctes.append(
            "c AS (SELECT * FROM (SELECT participant_id AS pid, person_key AS k, "
            "municipality AS code, intro_end AS e, intro_outcome AS o, status_1y AS s1, "
            f"{one_year_day} AS d, {row} AS row FROM participants pa "
            f"{'NOT INDEXED ' if wide else ''}"
            "WHERE intro_end BETWEEN ? AND ? AND intro_end_reason IN ('completed', 'interrupted')"
            f"{some}) q"
            f"{'' if members is None else ' WHERE row IS NOT NULL'})"
        )
        params += [start.isoformat(), end.isoformat(), *some_params]

        shared = self._shares_person_keys()

        def exists(relevant: str, latest_first: bool = False) -> str:
            # A placement of the member's own participant id, or of another id with the
            # same fødselsnummer (where any two ids share one). `latest_first`: looked
            # for from the latest start back, where the latest is the likeliest match
            # (an active one), so the search mostly stops at the first row.
            own = (
                f"EXISTS (SELECT 1 FROM placements pl WHERE pl.participant_id = c.pid "
                f"AND pl.type IN {WORK_OR_EDUCATION_TYPES_SQL} AND {relevant})"
            )
            if latest_first:
                own = (
                    f"(SELECT 1 FROM placements pl WHERE pl.participant_id = c.pid "
                    f"AND pl.type IN {WORK_OR_EDUCATION_TYPES_SQL} AND {relevant} "
                    "ORDER BY pl.start_date DESC LIMIT 1) IS NOT NULL"
                )
            if not shared:
                return own
            return (
                f"({own} OR "
                "(c.k IS NOT NULL AND EXISTS (SELECT 1 FROM participants x CROSS JOIN "
                "placements pl WHERE x.person_key = c.k AND x.participant_id <> c.pid "
                f"AND pl.participant_id = x.participant_id "
                f"AND pl.type IN {WORK_OR_EDUCATION_TYPES_SQL} AND {relevant})))"
            )

        direct = "0"
        if days_after is not None:
            starts = exists(
                f"pl.start_date <= date(c.e, '+{days_after:d} days') AND "
                "(pl.start_date > c.e OR pl.end_date IS NULL OR pl.end_date >= c.e)"
            )
            # Numbers, not truth values, are added up (PostgreSQL has no SUM of booleans).
            direct = (
                "SUM(CASE WHEN c.o IS NOT NULL THEN CASE WHEN c.o IN "
                f"{WORK_OR_EDUCATION_OUTCOMES_SQL} THEN 1 ELSE 0 END "
                f"WHEN {starts} THEN 1 ELSE 0 END)"
            )
        one_year = "0"
        if measured_on is not None:
            active = exists(
                "pl.start_date <= c.d AND (pl.end_date IS NULL OR pl.end_date >= c.d)",
                latest_first=True,
            )
            one_year = (
                "SUM(CASE WHEN c.s1 IS NOT NULL THEN CASE WHEN c.s1 IN "
                f"{WORK_OR_EDUCATION_OUTCOMES_SQL} THEN 1 ELSE 0 END "
                f"WHEN {active} THEN 1 ELSE 0 END)"
            )
        sql = (
            f"WITH {', '.join(ctes)} SELECT substr(c.e, 1, 4) AS y, c.code, c.row, COUNT(*), "
            f"{direct}, {one_year} FROM c GROUP BY y, c.code, c.row"
        )
        return [
            CohortCount(int(r[0]), r[1], r[2], r[3], r[4], r[5])
            for r in self.conn.execute(sql, params)
        ]

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

    def language_counts(
        self,
        start: date,
        end: date,
        rule_periods: Sequence[tuple[date | None, date | None]],
        members: Sequence[MemberPeriod] | None = None,
        part: Part = EVERYONE,
    ) -> list[LanguageCount]:
        """Set-based `language_records` for outputs that show counts only: the cohort
        members of the years [start, end] (in the region on their end date, with
        `members`) grouped by what the requirement reads, the rule by the first of
        `rule_periods` (start, end; None: open) that holds the permit date, else the
        settlement date (metrics.language_requirement's choice), so the caller judges each
        group once (tests/test_language_counts.py holds it to the per-member path). With
        `part`, only the members with those participant ids."""
        if members is not None and not members:
            return []
        ctes, params = _member_ctes(members)
        # The first period that holds the date, as a CASE (its WHENs are tried in
        # order): cheaper per member than a lookup in a table of the periods.
        whens, rule_params = [], []
        for i, (lo, hi) in enumerate(rule_periods):
            test = " AND ".join([*(["c.d >= ?"] if lo else []), *(["c.d <= ?"] if hi else [])])
            whens.append(f"WHEN {test or 'c.d IS NOT NULL'} THEN {i:d}")
            rule_params += [*([lo.isoformat()] if lo else []), *([hi.isoformat()] if hi else [])]
        rule = f"CASE {' '.join(whens)} END" if whens else "NULL"
        row = "NULL" if members is None else _row_sql("pa.municipality", "pa.intro_end")
        wide = "NOT INDEXED " if (end - start).days > 3 * 366 else ""  # as cohort_counts
        some, some_params = _part_sql("participant_id", part)
        ctes.append(
            "c AS (SELECT substr(intro_end, 1, 4) AS y, municipality AS code, "
            f"{row} AS row, COALESCE(permit_date, settled_date) AS d, "
            "CASE WHEN permit_date IS NOT NULL THEN 'permit' WHEN settled_date IS NOT NULL "
            "THEN 'settled' END AS basis, norwegian_hours AS nh, social_studies_hours AS sh, "
            f"norwegian_level AS lv FROM participants pa {wide}"
            "WHERE intro_end BETWEEN ? AND ? AND intro_end_reason IN "
            f"('completed', 'interrupted'){some})"
        )
        params += [start.isoformat(), end.isoformat(), *some_params, *rule_params]
        keep = "" if members is None else " WHERE c.row IS NOT NULL"
        sql = (
            f"WITH {', '.join(ctes)} SELECT y, code, row, rule, basis, nh, sh, lv, MIN(d), "
            f"COUNT(*) FROM (SELECT c.*, {rule} AS rule FROM c{keep}) q "
            "GROUP BY y, code, row, rule, basis, nh, sh, lv"
        )
        return [
            LanguageCount(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7], _date(r[8]), r[9])
            for r in self.conn.execute(sql, params)
        ]

    def language_records(
        self, start: date, end: date, *, sources: bool = False
    ) -> list[LanguageRecord]:
        """The participants whose programme ended in [start, end], completed or
        interrupted (the introduction cohorts' pre-filter, as `cohort_counts`), with the
        columns of the language-training requirement (`sources`: with the file and row
        each came from), in no particular order. metrics.language_cohort applies the
        definitions."""
        # Over more than a few years most participants are read: one pass over the table
        # costs less than a lookup per member through the intro_end index (cohort_counts).
        wide = "NOT INDEXED " if (end - start).days > 3 * 366 else ""
        rows = self.conn.execute(
            "SELECT pa.participant_id, pa.municipality, pa.intro_end, pa.intro_end_reason, "
            "pa.permit_date, pa.settled_date, pa.norwegian_hours, pa.social_studies_hours, "
            f"pa.norwegian_level, {_source_sql('pa', sources)} FROM participants pa {wide}"
            "WHERE pa.intro_end BETWEEN ? AND ? AND pa.intro_end_reason IN "
            "('completed', 'interrupted')",
            (start.isoformat(), end.isoformat()),
        )
        return [
            LanguageRecord(
                r[0], r[1], date.fromisoformat(r[2]), r[3], _date(r[4]), _date(r[5]), *r[6:]
            )
            for r in rows
        ]

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
            one_year = _next_year_day("intro_end", measured_on)
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

    def has_figure_data(self) -> bool:
        """Whether any placement or programme end is stored (what `data_years` finds
        years in), without reading them."""
        row = self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM placements) OR EXISTS "
            "(SELECT 1 FROM participants WHERE intro_end IS NOT NULL)"
        ).fetchone()
        return bool(row[0])

    def data_years(self) -> tuple[int, int] | None:
        """The first and last year with a placement start or a programme end."""
        # One pass over an index for both ends (two aggregates of one column).
        row = self.conn.execute(
            "SELECT MIN(lo), MAX(hi) FROM (SELECT MIN(start_date) AS lo, MAX(start_date) AS hi "
            "FROM placements UNION ALL SELECT MIN(intro_end), MAX(intro_end) FROM participants) q"
        ).fetchone()
        return None if row[0] is None else (int(row[0][:4]), int(row[1][:4]))
