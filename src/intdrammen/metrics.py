"""The figures, one function per definition in docs/definitions.md.

Pure: rows in, typed figures out. No SQL, no printing. Counts are ints, shares are
`Fraction`s built from two counts and `None` when the denominator is 0. The docstring of
each function quotes the definition it implements so it can be checked against the text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import NamedTuple, Protocol

from intdrammen.models import (
    CEFR_LEVELS,
    WORK_OR_EDUCATION_OUTCOMES,
    WORK_OR_EDUCATION_TYPES,
    Activity,
    EndReason,
    IntroRecord,
    JobStart,
    LanguageRecord,
    LanguageResult,
    LanguageRule,
    LanguageVerdict,
    Window,
)

# Does a person with this municipality code count (for a region) on this day?
Membership = Callable[[str | None, date], bool]


def everyone(_code: str | None, _day: date) -> bool:
    return True


def first_job_in_window(job_starts: Iterable[JobStart], window: Window) -> dict[str, JobStart]:
    """*Into work*: "a placement of type job or apprenticeship. One person counts once
    per goal window: at the start date of their first job in the window." A job belongs
    to a window by its start date only; both ends of the window are included.

    `job_starts` may hold every job start or already the earliest per participant id;
    the earliest start per person (ties: the smaller participant id) is kept.
    """
    return earliest_per_person(job_starts, lambda job: job.start in window)


def earliest_per_person(
    job_starts: Iterable[JobStart], keep: Callable[[JobStart], bool]
) -> dict[str, JobStart]:
    """Per person the earliest of the jobs `keep` accepts (ties: the smaller
    participant id). `keep` is asked only about a job earlier than the one kept."""
    first: dict[str, JobStart] = {}
    for job in job_starts:
        known = first.get(job.person)
        if (
            known is None or (job.start, job.participant_id) < (known.start, known.participant_id)
        ) and keep(job):
            first[job.person] = job
    return first


def persons_into_work(
    first_jobs: Mapping[str, JobStart], *, up_to: date, member: Membership = everyone
) -> list[JobStart]:
    """Persons counted for a goal up to a day: those whose first job in the window
    started on or before `up_to` and who belong to the goal's people on that start date
    ("region of a person": the municipality on the participant record). In the order
    of `first_jobs`: sort them (`by_start`) where the order matters."""
    return [
        job
        for job in first_jobs.values()
        if job.start <= up_to and member(job.municipality, job.start)
    ]


def by_start(jobs: Iterable[JobStart]) -> list[JobStart]:
    """Jobs in the order they started (ties: the smaller participant id first)."""
    return sorted(jobs, key=lambda job: (job.start, job.participant_id))


def into_work_in_year(counted: Sequence[JobStart], year: int) -> int:
    """*Per-year figures inside a multi-year window* count each person in the year of
    their first job in the window, so the years add up to the window total."""
    return sum(1 for job in counted if job.start.year == year)


def progress_date(window: Window, year: int) -> date:
    """The last day counted for `year`: the end of year Y or the window's end,
    whichever is first."""
    return min(date(year, 12, 31), window.end)


def expected_to_date(target: Fraction, window: Window, year: int) -> Fraction:
    """*Expected to date* = target × (days from the window's start to the end of year Y
    or the window's end, whichever is first, both ends included) ÷ (days in the window).
    """
    return expected_by(target, window, progress_date(window, year))


def expected_by(target: Fraction, window: Window, day: date) -> Fraction:
    """The target pro rata to `day` (both ends of the window included): the same rule
    as expected to date, at any day — for a year still in progress, the data's date."""
    elapsed = (min(day, window.end) - window.start).days + 1
    return target * max(elapsed, 0) / window.days


def on_track(actual: int, expected: Fraction) -> bool:
    """*On track* = actual ≥ expected."""
    return actual >= expected


def projected_end(actual: int, window: Window, as_of: date) -> Fraction | None:
    """At the current pace (persons per day so far), how many the window would reach
    by its end. None before the window starts."""
    elapsed = (min(as_of, window.end) - window.start).days + 1
    if elapsed <= 0:
        return None
    return Fraction(actual) * window.days / elapsed


def rate(numerator: int, denominator: int) -> Fraction | None:
    """*Rates* are counted numerator ÷ counted denominator, undefined (None, not 0 %)
    when the denominator is 0."""
    return None if denominator == 0 else Fraction(numerator, denominator)


# ----------------------------------------------------------------------------- intro


class ProgrammeEnd(Protocol):
    """A participant record with the end of its programme (IntroRecord, LanguageRecord)."""

    @property
    def intro_end(self) -> date: ...

    @property
    def reason(self) -> str | None: ...


def cohort_exclusion(record: ProgrammeEnd, year: int) -> str | None:
    """*Introduction programme cohort of year Y*: participants whose programme ended in
    Y with end reason completed or interrupted. People who moved are not in the
    denominator. Returns None for a member, else why not: 'moved', 'no_end_reason',
    'other_year'."""
    if record.intro_end.year != year:
        return "other_year"
    if record.reason == EndReason.MOVED:
        return "moved"
    if record.reason not in (EndReason.COMPLETED, EndReason.INTERRUPTED):
        return "no_end_reason"
    return None


def active_on(activity: Activity, day: date) -> bool:
    """A placement is *active on* a date when it started on or before that date and has
    no end date or ends on or after it."""
    return activity.start <= day and (activity.end is None or activity.end >= day)


@dataclass(frozen=True)
class Status:
    """Whether a person is in work or education, and what decided it."""

    in_work_or_education: bool
    basis: str  # 'outcome' (explicit column), 'placement', or 'none'
    value: str | None  # the explicit outcome, or the placement type that counted
    activity: Activity | None = None


def direct_transition(
    record: IntroRecord, activities: Iterable[Activity], days_after: int = 30
) -> Status:
    """*Direct transition into work or education*: the outcome at the end of the
    programme is work, education, or both. An explicit outcome always wins, also
    unknown and other. Otherwise it is derived from placements: a job, apprenticeship
    or education placement that is active on the end date or starts within `days_after`
    days after it (day 30 included). Of several such placements the one shown as
    deciding is `first_of` them, whatever order they come in."""
    if record.outcome is not None:
        return Status(record.outcome in WORK_OR_EDUCATION_OUTCOMES, "outcome", record.outcome)
    last_start = record.intro_end + timedelta(days=days_after)
    return _placement_status(
        a
        for a in activities
        if a.type in WORK_OR_EDUCATION_TYPES
        and (active_on(a, record.intro_end) or record.intro_end < a.start <= last_start)
    )


def first_of(activities: Iterable[Activity]) -> Activity | None:
    """Of placements that each decide a measure, the one shown (explain, and a breakdown
    by channel or employer): the earliest start, ties broken by the placement key."""
    return min(activities, key=lambda a: (a.start, a.placement_key), default=None)


def _placement_status(deciding: Iterable[Activity]) -> Status:
    activity = first_of(deciding)
    if activity is None:
        return Status(False, "none", None)
    return Status(True, "placement", activity.type, activity)


def one_year_measurement_day(cohort_year: int, measured_on: tuple[int, int]) -> date:
    """*One year after*: status in November (the 15th) of year Y+1 for cohort Y."""
    month, day = measured_on
    return date(cohort_year + 1, month, day)


def one_year_after(
    record: IntroRecord, activities: Iterable[Activity], measured_on: tuple[int, int] = (11, 15)
) -> Status:
    """*One year after* (SSB's measure): a job, apprenticeship or education placement
    active on 15 November of year Y+1, unless the row has an explicit one-year status.
    Without either the person counts as unknown: in the denominator, not the numerator.
    Of several such placements the one shown is `first_of` them."""
    if record.status_1y is not None:
        return Status(record.status_1y in WORK_OR_EDUCATION_OUTCOMES, "outcome", record.status_1y)
    day = one_year_measurement_day(record.intro_end.year, measured_on)
    return _placement_status(
        a for a in activities if a.type in WORK_OR_EDUCATION_TYPES and active_on(a, day)
    )


@dataclass(frozen=True)
class CohortMember:
    record: IntroRecord
    direct: Status
    one_year: Status | None  # None: the one-year measure was not asked for

    def status(self, direct: bool) -> Status:
        """The direct or the one-year status."""
        if direct:
            return self.direct
        if self.one_year is None:
            raise ValueError("this cohort was built without the one-year measure")
        return self.one_year


@dataclass(frozen=True)
class Cohort:
    """One cohort year of the introduction programme in one set of people."""

    year: int
    members: tuple[CohortMember, ...]
    excluded: tuple[tuple[IntroRecord, str], ...]

    @property
    def ended(self) -> int:
        return len(self.members)

    @property
    def direct_work_or_education(self) -> int:
        return sum(1 for m in self.members if m.direct.in_work_or_education)

    @property
    def one_year_work_or_education(self) -> int:
        return sum(1 for m in self.members if m.status(direct=False).in_work_or_education)


def intro_cohort(
    records: Iterable[IntroRecord],
    activities_by_person: Mapping[str, Sequence[Activity]],
    year: int,
    *,
    member: Membership = everyone,
    days_after: int = 30,
    measured_on: tuple[int, int] | None = (11, 15),
) -> Cohort:
    """The cohort of `year` among the people `member` accepts (on their end date), with
    both measures for each member (the direct one only, when `measured_on` is None) and
    the reason for each exclusion."""
    members: list[CohortMember] = []
    excluded: list[tuple[IntroRecord, str]] = []
    for record in records:
        if record.intro_end.year != year or not member(record.municipality, record.intro_end):
            continue
        reason = cohort_exclusion(record, year)
        if reason is not None:
            excluded.append((record, reason))
            continue
        activities = activities_by_person.get(record.person, ())
        members.append(
            CohortMember(
                record,
                direct_transition(record, activities, days_after),
                None if measured_on is None else one_year_after(record, activities, measured_on),
            )
        )
    return Cohort(year, tuple(members), tuple(excluded))


def group_activities(activities: Iterable[Activity]) -> dict[str, list[Activity]]:
    by_person: dict[str, list[Activity]] = {}
    for activity in activities:
        by_person.setdefault(activity.person, []).append(activity)
    return by_person


def language_requirement(
    rules: Sequence[LanguageRule],
    *,
    permit_date: date | None,
    settled_date: date | None,
    norwegian_hours: float | None,
    social_studies_hours: float | None,
    norwegian_level: str | None,
) -> LanguageResult:
    """The language-training requirement (definitions.md): "The rule that applies to a
    person is the one whose period holds the date of their first residence permit; where
    that date is missing, the settlement date is used and the result says so. A person
    meets it when every part of the rule is met (hours of Norwegian, hours of social
    studies, hours in all, a minimum Norwegian level); does not meet it when any part is
    known not to be met; and cannot be judged when a part depends on a value that is
    missing (or on a level the rule's file does not name). Nothing is guessed: a missing
    number of hours is not taken as 0."

    Reasons: no_date, no_rule, norwegian_hours, social_studies_hours, hours_in_all,
    level (a part not met), missing_norwegian_hours, missing_social_studies_hours,
    missing_hours, missing_level, rule_without_level (a part that cannot be judged)."""
    if permit_date is not None:
        day, basis = permit_date, "permit"
    elif settled_date is not None:
        day, basis = settled_date, "settled"
    else:
        return LanguageResult(LanguageVerdict.CANNOT_JUDGE, ("no_date",), None, None)
    rule = next((r for r in rules if r.applies_on(day)), None)
    if rule is None:
        return LanguageResult(LanguageVerdict.CANNOT_JUDGE, ("no_rule",), None, basis)
    failed: list[str] = []
    unknown: list[str] = []

    def hours(have: float | None, need: float | None, part: str) -> None:
        if need is None:
            return
        if have is None:
            unknown.append(f"missing_{part}")
        elif have < need:
            failed.append(part)

    hours(norwegian_hours, rule.norwegian_hours, "norwegian_hours")
    hours(social_studies_hours, rule.social_studies_hours, "social_studies_hours")
    if rule.hours_in_all is not None:
        known = [h for h in (norwegian_hours, social_studies_hours) if h is not None]
        if sum(known) >= rule.hours_in_all:
            pass  # met whatever the missing one is
        elif len(known) < 2:
            unknown.append("missing_hours")
        else:
            failed.append("hours_in_all")
    if rule.level_required or rule.minimum_level is not None:
        if rule.minimum_level is None:
            unknown.append("rule_without_level")
        elif norwegian_level is None:
            unknown.append("missing_level")
        elif CEFR_LEVELS.index(norwegian_level) < CEFR_LEVELS.index(rule.minimum_level):
            failed.append("level")
    if failed:
        return LanguageResult(LanguageVerdict.NOT_MET, tuple(failed), rule.id, basis)
    if unknown:
        return LanguageResult(LanguageVerdict.CANNOT_JUDGE, tuple(unknown), rule.id, basis)
    return LanguageResult(LanguageVerdict.MET, (), rule.id, basis)


class LanguageMember(NamedTuple):
    """A member of an introduction cohort and what the language requirement found."""

    record: LanguageRecord
    result: LanguageResult


def judge_language(rules: Sequence[LanguageRule], record: LanguageRecord) -> LanguageResult:
    """`language_requirement` for one participant record."""
    return language_requirement(
        rules,
        permit_date=record.permit_date,
        settled_date=record.settled_date,
        norwegian_hours=record.norwegian_hours,
        social_studies_hours=record.social_studies_hours,
        norwegian_level=record.norwegian_level,
    )


def language_cohort(
    records: Iterable[LanguageRecord],
    rules: Sequence[LanguageRule],
    year: int,
    *,
    member: Membership = everyone,
) -> tuple[LanguageMember, ...]:
    """*The language-training requirement of a cohort*: the introduction programme
    cohort of `year` (the people `intro_cohort` counts: programme ended in Y, completed
    or interrupted, among the people `member` accepts on their end date), each judged by
    `language_requirement` under `rules`, in the order of `records`."""
    # Many members share what the rule reads (no hours recorded, one settlement day):
    # each distinct set of values is judged once.
    judged: dict[tuple[object, ...], LanguageResult] = {}
    members = []
    for record in records:
        if (
            record.intro_end.year != year
            or cohort_exclusion(record, year) is not None
            or not member(record.municipality, record.intro_end)
        ):
            continue
        key = record[4:9]  # permit_date .. norwegian_level
        result = judged.get(key)
        if result is None:
            result = judged[key] = judge_language(rules, record)
        members.append(LanguageMember(record, result))
    return tuple(members)


@dataclass(frozen=True)
class LanguageTally:
    """How many of a cohort met the requirement that applied to them, did not, or
    cannot be judged (the three add up to `cohort`), and how many had their rule chosen
    by the settlement date because their permit date is missing."""

    cohort: int
    met: int
    not_met: int
    cannot_judge: int
    by_settlement: int


def language_tally(members: Iterable[LanguageMember]) -> LanguageTally:
    """The counts of `LanguageTally` over cohort members."""
    verdicts = {v: 0 for v in LanguageVerdict}
    settled = 0
    for m in members:
        verdicts[m.result.verdict] += 1
        settled += m.result.basis == "settled"
    return LanguageTally(
        sum(verdicts.values()),
        verdicts[LanguageVerdict.MET],
        verdicts[LanguageVerdict.NOT_MET],
        verdicts[LanguageVerdict.CANNOT_JUDGE],
        settled,
    )
