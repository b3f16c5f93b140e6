"""JSON, CSV and Markdown renderings of report values. Formatting only.

JSON follows docs/cli-contract.md field for field (more fields are allowed,
none renamed): counts are exact ints, `rate` is rounded to 4 decimals and `expected` to
1, a suppressed count and every rate built on it are `null`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date
from fractions import Fraction
from typing import Any

from intdrammen.models import (
    CountyNote,
    MergerNote,
    Note,
    PartLabel,
    Provenance,
    QuarterLabel,
    RowLabel,
    SplitLabel,
)
from intdrammen.render.cells import safe_cell
from intdrammen.render.fmt import SUPPRESSED, Fmt
from intdrammen.render.lang import table
from intdrammen.reports import (
    Breakdown,
    Explanation,
    GoalProgress,
    IntroProgress,
    LanguageCase,
    LanguageExplanation,
    LanguageProgress,
    LanguageRow,
    LanguageTable,
    ProgressReport,
    RegionReport,
    Row,
)
from intdrammen.reports.language import LANGUAGE_ID
from intdrammen.store import BatchInfo


def _rate(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 4)


def _percent(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value) * 100, 1)


def _number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else round(float(value), 1)


_EN = Fmt("en")  # machine formats keep English text beside the typed fields


def _code_words() -> dict[str, str]:
    """The English table with each `intd explain` code worded as itself
    ("after_period", "not_in_numerator:unemployed"): the English `what` and `detail`
    texts of JSON and CSV, which are part of their contract, keep the codes while the
    readable formats word them ("after the period")."""
    words = dict(table("en"))
    words.update({key: key.removeprefix("word.") for key in words if key.startswith("word.")})
    words["compound_code"] = "{head}:{tail}"
    return words


_CODES = Fmt("en", words=_code_words())  # `explained` for JSON and CSV: codes as codes


def notes_json(notes: Sequence[Note]) -> list[str]:
    """The `notes` key: each merger or county note as English text (as before the typed
    notes)."""
    return [_EN.note(n) for n in notes]


def merger_notes_json(notes: Sequence[Note]) -> list[dict[str, Any]]:
    """The `merger_notes` key: each merger note's typed fields."""
    return [n.fields() for n in notes if isinstance(n, MergerNote)]


def county_notes_json(notes: Sequence[Note]) -> dict[str, Any]:
    """The `county_notes` key, only where a county was asked for as a region (outputs of
    other regions keep their keys): each county note's typed fields."""
    county = [n.fields() for n in notes if isinstance(n, CountyNote)]
    return {"county_notes": county} if county else {}


def label_fields(label: RowLabel | None) -> dict[str, Any] | None:
    """A row's typed label as fields (None: its `name` is data or a plain key)."""
    if isinstance(label, QuarterLabel):
        return {"kind": "quarter", "year": label.year, "quarter": label.quarter}
    if isinstance(label, SplitLabel):
        return {"kind": "split", "name": label.name, "code": label.code, "year": label.year}
    if isinstance(label, PartLabel):
        return {
            "kind": "part",
            "name": label.name,
            "code": label.code,
            "today": label.today,
            "year": label.year,
        }
    return None


def provenance_json(p: Provenance) -> dict[str, Any]:
    found: dict[str, Any] = {
        "intd_version": p.intd_version,
        "data_as_of": p.data_as_of,
        "files": [{"file": f, "sha256": sha, "batch": b} for f, sha, b in p.files],
        "goals_version": p.goals_version,
        "regions_version": p.regions_version,
    }
    if p.requirements_version is not None:  # an output with language-requirement figures
        found["requirements_version"] = p.requirements_version
    return found


LANGUAGE_COUNTS = ("cohort", "met", "not_met", "cannot_judge", "by_settlement")


def _language_counts(r: LanguageRow) -> dict[str, int | None]:
    return {
        "cohort": r.cohort,
        "met": r.met,
        "not_met": r.not_met,
        "cannot_judge": r.cannot_judge,
        "by_settlement": r.by_settlement,
    }


def language_row_json(r: LanguageRow, name_key: str = "name") -> dict[str, Any]:
    """A row of language counts: its label (a year as a number under `year`), the
    counts (null: hidden) and `suppressed`, the keys suppression hid."""
    counts = _language_counts(r)
    found: dict[str, Any] = {name_key: int(r.label) if name_key == "year" else r.label}
    if name_key == "name":
        found["label_fields"] = label_fields(r.label_value)
    found.update(counts)
    found["suppressed"] = [k for k, v in counts.items() if v is None]
    return found


def language_table_json(table: LanguageTable) -> dict[str, Any]:
    return {
        "by": table.dimension,
        "rows": [
            language_row_json(r, "year" if table.dimension == "year" else "name")
            for r in table.rows
        ],
        "total": language_row_json(table.total),
        "rules_without_level": list(table.rules_without_level),
    }


