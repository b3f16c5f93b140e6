"""The report as a workbook: one sheet per table, numbers as numbers, rates as
percentages, a frozen header, and a sheet with the definitions and the provenance.
Text that a spreadsheet would run as a formula is always written as text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

from intdrammen.models import GoalNotApplicable, Provenance
from intdrammen.render.data import (
    LANGUAGE_WORDS,
    breakdown_columns,
    legend,
    met_text,
    suppression_note,
)
from intdrammen.render.definitions import DEFINITIONS
from intdrammen.render.fmt import SUPPRESSED, Fmt, rate_cell
from intdrammen.reports import (
    Document,
    Explanation,
    IntroProgress,
    LanguageExplanation,
    LanguageRow,
    LanguageTable,
    ProgressReport,
    Row,
)

UNDEFINED = "–"  # a rate with nobody in the cohort, or not yet measurable
SHEET_NAME = 31  # Excel's longest sheet name
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")

Cell = str | int | float | Fraction | date | None
# A date cell as a reader of the language writes a date (fmt.day's form)
DATE_FORMATS = {"nb": "dd.mm.yyyy", "en": "yyyy-mm-dd"}


class _Sheets:
    def __init__(self, path: Path, lang: str = "en") -> None:
        import xlsxwriter

        self.book = xlsxwriter.Workbook(
            str(path),
            {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
        )
        self.header = self.book.add_format(
            {"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"}
        )
        self.count = self.book.add_format({"num_format": "#,##0"})
        self.rate = self.book.add_format({"num_format": "0.0%"})
        self.decimal = self.book.add_format({"num_format": "#,##0.0"})
        self.year = self.book.add_format({"num_format": "0"})  # 2015, not 2,015
        self.date = self.book.add_format({"num_format": DATE_FORMATS.get(lang, DATE_FORMATS["en"])})
        self.text = self.book.add_format({"text_wrap": True, "valign": "top"})
        self.names: set[str] = set()
        self.marks: set[str] = set()  # ':' and '–' as written, for the legend

    def sheet(self, name: str) -> Any:
        """A new worksheet called `name`, made a valid Excel name: no []:*?/\\, at most
        31 characters, and unique (Excel ignores case) with " (2)" and so on."""
        base = _NOT_IN_SHEET_NAMES.sub("-", name).strip("' ") or "Sheet"
        candidate, number = base[:SHEET_NAME], 1
        while candidate.casefold() in self.names:
            number += 1
            suffix = f" ({number})"
            candidate = base[: SHEET_NAME - len(suffix)] + suffix
        self.names.add(candidate.casefold())
        return self.book.add_worksheet(candidate)

    def table(
        self, name: str, header: Sequence[str], rows: Sequence[Sequence[Cell]], kinds: Sequence[str]
    ) -> None:
        """kinds per column: 'text', 'count', 'rate', 'decimal', 'year' or 'date'."""
        sheet = self.sheet(name)
        for col, title in enumerate(header):
            sheet.write_string(0, col, title, self.header)
        for r, row in enumerate(rows, start=1):
            for col, (value, kind) in enumerate(zip(row, kinds, strict=True)):
                self.cell(sheet, r, col, value, kind)
        widths = [
            max([len(str(h)), *(len(str(row[c])) for row in rows)]) for c, h in enumerate(header)
        ]
        for col, width in enumerate(widths):
            sheet.set_column(col, col, min(max(width + 2, 10), 48))
        sheet.freeze_panes(1, 0)
        if rows:
            sheet.autofilter(0, 0, len(rows), len(header) - 1)

    def cell(self, sheet: Any, r: int, c: int, value: Cell, kind: str) -> None:
        if value in (SUPPRESSED, UNDEFINED) or (value is None and kind in ("count", "rate")):
            self.marks.add(SUPPRESSED if value is None else str(value))
        if value is None and kind == "date":
            return  # no date: an empty cell, which sorts and filters as one
        if value is None:
            sheet.write_string(r, c, SUPPRESSED if kind in ("count", "rate") else "")
        elif isinstance(value, date):
            sheet.write_datetime(r, c, value, self.date)  # a real date, sorts and filters
        elif kind == "text" or isinstance(value, str):
            # write_string never makes a formula; text starting with = + - @ stays text
            sheet.write_string(r, c, str(value))
        else:
            # rounded as CSV and JSON round them: a rate to 4 decimals, a decimal to 1
            digits = {"rate": 4, "decimal": 1}.get(kind)
            number = float(value) if digits is None else round(float(value), digits)
            style = {
                "count": self.count,
                "rate": self.rate,
                "decimal": self.decimal,
                "year": self.year,
            }[kind]
            sheet.write_number(r, c, number, style)


def _label(dimension: str, row: Row, fmt: Fmt) -> Cell:
    """A row's label cell: a year as a number (written "0": 2015), else its words."""
    if dimension == "year" and row.label_value is None and row.label.isdigit():
        return int(row.label)
    return fmt.row_label(dimension, row)


