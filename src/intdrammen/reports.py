"""Report values: the figures of one request, computed once, ready for any renderer.

`progress`, `region_report` and `explain` read what they need from the store, resolve
regions, call the pure functions in `metrics.py` and return frozen dataclasses. Nothing
here formats a number; renderers in `render/` do that and compute nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from fractions import Fraction

from intdrammen import __version__, metrics, suppression
from intdrammen.config import GoalConfig, load_national
from intdrammen.errors import UnknownName
from intdrammen.metrics import Cohort, Membership
from intdrammen.models import (
    WORK_TYPES,
    Activity,
    Goal,
    GoalKind,
    JobStart,
    NationalFigure,
    Provenance,
    Window,
)
from intdrammen.municipalities import (
    MunicipalityHistory,
    Region,
    RegionConfig,
    resolve_region,
)
from intdrammen.store import Store


@dataclass(frozen=True)
class Context:
    """Everything a report needs besides the request itself."""

    store: Store
    goals: GoalConfig
    regions: RegionConfig
    history: MunicipalityHistory

    def region(self, query: str | None) -> Region | None:
        return None if query is None else resolve_region(query, self.regions, self.history)

    def provenance(self, notes: tuple[str, ...] = ()) -> Provenance:
        batches = self.store.batches(include_undone=False)
        as_of = max((b.imported_at for b in batches), default=None)
        return Provenance(
            intd_version=__version__,
            data_as_of=as_of,
            files=tuple((b.file, b.sha256[:12], b.id) for b in batches),
            goals_version=self.goals.version,
            regions_version=self.regions.version,
            notes=notes,
        )

    def data_as_of(self) -> date | None:
        batches = self.store.batches(include_undone=False)
        latest = max((b.imported_at for b in batches), default=None)
        return None if latest is None else date.fromisoformat(latest[:10])


def _member(*regions: Region | None) -> Membership:
    """People counted by every given region (None = no restriction)."""
    chosen = [r for r in regions if r is not None]
    if not chosen:
        return metrics.everyone
    return lambda code, day: all(r.contains(code, day) for r in chosen)


def _notes(*regions: Region | None) -> tuple[str, ...]:
    seen: list[str] = []
    for region in regions:
        for note in region.notes if region else ():
            if note not in seen:
                seen.append(note)
    return tuple(seen)


# ----------------------------------------------------------------------------- progress


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    window: Window
    year: int
    up_to: date
    actual: int | None  # None: suppressed
    in_year: int | None
    expected: Fraction
    on_track: bool
    projected: Fraction | None
    counted: tuple[JobStart, ...] = field(repr=False, default=())

    @property
    def share_of_target(self) -> Fraction | None:
        return None if self.actual is None else Fraction(self.actual) / self.goal.target


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


def suppress_progress(report: ProgressReport, n: int) -> ProgressReport:
    """The same progress with small counts hidden: a goal's actual and in-year counts, and
    each introduction measure as a share (its complement protected too)."""
    goals = tuple(
        replace(
            g, actual=suppression.primary(g.actual, n), in_year=suppression.primary(g.in_year, n)
        )
        for g in report.goals
    )
    intro = []
    for i in report.intro:
        numerator, ended = suppression.share(i.work_or_education, i.ended, n)
        intro.append(replace(i, ended=ended, work_or_education=numerator))
    breakdowns = []
    for goal_id, breakdown in report.breakdowns:
        rows = suppress_rows([*breakdown.rows, breakdown.total], n)
        breakdowns.append((goal_id, replace(breakdown, rows=rows[:-1], total=rows[-1])))
    return replace(
        report, goals=goals, intro=tuple(intro), breakdowns=tuple(breakdowns), suppressed_below=n
    )


def goal_progress(
    ctx: Context, goal: Goal, year: int, region: Region | None
) -> GoalProgress | None:
    """A persons-into-work goal for `year`, or None when its window does not overlap Y."""
    window = goal.window_for(year)
    if window is None:
        return None
    up_to = metrics.progress_date(window, year)
    jobs = ctx.store.first_job_starts(window.start, window.end)
    first = metrics.first_job_in_window(jobs, window)
    member = _member(ctx.region(goal.region), region)
    counted = metrics.persons_into_work(first, up_to=up_to, member=member)
    expected = metrics.expected_to_date(goal.target, window, year)
    as_of = ctx.data_as_of()
    projected = None
    if as_of is not None and not goal.every_year:
        projected = metrics.projected_end(len(counted), window, min(as_of, up_to))
    return GoalProgress(
        goal=goal,
        window=window,
        year=year,
        up_to=up_to,
        actual=len(counted),
        in_year=metrics.into_work_in_year(counted, year),
        expected=expected,
        on_track=metrics.on_track(len(counted), expected),
        projected=projected,
        counted=tuple(counted),
    )


def cohort_for(ctx: Context, goal: Goal | None, year: int, member: Membership) -> Cohort:
    records = ctx.store.intro_records(date(year, 1, 1), date(year, 12, 31))
    activities = metrics.group_activities(
        ctx.store.activities(persons_of=[r.participant_id for r in records])
    )
    return metrics.intro_cohort(
        records,
        activities,
        year,
        member=member,
        days_after=goal.days_after if goal else 30,
        measured_on=goal.measured_on if goal else (11, 15),
    )


def intro_progress(ctx: Context, goal: Goal, year: int, cohort: Cohort) -> IntroProgress:
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


def progress(
    ctx: Context, year: int, region_query: str | None, by: str | None = None
) -> ProgressReport:
    """Every goal that applies to `year` (cli-contract.md, `intd progress`), and with
    `by` each goal's counts split by a dimension."""
    region = ctx.region(region_query)
    goals = []
    intro = []
    breakdowns: list[tuple[str, Breakdown]] = []
    label = labeller(ctx, region, by) if by else None
    cohorts: dict[tuple[int, tuple[int, str]], Cohort] = {}
    for goal in ctx.goals.goals:
        if goal.kind is GoalKind.PERSONS_INTO_WORK:
            result = goal_progress(ctx, goal, year, region)
            if result is not None:
                goals.append(result)
                if label is not None and by is not None:
                    breakdowns.append((goal.id, _split_jobs(by, label, result.counted)))
            continue
        key = (goal.days_after, f"{goal.measured_on}")
        cohort = cohorts.get((year, key))
        if cohort is None:
            cohort = cohorts[(year, key)] = cohort_for(ctx, goal, year, _member(region))
        intro.append(intro_progress(ctx, goal, year, cohort))
        if label is not None and by is not None and intro[-1].available:
            direct = goal.kind is GoalKind.INTRO_DIRECT
            breakdowns.append((goal.id, _split_cohort(by, label, cohort, direct)))
    goal_regions = [ctx.region(g.goal.region) for g in goals]
    return ProgressReport(
        year,
        region,
        tuple(goals),
        tuple(intro),
        ctx.provenance(_notes(region, *goal_regions)),
        tuple(breakdowns),
    )


