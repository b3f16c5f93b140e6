"""Canonical columns, the names offices use for them, and the parsers for their values.

A new column alias is one line in `PARTICIPANT_FIELDS` or `PLACEMENT_FIELDS`. A new value
spelling (a Norwegian word for an outcome, say) is one line in the vocabularies below.
Parsers take a raw cell (str from CSV, or a typed value from a workbook) and return the
stored value or raise `ValueProblem(code, message)`; they never see the file or the row.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from dataclasses import field as _field
from datetime import date, datetime, timedelta

from intdrammen.ids import FNR_HIDDEN, contains_fnr
from intdrammen.importers.workbook_cells import SERIALS_1904, Uncalculated, is_error_literal
from intdrammen.models import EndReason, Gender, Outcome, PlacementType


class ValueProblem(Exception):
    """A cell value that cannot be used, with a stable code from errors.HINTS."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Field:
    name: str
    aliases: tuple[str, ...]
    description: str
    required: bool = False
    # Those of `aliases` that are loose words (a bare "deltaker", "id", "start"): a column
    # named by the field's own name or an exact alias is read before one of these.
    loose: tuple[str, ...] = ()


PARTICIPANTS = "participants"
PLACEMENTS = "placements"
KINDS = (PARTICIPANTS, PLACEMENTS)

PARTICIPANT_FIELDS: tuple[Field, ...] = (
    Field(
        "participant_id",
        ("deltaker_id", "deltakerid", "deltaker", "deltakernr", "deltakernummer", "id"),
        "the office's id of the person",
        True,
        loose=("deltaker", "id"),
    ),
    Field(
        "national_id",
        (
            "fødselsnummer",
            "fnr",
            "fodselsnummer",
            "personnummer",
            "d_nummer",
            "fødselsnr",
            "ssn",
            "fødselsnummer/d-nummer",
            "fnr/dnr",
        ),
        "fødselsnummer, D- or H-number (kept only as a keyed hash)",
    ),
    Field(
        "birth_year",
        ("fødselsår", "fodselsar", "født", "year_of_birth", "fødselsdato"),
        "year of birth (from a birth date, only the year is read)",
        loose=("født", "fødselsdato"),
    ),
    Field("gender", ("kjønn", "kjonn", "sex"), "K/M/F, kvinne or mann"),
    Field(
        "country",
        ("landbakgrunn", "land", "country_of_origin", "opprinnelsesland", "nasjonalitet"),
        "country background",
        loose=("land",),
    ),
    Field(
        "municipality",
        (
            "kommune",
            "kommunenr",
            "kommunenummer",
            "bostedskommune",
            "kommune_nr",
            "municipality_code",
        ),
        "4-digit municipality code or name (responsible municipality)",
    ),
    Field(
        "settled_date",
        ("bosettingsdato", "bosatt", "bosatt_dato", "settled"),
        "date of settlement",
        loose=("bosatt", "settled"),
    ),
    Field(
        "intro_start",
        (
            "intro_start",
            "introstart",
            "programstart",
            "startdato_intro",
            "intro_startdato",
            "introduksjonsprogram_start",
        ),
        "start of the introduction programme",
    ),
    Field(
        "intro_end",
        (
            "intro_slutt",
            "introslutt",
            "intro_sluttdato",
            "programslutt",
            "sluttdato_intro",
            "introduksjonsprogram_slutt",
        ),
        "end of the introduction programme",
    ),
    Field(
        "intro_end_reason",
        ("sluttårsak", "sluttarsak", "end_reason", "avslutningsårsak"),
        "completed/fullført, interrupted/avbrutt, moved/flyttet",
    ),
    Field(
        "intro_outcome",
        ("resultat", "outcome", "utfall", "status_ved_avslutning", "overgang"),
        "status at the end of the programme: work, education, ...",
    ),
    Field(
        "status_1y",
        (
            "status_etter_1_år",
            "status_etter_1_ar",
            "status_ett_år_etter",
            "status_1_år",
            "status_1y",
            "status_one_year",
        ),
        "status one year after the programme (overrides placements)",
    ),
    # The language-training requirement for permanent residence (issue 17), all optional.
    Field(
        "norwegian_hours",
        (
            "timer_norsk",
            "norsktimer",
            "timer_norskopplæring",
            "norskopplæring_timer",
            "hours_norwegian",
        ),
        "hours of Norwegian tuition taken",
    ),
    Field(
        "social_studies_hours",
        (
            "timer_samfunnskunnskap",
            "samfunnskunnskap_timer",
            "samfunnskunnskapstimer",
            "hours_social_studies",
        ),
        "hours of social studies taken",
    ),
    Field(
        "permit_date",
        (
            "oppholdstillatelse",
            "dato_oppholdstillatelse",
            "første_oppholdstillatelse",
            "oppholdstillatelse_dato",
            "first_permit",
            "first_permit_date",
        ),
        "date of the first residence permit (oppholdstillatelse)",
    ),
    Field(
        "norwegian_level",
        ("norsknivå", "nivå_norsk", "norskprøve_nivå", "norwegian_test_level"),
        "level reached in the Norwegian test: A1, A2, B1, B2, C1 or C2",
    ),
    Field(
        "social_studies_passed",
        (
            "samfunnskunnskapsprøve",
            "samfunnskunnskapsprøve_bestått",
            "bestått_samfunnskunnskap",
            "social_studies_test",
            "social_studies_test_passed",
        ),
        "social-studies test passed: ja/nei, yes/no",
    ),
)

