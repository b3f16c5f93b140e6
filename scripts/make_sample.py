"""Write intd's synthetic sample: participants of the introduction programme and of
Internasjonale Drammen 2015–2023, and their jobs, apprenticeships, education, work trials
and courses.

Every person, fødselsnummer (valid check digits, from `intdrammen.ids.make_fnr`), employer
and organisation number is invented. One `random.Random(seed)` decides everything, so the
same arguments give the same files. Both formats come from one generator; only the
writer differs:

  --format demo  deltakere.xlsx (title row, Norwegian headers, Excel dates) and
                 plasseringer.csv (Windows-1252, ';', dd.mm.yyyy, '37,5'): the demo
  --format csv   participants.csv and placements.csv (UTF-8, ISO dates, canonical
                 headers), streamed row by row: the benchmark input

The default size (1500 participants, 2000 placements) is the demo's: a slice of a
partnership, so the 1000-person goal stays out of reach. `--participants 3500
--placements 5000` gives a partnership's full scale: about 1000 persons into work in
Drammensregionen 2016–2020 and 180–300 a year in Drammen from 2021.

Run: python scripts/make_sample.py --out src/intdrammen/data/sample
"""

from __future__ import annotations

import argparse
import csv
import math
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any

import xlsxwriter

from intdrammen.ids import make_fnr, make_orgnr

# Municipality codes by period (Klass 131): name, weight, until 2019, 2020–2023, from 2024,
# employer area. A participant carries the code valid in the year they settled.
MUNICIPALITIES = (
    ("Drammen", 43, "0602", "3005", "3301", "buskerud"),
    ("Nedre Eiker", 7, "0625", "3005", "3301", "buskerud"),
    ("Svelvik", 2, "0711", "3005", "3301", "buskerud"),
    ("Lier", 8, "0626", "3049", "3312", "buskerud"),
    ("Øvre Eiker", 8, "0624", "3048", "3314", "buskerud"),
    ("Sande (Vestfold)", 3, "0713", "3802", "3903", "buskerud"),
    ("Røyken", 3, "0627", "3025", "3203", "buskerud"),
    ("Hurum", 2, "0628", "3025", "3203", "buskerud"),
    ("Asker", 2, "0220", "3025", "3203", "buskerud"),
    ("Gjøvik", 3, "0502", "3407", "3407", "mjøsa"),
    ("Lillehammer", 3, "0501", "3405", "3405", "mjøsa"),
    ("Ringsaker", 3, "0412", "3411", "3411", "mjøsa"),
    ("Hamar", 4, "0403", "3403", "3403", "mjøsa"),
    ("Kongsberg", 1.5, "0604", "3006", "3303", "buskerud"),
    ("Modum", 1, "0623", "3047", "3316", "buskerud"),
    ("Oslo", 1, "0301", "0301", "0301", "buskerud"),
)
TODAYS_DRAMMEN = ("Drammen", "Nedre Eiker", "Svelvik")
WRITTEN_AS_NAME = ("Drammen", "Lier", "Øvre Eiker")  # some offices type the name

EXTRACT = date(2023, 12, 31)  # the files are an extract made on this day
FIRST_DAY = date(2015, 1, 1)  # placements are recorded from here on
SETTLED = {2013: 6, 2014: 10, 2015: 12, 2016: 16, 2017: 13, 2018: 8, 2019: 7, 2020: 5, 2021: 6}
SETTLED |= {2022: 13, 2023: 11}
# Year people followed by the partnership only (no programme) came to it; relaunched 2020.
ENROLLED = {2015: 4, 2016: 12, 2017: 12, 2018: 11, 2019: 11, 2020: 14, 2021: 22, 2022: 17}
ENROLLED |= {2023: 16}
# Refugees settled in Norway (IMDi), by the first year of each period.
COUNTRIES = {
    2014: "Syria 45 Eritrea 18 Somalia 8 Afghanistan 7 Irak 5 Iran 4 Sudan 4 Kongo 3 "
    "Etiopia 3 Myanmar 3 Ukraina 0.3",
    2018: "Syria 35 Afghanistan 13 Eritrea 12 Kongo 12 Iran 5 Sudan 5 Somalia 5 Irak 4 "
    "Etiopia 3 Myanmar 2 Ukraina 0.5",
    2022: "Ukraina 85 Syria 6 Afghanistan 4 Eritrea 2 Kongo 2 Sudan 1",
}
# Per cent going directly into work or education, by the year the programme ended.
DIRECT = dict(zip(range(2015, 2024), (45, 47, 51, 55, 53, 48, 50, 53, 56), strict=True))
DIRECT_DRAMMEN = dict(zip(range(2015, 2024), (34, 49, 50, 54, 56, 53, 55, 58, 60), strict=True))