def language_json(value: LanguageProgress | None) -> dict[str, Any] | None:
    """The `language` key of progress: the cohort's counts and, with --by, their split."""
    if value is None:
        return None
    counts = _language_counts(value.counts)
    return {
        "cohort_year": value.cohort_year,
        **counts,
        "rules_without_level": list(value.rules_without_level),
        "breakdown": None if value.breakdown is None else language_table_json(value.breakdown),
        "suppressed": [k for k, v in counts.items() if v is None],
    }


def progress_json(report: ProgressReport) -> dict[str, Any]:
    return {
        "year": report.year,
        "region": report.region.name if report.region else None,
        "goals": [
            {
                "id": g.goal.id,
                "title": g.goal.title,
                "kind": g.goal.kind.value,
                "start": g.window.start.isoformat(),
                "end": g.window.end.isoformat(),
                "target": _number(g.goal.target),
                "actual": g.actual,
                "in_year": g.in_year,
                "expected": round(float(g.expected), 1),
                "on_track": g.on_track,
                "region": g.goal.region,
                "up_to": g.up_to.isoformat(),
                "percent_of_target": _percent(g.share_of_target),
                "projected": None if g.projected is None else round(float(g.projected), 1),
                "as_of": g.as_of.isoformat() if g.as_of else None,
                "expected_as_of": None
                if g.expected_as_of is None
                else round(float(g.expected_as_of), 1),
                "suppressed": _hidden(
                    actual=g.actual is None,
                    in_year=g.in_year is None,
                    on_track=g.actual is None,
                    percent_of_target=g.actual is None,
                    projected=g.actual is None,
                ).split(),
            }
            for g in report.goals
        ],
        "intro": [
            {
                "id": i.goal.id,
                "kind": i.goal.kind.value,
                "cohort_year": i.cohort_year,
                "ended": i.ended,
                "work_or_education": i.work_or_education,
                "rate": _rate(i.rate),
                "target": float(i.target),
                "met": i.met,
                "available": i.available,
                "measured_on": i.measured_on.isoformat() if i.measured_on else None,
                "national": [
                    {
                        "area": n.area,
                        "rate": float(n.rate),
                        "ended": n.ended,
                        "source": n.source,
                        "published_as": n.published_as,
                    }
                    for n in i.national
                ],
                "suppressed": _intro_hidden(i).split(),
            }
            for i in report.intro
        ],
        "breakdowns": {
            goal_id: breakdown_json(b, breakdown_columns(report, goal_id))
            for goal_id, b in report.breakdowns
        },
        "language": language_json(report.language),
        "suppressed_below": report.suppressed_below,
        "notes": notes_json(report.provenance.notes),
        "merger_notes": merger_notes_json(report.provenance.notes),
        **county_notes_json(report.provenance.notes),
        "not_applicable": [n.fields() for n in report.not_applicable],
        "provenance": provenance_json(report.provenance),
    }


ROW_COLUMNS = ("into_work", "intro_ended", "intro_woe", "intro_rate")
_ROW_KEYS = {  # ROW_COLUMNS -> the JSON key of that count
    "into_work": "into_work",
    "intro_ended": "intro_ended",
    "intro_woe": "intro_work_or_education",
    "intro_rate": "intro_rate",
}


def _intro_hidden(i: IntroProgress) -> str:
    """The hidden cells of an introduction measure; before its measuring day the
    numerator, rate and met do not apply (null, `available` false), they are not hidden."""
    hidden = i.available and (i.ended is None or i.work_or_education is None)
    return _hidden(
        ended=i.ended is None,
        work_or_education=i.available and i.work_or_education is None,
        rate=hidden,
        met=hidden,
    )


def breakdown_json(breakdown: Breakdown, columns: Sequence[str] = ROW_COLUMNS) -> dict[str, Any]:
    # A goal's breakdown has only persons into work, an intro measure's only the cohort:
    # leave out what does not apply (absent) rather than print it as null (= suppressed).
    drop = {_ROW_KEYS[c] for c in ROW_COLUMNS if c not in columns}

    def row(r: Row) -> dict[str, Any]:
        found = {k: v for k, v in _row_json(r, "name").items() if k not in drop and k != "code"}
        found["suppressed"] = [k for k in found["suppressed"] if k not in drop]
        return found

    return {
        "by": breakdown.dimension,
        "rows": [row(r) for r in breakdown.rows],
        "total": row(breakdown.total),
    }


def _row_json(row: Row, name_key: str) -> dict[str, Any]:
    label: Any = int(row.label) if name_key == "year" else row.label
    result: dict[str, Any] = {
        name_key: label,
        "into_work": row.into_work,
        "intro_ended": row.intro_ended,
        "intro_work_or_education": row.intro_work_or_education,
        "intro_rate": _rate(row.intro_rate),
    }
    if name_key == "name":
        result["code"] = row.code
        result["label_fields"] = label_fields(row.label_value)
    # the counts suppression hid (null for that reason, not because they do not apply)
    hidden = row.intro_ended is None or row.intro_work_or_education is None
    result["suppressed"] = _hidden(
        into_work=row.into_work is None,
        intro_ended=row.intro_ended is None,
        intro_work_or_education=row.intro_work_or_education is None,
        intro_rate=hidden,
    ).split()
    return result


