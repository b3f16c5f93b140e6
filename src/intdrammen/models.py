"""The domain's vocabulary as plain types: what a participant, a placement, a goal and a
figure are. Everything above this module speaks these types; nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple


class PlacementType(StrEnum):
    """What a placement is. Only `job` and `apprenticeship` are work (definitions.md)."""

    JOB = "job"
    APPRENTICESHIP = "apprenticeship"
    EDUCATION = "education"
    WORK_TRIAL = "work_trial"
    COURSE = "course"
    PRIMARY_SCHOOL = "primary_school"


# Placement types that make a person "into work" for the 1000 and 300 goals.
WORK_TYPES: frozenset[str] = frozenset({PlacementType.JOB, PlacementType.APPRENTICESHIP})
# Placement types that count as work or education for the introduction-programme measures.
# Primary school (grunnskole) is not education in IMDi's sense.
WORK_OR_EDUCATION_TYPES: frozenset[str] = WORK_TYPES | {PlacementType.EDUCATION}


class Outcome(StrEnum):
    """The status of a participant at the end of the introduction programme."""

    WORK = "work"
    EDUCATION = "education"
    WORK_AND_EDUCATION = "work_and_education"
    UNEMPLOYED = "unemployed"
    MEASURE = "measure"
    OTHER = "other"
    UNKNOWN = "unknown"


WORK_OR_EDUCATION_OUTCOMES: frozenset[str] = frozenset(
    {Outcome.WORK, Outcome.EDUCATION, Outcome.WORK_AND_EDUCATION}
)


class EndReason(StrEnum):
    """Why a participant's introduction programme ended."""

    COMPLETED = "completed"
    INTERRUPTED = "interrupted"
    MOVED = "moved"


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"


class GoalKind(StrEnum):
    PERSONS_INTO_WORK = "persons_into_work"
    INTRO_DIRECT = "intro_direct"
    INTRO_ONE_YEAR = "intro_one_year"


@dataclass(frozen=True)
class Source:
    """Where a stored row came from: import batch, file, sheet and spreadsheet row."""

    batch_id: int
    file: str
    row: int
    sheet: str | None = None

    def __str__(self) -> str:
        sheet = f"[{self.sheet}]" if self.sheet else ""
        return f"{self.file}{sheet}:{self.row}"