# Norwegian words as written in the demo files -> canonical words of the csv format.
REASONS = {"fullført": "completed", "avbrutt": "interrupted", "flyttet": "moved", "": ""}
OUTCOMES = {"arbeid": "work", "utdanning": "education", "arbeid og utdanning": "work_and_education"}
OUTCOMES |= {"ledig": "unemployed", "tiltak": "measure", "annet": "other", "ukjent": "unknown"}
OUTCOMES |= {"": ""}
TYPES = {"fast jobb": "job", "midlertidig jobb": "job", "lærling": "apprenticeship"}
TYPES |= {"utdanning": "education", "arbeidspraksis": "work_trial", "kurs": "course"}
JOBS = ("fast jobb", "midlertidig jobb", "lærling")
DAYS = {"fast jobb": (180, 1800), "midlertidig jobb": (90, 730), "lærling": (600, 760)}
DAYS |= {"utdanning": (280, 1100), "arbeidspraksis": (28, 180), "kurs": (14, 120)}
FTE = {"fast jobb": "100 100 100 80 75 60 50", "midlertidig jobb": "20 25 30 37.5 40 50 60 80"}
FTE |= {"lærling": "100", "arbeidspraksis": "50 60 80 100", "utdanning": "", "kurs": ""}
FTE_SIZES = {kind: sizes.split() for kind, sizes in FTE.items()}  # per cent, no size: none

# Employers by area, the partnership's big partners first (they get the most placements).
EMPLOYERS = {
    "buskerud": "Drammen kommune|Kiwi Strømsø|Mester Grønn Drammen|Stykket Holding AS|"
    "Vestre Viken HF|Glassverket Bygg AS|Rema 1000 Bragernes|Lier kommune|Øvre Eiker kommune|"
    "Coop Extra Gulskogen|Scandic Ambassadør Drammen|Elvebyen Renhold AS|Asko Buskerud AS|"
    "Mjøndalen Vaktmester AS|Holmestrand kommune|Asker kommune|Bragernes Bakeri AS|"
    "Tangen Transport AS|Lierdalen Gartneri AS|Eiker Mekaniske Verksted AS|Union Scene Drift AS|"
    "Papirbredden Kantine AS|Drammen Rør og Varme AS|Konnerud Barnehage SA|Strømsø Vaskeri AS|"
    "Fjell Frisør|Thon Hotel Drammen|Clarion Hotel Tollboden|Drammensbadet KF|Holmen Industri AS|"
    "Posten Norge Drammen|Buskerud Bilpleie AS|Tollbugata Kafé AS|Sande Trelast AS|"
    "Mjøndalen Sveis AS|Solbergelva Omsorgssenter|Svelvik Båtservice AS|Hokksund Entreprenør AS|"
    "Elvepromenaden Restaurant AS|Gulskogen Senter Drift AS|Nøstehagen Sykehjem|Lier Sykehjem|"
    "Kongsberg Bilverksted AS|Røyken Gartneri AS|Hurum Fjordfisk AS|Drammen Taxi SA|"
    "Brakerøya Logistikk AS|Åssiden Bygg og Maling AS|Lierbyen Legesenter|Krokstad Elektro AS|"
    "Vikersund Kurbad Drift AS|Drammen Flis og Mur AS|Sundland Lager AS|Buskerud Catering AS|"
    "Marienlyst Omsorg AS|Holmestrand Kjøkken AS|Spiraltoppen Renhold AS|Eiker Grønt AS|"
    "Nordbyen Bemanning AS|Landfalløya Verksted AS|Danvik Gartneri AS|Bragernes Apotek AS|"
    "Strømsgodset Vaktmester AS|Tranby Hagesenter AS|Asker Rengjøring AS|Elvebyen Flytt AS|"
    "Drammen Pizza og Grill AS|Fjordbyen Frisør AS|Tømmerkaia Bygg AS|Drammen Sykkel AS|"
    "Bragernes Blomster AS|Gamle Kirkeplass Kafé AS",
    "mjøsa": "Hamar kommune|Gjøvik kommune|Sykehuset Innlandet HF|Ringsaker kommune|"
    "Lillehammer kommune|Kiwi Gjøvik|Rema 1000 Hamar|Coop Extra Moelv|Mjøsbygg AS|"
    "Hamar Renhold AS|Gjøvik Glassverk Kafé AS|Lillehammer Hotelldrift AS|Vang Gartneri AS|"
    "Brumunddal Trevare AS|Mjøsa Transport AS|Innlandet Bemanning AS|Hunderfossen Drift AS|"
    "Moelv Sveis AS|Storhamar Omsorg AS|Biri Bakeri AS",
    "utdanning buskerud": "Drammen videregående skole|Åssiden videregående skole|"
    "Lier videregående skole|Universitetet i Sørøst-Norge|Fagskolen i Viken",
    "utdanning mjøsa": "Gjøvik videregående skole|Hamar katedralskole|Høgskolen i Innlandet",
    "kurs buskerud": "Introduksjonssenteret i Drammen|AOF Buskerud|Folkeuniversitetet Buskerud",
    "kurs mjøsa": "AOF Innlandet|Voksenopplæringen Gjøvik",
}
CHAINS = "Kiwi|Rema 1000|Coop Extra|Coop Prix|Meny|Bunnpris|Joker|Europris"
PLACES = "Konnerud|Åssiden|Mjøndalen|Lierbyen|Hokksund|Svelvik|Sande|Krokstadelva|Tranby|Fjell"