def report_json(report: RegionReport) -> dict[str, Any]:
    return {
        "region": report.region.name if report.region else None,
        "from": report.from_year,
        "to": report.to_year,
        "years": [_row_json(r, "year") for r in report.years],
        "municipalities": [_row_json(r, "name") for r in report.municipalities],
        "total": _row_json(report.total, "name"),
        "breakdown": breakdown_json(report.breakdown) if report.breakdown else None,
        "language": None if report.language is None else language_table_json(report.language),
        "language_breakdown": None
        if report.language_breakdown is None
        else language_table_json(report.language_breakdown),
        "suppressed_below": report.suppressed_below,
        "notes": notes_json(report.provenance.notes),
        "merger_notes": merger_notes_json(report.provenance.notes),
        **county_notes_json(report.provenance.notes),
        "provenance": provenance_json(report.provenance),
    }


def explain_json(explanation: Explanation) -> dict[str, Any]:
    return {
        "goal": explanation.goal.id,
        "year": explanation.year,
        "region": explanation.region.name if explanation.region else None,
        "goal_region": explanation.goal_region,
        "counted": [
            {
                "participant_id": c.participant_id,
                "date": c.date.isoformat() if c.date else None,
                "placement_id": c.placement_id,
                "what": _CODES.explained(c.what, c.basis),
                "what_code": c.what,
                "basis": c.basis,
                "source": c.source,
            }
            for c in explanation.counted
        ],
        "excluded": [
            {
                "participant_id": e.participant_id,
                "reason": e.reason,
                "detail": _CODES.explained(e.detail),
                "detail_fields": e.detail.fields(),
                "date": e.date.isoformat() if e.date else None,
                "source": e.source,
            }
            for e in explanation.excluded
        ],
        "notes": notes_json(explanation.provenance.notes),
        "merger_notes": merger_notes_json(explanation.provenance.notes),
        **county_notes_json(explanation.provenance.notes),
        "provenance": provenance_json(explanation.provenance),
    }


def explain_language_json(explanation: LanguageExplanation) -> dict[str, Any]:
    """`intd explain --language`: every member of the cohort with the verdict, the rule,
    the reasons (codes) and the date the rule was chosen by."""
    return {
        "requirement": LANGUAGE_ID,
        "year": explanation.year,
        "region": explanation.region.name if explanation.region else None,
        **_language_counts(explanation.counts),
        "rules_without_level": list(explanation.rules_without_level),
        "people": [
            {
                "participant_id": c.participant_id,
                "verdict": c.verdict.value,
                "rule": c.rule,
                "reasons": list(c.reasons),
                "basis": c.basis,
                "date": c.day.isoformat() if c.day else None,
                "by_settlement": c.by_settlement,
                "ended": c.ended.isoformat(),
                "source": c.source,
            }
            for c in explanation.cases
        ],
        "notes": notes_json(explanation.provenance.notes),
        "merger_notes": merger_notes_json(explanation.provenance.notes),
        **county_notes_json(explanation.provenance.notes),
        "provenance": provenance_json(explanation.provenance),
    }


def imports_json(batches: Sequence[BatchInfo]) -> list[dict[str, Any]]:
    return [
        {
            "id": b.id,
            "file": b.file,
            "sha256": b.sha256,
            "kind": b.kind,
            "sheet": b.sheet,
            "rows": b.rows,
            "inserted": b.inserted,
            "updated": b.updated,
            "unchanged": b.unchanged,
            "removed": b.removed,
            "skipped": b.skipped,
            "imported_at": b.imported_at,
            "intd_version": b.intd_version,
            "undone_at": b.undone_at,
        }
        for b in batches
    ]


IMPORTS_COLUMNS = (
    "id",
    "file",
    "sha256",
    "kind",
    "sheet",
    "rows",
    "inserted",
    "updated",
    "unchanged",
    "removed",
    "skipped",
    "imported_at",
    "intd_version",
    "undone_at",
)


def imports_csv(batches: Sequence[BatchInfo]) -> str:
    """The import history as CSV: one row per batch, the JSON keys as columns (codes,
    stored ISO timestamps), by the CSV rules below."""
    return write_csv(IMPORTS_COLUMNS, imports_json(batches))


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


# ----------------------------------------------------------------------------- CSV
#
# Every CSV is built from typed rows (`progress_rows`, `report_rows`, `explain_rows`:
# dicts of int, float, bool, str, date or None) which the pandas API reads too, so a
# DataFrame has the columns of the CSV. The CSV rules (docs/cli-contract.md): one header
# row, UTF-8 without a byte-order mark, `\n` line ends, numbers unformatted (0.547, not
# 54,7 %), dates ISO, an empty cell for what does not apply *and* for a hidden count; the
# `suppressed` column names the cells of its row that suppression hid (space-separated,
# empty when none), so the two stay apart and every count column stays numeric.

TypedRow = dict[str, object]