PLACEMENT_FIELDS: tuple[Field, ...] = (
    Field(
        "placement_id",
        ("plassering_id", "plasseringsid", "plassering", "tiltak_id"),
        "the office's id of the placement",
        loose=("plassering",),
    ),
    Field(
        "participant_id",
        ("deltaker_id", "deltakerid", "deltaker", "deltakernr", "deltakernummer"),
        "the person placed",
        True,
        loose=("deltaker",),
    ),
    Field(
        "type",
        ("type", "plasseringstype", "placement_type", "art"),
        "job, apprenticeship, education, work_trial, course",
        True,
        loose=("art",),
    ),
    Field(
        "employer_orgnr",
        ("orgnr", "organisasjonsnummer", "org_nr", "arbeidsgiver_orgnr", "orgnummer"),
        "employer's organisation number",
    ),
    Field(
        "employer_name",
        ("arbeidsgiver", "arbeidsgivernavn", "employer", "bedrift", "virksomhet"),
        "employer's name",
    ),
    Field(
        "start_date",
        ("startdato", "start", "fra_dato", "fra", "oppstart"),
        "first day",
        True,
        loose=("start", "fra"),
    ),
    Field(
        "end_date",
        ("sluttdato", "slutt", "til_dato", "til"),
        "last day (empty = ongoing)",
        loose=("slutt", "til"),
    ),
    Field(
        "fte_percent",
        ("stillingsprosent", "stillingsandel", "prosent", "fte", "stilling_prosent"),
        "position size in percent",
        loose=("prosent",),
    ),
    Field(
        "channel",
        ("kanal", "rekrutteringskanal", "via"),
        "how the placement came about",
        loose=("via",),
    ),
    Field(
        "municipality",
        ("kommune", "kommunenr", "kommunenummer", "kommune_nr"),
        "municipality, for people without a participant record",
    ),
)

FIELDS: dict[str, tuple[Field, ...]] = {
    PARTICIPANTS: PARTICIPANT_FIELDS,
    PLACEMENTS: PLACEMENT_FIELDS,
}

_FOLD = str.maketrans({"ø": "o", "å": "a", "æ": "ae", "é": "e", "ü": "u", "ö": "o", "ä": "a"})


def normalise_name(text: str) -> str:
    """A header or vocabulary word reduced to compare: case, accents of æøå, spacing,
    '_', '-', '.' and a trailing '*' or ':' do not matter."""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").strip().casefold()
    text = text.rstrip("*:").strip().translate(_FOLD)
    return re.sub(r"[\s_\-./]+", "_", text).strip("_")


# How surely a column name stands for a field; the lowest rank of a field's columns is
# read, the first of equals (the others are reported as not read).
MAPPED, CANONICAL, ALIAS, LOOSE = range(4)
IGNORE = "ignore"  # --map "Født" = "ignore": a column passed over without a warning
NOT_COPIED = "(not copied)"  # how intd heads a column it left empty in FILE.rejected.csv
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


def column_key(name: str) -> str:
    """A header cell reduced to compare with column names: as `normalise_name`, and
    with no separators at all, so "Deltaker nr", "Deltaker\\nnr" (a line break in the
    cell), "deltaker-nr" and "Deltakernr" are one name; a soft hyphen or zero-width space
    counts for nothing, and intd's own " (not copied)" suffix of a rejected-rows file is
    dropped."""
    text = str(name).translate(_INVISIBLE).strip()
    if text.casefold().endswith(NOT_COPIED):
        text = text[: -len(NOT_COPIED)]
    return normalise_name(text).replace("_", "")