# Columns in file order, as Norwegian (demo) header=canonical (csv) header.
PARTICIPANT_COLUMNS = (
    "deltaker_id=participant_id fødselsnummer=national_id fødselsår=birth_year kjønn=gender "
    "landbakgrunn=country kommune=municipality bosettingsdato=settled_date "
    "intro_start=intro_start intro_slutt=intro_end sluttårsak=intro_end_reason "
    "resultat=intro_outcome"
)
PLACEMENT_COLUMNS = (
    "placement_id=placement_id deltaker_id=participant_id type=type orgnr=employer_orgnr "
    "arbeidsgiver=employer_name startdato=start_date sluttdato=end_date "
    "stillingsprosent=fte_percent kanal=channel"
)
TITLE = "Deltakere – Internasjonale Drammen (syntetiske data)"
ABOUT = (
    "Om dataene",
    "Dette er syntetiske data: alle personer, fødselsnumre, arbeidsgivere og "
    "organisasjonsnumre er oppdiktet.",
    "Numrene har gyldige kontrollsifre, men er laget tilfeldig og ikke hentet fra noe register.",
    "Filene er laget av scripts/make_sample.py i intd (frø {seed}) for å vise hvordan intd "
    "leser regneark og måler framdrift mot målene.",
    "Tallene ligner en ekte partnerskapsrapport, men beskriver ingen virkelige personer.",
    "Synthetic data: every person, identity number and employer in this workbook is invented.",
)

Table = tuple[list[Any], list[float]]
Span = tuple[str, date, date | None]  # placement type, start, end (None: ongoing)


def weighted(spec: str | dict[Any, float], sep: str = " ") -> Table:
    """'Syria 45 Eritrea 18' or {value: weight} -> (values, cumulative weights)."""
    if isinstance(spec, str):
        words = spec.split(sep)
        spec = {w: float(n) for w, n in zip(words[::2], words[1::2], strict=True)}
    values, cumulative, total = list(spec), [], 0.0
    for weight in spec.values():
        total += weight
        cumulative.append(total)
    return values, cumulative


def pick(rng: Random, table: Table) -> Any:
    """A weighted choice: what `rng.choices` does, without its overhead."""
    values, cumulative = table
    return values[bisect(cumulative, rng.random() * cumulative[-1])]


