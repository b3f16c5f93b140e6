"""Report values as typed rows: one dict per CSV line, keyed by the CSV's column names.

The rows of `progress`, `report` and `explain` in the column order of their
`--format csv`, with Python values instead of text: ints for counts, floats for rates
(rounded as in the JSON contract: a rate to 4 decimals, `expected` to 1), `date` for
dates, `bool` for yes/no. Two kinds of empty are kept apart, as the CSV keeps them:

- `HIDDEN`: a count hidden by small-cell suppression, or a rate or verdict built on one
  (written `:` in CSV);
- `None`: a cell that does not apply to the row, or a rate that is undefined (nobody in
  the cohort) or not yet measurable (written empty in CSV).

The Python API (`intdrammen.api`) builds its pandas frames from these rows, so a frame
and the CSV can only differ in how a value is written, never in what it is.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Final, final

from intdrammen.reports import Explanation, ProgressReport, RegionReport, Row


@final
class Hidden:
    """The marker of a suppressed cell (a single instance, `HIDDEN`)."""

    _instance: Hidden | None = None

    def __new__(cls) -> Hidden:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "HIDDEN"

    def __bool__(self) -> bool:
        return False


HIDDEN: Final = Hidden()

Cell = int | float | str | bool | date | Hidden | None
TypedRow = dict[str, Cell]

PROGRESS_COLUMNS: Final = (
    "section",
    "id",
    "start",
    "end",
    "cohort_year",
    "target",
    "actual",
    "in_year",
    "expected",
    "on_track",
    "ended",
    "work_or_education",
    "rate",
    "met",
)
# With --by, each goal's split rows follow, labelled by this extra column.
PROGRESS_BY_COLUMN: Final = "name"
REPORT_COLUMNS: Final = (
    "section",
    "name",
    "into_work",
    "intro_ended",
    "intro_work_or_education",
    "intro_rate",
)
EXPLAIN_COLUMNS: Final = (
    "participant_id",
    "status",
    "reason",
    "date",
    "placement_id",
    "source",
    "detail",
)


def _count(value: int | None) -> int | Hidden:
    """A count of a report value: None there means hidden by suppression."""
    return HIDDEN if value is None else value


def _rate(value: Fraction) -> float:
    return round(float(value), 4)


def _number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else round(float(value), 1)


def _share(numerator: int | None, denominator: int | None, rate: Fraction | None) -> Cell:
    """A rate cell: hidden when a count it is built on is, None when undefined."""
    if numerator is None or denominator is None:
        return HIDDEN
    return None if rate is None else _rate(rate)


def progress_rows(report: ProgressReport) -> list[TypedRow]:
    """The rows of `intd progress --format csv`: one per goal, one per introduction
    measure, then (with a breakdown) one per goal and group, `section` "by_<dimension>"."""
    rows: list[TypedRow] = []
    for g in report.goals:
        rows.append(
            {
                "section": "goal",
                "id": g.goal.id,
                "start": g.window.start,
                "end": g.window.end,
                "cohort_year": None,
                "target": _number(g.goal.target),
                "actual": _count(g.actual),
                "in_year": _count(g.in_year),
                "expected": round(float(g.expected), 1),
                "on_track": g.on_track,
                "ended": None,
                "work_or_education": None,
                "rate": None,
                "met": None,
            }
        )
    for i in report.intro:
        row: TypedRow = {
            "section": "intro",
            "id": i.goal.id,
            "start": None,
            "end": None,
            "cohort_year": i.cohort_year,
            "target": float(i.target),
            "actual": None,
            "in_year": None,
            "expected": None,
            "on_track": None,
            "ended": _count(i.ended),
            "work_or_education": None,
            "rate": None,
            "met": None,
        }
        if not i.available:
            pass  # not yet measurable: numerator, rate and verdict do not apply yet
        elif i.ended is None or i.work_or_education is None:
            row.update(work_or_education=_count(i.work_or_education), rate=HIDDEN, met=HIDDEN)
        elif i.rate is not None:
            row.update(work_or_education=i.work_or_education, rate=_rate(i.rate), met=i.met)
        else:
            row.update(work_or_education=i.work_or_education)
        rows.append(row)
    if report.breakdowns:
        for row in rows:
            row[PROGRESS_BY_COLUMN] = None
        work_goals = {g.goal.id for g in report.goals}
        for goal_id, breakdown in report.breakdowns:
            for r in [*breakdown.rows, breakdown.total]:
                rows.append(_progress_split(goal_id, breakdown.dimension, r, goal_id in work_goals))
    return rows


def _progress_split(goal_id: str, dimension: str, r: Row, work: bool) -> TypedRow:
    """A split row: persons into work for a goal, the cohort for an intro measure."""
    row: TypedRow = dict.fromkeys((*PROGRESS_COLUMNS, PROGRESS_BY_COLUMN))
    row.update(section=f"by_{dimension}", id=goal_id, name=r.label)
    if work:
        row["actual"] = _count(r.into_work)
        return row
    row.update(
        ended=_count(r.intro_ended),
        work_or_education=_count(r.intro_work_or_education),
        rate=_share(r.intro_work_or_education, r.intro_ended, r.intro_rate),
    )
    return row


def report_rows(report: RegionReport) -> list[TypedRow]:
    """The rows of `intd report --format csv`: per year, per municipality with the
    total, and the breakdown (section "by_<dimension>") when asked for."""
    sections: list[tuple[str, tuple[Row, ...]]] = [
        ("year", report.years),
        ("municipality", (*report.municipalities, report.total)),
    ]
    if report.breakdown:
        b = report.breakdown
        sections.append((f"by_{b.dimension}", (*b.rows, b.total)))
    return [
        {
            "section": section,
            "name": r.label,
            "into_work": _count(r.into_work),
            "intro_ended": _count(r.intro_ended),
            "intro_work_or_education": _count(r.intro_work_or_education),
            "intro_rate": _share(r.intro_work_or_education, r.intro_ended, r.intro_rate),
        }
        for section, items in sections
        for r in items
    ]


def explain_rows(explanation: Explanation) -> list[TypedRow]:
    """One row per person counted (status "counted", reason: what counted) or not
    (status "excluded", reason: the reason code), counted first."""
    rows: list[TypedRow] = [
        {
            "participant_id": c.participant_id,
            "status": "counted",
            "reason": c.what,
            "date": c.date,
            "placement_id": c.placement_id,
            "source": c.source,
            "detail": None,
        }
        for c in explanation.counted
    ]
    rows += [
        {
            "participant_id": e.participant_id,
            "status": "excluded",
            "reason": e.reason,
            "date": None,
            "placement_id": None,
            "source": e.source,
            "detail": e.detail or None,
        }
        for e in explanation.excluded
    ]
    return rows