def _alias_index(fields: Sequence[Field]) -> dict[str, tuple[str, int]]:
    index: dict[str, tuple[str, int]] = {}
    for field in fields:
        loose = {column_key(name) for name in field.loose}
        for name in (field.name, *field.aliases):
            key = column_key(name)
            rank = CANONICAL if name == field.name else LOOSE if key in loose else ALIAS
            index.setdefault(key, (field.name, rank))
    return index


RANKED: dict[str, dict[str, tuple[str, int]]] = {
    kind: _alias_index(f) for kind, f in FIELDS.items()
}
ALIASES: dict[str, dict[str, str]] = {
    kind: {key: field for key, (field, _rank) in index.items()} for kind, index in RANKED.items()
}
_ALL_ALIASES = {**ALIASES[PLACEMENTS], **ALIASES[PARTICIPANTS]}
FIELD_NAMES: dict[str, frozenset[str]] = {
    kind: frozenset(f.name for f in fields) for kind, fields in FIELDS.items()
}


# Headers of columns holding people's names: never read, and said so.
NAME_COLUMNS = frozenset(
    column_key(name)
    for name in (
        "navn",
        "fullt navn",
        "fornavn",
        "etternavn",
        "mellomnavn",
        "deltakernavn",
        "deltaker navn",
        "name",
        "full name",
        "first name",
        "last name",
    )
)


def mapping_index(mapping: dict[str, str] | None) -> dict[str, str]:
    """--map as column key -> field (or IGNORE)."""
    return {column_key(theirs): ours for theirs, ours in (mapping or {}).items()}


def score_header(cells: Sequence[str], mapping: dict[str, str] | None = None) -> int:
    """How many cells of a row are known column names, or names given in --map (header
    detection)."""
    own = mapping_index(mapping)
    return sum(
        1 for cell in cells if cell and ((key := column_key(cell)) in _ALL_ALIASES or key in own)
    )


# Columns that only one kind of file has: they decide the kind of a file.
_OWN = {
    PARTICIPANTS: {f.name for f in PARTICIPANT_FIELDS} - {f.name for f in PLACEMENT_FIELDS},
    PLACEMENTS: {f.name for f in PLACEMENT_FIELDS} - {f.name for f in PARTICIPANT_FIELDS},
}


def kind_evidence(
    header: Sequence[str], mapping: dict[str, str] | None = None
) -> dict[str, tuple[int, bool, list[str]]]:
    """Per kind: how many of its own columns the header has, whether all its required
    columns are there, and those own fields (in header order)."""
    evidence = {}
    for kind in KINDS:
        fields = list(match_columns(header, kind, mapping).values())
        own = [f for f in fields if f in _OWN[kind]]
        complete = all(f.name in fields for f in FIELDS[kind] if f.required)
        evidence[kind] = (len(own), complete, own)
    return evidence


def detect_kind(header: Sequence[str], mapping: dict[str, str] | None = None) -> str | None:
    """participants or placements, by which kind's own columns the header has more of;
    on a tie, the only kind whose required columns are all there (a header of just
    participant_id and municipality cannot be placements, which need type and
    start_date)."""
    evidence = kind_evidence(header, mapping)
    scores = {kind: found[0] for kind, found in evidence.items()}
    complete = [kind for kind, found in evidence.items() if found[1]]
    if scores[PARTICIPANTS] != scores[PLACEMENTS]:
        return max(scores, key=lambda k: scores[k])
    return complete[0] if len(complete) == 1 else None


def match_columns(
    header: Sequence[str], kind: str, mapping: dict[str, str] | None = None
) -> dict[int, str]:
    """Column index -> canonical field, for the columns of `header` that are read.

    `mapping` is an office's own names (from --map): a mapped column takes its field
    whatever the other columns are called. Otherwise, of two columns for one field the
    better-ranked name wins (the field's own name, then an exact alias, then a loose
    one such as a bare "deltaker"), and of equals the first; the caller reports the
    others.
    """
    own = mapping_index(mapping)
    best: dict[str, tuple[int, int]] = {}
    for index, cell in enumerate(header):
        found = _match(cell, kind, own)
        if found is not None:
            field, rank = found
            if field not in best or rank < best[field][0]:
                best[field] = (rank, index)
    return {index: field for field, (_rank, index) in sorted(best.items(), key=lambda i: i[1][1])}