PROGRESS_COLUMNS = (
    # today's columns, in today's order
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
    # added at the end: the rest of what JSON carries, and the breakdown rows' keys
    "kind",
    "title",
    "region",
    "up_to",
    "share_of_target",
    "projected",
    "as_of",
    "expected_as_of",
    "available",
    "measured_on",
    "dimension",
    "name",
    "suppressed",
    # the language-training requirement (section "language", and its by_D rows)
    "language_cohort",
    "language_met",
    "language_not_met",
    "language_cannot_judge",
    "language_by_settlement",
)
REPORT_COLUMNS = (
    "section",
    "name",
    "into_work",
    "intro_ended",
    "intro_work_or_education",
    "intro_rate",
    "dimension",
    "code",
    "suppressed",
    # the language-training requirement (sections "language" and "language_by_D")
    "language_cohort",
    "language_met",
    "language_not_met",
    "language_cannot_judge",
    "language_by_settlement",
)
EXPLAIN_LANGUAGE_COLUMNS = (
    "participant_id",
    "verdict",
    "rule",
    "reasons",
    "basis",
    "date",
    "by_settlement",
    "ended",
    "source",
    "year",
    "region",
)
EXPLAIN_COLUMNS = (
    "participant_id",
    "status",
    "reason",
    "date",
    "placement_id",
    "source",
    "detail",
    "what",
    "goal",
    "year",
    # the typed fields behind `what` and `detail` (their text is English, as in JSON)
    "what_code",
    "basis",
    "detail_code",
    "municipality",
    "placement_types",
    "goal_region",  # the goal's own region (goals.toml `region`), as JSON's goal_region
)


def _hidden(**cells: bool) -> str:
    """The `suppressed` cell: the names of the cells hidden, in column order."""
    return " ".join(name for name, hidden in cells.items() if hidden)


def _row(columns: Sequence[str], **values: object) -> TypedRow:
    unknown = set(values) - set(columns)
    assert not unknown, unknown  # a key outside the contract is a bug here
    return {c: values.get(c) for c in columns}


def breakdown_columns(report: ProgressReport, goal_id: str) -> tuple[str, ...]:
    """Which counts a progress breakdown has: persons into work for a persons-into-work
    goal, the cohort (ended, in work or education, rate) for an introduction measure.
    Decided by the goal, never by which cells happen to be None (that is suppression)."""
    if any(g.goal.id == goal_id for g in report.goals):
        return ("into_work",)
    return ("intro_ended", "intro_woe", "intro_rate")


def progress_rows(report: ProgressReport) -> list[TypedRow]:
    """`intd progress` as rows: one per goal, one per introduction measure, and with
    --by one per breakdown row of each (its total last, name "total")."""
    rows: list[TypedRow] = []
    goals = {g.goal.id: g for g in report.goals}
    intros = {i.goal.id: i for i in report.intro}
    for g in report.goals:
        rows.append(
            _row(
                PROGRESS_COLUMNS,
                section="goal",
                id=g.goal.id,
                start=g.window.start,
                end=g.window.end,
                target=_number(g.goal.target),
                actual=g.actual,
                in_year=g.in_year,
                expected=round(float(g.expected), 1),
                on_track=g.on_track,
                kind=g.goal.kind.value,
                title=g.goal.title,
                region=g.goal.region,
                up_to=g.up_to,
                share_of_target=_rate(g.share_of_target),
                projected=None if g.projected is None else round(float(g.projected), 1),
                as_of=g.as_of,
                expected_as_of=None
                if g.expected_as_of is None
                else round(float(g.expected_as_of), 1),
                suppressed=_hidden(
                    actual=g.actual is None,
                    in_year=g.in_year is None,
                    on_track=g.actual is None,
                    share_of_target=g.actual is None,
                    projected=g.actual is None,
                ),
            )
        )
    for i in report.intro:
        rows.append(
            _row(
                PROGRESS_COLUMNS,
                section="intro",
                id=i.goal.id,
                cohort_year=i.cohort_year,
                target=float(i.target),
                ended=i.ended,
                work_or_education=i.work_or_education if i.available else None,
                rate=_rate(i.rate),
                met=i.met,
                kind=i.goal.kind.value,
                title=i.goal.title,
                available=i.available,
                measured_on=i.measured_on,
                suppressed=_intro_hidden(i),
            )
        )
    if report.language is not None:  # a headline row, as the goals' and measures'
        counts = report.language.counts
        rows.append(_language_row(PROGRESS_COLUMNS, counts, section="language"))
        rows[-1].update(id=LANGUAGE_ID, cohort_year=report.language.cohort_year)
    for goal_id, breakdown in report.breakdowns:
        section = f"by_{breakdown.dimension}"
        for r in [*breakdown.rows, breakdown.total]:
            common: dict[str, object] = {
                "section": section,
                "id": goal_id,
                "dimension": breakdown.dimension,
                "name": r.label,
            }
            if goal_id in goals:
                g = goals[goal_id]
                rows.append(
                    _row(
                        PROGRESS_COLUMNS,
                        **common,
                        start=g.window.start,
                        end=g.window.end,
                        actual=r.into_work,
                        kind=g.goal.kind.value,
                        title=g.goal.title,
                        region=g.goal.region,
                        up_to=g.up_to,
                        suppressed=_hidden(actual=r.into_work is None),
                    )
                )
                continue
            intro = intros.get(goal_id)
            hidden = r.intro_ended is None or r.intro_work_or_education is None
            rows.append(
                _row(
                    PROGRESS_COLUMNS,
                    **common,
                    cohort_year=intro.cohort_year if intro else None,
                    ended=r.intro_ended,
                    work_or_education=r.intro_work_or_education,
                    rate=_rate(r.intro_rate),
                    kind=intro.goal.kind.value if intro else None,
                    title=intro.goal.title if intro else None,
                    available=True,
                    measured_on=intro.measured_on if intro else None,
                    suppressed=_hidden(
                        ended=r.intro_ended is None,
                        work_or_education=r.intro_work_or_education is None,
                        rate=hidden,
                    ),
                )
            )
    language = report.language
    if language is not None and language.breakdown is not None:
        b = language.breakdown
        for lr in [*b.rows, b.total]:
            rows.append(
                _language_row(
                    PROGRESS_COLUMNS,
                    lr,
                    section=f"by_{b.dimension}",
                    dimension=b.dimension,
                    name=lr.label,
                )
            )
            rows[-1].update(id=LANGUAGE_ID, cohort_year=language.cohort_year)
    return rows


