"""The language-training requirement of the introduction cohorts (issue 17;
definitions.md "The language-training requirement"): its counts in `intd progress` (and
split `--by`), a row per cohort year in `intd report`, who and why in `intd explain
--language`, and their small-cell protection.

The cohort is the introduction programme's (the one the 55 % and 70 % measures count);
`metrics.language_cohort` judges each member under the rules of the request's Context.
Values carry counts, rule ids and reason codes: the renderers word them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from intdrammen import metrics, suppression
from intdrammen.metrics import Cohort, LanguageMember
from intdrammen.models import (
    LanguageRecord,
    LanguageResult,
    LanguageRule,
    LanguageVerdict,
    Provenance,
    RowLabel,
)
from intdrammen.municipalities import Region
from intdrammen.reports.context import Context, _member, _notes, codes_of, member_periods
from intdrammen.reports.scope import Scope
from intdrammen.reports.tables import Facts, Label, cohort_facts, label_key
from intdrammen.store.queries import EVERYONE, LanguageCount, Part, QueryMixin

# The `id` of the language requirement's rows in CSV and frames (goals have theirs).
LANGUAGE_ID = "language"


@dataclass(frozen=True)
class LanguageRow:
    """The members of a cohort (or of a group of it) who met the requirement that
    applied to them, did not, or cannot be judged (the three add up to `cohort`), and
    how many of them had their rule chosen by the settlement date, their permit date
    being missing. A count is None when small-cell suppression hid it."""

    label: str  # the row's stable key: a year, a group's name, "total"
    cohort: int | None
    met: int | None
    not_met: int | None
    cannot_judge: int | None
    by_settlement: int | None
    label_value: RowLabel | None = None  # a typed label (a quarter ...), as Row has

    def parts(self) -> tuple[int | None, int | None, int | None]:
        return (self.met, self.not_met, self.cannot_judge)


@dataclass(frozen=True)
class LanguageTable:
    """Language rows split by one dimension ("year": a report's cohort years; else a
    `--by` dimension), and their total."""

    dimension: str
    rows: tuple[LanguageRow, ...]
    total: LanguageRow
    # The rules applied to someone counted here that ask for a Norwegian level and name
    # none: nobody under them can be judged until a requirements file sets one.
    rules_without_level: tuple[str, ...] = ()


@dataclass(frozen=True)
class LanguageProgress:
    """The requirement in `intd progress`: the cohort of the year, and with `--by` its
    split."""

    cohort_year: int
    counts: LanguageRow
    rules_without_level: tuple[str, ...] = ()
    breakdown: LanguageTable | None = None


def row_of(label: Label, members: Iterable[LanguageMember]) -> LanguageRow:
    return row_of_groups(label, _as_groups(members))


def without_level(
    members: Iterable[LanguageMember], rules: Sequence[LanguageRule]
) -> tuple[str, ...]:
    """The ids of the rules applied to a member that ask for a minimum Norwegian level
    and name none (in the rules' order)."""
    return without_level_groups(_as_groups(members), rules)


def language_cohorts(
    ctx: Context, first: int, last: int, region: Region | None, *, sources: bool = False
) -> dict[int, tuple[LanguageMember, ...]]:
    """The members of the cohorts `first`..`last` among the people of `region`, each
    judged (one read of the store; `sources`: each knowing its file and row)."""
    records = ctx.store.language_records(date(first, 1, 1), date(last, 12, 31), sources=sources)
    by_year: dict[int, list[LanguageRecord]] = {}
    for record in records:
        by_year.setdefault(record.intro_end.year, []).append(record)
    member, rules = _member(region), ctx.requirements.rules
    return {
        year: metrics.language_cohort(by_year.get(year, ()), rules, year, member=member)
        for year in range(first, last + 1)
    }


@dataclass(frozen=True)
class JudgedGroup:
    """`members` of the cohort of `year` with one municipality code who got one
    result: the outputs that show counts only count these, not a row per member."""

    year: int
    municipality: str | None
    result: LanguageResult
    members: int


def judge_counts(
    counts: Iterable[LanguageCount], rules: Sequence[LanguageRule]
) -> dict[int, tuple[JudgedGroup, ...]]:
    """The store's groups (`QueryMixin.language_counts`) judged, by cohort year: each
    group by `metrics.language_requirement` on its values and earliest date, which picks
    the rule every member's own date picks (the store grouped them by it)."""
    judged: dict[tuple[object, ...], LanguageResult] = {}
    by_year: dict[int, list[JudgedGroup]] = {}
    for c in counts:
        key = (c.rule, c.basis, c.norwegian_hours, c.social_studies_hours, c.norwegian_level)
        result = judged.get(key)
        if result is None:
            result = judged[key] = metrics.language_requirement(
                rules,
                permit_date=c.day if c.basis == "permit" else None,
                settled_date=c.day if c.basis == "settled" else None,
                norwegian_hours=c.norwegian_hours,
                social_studies_hours=c.social_studies_hours,
                norwegian_level=c.norwegian_level,
            )
        by_year.setdefault(c.year, []).append(
            JudgedGroup(c.year, c.municipality, result, c.members)
        )
    return {year: tuple(groups) for year, groups in sorted(by_year.items())}


def count_language(
    ctx: Context,
    start: date,
    end: date,
    region: Region | None,
    store: QueryMixin | None = None,
    part: Part = EVERYONE,
) -> list[LanguageCount]:
    """The cohorts of the years [start, end] among the people of `region`, grouped by
    the store for `judge_counts` (`store`, `part`: a half of `QueryMixin.split`)."""
    periods = [(r.start, r.end) for r in ctx.requirements.rules]
    return (store or ctx.store).language_counts(start, end, periods, member_periods(region), part)


def _as_groups(members: Iterable[LanguageMember]) -> list[JudgedGroup]:
    """Each member judged on their own as a group of one."""
    return [
        JudgedGroup(m.record.intro_end.year, m.record.municipality, m.result, 1) for m in members
    ]


def row_of_groups(label: Label, groups: Iterable[JudgedGroup]) -> LanguageRow:
    """The counts of a row (`metrics.language_tally`'s, weighted by each group's
    members)."""
    verdicts = {v: 0 for v in LanguageVerdict}
    settled = 0
    for g in groups:
        verdicts[g.result.verdict] += g.members
        settled += g.members if g.result.basis == "settled" else 0
    return LanguageRow(
        label_key(label),
        sum(verdicts.values()),
        verdicts[LanguageVerdict.MET],
        verdicts[LanguageVerdict.NOT_MET],
        verdicts[LanguageVerdict.CANNOT_JUDGE],
        settled,
        label_value=None if isinstance(label, str) else label,
    )


def without_level_groups(
    groups: Iterable[JudgedGroup], rules: Sequence[LanguageRule]
) -> tuple[str, ...]:
    """The ids of the rules applied to someone in `groups` that ask for a minimum
    Norwegian level and name none (in the rules' order)."""
    applied = {g.result.rule for g in groups}
    return tuple(
        r.id for r in rules if r.id in applied and r.level_required and r.minimum_level is None
    )


def year_table_groups(
    groups_by_year: dict[int, tuple[JudgedGroup, ...]],
    years: Sequence[int],
    rules: Sequence[LanguageRule],
) -> LanguageTable:
    """`year_table` over judged groups (a year without one has no row)."""
    with_cohort = [y for y in years if groups_by_year.get(y)]
    chosen = [g for y in with_cohort for g in groups_by_year[y]]
    return LanguageTable(
        "year",
        tuple(row_of_groups(str(y), groups_by_year[y]) for y in with_cohort),
        row_of_groups("total", chosen),
        without_level_groups(chosen, rules),
    )


def facts_of(cohorts: Iterable[Cohort]) -> dict[str, Facts]:
    """What a breakdown splits each cohort member by, per participant id: the facts of
    their programme end (as the cohort columns of every breakdown place a person)."""
    return {m.record.participant_id: cohort_facts(m) for c in cohorts for m in c.members}


def split(
    dimension: str,
    label: Callable[[Facts], Label],
    facts: dict[str, Facts],
    members: Sequence[LanguageMember],
    rules: Sequence[LanguageRule],
    order: Sequence[Label] = (),
) -> LanguageTable:
    """The members in a row per label (the `order` first, then by name, "unknown"
    last), with their total."""
    groups: dict[Label, list[LanguageMember]] = {name: [] for name in order}
    for m in members:
        found = facts.get(m.record.participant_id)
        groups.setdefault("unknown" if found is None else label(found), []).append(m)
    rest = sorted((k for k in groups if k not in order and k != "unknown"), key=label_key)
    names = [
        *order,
        *rest,
        *(["unknown"] if "unknown" in groups and "unknown" not in order else []),
    ]
    return LanguageTable(
        dimension,
        tuple(row_of(name, groups[name]) for name in names),
        row_of("total", members),
        without_level(members, rules),
    )


def language_progress(
    ctx: Context,
    year: int,
    region: Region | None,
    split_by: tuple[str, Callable[[Facts], Label], Cohort] | None = None,
    counted: Sequence[LanguageCount] | None = None,
) -> tuple[LanguageProgress, set[str]]:
    """The requirement for the cohort of `year` in `region` (with `split_by`: a
    dimension, its labeller and the year's introduction cohort, whose members' facts
    place each person), and the municipality codes of its members (for the notes).
    Without `split_by`, from the store's groups: `counted` where the caller counted them
    already (in `split`'s halves), else counted here."""
    rules = ctx.requirements.rules
    if split_by is None:  # counts only: grouped by the store, judged once per group
        if counted is None:
            counted = count_language(ctx, date(year, 1, 1), date(year, 12, 31), region)
        groups = judge_counts(counted, rules).get(year, ())
        value = LanguageProgress(
            year, row_of_groups("total", groups), without_level_groups(groups, rules)
        )
        return value, codes_of(g.municipality for g in groups)
    members = language_cohorts(ctx, year, year, region)[year]
    breakdown = None
    if split_by is not None:
        dimension, label, cohort = split_by
        breakdown = split(dimension, label, facts_of([cohort]), members, rules)
    value = LanguageProgress(
        year, row_of("total", members), without_level(members, rules), breakdown
    )
    return value, codes_of(m.record.municipality for m in members)


def year_table(
    members_by_year: dict[int, tuple[LanguageMember, ...]],
    years: Sequence[int],
    rules: Sequence[LanguageRule],
) -> LanguageTable:
    """A row per cohort year of `years` (a report's years) that has a cohort, and
    their total."""
    groups = {year: tuple(_as_groups(members)) for year, members in members_by_year.items()}
    return year_table_groups(groups, years, rules)


# ----------------------------------------------------------------------- suppression


def _count(value: int | None) -> int:
    return value or 0  # suppression runs once, on exact counts


def suppress_table(table: LanguageTable, n: int) -> LanguageTable:
    """Small counts hidden as for every cohort figure: a count below `n` (never 0);
    more of a row's parts while one could be recovered from the row's cohort (which its
    year's or group's introduction figures show), and of a column while one could be
    recovered from the total (`suppression.parts_table`). A row's cohort is shown only
    where all its parts are (they add up to it; the total's cohort is the cohort's size,
    below `n` hidden). Judged on the settlement date is a share of the cohort: hidden
    below `n`, or when the rest is, or the cohort (`suppression.share`), and more of its
    column while one could be recovered from its total."""
    rows = list(table.rows)
    parts, total_parts = suppression.parts_table(
        [[_count(v) for v in r.parts()] for r in rows],
        n,
        3,
        [_count(v) for v in table.total.parts()],
    )
    settled = [
        suppression.share(_count(r.by_settlement), _count(r.cohort), n)[0] is None for r in rows
    ]
    total_settled, total_cohort = suppression.share(
        _count(table.total.by_settlement), _count(table.total.cohort), n
    )
    column = suppression.secondary(
        [
            *(None if hidden else r.by_settlement for r, hidden in zip(rows, settled, strict=True)),
            total_settled,
        ],
        [*(r.by_settlement for r in rows), table.total.by_settlement],
    )

    def hidden_row(
        r: LanguageRow, cells: list[int | None], by_settlement: int | None
    ) -> LanguageRow:
        met, not_met, cannot = cells
        return replace(
            r,
            cohort=r.cohort if all(c is not None for c in cells) else None,
            met=met,
            not_met=not_met,
            cannot_judge=cannot,
            by_settlement=by_settlement,
        )

    shown = [hidden_row(r, p, s) for r, p, s in zip(rows, parts, column[:-1], strict=True)]
    met, not_met, cannot = total_parts
    total = replace(
        table.total,
        cohort=total_cohort,
        met=met,
        not_met=not_met,
        cannot_judge=cannot,
        by_settlement=column[-1],
    )
    return replace(table, rows=tuple(shown), total=total)


def suppress_language(value: LanguageProgress, n: int) -> LanguageProgress:
    """The progress figure protected as `suppress_table` protects a table; with a
    breakdown, the figure is the breakdown's total, so the two show the same."""
    if value.breakdown is not None:
        breakdown = suppress_table(value.breakdown, n)
        return replace(value, counts=breakdown.total, breakdown=breakdown)
    table = suppress_table(LanguageTable("total", (), value.counts), n)
    return replace(value, counts=table.total)


# ----------------------------------------------------------------------- explain


@dataclass(frozen=True)
class LanguageCase:
    """One member of the cohort: the verdict, the rule applied, the reasons (codes of
    `metrics.language_requirement`), the date the rule was chosen by (the permit date,
    else the settlement date: `basis`) and the record it rests on."""

    participant_id: str
    verdict: LanguageVerdict
    rule: str | None
    reasons: tuple[str, ...]
    basis: str | None  # "permit", "settled", None (neither date known)
    day: date | None
    ended: date
    source: str

    @property
    def by_settlement(self) -> bool:
        return self.basis == "settled"


@dataclass(frozen=True)
class LanguageExplanation:
    """Who of the cohort of `year` met the requirement, who did not and who cannot be
    judged, and why (`intd explain --language`). Lists persons: never suppressed."""

    year: int
    region: Region | None
    cases: tuple[LanguageCase, ...]
    counts: LanguageRow
    rules_without_level: tuple[str, ...]
    provenance: Provenance


VERDICT_ORDER = (LanguageVerdict.MET, LanguageVerdict.NOT_MET, LanguageVerdict.CANNOT_JUDGE)


def explain_language(ctx: Context, year: int, scope: Scope) -> LanguageExplanation:
    """Each member of the cohort of `year` in the region `scope` asks for, by verdict
    (met, not met, cannot be judged), then participant id."""
    region = scope.region
    members = language_cohorts(ctx, year, year, region, sources=True)[year]
    cases = sorted(
        (
            LanguageCase(
                m.record.participant_id,
                m.result.verdict,
                m.result.rule,
                m.result.reasons,
                m.result.basis,
                {"permit": m.record.permit_date, "settled": m.record.settled_date}.get(
                    m.result.basis or ""
                ),
                m.record.intro_end,
                m.record.source,
            )
            for m in members
        ),
        key=lambda c: (VERDICT_ORDER.index(c.verdict), c.participant_id),
    )
    considered = codes_of(m.record.municipality for m in members)
    return LanguageExplanation(
        year,
        region,
        tuple(cases),
        row_of("total", members),
        without_level(members, ctx.requirements.rules),
        ctx.provenance(_notes(considered, (), region, history=ctx.history), requirements=True),
    )
