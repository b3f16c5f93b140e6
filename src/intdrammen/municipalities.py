"""Municipality codes over time (SSB Klass 131) and the regions built from them.

This module owns two things. `MunicipalityHistory` turns whatever a spreadsheet cell says
about a municipality into a Klass code and follows that code through every merger, split
and renumbering since 2000 to today's municipalities. `load_regions` / `build_region` /
`resolve_region` read `data/regions.toml` (plus a user's file) and say which codes count
for which region row on which day. All data is package data read once per process; the
module imports only the standard library so that every command can afford it.
"""

from __future__ import annotations

import csv
import hashlib
import re
import tomllib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache, cached_property
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from intdrammen.errors import HINTS, ConfigError, UnknownName
from intdrammen.models import MergerKind, MergerNote, Municipality, Note, PartLabel

UNKNOWN_CODE = "9999"  # Klass "Uoppgitt": accepted, counted as unknown municipality

_COUNTY = re.compile(r"\s*\([^)]*\)$")  # "Sande (Vestfold)" -> "Sande"
_NUMBER = re.compile(r"(\d+)(?:[.,]0+)?")  # "602", "3301.0": Excel ate the zero or made a float
_CODE_NAME = re.compile(r"(\d{3,4})(?:[.,]0+)?\s*(?:[-–—:]\s*)?[^\W\d_].*")  # "0602 - Drammen"
_KOMMUNE = re.compile(r"\s+kommune$", re.IGNORECASE)
_STRAY_SPACE = re.compile(r"^[ \t]+|[ \t]+(?=,|\r?$)|(?<=,)[ \t]+", re.MULTILINE)  # " Borre "
_DASH = re.compile(r"\s*[-–—]\s*")