def _language_row(columns: Sequence[str], r: LanguageRow, **values: object) -> TypedRow:
    """A CSV row of language counts, in the `language_*` columns of their own (a sum of
    `ended` or `intro_ended` over a dimension never counts a cohort twice)."""
    counts = {
        "language_cohort": r.cohort,
        "language_met": r.met,
        "language_not_met": r.not_met,
        "language_cannot_judge": r.cannot_judge,
        "language_by_settlement": r.by_settlement,
    }
    hidden = _hidden(**{k: v is None for k, v in counts.items()})
    return _row(columns, **values, **counts, suppressed=hidden)


def report_rows(report: RegionReport) -> list[TypedRow]:
    """`intd report` as rows: per year, per municipality (their total last, name
    "total"), and with --by the breakdown (section `by_<dimension>`; none for --by
    municipality, whose rows the municipality section already is, with their codes)."""
    sections: list[tuple[str, str, Sequence[Row]]] = [
        ("year", "year", report.years),
        ("municipality", "municipality", [*report.municipalities, report.total]),
    ]
    if b := report.shown_breakdown:  # by municipality: the municipality section, with codes
        sections.append((f"by_{b.dimension}", b.dimension, [*b.rows, b.total]))
    rows: list[TypedRow] = []
    for section, dimension, items in sections:
        for r in items:
            hidden = r.intro_ended is None or r.intro_work_or_education is None
            rows.append(
                _row(
                    REPORT_COLUMNS,
                    section=section,
                    name=r.label,
                    into_work=r.into_work,
                    intro_ended=r.intro_ended,
                    intro_work_or_education=r.intro_work_or_education,
                    intro_rate=_rate(r.intro_rate),
                    dimension=dimension,
                    code=r.code,
                    suppressed=_hidden(
                        into_work=r.into_work is None,
                        intro_ended=r.intro_ended is None,
                        intro_work_or_education=r.intro_work_or_education is None,
                        intro_rate=hidden,
                    ),
                )
            )
    for section, language in (
        ("language", report.language),
        ("language_by", report.language_breakdown),
    ):
        if language is None or not language.rows:  # no cohort in the report's years
            continue
        name = section if language.dimension == "year" else f"{section}_{language.dimension}"
        for lr in [*language.rows, language.total]:
            rows.append(
                _language_row(
                    REPORT_COLUMNS,
                    lr,
                    section=name,
                    name=lr.label,
                    dimension=language.dimension,
                )
            )
    return rows


def explain_rows(explanation: Explanation) -> list[TypedRow]:
    """`intd explain` as rows: one per person counted (status "counted", with the date,
    placement and what counted), then one per person not counted (status "excluded",
    with the reason code and its detail). Codes stay codes: no language here."""
    goal, year, goal_region = explanation.goal.id, explanation.year, explanation.goal_region
    rows = [
        _row(
            EXPLAIN_COLUMNS,
            participant_id=c.participant_id,
            status="counted",
            date=c.date,
            placement_id=c.placement_id,
            source=c.source,
            what=_CODES.explained(c.what, c.basis),
            goal=goal,
            what_code=c.what,
            basis=c.basis,
            year=year,
            goal_region=goal_region,
        )
        for c in explanation.counted
    ]
    rows += [
        _row(
            EXPLAIN_COLUMNS,
            participant_id=e.participant_id,
            status="excluded",
            reason=e.reason,
            date=e.date,
            source=e.source,
            detail=_CODES.explained(e.detail),
            goal=goal,
            detail_code=e.detail.code.value,
            municipality=e.detail.municipality,
            placement_types=" ".join(e.detail.placement_types) or None,
            year=year,
            goal_region=goal_region,
        )
        for e in explanation.excluded
    ]
    return rows


