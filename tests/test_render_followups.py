"""Renderers after the QA report on the outputs issue: a hidden verdict is ':' in every
format, "Data as of" as a reader writes it, English words for people in `explain` (codes
for scripts), whom an explain counts in CSV and XLSX, `report --by municipality` rows
once in CSV, JSON's `suppressed` lists, and the small ones (a rate nobody ended, the
progress title without goals, no empty explain table, XLSX numbers). Hand-made data,
real SQLite, real files, the CLI through CliRunner."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from conftest import (
    PARTICIPANT_HEADER,
    PLACEMENT_HEADER,
    participant_row,
    placement_row,
    write_csv,
)


def person(pid: str, gender: str, municipality: str, end: str = "", outcome: str = "") -> list[Any]:
    return participant_row(pid, municipality, gender=gender, end=end, outcome=outcome)


def job(placement: str, pid: str, start: str) -> list[Any]:
    return placement_row(pid, start, placement_id=placement, fte="100")


@pytest.fixture
def small(tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """By hand, goal id-2016-2020 (Drammensregionen, 2016-02-09 to 2020-12-31):
    W1 Drammen 2018-03-01 and W2 Drammen 2019-04-01 counted (actual 2, in 2019: 1); W4
    Drammen's first job 2020-02-01 is after the period; O1 in Hamar (3403) is outside
    the region. Introduction cohort 2019 (ended 2019-06-15, all Drammen): C1 into work,
    C2 unemployed (not in work or education) -> ended 2, work or education 1."""
    monkeypatch.setenv("TZ", "UTC")
    people = [
        person("W1", "K", "3005"),
        person("W2", "K", "3005"),
        person("W4", "M", "3005"),
        person("O1", "M", "3403"),
        person("C1", "K", "3005", "2019-06-15", "arbeid"),
        person("C2", "M", "3005", "2019-06-15", "ledig"),
    ]
    jobs = [
        job("P1", "W1", "2018-03-01"),
        job("P2", "W2", "2019-04-01"),
        job("P4", "W4", "2020-02-01"),
        job("P5", "O1", "2019-05-01"),
    ]
    p = write_csv(tmp_path / "p.csv", PARTICIPANT_HEADER, people)
    pl = write_csv(tmp_path / "pl.csv", PLACEMENT_HEADER, jobs)
    result = cli("import", str(p), str(pl))
    assert result.exit_code == 0, result.output
    return tmp_path


def rows_of(path: Path, sheet: str | int) -> list[list[Any]]:
    book = openpyxl.load_workbook(path)
    ws = book.worksheets[sheet] if isinstance(sheet, int) else book[sheet]
    return [[c.value for c in row] for row in ws.iter_rows()]


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# ----------------------------------------------------------- 3: a hidden verdict is ':'

SUPPRESS = ("progress", "--year", "2019", "--suppress", "3")


def test_a_hidden_met_is_the_suppression_mark_in_every_format(
    small: Path, cli: Any, cli_json: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Cohort 2019 has 2 ended (C1, C2): below 3, hidden; Met rests on them.
    monkeypatch.setenv("COLUMNS", "200")
    text = cli(*SUPPRESS).stdout
    assert re.search(r"55 % directly into work or education\s+:\s+:\s+:\s+55%\s+:\s+–", text)
    markdown = cli(*SUPPRESS, "--format", "markdown").stdout
    assert (
        "| 55 % directly into work or education (whole project) | : | : | : | 55% | : | – |"
        in markdown
    )
    html = (small / "p.html", small / "p.xlsx")
    assert cli(*SUPPRESS, "--out", str(html[0])).exit_code == 0
    page = html[0].read_text(encoding="utf-8")
    # The goal card (its actual hidden) and both intro cards: ':' , never '–'.
    assert page.count('<span class="status none">:</span>') == 3
    assert '<span class="status none">–</span>' not in page
    assert cli(*SUPPRESS, "--out", str(html[1])).exit_code == 0
    intro = rows_of(html[1], "Intro cohort 2019")
    met = intro[0].index("Met")  # before the National column
    assert [r[met] for r in intro[1:]] == [":", ":"]
    # Unsuppressed the verdict is a word again.
    shown = cli("progress", "--year", "2019", "--format", "markdown").stdout
    assert (
        "| 55 % directly into work or education (whole project) | 2 | 1 | 50.0% | 55% | no | – |"
        in shown
    )


# ------------------------------------------------------------- 13: JSON `suppressed`


def test_json_names_the_hidden_keys_of_each_object(small: Path, cli_json: Any) -> None:
    data = cli_json(*SUPPRESS)
    assert data["goals"][0]["actual"] is None
    assert data["goals"][0]["suppressed"] == [
        "actual",
        "in_year",
        "on_track",
        "percent_of_target",
        "projected",
    ]
    direct, one_year = data["intro"]
    assert direct["suppressed"] == ["ended", "work_or_education", "rate", "met"]
    # One year after: ended (2) hidden, nobody in work or education (0) shown.
    assert (one_year["ended"], one_year["work_or_education"]) == (None, 0)
    assert one_year["suppressed"] == ["ended", "rate", "met"]
    # Without suppression every list is empty: a null is then "does not apply".
    plain = cli_json("progress", "--year", "2019", "--by", "gender")
    assert [g["suppressed"] for g in plain["goals"] + plain["intro"]] == [[], [], []]
    rows = [r for b in plain["breakdowns"].values() for r in [*b["rows"], b["total"]]]
    assert rows and all(r["suppressed"] == [] for r in rows)


def test_report_json_tells_hidden_from_not_applicable(small: Path, cli_json: Any) -> None:
    data = cli_json("report", "--region", "Drammensregionen", "--suppress", "3")
    y2018 = data["years"][0]
    # 2018: W1 into work (1, hidden); nobody ended, so the rate is null, not hidden.
    assert (y2018["year"], y2018["into_work"], y2018["intro_rate"]) == (2018, None, None)
    assert y2018["suppressed"] == ["into_work"]
    drammen = data["municipalities"][0]
    assert (drammen["name"], drammen["into_work"]) == ("Drammen", 3)
    assert drammen["suppressed"] == ["intro_ended", "intro_work_or_education", "intro_rate"]
    lier = data["municipalities"][1]
    assert (lier["name"], lier["intro_rate"], lier["suppressed"]) == ("Lier", None, [])


# ------------------------------------------------------------ 5: "Data as of" for a reader

EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August"]
EN_MONTHS += ["September", "October", "November", "December"]
NB_MONTHS = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august"]
NB_MONTHS += ["september", "oktober", "november", "desember"]


def test_data_as_of_is_written_as_a_reader_writes_it(small: Path, cli: Any, cli_json: Any) -> None:
    from datetime import datetime

    iso = cli_json("progress", "--year", "2019")["provenance"]["data_as_of"]
    moment = datetime.fromisoformat(iso)  # UTC, and TZ=UTC: the same clock
    en = f"{moment.day} {EN_MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M}"
    nb = f"{moment.day}. {NB_MONTHS[moment.month - 1]} {moment.year} kl. {moment:%H.%M}"
    for lang, label, stamp in (("en", "Data as of", en), ("nb", "Data per", nb)):
        page = small / f"p-{lang}.html"
        assert cli("progress", "--year", "2019", "--lang", lang, "--out", str(page)).exit_code == 0
        sub = f'<p class="sub">{label} <time datetime="{iso}">{stamp}</time></p>'
        assert sub in page.read_text(encoding="utf-8")
        books = {
            "p.xlsx": ("progress", "--year", "2019"),
            "r.xlsx": ("report", "--region", "Drammensregionen"),
            "e.xlsx": ("explain", "--goal", "id-2016-2020", "--year", "2019"),
        }
        for name, args in books.items():
            out = small / f"{lang}-{name}"
            assert cli(*args, "--lang", lang, "--out", str(out)).exit_code == 0
            assert [label, stamp] in rows_of(out, -1), name


# ------------------------------------------------- 8: English words, codes for scripts


def test_explain_words_for_people_and_codes_for_scripts(
    small: Path, cli: Any, cli_json: Any
) -> None:
    args = ("explain", "--goal", "id-2016-2020", "--year", "2019")
    markdown = cli(*args, "--format", "markdown").stdout
    assert "| W4 | after the period | first job in the window starts 2020-02-01 | pl.csv:4 |" in (
        markdown
    )
    assert "| O1 | outside the region | municipality 3403 | pl.csv:5 |" in markdown
    intro = ("explain", "--goal", "intro-direct-55", "--year", "2019")
    assert (
        "| C2 | not in work or education (unemployed) | ended 2019-06-15 | p.csv:7 |"
        in cli(*intro, "--format", "markdown").stdout
    )
    assert "not in work or education (unemployed)" in cli(*intro).stdout
    assert "after the period" in cli(*args).stdout
    out = small / "e.xlsx"
    assert cli(*args, "--out", str(out)).exit_code == 0
    sheet = rows_of(out, 0)
    assert sheet[3][:3] == ["W4", "Not counted", "after the period"]
    # JSON and CSV: the codes, and their English texts as before.
    data = cli_json(*args)
    assert [(e["reason"], e["detail"]) for e in data["excluded"]] == [
        ("after_period", "first job in the window starts 2020-02-01"),
        ("outside_region", "municipality 3403"),
    ]
    (c2,) = [
        r for r in parse_csv(cli(*intro, "--format", "csv").stdout) if r["status"] != "counted"
    ]
    assert (c2["reason"], c2["detail"]) == ("not_in_numerator:unemployed", "ended 2019-06-15")
    # Bokmål words as before.
    assert "| W4 | etter perioden |" in cli(*args, "--format", "markdown", "--lang", "nb").stdout


# ------------------------------------------------------- 9: whom the goal counts


def test_explain_csv_and_xlsx_state_the_goals_region(small: Path, cli: Any) -> None:
    args = ("explain", "--goal", "id-2016-2020", "--year", "2019")
    text = cli(*args, "--format", "csv").stdout
    assert text.splitlines()[0].endswith(",placement_types,goal_region")
    assert {r["goal_region"] for r in parse_csv(text)} == {"Drammensregionen"}
    # A goal without a region of its own counts the whole project: empty.
    intro = parse_csv(
        cli("explain", "--goal", "intro-direct-55", "--year", "2019", "--format", "csv").stdout
    )
    assert {r["goal_region"] for r in intro} == {""}
    out = small / "e.xlsx"
    assert cli(*args, "--out", str(out)).exit_code == 0
    sheet = rows_of(out, 0)
    assert sheet[0][-1] == "Region"
    assert {r[-1] for r in sheet[1:]} == {"Drammensregionen (the goal's region)"}
    assert ["Goal", "id-2016-2020 · 2019 · Drammensregionen (the goal's region)"] in rows_of(
        out, -1
    )


def test_the_api_explain_frame_has_goal_region(small: Path, db: Path) -> None:
    import intdrammen

    with intdrammen.open(db) as opened:
        frame = opened.explain("id-2016-2020", 2019).to_frame()
    assert list(frame.columns)[-1] == "goal_region"
    assert set(frame["goal_region"]) == {"Drammensregionen"}


# ------------------------------------------- 10: report --by municipality rows once


def test_report_by_municipality_rows_once_in_csv_and_frames(
    small: Path, cli: Any, cli_json: Any, db: Path
) -> None:
    args = ("report", "--region", "Drammensregionen", "--by", "municipality")
    rows = parse_csv(cli(*args, "--format", "csv").stdout)
    # The language-training requirement has sections (and count columns) of its own.
    sections = {"year", "municipality", "language", "language_by_municipality"}
    assert {r["section"] for r in rows} == sections
    language = [r for r in rows if r["section"].startswith("language")]
    assert all(r["into_work"] == r["intro_ended"] == "" for r in language)
    rows = [r for r in rows if r not in language]
    by = {r["name"]: r["into_work"] for r in rows if r["dimension"] == "municipality"}
    # W1, W2, W4 in Drammen (2018-2020); the total once, not doubled.
    assert by == {
        "Drammen": "3",
        "Lier": "0",
        "Øvre Eiker": "0",
        "Holmestrand (former Sande (Vestfold), 0713)": "0",
        "total": "3",
    }
    assert cli_json(*args)["breakdown"]["by"] == "municipality"  # JSON keeps it
    import intdrammen

    with intdrammen.open(db) as opened:
        frame = opened.report(region="Drammensregionen", by="municipality").to_frame()
    assert set(frame["section"]) == sections
    municipal = frame[(frame["dimension"] == "municipality") & (frame["name"] != "total")]
    assert int(municipal["into_work"].sum()) == 3  # the language rows add nothing to it
    # Another dimension keeps its own section.
    gender = parse_csv(cli("report", "--by", "gender", "--format", "csv").stdout)
    assert "by_gender" in {r["section"] for r in gender}


# ------------------------------------------------------------------- 16: the small ones


def test_a_rate_nobody_ended_is_a_dash_the_legend_explains(
    small: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    args = ("progress", "--year", "1990")
    markdown = cli(*args, "--format", "markdown").stdout
    assert (
        "| 55 % directly into work or education (whole project) | 0 | 0 | – | 55% | – | – |"
        in markdown
    )
    assert "undefined" not in markdown and "'–' = does not apply" in markdown
    text = cli(*args).stdout
    # No goal applies to 1990: the title stands alone, then the intro table.
    assert text.splitlines()[0] == "Progress 1990 – whole project"
    assert "undefined" not in text and "'–' = does not apply" in text
    page = small / "p.html"
    assert cli(*args, "--out", str(page)).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert '<div class="big">–</div>' in html and "undefined" not in html
    assert "&#x27;–&#x27; = does not apply" in html
    assert cli("progress", "--year", "1990", "--lang", "nb").stdout.startswith(
        "Måloppnåelse 1990 – hele prosjektet\n"
    )


def test_explain_with_nobody_counted_prints_a_heading_not_an_empty_table(
    small: Path, cli: Any
) -> None:
    args = ("explain", "--goal", "id-2016-2020", "--year", "2016")
    text = cli(*args).stdout
    lines = text.splitlines()
    assert lines[1:3] == ["Counted: 0", "Not counted: 4"]
    assert "What counted" not in text
    markdown = cli(*args, "--format", "markdown").stdout
    assert "## Counted: 0\n\n## Not counted: 4\n\n| Participant | Reason |" in markdown
    page = small / "e.html"
    assert cli(*args, "--out", str(page)).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert "<h2>Counted: 0</h2><h2>Not counted: 4</h2><table>" in html


def test_xlsx_years_are_numbers_days_as_written_and_figures_rounded(small: Path, cli: Any) -> None:
    report = small / "r.xlsx"
    args = ("report", "--region", "Drammensregionen", "--lang", "nb", "--out", str(report))
    assert cli(*args).exit_code == 0
    book = openpyxl.load_workbook(report)
    goals = book.worksheets[0]
    header = [c.value for c in goals[1]]
    first = {h: c for h, c in zip(header, goals[2], strict=True)}
    assert first["Periode"].value == "09.02.2016–31.12.2020"
    assert first["År"].value == 2020 and first["År"].number_format == "0"
    cohorts = book["Intro per kull"]
    years = [row[0] for row in cohorts.iter_rows(min_row=2)]
    assert all(isinstance(c.value, int) and c.number_format == "0" for c in years)
    progress = small / "p.xlsx"
    assert cli("progress", "--year", "2019", "--no-suppress", "--out", str(progress)).exit_code == 0
    book = openpyxl.load_workbook(progress)
    goal = [c.value for c in book.worksheets[0][2]]
    # Expected by 2019-12-31 as CSV and JSON give it: 795.3 (1 decimal).
    # (column 3 is the goal's region, issue 14 round 2)
    assert goal[3] == "2016-02-09–2020-12-31" and goal[8] == 795.3
    csv_row = parse_csv(cli("progress", "--year", "2019", "--format", "csv").stdout)[0]
    assert csv_row["expected"] == "795.3"
    intro = book["Intro cohort 2019"]
    cohort = intro.cell(row=2, column=4)  # after id, measure, region
    assert (cohort.value, cohort.number_format) == (2019, "0")
    # A rate is rounded as CSV rounds it (4 decimals): 1 of 2 is 0.5 exactly.
    assert intro.cell(row=2, column=7).value == 0.5
