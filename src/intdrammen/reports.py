"""Report values: the figures of one request, computed once, ready for any renderer.

`progress`, `region_report` and `explain` read what they need from the store, resolve
regions, call the pure functions in `metrics.py` and return frozen dataclasses. Nothing
here formats a number; renderers in `render/` do that and compute nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from intdrammen import __version__, metrics
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
    actual: int
    in_year: int
    expected: Fraction
    on_track: bool
    projected: Fraction | None
    counted: tuple[JobStart, ...] = field(repr=False, default=())


@dataclass(frozen=True)
class IntroProgress:
    goal: Goal
    cohort_year: int
    ended: int
    work_or_education: int | None
    target: Fraction
    available: bool
    measured_on: date | None
    national: tuple[NationalFigure, ...]

    @property
    def rate(self) -> Fraction | None:
        if not self.available or self.work_or_education is None:
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


def progress(ctx: Context, year: int, region_query: str | None) -> ProgressReport:
    """Every goal that applies to `year` (cli-contract.md, `intd progress`)."""
    region = ctx.region(region_query)
    goals = []
    intro = []
    cohorts: dict[tuple[int, tuple[int, str]], Cohort] = {}
    for goal in ctx.goals.goals:
        if goal.kind is GoalKind.PERSONS_INTO_WORK:
            result = goal_progress(ctx, goal, year, region)
            if result is not None:
                goals.append(result)
            continue
        key = (goal.days_after, f"{goal.measured_on}")
        cohort = cohorts.get((year, key))
        if cohort is None:
            cohort = cohorts[(year, key)] = cohort_for(ctx, goal, year, _member(region))
        intro.append(intro_progress(ctx, goal, year, cohort))
    goal_regions = [ctx.region(g.goal.region) for g in goals]
    return ProgressReport(
        year, region, tuple(goals), tuple(intro), ctx.provenance(_notes(region, *goal_regions))
    )


# ----------------------------------------------------------------------------- region report


@dataclass(frozen=True)
class Row:
    """One line of a regional report: persons into work and the introduction cohort."""

    label: str
    into_work: int
    intro_ended: int
    intro_work_or_education: int
    code: str | None = None

    @property
    def intro_rate(self) -> Fraction | None:
        return metrics.rate(self.intro_work_or_education, self.intro_ended)


@dataclass(frozen=True)
class RegionReport:
    region: Region | None
    from_year: int
    to_year: int
    years: tuple[Row, ...]
    municipalities: tuple[Row, ...]
    provenance: Provenance

    @property
    def total(self) -> Row:
        return Row(
            "total",
            sum(r.into_work for r in self.municipalities),
            sum(r.intro_ended for r in self.municipalities),
            sum(r.intro_work_or_education for r in self.municipalities),
        )


def region_report(
    ctx: Context, region_query: str | None, from_year: int | None, to_year: int | None
) -> RegionReport:
    """Per year and per municipality (cli-contract.md, `intd report`)."""
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
    group = _grouper(ctx, region)

    years: list[Row] = []
    per_municipality: dict[tuple[str, str], list[int]] = {}
    counted_people: set[str] = set()
    for job in sorted(starts, key=lambda j: (j.start, j.participant_id)):
        key = group(job.municipality, job.start)
        if key is not None and job.person not in counted_people:
            counted_people.add(job.person)
            per_municipality.setdefault(key, [0, 0, 0])[0] += 1
    for year in range(first, last + 1):
        window = Window(date(year, 1, 1), date(year, 12, 31))
        in_year = metrics.first_job_in_window((j for j in starts if j.year == year), window)
        into_work = len(metrics.persons_into_work(in_year, up_to=window.end, member=member))
        cohort = cohort_for(ctx, ctx.goals.get("intro-direct-55"), year, member)
        for member_row in cohort.members:
            key = group(member_row.record.municipality, member_row.record.intro_end)
            if key is None:
                continue
            cells = per_municipality.setdefault(key, [0, 0, 0])
            cells[1] += 1
            cells[2] += member_row.direct.in_work_or_education
        if into_work or cohort.ended:
            years.append(Row(str(year), into_work, cohort.ended, cohort.direct_work_or_education))
    rows = _municipality_rows(ctx, region, per_municipality)
    return RegionReport(region, first, last, tuple(years), rows, ctx.provenance(_notes(region)))


def _grouper(ctx: Context, region: Region | None):  # type: ignore[no-untyped-def]
    """Which row a person belongs to: a region member, or (whole project) today's
    municipality, a split code's own row, or 'unknown'."""
    if region is None:
        return lambda code, _day: ctx.history.group(code)

    def member_row(code: str | None, day: date) -> tuple[str, str] | None:
        found = region.member_for(code, day)
        return None if found is None else (found.current_code or found.label, found.label)

    return member_row


def _municipality_rows(
    ctx: Context, region: Region | None, cells: dict[tuple[str, str], list[int]]
) -> tuple[Row, ...]:
    if region is not None:
        order = [(m.current_code or m.label, m.label) for m in region.members]
    else:
        order = sorted((k for k in cells if k[0] != "unknown"), key=lambda k: k[1])
        if ("unknown", "unknown") in cells:
            order.append(("unknown", "unknown"))
    rows = []
    for key in dict.fromkeys(order):
        into_work, ended, woe = cells.get(key, [0, 0, 0])
        rows.append(
            Row(key[1], into_work, ended, woe, code=None if key[0] == "unknown" else key[0])
        )
    return tuple(rows)


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
