"""Charts for report files: matplotlib drawn to inline SVG text (no script, no font or
image fetched). Matplotlib is imported only here, only when a file is written."""

from __future__ import annotations

import importlib
import io
import re
from collections.abc import Sequence
from html import escape
from typing import Any

from intdrammen.render.fmt import Fmt
from intdrammen.reports import CohortRate, GoalSeries, Row

INK, ACCENT, TARGET, MUTED = "#1f2a44", "#2f6db5", "#c0392b", "#8a94a6"


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update(
        {
            "svg.fonttype": "none",  # text stays text: searchable, no embedded font
            "svg.hashsalt": "intd",  # stable ids: the same report gives the same file
            "font.family": "sans-serif",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.edgecolor": MUTED,
            "axes.labelcolor": INK,
            "xtick.color": INK,
            "ytick.color": INK,
        }
    )
    import matplotlib.pyplot as plt

    return plt


def _svg(figure: Any, title: str) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    _pyplot().close(figure)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and DOCTYPE: the SVG is inlined
    # Inline SVG in HTML needs no namespaces, and the RDF metadata only names matplotlib:
    # without them the file holds no address at all.
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
    label = title.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    svg = re.sub(r"<svg ", f'<svg role="img" aria-label="{label}" ', svg, count=1)
    return svg.replace(">", f"><title>{label}</title>", 1)


def _empty(text: str) -> str:
    """A note in place of a chart (a chart is always `<svg ...`, a note never)."""
    return f'<p class="empty">{escape(text)}</p>'


def _nothing_to_draw(counts: Sequence[int | None], fmt: Fmt) -> str | None:
    """The note instead of a chart whose every count is hidden or zero: bars of height 0
    on an axis around 0 would read as "nobody", or worse as a negative count."""
    if any(count for count in counts):
        return None
    if not counts:
        return fmt.t("no_data")
    if any(count is None for count in counts):
        return fmt.t("chart_counts_hidden")
    return fmt.t("chart_nothing_counted")


def cumulative_chart(series: GoalSeries, fmt: Fmt) -> str:
    """Cumulative persons into work against the target line, with the pace still needed.
    Drawn also when nobody is counted yet: the target line is the point then."""
    if not series.points:
        return _empty(fmt.t("no_data"))
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(7.2, 3.0))
    days = [day for day, _count in series.points]
    counts = [count for _day, count in series.points]
    target = float(series.goal.target)
    axes.step(days, counts, where="post", color=ACCENT, linewidth=2, label=fmt.t("chart_actual"))
    axes.plot(
        [series.window.start, series.window.end],
        [0, target],
        color=MUTED,
        linestyle=":",
        linewidth=1.2,
        label=fmt.t("chart_even_pace"),
    )
    axes.axhline(target, color=TARGET, linewidth=1, label=fmt.t("target"))
    if counts[-1] < target and days[-1] < series.window.end:
        axes.plot(
            [days[-1], series.window.end],
            [counts[-1], target],
            color=TARGET,
            linestyle="--",
            linewidth=1.2,
            label=fmt.t("chart_needed"),
        )
    axes.set_xlim(series.window.start, series.window.end)
    axes.set_ylim(0, max(target, max(counts)) * 1.08)
    dates: Any = importlib.import_module("matplotlib.dates")
    if (series.window.end - series.window.start).days > 730:
        axes.xaxis.set_major_locator(dates.YearLocator())
        axes.xaxis.set_major_formatter(dates.DateFormatter("%Y"))
    else:
        axes.xaxis.set_major_locator(dates.MonthLocator(interval=2))
        axes.xaxis.set_major_formatter(dates.DateFormatter("%m.%Y"))
    axes.legend(frameon=False, fontsize=8, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    axes.grid(axis="y", color="#e5e8ee", linewidth=0.6)
    return _svg(figure, f"{fmt.title(series.goal)}: {fmt.t('chart_cumulative')}")


def yearly_chart(years: Sequence[Row], fmt: Fmt) -> str:
    """Persons into work per calendar year (a suppressed year is an empty slot marked
    ':'); a note instead when no year has a count to draw."""
    note = _nothing_to_draw([r.into_work for r in years], fmt)
    if note is not None:
        return _empty(note)
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(7.2, 2.6))
    labels = [r.label for r in years]
    values = [r.into_work or 0 for r in years]
    bars = axes.bar(labels, values, color=ACCENT, width=0.6)
    for bar, row in zip(bars, years, strict=True):
        text = fmt.count(row.into_work)
        axes.annotate(
            text,
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
            color=INK,
        )
    axes.set_ylabel(fmt.t("into_work"))
    axes.set_ylim(bottom=0)  # counts: never a negative axis, and whole persons only
    ticker: Any = importlib.import_module("matplotlib.ticker")
    axes.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    axes.grid(axis="y", color="#e5e8ee", linewidth=0.6)
    axes.set_axisbelow(True)
    return _svg(figure, fmt.t("chart_per_year"))


def cohort_chart(cohorts: Sequence[CohortRate], target: float | None, fmt: Fmt) -> str:
    """Direct transition per cohort against the target line and the national figures."""
    shown = [c for c in cohorts if c.rate is not None]
    if not shown:
        # No rate to draw: every cohort hidden, or nobody ended the programme.
        hidden = [None if c.ended is None or c.work_or_education is None else 0 for c in cohorts]
        return _empty(_nothing_to_draw(hidden, fmt) or fmt.t("no_data"))
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(7.2, 2.8))
    years = [c.year for c in shown]
    axes.plot(
        years,
        [float(c.rate or 0) * 100 for c in shown],
        color=ACCENT,
        marker="o",
        linewidth=2,
        label=fmt.t("chart_local"),
    )
    national = [
        (c.year, float(n.rate) * 100) for c in cohorts for n in c.national if n.area == "Norge"
    ]
    if national:
        axes.scatter(
            [y for y, _r in national],
            [r for _y, r in national],
            marker="D",
            color=INK,
            zorder=3,
            label=fmt.t("national"),
        )
    if target is not None:
        axes.axhline(
            target * 100,
            color=TARGET,
            linestyle="--",
            linewidth=1,
            label=f"{fmt.t('target')} {fmt.percent(target, 0)}",
        )
    axes.set_ylim(0, 100)
    axes.set_xticks(years)
    axes.set_ylabel("%")
    axes.legend(frameon=False, fontsize=8, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    axes.grid(axis="y", color="#e5e8ee", linewidth=0.6)
    return _svg(figure, fmt.t("chart_cohorts"))