def _split_jobs(by: str, label: Callable[[Facts], str], jobs: Sequence[JobStart]) -> Breakdown:
    cells: dict[str, int] = {}
    for job in jobs:
        key = label(job_facts(job))
        cells[key] = cells.get(key, 0) + 1
    rows = tuple(Row(name, cells[name], None, None) for name in _ordered(cells))
    return Breakdown(by, rows, Row("total", sum(cells.values()), None, None))


def _split_cohort(
    by: str, label: Callable[[Facts], str], cohort: Cohort, direct: bool
) -> Breakdown:
    cells: dict[str, list[int]] = {}
    for member in cohort.members:
        status = member.direct if direct else member.one_year
        row = cells.setdefault(label(cohort_facts(member)), [0, 0])
        row[0] += 1
        row[1] += status.in_work_or_education
    rows = tuple(Row(name, None, cells[name][0], cells[name][1]) for name in _ordered(cells))
    total = Row("total", None, sum(c[0] for c in cells.values()), sum(c[1] for c in cells.values()))
    return Breakdown(by, rows, total)


def _ordered(labels: Iterable[str]) -> list[str]:
    names = sorted(k for k in labels if k != "unknown")
    return [*names, "unknown"] if "unknown" in labels else names


# ----------------------------------------------------------------------------- region report