@dataclass(frozen=True)
class Window:
    """A closed date interval: both the first and the last day belong to it."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Goal:
    """A goal as configured in goals.toml.

    Persons-into-work goals have a window (`start`..`end`), or, with `every_year`, one
    window per calendar year from `start`'s year on (`end` None = no end). Introduction
    goals have a rate `target` (0.55) and apply to the cohort of every year.
    """

    id: str
    title: str
    kind: GoalKind
    target: Fraction
    start: date | None = None
    end: date | None = None
    every_year: bool = False
    region: str | None = None
    days_after: int = 30
    measured_on: tuple[int, int] = (11, 15)
    title_nb: str | None = None
    source: str | None = None

    def window_for(self, year: int) -> Window | None:
        """The window of this goal that overlaps `year`, or None if none does."""
        if self.kind is not GoalKind.PERSONS_INTO_WORK or self.start is None:
            return None
        if self.every_year:
            if year < self.start.year or (self.end is not None and year > self.end.year):
                return None
            return Window(max(date(year, 1, 1), self.start), min_date(date(year, 12, 31), self.end))
        end = self.end or date(9999, 12, 31)
        if year < self.start.year or year > end.year:
            return None
        return Window(self.start, end)


def min_date(a: date, b: date | None) -> date:
    return a if b is None or a <= b else b


@dataclass(frozen=True)
class NationalFigure:
    """A published national figure to compare with, labelled with its source."""

    area: str  # "Norge", or a municipality that published its own result
    measure: str  # "direct" or "one_year"
    cohort_year: int
    rate: Fraction
    ended: int | None
    work_or_education: int | None
    source: str
    published_as: str | None = None


@dataclass(frozen=True)
class Municipality:
    """A municipality as it exists today (Klass 131, newest list)."""

    code: str
    name: str


@dataclass(frozen=True)
class Provenance:
    """What an output was computed from: stamped on every report."""

    intd_version: str
    data_as_of: str | None
    files: tuple[tuple[str, str, int], ...] = ()  # (file name, sha256 prefix, batch id)
    goals_version: str = ""
    regions_version: str = ""
    notes: tuple[Note, ...] = field(default_factory=tuple)
    # The language-training rules' version, on outputs with their figures (else None).
    requirements_version: str | None = None


# ------------------------------------------------------------------- rows the figures read


class JobStart(NamedTuple):
    """The earliest job or apprenticeship start of one participant id in a period."""

    participant_id: str
    person: str
    municipality: str | None
    start: date
    year: int
    gender: str | None = None
    country: str | None = None
    birth_year: int | None = None
    channel: str | None = None
    employer: str | None = None


class IntroRecord(NamedTuple):
    """A participant whose introduction programme ended."""

    participant_id: str
    person: str
    municipality: str | None
    intro_end: date
    reason: str | None
    outcome: str | None
    status_1y: str | None
    gender: str | None
    country: str | None
    birth_year: int | None
    source: str


class LanguageRecord(NamedTuple):
    """A participant whose introduction programme ended, with the columns the
    language-training requirement reads (None: not recorded)."""

    participant_id: str
    municipality: str | None
    intro_end: date
    reason: str | None
    permit_date: date | None
    settled_date: date | None
    norwegian_hours: float | None
    social_studies_hours: float | None
    norwegian_level: str | None
    source: str


class Activity(NamedTuple):
    """A placement of a person, as the introduction measures and `explain` see it."""

    person: str
    participant_id: str
    placement_key: str
    placement_id: str | None
    type: str
    start: date
    end: date | None
    municipality: str | None
    employer: str | None
    channel: str | None
    source: str


# ------------------------------------------------- typed notes and labels (no sentences)
# Report values carry these facts; render/fmt.py turns them into words per language from
# one translation table per language (render/lang/). Nothing reads a sentence back.


class CountyKind(StrEnum):
    """How a county asked for as a region counts records."""

    FORMER = "county_former"  # by the record's date: the municipalities in it that day
    SAME_NAME = "county_same_name"  # today's county; a former one had the same name


@dataclass(frozen=True)
class CountyNote:
    """A county (Klass 104) asked for as a region, and how its records are counted.

    For `county_former`, `code`/`name`/`start`/`end` are the former county's, whose
    members are the municipalities that belonged to it on each record's date. For
    `county_same_name`, they are the former county of the same name as today's county
    asked for (`region`), which is asked for by its code."""

    kind: CountyKind
    code: str
    name: str
    start: date | None
    end: date | None
    region: str  # the region's name as shown (the county asked for)

    def fields(self) -> dict[str, object]:
        """The typed fields for JSON (`county_notes`)."""
        return {
            "kind": self.kind.value,
            "code": self.code,
            "name": self.name,
            "valid_from": None if self.start is None else self.start.isoformat(),
            "valid_to": None if self.end is None else self.end.isoformat(),
            "region": self.region,
        }

    def explains(self, considered: frozenset[str], shown: frozenset[str] = frozenset()) -> bool:
        """A county note is about the whole region: every output of it carries it."""
        return True


class MergerKind(StrEnum):
    """How a region treats a municipality that merged into another."""

    COUNTED = "counted"  # its successor is a member too: counted as part of it
    NOT_COUNTABLE = "not_countable"  # its successor is not: later records are not counted
    SHOWN_AS_TODAY = "shown_as_today"  # asked for by its old name: today's municipality shown


@dataclass(frozen=True)
class MergerNote:
    """A municipality merger that a region's figures depend on.

    `codes` are the successor's codes from the merger on (for `not_countable`, the codes
    whose records cannot be told apart and are not counted); `old_codes` are the old
    municipality's own codes (its code and those whose whole area went into it)."""

    kind: MergerKind
    old_code: str
    old_name: str
    merged_into: str
    year: int
    codes: tuple[str, ...] = ()
    old_codes: tuple[str, ...] = ()
    # For not_countable: the region whose figures leave those records out (the rest of
    # the output, the whole project say, may count them under today's municipality).
    region: str | None = None

    def fields(self) -> dict[str, object]:
        """The typed fields for JSON (`merger_notes`)."""
        return {
            "kind": self.kind.value,
            "old_code": self.old_code,
            "old_name": self.old_name,
            "merged_into": self.merged_into,
            "year": self.year,
            "codes": list(self.codes),
            "old_codes": list(self.old_codes),
            "region": self.region,
        }

    def explains(self, considered: frozenset[str], shown: frozenset[str] = frozenset()) -> bool:
        """Whether this note explains something in an output whose records carry the
        municipality codes `considered` (every record the output looked at, counted or
        not) and whose rows show the municipalities coded `shown`:

        - counted: a record carries one of the old codes (it is counted under today's
          name, which the note explains);
        - not_countable: a record carries an old code or one of the successor's codes
          (the note says why the latter are not counted), or the output shows the old
          municipality's own row (the note says why its figures stop at the merger);
        - shown_as_today: always (the output is about the region it names).
        """
        own = {self.old_code, *self.old_codes}
        if self.kind is MergerKind.SHOWN_AS_TODAY:
            return True
        if self.kind is MergerKind.COUNTED:
            return bool(own & considered)
        return bool((own | set(self.codes)) & considered) or bool(own & shown)