class MunicipalityLookupError(Exception):
    """A value that is not exactly one municipality; `code` is a key of errors.HINTS."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _clean(value: str) -> str:
    """NFC, every kind of whitespace (NBSP too) collapsed to one space, no BOM."""
    text = unicodedata.normalize("NFC", value).replace("\ufeff", "").replace("\u200b", "")
    return " ".join(text.split())


def _key(name: str) -> str:
    """What two spellings of one name have in common: case, spacing around dashes."""
    return _DASH.sub("-", _clean(name).casefold())


@cache  # Klass repeats each name in every yearly list
def _keys(name: str) -> frozenset[str]:
    """Every way a Klass name may be written: as is, without the county, and each half of
    a Sami double name ("Kárášjohka - Karasjok")."""
    base = _COUNTY.sub("", name.strip())
    parts = base.split(" - ")
    return frozenset({_key(name), _key(base), *(_key(p) for p in parts if len(parts) > 1)})


_Resolved = tuple[frozenset[str], tuple[str, date] | None]  # today's codes, first split


class MunicipalityHistory:
    """Every Klass 131 code since 2000, its names, and where its area is today.

    Codes are one municipality over time when a change row keeps the code or the name
    (0602 Drammen -> 3005 Drammen); a row that changes both is a merger into something
    else (0625 Nedre Eiker -> 3005 Drammen). Those continuity links decide both whether a
    name is ambiguous and whether a code is a continuation of today's municipality.
    """

    def __init__(
        self, lists: dict[int, dict[str, str]], changes: Iterable[tuple[str, str, str, str, date]]
    ) -> None:
        self._today = lists[max(lists)]
        self._lists = lists
        # Per code, every name it had and when it last had it (rank 0: an old name that
        # held until that day). Lists go oldest first so the newest list's stamp wins.
        seen: dict[str, dict[str, tuple[date, int]]] = defaultdict(dict)
        for year in sorted(lists):
            stamp = (date(year, 1, 1), 1)
            for code, name in lists[year].items():
                seen[code][name] = stamp
        self._moves: dict[str, list[tuple[date, str]]] = defaultdict(list)
        self._parent: dict[str, str] = {}  # union-find over "same municipality" links
        for old, old_name, new, new_name, when in changes:
            for code, name, rank in ((old, old_name, 0), (new, new_name, 1)):
                if seen[code].get(name, (date.min, 0)) < (when, rank):
                    seen[code][name] = (when, rank)
            if old != new:
                self._moves[old].append((when, new))
                if old_name == new_name or _keys(old_name) & _keys(new_name):
                    self._parent[self._find(old)] = self._find(new)
        # Every name a code had, oldest first: the last is its Klass name today.
        self._names = {c: sorted(n, key=n.__getitem__) for c, n in seen.items()}
        self._resolved: dict[tuple[str, date], _Resolved] = {}

    # The name index, the resolution of each code and the reverse table are built on
    # first use: most commands need only part of them, and loading must stay cheap.
    @cached_property
    def _index(self) -> dict[str, set[str]]:
        index: dict[str, set[str]] = defaultdict(set)
        for code, names in self._names.items():
            for name in names:
                for key in _keys(name):
                    index[key].add(code)
        return index

    @cached_property
    def _codes_of(self) -> dict[str, set[str]]:
        table: dict[str, set[str]] = defaultdict(set)
        for code in self._names:
            today = self.current(code)
            if len(today) == 1:
                table[next(iter(today))].add(code)
        return table

    @classmethod
    def load(cls) -> MunicipalityHistory:
        """The history from the shipped Klass files, parsed once per process."""
        return _load_history()

    def _find(self, code: str) -> str:
        while (parent := self._parent.get(code, code)) != code:
            code = parent
        return code

    def _resolve(self, code: str, since: date = date.min) -> _Resolved:
        """Today's codes of `code`'s area, following the first change after `since`, and
        where the first split on the way happened."""
        if (code, since) in self._resolved:
            return self._resolved[code, since]
        later = [(when, new) for when, new in self._moves.get(code, ()) if when > since]
        result: set[str] = {code} if not later and code in self._today else set()
        split = None
        if later:
            first = min(when for when, _ in later)
            targets = sorted({new for when, new in later if when == first})
            split = (code, first) if len(targets) > 1 else None
            for target in targets:
                codes, deeper = self._resolve(target, first)
                result |= codes
                split = split or deeper
        self._resolved[code, since] = frozenset(result), split
        return self._resolved[code, since]

    def _require(self, code: str) -> None:
        if not self.is_known(code):
            raise MunicipalityLookupError("E-MUNICIPALITY", f"unknown municipality code {code}")

    def _newest(self, codes: Iterable[str]) -> str:
        def valid_until(code: str) -> date:
            return min((when for when, _ in self._moves.get(code, ())), default=date.max)

        return max(codes, key=lambda c: (valid_until(c), c))

    def _display(self, code: str) -> str:
        """Code and the most telling name it had: with its county when Klass gave one."""
        with_county = [n for n in self._names[code] if _COUNTY.search(n)]
        return f"{code} {(with_county or self._names[code])[-1]}"

    def is_known(self, code: str) -> bool:
        return code in self._names

    def name(self, code: str) -> str:
        self._require(code)
        return self._names[code][-1]

    def parse(self, value: str) -> str:
        """A cell value (code, code and name, or name) -> its 4-digit Klass code."""
        text = _clean(value)
        if not text:
            raise MunicipalityLookupError("E-MUNICIPALITY", "empty municipality")
        if match := _NUMBER.fullmatch(text) or _CODE_NAME.fullmatch(text):
            code = match.group(1)
            code = "0" + code if len(code) == 3 else code
            self._require(code)
            if match.re is _CODE_NAME:
                self._check_name_of(code, text[match.end(1) :])
            return code
        candidates = self._index.get(_key(text)) or self._index.get(_key(_KOMMUNE.sub("", text)))
        if not candidates:
            import difflib  # only on this error path

            close = difflib.get_close_matches(_key(text), self._index, n=1)
            hint = (
                f" (did you mean {self.name(self._newest(self._index[close[0]]))}?)"
                if close
                else ""
            )
            raise MunicipalityLookupError(
                "E-MUNICIPALITY", f"unknown municipality name {text!r}{hint}"
            )
        groups: dict[str, list[str]] = defaultdict(list)
        for code in candidates:
            groups[self._find(code)].append(code)
        if len(groups) > 1:
            shown = sorted(self._display(self._newest(codes)) for codes in groups.values())
            raise MunicipalityLookupError(
                "E-MUNICIPALITY-AMBIGUOUS",
                f"{text!r} is the name of several municipalities: {', '.join(shown)}",
            )
        return self._newest(candidates)  # one municipality under several codes: the newest

    def _check_name_of(self, code: str, rest: str) -> None:
        """`3005 Lier`: a code and the name of another municipality contradict each other;
        a person cannot tell which is meant, so neither is taken. A name intd does not know
        (`3005 Drammen sentrum`) is left to the code."""
        name = _clean(rest.lstrip(" .,0-–—:"))
        candidates = self._index.get(_key(name)) or self._index.get(_key(_KOMMUNE.sub("", name)))
        if not candidates:
            return
        root = self._find(code)
        if all(self._find(other) != root for other in candidates):
            raise MunicipalityLookupError(
                "E-MUNICIPALITY",
                f"the code {code} is {self.name(code)}, but the cell also names {name!r}",
            )

    def current(self, code: str) -> frozenset[str]:
        """Today's codes that `code`'s area is in: one, several after a split, none for 9999."""
        if code == UNKNOWN_CODE:
            return frozenset()
        self._require(code)
        return self._resolve(code)[0]

    def current_municipality(self, code: str) -> Municipality | None:
        today = self.current(code)
        if len(today) != 1:
            return None
        (only,) = today
        return Municipality(only, self.name(only))

    def codes_of(self, current_code: str) -> frozenset[str]:
        """Every code whose whole area is in today's `current_code` (including itself)."""
        if current_code not in self._today or current_code == UNKNOWN_CODE:
            raise MunicipalityLookupError(
                "E-MUNICIPALITY", f"{current_code} is not a municipality code in use today"
            )
        return frozenset(self._codes_of[current_code])

    def is_continuation(self, code: str) -> bool:
        """True if `code` is today's municipality under an older code or name."""
        today = self.current(code)
        return len(today) == 1 and self._find(code) == self._find(next(iter(today)))

    def merger(self, code: str) -> tuple[date, tuple[str, ...]] | None:
        """For a code that merged into another municipality: when, and the codes its
        successor had from then on (0713 -> 2020-01-01, ('3802', '3903'))."""
        if self.is_continuation(code) or len(self.current(code)) != 1:
            return None
        steps, since, step = [], date.min, code
        while later := [m for m in self._moves.get(step, ()) if m[0] > since]:
            since, step = min(later)
            steps.append((since, step))
        index = next(i for i, (_, c) in enumerate(steps) if self._find(c) != self._find(code))
        return steps[index][0], tuple(c for _, c in steps[index:])

    def merger_note(self, code: str, kind: MergerKind, into: str) -> MergerNote | None:
        """The note that `code` merged into the municipality named `into` (None when it
        did not merge): when, its successor's codes since, and the codes it absorbed."""
        merger = self.merger(code)
        if merger is None:
            return None
        when, codes = merger
        absorbed = tuple(sorted(self.absorbed_codes(code)))
        return MergerNote(kind, code, self.name(code), into, when.year, codes, absorbed)

    def absorbed_codes(self, code: str) -> frozenset[str]:
        """`code` and every older code whose whole area went into it."""
        found, todo = {code}, [code]
        while todo:
            target = todo.pop()
            for old, moves in self._moves.items():
                if old not in found and {new for _, new in moves} == {target}:
                    found.add(old)
                    todo.append(old)
        return frozenset(found)

    def split_sentence(self, code: str) -> str | None:
        """'1507 Ålesund was split in 2024 into 1508 Ålesund and 1580 Haram', or None."""
        split = self._resolve(code)[1] if self.is_known(code) else None
        if split is None:
            return None
        at, when = split
        parts = [f"{c} {self.name(c)}" for c in sorted(self.current(code))]
        via = "" if at == code else f" (as {at})"
        return (
            f"{code} {self.name(code)}{via} was split in {when.year} into "
            f"{', '.join(parts[:-1])} and {parts[-1]}"
        )

    def group(self, code: str | None) -> tuple[str, str]:
        """Key and label of a whole-project table row for a record with this code."""
        if code is None or code == UNKNOWN_CODE:
            return "unknown", "unknown"
        today = self.current(code)
        if len(today) == 1:
            (only,) = today
            return only, self.name(only)
        at, when = self._resolve(code)[1] or (code, date.min)  # one row per code that split
        return f"split:{at}", f"{self.name(at)} ({at}, split {when.year})"

    def split_year(self, code: str) -> int:
        """The year the area of `code` was first split (a code `group` gave a split row)."""
        split = self._resolve(code)[1]
        assert split is not None, code
        return split[1].year

    def valid_years(self, code: str) -> tuple[int, int | None] | None:
        """First and last year the code is in Klass's yearly lists (last None: still in
        use), or None for a code that was gone before 2015."""
        years = sorted(self._lists)
        listed = [y for y in years if code in self._lists[y]]
        if not listed:
            return None
        later = [y for y in years if y > listed[-1]]
        return listed[0], (later[0] - 1 if later else None)

    def list_years(self) -> tuple[int, ...]:
        """The years of Klass's yearly lists, oldest first (each valid to the next)."""
        return tuple(sorted(self._lists))

    def codes_in(self, year: int) -> frozenset[str]:
        """The codes of the yearly list of `year` (one of `list_years`)."""
        return frozenset(self._lists[year])

    def same_municipality(self, a: str, b: str) -> bool:
        """Whether two codes are one municipality over time (0602 and 3301 Drammen; not
        0625 Nedre Eiker and 3301)."""
        return self._find(a) == self._find(b)

    def current_list(self) -> list[Municipality]:
        return [Municipality(c, n) for c, n in sorted(self._today.items()) if c != UNKNOWN_CODE]