def _label_kind(dimension: str) -> str:
    return "year" if dimension == "year" else "text"  # a text label stays text


def _rows(dimension: str, rows: Sequence[Row], fmt: Fmt) -> list[list[Cell]]:
    return [
        [
            _label(dimension, r, fmt),
            r.into_work,
            r.intro_ended,
            r.intro_work_or_education,
            rate_cell(r.intro_work_or_education, r.intro_ended, r.intro_rate, UNDEFINED),
        ]
        for r in rows
    ]


def _intro_sheet(
    sheets: _Sheets, intro: Sequence[IntroProgress], year: int, fmt: Fmt, asked: str | None
) -> None:
    """The introduction measures of `year`: the columns of the table and markdown
    (region, national figures too), counts and rates as numbers. The national figure
    for Norway is the "National" column; a municipality that published its own result
    gets a column of its own, headed by its name."""
    areas = list(dict.fromkeys(n.area for i in intro for n in i.national))
    areas = ["Norge", *(a for a in areas if a != "Norge")]
    header = [
        "id",
        fmt.t("measure"),
        fmt.t("region"),
        fmt.t("cohort"),
        fmt.t("ended"),
        fmt.t("work_or_education"),
        fmt.t("rate"),
        fmt.t("target"),
        fmt.t("met"),
        *(fmt.t("national") if a == "Norge" else a for a in areas),
    ]
    rows: list[list[Cell]] = [
        [
            i.goal.id,
            fmt.title(i.goal),
            fmt.goal_region(i.goal, asked),
            i.cohort_year,
            i.ended,
            i.work_or_education if i.available else UNDEFINED,
            rate_cell(i.work_or_education, i.ended, i.rate, UNDEFINED)
            if i.available
            else UNDEFINED,
            i.target,
            met_text(i, fmt),
            *(next((n.rate for n in i.national if n.area == a), UNDEFINED) for a in areas),
        ]
        for i in intro
    ]
    sheets.table(
        fmt.t("intro_sheet", year=year),
        header,
        rows,
        ["text", "text", "text", "year", "count", "count", "rate", "rate", "text"]
        + ["rate"] * len(areas),
    )


def _language_counts(r: LanguageRow) -> list[Cell]:
    return [r.cohort, r.met, r.not_met, r.cannot_judge, r.by_settlement]


def _language_header(fmt: Fmt) -> list[str]:
    return [fmt.t("cohort"), *(fmt.t(k) for k in LANGUAGE_WORDS)]


def _language_sheet(sheets: _Sheets, name: str, table: LanguageTable, fmt: Fmt) -> None:
    """A language table as a sheet: a row per year (a number) or group, the total last."""
    dimension = table.dimension
    first = fmt.t("year") if dimension == "year" else fmt.dimension(dimension)
    rows: list[list[Cell]] = [
        [
            int(r.label)
            if dimension == "year" and r.label.isdigit()
            else fmt.row_label(dimension, r),
            *_language_counts(r),
        ]
        for r in [*table.rows, table.total]
    ]
    sheets.table(
        name, [first, *_language_header(fmt)], rows, [_label_kind(dimension), *["count"] * 5]
    )


