"""The value behind shared report files (HTML, XLSX): the regional report, progress
in its last year, cumulative series and cohort rates."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from fractions import Fraction

from intdrammen import metrics, suppression
from intdrammen.config import load_national
from intdrammen.models import (
    Goal,
    GoalKind,
    GoalNotApplicable,
    NationalFigure,
    Window,
)
from intdrammen.reports.context import Context, not_applicable
from intdrammen.reports.progress import (
    GoalProgress,
    ProgressReport,
    goal_progress,
    progress,
    suppress_progress,
)
from intdrammen.reports.scope import Scope
from intdrammen.reports.tables import RegionReport, region_report, suppress_report


@dataclass(frozen=True)
class GoalSeries:
    """Cumulative persons into work for a window goal, month by month, for a chart."""

    goal: Goal
    window: Window
    points: tuple[tuple[date, int], ...]  # (last day of month, cumulative persons)
    as_of: date  # the last day with data in the chart
    needed_per_month: Fraction | None  # pace still needed to reach the target by the end


@dataclass(frozen=True)
class CohortRate:
    """One cohort year's direct-transition result beside the published figures."""

    year: int
    ended: int | None
    work_or_education: int | None
    national: tuple[NationalFigure, ...]

    @property
    def rate(self) -> Fraction | None:
        if self.ended is None or self.work_or_education is None:
            return None
        return metrics.rate(self.work_or_education, self.ended)


@dataclass(frozen=True)
class Document:
    """Everything a shared report file shows: the regional report, progress in its last
    year, cumulative series for the window goals, and the cohort rates over the years."""

    report: RegionReport
    progress: ProgressReport  # the report's last year: its introduction cohort
    goals: tuple[GoalProgress, ...]  # each persons goal at the last year the report covers
    series: tuple[GoalSeries, ...]
    cohorts: tuple[CohortRate, ...]
    direct_target: Fraction | None
    withheld: tuple[Goal, ...] = ()  # goals whose charts are left out to protect small counts
    # Goals left out: their own region does not overlap the report's region.
    not_applicable: tuple[GoalNotApplicable, ...] = ()


def _month_ends(start: date, end: date) -> list[date]:
    days = []
    year, month = start.year, start.month
    while date(year, month, 1) <= end:
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        days.append(min(nxt.fromordinal(nxt.toordinal() - 1), end))
        year, month = nxt.year, nxt.month
    return days


def goal_series(
    ctx: Context, goal: Goal, year: int, scope: Scope, counted: GoalProgress | None = None
) -> GoalSeries | None:
    """Month-end cumulative persons for a window goal up to the end of `year`, among
    those counted by both the goal's own region and the region `scope` asks for
    (`counted`: the goal's progress in `year`, already computed)."""
    window = goal.window_for(year)
    if window is None:
        return None
    if counted is None:
        counted = goal_progress(ctx, goal, year, scope)
        if counted is None:
            return None
    up_to = counted.up_to
    months = counted.months
    points = []
    index = total = 0
    for month_end in _month_ends(window.start, up_to):
        while index < len(months) and months[index][0] <= (month_end.year, month_end.month):
            total += months[index][1]
            index += 1
        points.append((month_end, total))
    remaining_months = len(_month_ends(up_to, window.end)) - 1
    needed = None
    if remaining_months > 0:
        needed = max(goal.target - (counted.actual or 0), Fraction(0)) / remaining_months
    return GoalSeries(goal, window, tuple(points), up_to, needed)


def document(
    ctx: Context,
    scope: Scope,
    from_year: int | None,
    to_year: int | None,
    by: str | None = None,
) -> Document:
    """The value behind `intd report --out FILE.html|.xlsx` for the region `scope`
    asks for."""
    report = region_report(ctx, scope, from_year, to_year, by)
    progress_value = progress(ctx, report.to_year, scope)
    goals = []
    series = []
    left_out: list[GoalNotApplicable] = []
    for goal in ctx.goals.goals:
        if goal.kind is not GoalKind.PERSONS_INTO_WORK or goal.start is None:
            continue
        # A window that ended before the report's last year shows its final result.
        year = min(report.to_year, goal.end.year if goal.end else report.to_year)
        if year < max(report.from_year, goal.start.year):
            continue
        window = goal.window_for(year)
        missing = None if window is None else not_applicable(scope, goal, window)
        if missing is not None:
            left_out.append(missing)
            continue
        result = goal_progress(ctx, goal, year, scope)
        line = None if result is None else goal_series(ctx, goal, year, scope, result)
        goals += [result] if result is not None else []
        series += [line] if line is not None else []
    national = load_national()
    direct = next((g for g in ctx.goals.goals if g.kind is GoalKind.INTRO_DIRECT), None)
    cohorts = tuple(
        CohortRate(
            int(r.label),
            r.intro_ended,
            r.intro_work_or_education,
            tuple(n for n in national if n.measure == "direct" and n.cohort_year == int(r.label)),
        )
        for r in report.years
        if r.intro_ended
    )
    return Document(
        report,
        progress_value,
        tuple(goals),
        tuple(series),
        cohorts,
        direct.target if direct else None,
        not_applicable=tuple(left_out),
    )


def _coarse_series(series: GoalSeries, n: int) -> GoalSeries | None:
    """A cumulative series safe to share: year-end points only (month steps could reveal
    single persons), and none at all when a year's step is a small cell or a single point
    is all that would remain (a one-year window)."""
    yearly = [
        (day, count)
        for day, count in series.points
        if (day.month == 12 and day.day == 31) or day == series.as_of
    ]
    steps = [b - a for (_d, a), (_e, b) in zip([(None, 0), *yearly], yearly, strict=False)]
    if len(yearly) < 2 or any(0 < step < n for step in steps):
        return None
    return replace(series, points=tuple(yearly))


def suppress_document(doc: Document, n: int) -> Document:
    """Small cells hidden everywhere a shared file shows counts."""
    report = suppress_report(doc.report, n)
    coarse = [(x, _coarse_series(x, n)) for x in doc.series]
    series = tuple(s for _x, s in coarse if s is not None)
    withheld = tuple(x.goal for x, s in coarse if s is None)
    cohorts = tuple(
        replace(c, ended=r.intro_ended, work_or_education=r.intro_work_or_education)
        for c in doc.cohorts
        for r in report.years
        if r.label == str(c.year)
    )
    goals = tuple(
        replace(
            g, actual=suppression.primary(g.actual, n), in_year=suppression.primary(g.in_year, n)
        )
        for g in doc.goals
    )
    return replace(
        doc,
        report=report,
        goals=goals,
        progress=suppress_progress(doc.progress, n),
        cohorts=cohorts,
        series=series,
        withheld=withheld,
    )