@dataclass(frozen=True)
class Row:
    """One line of a regional report: persons into work and the introduction cohort.
    A count is None when small-cell suppression hid it."""

    label: str
    into_work: int | None
    intro_ended: int | None
    intro_work_or_education: int | None
    code: str | None = None

    @property
    def intro_rate(self) -> Fraction | None:
        if self.intro_ended is None or self.intro_work_or_education is None:
            return None
        return metrics.rate(self.intro_work_or_education, self.intro_ended)

    def counts(self) -> list[int]:
        return [self.into_work or 0, self.intro_work_or_education or 0, self.intro_ended or 0]


def total_row(rows: Sequence[Row]) -> Row:
    """The total of unsuppressed rows: counts summed, rate from the summed counts."""
    return Row(
        "total",
        sum(r.into_work or 0 for r in rows),
        sum(r.intro_ended or 0 for r in rows),
        sum(r.intro_work_or_education or 0 for r in rows),
    )


def suppress_rows(rows: Sequence[Row], n: int) -> tuple[Row, ...]:
    """Rows (the last of which is their total) with small cells hidden; see
    `suppression.py` for the rules."""
    cells = suppression.table([r.counts() for r in rows], n, shares=[(1, 2)])
    return tuple(
        replace(r, into_work=c[0], intro_work_or_education=c[1], intro_ended=c[2])
        for r, c in zip(rows, cells, strict=True)
    )


@dataclass(frozen=True)
class RegionReport:
    region: Region | None
    from_year: int
    to_year: int
    years: tuple[Row, ...]
    municipalities: tuple[Row, ...]
    total: Row
    provenance: Provenance
    breakdown: Breakdown | None = None
    suppressed_below: int | None = None


def suppress_report(report: RegionReport, n: int) -> RegionReport:
    """The same report with counts below `n`, and cells that would reveal them, hidden."""
    municipalities = suppress_rows([*report.municipalities, report.total], n)
    years = suppress_rows([*report.years, total_row(report.years)], n)
    breakdown = report.breakdown
    if breakdown is not None:
        rows = suppress_rows([*breakdown.rows, breakdown.total], n)
        breakdown = replace(breakdown, rows=rows[:-1], total=rows[-1])
    return replace(
        report,
        years=years[:-1],
        municipalities=municipalities[:-1],
        total=municipalities[-1],
        breakdown=breakdown,
        suppressed_below=n,
    )


DIMENSIONS = ("municipality", "gender", "country", "age_group", "channel", "quarter", "employer")
AGE_BANDS = ((25, "under 25"), (35, "25–34"), (45, "35–44"), (55, "45–54"), (200, "55+"))


@dataclass(frozen=True)
class Breakdown:
    """Counts split by one dimension; the total is summed from the rows' own counts."""

    dimension: str
    rows: tuple[Row, ...]
    total: Row


@dataclass(frozen=True)
class Facts:
    """What a breakdown can split a counted person by."""

    municipality: str | None
    day: date
    gender: str | None
    country: str | None
    birth_year: int | None
    channel: str | None
    employer: str | None


def job_facts(job: JobStart) -> Facts:
    return Facts(
        job.municipality,
        job.start,
        job.gender,
        job.country,
        job.birth_year,
        job.channel,
        job.employer,
    )


def cohort_facts(member: metrics.CohortMember) -> Facts:
    record, activity = member.record, member.direct.activity
    return Facts(
        record.municipality,
        record.intro_end,
        record.gender,
        record.country,
        record.birth_year,
        activity.channel if activity else None,
        activity.employer if activity else None,
    )


def labeller(ctx: Context, region: Region | None, dimension: str) -> Callable[[Facts], str]:
    """The row label of a counted person for one breakdown dimension."""
    if dimension not in DIMENSIONS:
        raise UnknownName(
            f"Cannot break down by {dimension!r}; use one of {', '.join(DIMENSIONS)}."
        )
    unknown = "unknown"
    if dimension == "municipality":
        group = _grouper(ctx, region)
        return lambda f: (group(f.municipality, f.day) or (unknown, unknown))[1]
    if dimension == "quarter":
        return lambda f: f"{f.day.year} Q{(f.day.month - 1) // 3 + 1}"
    if dimension == "age_group":

        def age_band(f: Facts) -> str:
            if f.birth_year is None:
                return unknown
            age = f.day.year - f.birth_year
            return next(label for limit, label in AGE_BANDS if age < limit)

        return age_band
    return lambda f: getattr(f, dimension) or unknown