def _language_progress_sheet(sheets: _Sheets, report: ProgressReport, fmt: Fmt) -> list[str]:
    """The year's language requirement on a sheet of its own, a row for the region (with
    --by, a sheet of the split too); its sentences, for the source sheet."""
    language = report.language
    if language is None:
        return []
    region = report.region.name if report.region else fmt.t("whole_project")
    sheets.table(
        fmt.t("language_sheet", year=language.cohort_year),
        [fmt.t("region"), *_language_header(fmt)],
        [[region, *_language_counts(language.counts)]],
        ["text", *["count"] * 5],
    )
    if language.breakdown is not None:
        split = language.breakdown
        _language_sheet(
            sheets, f"{fmt.t('language_sheet_years')} {fmt.dimension(split.dimension)}", split, fmt
        )
    return fmt.language_notes(language.counts.by_settlement, language.rules_without_level)


def write_document_xlsx(doc: Document, fmt: Fmt, path: Path) -> None:
    sheets = _Sheets(path, fmt.lang)
    report = doc.report
    row_header = [fmt.t("into_work"), fmt.t("intro_ended"), fmt.t("intro_woe"), fmt.t("intro_rate")]
    row_kinds = ["text", "count", "count", "count", "rate"]
    sheets.table(
        fmt.t("goal"),
        [
            "id",
            fmt.t("goal"),
            fmt.t("region"),
            fmt.t("window"),
            fmt.t("year"),
            fmt.t("target"),
            fmt.t("actual"),
            fmt.t("in_the_year"),
            fmt.t("pct_of_target"),
            fmt.t("expected"),
            fmt.t("on_track"),
        ],
        [
            [
                g.goal.id,
                fmt.title(g.goal),
                fmt.goal_region(g.goal),
                f"{fmt.day(g.window.start)}–{fmt.day(g.window.end)}",
                g.year,
                g.goal.target,
                g.actual,
                g.in_year,
                g.share_of_target,
                g.expected,
                fmt.yes_no(g.on_track, hidden=g.actual is None),
            ]
            for g in doc.goals
        ],
        ["text"] * 4 + ["year", "count", "count", "count", "rate", "decimal", "text"],
    )
    asked = doc.progress.region.name if doc.progress.region else None
    _intro_sheet(sheets, doc.progress.intro, doc.progress.year, fmt, asked)
    sheets.table(
        fmt.t("per_year"),
        [fmt.t("year"), *row_header],
        _rows("year", report.years, fmt),
        [_label_kind("year"), *row_kinds[1:]],
    )
    sheets.table(
        fmt.t("per_municipality"),
        [fmt.t("municipality"), *row_header],
        _rows("municipality", [*report.municipalities, report.total], fmt),
        row_kinds,
    )
    if report.breakdown is not None:
        b = report.breakdown
        sheets.table(
            fmt.by(b.dimension),
            [fmt.dimension(b.dimension), *row_header],
            _rows(b.dimension, [*b.rows, b.total], fmt),
            [_label_kind(b.dimension), *row_kinds[1:]],
        )
    if report.language is not None and report.language.rows:
        _language_sheet(sheets, fmt.t("language_sheet_years"), report.language, fmt)
    if report.language_breakdown is not None:
        split = report.language_breakdown
        name = f"{fmt.t('language_sheet_years')} {fmt.dimension(split.dimension)}"
        _language_sheet(sheets, name, split, fmt)
    sheets.table(
        fmt.t("cohort_rates_sheet"),
        [
            fmt.t("cohort"),
            fmt.t("ended"),
            fmt.t("work_or_education"),
            fmt.t("rate"),
            fmt.t("national"),
        ],
        [
            [
                c.year,
                c.ended,
                c.work_or_education,
                rate_cell(c.work_or_education, c.ended, c.rate, UNDEFINED),
                next((n.rate for n in c.national if n.area == "Norge"), "–"),
            ]
            for c in doc.cohorts
        ],
        ["year", "count", "count", "rate", "rate"],
    )
    _definitions_sheet(sheets, doc, fmt)
    sheets.book.close()