def explain_language_rows(explanation: LanguageExplanation) -> list[TypedRow]:
    """`intd explain --language` as rows: one per member of the cohort, the reasons as
    space-separated codes. Codes stay codes: no language here."""
    region = explanation.region.name if explanation.region else None
    return [
        _row(
            EXPLAIN_LANGUAGE_COLUMNS,
            participant_id=c.participant_id,
            verdict=c.verdict.value,
            rule=c.rule,
            reasons=" ".join(c.reasons) or None,
            basis=c.basis,
            date=c.day,
            by_settlement=c.by_settlement,
            ended=c.ended,
            source=c.source,
            year=explanation.year,
            region=region,
        )
        for c in explanation.cases
    ]


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return safe_cell(value)


def write_csv(columns: Sequence[str], rows: Iterable[TypedRow]) -> str:
    """Typed rows as CSV text by the rules above."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_value(row.get(c)) for c in columns])
    return buffer.getvalue()


def progress_csv(report: ProgressReport) -> str:
    return write_csv(PROGRESS_COLUMNS, progress_rows(report))


def report_csv(report: RegionReport) -> str:
    return write_csv(REPORT_COLUMNS, report_rows(report))


def explain_csv(explanation: Explanation) -> str:
    return write_csv(EXPLAIN_COLUMNS, explain_rows(explanation))


def explain_language_csv(explanation: LanguageExplanation) -> str:
    return write_csv(EXPLAIN_LANGUAGE_COLUMNS, explain_language_rows(explanation))


# ----------------------------------------------------------------------------- Markdown


NOT_APPLICABLE = "–"  # a cell that does not apply or has no figure (never hidden)


def _md_table(
    header: Sequence[str], rows: Iterable[Sequence[str]], marks: set[str] | None = None
) -> str:
    """A Markdown table; `marks` collects the markers (':' hidden, '–' not applicable)
    its cells use, for the legend under the tables."""
    rows = [list(row) for row in rows]
    if marks is not None:
        marks.update(cell for row in rows for cell in row if cell in (SUPPRESSED, NOT_APPLICABLE))
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def legend(marks: set[str], suppressed_below: int | None, fmt: Fmt) -> list[str]:
    """What the markers used in an output mean, only those that occur: ':' (hidden,
    with the threshold) and '–' (does not apply)."""
    lines = []
    note = suppression_note(suppressed_below, fmt)
    if note and (SUPPRESSED in marks or suppressed_below is not None):
        lines.append(note)
    if NOT_APPLICABLE in marks:
        lines.append(fmt.t("legend_not_applicable"))
    return lines


def requirements_text(p: Provenance, fmt: Fmt, sep: str) -> str:
    """The language rules' version in a provenance line ("requirements 2026.1+…" and the
    separator), on outputs that carry their figures; else nothing."""
    if p.requirements_version is None:
        return ""
    return f"{fmt.t('requirements_version')} {p.requirements_version}{sep}"


def provenance_md(p: Provenance, fmt: Fmt) -> str:
    files = ", ".join(f"{f} ({sha[:8]}, batch {b})" for f, sha, b in p.files) or "–"
    lines = [
        f"- {fmt.t('data_as_of')}: {fmt.stamp(p.data_as_of)}",
        f"- {fmt.t('files')}: {files}",
        f"- {fmt.t('goals_version')} {p.goals_version}, {fmt.t('regions_version')} "
        f"{p.regions_version}, {requirements_text(p, fmt, ', ')}{fmt.t('intd_version')} "
        f"{p.intd_version}",
    ]
    lines += [f"- {fmt.note(note)}" for note in p.notes]
    return "\n".join(lines)


def progress_markdown(report: ProgressReport, fmt: Fmt) -> str:
    asked = report.region.name if report.region else None
    region = asked or fmt.t("whole_project")
    parts = [f"# {fmt.t('progress_title', year=report.year)} – {region}", ""]
    marks: set[str] = set()
    if report.goals:
        parts.append(
            _md_table(
                [
                    fmt.t("goal"),
                    fmt.t("window"),
                    fmt.t("target"),
                    fmt.t("actual"),
                    fmt.t("in_year", year=report.year),
                    fmt.t("pct_of_target"),
                    fmt.t("expected"),
                    fmt.t("on_track"),
                ],
                [
                    [
                        f"{fmt.title(g.goal)} ({fmt.goal_region(g.goal)})",
                        f"{fmt.day(g.window.start)}–{fmt.day(g.window.end)}",
                        fmt.number(g.goal.target, 0),
                        fmt.count(g.actual),
                        fmt.count(g.in_year),
                        share_of_target_text(g, fmt),
                        fmt.number(g.expected),
                        fmt.yes_no(g.on_track, hidden=g.actual is None),
                    ]
                    for g in report.goals
                ],
                marks,
            )
        )
        parts.append("")
    for item in report.not_applicable:
        parts += [f"- {fmt.not_applicable(item)}", ""]
    parts.append(f"## {fmt.t('intro_title', year=report.year)}")
    parts.append("")
    parts.append(
        _md_table(
            [
                fmt.t("measure"),
                fmt.t("ended"),
                fmt.t("work_or_education"),
                fmt.t("rate"),
                fmt.t("target"),
                fmt.t("met"),
                fmt.t("national"),
            ],
            [
                [
                    f"{fmt.title(i.goal)} ({fmt.goal_region(i.goal, asked)})",
                    fmt.count(i.ended),
                    fmt.count(i.work_or_education) if i.available else "–",
                    intro_rate_text(i, fmt),
                    fmt.percent(i.target, 0),
                    met_text(i, fmt),
                    national_text(i, fmt),
                ]
                for i in report.intro
            ],
            marks,
        )
    )
    language = report.language
    if language is not None:
        parts += [
            "",
            f"## {fmt.t('language_title', year=language.cohort_year)}",
            "",
            _md_table(
                [fmt.t("region"), *language_header(fmt)],
                [[asked or fmt.t("whole_project"), *language_cells(language.counts, fmt)]],
                marks,
            ),
        ]
        notes = fmt.language_notes(language.counts.by_settlement, language.rules_without_level)
        parts += ["", *(f"- {line}" for line in notes)] if notes else []
    for goal_id, breakdown in report.breakdowns:
        parts += [
            "",
            f"## {goal_id}: {fmt.by(breakdown.dimension)}",
            "",
            _md_rows(
                breakdown.dimension,
                [*breakdown.rows, breakdown.total],
                fmt,
                breakdown_columns(report, goal_id),
                marks,
            ),
        ]
    if language is not None and language.breakdown is not None:
        parts += ["", *_md_language(fmt.language_split(language.breakdown.dimension),
                                    language.breakdown, fmt, marks, notes=False)]  # fmt: skip
    for line in legend(marks, report.suppressed_below, fmt):
        parts += ["", line]
    parts += ["", provenance_md(report.provenance, fmt), ""]
    return "\n".join(parts)


def language_header(fmt: Fmt) -> list[str]:
    """The column headings of the language requirement's counts."""
    return [fmt.t(k) for k in ("cohort", *LANGUAGE_WORDS)]


