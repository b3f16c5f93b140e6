"""Differential property test: the figures intd computes through its store and reports
(`progress`, `report`, `explain`, all `--format json`) equal the pure definitions in
`metrics.py` applied directly to the generated data.

Issue 15 moves the figures to set-based SQL (the "fast path"); this test is its safety
net. Hypothesis draws a small data set (participants under old, merged and today's
municipality codes, placements of every type, some for people without a participant
record), a goals file (random windows, targets, regions, `every = "year"`, `days_after`,
`measured_on`) and optionally a regions file with dated membership. The data is imported
through the CLI; the expected figures are computed here from `models` rows built from the
generated data (never read back from the store) with the `metrics` functions and the
region membership of `municipalities.resolve_region`.

Simplifications, where docs/definitions.md "Choices intd makes" leaves the choice to
intd: no fødselsnummer (a person is a participant id), every placement has a
`placement_id` (its key is `id:<placement_id>`), and a person without a participant
record carries one municipality on the placements that have one.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import PARTICIPANT_HEADER, PLACEMENT_HEADER, write_csv
from intdrammen import metrics
from intdrammen.cli import app
from intdrammen.ids import make_fnr
from intdrammen.models import (
    WORK_TYPES,
    Activity,
    Goal,
    GoalKind,
    IntroRecord,
    JobStart,
    Window,
)
from intdrammen.municipalities import MunicipalityHistory, load_regions, resolve_region
from intdrammen.store import open_store
from intdrammen.store.queries import JobCount, MemberPeriod, Part

# Old codes (merged or renumbered), today's codes, 9999 (unknown) and an empty cell.
CODES = (
    "0625", "0711", "0713", "0602", "3005", "3049", "3048", "0627", "3025", "9999",
    "3301", "3312", "3314", "3903", "3203", "0626", "0624", "0403", "3411", "0301", "",
)  # fmt: skip
TYPES = ("job", "apprenticeship", "education", "work_trial", "course", "primary_school")
REASONS = (None, "completed", "interrupted", "moved")
OUTCOMES = (
    "work", "education", "work_and_education", "unemployed", "measure", "other", "unknown",
)  # fmt: skip
CUSTOM = "Testregion"
GOAL_REGIONS = (None, None, None, "Drammensregionen", "Mjøsa", "Drammen", "Lier", "0625", "Asker")
ASKED_REGIONS = (None, None, None, "Drammensregionen", "Mjøsa", "Drammen", "0625", "Oslo")


def _day(lo: date, hi: date) -> st.SearchStrategy[date]:
    return st.dates(min_value=lo, max_value=hi)


def _maybe_day(weight: int | None) -> st.SearchStrategy[date | None]:
    return st.none() if weight is None else _day(date(2014, 1, 1), date(2022, 12, 31))


@dataclass(frozen=True)
class Person:
    pid: str
    municipality: str
    settled: date | None
    intro_end: date | None
    reason: str | None
    outcome: str | None
    status_1y: str | None


@dataclass(frozen=True)
class Placement:
    placement_id: str
    pid: str
    type: str
    start: date
    end: date | None
    municipality: str  # only for people without a participant record


@dataclass(frozen=True)
class Case:
    people: tuple[Person, ...]
    placements: tuple[Placement, ...]
    work_goals: tuple[Goal, ...]
    direct_days_after: int
    measured_on: tuple[int, int]
    custom_members: tuple[tuple[str, date | None, date | None], ...]  # () = no regions file
    asked: str | None
    years: tuple[int, ...]


@st.composite
def people(draw: st.DrawFn) -> tuple[Person, ...]:
    n = draw(st.integers(1, 25))
    ids = sorted(draw(st.sets(st.integers(1, 99), min_size=n, max_size=n)))
    out = []
    for i in ids:
        end = draw(st.sampled_from((None, 1, 2)).flatmap(_maybe_day))
        reason = outcome = status = None
        if end is not None:
            reason = draw(st.sampled_from(REASONS))
            outcome = draw(st.sampled_from((None,) * 5 + OUTCOMES))
            status = draw(st.none() | st.none() | st.sampled_from(OUTCOMES))
        out.append(
            Person(
                f"P{i:02d}",
                draw(st.sampled_from(CODES)),
                draw(st.none() | _day(date(2014, 1, 1), date(2022, 12, 31))),
                end,
                reason,
                outcome,
                status,
            )
        )
    return tuple(out)


@st.composite
def placements(
    draw: st.DrawFn,
    ended: dict[str, date | None],
    days_after: int,
    measured_on: tuple[int, int],
) -> tuple[Placement, ...]:
    orphans = {f"X{i}": draw(st.sampled_from(CODES)) for i in range(1, 4)}
    n = draw(st.integers(0, 40))
    out = []
    for i in range(n):
        pid = draw(st.sampled_from(list(ended) + list(orphans)))
        start = draw(_day(date(2014, 1, 1), date(2022, 12, 31)))
        length = draw(st.none() | st.integers(0, 800))
        end = None if length is None else start + timedelta(length)
        intro_end = ended.get(pid)
        if intro_end is not None and draw(st.booleans()):
            # On and near the edges the introduction measures look at: the programme's
            # end, the last day after it that counts, and the one-year day.
            one_year = date(intro_end.year + 1, *measured_on)
            edges = (-1, 0, 1, days_after, days_after + 1)
            start = intro_end + timedelta(
                draw(st.sampled_from(edges) | st.integers(-40, days_after + 40))
            )
            if draw(st.booleans()):
                start = one_year + timedelta(draw(st.integers(-60, 1)))
            if end is not None and draw(st.booleans()):  # ends on or next to an edge
                edge = draw(st.sampled_from((intro_end, one_year)))
                end = max(start, edge + timedelta(draw(st.integers(-1, 1))))
            elif end is not None:
                end = start + timedelta(length or 0)
        code = orphans.get(pid, "") if draw(st.booleans()) else ""
        out.append(Placement(f"L{i:02d}", pid, draw(st.sampled_from(TYPES)), start, end, code))
    return tuple(out)


@st.composite
def work_goal(draw: st.DrawFn, i: int, busy: list[int]) -> Goal:
    start = draw(_day(date(2014, 1, 1), date(2022, 6, 30)))
    if draw(st.booleans()) and busy:  # a window around a year with data in it
        year = draw(st.sampled_from(busy)) - draw(st.integers(0, 1))
        start = max(date(2014, 1, 1), date(year, start.month, min(start.day, 28)))
    every = draw(st.booleans())
    end = draw(st.none() if every else st.integers(0, 2000).map(lambda d: start + timedelta(d)))
    if every and draw(st.booleans()):
        end = date(draw(st.integers(start.year, 2023)), 12, 31)
    region = draw(st.sampled_from((*GOAL_REGIONS, CUSTOM)))
    return Goal(
        id=f"g-work-{i}",
        title=f"goal {i}",
        kind=GoalKind.PERSONS_INTO_WORK,
        target=Fraction(draw(st.integers(1, 500))),
        start=start,
        end=end,
        every_year=every,
        region=region,
    )


@st.composite
def cases(draw: st.DrawFn) -> Case:
    ps = draw(people())
    measured_on = draw(st.just((11, 15)) | st.tuples(st.integers(1, 12), st.integers(1, 28)))
    days_after = draw(st.sampled_from((0, 30)) | st.integers(0, 60))
    pls = draw(placements({p.pid: p.intro_end for p in ps}, days_after, measured_on))
    custom: tuple[tuple[str, date | None, date | None], ...] = ()
    if draw(st.booleans()):
        codes = draw(
            st.lists(
                st.sampled_from(("0602", "0626", "0624", "0713", "0627", "0403", "0301")),
                min_size=1,
                max_size=4,
                unique=True,
            )
        )
        members = []
        for code in codes:
            lo = draw(st.none() | _day(date(2014, 1, 1), date(2022, 12, 31)))
            length = draw(st.none() | st.integers(0, 1500))
            hi = None if length is None else (lo or date(2015, 1, 1)) + timedelta(length)
            members.append((code, lo, hi))
        custom = tuple(members)
    busy = sorted({p.intro_end.year for p in ps if p.intro_end} | {p.start.year for p in pls})
    goals = tuple(draw(work_goal(i, busy)) for i in range(draw(st.integers(1, 2))))
    goals = tuple(g for g in goals if custom or g.region != CUSTOM)
    asked = draw(st.sampled_from(ASKED_REGIONS + ((CUSTOM,) if custom else ())))
    # One year the data has something in (most figures are 0 elsewhere), one at random.
    chosen = {draw(st.sampled_from(busy))} if busy else set()
    chosen |= {draw(st.integers(2014, 2023))} if not chosen or draw(st.booleans()) else set()
    years = tuple(sorted(chosen))
    return Case(
        ps,
        pls,
        goals,
        days_after,
        measured_on,
        custom,
        asked,
        years,
    )


# ------------------------------------------------------------------------------ files


def _iso(day: date | None) -> str:
    return "" if day is None else day.isoformat()


def write_files(case: Case, tmp: Path) -> list[str]:
    """The CSV, goals and regions files of a case; the global CLI options for them."""
    write_csv(
        tmp / "participants.csv",
        [*PARTICIPANT_HEADER, "status_1y"],
        [
            [p.pid, "", 1990, "K", "Syria", p.municipality, _iso(p.settled), "",
             _iso(p.intro_end), p.reason, p.outcome, p.status_1y]
            for p in case.people
        ],
    )  # fmt: skip
    write_csv(
        tmp / "placements.csv",
        [*PLACEMENT_HEADER, "municipality"],
        [
            [pl.placement_id, pl.pid, pl.type, "", "Kiwi", _iso(pl.start), _iso(pl.end), "",
             "NAV", pl.municipality]
            for pl in case.placements
        ],
    )  # fmt: skip
    goals = ['version = "test"']
    for g in case.work_goals:
        goals += ["[[goal]]", f'id = "{g.id}"', f'title = "{g.title}"']
        goals += ['kind = "persons_into_work"', f"start = {g.start}", f"target = {g.target}"]
        if g.end is not None:
            goals.append(f"end = {g.end}")
        if g.every_year:
            goals.append('every = "year"')
        if g.region is not None:
            goals.append(f'region = "{g.region}"')
    goals += ["[[goal]]", 'id = "intro-direct-55"', f"days_after = {case.direct_days_after}"]
    month, day = case.measured_on
    goals += ["[[goal]]", 'id = "intro-1y-70"', f'measured_on = "{month:02d}-{day:02d}"']
    (tmp / "goals.toml").write_text("\n".join(goals) + "\n", encoding="utf-8")
    options = ["--goals", str(tmp / "goals.toml")]
    if case.custom_members:
        lines = ['version = "test"', "[[region]]", f'name = "{CUSTOM}"', "members = ["]
        for code, lo, hi in case.custom_members:
            dated = (f", from = {lo}" if lo else "") + (f", to = {hi}" if hi else "")
            lines.append(f'  {{ municipality = "{code}"{dated} }},')
        lines.append("]")
        (tmp / "regions.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        options += ["--regions", str(tmp / "regions.toml")]
    return options


# -------------------------------------------------------------------- the pure figures


class Pure:
    """The figures of a case from the metrics functions, on rows built from the case."""

    def __init__(self, case: Case, regions_file: Path | None) -> None:
        self.case = case
        self.history = MunicipalityHistory.load()
        self.regions = load_regions(regions_file)
        record = {p.pid: p for p in case.people}

        def municipality(pid: str) -> str | None:
            if pid in record:
                return record[pid].municipality or None
            carried = [pl.municipality for pl in case.placements if pl.pid == pid]
            return next((c for c in carried if c), None)

        self.activities = [
            Activity(
                pl.pid, pl.pid, f"id:{pl.placement_id}", pl.placement_id, pl.type, pl.start,
                pl.end, municipality(pl.pid), "Kiwi", "NAV", "",
            )
            for pl in case.placements
        ]  # fmt: skip
        self.jobs = [
            JobStart(a.participant_id, a.person, a.municipality, a.start, a.start.year)
            for a in self.activities
            if a.type in WORK_TYPES
        ]
        self.records = [
            IntroRecord(
                p.pid, p.pid, p.municipality or None, p.intro_end, p.reason, p.outcome,
                p.status_1y, "female", "Syria", 1990, "",
            )
            for p in case.people
            if p.intro_end is not None
        ]  # fmt: skip
        self.by_person = metrics.group_activities(self.activities)

    def member(self, *queries: str | None) -> metrics.Membership:
        regions = [resolve_region(q, self.regions, self.history) for q in queries if q]
        return lambda code, day: all(r.contains(code, day) for r in regions)

    def row_of(self, query: str | None) -> Callable[[str | None, date], str]:
        """The report row (its JSON name) of a record with this code on this day."""
        if query is None:
            return lambda code, _day: self.history.group(code)[1]
        region = resolve_region(query, self.regions, self.history)

        def row(code: str | None, day: date) -> str:
            found = region.member_for(code, day)
            assert found is not None
            return found.merged.key if found.merged else found.label

        return row

    def goal(self, goal: Goal, year: int) -> dict[str, Any] | None:
        window = goal.window_for(year)
        if window is None:
            return None
        up_to = metrics.progress_date(window, year)
        first = metrics.first_job_in_window(self.jobs, window)
        counted = metrics.persons_into_work(
            first, up_to=up_to, member=self.member(goal.region, self.case.asked)
        )
        expected = metrics.expected_to_date(goal.target, window, year)
        return {
            "actual": len(counted),
            "in_year": metrics.into_work_in_year(counted, year),
            "expected": expected,
            "on_track": metrics.on_track(len(counted), expected),
            "counted": {j.participant_id: j.start for j in counted},
            "window": window,
            "up_to": up_to,
        }

    def cohort(
        self, year: int, days_after: int, measured_on: tuple[int, int] | None, asked: str | None
    ) -> metrics.Cohort:
        return metrics.intro_cohort(
            self.records,
            self.by_person,
            year,
            member=self.member(asked),
            days_after=days_after,
            measured_on=measured_on,
        )

    def first_job(self, person: str, window: Window) -> tuple[str, str | None]:
        """The start and placement id of a person's first job in a window (ties: the
        smaller placement key), as `explain` shows it."""
        first = min(
            (a.start, a.placement_key, a.placement_id)
            for a in self.by_person[person]
            if a.type in WORK_TYPES and a.start in window
        )
        return first[0].isoformat(), first[2]

    def why_not(self, person: str, window: Window, member: metrics.Membership) -> str:
        """The reason `explain` gives for a person with placements who did not count."""
        acts = self.by_person[person]
        first = metrics.first_job_in_window(
            (j for j in self.jobs if j.person == person), window
        ).get(person)
        if first is not None:
            return "after_period" if member(first.municipality, first.start) else "outside_region"
        if any(a.type in WORK_TYPES for a in acts):
            return "outside_window"
        types = sorted({a.type for a in acts})
        return types[0] if len(types) == 1 else "no_job"


# ------------------------------------------------------------------------------ the test


def _run(runner: CliRunner, options: list[str], *args: str) -> Any:
    result = runner.invoke(app, [*options, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def _json(runner: CliRunner, options: list[str], *args: str) -> Any:
    return json.loads(_run(runner, options, *args, "--format", "json").stdout)


def _near(shown: float, exact: Fraction) -> bool:
    return abs(Fraction(str(shown)) - exact) <= Fraction(1, 20)


def _rate(num: int, den: int) -> float | None:
    value = metrics.rate(num, den)
    return None if value is None else round(float(value), 4)


def check_case(case: Case, tmp: Path, db: str | None = None) -> None:
    options = write_files(case, tmp)
    options = ["--db", db or str(tmp / "intd.sqlite"), *options]
    runner = CliRunner()
    _run(runner, options, "import", str(tmp / "participants.csv"), str(tmp / "placements.csv"))
    pure = Pure(case, tmp / "regions.toml" if case.custom_members else None)
    region = ["--region", case.asked] if case.asked else []
    intro_goals = {
        "intro-direct-55": (case.direct_days_after, (11, 15)),
        "intro-1y-70": (30, case.measured_on),
    }
    for year in case.years:
        shown = _json(runner, options, "progress", "--year", str(year), *region)
        goals = {g["id"]: g for g in shown["goals"]}
        work = {g.id: g for g in case.work_goals}
        for goal in work.values():
            want = pure.goal(goal, year)
            if want is None:
                assert goal.id not in goals
                continue
            if goal.id not in goals:
                # Left out: its own region cannot overlap the one asked for. Then by the
                # pure definitions nobody can count for it there either.
                assert goal.id in {n["id"] for n in shown["not_applicable"]}, (goal, year)
                assert want["actual"] == 0 and want["in_year"] == 0, (goal, year)
                continue
            got = goals[goal.id]
            assert (got["actual"], got["in_year"], got["on_track"]) == (
                want["actual"],
                want["in_year"],
                want["on_track"],
            ), (goal, year)
            assert _near(got["expected"], want["expected"])
            explained = _json(
                runner, options, "explain", "--goal", goal.id, "--year", str(year), *region
            )
            counted = {
                c["participant_id"]: (c["date"], c["placement_id"]) for c in explained["counted"]
            }
            assert counted == {p: pure.first_job(p, want["window"]) for p in want["counted"]}
            member = pure.member(goal.region, case.asked)
            excluded = {e["participant_id"]: e["reason"] for e in explained["excluded"]}
            assert set(counted) | set(excluded) == set(pure.by_person)
            assert not set(counted) & set(excluded)
            assert excluded == {
                p: pure.why_not(p, want["window"], member)
                for p in pure.by_person
                if p not in counted
            }
        intro = {i["id"]: i for i in shown["intro"]}
        for goal_id, (days_after, measured_on) in intro_goals.items():
            direct = goal_id == "intro-direct-55"
            cohort = pure.cohort(year, days_after, measured_on, case.asked)
            numerator = (
                cohort.direct_work_or_education if direct else cohort.one_year_work_or_education
            )
            got = intro[goal_id]
            assert got["ended"] == cohort.ended
            measured = metrics.one_year_measurement_day(year, measured_on)
            if direct or measured <= date.today():
                assert got["work_or_education"] == numerator
                assert got["rate"] == _rate(numerator, cohort.ended)
                target = Fraction("0.55") if direct else Fraction("0.7")
                value = metrics.rate(numerator, cohort.ended)
                assert got["met"] == (None if value is None else value >= target)
            explained = _json(
                runner, options, "explain", "--goal", goal_id, "--year", str(year), *region
            )
            want_counted: dict[str, str | None] = {}
            want_excluded: dict[str, str] = {}
            for m in cohort.members:
                status = m.status(direct)
                pid = m.record.participant_id
                if status.in_work_or_education:
                    want_counted[pid] = status.activity.placement_id if status.activity else None
                else:
                    want_excluded[pid] = f"not_in_numerator:{status.value or 'no_placement'}"
            want_excluded.update({r.participant_id: why for r, why in cohort.excluded})
            got_counted = {c["participant_id"]: c["placement_id"] for c in explained["counted"]}
            got_excluded = {e["participant_id"]: e["reason"] for e in explained["excluded"]}
            assert (got_counted, got_excluded) == (want_counted, want_excluded), (goal_id, year)
    check_report(case, pure, runner, options)


def check_report(case: Case, pure: Pure, runner: CliRunner, options: list[str]) -> None:
    years = [a.start.year for a in pure.activities] + [r.intro_end.year for r in pure.records]
    if not years:
        return
    region = ["--region", case.asked] if case.asked else []
    got = _json(runner, options, "report", *region)
    # Nothing is suppressed on stdout unless asked: every row says so, and the figures
    # are compared without that list.
    for row in [*got["years"], *got["municipalities"], got["total"]]:
        assert row.pop("suppressed") == []
    member = pure.member(case.asked)
    want_years: list[dict[str, Any]] = []
    for year in range(min(years), max(years) + 1):
        window = Window(date(year, 1, 1), date(year, 12, 31))
        first = metrics.first_job_in_window(pure.jobs, window)
        into_work = len(metrics.persons_into_work(first, up_to=window.end, member=member))
        cohort = pure.cohort(year, case.direct_days_after, None, case.asked)
        if into_work or cohort.ended:
            want_years.append(
                {
                    "year": year,
                    "into_work": into_work,
                    "intro_ended": cohort.ended,
                    "intro_work_or_education": cohort.direct_work_or_education,
                    "intro_rate": _rate(cohort.direct_work_or_education, cohort.ended),
                }
            )
    assert got["years"] == want_years
    # Each person with a job in the report's period on a day they belong, once.
    persons = {j.person for j in pure.jobs if member(j.municipality, j.start)}
    ended = sum(y["intro_ended"] for y in want_years)
    numerator = sum(y["intro_work_or_education"] for y in want_years)
    total = got["total"]
    assert (total["intro_ended"], total["intro_work_or_education"]) == (ended, numerator)
    # The rows: a person in the row of that job, a cohort member in the row of their
    # record; the whole project by today's municipality (MunicipalityHistory.group), a
    # region by its member (Region.member_for).
    row = pure.row_of(case.asked)
    want_rows: dict[str, list[int]] = {}
    first_jobs = metrics.earliest_per_person(pure.jobs, lambda j: member(j.municipality, j.start))
    for job in first_jobs.values():
        want_rows.setdefault(row(job.municipality, job.start), [0, 0, 0])[0] += 1
    for year in range(min(years), max(years) + 1):
        for m in pure.cohort(year, case.direct_days_after, None, case.asked).members:
            cells = want_rows.setdefault(row(m.record.municipality, m.record.intro_end), [0, 0, 0])
            cells[1] += 1
            cells[2] += m.direct.in_work_or_education
    got_rows = {
        m["name"]: [m["into_work"], m["intro_ended"], m["intro_work_or_education"]]
        for m in got["municipalities"]
        if m["into_work"] or m["intro_ended"]
    }
    assert total["into_work"] == len(persons)
    assert got_rows == want_rows


@settings(
    max_examples=int(os.environ.get("INTD_DIFF_EXAMPLES", "25")),  # more: a deeper search
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=cases())
def test_store_figures_equal_the_pure_definitions(
    case: Case, tmp_path_factory: pytest.TempPathFactory
) -> None:
    check_case(case, tmp_path_factory.mktemp("diff"))  # a new database each example


def test_report_dated_member_passes_over_a_job_before_it_joined(tmp_path: Path) -> None:
    (tmp_path / "regions.toml").write_text(
        'version = "t"\n[[region]]\nname = "Testregion"\n'
        'members = [ { municipality = "0626", from = 2018-06-01 } ]\n',
        encoding="utf-8",
    )
    write_csv(tmp_path / "p.csv", ["participant_id", "municipality"], [["A", "0626"]])
    write_csv(
        tmp_path / "pl.csv",
        ["placement_id", "participant_id", "type", "start_date"],
        [["L1", "A", "job", "2018-03-01"], ["L2", "A", "job", "2018-09-01"]],
    )
    options = ["--db", str(tmp_path / "intd.sqlite"), "--regions", str(tmp_path / "regions.toml")]
    runner = CliRunner()
    _run(runner, options, "import", str(tmp_path / "p.csv"), str(tmp_path / "pl.csv"))
    report = _json(runner, options, "report", "--region", "Testregion")
    # The 2018 row is a calendar-year window: its first job (March) is before Lier joined,
    # so 0 is right there. The municipality rows count each person once "at their first
    # job in the period on a day they belong": the September job.
    assert report["years"] == []
    assert [(m["name"], m["into_work"]) for m in report["municipalities"]] == [("Lier", 1)]
    assert report["total"]["into_work"] == 1


# ------------------------------------------------- the set-based queries, one by one
#
# The store counts figures set-based (Store.first_job_counts, report_job_counts,
# cohort_counts): each query against the pure functions on the same rows, here with
# what the CLI cases above leave out: persons under several participant ids (one
# fødselsnummer) and region periods of every shape (a code under several rows, dated,
# overlapping, none at all).


def _fnr(k: int) -> str:
    individual = 100 + 7 * k
    while (number := make_fnr(date(1990, 1, 1 + k), individual)) is None:
        individual += 1
    return number


@st.composite
def periods(draw: st.DrawFn) -> tuple[MemberPeriod, ...] | None:
    if draw(st.booleans()):
        return None
    codes = [c for c in CODES if c]
    out = []
    for _ in range(draw(st.integers(0, 6))):
        lo = draw(st.none() | _day(date(2014, 1, 1), date(2022, 12, 31)))
        length = draw(st.none() | st.integers(0, 1500))
        hi = None if length is None else (lo or date(2015, 1, 1)) + timedelta(length)
        out.append(MemberPeriod(draw(st.sampled_from(codes)), lo, hi, draw(st.integers(0, 3))))
    return tuple(out)


@dataclass(frozen=True)
class StoreCase:
    people: tuple[Person, ...]
    fnrs: tuple[int | None, ...]  # per person: an index into a pool of three, or none
    placements: tuple[Placement, ...]
    members: tuple[MemberPeriod, ...] | None
    window: tuple[date, date]
    days_after: int | None
    measured_on: tuple[int, int] | None


@st.composite
def store_cases(draw: st.DrawFn) -> StoreCase:
    ps = draw(people())
    fnrs = tuple(draw(st.none() | st.integers(0, 2)) for _ in ps)
    measured_on = draw(st.none() | st.tuples(st.integers(1, 12), st.integers(1, 28)))
    days_after = draw(st.none() | st.integers(0, 60))
    pls = draw(
        placements({p.pid: p.intro_end for p in ps}, days_after or 0, measured_on or (11, 15))
    )
    lo = draw(_day(date(2014, 1, 1), date(2022, 12, 31)))
    hi = lo + timedelta(draw(st.integers(0, 3000)))
    if draw(st.booleans()):
        lo, hi = date.min, date.max  # the open period of a report without --from/--to
    return StoreCase(ps, fnrs, pls, draw(periods()), (lo, hi), days_after, measured_on)


def _counter(cells: Any, key: Callable[[Any], tuple[Any, ...]]) -> dict[tuple[Any, ...], int]:
    out: dict[tuple[Any, ...], int] = {}
    for cell in cells:
        out[key(cell)] = out.get(key(cell), 0) + cell.persons
    return out


def check_store_case(case: StoreCase, tmp: Path, url: str | None = None) -> None:
    fnr = {
        p.pid: (None if k is None else _fnr(k)) for p, k in zip(case.people, case.fnrs, strict=True)
    }
    write_csv(
        tmp / "participants.csv",
        [*PARTICIPANT_HEADER, "status_1y"],
        [
            [p.pid, fnr[p.pid] or "", 1990, "K", "Syria", p.municipality, "", "",
             _iso(p.intro_end), p.reason, p.outcome, p.status_1y]
            for p in case.people
        ],
    )  # fmt: skip
    write_csv(
        tmp / "placements.csv",
        [*PLACEMENT_HEADER, "municipality"],
        [
            [pl.placement_id, pl.pid, pl.type, "", "Kiwi", _iso(pl.start), _iso(pl.end), "",
             "NAV", pl.municipality]
            for pl in case.placements
        ],
    )  # fmt: skip
    db: Any = tmp / "intd.sqlite"
    if url is not None:
        from intdrammen.config import db_target

        db = db_target(url)
    runner = CliRunner()
    _run(
        runner,
        ["--db", url or str(db)],
        "import",
        str(tmp / "participants.csv"),
        str(tmp / "placements.csv"),
    )
    record = {p.pid: p for p in case.people}

    def person(pid: str) -> str:
        number = fnr.get(pid)
        return f"k:{number}" if number else f"id:{pid}"

    def municipality(pid: str) -> str | None:
        if pid in record:
            return record[pid].municipality or None
        return next(
            (pl.municipality for pl in case.placements if pl.pid == pid and pl.municipality), None
        )

    members = case.members

    def row(code: str | None, day: date) -> int | None:
        if members is None:
            return None
        rows = [
            m.row
            for m in members
            if m.code == code
            and (m.start is None or m.start <= day)
            and (m.end is None or day <= m.end)
        ]
        return min(rows, default=None)

    def member(code: str | None, day: date) -> bool:
        return members is None or row(code, day) is not None

    activities = [
        Activity(
            person(pl.pid), pl.pid, f"id:{pl.placement_id}", pl.placement_id, pl.type, pl.start,
            pl.end, municipality(pl.pid), "Kiwi", "NAV", "",
        )
        for pl in case.placements
    ]  # fmt: skip
    lo, hi = case.window
    jobs = [
        JobStart(a.participant_id, a.person, a.municipality, a.start, a.start.year)
        for a in activities
        if a.type in WORK_TYPES and lo <= a.start <= hi
    ]
    years = sorted({j.start.year for j in jobs})
    store = open_store(db)
    try:
        # A goal: the first job in the window, then the region on its day.
        first = metrics.first_job_in_window(jobs, Window(lo, hi))
        want = {}
        for j in metrics.persons_into_work(first, up_to=hi, member=member):
            key = (j.municipality, 0, (j.start.year, j.start.month), row(j.municipality, j.start))
            want[key] = want.get(key, 0) + 1
        got = store.first_job_counts(lo, hi, members)
        assert _counter(got, lambda c: (c.municipality, c.year, c.month, c.row)) == want
        # Per calendar year: each year its own window.
        want_years: dict[tuple[Any, ...], int] = {}
        for y in years:
            window = Window(max(lo, date(y, 1, 1)), min(hi, date(y, 12, 31)))
            first = metrics.first_job_in_window(jobs, window)
            for j in metrics.persons_into_work(first, up_to=window.end, member=member):
                key = (
                    j.municipality,
                    y,
                    (j.start.year, j.start.month),
                    row(j.municipality, j.start),
                )
                want_years[key] = want_years.get(key, 0) + 1
        got = store.first_job_counts(lo, hi, members, by_year=True)
        assert _counter(got, lambda c: (c.municipality, c.year, c.month, c.row)) == want_years
        # The report's rows: each person's first job on a day they belong.
        want_rows: dict[tuple[Any, ...], int] = {}
        for j in metrics.earliest_per_person(
            jobs, lambda j: member(j.municipality, j.start)
        ).values():
            key = (j.municipality, 0, (j.start.year, j.start.month), row(j.municipality, j.start))
            want_rows[key] = want_rows.get(key, 0) + 1
        got = store.first_job_counts(lo, hi, members, member_days=True)
        assert _counter(got, lambda c: (c.municipality, c.year, c.month, c.row)) == want_rows
        # Both at once, as a report asks (months not counted).
        got_years, got_rows = store.report_job_counts(lo, hi, members)
        assert _counter(got_years, lambda c: (c.municipality, c.year, c.row)) == _counter(
            [JobCount(k[0], k[1], (0, 0), k[3], n) for k, n in want_years.items()],
            lambda c: (c.municipality, c.year, c.row),
        )
        assert _counter(got_rows, lambda c: (c.municipality, c.row)) == _counter(
            [JobCount(k[0], 0, (0, 0), k[3], n) for k, n in want_rows.items()],
            lambda c: (c.municipality, c.row),
        )
        # The cohorts of the window's years, with the measures asked for.
        records = [
            IntroRecord(
                p.pid, person(p.pid), p.municipality or None, p.intro_end, p.reason,
                p.outcome, p.status_1y, "female", "Syria", 1990, "",
            )
            for p in case.people
            if p.intro_end is not None and lo <= p.intro_end <= hi
        ]  # fmt: skip
        by_person = metrics.group_activities(activities)
        want_cohorts: dict[tuple[Any, ...], list[int]] = {}
        for y in sorted({r.intro_end.year for r in records}):
            cohort = metrics.intro_cohort(
                records, by_person, y, member=member,
                days_after=case.days_after or 0, measured_on=case.measured_on,
            )  # fmt: skip
            for m in cohort.members:
                cells = want_cohorts.setdefault(
                    (y, m.record.municipality, row(m.record.municipality, m.record.intro_end)),
                    [0, 0, 0],
                )
                cells[0] += 1
                cells[1] += case.days_after is not None and m.direct.in_work_or_education
                cells[2] += case.measured_on is not None and m.status(False).in_work_or_education
        got_cohorts = store.cohort_counts(lo, hi, case.days_after, case.measured_on, members)
        assert {
            (c.year, c.municipality, c.row): [c.ended, c.direct, c.one_year] for c in got_cohorts
        } == want_cohorts
        # Two halves of the participant ids (Store.split) add up to the same counts,
        # wherever no two ids share a fødselsnummer (split counts those in one go).
        ids = sorted({p.pid for p in case.people} | {pl.pid for pl in case.placements})
        if ids and not store._shares_person_keys():
            middle = ids[len(ids) // 2]
            halves = (Part(None, middle), Part(middle, None))
            month = lambda c: (c.municipality, c.year, c.month, c.row)  # noqa: E731
            for kwargs in ({}, {"by_year": True}, {"member_days": True}):
                whole = store.first_job_counts(lo, hi, members, **kwargs)
                parts = [
                    c
                    for half in halves
                    for c in store.first_job_counts(lo, hi, members, part=half, **kwargs)
                ]
                assert _counter(parts, month) == _counter(whole, month)
            split = [store.report_job_counts(lo, hi, members, half) for half in halves]
            assert _counter([c for y, _ in split for c in y], month) == _counter(got_years, month)
            assert _counter([c for _, r in split for c in r], month) == _counter(got_rows, month)
            sums: dict[tuple[Any, ...], list[int]] = {}
            for half in halves:
                for c in store.cohort_counts(
                    lo, hi, case.days_after, case.measured_on, members, half
                ):
                    cells = sums.setdefault((c.year, c.municipality, c.row), [0, 0, 0])
                    cells[0] += c.ended
                    cells[1] += c.direct
                    cells[2] += c.one_year
            assert sums == want_cohorts
    finally:
        store.close()


@settings(
    max_examples=int(os.environ.get("INTD_DIFF_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=store_cases())
def test_set_based_queries_equal_the_pure_definitions(
    case: StoreCase, tmp_path_factory: pytest.TempPathFactory
) -> None:
    check_store_case(case, tmp_path_factory.mktemp("sets"))


def _fresh_pg(server: Any) -> str:
    """A new, empty database of the session's PostgreSQL server (one per example)."""
    from pg import PG_TEMPLATE

    name = f"intd_diff_{os.getpid()}_{next(_PG_DATABASES)}"
    server.psql(f"CREATE DATABASE {name} TEMPLATE {PG_TEMPLATE}")
    return str(server.url(name))


_PG_DATABASES = itertools.count(1)
_PG_EXAMPLES = max(5, int(os.environ.get("INTD_DIFF_EXAMPLES", "25")) // 3)
_PG_SETTINGS = settings(
    max_examples=_PG_EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)


@_PG_SETTINGS
@given(case=cases())
def test_postgresql_figures_equal_the_pure_definitions(
    case: Case, pg_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The same differential test with the data imported into PostgreSQL (issue 16)."""
    check_case(case, tmp_path_factory.mktemp("pgdiff"), _fresh_pg(pg_server))


@_PG_SETTINGS
@given(case=store_cases())
def test_postgresql_set_based_queries_equal_the_pure_definitions(
    case: StoreCase, pg_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The store's set-based queries on PostgreSQL against the pure definitions."""
    check_store_case(case, tmp_path_factory.mktemp("pgsets"), _fresh_pg(pg_server))
