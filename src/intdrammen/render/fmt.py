"""Labels and number formats per language (bokmål `nb`, English `en`).

Renderers ask this module for every word and every formatted number, so a label is
translated in one place and `55,2 %` versus `55.2%` is decided once.
"""

from __future__ import annotations

import locale
import os
import re
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from intdrammen.models import Goal

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


LABELS: dict[str, dict[str, str]] = {
    "progress_title": {"en": "Progress {year}", "nb": "Måloppnåelse {year}"},
    "report_title": {
        "en": "Report {region}, {first}–{last}",
        "nb": "Rapport {region}, {first}–{last}",
    },
    "whole_project": {"en": "whole project", "nb": "hele prosjektet"},
    "goal": {"en": "Goal", "nb": "Mål"},
    "window": {"en": "Window", "nb": "Periode"},
    "target": {"en": "Target", "nb": "Mål"},
    "actual": {"en": "Actual", "nb": "Faktisk"},
    "in_year": {"en": "In {year}", "nb": "I {year}"},
    "pct_of_target": {"en": "% of target", "nb": "% av mål"},
    "expected": {"en": "Expected to date", "nb": "Forventet hittil"},
    "expected_short": {"en": "Expected", "nb": "Forventet"},
    "on_track": {"en": "On track", "nb": "I rute"},
    "projected": {"en": "Projected", "nb": "Prognose"},
    "yes": {"en": "yes", "nb": "ja"},
    "no": {"en": "no", "nb": "nei"},
    "behind": {"en": "behind", "nb": "bak"},
    "intro_title": {
        "en": "Introduction programme, cohort {year}",
        "nb": "Introduksjonsprogrammet, kull {year}",
    },
    "measure": {"en": "Measure", "nb": "Mål"},
    "cohort": {"en": "Cohort", "nb": "Kull"},
    "ended": {"en": "Ended", "nb": "Avsluttet"},
    "work_or_education": {"en": "Work/education", "nb": "Arbeid/utdanning"},
    "rate": {"en": "Rate", "nb": "Andel"},
    "met": {"en": "Met", "nb": "Nådd"},
    "not_met": {"en": "Not met", "nb": "Ikke nådd"},
    "national": {"en": "National", "nb": "Nasjonalt"},
    "not_yet": {"en": "not measurable before {day}", "nb": "kan ikke måles før {day}"},
    "undefined": {"en": "undefined (no one ended)", "nb": "udefinert (ingen avsluttet)"},
    "year": {"en": "Year", "nb": "År"},
    "municipality": {"en": "Municipality", "nb": "Kommune"},
    "into_work": {"en": "Into work", "nb": "I arbeid"},
    "intro_ended": {"en": "Intro ended", "nb": "Intro avsluttet"},
    "intro_woe": {"en": "Work/education", "nb": "Arbeid/utdanning"},
    "intro_rate": {"en": "Rate", "nb": "Andel"},
    "total": {"en": "Total", "nb": "Totalt"},
    "unknown": {"en": "unknown", "nb": "ukjent"},
    "per_year": {"en": "Per year", "nb": "Per år"},
    "per_municipality": {"en": "Per municipality", "nb": "Per kommune"},
    "data_as_of": {"en": "Data as of", "nb": "Data per"},
    "files": {"en": "Files", "nb": "Filer"},
    "intd_version": {"en": "intd version", "nb": "intd-versjon"},
    "goals_version": {"en": "goals", "nb": "mål"},
    "regions_version": {"en": "regions", "nb": "regioner"},
    "notes": {"en": "Notes", "nb": "Merknader"},
    "region": {"en": "Region", "nb": "Region"},
    "counted": {"en": "Counted", "nb": "Telt med"},
    "excluded": {"en": "Not counted", "nb": "Ikke telt med"},
    "participant": {"en": "Participant", "nb": "Deltaker"},
    "date": {"en": "Date", "nb": "Dato"},
    "placement": {"en": "Placement", "nb": "Plassering"},
    "what": {"en": "What counted", "nb": "Hva telte"},
    "source": {"en": "Source", "nb": "Kilde"},
    "reason": {"en": "Reason", "nb": "Årsak"},
    "detail": {"en": "Detail", "nb": "Detalj"},
    "by": {"en": "By {dimension}", "nb": "Etter {dimension}"},
    "in_the_year": {"en": "In the year", "nb": "I året"},
    "chart_withheld": {
        "en": "Chart left out of this shared file: month by month it would show counts "
        "too small to publish (use --no-suppress for an internal copy).",
        "nb": "Diagrammet er utelatt fra denne delte filen: måned for måned ville det vise "
        "tall som er for små til å publiseres (bruk --no-suppress for en intern kopi).",
    },
    "no_data": {"en": "No data to draw.", "nb": "Ingen data å tegne."},
    "chart_actual": {"en": "persons into work", "nb": "personer i arbeid"},
    "chart_even_pace": {"en": "even pace to the target", "nb": "jevnt tempo mot målet"},
    "chart_needed": {"en": "pace needed from here", "nb": "tempo som trengs herfra"},
    "chart_cumulative": {
        "en": "cumulative persons into work",
        "nb": "personer i arbeid, akkumulert",
    },
    "chart_per_year": {"en": "Persons into work per year", "nb": "Personer i arbeid per år"},
    "chart_cohorts": {
        "en": "Directly into work or education, per cohort",
        "nb": "Direkte overgang til arbeid eller utdanning, per kull",
    },
    "chart_local": {"en": "this report", "nb": "denne rapporten"},
    "definitions": {"en": "Definitions", "nb": "Definisjoner"},
    "source_title": {"en": "Source and provenance", "nb": "Kilde og opphav"},
    "headlines": {"en": "Where we stand", "nb": "Status"},
    "cohort_rates": {
        "en": "Introduction programme per cohort",
        "nb": "Introduksjonsprogrammet per kull",
    },
    "generated": {"en": "Made with intd {version}", "nb": "Laget med intd {version}"},
    "of_target": {"en": "of target", "nb": "av målet"},
    "expected_by": {"en": "expected by {day}", "nb": "forventet per {day}"},
    "year_running": {
        "en": "{goal}: the year is still running — by {day} the pro-rata target is {expected}",
        "nb": "{goal}: året er ikke omme — per {day} er forholdsmessig mål {expected}",
    },
    "year_projected": {
        "en": ", and at this pace the year ends near {projected}.",
        "nb": ", og med dette tempoet ender året på rundt {projected}.",
    },
    "no_window_goal": {
        "en": "No persons-into-work goal applies to {year}.",
        "nb": "Ingen mål for personer i arbeid gjelder for {year}.",
    },
    "intro_sheet": {"en": "Intro cohort {year}", "nb": "Introkull {year}"},
    "cohort_rates_sheet": {"en": "Intro per cohort", "nb": "Intro per kull"},
    "suppressed_note": {
        "en": "':' = fewer than {n} persons, or a cell that would reveal one (suppressed).",
        "nb": "':' = færre enn {n} personer, eller en celle som ville avsløre en slik (prikket).",
    },
    # formats
    "legend_not_applicable": {
        "en": "'–' = does not apply, or no figure (a rate with no one ended, a measure not "
        "yet measurable, no national figure).",
        "nb": "'–' = gjelder ikke, eller ingen tall (en andel der ingen avsluttet, et mål som "
        "ikke kan måles ennå, ingen nasjonale tall).",
    },
    "status": {"en": "Status", "nb": "Status"},
    "source_sheet": {"en": "Source", "nb": "Kilde"},
    # help: notes in place of a chart that would show nothing (render/charts.py)
    "chart_counts_hidden": {
        "en": "Chart left out of this shared file: every count it would show is too small "
        "to publish (use --no-suppress for an internal copy).",
        "nb": "Diagrammet er utelatt fra denne delte filen: alle tallene det ville vise, er "
        "for små til å publiseres (bruk --no-suppress for en intern kopi).",
    },
    "chart_nothing_counted": {
        "en": "No chart: nobody is counted in these years.",
        "nb": "Ikke noe diagram: ingen er telt i disse årene.",
    },
}