LANGUAGE_WORDS = (
    "language_met",
    "language_not_met",
    "language_cannot_judge",
    "language_by_settlement",
)


def language_cells(r: LanguageRow, fmt: Fmt) -> list[str]:
    """A row's language counts as a person reads them (':' hidden)."""
    return [fmt.count(v) for v in (r.cohort, r.met, r.not_met, r.cannot_judge, r.by_settlement)]


def _md_language(
    title: str, table: LanguageTable, fmt: Fmt, marks: set[str], *, notes: bool = True
) -> list[str]:
    """A language table under its heading (a row per year or group, the total last),
    and with `notes` the sentences under it."""
    first = fmt.t("year") if table.dimension == "year" else fmt.dimension(table.dimension)
    lines = [
        f"## {title}",
        "",
        _md_table(
            [first, *language_header(fmt)],
            [
                [fmt.row_label(table.dimension, r), *language_cells(r, fmt)]
                for r in [*table.rows, table.total]
            ],
            marks,
        ),
    ]
    said = fmt.language_notes(table.total.by_settlement, table.rules_without_level)
    if notes and said:
        lines += ["", *(f"- {line}" for line in said)]
    return lines


def share_of_target_text(goal: GoalProgress, fmt: Fmt) -> str:
    return SUPPRESSED if goal.actual is None else fmt.percent(goal.share_of_target)


def intro_hidden(item: IntroProgress) -> bool:
    """Whether a count an introduction measure's rate and verdict rest on is hidden (a
    measure not yet measurable has no numerator: not applicable, not hidden)."""
    return item.available and (item.ended is None or item.work_or_education is None)


def intro_rate_text(item: IntroProgress, fmt: Fmt) -> str:
    """':' hidden; the day it can be measured; '–' when nobody ended (no rate: the
    legend says so, as in every format); else the rate."""
    if intro_hidden(item):
        return fmt.share(None, None)
    if not item.available and item.measured_on is not None:
        return fmt.t("not_yet", day=fmt.day(item.measured_on))
    if item.rate is None:
        return NOT_APPLICABLE
    return fmt.percent(item.rate)


def met_text(item: IntroProgress, fmt: Fmt) -> str:
    """Whether a measure met its target: ':' when a count it rests on is hidden, '–'
    when it cannot be told (not yet measurable, nobody ended)."""
    return fmt.yes_no(item.met, hidden=intro_hidden(item))


def national_text(item: IntroProgress, fmt: Fmt) -> str:
    return "; ".join(f"{n.area} {fmt.percent(n.rate, 1)}" for n in item.national) or "–"


def row_cells(r: Row, fmt: Fmt, columns: Sequence[str] = ROW_COLUMNS) -> list[str]:
    """A row's count cells as a person reads them: ':' hidden, '–' no rate (nobody
    ended). `columns` are those the table has (ROW_COLUMNS' keys)."""
    values = {
        "into_work": lambda: fmt.count(r.into_work),
        "intro_ended": lambda: fmt.count(r.intro_ended),
        "intro_woe": lambda: fmt.count(r.intro_work_or_education),
        "intro_rate": lambda: fmt.share(r.intro_work_or_education, r.intro_ended),
    }
    return [values[c]() for c in columns]