def headers(columns: str, canonical: bool) -> list[str]:
    return [pair.split("=")[canonical] for pair in columns.split()]


YEARS, JOINED = weighted(SETTLED), weighted(ENROLLED)
PLACE = weighted({row: row[1] for row in MUNICIPALITIES})
ORIGIN = {year: weighted(spec) for year, spec in COUNTRIES.items()}
REASON = weighted({"fullført": 80, "avbrutt": 12, "flyttet": 8})
WORK_OR_EDUCATION = ("arbeid", "utdanning", "arbeid og utdanning")
INTO_WORK = weighted(dict(zip(WORK_OR_EDUCATION, (55, 30, 15), strict=True)))
NOT_INTO_WORK = weighted({"ledig": 40, "tiltak": 30, "annet": 15, "ukjent": 15})
JOB = weighted({"fast jobb": 35, "midlertidig jobb": 50, "lærling": 15})
FILLER = weighted({"fast jobb": 15, "midlertidig jobb": 35, "kurs": 25, "arbeidspraksis": 25})
JOB_CHANNEL = weighted(
    "NAV|30|arbeidsgiverpartner|25|egen søknad|18|jobbverksted|15|mentor|12", "|"
)
CHANNELS = {kind: JOB_CHANNEL for kind in JOBS} | {"kurs": weighted({"NAV": 1})}
CHANNELS |= {"arbeidspraksis": weighted("NAV 50 jobbverksted 20 arbeidsgiverpartner 20 mentor 10")}
CHANNELS |= {"utdanning": weighted({"": 80, "egen søknad": 20})}


def days(n: int) -> timedelta:
    return timedelta(days=n)


def make_employers(rng: Random) -> dict[str, Table]:
    """Employer pools by area and kind: (name, orgnr), the first ones the most used."""
    taken: set[str | None] = {None}

    def orgnr() -> str:
        number = None
        while number in taken:
            number = make_orgnr(rng.randrange(91_000_000, 100_000_000))
        taken.add(number)
        return str(number)

    chains = [f"{c} {p}" for c in CHAINS.split("|") for p in PLACES.split("|")]
    pools = {key: names.split("|") for key, names in EMPLOYERS.items()}
    pools["buskerud"] += chains[::2]  # Kiwi Konnerud, Kiwi Mjøndalen, ...
    return {
        key: weighted({(name, orgnr()): 1 / (rank + 4) for rank, name in enumerate(names)})
        for key, names in pools.items()
    }


@dataclass(slots=True)
class Person:
    """A participant: `row` is what the file says, the rest is what placements follow."""

    row: tuple[Any, ...]
    area: str  # where their employers are
    joined: date  # start of the programme, or of the partnership's follow-up
    intro_start: date | None = None
    intro_end: date | None = None
    reason: str = ""
    outcome: str = ""  # the true status at the end; the file has it for about 70 %


def unique_fnr(rng: Random, born: date, used: set[str]) -> tuple[str, date]:
    """A fødselsnummer not used before, with an individual number of the birth's century
    (from the next day when all of that date's are taken)."""
    low, first = (500 if born.year >= 2000 else 0), rng.randrange(500)
    for step in range(500):
        number = make_fnr(born, low + (first + step) % 500)
        if number is not None and number not in used:
            used.add(number)
            return number, born
    return unique_fnr(rng, born + days(1), used)


def programme(
    rng: Random, settled: date, drammen: bool, cohorts: dict[tuple[int, bool], list[int]]
) -> tuple[date, date | None, str, str]:
    """Introduction programme: start, end (None: still in it), end reason, true outcome."""
    start = settled + days(rng.randint(20, 100))
    reason = pick(rng, REASON)
    shape = (330, 1100, 730) if reason == "fullført" else (90, 900, 400)
    end = start + days(int(rng.triangular(*shape)))
    while end < FIRST_DAY:  # programmes that ended before 2015 are not in the files
        end = start + days(int(rng.triangular(*shape)))
    if end > EXTRACT:
        return start, None, "", ""
    rate = (DIRECT_DRAMMEN if drammen else DIRECT)[end.year] / 100
    seen = cohorts.setdefault((end.year, drammen), [0, 0])  # ended, into work or education
    # nudged towards the year's rate, so that a sample of a few thousand shows it too
    direct = rng.random() < rate + 0.05 * (rate * seen[0] - seen[1])
    seen[0], seen[1] = seen[0] + 1, seen[1] + direct
    return start, end, reason, pick(rng, INTO_WORK if direct else NOT_INTO_WORK)