# The dimensions of `--by` (reports.tables.DIMENSIONS): a column header in each language.
DIMENSION_LABELS: dict[str, dict[str, str]] = {
    "municipality": {"en": "Municipality", "nb": "Kommune"},
    "gender": {"en": "Gender", "nb": "Kjønn"},
    "country": {"en": "Country background", "nb": "Landbakgrunn"},
    "age_group": {"en": "Age group", "nb": "Aldersgruppe"},
    "channel": {"en": "Channel", "nb": "Kanal"},
    "quarter": {"en": "Quarter", "nb": "Kvartal"},
    "employer": {"en": "Employer", "nb": "Arbeidsgiver"},
}

# Row labels that are keys, not data: models.Gender's values (and "other", in case a
# vocabulary gains it). "unknown" and "total" are in LABELS.
VALUE_LABELS: dict[str, dict[str, dict[str, str]]] = {
    "gender": {
        "female": {"en": "female", "nb": "kvinne"},
        "male": {"en": "male", "nb": "mann"},
        "other": {"en": "other", "nb": "annet"},
    },
}

_QUARTER = re.compile(r"(?P<year>\d{4}) Q(?P<q>[1-4])")  # reports.tables.labeller
_SPLIT_ROW = re.compile(r"(?P<name>.+) \((?P<code>\d{4}), split (?P<year>\d{4})\)")

