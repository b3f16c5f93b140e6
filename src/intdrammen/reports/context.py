"""The shared context of every report: store, goals, regions, history, provenance;
who counts for a region; and the introduction cohort of a year.

Regions arrive here resolved (`reports.scope.Scope`, built once at the edge): the
helpers below take `Region` values and never look a name up again."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

from intdrammen import __version__, metrics
from intdrammen.config import GoalConfig, RequirementConfig, load_requirements
from intdrammen.metrics import Cohort, Membership
from intdrammen.models import (
    Goal,
    GoalNotApplicable,
    MergerKind,
    MergerNote,
    Note,
    Provenance,
    Window,
)
from intdrammen.municipalities import MunicipalityHistory, Region, RegionConfig, resolve_region
from intdrammen.store import Store
from intdrammen.store.queries import EVERYONE, CohortCount, MemberPeriod, Part, QueryMixin

if TYPE_CHECKING:
    from intdrammen.reports.scope import Scope


@dataclass(frozen=True)
class Context:
    """Everything a report needs besides the request itself."""

    store: Store
    goals: GoalConfig
    regions: RegionConfig
    history: MunicipalityHistory
    # The language-training rules (--requirements merged over data/requirements.toml).
    requirements: RequirementConfig = field(default_factory=load_requirements)

    def region(self, query: str | None) -> Region | None:
        """Resolve a region or municipality name or code; for the edge (`resolve_scope`),
        which does it once per request: report builders take the resolved `Scope`."""
        return None if query is None else resolve_region(query, self.regions, self.history)

    def provenance(self, notes: tuple[Note, ...] = (), *, requirements: bool = False) -> Provenance:
        """The stamp of an output; with `requirements` (an output with figures of the
        language-training requirement) the version of its rules too."""
        batches = self.store.batches(include_undone=False)
        as_of = max((b.imported_at for b in batches), default=None)
        return Provenance(
            intd_version=__version__,
            data_as_of=as_of,
            files=tuple((b.file, b.sha256[:12], b.id) for b in batches),
            goals_version=self.goals.version,
            regions_version=self.regions.version,
            notes=notes,
            requirements_version=self.requirements.version if requirements else None,
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

    @cache  # the same (code, day) pairs come back for many people: decide each once
    def member(code: str | None, day: date) -> bool:
        return all(r.contains(code, day) for r in chosen)

    return member


def member_periods(*regions: Region | None) -> tuple[MemberPeriod, ...] | None:
    """The periods in which records count for every given region (None: no region
    given, everyone counts), as data for the set-based queries: the same test as
    `_member`. A record's row is that of the first region given (its member's index)."""
    chosen = [r for r in regions if r is not None]
    if not chosen:
        return None
    periods = [
        MemberPeriod(code, m.start, m.end, row)
        for row, m in enumerate(chosen[0].members)
        for code in sorted(m.codes)
    ]
    for other in chosen[1:]:
        # In both: a code both count, on the days both members are active.
        periods = [
            MemberPeriod(p.code, start, end, p.row)
            for p in periods
            for m in other.members
            if p.code in m.codes
            for start, end in [(_later(p.start, m.start), _earlier(p.end, m.end))]
            if start is None or end is None or start <= end
        ]
    return tuple(periods)


def _later(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else max(a, b)


def _earlier(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else min(a, b)


@dataclass(frozen=True)
class CohortTally:
    """One cohort year counted by the store (set-based, `Store.cohort_counts`): the
    figures of `metrics.Cohort` without a row per member, and its counts by municipality
    code and region row."""

    year: int
    cells: tuple[CohortCount, ...]

    @property
    def ended(self) -> int:
        return sum(c.ended for c in self.cells)

    @property
    def direct_work_or_education(self) -> int:
        return sum(c.direct for c in self.cells)

    @property
    def one_year_work_or_education(self) -> int:
        return sum(c.one_year for c in self.cells)

    @property
    def codes(self) -> set[str]:
        """The municipality codes of the members (for the merger notes)."""
        return codes_of(c.municipality for c in self.cells if c.ended)


def cohort_tallies(
    ctx: Context,
    goal: Goal | None,
    first: int | None,
    last: int | None,
    region: Region | None,
    *,
    direct: bool = True,
    one_year: bool = True,
    store: QueryMixin | None = None,
    part: Part = EVERYONE,
) -> dict[int, CohortTally]:
    """The cohorts of `first`..`last` (None: open) among the people of `region`,
    counted by the store: `cohorts_for` without reading a row per member, for outputs
    that show counts only; a measure not asked for counts 0. Only years with a member
    are keys. `store` and `part`: counted there (default: ctx.store), of those
    participant ids only (a half of `QueryMixin.split`; `merge_tallies` adds halves)."""
    days_after = (goal.days_after if goal else 30) if direct else None
    measured_on = (goal.measured_on if goal else (11, 15)) if one_year else None
    start = date(first, 1, 1) if first is not None else date.min
    end = date(last, 12, 31) if last is not None else date.max
    cells: dict[int, list[CohortCount]] = {}
    for cell in (store or ctx.store).cohort_counts(
        start, end, days_after, measured_on, member_periods(region), part
    ):
        cells.setdefault(cell.year, []).append(cell)
    return {year: CohortTally(year, tuple(c)) for year, c in sorted(cells.items())}


def merge_tallies(*parts: dict[int, CohortTally]) -> dict[int, CohortTally]:
    """The tallies of disjoint parts of the participants as one: each year's cells
    together (a tally's figures are sums over its cells)."""
    cells: dict[int, list[CohortCount]] = {}
    for tallies in parts:
        for year, tally in tallies.items():
            cells.setdefault(year, []).extend(tally.cells)
    return {year: CohortTally(year, tuple(c)) for year, c in sorted(cells.items())}


def _recording(member: Membership) -> tuple[Membership, set[str]]:
    """`member`, and the set it fills with the municipality code of every record it is
    asked about: for an output that lists every record it asks about (explain lists the
    people outside the region too), the codes of its records, for `_notes`."""
    considered: set[str] = set()

    def recording(code: str | None, day: date) -> bool:
        if code is not None:
            considered.add(code)
        return member(code, day)

    return recording, considered


def codes_of(records: Iterable[str | None]) -> set[str]:
    """The municipality codes of the records an output counts (None: no code)."""
    return {code for code in records if code is not None}


def _notes(
    considered: Iterable[str],
    shown: Iterable[str],
    *regions: Region | None,
    history: MunicipalityHistory | None = None,
) -> tuple[Note, ...]:
    """The merger (and county) notes that explain something in an output whose records (those it
    counts or lists) carry the codes `considered` and whose rows show the codes `shown`:
    the notes of `regions` that do (MergerNote.explains), each once, in the order of the
    regions' configuration; then, with `history`, a `counted` note for every considered
    code of a municipality that merged into another (a 2019 record coded 0625 is counted
    under today's Drammen, and the note says so) that no region note already explains,
    in code order. Region outputs and whole-project outputs alike."""
    used, rows = frozenset(considered), frozenset(shown)
    seen: list[Note] = []
    for region in regions:
        for note in region.notes if region else ():
            if note not in seen and note.explains(used, rows):
                seen.append(note)
    if history is not None:
        explained = {
            code
            for note in seen
            if isinstance(note, MergerNote)
            for code in (note.old_code, *note.old_codes)
        }
        for code in sorted(used - explained):
            if not history.is_known(code):
                continue
            here = history.current_municipality(code)
            counted = (
                None if here is None else history.merger_note(code, MergerKind.COUNTED, here.name)
            )
            if counted is None:
                continue
            seen.append(counted)
            explained |= history.absorbed_codes(code)
    return tuple(seen)


def not_applicable(scope: Scope, goal: Goal, window: Window) -> GoalNotApplicable | None:
    """The goal as not applicable to the region asked for when its own region does not
    overlap it over `window` (no record could count for both), else None."""
    own, region = scope.of(goal), scope.region
    if own is None or region is None or own.overlaps(region, window.start, window.end):
        return None
    return GoalNotApplicable(goal.id, own.name, region.name)


def shown_codes(region: Region | None) -> set[str]:
    """The codes of the rows a per-municipality table of `region` shows (every member's,
    counted or not)."""
    return {code for m in region.members for code in m.codes} if region else set()


def cohort_for(
    ctx: Context, goal: Goal | None, year: int, member: Membership, *, sources: bool = False
) -> Cohort:
    """The introduction cohort of one year (see `cohorts_for`)."""
    return cohorts_for(ctx, goal, year, year, member, sources=sources)[year]


def cohorts_for(
    ctx: Context,
    goal: Goal | None,
    first: int,
    last: int,
    member: Membership,
    *,
    sources: bool = False,
    one_year: bool = True,
) -> dict[int, Cohort]:
    """The cohorts of `first`..`last` from one read of the store: every programme end
    in the period, and the placements that can decide either measure for them (with
    `sources`, each knowing its file and row, for explain; without `one_year`, the
    direct measure only)."""
    days_after = goal.days_after if goal else 30
    measured_on = (goal.measured_on if goal else (11, 15)) if one_year else None
    start, end = date(first, 1, 1), date(last, 12, 31)
    records = ctx.store.intro_records(start, end, sources=sources)
    activities = metrics.group_activities(
        ctx.store.cohort_activities(start, end, days_after, measured_on, sources=sources)
    )
    return {
        year: metrics.intro_cohort(
            records, activities, year, member=member, days_after=days_after, measured_on=measured_on
        )
        for year in range(first, last + 1)
    }
