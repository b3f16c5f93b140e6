"""`Store.split`: the figures counted in two halves of the participants at once, on two
connections, are the figures counted in one go; and both halves always read one
committed state, even while another process commits imports in a loop."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from conftest import PARTICIPANT_HEADER, PLACEMENT_HEADER, write_csv
from intdrammen.config import load_goals
from intdrammen.ids import make_fnr
from intdrammen.municipalities import MunicipalityHistory, load_regions
from intdrammen.reports import Context, progress, region_report, resolve_scope
from intdrammen.store import open_store, queries
from intdrammen.store.queries import EVERYONE, Part

CODES = ["0602", "3005", "3301", "0626", "0301", "4601"]


def participants(n: int) -> list[list[object]]:
    rows: list[list[object]] = []
    for i in range(n):
        end = f"2019-{1 + i % 12:02d}-15" if i % 3 else ""
        reason = ["fullført", "avbrutt", "fullført"][i % 3] if end else ""
        outcome = "arbeid" if end and i % 4 == 0 else ""
        person = [f"D{i:03d}", "", 1980 + i % 20, "KM"[i % 2], "", CODES[i % 6], "", ""]
        rows.append([*person, end, reason, outcome])
    return rows


def placements(n: int, year: int) -> list[list[object]]:
    """One job per participant, and a course for every fifth, all starting in `year`;
    some for participant ids without a record (their placement's municipality counts)."""
    rows: list[list[object]] = []
    for i in range(n):
        day = f"{year}-{1 + i % 12:02d}-{1 + i % 27:02d}"
        kind = "lærling" if i % 7 == 0 else "jobb"
        rows.append([f"P{i}", f"D{i:03d}", kind, "", "Kiwi", day, "", "", ""])
        if i % 5 == 0:
            rows.append([f"K{i}", f"D{i:03d}", "kurs", "", "", day, "", "", ""])
    rows += [[f"X{i}", f"Z{i}", "jobb", "", "", f"{year}-06-01", "", "", ""] for i in range(4)]
    return rows


def figures(db: Path) -> tuple[object, ...]:
    """What progress (2018, 2019) and both reports show, as comparable values: one per
    output."""
    store = open_store(db)
    try:
        ctx = Context(store, load_goals(), load_regions(), MunicipalityHistory.load())
        everywhere = resolve_scope(ctx, None)
        region = resolve_scope(ctx, "Drammensregionen")
        shown: list[object] = []
        for year in (2018, 2019):
            report = progress(ctx, year, everywhere)
            goals = tuple((g.goal.id, g.actual, g.in_year, g.months) for g in report.goals)
            intro = tuple((i.goal.id, i.ended, i.work_or_education) for i in report.intro)
            shown.append((goals, intro))
        for scope in (everywhere, region):
            whole = region_report(ctx, scope, None, None)
            shown.append((whole.years, whole.municipalities, whole.total))
        return tuple(shown)
    finally:
        store.close()


def imported(tmp_path: Path, cli, year: int, n: int = 80) -> None:
    p = write_csv(tmp_path / "p.csv", PARTICIPANT_HEADER, participants(n))
    pl = write_csv(tmp_path / f"pl{year}.csv", PLACEMENT_HEADER, placements(n, year))
    result = cli("import", str(p), str(pl))
    assert result.exit_code == 0, result.output


def test_halves_add_up_to_the_whole(tmp_path, cli, db, monkeypatch):
    imported(tmp_path, cli, 2019)
    whole = figures(db)
    halves: list[bool] = []
    run = queries._Half.run

    def recording(self: queries._Half) -> None:
        run(self)
        halves.append(self.ok)

    monkeypatch.setattr(queries._Half, "run", recording)
    monkeypatch.setattr(queries, "SPLIT_FROM", 1)
    assert figures(db) == whole
    # Every count of progress (two years) and of both reports went through a thread
    # that read its half itself.
    assert len(halves) == 4 and all(halves)


def test_each_count_of_two_parts_is_the_count_of_all(tmp_path, cli, db):
    imported(tmp_path, cli, 2019)
    store = open_store(db)
    try:
        middle = "D040"
        parts = (Part(None, middle), Part(middle, None))
        lo, hi = date(2016, 1, 1), date(2020, 12, 31)

        def total(counts: list) -> dict:
            summed: dict = {}
            for c in counts:
                key = c[:-1]
                summed[key] = summed.get(key, 0) + c[-1]
            return summed

        for kwargs in ({}, {"by_year": True}, {"member_days": True}):
            whole = store.first_job_counts(lo, hi, part=EVERYONE, **kwargs)
            split = [c for p in parts for c in store.first_job_counts(lo, hi, part=p, **kwargs)]
            assert total(split) == total(whole) and whole
        years, period = store.report_job_counts(lo, hi)
        split_years = [c for p in parts for c in store.report_job_counts(lo, hi, part=p)[0]]
        split_period = [c for p in parts for c in store.report_job_counts(lo, hi, part=p)[1]]
        assert total(split_years) == total(years) and total(split_period) == total(period)
        cohorts = store.cohort_counts(lo, hi, 30, (11, 15))
        split_cohorts = [
            c for p in parts for c in store.cohort_counts(lo, hi, 30, (11, 15), None, p)
        ]

        def cells(counts: list) -> dict:
            summed: dict = {}
            for c in counts:
                key = (c.year, c.municipality, c.row)
                old = summed.get(key, (0, 0, 0))
                summed[key] = (old[0] + c.ended, old[1] + c.direct, old[2] + c.one_year)
            return summed

        assert cells(split_cohorts) == cells(cohorts) and cohorts
    finally:
        store.close()


WRITER = """
import sys
from pathlib import Path
from typer.testing import CliRunner
from intdrammen.cli import app
db, stop, first, second = sys.argv[1:5]
runner = CliRunner()
commits = 0
while not Path(stop).exists():
    for path in (second, first):
        result = runner.invoke(app, ["--db", db, "import", "--quiet", path])
        assert result.exit_code == 0, result.output
        commits += 1
print(commits)
"""


def test_both_halves_read_one_committed_state_while_imports_commit(tmp_path, cli, db, monkeypatch):
    """A writer process moves every job between 2018 and 2019, one import at a time,
    while the figures are counted in halves again and again: each time they are those
    of one of the two states, never half of one and half of the other."""
    imported(tmp_path, cli, 2018)
    in_2018 = figures(db)
    imported(tmp_path, cli, 2019)
    in_2019 = figures(db)
    assert in_2018 != in_2019
    halves: list[bool] = []
    run = queries._Half.run

    def recording(self: queries._Half) -> None:
        run(self)
        halves.append(self.ok)

    monkeypatch.setattr(queries._Half, "run", recording)
    monkeypatch.setattr(queries, "SPLIT_FROM", 1)
    stop = tmp_path / "stop"
    files = [str(tmp_path / "pl2019.csv"), str(tmp_path / "pl2018.csv")]
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), str(stop), *files],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Each output is counted in one split (one snapshot); two outputs may read two.
    states = [{a: 0, b: 0} for a, b in zip(in_2018, in_2019, strict=True)]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (
            min(n for seen in states for n in seen.values()) < 3 or len(halves) < 40
        ):
            for seen, got in zip(states, figures(db), strict=True):
                assert got in seen, "the halves read two different states"
                seen[got] += 1
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert int(out) >= 4  # the writer did commit while the figures were read
    # Both states were read by every output, several times.
    assert min(n for seen in states for n in seen.values()) >= 3
    assert sum(halves) >= 20  # most halves were read by the thread itself