def _definitions_sheet(sheets: _Sheets, doc: Document, fmt: Fmt) -> None:
    sheet = sheets.sheet(fmt.t("definitions"))
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 100)
    lines: list[tuple[str, str]] = list(DEFINITIONS.get(fmt.lang, DEFINITIONS["en"]))
    note = suppression_note(doc.report.suppressed_below, fmt)
    if note:
        lines.append((":", note))
    if UNDEFINED in sheets.marks:
        lines.append((UNDEFINED, fmt.t("legend_not_applicable")))
    language = doc.report.language
    if language is not None and language.rows:
        said = fmt.language_notes(language.total.by_settlement, language.rules_without_level)
        lines += [(fmt.t("language_sheet_years"), line) for line in said]
    lines += _provenance_lines(doc.report.provenance, fmt)
    lines += [(fmt.t("notes"), fmt.not_applicable(n)) for n in doc.not_applicable]
    _term_sheet(sheets, sheet, fmt.t("definitions"), lines)


def _provenance_lines(p: Provenance, fmt: Fmt) -> list[tuple[str, str]]:
    """Where the figures come from, as (term, text) lines of a definitions or source
    sheet."""
    return [
        (fmt.t("data_as_of"), fmt.stamp(p.data_as_of)),
        *((f"{fmt.t('files')}: {f}", f"sha256 {sha} · batch {b}") for f, sha, b in p.files),
        (fmt.t("goals_version"), p.goals_version),
        (fmt.t("regions_version"), p.regions_version),
        *(
            [(fmt.t("requirements_version"), p.requirements_version)]
            if p.requirements_version is not None
            else []
        ),
        (fmt.t("intd_version"), p.intd_version),
        *((fmt.t("notes"), fmt.note(n)) for n in p.notes),
    ]


def _term_sheet(sheets: _Sheets, sheet: Any, title: str, lines: list[tuple[str, str]]) -> None:
    """A two-column sheet of (term, text) lines under a header row, frozen."""
    sheet.write_string(0, 0, title, sheets.header)
    sheet.write_string(0, 1, "", sheets.header)
    for r, (term, text) in enumerate(lines, start=1):
        sheet.write_string(r, 0, term, sheets.text)
        sheet.write_string(r, 1, text, sheets.text)
    sheet.freeze_panes(1, 0)


# ------------------------------------------------------------- progress and explain books


def _source_sheet(
    sheets: _Sheets,
    provenance: Provenance,
    legend: Sequence[str],
    fmt: Fmt,
    about: Sequence[tuple[str, str]] = (),
    left_out: Sequence[GoalNotApplicable] = (),
) -> None:
    """The last sheet of a progress or explain workbook: what it is `about` (term, text),
    what the markers mean, where the figures come from, and the goals left out."""
    sheet = sheets.sheet(fmt.t("source_sheet"))
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 100)
    lines: list[tuple[str, str]] = [*about, *((line[:3].strip("'= "), line) for line in legend)]
    lines += _provenance_lines(provenance, fmt)
    lines += [(fmt.t("notes"), fmt.not_applicable(n)) for n in left_out]
    _term_sheet(sheets, sheet, fmt.t("source_title"), lines)


def write_progress_xlsx(report: ProgressReport, fmt: Fmt, path: Path) -> None:
    """`intd progress` as a workbook: the goals, the introduction measures, a sheet per
    breakdown (only the columns that apply), and the source sheet."""
    sheets = _Sheets(path, fmt.lang)
    sheets.table(
        fmt.t("goal"),
        [
            "id",
            fmt.t("goal"),
            fmt.t("region"),
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
                g.goal.id,
                fmt.title(g.goal),
                fmt.goal_region(g.goal),
                f"{fmt.day(g.window.start)}–{fmt.day(g.window.end)}",
                g.goal.target,
                g.actual,
                g.in_year,
                g.share_of_target,
                g.expected,
                fmt.yes_no(g.on_track, hidden=g.actual is None),
            ]
            for g in report.goals
        ],
        ["text"] * 4 + ["count", "count", "count", "rate", "decimal", "text"],
    )
    _intro_sheet(
        sheets, report.intro, report.year, fmt, report.region.name if report.region else None
    )
    for goal_id, b in report.breakdowns:
        columns = breakdown_columns(report, goal_id)
        rows: list[list[Cell]] = []
        for r in [*b.rows, b.total]:
            values: dict[str, Cell] = {
                "into_work": r.into_work,
                "intro_ended": r.intro_ended,
                "intro_woe": r.intro_work_or_education,
                "intro_rate": rate_cell(
                    r.intro_work_or_education, r.intro_ended, r.intro_rate, UNDEFINED
                ),
            }
            rows.append([_label(b.dimension, r, fmt), *(values[c] for c in columns)])
        sheets.table(
            f"{goal_id} {fmt.dimension(b.dimension)}",
            [fmt.dimension(b.dimension), *(fmt.t(c) for c in columns)],
            rows,
            [
                _label_kind(b.dimension),
                *("rate" if c == "intro_rate" else "count" for c in columns),
            ],
        )
    said = _language_progress_sheet(sheets, report, fmt)
    _source_sheet(
        sheets,
        report.provenance,
        legend(sheets.marks, report.suppressed_below, fmt),
        fmt,
        [(fmt.t("language_sheet_years"), line) for line in said],
        left_out=report.not_applicable,
    )
    sheets.book.close()


