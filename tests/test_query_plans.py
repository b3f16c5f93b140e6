"""Every query the figures run against placements uses an index: none scans the table.
(At national scale a full scan of millions of placements per request is what makes a
report slow; see README, Performance.)"""

from __future__ import annotations

import re
from datetime import date

from conftest import PARTICIPANT_HEADER, PLACEMENT_HEADER, write_csv
from intdrammen.config import load_goals
from intdrammen.municipalities import MunicipalityHistory, load_regions
from intdrammen.reports import Context, explain, goal_named, progress, region_report, resolve_scope
from intdrammen.store import open_store

FULL_SCAN = re.compile(r"^SCAN (placements|pl|x)$")


def load(tmp_path, cli, participants, placements):
    p = write_csv(tmp_path / "p.csv", PARTICIPANT_HEADER, participants)
    pl = write_csv(tmp_path / "pl.csv", PLACEMENT_HEADER, placements)
    assert cli("import", str(p), str(pl)).exit_code == 0


def test_figure_queries_never_scan_placements(tmp_path, cli, db):
    load(
        tmp_path,
        cli,
        [["D1", "", 1990, "K", "", "0602", "", "", "2019-06-01", "fullført", ""]],
        [
            ["P1", "D1", "jobb", "", "", "2019-07-01", "", "", ""],
            ["P2", "D9", "kurs", "", "", "2018-01-01", "", "", ""],
        ],
    )
    store = open_store(db)
    executed: list[str] = []
    store.conn.set_trace_callback(executed.append)
    ctx = Context(store, load_goals(), load_regions(), MunicipalityHistory.load())
    # With and without a breakdown: the figure queries differ (facts or not, one or
    # both introduction measures).
    everywhere = resolve_scope(ctx, None)
    progress(ctx, 2019, everywhere, "gender")
    progress(ctx, 2019, everywhere)
    region_report(ctx, resolve_scope(ctx, "Drammensregionen"), None, None, "age_group")
    region_report(ctx, everywhere, None, None)
    explain(ctx, goal_named(ctx, "intro-direct-55"), 2019, everywhere)
    store.conn.set_trace_callback(None)
    checked = cohort_queries = counted = 0
    for sql in executed:
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")) or "placements" not in sql:
            continue
        plan = [row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
        assert not [step for step in plan if FULL_SCAN.match(step)], (sql, plan)
        if "intro_end BETWEEN" in sql and "JOIN placements" in sql:
            # A cohort's placements: looked up per member, never by type alone (which
            # walks every work placement of the database).
            cohort_queries += 1
            steps = [step for step in plan if step.startswith("SEARCH pl ")]
            assert steps and all("participant_id=?" in step for step in steps), (sql, plan)
        if "COUNT(*)" in sql and "GROUP BY" in sql and sql.lstrip().startswith("WITH"):
            counted += 1  # a set-based count (first_job_counts, cohort_counts, ...)
        checked += 1
    assert checked >= 5
    assert cohort_queries >= 1
    # Without a breakdown the figures are counted set-based: those queries ran and were
    # checked above (progress: the goal and both measures; report: jobs and cohorts).
    assert counted >= 4


def test_first_job_facts_come_from_the_earliest_placement(tmp_path, cli, db):
    """The earliest start per participant id is found in the index alone; the facts a
    breakdown needs are then read from that one placement, and only when asked for."""
    load(
        tmp_path,
        cli,
        [["D1", "", 1990, "K", "Syria", "0602", "", "", "", "", ""]],
        [
            ["P3", "D1", "jobb", "", "Later AS", "2019-05-01", "", "", "other"],
            ["P1", "D1", "lærling", "", "First AS", "2019-03-01", "", "", "nav"],
            ["P2", "D1", "kurs", "", "Course AS", "2019-01-01", "", "", "nav"],
        ],
    )
    store = open_store(db)
    window = (date(2019, 1, 1), date(2019, 12, 31))
    (with_facts,) = store.first_job_starts(*window, facts=True)
    (without,) = store.first_job_starts(*window)
    assert (with_facts.start, with_facts.municipality) == (date(2019, 3, 1), "0602")
    assert (with_facts.employer, with_facts.channel, with_facts.gender) == (
        "First AS",
        "nav",
        "female",
    )
    assert without[:4] == with_facts[:4]
    assert (without.employer, without.channel, without.gender) == (None, None, None)