def _rows_by(
    label: Callable[[Facts], str],
    first_jobs: Sequence[JobStart],
    cohorts: Sequence[Cohort],
    order: Sequence[str] = (),
) -> tuple[Row, ...]:
    cells: dict[str, list[int]] = {name: [0, 0, 0] for name in order}
    for job in first_jobs:
        cells.setdefault(label(job_facts(job)), [0, 0, 0])[0] += 1
    for cohort in cohorts:
        for member in cohort.members:
            row = cells.setdefault(label(cohort_facts(member)), [0, 0, 0])
            row[1] += 1
            row[2] += member.direct.in_work_or_education
    names = list(order) + sorted(k for k in cells if k not in order and k != "unknown")
    if "unknown" in cells and "unknown" not in order:
        names.append("unknown")
    return tuple(Row(name, cells[name][0], cells[name][1], cells[name][2]) for name in names)


def first_member_jobs(starts: Sequence[JobStart], member: Membership) -> list[JobStart]:
    """Each person once, at their first job in the period on a day they belong."""
    seen: set[str] = set()
    result = []
    for job in sorted(starts, key=lambda j: (j.start, j.participant_id)):
        if job.person not in seen and member(job.municipality, job.start):
            seen.add(job.person)
            result.append(job)
    return result


def region_report(
    ctx: Context,
    region_query: str | None,
    from_year: int | None,
    to_year: int | None,
    by: str | None = None,
) -> RegionReport:
    """Per year and per municipality (cli-contract.md, `intd report`), and optionally
    split `by` a dimension."""
    region = ctx.region(region_query)
    span = ctx.store.data_years()
    if span is None:
        raise UnknownName("The database holds no placements or programme ends to report on.")
    first, last = from_year or span[0], to_year or span[1]
    if first > last:
        raise UnknownName(f"--from {first} is after --to {last}.")
    member = _member(region)
    period = Window(date(first, 1, 1), date(last, 12, 31))
    starts = list(ctx.store.first_job_starts(period.start, period.end, by_year=True))
    goal = ctx.goals.get("intro-direct-55")
    cohorts = [cohort_for(ctx, goal, year, member) for year in range(first, last + 1)]
    years: list[Row] = []
    for cohort in cohorts:
        window = Window(date(cohort.year, 1, 1), date(cohort.year, 12, 31))
        in_year = metrics.first_job_in_window((j for j in starts if j.year == cohort.year), window)
        into_work = len(metrics.persons_into_work(in_year, up_to=window.end, member=member))
        if into_work or cohort.ended:
            years.append(
                Row(str(cohort.year), into_work, cohort.ended, cohort.direct_work_or_education)
            )
    first_jobs = first_member_jobs(starts, member)
    order = [m.label for m in region.members] if region else []
    rows = _rows_by(labeller(ctx, region, "municipality"), first_jobs, cohorts, order)
    codes = {m.label: m.current_code for m in region.members} if region else {}
    if region is None:
        codes = {
            label: key for key, label in (ctx.history.group(j.municipality) for j in first_jobs)
        }
    rows = tuple(replace(r, code=codes.get(r.label)) for r in rows)
    breakdown = None
    if by is not None:
        split = _rows_by(
            labeller(ctx, region, by), first_jobs, cohorts, order if by == "municipality" else ()
        )
        breakdown = Breakdown(by, split, total_row(split))
    return RegionReport(
        region,
        first,
        last,
        tuple(years),
        rows,
        total_row(rows),
        ctx.provenance(_notes(region)),
        breakdown,
    )


def _grouper(
    ctx: Context, region: Region | None
) -> Callable[[str | None, date], tuple[str, str] | None]:
    """Which row a person belongs to: a region member, or (whole project) today's
    municipality, a split code's own row, or 'unknown'."""
    if region is None:
        return lambda code, _day: ctx.history.group(code)

    def member_row(code: str | None, day: date) -> tuple[str, str] | None:
        found = region.member_for(code, day)
        return None if found is None else (found.current_code or found.label, found.label)

    return member_row