def write_explain_xlsx(explanation: Explanation, fmt: Fmt, path: Path) -> None:
    """`intd explain` as one sheet, a row per person counted or not (the columns of
    `explain --format csv`, headed and worded in the language), and the source sheet."""
    sheets = _Sheets(path, fmt.lang)
    status = {"counted": fmt.t("counted"), "excluded": fmt.t("excluded")}
    asked = explanation.region.name if explanation.region else None
    region = fmt.counted_region(asked, explanation.goal_region, explanation.within_goal_region)
    counted: list[list[Cell]] = [
        [
            c.participant_id,
            status["counted"],
            "",
            c.date,  # a date cell
            c.placement_id or "",
            c.source,
            "",
            fmt.explained(c.what, c.basis),
            region,
        ]
        for c in explanation.counted
    ]
    rows: list[list[Cell]] = counted + [
        [
            e.participant_id,
            status["excluded"],
            fmt.explained(e.reason),
            e.date,
            "",
            e.source,
            fmt.explained(e.detail),
            "",
            region,
        ]
        for e in explanation.excluded
    ]
    sheets.table(
        f"{explanation.goal.id} {explanation.year}",
        [
            fmt.t(k)
            for k in ("participant", "status", "reason", "date", "placement", "source", "detail")
        ]
        + [fmt.t("what"), fmt.t("region")],
        rows,
        ["text"] * 3 + ["date"] + ["text"] * 5,
    )
    about = [(fmt.t("goal"), f"{explanation.goal.id} · {explanation.year} · {region}")]
    _source_sheet(sheets, explanation.provenance, [], fmt, about)
    sheets.book.close()


def write_explain_language_xlsx(explanation: LanguageExplanation, fmt: Fmt, path: Path) -> None:
    """`intd explain --language` as one sheet, a row per member of the cohort (the
    columns of its CSV, headed and worded in the language), and the source sheet with
    the cohort's counts."""
    sheets = _Sheets(path, fmt.lang)
    region = explanation.region.name if explanation.region else fmt.t("whole_project")
    rows: list[list[Cell]] = [
        [
            c.participant_id,
            fmt.verdict(c.verdict.value),
            c.rule or "",
            fmt.reasons(c.reasons),
            c.day,  # a date cell
            fmt.yes_no(c.by_settlement),
            c.ended,
            c.source,
        ]
        for c in explanation.cases
    ]
    sheets.table(
        fmt.t("language_sheet", year=explanation.year),
        [fmt.t(k) for k in ("participant", "verdict", "rule", "why", "date_used")]
        + [fmt.t("language_by_settlement"), fmt.t("ended"), fmt.t("source")],
        rows,
        ["text", "text", "text", "text", "date", "text", "date", "text"],
    )
    counts = explanation.counts
    about = [
        (fmt.t("region"), fmt.t("language_explain_title", year=explanation.year, region=region)),
        *(
            (fmt.t(key), fmt.count(value))
            for key, value in zip(
                ("cohort", *LANGUAGE_WORDS),
                (
                    counts.cohort,
                    counts.met,
                    counts.not_met,
                    counts.cannot_judge,
                    counts.by_settlement,
                ),
                strict=True,
            )
        ),
        *(
            (fmt.t("notes"), line)
            for line in fmt.language_notes(counts.by_settlement, explanation.rules_without_level)
        ),
    ]
    _source_sheet(sheets, explanation.provenance, [], fmt, about)
    sheets.book.close()
