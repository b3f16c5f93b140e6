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
from fractions import Fraction
from typing import Any

from intdrammen.models import (
    MergerNote,
    PartLabel,
    Provenance,
    QuarterLabel,
    RowLabel,
    SplitLabel,
)
from intdrammen.render.cells import safe_cell
from intdrammen.render.fmt import SUPPRESSED, Fmt, rate_cell
from intdrammen.reports import (
    Breakdown,
    Explanation,
    GoalProgress,
    IntroProgress,
    ProgressReport,
    RegionReport,
    Row,
)
from intdrammen.store import BatchInfo


def _rate(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 4)


def _percent(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value) * 100, 1)


def _number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else round(float(value), 1)


_EN = Fmt("en")  # machine formats keep English text beside the typed fields


def notes_json(notes: Sequence[MergerNote]) -> list[str]:
    """The `notes` key: each merger note as English text (as before the typed notes)."""
    return [_EN.note(n) for n in notes]


def merger_notes_json(notes: Sequence[MergerNote]) -> list[dict[str, Any]]:
    """The `merger_notes` key: each note's typed fields."""
    return [n.fields() for n in notes]


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
    return {
        "intd_version": p.intd_version,
        "data_as_of": p.data_as_of,
        "files": [{"file": f, "sha256": sha, "batch": b} for f, sha, b in p.files],
        "goals_version": p.goals_version,
        "regions_version": p.regions_version,
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
            }
            for i in report.intro
        ],
        "breakdowns": {goal_id: breakdown_json(b) for goal_id, b in report.breakdowns},
        "suppressed_below": report.suppressed_below,
        "notes": notes_json(report.provenance.notes),
        "merger_notes": merger_notes_json(report.provenance.notes),
        "provenance": provenance_json(report.provenance),
    }


def breakdown_json(breakdown: Breakdown) -> dict[str, Any]:
    # A goal's breakdown has only persons into work, an intro measure's only the cohort:
    # leave out what does not apply rather than print it as null (= suppressed).
    total = breakdown.total
    drop = set()
    if total.into_work is None:
        drop.add("into_work")
    if total.intro_ended is None:
        drop |= {"intro_ended", "intro_work_or_education", "intro_rate"}

    def row(r: Row) -> dict[str, Any]:
        return {k: v for k, v in _row_json(r, "name").items() if k not in drop and k != "code"}

    return {
        "by": breakdown.dimension,
        "rows": [row(r) for r in breakdown.rows],
        "total": row(total),
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
        "suppressed_below": report.suppressed_below,
        "notes": notes_json(report.provenance.notes),
        "merger_notes": merger_notes_json(report.provenance.notes),
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
                "what": _EN.explained(c.what, c.basis),
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
                "detail": _EN.explained(e.detail),
                "detail_fields": e.detail.fields(),
                "date": e.date.isoformat() if e.date else None,
                "source": e.source,
            }
            for e in explanation.excluded
        ],
        "notes": notes_json(explanation.provenance.notes),
        "merger_notes": merger_notes_json(explanation.provenance.notes),
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


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


# ----------------------------------------------------------------------------- CSV