# The notes municipalities.py writes about mergers (Region.notes, Provenance.notes),
# matched exactly and rebuilt per language. A note that matches none is shown as is.
_OLD = r"(?P<old>.+ \(\d{4}\))"  # "Sande (Vestfold) (0713)"
_MERGED = _OLD + r" merged into (?P<new>.+?) in (?P<year>\d{4})"
NOTE_PATTERNS: tuple[tuple[re.Pattern[str], dict[str, str]], ...] = (
    (
        re.compile(_MERGED + r": counted as part of today's (?P=new)\."),
        {"nb": "{old} ble slått sammen med {new} i {year}: telles som en del av dagens {new}."},
    ),
    (
        re.compile(
            _MERGED + r"; records coded (?P<codes>\d{4}(?:/\d{4})*) cannot be told apart "
            r"from the rest of (?P=new) and are not counted\."
        ),
        {
            "nb": "{old} ble slått sammen med {new} i {year}; registreringer med kode {codes} "
            "kan ikke skilles fra resten av {new} og telles ikke med."
        },
    ),
    (
        re.compile(_MERGED + r"; showing today's (?P=new)\."),
        {"nb": "{old} ble slått sammen med {new} i {year}; viser dagens {new}."},
    ),
)


# `intd explain` words in bokmål: reason codes (which stay as they are in JSON), the
# placement types and outcomes they name, and the short details explain.py writes.
EXPLAIN_WORDS_NB: dict[str, str] = {
    "outside_region": "utenfor regionen",
    "after_period": "etter perioden",
    "outside_window": "utenfor perioden",
    "no_job": "ingen jobb",
    "moved": "flyttet",
    "no_end_reason": "ingen sluttårsak",
    "not_in_numerator": "ikke i arbeid/utdanning",
    "no_placement": "ingen plassering",
    "job": "jobb",
    "apprenticeship": "lærling",
    "education": "utdanning",
    "work_trial": "arbeidspraksis",
    "course": "kurs",
    "primary_school": "grunnskole",
    "work": "arbeid",
    "work_and_education": "arbeid og utdanning",
    "unemployed": "ledig",
    "measure": "tiltak",
    "other": "annet",
    "unknown": "ukjent",
    "outcome": "resultat",
    "placement": "plassering",
    "status_1y": "status etter ett år",
    "none": "ingen",
}
_EXPLAIN_DETAILS_NB = (
    (re.compile(r"municipality (?P<x>.+)"), "kommune {x}"),
    (re.compile(r"first job in the window starts (?P<x>.+)"), "første jobb i perioden starter {x}"),
    (re.compile(r"job starts (?P<x>.+)"), "jobb starter {x}"),
    (re.compile(r"placements: (?P<x>.+)"), "plasseringer: {x}"),
    (re.compile(r"ended (?P<x>.+)"), "avsluttet {x}"),
)
_WORDS = re.compile(r"[a-z_0-9]+")


