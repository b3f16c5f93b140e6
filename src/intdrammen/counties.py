"""Counties (fylker, SSB Klass 104) as regions, across the reforms of 2018, 2020 and 2024.

A municipality's county on a day is given by the first two digits of its municipality
code valid that day (Klass 131's yearly lists). Records map to today's municipality as
everywhere in intd, so:

- a county that exists today (Innlandet 34, Buskerud 33) counts today's municipalities
  whose code starts with its code, whatever the record's date;
- a former county (Hedmark 04, Oppland 05, Viken 30) counts, per period, the
  municipalities that belonged to it then: today's Jevnaker is in Oppland to 2019-12-31,
  in Viken 2020-2023 and in Buskerud (33) from 2024.

A name is today's county of that name where there is one (Buskerud: 33); a former county
of the same name is asked for by its code (06). Standard library only, like
`municipalities`, so that every command can afford it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources

from intdrammen.models import CountyKind, CountyNote, PartLabel
from intdrammen.municipalities import (
    UNKNOWN_CODE,
    MunicipalityHistory,
    Region,
    RegionMember,
    _key,
)


@dataclass(frozen=True)
class County:
    code: str
    name: str
    start: date | None  # None: since before the Klass lists intd ships
    end: date | None  # None: exists today

    @property
    def current(self) -> bool:
        return self.end is None


@cache
def load_counties() -> tuple[County, ...]:
    """The shipped Klass 104 list, parsed once per process."""
    item = resources.files("intdrammen") / "data" / "klass104" / "counties.csv"
    rows = list(csv.reader(item.read_text(encoding="utf-8-sig").splitlines()))[1:]
    return tuple(
        County(
            code.strip(),
            name.strip(),
            date.fromisoformat(start) if start.strip() else None,
            date.fromisoformat(end) if end.strip() else None,
        )
        for code, name, start, end in (r for r in rows if r)
    )


def find_county(query: str) -> County | None:
    """The county a `--region` text means: a code ("34", "3" for 03), or a name
    (case, spacing and æøå as for municipality names), today's county of that name first."""
    text = query.strip()
    counties = load_counties()
    if text.isdigit() and len(text) <= 2:
        return next((c for c in counties if c.code == text.zfill(2)), None)
    named = [c for c in counties if _key(c.name) == _key(text)]
    return next((c for c in named if c.current), named[0] if named else None)


def county_of_today(history: MunicipalityHistory, code: str | None) -> County | None:
    """Today's county of a record's municipality code (None: unknown, 9999, or a code
    whose area was split between municipalities since)."""
    if code is None or code == UNKNOWN_CODE or not history.is_known(code):
        return None
    today = history.current(code)
    if len(today) != 1:
        return None
    prefix = next(iter(today))[:2]
    return next((c for c in load_counties() if c.current and c.code == prefix), None)


@dataclass(frozen=True)
class _Segment:
    year: int  # the Klass list valid in it
    start: date | None
    end: date | None


def _segments(history: MunicipalityHistory) -> list[_Segment]:
    years = history.list_years()
    out = []
    for i, year in enumerate(years):
        start = None if i == 0 else date(year, 1, 1)
        end = None if i == len(years) - 1 else date(years[i + 1], 1, 1) - timedelta(days=1)
        out.append(_Segment(year, start, end))
    return out


def _county_codes_at(
    history: MunicipalityHistory, code: str, year: int, listed: dict[str, list[str]]
) -> set[str]:
    """The county codes of `code`'s area in the list of `year`: its own code if listed;
    else the listed code of the same municipality (3301 in 2019: 0602); else every listed
    code now part of its municipality (0711 in 2024: 3301)."""
    if code in history.codes_in(year):
        return {code[:2]}
    (today,) = history.current(code)
    found = listed.get(today, [])
    same = [c for c in found if history.same_municipality(c, code)]
    return {c[:2] for c in same or found}


def _overlap(seg: _Segment, county: County) -> tuple[date | None, date | None] | None:
    # A county older than the first list (Oppland, since 1838) is open-ended before it.
    older = seg.start is None and county.start is not None and county.start.year <= seg.year
    since = None if older else county.start
    start = max((d for d in (seg.start, since) if d is not None), default=None)
    end = min((d for d in (seg.end, county.end) if d is not None), default=None)
    if start is not None and end is not None and start > end:
        return None
    return start, end


def county_region(county: County, history: MunicipalityHistory) -> Region:
    """`county` as a region: today's municipalities in it (a county of today), or per
    period the municipalities that belonged to it (a former county)."""
    today = [m for m in history.current_list() if m.code != UNKNOWN_CODE]
    label = f"{county.name} ({county.code})"
    if county.current:
        members = tuple(
            RegionMember(m.name, history.codes_of(m.code), m.code)
            for m in today
            if m.code.startswith(county.code)
        )
        same = [c for c in load_counties() if not c.current and _key(c.name) == _key(county.name)]
        notes = tuple(
            CountyNote(CountyKind.SAME_NAME, c.code, c.name, c.start, c.end, county.name)
            for c in same
        )
        return Region(county.name, members, notes=notes, description=label)
    listed: dict[int, dict[str, list[str]]] = {}
    for year in history.list_years():
        per_today: dict[str, list[str]] = {}
        for code in sorted(history.codes_in(year)):
            if code != UNKNOWN_CODE:
                for now in history.current(code):
                    per_today.setdefault(now, []).append(code)
        listed[year] = per_today
    found: list[RegionMember] = []
    for m in today:
        codes = history.codes_of(m.code)
        runs: list[tuple[frozenset[str], date | None, date | None]] = []
        for seg in _segments(history):
            period = _overlap(seg, county)
            if period is None:
                continue
            inside = frozenset(
                c
                for c in codes
                if county.code in _county_codes_at(history, c, seg.year, listed[seg.year])
            )
            if not inside:
                continue
            last = runs[-1] if runs else None
            if last and last[0] == inside and last[2] and last[2] + timedelta(1) == period[0]:
                runs[-1] = (inside, last[1], period[1])
                continue
            runs.append((inside, *period))
        for inside, start, end in runs:
            found.append(_member(history, m.code, m.name, inside, start, end))
    found.sort(key=lambda m: min(m.codes))  # by the codes of the time: 0532 before 0533
    former = CountyKind.FORMER
    note = CountyNote(former, county.code, county.name, county.start, county.end, county.name)
    return Region(county.name, tuple(found), notes=(note,), description=label)


def _member(
    history: MunicipalityHistory,
    code: str,
    name: str,
    inside: frozenset[str],
    start: date | None,
    end: date | None,
) -> RegionMember:
    """A row of a former county: today's municipality, or, where only a merged-away part
    of it was in the county (Svelvik 0711 in Vestfold, part of Drammen since 2020), that
    part with a typed label."""
    if any(history.same_municipality(c, code) for c in inside):
        return RegionMember(name, inside, code, start, end)
    old = min(inside, key=lambda c: (len(history.absorbed_codes(c)) * -1, c))
    merger = history.merger(old)
    year = merger[0].year if merger else (end.year + 1 if end else date.today().year)
    part = PartLabel(history.name(old), old, name, year)
    return RegionMember(history.name(old), inside, code, start, end, merged_into=name, merged=part)
