"""Deterministic synthetic participants and placements for the demo and the benchmark.

    python scripts/make_sample.py --out src/intdrammen/data/sample            # demo files
    python scripts/make_sample.py --format csv --participants 200000 \\
        --placements 1000000 --out bench/data/n1000000                       # benchmark

`demo` writes what an office would send: `deltakere.xlsx` (Norwegian headers, a title
row, real Excel dates, a note sheet) and `plasseringer.csv` (Windows-1252, semicolons,
dd.mm.yyyy, `37,5`). `csv` writes canonical English headers, ISO dates and UTF-8, row by
row, for large volumes. Every person is invented; every fødselsnummer and organisation
number is synthetic (valid check digits, made by intdrammen.ids). Same arguments, same
output: only `random.Random(seed)` decides anything.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from intdrammen.ids import make_fnr, make_orgnr

# name, weight, code until 2019, code 2020-2023, code from 2024 (domain.md's table)
MUNICIPALITIES = [
    ("Drammen", 40, "0602", "3005", "3301"),
    ("Nedre Eiker", 9, "0625", "3005", "3301"),
    ("Svelvik", 2, "0711", "3005", "3301"),
    ("Lier", 9, "0626", "3049", "3312"),
    ("Øvre Eiker", 8, "0624", "3048", "3314"),
    ("Sande (Vestfold)", 3, "0713", "3802", "3903"),
    ("Røyken", 3, "0627", "3025", "3203"),
    ("Hurum", 2, "0628", "3025", "3203"),
    ("Hamar", 6, "0403", "3403", "3403"),
    ("Ringsaker", 4, "0412", "3411", "3411"),
    ("Lillehammer", 5, "0501", "3405", "3405"),
    ("Gjøvik", 5, "0502", "3407", "3407"),
    ("Kongsberg", 3, "0604", "3006", "3303"),
]
# settlement years of refugees: the 2015-2017 peak, and Ukraine from 2022
YEARS = [
    (2015, 14),
    (2016, 18),
    (2017, 12),
    (2018, 8),
    (2019, 7),
    (2020, 5),
    (2021, 6),
    (2022, 16),
    (2023, 14),
]
COUNTRIES = [
    ("Syria", 30),
    ("Eritrea", 14),
    ("Afghanistan", 10),
    ("Somalia", 6),
    ("Irak", 5),
    ("Iran", 4),
    ("Sudan", 3),
    ("Kongo", 3),
    ("Etiopia", 3),
    ("Myanmar", 2),
    ("Polen", 2),
]
EMPLOYERS = [
    "Kiwi Strømsø",
    "Mester Grønn Drammen",
    "Stykket Holding AS",
    "Drammen kommune",
    "Vestre Viken HF",
    "Glassverket Bygg AS",
    "Rema 1000 Gulskogen",
    "Coop Extra Lier",
    "Drammen Taxi",
    "ISS Facility Services",
    "Norlandia barnehager",
    "Lier kommune",
    "Hamar kommune",
    "Sykehuset Innlandet",
    "Mjøsbil AS",
    "Gjøvik Rør AS",
]
CHANNELS = [
    ("mentor", 20),
    ("arbeidsgiverpartner", 25),
    ("NAV", 30),
    ("jobbverksted", 10),
    ("egen søknad", 15),
]
OUTCOME_WORDS = {
    "work": "arbeid",
    "education": "utdanning",
    "work_and_education": "arbeid og utdanning",
    "unemployed": "ledig",
    "measure": "tiltak",
    "other": "annet",
    "unknown": "ukjent",
}
REASON_WORDS = {"completed": "fullført", "interrupted": "avbrutt", "moved": "flyttet"}
TYPE_WORDS = {
    "job": "fast jobb",
    "temp_job": "midlertidig jobb",
    "apprenticeship": "lærling",
    "education": "utdanning",
    "work_trial": "arbeidspraksis",
    "course": "kurs",
}
LAST_DAY = date(2023, 12, 31)

P_HEADERS = {
    "participant_id": "deltaker_id",
    "national_id": "fødselsnummer",
    "birth_year": "fødselsår",
    "gender": "kjønn",
    "country": "landbakgrunn",
    "municipality": "kommune",
    "settled_date": "bosettingsdato",
    "intro_start": "intro_start",
    "intro_end": "intro_slutt",
    "intro_end_reason": "sluttårsak",
    "intro_outcome": "resultat",
}
PL_HEADERS = {
    "placement_id": "placement_id",
    "participant_id": "deltaker_id",
    "type": "type",
    "employer_orgnr": "orgnr",
    "employer_name": "arbeidsgiver",
    "start_date": "startdato",
    "end_date": "sluttdato",
    "fte_percent": "stillingsprosent",
    "channel": "kanal",
}


@dataclass
class Person:
    pid: str
    fnr: str | None
    birth_year: int
    gender: str
    country: str
    municipality: str
    settled: date
    intro_start: date
    intro_end: date | None
    reason: str | None
    outcome: str | None  # canonical outcome word, or None (left for intd to derive)
    in_work: bool  # the true status at the end, which the placements follow


def pick(rng: random.Random, weighted: list[tuple[str, int]] | list[tuple[int, int]]) -> object:
    return rng.choices([v for v, _w in weighted], [w for _v, w in weighted])[0]


def municipality_code(index: int, year: int, rng: random.Random, demo: bool) -> str:
    name, _w, old, mid, new = MUNICIPALITIES[index]
    roll = rng.random()
    if roll < 0.01:
        return ""
    if roll < 0.013:
        return "9999"
    if demo and roll < 0.06 and name in ("Lier", "Øvre Eiker", "Drammen"):
        return name  # some offices write the name
    return old if year <= 2019 else mid if year <= 2023 else new


def transition_rate(year: int, municipality: str) -> float:
    """The share in work or education at the end: Drammen's early years low (34.5 % and
    49 % published for 2015-2016), improving later; elsewhere around half."""
    if municipality in ("Drammen", "Nedre Eiker", "Svelvik") and year <= 2016:
        return 0.345 if year == 2015 else 0.49
    return min(0.45 + 0.02 * (year - 2016), 0.62)


def people(count: int, rng: random.Random, demo: bool) -> Iterator[Person]:
    used: set[str] = set()
    weights = [m[1] for m in MUNICIPALITIES]
    for i in range(count):
        year = int(pick(rng, YEARS))  # type: ignore[call-overload]
        settled = date(year, 1, 1) + timedelta(days=rng.randrange(365))
        country = "Ukraina" if year >= 2022 and rng.random() < 0.6 else str(pick(rng, COUNTRIES))
        birth = date(rng.randrange(1966, 2005), rng.randrange(1, 13), rng.randrange(1, 29))
        fnr = None
        if rng.random() < 0.9:
            while fnr is None or fnr in used:
                low = 500 if birth.year >= 2000 else 0
                fnr = make_fnr(birth, rng.randrange(low, low + 500))
            used.add(fnr)
        start = settled + timedelta(days=rng.randrange(30, 100))
        end: date | None = start + timedelta(days=rng.randrange(330, 1100))
        assert end is not None
        index = rng.choices(range(len(MUNICIPALITIES)), weights)[0]
        name = MUNICIPALITIES[index][0]
        reason = outcome = None
        in_work = rng.random() < transition_rate(end.year, name)
        if end > LAST_DAY:
            end = None
        else:
            roll = rng.random()
            reason = "moved" if roll < 0.08 else "interrupted" if roll < 0.2 else "completed"
            if rng.random() < 0.7:
                outcome = (
                    rng.choice(["work", "work", "education", "work_and_education"])
                    if in_work
                    else rng.choice(["unemployed", "measure", "other", "unknown", "unemployed"])
                )
        code = municipality_code(index, (end or start).year, rng, demo)
        yield Person(
            f"D{i + 1:06d}",
            fnr,
            birth.year,
            rng.choice("KKMMM"),
            country,
            code,
            settled,
            start,
            end,
            reason,
            outcome,
            in_work,
        )


def placements_of(person: Person, count: int, rng: random.Random) -> Iterator[dict[str, object]]:
    """`count` placements that tell the person's story: a course and a work trial during
    the programme, then (for those in work) a job soon after the end."""
    end = person.intro_end or person.intro_start + timedelta(days=500)
    for n in range(count):
        if n == 0 and person.in_work and person.intro_end:
            kind = rng.choice(["job", "job", "temp_job", "apprenticeship", "education"])
            start = end + timedelta(days=rng.randrange(-60, 28))
        elif n == 0:
            kind = rng.choice(["work_trial", "course"])
            start = person.intro_start + timedelta(days=rng.randrange(30, 300))
        else:
            kind = rng.choice(["course", "work_trial", "job", "temp_job", "job", "education"])
            span = min(1500, (LAST_DAY - person.intro_start).days)
            start = person.intro_start + timedelta(days=rng.randrange(0, max(span, 1)))
        if start > LAST_DAY:  # the data ends with 2023: spread, don't pile up on one day
            start = LAST_DAY - timedelta(days=rng.randrange(365))
        long = kind in ("job", "apprenticeship", "education")
        stop = (
            None
            if long and rng.random() < 0.6
            else start + timedelta(days=rng.randrange(30, 700 if long else 120))
        )
        employer = rng.randrange(len(EMPLOYER_POOL))
        job = kind in ("job", "temp_job", "apprenticeship")
        yield {
            "participant_id": person.pid,
            "type": kind,
            "employer": employer,
            "start_date": start,
            "end_date": stop if stop is None or stop <= LAST_DAY else None,
            "fte_percent": rng.choice([20, 37.5, 50, 60, 80, 100, 100]) if job else None,
            "channel": str(pick(rng, CHANNELS)),
        }


def employer_pool(rng: random.Random) -> list[tuple[str, str | None]]:
    names = list(EMPLOYERS) + [
        f"{w} {s}"
        for w in ("Fjord", "Elva", "Bragernes", "Mjøs", "Nordby", "Holmen", "Tangen", "Åsen")
        for s in ("Bygg AS", "Renhold AS", "Transport AS", "Bakeri", "Omsorg AS", "Elektro AS")
    ]
    pool = []
    for name in names:
        orgnr = None
        while orgnr is None:
            orgnr = make_orgnr(rng.randrange(81_000_000, 99_999_999))
        pool.append((name, orgnr if rng.random() < 0.95 else None))
    return pool


EMPLOYER_POOL: list[tuple[str, str | None]] = []


def generate(
    participants: int, placements: int, seed: int, demo: bool
) -> tuple[list[Person], Iterator[dict[str, object]]]:
    rng = random.Random(seed)
    EMPLOYER_POOL[:] = employer_pool(rng)
    persons = list(people(participants, rng, demo))

    def all_placements() -> Iterator[dict[str, object]]:
        per_person = placements / max(participants, 1)
        number = 0
        for i, person in enumerate(persons):
            count = int((i + 1) * per_person) - int(i * per_person)
            for placement in placements_of(person, count, rng):
                number += 1
                if rng.random() < 0.02:  # arrives before its participant
                    placement["participant_id"] = f"D9{number:06d}"
                placement["placement_id"] = f"PL{number:07d}"
                yield placement

    return persons, all_placements()


def norwegian_date(day: date | None) -> str:
    return "" if day is None else day.strftime("%d.%m.%Y")


def write_demo(out: Path, persons: list[Person], placements: Iterator[dict[str, object]]) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(out / "deltakere.xlsx")
    workbook.set_properties(
        {"title": "Deltakere (syntetiske data)", "author": "intd", "created": datetime(2024, 1, 1)}
    )
    sheet = workbook.add_worksheet("Deltakere")
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "dd.mm.yyyy"})
    sheet.write(0, 0, "Deltakere – Internasjonale Drammen (syntetiske data)", bold)
    sheet.write_row(2, 0, list(P_HEADERS.values()), bold)
    for r, p in enumerate(persons, start=3):
        cells = [p.pid, p.fnr or "", p.birth_year, p.gender, p.country, p.municipality]
        for c, value in enumerate(cells):
            sheet.write_number(r, c, value) if isinstance(value, int) else sheet.write_string(
                r, c, str(value)
            )
        for c, value in enumerate((p.settled, p.intro_start, p.intro_end), start=6):
            if value is not None:
                sheet.write_datetime(r, c, datetime(value.year, value.month, value.day), day)
        sheet.write_string(r, 9, REASON_WORDS[p.reason] if p.reason else "")
        sheet.write_string(r, 10, OUTCOME_WORDS[p.outcome] if p.outcome else "")
    sheet.set_column(0, 10, 14)
    notes = workbook.add_worksheet("Om dataene")
    for r, line in enumerate(
        (
            "Syntetiske data laget av scripts/make_sample.py for intd-demoen.",
            "Ingen av personene finnes; fødselsnumre og organisasjonsnumre er oppdiktet,",
            "men har gyldige kontrollsifre. Kommunenummer følger årets kommuneinndeling.",
        )
    ):
        notes.write(r, 0, line)
    workbook.close()
    with (out / "plasseringer.csv").open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(PL_HEADERS.values())
        for pl in placements:
            name, orgnr = EMPLOYER_POOL[int(pl["employer"])]  # type: ignore[call-overload]
            fte = pl["fte_percent"]
            writer.writerow(
                [
                    pl["placement_id"],
                    pl["participant_id"],
                    TYPE_WORDS[str(pl["type"])],
                    orgnr or "",
                    name,
                    norwegian_date(pl["start_date"]),  # type: ignore[arg-type]
                    norwegian_date(pl["end_date"]),  # type: ignore[arg-type]
                    "" if fte is None else f"{fte:g}".replace(".", ","),
                    pl["channel"],
                ]
            )


def write_csv(out: Path, persons: list[Person], placements: Iterator[dict[str, object]]) -> None:
    canonical = {"temp_job": "job"}
    with (out / "participants.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(P_HEADERS)
        for p in persons:
            writer.writerow(
                [
                    p.pid,
                    p.fnr or "",
                    p.birth_year,
                    p.gender,
                    p.country,
                    p.municipality,
                    p.settled,
                    p.intro_start,
                    p.intro_end or "",
                    p.reason or "",
                    p.outcome or "",
                ]
            )
    with (out / "placements.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(PL_HEADERS)
        for pl in placements:
            name, orgnr = EMPLOYER_POOL[int(pl["employer"])]  # type: ignore[call-overload]
            writer.writerow(
                [
                    pl["placement_id"],
                    pl["participant_id"],
                    canonical.get(str(pl["type"]), pl["type"]),
                    orgnr or "",
                    name,
                    pl["start_date"],
                    pl["end_date"] or "",
                    "" if pl["fte_percent"] is None else pl["fte_percent"],
                    pl["channel"],
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--participants", type=int, default=1500)
    parser.add_argument("--placements", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--format", choices=["demo", "csv"], default="demo")
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)
    demo = options.format == "demo"
    persons, placements = generate(options.participants, options.placements, options.seed, demo)
    (write_demo if demo else write_csv)(options.out, persons, placements)


if __name__ == "__main__":
    main()