def make_person(
    rng: Random, pid: str, used_fnr: set[str], cohorts: dict[tuple[int, bool], list[int]]
) -> Person:
    """One participant: settlement, municipality, identity and introduction programme."""
    in_intro = rng.random() < 0.75  # the others are followed by the partnership only
    if in_intro:
        settled = joined = date(pick(rng, YEARS), 1, 1) + days(rng.randrange(365))
    else:
        joined = date(pick(rng, JOINED), 1, 1) + days(rng.randrange(365))
        settled = joined - days(rng.randint(30, 2500))
    name, _weight, *codes, area = pick(rng, PLACE)
    written = codes[0 if settled.year <= 2019 else 1 if settled.year <= 2023 else 2]
    roll = rng.random()
    if roll < 0.013:
        written = "" if roll < 0.01 else "9999"
    elif name in WRITTEN_AS_NAME and roll < 0.093:
        written = name
    period = max([2014] + [year for year in ORIGIN if year <= settled.year])
    country = "Polen" if not in_intro and rng.random() < 0.35 else pick(rng, ORIGIN[period])
    female = {"Ukraina": 0.65, "Polen": 0.3}.get(country, 0.45)
    gender = "K" if rng.random() < female else "M"
    born = date(settled.year - int(rng.triangular(18, 58, 27)), 1, 1)
    born += days(0 if rng.random() < 0.05 else rng.randrange(365))  # 1 January: date unknown
    fnr = ""
    if rng.random() >= 0.10:
        fnr, born = unique_fnr(rng, born, used_fnr)
    p = Person((), area, joined)
    if in_intro:
        p.intro_start, p.intro_end, p.reason, p.outcome = programme(
            rng, settled, name in TODAYS_DRAMMEN, cohorts
        )
    given = p.outcome if p.outcome and rng.random() < 0.7 else ""
    p.row = (pid, fnr, born.year, gender, country, written, settled, p.intro_start, p.intro_end)
    p.row += (p.reason, given)
    return p


def span(rng: Random, kind: str, start: date) -> Span:
    """A placement of `kind` from `start`; permanent jobs are often still ongoing."""
    if kind == "fast jobb" and rng.random() < 0.7:
        return kind, start, None
    return kind, start, start + days(rng.randint(*DAYS[kind]))


def story(rng: Random, p: Person) -> tuple[list[Span], list[Span]]:
    """(essential, optional) placements of a person. Essentials are the first job and
    what makes the programme's outcome derivable from placements when `resultat` is
    blank; the generator drops optional ones, or adds more, to reach the total asked for."""
    essential: list[Span] = []
    optional: list[Span] = []
    s, e = p.intro_start, p.intro_end
    if s is None:  # followed by the partnership only: often a work trial, then a job
        optional.append(span(rng, "arbeidspraksis", p.joined))
        first = p.joined + days(rng.randint(30, 300))
        if rng.random() < 0.85:
            essential.append(span(rng, pick(rng, JOB), first))
    else:
        length = ((e or EXTRACT) - s).days
        if length > 200:  # a work trial during the programme, often the way into a job
            optional.append(span(rng, "arbeidspraksis", s + days(rng.randint(120, length - 60))))
        optional.append(span(rng, "kurs", s + days(rng.randint(30, max(30, length - 30)))))
        if length > 240 and p.reason != "flyttet":  # part-time work during the programme
            start = s + days(rng.randint(90, length - 120))
            kind, start, end = span(rng, "midlertidig jobb", start)
            if e is not None:  # it ends before the programme does: no transition
                end = min(end or e, e - days(rng.randint(1, 60)))
            (essential if rng.random() < 0.3 else optional).append((kind, start, end))
        if e is not None and p.reason != "flyttet":
            earliest, room = max(-120, (FIRST_DAY - e).days), min(30, (EXTRACT - e).days)
            if p.outcome in WORK_OR_EDUCATION:  # active on the end date or starting in 30 days
                kinds = [pick(rng, JOB)] if p.outcome != "utdanning" else []
                kinds += ["utdanning"] if p.outcome != "arbeid" else []
                for kind in kinds:
                    kind, start, end = span(rng, kind, e + days(rng.randint(earliest, room)))
                    if end is not None and end < e:
                        end = e + days(rng.randint(0, 365))
                    essential.append((kind, start, end))
            else:
                if p.outcome == "tiltak":
                    optional.insert(0, span(rng, "arbeidspraksis", e + days(rng.randint(0, room))))
                if rng.random() < 0.7:  # a job later, after more than 30 days
                    later = e + days(int(rng.triangular(45, 1100, 60)))
                    essential.append(span(rng, pick(rng, JOB), later))
    jobs = [x for x in essential if x[0] in JOBS]
    if jobs:  # the next job
        first_end = jobs[0][2] or jobs[0][1] + days(365)
        after = span(rng, pick(rng, JOB), first_end + days(int(rng.triangular(7, 500, 30))))
        (essential if rng.random() < 0.5 else optional).append(after)
    return essential, optional