def column_match(
    name: str, kind: str, mapping: dict[str, str] | None = None
) -> tuple[str, int] | None:
    """(field, rank) a column name stands for in a file of this kind, if any: a column
    --map names is what the map says (nothing, if ignored or a field of the other kind)."""
    return _match(name, kind, mapping_index(mapping))


def _match(name: str, kind: str, own: dict[str, str]) -> tuple[str, int] | None:
    if not name:
        return None
    key = column_key(name)
    mapped = own.get(key)
    if mapped is not None:
        return (mapped, MAPPED) if mapped in FIELD_NAMES[kind] else None
    return RANKED[kind].get(key)


def field_of(name: str, kind: str, mapping: dict[str, str] | None = None) -> str | None:
    """The field a column name stands for in a file of this kind, if any."""
    found = column_match(name, kind, mapping)
    return found[0] if found else None


# ----------------------------------------------------------------------------- values


def _vocabulary(pairs: dict[str, tuple[str, ...]]) -> dict[str, str]:
    # Parsed words are plain str, not enum members: they go into Arrow string columns
    # (SQLite stores the text either way).
    return {
        normalise_name(word): str(value)
        for value, words in pairs.items()
        for word in (value, *words)
    }


PLACEMENT_TYPES = _vocabulary(
    {
        PlacementType.JOB: (
            "jobb",
            "fast jobb",
            "midlertidig jobb",
            "fast stilling",
            "midlertidig stilling",
            "arbeid",
            "ansettelse",
            "deltid",
            "heltid",
            "permanent job",
            "temporary job",
            "employment",
            "vikariat",
            "sommerjobb",
            "ekstrahjelp",
        ),
        PlacementType.APPRENTICESHIP: (
            "lærling",
            "laerling",
            "lærlingplass",
            "lærekandidat",
            "apprentice",
        ),
        PlacementType.EDUCATION: (
            "utdanning",
            "videregående",
            "videregaende",
            "vgs",
            "høyere utdanning",
            "fagskole",
            "studier",
            "universitet",
        ),
        PlacementType.WORK_TRIAL: (
            "arbeidspraksis",
            "praksis",
            "work trial",
            "språkpraksis",
            "arbeidstrening",
            "work_trial",
        ),
        PlacementType.COURSE: ("kurs", "amo", "amo kurs", "opplæring", "training"),
        PlacementType.PRIMARY_SCHOOL: ("grunnskole", "grunnskoleopplæring", "primary school"),
    }
)

OUTCOMES = _vocabulary(
    {
        Outcome.WORK: ("arbeid", "jobb", "i arbeid", "employment"),
        Outcome.EDUCATION: ("utdanning", "i utdanning", "skole"),
        Outcome.WORK_AND_EDUCATION: (
            "arbeid og utdanning",
            "work and education",
            "arbeid_og_utdanning",
            "utdanning og arbeid",
        ),
        Outcome.UNEMPLOYED: ("ledig", "arbeidsledig", "arbeidssøker"),
        Outcome.MEASURE: (
            "tiltak",
            "arbeidsmarkedstiltak",
            "labour market measure",
            "labour_market_measure",
        ),
        Outcome.OTHER: ("annet", "andre", "grunnskole", "primary school"),
        Outcome.UNKNOWN: ("ukjent", "uoppgitt", "vet ikke"),
    }
)

END_REASONS = _vocabulary(
    {
        EndReason.COMPLETED: ("fullført", "fullfort", "gjennomført", "ferdig", "complete"),
        EndReason.INTERRUPTED: ("avbrutt", "avbrudd", "sluttet", "interrupt"),
        EndReason.MOVED: ("flyttet", "utflyttet", "flytting", "flyttet til annen kommune"),
    }
)

GENDERS = _vocabulary(
    {
        Gender.FEMALE: ("k", "f", "kvinne", "kvinnelig", "female", "woman", "kv"),
        Gender.MALE: ("m", "mann", "mannlig", "male", "man"),
    }
)

VOCABULARIES = {
    "type": PLACEMENT_TYPES,
    "intro_outcome": OUTCOMES,
    "status_1y": OUTCOMES,
    "intro_end_reason": END_REASONS,
    "gender": GENDERS,
}

_WS = re.compile(r"\s+")


