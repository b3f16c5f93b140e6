"""The regional report: rows per year and per municipality, breakdowns by a
dimension, and their small-cell suppression."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from fractions import Fraction
from functools import cache
from typing import TYPE_CHECKING

from intdrammen import metrics, suppression
from intdrammen.errors import UnknownName
from intdrammen.metrics import Cohort, Membership
from intdrammen.models import (
    JobStart,
    Provenance,
    QuarterLabel,
    RowLabel,
    SplitLabel,
    Window,
)
from intdrammen.municipalities import Region
from intdrammen.reports.context import (
    CohortTally,
    Context,
    _member,
    _notes,
    codes_of,
    cohort_tallies,
    cohorts_for,
    member_periods,
    merge_tallies,
    shown_codes,
)
from intdrammen.reports.scope import Scope
from intdrammen.store.queries import JobCount, Part, QueryMixin

if TYPE_CHECKING:  # reports.language builds on this module's labels and facts
    from intdrammen.reports.language import LanguageTable


@dataclass(frozen=True)
class Row:
    """One line of a regional report: persons into work and the introduction cohort.
    A count is None when small-cell suppression hid it."""

    label: str
    into_work: int | None
    intro_ended: int | None
    intro_work_or_education: int | None
    code: str | None = None
    # A row whose name is a value (a quarter, a split or merged-away municipality): the
    # renderer words it per language; `label` is its stable English key (JSON `label`).
    label_value: RowLabel | None = None

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
    # A count a row does not have (a progress breakdown has either persons into work or
    # the cohort) stays absent: suppression must not turn it into a 0.
    return tuple(
        replace(
            r,
            into_work=None if r.into_work is None else c[0],
            intro_work_or_education=None if r.intro_work_or_education is None else c[1],
            intro_ended=None if r.intro_ended is None else c[2],
        )
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
    # The language-training requirement: a row per cohort year of the report (years
    # with a cohort), and with a breakdown the report's cohorts split alike.
    language: LanguageTable | None = None
    language_breakdown: LanguageTable | None = None

    @property
    def shown_breakdown(self) -> Breakdown | None:
        """The breakdown a reader's table adds to the report: none for `--by
        municipality`, whose rows are the report's own per-municipality table (JSON and
        CSV still carry it, as asked)."""
        b = self.breakdown
        return None if b is None or b.dimension == "municipality" else b


def suppress_report(report: RegionReport, n: int) -> RegionReport:
    """The same report with counts below `n`, and cells that would reveal them, hidden."""
    municipalities = suppress_rows([*report.municipalities, report.total], n)
    years = suppress_rows([*report.years, total_row(report.years)], n)
    breakdown = report.breakdown
    if breakdown is not None:
        rows = suppress_rows([*breakdown.rows, breakdown.total], n)
        breakdown = replace(breakdown, rows=rows[:-1], total=rows[-1])
    from intdrammen.reports.language import suppress_table

    language, split = report.language, report.language_breakdown
    return replace(
        report,
        years=years[:-1],
        municipalities=municipalities[:-1],
        total=municipalities[-1],
        breakdown=breakdown,
        suppressed_below=n,
        language=None if language is None else suppress_table(language, n),
        language_breakdown=None if split is None else suppress_table(split, n),
    )


DIMENSIONS = (
    "municipality",
    "county",
    "gender",
    "country",
    "age_group",
    "channel",
    "quarter",
    "employer",
)
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


def needs_facts(dimension: str | None) -> bool:
    """Whether a breakdown by `dimension` needs more of a person than municipality and
    day (which every figure query returns anyway)."""
    return dimension not in (None, "municipality", "county", "quarter")


Label = str | RowLabel  # a row's label: text (data, "unknown") or a typed value


def label_key(label: Label) -> str:
    """The stable text of a row label (Row.label)."""
    return label if isinstance(label, str) else label.key


def make_row(
    label: Label, into_work: int | None, ended: int | None, work_or_education: int | None
) -> Row:
    typed = None if isinstance(label, str) else label
    return Row(label_key(label), into_work, ended, work_or_education, label_value=typed)


def labeller(ctx: Context, region: Region | None, dimension: str) -> Callable[[Facts], Label]:
    """The row label of a counted person for one breakdown dimension."""
    if dimension not in DIMENSIONS:
        raise UnknownName(
            f"Cannot break down by {dimension!r}; use one of {', '.join(DIMENSIONS)}."
        )
    unknown = "unknown"
    if dimension == "municipality":
        group = _grouper(ctx, region)
        return lambda f: (group(f.municipality, f.day) or (unknown, unknown))[1]
    if dimension == "county":
        from intdrammen.counties import county_of_today

        @cache  # many people share a code
        def county(code: str | None) -> str:
            found = county_of_today(ctx.history, code)
            return unknown if found is None else found.name

        return lambda f: county(f.municipality)
    if dimension == "quarter":
        return lambda f: QuarterLabel(f.day.year, (f.day.month - 1) // 3 + 1)
    if dimension == "age_group":

        def age_band(f: Facts) -> str:
            if f.birth_year is None:
                return unknown
            age = f.day.year - f.birth_year
            return next(label for limit, label in AGE_BANDS if age < limit)

        return age_band
    return lambda f: getattr(f, dimension) or unknown


def _rows_by(
    label: Callable[[Facts], Label],
    first_jobs: Sequence[JobStart],
    cohorts: Sequence[Cohort],
    order: Sequence[Label] = (),
) -> tuple[Row, ...]:
    cells: dict[Label, list[int]] = {name: [0, 0, 0] for name in order}
    for job in first_jobs:
        cells.setdefault(label(job_facts(job)), [0, 0, 0])[0] += 1
    for cohort in cohorts:
        for member in cohort.members:
            row = cells.setdefault(label(cohort_facts(member)), [0, 0, 0])
            row[1] += 1
            row[2] += member.direct.in_work_or_education
    return _rows_of(cells, order)


def _rows_of(cells: dict[Label, list[int]], order: Sequence[Label]) -> tuple[Row, ...]:
    """Rows of (into work, ended, in work or education) per label: the `order` first,
    then the rest by name, "unknown" last."""
    rest = (k for k in cells if k not in order and k != "unknown")
    names = list(order) + sorted(rest, key=label_key)
    if "unknown" in cells and "unknown" not in order:
        names.append("unknown")
    return tuple(make_row(name, *cells[name]) for name in names)


def first_member_jobs(starts: Sequence[JobStart], member: Membership) -> list[JobStart]:
    """Each person once, at their first job in the period on a day they belong."""
    first = metrics.earliest_per_person(starts, lambda job: member(job.municipality, job.start))
    return list(first.values())


def region_report(
    ctx: Context,
    scope: Scope,
    from_year: int | None,
    to_year: int | None,
    by: str | None = None,
) -> RegionReport:
    """Per year and per municipality (cli-contract.md, `intd report`) of the region
    `scope` asks for, and optionally split `by` a dimension."""
    if by is None:
        return _counted_report(ctx, scope, from_year, to_year)
    region = scope.region
    first, last = _data_span(ctx, from_year, to_year)
    member = _member(region)
    considered: set[str] = set()
    period = Window(date(first, 1, 1), date(last, 12, 31))
    starts = list(
        ctx.store.first_job_starts(period.start, period.end, by_year=True, facts=needs_facts(by))
    )
    goal = ctx.goals.get("intro-direct-55")
    # The table shows the direct measure only: placements deciding the one-year measure
    # are not read.
    cohorts = list(cohorts_for(ctx, goal, first, last, member, one_year=False).values())
    starts_in: dict[int, list[JobStart]] = {}
    for job in starts:
        starts_in.setdefault(job.year, []).append(job)
    years: list[Row] = []
    for cohort in cohorts:
        window = Window(date(cohort.year, 1, 1), date(cohort.year, 12, 31))
        in_year = metrics.first_job_in_window(starts_in.get(cohort.year, ()), window)
        year_jobs = metrics.persons_into_work(in_year, up_to=window.end, member=member)
        into_work = len(year_jobs)
        if into_work or cohort.ended:
            considered |= codes_of(job.municipality for job in year_jobs)
            considered |= codes_of(m.record.municipality for m in cohort.members)
            years.append(
                Row(str(cohort.year), into_work, cohort.ended, cohort.direct_work_or_education)
            )
    # Without --from/--to the report covers the years in which the people counted have
    # a job start or a programme end (definitions.md), not every year some placement (a
    # course, say) or an excluded programme end happens to fall in.
    counted_years = [int(r.label) for r in years]
    if counted_years:
        first = first if from_year else min(counted_years)
        last = last if to_year else max(counted_years)
        cohorts = [c for c in cohorts if first <= c.year <= last]
    if region is not None and any(m.start or m.end for m in region.members):
        # A dated member: a job before the member joined is passed over for a later one
        # (definitions.md), which the earliest job per year cannot show: every start.
        starts = list(
            ctx.store.first_job_starts(period.start, period.end, by_day=True, facts=needs_facts(by))
        )
    first_jobs = first_member_jobs(starts, member)
    considered |= codes_of(job.municipality for job in first_jobs)
    order: list[Label] = [m.merged or m.label for m in region.members] if region else []
    rows = _rows_by(labeller(ctx, region, "municipality"), first_jobs, cohorts, order)
    codes = (
        {label_key(m.merged or m.label): m.current_code for m in region.members} if region else {}
    )
    if region is None:
        # Today's code for a municipality row, the old code for a split one, none for
        # "unknown".
        seen = [j.municipality for j in first_jobs]
        seen += [m.record.municipality for c in cohorts for m in c.members]
        groups = (ctx.history.group(code) for code in set(seen))
        codes = {label: key.removeprefix("split:") for key, label in groups if key != "unknown"}
    rows = tuple(replace(r, code=codes.get(r.label)) for r in rows)
    breakdown = None
    if by is not None:
        split = _rows_by(
            labeller(ctx, region, by), first_jobs, cohorts, order if by == "municipality" else ()
        )
        breakdown = Breakdown(by, split, total_row(split))
    from intdrammen.reports.language import facts_of, language_cohorts, year_table
    from intdrammen.reports.language import split as split_language

    judged = language_cohorts(ctx, first, last, region)
    language = year_table(judged, [int(r.label) for r in years], ctx.requirements.rules)
    language_breakdown = None
    if by is not None and language.rows:  # no split of a report without a cohort
        language_breakdown = split_language(
            by,
            labeller(ctx, region, by),
            facts_of(cohorts),
            [m for c in cohorts for m in judged.get(c.year, ())],
            ctx.requirements.rules,
            order if by == "municipality" else (),
        )
    return RegionReport(
        region,
        first,
        last,
        tuple(years),
        rows,
        total_row(rows),
        ctx.provenance(
            _notes(
                considered,
                shown_codes(region),
                region,
                history=ctx.history,
            ),
            requirements=True,
        ),
        breakdown,
        language=language,
        language_breakdown=language_breakdown,
    )


def _counted_report(
    ctx: Context, scope: Scope, from_year: int | None, to_year: int | None
) -> RegionReport:
    """`region_report` without a breakdown: the same rows, counted by the store (no row
    per person or cohort member reaches Python)."""
    region = scope.region
    if not ctx.store.has_figure_data():
        raise UnknownName("The database holds no placements or programme ends to report on.")
    if from_year is not None and to_year is not None and from_year > to_year:
        raise UnknownName(f"--from {from_year} is after --to {to_year}.")
    periods = member_periods(region)
    # Without --from/--to the period is open: the report covers the years in which the
    # people counted have a job start or a programme end (definitions.md).
    start = date(from_year, 1, 1) if from_year is not None else date.min
    end = date(to_year, 12, 31) if to_year is not None else date.max
    considered: set[str] = set()
    into_work: dict[int, int] = {}
    year_codes: dict[int, set[str]] = {}
    goal = ctx.goals.get("intro-direct-55")

    def count(
        store: QueryMixin, part: Part
    ) -> tuple[tuple[list[JobCount], list[JobCount]], dict[int, CohortTally]]:
        # The table shows the direct measure only.
        jobs = store.report_job_counts(start, end, periods, part)
        cohorts = cohort_tallies(
            ctx, goal, from_year, to_year, region, one_year=False, store=store, part=part
        )
        return jobs, cohorts

    # Two halves of the participants at once, on two connections (issue 15).
    halves = ctx.store.split(count)
    year_counts = [c for (years, _), _ in halves for c in years]
    period_counts = [c for (_, period), _ in halves for c in period]
    tallies = merge_tallies(*(cohorts for _, cohorts in halves))
    for cell in year_counts:
        into_work[cell.year] = into_work.get(cell.year, 0) + cell.persons
        year_codes.setdefault(cell.year, set()).update(codes_of([cell.municipality]))
    years: list[Row] = []
    for year in sorted(set(into_work) | set(tallies)):
        tally = tallies.get(year) or CohortTally(year, ())
        persons = into_work.get(year, 0)
        if persons or tally.ended:
            considered |= year_codes.get(year, set()) | tally.codes
            years.append(Row(str(year), persons, tally.ended, tally.direct_work_or_education))
    counted_years = [int(r.label) for r in years]
    if counted_years:
        first = from_year if from_year is not None else min(counted_years)
        last = to_year if to_year is not None else max(counted_years)
    else:  # nobody counted: the report covers the years of the data, as before
        first, last = _data_span(ctx, from_year, to_year)
    cohorts = [t for t in tallies.values() if first <= t.year <= last]
    cells: dict[Label, list[int]] = {}
    order: list[Label] = [m.merged or m.label for m in region.members] if region else []
    for name in order:
        cells[name] = [0, 0, 0]
    group = _grouper(ctx, None)
    seen: set[str | None] = set()

    def label_of(code: str | None, row: int | None) -> Label:
        if region is not None and row is not None:
            member = region.members[row]
            return member.merged or member.label
        found = group(code, date.min)  # the whole project: every code has a row
        return "unknown" if found is None else found[1]

    for cell in period_counts:
        cells.setdefault(label_of(cell.municipality, cell.row), [0, 0, 0])[0] += cell.persons
        considered |= codes_of([cell.municipality])
        seen.add(cell.municipality)
    for tally in cohorts:
        for c in tally.cells:
            row = cells.setdefault(label_of(c.municipality, c.row), [0, 0, 0])
            row[1] += c.ended
            row[2] += c.direct
            seen.add(c.municipality)
    rows = _rows_of(cells, order)
    codes = (
        {label_key(m.merged or m.label): m.current_code for m in region.members} if region else {}
    )
    if region is None:
        # Today's code for a municipality row, the old code for a split one, none for
        # "unknown".
        groups = (ctx.history.group(code) for code in seen)
        codes = {label: key.removeprefix("split:") for key, label in groups if key != "unknown"}
    rows = tuple(replace(r, code=codes.get(r.label)) for r in rows)
    from intdrammen.reports.language import counted_cohorts, counted_year_table

    counted = counted_cohorts(ctx, first, last, region)
    return RegionReport(
        region,
        first,
        last,
        tuple(years),
        rows,
        total_row(rows),
        ctx.provenance(
            _notes(considered, shown_codes(region), region, history=ctx.history),
            requirements=True,
        ),
        language=counted_year_table(counted, counted_years, ctx.requirements.rules),
    )


def _data_span(ctx: Context, from_year: int | None, to_year: int | None) -> tuple[int, int]:
    """The report's years when nobody is counted: --from/--to, else the first and last
    year of the data; a --from after it or a --to before it is named."""
    span = ctx.store.data_years()
    if span is None:
        raise UnknownName("The database holds no placements or programme ends to report on.")
    first, last = from_year or span[0], to_year or span[1]
    if first > last:
        # Name what the user gave: a missing --from/--to is the data's first/last year.
        if to_year is None:
            raise UnknownName(f"--from {first} is after the last year with data, {last}.")
        if from_year is None:
            raise UnknownName(f"--to {last} is before the first year with data, {first}.")
        raise UnknownName(f"--from {first} is after --to {last}.")
    return first, last


def _grouper(
    ctx: Context, region: Region | None
) -> Callable[[str | None, date], tuple[str, Label] | None]:
    """Which row a person belongs to: a region member, or (whole project) today's
    municipality, a split code's own row, or 'unknown'.

    One name for one row in every output: a record is named after the municipality its
    area is part of today. A region member that merged into a municipality outside the
    region counts only its old codes, so its row is today's municipality with the part
    it counts beside (PartLabel: "Holmestrand (former Sande (Vestfold), 0713)")."""
    # Many people share a code (and a day): each is looked up once.
    if region is None:

        @cache
        def group(code: str | None) -> tuple[str, Label]:
            key, label = ctx.history.group(code)
            if key.startswith("split:"):
                at = key.removeprefix("split:")
                return key, SplitLabel(ctx.history.name(at), at, ctx.history.split_year(at))
            return key, label

        return lambda code, _day: group(code)

    @cache
    def member_row(code: str | None, day: date) -> tuple[str, Label] | None:
        found = region.member_for(code, day)
        return (
            None
            if found is None
            else (found.current_code or found.label, found.merged or found.label)
        )

    return member_row
