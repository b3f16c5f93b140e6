"""What `intd goals`, `intd regions` and `intd columns` print, in `Fmt`'s language. Formatting
only."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from intdrammen.config import GoalConfig
from intdrammen.models import Goal, GoalKind
from intdrammen.municipalities import MunicipalityHistory, Region, RegionMember
from intdrammen.render.data import county_notes_json, merger_notes_json
from intdrammen.render.fit import Words, fit
from intdrammen.render.fmt import Fmt


def _goal_window(goal: Goal, fmt: Fmt) -> str:
    if goal.kind is not GoalKind.PERSONS_INTO_WORK:
        return fmt.t("setup.cohort_window")
    if goal.every_year:
        start = goal.start.year if goal.start else "?"
        if goal.end:
            return fmt.t("setup.every_year_to", start=start, end=goal.end.year)
        return fmt.t("setup.every_year_open", start=start)
    return f"{fmt.day(goal.start) or '?'} – {fmt.day(goal.end) or '?'}"


def _decimals(value: Fraction) -> int:
    """As many decimals as the target has (up to 3): 1000, 55 %, 55.5 %."""
    for decimals in range(3):
        if (value * 10**decimals).denominator == 1:
            return decimals
    return 3


def _target(goal: Goal, fmt: Fmt) -> str:
    target = Fraction(goal.target)
    if goal.kind is GoalKind.PERSONS_INTO_WORK:
        text = fmt.number(target, _decimals(target))
        return fmt.t("setup.per_year", target=text) if goal.every_year else text
    return fmt.percent(target, _decimals(target * 100))


def goals_json(config: GoalConfig) -> dict[str, Any]:
    return {
        "version": config.version,
        "sources": list(config.sources),
        "goals": [
            {
                "id": g.id,
                "title": g.title,
                "kind": g.kind.value,
                "target": float(g.target),
                "start": g.start.isoformat() if g.start else None,
                "end": g.end.isoformat() if g.end else None,
                "every_year": g.every_year,
                "region": g.region,
                "days_after": g.days_after,
                "measured_on": f"{g.measured_on[0]:02d}-{g.measured_on[1]:02d}",
                "source": g.source,
            }
            for g in config.goals
        ],
    }


def goals_text(config: GoalConfig, fmt: Fmt) -> RenderableType:
    title = fmt.t("setup.goals_title", version=config.version)
    table = Table(title=title, title_justify="left", title_style="bold")
    for key in ("setup.id", "goal", "window", "target", "setup.counts_people_of"):
        table.add_column(fmt.t(key), overflow="fold")
    for g in config.goals:
        people = g.region or fmt.t("setup.any_region")
        table.add_row(g.id, fmt.title(g), _goal_window(g, fmt), _target(g, fmt), people)
    sources = fmt.t("setup.sources", sources=fmt.t("list_separator").join(config.sources))
    return Group(fit(table), Words(sources, style="dim"))


def _member_json(m: RegionMember, history: MunicipalityHistory) -> dict[str, Any]:
    return {
        "label": m.label,
        "current_code": m.current_code,
        "from": m.start.isoformat() if m.start else None,
        "to": m.end.isoformat() if m.end else None,
        "merged_into": m.merged_into,
        "codes": [{"code": c, "name": history.name(c)} for c in sorted(m.codes)],
    }


def regions_json(regions: Sequence[Region], version: str) -> dict[str, Any]:
    return {
        "version": version,
        "regions": [
            {
                "name": r.name,
                "description": r.description,
                "members": [m.label for m in r.members],
                "candidates": [m.label for m in r.candidates],
                "notes": [Fmt("en").note(n) for n in r.notes],
                "merger_notes": merger_notes_json(r.notes),
                **county_notes_json(r.notes),
            }
            for r in regions
        ],
    }


def regions_text(regions: Sequence[Region], version: str, fmt: Fmt) -> RenderableType:
    title = fmt.t("setup.regions_title", version=version)
    table = Table(title=title, title_justify="left", title_style="bold")
    for key in ("region", "setup.members", "setup.candidates", "setup.about"):
        table.add_column(fmt.t(key), overflow="fold")
    sep = fmt.t("list_separator")
    for r in regions:
        table.add_row(
            r.name,
            sep.join(m.label for m in r.members),
            sep.join(m.label for m in r.candidates) or "–",
            r.description,
        )
    note = Words(fmt.t("setup.every_municipality"), style="dim")
    return Group(fit(table), note)


def region_detail_json(region: Region, history: MunicipalityHistory) -> dict[str, Any]:
    return {
        "name": region.name,
        "description": region.description,
        "members": [_member_json(m, history) for m in region.members],
        "candidates": [_member_json(m, history) for m in region.candidates],
        "notes": [Fmt("en").note(n) for n in region.notes],
        "merger_notes": merger_notes_json(region.notes),
        **county_notes_json(region.notes),
    }


def _period(member: RegionMember, fmt: Fmt) -> str:
    start, end = fmt.day(member.start), fmt.day(member.end)
    if start and end:
        return f"{start} – {end}"
    if start:
        return fmt.t("setup.period_from", start=start)
    if end:
        return fmt.t("setup.period_until", end=end)
    return fmt.t("setup.always")


def region_detail_text(region: Region, history: MunicipalityHistory, fmt: Fmt) -> RenderableType:
    table = Table(title=region.name, title_justify="left", title_style="bold", show_lines=True)
    for key in ("setup.member_row", "setup.member_period", "setup.codes", "setup.today"):
        table.add_column(fmt.t(key), overflow="fold")
    for m in (*region.members, *region.candidates):
        codes = "\n".join(
            f"{c} {history.name(c)}{_valid(history, c, fmt)}"
            for c in sorted(m.codes, key=lambda c: (_first_year(history, c), c))
        )
        today = m.current_code or ""
        if m.merged_into:
            today = fmt.t("setup.part_of", name=m.merged_into, code=m.current_code or "").strip()
        label = Text(m.label)
        if m in region.candidates:
            label.append(" " + fmt.t("setup.candidate"), style="dim")
        table.add_row(label, _period(m, fmt), codes, today)
    notes = [Words(f"• {fmt.note(n)}", style="yellow") for n in region.notes]
    return Group(fit(table), *notes)


def _first_year(history: MunicipalityHistory, code: str) -> int:
    years = history.valid_years(code)
    return years[0] if years else 0


def _valid(history: MunicipalityHistory, code: str, fmt: Fmt) -> str:
    years = history.valid_years(code)
    if not years:
        return f" ({fmt.t('setup.before_2015')})"
    first, last = years
    if last is None:
        return f" ({fmt.t('setup.from_year', year=first)})" if first > 2015 else " (2015–)"
    return f" ({first}–{last})"


def columns_text(fmt: Fmt) -> RenderableType:
    """`intd columns` as a table: field names are codes (kept as they are); the
    descriptions are English prose from importers/columns.py."""
    from intdrammen.importers.columns import FIELDS

    table = Table(title=fmt.t("columns.title"), title_justify="left", show_lines=True)
    for key in ("col.kind", "columns.field", "columns.aliases", "columns.what"):
        table.add_column(fmt.t(key), overflow="fold")
    for kind, fields in FIELDS.items():
        for f in fields:
            field = Text(f.name, style="bold") if f.required else Text(f.name)
            if f.required:
                field.append(" " + fmt.t("columns.required"), style="dim")
            table.add_row(
                fmt.word(f"kind.{kind}") or kind, field, ", ".join(f.aliases), f.description
            )
    return fit(table)