# ----------------------------------------------------------------------------- explain


@dataclass(frozen=True)
class Counted:
    participant_id: str
    date: date | None
    placement_id: str | None
    what: str  # the placement type or outcome that counted
    source: str


@dataclass(frozen=True)
class Excluded:
    participant_id: str
    reason: str
    detail: str
    source: str


@dataclass(frozen=True)
class Explanation:
    goal: Goal
    year: int
    region: Region | None
    counted: tuple[Counted, ...]
    excluded: tuple[Excluded, ...]
    provenance: Provenance


def explain(ctx: Context, goal_id: str, year: int, region_query: str | None) -> Explanation:
    """Who was counted for a goal in a year, by which row, and who was not and why."""
    goal = ctx.goals.get(goal_id)
    if goal is None:
        known = ", ".join(g.id for g in ctx.goals.goals)
        raise UnknownName(f"There is no goal {goal_id!r}. Goals: {known}.")
    region = ctx.region(region_query)
    if goal.kind is GoalKind.PERSONS_INTO_WORK:
        counted, excluded = _explain_work(ctx, goal, year, region)
    else:
        counted, excluded = _explain_intro(ctx, goal, year, region)
    return Explanation(
        goal,
        year,
        region,
        counted,
        excluded,
        ctx.provenance(_notes(region, ctx.region(goal.region))),
    )


def _explain_work(
    ctx: Context, goal: Goal, year: int, region: Region | None
) -> tuple[tuple[Counted, ...], tuple[Excluded, ...]]:
    window = goal.window_for(year)
    if window is None:
        raise UnknownName(f"Goal {goal.id} has no window in {year}.")
    up_to = metrics.progress_date(window, year)
    member = _member(ctx.region(goal.region), region)
    activities = ctx.store.activities(types=None)
    by_person = metrics.group_activities(activities)
    jobs_in_window = {
        person: sorted(
            (a for a in acts if a.type in WORK_TYPES and a.start in window),
            key=lambda a: (a.start, a.participant_id),
        )
        for person, acts in by_person.items()
    }
    counted: list[Counted] = []
    excluded: list[Excluded] = []
    for person, acts in by_person.items():
        first = jobs_in_window[person][0] if jobs_in_window[person] else None
        if first is not None and first.start <= up_to and member(first.municipality, first.start):
            counted.append(
                Counted(
                    first.participant_id, first.start, first.placement_id, first.type, first.source
                )
            )
            continue
        excluded.append(_why_not(first, acts, window, up_to))
    counted.sort(key=lambda c: (c.date or date.min, c.participant_id))
    excluded.sort(key=lambda e: (e.reason, e.participant_id))
    return tuple(counted), tuple(excluded)


def _why_not(first: Activity | None, acts: list[Activity], window: Window, up_to: date) -> Excluded:
    head = acts[0]
    if first is not None and first.start > up_to:
        return Excluded(
            first.participant_id,
            "after_period",
            f"first job in the window starts {first.start}",
            first.source,
        )
    if first is not None:
        return Excluded(
            first.participant_id,
            "outside_region",
            f"municipality {first.municipality or 'unknown'}",
            first.source,
        )
    jobs = [a for a in acts if a.type in WORK_TYPES]
    if jobs:
        return Excluded(
            jobs[0].participant_id,
            "outside_window",
            f"job starts {', '.join(str(a.start) for a in jobs[:3])}",
            jobs[0].source,
        )
    types = sorted({a.type for a in acts})
    return Excluded(
        head.participant_id,
        types[0] if len(types) == 1 else "no_job",
        "placements: " + ", ".join(types),
        head.source,
    )