@pytest.mark.parametrize("split_from", [1, 10**9])
def test_a_split_inside_a_transaction_reads_that_transaction(
    tmp_path, cli, db, monkeypatch, split_from
):
    """Inside a transaction (a write, or a caller's read) there is nothing to split into:
    one count on that connection, which sees what the transaction sees."""
    imported(tmp_path, cli, 2019)
    monkeypatch.setattr(queries, "SPLIT_FROM", split_from)
    store = open_store(db)
    try:
        store.conn.execute("BEGIN")
        parts = store.split(lambda s, part: (s is store, part))
        assert parts == [(True, EVERYONE)]
        store.conn.execute("COMMIT")
        parts = store.split(lambda s, part: (s is store, part))
        if split_from == 1:
            assert [p[1] for p in parts] == [Part(None, "D040"), Part("D040", None)]
            assert [p[0] for p in parts] == [True, False]
        else:
            assert parts == [(True, EVERYONE)]
    finally:
        store.close()


def test_persons_under_two_ids_are_counted_in_one_go(tmp_path, cli, db, monkeypatch):
    """Where two participant ids share a fødselsnummer (one person), the halves would
    count that person twice: the thread, started before that is known, is stopped and
    everyone is counted on one connection, with the same figures as without a split."""
    rows = participants(80)
    individual = 100
    while (fnr := make_fnr(date(1990, 1, 1), individual)) is None:
        individual += 1  # an individual number whose check digits exist
    rows[1][1] = rows[70][1] = fnr  # D001 and D070: one person, in different halves
    p = write_csv(tmp_path / "p.csv", PARTICIPANT_HEADER, rows)
    pl = write_csv(tmp_path / "pl.csv", PLACEMENT_HEADER, placements(80, 2019))
    assert cli("import", str(p), str(pl)).exit_code == 0
    whole = figures(db)
    monkeypatch.setattr(queries, "SPLIT_FROM", 1)
    store = open_store(db)
    try:
        assert store.split(lambda s, part: part) == [EVERYONE]
    finally:
        store.close()
    assert figures(db) == whole