def text(value: object) -> str | None:
    """A cell as clean text: NBSP and runs of whitespace folded, whole floats from a
    workbook written without '.0' (participant id 42.0 -> '42'); empty -> None.

    Every value parser goes through here, so here a spreadsheet error value (#N/A from a
    workbook, or written into a CSV by Excel) is refused (E-CELL), and so is a workbook
    formula that has no calculated value (E-FORMULA): neither is what the cell means."""
    if value.__class__ is str:  # the CSV hot path: one call per cell
        result = value.strip()
        if "\u00a0" in result or "  " in result or "\t" in result or "\n" in result:
            result = _WS.sub(" ", result.replace("\u00a0", " ")).strip()
        if result.startswith(("#", "Err:", "err:", "ERR:")) and is_error_literal(result):
            message = f"the cell shows the spreadsheet error {result}, not a value"
            raise ValueProblem("E-CELL", message)
        return result or None
    if value is None:
        return None
    if value.__class__ is Uncalculated:
        raise ValueProblem("E-FORMULA", "a formula whose value was never calculated and saved")
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, bool):
        # A workbook TRUE/FALSE (a checkbox, a comparison formula) is no value of any
        # column, and Excel shows it as TRUE, SANN or WAHR by language: not guessed at.
        shown = "TRUE" if value else "FALSE"
        raise ValueProblem("E-CELL", f"the cell holds the logical value {shown}, not a value")
    if isinstance(value, datetime | date):
        return value.isoformat()
    result = str(value)
    if "\u00a0" in result or "  " in result or "\t" in result or "\n" in result:
        result = _WS.sub(" ", result.replace("\u00a0", " "))
    result = result.strip()
    return result or None


# What intd itself writes in place of a value (a .rejected.csv hides a fødselsnummer;
# its header marks the column it did not copy). Never a value: E-PLACEHOLDER.
PLACEHOLDERS = (FNR_HIDDEN, NOT_COPIED)
PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS))


def placeholder_problem(value: object) -> ValueProblem | None:
    """The problem with a cell holding one of intd's placeholders, if it holds one."""
    found = PLACEHOLDER.search(value) if isinstance(value, str) else None
    if found is None:
        return None
    what = "a fødselsnummer" if found.group() == FNR_HIDDEN else "a value"
    return ValueProblem(
        "E-PLACEHOLDER",
        f"{found.group()!r} is what intd writes in place of {what} it does not copy, "
        "not a value: type the real value or empty the cell",
    )


def free_text(value: object) -> str | None:
    """Clean text for a column that may hold anything but a fødselsnummer (ids, names,
    country, channel): one found there is an error, so it is neither stored nor shown;
    nor is one of intd's own placeholders."""
    result = text(value)
    if result is not None:
        if contains_fnr(result):
            raise ValueProblem("E-FNR-PLACE", "a fødselsnummer does not belong in this column")
        if "(" in result and (problem := placeholder_problem(result)):
            raise problem
    return result


def word(value: object, vocabulary: dict[str, str], code: str, what: str) -> str | None:
    """A value from a fixed vocabulary (type, outcome, reason, gender)."""
    raw = text(value)
    if raw is None:
        return None
    found = vocabulary.get(normalise_name(raw))
    if found is None:
        raise ValueProblem(code, f"unknown {what}")
    return found


EXCEL_EPOCH = date(1899, 12, 30)
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2099, 12, 31)
# A time after a date (how Excel writes a datetime to CSV: 31.12.2019 10:00, 12/31/2019
# 10:00:00 AM, 31.12.2019 kl. 10.00) is dropped: intd keeps days.
_TIME = r"(?:[ T]+(?:kl\.? ?)?(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,]\d+)?)? ?([AaPp][Mm])?)?"
_DMY = re.compile(r"(\d{1,2})([./-])(\d{1,2})([./-])(\d{4})\.?" + _TIME)
_SHORT_YEAR = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{2})\.?" + _TIME)
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "januar", "january"),
            ("feb", "februar", "february"),
            ("mar", "mars", "march", "mrz"),
            ("apr", "april"),
            ("mai", "may"),
            ("jun", "juni", "june"),
            ("jul", "juli", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("okt", "oct", "oktober", "october"),
            ("nov", "november"),
            ("des", "dec", "desember", "december"),
        ),
        start=1,
    )
    for name in names
}
# 31. des. 2019, 31 desember 2019, 31-Dec-2019 (Excel's d-mmm-yyyy), Dec 31, 2019
_NAMED_DMY = re.compile(r"(\d{1,2})\.?[ ./-]*([a-zæøå]+)\.?[ ./,-]*(\d{2}|\d{4})\.?" + _TIME)
_NAMED_MDY = re.compile(
    r"([a-zæøå]+)\.?[ ./-]*(\d{1,2})(?:st|nd|rd|th)?[ .,/-]+(\d{2}|\d{4})" + _TIME
)

