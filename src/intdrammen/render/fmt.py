"""Labels and number formats per language (bokmål `nb`, English `en`).

Renderers ask this module for every word and every formatted number, so a label is
translated in one place and `55,2 %` versus `55.2%` is decided once. The words are in one
table per language (`render/lang/`); typed values (merger notes, row labels, explain
details) are worded from their fields, never parsed back from text.
"""

from __future__ import annotations

import locale
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction

from intdrammen.models import (
    CountyNote,
    ExplainDetail,
    Goal,
    GoalNotApplicable,
    MergerNote,
    PartLabel,
    QuarterLabel,
    SplitLabel,
)
from intdrammen.render.lang import LANGUAGES, table

SUPPRESSED = ":"  # SSB's marker for a suppressed cell


def rate_cell(
    numerator: int | None, denominator: int | None, rate: Fraction | None, undefined: str
) -> Fraction | str | None:
    """A rate as a table cell: None (printed as the suppression marker) when a count it
    is built on is hidden, `undefined` when there is no rate (nobody ended), else the
    rate. Keeps a hidden rate from looking like an undefined one."""
    if numerator is None or denominator is None:
        return None
    return undefined if rate is None else rate


def default_lang() -> str:
    """$INTD_LANG, else bokmål when the user's locale is Norwegian, else English."""
    chosen = os.environ.get("INTD_LANG")
    if chosen in LANGUAGES:
        return chosen
    name = os.environ.get("LC_ALL") or os.environ.get("LANG") or (locale.getlocale()[0] or "")
    return "nb" if name.lower().startswith(("nb", "no", "nn")) else "en"


def _local(iso: str | None) -> datetime | str:
    """A stored ISO timestamp in the machine's local time zone (TZ as it is now: a test
    or a caller may have set it); '–' for none, a text that is not a timestamp as is."""
    if not iso:
        return "–"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is None:
        return moment
    if hasattr(time, "tzset"):
        time.tzset()
    return moment.astimezone()