def fillers(rng: Random, p: Person, after: list[Span], count: int) -> list[Span]:
    """`count` more placements after the person's others: jobs, courses, work trials."""
    floor = max([x[1] for x in after] + [p.joined])
    if p.intro_end is not None and p.outcome not in WORK_OR_EDUCATION:
        floor = max(floor, p.intro_end + days(31))  # the outcome derived stays as it is
    room = (EXTRACT - floor).days
    if count <= 0 or room < 1 or p.reason == "flyttet":
        return []
    return [span(rng, pick(rng, FILLER), floor + days(rng.randint(1, room))) for _ in range(count)]


def poisson(rng: Random, mean: float) -> int:
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def generate(
    people: int, placements: int, seed: int, prefix: str = ""
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """One stream of ('participant', row) and ('placement', row), placements after their
    participant. Exactly `placements` placements: each person's optional ones are kept or
    topped up to stay on course, and about 2 % name a participant not in the file (yet).
    `prefix` starts every participant and placement id, so that a second data set (the
    benchmark's delta) has ids no first one without it has."""
    rng = Random(seed)
    employers = make_employers(rng)
    pid_width, pl_width = max(5, len(str(people))), max(6, len(str(placements)))
    orphans_due = round(placements * 0.02)
    budget = placements - orphans_due
    used_fnr: set[str] = set()
    cohorts: dict[tuple[int, bool], list[int]] = {}
    kept = orphans = essentials = 0

    def placement(pid: str, kind: str, start: date, end: date | None, area: str) -> tuple:
        pool = employers[f"{kind} {area}" if kind in ("utdanning", "kurs") else area]
        name, orgnr = pick(rng, pool)
        orgnr = "" if rng.random() < 0.02 else orgnr
        fte = rng.choice(FTE_SIZES[kind]) if FTE_SIZES[kind] else ""
        channel = pick(rng, CHANNELS[kind]) if rng.random() > 0.04 else ""
        end = end if end is not None and end <= EXTRACT else None
        ident = f"{prefix}PL{kept + orphans:0{pl_width}d}"
        return (ident, pid, kind, orgnr, name, start, end, fte, channel)

    def orphan() -> tuple:
        kind = "midlertidig jobb" if rng.random() < 0.6 else "arbeidspraksis"
        kind, start, end = span(rng, kind, date(2023, 1, 2) + days(rng.randrange(360)))
        return placement(f"{prefix}D{people + orphans:0{pid_width}d}", kind, start, end, "buskerud")

    for i in range(people):
        person = make_person(rng, f"{prefix}D{i + 1:0{pid_width}d}", used_fnr, cohorts)
        yield "participant", person.row
        essential, optional = story(rng, person)
        essentials += len(essential)
        extra = poisson(rng, max(0.0, (budget - kept) / (people - i) - essentials / (i + 1)))
        chosen = essential + optional[:extra]
        chosen += fillers(rng, person, chosen, extra - len(optional))
        for kind, start, end in sorted(chosen, key=lambda x: x[1]):
            if FIRST_DAY <= start <= EXTRACT and kept < budget:
                kept += 1
                yield "placement", placement(person.row[0], kind, start, end, person.area)
        while orphans < orphans_due * (i + 1) / people:
            orphans += 1
            yield "placement", orphan()
    while kept + orphans < placements:
        orphans += 1
        yield "placement", orphan()


def nor(day: date | None) -> str:
    return "" if day is None else f"{day.day:02d}.{day.month:02d}.{day.year}"


def iso(day: date | None) -> str:
    return "" if day is None else day.isoformat()


def write_csv(out: Path, stream: Iterator[tuple[str, tuple[Any, ...]]]) -> None:
    """participants.csv and placements.csv: UTF-8, canonical headers, ISO dates."""
    with (
        (out / "participants.csv").open("w", encoding="utf-8", newline="") as people_file,
        (out / "placements.csv").open("w", encoding="utf-8", newline="") as placements_file,
    ):
        people = csv.writer(people_file, lineterminator="\n")
        placements = csv.writer(placements_file, lineterminator="\n")
        people.writerow(headers(PARTICIPANT_COLUMNS, canonical=True))
        placements.writerow(headers(PLACEMENT_COLUMNS, canonical=True))
        for what, r in stream:
            if what == "participant":
                people.writerow(
                    (*r[:6], iso(r[6]), iso(r[7]), iso(r[8]), REASONS[r[9]], OUTCOMES[r[10]])
                )
            else:
                placements.writerow(
                    (*r[:2], TYPES[r[2]], r[3], r[4], r[5].isoformat(), iso(r[6]), *r[7:])
                )


def write_demo(out: Path, stream: Iterator[tuple[str, tuple[Any, ...]]], seed: int) -> None:
    """plasseringer.csv as a Windows office exports it, then deltakere.xlsx."""
    people = []
    with (out / "plasseringer.csv").open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(headers(PLACEMENT_COLUMNS, canonical=False))
        for what, r in stream:
            if what == "participant":
                people.append(r)
            else:
                writer.writerow((*r[:5], nor(r[5]), nor(r[6]), r[7].replace(".", ","), r[8]))
    write_workbook(out / "deltakere.xlsx", people, seed)


def write_workbook(path: Path, people: list[tuple[Any, ...]], seed: int) -> None:
    """Title row, blank row, header, then one row per person with real date cells."""
    book = xlsxwriter.Workbook(str(path))
    book.set_properties(
        {"title": TITLE, "author": "intd make_sample.py", "created": datetime(2024, 1, 15, 8)}
    )
    sheet = book.add_worksheet("Deltakere")
    bold, title = book.add_format({"bold": True}), book.add_format({"bold": True, "size": 14})
    dmy = book.add_format({"num_format": "dd.mm.yyyy"})
    sheet.write_string(0, 0, TITLE, title)
    sheet.write_row(2, 0, headers(PARTICIPANT_COLUMNS, canonical=False), bold)
    for r, row in enumerate(people, start=3):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(r, c, value, dmy)
            elif isinstance(value, int):
                sheet.write_number(r, c, value)
            elif value:
                sheet.write_string(r, c, value)
    sheet.set_column(0, 10, 13)
    sheet.set_column(1, 1, 14)
    sheet.freeze_panes(3, 0)
    sheet.autofilter(2, 0, 2 + len(people), 10)
    about = book.add_worksheet("Om dataene")
    about.set_column(0, 0, 100)
    for r, line in enumerate(ABOUT):
        about.write_string(r, 0, line.format(seed=seed), bold if r == 0 else None)
    book.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument("--participants", type=int, default=1500)
    parser.add_argument("--placements", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--format", choices=("demo", "csv"), default="demo")
    parser.add_argument(
        "--id-prefix",
        default="",
        help="text before every participant and placement id (ids no data set without it has)",
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    stream = generate(args.participants, args.placements, args.seed, args.id_prefix)
    if args.format == "csv":
        write_csv(args.out, stream)
    else:
        write_demo(args.out, stream, args.seed)


if __name__ == "__main__":
    main()