def _rows(item: Traversable) -> list[list[str]]:
    text = _STRAY_SPACE.sub("", item.read_text(encoding="utf-8-sig"))
    return [row for row in list(csv.reader(text.splitlines()))[1:] if row]


@cache
def _load_history() -> MunicipalityHistory:
    folder = resources.files("intdrammen") / "data" / "klass131"
    lists: dict[int, dict[str, str]] = {}
    for item in folder.iterdir():
        if match := re.fullmatch(r"municipalities_(\d{4})\.csv", item.name):
            lists[int(match.group(1))] = {code: name for code, name in _rows(item)}
    changes = [
        (old, old_name, new, new_name, date.fromisoformat(when))
        for old, old_name, new, new_name, when in _rows(folder / "changes.csv")
    ]
    return MunicipalityHistory(lists, changes)


# ----------------------------------------------------------------------------- regions


@dataclass(frozen=True)
class RegionMember:
    """One row of a region table and the codes whose records count for it."""

    label: str
    codes: frozenset[str]
    current_code: str | None
    start: date | None = None
    end: date | None = None
    merged_into: str | None = None
    merged: PartLabel | None = None  # a merged-away member: its row's typed label

    def active_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Region:
    """A region resolved against the Klass history: its rows, in the order configured."""

    name: str
    members: tuple[RegionMember, ...]
    candidates: tuple[RegionMember, ...] = ()
    notes: tuple[Note, ...] = ()
    description: str = ""

    def member_for(self, code: str | None, on: date) -> RegionMember | None:
        """The member a record with this code counts for on `on`; None: not in the region."""
        return next((m for m in self.members if code in m.codes and m.active_on(on)), None)

    def contains(self, code: str | None, on: date) -> bool:
        return self.member_for(code, on) is not None

    def within(self, other: Region) -> bool:
        """Whether every code this region counts is one `other` counts too (Lier within
        Drammensregionen; not Drammensregionen within Drammen)."""
        mine = {code for m in self.members for code in m.codes}
        return mine <= {code for m in other.members for code in m.codes}

    def overlaps(self, other: Region, start: date, end: date) -> bool:
        """Whether a record could count for both regions on some day from `start` to
        `end`: a code that a member of each counts, with both members active then."""
        for mine in self.members:
            for theirs in other.members:
                first = max(d for d in (start, mine.start, theirs.start) if d is not None)
                last = min(d for d in (end, mine.end, theirs.end) if d is not None)
                if first <= last and mine.codes & theirs.codes:
                    return True
        return False


