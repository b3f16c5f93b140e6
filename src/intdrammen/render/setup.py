"""What `intd goals` and `intd regions` print. Formatting only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from intdrammen.config import GoalConfig
from intdrammen.models import Goal, GoalKind
from intdrammen.municipalities import MunicipalityHistory, Region, RegionMember
from intdrammen.render.fit import Words, fit
from intdrammen.render.fmt import Fmt


def _goal_window(goal: Goal) -> str:
    if goal.kind is not GoalKind.PERSONS_INTO_WORK:
        return "cohort of each year"
    if goal.every_year:
        end = f" to {goal.end.year}" if goal.end else ", no end"
        return f"each calendar year from {goal.start.year if goal.start else '?'}{end}"
    return f"{goal.start} – {goal.end}"


def _target(goal: Goal) -> str:
    if goal.kind is GoalKind.PERSONS_INTO_WORK:
        return f"{float(goal.target):g}" + (" a year" if goal.every_year else "")
    return f"{float(goal.target) * 100:g} %"


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


def goals_text(config: GoalConfig) -> RenderableType:
    table = Table(title=f"Goals ({config.version})", title_justify="left", title_style="bold")
    for name in ("Id", "Goal", "Window", "Target", "Counts people of"):
        table.add_column(name, overflow="fold")
    for g in config.goals:
        people = g.region or "the region asked for, else all"
        table.add_row(g.id, g.title, _goal_window(g), _target(g), people)
    return Group(fit(table), Words("From: " + ", ".join(config.sources), style="dim"))


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
                "merger_notes": [n.fields() for n in r.notes],
            }
            for r in regions
        ],
    }


def regions_text(regions: Sequence[Region], version: str) -> RenderableType:
    table = Table(title=f"Regions ({version})", title_justify="left", title_style="bold")
    for name in ("Region", "Members", "Possible members (not counted)", "About"):
        table.add_column(name, overflow="fold")
    for r in regions:
        table.add_row(
            r.name,
            ", ".join(m.label for m in r.members),
            ", ".join(m.label for m in r.candidates) or "–",
            r.description,
        )
    note = Words("Every municipality is a region too: --region Lier, --region 0625.", style="dim")
    return Group(fit(table), note)


def region_detail_json(region: Region, history: MunicipalityHistory) -> dict[str, Any]:
    return {
        "name": region.name,
        "description": region.description,
        "members": [_member_json(m, history) for m in region.members],
        "candidates": [_member_json(m, history) for m in region.candidates],
        "notes": [Fmt("en").note(n) for n in region.notes],
        "merger_notes": [n.fields() for n in region.notes],
    }


def region_detail_text(region: Region, history: MunicipalityHistory) -> RenderableType:
    table = Table(title=region.name, title_justify="left", title_style="bold", show_lines=True)
    for name in ("Member (row)", "Member from–to", "Codes that count", "Today"):
        table.add_column(name, overflow="fold")
    for m in (*region.members, *region.candidates):
        period = f"{m.start or 'always'} – {m.end or ''}".strip(" –")
        codes = "\n".join(
            f"{c} {history.name(c)}{_valid(history, c)}"
            for c in sorted(m.codes, key=lambda c: (_first_year(history, c), c))
        )
        today = m.current_code or ""
        if m.merged_into:
            today = f"part of {m.merged_into} {m.current_code or ''}"
        label = Text(m.label)
        if m in region.candidates:
            label.append(" (possible member, not counted)", style="dim")
        table.add_row(label, period, codes, today)
    notes = [Words(f"• {Fmt('en').note(n)}", style="yellow") for n in region.notes]
    return Group(fit(table), *notes)


def _first_year(history: MunicipalityHistory, code: str) -> int:
    years = history.valid_years(code)
    return years[0] if years else 0


def _valid(history: MunicipalityHistory, code: str) -> str:
    years = history.valid_years(code)
    if not years:
        return " (before 2015)"
    first, last = years
    if last is None:
        return f" (from {first})" if first > 2015 else " (2015–)"
    return f" ({first}–{last})"