@dataclass(frozen=True)
class Fmt:
    """Formats numbers and looks up labels for one language: a key missing from the
    language's table falls back to English."""

    lang: str = "en"
    words: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.words:
            object.__setattr__(self, "words", table(self.lang))

    def word(self, key: str) -> str | None:
        """The text of `key` in this language, else in English, else None."""
        found = self.words.get(key)
        return found if found is not None else table("en").get(key)

    def t(self, key: str, **values: object) -> str:
        text = self.word(key)
        if text is None:
            raise KeyError(key)
        return text.format(**values) if values else text

    def title(self, goal: Goal) -> str:
        """A goal's title in this language: `title_nb` from goals.toml in bokmål, when
        the goal has one, else its `title`."""
        return (goal.title_nb or goal.title) if self.lang == "nb" else goal.title

    def goal_region(self, goal: Goal, asked: str | None = None) -> str:
        """The region a goal counts: its own (goals.toml `region`), as the progress table
        names it under the goal; for a goal without one (the introduction measures), the
        region asked for (--region), else "whole project"."""
        return goal.region or asked or self.t("whole_project")

    def dimension(self, key: str) -> str:
        """The header of a `--by` dimension's column ("Gender", "Kjønn")."""
        return self.word(f"dimension.{key}") or key

    def by(self, key: str) -> str:
        """The heading of a `--by` table ("By gender", "Etter kjønn")."""
        return self.t("by", dimension=self.dimension(key).lower())

    def row_label(self, dimension: str, label: object) -> str:
        """A table row's label in this language. `label` is a Row (its typed
        `label_value` when it has one, else its `label`), a typed label (a quarter, a
        split or merged-away municipality) or a text label: "unknown", "total" and a
        dimension's fixed values (gender) are translated, data is shown as is."""
        value = getattr(label, "label_value", None) or getattr(label, "label", label)
        if isinstance(value, QuarterLabel):
            return self.t("row.quarter", year=value.year, quarter=value.quarter)
        if isinstance(value, SplitLabel):
            return self.t("row.split", name=value.name, code=value.code, year=value.year)
        if isinstance(value, PartLabel):
            return self.t(
                "row.part", name=value.name, code=value.code, today=value.today, year=value.year
            )
        text = str(value)
        if text in ("unknown", "total"):
            return self.t(text)
        return self.word(f"value.{dimension}.{text}") or text

    def code(self, code: str) -> str:
        """A code of `intd explain` (a reason, a placement type, an outcome) in this
        language; a compound reason ("not_in_numerator:unemployed") word by word."""
        if ":" in code:
            head, tail = code.split(":", 1)
            return self.t("compound_code", head=self.code(head), tail=self.code(tail))
        return self.word(f"word.{code}") or code

    def explained(self, value: ExplainDetail | str, basis: str | None = None) -> str:
        """A reason, what counted or a detail of `intd explain` in this language. A
        detail (ExplainDetail) is worded from its fields: dates as this language writes
        them in tables (`day`: ISO in English, 01.05.2015 in bokmål), municipality codes as
        they are, placement types translated.
        A code (a reason, or what counted, with its `basis` when it has one) is
        translated as a code."""
        if isinstance(value, ExplainDetail):
            sep = self.t("list_separator")
            fields = {
                "municipality": value.municipality or self.t("unknown"),
                "dates": sep.join(self.day(d) for d in value.dates),
                "placement_types": sep.join(self.code(t) for t in value.placement_types),
            }
            return self.t(f"detail.{value.code.value}", **fields)
        if basis is not None:
            return self.t("counted_what", basis=self.code(basis), value=self.code(value))
        return self.code(value)

    def language_split(self, dimension: str) -> str:
        """The heading of the language requirement split `--by` a dimension ("...
        by gender", "... etter kjønn")."""
        return self.t("language_split", by=self.by(dimension).lower())

    def language_notes(self, by_settlement: int | None, rules: Sequence[str]) -> list[str]:
        """What a reader of the language requirement's counts must know, as sentences:
        how many had their rule chosen by the settlement date (their permit date is
        missing), and which rules ask for a level no requirements file names."""
        lines = []
        if by_settlement is None:
            lines.append(self.t("language_settled_hidden"))
        elif by_settlement:
            lines.append(self.t("language_settled", count=self.count(by_settlement)))
        if rules:
            key = "language_no_level_one" if len(rules) == 1 else "language_no_level_many"
            lines.append(self.t(key, rules=self.t("list_separator").join(rules)))
        return lines

    def verdict(self, verdict: str) -> str:
        """met / not met / cannot be judged, in this language."""
        return self.t(f"verdict.{verdict}")

    def reasons(self, codes: Sequence[str]) -> str:
        """The reasons of a language verdict (metrics.language_requirement's codes) in
        words; a verdict without one (met) says every part was met."""
        if not codes:
            return self.t("language_all_met")
        return self.t("list_separator").join(self.t(f"reason.{c}") for c in codes)

    def date_used(self, basis: str | None, day: date | None) -> str:
        """The date a language rule was chosen by, and which date it is."""
        if basis is None or day is None:
            return self.t("basis.none")
        return self.t(f"basis.{basis}", day=self.day(day))

    def note(self, note: MergerNote | CountyNote | str) -> str:
        """A merger or county note (a region's notes) in this language; a text note as is."""
        if isinstance(note, str):
            return note
        if isinstance(note, CountyNote):
            return self.t(
                f"note.{note.kind.value}",
                county=f"{note.name} ({note.code})",
                code=note.code,
                region=note.region,
                start=self.day(note.start),
                end=self.day(note.end),
            )
        return self.t(
            f"note.{note.kind.value}",
            old=f"{note.old_name} ({note.old_code})",
            new=note.merged_into,
            year=note.year,
            codes="/".join(note.codes),
            region=note.region or self.t("whole_project"),
        )

    def long_date(self, value: date) -> str:
        """A date as a reader of this language writes it: "1 December 2026",
        "1. desember 2026"."""
        month = self.t(f"month.{value.month}")
        return self.t("date_long", day=value.day, month=month, year=value.year)

    def stamp(self, iso: str | None) -> str:
        """A stored ISO timestamp ("2026-12-01T21:37:22+00:00", UTC) as a reader of this
        language writes it, in the machine's local time zone (TZ respected): "1 December
        2026, 22:37", "1. desember 2026 kl. 22.37". '–' for none; a text that is not a
        timestamp as is."""
        moment = _local(iso)
        if not isinstance(moment, datetime):
            return moment
        clock = self.t("time", hour=moment.hour, minute=moment.minute)
        return self.t("datetime_long", date=self.long_date(moment.date()), time=clock)

    def short_stamp(self, iso: str | None) -> str:
        """A stored ISO timestamp in a table cell: the machine's local time (TZ
        respected), to the minute, the date as `day` writes it: "2022-01-10 09:30",
        "10.01.2022 kl. 09.30". '–' for none; a text that is not a timestamp as is."""
        moment = _local(iso)
        if not isinstance(moment, datetime):
            return moment
        clock = self.t("time", hour=moment.hour, minute=moment.minute)
        return self.t("datetime_short", date=self.day(moment.date()), time=clock)

    def report_title(self, region: str, first: int, last: int) -> str:
        """A report's title: its region and years ("2019" for one year, "2019–2023")."""
        if first == last:
            return self.t("report_title_year", region=region, year=first)
        return self.t("report_title", region=region, first=first, last=last)

    def not_applicable(self, item: GoalNotApplicable) -> str:
        """A goal left out because its own region does not overlap the region asked for."""
        return self.t(
            "not_applicable", goal=item.goal_id, goal_region=item.goal_region, region=item.region
        )

    def counted_region(
        self, asked: str | None, goal_region: str | None, within: bool = False
    ) -> str:
        """Whom a goal's figures count: the region asked for (--region), within the
        goal's own region (goals.toml `region`) when it has one (`within`: the asked
        region lies inside it; else as far as the two overlap); "whole project" only
        when neither restricts."""
        if goal_region is None or (
            asked is not None and asked.casefold() == goal_region.casefold()
        ):
            return asked or self.t("whole_project")
        if asked is None:
            return self.t("goal_region_only", region=goal_region)
        key = "region_within_goal" if within else "region_overlaps_goal"
        return self.t(key, region=asked, goal_region=goal_region)

    def count(self, value: int | None) -> str:
        if value is None:
            return SUPPRESSED
        text = f"{value:,}"
        return text.replace(",", "\u00a0") if self.lang == "nb" else text

    def number(self, value: Fraction | float | None, decimals: int = 1) -> str:
        if value is None:
            return SUPPRESSED
        text = f"{float(value):,.{decimals}f}"
        if self.lang == "nb":
            text = text.replace(",", "\u00a0").replace(".", ",")
        return text

    def percent(self, value: Fraction | float | None, decimals: int = 1) -> str:
        if value is None:
            return "–"
        number = self.number(
            Fraction(value) * 100 if not isinstance(value, float) else value * 100, decimals
        )
        return f"{number}\u00a0%" if self.lang == "nb" else f"{number}%"

    def share(self, numerator: int | None, denominator: int | None) -> str:
        """A rate from two counts: ':' when either is suppressed, '–' when undefined."""
        if numerator is None or denominator is None:
            return SUPPRESSED
        if denominator == 0:
            return "–"
        return self.percent(Fraction(numerator, denominator))

    def yes_no(self, value: bool | None, *, hidden: bool = False) -> str:
        """yes/no; the suppression marker when the verdict rests on a hidden count
        (`hidden`); '–' when there is none (not measurable, no rate)."""
        if hidden:
            return SUPPRESSED
        if value is None:
            return "–"
        return self.t("yes") if value else self.t("no")

    def day(self, value: date | None) -> str:
        if value is None:
            return ""
        return value.strftime("%d.%m.%Y") if self.lang == "nb" else value.isoformat()