DMY, MDY = "dmy", "mdy"  # the two orders a slash or dot date can be written in
MIXED, UNKNOWN = "mixed", "unknown"  # what a column can prove besides


@dataclass
class DateColumn:
    """What one date column of one table showed about its order of day and month:
    the first value only day-first reads, the first only month-first reads, and the
    first values that fit both (03/01/2019).

    `forced` is the order --date-order gives slash and dash dates (not dot dates, which
    are Norwegian: day-first unless their column proves otherwise). `order` is the order
    fixed for the column by a first reading of the whole import, None while deciding:
    then a value that fits both is read in the order the column `leans` to (what the
    table's first rows proved, else day-first), and `guessed` records the orders such
    values were read in."""

    file: str  # the file's name and the column's header, for messages
    label: str
    order: str | None = None
    forced: str | None = None
    leans: str = DMY
    dmy: str | None = None
    mdy: str | None = None
    ambiguous: list[str] = _field(default_factory=list)
    slash: bool = False  # a value that fits both was written with '/' or '-'
    guessed: set[str] = _field(default_factory=set)

    def merge(self, other: DateColumn) -> None:
        self.dmy = self.dmy or other.dmy
        self.mdy = self.mdy or other.mdy
        for value in other.ambiguous:
            if len(self.ambiguous) < 2 and value not in self.ambiguous:
                self.ambiguous.append(value)
        self.slash = self.slash or other.slash
        self.guessed |= other.guessed

    def _day_month(self, raw: str, first: int, second: int, sep: str) -> tuple[int, int]:
        order = self.forced if self.forced and sep != "." else self.order
        if first > 12 >= second:
            proves = DMY
        elif second > 12 >= first:
            proves = MDY
        elif first <= 12 and second <= 12 and first != second:
            proves = None
        else:  # the same either way (05.05.2019), or neither (31.31.2019)
            return first, second
        if order == MIXED:
            if proves is None:
                raise ValueProblem(
                    "E-DATE-ORDER-MIXED",
                    "this column has day-first and month-first dates, so this one could be either",
                )
            this, that = ("day", "month") if proves == DMY else ("month", "day")
            raise ValueProblem(
                "E-DATE-ORDER-MIXED",
                f"only {this}-first reads this date, but other rows of the column are {that}-first",
            )
        if proves is None:
            if len(self.ambiguous) < 2 and raw not in self.ambiguous:
                self.ambiguous.append(raw)
            self.slash = self.slash or sep != "."
            if order in (DMY, MDY):
                proves = order
            else:
                proves = self.leans
                self.guessed.add(proves)
        elif proves == DMY:
            self.dmy = self.dmy or raw
        else:
            self.mdy = self.mdy or raw
        if order in (DMY, MDY) and proves != order:
            raise ValueProblem("E-DATE", f"no such date when read as --date-order {order} says")
        return (first, second) if proves == DMY else (second, first)


def parse_date(value: object, column: DateColumn | None = None) -> date | None:
    """A date from a real Excel date, an Excel serial number, yyyy-mm-dd, dd.mm.yyyy,
    d.m.yyyy, d/m-yyyy, mm/dd/yyyy, yyyymmdd or a month name (31. des. 2019, Dec 31,
    2019); a time after it is dropped. Two-digit years are refused: the century would be
    a guess.

    Which of day and month comes first in 03/01/2019 is the `column`'s to say (see
    `DateColumn`); without one, day-first."""
    if value is None:
        return None
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        result = _from_serial(float(value))
        if value.__class__ in SERIALS_1904:  # the workbook counts from 1904-01-01
            result += timedelta(days=1462)
    else:
        raw = text(value)
        if raw is None:
            return None
        result = _date_from_text(raw, column)
    if not MIN_DATE <= result <= MAX_DATE:
        raise ValueProblem("E-DATE", "date outside 1900–2099")
    return result


def _from_serial(serial: float) -> date:
    if not 1 <= serial < 2958466:
        raise ValueProblem("E-DATE", "not a date")
    return EXCEL_EPOCH + timedelta(days=int(serial))


