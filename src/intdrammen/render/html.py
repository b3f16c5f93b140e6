"""One self-contained HTML report: inline CSS and SVG, no script, nothing fetched, fit to
print on A4. Formatting only: every number comes from the `Document` value."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from intdrammen.models import Provenance
from intdrammen.render import charts
from intdrammen.render.data import (
    LANGUAGE_CASE_WORDS,
    NOT_APPLICABLE,
    breakdown_columns,
    intro_hidden,
    intro_rate_text,
    language_case_cells,
    language_cells,
    language_header,
    legend,
    met_text,
    national_text,
    requirements_text,
    row_cells,
    share_of_target_text,
    suppression_note,
)
from intdrammen.render.definitions import DEFINITIONS
from intdrammen.render.fmt import SUPPRESSED, Fmt
from intdrammen.reports import (
    Document,
    Explanation,
    GoalProgress,
    IntroProgress,
    LanguageExplanation,
    LanguageTable,
    ProgressReport,
    Row,
)

CSS = """
:root { --ink: #1f2a44; --muted: #5d6778; --line: #dde2ea; --ok: #1e7b45; --bad: #b3261e;
        --accent: #2f6db5; --paper: #ffffff; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f6f9; color: var(--ink);
       font: 15px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 960px; margin: 0 auto; padding: 32px 40px 48px; background: var(--paper); }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 36px 0 12px; border-bottom: 1px solid var(--line);
     padding-bottom: 6px; }
.sub { color: var(--muted); margin: 0 0 24px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(210px, 1fr)); gap: 14px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
.card .what { font-size: 13px; color: var(--muted); min-height: 38px; }
.card .big { font-size: 30px; font-weight: 650; margin: 6px 0 2px; }
.card .small { font-size: 13px; color: var(--muted); }
.status { display: inline-block; margin-top: 8px; padding: 2px 10px; border-radius: 12px;
          font-size: 13px; font-weight: 600; }