def _csv(rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([SUPPRESSED if v is None else safe_cell(v) for v in row])
    return buffer.getvalue()


def progress_csv(report: ProgressReport) -> str:
    data = progress_json(report)
    header: list[object] = [
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
    ]
    rows: list[list[object]] = [list(header)]
    for g in data["goals"]:
        rows.append(
            [
                "goal",
                g["id"],
                g["start"],
                g["end"],
                "",
                g["target"],
                g["actual"],
                g["in_year"],
                g["expected"],
                g["on_track"],
                "",
                "",
                "",
                "",
            ]
        )
    for i in data["intro"]:
        rows.append(
            [
                "intro",
                i["id"],
                "",
                "",
                i["cohort_year"],
                i["target"],
                "",
                "",
                "",
                "",
                i["ended"],
                *_intro_cells(i),
            ]
        )
    return _csv(rows)


def _intro_cells(intro: dict[str, Any]) -> list[object]:
    """work_or_education, rate and met of a progress CSV row: empty when not (yet)
    measurable or undefined, None (printed ':') when hidden by suppression."""
    if not intro["available"]:
        return ["", "", ""]
    if intro["ended"] is None or intro["work_or_education"] is None:
        return [intro["work_or_education"], None, None]
    if intro["rate"] is None:
        return [intro["work_or_education"], "", ""]
    return [intro["work_or_education"], intro["rate"], intro["met"]]


def report_csv(report: RegionReport) -> str:
    rows: list[list[object]] = [
        ["section", "name", "into_work", "intro_ended", "intro_work_or_education", "intro_rate"]
    ]
    sections: list[tuple[str, Sequence[Row]]] = [
        ("year", report.years),
        ("municipality", [*report.municipalities, report.total]),
    ]
    if report.breakdown:
        b = report.breakdown
        sections.append((f"by_{b.dimension}", [*b.rows, b.total]))
    for section, items in sections:
        for r in items:
            rows.append(
                [
                    section,
                    r.label,
                    r.into_work,
                    r.intro_ended,
                    r.intro_work_or_education,
                    _rate_csv(r),
                ]
            )
    return _csv(rows)


def _rate_csv(r: Row) -> object:
    """A row's rate in CSV: ':' when hidden, empty when undefined."""
    cell = rate_cell(r.intro_work_or_education, r.intro_ended, r.intro_rate, "")
    return _rate(cell) if isinstance(cell, Fraction) else cell


# ----------------------------------------------------------------------------- Markdown


def _md_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def provenance_md(p: Provenance, fmt: Fmt) -> str:
    files = ", ".join(f"{f} ({sha[:8]}, batch {b})" for f, sha, b in p.files) or "–"
    lines = [
        f"- {fmt.t('data_as_of')}: {fmt.stamp(p.data_as_of)}",
        f"- {fmt.t('files')}: {files}",
        f"- {fmt.t('goals_version')} {p.goals_version}, {fmt.t('regions_version')} "
        f"{p.regions_version}, {fmt.t('intd_version')} {p.intd_version}",
    ]
    lines += [f"- {fmt.note(note)}" for note in p.notes]
    return "\n".join(lines)


def progress_markdown(report: ProgressReport, fmt: Fmt) -> str:
    region = report.region.name if report.region else fmt.t("whole_project")
    parts = [f"# {fmt.t('progress_title', year=report.year)} – {region}", ""]
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
                        fmt.title(g.goal),
                        f"{fmt.day(g.window.start)}–{fmt.day(g.window.end)}",
                        fmt.number(g.goal.target, 0),
                        fmt.count(g.actual),
                        fmt.count(g.in_year),
                        share_of_target_text(g, fmt),
                        fmt.number(g.expected),
                        fmt.yes_no(g.on_track),
                    ]
                    for g in report.goals
                ],
            )
        )
        parts.append("")
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
                    fmt.title(i.goal),
                    fmt.count(i.ended),
                    fmt.count(i.work_or_education) if i.available else "–",
                    intro_rate_text(i, fmt),
                    fmt.percent(i.target, 0),
                    fmt.yes_no(i.met),
                    national_text(i, fmt),
                ]
                for i in report.intro
            ],
        )
    )
    for goal_id, breakdown in report.breakdowns:
        parts += [
            "",
            f"## {goal_id}: {fmt.by(breakdown.dimension)}",
            "",
            _md_rows(breakdown.dimension, [*breakdown.rows, breakdown.total], fmt),
        ]
    note = suppression_note(report.suppressed_below, fmt)
    parts += ["", note] if note else []
    parts += ["", provenance_md(report.provenance, fmt), ""]
    return "\n".join(parts)


def share_of_target_text(goal: GoalProgress, fmt: Fmt) -> str:
    return SUPPRESSED if goal.actual is None else fmt.percent(goal.share_of_target)


def intro_rate_text(item: IntroProgress, fmt: Fmt) -> str:
    if item.available and (item.ended is None or item.work_or_education is None):
        return fmt.share(None, None)
    if not item.available and item.measured_on is not None:
        return fmt.t("not_yet", day=fmt.day(item.measured_on))
    if item.rate is None:
        return fmt.t("undefined")
    return fmt.percent(item.rate)


def national_text(item: IntroProgress, fmt: Fmt) -> str:
    return "; ".join(f"{n.area} {fmt.percent(n.rate, 1)}" for n in item.national) or "–"


def _md_rows(dimension: str, rows: Sequence[Row], fmt: Fmt) -> str:
    """Rows of counts, labelled by `dimension` ("year", "municipality", "gender", ...)."""
    header = [
        fmt.t("year") if dimension == "year" else fmt.dimension(dimension),
        fmt.t("into_work"),
        fmt.t("intro_ended"),
        fmt.t("intro_woe"),
        fmt.t("intro_rate"),
    ]
    return _md_table(
        header,
        [
            [
                fmt.row_label(dimension, r),
                fmt.count(r.into_work),
                fmt.count(r.intro_ended),
                fmt.count(r.intro_work_or_education),
                fmt.share(r.intro_work_or_education, r.intro_ended),
            ]
            for r in rows
        ],
    )


def suppression_note(n: int | None, fmt: Fmt) -> str:
    return "" if n is None else fmt.t("suppressed_note", n=n)


def report_markdown(report: RegionReport, fmt: Fmt) -> str:
    region = report.region.name if report.region else fmt.t("whole_project")
    title = fmt.t("report_title", region=region, first=report.from_year, last=report.to_year)
    parts = [
        f"# {title}",
        "",
        f"## {fmt.t('per_year')}",
        "",
        _md_rows("year", report.years, fmt),
        "",
        f"## {fmt.t('per_municipality')}",
        "",
        _md_rows("municipality", [*report.municipalities, report.total], fmt),
        "",
    ]
    if report.breakdown:
        b = report.breakdown
        parts += [
            f"## {fmt.by(b.dimension)}",
            "",
            _md_rows(b.dimension, [*b.rows, b.total], fmt),
            "",
        ]
    note = suppression_note(report.suppressed_below, fmt)
    parts += [note, ""] if note else []
    parts += [provenance_md(report.provenance, fmt), ""]
    return "\n".join(parts)