def _date_from_text(raw: str, column: DateColumn | None = None) -> date:
    try:
        if len(raw) == 10 and raw[4] == "-":
            return date.fromisoformat(raw)
        match = _DMY.fullmatch(raw)
        if match:
            _check_time(match.groups()[5:])
            first, sep, second, sep2, year = match.groups()[:5]
            one, two = int(first), int(second)
            if sep == "/" and sep2 == "-":
                sep = "."  # 3/1-2019: the Norwegian hand's day-first date
            if column is None:
                day, month = one, two
            else:
                day, month = column._day_month(raw, one, two, sep)
            return date(int(year), month, day)
        match = _ISO.fullmatch(raw)
        if match:
            _check_time(match.groups()[3:])
            year, month, day = (int(g) for g in match.groups()[:3])
            return date(year, month, day)
        if raw.isdigit() and len(raw) == 8:
            return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
        if raw.isdigit() and len(raw) == 5:
            return _from_serial(float(raw))
        return _date_from_words(raw)
    except ValueError:
        raise ValueProblem("E-DATE", "no such date") from None


def _check_time(groups: Sequence[str | None]) -> None:
    hour, minute, second, half = groups
    if hour is None:
        return
    top = 12 if half else 23
    if int(hour) > top or int(minute or 0) > 59 or (second is not None and int(second) > 59):
        raise ValueProblem("E-DATE", "the time after the date is not a time")


def _date_from_words(raw: str) -> date:
    """The rare spellings: a month name, a two-digit year, or not a date at all."""
    short = _SHORT_YEAR.fullmatch(raw)
    if short is not None:
        raise _short_year(short.group(3))
    folded = raw.casefold()
    named = _NAMED_DMY.fullmatch(folded)
    if named is not None and named.group(2) in _MONTHS:
        day, month, year = named.group(1, 2, 3)
    else:
        named = _NAMED_MDY.fullmatch(folded)
        if named is None or named.group(1) not in _MONTHS:
            raise ValueProblem("E-DATE", "not a date (use dd.mm.yyyy or yyyy-mm-dd)")
        month, day, year = named.group(1, 2, 3)
    if len(year) == 2:
        raise _short_year(year)
    _check_time(named.groups()[3:])
    return date(int(year), _MONTHS[month], int(day))


def _short_year(two: str) -> ValueProblem:
    return ValueProblem(
        "E-DATE-SHORT-YEAR",
        f"two-digit year: the century would be a guess; write 20{two} or 19{two}",
    )


_LOOKS_LIKE_DATE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b.*|.*\b\d{4}-\d\d-\d\d.*")


def _not_a_number(value: object, raw: str) -> ValueProblem:
    """Why a cell that should hold a number does not: a date (a column mapped wrong, or
    cells formatted as dates) gets its own message."""
    if isinstance(value, date) or _LOOKS_LIKE_DATE.fullmatch(raw):
        return ValueProblem(
            "E-NUMBER-DATE", "this is a date, not a number: is the column mapped right?"
        )
    return ValueProblem("E-NUMBER", "not a number")


