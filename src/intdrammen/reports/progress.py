"""Progress against every goal that applies to a year (`intd progress`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from fractions import Fraction

from intdrammen import metrics, suppression
from intdrammen.config import load_national
from intdrammen.metrics import Cohort
from intdrammen.models import (
    Goal,
    GoalKind,
    GoalNotApplicable,
    JobStart,
    NationalFigure,
    Provenance,
    QuarterLabel,
    Window,
)
from intdrammen.municipalities import Region
from intdrammen.reports.context import (
    CohortTally,
    Context,
    _member,
    _notes,
    codes_of,
    cohort_for,
    cohort_tallies,
    member_periods,
    merge_tallies,
    not_applicable,
)
from intdrammen.reports.language import (
    LanguageProgress,
    count_language,
    language_progress,
    suppress_language,
)
from intdrammen.reports.scope import Scope
from intdrammen.reports.tables import (
    Breakdown,
    Facts,
    Label,
    Row,
    cohort_facts,
    job_facts,
    label_key,
    labeller,
    make_row,
    needs_facts,
    suppress_rows,
    total_row,
)
from intdrammen.store.queries import EVERYONE, JobCount, LanguageCount, Part, QueryMixin


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    window: Window
    year: int
    up_to: date
    actual: int | None  # None: suppressed
    in_year: int | None
    expected: Fraction
    on_track: bool | None  # None: hidden with a suppressed actual
    projected: Fraction | None
    # The persons counted by the (year, month) of their first job in the window, in
    # month order: what the charts show.
    months: tuple[tuple[tuple[int, int], int], ...] = field(repr=False, default=())
    # Each counted person's first job, with what a breakdown splits by: only when a
    # breakdown was asked for (the counts come from the store otherwise).
    counted: tuple[JobStart, ...] = field(repr=False, default=())
    # A window still running on the data's date: the pro-rata target on that date.
    as_of: date | None = None
    expected_as_of: Fraction | None = None

    @property
    def share_of_target(self) -> Fraction | None:
        return None if self.actual is None else Fraction(self.actual) / self.goal.target

    def by_year(self) -> list[tuple[int, int, Fraction]]:
        """(year, cumulative persons to the end of it, expected to date) for each year of
        the window up to this one: the data behind `intd progress --chart`."""
        years = range(self.window.start.year, self.year + 1)
        return [
            (
                y,
                sum(n for (year, _month), n in self.months if year <= y),
                metrics.expected_to_date(self.goal.target, self.window, y),
            )
            for y in years
        ]


@dataclass(frozen=True)
class IntroProgress:
    goal: Goal
    cohort_year: int
    ended: int | None  # None: suppressed
    work_or_education: int | None  # None: suppressed or not yet measurable
    target: Fraction
    available: bool
    measured_on: date | None
    national: tuple[NationalFigure, ...]

    @property
    def rate(self) -> Fraction | None:
        if not self.available or self.work_or_education is None or self.ended is None:
            return None
        return metrics.rate(self.work_or_education, self.ended)

    @property
    def met(self) -> bool | None:
        value = self.rate
        return None if value is None else value >= self.target


@dataclass(frozen=True)
class ProgressReport:
    year: int
    region: Region | None
    goals: tuple[GoalProgress, ...]
    intro: tuple[IntroProgress, ...]
    provenance: Provenance
    # goal id -> its counts split by a dimension (--by)
    breakdowns: tuple[tuple[str, Breakdown], ...] = ()
    suppressed_below: int | None = None
    # Goals left out: their own region does not overlap the region asked for.
    not_applicable: tuple[GoalNotApplicable, ...] = ()
    # The language-training requirement of the year's introduction cohort.
    language: LanguageProgress | None = None


def suppress_progress(report: ProgressReport, n: int) -> ProgressReport:
    """The same progress with small counts hidden: a goal's actual and in-year counts, and
    each introduction measure as a share (its complement protected too)."""
    goals = tuple(_suppress_goal(g, n) for g in report.goals)
    intro = []
    for i in report.intro:
        numerator, ended = suppression.share(i.work_or_education, i.ended, n)
        intro.append(replace(i, ended=ended, work_or_education=numerator))
    breakdowns = []
    for goal_id, breakdown in report.breakdowns:
        rows = suppress_rows([*breakdown.rows, breakdown.total], n)
        if breakdown.dimension == "quarter":
            rows = _protect_the_year(breakdown.rows, rows, report.year, n)
        breakdowns.append((goal_id, replace(breakdown, rows=rows[:-1], total=rows[-1])))
    language = None if report.language is None else suppress_language(report.language, n)
    return replace(
        report,
        goals=goals,
        intro=tuple(intro),
        breakdowns=tuple(breakdowns),
        suppressed_below=n,
        language=language,
    )


def _protect_the_year(
    rows: Sequence[Row], hidden: tuple[Row, ...], year: int, n: int
) -> tuple[Row, ...]:
    """A `--by quarter` split of a goal has a second total beside its own: the quarters
    of the progress year add up to the goal's published in-year count. So those quarters
    are suppressed as a table of their own too (a cell hidden by either pass stays
    hidden), and if that leaves a single one of them hidden, the smallest other one is
    hidden with it: no hidden quarter is the in-year count less the visible ones."""
    at = [
        k
        for k, r in enumerate(rows)
        if isinstance(r.label_value, QuarterLabel) and r.label_value.year == year
    ]
    if not at:
        return hidden
    group = suppress_rows([*(rows[k] for k in at), total_row([rows[k] for k in at])], n)
    out = list(hidden)
    for k, g in zip(at, group, strict=False):
        if g.into_work is None:
            out[k] = replace(out[k], into_work=None)
    hidden_here = [k for k in at if out[k].into_work is None]
    shown = [k for k in at if (out[k].into_work or 0) > 0]  # zero is never hidden
    if len(hidden_here) == 1 and shown:
        smallest = min(shown, key=lambda k: (out[k].into_work or 0, k))
        out[smallest] = replace(out[smallest], into_work=None)
    return tuple(out)


def _suppress_goal(g: GoalProgress, n: int) -> GoalProgress:
    """A goal with its small counts hidden, and with them everything that would give a
    hidden count back: the projection (actual scaled to the year), the verdict against
    the expected count, and the counted jobs behind the chart."""
    actual = suppression.primary(g.actual, n)
    hidden = actual is None
    return replace(
        g,
        actual=actual,
        in_year=suppression.primary(g.in_year, n),
        on_track=None if hidden else g.on_track,
        projected=None if hidden else g.projected,
        months=() if hidden else g.months,
        counted=() if hidden else g.counted,
    )


def goal_progress(
    ctx: Context,
    goal: Goal,
    year: int,
    scope: Scope,
    *,
    facts: bool = False,
    persons: bool = False,
    considered: set[str] | None = None,
    cells: Sequence[JobCount] | None = None,
) -> GoalProgress | None:
    """A persons-into-work goal for `year` among those counted by both the goal's own
    region and the region `scope` asks for, or None when its window does not overlap Y
    (`persons`: with each counted person's first job, for a breakdown; `facts`: each of
    them carrying what a breakdown splits by; `considered` gets the municipality code of
    every job counted; `cells`: the goal's `goal_job_counts`, counted already)."""
    window = goal.window_for(year)
    if window is None:
        return None
    up_to = metrics.progress_date(window, year)
    # A person counted by `up_to` has their first job of the window on or before it, so
    # jobs after it cannot change who is counted or when: they are not read.
    counted: list[JobStart] = []
    if persons or facts:
        jobs = ctx.store.first_job_starts(window.start, up_to, facts=facts)
        first = metrics.first_job_in_window(jobs, window)
        member = _member(scope.of(goal), scope.region)
        counted = metrics.by_start(metrics.persons_into_work(first, up_to=up_to, member=member))
        per_month: dict[tuple[int, int], int] = {}
        for job in counted:
            key = (job.start.year, job.start.month)
            per_month[key] = per_month.get(key, 0) + 1
        codes = codes_of(job.municipality for job in counted)
    else:
        # Counted by the store: no row per person comes back (issue 15).
        per_month = {}
        codes = set()
        if cells is None:
            cells = goal_job_counts(ctx.store, goal, year, scope)
        for cell in cells:
            per_month[cell.month] = per_month.get(cell.month, 0) + cell.persons
            codes |= codes_of([cell.municipality])
    if considered is not None:
        considered |= codes
    months = tuple(sorted(per_month.items()))
    actual = sum(per_month.values())
    in_year = sum(n for (y, _m), n in months if y == year)
    expected = metrics.expected_to_date(goal.target, window, year)
    as_of = ctx.data_as_of()
    running = as_of is not None and window.start <= as_of < up_to
    projected = None
    if as_of is not None and (running or not goal.every_year):
        projected = metrics.projected_end(actual, window, min(as_of, up_to))
    return GoalProgress(
        goal=goal,
        window=window,
        year=year,
        up_to=up_to,
        actual=actual,
        in_year=in_year,
        expected=expected,
        on_track=metrics.on_track(actual, expected),
        projected=projected,
        months=months,
        counted=tuple(counted),
        as_of=as_of if running else None,
        expected_as_of=metrics.expected_by(goal.target, window, as_of)
        if running and as_of is not None
        else None,
    )


def goal_job_counts(
    store: QueryMixin, goal: Goal, year: int, scope: Scope, part: Part = EVERYONE
) -> list[JobCount]:
    """The store's count of a persons-into-work goal for `year` in `scope` (see
    `goal_progress`), of the participant ids of `part` (a half of `QueryMixin.split`);
    none where the goal's window does not overlap the year."""
    window = goal.window_for(year)
    if window is None:
        return []
    up_to = metrics.progress_date(window, year)
    periods = member_periods(scope.of(goal), scope.region)
    return store.first_job_counts(window.start, up_to, periods, part=part)


def intro_progress(
    ctx: Context, goal: Goal, year: int, cohort: Cohort | CohortTally
) -> IntroProgress:
    direct = goal.kind is GoalKind.INTRO_DIRECT
    measured = None if direct else metrics.one_year_measurement_day(year, goal.measured_on)
    as_of = ctx.data_as_of()
    available = direct or (as_of is not None and measured is not None and measured <= as_of)
    numerator = cohort.direct_work_or_education if direct else cohort.one_year_work_or_education
    national = tuple(
        f
        for f in load_national()
        if f.cohort_year == year and f.measure == ("direct" if direct else "one_year")
    )
    return IntroProgress(
        goal=goal,
        cohort_year=year,
        ended=cohort.ended,
        work_or_education=numerator if available else None,
        target=goal.target,
        available=available,
        measured_on=measured,
        national=national,
    )


def progress(ctx: Context, year: int, scope: Scope, by: str | None = None) -> ProgressReport:
    """Every goal that applies to `year` (cli-contract.md, `intd progress`) in the
    region `scope` asks for, and with `by` each goal's counts split by a dimension."""
    region = scope.region
    goals = []
    intro = []
    breakdowns: list[tuple[str, Breakdown]] = []
    left_out: list[GoalNotApplicable] = []
    label = labeller(ctx, region, by) if by else None
    cohorts: dict[tuple[int, str], Cohort] = {}
    member = _member(region)
    considered: set[str] = set()
    counted = _counted(ctx, year, scope) if by is None else ({}, {}, None)
    for number, goal in enumerate(ctx.goals.goals):
        if goal.kind is GoalKind.PERSONS_INTO_WORK:
            window = goal.window_for(year)
            missing = None if window is None else not_applicable(scope, goal, window)
            if missing is not None:
                left_out.append(missing)
                continue
            result = goal_progress(
                ctx,
                goal,
                year,
                scope,
                facts=needs_facts(by),
                persons=by is not None,
                considered=considered,
                cells=counted[0].get(number),
            )
            if result is not None:
                goals.append(result)
                if by is not None:
                    # One name for one row: a goal that counts only its own region
                    # labels its rows as that region's report does.
                    own = scope.of(goal) or region
                    split = labeller(ctx, own, by)
                    breakdowns.append((goal.id, _split_jobs(by, split, result.counted)))
            continue
        if by is None:  # counts only: the store counted the cohort, for this measure
            tally = counted[1][number].get(year) or CohortTally(year, ())
            considered |= tally.codes
            intro.append(intro_progress(ctx, goal, year, tally))
            continue
        key = (goal.days_after, f"{goal.measured_on}")
        cohort = cohorts.get(key)
        if cohort is None:
            cohort = cohorts[key] = cohort_for(ctx, goal, year, member)
            considered |= codes_of(m.record.municipality for m in cohort.members)
        intro.append(intro_progress(ctx, goal, year, cohort))
        if label is not None and intro[-1].available:
            direct = goal.kind is GoalKind.INTRO_DIRECT
            breakdowns.append((goal.id, _split_cohort(by, label, cohort, direct)))
    split_by = None
    if by is not None and label is not None:
        # The language rows place a person as the cohort columns do: by the facts of
        # their programme end (the direct measure's deciding placement for a channel).
        first = next((g for g in ctx.goals.goals if g.kind is GoalKind.INTRO_DIRECT), None)
        days, measured = (first.days_after, first.measured_on) if first else (30, (11, 15))
        cohort = cohorts.get((days, f"{measured}")) or cohort_for(ctx, first, year, member)
        split_by = (by, label, cohort)
    language, codes = language_progress(ctx, year, region, split_by, counted[2])
    considered |= codes
    goal_regions = [scope.of(g.goal) for g in goals]
    # A progress breakdown shows only rows that count someone: no row without a record.
    return ProgressReport(
        year,
        region,
        tuple(goals),
        tuple(intro),
        ctx.provenance(
            _notes(considered, (), region, *goal_regions, history=ctx.history), requirements=True
        ),
        tuple(breakdowns),
        not_applicable=tuple(left_out),
        language=language,
    )


def _counted(
    ctx: Context, year: int, scope: Scope
) -> tuple[
    dict[int, list[JobCount]], dict[int, dict[int, CohortTally]], list[LanguageCount] | None
]:
    """What `progress` without a breakdown counts, by the goal's number: each
    persons-into-work goal's `goal_job_counts` and each introduction goal's cohort
    tallies of the year; and the year's cohort grouped for the language requirement; in
    two halves of the participants at once (`QueryMixin.split`, issue 15), added up."""

    def count(
        store: QueryMixin, part: Part
    ) -> tuple[dict[int, list[JobCount]], dict[int, dict[int, CohortTally]], list[LanguageCount]]:
        jobs: dict[int, list[JobCount]] = {}
        cohorts: dict[int, dict[int, CohortTally]] = {}
        for number, goal in enumerate(ctx.goals.goals):
            if goal.kind is GoalKind.PERSONS_INTO_WORK:
                window = goal.window_for(year)
                if window is not None and not_applicable(scope, goal, window) is None:
                    jobs[number] = goal_job_counts(store, goal, year, scope, part)
                continue
            direct = goal.kind is GoalKind.INTRO_DIRECT
            cohorts[number] = cohort_tallies(
                ctx,
                goal,
                year,
                year,
                scope.region,
                direct=direct,
                one_year=not direct,
                store=store,
                part=part,
            )
        days = (date(year, 1, 1), date(year, 12, 31))
        return jobs, cohorts, count_language(ctx, *days, scope.region, store, part)

    halves = ctx.store.split(count)
    jobs = {n: [c for half, _, _ in halves for c in half.get(n, [])] for n in halves[0][0]}
    cohorts = {n: merge_tallies(*(half[n] for _, half, _ in halves)) for n in halves[0][1]}
    return jobs, cohorts, [c for _, _, language in halves for c in language]


def _split_jobs(by: str, label: Callable[[Facts], Label], jobs: Sequence[JobStart]) -> Breakdown:
    cells: dict[Label, int] = {}
    for job in jobs:
        key = label(job_facts(job))
        cells[key] = cells.get(key, 0) + 1
    rows = tuple(make_row(name, cells[name], None, None) for name in _ordered(cells))
    return Breakdown(by, rows, make_row("total", sum(cells.values()), None, None))


def _split_cohort(
    by: str, label: Callable[[Facts], Label], cohort: Cohort, direct: bool
) -> Breakdown:
    cells: dict[Label, list[int]] = {}
    for member in cohort.members:
        status = member.status(direct)
        row = cells.setdefault(label(cohort_facts(member)), [0, 0])
        row[0] += 1
        row[1] += status.in_work_or_education
    rows = tuple(make_row(name, None, cells[name][0], cells[name][1]) for name in _ordered(cells))
    total = make_row(
        "total", None, sum(c[0] for c in cells.values()), sum(c[1] for c in cells.values())
    )
    return Breakdown(by, rows, total)


def _ordered(labels: Iterable[Label]) -> list[Label]:
    names = sorted((k for k in labels if k != "unknown"), key=label_key)
    return [*names, "unknown"] if "unknown" in labels else names