Note = MergerNote | CountyNote  # a note a region's outputs carry


@dataclass(frozen=True)
class GoalNotApplicable:
    """A goal left out of an output: it counts only `goal_region`, which does not overlap
    the region asked for (`region`) over the goal's window, so it can count no one there."""

    goal_id: str
    goal_region: str
    region: str

    def fields(self) -> dict[str, object]:
        """The typed fields for JSON (`not_applicable`)."""
        return {"id": self.goal_id, "goal_region": self.goal_region, "region": self.region}


@dataclass(frozen=True)
class QuarterLabel:
    """A `--by quarter` row: year and quarter (1-4)."""

    year: int
    quarter: int

    @property
    def key(self) -> str:
        """The row's stable key (JSON `label`): "2019 Q3"."""
        return f"{self.year} Q{self.quarter}"


@dataclass(frozen=True)
class SplitLabel:
    """A whole-project row of a municipality that was split: its name and code before the
    split, and the year of the split."""

    name: str
    code: str
    year: int

    @property
    def key(self) -> str:
        """The row's stable key (JSON `label`): "Ålesund (1507, split 2024)"."""
        return f"{self.name} ({self.code}, split {self.year})"


@dataclass(frozen=True)
class PartLabel:
    """A region row that counts only the part of today's municipality that was once an
    old one (Sande (Vestfold) 0713, part of Holmestrand since 2020): records under the
    successor's codes cannot be told apart and are not counted."""

    name: str  # the old municipality's name
    code: str  # its code
    today: str  # today's municipality it is part of
    year: int  # the year of the merger

    @property
    def key(self) -> str:
        """The row's stable key (JSON `label`): today's municipality first, as in the
        whole-project rows, then the old one it counts: "Holmestrand (former Sande
        (Vestfold), 0713)"."""
        return f"{self.today} (former {self.name}, {self.code})"


RowLabel = QuarterLabel | SplitLabel | PartLabel


class DetailCode(StrEnum):
    """What an `intd explain` detail states (ExplainDetail)."""

    MUNICIPALITY = "municipality"  # outside_region: the first job's municipality code
    FIRST_JOB_STARTS = "first_job_starts"  # after_period: the first job's start
    JOB_STARTS = "job_starts"  # outside_window: the starts of the person's (first 3) jobs
    PLACEMENTS = "placements"  # no_job / a placement type: the person's placement types
    ENDED = "ended"  # introduction measures: the day the programme ended


@dataclass(frozen=True)
class ExplainDetail:
    """The detail of an `intd explain` row as facts: a code and the fields it names."""

    code: DetailCode
    municipality: str | None = None  # None with MUNICIPALITY: unknown municipality
    dates: tuple[date, ...] = ()
    placement_types: tuple[str, ...] = ()

    @property
    def date(self) -> date | None:
        """The first date the detail names (the one an analyst sorts by), if any."""
        return self.dates[0] if self.dates else None

    def fields(self) -> dict[str, object]:
        """The typed fields for JSON and frames (dates as ISO text), only those set."""
        out: dict[str, object] = {"code": self.code.value}
        if self.code is DetailCode.MUNICIPALITY:
            out["municipality"] = self.municipality
        if self.dates:
            out["dates"] = [d.isoformat() for d in self.dates]
        if self.placement_types:
            out["placement_types"] = list(self.placement_types)
        return out


# ----------------------------------------------------------------------------- language
# The language-training requirement for permanent residence (issue 17; definitions.md
# "The language-training requirement"). The rules are data: data/requirements.toml.

# The levels of the Common European Framework the Norwegian tests report, lowest first.
CEFR_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")


@dataclass(frozen=True)
class LanguageRule:
    """The requirement for people whose first permit is dated `start`..`end` (both days
    included; None = open). Each part that is not None must be met: hours of Norwegian,
    hours of social studies, hours of both in all, a Norwegian test level. With
    `level_required` and no `minimum_level` the rule needs a level its file does not
    name: nobody under it can be judged until one is configured."""

    id: str
    start: date | None
    end: date | None
    norwegian_hours: float | None = None
    social_studies_hours: float | None = None
    hours_in_all: float | None = None
    level_required: bool = False
    minimum_level: str | None = None
    source: str | None = None

    def applies_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


class LanguageVerdict(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    CANNOT_JUDGE = "cannot_judge"


@dataclass(frozen=True)
class LanguageResult:
    """What `metrics.language_requirement` found: the verdict, the reasons (stable codes,
    the renderers word them), the rule applied and the date it was chosen by ("permit",
    or "settled" where the permit date is missing; None when neither is known)."""

    verdict: LanguageVerdict
    reasons: tuple[str, ...]
    rule: str | None
    basis: str | None