def _md_rows(
    dimension: str,
    rows: Sequence[Row],
    fmt: Fmt,
    columns: Sequence[str] = ROW_COLUMNS,
    marks: set[str] | None = None,
) -> str:
    """Rows of counts, labelled by `dimension` ("year", "municipality", "gender", ...),
    with the count columns that apply to them."""
    header = [
        fmt.t("year") if dimension == "year" else fmt.dimension(dimension),
        *(fmt.t(c) for c in columns),
    ]
    return _md_table(
        header,
        [[fmt.row_label(dimension, r), *row_cells(r, fmt, columns)] for r in rows],
        marks,
    )


def suppression_note(n: int | None, fmt: Fmt) -> str:
    return "" if n is None else fmt.t("suppressed_note", n=n)


def report_markdown(report: RegionReport, fmt: Fmt) -> str:
    region = report.region.name if report.region else fmt.t("whole_project")
    title = fmt.report_title(region, report.from_year, report.to_year)
    marks: set[str] = set()
    parts = [
        f"# {title}",
        "",
        f"## {fmt.t('per_year')}",
        "",
        _md_rows("year", report.years, fmt, marks=marks),
        "",
        f"## {fmt.t('per_municipality')}",
        "",
        _md_rows("municipality", [*report.municipalities, report.total], fmt, marks=marks),
        "",
    ]
    if b := report.shown_breakdown:
        parts += [
            f"## {fmt.by(b.dimension)}",
            "",
            _md_rows(b.dimension, [*b.rows, b.total], fmt, marks=marks),
            "",
        ]
    if report.language is not None and report.language.rows:
        parts += [*_md_language(fmt.t("language_per_year"), report.language, fmt, marks), ""]
    if report.language_breakdown is not None:
        split = report.language_breakdown
        title = fmt.language_split(split.dimension)
        parts += [*_md_language(title, split, fmt, marks, notes=False), ""]
    for line in legend(marks, report.suppressed_below, fmt):
        parts += [line, ""]
    parts += [provenance_md(report.provenance, fmt), ""]
    return "\n".join(parts)


def _md_people(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A table of people and the blank line after it; nothing when there is nobody (the
    heading above says 0)."""
    return [_md_table(header, rows), ""] if rows else []


def explain_markdown(explanation: Explanation, fmt: Fmt) -> str:
    """`intd explain` in Markdown: who was counted, who was not and why, the provenance."""
    asked = explanation.region.name if explanation.region else None
    region = fmt.counted_region(asked, explanation.goal_region, explanation.within_goal_region)
    parts = [
        f"# {explanation.goal.id} · {explanation.year} · {region}",
        "",
        fmt.title(explanation.goal),
        "",
        f"## {fmt.t('counted')}: {len(explanation.counted)}",
        "",
        *_md_people(
            [fmt.t(k) for k in ("participant", "date", "placement", "what", "source")],
            [
                [
                    c.participant_id,
                    fmt.day(c.date),
                    c.placement_id or "",
                    fmt.explained(c.what, c.basis),
                    c.source,
                ]
                for c in explanation.counted
            ],
        ),
        f"## {fmt.t('excluded')}: {len(explanation.excluded)}",
        "",
        *_md_people(
            [fmt.t(k) for k in ("participant", "reason", "detail", "source")],
            [
                [e.participant_id, fmt.explained(e.reason), fmt.explained(e.detail), e.source]
                for e in explanation.excluded
            ],
        ),
        provenance_md(explanation.provenance, fmt),
        "",
    ]
    return "\n".join(parts)


def explain_language_markdown(explanation: LanguageExplanation, fmt: Fmt) -> str:
    """`intd explain --language` in Markdown: the cohort's counts, then every member with
    the verdict, the rule, why and the date the rule was chosen by; the provenance."""
    region = explanation.region.name if explanation.region else fmt.t("whole_project")
    title = fmt.t("language_explain_title", year=explanation.year, region=region)
    counts = explanation.counts
    notes = fmt.language_notes(counts.by_settlement, explanation.rules_without_level)
    parts = [
        f"# {title}",
        "",
        _md_table(
            [fmt.t("region"), *language_header(fmt)], [[region, *language_cells(counts, fmt)]]
        ),
        "",
        *(f"- {line}" for line in notes),
        *([""] if notes else []),
        *_md_people(
            [fmt.t(k) for k in LANGUAGE_CASE_WORDS],
            [language_case_cells(c, fmt) for c in explanation.cases],
        ),
        provenance_md(explanation.provenance, fmt),
        "",
    ]
    return "\n".join(parts)


LANGUAGE_CASE_WORDS = ("participant", "verdict", "rule", "why", "date_used", "ended", "source")


def language_case_cells(c: LanguageCase, fmt: Fmt) -> list[str]:
    """A member of the cohort in `explain --language` as a person reads them."""
    return [
        c.participant_id,
        fmt.verdict(c.verdict.value),
        c.rule or "–",
        fmt.reasons(c.reasons),
        fmt.date_used(c.basis, c.day),
        fmt.day(c.ended),
        c.source,
    ]
