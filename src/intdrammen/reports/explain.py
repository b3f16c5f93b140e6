"""Who was counted for a goal and why, and who was not (`intd explain`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from intdrammen import metrics
from intdrammen.errors import UnknownName
from intdrammen.models import (
    WORK_TYPES,
    Activity,
    Goal,
    GoalKind,
    Provenance,
)
from intdrammen.municipalities import Region
from intdrammen.reports.context import Context, _member, _notes, cohort_for


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
        in_region = first is not None and member(first.municipality, first.start)
        excluded.append(_why_not(first, in_region, acts, up_to))
    counted.sort(key=lambda c: (c.date or date.min, c.participant_id))
    excluded.sort(key=lambda e: (e.reason, e.participant_id))
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
            f"municipality {first.municipality or 'unknown'}",
            first.source,
        )
    if first is not None:
        return Excluded(
            first.participant_id,
            "after_period",
            f"first job in the window starts {first.start}",
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
    cohort = cohort_for(ctx, goal, year, _member(region), sources=True)
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
