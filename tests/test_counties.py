"""Counties (fylker, SSB Klass 104) as regions across the 2018, 2020 and 2024 reforms, and
`--by county`: hand-computed through the CLI on real SQLite files.

The people below each have one job, so a region's `into_work` is the number of them whose
municipality belonged to it on the job's date (former counties) or whose municipality is
in it today (counties of today)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import PARTICIPANT_HEADER, PLACEMENT_HEADER, participant_row, write_csv

pytestmark = pytest.mark.both_backends

# (participant, municipality code on the record, day of the job)
PEOPLE = [
    ("A", "0602", "2019-12-31"),  # Drammen, Buskerud (06)
    ("B", "3005", "2020-01-01"),  # Drammen, Viken (30)
    ("C", "3301", "2024-01-01"),  # Drammen, Buskerud (33)
    ("D", "0625", "2019-12-31"),  # Nedre Eiker, Buskerud (06); today's Drammen
    ("E", "0711", "2019-12-31"),  # Svelvik, Vestfold (07); today's Drammen
    ("F", "0532", "2019-12-31"),  # Jevnaker, Oppland (05)
    ("G", "3053", "2020-01-01"),  # Jevnaker, Viken (30)
    ("H", "3236", "2024-01-01"),  # Jevnaker, Akershus (32): 3236, not Buskerud (33)
    ("I", "0533", "2020-01-01"),  # Lunner's old code after the reform: Viken (30) that day
    ("J", "3234", "2019-12-31"),  # Lunner's code of today, on a day it was in Oppland
    ("K", "9999", "2020-01-01"),  # unknown municipality: in no county
    ("L", "0501", "2019-12-31"),  # Lillehammer, Oppland (05); Innlandet (34) today
]


@pytest.fixture
def loaded(tmp_path: Path, cli: Any) -> None:
    people = write_csv(
        tmp_path / "p.csv", PARTICIPANT_HEADER, [participant_row(p, c) for p, c, _ in PEOPLE]
    )
    jobs = write_csv(
        tmp_path / "pl.csv",
        PLACEMENT_HEADER,
        [["", p, "jobb", "", "Kiwi", day, "", "", "NAV"] for p, _, day in PEOPLE],
    )
    result = cli("import", str(people), str(jobs))
    assert result.exit_code == 0, result.output


def rows(report: dict[str, Any]) -> dict[str, int]:
    return {m["name"]: m["into_work"] for m in report["municipalities"] if m["into_work"]}


@pytest.mark.parametrize(
    ("region", "name", "expected"),
    [
        # Oppland to 2019-12-31: F (0532), J (3234 was 0533 then), L; not I (0533 in 2020)
        ("Oppland", "Oppland", {"Lillehammer": 1, "Jevnaker": 1, "Lunner": 1}),
        ("05", "Oppland", {"Lillehammer": 1, "Jevnaker": 1, "Lunner": 1}),
        # Viken 2020-2023: B, G, I; not K (9999), not C and H (2024)
        ("Viken", "Viken", {"Drammen": 1, "Jevnaker": 1, "Lunner": 1}),
        # Buskerud is today's county 33: today's municipalities, any date: A-E; Jevnaker
        # and Lunner went to Akershus (32) in 2024 (their codes 3236, 3234)
        ("Buskerud", "Buskerud", {"Drammen": 5}),
        ("33", "Buskerud", {"Drammen": 5}),
        ("Akershus", "Akershus", {"Jevnaker": 3, "Lunner": 2}),
        # the former Buskerud (06) to 2019: A and D; Svelvik (E) was in Vestfold
        ("06", "Buskerud", {"Drammen": 2}),
        ("07", "Vestfold", {"Drammen (former Svelvik, 0711)": 1}),
        # Innlandet today: Lillehammer only (Jevnaker and Lunner are in Buskerud today)
        ("innlandet", "Innlandet", {"Lillehammer": 1}),
        ("34", "Innlandet", {"Lillehammer": 1}),
    ],
)
def test_a_county_as_a_region(loaded: None, cli_json: Any, region: str, name: str, expected):
    report = cli_json("report", "--region", region)
    assert report["region"] == name
    assert rows(report) == expected
    assert report["total"]["into_work"] == sum(expected.values())


def test_a_former_county_says_it_counts_by_the_record_date(loaded: None, cli_json: Any) -> None:
    report = cli_json("report", "--region", "Oppland")
    assert report["county_notes"] == [
        {
            "kind": "county_former",
            "code": "05",
            "name": "Oppland",
            "valid_from": "1838-01-01",
            "valid_to": "2019-12-31",
            "region": "Oppland",
        }
    ]
    assert any("record's date" in note for note in report["notes"])
    # today's county of a name a former county had: which code the former one is
    same = cli_json("report", "--region", "Buskerud")["county_notes"]
    assert [(n["kind"], n["code"], n["valid_to"]) for n in same] == [
        ("county_same_name", "06", "2019-12-31")
    ]
    # a county of today without a former namesake needs no note; other regions get no key
    assert "county_notes" not in cli_json("report", "--region", "Innlandet")
    assert "county_notes" not in cli_json("report", "--region", "Drammensregionen")


def test_by_county_sums_to_the_national_total(loaded: None, cli_json: Any) -> None:
    report = cli_json("report", "--by", "county")
    split = {r["name"]: r["into_work"] for r in report["breakdown"]["rows"]}
    # today's county of each record: A-E Buskerud (33), F-J Akershus (32), L Innlandet,
    # K unknown
    assert split == {"Akershus": 5, "Buskerud": 5, "Innlandet": 1, "unknown": 1}
    assert report["breakdown"]["total"]["into_work"] == report["total"]["into_work"] == 12


def test_progress_by_county(loaded: None, cli_json: Any) -> None:
    data = cli_json("progress", "--year", "2019", "--by", "county")
    # id-2016-2020 counts Drammensregionen to 2019: A, D, E (all Drammen, Buskerud today)
    rows = {r["name"]: r["into_work"] for r in data["breakdowns"]["id-2016-2020"]["rows"]}
    assert rows == {"Buskerud": 3}
    assert data["breakdowns"]["id-2016-2020"]["total"]["into_work"] == 3


def test_by_county_in_csv_and_markdown(loaded: None, cli: Any) -> None:
    csv_out = cli("report", "--by", "county", "--format", "csv", "--no-suppress").stdout
    assert "by_county" in csv_out and "Innlandet" in csv_out
    md = cli("report", "--by", "county", "--format", "markdown", "--no-suppress", "--lang", "nb")
    assert "| Fylke |" in md.stdout and "| Buskerud |" in md.stdout


def test_regions_show_a_county_per_period(cli: Any) -> None:
    oppland = json.loads(cli("regions", "show", "Oppland", "--format", "json").stdout)
    jevnaker = next(m for m in oppland["members"] if m["label"] == "Jevnaker")
    assert (jevnaker["from"], jevnaker["to"], jevnaker["current_code"]) == (
        None,
        "2019-12-31",
        "3236",
    )
    assert [c["code"] for c in jevnaker["codes"]] == ["0532", "3053", "3236"]
    viken = json.loads(cli("regions", "show", "viken", "--format", "json").stdout)
    jevnaker = next(m for m in viken["members"] if m["label"] == "Jevnaker")
    assert (jevnaker["from"], jevnaker["to"]) == ("2020-01-01", "2023-12-31")
    drammen = next(m for m in viken["members"] if m["label"] == "Drammen")
    assert [c["code"] for c in drammen["codes"]] == ["0602", "0625", "0711", "3005", "3301"]
    innlandet = json.loads(cli("regions", "show", "Innlandet", "--format", "json").stdout)
    labels = [m["label"] for m in innlandet["members"]]
    assert "Lillehammer" in labels and "Jevnaker" not in labels
    assert all(m["from"] is None and m["to"] is None for m in innlandet["members"])
    text = cli("regions", "show", "Innlandet").stdout
    assert "Lillehammer" in text and "Innlandet" in text


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("MØRE OG ROMSDAL", "Møre og Romsdal"),
        ("troms  og finnmark", "Troms og Finnmark"),
        ("3", "Oslo"),
    ],
)
def test_county_names_match_as_municipality_names_do(cli: Any, query: str, name: str) -> None:
    shown = json.loads(cli("regions", "show", query, "--format", "json").stdout)
    assert shown["name"] == name


def test_a_configured_region_keeps_its_name_over_a_county(tmp_path: Path, cli: Any) -> None:
    regions = tmp_path / "regions.toml"
    regions.write_text(
        '[[region]]\nname = "Innlandet"\nmembers = [{ municipality = "0602" }]\n', encoding="utf-8"
    )
    shown = cli("--regions", str(regions), "regions", "show", "Innlandet", "--format", "json")
    assert [m["label"] for m in json.loads(shown.stdout)["members"]] == ["Drammen"]


def test_an_unknown_county_code_is_no_region(cli: Any) -> None:
    result = cli("regions", "show", "99")
    assert result.exit_code == 1
    assert "No region, municipality or county called '99'" in result.stderr