@dataclass(frozen=True)
class MemberSpec:
    """One `{ municipality = ..., from = ..., to = ... }` entry, parsed to a Klass code."""

    code: str
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class RegionSpec:
    name: str
    members: tuple[MemberSpec, ...]
    candidates: tuple[MemberSpec, ...] = ()
    description: str = ""
    source: str = ""


@dataclass(frozen=True)
class RegionConfig:
    regions: dict[str, RegionSpec]  # keyed by the normalised region name (_key)
    version: str
    sources: tuple[str, ...]


def load_regions(user_file: Path | None = None) -> RegionConfig:
    """The shipped regions, with a user's file merged in by region name."""
    history = MunicipalityHistory.load()
    shipped = resources.files("intdrammen") / "data" / "regions.toml"
    files = [("intdrammen/data/regions.toml", shipped.read_bytes())]
    if user_file is not None:
        try:
            files.append((str(user_file), user_file.read_bytes()))
        except OSError as exc:
            raise ConfigError(f"Cannot read regions file {user_file}: {exc.strerror}.") from None
    regions: dict[str, RegionSpec] = {}
    version = "?"
    for source, raw in files:
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{source} is not valid TOML: {exc}.") from None
        _check_keys(data, {"version", "region"}, source)
        version = str(data.get("version", version))
        entries = data.get("region", [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise ConfigError(f"{source}: write each region as a [[region]] table.")
        for entry in entries:
            spec = _region_spec(entry, source, history)
            regions[_key(spec.name)] = spec  # same name as a shipped region: replaces it
    digest = hashlib.sha256(b"".join(raw for _, raw in files)).hexdigest()[:8]
    return RegionConfig(regions, f"{version}+{digest}", tuple(s for s, _ in files))


def _check_keys(table: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:  # a typo like `form = 2018-01-01` must not silently mean "always"
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; use {', '.join(sorted(allowed))}.")


def _region_spec(entry: dict[str, Any], source: str, history: MunicipalityHistory) -> RegionSpec:
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f'{source}: every [[region]] needs a name = "...".')
    name = name.strip()
    where = f"{source}, region {name!r}"
    _check_keys(entry, {"name", "description", "members", "candidates"}, where)
    members = _member_specs(entry.get("members", []), where, history)
    if not members:
        raise ConfigError(f"{where}: the region needs at least one member.")
    candidates = _member_specs(entry.get("candidates", []), where, history)
    description = entry.get("description", "")
    if not isinstance(description, str):
        raise ConfigError(f"{where}: description must be text.")
    return RegionSpec(name, members, candidates, description.strip(), source)


def _member_specs(raw: Any, where: str, history: MunicipalityHistory) -> tuple[MemberSpec, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f'{where}: list members as [{{ municipality = "0602" }}, ...].')
    specs = []
    for item in raw:
        table = {"municipality": item} if isinstance(item, str) else item
        value = table.get("municipality") if isinstance(table, dict) else None
        if not isinstance(table, dict) or not isinstance(value, str):
            raise ConfigError(f'{where}: member {item!r} needs municipality = "code or name".')
        at = f"{where}, member {value!r}"
        _check_keys(table, {"municipality", "from", "to"}, at)
        try:
            code = history.parse(value)
        except MunicipalityLookupError as exc:
            raise ConfigError(f"{at}: {exc.message}.") from None
        if code == UNKNOWN_CODE or len(history.current(code)) != 1:
            split = history.split_sentence(code)
            raise ConfigError(f"{at}: {split or 'not a municipality'}; list today's parts instead.")
        start, end = table.get("from"), table.get("to")
        for day in (start, end):
            if day is not None and (not isinstance(day, date) or isinstance(day, datetime)):
                raise ConfigError(
                    f"{at}: write from/to as a TOML date, e.g. 2018-01-01 (no quotes)."
                )
        if start is not None and end is not None and start > end:
            raise ConfigError(f"{at}: `from` ({start}) is after `to` ({end}).")
        specs.append(MemberSpec(code, start, end))
    return tuple(specs)


def _unknown_region(query: str, config: RegionConfig) -> UnknownName:
    names = ", ".join(spec.name for spec in config.regions.values())
    return UnknownName(
        f"No region, municipality or county called {query!r}. Configured regions: {names}; "
        "`intd regions` lists them, and any municipality or county name or code works "
        "as a region."
    )


def build_region(name: str, config: RegionConfig, history: MunicipalityHistory) -> Region:
    """The configured region `name` with members resolved to today's municipalities."""
    spec = config.regions.get(_key(name))
    if spec is None:
        raise _unknown_region(name, config)
    notes: list[MergerNote] = []
    members = _members(spec, spec.members, history, notes)
    candidates = _members(spec, spec.candidates, history, None)
    return Region(spec.name, members, candidates, tuple(dict.fromkeys(notes)), spec.description)


def _members(
    spec: RegionSpec,
    items: tuple[MemberSpec, ...],
    history: MunicipalityHistory,
    notes: list[MergerNote] | None,  # None: candidates, which are never absorbed and get no notes
) -> tuple[RegionMember, ...]:
    # Today's municipalities listed as members, with their dates: a merged-away member
    # that is now part of one of them counts as part of it, so it must share its dates.
    today = {
        next(iter(history.current(s.code))): (s.start, s.end)
        for s in items
        if history.is_continuation(s.code)
    }
    out: dict[tuple[str, str | None], RegionMember] = {}
    for item in items:
        here = history.current_municipality(item.code)
        assert here is not None  # load_regions refused codes that split
        merger = history.merger(item.code)
        if merger is None:
            member = RegionMember(
                here.name, history.codes_of(here.code), here.code, item.start, item.end
            )
        else:
            (when, later), old = merger, f"{history.name(item.code)} ({item.code})"
            if notes is not None and here.code in today:
                if (item.start, item.end) != today[here.code]:
                    raise ConfigError(
                        f"{spec.source}, region {spec.name!r}: {old} is part of today's "
                        f"{here.name}, also a member, and is counted with it; its own "
                        f"from/to would be ignored. Give the dates on {here.name} only, "
                        "or the same dates on both."
                    )
                notes.append(
                    MergerNote(
                        MergerKind.COUNTED,
                        item.code,
                        history.name(item.code),
                        here.name,
                        when.year,
                        later,
                        tuple(sorted(history.absorbed_codes(item.code))),
                    )
                )
                continue
            member = RegionMember(
                history.name(item.code),
                history.absorbed_codes(item.code),
                here.code,
                item.start,
                item.end,
                merged_into=here.name,
                merged=PartLabel(history.name(item.code), item.code, here.name, when.year),
            )
            if notes is not None:
                notes.append(
                    MergerNote(
                        MergerKind.NOT_COUNTABLE,
                        item.code,
                        history.name(item.code),
                        here.name,
                        when.year,
                        later,
                        tuple(sorted(member.codes)),
                        region=spec.name,
                    )
                )
        seen = out.setdefault((member.label, member.current_code), member)  # duplicates collapse
        if (seen.start, seen.end) != (member.start, member.end):
            raise ConfigError(
                f"{spec.source}, region {spec.name!r}: {member.label} is listed twice "
                "with different dates; give it one from/to."
            )
        out[member.label, member.current_code] = replace(seen, codes=seen.codes | member.codes)
    return tuple(out.values())


def resolve_region(query: str, config: RegionConfig, history: MunicipalityHistory) -> Region:
    """A configured region by name, else the municipality of that name or code as a
    region, else the county (Klass 104) of that name or code: regions.toml first, as
    for municipality names; Oslo is the municipality (the same members as county 03)."""
    if _key(query) in config.regions:
        return build_region(query, config, history)
    try:
        code = history.parse(query)
    except MunicipalityLookupError as exc:
        if exc.code == "E-MUNICIPALITY-AMBIGUOUS":
            raise UnknownName(exc.message, hint=HINTS[exc.code]) from None
        from intdrammen.counties import county_region, find_county  # imports this module

        county = find_county(query)
        if county is None:
            raise _unknown_region(query, config) from None
        return county_region(county, history)
    if code == UNKNOWN_CODE:
        raise UnknownName("9999 (Uoppgitt) means an unknown municipality and is in no region.")
    here = history.current_municipality(code)
    if here is None:
        raise UnknownName(
            f"{history.split_sentence(code)}, so {code} is ambiguous since then; "
            "ask for one of the new municipalities."
        )
    note = history.merger_note(code, MergerKind.SHOWN_AS_TODAY, here.name)
    notes = (note,) if note is not None else ()
    member = RegionMember(here.name, history.codes_of(here.code), here.code)
    return Region(here.name, (member,), notes=notes, description=f"{here.name} ({here.code})")