def _explain_intro(
    ctx: Context, goal: Goal, year: int, region: Region | None
) -> tuple[tuple[Counted, ...], tuple[Excluded, ...]]:
    cohort = cohort_for(ctx, goal, year, _member(region))
    direct = goal.kind is GoalKind.INTRO_DIRECT
    counted: list[Counted] = []
    excluded: list[Excluded] = []
    for m in cohort.members:
        status = m.direct if direct else m.one_year
        record = m.record
        if status.in_work_or_education:
            activity = status.activity
            counted.append(
                Counted(
                    record.participant_id,
                    activity.start if activity else record.intro_end,
                    activity.placement_id if activity else None,
                    f"{status.basis}: {status.value}",
                    activity.source if activity else record.source,
                )
            )
        else:
            reason = status.value or "no_placement"
            excluded.append(
                Excluded(
                    record.participant_id,
                    f"not_in_numerator:{reason}",
                    f"ended {record.intro_end}",
                    record.source,
                )
            )
    for record, why in cohort.excluded:
        excluded.append(
            Excluded(record.participant_id, why, f"ended {record.intro_end}", record.source)
        )
    return tuple(counted), tuple(excluded)


# ----------------------------------------------------------------------------- document


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
    progress: ProgressReport
    series: tuple[GoalSeries, ...]
    cohorts: tuple[CohortRate, ...]
    direct_target: Fraction | None


def _month_ends(start: date, end: date) -> list[date]:
    days = []
    year, month = start.year, start.month
    while date(year, month, 1) <= end:
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        days.append(min(nxt.fromordinal(nxt.toordinal() - 1), end))
        year, month = nxt.year, nxt.month
    return days


def goal_series(ctx: Context, goal: Goal, year: int, region: Region | None) -> GoalSeries | None:
    """Month-end cumulative persons for a window goal up to the end of `year`."""
    window = goal.window_for(year)
    if window is None or goal.every_year:
        return None
    up_to = metrics.progress_date(window, year)
    first = metrics.first_job_in_window(
        ctx.store.first_job_starts(window.start, window.end), window
    )
    counted = metrics.persons_into_work(
        first, up_to=up_to, member=_member(ctx.region(goal.region), region)
    )
    points = []
    index = 0
    for month_end in _month_ends(window.start, up_to):
        while index < len(counted) and counted[index].start <= month_end:
            index += 1
        points.append((month_end, index))
    remaining_months = len(_month_ends(up_to, window.end)) - 1
    needed = None
    if remaining_months > 0:
        needed = max(goal.target - len(counted), Fraction(0)) / remaining_months
    return GoalSeries(goal, window, tuple(points), up_to, needed)


def document(
    ctx: Context,
    region_query: str | None,
    from_year: int | None,
    to_year: int | None,
    by: str | None = None,
) -> Document:
    """The value behind `intd report --out FILE.html|.xlsx`."""
    report = region_report(ctx, region_query, from_year, to_year, by)
    progress_value = progress(ctx, report.to_year, region_query)
    series = tuple(
        s
        for g in ctx.goals.goals
        if g.kind is GoalKind.PERSONS_INTO_WORK
        if (s := goal_series(ctx, g, report.to_year, report.region)) is not None
    )
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
    return Document(report, progress_value, series, cohorts, direct.target if direct else None)


def _coarse_series(series: GoalSeries, n: int) -> GoalSeries | None:
    """A cumulative series safe to share: year-end points only (month steps could reveal
    single persons), and none at all when a year's step is a small cell."""
    yearly = [
        (day, count)
        for day, count in series.points
        if (day.month == 12 and day.day == 31) or day == series.as_of
    ]
    steps = [b - a for (_d, a), (_e, b) in zip([(None, 0), *yearly], yearly, strict=False)]
    if any(0 < step < n for step in steps):
        return None
    return replace(series, points=tuple(yearly))


def suppress_document(doc: Document, n: int) -> Document:
    """Small cells hidden everywhere a shared file shows counts."""
    report = suppress_report(doc.report, n)
    series = tuple(s for s in (_coarse_series(x, n) for x in doc.series) if s is not None)
    cohorts = tuple(
        replace(c, ended=r.intro_ended, work_or_education=r.intro_work_or_education)
        for c in doc.cohorts
        for r in report.years
        if r.label == str(c.year)
    )
    return replace(
        doc,
        report=report,
        progress=suppress_progress(doc.progress, n),
        cohorts=cohorts,
        series=series,
    )