def test_a_half_is_found_by_index_too(tmp_path, cli, db):
    """A half's counts use the indexes the whole's do: none scans the placements."""
    imported(tmp_path, cli, 2019)
    store = open_store(db)
    executed: list[str] = []
    try:
        store.conn.set_trace_callback(executed.append)
        lo, hi = date(2016, 1, 1), date(2020, 12, 31)
        for part in (Part(None, "D040"), Part("D040", None)):
            store.first_job_counts(lo, hi, part=part)
            store.first_job_counts(lo, hi, by_year=True, part=part)
            store.report_job_counts(lo, hi, part=part)
            store.cohort_counts(lo, hi, 30, (11, 15), None, part)
        store.conn.set_trace_callback(None)
        checked = 0
        for sql in executed:
            if "placements" not in sql or "'D040'" not in sql:
                continue  # not a half's count
            plan = [r[3] for r in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
            assert not [s for s in plan if s in ("SCAN placements", "SCAN pl", "SCAN x")], plan
            checked += 1
        assert checked == 8
    finally:
        store.close()


@pytest.mark.sqlite_only
def test_whether_ids_share_a_person_is_recorded_by_every_write(tmp_path, cli, db):
    """The fact `split` reads at every figure command (two participant ids with one
    fødselsnummer anywhere?) is recorded by each import and undo in its own
    transaction, so a read never counts it; `intd check` finds it stale where the
    database was changed outside intd."""
    import sqlite3

    def recorded() -> str | None:
        with sqlite3.connect(db) as conn:
            row = conn.execute(
                "SELECT value FROM meta WHERE name = ?", (queries.SHARED_KEYS_FACT,)
            ).fetchone()
        return None if row is None else row[0]

    imported(tmp_path, cli, 2019)
    assert recorded() == "0"
    individual = 100
    while (fnr := make_fnr(date(1990, 1, 1), individual)) is None:
        individual += 1
    once = [["D001", fnr, 1990, "K", "", "0602", "", "", "", "", ""]]
    first = write_csv(tmp_path / "once.csv", PARTICIPANT_HEADER, once)
    assert cli("import", str(first)).exit_code == 0
    assert recorded() == "0"  # one id with that fødselsnummer: no pair yet
    twice = [["D070", fnr, 1990, "K", "", "0602", "", "", "", "", ""]]
    again = write_csv(tmp_path / "twice.csv", PARTICIPANT_HEADER, twice)
    assert cli("import", str(again)).exit_code == 0
    assert recorded() == "1"  # found among the rows that import wrote, against the rest
    store = open_store(db)
    try:
        assert store._shares_person_keys() is True
        last = store.conn.execute("SELECT MAX(id) FROM batches").fetchone()[0]
    finally:
        store.close()
    assert cli("undo", str(last), "--yes").exit_code == 0
    assert recorded() == "0"
    assert cli("check").exit_code == 0
    with sqlite3.connect(db) as conn:  # an edit outside intd makes the fact stale
        conn.execute(
            "UPDATE participants SET person_key = 'x' WHERE participant_id IN ('D001', 'D002')"
        )
    checked = cli("check")
    assert checked.exit_code != 0 and queries.SHARED_KEYS_FACT in checked.output