.status.ok { background: #e3f4ea; color: var(--ok); }
.status.bad { background: #fbe7e6; color: var(--bad); }
.status.none { background: #eef0f4; color: var(--muted); }
figure { margin: 12px 0 20px; }
figure svg { width: 100%; height: auto; }
figcaption { font-size: 13px; color: var(--muted); }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin: 8px 0 16px; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { font-weight: 600; color: var(--muted); font-size: 13px; }
tr.total td { font-weight: 650; border-top: 2px solid var(--ink); }
dl { display: grid; grid-template-columns: 220px 1fr; gap: 6px 16px; font-size: 14px; }
dt { font-weight: 600; }
dd { margin: 0; }
.note, .provenance { font-size: 13px; color: var(--muted); }
.provenance li { margin: 2px 0; }
.empty { color: var(--muted); font-style: italic; }
@page { size: A4; margin: 15mm; }
@media print {
  body { background: none; font-size: 11pt; }
  main { max-width: none; padding: 0; }
  figure, table, .card, dl { break-inside: avoid; }
  h2 { break-after: avoid; }
}
"""


def _status(ok: bool | None, yes: str, no: str, none: str = "–") -> str:
    if ok is None:
        return f'<span class="status none">{escape(none)}</span>'
    css, text = ("ok", yes) if ok else ("bad", no)
    return f'<span class="status {css}">{escape(text)}</span>'


def _goal_card(g: GoalProgress, fmt: Fmt) -> str:
    window = f"{fmt.day(g.window.start)}–{fmt.day(g.window.end)}"
    hidden = SUPPRESSED if g.actual is None else "–"  # a verdict on a hidden count
    return (
        f'<div class="card"><div class="what">{escape(fmt.title(g.goal))} · '
        f"{escape(fmt.goal_region(g.goal))} · {escape(window)}</div>"
        f'<div class="big">{escape(fmt.count(g.actual))}</div>'
        f'<div class="small">{escape(share_of_target_text(g, fmt))} {escape(fmt.t("of_target"))}'
        f" {escape(fmt.number(g.goal.target, 0))} · "
        f"{escape(fmt.t('expected_by', day=fmt.day(g.up_to)))} {escape(fmt.number(g.expected))}"
        f"</div>{_status(g.on_track, fmt.t('on_track'), fmt.t('behind'), hidden)}</div>"
    )


def _intro_card(i: IntroProgress, fmt: Fmt, asked: str | None) -> str:
    counts = f"{fmt.count(i.work_or_education)} / {fmt.count(i.ended)}" if i.available else ""
    hidden = SUPPRESSED if intro_hidden(i) else "–"  # a verdict on a hidden count
    return (
        f'<div class="card"><div class="what">{escape(fmt.title(i.goal))} · '
        f"{escape(fmt.goal_region(i.goal, asked))} · "
        f"{escape(fmt.t('cohort'))} {i.cohort_year}</div>"
        f'<div class="big">{escape(intro_rate_text(i, fmt))}</div>'
        f'<div class="small">{escape(counts)} · {escape(fmt.t("target"))} '
        f"{escape(fmt.percent(i.target, 0))}</div>"
        f"{_status(i.met, fmt.t('met'), fmt.t('not_met'), hidden)}</div>"
    )


def _table(dimension: str, rows: Sequence[Row], fmt: Fmt, total: Row | None = None) -> str:
    """Rows of counts, labelled by `dimension` ("year", "municipality", "gender", ...)."""
    head = "".join(
        f"<th>{escape(h)}</th>"
        for h in (
            fmt.t("year") if dimension == "year" else fmt.dimension(dimension),
            fmt.t("into_work"),
            fmt.t("intro_ended"),
            fmt.t("intro_woe"),
            fmt.t("intro_rate"),
        )
    )

    def line(r: Row, css: str = "") -> str:
        cells = (
            fmt.row_label(dimension, r),
            fmt.count(r.into_work),
            fmt.count(r.intro_ended),
            fmt.count(r.intro_work_or_education),
            fmt.share(r.intro_work_or_education, r.intro_ended),
        )
        return f"<tr{css}>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>"

    body = "".join(line(r) for r in rows)
    if total is not None:
        body += line(total, ' class="total"')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _stamp(iso: str | None, fmt: Fmt) -> str:
    """The data's date for a reader, with the ISO timestamp kept in `<time datetime>`."""
    if not iso:
        return "–"
    return f'<time datetime="{escape(iso)}">{escape(fmt.stamp(iso))}</time>'


def _provenance(p: Provenance, fmt: Fmt) -> str:
    files = "".join(
        f"<li>{escape(f)} · sha256 {escape(sha[:12])} · batch {b}</li>" for f, sha, b in p.files
    )
    notes = "".join(f"<li>{escape(fmt.note(n))}</li>" for n in p.notes)
    return (
        f'<ul class="provenance"><li>{escape(fmt.t("data_as_of"))}: {_stamp(p.data_as_of, fmt)}'
        f"</li>{files}<li>{escape(fmt.t('goals_version'))} {escape(p.goals_version)} · "
        f"{escape(fmt.t('regions_version'))} {escape(p.regions_version)} · "
        f"{escape(requirements_text(p, fmt, ' · '))}"
        f"{escape(fmt.t('intd_version'))} {escape(p.intd_version)}</li>{notes}</ul>"
    )


def _figure(chart: str) -> str:
    """A drawn chart in its figure; a note left in its place stands as a paragraph."""
    return f"<figure>{chart}</figure>" if chart.startswith("<svg") else chart


def document_html(doc: Document, fmt: Fmt) -> str:
    report = doc.report
    region = report.region.name if report.region else fmt.t("whole_project")
    title = fmt.report_title(region, report.from_year, report.to_year)
    cards = [_goal_card(g, fmt) for g in doc.goals]
    asked = report.region.name if report.region else None
    cards += [_intro_card(i, fmt, asked) for i in doc.progress.intro]
    parts = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="sub">{escape(fmt.t("progress_title", year=report.to_year))} · '
        f"{escape(fmt.t('data_as_of'))} {_stamp(doc.progress.provenance.data_as_of, fmt)}</p>",
        f"<h2>{escape(fmt.t('headlines'))}</h2>",
        f'<div class="cards">{"".join(cards)}</div>',
        *(f'<p class="empty">{escape(fmt.not_applicable(n))}</p>' for n in doc.not_applicable),
    ]
    for series in doc.series:
        parts.append(f"<h2>{escape(fmt.title(series.goal))}</h2>")
        parts.append(_figure(charts.cumulative_chart(series, fmt)))
    for goal in doc.withheld:
        parts.append(f"<h2>{escape(fmt.title(goal))}</h2>")
        parts.append(f'<p class="empty">{escape(fmt.t("chart_withheld"))}</p>')
    parts += [
        f"<h2>{escape(fmt.t('per_year'))}</h2>",
        _figure(charts.yearly_chart(report.years, fmt)),
        _table("year", report.years, fmt),
        f"<h2>{escape(fmt.t('cohort_rates'))}</h2>",
        _figure(
            charts.cohort_chart(
                doc.cohorts, None if doc.direct_target is None else float(doc.direct_target), fmt
            )
        ),
        f"<h2>{escape(fmt.t('per_municipality'))}</h2>",
        _table("municipality", report.municipalities, fmt, report.total),
    ]
    if (b := report.shown_breakdown) is not None:
        parts += [
            f"<h2>{escape(fmt.by(b.dimension))}</h2>",
            _table(b.dimension, b.rows, fmt, b.total),
        ]
    if report.language is not None and report.language.rows:
        parts += _language_html(fmt.t("language_per_year"), report.language, fmt)[0]
    if report.language_breakdown is not None:
        split = report.language_breakdown
        parts += _language_html(fmt.language_split(split.dimension), split, fmt, notes=False)[0]
    note = suppression_note(report.suppressed_below, fmt)
    if note:
        parts.append(f'<p class="note">{escape(note)}</p>')
    if any(f"<td>{NOT_APPLICABLE}</td>" in part for part in parts) or any(
        NOT_APPLICABLE in (intro_rate_text(i, fmt), met_text(i, fmt)) for i in doc.progress.intro
    ):  # a cell or a card that does not apply
        parts.append(f'<p class="note">{escape(fmt.t("legend_not_applicable"))}</p>')
    definitions = "".join(
        f"<dt>{escape(term)}</dt><dd>{escape(text)}</dd>"
        for term, text in DEFINITIONS.get(fmt.lang, DEFINITIONS["en"])
    )
    parts += [
        f"<h2>{escape(fmt.t('definitions'))}</h2><dl>{definitions}</dl>",
        f"<h2>{escape(fmt.t('source_title'))}</h2>{_provenance(report.provenance, fmt)}",
    ]
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(fmt.lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{''.join(parts)}</main></body></html>\n"
    )


# ------------------------------------------------------------- progress and explain pages


def _page(title: str, parts: Sequence[str], fmt: Fmt) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(fmt.lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{''.join(parts)}</main></body></html>\n"
    )


def _plain_table(header: Sequence[str], rows: Sequence[Sequence[str]], total: bool = False) -> str:
    """A table of text cells already formatted; with `total` the last row is the total."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        ('<tr class="total">' if total and n == len(rows) - 1 else "<tr>")
        + "".join(f"<td>{escape(c)}</td>" for c in row)
        + "</tr>"
        for n, row in enumerate(rows)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _legend_html(marks: set[str], n: int | None, fmt: Fmt) -> list[str]:
    return [f'<p class="note">{escape(line)}</p>' for line in legend(marks, n, fmt)]


def _marks(rows: Sequence[Sequence[str]]) -> set[str]:
    return {c for row in rows for c in row if c in (SUPPRESSED, NOT_APPLICABLE)}


def _language_html(
    title: str, table: LanguageTable, fmt: Fmt, *, notes: bool = True
) -> tuple[list[str], set[str]]:
    """A language table under its heading (a row per year or group, the total last),
    with `notes` the sentences under it; and the markers its cells use."""
    first = fmt.t("year") if table.dimension == "year" else fmt.dimension(table.dimension)
    rows = [
        [fmt.row_label(table.dimension, r), *language_cells(r, fmt)]
        for r in [*table.rows, table.total]
    ]
    said = fmt.language_notes(table.total.by_settlement, table.rules_without_level)
    parts = [
        f"<h2>{escape(title)}</h2>",
        _plain_table([first, *language_header(fmt)], rows, True),
        *(f'<p class="note">{escape(line)}</p>' for line in (said if notes else [])),
    ]
    return parts, _marks(rows)


def progress_html(report: ProgressReport, fmt: Fmt) -> str:
    """`intd progress` as a short page: a card per goal and measure, each breakdown as a
    table with the columns that apply, the legend and the provenance."""
    region = report.region.name if report.region else fmt.t("whole_project")
    title = f"{fmt.t('progress_title', year=report.year)} – {region}"
    cards = [_goal_card(g, fmt) for g in report.goals]
    asked = report.region.name if report.region else None
    cards += [_intro_card(i, fmt, asked) for i in report.intro]
    intro_rows = [
        [
            fmt.title(i.goal),
            fmt.count(i.ended),
            fmt.count(i.work_or_education) if i.available else "–",
            intro_rate_text(i, fmt),
            fmt.percent(i.target, 0),
            met_text(i, fmt),
            national_text(i, fmt),
        ]
        for i in report.intro
    ]
    parts = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="sub">{escape(fmt.t("data_as_of"))} '
        f"{_stamp(report.provenance.data_as_of, fmt)}</p>",
        f"<h2>{escape(fmt.t('headlines'))}</h2>",
        f'<div class="cards">{"".join(cards)}</div>',
        *(f'<p class="empty">{escape(fmt.not_applicable(n))}</p>' for n in report.not_applicable),
        f"<h2>{escape(fmt.t('intro_title', year=report.year))}</h2>",
        _plain_table(
            [fmt.t(k) for k in ("measure", "ended", "work_or_education", "rate", "target", "met")]
            + [fmt.t("national")],
            intro_rows,
        ),
    ]
    marks = _marks(intro_rows)
    language = report.language
    if language is not None:
        counts = [[region, *language_cells(language.counts, fmt)]]
        marks |= _marks(counts)
        notes = fmt.language_notes(language.counts.by_settlement, language.rules_without_level)
        parts += [
            f"<h2>{escape(fmt.t('language_title', year=language.cohort_year))}</h2>",
            _plain_table([fmt.t("region"), *language_header(fmt)], counts),
            *(f'<p class="note">{escape(line)}</p>' for line in notes),
        ]
    for goal_id, b in report.breakdowns:
        columns = breakdown_columns(report, goal_id)
        rows = [
            [fmt.row_label(b.dimension, r), *row_cells(r, fmt, columns)] for r in [*b.rows, b.total]
        ]
        marks |= _marks(rows)
        parts += [
            f"<h2>{escape(goal_id)}: {escape(fmt.by(b.dimension))}</h2>",
            _plain_table([fmt.dimension(b.dimension), *(fmt.t(c) for c in columns)], rows, True),
        ]
    if language is not None and language.breakdown is not None:
        split = language.breakdown
        shown, used = _language_html(fmt.language_split(split.dimension), split, fmt, notes=False)
        parts += shown
        marks |= used
    parts += _legend_html(marks, report.suppressed_below, fmt)
    parts.append(f"<h2>{escape(fmt.t('source_title'))}</h2>{_provenance(report.provenance, fmt)}")
    return _page(title, parts, fmt)


def explain_html(explanation: Explanation, fmt: Fmt) -> str:
    """`intd explain` as a page: who was counted, who was not and why, the provenance."""
    asked = explanation.region.name if explanation.region else None
    region = fmt.counted_region(asked, explanation.goal_region, explanation.within_goal_region)
    title = f"{explanation.goal.id} · {explanation.year} · {region}"
    counted = [
        [
            c.participant_id,
            fmt.day(c.date),
            c.placement_id or "",
            fmt.explained(c.what, c.basis),
            c.source,
        ]
        for c in explanation.counted
    ]
    excluded = [
        [e.participant_id, fmt.explained(e.reason), fmt.explained(e.detail), e.source]
        for e in explanation.excluded
    ]
    parts = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="sub">{escape(fmt.title(explanation.goal))}</p>',
        f"<h2>{escape(fmt.t('counted'))}: {len(counted)}</h2>",
        _plain_table(
            [fmt.t(k) for k in ("participant", "date", "placement", "what", "source")], counted
        )
        if counted
        else "",
        f"<h2>{escape(fmt.t('excluded'))}: {len(excluded)}</h2>",
        _plain_table([fmt.t(k) for k in ("participant", "reason", "detail", "source")], excluded)
        if excluded
        else "",
        f"<h2>{escape(fmt.t('source_title'))}</h2>{_provenance(explanation.provenance, fmt)}",
    ]
    return _page(title, parts, fmt)


def explain_language_html(explanation: LanguageExplanation, fmt: Fmt) -> str:
    """`intd explain --language` as a page: the cohort's counts, every member with the
    verdict, the rule, why and the date the rule was chosen by; the provenance."""
    region = explanation.region.name if explanation.region else fmt.t("whole_project")
    title = fmt.t("language_explain_title", year=explanation.year, region=region)
    counts = explanation.counts
    notes = fmt.language_notes(counts.by_settlement, explanation.rules_without_level)
    people = [language_case_cells(c, fmt) for c in explanation.cases]
    parts = [
        f"<h1>{escape(title)}</h1>",
        _plain_table(
            [fmt.t("region"), *language_header(fmt)], [[region, *language_cells(counts, fmt)]]
        ),
        *(f'<p class="note">{escape(line)}</p>' for line in notes),
        _plain_table([fmt.t(k) for k in LANGUAGE_CASE_WORDS], people) if people else "",
        f"<h2>{escape(fmt.t('source_title'))}</h2>{_provenance(explanation.provenance, fmt)}",
    ]
    return _page(title, parts, fmt)
