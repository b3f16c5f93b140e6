"""Who was counted for a goal and why, and who was not (`intd explain`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from intdrammen import metrics
from intdrammen.errors import UnknownName
from intdrammen.models import (
    WORK_TYPES,
    Activity,
    DetailCode,
    ExplainDetail,
    Goal,
    GoalKind,
    Provenance,
)
from intdrammen.municipalities import Region
from intdrammen.reports.context import (
    Context,
    _member,
    _notes,
    _recording,
    codes_of,
    cohort_for,
    not_applicable,
)
from intdrammen.reports.scope import Scope


@dataclass(frozen=True)
class Counted:
    participant_id: str
    date: date | None
    placement_id: str | None
    what: str  # the code that counted: a placement type, or an outcome / status value
    source: str
    # What `what` is: None for a placement type (persons into work), else "placement",
    # "outcome" or "status_1y" (the introduction measures' basis).
    basis: str | None = None


@dataclass(frozen=True)
class Excluded:
    participant_id: str
    reason: str  # a code: outside_region, after_period, ..., not_in_numerator:<value>
    detail: ExplainDetail
    source: str

    @property
    def date(self) -> date | None:
        """The date the detail names (first job start, programme end), if any."""
        return self.detail.date


@dataclass(frozen=True)
class Explanation:
    goal: Goal
    year: int
    region: Region | None
    counted: tuple[Counted, ...]
    excluded: tuple[Excluded, ...]
    provenance: Provenance
    # The region asked for lies within the goal's own region (else they only overlap).
    within_goal_region: bool = False
    # The goal's own region as resolved (its name, also when goals.toml gives a code).
    goal_region_name: str | None = None

    @property
    def goal_region(self) -> str | None:
        """The region the goal itself counts (goals.toml `region` by the name it resolves
        to, "Drammen" for "3301"; None: whole project), which applies on top of any
        region asked for."""
        return self.goal_region_name or self.goal.region


def goal_named(ctx: Context, goal_id: str) -> Goal:
    """The configured goal `goal_id`; the edge looks it up before it resolves the
    region, so an unknown goal is named first, whatever the region."""
    goal = ctx.goals.get(goal_id)
    if goal is None:
        known = ", ".join(g.id for g in ctx.goals.goals)
        raise UnknownName(f"There is no goal {goal_id!r}. Goals: {known}.")
    return goal


def explain(ctx: Context, goal: Goal, year: int, scope: Scope) -> Explanation:
    """Who was counted for a goal in a year in the region `scope` asks for, by which
    row, and who was not and why."""
    region = scope.region
    considered: set[str] = set()
    if goal.kind is GoalKind.PERSONS_INTO_WORK:
        counted, excluded = _explain_work(ctx, goal, year, scope, considered)
    else:
        counted, excluded = _explain_intro(ctx, goal, year, region, considered)
    return Explanation(
        goal,
        year,
        region,
        counted,
        excluded,
        ctx.provenance(
            _notes(
                considered,
                (),
                region,
                scope.of(goal),
                history=ctx.history,
            )
        ),
        within_goal_region=_within(scope.of(goal), region),
        goal_region_name=own.name if (own := scope.of(goal)) is not None else None,
    )


def _within(own: Region | None, region: Region | None) -> bool:
    return own is not None and region is not None and region.within(own)


def _explain_work(
    ctx: Context, goal: Goal, year: int, scope: Scope, considered: set[str]
) -> tuple[tuple[Counted, ...], tuple[Excluded, ...]]:
    window = goal.window_for(year)
    if window is None:
        raise UnknownName(f"Goal {goal.id} has no window in {year}.")
    missing = not_applicable(scope, goal, window)
    if missing is not None:
        raise UnknownName(
            f"Goal {goal.id} counts only {missing.goal_region}, which does not overlap "
            f"{missing.region}: it counts no one there. Leave out --region, or ask for a "
            f"region in {missing.goal_region}."
        )
    up_to = metrics.progress_date(window, year)
    member, seen = _recording(_member(scope.of(goal), scope.region))
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
        in_region = first is not None and member(first.municipality, first.start)
        excluded.append(_why_not(first, in_region, acts, up_to))
    counted.sort(key=lambda c: (c.date or date.min, c.participant_id))
    excluded.sort(key=lambda e: (e.reason, e.participant_id))
    considered |= seen
    return tuple(counted), tuple(excluded)


def _why_not(
    first: Activity | None, in_region: bool, acts: list[Activity], up_to: date
) -> Excluded:
    """Why a person did not count. Outside the region comes before after the period: a
    person outside the goal's region could never count, whatever the year."""
    head = acts[0]
    if first is not None and not in_region:
        return Excluded(
            first.participant_id,
            "outside_region",
            ExplainDetail(DetailCode.MUNICIPALITY, municipality=first.municipality),
            first.source,
        )
    if first is not None:
        return Excluded(
            first.participant_id,
            "after_period",
            ExplainDetail(DetailCode.FIRST_JOB_STARTS, dates=(first.start,)),
            first.source,
        )
    jobs = [a for a in acts if a.type in WORK_TYPES]
    if jobs:
        return Excluded(
            jobs[0].participant_id,
            "outside_window",
            ExplainDetail(DetailCode.JOB_STARTS, dates=tuple(a.start for a in jobs[:3])),
            jobs[0].source,
        )
    types = sorted({a.type for a in acts})
    return Excluded(
        head.participant_id,
        types[0] if len(types) == 1 else "no_job",
        ExplainDetail(DetailCode.PLACEMENTS, placement_types=tuple(types)),
        head.source,
    )


def _explain_intro(
    ctx: Context, goal: Goal, year: int, region: Region | None, considered: set[str]
) -> tuple[tuple[Counted, ...], tuple[Excluded, ...]]:
    cohort = cohort_for(ctx, goal, year, _member(region), sources=True)
    # The people it lists: the cohort's members and those excluded from it.
    considered |= codes_of(m.record.municipality for m in cohort.members)
    considered |= codes_of(record.municipality for record, _why in cohort.excluded)
    direct = goal.kind is GoalKind.INTRO_DIRECT
    counted: list[Counted] = []
    excluded: list[Excluded] = []
    for m in cohort.members:
        status = m.status(direct)
        record = m.record
        if status.in_work_or_education:
            activity = status.activity
            counted.append(
                Counted(
                    record.participant_id,
                    activity.start if activity else record.intro_end,
                    activity.placement_id if activity else None,
                    str(status.value),
                    activity.source if activity else record.source,
                    basis=status.basis,
                )
            )
        else:
            reason = status.value or "no_placement"
            excluded.append(
                Excluded(
                    record.participant_id,
                    f"not_in_numerator:{reason}",
                    ExplainDetail(DetailCode.ENDED, dates=(record.intro_end,)),
                    record.source,
                )
            )
    for record, why in cohort.excluded:
        excluded.append(
            Excluded(
                record.participant_id,
                why,
                ExplainDetail(DetailCode.ENDED, dates=(record.intro_end,)),
                record.source,
            )
        )
    return tuple(counted), tuple(excluded)
