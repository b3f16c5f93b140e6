"""Terminal renderings with Rich: tables a person reads at a glance. Formatting only.

On track is green, behind is red; Rich drops colour by itself under NO_COLOR or when
output is not a terminal, and wraps columns on narrow terminals.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import Group, RenderableType
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from intdrammen.errors import Problem
from intdrammen.models import Provenance
from intdrammen.render.data import (
    intro_rate_text,
    national_text,
    share_of_target_text,
    suppression_note,
)
from intdrammen.render.fmt import Fmt
from intdrammen.reports import Breakdown, Explanation, ProgressReport, RegionReport, Row
from intdrammen.store import BatchInfo


def _status(ok: bool | None, fmt: Fmt) -> Text:
    if ok is None:
        return Text("–", style="dim")
    return Text(fmt.t("yes"), style="bold green") if ok else Text(fmt.t("no"), style="bold red")


def provenance_text(p: Provenance, fmt: Fmt) -> RenderableType:
    files = ", ".join(f"{f} ({sha[:8]})" for f, sha, _b in p.files) or "–"
    lines = [Text(f"• {note}", style="yellow") for note in p.notes]
    lines.append(
        Text(
            f"{fmt.t('data_as_of')} {p.data_as_of or '–'} · {fmt.t('files')}: {files} · "
            f"{fmt.t('goals_version')} {p.goals_version} · {fmt.t('regions_version')} "
            f"{p.regions_version} · intd {p.intd_version}",
            style="dim",
        )
    )
    return Group(*lines)


def progress_text(report: ProgressReport, fmt: Fmt) -> RenderableType:
    region = report.region.name if report.region else fmt.t("whole_project")
    parts: list[RenderableType] = []
    if report.goals:
        goals = Table(
            title=f"{fmt.t('progress_title', year=report.year)} – {region}",
            title_justify="left",
            title_style="bold",
            box=box.SIMPLE_HEAD,
            collapse_padding=True,
        )
        goals.add_column(fmt.t("goal"), min_width=18)
        for key in ("target", "actual"):
            goals.add_column(fmt.t(key), justify="right")
        goals.add_column(fmt.t("in_year", year=report.year), justify="right")
        goals.add_column("%", justify="right", min_width=6)
        goals.add_column(fmt.t("expected_short"), justify="right")
        goals.add_column(fmt.t("on_track"), justify="center")
        for g in report.goals:
            bar = ProgressBar(
                total=float(g.goal.target),
                completed=float(g.actual or 0),
                width=8,
                complete_style="green" if g.on_track else "red",
            )
            goals.add_row(
                Group(
                    Text(g.goal.title),
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
                _status(g.on_track, fmt),
            )
        parts.append(goals)
        for g in report.goals:
            if g.expected_as_of is not None and g.as_of is not None:
                parts.append(
                    Text(
                        f"{g.goal.id}: the year is still running — by {fmt.day(g.as_of)} the "
                        f"pro-rata target is {fmt.number(g.expected_as_of)}"
                        + (
                            f", and at this pace the year ends near {fmt.number(g.projected, 0)}."
                            if g.projected is not None
                            else "."
                        ),
                        style="cyan",
                    )
                )
    intro = Table(
        title=fmt.t("intro_title", year=report.year),
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        collapse_padding=True,
    )
    intro.add_column(fmt.t("measure"), min_width=18)
    for key in ("ended", "work_or_education", "rate", "target"):
        intro.add_column(fmt.t(key), justify="right")
    intro.add_column(fmt.t("met"), justify="center")
    intro.add_column(fmt.t("national"))
    for i in report.intro:
        intro.add_row(
            Group(Text(i.goal.title), Text(i.goal.id, style="dim")),
            fmt.count(i.ended),
            fmt.count(i.work_or_education) if i.available else "–",
            intro_rate_text(i, fmt),
            fmt.percent(i.target, 0),
            _status(i.met, fmt),
            national_text(i, fmt),
        )
    parts.append(intro)
    for goal_id, breakdown in report.breakdowns:
        title = f"{goal_id}: {fmt.t('by', dimension=breakdown.dimension)}"
        parts.append(breakdown_table(title, breakdown, fmt))
    parts += _note(report.suppressed_below, fmt)
    parts.append(provenance_text(report.provenance, fmt))
    return Group(*parts)


def _row_table(
    title: str,
    first: str,
    rows: Sequence[Row],
    fmt: Fmt,
    total: Row | None = None,
    columns: Sequence[str] = ("into_work", "intro_ended", "intro_woe", "intro_rate"),
) -> Table:
    table = Table(
        title=title,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        collapse_padding=True,
    )

    def cells(r: Row) -> list[str]:
        values = {
            "into_work": fmt.count(r.into_work),
            "intro_ended": fmt.count(r.intro_ended),
            "intro_woe": fmt.count(r.intro_work_or_education),
            "intro_rate": fmt.share(r.intro_work_or_education, r.intro_ended),
        }
        return [values[c] for c in columns]

    table.add_column(first)
    for key in columns:
        table.add_column(fmt.t(key), justify="right")
    for r in rows:
        table.add_row(Text(fmt.t("unknown") if r.label == "unknown" else r.label), *cells(r))
    if total is not None:
        table.add_section()
        table.add_row(Text(fmt.t("total"), style="bold"), *cells(total))
    return table


def breakdown_table(title: str, breakdown: Breakdown, fmt: Fmt) -> Table:
    intro = breakdown.total.into_work is None
    columns: tuple[str, ...] = (
        ("intro_ended", "intro_woe", "intro_rate") if intro else ("into_work",)
    )
    if breakdown.total.intro_ended is not None and breakdown.total.into_work is not None:
        columns = ("into_work", "intro_ended", "intro_woe", "intro_rate")
    return _row_table(title, breakdown.dimension, breakdown.rows, fmt, breakdown.total, columns)


def _note(n: int | None, fmt: Fmt) -> list[RenderableType]:
    note = suppression_note(n, fmt)
    return [Text(note, style="italic")] if note else []


def report_text(report: RegionReport, fmt: Fmt) -> RenderableType:
    region = report.region.name if report.region else fmt.t("whole_project")
    title = fmt.t("report_title", region=region, first=report.from_year, last=report.to_year)
    parts: list[RenderableType] = [
        Text(title, style="bold"),
        _row_table(fmt.t("per_year"), fmt.t("year"), report.years, fmt),
        _row_table(
            fmt.t("per_municipality"),
            fmt.t("municipality"),
            report.municipalities,
            fmt,
            report.total,
        ),
    ]
    if report.breakdown:
        b = report.breakdown
        parts.append(breakdown_table(fmt.t("by", dimension=b.dimension), b, fmt))
    parts += _note(report.suppressed_below, fmt)
    parts.append(provenance_text(report.provenance, fmt))
    return Group(*parts)


def explain_text(explanation: Explanation, fmt: Fmt) -> RenderableType:
    counted = Table(
        title=f"{fmt.t('counted')}: {len(explanation.counted)}",
        title_justify="left",
        title_style="bold green",
    )
    for key in ("participant", "date", "placement", "what", "source"):
        counted.add_column(fmt.t(key))
    for c in explanation.counted:
        counted.add_row(
            *(
                Text(cell)
                for cell in (
                    c.participant_id,
                    fmt.day(c.date),
                    c.placement_id or "",
                    c.what,
                    c.source,
                )
            )
        )
    excluded = Table(
        title=f"{fmt.t('excluded')}: {len(explanation.excluded)}",
        title_justify="left",
        title_style="bold red",
    )
    for key in ("participant", "reason", "detail", "source"):
        excluded.add_column(fmt.t(key))
    for e in explanation.excluded:
        excluded.add_row(*(Text(cell) for cell in (e.participant_id, e.reason, e.detail, e.source)))
    region = explanation.region.name if explanation.region else fmt.t("whole_project")
    head = Text(f"{explanation.goal.id} · {explanation.year} · {region}", style="bold")
    return Group(head, counted, excluded, provenance_text(explanation.provenance, fmt))


def imports_text(batches: Sequence[BatchInfo]) -> RenderableType:
    table = Table(
        title="Import history",
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        collapse_padding=True,
    )
    for name in (
        "Batch",
        "File",
        "Kind",
        "Rows",
        "New",
        "Updated",
        "Unchanged",
        "Imported",
        "sha256",
        "Status",
    ):
        table.add_column(
            name,
            justify="right" if name in {"Rows", "New", "Updated", "Unchanged", "Batch"} else "left",
        )
    for b in batches:
        name = f"{b.file} [{b.sheet}]" if b.sheet else b.file
        status = Text(f"undone {b.undone_at}", style="dim") if b.undone_at else Text("applied")
        table.add_row(
            str(b.id),
            Text(name),
            b.kind,
            str(b.rows),
            str(b.inserted),
            str(b.updated),
            str(b.unchanged),
            b.imported_at,
            b.sha256[:12],
            status,
        )
    return table


def problems_text(problems: Sequence[Problem], total: int, title: str) -> RenderableType:
    table = Table(title=title, title_justify="left", show_lines=False)
    for name in ("File", "Row", "Column", "Value", "Code", "Problem"):
        table.add_column(name, overflow="fold")
    for p in problems:
        file = f"{p.file} [{p.sheet}]" if p.sheet else p.file
        table.add_row(
            *(
                Text(cell)
                for cell in (
                    file,
                    "" if p.row is None else str(p.row),
                    p.column or "",
                    "" if p.value is None else p.value,
                    p.code,
                    p.message,
                )
            )
        )
    hints = sorted({(p.code, p.hint) for p in problems if p.hint})
    footer = [Text(f"{code}: {hint}", style="dim") for code, hint in hints]
    if total > len(problems):
        footer.append(Text(f"… and {total - len(problems)} more not shown.", style="yellow"))
    return Group(table, *footer)


def progress_chart(report: ProgressReport, fmt: Fmt, width: int = 40) -> RenderableType:
    """Cumulative persons into work per year against the expected pace, as bars."""
    parts: list[RenderableType] = []
    for g in report.goals:
        rows = g.by_year()
        scale = max([float(g.goal.target), *(count for _y, count, _e in rows)])
        table = Table(
            title=f"{g.goal.title} – {fmt.t('actual').lower()} / {fmt.t('expected_short').lower()}",
            title_justify="left",
            title_style="bold",
            box=None,
            show_header=False,
            padding=(0, 1),
        )
        table.add_column(justify="right")
        table.add_column(no_wrap=True)
        table.add_column(justify="right")
        for year, count, expected in rows:
            done = round(count / scale * width) if scale else 0
            mark = min(round(float(expected) / scale * width), width) if scale else 0
            bar = Text()
            style = "green" if count >= expected else "red"
            for i in range(width):
                if i == mark and i >= done:
                    bar.append("│", style="bold")
                else:
                    bar.append("█" if i < done else "·", style=style if i < done else "dim")
            table.add_row(str(year), bar, f"{fmt.count(count)} / {fmt.number(expected, 0)}")
        parts.append(table)
    if not parts:
        parts.append(Text(f"No persons-into-work goal applies to {report.year}.", style="dim"))
    return Group(*parts)
