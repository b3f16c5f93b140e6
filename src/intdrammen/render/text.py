"""Terminal renderings with Rich: tables a person reads at a glance. Formatting only.

On track is green, behind is red; Rich drops colour by itself under NO_COLOR or when
output is not a terminal. On a narrow terminal `fit` lets text columns wrap between
words and never cuts a word or a number or drops a column (columns of numbers, dates
and ids are `no_wrap`); a table that cannot fit so is printed stacked, one block of
"Label: value" lines per row. File names are `Name`s: shortened in their middle, never
folded. Prose (notes, hints, the provenance line) is `Words`: wrapped between words.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from intdrammen.errors import Problem
from intdrammen.ids import FNR_HIDDEN, NAME_HIDDEN
from intdrammen.models import Provenance
from intdrammen.render.data import (
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
from intdrammen.render.fit import Name, Words, fit
from intdrammen.render.fmt import SUPPRESSED, Fmt
from intdrammen.reports import (
    Breakdown,
    Explanation,
    LanguageExplanation,
    LanguageRow,
    LanguageTable,
    ProgressReport,
    RegionReport,
    Row,
)
from intdrammen.store import BatchInfo

BAR = 6  # width of the progress bar under a goal's percentage of its target


def _status(ok: bool | None, fmt: Fmt, *, hidden: bool = False) -> Text:
    if hidden:
        return Text(SUPPRESSED, style="dim")
    if ok is None:
        return Text("–", style="dim")
    return Text(fmt.t("yes"), style="bold green") if ok else Text(fmt.t("no"), style="bold red")


def provenance_text(p: Provenance, fmt: Fmt) -> RenderableType:
    files: list[str | Name] = []
    for f, sha, _b in p.files:  # a long file name shortens in its middle, never folds
        files += [", "] if files else []
        files += [Name(f), f" ({sha[:8]})"]
    lines: list[RenderableType] = [Words(f"• {fmt.note(note)}", style="yellow") for note in p.notes]
    lines.append(
        Words(
            f"{fmt.t('data_as_of')} {fmt.stamp(p.data_as_of)} · {fmt.t('files')}: ",
            *(files or ["–"]),
            f" · {fmt.t('goals_version')} {p.goals_version} · {fmt.t('regions_version')} "
            f"{p.regions_version} · {requirements_text(p, fmt, ' · ')}intd {p.intd_version}",
            style="dim",
        )
    )
    return Group(*lines)


def progress_text(report: ProgressReport, fmt: Fmt, *, chart: bool = False) -> RenderableType:
    region = report.region.name if report.region else fmt.t("whole_project")
    parts: list[RenderableType] = []
    if not report.goals:  # the goals table carries the title: without it, a title line
        parts.append(Words(f"{fmt.t('progress_title', year=report.year)} – {region}", style="bold"))
    if report.goals:
        goals = Table(
            title=f"{fmt.t('progress_title', year=report.year)} – {region}",
            title_justify="left",
            title_style="bold",
            box=box.SIMPLE_HEAD,
            collapse_padding=True,
        )
        goals.add_column(fmt.t("goal"))
        for key in ("target", "actual"):
            goals.add_column(fmt.t(key), justify="right", no_wrap=True)
        goals.add_column(fmt.t("in_year", year=report.year), justify="right", no_wrap=True)
        goals.add_column("%", justify="right", no_wrap=True, min_width=BAR)
        goals.add_column(fmt.t("expected_short"), justify="right", no_wrap=True)
        goals.add_column(fmt.t("on_track"), justify="center", no_wrap=True)
        for g in report.goals:
            bar = ProgressBar(
                total=float(g.goal.target),
                completed=float(g.actual or 0),
                width=BAR,
                complete_style="green" if g.on_track else "red",
            )
            goals.add_row(
                Group(
                    Text(fmt.title(g.goal)),
                    Text(
                        f"{g.goal.id} · {g.goal.region or fmt.t('whole_project')} · "
                        f"{fmt.day(g.window.start)}–{fmt.day(g.window.end)}",
                        style="dim",
                    ),
                ),
                fmt.number(g.goal.target, 0),
                fmt.count(g.actual),
                fmt.count(g.in_year),
                Group(Text(share_of_target_text(g, fmt), justify="right"), bar),
                fmt.number(g.expected),
                _status(g.on_track, fmt, hidden=g.actual is None),
            )
        parts.append(fit(goals))
        for g in report.goals:
            if g.expected_as_of is not None and g.as_of is not None:
                running = fmt.t(
                    "year_running",
                    goal=g.goal.id,
                    day=fmt.day(g.as_of),
                    expected=fmt.number(g.expected_as_of),
                )
                end = (
                    fmt.t("year_projected", projected=fmt.number(g.projected, 0))
                    if g.projected is not None
                    else "."
                )
                parts.append(Words(running + end, style="cyan"))
    parts += [Words(f"• {fmt.not_applicable(n)}", style="yellow") for n in report.not_applicable]
    intro = Table(
        title=fmt.t("intro_title", year=report.year),
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        collapse_padding=True,
    )
    # A rate is a number, or a sentence (not measurable yet, undefined) that may wrap.
    rates = [(intro_rate_text(i, fmt), i.rate is not None) for i in report.intro]
    intro.add_column(fmt.t("measure"))
    for key in ("ended", "work_or_education"):
        intro.add_column(fmt.t(key), justify="right", no_wrap=True)
    intro.add_column(
        fmt.t("rate"), justify="right", min_width=max([len(r) for r, n in rates if n], default=1)
    )
    intro.add_column(fmt.t("target"), justify="right", no_wrap=True)
    intro.add_column(fmt.t("met"), justify="center", no_wrap=True)
    # One figure ("Norge 61,0 %") stays on one line: Rich would break it at the no-break
    # space, so the column is at least as wide as the widest figure.
    national = [national_text(i, fmt) for i in report.intro]
    figure = max(
        (len(f"{n.area} {fmt.percent(n.rate, 1)}") for i in report.intro for n in i.national),
        default=1,
    )
    intro.add_column(fmt.t("national"), min_width=figure)
    for i, (rate, numeric), figures in zip(report.intro, rates, national, strict=True):
        intro.add_row(
            Group(Text(fmt.title(i.goal)), Text(i.goal.id, style="dim")),
            fmt.count(i.ended),
            fmt.count(i.work_or_education) if i.available else "–",
            Text(rate, no_wrap=True) if numeric else Text(rate),
            fmt.percent(i.target, 0),
            _status(i.met, fmt, hidden=intro_hidden(i)),
            figures,
        )
    parts.append(fit(intro))
    language = report.language
    if language is not None:
        asked = report.region.name if report.region else fmt.t("whole_project")
        parts.append(
            _language_table(
                fmt.t("language_title", year=language.cohort_year),
                fmt.t("region"),
                [(asked, language.counts)],
                fmt,
            )
        )
        notes = fmt.language_notes(language.counts.by_settlement, language.rules_without_level)
        parts += [Words(f"• {line}", style="yellow") for line in notes]
    # The markers the tables use are explained under them, as in Markdown and HTML:
    # '–' (no rate, not measurable, no national figure, no verdict), ':' hidden.
    cells = [fmt.yes_no(g.on_track, hidden=g.actual is None) for g in report.goals]
    cells += [
        c
        for i, (r, _n), f in zip(report.intro, rates, national, strict=True)
        for c in (r, f, met_text(i, fmt), "–" if not i.available else "")
    ]
    for goal_id, breakdown in report.breakdowns:
        columns = breakdown_columns(report, goal_id)
        cells += [c for r in [*breakdown.rows, breakdown.total] for c in row_cells(r, fmt, columns)]
    if language is not None:
        split = [*language.breakdown.rows, language.breakdown.total] if language.breakdown else []
        cells += [c for r in [language.counts, *split] for c in language_cells(r, fmt)]
    marks = {c for c in cells if c in (SUPPRESSED, NOT_APPLICABLE)}
    for goal_id, breakdown in report.breakdowns:
        title = f"{goal_id}: {fmt.by(breakdown.dimension)}"
        parts.append(breakdown_table(title, breakdown, fmt))
    if language is not None and language.breakdown is not None:
        b = language.breakdown
        parts.append(language_table(fmt.language_split(b.dimension), b, fmt))
    parts += [Words(line, style="italic") for line in legend(marks, report.suppressed_below, fmt)]
    if chart:
        parts.append(progress_chart(report, fmt))
    parts.append(provenance_text(report.provenance, fmt))
    return Group(*parts)


def _row_table(
    title: str,
    dimension: str,
    rows: Sequence[Row],
    fmt: Fmt,
    total: Row | None = None,
    columns: Sequence[str] = ("into_work", "intro_ended", "intro_woe", "intro_rate"),
) -> RenderableType:
    """Rows of counts, labelled by `dimension` ("year", "municipality", "gender", ...)."""
    table = Table(
        title=title,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        collapse_padding=True,
    )

    def cells(r: Row) -> list[str]:
        # The same cells as Markdown and HTML: ':' hidden, '–' no rate.
        return row_cells(r, fmt, columns)

    table.add_column(
        fmt.t("year") if dimension == "year" else fmt.dimension(dimension),
        no_wrap=dimension == "year",
    )
    for key in columns:
        table.add_column(fmt.t(key), justify="right", no_wrap=True)
    for r in rows:
        table.add_row(Text(fmt.row_label(dimension, r)), *cells(r))
    if total is not None:
        table.add_section()
        table.add_row(Text(fmt.t("total"), style="bold"), *cells(total))
    return fit(table)


def breakdown_table(title: str, breakdown: Breakdown, fmt: Fmt) -> RenderableType:
    intro = breakdown.total.into_work is None
    columns: tuple[str, ...] = (
        ("intro_ended", "intro_woe", "intro_rate") if intro else ("into_work",)
    )
    if breakdown.total.intro_ended is not None and breakdown.total.into_work is not None:
        columns = ("into_work", "intro_ended", "intro_woe", "intro_rate")
    return _row_table(title, breakdown.dimension, breakdown.rows, fmt, breakdown.total, columns)


def _language_table(
    title: str,
    first: str,
    rows: Sequence[tuple[str, LanguageRow]],
    fmt: Fmt,
    total: LanguageRow | None = None,
) -> RenderableType:
    """Language counts, a row per (label, counts), the total last."""
    table = Table(
        title=title,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        collapse_padding=True,
    )
    table.add_column(first)
    for heading in language_header(fmt):
        table.add_column(heading, justify="right", no_wrap=True)
    for label, r in rows:
        table.add_row(Text(label), *language_cells(r, fmt))
    if total is not None:
        table.add_section()
        table.add_row(Text(fmt.t("total"), style="bold"), *language_cells(total, fmt))
    return fit(table)


def language_table(title: str, split: LanguageTable, fmt: Fmt) -> RenderableType:
    """A language table: a row per year or group, the total last."""
    first = fmt.t("year") if split.dimension == "year" else fmt.dimension(split.dimension)
    rows = [(fmt.row_label(split.dimension, r), r) for r in split.rows]
    return _language_table(title, first, rows, fmt, split.total)


def _note(n: int | None, fmt: Fmt) -> list[RenderableType]:
    note = suppression_note(n, fmt)
    return [Words(note, style="italic")] if note else []


def report_text(report: RegionReport, fmt: Fmt) -> RenderableType:
    region = report.region.name if report.region else fmt.t("whole_project")
    title = fmt.report_title(region, report.from_year, report.to_year)
    parts: list[RenderableType] = [
        Words(title, style="bold"),
        _row_table(fmt.t("per_year"), "year", report.years, fmt),
        _row_table(
            fmt.t("per_municipality"),
            "municipality",
            report.municipalities,
            fmt,
            report.total,
        ),
    ]
    if b := report.shown_breakdown:
        parts.append(breakdown_table(fmt.by(b.dimension), b, fmt))
    if report.language is not None and report.language.rows:
        year_rows = report.language
        parts.append(language_table(fmt.t("language_per_year"), year_rows, fmt))
        notes = fmt.language_notes(year_rows.total.by_settlement, year_rows.rules_without_level)
        parts += [Words(f"• {line}", style="yellow") for line in notes]
    if report.language_breakdown is not None:
        split = report.language_breakdown
        parts.append(language_table(fmt.language_split(split.dimension), split, fmt))
    parts += _note(report.suppressed_below, fmt)
    parts.append(provenance_text(report.provenance, fmt))
    return Group(*parts)


def explain_language_text(explanation: LanguageExplanation, fmt: Fmt) -> RenderableType:
    """`intd explain --language`: the cohort's counts, then every member with the
    verdict, the rule, why and the date the rule was chosen by."""
    region = explanation.region.name if explanation.region else fmt.t("whole_project")
    head = Words(
        fmt.t("language_explain_title", year=explanation.year, region=region), style="bold"
    )
    counts = _language_table("", fmt.t("region"), [(region, explanation.counts)], fmt)
    notes = fmt.language_notes(explanation.counts.by_settlement, explanation.rules_without_level)
    people = Table(title_justify="left")
    for key in ("participant", "verdict", "rule", "why", "date_used", "ended", "source"):
        people.add_column(fmt.t(key), no_wrap=key in ("participant", "rule", "ended"))
    for c in explanation.cases:
        cells = language_case_cells(c, fmt)
        people.add_row(*(Text(cell) for cell in cells[:-1]), Words(Name(cells[-1])))
    parts: list[RenderableType] = [head, counts]
    parts += [Words(f"• {line}", style="yellow") for line in notes]
    if people.row_count:
        parts.append(fit(people))
    parts.append(provenance_text(explanation.provenance, fmt))
    return Group(*parts)


def explain_text(explanation: Explanation, fmt: Fmt) -> RenderableType:
    counted = Table(
        title=f"{fmt.t('counted')}: {len(explanation.counted)}",
        title_justify="left",
        title_style="bold green",
    )
    for key in ("participant", "date", "placement", "what", "source"):
        counted.add_column(fmt.t(key), no_wrap=key in ("participant", "date", "placement"))
    for c in explanation.counted:
        counted.add_row(
            *(
                Text(cell) if isinstance(cell, str) else Words(cell)
                for cell in (
                    c.participant_id,
                    fmt.day(c.date),
                    c.placement_id or "",
                    fmt.explained(c.what, c.basis),
                    Name(c.source),
                )
            )
        )
    excluded = Table(
        title=f"{fmt.t('excluded')}: {len(explanation.excluded)}",
        title_justify="left",
        title_style="bold red",
    )
    for key in ("participant", "reason", "detail", "source"):
        excluded.add_column(fmt.t(key), no_wrap=key == "participant")
    for e in explanation.excluded:
        excluded.add_row(
            *(
                Text(cell) if isinstance(cell, str) else Words(cell)
                for cell in (
                    e.participant_id,
                    fmt.explained(e.reason),
                    fmt.explained(e.detail),
                    Name(e.source),
                )
            )
        )
    asked = explanation.region.name if explanation.region else None
    region = fmt.counted_region(asked, explanation.goal_region, explanation.within_goal_region)
    head = Words(f"{explanation.goal.id} · {explanation.year} · {region}", style="bold")
    # A table with nobody in it is its title alone ("Not counted: 0"), never an empty box.
    tables = [
        fit(t) if t.row_count else Text(str(t.title), style=str(t.title_style))
        for t in (counted, excluded)
    ]
    return Group(head, *tables, provenance_text(explanation.provenance, fmt))


def imports_text(batches: Sequence[BatchInfo], fmt: Fmt | None = None) -> RenderableType:
    """The import history as a table: headings, kinds and status words in `fmt`'s
    language, times in local time to the minute (`Fmt.short_stamp`), never wrapped."""
    fmt = fmt or Fmt()
    table = Table(
        title=fmt.t("imports_title"),
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        collapse_padding=True,
    )
    removed = any(b.removed for b in batches)  # import --replace
    for key in (
        "batch",
        "file",
        "kind",
        "rows",
        "new",
        "updated",
        *(["removed"] if removed else []),
        "unchanged",
        "imported",
        "sha256",
        "status",
    ):
        number = key in {"rows", "new", "updated", "removed", "unchanged", "batch"}
        table.add_column(
            fmt.t(f"col.{key}"),
            justify="right" if number else "left",
            no_wrap=number or key in ("sha256", "imported"),
        )
    for b in batches:
        file = Words(Name(b.file), f" [{b.sheet}]" if b.sheet else "")
        if b.undone_at:
            # The time itself is held together (no-break spaces); the line may break
            # after the status word.
            when = fmt.short_stamp(b.undone_at).replace(" ", "\u00a0")
            status = Text(fmt.t("batch_undone", time=when), style="dim")
        else:
            status = Text(fmt.t("batch_applied"))
        table.add_row(
            str(b.id),
            file,
            fmt.word(f"kind.{b.kind}") or b.kind,
            fmt.count(b.rows),
            fmt.count(b.inserted),
            fmt.count(b.updated),
            *([fmt.count(b.removed)] if removed else []),
            fmt.count(b.unchanged),
            fmt.short_stamp(b.imported_at),
            b.sha256[:8],  # as the provenance line shows a file's sha256
            status,
        )
    return fit(table)


PROBLEM_COLUMNS = ("file", "row", "column", "value", "code", "problem")


def problems_text(
    problems: Sequence[Problem], total: int, title: str, fmt: Fmt | None = None
) -> RenderableType:
    """The problems as a table: headings and the footer in `fmt`'s language, each
    problem's message (and each code's hint) in English, as its code documents it."""
    fmt = fmt or Fmt()
    table = Table(title=title, title_justify="left", show_lines=False)
    for key in PROBLEM_COLUMNS:
        # Row numbers and codes are tokens a user searches for: never broken.
        table.add_column(fmt.t(f"col.{key}"), overflow="fold", no_wrap=key in ("row", "code"))
    for p in problems:
        file = Words(Name(p.file), f" [{p.sheet}]" if p.sheet else "")
        table.add_row(
            *(
                Text(cell) if isinstance(cell, str) else cell
                for cell in (
                    file,
                    "" if p.row is None else str(p.row),
                    p.column or "",
                    _shown_value(p) or "",
                    p.code,
                    p.message,
                )
            )
        )
    hints = sorted({(p.code, p.hint) for p in problems if p.hint})
    footer = [Words(f"{code}: {hint}", style="dim") for code, hint in hints]
    if total > len(problems):
        more = fmt.t("problems.more", count=fmt.count(total - len(problems)))
        footer.append(Words(more, style="yellow"))
    return Group(fit(table), *footer)


# Characters that would end or garble a line of a log: control characters (a header cell
# with a line break in it, a tab in a value) and Unicode's own line separators.
_ESCAPES = {
    **{c: f"\\x{c:02x}" for c in (*range(32), 127, 0x85)},
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    ord("\t"): "\\t",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


_HIDDEN = (FNR_HIDDEN, NAME_HIDDEN)  # marks shown as they are, without brackets


def problem_line(p: Problem) -> str:
    """`FILE[:SHEET]:ROW:COLUMN: CODE message (value)`, one line however long. ROW and
    COLUMN are empty when the problem is about a whole file, sheet or column; the value
    is as the problem holds it (a fødselsnummer already hidden)."""
    place = p.file if p.sheet is None else f"{p.file}:{p.sheet}"
    row = "" if p.row is None else str(p.row)
    shown = _shown_value(p)
    value = "" if shown is None else f" {shown}" if shown in _HIDDEN else f" ({shown})"
    return f"{place}:{row}:{p.column or ''}: {p.code} {p.message}{value}".translate(_ESCAPES)


def _shown_value(p: Problem) -> str | None:
    """The problem's value as shown: an identity number that failed its checks is never
    echoed (the importer gives no value), so it shows as hidden rather than as nothing."""
    if p.value is None and p.code == "E-FNR":
        return "hidden"
    return p.value


def problem_lines(problems: Sequence[Problem], total: int, fmt: Fmt | None = None) -> list[str]:
    """The problems as lines for a log or a pipe: one per problem, then each code's hint
    once (`CODE: hint`), then how many were not shown (in `fmt`'s language)."""
    fmt = fmt or Fmt()
    lines = [problem_line(p) for p in problems]
    lines += [
        f"{code}: {hint}" for code, hint in sorted({(p.code, p.hint) for p in problems if p.hint})
    ]
    if total > len(problems):
        lines.append(fmt.t("problems.more", count=fmt.count(total - len(problems))))
    return lines


def print_problems(
    console: Console, problems: Sequence[Problem], total: int, title: str, fmt: Fmt | None = None
) -> None:
    """A table on a terminal; off one (a log file, a pipe, CI) `problem_lines`, never
    wrapped or cut, so a file name or a code can be searched for."""
    if console.is_terminal:
        console.print(problems_text(problems, total, title, fmt))
        return
    for line in problem_lines(problems, total, fmt):
        console.print(line, soft_wrap=True, markup=False, emoji=False, highlight=False)


class _Bar:
    """One year of `progress_chart`: persons so far as a bar, the expected pace as a
    mark; `width` wide, or narrower when the terminal is."""

    def __init__(self, count: int, expected: float, scale: float, width: int) -> None:
        self.count, self.expected, self.scale, self.width = count, expected, scale, width

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(min(10, self.width), self.width).with_maximum(options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(1, min(self.width, options.max_width))
        scale = self.scale
        done = round(self.count / scale * width) if scale else 0
        mark = min(round(self.expected / scale * width), width) if scale else 0
        bar = Text(no_wrap=True, overflow="crop")
        style = "green" if self.count >= self.expected else "red"
        for i in range(width):
            if i == mark and i >= done:
                bar.append("│", style="bold")
            else:
                bar.append("█" if i < done else "·", style=style if i < done else "dim")
        yield bar


def progress_chart(report: ProgressReport, fmt: Fmt, width: int = 40) -> RenderableType:
    """Cumulative persons into work per year against the expected pace, as bars."""
    parts: list[RenderableType] = []
    for g in report.goals:
        if report.suppressed_below is not None:
            # A year's bar is the difference of two cumulative counts: with small counts
            # hidden it would give a hidden in-year count back (the HTML report leaves
            # its cumulative chart out too).
            parts.append(Words(f"{fmt.title(g.goal)}: {fmt.t('chart_left_out')}", style="dim"))
            continue
        rows = g.by_year()
        scale = max([float(g.goal.target), *(count for _y, count, _e in rows)])
        title = fmt.title(g.goal)
        table = Table(
            title=f"{title} – {fmt.t('actual').lower()} / {fmt.t('expected_short').lower()}",
            title_justify="left",
            title_style="bold",
            box=None,
            show_header=False,
            padding=(0, 1),
        )
        table.add_column(justify="right", no_wrap=True)
        table.add_column()
        table.add_column(justify="right", no_wrap=True)
        for year, count, expected in rows:
            table.add_row(
                str(year),
                _Bar(count, float(expected), scale, width),
                f"{fmt.count(count)} / {fmt.number(expected, 0)}",
            )
        parts.append(fit(table))
    if not parts:
        parts.append(Words(fmt.t("no_window_goal", year=report.year), style="dim"))
    return Group(*parts)