def default_lang() -> str:
    """$INTD_LANG, else bokmål when the user's locale is Norwegian, else English."""
    chosen = os.environ.get("INTD_LANG")
    if chosen in ("nb", "en"):
        return chosen
    name = os.environ.get("LC_ALL") or os.environ.get("LANG") or (locale.getlocale()[0] or "")
    return "nb" if name.lower().startswith(("nb", "no", "nn")) else "en"


@dataclass(frozen=True)
class Fmt:
    """Formats numbers and looks up labels for one language."""

    lang: str = "en"

    def t(self, key: str, **values: object) -> str:
        text = LABELS[key].get(self.lang) or LABELS[key]["en"]
        return text.format(**values) if values else text

    def title(self, goal: Goal) -> str:
        """A goal's title in this language: `title_nb` from goals.toml in bokmål, when
        the goal has one, else its `title`."""
        return (goal.title_nb or goal.title) if self.lang == "nb" else goal.title

    def dimension(self, key: str) -> str:
        """The header of a `--by` dimension's column ("Gender", "Kjønn")."""
        labels = DIMENSION_LABELS.get(key)
        return (labels.get(self.lang) or labels["en"]) if labels else key

    def by(self, key: str) -> str:
        """The heading of a `--by` table ("By gender", "Etter kjønn")."""
        return self.t("by", dimension=self.dimension(key).lower())

    def row_label(self, dimension: str, label: str) -> str:
        """A table row's label: "unknown" and "total" and a dimension's fixed values
        (gender, quarter, a split municipality) in this language; data as is."""
        if label in ("unknown", "total"):
            return self.t(label)
        known = VALUE_LABELS.get(dimension, {}).get(label)
        if known is not None:
            return known.get(self.lang) or known["en"]
        if self.lang == "nb":
            if dimension == "quarter" and (match := _QUARTER.fullmatch(label)):
                return f"{match['year']} K{match['q']}"
            if dimension == "municipality" and (match := _SPLIT_ROW.fullmatch(label)):
                return f"{match['name']} ({match['code']}, delt {match['year']})"
        return label

    def explained(self, text: str) -> str:
        """A reason, what counted or a detail of `intd explain` in this language: codes
        and words are translated, dates, codes and ids kept."""
        if self.lang != "nb":
            return text
        for pattern, template in _EXPLAIN_DETAILS_NB:
            if match := pattern.fullmatch(text):
                return template.format(x=self._explain_words(match["x"]))
        return self._explain_words(text)

    @staticmethod
    def _explain_words(text: str) -> str:
        return _WORDS.sub(lambda m: EXPLAIN_WORDS_NB.get(m[0], m[0]), text)

    def note(self, text: str) -> str:
        """A region note (municipality mergers) in this language; unknown notes as is."""
        for pattern, templates in NOTE_PATTERNS:
            template = templates.get(self.lang)
            if template is not None and (match := pattern.fullmatch(text)):
                return template.format(**match.groupdict())
        return text

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

    def yes_no(self, value: bool | None) -> str:
        if value is None:
            return "–"
        return self.t("yes") if value else self.t("no")

    def day(self, value: date | None) -> str:
        if value is None:
            return ""
        return value.strftime("%d.%m.%Y") if self.lang == "nb" else value.isoformat()