def parse_number(value: object) -> float | None:
    """A number written the Norwegian way: '37,5', '50 %', '1 000', '1.000,5'."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raw = text(value)
    if raw is None:
        return None
    cleaned = raw.replace("%", "").replace(" ", "").replace("\u202f", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif _THOUSANDS.fullmatch(cleaned):
        # 1.000 is a thousand to a Norwegian and one to an English reader: not guessed.
        raise ValueProblem(
            "E-NUMBER",
            f"{raw} could be a thousand (Norwegian) or one (English): write it without the "
            "point, or with a decimal comma",
        )
    try:
        return float(cleaned)
    except ValueError:
        raise _not_a_number(value, raw) from None


_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")


def parse_hours(value: object) -> float | None:
    """Hours of tuition: a number, 0 or more (a person's hours are far below 10 000)."""
    number = parse_number(value)
    if number is None:
        return None
    if not 0 <= number < 10_000:
        raise ValueProblem("E-RANGE", "hours must be between 0 and 10 000")
    return round(number, 2)


_LEVEL = re.compile(r"(?:niva|level)?_?([abc][12])")


def parse_level(value: object) -> str | None:
    """A level of the Norwegian test, A1 to C2 ("B1", "nivå B1", "b1")."""
    raw = text(value)
    if raw is None:
        return None
    found = _LEVEL.fullmatch(normalise_name(raw))
    if found is None:
        raise ValueProblem(
            "E-RANGE", "not a level of the Norwegian test: write A1, A2, B1, B2, C1 or C2"
        )
    return found.group(1).upper()


_YES = frozenset({"ja", "j", "yes", "y", "bestatt", "passed", "1", "true", "x"})
_NO = frozenset({"nei", "n", "no", "ikke_bestatt", "ikke_bestått", "not_passed", "0", "false"})


def parse_yes_no(value: object) -> int | None:
    """ja/nei, yes/no, bestått/ikke bestått, 1/0: stored as 1 or 0."""
    if isinstance(value, bool):
        return int(value)
    raw = text(value)
    if raw is None:
        return None
    key = normalise_name(raw)
    if key in _YES:
        return 1
    if key in _NO:
        return 0
    raise ValueProblem("E-RANGE", "write ja or nei (yes or no)")


def parse_percent(value: object) -> float | None:
    """A position size in percent, 0–100. A workbook cell formatted as percent arrives
    as a fraction (0.5 for 50 %, 1 for 100 %): workbook numbers above 0 up to 1 are read
    that way (a 1 % position does not occur; a 100 % one is the most common). Text, as in
    CSV, is read as written."""
    number = parse_number(value)
    if number is None:
        return None
    # Only a workbook gives numbers (CSV cells are text); an .xls gives a whole 1 as int.
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < number <= 1:
        number *= 100
    elif value.__class__ is str and 0 < number < 1:
        # Text 0,5 is a share of a full position (50 %?): a below-1 % position does not
        # occur, so this is not read as 0.5 %, nor guessed as 50 %.
        raise ValueProblem(
            "E-RANGE",
            f"{value} looks like a share of a full position ({number:.0%}?), not a percent: "
            f"write {number * 100:g}",
        )
    if not 0 <= number <= 100:
        raise ValueProblem("E-RANGE", "a percentage must be between 0 and 100")
    return round(number, 2)


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def parse_year(value: object, *, latest: int) -> int | None:
    """A four-digit year between 1900 and `latest`. Of a birth date (a workbook date, or a
    text date as in a "Fødselsdato" column) only the year is read, as a person reads a
    birth year off it: the year of 03/01/1990 is 1990 whichever of day and month comes
    first. A text that is no date in either order stays an error."""
    if isinstance(value, date):
        serial = ((value.date() if isinstance(value, datetime) else value) - EXCEL_EPOCH).days
        if 1900 <= serial <= latest:
            # The year typed in a cell formatted as a date: it shows 12.06.1905 for 1990.
            raise ValueProblem(
                "E-NUMBER-DATE",
                f"the cell shows the date {value:%d.%m.%Y}: the year {serial} formatted as a "
                "date? Format the column as a number",
            )
        value = value.year
    elif value.__class__ is str:
        raw = str(value).strip()
        match = _DMY.fullmatch(raw)
        parts = (match[1], match[3], match[5]) if match else None
        if parts is None and (match := _ISO.fullmatch(raw)):
            parts = (match[3], match[2], match[1])
        if parts is not None:
            first, second, year = (int(p) for p in parts)
            if not (_valid(year, second, first) or _valid(year, first, second)):
                raise ValueProblem("E-DATE", "no such date")
            if year <= 1905:  # 12.06.1905: a year typed in a cell formatted as a date?
                day, month = (first, second) if _valid(year, second, first) else (second, first)
                return parse_year(date(year, month, day), latest=latest)
            value = year
    number = parse_number(value)
    if number is None:
        return None
    if not number.is_integer():
        raise ValueProblem("E-NUMBER", "a year is a whole number, e.g. 1990")
    year = int(number)
    if not 1900 <= year <= latest:
        raise ValueProblem("E-RANGE", f"a birth year must be between 1900 and {latest}")
    return year


MEMO_TYPES = (str, date, datetime)


class Memo:
    """A parser that remembers its answers for text cells and workbook dates. Most
    columns hold few distinct values (dates, types, employers, municipalities), so a
    dictionary lookup replaces the parse for nearly every row. Bounded, so memory stays
    flat."""

    __slots__ = ("cache", "limit", "parse")

    def __init__(self, parse: Callable[[object], object], limit: int = 100_000) -> None:
        self.parse = parse
        self.cache: dict[object, object] = {}
        self.limit = limit

    def __call__(self, value: object) -> object:
        # Text and workbook dates are remembered; numbers are not (1 and 1.0 are equal
        # keys but may mean 1 % and 100 %).
        if value.__class__ not in MEMO_TYPES:
            return self.parse(value)
        try:
            found = self.cache[value]
        except KeyError:
            try:
                found = self.parse(value)
            except ValueProblem as problem:
                found = problem
            if len(self.cache) < self.limit:
                self.cache[value] = found
        if isinstance(found, ValueProblem):
            raise found
        return found
